//! Arbitrary text as a host-min manifest: parsing returns a manifest or an
//! error located at a real line and column of the text, never panics
//! (property in `src/host.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    weld_fuzz::host::manifest(data);
});
