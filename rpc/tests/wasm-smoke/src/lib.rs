//! Smoke actor: one actor-received service in the shape `weld gen` writes,
//! a provider call through the host, and a console log line.

use std::borrow::Cow;

use weld_rpc::actor::HostTransport;
use weld_rpc::serde::{Deserialize, Serialize};
use weld_rpc::{async_trait, Context, Message, RpcError, RpcResult, Transport};

/// Request of `Counter.Bump`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(crate = "weld_rpc::serde")]
pub struct BumpRequest {
    /// Key to increment.
    pub key: String,
}

/// Request of `KeyValue.Increment`.
#[derive(Serialize)]
#[serde(crate = "weld_rpc::serde")]
struct IncrementRequest<'a> {
    key: &'a str,
    value: i32,
}

/// An actor-received service, written as the generator writes one.
#[async_trait]
pub trait Counter {
    /// Bumps a counter and returns the new value.
    async fn bump(&self, ctx: &Context, arg: &BumpRequest) -> RpcResult<i32>;
    /// Takes and returns nothing.
    async fn ping(&self, ctx: &Context) -> RpcResult<()>;
}

/// Receiver of [`Counter`].
#[async_trait]
pub trait CounterReceiver: Counter {
    /// Service name.
    const SERVICE: &'static str = "Counter";
    /// Dispatches by bare method name.
    async fn dispatch(&self, ctx: &Context, message: Message<'_>) -> RpcResult<Vec<u8>> {
        match message.method {
            "Bump" => {
                let value: BumpRequest = weld_rpc::common::deserialize(&message.arg)
                    .map_err(|e| RpcError::Deser(format!("'BumpRequest': {e}")))?;
                let resp = Counter::bump(self, ctx, &value).await?;
                weld_rpc::common::serialize(&resp)
            }
            "Ping" => {
                Counter::ping(self, ctx).await?;
                Ok(Vec::new())
            }
            _ => Err(RpcError::MethodNotHandled(format!(
                "Counter::{}",
                message.method
            ))),
        }
    }
}

impl<T: Counter + ?Sized> CounterReceiver for T {}

/// The actor.
#[derive(Default)]
pub struct Smoke;

#[async_trait]
impl Counter for Smoke {
    async fn bump(&self, ctx: &Context, arg: &BumpRequest) -> RpcResult<i32> {
        weld_rpc::actor::console_log(&format!("bump {}", arg.key));
        let kv = HostTransport::to_provider("wasmcloud:keyvalue", "default");
        let buf = weld_rpc::common::serialize(&IncrementRequest {
            key: &arg.key,
            value: 1,
        })?;
        let resp = kv
            .send(
                ctx,
                Message {
                    method: "KeyValue.Increment",
                    arg: Cow::Borrowed(&buf),
                },
                None,
            )
            .await?;
        weld_rpc::common::deserialize(&resp)
    }

    async fn ping(&self, _ctx: &Context) -> RpcResult<()> {
        Ok(())
    }
}

weld_rpc::actor!(Smoke: CounterReceiver);
