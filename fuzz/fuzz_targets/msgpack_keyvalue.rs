//! Arbitrary bytes as every `wasmcloud:keyvalue` argument and result type.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    weld_fuzz::families::keyvalue(data);
});
