//! Where the dashboard's picture comes from and where its actions go: the
//! whole lattice through the control client, or, for a host without a
//! lattice, the host itself. Both give the same shapes (the control
//! interface's), so everything above this module has one code path.
//!
//! On a lattice a command is acknowledged before the host does the work
//! (upstream's protocol); the outcome comes as an event. An action here
//! therefore subscribes to the events first, sends the command, and waits
//! for the event that tells how it ended, so the person who clicked sees
//! the host's own result or error text, not just "accepted".

use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{BoxStream, StreamExt};
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::broadcast;

use crate::host::Host;
use crate::lattice::client::CtlClient;
use crate::lattice::ctl::{
    CloudEvent, Host as CtlHost, HostInventory, KeyValueMap, LinkDefinition as CtlLink,
    ScaleActorCommand, StartActorCommand, StopHostCommand,
};
use crate::lattice::server::HostControl;
use crate::types::LinkDefinition;

/// How long an action waits for the event that tells its outcome.
const OUTCOME_WAIT: Duration = Duration::from_secs(30);

/// The lattice, or the lone host.
pub(crate) enum Source {
    /// A host without a lattice: the dashboard shows it alone.
    Local(Arc<Host>),
    /// A host on a lattice: the dashboard shows every host of it.
    Lattice {
        /// The host serving the dashboard (uploads start here).
        host: Arc<Host>,
        /// The control client, on the host's NATS connection.
        ctl: CtlClient,
    },
}

fn one() -> u16 {
    1
}

/// Start an actor from a reference (file path on the host, or OCI).
#[derive(Debug, Deserialize)]
pub(crate) struct StartActor {
    pub reference: String,
    /// Empty: the auction chooses.
    #[serde(default)]
    pub host_id: String,
    #[serde(default = "one")]
    pub count: u16,
}

/// Set the instance count of an actor on a host.
#[derive(Debug, Deserialize)]
pub(crate) struct ScaleActor {
    pub host_id: String,
    pub actor_id: String,
    #[serde(default)]
    pub actor_ref: String,
    pub count: u16,
}

/// Stop an actor (every instance) on a host.
#[derive(Debug, Deserialize)]
pub(crate) struct StopActor {
    pub host_id: String,
    pub actor_id: String,
}

/// Start a provider from a reference.
#[derive(Debug, Deserialize)]
pub(crate) struct StartProvider {
    pub reference: String,
    #[serde(default)]
    pub link_name: String,
    /// Empty: the auction chooses.
    #[serde(default)]
    pub host_id: String,
    /// JSON object of settings (`config_json`), or empty.
    #[serde(default)]
    pub config: String,
}

/// Stop a provider on a host.
#[derive(Debug, Deserialize)]
pub(crate) struct StopProvider {
    pub host_id: String,
    pub provider_id: String,
    pub link_name: String,
    #[serde(default)]
    pub contract_id: String,
}

/// Put a link.
#[derive(Debug, Deserialize)]
pub(crate) struct PutLink {
    pub actor_id: String,
    pub provider_id: String,
    pub contract_id: String,
    #[serde(default)]
    pub link_name: String,
    #[serde(default)]
    pub values: KeyValueMap,
}

/// Delete a link.
#[derive(Debug, Deserialize)]
pub(crate) struct DeleteLink {
    pub actor_id: String,
    pub contract_id: String,
    #[serde(default)]
    pub link_name: String,
}

/// Stop a host.
#[derive(Debug, Deserialize)]
pub(crate) struct StopHost {
    pub host_id: String,
}

fn link_name(l: &str) -> &str {
    if l.is_empty() {
        "default"
    } else {
        l
    }
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// Waits for the first event `outcome` recognises; `Ok(None)` when none
/// came in time (the command was accepted; the feed will tell the rest).
async fn wait_for(
    rx: &mut broadcast::Receiver<CloudEvent>,
    mut outcome: impl FnMut(&str, &CloudEvent) -> Option<Result<String, String>>,
) -> Result<Option<String>, String> {
    let deadline = tokio::time::Instant::now() + OUTCOME_WAIT;
    loop {
        let ev = match tokio::time::timeout_at(deadline, rx.recv()).await {
            Err(_) => return Ok(None),
            Ok(Ok(ev)) => ev,
            // Missed some: keep looking at what comes next.
            Ok(Err(broadcast::error::RecvError::Lagged(_))) => continue,
            Ok(Err(broadcast::error::RecvError::Closed)) => return Ok(None),
        };
        let kind = ev.event_type.rsplit('.').next().unwrap_or("");
        if let Some(r) = outcome(kind, &ev) {
            return r.map(Some);
        }
    }
}

/// Sends a command (`send`, not yet polled) and waits for the event
/// `outcome` recognises as how it ended on `host`. The events are
/// subscribed to before the command goes, so a quick outcome is not
/// missed; `what` names the command when no outcome comes in time.
async fn command_then<T, E: std::fmt::Display>(
    events: &broadcast::Sender<CloudEvent>,
    send: impl std::future::Future<Output = Result<T, E>>,
    host: &str,
    what: &str,
    outcome: impl FnMut(&str, &CloudEvent) -> Option<Result<String, String>>,
) -> Result<String, String> {
    let mut rx = events.subscribe();
    send.await.map_err(|e| e.to_string())?;
    let r = wait_for(&mut rx, outcome).await;
    settled(r, format!("host {} accepted the {what}", short(host)))
}

/// The outcome matcher of a stop: event `kind` from `host` about `id`
/// (`what` names its kind in the text).
fn stopped<'a>(
    kind: &'a str,
    host: &'a str,
    id: &'a str,
    what: &'a str,
) -> impl FnMut(&str, &CloudEvent) -> Option<Result<String, String>> + 'a {
    move |k, ev| {
        (k == kind && ev.source == host && text(&ev.data, "public_key") == id)
            .then(|| Ok(format!("stopped {what}{id} on host {}", short(host))))
    }
}

/// The outcome text, or what to say when no event told it in time.
fn settled(r: Result<Option<String>, String>, accepted: String) -> Result<String, String> {
    r.map(|o| {
        o.unwrap_or_else(|| format!("{accepted}; no outcome reported yet (see the event feed)"))
    })
}

impl Source {
    /// The host serving the dashboard.
    pub fn host(&self) -> &Arc<Host> {
        match self {
            Source::Local(h) | Source::Lattice { host: h, .. } => h,
        }
    }

    /// `lattice` or `local`.
    pub fn mode(&self) -> &'static str {
        match self {
            Source::Local(_) => "local",
            Source::Lattice { .. } => "lattice",
        }
    }

    /// The lattice prefix (empty without a lattice).
    pub fn lattice(&self) -> String {
        match self {
            Source::Local(_) => String::new(),
            Source::Lattice { ctl, .. } => ctl.lattice().to_string(),
        }
    }

    /// Every host that answers.
    pub async fn hosts(&self) -> Result<Vec<CtlHost>, String> {
        match self {
            Source::Local(h) => Ok(vec![h.describe()]),
            Source::Lattice { ctl, .. } => ctl.get_hosts().await.map_err(|e| e.to_string()),
        }
    }

    /// What host `id` runs.
    pub async fn inventory(&self, id: &str) -> Result<HostInventory, String> {
        match self {
            Source::Local(h) => Ok(HostControl::inventory(&**h)),
            Source::Lattice { ctl, .. } => {
                ctl.get_host_inventory(id).await.map_err(|e| e.to_string())
            }
        }
    }

    /// The links of the lattice (values as stored: the view masks them).
    pub async fn links(&self) -> Result<Vec<CtlLink>, String> {
        match self {
            Source::Local(h) => Ok(HostControl::links(&**h)
                .into_iter()
                .map(crate::lattice::server::to_ctl_link)
                .collect()),
            Source::Lattice { ctl, .. } => ctl
                .get_links()
                .await
                .map(|l| l.links)
                .map_err(|e| e.to_string()),
        }
    }

    /// The claims of the lattice's actors and providers.
    pub async fn claims(&self) -> Result<Vec<KeyValueMap>, String> {
        match self {
            Source::Local(h) => Ok(h
                .router()
                .inventory()
                .actors
                .iter()
                .filter_map(|a| h.router().actor_claims(&a.id))
                .map(|c| crate::lattice::kv::claims_map(&c))
                .collect()),
            Source::Lattice { ctl, .. } => ctl
                .get_claims()
                .await
                .map(|c| {
                    c.claims
                        .into_iter()
                        .map(|m| m.into_iter().collect())
                        .collect()
                })
                .map_err(|e| e.to_string()),
        }
    }

    /// The events from now on.
    pub async fn events(&self) -> Result<BoxStream<'static, CloudEvent>, String> {
        match self {
            Source::Local(h) => {
                let rx = h.subscribe_events();
                Ok(futures_util::stream::unfold(rx, |mut rx| async move {
                    loop {
                        match rx.recv().await {
                            Ok(ev) => return Some((ev, rx)),
                            Err(broadcast::error::RecvError::Lagged(_)) => continue,
                            Err(broadcast::error::RecvError::Closed) => return None,
                        }
                    }
                })
                .boxed())
            }
            Source::Lattice { ctl, .. } => ctl
                .events()
                .await
                .map(|s| s.boxed())
                .map_err(|e| e.to_string()),
        }
    }

    /// The host an auction picks for actor `reference` (the first bid).
    async fn actor_auction(&self, reference: &str) -> Result<String, String> {
        let Source::Lattice { ctl, .. } = self else {
            return Ok(self.host().host_id().to_string());
        };
        let bids = ctl
            .perform_actor_auction(reference, Default::default())
            .await
            .map_err(|e| e.to_string())?;
        bids.into_iter()
            .next()
            .map(|b| b.host_id)
            .ok_or_else(|| format!("no host bid to run actor {reference}"))
    }

    /// Starts an actor from a reference on a host (or where the auction
    /// says).
    pub async fn start_actor(
        &self,
        req: StartActor,
        events: &broadcast::Sender<CloudEvent>,
    ) -> Result<String, String> {
        let count = req.count.max(1);
        match self {
            Source::Local(h) => {
                check_local_start(h, &req.reference)?;
                let id = h
                    .add_instances(&req.reference, usize::from(count), &Default::default())
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(format!("started {count} instance(s) of {id}"))
            }
            Source::Lattice { ctl, .. } => {
                let host = if req.host_id.is_empty() {
                    self.actor_auction(&req.reference).await?
                } else {
                    req.host_id.clone()
                };
                command_then(
                    events,
                    ctl.start_actor(&host, &req.reference, count, None),
                    &host,
                    "start",
                    |kind, ev| {
                        let from_host = ev.source == host;
                        let same_ref = text(&ev.data, "image_ref") == req.reference;
                        match kind {
                            "actors_started" if from_host && same_ref => Some(Ok(format!(
                                "started {count} instance(s) of {} on host {}",
                                text(&ev.data, "public_key"),
                                short(&host)
                            ))),
                            "actors_start_failed" if from_host && same_ref => {
                                Some(Err(text(&ev.data, "error")))
                            }
                            _ => None,
                        }
                    },
                )
                .await
            }
        }
    }

    /// Starts an uploaded actor module. On a lattice the module goes to
    /// the lattice's upload store, so the host picked (or the auction's)
    /// starts it by its digest; alone, this host starts it.
    pub async fn upload_actor(
        &self,
        wasm: &[u8],
        host_id: String,
        events: &broadcast::Sender<CloudEvent>,
    ) -> Result<String, String> {
        let host = self.host();
        match self {
            Source::Local(_) => {
                let id = host.upload_actor(wasm).await.map_err(|e| e.to_string())?;
                Ok(format!("started the uploaded actor {id}"))
            }
            Source::Lattice { .. } => {
                let reference = host
                    .share_upload(wasm, crate::oci::ArtifactKind::Actor)
                    .await
                    .map_err(|e| e.to_string())?;
                let req = StartActor {
                    reference,
                    host_id,
                    count: 1,
                };
                self.start_actor(req, events)
                    .await
                    .map(|done| format!("uploaded; {done}"))
            }
        }
    }

    /// Sets an actor's instance count on a host.
    pub async fn scale_actor(
        &self,
        req: ScaleActor,
        events: &broadcast::Sender<CloudEvent>,
    ) -> Result<String, String> {
        match self {
            Source::Local(h) => {
                HostControl::scale_actor(
                    &**h,
                    ScaleActorCommand {
                        actor_id: req.actor_id.clone(),
                        actor_ref: req.actor_ref.clone(),
                        count: req.count,
                        host_id: req.host_id.clone(),
                        annotations: None,
                    },
                )
                .await;
                let now = h.instance_count(&req.actor_id);
                if now == usize::from(req.count) {
                    Ok(format!("{} runs {now} instance(s)", req.actor_id))
                } else {
                    Err(format!(
                        "{} runs {now} instance(s), not {} (see the event feed)",
                        req.actor_id, req.count
                    ))
                }
            }
            Source::Lattice { ctl, .. } => {
                command_then(
                    events,
                    ctl.scale_actor(&req.host_id, &req.actor_ref, &req.actor_id, req.count, None),
                    &req.host_id,
                    "scale",
                    |kind, ev| {
                        if ev.source != req.host_id {
                            return None;
                        }
                        let ours = text(&ev.data, "public_key") == req.actor_id
                            || text(&ev.data, "image_ref") == req.actor_ref;
                        match kind {
                            "actors_started" | "actors_stopped" if ours => Some(Ok(format!(
                                "scaled {} to {} instance(s) on host {}",
                                req.actor_id,
                                req.count,
                                short(&req.host_id)
                            ))),
                            "actors_start_failed" if ours => Some(Err(text(&ev.data, "error"))),
                            _ => None,
                        }
                    },
                )
                .await
            }
        }
    }

    /// Stops every instance of an actor on a host.
    pub async fn stop_actor(
        &self,
        req: StopActor,
        events: &broadcast::Sender<CloudEvent>,
    ) -> Result<String, String> {
        match self {
            Source::Local(h) => {
                if h.router().actor(&req.actor_id).is_none() {
                    return Err(format!("actor {} does not run here", req.actor_id));
                }
                h.remove_instances(&req.actor_id, 0, &Default::default())
                    .await;
                Ok(format!("stopped {}", req.actor_id))
            }
            Source::Lattice { ctl, .. } => {
                command_then(
                    events,
                    ctl.stop_actor(&req.host_id, &req.actor_id, 0, None),
                    &req.host_id,
                    "stop",
                    stopped("actors_stopped", &req.host_id, &req.actor_id, ""),
                )
                .await
            }
        }
    }

    /// Starts a provider from a reference.
    pub async fn start_provider(
        &self,
        req: StartProvider,
        events: &broadcast::Sender<CloudEvent>,
    ) -> Result<String, String> {
        let link = link_name(&req.link_name).to_string();
        let config = (!req.config.trim().is_empty()).then(|| req.config.clone());
        if let Some(c) = &config {
            serde_json::from_str::<serde_json::Map<String, Value>>(c)
                .map_err(|e| format!("the configuration is not a JSON object: {e}"))?;
        }
        match self {
            Source::Local(h) => {
                let cmd = crate::lattice::ctl::StartProviderCommand {
                    provider_ref: req.reference.clone(),
                    link_name: link.clone(),
                    configuration: config,
                    host_id: h.host_id().to_string(),
                    annotations: None,
                };
                HostControl::check_start_provider(&**h, &cmd)?;
                let id = h
                    .start_provider_ref(&cmd)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(format!("started provider {id} ({link})"))
            }
            Source::Lattice { ctl, .. } => {
                let host = if req.host_id.is_empty() {
                    let bids = ctl
                        .perform_provider_auction(&req.reference, &link, Default::default())
                        .await
                        .map_err(|e| e.to_string())?;
                    bids.into_iter().next().map(|b| b.host_id).ok_or_else(|| {
                        format!(
                            "no host bid to run provider {} ({link}): each may run it already",
                            req.reference
                        )
                    })?
                } else {
                    req.host_id.clone()
                };
                command_then(
                    events,
                    ctl.start_provider(&host, &req.reference, &link, None, config),
                    &host,
                    "start",
                    |kind, ev| {
                        let ours = ev.source == host && text(&ev.data, "link_name") == link;
                        match kind {
                            "provider_started" if ours => Some(Ok(format!(
                                "started provider {} ({link}) on host {}",
                                text(&ev.data, "public_key"),
                                short(&host)
                            ))),
                            "provider_start_failed"
                                if ours && text(&ev.data, "provider_ref") == req.reference =>
                            {
                                Some(Err(text(&ev.data, "error")))
                            }
                            _ => None,
                        }
                    },
                )
                .await
            }
        }
    }

    /// Starts an uploaded provider archive, as [`Source::upload_actor`]
    /// does an actor.
    pub async fn upload_provider(
        &self,
        archive: &[u8],
        link: &str,
        host_id: String,
        events: &broadcast::Sender<CloudEvent>,
    ) -> Result<String, String> {
        let host = self.host();
        let link = link_name(link);
        match self {
            Source::Local(_) => {
                let id = host
                    .upload_provider(archive, link)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(format!("started the uploaded provider {id} ({link})"))
            }
            Source::Lattice { .. } => {
                let reference = host
                    .share_upload(archive, crate::oci::ArtifactKind::Provider)
                    .await
                    .map_err(|e| e.to_string())?;
                let req = StartProvider {
                    reference,
                    link_name: link.to_string(),
                    host_id,
                    config: String::new(),
                };
                self.start_provider(req, events)
                    .await
                    .map(|done| format!("uploaded; {done}"))
            }
        }
    }

    /// Stops a provider on a host.
    pub async fn stop_provider(
        &self,
        req: StopProvider,
        events: &broadcast::Sender<CloudEvent>,
    ) -> Result<String, String> {
        match self {
            Source::Local(h) => {
                let info = h
                    .router()
                    .stop_provider(&req.provider_id)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(format!("stopped provider {} ({})", info.id, info.link_name))
            }
            Source::Lattice { ctl, .. } => {
                command_then(
                    events,
                    ctl.stop_provider(
                        &req.host_id,
                        &req.provider_id,
                        &req.link_name,
                        &req.contract_id,
                        None,
                    ),
                    &req.host_id,
                    "stop",
                    stopped(
                        "provider_stopped",
                        &req.host_id,
                        &req.provider_id,
                        "provider ",
                    ),
                )
                .await
            }
        }
    }

    /// Puts a link; the provider's refusal comes back as the error.
    pub async fn put_link(&self, req: PutLink) -> Result<String, String> {
        let link = link_name(&req.link_name).to_string();
        let done = format!(
            "linked {} to {} ({}, {link})",
            req.actor_id, req.provider_id, req.contract_id
        );
        match self {
            Source::Local(h) => {
                HostControl::put_link(
                    &**h,
                    LinkDefinition {
                        actor_id: req.actor_id,
                        provider_id: req.provider_id,
                        link_name: link,
                        contract_id: req.contract_id,
                        values: req.values.into_iter().collect(),
                    },
                )
                .await?;
            }
            Source::Lattice { ctl, .. } => {
                ctl.put_link(
                    &req.actor_id,
                    &req.provider_id,
                    &req.contract_id,
                    &link,
                    req.values,
                )
                .await
                .map_err(|e| e.to_string())?;
            }
        }
        Ok(done)
    }

    /// Deletes a link.
    pub async fn delete_link(&self, req: DeleteLink) -> Result<String, String> {
        let link = link_name(&req.link_name).to_string();
        match self {
            Source::Local(h) => {
                HostControl::delete_link(&**h, &req.actor_id, &req.contract_id, &link).await?
            }
            Source::Lattice { ctl, .. } => {
                ctl.delete_link(&req.actor_id, &req.contract_id, &link)
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(format!(
            "deleted the link of {} ({}, {link})",
            req.actor_id, req.contract_id
        ))
    }

    /// Asks a host to stop.
    pub async fn stop_host(&self, req: StopHost) -> Result<String, String> {
        match self {
            Source::Local(h) => {
                HostControl::stop_host(
                    &**h,
                    StopHostCommand {
                        host_id: req.host_id.clone(),
                        timeout: None,
                    },
                );
            }
            Source::Lattice { ctl, .. } => {
                ctl.stop_host(&req.host_id, None)
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(format!("host {} is stopping", short(&req.host_id)))
    }
}

/// A start-actor command as the local host checks it (the same check the
/// control interface makes before acknowledging).
fn check_local_start(host: &Host, reference: &str) -> Result<(), String> {
    HostControl::check_start_actor(
        host,
        &StartActorCommand {
            actor_ref: reference.to_string(),
            ..Default::default()
        },
    )
}
