//! Wire-level types shared by the host, its providers and the router.
//!
//! They are `weld-rpc`'s own types, re-exported: the host, its in-process
//! providers and the generated interface crates all speak the same
//! [`Message`], [`RpcError`] and [`LinkDefinition`], so no conversion sits
//! between a provider and the generated receivers and senders it uses, and
//! every error text is upstream `wasmbus-rpc`'s.
//!
//! A refusal by the link or capability checks is an [`RpcError::Other`]
//! carrying upstream's text as is (`Invocation not authorized: ...`), which is
//! what a wasmCloud host puts in the error of its reply.

pub use weld_rpc::core::LinkDefinition;
pub use weld_rpc::{Message, RpcError, RpcResult};
