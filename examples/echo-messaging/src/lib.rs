//! echo-messaging: answers NATS requests through `wasmcloud:messaging`.
//!
//! Every message on the link's subscriptions that has a reply subject is
//! answered on it with the same body, so a request gets back exactly what
//! it sent. Messages without a reply subject are ignored.

use weld_interface_messaging::{
    MessageSubscriber, MessageSubscriberReceiver, Messaging, MessagingSender, PubMessage,
    SubMessage,
};
use weld_rpc::{async_trait, Context, RpcResult};

/// The actor. Stateless.
#[derive(Debug, Default)]
pub struct Echo;

/// The answer to `msg`, if it asks for one.
pub fn answer(msg: &SubMessage) -> Option<PubMessage> {
    let reply = msg.reply_to.as_deref().filter(|r| !r.is_empty())?;
    Some(PubMessage {
        subject: reply.to_string(),
        reply_to: None,
        body: msg.body.clone(),
    })
}

#[async_trait]
impl MessageSubscriber for Echo {
    async fn handle_message(&self, ctx: &Context, msg: &SubMessage) -> RpcResult<()> {
        match answer(msg) {
            Some(reply) => MessagingSender::new().publish(ctx, &reply).await,
            None => Ok(()),
        }
    }
}

weld_rpc::actor!(Echo: MessageSubscriberReceiver);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_only_requests() {
        let mut m = SubMessage {
            subject: "echo".into(),
            reply_to: Some("_INBOX.1".into()),
            body: b"hi".to_vec(),
        };
        let a = answer(&m).unwrap();
        assert_eq!(
            (a.subject.as_str(), a.body.as_slice()),
            ("_INBOX.1", &b"hi"[..])
        );
        m.reply_to = None;
        assert!(answer(&m).is_none());
    }
}
