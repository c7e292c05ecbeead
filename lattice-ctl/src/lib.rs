//! The wasmCloud 0.x lattice control interface, client side: the NATS
//! subjects a lattice uses ([`subjects`]), the JSON payloads of its control
//! interface ([`ctl`]) and a typed client of it ([`client`]).
//!
//! A crate of its own because three parts of weld drive a lattice: the
//! host (`host-min ctl`, and its control server that answers these very
//! payloads), the `lattice-controller` provider (actors steering the
//! lattice) and the dashboard. The host depends on the providers, so the
//! client cannot live in the host.

pub mod client;
pub mod ctl;
pub mod subjects;

/// Default lattice prefix, as upstream.
pub const DEFAULT_LATTICE: &str = "default";

/// Default NATS URL.
pub const DEFAULT_NATS_URL: &str = "nats://127.0.0.1:4222";
