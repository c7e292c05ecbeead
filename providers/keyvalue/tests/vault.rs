//! keyvalue-vault against a real Vault-compatible server: OpenBao's dev
//! server (`scripts/setup.sh vault`: 127.0.0.1:8200, KV v2 at `secret/`,
//! root token `weld-dev-root`, or WELD_VAULT_PORT / WELD_VAULT_TOKEN).
#![cfg(feature = "vault")]

use std::collections::HashMap;
use std::sync::Arc;

use weld_provider_keyvalue::vault::{VaultKvProvider, VaultSettings, VaultStore};
use weld_provider_keyvalue::KvStore;
use weld_rpc::core::LinkDefinition;
use weld_rpc::provider::{ActorOrigin, Provider, ProviderContext};
use weld_rpc::{Context, Message, RpcResult, SendOpts, Transport};
use weld_test_support::{require_service, unique_name};

fn port() -> u16 {
    std::env::var("WELD_VAULT_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8200)
}

fn token() -> String {
    std::env::var("WELD_VAULT_TOKEN").unwrap_or_else(|_| "weld-dev-root".into())
}

fn up() -> bool {
    require_service(
        "Vault (OpenBao dev server)",
        &format!("127.0.0.1:{}", port()),
    )
}

fn settings(token: &str) -> VaultSettings {
    VaultSettings {
        addr: format!("http://127.0.0.1:{}", port()),
        token: token.into(),
        mount: "secret".into(),
        certs: Vec::new(),
        token_increment_ttl: "72h".into(),
        token_refresh_interval: 43_200,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstreams_operations_and_increment_on_kv_v2() {
    if !up() {
        return;
    }
    let store = Arc::new(VaultStore::new(&settings(&token())).unwrap());
    let dir = unique_name("weld").replace('.', "_");
    let key = format!("{dir}/greeting");
    assert_eq!(store.get(&key).await.unwrap(), None);
    assert!(!store.contains(&key).await.unwrap());
    store.set(&key, "hello", 0).await.unwrap();
    assert_eq!(store.get(&key).await.unwrap().as_deref(), Some("hello"));
    assert!(store.contains(&key).await.unwrap());
    // A JSON object is stored as the secret's fields, and read back as JSON.
    let obj = format!("{dir}/object");
    store
        .set(&obj, r#"{"user":"ann","pw":"x"}"#, 0)
        .await
        .unwrap();
    let back: serde_json::Value =
        serde_json::from_str(&store.get(&obj).await.unwrap().unwrap()).unwrap();
    assert_eq!(back, serde_json::json!({"user": "ann", "pw": "x"}));
    // SetQuery lists the keys under a path.
    let mut keys = store.set_query(&dir).await.unwrap();
    keys.sort();
    assert_eq!(keys, ["greeting", "object"]);
    assert_eq!(
        store.set_query(&format!("{dir}/none")).await.unwrap(),
        Vec::<String>::new()
    );
    // Del: true once, then false.
    assert!(store.del(&key).await.unwrap());
    assert!(!store.del(&key).await.unwrap());
    assert_eq!(store.get(&key).await.unwrap(), None);

    // Increment with check-and-set: 20 at once through two stores (two
    // providers, as it were: their writes meet only in Vault), none lost,
    // also over a deleted key's versions.
    let counter = format!("{dir}/counter");
    assert_eq!(store.increment(&counter, 5).await.unwrap(), 5);
    assert!(store.del(&counter).await.unwrap());
    let other = Arc::new(VaultStore::new(&settings(&token())).unwrap());
    let all: Vec<_> = (0..20)
        .map(|i| {
            let s = Arc::clone(if i % 2 == 0 { &store } else { &other });
            let k = counter.clone();
            tokio::spawn(async move { s.increment(&k, 1).await.unwrap() })
        })
        .collect();
    let mut seen = Vec::new();
    for t in all {
        seen.push(t.await.unwrap());
    }
    seen.sort();
    assert_eq!(seen, (1..=20).collect::<Vec<_>>());
    assert_eq!(store.get(&counter).await.unwrap().as_deref(), Some("20"));
    let e = store.increment(&obj, 1).await.unwrap_err();
    assert!(e.to_string().contains("not an integer"), "{e}");

    // No key leaves the mount (URL parsing would resolve `..`).
    let e = store.get("../../sys/policies/acl").await.unwrap_err();
    assert!(e.to_string().contains("`.` or `..` segment"), "{e}");
    assert!(store.set_query("..").await.is_err());

    // What upstream did not serve is refused by name.
    let e = store.list_add("l", "x").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "ListAdd is not implemented by this key-value store"
    );
    // A bad token: Vault's own reason.
    let bad = VaultStore::new(&settings("not-a-token")).unwrap();
    let e = bad.get(&obj).await.unwrap_err().to_string();
    assert!(e.starts_with("vault error: get: 403"), "{e}");
}

/// The provider never calls its actor on this contract.
struct NoActor;

#[weld_rpc::async_trait]
impl Transport for NoActor {
    async fn send(&self, _: &Context, _: Message<'_>, _: Option<SendOpts>) -> RpcResult<Vec<u8>> {
        unreachable!()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_provider_serves_a_linked_actor() {
    if !up() {
        return;
    }
    let p = VaultKvProvider::new(ProviderContext {
        provider_id: "VKV".into(),
        name: "vault".into(),
        link_name: "default".into(),
        config: [("addr".to_string(), format!("http://127.0.0.1:{}", port()))].into(),
        data_dir: std::env::temp_dir(),
        lattice: None,
    });
    let link = |values: HashMap<String, String>| LinkDefinition {
        actor_id: "MVAULT".into(),
        provider_id: "VKV".into(),
        link_name: "default".into(),
        contract_id: "wasmcloud:keyvalue".into(),
        values,
    };
    let e = p
        .put_link(&link(HashMap::new()), Arc::new(NoActor))
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("missing setting for 'token' or VAULT_TOKEN"),
        "{e}"
    );
    p.put_link(
        &link([("TOKEN".to_string(), token())].into()),
        Arc::new(NoActor),
    )
    .await
    .unwrap();
    let origin = ActorOrigin {
        actor_id: "MVAULT".into(),
        link_name: "default".into(),
    };
    let key = format!("{}/n", unique_name("weld").replace('.', "_"));
    let arg = weld_rpc::common::serialize(&weld_interface_keyvalue::IncrementRequest {
        key: key.clone(),
        value: 3,
    })
    .unwrap();
    let out = p
        .handle(&origin, Message::new("KeyValue.Increment", &arg))
        .await
        .unwrap();
    assert_eq!(weld_rpc::common::deserialize::<i32>(&out).unwrap(), 3);
}
