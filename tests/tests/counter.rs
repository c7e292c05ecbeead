//! kvcounter end to end: a real host-min process, real HTTP, the embedded
//! store and real Redis.
//!
//! - sequential visits count 1, 2, 3 (both stores);
//! - 1000 requests over 50 concurrent connections leave the counter at
//!   exactly 1000 (both stores);
//! - a host restart keeps the embedded count;
//! - `GET /` is an HTML page showing the count.

use std::net::SocketAddr;

use weld_e2e::host::{app, HostProc, Store};
use weld_e2e::http::{counter_of, load, must_get};
use weld_e2e::redis_store::{self, Cleanup};
use weld_e2e::{free_addr, kvcounter_wasm, unique_name};

/// Starts kvcounter with `store`; `None` when the wasm toolchain is missing
/// outside CI.
fn start(dir: &std::path::Path, store: &Store) -> Option<(HostProc, SocketAddr)> {
    let wasm = kvcounter_wasm()?;
    let http = free_addr();
    let host = HostProc::start(dir, app("kvcounter", &wasm, http, Some(store)), &[http]);
    Some((host, http))
}

fn sequential_visits_count_up(http: SocketAddr, path: &str) {
    for want in 1..=3 {
        let r = must_get(http, path);
        assert_eq!(r.status, 200, "visit {want}: {}", r.text());
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.text(), format!("{{\"counter\":{want}}}"));
    }
}

fn thousand_over_fifty(http: SocketAddr, path: &str) -> i64 {
    let report = load(http, path, 50, 1000);
    assert_eq!(
        report.errors, 0,
        "transport errors: {:?}",
        report.first_error
    );
    assert_eq!(
        report.ok(),
        1000,
        "statuses {:?}, first failure {:?}",
        report.statuses,
        report.first_failure_body
    );
    // One more visit reads the count: 1000 increments plus this one.
    counter_of(&must_get(http, path).text()) - 1
}

#[test]
fn embedded_counts_sequentially_and_concurrently_and_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let Some((mut host, http)) = start(dir.path(), &Store::Embedded) else {
        return;
    };

    sequential_visits_count_up(http, "/api/counter/seq");
    // A separate counter starts at its own 1: keys do not leak into each other.
    sequential_visits_count_up(http, "/api/counter/other");

    assert_eq!(thousand_over_fifty(http, "/api/counter/load"), 1000);

    // Graceful restart: the count is where it was.
    host.stop();
    host.restart();
    assert_eq!(counter_of(&must_get(http, "/api/counter/seq").text()), 4);
    assert_eq!(
        counter_of(&must_get(http, "/api/counter/load").text()),
        1002
    );
}

#[test]
fn html_page_shows_the_count() {
    let dir = tempfile::tempdir().unwrap();
    let Some((_host, http)) = start(dir.path(), &Store::Embedded) else {
        return;
    };
    let r = must_get(http, "/");
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-type")
            .unwrap_or("")
            .starts_with("text/html"),
        "{:?}",
        r.headers
    );
    let page = r.text();
    assert!(page.contains("<html"), "{page}");
    assert!(page.contains("<strong id=\"count\">1</strong>"), "{page}");
    // The page and the API share counter:default.
    assert_eq!(must_get(http, "/api/counter").text(), "{\"counter\":2}");
    assert!(must_get(http, "/")
        .text()
        .contains("<strong id=\"count\">3</strong>"));
    // Unknown paths and methods are the actor's 404 / 405, not host errors.
    assert_eq!(must_get(http, "/nope").status, 404);
    let post = weld_e2e::http::request(http, "POST", "/api/counter").unwrap();
    assert_eq!(post.status, 405);
    assert_eq!(must_get(http, "/api/counter").text(), "{\"counter\":4}");
}

#[test]
fn redis_counts_sequentially_and_concurrently() {
    if !redis_store::require_redis() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some((_host, http)) = start(dir.path(), &Store::Redis(redis_store::redis_url())) else {
        return;
    };
    let seq = unique_name("e2e-seq");
    let many = unique_name("e2e-load");
    let mut cleanup = Cleanup::default();
    cleanup
        .key(format!("counter:{seq}"))
        .key(format!("counter:{many}"));

    sequential_visits_count_up(http, &format!("/api/counter/{seq}"));
    assert_eq!(
        redis_store::get_int(&format!("counter:{seq}")),
        Some(3),
        "the count is in Redis"
    );

    assert_eq!(
        thousand_over_fifty(http, &format!("/api/counter/{many}")),
        1000
    );
    assert_eq!(redis_store::get_int(&format!("counter:{many}")), Some(1001));
}

/// Vault's dev server of `scripts/setup.sh vault`.
fn vault() -> Option<(String, String)> {
    let port = std::env::var("WELD_VAULT_PORT").unwrap_or_else(|_| "8200".into());
    if !weld_e2e::require_service("Vault (OpenBao dev server)", &format!("127.0.0.1:{port}")) {
        return None;
    }
    let token = std::env::var("WELD_VAULT_TOKEN").unwrap_or_else(|_| "weld-dev-root".into());
    Some((format!("http://127.0.0.1:{port}"), token))
}

/// The value kvcounter keeps for `key`, read from Vault directly.
fn vault_value(addr: &str, token: &str, key: &str) -> Option<String> {
    let addr: SocketAddr = addr.trim_start_matches("http://").parse().unwrap();
    weld_e2e::http::rt().block_on(async {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .unwrap();
        tokio::spawn(conn);
        let req = hyper::Request::get(format!("/v1/secret/data/{}", key.replace(':', "%3A")))
            .header("host", "vault")
            .header("X-Vault-Token", token)
            .body(http_body_util::Full::new(bytes::Bytes::new()))
            .unwrap();
        let resp = sender.send_request(req).await.unwrap();
        if resp.status() == 404 {
            return None;
        }
        let body = http_body_util::BodyExt::collect(resp.into_body())
            .await
            .unwrap()
            .to_bytes();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        v["data"]["data"]["string_data___"]
            .as_str()
            .map(str::to_string)
    })
}

/// kvcounter on keyvalue-vault: only the link differs from the other
/// stores; `process` runs the provider as its own process on a lattice.
fn vault_counts(process: bool) {
    let Some((addr, token)) = vault() else { return };
    if process && !weld_e2e::require_service("NATS", "127.0.0.1:4222") {
        return;
    }
    let Some(wasm) = kvcounter_wasm() else { return };
    let dir = tempfile::tempdir().unwrap();
    let http = free_addr();
    let store = Store::Vault(addr.clone(), token.clone());
    let m = if process {
        let m = weld_e2e::host::Manifest::new()
            .signed_actor(
                "kvcounter",
                &wasm,
                &["wasmcloud:httpserver", "wasmcloud:keyvalue"],
            )
            .provider("http", "httpserver", &[])
            .link("kvcounter", "http", &[("address", &http.to_string())])
            .process_provider("kv", "keyvalue-vault", &[])
            .link("kvcounter", "kv", &[("addr", &addr), ("token", &token)]);
        weld_e2e::lattice::alone(m, "kvcounter")
    } else {
        app("kvcounter", &wasm, http, Some(&store))
    };
    let host = HostProc::start(dir.path(), m, &[http]);
    let seq = unique_name("vault-seq");
    let many = unique_name("vault-load");
    if process {
        // The provider process gets its link a moment after the host serves.
        let probe = format!("/api/counter/{}", unique_name("vault-probe"));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while must_get(http, &probe).status != 200 {
            assert!(std::time::Instant::now() < deadline, "{}", host.log());
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let pid = host.child_named("weld-provider-k");
        let exe = pid.and_then(|p| std::fs::read_link(format!("/proc/{p}/exe")).ok());
        assert!(
            exe.as_ref()
                .is_some_and(|e| e.ends_with("weld-provider-keyvalue-vault")),
            "no keyvalue-vault process ({exe:?}): {}",
            host.log()
        );
    }
    sequential_visits_count_up(http, &format!("/api/counter/{seq}"));
    assert_eq!(
        vault_value(&addr, &token, &format!("counter:{seq}")).as_deref(),
        Some("3"),
        "the count is in Vault"
    );
    assert_eq!(
        thousand_over_fifty(http, &format!("/api/counter/{many}")),
        1000
    );
    assert_eq!(
        vault_value(&addr, &token, &format!("counter:{many}")).as_deref(),
        Some("1001")
    );
}

#[test]
fn vault_counts_sequentially_and_concurrently_in_the_hosts_process() {
    vault_counts(false);
}

#[test]
fn vault_counts_as_its_own_process_on_a_lattice() {
    vault_counts(true);
}
