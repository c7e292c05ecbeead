//! The `wasmcloud:latticecontrol` provider: actors query and steer a
//! lattice (hosts, inventories, claims, links, auctions, starting and
//! stopping actors and providers) through the hosts' control interface,
//! with the control client of `weld-lattice-ctl`.
//!
//! # Reaching a lattice
//! Every request names its lattice (`latticeId`). The provider reaches it
//! with, in this order:
//! 1. what an actor stored with `SetLatticeCredentials` for that lattice
//!    (shared by every actor linked to this provider and kept in memory
//!    only, as upstream; unset values fall back to 2 and 3);
//! 2. the provider config below (a weld extension; upstream read none);
//! 3. the NATS server and credentials of the provider's own host, when the
//!    host is on a lattice (a weld extension: an actor can inspect its own
//!    lattice with no set-up).
//!
//! With none of these, a request fails with upstream's text, `No client
//! configuration for lattice {id} stored`. An empty `latticeId` means the
//! host's own lattice (`default` off a lattice).
//!
//! | provider config | meaning |
//! |---|---|
//! | `URI` | NATS server URL(s), comma-separated |
//! | `CLIENT_JWT`, `CLIENT_SEED` | a NATS user JWT and its nkey seed (a seed alone: an nkey user) |
//! | `CREDS_FILE` | a NATS credentials file (JWT and seed) |
//! | `TIMEOUT_MS` | how long a request waits, and `GetHosts` gathers (default 2000, as upstream) |
//! | `AUCTION_TIMEOUT_MS` | how long an auction gathers bids (default 5000, as upstream) |
//!
//! Links take no values (as upstream); values given are ignored.
//!
//! The windows must close before the actor's call to the provider times
//! out. When the host says how long that is (its call deadline in process;
//! the host data's RPC timeout, 2 s by default, as a process), the default
//! windows are cut to three quarters of it; a window set longer is kept,
//! with a warning. (Upstream gathered for 2 s and 5 s behind a 2 s RPC
//! timeout, so an actor's `GetHosts` or auction over the lattice timed out.)
//!
//! # Behaviour
//! - One NATS connection per distinct server and credentials, shared by the
//!   lattices that use them, closed after [`IDLE_CONNECTION`] unused (as
//!   upstream's client cache).
//! - Queries (`GetHosts`, `GetHostInventory`, `GetClaims`, `GetLinks`,
//!   auctions) fail with the reason when nobody answers in time.
//! - Commands answer a `CtlOperationAck`: `accepted` when a host took it
//!   (the work itself shows in the lattice's events); refused, or sent to a
//!   host nobody answers for, `accepted: false` with the reason. A lost
//!   connection or a timeout fails the call.
//! - `RemoveLink` deletes the link it names (upstream passed the actor id as
//!   the contract id, and so deleted nothing).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use weld_interface_lattice_control as api;
use weld_interface_lattice_control::{LatticeController, LatticeControllerReceiver};
use weld_lattice_ctl::client::{CtlClient, CtlError};
use weld_lattice_ctl::ctl;
use weld_rpc::provider::keys::KeyPair;
use weld_rpc::provider::lifecycle::{
    ActorLink, ActorOrigin, LinkDefinition, LinkSettings, Message, PerLink, Provider,
    ProviderContext, ProviderError, RpcError, RpcResult, Setting,
};
use weld_rpc::Context;

/// The contract id this provider answers to.
pub const CONTRACT_ID: &str = "wasmcloud:latticecontrol";
/// Every setting this provider reads (from its config).
pub const SETTING_KEYS: &[&str] = &[
    "URI",
    "CLIENT_JWT",
    "CLIENT_SEED",
    "CREDS_FILE",
    "TIMEOUT_MS",
    "AUCTION_TIMEOUT_MS",
];
/// A NATS connection unused this long is closed (upstream's 10 minutes).
pub const IDLE_CONNECTION: Duration = Duration::from_secs(600);
/// How long a request waits, and `GetHosts` gathers replies (upstream's).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long an auction gathers bids (upstream's).
pub const DEFAULT_AUCTION_TIMEOUT: Duration = Duration::from_secs(5);
/// How long connecting may take before the request fails.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How to reach the NATS server of a lattice.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Credentials {
    /// Server URL(s), comma-separated.
    pub nats_url: String,
    /// A user JWT (with `user_seed`).
    pub user_jwt: Option<String>,
    /// The user's nkey seed (alone: an nkey user).
    pub user_seed: Option<String>,
    /// A credentials file.
    pub creds_file: Option<PathBuf>,
    /// The JetStream domain. Kept as given; the control client asks hosts
    /// rather than reading JetStream, so it does not need it.
    pub js_domain: Option<String>,
}

/// Secrets stay out of logs.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("nats_url", &self.nats_url)
            .field("user_jwt", &self.user_jwt.as_ref().map(|_| "<redacted>"))
            .field("user_seed", &self.user_seed.as_ref().map(|_| "<redacted>"))
            .field("creds_file", &self.creds_file)
            .field("js_domain", &self.js_domain)
            .finish()
    }
}

impl Credentials {
    /// Checks that the seed is an nkey seed, and that a JWT has one.
    fn check(&self) -> Result<(), String> {
        if let Some(seed) = &self.user_seed {
            KeyPair::from_seed(seed.trim()).map_err(|e| format!("not an nkey seed: {e}"))?;
        } else if self.user_jwt.is_some() {
            return Err("a user JWT needs its seed".into());
        }
        Ok(())
    }

    /// `req` over `base`: what the request leaves unset comes from `base`.
    fn over(req: &api::SetLatticeCredentialsRequest, base: Option<&Credentials>) -> Credentials {
        fn given(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|v| !v.is_empty())
        }
        let base = base.cloned().unwrap_or_else(|| Credentials {
            nats_url: weld_lattice_ctl::DEFAULT_NATS_URL.to_string(),
            ..Credentials::default()
        });
        let own_user = given(&req.user_jwt).is_some() || given(&req.user_seed).is_some();
        Credentials {
            nats_url: given(&req.nats_url).map_or(base.nats_url, str::to_string),
            // A user given in the request replaces the default one whole:
            // mixing a JWT with another user's seed cannot work.
            user_jwt: if own_user {
                given(&req.user_jwt).map(str::to_string)
            } else {
                base.user_jwt
            },
            user_seed: if own_user {
                given(&req.user_seed).map(str::to_string)
            } else {
                base.user_seed
            },
            creds_file: if own_user { None } else { base.creds_file },
            js_domain: given(&req.js_domain).map(str::to_string).or(base.js_domain),
        }
    }

    async fn connect(&self) -> Result<async_nats::Client, String> {
        let mut opts = async_nats::ConnectOptions::new()
            .name("weld lattice-controller")
            .connection_timeout(CONNECT_TIMEOUT);
        if let Some(file) = &self.creds_file {
            opts = opts
                .credentials_file(file)
                .await
                .map_err(|e| format!("NATS credentials file {}: {e}", file.display()))?;
        }
        match (&self.user_jwt, &self.user_seed) {
            (Some(jwt), Some(seed)) => {
                opts = weld_rpc::provider::keys::with_user_jwt(opts, jwt, seed)
                    .map_err(|e| format!("user seed: {e}"))?;
            }
            (None, Some(seed)) => opts = opts.nkey(seed.trim().to_string()),
            _ => {}
        }
        let servers: Vec<async_nats::ServerAddr> = self
            .nats_url
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(|u| u.parse().map_err(|e| format!("NATS URL {u:?}: {e}")))
            .collect::<Result<_, _>>()?;
        opts.connect(servers)
            .await
            .map_err(|e| format!("cannot connect to NATS at {}: {e}", self.nats_url))
    }
}

/// A connection and when it was last used.
struct Connection {
    nc: async_nats::Client,
    used: Instant,
}

/// What the provider knows and holds; the [`LatticeController`] itself.
struct Controller {
    /// The host's lattice prefix (an empty `latticeId` names it).
    home: String,
    /// From the provider config, else the host's lattice.
    defaults: Option<Credentials>,
    timeout: Duration,
    auction_timeout: Duration,
    /// `SetLatticeCredentials`, by lattice id.
    stored: Mutex<HashMap<String, Credentials>>,
    /// Open connections. An async lock: a connection is made once even
    /// when several requests want it at the same time.
    connections: tokio::sync::Mutex<HashMap<Credentials, Connection>>,
    /// Closes idle connections; started with the first one.
    sweeper: Mutex<Option<tokio::task::JoinHandle<()>>>,
    me: Weak<Controller>,
}

impl Controller {
    /// The client of `lattice` (connecting if needed).
    async fn client(&self, lattice: &str) -> RpcResult<CtlClient> {
        let lattice = if lattice.trim().is_empty() {
            self.home.as_str()
        } else {
            lattice.trim()
        };
        let creds = self
            .stored
            .lock()
            .unwrap()
            .get(lattice)
            .cloned()
            .or_else(|| self.defaults.clone())
            .ok_or_else(|| {
                RpcError::InvalidParameter(format!(
                    "No client configuration for lattice {lattice} stored"
                ))
            })?;
        let nc = {
            let mut open = self.connections.lock().await;
            // Idle ones are closed by the sweeper.
            let now = Instant::now();
            match open.get_mut(&creds) {
                Some(c) => {
                    c.used = now;
                    c.nc.clone()
                }
                None => {
                    let nc = creds.connect().await.map_err(RpcError::Nats)?;
                    open.insert(
                        creds,
                        Connection {
                            nc: nc.clone(),
                            used: now,
                        },
                    );
                    self.start_sweeper();
                    nc
                }
            }
        };
        Ok(CtlClient::new(nc, lattice)
            .with_timeout(self.timeout)
            .with_auction_timeout(self.auction_timeout))
    }

    fn start_sweeper(&self) {
        let mut sweeper = self.sweeper.lock().unwrap();
        if sweeper.is_some() {
            return;
        }
        let me = self.me.clone();
        *sweeper = Some(tokio::spawn(async move {
            let mut tick = tokio::time::interval(IDLE_CONNECTION / 10);
            loop {
                tick.tick().await;
                let Some(me) = me.upgrade() else { return };
                let now = Instant::now();
                me.connections
                    .lock()
                    .await
                    .retain(|_, c| now.duration_since(c.used) < IDLE_CONNECTION);
            }
        }));
    }

    /// How many connections are open (for tests).
    async fn open_connections(&self) -> usize {
        self.connections.lock().await.len()
    }
}

impl Drop for Controller {
    fn drop(&mut self) {
        if let Some(t) = self.sweeper.get_mut().unwrap().take() {
            t.abort();
        }
    }
}

/// A failed query or command, as the actor sees it.
fn failed(e: CtlError) -> RpcError {
    match e {
        CtlError::Timeout { .. } => RpcError::Timeout(e.to_string()),
        CtlError::BadReply { .. } | CtlError::Encode { .. } => RpcError::Deser(e.to_string()),
        _ => RpcError::Nats(e.to_string()),
    }
}

/// A command's outcome: refusals, and commands no host answers for, are
/// acks that say so; transport failures fail the call.
fn acked(r: Result<ctl::CtlOperationAck, CtlError>) -> RpcResult<api::CtlOperationAck> {
    match r {
        Ok(ack) => Ok(api::CtlOperationAck {
            accepted: ack.accepted,
            error: ack.error,
        }),
        Err(CtlError::Refused { error, .. }) => Ok(api::CtlOperationAck {
            accepted: false,
            error,
        }),
        Err(e @ CtlError::NoResponders { .. }) => Ok(api::CtlOperationAck {
            accepted: false,
            error: e.to_string(),
        }),
        Err(e) => Err(failed(e)),
    }
}

fn sorted(m: &Option<api::AnnotationMap>) -> Option<ctl::AnnotationMap> {
    m.as_ref().map(|m| m.clone().into_iter().collect())
}

fn unsorted(m: Option<ctl::KeyValueMap>) -> Option<HashMap<String, String>> {
    m.map(|m| m.into_iter().collect())
}

fn host(h: ctl::Host) -> api::Host {
    api::Host {
        id: h.id,
        uptime_seconds: h.uptime_seconds,
        uptime_human: h.uptime_human,
        labels: unsorted(h.labels),
        version: h.version,
        cluster_issuers: h.cluster_issuers,
        js_domain: h.js_domain,
        ctl_host: h.ctl_host,
        prov_rpc_host: h.prov_rpc_host,
        rpc_host: h.rpc_host,
        lattice_prefix: h.lattice_prefix,
    }
}

fn inventory(inv: ctl::HostInventory) -> api::HostInventory {
    api::HostInventory {
        host_id: inv.host_id,
        labels: inv.labels.into_iter().collect(),
        actors: inv
            .actors
            .into_iter()
            .map(|a| api::ActorDescription {
                id: a.id,
                image_ref: a.image_ref,
                name: a.name,
                instances: a
                    .instances
                    .into_iter()
                    .map(|i| api::ActorInstance {
                        instance_id: i.instance_id,
                        revision: i.revision,
                        annotations: unsorted(i.annotations),
                    })
                    .collect(),
            })
            .collect(),
        providers: inv
            .providers
            .into_iter()
            .map(|p| api::ProviderDescription {
                id: p.id,
                link_name: p.link_name,
                image_ref: p.image_ref,
                name: p.name,
                revision: p.revision,
                annotations: unsorted(p.annotations),
            })
            .collect(),
    }
}

#[async_trait]
impl LatticeController for Controller {
    async fn auction_provider(
        &self,
        _ctx: &Context,
        arg: &api::ProviderAuctionRequest,
    ) -> RpcResult<api::ProviderAuctionAcks> {
        let client = self.client(&arg.lattice_id).await?;
        let acks = client
            .perform_provider_auction(
                &arg.provider_ref,
                &arg.link_name,
                arg.constraints.clone().into_iter().collect(),
            )
            .await
            .map_err(failed)?;
        Ok(acks
            .into_iter()
            .map(|a| api::ProviderAuctionAck {
                provider_ref: a.provider_ref,
                link_name: a.link_name,
                host_id: a.host_id,
            })
            .collect())
    }

    async fn auction_actor(
        &self,
        _ctx: &Context,
        arg: &api::ActorAuctionRequest,
    ) -> RpcResult<api::ActorAuctionAcks> {
        let client = self.client(&arg.lattice_id).await?;
        let acks = client
            .perform_actor_auction(
                &arg.actor_ref,
                arg.constraints.clone().into_iter().collect(),
            )
            .await
            .map_err(failed)?;
        Ok(acks
            .into_iter()
            .map(|a| api::ActorAuctionAck {
                actor_ref: a.actor_ref,
                host_id: a.host_id,
            })
            .collect())
    }

    async fn get_hosts(&self, _ctx: &Context, lattice: &str) -> RpcResult<api::Hosts> {
        let client = self.client(lattice).await?;
        let hosts = client.get_hosts().await.map_err(failed)?;
        Ok(hosts.into_iter().map(host).collect())
    }

    async fn get_host_inventory(
        &self,
        _ctx: &Context,
        arg: &api::GetHostInventoryRequest,
    ) -> RpcResult<api::HostInventory> {
        let client = self.client(&arg.lattice_id).await?;
        let inv = client
            .get_host_inventory(&arg.host_id)
            .await
            .map_err(failed)?;
        Ok(inventory(inv))
    }

    async fn get_claims(&self, _ctx: &Context, lattice: &str) -> RpcResult<api::GetClaimsResponse> {
        let client = self.client(lattice).await?;
        let claims = client.get_claims().await.map_err(failed)?;
        Ok(api::GetClaimsResponse {
            claims: claims.claims,
        })
    }

    async fn scale_actor(
        &self,
        _ctx: &Context,
        arg: &api::ScaleActorCommand,
    ) -> RpcResult<api::CtlOperationAck> {
        let client = self.client(&arg.lattice_id).await?;
        acked(
            client
                .scale_actor(
                    &arg.host_id,
                    &arg.actor_ref,
                    &arg.actor_id,
                    arg.count,
                    sorted(&arg.annotations),
                )
                .await,
        )
    }

    async fn start_actor(
        &self,
        _ctx: &Context,
        arg: &api::StartActorCommand,
    ) -> RpcResult<api::CtlOperationAck> {
        let client = self.client(&arg.lattice_id).await?;
        acked(
            client
                .start_actor(
                    &arg.host_id,
                    &arg.actor_ref,
                    arg.count,
                    sorted(&arg.annotations),
                )
                .await,
        )
    }

    async fn advertise_link(
        &self,
        _ctx: &Context,
        arg: &api::AdvertiseLinkRequest,
    ) -> RpcResult<api::CtlOperationAck> {
        let client = self.client(&arg.lattice_id).await?;
        let ld = &arg.link;
        acked(
            client
                .put_link(
                    &ld.actor_id,
                    &ld.provider_id,
                    &ld.contract_id,
                    &ld.link_name,
                    ld.values.clone().into_iter().collect(),
                )
                .await,
        )
    }

    async fn remove_link(
        &self,
        _ctx: &Context,
        arg: &api::RemoveLinkDefinitionRequest,
    ) -> RpcResult<api::CtlOperationAck> {
        let client = self.client(&arg.lattice_id).await?;
        acked(
            client
                .delete_link(&arg.actor_id, &arg.contract_id, &arg.link_name)
                .await,
        )
    }

    async fn get_links(&self, _ctx: &Context, lattice: &str) -> RpcResult<api::LinkDefinitionList> {
        let client = self.client(lattice).await?;
        let links = client.get_links().await.map_err(failed)?;
        Ok(api::LinkDefinitionList {
            links: links
                .links
                .into_iter()
                .map(|l| {
                    // Non-exhaustive (the core model may grow fields).
                    let mut ld = weld_interface_core::LinkDefinition::default();
                    ld.actor_id = l.actor_id;
                    ld.provider_id = l.provider_id;
                    ld.link_name = l.link_name;
                    ld.contract_id = l.contract_id;
                    ld.values = l.values.into_iter().collect();
                    ld
                })
                .collect(),
        })
    }

    async fn update_actor(
        &self,
        _ctx: &Context,
        arg: &api::UpdateActorCommand,
    ) -> RpcResult<api::CtlOperationAck> {
        let client = self.client(&arg.lattice_id).await?;
        acked(
            client
                .update_actor(
                    &arg.host_id,
                    &arg.actor_id,
                    &arg.new_actor_ref,
                    sorted(&arg.annotations),
                )
                .await,
        )
    }

    async fn start_provider(
        &self,
        _ctx: &Context,
        arg: &api::StartProviderCommand,
    ) -> RpcResult<api::CtlOperationAck> {
        let client = self.client(&arg.lattice_id).await?;
        acked(
            client
                .start_provider(
                    &arg.host_id,
                    &arg.provider_ref,
                    &arg.link_name,
                    sorted(&arg.annotations),
                    arg.configuration.clone(),
                )
                .await,
        )
    }

    async fn stop_provider(
        &self,
        _ctx: &Context,
        arg: &api::StopProviderCommand,
    ) -> RpcResult<api::CtlOperationAck> {
        let client = self.client(&arg.lattice_id).await?;
        acked(
            client
                .stop_provider(
                    &arg.host_id,
                    &arg.provider_id,
                    &arg.link_name,
                    &arg.contract_id,
                    sorted(&arg.annotations),
                )
                .await,
        )
    }

    async fn stop_actor(
        &self,
        _ctx: &Context,
        arg: &api::StopActorCommand,
    ) -> RpcResult<api::CtlOperationAck> {
        let client = self.client(&arg.lattice_id).await?;
        acked(
            client
                .stop_actor(
                    &arg.host_id,
                    &arg.actor_id,
                    arg.count,
                    sorted(&arg.annotations),
                )
                .await,
        )
    }

    async fn stop_host(
        &self,
        _ctx: &Context,
        arg: &api::StopHostCommand,
    ) -> RpcResult<api::CtlOperationAck> {
        let client = self.client(&arg.lattice_id).await?;
        acked(client.stop_host(&arg.host_id, arg.timeout).await)
    }

    async fn set_lattice_credentials(
        &self,
        _ctx: &Context,
        arg: &api::SetLatticeCredentialsRequest,
    ) -> RpcResult<api::CtlOperationAck> {
        let lattice = arg.lattice_id.trim();
        if lattice.is_empty() {
            return Ok(api::CtlOperationAck {
                accepted: false,
                error: "latticeId is empty".into(),
            });
        }
        let creds = Credentials::over(arg, self.defaults.as_ref());
        if let Err(error) = creds.check() {
            return Ok(api::CtlOperationAck {
                accepted: false,
                error,
            });
        }
        self.stored
            .lock()
            .unwrap()
            .insert(lattice.to_string(), creds);
        Ok(api::CtlOperationAck {
            accepted: true,
            error: String::new(),
        })
    }

    async fn set_registry_credentials(
        &self,
        _ctx: &Context,
        arg: &api::SetRegistryCredentialsRequest,
    ) -> RpcResult<()> {
        let client = self.client(&arg.lattice_id).await?;
        let registries: ctl::RegistryCredentialMap = arg
            .credentials
            .iter()
            .flatten()
            .map(|(host, c)| {
                (
                    host.clone(),
                    ctl::RegistryCredential {
                        password: c.password.clone(),
                        token: c.token.clone(),
                        username: c.username.clone(),
                        registry_type: c.registry_type.clone(),
                    },
                )
            })
            .collect();
        client.put_registries(&registries).await.map_err(failed)
    }
}

/// The lattice-controller provider.
pub struct LatticeControllerProvider {
    controller: Arc<Controller>,
    links: PerLink<()>,
}

impl std::fmt::Debug for LatticeControllerProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LatticeControllerProvider")
            .field("home", &self.controller.home)
            .field("defaults", &self.controller.defaults)
            .finish()
    }
}

/// The window of setting `key`: as set, else `default` cut to `cap`.
fn millis(
    s: &LinkSettings<'_>,
    key: &str,
    default: Duration,
    cap: Option<Duration>,
) -> Result<Duration, ProviderError> {
    match s.get(key) {
        None => Ok(cap.map_or(default, |c| default.min(c))),
        Some(v) => {
            match v.value.parse::<u64>() {
                Ok(ms) if ms > 0 => {
                    let set = Duration::from_millis(ms);
                    if cap.is_some_and(|c| set > c) {
                        tracing::warn!(provider = s.provider(), key, "{ms} ms is longer than the host lets a call run; such calls will time out");
                    }
                    Ok(set)
                }
                _ => Err(s.invalid(&v, "expected a number of milliseconds over 0")),
            }
        }
    }
}

impl LatticeControllerProvider {
    /// A provider for `ctx`; fails on invalid config.
    pub fn new(ctx: ProviderContext) -> Result<Self, ProviderError> {
        let no_link = HashMap::new();
        let s = ctx.link_settings(&no_link, SETTING_KEYS)?;
        let value = |key: &str| s.get(key).filter(|v| !v.value.is_empty());
        let host = ctx.lattice.as_ref();
        let configured = value("URI").is_some()
            || value("CLIENT_JWT").is_some()
            || value("CLIENT_SEED").is_some()
            || value("CREDS_FILE").is_some();
        let defaults = if configured {
            let jwt = value("CLIENT_JWT");
            let seed = value("CLIENT_SEED");
            let creds = Credentials {
                nats_url: value("URI").map_or_else(
                    || {
                        host.map_or(weld_lattice_ctl::DEFAULT_NATS_URL.to_string(), |h| {
                            h.nats_url.clone()
                        })
                    },
                    |v| v.value,
                ),
                user_jwt: jwt.clone().map(|v| v.value),
                user_seed: seed.clone().map(|v| v.value),
                creds_file: value("CREDS_FILE").map(|v| PathBuf::from(v.value)),
                js_domain: None,
            };
            if let Err(reason) = creds.check() {
                let at: Setting = seed.or(jwt).expect("a user is given");
                return Err(s.invalid(&at, reason));
            }
            if let Some(file) = &creds.creds_file {
                if !file.is_file() {
                    let at = value("CREDS_FILE").expect("given");
                    return Err(s.invalid(&at, format!("no file {}", file.display())));
                }
            }
            Some(creds)
        } else {
            host.map(|h| Credentials {
                nats_url: h.nats_url.clone(),
                user_jwt: h.user_jwt.clone(),
                user_seed: h.user_seed.clone(),
                creds_file: h.creds_file.clone(),
                js_domain: h.js_domain.clone(),
            })
        };
        // A window must close before the actor's call times out, with room
        // for the reply: a quarter of the call's time is kept for it.
        let cap = host.and_then(|h| h.call_timeout).map(|t| t * 3 / 4);
        let timeout = millis(&s, "TIMEOUT_MS", DEFAULT_TIMEOUT, cap)?;
        let auction_timeout = millis(&s, "AUCTION_TIMEOUT_MS", DEFAULT_AUCTION_TIMEOUT, cap)?;
        let controller = Arc::new_cyclic(|me| Controller {
            home: host
                .map(|h| h.prefix.clone())
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| weld_lattice_ctl::DEFAULT_LATTICE.to_string()),
            defaults,
            timeout,
            auction_timeout,
            stored: Mutex::new(HashMap::new()),
            connections: tokio::sync::Mutex::new(HashMap::new()),
            sweeper: Mutex::new(None),
            me: me.clone(),
        });
        Ok(LatticeControllerProvider {
            controller,
            links: PerLink::new(),
        })
    }

    /// Registry factory.
    pub fn build(ctx: ProviderContext) -> Result<Arc<dyn Provider>, ProviderError> {
        Ok(Arc::new(Self::new(ctx)?))
    }

    /// The connection settings used for lattices no actor set credentials
    /// for, if any.
    pub fn defaults(&self) -> Option<&Credentials> {
        self.controller.defaults.as_ref()
    }

    /// How many NATS connections are open.
    pub async fn open_connections(&self) -> usize {
        self.controller.open_connections().await
    }
}

#[async_trait]
impl Provider for LatticeControllerProvider {
    fn contract_id(&self) -> &str {
        CONTRACT_ID
    }

    async fn put_link(
        &self,
        link: &LinkDefinition,
        _actor: ActorLink,
    ) -> Result<(), ProviderError> {
        if !link.values.is_empty() {
            let mut keys: Vec<&String> = link.values.keys().collect();
            keys.sort();
            tracing::warn!(actor = %link.actor_id, ?keys, "lattice-controller takes no link values; ignored");
        }
        self.links.insert(link, Arc::new(()));
        Ok(())
    }

    async fn delete_link(&self, link: &LinkDefinition) {
        self.links.remove(link);
    }

    async fn handle(&self, origin: &ActorOrigin, msg: Message<'_>) -> RpcResult<Vec<u8>> {
        self.links.get(origin)?;
        LatticeControllerReceiver::dispatch(&*self.controller, &origin.context(), msg).await
    }

    async fn shutdown(&self) {
        self.links.drain();
        self.controller.connections.lock().await.clear();
        if let Some(t) = self.controller.sweeper.lock().unwrap().take() {
            t.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use weld_rpc::provider::HostLattice;

    /// One user seed for the whole test binary.
    static SEED: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        KeyPair::new(weld_rpc::provider::keys::KeyType::User)
            .seed()
            .unwrap()
    });

    fn ctx(config: &[(&str, &str)], lattice: Option<HostLattice>) -> ProviderContext {
        ProviderContext {
            provider_id: "VCTL".into(),
            name: "ctl".into(),
            link_name: "default".into(),
            config: config
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            data_dir: std::env::temp_dir(),
            lattice,
        }
    }

    fn host(call_timeout: Option<Duration>) -> HostLattice {
        HostLattice {
            nats_url: "nats://10.0.0.1:4222".into(),
            prefix: "prod".into(),
            user_seed: Some(SEED.clone()),
            call_timeout,
            ..HostLattice::default()
        }
    }

    #[test]
    fn defaults_come_from_the_config_else_the_host() {
        let p = LatticeControllerProvider::new(ctx(&[], None)).unwrap();
        assert_eq!(p.defaults(), None);
        assert_eq!(p.controller.home, "default");
        assert_eq!(p.controller.timeout, DEFAULT_TIMEOUT);
        assert_eq!(p.controller.auction_timeout, DEFAULT_AUCTION_TIMEOUT);

        let p = LatticeControllerProvider::new(ctx(&[], Some(host(None)))).unwrap();
        let d = p.defaults().unwrap();
        assert_eq!(d.nats_url, "nats://10.0.0.1:4222");
        assert_eq!(d.user_seed.as_deref(), Some(SEED.as_str()));
        assert_eq!(p.controller.home, "prod");

        // The config replaces the host's server and user, whole.
        let p = LatticeControllerProvider::new(ctx(
            &[("uri", "nats://a:1,nats://b:2"), ("TIMEOUT_MS", "700")],
            Some(host(None)),
        ))
        .unwrap();
        let d = p.defaults().unwrap();
        assert_eq!(d.nats_url, "nats://a:1,nats://b:2");
        assert_eq!(d.user_seed, None);
        assert_eq!(p.controller.timeout, Duration::from_millis(700));
        // Secrets stay out of Debug.
        let p = LatticeControllerProvider::new(ctx(&[], Some(host(None)))).unwrap();
        assert!(!format!("{p:?}").contains(SEED.as_str()));
    }

    #[test]
    fn windows_fit_the_callers_timeout_unless_set() {
        let two = Some(Duration::from_secs(2));
        let p = LatticeControllerProvider::new(ctx(&[], Some(host(two)))).unwrap();
        assert_eq!(p.controller.timeout, Duration::from_millis(1500));
        assert_eq!(p.controller.auction_timeout, Duration::from_millis(1500));
        let p =
            LatticeControllerProvider::new(ctx(&[("AUCTION_TIMEOUT_MS", "4000")], Some(host(two))))
                .unwrap();
        assert_eq!(p.controller.auction_timeout, Duration::from_millis(4000));
        let long = Some(Duration::from_secs(10));
        let p = LatticeControllerProvider::new(ctx(&[], Some(host(long)))).unwrap();
        assert_eq!(p.controller.timeout, DEFAULT_TIMEOUT);
        assert_eq!(p.controller.auction_timeout, DEFAULT_AUCTION_TIMEOUT);
    }

    #[test]
    fn bad_config_is_refused_with_its_key() {
        for (config, key) in [
            (vec![("TIMEOUT_MS", "0")], "TIMEOUT_MS"),
            (vec![("AUCTION_TIMEOUT_MS", "soon")], "AUCTION_TIMEOUT_MS"),
            (vec![("CLIENT_SEED", "SUnope")], "CLIENT_SEED"),
            (vec![("CLIENT_JWT", "eyJ.x.y")], "CLIENT_JWT"),
            (vec![("CREDS_FILE", "/no/such/file.creds")], "CREDS_FILE"),
            (vec![("TIMEOUT_MSS", "5")], "TIMEOUT_MSS"),
        ] {
            let e = LatticeControllerProvider::new(ctx(&config, None)).unwrap_err();
            assert!(e.to_string().contains(key), "{config:?}: {e}");
            assert!(!e.to_string().contains("SUnope"), "{e}");
        }
    }

    #[test]
    fn requested_credentials_fall_back_to_the_defaults() {
        let base = Credentials {
            nats_url: "nats://base:4222".into(),
            user_jwt: Some("JWT".into()),
            user_seed: Some(SEED.clone()),
            creds_file: None,
            js_domain: Some("hub".into()),
        };
        let req = |url: Option<&str>, seed: Option<&str>| api::SetLatticeCredentialsRequest {
            lattice_id: "x".into(),
            nats_url: url.map(str::to_string),
            user_seed: seed.map(str::to_string),
            ..Default::default()
        };
        // Nothing given: the defaults.
        assert_eq!(Credentials::over(&req(None, None), Some(&base)), base);
        // A server alone keeps the default user.
        let c = Credentials::over(&req(Some("nats://other:1"), Some(" ")), Some(&base));
        assert_eq!(c.nats_url, "nats://other:1");
        assert_eq!(c.user_jwt.as_deref(), Some("JWT"));
        // A user given replaces the default one whole (no mixed JWT).
        let c = Credentials::over(&req(None, Some(SEED.as_str())), Some(&base));
        assert_eq!(
            (c.user_jwt, c.user_seed.as_deref()),
            (None, Some(SEED.as_str()))
        );
        assert_eq!(c.js_domain.as_deref(), Some("hub"));
        // No defaults: upstream's server default, on loopback.
        let c = Credentials::over(&req(None, None), None);
        assert_eq!(c.nats_url, weld_lattice_ctl::DEFAULT_NATS_URL);
        assert!(c.check().is_ok());
        assert!(Credentials::over(&req(None, Some("nope")), None)
            .check()
            .is_err());
    }
}
