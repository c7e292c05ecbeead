//! The control interface payloads (upstream-exact JSON), the control client
//! against a real NATS with small responder tasks standing in for hosts, and
//! `host-min ctl` against the same responders.

use std::collections::BTreeMap;
use std::process::Output;
use std::time::Duration;
use weld_rpc::provider::bridge::sync_with_server;

use futures_util::StreamExt;
use host_min::lattice::client::{CtlClient, CtlError};
use host_min::lattice::ctl::*;
use host_min::lattice::subjects;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use weld_test_support::{require_service, unique_name};

const NATS_ADDR: &str = "127.0.0.1:4222";
const NATS_URL: &str = "nats://127.0.0.1:4222";

// ---------------------------------------------------------------- payloads

fn kv(pairs: &[(&str, &str)]) -> KeyValueMap {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

fn from_json<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

fn round_trips<T>(v: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let text = serde_json::to_string(v).unwrap();
    let back: T = serde_json::from_str(&text).unwrap();
    assert_eq!(&back, v, "{text}");
}

#[test]
fn ack_json_is_upstreams() {
    assert_eq!(
        to_json(&CtlOperationAck::ok()),
        json!({"accepted": true, "error": ""})
    );
    assert_eq!(
        to_json(&CtlOperationAck::refused("nope")),
        json!({"accepted": false, "error": "nope"})
    );
    let empty: CtlOperationAck = from_json(json!({}));
    assert_eq!(empty, CtlOperationAck::refused(""));
}

#[test]
fn actor_commands_json_is_upstreams() {
    let la = StartActorCommand {
        actor_ref: "ghcr.io/x/echo:0.1".into(),
        annotations: None,
        count: 3,
        host_id: "NHOST".into(),
    };
    assert_eq!(
        to_json(&la),
        json!({"actor_ref": "ghcr.io/x/echo:0.1", "count": 3, "host_id": "NHOST"})
    );
    let la_annotated = StartActorCommand {
        annotations: Some(kv(&[("wasmcloud.dev/managed-by", "wadm")])),
        ..la.clone()
    };
    assert_eq!(
        to_json(&la_annotated)["annotations"],
        json!({"wasmcloud.dev/managed-by": "wadm"})
    );
    round_trips(&la_annotated);
    // Missing count means 1; an explicit 0 is kept but counts as 1.
    let minimal: StartActorCommand = from_json(json!({"actor_ref": "r", "host_id": "h"}));
    assert_eq!(minimal.count, 1);
    assert_eq!(minimal.annotations, None);
    let zero: StartActorCommand = from_json(json!({"actor_ref": "r", "count": 0}));
    assert_eq!(zero.effective_count(), 1);

    let sa = StopActorCommand {
        actor_ref: "MACTOR".into(),
        annotations: None,
        count: 0,
        host_id: "NHOST".into(),
    };
    assert_eq!(
        to_json(&sa),
        json!({"actor_ref": "MACTOR", "count": 0, "host_id": "NHOST"})
    );
    let sa_min: StopActorCommand = from_json(json!({"actor_ref": "MACTOR"}));
    assert_eq!(sa_min.count, 0, "missing count stops all, as upstream");

    let scale = ScaleActorCommand {
        actor_id: "MACTOR".into(),
        actor_ref: "ref".into(),
        annotations: Some(kv(&[("a", "b")])),
        count: 5,
        host_id: "NHOST".into(),
    };
    assert_eq!(
        to_json(&scale),
        json!({"actor_id": "MACTOR", "actor_ref": "ref", "annotations": {"a": "b"},
               "count": 5, "host_id": "NHOST"})
    );
    round_trips(&scale);

    let upd = UpdateActorCommand {
        actor_id: "MACTOR".into(),
        annotations: None,
        host_id: "NHOST".into(),
        new_actor_ref: "ref:2".into(),
    };
    assert_eq!(
        to_json(&upd),
        json!({"actor_id": "MACTOR", "host_id": "NHOST", "new_actor_ref": "ref:2"})
    );
    round_trips(&upd);
}

#[test]
fn host_and_provider_commands_json_is_upstreams() {
    let stop = StopHostCommand {
        host_id: "NHOST".into(),
        timeout: None,
    };
    assert_eq!(to_json(&stop), json!({"host_id": "NHOST"}));
    let stop_t = StopHostCommand {
        timeout: Some(1500),
        ..stop
    };
    assert_eq!(
        to_json(&stop_t),
        json!({"host_id": "NHOST", "timeout": 1500})
    );
    round_trips(&stop_t);

    let lp = StartProviderCommand {
        annotations: None,
        configuration: Some("eyJ9".into()),
        host_id: "NHOST".into(),
        link_name: "default".into(),
        provider_ref: "ghcr.io/x/kv:0.1".into(),
    };
    assert_eq!(
        to_json(&lp),
        json!({"configuration": "eyJ9", "host_id": "NHOST", "link_name": "default",
               "provider_ref": "ghcr.io/x/kv:0.1"})
    );
    round_trips(&lp);
    let lp_min: StartProviderCommand = from_json(json!({"provider_ref": "p", "host_id": "h"}));
    assert_eq!(lp_min.link_name, "default");
    assert_eq!(lp_min.configuration, None);

    let sp = StopProviderCommand {
        annotations: None,
        contract_id: "wasmcloud:keyvalue".into(),
        host_id: "NHOST".into(),
        link_name: "default".into(),
        provider_ref: "VPROV".into(),
    };
    assert_eq!(
        to_json(&sp),
        json!({"contract_id": "wasmcloud:keyvalue", "host_id": "NHOST",
               "link_name": "default", "provider_ref": "VPROV"})
    );
    round_trips(&sp);
}

#[test]
fn host_json_is_upstreams_plus_otp_fields() {
    // A reply as the OTP host sends it.
    let sample = json!({
        "id": "NHOST",
        "issuer": "CISSUER",
        "labels": {"hostcore.os": "linux", "hostcore.arch": "x86_64"},
        "friendly_name": "wandering-pond-1234",
        "uptime_seconds": 42,
        "uptime_human": "42 seconds",
        "version": "0.63.2",
        "cluster_issuers": "CONE,CTWO",
        "js_domain": null,
        "ctl_host": "127.0.0.1",
        "prov_rpc_host": "127.0.0.1",
        "rpc_host": "127.0.0.1",
        "lattice_prefix": "default"
    });
    let h: Host = from_json(sample.clone());
    assert_eq!(h.id, "NHOST");
    assert_eq!(h.issuer, "CISSUER");
    assert_eq!(h.friendly_name, "wandering-pond-1234");
    assert_eq!(h.uptime_seconds, 42);
    assert_eq!(h.cluster_issuers.as_deref(), Some("CONE,CTWO"));
    assert_eq!(h.js_domain, None);
    assert_eq!(h.labels.as_ref().unwrap()["hostcore.os"], "linux");
    // Serialized back: the same object, minus the null.
    let mut expected = sample;
    expected.as_object_mut().unwrap().remove("js_domain");
    assert_eq!(to_json(&h), expected);
    round_trips(&h);

    // Upstream's optional fields are left out when unset.
    let bare = Host {
        id: "NHOST".into(),
        uptime_seconds: 1,
        ..Host::default()
    };
    assert_eq!(
        to_json(&bare),
        json!({"id": "NHOST", "issuer": "", "friendly_name": "", "uptime_seconds": 1})
    );
    let minimal: Host = from_json(json!({"id": "NHOST"}));
    assert_eq!(minimal.uptime_seconds, 0);
    assert_eq!(minimal.labels, None);
}

#[test]
fn inventory_json_is_upstreams() {
    let sample = json!({
        "host_id": "NHOST",
        "issuer": "CISSUER",
        "friendly_name": "quiet-lake",
        "labels": {"hostcore.os": "linux"},
        "actors": [{
            "id": "MACTOR",
            "image_ref": "ghcr.io/x/echo:0.1",
            "name": "echo",
            "instances": [
                {"annotations": {"a": "b"}, "instance_id": "i-1", "revision": 2},
                {"instance_id": "i-2", "revision": 2}
            ]
        }],
        "providers": [{
            "id": "VPROV",
            "image_ref": "ghcr.io/x/kv:0.1",
            "contract_id": "wasmcloud:keyvalue",
            "link_name": "default",
            "name": "kv",
            "instance_id": "p-1",
            "annotations": {},
            "revision": 0
        }]
    });
    let inv: HostInventory = from_json(sample.clone());
    assert_eq!(inv.actors[0].instances.len(), 2);
    assert_eq!(inv.actors[0].instances[1].annotations, None);
    assert_eq!(inv.providers[0].instance_id.as_deref(), Some("p-1"));
    assert_eq!(to_json(&inv), sample);
    round_trips(&inv);

    // Upstream requires actors, labels, providers and instances: always sent.
    let empty = HostInventory {
        host_id: "NHOST".into(),
        ..HostInventory::default()
    };
    assert_eq!(
        to_json(&empty),
        json!({"actors": [], "host_id": "NHOST", "issuer": "", "friendly_name": "",
               "labels": {}, "providers": []})
    );
    assert_eq!(
        to_json(&ActorDescription::default()),
        json!({"id": "", "instances": []})
    );
    assert_eq!(
        to_json(&ProviderDescription::default()),
        json!({"id": "", "contract_id": "", "link_name": "", "revision": 0})
    );
    // Lenient the other way: a host that sends less still decodes.
    let minimal: HostInventory = from_json(json!({"host_id": "NHOST", "actors": [{"id": "M"}]}));
    assert!(minimal.actors[0].instances.is_empty());
    assert!(minimal.providers.is_empty());
}

#[test]
fn links_and_claims_json() {
    let ld = LinkDefinition {
        id: None,
        actor_id: "MACTOR".into(),
        provider_id: "VPROV".into(),
        link_name: "default".into(),
        contract_id: "wasmcloud:keyvalue".into(),
        values: kv(&[("URL", "redis://127.0.0.1:6379")]),
    };
    let list = LinkDefinitionList {
        links: vec![ld.clone()],
    };
    assert_eq!(
        to_json(&list),
        json!({"links": [{"actor_id": "MACTOR", "provider_id": "VPROV", "link_name": "default",
                          "contract_id": "wasmcloud:keyvalue",
                          "values": {"URL": "redis://127.0.0.1:6379"}}]})
    );
    assert_eq!(
        to_json(&LinkDefinition::default())["values"],
        json!({}),
        "values is required upstream"
    );
    let with_id: LinkDefinition = from_json(json!({"id": "abc", "actor_id": "MACTOR"}));
    assert_eq!(with_id.id.as_deref(), Some("abc"));
    assert!(with_id.values.is_empty());
    round_trips(&list);
    assert_eq!(
        to_json(&LinkDefinitionList::default()),
        json!({"links": []})
    );

    let del: RemoveLinkDefinitionRequest = from_json(
        json!({"actor_id": "MACTOR", "provider_id": "", "link_name": "default",
               "contract_id": "wasmcloud:keyvalue", "values": {}}),
    );
    assert_eq!(del.contract_id, "wasmcloud:keyvalue");

    let claims: ClaimsList = from_json(json!({"claims": [
        {"sub": "MACTOR", "iss": "AISS", "name": "echo", "caps": "wasmcloud:httpserver",
         "rev": "2", "version": "0.1.0", "call_alias": null, "tags": ""},
        {"sub": "VPROV", "contract_id": "wasmcloud:keyvalue", "rev": 3}
    ]}));
    assert_eq!(claims.claims[0]["call_alias"], "", "null reads as empty");
    assert_eq!(claims.claims[0]["caps"], "wasmcloud:httpserver");
    assert_eq!(claims.claims[1]["rev"], "3");
    assert_eq!(to_json(&ClaimsList::default()), json!({"claims": []}));
    let back: ClaimsList = serde_json::from_value(to_json(&claims)).unwrap();
    assert_eq!(back, claims);
    let missing: ClaimsList = from_json(json!({}));
    assert!(missing.claims.is_empty());
}

#[test]
fn auction_json_is_upstreams() {
    let req = ActorAuctionRequest {
        actor_ref: "ref".into(),
        constraints: kv(&[("zone", "a")]),
    };
    assert_eq!(
        to_json(&req),
        json!({"actor_ref": "ref", "constraints": {"zone": "a"}})
    );
    assert_eq!(
        to_json(&ActorAuctionRequest::default()),
        json!({"actor_ref": "", "constraints": {}})
    );
    let ack = ActorAuctionAck {
        actor_ref: "ref".into(),
        host_id: "NHOST".into(),
        constraints: KeyValueMap::new(),
    };
    assert_eq!(
        to_json(&ack),
        json!({"actor_ref": "ref", "host_id": "NHOST", "constraints": {}})
    );
    let ack_min: ActorAuctionAck = from_json(json!({"actor_ref": "ref", "host_id": "NHOST"}));
    assert_eq!(ack_min, ack);

    let preq = ProviderAuctionRequest {
        constraints: KeyValueMap::new(),
        link_name: "default".into(),
        provider_ref: "p".into(),
    };
    assert_eq!(
        to_json(&preq),
        json!({"constraints": {}, "link_name": "default", "provider_ref": "p"})
    );
    let pack = ProviderAuctionAck {
        host_id: "NHOST".into(),
        link_name: "default".into(),
        provider_ref: "p".into(),
    };
    assert_eq!(
        to_json(&pack),
        json!({"host_id": "NHOST", "link_name": "default", "provider_ref": "p"})
    );
    round_trips(&pack);
    round_trips(&preq);
}

#[test]
fn registry_credentials_and_cloud_events() {
    let cred = RegistryCredential {
        password: Some("pw".into()),
        token: None,
        username: Some("me".into()),
        registry_type: "oci".into(),
    };
    assert_eq!(
        to_json(&cred),
        json!({"password": "pw", "username": "me", "registryType": "oci"})
    );

    let otp = json!({
        "specversion": "1.0",
        "time": "2026-12-06T23:00:00.000000Z",
        "type": "com.wasmcloud.lattice.actor_started",
        "source": "NHOST",
        "datacontenttype": "application/json",
        "id": "3f0c0b3e-0000-4000-8000-000000000000",
        "data": {"public_key": "MACTOR", "instance_id": "i-1"}
    });
    let evt: CloudEvent = from_json(otp.clone());
    assert_eq!(evt.kind(), "actor_started");
    assert_eq!(evt.data["public_key"], "MACTOR");
    assert_eq!(to_json(&evt), otp);

    let made = CloudEvent::new("linkdef_set", "n/a", None, json!({"actor_id": "M"}));
    let v = to_json(&made);
    assert_eq!(v["type"], "com.wasmcloud.lattice.linkdef_set");
    assert_eq!(v["specversion"], "1.0");
    assert_eq!(v["datacontenttype"], "application/json");
    assert_eq!(v["source"], "n/a");
    assert!(uuid::Uuid::parse_str(v["id"].as_str().unwrap()).is_ok());
    round_trips(&made);
}

// ------------------------------------------------------------ NATS helpers

async fn nats() -> async_nats::Client {
    async_nats::connect(NATS_URL).await.unwrap()
}

/// A stand-in host: answers every request on `subject` with `reply` and
/// forwards the request bodies to the returned channel. Subscribed (and
/// confirmed by the server) when this returns.
async fn responder(subject: String, reply: Vec<u8>) -> mpsc::UnboundedReceiver<Value> {
    let nc = nats().await;
    let mut sub = nc.subscribe(subject).await.unwrap();
    // Not just flushed: processed by the server, or a request from the
    // client's own connection can still find no responder.
    sync_with_server(&nc).await.unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(msg) = sub.next().await {
            let body = if msg.payload.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(&msg.payload).unwrap_or(Value::Null)
            };
            let _ = tx.send(body);
            if let Some(r) = msg.reply {
                nc.publish(r, reply.clone().into()).await.unwrap();
                nc.flush().await.unwrap();
            }
        }
    });
    rx
}

fn host_json(id: &str, name: &str, uptime: u64) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": id, "issuer": "CISSUER", "friendly_name": name, "uptime_seconds": uptime,
        "labels": {"hostcore.os": "linux"}, "version": "0.63.2"
    }))
    .unwrap()
}

fn client(nc: async_nats::Client, lattice: &str) -> CtlClient {
    CtlClient::new(nc, lattice)
        .with_timeout(Duration::from_millis(700))
        .with_auction_timeout(Duration::from_millis(700))
}

// ------------------------------------------------------------ the client

#[tokio::test]
async fn get_hosts_gathers_every_host() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let lattice = unique_name("hosts");
    let ping = subjects::ctl(&lattice, "ping.hosts");
    let _a = responder(ping.clone(), host_json("NHOSTA", "alpha", 10)).await;
    let _b = responder(ping, host_json("NHOSTB", "beta", 20)).await;
    let c = client(nats().await, &lattice);
    let mut hosts = c.get_hosts().await.unwrap();
    hosts.sort_by(|x, y| x.id.cmp(&y.id));
    let ids: Vec<&str> = hosts.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["NHOSTA", "NHOSTB"]);
    assert_eq!(hosts[1].friendly_name, "beta");
    assert_eq!(hosts[1].uptime_seconds, 20);
}

#[tokio::test]
async fn get_hosts_is_empty_when_nobody_answers() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let c = client(nats().await, &unique_name("nohosts"));
    assert!(c.get_hosts().await.unwrap().is_empty());
}

#[tokio::test]
async fn get_hosts_skips_a_malformed_reply_but_reports_only_garbage() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let lattice = unique_name("garbage");
    let ping = subjects::ctl(&lattice, "ping.hosts");
    let _bad = responder(ping.clone(), b"{not json".to_vec()).await;
    let c = client(nats().await, &lattice);
    match c.get_hosts().await {
        Err(CtlError::BadReply { subject, .. }) => assert_eq!(subject, ping),
        other => panic!("expected BadReply, got {other:?}"),
    }
    let _good = responder(ping, host_json("NHOSTG", "good", 1)).await;
    let hosts = c.get_hosts().await.unwrap();
    assert_eq!(hosts.len(), 1);
    assert_eq!(hosts[0].id, "NHOSTG");
}

#[tokio::test]
async fn inventory_links_and_claims_are_decoded() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let lattice = unique_name("inv");
    let inv = HostInventory {
        host_id: "NHOSTI".into(),
        friendly_name: "inv-host".into(),
        labels: kv(&[("zone", "a")]),
        actors: vec![ActorDescription {
            id: "MACTOR".into(),
            image_ref: Some("ref".into()),
            name: Some("echo".into()),
            instances: vec![ActorInstance {
                annotations: None,
                instance_id: "i-1".into(),
                revision: 1,
            }],
        }],
        ..HostInventory::default()
    };
    let mut inv_rx = responder(
        subjects::ctl_inventory(&lattice, "NHOSTI"),
        serde_json::to_vec(&inv).unwrap(),
    )
    .await;
    let links = json!({"links": [{"actor_id": "MACTOR", "provider_id": "VPROV",
        "link_name": "default", "contract_id": "wasmcloud:keyvalue", "values": {"K": "V"}}]});
    let _l = responder(
        subjects::ctl(&lattice, "get.links"),
        serde_json::to_vec(&links).unwrap(),
    )
    .await;
    let claims = json!({"claims": [{"sub": "MACTOR", "name": "echo", "call_alias": null}]});
    let _c = responder(
        subjects::ctl(&lattice, "get.claims"),
        serde_json::to_vec(&claims).unwrap(),
    )
    .await;
    let c = client(nats().await, &lattice);
    assert_eq!(c.get_host_inventory("NHOSTI").await.unwrap(), inv);
    assert_eq!(
        inv_rx.recv().await.unwrap(),
        Value::Null,
        "empty request body"
    );
    let got = c.get_links().await.unwrap();
    assert_eq!(got.links[0].values["K"], "V");
    let got = c.get_claims().await.unwrap();
    assert_eq!(got.claims[0]["name"], "echo");
    assert_eq!(got.claims[0]["call_alias"], "");
}

#[tokio::test]
async fn start_actor_sends_upstreams_command_and_returns_the_ack() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let lattice = unique_name("la");
    let mut rx = responder(
        subjects::ctl_cmd(&lattice, "NHOSTL", "la"),
        br#"{"accepted":true,"error":""}"#.to_vec(),
    )
    .await;
    let c = client(nats().await, &lattice);
    let ack = c
        .start_actor("NHOSTL", "ghcr.io/x/echo:0.1", 2, Some(kv(&[("a", "b")])))
        .await
        .unwrap();
    assert_eq!(ack, CtlOperationAck::ok());
    assert_eq!(
        rx.recv().await.unwrap(),
        json!({"actor_ref": "ghcr.io/x/echo:0.1", "annotations": {"a": "b"}, "count": 2,
               "host_id": "NHOSTL"})
    );
}

#[tokio::test]
async fn other_commands_use_their_subjects_and_bodies() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let lattice = unique_name("cmds");
    let ok = br#"{"accepted":true,"error":""}"#.to_vec();
    let h = "NHOSTC";
    let mut sa = responder(subjects::ctl_cmd(&lattice, h, "sa"), ok.clone()).await;
    let mut scale = responder(subjects::ctl_cmd(&lattice, h, "scale"), ok.clone()).await;
    let mut lp = responder(subjects::ctl_cmd(&lattice, h, "lp"), ok.clone()).await;
    let mut sp = responder(subjects::ctl_cmd(&lattice, h, "sp"), ok.clone()).await;
    let mut stop = responder(subjects::ctl_cmd(&lattice, h, "stop"), ok.clone()).await;
    let mut put = responder(subjects::ctl(&lattice, "linkdefs.put"), ok.clone()).await;
    let mut del = responder(subjects::ctl(&lattice, "linkdefs.del"), ok).await;
    let c = client(nats().await, &lattice);

    c.stop_actor(h, "MACTOR", 0, None).await.unwrap();
    assert_eq!(
        sa.recv().await.unwrap(),
        json!({"actor_ref": "MACTOR", "count": 0, "host_id": h})
    );
    c.scale_actor(h, "ref", "MACTOR", 4, None).await.unwrap();
    assert_eq!(
        scale.recv().await.unwrap(),
        json!({"actor_id": "MACTOR", "actor_ref": "ref", "count": 4, "host_id": h})
    );
    c.start_provider(h, "pref", "", None, None).await.unwrap();
    assert_eq!(
        lp.recv().await.unwrap(),
        json!({"host_id": h, "link_name": "default", "provider_ref": "pref"})
    );
    c.stop_provider(h, "VPROV", "default", "wasmcloud:keyvalue", None)
        .await
        .unwrap();
    assert_eq!(
        sp.recv().await.unwrap(),
        json!({"contract_id": "wasmcloud:keyvalue", "host_id": h, "link_name": "default",
               "provider_ref": "VPROV"})
    );
    c.stop_host(h, Some(500)).await.unwrap();
    assert_eq!(
        stop.recv().await.unwrap(),
        json!({"host_id": h, "timeout": 500})
    );
    c.put_link(
        "MACTOR",
        "VPROV",
        "wasmcloud:keyvalue",
        "default",
        kv(&[("K", "V")]),
    )
    .await
    .unwrap();
    assert_eq!(
        put.recv().await.unwrap(),
        json!({"actor_id": "MACTOR", "provider_id": "VPROV", "link_name": "default",
               "contract_id": "wasmcloud:keyvalue", "values": {"K": "V"}})
    );
    c.delete_link("MACTOR", "wasmcloud:keyvalue", "")
        .await
        .unwrap();
    assert_eq!(
        del.recv().await.unwrap(),
        json!({"actor_id": "MACTOR", "provider_id": "", "link_name": "default",
               "contract_id": "wasmcloud:keyvalue", "values": {}})
    );
}

#[tokio::test]
async fn a_refusing_ack_is_an_error_with_its_text() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let lattice = unique_name("refuse");
    let subject = subjects::ctl_cmd(&lattice, "NHOSTR", "la");
    let _r = responder(
        subject.clone(),
        br#"{"accepted":false,"error":"actor is not allowed here"}"#.to_vec(),
    )
    .await;
    let c = client(nats().await, &lattice);
    match c.start_actor("NHOSTR", "ref", 1, None).await {
        Err(CtlError::Refused { subject: s, error }) => {
            assert_eq!(s, subject);
            assert_eq!(error, "actor is not allowed here");
        }
        other => panic!("expected Refused, got {other:?}"),
    }
}

#[tokio::test]
async fn no_responders_timeout_and_garbage_are_told_apart() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let lattice = unique_name("errors");
    let c = client(nats().await, &lattice);

    let nobody = subjects::ctl_cmd(&lattice, "NGHOST", "la");
    match c.start_actor("NGHOST", "ref", 1, None).await {
        Err(e @ CtlError::NoResponders { .. }) => {
            assert!(e.to_string().contains(&nobody), "{e}");
        }
        other => panic!("expected NoResponders, got {other:?}"),
    }

    // A host that listens but never answers.
    let silent_nc = nats().await;
    let silent_subject = subjects::ctl_inventory(&lattice, "NSILENT");
    let _silent = silent_nc.subscribe(silent_subject.clone()).await.unwrap();
    sync_with_server(&silent_nc).await.unwrap();
    match c.get_host_inventory("NSILENT").await {
        Err(CtlError::Timeout { subject, timeout }) => {
            assert_eq!(subject, silent_subject);
            assert_eq!(timeout, Duration::from_millis(700));
        }
        other => panic!("expected Timeout, got {other:?}"),
    }

    let garbage_subject = subjects::ctl_inventory(&lattice, "NGARBAGE");
    let _g = responder(garbage_subject.clone(), b"<html>".to_vec()).await;
    match c.get_host_inventory("NGARBAGE").await {
        Err(e @ CtlError::BadReply { .. }) => {
            assert!(e.to_string().contains(&garbage_subject), "{e}");
        }
        other => panic!("expected BadReply, got {other:?}"),
    }
}

#[tokio::test]
async fn auctions_gather_bids() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let lattice = unique_name("auction");
    let actor_subject = subjects::ctl(&lattice, "auction.actor");
    let bid = |h: &str| {
        serde_json::to_vec(&json!({"actor_ref": "ref", "host_id": h, "constraints": {"zone": "a"}}))
            .unwrap()
    };
    let mut rx1 = responder(actor_subject.clone(), bid("NBID1")).await;
    let _rx2 = responder(actor_subject, bid("NBID2")).await;
    let pbid = serde_json::to_vec(
        &json!({"provider_ref": "pref", "link_name": "other", "host_id": "NBID3"}),
    )
    .unwrap();
    let mut prx = responder(subjects::ctl(&lattice, "auction.provider"), pbid).await;
    let c = client(nats().await, &lattice);

    let mut bids = c
        .perform_actor_auction("ref", kv(&[("zone", "a")]))
        .await
        .unwrap();
    bids.sort_by(|a, b| a.host_id.cmp(&b.host_id));
    let hosts: Vec<&str> = bids.iter().map(|b| b.host_id.as_str()).collect();
    assert_eq!(hosts, ["NBID1", "NBID2"]);
    assert_eq!(
        rx1.recv().await.unwrap(),
        json!({"actor_ref": "ref", "constraints": {"zone": "a"}})
    );

    let pbids = c
        .perform_provider_auction("pref", "other", KeyValueMap::new())
        .await
        .unwrap();
    assert_eq!(pbids.len(), 1);
    assert_eq!(pbids[0].host_id, "NBID3");
    assert_eq!(
        prx.recv().await.unwrap(),
        json!({"constraints": {}, "link_name": "other", "provider_ref": "pref"})
    );
}

#[tokio::test]
async fn events_yield_cloud_events_and_skip_other_messages() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let lattice = unique_name("events");
    let c = client(nats().await, &lattice);
    let mut events = c.events().await.unwrap();
    let publisher = nats().await;
    let subject = subjects::events(&lattice);
    publisher
        .publish(subject.clone(), "not an event".into())
        .await
        .unwrap();
    let evt = CloudEvent::new("host_started", "NHOSTE", None, json!({"labels": {}}));
    publisher
        .publish(subject, serde_json::to_vec(&evt).unwrap().into())
        .await
        .unwrap();
    publisher.flush().await.unwrap();
    let got = tokio::time::timeout(Duration::from_secs(5), events.next())
        .await
        .expect("an event within 5 s")
        .expect("stream open");
    assert_eq!(got, evt);
    assert_eq!(got.kind(), "host_started");
}

// ------------------------------------------------------------ the CLI

async fn run_cli(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_host-min"))
            .arg("ctl")
            .args(args)
            .env("RUST_LOG", "error")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn cli_get_hosts_prints_an_aligned_table_and_json() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let lattice = unique_name("cli-hosts");
    let ping = subjects::ctl(&lattice, "ping.hosts");
    let _a = responder(ping.clone(), host_json("NHOSTONE", "a", 5)).await;
    let _b = responder(ping, host_json("NHOSTTWO", "long-friendly-name", 1234)).await;

    let out = run_cli(args(&["get", "hosts", "-x", &lattice, "-t", "700"])).await;
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].starts_with("Host ID"), "{stdout}");
    let name_col = lines[0].find("Friendly name").unwrap();
    let uptime_col = lines[0].find("Uptime (seconds)").unwrap();
    let row = lines
        .iter()
        .find(|l| l.starts_with("NHOSTTWO"))
        .expect("row of NHOSTTWO");
    assert_eq!(row.find("long-friendly-name"), Some(name_col), "{stdout}");
    assert_eq!(row.find("1234"), Some(uptime_col), "{stdout}");
    assert!(lines.iter().any(|l| l.starts_with("NHOSTONE")), "{stdout}");

    let out = run_cli(args(&[
        "get",
        "hosts",
        "--lattice",
        &lattice,
        "-t",
        "700",
        "-o",
        "json",
    ]))
    .await;
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, ["NHOSTONE", "NHOSTTWO"]);
    assert_eq!(v[0]["labels"]["hostcore.os"], "linux");
}

#[tokio::test]
async fn cli_fails_with_one_line_when_nothing_answers() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let lattice = unique_name("cli-none");
    let out = run_cli(args(&["get", "hosts", "-x", &lattice, "-t", "300"])).await;
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        format!("host-min: no hosts answered on lattice {lattice} within 300 ms\n")
    );

    let out = run_cli(args(&["stop", "host", "NNOBODY", "-x", &lattice])).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("nobody answers"), "{stderr}");
}

#[tokio::test]
async fn cli_start_actor_auctions_when_no_host_is_given() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let lattice = unique_name("cli-start");
    let mut bids = responder(
        subjects::ctl(&lattice, "auction.actor"),
        serde_json::to_vec(&json!({"actor_ref": "ref:1", "host_id": "NWINNER"})).unwrap(),
    )
    .await;
    let mut la = responder(
        subjects::ctl_cmd(&lattice, "NWINNER", "la"),
        br#"{"accepted":true,"error":""}"#.to_vec(),
    )
    .await;
    let out = run_cli(args(&[
        "start",
        "actor",
        "ref:1",
        "--count",
        "2",
        "--constraint",
        "zone=a",
        "-x",
        &lattice,
        "--auction-timeout-ms",
        "500",
    ]))
    .await;
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("NWINNER"), "{stdout}");
    assert!(stderr.contains("host NWINNER bid first"), "{stderr}");
    assert_eq!(
        bids.recv().await.unwrap(),
        json!({"actor_ref": "ref:1", "constraints": {"zone": "a"}})
    );
    assert_eq!(
        la.recv().await.unwrap(),
        json!({"actor_ref": "ref:1", "count": 2, "host_id": "NWINNER"})
    );
}

#[tokio::test]
async fn cli_link_put_and_refusal() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let lattice = unique_name("cli-link");
    let mut put = responder(
        subjects::ctl(&lattice, "linkdefs.put"),
        br#"{"accepted":true,"error":""}"#.to_vec(),
    )
    .await;
    let _del = responder(
        subjects::ctl(&lattice, "linkdefs.del"),
        br#"{"accepted":false,"error":"no such link"}"#.to_vec(),
    )
    .await;
    let out = run_cli(args(&[
        "link",
        "put",
        "MACTOR",
        "VPROV",
        "wasmcloud:keyvalue",
        "URL=redis://x",
        "-l",
        "blue",
        "-x",
        &lattice,
        "-o",
        "json",
    ]))
    .await;
    assert!(out.status.success());
    let ack: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ack, json!({"accepted": true, "error": ""}));
    let mut values = BTreeMap::new();
    values.insert("URL", "redis://x");
    assert_eq!(
        put.recv().await.unwrap(),
        json!({"actor_id": "MACTOR", "provider_id": "VPROV", "link_name": "blue",
               "contract_id": "wasmcloud:keyvalue", "values": values})
    );

    let out = run_cli(args(&[
        "link",
        "del",
        "MACTOR",
        "wasmcloud:keyvalue",
        "-x",
        &lattice,
    ]))
    .await;
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("host-min: "), "{stderr}");
    assert!(stderr.contains("no such link"), "{stderr}");
}

#[tokio::test]
async fn cli_get_inventory_prints_labels_actors_and_providers() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let lattice = unique_name("cli-inv");
    let inv = json!({
        "host_id": "NHOSTINV", "issuer": "C", "friendly_name": "inv",
        "labels": {"zone": "a"},
        "actors": [{"id": "MACTOR", "name": "echo", "image_ref": "ref:1",
                    "instances": [{"instance_id": "i-1", "revision": 0},
                                  {"instance_id": "i-2", "revision": 0}]}],
        "providers": []
    });
    let _r = responder(
        subjects::ctl_inventory(&lattice, "NHOSTINV"),
        serde_json::to_vec(&inv).unwrap(),
    )
    .await;
    let out = run_cli(args(&["get", "inventory", "NHOSTINV", "-x", &lattice])).await;
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.starts_with("Host inventory (NHOSTINV)\n"),
        "{stdout}"
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.contains(&"zone   a"), "{stdout}");
    let header = lines.iter().find(|l| l.starts_with("Actor ID")).unwrap();
    let row = lines.iter().find(|l| l.starts_with("MACTOR")).unwrap();
    assert_eq!(row.find("echo"), header.find("Name"), "{stdout}");
    assert!(row.trim_end().ends_with('2'), "two instances: {stdout}");
    assert!(lines.contains(&"No providers found"), "{stdout}");

    let out = run_cli(args(&["get", "inventory", "NOTHERE", "-x", &lattice])).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("host-min: no host NOTHERE on lattice"),
        "{stderr}"
    );
}
