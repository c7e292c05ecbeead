//! A provider process as the router sees it: a [`Provider`] whose calls,
//! links and shutdown go to a supervised child process over the lattice.
//!
//! The router keeps one table of providers; an in-process provider and a
//! provider process differ only in what this adapter does with each call:
//! - `handle`: a signed invocation on the process's RPC subject (through
//!   the host's bridge, with chunking), from the calling actor;
//! - `put_link` / `delete_link`: the link on `….linkdefs.put|del` (the
//!   supervisor puts every link again whenever the process (re)starts);
//! - `shutdown`: the shutdown request, then SIGKILL after the grace period.
//!
//! Health checks and crashes become lattice events
//! (`health_check_passed|failed`, `provider_stopped` on exit, and weld's
//! `provider_restarted` with the restart count when the supervisor restarts it).

use std::sync::{Arc, Mutex, Weak};

use serde_json::json;
use weld_rpc::common::serialize;
use weld_rpc::core::WasmCloudEntity;

use super::process::{ProcessConfig, ProcessError, ProcessEvent, ProviderProcess};
use super::{subjects, Lattice};
use crate::providers::{ActorLink, ActorOrigin, Provider, ProviderError};
use crate::router::Router;
use crate::types::{LinkDefinition, Message, RpcError, RpcResult};

/// A provider running as a supervised process.
pub struct ProcessProvider {
    contract_id: String,
    provider_id: String,
    link_name: String,
    lattice: Weak<Lattice>,
    process: Mutex<Option<ProviderProcess>>,
}

impl std::fmt::Debug for ProcessProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessProvider")
            .field("provider_id", &self.provider_id)
            .field("link_name", &self.link_name)
            .finish()
    }
}

impl ProcessProvider {
    /// Spawns `cfg` (its host data must name the provider key and link
    /// name) under supervision, with the router's links for it and events
    /// on the lattice.
    pub async fn spawn(
        cfg: ProcessConfig,
        contract_id: &str,
        lattice: &Arc<Lattice>,
        router: &Arc<Router>,
    ) -> Result<ProcessProvider, ProcessError> {
        let provider_id = cfg.host_data.provider_key.clone();
        let link_name = cfg.host_data.link_name.clone();
        let links = {
            let router = Arc::downgrade(router);
            let id = provider_id.clone();
            Arc::new(move || {
                router
                    .upgrade()
                    .map(|r| r.links_of_provider(&id))
                    .unwrap_or_default()
            })
        };
        let on_event = {
            let lattice = Arc::downgrade(lattice);
            let (id, link, contract) = (
                provider_id.clone(),
                link_name.clone(),
                contract_id.to_string(),
            );
            Arc::new(move |ev: ProcessEvent| {
                let Some(l) = lattice.upgrade() else { return };
                let mut data =
                    json!({"public_key": id, "link_name": link, "contract_id": contract});
                let kind = match &ev {
                    // weld's own event (upstream never restarts a
                    // provider): lets a dashboard show the count.
                    ProcessEvent::Started { restarts, .. } if *restarts > 0 => {
                        data["restarts"] = json!(restarts);
                        "provider_restarted"
                    }
                    ProcessEvent::HealthPassed => "health_check_passed",
                    ProcessEvent::HealthFailed { .. } => "health_check_failed",
                    ProcessEvent::Exited { code, signal } => {
                        tracing::warn!(provider = %id, ?code, ?signal, "provider process exited");
                        return;
                    }
                    _ => return,
                };
                tokio::spawn(async move { l.publish_event(kind, data).await });
            })
        };
        let process = ProviderProcess::spawn(cfg, lattice.nats().clone(), links, on_event).await?;
        Ok(ProcessProvider {
            contract_id: contract_id.to_string(),
            provider_id,
            link_name,
            lattice: Arc::downgrade(lattice),
            process: Mutex::new(Some(process)),
        })
    }

    /// The child's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.process
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .and_then(|p| p.pid())
    }

    async fn publish_link(&self, ld: &LinkDefinition, put: bool) -> Result<(), String> {
        let l = self
            .lattice
            .upgrade()
            .ok_or_else(|| "host is shutting down".to_string())?;
        let subject = if put {
            subjects::linkdefs_put(l.prefix(), &self.provider_id, &self.link_name)
        } else {
            subjects::linkdefs_del(l.prefix(), &self.provider_id, &self.link_name)
        };
        let bytes = serialize(ld).map_err(|e| e.to_string())?;
        l.nats()
            .publish(subject, bytes.into())
            .await
            .map_err(|e| e.to_string())
    }
}

#[async_trait::async_trait]
impl Provider for ProcessProvider {
    fn contract_id(&self) -> &str {
        &self.contract_id
    }

    async fn put_link(
        &self,
        link: &LinkDefinition,
        _actor: ActorLink,
    ) -> Result<(), ProviderError> {
        // The process may not be subscribed yet; the supervisor puts every
        // link again once it answers its first health check.
        if let Err(e) = self.publish_link(link, true).await {
            tracing::warn!(provider = %self.provider_id, "publishing a link to the provider process: {e}");
        }
        Ok(())
    }

    async fn delete_link(&self, link: &LinkDefinition) {
        if let Err(e) = self.publish_link(link, false).await {
            tracing::warn!(provider = %self.provider_id, "deleting a link at the provider process: {e}");
        }
    }

    async fn handle(&self, origin: &ActorOrigin, msg: Message<'_>) -> RpcResult<Vec<u8>> {
        let l = self
            .lattice
            .upgrade()
            .ok_or_else(|| RpcError::HostError("host is shutting down".into()))?;
        let subject = subjects::provider_rpc(l.prefix(), &self.provider_id, &self.link_name);
        let from = WasmCloudEntity {
            public_key: origin.actor_id.clone(),
            link_name: String::new(),
            contract_id: String::new(),
        };
        let to = WasmCloudEntity {
            public_key: self.provider_id.clone(),
            link_name: self.link_name.clone(),
            contract_id: self.contract_id.clone(),
        };
        l.bridge()
            .invoke(
                &subject,
                from,
                to,
                msg.method,
                msg.arg.into_owned(),
                l.config().rpc_timeout(),
            )
            .await
    }

    async fn shutdown(&self) {
        let process = self
            .process
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(p) = process {
            p.stop().await;
        }
    }
}
