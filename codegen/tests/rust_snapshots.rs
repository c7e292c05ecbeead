//! Golden snapshots of the Rust generator: every model in
//! `tests/corpus/rust/*.smithy` (one feature each, IDL 1.0 and 2.0) is
//! generated as a crate under `tests/snapshots/crates/<name>/` and compared
//! with the checked-in files; a mismatch fails with a unified diff.
//! `WELD_BLESS=1 cargo test -p weld-codegen --test rust_snapshots` rewrites
//! them. A second test builds and runs the snapshot workspace (`cargo test`
//! there), so every snapshot crate compiles and its generated round-trip
//! tests pass.

use std::path::{Path, PathBuf};
use weld_codegen::rust::{
    self, CrateSpec, Dependency, GenError, OutputSet, RustOptions, Templates,
};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn corpus() -> Vec<PathBuf> {
    let dir = root().join("codegen/tests/corpus/rust");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "smithy"))
        .collect();
    files.sort();
    files
}

/// Loads one corpus file with the wasmCloud model traits it may `use`.
fn load(file: &Path) -> weld_codegen::model::Model {
    let res = weld_codegen::smithy::load_paths(&[
        root().join("interfaces/core/wasmcloud-model.smithy"),
        file.to_path_buf(),
    ]);
    if res.has_errors() {
        panic!(
            "{} has errors:\n{}",
            file.display(),
            weld_codegen::smithy::render::render_human(&res.sources, &res.diagnostics, false)
        );
    }
    res.model
}

fn generate(file: &Path) -> (String, OutputSet) {
    let model = load(file);
    let text = std::fs::read_to_string(file).unwrap();
    let ns = text
        .lines()
        .find_map(|l| l.strip_prefix("namespace "))
        .expect("corpus file declares a namespace")
        .trim()
        .to_string();
    let name = file
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .replace('_', "-");
    let mut spec = CrateSpec::new(&ns);
    spec.runtime = Dependency {
        package: "weld-rpc".into(),
        version: "0.1".into(),
        path: Some("../../../../../rpc".into()),
        generated: false,
    };
    let out = rust::render_crate(
        &model,
        &spec,
        &Templates::builtin(),
        &RustOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    (name, out)
}

#[test]
fn snapshots_match() {
    let snapshots = root().join("codegen/tests/snapshots/crates");
    let bless = std::env::var_os("WELD_BLESS").is_some();
    let mut failures = String::new();
    let mut names = Vec::new();
    for file in corpus() {
        let (name, out) = generate(&file);
        let dir = snapshots.join(&name);
        names.push(name.clone());
        if bless {
            out.write_changed(&dir).unwrap();
            // Drop files the generator no longer makes.
            for sub in ["src", "tests"] {
                if let Ok(rd) = std::fs::read_dir(dir.join(sub)) {
                    for e in rd {
                        let p = e.unwrap().path();
                        let rel = p.strip_prefix(&dir).unwrap();
                        if out.get(rel).is_none() {
                            std::fs::remove_file(&p).unwrap();
                        }
                    }
                }
            }
        } else {
            failures.push_str(&out.diff(&dir));
        }
    }
    assert!(
        failures.is_empty(),
        "snapshots differ (WELD_BLESS=1 to accept):\n{failures}"
    );
    // The snapshot workspace lists exactly these crates.
    let ws = std::fs::read_to_string(root().join("codegen/tests/snapshots/Cargo.toml")).unwrap();
    for n in names {
        assert!(
            ws.contains(&format!("\"crates/{n}\"")),
            "snapshots/Cargo.toml lacks crates/{n}"
        );
    }
}

#[test]
fn snapshot_crates_compile_and_round_trip() {
    let ws = root().join("codegen/tests/snapshots");
    let out = std::process::Command::new(env!("CARGO"))
        .args(["test", "--quiet", "--offline"])
        .current_dir(&ws)
        .env("CARGO_TARGET_DIR", root().join("target/snapshots"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "cargo test in {} failed:\n{}\n{}",
        ws.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn model_of(src: &str) -> weld_codegen::model::Model {
    let res = weld_codegen::smithy::load_sources(vec![("t.smithy".into(), src.into())]);
    assert!(!res.has_errors(), "{:?}", res.diagnostics);
    res.model
}

#[test]
fn big_numbers_are_a_clear_error() {
    let model = model_of("namespace t.big\n\nstructure S {\n    @required\n    n: BigInteger\n}\n");
    let err = rust::render_module(
        &model,
        "t.big",
        &Templates::builtin(),
        &RustOptions::default(),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, GenError::Unsupported { .. }), "{text}");
    assert!(
        text.contains("bigInteger") && text.contains("smithy.api#BigInteger"),
        "{text}"
    );
}

#[test]
fn unknown_namespace_crate_is_a_clear_error() {
    let model = weld_codegen::smithy::load_sources(vec![
        (
            "a.smithy".into(),
            "namespace t.a\n\nstructure A {}\n".into(),
        ),
        (
            "b.smithy".into(),
            "namespace t.b\n\nuse t.a#A\n\nstructure B {\n    a: A\n}\n".into(),
        ),
    ])
    .model;
    let err = rust::render_module(
        &model,
        "t.b",
        &Templates::builtin(),
        &RustOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(err, GenError::NoCrateForNamespace { ref namespace, .. } if namespace == "t.a"),
        "{err}"
    );
}

#[test]
fn template_overrides_apply_and_broken_output_names_the_template() {
    let model =
        model_of("namespace t.o\n\n/// Doc.\nstructure S {\n    @required\n    x: String\n}\n");
    let dir = tempfile::tempdir().unwrap();
    // A replacement alias template is used for aliases only.
    std::fs::write(
        dir.path().join("struct.rs.hbs"),
        "/// custom\n#[derive(Debug)]\npub struct {{name}} { {{#each fields}}pub {{name}}: {{{ty}}}, {{/each}} }\n",
    )
    .unwrap();
    let t = Templates::with_overrides(dir.path()).unwrap();
    let src = rust::render_module(&model, "t.o", &t, &RustOptions::default()).unwrap();
    assert!(
        src.contains("/// custom\n#[derive(Debug)]\npub struct S {\n    pub x: String,\n}"),
        "{src}"
    );
    // A template that renders invalid Rust is reported with its name.
    std::fs::write(dir.path().join("struct.rs.hbs"), "pub struct {{name}} {").unwrap();
    let t = Templates::with_overrides(dir.path()).unwrap();
    let err = rust::render_module(&model, "t.o", &t, &RustOptions::default()).unwrap_err();
    assert!(
        matches!(err, GenError::RustSyntax { ref template, .. } if template == "struct.rs"),
        "{err}"
    );
    // A template that is not valid handlebars is refused when loaded.
    std::fs::write(dir.path().join("struct.rs.hbs"), "{{#if}").unwrap();
    assert!(matches!(
        Templates::with_overrides(dir.path()),
        Err(GenError::TemplateSyntax { .. })
    ));
}

/// A `file.rs` override: the body at the top level (printed in parts on
/// two threads and joined, with the blank lines between items at the part
/// boundaries) or inside a module (the whole file is parsed at once).
#[test]
fn file_template_overrides_format_like_the_whole_file() {
    let model = model_of(
        "namespace t.f\n\n/// Doc.\nstructure S {\n    @required\n    x: String\n}\n\n/// Other.\nstructure T {\n    y: Integer\n}\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let derive =
        "#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]";
    std::fs::write(
        dir.path().join("file.rs.hbs"),
        "//! Custom.\n#![allow(dead_code)]\npub const NS: &str = \"{{namespace}}\";\n{{{body}}}\npub const END: u8 = 1;\n",
    )
    .unwrap();
    let t = Templates::with_overrides(dir.path()).unwrap();
    let src = rust::render_module(&model, "t.f", &t, &RustOptions::default()).unwrap();
    let want = format!(
        "//! Custom.\n#![allow(dead_code)]\n\npub const NS: &str = \"t.f\";\n\n/// Doc.\n{derive}\npub struct S {{\n    #[serde(default)]\n    pub x: String,\n}}\n\nweld_rpc::cbor_struct! {{\n    S map {{\n        0 x required,\n    }}\n}}\n\n/// Other.\n{derive}\npub struct T {{\n    #[serde(default)]\n    pub y: i32,\n}}\n\nweld_rpc::cbor_struct! {{\n    T map {{\n        0 y default,\n    }}\n}}\n\npub const END: u8 = 1;\n"
    );
    assert_eq!(src, want);

    std::fs::write(
        dir.path().join("file.rs.hbs"),
        "pub mod inner {\n{{{body}}}\n}\n",
    )
    .unwrap();
    let t = Templates::with_overrides(dir.path()).unwrap();
    let src = rust::render_module(&model, "t.f", &t, &RustOptions::default()).unwrap();
    let mut at = 0;
    for w in [
        "pub mod inner {",
        "    pub struct S {",
        "    pub struct T {",
        "}\n}\n",
    ] {
        let found = src[at..]
            .find(w)
            .unwrap_or_else(|| panic!("{w:?} after {at} in:\n{src}"));
        at += found + w.len();
    }
    assert_eq!(at, src.len(), "{src}");
}
