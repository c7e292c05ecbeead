//! What the HTTP benches (`benches/http.rs`, `benches/lattice.rs`) share:
//! settings from the environment and the load generator.

use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::http::load;

/// A bench setting from the environment, `default` when unset or invalid.
pub fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One throughput measurement.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    /// Requests per second.
    pub rate: f64,
    /// Requests sent.
    pub requests: u64,
}

/// The load generator: `wrk` (Debian package, `scripts/setup.sh wrk`) when
/// installed, else the built-in closed-loop client. Both run
/// `WELD_BENCH_CONNS` connections (default 50) on loopback.
pub enum Loader {
    /// wrk, 2 threads, `secs` seconds per run after a 1 s warm-up.
    Wrk {
        /// Seconds per run.
        secs: u64,
        /// Connections.
        conns: u64,
    },
    /// The built-in client, a fixed request count per run.
    Builtin {
        /// Requests per run.
        requests: u64,
        /// Connections.
        conns: u64,
    },
}

impl Loader {
    /// wrk for `WELD_BENCH_SECS` (default `secs`) when it is installed and
    /// `WELD_BENCH_BUILTIN` is unset, else the built-in client for
    /// `WELD_BENCH_REQUESTS` (default `requests`).
    pub fn pick(secs: u64, requests: u64) -> Loader {
        let conns = env_u64("WELD_BENCH_CONNS", 50);
        let wrk = Command::new("wrk").arg("--version").output().is_ok();
        if wrk && std::env::var("WELD_BENCH_BUILTIN").is_err() {
            Loader::Wrk {
                secs: env_u64("WELD_BENCH_SECS", secs),
                conns,
            }
        } else {
            Loader::Builtin {
                requests: env_u64("WELD_BENCH_REQUESTS", requests),
                conns,
            }
        }
    }

    /// One line for the bench's header.
    pub fn describe(&self) -> String {
        match self {
            Loader::Wrk { secs, conns } => {
                format!("wrk, 2 threads, {conns} connections, {secs} s per run")
            }
            Loader::Builtin { requests, conns } => format!(
                "built-in hyper client (wrk not installed), {conns} connections, {requests} requests per run"
            ),
        }
    }

    /// Loads `http://{addr}{path}` after a warm-up (instance pools,
    /// connections, caches); every answer must be a 200.
    pub fn measure(&self, addr: SocketAddr, path: &str) -> Run {
        match self {
            Loader::Wrk { secs, conns } => {
                let url = format!("http://{addr}{path}");
                wrk(&url, 1, *conns);
                wrk(&url, *secs, *conns)
            }
            Loader::Builtin { requests, conns } => {
                let _ = load(addr, path, *conns as usize, (*requests / 10).max(100));
                let r = load(addr, path, *conns as usize, *requests);
                assert_eq!(r.errors, 0, "load errors: {:?}", r.first_error);
                assert_eq!(
                    r.ok(),
                    *requests,
                    "non-200 answers: {:?} {:?}",
                    r.statuses,
                    r.first_failure_body
                );
                Run {
                    rate: r.rate(),
                    requests: r.sent,
                }
            }
        }
    }
}

fn wrk(url: &str, secs: u64, conns: u64) -> Run {
    let out = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{conns}"),
            &format!("-d{secs}s"),
            "--timeout",
            "10s",
            url,
        ])
        .output()
        .expect("run wrk");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && !text.contains("Non-2xx") && !text.contains("Socket errors"),
        "wrk failed against {url}:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rate = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no Requests/sec in wrk output:\n{text}"));
    let requests = text
        .lines()
        .find_map(|l| l.trim().split_once(" requests in ").map(|(n, _)| n.trim()))
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(0);
    Run { rate, requests }
}

/// Latency percentiles of one series of calls.
pub struct Lat {
    /// Median.
    pub p50: Duration,
    /// 90th percentile.
    pub p90: Duration,
    /// 99th percentile.
    pub p99: Duration,
}

impl Lat {
    /// The percentiles of `samples` (not empty).
    pub fn of(mut samples: Vec<Duration>) -> Lat {
        samples.sort_unstable();
        let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
        Lat {
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
        }
    }
}

/// Microseconds.
pub fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Times `calls` sequential calls of `f` after `calls / 10` warm-up calls.
pub async fn series<F, Fut>(calls: u64, mut f: F) -> Vec<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..(calls / 10).max(10) {
        f().await;
    }
    let mut samples = Vec::with_capacity(calls as usize);
    for _ in 0..calls {
        let t = Instant::now();
        f().await;
        samples.push(t.elapsed());
    }
    samples
}
