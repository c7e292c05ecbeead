//! Shared checks of the weld fuzz targets. The decoder properties live in
//! `checks.rs` (weld-rpc only) and `families.rs` (the generated crates'
//! types); the normal test suite includes both with `#[path]` for a bounded,
//! deterministic smoke run (`tests/tests/decoders_fuzz.rs`,
//! `rpc/tests/fuzz_regressions.rs`). The host-min parser properties
//! (`manifest`, `claims` targets) are in `host.rs`, replayed by
//! `host-min/tests/fuzz_regressions.rs`.

pub mod checks;
pub mod families;
#[cfg(feature = "host")]
pub mod host;
pub mod mutate;
#[cfg(feature = "codegen")]
pub mod smithy;
