//! Arbitrary text as a Smithy IDL file and as a Smithy JSON AST file: the
//! front end reports diagnostics, never panics, and every diagnostic can be
//! rendered (property in `src/smithy.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    weld_fuzz::smithy::smithy_load(data);
});
