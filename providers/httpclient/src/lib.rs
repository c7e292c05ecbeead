//! The `wasmcloud:httpclient` provider: actors make outgoing HTTP(S)
//! requests (`HttpClient.Request`).
//!
//! # Settings
//! Read case-insensitively from the link's values, falling back to the
//! provider's config:
//!
//! | key | meaning | default |
//! |---|---|---|
//! | `timeout_ms` | the whole exchange, connect to last body byte; past it the call fails | `30000` |
//! | `max_redirects` | redirects followed (`0`: none, the 3xx is the answer) | `10` |
//! | `max_content_len` | largest response body accepted (`k`/`m`/`g`) | `64m` |
//! | `tls_ca_file` | PEM file of extra trusted CA certificates (a private CA) | |
//!
//! One pooled client per link (connections are kept and reused across
//! calls; HTTP/1.1 and HTTP/2), TLS on rustls with the operating system's
//! trusted roots. Upstream built a new client for every call (no pool) and
//! had no timeout, so a server that never answered hung the actor's call.
//!
//! # Mapping
//! Request: `method` (any case), `url` (absolute `http`/`https`),
//! `headers` (`name -> [values]`, each value sent), `body`. Response: the
//! status (a 4xx or 5xx is an answer, not an error, as upstream), headers
//! as `name -> [values]` with lower-case names (values that are not UTF-8
//! are dropped), and the whole body. Errors: an invalid method, URL or
//! header, a connection failure, the timeout, too many redirects or a body
//! over `max_content_len`, each with its own text.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use weld_interface_httpclient::{HttpClient, HttpClientReceiver, HttpRequest, HttpResponse};
use weld_rpc::provider::lifecycle::{
    ActorLink, ActorOrigin, LinkDefinition, LinkSettings, Message, PerLink, Provider,
    ProviderContext, ProviderError, RpcError, RpcResult, Setting,
};
use weld_rpc::Context;

/// The contract id this provider answers to.
pub const CONTRACT_ID: &str = "wasmcloud:httpclient";
/// Every setting this provider reads.
pub const SETTING_KEYS: &[&str] = &[
    "timeout_ms",
    "max_redirects",
    "max_content_len",
    "tls_ca_file",
];
/// Timeout of a request when the link gives none.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Redirects followed when the link gives no limit.
pub const DEFAULT_MAX_REDIRECTS: usize = 10;
/// Largest response body when the link gives no limit.
pub const DEFAULT_MAX_CONTENT_LEN: u64 = 64 * 1024 * 1024;

/// What one link's requests use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSettings {
    /// Timeout of a whole exchange.
    pub timeout: Duration,
    /// Redirects followed.
    pub max_redirects: usize,
    /// Largest response body.
    pub max_content_len: u64,
    /// Extra trusted CAs (PEM), read when the link is put.
    pub tls_ca_file: Option<Setting>,
}

impl ClientSettings {
    fn resolve(s: &LinkSettings<'_>) -> Result<ClientSettings, ProviderError> {
        let number = |key: &str, max: u64| -> Result<Option<u64>, ProviderError> {
            let Some(v) = s.get(key) else { return Ok(None) };
            match v.value.parse::<u64>() {
                Ok(n) if n <= max => Ok(Some(n)),
                _ => Err(s.invalid(&v, format!("expected a whole number up to {max}"))),
            }
        };
        let timeout = match number("timeout_ms", 24 * 3600 * 1000)? {
            Some(0) => {
                let v = s.get("timeout_ms").expect("just read");
                return Err(s.invalid(&v, "must be at least 1"));
            }
            Some(ms) => Duration::from_millis(ms),
            None => DEFAULT_TIMEOUT,
        };
        let max_redirects = number("max_redirects", 100)?
            .map(|n| n as usize)
            .unwrap_or(DEFAULT_MAX_REDIRECTS);
        let max_content_len = match s.get("max_content_len") {
            Some(v) => s.size(&v, 1..=u64::MAX)?,
            None => DEFAULT_MAX_CONTENT_LEN,
        };
        let tls_ca_file = s.get("tls_ca_file");
        if let Some(v) = &tls_ca_file {
            if v.value.is_empty() {
                return Err(s.invalid(v, "empty value"));
            }
        }
        Ok(ClientSettings {
            timeout,
            max_redirects,
            max_content_len,
            tls_ca_file,
        })
    }
}

/// One link: its settings and its pooled client.
struct Linked {
    settings: ClientSettings,
    client: reqwest::Client,
}

/// The httpclient provider.
#[derive(Debug)]
pub struct HttpClientProvider {
    ctx: ProviderContext,
    links: PerLink<Linked>,
}

impl HttpClientProvider {
    /// A provider for `ctx`.
    pub fn new(ctx: ProviderContext) -> Self {
        // rustls needs one crypto provider for the process; ring, as the
        // NATS client uses. Installing twice is harmless (the first stays).
        let _ = rustls::crypto::ring::default_provider().install_default();
        HttpClientProvider {
            ctx,
            links: PerLink::new(),
        }
    }

    /// Registry factory. Invalid provider-wide settings fail here.
    pub fn build(ctx: ProviderContext) -> Result<Arc<dyn Provider>, ProviderError> {
        let provider = Self::new(ctx);
        provider.settings(&HashMap::new())?;
        Ok(Arc::new(provider))
    }

    /// The settings a link with `values` gets.
    pub fn settings(
        &self,
        values: &HashMap<String, String>,
    ) -> Result<ClientSettings, ProviderError> {
        ClientSettings::resolve(&self.ctx.link_settings(values, SETTING_KEYS)?)
    }
}

#[async_trait]
impl Provider for HttpClientProvider {
    fn contract_id(&self) -> &str {
        CONTRACT_ID
    }

    async fn put_link(
        &self,
        link: &LinkDefinition,
        _actor: ActorLink,
    ) -> Result<(), ProviderError> {
        let settings = self.settings(&link.values)?;
        let redirects = match settings.max_redirects {
            0 => reqwest::redirect::Policy::none(),
            n => reqwest::redirect::Policy::limited(n),
        };
        let mut builder = reqwest::Client::builder();
        if let Some(ca) = &settings.tls_ca_file {
            // Added to the system's roots, not instead of them.
            let pem = std::fs::read(&ca.value)
                .map_err(|e| ProviderError::unusable(&self.ctx.name, ca, "cannot read it", e))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                ProviderError::unusable(&self.ctx.name, ca, "not PEM certificates", e)
            })?;
            if certs.is_empty() {
                return Err(ProviderError::invalid(
                    &self.ctx.name,
                    ca,
                    "holds no certificate",
                ));
            }
            builder = builder.tls_certs_merge(certs);
        }
        let client = builder
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .redirect(redirects)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| ProviderError::Resource {
                provider: self.ctx.name.clone(),
                what: "cannot build the HTTP client".into(),
                source: Box::new(e),
            })?;
        self.links
            .insert(link, Arc::new(Linked { settings, client }));
        Ok(())
    }

    async fn delete_link(&self, link: &LinkDefinition) {
        // Dropping the client closes its idle connections.
        self.links.remove(link);
    }

    async fn handle(&self, origin: &ActorOrigin, msg: Message<'_>) -> RpcResult<Vec<u8>> {
        let linked = self.links.get(origin)?;
        HttpClientReceiver::dispatch(&*linked, &origin.context(), msg).await
    }

    async fn shutdown(&self) {
        self.links.drain();
    }
}

#[async_trait]
impl HttpClient for Linked {
    async fn request(&self, _ctx: &Context, arg: &HttpRequest) -> RpcResult<HttpResponse> {
        let method = reqwest::Method::from_bytes(arg.method.to_ascii_uppercase().as_bytes())
            .map_err(|_| RpcError::InvalidParameter(format!("invalid method {:?}", arg.method)))?;
        let url = reqwest::Url::parse(&arg.url)
            .map_err(|e| RpcError::InvalidParameter(format!("invalid url {:?}: {e}", arg.url)))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(RpcError::InvalidParameter(format!(
                "invalid url {:?}: only http and https are served",
                arg.url
            )));
        }
        let mut headers = reqwest::header::HeaderMap::new();
        for (name, values) in &arg.headers {
            let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| RpcError::InvalidParameter(format!("invalid header name {name:?}")))?;
            for value in values {
                let value = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
                    RpcError::InvalidParameter(format!("invalid value for header {name}"))
                })?;
                headers.append(name.clone(), value);
            }
        }
        let sent = self
            .client
            .request(method, url)
            .headers(headers)
            .body(arg.body.clone())
            .send()
            .await
            .map_err(|e| transport_error(&arg.url, self.settings.timeout, e))?;
        let status_code = sent.status().as_u16();
        let limit = self.settings.max_content_len;
        if sent.content_length().is_some_and(|n| n > limit) {
            return Err(too_large(&arg.url, limit));
        }
        let mut header: HashMap<String, Vec<String>> = HashMap::new();
        for (name, value) in sent.headers() {
            if let Ok(v) = value.to_str() {
                header
                    .entry(name.as_str().to_string())
                    .or_default()
                    .push(v.to_string());
            }
        }
        let mut body = Vec::new();
        let mut sent = sent;
        while let Some(piece) = sent
            .chunk()
            .await
            .map_err(|e| transport_error(&arg.url, self.settings.timeout, e))?
        {
            if body.len() as u64 + piece.len() as u64 > limit {
                return Err(too_large(&arg.url, limit));
            }
            body.extend_from_slice(&piece);
        }
        Ok(HttpResponse {
            status_code,
            header,
            body,
        })
    }
}

fn too_large(url: &str, limit: u64) -> RpcError {
    RpcError::Other(format!(
        "response body from {url} is larger than max_content_len ({limit} bytes)"
    ))
}

/// The error an actor gets when the exchange itself failed.
fn transport_error(url: &str, timeout: Duration, e: reqwest::Error) -> RpcError {
    if e.is_timeout() {
        RpcError::Timeout(format!(
            "{url}: no complete answer within {} ms",
            timeout.as_millis()
        ))
    } else if e.is_redirect() {
        RpcError::Other(format!("{url}: too many redirects"))
    } else {
        // The chain says why (refused, DNS, TLS, ...).
        let mut text = format!("{url}: {e}");
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text.push_str(&format!(": {s}"));
            source = s.source();
        }
        RpcError::Other(text)
    }
}
