//! The control interface a host answers on `wasmbus.ctl.{lattice}.*`
//! (`shared/spec/lattice.md` sections 1 and 2), JSON in and out.
//!
//! - every host answers `ping.hosts`, its own `get.{host}.inv` and
//!   `cmd.{host}.*`, and bids in auctions whose constraints its labels meet;
//! - one host (queue group `wasmbus.ctl.{lattice}`) answers `get.links`,
//!   `get.claims` and `linkdefs.put|del`;
//! - commands are acknowledged before the work is done, as upstream: the
//!   outcome shows in the lattice's events (`actor_started`,
//!   `actor_start_failed`, ...).
//!
//! What a command does to the host is [`HostControl`]'s business
//! (implemented by [`crate::host::Host`]); this module only speaks the
//! protocol.

use std::sync::{Arc, Weak};

use futures_util::stream::{select_all, StreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::ctl::{
    ActorAuctionAck, ActorAuctionRequest, ClaimsList, CtlOperationAck, Host, HostInventory,
    LinkDefinition as CtlLink, LinkDefinitionList, ProviderAuctionAck, ProviderAuctionRequest,
    RegistryCredentialMap, RemoveLinkDefinitionRequest, ScaleActorCommand, StartActorCommand,
    StartProviderCommand, StopActorCommand, StopHostCommand, StopProviderCommand,
};
use super::events::uptime_human;
use super::{subjects, Lattice, LatticeError};
use crate::types::LinkDefinition;

/// What the control interface asks of a host.
#[async_trait::async_trait]
pub trait HostControl: Send + Sync + 'static {
    /// What runs here, as upstream's inventory.
    fn inventory(&self) -> HostInventory;
    /// Checks a start-actor request enough to acknowledge it (the file
    /// exists, ...).
    fn check_start_actor(&self, cmd: &StartActorCommand) -> Result<(), String>;
    /// Starts `cmd.count` instances of an actor (after the ack).
    async fn start_actor(&self, cmd: StartActorCommand);
    /// Stops instances of an actor (after the ack).
    async fn stop_actor(&self, cmd: StopActorCommand);
    /// Sets the instance count of an actor (after the ack).
    async fn scale_actor(&self, cmd: ScaleActorCommand);
    /// Checks a start-provider request enough to acknowledge it (upstream
    /// refuses one that already runs here).
    fn check_start_provider(&self, cmd: &StartProviderCommand) -> Result<(), String>;
    /// Starts a provider (after the ack).
    async fn start_provider(&self, cmd: StartProviderCommand);
    /// Stops a provider (after the ack).
    async fn stop_provider(&self, cmd: StopProviderCommand);
    /// True when the provider `provider_ref` with `link_name` runs here.
    fn runs_provider(&self, provider_ref: &str, link_name: &str) -> bool;
    /// Puts a link (checked by a provider running here, then shared).
    async fn put_link(&self, ld: LinkDefinition) -> Result<(), String>;
    /// Deletes a link.
    async fn delete_link(
        &self,
        actor_id: &str,
        contract_id: &str,
        link_name: &str,
    ) -> Result<(), String>;
    /// The links this host knows (the lattice's, from the bucket).
    fn links(&self) -> Vec<LinkDefinition>;
    /// Stops the host (after the ack).
    fn stop_host(&self, cmd: StopHostCommand);
    /// Uses these credentials for OCI registries from now on
    /// (`registries.put`).
    fn put_registries(&self, registries: RegistryCredentialMap);
}

/// A link in the control interface's shape, with its upstream `id`.
pub(crate) fn to_ctl_link(ld: LinkDefinition) -> CtlLink {
    CtlLink {
        id: Some(subjects::linkdef_key(
            &ld.actor_id,
            &ld.contract_id,
            &ld.link_name,
        )),
        actor_id: ld.actor_id,
        provider_id: ld.provider_id,
        link_name: ld.link_name,
        contract_id: ld.contract_id,
        values: ld.values.into_iter().collect(),
    }
}

fn parse<T: DeserializeOwned>(payload: &[u8]) -> Result<T, String> {
    serde_json::from_slice(payload).map_err(|e| format!("invalid request: {e}"))
}

impl Lattice {
    /// What `ping.hosts` answers.
    pub fn host_description(&self) -> Host {
        let secs = self.uptime().as_secs();
        Host {
            cluster_issuers: Some(self.cluster_issuers().join(",")),
            ctl_host: Some(self.config.url().to_string()),
            id: self.host_id(),
            issuer: self.cluster_key(),
            friendly_name: self.friendly_name().to_string(),
            js_domain: self.config.js_domain.clone(),
            labels: Some(self.labels()),
            lattice_prefix: Some(self.prefix().to_string()),
            prov_rpc_host: Some(self.config.url().to_string()),
            rpc_host: Some(self.config.url().to_string()),
            uptime_human: Some(uptime_human(secs)),
            uptime_seconds: secs,
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }
    }

    fn labels_meet(&self, constraints: &std::collections::BTreeMap<String, String>) -> bool {
        let labels = self.labels();
        constraints.iter().all(|(k, v)| labels.get(k) == Some(v))
    }

    /// Answers the control interface for `host` until the host leaves.
    pub(crate) async fn serve_control(
        self: &Arc<Self>,
        host: Weak<dyn HostControl>,
    ) -> Result<(), LatticeError> {
        let l = self.prefix().to_string();
        let id = self.host_id();
        let mut subs = Vec::new();
        for subject in [
            subjects::ctl(&l, "ping.hosts"),
            subjects::ctl_inventory(&l, &id),
            subjects::ctl(&l, "auction.>"),
            subjects::ctl(&l, &format!("cmd.{id}.*")),
            subjects::ctl(&l, "registries.put"),
        ] {
            subs.push(
                self.nats
                    .subscribe(subject.clone())
                    .await
                    .map_err(|source| LatticeError::Subscribe { subject, source })?,
            );
        }
        for suffix in ["get.links", "get.claims", "linkdefs.put", "linkdefs.del"] {
            let subject = subjects::ctl(&l, suffix);
            subs.push(
                self.nats
                    .queue_subscribe(subject.clone(), subjects::ctl_queue(&l))
                    .await
                    .map_err(|source| LatticeError::Subscribe { subject, source })?,
            );
        }
        weld_rpc::provider::bridge::sync_with_server(&self.nats).await?;
        let mut all = select_all(subs);
        let me = Arc::downgrade(self);
        self.track(tokio::spawn(async move {
            while let Some(msg) = all.next().await {
                let (Some(lattice), Some(host)) = (me.upgrade(), host.upgrade()) else {
                    break;
                };
                tokio::spawn(async move { lattice.control(host, msg).await });
            }
        }));
        Ok(())
    }

    async fn reply<T: Serialize>(&self, msg: &async_nats::Message, body: &T) {
        let Some(reply) = msg.reply.clone() else {
            return;
        };
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                if let Err(e) = self.nats.publish(reply, bytes.into()).await {
                    tracing::warn!("control reply on {}: {e}", msg.subject);
                }
            }
            Err(e) => tracing::warn!("control reply on {}: {e}", msg.subject),
        }
    }

    async fn ack(&self, msg: &async_nats::Message, result: Result<(), String>) {
        let ack = match result {
            Ok(()) => CtlOperationAck::ok(),
            Err(e) => CtlOperationAck::refused(e),
        };
        self.reply(msg, &ack).await;
    }

    async fn control(self: Arc<Self>, host: Arc<dyn HostControl>, msg: async_nats::Message) {
        let prefix = subjects::ctl(self.prefix(), "");
        let Some(suffix) = msg.subject.as_str().strip_prefix(&prefix) else {
            return;
        };
        let suffix = suffix.to_string();
        let cmd_prefix = format!("cmd.{}.", self.host_id());
        match suffix.as_str() {
            "ping.hosts" => self.reply(&msg, &self.host_description()).await,
            "get.links" => {
                let links = host.links().into_iter().map(to_ctl_link).collect();
                self.reply(&msg, &LinkDefinitionList { links }).await
            }
            "get.claims" => {
                let claims = self
                    .known_claims()
                    .into_iter()
                    .map(|m| m.into_iter().collect())
                    .collect();
                self.reply(&msg, &ClaimsList { claims }).await
            }
            "linkdefs.put" => {
                let result = match parse::<CtlLink>(&msg.payload) {
                    Ok(l) => {
                        host.put_link(LinkDefinition {
                            actor_id: l.actor_id,
                            provider_id: l.provider_id,
                            link_name: l.link_name,
                            contract_id: l.contract_id,
                            values: l.values.into_iter().collect(),
                        })
                        .await
                    }
                    Err(e) => Err(e),
                };
                self.ack(&msg, result).await
            }
            "linkdefs.del" => {
                let result = match parse::<RemoveLinkDefinitionRequest>(&msg.payload) {
                    Ok(r) => {
                        host.delete_link(&r.actor_id, &r.contract_id, &r.link_name)
                            .await
                    }
                    Err(e) => Err(e),
                };
                self.ack(&msg, result).await
            }
            "auction.actor" => {
                if let Ok(req) = parse::<ActorAuctionRequest>(&msg.payload) {
                    if self.labels_meet(&req.constraints) {
                        let ack = ActorAuctionAck {
                            actor_ref: req.actor_ref,
                            host_id: self.host_id(),
                            constraints: req.constraints,
                        };
                        self.reply(&msg, &ack).await
                    }
                }
            }
            "auction.provider" => {
                if let Ok(req) = parse::<ProviderAuctionRequest>(&msg.payload) {
                    if self.labels_meet(&req.constraints)
                        && !host.runs_provider(&req.provider_ref, &req.link_name)
                    {
                        let ack = ProviderAuctionAck {
                            host_id: self.host_id(),
                            link_name: req.link_name,
                            provider_ref: req.provider_ref,
                        };
                        self.reply(&msg, &ack).await
                    }
                }
            }
            "registries.put" => {
                let parsed = serde_json::from_slice::<RegistryCredentialMap>(&msg.payload)
                    .map_err(|e| format!("bad registry credentials: {e}"));
                if let Ok(map) = &parsed {
                    host.put_registries(map.clone());
                }
                self.ack(&msg, parsed.map(|_| ())).await
            }
            s if s == format!("get.{}.inv", self.host_id()) => {
                self.reply(&msg, &host.inventory()).await
            }
            s if s.starts_with(&cmd_prefix) => {
                let verb = &s[cmd_prefix.len()..];
                self.command(host, verb, &msg).await
            }
            _ => {}
        }
    }

    async fn command(&self, host: Arc<dyn HostControl>, verb: &str, msg: &async_nats::Message) {
        match verb {
            "la" => match parse::<StartActorCommand>(&msg.payload)
                .and_then(|c| host.check_start_actor(&c).map(|()| c))
            {
                Ok(cmd) => {
                    self.ack(msg, Ok(())).await;
                    host.start_actor(cmd).await;
                }
                Err(e) => self.ack(msg, Err(e)).await,
            },
            "sa" => match parse::<StopActorCommand>(&msg.payload) {
                Ok(cmd) => {
                    self.ack(msg, Ok(())).await;
                    host.stop_actor(cmd).await;
                }
                Err(e) => self.ack(msg, Err(e)).await,
            },
            "scale" => match parse::<ScaleActorCommand>(&msg.payload) {
                Ok(cmd) => {
                    self.ack(msg, Ok(())).await;
                    host.scale_actor(cmd).await;
                }
                Err(e) => self.ack(msg, Err(e)).await,
            },
            "lp" => match parse::<StartProviderCommand>(&msg.payload)
                .and_then(|c| host.check_start_provider(&c).map(|()| c))
            {
                Ok(cmd) => {
                    self.ack(msg, Ok(())).await;
                    host.start_provider(cmd).await;
                }
                Err(e) => self.ack(msg, Err(e)).await,
            },
            "sp" => match parse::<StopProviderCommand>(&msg.payload) {
                Ok(cmd) => {
                    self.ack(msg, Ok(())).await;
                    host.stop_provider(cmd).await;
                }
                Err(e) => self.ack(msg, Err(e)).await,
            },
            "stop" => {
                let cmd = parse::<StopHostCommand>(&msg.payload).unwrap_or_default();
                self.ack(msg, Ok(())).await;
                let _ = self.nats.flush().await;
                host.stop_host(cmd);
            }
            other => {
                self.ack(msg, Err(format!("unknown command `{other}`")))
                    .await
            }
        }
    }
}
