//! Body streaming (`stream_body_over`, the `HttpBody` operations) against
//! real sockets: an actor (in Rust here) that reads request bodies piece
//! by piece through the provider and answers with streamed bodies.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use weld_interface_httpserver::{
    BodyChunk, HttpBody, HttpBodySender, HttpRequest, HttpResponse, HttpServer, HttpServerReceiver,
    ReadBodyRequest, ResponseHead,
};
use weld_provider_httpserver::{HttpServerProvider, BODY_HEADER, STREAM_HEADER};
use weld_rpc::core::LinkDefinition;
use weld_rpc::provider::{CallsFrom, Provider, ProviderContext};
use weld_rpc::{Context, Message, RpcError, RpcResult, SendOpts, Transport};

const ACTOR: &str = "MSTREAMER";

/// What the actor saw of one request.
#[derive(Debug, Clone, Default)]
struct Seen {
    stream: Option<String>,
    streamed: bool,
    inline_len: usize,
    pieces: Vec<usize>,
    read_error: Option<String>,
}

/// The test actor; paths say what it does.
#[derive(Default)]
struct Streamer {
    provider: OnceLock<Weak<HttpServerProvider>>,
    seen: Mutex<Vec<Seen>>,
}

impl Streamer {
    fn body(&self, actor_id: &str) -> HttpBodySender<CallsFrom<HttpServerProvider>> {
        HttpBodySender::via(CallsFrom::actor(
            self.provider.get().unwrap().upgrade().unwrap(),
            actor_id,
        ))
    }

    /// Reads the body in pieces of at most `max` bytes.
    async fn read_all(&self, req: &HttpRequest, max: u32, seen: &mut Seen) -> Vec<Vec<u8>> {
        let mut pieces = Vec::new();
        if !seen.streamed {
            return vec![req.body.clone()];
        }
        let id = seen.stream.clone().unwrap();
        loop {
            let r = self
                .body(ACTOR)
                .read_body(
                    &Context::default(),
                    &ReadBodyRequest {
                        stream_id: id.clone(),
                        max_bytes: max,
                    },
                )
                .await;
            match r {
                Ok(c) => {
                    seen.pieces.push(c.bytes.len());
                    let last = c.is_last;
                    pieces.push(c.bytes);
                    if last {
                        return pieces;
                    }
                }
                Err(e) => {
                    seen.read_error = Some(e.to_string());
                    return pieces;
                }
            }
        }
    }

    async fn start(&self, id: &str, status: u16, header: &[(&str, &str)]) -> RpcResult<()> {
        self.body(ACTOR)
            .start_response(
                &Context::default(),
                &ResponseHead {
                    stream_id: id.into(),
                    status_code: status,
                    header: header
                        .iter()
                        .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
                        .collect(),
                },
            )
            .await
    }

    async fn send(&self, id: &str, bytes: Vec<u8>, is_last: bool) -> RpcResult<()> {
        self.body(ACTOR)
            .send_body(
                &Context::default(),
                &BodyChunk {
                    stream_id: id.into(),
                    bytes,
                    is_last,
                },
            )
            .await
    }

    async fn serve(&self, req: &HttpRequest) -> RpcResult<HttpResponse> {
        let mut seen = Seen {
            stream: req.header.get(STREAM_HEADER).map(|v| v[0].clone()),
            streamed: req
                .header
                .get(BODY_HEADER)
                .is_some_and(|v| v == &["streamed"]),
            inline_len: req.body.len(),
            ..Seen::default()
        };
        let id = seen.stream.clone().unwrap_or_default();
        let result = match req.path.as_str() {
            // Echo, streamed back in the pieces it was read in.
            "/echo" => {
                let pieces = self.read_all(req, 64 * 1024, &mut seen).await;
                self.start(&id, 200, &[("x-echo", "yes")]).await?;
                let n = pieces.len();
                for (i, p) in pieces.into_iter().enumerate() {
                    self.send(&id, p, i + 1 == n).await?;
                }
                // Ignored: the response was streamed.
                Ok(HttpResponse::with_status(500, "not this"))
            }
            // The body's size, as a whole answer (reads it if streamed).
            "/size" => {
                let pieces = self.read_all(req, 1 << 20, &mut seen).await;
                let n: usize = pieces.iter().map(Vec::len).sum();
                Ok(HttpResponse::ok(format!("{n}")))
            }
            // A streamed answer with a declared length, in 3 pieces.
            "/length" => {
                self.start(&id, 201, &[("content-length", "30000")]).await?;
                for i in 0..3 {
                    self.send(&id, vec![b'a' + i as u8; 10000], i == 2).await?;
                }
                Ok(HttpResponse::default())
            }
            // Fails after starting: the client gets a broken body.
            "/cut" => {
                self.start(&id, 200, &[]).await?;
                self.send(&id, vec![b'x'; 1000], false).await?;
                Err(RpcError::Other("actor gave up".into()))
            }
            // Another actor may not touch this exchange; neither may
            // anyone after it ends, nor may the head go out twice.
            "/other" => {
                let other = self
                    .body("MOTHER")
                    .read_body(
                        &Context::default(),
                        &ReadBodyRequest {
                            stream_id: id.clone(),
                            max_bytes: 10,
                        },
                    )
                    .await
                    .unwrap_err()
                    .to_string();
                let body_before_head = self.send(&id, vec![1], true).await.unwrap_err().to_string();
                self.start(&id, 200, &[]).await?;
                let twice = self.start(&id, 200, &[]).await.unwrap_err().to_string();
                self.send(
                    &id,
                    format!("{other}\n{body_before_head}\n{twice}").into_bytes(),
                    true,
                )
                .await?;
                let after_last = self
                    .send(&id, vec![1], false)
                    .await
                    .unwrap_err()
                    .to_string();
                self.seen.lock().unwrap().push(Seen {
                    read_error: Some(after_last),
                    ..seen.clone()
                });
                Ok(HttpResponse::default())
            }
            _ => Ok(HttpResponse::not_found()),
        };
        self.seen.lock().unwrap().push(seen);
        result
    }
}

#[weld_rpc::async_trait]
impl HttpServer for Streamer {
    async fn handle_request(&self, _: &Context, req: &HttpRequest) -> RpcResult<HttpResponse> {
        self.serve(req).await
    }
}

/// The link's side of the actor (what a host would deliver to it).
struct Link(Arc<Streamer>);

#[weld_rpc::async_trait]
impl Transport for Link {
    async fn send(
        &self,
        ctx: &Context,
        req: Message<'_>,
        _: Option<SendOpts>,
    ) -> RpcResult<Vec<u8>> {
        HttpServerReceiver::dispatch(self.0.as_ref(), ctx, req).await
    }
}

async fn serve(values: &[(&str, &str)]) -> (Arc<HttpServerProvider>, Arc<Streamer>, SocketAddr) {
    let p = Arc::new(HttpServerProvider::new(ProviderContext {
        provider_id: "VHTTP".into(),
        name: "http".into(),
        link_name: "default".into(),
        config: HashMap::new(),
        data_dir: std::env::temp_dir(),
        lattice: None,
    }));
    let actor = Arc::new(Streamer::default());
    actor.provider.set(Arc::downgrade(&p)).unwrap();
    let mut map: HashMap<String, String> = values
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    map.insert("address".into(), "127.0.0.1:0".into());
    let link = LinkDefinition {
        actor_id: ACTOR.into(),
        provider_id: "VHTTP".into(),
        link_name: "default".into(),
        contract_id: "wasmcloud:httpserver".into(),
        values: map,
    };
    p.put_link(&link, Arc::new(Link(Arc::clone(&actor))))
        .await
        .expect("link accepted");
    let addr = p.bound_address(ACTOR, "default").unwrap();
    (p, actor, addr)
}

struct Answer {
    status: u16,
    headers: hyper::HeaderMap,
    body: Result<Vec<u8>, String>,
}

async fn request(addr: SocketAddr, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Answer {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut b = Request::builder()
        .method("POST")
        .uri(path)
        .header("host", "localhost");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let resp = match sender
        .send_request(b.body(Full::new(Bytes::from(body))).unwrap())
        .await
    {
        Ok(r) => r,
        // No head at all (the server broke off before sending it).
        Err(e) => {
            return Answer {
                status: 0,
                headers: hyper::HeaderMap::new(),
                body: Err(e.to_string()),
            }
        }
    };
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .map_err(|e| e.to_string());
    Answer {
        status,
        headers,
        body,
    }
}

/// A chunked request body (no `content-length`) over a raw socket; returns
/// the status line.
async fn chunked(addr: SocketAddr, path: &str, pieces: &[Vec<u8>]) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: localhost\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    for p in pieces {
        s.write_all(format!("{:x}\r\n", p.len()).as_bytes())
            .await
            .unwrap();
        s.write_all(p).await.unwrap();
        s.write_all(b"\r\n").await.unwrap();
    }
    // The server may answer (413) before the body is all sent.
    let _ = s.write_all(b"0\r\n\r\n").await;
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    let text = String::from_utf8_lossy(&out);
    text.lines().next().unwrap_or("").to_string()
}

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 + i / 251) as u8).collect()
}

fn take_seen(a: &Streamer) -> Vec<Seen> {
    std::mem::take(&mut *a.seen.lock().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_bodies_stream_both_ways_small_ones_stay_inline() {
    let (_p, actor, addr) =
        serve(&[("stream_body_over", "100k"), ("max_content_len", "20m")]).await;
    let big = pattern(5 * 1024 * 1024 + 123);
    // A client's own x-weld headers are replaced, not believed.
    let a = request(
        addr,
        "/echo",
        &[(STREAM_HEADER, "forged"), (BODY_HEADER, "streamed")],
        big.clone(),
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.headers["x-echo"], "yes");
    assert!(a.headers.get("content-length").is_none());
    assert_eq!(a.body.unwrap(), big, "echoed byte for byte");
    let seen = take_seen(&actor);
    let s = &seen[0];
    assert!(s.streamed && s.inline_len == 0, "{s:?}");
    assert_ne!(s.stream.as_deref(), Some("forged"));
    assert!(
        s.pieces.iter().all(|&n| n <= 64 * 1024),
        "pieces within maxBytes"
    );
    assert!(s.pieces.len() >= big.len() / (64 * 1024));
    assert_eq!(s.pieces.iter().sum::<usize>(), big.len());
    assert!(s.read_error.is_none());

    // At the threshold: inline, but still an exchange (the answer could
    // stream), and the forged body header is gone.
    let small = pattern(100 * 1024);
    let a = request(addr, "/size", &[(BODY_HEADER, "streamed")], small.clone()).await;
    assert_eq!((a.status, a.body.unwrap()), (200, b"102400".to_vec()));
    let s = &take_seen(&actor)[0];
    assert!(
        !s.streamed && s.inline_len == small.len() && s.stream.is_some(),
        "{s:?}"
    );

    // Unknown length (chunked): streamed whatever its size.
    let line = chunked(addr, "/size", &[pattern(10), pattern(20)]).await;
    assert_eq!(line, "HTTP/1.1 200 OK");
    let s = &take_seen(&actor)[0];
    assert!(s.streamed, "{s:?}");
    assert_eq!(s.pieces.iter().sum::<usize>(), 30);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_and_failures_reach_the_client() {
    let (_p, actor, addr) = serve(&[("stream_body_over", "1k"), ("max_content_len", "64k")]).await;
    // Announced too large: 413 before the actor is called.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"POST /size HTTP/1.1\r\nhost: localhost\r\ncontent-length: 66560\r\n\r\n")
        .await
        .unwrap();
    let mut out = vec![0; 64];
    let n = s.read(&mut out).await.unwrap();
    assert!(
        out[..n].starts_with(b"HTTP/1.1 413 "),
        "{:?}",
        String::from_utf8_lossy(&out[..n])
    );
    assert!(take_seen(&actor).is_empty());
    // Chunked and too large: the actor's read fails, and the client gets
    // 413 whatever the actor answered.
    let line = chunked(addr, "/size", &[pattern(40 * 1024), pattern(40 * 1024)]).await;
    assert_eq!(line, "HTTP/1.1 413 Payload Too Large");
    let s = &take_seen(&actor)[0];
    assert!(
        s.read_error
            .as_deref()
            .is_some_and(|e| e.contains("larger than max_content_len (65536 bytes)")),
        "{s:?}"
    );

    // A declared length is kept, and hyper holds the actor to it.
    let a = request(addr, "/length", &[], Vec::new()).await;
    assert_eq!(a.status, 201);
    assert_eq!(a.headers["content-length"], "30000");
    let body = a.body.unwrap();
    assert_eq!(body.len(), 30000);
    assert_eq!((body[0], body[10000], body[29999]), (b'a', b'b', b'c'));

    // An actor failing after its head went out: the body breaks off.
    // (The head may or may not have left before the connection closed.)
    let a = request(addr, "/cut", &[], Vec::new()).await;
    assert!(a.status == 200 || a.status == 0, "{}", a.status);
    assert!(
        a.body.is_err(),
        "the client must see an incomplete response"
    );

    // Only the exchange's own actor may use it, in order, until it ends.
    take_seen(&actor);
    let a = request(addr, "/other", &[], Vec::new()).await;
    let text = String::from_utf8(a.body.unwrap()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].contains("no HTTP stream"), "{text}");
    assert!(
        lines[1].contains("StartResponse must come before SendBody"),
        "{text}"
    );
    assert!(lines[2].contains("already started"), "{text}");
    let s = &take_seen(&actor)[0];
    assert!(
        s.read_error
            .as_deref()
            .is_some_and(|e| e.contains("already finished")),
        "{s:?}"
    );
    // After HandleRequest returned, the id is gone.
    let id = s.stream.clone().unwrap();
    let err = actor
        .body(ACTOR)
        .read_body(
            &Context::default(),
            &ReadBodyRequest {
                stream_id: id,
                max_bytes: 1,
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no HTTP stream"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_setting_the_contract_is_upstreams() {
    let (_p, actor, addr) = serve(&[]).await;
    let a = request(addr, "/size", &[(STREAM_HEADER, "x")], pattern(300 * 1024)).await;
    assert_eq!((a.status, a.body.unwrap()), (200, b"307200".to_vec()));
    let s = &take_seen(&actor)[0];
    // The client's stream header is dropped, as on every link.
    assert_eq!(s.stream.as_deref(), None);
    assert!(!s.streamed && s.inline_len == 300 * 1024);
    // The HttpBody operations find no exchange.
    let err = actor
        .body(ACTOR)
        .start_response(
            &Context::default(),
            &ResponseHead {
                stream_id: "x".into(),
                status_code: 200,
                header: HashMap::new(),
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no HTTP stream"), "{err}");
}
