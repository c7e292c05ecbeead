//! A host: the runtime, the router, the provider registry and the data
//! directory, plus applying a manifest to them.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::claims::ClaimsPolicy;
use crate::ids::{derived_key, KeyKind};
use crate::manifest::{Manifest, ManifestError};
use crate::providers::{ProviderContext, ProviderError, ProviderRegistry, Setting, SettingOrigin};
use crate::router::{ProviderInfo, Router, RouterError};
use crate::runtime::{Runtime, RuntimeConfig, RuntimeError};
use crate::types::LinkDefinition;

/// Settings of a host.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// Lattice name (upstream default `default`).
    pub lattice: String,
    /// Where providers keep data.
    pub data_dir: PathBuf,
    /// wasm runtime settings.
    pub runtime: RuntimeConfig,
    /// Run actors that carry no signed claims, with every capability
    /// (development only). Off by default: a host refuses unsigned actors
    /// and lets signed ones use only the capabilities their claims list.
    pub allow_unsigned: bool,
    /// How actors and providers given by OCI reference are pulled.
    pub registry: crate::oci::RegistryOptions,
}

impl Default for HostConfig {
    fn default() -> Self {
        HostConfig {
            lattice: "default".into(),
            data_dir: PathBuf::from(".host-min"),
            runtime: RuntimeConfig::default(),
            allow_unsigned: false,
            registry: crate::oci::RegistryOptions::from_env(),
        }
    }
}

impl HostConfig {
    /// Applies the `[host]` settings of a manifest on top of these.
    pub fn with_manifest(mut self, m: &Manifest) -> Self {
        if let Some(l) = &m.host.lattice {
            self.lattice = l.clone();
        }
        if let Some(d) = &m.host.data_dir {
            self.data_dir = d.clone();
        }
        if let Some(ms) = m.host.call_deadline_ms {
            self.runtime.call_deadline = Duration::from_millis(ms.max(1));
        }
        if let Some(mb) = m.host.max_memory_mb {
            self.runtime.max_memory_bytes = (mb.max(1) as usize).saturating_mul(1 << 20);
        }
        if let Some(n) = m.host.pool_instances {
            self.runtime.pool_instances = n.max(1);
        }
        if let Some(n) = m.host.max_instances {
            self.runtime.max_instances_per_actor = n.max(1);
        }
        if let Some(a) = m.host.allow_unsigned {
            self.allow_unsigned = a;
        }
        self.registry
            .insecure
            .extend(m.host.registry_insecure.iter().cloned());
        if let Some(a) = m.host.allow_latest {
            self.registry.allow_latest = a;
        }
        self
    }
}

/// Errors of starting a host or applying a manifest.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The runtime could not start.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// A manifest entry failed.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// Starting an actor, a provider or a link failed.
    #[error(transparent)]
    Router(#[from] RouterError),
    /// A provider could not be built.
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// An actor or provider could not be started from a reference (a
    /// control-interface command, or a provider process of the manifest).
    #[error(transparent)]
    Start(#[from] StartError),
}

/// Where in the manifest a refused setting was written: among the link's
/// values or the provider's config, by the key as written.
fn setting_position(
    setting: Option<&Setting>,
    values_at: Option<&HashMap<String, (usize, usize)>>,
    config_at: &HashMap<String, (usize, usize)>,
) -> Option<(usize, usize)> {
    let setting = setting?;
    match setting.origin {
        SettingOrigin::Link => values_at?.get(&setting.key).copied(),
        SettingOrigin::Config => config_at.get(&setting.key).copied(),
        SettingOrigin::Default => None,
    }
}

#[path = "host_lattice.rs"]
mod lattice_side;
pub use lattice_side::{
    is_archive, upload_digest, ProcessSource, StartError, BUILTIN_REF_PREFIX, PROCESS_REF_PREFIX,
    UPLOAD_REF_PREFIX,
};

/// A running host.
pub struct Host {
    router: Arc<Router>,
    policy: Arc<ClaimsPolicy>,
    registry: ProviderRegistry,
    data_dir: PathBuf,
    /// Pulled actors and provider archives, by digest.
    artifacts: crate::oci::cache::ArtifactCache,
    host_id: String,
    /// The lattice, once joined ([`Host::join_lattice`]).
    lattice: std::sync::OnceLock<Arc<crate::lattice::Lattice>>,
    /// What the control interface started here: instances, refs.
    book: std::sync::Mutex<lattice_side::Book>,
    /// Set when a control client asked the host to stop.
    stop_requested: Arc<tokio::sync::Notify>,
    /// This host's events, for watchers in this process (the dashboard of
    /// a host without a lattice; on a lattice they also go to NATS).
    local_events: tokio::sync::broadcast::Sender<crate::lattice::ctl::CloudEvent>,
    /// When the host started (its uptime without a lattice).
    started: std::time::Instant,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("host_id", &self.host_id)
            .field("data_dir", &self.data_dir)
            .finish()
    }
}

impl Host {
    /// Starts an empty host that enforces capability claims
    /// ([`ClaimsPolicy::enforcing`]), or admits unsigned actors when
    /// `config.allow_unsigned` is set ([`ClaimsPolicy::allow_unsigned`]).
    pub fn new(config: HostConfig, registry: ProviderRegistry) -> Result<Host, HostError> {
        let policy = if config.allow_unsigned {
            ClaimsPolicy::allow_unsigned()
        } else {
            ClaimsPolicy::enforcing()
        };
        Self::with_policy(config, registry, Arc::new(policy))
    }

    /// Starts an empty host with the given claims policy (its own setting
    /// for unsigned actors wins over `config.allow_unsigned`).
    pub fn with_policy(
        config: HostConfig,
        registry: ProviderRegistry,
        policy: Arc<ClaimsPolicy>,
    ) -> Result<Host, HostError> {
        let mut runtime_config = config.runtime;
        // Compiled actors survive a restart of the host: its data directory
        // is ours alone (see runtime::cache for why loading from it is sound).
        if runtime_config.module_cache_dir.is_none() {
            runtime_config.module_cache_dir = Some(config.data_dir.join("module-cache"));
        }
        let runtime = Runtime::new(runtime_config)?;
        let host_id = derived_key(
            KeyKind::Server,
            &format!("{}:{}", config.lattice, config.data_dir.display()),
        );
        Ok(Host {
            router: Router::new(runtime, &config.lattice, policy.clone()),
            policy,
            registry,
            artifacts: crate::oci::cache::ArtifactCache::new(
                config.data_dir.join("oci"),
                config.registry,
            ),
            data_dir: config.data_dir,
            host_id,
            lattice: std::sync::OnceLock::new(),
            book: Default::default(),
            stop_requested: Arc::new(tokio::sync::Notify::new()),
            local_events: tokio::sync::broadcast::channel(256).0,
            started: std::time::Instant::now(),
        })
    }

    /// Where providers keep their data (the embedded key-value store's
    /// files, for one).
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    /// Actors and provider archives pulled from OCI registries.
    pub fn artifacts(&self) -> &crate::oci::cache::ArtifactCache {
        &self.artifacts
    }

    /// The router (actors, providers, links).
    pub fn router(&self) -> &Arc<Router> {
        &self.router
    }

    /// The capability policy: which actors were admitted, with which claims.
    pub fn policy(&self) -> &Arc<ClaimsPolicy> {
        &self.policy
    }

    /// This host's id (`N...`): a fresh server key on a lattice (as
    /// upstream), else derived from the lattice name and data directory.
    pub fn host_id(&self) -> &str {
        match self.lattice.get() {
            Some(l) => l.host_id_str(),
            None => &self.host_id,
        }
    }

    /// This host's events from now on (what it also publishes on its
    /// lattice, if any). A slow reader misses events rather than holding
    /// the host up.
    pub fn subscribe_events(
        &self,
    ) -> tokio::sync::broadcast::Receiver<crate::lattice::ctl::CloudEvent> {
        self.local_events.subscribe()
    }

    /// The lattice this host joined, if any.
    pub fn lattice(&self) -> Option<&Arc<crate::lattice::Lattice>> {
        self.lattice.get()
    }

    /// Resolves when a control client asked this host to stop
    /// (`cmd.{host}.stop`).
    pub async fn stop_requested(&self) {
        self.stop_requested.notified().await
    }

    /// The id an unsigned actor named `name` gets (a signed actor runs
    /// under its claims subject).
    pub fn actor_id(name: &str) -> String {
        derived_key(KeyKind::Module, name)
    }

    /// The id a provider named `name` gets.
    pub fn provider_id(name: &str) -> String {
        derived_key(KeyKind::Service, name)
    }

    /// Builds and starts a provider of `kind`.
    pub async fn start_provider(
        &self,
        name: &str,
        kind: &str,
        link_name: &str,
        config: std::collections::HashMap<String, String>,
    ) -> Result<ProviderInfo, HostError> {
        let id = Self::provider_id(name);
        let ctx = ProviderContext {
            provider_id: id.clone(),
            name: name.to_string(),
            link_name: link_name.to_string(),
            config,
            data_dir: self.data_dir.clone(),
            lattice: self.lattice.get().map(|l| {
                let c = l.config();
                weld_rpc::provider::HostLattice {
                    nats_url: c.url().to_string(),
                    prefix: c.prefix().to_string(),
                    user_jwt: None,
                    user_seed: c.nkey_seed.clone(),
                    creds_file: c.creds_file.clone(),
                    js_domain: c.js_domain.clone(),
                    // In process, an actor's call is bounded by the
                    // host's call deadline.
                    call_timeout: Some(self.router.runtime().config.call_deadline),
                }
            }),
        };
        let provider = self.registry.build(kind, ctx)?;
        let info = ProviderInfo {
            id,
            name: name.to_string(),
            kind: kind.to_string(),
            contract_id: provider.contract_id().to_string(),
            link_name: link_name.to_string(),
            process: false,
        };
        self.router.add_provider(info.clone(), provider).await?;
        Ok(info)
    }

    /// Starts what `manifest` lists: actors, then providers, then links.
    /// Errors point at the manifest line of the failing entry.
    pub async fn apply(&self, manifest: &Manifest) -> Result<(), HostError> {
        // Manifest name -> admitted id (the claims subject when signed).
        let mut ids = std::collections::HashMap::new();
        for a in &manifest.actors {
            let path = match &a.image {
                Some(image) => self
                    .artifact(image, crate::oci::ArtifactKind::Actor)
                    .await
                    .map_err(|e| manifest.error_at(a.line, format!("actor `{}`: {e}", a.name)))?,
                None => a.path.clone(),
            };
            let wasm = std::fs::read(&path).map_err(|e| {
                manifest.error_at(
                    a.line,
                    format!("actor `{}`: cannot read {}: {e}", a.name, path.display()),
                )
            })?;
            // Verifies the claims (refusing unsigned or tampered modules
            // unless allowed) and grants the capabilities they list.
            let actor = self
                .router
                .start_actor(&Self::actor_id(&a.name), &a.name, &a.aliases, &wasm)
                .await
                .map_err(|e| manifest.error_at(a.line, e.to_string()))?;
            ids.insert(a.name.as_str(), actor.id().to_string());
        }
        let mut infos = Vec::new();
        for p in &manifest.providers {
            let started = if p.process {
                use lattice_side::{is_archive, ProcessSource};
                let pulled = match &p.image {
                    Some(image) => Some(
                        self.artifact(image, crate::oci::ArtifactKind::Provider)
                            .await
                            .map_err(|e| {
                                manifest.error_at(p.line, format!("provider `{}`: {e}", p.name))
                            })?,
                    ),
                    None => p.path.clone(),
                };
                let source = match &pulled {
                    Some(path) if is_archive(path) => ProcessSource::Archive(path.clone()),
                    Some(path) => ProcessSource::Executable {
                        path: path.clone(),
                        contract: p.contract.clone().unwrap_or_default(),
                    },
                    None => ProcessSource::Builtin(p.kind.clone()),
                };
                self.start_provider_process(&p.name, source, &p.link_name, p.config.clone())
                    .await
            } else {
                self.start_provider(&p.name, &p.kind, &p.link_name, p.config.clone())
                    .await
            };
            let info = started.map_err(|e| {
                let setting = match &e {
                    HostError::Provider(pe) => pe.setting(),
                    _ => None,
                };
                let at = setting_position(setting, None, &p.config_at);
                match at {
                    Some(at) => manifest.error_at_pos(at, e.to_string()),
                    None => manifest.error_at(p.line, e.to_string()),
                }
            })?;
            infos.push(info);
        }
        for l in &manifest.links {
            let info = infos
                .iter()
                .find(|i| i.name == l.provider)
                .expect("manifest checked provider names");
            // A signed actor runs under its claims subject, not the
            // name-derived id.
            let actor_id = ids
                .get(l.actor.as_str())
                .cloned()
                .or_else(|| self.router.resolve_actor(&l.actor))
                .unwrap_or_else(|| Self::actor_id(&l.actor));
            let ld = LinkDefinition {
                actor_id,
                provider_id: info.id.clone(),
                link_name: l
                    .link_name
                    .clone()
                    .unwrap_or_else(|| info.link_name.clone()),
                contract_id: l
                    .contract_id
                    .clone()
                    .unwrap_or_else(|| info.contract_id.clone()),
                values: l.values.clone(),
            };
            self.router.put_link(ld).await.map_err(|e| {
                // Point at the refused value when the provider names one.
                let setting = match &e {
                    RouterError::LinkRejected { source, .. } => source.setting(),
                    _ => None,
                };
                let config_at = manifest
                    .providers
                    .iter()
                    .find(|p| p.name == l.provider)
                    .map(|p| &p.config_at);
                let empty = HashMap::new();
                let at = setting_position(setting, Some(&l.values_at), config_at.unwrap_or(&empty));
                match at {
                    Some(at) => manifest.error_at_pos(at, e.to_string()),
                    None => manifest.error_at(l.line, e.to_string()),
                }
            })?;
        }
        Ok(())
    }

    /// Stops an actor (by id, name or alias) and withdraws its grants.
    pub fn stop_actor(&self, id_or_name: &str) -> Result<(), HostError> {
        Ok(self.router.stop_actor(id_or_name)?)
    }

    /// Stops providers and actors, and leaves the lattice.
    pub async fn shutdown(&self) {
        self.router.shutdown().await;
        if let Some(l) = self.lattice.get() {
            l.publish_event("host_stopped", serde_json::json!({"labels": l.labels()}))
                .await;
            l.leave().await;
        }
    }
}
