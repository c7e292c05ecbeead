//! CloudEvents on `wasmbus.evt.{lattice}` (`shared/spec/lattice.md`
//! section 1): `type` = `com.wasmcloud.lattice.{kind}`, `source` = the host
//! id (`n/a` for link events, as upstream), JSON `data`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use super::ctl::CloudEvent;
use super::{subjects, Lattice};
use crate::claims::format_rfc3339;
use crate::types::LinkDefinition;

/// How often a host publishes `host_heartbeat` (upstream: 30 s).
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(30);

/// A CloudEvent envelope of kind `kind` (e.g. `actor_started`) from
/// `source`, carrying `data`, timed now.
pub fn cloud_event(kind: &str, source: &str, data: Value) -> CloudEvent {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    CloudEvent::new(kind, source, Some(format_rfc3339(now)), data)
}

/// The `hostcore.*` labels every host reports (its platform).
pub fn hostcore_labels() -> std::collections::BTreeMap<String, String> {
    let mut l = std::collections::BTreeMap::new();
    l.insert("hostcore.arch".into(), std::env::consts::ARCH.to_string());
    l.insert("hostcore.os".into(), std::env::consts::OS.to_string());
    l.insert(
        "hostcore.osfamily".into(),
        std::env::consts::FAMILY.to_string(),
    );
    l
}

/// The data of `linkdef_set` / `linkdef_deleted`.
pub fn linkdef_data(ld: &LinkDefinition) -> Value {
    json!({
        "id": super::subjects::linkdef_key(&ld.actor_id, &ld.contract_id, &ld.link_name),
        "actor_id": ld.actor_id,
        "provider_id": ld.provider_id,
        "link_name": ld.link_name,
        "contract_id": ld.contract_id,
        "values": ld.values,
    })
}

/// `secs` as upstream's `uptime_human` (`1d 2h 3m 4s`, leading zero units
/// left out).
pub fn uptime_human(secs: u64) -> String {
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    let mut out = Vec::new();
    if d > 0 {
        out.push(format!("{d}d"));
    }
    if d > 0 || h > 0 {
        out.push(format!("{h}h"));
    }
    if d > 0 || h > 0 || m > 0 {
        out.push(format!("{m}m"));
    }
    out.push(format!("{s}s"));
    out.join(" ")
}

/// Claims as the `actor_started` events carry them.
pub fn claims_json(c: &crate::claims::jwt::Claims) -> serde_json::Value {
    let w = &c.wascap;
    json!({
        "call_alias": w.call_alias.clone().unwrap_or_default(),
        "caps": c.caps(),
        "issuer": c.issuer,
        "tags": w.tags.clone().unwrap_or_default(),
        "name": c.name(),
        "version": w.ver.clone().unwrap_or_default(),
        "revision": w.rev.unwrap_or(0),
        "not_before_human": c.not_before.map(crate::claims::format_time).unwrap_or_else(|| "never".into()),
        "expires_human": c.expires.map(crate::claims::format_time).unwrap_or_else(|| "never".into()),
    })
}

impl Lattice {
    /// Publishes event `kind` with `data` from this host. Events are
    /// best effort: a failure is logged, never returned.
    pub async fn publish_event(&self, kind: &str, data: Value) {
        self.publish_event_from(kind, &self.host_id(), data).await;
    }

    async fn publish_event_from(&self, kind: &str, source: &str, data: Value) {
        let ev = cloud_event(kind, source, data);
        let bytes = match serde_json::to_vec(&ev) {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!("event {kind}: {e}");
                return;
            }
        };
        if let Err(e) = self
            .nats
            .publish(subjects::events(self.prefix()), bytes.into())
            .await
        {
            tracing::warn!("publishing event {kind}: {e}");
        }
    }

    /// `linkdef_set` / `linkdef_deleted` (source `n/a`, as upstream).
    pub(crate) async fn emit_linkdef(&self, ld: &LinkDefinition, set: bool) {
        let kind = if set {
            "linkdef_set"
        } else {
            "linkdef_deleted"
        };
        self.publish_event_from(kind, "n/a", linkdef_data(ld)).await;
    }

    /// The labels this host reports: `hostcore.*` plus the configured ones.
    pub fn labels(&self) -> std::collections::BTreeMap<String, String> {
        let mut l = hostcore_labels();
        for (k, v) in &self.config.labels {
            l.insert(k.clone(), v.clone());
        }
        l
    }

    /// The `host_heartbeat` data (upstream ≥ 0.60 shape).
    pub fn heartbeat_data(&self) -> Value {
        let secs = self.uptime().as_secs();
        let (actors, providers) = match self.router() {
            Some(r) => {
                let inv = r.inventory();
                let actors: serde_json::Map<String, Value> = inv
                    .actors
                    .iter()
                    .map(|a| (a.id.clone(), json!(1)))
                    .collect();
                let providers: Vec<Value> = inv
                    .providers
                    .iter()
                    .map(|p| {
                        json!({"public_key": p.id, "link_name": p.link_name, "contract_id": p.contract_id})
                    })
                    .collect();
                (Value::Object(actors), Value::Array(providers))
            }
            None => (json!({}), json!([])),
        };
        json!({
            "actors": actors,
            "providers": providers,
            "labels": self.labels(),
            "friendly_name": self.friendly_name(),
            "version": env!("CARGO_PKG_VERSION"),
            "uptime_seconds": secs,
            "uptime_human": uptime_human(secs),
        })
    }

    /// Publishes `host_heartbeat` every `interval` until the host leaves.
    pub(crate) fn start_heartbeat(self: &std::sync::Arc<Self>, interval: Duration) {
        let me = std::sync::Arc::downgrade(self);
        self.track(tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(l) = me.upgrade() else { break };
                l.publish_event("host_heartbeat", l.heartbeat_data()).await;
            }
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_has_upstream_fields() {
        let ev = serde_json::to_value(cloud_event(
            "actor_started",
            "NABC",
            json!({"public_key": "M1"}),
        ))
        .unwrap();
        assert_eq!(ev["specversion"], "1.0");
        assert_eq!(ev["type"], "com.wasmcloud.lattice.actor_started");
        assert_eq!(ev["source"], "NABC");
        assert_eq!(ev["datacontenttype"], "application/json");
        assert_eq!(ev["data"]["public_key"], "M1");
        let t = ev["time"].as_str().unwrap();
        assert!(t.ends_with('Z') && t.contains('T') && t.len() == 20, "{t}");
        assert!(uuid::Uuid::parse_str(ev["id"].as_str().unwrap()).is_ok());
    }

    #[test]
    fn uptime_human_leaves_out_leading_zero_units() {
        assert_eq!(uptime_human(5), "5s");
        assert_eq!(uptime_human(65), "1m 5s");
        assert_eq!(uptime_human(3600), "1h 0m 0s");
        assert_eq!(uptime_human(90_061), "1d 1h 1m 1s");
    }
}
