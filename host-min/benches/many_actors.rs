//! Many actors on one host: the `hello` fixture signed as 1,000 distinct
//! modules (1,000 identities, one code hash), all started through a router.
//! Prints the first (compiling) start, the per-actor start time of the
//! other 999 (the compiled module is shared), RSS growth per idle actor,
//! checks that all 1,000 answer 200, then starts one of them on a fresh
//! runtime over the same on-disk module cache (deserialized, as a ratio to
//! the compiling start). Signing is done before any timing.
//!
//! Run: `cargo bench -p host-min --bench many_actors`

#[path = "../tests/common/mod.rs"]
mod common;

// The host's allocator (host-min's `main.rs`), so that memory per actor is
// what a running host pays.
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::sync::Arc;
use std::time::{Duration, Instant};
use weld_test_support::verdict;

use host_min::claims::{sign_actor, ClaimsPolicy, KeyPair, KeyType, SignOptions};
use host_min::router::Router;
use host_min::runtime::{Runtime, RuntimeConfig};
use weld_interface_httpserver::{HttpRequest, HttpResponse};

const ACTORS: usize = 1_000;

/// Resident set size of this process, in bytes (`VmRSS` of /proc/self/status).
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

fn config(cache: &std::path::Path) -> RuntimeConfig {
    RuntimeConfig {
        // One slot per possible concurrent call of every actor, plus room.
        pool_instances: (ACTORS * 2 + 64) as u32,
        max_instances_per_actor: 2,
        module_cache_dir: Some(cache.to_path_buf()),
        ..RuntimeConfig::default()
    }
}

fn router(cache: &std::path::Path) -> Arc<Router> {
    Router::new(
        Runtime::new(config(cache)).expect("runtime"),
        "default",
        Arc::new(ClaimsPolicy::enforcing()),
    )
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let hello = common::fixture_wasm("hello");
    let account = KeyPair::new(KeyType::Account);
    let signed: Vec<Vec<u8>> = (0..ACTORS)
        .map(|n| {
            let mut opts = SignOptions::new(format!("hello-{n}"), Vec::new(), account.clone());
            opts.subject = Some(KeyPair::new(KeyType::Module));
            sign_actor(&hello, opts).expect("sign")
        })
        .collect();
    let cache = tempfile::tempdir().expect("cache dir");
    let request = rmp_serde::to_vec_named(&HttpRequest {
        method: "GET".into(),
        path: "/".into(),
        ..Default::default()
    })
    .unwrap();

    rt.block_on(async {
        let r = router(cache.path());
        let rss_before = rss();
        let t = Instant::now();
        r.start_actor("", "hello-0", &[], &signed[0])
            .await
            .expect("start the first actor");
        let first = t.elapsed();
        let rss_first = rss();
        let mut starts = Vec::with_capacity(ACTORS - 1);
        for (n, wasm) in signed.iter().enumerate().skip(1) {
            let t = Instant::now();
            r.start_actor("", &format!("hello-{n}"), &[], wasm)
                .await
                .expect("start an actor");
            starts.push(t.elapsed());
        }
        let rss_all = rss();
        let stats = r.runtime().compile_stats();
        starts.sort();
        let mean = starts.iter().sum::<Duration>() / starts.len() as u32;
        let p50 = starts[starts.len() / 2];
        let p99 = starts[starts.len() * 99 / 100];
        let per_actor = rss_all.saturating_sub(rss_first) as f64 / (ACTORS - 1) as f64;

        println!(
            "many actors: {ACTORS} signings of `hello` (one code hash), allocator {:?}",
            r.runtime().allocator()
        );
        println!(
            "  first start (compile + cache write): {:.1} ms; RSS +{:.1} MiB",
            first.as_secs_f64() * 1e3,
            rss_first.saturating_sub(rss_before) as f64 / (1 << 20) as f64
        );
        println!(
            "  start per actor, other {}: mean {:.0} us, p50 {:.0} us, p99 {:.0} us; aim <= 1 ms (p99): {}",
            ACTORS - 1,
            us(mean),
            us(p50),
            us(p99),
            verdict(p99 <= Duration::from_millis(1))
        );
        println!(
            "  RSS per idle actor: {:.0} KiB; aim <= 1 MiB: {}",
            per_actor / 1024.0,
            verdict(per_actor <= (1 << 20) as f64)
        );
        println!(
            "  compile stats: compiled {}, deserialized {}, shared {}",
            stats.compiled, stats.deserialized, stats.reused
        );

        let t = Instant::now();
        let mut ok = 0;
        for id in r.actor_ids() {
            let out = r
                .call_actor(&id, "HttpServer.HandleRequest", &request)
                .await
                .expect("call");
            let resp: HttpResponse = rmp_serde::from_slice(&out).expect("an HttpResponse");
            if resp.status_code == 200 && resp.body == b"hello" {
                ok += 1;
            }
        }
        let calls = t.elapsed();
        println!(
            "  answered 200: {ok}/{ACTORS} (one call each, {:.0} us/call); aim all: {}",
            us(calls) / ACTORS as f64,
            verdict(ok == ACTORS)
        );
        println!(
            "  RSS per actor after one call each: {:.0} KiB",
            rss().saturating_sub(rss_first) as f64 / (ACTORS - 1) as f64 / 1024.0
        );
        assert_eq!(ok, ACTORS, "every actor answers");
        r.shutdown().await;
        drop(r);

        // A restarted host: fresh runtime, same on-disk cache.
        let r = router(cache.path());
        let t = Instant::now();
        r.start_actor("", "hello-0", &[], &signed[0])
            .await
            .expect("start from the disk cache");
        let warm = t.elapsed();
        let stats = r.runtime().compile_stats();
        assert_eq!(
            (stats.compiled, stats.deserialized),
            (0, 1),
            "the restarted runtime loads the compiled module from disk"
        );
        println!(
            "  restarted runtime, first start (deserialized from disk): {:.2} ms = {:.3}x the compiling start",
            warm.as_secs_f64() * 1e3,
            warm.as_secs_f64() / first.as_secs_f64()
        );
    });
}
