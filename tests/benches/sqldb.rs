//! What a SQL query costs through an actor (issue 14): a parameterised
//! single-row query (`SELECT id, title, done FROM todos WHERE id = $1`)
//! made by tokio-postgres directly from this process, against the same
//! query made by the `todo` actor on a release host-min (`GET
//! /todos/{id}`: HTTP in, the actor, `SqlDb.Query` to sqldb-postgres in the
//! host's process, the pooled connection, the CBOR rows back, JSON out).
//! One request at a time on a kept-alive connection, `WELD_BENCH_CALLS`
//! calls (default 2000) per series, direct and actor alternating over
//! `WELD_BENCH_ROUNDS` rounds (default 3); medians of the percentiles.
//!
//! A third series calls the same actor's `HttpServer.HandleRequest`
//! without HTTP: a host router in this process (host-min as a library)
//! running the todo actor linked to a sqldb-postgres provider, so it
//! measures what the actor path adds to the query (actor instance,
//! `SqlDb.Query` host call, provider, pool, CBOR rows, JSON), not the
//! HTTP socket. Aim: that p50 at most 2x the direct p50; the HTTP one is
//! reported beside it.
//!
//! Run: `cargo build --release --workspace --bins && cargo bench -p weld-e2e --bench sqldb`.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use weld_e2e::bench::{env_u64, series, us, Lat};
use weld_e2e::host::{host_min_bin, HostProc, Manifest, Profile};
use weld_e2e::http::{rt, send};
use weld_e2e::postgres::{Schema, PG};
use weld_e2e::{build_actor, free_addr, require_service};
use weld_test_support::verdict;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// A host router in this process running the todo actor (unsigned, under
/// a policy that allows it) linked to a sqldb-postgres provider on
/// `schema`.
async fn in_process_todo(
    wasm: &std::path::Path,
    schema: &Schema,
) -> std::sync::Arc<host_min::router::Router> {
    use host_min::router::{ProviderInfo, Router};
    let runtime =
        host_min::runtime::Runtime::new(host_min::runtime::RuntimeConfig::default()).unwrap();
    let router = Router::new(
        runtime,
        "default",
        std::sync::Arc::new(host_min::claims::ClaimsPolicy::allow_unsigned()),
    );
    let bytes = std::fs::read(wasm).unwrap();
    let actor = router
        .start_actor("MBENCHTODO", "todo", &[], &bytes)
        .await
        .unwrap();
    let provider = host_min::providers::sqldb_postgres::PostgresProvider::new(
        host_min::providers::ProviderContext {
            provider_id: "VBENCHSQL".into(),
            name: "db".into(),
            link_name: "default".into(),
            config: Default::default(),
            data_dir: std::env::temp_dir(),
            lattice: None,
        },
    );
    router
        .add_provider(
            ProviderInfo {
                id: "VBENCHSQL".into(),
                name: "db".into(),
                kind: "sqldb-postgres".into(),
                contract_id: "wasmcloud:sqldb".into(),
                link_name: "default".into(),
                process: false,
            },
            std::sync::Arc::new(provider),
        )
        .await
        .unwrap();
    router
        .put_link(weld_rpc::core::LinkDefinition {
            actor_id: actor.id().to_string(),
            provider_id: "VBENCHSQL".into(),
            link_name: "default".into(),
            contract_id: "wasmcloud:sqldb".into(),
            values: [("uri".to_string(), schema.uri())].into(),
        })
        .await
        .unwrap();
    router
}

fn main() {
    if !require_service("PostgreSQL", PG) {
        return;
    }
    let Some(wasm) = build_actor("examples/todo") else {
        eprintln!("no wasm32 toolchain: nothing to measure");
        return;
    };
    let calls = env_u64("WELD_BENCH_CALLS", 2000);
    let rounds = env_u64("WELD_BENCH_ROUNDS", 3).max(1);
    let schema = Schema::new();
    let dir = tempfile::tempdir().unwrap();
    let http = free_addr();
    let m = Manifest::new()
        .signed_actor("todo", &wasm, &["wasmcloud:httpserver", "wasmcloud:sqldb"])
        .provider("http", "httpserver", &[])
        .link("todo", "http", &[("address", &http.to_string())])
        .provider("db", "sqldb-postgres", &[])
        .link("todo", "db", &[("uri", &schema.uri())]);
    let host = HostProc::start_with(host_min_bin(Profile::Release), dir.path(), m, &[http]);
    let r = send(http, "POST", "/todos", br#"{"title":"bench"}"#.to_vec());
    assert_eq!(r.status, 201, "{} {}", r.text(), host.log());
    let id = serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/todos/{id}");
    println!(
        "sqldb-postgres: one parameterised single-row query, direct vs through the todo actor, {calls} calls x {rounds} rounds, medians"
    );

    let (direct, actor, inner) = rt().block_on(async {
        let router = in_process_todo(&wasm, &schema).await;
        let request = weld_rpc::common::serialize(&weld_interface_httpserver::HttpRequest {
            method: "GET".into(),
            path: path.clone(),
            query_string: String::new(),
            header: Default::default(),
            body: Vec::new(),
        })
        .unwrap();
        let (client, conn) = tokio_postgres::connect(&schema.uri(), tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        let q = client
            .prepare("SELECT id, title, done FROM todos WHERE id = $1")
            .await
            .unwrap();
        let stream = tokio::net::TcpStream::connect(http).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(conn);
        // One connection, one request at a time; the lock only lets each
        // call's future own it while it runs.
        let sender = std::rc::Rc::new(tokio::sync::Mutex::new(sender));
        let (mut direct, mut actor, mut inner) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            direct.push(Lat::of(
                series(calls, || async {
                    let rows = client.query(&q, &[&id]).await.unwrap();
                    assert_eq!(rows.len(), 1);
                })
                .await,
            ));
            actor.push(Lat::of(
                series(calls, || {
                    let req = Request::get(path.as_str())
                        .header("host", "localhost")
                        .body(Full::new(Bytes::new()))
                        .unwrap();
                    let sender = std::rc::Rc::clone(&sender);
                    async move {
                        let mut sender = sender.lock().await;
                        sender.ready().await.unwrap();
                        let resp = sender.send_request(req).await.unwrap();
                        assert_eq!(resp.status(), 200);
                        let body = resp.into_body().collect().await.unwrap().to_bytes();
                        assert!(body.starts_with(b"{\"id\":"));
                    }
                })
                .await,
            ));
            inner.push(Lat::of(
                series(calls, || async {
                    let out = router
                        .call_actor("todo", "HttpServer.HandleRequest", &request)
                        .await
                        .unwrap();
                    let resp: weld_interface_httpserver::HttpResponse =
                        weld_rpc::common::deserialize(&out).unwrap();
                    assert_eq!(
                        resp.status_code,
                        200,
                        "{}",
                        String::from_utf8_lossy(&resp.body)
                    );
                })
                .await,
            ));
        }
        (direct, actor, inner)
    });
    let mid = |v: &[Lat], f: fn(&Lat) -> f64| median(v.iter().map(f).collect());
    let mut p50 = [0.0; 3];
    for (i, (label, lats)) in [
        ("direct tokio-postgres", &direct),
        ("todo actor, no HTTP", &inner),
        ("todo actor over HTTP", &actor),
    ]
    .into_iter()
    .enumerate()
    {
        p50[i] = mid(lats, |l| us(l.p50));
        println!(
            "{label:>22}: p50 {:7.1} us, p90 {:7.1} us, p99 {:7.1} us",
            p50[i],
            mid(lats, |l| us(l.p90)),
            mid(lats, |l| us(l.p99)),
        );
    }
    let ratio = p50[1] / p50[0];
    println!(
        "aim: actor p50 <= 2x direct p50: {ratio:.2}x {} (over HTTP: {:.2}x)",
        verdict(ratio <= 2.0),
        p50[2] / p50[0]
    );
    drop(host);
}
