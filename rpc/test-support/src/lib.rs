//! Helpers shared by the tests of the weld crates: hex literals, the
//! upstream wire vectors (`wire-vectors-sample.json`, encodings made by the
//! wasmCloud 0.x keyvalue/httpserver crates), and running the project's
//! scripts.
//!
//! A dev-only crate rather than a feature of weld-rpc: the vectors file and
//! these helpers stay out of the published runtime and its API, and nothing
//! here needs weld-rpc itself (so weld-rpc's own tests can use it without a
//! second copy of weld-rpc's types).

use std::path::Path;

/// Runs one of the project's scripts (`scripts/*.sh`) with `args` and
/// returns what it printed on stdout, trimmed (the scripts print the path
/// of what they built). Panics with the script's status and stderr if it
/// fails: a test or bench cannot go on without what it builds.
pub fn run_script(script: &Path, args: &[&std::ffi::OsStr]) -> String {
    let o = std::process::Command::new(script)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", script.display()));
    assert!(
        o.status.success(),
        "{} failed ({}):\n{}",
        script.display(),
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Decodes hex written with optional spaces between bytes (`"a1 6161 01"`);
/// panics on a typo, which is a bug in the test itself.
pub fn unhex(s: &str) -> Vec<u8> {
    let compact: String = s.split_whitespace().collect();
    hex::decode(&compact).unwrap_or_else(|e| panic!("bad hex in test {s:?}: {e}"))
}

/// The upstream sample, as checked in next to this crate.
pub const SAMPLE_JSON: &str = include_str!("../data/wire-vectors-sample.json");

/// One upstream vector: a value of `ty`, as JSON, and its MessagePack bytes.
#[derive(Clone, Debug)]
pub struct Vector {
    /// Type name in the upstream crates (`"SetRequest"`, `"u32"`, ...).
    pub ty: String,
    /// Which case of that type (`"basic"`, `"empty"`, ...).
    pub case: String,
    /// The value as JSON (serde field names = wire names).
    pub json: serde_json::Value,
    /// The MessagePack encoding, lower-case hex.
    pub msgpack: String,
}

impl Vector {
    /// `type/case`, for assertion messages.
    pub fn what(&self) -> String {
        format!("{}/{}", self.ty, self.case)
    }

    /// The MessagePack bytes.
    pub fn msgpack_bytes(&self) -> Vec<u8> {
        unhex(&self.msgpack)
    }
}

/// The whole sample file. When the project's `shared/spec` copy (the
/// source) is beside the checkout, the checked-in copy must equal it.
pub fn sample_file() -> serde_json::Value {
    let ours: serde_json::Value = serde_json::from_str(SAMPLE_JSON).expect("sample is JSON");
    let shared =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec/wire-vectors-sample.json");
    if let Ok(text) = std::fs::read_to_string(&shared) {
        let source: serde_json::Value = serde_json::from_str(&text).expect("shared sample is JSON");
        assert_eq!(
            source, ours,
            "rpc/test-support/data/wire-vectors-sample.json is stale: copy it from {shared:?}"
        );
    }
    ours
}

/// The sample's vectors, in file order.
pub fn sample_vectors() -> Vec<Vector> {
    let file = sample_file();
    let field = |v: &serde_json::Value, k: &str| {
        v[k].as_str()
            .unwrap_or_else(|| panic!("vector without string {k:?}: {v}"))
            .to_string()
    };
    file["vectors"]
        .as_array()
        .expect("sample has a vectors array")
        .iter()
        .map(|v| Vector {
            ty: field(v, "type"),
            case: field(v, "case"),
            json: v["json"].clone(),
            msgpack: field(v, "msgpack"),
        })
        .collect()
}

/// The sample's method strings (`"KeyValue.Get"`, ...).
pub fn sample_methods() -> Vec<String> {
    sample_file()["methods"]
        .as_array()
        .expect("sample has a methods array")
        .iter()
        .map(|m| m.as_str().expect("method is a string").to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unhex_ignores_spaces_and_refuses_typos() {
        assert_eq!(unhex("a1 6161\n01"), [0xa1, 0x61, 0x61, 0x01]);
        assert!(std::panic::catch_unwind(|| unhex("zz")).is_err());
    }

    #[test]
    fn sample_has_every_vector_and_method() {
        let vectors = sample_vectors();
        assert_eq!(vectors.len(), 18);
        assert!(vectors.iter().all(|v| !v.msgpack_bytes().is_empty()));
        assert_eq!(sample_methods().len(), 16);
    }

    #[test]
    fn dep_info_lists_the_binarys_files_with_escaped_spaces() {
        let dir = std::env::temp_dir().join(format!("weld-dep-info-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bin = dir.join("tool");
        assert_eq!(dep_info(&bin), None, "no .d file: no list");
        std::fs::write(
            dir.join("tool.d"),
            "/t/tool: /src/a.rs /src/my\\ dir/b.rs  /src/c.rs\n\n/src/a.rs:\n",
        )
        .unwrap();
        assert_eq!(
            dep_info(&bin).unwrap(),
            ["/src/a.rs", "/src/my dir/b.rs", "/src/c.rs"].map(std::path::PathBuf::from)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// True when the tests run under CI (`CI=true` or `CI=1`), where a missing
/// service is a failure, never a silent skip.
pub fn in_ci() -> bool {
    std::env::var("CI")
        .map(|v| v == "true" || v == "1")
        .unwrap_or(false)
}

/// True when `name` accepts TCP connections at `addr` (e.g. `127.0.0.1:4222`).
/// When it does not, the caller skips its test with a printed reason,
/// except under CI, where this panics.
pub fn require_service(name: &str, addr: &str) -> bool {
    let sa: std::net::SocketAddr = addr.parse().expect("service address");
    match std::net::TcpStream::connect_timeout(&sa, std::time::Duration::from_secs(2)) {
        Ok(_) => true,
        Err(e) if in_ci() => panic!("{name} is required at {addr} under CI=true: {e}"),
        Err(e) => {
            eprintln!(
                "skipping: {name} not reachable at {addr}: {e} (set CI=true to fail instead)"
            );
            false
        }
    }
}

/// A name no other test, process or run uses (lattice prefixes, Redis key
/// prefixes, buckets): `prefix`, the process id, the clock and a counter.
pub fn unique_name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}-{}-{nanos:x}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// How a bench states an aim: `met` or `NOT met`.
pub fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "NOT met"
    }
}

/// The repository root (two levels above this crate).
pub fn repo_root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("rpc/test-support sits two levels below the root")
        .to_path_buf()
}

/// Sources every binary of the workspace is built from besides its own
/// crate: the runtime and the generated interfaces.
const SHARED_SOURCES: &[&str] = &["rpc/src", "generated"];

/// A binary of the workspace built in `profile` (`debug` or `release`),
/// e.g. `host-min` or `weld-provider-keyvalue`, for tests that run it as a
/// process.
///
/// Tests cannot build it themselves (cargo holds the build lock while tests
/// run), so `make test` builds every binary first. Looked for beside this
/// test binary (`<target>/<profile>/deps/..`), then under
/// `$CARGO_TARGET_DIR`, then `target/`. A missing binary, or one older than
/// a file it was built from (cargo's dep-info `{bin}.d`; without one, any
/// file under `sources`, relative to the root, or the shared sources),
/// fails with the cargo command that builds it, so a test never passes
/// against old code.
pub fn workspace_bin(
    name: &str,
    package: &str,
    profile: &str,
    sources: &[&str],
) -> std::path::PathBuf {
    use std::path::PathBuf;
    let mut candidates = Vec::new();
    if let Some(t) = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
    {
        candidates.push(t.join(profile).join(name));
    }
    if let Ok(t) = std::env::var("CARGO_TARGET_DIR") {
        candidates.push(PathBuf::from(t).join(profile).join(name));
    }
    let root = repo_root();
    candidates.push(root.join("target").join(profile).join(name));
    let flag = if profile == "release" {
        " --release"
    } else {
        ""
    };
    let build = format!("cargo build{flag} -p {package} --bins (make test builds every binary)");
    let Some(bin) = candidates.iter().find(|p| p.is_file()) else {
        panic!("{name} not found (looked at {candidates:?}); build it first: {build}");
    };
    let built = std::fs::metadata(bin).and_then(|m| m.modified()).ok();
    // Cargo's dep-info beside the binary lists exactly the files it was
    // built from; the directories are a fallback that can only err on the
    // side of "stale" (a change the binary does not depend on counts).
    let newest = match dep_info(bin) {
        Some(files) => files.iter().filter_map(|f| newest_mtime(f)).max(),
        None => sources
            .iter()
            .chain(SHARED_SOURCES)
            .filter_map(|d| newest_mtime(&root.join(d)))
            .max(),
    };
    if let (Some(built), Some(src)) = (built, newest) {
        if src > built {
            panic!(
                "{} is older than its sources; rebuild it: {build}",
                bin.display()
            );
        }
    }
    bin.clone()
}

/// The source files of `bin` from cargo's dep-info file (`{bin}.d`, a
/// make rule `bin: file file ...` with spaces in names escaped as `\ `).
fn dep_info(bin: &Path) -> Option<Vec<std::path::PathBuf>> {
    let mut name = bin.file_name()?.to_os_string();
    name.push(".d");
    let text = std::fs::read_to_string(bin.with_file_name(name)).ok()?;
    let line = text.lines().next()?;
    let (_, deps) = line.split_once(": ")?;
    let mut files = Vec::new();
    let mut current = String::new();
    let mut chars = deps.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => current.extend(chars.next()),
            ' ' => {
                if !current.is_empty() {
                    files.push(std::mem::take(&mut current).into());
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        files.push(current.into());
    }
    (!files.is_empty()).then_some(files)
}

/// Newest modification time of `path` or of any file under it.
fn newest_mtime(path: &Path) -> Option<std::time::SystemTime> {
    let mut newest = None;
    let mut stack = vec![path.to_path_buf()];
    while let Some(p) = stack.pop() {
        let Ok(meta) = std::fs::metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&p) {
                stack.extend(entries.flatten().map(|e| e.path()));
            }
        } else if let Ok(m) = meta.modified() {
            newest = newest.max(Some(m));
        }
    }
    newest
}
