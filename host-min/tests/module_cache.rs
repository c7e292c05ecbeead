//! Compiled modules are shared by code hash: many signings of one actor
//! compile once, a restarted runtime loads the compiled module from its
//! on-disk cache, and a damaged cache file costs a compile, never a crash.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::fixture_wasm;
use host_min::claims::wasm::module_hash;
use host_min::claims::{sign_actor, ClaimsPolicy, KeyPair, KeyType, SignOptions};
use host_min::router::Router;
use host_min::runtime::{CompileStats, Runtime, RuntimeConfig};
use weld_interface_httpserver::{HttpRequest, HttpResponse};

fn config(cache: Option<&Path>) -> RuntimeConfig {
    RuntimeConfig {
        pool_instances: 128,
        max_instances_per_actor: 2,
        module_cache_dir: cache.map(Path::to_path_buf),
        ..RuntimeConfig::default()
    }
}

fn router(cache: Option<&Path>) -> Arc<Router> {
    Router::new(
        Runtime::new(config(cache)).expect("runtime"),
        "default",
        Arc::new(ClaimsPolicy::enforcing()),
    )
}

/// `hello` signed for a fresh module key; returns the module and its id.
fn signed_hello(account: &KeyPair, n: usize) -> (Vec<u8>, String) {
    let module_key = KeyPair::new(KeyType::Module);
    let id = module_key.public_key();
    let mut opts = SignOptions::new(format!("hello-{n}"), Vec::new(), account.clone());
    opts.subject = Some(module_key);
    (sign_actor(&fixture_wasm("hello"), opts).unwrap(), id)
}

async fn start(r: &Router, wasm: &[u8], n: usize) -> String {
    let actor = r
        .start_actor("", &format!("hello-{n}"), &[], wasm)
        .await
        .expect("start hello");
    actor.id().to_string()
}

/// Calls `HttpServer.HandleRequest` and returns the status and body.
async fn get(r: &Router, id: &str) -> (u16, Vec<u8>) {
    let req = HttpRequest {
        method: "GET".into(),
        path: "/".into(),
        ..Default::default()
    };
    let out = r
        .call_actor(
            id,
            "HttpServer.HandleRequest",
            &rmp_serde::to_vec_named(&req).unwrap(),
        )
        .await
        .expect("call hello");
    let resp: HttpResponse = rmp_serde::from_slice(&out).expect("an HttpResponse");
    (resp.status_code, resp.body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_signings_share_one_compiled_module_and_all_answer() {
    let r = router(None);
    let account = KeyPair::new(KeyType::Account);
    let mut ids = Vec::new();
    for n in 0..50 {
        let (wasm, id) = signed_hello(&account, n);
        assert_eq!(start(&r, &wasm, n).await, id);
        ids.push(id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 50, "50 distinct identities");
    assert_eq!(
        r.runtime().compile_stats(),
        CompileStats {
            compiled: 1,
            deserialized: 0,
            reused: 49,
            cache_rejected: 0
        }
    );
    for id in &ids {
        assert_eq!(get(&r, id).await, (200, b"hello".to_vec()), "actor {id}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compiled_module_is_dropped_with_its_last_actor() {
    let r = router(None);
    let account = KeyPair::new(KeyType::Account);
    let (wasm, id) = signed_hello(&account, 0);
    start(&r, &wasm, 0).await;
    r.stop_actor(&id).unwrap();
    // Dropped by the router; in-flight nothing holds it any more.
    let (wasm, _) = signed_hello(&account, 1);
    start(&r, &wasm, 1).await;
    assert_eq!(r.runtime().compile_stats().compiled, 2);
    assert_eq!(r.runtime().compile_stats().reused, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarted_runtime_loads_the_compiled_module_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let account = KeyPair::new(KeyType::Account);
    let (wasm, id) = signed_hello(&account, 0);
    let file = {
        let r = router(Some(dir.path()));
        start(&r, &wasm, 0).await;
        assert_eq!(r.runtime().compile_stats().compiled, 1);
        let file = r
            .runtime()
            .module_cache_file(&module_hash(&wasm).unwrap())
            .unwrap();
        assert!(file.is_file(), "{} written", file.display());
        r.shutdown().await;
        file
    };
    // Nothing but the cache file is left behind (no temporary files).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // Another signing of the same code on a fresh runtime: same artifact.
    let (other, other_id) = signed_hello(&account, 1);
    let r = router(Some(dir.path()));
    start(&r, &wasm, 0).await;
    start(&r, &other, 1).await;
    assert_eq!(
        r.runtime().compile_stats(),
        CompileStats {
            compiled: 0,
            deserialized: 1,
            reused: 1,
            cache_rejected: 0
        }
    );
    assert_eq!(get(&r, &id).await.0, 200);
    assert_eq!(get(&r, &other_id).await.0, 200);
    assert!(file.is_file());
}

/// Damages the cache file with `damage`, then checks that a fresh runtime
/// compiles instead, the actor answers, and the file is repaired.
async fn damaged_cache_file_falls_back_to_compiling(damage: impl Fn(&mut Vec<u8>)) {
    let dir = tempfile::tempdir().unwrap();
    let account = KeyPair::new(KeyType::Account);
    let (wasm, id) = signed_hello(&account, 0);
    let file = {
        let r = router(Some(dir.path()));
        start(&r, &wasm, 0).await;
        r.runtime()
            .module_cache_file(&module_hash(&wasm).unwrap())
            .unwrap()
    };
    let mut bytes = std::fs::read(&file).unwrap();
    damage(&mut bytes);
    std::fs::write(&file, &bytes).unwrap();

    let r = router(Some(dir.path()));
    start(&r, &wasm, 0).await;
    assert_eq!(
        r.runtime().compile_stats(),
        CompileStats {
            compiled: 1,
            deserialized: 0,
            reused: 0,
            cache_rejected: 1
        }
    );
    assert_eq!(get(&r, &id).await, (200, b"hello".to_vec()));

    // The compile replaced the damaged file: the next start deserializes.
    let r = router(Some(dir.path()));
    start(&r, &wasm, 0).await;
    assert_eq!(r.runtime().compile_stats().deserialized, 1);
    assert_eq!(get(&r, &id).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupt_cache_file_falls_back_to_compiling() {
    damaged_cache_file_falls_back_to_compiling(|b| {
        let mid = b.len() / 2;
        b[mid] ^= 0xff;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_cache_file_falls_back_to_compiling() {
    damaged_cache_file_falls_back_to_compiling(|b| b.truncate(b.len() / 3)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_cache_file_with_a_valid_checksum_falls_back_to_compiling() {
    use sha2::Digest;
    // Passes our checksum, so wasmtime's own checks must refuse it.
    damaged_cache_file_falls_back_to_compiling(|b| {
        let junk = vec![0x5a; 4096];
        let sum = sha2::Sha256::digest(&junk);
        *b = junk;
        b.extend_from_slice(&sum);
    })
    .await;
}
