//! Arbitrary bytes as the protocol "2" (CBOR) types: `wasmcloud:blobstore`
//! and weld-rpc's own messages, Document and Timestamp.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    weld_fuzz::families::cbor_types(data);
});
