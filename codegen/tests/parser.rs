//! Lexer, parser, resolver and assembler tests for the Smithy IDL front end.

use weld_codegen::model::{Node, Number, ShapeId, ShapeKind};
use weld_codegen::smithy::{load_sources, LoadResult};

fn load(files: &[(&str, &str)]) -> LoadResult {
    load_sources(
        files
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect(),
    )
}

fn codes(r: &LoadResult) -> Vec<&'static str> {
    r.diagnostics.iter().map(|d| d.code).collect()
}

/// The repository root (works from the crate and from out-of-tree builds of
/// this test file).
fn repo_root() -> std::path::PathBuf {
    let this = std::path::Path::new(file!());
    if this.is_absolute() {
        this.ancestors().nth(3).unwrap().to_path_buf()
    } else {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }
}

fn id(s: &str) -> ShapeId {
    ShapeId::parse(s).unwrap()
}

#[test]
fn smoke() {
    let r = load(&[(
        "a.smithy",
        r#"$version: "2"
namespace ex
/// Docs here
@required
structure Foo {
    a: String = "x"
    $b
}
"#,
    )]);
    for d in &r.diagnostics {
        eprintln!("{:?} {} {}", d.severity, d.code, d.message);
    }
    let s = r.model.shape(&id("ex#Foo")).unwrap();
    assert_eq!(s.documentation(), Some("Docs here"));
    assert!(matches!(s.kind, ShapeKind::Structure));
    assert_eq!(s.members[0].target, id("smithy.api#String"));
    assert_eq!(
        s.members[0].trait_value(&id("smithy.api#default")),
        Some(&Node::String("x".into()))
    );
    assert!(codes(&r).contains(&"E0105"));
    let _ = Number::Int(0);
}

#[test]
fn interfaces_dir_loads_without_syntax_errors() {
    let dir = repo_root().join("interfaces");
    let r = weld_codegen::smithy::load_paths(&[dir]);
    for d in &r.diagnostics {
        if let Some(sp) = d.span {
            eprintln!("{} {} {}", r.sources.location(sp), d.code, d.message);
        } else {
            eprintln!("{} {}", d.code, d.message);
        }
    }
    assert!(!r.has_errors());
    assert!(r.model.user_shapes().count() > 50);
}
