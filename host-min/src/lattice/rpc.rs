//! Invocations across the lattice: the router's [`Remote`] (calls to actors
//! and providers that do not run in this process) and the subscriptions
//! that serve this host's actors on `wasmbus.rpc.{L}.{actor_key}`.
//!
//! Every invocation goes through the host's [`weld_rpc::provider::HostBridge`]:
//! signed with the cluster key, checked against the cluster issuers on
//! receipt (signature, expiry, subject, URLs, hash), and chunked through the
//! lattice's object store above 900 KiB, both ways.

use std::sync::Arc;

use futures_util::StreamExt;
use weld_rpc::common::serialize;
use weld_rpc::core::{Invocation, WasmCloudEntity};

use super::{subjects, Lattice, LatticeError};
use crate::router::{error_text, ProviderInfo, Reach, Remote};
use crate::types::{LinkDefinition, Message, RpcResult};

fn actor_entity(actor_id: &str) -> WasmCloudEntity {
    WasmCloudEntity {
        public_key: actor_id.to_string(),
        link_name: String::new(),
        contract_id: String::new(),
    }
}

#[async_trait::async_trait]
impl Remote for Lattice {
    async fn call_actor(
        &self,
        origin: WasmCloudEntity,
        actor_id: &str,
        operation: &str,
        payload: Vec<u8>,
    ) -> RpcResult<Vec<u8>> {
        let subject = subjects::actor_rpc(self.prefix(), actor_id);
        self.bridge
            .invoke(
                &subject,
                origin,
                actor_entity(actor_id),
                operation,
                payload,
                self.config.rpc_timeout(),
            )
            .await
    }

    async fn call_provider(
        &self,
        actor_id: &str,
        link: &LinkDefinition,
        operation: &str,
        payload: Vec<u8>,
    ) -> RpcResult<Vec<u8>> {
        let subject = subjects::provider_rpc(self.prefix(), &link.provider_id, &link.link_name);
        let target = WasmCloudEntity {
            public_key: link.provider_id.clone(),
            link_name: link.link_name.clone(),
            contract_id: link.contract_id.clone(),
        };
        self.bridge
            .invoke(
                &subject,
                actor_entity(actor_id),
                target,
                operation,
                payload,
                self.config.rpc_timeout(),
            )
            .await
    }

    fn resolve_alias(&self, alias: &str) -> Option<String> {
        self.aliases
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(alias)
            .cloned()
    }

    async fn actor_started(&self, actor_id: &str) {
        if let Err(e) = self.serve_actor(actor_id).await {
            tracing::error!(
                actor = actor_id,
                "cannot serve the actor on the lattice: {e}"
            );
        }
        self.actor_claims_published(actor_id).await;
        let claims = self
            .router()
            .and_then(|r| r.actor_claims(actor_id))
            .map(|c| super::events::claims_json(&c));
        self.publish_event(
            "actor_started",
            serde_json::json!({
                "public_key": actor_id, "image_ref": "", "api_version": "n/a",
                "instance_id": actor_id, "annotations": {}, "claims": claims,
            }),
        )
        .await;
    }

    fn actor_stopped(&self, actor_id: &str) {
        if let Some(t) = self
            .actor_subs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(actor_id)
        {
            t.abort();
        }
        if let Some(me) = self.me.upgrade() {
            let id = actor_id.to_string();
            tokio::spawn(async move {
                me.publish_event(
                    "actor_stopped",
                    serde_json::json!({"public_key": id, "instance_id": id, "annotations": {}}),
                )
                .await;
            });
        }
    }

    async fn link_put(&self, ld: &LinkDefinition) -> Result<(), LatticeError> {
        self.links.put(ld).await
    }

    async fn link_deleted(&self, ld: &LinkDefinition) -> Result<(), LatticeError> {
        self.links
            .delete(&ld.actor_id, &ld.contract_id, &ld.link_name)
            .await
    }

    async fn provider_started(&self, info: &ProviderInfo) {
        // A provider process serves its subject itself: the host joining
        // its queue group would take some of its calls and send them back
        // to the same subject.
        let served = if info.process {
            Ok(())
        } else {
            self.serve_provider(info).await
        };
        if let Err(e) = served {
            tracing::error!(provider = %info.name, "cannot serve the provider on the lattice: {e}");
        }
        self.publish_event(
            "provider_started",
            serde_json::json!({
                "public_key": info.id, "image_ref": info.kind, "link_name": info.link_name,
                "contract_id": info.contract_id, "instance_id": info.id, "annotations": {},
                "claims": {"name": info.name},
            }),
        )
        .await;
    }

    fn provider_stopped(&self, info: &ProviderInfo) {
        if let Some(t) = self
            .actor_subs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&provider_sub_key(info))
        {
            t.abort();
        }
        if let Some(me) = self.me.upgrade() {
            let data = serde_json::json!({
                "public_key": info.id, "link_name": info.link_name,
                "contract_id": info.contract_id, "instance_id": info.id,
                "annotations": {}, "reason": "normal",
            });
            tokio::spawn(async move { me.publish_event("provider_stopped", data).await });
        }
    }
}

fn provider_sub_key(info: &ProviderInfo) -> String {
    format!("{}.{}", info.id, info.link_name)
}

/// What one lattice subscription of this host serves.
#[derive(Debug, Clone)]
enum Served {
    /// A local actor, by id.
    Actor(String),
    /// A local in-process provider, by id.
    Provider(String),
}

impl Served {
    fn id(&self) -> &str {
        match self {
            Served::Actor(id) | Served::Provider(id) => id,
        }
    }

    fn what(&self) -> &'static str {
        match self {
            Served::Actor(_) => "actor",
            Served::Provider(_) => "provider",
        }
    }
}

impl Lattice {
    /// Serves actor `actor_id` on its lattice subject, in the queue group
    /// named after the subject (as upstream), so that each invocation
    /// reaches one of the hosts running it.
    pub(crate) async fn serve_actor(&self, actor_id: &str) -> Result<(), LatticeError> {
        let subject = subjects::actor_rpc(self.prefix(), actor_id);
        self.serve(
            subject.clone(),
            subject,
            actor_id.to_string(),
            Served::Actor(actor_id.into()),
        )
        .await
    }

    /// Serves an in-process provider on its lattice subject (queue group
    /// `rpc`, as upstream providers), so actors on other hosts reach it.
    pub(crate) async fn serve_provider(&self, info: &ProviderInfo) -> Result<(), LatticeError> {
        let subject = subjects::provider_rpc(self.prefix(), &info.id, &info.link_name);
        self.serve(
            subject,
            "rpc".into(),
            provider_sub_key(info),
            Served::Provider(info.id.clone()),
        )
        .await
    }

    /// Subscribes `subject` in `queue` and answers each invocation in its
    /// own task; the subscription is kept under `key` (replacing an older
    /// one) until the actor or provider stops.
    async fn serve(
        &self,
        subject: String,
        queue: String,
        key: String,
        served: Served,
    ) -> Result<(), LatticeError> {
        let mut sub = self
            .nats
            .queue_subscribe(subject.clone(), queue)
            .await
            .map_err(|source| LatticeError::Subscribe { subject, source })?;
        // Live at the server before it counts as served: a caller on
        // another connection must not find no responder.
        weld_rpc::provider::bridge::sync_with_server(&self.nats).await?;
        let me = self.me.clone();
        let task = tokio::spawn(async move {
            while let Some(msg) = sub.next().await {
                let Some(lattice) = me.upgrade() else { break };
                let served = served.clone();
                tokio::spawn(async move { lattice.answer(&served, msg).await });
            }
        });
        if let Some(old) = self
            .actor_subs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, task)
        {
            old.abort();
        }
        Ok(())
    }

    /// Answers one invocation of what `served` names: verified by the
    /// bridge, checked to be for it, delivered through the router.
    async fn answer(self: Arc<Self>, served: &Served, msg: async_nats::Message) {
        let Some(reply) = msg.reply.clone() else {
            return;
        };
        let id = served.id();
        let response = match self.bridge.accept_invocation(&msg.payload).await {
            Err((inv_id, e)) => {
                tracing::warn!(target_id = id, "refused invocation: {e}");
                self.bridge.respond(&inv_id, Err(e)).await
            }
            Ok(inv) if inv.target.public_key != id => {
                let e = format!(
                    "invocation is for {}, not {} {id}",
                    inv.target.public_key,
                    served.what()
                );
                self.bridge.respond(&inv.id, Err(e)).await
            }
            Ok(inv) => {
                let result = self.deliver(served, &inv).await;
                self.bridge.respond(&inv.id, result).await
            }
        };
        if let Ok(buf) = serialize(&response) {
            let _ = self.nats.publish(reply, buf.into()).await;
        }
    }

    async fn deliver(&self, served: &Served, inv: &Invocation) -> Result<Vec<u8>, String> {
        let Some(router) = self.router() else {
            return Err("host is shutting down".into());
        };
        let (origin, op, msg) = (&inv.origin, &inv.operation, &inv.msg);
        match served {
            Served::Actor(id) => router
                .call_actor_as(origin, id, Message::new(op, msg), Reach::Here)
                .await
                .map_err(error_text),
            Served::Provider(id) => router.call_provider_from_lattice(origin, id, op, msg).await,
        }
    }

    /// Writes the claims of a local actor to the metadata bucket.
    async fn actor_claims_published(&self, actor_id: &str) {
        let Some(router) = self.router() else { return };
        let Some(claims) = router.actor_claims(actor_id) else {
            return;
        };
        if let Err(e) = self.links.put_claims(&claims).await {
            tracing::warn!(actor = actor_id, "cannot store claims in the lattice: {e}");
        }
    }
}
