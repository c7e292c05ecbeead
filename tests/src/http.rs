//! A small HTTP/1.1 client on hyper for the end-to-end tests: single
//! requests, raw bytes over TCP, and load drivers that keep N connections
//! busy and count what was sent and what was acknowledged.
//!
//! Everything runs on one shared tokio runtime ([`rt`]); the blocking
//! wrappers let ordinary `#[test]` functions use it.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream as TokioStream;
use tokio::runtime::Runtime;

/// The tokio runtime every client of this crate runs on (two workers: the
/// machines this runs on have two cores).
pub fn rt() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("start the test client runtime")
    })
}

/// Longest time one request may take before the client gives up on it.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a request got no HTTP response.
#[derive(Debug)]
pub enum HttpError {
    /// Connecting failed.
    Connect(std::io::Error),
    /// The HTTP exchange failed (connection closed, protocol error).
    Http(hyper::Error),
    /// No response within [`REQUEST_TIMEOUT`].
    Timeout,
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Connect(e) => write!(f, "connect: {e}"),
            HttpError::Http(e) => write!(f, "http: {e}"),
            HttpError::Timeout => write!(f, "no response within {REQUEST_TIMEOUT:?}"),
        }
    }
}

impl std::error::Error for HttpError {}

/// A complete HTTP response.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-case, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One keep-alive HTTP/1.1 connection.
pub struct Conn {
    addr: SocketAddr,
    sender: SendRequest<Empty<Bytes>>,
}

impl Conn {
    /// Opens a connection to `addr`.
    pub async fn connect(addr: SocketAddr) -> Result<Conn, HttpError> {
        let stream = TokioStream::connect(addr)
            .await
            .map_err(HttpError::Connect)?;
        let _ = stream.set_nodelay(true);
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(HttpError::Http)?;
        tokio::spawn(async move {
            // The connection ends when the server closes it or the sender is
            // dropped; either is normal here.
            let _ = conn.await;
        });
        Ok(Conn { addr, sender })
    }

    /// Sends `method path` and reads the whole response.
    pub async fn request(&mut self, method: &str, path: &str) -> Result<Reply, HttpError> {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("host", self.addr.to_string())
            .body(Empty::<Bytes>::new())
            .expect("request parts are valid");
        let exchange = async {
            self.sender.ready().await.map_err(HttpError::Http)?;
            let resp = self
                .sender
                .send_request(req)
                .await
                .map_err(HttpError::Http)?;
            read_reply(resp).await
        };
        tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .map_err(|_| HttpError::Timeout)?
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> Result<Reply, HttpError> {
        self.request("GET", path).await
    }
}

/// A whole response: status, headers (values lossily as text), body.
async fn read_reply(resp: hyper::Response<hyper::body::Incoming>) -> Result<Reply, HttpError> {
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(HttpError::Http)?
        .to_bytes()
        .to_vec();
    Ok(Reply {
        status,
        headers,
        body,
    })
}

/// Blocking `method path` on a fresh connection.
pub fn request(addr: SocketAddr, method: &str, path: &str) -> Result<Reply, HttpError> {
    rt().block_on(async { Conn::connect(addr).await?.request(method, path).await })
}

/// Blocking `GET path` on a fresh connection.
pub fn get(addr: SocketAddr, path: &str) -> Result<Reply, HttpError> {
    request(addr, "GET", path)
}

/// Blocking `method path` with `body` (its length announced) on a fresh
/// connection; panics if there is no answer.
pub fn send(addr: SocketAddr, method: &str, path: &str, body: Vec<u8>) -> Reply {
    let exchange = async {
        let stream = TokioStream::connect(addr)
            .await
            .map_err(HttpError::Connect)?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake::<_, Full<Bytes>>(TokioIo::new(stream))
                .await
                .map_err(HttpError::Http)?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("host", addr.to_string())
            .body(Full::new(Bytes::from(body)))
            .expect("request parts are valid");
        let resp = sender.send_request(req).await.map_err(HttpError::Http)?;
        read_reply(resp).await
    };
    rt().block_on(async { tokio::time::timeout(REQUEST_TIMEOUT, exchange).await })
        .map_err(|_| HttpError::Timeout)
        .and_then(|r| r)
        .unwrap_or_else(|e| panic!("{method} http://{addr}{path}: {e}"))
}

/// Blocking `GET path` that must answer; panics with the error otherwise.
pub fn must_get(addr: SocketAddr, path: &str) -> Reply {
    get(addr, path).unwrap_or_else(|e| panic!("GET http://{addr}{path}: {e}"))
}

/// `GET path` until it answers 200 (a link or provider coming up on a
/// lattice takes a moment); panics after `within` with the last answer and
/// `log()` (the host logs worth reading).
pub fn get_until_ok(
    addr: SocketAddr,
    path: &str,
    within: Duration,
    log: impl Fn() -> String,
) -> Reply {
    let deadline = std::time::Instant::now() + within;
    loop {
        let r = must_get(addr, path);
        if r.status == 200 {
            return r;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "GET {path}: {} {}\n{}",
            r.status,
            r.text(),
            log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The `counter` of a kvcounter answer (`{"counter": N}`).
pub fn counter_of(body: &str) -> i64 {
    let v: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body:?}"));
    v["counter"]
        .as_i64()
        .unwrap_or_else(|| panic!("no integer `counter` in {body}"))
}

/// Writes `bytes` to a new TCP connection, half-closes it, and returns
/// everything the server answers until it closes (or `timeout` passes).
/// For malformed-request tests: no HTTP library would send such bytes.
pub fn raw_exchange(addr: SocketAddr, bytes: &[u8], timeout: Duration) -> std::io::Result<Vec<u8>> {
    let mut s = TcpStream::connect_timeout(&addr, timeout)?;
    s.set_read_timeout(Some(timeout))?;
    s.write_all(bytes)?;
    s.flush()?;
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            // Reset after the answer, or a timeout: what arrived is the answer.
            Err(_) if !out.is_empty() => break,
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// What a load run saw.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Requests handed to a connection (the server may or may not have seen them).
    pub sent: u64,
    /// Responses by status code.
    pub statuses: BTreeMap<u16, u64>,
    /// Requests that got no response (connection errors, timeouts).
    pub errors: u64,
    /// The first transport error, for messages.
    pub first_error: Option<String>,
    /// The first non-200 response body, for messages.
    pub first_failure_body: Option<String>,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl LoadReport {
    /// Responses with status 200.
    pub fn ok(&self) -> u64 {
        self.statuses.get(&200).copied().unwrap_or(0)
    }

    /// Requests per second over the run.
    pub fn rate(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 {
            (self.sent - self.errors) as f64 / s
        } else {
            0.0
        }
    }
}

/// Counters shared between the driver tasks and whoever watches them.
#[derive(Debug, Default)]
pub struct LoadCounters {
    /// Requests handed to a connection.
    pub sent: AtomicU64,
    /// 200 responses received.
    pub acked: AtomicU64,
    stop: AtomicBool,
    report: Mutex<LoadReport>,
}

impl LoadCounters {
    fn record(&self, result: &Result<Reply, HttpError>) {
        let mut r = self.report.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(reply) => {
                if reply.status == 200 {
                    self.acked.fetch_add(1, Ordering::SeqCst);
                } else if r.first_failure_body.is_none() {
                    r.first_failure_body = Some(format!("{} {}", reply.status, reply.text()));
                }
                *r.statuses.entry(reply.status).or_default() += 1;
            }
            Err(e) => {
                r.errors += 1;
                if r.first_error.is_none() {
                    r.first_error = Some(e.to_string());
                }
            }
        }
    }
}

/// Runs `GET path` `total` times (`total = None`: until stopped) over
/// `connections` concurrent keep-alive connections. A connection that fails
/// is reopened (after a short pause when connecting itself fails).
async fn drive(
    addr: SocketAddr,
    path: String,
    connections: usize,
    total: Option<u64>,
    c: Arc<LoadCounters>,
) {
    let started = Instant::now();
    let claimed = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..connections.max(1) {
        let (c, claimed, path) = (c.clone(), claimed.clone(), path.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn: Option<Conn> = None;
            while !c.stop.load(Ordering::SeqCst) {
                if let Some(t) = total {
                    if claimed.fetch_add(1, Ordering::SeqCst) >= t {
                        break;
                    }
                }
                let result = loop {
                    if conn.is_none() {
                        match Conn::connect(addr).await {
                            Ok(k) => conn = Some(k),
                            // Open-ended runs (crash tests) wait for the
                            // server to come back or for the stop flag; a
                            // request that never left is not counted as sent.
                            Err(_) if total.is_none() => {
                                if c.stop.load(Ordering::SeqCst) {
                                    return;
                                }
                                tokio::time::sleep(Duration::from_millis(20)).await;
                                continue;
                            }
                            Err(e) => break Err(e),
                        }
                    }
                    c.sent.fetch_add(1, Ordering::SeqCst);
                    // No retries: a retried request could be applied twice,
                    // and the exact-count tests must see every failure.
                    let r = conn.as_mut().expect("connected above").get(&path).await;
                    if r.is_err() {
                        conn = None;
                    }
                    break r;
                };
                c.record(&result);
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let mut r = c.report.lock().unwrap_or_else(|e| e.into_inner());
    r.sent = c.sent.load(Ordering::SeqCst);
    r.elapsed = started.elapsed();
}

/// Blocking: `total` GETs of `path` over `connections` connections.
pub fn load(addr: SocketAddr, path: &str, connections: usize, total: u64) -> LoadReport {
    let c = Arc::new(LoadCounters::default());
    rt().block_on(drive(
        addr,
        path.to_string(),
        connections,
        Some(total),
        c.clone(),
    ));
    let r = c.report.lock().unwrap_or_else(|e| e.into_inner()).clone();
    r
}

/// An open-ended load run in the background (crash tests): it keeps
/// `connections` connections sending `GET path` until [`Driver::stop`].
pub struct Driver {
    counters: Arc<LoadCounters>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Driver {
    /// Starts driving `GET path` on `addr`.
    pub fn start(addr: SocketAddr, path: &str, connections: usize) -> Driver {
        let counters = Arc::new(LoadCounters::default());
        let task = rt().spawn(drive(
            addr,
            path.to_string(),
            connections,
            None,
            counters.clone(),
        ));
        Driver {
            counters,
            task: Some(task),
        }
    }

    /// Requests sent so far.
    pub fn sent(&self) -> u64 {
        self.counters.sent.load(Ordering::SeqCst)
    }

    /// 200 responses so far.
    pub fn acked(&self) -> u64 {
        self.counters.acked.load(Ordering::SeqCst)
    }

    /// Waits until `n` requests were acknowledged or `timeout` passed;
    /// returns whether the count was reached.
    pub fn wait_acked(&self, n: u64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.acked() >= n {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        self.acked() >= n
    }

    /// Stops the run, waits for every outstanding request to finish (or
    /// fail), and returns the report.
    pub fn stop(mut self) -> LoadReport {
        self.counters.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.task.take() {
            let _ = rt().block_on(t);
        }
        let r = self
            .counters
            .report
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        r
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.counters.stop.store(true, Ordering::SeqCst);
    }
}
