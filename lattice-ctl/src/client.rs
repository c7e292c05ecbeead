//! A control interface client: queries and commands to the hosts of a
//! lattice over NATS (`wasmbus.ctl.{lattice}.*`), and its event stream.
//!
//! It speaks the protocol of `wasmcloud-control-interface` 0.28 on the
//! control subjects (the "legacy" mode of upstream's client, which reads
//! links and claims from the metadata KV bucket when it exists; here they are
//! always asked of a host). Requests time out after [`DEFAULT_TIMEOUT`];
//! `ping.hosts` gathers every reply until that timeout, auctions gather for
//! [`DEFAULT_AUCTION_TIMEOUT`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::ctl::{
    ActorAuctionAck, ActorAuctionRequest, AnnotationMap, ClaimsList, CloudEvent, ConstraintMap,
    CtlOperationAck, Host, HostInventory, KeyValueMap, LinkDefinition, LinkDefinitionList,
    ProviderAuctionAck, ProviderAuctionRequest, RegistryCredentialMap, ScaleActorCommand,
    StartActorCommand, StartProviderCommand, StopActorCommand, StopHostCommand,
    StopProviderCommand, UpdateActorCommand, DEFAULT_LINK_NAME,
};
use crate::{subjects, DEFAULT_LATTICE};

/// Timeout of a request, and the gathering window of `ping.hosts` (2 s, as
/// upstream).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// Gathering window of an auction (5 s, as upstream).
pub const DEFAULT_AUCTION_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a control request failed.
#[derive(Debug, thiserror::Error)]
pub enum CtlError {
    /// The NATS connection could not be made.
    #[error("cannot connect to NATS at {url}: {source}")]
    Connect {
        /// The server URL.
        url: String,
        /// What NATS said.
        #[source]
        source: async_nats::ConnectError,
    },
    /// The NATS credentials file could not be read.
    #[error("cannot read NATS credentials file {}: {source}", path.display())]
    Credentials {
        /// The file.
        path: PathBuf,
        /// The read or parse error.
        #[source]
        source: std::io::Error,
    },
    /// Somebody listens on the subject but did not answer in time.
    #[error("no reply on {subject} within {} ms", timeout.as_millis())]
    Timeout {
        /// The request subject.
        subject: String,
        /// How long we waited.
        timeout: Duration,
    },
    /// Nobody listens on the subject (e.g. no such host).
    #[error("nobody answers on {subject}")]
    NoResponders {
        /// The request subject.
        subject: String,
    },
    /// A reply was not the JSON this request expects.
    #[error("bad reply on {subject}: {source}")]
    BadReply {
        /// The request subject.
        subject: String,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },
    /// The host answered with an ack that refuses the command.
    #[error("{subject}: refused: {error}")]
    Refused {
        /// The request subject.
        subject: String,
        /// The host's reason.
        error: String,
    },
    /// A request body could not be encoded.
    #[error("cannot encode the request on {subject}: {source}")]
    Encode {
        /// The request subject.
        subject: String,
        /// The encoding error.
        #[source]
        source: serde_json::Error,
    },
    /// Any other NATS failure (connection lost, invalid subject, ...).
    #[error("NATS request on {subject} failed: {source}")]
    Nats {
        /// The request subject.
        subject: String,
        /// The NATS error.
        #[source]
        source: async_nats::Error,
    },
}

/// Connects to NATS at `url`, authenticating with a credentials file (JWT +
/// seed) or an nkey seed when given.
pub async fn connect(
    url: &str,
    creds_file: Option<&Path>,
    nkey_seed: Option<&str>,
) -> Result<async_nats::Client, CtlError> {
    let mut opts = async_nats::ConnectOptions::new().name("weld ctl");
    if let Some(path) = creds_file {
        opts = opts
            .credentials_file(path)
            .await
            .map_err(|source| CtlError::Credentials {
                path: path.to_path_buf(),
                source,
            })?;
    }
    if let Some(seed) = nkey_seed {
        opts = opts.nkey(seed.to_string());
    }
    opts.connect(url).await.map_err(|source| CtlError::Connect {
        url: url.to_string(),
        source,
    })
}

/// A control interface client of one lattice.
#[derive(Clone, Debug)]
pub struct CtlClient {
    nc: async_nats::Client,
    lattice: String,
    timeout: Duration,
    auction_timeout: Duration,
}

impl CtlClient {
    /// A client of lattice `lattice` (`default` when empty) over `nc`, with
    /// the default timeouts.
    pub fn new(nc: async_nats::Client, lattice: impl Into<String>) -> Self {
        let mut lattice = lattice.into();
        if lattice.is_empty() {
            lattice = DEFAULT_LATTICE.to_string();
        }
        CtlClient {
            nc,
            lattice,
            timeout: DEFAULT_TIMEOUT,
            auction_timeout: DEFAULT_AUCTION_TIMEOUT,
        }
    }

    /// Sets the request timeout (also the `ping.hosts` gathering window).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the auction gathering window.
    pub fn with_auction_timeout(mut self, timeout: Duration) -> Self {
        self.auction_timeout = timeout;
        self
    }

    /// The lattice prefix.
    pub fn lattice(&self) -> &str {
        &self.lattice
    }

    /// The request timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The auction gathering window.
    pub fn auction_timeout(&self) -> Duration {
        self.auction_timeout
    }

    /// The NATS connection.
    pub fn nats(&self) -> &async_nats::Client {
        &self.nc
    }

    /// Every host that answers `ping.hosts` within the timeout. Empty when
    /// nobody answers.
    pub async fn get_hosts(&self) -> Result<Vec<Host>, CtlError> {
        let subject = subjects::ctl(&self.lattice, "ping.hosts");
        self.gather(subject, Bytes::new(), self.timeout).await
    }

    /// What host `host_id` runs.
    pub async fn get_host_inventory(&self, host_id: &str) -> Result<HostInventory, CtlError> {
        let subject = subjects::ctl_inventory(&self.lattice, host_id);
        self.request(subject, Bytes::new()).await
    }

    /// Every link of the lattice, as one host knows them.
    pub async fn get_links(&self) -> Result<LinkDefinitionList, CtlError> {
        let subject = subjects::ctl(&self.lattice, "get.links");
        self.request(subject, Bytes::new()).await
    }

    /// Every claims entry of the lattice, as one host knows them.
    pub async fn get_claims(&self) -> Result<ClaimsList, CtlError> {
        let subject = subjects::ctl(&self.lattice, "get.claims");
        self.request(subject, Bytes::new()).await
    }

    /// Defines (or replaces) a link through `linkdefs.put`.
    pub async fn put_link(
        &self,
        actor_id: &str,
        provider_id: &str,
        contract_id: &str,
        link_name: &str,
        values: KeyValueMap,
    ) -> Result<CtlOperationAck, CtlError> {
        let subject = subjects::ctl(&self.lattice, "linkdefs.put");
        let ld = LinkDefinition {
            id: None,
            actor_id: actor_id.to_string(),
            provider_id: provider_id.to_string(),
            link_name: link_name_or_default(link_name),
            contract_id: contract_id.to_string(),
            values,
        };
        self.command(subject, &ld).await
    }

    /// Deletes a link through `linkdefs.del`. The body is a whole link
    /// definition with an empty provider and values, as upstream's client
    /// sends it.
    pub async fn delete_link(
        &self,
        actor_id: &str,
        contract_id: &str,
        link_name: &str,
    ) -> Result<CtlOperationAck, CtlError> {
        let subject = subjects::ctl(&self.lattice, "linkdefs.del");
        let ld = LinkDefinition {
            actor_id: actor_id.to_string(),
            contract_id: contract_id.to_string(),
            link_name: link_name_or_default(link_name),
            ..LinkDefinition::default()
        };
        self.command(subject, &ld).await
    }

    /// Asks which hosts could run an actor; gathers bids for the auction
    /// window. Empty when no host bids.
    pub async fn perform_actor_auction(
        &self,
        actor_ref: &str,
        constraints: ConstraintMap,
    ) -> Result<Vec<ActorAuctionAck>, CtlError> {
        let subject = subjects::ctl(&self.lattice, "auction.actor");
        let body = encode(
            &subject,
            &ActorAuctionRequest {
                actor_ref: actor_ref.to_string(),
                constraints,
            },
        )?;
        self.gather(subject, body, self.auction_timeout).await
    }

    /// Asks which hosts could run a provider under `link_name` (and do not
    /// run it yet); gathers bids for the auction window.
    pub async fn perform_provider_auction(
        &self,
        provider_ref: &str,
        link_name: &str,
        constraints: ConstraintMap,
    ) -> Result<Vec<ProviderAuctionAck>, CtlError> {
        let subject = subjects::ctl(&self.lattice, "auction.provider");
        let body = encode(
            &subject,
            &ProviderAuctionRequest {
                constraints,
                link_name: link_name_or_default(link_name),
                provider_ref: provider_ref.to_string(),
            },
        )?;
        self.gather(subject, body, self.auction_timeout).await
    }

    /// Asks `host_id` to start `count` instances of an actor (`cmd.{h}.la`).
    /// The ack means the host took the command; the outcome shows in events.
    pub async fn start_actor(
        &self,
        host_id: &str,
        actor_ref: &str,
        count: u16,
        annotations: Option<AnnotationMap>,
    ) -> Result<CtlOperationAck, CtlError> {
        let subject = subjects::ctl_cmd(&self.lattice, host_id, "la");
        let cmd = StartActorCommand {
            actor_ref: actor_ref.to_string(),
            annotations,
            count,
            host_id: host_id.to_string(),
        };
        self.command(subject, &cmd).await
    }

    /// Asks `host_id` to stop `count` instances of an actor (0 = all;
    /// `cmd.{h}.sa`).
    pub async fn stop_actor(
        &self,
        host_id: &str,
        actor_ref: &str,
        count: u16,
        annotations: Option<AnnotationMap>,
    ) -> Result<CtlOperationAck, CtlError> {
        let subject = subjects::ctl_cmd(&self.lattice, host_id, "sa");
        let cmd = StopActorCommand {
            actor_ref: actor_ref.to_string(),
            annotations,
            count,
            host_id: host_id.to_string(),
        };
        self.command(subject, &cmd).await
    }

    /// Asks `host_id` to run exactly `count` instances of actor `actor_id`
    /// (`cmd.{h}.scale`).
    pub async fn scale_actor(
        &self,
        host_id: &str,
        actor_ref: &str,
        actor_id: &str,
        count: u16,
        annotations: Option<AnnotationMap>,
    ) -> Result<CtlOperationAck, CtlError> {
        let subject = subjects::ctl_cmd(&self.lattice, host_id, "scale");
        let cmd = ScaleActorCommand {
            actor_id: actor_id.to_string(),
            actor_ref: actor_ref.to_string(),
            annotations,
            count,
            host_id: host_id.to_string(),
        };
        self.command(subject, &cmd).await
    }

    /// Asks `host_id` to replace actor `actor_id` by `new_actor_ref`
    /// (`cmd.{h}.upd`).
    pub async fn update_actor(
        &self,
        host_id: &str,
        actor_id: &str,
        new_actor_ref: &str,
        annotations: Option<AnnotationMap>,
    ) -> Result<CtlOperationAck, CtlError> {
        let subject = subjects::ctl_cmd(&self.lattice, host_id, "upd");
        let cmd = UpdateActorCommand {
            actor_id: actor_id.to_string(),
            annotations,
            host_id: host_id.to_string(),
            new_actor_ref: new_actor_ref.to_string(),
        };
        self.command(subject, &cmd).await
    }

    /// Asks `host_id` to start a provider under `link_name` (empty =
    /// `default`; `cmd.{h}.lp`).
    pub async fn start_provider(
        &self,
        host_id: &str,
        provider_ref: &str,
        link_name: &str,
        annotations: Option<AnnotationMap>,
        configuration: Option<String>,
    ) -> Result<CtlOperationAck, CtlError> {
        let subject = subjects::ctl_cmd(&self.lattice, host_id, "lp");
        let cmd = StartProviderCommand {
            annotations,
            configuration,
            host_id: host_id.to_string(),
            link_name: link_name_or_default(link_name),
            provider_ref: provider_ref.to_string(),
        };
        self.command(subject, &cmd).await
    }

    /// Asks `host_id` to stop a provider (`cmd.{h}.sp`).
    pub async fn stop_provider(
        &self,
        host_id: &str,
        provider_ref: &str,
        link_name: &str,
        contract_id: &str,
        annotations: Option<AnnotationMap>,
    ) -> Result<CtlOperationAck, CtlError> {
        let subject = subjects::ctl_cmd(&self.lattice, host_id, "sp");
        let cmd = StopProviderCommand {
            annotations,
            contract_id: contract_id.to_string(),
            host_id: host_id.to_string(),
            link_name: link_name_or_default(link_name),
            provider_ref: provider_ref.to_string(),
        };
        self.command(subject, &cmd).await
    }

    /// Asks `host_id` to stop, with an optional grace period in milliseconds
    /// (`cmd.{h}.stop`).
    pub async fn stop_host(
        &self,
        host_id: &str,
        timeout_ms: Option<u64>,
    ) -> Result<CtlOperationAck, CtlError> {
        let subject = subjects::ctl_cmd(&self.lattice, host_id, "stop");
        let cmd = StopHostCommand {
            host_id: host_id.to_string(),
            timeout: timeout_ms,
        };
        self.command(subject, &cmd).await
    }

    /// Publishes registry credentials to every host (`registries.put`; no
    /// reply is awaited, as upstream).
    pub async fn put_registries(&self, registries: &RegistryCredentialMap) -> Result<(), CtlError> {
        let subject = subjects::ctl(&self.lattice, "registries.put");
        let body = encode(&subject, registries)?;
        self.nc
            .publish(subject.clone(), body)
            .await
            .map_err(|e| CtlError::Nats {
                subject: subject.clone(),
                source: e.into(),
            })?;
        self.nc.flush().await.map_err(|e| CtlError::Nats {
            subject,
            source: e.into(),
        })
    }

    /// The lattice's events (`wasmbus.evt.{lattice}`) from now on. Messages
    /// that are not CloudEvents are skipped. The subscription is confirmed by
    /// the server before this returns, so no event published afterwards is
    /// missed.
    pub async fn events(
        &self,
    ) -> Result<impl Stream<Item = CloudEvent> + Send + Unpin + 'static, CtlError> {
        let subject = subjects::events(&self.lattice);
        let sub = self
            .nc
            .subscribe(subject.clone())
            .await
            .map_err(|e| CtlError::Nats {
                subject: subject.clone(),
                source: e.into(),
            })?;
        self.nc.flush().await.map_err(|e| CtlError::Nats {
            subject: subject.clone(),
            source: e.into(),
        })?;
        Ok(sub.filter_map(move |msg| {
            let parsed = match serde_json::from_slice::<CloudEvent>(&msg.payload) {
                Ok(evt) => Some(evt),
                Err(e) => {
                    tracing::warn!(subject = %msg.subject, error = %e, "skipping a message that is not a CloudEvent");
                    None
                }
            };
            futures_util::future::ready(parsed)
        }))
    }

    /// One request, one JSON reply.
    async fn request<T: DeserializeOwned>(
        &self,
        subject: String,
        body: Bytes,
    ) -> Result<T, CtlError> {
        let msg = self.request_raw(&subject, body).await?;
        serde_json::from_slice(&msg.payload)
            .map_err(|source| CtlError::BadReply { subject, source })
    }

    async fn request_raw(
        &self,
        subject: &str,
        body: Bytes,
    ) -> Result<async_nats::Message, CtlError> {
        use async_nats::RequestErrorKind as K;
        let req = async_nats::Request::new()
            .payload(body)
            .timeout(Some(self.timeout));
        self.nc
            .send_request(subject.to_string(), req)
            .await
            .map_err(|e| match e.kind() {
                K::TimedOut => CtlError::Timeout {
                    subject: subject.to_string(),
                    timeout: self.timeout,
                },
                K::NoResponders => CtlError::NoResponders {
                    subject: subject.to_string(),
                },
                _ => CtlError::Nats {
                    subject: subject.to_string(),
                    source: e.into(),
                },
            })
    }

    /// A command: a JSON body, an ack back; a refusing ack is an error.
    async fn command<B: Serialize>(
        &self,
        subject: String,
        body: &B,
    ) -> Result<CtlOperationAck, CtlError> {
        let body = encode(&subject, body)?;
        let ack: CtlOperationAck = self.request(subject.clone(), body).await?;
        if ack.accepted {
            Ok(ack)
        } else {
            Err(CtlError::Refused {
                subject,
                error: if ack.error.is_empty() {
                    "no reason given".to_string()
                } else {
                    ack.error
                },
            })
        }
    }

    /// Scatter/gather: publish with a fresh inbox, collect every reply until
    /// `window` ends (or NATS says nobody listens). A malformed reply is
    /// skipped, so one broken host does not hide the others; it is an error
    /// only when no reply could be read at all.
    async fn gather<T: DeserializeOwned>(
        &self,
        subject: String,
        body: Bytes,
        window: Duration,
    ) -> Result<Vec<T>, CtlError> {
        let nats_err = |e: async_nats::Error| CtlError::Nats {
            subject: subject.clone(),
            source: e,
        };
        let inbox = self.nc.new_inbox();
        let mut sub = self
            .nc
            .subscribe(inbox.clone())
            .await
            .map_err(|e| nats_err(e.into()))?;
        self.nc
            .publish_with_reply(subject.clone(), inbox, body)
            .await
            .map_err(|e| nats_err(e.into()))?;
        self.nc.flush().await.map_err(|e| nats_err(e.into()))?;
        let mut items = Vec::new();
        let mut first_bad = None;
        let deadline = tokio::time::sleep(window);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                msg = sub.next() => {
                    let Some(msg) = msg else { break };
                    if msg.status == Some(async_nats::StatusCode::NO_RESPONDERS) {
                        break;
                    }
                    match serde_json::from_slice::<T>(&msg.payload) {
                        Ok(item) => items.push(item),
                        Err(e) => {
                            tracing::warn!(%subject, error = %e, "skipping a malformed reply");
                            first_bad.get_or_insert(e);
                        }
                    }
                }
                _ = &mut deadline => break,
            }
        }
        // Unsubscribing is best effort: the subscriber is dropped anyway.
        let _ = sub.unsubscribe().await;
        match first_bad {
            Some(source) if items.is_empty() => Err(CtlError::BadReply { subject, source }),
            _ => Ok(items),
        }
    }
}

fn link_name_or_default(link_name: &str) -> String {
    if link_name.is_empty() {
        DEFAULT_LINK_NAME.to_string()
    } else {
        link_name.to_string()
    }
}

fn encode<B: Serialize + ?Sized>(subject: &str, body: &B) -> Result<Bytes, CtlError> {
    serde_json::to_vec(body)
        .map(Bytes::from)
        .map_err(|source| CtlError::Encode {
            subject: subject.to_string(),
            source,
        })
}
