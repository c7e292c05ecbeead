//! The providers a host knows: the one provider lifecycle
//! ([`weld_rpc::provider::Provider`], re-exported here) and a registry of
//! factories by kind.
//!
//! Each provider lives in its own crate under `providers/<name>/` (a
//! library the host links, plus a binary that runs the same provider as its
//! own process on a lattice). [`ProviderRegistry::with_builtins`] registers
//! those host-min was built with, selected by Cargo features
//! (`provider-blobstore-fs`, `provider-blobstore-s3`, `provider-httpclient`,
//! `provider-httpserver`, `provider-keyvalue`, `provider-keyvalue-redis`,
//! `provider-keyvalue-vault`, `provider-lattice-controller`,
//! `provider-messaging-nats`, `provider-sqldb-postgres`; all by default), so
//! a host can be built with just the providers it needs.
//! The router only ever sees `Arc<dyn Provider>`, so adding a provider
//! touches no router code.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

pub use weld_rpc::provider::lifecycle::*;

#[cfg(feature = "provider-blobstore-fs")]
pub use weld_provider_blobstore_fs as blobstore_fs;
#[cfg(feature = "provider-blobstore-s3")]
pub use weld_provider_blobstore_s3 as blobstore_s3;
#[cfg(feature = "provider-httpclient")]
pub use weld_provider_httpclient as httpclient;
#[cfg(feature = "provider-httpserver")]
pub use weld_provider_httpserver as httpserver;
#[cfg(any(
    feature = "provider-keyvalue",
    feature = "provider-keyvalue-redis",
    feature = "provider-keyvalue-vault"
))]
pub use weld_provider_keyvalue as keyvalue;
#[cfg(feature = "provider-lattice-controller")]
pub use weld_provider_lattice_controller as lattice_controller;
#[cfg(feature = "provider-messaging-nats")]
pub use weld_provider_messaging_nats as messaging_nats;
#[cfg(feature = "provider-sqldb-postgres")]
pub use weld_provider_sqldb_postgres as sqldb_postgres;

/// Maps provider kinds (`httpserver`, `keyvalue`, `keyvalue-redis`, ...) to factories.
#[derive(Clone, Default)]
pub struct ProviderRegistry {
    /// Kind -> (contract id, factory).
    factories: BTreeMap<String, (String, ProviderFactory)>,
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
        // One line per provider crate, behind its feature.
        #[cfg(feature = "provider-blobstore-fs")]
        reg.register(
            "blobstore-fs",
            blobstore_fs::CONTRACT_ID,
            blobstore_fs::FsBlobstoreProvider::build,
        );
        #[cfg(feature = "provider-blobstore-s3")]
        reg.register(
            "blobstore-s3",
            blobstore_s3::CONTRACT_ID,
            blobstore_s3::S3BlobstoreProvider::build,
        );
        #[cfg(feature = "provider-httpclient")]
        reg.register(
            "httpclient",
            httpclient::CONTRACT_ID,
            httpclient::HttpClientProvider::build,
        );
        #[cfg(feature = "provider-httpserver")]
        reg.register(
            "httpserver",
            httpserver::CONTRACT_ID,
            httpserver::HttpServerProvider::build,
        );
        #[cfg(feature = "provider-keyvalue")]
        reg.register(
            "keyvalue",
            keyvalue::CONTRACT_ID,
            keyvalue::embedded::EmbeddedKvProvider::build,
        );
        #[cfg(feature = "provider-keyvalue-redis")]
        reg.register(
            "keyvalue-redis",
            keyvalue::CONTRACT_ID,
            keyvalue::redis::RedisKvProvider::build,
        );
        #[cfg(feature = "provider-keyvalue-vault")]
        reg.register(
            "keyvalue-vault",
            keyvalue::CONTRACT_ID,
            keyvalue::vault::VaultKvProvider::build,
        );
        #[cfg(feature = "provider-lattice-controller")]
        reg.register(
            "lattice-controller",
            lattice_controller::CONTRACT_ID,
            lattice_controller::LatticeControllerProvider::build,
        );
        #[cfg(feature = "provider-messaging-nats")]
        reg.register(
            "messaging-nats",
            messaging_nats::CONTRACT_ID,
            messaging_nats::NatsMessagingProvider::build,
        );
        #[cfg(feature = "provider-sqldb-postgres")]
        reg.register(
            "sqldb-postgres",
            sqldb_postgres::CONTRACT_ID,
            sqldb_postgres::PostgresProvider::build,
        );
        reg
    }

    /// Registers (or replaces) the factory for `kind`, whose providers
    /// implement `contract` (known without building one: a host starting
    /// the kind as a process needs it up front).
    pub fn register<F>(&mut self, kind: &str, contract: &str, factory: F) -> &mut Self
    where
        F: Fn(ProviderContext) -> Result<Arc<dyn Provider>, ProviderError> + Send + Sync + 'static,
    {
        self.factories
            .insert(kind.to_string(), (contract.to_string(), Arc::new(factory)));
        self
    }

    /// The contract id the providers of `kind` implement.
    pub fn contract(&self, kind: &str) -> Option<&str> {
        self.factories.get(kind).map(|(c, _)| c.as_str())
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
            Some((_, f)) => f(ctx),
            None => Err(ProviderError::UnknownKind {
                kind: kind.to_string(),
                known: self.kinds().collect::<Vec<_>>().join(", "),
            }),
        }
    }
}
