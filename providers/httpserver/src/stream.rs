//! Body streaming (`stream_body_over`), weld's extension of the contract:
//! the actor reads a large request body with `HttpBody.ReadBody` and may
//! answer with `HttpBody.StartResponse` + `HttpBody.SendBody`, so a body is
//! never held whole by the provider, the host or the actor (wasmCloud 0.x
//! moves each body in one message).
//!
//! Every request of a streaming link is an *exchange* with an id, given to
//! the actor in the [`STREAM_HEADER`] request header and valid until its
//! `HandleRequest` call returns. Only the actor the request was sent to
//! may use it; any other caller is told the stream does not exist.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use bytes::{Buf, Bytes};
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::{Response, StatusCode};
use tokio::sync::{mpsc, oneshot};
use weld_interface_httpserver::{BodyChunk, ReadBodyRequest, ResponseHead};
use weld_rpc::{RpcError, RpcResult};

pub use weld_interface_httpserver::{BODY_HEADER, STREAM_HEADER};
/// Most bytes one `ReadBody` returns, whatever the actor asks for.
pub const MAX_READ: u32 = 16 * 1024 * 1024;
/// Response pieces buffered between the actor and a slow client.
const RESPONSE_BUFFER: usize = 4;

/// Why a streamed response ended early (the client sees the connection
/// close before the body is complete).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Aborted(pub String);

/// A response body fed by the actor's `SendBody` calls.
pub struct ChannelBody {
    rx: mpsc::Receiver<Result<Bytes, Aborted>>,
    /// `content-length` the actor declared, for hyper's framing.
    length: Option<u64>,
}

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = Aborted;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Aborted>>> {
        self.rx
            .poll_recv(cx)
            .map(|piece| piece.map(|r| r.map(Frame::data)))
    }

    fn size_hint(&self) -> SizeHint {
        match self.length {
            Some(n) => SizeHint::with_exact(n),
            None => SizeHint::default(),
        }
    }
}

/// Why reading a request body failed; decides the status the client gets
/// if the actor has not started its response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadFailure {
    /// Over `max_content_len`: 413.
    TooLarge,
    /// Not received within the body timeout: 408.
    Timeout,
    /// The client's body was malformed or the connection broke: 400.
    Broken,
}

impl ReadFailure {
    /// The status for the client.
    pub fn status(self) -> StatusCode {
        match self {
            ReadFailure::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ReadFailure::Timeout => StatusCode::REQUEST_TIMEOUT,
            ReadFailure::Broken => StatusCode::BAD_REQUEST,
        }
    }
}

/// The request body, read on demand.
struct BodyIn {
    body: Option<Incoming>,
    /// Bytes of the last frame beyond what the last read wanted.
    pending: Bytes,
    /// Bytes received so far.
    received: u64,
    limit: u64,
    timeout: Duration,
    /// Set once the whole body (or a failure) was seen.
    finished: bool,
    failure: Option<ReadFailure>,
}

impl BodyIn {
    fn done(&self) -> bool {
        self.pending.is_empty()
            && (self.finished || self.body.as_ref().is_none_or(|b| b.is_end_stream()))
    }

    /// Up to `max` bytes: what is pending, then frames as they arrive.
    async fn read(&mut self, max: usize) -> Result<(Vec<u8>, bool), ReadFailure> {
        if let Some(f) = self.failure {
            return Err(f);
        }
        let mut out = Vec::with_capacity(max.min(self.pending.len().max(64 * 1024)));
        while out.len() < max {
            if !self.pending.is_empty() {
                let n = (max - out.len()).min(self.pending.len());
                out.extend_from_slice(&self.pending[..n]);
                self.pending.advance(n);
                continue;
            }
            if self.done() {
                break;
            }
            let Some(body) = self.body.as_mut() else {
                break;
            };
            let frame = match tokio::time::timeout(self.timeout, body.frame()).await {
                Err(_) => return Err(self.fail(ReadFailure::Timeout)),
                Ok(None) => {
                    self.finished = true;
                    break;
                }
                Ok(Some(Err(e))) => {
                    tracing::debug!(error = %e, "streamed request body could not be read");
                    return Err(self.fail(ReadFailure::Broken));
                }
                Ok(Some(Ok(frame))) => frame,
            };
            if let Ok(data) = frame.into_data() {
                self.received += data.len() as u64;
                if self.received > self.limit {
                    return Err(self.fail(ReadFailure::TooLarge));
                }
                self.pending = data;
            }
        }
        let last = self.done();
        Ok((out, last))
    }

    fn fail(&mut self, f: ReadFailure) -> ReadFailure {
        self.failure = Some(f);
        self.body = None;
        self.pending = Bytes::new();
        f
    }
}

/// The response side of an exchange.
enum Out {
    /// `HandleRequest` has not started a response; the request task waits
    /// on the receiver of this sender.
    Waiting(oneshot::Sender<Response<ChannelBody>>),
    /// The head went out; pieces go here.
    Started(mpsc::Sender<Result<Bytes, Aborted>>),
    /// The last piece was sent (or the exchange ended).
    Finished,
}

/// One request of a streaming link.
pub struct Exchange {
    actor_id: String,
    body: tokio::sync::Mutex<BodyIn>,
    out: Mutex<Out>,
}

impl Exchange {
    /// What the body read ran into, if anything.
    pub async fn read_failure(&self) -> Option<ReadFailure> {
        self.body.lock().await.failure
    }

    /// Ends the response: cleanly, or cut short with `error` (the client
    /// sees an incomplete body).
    pub async fn finish(&self, error: Option<String>) {
        let out = std::mem::replace(&mut *lock(&self.out), Out::Finished);
        if let (Out::Started(tx), Some(e)) = (out, error) {
            let _ = tx.send(Err(Aborted(e))).await;
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The exchanges in flight, shared by a provider's listeners and its
/// `handle` (where the actor's calls arrive).
#[derive(Default)]
pub struct Streams {
    next: AtomicU64,
    open: Mutex<HashMap<String, Arc<Exchange>>>,
}

/// An exchange registered in [`Streams`]; dropping it forgets the id.
pub struct Registered {
    streams: Arc<Streams>,
    /// The id for the [`STREAM_HEADER`] header.
    pub id: String,
    /// The exchange.
    pub exchange: Arc<Exchange>,
}

impl Drop for Registered {
    fn drop(&mut self) {
        lock(&self.streams.open).remove(&self.id);
    }
}

impl Streams {
    /// Opens an exchange for `actor_id`: `body` (if the actor is to read it
    /// with `ReadBody`) within `limit` bytes; the receiver yields the
    /// response if the actor starts one.
    pub fn open(
        self: &Arc<Self>,
        actor_id: &str,
        body: Option<Incoming>,
        limit: u64,
        timeout: Duration,
    ) -> (Registered, oneshot::Receiver<Response<ChannelBody>>) {
        // Ids are not guessable from each other, though only the actor the
        // request went to may use one anyway.
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let id = format!("{n:x}-{:08x}", rand_u32());
        let (tx, rx) = oneshot::channel();
        let exchange = Arc::new(Exchange {
            actor_id: actor_id.to_string(),
            body: tokio::sync::Mutex::new(BodyIn {
                finished: body.is_none(),
                body,
                pending: Bytes::new(),
                received: 0,
                limit,
                timeout,
                failure: None,
            }),
            out: Mutex::new(Out::Waiting(tx)),
        });
        lock(&self.open).insert(id.clone(), Arc::clone(&exchange));
        (
            Registered {
                streams: Arc::clone(self),
                id,
                exchange,
            },
            rx,
        )
    }

    fn get(&self, actor_id: &str, id: &str) -> RpcResult<Arc<Exchange>> {
        match lock(&self.open).get(id) {
            Some(x) if x.actor_id == actor_id => Ok(Arc::clone(x)),
            // Another actor's stream is as unknown as a finished one.
            _ => Err(RpcError::InvalidParameter(format!(
                "no HTTP stream {id:?} (streams last until HandleRequest returns)"
            ))),
        }
    }

    /// `HttpBody.ReadBody` from `actor_id`.
    pub async fn read_body(&self, actor_id: &str, req: &ReadBodyRequest) -> RpcResult<BodyChunk> {
        if req.max_bytes == 0 {
            return Err(RpcError::InvalidParameter(
                "maxBytes must be above 0".into(),
            ));
        }
        let x = self.get(actor_id, &req.stream_id)?;
        let mut body = x.body.lock().await;
        let (bytes, is_last) = body
            .read(req.max_bytes.min(MAX_READ) as usize)
            .await
            .map_err(|f| {
                RpcError::Other(match f {
                    ReadFailure::TooLarge => format!(
                        "request body larger than max_content_len ({} bytes)",
                        body.limit
                    ),
                    ReadFailure::Timeout => {
                        format!("request body not received within {:?}", body.timeout)
                    }
                    ReadFailure::Broken => "request body broken off by the client".into(),
                })
            })?;
        Ok(BodyChunk {
            stream_id: req.stream_id.clone(),
            bytes,
            is_last,
        })
    }

    /// `HttpBody.StartResponse` from `actor_id`: the head goes to the
    /// client now.
    pub fn start_response(&self, actor_id: &str, head: &ResponseHead) -> RpcResult<()> {
        let x = self.get(actor_id, &head.stream_id)?;
        let mut out = lock(&x.out);
        let Out::Waiting(_) = &*out else {
            return Err(RpcError::Other(format!(
                "the response of HTTP stream {:?} was already started",
                head.stream_id
            )));
        };
        let status = StatusCode::from_u16(head.status_code).map_err(|_| {
            RpcError::InvalidParameter(format!("invalid status code {}", head.status_code))
        })?;
        let (tx, rx) = mpsc::channel(RESPONSE_BUFFER);
        let length = head
            .header
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.first())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let mut r = Response::new(ChannelBody { rx, length });
        *r.status_mut() = status;
        crate::copy_headers(&head.header, r.headers_mut());
        let Out::Waiting(waiter) = std::mem::replace(&mut *out, Out::Started(tx)) else {
            unreachable!("checked above")
        };
        waiter
            .send(r)
            .map_err(|_| RpcError::Other(format!("HTTP stream {:?} has ended", head.stream_id)))
    }

    /// `HttpBody.SendBody` from `actor_id`: waits while the client is
    /// behind by more than a few pieces.
    pub async fn send_body(&self, actor_id: &str, piece: &BodyChunk) -> RpcResult<()> {
        let x = self.get(actor_id, &piece.stream_id)?;
        let tx = match &*lock(&x.out) {
            Out::Started(tx) => tx.clone(),
            Out::Waiting(_) => {
                return Err(RpcError::Other(format!(
                    "HTTP stream {:?}: StartResponse must come before SendBody",
                    piece.stream_id
                )))
            }
            Out::Finished => {
                return Err(RpcError::Other(format!(
                    "HTTP stream {:?}: the response body was already finished",
                    piece.stream_id
                )))
            }
        };
        if !piece.bytes.is_empty() {
            tx.send(Ok(Bytes::copy_from_slice(&piece.bytes)))
                .await
                .map_err(|_| RpcError::Other("the HTTP client went away".into()))?;
        }
        if piece.is_last {
            *lock(&x.out) = Out::Finished;
        }
        Ok(())
    }
}

/// A random 32-bit value (from the std hasher's per-process keys and the
/// clock), enough to keep ids from being sequential.
fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish() as u32
}
