//! Property of the Smithy front end fuzzed by the `smithy_load` target.
//! `codegen/tests/fuzz_regressions.rs` includes this file with `#[path]` to
//! replay the seeds and every kept crash input on each `cargo test`, so
//! both sides check exactly the same thing.

use weld_codegen::smithy::{load_sources, render, LoadResult};

/// Arbitrary bytes (lossily decoded as UTF-8) as a Smithy IDL file and as a
/// Smithy JSON AST file: the front end reports diagnostics, never panics,
/// every diagnostic's span lies inside its file, and every diagnostic can
/// be rendered (rendering resolves each span against its file, so a span
/// out of range or inside a UTF-8 sequence would panic there). Returns how
/// many of the two readings loaded without errors (0, 1 or 2).
pub fn smithy_load(data: &[u8]) -> usize {
    let text = String::from_utf8_lossy(data).into_owned();
    let mut clean = 0;
    for name in ["fuzz.smithy", "fuzz.json"] {
        let res = load_sources(vec![(name.to_string(), text.clone())]);
        assert_spans_in_files(&res, name);
        render::render_human(&res.sources, &res.diagnostics, false);
        render::render_json(&res.sources, &res.diagnostics);
        clean += usize::from(!res.has_errors());
    }
    clean
}

/// Every diagnostic's span lies inside its file, starts before it ends and
/// comes with a code and a message (`name`: the input, for the report).
pub fn assert_spans_in_files(res: &LoadResult, name: &str) {
    for d in &res.diagnostics {
        if let Some(span) = d.span {
            let file = res.sources.get(span.file);
            assert!(
                span.start <= span.end && (span.end as usize) <= file.text.len(),
                "{name}: diagnostic {} `{}` has span {span:?} outside {} ({} bytes)",
                d.code,
                d.message,
                file.name,
                file.text.len()
            );
        }
        assert!(!d.code.is_empty() && !d.message.is_empty(), "{name}: {d:?}");
    }
}
