//! fetch end to end: a real host-min process whose actor calls out through
//! the httpclient provider to a real HTTP server in this process, first
//! with the provider in the host's process, then as a process of its own
//! on a lattice (real NATS).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use weld_e2e::host::{HostProc, Manifest};
use weld_e2e::http::{must_get, rt};
use weld_e2e::lattice::alone;
use weld_e2e::{build_actor, free_addr, require_service};

const CAPS: &[&str] = &["wasmcloud:httpserver", "wasmcloud:httpclient"];

/// The server fetch calls: `/hello` is text, anything else 404.
fn upstream() -> SocketAddr {
    rt().block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(
                        |req: Request<hyper::body::Incoming>| async move {
                            let resp = match req.uri().path() {
                                "/hello" => Response::builder()
                                    .header("content-type", "text/plain; charset=utf-8")
                                    .body(Full::new(Bytes::from("hi from upstream"))),
                                _ => Response::builder()
                                    .status(404)
                                    .body(Full::new(Bytes::new())),
                            };
                            Ok::<_, Infallible>(resp.unwrap())
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        addr
    })
}

fn manifest(wasm: &Path, http: SocketAddr, process: bool) -> Manifest {
    let m = Manifest::new()
        .signed_actor("fetch", wasm, CAPS)
        .provider("http", "httpserver", &[])
        .link("fetch", "http", &[("address", &http.to_string())]);
    let m = if process {
        m.process_provider("client", "httpclient", &[])
    } else {
        m.provider("client", "httpclient", &[])
    };
    m.link("fetch", "client", &[("timeout_ms", "5000")])
}

fn exercise(http: SocketAddr, log: impl Fn() -> String) {
    let up = upstream();
    let r = must_get(http, &format!("/?url=http%3A%2F%2F{up}%2Fhello"));
    assert_eq!(r.status, 200, "{} {}", r.text(), log());
    assert_eq!(r.text(), "hi from upstream");
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    // The upstream status comes through.
    assert_eq!(
        must_get(http, &format!("/?url=http://{up}/missing")).status,
        404
    );
    // A refused connection is the actor's 502, with the reason.
    let dead = free_addr();
    let r = must_get(http, &format!("/?url=http://{dead}/"));
    assert_eq!(r.status, 502, "{}", r.text());
    assert!(r.text().contains("fetch failed"), "{}", r.text());
    assert_eq!(must_get(http, "/").status, 400);
}

#[test]
fn fetch_calls_out_through_httpclient_in_the_hosts_process() {
    let Some(wasm) = build_actor("examples/fetch") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let http = free_addr();
    let host = HostProc::start(dir.path(), manifest(&wasm, http, false), &[http]);
    exercise(http, || host.log());
}

#[test]
fn fetch_calls_out_through_httpclient_as_its_own_process_on_a_lattice() {
    if !require_service("NATS", "127.0.0.1:4222") {
        return;
    }
    let Some(wasm) = build_actor("examples/fetch") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let http = free_addr();
    let m = alone(manifest(&wasm, http, true), "fetch");
    let host = HostProc::start(dir.path(), m, &[http]);
    // The provider process gets its link a moment after the host serves.
    let up = upstream();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while must_get(http, &format!("/?url=http://{up}/hello")).status != 200 {
        assert!(std::time::Instant::now() < deadline, "{}", host.log());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        host.child_named("weld-provider-h").is_some(),
        "no provider process: {}",
        host.log()
    );
    exercise(http, || host.log());
}
