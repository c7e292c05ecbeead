//! The linked actor of the blobstore provider tests (blobstore-fs, and
//! blobstore-s3 through `#[path]`): a `ChunkReceiver` that records what a
//! download sends it, decoding each callback with the generated
//! `ChunkReceiverReceiver` as a real actor's glue would.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use weld_interface_blobstore::{
    Chunk, ChunkReceiver, ChunkReceiverReceiver, ChunkResponse, ContainerObject, GetObjectRequest,
    PutObjectRequest,
};
use weld_rpc::{Context, Message, RpcResult, SendOpts, Transport};

/// What the actor's `ChunkReceiver` got.
#[derive(Default)]
pub struct Received {
    pub chunks: Vec<(u64, usize, bool)>,
    /// The bytes, when kept.
    pub bytes: Vec<u8>,
    pub total: u64,
}

/// The linked actor: records chunks; cancels after `cancel_after` chunks.
#[derive(Clone)]
pub struct Actor {
    pub received: Arc<Mutex<Received>>,
    pub keep_bytes: bool,
    pub cancel_after: Option<usize>,
}

impl Actor {
    /// Waits until the actor got a chunk with `is_last`, or `n` chunks.
    pub async fn wait_chunks(&self, n: usize) {
        for _ in 0..1000 {
            {
                let r = self.received.lock().unwrap();
                if r.chunks.len() >= n || r.chunks.last().is_some_and(|c| c.2) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("chunks did not arrive");
    }
}

#[weld_rpc::async_trait]
impl ChunkReceiver for Actor {
    async fn receive_chunk(&self, _ctx: &Context, arg: &Chunk) -> RpcResult<ChunkResponse> {
        let mut r = self.received.lock().unwrap();
        r.chunks.push((arg.offset, arg.bytes.len(), arg.is_last));
        r.total += arg.bytes.len() as u64;
        if self.keep_bytes {
            r.bytes.extend_from_slice(&arg.bytes);
        }
        Ok(ChunkResponse {
            cancel_download: self.cancel_after.is_some_and(|n| r.chunks.len() >= n),
        })
    }
}

#[weld_rpc::async_trait]
impl Transport for Actor {
    async fn send(
        &self,
        ctx: &Context,
        req: Message<'_>,
        _opts: Option<SendOpts>,
    ) -> RpcResult<Vec<u8>> {
        ChunkReceiverReceiver::dispatch(self, ctx, req).await
    }
}

pub fn ctx() -> Context {
    Context::default()
}

/// A chunk of `object` in `container`.
pub fn chunk(container: &str, object: &str, bytes: &[u8], offset: u64, is_last: bool) -> Chunk {
    Chunk {
        object_id: object.into(),
        container_id: container.into(),
        bytes: bytes.to_vec(),
        offset,
        is_last,
    }
}

/// A whole object in one chunk.
pub fn put(container: &str, object: &str, bytes: &[u8]) -> PutObjectRequest {
    PutObjectRequest {
        chunk: chunk(container, object, bytes, 0, true),
        content_type: None,
        content_encoding: None,
    }
}

/// `object`, all of it or a range (`rangeEnd` inclusive).
pub fn get(container: &str, object: &str, range: Option<(u64, u64)>) -> GetObjectRequest {
    GetObjectRequest {
        object_id: object.into(),
        container_id: container.into(),
        range_start: range.map(|r| r.0),
        range_end: range.map(|r| r.1),
    }
}

/// Container and object.
pub fn co(container: &str, object: &str) -> ContainerObject {
    ContainerObject {
        container_id: container.into(),
        object_id: object.into(),
    }
}
