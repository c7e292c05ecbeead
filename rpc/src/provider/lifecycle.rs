//! The one provider lifecycle, shared by every way a provider runs.
//!
//! A provider is written once against [`Provider`] (plus the generated
//! receivers of the services it implements) and runs either linked into a
//! host (embedded mode: the host's router calls [`Provider::handle`]) or as
//! a process of its own on a lattice ([`super::standalone`]: the same
//! provider served by [`super::ProviderServer`] over NATS). Flow of a
//! provider's life:
//! 1. a factory builds it from a [`ProviderContext`] (its id, link name,
//!    config, data directory);
//! 2. for every link naming it, [`Provider::put_link`] with the linked
//!    actor as an [`ActorLink`] (the httpserver binds its port for that
//!    actor, redis connects); deleting the link calls
//!    [`Provider::delete_link`];
//! 3. actors call it: [`Provider::handle`] with the caller in
//!    [`ActorOrigin`];
//! 4. it calls the linked actor back through the [`ActorLink`];
//! 5. [`Provider::health`] when the host asks, [`Provider::shutdown`] when it
//!    stops.
//!
//! Settings (link values over provider config) are read through
//! [`LinkSettings`], which refuses misspelt and doubled keys, and errors are
//! [`ProviderError`]s, which never show secret values.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use serde::Serialize;

use crate::core::HealthCheckResponse;
use crate::Context;
/// What a provider's methods take and return, in one place for its `use`.
pub use crate::{core::LinkDefinition, Message, RpcError, RpcResult};

/// Where the value of a provider setting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SettingOrigin {
    /// The link definition's `values`.
    Link,
    /// The provider's configuration (`[providers.config]` in a manifest).
    Config,
    /// The provider's built-in default (no key was given).
    Default,
}

impl fmt::Display for SettingOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SettingOrigin::Link => "link value",
            SettingOrigin::Config => "provider config",
            SettingOrigin::Default => "default",
        })
    }
}

/// One provider setting as it was given: the key as written (any case), its
/// value (trimmed) and where it came from. Errors carry it so that the
/// caller sees exactly which key and value were refused; errors and `Debug`
/// show the value through [`crate::redact::value`], so a password or URL
/// credentials never reach a log line or an admin reply.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Setting {
    /// The key as written (`URL`, `Address`, ...).
    pub key: String,
    /// The value, trimmed.
    pub value: String,
    /// Link values, provider config, or the default.
    pub origin: SettingOrigin,
}

impl fmt::Debug for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Setting")
            .field("key", &self.key)
            .field("value", &self.shown())
            .field("origin", &self.origin)
            .finish()
    }
}

impl Setting {
    /// The value as errors and logs may show it (secrets redacted).
    pub fn shown(&self) -> std::borrow::Cow<'_, str> {
        crate::redact::value(&self.key, &self.value)
    }

    /// The value as upstream's JSON settings: `config_b64` holds base64
    /// (padded or not; upstream took only unpadded, so `base64 -w0` output
    /// failed there) of the JSON text that any other key holds as is. The
    /// error is the reason only; [`LinkSettings::invalid`] adds the key.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, String> {
        use base64::Engine as _;
        let raw;
        let text = if self.key.eq_ignore_ascii_case("config_b64") {
            let t = self.value.trim();
            raw = base64::engine::general_purpose::STANDARD
                .decode(t)
                .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(t))
                .map_err(|e| format!("not base64: {e}"))?;
            std::str::from_utf8(&raw).map_err(|_| "not UTF-8 JSON".to_string())?
        } else {
            self.value.as_str()
        };
        serde_json::from_str(text).map_err(|e| format!("not valid JSON settings: {e}"))
    }

    /// A built-in default for `key`.
    pub fn default_for(key: &str, value: impl Into<String>) -> Self {
        Setting {
            key: key.to_string(),
            value: value.into(),
            origin: SettingOrigin::Default,
        }
    }
}

/// Errors of building or linking a provider.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// No factory is registered for this kind.
    #[error("unknown provider kind `{kind}` (known: {known})")]
    UnknownKind {
        /// The kind asked for.
        kind: String,
        /// The registered kinds, comma separated.
        known: String,
    },
    /// A setting (link value or provider config) is invalid, or the resource
    /// it names (an address to bind, a server, a file) cannot be used.
    /// Text: ``provider `kv`: link value `URL` = "http://x": reason[: cause]``.
    #[error("provider `{provider}`: {} `{}`{}: {reason}{}",
        .setting.origin, .setting.key, shown_value(.setting), shown_cause(.cause))]
    InvalidSetting {
        /// Provider name.
        provider: String,
        /// The offending setting.
        setting: Setting,
        /// Why it cannot be used.
        reason: String,
        /// The underlying error (bind, connect, open), if any.
        #[source]
        cause: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },
    /// Binding, connecting or opening a resource failed.
    #[error("provider `{provider}`: {}", crate::redact::text(.what))]
    Resource {
        /// Provider id or name.
        provider: String,
        /// What failed.
        what: String,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// Anything else.
    #[error("provider `{provider}`: {}", crate::redact::text(.message))]
    Other {
        /// Provider id or name.
        provider: String,
        /// Description.
        message: String,
    },
}

fn shown_value(s: &Setting) -> String {
    // A default has no key the user wrote; say what it was.
    match s.origin {
        SettingOrigin::Default => format!(" ({:?})", s.shown()),
        _ => format!(" = {:?}", s.shown()),
    }
}

fn shown_cause(c: &Option<Box<dyn std::error::Error + Send + Sync + 'static>>) -> String {
    c.as_ref().map(|c| format!(": {c}")).unwrap_or_default()
}

impl ProviderError {
    /// `setting` of provider `provider` is invalid because of `reason`.
    pub fn invalid(provider: &str, setting: &Setting, reason: impl Into<String>) -> Self {
        ProviderError::InvalidSetting {
            provider: provider.to_string(),
            setting: setting.clone(),
            reason: reason.into(),
            cause: None,
        }
    }

    /// Like [`ProviderError::invalid`], for a resource the setting names
    /// that failed with `cause`.
    pub fn unusable(
        provider: &str,
        setting: &Setting,
        reason: impl Into<String>,
        cause: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        ProviderError::InvalidSetting {
            provider: provider.to_string(),
            setting: setting.clone(),
            reason: reason.into(),
            // Redacted once here: the cause's text (and its sources') may
            // quote the URL with its password, and error chains are printed
            // whole by the CLI and logs.
            cause: Some(Box::new(crate::redact::RedactedError::new(&cause))),
        }
    }

    /// The setting this error is about, if it is about one.
    pub fn setting(&self) -> Option<&Setting> {
        match self {
            ProviderError::InvalidSetting { setting, .. } => Some(setting),
            _ => None,
        }
    }
}

/// The settings a provider reads for one link: the link's values over the
/// provider's config, keys matched case-insensitively (as upstream providers
/// do). Checks what every provider wants checked once:
/// - a key given twice in one map (`port` and `PORT`) is an error: which one
///   wins would depend on hash order;
/// - an unknown key close to a known one (`adress`, `max-content-len`) is an
///   error naming the key it resembles;
/// - other unknown keys are ignored with a warning: upstream providers ignore
///   keys they do not read, and links carry them (e.g. tags).
#[derive(Debug, Clone, Copy)]
pub struct LinkSettings<'a> {
    provider: &'a str,
    link: &'a HashMap<String, String>,
    config: &'a HashMap<String, String>,
}

impl<'a> LinkSettings<'a> {
    /// Checks `link` values and `config` against the `known` keys of
    /// provider `provider` (its name, for error texts).
    pub fn new(
        provider: &'a str,
        link: &'a HashMap<String, String>,
        config: &'a HashMap<String, String>,
        known: &[&str],
    ) -> Result<Self, ProviderError> {
        for (origin, map) in [(SettingOrigin::Config, config), (SettingOrigin::Link, link)] {
            // Sorted, so the error (and warning) for a map is deterministic.
            let mut keys: Vec<(&String, &String)> = map.iter().collect();
            keys.sort();
            for (i, (key, value)) in keys.iter().enumerate() {
                let setting = Setting {
                    key: key.to_string(),
                    value: value.trim().to_string(),
                    origin,
                };
                if let Some((other, _)) =
                    keys[..i].iter().find(|(k, _)| k.eq_ignore_ascii_case(key))
                {
                    return Err(ProviderError::invalid(
                        provider,
                        &setting,
                        format!("given twice, also as `{other}` (keys are case-insensitive)"),
                    ));
                }
                if known.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                    continue;
                }
                if let Some(near) = known.iter().find(|k| resembles(key, k)) {
                    return Err(ProviderError::invalid(
                        provider,
                        &setting,
                        format!("unknown setting; did you mean `{near}`?"),
                    ));
                }
                tracing::warn!(provider, key = %key, "{origin} not used by this provider (known: {})", known.join(", "));
            }
        }
        Ok(LinkSettings {
            provider,
            link,
            config,
        })
    }

    /// The provider name used in errors.
    pub fn provider(&self) -> &'a str {
        self.provider
    }

    /// `key` from the link values, else from the provider config.
    pub fn get(&self, key: &str) -> Option<Setting> {
        self.at(SettingOrigin::Link, key)
            .or_else(|| self.at(SettingOrigin::Config, key))
    }

    /// `key` from one level only (`Default` has no values).
    pub fn at(&self, origin: SettingOrigin, key: &str) -> Option<Setting> {
        let map = match origin {
            SettingOrigin::Link => self.link,
            SettingOrigin::Config => self.config,
            SettingOrigin::Default => return None,
        };
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(k, v)| Setting {
                key: k.clone(),
                value: v.trim().to_string(),
                origin,
            })
    }

    /// The error for `setting` being invalid because of `reason`.
    pub fn invalid(&self, setting: &Setting, reason: impl Into<String>) -> ProviderError {
        ProviderError::invalid(self.provider, setting, reason)
    }

    /// `setting` as a size in bytes (see [`parse_size`]) within `range`.
    pub fn size(
        &self,
        setting: &Setting,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<u64, ProviderError> {
        let n = parse_size(&setting.value).map_err(|r| self.invalid(setting, r))?;
        if !range.contains(&n) {
            return Err(self.invalid(
                setting,
                format!(
                    "must be between {} and {} bytes",
                    range.start(),
                    range.end()
                ),
            ));
        }
        Ok(n)
    }
}

/// Parses a size setting: `500` bytes, or a number with a `k`, `m` or `g`
/// suffix (any case; multiples of 1024), as `64k` or `10M`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (digits, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], c.to_ascii_lowercase()),
        _ => (t, ' '),
    };
    let factor: u64 = match unit {
        ' ' => 1,
        'k' => 1 << 10,
        'm' => 1 << 20,
        'g' => 1 << 30,
        other => {
            return Err(format!(
                "unknown size suffix {other:?} in {text:?} (use k, m or g)"
            ))
        }
    };
    digits
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .ok_or_else(|| format!("{text:?} is not a size (e.g. 500, 64k, 10m)"))
}

/// Whether the unknown key `key` looks like a misspelling of `known`:
/// equal once `-`/`_` are dropped and case ignored, or within a small
/// edit distance (one edit for short keys, two for longer ones).
fn resembles(key: &str, known: &str) -> bool {
    let norm = |s: &str| -> Vec<char> {
        s.chars()
            .filter(|c| *c != '_' && *c != '-')
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let (a, b) = (norm(key), norm(known));
    let limit = if b.len() <= 4 { 1 } else { 2 };
    edit_distance(&a, &b) <= limit
}

/// Levenshtein distance with adjacent transpositions (optimal string
/// alignment), so `adress` and `addrses` are both close to `address`.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for j in 0..=m {
        d[0][j] = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

impl From<ProviderError> for RpcError {
    fn from(e: ProviderError) -> Self {
        RpcError::ProviderInit(e.to_string())
    }
}

/// Who called a provider: the actor and the link it called through.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActorOrigin {
    /// Id of the calling actor (its module public key).
    pub actor_id: String,
    /// Link name the actor used (`default` unless it chose another).
    pub link_name: String,
}

impl ActorOrigin {
    /// The [`Context`] generated receivers take: the calling actor.
    pub fn context(&self) -> Context {
        Context {
            actor: Some(self.actor_id.clone()),
            ..Context::default()
        }
    }
}

/// Everything a provider factory gets to build one provider instance.
#[derive(Clone)]
pub struct ProviderContext {
    /// Host-unique id of this provider instance (a `V...` key).
    pub provider_id: String,
    /// Human name from the manifest.
    pub name: String,
    /// Link name this instance serves.
    pub link_name: String,
    /// Settings from the manifest (`[providers.config]`), as strings.
    pub config: HashMap<String, String>,
    /// The host's data directory; a provider that stores data uses a
    /// sub-directory of it unless its config or link values say otherwise.
    pub data_dir: PathBuf,
    /// The lattice the provider's host is on, if any: a provider that
    /// talks to the lattice itself (lattice-controller) connects like its
    /// host unless told otherwise.
    pub lattice: Option<HostLattice>,
}

/// How the host of a provider reaches its lattice.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct HostLattice {
    /// NATS server URL(s), comma-separated.
    pub nats_url: String,
    /// The lattice prefix.
    pub prefix: String,
    /// A NATS user JWT (with `user_seed`).
    pub user_jwt: Option<String>,
    /// The nkey seed of the user (alone: an nkey user).
    pub user_seed: Option<String>,
    /// A NATS credentials file (JWT + seed).
    pub creds_file: Option<PathBuf>,
    /// The JetStream domain, if one is used.
    pub js_domain: Option<String>,
    /// How long the host lets an actor's call to this provider run before
    /// the caller gives up, when it says (a provider that waits, e.g. to
    /// gather replies, keeps within it).
    pub call_timeout: Option<std::time::Duration>,
}

/// The seed is a secret: it never reaches a log line.
impl fmt::Debug for HostLattice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostLattice")
            .field("nats_url", &self.nats_url)
            .field("prefix", &self.prefix)
            .field("user_jwt", &self.user_jwt.as_ref().map(|_| "<redacted>"))
            .field("user_seed", &self.user_seed.as_ref().map(|_| "<redacted>"))
            .field("creds_file", &self.creds_file)
            .field("js_domain", &self.js_domain)
            .field("call_timeout", &self.call_timeout)
            .finish()
    }
}

/// Config values are shown through [`crate::redact::value`]: a token or a
/// password in a provider's config never reaches a log line.
impl fmt::Debug for ProviderContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut config: Vec<(&str, std::borrow::Cow<'_, str>)> = self
            .config
            .iter()
            .map(|(k, v)| (k.as_str(), crate::redact::value(k, v)))
            .collect();
        config.sort();
        f.debug_struct("ProviderContext")
            .field("provider_id", &self.provider_id)
            .field("name", &self.name)
            .field("link_name", &self.link_name)
            .field("config", &config)
            .field("data_dir", &self.data_dir)
            .field("lattice", &self.lattice)
            .finish()
    }
}

impl ProviderContext {
    /// The settings of `link` for this provider (see [`LinkSettings`]).
    pub fn link_settings<'a>(
        &'a self,
        link: &'a HashMap<String, String>,
        known: &[&str],
    ) -> Result<LinkSettings<'a>, ProviderError> {
        LinkSettings::new(&self.name, link, &self.config, known)
    }

    /// Looks a config value up case-insensitively.
    pub fn config_value(&self, key: &str) -> Option<&str> {
        self.config
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// A capability provider: what a host (in process) and
/// [`super::ProviderServer`] (as its own process on a lattice) both call.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// Contract id this provider implements, e.g. `wasmcloud:keyvalue`.
    fn contract_id(&self) -> &str;

    /// A link naming this provider instance was put: react to its values
    /// (httpserver binds the address for `link.actor_id`; redis connects).
    /// Putting a link that already exists replaces it: the provider must
    /// release what the old one held. An error rejects the link.
    /// The default accepts every link and keeps nothing.
    async fn put_link(&self, link: &LinkDefinition, actor: ActorLink) -> Result<(), ProviderError> {
        let _ = (link, actor);
        Ok(())
    }

    /// A link naming this provider was deleted: release what it held
    /// (stop listening, drop connections).
    async fn delete_link(&self, link: &LinkDefinition) {
        let _ = link;
    }

    /// An actor called this provider; `msg.method` is e.g. `KeyValue.Increment`.
    /// Returns the encoded reply (zero bytes for operations without output).
    async fn handle(&self, origin: &ActorOrigin, msg: Message<'_>) -> RpcResult<Vec<u8>>;

    /// The host asks whether the provider is well (upstream's health
    /// check). Healthy unless the provider says otherwise.
    async fn health(&self) -> HealthCheckResponse {
        HealthCheckResponse {
            healthy: true,
            message: None,
        }
    }

    /// The host is stopping: finish or abort outstanding work.
    async fn shutdown(&self) {}

    /// Where people or programs reach what this provider serves for each
    /// linked actor (httpserver: the URL it listens on). Shown by
    /// `host-min up` once it is serving; most providers serve nothing.
    fn endpoints(&self) -> Vec<Endpoint> {
        Vec::new()
    }
}

/// An address a provider serves an actor on (see [`Provider::endpoints`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// The actor served (`M...`).
    pub actor_id: String,
    /// The link name the endpoint belongs to.
    pub link_name: String,
    /// Where to reach it, e.g. `http://127.0.0.1:8080`.
    pub url: String,
}

/// How a provider calls the actor of one link: the one "call an actor"
/// abstraction, weld-rpc's [`Transport`](crate::Transport), bound to the
/// link's actor with the provider as the caller. Wrap it in a generated
/// sender (`HttpServerSender::via(actor)`).
///
/// In a host it goes through the router, which checks the link and the
/// actor's claims on every call and reaches the actor in this process or
/// on the lattice; in a provider process it is weld-rpc's
/// `ProviderTransport` (a signed invocation over NATS, checked by the host
/// that runs the actor). [`Transport::concurrency`](crate::Transport::concurrency)
/// gives the actor's instance bound where it is known.
pub type ActorLink = Arc<dyn crate::Transport>;

/// An actor's calls to a provider in this process, delivered as a host
/// delivers them ([`Provider::handle`] with the actor as origin): the
/// transport of generated senders (`KeyValueSender::via(...)`) when a
/// provider is driven without a host, as its tests do.
pub struct CallsFrom<P: ?Sized> {
    /// The provider called.
    pub provider: Arc<P>,
    /// The calling actor and the link name it uses.
    pub origin: ActorOrigin,
}

impl<P: ?Sized> CallsFrom<P> {
    /// Calls from `actor_id` on link `default`.
    pub fn actor(provider: Arc<P>, actor_id: &str) -> Self {
        CallsFrom {
            provider,
            origin: ActorOrigin {
                actor_id: actor_id.to_string(),
                link_name: "default".into(),
            },
        }
    }
}

#[async_trait]
impl<P: Provider + ?Sized> crate::Transport for CallsFrom<P> {
    async fn send(
        &self,
        _ctx: &Context,
        req: Message<'_>,
        _opts: Option<crate::SendOpts>,
    ) -> RpcResult<Vec<u8>> {
        self.provider.handle(&self.origin, req).await
    }
}

/// What a provider keeps per link (a store, a client, settings), by actor
/// and link name; a call from an actor without a link gets upstream's
/// error (`actor not linked:{id}`).
pub struct PerLink<T> {
    /// Actor id -> (link name, value): looked up by `&str` on every call,
    /// without building a key.
    map: std::sync::RwLock<HashMap<String, Vec<(String, Arc<T>)>>>,
}

/// The links held (actor and link name), not what is kept for them (a
/// client or settings may hold secrets).
impl<T> fmt::Debug for PerLink<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let map = self.map.read().unwrap_or_else(|p| p.into_inner());
        let mut links: Vec<(&str, &str)> = map
            .iter()
            .flat_map(|(actor, v)| {
                v.iter()
                    .map(move |(name, _)| (actor.as_str(), name.as_str()))
            })
            .collect();
        links.sort();
        f.debug_struct("PerLink").field("links", &links).finish()
    }
}

impl<T> Default for PerLink<T> {
    fn default() -> Self {
        PerLink {
            map: std::sync::RwLock::new(HashMap::new()),
        }
    }
}

impl<T> PerLink<T> {
    /// Nothing linked yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records what `link` uses; returns what it replaces.
    pub fn insert(&self, link: &LinkDefinition, value: Arc<T>) -> Option<Arc<T>> {
        let mut map = self.map.write().unwrap_or_else(|p| p.into_inner());
        let links = map.entry(link.actor_id.clone()).or_default();
        match links.iter_mut().find(|(l, _)| *l == link.link_name) {
            Some((_, v)) => Some(std::mem::replace(v, value)),
            None => {
                links.push((link.link_name.clone(), value));
                None
            }
        }
    }

    /// Forgets `link`; returns what it used.
    pub fn remove(&self, link: &LinkDefinition) -> Option<Arc<T>> {
        let mut map = self.map.write().unwrap_or_else(|p| p.into_inner());
        let links = map.get_mut(&link.actor_id)?;
        let i = links.iter().position(|(l, _)| *l == link.link_name)?;
        let (_, v) = links.remove(i);
        if links.is_empty() {
            map.remove(&link.actor_id);
        }
        Some(v)
    }

    /// What the caller's link uses, or upstream's error for an actor
    /// without a link.
    pub fn get(&self, origin: &ActorOrigin) -> RpcResult<Arc<T>> {
        let map = self.map.read().unwrap_or_else(|p| p.into_inner());
        map.get(origin.actor_id.as_str())
            .and_then(|links| links.iter().find(|(l, _)| *l == origin.link_name))
            .map(|(_, v)| Arc::clone(v))
            .ok_or_else(|| {
                RpcError::InvalidParameter(format!("actor not linked:{}", origin.actor_id))
            })
    }

    /// Forgets every link (shutdown); returns what they used.
    pub fn drain(&self) -> Vec<Arc<T>> {
        let mut map = self.map.write().unwrap_or_else(|p| p.into_inner());
        map.drain()
            .flat_map(|(_, links)| links.into_iter().map(|(_, v)| v))
            .collect()
    }
}

/// Calls a provider in process as the actor `origin` would: the
/// [`Transport`](crate::Transport) a generated sender wraps
/// (`KeyValueSender::via(ProviderClient { .. })`), for tests of a provider
/// and for programs that embed one without a host.
pub struct ProviderClient {
    /// The provider called.
    pub provider: Arc<dyn Provider>,
    /// Who calls.
    pub origin: ActorOrigin,
}

#[async_trait]
impl crate::Transport for ProviderClient {
    async fn send(
        &self,
        _ctx: &Context,
        req: Message<'_>,
        _opts: Option<crate::SendOpts>,
    ) -> RpcResult<Vec<u8>> {
        self.provider.handle(&self.origin, req).await
    }
}

/// Builds a provider instance from its context.
pub type ProviderFactory =
    Arc<dyn Fn(ProviderContext) -> Result<Arc<dyn Provider>, ProviderError> + Send + Sync>;

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const KNOWN: &[&str] = &["address", "port", "max_content_len", "URL"];

    #[test]
    fn debug_output_holds_no_secret() {
        let ctx = ProviderContext {
            provider_id: "V1".into(),
            name: "kv".into(),
            link_name: "default".into(),
            config: map(&[
                ("token", "s3cret-token"),
                ("uri", "postgres://u:pw-in-url@db/x"),
            ]),
            data_dir: ".".into(),
            lattice: None,
        };
        let shown = format!("{ctx:?}");
        assert!(
            shown.contains("\"kv\"") && shown.contains("token"),
            "{shown}"
        );
        assert!(
            !shown.contains("s3cret") && !shown.contains("pw-in-url"),
            "{shown}"
        );
        let links: PerLink<String> = PerLink::new();
        let link = LinkDefinition {
            actor_id: "Ma".into(),
            link_name: "default".into(),
            ..Default::default()
        };
        links.insert(&link, Arc::new("secret value".to_string()));
        let shown = format!("{links:?}");
        assert_eq!(shown, "PerLink { links: [(\"Ma\", \"default\")] }");
    }

    #[test]
    fn misspelt_keys_are_refused_and_others_ignored() {
        let none = HashMap::new();
        for (typo, near) in [
            ("adress", "address"),
            ("addresss", "address"),
            ("max-content-len", "max_content_len"),
            ("MaxContentLen", "max_content_len"),
            ("prot", "port"),
            ("uri", "URL"),
        ] {
            let values = map(&[(typo, "1")]);
            let e = LinkSettings::new("p", &values, &none, KNOWN).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("provider `p`: link value `{typo}` = \"1\": unknown setting; did you mean `{near}`?")
            );
        }
        for fine in ["tag", "PORT", "Url", "path", "owner"] {
            let values = map(&[(fine, "1")]);
            assert!(
                LinkSettings::new("p", &values, &none, KNOWN).is_ok(),
                "{fine}"
            );
        }
    }

    /// Issue 11: the "given twice" error printed both raw values, and the
    /// router logs every refusal; secrets must not reach either.
    #[test]
    fn refusals_and_debug_never_show_secret_values() {
        let none = HashMap::new();
        let values = map(&[("password", "hunter2"), ("PASSWORD", "hunter3")]);
        let e = LinkSettings::new("p", &values, &none, &["password"]).unwrap_err();
        let text = format!("{e} {e:?}");
        assert!(!text.contains("hunter"), "{text}");
        assert!(
            e.to_string()
                .starts_with("provider `p`: link value `password` = \"[REDACTED]\": given twice"),
            "{e}"
        );
        let url = Setting {
            key: "URL".into(),
            value: "redis://u:pw@h:1/".into(),
            origin: SettingOrigin::Link,
        };
        let e = ProviderError::unusable(
            "p",
            &url,
            "cannot connect",
            std::io::Error::other("refused by redis://u:pw@h:1/"),
        );
        let text = format!("{e} {e:?}");
        assert!(!text.contains("u:pw"), "{text}");
        assert_eq!(
            e.to_string(),
            "provider `p`: link value `URL` = \"redis://[REDACTED]@h:1/\": cannot connect: refused by redis://[REDACTED]@h:1/"
        );
    }

    #[test]
    fn keys_given_twice_are_refused_and_link_beats_config() {
        let none = HashMap::new();
        let values = map(&[("port", "1"), ("PORT", "2")]);
        let e = LinkSettings::new("p", &values, &none, KNOWN).unwrap_err();
        assert_eq!(
            e.to_string(),
            "provider `p`: link value `port` = \"1\": given twice, also as `PORT` (keys are case-insensitive)"
        );
        let config = map(&[("Port", "1"), ("port", "2")]);
        let e = LinkSettings::new("p", &none, &config, KNOWN).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("provider `p`: provider config `port`"),
            "{e}"
        );

        let config = map(&[("PORT", " 80 "), ("address", "x")]);
        let values = map(&[("Port", "81")]);
        let s = LinkSettings::new("p", &values, &config, KNOWN).unwrap();
        let port = s.get("port").unwrap();
        assert_eq!(
            (port.key.as_str(), port.value.as_str(), port.origin),
            ("Port", "81", SettingOrigin::Link)
        );
        let addr = s.get("ADDRESS").unwrap();
        assert_eq!(addr.origin, SettingOrigin::Config);
        assert_eq!(s.at(SettingOrigin::Config, "port").unwrap().value, "80");
        assert!(s.get("url").is_none());
    }
}
