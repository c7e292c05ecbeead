//! Issue 11: the httpserver provider copies a request body once before it
//! encodes the request for the actor. A counting global allocator (this test
//! binary holds this one test only, so nothing else allocates meanwhile)
//! sums the body-sized buffers allocated between sending a large request
//! over a real socket and the (native) actor receiving it.
//!
//! Run: `cargo test -p host-min --test httpserver_body_copies`

mod provider_support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use host_min::providers::httpserver::HttpServerProvider;
use host_min::providers::{Message, Provider, RpcResult};
use provider_support::{actor_link, context, link, TestActors};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use weld_interface_httpserver::{HttpRequest, HttpResponse};

/// Body size: far above hyper's read buffer (~400 KiB), so no buffer but a
/// copy of the body reaches [`LARGE`].
const BODY: usize = 4 << 20;
/// Allocations at least this big count as a body-sized buffer.
const LARGE: usize = BODY / 2;

/// Sums the sizes of large allocations (and of reallocations to a large
/// size: a growing buffer the body is copied into) while armed.
struct Counting;

static ARMED: AtomicBool = AtomicBool::new(false);
static LARGE_BYTES: AtomicUsize = AtomicUsize::new(0);

fn count(size: usize) {
    if size >= LARGE && ARMED.load(Ordering::SeqCst) {
        LARGE_BYTES.fetch_add(size, Ordering::SeqCst);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A native actor that notes the large bytes allocated so far the moment a
/// request reaches it, then keeps the encoded request for the test.
#[derive(Default)]
struct MeasuringActor {
    at_call: Mutex<Option<usize>>,
    arg: Mutex<Option<Vec<u8>>>,
}

#[async_trait]
impl TestActors for MeasuringActor {
    async fn call(&self, _actor_id: &str, msg: Message<'_>) -> RpcResult<Vec<u8>> {
        ARMED.store(false, Ordering::SeqCst);
        *self.at_call.lock().unwrap() = Some(LARGE_BYTES.load(Ordering::SeqCst));
        *self.arg.lock().unwrap() = Some(msg.arg.into_owned());
        Ok(rmp_serde::to_vec_named(&HttpResponse::default()).unwrap())
    }
}

/// From the socket to the actor, a large request body is held in body-sized
/// buffers of less than 2.5x its size in all: the one copy the provider reads
/// it into plus the encoded request (the code this replaced collected the
/// body, flattened it to `Bytes` and copied that into a `Vec`: 3x). The
/// actor receives the body intact.
#[tokio::test]
async fn a_request_body_is_copied_once_before_encoding() {
    let actor = Arc::new(MeasuringActor::default());
    let invoker: Arc<dyn TestActors> = actor.clone();
    let provider = HttpServerProvider::new(context("http", &std::env::temp_dir(), &[]));
    provider
        .put_link(
            &link(
                "Mactor",
                "wasmcloud:httpserver",
                &[("address", "127.0.0.1:0"), ("max_content_len", "8m")],
            ),
            actor_link(&invoker, "Mactor"),
        )
        .await
        .unwrap();
    let addr = provider.bound_address("Mactor", "default").unwrap();

    // The whole request is built before counting starts.
    let body: Vec<u8> = (0..BODY).map(|i| (i % 251) as u8).collect();
    let mut request = format!(
        "POST /upload HTTP/1.1\r\nhost: {addr}\r\ncontent-length: {BODY}\r\nconnection: close\r\n\r\n"
    )
    .into_bytes();
    request.extend_from_slice(&body);
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut reply = Vec::with_capacity(4096);

    LARGE_BYTES.store(0, Ordering::SeqCst);
    ARMED.store(true, Ordering::SeqCst);
    stream.write_all(&request).await.unwrap();
    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut reply))
        .await
        .expect("a reply within 60 s")
        .unwrap();
    ARMED.store(false, Ordering::SeqCst);

    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 200 "), "{reply}");
    let large = actor.at_call.lock().unwrap().expect("the actor was called");
    let arg = actor.arg.lock().unwrap().take().unwrap();
    let received: HttpRequest = rmp_serde::from_slice(&arg).unwrap();
    assert!(received.body == body, "the actor got the body intact");
    // At least the encoded request is body-sized: the counter sees it.
    eprintln!(
        "{large} bytes in body-sized buffers ({:.2}x the body)",
        large as f64 / BODY as f64
    );
    assert!(large >= BODY, "only {large} large bytes counted");
    assert!(
        (large as f64) < 2.5 * BODY as f64,
        "{large} bytes in body-sized buffers for a {BODY}-byte body ({:.2}x)",
        large as f64 / BODY as f64
    );
    provider.shutdown().await;
}
