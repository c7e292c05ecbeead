//! Arbitrary bytes as a (possibly signed) wasm module: claims extraction,
//! verification, stripping and hashing return errors, never panic
//! (properties in `src/host.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    weld_fuzz::host::claims(data);
});
