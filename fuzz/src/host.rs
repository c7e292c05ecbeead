//! Properties of the host-min parsers fuzzed by the `manifest` and `claims`
//! targets. `host-min/tests/fuzz_regressions.rs` includes this file with
//! `#[path]` to replay the seeds and every kept crash input on each
//! `cargo test`, so both sides check exactly the same thing.

use std::path::Path;
use std::time::{Duration, SystemTime};

use host_min::claims;
use host_min::manifest::{Manifest, ManifestError};

/// Arbitrary text as a manifest: parsing returns a manifest or an error
/// located at a line and column that exist in the text; never panics.
/// Returns 1 when the text parsed as a manifest (0 otherwise, also for
/// bytes that are not UTF-8).
pub fn manifest(data: &[u8]) -> usize {
    let Ok(text) = std::str::from_utf8(data) else {
        return 0;
    };
    let err = match Manifest::parse(Path::new("/fuzz/manifest.toml"), text) {
        Ok(_) => return 1,
        Err(e) => e,
    };
    // The message renders (it is what the operator reads).
    let _ = err.to_string();
    let ManifestError::At { line, column, .. } = err else {
        panic!("parse reported an I/O error: {err}");
    };
    let lines: Vec<&str> = text.split('\n').collect();
    assert!(
        line >= 1 && line <= lines.len(),
        "error line {line} outside a text of {} lines",
        lines.len()
    );
    // A column may point just past the last character of its line (an
    // error at the end of the line or of the file).
    let chars = lines[line - 1].chars().count();
    assert!(
        column >= 1 && column <= chars + 1,
        "error column {column} outside line {line} of {chars} characters"
    );
    0
}

/// Arbitrary bytes as a (possibly signed) wasm module: claims extraction,
/// verification, stripping and hashing return errors, never panic; a module
/// whose claims verify has extractable claims; stripping is idempotent and
/// leaves no claims. Returns 1 when the bytes are a module that strips
/// (0 otherwise).
pub fn claims(data: &[u8]) -> usize {
    let extracted = claims::extract_claims(data);
    // A fixed "now" (2027-01-15) keeps runs reproducible.
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let verified = claims::verify(data, now);
    // Error texts render (they format times and durations from the token).
    if let Err(e) = &extracted {
        let _ = e.to_string();
    }
    if let Err(e) = &verified {
        let _ = e.to_string();
    }
    if verified.is_ok() {
        assert!(
            matches!(extracted, Ok(Some(_))),
            "verified but not extractable"
        );
    }
    let hash = claims::wasm::module_hash(data);
    let Ok(stripped) = claims::wasm::strip_claims(data) else {
        assert!(hash.is_err(), "a module that does not strip has a hash");
        return 0;
    };
    let again = claims::wasm::strip_claims(&stripped).expect("strip a stripped module");
    assert_eq!(again, stripped, "strip_claims is not idempotent");
    assert!(
        matches!(claims::extract_claims(&stripped), Ok(None)),
        "a stripped module still has claims"
    );
    // The hash claims bind to ignores the claims: same before and after.
    assert_eq!(
        hash.expect("a module that strips has a hash"),
        claims::wasm::module_hash(&stripped).expect("hash a stripped module"),
        "stripping changed the module hash"
    );
    1
}
