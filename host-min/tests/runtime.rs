//! Integration tests of the wasm runtime and the router with real wasm
//! actors (tests/actors/*, built by scripts/wasm-build.sh).

mod common;

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use weld_rpc::Transport;

use common::{actor_wasm, host_call_payload, RecordingProvider};
use host_min::ids::{derived_key, KeyKind};
use host_min::router::{AllowAll, ProviderInfo, Router, RouterError};
use host_min::runtime::{AllocatorChoice, AllocatorKind, Runtime, RuntimeConfig};
use host_min::types::{LinkDefinition, Message, RpcError};

const CONTRACT: &str = "test:recording";

fn config() -> RuntimeConfig {
    RuntimeConfig {
        allocator: AllocatorChoice::Auto,
        pool_instances: 24,
        max_memory_bytes: 32 << 20,
        call_deadline: Duration::from_secs(5),
        epoch_tick: Duration::from_millis(5),
        max_instances_per_actor: 8,
        module_cache_dir: None,
    }
}

fn router(cfg: RuntimeConfig) -> Arc<Router> {
    Router::new(
        Runtime::new(cfg).expect("runtime"),
        "default",
        Arc::new(AllowAll),
    )
}

async fn with_probe(cfg: RuntimeConfig) -> (Arc<Router>, String) {
    let r = router(cfg);
    let id = derived_key(KeyKind::Module, "probe");
    r.start_actor(&id, "probe", &[], &actor_wasm("probe"))
        .await
        .expect("start probe");
    (r, id)
}

async fn add_recording(r: &Router, provider: Arc<RecordingProvider>, name: &str) -> ProviderInfo {
    let info = ProviderInfo {
        id: derived_key(KeyKind::Service, name),
        name: name.into(),
        kind: "recording".into(),
        contract_id: provider.contract.clone(),
        link_name: "default".into(),
        process: false,
    };
    r.add_provider(info.clone(), provider).await.unwrap();
    info
}

fn link(actor: &str, provider: &ProviderInfo, tag: &str) -> LinkDefinition {
    LinkDefinition {
        actor_id: actor.into(),
        provider_id: provider.id.clone(),
        link_name: "default".into(),
        contract_id: provider.contract_id.clone(),
        values: HashMap::from([("TAG".to_string(), tag.to_string())]),
    }
}

fn text(b: Vec<u8>) -> String {
    String::from_utf8(b).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guest_call_round_trip_and_guest_error() {
    let (r, id) = with_probe(config()).await;
    assert_eq!(
        r.call_actor(&id, "Probe.Echo", b"hello").await.unwrap(),
        b"hello"
    );
    // by name too, and an empty payload
    assert_eq!(r.call_actor("probe", "Probe.Echo", b"").await.unwrap(), b"");
    let big = vec![7u8; 3 << 20];
    assert_eq!(r.call_actor(&id, "Probe.Echo", &big).await.unwrap(), big);
    match r.call_actor(&id, "Probe.Fail", b"nope").await {
        Err(RpcError::ActorHandler(t)) => assert_eq!(t, "nope"),
        other => panic!("{other:?}"),
    }
    match r.call_actor(&id, "Probe.Unknown", b"").await {
        Err(RpcError::ActorHandler(t)) => assert_eq!(t, "method not handled Probe.Unknown"),
        other => panic!("{other:?}"),
    }
    // the start hook ran exactly once on the instance serving these calls
    assert_eq!(
        text(r.call_actor(&id, "Probe.Starts", b"").await.unwrap()),
        "1"
    );
    // the instance is reused: its state carries over between calls
    let a: u32 = text(r.call_actor(&id, "Probe.Count", b"").await.unwrap())
        .parse()
        .unwrap();
    let b: u32 = text(r.call_actor(&id, "Probe.Count", b"").await.unwrap())
        .parse()
        .unwrap();
    assert_eq!(b, a + 1);
    assert!(r
        .call_actor(&id, "Probe.Log", b"a log line")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        r.call_actor("nobody", "X.Echo", b"").await,
        Err(RpcError::Other(
            "actor nobody not found on this host".into()
        ))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_wapc_imports_and_init_hook() {
    let r = router(config());
    let id = derived_key(KeyKind::Module, "wapc");
    r.start_actor(&id, "wapc", &[], &actor_wasm("wapc-echo"))
        .await
        .unwrap();
    assert_eq!(
        text(r.call_actor(&id, "Echo.Echo", b"x").await.unwrap()),
        "wapc:x"
    );
    assert_eq!(
        text(r.call_actor(&id, "Echo.Inits", b"").await.unwrap()),
        "1"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_call_to_provider_through_link_and_missing_link_text() {
    let (r, id) = with_probe(config()).await;
    let p = RecordingProvider::new(CONTRACT);
    let info = add_recording(&r, p.clone(), "rec").await;
    let call = host_call_payload("default", CONTRACT, "Recording.Do", b"arg");

    let err = r
        .call_actor(&id, "Probe.HostCall", &call)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        RpcError::ActorHandler(format!(
            "host error: Invocation not authorized: missing link definition for {CONTRACT} on default"
        ))
    );

    r.put_link(link(&id, &info, "one")).await.unwrap();
    assert_eq!(p.events(), vec![format!("put {id} one")]);
    let out = text(r.call_actor(&id, "Probe.HostCall", &call).await.unwrap());
    assert_eq!(out, format!("{id}|default|Recording.Do|arg"));
    // an empty binding means the default link
    let out = text(
        r.call_actor(
            &id,
            "Probe.HostCall",
            &host_call_payload("", CONTRACT, "R.Do", b""),
        )
        .await
        .unwrap(),
    );
    assert_eq!(out, format!("{id}|default|R.Do|"));
    // another link name has no link
    let err = r
        .call_actor(
            &id,
            "Probe.HostCall",
            &host_call_payload("other", CONTRACT, "R.Do", b""),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("missing link definition for test:recording on default"),
        "{err}"
    );
    // provider errors reach the actor as host errors
    let err = r
        .call_actor(
            &id,
            "Probe.HostCall",
            &host_call_payload("default", CONTRACT, "R.Fail", b""),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err,
        RpcError::ActorHandler("host error: provider says no".into())
    );

    // delete at runtime: provider told, calls refused with the upstream text
    r.delete_link(&id, CONTRACT, "default").await.unwrap();
    assert_eq!(p.events().last().unwrap(), &format!("del {id}"));
    let err = r
        .call_actor(&id, "Probe.HostCall", &call)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Invocation not authorized: missing link definition"),
        "{err}"
    );
    assert!(r.delete_link(&id, CONTRACT, "default").await.is_err());

    // put back: restored, with the new values
    r.put_link(link(&id, &info, "two")).await.unwrap();
    assert_eq!(p.events().last().unwrap(), &format!("put {id} two"));
    assert!(r.call_actor(&id, "Probe.HostCall", &call).await.is_ok());
    assert_eq!(r.links().len(), 1);

    // a link the provider refuses is not stored, the old one stays; the
    // error names the link, the key and the value
    let mut bad = link(&id, &info, "three");
    bad.values.insert("reject".into(), "yes".into());
    let err = r.put_link(bad).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("link rejected (actor `probe` {id}, contract {CONTRACT}, link name `default`): provider `recording`: link value `reject` = \"yes\": asked to")
    );
    assert_eq!(r.links()[0].value("tag"), Some("two"));
    // a link with the wrong contract for its provider is refused
    let mut wrong = link(&id, &info, "x");
    wrong.contract_id = "wasmcloud:other".into();
    assert!(r.put_link(wrong).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_put_before_the_provider_starts_are_handed_over() {
    let (r, id) = with_probe(config()).await;
    let p = RecordingProvider::new(CONTRACT);
    let info = ProviderInfo {
        id: derived_key(KeyKind::Service, "late"),
        name: "late".into(),
        kind: "recording".into(),
        contract_id: CONTRACT.into(),
        link_name: "default".into(),
        process: false,
    };
    r.put_link(link(&id, &info, "early")).await.unwrap();
    r.add_provider(info, p.clone()).await.unwrap();
    assert_eq!(p.events(), vec![format!("put {id} early")]);
    r.shutdown().await;
    assert_eq!(p.events().last().unwrap(), "shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_refusing_a_pending_link_does_not_start() {
    let (r, id) = with_probe(config()).await;
    let p = RecordingProvider::new(CONTRACT);
    let info = ProviderInfo {
        id: derived_key(KeyKind::Service, "late"),
        name: "late".into(),
        kind: "recording".into(),
        contract_id: CONTRACT.into(),
        link_name: "default".into(),
        process: false,
    };
    let other = derived_key(KeyKind::Module, "other");
    r.put_link(link(&other, &info, "fine")).await.unwrap();
    let mut bad = link(&id, &info, "early");
    bad.values.insert("Reject".into(), "1".into());
    r.put_link(bad).await.unwrap();
    let err = r.add_provider(info.clone(), p.clone()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("provider `late` not started: link rejected (actor `probe` {id}, contract {CONTRACT}, link name `default`): provider `recording`: link value `reject` = \"1\": asked to")
    );
    // All or nothing: the link it took is given back, it is shut down and
    // not routed to; the table still holds both links.
    let mut events = p.events();
    events.sort();
    assert_eq!(
        events,
        [
            format!("del {other}"),
            format!("put {other} fine"),
            "shutdown".to_string()
        ]
    );
    assert!(r.resolve_provider("late").is_none());
    assert_eq!(r.links().len(), 2);
    // Without the refused link it starts and gets the other one.
    r.delete_link(&id, CONTRACT, "default").await.unwrap();
    let p = RecordingProvider::new(CONTRACT);
    r.add_provider(info, p.clone()).await.unwrap();
    assert_eq!(p.events(), vec![format!("put {other} fine")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_calls_actor_only_through_a_link() {
    let (r, id) = with_probe(config()).await;
    let p = RecordingProvider::new(CONTRACT);
    let info = add_recording(&r, p.clone(), "rec").await;
    r.put_link(link(&id, &info, "")).await.unwrap();
    let handle = p.handle_for(&id).expect("handle given with put_link");
    assert_eq!(
        handle
            .send(
                &Default::default(),
                Message::new("Probe.Echo", b"from provider"),
                None
            )
            .await
            .unwrap(),
        b"from provider"
    );
    r.delete_link(&id, CONTRACT, "default").await.unwrap();
    let err = handle
        .send(&Default::default(), Message::new("Probe.Echo", b""), None)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        RpcError::Other(format!(
            "Invocation not authorized: missing link definition for {CONTRACT} on default"
        ))
    );
    drop(r);
    let err = handle
        .send(&Default::default(), Message::new("Probe.Echo", b""), None)
        .await
        .unwrap_err();
    assert!(matches!(err, RpcError::HostError(_)), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actor_to_actor_by_key_and_alias_and_builtins() {
    let (r, id) = with_probe(config()).await;
    let other = derived_key(KeyKind::Module, "other");
    r.start_actor(
        &other,
        "other",
        &["echoer".to_string()],
        &actor_wasm("wapc-echo"),
    )
    .await
    .unwrap();
    for target in [other.as_str(), "echoer", "other"] {
        let out = r
            .call_actor(
                &id,
                "Probe.HostCall",
                &host_call_payload("", target, "Echo.Echo", b"hi"),
            )
            .await;
        assert_eq!(text(out.unwrap()), "wapc:hi", "target {target}");
    }
    let err = r
        .call_actor(
            &id,
            "Probe.HostCall",
            &host_call_payload("", &other, "Echo.Nope", b""),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err,
        RpcError::ActorHandler("host error: unknown operation".into())
    );
    let missing = derived_key(KeyKind::Module, "missing");
    let err = r
        .call_actor(
            &id,
            "Probe.HostCall",
            &host_call_payload("", &missing, "Echo.Echo", b""),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not found"), "{err}");

    let out = r
        .call_actor(
            &id,
            "Probe.HostCall",
            &host_call_payload(
                "",
                "wasmcloud:builtin:numbergen",
                "NumberGen.GenerateGuid",
                b"",
            ),
        )
        .await
        .unwrap();
    let guid: String = rmp_serde::from_slice(&out).unwrap();
    assert_eq!(guid.len(), 36);
    let log = rmp_serde::to_vec_named(&serde_json::json!({"level": "info", "text": "from actor"}))
        .unwrap();
    let out = r
        .call_actor(
            &id,
            "Probe.HostCall",
            &host_call_payload(
                "default",
                "wasmcloud:builtin:logging",
                "Logging.WriteLog",
                &log,
            ),
        )
        .await
        .unwrap();
    assert!(out.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trap_fails_one_call_and_the_next_succeeds() {
    let (r, id) = with_probe(config()).await;
    r.call_actor(&id, "Probe.Count", b"").await.unwrap();
    let err = r.call_actor(&id, "Probe.Trap", b"").await.unwrap_err();
    match &err {
        RpcError::ActorHandler(t) => {
            assert!(t.contains("wasm trap") && t.contains("unreachable"), "{t}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(r.call_actor(&id, "Probe.Echo", b"ok").await.unwrap(), b"ok");
    // the trapped instance was replaced by a fresh one (counter restarted)
    assert_eq!(
        text(r.call_actor(&id, "Probe.Count", b"").await.unwrap()),
        "1"
    );
    let stats = r.actor(&id).unwrap().stats();
    assert_eq!(stats.failures, 1);
    assert_eq!(stats.instances_created, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadline_stops_a_spinning_actor_and_the_host_keeps_serving() {
    let cfg = RuntimeConfig {
        call_deadline: Duration::from_millis(300),
        ..config()
    };
    let (r, id) = with_probe(cfg).await;
    // two spinning calls at once: each must end, neither may block the other
    let (a, b) = tokio::join!(
        r.call_actor(&id, "Probe.Spin", b""),
        r.call_actor(&id, "Probe.Spin", b"")
    );
    for res in [a, b] {
        let err = res.unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
        assert!(matches!(err, RpcError::DeadlineExceeded(_)));
    }
    assert_eq!(
        r.call_actor(&id, "Probe.Echo", b"alive").await.unwrap(),
        b"alive"
    );
    assert_eq!(r.actor(&id).unwrap().stats().failures, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadline_covers_a_host_call_that_never_returns() {
    let cfg = RuntimeConfig {
        call_deadline: Duration::from_millis(200),
        ..config()
    };
    let (r, id) = with_probe(cfg).await;
    let p = RecordingProvider::slow(CONTRACT, Duration::from_secs(30));
    let info = add_recording(&r, p, "slow").await;
    r.put_link(link(&id, &info, "")).await.unwrap();
    let err = r
        .call_actor(
            &id,
            "Probe.HostCall",
            &host_call_payload("default", CONTRACT, "R.Do", b""),
        )
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(
        r.call_actor(&id, "Probe.Echo", b"still").await.unwrap(),
        b"still"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_hog_hits_the_limit_not_the_host() {
    for allocator in [AllocatorChoice::Pooling, AllocatorChoice::OnDemand] {
        let cfg = RuntimeConfig {
            allocator,
            max_memory_bytes: 16 << 20,
            ..config()
        };
        let (r, id) = with_probe(cfg).await;
        let err = r.call_actor(&id, "Probe.Hog", b"").await.unwrap_err();
        assert!(
            matches!(err, RpcError::ActorHandler(_)),
            "{allocator:?}: {err:?}"
        );
        assert_eq!(
            r.call_actor(&id, "Probe.Echo", b"fine").await.unwrap(),
            b"fine"
        );
        // an allocation that fits is still fine
        let payload = vec![1u8; 4 << 20];
        assert_eq!(
            r.call_actor(&id, "Probe.Echo", &payload)
                .await
                .unwrap()
                .len(),
            payload.len()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_parallel_calls_respect_the_instance_bound() {
    let cfg = RuntimeConfig {
        max_instances_per_actor: 4,
        ..config()
    };
    let (r, id) = with_probe(cfg).await;
    let p = RecordingProvider::slow(CONTRACT, Duration::from_millis(20));
    let info = add_recording(&r, p.clone(), "slow").await;
    r.put_link(link(&id, &info, "")).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..64 {
        let r = r.clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            let arg = format!("{i}");
            let out = r
                .call_actor(
                    &id,
                    "Probe.HostCall",
                    &host_call_payload("default", CONTRACT, "R.Do", arg.as_bytes()),
                )
                .await
                .unwrap();
            assert!(text(out).ends_with(&format!("|R.Do|{i}")));
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // callers waited instead of failing; never more than 4 calls in the actor
    assert_eq!(p.max_running.load(Ordering::SeqCst), 4);
    let stats = r.actor(&id).unwrap().stats();
    assert_eq!(stats.calls, 64);
    assert_eq!(stats.failures, 0);
    assert!(stats.instances_created <= 4, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pooling_and_on_demand_both_run_and_auto_falls_back() {
    for (choice, want) in [
        (AllocatorChoice::Pooling, AllocatorKind::Pooling),
        (AllocatorChoice::OnDemand, AllocatorKind::OnDemand),
    ] {
        let (r, id) = with_probe(RuntimeConfig {
            allocator: choice,
            ..config()
        })
        .await;
        assert_eq!(r.runtime().allocator(), want);
        assert_eq!(r.call_actor(&id, "Probe.Echo", b"x").await.unwrap(), b"x");
    }
    // A pool this large cannot be reserved (more address space than exists):
    // pooling alone fails, auto falls back to on-demand and works.
    let huge = RuntimeConfig {
        pool_instances: 1_000_000,
        ..config()
    };
    assert!(Runtime::new(RuntimeConfig {
        allocator: AllocatorChoice::Pooling,
        ..huge.clone()
    })
    .is_err());
    let (r, id) = with_probe(huge).await;
    assert_eq!(r.runtime().allocator(), AllocatorKind::OnDemand);
    assert_eq!(r.call_actor(&id, "Probe.Echo", b"y").await.unwrap(), b"y");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_modules_are_refused_at_start() {
    let r = router(config());
    let err = r
        .start_actor("M1", "garbage", &[], b"\0asm garbage")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("invalid module"), "{err}");
    let no_abi = wat("(module (memory (export \"memory\") 1))");
    let err = r
        .start_actor("M2", "noabi", &[], &no_abi)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("__guest_call"), "{err}");
    let bad_version = wat(r#"(module (memory (export "memory") 1)
             (func (export "__guest_call") (param i32 i32) (result i32) i32.const 0)
             (func (export "__wasmbus_rpc_version") (result i32) i32.const 7))"#);
    let err = r
        .start_actor("M3", "v7", &[], &bad_version)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("__wasmbus_rpc_version returned 7"),
        "{err}"
    );
    // a stray import the host does not offer traps only when called
    let stray = wat(r#"(module (import "env" "stray" (func $s))
             (memory (export "memory") 1)
             (func (export "__guest_call") (param i32 i32) (result i32) call $s i32.const 1))"#);
    r.start_actor("M4", "stray", &[], &stray).await.unwrap();
    assert!(r.call_actor("M4", "X.Y", b"").await.is_err());
    // the pool reservation is checked per actor
    let small = router(RuntimeConfig {
        allocator: AllocatorChoice::Pooling,
        pool_instances: 10,
        ..config()
    });
    small
        .start_actor("M5", "a", &[], &actor_wasm("probe"))
        .await
        .unwrap();
    let err = small
        .start_actor("M6", "b", &[], &actor_wasm("probe"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("pool exhausted"), "{err}");
    let err = small
        .start_actor("M5", "a", &[], &actor_wasm("probe"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already running"), "{err}");
}

/// wasmtime's `Module::new` accepts the text format too.
fn wat(src: &str) -> Vec<u8> {
    src.as_bytes().to_vec()
}

/// A guest that lies about pointers and lengths at every waPC import costs
/// only the call that lied: each one fails with an error (never a host
/// panic), and the same actor answers the next well-formed call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lying_pointers_and_lengths_fail_one_call_each() {
    let r = router(config());
    // Dispatch on the operation's length: 3..=7 misbehave, anything else is
    // a well-formed empty reply.
    let liar = wat(r#"(module
      (import "wasmbus" "__guest_request" (func $req (param i32 i32)))
      (import "wasmbus" "__guest_response" (func $resp (param i32 i32)))
      (import "wasmbus" "__guest_error" (func $err (param i32 i32)))
      (import "wasmbus" "__host_call"
        (func $hc (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "__wasmbus_rpc_version") (result i32) i32.const 1)
      (func (export "__guest_call") (param $op i32) (param $len i32) (result i32)
        ;; response pointer far outside memory
        (if (i32.eq (local.get $op) (i32.const 3)) (then
          (call $resp (i32.const 0xFFFFFF00) (i32.const 1000)) (return (i32.const 1))))
        ;; response length of 2 GiB
        (if (i32.eq (local.get $op) (i32.const 4)) (then
          (call $resp (i32.const 0) (i32.const 0x7FFFFFFF)) (return (i32.const 1))))
        ;; host call whose namespace and payload are out of bounds and huge
        (if (i32.eq (local.get $op) (i32.const 5)) (then
          (if (i32.eq (call $hc (i32.const 0) (i32.const 0)
                                (i32.const 0xFFFF0000) (i32.const 0x7FFFFFFF)
                                (i32.const 0) (i32.const 4)
                                (i32.const 0xFFFFFFF0) (i32.const 0x7FFFFFFF))
                      (i32.const 1))
            (then (call $resp (i32.const 0) (i32.const 0)) (return (i32.const 1))))
          (call $err (i32.const 0) (i32.const 0)) (return (i32.const 0))))
        ;; asks for the request to be written outside memory
        (if (i32.eq (local.get $op) (i32.const 6)) (then
          (call $req (i32.const 0xFFFFFFF0) (i32.const 0xFFFFFFF0)) (return (i32.const 1))))
        ;; error text outside memory
        (if (i32.eq (local.get $op) (i32.const 7)) (then
          (call $err (i32.const 0xFFFFFFF0) (i32.const 100)) (return (i32.const 0))))
        (call $resp (i32.const 0) (i32.const 0))
        (i32.const 1)))"#);
    r.start_actor("M7", "liar", &[], &liar).await.unwrap();
    for op in ["X.a", "X.ab", "X.abc", "X.abcd", "X.abcde"] {
        let res = r.call_actor("M7", op, b"payload").await;
        assert!(res.is_err(), "{op}: a lying guest must fail, got {res:?}");
        assert_eq!(
            r.call_actor("M7", "Ok.benign", b"").await.unwrap(),
            b"",
            "after {op} the actor still serves"
        );
    }
    let stats = r.actor("M7").unwrap().stats();
    assert_eq!(stats.failures, 5);
}

/// The smallest module the runtime accepts as an actor (no imports).
fn tiny_actor() -> Vec<u8> {
    wat(r#"(module (memory (export "memory") 1)
             (func (export "__guest_call") (param i32 i32) (result i32) i32.const 1))"#)
}

/// Issue 11: names and call aliases were checked before the module loaded
/// (an await) and not after, so two actors starting at once under one name
/// both ran, and an alias silently moved to whichever started last.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_and_aliases_are_unique_and_taken_atomically() {
    let r = router(RuntimeConfig {
        max_instances_per_actor: 2,
        ..config()
    });
    let wasm = tiny_actor();
    // Many concurrent starts under one name: exactly one wins.
    let starts = (0..6).map(|i| {
        let r = r.clone();
        let wasm = wasm.clone();
        tokio::spawn(async move {
            r.start_actor(&format!("MRACE{i}"), "same", &[], &wasm)
                .await
        })
    });
    let results: Vec<_> = futures_join(starts).await;
    let shown: Vec<_> = results
        .iter()
        .map(|r| {
            r.as_ref()
                .map(|a| a.id().to_string())
                .map_err(|e| e.to_string())
        })
        .collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{shown:?}");
    for e in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(e, RouterError::NameTaken { kind: "name", .. }),
            "{e}"
        );
    }
    let winner = r.resolve_actor("same").unwrap();
    assert!(r.actor(&winner).is_some());
    assert_eq!(r.inventory().actors.len(), 1);

    // An alias held by one actor cannot be taken by another: refused with
    // a clear error, and the alias still reaches its holder.
    r.start_actor("MA", "a", &["shared".into()], &wasm)
        .await
        .unwrap();
    let e = r
        .start_actor("MB", "b", &["shared".into()], &wasm)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "actor `b` not started: call alias `shared` is already used by actor MA"
    );
    assert_eq!(r.resolve_actor("shared").as_deref(), Some("MA"));
    assert!(r.actor("b").is_none() && r.actor("MB").is_none());
    // Nor can a name shadow another actor's id or name.
    let e = r.start_actor("MC", "MA", &[], &wasm).await.unwrap_err();
    assert!(matches!(e, RouterError::NameTaken { .. }), "{e}");
    let e = r
        .start_actor("MC", "c", &["a".into()], &wasm)
        .await
        .unwrap_err();
    assert!(matches!(e, RouterError::NameTaken { .. }), "{e}");
    // A refused start left nothing reserved: `b` can start on its own names.
    r.start_actor("MB", "b", &[], &wasm).await.unwrap();
    // A failed load releases the names it reserved.
    assert!(r
        .start_actor("MD", "d", &["dd".into()], b"\0asm junk")
        .await
        .is_err());
    assert!(r.resolve_actor("d").is_none() && r.resolve_actor("dd").is_none());
    r.start_actor("MD", "d", &["dd".into()], &wasm)
        .await
        .unwrap();
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await.unwrap());
    }
    out
}
