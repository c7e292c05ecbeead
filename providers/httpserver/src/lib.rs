//! The `wasmcloud:httpserver` provider: HTTP/1.1 listeners (hyper), one per
//! address, each serving the links that name it (told apart by `path`
//! prefix and `host`); every request becomes an `HttpServer.HandleRequest`
//! call to its link's actor through the generated `HttpServerSender`.
//!
//! # Settings
//! Read case-insensitively from the link's values, falling back to the
//! provider's manifest config, then to upstream's defaults:
//!
//! | key | meaning | default |
//! |---|---|---|
//! | `address` | `IP:PORT` to bind | `127.0.0.1:8000` |
//! | `port` | port on `127.0.0.1` (overrides `address`, as upstream) | |
//! | `max_content_len` | largest request body: bytes, or a number with `k`/`m`/`g` (x1024) | `10m` |
//! | `timeout_ms` | how long to wait for the actor before answering 503 | the host's call deadline |
//! | `path` | only requests under this prefix (whole segments) | `/` |
//! | `host` | only requests for this `Host` | any |
//! | `cache_control` | `Cache-Control` added to answers that have none | |
//! | `readonly_mode` | `true`: anything but GET and HEAD is 405 | `false` |
//! | `stream_body_over` | body streaming ([`stream`]): larger request bodies, or of unknown length, are read by the actor piece by piece | off |
//! | `config_json`, `config_b64` | upstream's JSON settings (below) | |
//!
//! Upstream's JSON (`config_b64` is it in base64, padded or not) holds
//! `address`, `timeout_ms`, `max_content_len`, `cache_control`,
//! `readonly_mode`, `tls{cert_file,priv_key_file}` and
//! `cors{allowed_origins,allowed_headers,allowed_methods,exposed_headers,
//! max_age_secs}`; in each place (provider config, then link values) it is
//! read first (`config_b64`, then `config_json`) and the plain keys override
//! it, as upstream orders them.
//!
//! CORS is always on, with upstream's defaults: any origin; GET, POST, PUT,
//! DELETE, HEAD, OPTIONS; headers accept, accept-language, content-type,
//! content-language; preflights cached 300 s. A preflight is answered by
//! the provider (204) without calling the actor; a request from an origin,
//! with a method or with headers the policy does not allow is 403.
//!
//! TLS: with `tls`, the listener speaks HTTPS (rustls) with the PEM
//! certificate chain and key of those files, read when the link is put.
//!
//! # Mapping
//! Request: method (upper case), path (as sent, still percent-encoded),
//! raw query string without `?`, headers as `name -> [values]` with
//! lower-case names (values that are not visible ASCII are dropped, as
//! upstream does), body bytes. Response: the actor's status code (an invalid
//! one becomes 500), headers (invalid names/values skipped; `content-length`
//! and `transfer-encoding` are recomputed by hyper) and body.
//!
//! Errors: body larger than `max_content_len` -> 413 (before reading it when
//! `content-length` announces it); body not received within the body
//! timeout -> 408; actor error or undecodable reply -> 500; actor past its
//! deadline -> 503; malformed HTTP -> 4xx from hyper.
//!
//! # Bounds ([`HttpLimits`])
//! - at most [`MAX_CONNECTIONS`] open connections per listener; at the cap
//!   the listener stops accepting until one closes (the kernel's backlog
//!   holds new ones: back-pressure, not refusal);
//! - a request head must arrive within [`HEADER_READ_TIMEOUT`], which also
//!   closes a keep-alive connection idle that long; a body must arrive
//!   within [`BODY_READ_TIMEOUT`];
//! - a request waits for the actor to have a free instance (its
//!   `max_instances`) *before* its body is read, so the bodies held in
//!   memory are at most one per instance, each at most `max_content_len`;
//! - the body is read once, straight into the buffer the actor's request
//!   carries (sized from `content-length`), not collected and copied again.
//!
//! Deleting the link stops accepting at once (the port is released), lets
//! requests in flight finish for a grace period, then closes the rest.

use async_trait::async_trait;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as _, Incoming};
use hyper::header::{HeaderName, HeaderValue, CACHE_CONTROL, CONTENT_LENGTH, TRANSFER_ENCODING};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use weld_interface_httpserver::{
    BodyChunk, HeaderMap as WireHeaders, HttpBody, HttpBodyReceiver, HttpRequest, HttpResponse,
    HttpServer as _, HttpServerSender, ReadBodyRequest, ResponseHead,
};
use weld_rpc::provider::lifecycle::{
    ActorLink, ActorOrigin, Endpoint, LinkDefinition, LinkSettings, Message, Provider,
    ProviderContext, ProviderError, RpcError, RpcResult, Setting, SettingOrigin,
};
use weld_rpc::Context;

/// The contract id this provider implements.
pub const CONTRACT_ID: &str = "wasmcloud:httpserver";
/// The method every request is delivered as.
pub const HANDLE_REQUEST: &str = "HttpServer.HandleRequest";
/// Upstream's default listen address.
pub const DEFAULT_ADDRESS: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8000);
/// Upstream's default body limit (10 MiB).
pub const DEFAULT_MAX_CONTENT_LEN: u64 = 10 * 1024 * 1024;
/// Largest accepted `max_content_len` (upstream's cap: a wasm32 actor could
/// not hold much more).
pub const CONTENT_LEN_LIMIT: u64 = 500 * 1024 * 1024;
/// How long in-flight requests may run after their listener is stopped.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// How long a client may take to send a request head; also how long a
/// keep-alive connection may sit idle between requests.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a client may take to send a request body.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Most open connections per listener.
pub const MAX_CONNECTIONS: usize = 1024;
/// How long the provider waits for `HandleRequest` on a streaming link
/// (`stream_body_over`) when `timeout_ms` is not set: the call lasts as
/// long as the transfer.
pub const STREAMED_CALL_TIMEOUT: Duration = Duration::from_secs(600);
/// Requests admitted at once (bodies read) when the actor's instance bound is
/// not known.
pub const DEFAULT_REQUEST_CAPACITY: usize = 16;

/// The bounds of every listener of a provider (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// Most open connections per listener.
    pub max_connections: usize,
    /// Time allowed for a request head, and for idling between requests.
    pub header_timeout: Duration,
    /// Time allowed for a request body.
    pub body_timeout: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            max_connections: MAX_CONNECTIONS,
            header_timeout: HEADER_READ_TIMEOUT,
            body_timeout: BODY_READ_TIMEOUT,
        }
    }
}

/// The keys this provider reads (any case).
pub const SETTING_KEYS: &[&str] = &[
    "address",
    "port",
    "max_content_len",
    "timeout_ms",
    "cache_control",
    "readonly_mode",
    "config_json",
    "config_b64",
    "path",
    "host",
    "stream_body_over",
];

pub mod config;
pub mod stream;
pub use config::{Cors, CorsVerdict, TlsFiles};
pub use stream::{BODY_HEADER, STREAM_HEADER};

/// Settings of one listener (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    /// Address to bind.
    pub address: SocketAddr,
    /// Largest request body in bytes.
    pub max_content_len: u64,
    /// Provider-side wait for the actor; `None` leaves it to the host.
    pub timeout: Option<Duration>,
    /// The setting `address` came from (`address`, `port` or the default),
    /// named when binding it fails.
    pub address_from: Setting,
    /// CORS policy.
    pub cors: Cors,
    /// HTTPS with these files.
    pub tls: Option<TlsFiles>,
    /// `Cache-Control` for answers without one.
    pub cache_control: Option<String>,
    /// Only GET and HEAD are served.
    pub readonly: bool,
    /// Requests whose path is this prefix (whole segments) or below it go
    /// to this link's actor; `/`: all. Lets several actors share a port.
    pub path: String,
    /// Requests for this `Host` (lower case, no port) only; `None`: any.
    pub host: Option<String>,
    /// Body streaming (see [`stream`]): bodies over this many bytes, or of
    /// unknown length, are left for the actor to read with `ReadBody`;
    /// `None`: off, every body goes whole, as upstream.
    pub stream_body_over: Option<u64>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            address: DEFAULT_ADDRESS,
            max_content_len: DEFAULT_MAX_CONTENT_LEN,
            timeout: None,
            address_from: Setting::default_for("address", DEFAULT_ADDRESS.to_string()),
            cors: Cors::default(),
            tls: None,
            cache_control: None,
            readonly: false,
            path: "/".into(),
            host: None,
            stream_body_over: None,
        }
    }
}

impl HttpSettings {
    /// Defaults, overridden by the provider config, overridden by the link's
    /// values (see [`LinkSettings`] for how keys are matched).
    ///
    /// `address` and `port` are alternatives (`port` binds `127.0.0.1`).
    /// Given together in one place they must name the same port; the
    /// address then decides the IP. Upstream lets `port` silently win; a
    /// conflict is refused here instead of binding something not asked for.
    pub fn resolve(s: &LinkSettings<'_>) -> Result<Self, ProviderError> {
        let mut out = HttpSettings::default();
        for origin in [SettingOrigin::Config, SettingOrigin::Link] {
            out.apply(s, origin)?;
        }
        Ok(out)
    }

    fn apply(&mut self, s: &LinkSettings<'_>, origin: SettingOrigin) -> Result<(), ProviderError> {
        for key in ["config_b64", "config_json"] {
            let Some(v) = s.at(origin, key) else { continue };
            let json = config::JsonSettings::parse(&v).map_err(|r| s.invalid(&v, r))?;
            let names_address = json.address.is_some();
            self.apply_json(json).map_err(|r| s.invalid(&v, r))?;
            if names_address {
                self.address_from = v;
            }
        }
        let address = s.at(origin, "address");
        let port = s.at(origin, "port");
        let parsed_port = match &port {
            Some(p) => Some(parse_port(&p.value).map_err(|r| s.invalid(p, r))?),
            None => None,
        };
        match (address, port, parsed_port) {
            (Some(a), port, parsed_port) => {
                let addr = parse_address(&a.value).map_err(|r| s.invalid(&a, r))?;
                if let (Some(p), Some(n)) = (port, parsed_port) {
                    if n != addr.port() {
                        return Err(s.invalid(
                            &p,
                            format!(
                                "conflicts with `{}` = {:?}; give one of them",
                                a.key,
                                a.shown()
                            ),
                        ));
                    }
                }
                self.address = addr;
                self.address_from = a;
            }
            (None, Some(p), Some(n)) => {
                self.address = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), n);
                self.address_from = p;
            }
            _ => {}
        }
        if let Some(v) = s.at(origin, "max_content_len") {
            self.max_content_len = parse_size(&v.value).map_err(|r| s.invalid(&v, r))?;
        }
        if let Some(v) = s.at(origin, "timeout_ms") {
            let ms: u64 = v
                .value
                .parse()
                .map_err(|_| s.invalid(&v, "not a number of milliseconds"))?;
            if ms == 0 {
                return Err(s.invalid(&v, "must be above 0"));
            }
            self.timeout = Some(Duration::from_millis(ms));
        }
        if let Some(v) = s.at(origin, "cache_control") {
            HeaderValue::from_str(&v.value)
                .map_err(|_| s.invalid(&v, "not a valid header value"))?;
            self.cache_control = Some(v.value.clone());
        }
        if let Some(v) = s.at(origin, "path") {
            self.path = parse_path_prefix(&v.value).map_err(|r| s.invalid(&v, r))?;
        }
        if let Some(v) = s.at(origin, "host") {
            let h = v.value.trim().to_ascii_lowercase();
            if h.is_empty() || h.contains(['/', ' ', ':']) {
                return Err(s.invalid(&v, "expected a host name without scheme, port or path"));
            }
            self.host = Some(h);
        }
        if let Some(v) = s.at(origin, "stream_body_over") {
            self.stream_body_over = Some(parse_size(&v.value).map_err(|r| s.invalid(&v, r))?);
        }
        if let Some(v) = s.at(origin, "readonly_mode") {
            self.readonly = match v.value.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => true,
                "false" | "0" | "no" | "off" | "" => false,
                _ => return Err(s.invalid(&v, "expected true or false")),
            };
        }
        Ok(())
    }

    /// Upstream's JSON settings over these.
    fn apply_json(&mut self, j: config::JsonSettings) -> Result<(), String> {
        if let Some(a) = j.address {
            self.address = parse_address(&a)?;
        }
        if let Some(ms) = j.timeout_ms {
            if ms == 0 {
                return Err("timeout_ms must be above 0".into());
            }
            self.timeout = Some(Duration::from_millis(ms));
        }
        match j.max_content_len {
            Some(config::SizeValue::Bytes(n)) if n <= CONTENT_LEN_LIMIT => self.max_content_len = n,
            Some(config::SizeValue::Bytes(n)) => {
                return Err(format!(
                    "max_content_len {n} is above the limit of {CONTENT_LEN_LIMIT} bytes"
                ))
            }
            Some(config::SizeValue::Text(t)) => self.max_content_len = parse_size(&t)?,
            None => {}
        }
        if let Some(c) = j.cache_control {
            HeaderValue::from_str(&c).map_err(|_| "cache_control is not a valid header value")?;
            self.cache_control = Some(c);
        }
        if let Some(r) = j.readonly_mode {
            self.readonly = r;
        }
        if let Some(t) = j.tls {
            self.tls = Some(t.files()?);
        }
        if let Some(c) = j.cors {
            self.cors = c.over(self.cors.clone());
        }
        Ok(())
    }
}

/// A path prefix: starts with `/`, no trailing `/` (but `/` itself), no
/// `?`, `#` or empty segments.
pub fn parse_path_prefix(text: &str) -> Result<String, String> {
    let t = text.trim();
    if !t.starts_with('/') || t.contains(['?', '#', ' ']) {
        return Err(format!("{t:?} is not a path prefix (like `/api`)"));
    }
    let trimmed = t.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok("/".into());
    }
    if trimmed.contains("//") {
        return Err(format!("{t:?} has an empty segment"));
    }
    Ok(trimmed.to_string())
}

/// A TCP port: `0` (any free port) to `65535`.
pub fn parse_port(text: &str) -> Result<u16, String> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t
            .parse::<u16>()
            .map_err(|_| format!("port {t} is out of range (0-65535)"));
    }
    Err("not a port number (0-65535)".into())
}

/// `IP:PORT`, IPv6 in brackets (`[::1]:8080`). Host names are refused: the
/// provider binds, it does not resolve.
pub fn parse_address(text: &str) -> Result<SocketAddr, String> {
    let t = text.trim();
    if let Ok(a) = t.parse::<SocketAddr>() {
        return Ok(a);
    }
    let Some((host, port)) = t.rsplit_once(':') else {
        return Err("not IP:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)".into());
    };
    let port = parse_port(port)?;
    let ip = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6
            .parse::<std::net::Ipv6Addr>()
            .map(IpAddr::V6)
            .map_err(|_| format!("`{v6}` is not an IPv6 address"))?,
        None if host.contains(':') => {
            return Err(format!("an IPv6 address needs brackets: [{host}]:{port}"))
        }
        None => host
            .parse::<IpAddr>()
            .map_err(|_| format!("`{host}` is not an IP address (host names are not resolved)"))?,
    };
    Ok(SocketAddr::new(ip, port))
}

/// Parses `123`, `64k`, `10M`, `1g` (multiples of 1024) within
/// [`CONTENT_LEN_LIMIT`].
pub fn parse_size(text: &str) -> Result<u64, String> {
    let n = weld_rpc::provider::lifecycle::parse_size(text)?;
    if n > CONTENT_LEN_LIMIT {
        return Err(format!(
            "{text:?} is above the limit of {CONTENT_LEN_LIMIT} bytes"
        ));
    }
    Ok(n)
}

/// What every connection of one listener shares.
struct Route {
    actor_id: String,
    link_name: String,
    settings: HttpSettings,
    actor: HttpServerSender<ActorLink>,
    /// One permit per actor instance: taken before a body is read.
    capacity: Arc<tokio::sync::Semaphore>,
    body_timeout: Duration,
    /// The provider's open exchanges (used when `stream_body_over` is set).
    streams: Arc<stream::Streams>,
}

/// What a listener answers with: a whole body, or one the actor streams.
type ReplyBody = http_body_util::Either<Full<Bytes>, stream::ChannelBody>;

fn whole(r: Response<Full<Bytes>>) -> Response<ReplyBody> {
    r.map(http_body_util::Either::Left)
}

/// Why a request body could not be read.
enum BodyError {
    TooLarge,
    Read(hyper::Error),
}

/// Reads `body` into one buffer (sized from `content-length`, within
/// `limit`): the only copy of the body before it is encoded for the actor.
async fn read_body(
    mut body: Incoming,
    limit: u64,
    declared: Option<u64>,
) -> Result<Vec<u8>, BodyError> {
    let mut out = Vec::with_capacity(declared.unwrap_or(0).min(limit) as usize);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(BodyError::Read)?;
        if let Ok(data) = frame.into_data() {
            if out.len() as u64 + data.len() as u64 > limit {
                return Err(BodyError::TooLarge);
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

fn empty(status: StatusCode) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = status;
    r
}

fn forbidden(why: &str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(format!(
        "CORS request forbidden: {why}\n"
    ))));
    *r.status_mut() = StatusCode::FORBIDDEN;
    r
}

impl Route {
    /// The answer to `req`: CORS and read-only mode first, then the actor;
    /// CORS and cache headers added to what it answers.
    async fn respond(self: &Arc<Self>, req: Request<Incoming>) -> Response<ReplyBody> {
        let extra = match self.settings.cors.judge(req.method(), req.headers()) {
            CorsVerdict::NotCors => None,
            CorsVerdict::Forbidden(why) => return whole(forbidden(why)),
            CorsVerdict::Preflight(headers) => {
                let mut r = empty(StatusCode::NO_CONTENT);
                r.headers_mut().extend(headers);
                return whole(r);
            }
            CorsVerdict::Allowed(headers) => Some(headers),
        };
        let mut resp = if self.settings.readonly
            && req.method() != hyper::Method::GET
            && req.method() != hyper::Method::HEAD
        {
            whole(empty(StatusCode::METHOD_NOT_ALLOWED))
        } else {
            self.call_actor(req).await
        };
        if let Some(cc) = &self.settings.cache_control {
            if !resp.headers().contains_key(CACHE_CONTROL) {
                if let Ok(v) = HeaderValue::from_str(cc) {
                    resp.headers_mut().insert(CACHE_CONTROL, v);
                }
            }
        }
        if let Some(headers) = extra {
            for (name, value) in headers.iter() {
                if name == "vary" {
                    resp.headers_mut().append(name, value.clone());
                } else {
                    resp.headers_mut().insert(name, value.clone());
                }
            }
        }
        resp
    }

    async fn call_actor(self: &Arc<Self>, req: Request<Incoming>) -> Response<ReplyBody> {
        let limit = self.settings.max_content_len;
        // Refuse an announced oversized body without reading it.
        let declared = req
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit) {
            return whole(empty(StatusCode::PAYLOAD_TOO_LARGE));
        }
        // Wait for a free actor instance before reading the body: a body is
        // held only when it can go straight to the actor. Held until the
        // reply; the semaphore is never closed.
        let Ok(permit) = Arc::clone(&self.capacity).acquire_owned().await else {
            return whole(empty(StatusCode::SERVICE_UNAVAILABLE));
        };
        let (parts, body) = req.into_parts();
        let streamed = self
            .settings
            .stream_body_over
            .is_some_and(|over| !body.is_end_stream() && declared.is_none_or(|n| n > over));
        let (body, left) = if streamed {
            (Vec::new(), Some(body))
        } else {
            // A request without a body (most GETs) needs no read and no timer.
            let read = async {
                if body.is_end_stream() {
                    return Ok(Ok(Vec::new()));
                }
                tokio::time::timeout(self.body_timeout, read_body(body, limit, declared)).await
            };
            match read.await {
                Ok(Ok(body)) => (body, None),
                Ok(Err(BodyError::TooLarge)) => return whole(empty(StatusCode::PAYLOAD_TOO_LARGE)),
                Ok(Err(BodyError::Read(e))) => {
                    tracing::debug!(error = %e, "request body could not be read");
                    return whole(empty(StatusCode::BAD_REQUEST));
                }
                Err(_) => {
                    tracing::debug!(actor = %self.actor_id, "request body not received in time: 408");
                    return whole(empty(StatusCode::REQUEST_TIMEOUT));
                }
            }
        };
        let mut header = request_headers(&parts.headers);
        // The stream headers are the provider's to set: a client's own are
        // dropped on every link, so an actor can trust them (and no client
        // can name another request's stream).
        header.remove(BODY_HEADER);
        header.remove(STREAM_HEADER);
        let mut request = HttpRequest {
            method: parts.method.as_str().to_ascii_uppercase(),
            path: parts.uri.path().to_string(),
            query_string: parts.uri.query().unwrap_or_default().to_string(),
            header: WireHeaders::new(),
            body,
        };
        if self.settings.stream_body_over.is_none() {
            request.header = header;
            let result = self.invoke(&request).await;
            drop(permit);
            return whole(self.answer(result, None));
        }
        // A streaming link: the request is an exchange the actor may read
        // from and answer through while HandleRequest runs.
        let (exchange, head) = self
            .streams
            .open(&self.actor_id, left, limit, self.body_timeout);
        header.insert(STREAM_HEADER.into(), vec![exchange.id.clone()]);
        if streamed {
            header.insert(BODY_HEADER.into(), vec!["streamed".into()]);
        }
        request.header = header;
        let route = Arc::clone(self);
        // Its own task: once the head is out, hyper sends the body while
        // the actor is still producing it.
        let call = tokio::spawn(async move {
            let result = route.invoke(&request).await;
            drop(permit);
            let failure = exchange.exchange.read_failure().await;
            let cut = result.as_ref().err().map(|e| e.to_string());
            exchange.exchange.finish(cut).await;
            (result, failure)
        });
        if let Ok(started) = head.await {
            return started.map(http_body_util::Either::Right);
        }
        match call.await {
            Ok((result, failure)) => whole(self.answer(result, failure)),
            Err(e) => {
                tracing::warn!(actor = %self.actor_id, error = %e, "actor call task failed: 500");
                whole(empty(StatusCode::INTERNAL_SERVER_ERROR))
            }
        }
    }

    /// `HandleRequest`, within the link's `timeout_ms`.
    async fn invoke(&self, request: &HttpRequest) -> RpcResult<HttpResponse> {
        let ctx = weld_rpc::Context::default();
        let call = self.actor.handle_request(&ctx, request);
        match self.settings.timeout {
            Some(t) => tokio::time::timeout(t, call)
                .await
                .unwrap_or_else(|_| Err(RpcError::Timeout(format!("no reply within {t:?}")))),
            None => call.await,
        }
    }

    /// The client's answer to a `HandleRequest` that did not stream its
    /// response; a failed body read decides it whatever the actor said.
    fn answer(
        &self,
        result: RpcResult<HttpResponse>,
        failure: Option<stream::ReadFailure>,
    ) -> Response<Full<Bytes>> {
        if let Some(f) = failure {
            tracing::debug!(actor = %self.actor_id, ?f, "streamed request body failed");
            return empty(f.status());
        }
        match result {
            Ok(resp) => to_hyper(resp),
            Err(e) if e.is_timeout() => {
                tracing::warn!(actor = %self.actor_id, error = %e, "actor timed out: 503");
                empty(StatusCode::SERVICE_UNAVAILABLE)
            }
            Err(e) => {
                tracing::warn!(actor = %self.actor_id, error = %e, "actor call failed: 500");
                empty(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }
}

/// `name -> [values]`, names lower-case; non-ASCII values dropped.
fn request_headers(headers: &hyper::HeaderMap) -> WireHeaders {
    let mut map = WireHeaders::new();
    for name in headers.keys() {
        let values: Vec<String> = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect();
        if !values.is_empty() {
            map.insert(name.as_str().to_string(), values);
        }
    }
    map
}

fn to_hyper(resp: HttpResponse) -> Response<Full<Bytes>> {
    let Ok(status) = StatusCode::from_u16(resp.status_code) else {
        tracing::warn!(
            status = resp.status_code,
            "actor returned an invalid status code: 500"
        );
        return empty(StatusCode::INTERNAL_SERVER_ERROR);
    };
    let mut out = Response::new(Full::new(Bytes::from(resp.body)));
    *out.status_mut() = status;
    copy_headers(&resp.header, out.headers_mut());
    out
}

/// The actor's headers into hyper's (invalid names and values skipped).
fn copy_headers(from: &WireHeaders, headers: &mut hyper::HeaderMap) {
    for (name, values) in from {
        let Ok(name) = HeaderName::from_bytes(name.as_bytes()) else {
            tracing::warn!(header = %name, "invalid response header name skipped");
            continue;
        };
        // hyper frames the body itself; a wrong length from the actor
        // would corrupt the connection.
        if name == CONTENT_LENGTH || name == TRANSFER_ENCODING {
            continue;
        }
        for value in values {
            match HeaderValue::from_str(value) {
                Ok(v) => {
                    headers.append(&name, v);
                }
                Err(_) => tracing::warn!(header = %name, "invalid response header value skipped"),
            }
        }
    }
}

/// The routes of one listener: every link served on its address. New
/// connections take the current table (an `Arc`, no copy); a put or delete
/// replaces it, so the socket is kept.
type SharedRoutes = Arc<Mutex<Arc<Vec<Arc<Route>>>>>;

/// The route for a request to `host` (the `Host` header) and `path`: among
/// the routes whose host matches (or that take any host), the longest path
/// prefix that matches whole segments; a route naming the host wins over
/// one that does not at equal length.
fn pick<'r>(routes: &'r [Arc<Route>], host: Option<&str>, path: &str) -> Option<&'r Arc<Route>> {
    if let [only] = routes {
        // The usual case, one actor per port: no header parsing.
        if only.settings.path == "/" && only.settings.host.is_none() {
            return Some(only);
        }
    }
    let host = host.map(|h| {
        let h = h
            .rsplit_once(':')
            .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
            .map(|(h, _)| h)
            .unwrap_or(h);
        h.to_ascii_lowercase()
    });
    routes
        .iter()
        .filter(|r| match &r.settings.host {
            None => true,
            Some(h) => host.as_deref() == Some(h.as_str()),
        })
        .filter(|r| {
            let prefix = r.settings.path.as_str();
            prefix == "/"
                || path == prefix
                || path
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
        .max_by_key(|r| (r.settings.path.len(), r.settings.host.is_some()))
}

/// A running listener.
struct Listener {
    /// The address the first link asked for (port 0: any).
    requested: SocketAddr,
    /// The address bound.
    address: SocketAddr,
    /// HTTPS files (every link on one address must agree: the handshake
    /// comes before the request says which link it is for).
    tls: Option<TlsFiles>,
    routes: SharedRoutes,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Listener {
    /// Stops accepting, waits for in-flight requests (up to the grace).
    async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::warn!(error = %e, "httpserver listener task failed");
        }
    }

    fn table(&self) -> Arc<Vec<Arc<Route>>> {
        Arc::clone(&self.routes.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Replaces the table with `f` applied to a copy of it.
    fn edit(&self, f: impl FnOnce(&mut Vec<Arc<Route>>)) -> usize {
        let mut guard = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        let mut table: Vec<Arc<Route>> = guard.as_ref().clone();
        f(&mut table);
        let n = table.len();
        *guard = Arc::new(table);
        n
    }
}

/// Why a connection got no route: 404, naming nothing.
fn no_route() -> Response<Full<Bytes>> {
    empty(StatusCode::NOT_FOUND)
}

async fn accept_loop(
    listener: TcpListener,
    routes: SharedRoutes,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut stop: watch::Receiver<bool>,
    grace: Duration,
    limits: HttpLimits,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    // hyper starts the head timer whenever it waits for a request head, so
    // it bounds idle keep-alive connections as well as slow heads.
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let open = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let mut backoff = weld_rpc::provider::net::AcceptBackoff::default();
    loop {
        // At the cap, stop accepting until a connection closes.
        let slot = tokio::select! {
            slot = Arc::clone(&open).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            _ = stop.changed() => break,
        };
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    backoff.succeeded();
                    let _ = stream.set_nodelay(true);
                    let table = Arc::clone(&routes.lock().unwrap_or_else(|p| p.into_inner()));
                    let tls = tls.clone();
                    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                        let route = pick(
                            &table,
                            req.headers().get(hyper::header::HOST).and_then(|h| h.to_str().ok()),
                            req.uri().path(),
                        )
                        .cloned();
                        async move {
                            Ok::<_, Infallible>(match route {
                                Some(route) => route.respond(req).await,
                                None => whole(no_route()),
                            })
                        }
                    });
                    match tls {
                        None => {
                            let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                            connections.spawn(async move {
                                if let Err(e) = conn.await {
                                    tracing::debug!(error = %e, "http connection ended with an error");
                                }
                                drop(slot);
                            });
                        }
                        Some(acceptor) => {
                            // The handshake runs in the connection's task
                            // (a slow client holds up no one), bounded like
                            // a request head.
                            let http = http.clone();
                            let watcher = graceful.watcher();
                            let limit = limits.header_timeout;
                            connections.spawn(async move {
                                match tokio::time::timeout(limit, acceptor.accept(stream)).await {
                                    Ok(Ok(tls)) => {
                                        let conn = watcher.watch(http.serve_connection(TokioIo::new(tls), service));
                                        if let Err(e) = conn.await {
                                            tracing::debug!(error = %e, "https connection ended with an error");
                                        }
                                    }
                                    Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                                    Err(_) => tracing::debug!("TLS handshake not finished in time"),
                                }
                                drop(slot);
                            });
                        }
                    }
                    // Reap finished connections so the set stays small.
                    while connections.try_join_next().is_some() {}
                }
                Err(e) => {
                    // E.g. out of file descriptors: back off instead of spinning.
                    drop(slot);
                    tokio::time::sleep(backoff.failed("httpserver", &e)).await;
                }
            },
            _ = stop.changed() => break,
        }
    }
    // Release the port at once; then drain.
    drop(listener);
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("httpserver: requests still running after {grace:?}; closing them");
    }
    connections.shutdown().await;
}

/// One actor's `HttpBody` calls.
struct BodyCalls<'a> {
    streams: &'a stream::Streams,
    actor_id: &'a str,
}

#[async_trait]
impl HttpBody for BodyCalls<'_> {
    async fn read_body(&self, _: &Context, arg: &ReadBodyRequest) -> RpcResult<BodyChunk> {
        self.streams.read_body(self.actor_id, arg).await
    }

    async fn start_response(&self, _: &Context, arg: &ResponseHead) -> RpcResult<()> {
        self.streams.start_response(self.actor_id, arg)
    }

    async fn send_body(&self, _: &Context, arg: &BodyChunk) -> RpcResult<()> {
        self.streams.send_body(self.actor_id, arg).await
    }
}

/// The httpserver provider (see the module documentation).
pub struct HttpServerProvider {
    ctx: ProviderContext,
    grace: Duration,
    limits: HttpLimits,
    /// Listeners by bound address, and the address of each link's.
    state: tokio::sync::Mutex<State>,
    /// Each link's URL base (address, HTTPS, path), readable without the
    /// async lock.
    addresses: Mutex<HashMap<(String, String), (SocketAddr, bool, String)>>,
    /// Exchanges of streaming links, reached by the actors' `HttpBody`
    /// calls.
    streams: Arc<stream::Streams>,
}

#[derive(Default)]
struct State {
    listeners: HashMap<SocketAddr, Listener>,
    links: HashMap<(String, String), SocketAddr>,
}

impl State {
    /// The listener a link asking for `wanted` joins: one bound there, or
    /// one whose first link asked for exactly `wanted` (a fixed port).
    fn listener_for(&self, wanted: SocketAddr) -> Option<SocketAddr> {
        self.listeners
            .values()
            .find(|l| l.address == wanted || (wanted.port() != 0 && l.requested == wanted))
            .map(|l| l.address)
    }

    /// Takes the route of `key` out of the listener at `at`; the listener
    /// itself when that was its last route (to be stopped by the caller).
    fn remove_route(&mut self, at: SocketAddr, key: &(String, String)) -> Option<Listener> {
        let left = self.listeners.get(&at)?.edit(|t| {
            t.retain(|r| {
                (r.actor_id.as_str(), r.link_name.as_str()) != (key.0.as_str(), key.1.as_str())
            })
        });
        if left == 0 {
            self.listeners.remove(&at)
        } else {
            None
        }
    }
}

impl HttpServerProvider {
    /// A provider for `ctx`; binds nothing until a link arrives.
    pub fn new(ctx: ProviderContext) -> Self {
        HttpServerProvider {
            ctx,
            grace: SHUTDOWN_GRACE,
            limits: HttpLimits::default(),
            state: tokio::sync::Mutex::new(State::default()),
            addresses: Mutex::new(HashMap::new()),
            streams: Arc::default(),
        }
    }

    /// Registry factory. Invalid provider-wide settings fail here.
    pub fn build(ctx: ProviderContext) -> Result<Arc<dyn Provider>, ProviderError> {
        let provider = Self::new(ctx);
        provider.settings(&HashMap::new())?;
        Ok(Arc::new(provider))
    }

    /// Sets how long in-flight requests may run after a listener stops.
    pub fn with_grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Sets the bounds of listeners started from now on.
    pub fn with_limits(mut self, limits: HttpLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The settings a link with `values` gets.
    pub fn settings(
        &self,
        values: &HashMap<String, String>,
    ) -> Result<HttpSettings, ProviderError> {
        HttpSettings::resolve(&self.ctx.link_settings(values, SETTING_KEYS)?)
    }

    /// The address the listener of (actor, link name) is bound to (useful
    /// with port 0).
    pub fn bound_address(&self, actor_id: &str, link_name: &str) -> Option<SocketAddr> {
        let addresses = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
        addresses
            .get(&(actor_id.to_string(), link_name.to_string()))
            .map(|(a, _, _)| *a)
    }

    /// The error for a link whose address cannot be shared as asked.
    fn invalid_address(&self, settings: &HttpSettings, reason: String) -> ProviderError {
        ProviderError::InvalidSetting {
            provider: self.ctx.name.clone(),
            setting: settings.address_from.clone(),
            reason,
            cause: None,
        }
    }

    fn key(link: &LinkDefinition) -> (String, String) {
        (link.actor_id.clone(), link.link_name.clone())
    }
}

#[async_trait]
impl Provider for HttpServerProvider {
    fn contract_id(&self) -> &str {
        CONTRACT_ID
    }

    /// Puts a link atomically: on any error the link's previous route (if
    /// any) keeps serving with its previous settings.
    /// - an address some listener already serves (this link's, or another
    ///   link's with a fixed port): the route joins it, or replaces this
    ///   link's route there, with no gap; it must not clash with another
    ///   link's path and host, and must agree on TLS;
    /// - another address: it is bound first, then the link's old route
    ///   leaves its listener (which stops when it was the last); a bind
    ///   failure leaves everything as it was.
    async fn put_link(&self, link: &LinkDefinition, actor: ActorLink) -> Result<(), ProviderError> {
        let settings = self.settings(&link.values)?;
        let key = Self::key(link);
        let tls = match &settings.tls {
            None => None,
            Some(files) => {
                let config = files
                    .server_config()
                    .map_err(|reason| ProviderError::Other {
                        provider: self.ctx.name.clone(),
                        message: format!("tls: {reason}"),
                    })?;
                Some(tokio_rustls::TlsAcceptor::from(config))
            }
        };
        let capacity = actor
            .concurrency()
            .unwrap_or(DEFAULT_REQUEST_CAPACITY)
            .max(1);
        let sender = HttpServerSender::via(actor);
        if settings.stream_body_over.is_some() {
            // A streamed exchange lasts as long as its transfer: more than
            // a lattice call's default 2 s (the host's actor-call deadline
            // still bounds it).
            sender.set_timeout(settings.timeout.unwrap_or(STREAMED_CALL_TIMEOUT));
        }
        let route = Arc::new(Route {
            actor_id: link.actor_id.clone(),
            link_name: link.link_name.clone(),
            actor: sender,
            settings: settings.clone(),
            capacity: Arc::new(tokio::sync::Semaphore::new(capacity)),
            body_timeout: self.limits.body_timeout,
            streams: Arc::clone(&self.streams),
        });
        let mut state = self.state.lock().await;
        let previous = state.links.get(&key).copied();
        let same_route = |r: &Arc<Route>| r.actor_id == key.0 && r.link_name == key.1;

        let address = if let Some(at) = state.listener_for(settings.address) {
            let listener = &state.listeners[&at];
            if let Some(other) = listener.table().iter().find(|r| {
                !same_route(r)
                    && r.settings.path == settings.path
                    && r.settings.host == settings.host
            }) {
                let host = settings
                    .host
                    .as_deref()
                    .map(|h| format!(" for host {h}"))
                    .unwrap_or_default();
                return Err(self.invalid_address(
                    &settings,
                    format!(
                        "{at} already serves actor {} at path {}{host}; give this link another `path` or `host`",
                        other.actor_id, settings.path
                    ),
                ));
            }
            let others = listener.table().iter().any(|r| !same_route(r));
            if others && listener.tls != settings.tls {
                return Err(self.invalid_address(
                    &settings,
                    format!(
                        "{at} is shared with other links, which must all use the same TLS settings"
                    ),
                ));
            }
            if !others && listener.tls != settings.tls {
                // This link alone on the listener changes its TLS: rebind.
                None
            } else {
                listener.edit(|t| {
                    t.retain(|r| !same_route(r));
                    t.push(route.clone());
                });
                Some(at)
            }
        } else {
            None
        };
        let address = match address {
            Some(at) => at,
            None => {
                // Moving off an own listener onto the same fixed port (a
                // TLS change): release it first, there is no other way.
                if let Some(prev) = previous {
                    let own = state.listeners.get(&prev).is_some_and(|l| {
                        l.table().iter().all(same_route) && l.requested == settings.address
                    });
                    if own {
                        if let Some(old) = state.remove_route(prev, &key) {
                            old.stop().await;
                        }
                        state.links.remove(&key);
                    }
                }
                let listener = match TcpListener::bind(settings.address).await {
                    Ok(l) => l,
                    Err(e) => {
                        let mut reason = format!("cannot bind {}", settings.address);
                        if let Some(prev) = state.links.get(&key) {
                            if prev.port() == settings.address.port() {
                                reason.push_str(&format!(
                                    " (this link's listener holds {prev}; delete the link first to move it)"
                                ));
                            }
                        }
                        return Err(ProviderError::unusable(
                            &self.ctx.name,
                            &settings.address_from,
                            reason,
                            e,
                        ));
                    }
                };
                let bound = listener.local_addr().unwrap_or(settings.address);
                let routes: SharedRoutes = Arc::new(Mutex::new(Arc::new(vec![route.clone()])));
                let (stop, stopped) = watch::channel(false);
                let task = tokio::spawn(accept_loop(
                    listener,
                    Arc::clone(&routes),
                    tls,
                    stopped,
                    self.grace,
                    self.limits,
                ));
                tracing::info!(address = %bound, actor = %link.actor_id, "httpserver listening");
                state.listeners.insert(
                    bound,
                    Listener {
                        requested: settings.address,
                        address: bound,
                        tls: settings.tls.clone(),
                        routes,
                        stop,
                        task,
                    },
                );
                bound
            }
        };
        // Off the listener it was on before, if that was another one.
        let mut stopped = None;
        if let Some(prev) = state.links.insert(key.clone(), address) {
            if prev != address {
                stopped = state.remove_route(prev, &key);
            }
        }
        self.addresses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(
                key,
                (address, settings.tls.is_some(), settings.path.clone()),
            );
        drop(state);
        if let Some(old) = stopped {
            old.stop().await;
        }
        tracing::info!(%address, path = %settings.path, actor = %link.actor_id, "httpserver link applied");
        Ok(())
    }

    async fn delete_link(&self, link: &LinkDefinition) {
        let key = Self::key(link);
        let mut state = self.state.lock().await;
        let stopped = state
            .links
            .remove(&key)
            .and_then(|at| state.remove_route(at, &key));
        drop(state);
        self.addresses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&key);
        if let Some(listener) = stopped {
            tracing::info!(address = %listener.address, actor = %link.actor_id, "httpserver stopping");
            listener.stop().await;
        }
    }

    /// Actors call only `HttpBody` (body streaming); `HttpServer` is the
    /// actor's side.
    async fn handle(&self, origin: &ActorOrigin, msg: Message<'_>) -> RpcResult<Vec<u8>> {
        let calls = BodyCalls {
            streams: &self.streams,
            actor_id: &origin.actor_id,
        };
        HttpBodyReceiver::dispatch(&calls, &origin.context(), msg).await
    }

    /// One URL per listening link. An unspecified bind address
    /// (`0.0.0.0`, `[::]`) is shown as loopback, which reaches it too.
    fn endpoints(&self) -> Vec<Endpoint> {
        let addresses = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
        let mut out: Vec<Endpoint> = addresses
            .iter()
            .map(|((actor_id, link_name), (addr, https, path))| {
                let mut shown = *addr;
                if shown.ip().is_unspecified() {
                    shown.set_ip(match shown {
                        SocketAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
                        SocketAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
                    });
                }
                Endpoint {
                    actor_id: actor_id.clone(),
                    link_name: link_name.clone(),
                    url: format!(
                        "{}://{shown}{}",
                        if *https { "https" } else { "http" },
                        if path == "/" { "" } else { path.as_str() }
                    ),
                }
            })
            .collect();
        out.sort_by(|a, b| a.url.cmp(&b.url));
        out
    }

    async fn shutdown(&self) {
        let all: Vec<Listener> = {
            let mut state = self.state.lock().await;
            state.links.clear();
            state.listeners.drain().map(|(_, l)| l).collect()
        };
        self.addresses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        // Stop every listener at once so the grace periods overlap.
        let mut stopping = JoinSet::new();
        for l in all {
            stopping.spawn(l.stop());
        }
        while stopping.join_next().await.is_some() {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("500"), Ok(500));
        assert_eq!(parse_size("64k"), Ok(64 * 1024));
        assert_eq!(parse_size("10M"), Ok(10 * 1024 * 1024));
        assert_eq!(
            parse_size(" 1g "),
            Err(format!(
                "\" 1g \" is above the limit of {CONTENT_LEN_LIMIT} bytes"
            ))
        );
        assert!(parse_size("12x").is_err());
        assert!(parse_size("k").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("99999999999999999999g").is_err());
    }

    fn resolve(
        config: &HashMap<String, String>,
        values: &HashMap<String, String>,
    ) -> Result<HttpSettings, ProviderError> {
        HttpSettings::resolve(&LinkSettings::new("http", values, config, SETTING_KEYS)?)
    }

    #[test]
    fn settings_precedence() {
        let none = HashMap::new();
        assert_eq!(resolve(&none, &none).unwrap(), HttpSettings::default());
        let s = resolve(
            &map(&[("ADDRESS", "0.0.0.0:9000")]),
            &map(&[("Port", "8081")]),
        )
        .unwrap();
        assert_eq!(s.address, "127.0.0.1:8081".parse().unwrap());
        assert_eq!(s.address_from.key, "Port");
        let s = resolve(
            &none,
            &map(&[("address", "[::1]:8082"), ("timeout_ms", "250")]),
        )
        .unwrap();
        assert_eq!(s.address, "[::1]:8082".parse().unwrap());
        assert_eq!(s.timeout, Some(Duration::from_millis(250)));
        // Both keys agreeing: the address decides the IP.
        let s = resolve(
            &none,
            &map(&[("address", "0.0.0.0:8083"), ("port", "8083")]),
        )
        .unwrap();
        assert_eq!(s.address, "0.0.0.0:8083".parse().unwrap());
    }

    #[test]
    fn bad_settings_name_key_value_and_reason() {
        let none = HashMap::new();
        let cases: &[(&str, &str, &str)] = &[
            (
                "address",
                "localhost:80",
                "`localhost` is not an IP address (host names are not resolved)",
            ),
            (
                "address",
                "256.1.1.1:80",
                "`256.1.1.1` is not an IP address (host names are not resolved)",
            ),
            (
                "address",
                "127.0.0.1",
                "not IP:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)",
            ),
            (
                "address",
                "127.0.0.1:70000",
                "port 70000 is out of range (0-65535)",
            ),
            ("address", "127.0.0.1:-1", "not a port number (0-65535)"),
            (
                "address",
                "::1:8080",
                "an IPv6 address needs brackets: [::1]:8080",
            ),
            ("address", "[::g]:80", "`::g` is not an IPv6 address"),
            ("port", "70000", "port 70000 is out of range (0-65535)"),
            ("PORT", "-1", "not a port number (0-65535)"),
            ("port", "", "not a port number (0-65535)"),
            ("timeout_ms", "0", "must be above 0"),
            ("timeout_ms", "soon", "not a number of milliseconds"),
            (
                "max_content_len",
                "1t",
                "unknown size suffix 't' in \"1t\" (use k, m or g)",
            ),
        ];
        for (key, value, reason) in cases {
            let err = resolve(&none, &map(&[(key, value)])).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("provider `http`: link value `{key}` = {value:?}: {reason}")
            );
            // The same from the provider config says so.
            let err = resolve(&map(&[(key, value)]), &none).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with(&format!("provider `http`: provider config `{key}`")),
                "{err}"
            );
        }
        let err = resolve(
            &none,
            &map(&[("address", "127.0.0.1:8080"), ("port", "8081")]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "provider `http`: link value `port` = \"8081\": conflicts with `address` = \"127.0.0.1:8080\"; give one of them"
        );
        assert!(resolve(&none, &map(&[("port", "1"), ("PORT", "2")])).is_err());
        assert!(resolve(&none, &map(&[("adress", "127.0.0.1:1")])).is_err());
    }
}
