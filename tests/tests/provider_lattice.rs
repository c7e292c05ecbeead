//! Generated interface crates on the lattice, as a provider process uses
//! them: `HttpServerSender::for_actor(&link)` over the process-global host
//! bridge (upstream's spelling), and a generated receiver served by
//! `ProviderServer` (a `Provider` whose `handle` is the receivers of
//! `weld_rpc::provider_services!`). This test plays
//! the actor and the host on a real NATS server (127.0.0.1:4222).
//!
//! It is its own test binary because it sets the process-global bridge.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use weld_e2e::require_service;
use weld_interface_httpserver::{HttpRequest, HttpResponse, HttpServer, HttpServerSender};
use weld_interface_logging::{LogEntry, Logging, LoggingReceiver};
use weld_rpc::common::{deserialize, serialize};
use weld_rpc::core::{HostData, Invocation, InvocationResponse, LinkDefinition, WasmCloudEntity};
use weld_rpc::provider::bridge::sync_with_server;
use weld_rpc::provider::invocation::{sign_invocation, verify_invocation};
use weld_rpc::provider::keys::{KeyPair, KeyType};
use weld_rpc::provider::{set_host_bridge, ActorOrigin, HostBridge, Provider, ProviderServer};
use weld_rpc::{Context, Message, MessageDispatch, RpcResult};

const NATS: &str = "nats://127.0.0.1:4222";

struct Keys {
    cluster: KeyPair,
    host: KeyPair,
    provider: KeyPair,
    actor: KeyPair,
}

fn host_data(k: &Keys, contract_link: &str) -> HostData {
    HostData {
        host_id: k.host.public_key(),
        lattice_rpc_prefix: format!("e2e{}", std::process::id()),
        link_name: contract_link.into(),
        lattice_rpc_url: NATS.into(),
        provider_key: k.provider.public_key(),
        invocation_seed: k.cluster.seed().unwrap(),
        cluster_issuers: vec![k.cluster.public_key()],
        ..Default::default()
    }
}

fn keys() -> Keys {
    Keys {
        cluster: KeyPair::new(KeyType::Cluster),
        host: KeyPair::new(KeyType::Server),
        provider: KeyPair::new(KeyType::Service),
        actor: KeyPair::new(KeyType::Module),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_sender_for_actor_uses_the_global_bridge() {
    if !require_service("NATS", "127.0.0.1:4222") {
        return;
    }
    let k = keys();
    let hd = host_data(&k, "default");
    let bridge = HostBridge::connect(hd.clone()).await.unwrap();
    set_host_bridge(bridge.clone()).unwrap();
    assert!(set_host_bridge(bridge.clone()).is_err(), "set once");

    // The actor: answers HttpServer.HandleRequest with the path in the body,
    // after checking the invocation's claims as a host would.
    let nc = async_nats::connect(NATS).await.unwrap();
    let subject = format!(
        "wasmbus.rpc.{}.{}",
        hd.lattice_rpc_prefix,
        k.actor.public_key()
    );
    let mut sub = nc.subscribe(subject).await.unwrap();
    sync_with_server(&nc).await.unwrap();
    let issuers = hd.cluster_issuers.clone();
    let nc2 = nc.clone();
    let actor = tokio::spawn(async move {
        let msg = sub.next().await.unwrap();
        let inv: Invocation = deserialize(&msg.payload).unwrap();
        verify_invocation(&inv, &inv.msg, &issuers, std::time::SystemTime::now()).unwrap();
        let req: HttpRequest = deserialize(&inv.msg).unwrap();
        let resp = HttpResponse::ok(format!("{} {}", req.method, req.path));
        let reply = InvocationResponse {
            msg: serialize(&resp).unwrap(),
            invocation_id: inv.id.clone(),
            error: None,
            content_length: None,
        };
        nc2.publish(msg.reply.unwrap(), serialize(&reply).unwrap().into())
            .await
            .unwrap();
        inv
    });

    let link = LinkDefinition {
        actor_id: k.actor.public_key(),
        provider_id: k.provider.public_key(),
        link_name: "default".into(),
        contract_id: "wasmcloud:httpserver".into(),
        values: Default::default(),
    };
    let sender = HttpServerSender::for_actor(&link);
    let resp = sender
        .handle_request(
            &Context::default(),
            &HttpRequest {
                method: "GET".into(),
                path: "/counter".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(resp.status_code, 200);
    assert_eq!(resp.body, b"GET /counter");
    let inv = tokio::time::timeout(Duration::from_secs(5), actor)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(inv.operation, "HttpServer.HandleRequest");
    assert_eq!(inv.origin.contract_id, "wasmcloud:httpserver");
    assert_eq!(inv.origin.public_key, k.provider.public_key());

    // The explicit-bridge form reaches the same actor subject.
    let explicit = HttpServerSender::for_actor_with(&link, &bridge);
    explicit.set_timeout(Duration::from_millis(200));
    // Nobody answers any more: a clean error, not a hang.
    assert!(explicit
        .handle_request(&Context::default(), &HttpRequest::default())
        .await
        .is_err());
}

/// A logging provider: records what actors write.
#[derive(Default)]
struct LogProvider {
    lines: Mutex<Vec<(String, String, String)>>,
}

#[weld_rpc::async_trait]
impl Logging for LogProvider {
    async fn write_log(&self, ctx: &Context, arg: &LogEntry) -> RpcResult<()> {
        self.lines.lock().unwrap().push((
            ctx.actor.clone().unwrap_or_default(),
            arg.level.clone(),
            arg.text.clone(),
        ));
        Ok(())
    }
}

weld_rpc::provider_services!(LogProvider: LoggingReceiver);

/// The lifecycle's defaults (every link accepted, nothing to release), and
/// calls answered by the generated receiver.
#[weld_rpc::async_trait]
impl Provider for LogProvider {
    fn contract_id(&self) -> &str {
        "wasmcloud:builtin:logging"
    }

    async fn handle(&self, origin: &ActorOrigin, msg: Message<'_>) -> RpcResult<Vec<u8>> {
        MessageDispatch::dispatch(self, &origin.context(), msg).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_receiver_served_on_the_lattice() {
    if !require_service("NATS", "127.0.0.1:4222") {
        return;
    }
    let k = keys();
    let hd = host_data(&k, "logs");
    let bridge = HostBridge::connect(hd.clone()).await.unwrap();
    let provider = Arc::new(LogProvider::default());
    let server = ProviderServer::start(bridge, provider.clone())
        .await
        .unwrap();

    let entry = LogEntry {
        level: "info".into(),
        text: "hello from an actor".into(),
    };
    let inv = sign_invocation(
        &k.cluster,
        &k.host.public_key(),
        WasmCloudEntity {
            public_key: k.actor.public_key(),
            ..Default::default()
        },
        WasmCloudEntity {
            public_key: k.provider.public_key(),
            link_name: "logs".into(),
            contract_id: "wasmcloud:builtin:logging".into(),
        },
        "Logging.WriteLog",
        serialize(&entry).unwrap(),
    )
    .unwrap();
    let nc = async_nats::connect(NATS).await.unwrap();
    let subject = format!(
        "wasmbus.rpc.{}.{}.logs",
        hd.lattice_rpc_prefix,
        k.provider.public_key()
    );
    let reply = nc
        .request(subject.clone(), serialize(&inv).unwrap().into())
        .await
        .unwrap();
    let resp: InvocationResponse = deserialize(&reply.payload).unwrap();
    assert_eq!(resp.error, None);
    assert!(resp.msg.is_empty(), "WriteLog has no output");
    assert_eq!(
        provider.lines.lock().unwrap().as_slice(),
        [(
            k.actor.public_key(),
            "info".to_string(),
            "hello from an actor".to_string()
        )]
    );

    // An operation of a service the provider does not list.
    let other = sign_invocation(
        &k.cluster,
        &k.host.public_key(),
        inv.origin.clone(),
        inv.target.clone(),
        "KeyValue.Get",
        Vec::new(),
    )
    .unwrap();
    let reply = nc
        .request(subject, serialize(&other).unwrap().into())
        .await
        .unwrap();
    let resp: InvocationResponse = deserialize(&reply.payload).unwrap();
    assert_eq!(
        resp.error.as_deref(),
        Some("method not handled KeyValue.Get")
    );
    server.stop();
    server.wait().await;
}
