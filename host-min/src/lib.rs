//! host-min: a minimal wasmCloud-compatible host.
//!
//! Runs wasm actors (waPC / wasmbus ABI) on wasmtime, in-process capability
//! providers, and the link definitions that connect them.
//!
//! A request flows: a provider (e.g. [`providers::httpserver`]) calls an
//! actor through the [`providers::ActorLink`] it got with the link; the
//! [`router`] checks the link and the actor's claims ([`claims`]) and calls
//! it in the [`runtime`] (or over the [`lattice`]); the actor's host calls come back to the router, which routes
//! them through the link table ([`links`]) to a provider or a builtin.
//! [`host`] ties these together and applies a [`manifest`]; [`admin`] is the
//! local control endpoint; [`net`] holds what every listener shares.

pub mod admin;
pub mod claims;
pub mod dashboard;
pub mod host;
pub mod ids;
pub mod lattice;
pub mod links;
pub mod manifest;
pub mod oci;
pub use weld_rpc::provider::net;
pub mod par;
pub mod providers;
pub mod router;
pub mod runtime;
pub mod types;
