//! The `smithy.api` prelude, kept as Smithy IDL text and assembled into every
//! model ahead of user files.
//!
//! Every load needs the prelude resolved, and parsing and resolving its
//! 21 KB of text was a tenth of the instructions of a whole `weld gen`
//! of keyvalue. The text never changes between builds, so its resolved
//! form is checked in as Rust code that builds it directly
//! ([`fragment`], in `prelude/built.rs`), made from the text by the real
//! parser and resolver. Tests keep the two in step: the code must build
//! exactly what parsing the text gives, and must be what the emitter
//! below writes today (`WELD_BLESS=1 cargo test -p weld-codegen --lib
//! prelude` rewrites it after a change to the text). The text stays the
//! source of truth, and the file diagnostics point into.

use super::fragment::Fragment;
use super::source::{FileId, Span};
use crate::model::{FxBuild, Member, Node, Number, Shape, ShapeId, ShapeKind, TraitValue, Traits};

mod built;

/// File name shown in diagnostics that point into the prelude.
pub const NAME: &str = "<prelude>/smithy.api.smithy";

/// The prelude source text.
pub const TEXT: &str = include_str!("prelude.smithy");

/// The prelude resolved, as parsing and resolving [`TEXT`] as file 0
/// gives it (which the tests check).
pub fn fragment() -> Fragment {
    built::fragment()
}

// Short constructors the generated code is written with, so that it stays
// readable and small. Spans are all in file 0, the prelude's.

fn sp(start: u32, end: u32) -> Span {
    Span {
        file: FileId(0),
        start,
        end,
    }
}

fn id(namespace: &str, name: &str) -> ShapeId {
    ShapeId::new(namespace, name)
}

fn s(text: &str) -> String {
    text.to_string()
}

fn obj<const N: usize>(entries: [(&str, Node); N]) -> Node {
    Node::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn str_node(text: &str) -> Node {
    Node::String(text.to_string())
}

fn int(i: i64) -> Node {
    Node::Number(Number::Int(i))
}

fn traits<const N: usize>(entries: [(ShapeId, Node, Span); N]) -> Traits {
    let mut t = Traits::with_capacity_and_hasher(N, FxBuild::default());
    for (id, value, span) in entries {
        t.insert(id, TraitValue { value, span });
    }
    t
}

fn member(name: &str, target: ShapeId, traits: Traits, span: Span, target_span: Span) -> Member {
    Member {
        name: name.to_string(),
        target,
        traits,
        span,
        target_span,
    }
}

fn shape(id: ShapeId, kind: ShapeKind, traits: Traits, members: Vec<Member>, span: Span) -> Shape {
    Shape {
        id,
        kind,
        traits,
        members,
        mixins: Vec::new(),
        span,
    }
}

#[cfg(test)]
mod emit {
    //! Writes the Rust code of `prelude/built.rs` from a resolved fragment.
    //! Only the shapes the prelude can hold are supported (it declares no
    //! services, operations, resources, mixins, applies or metadata); the
    //! emitter says so if the text ever needs more.

    use super::super::fragment::Fragment;
    use super::super::source::{FileId, Span};
    use crate::model::{IdlVersion, Node, Number, ShapeId, ShapeKind, Traits};
    use std::fmt::Write as _;

    pub fn emit(f: &Fragment) -> Result<String, String> {
        if !f.metadata.is_empty() || !f.applies.is_empty() {
            return Err("the prelude emitter does not support metadata or apply".into());
        }
        let version = match f.version {
            IdlVersion::V1 => "IdlVersion::V1",
            IdlVersion::V2 => "IdlVersion::V2",
        };
        let namespace = match &f.namespace {
            Some(ns) => format!("Some(s({ns:?}))"),
            None => "None".into(),
        };
        let mut out = String::from(
            "//! @generated from `prelude.smithy` by the emitter in `prelude.rs`\n\
             //! (`WELD_BLESS=1 cargo test -p weld-codegen --lib prelude`). Do not edit.\n\n\
             use super::super::fragment::Fragment;\n\
             use super::super::source::FileId;\n\
             use super::*;\n\
             use crate::model::{IdlVersion, ShapeKind, SimpleKind};\n\n",
        );
        let _ = write!(
            out,
            "pub(super) fn fragment() -> Fragment {{ Fragment {{ file: FileId({}), version: {version}, namespace: {namespace}, metadata: Vec::new(), applies: Vec::new(), shapes: Vec::from([",
            f.file.0
        );
        for shape in &f.shapes {
            if !shape.mixins.is_empty() {
                return Err(format!("{}: mixins are not supported", shape.id));
            }
            let kind = match &shape.kind {
                ShapeKind::Simple(k) => format!("ShapeKind::Simple(SimpleKind::{k:?})"),
                ShapeKind::List => "ShapeKind::List".into(),
                ShapeKind::Set => "ShapeKind::Set".into(),
                ShapeKind::Map => "ShapeKind::Map".into(),
                ShapeKind::Structure => "ShapeKind::Structure".into(),
                ShapeKind::Union => "ShapeKind::Union".into(),
                ShapeKind::Enum => "ShapeKind::Enum".into(),
                ShapeKind::IntEnum => "ShapeKind::IntEnum".into(),
                other => {
                    return Err(format!(
                        "{}: {} shapes are not supported",
                        shape.id,
                        other.keyword()
                    ))
                }
            };
            let _ = write!(
                out,
                "shape({}, {kind}, {}, ",
                id(&shape.id)?,
                traits(&shape.traits)?
            );
            out.push_str(if shape.members.is_empty() {
                "Vec::new("
            } else {
                "Vec::from(["
            });
            for m in &shape.members {
                let _ = write!(
                    out,
                    "member({:?}, {}, {}, {}, {}),",
                    m.name,
                    id(&m.target)?,
                    traits(&m.traits)?,
                    span(m.span)?,
                    span(m.target_span)?
                );
            }
            let close = if shape.members.is_empty() { ")" } else { "])" };
            let _ = write!(out, "{close}, {}),", span(shape.span)?);
        }
        out.push_str("]) } }\n");
        Ok(out)
    }

    fn id(id: &ShapeId) -> Result<String, String> {
        match &id.member {
            None => Ok(format!("id({:?}, {:?})", id.namespace, id.name)),
            Some(_) => Err(format!("{id}: member ids are not supported")),
        }
    }

    fn span(s: Span) -> Result<String, String> {
        if s.file != FileId(0) {
            return Err(format!(
                "a span in file {} (the prelude is file 0)",
                s.file.0
            ));
        }
        Ok(format!("sp({}, {})", s.start, s.end))
    }

    fn traits(t: &Traits) -> Result<String, String> {
        if t.is_empty() {
            return Ok("Traits::default()".into());
        }
        let mut out = String::from("traits([");
        for (id_, v) in t {
            let _ = write!(
                out,
                "({}, {}, {}),",
                id(id_)?,
                node(&v.value),
                span(v.span)?
            );
        }
        out.push_str("])");
        Ok(out)
    }

    fn node(n: &Node) -> String {
        match n {
            Node::Null => "Node::Null".into(),
            Node::Bool(b) => format!("Node::Bool({b})"),
            Node::Number(Number::Int(i)) => format!("int({i})"),
            Node::Number(Number::Float(f)) => format!("Node::Number(Number::Float({f:?}))"),
            Node::Number(Number::BigInt(b)) => {
                format!("Node::Number(Number::BigInt(s({b:?})))")
            }
            Node::String(text) => format!("str_node({text:?})"),
            Node::Array(items) => {
                let items: Vec<String> = items.iter().map(node).collect();
                format!("Node::Array(Vec::from([{}]))", items.join(", "))
            }
            Node::Object(map) => {
                let entries: Vec<String> = map
                    .iter()
                    .map(|(k, v)| format!("({k:?}, {})", node(v)))
                    .collect();
                format!("obj([{}])", entries.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parser, resolve, source::FileId};
    use super::*;

    /// What the text gives through the real parser and resolver.
    fn parsed() -> Fragment {
        let mut diags = Vec::new();
        let ast = parser::parse(FileId(0), TEXT, &mut diags);
        let mut scope = resolve::Scope::new();
        scope.add_file(&ast);
        let resolved = resolve::resolve(&ast, &scope, &mut diags);
        assert!(diags.is_empty(), "the prelude text has errors: {diags:?}");
        assert!(resolved.elisions.is_empty(), "the prelude elides no member");
        resolved.fragment
    }

    #[test]
    fn built_prelude_is_what_the_text_gives() {
        let text = parsed();
        let built = fragment();
        // Shape by shape first, so a failure names the shape.
        assert_eq!(
            built.shapes.iter().map(|s| &s.id).collect::<Vec<_>>(),
            text.shapes.iter().map(|s| &s.id).collect::<Vec<_>>()
        );
        for (b, t) in built.shapes.iter().zip(&text.shapes) {
            assert_eq!(b, t, "prelude shape {} differs from the text", t.id);
        }
        assert_eq!(built, text);
    }

    #[test]
    fn built_prelude_is_current() {
        let code = emit::emit(&parsed()).expect("emit the prelude");
        let file = syn::parse_file(&code).expect("emitted code parses");
        let code = prettyplease::unparse(&file);
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/smithy/prelude/built.rs");
        let bless = std::env::var_os("WELD_BLESS").is_some_and(|v| v != "0");
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        if bless {
            if on_disk != code {
                std::fs::write(&path, &code).expect("write prelude/built.rs");
            }
        } else {
            assert!(
                on_disk == code,
                "{} is stale: the prelude text changed; run `WELD_BLESS=1 cargo test -p weld-codegen --lib prelude` and review the diff",
                path.display()
            );
        }
    }

    #[test]
    fn emitter_refuses_what_it_cannot_write() {
        let mut f = parsed();
        let op = crate::model::ShapeKind::Operation(Default::default());
        f.shapes[0].kind = op;
        let err = emit::emit(&f).unwrap_err();
        assert!(err.contains("operation shapes are not supported"), "{err}");
        let mut f = parsed();
        f.shapes[0].span.file = FileId(3);
        let err = emit::emit(&f).unwrap_err();
        assert!(err.contains("file 3"), "{err}");
    }
}
