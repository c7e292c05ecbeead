//! fetch: calls out through `wasmcloud:httpclient`.
//!
//! `GET /?url=<url>` (the url percent-encoded or plain) requests `url`
//! with GET and answers with what came back: its status, its
//! `content-type` and its body. A missing `url` is 400; a
//! failed call (refused, timed out, too large) is 502 with the reason.

use std::collections::HashMap;

use weld_interface_httpclient::{HttpClient, HttpClientSender, HttpRequest as OutRequest};
use weld_interface_httpserver::{HttpRequest, HttpResponse, HttpServer, HttpServerReceiver};
use weld_rpc::{async_trait, Context, RpcResult};

/// The actor. Stateless.
#[derive(Debug, Default)]
pub struct Fetch;

/// The `url` parameter of a query string, decoded.
pub fn target(query: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == "url" && !v.is_empty()).then(|| decode(v)).flatten()
    })
}

/// `%XX` and `+` decoding; `None` for a bad escape or bytes that are not UTF-8.
fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn reply(status: u16, content_type: &str, body: Vec<u8>) -> HttpResponse {
    let mut header = HashMap::new();
    header.insert("Content-Type".to_string(), vec![content_type.to_string()]);
    HttpResponse {
        status_code: status,
        header,
        body,
    }
}

#[async_trait]
impl HttpServer for Fetch {
    async fn handle_request(&self, ctx: &Context, req: &HttpRequest) -> RpcResult<HttpResponse> {
        if !req.method.eq_ignore_ascii_case("GET") {
            return Ok(reply(405, "text/plain", b"method not allowed\n".to_vec()));
        }
        let Some(url) = target(&req.query_string) else {
            return Ok(reply(400, "text/plain", b"give ?url=<url>\n".to_vec()));
        };
        let out = OutRequest {
            method: "GET".into(),
            url,
            headers: HashMap::new(),
            body: Vec::new(),
        };
        Ok(match HttpClientSender::new().request(ctx, &out).await {
            Ok(resp) => {
                let content_type = resp
                    .header
                    .get("content-type")
                    .and_then(|v| v.first())
                    .cloned()
                    .unwrap_or_else(|| "application/octet-stream".into());
                reply(resp.status_code, &content_type, resp.body)
            }
            Err(e) => reply(502, "text/plain", format!("fetch failed: {e}\n").into_bytes()),
        })
    }
}

weld_rpc::actor!(Fetch: HttpServerReceiver);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parameter() {
        assert_eq!(
            target("url=http%3A%2F%2Fa.example%2Fx%3Fy%3D1").as_deref(),
            Some("http://a.example/x?y=1")
        );
        assert_eq!(target("a=1&url=http://b/").as_deref(), Some("http://b/"));
        assert_eq!(target("url="), None);
        assert_eq!(target(""), None);
        assert_eq!(target("url=%zz"), None);
    }
}
