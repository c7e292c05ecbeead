//! Compatibility tests only: see `tests/upstream_client.rs`. wasmCloud's
//! control client (`wasmcloud-control-interface` 0.28.1) drives host-min
//! hosts over a real NATS lattice, unmodified.
