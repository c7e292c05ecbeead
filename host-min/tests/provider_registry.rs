//! The built-in registry knows every provider of this crate by kind, and
//! what it builds answers through the `Provider` interface alone.
//!
//! Run: `cargo test -p host-min --test provider_registry`

mod provider_support;

use host_min::providers::ProviderRegistry;
use provider_support::*;
use serde_json::json;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn builtin_kinds_build_and_serve() {
    let reg = ProviderRegistry::with_builtins();
    let kinds: Vec<&str> = reg.kinds().collect();
    for kind in [
        "blobstore-fs",
        "blobstore-s3",
        "httpclient",
        "httpserver",
        "keyvalue",
        "keyvalue-redis",
        "keyvalue-vault",
        "messaging-nats",
        "sqldb-postgres",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
        // The contract is known without building a provider, and is the
        // one a built provider reports.
        let built = reg
            .build(kind, context(kind, &std::env::temp_dir(), &[]))
            .unwrap();
        assert_eq!(reg.contract(kind), Some(built.contract_id()), "{kind}");
    }
    assert_eq!(reg.contract("nope"), None);

    let dir = tempfile::tempdir().unwrap();
    let kv = reg
        .build("keyvalue", context("kv", dir.path(), &[]))
        .unwrap();
    assert_eq!(kv.contract_id(), "wasmcloud:keyvalue");
    kv.put_link(&link("Ma", "wasmcloud:keyvalue", &[]), no_actor_link())
        .await
        .unwrap();
    let n: i32 = Caller::new(Arc::clone(&kv), "Ma")
        .call(
            "KeyValue.Increment",
            &json!({"key": "counter:default", "value": 1}),
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    kv.shutdown().await;
    assert!(dir.path().join("keyvalue/default.redb").exists());

    let http = reg
        .build("httpserver", context("http", dir.path(), &[]))
        .unwrap();
    assert_eq!(http.contract_id(), "wasmcloud:httpserver");
    let redis = reg
        .build("keyvalue-redis", context("kvr", dir.path(), &[]))
        .unwrap();
    assert_eq!(redis.contract_id(), "wasmcloud:keyvalue");
}

#[test]
fn invalid_provider_config_is_refused_at_build() {
    let reg = ProviderRegistry::with_builtins();
    let dir = std::env::temp_dir();
    let err = reg
        .build(
            "httpserver",
            context("http", &dir, &[("max_content_len", "lots")]),
        )
        .err()
        .expect("bad config");
    assert!(err.to_string().contains("max_content_len"), "{err}");
}
