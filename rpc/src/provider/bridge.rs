//! The lattice (NATS) side of a capability provider running as its own
//! process: the [`HostBridge`] built from the host data, the
//! [`ProviderTransport`] a provider calls actors through, and the
//! [`ProviderServer`] loop that receives actors' calls, link changes, health
//! checks and the shutdown request.
//!
//! Subjects, for lattice prefix `L` (`default` when the host data leaves it
//! empty):
//! - calls to an actor: `wasmbus.rpc.L.{actor_key}`;
//! - calls to this provider: `wasmbus.rpc.L.{provider_key}.{link_name}`,
//!   queue group `rpc` (instances share the load);
//! - `….linkdefs.put` / `….linkdefs.del` (msgpack [`LinkDefinition`]),
//!   `….health` (reply [`HealthCheckResponse`]), `….shutdown`.
//!
//! Every invocation carries a JWT signed with the host data's
//! `invocation_seed` (see [`super::invocation`]), valid for
//! [`DEFAULT_INVOCATION_TTL`] ([`HostBridge::set_invocation_ttl`]); received
//! ones are refused unless their claims verify, their subject is their id,
//! and the issuer is one of `cluster_issuers`.
//! Payloads over [`CHUNK_THRESHOLD_BYTES`] travel through a JetStream
//! object store named after the lattice (object = invocation id, reply
//! object = `{id}-r`), as upstream wasmbus-rpc does.
//!
//! # Bounds
//! - A chunked payload is fetched only after the invocation's token has
//!   verified (so nobody can make a provider read, and delete, an object by
//!   naming its id), and read up to its `content_length`, which may not
//!   exceed [`MAX_CHUNKED_BYTES`] ([`HostBridge::set_max_chunked_bytes`]);
//!   the same holds for chunked replies.
//! - At most [`MAX_CONCURRENT_INVOCATIONS`] invocations are handled at once
//!   ([`ProviderServer::start_with_limit`]); beyond that the server stops
//!   taking messages until one finishes (back-pressure: nothing is dropped,
//!   NATS buffers and senders time out as usual).
//! - Link puts and deletes run in their own task, in order; health checks
//!   and the shutdown request are answered by a loop that never waits for
//!   a provider's link handling or for invocations.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, SystemTime};

use async_nats::jetstream::object_store::{self, ObjectStore};
use futures_util::{FutureExt, StreamExt};
use tokio::io::AsyncReadExt;
use tokio::sync::Notify;

use super::invocation::{
    check_invocation_hash, sign_invocation_valid_for, verify_invocation_by,
    verify_invocation_claims_by, ClusterIssuers, InvocationError, DEFAULT_INVOCATION_TTL,
};
use super::keys::{KeyError, KeyPair};
use super::lifecycle::{ActorLink, ActorOrigin, Provider, ProviderError};
use super::DEFAULT_RPC_TIMEOUT;
use crate::common::{deserialize, serialize, Context, Message, SendOpts, Transport};
use crate::core::{HostData, Invocation, InvocationResponse, LinkDefinition, WasmCloudEntity};
use crate::error::{RpcError, RpcResult};

/// Payloads larger than this (900 KiB) go through the object store instead
/// of the NATS message (whose default limit is 1 MiB).
pub const CHUNK_THRESHOLD_BYTES: usize = 900 * 1024;

/// Largest chunked payload (request or reply) a bridge accepts by default
/// (64 MiB): a lying or hostile `content_length` cannot make it read more.
pub const MAX_CHUNKED_BYTES: u64 = 64 << 20;

/// Default bound on invocations a [`ProviderServer`] handles at once.
pub const MAX_CONCURRENT_INVOCATIONS: usize = 256;

/// Lattice prefix used when the host data gives none.
pub const DEFAULT_LATTICE_PREFIX: &str = "default";

/// NATS URL used when the host data gives none.
pub const DEFAULT_NATS_URL: &str = "nats://127.0.0.1:4222";

/// Queue group of provider RPC subscriptions.
pub const RPC_QUEUE_GROUP: &str = "rpc";

/// Why a bridge or a provider server could not start.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// `invocation_seed` is not an nkeys seed.
    #[error("host data invocation_seed is not a valid seed: {0}")]
    InvocationSeed(#[source] KeyError),
    /// `lattice_rpc_user_seed` is not an nkeys seed.
    #[error("host data lattice_rpc_user_seed is not a valid seed: {0}")]
    UserSeed(#[source] KeyError),
    /// The NATS server could not be reached or refused the credentials.
    #[error("connecting to NATS at {url}: {source}")]
    Connect {
        /// The URL tried.
        url: String,
        /// The client's error.
        #[source]
        source: async_nats::ConnectError,
    },
    /// A subscription could not be made.
    #[error("subscribing to {subject}: {source}")]
    Subscribe {
        /// The subject.
        subject: String,
        /// The client's error.
        #[source]
        source: async_nats::SubscribeError,
    },
    /// The server did not confirm the subscriptions.
    #[error("confirming subscriptions with the server: {0}")]
    Sync(String),
    /// [`set_host_bridge`] was called twice.
    #[error("the process-global host bridge is already set")]
    AlreadySet,
}

struct Inner {
    nats: async_nats::Client,
    host_data: HostData,
    lattice: String,
    signer: KeyPair,
    /// Default timeout of calls to actors, in milliseconds.
    timeout_ms: AtomicU64,
    /// Validity of the invocation tokens this bridge signs, in seconds.
    token_ttl_s: AtomicU64,
    /// Largest chunked payload accepted, in bytes.
    max_chunked: AtomicU64,
    /// Links this provider holds, by actor id (one provider instance serves
    /// one link name, so the actor identifies the link).
    links: RwLock<HashMap<String, LinkDefinition>>,
    /// The host data's cluster issuers, decoded once.
    issuers: ClusterIssuers,
    /// Object store of chunked payloads, opened on first use.
    chunks: tokio::sync::OnceCell<ObjectStore>,
}

/// A provider's connection to its lattice: the NATS client, the host data
/// and the key that signs invocations. Cheap to clone (shared inside).
#[derive(Clone)]
pub struct HostBridge {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for HostBridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the seeds in the host data.
        f.debug_struct("HostBridge")
            .field("lattice", &self.inner.lattice)
            .field("host_id", &self.inner.host_data.host_id)
            .field("provider_key", &self.inner.host_data.provider_key)
            .field("link_name", &self.inner.host_data.link_name)
            .finish()
    }
}

impl HostBridge {
    /// Connects to `lattice_rpc_url` (default [`DEFAULT_NATS_URL`]) with the
    /// host data's NATS user JWT and seed when given (or, with a seed and no
    /// JWT, as that nkey user), and builds the bridge.
    pub async fn connect(host_data: HostData) -> Result<HostBridge, BridgeError> {
        let url = if host_data.lattice_rpc_url.trim().is_empty() {
            DEFAULT_NATS_URL.to_string()
        } else {
            host_data.lattice_rpc_url.trim().to_string()
        };
        let mut opts = async_nats::ConnectOptions::new().name(format!(
            "weld provider {} {}",
            host_data.provider_key, host_data.link_name
        ));
        if !host_data.lattice_rpc_user_jwt.trim().is_empty() {
            opts = super::keys::with_user_jwt(
                opts,
                &host_data.lattice_rpc_user_jwt,
                &host_data.lattice_rpc_user_seed,
            )
            .map_err(BridgeError::UserSeed)?;
        } else if !host_data.lattice_rpc_user_seed.trim().is_empty() {
            // An nkey user without a JWT: the seed alone authenticates.
            let seed = host_data.lattice_rpc_user_seed.trim().to_string();
            KeyPair::from_seed(&seed).map_err(BridgeError::UserSeed)?;
            opts = opts.nkey(seed);
        }
        let nats = opts
            .connect(url.as_str())
            .await
            .map_err(|source| BridgeError::Connect { url, source })?;
        HostBridge::new_client(nats, host_data)
    }

    /// A bridge over an existing client (for tests, or a provider that
    /// connects by its own means).
    pub fn new_client(
        nats: async_nats::Client,
        host_data: HostData,
    ) -> Result<HostBridge, BridgeError> {
        let signer =
            KeyPair::from_seed(&host_data.invocation_seed).map_err(BridgeError::InvocationSeed)?;
        let lattice = if host_data.lattice_rpc_prefix.is_empty() {
            DEFAULT_LATTICE_PREFIX.to_string()
        } else {
            host_data.lattice_rpc_prefix.clone()
        };
        let timeout = host_data
            .default_rpc_timeout_ms
            .filter(|ms| *ms > 0)
            .map(Duration::from_millis)
            .unwrap_or(DEFAULT_RPC_TIMEOUT);
        Ok(HostBridge {
            inner: Arc::new(Inner {
                nats,
                lattice,
                signer,
                timeout_ms: AtomicU64::new(timeout.as_millis() as u64),
                token_ttl_s: AtomicU64::new(DEFAULT_INVOCATION_TTL.as_secs()),
                max_chunked: AtomicU64::new(MAX_CHUNKED_BYTES),
                // Filled as the provider accepts links (the host data's
                // at start, see `ProviderServer::start`).
                links: RwLock::new(HashMap::new()),
                issuers: ClusterIssuers::new(&host_data.cluster_issuers),
                chunks: tokio::sync::OnceCell::new(),
                host_data,
            }),
        })
    }

    /// The host data the bridge was built from.
    pub fn host_data(&self) -> &HostData {
        &self.inner.host_data
    }

    /// The NATS client.
    pub fn nats(&self) -> &async_nats::Client {
        &self.inner.nats
    }

    /// The lattice prefix of the subjects.
    pub fn lattice_prefix(&self) -> &str {
        &self.inner.lattice
    }

    /// This provider's public key (`V...`).
    pub fn provider_key(&self) -> &str {
        &self.inner.host_data.provider_key
    }

    /// This provider's link name.
    pub fn link_name(&self) -> &str {
        &self.inner.host_data.link_name
    }

    /// The host's public key (`N...`), written into invocations.
    pub fn host_id(&self) -> &str {
        &self.inner.host_data.host_id
    }

    /// Public key of the invocation signer (the cluster key of `invocation_seed`).
    pub fn signer_public_key(&self) -> String {
        self.inner.signer.public_key()
    }

    /// Default timeout of calls to actors (`default_rpc_timeout_ms`, else 2 s).
    pub fn rpc_timeout(&self) -> Duration {
        Duration::from_millis(self.inner.timeout_ms.load(Ordering::Relaxed))
    }

    /// Sets the default timeout of later calls through this bridge.
    pub fn set_rpc_timeout(&self, timeout: Duration) {
        self.inner
            .timeout_ms
            .store(timeout.as_millis() as u64, Ordering::Relaxed);
    }

    /// How long the invocation tokens this bridge signs stay valid
    /// (default [`DEFAULT_INVOCATION_TTL`]; whole seconds, at least one).
    pub fn invocation_ttl(&self) -> Duration {
        Duration::from_secs(self.inner.token_ttl_s.load(Ordering::Relaxed))
    }

    /// Sets the validity of tokens signed from now on.
    pub fn set_invocation_ttl(&self, ttl: Duration) {
        self.inner
            .token_ttl_s
            .store(ttl.as_secs().max(1), Ordering::Relaxed);
    }

    /// Largest chunked payload this bridge accepts (default
    /// [`MAX_CHUNKED_BYTES`]).
    pub fn max_chunked_bytes(&self) -> u64 {
        self.inner.max_chunked.load(Ordering::Relaxed)
    }

    /// Sets the largest chunked payload accepted from now on.
    pub fn set_max_chunked_bytes(&self, max: u64) {
        self.inner.max_chunked.store(max, Ordering::Relaxed);
    }

    /// The subject of calls to this provider.
    pub fn provider_rpc_subject(&self) -> String {
        format!(
            "wasmbus.rpc.{}.{}.{}",
            self.inner.lattice,
            self.provider_key(),
            self.link_name()
        )
    }

    /// The subject of calls to actor `actor_key`.
    pub fn actor_rpc_subject(&self, actor_key: &str) -> String {
        format!("wasmbus.rpc.{}.{actor_key}", self.inner.lattice)
    }

    /// The link this provider holds for `actor_id`, if any.
    pub fn get_link(&self, actor_id: &str) -> Option<LinkDefinition> {
        self.inner
            .links
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(actor_id)
            .cloned()
    }

    /// Every link this provider holds.
    pub fn links(&self) -> Vec<LinkDefinition> {
        self.inner
            .links
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// Puts `ld` to `provider` and records it when accepted. A put equal
    /// to the link already held is a no-op (hosts publish every link more
    /// than once); a refused re-put keeps the link held before. Recorded
    /// before the provider sees it: a provider may call the actor from
    /// inside `put_link` or right after.
    async fn apply_put_link(
        &self,
        provider: &dyn Provider,
        ld: &LinkDefinition,
    ) -> Result<(), ProviderError> {
        let previous = {
            let mut links = self.inner.links.write().unwrap_or_else(|p| p.into_inner());
            let previous = links.get(&ld.actor_id).cloned();
            if previous.as_ref() == Some(ld) {
                return Ok(());
            }
            links.insert(ld.actor_id.clone(), ld.clone());
            previous
        };
        let actor: ActorLink = Arc::new(self.transport_for(ld));
        match provider.put_link(ld, actor).await {
            Ok(()) => {
                tracing::info!(actor = %ld.actor_id, "link applied");
                Ok(())
            }
            Err(e) => {
                tracing::warn!(actor = %ld.actor_id, error = %e, "link refused");
                let mut links = self.inner.links.write().unwrap_or_else(|p| p.into_inner());
                match previous {
                    Some(p) => links.insert(ld.actor_id.clone(), p),
                    None => links.remove(&ld.actor_id),
                };
                Err(e)
            }
        }
    }

    /// Forgets the link to `actor_id` and tells `provider`, if it was held.
    async fn apply_delete_link(&self, provider: &dyn Provider, actor_id: &str) {
        let removed = self
            .inner
            .links
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(actor_id);
        if let Some(ld) = removed {
            provider.delete_link(&ld).await;
            tracing::info!(actor = %actor_id, "link deleted");
        }
    }

    /// A transport to the actor at the other end of `ld`.
    pub fn transport_for(&self, ld: &LinkDefinition) -> ProviderTransport {
        ProviderTransport::new(ld, Some(self))
    }

    /// Sends one invocation of `operation` with `msg` from `origin` to
    /// `target` on `subject` and waits up to `timeout` for its response:
    /// signs it with the bridge's invocation key, moves a payload over
    /// [`CHUNK_THRESHOLD_BYTES`] through the object store (both ways), and
    /// turns an `error` in the response into [`RpcError::Rpc`]. Every
    /// lattice call, from a provider or from a host, goes through here.
    pub async fn invoke(
        &self,
        subject: &str,
        origin: WasmCloudEntity,
        target: WasmCloudEntity,
        operation: &str,
        msg: Vec<u8>,
        timeout: Duration,
    ) -> RpcResult<Vec<u8>> {
        let chunked = msg.len() > CHUNK_THRESHOLD_BYTES;
        let mut inv = sign_invocation_valid_for(
            &self.inner.signer,
            self.host_id(),
            origin,
            target,
            operation,
            msg,
            self.invocation_ttl(),
        )
        .map_err(|e| RpcError::Rpc(format!("signing invocation: {e}")))?;
        if chunked {
            self.put_chunked(&inv.id, &inv.msg).await?;
            inv.msg = Vec::new();
        }
        let payload = serialize(&inv)?;
        let request = async_nats::Request::new()
            .payload(payload.into())
            .timeout(Some(timeout));
        let reply = self
            .nats()
            .send_request(subject.to_string(), request)
            .await
            .map_err(|e| match e.kind() {
                async_nats::RequestErrorKind::TimedOut => RpcError::Timeout(format!(
                    "{operation} to {subject} after {} ms",
                    timeout.as_millis()
                )),
                async_nats::RequestErrorKind::NoResponders => {
                    RpcError::Nats(format!("no responders on {subject} for {operation}"))
                }
                _ => RpcError::Nats(format!("{operation} to {subject}: {e}")),
            })?;
        let resp: InvocationResponse = deserialize(&reply.payload)
            .map_err(|e| RpcError::Deser(format!("'InvocationResponse': {e}")))?;
        if let Some(err) = resp.error {
            return Err(RpcError::Rpc(err));
        }
        if !resp.invocation_id.is_empty() && resp.invocation_id != inv.id {
            return Err(RpcError::Rpc(format!(
                "response is for invocation {}, not {}",
                resp.invocation_id, inv.id
            )));
        }
        match resp.content_length {
            Some(n) if n > resp.msg.len() as u64 && resp.msg.is_empty() => {
                self.take_chunked(&format!("{}-r", inv.id), n).await
            }
            _ => Ok(resp.msg),
        }
    }

    /// Decodes and checks a received invocation: its token must verify
    /// against the cluster issuers (signature, expiry, subject = id, URLs,
    /// hash). A chunked message is fetched from the object store only after
    /// the token verified, then hashed. Returns the invocation with its
    /// whole `msg`, or `(invocation id, refusal text)`. The caller checks
    /// that the target is its own.
    pub async fn accept_invocation(&self, payload: &[u8]) -> Result<Invocation, (String, String)> {
        let mut inv: Invocation = deserialize(payload)
            .map_err(|e| (String::new(), format!("invalid invocation: {e}")))?;
        let id = inv.id.clone();
        let refuse = |e: String| (id.clone(), e);
        let issuers = &self.inner.issuers;
        let now = SystemTime::now();
        let chunked = inv
            .content_length
            .filter(|n| *n > inv.msg.len() as u64 && inv.msg.is_empty());
        match chunked {
            Some(n) => {
                // Verify before touching the object store: the token names
                // the invocation id, which names the object.
                let claims = verify_invocation_claims_by(&inv, issuers, now)
                    .map_err(|e: InvocationError| refuse(e.to_string()))?;
                inv.msg = self
                    .take_chunked(&inv.id, n)
                    .await
                    .map_err(|e| refuse(e.to_string()))?;
                check_invocation_hash(&claims, &inv, &inv.msg)
                    .map_err(|e| refuse(e.to_string()))?;
            }
            None => {
                verify_invocation_by(&inv, &inv.msg, issuers, now)
                    .map_err(|e: InvocationError| refuse(e.to_string()))?;
            }
        }
        Ok(inv)
    }

    /// The response to invocation `invocation_id`: `result`'s bytes (through
    /// the object store as `{id}-r` when over [`CHUNK_THRESHOLD_BYTES`]) or
    /// its error text.
    pub async fn respond(
        &self,
        invocation_id: &str,
        result: Result<Vec<u8>, String>,
    ) -> InvocationResponse {
        let error = |e: String| InvocationResponse {
            msg: Vec::new(),
            invocation_id: invocation_id.to_string(),
            error: Some(e),
            content_length: None,
        };
        let out = match result {
            Ok(out) => out,
            Err(e) => return error(e),
        };
        let len = out.len() as u64;
        let msg = if out.len() > CHUNK_THRESHOLD_BYTES {
            if let Err(e) = self.put_chunked(&format!("{invocation_id}-r"), &out).await {
                return error(e.to_string());
            }
            Vec::new()
        } else {
            out
        };
        InvocationResponse {
            msg,
            invocation_id: invocation_id.to_string(),
            error: None,
            content_length: Some(len),
        }
    }

    async fn chunk_store(&self) -> RpcResult<&ObjectStore> {
        self.inner
            .chunks
            .get_or_try_init(|| async {
                let js = async_nats::jetstream::new(self.inner.nats.clone());
                object_store(&js, &self.inner.lattice, None)
                    .await
                    .map_err(|e| {
                        RpcError::Nats(format!(
                            "opening object store `{}` for chunked payloads: {e}",
                            self.inner.lattice
                        ))
                    })
            })
            .await
    }

    /// Stores a large payload as object `name` of the lattice's object store.
    async fn put_chunked(&self, name: &str, bytes: &[u8]) -> RpcResult<()> {
        let store = self.chunk_store().await?;
        let mut reader = bytes;
        store
            .put(name, &mut reader)
            .await
            .map_err(|e| RpcError::Nats(format!("writing chunked payload {name}: {e}")))?;
        Ok(())
    }

    /// Reads (and then deletes) object `name`, expecting `len` bytes. Only
    /// call it for a payload whose sender was verified. Refuses `len` over
    /// [`HostBridge::max_chunked_bytes`] without reading, and never reads
    /// more than `len` + 1 bytes (an object longer than announced is an
    /// error, not an unbounded read).
    async fn take_chunked(&self, name: &str, len: u64) -> RpcResult<Vec<u8>> {
        let max = self.max_chunked_bytes();
        if len > max {
            return Err(RpcError::Rpc(format!(
                "chunked payload {name} of {len} bytes is over the limit of {max} bytes"
            )));
        }
        let store = self.chunk_store().await?;
        let obj = store
            .get(name)
            .await
            .map_err(|e| RpcError::Nats(format!("reading chunked payload {name}: {e}")))?;
        let mut out = Vec::with_capacity(len as usize);
        obj.take(len + 1)
            .read_to_end(&mut out)
            .await
            .map_err(|e| RpcError::Nats(format!("reading chunked payload {name}: {e}")))?;
        // A failed delete only leaves garbage in the bucket; the bytes are here.
        let _ = store.delete(name).await;
        if out.len() as u64 != len {
            return Err(RpcError::Rpc(format!(
                "chunked payload {name} has {} bytes, content_length says {len}",
                out.len()
            )));
        }
        Ok(out)
    }
}

static BRIDGE: OnceLock<HostBridge> = OnceLock::new();

/// Installs the process-global bridge that `XSender::for_actor(&link)`
/// uses. Fails if one is already set (providers set it once at start).
pub fn set_host_bridge(bridge: HostBridge) -> Result<(), BridgeError> {
    BRIDGE.set(bridge).map_err(|_| BridgeError::AlreadySet)
}

/// The process-global bridge, if [`set_host_bridge`] was called. (Upstream
/// panics when it is missing; here the transport reports
/// [`RpcError::NotInitialized`] on its first call instead.)
pub fn get_host_bridge() -> Option<&'static HostBridge> {
    BRIDGE.get()
}

/// A [`Transport`] from a provider to one actor over the lattice.
///
/// Each call sends an [`Invocation`] from this provider (`origin` = the
/// link's provider id, link name and contract id) to the actor (`target`)
/// on `wasmbus.rpc.{L}.{actor}`, signed with the bridge's invocation key,
/// and waits for the [`InvocationResponse`] up to the timeout. An `error`
/// in the response becomes [`RpcError::Rpc`].
#[derive(Debug)]
pub struct ProviderTransport {
    bridge: Option<HostBridge>,
    origin: WasmCloudEntity,
    target: WasmCloudEntity,
    /// Per-transport timeout in ms; 0 = the bridge's default.
    timeout_ms: AtomicU64,
}

impl Clone for ProviderTransport {
    fn clone(&self) -> Self {
        ProviderTransport {
            bridge: self.bridge.clone(),
            origin: self.origin.clone(),
            target: self.target.clone(),
            timeout_ms: AtomicU64::new(self.timeout_ms.load(Ordering::Relaxed)),
        }
    }
}

impl ProviderTransport {
    /// A transport to the actor of `ld`, over `bridge`, or over the global
    /// bridge when `None` (as upstream's `ProviderTransport::new`). Without
    /// either, every call fails with [`RpcError::NotInitialized`].
    pub fn new(ld: &LinkDefinition, bridge: Option<&HostBridge>) -> ProviderTransport {
        let bridge = bridge.cloned().or_else(|| get_host_bridge().cloned());
        let (provider_key, link_name) = match &bridge {
            // The link names the provider; fall back to the bridge's own
            // identity for a hand-made link that leaves them empty.
            Some(b) => (
                non_empty(&ld.provider_id, b.provider_key()),
                non_empty(&ld.link_name, b.link_name()),
            ),
            None => (ld.provider_id.clone(), ld.link_name.clone()),
        };
        ProviderTransport {
            bridge,
            origin: WasmCloudEntity {
                public_key: provider_key,
                link_name,
                contract_id: ld.contract_id.clone(),
            },
            target: WasmCloudEntity {
                public_key: ld.actor_id.clone(),
                link_name: String::new(),
                contract_id: String::new(),
            },
            timeout_ms: AtomicU64::new(0),
        }
    }

    /// The entity calls come from.
    pub fn origin(&self) -> &WasmCloudEntity {
        &self.origin
    }

    /// The actor calls go to.
    pub fn target(&self) -> &WasmCloudEntity {
        &self.target
    }

    fn timeout(&self, bridge: &HostBridge) -> Duration {
        match self.timeout_ms.load(Ordering::Relaxed) {
            0 => bridge.rpc_timeout(),
            ms => Duration::from_millis(ms),
        }
    }
}

fn non_empty(a: &str, b: &str) -> String {
    if a.is_empty() { b } else { a }.to_string()
}

#[async_trait::async_trait]
impl Transport for ProviderTransport {
    async fn send(
        &self,
        _ctx: &Context,
        req: Message<'_>,
        _opts: Option<SendOpts>,
    ) -> RpcResult<Vec<u8>> {
        let bridge = self.bridge.as_ref().ok_or_else(|| {
            RpcError::NotInitialized(
                "no host bridge: call weld_rpc::provider::set_host_bridge at start, or \
                 build the sender with for_actor_with(&link, &bridge)"
                    .into(),
            )
        })?;
        if self.target.public_key.is_empty() {
            return Err(RpcError::InvalidParameter(
                "link definition has no actor_id".into(),
            ));
        }
        let subject = bridge.actor_rpc_subject(&self.target.public_key);
        bridge
            .invoke(
                &subject,
                self.origin.clone(),
                self.target.clone(),
                req.method,
                req.arg.into_owned(),
                self.timeout(bridge),
            )
            .await
    }

    fn set_timeout(&self, interval: Duration) {
        self.timeout_ms
            .store(interval.as_millis().max(1) as u64, Ordering::Relaxed);
    }
}

/// A running provider: a [`Provider`] subscribed to its RPC, link, health
/// and shutdown subjects.
/// - Links: those of the host data are put at start, later ones arrive on
///   `….linkdefs.put|del`, one at a time and in order; the bridge holds
///   the links the provider accepted (see [`HostBridge::links`]), and each
///   put hands the provider the link's actor as an [`ActorLink`] (a
///   [`ProviderTransport`]).
/// - Calls: a verified invocation reaches [`Provider::handle`] with the
///   calling actor from its origin and this provider's link name.
pub struct ProviderServer {
    stop: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for ProviderServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderServer")
            .field("finished", &self.task.is_finished())
            .finish()
    }
}

impl ProviderServer {
    /// Subscribes (and waits for a round trip through the server, so the
    /// subscriptions are live there when this returns) and starts serving in
    /// background tasks, handling at most [`MAX_CONCURRENT_INVOCATIONS`]
    /// invocations at once.
    pub async fn start(
        bridge: HostBridge,
        provider: Arc<dyn Provider>,
    ) -> Result<ProviderServer, BridgeError> {
        Self::start_with_limit(bridge, provider, MAX_CONCURRENT_INVOCATIONS).await
    }

    /// [`ProviderServer::start`] handling at most `max_concurrent` (at least
    /// one) invocations at once. When that many run, the server takes no
    /// further invocation until one finishes: the next ones wait in NATS
    /// (back-pressure), none is dropped. Health checks and shutdown are
    /// answered meanwhile.
    pub async fn start_with_limit(
        bridge: HostBridge,
        provider: Arc<dyn Provider>,
        max_concurrent: usize,
    ) -> Result<ProviderServer, BridgeError> {
        let nats = bridge.nats().clone();
        let base = bridge.provider_rpc_subject();
        let sub = |subject: String| {
            let nats = nats.clone();
            async move {
                nats.subscribe(subject.clone())
                    .await
                    .map_err(|source| BridgeError::Subscribe { subject, source })
            }
        };
        let mut rpc = nats
            .queue_subscribe(base.clone(), RPC_QUEUE_GROUP.to_string())
            .await
            .map_err(|source| BridgeError::Subscribe {
                subject: base.clone(),
                source,
            })?;
        let mut put = sub(format!("{base}.linkdefs.put")).await?;
        let mut del = sub(format!("{base}.linkdefs.del")).await?;
        let mut health = sub(format!("{base}.health")).await?;
        let mut shutdown = sub(format!("{base}.shutdown")).await?;
        sync_with_server(&nats).await?;
        // The host data's links, before any call can arrive for them (a
        // refused one is logged and skipped, as a later put would be).
        for ld in &bridge.host_data().link_definitions {
            let _ = bridge.apply_put_link(&*provider, ld).await;
        }

        // Invocations: a permit per handler; waiting for one stops this
        // loop taking messages, which is the back-pressure.
        let permits = Arc::new(tokio::sync::Semaphore::new(max_concurrent.max(1)));
        let rpc_task = tokio::spawn({
            let (bridge, provider) = (bridge.clone(), provider.clone());
            async move {
                while let Some(msg) = rpc.next().await {
                    let Ok(permit) = permits.clone().acquire_owned().await else {
                        break;
                    };
                    let (bridge, provider) = (bridge.clone(), provider.clone());
                    tokio::spawn(async move {
                        handle_rpc(&bridge, provider, msg).await;
                        drop(permit);
                    });
                }
            }
        });
        // Link changes: one at a time and in order (a delete must not
        // overtake the put it undoes), away from health and shutdown.
        let links_task = tokio::spawn({
            let (bridge, provider) = (bridge.clone(), provider.clone());
            async move {
                loop {
                    tokio::select! {
                        biased;
                        Some(msg) = put.next() => handle_put_link(&bridge, &*provider, &msg.payload).await,
                        Some(msg) = del.next() => handle_del_link(&bridge, &*provider, &msg.payload).await,
                        else => break,
                    }
                }
            }
        });

        let stop = Arc::new(Notify::new());
        let stopped = stop.clone();
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stopped.notified() => break,
                    Some(msg) = health.next() => {
                        let resp = provider.health().await;
                        if let (Some(reply), Ok(buf)) = (msg.reply, serialize(&resp)) {
                            let _ = bridge.nats().publish(reply, buf.into()).await;
                        }
                    }
                    Some(msg) = shutdown.next() => {
                        // No new invocations or link changes from here on.
                        rpc_task.abort();
                        links_task.abort();
                        tracing::info!("shutdown requested");
                        provider.shutdown().await;
                        if let Some(reply) = msg.reply {
                            let _ = bridge.nats().publish(reply, Vec::new().into()).await;
                        }
                        let _ = bridge.nats().flush().await;
                        break;
                    }
                    else => break,
                }
            }
            rpc_task.abort();
            links_task.abort();
        });
        Ok(ProviderServer { stop, task })
    }

    /// Waits until the server stops (a shutdown request, [`Self::stop`], or
    /// the connection closing).
    pub async fn wait(self) {
        let _ = self.task.await;
    }

    /// Stops serving (calls in flight finish on their own).
    pub fn stop(&self) {
        self.stop.notify_one();
    }

    /// True once the loop has ended.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

/// Waits until the server has processed everything this client sent so far:
/// a message to a fresh inbox comes back only after the server has handled
/// the commands before it. (`flush` only empties the socket buffer; a caller
/// on another connection could otherwise find no subscriber yet.)
pub async fn sync_with_server(nats: &async_nats::Client) -> Result<(), BridgeError> {
    let inbox = nats.new_inbox();
    let mut sub = nats
        .subscribe(inbox.clone())
        .await
        .map_err(|e| BridgeError::Sync(e.to_string()))?;
    nats.publish(inbox, Vec::new().into())
        .await
        .map_err(|e| BridgeError::Sync(e.to_string()))?;
    match tokio::time::timeout(Duration::from_secs(10), sub.next()).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(BridgeError::Sync("connection closed".into())),
        Err(_) => Err(BridgeError::Sync("no echo within 10 s".into())),
    }
}

/// Starts a [`ProviderServer`] and serves until the host asks the provider
/// to shut down.
pub async fn serve_provider(
    bridge: HostBridge,
    provider: Arc<dyn Provider>,
) -> Result<(), BridgeError> {
    ProviderServer::start(bridge, provider).await?.wait().await;
    Ok(())
}

async fn handle_put_link(bridge: &HostBridge, provider: &dyn Provider, payload: &[u8]) {
    // A malformed or refused link is dropped: there is no reply subject
    // to report to, and the host learns of it through the provider's logs.
    match deserialize::<LinkDefinition>(payload) {
        Ok(ld) => {
            let _ = bridge.apply_put_link(provider, &ld).await;
        }
        Err(e) => tracing::warn!(error = %e, "malformed link definition dropped"),
    }
}

async fn handle_del_link(bridge: &HostBridge, provider: &dyn Provider, payload: &[u8]) {
    match deserialize::<LinkDefinition>(payload) {
        Ok(ld) => bridge.apply_delete_link(provider, &ld.actor_id).await,
        Err(e) => tracing::warn!(error = %e, "malformed link deletion dropped"),
    }
}

/// Answers one invocation; every failure becomes an error response.
async fn handle_rpc(bridge: &HostBridge, provider: Arc<dyn Provider>, msg: async_nats::Message) {
    let Some(reply) = msg.reply.clone() else {
        // Nobody to answer; an invocation is always a request.
        return;
    };
    let response = match bridge.accept_invocation(&msg.payload).await {
        Err((invocation_id, e)) => bridge.respond(&invocation_id, Err(e)).await,
        Ok(inv) if inv.target.public_key != bridge.provider_key() => {
            let e = format!(
                "invocation is for {}, this provider is {}",
                inv.target.public_key,
                bridge.provider_key()
            );
            bridge.respond(&inv.id, Err(e)).await
        }
        Ok(inv) => {
            let id = inv.id.clone();
            let result = dispatch_invocation(bridge, &*provider, inv).await;
            bridge.respond(&id, result).await
        }
    };
    if let Ok(buf) = serialize(&response) {
        let _ = bridge.nats().publish(reply, buf.into()).await;
    }
}

async fn dispatch_invocation(
    bridge: &HostBridge,
    provider: &dyn Provider,
    mut inv: Invocation,
) -> Result<Vec<u8>, String> {
    if inv.origin.public_key.is_empty() {
        return Err("invocation has no origin actor".into());
    }
    let origin = ActorOrigin {
        actor_id: std::mem::take(&mut inv.origin.public_key),
        link_name: bridge.link_name().to_string(),
    };
    let arg = std::mem::take(&mut inv.msg);
    // A panic in provider code becomes an error reply instead of taking
    // the server down. Caught in place rather than by a task of its own:
    // a spawned task and its join cost every call a scheduler hop.
    let handled = std::panic::AssertUnwindSafe(provider.handle(
        &origin,
        Message {
            method: &inv.operation,
            arg: Cow::Owned(arg),
        },
    ))
    .catch_unwind()
    .await;
    match handled {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(format!(
            "provider handler for {} panicked: {}",
            inv.operation,
            panic_text(&*panic)
        )),
    }
}

/// The message of a caught panic (`panic!` with a literal or a format).
fn panic_text(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// Opens the JetStream object store `bucket`, creating it (with
/// `description`) when it does not exist yet: the lattice's chunk store
/// and weld's upload store are made on first use by whichever peer needs
/// them first.
pub async fn object_store(
    js: &async_nats::jetstream::Context,
    bucket: &str,
    description: Option<&str>,
) -> Result<ObjectStore, async_nats::jetstream::context::CreateObjectStoreError> {
    if let Ok(store) = js.get_object_store(bucket).await {
        return Ok(store);
    }
    js.create_object_store(object_store::Config {
        bucket: bucket.to_string(),
        description: description.map(str::to_string),
        ..Default::default()
    })
    .await
}
