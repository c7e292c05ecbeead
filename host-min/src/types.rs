//! Wire-level types shared by the host, its providers and the router.
//!
//! These mirror the types of the `weld-rpc` runtime crate (and of upstream
//! `wasmbus-rpc`): [`Message`], [`RpcError`], [`LinkDefinition`]. They live here
//! until `weld-rpc` publishes them; then this module becomes a re-export so that
//! provider code written against `crate::types::*` keeps compiling.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// One RPC message: a method name (`"KeyValue.Increment"`) and its encoded argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'m> {
    /// Fully qualified method, `Trait.Method`.
    pub method: &'m str,
    /// Serialized argument (msgpack for protocol "0", CBOR with 0x7f prefix for "2").
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

/// Errors of an RPC call. The variants follow upstream `wasmbus_rpc::error::RpcError`
/// so that the texts an actor sees match what a wasmCloud host would send.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RpcError {
    /// The call did not complete before its deadline.
    #[error("deadline exceeded: {0}")]
    DeadlineExceeded(String),
    /// An error inside the host (routing, instantiation, ...).
    #[error("host error: {0}")]
    HostError(String),
    /// A bad argument or configuration value.
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// The actor's handler returned an error or trapped.
    #[error("actor: {0}")]
    ActorHandler(String),
    /// A provider could not be initialised (e.g. a link's values are invalid).
    #[error("provider initialization or put-link: {0}")]
    ProviderInit(String),
    /// The call timed out waiting for a reply.
    #[error("timeout: {0}")]
    Timeout(String),
    /// Encoding a value failed.
    #[error("serialization: {0}")]
    Ser(String),
    /// Decoding a value failed.
    #[error("deserialization: {0}")]
    Deser(String),
    /// The receiver has no such method.
    #[error("method not handled {0}")]
    MethodNotHandled(String),
    /// The caller may not make this call (missing link or capability).
    #[error("{0}")]
    NotAuthorized(String),
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

impl RpcError {
    /// True for the errors a caller should report as "took too long" (HTTP 503).
    pub fn is_timeout(&self) -> bool {
        matches!(self, RpcError::DeadlineExceeded(_) | RpcError::Timeout(_))
    }
}

/// Result of an RPC call.
pub type RpcResult<T> = Result<T, RpcError>;

/// A link definition: lets `actor_id` talk to the provider `provider_id`
/// under `contract_id` and `link_name`, with the provider settings in `values`.
/// Keyed by (actor_id, contract_id, link_name). Field names equal upstream's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkDefinition {
    /// Public key (or host-derived id) of the actor.
    pub actor_id: String,
    /// Id of the provider instance.
    pub provider_id: String,
    /// Link name, `default` unless configured.
    pub link_name: String,
    /// Contract id, e.g. `wasmcloud:keyvalue`.
    pub contract_id: String,
    /// Provider settings for this actor (read case-insensitively by providers).
    #[serde(default)]
    pub values: HashMap<String, String>,
}

impl LinkDefinition {
    /// Looks a value up case-insensitively, as upstream providers do.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}
