//! Arbitrary text as a Smithy IDL file and as a Smithy JSON AST file: the
//! front end reports diagnostics, never panics, and every diagnostic can be
//! rendered (rendering resolves each span against its file, so a span out of
//! range or inside a UTF-8 sequence panics there).
#![no_main]

use weld_codegen::smithy::{load_sources, render};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    for name in ["fuzz.smithy", "fuzz.json"] {
        let res = load_sources(vec![(name.to_string(), text.clone())]);
        for d in &res.diagnostics {
            if let Some(span) = d.span {
                let file = res.sources.get(span.file);
                assert!(
                    span.start <= span.end && (span.end as usize) <= file.text.len(),
                    "{name}: span {span:?} outside a file of {} bytes: {d:?}",
                    file.text.len()
                );
            }
        }
        render::render_human(&res.sources, &res.diagnostics, false);
        render::render_json(&res.sources, &res.diagnostics);
    }
});
