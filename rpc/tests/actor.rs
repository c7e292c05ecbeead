//! The actor-side glue, natively: `actor!` routing, the health fallback,
//! zero-byte payloads, the executor, and a sender/receiver pair over an
//! in-process transport (the shape a host router has).

// Generated service traits take `&String` for string inputs; mirror them.
#![allow(clippy::ptr_arg)]

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use serde::{Deserialize, Serialize};
use weld_rpc::actor::{block_on, run_call, split_method, HostTransport};
use weld_rpc::common::{deserialize, serialize};
use weld_rpc::core::{Actor, ActorSender, HealthCheckRequest, HealthCheckResponse};
use weld_rpc::{
    async_trait, Context, Message, MessageDispatch, RpcError, RpcResult, SendOpts, Transport,
};

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AddRequest {
    pub a: i32,
    pub b: i32,
}

#[async_trait]
pub trait Math {
    async fn add(&self, ctx: &Context, arg: &AddRequest) -> RpcResult<i32>;
    async fn reset(&self, ctx: &Context) -> RpcResult<()>;
}

#[async_trait]
pub trait MathReceiver: Math {
    const SERVICE: &'static str = "Math";
    async fn dispatch(&self, ctx: &Context, message: Message<'_>) -> RpcResult<Vec<u8>> {
        match message.method {
            "Add" => {
                let value: AddRequest = deserialize(&message.arg)
                    .map_err(|e| RpcError::Deser(format!("'AddRequest': {e}")))?;
                let resp = Math::add(self, ctx, &value).await?;
                serialize(&resp)
            }
            "Reset" => {
                Math::reset(self, ctx).await?;
                Ok(Vec::new())
            }
            _ => Err(RpcError::MethodNotHandled(format!(
                "Math::{}",
                message.method
            ))),
        }
    }
}
impl<T: Math + ?Sized> MathReceiver for T {}

#[async_trait]
pub trait Echo {
    async fn say(&self, ctx: &Context, arg: &String) -> RpcResult<String>;
}

#[async_trait]
pub trait EchoReceiver: Echo {
    const SERVICE: &'static str = "Echo";
    async fn dispatch(&self, ctx: &Context, message: Message<'_>) -> RpcResult<Vec<u8>> {
        match message.method {
            "Say" => {
                let value: String = deserialize(&message.arg)?;
                serialize(&Echo::say(self, ctx, &value).await?)
            }
            _ => Err(RpcError::MethodNotHandled(format!(
                "Echo::{}",
                message.method
            ))),
        }
    }
}
impl<T: Echo + ?Sized> EchoReceiver for T {}

#[derive(Default)]
struct Calc;

#[async_trait]
impl Math for Calc {
    async fn add(&self, _ctx: &Context, arg: &AddRequest) -> RpcResult<i32> {
        arg.a
            .checked_add(arg.b)
            .ok_or_else(|| RpcError::InvalidParameter("overflow".into()))
    }
    async fn reset(&self, _ctx: &Context) -> RpcResult<()> {
        Ok(())
    }
}

#[async_trait]
impl Echo for Calc {
    async fn say(&self, _ctx: &Context, arg: &String) -> RpcResult<String> {
        Ok(format!("{arg}!"))
    }
}

weld_rpc::actor!(Calc: MathReceiver, EchoReceiver);

/// An actor that answers health checks itself.
#[derive(Default)]
struct Sick;

#[async_trait]
impl Actor for Sick {
    async fn health_request(
        &self,
        _: &Context,
        _: &HealthCheckRequest,
    ) -> RpcResult<HealthCheckResponse> {
        Ok(HealthCheckResponse {
            healthy: false,
            message: Some("tired".into()),
        })
    }
}

weld_rpc::actor!(Sick: weld_rpc::core::ActorReceiver);

#[test]
fn routes_by_service_and_bare_method() {
    let out =
        run_call::<Calc>("Math.Add", serialize(&AddRequest { a: 2, b: 40 }).unwrap()).unwrap();
    assert_eq!(deserialize::<i32>(&out).unwrap(), 42);
    let out = run_call::<Calc>("Echo.Say", serialize("hi").unwrap()).unwrap();
    assert_eq!(deserialize::<String>(&out).unwrap(), "hi!");
}

#[test]
fn no_input_no_output_is_zero_bytes() {
    assert_eq!(
        run_call::<Calc>("Math.Reset", Vec::new()).unwrap(),
        Vec::<u8>::new()
    );
}

#[test]
fn unknown_service_and_method_are_method_not_handled() {
    let e = run_call::<Calc>("Nope.Add", Vec::new()).unwrap_err();
    assert_eq!(e, RpcError::MethodNotHandled("Nope.Add".into()));
    assert_eq!(e.to_string(), "method not handled Nope.Add");
    let e = run_call::<Calc>("Math.Sub", Vec::new()).unwrap_err();
    assert_eq!(e.to_string(), "method not handled Math::Sub");
    let e = run_call::<Calc>("Add", Vec::new()).unwrap_err();
    assert_eq!(e, RpcError::MethodNotHandled("Add".into()));
}

#[test]
fn handler_errors_and_decode_errors_come_back() {
    let e = run_call::<Calc>(
        "Math.Add",
        serialize(&AddRequest { a: i32::MAX, b: 1 }).unwrap(),
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "invalid parameter: overflow");
    let e = run_call::<Calc>("Math.Add", vec![0xa1, 0x61]).unwrap_err();
    assert!(
        matches!(&e, RpcError::Deser(m) if m.starts_with("'AddRequest'")),
        "{e:?}"
    );
    let e = run_call::<Calc>("Math.Add", Vec::new()).unwrap_err();
    assert!(e.to_string().contains("empty payload"), "{e}");
}

#[test]
fn health_check_is_answered_unless_the_actor_handles_it() {
    let out = run_call::<Calc>(
        "Actor.HealthRequest",
        serialize(&HealthCheckRequest {}).unwrap(),
    )
    .unwrap();
    assert_eq!(hex::encode(&out), "81a76865616c746879c3");
    let out = run_call::<Sick>(
        "Actor.HealthRequest",
        serialize(&HealthCheckRequest {}).unwrap(),
    )
    .unwrap();
    let r: HealthCheckResponse = deserialize(&out).unwrap();
    assert_eq!(
        r,
        HealthCheckResponse {
            healthy: false,
            message: Some("tired".into())
        }
    );
}

#[test]
fn split_at_the_last_dot() {
    assert_eq!(
        split_method("KeyValue.Increment"),
        ("KeyValue", "Increment")
    );
    assert_eq!(
        split_method("org.example.Math.Add"),
        ("org.example.Math", "Add")
    );
    assert_eq!(split_method("Add"), ("", "Add"));
    assert_eq!(split_method("Math."), ("Math", ""));
}

/// A future that is pending once and wakes itself, like a cooperative yield.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = u8;
    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<u8> {
        if self.0 {
            Poll::Ready(7)
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

#[test]
fn executor_runs_ready_and_self_waking_futures_and_refuses_to_hang() {
    assert_eq!(block_on(async { 1 + 1 }).unwrap(), 2);
    assert_eq!(block_on(YieldOnce(false)).unwrap(), 7);
    let e = block_on(std::future::pending::<()>()).unwrap_err();
    assert!(matches!(e, RpcError::Other(_)));
}

#[test]
fn host_transport_outside_wasm_is_a_host_error() {
    let t = HostTransport::to_provider("wasmcloud:keyvalue", "default");
    assert_eq!(
        (t.binding(), t.namespace()),
        ("default", "wasmcloud:keyvalue")
    );
    let e = block_on(t.send(
        &Context::default(),
        Message {
            method: "KeyValue.Get",
            arg: Cow::Borrowed(b""),
        },
        None,
    ))
    .unwrap()
    .unwrap_err();
    assert!(matches!(e, RpcError::HostError(_)));
    assert!(e.to_string().starts_with("Host send error "));
    let a = HostTransport::to_actor("MABC");
    assert_eq!((a.binding(), a.namespace()), ("", "MABC"));
}

/// In-process transport to a receiver: what a host router does locally.
struct Loopback(Arc<dyn MessageDispatch + Send + Sync>);

#[async_trait]
impl Transport for Loopback {
    async fn send(
        &self,
        ctx: &Context,
        req: Message<'_>,
        _opts: Option<SendOpts>,
    ) -> RpcResult<Vec<u8>> {
        self.0.dispatch(ctx, req).await
    }
}

#[tokio::test]
async fn sender_and_receiver_over_a_transport_on_a_tokio_runtime() {
    let target: Arc<dyn MessageDispatch + Send + Sync> = Arc::new(Sick);
    let sender = ActorSender::via(Loopback(target.clone()));
    // The future is Send: it can be spawned on a multi-threaded runtime.
    let r = tokio::spawn(async move {
        sender
            .health_request(&Context::default(), &HealthCheckRequest {})
            .await
    })
    .await
    .unwrap()
    .unwrap();
    assert!(!r.healthy);
    // a shared transport behind Arc works too
    let shared = Arc::new(Loopback(Arc::new(Calc)));
    let r = ActorSender::via(shared)
        .health_request(&Context::default(), &HealthCheckRequest {})
        .await
        .unwrap();
    assert!(r.healthy);
}
