//! Messages, context, the transport and dispatch traits, and the protocol "0"
//! (MessagePack) codec with the receiver-side format sniffing.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeOwned, Visitor};
use serde::{Deserialize, Serialize};

use crate::cbor::CborDecode;
use crate::error::{RpcError, RpcResult};

/// One RPC message: a method name and its encoded argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'m> {
    /// Method name: `"Trait.Method"` on the wire (e.g. `"KeyValue.Increment"`);
    /// a service receiver sees the bare method (`"Increment"`).
    pub method: &'m str,
    /// The encoded argument; zero bytes when the operation has no input.
    pub arg: Cow<'m, [u8]>,
}

impl<'m> Message<'m> {
    /// A message borrowing its method and argument.
    pub fn new(method: &'m str, arg: &'m [u8]) -> Self {
        Message {
            method,
            arg: Cow::Borrowed(arg),
        }
    }
}

/// Per-message metadata given to handlers.
#[derive(Default, Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// For a message received by a provider: the public key of the calling actor.
    pub actor: Option<String>,
    /// Span name / trace context, if any.
    pub span: Option<String>,
}

/// Hints a transport may use when sending a message.
#[derive(Default, Debug, Clone, PartialEq, Eq)]
pub struct SendOpts {
    /// The message is idempotent: the transport may retry it within its timeout.
    pub idempotent: bool,
    /// The message does not change the receiver's state: it may be retried.
    pub read_only: bool,
}

impl SendOpts {
    /// Sets [`SendOpts::idempotent`].
    #[must_use]
    pub fn idempotent(mut self, val: bool) -> SendOpts {
        self.idempotent = val;
        self
    }

    /// Sets [`SendOpts::read_only`].
    #[must_use]
    pub fn read_only(mut self, val: bool) -> SendOpts {
        self.read_only = val;
        self
    }
}

/// How messages leave a sender: the actor's host calls
/// ([`crate::actor::HostTransport`]), a host's in-process router, NATS...
///
/// # Send-ness
/// The trait is declared with plain `#[async_trait]` (futures are `Send`) on
/// every target, wasm32 included. That keeps one spelling for everyone: a
/// provider can `tokio::spawn` a handler future, and an actor author writes
/// `#[weld_rpc::async_trait] impl HttpServer for MyActor` exactly as with the
/// upstream SDK. The cost on wasm32 is that a handler may not hold a non-`Send`
/// value (`Rc`, a `RefCell` borrow) across an `.await`; since host calls are
/// synchronous in a guest that is rarely needed.
#[async_trait::async_trait]
pub trait Transport: Send + Sync {
    /// Sends `req` and returns the raw reply bytes (zero bytes for an
    /// operation without output).
    async fn send(
        &self,
        ctx: &Context,
        req: Message<'_>,
        opts: Option<SendOpts>,
    ) -> RpcResult<Vec<u8>>;

    /// Sets the timeout for later calls; transports without timeouts ignore it.
    fn set_timeout(&self, _interval: std::time::Duration) {}

    /// How many calls the receiver runs at once, when the transport knows
    /// (a host's in-process transport to an actor knows its instance
    /// bound; NATS does not). A caller that holds data while it waits to
    /// call (an HTTP server reading bodies) bounds itself by it.
    fn concurrency(&self) -> Option<usize> {
        None
    }
}

#[async_trait::async_trait]
impl<T: Transport + ?Sized> Transport for std::sync::Arc<T> {
    async fn send(
        &self,
        ctx: &Context,
        req: Message<'_>,
        opts: Option<SendOpts>,
    ) -> RpcResult<Vec<u8>> {
        (**self).send(ctx, req, opts).await
    }

    fn set_timeout(&self, interval: std::time::Duration) {
        (**self).set_timeout(interval)
    }

    fn concurrency(&self) -> Option<usize> {
        (**self).concurrency()
    }
}

/// A receiver of messages: something that decodes a [`Message`], runs the
/// handler and encodes the reply.
///
/// Who implements it:
/// - actors, through [`crate::actor!`], which routes `"Trait.Method"` (split
///   at the LAST `.`) to the service receivers the actor lists;
/// - each generated service receiver (`KeyValueReceiver`...), written by one
///   invocation of [`crate::service_receiver!`] (the bare method name picks
///   the operation; unknown ones are `RpcError::MethodNotHandled`); the
///   matching sender over any [`Transport`] is one invocation of
///   [`crate::service_sender!`];
/// - a provider process, which hands one to
///   [`crate::provider::ProviderServer`] (see [`crate::provider_services!`]
///   to serve several services).
///
/// host-min does not hold `dyn MessageDispatch`: its in-process providers
/// implement host-min's `Provider` trait and its actors are wasm modules
/// called through the runtime.
///
/// Operations with no output reply with a zero-byte payload (`Ok(Vec::new())`),
/// not MessagePack nil; operations with no input send zero bytes.
#[async_trait::async_trait]
pub trait MessageDispatch {
    /// Handles one message and returns the encoded reply.
    async fn dispatch(&self, ctx: &Context, message: Message<'_>) -> RpcResult<Vec<u8>>;
}

#[async_trait::async_trait]
impl<T: MessageDispatch + Send + Sync + ?Sized> MessageDispatch for std::sync::Arc<T> {
    async fn dispatch(&self, ctx: &Context, message: Message<'_>) -> RpcResult<Vec<u8>> {
        (**self).dispatch(ctx, message).await
    }
}

/// Encoding of a payload, as told by its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageFormat {
    /// MessagePack (protocol "0"), with or without the `0xc1` prefix.
    Msgpack,
    /// CBOR (protocol "2"), after the `0x7f` prefix.
    Cbor,
    /// A zero-byte payload.
    Empty,
}

impl fmt::Display for MessageFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MessageFormat::Msgpack => "msgpack",
            MessageFormat::Cbor => "cbor",
            MessageFormat::Empty => "empty",
        })
    }
}

/// First byte of a CBOR (protocol "2") message.
pub const CBOR_PREFIX: u8 = 0x7f;
/// Optional first byte of a MessagePack message (a marker MessagePack never uses).
pub const MSGPACK_PREFIX: u8 = 0xc1;

/// Tells the format of a received payload and where its body starts:
/// empty -> [`MessageFormat::Empty`]; `0x7f` -> CBOR after the prefix;
/// `0xc1` -> MessagePack after the prefix; anything else -> MessagePack from
/// the first byte.
///
/// A ONE-byte payload is always MessagePack, as upstream decides: a prefixed
/// message needs at least two bytes, while the lone byte `0x7f` is the
/// MessagePack encoding of the integer 127 (e.g. `KeyValue.Increment`
/// returning 127).
pub fn message_format(data: &[u8]) -> (MessageFormat, usize) {
    match data {
        [] => (MessageFormat::Empty, 0),
        [_] => (MessageFormat::Msgpack, 0),
        [CBOR_PREFIX, ..] => (MessageFormat::Cbor, 1),
        [MSGPACK_PREFIX, ..] => (MessageFormat::Msgpack, 1),
        _ => (MessageFormat::Msgpack, 0),
    }
}

/// Deepest nesting of arrays and maps a MessagePack payload may have. Deeper
/// input is refused: decoding recurses, and an actor's stack is small.
pub const MAX_NESTING: usize = 128;

/// Encodes `data` as protocol "0" MessagePack: structs as maps keyed by their
/// serde (wire) names, integers in their smallest form with non-negative
/// signed values written as unsigned, blob fields as `bin`.
pub fn serialize<T: Serialize + ?Sized>(data: &T) -> RpcResult<Vec<u8>> {
    rmp_serde::to_vec_named(data).map_err(|e| RpcError::Ser(e.to_string()))
}

/// Encodes `data` as compact JSON, for message bodies that are JSON rather
/// than a wire format (e.g. an HTTP response body built by an actor).
/// Serialisation errors (a map with non-string keys, a failing `Serialize`
/// impl) become [`RpcError::Ser`].
pub fn to_json<T: Serialize + ?Sized>(data: &T) -> RpcResult<Vec<u8>> {
    serde_json::to_vec(data).map_err(|e| RpcError::Ser(e.to_string()))
}

/// Decodes a MessagePack payload received by a protocol "0" receiver.
///
/// The first byte is sniffed ([`message_format`]): a `0xc1` prefix is
/// skipped; a CBOR payload is refused (the type has no CBOR decoder: use
/// [`decode`] for protocol "2" types); a zero-byte payload decodes only to
/// `()` and is an error for any other type. Structs are accepted as maps or
/// positional arrays, unknown fields are ignored, trailing bytes are ignored;
/// nesting deeper than [`MAX_NESTING`] is refused.
pub fn deserialize<'de, T: Deserialize<'de>>(buf: &'de [u8]) -> RpcResult<T> {
    match message_format(buf) {
        (MessageFormat::Empty, _) => T::deserialize(EmptyPayload).map_err(|e| RpcError::Deser(e.0)),
        (MessageFormat::Msgpack, offset) => {
            let mut de = rmp_serde::Deserializer::from_read_ref(&buf[offset..]);
            de.set_max_depth(MAX_NESTING);
            T::deserialize(&mut de).map_err(|e| RpcError::Deser(e.to_string()))
        }
        (MessageFormat::Cbor, _) => Err(RpcError::Deser(
            "payload is CBOR (0x7f prefix) but this type is decoded from MessagePack only".into(),
        )),
    }
}

/// Decodes a payload of a type that has both codecs (protocol "2" types),
/// choosing the codec by the first byte ([`message_format`]).
pub fn decode<T: DeserializeOwned + CborDecode>(buf: &[u8]) -> RpcResult<T> {
    match message_format(buf) {
        (MessageFormat::Cbor, offset) => crate::cbor::from_slice(&buf[offset..]),
        _ => deserialize(buf),
    }
}

/// For generated receivers: decodes an operation's argument with [`decode`],
/// naming the argument type in a decode error (`'Type': why`).
pub fn decode_arg<T: DeserializeOwned + CborDecode>(buf: &[u8], type_name: &str) -> RpcResult<T> {
    decode(buf).map_err(|e| match e {
        RpcError::Deser(m) => RpcError::Deser(format!("'{type_name}': {m}")),
        other => other,
    })
}

/// Asserts that `value` survives encode -> decode -> re-encode unchanged in
/// both wire protocols: protocol "0" (MessagePack, [`serialize`]) and
/// protocol "2" (CBOR after a `0x7f` byte, [`crate::cbor::serialize`]),
/// each decoded with [`decode`] (which tells them apart by the first byte).
/// The round-trip tests of generated crates call it (one test per type);
/// it panics, naming the protocol and the step, on the first difference.
///
/// ```
/// weld_rpc::common::assert_roundtrip(vec![String::from("a"), String::from("é")]);
/// ```
pub fn assert_roundtrip<T>(value: T)
where
    T: Serialize + DeserializeOwned + crate::cbor::CborEncode + CborDecode + PartialEq + fmt::Debug,
{
    let msgpack = serialize(&value).expect("msgpack encode");
    let back: T = decode(&msgpack).expect("msgpack decode");
    assert_eq!(back, value, "msgpack round trip");
    assert_eq!(
        serialize(&back).expect("msgpack re-encode"),
        msgpack,
        "msgpack re-encode"
    );
    let cbor = crate::cbor::serialize(&value).expect("cbor encode");
    assert_eq!(cbor.first(), Some(&0x7f), "cbor messages start with 0x7f");
    let back: T = decode(&cbor).expect("cbor decode");
    assert_eq!(back, value, "cbor round trip");
    assert_eq!(
        crate::cbor::serialize(&back).expect("cbor re-encode"),
        cbor,
        "cbor re-encode"
    );
}

/// For generated senders: sends `arg` (the encoded argument; empty for an
/// operation without input) as `method` ("Service.Operation") over
/// `transport`, and decodes the reply with [`decode`].
pub async fn call<T, R>(transport: &T, ctx: &Context, method: &str, arg: Vec<u8>) -> RpcResult<R>
where
    T: Transport + ?Sized,
    R: DeserializeOwned + CborDecode,
{
    let resp = send(transport, ctx, method, &arg).await?;
    decode(&resp)
}

/// [`call`] for an operation without output: the reply is not read.
pub async fn call_unit<T>(transport: &T, ctx: &Context, method: &str, arg: Vec<u8>) -> RpcResult<()>
where
    T: Transport + ?Sized,
{
    send(transport, ctx, method, &arg).await?;
    Ok(())
}

async fn send<T: Transport + ?Sized>(
    transport: &T,
    ctx: &Context,
    method: &str,
    arg: &[u8],
) -> RpcResult<Vec<u8>> {
    let req = Message {
        method,
        arg: Cow::Borrowed(arg),
    };
    transport.send(ctx, req, None).await
}

/// Error of the zero-byte payload deserializer.
#[derive(Debug)]
struct EmptyError(String);

impl fmt::Display for EmptyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EmptyError {}

impl de::Error for EmptyError {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        EmptyError(msg.to_string())
    }
}

/// Deserializer for a zero-byte payload: it yields unit and nothing else, so
/// `()` decodes and every real value is refused with a clear message.
struct EmptyPayload;

const EMPTY_MSG: &str = "empty payload where a value is expected";

impl<'de> de::Deserializer<'de> for EmptyPayload {
    type Error = EmptyError;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(EmptyError(EMPTY_MSG.into()))
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}
