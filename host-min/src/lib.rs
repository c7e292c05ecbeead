//! host-min: a minimal wasmCloud-compatible host.
//!
//! Runs wasm actors (waPC / wasmbus ABI) on wasmtime, in-process capability
//! providers, and the link definitions that connect them. See
//! `shared/design/architecture.md`, Flow 2.

pub mod admin;
pub mod claims;
pub mod host;
pub mod ids;
pub mod links;
pub mod manifest;
pub mod providers;
pub mod router;
pub mod runtime;
pub mod types;
