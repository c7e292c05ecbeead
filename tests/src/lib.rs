//! Support for weld's end-to-end tests: build actors to wasm through the
//! project's one wasm build script, check that real services are there, find
//! free ports, and run `host-min` as a child process.
//!
//! Services: a test that needs Redis calls [`require_service`]. When it is not
//! reachable the test is skipped with a message, except under `CI=true`, where
//! a missing service is a failure: CI must never pass by skipping.
//!
//! Modules: [`host`] runs `host-min` as a child process on a manifest it
//! writes; [`http`] is the HTTP client and load driver; [`redis_store`]
//! reads and cleans up the Redis keys a test used.

pub mod bench;
pub mod browser;
pub mod host;
pub mod http;
pub mod lattice;
pub mod postgres;
pub mod redis_store;
pub mod registry;

use std::collections::{HashMap, HashSet};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// Shared with the other crates' tests (`rpc/test-support`).
pub use weld_test_support::{in_ci, require_service, unique_name};

/// The repository root (parent of this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Builds the actor crate at `dir` (absolute, or relative to the repo root)
/// to wasm32 with `scripts/wasm-build.sh` and returns the .wasm path. Builds
/// each crate once per test process.
///
/// Returns `None` (test should skip) only when no wasm toolchain exists and
/// not under CI; under CI that is a panic.
pub fn build_actor(dir: impl AsRef<Path>) -> Option<PathBuf> {
    static BUILT: OnceLock<Mutex<HashMap<PathBuf, Option<PathBuf>>>> = OnceLock::new();
    let dir = repo_root().join(dir.as_ref());
    let cache = BUILT.get_or_init(Default::default);
    // Hold the lock while building: cargo would serialise the builds anyway
    // (one shared wasm target dir), and this keeps concurrent tests from
    // racing on the same crate.
    let mut built = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = built.get(&dir) {
        return p.clone();
    }
    let out = Command::new(repo_root().join("scripts/wasm-build.sh"))
        .arg(&dir)
        .output()
        .expect("run scripts/wasm-build.sh");
    let result = match out.status.code() {
        Some(0) => {
            let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
            Some(PathBuf::from(path))
        }
        Some(3) if !in_ci() => {
            eprintln!(
                "skipping: no wasm32 toolchain ({})",
                String::from_utf8_lossy(&out.stderr)
            );
            None
        }
        _ => panic!(
            "building {} to wasm failed:\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        ),
    };
    built.insert(dir, result.clone());
    result
}

/// A TCP port on 127.0.0.1 that was free a moment ago, and that this
/// process has not handed out before: the kernel may give the same free
/// port to two binds in a row, and a test that asks for two ports before
/// binding either (an app's HTTP port, then its host's admin port) would
/// get one port twice.
pub fn free_port() -> u16 {
    static GIVEN: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();
    let given = GIVEN.get_or_init(Default::default);
    for _ in 0..64 {
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("bind ephemeral port")
            .local_addr()
            .unwrap()
            .port();
        if given.lock().unwrap_or_else(|e| e.into_inner()).insert(port) {
            return port;
        }
    }
    panic!("no port this process has not handed out yet, after 64 binds")
}

/// Waits until something accepts TCP connections on `addr`, up to `timeout`.
pub fn wait_for_port(addr: SocketAddr, timeout: Duration) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    while std::time::Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// An address on 127.0.0.1 with a port that was free a moment ago.
pub fn free_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], free_port()))
}

/// Builds the kvcounter example actor (once per process).
pub fn kvcounter_wasm() -> Option<PathBuf> {
    build_actor("examples/kvcounter")
}

/// Builds the blobby example actor (once per process).
pub fn blobby_wasm() -> Option<PathBuf> {
    build_actor("examples/blobby")
}

/// Builds the kvblob fixture actor (once per process).
pub fn kvblob_wasm() -> Option<PathBuf> {
    build_actor("tests/fixtures/kvblob")
}

/// Builds the hello fixture actor (once per process).
pub fn hello_wasm() -> Option<PathBuf> {
    build_actor("tests/fixtures/hello")
}

/// Builds the upstream-SDK kvcounter fixture (once per process).
pub fn upstream_kvcounter_wasm() -> Option<PathBuf> {
    build_actor("tests/fixtures/upstream-kvcounter")
}

/// Builds the upstream-SDK provider fixture (`tests/fixtures/upstream-kv-provider`,
/// a native executable on wasmbus-rpc 0.13) once per process and returns
/// the executable's path. It has its own workspace and lock file and builds
/// into `<target>/fixtures` (beside this test binary's profile
/// directories), so it never shares a build lock with the cargo that runs
/// the tests. A failed build panics with cargo's output.
pub fn upstream_kv_provider_bin() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            build_native_fixture(
                "tests/fixtures/upstream-kv-provider",
                "upstream-kv-provider",
            )
        })
        .clone()
}

/// `<target>/fixtures`: the target directory this test binary was built in
/// (tests live in `<target>/<profile>/deps/`), else `target/` of the repo.
fn fixtures_target_dir() -> PathBuf {
    let from_exe = std::env::current_exe().ok().and_then(|exe| {
        let deps = exe.parent()?;
        if deps.file_name()? != "deps" {
            return None;
        }
        Some(deps.parent()?.parent()?.to_path_buf())
    });
    from_exe
        .unwrap_or_else(|| repo_root().join("target"))
        .join("fixtures")
}

/// Builds the binary `bin` of the native crate at `dir` (relative to the
/// repo root) in release mode and returns its path.
fn build_native_fixture(dir: &str, bin: &str) -> PathBuf {
    let manifest = repo_root().join(dir).join("Cargo.toml");
    let target = fixtures_target_dir();
    // `CARGO` is the cargo running these tests; a test binary started by
    // hand falls back to the one on PATH.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        // --locked: the fixture's lock file pins what builds with this
        // toolchain (see its Cargo.toml).
        .args([
            "build",
            "--release",
            "--locked",
            "--bin",
            bin,
            "--manifest-path",
        ])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target)
        .output()
        .unwrap_or_else(|e| panic!("run cargo to build {}: {e}", manifest.display()));
    assert!(
        out.status.success(),
        "building {} failed ({}):\n{}",
        manifest.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let exe = target.join("release").join(bin);
    assert!(
        exe.is_file(),
        "cargo built {} but {} is missing",
        manifest.display(),
        exe.display()
    );
    exe
}
