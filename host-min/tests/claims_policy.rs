//! Capability enforcement through the real router with a real wasm actor
//! (the probe test actor, signed here): provider calls, builtins, inbound
//! provider calls, call aliases, and admission of unsigned / invalid actors.

mod common;
#[path = "claims/support.rs"]
mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use weld_rpc::Transport;

use common::{actor_wasm, host_call_payload, RecordingProvider};
use host_min::claims::{sign_actor, sign_actor_at, ClaimsError, ClaimsPolicy, KeyPair, KeyType};
use host_min::ids::{derived_key, KeyKind};
use host_min::router::{ProviderInfo, Router, RouterError, BUILTIN_LOGGING, BUILTIN_NUMBERGEN};
use host_min::runtime::{AllocatorChoice, Runtime, RuntimeConfig};
use host_min::types::{LinkDefinition, Message, RpcError};

fn router(policy: Arc<ClaimsPolicy>) -> Arc<Router> {
    let cfg = RuntimeConfig {
        allocator: AllocatorChoice::Auto,
        pool_instances: 16,
        max_memory_bytes: 32 << 20,
        call_deadline: Duration::from_secs(5),
        epoch_tick: Duration::from_millis(5),
        max_instances_per_actor: 4,
        module_cache_dir: None,
    };
    Router::new(Runtime::new(cfg).expect("runtime"), "default", policy)
}

fn signed_probe(caps: &[&str], alias: Option<&str>) -> (Vec<u8>, String) {
    let (mut opts, _, module_key) = support::options("probe", caps);
    opts.call_alias = alias.map(String::from);
    (
        sign_actor(&actor_wasm("probe"), opts).unwrap(),
        module_key.public_key(),
    )
}

/// Starts `wasm` the one way there is, as the host does: the router admits
/// it through its policy.
async fn start(
    r: &Router,
    _policy: &ClaimsPolicy,
    name: &str,
    wasm: &[u8],
) -> Result<String, RouterError> {
    let actor = r
        .start_actor(&derived_key(KeyKind::Module, name), name, &[], wasm)
        .await?;
    Ok(actor.id().to_string())
}

async fn provider(r: &Router, actor: &str, contract: &str) -> Arc<RecordingProvider> {
    let p = RecordingProvider::new(contract);
    let info = ProviderInfo {
        id: derived_key(KeyKind::Service, contract),
        name: contract.into(),
        kind: "recording".into(),
        contract_id: contract.into(),
        link_name: "default".into(),
        process: false,
    };
    r.add_provider(info.clone(), p.clone()).await.unwrap();
    r.put_link(LinkDefinition {
        actor_id: actor.into(),
        provider_id: info.id,
        link_name: "default".into(),
        contract_id: contract.into(),
        values: HashMap::new(),
    })
    .await
    .unwrap();
    p
}

async fn host_call(
    r: &Router,
    actor: &str,
    binding: &str,
    ns: &str,
    op: &str,
    arg: &[u8],
) -> Result<Vec<u8>, RpcError> {
    r.call_actor(
        actor,
        "Probe.HostCall",
        &host_call_payload(binding, ns, op, arg),
    )
    .await
}

fn refused(text: &str) -> RpcError {
    RpcError::ActorHandler(format!("host error: {text}"))
}

fn log_entry() -> Vec<u8> {
    rmp_serde::to_vec_named(&serde_json::json!({"level": "info", "text": "from probe"})).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_actor_is_held_to_its_caps() {
    let policy = Arc::new(ClaimsPolicy::enforcing());
    let r = router(policy.clone());
    let (wasm, module_key) = signed_probe(
        &["test:allowed", "test:unlinked", BUILTIN_LOGGING],
        Some("prober"),
    );
    let id = start(&r, &policy, "probe", &wasm).await.unwrap();
    assert_eq!(id, module_key, "the actor id is the claims subject");

    let allowed = provider(&r, &id, "test:allowed").await;
    let denied = provider(&r, &id, "test:denied").await;

    // provider calls: caps AND link
    let out = host_call(&r, &id, "default", "test:allowed", "Thing.Do", b"x")
        .await
        .unwrap();
    assert_eq!(out, format!("{id}|default|Thing.Do|x").into_bytes());
    assert_eq!(
        host_call(&r, &id, "default", "test:denied", "Thing.Do", b"x")
            .await
            .unwrap_err(),
        refused("Invocation not authorized: missing capability claim for test:denied")
    );
    assert_eq!(
        host_call(&r, &id, "default", "test:unlinked", "Thing.Do", b"")
            .await
            .unwrap_err(),
        refused("Invocation not authorized: missing link definition for test:unlinked on default")
    );

    // builtins need the cap too
    assert_eq!(
        host_call(
            &r,
            &id,
            "",
            BUILTIN_LOGGING,
            "Logging.WriteLog",
            &log_entry()
        )
        .await
        .unwrap(),
        Vec::<u8>::new()
    );
    assert_eq!(
        host_call(&r, &id, "", BUILTIN_NUMBERGEN, "NumberGen.Random32", b"")
            .await
            .unwrap_err(),
        refused(
            "Invocation not authorized: missing capability claim for wasmcloud:builtin:numbergen"
        )
    );

    // inbound: a provider reaches the actor only if the caps list its contract
    let h = allowed.handle_for(&id).expect("linked");
    assert_eq!(
        h.send(&Default::default(), Message::new("Probe.Echo", b"in"), None)
            .await
            .unwrap(),
        b"in"
    );
    let h = denied.handle_for(&id).expect("linked");
    assert_eq!(
        h.send(&Default::default(), Message::new("Probe.Echo", b"in"), None)
            .await
            .unwrap_err(),
        RpcError::Other(
            "Invocation not authorized: missing capability claim for test:denied".into()
        )
    );

    // actor-to-actor by the call alias from the claims, and by subject key
    assert_eq!(
        host_call(&r, &id, "", "prober", "Probe.Echo", b"hi")
            .await
            .unwrap(),
        b"hi"
    );
    assert_eq!(
        host_call(&r, &id, "", &id, "Probe.Echo", b"pk")
            .await
            .unwrap(),
        b"pk"
    );

    // revoked (e.g. the actor stopped): the policy fails closed
    policy.revoke(&id);
    assert_eq!(
        host_call(&r, &id, "default", "test:allowed", "Thing.Do", b"")
            .await
            .unwrap_err(),
        refused("Invocation not authorized: missing capability claim for test:allowed")
    );
    r.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_and_invalid_actors_are_refused_at_start() {
    let policy = ClaimsPolicy::enforcing();
    let unsigned = actor_wasm("probe");
    let err = policy.admit(&unsigned, "x").unwrap_err();
    assert!(matches!(err, ClaimsError::Unsigned));
    assert!(err.to_string().contains("allow_unsigned"), "{err}");

    let (signed, _) = signed_probe(&["test:allowed"], None);
    let mut changed = signed.clone();
    support::custom_section(&mut changed, "extra", b"!");
    assert!(matches!(
        policy.admit(&changed, "x"),
        Err(ClaimsError::HashMismatch { .. })
    ));

    let (mut opts, ..) = support::options("old", &[]);
    opts.expires_in = Some(Duration::from_secs(60));
    let long_ago = SystemTime::now() - Duration::from_secs(86_400);
    let expired = sign_actor_at(&unsigned, opts, long_ago).unwrap();
    let err = policy.admit(&expired, "x").unwrap_err();
    assert!(matches!(err, ClaimsError::Expired { .. }), "{err}");
    assert!(err.to_string().starts_with("claims expired at"), "{err}");

    // nothing was granted along the way
    assert!(policy.claims("x").is_none());
    assert!(!host_min::router::Policy::actor_may_call(
        &policy,
        "x",
        "test:allowed"
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_unsigned_is_a_dev_setting_that_still_checks_signed_actors() {
    let policy = Arc::new(ClaimsPolicy::allow_unsigned());
    assert!(policy.allows_unsigned());
    assert!(!ClaimsPolicy::enforcing().allows_unsigned());
    assert!(!ClaimsPolicy::default().allows_unsigned());
    let r = router(policy.clone());

    // unsigned: admitted under the fallback id, with every capability
    let fallback = derived_key(KeyKind::Module, "dev");
    let dev = start(&r, &policy, "dev", &actor_wasm("probe"))
        .await
        .unwrap();
    assert_eq!(dev, fallback);
    provider(&r, &dev, "test:anything").await;
    assert!(host_call(&r, &dev, "default", "test:anything", "A.B", b"")
        .await
        .is_ok());
    assert!(
        host_call(&r, &dev, "", BUILTIN_NUMBERGEN, "NumberGen.Random32", b"")
            .await
            .is_ok()
    );

    // signed: still held to its caps
    let (wasm, _) = signed_probe(&[BUILTIN_LOGGING], None);
    let signed = start(&r, &policy, "signed", &wasm).await.unwrap();
    assert_eq!(
        host_call(
            &r,
            &signed,
            "",
            BUILTIN_NUMBERGEN,
            "NumberGen.Random32",
            b""
        )
        .await
        .unwrap_err(),
        refused(
            "Invocation not authorized: missing capability claim for wasmcloud:builtin:numbergen"
        )
    );
    assert!(policy.claims(&signed).is_some());

    // invalid claims are never accepted, dev setting or not
    let account = KeyPair::new(KeyType::Account);
    let mut forged = wasm.clone();
    support::custom_section(&mut forged, "extra", account.public_key().as_bytes());
    assert!(policy.admit(&forged, "y").is_err());
    r.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_and_stop_through_the_policy() {
    let policy = Arc::new(ClaimsPolicy::enforcing());
    let r = router(policy.clone());

    // refused at start with a message naming the actor and the reason
    let err = start(&r, &policy, "plain", &actor_wasm("probe"))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("actor `plain` refused: the module is not signed"),
        "{err}"
    );
    assert!(r.actor("plain").is_none());

    let (wasm, key) = signed_probe(&[BUILTIN_LOGGING], Some("Alias-One"));
    let id = start(&r, &policy, "one", &wasm).await.unwrap();
    assert_eq!(id, key);
    assert_eq!(r.resolve_actor("alias_one").as_deref(), Some(id.as_str()));
    assert_eq!(r.resolve_actor("one").as_deref(), Some(id.as_str()));

    // the same module again: refused as a duplicate, the running grant kept
    assert!(matches!(
        start(&r, &policy, "one-again", &wasm).await.unwrap_err(),
        RouterError::Duplicate { .. }
    ));
    assert!(host_call(
        &r,
        &id,
        "",
        BUILTIN_LOGGING,
        "Logging.WriteLog",
        &log_entry()
    )
    .await
    .is_ok());

    // a different module under a taken name: refused, and not granted
    let (other, other_key) = signed_probe(&[BUILTIN_LOGGING], None);
    assert!(start(&r, &policy, "one", &other).await.is_err());
    assert!(policy.claims(&other_key).is_none());

    // stop by alias: gone, and its grant withdrawn
    r.stop_actor("alias_one").unwrap();
    assert!(r.actor(&id).is_none());
    assert!(policy.claims(&id).is_none());
    assert!(r.stop_actor("alias_one").is_err());
    r.shutdown().await;
}

/// Issue 11: a claims `call_alias` could silently take an alias another
/// actor holds, hijacking actor-to-actor calls made by that alias.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claims_call_alias_cannot_take_another_actors_alias() {
    let policy = Arc::new(ClaimsPolicy::enforcing());
    let r = router(policy.clone());
    let (first, first_key) = signed_probe(&[BUILTIN_LOGGING], None);
    r.start_actor("unused", "first", &["payments".into()], &first)
        .await
        .unwrap();
    let (second, second_key) = signed_probe(&[BUILTIN_LOGGING], Some("payments"));
    let e = start(&r, &policy, "second", &second).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("actor `second` not started: claims call alias `payments` is already used by actor {first_key}")
    );
    assert_eq!(r.resolve_actor("payments"), Some(first_key));
    assert!(r.actor(&second_key).is_none());
    assert!(
        policy.claims(&second_key).is_none(),
        "refused, so not granted"
    );
    r.shutdown().await;
}
