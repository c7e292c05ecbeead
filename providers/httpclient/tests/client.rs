//! httpclient against a real HTTP server on loopback (hyper), every call
//! encoded and decoded by the generated httpclient code.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use weld_interface_httpclient::{HttpClient, HttpClientSender, HttpRequest};
use weld_provider_httpclient::HttpClientProvider;
use weld_rpc::core::LinkDefinition;
use weld_rpc::provider::{ActorOrigin, Provider, ProviderClient, ProviderContext};
use weld_rpc::{Context, Message, RpcResult, SendOpts, Transport};

async fn route(req: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_string();
    let method = req.method().to_string();
    let got: Vec<String> = req
        .headers()
        .get_all("x-test")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let body = req.into_body().collect().await.unwrap().to_bytes();
    let resp = Response::builder();
    let resp = if path == "/echo" {
        resp.header("x-method", method)
            .header("x-got", got.join(","))
            .header("set-cookie", "a=1")
            .header("set-cookie", "b=2")
            .body(Full::new(body))
    } else if path == "/teapot" {
        resp.status(418)
            .body(Full::new(Bytes::from("short and stout")))
    } else if let Some(n) = path.strip_prefix("/hops/") {
        let n: u32 = n.parse().unwrap();
        if n == 0 {
            resp.body(Full::new(Bytes::from("landed")))
        } else {
            resp.status(302)
                .header("location", format!("/hops/{}", n - 1))
                .body(Full::new(Bytes::new()))
        }
    } else if path == "/slow" {
        tokio::time::sleep(Duration::from_secs(3)).await;
        resp.body(Full::new(Bytes::from("late")))
    } else if path == "/big" {
        resp.body(Full::new(Bytes::from(vec![b'x'; 2 << 20])))
    } else {
        resp.status(404).body(Full::new(Bytes::new()))
    };
    Ok(resp.unwrap())
}

/// A test server; returns its address and how many connections it
/// accepted so far.
async fn server() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), hyper::service::service_fn(route))
                    .await;
            });
        }
    });
    (addr, accepted)
}

/// No actor calls back into an httpclient link.
struct NoActor;

#[weld_rpc::async_trait]
impl Transport for NoActor {
    async fn send(&self, _: &Context, _: Message<'_>, _: Option<SendOpts>) -> RpcResult<Vec<u8>> {
        unreachable!("httpclient never calls its actor")
    }
}

async fn client(values: &[(&str, &str)]) -> HttpClientSender<ProviderClient> {
    let provider = Arc::new(HttpClientProvider::new(ProviderContext {
        provider_id: "VHTTPCLIENT".into(),
        name: "httpclient".into(),
        link_name: "default".into(),
        config: HashMap::new(),
        data_dir: std::env::temp_dir(),
        lattice: None,
    }));
    let link = LinkDefinition {
        actor_id: "MFETCH".into(),
        provider_id: "VHTTPCLIENT".into(),
        link_name: "default".into(),
        contract_id: "wasmcloud:httpclient".into(),
        values: values
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    provider.put_link(&link, Arc::new(NoActor)).await.unwrap();
    HttpClientSender::via(ProviderClient {
        provider,
        origin: ActorOrigin {
            actor_id: "MFETCH".into(),
            link_name: "default".into(),
        },
    })
}

fn req(method: &str, url: String) -> HttpRequest {
    HttpRequest {
        method: method.into(),
        url,
        headers: HashMap::new(),
        body: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_go_out_and_answers_come_back_whole() {
    let (addr, accepted) = server().await;
    let c = client(&[]).await;
    let ctx = Context::default();

    let mut r = req("post", format!("http://{addr}/echo"));
    r.headers
        .insert("X-Test".into(), vec!["one".into(), "two".into()]);
    r.body = b"payload".to_vec();
    let resp = c.request(&ctx, &r).await.unwrap();
    assert_eq!(resp.status_code, 200);
    assert_eq!(resp.body, b"payload");
    assert_eq!(resp.header["x-method"], ["POST"]);
    assert_eq!(resp.header["x-got"], ["one,two"]);
    assert_eq!(resp.header["set-cookie"], ["a=1", "b=2"]);

    // An error status is an answer, not a failed call (as upstream).
    tokio::time::sleep(Duration::from_millis(50)).await;
    let resp = c
        .request(&ctx, &req("GET", format!("http://{addr}/teapot")))
        .await
        .unwrap();
    assert_eq!(
        (resp.status_code, resp.body.as_slice()),
        (418, &b"short and stout"[..])
    );

    // The connection is pooled: every call so far, and five more, on one
    // connection. hyper hands a connection back to the pool from its
    // connection task once the body is read, a moment after the caller has
    // the answer; the pauses let that happen, as between real calls.
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        c.request(&ctx, &req("GET", format!("http://{addr}/echo")))
            .await
            .unwrap();
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_timeouts_and_limits_follow_the_link() {
    let (addr, _) = server().await;
    let ctx = Context::default();

    let c = client(&[]).await;
    let resp = c
        .request(&ctx, &req("GET", format!("http://{addr}/hops/3")))
        .await
        .unwrap();
    assert_eq!(
        (resp.status_code, resp.body.as_slice()),
        (200, &b"landed"[..])
    );

    let strict = client(&[("max_redirects", "2")]).await;
    let e = strict
        .request(&ctx, &req("GET", format!("http://{addr}/hops/3")))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("too many redirects"), "{e}");
    let none = client(&[("max_redirects", "0")]).await;
    let resp = none
        .request(&ctx, &req("GET", format!("http://{addr}/hops/1")))
        .await
        .unwrap();
    assert_eq!(resp.status_code, 302);
    assert_eq!(resp.header["location"], ["/hops/0"]);

    // A server that does not answer in time fails the call instead of
    // hanging it (upstream had no timeout).
    let quick = client(&[("timeout_ms", "300")]).await;
    let started = Instant::now();
    let e = quick
        .request(&ctx, &req("GET", format!("http://{addr}/slow")))
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("no complete answer within 300 ms"),
        "{e}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));

    let small = client(&[("max_content_len", "1m")]).await;
    let e = small
        .request(&ctx, &req("GET", format!("http://{addr}/big")))
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("larger than max_content_len (1048576 bytes)"),
        "{e}"
    );
    let resp = c
        .request(&ctx, &req("GET", format!("http://{addr}/big")))
        .await
        .unwrap();
    assert_eq!(resp.body.len(), 2 << 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_and_dead_servers_are_clear_errors() {
    let ctx = Context::default();
    let c = client(&[]).await;
    for (method, url, want) in [
        ("GET", "not a url", "invalid url"),
        ("GET", "ftp://example.com/", "only http and https"),
        ("BAD METHOD", "http://127.0.0.1:1/", "invalid method"),
    ] {
        let e = c.request(&ctx, &req(method, url.into())).await.unwrap_err();
        assert!(e.to_string().contains(want), "{url}: {e}");
    }
    let mut r = req("GET", "http://127.0.0.1:1/".into());
    r.headers.insert("bad header".into(), vec!["x".into()]);
    let e = c.request(&ctx, &r).await.unwrap_err();
    assert!(e.to_string().contains("invalid header name"), "{e}");

    // Nothing listens on port 1: the error says so.
    let e = c
        .request(&ctx, &req("GET", "http://127.0.0.1:1/".into()))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("http://127.0.0.1:1/"), "{e}");
    assert!(e.to_string().to_lowercase().contains("connect"), "{e}");

    // Settings are checked when the link is put.
    let p = HttpClientProvider::new(ProviderContext {
        provider_id: "V".into(),
        name: "httpclient".into(),
        link_name: "default".into(),
        config: HashMap::new(),
        data_dir: std::env::temp_dir(),
        lattice: None,
    });
    for (k, v, why) in [
        ("timeout_ms", "0", "at least 1"),
        ("timeout_ms", "soon", "whole number"),
        ("max_redirects", "1000", "whole number up to 100"),
        ("max_content_len", "big", "not a size"),
        ("timeout", "5", "did you mean `timeout_ms`"),
    ] {
        let values = [(k.to_string(), v.to_string())].into_iter().collect();
        let e = p.settings(&values).unwrap_err();
        assert!(e.to_string().contains(why), "{k}={v}: {e}");
    }
}

/// HTTPS to a server whose certificate only `tls_ca_file` vouches for: a
/// private CA works with it and is refused without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_a_private_ca_from_tls_ca_file() {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, cert.cert.pem()).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.cert.der().clone()], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(stream).await else {
                    return;
                };
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), hyper::service::service_fn(route))
                    .await;
            });
        }
    });
    let url = format!("https://localhost:{port}/teapot");
    let ctx = Context::default();

    let trusting = client(&[("tls_ca_file", ca_file.to_str().unwrap())]).await;
    let resp = trusting
        .request(&ctx, &req("GET", url.clone()))
        .await
        .unwrap();
    assert_eq!(
        (resp.status_code, resp.body.as_slice()),
        (418, &b"short and stout"[..])
    );

    let plain = client(&[]).await;
    let e = plain.request(&ctx, &req("GET", url)).await.unwrap_err();
    assert!(e.to_string().to_lowercase().contains("certificate"), "{e}");

    // A CA file that cannot be read refuses the link.
    let p = HttpClientProvider::new(ProviderContext {
        provider_id: "V".into(),
        name: "httpclient".into(),
        link_name: "default".into(),
        config: HashMap::new(),
        data_dir: std::env::temp_dir(),
        lattice: None,
    });
    let link = LinkDefinition {
        actor_id: "MFETCH".into(),
        provider_id: "V".into(),
        link_name: "default".into(),
        contract_id: "wasmcloud:httpclient".into(),
        values: [("tls_ca_file".to_string(), "/nonexistent/ca.pem".to_string())]
            .into_iter()
            .collect(),
    };
    let e = p.put_link(&link, Arc::new(NoActor)).await.unwrap_err();
    assert!(e.to_string().contains("cannot read it"), "{e}");
}
