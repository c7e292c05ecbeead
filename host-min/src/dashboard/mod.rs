//! The web dashboard (`host-min up --dashboard ADDR`): one page that shows
//! the whole lattice (every host, actor, provider, link, and a live event
//! feed) and deploys to it from the browser.
//!
//! - **Where it looks.** On a lattice, through the control client on the
//!   host's own NATS connection, so it shows every host; a host without a
//!   lattice shows itself ([`source`]). The picture is kept in memory and
//!   follows the lattice's events ([`view`]); the page gets it inline on
//!   load and then over server-sent events (`/api/stream`).
//! - **What it does.** Start an actor or a provider from a reference or
//!   an upload (on a lattice, uploads go to the lattice's upload store, so
//!   any host starts them), on a host chosen or the auction's pick; scale
//!   and stop actors, stop
//!   providers, put and delete links, stop hosts. Each action answers with
//!   the outcome the host reported, or its error text.
//! - **Offline.** The page, its script and its style are compiled into
//!   the binary; no CDN, no Node toolchain.
//!
//! # Safety
//! - It binds loopback unless told otherwise, and then answers only
//!   requests whose `Host` is a loopback name (no DNS rebinding: see
//!   [`crate::admin::host_allowed`]).
//! - On any other address it requires a token (`$HOST_MIN_DASHBOARD_TOKEN`,
//!   or a fresh one printed at start): `/?token=...` once sets an HttpOnly,
//!   SameSite=Strict cookie; API clients may send `Authorization: Bearer`.
//! - Every change is a POST carrying the page's CSRF token in a header
//!   (which a cross-site form cannot send), with `Origin` and
//!   `Sec-Fetch-Site` checked when the browser sends them.
//! - Link values that look secret are masked ([`weld_rpc::redact`]), in
//!   the link table and in the event feed.

mod source;
mod view;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::json;
use tokio::net::TcpListener;

use crate::host::Host;
use source::Source;
use view::View;

/// The environment variable holding the dashboard's access token.
pub const TOKEN_ENV: &str = "HOST_MIN_DASHBOARD_TOKEN";
/// The cookie a valid `?token=` sets.
const COOKIE: &str = "weld_dashboard";
/// The header every POST carries the page's CSRF token in.
const CSRF_HEADER: &str = "x-csrf-token";
/// Largest JSON body of an action.
const MAX_JSON: usize = 64 << 10;
/// How often an idle event stream sends a comment (proxies and browsers
/// drop silent connections).
const KEEPALIVE: Duration = Duration::from_secs(15);

const PAGE: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/app.js");
const STYLE: &str = include_str!("assets/app.css");

/// How to serve the dashboard.
#[derive(Debug, Clone)]
pub struct DashboardConfig {
    /// Where to listen (port 0 picks one).
    pub addr: SocketAddr,
    /// Access token; required (and made up when `None`) on a non-loopback
    /// address, optional on loopback.
    pub token: Option<String>,
}

/// A running dashboard.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// The bound address.
    pub addr: SocketAddr,
    /// The token it requires, if any.
    pub token: Option<String>,
}

impl Dashboard {
    /// The URL to open (with the token, when one is required).
    pub fn url(&self) -> String {
        match &self.token {
            Some(t) => format!("http://{}/?token={t}", self.addr),
            None => format!("http://{}/", self.addr),
        }
    }
}

/// Why the dashboard could not start.
#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    /// Binding failed.
    #[error("dashboard on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The lattice's events could not be followed.
    #[error("dashboard: following the lattice's events: {0}")]
    Events(String),
}

struct State {
    view: Arc<View>,
    bound: SocketAddr,
    token: Option<String>,
    csrf: String,
    /// The page with everything but the picture filled in.
    page_head: String,
    page_tail: String,
}

fn random_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Serves the dashboard of `host` on `config.addr` until the runtime
/// stops.
pub async fn serve(host: Arc<Host>, config: DashboardConfig) -> Result<Dashboard, DashboardError> {
    let addr = config.addr;
    let token = match config.token.filter(|t| !t.is_empty()) {
        Some(t) => Some(t),
        None if !addr.ip().is_loopback() => Some(random_token()),
        None => None,
    };
    let source = match host.lattice() {
        Some(l) => Source::Lattice {
            ctl: crate::lattice::client::CtlClient::new(l.nats().clone(), l.prefix()),
            host: host.clone(),
        },
        None => Source::Local(host.clone()),
    };
    let view = View::start(Arc::new(source))
        .await
        .map_err(DashboardError::Events)?;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| DashboardError::Bind { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| DashboardError::Bind { addr, source })?;
    let csrf = random_token();
    let page = PAGE
        .replace("{{CSRF}}", &csrf)
        .replace("/app.js", &format!("/app.js?v={}", *SCRIPT_VERSION))
        .replace("/app.css", &format!("/app.css?v={}", *STYLE_VERSION));
    let (page_head, page_tail) = page
        .split_once("{{STATE}}")
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .expect("index.html has a {{STATE}} slot");
    let state = Arc::new(State {
        view,
        bound,
        token: token.clone(),
        csrf,
        page_head,
        page_tail,
    });
    crate::admin::serve_http1(listener, "dashboard", move |req: Request<Incoming>| {
        let state = state.clone();
        async move { handle(&state, req).await }
    });
    Ok(Dashboard { addr: bound, token })
}

type Body = BoxBody<Bytes, Infallible>;

fn full(b: impl Into<Bytes>) -> Body {
    Full::new(b.into()).boxed()
}

fn respond(status: StatusCode, content_type: &str, body: Body) -> Response<Body> {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).expect("static content type"),
    );
    // The page runs only its own script and style, and is never framed.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The version of an asset: the start of its SHA-256. The page names its
/// script and style with it (`/app.js?v=...`), so a browser may keep them
/// for good: another build's page names other versions.
fn asset_version(content: &str) -> String {
    crate::oci::cache::sha256_hex(content.as_bytes())[..16].to_string()
}

static SCRIPT_VERSION: LazyLock<String> = LazyLock::new(|| asset_version(SCRIPT));
static STYLE_VERSION: LazyLock<String> = LazyLock::new(|| asset_version(STYLE));

/// The script or the style. Asked for by its current version, it may be
/// cached forever (each load of the page then skips fetching and compiling
/// it: the first paint's biggest saving); otherwise it is revalidated.
fn asset(
    req: &Request<Incoming>,
    content_type: &str,
    content: &'static str,
    version: &str,
) -> Response<Body> {
    let mut r = respond(StatusCode::OK, content_type, full(content));
    if query_param(req.uri().query(), "v") == Some(version) {
        r.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    r
}

fn answer(status: StatusCode, value: serde_json::Value) -> Response<Body> {
    respond(status, "application/json", full(value.to_string()))
}

fn refuse(status: StatusCode, message: &str) -> Response<Body> {
    answer(status, json!({ "error": message }))
}

/// The value of cookie `name`.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Compares secrets in time independent of where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn query_param<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Percent-decodes a query value (`+` is a space); a bad escape stays as
/// written.
fn unescape(v: &str) -> String {
    fn hex(c: u8) -> Option<u8> {
        (c as char).to_digit(16).map(|d| d as u8)
    }
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(h << 4 | l);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl State {
    /// Whether the request may see the dashboard at all.
    fn admitted(&self, req: &Request<Incoming>) -> bool {
        if self.bound.ip().is_loopback()
            && !crate::admin::host_allowed(req.headers().get(header::HOST), self.bound)
        {
            return false;
        }
        let Some(token) = &self.token else {
            return true;
        };
        let bearer = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        bearer
            .or_else(|| cookie(req.headers(), COOKIE))
            .is_some_and(|t| same_secret(t, token))
    }

    /// Whether a POST comes from the dashboard's own page.
    fn same_origin_post(&self, req: &Request<Incoming>) -> Result<(), &'static str> {
        let h = req.headers();
        let csrf = h.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        if !csrf.is_some_and(|c| same_secret(c, &self.csrf)) {
            return Err("missing or wrong CSRF token: reload the dashboard");
        }
        if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
            if site != "same-origin" && site != "none" {
                return Err("cross-site request refused");
            }
        }
        if let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            let host = h.get(header::HOST).and_then(|v| v.to_str().ok());
            let own = host.is_some_and(|host| {
                origin
                    .strip_prefix("http://")
                    .or_else(|| origin.strip_prefix("https://"))
                    == Some(host)
            });
            if !own {
                return Err("cross-origin request refused");
            }
        }
        Ok(())
    }

    fn page(&self) -> Response<Body> {
        // `<` only occurs inside JSON strings, where `\u003c` means the same:
        // no value can close the script element it sits in.
        let state = self.view.picture().json.replace('<', "\\u003c");
        let mut html = String::with_capacity(self.page_head.len() + state.len() + 256);
        html.push_str(&self.page_head);
        html.push_str(&state);
        html.push_str(&self.page_tail);
        respond(StatusCode::OK, "text/html; charset=utf-8", full(html))
    }

    /// The picture as server-sent events: the current one (unless the page
    /// already has it: `since` is the version it was given inline), then
    /// each change.
    fn stream(&self, since: Option<u64>) -> Response<Body> {
        let rx = self.view.watch();
        let first = since != Some(rx.borrow().version);
        let events = futures_util::stream::unfold((rx, first), |(mut rx, first)| async move {
            if !first {
                match tokio::time::timeout(KEEPALIVE, rx.changed()).await {
                    Err(_) => {
                        return Some((
                            Ok(Frame::data(Bytes::from_static(b": keepalive\n\n"))),
                            (rx, false),
                        ))
                    }
                    Ok(Err(_)) => return None,
                    Ok(Ok(())) => {}
                }
            }
            let json = rx.borrow_and_update().json.clone();
            let msg = format!("event: state\ndata: {json}\n\n");
            Some((Ok(Frame::data(Bytes::from(msg))), (rx, false)))
        });
        respond(
            StatusCode::OK,
            "text/event-stream",
            BodyExt::boxed(StreamBody::new(events)),
        )
    }

    async fn act(&self, req: Request<Incoming>) -> Response<Body> {
        let path = req.uri().path().to_string();
        let query = req.uri().query().map(str::to_string);
        let upload = path.ends_with("/upload");
        let limit = if upload {
            crate::admin::MAX_UPLOAD
        } else {
            MAX_JSON
        };
        let body = match Limited::new(req.into_body(), limit).collect().await {
            Ok(b) => b.to_bytes(),
            Err(_) => {
                return refuse(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &format!("the request is larger than {limit} bytes"),
                )
            }
        };
        let src = self.view.source();
        let events = self.view.events();
        let param = |name: &str| {
            query_param(query.as_deref(), name)
                .map(unescape)
                .unwrap_or_default()
        };
        let result = match path.as_str() {
            "/api/actors/start" => parsed(&body, move |r| src.start_actor(r, events)).await,
            "/api/actors/upload" => {
                if body.is_empty() {
                    Err("choose a .wasm file to upload".to_string())
                } else {
                    src.upload_actor(&body, param("host_id"), events).await
                }
            }
            "/api/actors/scale" => parsed(&body, move |r| src.scale_actor(r, events)).await,
            "/api/actors/stop" => parsed(&body, move |r| src.stop_actor(r, events)).await,
            "/api/providers/start" => parsed(&body, move |r| src.start_provider(r, events)).await,
            "/api/providers/upload" => {
                if body.is_empty() {
                    Err("choose a provider archive (.par.gz) to upload".to_string())
                } else {
                    src.upload_provider(&body, &param("link_name"), param("host_id"), events)
                        .await
                }
            }
            "/api/providers/stop" => parsed(&body, move |r| src.stop_provider(r, events)).await,
            "/api/links/put" => parsed(&body, move |r| src.put_link(r)).await,
            "/api/links/delete" => parsed(&body, move |r| src.delete_link(r)).await,
            "/api/hosts/stop" => parsed(&body, move |r| src.stop_host(r)).await,
            _ => return refuse(StatusCode::NOT_FOUND, "no such action"),
        };
        match result {
            Ok(message) => answer(StatusCode::OK, json!({ "ok": message })),
            Err(e) => refuse(StatusCode::UNPROCESSABLE_ENTITY, &e),
        }
    }
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("invalid request: {e}"))
}

/// Runs `action` on the request JSON in `body`, or says why it is not one.
async fn parsed<T: DeserializeOwned, F: std::future::Future<Output = Result<String, String>>>(
    body: &[u8],
    action: impl FnOnce(T) -> F,
) -> Result<String, String> {
    action(parse(body)?).await
}

async fn handle(state: &State, req: Request<Incoming>) -> Response<Body> {
    let path = req.uri().path();
    // The one way in without the token: presenting it, which sets the
    // cookie and leaves the token out of the address bar.
    if req.method() == Method::GET && path == "/" {
        if let (Some(token), Some(given)) = (
            &state.token,
            query_param(req.uri().query(), "token").map(unescape),
        ) {
            if state.bound.ip().is_loopback()
                && !crate::admin::host_allowed(req.headers().get(header::HOST), state.bound)
            {
                return refuse(StatusCode::FORBIDDEN, "unknown host name");
            }
            if !same_secret(&given, token) {
                return refuse(StatusCode::UNAUTHORIZED, "wrong token");
            }
            let mut r = respond(StatusCode::SEE_OTHER, "text/plain", full(""));
            r.headers_mut()
                .insert(header::LOCATION, HeaderValue::from_static("/"));
            r.headers_mut().insert(
                header::SET_COOKIE,
                HeaderValue::from_str(&format!(
                    "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
                ))
                .expect("the token is a header-safe string"),
            );
            return r;
        }
    }
    if !state.admitted(&req) {
        return if state.token.is_some() {
            refuse(
                StatusCode::UNAUTHORIZED,
                "this dashboard needs its token: open the URL host-min printed (…/?token=…)",
            )
        } else {
            refuse(StatusCode::FORBIDDEN, "unknown host name")
        };
    }
    match (req.method(), path) {
        (&Method::GET, "/") => state.page(),
        (&Method::GET, "/app.js") => asset(
            &req,
            "text/javascript; charset=utf-8",
            SCRIPT,
            &SCRIPT_VERSION,
        ),
        (&Method::GET, "/app.css") => asset(&req, "text/css; charset=utf-8", STYLE, &STYLE_VERSION),
        (&Method::GET, "/api/state") => respond(
            StatusCode::OK,
            "application/json",
            full(state.view.picture().json.to_string()),
        ),
        (&Method::GET, "/api/stream") => {
            state.stream(query_param(req.uri().query(), "since").and_then(|v| v.parse().ok()))
        }
        (&Method::POST, p) if p.starts_with("/api/") => match state.same_origin_post(&req) {
            Ok(()) => state.act(req).await,
            Err(e) => refuse(StatusCode::FORBIDDEN, e),
        },
        (_, p) if p.starts_with("/api/") => {
            refuse(StatusCode::METHOD_NOT_ALLOWED, "changes are POST requests")
        }
        _ => refuse(StatusCode::NOT_FOUND, "not found"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_queries_and_secrets() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; weld_dashboard=tok; b=2"),
        );
        assert_eq!(cookie(&h, COOKIE), Some("tok"));
        assert_eq!(cookie(&h, "c"), None);
        assert_eq!(
            query_param(Some("x=1&token=ab%2Bc"), "token"),
            Some("ab%2Bc")
        );
        assert_eq!(unescape("ab%2Bc+d%"), "ab+c d%");
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }

    #[test]
    fn the_page_has_its_slots() {
        assert!(PAGE.contains("{{CSRF}}"));
        assert_eq!(PAGE.matches("{{STATE}}").count(), 1);
    }
}
