//! Helpers of the lattice tests and bench: hosts on one NATS lattice, seen
//! through host-min's control client.

use std::time::{Duration, Instant};

use host_min::lattice::client::{connect, CtlClient};
use host_min::lattice::ctl::{Host, HostInventory};

use crate::host::Manifest;
use crate::http::rt;

/// The NATS server (with JetStream) the lattice tests use.
pub const NATS: &str = "nats://127.0.0.1:4222";

/// `m` as a host named `name` on `lattice`, signing with cluster `seed`.
pub fn on_lattice(m: Manifest, lattice: &str, seed: &str, name: &str) -> Manifest {
    m.host("nats", NATS)
        .host("lattice", lattice)
        .host("cluster_seed", seed)
        .host("friendly_name", name)
}

/// A fresh cluster seed (`SC...`): the key a lattice's hosts sign
/// invocations with.
pub fn cluster_seed() -> String {
    host_min::claims::keys::KeyPair::new(host_min::claims::keys::KeyType::Cluster)
        .seed()
        .expect("a new key has a seed")
}

/// `m` as the only host (named `name`) of a fresh lattice with a fresh
/// cluster key: for tests that need provider processes, not other hosts.
pub fn alone(m: Manifest, name: &str) -> Manifest {
    on_lattice(m, &crate::unique_name(name), &cluster_seed(), name)
}

/// A control client of `lattice`.
pub fn ctl(lattice: &str) -> CtlClient {
    rt().block_on(async {
        let nc = connect(NATS, None, None).await.expect("connect to NATS");
        CtlClient::new(nc, lattice)
    })
}

/// Waits (up to 20 s) until `want` hosts answer `ping.hosts`; returns
/// those that answered last.
pub fn hosts(ctl: &CtlClient, want: usize) -> Vec<Host> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let hosts = rt().block_on(ctl.get_hosts()).expect("ping hosts");
        if hosts.len() >= want || Instant::now() > deadline {
            return hosts;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The host with friendly name `name`.
pub fn by_name<'a>(hosts: &'a [Host], name: &str) -> &'a Host {
    hosts
        .iter()
        .find(|h| h.friendly_name == name)
        .unwrap_or_else(|| panic!("no host `{name}` in {hosts:?}"))
}

/// The inventory of `host`.
pub fn inventory(ctl: &CtlClient, host: &Host) -> HostInventory {
    rt().block_on(ctl.get_host_inventory(&host.id))
        .expect("inventory")
}

/// Links `actor` to keyvalue provider `provider` (link name `link_name`,
/// empty = `default`) through the control interface; the hosts must accept.
pub fn put_kv_link(ctl: &CtlClient, actor: &str, provider: &str, link_name: &str) {
    let ack = rt()
        .block_on(ctl.put_link(
            actor,
            provider,
            "wasmcloud:keyvalue",
            link_name,
            Default::default(),
        ))
        .expect("put link");
    assert!(ack.accepted, "link refused: {}", ack.error);
}
