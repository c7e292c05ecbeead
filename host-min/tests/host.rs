//! A whole host in-process: a manifest applied (probe actor + the embedded
//! keyvalue provider), calls routed actor -> provider, and the admin
//! endpoint's client putting and deleting links at runtime.

mod common;

use std::sync::Arc;

use common::{actor_wasm, host_call_payload};
use host_min::admin::{self, AdminError, Client, LinkRequest};
use host_min::claims::{sign_actor, KeyPair, KeyType, SignOptions};
use host_min::host::{Host, HostConfig};
use host_min::manifest::Manifest;
use host_min::providers::ProviderRegistry;
use host_min::types::RpcError;

async fn start(dir: &std::path::Path) -> Arc<Host> {
    std::fs::write(dir.join("probe.wasm"), actor_wasm("probe")).unwrap();
    let manifest = dir.join("app.toml");
    std::fs::write(
        &manifest,
        r#"
[host]
data_dir = "data"
call_deadline_ms = 2000
allow_unsigned = true

[[actors]]
name = "probe"
path = "probe.wasm"

[[providers]]
name = "kv"
kind = "keyvalue"

[[links]]
actor = "probe"
provider = "kv"
"#,
    )
    .unwrap();
    let m = Manifest::load(&manifest).unwrap();
    let cfg = HostConfig::default().with_manifest(&m);
    assert_eq!(cfg.data_dir, dir.join("data"));
    assert!(cfg.allow_unsigned);
    std::fs::create_dir_all(&cfg.data_dir).unwrap();
    let host = Arc::new(Host::new(cfg, ProviderRegistry::with_builtins()).unwrap());
    host.apply(&m).await.unwrap();
    host
}

fn increment(by: i32) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Inc<'a> {
        key: &'a str,
        value: i32,
    }
    let arg = rmp_serde::to_vec_named(&Inc {
        key: "counter:default",
        value: by,
    })
    .unwrap();
    host_call_payload("default", "wasmcloud:keyvalue", "KeyValue.Increment", &arg)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manifest_actor_calls_embedded_keyvalue_and_admin_manages_links() {
    let dir = tempfile::tempdir().unwrap();
    let host = start(dir.path()).await;
    let r = host.router();
    let probe = Host::actor_id("probe");

    for want in 1..=3 {
        let out = r
            .call_actor("probe", "Probe.HostCall", &increment(1))
            .await
            .unwrap();
        assert_eq!(rmp_serde::from_slice::<i32>(&out).unwrap(), want);
    }

    let addr = admin::serve(host.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = Client::new(addr);
    let inv = client.inventory().await.unwrap();
    assert_eq!(inv["actors"][0]["name"], "probe");
    assert_eq!(inv["actors"][0]["id"], probe.as_str());
    assert_eq!(inv["providers"][0]["contract_id"], "wasmcloud:keyvalue");
    assert_eq!(client.links().await.unwrap().len(), 1);

    // delete through the admin endpoint: the actor now gets the upstream text
    let del = LinkRequest {
        actor: "probe".into(),
        provider: Some("kv".into()),
        ..Default::default()
    };
    let gone = client.delete_link(&del).await.unwrap();
    assert_eq!(gone.actor_id, probe);
    let err = r
        .call_actor("probe", "Probe.HostCall", &increment(1))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        RpcError::ActorHandler(
            "host error: Invocation not authorized: missing link definition for wasmcloud:keyvalue on default".into()
        )
    );
    match client.delete_link(&del).await {
        Err(AdminError::Refused { status: 404, .. }) => {}
        other => panic!("{other:?}"),
    }
    // put back: the stored count continues
    let put = LinkRequest {
        actor: probe.clone(),
        provider: Some("kv".into()),
        ..Default::default()
    };
    client.put_link(&put).await.unwrap();
    let out = r
        .call_actor("probe", "Probe.HostCall", &increment(10))
        .await
        .unwrap();
    assert_eq!(rmp_serde::from_slice::<i32>(&out).unwrap(), 13);

    // refusals carry the reason
    let bad = LinkRequest {
        actor: "nobody".into(),
        provider: Some("kv".into()),
        ..Default::default()
    };
    match client.put_link(&bad).await {
        Err(AdminError::Refused {
            status: 404,
            message,
        }) => assert_eq!(message, "no actor `nobody`"),
        other => panic!("{other:?}"),
    }
    let wrong = LinkRequest {
        actor: "probe".into(),
        provider: Some("kv".into()),
        contract_id: Some("wasmcloud:httpserver".into()),
        ..Default::default()
    };
    match client.put_link(&wrong).await {
        Err(AdminError::Refused {
            status: 400,
            message,
        }) => assert!(message.contains("implements"), "{message}"),
        other => panic!("{other:?}"),
    }
    host.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_errors_point_at_the_manifest_line() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("app.toml");
    std::fs::write(
        &manifest,
        "[[actors]]\nname = \"a\"\npath = \"missing.wasm\"\n",
    )
    .unwrap();
    let m = Manifest::load(&manifest).unwrap();
    let host = Host::new(HostConfig::default(), ProviderRegistry::empty()).unwrap();
    let err = host.apply(&m).await.unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("{}:2:", manifest.display())),
        "{err}"
    );
    assert!(err.contains("missing.wasm"), "{err}");

    std::fs::write(dir.path().join("p.wasm"), actor_wasm("probe")).unwrap();
    std::fs::write(
        &manifest,
        "[[actors]]\nname = \"a\"\npath = \"p.wasm\"\n\n[[providers]]\nname = \"x\"\nkind = \"teleporter\"\n",
    )
    .unwrap();
    let m = Manifest::load(&manifest).unwrap();
    let dev = HostConfig {
        allow_unsigned: true,
        ..HostConfig::default()
    };
    let host = Host::new(dev, ProviderRegistry::empty()).unwrap();
    let err = host.apply(&m).await.unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("{}:6:", manifest.display())),
        "{err}"
    );
    assert!(err.contains("unknown provider kind `teleporter`"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_actor_is_refused_at_start_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.wasm"), actor_wasm("probe")).unwrap();
    let manifest = dir.path().join("app.toml");
    std::fs::write(
        &manifest,
        "[host]\ndata_dir = \"data\"\n\n[[actors]]\nname = \"probe\"\npath = \"p.wasm\"\n",
    )
    .unwrap();
    let m = Manifest::load(&manifest).unwrap();
    let cfg = HostConfig::default().with_manifest(&m);
    assert!(!cfg.allow_unsigned, "enforcement is the default");
    let host = Host::new(cfg.clone(), ProviderRegistry::empty()).unwrap();
    let err = host.apply(&m).await.unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("{}:5:", manifest.display())),
        "{err}"
    );
    assert!(err.contains("actor `probe` refused"), "{err}");
    assert!(err.contains("not signed"), "{err}");
    assert!(err.contains("allow_unsigned"), "{err}");
    assert!(host.router().resolve_actor("probe").is_none());

    // the development setting admits it under the name-derived id
    let dev = HostConfig {
        allow_unsigned: true,
        ..cfg
    };
    let host = Host::new(dev, ProviderRegistry::empty()).unwrap();
    host.apply(&m).await.unwrap();
    assert_eq!(
        host.router().resolve_actor("probe"),
        Some(Host::actor_id("probe"))
    );
    host.stop_actor("probe").unwrap();
    assert!(host.router().resolve_actor("probe").is_none());
    host.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_actor_without_keyvalue_claim_is_not_authorized() {
    let dir = tempfile::tempdir().unwrap();
    let account = KeyPair::new(KeyType::Account);
    let module = KeyPair::new(KeyType::Module);
    let wasm = actor_wasm("probe");
    let sign = |caps: &[&str], subject: &KeyPair| {
        let mut o = SignOptions::new(
            "probe",
            caps.iter().map(|c| c.to_string()).collect(),
            account.clone(),
        );
        o.subject = Some(subject.clone());
        sign_actor(&wasm, o).unwrap()
    };
    std::fs::write(
        dir.path().join("nokv.wasm"),
        sign(&["wasmcloud:httpserver"], &module),
    )
    .unwrap();
    let other = KeyPair::new(KeyType::Module);
    std::fs::write(
        dir.path().join("kv.wasm"),
        sign(&["wasmcloud:keyvalue"], &other),
    )
    .unwrap();
    let manifest = dir.path().join("app.toml");
    std::fs::write(
        &manifest,
        r#"
[host]
data_dir = "data"

[[actors]]
name = "nokv"
path = "nokv.wasm"

[[actors]]
name = "kv"
path = "kv.wasm"

[[providers]]
name = "store"
kind = "keyvalue"

[[links]]
actor = "nokv"
provider = "store"

[[links]]
actor = "kv"
provider = "store"
"#,
    )
    .unwrap();
    let m = Manifest::load(&manifest).unwrap();
    let cfg = HostConfig::default().with_manifest(&m);
    assert!(!cfg.allow_unsigned);
    std::fs::create_dir_all(&cfg.data_dir).unwrap();
    let host = Host::new(cfg, ProviderRegistry::with_builtins()).unwrap();
    host.apply(&m).await.unwrap();
    let r = host.router();

    // signed actors run under their claims subject, and links follow it
    let nokv = module.public_key();
    assert_eq!(r.resolve_actor("nokv"), Some(nokv.clone()));
    assert_eq!(r.resolve_actor("kv"), Some(other.public_key()));
    let links = r.inventory().links;
    assert!(links.iter().any(|l| l.actor_id == nokv), "{links:?}");

    let err = r
        .call_actor("nokv", "Probe.HostCall", &increment(1))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        RpcError::ActorHandler(
            "host error: Invocation not authorized: missing capability claim for wasmcloud:keyvalue"
                .into()
        )
    );
    // the actor that claims keyvalue uses it
    let out = r
        .call_actor("kv", "Probe.HostCall", &increment(5))
        .await
        .unwrap();
    assert_eq!(rmp_serde::from_slice::<i32>(&out).unwrap(), 5);
    host.shutdown().await;
}

/// Starting a provider process fails with a typed error that names what is
/// missing: a host on no lattice cannot run one, whatever its source.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_process_without_a_lattice_is_a_typed_start_error() {
    use host_min::host::{HostError, ProcessSource, StartError};
    let dir = tempfile::tempdir().unwrap();
    let cfg = HostConfig {
        data_dir: dir.path().join("data"),
        ..HostConfig::default()
    };
    std::fs::create_dir_all(&cfg.data_dir).unwrap();
    let host = Host::new(cfg, ProviderRegistry::with_builtins()).unwrap();
    let err = host
        .start_provider_process(
            "kv",
            ProcessSource::Builtin("keyvalue".into()),
            "default",
            Default::default(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, HostError::Start(StartError::NoLattice { name }) if name == "kv"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "provider `kv` runs as a process, which needs a lattice: start the host with --nats"
    );
}
