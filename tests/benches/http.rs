//! HTTP throughput of actors on host-min against native hyper servers doing
//! the same work, measured in one run with one load generator (issue 4):
//!
//! | pair | native baseline (in this process) | actor (release host-min process) |
//! |---|---|---|
//! | hello | hyper answering 200 `hello` | tests/fixtures/hello |
//! | counter, embedded | hyper + host-min's embedded store, `Increment` per request | kvcounter + keyvalue provider |
//! | counter, Redis | hyper + host-min's Redis store, `INCR` per request | kvcounter + keyvalue-redis provider |
//!
//! The native counters use the very store implementations the providers
//! use, so the ratio isolates what the host adds: HTTP -> msgpack ->
//! actor instance -> host call -> provider -> back.
//!
//! Load: `wrk` (Debian package `wrk`) when installed, else a built-in
//! closed-loop generator (fixed request count per run). Both run
//! `WELD_BENCH_CONNS` connections (default 50) on loopback; wrk runs
//! `WELD_BENCH_SECS` seconds per measurement (default 5) after a 1 s warm-up.
//! Native and actor are measured alternately, `WELD_BENCH_ROUNDS` rounds
//! (default 3); the table gives the medians.
//! Aim: actor throughput >= 50% of native hyper's; for hello, 75%
//! (issue 12). Both sides allocate with jemalloc (host-min's allocator).
//!
//! Run: `cargo build --release -p host-min --bin host-min && cargo bench -p weld-e2e --bench http`.

// host-min runs on jemalloc; so do the native servers here, so that a
// ratio is what the host adds over hyper, not a difference of allocators.
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use weld_test_support::verdict;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use host_min::providers::keyvalue::embedded::EmbeddedStore;
use host_min::providers::keyvalue::redis::RedisStore;
use host_min::providers::keyvalue::KvStore;
use weld_e2e::bench::{env_u64, Loader};
use weld_e2e::host::{app, host_min_bin, HostProc, Profile, Store};
use weld_e2e::http::{must_get, rt};
use weld_e2e::redis_store::{self, Cleanup};
use weld_e2e::{free_addr, hello_wasm, kvcounter_wasm, unique_name};

/// A native hyper server on `addr` answering every request with what
/// `handler` returns.
fn serve_native<F, Fut>(addr: SocketAddr, handler: F) -> tokio::task::JoinHandle<()>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    let handler = Arc::new(handler);
    let listener = rt()
        .block_on(TcpListener::bind(addr))
        .expect("bind native server");
    rt().spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let handler = handler.clone();
            tokio::spawn(async move {
                let svc =
                    hyper::service::service_fn(move |_req: Request<hyper::body::Incoming>| {
                        let handler = handler.clone();
                        async move { Ok::<_, Infallible>(handler().await) }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    })
}

fn text_response(content_type: &'static str, body: String) -> Response<Full<Bytes>> {
    Response::builder()
        .header("content-type", content_type)
        .body(Full::new(Bytes::from(body)))
        .expect("valid response")
}

fn counter_response(n: Result<i32, impl std::fmt::Display>) -> Response<Full<Bytes>> {
    match n {
        Ok(n) => text_response("application/json", format!("{{\"counter\":{n}}}")),
        Err(e) => Response::builder()
            .status(500)
            .body(Full::new(Bytes::from(e.to_string())))
            .expect("valid response"),
    }
}

struct Row {
    name: &'static str,
    /// Median rates over the rounds.
    native: f64,
    actor: f64,
    /// Median of the per-round ratios actor / native.
    ratio: f64,
    requests: (u64, u64),
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// A host running `wasm` as actor `name` behind the httpserver on `http`.
fn actor_host(
    dir: &Path,
    wasm: &Path,
    name: &str,
    store: Option<&Store>,
    http: SocketAddr,
    path: &str,
) -> HostProc {
    let host = HostProc::start_with(
        host_min_bin(Profile::Release),
        dir,
        app(name, wasm, http, store),
        &[http],
    );
    assert_eq!(
        must_get(http, path).status,
        200,
        "actor not answering; log:\n{}",
        host.log()
    );
    host
}

/// Measures the native server and the actor alternately for
/// `WELD_BENCH_ROUNDS` rounds (default 3): on a shared 2-core machine one
/// run of each swings by 20%, and alternating spreads any drift over both.
fn compare(
    loader: &Loader,
    name: &'static str,
    native: (SocketAddr, &str),
    actor: (SocketAddr, &str),
) -> Row {
    let rounds = env_u64("WELD_BENCH_ROUNDS", 3).max(1);
    let (mut n, mut a, mut r) = (Vec::new(), Vec::new(), Vec::new());
    let mut requests = (0, 0);
    for _ in 0..rounds {
        let nr = loader.measure(native.0, native.1);
        let ar = loader.measure(actor.0, actor.1);
        requests.0 += nr.requests;
        requests.1 += ar.requests;
        r.push(ar.rate / nr.rate);
        n.push(nr.rate);
        a.push(ar.rate);
    }
    Row {
        name,
        native: median(n),
        actor: median(a),
        ratio: median(r),
        requests,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument selects nothing here.
    let loader = Loader::pick(5, 20_000);
    let (Some(hello), Some(kvcounter)) = (hello_wasm(), kvcounter_wasm()) else {
        eprintln!("no wasm32 toolchain: nothing to measure");
        return;
    };
    let bin = host_min_bin(Profile::Release);
    println!(
        "HTTP throughput: native hyper vs actors on host-min ({})",
        bin.display()
    );
    println!(
        "load: {}; loopback; {} cores",
        loader.describe(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let mut rows = Vec::new();

    // hello
    let addr = free_addr();
    let server = serve_native(addr, || async {
        text_response("text/plain", "hello".into())
    });
    let dir = tempfile::tempdir().unwrap();
    let http = free_addr();
    let mut host = actor_host(dir.path(), &hello, "hello", None, http, "/");
    rows.push(compare(&loader, "hello", (addr, "/"), (http, "/")));
    server.abort();
    host.stop();

    // counter on the embedded store
    let dir = tempfile::tempdir().unwrap();
    let store =
        Arc::new(EmbeddedStore::open(dir.path().join("native.redb")).expect("open embedded store"));
    let addr = free_addr();
    let s = store.clone();
    let server = serve_native(addr, move || {
        let s = s.clone();
        async move { counter_response(s.increment("counter:default", 1).await) }
    });
    let http = free_addr();
    let mut host = actor_host(
        dir.path(),
        &kvcounter,
        "kvcounter",
        Some(&Store::Embedded),
        http,
        "/api/counter",
    );
    rows.push(compare(
        &loader,
        "counter, embedded store",
        (addr, "/api/counter"),
        (http, "/api/counter"),
    ));
    server.abort();
    host.stop();

    // counter on Redis
    if redis_store::require_redis() {
        let name = unique_name("bench");
        let (native_key, actor_key) = (format!("counter:{name}-native"), format!("counter:{name}"));
        let mut cleanup = Cleanup::default();
        cleanup.key(&native_key).key(&actor_key);
        let store = rt()
            .block_on(RedisStore::connect(&redis_store::redis_url()))
            .expect("connect Redis");
        let addr = free_addr();
        let key = Arc::new(native_key);
        let server = serve_native(addr, move || {
            let (s, key) = (store.clone(), key.clone());
            async move { counter_response(s.increment(&key, 1).await) }
        });
        let dir = tempfile::tempdir().unwrap();
        let http = free_addr();
        let path = format!("/api/counter/{name}");
        let mut host = actor_host(
            dir.path(),
            &kvcounter,
            "kvcounter",
            Some(&Store::Redis(redis_store::redis_url())),
            http,
            &path,
        );
        rows.push(compare(
            &loader,
            "counter, Redis",
            (addr, "/"),
            (http, &path),
        ));
        server.abort();
        host.stop();
    }

    println!();
    println!(
        "{:<26} {:>14} {:>14} {:>8}",
        "", "native req/s", "actor req/s", "ratio"
    );
    for r in &rows {
        println!(
            "{:<26} {:>14.0} {:>14.0} {:>7.0}%   ({} / {} requests)",
            r.name,
            r.native,
            r.actor,
            100.0 * r.ratio,
            r.requests.0,
            r.requests.1
        );
    }
    let hello = rows[0].ratio;
    let worst = rows.iter().map(|r| r.ratio).fold(f64::INFINITY, f64::min);
    println!();
    println!(
        "aim: every actor at >= 50% of native hyper: lowest {:.0}% ({})",
        100.0 * worst,
        verdict(worst >= 0.5)
    );
    println!(
        "aim: hello at >= 75% of native hyper: {:.0}% ({})",
        100.0 * hello,
        verdict(hello >= 0.75)
    );
}
