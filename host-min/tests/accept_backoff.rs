//! Issue 11: the admin endpoint and the httpserver provider back off when
//! `accept` fails instead of retrying in a hot loop. A real `host-min up`
//! process runs with a small open-files limit; the test opens more
//! connections than it may hold, so its accept loops fail with EMFILE, and
//! checks from `/proc/PID/stat` that the process stays nearly idle, then that
//! both listeners serve again once the connections are closed.
//!
//! Linux only (`/proc`, `sh`'s `ulimit -n`).

#![cfg(target_os = "linux")]

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_host-min");

/// Open files the host may hold: enough to start (runtime, wasmtime, data
/// files, two listeners), little enough to exhaust with a few connections.
const NOFILE: usize = 128;

struct Running(Child);
impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// CPU time (user + system) the process has used so far.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which may hold spaces) start at 3:
    // utime is field 14, stime field 15.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 1000 / clock_ticks())
}

fn clock_ticks() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// Share of one core the process used over `window`.
fn cpu_share(pid: u32, window: Duration) -> f64 {
    let (cpu0, t0) = (cpu_time(pid), Instant::now());
    std::thread::sleep(window);
    let (cpu1, t1) = (cpu_time(pid), Instant::now());
    (cpu1 - cpu0).as_secs_f64() / (t1 - t0).as_secs_f64()
}

/// Waits (bounded) until the host's log contains `needle`.
fn wait_for_log(log: &Path, needle: &str) {
    let start = Instant::now();
    loop {
        let mut text = Vec::new();
        if let Ok(f) = std::fs::File::open(log) {
            // The start of the log is enough: the first failure is logged
            // at once.
            let _ = f.take(1 << 20).read_to_end(&mut text);
        }
        if String::from_utf8_lossy(&text).contains(needle) {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "host never logged `{needle}`:\n{}",
            String::from_utf8_lossy(&text)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// One `GET path` with `connection: close`; the status line, or `None` when
/// the server does not answer within a few seconds.
fn get(addr: SocketAddr, path: &str) -> Option<String> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(3))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )
    .ok()?;
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    text.starts_with("HTTP/1.1 ")
        .then(|| text.lines().next().unwrap_or_default().to_string())
}

/// Retries `get` until it answers (bounded).
fn get_eventually(addr: SocketAddr, path: &str, what: &str) -> String {
    let start = Instant::now();
    loop {
        if let Some(status) = get(addr, path) {
            return status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{what} did not answer"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Out of file descriptors, the admin endpoint's and the httpserver's accept
/// loops pause between failed `accept`s (`host_min::net::AcceptBackoff`):
/// the host uses a small fraction of a core (a loop retrying at once would
/// use a whole one), and both listeners serve again once descriptors are
/// free. Would fail if either loop retried immediately.
#[test]
fn accept_failures_back_off_and_listeners_recover() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("probe.wasm"), common::actor_wasm("probe")).unwrap();
    let (admin, http) = (free_addr(), free_addr());
    let manifest = dir.path().join("app.toml");
    std::fs::write(
        &manifest,
        format!(
            "[[actors]]\nname = \"probe\"\npath = \"probe.wasm\"\n\n\
             [[providers]]\nname = \"http\"\nkind = \"httpserver\"\n\n\
             [[links]]\nactor = \"probe\"\nprovider = \"http\"\nvalues = {{ address = \"{http}\" }}\n"
        ),
    )
    .unwrap();
    let log = dir.path().join("host.log");
    let host = Running(
        Command::new("sh")
            .arg("-c")
            .arg(format!("ulimit -n {NOFILE} && exec \"$0\" \"$@\""))
            .arg(BIN)
            .args(["up", manifest.to_str().unwrap(), "--allow-unsigned"])
            .args(["--admin", &admin.to_string()])
            .args(["--data-dir", dir.path().join("data").to_str().unwrap()])
            .env("RUST_LOG", "info,cranelift=warn,wasmtime=warn")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );
    let pid = host.0.id();
    get_eventually(admin, "/v1/links", "the admin endpoint");

    // More connections than the host has descriptors left: it accepts until
    // EMFILE, the rest wait in the admin listener's backlog.
    let mut held: Vec<TcpStream> = (0..NOFILE + 16)
        .map(|_| TcpStream::connect(admin).unwrap())
        .collect();
    wait_for_log(&log, "admin endpoint: accept failed");
    let share = cpu_share(pid, Duration::from_millis(1500));
    assert!(
        share < 0.3,
        "admin accept loop failing: host used {:.0}% of a core",
        share * 100.0
    );

    // Now the httpserver's listener has pending connections it cannot take.
    held.extend((0..4).map(|_| TcpStream::connect(http).unwrap()));
    wait_for_log(&log, "httpserver: accept failed");
    let share = cpu_share(pid, Duration::from_millis(1500));
    assert!(
        share < 0.3,
        "admin and httpserver accept loops failing: host used {:.0}% of a core",
        share * 100.0
    );

    // Descriptors free again: both listeners serve (the longest pause is 1 s).
    drop(held);
    let status = get_eventually(admin, "/v1/links", "the admin endpoint after EMFILE");
    assert!(status.contains(" 200 "), "{status}");
    let status = get_eventually(http, "/", "the httpserver after EMFILE");
    assert!(status.starts_with("HTTP/1.1 "), "{status}");
}
