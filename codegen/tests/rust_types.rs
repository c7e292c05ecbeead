//! The type mapping of the Rust generator, one assertion per row of the
//! table in the issue: Smithy shape -> Rust type, optionality, serde
//! attributes, derives and names, read off the generator's view.

use weld_codegen::rust::view::{self, CrateView, FieldView, ItemView, StructView, ViewOptions};

const MODEL_TRAITS: &str = include_str!("../../interfaces/core/wasmcloud-model.smithy");

fn view_of(src: &str, ns: &str) -> CrateView {
    let res = weld_codegen::smithy::load_sources(vec![
        ("wasmcloud-model.smithy".into(), MODEL_TRAITS.into()),
        ("t.smithy".into(), src.into()),
    ]);
    assert!(
        !res.has_errors(),
        "{}",
        weld_codegen::smithy::render::render_human(&res.sources, &res.diagnostics, false)
    );
    view::build(&res.model, ns, &ViewOptions::default()).unwrap()
}

fn structure<'a>(v: &'a CrateView, name: &str) -> &'a StructView {
    v.items
        .iter()
        .find_map(|i| match i {
            ItemView::Struct(s) if s.name == name => Some(s),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no struct {name}"))
}

fn field<'a>(s: &'a StructView, name: &str) -> &'a FieldView {
    s.fields
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no field {name} in {}", s.name))
}

const V1: &str = r#"
namespace t.v1

use org.wasmcloud.model#U8
use org.wasmcloud.model#U16
use org.wasmcloud.model#U32
use org.wasmcloud.model#U64
use org.wasmcloud.model#unsignedInt
use org.wasmcloud.model#rename
use org.wasmcloud.model#serialization

/// Doc of S.
structure S {
    @required blob: Blob,
    @required boolean: Boolean,
    @required string: String,
    @required byte: Byte,
    @required short: Short,
    @required integer: Integer,
    @required long: Long,
    @required u8: U8,
    @required u16: U16,
    @required u32: U32,
    @required u64: U64,
    @required uns: Uns,
    @required float: Float,
    @required double: Double,
    @required timestamp: Timestamp,
    @required document: Document,
    @required list: L,
    @required set: St,
    @required unique: Uq,
    @required map: M,
    optString: String,
    optBool: Boolean,
    optInt: Integer,
    @box boxed: Integer,
    /// Member docs.
    @deprecated(message: "gone")
    @rename([{ lang: "Rust", name: "renamed" }])
    @serialization(name: "wire_name")
    original: String,
    type: String,
}

@unsignedInt
integer Uns

list L { member: String }
set St { member: String }
@uniqueItems
list Uq { member: Integer }
map M { key: String, value: L }

structure Rec {
    @required v: Integer,
    next: Rec,
}

union U {
    a: String,
    b: Integer,
}

@enum([{ value: "x-y", name: "XY" }, { value: "z", name: "z" }])
string E
"#;

#[test]
fn v1_type_mapping_rows() {
    let v = view_of(V1, "t.v1");
    let s = structure(&v, "S");
    let ty = |n: &str| field(s, n).ty.as_str();
    assert_eq!(ty("blob"), "Vec<u8>");
    assert!(
        field(s, "blob")
            .serde_attrs
            .iter()
            .any(|a| a == "#[serde(with = \"weld_rpc::serde_blob\")]"),
        "blob is msgpack bin out, lenient in"
    );
    assert_eq!(ty("boolean"), "bool");
    assert_eq!(ty("string"), "String");
    assert_eq!(ty("byte"), "i8");
    assert_eq!(ty("short"), "i16");
    assert_eq!(ty("integer"), "i32");
    assert_eq!(ty("long"), "i64");
    assert_eq!(ty("u8"), "u8");
    assert_eq!(ty("u16"), "u16");
    assert_eq!(ty("u32"), "u32");
    assert_eq!(ty("u64"), "u64");
    assert_eq!(ty("uns"), "u32", "@unsignedInt");
    assert_eq!(ty("float"), "f32");
    assert_eq!(ty("double"), "f64");
    assert_eq!(ty("timestamp"), "weld_rpc::Timestamp");
    assert_eq!(ty("document"), "weld_rpc::Document");
    assert_eq!(ty("list"), "L");
    assert_eq!(ty("set"), "St");
    assert_eq!(ty("unique"), "Uq");
    assert_eq!(ty("map"), "M");
    let alias = |n: &str| {
        v.items
            .iter()
            .find_map(|i| match i {
                ItemView::Alias(a) if a.name == n => Some(a.clone()),
                _ => None,
            })
            .unwrap()
    };
    assert_eq!(alias("L").ty, "Vec<String>");
    assert_eq!(alias("St").ty, "Vec<String>");
    assert!(
        alias("St").is_set && alias("Uq").is_set,
        "sets are documented as Vec"
    );
    assert_eq!(alias("M").ty, "std::collections::HashMap<String, L>");
    // Optionality: optional unless required; 1.0 prelude numbers/booleans
    // stay plain with a serde default; @box makes an Option.
    assert_eq!(ty("opt_string"), "Option<String>");
    assert_eq!(ty("opt_bool"), "bool");
    assert!(field(s, "opt_bool")
        .serde_attrs
        .contains(&"#[serde(default)]".to_string()));
    assert_eq!(ty("opt_int"), "i32");
    assert_eq!(ty("boxed"), "Option<i32>");
    // Required members stay plain; in MessagePack a missing one of a
    // prelude simple type defaults (as upstream), others are errors.
    assert_eq!(field(s, "string").serde_attrs, ["#[serde(default)]"]);
    assert!(field(s, "list").serde_attrs.is_empty());
    // Names: rename for Rust, wire name from @serialization, keywords.
    let r = field(s, "renamed");
    assert_eq!(r.wire_name, "wire_name");
    assert!(r
        .serde_attrs
        .contains(&"#[serde(rename = \"wire_name\")]".to_string()));
    assert_eq!(
        r.common.deprecated.as_deref(),
        Some("#[deprecated(note = \"gone\")]")
    );
    assert_eq!(r.common.docs, ["Member docs."]);
    assert_eq!(field(s, "r#type").wire_name, "type");
    assert_eq!(field(s, "opt_string").wire_name, "optString");
    assert_eq!(s.common.docs, ["Doc of S."]);
    // Floats and documents rule out Eq; everything here has a Default.
    assert_eq!(
        s.derives,
        "Clone, Debug, PartialEq, Default, serde::Serialize, serde::Deserialize"
    );
    // Recursive shapes are boxed.
    assert_eq!(field(structure(&v, "Rec"), "next").ty, "Option<Box<Rec>>");
    assert!(structure(&v, "Rec").derives.contains("Eq"));
    // Union -> enum with payloads; @enum -> enum with an Unknown fallback.
    let u = v
        .items
        .iter()
        .find_map(|i| match i {
            ItemView::Union(u) => Some(u),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        u.variants
            .iter()
            .map(|x| x.ty.clone().unwrap())
            .collect::<Vec<_>>(),
        ["String", "i32"]
    );
    let e = v
        .items
        .iter()
        .find_map(|i| match i {
            ItemView::Enum(e) => Some(e),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        e.values
            .iter()
            .map(|x| (x.name.as_str(), x.value.as_str()))
            .collect::<Vec<_>>(),
        [("Xy", "x-y"), ("Z", "z")]
    );
    assert_eq!(e.unknown, "Unknown");
}

const V2: &str = r#"$version: "2"
namespace t.v2

structure D {
    count: Integer = 3
    flag: Boolean = false
    size: Size = "big"
    level: Level = 2
    plain: Integer
    @required
    req: Integer
}

enum Size {
    SMALL = "small"
    BIG = "big"
    UNKNOWN = "unknown"
}

intEnum Level {
    ONE = 1
    TWO = 2
}
"#;

#[test]
fn v2_defaults_enums_and_int_enums() {
    let v = view_of(V2, "t.v2");
    let d = structure(&v, "D");
    let count = field(d, "count");
    assert_eq!(count.ty, "i32", "a member with a default is plain");
    assert_eq!(count.default_expr.as_deref(), Some("3_i32"));
    assert!(count
        .serde_attrs
        .contains(&"#[serde(default = \"D::default_count\")]".to_string()));
    // A zero default is the type's own Default.
    let flag = field(d, "flag");
    assert_eq!(flag.ty, "bool");
    assert!(flag.default_fn.is_none());
    assert!(flag.serde_attrs.contains(&"#[serde(default)]".to_string()));
    assert_eq!(
        field(d, "size").default_expr.as_deref(),
        Some("Size::from(\"big\")")
    );
    assert_eq!(
        field(d, "level").default_expr.as_deref(),
        Some("Level::from(2_i32)")
    );
    // In 2.0 a member without default or @required is optional.
    assert_eq!(field(d, "plain").ty, "Option<i32>");
    assert_eq!(field(d, "req").ty, "i32");
    assert!(d.manual_default, "Default uses the model's defaults");
    let size = v
        .items
        .iter()
        .find_map(|i| match i {
            ItemView::Enum(e) => Some(e),
            _ => None,
        })
        .unwrap();
    // A declared UNKNOWN value pushes the fallback variant's name aside.
    assert_eq!(size.unknown, "Unknown_");
    let level = v
        .items
        .iter()
        .find_map(|i| match i {
            ItemView::IntEnum(e) => Some(e),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        level
            .values
            .iter()
            .map(|x| x.literal.as_str())
            .collect::<Vec<_>>(),
        ["1", "2"]
    );
}

#[test]
fn items_never_shadow_names_generated_code_uses() {
    let v = view_of(
        "namespace t.shadow\n\nstructure String {\n    @required\n    text: smithy.api#String\n    opt: Option\n}\n\nstructure Option {}\n",
        "t.shadow",
    );
    let s = structure(&v, "String_");
    assert_eq!(field(s, "text").ty, "String");
    assert_eq!(field(s, "opt").ty, "Option<Option_>");
}

fn has_serde_default(f: &FieldView) -> bool {
    f.serde_attrs.iter().any(|a| a == "#[serde(default)]")
}

/// Upstream's generator lets a required member be missing from a
/// MessagePack map exactly when its target is a prelude simple type (not
/// `Document`) or an `org.wasmcloud.model` number; CBOR stays strict.
#[test]
fn required_simple_members_default_like_upstream() {
    let v = view_of(V1, "t.v1");
    let s = structure(&v, "S");
    for name in [
        "blob",
        "boolean",
        "string",
        "byte",
        "short",
        "integer",
        "long",
        "u8",
        "u16",
        "u32",
        "u64",
        "float",
        "double",
        "timestamp",
    ] {
        let f = field(s, name);
        assert!(has_serde_default(f), "{name}: {:?}", f.serde_attrs);
        assert!(f.required, "{name} stays required in CBOR");
    }
    // A user shape (even one that is a number or a collection) and the
    // prelude Document stay required, as upstream has them.
    for name in ["uns", "document", "list", "set", "unique", "map"] {
        let f = field(s, name);
        assert!(
            !f.serde_attrs.iter().any(|a| a.contains("default")),
            "{name}: {:?}",
            f.serde_attrs
        );
    }
    // Optional members keep their one combined attribute, nothing more.
    assert_eq!(
        field(s, "opt_string").serde_attrs,
        [
            "#[serde(rename = \"optString\")]",
            "#[serde(default, skip_serializing_if = \"Option::is_none\")]"
        ]
    );
    let rec = structure(&v, "Rec");
    assert!(has_serde_default(field(rec, "v")));
}
