//! The httpserver provider over real sockets: a real HTTP client (reqwest)
//! or raw TCP on one side, a native test actor behind the host handle on the
//! other.
//!
//! Run: `cargo test -p host-min --test provider_httpserver`

mod provider_support;

use host_min::providers::httpserver::HttpServerProvider;
use host_min::providers::{Provider, RpcError};
use provider_support::futures_like::BoxFuture;
use provider_support::*;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use weld_interface_httpserver::{HttpRequest, HttpResponse};

const HTTP: &str = "wasmcloud:httpserver";

/// Requests the test actor received.
type Seen = Arc<Mutex<Vec<(String, String, HttpRequest)>>>;

/// A native stand-in for an actor: behaviour chosen by the request path.
fn test_actor(seen: Seen) -> Arc<dyn TestActors> {
    Arc::new(FnActor(
        move |actor: &str, method: &str, arg: Vec<u8>| -> BoxFuture<_> {
            let seen = Arc::clone(&seen);
            let (actor, method) = (actor.to_string(), method.to_string());
            Box::pin(async move {
                let req: HttpRequest =
                    rmp_serde::from_slice(&arg).expect("provider sends an HttpRequest");
                seen.lock().unwrap().push((actor, method, req.clone()));
                let reply = |status: u16, header: &[(&str, &[&str])], body: Vec<u8>| {
                    let header = header
                        .iter()
                        .map(|(k, vs)| (k.to_string(), vs.iter().map(|v| v.to_string()).collect()))
                        .collect();
                    Ok(rmp_serde::to_vec_named(&HttpResponse {
                        status_code: status,
                        header,
                        body,
                    })
                    .unwrap())
                };
                match req.path.as_str() {
                    "/fail" => Err(RpcError::ActorHandler("boom".into())),
                    "/deadline" => Err(RpcError::DeadlineExceeded("actor ran too long".into())),
                    "/garbage" => Ok(vec![0xc1, 0xff, 0x00]),
                    "/bad-status" => reply(1000, &[], vec![]),
                    "/slow" => {
                        tokio::time::sleep(Duration::from_millis(400)).await;
                        reply(200, &[], b"slow".to_vec())
                    }
                    _ => {
                        let mut body = b"got:".to_vec();
                        body.extend_from_slice(&req.body);
                        reply(
                            201,
                            &[
                                ("x-multi", &["a", "b"]),
                                ("content-type", &["text/plain"]),
                                // Wrong on purpose: the provider must not trust it.
                                ("content-length", &["9999"]),
                                ("bad header", &["dropped"]),
                            ],
                            body,
                        )
                    }
                }
            })
        },
    ))
}

struct Server {
    provider: Arc<HttpServerProvider>,
    invoker: Arc<dyn TestActors>,
    seen: Seen,
}

impl Server {
    fn new() -> Self {
        let seen: Seen = Arc::default();
        let dir = std::env::temp_dir();
        Server {
            provider: Arc::new(
                HttpServerProvider::new(context("http", &dir, &[]))
                    .with_grace(Duration::from_secs(2)),
            ),
            invoker: test_actor(Arc::clone(&seen)),
            seen,
        }
    }

    /// Links `actor` with `values` (binding port 0 unless told otherwise)
    /// and returns the bound address.
    async fn link(&self, actor: &str, values: &[(&str, &str)]) -> SocketAddr {
        let mut v = vec![("address", "127.0.0.1:0")];
        v.extend_from_slice(values);
        self.provider
            .put_link(&link(actor, HTTP, &v), actor_link(&self.invoker, actor))
            .await
            .unwrap();
        self.provider.bound_address(actor, "default").unwrap()
    }
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// Sends raw bytes and returns what the server answered.
async fn raw(addr: SocketAddr, request: &[u8]) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_and_response_are_mapped() {
    let server = Server::new();
    let addr = server.link("Mweb", &[]).await;
    let resp = client()
        .post(format!("http://{addr}/echo/a%20b?x=1&y=two&x=3"))
        .header("X-Multi", "one")
        .header("x-multi", "two")
        .header("X-Single", "s")
        .body("hello body")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let multi: Vec<_> = resp
        .headers()
        .get_all("x-multi")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert_eq!(multi, ["a", "b"]);
    assert_eq!(resp.headers()["content-type"], "text/plain");
    assert!(resp.headers().get("bad header").is_none());
    assert_eq!(
        resp.headers()["content-length"],
        "14",
        "length computed from the body"
    );
    assert_eq!(resp.bytes().await.unwrap(), "got:hello body");

    let seen = server.seen.lock().unwrap().clone();
    let (actor, method, req) = &seen[0];
    assert_eq!(
        (actor.as_str(), method.as_str()),
        ("Mweb", "HttpServer.HandleRequest")
    );
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/echo/a%20b");
    assert_eq!(req.query_string, "x=1&y=two&x=3");
    assert_eq!(req.header["x-multi"], ["one", "two"]);
    assert_eq!(req.header["x-single"], ["s"]);
    assert_eq!(req.header["content-length"], ["10"]);
    assert_eq!(req.body, b"hello body");

    // No query, no body, other methods.
    for method in ["GET", "PUT", "DELETE", "PATCH"] {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let resp = client()
            .request(m, format!("http://{addr}/plain"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        let seen = server.seen.lock().unwrap();
        let req = &seen.last().unwrap().2;
        assert_eq!(
            (
                req.method.as_str(),
                req.path.as_str(),
                req.query_string.as_str()
            ),
            (method, "/plain", "")
        );
        assert!(req.body.is_empty());
    }
    server.provider.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actor_failures_become_status_codes() {
    let server = Server::new();
    let addr = server.link("Mweb", &[]).await;
    let status = |path: &'static str| async move {
        client()
            .get(format!("http://{addr}{path}"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(status("/fail").await, 500, "actor error");
    assert_eq!(status("/garbage").await, 500, "undecodable reply");
    assert_eq!(status("/bad-status").await, 500, "invalid status code");
    assert_eq!(status("/deadline").await, 503, "host deadline");
    assert_eq!(status("/ok").await, 201, "the server keeps serving");
    server.provider.shutdown().await;

    // The provider's own timeout.
    let server = Server::new();
    let addr = server.link("Mweb", &[("TIMEOUT_MS", "100")]).await;
    let resp = client()
        .get(format!("http://{addr}/slow"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    server.provider.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_get_413() {
    let server = Server::new();
    let addr = server.link("Mweb", &[("max_content_len", "1k")]).await;
    let at_limit = vec![b'x'; 1024];
    let resp = client()
        .post(format!("http://{addr}/up"))
        .body(at_limit)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let over = vec![b'x'; 1025];
    let resp = client()
        .post(format!("http://{addr}/up"))
        .body(over)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);

    // Chunked, so no content-length announces it: caught while reading.
    let mut req =
        b"POST /up HTTP/1.1\r\nhost: t\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
            .to_vec();
    for _ in 0..3 {
        req.extend_from_slice(b"200\r\n");
        req.extend_from_slice(&[b'y'; 0x200]);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    let answer = raw(addr, &req).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let calls = server.seen.lock().unwrap().len();
    assert_eq!(calls, 1, "oversized requests never reach the actor");
    server.provider.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_http_gets_4xx() {
    let server = Server::new();
    let addr = server.link("Mweb", &[]).await;
    for bad in [
        &b"THIS IS NOT HTTP\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nbad header line\r\n\r\n",
        b"GET / HTTP/1.1\r\nhost: a\r\ncontent-length: 12abc\r\n\r\n",
        b"POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
    ] {
        let answer = raw(addr, bad).await;
        assert!(
            answer.starts_with("HTTP/1.1 4"),
            "{:?} -> {answer:?}",
            String::from_utf8_lossy(bad)
        );
    }
    // Still serving.
    let resp = client()
        .get(format!("http://{addr}/ok"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    server.provider.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_bind_and_unbind() {
    let server = Server::new();
    let a = server.link("Ma", &[]).await;
    let b = server.link("Mb", &[]).await;
    assert_ne!(a, b, "one listener per actor");
    client().get(format!("http://{a}/x")).send().await.unwrap();
    client().get(format!("http://{b}/x")).send().await.unwrap();
    let actors: Vec<String> = server
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.0.clone())
        .collect();
    assert_eq!(actors, ["Ma", "Mb"], "each listener calls its own actor");

    // A second actor cannot take the same address and path: the error
    // says who has it and what to do (upstream failed the bind silently).
    let taken = a.to_string();
    let err = server
        .provider
        .put_link(
            &link("Mc", HTTP, &[("address", &taken)]),
            actor_link(&server.invoker, "Mc"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "provider `http`: link value `address` = \"{taken}\": {taken} already serves actor Ma at path /; give this link another `path` or `host`"
        ),
    );

    // Deleting the link releases the port.
    server.provider.delete_link(&link("Ma", HTTP, &[])).await;
    assert!(
        tokio::net::TcpStream::connect(a).await.is_err(),
        "nothing listens after delete"
    );
    assert!(server.provider.bound_address("Ma", "default").is_none());
    // ...and the same address can be linked again.
    server.link("Ma", &[("address", &taken)]).await;
    assert_eq!(
        client()
            .get(format!("http://{a}/x"))
            .send()
            .await
            .unwrap()
            .status(),
        201
    );

    // Re-putting a link moves it to its new address.
    let moved = server.link("Ma", &[]).await;
    assert_ne!(moved, a);
    assert!(tokio::net::TcpStream::connect(a).await.is_err());
    assert_eq!(
        client()
            .get(format!("http://{moved}/x"))
            .send()
            .await
            .unwrap()
            .status(),
        201
    );

    let bad = server
        .provider
        .put_link(
            &link("Md", HTTP, &[("port", "not-a-port")]),
            actor_link(&server.invoker, "Md"),
        )
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("port"), "{bad}");
    server.provider.shutdown().await;
    assert!(tokio::net::TcpStream::connect(b).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_link_lets_requests_in_flight_finish() {
    let server = Server::new();
    let addr = server.link("Mweb", &[]).await;
    let in_flight =
        tokio::spawn(async move { client().get(format!("http://{addr}/slow")).send().await });
    // Let the request reach the actor, then unlink while it runs.
    while server.seen.lock().unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.provider.delete_link(&link("Mweb", HTTP, &[])).await;
    let resp = in_flight.await.unwrap().unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.bytes().await.unwrap(), "slow");
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn the_actor_link_outliving_the_host_gives_500() {
    let server = Server::new();
    let addr = server.link("Mweb", &[]).await;
    // The handle holds the host weakly: once it is gone, calls fail cleanly.
    let Server {
        provider, invoker, ..
    } = server;
    drop(invoker);
    let resp = client()
        .get(format!("http://{addr}/x"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 500);
    provider.shutdown().await;
}

// ---------------------------------------------------------------------------
// Issue 11: bounded connections and timeouts.
// ---------------------------------------------------------------------------

use host_min::providers::httpserver::HttpLimits;

fn limited(limits: HttpLimits) -> Server {
    let seen: Seen = Arc::default();
    let dir = std::env::temp_dir();
    Server {
        provider: Arc::new(
            HttpServerProvider::new(context("http", &dir, &[]))
                .with_grace(Duration::from_secs(2))
                .with_limits(limits),
        ),
        invoker: test_actor(Arc::clone(&seen)),
        seen,
    }
}

/// Reads whatever arrives within `wait`.
async fn read_for(s: &mut tokio::net::TcpStream, wait: Duration) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return out,
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_are_capped_with_back_pressure() {
    let server = limited(HttpLimits {
        max_connections: 2,
        ..HttpLimits::default()
    });
    let addr = server.link("Ma", &[]).await;
    // Two idle connections take both slots.
    let first = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _second = tokio::net::TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // A third is not served while they stay open...
    let mut third = tokio::net::TcpStream::connect(addr).await.unwrap();
    third
        .write_all(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let early = read_for(&mut third, Duration::from_millis(500)).await;
    assert!(
        early.is_empty(),
        "served past the cap: {}",
        String::from_utf8_lossy(&early)
    );
    // ...and is as soon as one closes (it waited, it was not refused).
    drop(first);
    let late = read_for(&mut third, Duration::from_secs(5)).await;
    assert!(
        String::from_utf8_lossy(&late).starts_with("HTTP/1.1 201"),
        "{}",
        String::from_utf8_lossy(&late)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_bodies_and_idle_connections_time_out() {
    let server = limited(HttpLimits {
        header_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(300),
        ..HttpLimits::default()
    });
    let addr = server.link("Ma", &[]).await;

    // A body that never completes: 408, not a connection held forever.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n0123456789")
        .await
        .unwrap();
    let out = read_for(&mut s, Duration::from_secs(3)).await;
    assert!(
        String::from_utf8_lossy(&out).starts_with("HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&out)
    );
    assert!(
        server.seen.lock().unwrap().is_empty(),
        "the actor never saw it"
    );

    // A keep-alive connection idle past the timeout is closed.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let out = read_for(&mut s, Duration::from_secs(5)).await;
    assert!(String::from_utf8_lossy(&out).starts_with("HTTP/1.1 201"));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "idle connection kept open {:?}",
        started.elapsed()
    );
}

/// An actor that runs one call at a time (`max_instances` = 1).
struct OneInstance(Arc<dyn TestActors>);

#[async_trait::async_trait]
impl TestActors for OneInstance {
    async fn call(
        &self,
        actor_id: &str,
        msg: host_min::providers::Message<'_>,
    ) -> host_min::providers::RpcResult<Vec<u8>> {
        self.0.call(actor_id, msg).await
    }

    fn capacity(&self) -> Option<usize> {
        Some(1)
    }
}

/// Issue 11: each body was read (and buffered) before the request waited for
/// an actor instance, so slow actors let bodies pile up in memory. Now a
/// request waits for capacity first: with one instance busy, the next
/// request is not read or passed on until it frees.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_wait_for_actor_capacity_before_their_body_is_read() {
    let seen: Seen = Arc::default();
    let invoker: Arc<dyn TestActors> = Arc::new(OneInstance(test_actor(Arc::clone(&seen))));
    let provider = Arc::new(
        HttpServerProvider::new(context("http", &std::env::temp_dir(), &[]))
            .with_grace(Duration::from_secs(2)),
    );
    provider
        .put_link(
            &link("Ma", HTTP, &[("address", "127.0.0.1:0")]),
            actor_link(&invoker, "Ma"),
        )
        .await
        .unwrap();
    let addr = provider.bound_address("Ma", "default").unwrap();
    // The first request holds the only instance for 400 ms.
    let slow = tokio::spawn(raw(
        addr,
        b"GET /slow HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    ));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(seen.lock().unwrap().len(), 1);
    let started = std::time::Instant::now();
    let out = raw(
        addr,
        b"POST /echo HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 5\r\n\r\nhello",
    )
    .await;
    assert!(out.starts_with("HTTP/1.1 201"), "{out}");
    assert!(out.ends_with("got:hello"), "{out}");
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "the second request did not wait for the busy instance ({:?})",
        started.elapsed()
    );
    assert!(slow.await.unwrap().starts_with("HTTP/1.1 200"));
    provider.shutdown().await;
}

/// Several actors on one port, told apart by path prefix and `Host`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actors_share_a_port_by_path_and_host() {
    let server = Server::new();
    let main = server.link("Mmain", &[]).await;
    let at = main.to_string();
    server
        .link("Mapi", &[("address", &at), ("path", "/api/")])
        .await;
    server
        .link("Mdocs", &[("address", &at), ("host", "docs.example")])
        .await;
    let who = |path: &'static str, host: Option<&'static str>| {
        let seen = server.seen.clone();
        async move {
            let mut req = client().get(format!("http://{main}{path}"));
            if let Some(h) = host {
                req = req.header("host", h);
            }
            let status = req.send().await.unwrap().status();
            assert!(status.is_success(), "{path}: {status}");
            let last = seen.lock().unwrap().last().map(|s| s.0.clone());
            last
        }
    };
    assert_eq!(who("/api/users", None).await, Some("Mapi".into()));
    assert_eq!(who("/api", None).await, Some("Mapi".into()));
    // Whole segments only: /apix is not under /api.
    assert_eq!(who("/apix", None).await, Some("Mmain".into()));
    assert_eq!(who("/", None).await, Some("Mmain".into()));
    assert_eq!(
        who("/x", Some("docs.example:8080")).await,
        Some("Mdocs".into())
    );
    // The longer path wins over the host-only route.
    assert_eq!(
        who("/api/x", Some("docs.example")).await,
        Some("Mapi".into())
    );
    let urls: Vec<String> = server
        .provider
        .endpoints()
        .into_iter()
        .map(|e| e.url)
        .collect();
    assert!(urls.contains(&format!("http://{main}/api")), "{urls:?}");

    // The port stays while any link uses it; without a catch-all, an
    // unmatched request is 404.
    server.provider.delete_link(&link("Mmain", HTTP, &[])).await;
    assert_eq!(who("/api/users", None).await, Some("Mapi".into()));
    assert_eq!(
        client()
            .get(format!("http://{main}/other"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    server.provider.delete_link(&link("Mapi", HTTP, &[])).await;
    server.provider.delete_link(&link("Mdocs", HTTP, &[])).await;
    assert!(
        tokio::net::TcpStream::connect(main).await.is_err(),
        "released with its last link"
    );

    // TLS must agree on a shared port; a bad path is refused.
    let again = server.link("Mmain", &[]).await.to_string();
    let e = server
        .provider
        .put_link(
            &link("Mx", HTTP, &[("address", &again), ("path", "api")]),
            actor_link(&server.invoker, "Mx"),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not a path prefix"), "{e}");
    server.provider.shutdown().await;
}
