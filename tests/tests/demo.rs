//! What `make demo` shows a person: `host-min up` on a kvcounter manifest
//! laid out as `examples/kvcounter/manifest.toml` is (paths relative to the
//! manifest, through `..`), run from the directory above it.
//!
//! - once serving, it prints the URL, the admin endpoint and where the data
//!   is kept, with clean paths (no `..`);
//! - its log has no colour escapes when stderr is a file or a pipe, has them
//!   on a terminal, and not on a terminal with `NO_COLOR` set;
//! - Ctrl-C (SIGINT) stops it with exit 0, and a restart keeps the count.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use weld_e2e::host::{host_min_bin, sign_actor, Profile};
use weld_e2e::http::must_get;
use weld_e2e::{free_addr, kvcounter_wasm, wait_for_port};

/// A demo layout in a temp dir: `app/manifest.toml` naming
/// `../actors/kvcounter.wasm` and keeping data in `../data/kvcounter`.
struct Demo {
    dir: tempfile::TempDir,
    bin: PathBuf,
    http: SocketAddr,
    admin: SocketAddr,
}

impl Demo {
    fn new() -> Option<Demo> {
        let wasm = kvcounter_wasm()?;
        let bin = host_min_bin(Profile::Debug);
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("app")).unwrap();
        std::fs::create_dir_all(dir.path().join("actors")).unwrap();
        let signed = sign_actor(
            &bin,
            &wasm,
            "kvcounter",
            &["wasmcloud:httpserver", "wasmcloud:keyvalue"],
            &dir.path().join("actors"),
        );
        std::fs::rename(&signed, dir.path().join("actors/kvcounter.wasm")).unwrap();
        let (http, admin) = (free_addr(), free_addr());
        std::fs::write(
            dir.path().join("app/manifest.toml"),
            format!(
                r#"[host]
admin = "{admin}"
data_dir = "../data/kvcounter"

[[actors]]
name = "kvcounter"
path = "../actors/kvcounter.wasm"

[[providers]]
name = "http"
kind = "httpserver"

[[providers]]
name = "store"
kind = "keyvalue"

[[links]]
actor = "kvcounter"
provider = "http"
values = {{ address = "{http}" }}

[[links]]
actor = "kvcounter"
provider = "store"
"#
            ),
        )
        .unwrap();
        Some(Demo {
            dir,
            bin,
            http,
            admin,
        })
    }

    /// `host-min up app/manifest.toml` from the demo dir, its stderr to `log`.
    fn command(&self) -> Command {
        let mut c = Command::new(&self.bin);
        c.arg("up")
            .arg("app/manifest.toml")
            .current_dir(self.dir.path())
            .env("RUST_LOG", "info")
            .env_remove("NO_COLOR")
            .stdin(Stdio::null());
        c
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("host.log")
    }

    /// Starts the host with stderr (and stdout) going to a file.
    fn start(&self) -> Child {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log())
            .unwrap();
        let child = self
            .command()
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.wait_serving();
        child
    }

    fn wait_serving(&self) {
        for addr in [self.http, self.admin] {
            assert!(
                wait_for_port(addr, Duration::from_secs(60)),
                "not listening on {addr}; log:\n{}",
                read(&self.log())
            );
        }
        // The "where to look" lines come right after the listeners.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !read(&self.log()).contains("Ctrl-C to stop") {
            assert!(
                Instant::now() < deadline,
                "no ready line:\n{}",
                read(&self.log())
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(child.id().to_string())
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{sig}");
}

fn wait_exit(child: &mut Child, within: Duration) -> ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("did not exit within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn counter(http: SocketAddr) -> i64 {
    let r = must_get(http, "/api/counter");
    assert_eq!(r.status, 200, "{}", r.text());
    let v: serde_json::Value = serde_json::from_str(&r.text()).unwrap();
    v["counter"].as_i64().unwrap()
}

#[test]
fn up_says_where_to_look_in_plain_text_and_ctrl_c_exits_zero_keeping_the_data() {
    let Some(demo) = Demo::new() else { return };
    let mut host = demo.start();
    assert_eq!(counter(demo.http), 1);
    assert_eq!(counter(demo.http), 2);
    signal(&host, "INT");
    let status = wait_exit(&mut host, Duration::from_secs(30));
    let log = read(&demo.log());
    assert!(status.success(), "Ctrl-C exit status {status}; log:\n{log}");

    let want = [
        format!("http serves kvcounter on http://{}", demo.http),
        format!("admin endpoint on http://{}", demo.admin),
        "data kept in data/kvcounter".to_string(),
        "stopped; data kept in data/kvcounter".to_string(),
    ];
    for w in &want {
        assert!(log.contains(w.as_str()), "missing {w:?} in:\n{log}");
    }
    assert!(!log.contains(".."), "un-normalised path in:\n{log}");
    assert!(
        !log.contains('\u{1b}'),
        "colour escapes in a log file:\n{log:?}"
    );
    // Info lines were logged (so the colour check looked at something).
    assert!(log.contains("httpserver listening"), "{log}");

    // Nothing lost: the store was closed cleanly and the count goes on.
    let mut again = demo.start();
    assert_eq!(counter(demo.http), 3);
    signal(&again, "TERM");
    assert!(wait_exit(&mut again, Duration::from_secs(30)).success());
}

/// Runs the host under `script` (a pseudo-terminal) until it serves, stops
/// it with SIGINT, and returns what the terminal showed.
fn on_a_terminal(demo: &Demo, no_color: bool) -> String {
    let typescript = demo.dir.path().join(format!("tty-{no_color}.txt"));
    let cmd = format!("exec {} up app/manifest.toml 2>&1", demo.bin.display());
    let mut c = Command::new("script");
    c.args(["-qefc", &cmd])
        .arg(&typescript)
        .current_dir(demo.dir.path())
        .env("RUST_LOG", "info")
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        // The typescript file is what is read; a pipe nobody reads could fill.
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if no_color {
        c.env("NO_COLOR", "1");
    }
    let mut child = c.spawn().expect("script(1) from util-linux");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !read(&typescript).contains("Ctrl-C to stop") {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("host on a tty did not get ready:\n{}", read(&typescript));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // Ctrl-C on that terminal: SIGINT to the host, script's child.
    // The host is script's only child (read from /proc: no pgrep needed).
    let pid = child.id();
    let host_pid = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .trim()
        .to_string();
    assert!(!host_pid.is_empty(), "no host process under script");
    Command::new("kill")
        .args(["-INT", &host_pid])
        .status()
        .unwrap();
    let status = wait_exit(&mut child, Duration::from_secs(30));
    assert!(status.success(), "host on a tty exited {status}");
    read(&typescript)
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    let Some(demo) = Demo::new() else { return };
    let coloured = on_a_terminal(&demo, false);
    assert!(
        coloured.contains("\u{1b}["),
        "no colour on a terminal:\n{coloured:?}"
    );
    let plain = on_a_terminal(&demo, true);
    assert!(plain.contains("httpserver listening"), "{plain}");
    assert!(
        !plain.contains("\u{1b}["),
        "colour despite NO_COLOR:\n{plain:?}"
    );
}
