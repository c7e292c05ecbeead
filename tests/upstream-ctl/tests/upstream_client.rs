//! Compatibility: wasmCloud's own control client,
//! `wasmcloud-control-interface` 0.28.1 from crates.io, unmodified, drives
//! host-min hosts over real NATS with JetStream on 127.0.0.1:4222.
//!
//! Each test runs two `host-min up` processes on a lattice of its own:
//! host A (label `zone = a`) and host B (label `zone = b`).
//!
//! - `get_hosts`, `get_host_inventory`, `get_claims`; a link put with
//!   `advertise_link` (through the `LATTICEDATA_` bucket, and over the
//!   `linkdefs.put` topic by a legacy client) takes effect on host A,
//!   `query_links` lists it, `remove_link` ends it; auctions with label
//!   constraints get bids only from the matching host; every CloudEvent
//!   the hosts publish parses as upstream's `Event`;
//! - `start_actor` (a signed `.wasm` path), `scale_actor`, `stop_actor`,
//!   `start_provider` (`builtin:keyvalue`, `process:keyvalue`) and
//!   `stop_provider`, each seen in the inventory.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use cloudevents::AttributesReader;
use futures::StreamExt;
use wasmcloud_control_interface::{Client, ClientBuilder, Host, HostInventory};
use weld_e2e::host::{host_min_bin, sign_actor, HostProc, Manifest, Profile};
use weld_e2e::http::{must_get, rt};
use weld_e2e::{free_addr, kvcounter_wasm, require_service, unique_name};

const NATS: &str = "127.0.0.1:4222";
const KV: &str = "wasmcloud:keyvalue";
const KV_CAPS: &[&str] = &["wasmcloud:httpserver", "wasmcloud:keyvalue"];

fn on_lattice(m: Manifest, lattice: &str, seed: &str, name: &str, zone: &str) -> Manifest {
    m.host("nats", &format!("nats://{NATS}"))
        .host("lattice", lattice)
        .host("cluster_seed", seed)
        .host("friendly_name", name)
        .host_table("labels", &[("zone", zone)])
}

fn nats() -> async_nats::Client {
    rt().block_on(async_nats::connect(NATS))
        .expect("connect to NATS (async-nats 0.31)")
}

/// Upstream's client as `wash` builds it: it finds the lattice's
/// `LATTICEDATA_` bucket when the hosts have made it.
fn upstream(lattice: &str) -> Client {
    rt().block_on(
        ClientBuilder::new(nats())
            .lattice_prefix(lattice)
            .rpc_timeout(Duration::from_secs(5))
            .auction_timeout(Duration::from_secs(1))
            .build(),
    )
    .expect("build upstream client")
}

/// Polls `f` until it returns `Some`, up to `secs` seconds.
fn eventually<T>(secs: u64, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn hosts(ctl: &Client, want: usize) -> Vec<Host> {
    let mut last = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        last = rt().block_on(ctl.get_hosts()).expect("get_hosts");
        if last.len() >= want {
            break;
        }
    }
    last
}

fn inventory(ctl: &Client, host_id: &str) -> HostInventory {
    rt().block_on(ctl.get_host_inventory(host_id))
        .unwrap_or_else(|e| panic!("get_host_inventory {host_id}: {e}"))
}

fn zone(h: &Host) -> Option<&str> {
    h.labels.as_ref()?.get("zone").map(String::as_str)
}

/// A fresh cluster seed from `host-min keys gen cluster --json` (the
/// binary under test; linking host-min's library here would compile it a
/// second time with this crate's feature set).
fn cluster_seed() -> String {
    let out = std::process::Command::new(host_min_bin(Profile::Debug))
        .args(["keys", "gen", "cluster", "--json"])
        .output()
        .expect("run host-min keys gen");
    assert!(out.status.success(), "host-min keys gen: {out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("keys gen JSON");
    let seed = v["seed"].as_str().expect("seed").to_string();
    assert!(seed.starts_with("SC"), "a cluster seed: {seed}");
    seed
}

/// Two hosts on a fresh lattice; `a` and `b` are their manifests' extras.
struct Lattice {
    name: String,
    a: HostProc,
    b: HostProc,
    a_id: String,
    b_id: String,
    ctl: Client,
    dirs: (tempfile::TempDir, tempfile::TempDir),
}

fn two_hosts(name: String, a: Manifest, b: Manifest, ready_a: &[SocketAddr]) -> Lattice {
    let seed = cluster_seed();
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let b = HostProc::start(dir_b.path(), on_lattice(b, &name, &seed, "b", "b"), &[]);
    let a = HostProc::start(dir_a.path(), on_lattice(a, &name, &seed, "a", "a"), ready_a);
    let ctl = upstream(&name);
    let hs = hosts(&ctl, 2);
    assert_eq!(hs.len(), 2, "get_hosts finds both hosts: {hs:?}");
    let id_of = |z: &str| {
        hs.iter()
            .find(|h| zone(h) == Some(z))
            .unwrap_or_else(|| panic!("no host labelled zone={z}: {hs:?}"))
            .id
            .clone()
    };
    Lattice {
        a_id: id_of("a"),
        b_id: id_of("b"),
        name,
        a,
        b,
        ctl,
        dirs: (dir_a, dir_b),
    }
}

fn status(addr: SocketAddr) -> (u16, String) {
    let r = must_get(addr, "/api/counter");
    (r.status, r.text())
}

#[test]
fn upstream_client_reads_hosts_links_claims_auctions_and_events() {
    // async-nats 0.31 spawns a task when a subscriber is dropped: keep
    // the runtime entered so drops during unwinding find a reactor.
    let _rt = rt().enter();
    if !require_service("NATS", NATS) {
        return;
    }
    let Some(wasm) = kvcounter_wasm() else {
        return;
    };
    let name = unique_name("upctl");
    // Subscribed before the hosts start, so that host_started and the
    // manifest's actor and provider events are in the stream: once raw,
    // once through upstream's event receiver.
    let events_nc = nats();
    let mut raw = rt()
        .block_on(events_nc.subscribe(format!("wasmbus.evt.{name}")))
        .expect("subscribe to events");
    let mut parsed = rt()
        .block_on(async {
            ClientBuilder::new(events_nc.clone())
                .lattice_prefix(&name)
                .build()
                .await
                .expect("events client")
                .events_receiver()
                .await
        })
        .expect("events_receiver");

    let http = free_addr();
    let l = two_hosts(
        name,
        Manifest::new()
            .signed_actor("kvcounter", &wasm, KV_CAPS)
            .provider("http", "httpserver", &[])
            .link("kvcounter", "http", &[("address", &http.to_string())]),
        Manifest::new().provider("kv", "keyvalue", &[]),
        &[http],
    );
    let ctl = &l.ctl;

    // get_hosts: ids are server keys, labels and lattice as upstream reads them.
    let hs = hosts(ctl, 2);
    for h in &hs {
        assert!(
            h.id.len() == 56 && h.id.starts_with('N'),
            "host id is a server public key: {h:?}"
        );
        assert_eq!(h.lattice_prefix.as_deref(), Some(l.name.as_str()), "{h:?}");
        assert!(h.version.is_some() && h.uptime_human.is_some(), "{h:?}");
    }

    // get_host_inventory on each host.
    let inv_a = inventory(ctl, &l.a_id);
    assert_eq!(inv_a.host_id, l.a_id);
    assert_eq!(inv_a.friendly_name, "a");
    assert_eq!(inv_a.labels.get("zone").map(String::as_str), Some("a"));
    assert_eq!(inv_a.actors.len(), 1, "{inv_a:?}");
    let actor = &inv_a.actors[0];
    assert_eq!(actor.name.as_deref(), Some("kvcounter"), "{inv_a:?}");
    assert!(actor.id.starts_with('M'), "{actor:?}");
    assert!(!actor.instances.is_empty(), "{actor:?}");
    assert!(
        actor.instances.iter().all(|i| !i.instance_id.is_empty()),
        "{actor:?}"
    );
    let inv_b = inventory(ctl, &l.b_id);
    assert_eq!(inv_b.friendly_name, "b");
    assert!(inv_b.actors.is_empty(), "{inv_b:?}");
    let kv = inv_b
        .providers
        .iter()
        .find(|p| p.contract_id == KV)
        .unwrap_or_else(|| panic!("no keyvalue provider on B: {inv_b:?}"));
    assert_eq!(kv.link_name, "default", "{kv:?}");
    assert!(kv.id.starts_with('V'), "{kv:?}");
    let (actor_id, provider_id) = (actor.id.clone(), kv.id.clone());

    // get_claims: read from the bucket, kvcounter's signed claims.
    let claims = rt().block_on(ctl.get_claims()).expect("get_claims");
    let c = claims
        .claims
        .iter()
        .find(|c| c.get("sub") == Some(&actor_id))
        .unwrap_or_else(|| panic!("no claims for {actor_id}: {claims:?}"));
    assert_eq!(
        c.get("name").map(String::as_str),
        Some("kvcounter"),
        "{c:?}"
    );
    assert!(c.get("caps").is_some_and(|caps| caps.contains(KV)), "{c:?}");
    assert!(c.get("iss").is_some_and(|i| i.starts_with('A')), "{c:?}");

    // No link yet: the store call fails.
    let (s, body) = status(http);
    assert_ne!(s, 200, "counted without a link: {body}");

    // advertise_link writes the bucket directly; host A picks it up.
    let ack = rt()
        .block_on(ctl.advertise_link(&actor_id, &provider_id, KV, "default", HashMap::new()))
        .expect("advertise_link");
    assert!(ack.accepted, "advertise_link refused: {}", ack.error);
    let body = eventually(10, "a count after advertise_link", || {
        let (s, body) = status(http);
        (s == 200).then_some(body)
    });
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(v["counter"], 1, "{body}");
    let links = rt().block_on(ctl.query_links()).expect("query_links");
    let ld = links
        .links
        .iter()
        .find(|ld| ld.actor_id == actor_id && ld.contract_id == KV)
        .unwrap_or_else(|| panic!("link not listed: {links:?}"));
    assert_eq!(
        (
            ld.provider_id.as_str(),
            ld.contract_id.as_str(),
            ld.link_name.as_str()
        ),
        (provider_id.as_str(), KV, "default")
    );

    // remove_link deletes it; the count stops working.
    let ack = rt()
        .block_on(ctl.remove_link(&actor_id, KV, "default"))
        .expect("remove_link");
    assert!(ack.accepted, "remove_link refused: {}", ack.error);
    eventually(10, "count refused after remove_link", || {
        (status(http).0 != 200).then_some(())
    });
    let links = rt().block_on(ctl.query_links()).expect("query_links");
    assert!(
        links.links.iter().all(|ld| ld.contract_id != KV),
        "{links:?}"
    );

    // A client without the bucket (upstream's deprecated constructor) uses
    // the control topics: linkdefs.put, get.links, get.claims, linkdefs.del.
    #[allow(deprecated)]
    let legacy = Client::new(
        nats(),
        Some(l.name.clone()),
        Duration::from_secs(5),
        Duration::from_secs(1),
    );
    let ack = rt()
        .block_on(legacy.advertise_link(&actor_id, &provider_id, KV, "default", HashMap::new()))
        .expect("advertise_link over linkdefs.put");
    assert!(ack.accepted, "linkdefs.put refused: {}", ack.error);
    let body = eventually(10, "a count after linkdefs.put", || {
        let (s, body) = status(http);
        (s == 200).then_some(body)
    });
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(v["counter"], 2, "the store kept its count: {body}");
    let links = eventually(10, "get.links lists the link", || {
        let links = rt().block_on(legacy.query_links()).expect("get.links");
        links
            .links
            .iter()
            .any(|ld| ld.actor_id == actor_id && ld.provider_id == provider_id)
            .then_some(links)
    });
    assert_eq!(
        links.links.iter().filter(|ld| ld.contract_id == KV).count(),
        1,
        "{links:?}"
    );
    let claims = rt().block_on(legacy.get_claims()).expect("get.claims");
    assert!(
        claims
            .claims
            .iter()
            .any(|c| c.get("sub") == Some(&actor_id)),
        "{claims:?}"
    );
    let ack = rt()
        .block_on(legacy.remove_link(&actor_id, KV, "default"))
        .expect("remove_link over linkdefs.del");
    assert!(ack.accepted, "linkdefs.del refused: {}", ack.error);
    eventually(10, "count refused after linkdefs.del", || {
        (status(http).0 != 200).then_some(())
    });

    // Auctions: only the host whose labels meet the constraints bids.
    let zone_a = HashMap::from([("zone".to_string(), "a".to_string())]);
    let zone_b = HashMap::from([("zone".to_string(), "b".to_string())]);
    let nowhere = HashMap::from([("zone".to_string(), "nowhere".to_string())]);
    let actor_ref = wasm.to_string_lossy().to_string();
    let bids = rt()
        .block_on(ctl.perform_actor_auction(&actor_ref, zone_a.clone()))
        .expect("actor auction");
    assert_eq!(bids.len(), 1, "{bids:?}");
    assert_eq!(bids[0].host_id, l.a_id);
    assert_eq!(bids[0].actor_ref, actor_ref);
    assert_eq!(bids[0].constraints, zone_a);
    let bids = rt()
        .block_on(ctl.perform_actor_auction(&actor_ref, HashMap::new()))
        .expect("actor auction");
    assert_eq!(bids.len(), 2, "no constraints: both bid: {bids:?}");
    let bids = rt()
        .block_on(ctl.perform_actor_auction(&actor_ref, nowhere.clone()))
        .expect("actor auction");
    assert!(bids.is_empty(), "{bids:?}");
    let bids = rt()
        .block_on(ctl.perform_provider_auction("builtin:keyvalue", "other", zone_b))
        .expect("provider auction");
    assert_eq!(bids.len(), 1, "{bids:?}");
    assert_eq!(bids[0].host_id, l.b_id);
    assert_eq!(
        (bids[0].provider_ref.as_str(), bids[0].link_name.as_str()),
        ("builtin:keyvalue", "other")
    );
    let bids = rt()
        .block_on(ctl.perform_provider_auction("builtin:keyvalue", "other", nowhere))
        .expect("provider auction");
    assert!(bids.is_empty(), "{bids:?}");

    // Every event published so far parses as upstream's CloudEvent.
    let raw_count = rt().block_on(async {
        let mut n = 0usize;
        while let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(500), raw.next()).await {
            n += 1;
        }
        n
    });
    let mut types = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while types.len() < raw_count && Instant::now() < deadline {
        match parsed.try_recv() {
            Ok(ev) => {
                // Upstream's hosts send link events from `n/a`.
                let source = ev.source().to_string();
                assert!(
                    source.starts_with('N') || source == "n/a",
                    "source is a host id: {ev:?}"
                );
                types.push(ev.ty().to_string());
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    assert_eq!(
        types.len(),
        raw_count,
        "upstream's receiver parsed {} of {raw_count} events: {types:?}",
        types.len()
    );
    for want in [
        "com.wasmcloud.lattice.host_started",
        "com.wasmcloud.lattice.linkdef_set",
        "com.wasmcloud.lattice.linkdef_deleted",
    ] {
        assert!(types.iter().any(|t| t == want), "no {want} in {types:?}");
    }
    drop((l.a, l.b, l.dirs));
}

#[test]
fn upstream_client_starts_scales_and_stops_actors_and_providers() {
    // async-nats 0.31 spawns a task when a subscriber is dropped: keep
    // the runtime entered so drops during unwinding find a reactor.
    let _rt = rt().enter();
    if !require_service("NATS", NATS) {
        return;
    }
    let Some(wasm) = kvcounter_wasm() else {
        return;
    };
    let l = two_hosts(unique_name("upctl"), Manifest::new(), Manifest::new(), &[]);
    let ctl = &l.ctl;
    assert!(inventory(ctl, &l.a_id).actors.is_empty());
    assert!(inventory(ctl, &l.b_id).providers.is_empty());

    // start_actor by the path of a signed module (host-min's actor_ref).
    let signed: PathBuf = sign_actor(
        &host_min_bin(Profile::Debug),
        &wasm,
        "counter2",
        KV_CAPS,
        l.dirs.0.path(),
    );
    let actor_ref = signed.to_string_lossy().to_string();
    let ack = rt()
        .block_on(ctl.start_actor(&l.a_id, &actor_ref, 1, None))
        .expect("start_actor");
    assert!(ack.accepted, "start_actor refused: {}", ack.error);
    // Listed once the host has recorded the start (image_ref set).
    let actor = eventually(15, "the started actor in A's inventory", || {
        inventory(ctl, &l.a_id)
            .actors
            .into_iter()
            .find(|a| a.image_ref.as_deref() == Some(actor_ref.as_str()))
    });
    assert_eq!(actor.name.as_deref(), Some("counter2"), "{actor:?}");
    assert_eq!(actor.instances.len(), 1, "{actor:?}");
    assert!(
        inventory(ctl, &l.b_id).actors.is_empty(),
        "only A was asked"
    );

    // A reference that is no file is refused in the ack, as upstream
    // refuses one it cannot fetch.
    let ack = rt()
        .block_on(ctl.start_actor(&l.a_id, "/nonexistent/actor.wasm", 1, None))
        .expect("start_actor ack");
    assert!(!ack.accepted && !ack.error.is_empty(), "{ack:?}");

    // scale_actor up to 3 instances, then down to 1.
    for want in [3usize, 1] {
        let ack = rt()
            .block_on(ctl.scale_actor(&l.a_id, &actor_ref, &actor.id, want as u16, None))
            .expect("scale_actor");
        assert!(ack.accepted, "scale_actor refused: {}", ack.error);
        eventually(15, &format!("{want} instances"), || {
            let inv = inventory(ctl, &l.a_id);
            inv.actors
                .iter()
                .find(|a| a.id == actor.id)
                .is_some_and(|a| a.instances.len() == want)
                .then_some(())
        });
    }

    // stop_actor removes it.
    let ack = rt()
        .block_on(ctl.stop_actor(&l.a_id, &actor_ref, 0, None))
        .expect("stop_actor");
    assert!(ack.accepted, "stop_actor refused: {}", ack.error);
    eventually(15, "no actor on A after stop_actor", || {
        inventory(ctl, &l.a_id).actors.is_empty().then_some(())
    });

    // start_provider in-process, then as a process; stop_provider each.
    for (provider_ref, link) in [
        ("builtin:keyvalue", "default"),
        ("process:keyvalue", "proc"),
    ] {
        let ack = rt()
            .block_on(ctl.start_provider(&l.b_id, provider_ref, Some(link.into()), None, None))
            .expect("start_provider");
        assert!(
            ack.accepted,
            "start_provider {provider_ref} refused: {}",
            ack.error
        );
        let p = eventually(20, &format!("{provider_ref} in B's inventory"), || {
            inventory(ctl, &l.b_id)
                .providers
                .into_iter()
                .find(|p| p.link_name == link)
        });
        assert_eq!(p.contract_id, KV, "{p:?}");
        assert!(p.id.starts_with('V'), "{p:?}");
        assert!(
            inventory(ctl, &l.a_id).providers.is_empty(),
            "only B was asked"
        );
        let ack = rt()
            .block_on(ctl.stop_provider(&l.b_id, provider_ref, link, KV, None))
            .expect("stop_provider");
        assert!(
            ack.accepted,
            "stop_provider {provider_ref} refused: {}",
            ack.error
        );
        eventually(20, &format!("{provider_ref} gone from B"), || {
            inventory(ctl, &l.b_id).providers.is_empty().then_some(())
        });
    }
    drop((l.a, l.b));
}
