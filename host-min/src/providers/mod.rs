//! The provider interface of host-min.
//!
//! A provider is an in-process capability implementation (HTTP server, key-value
//! store, ...). Each concrete provider lives in its own module under
//! `providers/<name>.rs`, implements [`Provider`], and registers one factory in
//! [`ProviderRegistry::with_builtins`]. The router only ever sees
//! `Arc<dyn Provider>`, so adding a provider touches no router code.
//!
//! Flow of a provider's life:
//! 1. the host builds it from a manifest entry: [`ProviderRegistry::build`]
//!    with a [`ProviderContext`] (its id, link name, config, data dir);
//! 2. for every link definition naming it, [`Provider::put_link`] (the httpserver
//!    binds its port for that actor, redis connects to the link's `URL`);
//!    deleting the link calls [`Provider::delete_link`];
//! 3. actors call it: [`Provider::handle`] with the caller in [`ActorOrigin`];
//! 4. it calls actors back through the [`HostHandle`] it was given in `put_link`;
//! 5. [`Provider::shutdown`] when the host stops.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Weak};

use async_trait::async_trait;

pub use crate::types::{LinkDefinition, Message, RpcError, RpcResult};

// ---------------------------------------------------------------------------
// Provider modules. To add a provider: one `pub mod` line here and one
// `register` line in `ProviderRegistry::with_builtins`.
// ---------------------------------------------------------------------------

pub mod httpserver;
pub mod keyvalue;

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
    /// A configuration or link value is missing or invalid.
    #[error("provider `{provider}`: invalid setting `{key}`: {reason}")]
    InvalidSetting {
        /// Provider id or name.
        provider: String,
        /// Offending key.
        key: String,
        /// Why it is invalid.
        reason: String,
    },
    /// Binding, connecting or opening a resource failed.
    #[error("provider `{provider}`: {what}")]
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
    #[error("provider `{provider}`: {message}")]
    Other {
        /// Provider id or name.
        provider: String,
        /// Description.
        message: String,
    },
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

/// Everything a provider factory gets to build one provider instance.
#[derive(Debug, Clone)]
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
}

impl ProviderContext {
    /// Looks a config value up case-insensitively.
    pub fn config_value(&self, key: &str) -> Option<&str> {
        self.config
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// An in-process capability provider.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// Contract id this provider implements, e.g. `wasmcloud:keyvalue`.
    fn contract_id(&self) -> &str;

    /// A link naming this provider instance was put: react to its values
    /// (httpserver binds the address for `link.actor_id`; redis connects).
    /// Putting a link that already exists replaces it: the provider must
    /// release what the old one held. An error rejects the link.
    async fn put_link(&self, link: &LinkDefinition, host: HostHandle) -> Result<(), ProviderError>;

    /// A link naming this provider was deleted: release what it held
    /// (stop listening, drop connections).
    async fn delete_link(&self, link: &LinkDefinition);

    /// An actor called this provider; `msg.method` is e.g. `KeyValue.Increment`.
    /// Returns the encoded reply (zero bytes for operations without output).
    async fn handle(&self, origin: &ActorOrigin, msg: Message<'_>) -> RpcResult<Vec<u8>>;

    /// The host is stopping: finish or abort outstanding work.
    async fn shutdown(&self);
}

/// What a provider may ask of the host: call an actor.
///
/// Implemented by the router; providers only see this handle. It holds the
/// router weakly so that a provider keeping a handle does not keep the host
/// alive after shutdown.
#[async_trait]
pub trait ActorInvoker: Send + Sync + 'static {
    /// Calls `actor_id` on behalf of the provider `origin` (contract + link name).
    async fn call_actor(
        &self,
        origin: &ProviderOrigin,
        actor_id: &str,
        msg: Message<'_>,
    ) -> RpcResult<Vec<u8>>;
}

/// Identity of a provider calling an actor.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProviderOrigin {
    /// Provider instance id.
    pub provider_id: String,
    /// Contract id of the provider.
    pub contract_id: String,
    /// Link name of the provider instance.
    pub link_name: String,
}

/// Handle through which a provider calls actors.
#[derive(Clone)]
pub struct HostHandle {
    invoker: Weak<dyn ActorInvoker>,
    origin: ProviderOrigin,
}

impl fmt::Debug for HostHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostHandle")
            .field("origin", &self.origin)
            .finish()
    }
}

impl HostHandle {
    /// A handle calling through `invoker` as `origin`.
    pub fn new(invoker: Weak<dyn ActorInvoker>, origin: ProviderOrigin) -> Self {
        HostHandle { invoker, origin }
    }

    /// The provider identity calls are made with.
    pub fn origin(&self) -> &ProviderOrigin {
        &self.origin
    }

    /// Calls `actor_id` with `msg` (e.g. `HttpServer.HandleRequest`).
    /// The call is refused unless a link (actor, this contract, this link name)
    /// exists; it fails with [`RpcError::DeadlineExceeded`] when the actor runs
    /// past the host's per-call deadline.
    pub async fn call_actor(&self, actor_id: &str, msg: Message<'_>) -> RpcResult<Vec<u8>> {
        let Some(invoker) = self.invoker.upgrade() else {
            return Err(RpcError::HostError("host is shutting down".into()));
        };
        invoker.call_actor(&self.origin, actor_id, msg).await
    }
}

/// Builds a provider instance from its context.
pub type ProviderFactory =
    Arc<dyn Fn(ProviderContext) -> Result<Arc<dyn Provider>, ProviderError> + Send + Sync>;

/// Maps provider kinds (`httpserver`, `keyvalue`, `keyvalue-redis`, ...) to factories.
#[derive(Clone, Default)]
pub struct ProviderRegistry {
    factories: BTreeMap<String, ProviderFactory>,
}

impl fmt::Debug for ProviderRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.factories.keys()).finish()
    }
}

impl ProviderRegistry {
    /// An empty registry (tests register their own providers).
    pub fn empty() -> Self {
        Self::default()
    }

    /// The registry with every provider compiled into host-min.
    pub fn with_builtins() -> Self {
        #[allow(unused_mut)]
        let mut reg = Self::empty();
        // One line per provider module, e.g.:
        // reg.register("httpserver", |ctx| httpserver::build(ctx));
        reg.register("httpserver", httpserver::HttpServerProvider::build);
        reg.register("keyvalue", keyvalue::embedded::EmbeddedKvProvider::build);
        reg.register("keyvalue-redis", keyvalue::redis::RedisKvProvider::build);
        reg
    }

    /// Registers (or replaces) the factory for `kind`.
    pub fn register<F>(&mut self, kind: &str, factory: F) -> &mut Self
    where
        F: Fn(ProviderContext) -> Result<Arc<dyn Provider>, ProviderError> + Send + Sync + 'static,
    {
        self.factories.insert(kind.to_string(), Arc::new(factory));
        self
    }

    /// The registered kinds, sorted.
    pub fn kinds(&self) -> impl Iterator<Item = &str> {
        self.factories.keys().map(String::as_str)
    }

    /// Builds a provider of `kind`.
    pub fn build(
        &self,
        kind: &str,
        ctx: ProviderContext,
    ) -> Result<Arc<dyn Provider>, ProviderError> {
        match self.factories.get(kind) {
            Some(f) => f(ctx),
            None => Err(ProviderError::UnknownKind {
                kind: kind.to_string(),
                known: self.kinds().collect::<Vec<_>>().join(", "),
            }),
        }
    }
}
