//! One host -> actor call (the probe actor echoes a msgpack HttpRequest, the
//! host decodes the reply) against a baseline of the same decode done
//! natively, in the same process. Prints the per-call cost and the ratio.
//!
//! Run: `cargo bench -p host-min --bench call`

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};
use weld_test_support::verdict;

use criterion::Criterion;
use host_min::ids::{derived_key, KeyKind};
use host_min::router::{AllowAll, Router};
use host_min::runtime::{Runtime, RuntimeConfig};
use serde::{Deserialize, Serialize};

/// Same shape as the httpserver contract's HttpRequest (wire names).
#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct HttpRequest {
    method: String,
    path: String,
    #[serde(rename = "queryString")]
    query_string: String,
    header: HashMap<String, Vec<String>>,
    #[serde(with = "serde_bytes")]
    body: Vec<u8>,
}

fn request_bytes() -> Vec<u8> {
    let req = HttpRequest {
        method: "GET".into(),
        path: "/api/counter".into(),
        query_string: String::new(),
        header: HashMap::from([("accept".to_string(), vec!["*/*".to_string()])]),
        body: Vec::new(),
    };
    rmp_serde::to_vec_named(&req).unwrap()
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let router = rt.block_on(async {
        let r = Router::new(
            Runtime::new(RuntimeConfig::default()).unwrap(),
            "default",
            Arc::new(AllowAll),
        );
        r.start_actor(
            &derived_key(KeyKind::Module, "probe"),
            "probe",
            &[],
            &common::actor_wasm("probe"),
        )
        .await
        .unwrap();
        r
    });
    let actor = router.actor("probe").unwrap();
    let payload = request_bytes();

    let native = || {
        let req: HttpRequest = rmp_serde::from_slice(black_box(&payload)).unwrap();
        black_box(req);
    };
    let via_actor = || {
        let out = rt
            .block_on(actor.call("HttpServer.Echo", black_box(&payload)))
            .unwrap();
        let req: HttpRequest = rmp_serde::from_slice(&out).unwrap();
        black_box(req);
    };

    let mut c = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(3));
    let mut g = c.benchmark_group("host_to_actor_call");
    g.bench_function("native_decode_baseline", |b| b.iter(native));
    g.bench_function("actor_call_and_decode", |b| b.iter(via_actor));
    g.finish();

    // Same-process ratio summary (criterion's own report is above).
    let time = |f: &dyn Fn(), n: u32| {
        for _ in 0..n / 10 {
            f();
        }
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        t.elapsed() / n
    };
    let base = time(&native, 200_000);
    let call = time(&via_actor, 50_000);
    println!(
        "\nhost->actor call + msgpack decode: {:.2} us/call; native decode: {:.3} us; ratio {:.1}x; aim <= 5 us/call: {}",
        call.as_secs_f64() * 1e6,
        base.as_secs_f64() * 1e6,
        call.as_secs_f64() / base.as_secs_f64(),
        verdict(call <= Duration::from_micros(5))
    );
}
