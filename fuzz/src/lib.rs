//! Shared checks of the weld fuzz targets. The decoder properties live in
//! `checks.rs` (weld-rpc only) and `families.rs` (the generated crates'
//! types); the normal test suite includes both with `#[path]` for a bounded,
//! deterministic smoke run (`tests/tests/decoders_fuzz.rs`,
//! `rpc/tests/fuzz_regressions.rs`).

pub mod checks;
pub mod families;
pub mod mutate;
