//! The actor (wasm32 guest) side: the waPC imports from module `wasmbus`, the
//! host transport, the `__guest_call` export, and a tiny executor.
//!
//! Everything here compiles on every target so actor crates can be checked
//! and unit-tested natively; the host imports exist only on wasm32, and
//! elsewhere a host call fails with [`RpcError::HostError`].
//!
//! # Writing an actor
//!
//! Implement the generated service traits on a `Default` type and list their
//! receivers in [`crate::actor!`]. With a generated httpserver crate that is
//! `impl HttpServer for Hello { ... }` and
//! `weld_rpc::actor!(Hello: HttpServerReceiver);`. The same with the `Actor`
//! service of this crate:
//!
//! ```
//! use weld_rpc::core::{Actor, ActorReceiver, HealthCheckRequest, HealthCheckResponse};
//! use weld_rpc::{async_trait, Context, RpcResult};
//!
//! #[derive(Default)]
//! struct Hello;
//!
//! #[async_trait]
//! impl Actor for Hello {
//!     async fn health_request(&self, _: &Context, _: &HealthCheckRequest) -> RpcResult<HealthCheckResponse> {
//!         Ok(HealthCheckResponse { healthy: true, message: Some("hello".into()) })
//!     }
//! }
//!
//! // On wasm32 this also exports __guest_call and __wasmbus_rpc_version.
//! weld_rpc::actor!(Hello: ActorReceiver);
//!
//! // Natively, a call can be run directly:
//! let reply = weld_rpc::actor::run_call::<Hello>("Actor.HealthRequest", vec![0x80])?;
//! let resp: HealthCheckResponse = weld_rpc::common::deserialize(&reply)?;
//! assert_eq!(resp.message.as_deref(), Some("hello"));
//! # Ok::<(), weld_rpc::RpcError>(())
//! ```

use std::borrow::Cow;
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Poll, Wake, Waker};

use crate::common::{serialize, Context, Message, MessageDispatch, SendOpts, Transport};
use crate::core::HealthCheckResponse;
use crate::error::{RpcError, RpcResult};

/// Value returned by the `__wasmbus_rpc_version` export.
pub const WASMBUS_RPC_VERSION: i32 = 1;

/// Contract id of the builtin logging capability.
pub const LOGGING_CONTRACT: &str = "wasmcloud:builtin:logging";
/// Contract id of the builtin number generator capability.
pub const NUMBERGEN_CONTRACT: &str = "wasmcloud:builtin:numbergen";

#[cfg(target_arch = "wasm32")]
mod abi {
    #[link(wasm_import_module = "wasmbus")]
    extern "C" {
        pub fn __guest_request(op_ptr: *mut u8, payload_ptr: *mut u8);
        pub fn __guest_response(ptr: *const u8, len: usize);
        pub fn __guest_error(ptr: *const u8, len: usize);
        pub fn __host_call(
            bd_ptr: *const u8,
            bd_len: usize,
            ns_ptr: *const u8,
            ns_len: usize,
            op_ptr: *const u8,
            op_len: usize,
            ptr: *const u8,
            len: usize,
        ) -> usize;
        pub fn __host_response_len() -> usize;
        pub fn __host_response(ptr: *mut u8);
        pub fn __host_error_len() -> usize;
        pub fn __host_error(ptr: *mut u8);
        pub fn __console_log(ptr: *const u8, len: usize);
    }
}

/// Performs one host call: `binding` (link name, or "" for actor-to-actor),
/// `namespace` (contract id, or the target actor), `operation`
/// (`"Trait.Method"`) and the encoded payload. Returns the host response, or
/// [`RpcError::HostError`] with the host's error text.
pub fn host_call(
    binding: &str,
    namespace: &str,
    operation: &str,
    payload: &[u8],
) -> RpcResult<Vec<u8>> {
    #[cfg(target_arch = "wasm32")]
    {
        // SAFETY: every pointer/length pair describes a live slice for the
        // duration of the call; the host copies the bytes before returning.
        let ok = unsafe {
            abi::__host_call(
                binding.as_ptr(),
                binding.len(),
                namespace.as_ptr(),
                namespace.len(),
                operation.as_ptr(),
                operation.len(),
                payload.as_ptr(),
                payload.len(),
            )
        };
        if ok == 1 {
            // SAFETY: the host writes exactly the length it reported.
            Ok(unsafe { read_host_buffer(abi::__host_response_len(), abi::__host_response) })
        } else {
            let err = unsafe { read_host_buffer(abi::__host_error_len(), abi::__host_error) };
            Err(RpcError::HostError(
                String::from_utf8_lossy(&err).into_owned(),
            ))
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = payload;
        Err(RpcError::HostError(format!(
            "{namespace} {operation} (link '{binding}'): host calls exist only in a wasm32 actor"
        )))
    }
}

/// Reads a host-owned buffer of `len` bytes through `fetch(ptr)`.
#[cfg(target_arch = "wasm32")]
unsafe fn read_host_buffer(len: usize, fetch: unsafe extern "C" fn(*mut u8)) -> Vec<u8> {
    let mut buf = vec![0u8; len];
    if len > 0 {
        fetch(buf.as_mut_ptr());
    }
    buf
}

/// Writes a line to the host's log (`__console_log`). Outside a wasm32 guest
/// the line goes to stderr.
pub fn console_log(line: &str) {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: the pointer/length pair describes a live string.
    unsafe {
        abi::__console_log(line.as_ptr(), line.len())
    };
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("{line}");
}

/// Sends a log line through the builtin logging capability
/// (`wasmcloud:builtin:logging`, `Logging.WriteLog {level, text}`); the
/// actor needs that capability claim. `level` is one of `debug`, `info`,
/// `warn`, `error`.
pub fn write_log(level: &str, text: &str) -> RpcResult<()> {
    #[derive(serde::Serialize)]
    struct LogEntry<'a> {
        level: &'a str,
        text: &'a str,
    }
    let payload = serialize(&LogEntry { level, text })?;
    host_call("default", LOGGING_CONTRACT, "Logging.WriteLog", &payload).map(drop)
}

/// The actor's transport: host calls through `__host_call`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostTransport {
    binding: String,
    namespace: String,
}

impl HostTransport {
    /// A transport with an explicit binding (link name) and namespace.
    pub fn new(binding: impl Into<String>, namespace: impl Into<String>) -> Self {
        HostTransport {
            binding: binding.into(),
            namespace: namespace.into(),
        }
    }

    /// To the provider of `contract_id` linked under `link_name`
    /// (e.g. `("wasmcloud:keyvalue", "default")`).
    pub fn to_provider(contract_id: &str, link_name: &str) -> Self {
        Self::new(link_name, contract_id)
    }

    /// To another actor, by public key (`M...`) or call alias.
    pub fn to_actor(actor_id: &str) -> Self {
        Self::new("", actor_id)
    }

    /// The binding (link name; empty for actor-to-actor calls).
    pub fn binding(&self) -> &str {
        &self.binding
    }

    /// The namespace (contract id, or target actor).
    pub fn namespace(&self) -> &str {
        &self.namespace
    }
}

#[async_trait::async_trait]
impl Transport for HostTransport {
    async fn send(
        &self,
        _ctx: &Context,
        req: Message<'_>,
        _opts: Option<SendOpts>,
    ) -> RpcResult<Vec<u8>> {
        host_call(&self.binding, &self.namespace, req.method, &req.arg)
    }
}

/// Splits `"Trait.Method"` at the LAST `.` into `("Trait", "Method")`; a name
/// without a dot is a bare method of an unnamed service (`("", name)`).
pub fn split_method(operation: &str) -> (&str, &str) {
    operation.rsplit_once('.').unwrap_or(("", operation))
}

/// What an actor's dispatch does with a service it did not list: answer the
/// host's health check (`Actor.HealthRequest`) with "healthy", refuse anything
/// else with [`RpcError::MethodNotHandled`].
#[doc(hidden)]
pub fn unhandled(service: &str, message: Message<'_>) -> RpcResult<Vec<u8>> {
    if service == "Actor" && message.method == "HealthRequest" {
        return serialize(&HealthCheckResponse {
            healthy: true,
            message: None,
        });
    }
    let full = if service.is_empty() {
        message.method.to_string()
    } else {
        format!("{service}.{}", message.method)
    };
    Err(RpcError::MethodNotHandled(full))
}

struct WakeFlag(AtomicBool);

impl Wake for WakeFlag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Runs a future to completion on the current thread.
///
/// A guest has no reactor: host calls are synchronous, so handler futures
/// complete on their first poll. A future that yields after waking itself is
/// polled again; one that waits for an outside event that can never come
/// fails with [`RpcError::Other`] instead of hanging the instance.
pub fn block_on<F: Future>(fut: F) -> RpcResult<F::Output> {
    let flag = Arc::new(WakeFlag(AtomicBool::new(false)));
    let waker = Waker::from(flag.clone());
    let mut cx = std::task::Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(v) => return Ok(v),
            Poll::Pending => {
                if !flag.0.swap(false, Ordering::SeqCst) {
                    return Err(RpcError::Other(
                        "handler future is waiting for an event that cannot occur in a \
                         single-threaded actor"
                            .into(),
                    ));
                }
            }
        }
    }
}

/// Runs one host -> actor call for an actor of type `A` and returns the
/// dispatch result (the body of the wasm32 `__guest_call` export; callable
/// natively in tests).
pub fn run_call<A: MessageDispatch + Default>(
    operation: &str,
    payload: Vec<u8>,
) -> RpcResult<Vec<u8>> {
    let actor = A::default();
    let ctx = Context::default();
    block_on(actor.dispatch(
        &ctx,
        Message {
            method: operation,
            arg: Cow::Owned(payload),
        },
    ))?
}

/// Body of the `__guest_call(op_len, req_len)` export that [`crate::actor!`]
/// defines: fetches the operation and payload with `__guest_request`
/// (operation pointer first), dispatches, and reports through
/// `__guest_response` (returns 1) or `__guest_error` (returns 0).
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub fn guest_call<A: MessageDispatch + Default>(op_len: i32, req_len: i32) -> i32 {
    let result = match (usize::try_from(op_len), usize::try_from(req_len)) {
        (Ok(op_len), Ok(req_len)) => {
            let mut op = vec![0u8; op_len];
            let mut req = vec![0u8; req_len];
            // SAFETY: both buffers are live and exactly as long as the host
            // said; zero-length writes are no-ops on the host side.
            unsafe { abi::__guest_request(op.as_mut_ptr(), req.as_mut_ptr()) };
            match String::from_utf8(op) {
                Ok(op) => run_call::<A>(&op, req),
                Err(_) => Err(RpcError::Deser("operation name is not UTF-8".into())),
            }
        }
        _ => Err(RpcError::Rpc(format!(
            "invalid __guest_call lengths {op_len}, {req_len}"
        ))),
    };
    match result {
        Ok(resp) => {
            // SAFETY: the host copies the response before this returns.
            unsafe { abi::__guest_response(resp.as_ptr(), resp.len()) };
            1
        }
        Err(e) => {
            let msg = e.to_string();
            // SAFETY: as above.
            unsafe { abi::__guest_error(msg.as_ptr(), msg.len()) };
            0
        }
    }
}

/// Makes a type an actor: implements [`MessageDispatch`] for it by routing
/// `"Trait.Method"` (split at the last `.`) to the listed service receivers,
/// and on wasm32 exports `__guest_call` and `__wasmbus_rpc_version`.
///
/// `weld_rpc::actor!(MyActor: HttpServerReceiver, ActorReceiver);`
///
/// - `MyActor` must implement `Default` (one value is made per call) and
///   each listed service trait.
/// - Each receiver is a generated `...Receiver` trait with an associated
///   `const SERVICE: &str` (the Smithy service name) and an async
///   `dispatch(&self, &Context, Message)` taking the bare method name.
/// - `Actor.HealthRequest` is answered "healthy" unless `ActorReceiver` is
///   listed (then the actor's own `health_request` runs).
/// - Use it once per actor crate (the exports are unmangled symbols).
#[macro_export]
macro_rules! actor {
    ($actor:ty : $($receiver:path),+ $(,)?) => {
        $crate::__dispatch_services!($actor: $($receiver),+);

        #[cfg(target_arch = "wasm32")]
        #[unsafe(no_mangle)]
        pub extern "C" fn __guest_call(op_len: i32, req_len: i32) -> i32 {
            $crate::actor::guest_call::<$actor>(op_len, req_len)
        }

        #[cfg(target_arch = "wasm32")]
        #[unsafe(no_mangle)]
        pub extern "C" fn __wasmbus_rpc_version() -> i32 {
            $crate::actor::WASMBUS_RPC_VERSION
        }
    };
}

/// The `MessageDispatch` impl that [`actor!`] and
/// [`provider_services!`](crate::provider_services) both write: split
/// `"Trait.Method"` at the last `.`, hand the bare method to the receiver
/// whose `SERVICE` matches, else answer "method not handled".
#[doc(hidden)]
#[macro_export]
macro_rules! __dispatch_services {
    ($target:ty : $($receiver:path),+) => {
        #[$crate::async_trait]
        impl $crate::MessageDispatch for $target {
            async fn dispatch(
                &self,
                ctx: &$crate::Context,
                message: $crate::Message<'_>,
            ) -> $crate::RpcResult<::std::vec::Vec<u8>> {
                let (service, method) = $crate::actor::split_method(message.method);
                let message = $crate::Message { method, arg: message.arg };
                $(
                    if service == <$target as $receiver>::SERVICE {
                        return <$target as $receiver>::dispatch(self, ctx, message).await;
                    }
                )+
                $crate::actor::unhandled(service, message)
            }
        }
    };
}
