//! What the lattice costs (issue 12), measured as ratios in one run against
//! baselines run in the same process:
//!
//! 1. Call latency (p50/p90/p99 over `WELD_BENCH_CALLS` calls, default 3000,
//!    one at a time; (a) and (b) alternate in 5 rounds) of `KeyValue.Increment` (a durable write: the embedded
//!    store commits in every call) and of `KeyValue.Contains` (a read, where
//!    the provider's own work is negligible):
//!    - (a) raw NATS request-reply of the same bytes (the serialized signed
//!      invocation) between two async-nats clients: this process and a
//!      plain echo responder in a process of its own, as (b)'s provider is;
//!    - (b) a signed invocation from this process to `weld-provider-keyvalue`
//!      running as its own process (started by a release `host-min up` with
//!      `process = true`), through `HostBridge::invoke`, the path a host uses;
//!    - (c) the same provider kind in process: built from
//!      `ProviderRegistry::with_builtins()`, called with `Provider::handle`.
//!
//!    Aim: p50 of (b) <= 1.5x p50 of (a), judged on the read: on the write,
//!    (b) and (c) both include the commit, which raw NATS does not.
//! 2. Throughput of kvcounter over HTTP, `WELD_BENCH_CONNS` connections
//!    (default 50): (i) kvcounter and keyvalue in one host; (ii) kvcounter on
//!    host A, keyvalue as a provider process on host B, one lattice.
//!    Aim: (ii) >= 50% of (i).
//! 3. No regression for a single host: (i) again with the host joined to a
//!    lattice (`[host] nats`), still calling its in-process provider.
//!
//! Load: `wrk` when installed (`WELD_BENCH_SECS` seconds per run, default
//! 3), else the built-in closed-loop generator (`WELD_BENCH_REQUESTS` per
//! run, default 10000). Needs NATS with JetStream on 127.0.0.1:4222.
//!
//! Run: `cargo build --release --workspace --bins && cargo bench -p weld-e2e --bench lattice`.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};
use weld_test_support::verdict;

use futures_util::StreamExt;
use host_min::claims::keys::{KeyPair, KeyType};
use host_min::lattice::client::connect;
use host_min::providers::{ActorOrigin, ProviderContext, ProviderRegistry};
use weld_e2e::bench::{env_u64, series, us, Lat, Loader, Run};
use weld_e2e::host::{app, host_min_bin, HostProc, Manifest, Profile, Store};
use weld_e2e::http::{must_get, rt};
use weld_e2e::lattice::{by_name, ctl, hosts, inventory, on_lattice, put_kv_link, NATS};
use weld_e2e::{free_addr, kvcounter_wasm, require_service, unique_name};
use weld_rpc::common::{deserialize, serialize, Message};
use weld_rpc::core::{HostData, LinkDefinition, WasmCloudEntity};
use weld_rpc::provider::HostBridge;

/// One keyvalue operation the latency series call.
struct Op {
    method: &'static str,
    arg: Vec<u8>,
    /// Checks the reply decodes to the operation's output type.
    check: fn(&[u8]) -> bool,
}

impl Op {
    /// A durable write: the store's own work (a commit) is in every call.
    fn increment() -> Op {
        Op {
            method: "KeyValue.Increment",
            arg: serialize(&serde_json::json!({"key": "bench-lattice", "value": 1}))
                .expect("encode IncrementRequest"),
            check: |out| deserialize::<i32>(out).is_ok(),
        }
    }

    /// A read from memory: nearly all of a call is the path to the provider.
    fn contains() -> Op {
        Op {
            method: "KeyValue.Contains",
            arg: serialize(&"bench-lattice").expect("encode key"),
            check: |out| deserialize::<bool>(out).is_ok(),
        }
    }
}

/// Set on the child process that plays (a)'s echo responder: the subject.
const ECHO_ENV: &str = "WELD_BENCH_ECHO_SUBJECT";

/// The echo responder of (a), run in a process of its own (this bench
/// binary again, with [`ECHO_ENV`] set), as the provider of (b) is: a
/// responder in the requester's process shares its busy threads and skips
/// the wake-up of an idle process that every lattice call pays.
fn echo_responder(subject: String) {
    rt().block_on(async move {
        let nc = connect(NATS, None, None).await.expect("connect responder");
        let mut sub = nc.subscribe(subject).await.expect("subscribe");
        nc.flush().await.expect("flush");
        println!("ready");
        while let Some(m) = sub.next().await {
            if let Some(reply) = m.reply {
                let _ = nc.publish(reply, m.payload).await;
            }
        }
    });
}

/// (a): requests from this process to the echo responder in another.
async fn raw_nats(payload: Vec<u8>, calls: u64) -> Vec<Duration> {
    use std::io::BufRead;
    let requester = connect(NATS, None, None).await.expect("connect requester");
    let subject = format!("weld.bench.echo.{}", unique_name("e"));
    let mut child = Command::new(std::env::current_exe().expect("bench binary"))
        .env(ECHO_ENV, &subject)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the echo responder");
    let mut ready = String::new();
    std::io::BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut ready)
        .expect("read from the echo responder");
    assert_eq!(ready.trim(), "ready", "echo responder did not start");
    let payload = bytes::Bytes::from(payload);
    let lat = series(calls, || {
        let (requester, subject, payload) = (&requester, subject.clone(), payload.clone());
        async move {
            let r = requester.request(subject, payload).await.expect("echo");
            assert!(!r.payload.is_empty());
        }
    })
    .await;
    let _ = child.kill();
    let _ = child.wait();
    lat
}

/// (b): signed invocations through a bridge holding the lattice's cluster
/// seed, to the provider process on host B.
async fn over_lattice(
    lattice: &str,
    seed: &str,
    actor: &str,
    provider: &str,
    op: &Op,
    calls: u64,
) -> (Vec<Duration>, usize) {
    let nc = connect(NATS, None, None).await.expect("connect bridge");
    let bridge = HostBridge::new_client(
        nc,
        HostData {
            host_id: KeyPair::new(KeyType::Server).public_key(),
            lattice_rpc_prefix: lattice.to_string(),
            invocation_seed: seed.to_string(),
            provider_key: KeyPair::new(KeyType::Service).public_key(),
            link_name: "default".into(),
            ..Default::default()
        },
    )
    .expect("bridge");
    let subject = format!("wasmbus.rpc.{lattice}.{provider}.default");
    let origin = WasmCloudEntity {
        public_key: actor.to_string(),
        ..Default::default()
    };
    let target = WasmCloudEntity {
        public_key: provider.to_string(),
        link_name: "default".into(),
        contract_id: "wasmcloud:keyvalue".into(),
    };
    let arg = op.arg.clone();
    // The wire size of one invocation, for the raw NATS baseline.
    let wire = weld_rpc::provider::invocation::sign_invocation(
        &KeyPair::from_seed(seed).expect("seed"),
        &bridge.host_id().to_string(),
        origin.clone(),
        target.clone(),
        op.method,
        arg.clone(),
    )
    .expect("sign");
    let wire_len = serialize(&wire).expect("encode invocation").len();
    let lat = series(calls, || {
        let (bridge, subject, origin, target, arg) = (
            &bridge,
            subject.as_str(),
            origin.clone(),
            target.clone(),
            arg.clone(),
        );
        async move {
            let out = bridge
                .invoke(
                    subject,
                    origin,
                    target,
                    op.method,
                    arg,
                    Duration::from_secs(5),
                )
                .await
                .expect("call over the lattice");
            assert!((op.check)(&out), "{}: bad reply {out:02x?}", op.method);
        }
    })
    .await;
    (lat, wire_len)
}

/// (c): the builtin keyvalue provider in this process.
async fn in_process(actor: &str, op: &Op, calls: u64) -> Vec<Duration> {
    let dir = tempfile::tempdir().expect("tempdir");
    let provider_id = KeyPair::new(KeyType::Service).public_key();
    let provider = ProviderRegistry::with_builtins()
        .build(
            "keyvalue",
            ProviderContext {
                provider_id: provider_id.clone(),
                name: "kv".into(),
                link_name: "default".into(),
                config: Default::default(),
                data_dir: dir.path().to_path_buf(),
                lattice: None,
            },
        )
        .expect("build keyvalue provider");
    let link = LinkDefinition {
        actor_id: actor.to_string(),
        provider_id,
        link_name: "default".into(),
        contract_id: "wasmcloud:keyvalue".into(),
        values: Default::default(),
    };
    // The keyvalue provider never calls actors: a transport without a
    // lattice (every call would fail).
    let to_actor = Arc::new(weld_rpc::provider::ProviderTransport::new(&link, None));
    provider.put_link(&link, to_actor).await.expect("put link");
    let origin = ActorOrigin {
        actor_id: actor.to_string(),
        link_name: "default".into(),
    };
    let arg = op.arg.clone();
    let lat = series(calls, || {
        let (provider, origin, arg) = (&provider, &origin, arg.as_slice());
        async move {
            let out = provider
                .handle(
                    origin,
                    Message {
                        method: op.method,
                        arg: Cow::Borrowed(arg),
                    },
                )
                .await
                .expect("call in process");
            assert!((op.check)(&out), "{}: bad reply {out:02x?}", op.method);
        }
    })
    .await;
    provider.shutdown().await;
    lat
}

/// Waits for a 200 on `path` (a lattice link is applied asynchronously).
fn wait_ok(addr: SocketAddr, path: &str, host: &HostProc) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = must_get(addr, path);
        if r.status == 200 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no 200 on {path}: {} {}\n{}",
            r.status,
            r.text(),
            host.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// kvcounter with its in-process store on one host, joined to a lattice
/// or not.
fn single_host(loader: &Loader, wasm: &Path, lattice: Option<(&str, &str)>) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let http = free_addr();
    let mut m = app("kvcounter", wasm, http, Some(&Store::Embedded));
    if let Some((lattice, seed)) = lattice {
        m = on_lattice(m, lattice, seed, "single");
    }
    let mut host = HostProc::start_with(host_min_bin(Profile::Release), dir.path(), m, &[http]);
    wait_ok(http, "/api/counter", &host);
    let run = loader.measure(http, "/api/counter");
    host.stop();
    run
}

/// Host A (kvcounter + httpserver) and host B (keyvalue provider process)
/// on one lattice, linked.
struct TwoHosts {
    a: HostProc,
    b: HostProc,
    http: SocketAddr,
    actor: String,
    provider: String,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

fn two_hosts(wasm: &Path, lattice: &str, seed: &str) -> TwoHosts {
    let bin = host_min_bin(Profile::Release);
    let dir_a = tempfile::tempdir().expect("tempdir");
    let dir_b = tempfile::tempdir().expect("tempdir");
    let b = HostProc::start_with(
        bin.clone(),
        dir_b.path(),
        on_lattice(
            Manifest::new().process_provider("kv", "keyvalue", &[]),
            lattice,
            seed,
            "b",
        ),
        &[],
    );
    let http = free_addr();
    let a = HostProc::start_with(
        bin,
        dir_a.path(),
        on_lattice(
            Manifest::new()
                .signed_actor(
                    "kvcounter",
                    wasm,
                    &["wasmcloud:httpserver", "wasmcloud:keyvalue"],
                )
                .provider("http", "httpserver", &[])
                .link("kvcounter", "http", &[("address", &http.to_string())]),
            lattice,
            seed,
            "a",
        ),
        &[http],
    );
    let ctl = ctl(lattice);
    let hosts = hosts(&ctl, 2);
    assert!(hosts.len() >= 2, "hosts: {hosts:?}");
    let inv_a = inventory(&ctl, by_name(&hosts, "a"));
    let inv_b = inventory(&ctl, by_name(&hosts, "b"));
    let actor = inv_a.actors[0].id.clone();
    let provider = inv_b
        .providers
        .iter()
        .find(|p| p.contract_id == "wasmcloud:keyvalue")
        .expect("keyvalue on B")
        .id
        .clone();
    put_kv_link(&ctl, &actor, &provider, "default");
    let t = TwoHosts {
        a,
        b,
        http,
        actor,
        provider,
        _dirs: (dir_a, dir_b),
    };
    wait_ok(t.http, "/api/counter", &t.a);
    t
}

fn main() {
    if let Ok(subject) = std::env::var(ECHO_ENV) {
        return echo_responder(subject);
    }
    if !require_service("NATS", "127.0.0.1:4222") {
        return;
    }
    let Some(wasm) = kvcounter_wasm() else {
        eprintln!("no wasm32 toolchain: nothing to measure");
        return;
    };
    let calls = env_u64("WELD_BENCH_CALLS", 3000);
    let loader = Loader::pick(3, 10_000);
    let bin = host_min_bin(Profile::Release);
    let provider_exe = bin.with_file_name("weld-provider-keyvalue");
    assert!(
        provider_exe.is_file(),
        "{} not found: build it first with cargo build --release --workspace --bins",
        provider_exe.display()
    );
    println!("Lattice costs ({})", bin.display());
    println!(
        "{} cores; NATS {NATS}; {calls} sequential calls per latency series; load: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        loader.describe()
    );

    let lattice = unique_name("bench");
    let seed = KeyPair::new(KeyType::Cluster).seed().expect("cluster seed");
    let mut t = two_hosts(&wasm, &lattice, &seed);

    // 1. latency, for a write (the store's commit in every call) and for a
    // read (nearly all of a call is the way there and back)
    let mut read_ratio = f64::NAN;
    for op in [Op::increment(), Op::contains()] {
        // (a) and (b) alternate in rounds, so that a drift of the shared
        // machine weighs on both alike.
        let rounds = 5;
        let (mut a, mut b, mut wire_len) = (Vec::new(), Vec::new(), 0);
        for _ in 0..rounds {
            let (samples, len) = rt().block_on(over_lattice(
                &lattice,
                &seed,
                &t.actor,
                &t.provider,
                &op,
                calls / rounds,
            ));
            b.extend(samples);
            wire_len = len;
            a.extend(rt().block_on(raw_nats(vec![0x5a; wire_len], calls / rounds)));
        }
        let (a, b) = (Lat::of(a), Lat::of(b));
        let c = Lat::of(rt().block_on(in_process(&t.actor, &op, calls)));
        println!();
        println!(
            "{}, one call at a time ({wire_len}-byte invocation):",
            op.method
        );
        println!("{:<44} {:>9} {:>9} {:>9}", "", "p50 us", "p90 us", "p99 us");
        for (name, l) in [
            ("(a) raw NATS request-reply, echo", &a),
            ("(b) lattice: provider process, signed", &b),
            ("(c) in process: Provider::handle", &c),
        ] {
            println!(
                "{:<44} {:>9.1} {:>9.1} {:>9.1}",
                name,
                us(l.p50),
                us(l.p90),
                us(l.p99)
            );
        }
        let ba = b.p50.as_secs_f64() / a.p50.as_secs_f64();
        let bc = b.p50.as_secs_f64() / c.p50.as_secs_f64();
        let added = (b.p50.as_secs_f64() - c.p50.as_secs_f64()) / a.p50.as_secs_f64();
        println!(
            "p50 (b)/(a) = {ba:.2}x; (b)/(c) = {bc:.1}x; ((b)-(c))/(a) = {added:.2}x \
             (the lattice's part of (b) against raw NATS)"
        );
        read_ratio = ba;
    }
    println!(
        "aim: p50 over the lattice <= 1.5x raw NATS (read, where the provider's own \
         work is negligible): {:.2}x, {}",
        read_ratio,
        verdict(read_ratio <= 1.5)
    );

    // 2. throughput across hosts, then one host
    let across = loader.measure(t.http, "/api/counter");
    t.a.stop();
    t.b.stop();
    let local = single_host(&loader, &wasm, None);
    let local_lattice = single_host(&loader, &wasm, Some((&unique_name("bench"), &seed)));
    println!();
    println!("kvcounter over HTTP:");
    for (name, r) in [
        ("(i) one host, keyvalue in process", &local),
        ("(ii) keyvalue as a process on host B", &across),
        ("(iii) one host joined to a lattice", &local_lattice),
    ] {
        println!(
            "{:<44} {:>9.0} req/s  ({} requests)",
            name, r.rate, r.requests
        );
    }
    let ii = across.rate / local.rate;
    let iii = local_lattice.rate / local.rate;
    println!(
        "(ii)/(i) = {:.0}%; aim >= 50%: {}",
        100.0 * ii,
        verdict(ii >= 0.5)
    );
    println!(
        "(iii)/(i) = {:.0}% (single host with vs without --nats)",
        100.0 * iii
    );
}
