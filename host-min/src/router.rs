//! The router: who may talk to whom, and where a call goes.
//!
//! - actor -> provider: `__host_call(link name, contract id, op, bytes)` is
//!   routed through the link table to the provider instance the link names;
//! - actor -> actor: namespace = target public key or call alias;
//! - actor -> builtins: `wasmcloud:builtin:logging`, `wasmcloud:builtin:numbergen`;
//! - provider -> actor: through the [`ActorLink`] the provider got with the
//!   link.
//!
//! Every call of an actor, whoever makes it (an actor, a provider here, an
//! invocation from the lattice, the host itself), goes through one method,
//! [`Router::call_actor_as`]: it resolves the target, applies the checks the
//! caller's kind needs, and calls the actor here or over the lattice.
//!
//! Admission and capability checks go through the [`Policy`] the router was
//! built with: a host uses [`crate::claims::ClaimsPolicy`] (verified claims;
//! [`AllowAll`] is for tests and benches that run unsigned actors).
//! [`Router::start_actor`] is the one way to start an actor: it asks the
//! policy to admit the module (which fixes its id and call alias), reserves
//! its id, name and aliases atomically, grants, then loads it. Refusal texts
//! are upstream's.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock, Weak};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use weld_rpc::core::WasmCloudEntity;

use crate::claims::jwt::Claims;
use crate::claims::{AdmittedActor, ClaimsError};
use crate::lattice::LatticeError;
use crate::links::LinkTable;
use crate::providers::{ActorLink, ActorOrigin, Provider};
use crate::runtime::{Actor, ActorStats, HostCallHandler, Runtime, RuntimeError};
use crate::types::{LinkDefinition, Message, RpcError, RpcResult};
use weld_rpc::{Context, SendOpts, Transport};

/// Contract id of the logging builtin.
pub const BUILTIN_LOGGING: &str = "wasmcloud:builtin:logging";
/// Contract id of the number generator builtin.
pub const BUILTIN_NUMBERGEN: &str = "wasmcloud:builtin:numbergen";
/// Link name used when an actor passes an empty one.
pub const DEFAULT_LINK_NAME: &str = "default";

/// Admission and capability checks: [`crate::claims::ClaimsPolicy`] in a
/// host (verified claims, fail closed), [`AllowAll`] in tests.
pub trait Policy: Send + Sync + 'static {
    /// May `wasm` run, and under which identity? `fallback_id` is the id an
    /// actor without claims gets when the policy admits such actors. Pure:
    /// nothing is granted until [`Policy::grant`].
    fn admit_actor(&self, wasm: &[u8], fallback_id: &str) -> Result<AdmittedActor, ClaimsError>;
    /// Grants an admitted actor its capabilities (its names are reserved).
    fn grant(&self, actor: &AdmittedActor);
    /// Withdraws an actor's grants (it stopped or failed to start).
    fn revoke(&self, actor_id: &str);
    /// May `actor_id` call capability `contract_id` (a provider or a builtin)?
    fn actor_may_call(&self, actor_id: &str, contract_id: &str) -> bool;
    /// May `actor_id` receive calls from a provider of `contract_id`?
    fn actor_may_receive(&self, actor_id: &str, contract_id: &str) -> bool;
    /// The verified claims of a running actor, if it has any.
    fn claims(&self, _actor_id: &str) -> Option<Claims> {
        None
    }
}

/// A policy that admits every module under its fallback id, without
/// claims, and allows every call. For tests and benches of the runtime and
/// router; a host never uses it.
#[derive(Debug, Default, Clone, Copy)]
pub struct AllowAll;

impl Policy for AllowAll {
    fn admit_actor(&self, _wasm: &[u8], fallback_id: &str) -> Result<AdmittedActor, ClaimsError> {
        Ok(AdmittedActor {
            id: fallback_id.to_string(),
            claims: None,
        })
    }
    fn grant(&self, _actor: &AdmittedActor) {}
    fn revoke(&self, _actor_id: &str) {}
    fn actor_may_call(&self, _actor_id: &str, _contract_id: &str) -> bool {
        true
    }
    fn actor_may_receive(&self, _actor_id: &str, _contract_id: &str) -> bool {
        true
    }
}

/// Where the router sends what this process cannot serve: the lattice
/// (see [`crate::lattice`]). The router's callers never know whether a
/// target was local or remote; the router asks the remote only when the
/// actor or provider does not run here.
#[async_trait]
pub trait Remote: Send + Sync + 'static {
    /// Calls actor `actor_id` elsewhere on the lattice on behalf of `origin`.
    async fn call_actor(
        &self,
        origin: WasmCloudEntity,
        actor_id: &str,
        operation: &str,
        payload: Vec<u8>,
    ) -> RpcResult<Vec<u8>>;
    /// Calls the provider `link` names, running elsewhere, for `actor_id`.
    async fn call_provider(
        &self,
        actor_id: &str,
        link: &LinkDefinition,
        operation: &str,
        payload: Vec<u8>,
    ) -> RpcResult<Vec<u8>>;
    /// The actor key of a call alias claimed by an actor on the lattice.
    fn resolve_alias(&self, alias: &str) -> Option<String>;
    /// An actor started here: serve it on the lattice.
    async fn actor_started(&self, actor_id: &str);
    /// An actor stopped here.
    fn actor_stopped(&self, actor_id: &str);
    /// A link was put here (its provider, if local, accepted it): share it.
    async fn link_put(&self, ld: &LinkDefinition) -> Result<(), LatticeError>;
    /// A link was deleted here: share that.
    async fn link_deleted(&self, ld: &LinkDefinition) -> Result<(), LatticeError>;
    /// An in-process provider started here: serve it on the lattice too.
    async fn provider_started(&self, info: &ProviderInfo);
    /// An in-process provider stopped here.
    fn provider_stopped(&self, info: &ProviderInfo);
}

/// Errors of managing actors, providers and links.
#[derive(Debug, thiserror::Error)]
pub enum RouterError {
    /// Loading the actor failed.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// An actor or provider with this id or name already runs.
    #[error("{what} `{name}` is already running")]
    Duplicate {
        /// "actor" or "provider".
        what: &'static str,
        /// Its name or id.
        name: String,
    },
    /// The policy refused the actor's module (unsigned, bad claims...).
    #[error("actor `{name}` refused: {source}")]
    ActorRefused {
        /// The actor's name.
        name: String,
        /// Why.
        #[source]
        source: ClaimsError,
    },
    /// A name or call alias of a starting actor is already another actor's
    /// (actor-to-actor calls by that name would go to the wrong actor).
    #[error("actor `{name}` not started: {kind} `{taken}` is already used by actor {holder}")]
    NameTaken {
        /// The starting actor's name.
        name: String,
        /// "name", "call alias" or "claims call alias".
        kind: &'static str,
        /// The name or alias asked for.
        taken: String,
        /// The id of the actor that holds it.
        holder: String,
    },
    /// No actor or provider with this id or name.
    #[error("no {what} `{name}`")]
    NotFound {
        /// "actor", "provider" or "link".
        what: &'static str,
        /// The id or name asked for.
        name: String,
    },
    /// The link does not fit the provider it names, or misses a field.
    #[error("link rejected ({link}): {reason}")]
    InvalidLink {
        /// The link.
        link: LinkName,
        /// Why.
        reason: String,
    },
    /// The provider refused the link (a bad value, an address it cannot
    /// bind, a server it cannot reach...). Nothing changed: the previous
    /// link, if any, is still in effect.
    #[error("link rejected ({link}): {source}")]
    LinkRejected {
        /// The link.
        link: LinkName,
        /// The provider's reason; names the offending key and value.
        source: crate::providers::ProviderError,
    },
    /// A provider could not start because it refused links that were put
    /// before it started; they stay in the link table, the provider does
    /// not run. Delete or fix them and start it again.
    #[error("provider `{provider}` not started: {}", join_errors(.rejected))]
    PendingLinksRejected {
        /// The provider's name.
        provider: String,
        /// One error per refused link.
        rejected: Vec<RouterError>,
    },
    /// The lattice did not take a change made here (it stays in effect on
    /// this host).
    #[error("lattice: {0}")]
    Lattice(#[source] LatticeError),
}

fn join_errors(errors: &[RouterError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A link as errors name it: the actor (by name when the host knows it, and
/// id), the contract and the link name, i.e. the key of the link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkName {
    /// Actor id.
    pub actor_id: String,
    /// Actor name, when the actor runs here.
    pub actor_name: Option<String>,
    /// Contract id.
    pub contract_id: String,
    /// Link name.
    pub link_name: String,
}

impl std::fmt::Display for LinkName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.actor_name {
            Some(name) if *name != self.actor_id => write!(f, "actor `{name}` {}", self.actor_id)?,
            _ => write!(f, "actor {}", self.actor_id)?,
        }
        write!(
            f,
            ", contract {}, link name `{}`",
            self.contract_id, self.link_name
        )
    }
}

/// A running provider instance.
#[derive(Clone)]
struct ProviderEntry {
    info: ProviderInfo,
    provider: Arc<dyn Provider>,
}

/// Description of a running provider instance.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProviderInfo {
    /// Instance id (`V...`).
    pub id: String,
    /// Name from the manifest.
    pub name: String,
    /// Provider kind (`httpserver`, `keyvalue`, ...).
    pub kind: String,
    /// Contract id it implements.
    pub contract_id: String,
    /// Link name it serves.
    pub link_name: String,
    /// True for a provider running as its own process (it serves its
    /// lattice subject itself).
    #[serde(default)]
    pub process: bool,
}

/// Description of a running actor.
#[derive(Debug, Clone, Serialize)]
pub struct ActorInfo {
    /// Actor id (`M...`).
    pub id: String,
    /// Name.
    pub name: String,
    /// Call aliases.
    pub aliases: Vec<String>,
    /// Concurrent call bound.
    pub max_instances: usize,
    /// Counters.
    pub stats: ActorStats,
}

/// Everything running on a host.
#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    /// Lattice name.
    pub lattice: String,
    /// Allocator in use.
    pub allocator: crate::runtime::AllocatorKind,
    /// Actors.
    pub actors: Vec<ActorInfo>,
    /// Providers.
    pub providers: Vec<ProviderInfo>,
    /// Links.
    pub links: Vec<LinkDefinition>,
}

/// An endpoint a provider serves an actor on, named for people.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ServedEndpoint {
    /// The actor's name (its id if it has stopped).
    pub actor: String,
    /// The provider's name from the manifest.
    pub provider: String,
    /// Where to reach it, e.g. `http://127.0.0.1:8080`.
    pub url: String,
}

/// Actor ids, names and call aliases, under one lock so that checking a
/// name is free and taking it are one step.
#[derive(Default)]
struct Actors {
    /// Actor id -> the actor; `None` while it loads (its names are taken).
    by_id: HashMap<String, Option<Arc<Actor>>>,
    /// Name or call alias -> actor id.
    aliases: HashMap<String, String>,
}

impl Actors {
    fn running(&self, id: &str) -> Option<Arc<Actor>> {
        self.by_id.get(id).cloned().flatten()
    }

    fn resolve(&self, id_or_name: &str) -> Option<String> {
        if self.by_id.contains_key(id_or_name) {
            return Some(id_or_name.to_string());
        }
        self.aliases.get(id_or_name).cloned()
    }

    fn remove(&mut self, id: &str) {
        self.by_id.remove(id);
        self.aliases.retain(|_, v| *v != id);
    }
}

/// Routes every call of a host. Always used behind an `Arc`.
pub struct Router {
    lattice: String,
    runtime: Arc<Runtime>,
    actors: RwLock<Actors>,
    providers: RwLock<HashMap<String, ProviderEntry>>,
    links: LinkTable,
    /// Serializes link changes (put, delete, hand-over to a starting
    /// provider): each reads the table, calls a provider, then fixes the
    /// table up, and two of them interleaving could restore a stale link.
    link_changes: tokio::sync::Mutex<()>,
    policy: Arc<dyn Policy>,
    /// The lattice, once the host joined one.
    remote: OnceLock<Weak<dyn Remote>>,
    me: Weak<Router>,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field("lattice", &self.lattice)
            .finish()
    }
}

fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}
fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

impl Router {
    /// A router for lattice `lattice` (upstream default: `default`).
    pub fn new(runtime: Arc<Runtime>, lattice: &str, policy: Arc<dyn Policy>) -> Arc<Router> {
        Arc::new_cyclic(|me| Router {
            lattice: lattice.to_string(),
            runtime,
            actors: RwLock::default(),
            providers: RwLock::default(),
            links: LinkTable::new(),
            link_changes: tokio::sync::Mutex::new(()),
            policy,
            remote: OnceLock::new(),
            me: me.clone(),
        })
    }

    /// Connects the router to a lattice (once; later calls are ignored).
    pub fn set_remote(&self, remote: Weak<dyn Remote>) {
        let _ = self.remote.set(remote);
    }

    fn remote(&self) -> Option<Arc<dyn Remote>> {
        self.remote.get()?.upgrade()
    }

    /// The ids of the actors running here.
    pub fn actor_ids(&self) -> Vec<String> {
        read(&self.actors)
            .by_id
            .iter()
            .filter(|(_, a)| a.is_some())
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// The claims of a running actor (none for an unsigned one).
    pub fn actor_claims(&self, actor_id: &str) -> Option<Claims> {
        self.policy.claims(actor_id)
    }

    /// The wasm runtime.
    pub fn runtime(&self) -> &Arc<Runtime> {
        &self.runtime
    }

    /// The lattice name used in error texts.
    pub fn lattice(&self) -> &str {
        &self.lattice
    }

    /// Starts an actor: the one way in. The policy admits `wasm` (a signed
    /// module runs under its claims subject; `fallback_id` is the id of an
    /// unsigned one where the policy allows those), then its id, `name`,
    /// `aliases` and the claims' call alias are reserved in one step (any of
    /// them already used by another actor, or the id already running, is
    /// refused and nothing changes), its capabilities are granted (start
    /// hooks may use them), and the module is loaded. A failed load releases
    /// the names and the grant.
    pub async fn start_actor(
        &self,
        fallback_id: &str,
        name: &str,
        aliases: &[String],
        wasm: &[u8],
    ) -> Result<Arc<Actor>, RouterError> {
        let admitted = self
            .policy
            .admit_actor(wasm, fallback_id)
            .map_err(|source| RouterError::ActorRefused {
                name: name.to_string(),
                source,
            })?;
        let id = admitted.id.clone();
        let mut names: Vec<(&'static str, String)> = vec![("name", name.to_string())];
        names.extend(aliases.iter().map(|a| ("call alias", a.clone())));
        if let Some(alias) = admitted.call_alias() {
            names.push(("claims call alias", alias.to_string()));
        }
        self.reserve(&id, name, &names)?;
        self.policy.grant(&admitted);
        let handler: Weak<dyn HostCallHandler> = self.me.clone();
        match Actor::load(self.runtime.clone(), &id, name, wasm, handler).await {
            Ok(actor) => {
                let installed = {
                    let mut actors = write(&self.actors);
                    match actors.by_id.get_mut(&id) {
                        Some(slot) => {
                            *slot = Some(actor.clone());
                            true
                        }
                        // Stopped while it loaded: it stays stopped.
                        None => false,
                    }
                };
                if !installed {
                    self.policy.revoke(&id);
                    return Err(RouterError::NotFound {
                        what: "actor",
                        name: name.to_string(),
                    });
                }
                tracing::info!(actor = name, id = %id, "actor started");
                if let Some(remote) = self.remote() {
                    remote.actor_started(&id).await;
                }
                Ok(actor)
            }
            Err(e) => {
                write(&self.actors).remove(&id);
                self.policy.revoke(&id);
                Err(e.into())
            }
        }
    }

    /// Takes `id` and every name in `names` for one actor, or none of them.
    fn reserve(
        &self,
        id: &str,
        name: &str,
        names: &[(&'static str, String)],
    ) -> Result<(), RouterError> {
        let mut actors = write(&self.actors);
        if actors.by_id.contains_key(id) {
            return Err(RouterError::Duplicate {
                what: "actor",
                name: name.to_string(),
            });
        }
        for (kind, n) in names {
            // A name may not be another actor's id either: calls by key
            // resolve ids first.
            let holder = actors
                .aliases
                .get(n)
                .cloned()
                .or_else(|| actors.by_id.contains_key(n).then(|| n.clone()));
            if let Some(holder) = holder {
                return Err(RouterError::NameTaken {
                    name: name.to_string(),
                    kind,
                    taken: n.clone(),
                    holder,
                });
            }
        }
        actors.by_id.insert(id.to_string(), None);
        for (_, n) in names {
            actors.aliases.insert(n.clone(), id.to_string());
        }
        Ok(())
    }

    /// Stops an actor (by id, name or alias) and withdraws its grants.
    /// Calls in flight finish.
    pub fn stop_actor(&self, id_or_name: &str) -> Result<(), RouterError> {
        let id = {
            let mut actors = write(&self.actors);
            let id = actors
                .resolve(id_or_name)
                .ok_or_else(|| RouterError::NotFound {
                    what: "actor",
                    name: id_or_name.to_string(),
                })?;
            actors.remove(&id);
            id
        };
        self.policy.revoke(&id);
        if let Some(remote) = self.remote() {
            remote.actor_stopped(&id);
        }
        Ok(())
    }

    /// The id of an actor given its id, name or call alias.
    pub fn resolve_actor(&self, id_or_name: &str) -> Option<String> {
        read(&self.actors).resolve(id_or_name)
    }

    /// A running actor by id, name or alias.
    pub fn actor(&self, id_or_name: &str) -> Option<Arc<Actor>> {
        // On the path of every call: two lookups, no allocation.
        let actors = read(&self.actors);
        match actors.by_id.get(id_or_name) {
            Some(slot) => slot.clone(),
            None => actors.running(actors.aliases.get(id_or_name)?),
        }
    }

    /// Adds a running provider instance and hands it every link already put
    /// for it (links may be put before their provider starts, as upstream).
    ///
    /// All or nothing: if the provider refuses any of those links, the ones
    /// it took are taken back, it is shut down and not added, and the error
    /// names every refused link. The link table is left as it was.
    pub async fn add_provider(
        &self,
        info: ProviderInfo,
        provider: Arc<dyn Provider>,
    ) -> Result<(), RouterError> {
        let _changes = self.link_changes.lock().await;
        {
            let mut ps = write(&self.providers);
            if ps.contains_key(&info.id) || ps.values().any(|p| p.info.name == info.name) {
                return Err(RouterError::Duplicate {
                    what: "provider",
                    name: info.name.clone(),
                });
            }
            // Registered before the hand-over: a provider serving at once
            // (httpserver) calls actors, and those calls must find it.
            ps.insert(
                info.id.clone(),
                ProviderEntry {
                    info: info.clone(),
                    provider: provider.clone(),
                },
            );
        }
        let mut taken = Vec::new();
        let mut rejected = Vec::new();
        for ld in self.links.for_provider(&info.id) {
            match provider.put_link(&ld, self.actor_link(&info, &ld)).await {
                Ok(()) => taken.push(ld),
                Err(e) => rejected.push(RouterError::LinkRejected {
                    link: self.link_name(&ld),
                    source: e,
                }),
            }
        }
        if !rejected.is_empty() {
            for ld in &taken {
                provider.delete_link(ld).await;
            }
            write(&self.providers).remove(&info.id);
            provider.shutdown().await;
            let err = RouterError::PendingLinksRejected {
                provider: info.name.clone(),
                rejected,
            };
            tracing::error!("{err}");
            return Err(err);
        }
        tracing::info!(provider = %info.name, kind = %info.kind, id = %info.id, "provider started");
        if let Some(remote) = self.remote() {
            remote.provider_started(&info).await;
        }
        Ok(())
    }

    /// Stops a provider instance (by id or name): it is taken out of the
    /// routing first, then shut down. Its links stay (as upstream), for
    /// the next instance.
    pub async fn stop_provider(&self, id_or_name: &str) -> Result<ProviderInfo, RouterError> {
        let entry = {
            let mut ps = write(&self.providers);
            let id = ps
                .values()
                .find(|p| p.info.id == id_or_name || p.info.name == id_or_name)
                .map(|p| p.info.id.clone())
                .ok_or_else(|| RouterError::NotFound {
                    what: "provider",
                    name: id_or_name.to_string(),
                })?;
            ps.remove(&id).expect("found above")
        };
        if let Some(remote) = self.remote() {
            remote.provider_stopped(&entry.info);
        }
        entry.provider.shutdown().await;
        tracing::info!(provider = %entry.info.name, id = %entry.info.id, "provider stopped");
        Ok(entry.info)
    }

    /// How errors name `ld`.
    fn link_name(&self, ld: &LinkDefinition) -> LinkName {
        LinkName {
            actor_id: ld.actor_id.clone(),
            actor_name: self.actor(&ld.actor_id).map(|a| a.name().to_string()),
            contract_id: ld.contract_id.clone(),
            link_name: ld.link_name.clone(),
        }
    }

    /// The id of a provider given its id or name.
    pub fn resolve_provider(&self, id_or_name: &str) -> Option<ProviderInfo> {
        read(&self.providers)
            .values()
            .find(|p| p.info.id == id_or_name || p.info.name == id_or_name)
            .map(|p| p.info.clone())
    }

    /// The transport provider `info` gets with link `ld` to call its actor.
    fn actor_link(&self, info: &ProviderInfo, ld: &LinkDefinition) -> ActorLink {
        Arc::new(LinkedActor {
            router: self.me.clone(),
            origin: WasmCloudEntity {
                public_key: info.id.clone(),
                link_name: info.link_name.clone(),
                contract_id: info.contract_id.clone(),
            },
            actor_id: ld.actor_id.clone(),
        })
    }

    /// Puts a link definition. When its provider runs, the provider gets it
    /// first; if the provider refuses it, nothing changes: the previous link
    /// (if any) stays in the table and in effect in its provider, which
    /// must keep its previous state when it refuses a re-put link.
    pub async fn put_link(&self, mut ld: LinkDefinition) -> Result<(), RouterError> {
        if ld.link_name.is_empty() {
            ld.link_name = DEFAULT_LINK_NAME.to_string();
        }
        let invalid = |reason: String| RouterError::InvalidLink {
            link: self.link_name(&ld),
            reason,
        };
        if ld.actor_id.is_empty() || ld.provider_id.is_empty() || ld.contract_id.is_empty() {
            return Err(invalid(
                "actor_id, provider_id and contract_id are required".into(),
            ));
        }
        let _changes = self.link_changes.lock().await;
        let entry = read(&self.providers).get(&ld.provider_id).cloned();
        if let Some(entry) = &entry {
            if entry.info.contract_id != ld.contract_id {
                return Err(invalid(format!(
                    "provider {} implements {}, not {}",
                    entry.info.name, entry.info.contract_id, ld.contract_id
                )));
            }
            if entry.info.link_name != ld.link_name {
                return Err(invalid(format!(
                    "provider {} serves link name `{}`, not `{}`",
                    entry.info.name, entry.info.link_name, ld.link_name
                )));
            }
        }
        // The link goes into the table BEFORE the provider sees it: a
        // provider that starts serving in `put_link` (the httpserver binds
        // its port) may route a request to the actor at once, and that
        // request must find the link.
        let previous = self.links.put(ld.clone());
        if let Some(entry) = &entry {
            if let Err(e) = entry
                .provider
                .put_link(&ld, self.actor_link(&entry.info, &ld))
                .await
            {
                // Refused: the table goes back to what it was.
                match &previous {
                    Some(old) => {
                        self.links.put(old.clone());
                    }
                    None => {
                        self.links
                            .delete(&ld.actor_id, &ld.contract_id, &ld.link_name);
                    }
                }
                let err = RouterError::LinkRejected {
                    link: self.link_name(&ld),
                    source: e,
                };
                tracing::warn!("{err}");
                return Err(err);
            }
        }
        if let Some(old) = previous {
            // Replaced a link to another provider: that one lets go.
            if old.provider_id != ld.provider_id {
                let previous = read(&self.providers).get(&old.provider_id).cloned();
                if let Some(e) = previous {
                    e.provider.delete_link(&old).await;
                }
            }
        }
        tracing::info!(actor = %ld.actor_id, contract = %ld.contract_id, link = %ld.link_name, "link put");
        if let Some(remote) = self.remote() {
            remote.link_put(&ld).await.map_err(RouterError::Lattice)?;
        }
        Ok(())
    }

    /// A link put somewhere on the lattice (seen in the lattice's bucket):
    /// the table takes it and a provider running here gets it. A link the
    /// table already holds unchanged is left alone (every host, this one
    /// included, sees its own puts come back). A provider's refusal is
    /// logged: the link stays the lattice's.
    pub async fn apply_lattice_link(&self, ld: LinkDefinition) {
        let _changes = self.link_changes.lock().await;
        let current = self.links.get(&ld.actor_id, &ld.contract_id, &ld.link_name);
        if current.as_deref() == Some(&ld) {
            return;
        }
        self.links.put(ld.clone());
        if let Some(old) = &current {
            if old.provider_id != ld.provider_id {
                let previous = read(&self.providers).get(&old.provider_id).cloned();
                if let Some(e) = previous {
                    e.provider.delete_link(old).await;
                }
            }
        }
        let entry = read(&self.providers).get(&ld.provider_id).cloned();
        if let Some(entry) = entry {
            if let Err(e) = entry
                .provider
                .put_link(&ld, self.actor_link(&entry.info, &ld))
                .await
            {
                tracing::warn!(
                    "link from the lattice rejected by provider {}: {e}",
                    entry.info.name
                );
            }
        }
        tracing::info!(actor = %ld.actor_id, contract = %ld.contract_id, link = %ld.link_name, "link put on the lattice");
    }

    /// A link deleted somewhere on the lattice.
    pub async fn apply_lattice_link_delete(&self, ld: &LinkDefinition) {
        let _changes = self.link_changes.lock().await;
        let Some(old) = self
            .links
            .delete(&ld.actor_id, &ld.contract_id, &ld.link_name)
        else {
            return;
        };
        let entry = read(&self.providers).get(&old.provider_id).cloned();
        if let Some(e) = entry {
            e.provider.delete_link(&old).await;
        }
        tracing::info!(actor = %ld.actor_id, contract = %ld.contract_id, link = %ld.link_name, "link deleted on the lattice");
    }

    /// An invocation of in-process provider `provider_id` from an actor on
    /// the lattice, whose token verified: the actor needs a link to it
    /// (the actor's claims are checked by the host that runs the actor).
    pub async fn call_provider_from_lattice(
        &self,
        origin: &WasmCloudEntity,
        provider_id: &str,
        operation: &str,
        payload: &[u8],
    ) -> Result<Vec<u8>, String> {
        let entry = read(&self.providers)
            .get(provider_id)
            .cloned()
            .ok_or_else(|| format!("provider {provider_id} does not run on this host"))?;
        let link = self.links.get(
            &origin.public_key,
            &entry.info.contract_id,
            &entry.info.link_name,
        );
        if link.is_none_or(|l| l.provider_id != provider_id) {
            return Err(self.missing_link(&entry.info.contract_id));
        }
        let origin = ActorOrigin {
            actor_id: origin.public_key.clone(),
            link_name: entry.info.link_name.clone(),
        };
        entry
            .provider
            .handle(&origin, Message::new(operation, payload))
            .await
            .map_err(|e| e.to_string())
    }

    /// Deletes a link; its provider (when running) releases what it held.
    pub async fn delete_link(
        &self,
        actor_id: &str,
        contract_id: &str,
        link_name: &str,
    ) -> Result<LinkDefinition, RouterError> {
        let link_name = if link_name.is_empty() {
            DEFAULT_LINK_NAME
        } else {
            link_name
        };
        let _changes = self.link_changes.lock().await;
        let old = self
            .links
            .delete(actor_id, contract_id, link_name)
            .ok_or_else(|| RouterError::NotFound {
                what: "link",
                name: format!("{actor_id} {contract_id} {link_name}"),
            })?;
        let entry = read(&self.providers).get(&old.provider_id).cloned();
        if let Some(e) = entry {
            e.provider.delete_link(&old).await;
        }
        tracing::info!(actor = %actor_id, contract = %contract_id, link = %link_name, "link deleted");
        if let Some(remote) = self.remote() {
            remote
                .link_deleted(&old)
                .await
                .map_err(RouterError::Lattice)?;
        }
        Ok(old)
    }

    /// The links that name provider `provider_id`.
    pub fn links_of_provider(&self, provider_id: &str) -> Vec<LinkDefinition> {
        self.links.for_provider(provider_id)
    }

    /// All link definitions.
    pub fn links(&self) -> Vec<LinkDefinition> {
        self.links.list()
    }

    /// Where each running provider serves its actors (see
    /// [`Provider::endpoints`]), with
    /// the name of the provider and of the actor: what `host-min up` shows
    /// once it is serving.
    pub fn endpoints(&self) -> Vec<ServedEndpoint> {
        let actors = read(&self.actors);
        let mut out: Vec<ServedEndpoint> = read(&self.providers)
            .values()
            .flat_map(|p| {
                p.provider.endpoints().into_iter().map(|e| ServedEndpoint {
                    actor: actors
                        .running(&e.actor_id)
                        .map(|a| a.name().to_string())
                        .unwrap_or_else(|| e.actor_id.clone()),
                    provider: p.info.name.clone(),
                    url: e.url,
                })
            })
            .collect();
        out.sort_by(|a, b| (&a.actor, &a.url).cmp(&(&b.actor, &b.url)));
        out
    }

    /// What runs on this host.
    pub fn inventory(&self) -> Inventory {
        let all = read(&self.actors);
        let aliases = &all.aliases;
        let mut actors: Vec<ActorInfo> = all
            .by_id
            .values()
            .flatten()
            .map(|a| ActorInfo {
                id: a.id().to_string(),
                name: a.name().to_string(),
                aliases: aliases
                    .iter()
                    .filter(|(k, v)| **v == a.id() && *k != a.name())
                    .map(|(k, _)| k.clone())
                    .collect(),
                max_instances: a.max_instances(),
                stats: a.stats(),
            })
            .collect();
        drop(all);
        actors.sort_by(|a, b| a.name.cmp(&b.name));
        let mut providers: Vec<ProviderInfo> = read(&self.providers)
            .values()
            .map(|p| p.info.clone())
            .collect();
        providers.sort_by(|a, b| a.name.cmp(&b.name));
        Inventory {
            lattice: self.lattice.clone(),
            allocator: self.runtime.allocator(),
            actors,
            providers,
            links: self.links.list(),
        }
    }

    /// Calls an actor directly from the host (no link or capability check).
    pub async fn call_actor(
        &self,
        actor_id_or_name: &str,
        operation: &str,
        payload: &[u8],
    ) -> RpcResult<Vec<u8>> {
        let host = WasmCloudEntity::default();
        self.call_actor_as(
            &host,
            actor_id_or_name,
            Message::new(operation, payload),
            Reach::Here,
        )
        .await
    }

    /// Calls actor `target` (id, name or call alias) on behalf of `origin`:
    /// the one way every actor is called.
    /// - `origin` with a contract id is a provider: the actor needs a link
    ///   (actor, contract, link name) and a claim of the contract, checked
    ///   here for providers in this process and on arrival for invocations
    ///   from the lattice (the host that runs the actor decides);
    /// - an actor or the host (no contract id) needs nothing more;
    /// - an actor that does not run here is called over the lattice when
    ///   `reach` allows it and the host joined one (a call alias is then
    ///   resolved through the lattice's claims).
    ///
    /// Refusals carry upstream's texts as [`RpcError::Other`].
    pub async fn call_actor_as(
        &self,
        origin: &WasmCloudEntity,
        target: &str,
        msg: Message<'_>,
        reach: Reach,
    ) -> RpcResult<Vec<u8>> {
        match self.find_actor(target, reach) {
            Some(found) => self.call_found(origin, found, msg, reach).await,
            None => Err(self.not_found(target, reach)),
        }
    }

    /// Where actor `target` (id, name or call alias) runs, as far as
    /// `reach` looks: `None` when no actor has that name or alias (a public
    /// key is always an actor's, found or not).
    fn find_actor(&self, target: &str, reach: Reach) -> Option<FoundActor> {
        if let Some(actor) = self.actor(target) {
            return Some(FoundActor::Here(actor));
        }
        let remote = match reach {
            Reach::Lattice => self.remote(),
            Reach::Here => None,
        };
        let id = match &remote {
            _ if crate::ids::looks_like_module_key(target) => target.to_string(),
            Some(r) => r.resolve_alias(target)?,
            None => return None,
        };
        Some(match remote {
            Some(remote) => FoundActor::Remote(remote, id),
            None => FoundActor::Nowhere(id),
        })
    }

    fn not_found(&self, id: &str, reach: Reach) -> RpcError {
        match reach {
            Reach::Here => RpcError::Other(format!("actor {id} not found on this host")),
            Reach::Lattice => {
                RpcError::Other(format!("actor {id} not found on lattice {}", self.lattice))
            }
        }
    }

    /// [`Router::call_actor_as`] once the actor is found: the checks a
    /// provider origin needs, then the call here or over the lattice.
    async fn call_found(
        &self,
        origin: &WasmCloudEntity,
        found: FoundActor,
        msg: Message<'_>,
        reach: Reach,
    ) -> RpcResult<Vec<u8>> {
        let actor_id = match &found {
            FoundActor::Here(actor) => actor.id(),
            FoundActor::Remote(_, id) | FoundActor::Nowhere(id) => id.as_str(),
        };
        if !origin.contract_id.is_empty() {
            let link_name = if origin.link_name.is_empty() {
                DEFAULT_LINK_NAME
            } else {
                &origin.link_name
            };
            if !self
                .links
                .contains(actor_id, &origin.contract_id, link_name)
            {
                return Err(RpcError::Other(self.missing_link(&origin.contract_id)));
            }
            if !self.policy.actor_may_receive(actor_id, &origin.contract_id) {
                return Err(RpcError::Other(Self::missing_claim(&origin.contract_id)));
            }
        }
        match &found {
            FoundActor::Here(actor) => actor.call(msg.method, &msg.arg).await,
            FoundActor::Nowhere(id) => Err(self.not_found(id, reach)),
            FoundActor::Remote(remote, id) => remote
                .call_actor(origin.clone(), id, msg.method, msg.arg.into_owned())
                .await
                .map_err(|e| match e {
                    RpcError::Nats(text) if text.starts_with("no responders") => {
                        self.not_found(id, reach)
                    }
                    other => other,
                }),
        }
    }

    /// Stops every provider.
    pub async fn shutdown(&self) {
        let providers: Vec<ProviderEntry> =
            write(&self.providers).drain().map(|(_, v)| v).collect();
        let remote = self.remote();
        for p in providers {
            if let Some(r) = &remote {
                r.provider_stopped(&p.info);
            }
            p.provider.shutdown().await;
        }
        let ids: Vec<String> = {
            let mut actors = write(&self.actors);
            let ids = actors.by_id.keys().cloned().collect();
            *actors = Actors::default();
            ids
        };
        for id in ids {
            self.policy.revoke(&id);
        }
    }

    fn missing_link(&self, namespace: &str) -> String {
        format!(
            "Invocation not authorized: missing link definition for {namespace} on {}",
            self.lattice
        )
    }

    fn missing_claim(namespace: &str) -> String {
        format!("Invocation not authorized: missing capability claim for {namespace}")
    }

    async fn call_provider(
        &self,
        actor_id: &str,
        binding: &str,
        namespace: &str,
        operation: &str,
        payload: Vec<u8>,
    ) -> Result<Vec<u8>, String> {
        let link_name = if binding.is_empty() {
            DEFAULT_LINK_NAME
        } else {
            binding
        };
        let Some(link) = self.links.get(actor_id, namespace, link_name) else {
            return Err(self.missing_link(namespace));
        };
        if !self.policy.actor_may_call(actor_id, namespace) {
            return Err(Self::missing_claim(namespace));
        }
        let entry = read(&self.providers).get(&link.provider_id).cloned();
        let Some(entry) = entry else {
            if let Some(remote) = self.remote() {
                return remote
                    .call_provider(actor_id, &link, operation, payload)
                    .await
                    .map_err(|e| match e {
                        RpcError::Rpc(text) => text,
                        other => other.to_string(),
                    });
            }
            return Err(format!(
                "Failed to perform RPC call: no provider {} running for {namespace} link {link_name}",
                link.provider_id
            ));
        };
        let origin = ActorOrigin {
            actor_id: actor_id.to_string(),
            link_name: link_name.to_string(),
        };
        entry
            .provider
            .handle(&origin, Message::new(operation, &payload))
            .await
            .map_err(|e| e.to_string())
    }
}

#[async_trait]
impl HostCallHandler for Router {
    async fn host_call(
        &self,
        actor_id: &str,
        binding: &str,
        namespace: &str,
        operation: &str,
        payload: Vec<u8>,
    ) -> Result<Vec<u8>, String> {
        if namespace == BUILTIN_LOGGING || namespace == BUILTIN_NUMBERGEN {
            if !self.policy.actor_may_call(actor_id, namespace) {
                return Err(Self::missing_claim(namespace));
            }
            return builtins::call(actor_id, namespace, operation, &payload);
        }
        // Actor-to-actor: the namespace is a public key or call alias; the
        // binding is empty for such calls in the SDKs.
        if binding.is_empty() || crate::ids::looks_like_module_key(namespace) {
            if let Some(found) = self.find_actor(namespace, Reach::Lattice) {
                let origin = WasmCloudEntity {
                    public_key: actor_id.to_string(),
                    link_name: String::new(),
                    contract_id: String::new(),
                };
                return self
                    .call_found(
                        &origin,
                        found,
                        Message::new(operation, &payload),
                        Reach::Lattice,
                    )
                    .await
                    .map_err(error_text);
            }
        }
        self.call_provider(actor_id, binding, namespace, operation, payload)
            .await
    }
}

/// The text an actor or a lattice caller gets for a failed actor call:
/// the actor's own error text, or the refusal as upstream words it.
pub(crate) fn error_text(e: RpcError) -> String {
    match e {
        RpcError::ActorHandler(text) | RpcError::Rpc(text) | RpcError::Other(text) => text,
        other => other.to_string(),
    }
}

/// An actor [`Router::find_actor`] found.
enum FoundActor {
    /// Running here.
    Here(Arc<Actor>),
    /// Not here; to be called over the lattice by this id.
    Remote(Arc<dyn Remote>, String),
    /// A public key of no actor within reach.
    Nowhere(String),
}

/// Where [`Router::call_actor_as`] may look for an actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// This host only (invocations that came from the lattice, the host's
    /// own calls).
    Here,
    /// This host, then the lattice.
    Lattice,
}

/// The [`ActorLink`] of a provider in this process: provider -> actor
/// through the router, with the provider as the caller.
struct LinkedActor {
    router: Weak<Router>,
    origin: WasmCloudEntity,
    actor_id: String,
}

#[async_trait]
impl Transport for LinkedActor {
    async fn send(
        &self,
        _ctx: &Context,
        req: Message<'_>,
        _opts: Option<SendOpts>,
    ) -> RpcResult<Vec<u8>> {
        // Held weakly: a provider keeping its link does not keep the host
        // alive after shutdown.
        let Some(router) = self.router.upgrade() else {
            return Err(RpcError::HostError("host is shutting down".into()));
        };
        router
            .call_actor_as(&self.origin, &self.actor_id, req, Reach::Lattice)
            .await
    }

    fn concurrency(&self) -> Option<usize> {
        let router = self.router.upgrade()?;
        let actor = router.actor(&self.actor_id)?;
        Some(actor.max_instances())
    }
}

/// The builtin capabilities, encoded in msgpack like upstream.
mod builtins {
    use serde::Deserialize;

    use super::{BUILTIN_LOGGING, BUILTIN_NUMBERGEN};

    #[derive(Deserialize)]
    struct LogEntry {
        level: String,
        text: String,
    }

    #[derive(Deserialize)]
    struct RangeLimit {
        #[serde(default)]
        min: u32,
        #[serde(default = "max_u32")]
        max: u32,
    }

    fn max_u32() -> u32 {
        u32::MAX
    }

    fn encode<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, String> {
        rmp_serde::to_vec(v).map_err(|e| format!("serialization: {e}"))
    }

    pub(super) fn call(
        actor_id: &str,
        namespace: &str,
        operation: &str,
        payload: &[u8],
    ) -> Result<Vec<u8>, String> {
        let method = operation.rsplit('.').next().unwrap_or(operation);
        match (namespace, method) {
            (BUILTIN_LOGGING, "WriteLog") => {
                let e: LogEntry =
                    rmp_serde::from_slice(payload).map_err(|e| format!("deserialization: {e}"))?;
                match e.level.to_ascii_lowercase().as_str() {
                    "error" => tracing::error!(target: "actor", actor = actor_id, "{}", e.text),
                    "warn" | "warning" => {
                        tracing::warn!(target: "actor", actor = actor_id, "{}", e.text)
                    }
                    "debug" => tracing::debug!(target: "actor", actor = actor_id, "{}", e.text),
                    "trace" => tracing::trace!(target: "actor", actor = actor_id, "{}", e.text),
                    _ => tracing::info!(target: "actor", actor = actor_id, "{}", e.text),
                }
                Ok(Vec::new())
            }
            (BUILTIN_NUMBERGEN, "GenerateGuid") => encode(&uuid::Uuid::new_v4().to_string()),
            (BUILTIN_NUMBERGEN, "Random32") => encode(&rand::random::<u32>()),
            (BUILTIN_NUMBERGEN, "RandomInRange") => {
                let r: RangeLimit =
                    rmp_serde::from_slice(payload).map_err(|e| format!("deserialization: {e}"))?;
                if r.min > r.max {
                    return Err(format!("invalid parameter: min {} > max {}", r.min, r.max));
                }
                encode(&rand::random_range(r.min..=r.max))
            }
            _ => Err(format!("method not handled {operation}")),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn numbergen_range_and_guid() {
            let arg = rmp_serde::to_vec_named(&serde_json::json!({"min": 5, "max": 7})).unwrap();
            for _ in 0..50 {
                let out = call("a", BUILTIN_NUMBERGEN, "NumberGen.RandomInRange", &arg).unwrap();
                let n: u32 = rmp_serde::from_slice(&out).unwrap();
                assert!((5..=7).contains(&n), "{n}");
            }
            let bad = rmp_serde::to_vec_named(&serde_json::json!({"min": 9, "max": 7})).unwrap();
            assert!(call("a", BUILTIN_NUMBERGEN, "NumberGen.RandomInRange", &bad).is_err());
            let g: String = rmp_serde::from_slice(
                &call("a", BUILTIN_NUMBERGEN, "NumberGen.GenerateGuid", &[]).unwrap(),
            )
            .unwrap();
            assert!(uuid::Uuid::parse_str(&g).is_ok(), "{g}");
            assert_eq!(
                call("a", BUILTIN_NUMBERGEN, "NumberGen.Nope", &[]).unwrap_err(),
                "method not handled NumberGen.Nope"
            );
        }

        #[test]
        fn logging_accepts_entries_and_rejects_garbage() {
            let arg = rmp_serde::to_vec_named(&serde_json::json!({"level": "info", "text": "hi"}))
                .unwrap();
            assert_eq!(
                call("a", BUILTIN_LOGGING, "Logging.WriteLog", &arg).unwrap(),
                Vec::<u8>::new()
            );
            assert!(call("a", BUILTIN_LOGGING, "Logging.WriteLog", &[0xc1]).is_err());
        }
    }
}
