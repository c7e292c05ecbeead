//! nkeys: ed25519 key pairs in the text form NATS and wasmCloud use.
//!
//! The implementation lives in `weld-rpc` (feature `provider`), which
//! providers use to sign lattice invocations; the host uses the same one, so
//! there is a single nkeys encoder and decoder in the project.

pub use weld_rpc::provider::keys::*;
