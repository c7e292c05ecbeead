//! Arbitrary text as a host-min manifest: parsing returns a manifest or an
//! error located at a real line and column of the text, never panics.
#![no_main]

use std::path::Path;

use host_min::manifest::{Manifest, ManifestError};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Manifest::parse(Path::new("/fuzz/manifest.toml"), text) {
        Ok(_) => {}
        Err(ManifestError::At { line, column, .. }) => {
            let lines = text.split('\n').count();
            assert!(
                line >= 1 && line <= lines,
                "error line {line} outside a text of {lines} lines"
            );
            assert!(column >= 1, "error column {column} is not 1-based");
        }
        Err(e @ ManifestError::Io { .. }) => panic!("parse reported an I/O error: {e}"),
    }
});
