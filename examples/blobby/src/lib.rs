//! blobby: files over HTTP, kept in whatever blob store the actor is linked
//! to (`wasmcloud:blobstore`: blobstore-fs, blobstore-s3, ...).
//!
//! - `PUT /<container>/<object>`: stores the body (the container is created
//!   when missing); 201. Bodies over [`CHUNK`] go up in chunks
//!   (`PutObject`, then `PutChunk`s).
//! - `GET /<container>/<object>`: the object; 404 when missing. Read in
//!   ranges of at most [`CHUNK`] bytes, so no single reply from the store
//!   is larger than that whatever the object's size.
//! - `DELETE /<container>/<object>`: removes it; 204, or 404.
//! - `GET /<container>`: the container's objects as JSON
//!   (`[{"id":..,"size":..}]`); 404 when missing.
//! - `DELETE /<container>`: removes the container and its objects; 204.
//! - `GET /`: the containers as JSON (`["a","b"]`).
//!
//! Object ids may contain `/`. Ids the store refuses (`..`, empty parts)
//! are 400. Other methods are 405.
//!
//! On an httpserver link with `stream_body_over` (weld's body streaming),
//! a large PUT body is read from the provider a chunk at a time and a GET
//! is sent a chunk at a time, so blobby holds one chunk, not the file:
//! without it, bodies go whole, as wasmCloud 0.x's contract has them.

use std::collections::HashMap;

use weld_interface_blobstore::{
    Blobstore, BlobstoreSender, Chunk, ChunkReceiver, ChunkReceiverReceiver, ChunkResponse,
    ContainerObject, GetObjectRequest, ListObjectsRequest, PutChunkRequest, PutObjectRequest,
    RemoveObjectsRequest,
};
use weld_interface_httpserver::{
    BodyChunk, HttpBody, HttpBodySender, HttpRequest, HttpResponse, HttpServer, HttpServerReceiver,
    ReadBodyRequest, ResponseHead,
};
use weld_rpc::{async_trait, Context, RpcError, RpcResult};

/// Largest piece moved in one call to the store.
pub const CHUNK: usize = 256 * 1024;

/// The actor. Stateless: the files live in the blob store.
#[derive(Debug, Default)]
pub struct Blobby;

/// What a request asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    /// `/`: the containers.
    Root,
    /// `/<container>`.
    Container(String),
    /// `/<container>/<object>`.
    Object(String, String),
}

/// Splits a request path into a route (the query string is ignored;
/// `%2F`-style escapes are decoded, so the store sees the real id).
pub fn route(path: &str) -> Option<Route> {
    let path = path.split('?').next().unwrap_or("");
    let path = percent_decode(path.strip_prefix('/')?)?;
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        return Some(Route::Root);
    }
    Some(match path.split_once('/') {
        None => Route::Container(path.to_string()),
        Some((c, o)) => Route::Object(c.to_string(), o.to_string()),
    })
}

/// `%XX` decoding; `None` for a bad escape or bytes that are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn response(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> HttpResponse {
    let mut header = HashMap::new();
    header.insert("Content-Type".to_string(), vec![content_type.to_string()]);
    HttpResponse {
        status_code: status,
        header,
        body: body.into(),
    }
}

fn text(status: u16, body: &str) -> HttpResponse {
    response(status, "text/plain; charset=utf-8", format!("{body}\n"))
}

/// The HTTP answer for a store error: 404 for a missing thing, 400 for an
/// id the store refuses, 500 otherwise.
fn failure(e: RpcError) -> HttpResponse {
    let msg = e.to_string();
    if msg.contains("not found") {
        text(404, "not found")
    } else if msg.contains("Invalid path") || matches!(e, RpcError::InvalidParameter(_)) {
        text(400, &msg)
    } else {
        text(500, &msg)
    }
}

/// A JSON string literal.
fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn store() -> BlobstoreSender<weld_rpc::actor::HostTransport> {
    BlobstoreSender::new()
}

/// Where a PUT's bytes come from.
enum Source<'r> {
    /// The request's own body.
    Inline { body: &'r [u8], offset: usize },
    /// The httpserver's stream: read a chunk at a time.
    Stream { id: String, done: bool },
}

impl Source<'_> {
    fn of(req: &HttpRequest) -> Source<'_> {
        match req.stream_id() {
            Some(id) if req.body_is_streamed() => Source::Stream {
                id: id.to_string(),
                done: false,
            },
            _ => Source::Inline {
                body: &req.body,
                offset: 0,
            },
        }
    }

    /// The next piece (at most [`CHUNK`] bytes) and whether it is the last.
    async fn next(&mut self, ctx: &Context) -> RpcResult<(Vec<u8>, bool)> {
        match self {
            Source::Inline { body, offset } => {
                let end = (*offset + CHUNK).min(body.len());
                let piece = body[*offset..end].to_vec();
                *offset = end;
                Ok((piece, end == body.len()))
            }
            Source::Stream { done: true, .. } => Ok((Vec::new(), true)),
            Source::Stream { id, done } => {
                let c = HttpBodySender::new()
                    .read_body(
                        ctx,
                        &ReadBodyRequest {
                            stream_id: id.clone(),
                            max_bytes: CHUNK as u32,
                        },
                    )
                    .await?;
                *done = c.is_last;
                Ok((c.bytes, c.is_last))
            }
        }
    }
}

async fn put(ctx: &Context, container: &str, object: &str, mut body: Source<'_>) -> RpcResult<()> {
    let s = store();
    if !s.container_exists(ctx, container).await? {
        s.create_container(ctx, container).await?;
    }
    let chunk = |bytes: Vec<u8>, offset: u64, is_last: bool| Chunk {
        object_id: object.to_string(),
        container_id: container.to_string(),
        bytes,
        offset,
        is_last,
    };
    let (bytes, mut is_last) = body.next(ctx).await?;
    let mut offset = bytes.len() as u64;
    let stream_id = s
        .put_object(
            ctx,
            &PutObjectRequest {
                chunk: chunk(bytes, 0, is_last),
                content_type: None,
                content_encoding: None,
            },
        )
        .await?
        .stream_id;
    let rest = async {
        while !is_last {
            let (bytes, last) = body.next(ctx).await?;
            is_last = last;
            let n = bytes.len() as u64;
            s.put_chunk(
                ctx,
                &PutChunkRequest {
                    chunk: chunk(bytes, offset, is_last),
                    stream_id: stream_id.clone(),
                    cancel_and_remove: false,
                },
            )
            .await?;
            offset += n;
        }
        Ok(())
    };
    let result: RpcResult<()> = rest.await;
    if result.is_err() {
        // A client gone midway (or a store failure): drop the partial
        // upload rather than leave it to the store.
        let _ = s
            .put_chunk(
                ctx,
                &PutChunkRequest {
                    chunk: chunk(Vec::new(), offset, true),
                    stream_id: stream_id.clone(),
                    cancel_and_remove: true,
                },
            )
            .await;
    }
    result
}

/// Bytes `start..start + len` of an object (fewer if it shrank).
async fn range(
    ctx: &Context,
    container: &str,
    object: &str,
    start: u64,
    len: u64,
) -> RpcResult<Vec<u8>> {
    let r = store()
        .get_object(
            ctx,
            &GetObjectRequest {
                object_id: object.to_string(),
                container_id: container.to_string(),
                range_start: Some(start),
                range_end: Some(start + len - 1),
            },
        )
        .await?;
    Ok(r.initial_chunk.map(|c| c.bytes).unwrap_or_default())
}

async fn size(ctx: &Context, container: &str, object: &str) -> RpcResult<u64> {
    Ok(store()
        .get_object_info(
            ctx,
            &ContainerObject {
                container_id: container.to_string(),
                object_id: object.to_string(),
            },
        )
        .await?
        .content_length)
}

/// A GET answered through the httpserver's stream, a chunk at a time.
/// Errors before the head went out are answered as usual; after it, they
/// cut the body short (the client sees an incomplete response).
async fn get_streamed(
    ctx: &Context,
    id: &str,
    container: &str,
    object: &str,
) -> RpcResult<Option<HttpResponse>> {
    let size = match size(ctx, container, object).await {
        Ok(n) => n,
        Err(e) => return Ok(Some(failure(e))),
    };
    let http = HttpBodySender::new();
    let mut header = HashMap::new();
    header.insert(
        "content-type".to_string(),
        vec!["application/octet-stream".to_string()],
    );
    header.insert("content-length".to_string(), vec![size.to_string()]);
    http.start_response(
        ctx,
        &ResponseHead {
            stream_id: id.to_string(),
            status_code: 200,
            header,
        },
    )
    .await?;
    let mut sent = 0;
    loop {
        let len = (size - sent).min(CHUNK as u64);
        let bytes = if len == 0 {
            Vec::new()
        } else {
            range(ctx, container, object, sent, len).await?
        };
        if (bytes.len() as u64) < len {
            return Err(RpcError::Other(format!(
                "{container}/{object} shrank while it was read"
            )));
        }
        sent += len;
        let is_last = sent == size;
        http.send_body(
            ctx,
            &BodyChunk {
                stream_id: id.to_string(),
                bytes,
                is_last,
            },
        )
        .await?;
        if is_last {
            return Ok(None);
        }
    }
}

async fn get(ctx: &Context, container: &str, object: &str) -> RpcResult<Vec<u8>> {
    let size = size(ctx, container, object).await?;
    let mut out = Vec::with_capacity(size as usize);
    while (out.len() as u64) < size {
        let start = out.len() as u64;
        let bytes = range(
            ctx,
            container,
            object,
            start,
            (size - start).min(CHUNK as u64),
        )
        .await?;
        if bytes.is_empty() {
            // The object shrank while it was read.
            break;
        }
        out.extend_from_slice(&bytes);
    }
    Ok(out)
}

async fn list(ctx: &Context, container: &str) -> RpcResult<String> {
    let s = store();
    let mut req = ListObjectsRequest {
        container_id: container.to_string(),
        ..Default::default()
    };
    let mut items = Vec::new();
    loop {
        let page = s.list_objects(ctx, &req).await?;
        items.extend(page.objects.into_iter().map(|o| {
            format!(
                "{{\"id\":{},\"size\":{}}}",
                json_str(&o.object_id),
                o.content_length
            )
        }));
        if page.is_last || page.continuation.is_none() {
            break;
        }
        req.continuation = page.continuation;
    }
    Ok(format!("[{}]", items.join(",")))
}

async fn serve(ctx: &Context, req: &HttpRequest) -> RpcResult<HttpResponse> {
    let Some(route) = route(&req.path) else {
        return Ok(text(400, "bad path"));
    };
    let method = req.method.to_ascii_uppercase();
    let s = store();
    Ok(match (method.as_str(), route) {
        ("GET", Route::Root) => {
            let names: Vec<String> = s
                .list_containers(ctx)
                .await?
                .iter()
                .map(|c| json_str(&c.container_id))
                .collect();
            response(200, "application/json", format!("[{}]", names.join(",")))
        }
        ("GET", Route::Container(c)) => response(200, "application/json", list(ctx, &c).await?),
        ("DELETE", Route::Container(c)) => {
            let failed = s.remove_containers(ctx, &vec![c]).await?;
            match failed.first().and_then(|f| f.error.clone()) {
                None => text(204, ""),
                Some(e) => failure(RpcError::Other(e)),
            }
        }
        ("GET", Route::Object(c, o)) => match req.stream_id() {
            Some(id) => match get_streamed(ctx, id, &c, &o).await? {
                Some(early) => early,
                // Streamed; the provider ignores this answer.
                None => text(200, ""),
            },
            None => response(200, "application/octet-stream", get(ctx, &c, &o).await?),
        },
        ("PUT", Route::Object(c, o)) => {
            put(ctx, &c, &o, Source::of(req)).await?;
            text(201, "stored")
        }
        ("DELETE", Route::Object(c, o)) => {
            let failed = s
                .remove_objects(
                    ctx,
                    &RemoveObjectsRequest {
                        container_id: c,
                        objects: vec![o],
                    },
                )
                .await?;
            match failed.first().and_then(|f| f.error.clone()) {
                None => text(204, ""),
                Some(e) => failure(RpcError::Other(e)),
            }
        }
        _ => text(405, "method not allowed"),
    })
}

#[async_trait]
impl HttpServer for Blobby {
    async fn handle_request(&self, ctx: &Context, req: &HttpRequest) -> RpcResult<HttpResponse> {
        Ok(serve(ctx, req).await.unwrap_or_else(failure))
    }
}

/// blobby reads in ranges no larger than one chunk, so a store never has
/// more to send; should one stream anyway, the rest is declined.
#[async_trait]
impl ChunkReceiver for Blobby {
    async fn receive_chunk(&self, _ctx: &Context, _arg: &Chunk) -> RpcResult<ChunkResponse> {
        Ok(ChunkResponse {
            cancel_download: true,
        })
    }
}

weld_rpc::actor!(Blobby: HttpServerReceiver, ChunkReceiverReceiver);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(route("/"), Some(Route::Root));
        assert_eq!(route(""), None);
        assert_eq!(route("/docs"), Some(Route::Container("docs".into())));
        assert_eq!(route("/docs/"), Some(Route::Container("docs".into())));
        assert_eq!(
            route("/docs/a/b.txt?x=1"),
            Some(Route::Object("docs".into(), "a/b.txt".into()))
        );
        assert_eq!(
            route("/docs/..%2F..%2Fetc"),
            Some(Route::Object("docs".into(), "../../etc".into()))
        );
        assert_eq!(route("/bad%zz"), None);
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_str("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
    }
}
