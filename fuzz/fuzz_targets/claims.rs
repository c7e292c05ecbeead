//! Arbitrary bytes as a (possibly signed) wasm module: claims extraction,
//! verification, stripping and hashing return errors, never panic.
#![no_main]

use std::time::{Duration, SystemTime};

use host_min::claims;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let extracted = claims::extract_claims(data);
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let verified = claims::verify(data, now);
    // A module whose claims verify has claims that can be extracted.
    if verified.is_ok() {
        assert!(
            matches!(extracted, Ok(Some(_))),
            "verified but not extractable"
        );
    }
    if let Ok(stripped) = claims::wasm::strip_claims(data) {
        // Stripping is idempotent and leaves an unsigned module.
        let again = claims::wasm::strip_claims(&stripped).expect("strip a stripped module");
        assert_eq!(again, stripped, "strip_claims is not idempotent");
        assert!(
            matches!(claims::extract_claims(&stripped), Ok(None)),
            "a stripped module still has claims"
        );
    }
    let _ = claims::wasm::module_hash(data);
});
