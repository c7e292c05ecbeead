//! The `host-min` binary: `up` with a manifest, then `inventory` and
//! `link list/del/put` against its admin endpoint; manifest errors.

mod common;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_host-min");

struct Running(Child);
impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn cli(admin: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--admin")
        .arg(admin)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn write_manifest(dir: &Path) -> std::path::PathBuf {
    std::fs::write(dir.join("probe.wasm"), common::actor_wasm("probe")).unwrap();
    let m = dir.join("app.toml");
    std::fs::write(
        &m,
        "[[actors]]\nname = \"probe\"\npath = \"probe.wasm\"\n\n[[providers]]\nname = \"kv\"\nkind = \"keyvalue\"\n\n[[links]]\nactor = \"probe\"\nprovider = \"kv\"\nvalues = { tag = \"first\" }\n",
    )
    .unwrap();
    m
}

#[test]
fn up_then_inventory_and_link_commands() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = write_manifest(dir.path());
    let admin = format!("127.0.0.1:{}", free_port());
    let data = dir.path().join("data");

    // The probe actor is unsigned: refused unless the operator allows it.
    let o = Command::new(BIN)
        .args(["up", manifest.to_str().unwrap(), "--no-admin"])
        .args(["--data-dir", data.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{}:2:", manifest.display()))
            && err.contains("actor `probe` refused")
            && err.contains("not signed"),
        "{err}"
    );

    let _host = Running(
        Command::new(BIN)
            .args([
                "up",
                manifest.to_str().unwrap(),
                "--allow-unsigned",
                "--admin",
                &admin,
                "--data-dir",
                data.to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let start = Instant::now();
    let inv = loop {
        let o = cli(&admin, &["inventory"]);
        if o.status.success() {
            break stdout(&o);
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "host did not come up: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(
        inv.contains("probe") && inv.contains("kind=keyvalue contract=wasmcloud:keyvalue"),
        "{inv}"
    );
    assert!(data.exists(), "data dir created");

    let o = cli(&admin, &["link", "list"]);
    assert!(o.status.success());
    assert!(
        stdout(&o).contains("wasmcloud:keyvalue link=default tag=first"),
        "{}",
        stdout(&o)
    );

    let o = cli(
        &admin,
        &["link", "del", "--actor", "probe", "--provider", "kv"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&cli(&admin, &["link", "list"])).trim().is_empty());

    let o = cli(
        &admin,
        &[
            "link",
            "del",
            "--actor",
            "probe",
            "--contract",
            "wasmcloud:keyvalue",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no link"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let o = cli(
        &admin,
        &[
            "link",
            "put",
            "--actor",
            "probe",
            "--provider",
            "kv",
            "tag=second",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&cli(&admin, &["link", "list"])).contains("tag=second"));

    let o = cli(
        &admin,
        &["link", "put", "--actor", "probe", "--provider", "nope"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no provider `nope`"));

    let o = cli(&admin, &["inventory", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["links"].as_array().unwrap().len(), 1);
}

#[test]
fn bad_manifest_exits_1_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("bad.toml");
    std::fs::write(&m, "[[actors]]\nname = \"a\"\npath = \"a.wasm\"\n\n[[links]]\nactor = \"a\"\nprovider = \"ghost\"\n").unwrap();
    let o = Command::new(BIN)
        .args(["up", m.to_str().unwrap(), "--no-admin"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!(
            "{}:7:12: link names unknown provider `ghost`",
            m.display()
        )),
        "{err}"
    );

    let o = Command::new(BIN)
        .args(["link", "put", "--actor", "a"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "usage errors exit 2");
    let o = Command::new(BIN)
        .args([
            "inventory",
            "--admin",
            &format!("127.0.0.1:{}", free_port()),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "no host there");
}
