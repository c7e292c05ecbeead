//! Declarative macros that write the receiver and the sender of a generated
//! `@wasmbus` service, so a generated crate holds the service trait (the API
//! users read and implement) and one short table per half; the dispatch and
//! call logic lives (and is tested) here, once.
//!
//! Why macros and not generated code: `weld gen` parses everything it
//! generates with syn to pretty-print it, and a service's receiver and
//! sender were most of that cost. A macro invocation's body is only
//! tokenized, about ten times cheaper per byte than parsing items.
//!
//! Both macros read the same operation table, one line per operation:
//!
//! ```text
//! "Wire" method(Input) -> Output,
//! ```
//!
//! - `"Wire"`: the operation name on the wire (the part after the last `.`
//!   of the method string).
//! - `method`: the Rust method of the service trait.
//! - `(Input)`: the owned input type, or `()` for an operation without input.
//!   The trait takes it by reference, except `String`, taken as `&str`.
//! - `-> Output`: the output type; left out for an operation without output.
//!
//! The `__`-prefixed macros are steps of the public ones; they are exported
//! only because `macro_rules!` helpers must be reachable through `$crate`.

/// The receiver of a `@wasmbus` service `Svc`: a trait `SvcReceiver` with
/// `const SERVICE` and a default `dispatch` that decodes a [`Message`]'s
/// argument, calls the `Svc` method and encodes the reply, implemented for
/// every `Svc + Sync` type.
///
/// ```text
/// service_receiver! { SvcReceiver for Svc [= "WireName"] FORMAT { "Op" method(Input) -> Output, ... } }
/// ```
///
/// - `= "WireName"`: the Smithy service name when it is not the trait's name.
/// - `FORMAT`: `msgpack` (protocol "0") or `cbor` (protocol "2"): how the
///   reply is encoded. Arguments are decoded by sniffing either
///   ([`common::decode_arg`](crate::common::decode_arg)), and decode errors
///   name the input type as written in the table.
/// - The method may be given bare (`"Op"`) or qualified (`"Svc.Op"`);
///   an unknown one is [`RpcError::MethodNotHandled`](crate::RpcError)
///   `("Svc::Op")`; an operation without output replies with zero bytes.
///
/// ```
/// use weld_rpc::{async_trait, Context, Message, RpcResult};
///
/// #[async_trait]
/// pub trait Greeter {
///     async fn greet(&self, ctx: &Context, arg: &str) -> RpcResult<String>;
///     async fn reset(&self, ctx: &Context) -> RpcResult<()>;
/// }
///
/// weld_rpc::service_receiver! {
///     GreeterReceiver for Greeter msgpack {
///         "Greet" greet(String) -> String,
///         "Reset" reset(),
///     }
/// }
///
/// struct Hello;
///
/// #[async_trait]
/// impl Greeter for Hello {
///     async fn greet(&self, _: &Context, arg: &str) -> RpcResult<String> {
///         Ok(format!("hello {arg}"))
///     }
///     async fn reset(&self, _: &Context) -> RpcResult<()> {
///         Ok(())
///     }
/// }
///
/// let ctx = Context::default();
/// let arg = weld_rpc::common::serialize("you")?;
/// let message = Message { method: "Greeter.Greet", arg: arg.into() };
/// let reply = weld_rpc::actor::block_on(Hello.dispatch(&ctx, message))??;
/// assert_eq!(weld_rpc::common::deserialize::<String>(&reply)?, "hello you");
///
/// let message = Message { method: "Reset", arg: Vec::new().into() };
/// assert!(weld_rpc::actor::block_on(Hello.dispatch(&ctx, message))??.is_empty());
/// assert_eq!(<Hello as GreeterReceiver>::SERVICE, "Greeter");
/// # Ok::<(), weld_rpc::RpcError>(())
/// ```
///
/// [`Message`]: crate::Message
#[macro_export]
macro_rules! service_receiver {
    ($receiver:ident for $svc:ident $(= $wire:literal)? $fmt:ident {
        $($op:literal $method:ident ($($in:tt)*) $(-> $out:ty)?),* $(,)?
    }) => {
        #[doc = ::core::concat!(
            " Dispatches a received [`weld_rpc::Message`] to a [`",
            ::core::stringify!($svc),
            "`]"
        )]
        /// implementation: decodes the argument, calls the method and encodes the
        #[doc = ::core::concat!(
            " reply. The method may be given bare (`\"",
            $crate::__service_first!(bare $($op),*),
            "\"`) or"
        )]
        #[doc = ::core::concat!(
            " qualified (`\"",
            $crate::__service_first!(qualified $crate::__service_wire!($svc $($wire)?); $($op),*),
            "\"`)."
        )]
        #[$crate::async_trait]
        pub trait $receiver: $svc + Sync {
            /// The Smithy service name: the part of a method string before the last `.`.
            const SERVICE: &'static str = $crate::__service_wire!($svc $($wire)?);

            /// Handles one message and returns the encoded reply (zero bytes for an
            /// operation without output).
            #[allow(deprecated)]
            async fn dispatch(
                &self,
                ctx: &$crate::Context,
                message: $crate::Message<'_>,
            ) -> $crate::RpcResult<::std::vec::Vec<u8>> {
                let method = message.method.rsplit('.').next().unwrap_or(message.method);
                match method {
                    $($op => $crate::__service_handle!(
                        self ctx message $fmt $svc $method ($($in)*) ($($out)?)
                    ),)*
                    _ => ::core::result::Result::Err($crate::RpcError::MethodNotHandled(
                        ::std::format!(
                            "{}::{}",
                            $crate::__service_wire!($svc $($wire)?),
                            method
                        ),
                    )),
                }
            }
        }

        impl<T: $svc + Sync + ?Sized> $receiver for T {}
    };
}

/// The sender of a `@wasmbus` service `Svc`: a struct `SvcSender<T:
/// Transport>` with `via(transport)` and `set_timeout`, constructors for the
/// sides that receive the service, and `impl Svc for SvcSender<T>`, which
/// encodes the argument, sends `"Svc.Op"` and decodes the reply.
///
/// ```text
/// service_sender! { SvcSender for Svc [= "WireName"] FORMAT [ROLE ...] { "Op" method(Input) -> Output, ... } }
/// ```
///
/// - `= "WireName"` and the table: as in [`service_receiver!`].
/// - `FORMAT`: `msgpack` (protocol "0") or `cbor` (protocol "2"): how the
///   argument is encoded (an operation without input sends zero bytes).
///   Replies are decoded by sniffing ([`common::call`](crate::common::call)).
/// - `ROLE`s, any of:
///   - `provider("contract:id")` (the service is `providerReceive`): for
///     actors, `SvcSender::new()` (link `default`), `new_with_link(name)`
///     and `Default`, over [`actor::HostTransport`](crate::actor::HostTransport);
///   - `actor` (the service is `actorReceive`): `SvcSender::to_actor(id)`,
///     and with the `provider` feature of the crate that invokes the macro,
///     `for_actor(&link)` / `for_actor_with(&link, &bridge)` over
///     `provider::ProviderTransport`.
///
/// ```
/// use weld_rpc::{async_trait, Context, Message, RpcResult, SendOpts, Transport};
///
/// #[async_trait]
/// pub trait Greeter {
///     async fn greet(&self, ctx: &Context, arg: &str) -> RpcResult<String>;
///     async fn reset(&self, ctx: &Context) -> RpcResult<()>;
/// }
///
/// weld_rpc::service_sender! {
///     GreeterSender for Greeter msgpack provider("example:greeter") {
///         "Greet" greet(String) -> String,
///         "Reset" reset(),
///     }
/// }
///
/// /// A transport that answers every call itself.
/// struct Echo;
///
/// #[async_trait]
/// impl Transport for Echo {
///     async fn send(&self, _: &Context, req: Message<'_>, _: Option<SendOpts>) -> RpcResult<Vec<u8>> {
///         assert_eq!(req.method, "Greeter.Greet");
///         let name: String = weld_rpc::common::deserialize(&req.arg)?;
///         weld_rpc::common::serialize(&format!("hello {name}"))
///     }
/// }
///
/// let sender = GreeterSender::via(Echo);
/// let reply = weld_rpc::actor::block_on(sender.greet(&Context::default(), "you"))??;
/// assert_eq!(reply, "hello you");
///
/// // For actors: to the provider linked as "default".
/// assert!(GreeterSender::new_with_link("").is_err());
/// let _ = GreeterSender::new();
/// # Ok::<(), weld_rpc::RpcError>(())
/// ```
#[macro_export]
macro_rules! service_sender {
    ($sender:ident for $svc:ident $(= $wire:literal)? $fmt:ident $($role:ident $(($contract:literal))?)* {
        $($ops:tt)*
    }) => {
        $crate::__service_sender! {
            $sender $svc ($crate::__service_wire!($svc $($wire)?)) $fmt
            [$($role $(($contract))?)*] { $($ops)* }
        }
    };
}

/// [`service_sender!`] with the Smithy service name as one expression, so
/// each operation can use it.
#[doc(hidden)]
#[macro_export]
macro_rules! __service_sender {
    ($sender:ident $svc:ident ($wire:expr) $fmt:ident [$($role:ident $(($contract:literal))?)*] {
        $($op:literal $method:ident ($($in:ident $($in_rest:tt)*)?) $(-> $out:ty)?),* $(,)?
    }) => {
        #[doc = ::core::concat!(
            " Calls a [`",
            ::core::stringify!($svc),
            "`] implementation elsewhere over any transport:"
        )]
        #[doc = ::core::concat!(
            " `\"",
            $wire,
            ".<Operation>\"` with the argument encoded as protocol \"",
            $crate::__service_protocol!($fmt),
            "\"."
        )]
        #[derive(Clone, Debug)]
        pub struct $sender<T: $crate::Transport> {
            transport: T,
        }

        impl<T: $crate::Transport> $sender<T> {
            /// A sender over `transport`.
            pub fn via(transport: T) -> Self {
                Self { transport }
            }

            /// Sets the timeout of later calls (transports without timeouts ignore it).
            pub fn set_timeout(&self, interval: ::std::time::Duration) {
                self.transport.set_timeout(interval);
            }
        }

        $($crate::__service_sender_role! { $sender $role $(($contract))? })*

        #[$crate::async_trait]
        impl<T: $crate::Transport + Sync + Send> $svc for $sender<T> {
            $(
                #[allow(unused)]
                async fn $method(
                    &self,
                    ctx: &$crate::Context
                    $(, arg: &$crate::__service_param!($in $($in_rest)*))?
                ) -> $crate::RpcResult<$crate::__service_output!($($out)?)> {
                    let arg = $crate::__service_encode!($fmt $($in arg)?);
                    $crate::__service_call!(
                        ($($out)?)
                        &self.transport,
                        ctx,
                        ::core::concat!($wire, ".", $op),
                        arg
                    )
                }
            )*
        }
    };
}

/// The Smithy service name: the explicit one, else the trait's name.
#[doc(hidden)]
#[macro_export]
macro_rules! __service_wire {
    ($svc:ident) => {
        ::core::stringify!($svc)
    };
    ($svc:ident $wire:literal) => {
        $wire
    };
}

/// The first operation, for the receiver's docs: bare (`"Op"`) or
/// qualified (`"Svc.Op"`); empty for a service without operations.
#[doc(hidden)]
#[macro_export]
macro_rules! __service_first {
    (bare) => {
        ""
    };
    (bare $op:literal $(, $rest:literal)*) => {
        $op
    };
    (qualified $svc:expr;) => {
        ""
    };
    (qualified $svc:expr; $op:literal $(, $rest:literal)*) => {
        ::core::concat!($svc, ".", $op)
    };
}

/// The wire protocol number of a `FORMAT`, for docs.
#[doc(hidden)]
#[macro_export]
macro_rules! __service_protocol {
    (msgpack) => {
        "0"
    };
    (cbor) => {
        "2"
    };
}

/// One `match` arm of a receiver's `dispatch`: decode, call, encode.
#[doc(hidden)]
#[macro_export]
macro_rules! __service_handle {
    ($self:tt $ctx:tt $message:tt $fmt:ident $svc:ident $method:ident () ($($out:tt)*)) => {{
        let resp = $svc::$method($self, $ctx).await?;
        $crate::__service_reply!($fmt resp $($out)*)
    }};
    ($self:tt $ctx:tt $message:tt $fmt:ident $svc:ident $method:ident ($($in:tt)+) ($($out:tt)*)) => {{
        let value: $($in)+ =
            $crate::common::decode_arg(&$message.arg, ::core::stringify!($($in)+))?;
        let resp = $svc::$method($self, $ctx, &value).await?;
        $crate::__service_reply!($fmt resp $($out)*)
    }};
}

/// A receiver's reply: the encoded output, or zero bytes without one.
#[doc(hidden)]
#[macro_export]
macro_rules! __service_reply {
    ($fmt:ident $resp:ident) => {{
        let _: () = $resp;
        ::core::result::Result::Ok(::std::vec::Vec::new())
    }};
    (msgpack $resp:ident $out:tt) => {
        $crate::common::serialize(&$resp)
    };
    (cbor $resp:ident $out:tt) => {
        $crate::cbor::serialize(&$resp)
    };
}

/// The type a sender method takes its input by reference as: `str` for
/// `String` (the trait takes `&str`), else the input type itself.
#[doc(hidden)]
#[macro_export]
macro_rules! __service_param {
    (String) => {
        str
    };
    ($($in:tt)+) => {
        $($in)+
    };
}

/// A sender method's output type: `()` for an operation without output.
#[doc(hidden)]
#[macro_export]
macro_rules! __service_output {
    () => {
        ()
    };
    ($out:ty) => {
        $out
    };
}

/// A sender's encoded argument: zero bytes for an operation without input.
#[doc(hidden)]
#[macro_export]
macro_rules! __service_encode {
    ($fmt:ident) => {
        ::std::vec::Vec::new()
    };
    (msgpack $in:ident $arg:ident) => {
        $crate::common::serialize($arg)?
    };
    (cbor $in:ident $arg:ident) => {
        $crate::cbor::serialize($arg)?
    };
}

/// A sender's call: the reply decoded as the output, or not read without one.
#[doc(hidden)]
#[macro_export]
macro_rules! __service_call {
    (() $transport:expr, $ctx:expr, $method:expr, $arg:expr) => {
        $crate::common::call_unit($transport, $ctx, $method, $arg).await
    };
    (($out:ty) $transport:expr, $ctx:expr, $method:expr, $arg:expr) => {
        $crate::common::call($transport, $ctx, $method, $arg).await
    };
}

/// The constructors of a sender for one side that receives the service.
#[doc(hidden)]
#[macro_export]
macro_rules! __service_sender_role {
    ($sender:ident provider ($contract:literal)) => {
        impl $sender<$crate::actor::HostTransport> {
            /// For actors: a sender to the provider linked under the `default` link
            /// name (host calls work on wasm32 only).
            pub fn new() -> Self {
                Self::via($crate::actor::HostTransport::to_provider(
                    $contract, "default",
                ))
            }

            /// For actors: a sender to the provider linked under `link_name`.
            pub fn new_with_link(link_name: &str) -> $crate::RpcResult<Self> {
                if link_name.is_empty() {
                    return ::core::result::Result::Err($crate::RpcError::InvalidParameter(
                        "link name may not be empty".into(),
                    ));
                }
                ::core::result::Result::Ok(Self::via($crate::actor::HostTransport::to_provider(
                    $contract, link_name,
                )))
            }
        }

        impl ::core::default::Default for $sender<$crate::actor::HostTransport> {
            fn default() -> Self {
                Self::new()
            }
        }
    };
    ($sender:ident actor) => {
        impl $sender<$crate::actor::HostTransport> {
            /// For actors: a sender to another actor, by public key or call alias
            /// (host calls work on wasm32 only).
            pub fn to_actor(actor_id: &str) -> Self {
                Self::via($crate::actor::HostTransport::to_actor(actor_id))
            }
        }

        #[cfg(feature = "provider")]
        impl $sender<$crate::provider::ProviderTransport> {
            /// For providers: a sender to the actor at the other end of `link`, over
            /// the process-global host bridge (`weld_rpc::provider::set_host_bridge`),
            /// as upstream. Without a global bridge, calls fail with `NotInitialized`.
            pub fn for_actor(link: &$crate::core::LinkDefinition) -> Self {
                Self::via($crate::provider::ProviderTransport::new(link, None))
            }

            /// For providers: a sender to the actor at the other end of `link`, over
            /// an explicit `bridge` (no process-global state).
            pub fn for_actor_with(
                link: &$crate::core::LinkDefinition,
                bridge: &$crate::provider::HostBridge,
            ) -> Self {
                Self::via($crate::provider::ProviderTransport::new(link, Some(bridge)))
            }
        }
    };
}
