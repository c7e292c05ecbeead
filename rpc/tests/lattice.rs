//! The provider's lattice transport against a real NATS server
//! (127.0.0.1:4222, JetStream on): this test plays the actor (subscribed on
//! the actor subject) and the host (sending invocations to the provider).
//!
//! Without NATS the tests are skipped with a message, except under
//! `CI=true`, where that is a failure.

use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use data_encoding::{BASE64URL_NOPAD, HEXUPPER};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;
use weld_rpc::common::{deserialize, serialize};
use weld_rpc::core::{
    Actor, ActorSender, HealthCheckRequest, HealthCheckResponse, HostData, Invocation,
    InvocationResponse, LinkDefinition, WasmCloudEntity,
};
use weld_rpc::provider::invocation::{
    sign_invocation, verify_invocation, verify_invocation_by, ClusterIssuers, InvocationError,
};
use weld_rpc::provider::keys::{KeyPair, KeyType};
use weld_rpc::provider::{
    ActorLink, ActorOrigin, HostBridge, Provider, ProviderError, ProviderServer, ProviderTransport,
    CHUNK_THRESHOLD_BYTES,
};
use weld_rpc::{Context, Message, RpcError, RpcResult, Transport};

use weld_test_support::in_ci;

const NATS: &str = "nats://127.0.0.1:4222";
const CONTRACT: &str = "wasmcloud:testing";

/// A client, or `None` (skip) when NATS is down outside CI.
async fn nats() -> Option<async_nats::Client> {
    match async_nats::connect(NATS).await {
        Ok(c) => Some(c),
        Err(e) if in_ci() => panic!("NATS is required at {NATS} under CI=true: {e}"),
        Err(e) => {
            eprintln!("skipping: NATS not reachable at {NATS}: {e}");
            None
        }
    }
}

/// The keys and host data of one provider in its own lattice (a fresh
/// prefix per test keeps parallel tests apart).
struct World {
    cluster: KeyPair,
    host: KeyPair,
    provider: KeyPair,
    actor: KeyPair,
    host_data: HostData,
}

impl World {
    fn new() -> World {
        let cluster = KeyPair::new(KeyType::Cluster);
        let host = KeyPair::new(KeyType::Server);
        let provider = KeyPair::new(KeyType::Service);
        let actor = KeyPair::new(KeyType::Module);
        let host_data = HostData {
            host_id: host.public_key(),
            lattice_rpc_prefix: format!("t{}", uuid::Uuid::new_v4().simple()),
            link_name: "default".into(),
            lattice_rpc_url: NATS.into(),
            provider_key: provider.public_key(),
            invocation_seed: cluster.seed().unwrap(),
            cluster_issuers: vec![cluster.public_key()],
            default_rpc_timeout_ms: Some(2000),
            ..Default::default()
        };
        World {
            cluster,
            host,
            provider,
            actor,
            host_data,
        }
    }

    fn link(&self) -> LinkDefinition {
        LinkDefinition {
            actor_id: self.actor.public_key(),
            provider_id: self.provider.public_key(),
            link_name: "default".into(),
            contract_id: CONTRACT.into(),
            values: Default::default(),
        }
    }

    fn lattice(&self) -> &str {
        &self.host_data.lattice_rpc_prefix
    }

    fn provider_url(&self) -> String {
        format!(
            "wasmbus://wasmcloud/testing/default/{}",
            self.provider.public_key()
        )
    }
}

/// Decodes a JWT's claims as JSON and checks its signature with the `nkeys`
/// crate (an implementation independent of weld's).
fn check_jwt(token: &str) -> serde_json::Value {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    let header: serde_json::Value =
        serde_json::from_slice(&BASE64URL_NOPAD.decode(parts[0].as_bytes()).unwrap()).unwrap();
    assert_eq!(
        header,
        serde_json::json!({"typ": "jwt", "alg": "Ed25519"}),
        "header"
    );
    let claims: serde_json::Value =
        serde_json::from_slice(&BASE64URL_NOPAD.decode(parts[1].as_bytes()).unwrap()).unwrap();
    let iss = claims["iss"].as_str().unwrap();
    let sig = BASE64URL_NOPAD.decode(parts[2].as_bytes()).unwrap();
    let signed = format!("{}.{}", parts[0], parts[1]);
    nkeys::KeyPair::from_public_key(iss)
        .unwrap()
        .verify(signed.as_bytes(), &sig)
        .expect("signature verifies with the issuer's public key");
    claims
}

fn sha256_upper(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    HEXUPPER.encode(&h.finalize())
}

/// Answers every invocation on `subject` with `answer(inv)`, returning the
/// invocations seen.
async fn fake_actor(
    nc: &async_nats::Client,
    subject: String,
    answer: impl Fn(&Invocation) -> Option<InvocationResponse> + Send + 'static,
) -> Arc<Mutex<Vec<(Vec<u8>, Invocation)>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut sub = nc.subscribe(subject).await.unwrap();
    weld_rpc::provider::bridge::sync_with_server(nc)
        .await
        .unwrap();
    let (nc, seen2) = (nc.clone(), seen.clone());
    tokio::spawn(async move {
        while let Some(msg) = sub.next().await {
            let inv: Invocation = deserialize(&msg.payload).expect("invocation decodes");
            seen2
                .lock()
                .unwrap()
                .push((msg.payload.to_vec(), inv.clone()));
            if let (Some(resp), Some(reply)) = (answer(&inv), msg.reply) {
                nc.publish(reply, serialize(&resp).unwrap().into())
                    .await
                    .unwrap();
            }
        }
    });
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_calls_actor_with_a_signed_invocation() {
    let Some(nc) = nats().await else { return };
    let w = World::new();
    let bridge = HostBridge::connect(w.host_data.clone()).await.unwrap();
    let subject = format!("wasmbus.rpc.{}.{}", w.lattice(), w.actor.public_key());
    let seen = fake_actor(&nc, subject, |inv| {
        Some(InvocationResponse {
            msg: serialize(&HealthCheckResponse {
                healthy: true,
                message: Some(format!("hello {}", inv.origin.public_key)),
            })
            .unwrap(),
            invocation_id: inv.id.clone(),
            error: None,
            content_length: None,
        })
    })
    .await;

    let sender = ActorSender::via(ProviderTransport::new(&w.link(), Some(&bridge)));
    let resp = sender
        .health_request(&Context::default(), &HealthCheckRequest {})
        .await
        .unwrap();
    assert_eq!(
        resp,
        HealthCheckResponse {
            healthy: true,
            message: Some(format!("hello {}", w.provider.public_key())),
        }
    );

    let (raw, inv) = seen.lock().unwrap().pop().expect("the actor got a call");
    assert_eq!(
        inv.origin,
        WasmCloudEntity {
            public_key: w.provider.public_key(),
            link_name: "default".into(),
            contract_id: CONTRACT.into(),
        }
    );
    assert_eq!(
        inv.target,
        WasmCloudEntity {
            public_key: w.actor.public_key(),
            link_name: String::new(),
            contract_id: String::new(),
        }
    );
    assert_eq!(inv.operation, "Actor.HealthRequest");
    // An empty struct is an empty msgpack map.
    assert_eq!(inv.msg, vec![0x80]);
    assert_eq!(inv.content_length, Some(1));
    assert_eq!(inv.host_id, w.host.public_key());
    assert!(uuid::Uuid::parse_str(&inv.id).is_ok(), "id {}", inv.id);
    // msg travels as msgpack bin (c4), in a map keyed by the wire names.
    let needle = [&b"\xa3msg"[..], &[0xc4, 0x01, 0x80]].concat();
    assert!(
        raw.windows(needle.len()).any(|w| w == needle),
        "msg is bin in {}",
        hex::encode(&raw)
    );
    assert_eq!(raw[0], 0x88, "a map of 8 entries (no traceContext)");

    let claims = check_jwt(&inv.encoded_claims);
    assert_eq!(claims["iss"], w.cluster.public_key());
    assert_eq!(claims["sub"], inv.id);
    assert_eq!(claims["wascap_revision"], 3);
    let origin_url = w.provider_url();
    let target_url = format!("wasmbus://{}/Actor.HealthRequest", w.actor.public_key());
    assert_eq!(claims["wascap"]["origin_url"], origin_url);
    assert_eq!(claims["wascap"]["target_url"], target_url);
    assert_eq!(
        claims["wascap"]["hash"],
        sha256_upper(&[
            origin_url.as_bytes(),
            target_url.as_bytes(),
            b"Actor.HealthRequest",
            &[0x80],
        ])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actor_error_timeout_and_no_responders_map_to_rpc_errors() {
    let Some(nc) = nats().await else { return };
    let w = World::new();
    let bridge = HostBridge::connect(w.host_data.clone()).await.unwrap();
    let subject = format!("wasmbus.rpc.{}.{}", w.lattice(), w.actor.public_key());
    let transport = ProviderTransport::new(&w.link(), Some(&bridge));
    let ctx = Context::default();
    let call = |t: &ProviderTransport| {
        let t = t.clone();
        let ctx = ctx.clone();
        async move {
            t.send(
                &ctx,
                Message {
                    method: "Testing.Op",
                    arg: Cow::Borrowed(b"\x01"),
                },
                None,
            )
            .await
        }
    };

    // Nobody subscribed: NATS says so at once, no need to wait out the timeout.
    match call(&transport).await {
        Err(RpcError::Nats(m)) => assert!(m.contains("no responders"), "{m}"),
        other => panic!("expected a no-responders error, got {other:?}"),
    }

    // An actor that replies with an error.
    let _seen = fake_actor(&nc, subject.clone(), |inv| {
        (inv.operation == "Testing.Op").then(|| InvocationResponse {
            msg: Vec::new(),
            invocation_id: inv.id.clone(),
            error: Some("actor says no".into()),
            content_length: None,
        })
    })
    .await;
    assert_eq!(
        call(&transport).await,
        Err(RpcError::Rpc("actor says no".into()))
    );

    // An actor that never answers: the call gives up after the timeout.
    let mut silent = nc
        .subscribe(format!("wasmbus.rpc.{}.MSILENT", w.lattice()))
        .await
        .unwrap();
    weld_rpc::provider::bridge::sync_with_server(&nc)
        .await
        .unwrap();
    let quiet = ProviderTransport::new(
        &LinkDefinition {
            actor_id: "MSILENT".into(),
            ..w.link()
        },
        Some(&bridge),
    );
    quiet.set_timeout(Duration::from_millis(300));
    let started = std::time::Instant::now();
    match call(&quiet).await {
        Err(RpcError::Timeout(m)) => assert!(m.contains("300 ms"), "{m}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(silent.next().await.is_some(), "the request did go out");
}

#[tokio::test]
async fn without_a_bridge_calls_fail_cleanly() {
    // This binary never sets the global bridge.
    assert!(weld_rpc::provider::get_host_bridge().is_none());
    let t = ProviderTransport::new(&LinkDefinition::default(), None);
    let r = t
        .send(
            &Context::default(),
            Message {
                method: "X.Y",
                arg: Cow::Borrowed(&[]),
            },
            None,
        )
        .await;
    assert!(matches!(r, Err(RpcError::NotInitialized(_))), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payloads_over_the_threshold_go_through_the_object_store() {
    let Some(nc) = nats().await else { return };
    let w = World::new();
    let bridge = HostBridge::connect(w.host_data.clone()).await.unwrap();
    let subject = format!("wasmbus.rpc.{}.{}", w.lattice(), w.actor.public_key());
    let big: Vec<u8> = (0..CHUNK_THRESHOLD_BYTES + 4321)
        .map(|i| (i * 7 % 251) as u8)
        .collect();
    let js = async_nats::jetstream::new(nc.clone());
    let lattice = w.lattice().to_string();
    let mut sub = nc.subscribe(subject).await.unwrap();
    weld_rpc::provider::bridge::sync_with_server(&nc)
        .await
        .unwrap();
    let (nc2, expected, issuers) = (nc.clone(), big.clone(), w.host_data.cluster_issuers.clone());
    let actor = tokio::spawn(async move {
        let msg = sub.next().await.unwrap();
        let inv: Invocation = deserialize(&msg.payload).unwrap();
        assert!(inv.msg.is_empty(), "chunked: msg travels out of band");
        assert_eq!(inv.content_length, Some(expected.len() as u64));
        let store = js.get_object_store(&lattice).await.unwrap();
        let mut body = Vec::new();
        store
            .get(&inv.id)
            .await
            .unwrap()
            .read_to_end(&mut body)
            .await
            .unwrap();
        assert_eq!(body, expected);
        // The claims hash covers the whole message, not the empty `msg`.
        verify_invocation(&inv, &body, &issuers, SystemTime::now()).unwrap();
        // Reply with the reversed bytes, chunked too.
        let reply_body: Vec<u8> = body.iter().rev().copied().collect();
        let mut reader = &reply_body[..];
        store
            .put(format!("{}-r", inv.id).as_str(), &mut reader)
            .await
            .unwrap();
        let resp = InvocationResponse {
            msg: Vec::new(),
            invocation_id: inv.id.clone(),
            error: None,
            content_length: Some(reply_body.len() as u64),
        };
        nc2.publish(msg.reply.unwrap(), serialize(&resp).unwrap().into())
            .await
            .unwrap();
    });
    let transport = ProviderTransport::new(&w.link(), Some(&bridge));
    transport.set_timeout(Duration::from_secs(10));
    let out = transport
        .send(
            &Context::default(),
            Message {
                method: "Testing.Big",
                arg: Cow::Borrowed(&big),
            },
            None,
        )
        .await
        .unwrap();
    actor.await.unwrap();
    let reversed: Vec<u8> = big.iter().rev().copied().collect();
    assert!(out == reversed, "reply of {} bytes", out.len());
}

/// A provider for the receiving side: `Echo.Say` answers its argument
/// reversed, `Echo.Panic` panics; links and health are recorded.
#[derive(Default)]
struct EchoProvider {
    calls: AtomicUsize,
    callers: Mutex<Vec<String>>,
    links: Mutex<Vec<String>>,
    shut_down: AtomicUsize,
}

#[weld_rpc::async_trait]
impl Provider for EchoProvider {
    fn contract_id(&self) -> &str {
        CONTRACT
    }
    async fn handle(&self, origin: &ActorOrigin, message: Message<'_>) -> RpcResult<Vec<u8>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.callers.lock().unwrap().push(origin.actor_id.clone());
        match message.method {
            "Echo.Say" => Ok(message.arg.iter().rev().copied().collect()),
            "Echo.Panic" => panic!("provider bug"),
            other => Err(RpcError::MethodNotHandled(other.to_string())),
        }
    }
    async fn put_link(&self, ld: &LinkDefinition, _actor: ActorLink) -> Result<(), ProviderError> {
        self.links.lock().unwrap().push(format!("+{}", ld.actor_id));
        Ok(())
    }
    async fn delete_link(&self, ld: &LinkDefinition) {
        self.links.lock().unwrap().push(format!("-{}", ld.actor_id));
    }
    async fn health(&self) -> HealthCheckResponse {
        HealthCheckResponse {
            healthy: true,
            message: Some("echo ok".into()),
        }
    }
    async fn shutdown(&self) {
        self.shut_down.fetch_add(1, Ordering::SeqCst);
    }
}

/// Signs an invocation from the actor to the provider as a host would.
fn host_invocation(w: &World, signer: &KeyPair, operation: &str, msg: &[u8]) -> Invocation {
    sign_invocation(
        signer,
        &w.host.public_key(),
        WasmCloudEntity {
            public_key: w.actor.public_key(),
            ..Default::default()
        },
        WasmCloudEntity {
            public_key: w.provider.public_key(),
            link_name: "default".into(),
            contract_id: CONTRACT.into(),
        },
        operation,
        msg.to_vec(),
    )
    .unwrap()
}

async fn request(nc: &async_nats::Client, subject: &str, payload: Vec<u8>) -> InvocationResponse {
    let reply = tokio::time::timeout(
        Duration::from_secs(5),
        nc.request(subject.to_string(), payload.into()),
    )
    .await
    .expect("the provider answers in time")
    .expect("the provider answers");
    deserialize(&reply.payload).expect("an InvocationResponse")
}

/// An `EchoProvider` served by a `ProviderServer` in a fresh lattice, with
/// a NATS client for the test and the subject prefix the server listens on
/// (`None`: NATS is not reachable outside CI).
async fn serve_echo() -> Option<(
    async_nats::Client,
    World,
    HostBridge,
    Arc<EchoProvider>,
    ProviderServer,
    String,
)> {
    let nc = nats().await?;
    let w = World::new();
    let bridge = HostBridge::connect(w.host_data.clone()).await.unwrap();
    let provider = Arc::new(EchoProvider::default());
    let server = ProviderServer::start(bridge.clone(), provider.clone())
        .await
        .unwrap();
    let subject = format!(
        "wasmbus.rpc.{}.{}.default",
        w.lattice(),
        w.provider.public_key()
    );
    Some((nc, w, bridge, provider, server, subject))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_server_answers_signed_invocations_and_refuses_forged_ones() {
    let Some((nc, w, _bridge, provider, server, subject)) = serve_echo().await else {
        return;
    };

    // A correctly signed call is dispatched with the caller in the context.
    let inv = host_invocation(&w, &w.cluster, "Echo.Say", b"abc");
    let resp = request(&nc, &subject, serialize(&inv).unwrap()).await;
    assert_eq!(resp.error, None);
    assert_eq!(resp.msg, b"cba");
    assert_eq!(resp.invocation_id, inv.id);
    assert_eq!(resp.content_length, Some(3));
    assert_eq!(
        provider.callers.lock().unwrap().as_slice(),
        [w.actor.public_key()]
    );

    // Forgeries: each gets an error response naming the problem, and the
    // provider's handler never runs.
    let mut tampered = host_invocation(&w, &w.cluster, "Echo.Say", b"abc");
    tampered.msg = b"abd".to_vec();
    let mut retargeted = host_invocation(&w, &w.cluster, "Echo.Say", b"abc");
    retargeted.operation = "Echo.Other".into();
    let stranger = KeyPair::new(KeyType::Cluster);
    let unknown_issuer = host_invocation(&w, &stranger, "Echo.Say", b"abc");
    // Claims copied from a genuine token, signature from another one: the
    // hash matches but the signature does not.
    let mut bad_sig = host_invocation(&w, &w.cluster, "Echo.Say", b"abc");
    let other = host_invocation(&w, &w.cluster, "Echo.Say", b"xyz");
    let (head_claims, _) = bad_sig.encoded_claims.rsplit_once('.').unwrap();
    let (_, other_sig) = other.encoded_claims.rsplit_once('.').unwrap();
    bad_sig.encoded_claims = format!("{head_claims}.{other_sig}");
    let mut garbage_claims = host_invocation(&w, &w.cluster, "Echo.Say", b"abc");
    garbage_claims.encoded_claims = "not.a.jwt".into();
    let mut bad_host = host_invocation(&w, &w.cluster, "Echo.Say", b"abc");
    bad_host.host_id = "NOTAHOST".into();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("tampered msg", serialize(&tampered).unwrap(), "hash"),
        ("changed operation", serialize(&retargeted).unwrap(), "hash"),
        (
            "unknown issuer",
            serialize(&unknown_issuer).unwrap(),
            "cluster issuers",
        ),
        ("bad signature", serialize(&bad_sig).unwrap(), "signature"),
        (
            "garbage claims",
            serialize(&garbage_claims).unwrap(),
            "claims",
        ),
        ("bad host id", serialize(&bad_host).unwrap(), "host ID"),
        (
            "not an invocation",
            b"\xc1\xff\x00".to_vec(),
            "invalid invocation",
        ),
        ("empty payload", Vec::new(), "invalid invocation"),
    ];
    for (what, payload, expect) in cases {
        let resp = request(&nc, &subject, payload).await;
        let err = resp.error.unwrap_or_else(|| panic!("{what}: accepted"));
        assert!(err.contains(expect), "{what}: {err}");
        assert!(resp.msg.is_empty(), "{what}");
    }
    assert_eq!(
        provider.calls.load(Ordering::SeqCst),
        1,
        "only the genuine call ran"
    );

    // A handler error and a handler panic become error responses; the
    // server keeps serving.
    let inv = host_invocation(&w, &w.cluster, "Echo.Nope", b"");
    let resp = request(&nc, &subject, serialize(&inv).unwrap()).await;
    assert_eq!(resp.error.as_deref(), Some("method not handled Echo.Nope"));
    let inv = host_invocation(&w, &w.cluster, "Echo.Panic", b"");
    let resp = request(&nc, &subject, serialize(&inv).unwrap()).await;
    assert!(
        resp.error.as_deref().is_some_and(|e| e.contains("panic")),
        "{resp:?}"
    );
    let inv = host_invocation(&w, &w.cluster, "Echo.Say", b"still here");
    let resp = request(&nc, &subject, serialize(&inv).unwrap()).await;
    assert_eq!(resp.msg, b"ereh llits");
    assert!(!server.is_finished());
    server.stop();
    server.wait().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_server_handles_links_health_and_shutdown() {
    let Some((nc, w, bridge, provider, server, base)) = serve_echo().await else {
        return;
    };

    let ld = w.link();
    nc.publish(
        format!("{base}.linkdefs.put"),
        serialize(&ld).unwrap().into(),
    )
    .await
    .unwrap();
    wait_for(|| bridge.get_link(&ld.actor_id).as_ref() == Some(&ld)).await;
    assert_eq!(
        provider.links.lock().unwrap().as_slice(),
        [format!("+{}", ld.actor_id)]
    );

    let reply = nc
        .request(
            format!("{base}.health"),
            serialize(&HealthCheckRequest {}).unwrap().into(),
        )
        .await
        .unwrap();
    let health: HealthCheckResponse = deserialize(&reply.payload).unwrap();
    assert_eq!(
        health,
        HealthCheckResponse {
            healthy: true,
            message: Some("echo ok".into())
        }
    );

    nc.publish(
        format!("{base}.linkdefs.del"),
        serialize(&ld).unwrap().into(),
    )
    .await
    .unwrap();
    wait_for(|| bridge.get_link(&ld.actor_id).is_none()).await;
    assert_eq!(provider.links.lock().unwrap().len(), 2);

    // A malformed link is ignored, not fatal.
    nc.publish(format!("{base}.linkdefs.put"), b"\xff\xff".to_vec().into())
        .await
        .unwrap();

    nc.request(format!("{base}.shutdown"), Vec::new().into())
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(5), server.wait())
        .await
        .expect("the server stops after a shutdown request");
    assert_eq!(provider.shut_down.load(Ordering::SeqCst), 1);
    assert!(bridge.links().is_empty());
}

async fn wait_for(cond: impl Fn() -> bool) {
    for _ in 0..100 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("condition not reached within 2 s");
}

#[test]
fn verify_rejects_what_the_server_rejects_without_nats() {
    let w = World::new();
    let inv = host_invocation(&w, &w.cluster, "Echo.Say", b"abc");
    let issuers = vec![w.cluster.public_key()];
    verify_invocation(&inv, &inv.msg, &issuers, SystemTime::now()).unwrap();
    assert!(matches!(
        verify_invocation(&inv, b"abd", &issuers, SystemTime::now()),
        Err(InvocationError::Hash { .. })
    ));
    assert!(matches!(
        verify_invocation(&inv, &inv.msg, &[], SystemTime::now()),
        Err(InvocationError::UnknownIssuer(_))
    ));
}

/// Issuers decoded once (`ClusterIssuers`, what a bridge keeps) decide
/// exactly as the plain list: a token of a listed issuer verifies, one
/// whose signature was altered is refused as forged even though its issuer
/// is listed, one of an unlisted issuer is refused as unknown, and a list
/// entry that is not a key changes nothing for the others.
#[test]
fn issuers_decoded_once_decide_as_the_plain_list() {
    let w = World::new();
    let now = SystemTime::now();
    let inv = host_invocation(&w, &w.cluster, "Echo.Say", b"abc");
    let issuers = ClusterIssuers::new(&["not-a-key".to_string(), w.cluster.public_key()]);
    assert!(issuers.contains(&w.cluster.public_key()));
    verify_invocation_by(&inv, &inv.msg, &issuers, now).unwrap();

    let mut forged = inv.clone();
    let (head, sig) = forged.encoded_claims.rsplit_once('.').unwrap();
    let flipped = if sig.starts_with('A') { 'B' } else { 'A' };
    forged.encoded_claims = format!("{head}.{flipped}{}", &sig[1..]);
    assert!(matches!(
        verify_invocation_by(&forged, &forged.msg, &issuers, now),
        Err(InvocationError::Jwt(
            weld_rpc::provider::jwt::JwtError::BadSignature { .. }
        ))
    ));

    let stranger = KeyPair::new(KeyType::Cluster);
    let other = host_invocation(&w, &stranger, "Echo.Say", b"abc");
    assert!(matches!(
        verify_invocation_by(&other, &other.msg, &issuers, now),
        Err(InvocationError::UnknownIssuer(k)) if k == stranger.public_key()
    ));
}

// ---------------------------------------------------------------------------
// Issue 11: verify before acting, bound everything.
// ---------------------------------------------------------------------------

/// A token is bound to its invocation (`sub` = id) and the tokens weld signs
/// expire; tokens without `exp` (upstream's) are still accepted.
#[test]
fn tokens_are_bound_to_their_invocation_and_expire() {
    let w = World::new();
    let issuers = vec![w.cluster.public_key()];
    let now = SystemTime::now();
    let inv = host_invocation(&w, &w.cluster, "Echo.Say", b"abc");
    verify_invocation(&inv, &inv.msg, &issuers, now).unwrap();

    // The same token on another invocation id: refused.
    let mut moved = inv.clone();
    moved.id = uuid::Uuid::new_v4().to_string();
    assert!(
        matches!(
            verify_invocation(&moved, &moved.msg, &issuers, now),
            Err(InvocationError::Subject { .. })
        ),
        "a token moved to another id must be refused"
    );

    // weld's tokens carry `exp`, by default a minute after signing.
    let claims = check_jwt(&inv.encoded_claims);
    let (iat, exp) = (claims["iat"].as_u64().unwrap(), claims["exp"].as_u64());
    assert_eq!(
        exp,
        Some(iat + weld_rpc::provider::invocation::DEFAULT_INVOCATION_TTL.as_secs())
    );
    let later = now + Duration::from_secs(120);
    assert!(
        matches!(
            verify_invocation(&inv, &inv.msg, &issuers, later),
            Err(InvocationError::Expired { .. })
        ),
        "a captured invocation replayed later must be refused"
    );
    // A shorter validity is honoured.
    let short = weld_rpc::provider::invocation::sign_invocation_valid_for(
        &w.cluster,
        &w.host.public_key(),
        inv.origin.clone(),
        inv.target.clone(),
        "Echo.Say",
        b"abc".to_vec(),
        Duration::from_secs(5),
    )
    .unwrap();
    let exp = check_jwt(&short.encoded_claims)["exp"].as_u64().unwrap();
    assert!(exp <= weld_rpc::provider::jwt::unix_seconds(now) + 6);

    // An upstream-style token (no `exp`) still verifies, as upstream does.
    let mut upstream = inv.clone();
    let mut c: weld_rpc::provider::invocation::InvocationClaims =
        serde_json::from_value(claims.clone()).unwrap();
    c.expires = None;
    upstream.encoded_claims = weld_rpc::provider::jwt::encode(&c, &w.cluster).unwrap();
    verify_invocation(&upstream, &upstream.msg, &issuers, later).unwrap();
}

/// Puts `bytes` into the lattice's object store as object `name`.
async fn put_object(nc: &async_nats::Client, lattice: &str, name: &str, bytes: &[u8]) {
    let js = async_nats::jetstream::new(nc.clone());
    let store = weld_rpc::provider::object_store(&js, lattice, None)
        .await
        .unwrap();
    let mut reader = bytes;
    store.put(name, &mut reader).await.unwrap();
}

async fn object_exists(nc: &async_nats::Client, lattice: &str, name: &str) -> bool {
    let js = async_nats::jetstream::new(nc.clone());
    let store = js.get_object_store(lattice).await.unwrap();
    // A deleted object keeps an info record marked deleted.
    store.info(name).await.is_ok_and(|i| !i.deleted)
}

/// A chunked invocation whose payload sits in the object store under its id.
fn chunked_invocation(w: &World, signer: &KeyPair, body: &[u8]) -> Invocation {
    let mut inv = host_invocation(w, signer, "Echo.Say", body);
    inv.msg = Vec::new();
    inv.content_length = Some(body.len() as u64);
    inv
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunked_payloads_are_fetched_only_after_verification_and_bounded() {
    let Some((nc, w, bridge, provider, server, subject)) = serve_echo().await else {
        return;
    };
    let body: Vec<u8> = (0..CHUNK_THRESHOLD_BYTES + 10).map(|i| i as u8).collect();

    // A forged invocation naming someone else's object: refused before the
    // object is read, so the object is still there.
    let stranger = KeyPair::new(KeyType::Cluster);
    let forged = chunked_invocation(&w, &stranger, &body);
    put_object(&nc, w.lattice(), &forged.id, &body).await;
    let resp = request(&nc, &subject, serialize(&forged).unwrap()).await;
    assert!(
        resp.error
            .as_deref()
            .is_some_and(|e| e.contains("cluster issuers")),
        "{:?}",
        resp.error
    );
    assert!(
        object_exists(&nc, w.lattice(), &forged.id).await,
        "a refused invocation must not consume the object"
    );

    // A genuine one is fetched (and the object deleted).
    let genuine = chunked_invocation(&w, &w.cluster, &body);
    put_object(&nc, w.lattice(), &genuine.id, &body).await;
    let resp = request(&nc, &subject, serialize(&genuine).unwrap()).await;
    assert_eq!(resp.error, None);
    assert!(!object_exists(&nc, w.lattice(), &genuine.id).await);

    // Over the bridge's limit: refused without reading.
    bridge.set_max_chunked_bytes(body.len() as u64 - 1);
    let big = chunked_invocation(&w, &w.cluster, &body);
    put_object(&nc, w.lattice(), &big.id, &body).await;
    let resp = request(&nc, &subject, serialize(&big).unwrap()).await;
    assert!(
        resp.error
            .as_deref()
            .is_some_and(|e| e.contains("over the limit")),
        "{:?}",
        resp.error
    );
    assert!(object_exists(&nc, w.lattice(), &big.id).await);
    bridge.set_max_chunked_bytes(weld_rpc::provider::MAX_CHUNKED_BYTES);

    // An object longer than the signed content_length: an error, and the
    // read stops just past the announced length.
    let mut longer = body.clone();
    longer.extend_from_slice(&[0u8; 4096]);
    let short = chunked_invocation(&w, &w.cluster, &body);
    put_object(&nc, w.lattice(), &short.id, &longer).await;
    let resp = request(&nc, &subject, serialize(&short).unwrap()).await;
    assert!(
        resp.error
            .as_deref()
            .is_some_and(|e| e.contains("content_length")),
        "{:?}",
        resp.error
    );
    assert_eq!(
        provider.calls.load(Ordering::SeqCst),
        1,
        "only the genuine call ran"
    );
    server.stop();
    server.wait().await;
}

/// A provider whose calls wait at a gate and whose `put_link` is slow.
#[derive(Default)]
struct SlowProvider {
    running: AtomicUsize,
    most: AtomicUsize,
    done: AtomicUsize,
    gate: tokio::sync::Notify,
    open: std::sync::atomic::AtomicBool,
}

#[weld_rpc::async_trait]
impl Provider for SlowProvider {
    fn contract_id(&self) -> &str {
        CONTRACT
    }
    async fn handle(&self, _origin: &ActorOrigin, message: Message<'_>) -> RpcResult<Vec<u8>> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        while !self.open.load(Ordering::SeqCst) {
            let _ = tokio::time::timeout(Duration::from_millis(20), self.gate.notified()).await;
        }
        self.running.fetch_sub(1, Ordering::SeqCst);
        self.done.fetch_add(1, Ordering::SeqCst);
        Ok(message.arg.to_vec())
    }
    async fn put_link(&self, _ld: &LinkDefinition, _actor: ActorLink) -> Result<(), ProviderError> {
        tokio::time::sleep(Duration::from_secs(3)).await;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invocations_are_bounded_and_slow_links_do_not_stall_health() {
    let Some(nc) = nats().await else { return };
    let w = World::new();
    let bridge = HostBridge::connect(w.host_data.clone()).await.unwrap();
    let provider = Arc::new(SlowProvider::default());
    let server = ProviderServer::start_with_limit(bridge.clone(), provider.clone(), 2)
        .await
        .unwrap();
    let base = bridge.provider_rpc_subject();

    // A slow put_link must not hold up health checks.
    nc.publish(
        format!("{base}.linkdefs.put"),
        serialize(&w.link()).unwrap().into(),
    )
    .await
    .unwrap();
    nc.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    let reply = tokio::time::timeout(
        Duration::from_secs(1),
        nc.request(
            format!("{base}.health"),
            serialize(&HealthCheckRequest {}).unwrap().into(),
        ),
    )
    .await
    .expect("health answered while put_link runs")
    .unwrap();
    let health: HealthCheckResponse = deserialize(&reply.payload).unwrap();
    assert!(health.healthy, "{:?} after {:?}", health, started.elapsed());

    // Six calls, a limit of two: two run, the rest wait; none is dropped.
    let calls: Vec<_> = (0..6u8)
        .map(|i| {
            let inv = host_invocation(&w, &w.cluster, "Echo.Say", &[i]);
            let (nc, base) = (nc.clone(), base.clone());
            tokio::spawn(async move {
                let reply = tokio::time::timeout(
                    Duration::from_secs(10),
                    nc.request(base, serialize(&inv).unwrap().into()),
                )
                .await
                .expect("answered")
                .expect("answered");
                deserialize::<InvocationResponse>(&reply.payload).unwrap()
            })
        })
        .collect();
    wait_for(|| provider.running.load(Ordering::SeqCst) == 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        provider.most.load(Ordering::SeqCst),
        2,
        "at most two at once"
    );
    assert_eq!(provider.done.load(Ordering::SeqCst), 0);
    provider.open.store(true, Ordering::SeqCst);
    provider.gate.notify_waiters();
    for (i, call) in calls.into_iter().enumerate() {
        let resp = call.await.unwrap();
        assert_eq!(resp.error, None, "call {i}");
    }
    assert_eq!(provider.done.load(Ordering::SeqCst), 6);
    assert_eq!(provider.most.load(Ordering::SeqCst), 2);
    server.stop();
    server.wait().await;
}
