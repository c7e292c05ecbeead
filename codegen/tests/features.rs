//! Feature corpus: every `tests/corpus/features/NAME.smithy` (or directory
//! `NAME/` of model files, for features that need several files) is loaded
//! as one model, written as JSON AST and compared with `NAME.json`.
//!
//! `WELD_BLESS=1 cargo test -p weld-codegen --test features` rewrites the
//! expectations; review every change against the Smithy spec before
//! committing it (a wrong expectation is a bug, not a baseline).

use similar::TextDiff;
use std::path::{Path, PathBuf};
use weld_codegen::smithy::{self, json_ast, render::render_human};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/features")
}

/// A feature: its name and its input files as (display name, text).
struct Case {
    name: String,
    inputs: Vec<(String, String)>,
}

fn model_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("smithy" | "json")
            )
        })
        .collect();
    files.sort();
    files
}

fn cases() -> Vec<Case> {
    let root = corpus_dir();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let mut out = Vec::new();
    for p in entries {
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        let files = if p.is_dir() {
            model_files(&p)
        } else if p.extension().is_some_and(|e| e == "smithy") {
            vec![p.clone()]
        } else {
            continue;
        };
        assert!(!files.is_empty(), "{}: no model files", p.display());
        let inputs = files
            .iter()
            .map(|f| {
                let shown = f
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (shown, std::fs::read_to_string(f).unwrap())
            })
            .collect();
        out.push(Case { name, inputs });
    }
    out
}

fn diff(expected: &str, actual: &str, name: &str) -> String {
    TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{name}.json (expected)"),
            &format!("{name}.json (actual)"),
        )
        .to_string()
}

/// Loads inputs; on errors returns the rendered diagnostics.
fn load_json(inputs: Vec<(String, String)>) -> Result<String, String> {
    let r = smithy::load_sources(inputs);
    if r.has_errors() {
        return Err(render_human(&r.sources, &r.diagnostics, false));
    }
    Ok(json_ast::write_string(&r.model))
}

#[test]
fn feature_corpus_matches_expected_json_ast() {
    let bless = std::env::var_os("WELD_BLESS").is_some_and(|v| v != "0");
    let cases = cases();
    assert!(cases.len() >= 20, "feature corpus went missing");
    let mut failures = Vec::new();
    for case in cases {
        let expected_path = corpus_dir().join(format!("{}.json", case.name));
        let actual = match load_json(case.inputs) {
            Ok(a) => a,
            Err(diags) => {
                failures.push(format!("{}: model has errors:\n{diags}", case.name));
                continue;
            }
        };
        if bless {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!(
                "{}: JSON AST differs (WELD_BLESS=1 to accept after review)\n{}",
                case.name,
                diff(&expected, &actual, &case.name)
            )),
            Err(e) => failures.push(format!(
                "{}: no expectation {} ({e}); run with WELD_BLESS=1 and review it",
                case.name,
                expected_path.display()
            )),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Every expectation belongs to an input, and is JSON AST as Smithy
/// defines it at the top level.
#[test]
fn expectations_are_json_ast_documents_with_inputs() {
    let root = corpus_dir();
    for e in std::fs::read_dir(&root).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(
            root.join(format!("{stem}.smithy")).exists() || root.join(&stem).is_dir(),
            "{}: stale expectation without input",
            p.display()
        );
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        // "1.0" exactly when an IDL 1.0 file is part of the model.
        let version = v["smithy"].as_str().unwrap();
        let v1_input = stem.starts_with("v1-") || stem.starts_with("mixed-");
        assert_eq!(
            version,
            if v1_input { "1.0" } else { "2.0" },
            "{}",
            p.display()
        );
        let shapes = v["shapes"].as_object().unwrap();
        assert!(
            shapes.keys().all(|k| !k.starts_with("smithy.api#")),
            "{}: prelude shapes must not be written",
            p.display()
        );
    }
}

/// model -> JSON AST -> read back -> the same JSON AST, for every feature.
#[test]
fn json_ast_round_trips() {
    let mut failures = Vec::new();
    for case in cases() {
        let Ok(first) = load_json(case.inputs) else {
            continue; // reported by feature_corpus_matches_expected_json_ast
        };
        let name = format!("{}.roundtrip.json", case.name);
        match load_json(vec![(name, first.clone())]) {
            Ok(second) if second == first => {}
            Ok(second) => failures.push(format!(
                "{}: JSON AST changed when read back\n{}",
                case.name,
                diff(&first, &second, &case.name)
            )),
            Err(diags) => failures.push(format!(
                "{}: written JSON AST does not load:\n{diags}",
                case.name
            )),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Input order of files does not change the assembled output.
#[test]
fn multi_file_features_do_not_depend_on_file_order() {
    for case in cases().into_iter().filter(|c| c.inputs.len() > 1) {
        let Ok(forward) = load_json(case.inputs.clone()) else {
            continue;
        };
        let mut reversed = case.inputs;
        reversed.reverse();
        let backward = load_json(reversed).unwrap();
        // Shape order follows input order, so compare as parsed values with
        // sorted object keys (serde_json without preserve_order semantics).
        let a: serde_json::Value = serde_json::from_str(&forward).unwrap();
        let b: serde_json::Value = serde_json::from_str(&backward).unwrap();
        let sort = |v: &serde_json::Value| {
            let mut shapes: Vec<_> = v["shapes"].as_object().unwrap().iter().collect();
            shapes.sort_by(|x, y| x.0.cmp(y.0));
            serde_json::to_string(&shapes).unwrap()
        };
        assert_eq!(sort(&a), sort(&b), "{}", case.name);
    }
}

/// The real interface files: `weld json` output reads back to itself.
#[test]
fn interfaces_json_ast_round_trips() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../interfaces");
    let mut files = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "smithy") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(!files.is_empty(), "interfaces/ has no .smithy files");
    let inputs = files
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read_to_string(p).unwrap()))
        .collect();
    let first = load_json(inputs).unwrap_or_else(|d| panic!("interfaces/ do not load:\n{d}"));
    let second = load_json(vec![("interfaces.json".into(), first.clone())])
        .unwrap_or_else(|d| panic!("JSON AST of interfaces/ does not load:\n{d}"));
    assert!(first == second, "{}", diff(&first, &second, "interfaces"));
}
