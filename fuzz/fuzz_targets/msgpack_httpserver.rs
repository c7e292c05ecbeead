//! Arbitrary bytes as every `wasmcloud:httpserver` argument and result type.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    weld_fuzz::families::httpserver(data);
});
