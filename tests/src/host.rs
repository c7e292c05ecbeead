//! `host-min` as a child process: find the binary, write an app manifest,
//! start it, wait until it serves, stop it gracefully or with `kill -9`,
//! and run its admin CLI against it.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::free_port;

/// How long a host may take to start serving. A debug build of host-min
/// compiles actors with Cranelift unoptimised, which takes a few seconds on
/// a loaded two-core machine.
pub const START_TIMEOUT: Duration = Duration::from_secs(120);

/// Which build of host-min to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// `target/debug/host-min` (what `make test` builds).
    Debug,
    /// `target/release/host-min` (benchmarks).
    Release,
}

/// The `host-min` executable to test: `HOST_MIN_BIN`, else the workspace's
/// build, which must be newer than the host's sources (see
/// [`weld_test_support::workspace_bin`]).
pub fn host_min_bin(profile: Profile) -> PathBuf {
    if let Ok(p) = std::env::var("HOST_MIN_BIN") {
        return PathBuf::from(p);
    }
    let sub = match profile {
        Profile::Debug => "debug",
        Profile::Release => "release",
    };
    // The host starts provider processes from the binaries beside it:
    // they must be as fresh as the host.
    for (bin, package, dir) in PROVIDER_BINS {
        weld_test_support::workspace_bin(bin, package, sub, &[dir]);
    }
    weld_test_support::workspace_bin(
        "host-min",
        "host-min",
        sub,
        &["host-min/src", "host-min/Cargo.toml", "providers"],
    )
}

/// The provider executables a host may start: (binary, package, sources).
pub const PROVIDER_BINS: &[(&str, &str, &str)] = &[
    (
        "weld-provider-blobstore-fs",
        "weld-provider-blobstore-fs",
        "providers/blobstore-fs",
    ),
    (
        "weld-provider-blobstore-s3",
        "weld-provider-blobstore-s3",
        "providers/blobstore-s3",
    ),
    (
        "weld-provider-httpserver",
        "weld-provider-httpserver",
        "providers/httpserver",
    ),
    (
        "weld-provider-keyvalue",
        "weld-provider-keyvalue",
        "providers/keyvalue",
    ),
    (
        "weld-provider-keyvalue-redis",
        "weld-provider-keyvalue",
        "providers/keyvalue",
    ),
    (
        "weld-provider-keyvalue-vault",
        "weld-provider-keyvalue",
        "providers/keyvalue",
    ),
    (
        "weld-provider-lattice-controller",
        "weld-provider-lattice-controller",
        "providers/lattice-controller",
    ),
    (
        "weld-provider-messaging-nats",
        "weld-provider-messaging-nats",
        "providers/messaging-nats",
    ),
    (
        "weld-provider-sqldb-postgres",
        "weld-provider-sqldb-postgres",
        "providers/sqldb-postgres",
    ),
];

/// Signs `wasm` with claims (`host-min claims sign`) naming `name` and the
/// capabilities `caps`, with keys kept in `dir/keys`; returns the signed
/// module's path (in `dir`). A host that verifies claims refuses unsigned
/// actors, so every test runs signed actors, exactly as `make demo` does.
///
/// A host-min without the `claims` subcommand (claims not built yet)
/// admits unsigned actors; then the module is used as it is.
pub fn sign_actor(bin: &Path, wasm: &Path, name: &str, caps: &[&str], dir: &Path) -> PathBuf {
    let has_claims = Command::new(bin)
        .args(["claims", "--help"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !has_claims {
        return wasm.to_path_buf();
    }
    let out = dir.join(format!("{name}_s.wasm"));
    let res = Command::new(bin)
        .args(["claims", "sign"])
        .arg(wasm)
        .args(["--name", name, "--caps", &caps.join(",")])
        .arg("--key-dir")
        .arg(dir.join("keys"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("run {} claims sign: {e}", bin.display()));
    assert!(
        res.status.success(),
        "host-min claims sign {} failed:\n{}{}",
        wasm.display(),
        String::from_utf8_lossy(&res.stdout),
        String::from_utf8_lossy(&res.stderr)
    );
    out
}

/// A TOML string literal (TOML basic strings accept JSON's escapes).
fn toml_str(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

fn toml_table(pairs: &[(String, String)]) -> String {
    let items: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{} = {}", toml_str(k), toml_str(v)))
        .collect();
    format!("{{ {} }}", items.join(", "))
}

/// An app manifest for `host-min up`, written as TOML.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    host: Vec<(String, String)>,
    /// name, module, capabilities to sign it with (`None`: use as is).
    actors: Vec<(String, PathBuf, Option<Vec<String>>)>,
    providers: Vec<(String, String, Vec<(String, String)>)>,
    /// Provider name -> extra raw TOML lines of its entry.
    provider_extra: Vec<(String, String)>,
    /// Actors given by OCI reference: name, reference.
    image_actors: Vec<(String, String)>,
    links: Vec<(String, String, Vec<(String, String)>)>,
}

fn pairs(values: &[(&str, &str)]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

impl Manifest {
    /// An empty manifest.
    pub fn new() -> Self {
        Self::default()
    }

    /// A `[host]` setting (string-valued keys only: `admin`, `data_dir`, `lattice`).
    pub fn host(mut self, key: &str, value: &str) -> Self {
        self.host.push((key.into(), toml_str(value)));
        self
    }

    /// The string `[host]` setting `key`, if set (e.g. the lattice an
    /// [`crate::lattice::alone`] host joins).
    pub fn host_value(&self, key: &str) -> Option<String> {
        self.host
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| serde_json::from_str(v).ok())
    }

    /// A numeric `[host]` setting (`call_deadline_ms`, ...).
    pub fn host_num(mut self, key: &str, value: u64) -> Self {
        self.host.push((key.into(), value.to_string()));
        self
    }

    /// A boolean `[host]` setting (`allow_unsigned`, ...).
    pub fn host_bool(mut self, key: &str, value: bool) -> Self {
        self.host.push((key.into(), value.to_string()));
        self
    }

    /// A `[host]` list of strings (`registry_insecure = ["..."]`).
    pub fn host_list(mut self, key: &str, values: &[&str]) -> Self {
        let items: Vec<String> = values.iter().map(|v| toml_str(v)).collect();
        self.host
            .push((key.into(), format!("[{}]", items.join(", "))));
        self
    }

    /// A `[host]` table of strings (`labels = { zone = "a" }`).
    pub fn host_table(mut self, key: &str, values: &[(&str, &str)]) -> Self {
        self.host.push((key.into(), toml_table(&pairs(values))));
        self
    }

    /// An actor module used as it is (signed or not).
    pub fn actor(mut self, name: &str, wasm: &Path) -> Self {
        self.actors.push((name.into(), wasm.to_path_buf(), None));
        self
    }

    /// An actor that the host process signs with these capabilities when it
    /// starts (see [`sign_actor`]).
    pub fn signed_actor(mut self, name: &str, wasm: &Path, caps: &[&str]) -> Self {
        let caps = caps.iter().map(|c| c.to_string()).collect();
        self.actors
            .push((name.into(), wasm.to_path_buf(), Some(caps)));
        self
    }

    /// Signs every actor that asks for it with `bin`, into `dir`.
    fn sign_all(mut self, bin: &Path, dir: &Path) -> Self {
        for (name, path, caps) in &mut self.actors {
            if let Some(caps) = caps.take() {
                let caps: Vec<&str> = caps.iter().map(String::as_str).collect();
                *path = sign_actor(bin, path, name, &caps, dir);
            }
        }
        self
    }

    /// An actor pulled from an OCI reference (`image = ...`).
    pub fn image_actor(mut self, name: &str, reference: &str) -> Self {
        self.image_actors.push((name.into(), reference.into()));
        self
    }

    /// A provider archive pulled from an OCI reference and run as its own
    /// process (`image = ...`; needs a lattice).
    pub fn image_provider(mut self, name: &str, reference: &str) -> Self {
        self.providers
            .push((name.into(), String::new(), Vec::new()));
        self.provider_extra
            .push((name.into(), format!("image = {}", toml_str(reference))));
        self
    }

    /// A provider of `kind` with string settings.
    pub fn provider(mut self, name: &str, kind: &str, config: &[(&str, &str)]) -> Self {
        self.providers
            .push((name.into(), kind.into(), pairs(config)));
        self
    }

    /// A provider of `kind` run as its own process (`process = true`;
    /// needs a lattice).
    pub fn process_provider(mut self, name: &str, kind: &str, config: &[(&str, &str)]) -> Self {
        self.providers
            .push((name.into(), kind.into(), pairs(config)));
        self.provider_extra
            .push((name.into(), "process = true".into()));
        self
    }

    /// A provider executable run as its own process (`path` and
    /// `contract`; needs a lattice), e.g. one built with upstream's SDK.
    pub fn exe_provider(mut self, name: &str, exe: &Path, contract: &str) -> Self {
        self.providers
            .push((name.into(), String::new(), Vec::new()));
        self.provider_extra.push((
            name.into(),
            format!(
                "path = {}\ncontract = {}",
                toml_str(&exe.to_string_lossy()),
                toml_str(contract)
            ),
        ));
        self
    }

    /// A link between an actor and a provider, with values.
    pub fn link(mut self, actor: &str, provider: &str, values: &[(&str, &str)]) -> Self {
        self.links
            .push((actor.into(), provider.into(), pairs(values)));
        self
    }

    /// The TOML text.
    pub fn to_toml(&self) -> String {
        let mut t = String::new();
        if !self.host.is_empty() {
            t.push_str("[host]\n");
            for (k, v) in &self.host {
                let _ = writeln!(t, "{k} = {v}");
            }
        }
        for (name, path, _) in &self.actors {
            let _ = writeln!(
                t,
                "\n[[actors]]\nname = {}\npath = {}",
                toml_str(name),
                toml_str(&path.to_string_lossy())
            );
        }
        for (name, reference) in &self.image_actors {
            let _ = writeln!(
                t,
                "\n[[actors]]\nname = {}\nimage = {}",
                toml_str(name),
                toml_str(reference)
            );
        }
        for (name, kind, config) in &self.providers {
            let _ = writeln!(t, "\n[[providers]]\nname = {}", toml_str(name));
            // A provider given by `path` has no kind.
            if !kind.is_empty() {
                let _ = writeln!(t, "kind = {}", toml_str(kind));
            }
            for (_, line) in self.provider_extra.iter().filter(|(n, _)| n == name) {
                let _ = writeln!(t, "{line}");
            }
            if !config.is_empty() {
                let _ = writeln!(t, "config = {}", toml_table(config));
            }
        }
        for (actor, provider, values) in &self.links {
            let _ = writeln!(
                t,
                "\n[[links]]\nactor = {}\nprovider = {}",
                toml_str(actor),
                toml_str(provider)
            );
            if !values.is_empty() {
                let _ = writeln!(t, "values = {}", toml_table(values));
            }
        }
        t
    }
}

/// Which key-value store an app uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Store {
    /// The embedded store (provider kind `keyvalue`), in the host's data dir.
    Embedded,
    /// Redis (provider kind `keyvalue-redis`) at this URL.
    Redis(String),
    /// Vault KV v2 (provider kind `keyvalue-vault`) at this address with
    /// this token.
    Vault(String, String),
}

impl Store {
    /// Short name for messages.
    pub fn label(&self) -> &'static str {
        match self {
            Store::Embedded => "embedded",
            Store::Redis(_) => "redis",
            Store::Vault(..) => "vault",
        }
    }
}

/// The standard HTTP + key-value app: actor `name` from `wasm` (signed
/// with the capabilities it needs when the host starts), provider `http`
/// (httpserver) bound to `http` for it, and, when `store` is given,
/// provider `kv` linked to it.
pub fn app(name: &str, wasm: &Path, http: SocketAddr, store: Option<&Store>) -> Manifest {
    let address = http.to_string();
    let caps: &[&str] = match store {
        Some(_) => &["wasmcloud:httpserver", "wasmcloud:keyvalue"],
        None => &["wasmcloud:httpserver"],
    };
    let mut m = Manifest::new()
        .signed_actor(name, wasm, caps)
        .provider("http", "httpserver", &[])
        .link(name, "http", &[("address", &address)]);
    match store {
        Some(Store::Embedded) => {
            m = m.provider("kv", "keyvalue", &[]).link(name, "kv", &[]);
        }
        Some(Store::Redis(url)) => {
            m = m
                .provider("kv", "keyvalue-redis", &[])
                .link(name, "kv", &[("URL", url)]);
        }
        Some(Store::Vault(addr, token)) => {
            m = m.provider("kv", "keyvalue-vault", &[]).link(
                name,
                "kv",
                &[("addr", addr), ("token", token)],
            );
        }
        None => {}
    }
    m
}

/// A running `host-min up` child process with its own directory (manifest,
/// data dir, log). Killed when dropped.
pub struct HostProc {
    child: Option<Child>,
    bin: PathBuf,
    dir: PathBuf,
    manifest: PathBuf,
    log: PathBuf,
    /// The admin endpoint.
    pub admin: SocketAddr,
    /// Addresses that accept connections once the host is up.
    ready: Vec<SocketAddr>,
    starts: u32,
    /// `RUST_LOG` of the host, when not the default.
    rust_log: Option<String>,
}

impl HostProc {
    /// Writes `manifest` into `dir` (with `data_dir = "data"` and a free
    /// admin port added) and starts the debug host-min on it; returns once
    /// every address in `ready` accepts connections.
    pub fn start(dir: &Path, manifest: Manifest, ready: &[SocketAddr]) -> HostProc {
        Self::start_with(host_min_bin(Profile::Debug), dir, manifest, ready)
    }

    /// As [`HostProc::start`] with a given binary.
    pub fn start_with(
        bin: PathBuf,
        dir: &Path,
        manifest: Manifest,
        ready: &[SocketAddr],
    ) -> HostProc {
        Self::start_with_env(bin, dir, manifest, ready, None)
    }

    fn start_with_env(
        bin: PathBuf,
        dir: &Path,
        manifest: Manifest,
        ready: &[SocketAddr],
        rust_log: Option<String>,
    ) -> HostProc {
        let admin: SocketAddr = format!("127.0.0.1:{}", free_port())
            .parse()
            .expect("address");
        let manifest = manifest
            .sign_all(&bin, dir)
            .host("admin", &admin.to_string())
            .host("data_dir", "data");
        let path = dir.join("app.toml");
        std::fs::write(&path, manifest.to_toml()).expect("write manifest");
        let mut ready = ready.to_vec();
        ready.push(admin);
        let mut h = HostProc {
            child: None,
            bin,
            dir: dir.to_path_buf(),
            manifest: path,
            log: dir.join("host.log"),
            admin,
            ready,
            starts: 0,
            rust_log,
        };
        h.spawn();
        h
    }

    /// As [`HostProc::start`], with the host's `RUST_LOG` set to `filter`
    /// (e.g. `warn,provider=info` to see what provider processes print,
    /// which the host logs at info level under target `provider`).
    pub fn start_logging(
        dir: &Path,
        manifest: Manifest,
        ready: &[SocketAddr],
        filter: &str,
    ) -> HostProc {
        Self::start_with_env(
            host_min_bin(Profile::Debug),
            dir,
            manifest,
            ready,
            Some(filter.to_string()),
        )
    }

    /// The directory holding the manifest, data and log.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The process id of the running host.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The pid of this host's child process whose command name starts
    /// with `prefix` (a provider process), if one runs.
    pub fn child_named(&self, prefix: &str) -> Option<u32> {
        children(self.pid()?)
            .into_iter()
            .find(|(_, comm)| comm.starts_with(prefix))
            .map(|(pid, _)| pid)
    }

    /// Everything the host has logged (all its runs).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn spawn(&mut self) {
        assert!(self.child.is_none(), "host already running");
        self.starts += 1;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("open host log");
        let child = Command::new(&self.bin)
            .arg("up")
            .arg(&self.manifest)
            .env(
                "RUST_LOG",
                self.rust_log.clone().unwrap_or_else(|| {
                    std::env::var("WELD_E2E_HOST_LOG").unwrap_or_else(|_| "warn".into())
                }),
            )
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone log handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", self.bin.display()));
        self.child = Some(child);
        self.wait_ready();
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + START_TIMEOUT;
        for addr in self.ready.clone() {
            loop {
                if let Some(status) = self
                    .child
                    .as_mut()
                    .and_then(|c| c.try_wait().ok().flatten())
                {
                    self.child = None;
                    panic!(
                        "host-min exited during start ({status}); manifest:\n{}\nlog:\n{}",
                        std::fs::read_to_string(&self.manifest).unwrap_or_default(),
                        self.log()
                    );
                }
                if std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                    break;
                }
                if Instant::now() > deadline {
                    let log = self.log();
                    self.kill9();
                    panic!(
                        "host-min did not listen on {addr} within {START_TIMEOUT:?}; log:\n{log}"
                    );
                }
                std::thread::sleep(Duration::from_millis(25));
            }
        }
    }

    /// `kill -9`: the host gets no chance to flush or close anything.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Graceful stop (SIGTERM, the host's shutdown path); falls back to
    /// `kill -9` and panics if the host does not exit within 20 s.
    pub fn stop(&mut self) {
        let Some(mut c) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(c.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(_)) = c.try_wait() {
                return;
            }
            if Instant::now() > deadline {
                let _ = c.kill();
                let _ = c.wait();
                panic!(
                    "host-min did not stop within 20 s of SIGTERM; log:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts the host again on the same manifest and data directory.
    pub fn restart(&mut self) {
        self.spawn();
    }

    /// Whether the process is still alive.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
    }

    /// Runs `host-min ARGS... --admin ADDR` (e.g. `link del ...`) against
    /// this host and returns its output.
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(&self.bin)
            .args(args)
            .arg("--admin")
            .arg(self.admin.to_string())
            .output()
            .unwrap_or_else(|e| panic!("run {}: {e}", self.bin.display()))
    }

    /// As [`HostProc::cli`], panicking with the output unless it succeeds.
    pub fn cli_ok(&self, args: &[&str]) -> String {
        let out = self.cli(args);
        assert!(
            out.status.success(),
            "host-min {args:?} failed ({}):\nstdout: {}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for HostProc {
    fn drop(&mut self) {
        self.kill9();
        if std::thread::panicking() {
            eprintln!(
                "---- host-min log ({}) ----\n{}",
                self.log.display(),
                self.log()
            );
        }
    }
}

/// Children of process `pid` (from /proc), with their command names.
pub fn children(pid: u32) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(p) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
            continue;
        };
        // pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let comm = head
            .split_once('(')
            .map(|(_, c)| c)
            .unwrap_or("")
            .to_string();
        let ppid: u32 = rest
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if ppid == pid {
            out.push((p, comm));
        }
    }
    out
}

/// Whether `pid` runs (a zombie does not count: its parent reaps it soon).
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            !s.rsplit_once(')')
                .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
        })
        .unwrap_or(false)
}

/// The keyvalue provider (`weld-provider-keyvalue`, beside `bin`) as a
/// provider archive for this machine, signed with keys kept in
/// `dir/keys`, compressed: `dir/kv.par.gz`.
pub fn kv_archive(bin: &Path, dir: &Path) -> PathBuf {
    let par = dir.join("kv.par.gz");
    let arch = format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS);
    let made = Command::new(bin)
        .args(["par", "create", "--arch", &arch, "--binary"])
        .arg(bin.with_file_name("weld-provider-keyvalue"))
        .args([
            "--capid",
            "wasmcloud:keyvalue",
            "--name",
            "kv",
            "--vendor",
            "weld",
            "--compress",
            "--key-dir",
        ])
        .arg(dir.join("keys"))
        .arg("--destination")
        .arg(&par)
        .output()
        .expect("run host-min par create");
    assert!(
        made.status.success(),
        "par create failed: {}",
        String::from_utf8_lossy(&made.stderr)
    );
    par
}
