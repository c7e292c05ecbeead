//! The `weld` binary as users run it: exit statuses, diagnostics on
//! stderr with `file:line:col` and a source snippet, JSON output.

use std::path::Path;
use std::process::{Command, Output};

fn weld(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weld"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run weld")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const VALID: &str = r#"$version: "2"

namespace example.cli

/// A thing.
structure Thing {
    @required
    name: String
    count: Integer = 0
}
"#;

/// Line 7 column 12 is `Missing`.
const UNRESOLVED: &str = r#"$version: "2"

namespace example.cli

structure Thing {
    name: String
    other: Missing
}
"#;

/// A JSON AST file with an unknown shape type at line 4, column 35.
const BAD_JSON: &str = r#"{
    "smithy": "2.0",
    "shapes": {
        "example.cli#X": {"type": "widget"}
    }
}
"#;

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = d.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    d
}

#[test]
fn validate_valid_model_exits_0() {
    let d = dir_with(&[("ok.smithy", VALID)]);
    let o = weld(&["validate", "ok.smithy"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("ok: 1 shape in 1 namespace"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn validate_model_error_exits_1_with_location_and_snippet() {
    let d = dir_with(&[("bad.smithy", UNRESOLVED)]);
    let o = weld(&["validate", "bad.smithy"], d.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("error[E"), "{err}");
    assert!(err.contains("bad.smithy:7:12"), "{err}");
    assert!(err.contains("7 |     other: Missing"), "{err}");
    assert!(err.contains("^^^^^^^"), "{err}");
    assert!(err.contains("Missing"), "{err}");
}

#[test]
fn json_ast_input_errors_point_into_the_json() {
    let d = dir_with(&[("bad.json", BAD_JSON)]);
    let o = weld(&["validate", "bad.json"], d.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("error[E0313]: unknown shape type \"widget\""),
        "{err}"
    );
    assert!(err.contains("bad.json:4:35"), "{err}");
}

#[test]
fn format_json_gives_parseable_diagnostics() {
    let d = dir_with(&[("bad.smithy", UNRESOLVED), ("bad.json", BAD_JSON)]);
    let o = weld(
        &["validate", "--format", "json", "bad.smithy", "bad.json"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("stdout is JSON");
    let diags = v.as_array().unwrap();
    let smithy = diags
        .iter()
        .find(|d| d["file"] == "bad.smithy")
        .expect("diagnostic for bad.smithy");
    assert_eq!(smithy["severity"], "error");
    assert_eq!(
        (smithy["line"].as_u64(), smithy["column"].as_u64()),
        (Some(7), Some(12))
    );
    assert!(smithy["code"].as_str().unwrap().starts_with('E'));
    let json = diags.iter().find(|d| d["file"] == "bad.json").unwrap();
    assert_eq!(json["code"], "E0313");
    assert_eq!(
        (json["line"].as_u64(), json["column"].as_u64()),
        (Some(4), Some(35))
    );
    // Valid input in JSON mode prints an empty array.
    let d = dir_with(&[("ok.smithy", VALID)]);
    let o = weld(&["validate", "--format=json", "ok.smithy"], d.path());
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout(&o)).unwrap(),
        serde_json::json!([])
    );
}

#[test]
fn warnings_alone_exit_0() {
    let json =
        r#"{"smithy": "2.0", "shapes": {"example.w#S": {"type": "string", "colour": "red"}}}"#;
    let d = dir_with(&[("w.json", json)]);
    let o = weld(&["validate", "w.json"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning[W0315]"), "{}", stderr(&o));
}

#[test]
fn usage_and_io_errors_exit_2() {
    let d = dir_with(&[("ok.smithy", VALID)]);
    let missing = weld(&["validate", "nope.smithy"], d.path());
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("nope.smithy"),
        "{}",
        stderr(&missing)
    );
    assert_eq!(weld(&["validate"], d.path()).status.code(), Some(2));
    assert_eq!(weld(&["frobnicate"], d.path()).status.code(), Some(2));
    assert_eq!(
        weld(&["validate", "--format", "xml", "ok.smithy"], d.path())
            .status
            .code(),
        Some(2)
    );
    let empty = tempfile::tempdir().unwrap();
    let o = weld(&["validate", empty.path().to_str().unwrap()], d.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = weld(
        &["json", "ok.smithy", "--out", "no/such/dir/out.json"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn invalid_utf8_is_a_model_error_with_position() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("x.smithy"), b"namespace a\nstring \xff\xfe\n").unwrap();
    let o = weld(&["validate", "x.smithy"], d.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("x.smithy:2:8"), "{}", stderr(&o));
    assert!(stderr(&o).contains("not valid UTF-8"), "{}", stderr(&o));
}

#[test]
fn json_prints_the_model_deterministically() {
    let other = "$version: \"2\"\nnamespace example.cli\n\nlist Things {\n    member: Thing\n}\n";
    let d = dir_with(&[("m/a.smithy", VALID), ("m/sub/b.smithy", other)]);
    let o = weld(&["json", "m"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["smithy"], "2.0");
    let shapes = v["shapes"].as_object().unwrap();
    assert_eq!(
        shapes.keys().collect::<Vec<_>>(),
        ["example.cli#Thing", "example.cli#Things"]
    );
    let thing = &shapes["example.cli#Thing"];
    assert_eq!(thing["type"], "structure");
    assert_eq!(thing["traits"]["smithy.api#documentation"], "A thing.");
    assert_eq!(thing["members"]["name"]["target"], "smithy.api#String");
    assert_eq!(
        thing["members"]["name"]["traits"]["smithy.api#required"],
        serde_json::json!({})
    );
    assert_eq!(thing["members"]["count"]["traits"]["smithy.api#default"], 0);
    assert_eq!(
        shapes["example.cli#Things"]["member"]["target"],
        "example.cli#Thing"
    );
    // Same bytes on every run, and through --out.
    assert_eq!(stdout(&weld(&["json", "m"], d.path())), text);
    let o = weld(&["json", "m", "-o", "out.json"], d.path());
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(d.path().join("out.json")).unwrap(),
        text
    );
    // The output is itself valid input.
    let o = weld(&["json", "out.json"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), text);
}

#[test]
fn json_with_errors_prints_diagnostics_and_exits_1() {
    let d = dir_with(&[("bad.smithy", UNRESOLVED)]);
    let o = weld(&["json", "bad.smithy"], d.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty(), "no model on stdout: {}", stdout(&o));
    assert!(stderr(&o).contains("bad.smithy:7:12"), "{}", stderr(&o));
}

#[test]
fn color_always_uses_ansi_codes() {
    let d = dir_with(&[("bad.smithy", UNRESOLVED)]);
    let o = weld(&["validate", "--color", "always", "bad.smithy"], d.path());
    assert!(stderr(&o).contains("\u{1b}["), "{}", stderr(&o));
    let o = weld(&["validate", "bad.smithy"], d.path());
    assert!(!stderr(&o).contains('\u{1b}'));
}
