//! kvcounter: every visit increments a counter in the linked key-value store.
//!
//! - `GET /api/counter` answers `{"counter":N}` (key `counter:default`);
//!   `GET /api/counter/<name>` counts under `counter:<name>`.
//! - `GET /` answers a small HTML page showing the count after this visit.
//! - anything else is 404; non-GET methods are 405.

use weld_interface_httpserver::{HttpRequest, HttpResponse, HttpServer, HttpServerReceiver};
use weld_interface_keyvalue::{IncrementRequest, KeyValue, KeyValueSender};
use weld_rpc::{async_trait, Context, RpcResult};

/// The actor. Stateless: the count lives in the key-value provider.
#[derive(Debug, Default)]
pub struct KvCounter;

/// What a request asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    /// `GET /api/counter[/<name>]`: JSON count for `counter:<name>`
    /// (`default` when no name is given).
    Api(String),
    /// `GET /`: the HTML page.
    Page,
    /// Unknown path.
    NotFound,
    /// Known path, wrong method.
    MethodNotAllowed,
}

/// Maps method + path to a route. Counter names keep only characters that
/// are safe in store keys, so `/api/a b` cannot smuggle separators in.
pub fn route(method: &str, path: &str) -> Route {
    let path = path.split('?').next().unwrap_or("");
    let target = match path.trim_end_matches('/') {
        "" => Route::Page,
        "/api/counter" => Route::Api("default".to_string()),
        p => match p.strip_prefix("/api/counter/") {
            Some(name)
                if !name.is_empty()
                    && name.len() <= 64
                    && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                Route::Api(name.to_string())
            }
            _ => return Route::NotFound,
        },
    };
    if method.eq_ignore_ascii_case("GET") {
        target
    } else {
        Route::MethodNotAllowed
    }
}

/// The page `GET /` answers.
pub fn page(count: i32) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>kvcounter</title></head>\n<body>\n<h1>kvcounter</h1>\n\
         <p>This page has been visited <strong id=\"count\">{count}</strong> times.</p>\n\
         <p>JSON: <a href=\"/api/counter\">/api/counter</a></p>\n</body></html>\n"
    )
}

fn response(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> HttpResponse {
    let mut header = std::collections::HashMap::new();
    header.insert("Content-Type".to_string(), vec![content_type.to_string()]);
    HttpResponse { status_code: status, header, body: body.into() }
}

async fn increment(ctx: &Context, name: &str) -> RpcResult<i32> {
    KeyValueSender::new()
        .increment(ctx, &IncrementRequest { key: format!("counter:{name}"), value: 1 })
        .await
}

#[async_trait]
impl HttpServer for KvCounter {
    async fn handle_request(&self, ctx: &Context, req: &HttpRequest) -> RpcResult<HttpResponse> {
        Ok(match route(&req.method, &req.path) {
            Route::Api(name) => {
                let n = increment(ctx, &name).await?;
                response(200, "application/json", format!("{{\"counter\":{n}}}"))
            }
            Route::Page => {
                let n = increment(ctx, "default").await?;
                response(200, "text/html; charset=utf-8", page(n))
            }
            Route::NotFound => response(404, "text/plain", "not found\n"),
            Route::MethodNotAllowed => response(405, "text/plain", "method not allowed\n"),
        })
    }
}

weld_rpc::actor!(KvCounter: HttpServerReceiver);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(route("GET", "/api/counter"), Route::Api("default".into()));
        assert_eq!(route("get", "/api/counter/"), Route::Api("default".into()));
        assert_eq!(route("GET", "/api/counter?x=1"), Route::Api("default".into()));
        assert_eq!(route("GET", "/api/counter/visits"), Route::Api("visits".into()));
        assert_eq!(route("GET", "/"), Route::Page);
        assert_eq!(route("GET", ""), Route::Page);
        assert_eq!(route("POST", "/"), Route::MethodNotAllowed);
        assert_eq!(route("GET", "/api/"), Route::NotFound);
        assert_eq!(route("GET", "/api/counter/a:b"), Route::NotFound);
        assert_eq!(route("GET", "/favicon.ico"), Route::NotFound);
    }

    #[test]
    fn page_shows_count() {
        assert!(page(42).contains(">42<"));
    }
}
