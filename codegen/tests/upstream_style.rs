//! IDL 1.0 leniency for interfaces written the way wasmCloud published its
//! own (`tests/corpus/upstream-style/`, our own text in that style): they
//! load with our `interfaces/core` without errors, report exactly the
//! warnings in their `// expect: CODE LINE:COL` headers (W0121 lower-case
//! number aliases, W0207 selector mismatches, W0208 bare simple-type
//! traits), and generate Rust whose types follow the resolved aliases.
//! The same constructs in IDL 2.0 stay errors (see the invalid corpus).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use weld_codegen::rust::view::{self, CrateView, ItemView, ViewOptions};
use weld_codegen::smithy::{self, render, source::FileId};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn load() -> smithy::LoadResult {
    smithy::load_paths(&[
        root().join("../interfaces/core"),
        root().join("tests/corpus/upstream-style"),
    ])
}

/// `(file name, code, line, col)` from the `// expect:` header lines.
fn expected() -> BTreeSet<(String, String, usize, usize)> {
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(root().join("tests/corpus/upstream-style")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let Some(rest) = line.trim().strip_prefix("// expect:") else {
                continue;
            };
            let mut parts = rest.split_whitespace();
            let code = parts.next().unwrap().to_string();
            let (l, c) = parts.next().unwrap().split_once(':').unwrap();
            out.insert((name.clone(), code, l.parse().unwrap(), c.parse().unwrap()));
        }
    }
    out
}

#[test]
fn upstream_style_files_validate_with_exactly_the_expected_warnings() {
    let res = load();
    assert!(
        !res.has_errors(),
        "{}",
        render::render_human(&res.sources, &res.diagnostics, false)
    );
    let mut got = BTreeSet::new();
    for d in &res.diagnostics {
        let span = d.span.expect("every leniency warning has a span");
        assert_ne!(span.file, FileId(0), "diagnostic in the prelude: {d:?}");
        let loc = res.sources.location(span);
        let file = &res.sources.get(span.file).name;
        let name = Path::new(file).file_name().unwrap().to_string_lossy();
        got.insert((name.to_string(), d.code.to_string(), loc.line, loc.col));
    }
    let want = expected();
    assert!(want.len() >= 8, "corpus lost its expectations");
    assert_eq!(
        got,
        want,
        "\n{}",
        render::render_human(&res.sources, &res.diagnostics, false)
    );
}

fn view() -> CrateView {
    let res = load();
    assert!(!res.has_errors());
    view::build(&res.model, "org.example.transfer", &ViewOptions::default()).unwrap()
}

#[test]
fn lower_case_aliases_generate_the_unsigned_rust_types() {
    let v = view();
    let s = v
        .items
        .iter()
        .find_map(|i| match i {
            ItemView::Struct(s) if s.name == "StartRequest" => Some(s),
            _ => None,
        })
        .expect("StartRequest struct");
    let ty = |name: &str| {
        s.fields
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no field {name}"))
            .ty
            .clone()
    };
    assert_eq!(ty("length"), "u64");
    assert_eq!(ty("offset"), "Option<u32>");
    assert_eq!(ty("size"), "u32");
}

#[test]
fn lower_case_alias_is_an_error_in_idl_2() {
    let core =
        std::fs::read_to_string(root().join("../interfaces/core/wasmcloud-model.smithy")).unwrap();
    let src = "$version: \"2\"\nnamespace t.v2\nstructure S {\n    length: u64\n}\n";
    let res = smithy::load_sources(vec![
        ("wasmcloud-model.smithy".into(), core),
        ("t.smithy".into(), src.into()),
    ]);
    let codes: Vec<&str> = res.diagnostics.iter().map(|d| d.code).collect();
    assert!(codes.contains(&"E0200"), "{codes:?}");
    assert!(!codes.contains(&"W0121"), "{codes:?}");
}
