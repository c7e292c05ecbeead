//! The lattice: hosts, providers and control clients joined through NATS,
//! compatible with wasmCloud 0.x (see `shared/spec/lattice.md`).
//!
//! NATS and JetStream are the only distributed engine here: membership is
//! who answers `ping.hosts`, work sharing is NATS queue groups, and shared
//! state (link definitions, claims) is the JetStream KV bucket
//! `LATTICEDATA_{lattice}`. Nothing is home-made.
//!
//! Rooms:
//! - [`subjects`], [`ctl`], [`client`]: every NATS subject and KV key, the
//!   JSON payloads of the control interface and a control client, from the
//!   `weld-lattice-ctl` crate (shared with the lattice-controller provider);
//! - [`ctl_cli`]: the `host-min ctl` subcommand;
//! - [`kv`]: the link and claims store on JetStream KV, with its watch;
//! - [`rpc`]: invocations to and from other processes (signed JWTs, chunking);
//! - [`events`]: CloudEvents on `wasmbus.evt.{lattice}`;
//! - [`server`]: the control interface a host answers;
//! - [`process`]: providers as supervised child processes;
//! - [`process_provider`]: such a process as the router's provider;

pub mod ctl_cli;
pub mod events;
pub mod kv;
pub mod process;
pub mod process_provider;
pub mod rpc;
pub mod server;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use weld_lattice_ctl::{client, ctl, subjects, DEFAULT_LATTICE, DEFAULT_NATS_URL};

/// How a host joins a lattice.
#[derive(Debug, Clone, Default)]
pub struct LatticeConfig {
    /// NATS server URL, e.g. `nats://127.0.0.1:4222`.
    pub nats_url: String,
    /// Lattice prefix (`default` when empty).
    pub lattice: String,
    /// NATS credentials file (JWT + seed), if the server wants one.
    pub creds_file: Option<PathBuf>,
    /// NATS nkey seed (`SU...`) of an nkey user, if the server wants one.
    pub nkey_seed: Option<String>,
    /// Cluster seed (`SC...`) this host signs invocations with. Hosts of one
    /// lattice share it; a fresh one is made when none is given.
    pub cluster_seed: Option<String>,
    /// Cluster issuers (`C...`) whose invocations this host accepts, besides
    /// its own cluster key.
    pub cluster_issuers: Vec<String>,
    /// Host labels (besides the `hostcore.*` ones).
    pub labels: BTreeMap<String, String>,
    /// Friendly name (made up when empty).
    pub friendly_name: Option<String>,
    /// JetStream domain, if the lattice uses one.
    pub js_domain: Option<String>,
    /// How long a call across the lattice (actor to provider, provider or
    /// host to actor) waits for its response; [`DEFAULT_RPC_TIMEOUT`] when
    /// none is set. Also given to provider processes in their host data
    /// (`default_rpc_timeout_ms`), as upstream's `WASMCLOUD_RPC_TIMEOUT_MS`.
    pub rpc_timeout: Option<Duration>,
}

impl LatticeConfig {
    /// The lattice prefix, `default` when none was set.
    pub fn prefix(&self) -> &str {
        if self.lattice.is_empty() {
            DEFAULT_LATTICE
        } else {
            &self.lattice
        }
    }

    /// The timeout of lattice calls, [`DEFAULT_RPC_TIMEOUT`] when none was set.
    pub fn rpc_timeout(&self) -> Duration {
        self.rpc_timeout.unwrap_or(DEFAULT_RPC_TIMEOUT)
    }

    /// The NATS URL, [`DEFAULT_NATS_URL`] when none was set.
    pub fn url(&self) -> &str {
        if self.nats_url.is_empty() {
            DEFAULT_NATS_URL
        } else {
            &self.nats_url
        }
    }
}

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use weld_rpc::core::HostData;
use weld_rpc::provider::keys::{KeyError, KeyPair, KeyType};
use weld_rpc::provider::HostBridge;

use crate::router::Router;

/// Why a host could not join its lattice.
#[derive(Debug, thiserror::Error)]
pub enum LatticeError {
    /// A key or seed in the settings is not valid.
    #[error("{what}: {source}")]
    Key {
        /// Which setting.
        what: &'static str,
        /// Why.
        #[source]
        source: KeyError,
    },
    /// The NATS credentials file could not be read.
    #[error("NATS credentials file {path}: {source}")]
    Creds {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// NATS could not be reached or refused us.
    #[error("connecting to NATS at {url}: {source}")]
    Connect {
        /// The URL.
        url: String,
        /// Why.
        #[source]
        source: async_nats::ConnectError,
    },
    /// A subscription failed.
    #[error("subscribing to {subject}: {source}")]
    Subscribe {
        /// The subject.
        subject: String,
        /// Why.
        #[source]
        source: async_nats::SubscribeError,
    },
    /// JetStream (the KV bucket or the object store) failed.
    #[error("JetStream {what}: {reason}")]
    JetStream {
        /// What was being done.
        what: String,
        /// The error text.
        reason: String,
    },
    /// The lattice RPC bridge could not be built.
    #[error(transparent)]
    Bridge(#[from] weld_rpc::provider::BridgeError),
}

/// Connects to NATS with the credentials of `config` (credentials file, or
/// nkey seed), naming the connection `name`.
pub async fn connect_nats(
    config: &LatticeConfig,
    name: &str,
) -> Result<async_nats::Client, LatticeError> {
    let mut opts = async_nats::ConnectOptions::new().name(name);
    if let Some(path) = &config.creds_file {
        opts = async_nats::ConnectOptions::with_credentials_file(path.clone())
            .await
            .map_err(|source| LatticeError::Creds {
                path: path.clone(),
                source,
            })?
            .name(name);
    } else if let Some(seed) = &config.nkey_seed {
        KeyPair::from_seed(seed).map_err(|source| LatticeError::Key {
            what: "NATS nkey seed",
            source,
        })?;
        opts = opts.nkey(seed.clone());
    }
    let url = config.url().to_string();
    opts.connect(url.as_str())
        .await
        .map_err(|source| LatticeError::Connect { url, source })
}

/// A host's membership of a lattice: its NATS connection, its keys, the
/// RPC bridge every invocation goes through, and the tasks serving the
/// actors that run here. Built by [`Lattice::join`].
pub struct Lattice {
    config: LatticeConfig,
    nats: async_nats::Client,
    host_id: String,
    cluster: KeyPair,
    bridge: HostBridge,
    router: Weak<Router>,
    started: Instant,
    friendly_name: String,
    /// Actor id (or `{provider id}.{link name}`) -> the task serving its
    /// RPC subject.
    actor_subs: Mutex<HashMap<String, tokio::task::JoinHandle<()>>>,
    /// Long-lived tasks (KV watch, control interface, heartbeat).
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    /// Claims of actors anywhere on the lattice, from the KV bucket: call
    /// alias -> actor key (for actor-to-actor calls by alias).
    aliases: Mutex<HashMap<String, String>>,
    /// Claims of entities on the lattice, by public key, from the bucket.
    claims: Mutex<HashMap<String, BTreeMap<String, String>>>,
    links: kv::LinkStore,
    me: Weak<Lattice>,
}

impl std::fmt::Debug for Lattice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lattice")
            .field("prefix", &self.config.prefix())
            .field("host", &self.host_id)
            .finish()
    }
}

/// Default timeout of calls across the lattice (upstream's too).
pub const DEFAULT_RPC_TIMEOUT: Duration = Duration::from_secs(2);

impl Lattice {
    /// Joins the lattice of `config` as host `host_key` (`N...`) for
    /// `router`: connects, opens the metadata bucket, and starts serving
    /// the router's actors. Then call `follow_bucket` to replay
    /// the links and `serve_control` to answer the control interface.
    pub async fn join(
        config: LatticeConfig,
        host_key: KeyPair,
        router: &Arc<Router>,
    ) -> Result<Arc<Lattice>, LatticeError> {
        let cluster = match &config.cluster_seed {
            Some(seed) => KeyPair::from_seed(seed).map_err(|source| LatticeError::Key {
                what: "cluster seed",
                source,
            })?,
            None => KeyPair::new(KeyType::Cluster),
        };
        cluster
            .expect_type(KeyType::Cluster)
            .map_err(|source| LatticeError::Key {
                what: "cluster seed",
                source,
            })?;
        let mut issuers = vec![cluster.public_key()];
        for i in &config.cluster_issuers {
            KeyPair::from_public_key_of(KeyType::Cluster, i).map_err(|source| {
                LatticeError::Key {
                    what: "cluster issuer",
                    source,
                }
            })?;
            if !issuers.contains(i) {
                issuers.push(i.clone());
            }
        }
        let nats = connect_nats(&config, &format!("host-min {}", host_key.public_key())).await?;
        let host_data = HostData {
            host_id: host_key.public_key(),
            lattice_rpc_prefix: config.prefix().to_string(),
            lattice_rpc_url: config.url().to_string(),
            invocation_seed: cluster.seed().map_err(|source| LatticeError::Key {
                what: "cluster seed",
                source,
            })?,
            cluster_issuers: issuers,
            default_rpc_timeout_ms: Some(config.rpc_timeout().as_millis() as u64),
            ..Default::default()
        };
        let bridge = HostBridge::new_client(nats.clone(), host_data)?;
        let links =
            kv::LinkStore::open(&nats, config.prefix(), config.js_domain.as_deref()).await?;
        let friendly_name = config
            .friendly_name
            .clone()
            .unwrap_or_else(|| friendly_name(&host_key.public_key()));
        let lattice = Arc::new_cyclic(|me| Lattice {
            config,
            nats,
            host_id: host_key.public_key(),
            cluster,
            bridge,
            router: Arc::downgrade(router),
            started: Instant::now(),
            friendly_name,
            actor_subs: Mutex::default(),
            tasks: Mutex::default(),
            aliases: Mutex::default(),
            claims: Mutex::default(),
            links,
            me: me.clone(),
        });
        let remote: Arc<dyn crate::router::Remote> = lattice.clone();
        router.set_remote(Arc::downgrade(&remote));
        for id in router.actor_ids() {
            lattice.serve_actor(&id).await?;
        }
        for info in router.inventory().providers {
            if !info.process {
                lattice.serve_provider(&info).await?;
            }
        }
        Ok(lattice)
    }

    /// The lattice prefix.
    pub fn prefix(&self) -> &str {
        self.config.prefix()
    }

    /// The settings this host joined with.
    pub fn config(&self) -> &LatticeConfig {
        &self.config
    }

    /// The NATS client.
    pub fn nats(&self) -> &async_nats::Client {
        &self.nats
    }

    /// The lattice's store of uploaded actors and provider archives: the
    /// JetStream object store `WELD_UPLOADS_{lattice}` (created when
    /// missing), objects named `sha256-{hex}` after their content. An
    /// upload made through one host can so be started on any other.
    pub async fn uploads(
        &self,
    ) -> Result<async_nats::jetstream::object_store::ObjectStore, LatticeError> {
        let js = jetstream(&self.nats, self.config.js_domain.as_deref());
        let bucket = format!("WELD_UPLOADS_{}", self.prefix());
        weld_rpc::provider::object_store(
            &js,
            &bucket,
            Some("actors and provider archives uploaded to the lattice (weld)"),
        )
        .await
        .map_err(|e| LatticeError::JetStream {
            what: format!("upload store {bucket}"),
            reason: e.to_string(),
        })
    }

    /// This host's id (`N...`).
    pub fn host_id(&self) -> String {
        self.host_id.clone()
    }

    /// This host's id, borrowed.
    pub fn host_id_str(&self) -> &str {
        &self.host_id
    }

    /// The cluster key that signs this host's invocations (`C...`).
    pub fn cluster_key(&self) -> String {
        self.cluster.public_key()
    }

    /// The cluster issuers this host accepts invocations from.
    pub fn cluster_issuers(&self) -> &[String] {
        &self.bridge.host_data().cluster_issuers
    }

    /// The cluster seed (for providers this host starts: they sign with it).
    pub fn cluster_seed(&self) -> String {
        self.bridge.host_data().invocation_seed.clone()
    }

    /// The RPC bridge: every invocation this host sends or receives.
    pub fn bridge(&self) -> &HostBridge {
        &self.bridge
    }

    /// The link store (JetStream KV).
    pub fn links(&self) -> &kv::LinkStore {
        &self.links
    }

    /// The host's friendly name.
    pub fn friendly_name(&self) -> &str {
        &self.friendly_name
    }

    /// Seconds since the host joined.
    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    fn router(&self) -> Option<Arc<Router>> {
        self.router.upgrade()
    }

    fn track(&self, task: tokio::task::JoinHandle<()>) {
        self.tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(task);
    }

    /// Leaves the lattice: stops serving actors and the control interface.
    pub async fn leave(&self) {
        for (_, t) in self
            .actor_subs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
        {
            t.abort();
        }
        for t in self
            .tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            t.abort();
        }
        let _ = self.nats.flush().await;
    }
}

/// A made-up friendly name, stable for a host key (upstream picks random
/// adjective-noun pairs).
fn friendly_name(host_id: &str) -> String {
    const ADJ: [&str; 8] = [
        "quiet", "brave", "swift", "calm", "bold", "bright", "keen", "wise",
    ];
    const NOUN: [&str; 8] = [
        "river", "falcon", "cedar", "harbor", "meadow", "comet", "ember", "summit",
    ];
    let h: usize = host_id.bytes().map(usize::from).sum();
    format!(
        "{}-{}-{}",
        ADJ[h % 8],
        NOUN[(h / 8) % 8],
        &host_id[host_id.len().saturating_sub(4)..].to_lowercase()
    )
}

/// The JetStream context of a lattice: with a JetStream domain, through
/// that domain's API prefix (`$JS.{domain}.API`).
pub(crate) fn jetstream(
    nats: &async_nats::Client,
    domain: Option<&str>,
) -> async_nats::jetstream::Context {
    match domain {
        Some(d) if !d.is_empty() => async_nats::jetstream::with_domain(nats.clone(), d),
        _ => async_nats::jetstream::new(nats.clone()),
    }
}
