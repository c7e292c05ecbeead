//! httpserver's CORS, read-only mode, cache control, upstream's JSON
//! settings and TLS, against real sockets: a hyper client over TCP, and
//! over rustls with a certificate made for the test.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use weld_interface_httpserver::{HttpRequest, HttpResponse, HttpServer, HttpServerReceiver};
use weld_provider_httpserver::HttpServerProvider;
use weld_rpc::core::LinkDefinition;
use weld_rpc::provider::{Provider, ProviderContext};
use weld_rpc::{Context, Message, RpcResult, SendOpts, Transport};

/// The linked actor: answers `{method} {path}`.
struct Echo;

#[weld_rpc::async_trait]
impl HttpServer for Echo {
    async fn handle_request(&self, _ctx: &Context, req: &HttpRequest) -> RpcResult<HttpResponse> {
        let mut r = HttpResponse::ok(format!("{} {}", req.method, req.path));
        if req.path == "/cached" {
            r.header
                .insert("cache-control".into(), vec!["max-age=5".into()]);
        }
        Ok(r)
    }
}

#[weld_rpc::async_trait]
impl Transport for Echo {
    async fn send(
        &self,
        ctx: &Context,
        req: Message<'_>,
        _: Option<SendOpts>,
    ) -> RpcResult<Vec<u8>> {
        HttpServerReceiver::dispatch(self, ctx, req).await
    }
}

/// A provider with one link (`values`) on a free port; returns it and the
/// bound address.
async fn serve(values: &[(&str, &str)]) -> (HttpServerProvider, SocketAddr) {
    let p = HttpServerProvider::new(ProviderContext {
        provider_id: "VHTTP".into(),
        name: "http".into(),
        link_name: "default".into(),
        config: HashMap::new(),
        data_dir: std::env::temp_dir(),
        lattice: None,
    });
    let mut map: HashMap<String, String> = values
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    map.entry("address".into()).or_insert("127.0.0.1:0".into());
    let link = LinkDefinition {
        actor_id: "MECHO".into(),
        provider_id: "VHTTP".into(),
        link_name: "default".into(),
        contract_id: "wasmcloud:httpserver".into(),
        values: map,
    };
    p.put_link(&link, Arc::new(Echo))
        .await
        .expect("link accepted");
    let addr = p.bound_address("MECHO", "default").unwrap();
    (p, addr)
}

struct Answer {
    status: u16,
    headers: hyper::HeaderMap,
    body: String,
}

async fn exchange<S>(stream: S, req: Request<Full<Bytes>>) -> Answer
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let resp = sender.send_request(req).await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

async fn send(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    exchange(stream, b.body(Full::new(Bytes::new())).unwrap()).await
}

fn header<'a>(a: &'a Answer, name: &str) -> Option<&'a str> {
    a.headers.get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_defaults_are_upstreams() {
    let (_p, addr) = serve(&[]).await;
    // A plain request has no CORS headers; a cross-origin one gets them.
    let a = send(addr, "GET", "/x", &[]).await;
    assert_eq!((a.status, a.body.as_str()), (200, "GET /x"));
    assert_eq!(header(&a, "access-control-allow-origin"), None);
    let a = send(addr, "GET", "/x", &[("origin", "https://app.example")]).await;
    assert_eq!(a.status, 200);
    assert_eq!(header(&a, "access-control-allow-origin"), Some("*"));

    // A preflight is answered without the actor.
    let a = send(
        addr,
        "OPTIONS",
        "/x",
        &[
            ("origin", "https://app.example"),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "Content-Type, Accept"),
        ],
    )
    .await;
    assert_eq!(a.status, 204, "{}", a.body);
    assert_eq!(a.body, "");
    assert_eq!(
        header(&a, "access-control-allow-methods"),
        Some("GET, POST, PUT, DELETE, HEAD, OPTIONS")
    );
    assert_eq!(
        header(&a, "access-control-allow-headers"),
        Some("accept, accept-language, content-type, content-language")
    );
    assert_eq!(header(&a, "access-control-max-age"), Some("300"));
    // A header outside the policy is refused.
    let a = send(
        addr,
        "OPTIONS",
        "/x",
        &[
            ("origin", "https://app.example"),
            ("access-control-request-method", "GET"),
            ("access-control-request-headers", "x-secret"),
        ],
    )
    .await;
    assert_eq!(a.status, 403);
    assert!(a.body.contains("header not allowed"), "{}", a.body);
    // A plain OPTIONS (no preflight) goes to the actor.
    let a = send(addr, "OPTIONS", "/x", &[]).await;
    assert_eq!((a.status, a.body.as_str()), (200, "OPTIONS /x"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_settings_set_cors_readonly_and_cache_control() {
    let json = r#"{"cors":{"allowed_origins":["https://good.example"],"allowed_methods":["GET"],"exposed_headers":["x-count"],"max_age_secs":60},"readonly_mode":true,"cache_control":"no-store"}"#;
    let (_p, addr) = serve(&[("config_json", json)]).await;
    let a = send(addr, "GET", "/x", &[("origin", "https://good.example")]).await;
    assert_eq!(a.status, 200);
    assert_eq!(
        header(&a, "access-control-allow-origin"),
        Some("https://good.example")
    );
    assert_eq!(header(&a, "access-control-expose-headers"), Some("x-count"));
    assert_eq!(header(&a, "vary"), Some("origin"));
    assert_eq!(header(&a, "cache-control"), Some("no-store"));
    // The actor's own Cache-Control wins.
    let a = send(addr, "GET", "/cached", &[]).await;
    assert_eq!(header(&a, "cache-control"), Some("max-age=5"));
    let a = send(addr, "GET", "/x", &[("origin", "https://evil.example")]).await;
    assert_eq!(a.status, 403);
    assert!(a.body.contains("origin not allowed"), "{}", a.body);
    let a = send(
        addr,
        "OPTIONS",
        "/x",
        &[
            ("origin", "https://good.example"),
            ("access-control-request-method", "DELETE"),
        ],
    )
    .await;
    assert_eq!(a.status, 403);
    // Read-only: anything but GET and HEAD is 405, without the actor.
    let a = send(addr, "POST", "/x", &[]).await;
    assert_eq!(a.status, 405);
    assert_eq!(send(addr, "HEAD", "/x", &[]).await.status, 200);

    // The same settings in base64, padded (upstream took only unpadded).
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(r#"{"readonly_mode":true}"#);
    assert!(b64.ends_with('='));
    let (_p, addr) = serve(&[("config_b64", &b64)]).await;
    assert_eq!(send(addr, "PUT", "/x", &[]).await.status, 405);
    // A plain key overrides the JSON (upstream's order).
    let (_p, addr) = serve(&[("config_b64", &b64), ("readonly_mode", "false")]).await;
    assert_eq!(send(addr, "PUT", "/x", &[]).await.status, 200);
}

#[tokio::test]
async fn bad_json_settings_are_refused_with_reasons() {
    let p = HttpServerProvider::new(ProviderContext {
        provider_id: "VHTTP".into(),
        name: "http".into(),
        link_name: "default".into(),
        config: HashMap::new(),
        data_dir: std::env::temp_dir(),
        lattice: None,
    });
    for (k, v, why) in [
        ("config_json", "{not json", "Invalid httpserver settings"),
        ("config_json", r#"{"adress":"x"}"#, "unknown field `adress`"),
        (
            "config_json",
            r#"{"tls":{"cert_file":"/c.pem"}}"#,
            "for tls, both 'cert_file' and 'priv_key_file' must be set",
        ),
        ("config_b64", "!!!", "not base64"),
        ("readonly_mode", "maybe", "expected true or false"),
    ] {
        let values = [(k.to_string(), v.to_string())].into_iter().collect();
        let e = p.settings(&values).unwrap_err();
        assert!(e.to_string().contains(why), "{k}={v}: {e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_from_certificate_and_key_files() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert_file = dir.path().join("cert.pem");
    let key_file = dir.path().join("key.pem");
    std::fs::write(&cert_file, cert.cert.pem()).unwrap();
    std::fs::write(&key_file, cert.signing_key.serialize_pem()).unwrap();
    let json = format!(
        r#"{{"tls":{{"cert_file":"{}","priv_key_file":"{}"}}}}"#,
        cert_file.display(),
        key_file.display()
    );
    let (p, addr) = serve(&[("config_json", &json)]).await;
    assert!(
        p.endpoints()[0].url.starts_with("https://"),
        "{:?}",
        p.endpoints()
    );

    // A client that trusts the test certificate gets the actor's answer.
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let tls = connector
        .connect("localhost".try_into().unwrap(), tcp)
        .await
        .unwrap();
    let req = Request::get("/secure")
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let a = exchange(tls, req).await;
    assert_eq!((a.status, a.body.as_str()), (200, "GET /secure"));

    // Plain HTTP on the TLS port gets no answer from the actor.
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .unwrap();
    tokio::spawn(conn);
    let plain = sender
        .send_request(
            Request::get("/x")
                .header("host", "localhost")
                .body(Full::new(Bytes::new()))
                .unwrap(),
        )
        .await;
    assert!(plain.is_err(), "plain HTTP was answered on a TLS listener");

    // Unreadable files refuse the link, naming the file.
    let bad = format!(
        r#"{{"tls":{{"cert_file":"{}","priv_key_file":"/nonexistent/key.pem"}}}}"#,
        cert_file.display()
    );
    let p2 = HttpServerProvider::new(ProviderContext {
        provider_id: "VHTTP".into(),
        name: "http".into(),
        link_name: "default".into(),
        config: HashMap::new(),
        data_dir: std::env::temp_dir(),
        lattice: None,
    });
    let link = LinkDefinition {
        actor_id: "MECHO".into(),
        provider_id: "VHTTP".into(),
        link_name: "default".into(),
        contract_id: "wasmcloud:httpserver".into(),
        values: [
            ("address".to_string(), "127.0.0.1:0".to_string()),
            ("config_json".to_string(), bad),
        ]
        .into_iter()
        .collect(),
    };
    let e = p2.put_link(&link, Arc::new(Echo)).await.unwrap_err();
    assert!(e.to_string().contains("/nonexistent/key.pem"), "{e}");
}
