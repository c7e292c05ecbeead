//! Several host-min processes on one lattice (real NATS with JetStream on
//! 127.0.0.1:4222), driven by a control client in this process.
//!
//! - kvcounter and its httpserver run on host A, its keyvalue provider on
//!   host B; a link put from this (third) process takes effect and 1000
//!   requests over 50 connections to A count exactly;
//! - `get hosts` lists both hosts; the inventory of each shows what it runs;
//! - a 2 MiB value crosses hosts both ways (object-store chunking);
//! - a host with another cluster seed cannot invoke the lattice's actors.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use host_min::claims::keys::{KeyPair, KeyType};
use host_min::lattice::client::{connect, CtlClient};
use host_min::lattice::ctl::Host;
use weld_e2e::host::{alive, HostProc, Manifest};
use weld_e2e::http::{counter_of, get_until_ok, load, must_get, rt};
use weld_e2e::lattice::{by_name, ctl, hosts, inventory, on_lattice, put_kv_link};
use weld_e2e::{free_addr, kvblob_wasm, kvcounter_wasm, require_service, unique_name};

/// Host B runs the keyvalue provider; host A runs kvcounter and its
/// httpserver; returns them with A's HTTP address, kvcounter's id and the
/// provider's id (the link between them is not put).
struct TwoHosts {
    a: HostProc,
    b: HostProc,
    http: SocketAddr,
    actor: String,
    provider: String,
    ctl: CtlClient,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

fn two_hosts(lattice: &str, seed: &str) -> Option<TwoHosts> {
    let wasm = kvcounter_wasm()?;
    Some(pair(
        &wasm,
        "kvcounter",
        Manifest::new().provider("kv", "keyvalue", &[]),
        |m, name| on_lattice(m, lattice, seed, name),
        ctl(lattice),
    ))
}

/// Host B from `store` (its keyvalue provider), host A running `actor`
/// (from `wasm`) with an httpserver; each manifest goes through `join`
/// (the lattice settings, given the friendly name). Checks that `ctl` sees
/// both and what each runs.
fn pair(
    wasm: &std::path::Path,
    actor: &str,
    store: Manifest,
    join: impl Fn(Manifest, &str) -> Manifest,
    ctl: CtlClient,
) -> TwoHosts {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let b = HostProc::start(dir_b.path(), join(store, "b"), &[]);
    let http = free_addr();
    let a = HostProc::start(
        dir_a.path(),
        join(
            Manifest::new()
                .signed_actor(actor, wasm, &["wasmcloud:httpserver", "wasmcloud:keyvalue"])
                .provider("http", "httpserver", &[])
                .link(actor, "http", &[("address", &http.to_string())]),
            "a",
        ),
        &[http],
    );
    let hs = hosts(&ctl, 2);
    assert_eq!(hs.len(), 2, "both hosts answer ping.hosts: {hs:?}");
    let inv_a = inventory(&ctl, by_name(&hs, "a"));
    let inv_b = inventory(&ctl, by_name(&hs, "b"));
    assert_eq!(inv_a.actors.len(), 1, "{inv_a:?}");
    assert_eq!(inv_a.actors[0].name.as_deref(), Some(actor));
    assert!(inv_b.actors.is_empty(), "{inv_b:?}");
    let kv = inv_b
        .providers
        .iter()
        .find(|p| p.contract_id == "wasmcloud:keyvalue")
        .unwrap_or_else(|| panic!("no keyvalue provider on B: {inv_b:?}"));
    TwoHosts {
        actor: inv_a.actors[0].id.clone(),
        provider: kv.id.clone(),
        a,
        b,
        http,
        ctl,
        _dirs: (dir_a, dir_b),
    }
}

/// Puts the kvcounter -> keyvalue link from this process and waits until
/// host A serves a count.
fn link_and_wait(t: &TwoHosts) {
    put_kv_link(&t.ctl, &t.actor, &t.provider, "default");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let links = rt().block_on(t.ctl.get_links()).expect("get links");
        if links
            .links
            .iter()
            .any(|l| l.actor_id == t.actor && l.provider_id == t.provider)
        {
            break;
        }
        assert!(Instant::now() < deadline, "link not listed: {links:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn kvcounter_on_a_with_its_store_on_b_counts_exactly() {
    if !require_service("NATS", "127.0.0.1:4222") {
        return;
    }
    let lattice = unique_name("lat");
    let seed = KeyPair::new(KeyType::Cluster).seed().unwrap();
    let Some(t) = two_hosts(&lattice, &seed) else {
        return;
    };
    // Before the link: the actor's call to the store is refused.
    let r = must_get(t.http, "/api/counter");
    assert_ne!(r.status, 200, "no link yet, yet: {}", r.text());
    link_and_wait(&t);
    // A's table learns the link from the bucket: poll until a count comes.
    let deadline = Instant::now() + Duration::from_secs(10);
    let first = loop {
        let r = must_get(t.http, "/api/counter");
        if r.status == 200 {
            break counter_of(&r.text());
        }
        assert!(
            Instant::now() < deadline,
            "no count within 10 s: {} {}\nA: {}\nB: {}",
            r.status,
            r.text(),
            t.a.log(),
            t.b.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(first, 1);
    let report = load(t.http, "/api/counter", 50, 1000);
    assert_eq!(report.errors, 0, "{:?}", report.first_error);
    assert_eq!(
        report.ok(),
        1000,
        "statuses {:?}, first failure {:?}",
        report.statuses,
        report.first_failure_body
    );
    let last = counter_of(&must_get(t.http, "/api/counter").text());
    assert_eq!(last, 1002, "1 + 1000 + 1 increments, each exactly once");
    // The link is the lattice's: listed by claims/links queries too.
    let claims = rt().block_on(t.ctl.get_claims()).expect("claims");
    assert!(
        claims
            .claims
            .iter()
            .any(|c| c.get("sub") == Some(&t.actor) && c.get("name").is_some()),
        "kvcounter's claims in {claims:?}"
    );
}

#[test]
fn a_host_with_another_cluster_seed_cannot_invoke_the_lattices_actors() {
    if !require_service("NATS", "127.0.0.1:4222") {
        return;
    }
    let lattice = unique_name("lat");
    let seed = KeyPair::new(KeyType::Cluster).seed().unwrap();
    let Some(t) = two_hosts(&lattice, &seed) else {
        return;
    };
    link_and_wait(&t);
    // Every host learns the link from the bucket on its own time: wait
    // until B's provider serves A's actor.
    let deadline = Instant::now() + Duration::from_secs(10);
    while must_get(t.http, "/api/counter").status != 200 {
        assert!(Instant::now() < deadline, "the link never took effect");
        std::thread::sleep(Duration::from_millis(100));
    }
    // A third party on the same NATS signs with its own cluster key: host B
    // (the provider) refuses its invocations with upstream's issuer error.
    let rogue = KeyPair::new(KeyType::Cluster);
    // One `KeyValue.Increment` of key `x`, signed by `signer`, sent
    // straight to B's provider subject.
    let increment = |signer: &KeyPair| {
        let inv = weld_rpc::provider::invocation::sign_invocation(
            signer,
            &KeyPair::new(KeyType::Server).public_key(),
            weld_rpc::core::WasmCloudEntity {
                public_key: t.actor.clone(),
                ..Default::default()
            },
            weld_rpc::core::WasmCloudEntity {
                public_key: t.provider.clone(),
                link_name: "default".into(),
                contract_id: "wasmcloud:keyvalue".into(),
            },
            "KeyValue.Increment",
            weld_rpc::common::serialize(&serde_json::json!({"key": "x", "value": 1})).unwrap(),
        )
        .unwrap();
        let reply = rt().block_on(async {
            t.ctl
                .nats()
                .request(
                    format!("wasmbus.rpc.{lattice}.{}.default", t.provider),
                    weld_rpc::common::serialize(&inv).unwrap().into(),
                )
                .await
                .expect("a reply")
        });
        weld_rpc::common::deserialize::<weld_rpc::core::InvocationResponse>(&reply.payload)
            .expect("InvocationResponse")
    };
    let resp = increment(&rogue);
    let err = resp.error.expect("refused");
    assert!(err.contains("issuer"), "{err}");
    // The same call signed with the lattice's seed goes through.
    let resp = increment(&KeyPair::from_seed(&seed).unwrap());
    assert_eq!(resp.error, None);
    let n: i32 = weld_rpc::common::deserialize(&resp.msg).unwrap();
    assert_eq!(n, 1, "a fresh key `x` counts from 1");
}

/// A raw HTTP/1.1 request with a body, read to the end (the server closes).
fn http(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).expect("read reply");
    let head_end = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of head");
    let head = String::from_utf8_lossy(&out[..head_end]).to_string();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let mut body = out[head_end + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    (status, body)
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = b
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size line");
        let n = usize::from_str_radix(std::str::from_utf8(&b[..eol]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
        b = &b[eol + 2 + n + 2..];
    }
}

#[test]
fn a_two_mib_value_is_set_and_read_back_across_hosts() {
    if !require_service("NATS", "127.0.0.1:4222") {
        return;
    }
    let Some(wasm) = kvblob_wasm() else {
        return;
    };
    let lattice = unique_name("lat");
    let seed = KeyPair::new(KeyType::Cluster).seed().unwrap();
    let t = pair(
        &wasm,
        "kvblob",
        Manifest::new().provider("kv", "keyvalue", &[]),
        |m, name| on_lattice(m, &lattice, &seed, name),
        ctl(&lattice),
    );
    let (a, ctl, actor, provider, addr) = (&t.a, &t.ctl, &t.actor, &t.provider, t.http);
    put_kv_link(&ctl, &actor, &provider, "");
    // 2 MiB of text, not one repeated byte: a swapped or lost chunk shows.
    let value: Vec<u8> = (0..2 * 1024 * 1024u32)
        .map(|i| b'a' + ((i * 7 + i / 1024) % 26) as u8)
        .collect();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (status, body) = http(addr, "PUT", "/kv/big", &value);
        if status == 204 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "PUT: {status} {}\nA: {}",
            String::from_utf8_lossy(&body),
            a.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let (status, body) = http(addr, "GET", "/kv/big", &[]);
    assert_eq!(
        status,
        200,
        "{}",
        String::from_utf8_lossy(&body[..body.len().min(300)])
    );
    assert_eq!(body.len(), value.len());
    assert!(body == value, "the value read back differs");
    // Nothing is left behind in the chunk store: readers delete objects.
    let left = rt().block_on(async {
        let js = async_nats::jetstream::new(ctl.nats().clone());
        let store = js
            .get_object_store(&lattice)
            .await
            .expect("chunk bucket exists");
        let mut list = store.list().await.expect("list");
        let mut n = 0;
        while let Some(o) = futures_util::StreamExt::next(&mut list).await {
            if o.map(|o| !o.deleted).unwrap_or(false) {
                n += 1;
            }
        }
        n
    });
    assert_eq!(left, 0, "chunk objects left in the bucket");
}

/// Runs `host-min ARGS` (the debug binary the hosts run) and returns its
/// stdout, panicking with its output unless it succeeds.
fn host_min(args: &[&str]) -> String {
    let bin = weld_e2e::host::host_min_bin(weld_e2e::host::Profile::Debug);
    let out = std::process::Command::new(&bin)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", bin.display()));
    assert!(
        out.status.success(),
        "host-min {args:?} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_provider_process_killed_with_sigkill_is_restarted_and_loses_no_acknowledged_increment() {
    if !require_service("NATS", "127.0.0.1:4222") || !weld_e2e::redis_store::require_redis() {
        return;
    }
    let Some(wasm) = kvcounter_wasm() else {
        return;
    };
    let lattice = unique_name("lat");
    let seed = KeyPair::new(KeyType::Cluster).seed().unwrap();
    let counter: String = unique_name("c")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let mut cleanup = weld_e2e::redis_store::Cleanup::default();
    cleanup.key(format!("counter:{counter}"));
    let mut t = pair(
        &wasm,
        "kvcounter",
        Manifest::new().process_provider("kv", "keyvalue-redis", &[]),
        |m, name| on_lattice(m, &lattice, &seed, name),
        ctl(&lattice),
    );
    // A third process, the CLI: both hosts listed, then the link put.
    let hosts_json = host_min(&["ctl", "get", "hosts", "-x", &lattice, "-o", "json"]);
    let hosts: Vec<Host> = serde_json::from_str(&hosts_json).expect("hosts JSON");
    let mut names: Vec<&str> = hosts.iter().map(|h| h.friendly_name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["a", "b"], "{hosts_json}");
    let table = host_min(&["ctl", "get", "hosts", "-x", &lattice]);
    for h in &hosts {
        assert!(table.contains(&h.id), "{table}");
    }
    let (actor, provider, http) = (t.actor.clone(), t.provider.clone(), t.http);
    let b = &mut t.b;
    let url = format!("URL={}", weld_e2e::redis_store::redis_url());
    host_min(&[
        "ctl",
        "link",
        "put",
        &actor,
        &provider,
        "wasmcloud:keyvalue",
        &url,
        "-x",
        &lattice,
    ]);
    let path = format!("/api/counter/{counter}");
    let r = get_until_ok(http, &path, Duration::from_secs(15), || {
        format!("B: {}", b.log())
    });
    assert_eq!(counter_of(&r.text()), 1);
    let first_pid = b
        .child_named("weld-provider")
        .expect("the provider runs as a child of host B");

    // Load while the provider is killed: every 200 is an increment that
    // was acknowledged and must be in the store at the end.
    let (acked, kill_after) = (
        std::sync::Arc::new(std::sync::atomic::AtomicI64::new(1)),
        50,
    );
    let loader = {
        let (acked, path) = (acked.clone(), path.clone());
        std::thread::spawn(move || {
            for i in 0..400 {
                if i == kill_after {
                    let _ = std::process::Command::new("kill")
                        .args(["-9", &first_pid.to_string()])
                        .status();
                }
                if let Ok(r) = weld_e2e::http::request(http, "GET", &path) {
                    if r.status == 200 {
                        acked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    loader.join().unwrap();
    // Restarted by host B, with a new pid, and serving again.
    let deadline = Instant::now() + Duration::from_secs(20);
    let final_count = loop {
        let r = must_get(http, &path);
        if r.status == 200 {
            acked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            break counter_of(&r.text());
        }
        assert!(
            Instant::now() < deadline,
            "not serving again: {}\nB: {}",
            r.text(),
            b.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let second_pid = b.child_named("weld-provider").expect("restarted provider");
    assert_ne!(first_pid, second_pid);
    assert!(!alive(first_pid));
    let acked = acked.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        final_count >= acked,
        "the store holds {final_count} increments, {acked} were acknowledged"
    );
    // Health and restarts are visible: the link was put again.
    assert!(
        b.log().contains("provider process exited") || b.log().contains("exited"),
        "{}",
        b.log()
    );

    // Stopping host B stops its provider: no orphan.
    b.stop();
    let deadline = Instant::now() + Duration::from_secs(5);
    while alive(second_pid) {
        assert!(
            Instant::now() < deadline,
            "provider {second_pid} outlived host B"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A NATS server of this test's own (JetStream on), accepting only the nkey
/// user `user`; killed on drop.
struct AuthNats {
    child: std::process::Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for AuthNats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nats_with_nkey_user(user: &str) -> Option<AuthNats> {
    let server = ["/usr/sbin/nats-server", "/usr/bin/nats-server"]
        .into_iter()
        .find(|p| std::path::Path::new(p).is_file())?;
    let dir = tempfile::tempdir().unwrap();
    let port = weld_e2e::free_port();
    let conf = dir.path().join("nats.conf");
    std::fs::write(
        &conf,
        format!(
            "listen: 127.0.0.1:{port}\njetstream {{ store_dir: {:?} }}\n\
             authorization {{ users = [ {{ nkey: {user} }} ] }}\n",
            dir.path().join("js").display().to_string()
        ),
    )
    .unwrap();
    let child = std::process::Command::new(server)
        .arg("-c")
        .arg(&conf)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    assert!(
        weld_e2e::wait_for_port(addr, Duration::from_secs(10)),
        "nats-server did not start"
    );
    Some(AuthNats {
        child,
        url: format!("nats://127.0.0.1:{port}"),
        _dir: dir,
    })
}

#[test]
fn hosts_and_provider_processes_join_a_nats_server_that_wants_nkey_users() {
    if !require_service("NATS", "127.0.0.1:4222") {
        return;
    }
    let Some(wasm) = kvcounter_wasm() else {
        return;
    };
    let user = KeyPair::new(KeyType::User);
    let Some(nats) = nats_with_nkey_user(&user.public_key()) else {
        assert!(!weld_e2e::in_ci(), "nats-server is needed under CI");
        return;
    };
    let user_seed = user.seed().unwrap();
    let lattice = unique_name("lat");
    let seed = KeyPair::new(KeyType::Cluster).seed().unwrap();
    let with_auth = |m: Manifest, name: &str| {
        m.host("nats", &nats.url)
            .host("nats_seed", &user_seed)
            .host("lattice", &lattice)
            .host("cluster_seed", &seed)
            .host("friendly_name", name)
    };
    let ctl = rt().block_on(async {
        let nc = connect(&nats.url, None, Some(&user_seed))
            .await
            .expect("the nkey user connects");
        CtlClient::new(nc, &lattice)
    });
    let t = pair(
        &wasm,
        "kvcounter",
        Manifest::new().process_provider("kv", "keyvalue", &[]),
        with_auth,
        ctl,
    );
    let (a, ctl, actor, provider, http) = (&t.a, &t.ctl, &t.actor, &t.provider, t.http);
    put_kv_link(&ctl, &actor, &provider, "");
    let r = get_until_ok(http, "/api/counter", Duration::from_secs(15), || {
        format!("A: {}", a.log())
    });
    assert_eq!(counter_of(&r.text()), 1);
    // Without the user's seed, a host is refused with a clear error.
    let dir_c = tempfile::tempdir().unwrap();
    let manifest = dir_c.path().join("app.toml");
    std::fs::write(
        &manifest,
        format!("[host]\nnats = {:?}\nlattice = {lattice:?}\n", nats.url),
    )
    .unwrap();
    let out =
        std::process::Command::new(weld_e2e::host::host_min_bin(weld_e2e::host::Profile::Debug))
            .arg("up")
            .arg(&manifest)
            .arg("--no-admin")
            .output()
            .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("connecting to NATS at"), "{err}");
}

#[test]
fn a_restarted_host_replays_the_lattices_links_and_events_tell_what_happened() {
    if !require_service("NATS", "127.0.0.1:4222") {
        return;
    }
    let lattice = unique_name("lat");
    // Events from before the hosts start.
    let ctl0 = ctl(&lattice);
    let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    {
        let mut stream = rt().block_on(ctl0.events()).expect("subscribe to events");
        let events = events.clone();
        rt().spawn(async move {
            while let Some(ev) = futures_util::StreamExt::next(&mut stream).await {
                events.lock().unwrap().push(ev);
            }
        });
    }
    let seed = KeyPair::new(KeyType::Cluster).seed().unwrap();
    let Some(mut t) = two_hosts(&lattice, &seed) else {
        return;
    };
    link_and_wait(&t);
    let deadline = Instant::now() + Duration::from_secs(10);
    while must_get(t.http, "/api/counter").status != 200 {
        assert!(Instant::now() < deadline, "A never counted");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Host A restarts: its manifest has no keyvalue link, the lattice has.
    t.a.stop();
    t.a.restart();
    assert!(weld_e2e::wait_for_port(t.http, Duration::from_secs(30)));
    let r = must_get(t.http, "/api/counter");
    assert_eq!(r.status, 200, "after restart: {}\n{}", r.text(), t.a.log());
    assert_eq!(
        counter_of(&r.text()),
        2,
        "the count goes on after a restart"
    );
    // Deleting the link on the lattice takes it away on A.
    let ack = rt()
        .block_on(t.ctl.delete_link(&t.actor, "wasmcloud:keyvalue", "default"))
        .expect("delete link");
    assert!(ack.accepted, "{}", ack.error);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = must_get(t.http, "/api/counter");
        if r.status != 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the link is still in effect on A"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(300));
    let seen = events.lock().unwrap().clone();
    let kinds: Vec<&str> = seen.iter().map(|e| e.kind()).collect();
    let count = |k: &str| kinds.iter().filter(|x| **x == k).count();
    assert!(count("host_started") >= 3, "a, b, a again: {kinds:?}");
    assert!(count("host_stopped") >= 1, "{kinds:?}");
    assert!(count("actor_started") >= 2, "{kinds:?}");
    assert!(count("provider_started") >= 2, "{kinds:?}");
    let set = seen
        .iter()
        .find(|e| e.kind() == "linkdef_set" && e.data["contract_id"] == "wasmcloud:keyvalue")
        .unwrap_or_else(|| panic!("no linkdef_set for the keyvalue link: {kinds:?}"));
    assert_eq!(set.data["actor_id"], t.actor.as_str());
    assert_eq!(set.data["provider_id"], t.provider.as_str());
    assert_eq!(set.source, "n/a");
    assert!(count("linkdef_deleted") >= 1, "{kinds:?}");
    let started = seen.iter().find(|e| e.kind() == "actor_started").unwrap();
    assert_eq!(started.data["claims"]["name"], "kvcounter");
    assert_eq!(started.specversion, "1.0");
}

/// `rpc_timeout_ms` in `[host]` bounds a call across the lattice: an actor
/// whose provider never answers (a NATS subscriber of this test on the
/// provider's subject) fails after that long, not after the 2 s default.
#[test]
fn the_hosts_rpc_timeout_bounds_a_call_to_a_provider_that_never_answers() {
    if !require_service("NATS", "127.0.0.1:4222") {
        return;
    }
    let Some(wasm) = kvcounter_wasm() else {
        return;
    };
    let lattice = unique_name("lat");
    let seed = weld_e2e::lattice::cluster_seed();
    let dir = tempfile::tempdir().unwrap();
    let http = free_addr();
    let _a = HostProc::start(
        dir.path(),
        on_lattice(
            Manifest::new()
                .signed_actor(
                    "kvcounter",
                    &wasm,
                    &["wasmcloud:httpserver", "wasmcloud:keyvalue"],
                )
                .provider("http", "httpserver", &[])
                .link("kvcounter", "http", &[("address", &http.to_string())]),
            &lattice,
            &seed,
            "a",
        )
        .host_num("rpc_timeout_ms", 300),
        &[http],
    );
    let ctl = ctl(&lattice);
    let hs = hosts(&ctl, 1);
    let actor = inventory(&ctl, by_name(&hs, "a")).actors[0].id.clone();
    // A provider id no host runs; this test listens on its subject and
    // never replies.
    let provider = KeyPair::new(KeyType::Service).public_key();
    let mut silent = rt().block_on(async {
        let sub = ctl
            .nats()
            .subscribe(format!("wasmbus.rpc.{lattice}.{provider}.default"))
            .await
            .expect("subscribe");
        ctl.nats().flush().await.expect("flush");
        sub
    });
    put_kv_link(&ctl, &actor, &provider, "default");
    // The host learns the link from the bucket: until then the actor has
    // no link (500 at once, nothing on the subject).
    let deadline = Instant::now() + Duration::from_secs(10);
    let elapsed = loop {
        let t = Instant::now();
        let r = must_get(http, "/api/counter");
        let took = t.elapsed();
        assert_ne!(r.status, 200, "nothing answers the provider's subject");
        let heard = rt().block_on(async {
            tokio::time::timeout(
                Duration::from_millis(50),
                futures_util::StreamExt::next(&mut silent),
            )
            .await
            .ok()
            .flatten()
        });
        if heard.is_some() {
            break took;
        }
        assert!(
            Instant::now() < deadline,
            "the invocation never reached the provider's subject"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_millis(1500),
        "the call gave up after {elapsed:?}: rpc_timeout_ms is 300 (default 2000)"
    );
}
