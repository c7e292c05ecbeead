//! Durability under `kill -9` (issue 5): a client drives increments over
//! many connections and counts the 200s it received; the host is killed
//! with SIGKILL in the middle of the load, restarted on the same data, and
//! the stored count must be at least what was acknowledged and at most what
//! was sent. Several kills per store, for the embedded store and Redis.
//!
//! The figures (faults injected, requests lost, acknowledged writes lost)
//! are printed for the README's reliability section; run with
//! `cargo test -p weld-e2e --test crash -- --nocapture` to see them.

use std::net::SocketAddr;
use std::time::Duration;

use weld_e2e::host::{app, HostProc, Store};
use weld_e2e::http::{counter_of, must_get, Driver};
use weld_e2e::redis_store::{self, Cleanup};
use weld_e2e::{free_addr, kvcounter_wasm, unique_name};

/// Kills per store.
const ROUNDS: u32 = 3;
/// Concurrent connections of the load.
const CONNECTIONS: usize = 16;

#[derive(Debug, Default)]
struct Figures {
    faults: u32,
    sent: u64,
    acked: u64,
    /// Sent but not acknowledged (the client cannot know their fate).
    unacked: u64,
    /// Not acknowledged, yet stored (applied before the kill, reply lost).
    unacked_applied: u64,
    /// Acknowledged but not stored: must be 0.
    acked_lost: u64,
}

/// Reads the stored count through the actor: one more increment whose
/// reply is the stored value plus one.
fn stored(http: SocketAddr, path: &str) -> i64 {
    let r = must_get(http, path);
    assert_eq!(r.status, 200, "reading the count: {}", r.text());
    counter_of(&r.text()) - 1
}

fn crash_rounds(store: &Store, path: &str, redis_key: Option<&str>) -> Figures {
    let wasm = kvcounter_wasm().expect("wasm toolchain checked by caller");
    let dir = tempfile::tempdir().unwrap();
    let http = free_addr();
    let mut host = HostProc::start(
        dir.path(),
        app("kvcounter", &wasm, http, Some(store)),
        &[http],
    );
    let mut figures = Figures::default();
    // Exactly known: the counter's value before each round.
    let mut base = 0i64;
    for round in 1..=ROUNDS {
        let driver = Driver::start(http, path, CONNECTIONS);
        // Let a few hundred writes through, then kill in the middle of the load.
        let target = 150 * round as u64;
        assert!(
            driver.wait_acked(target, Duration::from_secs(120)),
            "round {round}: only {} of {target} increments acknowledged before the kill; log:\n{}",
            driver.acked(),
            host.log()
        );
        host.kill9();
        figures.faults += 1;
        let report = driver.stop();
        let (sent, acked) = (report.sent, report.ok());
        assert!(
            report.statuses.keys().all(|s| *s == 200),
            "non-200 answers before the kill: {:?}",
            report.statuses
        );

        host.restart();
        let now = stored(http, path);
        // The read itself was acknowledged: the next round starts above it.
        let applied = now - base;
        if let Some(key) = redis_key {
            assert_eq!(
                redis_store::get_int(key),
                Some(now + 1),
                "Redis holds what the actor reported"
            );
        }
        eprintln!(
            "crash[{}] round {round}: sent {sent}, acknowledged {acked}, stored {applied} \
             (unacknowledged {}, of which applied {})",
            store.label(),
            sent - acked,
            applied - acked as i64
        );
        assert!(
            applied >= acked as i64,
            "round {round}: {acked} increments were acknowledged but only {applied} are stored"
        );
        assert!(
            applied <= sent as i64,
            "round {round}: {applied} stored but only {sent} sent"
        );
        figures.sent += sent;
        figures.acked += acked;
        figures.unacked += sent - acked;
        figures.unacked_applied += (applied - acked as i64) as u64;
        figures.acked_lost += (acked as i64 - applied).max(0) as u64;
        base = now + 1;
    }
    host.stop();
    figures
}

fn report(store: &Store, f: &Figures) {
    eprintln!(
        "CRASH-FIGURES store={} faults_injected={} requests_sent={} acknowledged={} \
         requests_lost(unacknowledged)={} unacknowledged_but_applied={} acknowledged_writes_lost={}",
        store.label(),
        f.faults,
        f.sent,
        f.acked,
        f.unacked,
        f.unacked_applied,
        f.acked_lost
    );
}

#[test]
fn kill_9_loses_no_acknowledged_increment_embedded() {
    if kvcounter_wasm().is_none() {
        return;
    }
    let store = Store::Embedded;
    let f = crash_rounds(&store, "/api/counter/crash", None);
    report(&store, &f);
    assert_eq!(f.faults, ROUNDS);
    assert_eq!(f.acked_lost, 0);
}

#[test]
fn kill_9_loses_no_acknowledged_increment_redis() {
    if !redis_store::require_redis() || kvcounter_wasm().is_none() {
        return;
    }
    let name = unique_name("e2e-crash");
    let key = format!("counter:{name}");
    let mut cleanup = Cleanup::default();
    cleanup.key(&key);
    let store = Store::Redis(redis_store::redis_url());
    let f = crash_rounds(&store, &format!("/api/counter/{name}"), Some(&key));
    report(&store, &f);
    assert_eq!(f.faults, ROUNDS);
    assert_eq!(f.acked_lost, 0);
}
