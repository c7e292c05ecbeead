//! lattice-controller end to end, against real host-min processes on a
//! fresh lattice of the machine's NATS:
//! - the provider library driven through the generated sender: every query
//!   and command family, credentials, errors (upstream's texts), links put
//!   and removed (upstream's RemoveLink deleted nothing);
//! - the lattice-view example actor listing its lattice over HTTP, with the
//!   provider in the host's process and as a process of its own.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use host_min::providers::lattice_controller::LatticeControllerProvider;
use weld_e2e::host::{sign_actor, HostProc, Manifest};
use weld_e2e::http::{must_get, rt};
use weld_e2e::lattice::{alone, ctl, hosts, inventory, NATS};
use weld_e2e::{build_actor, free_addr, require_service};
use weld_interface_lattice_control::{
    ActorAuctionRequest, AdvertiseLinkRequest, GetHostInventoryRequest, HostInventory,
    LatticeController, LatticeControllerSender, RemoveLinkDefinitionRequest,
    SetLatticeCredentialsRequest, SetRegistryCredentialsRequest, StartActorCommand,
    StopActorCommand, StopProviderCommand,
};
use weld_rpc::core::LinkDefinition;
use weld_rpc::provider::{CallsFrom, Provider, ProviderContext};
use weld_rpc::{Context, Message, RpcError, RpcResult, SendOpts, Transport};

const NATS_ADDR: &str = "127.0.0.1:4222";
const CONTRACT: &str = "wasmcloud:latticecontrol";

/// The linked actor's side: this provider never calls it.
struct NoActor;

#[weld_rpc::async_trait]
impl Transport for NoActor {
    async fn send(&self, _: &Context, _: Message<'_>, _: Option<SendOpts>) -> RpcResult<Vec<u8>> {
        Err(RpcError::Other("not called".into()))
    }
}

fn provider(config: &[(&str, &str)]) -> Arc<LatticeControllerProvider> {
    let ctx = ProviderContext {
        provider_id: "VCTL".into(),
        name: "ctl".into(),
        link_name: "default".into(),
        config: config
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        data_dir: std::env::temp_dir(),
        lattice: None,
    };
    Arc::new(LatticeControllerProvider::new(ctx).expect("valid config"))
}

fn link(actor: &str) -> LinkDefinition {
    LinkDefinition {
        actor_id: actor.into(),
        provider_id: "VCTL".into(),
        link_name: "default".into(),
        contract_id: CONTRACT.into(),
        values: HashMap::new(),
    }
}

type Sender = LatticeControllerSender<CallsFrom<LatticeControllerProvider>>;

async fn linked(p: &Arc<LatticeControllerProvider>, actor: &str) -> Sender {
    p.put_link(&link(actor), Arc::new(NoActor)).await.unwrap();
    LatticeControllerSender::via(CallsFrom::actor(Arc::clone(p), actor))
}

/// Polls `inventory` until `ok` holds (commands are acked before they run).
async fn until(
    s: &Sender,
    lattice: &str,
    host: &str,
    what: &str,
    ok: impl Fn(&HostInventory) -> bool,
) -> HostInventory {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let inv = s
            .get_host_inventory(
                &Context::default(),
                &GetHostInventoryRequest {
                    lattice_id: lattice.into(),
                    host_id: host.into(),
                },
            )
            .await
            .unwrap();
        if ok(&inv) {
            return inv;
        }
        assert!(Instant::now() < deadline, "{what}: {inv:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[test]
fn the_provider_queries_and_commands_a_real_lattice() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let Some(wasm) = build_actor("examples/lattice-view") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let m = Manifest::new()
        .signed_actor("view", &wasm, &["wasmcloud:httpserver"])
        .provider("kv", "keyvalue", &[])
        .host_table("labels", &[("zone", "blue")]);
    let m = alone(m, "ctlhost");
    let host = HostProc::start(dir.path(), m.clone(), &[]);
    let lattice = m.host_value("lattice").expect("a lattice");
    let ours = ctl(&lattice);
    let found = hosts(&ours, 1);
    assert_eq!(found.len(), 1, "{}", host.log());
    let host_id = found[0].id.clone();
    let inv = inventory(&ours, &found[0]);
    let actor_id = inv.actors[0].id.clone();
    let kv_id = inv.providers[0].id.clone();
    // A second actor module to start by file reference.
    let bin = weld_e2e::host::host_min_bin(weld_e2e::host::Profile::Debug);
    let other = sign_actor(&bin, &wasm, "other", &[], dir.path());

    rt().block_on(async {
        let ctx = Context::default();
        // No config and no host lattice: upstream's error, for any lattice.
        let bare = provider(&[]);
        let s = linked(&bare, "MBARE").await;
        let e = s.get_hosts(&ctx, &lattice).await.unwrap_err();
        assert_eq!(
            e.to_string().contains(&format!(
                "No client configuration for lattice {lattice} stored"
            )),
            true,
            "{e}"
        );
        // Bad credentials are refused in the ack; good ones make the lattice
        // reachable (for every actor of this provider, as upstream).
        let bad = s
            .set_lattice_credentials(
                &ctx,
                &SetLatticeCredentialsRequest {
                    lattice_id: lattice.clone(),
                    user_seed: Some("SUnot-a-seed".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(!bad.accepted && bad.error.contains("seed"), "{bad:?}");
        let good = s
            .set_lattice_credentials(
                &ctx,
                &SetLatticeCredentialsRequest {
                    lattice_id: lattice.clone(),
                    nats_url: Some(NATS.into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(good.accepted, "{good:?}");
        let s2 = linked(&bare, "MOTHER").await;
        assert_eq!(s2.get_hosts(&ctx, &lattice).await.unwrap().len(), 1);
        // An actor without a link is refused.
        let unlinked: Sender =
            LatticeControllerSender::via(CallsFrom::actor(Arc::clone(&bare), "MNOLINK"));
        assert!(unlinked.get_hosts(&ctx, &lattice).await.is_err());

        // With a configured server: the queries.
        let p = provider(&[("URI", NATS), ("TIMEOUT_MS", "1500")]);
        let s = linked(&p, "MCTL").await;
        let hs = s.get_hosts(&ctx, &lattice).await.unwrap();
        assert_eq!(hs.len(), 1);
        assert_eq!(hs[0].id, host_id);
        assert_eq!(hs[0].lattice_prefix.as_deref(), Some(lattice.as_str()));
        assert_eq!(
            hs[0]
                .labels
                .as_ref()
                .and_then(|l| l.get("zone"))
                .map(String::as_str),
            Some("blue")
        );
        let inv = until(&s, &lattice, &host_id, "inventory", |_| true).await;
        assert_eq!(inv.host_id, host_id);
        assert_eq!(inv.labels.get("zone").map(String::as_str), Some("blue"));
        assert_eq!(inv.actors.len(), 1);
        assert_eq!(inv.actors[0].id, actor_id);
        assert_eq!(inv.actors[0].instances.len(), 1);
        assert!(inv.providers.iter().any(|p| p.id == kv_id));
        let claims = s.get_claims(&ctx, &lattice).await.unwrap();
        assert!(
            claims
                .claims
                .iter()
                .any(|c| c.get("sub").map(String::as_str) == Some(actor_id.as_str())),
            "{claims:?}"
        );
        // Another lattice on the same server shares the connection; it has
        // no hosts.
        let empty = format!("{lattice}-empty");
        assert!(s.get_hosts(&ctx, &empty).await.unwrap().is_empty());
        assert_eq!(p.open_connections().await, 1);

        // Auctions honour constraints.
        let bid = |zone: &str| ActorAuctionRequest {
            lattice_id: lattice.clone(),
            actor_ref: other.to_string_lossy().into_owned(),
            constraints: [("zone".to_string(), zone.to_string())].into(),
        };
        let acks = s.auction_actor(&ctx, &bid("blue")).await.unwrap();
        assert_eq!(acks.len(), 1, "{acks:?}");
        assert_eq!(acks[0].host_id, host_id);
        assert!(s.auction_actor(&ctx, &bid("red")).await.unwrap().is_empty());

        // Links: put, listed, removed by actor, contract and name.
        let mut ld = weld_interface_core::LinkDefinition::default();
        ld.actor_id = actor_id.clone();
        ld.provider_id = kv_id.clone();
        ld.contract_id = "wasmcloud:keyvalue".into();
        ld.link_name = "default".into();
        ld.values = [("note".to_string(), "set by an actor".to_string())].into();
        let ack = s
            .advertise_link(
                &ctx,
                &AdvertiseLinkRequest {
                    lattice_id: lattice.clone(),
                    link: ld,
                },
            )
            .await
            .unwrap();
        assert!(ack.accepted, "{ack:?}");
        let has_link = |links: &weld_interface_lattice_control::LinkDefinitionList| {
            links
                .links
                .iter()
                .any(|l| l.actor_id == actor_id && l.contract_id == "wasmcloud:keyvalue")
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let links = s.get_links(&ctx, &lattice).await.unwrap();
            if has_link(&links) {
                let l = links.links.iter().find(|l| l.actor_id == actor_id).unwrap();
                assert_eq!(l.provider_id, kv_id);
                assert_eq!(
                    l.values.get("note").map(String::as_str),
                    Some("set by an actor")
                );
                break;
            }
            assert!(Instant::now() < deadline, "link not listed: {links:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let ack = s
            .remove_link(
                &ctx,
                &RemoveLinkDefinitionRequest {
                    lattice_id: lattice.clone(),
                    actor_id: actor_id.clone(),
                    contract_id: "wasmcloud:keyvalue".into(),
                    link_name: "default".into(),
                },
            )
            .await
            .unwrap();
        assert!(ack.accepted, "{ack:?}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while has_link(&s.get_links(&ctx, &lattice).await.unwrap()) {
            assert!(Instant::now() < deadline, "the link was not removed");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        // Start an actor by file reference, then stop it.
        let ack = s
            .start_actor(
                &ctx,
                &StartActorCommand {
                    lattice_id: lattice.clone(),
                    actor_ref: other.to_string_lossy().into_owned(),
                    host_id: host_id.clone(),
                    annotations: None,
                    count: 1,
                },
            )
            .await
            .unwrap();
        assert!(ack.accepted, "{ack:?}");
        let inv = until(&s, &lattice, &host_id, "second actor started", |inv| {
            inv.actors.len() == 2
        })
        .await;
        let started = inv
            .actors
            .iter()
            .find(|a| a.id != actor_id)
            .unwrap()
            .id
            .clone();
        let ack = s
            .stop_actor(
                &ctx,
                &StopActorCommand {
                    lattice_id: lattice.clone(),
                    host_id: host_id.clone(),
                    actor_id: started.clone(),
                    count: 1,
                    annotations: None,
                },
            )
            .await
            .unwrap();
        assert!(ack.accepted, "{ack:?}");
        until(&s, &lattice, &host_id, "second actor stopped", |inv| {
            inv.actors.iter().all(|a| a.id != started)
        })
        .await;

        // A command for a host nobody answers for is an ack that says so.
        let ack = s
            .stop_provider(
                &ctx,
                &StopProviderCommand {
                    lattice_id: lattice.clone(),
                    host_id: "NNOSUCHHOST".into(),
                    provider_id: kv_id.clone(),
                    link_name: "default".into(),
                    contract_id: "wasmcloud:keyvalue".into(),
                    annotations: None,
                },
            )
            .await
            .unwrap();
        assert!(!ack.accepted, "{ack:?}");
        assert!(ack.error.contains("nobody answers"), "{ack:?}");
        // Registry credentials are published to the lattice's hosts.
        s.set_registry_credentials(
            &ctx,
            &SetRegistryCredentialsRequest {
                lattice_id: lattice.clone(),
                credentials: None,
            },
        )
        .await
        .unwrap();
        // A deleted link ends the actor's access.
        p.delete_link(&link("MCTL")).await;
        assert!(s.get_hosts(&ctx, &lattice).await.is_err());
    });
    drop(host);
}

fn view_manifest(wasm: &Path, http: SocketAddr, process: bool) -> Manifest {
    let m = Manifest::new()
        .signed_actor(
            "view",
            wasm,
            &["wasmcloud:httpserver", "wasmcloud:latticecontrol"],
        )
        .provider("http", "httpserver", &[])
        .link("view", "http", &[("address", &http.to_string())]);
    let m = if process {
        m.process_provider("ctl", "lattice-controller", &[])
    } else {
        m.provider("ctl", "lattice-controller", &[])
    };
    alone(m.link("view", "ctl", &[]), "viewhost")
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// lattice-view shows its own host, with itself and both providers, and
/// the two links; another lattice of the server has no hosts.
fn exercise_view(http: SocketAddr, m: &Manifest, host: &HostProc) {
    let lattice = m.host_value("lattice").unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let view = loop {
        let r = must_get(http, "/");
        if r.status == 200 {
            let v = json(&r.text());
            let providers = v["hosts"][0]["providers"].as_array().map_or(0, Vec::len);
            if providers == 2 {
                break v;
            }
        }
        assert!(Instant::now() < deadline, "{} {}", r.text(), host.log());
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(view["lattice"], lattice.as_str());
    let hosts = view["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 1, "{view}");
    let ours = ctl(&lattice);
    let found = weld_e2e::lattice::hosts(&ours, 1);
    assert_eq!(hosts[0]["id"], found[0].id.as_str());
    let actors = hosts[0]["actors"].as_array().unwrap();
    assert_eq!(actors.len(), 1, "{view}");
    assert_eq!(actors[0]["name"], "view");
    assert_eq!(actors[0]["instances"], 1);
    let links = json(&must_get(http, "/links").text());
    assert_eq!(links["links"].as_array().unwrap().len(), 2, "{links}");
    let contracts: Vec<&str> = links["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["contractId"].as_str().unwrap())
        .collect();
    assert!(contracts.contains(&CONTRACT), "{links}");
    let other = json(&must_get(http, &format!("/?lattice={lattice}-none")).text());
    assert_eq!(other["hosts"].as_array().map(Vec::len), Some(0), "{other}");
    assert_eq!(must_get(http, "/nowhere").status, 404);
}

/// Runs lattice-view on a fresh lattice, the provider in the host's
/// process or as its own; returns the host (dropped before its folder).
fn run_view(process: bool) -> Option<(HostProc, tempfile::TempDir)> {
    if !require_service("NATS", NATS_ADDR) {
        return None;
    }
    let wasm = build_actor("examples/lattice-view")?;
    let dir = tempfile::tempdir().unwrap();
    let http = free_addr();
    let m = view_manifest(&wasm, http, process);
    let host = HostProc::start(dir.path(), m.clone(), &[http]);
    exercise_view(http, &m, &host);
    Some((host, dir))
}

#[test]
fn lattice_view_lists_its_lattice_with_the_provider_in_the_hosts_process() {
    run_view(false);
}

#[test]
fn lattice_view_lists_its_lattice_with_the_provider_as_its_own_process() {
    let Some((host, _dir)) = run_view(true) else {
        return;
    };
    let pid = host.child_named("weld-provider-l");
    let exe = pid.and_then(|p| std::fs::read_link(format!("/proc/{p}/exe")).ok());
    assert!(
        exe.as_ref()
            .is_some_and(|e| e.ends_with("weld-provider-lattice-controller")),
        "no lattice-controller process ({exe:?}): {}",
        host.log()
    );
}
