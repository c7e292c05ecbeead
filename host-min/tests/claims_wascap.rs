//! Interop with the upstream `wascap` crate (0.13, the last release with
//! actor `caps`): claims we sign verify with wascap, claims wascap signs
//! verify with us, on real actor modules, and nkeys seeds load both ways.

#[path = "claims/support.rs"]
mod support;

use std::time::SystemTime;

use host_min::claims::wasm::module_hash;
use host_min::claims::{extract_claims, sign_actor, verify, ClaimsPolicy, KeyPair, KeyType};
use host_min::router::{Router, BUILTIN_LOGGING, BUILTIN_NUMBERGEN};
use host_min::runtime::{Runtime, RuntimeConfig};
use host_min::types::RpcError;
use support::{answer_module, build_actor, options};
use wascap::jwt::{validate_token, Actor};
use wascap::prelude::KeyPair as UpstreamKeyPair;

/// The modules to try: a hand-made one, the host's probe test actor, and
/// the actor built with wasmCloud's own SDK.
fn modules() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("hand-made", answer_module(42)),
        (
            "probe",
            build_actor("host-min/tests/actors/probe", "probe.wasm"),
        ),
        (
            "upstream-kvcounter",
            build_actor(
                "tests/fixtures/upstream-kvcounter",
                "upstream-kvcounter.wasm",
            ),
        ),
    ]
}

#[test]
fn keys_load_in_both_implementations() {
    for kind in KeyType::ALL {
        let ours = KeyPair::new(kind);
        let theirs = UpstreamKeyPair::from_seed(&ours.seed().unwrap()).unwrap();
        assert_eq!(theirs.public_key(), ours.public_key());
        // a signature by one verifies with the other
        let sig = theirs.sign(b"interop").unwrap();
        assert!(ours.verify(b"interop", &sig));
        let sig = ours.sign(b"interop").unwrap();
        assert!(theirs.verify(b"interop", &sig).is_ok());
    }
    for theirs in [
        UpstreamKeyPair::new_account(),
        UpstreamKeyPair::new_module(),
        UpstreamKeyPair::new_server(),
        UpstreamKeyPair::new_service(),
    ] {
        let ours = KeyPair::from_seed(&theirs.seed().unwrap()).unwrap();
        assert_eq!(ours.public_key(), theirs.public_key());
        assert_eq!(ours.seed().unwrap(), theirs.seed().unwrap());
    }
}

#[test]
fn claims_we_sign_verify_with_wascap() {
    for (label, module) in modules() {
        let (mut opts, account, module_key) =
            options(label, &["wasmcloud:keyvalue", "wasmcloud:httpserver"]);
        opts.call_alias = Some(format!("{label}-Alias"));
        opts.ver = Some("0.1.0".into());
        opts.rev = Some(2);
        opts.tags = vec!["interop".into()];
        opts.expires_in = Some(std::time::Duration::from_secs(86_400));
        let signed = sign_actor(&module, opts).unwrap();

        // wascap checks the module hash while extracting
        let token = wascap::wasm::extract_claims(&signed)
            .unwrap_or_else(|e| panic!("{label}: wascap refused our module: {e}"))
            .expect("wascap finds the claims");
        let v = validate_token::<Actor>(&token.jwt).unwrap();
        assert!(v.signature_valid, "{label}: {v:?}");
        assert!(!v.expired && !v.cannot_use_yet, "{label}: {v:?}");
        let c = &token.claims;
        assert_eq!(c.issuer, account.public_key());
        assert_eq!(c.subject, module_key.public_key());
        let meta = c.metadata.as_ref().unwrap();
        assert_eq!(meta.name.as_deref(), Some(label));
        assert_eq!(
            meta.caps.as_deref(),
            Some(
                &[
                    "wasmcloud:keyvalue".to_string(),
                    "wasmcloud:httpserver".to_string()
                ][..]
            )
        );
        // normalized as upstream does: `hand-made-Alias` -> `hand_made_alias`
        assert_eq!(
            meta.call_alias.as_deref(),
            Some(format!("{label}_alias").replace('-', "_").as_str())
        );
        assert_eq!((meta.rev, meta.ver.as_deref()), (Some(2), Some("0.1.0")));
        assert_eq!(meta.module_hash, module_hash(&module).unwrap());

        // a module changed after signing (one more section) is refused by
        // wascap too, as by us
        let mut changed = signed.clone();
        support::custom_section(&mut changed, "extra", b"changed");
        assert!(
            wascap::wasm::extract_claims(&changed).is_err(),
            "{label}: wascap accepted a changed module"
        );
        assert!(verify(&changed, SystemTime::now()).is_err());
    }
}

#[test]
fn claims_wascap_signs_verify_with_us() {
    for (label, module) in modules() {
        let account = KeyPair::new(KeyType::Account);
        let module_key = KeyPair::new(KeyType::Module);
        let signed = wascap::wasm::sign_buffer_with_claims(
            label.to_string(),
            &module,
            &UpstreamKeyPair::from_seed(&module_key.seed().unwrap()).unwrap(),
            &UpstreamKeyPair::from_seed(&account.seed().unwrap()).unwrap(),
            Some(30),
            None,
            vec![
                "wasmcloud:keyvalue".into(),
                "wasmcloud:builtin:logging".into(),
            ],
            vec!["upstream".into()],
            false,
            Some(7),
            Some("1.0.0".into()),
            Some("wascapped".into()),
        )
        .unwrap();

        let c = verify(&signed, SystemTime::now())
            .unwrap_or_else(|e| panic!("{label}: we refused wascap's module: {e}"));
        assert_eq!(c.issuer, account.public_key());
        assert_eq!(c.subject, module_key.public_key());
        assert_eq!(c.name(), label);
        assert_eq!(
            c.caps(),
            ["wasmcloud:keyvalue", "wasmcloud:builtin:logging"]
        );
        assert_eq!(c.wascap.call_alias.as_deref(), Some("wascapped"));
        assert_eq!(
            (c.wascap.rev, c.wascap.ver.as_deref()),
            (Some(7), Some("1.0.0"))
        );
        assert_eq!(c.wascap_revision, Some(3));
        assert!(c.expires.unwrap() > c.issued_at + 29 * 86_400);
        // same module hash, same stripped module
        assert_eq!(c.wascap.module_hash, module_hash(&module).unwrap());
        assert_eq!(extract_claims(&signed).unwrap().unwrap().claims, c);

        // and wascap's claims bound to the module: changing the module breaks them
        let mut other = module.clone();
        support::custom_section(&mut other, "extra", b"changed");
        let moved = {
            let mut m = host_min::claims::wasm::strip_claims(&other).unwrap();
            let jwt = extract_claims(&signed).unwrap().unwrap().jwt;
            support::custom_section(&mut m, "wasmcloud_jwt", jwt.as_bytes());
            m
        };
        assert!(matches!(
            verify(&moved, SystemTime::now()),
            Err(host_min::claims::ClaimsError::HashMismatch { .. })
        ));
    }
}

/// Payload of the probe actor's `HostCall` operation.
fn probe_host_call(binding: &str, ns: &str, op: &str, arg: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    for part in [binding, ns, op] {
        v.extend_from_slice(part.as_bytes());
        v.push(0);
    }
    v.extend_from_slice(arg);
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_actor_signed_by_wascap_runs_on_our_host_within_its_caps() {
    let account = UpstreamKeyPair::new_account();
    let module_key = UpstreamKeyPair::new_module();
    let signed = wascap::wasm::sign_buffer_with_claims(
        "probe".into(),
        build_actor("host-min/tests/actors/probe", "probe.wasm"),
        &module_key,
        &account,
        None,
        None,
        vec![BUILTIN_LOGGING.into()],
        vec![],
        false,
        None,
        None,
        Some("upstream-probe".into()),
    )
    .unwrap();
    let policy = std::sync::Arc::new(ClaimsPolicy::enforcing());
    let cfg = RuntimeConfig {
        pool_instances: 8,
        max_memory_bytes: 32 << 20,
        max_instances_per_actor: 2,
        ..RuntimeConfig::default()
    };
    let router = Router::new(Runtime::new(cfg).unwrap(), "default", policy.clone());
    let admitted = router
        .start_actor("unused-fallback", "probe", &[], &signed)
        .await
        .unwrap();
    assert_eq!(admitted.id(), module_key.public_key());
    assert_eq!(
        router.resolve_actor("upstream_probe").as_deref(),
        Some(admitted.id())
    );

    let log = rmp_serde::to_vec_named(&serde_json::json!({"level": "info", "text": "hi"})).unwrap();
    let ok = router
        .call_actor(
            "upstream_probe",
            "Probe.HostCall",
            &probe_host_call("", BUILTIN_LOGGING, "Logging.WriteLog", &log),
        )
        .await;
    assert_eq!(ok, Ok(Vec::new()));
    let refused = router
        .call_actor(
            "probe",
            "Probe.HostCall",
            &probe_host_call("", BUILTIN_NUMBERGEN, "NumberGen.Random32", b""),
        )
        .await;
    assert_eq!(
        refused,
        Err(RpcError::ActorHandler(
            "host error: Invocation not authorized: missing capability claim for wasmcloud:builtin:numbergen"
                .into()
        ))
    );
    router.shutdown().await;
}
