//! The compatibility proof: an actor written against wasmCloud's published
//! SDK (wasmbus-rpc 0.13, wasmcloud-interface-httpserver/keyvalue 0.10 from
//! crates.io; tests/fixtures/upstream-kvcounter), compiled unmodified by the
//! project's wasm script, runs on host-min with our providers: it counts
//! 1, 2, 3 with upstream's JSON body on both stores, and sees upstream's
//! refusal text when its key-value link is deleted.

use std::net::SocketAddr;

use weld_e2e::host::{app, HostProc, Store};
use weld_e2e::http::must_get;
use weld_e2e::redis_store::{self, Cleanup};
use weld_e2e::{free_addr, unique_name, upstream_kvcounter_wasm};

fn start(dir: &std::path::Path, store: &Store) -> Option<(HostProc, SocketAddr)> {
    let wasm = upstream_kvcounter_wasm()?;
    let http = free_addr();
    let host = HostProc::start(dir, app("upstream", &wasm, http, Some(store)), &[http]);
    Some((host, http))
}

fn counts_one_two_three(http: SocketAddr, path: &str) {
    for want in 1..=3 {
        let r = must_get(http, path);
        assert_eq!(r.status, 200, "visit {want}: {}", r.text());
        // HttpResponse::json of wasmcloud-interface-httpserver 0.10.
        assert_eq!(
            r.header("content-type"),
            Some("application/json"),
            "{:?}",
            r.headers
        );
        assert_eq!(r.text(), format!("{{\"counter\":{want}}}"));
    }
}

#[test]
fn upstream_sdk_actor_counts_on_the_embedded_store() {
    let dir = tempfile::tempdir().unwrap();
    let Some((host, http)) = start(dir.path(), &Store::Embedded) else {
        return;
    };
    counts_one_two_three(http, "/api/counter");
    counts_one_two_three(http, "/api/counter/second");

    // The fixture catches the provider error and puts its text in a 500
    // body, so the exact text an upstream actor sees is observable here.
    host.cli_ok(&["link", "del", "--actor", "upstream", "--provider", "kv"]);
    let r = must_get(http, "/api/counter");
    assert_eq!(r.status, 500);
    let body = r.text();
    assert!(
        body.contains(
            "Invocation not authorized: missing link definition for wasmcloud:keyvalue on default"
        ),
        "the upstream actor saw: {body:?}"
    );
    host.cli_ok(&["link", "put", "--actor", "upstream", "--provider", "kv"]);
    assert_eq!(must_get(http, "/api/counter").text(), "{\"counter\":4}");
}

#[test]
fn upstream_sdk_actor_counts_on_redis() {
    if !redis_store::require_redis() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some((_host, http)) = start(dir.path(), &Store::Redis(redis_store::redis_url())) else {
        return;
    };
    let name = unique_name("e2e-upstream");
    let mut cleanup = Cleanup::default();
    cleanup.key(format!("counter:{name}"));
    counts_one_two_three(http, &format!("/api/counter/{name}"));
    assert_eq!(redis_store::get_int(&format!("counter:{name}")), Some(3));
}
