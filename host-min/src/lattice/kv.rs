//! Link definitions and claims in the JetStream KV bucket
//! `LATTICEDATA_{lattice}`, with upstream's keys and JSON values
//! (`shared/spec/lattice.md` section 3).
//!
//! The bucket is the lattice's one source of truth for links: a host puts
//! a link there (after its own provider, if it runs one, accepted it) and
//! every host, this one included, learns of it from its watch. The router's
//! link table is the local copy the watch keeps up to date; a restarted
//! host replays the bucket before it serves.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_nats::jetstream::kv::{self, Operation};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use super::{subjects, Lattice, LatticeError};
use crate::claims::jwt::Claims;
use crate::types::LinkDefinition;

/// A link definition as stored in the bucket: upstream's JSON, with the
/// `id` hosts add (absent when a control client wrote it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredLink {
    /// A unique id of this version of the link.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// The actor (`M...`).
    pub actor_id: String,
    /// The provider (`V...`).
    pub provider_id: String,
    /// The link name.
    #[serde(default)]
    pub link_name: String,
    /// The contract id.
    pub contract_id: String,
    /// The link's values.
    #[serde(default)]
    pub values: HashMap<String, String>,
}

impl StoredLink {
    /// The link definition it holds.
    pub fn into_link(self) -> LinkDefinition {
        LinkDefinition {
            actor_id: self.actor_id,
            provider_id: self.provider_id,
            link_name: if self.link_name.is_empty() {
                "default".into()
            } else {
                self.link_name
            },
            contract_id: self.contract_id,
            values: self.values.into_iter().collect(),
        }
    }
}

/// The lattice's metadata bucket.
#[derive(Clone)]
pub struct LinkStore {
    kv: kv::Store,
}

impl std::fmt::Debug for LinkStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkStore")
            .field("bucket", &self.kv.name)
            .finish()
    }
}

fn js_error(what: impl Into<String>, e: impl std::fmt::Display) -> LatticeError {
    LatticeError::JetStream {
        what: what.into(),
        reason: e.to_string(),
    }
}

impl LinkStore {
    /// Opens (creating when missing) the bucket of `lattice`; with a
    /// JetStream domain, through that domain's API prefix.
    pub async fn open(
        nats: &async_nats::Client,
        lattice: &str,
        js_domain: Option<&str>,
    ) -> Result<LinkStore, LatticeError> {
        let js = super::jetstream(nats, js_domain);
        let bucket = subjects::kv_bucket(lattice);
        let kv = match js.get_key_value(&bucket).await {
            Ok(kv) => kv,
            Err(_) => {
                // The bucket's stream, made directly: `create_key_value`
                // first reads the account info, which this client cannot
                // parse from NATS servers before 2.10 (Debian ships 2.9).
                // Same settings as a KV bucket of history 1.
                let created = js
                    .create_stream(async_nats::jetstream::stream::Config {
                        name: format!("KV_{bucket}"),
                        subjects: vec![format!("$KV.{bucket}.>")],
                        max_messages_per_subject: 1,
                        allow_rollup: true,
                        deny_delete: true,
                        allow_direct: true,
                        discard: async_nats::jetstream::stream::DiscardPolicy::New,
                        num_replicas: 1,
                        ..Default::default()
                    })
                    .await;
                if let Err(e) = created {
                    // Another host may have created it meanwhile.
                    tracing::debug!("creating bucket {bucket}: {e}");
                }
                js.get_key_value(&bucket)
                    .await
                    .map_err(|e| js_error(format!("opening bucket {bucket}"), e))?
            }
        };
        Ok(LinkStore { kv })
    }

    /// Puts `ld` under its `LINKDEF_` key.
    pub async fn put(&self, ld: &LinkDefinition) -> Result<(), LatticeError> {
        let stored = StoredLink {
            id: uuid::Uuid::new_v4().to_string(),
            actor_id: ld.actor_id.clone(),
            provider_id: ld.provider_id.clone(),
            link_name: ld.link_name.clone(),
            contract_id: ld.contract_id.clone(),
            values: ld
                .values
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        let key = subjects::linkdef_key(&ld.actor_id, &ld.contract_id, &ld.link_name);
        let json = serde_json::to_vec(&stored).map_err(|e| js_error("encoding a link", e))?;
        self.kv
            .put(&key, json.into())
            .await
            .map_err(|e| js_error(format!("putting {key}"), e))?;
        Ok(())
    }

    /// Deletes the link (actor, contract, link name).
    pub async fn delete(
        &self,
        actor_id: &str,
        contract_id: &str,
        link_name: &str,
    ) -> Result<(), LatticeError> {
        let key = subjects::linkdef_key(actor_id, contract_id, link_name);
        self.kv
            .delete(&key)
            .await
            .map_err(|e| js_error(format!("deleting {key}"), e))
    }

    /// Every link in the bucket.
    pub async fn list(&self) -> Result<Vec<LinkDefinition>, LatticeError> {
        let mut keys = self
            .kv
            .keys()
            .await
            .map_err(|e| js_error("listing keys", e))?;
        let mut out = Vec::new();
        while let Some(key) = keys.next().await {
            let key = key.map_err(|e| js_error("listing keys", e))?;
            if !key.starts_with("LINKDEF_") {
                continue;
            }
            if let Ok(Some(v)) = self.kv.get(&key).await {
                if let Ok(l) = serde_json::from_slice::<StoredLink>(&v) {
                    out.push(l.into_link());
                }
            }
        }
        Ok(out)
    }

    /// Stores an actor's claims under `CLAIMS_{subject}` (string values, as
    /// upstream).
    pub async fn put_claims(&self, claims: &Claims) -> Result<(), LatticeError> {
        let map = claims_map(claims);
        let key = subjects::claims_key(&claims.subject);
        let json = serde_json::to_vec(&map).map_err(|e| js_error("encoding claims", e))?;
        self.kv
            .put(&key, json.into())
            .await
            .map_err(|e| js_error(format!("putting {key}"), e))?;
        Ok(())
    }

    /// Watches the bucket from its start: every current entry, then every
    /// change.
    pub async fn watch(&self) -> Result<kv::Watch, LatticeError> {
        self.kv
            .watch_with_history(">")
            .await
            .map_err(|e| js_error("watching the bucket", e))
    }
}

/// Upstream's claims entry: every value a string, caps and tags
/// comma-joined.
pub fn claims_map(c: &Claims) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let w = &c.wascap;
    m.insert(
        "call_alias".into(),
        w.call_alias.clone().unwrap_or_default(),
    );
    m.insert("caps".into(), c.caps().join(","));
    m.insert("iss".into(), c.issuer.clone());
    m.insert("name".into(), c.name().to_string());
    m.insert("rev".into(), w.rev.unwrap_or(0).to_string());
    m.insert("sub".into(), c.subject.clone());
    m.insert("tags".into(), w.tags.clone().unwrap_or_default().join(","));
    m.insert("version".into(), w.ver.clone().unwrap_or_default());
    m
}

impl Lattice {
    /// Replays the bucket into the router and then follows it: links go to
    /// the router (which hands them to the providers it runs), claims feed
    /// the call-alias table and `get.claims`. Returns once the replay is
    /// done, so a host serves only after it knows the lattice's links.
    pub(crate) async fn follow_bucket(self: &Arc<Self>) -> Result<(), LatticeError> {
        let mut watch = self.links.watch().await?;
        let (caught_up_tx, caught_up) = tokio::sync::oneshot::channel::<()>();
        // An empty bucket sends nothing to the watcher, so "caught up" also
        // comes from a check of the bucket's message count.
        let empty = self
            .links
            .kv
            .status()
            .await
            .map(|s| s.values() == 0)
            .unwrap_or(false);
        let me = Arc::downgrade(self);
        let task = tokio::spawn(async move {
            let mut caught_up_tx = Some(caught_up_tx);
            if empty {
                if let Some(tx) = caught_up_tx.take() {
                    let _ = tx.send(());
                }
            }
            // Key -> the link it held, to know what a delete removes.
            let mut by_key: HashMap<String, LinkDefinition> = HashMap::new();
            while let Some(entry) = watch.next().await {
                let Some(lattice) = me.upgrade() else { break };
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        tracing::warn!("lattice bucket watch: {e}");
                        continue;
                    }
                };
                lattice.apply_entry(&entry, &mut by_key).await;
                if entry.delta == 0 || entry.seen_current {
                    if let Some(tx) = caught_up_tx.take() {
                        let _ = tx.send(());
                    }
                }
            }
        });
        self.track(task);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), caught_up).await;
        Ok(())
    }

    async fn apply_entry(&self, entry: &kv::Entry, by_key: &mut HashMap<String, LinkDefinition>) {
        let Some(router) = self.router() else { return };
        let deleted = matches!(entry.operation, Operation::Delete | Operation::Purge);
        if entry.key.starts_with("LINKDEF_") {
            if deleted {
                if let Some(ld) = by_key.remove(&entry.key) {
                    router.apply_lattice_link_delete(&ld).await;
                    self.emit_linkdef(&ld, false).await;
                }
                return;
            }
            match serde_json::from_slice::<StoredLink>(&entry.value) {
                Ok(stored) => {
                    let ld = stored.into_link();
                    by_key.insert(entry.key.clone(), ld.clone());
                    router.apply_lattice_link(ld.clone()).await;
                    self.emit_linkdef(&ld, true).await;
                }
                Err(e) => {
                    tracing::warn!(key = %entry.key, "ignoring a malformed link in the lattice bucket: {e}")
                }
            }
        } else if let Some(pk) = entry.key.strip_prefix("CLAIMS_") {
            let mut claims = self.claims.lock().unwrap_or_else(|p| p.into_inner());
            let mut aliases = self.aliases.lock().unwrap_or_else(|p| p.into_inner());
            aliases.retain(|_, v| v != pk);
            if deleted {
                claims.remove(pk);
                return;
            }
            match serde_json::from_slice::<BTreeMap<String, String>>(&entry.value) {
                Ok(map) => {
                    if let Some(alias) = map.get("call_alias").filter(|a| !a.is_empty()) {
                        aliases.insert(alias.clone(), pk.to_string());
                    }
                    claims.insert(pk.to_string(), map);
                }
                Err(e) => {
                    tracing::warn!(key = %entry.key, "ignoring malformed claims in the lattice bucket: {e}")
                }
            }
        }
    }

    /// Claims known on the lattice (from the bucket), upstream's string maps.
    pub fn known_claims(&self) -> Vec<BTreeMap<String, String>> {
        self.claims
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }
}
