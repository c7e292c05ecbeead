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

use super::{subjects, Lattice, LatticeError, DEFAULT_RPC_TIMEOUT};
use crate::router::Remote;
use crate::types::{LinkDefinition, RpcResult};

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
                DEFAULT_RPC_TIMEOUT,
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
                DEFAULT_RPC_TIMEOUT,
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
            tracing::error!(actor = actor_id, "cannot serve the actor on the lattice: {e}");
        }
        self.actor_claims_published(actor_id).await;
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
    }

    async fn link_put(&self, ld: &LinkDefinition) -> Result<(), String> {
        self.links.put(ld).await.map_err(|e| e.to_string())
    }

    async fn link_deleted(&self, ld: &LinkDefinition) -> Result<(), String> {
        self.links
            .delete(&ld.actor_id, &ld.contract_id, &ld.link_name)
            .await
            .map_err(|e| e.to_string())
    }
}

impl Lattice {
    /// Serves actor `actor_id` on its lattice subject, in the queue group
    /// named after the subject (as upstream), so that each invocation
    /// reaches one of the hosts running it.
    pub(crate) async fn serve_actor(&self, actor_id: &str) -> Result<(), LatticeError> {
        let subject = subjects::actor_rpc(self.prefix(), actor_id);
        let mut sub = self
            .nats
            .queue_subscribe(subject.clone(), subject.clone())
            .await
            .map_err(|source| LatticeError::Subscribe {
                subject: subject.clone(),
                source,
            })?;
        // Live at the server before the actor counts as served: a caller on
        // another connection must not find no responder.
        weld_rpc::provider::bridge::sync_with_server(&self.nats).await?;
        let me = self.me.clone();
        let id = actor_id.to_string();
        let task = tokio::spawn(async move {
            while let Some(msg) = sub.next().await {
                let Some(lattice) = me.upgrade() else { break };
                let id = id.clone();
                tokio::spawn(async move { lattice.answer(&id, msg).await });
            }
        });
        if let Some(old) = self
            .actor_subs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(actor_id.to_string(), task)
        {
            old.abort();
        }
        Ok(())
    }

    /// Answers one invocation of a local actor.
    async fn answer(self: Arc<Self>, actor_id: &str, msg: async_nats::Message) {
        let Some(reply) = msg.reply.clone() else {
            return;
        };
        let response = match self.bridge.accept_invocation(&msg.payload).await {
            Err((id, e)) => {
                tracing::warn!(actor = actor_id, "refused invocation: {e}");
                self.bridge.respond(&id, Err(e)).await
            }
            Ok(inv) if inv.target.public_key != actor_id => {
                let e = format!(
                    "invocation is for {}, not actor {actor_id}",
                    inv.target.public_key
                );
                self.bridge.respond(&inv.id, Err(e)).await
            }
            Ok(inv) => {
                let result = self.deliver(&inv).await;
                self.bridge.respond(&inv.id, result).await
            }
        };
        if let Ok(buf) = serialize(&response) {
            let _ = self.nats.publish(reply, buf.into()).await;
        }
    }

    async fn deliver(&self, inv: &Invocation) -> Result<Vec<u8>, String> {
        let Some(router) = self.router() else {
            return Err("host is shutting down".into());
        };
        router
            .call_actor_from_lattice(&inv.origin, &inv.target.public_key, &inv.operation, &inv.msg)
            .await
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
