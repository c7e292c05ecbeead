//! Providers as supervised processes: `host_min::lattice::process` runs
//! real provider executables (`weld-provider-keyvalue`, `/bin/false`,
//! `/bin/sh`) against the real NATS on 127.0.0.1:4222, and this test plays
//! the host side with a plain NATS client that signs its invocations.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use host_min::lattice::process::{
    EventFn, LinksFn, ProcessConfig, ProcessError, ProcessEvent, ProviderProcess,
};
use host_min::lattice::subjects;
use weld_interface_keyvalue::IncrementRequest;
use weld_rpc::common::{deserialize, serialize};
use weld_rpc::core::{HostData, InvocationResponse, LinkDefinition, WasmCloudEntity};
use weld_rpc::provider::invocation::sign_invocation;
use weld_rpc::provider::keys::{KeyPair, KeyType};

use weld_test_support::{require_service, unique_name};

const NATS_ADDR: &str = "127.0.0.1:4222";
const CONTRACT: &str = "wasmcloud:keyvalue";
/// Upper bound of every wait: a failing test fails after this, a passing
/// one never waits for it.
const PATIENCE: Duration = Duration::from_secs(20);

/// Lines logged with target `provider`: (provider name, stream, message).
type Logged = Arc<Mutex<Vec<(String, String, String)>>>;

/// Installs (once) a global subscriber that records provider output.
fn provider_log() -> Logged {
    use tracing_subscriber::layer::SubscriberExt;

    struct Capture(Logged);
    #[derive(Default)]
    struct Fields {
        provider: String,
        stream: String,
        message: String,
    }
    impl tracing::field::Visit for Fields {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            let text = format!("{value:?}");
            match field.name() {
                "provider" => self.provider = text,
                "stream" => self.stream = text,
                "message" => self.message = text,
                _ => {}
            }
        }
        fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
            match field.name() {
                "provider" => self.provider = value.to_string(),
                "stream" => self.stream = value.to_string(),
                "message" => self.message = value.to_string(),
                _ => {}
            }
        }
    }
    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
        fn on_event(
            &self,
            event: &tracing::Event<'_>,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            if event.metadata().target() != "provider" {
                return;
            }
            let mut f = Fields::default();
            event.record(&mut f);
            self.0
                .lock()
                .unwrap()
                .push((f.provider, f.stream, f.message));
        }
    }

    static LOG: OnceLock<Logged> = OnceLock::new();
    LOG.get_or_init(|| {
        let logged: Logged = Arc::default();
        let subscriber = tracing_subscriber::registry().with(Capture(logged.clone()));
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        logged
    })
    .clone()
}

/// The host side of one test: a lattice of its own, keys, links, events.
struct Host {
    nats: async_nats::Client,
    lattice: String,
    host_id: String,
    cluster: KeyPair,
    provider_key: String,
    links: Arc<Mutex<Vec<LinkDefinition>>>,
    events: Arc<Mutex<Vec<ProcessEvent>>>,
    data_dir: tempfile::TempDir,
}

impl Host {
    async fn new() -> Host {
        let nats = async_nats::connect(NATS_ADDR).await.expect("connect NATS");
        Host {
            nats,
            lattice: unique_name("proc"),
            host_id: KeyPair::new(KeyType::Server).public_key(),
            cluster: KeyPair::new(KeyType::Cluster),
            provider_key: KeyPair::new(KeyType::Service).public_key(),
            links: Arc::default(),
            events: Arc::default(),
            data_dir: tempfile::tempdir().unwrap(),
        }
    }

    fn host_data(&self) -> HostData {
        HostData {
            host_id: self.host_id.clone(),
            lattice_rpc_prefix: self.lattice.clone(),
            link_name: "default".into(),
            lattice_rpc_url: NATS_ADDR.into(),
            provider_key: self.provider_key.clone(),
            invocation_seed: self.cluster.seed().unwrap(),
            instance_id: unique_name("instance"),
            cluster_issuers: vec![self.cluster.public_key()],
            ..Default::default()
        }
    }

    /// A configuration with short timings, for `executable`.
    fn config(&self, name: &str, executable: impl Into<PathBuf>) -> ProcessConfig {
        let mut cfg = ProcessConfig::new(name, executable, self.host_data());
        cfg.env = vec![(
            "WELD_PROVIDER_DATA_DIR".into(),
            self.data_dir.path().display().to_string(),
        )];
        cfg.health_first = Duration::from_millis(200);
        cfg.health_every = Duration::from_millis(300);
        cfg.shutdown_grace = Duration::from_secs(2);
        cfg.restart_backoff = (Duration::from_millis(50), Duration::from_millis(400));
        cfg
    }

    fn links_fn(&self) -> LinksFn {
        let links = self.links.clone();
        Arc::new(move || links.lock().unwrap().clone())
    }

    fn events_fn(&self) -> EventFn {
        let events = self.events.clone();
        Arc::new(move |e| events.lock().unwrap().push(e))
    }

    async fn spawn(&self, cfg: ProcessConfig) -> ProviderProcess {
        ProviderProcess::spawn(cfg, self.nats.clone(), self.links_fn(), self.events_fn())
            .await
            .expect("spawn provider")
    }

    fn events(&self) -> Vec<ProcessEvent> {
        self.events.lock().unwrap().clone()
    }

    /// Waits until `pred` holds for the events so far.
    async fn wait_events(&self, what: &str, pred: impl Fn(&[ProcessEvent]) -> bool) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !pred(&self.events()) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{what}: events so far {:?}",
                self.events()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn link(&self, actor: &str) -> LinkDefinition {
        LinkDefinition {
            actor_id: actor.to_string(),
            provider_id: self.provider_key.clone(),
            link_name: "default".into(),
            contract_id: CONTRACT.into(),
            values: HashMap::new(),
        }
    }

    /// Puts `ld` as a host does: on the provider's `linkdefs.put`.
    async fn put_link(&self, ld: LinkDefinition) {
        self.links.lock().unwrap().push(ld.clone());
        let subject = subjects::linkdefs_put(&self.lattice, &self.provider_key, "default");
        self.nats
            .publish(subject, serialize(&ld).unwrap().into())
            .await
            .unwrap();
        self.nats.flush().await.unwrap();
    }

    /// A signed `KeyValue.Increment` from `actor`; the counter's new value
    /// or the provider's error.
    async fn increment(&self, actor: &str, key: &str) -> Result<i32, String> {
        let arg = serialize(&IncrementRequest {
            key: key.to_string(),
            value: 1,
        })
        .unwrap();
        let inv = sign_invocation(
            &self.cluster,
            &self.host_id,
            WasmCloudEntity {
                public_key: actor.to_string(),
                link_name: String::new(),
                contract_id: String::new(),
            },
            WasmCloudEntity {
                public_key: self.provider_key.clone(),
                link_name: "default".into(),
                contract_id: CONTRACT.into(),
            },
            "KeyValue.Increment",
            arg,
        )
        .unwrap();
        let subject = subjects::provider_rpc(&self.lattice, &self.provider_key, "default");
        let request = async_nats::Request::new()
            .payload(serialize(&inv).unwrap().into())
            .timeout(Some(Duration::from_secs(2)));
        let reply = self
            .nats
            .send_request(subject, request)
            .await
            .map_err(|e| e.to_string())?;
        let resp: InvocationResponse = deserialize(&reply.payload).unwrap();
        match resp.error {
            Some(e) => Err(e),
            None => Ok(deserialize::<i32>(&resp.msg).unwrap()),
        }
    }

    /// Retries [`Host::increment`] until it answers (the provider may still
    /// be applying a link).
    async fn increment_eventually(&self, actor: &str, key: &str) -> i32 {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            match self.increment(actor, key).await {
                Ok(n) => return n,
                Err(e) => assert!(
                    tokio::time::Instant::now() < deadline,
                    "increment never answered: {e}"
                ),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A provider executable of the workspace's debug build (`make test`
/// builds every binary before the tests run).
fn provider_exe(bin: &str, package_dir: &str) -> PathBuf {
    let package = if bin.starts_with("weld-provider-keyvalue") {
        "weld-provider-keyvalue"
    } else {
        bin
    };
    weld_test_support::workspace_bin(bin, package, "debug", &[package_dir])
}

fn keyvalue_exe() -> PathBuf {
    provider_exe("weld-provider-keyvalue", "providers/keyvalue")
}

/// Whether process `pid` is gone (not even a zombie left to reap).
fn gone(pid: u32) -> bool {
    !Path::new(&format!("/proc/{pid}")).exists()
}

fn count(events: &[ProcessEvent], pred: impl Fn(&ProcessEvent) -> bool) -> usize {
    events.iter().filter(|e| pred(e)).count()
}

fn started_pids(events: &[ProcessEvent]) -> Vec<u32> {
    events
        .iter()
        .filter_map(|e| match e {
            ProcessEvent::Started { pid, .. } => Some(*pid),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyvalue_provider_serves_restarts_after_a_crash_and_stops() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let host = Host::new().await;
    let actor = KeyPair::new(KeyType::Module).public_key();
    let counter = unique_name("counter");
    let process = host.spawn(host.config("kv", keyvalue_exe())).await;
    let first_pid = process.pid().expect("a pid");
    assert!(matches!(
        host.events().first(),
        Some(ProcessEvent::Started { restarts: 0, .. })
    ));

    host.wait_events("first health check", |e| {
        e.contains(&ProcessEvent::HealthPassed)
    })
    .await;
    assert!(process.healthy());

    // Not linked yet: the provider refuses the actor.
    let refused = host.increment(&actor, &counter).await;
    assert!(refused.is_err(), "{refused:?}");

    host.put_link(host.link(&actor)).await;
    assert_eq!(host.increment_eventually(&actor, &counter).await, 1);
    assert_eq!(host.increment(&actor, &counter).await, Ok(2));

    // A crash: the supervisor reports it and starts the provider again.
    let killed = std::process::Command::new("kill")
        .args(["-9", &first_pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    host.wait_events("restart after kill -9", |e| {
        e.iter().any(|e| {
            *e == ProcessEvent::Exited {
                code: None,
                signal: Some(9),
            }
        }) && e
            .iter()
            .any(|e| matches!(e, ProcessEvent::Restarting { .. }))
            && e.iter()
                .any(|e| matches!(e, ProcessEvent::Started { restarts: 1, .. }))
    })
    .await;
    let second_pid = process.pid().expect("restarted");
    assert_ne!(second_pid, first_pid);
    assert_eq!(started_pids(&host.events()), vec![first_pid, second_pid]);
    // The restarted provider answers a health check, and the link is
    // published again without the test putting it.
    host.wait_events("links restored after the restart", |e| {
        e.contains(&ProcessEvent::LinksRestored { count: 1 })
    })
    .await;
    assert_eq!(host.increment_eventually(&actor, &counter).await, 3);
    assert!(process.healthy());

    // A graceful stop: the provider answers the shutdown request and exits
    // by itself; nothing restarts.
    process.stop().await;
    assert!(gone(second_pid), "pid {second_pid} still exists");
    let events = host.events();
    let tail = &events[events.len() - 2..];
    assert_eq!(
        tail,
        [
            ProcessEvent::Exited {
                code: Some(0),
                signal: None
            },
            ProcessEvent::Stopped
        ]
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(host.events().len(), events.len(), "{:?}", host.events());
    assert!(host.increment(&actor, &counter).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_handle_kills_the_child() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let host = Host::new().await;
    let process = host.spawn(host.config("kv-drop", keyvalue_exe())).await;
    let pid = process.pid().unwrap();
    host.wait_events("health", |e| e.contains(&ProcessEvent::HealthPassed))
        .await;
    drop(process);
    host.wait_events("stopped after drop", |e| {
        e.last() == Some(&ProcessEvent::Stopped)
    })
    .await;
    assert!(gone(pid), "pid {pid} still exists");
    assert_eq!(started_pids(&host.events()).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_that_exits_at_once_is_restarted_with_growing_backoff() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let host = Host::new().await;
    let process = host.spawn(host.config("false", "/bin/false")).await;
    host.wait_events("five restarts", |e| {
        count(e, |e| matches!(e, ProcessEvent::Restarting { .. })) >= 5
    })
    .await;
    process.stop().await;
    let events = host.events();
    let delays: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            ProcessEvent::Restarting { after } => Some(after.as_millis() as u64),
            _ => None,
        })
        .take(5)
        .collect();
    assert_eq!(delays, vec![50, 100, 200, 400, 400]);
    assert!(events.contains(&ProcessEvent::Exited {
        code: Some(1),
        signal: None
    }));
    assert!(!events.contains(&ProcessEvent::HealthPassed));
    assert_eq!(events.last(), Some(&ProcessEvent::Stopped));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_output_is_logged_and_a_silent_child_is_unhealthy_then_killed() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let log = provider_log();
    let host = Host::new().await;
    let name = unique_name("sh");
    let mut cfg = host.config(&name, "/bin/sh");
    cfg.args = vec![
        "-c".into(),
        // Reads its host data, writes to both streams (one line not UTF-8),
        // ignores the shutdown request and SIGTERM.
        "read line; echo \"got ${#line} bytes\"; printf 'junk \\377\\376 end\\n'; \
         echo to-stderr >&2; trap '' TERM; exec sleep 30"
            .into(),
    ];
    cfg.shutdown_grace = Duration::from_millis(300);
    let process = host.spawn(cfg).await;
    let pid = process.pid().unwrap();

    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let lines: Vec<(String, String)> = log
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _, _)| *p == name)
            .map(|(_, s, m)| (s.clone(), m.clone()))
            .collect();
        let has = |stream: &str, pred: &dyn Fn(&str) -> bool| {
            lines.iter().any(|(s, m)| s == stream && pred(m))
        };
        if has("stdout", &|m| m.starts_with("got ") && m != "got 0 bytes")
            && has("stdout", &|m| m == "junk \u{fffd}\u{fffd} end")
            && has("stderr", &|m| m == "to-stderr")
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "lines so far: {lines:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Nobody answers its health subject.
    host.wait_events("health failed", |e| {
        e.iter().any(|e| {
            matches!(e, ProcessEvent::HealthFailed { message } if message.contains("no answer"))
        })
    })
    .await;
    assert!(!process.healthy());

    // It ignores the shutdown request: killed after the grace period.
    process.stop().await;
    assert!(gone(pid));
    let events = host.events();
    assert_eq!(
        &events[events.len() - 2..],
        [
            ProcessEvent::Exited {
                code: None,
                signal: Some(9)
            },
            ProcessEvent::Stopped
        ]
    );
    assert_eq!(
        count(&events, |e| matches!(e, ProcessEvent::Started { .. })),
        1
    );
}

#[tokio::test]
async fn spawn_refuses_a_missing_executable_and_incomplete_host_data() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let host = Host::new().await;
    let cfg = host.config("missing", "/nonexistent/weld-provider");
    let err = ProviderProcess::spawn(cfg, host.nats.clone(), host.links_fn(), host.events_fn())
        .await
        .unwrap_err();
    assert!(matches!(err, ProcessError::Spawn { .. }), "{err}");
    assert!(
        err.to_string().contains("/nonexistent/weld-provider"),
        "{err}"
    );

    let mut cfg = host.config("nokey", keyvalue_exe());
    cfg.host_data.provider_key.clear();
    let err = ProviderProcess::spawn(cfg, host.nats.clone(), host.links_fn(), host.events_fn())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "provider `nokey`: host data has no provider_key"
    );
    assert!(host.events().is_empty());
}

#[test]
fn provider_binary_refuses_bad_host_data_with_exit_code_2() {
    use std::io::Write;
    for input in ["not base64 at all!\n", "", "e30K\n"] {
        let mut child = std::process::Command::new(keyvalue_exe())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{input:?}: {stderr}");
        assert!(
            stderr.starts_with("weld-provider-keyvalue: bad host data on stdin"),
            "{input:?}: {stderr}"
        );
    }
}

/// State letter of process `pid` from `/proc/{pid}/stat` (None when gone).
fn proc_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) S ...`: the state follows the last `)`.
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

/// A host that dies without dropping anything (as under `kill -9`) still
/// takes its providers along: the child gets SIGKILL from the kernel when
/// the thread that spawned it ends (`PR_SET_PDEATHSIG`).
#[cfg(target_os = "linux")]
#[test]
fn a_child_dies_with_the_thread_that_spawned_it() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let process = rt.block_on(async {
            let host = Host::new().await;
            let mut cfg = host.config("orphan", "/bin/sh");
            cfg.args = vec!["-c".into(), "exec sleep 30".into()];
            let process = host.spawn(cfg).await;
            std::mem::forget(host);
            process
        });
        tx.send(process.pid().unwrap()).unwrap();
        // Neither the handle nor the runtime (which owns the child with
        // kill_on_drop) is dropped: only the kernel can end the child.
        std::mem::forget(process);
        std::mem::forget(rt);
    })
    .join()
    .unwrap();
    let pid = rx.recv().unwrap();
    let deadline = std::time::Instant::now() + PATIENCE;
    // Killed: a zombie (its parent, this process, has not reaped it) or gone.
    while !matches!(proc_state(pid), None | Some('Z')) {
        assert!(
            std::time::Instant::now() < deadline,
            "child {pid} still runs: state {:?}",
            proc_state(pid)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn config_json_becomes_string_settings_and_bad_config_is_refused() {
    use weld_rpc::provider::standalone::parse_config;
    assert!(parse_config(None).unwrap().is_empty());
    assert!(parse_config(Some("  ")).unwrap().is_empty());
    assert!(parse_config(Some("null")).unwrap().is_empty());
    let config = parse_config(Some(
        r#"{"URL": "redis://127.0.0.1:6379/", "port": 8080, "tls": false}"#,
    ))
    .unwrap();
    assert_eq!(config["URL"], "redis://127.0.0.1:6379/");
    assert_eq!(config["port"], "8080");
    assert_eq!(config["tls"], "false");
    for (bad, text) in [
        (
            "[1]",
            "host data config_json: expected a JSON object of settings, got an array",
        ),
        (
            r#"{"a": {"b": 1}}"#,
            "host data config_json: setting `a` is an object; settings are strings",
        ),
        (
            "{",
            "host data config_json: not JSON: EOF while parsing an object at line 1 column 1",
        ),
    ] {
        assert_eq!(
            parse_config(Some(bad)).unwrap_err().to_string(),
            text,
            "{bad}"
        );
    }
}

#[test]
fn provider_binary_refuses_bad_config_json_with_exit_code_2() {
    use std::io::Write;
    let host_data = HostData {
        provider_key: KeyPair::new(KeyType::Service).public_key(),
        link_name: "default".into(),
        config_json: Some(r#"{"path": ["not", "a", "string"]}"#.into()),
        ..Default::default()
    };
    let line = weld_rpc::provider::encode_host_data(&host_data).unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(keyvalue_exe())
        .env("WELD_PROVIDER_DATA_DIR", data_dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(line.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim(),
        "weld-provider-keyvalue: host data config_json: setting `path` is an array; settings are strings"
    );
}

/// The httpserver binary calls its actor over the lattice: a signed
/// invocation on `wasmbus.rpc.{L}.{actor}`, answered here by the test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn httpserver_binary_calls_the_actor_over_the_lattice() {
    use futures_util::StreamExt;
    use weld_interface_httpserver::HttpResponse;
    use weld_rpc::provider::invocation::verify_invocation;
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let host = Host::new().await;
    let actor = KeyPair::new(KeyType::Module).public_key();
    let mut calls = host
        .nats
        .subscribe(subjects::actor_rpc(&host.lattice, &actor))
        .await
        .unwrap();
    let (nats, issuers, provider_key) = (
        host.nats.clone(),
        vec![host.cluster.public_key()],
        host.provider_key.clone(),
    );
    let actor_side = tokio::spawn(async move {
        let mut seen = Vec::new();
        while let Some(msg) = calls.next().await {
            let inv: weld_rpc::core::Invocation = deserialize(&msg.payload).unwrap();
            let verified =
                verify_invocation(&inv, &inv.msg, &issuers, std::time::SystemTime::now());
            seen.push((
                verified.is_ok(),
                inv.origin.public_key.clone(),
                inv.origin.contract_id.clone(),
                inv.operation.clone(),
            ));
            let body = serialize(&HttpResponse {
                status_code: 200,
                header: Default::default(),
                body: b"answered over the lattice".to_vec(),
            })
            .unwrap();
            let resp = InvocationResponse {
                content_length: Some(body.len() as u64),
                msg: body,
                invocation_id: inv.id.clone(),
                error: None,
            };
            nats.publish(msg.reply.unwrap(), serialize(&resp).unwrap().into())
                .await
                .unwrap();
            if seen.len() == 1 {
                return (seen, provider_key);
            }
        }
        (seen, provider_key)
    });

    let exe = provider_exe("weld-provider-httpserver", "providers/httpserver");
    let process = host.spawn(host.config("http", exe)).await;
    host.wait_events("health", |e| e.contains(&ProcessEvent::HealthPassed))
        .await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut link = host.link(&actor);
    link.contract_id = "wasmcloud:httpserver".into();
    link.values
        .insert("address".into(), format!("127.0.0.1:{port}"));
    host.put_link(link).await;

    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!("http://127.0.0.1:{port}/hello");
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let body = loop {
        match client.get(&url).send().await {
            Ok(r) => {
                assert_eq!(r.status().as_u16(), 200);
                break r.text().await.unwrap();
            }
            Err(e) => assert!(tokio::time::Instant::now() < deadline, "{e}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(body, "answered over the lattice");
    let (seen, provider_key) = actor_side.await.unwrap();
    assert_eq!(
        seen,
        vec![(
            true,
            provider_key,
            "wasmcloud:httpserver".to_string(),
            "HttpServer.HandleRequest".to_string()
        )]
    );
    process.stop().await;
}
