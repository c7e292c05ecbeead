//! messaging-nats against the machine's NATS (127.0.0.1:4222,
//! `scripts/setup.sh nats`): subscriptions and queue groups delivered to an
//! actor (in Rust here), Publish and Request from it, link deletion, and
//! settings precedence. The other side is a plain NATS client.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::mpsc;
use weld_interface_messaging::{
    MessageSubscriber, MessageSubscriberReceiver, Messaging, MessagingSender, PubMessage,
    RequestMessage, SubMessage,
};
use weld_provider_messaging_nats::NatsMessagingProvider;
use weld_rpc::core::LinkDefinition;
use weld_rpc::provider::{CallsFrom, Provider, ProviderContext};
use weld_rpc::{Context, Message, RpcResult, SendOpts, Transport};
use weld_test_support::{require_service, unique_name};

const NATS: &str = "127.0.0.1:4222";

/// The actor: every message it is handed goes to the channel, tagged with
/// the actor's name.
struct Inbox {
    name: &'static str,
    tx: mpsc::UnboundedSender<(&'static str, SubMessage)>,
}

#[weld_rpc::async_trait]
impl MessageSubscriber for Inbox {
    async fn handle_message(&self, _: &Context, arg: &SubMessage) -> RpcResult<()> {
        let _ = self.tx.send((self.name, arg.clone()));
        Ok(())
    }
}

#[weld_rpc::async_trait]
impl Transport for Inbox {
    async fn send(
        &self,
        ctx: &Context,
        req: Message<'_>,
        _: Option<SendOpts>,
    ) -> RpcResult<Vec<u8>> {
        MessageSubscriberReceiver::dispatch(self, ctx, req).await
    }
}

fn provider(config: &[(&str, &str)]) -> Arc<NatsMessagingProvider> {
    Arc::new(NatsMessagingProvider::new(ProviderContext {
        provider_id: "VMSG".into(),
        name: "msg".into(),
        link_name: "default".into(),
        config: config
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        data_dir: std::env::temp_dir(),
        lattice: None,
    }))
}

fn link(actor: &str, values: &[(&str, &str)]) -> LinkDefinition {
    LinkDefinition {
        actor_id: actor.into(),
        provider_id: "VMSG".into(),
        link_name: "default".into(),
        contract_id: "wasmcloud:messaging".into(),
        values: values
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<HashMap<_, _>>(),
    }
}

fn sender(
    p: &Arc<NatsMessagingProvider>,
    actor: &str,
) -> MessagingSender<CallsFrom<NatsMessagingProvider>> {
    MessagingSender::via(CallsFrom::actor(Arc::clone(p), actor))
}

async fn client() -> async_nats::Client {
    async_nats::connect(format!("nats://{NATS}")).await.unwrap()
}

/// What arrives within `wait`.
async fn drain(
    rx: &mut mpsc::UnboundedReceiver<(&'static str, SubMessage)>,
    wait: Duration,
) -> Vec<(&'static str, SubMessage)> {
    let mut out = Vec::new();
    while let Ok(Some(m)) = tokio::time::timeout(wait, rx.recv()).await {
        out.push(m);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_queue_groups_and_link_deletion() {
    if !require_service("NATS", NATS) {
        return;
    }
    let base = unique_name("weldmsg").replace(['-', '.'], "_");
    let (plain, queued) = (format!("{base}.plain.*"), format!("{base}.work"));
    let p = provider(&[]);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let subs = format!("{plain}, {queued}|workers");
    for (actor, name) in [("MA", "a"), ("MB", "b")] {
        p.put_link(
            &link(actor, &[("subscription", &subs)]),
            Arc::new(Inbox {
                name,
                tx: tx.clone(),
            }),
        )
        .await
        .unwrap();
    }
    let nc = client().await;
    nc.publish_with_reply(
        format!("{base}.plain.x"),
        "inbox.1".to_string(),
        "hello".into(),
    )
    .await
    .unwrap();
    for i in 0..20 {
        nc.publish(queued.clone(), format!("{i}").into())
            .await
            .unwrap();
    }
    nc.flush().await.unwrap();
    let got = drain(&mut rx, Duration::from_millis(500)).await;
    // Both actors get the plain subject's message, with its reply subject.
    let plain_got: Vec<_> = got
        .iter()
        .filter(|(_, m)| m.subject == format!("{base}.plain.x"))
        .collect();
    assert_eq!(plain_got.len(), 2, "{got:?}");
    assert!(plain_got
        .iter()
        .all(|(_, m)| m.body == b"hello" && m.reply_to.as_deref() == Some("inbox.1")));
    // The queue group shares the 20 messages: each delivered once.
    let mut work: Vec<u32> = got
        .iter()
        .filter(|(_, m)| m.subject == queued)
        .map(|(_, m)| String::from_utf8_lossy(&m.body).parse().unwrap())
        .collect();
    work.sort();
    assert_eq!(work, (0..20).collect::<Vec<_>>());

    // Deleting a link ends its subscriptions (upstream kept them, #196).
    p.delete_link(&link("MA", &[])).await;
    nc.publish(format!("{base}.plain.y"), "after".into())
        .await
        .unwrap();
    nc.flush().await.unwrap();
    let got = drain(&mut rx, Duration::from_millis(400)).await;
    let names: Vec<&str> = got.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["b"], "{got:?}");
    let e = sender(&p, "MA")
        .publish(
            &Context::default(),
            &PubMessage {
                subject: "x".into(),
                reply_to: None,
                body: vec![],
            },
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("actor not linked"), "{e}");
    p.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_and_request_from_the_actor() {
    if !require_service("NATS", NATS) {
        return;
    }
    let base = unique_name("weldreq").replace(['-', '.'], "_");
    let p = provider(&[]);
    let (tx, _rx) = mpsc::unbounded_channel();
    p.put_link(&link("MR", &[]), Arc::new(Inbox { name: "r", tx }))
        .await
        .unwrap();
    let msg = sender(&p, "MR");
    let ctx = Context::default();
    let nc = client().await;

    // A service answering `pong:{body}`, and one that never answers.
    let mut svc = nc.subscribe(format!("{base}.svc")).await.unwrap();
    let _silent = nc.subscribe(format!("{base}.silent")).await.unwrap();
    let responder = nc.clone();
    tokio::spawn(async move {
        while let Some(m) = svc.next().await {
            if let Some(reply) = m.reply {
                let body = [b"pong:".as_slice(), &m.payload].concat();
                responder.publish(reply, body.into()).await.unwrap();
            }
        }
    });
    nc.flush().await.unwrap();
    let reply = msg
        .request(
            &ctx,
            &RequestMessage {
                subject: format!("{base}.svc"),
                body: b"ping".to_vec(),
                timeout_ms: 2000,
            },
        )
        .await
        .unwrap();
    assert_eq!(reply.body, b"pong:ping");

    let t = std::time::Instant::now();
    let e = msg
        .request(
            &ctx,
            &RequestMessage {
                subject: format!("{base}.silent"),
                body: vec![],
                timeout_ms: 200,
            },
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("nats request timed out"), "{e}");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    let e = msg
        .request(
            &ctx,
            &RequestMessage {
                subject: format!("{base}.nobody"),
                body: vec![],
                timeout_ms: 2000,
            },
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("nats send error"), "{e}");

    // Publish, with and without a reply subject.
    let mut watch = nc.subscribe(format!("{base}.out")).await.unwrap();
    nc.flush().await.unwrap();
    for reply_to in [None, Some("back.here".to_string())] {
        msg.publish(
            &ctx,
            &PubMessage {
                subject: format!("{base}.out"),
                reply_to: reply_to.clone(),
                body: b"data".to_vec(),
            },
        )
        .await
        .unwrap();
        let m = tokio::time::timeout(Duration::from_secs(2), watch.next())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&m.payload[..], b"data");
        assert_eq!(m.reply.map(|r| r.to_string()), reply_to);
    }
    p.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_precedence_and_refusals() {
    if !require_service("NATS", NATS) {
        return;
    }
    // The configured servers are kept by a link without URI (upstream
    // reset them to its default): here they are unreachable, so the link
    // fails naming them.
    let p = provider(&[("config_json", r#"{"cluster_uris": ["nats://127.0.0.1:1"]}"#)]);
    let (tx, _rx) = mpsc::unbounded_channel();
    let inbox = || {
        Arc::new(Inbox {
            name: "s",
            tx: tx.clone(),
        })
    };
    let e = p.put_link(&link("MS", &[]), inbox()).await.unwrap_err();
    assert!(e.to_string().contains("nats://127.0.0.1:1"), "{e}");
    // A link's URI wins over the config.
    p.put_link(&link("MS", &[("URI", &format!("nats://{NATS}"))]), inbox())
        .await
        .unwrap();
    let s = p
        .settings(&[("uri".to_string(), "nats://a:1, nats://b:2".to_string())].into())
        .unwrap();
    assert_eq!(s.uris, ["nats://a:1", "nats://b:2"]);
    // Half the credentials, a bad seed, a bad subscription: refused.
    for (values, why) in [
        (vec![("CLIENT_JWT", "eyJ")], "needs CLIENT_SEED too"),
        (
            vec![("CLIENT_JWT", "eyJ"), ("CLIENT_SEED", "nope")],
            "not an nkey seed",
        ),
        (vec![("SUBSCRIPTION", "a b")], "is not a NATS subject"),
        (
            vec![(
                "config_json",
                r#"{"auth_seed": "SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4"}"#,
            )],
            "needs CLIENT_JWT too",
        ),
    ] {
        let map: HashMap<String, String> = values
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let e = p.settings(&map).unwrap_err();
        assert!(e.to_string().contains(why), "{e}");
        // A seed never shows in an error.
        assert!(!e.to_string().contains("SUAIBDPB"), "{e}");
    }
    p.shutdown().await;
}
