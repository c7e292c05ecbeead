//! The dashboard's picture of the lattice, kept current from the lattice's
//! events and served from memory: a page load never waits on NATS (a
//! `ping.hosts` gathers for its whole window), so the page paints at once
//! however slow or large the lattice is.
//!
//! - an event marks what it changed as stale (the inventory of the host it
//!   came from, the links, the claims); a refresher fetches the stale parts
//!   a few times a second, so a burst of events costs one fetch each;
//! - `ping.hosts` runs at start and then every [`PING_EVERY`]; heartbeats
//!   and `host_started` keep hosts fresh in between, `host_stopped` and
//!   silence remove them;
//! - health checks and restarts are remembered per provider from events
//!   (the control interface has no query for them);
//! - every change is serialized once and handed to the page's streams
//!   (at most every [`PUBLISH_EVERY`]).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::{broadcast, watch};

use super::source::Source;
use crate::lattice::ctl::{CloudEvent, Host as CtlHost, HostInventory, KeyValueMap};

/// How often the lattice is pinged for hosts.
const PING_EVERY: Duration = Duration::from_secs(30);
/// A host not heard from (ping, heartbeat, event) for this long is gone.
const HOST_GONE_AFTER: Duration = Duration::from_secs(95);
/// How often stale parts are fetched and changes published.
const PUBLISH_EVERY: Duration = Duration::from_millis(150);
/// Events kept for the feed.
const FEED_LEN: usize = 100;

/// What a host looks like on the page.
#[derive(Debug, Clone, Serialize)]
struct HostView {
    #[serde(flatten)]
    host: CtlHost,
    /// Unix time `host.uptime_seconds` was true (the page counts on).
    uptime_at: u64,
    #[serde(serialize_with = "page_inventory")]
    inventory: Option<HostInventory>,
    /// Why the inventory could not be fetched, if it could not.
    error: Option<String>,
    #[serde(skip)]
    heard: Option<Instant>,
}

/// An inventory as the page needs it: an actor's instances as a count.
/// The page carries the picture inline, and instance ids and annotations
/// would double it for a lattice of single-instance actors, so slow its
/// first paint for nothing shown.
fn page_inventory<S: serde::Serializer>(
    inv: &Option<HostInventory>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let Some(inv) = inv else {
        return s.serialize_none();
    };
    // Borrowed views, serialized straight into the picture (no JSON tree
    // of 1,000 actors built per change).
    #[derive(Serialize)]
    struct PageActor<'a> {
        id: &'a str,
        name: &'a Option<String>,
        image_ref: &'a Option<String>,
        count: usize,
    }
    struct PageActors<'a>(&'a [crate::lattice::ctl::ActorDescription]);
    impl Serialize for PageActors<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.0.iter().map(|a| PageActor {
                id: &a.id,
                name: &a.name,
                image_ref: &a.image_ref,
                count: a.instances.len(),
            }))
        }
    }
    #[derive(Serialize)]
    struct PageInventory<'a> {
        host_id: &'a str,
        actors: PageActors<'a>,
        providers: &'a [crate::lattice::ctl::ProviderDescription],
    }
    PageInventory {
        host_id: &inv.host_id,
        actors: PageActors(&inv.actors),
        providers: &inv.providers,
    }
    .serialize(s)
}

/// Health of a provider on a host, from events.
#[derive(Debug, Clone, Default, Serialize)]
struct Health {
    host_id: String,
    provider_id: String,
    link_name: String,
    /// `passed`, `failed`, or empty before the first check.
    status: String,
    /// The failure text of the last failed check.
    message: String,
    restarts: u64,
}

/// One line of the event feed.
#[derive(Debug, Clone, Serialize)]
struct FeedItem {
    time: String,
    kind: String,
    source: String,
    /// The event's data, link values masked.
    data: Value,
}

#[derive(Debug, Default)]
struct Data {
    hosts: BTreeMap<String, HostView>,
    links: Vec<crate::lattice::ctl::LinkDefinition>,
    claims: BTreeMap<String, KeyValueMap>,
    health: BTreeMap<(String, String, String), Health>,
    feed: VecDeque<FeedItem>,
    /// Problems fetching links or claims, shown on the page.
    errors: BTreeMap<&'static str, String>,
    /// What needs fetching.
    stale: Stale,
    /// Changed since the last publish.
    dirty: bool,
    version: u64,
}

#[derive(Debug, Default)]
struct Stale {
    inventories: BTreeSet<String>,
    links: bool,
    claims: bool,
}

fn unix_now() -> u64 {
    unix_now_ms() / 1000
}

fn unix_now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Link values with secret-looking ones masked.
fn masked(values: &KeyValueMap) -> KeyValueMap {
    values
        .iter()
        .map(|(k, v)| (k.clone(), weld_rpc::redact::value(k, v).into_owned()))
        .collect()
}

impl Data {
    fn host_mut(&mut self, id: &str) -> &mut HostView {
        self.hosts
            .entry(id.to_string())
            .or_insert_with(|| HostView {
                host: CtlHost {
                    id: id.to_string(),
                    ..Default::default()
                },
                uptime_at: unix_now(),
                inventory: None,
                error: None,
                heard: None,
            })
    }

    fn seen_host(&mut self, h: CtlHost) {
        let new = !self.hosts.contains_key(&h.id);
        let id = h.id.clone();
        let v = self.host_mut(&id);
        v.host = h;
        v.uptime_at = unix_now();
        v.heard = Some(Instant::now());
        if new {
            self.stale.inventories.insert(id);
        }
        self.dirty = true;
    }

    fn health_mut(&mut self, host: &str, data: &Value) -> &mut Health {
        let s = |k: &str| {
            data.get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let key = (host.to_string(), s("public_key"), s("link_name"));
        self.health.entry(key.clone()).or_insert_with(|| Health {
            host_id: key.0,
            provider_id: key.1,
            link_name: key.2,
            ..Default::default()
        })
    }

    /// Takes in one event: the feed, what it tells directly, what it makes
    /// stale.
    fn apply(&mut self, ev: &CloudEvent) {
        let kind = ev
            .event_type
            .rsplit('.')
            .next()
            .unwrap_or(&ev.event_type)
            .to_string();
        let host = ev.source.clone();
        let mut data = ev.data.clone();
        if let Some(values) = data.get_mut("values") {
            if let Ok(v) = serde_json::from_value::<KeyValueMap>(values.clone()) {
                *values = json!(masked(&v));
            }
        }
        self.feed.push_front(FeedItem {
            time: ev.time.clone().unwrap_or_default(),
            kind: kind.clone(),
            source: host.clone(),
            data: data.clone(),
        });
        self.feed.truncate(FEED_LEN);
        self.dirty = true;
        let text = |k: &str| data.get(k).and_then(Value::as_str).map(str::to_string);
        match kind.as_str() {
            "host_stopped" => {
                self.hosts.remove(&host);
                self.health.retain(|k, _| k.0 != host);
                return;
            }
            "host_started" | "host_heartbeat" => {
                let v = self.host_mut(&host);
                v.heard = Some(Instant::now());
                if let Some(n) = text("friendly_name") {
                    v.host.friendly_name = n;
                }
                if let Some(l) = data
                    .get("labels")
                    .and_then(|l| serde_json::from_value(l.clone()).ok())
                {
                    v.host.labels = Some(l);
                }
                if let Some(ver) = text("version") {
                    v.host.version = Some(ver);
                }
                if let Some(u) = data.get("uptime_seconds").and_then(Value::as_u64) {
                    v.host.uptime_seconds = u;
                    v.uptime_at = unix_now();
                }
            }
            "health_check_passed" | "health_check_failed" => {
                let failed = kind == "health_check_failed";
                let h = self.health_mut(&host, &data);
                h.status = if failed { "failed" } else { "passed" }.into();
                h.message = if failed {
                    text("message").unwrap_or_default()
                } else {
                    String::new()
                };
            }
            "provider_restarted" => {
                let n = data.get("restarts").and_then(Value::as_u64).unwrap_or(0);
                let h = self.health_mut(&host, &data);
                h.restarts = h.restarts.max(n);
                h.status.clear();
            }
            "provider_stopped" => {
                let key = (
                    host.clone(),
                    text("public_key").unwrap_or_default(),
                    text("link_name").unwrap_or_default(),
                );
                self.health.remove(&key);
            }
            "linkdef_set" | "linkdef_deleted" => {
                self.stale.links = true;
                return;
            }
            _ => {}
        }
        if kind.starts_with("actor") || kind.starts_with("provider") {
            self.stale.claims = true;
        }
        if host != "n/a" && !host.is_empty() {
            self.stale.inventories.insert(host);
        }
    }

    fn to_json(&self, source: &Source) -> String {
        let links: Vec<_> = self
            .links
            .iter()
            .map(|l| {
                let mut l = l.clone();
                l.values = masked(&l.values);
                l
            })
            .collect();
        // By name, as people look for them; the id breaks ties.
        let mut hosts: Vec<&HostView> = self.hosts.values().collect();
        hosts.sort_by(|a, b| {
            (&a.host.friendly_name, &a.host.id).cmp(&(&b.host.friendly_name, &b.host.id))
        });
        let view = json!({
            "version": self.version,
            "mode": source.mode(),
            "lattice": source.lattice(),
            "this_host": source.host().host_id(),
            "now": unix_now(),
            "hosts": hosts,
            "links": links,
            "claims": self.claims,
            "health": self.health.values().collect::<Vec<_>>(),
            "feed": self.feed,
            "errors": self.errors,
        });
        view.to_string()
    }
}

/// One state of the picture, serialized.
#[derive(Debug, Clone)]
pub(crate) struct Picture {
    /// Grows with every change (it is also the JSON's `version`).
    pub version: u64,
    /// The picture as the page reads it.
    pub json: Arc<str>,
}

/// The shared picture and its subscribers.
pub(crate) struct View {
    source: Arc<Source>,
    data: Mutex<Data>,
    /// The latest picture.
    picture: watch::Sender<Picture>,
    /// Every event, for actions waiting on their outcome.
    events: broadcast::Sender<CloudEvent>,
}

impl View {
    /// Starts following `source`; the returned view is filled in the
    /// background.
    pub async fn start(source: Arc<Source>) -> Result<Arc<View>, String> {
        let view = Arc::new(View {
            // Versions go on from the start time, so a restarted host's
            // never repeat one a page saw before (see `/api/stream?since=`).
            data: Mutex::new(Data {
                version: unix_now_ms(),
                ..Data::default()
            }),
            picture: watch::channel(Picture {
                version: 0,
                json: Arc::from("{}"),
            })
            .0,
            events: broadcast::channel(1024).0,
            source: source.clone(),
        });
        // Subscribed before the first fetch: nothing between is missed.
        let mut events = source.events().await?;
        {
            let mut d = view.data();
            d.seen_host(source.host().describe());
            d.stale.links = true;
            d.stale.claims = true;
        }
        view.refresh().await;
        let weak = Arc::downgrade(&view);
        tokio::spawn(async move {
            while let Some(ev) = events.next().await {
                let Some(v) = weak.upgrade() else { return };
                v.data().apply(&ev);
                let _ = v.events.send(ev);
            }
        });
        let weak = Arc::downgrade(&view);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(PUBLISH_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(v) = weak.upgrade() else { return };
                v.refresh().await;
            }
        });
        let weak = Arc::downgrade(&view);
        tokio::spawn(async move {
            loop {
                let Some(v) = weak.upgrade() else { return };
                v.ping().await;
                drop(v);
                tokio::time::sleep(PING_EVERY).await;
            }
        });
        Ok(view)
    }

    fn data(&self) -> std::sync::MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The latest picture.
    pub fn picture(&self) -> Picture {
        self.picture.borrow().clone()
    }

    /// Follows the picture.
    pub fn watch(&self) -> watch::Receiver<Picture> {
        self.picture.subscribe()
    }

    /// The events, for actions waiting on their outcome.
    pub fn events(&self) -> &broadcast::Sender<CloudEvent> {
        &self.events
    }

    /// Where the picture comes from.
    pub fn source(&self) -> &Arc<Source> {
        &self.source
    }

    async fn ping(&self) {
        match self.source.hosts().await {
            Ok(hosts) => {
                let mut d = self.data();
                for h in hosts {
                    d.seen_host(h);
                }
                let before = d.hosts.len();
                d.hosts
                    .retain(|_, h| h.heard.is_some_and(|t| t.elapsed() < HOST_GONE_AFTER));
                if d.hosts.len() != before {
                    d.dirty = true;
                }
                d.errors.remove("hosts");
            }
            Err(e) => {
                self.data().errors.insert("hosts", e);
            }
        }
    }

    /// Fetches what is stale, then publishes if anything changed.
    async fn refresh(&self) {
        let stale = std::mem::take(&mut self.data().stale);
        let src = &self.source;
        let inventories = futures_util::future::join_all(
            stale
                .inventories
                .iter()
                .map(|id| async move { (id.clone(), src.inventory(id).await) }),
        );
        let links = async {
            if stale.links {
                Some(src.links().await)
            } else {
                None
            }
        };
        let claims = async {
            if stale.claims {
                Some(src.claims().await)
            } else {
                None
            }
        };
        let (inventories, links, claims) = tokio::join!(inventories, links, claims);
        let mut d = self.data();
        for (id, inv) in inventories {
            // A host that stopped meanwhile stays gone.
            let Some(h) = d.hosts.get_mut(&id) else {
                continue;
            };
            match inv {
                Ok(inv) => {
                    h.inventory = Some(inv);
                    h.error = None;
                }
                Err(e) => h.error = Some(e),
            }
            d.dirty = true;
        }
        if let Some(r) = links {
            match r {
                Ok(l) => {
                    d.links = l;
                    d.errors.remove("links");
                }
                Err(e) => {
                    d.errors.insert("links", e);
                }
            }
            d.dirty = true;
        }
        if let Some(r) = claims {
            match r {
                Ok(c) => {
                    d.claims = c
                        .into_iter()
                        .filter_map(|m| Some((m.get("sub")?.clone(), m)))
                        .collect();
                    d.errors.remove("claims");
                }
                Err(e) => {
                    d.errors.insert("claims", e);
                }
            }
            d.dirty = true;
        }
        if d.dirty {
            d.dirty = false;
            d.version += 1;
            let picture = Picture {
                version: d.version,
                json: Arc::from(d.to_json(&self.source)),
            };
            drop(d);
            self.picture.send_replace(picture);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, source: &str, data: Value) -> CloudEvent {
        crate::lattice::events::cloud_event(kind, source, data)
    }

    #[test]
    fn events_mark_what_they_change_and_mask_link_values() {
        let mut d = Data::default();
        d.apply(&event(
            "actors_started",
            "NHOST",
            json!({"public_key": "MA", "image_ref": "x"}),
        ));
        assert!(d.stale.inventories.contains("NHOST"));
        assert!(d.stale.claims);
        d.apply(&event(
            "linkdef_set",
            "n/a",
            json!({"actor_id": "MA", "values": {"password": "hunter2", "URL": "redis://x"}}),
        ));
        assert!(d.stale.links);
        let shown = d.feed[0].data.to_string();
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("redis://x"), "{shown}");
        assert_eq!(d.feed.len(), 2);
    }

    #[test]
    fn health_and_restarts_follow_events_and_stop_with_the_provider() {
        let mut d = Data::default();
        let p = json!({"public_key": "VP", "link_name": "default", "contract_id": "c"});
        d.apply(&event("health_check_passed", "NH", p.clone()));
        let key = ("NH".to_string(), "VP".to_string(), "default".to_string());
        assert_eq!(d.health[&key].status, "passed");
        let mut r = p.clone();
        r["restarts"] = json!(2);
        d.apply(&event("provider_restarted", "NH", r));
        assert_eq!(d.health[&key].restarts, 2);
        let mut f = p.clone();
        f["message"] = json!("no answer");
        d.apply(&event("health_check_failed", "NH", f));
        assert_eq!(
            (
                d.health[&key].status.as_str(),
                d.health[&key].message.as_str()
            ),
            ("failed", "no answer")
        );
        d.apply(&event("provider_stopped", "NH", p));
        assert!(d.health.is_empty());
    }

    #[test]
    fn hosts_come_with_heartbeats_and_go_when_stopped() {
        let mut d = Data::default();
        d.apply(&event(
            "host_heartbeat",
            "NB",
            json!({"friendly_name": "b", "labels": {"zone": "z1"}, "uptime_seconds": 7, "version": "9"}),
        ));
        let h = &d.hosts["NB"];
        assert_eq!(h.host.friendly_name, "b");
        assert_eq!(h.host.uptime_seconds, 7);
        assert_eq!(h.host.labels.as_ref().unwrap()["zone"], "z1");
        d.feed.clear();
        d.apply(&event("host_stopped", "NB", json!({})));
        assert!(d.hosts.is_empty());
        assert_eq!(d.feed.len(), 1);
    }

    #[test]
    fn feed_keeps_the_latest() {
        let mut d = Data::default();
        for i in 0..FEED_LEN + 10 {
            d.apply(&event("actor_started", "NH", json!({"n": i})));
        }
        assert_eq!(d.feed.len(), FEED_LEN);
        assert_eq!(d.feed[0].data["n"], FEED_LEN + 9);
    }
}
