//! # weld-rpc
//!
//! The runtime that weld-generated interface crates, actors, providers and the
//! host share: [`Message`], [`Context`], [`RpcError`], the [`Transport`] and
//! [`MessageDispatch`] traits, the wire codecs, [`Timestamp`], [`Document`],
//! the types of `org.wasmcloud.model` ([`model`]) and `org.wasmcloud.core`
//! ([`core`]), and the wasm32 guest glue ([`mod@actor`], [`actor!`]).
//!
//! It is byte-compatible with wasmCloud 0.x (`wasmbus-rpc` 0.13–0.15), so
//! actors built with either SDK talk to hosts and providers built with either.
//!
//! ## Cargo features
//! - none by default: what an actor (wasm32) needs; no tokio.
//! - `provider`: native provider helpers ([`provider`]): host data from
//!   stdin, tokio timeouts, nkeys and invocation JWTs, and the lattice (NATS)
//!   transport: `HostBridge`, `ProviderTransport` (what generated
//!   `XSender::for_actor(&link)` uses), `ProviderServer` / `serve_provider`.
//!
//! ## Wire formats
//! - Protocol "0" (default): MessagePack through serde
//!   ([`common::serialize`] / [`common::deserialize`]): structs are maps keyed
//!   by wire name, integers take their smallest form (non-negative signed
//!   values written as unsigned: `128i32` is `cc80`), blobs are `bin`
//!   (`#[serde(with = "weld_rpc::serde_blob")]`, which also accepts a
//!   `str` or an array of bytes on decode, as upstream peers may send).
//! - Protocol "2": CBOR after a `0x7f` byte ([`cbor`]); types implement
//!   [`cbor::CborEncode`] / [`cbor::CborDecode`].
//! - Receivers sniff the first byte ([`common::message_format`]): empty ->
//!   empty; `0x7f` -> CBOR; `0xc1` -> MessagePack after the prefix; else
//!   MessagePack (a one-byte payload is always MessagePack: `7f` is 127);
//!   operations without input or output use zero-byte payloads.
//!
//! ## For generated code (the contract with `weld gen`)
//! A generated crate depends on `weld-rpc`, `serde` and `serde_bytes` (or
//! uses the re-exports [`serde`] / [`serde_bytes`] with
//! `#[serde(crate = "weld_rpc::serde")]`), and writes:
//! - `#[weld_rpc::async_trait]` on service traits and their impls (futures are
//!   `Send` on every target; see [`Transport`] for why);
//! - for each `@wasmbus` service `S`: `trait S` (written out), then
//!   `trait SReceiver: S` (with `const SERVICE: &'static str`, a default
//!   `dispatch` matching the bare method name, and a blanket impl for every
//!   `S`) and `SSender<T: Transport>` (with `via(transport)`), each written as
//!   one invocation of [`service_receiver!`] / [`service_sender!`] with one
//!   line per operation; [`core::Actor`] is the same shape written out by
//!   hand;
//! - actor-side constructors over [`actor::HostTransport`] (compiled on all
//!   targets; the host calls only work on wasm32):
//!   `SSender::new()` = `via(HostTransport::to_provider(CONTRACT, "default"))`,
//!   `new_with_link(name)`, and `to_actor(id)` for actor-received services;
//! - receivers decode arguments with [`common::decode_arg`] (decode errors
//!   read `'{Type}': {e}`), unknown methods are
//!   `RpcError::MethodNotHandled(format!("{Service}::{method}"))`;
//! - senders call [`common::call`] / [`common::call_unit`] with the argument
//!   encoded by `common::serialize` (protocol "0") or `cbor::serialize`
//!   (protocol "2"); replies are decoded by sniffing ([`common::decode`]);
//! - blob members as `#[serde(with = "weld_rpc::serde_blob")]` (`bin` out;
//!   `bin`, `str` or a byte array in), and `#[serde(default)]` on every
//!   non-optional member whose target is a prelude simple type or an
//!   `org.wasmcloud.model` number, as upstream's generator does, so such
//!   members may be missing from a MessagePack map;
//! - one runtime macro per shape for the CBOR codec (and enum impls):
//!   [`cbor_struct!`], [`cbor_union!`], [`string_enum!`], [`int_enum!`];
//! - paths: `weld_rpc::{Context, Message, RpcError, RpcResult, Transport,
//!   MessageDispatch, Timestamp, Document}`, `weld_rpc::common::{serialize,
//!   deserialize, decode}`, `weld_rpc::cbor::{CborEncode, CborDecode, Encoder,
//!   Decoder}`, `weld_rpc::model::{U32, CapabilityContractId, ...}`,
//!   `weld_rpc::core::{LinkDefinition, HostData, HealthCheckResponse, ...}`.
//!
//! ## Actors
//! Implement the generated service traits on a `Default` type and invoke
//! [`actor!`]: `weld_rpc::actor!(MyActor: HttpServerReceiver);`. It exports
//! `__guest_call` and `__wasmbus_rpc_version` and routes `"Trait.Method"`
//! (split at the last `.`) to the listed receivers.

#![warn(missing_docs)]

pub mod actor;
pub mod cbor;
pub mod common;
pub mod core;
pub mod document;
pub mod error;
mod macros;
pub mod model;
#[cfg(feature = "provider")]
pub mod provider;
pub mod redact;
pub mod serde_blob;
mod service_macros;
pub mod timestamp;

pub use async_trait::async_trait;
pub use common::{Context, Message, MessageDispatch, SendOpts, Transport};
pub use document::{Document, Number};
pub use error::{RpcError, RpcResult};
pub use timestamp::Timestamp;

/// Re-export of the MessagePack codec, for callers that need its raw API.
pub use rmp_serde;
/// Re-export for generated code: `#[serde(crate = "weld_rpc::serde")]`.
pub use serde;
/// Re-export for generated code: `#[serde(with = "weld_rpc::serde_bytes")]`.
pub use serde_bytes;
