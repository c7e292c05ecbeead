//! The provider half of the compatibility proof: a key-value capability
//! provider written against wasmCloud's published SDK (wasmbus-rpc 0.13
//! provider side, wasmcloud-interface-keyvalue 0.10;
//! tests/fixtures/upstream-kv-provider), built as the native executable an
//! upstream user would ship, runs under host-min as a provider process and
//! serves the upstream-SDK kvcounter actor across hosts on a real lattice
//! (NATS with JetStream on 127.0.0.1:4222):
//!
//! - host B runs the executable from its manifest (`path`, `contract`); the
//!   SDK's `provider_main` reads host-min's host data from stdin, connects
//!   and answers host-min's health checks;
//! - host A runs the actor and its httpserver; a link put from this process
//!   reaches the provider (its `put_link` reports the values on stderr,
//!   which B forwards into its log), and requests to A count 1, 2, 3 through
//!   the provider on B;
//! - invocations signed as a host signs them reach the provider's Set, Get,
//!   Contains and Del, and Get of the fixture's link key answers the values
//!   the link carried;
//! - deleting the link reaches `delete_link`, after which the actor's call
//!   is refused again;
//! - stopping host B gracefully reaches the SDK's shutdown handler: the
//!   provider exits by itself within the grace period, nothing is killed
//!   and nothing is left running.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use host_min::lattice::client::{connect, CtlClient};
use host_min::lattice::ctl::{Host, HostInventory};
use weld_e2e::host::{alive, HostProc, Manifest};
use weld_e2e::http::{must_get, rt};
use weld_e2e::lattice::{by_name, hosts, inventory, on_lattice, NATS};
use weld_e2e::{
    free_addr, require_service, unique_name, upstream_kv_provider_bin, upstream_kvcounter_wasm,
};
use weld_interface_keyvalue::{GetResponse, SetRequest};
use weld_rpc::common::{deserialize, serialize};
use weld_rpc::core::{InvocationResponse, WasmCloudEntity};
use weld_rpc::provider::invocation::sign_invocation;
use weld_rpc::provider::keys::{KeyPair, KeyType};

const KV: &str = "wasmcloud:keyvalue";
/// The fixture answers `Get` of this key with the caller's link values.
const LINK_KEY: &str = "upstream-kv-provider:link";

fn inventory_of(ctl: &CtlClient, hosts: &[Host], name: &str) -> HostInventory {
    inventory(ctl, by_name(hosts, name))
}

/// Waits up to 15 s for `needle` in the host's log.
fn wait_for_log(host: &HostProc, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !host.log().contains(needle) {
        assert!(
            Instant::now() < deadline,
            "`{needle}` not in the log within 15 s:\n{}",
            host.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Invokes `operation` on the provider the way a host does: a claims token
/// signed with the lattice's cluster key, from `actor`, on the provider's
/// rpc subject.
struct Caller {
    nc: async_nats::Client,
    cluster: KeyPair,
    host_id: String,
    subject: String,
    actor: String,
    provider: String,
}

impl Caller {
    fn call(&self, operation: &str, msg: Vec<u8>) -> InvocationResponse {
        let inv = sign_invocation(
            &self.cluster,
            &self.host_id,
            WasmCloudEntity {
                public_key: self.actor.clone(),
                ..Default::default()
            },
            WasmCloudEntity {
                public_key: self.provider.clone(),
                link_name: "default".into(),
                contract_id: KV.into(),
            },
            operation,
            msg,
        )
        .expect("sign invocation");
        let body = serialize(&inv).expect("encode invocation");
        let reply = rt()
            .block_on(async {
                tokio::time::timeout(
                    Duration::from_secs(10),
                    self.nc.request(self.subject.clone(), body.into()),
                )
                .await
            })
            .unwrap_or_else(|_| panic!("{operation}: no answer within 10 s"))
            .unwrap_or_else(|e| panic!("{operation}: {e}"));
        deserialize(&reply.payload).expect("decode invocation response")
    }

    fn ok<T: serde::de::DeserializeOwned>(&self, operation: &str, msg: Vec<u8>) -> T {
        let resp = self.call(operation, msg);
        assert_eq!(resp.error, None, "{operation} failed");
        deserialize(&resp.msg).unwrap_or_else(|e| panic!("{operation}: undecodable answer: {e}"))
    }
}

fn counter_body(want: i64) -> String {
    format!("{{\"counter\":{want}}}")
}

#[test]
fn an_upstream_sdk_provider_process_serves_an_upstream_sdk_actor() {
    if !require_service("NATS", "127.0.0.1:4222") {
        return;
    }
    let Some(wasm) = upstream_kvcounter_wasm() else {
        return;
    };
    let exe = upstream_kv_provider_bin();
    let lattice = unique_name("lat");
    let cluster = KeyPair::new(KeyType::Cluster);
    let seed = cluster.seed().expect("cluster seed");
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();

    // B: the upstream provider as a process. Its output reaches B's log at
    // info level under target `provider`.
    let mut b = HostProc::start_logging(
        dir_b.path(),
        on_lattice(
            Manifest::new().exe_provider("kv", &exe, KV),
            &lattice,
            &seed,
            "b",
        ),
        &[],
        "warn,provider=info",
    );
    let http: SocketAddr = free_addr();
    let a = HostProc::start(
        dir_a.path(),
        on_lattice(
            Manifest::new()
                .signed_actor("upstream", &wasm, &["wasmcloud:httpserver", KV])
                .provider("http", "httpserver", &[])
                .link("upstream", "http", &[("address", &http.to_string())]),
            &lattice,
            &seed,
            "a",
        ),
        &[http],
    );

    let ctl = rt().block_on(async {
        let nc = connect(NATS, None, None).await.expect("connect to NATS");
        CtlClient::new(nc, &lattice)
    });
    let hs = hosts(&ctl, 2);
    assert_eq!(hs.len(), 2, "both hosts answer ping.hosts: {hs:?}");
    let inv_a = inventory_of(&ctl, &hs, "a");
    let inv_b = inventory_of(&ctl, &hs, "b");
    assert_eq!(inv_a.actors.len(), 1, "{inv_a:?}");
    let actor = inv_a.actors[0].id.clone();
    let provider = inv_b
        .providers
        .iter()
        .find(|p| p.contract_id == KV)
        .unwrap_or_else(|| panic!("no keyvalue provider on B: {inv_b:?}"))
        .id
        .clone();

    // The SDK's own start-up line: the executable really is the upstream
    // provider, and it parsed host-min's host data.
    wait_for_log(&b, &format!("Starting capability provider {provider}"));

    // No link yet: the actor's call to the store is refused.
    let r = must_get(http, "/api/counter");
    assert_eq!(r.status, 500, "no link yet, yet: {}", r.text());

    let mut values = BTreeMap::new();
    values.insert("greeting".to_string(), "hello upstream".to_string());
    let ack = rt()
        .block_on(ctl.put_link(&actor, &provider, KV, "default", values))
        .expect("put link");
    assert!(ack.accepted, "link refused: {}", ack.error);
    // The provider's put_link ran with the values, as it reports on stderr.
    wait_for_log(
        &b,
        &format!(
            "put_link actor={actor} link_name=default contract={KV} values=greeting=hello upstream"
        ),
    );

    // A learns the link from the lattice's link bucket: poll for the first
    // count, then the next ones are exact.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let r = must_get(http, "/api/counter");
        if r.status == 200 {
            assert_eq!(r.text(), counter_body(1));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no count within 15 s: {} {}\nA: {}\nB: {}",
            r.status,
            r.text(),
            a.log(),
            b.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    for want in 2..=3 {
        let r = must_get(http, "/api/counter");
        assert_eq!(r.status, 200, "visit {want}: {}", r.text());
        assert_eq!(r.text(), counter_body(want));
    }

    // The other operations, invoked as host A would invoke them for the
    // actor.
    let caller = Caller {
        nc: ctl.nats().clone(),
        cluster,
        host_id: KeyPair::new(KeyType::Server).public_key(),
        subject: format!("wasmbus.rpc.{lattice}.{provider}.default"),
        actor: actor.clone(),
        provider: provider.clone(),
    };
    let got: GetResponse = caller.ok("KeyValue.Get", serialize("counter:default").unwrap());
    assert_eq!((got.exists, got.value.as_str()), (true, "3"));
    let set = SetRequest {
        key: "colour".into(),
        value: "teal".into(),
        expires: 0,
    };
    let resp = caller.call("KeyValue.Set", serialize(&set).unwrap());
    assert_eq!(resp.error, None, "Set failed");
    let got: GetResponse = caller.ok("KeyValue.Get", serialize("colour").unwrap());
    assert_eq!((got.exists, got.value.as_str()), (true, "teal"));
    assert!(caller.ok::<bool>("KeyValue.Contains", serialize("colour").unwrap()));
    assert!(caller.ok::<bool>("KeyValue.Del", serialize("colour").unwrap()));
    assert!(!caller.ok::<bool>("KeyValue.Contains", serialize("colour").unwrap()));
    assert!(!caller.ok::<bool>("KeyValue.Del", serialize("colour").unwrap()));
    let got: GetResponse = caller.ok("KeyValue.Get", serialize("colour").unwrap());
    assert!(!got.exists, "{got:?}");
    let got: GetResponse = caller.ok("KeyValue.Get", serialize(LINK_KEY).unwrap());
    assert_eq!(
        (got.exists, got.value.as_str()),
        (true, "greeting=hello upstream")
    );
    // The SDK itself refuses an actor that has no link.
    let stranger = Caller {
        actor: KeyPair::new(KeyType::Module).public_key(),
        ..caller
    };
    let resp = stranger.call("KeyValue.Get", serialize("counter:default").unwrap());
    let error = resp.error.unwrap_or_default();
    assert!(error.contains("unlinked actor"), "{error:?}");

    // Deleting the link reaches the provider, and the actor is refused.
    let ack = rt()
        .block_on(ctl.delete_link(&actor, KV, "default"))
        .expect("delete link");
    assert!(ack.accepted, "link deletion refused: {}", ack.error);
    wait_for_log(&b, &format!("delete_link actor={actor}"));
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let r = must_get(http, "/api/counter");
        if r.status == 500 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still served 15 s after the link was deleted: {} {}",
            r.status,
            r.text()
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let pid = b
        .child_named("upstream-kv")
        .unwrap_or_else(|| panic!("no provider process under B"));
    b.stop();
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(pid) {
        assert!(
            Instant::now() < deadline,
            "provider {pid} still runs after B stopped"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = b.log();
    assert!(
        !log.contains("did not exit within the grace period"),
        "the provider ignored host-min's shutdown request:\n{log}"
    );
}
