//! A counter actor written against the generated crates: each HTTP request
//! increments `counter:<path>` in the linked key-value store and answers
//! `{"counter":N}`.

use std::collections::HashMap;
use weld_interface_httpserver::{HttpRequest, HttpResponse, HttpServer, HttpServerReceiver};
use weld_interface_keyvalue::{IncrementRequest, KeyValue, KeyValueSender};
use weld_rpc::{Context, RpcResult};

/// The actor.
#[derive(Default)]
pub struct Counter;

#[weld_rpc::async_trait]
impl HttpServer for Counter {
    async fn handle_request(&self, ctx: &Context, req: &HttpRequest) -> RpcResult<HttpResponse> {
        let key = format!("counter:{}", req.path.trim_matches('/'));
        let n = KeyValueSender::new()
            .increment(ctx, &IncrementRequest { key, value: 1 })
            .await?;
        Ok(HttpResponse {
            status_code: 200,
            header: HashMap::new(),
            body: format!("{{\"counter\":{n}}}").into_bytes(),
        })
    }
}

weld_rpc::actor!(Counter: HttpServerReceiver);
