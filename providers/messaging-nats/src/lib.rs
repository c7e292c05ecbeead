//! The `wasmcloud:messaging` provider on NATS: actors publish and make
//! requests (`Messaging.Publish`, `Messaging.Request`), and receive what
//! arrives on their link's subscriptions as
//! `MessageSubscriber.HandleMessage`.
//!
//! # Settings
//! The provider config (upstream's "host config") is upstream's JSON
//! (`config_json` / `config_b64`: `subscriptions`, `cluster_uris`,
//! `auth_jwt`, `auth_seed`, `tls_ca`, `tls_ca_file`); a link's values are
//! merged over it field by field:
//!
//! | link value | meaning |
//! |---|---|
//! | `SUBSCRIPTION` | comma-separated subjects; `subject\|queue` subscribes in a queue group |
//! | `URI` | NATS server URL(s), comma-separated |
//! | `CLIENT_JWT`, `CLIENT_SEED` | a NATS user JWT and its nkey seed (both, or neither) |
//! | `TLS_CA`, `TLS_CA_FILE` | a PEM CA certificate (its text, or a file) to trust |
//! | `config_json`, `config_b64` | upstream's JSON, as in the provider config |
//!
//! Keys are matched in any case (upstream wanted them exact). A link
//! without `URI` keeps the configured servers (upstream reset them to its
//! default), which is `nats://127.0.0.1:4222` when nothing is configured.
//!
//! # Behaviour
//! - One connection per link. Each message on a subscription becomes a
//!   `HandleMessage` call; up to [`MAX_IN_FLIGHT`] per subscription at once
//!   (upstream's 75); a failed call is logged (no retry, as upstream).
//! - Deleting the link (or shutting down) unsubscribes and closes the
//!   connection (upstream left subscriptions running, #196).
//! - `Publish` sends with the message's `replyTo`. `Request` waits
//!   `timeoutMs` (`0`: [`DEFAULT_REQUEST_TIMEOUT`]) and fails with
//!   upstream's texts, `nats request timed out` and `nats send error: ...`;
//!   a request nobody subscribes to fails at once (`nats send error: no
//!   responders`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::StreamExt;
use serde::Deserialize;
use weld_interface_messaging::{
    MessageSubscriber as _, MessageSubscriberSender, Messaging, MessagingReceiver, PubMessage,
    ReplyMessage, RequestMessage, SubMessage,
};
use weld_rpc::provider::keys::KeyPair;
use weld_rpc::provider::lifecycle::{
    ActorLink, ActorOrigin, LinkDefinition, LinkSettings, Message, PerLink, Provider,
    ProviderContext, ProviderError, RpcError, RpcResult, Setting, SettingOrigin,
};
use weld_rpc::Context;

/// The contract id this provider answers to.
pub const CONTRACT_ID: &str = "wasmcloud:messaging";
/// Every setting this provider reads.
pub const SETTING_KEYS: &[&str] = &[
    "SUBSCRIPTION",
    "URI",
    "CLIENT_JWT",
    "CLIENT_SEED",
    "TLS_CA",
    "TLS_CA_FILE",
    "config_json",
    "config_b64",
];
/// The server when neither the config nor the link names one.
pub const DEFAULT_URI: &str = "nats://127.0.0.1:4222";
/// `HandleMessage` calls running at once per subscription (upstream's).
pub const MAX_IN_FLIGHT: usize = 75;
/// A `Request` with `timeoutMs` 0 waits this long.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long connecting may take before the link is refused.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Upstream's JSON settings (provider config or link).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
struct JsonSettings {
    subscriptions: Vec<String>,
    cluster_uris: Vec<String>,
    auth_jwt: Option<String>,
    auth_seed: Option<String>,
    tls_ca: Option<String>,
    tls_ca_file: Option<String>,
    /// Read and ignored, as upstream ignored it.
    #[allow(dead_code)]
    ping_interval_sec: Option<u16>,
}

/// One subscription: a subject, maybe in a queue group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The subject (wildcards allowed).
    pub subject: String,
    /// The queue group, if any.
    pub queue: Option<String>,
}

impl Subscription {
    /// `subject` or `subject|queue`.
    pub fn parse(text: &str) -> Result<Subscription, String> {
        let (subject, queue) = match text.split_once('|') {
            Some((s, q)) => (s.trim(), Some(q.trim())),
            None => (text.trim(), None),
        };
        // Tokens are separated by dots and may not be empty (NATS refuses
        // `a..b`, `.a`, `a.`).
        if subject.is_empty()
            || subject.contains(char::is_whitespace)
            || subject.split('.').any(str::is_empty)
        {
            return Err(format!("{text:?} is not a NATS subject"));
        }
        if let Some(q) = queue {
            if q.is_empty() || q.contains(char::is_whitespace) {
                return Err(format!("{text:?} has an invalid queue group"));
            }
        }
        Ok(Subscription {
            subject: subject.to_string(),
            queue: queue.map(str::to_string),
        })
    }
}

/// What a link connects with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatsSettings {
    /// Servers.
    pub uris: Vec<String>,
    /// Subscriptions.
    pub subscriptions: Vec<Subscription>,
    /// User JWT and seed.
    pub auth: Option<(String, String)>,
    /// PEM text of a CA to trust.
    pub tls_ca: Option<String>,
    /// A PEM file of CAs to trust.
    pub tls_ca_file: Option<PathBuf>,
}

impl NatsSettings {
    fn resolve(s: &LinkSettings<'_>) -> Result<NatsSettings, ProviderError> {
        let mut out = NatsSettings {
            uris: vec![DEFAULT_URI.to_string()],
            subscriptions: Vec::new(),
            auth: None,
            tls_ca: None,
            tls_ca_file: None,
        };
        let mut jwt: Option<Setting> = None;
        let mut seed: Option<Setting> = None;
        for origin in [SettingOrigin::Config, SettingOrigin::Link] {
            for key in ["config_b64", "config_json"] {
                let Some(v) = s.at(origin, key) else { continue };
                let j: JsonSettings = v.json().map_err(|r| s.invalid(&v, r))?;
                if !j.cluster_uris.is_empty() {
                    out.uris = j.cluster_uris;
                }
                if !j.subscriptions.is_empty() {
                    out.subscriptions = j
                        .subscriptions
                        .iter()
                        .map(|t| Subscription::parse(t))
                        .collect::<Result<_, _>>()
                        .map_err(|r| s.invalid(&v, r))?;
                }
                // Named by their JSON keys, so errors and logs redact the
                // seed as any secret key's value.
                if let Some(t) = j.auth_jwt {
                    jwt = Some(Setting {
                        key: format!("{}.auth_jwt", v.key),
                        value: t,
                        origin: v.origin,
                    });
                }
                if let Some(t) = j.auth_seed {
                    seed = Some(Setting {
                        key: format!("{}.auth_seed", v.key),
                        value: t,
                        origin: v.origin,
                    });
                }
                if j.tls_ca.is_some() {
                    out.tls_ca = j.tls_ca;
                }
                if let Some(f) = j.tls_ca_file {
                    out.tls_ca_file = Some(f.into());
                }
            }
            if let Some(v) = s.at(origin, "URI") {
                let uris: Vec<String> = v
                    .value
                    .split(',')
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                    .map(str::to_string)
                    .collect();
                if uris.is_empty() {
                    return Err(s.invalid(&v, "no server URL"));
                }
                out.uris = uris;
            }
            if let Some(v) = s.at(origin, "SUBSCRIPTION") {
                out.subscriptions = v
                    .value
                    .split(',')
                    .filter(|t| !t.trim().is_empty())
                    .map(Subscription::parse)
                    .collect::<Result<_, _>>()
                    .map_err(|r| s.invalid(&v, r))?;
            }
            if let Some(v) = s.at(origin, "CLIENT_JWT") {
                jwt = Some(v);
            }
            if let Some(v) = s.at(origin, "CLIENT_SEED") {
                seed = Some(v);
            }
            if let Some(v) = s.at(origin, "TLS_CA") {
                out.tls_ca = Some(v.value);
            }
            if let Some(v) = s.at(origin, "TLS_CA_FILE") {
                out.tls_ca_file = Some(v.value.into());
            }
        }
        out.auth = match (jwt, seed) {
            (None, None) => None,
            (Some(j), Some(sd)) => {
                KeyPair::from_seed(sd.value.trim())
                    .map_err(|e| s.invalid(&sd, format!("not an nkey seed: {e}")))?;
                Some((j.value, sd.value))
            }
            (Some(j), None) => return Err(s.invalid(&j, "needs CLIENT_SEED too")),
            (None, Some(sd)) => return Err(s.invalid(&sd, "needs CLIENT_JWT too")),
        };
        Ok(out)
    }
}

/// One link: its connection and its subscriptions' tasks.
struct Linked {
    client: async_nats::Client,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Linked {
    fn drop(&mut self) {
        // Aborting a task drops its subscriber, which unsubscribes.
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The messaging-nats provider.
#[derive(Debug)]
pub struct NatsMessagingProvider {
    ctx: ProviderContext,
    links: PerLink<Linked>,
}

impl NatsMessagingProvider {
    /// A provider for `ctx`.
    pub fn new(ctx: ProviderContext) -> Self {
        NatsMessagingProvider {
            ctx,
            links: PerLink::new(),
        }
    }

    /// Registry factory. Invalid provider-wide settings fail here.
    pub fn build(ctx: ProviderContext) -> Result<Arc<dyn Provider>, ProviderError> {
        let provider = Self::new(ctx);
        provider.settings(&HashMap::new())?;
        Ok(Arc::new(provider))
    }

    /// The settings a link with `values` gets.
    pub fn settings(
        &self,
        values: &HashMap<String, String>,
    ) -> Result<NatsSettings, ProviderError> {
        NatsSettings::resolve(&self.ctx.link_settings(values, SETTING_KEYS)?)
    }

    async fn connect(
        &self,
        link: &LinkDefinition,
        s: &NatsSettings,
    ) -> Result<async_nats::Client, ProviderError> {
        let fail = |message: String| ProviderError::Other {
            provider: self.ctx.name.clone(),
            message,
        };
        let mut opts = async_nats::ConnectOptions::new()
            .name(format!(
                "weld messaging-nats {} {}",
                link.actor_id, link.link_name
            ))
            .connection_timeout(CONNECT_TIMEOUT);
        if let Some((jwt, seed)) = &s.auth {
            opts = weld_rpc::provider::keys::with_user_jwt(opts, jwt, seed)
                .map_err(|e| fail(format!("CLIENT_SEED: {e}")))?;
        }
        if let Some(pem) = &s.tls_ca {
            // async-nats reads CAs from files: keep this one beside the
            // provider's data, per link.
            let dir = self.ctx.data_dir.join("messaging-nats");
            std::fs::create_dir_all(&dir)
                .map_err(|e| fail(format!("TLS_CA: cannot write it: {e}")))?;
            let file = dir.join(format!("{}-{}-ca.pem", link.actor_id, link.link_name));
            std::fs::write(&file, pem)
                .map_err(|e| fail(format!("TLS_CA: cannot write it: {e}")))?;
            opts = opts.add_root_certificates(file);
        }
        if let Some(file) = &s.tls_ca_file {
            if !file.is_file() {
                return Err(fail(format!("TLS_CA_FILE: no file {}", file.display())));
            }
            opts = opts.add_root_certificates(file.clone());
        }
        let servers: Vec<async_nats::ServerAddr> = s
            .uris
            .iter()
            .map(|u| u.parse().map_err(|e| fail(format!("URI {u:?}: {e}"))))
            .collect::<Result<_, _>>()?;
        opts.connect(servers)
            .await
            .map_err(|e| fail(format!("cannot connect to {}: {e}", s.uris.join(","))))
    }
}

/// Delivers each message of `sub` to the actor, at most
/// [`MAX_IN_FLIGHT`] at once.
async fn deliver(
    mut sub: async_nats::Subscriber,
    actor: MessageSubscriberSender<ActorLink>,
    actor_id: String,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT));
    let actor = Arc::new(actor);
    // Deliveries in flight belong to this task: aborting it (the link is
    // deleted) aborts them too.
    let mut running = tokio::task::JoinSet::new();
    while let Some(msg) = sub.next().await {
        while running.try_join_next().is_some() {}
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            break;
        };
        let actor = Arc::clone(&actor);
        let actor_id = actor_id.clone();
        running.spawn(async move {
            let m = SubMessage {
                subject: msg.subject.to_string(),
                reply_to: msg.reply.map(|r| r.to_string()),
                body: msg.payload.to_vec(),
            };
            if let Err(e) = actor.handle_message(&Context::default(), &m).await {
                tracing::warn!(actor = %actor_id, subject = %m.subject, error = %e, "messaging: the actor failed a message");
            }
            drop(slot);
        });
    }
}

#[async_trait]
impl Provider for NatsMessagingProvider {
    fn contract_id(&self) -> &str {
        CONTRACT_ID
    }

    async fn put_link(&self, link: &LinkDefinition, actor: ActorLink) -> Result<(), ProviderError> {
        let settings = self.settings(&link.values)?;
        let client = self.connect(link, &settings).await?;
        // Built first: should a subscription fail, dropping it aborts the
        // ones already running.
        let mut linked = Linked {
            client: client.clone(),
            tasks: Vec::new(),
        };
        for s in &settings.subscriptions {
            let subscribed = match &s.queue {
                Some(q) => client.queue_subscribe(s.subject.clone(), q.clone()).await,
                None => client.subscribe(s.subject.clone()).await,
            };
            let sub = subscribed.map_err(|e| ProviderError::Other {
                provider: self.ctx.name.clone(),
                message: format!("cannot subscribe to {}: {e}", s.subject),
            })?;
            linked.tasks.push(tokio::spawn(deliver(
                sub,
                MessageSubscriberSender::via(Arc::clone(&actor)),
                link.actor_id.clone(),
            )));
        }
        // Subscriptions are in place on the server before the link counts
        // as put: a message published right after is delivered.
        let _ = client.flush().await;
        self.links.insert(link, Arc::new(linked));
        Ok(())
    }

    async fn delete_link(&self, link: &LinkDefinition) {
        if let Some(l) = self.links.remove(link) {
            // Pending publishes go out before the connection closes.
            let _ = l.client.flush().await;
        }
    }

    async fn handle(&self, origin: &ActorOrigin, msg: Message<'_>) -> RpcResult<Vec<u8>> {
        let linked = self.links.get(origin)?;
        MessagingReceiver::dispatch(&*linked, &origin.context(), msg).await
    }

    async fn shutdown(&self) {
        for l in self.links.drain() {
            let _ = l.client.flush().await;
        }
    }
}

#[async_trait]
impl Messaging for Linked {
    async fn publish(&self, _ctx: &Context, arg: &PubMessage) -> RpcResult<()> {
        let body = arg.body.clone().into();
        let sent = match arg.reply_to.as_deref().filter(|r| !r.is_empty()) {
            Some(reply) => {
                self.client
                    .publish_with_reply(arg.subject.clone(), reply.to_string(), body)
                    .await
            }
            None => self.client.publish(arg.subject.clone(), body).await,
        };
        sent.map_err(|e| RpcError::Other(format!("nats send error: {e}")))
    }

    async fn request(&self, _ctx: &Context, arg: &RequestMessage) -> RpcResult<ReplyMessage> {
        let wait = match arg.timeout_ms {
            0 => DEFAULT_REQUEST_TIMEOUT,
            ms => Duration::from_millis(ms.into()),
        };
        let request = async_nats::Request::new()
            .payload(arg.body.clone().into())
            .timeout(Some(wait));
        match self.client.send_request(arg.subject.clone(), request).await {
            Err(e) if e.kind() == async_nats::RequestErrorKind::TimedOut => {
                Err(RpcError::Timeout("nats request timed out".into()))
            }
            Err(e) => Err(RpcError::Other(format!("nats send error: {e}"))),
            Ok(m) => Ok(ReplyMessage {
                subject: m.subject.to_string(),
                reply_to: m.reply.map(|r| r.to_string()),
                body: m.payload.to_vec(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriptions_parse() {
        assert_eq!(
            Subscription::parse(" a.b.* | workers "),
            Ok(Subscription {
                subject: "a.b.*".into(),
                queue: Some("workers".into())
            })
        );
        assert_eq!(Subscription::parse("x").unwrap().queue, None);
        assert!(Subscription::parse("").is_err());
        assert!(Subscription::parse("a b").is_err());
        assert!(Subscription::parse("a..b").is_err());
        assert!(Subscription::parse("a.").is_err());
        assert!(Subscription::parse("a|").is_err());
    }
}
