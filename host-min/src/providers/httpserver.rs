//! The `wasmcloud:httpserver` provider: one HTTP/1.1 listener (hyper) per
//! linked actor; every request becomes an `HttpServer.HandleRequest` call to
//! that actor through the generated `HttpServerSender`.
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
//! `content-length` announces it); actor error or undecodable reply -> 500;
//! actor past its deadline -> 503; malformed HTTP -> 4xx from hyper.
//!
//! Deleting the link stops accepting at once (the port is released), lets
//! requests in flight finish for a grace period, then closes the rest.

use crate::providers::{
    ActorOrigin, HostHandle, LinkDefinition, Message, Provider, ProviderContext, ProviderError,
    RpcError, RpcResult,
};
use async_trait::async_trait;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue, CONTENT_LENGTH, TRANSFER_ENCODING};
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
    HeaderMap as WireHeaders, HttpRequest, HttpResponse, HttpServer as _, HttpServerSender,
};

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
/// How long a client may take to send the request head.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Settings of one listener (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    /// Address to bind.
    pub address: SocketAddr,
    /// Largest request body in bytes.
    pub max_content_len: u64,
    /// Provider-side wait for the actor; `None` leaves it to the host.
    pub timeout: Option<Duration>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            address: DEFAULT_ADDRESS,
            max_content_len: DEFAULT_MAX_CONTENT_LEN,
            timeout: None,
        }
    }
}

/// A setting that cannot be used: (key, reason).
type SettingError = (String, String);

impl HttpSettings {
    /// Defaults, overridden by `config` (provider-wide), overridden by the
    /// link's `values`. Keys are case-insensitive.
    pub fn resolve(
        config: &HashMap<String, String>,
        values: &HashMap<String, String>,
    ) -> Result<Self, SettingError> {
        let mut s = HttpSettings::default();
        s.apply(config)?;
        s.apply(values)?;
        Ok(s)
    }

    fn apply(&mut self, values: &HashMap<String, String>) -> Result<(), SettingError> {
        let get = |key: &str| -> Result<Option<&str>, SettingError> {
            let mut found = values.iter().filter(|(k, _)| k.eq_ignore_ascii_case(key));
            let first = found.next().map(|(_, v)| v.trim());
            if found.next().is_some() {
                return Err((
                    key.into(),
                    "given more than once (keys are case-insensitive)".into(),
                ));
            }
            Ok(first)
        };
        let bad = |key: &str, reason: String| (key.to_string(), reason);
        if let Some(v) = get("address")? {
            self.address = v
                .parse()
                .map_err(|_| bad("address", format!("{v:?} is not IP:PORT")))?;
        }
        // Applied after `address`, like upstream: `port` wins.
        if let Some(v) = get("port")? {
            let port: u16 = v
                .parse()
                .map_err(|_| bad("port", format!("{v:?} is not a port number")))?;
            self.address = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port);
        }
        if let Some(v) = get("max_content_len")? {
            self.max_content_len = parse_size(v).map_err(|r| bad("max_content_len", r))?;
        }
        if let Some(v) = get("timeout_ms")? {
            let ms: u64 = v
                .parse()
                .map_err(|_| bad("timeout_ms", format!("{v:?} is not a number")))?;
            if ms == 0 {
                return Err(bad("timeout_ms", "must be above 0".into()));
            }
            self.timeout = Some(Duration::from_millis(ms));
        }
        Ok(())
    }
}

/// Parses `123`, `64k`, `10M`, `1g` (multiples of 1024) within
/// [`CONTENT_LEN_LIMIT`].
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (digits, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], c.to_ascii_lowercase()),
        _ => (t, ' '),
    };
    let factor: u64 = match unit {
        ' ' => 1,
        'k' => 1024,
        'm' => 1024 * 1024,
        'g' => 1024 * 1024 * 1024,
        other => {
            return Err(format!(
                "unknown size suffix {other:?} in {text:?} (use k, m or g)"
            ))
        }
    };
    let n: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a size (e.g. 500, 64k, 10m)"))?;
    let bytes = n.checked_mul(factor).filter(|b| *b <= CONTENT_LEN_LIMIT);
    bytes.ok_or_else(|| format!("{text:?} is above the limit of {CONTENT_LEN_LIMIT} bytes"))
}

/// A `weld-rpc` transport delivering to one actor through the host.
struct ActorTransport {
    host: HostHandle,
    actor_id: String,
}

#[async_trait]
impl weld_rpc::Transport for ActorTransport {
    async fn send(
        &self,
        _ctx: &weld_rpc::Context,
        req: weld_rpc::Message<'_>,
        _opts: Option<weld_rpc::SendOpts>,
    ) -> weld_rpc::RpcResult<Vec<u8>> {
        let msg = Message {
            method: req.method,
            arg: req.arg,
        };
        self.host
            .call_actor(&self.actor_id, msg)
            .await
            .map_err(to_weld)
    }
}

/// The `weld-rpc` error for a host one (the types merge once the host
/// re-exports `weld-rpc`'s).
fn to_weld(e: RpcError) -> weld_rpc::RpcError {
    use weld_rpc::RpcError as W;
    match e {
        RpcError::DeadlineExceeded(m) => W::DeadlineExceeded(m),
        RpcError::Timeout(m) => W::Timeout(m),
        RpcError::HostError(m) => W::HostError(m),
        RpcError::InvalidParameter(m) => W::InvalidParameter(m),
        RpcError::ActorHandler(m) => W::ActorHandler(m),
        RpcError::ProviderInit(m) => W::ProviderInit(m),
        RpcError::Ser(m) => W::Ser(m),
        RpcError::Deser(m) => W::Deser(m),
        RpcError::MethodNotHandled(m) => W::MethodNotHandled(m),
        RpcError::NotAuthorized(m) | RpcError::Other(m) => W::Other(m),
    }
}

/// What every connection of one listener shares.
struct Route {
    actor_id: String,
    settings: HttpSettings,
    actor: HttpServerSender<ActorTransport>,
}

fn empty(status: StatusCode) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = status;
    r
}

impl Route {
    async fn respond(&self, req: Request<Incoming>) -> Response<Full<Bytes>> {
        let limit = self.settings.max_content_len;
        // Refuse an announced oversized body without reading it.
        let declared = req
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit) {
            return empty(StatusCode::PAYLOAD_TOO_LARGE);
        }
        let (parts, body) = req.into_parts();
        let body = match Limited::new(body, limit as usize).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
                return empty(StatusCode::PAYLOAD_TOO_LARGE);
            }
            Err(e) => {
                tracing::debug!(error = %e, "request body could not be read");
                return empty(StatusCode::BAD_REQUEST);
            }
        };
        let request = HttpRequest {
            method: parts.method.as_str().to_ascii_uppercase(),
            path: parts.uri.path().to_string(),
            query_string: parts.uri.query().unwrap_or_default().to_string(),
            header: request_headers(&parts.headers),
            body: body.to_vec(),
        };
        let ctx = weld_rpc::Context::default();
        let call = self.actor.handle_request(&ctx, &request);
        let result = match self.settings.timeout {
            Some(t) => tokio::time::timeout(t, call).await.unwrap_or_else(|_| {
                Err(weld_rpc::RpcError::Timeout(format!(
                    "no reply within {t:?}"
                )))
            }),
            None => call.await,
        };
        match result {
            Ok(resp) => to_hyper(resp),
            Err(e @ (weld_rpc::RpcError::Timeout(_) | weld_rpc::RpcError::DeadlineExceeded(_))) => {
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
    let headers = out.headers_mut();
    for (name, values) in &resp.header {
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
    out
}

/// A running listener.
struct Listener {
    address: SocketAddr,
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
}

async fn accept_loop(
    listener: TcpListener,
    route: Arc<Route>,
    mut stop: watch::Receiver<bool>,
    grace: Duration,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let _ = stream.set_nodelay(true);
                    let route = Arc::clone(&route);
                    let service = hyper::service::service_fn(move |req| {
                        let route = Arc::clone(&route);
                        async move { Ok::<_, Infallible>(route.respond(req).await) }
                    });
                    let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                    connections.spawn(async move {
                        if let Err(e) = conn.await {
                            tracing::debug!(error = %e, "http connection ended with an error");
                        }
                    });
                    // Reap finished connections so the set stays small.
                    while connections.try_join_next().is_some() {}
                }
                Err(e) => {
                    // E.g. out of file descriptors: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
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

/// The httpserver provider (see the module documentation).
pub struct HttpServerProvider {
    ctx: ProviderContext,
    grace: Duration,
    listeners: tokio::sync::Mutex<HashMap<(String, String), Listener>>,
    /// Bound addresses, readable without the async lock.
    addresses: Mutex<HashMap<(String, String), SocketAddr>>,
}

impl HttpServerProvider {
    /// A provider for `ctx`; binds nothing until a link arrives.
    pub fn new(ctx: ProviderContext) -> Self {
        HttpServerProvider {
            ctx,
            grace: SHUTDOWN_GRACE,
            listeners: tokio::sync::Mutex::new(HashMap::new()),
            addresses: Mutex::new(HashMap::new()),
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

    /// The settings a link with `values` gets.
    pub fn settings(
        &self,
        values: &HashMap<String, String>,
    ) -> Result<HttpSettings, ProviderError> {
        HttpSettings::resolve(&self.ctx.config, values).map_err(|(key, reason)| {
            ProviderError::InvalidSetting {
                provider: self.ctx.name.clone(),
                key,
                reason,
            }
        })
    }

    /// The address the listener of (actor, link name) is bound to (useful
    /// with port 0).
    pub fn bound_address(&self, actor_id: &str, link_name: &str) -> Option<SocketAddr> {
        let addresses = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
        addresses
            .get(&(actor_id.to_string(), link_name.to_string()))
            .copied()
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

    async fn put_link(&self, link: &LinkDefinition, host: HostHandle) -> Result<(), ProviderError> {
        let settings = self.settings(&link.values)?;
        let key = Self::key(link);
        let mut listeners = self.listeners.lock().await;
        // A re-put link replaces its listener: free the old port first, as
        // the new one is often the same address.
        if let Some(old) = listeners.remove(&key) {
            self.addresses
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&key);
            old.stop().await;
        }
        let listener =
            TcpListener::bind(settings.address)
                .await
                .map_err(|e| ProviderError::Resource {
                    provider: self.ctx.name.clone(),
                    what: format!("binding {} for actor {}", settings.address, link.actor_id),
                    source: Box::new(e),
                })?;
        let address = listener.local_addr().unwrap_or(settings.address);
        let route = Arc::new(Route {
            actor_id: link.actor_id.clone(),
            actor: HttpServerSender::via(ActorTransport {
                host,
                actor_id: link.actor_id.clone(),
            }),
            settings,
        });
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, route, stopped, self.grace));
        tracing::info!(%address, actor = %link.actor_id, "httpserver listening");
        listeners.insert(
            key.clone(),
            Listener {
                address,
                stop,
                task,
            },
        );
        self.addresses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, address);
        Ok(())
    }

    async fn delete_link(&self, link: &LinkDefinition) {
        let key = Self::key(link);
        let listener = self.listeners.lock().await.remove(&key);
        self.addresses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&key);
        if let Some(listener) = listener {
            tracing::info!(address = %listener.address, actor = %link.actor_id, "httpserver stopping");
            listener.stop().await;
        }
    }

    async fn handle(&self, _origin: &ActorOrigin, msg: Message<'_>) -> RpcResult<Vec<u8>> {
        // Actors never call this contract; HttpServer is actor-received.
        Err(RpcError::MethodNotHandled(format!(
            "{CONTRACT_ID} has no provider operation {}",
            msg.method
        )))
    }

    async fn shutdown(&self) {
        let all: Vec<Listener> = self
            .listeners
            .lock()
            .await
            .drain()
            .map(|(_, l)| l)
            .collect();
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

    #[test]
    fn settings_precedence() {
        let none = HashMap::new();
        assert_eq!(
            HttpSettings::resolve(&none, &none).unwrap(),
            HttpSettings::default()
        );
        let s = HttpSettings::resolve(
            &map(&[("ADDRESS", "0.0.0.0:9000")]),
            &map(&[("Port", "8081")]),
        )
        .unwrap();
        assert_eq!(s.address, "127.0.0.1:8081".parse().unwrap());
        let s = HttpSettings::resolve(
            &none,
            &map(&[("address", "[::1]:8082"), ("timeout_ms", "250")]),
        )
        .unwrap();
        assert_eq!(s.address, "[::1]:8082".parse().unwrap());
        assert_eq!(s.timeout, Some(Duration::from_millis(250)));
        for bad in [
            ("address", "localhost"),
            ("port", "70000"),
            ("timeout_ms", "0"),
            ("max_content_len", "1t"),
        ] {
            let err = HttpSettings::resolve(&none, &map(&[bad])).unwrap_err();
            assert_eq!(err.0, bad.0);
        }
        assert!(HttpSettings::resolve(&none, &map(&[("port", "1"), ("PORT", "2")])).is_err());
    }
}
