//! The local admin endpoint: HTTP + JSON on loopback, and its client (used
//! by the `host-min inventory` / `host-min link ...` subcommands).
//!
//! | method | path | body | reply |
//! |---|---|---|---|
//! | GET | `/v1/inventory` | | [`Inventory`] |
//! | GET | `/v1/links` | | `[LinkDefinition]` |
//! | PUT | `/v1/links` | [`LinkRequest`] | the stored `LinkDefinition` |
//! | DELETE | `/v1/links` | [`LinkRequest`] | the deleted `LinkDefinition` |
//! | POST | `/v1/actors` | a signed actor module | `{"id": ...}` |
//! | POST | `/v1/providers?link_name=L` | a provider archive | `{"id": ...}` |
//!
//! Uploads are the "upload it" way to start something (the other is an
//! OCI reference): the bytes are kept under the host's data directory by
//! their SHA-256 and started with the same checks as a file (claims; an
//! archive's signature and binary hash). A provider runs as a process, so
//! its upload needs a host on a lattice.
//!
//! Errors reply 4xx/5xx with `{"error": "..."}`. Actors and providers may be
//! named by id or by manifest name.
//!
//! # Hardening
//! - It binds loopback only, and answers only requests whose `Host` header
//!   names a loopback address or `localhost` (with the bound port, when a
//!   port is given): a web page the operator visits cannot reach it by DNS
//!   rebinding (its requests carry the attacker's host name). Others get 403.
//! - Every link it returns (listings, inventory, put and delete replies) has
//!   its secret-looking values redacted ([`weld_rpc::redact`]); error texts
//!   are the router's, which redact the same way.
//! - Failed `accept`s back off ([`crate::net::AcceptBackoff`]).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use tokio::net::{TcpListener, TcpStream};

use crate::host::Host;
use crate::router::{Inventory, RouterError};
use crate::types::LinkDefinition;

/// Default admin address.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8081";
/// Largest request body accepted.
const MAX_BODY: usize = 64 << 10;
/// Largest upload accepted (an actor module or a provider archive).
pub const MAX_UPLOAD: usize = 256 << 20;

/// A link put or delete request.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct LinkRequest {
    /// Actor id or name.
    pub actor: String,
    /// Provider id or name (put: required; delete: may give the contract).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Contract id (default: the provider's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<String>,
    /// Link name (default: the provider's, else `default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_name: Option<String>,
    /// Link values (put only).
    #[serde(default, skip_serializing_if = "HashMap::is_empty")]
    pub values: HashMap<String, String>,
}

/// Errors of the admin endpoint and its client.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Binding or connecting failed.
    #[error("admin endpoint {addr}: {source}")]
    Io {
        /// Address.
        addr: SocketAddr,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The HTTP exchange failed.
    #[error("admin endpoint {addr}: {message}")]
    Http {
        /// Address.
        addr: SocketAddr,
        /// What failed.
        message: String,
    },
    /// The host refused the request.
    #[error("{message} (HTTP {status})")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The host's error text.
        message: String,
    },
}

/// Starts the admin endpoint on `addr` (loopback only; port 0 picks one).
/// Returns the bound address; the server runs until the runtime stops.
pub async fn serve(host: Arc<Host>, addr: SocketAddr) -> Result<SocketAddr, AdminError> {
    if !addr.ip().is_loopback() {
        return Err(AdminError::Io {
            addr,
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the admin endpoint binds loopback only",
            ),
        });
    }
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| AdminError::Io { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| AdminError::Io { addr, source })?;
    serve_http1(listener, "admin endpoint", move |req: Request<Incoming>| {
        let host = host.clone();
        async move {
            if host_allowed(req.headers().get(hyper::header::HOST), bound) {
                handle(&host, req).await
            } else {
                error(
                    StatusCode::FORBIDDEN,
                    "the Host header must name this loopback endpoint",
                )
            }
        }
    });
    tracing::info!("admin endpoint on http://{bound}");
    Ok(bound)
}

/// Serves HTTP/1 on `listener` with `handler` until the runtime stops, a
/// task per connection; failed `accept`s back off
/// ([`crate::net::AcceptBackoff`]). `what` names the server in logs. The
/// admin endpoint and the dashboard share it.
pub(crate) fn serve_http1<F, Fut, B>(listener: TcpListener, what: &'static str, handler: F)
where
    F: Fn(Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Response<B>> + Send + 'static,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    tokio::spawn(async move {
        let mut backoff = crate::net::AcceptBackoff::default();
        loop {
            let stream = match listener.accept().await {
                Ok((s, _)) => {
                    backoff.succeeded();
                    // Answers are written whole; waiting to coalesce a
                    // response's last segment only adds latency.
                    let _ = s.set_nodelay(true);
                    s
                }
                Err(e) => {
                    tokio::time::sleep(backoff.failed(what, &e)).await;
                    continue;
                }
            };
            let handler = handler.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let resp = handler(req);
                    async move { Ok::<_, std::convert::Infallible>(resp.await) }
                });
                if let Err(e) = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await
                {
                    tracing::debug!("{what} connection: {e}");
                }
            });
        }
    });
}

/// Whether a request with this `Host` header may be served by the endpoint
/// bound at `bound`: the host part must be `localhost` or a loopback IP, and
/// a port, when given, must be the bound one. A missing header is refused
/// (HTTP/1.1 requires it; browsers always send it).
pub fn host_allowed(header: Option<&hyper::header::HeaderValue>, bound: SocketAddr) -> bool {
    let Some(value) = header.and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let value = value.trim();
    // `[v6]:port`, `[v6]`, `name:port`, `name`.
    let (host, port) = if let Some(rest) = value.strip_prefix('[') {
        let Some((v6, after)) = rest.split_once(']') else {
            return false;
        };
        match after {
            "" => (v6, None),
            p => match p.strip_prefix(':') {
                Some(p) => (v6, Some(p)),
                None => return false,
            },
        }
    } else {
        match value.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (value, None),
        }
    };
    if let Some(p) = port {
        if p.parse::<u16>().ok() != Some(bound.port()) {
            return false;
        }
    }
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `links` as the endpoint shows them: secret-looking values redacted.
fn redacted(links: Vec<LinkDefinition>) -> Vec<LinkDefinition> {
    links.iter().map(LinkDefinition::redacted).collect()
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> Response<Full<Bytes>> {
    let body = serde_json::to_vec_pretty(value)
        .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}").into_bytes());
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .expect("static response parts are valid")
}

fn error(status: StatusCode, message: impl Into<String>) -> Response<Full<Bytes>> {
    json(status, &serde_json::json!({ "error": message.into() }))
}

fn router_status(e: &RouterError) -> StatusCode {
    match e {
        RouterError::NotFound { .. } => StatusCode::NOT_FOUND,
        RouterError::Duplicate { .. } | RouterError::NameTaken { .. } => StatusCode::CONFLICT,
        RouterError::ActorRefused { .. } => StatusCode::FORBIDDEN,
        RouterError::InvalidLink { .. }
        | RouterError::LinkRejected { .. }
        | RouterError::PendingLinksRejected { .. } => StatusCode::BAD_REQUEST,
        RouterError::Runtime(_) => StatusCode::INTERNAL_SERVER_ERROR,
        RouterError::Lattice(_) => StatusCode::BAD_GATEWAY,
    }
}

async fn handle(host: &Host, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().trim_end_matches('/');
    match (&parts.method, path) {
        (&Method::GET, "/v1/inventory") => {
            let mut inventory = host.router().inventory();
            inventory.links = redacted(inventory.links);
            json(StatusCode::OK, &inventory)
        }
        (&Method::GET, "/v1/links") => json(StatusCode::OK, &redacted(host.router().links())),
        (&Method::PUT, "/v1/links") | (&Method::DELETE, "/v1/links") => {
            let bytes = match Limited::new(body, MAX_BODY).collect().await {
                Ok(b) => b.to_bytes(),
                Err(e) => {
                    return error(StatusCode::PAYLOAD_TOO_LARGE, format!("request body: {e}"))
                }
            };
            let lr: LinkRequest = match serde_json::from_slice(&bytes) {
                Ok(l) => l,
                Err(e) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        format!("invalid link request: {e}"),
                    )
                }
            };
            if parts.method == Method::PUT {
                put_link(host, lr).await
            } else {
                delete_link(host, lr).await
            }
        }
        (&Method::POST, "/v1/actors") | (&Method::POST, "/v1/providers") => {
            let bytes = match Limited::new(body, MAX_UPLOAD).collect().await {
                Ok(b) => b.to_bytes(),
                Err(e) => {
                    return error(StatusCode::PAYLOAD_TOO_LARGE, format!("upload: {e}"));
                }
            };
            let started = if path == "/v1/actors" {
                host.upload_actor(&bytes).await
            } else {
                let link_name = parts
                    .uri
                    .query()
                    .and_then(|q| {
                        q.split('&')
                            .filter_map(|kv| kv.split_once('='))
                            .find(|(k, _)| *k == "link_name")
                            .map(|(_, v)| v.to_string())
                    })
                    .filter(|v| !v.is_empty())
                    .unwrap_or_else(|| "default".into());
                host.upload_provider(&bytes, &link_name).await
            };
            match started {
                Ok(id) => json(StatusCode::CREATED, &serde_json::json!({ "id": id })),
                Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
            }
        }
        (_, "/v1/inventory") | (_, "/v1/links") | (_, "/v1/actors") | (_, "/v1/providers") => {
            error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
        }
        _ => error(StatusCode::NOT_FOUND, format!("no such endpoint {path}")),
    }
}

async fn put_link(host: &Host, lr: LinkRequest) -> Response<Full<Bytes>> {
    let r = host.router();
    let Some(actor_id) = r.resolve_actor(&lr.actor) else {
        return error(StatusCode::NOT_FOUND, format!("no actor `{}`", lr.actor));
    };
    let Some(pname) = &lr.provider else {
        return error(StatusCode::BAD_REQUEST, "a link needs a provider");
    };
    let Some(info) = r.resolve_provider(pname) else {
        return error(StatusCode::NOT_FOUND, format!("no provider `{pname}`"));
    };
    let ld = LinkDefinition {
        actor_id,
        provider_id: info.id.clone(),
        link_name: lr.link_name.unwrap_or(info.link_name),
        contract_id: lr.contract_id.unwrap_or(info.contract_id),
        values: lr.values,
    };
    match r.put_link(ld.clone()).await {
        Ok(()) => json(StatusCode::OK, &ld.redacted()),
        Err(e) => error(router_status(&e), e.to_string()),
    }
}

async fn delete_link(host: &Host, lr: LinkRequest) -> Response<Full<Bytes>> {
    let r = host.router();
    let actor_id = r.resolve_actor(&lr.actor).unwrap_or(lr.actor.clone());
    let info = lr.provider.as_deref().and_then(|p| r.resolve_provider(p));
    let contract = match (&lr.contract_id, &info) {
        (Some(c), _) => c.clone(),
        (None, Some(i)) => i.contract_id.clone(),
        (None, None) => {
            return error(
                StatusCode::BAD_REQUEST,
                "give the contract id or a running provider",
            )
        }
    };
    let link_name = lr
        .link_name
        .or(info.map(|i| i.link_name))
        .unwrap_or_else(|| "default".into());
    match r.delete_link(&actor_id, &contract, &link_name).await {
        Ok(old) => json(StatusCode::OK, &old.redacted()),
        Err(e) => error(router_status(&e), e.to_string()),
    }
}

/// Client of a running host's admin endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Client {
    addr: SocketAddr,
}

impl Client {
    /// A client for the endpoint at `addr`.
    pub fn new(addr: SocketAddr) -> Self {
        Client { addr }
    }

    async fn request<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&LinkRequest>,
    ) -> Result<T, AdminError> {
        let bytes = match body {
            Some(b) => serde_json::to_vec(b).map_err(|e| AdminError::Http {
                addr: self.addr,
                message: e.to_string(),
            })?,
            None => Vec::new(),
        };
        self.exchange(method, path, "application/json", bytes).await
    }

    async fn exchange<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<T, AdminError> {
        let addr = self.addr;
        let http = |message: String| AdminError::Http { addr, message };
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|source| AdminError::Io { addr, source })?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| http(e.to_string()))?;
        tokio::spawn(conn);
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("host", addr.to_string())
            .header("content-type", content_type)
            .body(Full::new(Bytes::from(bytes)))
            .map_err(|e| http(e.to_string()))?;
        let resp = sender
            .send_request(req)
            .await
            .map_err(|e| http(e.to_string()))?;
        let status = resp.status();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| http(e.to_string()))?
            .to_bytes();
        if !status.is_success() {
            let message = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
                .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
            return Err(AdminError::Refused {
                status: status.as_u16(),
                message,
            });
        }
        serde_json::from_slice(&body).map_err(|e| http(format!("invalid reply: {e}")))
    }

    /// Uploads and starts an actor module; returns its id.
    pub async fn upload_actor(&self, wasm: Vec<u8>) -> Result<String, AdminError> {
        let v: serde_json::Value = self
            .exchange(Method::POST, "/v1/actors", "application/wasm", wasm)
            .await?;
        Ok(v["id"].as_str().unwrap_or_default().to_string())
    }

    /// Uploads and starts a provider archive serving `link_name`; returns
    /// its id.
    pub async fn upload_provider(
        &self,
        archive: Vec<u8>,
        link_name: &str,
    ) -> Result<String, AdminError> {
        let path = format!("/v1/providers?link_name={link_name}");
        let v: serde_json::Value = self
            .exchange(Method::POST, &path, "application/octet-stream", archive)
            .await?;
        Ok(v["id"].as_str().unwrap_or_default().to_string())
    }

    /// What runs on the host.
    pub async fn inventory(&self) -> Result<serde_json::Value, AdminError> {
        self.request(Method::GET, "/v1/inventory", None).await
    }

    /// All links, secret-looking values redacted.
    pub async fn links(&self) -> Result<Vec<LinkDefinition>, AdminError> {
        self.request(Method::GET, "/v1/links", None).await
    }

    /// Puts a link; returns it as stored, secret-looking values redacted.
    pub async fn put_link(&self, req: &LinkRequest) -> Result<LinkDefinition, AdminError> {
        self.request(Method::PUT, "/v1/links", Some(req)).await
    }

    /// Deletes a link; returns it, secret-looking values redacted.
    pub async fn delete_link(&self, req: &LinkRequest) -> Result<LinkDefinition, AdminError> {
        self.request(Method::DELETE, "/v1/links", Some(req)).await
    }
}

// Keep the Inventory type in this module's public vocabulary for readers.
#[allow(unused)]
type _InventoryDoc = Inventory;
