//! The decision logic of `scripts/setup.sh`, the one install path of the
//! project: which wasm32 route it takes given which tools are present, and
//! what it does about a service that is or is not listening. Each case runs
//! the real script in a sandbox whose PATH holds only stub commands (which
//! log their calls) and the few real tools the script needs, so nothing on
//! the machine changes. The real run is `make test` itself (CI runs it).

use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use weld_e2e::{free_port, repo_root};

/// Real tools the script uses and that no case replaces with a stub.
const REAL_TOOLS: &[&str] = &[
    "bash", "dirname", "env", "grep", "seq", "sleep", "tail", "mkdir", "timeout", "ls", "setsid",
    "nohup", "cat", "true",
];

/// How the fake machine looks.
#[derive(Default, Clone)]
struct Machine {
    /// `rustup` exists.
    rustup: bool,
    /// The wasm32 target is already installed in rustup.
    rustup_target: bool,
    /// `rustup target add` succeeds.
    rustup_add_works: bool,
    /// Debian's rustc-web is already installed.
    rustc_web: bool,
    /// `apt-get` exists.
    apt: bool,
    /// The user is root.
    root: bool,
    /// `sudo -n` works without a password.
    sudo: bool,
}

struct Sandbox {
    _dir: tempfile::TempDir,
    bin: PathBuf,
    log: PathBuf,
    web_rustc: PathBuf,
    state: PathBuf,
}

fn write_exe(path: &Path, body: &str) {
    let mut f = fs::File::create(path).unwrap();
    writeln!(f, "#!/bin/bash\n{body}").unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

fn which(tool: &str) -> PathBuf {
    for dir in ["/usr/bin", "/bin", "/usr/sbin", "/sbin"] {
        let p = Path::new(dir).join(tool);
        if p.exists() {
            return p;
        }
    }
    panic!("{tool} is not installed (the setup script needs it)");
}

impl Sandbox {
    fn new(m: &Machine) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        fs::create_dir(&bin).unwrap();
        let log = dir.path().join("calls.log");
        fs::write(&log, "").unwrap();
        let state = dir.path().join("state");
        for tool in REAL_TOOLS {
            std::os::unix::fs::symlink(which(tool), bin.join(tool)).unwrap();
        }
        let logline = format!("echo \"$(basename \"$0\") $*\" >> {}", log.display());
        // Used by the stubs only.
        for tool in ["basename", "chmod"] {
            std::os::unix::fs::symlink(which(tool), bin.join(tool)).unwrap();
        }

        // rustc-web: a compiler that reports a sysroot with std's sources,
        // created by the apt stub when it "installs" the packages.
        let web_rustc = dir.path().join("web/rustc");
        let web_sysroot = dir.path().join("web/sysroot");
        let make_web = format!(
            "mkdir -p {sysroot}/lib/rustlib/src/rust/library {webdir}\n\
             printf '#!/bin/bash\\necho {sysroot}\\n' > {rustc}\n\
             chmod +x {rustc}",
            sysroot = web_sysroot.display(),
            webdir = web_rustc.parent().unwrap().display(),
            rustc = web_rustc.display()
        );
        if m.rustc_web {
            let o = Command::new("bash")
                .arg("-c")
                .arg(&make_web)
                .output()
                .unwrap();
            assert!(o.status.success());
        }

        let targets = dir.path().join("rustup-targets");
        fs::write(
            &targets,
            if m.rustup_target {
                "x86_64-unknown-linux-gnu\nwasm32-unknown-unknown\n"
            } else {
                "x86_64-unknown-linux-gnu\n"
            },
        )
        .unwrap();
        if m.rustup {
            write_exe(
                &bin.join("rustup"),
                &format!(
                    "{logline}\n\
                     if [ \"$1 $2\" = 'target list' ]; then cat {t}; exit 0; fi\n\
                     if [ \"$1 $2\" = 'target add' ]; then\n\
                       {add}\n\
                     fi\n\
                     exit 1",
                    t = targets.display(),
                    add = if m.rustup_add_works {
                        format!(
                            "echo wasm32-unknown-unknown >> {}; exit 0",
                            targets.display()
                        )
                    } else {
                        "echo 'error: could not download' >&2; exit 1".to_string()
                    }
                ),
            );
        }
        if m.apt {
            write_exe(
                &bin.join("apt-get"),
                &format!(
                    "{logline}\n\
                     if [ \"$(id -u)\" != 0 ]; then echo 'E: are you root?' >&2; exit 100; fi\n\
                     if [ \"$1\" = install ] && [[ \" $* \" == *' rustc-web '* ]]; then\n\
                       {make_web}\n\
                     fi\n\
                     exit 0"
                ),
            );
        }
        write_exe(
            &bin.join("id"),
            &format!("[ \"$1\" = -u ] && echo {}", if m.root { 0 } else { 1000 }),
        );
        if m.sudo {
            // `sudo -n CMD...` runs CMD as "root": the id stub says 0 inside.
            write_exe(
                &bin.join("sudo"),
                &format!(
                    "{logline}\n\
                     [ \"$1\" = -n ] && shift\n\
                     mkdir -p {b}/../rootbin\n\
                     printf '#!/bin/bash\\necho 0\\n' > {b}/../rootbin/id; chmod +x {b}/../rootbin/id\n\
                     PATH={b}/../rootbin:$PATH exec \"$@\"",
                    b = bin.display()
                ),
            );
        } else {
            write_exe(
                &bin.join("sudo"),
                &format!("{logline}\necho 'sudo: a password is required' >&2; exit 1"),
            );
        }
        Sandbox {
            _dir: dir,
            bin,
            log,
            web_rustc,
            state,
        }
    }

    fn command(&self, steps: &[&str]) -> Command {
        let mut c = Command::new(self.bin.join("bash"));
        c.arg(repo_root().join("scripts/setup.sh"))
            .args(steps)
            .env_clear()
            .env("PATH", &self.bin)
            .env("WELD_RUSTC_WEB", &self.web_rustc)
            .env("WELD_STATE_DIR", &self.state)
            .env("WELD_SERVER_DIRS", self.bin.join("none"))
            .stdin(Stdio::null());
        c
    }

    fn run(&self, steps: &[&str]) -> Output {
        self.command(steps).output().unwrap()
    }

    fn calls(&self) -> Vec<String> {
        fs::read_to_string(&self.log)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `wasm` then `wasm-route`, and returns (status of wasm, route, stub calls).
fn wasm(m: &Machine) -> (Output, Option<String>, Vec<String>, Sandbox) {
    let sb = Sandbox::new(m);
    let o = sb.run(&["wasm"]);
    let calls = sb.calls();
    let r = sb.run(&["wasm-route"]);
    let route = r
        .status
        .success()
        .then(|| String::from_utf8_lossy(&r.stdout).trim().to_string());
    (o, route, calls, sb)
}

fn called(calls: &[String], prefix: &str) -> bool {
    calls.iter().any(|c| c.starts_with(prefix))
}

#[test]
fn an_installed_rustup_target_is_used_without_installing_anything() {
    let (o, route, calls, _) = wasm(&Machine {
        rustup: true,
        rustup_target: true,
        apt: true,
        root: true,
        ..Default::default()
    });
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(route.as_deref(), Some("rustup"));
    assert!(!called(&calls, "rustup target add"), "{calls:?}");
    assert!(!called(&calls, "apt-get"), "{calls:?}");
}

#[test]
fn an_installed_rustc_web_is_used_without_apt_or_rustup_add() {
    let (o, route, calls, _) = wasm(&Machine {
        rustup: true,
        rustc_web: true,
        rustup_add_works: true,
        apt: true,
        root: true,
        ..Default::default()
    });
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(route.as_deref(), Some("rustc-web"));
    assert!(!called(&calls, "rustup target add"), "{calls:?}");
    assert!(!called(&calls, "apt-get"), "{calls:?}");
}

#[test]
fn rustup_target_add_is_preferred_to_apt() {
    let (o, route, calls, sb) = wasm(&Machine {
        rustup: true,
        rustup_add_works: true,
        apt: true,
        root: true,
        ..Default::default()
    });
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(route.as_deref(), Some("rustup"));
    assert!(
        called(&calls, "rustup target add wasm32-unknown-unknown"),
        "{calls:?}"
    );
    assert!(!called(&calls, "apt-get"), "{calls:?}");
    // Idempotent: a second run only looks.
    let before = sb.calls().len();
    let again = sb.run(&["wasm"]);
    assert!(again.status.success());
    let after = sb.calls();
    assert!(
        after[before..]
            .iter()
            .all(|c| c.starts_with("rustup target list")),
        "second run acted: {:?}",
        &after[before..]
    );
}

#[test]
fn apt_installs_rustc_web_as_root_when_rustup_cannot_add_the_target() {
    let (o, route, calls, sb) = wasm(&Machine {
        rustup: true,
        apt: true,
        root: true,
        ..Default::default()
    });
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(route.as_deref(), Some("rustc-web"));
    assert!(called(&calls, "rustup target add"), "{calls:?}");
    let install = calls
        .iter()
        .find(|c| c.starts_with("apt-get install"))
        .unwrap_or_else(|| panic!("no apt-get install in {calls:?}"));
    for p in ["rustc-web", "cargo-web", "rust-web-src", "lld-22"] {
        assert!(install.split(' ').any(|w| w == p), "{p} missing: {install}");
    }
    assert!(called(&calls, "apt-get update"), "{calls:?}");
    assert!(!called(&calls, "sudo"), "root needs no sudo: {calls:?}");
    // Now present: the next run makes no apt call.
    let before = sb.calls().len();
    assert!(sb.run(&["wasm"]).status.success());
    assert!(!called(&sb.calls()[before..], "apt-get"));
}

#[test]
fn apt_goes_through_passwordless_sudo_for_a_normal_user() {
    let (o, route, calls, _) = wasm(&Machine {
        apt: true,
        sudo: true,
        ..Default::default()
    });
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(route.as_deref(), Some("rustc-web"));
    assert!(
        called(
            &calls,
            "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install"
        ),
        "{calls:?}"
    );
}

#[test]
fn without_root_or_sudo_it_stops_naming_the_one_command() {
    let (o, route, calls, _) = wasm(&Machine {
        rustup: true,
        apt: true,
        ..Default::default()
    });
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(route, None);
    assert!(
        !called(&calls, "apt-get"),
        "no apt call without rights: {calls:?}"
    );
    let err = stderr(&o);
    assert!(
        err.contains("sudo apt-get install -y rustc-web cargo-web rust-web-src lld-22"),
        "{err}"
    );
}

#[test]
fn without_apt_it_names_the_rustup_command() {
    let (o, _, _, _) = wasm(&Machine {
        root: true,
        ..Default::default()
    });
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("rustup target add wasm32-unknown-unknown"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_listening_service_is_left_alone() {
    let sb = Sandbox::new(&Machine::default());
    write_exe(
        &sb.bin.join("redis-server"),
        &format!("echo \"redis-server $*\" >> {}", sb.log.display()),
    );
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let o = sb
        .command(&["redis"])
        .env("WELD_REDIS_PORT", port.to_string())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(sb.calls().is_empty(), "{:?}", sb.calls());
}

#[test]
fn a_missing_service_is_started_and_waited_for() {
    let sb = Sandbox::new(&Machine::default());
    write_exe(
        &sb.bin.join("redis-server"),
        &format!("echo \"redis-server $*\" >> {}", sb.log.display()),
    );
    let port = free_port();
    let mut child = sb
        .command(&["redis"])
        .env("WELD_REDIS_PORT", port.to_string())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The stub "starts" the server; the script must wait until it listens.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !called(&sb.calls(), "redis-server") {
        assert!(Instant::now() < deadline, "redis-server was not started");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "did not wait for the port"
    );
    let _listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let call = sb
        .calls()
        .into_iter()
        .find(|c| c.starts_with("redis-server"))
        .unwrap();
    assert!(call.contains(&format!("--port {port}")), "{call}");
    assert!(call.contains("--daemonize yes"), "{call}");
    assert!(call.contains("--bind 127.0.0.1"), "{call}");
}

#[test]
fn a_missing_server_without_rights_names_the_install_command() {
    let sb = Sandbox::new(&Machine {
        apt: true,
        ..Default::default()
    });
    let o = sb
        .command(&["nats"])
        .env("WELD_NATS_PORT", free_port().to_string())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("sudo apt-get install -y nats-server"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_unknown_step_is_refused() {
    let sb = Sandbox::new(&Machine::default());
    let o = sb.run(&["wasm", "nonsense"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown step `nonsense`"),
        "{}",
        stderr(&o)
    );
}
