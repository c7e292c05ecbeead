//! Lexer, parser, resolver and assembler tests for the Smithy IDL front end.

use weld_codegen::model::{Node, Number, ShapeId, ShapeKind};
use weld_codegen::smithy::source::FileId;
use weld_codegen::smithy::{lexer, load_sources, LoadResult};

fn load(files: &[(&str, &str)]) -> LoadResult {
    load_sources(
        files
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect(),
    )
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
    // Only this front end's stages (lexer, parser, resolver, assembler:
    // codes below E0200); the validator has its own tests.
    let ours: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && d.code < "E0200")
        .collect();
    assert!(ours.is_empty(), "{ours:#?}");
    assert!(r.model.user_shapes().count() > 50);
}

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

fn load1(text: &str) -> LoadResult {
    load(&[("t.smithy", text)])
}

/// Diagnostics of this front end (lexer..assembler), as (code, line, col).
fn front(r: &LoadResult) -> Vec<(&'static str, usize, usize)> {
    r.diagnostics
        .iter()
        .filter(|d| d.code < "E0200" || d.code.starts_with("W01"))
        .map(|d| match d.span {
            Some(sp) => {
                let l = r.sources.location(sp);
                (d.code, l.line, l.col)
            }
            None => (d.code, 0, 0),
        })
        .collect()
}

fn assert_clean(r: &LoadResult) {
    let f = front(r);
    assert!(
        f.is_empty(),
        "unexpected diagnostics: {f:?}\n{:#?}",
        r.diagnostics
    );
}

fn shape<'a>(r: &'a LoadResult, s: &str) -> &'a weld_codegen::model::Shape {
    r.model
        .shape(&id(s))
        .unwrap_or_else(|| panic!("no shape {s}"))
}

fn str_node(s: &str) -> Node {
    Node::String(s.to_string())
}

fn obj(pairs: &[(&str, Node)]) -> Node {
    Node::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn tokens(text: &str) -> (Vec<lexer::Token>, Vec<&'static str>) {
    let mut d = Vec::new();
    let t = lexer::tokenize(FileId(0), text, &mut d);
    (t, d.iter().map(|d| d.code).collect())
}

fn lex_codes(text: &str) -> Vec<&'static str> {
    tokens(text).1
}

/// Decodes the first string/text-block token of `text`.
fn decoded(text: &str) -> String {
    let (toks, codes) = tokens(text);
    assert!(codes.is_empty(), "{codes:?}");
    let t = toks[0];
    let raw = &text[t.range()];
    match t.kind {
        lexer::Tok::String => lexer::decode_string(&raw[1..raw.len() - 1]).into_owned(),
        lexer::Tok::TextBlock => lexer::decode_text_block(raw),
        k => panic!("not a string: {k:?}"),
    }
}

// ---------------------------------------------------------------------------
// lexer
// ---------------------------------------------------------------------------

#[test]
fn string_escapes_decode() {
    assert_eq!(decoded(r#""plain""#), "plain");
    assert_eq!(
        decoded(r#""q\" b\\ s\/ \b\f\n\r\t end""#),
        "q\" b\\ s/ \u{8}\u{c}\n\r\t end"
    );
    // `\'` is not an escape of the grammar.
    assert_eq!(lex_codes(r#""it\'s""#), vec!["E0003"]);
    assert_eq!(decoded(r#""\u00e9\u4E2D""#), "é中");
    // A surrogate pair becomes one code point.
    assert_eq!(decoded(r#""\uD83D\uDE00!""#), "😀!");
    // Escaped newlines disappear; raw CRLF / CR become LF.
    assert_eq!(decoded("\"a\\\nb\""), "ab");
    assert_eq!(decoded("\"a\\\r\nb\""), "ab");
    assert_eq!(decoded("\"a\r\nb\rc\""), "a\nb\nc");
    // Literal newlines are allowed in quoted strings.
    assert_eq!(decoded("\"a\nb\""), "a\nb");
}

#[test]
fn string_errors() {
    assert_eq!(lex_codes(r#""bad \q escape""#), vec!["E0003"]);
    assert_eq!(lex_codes(r#""\u12""#), vec!["E0004"]);
    assert_eq!(lex_codes(r#""\uZZZZ""#), vec!["E0004"]);
    assert_eq!(lex_codes(r#""\uD800 x""#), vec!["E0005"]);
    assert_eq!(lex_codes(r#""\uDC00""#), vec!["E0005"]);
    assert_eq!(lex_codes(r#""\uD800\u0041""#), vec!["E0005"]);
    assert_eq!(lex_codes("\"never closed"), vec!["E0002"]);
    assert_eq!(lex_codes("\"ends in backslash\\"), vec!["E0002"]);
}

#[test]
fn text_blocks_follow_the_spec() {
    // Closing delimiter on its own line: trailing newline, indent removed.
    assert_eq!(
        decoded("\"\"\"\n    <div>\n        <p>Hello!</p>\n    </div>\n    \"\"\""),
        "<div>\n    <p>Hello!</p>\n</div>\n"
    );
    // Closing delimiter on the last content line: no trailing newline.
    assert_eq!(
        decoded("\"\"\"\n    <div>\n        <p>Hello!</p>\n    </div>\"\"\""),
        "<div>\n    <p>Hello!</p>\n</div>"
    );
    // Blank and whitespace-only lines do not count; the closing line does.
    assert_eq!(
        decoded("\"\"\"\n    Foo\n        Baz\n\n  \n    Bar\n    \"\"\""),
        "Foo\n    Baz\n\n\nBar\n"
    );
    // Closing delimiter at the margin keeps all indentation.
    assert_eq!(
        decoded("\"\"\"\n    Foo\n        Baz\n    Bar\n\"\"\""),
        "    Foo\n        Baz\n    Bar\n"
    );
    // Closing delimiter right of the content has no effect on the prefix.
    assert_eq!(
        decoded("\"\"\"\n    Foo\n        Baz\n    Bar\n            \"\"\""),
        "Foo\n    Baz\nBar\n"
    );
    // Quotes inside, and an escaped triple quote.
    assert_eq!(decoded("\"\"\"\n\"hello!\"\n\"\"\""), "\"hello!\"\n");
    assert_eq!(
        decoded("\"\"\"\nfoo \\\"\"\"\nbaz\"\"\""),
        "foo \"\"\"\nbaz"
    );
    // Escapes are expanded after indentation removal.
    assert_eq!(
        decoded("\"\"\"\n  <div>\n    <p>Hi\\n    bar</p>\n  </div>\n  \"\"\""),
        "<div>\n  <p>Hi\n    bar</p>\n</div>\n"
    );
    // Line continuation.
    assert_eq!(
        decoded("\"\"\"\n    Foo \\\n    Baz \\\n    Bam\"\"\""),
        "Foo Baz Bam"
    );
    assert_eq!(
        decoded("\"\"\"\n    Foo\n    Baz \\\n    Bam\"\"\""),
        "Foo\nBaz Bam"
    );
    // Trailing spaces are removed; CRLF is normalised; spaces may follow the opener.
    assert_eq!(decoded("\"\"\"   \r\n  a   \r\n  b\"\"\""), "a\nb");
}

#[test]
fn text_block_errors() {
    assert_eq!(lex_codes("\"\"\"foo\"\"\""), vec!["E0006"]);
    assert_eq!(lex_codes("\"\"\" \"\"\""), vec!["E0006"]);
    assert_eq!(lex_codes("\"\"\"\n\"  "), vec!["E0007"]);
}

#[test]
fn numbers() {
    let n = |s: &str| {
        let (t, c) = tokens(s);
        assert!(c.is_empty(), "{s}: {c:?}");
        assert_eq!(t[0].kind, lexer::Tok::Number);
        assert_eq!(t[0].range(), 0..s.len());
        lexer::parse_number(s)
    };
    assert_eq!(n("0"), Number::Int(0));
    assert_eq!(n("-17"), Number::Int(-17));
    assert_eq!(n("1.5"), Number::Float(1.5));
    assert_eq!(n("1e+2"), Number::Float(100.0));
    assert_eq!(n("1.0e-10"), Number::Float(1.0e-10));
    assert_eq!(n("-0.5E3"), Number::Float(-500.0));
    assert_eq!(n("9223372036854775807"), Number::Int(i64::MAX));
    assert_eq!(n("-9223372036854775808"), Number::Int(i64::MIN));
    assert_eq!(
        n("9223372036854775808"),
        Number::BigInt("9223372036854775808".into())
    );
    assert_eq!(
        n("-123456789012345678901234567890"),
        Number::BigInt("-123456789012345678901234567890".into())
    );
    for bad in ["01", "1.", "1e", "1e+", "-", "12abc", "1.2.3", "-x"] {
        assert!(lex_codes(bad).contains(&"E0008"), "{bad} accepted");
    }
}

#[test]
fn comments_and_tokens() {
    use lexer::Tok::*;
    let text = "// line\n/// doc\n//// not doc\nfoo.bar#Baz$qux { } [ ] ( ) : := = @ $x, \"s\"";
    let (toks, codes) = tokens(text);
    assert!(codes.is_empty());
    let kinds: Vec<_> = toks.iter().map(|t| t.kind).collect();
    assert_eq!(
        kinds,
        vec![
            DocComment, Word, LBrace, RBrace, LBracket, RBracket, LParen, RParen, Colon, Walrus,
            Eq, At, Dollar, Word, String, Eof
        ]
    );
    assert_eq!(&text[toks[1].range()], "foo.bar#Baz$qux");
    assert_eq!(&text[toks[0].range()], "/// doc");
    // A byte order mark at the start is skipped; anywhere else it is an error.
    assert_eq!(lex_codes("\u{feff}namespace ex"), Vec::<&str>::new());
    assert_eq!(lex_codes("namespace \u{feff}ex"), vec!["E0001"]);
    assert_eq!(lex_codes("a / b"), vec!["E0001"]);
    // A run of garbage is one diagnostic.
    assert_eq!(lex_codes("a §§§ b ~ c"), vec!["E0001", "E0001"]);
}

// ---------------------------------------------------------------------------
// parsing every construct
// ---------------------------------------------------------------------------

const V1_MODEL: &str = r#"$version: "1.0"

metadata suppressions = [{ id: "X", namespace: "*" }]
metadata "quoted key" = { a: [1, 2.5, true, false, null], b: String }

namespace example.v1

use other.ns#Imported

/// A service.
@title("Weather")
service Weather {
    version: "2006-03-01",
    operations: [GetCity],
    resources: [City],
    errors: [Oops],
}

resource City {
    identifiers: { cityId: CityId },
    read: GetCity,
    list: ListCities,
    operations: [Other],
    collectionOperations: [Other],
}

@readonly
operation GetCity {
    input: GetCityInput,
    output: GetCityOutput,
    errors: [Oops]
}

operation ListCities {}
operation Other { input: Imported }

structure GetCityInput {
    @required
    cityId: CityId,
}

structure GetCityOutput {
    @box
    count: Integer,
    tags: TagSet,
    map: StrMap,
    choice: Choice,
}

@error("client")
structure Oops { message: String }

@pattern("^[A-Za-z0-9 ]+$")
string CityId

@enum([{value: "a", name: "A"}, {value: "b", name: "B"}])
string Letter

set TagSet { member: String }
list Names { @length(min: 1) member: String }
map StrMap { key: String, value: Imported }
union Choice { a: String, b: Integer }

blob B
boolean Bo
byte By
short Sh
integer In
long Lo
float Fl
double Do
bigInteger BI
bigDecimal BD
timestamp Ts
document Doc

apply Oops @documentation("applied")
apply GetCityInput$cityId @documentation("member doc")
"#;

#[test]
fn idl_1_0_every_construct() {
    let r = load1(V1_MODEL);
    assert_clean(&r);
    assert_eq!(
        r.model.namespace_versions.get("example.v1"),
        Some(&weld_codegen::model::IdlVersion::V1)
    );
    let meta = &r.model.metadata;
    assert_eq!(
        meta["suppressions"],
        Node::Array(vec![obj(&[
            ("id", str_node("X")),
            ("namespace", str_node("*"))
        ])])
    );
    assert_eq!(
        meta["quoted key"],
        obj(&[
            (
                "a",
                Node::Array(vec![
                    Node::Number(Number::Int(1)),
                    Node::Number(Number::Float(2.5)),
                    Node::Bool(true),
                    Node::Bool(false),
                    Node::Null
                ])
            ),
            // Unquoted strings are shape ids, resolved like any reference.
            ("b", str_node("smithy.api#String")),
        ])
    );
    let svc = shape(&r, "example.v1#Weather");
    assert_eq!(svc.documentation(), Some("A service."));
    assert_eq!(
        svc.trait_value(&id("smithy.api#title")),
        Some(&str_node("Weather"))
    );
    let ShapeKind::Service(s) = &svc.kind else {
        panic!()
    };
    assert_eq!(s.version.as_deref(), Some("2006-03-01"));
    assert_eq!(s.operations[0].id, id("example.v1#GetCity"));
    assert_eq!(s.resources[0].id, id("example.v1#City"));
    assert_eq!(s.errors[0].id, id("example.v1#Oops"));
    let ShapeKind::Resource(res) = &shape(&r, "example.v1#City").kind else {
        panic!()
    };
    assert_eq!(res.identifiers["cityId"].id, id("example.v1#CityId"));
    assert_eq!(res.read.as_ref().unwrap().id, id("example.v1#GetCity"));
    assert_eq!(res.list.as_ref().unwrap().id, id("example.v1#ListCities"));
    assert_eq!(res.operations.len(), 1);
    assert_eq!(res.collection_operations.len(), 1);
    let op = shape(&r, "example.v1#GetCity");
    assert!(op.has_prelude_trait("readonly"));
    let ShapeKind::Operation(o) = &op.kind else {
        panic!()
    };
    assert_eq!(o.input.as_ref().unwrap().id, id("example.v1#GetCityInput"));
    assert_eq!(
        o.output.as_ref().unwrap().id,
        id("example.v1#GetCityOutput")
    );
    assert_eq!(o.errors.len(), 1);
    let ShapeKind::Operation(o) = &shape(&r, "example.v1#ListCities").kind else {
        panic!()
    };
    assert!(o.input.is_none() && o.output.is_none());
    let ShapeKind::Operation(o) = &shape(&r, "example.v1#Other").kind else {
        panic!()
    };
    assert_eq!(o.input.as_ref().unwrap().id, id("other.ns#Imported"));

    let input = shape(&r, "example.v1#GetCityInput");
    let m = input.member("cityId").unwrap();
    assert!(m.has_prelude_trait("required"));
    assert_eq!(
        m.trait_value(&id("smithy.api#documentation")),
        Some(&str_node("member doc"))
    );
    let out = shape(&r, "example.v1#GetCityOutput");
    let names: Vec<_> = out.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["count", "tags", "map", "choice"]);
    assert!(out.members[0].has_prelude_trait("box"));
    assert_eq!(
        shape(&r, "example.v1#Oops").documentation(),
        Some("applied")
    );
    assert_eq!(
        shape(&r, "example.v1#Oops").trait_value(&id("smithy.api#error")),
        Some(&str_node("client"))
    );
    assert!(shape(&r, "example.v1#Letter")
        .traits
        .contains_key(&id("smithy.api#enum")));
    assert!(matches!(
        shape(&r, "example.v1#TagSet").kind,
        ShapeKind::Set
    ));
    let names = shape(&r, "example.v1#Names");
    assert!(matches!(names.kind, ShapeKind::List));
    assert_eq!(
        names.members[0].trait_value(&id("smithy.api#length")),
        Some(&obj(&[("min", Node::Number(Number::Int(1)))]))
    );
    let map = shape(&r, "example.v1#StrMap");
    assert_eq!(map.member("key").unwrap().target, id("smithy.api#String"));
    assert_eq!(map.member("value").unwrap().target, id("other.ns#Imported"));
    assert!(matches!(
        shape(&r, "example.v1#Choice").kind,
        ShapeKind::Union
    ));
    for (name, kw) in [
        ("B", "blob"),
        ("Bo", "boolean"),
        ("By", "byte"),
        ("Sh", "short"),
        ("In", "integer"),
        ("Lo", "long"),
        ("Fl", "float"),
        ("Do", "double"),
        ("BI", "bigInteger"),
        ("BD", "bigDecimal"),
        ("Ts", "timestamp"),
        ("Doc", "document"),
    ] {
        assert_eq!(shape(&r, &format!("example.v1#{name}")).kind.keyword(), kw);
    }
    // Declaration order is kept.
    let order: Vec<_> = r
        .model
        .shapes_in("example.v1")
        .map(|s| s.id.name.as_str())
        .collect();
    assert_eq!(&order[..4], ["Weather", "City", "GetCity", "ListCities"]);
}

const V2_MODEL: &str = r#"$version: "2.0"
$operationInputSuffix: "Request"

namespace example.v2

/// Suits.
enum Suit {
    /// Diamonds.
    @deprecated
    DIAMOND = "diamond"
    CLUB
    HEART = "heart"
}

intEnum Level {
    LOW = 1
    HIGH = 10
}

@mixin
@documentation("mixin docs")
@tags(["mixed"])
structure Audited {
    createdAt: Timestamp
    @required
    updatedBy: String = "system"
}

@mixin
structure Named {
    name: String
}

structure Record with [Audited, Named] {
    id: String = ""
    /// Redeclared to add a trait.
    @length(max: 10)
    $name
}

resource Item {
    identifiers: { sku: String }
    properties: { price: Integer }
}

structure ItemData for Item {
    $sku
    $price
    count: Integer = 0
}

@readonly
operation GetItem {
    input := @sensitive {
        @required
        sku: String
    }
    output := with [Named] {
        price: Integer
    }
    errors: [NotFound]
}

@error("client")
structure NotFound {}

list Skus {
    @length(min: 1)
    member: String
}

map Prices {
    key: String
    value: Integer
}

apply Audited {
    @since("1.0")
    @internal
}

@trait
structure flags {
    a: Boolean
}

@flags(a: true)
@tags([])
@since()
string Flagged

string WithMixin with [Plain]

@mixin
string Plain
"#;

#[test]
fn idl_2_0_every_construct() {
    let r = load1(V2_MODEL);
    assert_clean(&r);
    let suit = shape(&r, "example.v2#Suit");
    assert!(matches!(suit.kind, ShapeKind::Enum));
    assert_eq!(suit.documentation(), Some("Suits."));
    let ev = |m: &weld_codegen::model::Member| m.trait_value(&id("smithy.api#enumValue")).cloned();
    assert_eq!(suit.members.len(), 3);
    assert!(suit
        .members
        .iter()
        .all(|m| m.target == id("smithy.api#Unit")));
    assert_eq!(ev(&suit.members[0]), Some(str_node("diamond")));
    assert_eq!(ev(&suit.members[1]), Some(str_node("CLUB")));
    assert!(suit.members[0].has_prelude_trait("deprecated"));
    assert_eq!(
        suit.members[0].trait_value(&id("smithy.api#documentation")),
        Some(&str_node("Diamonds."))
    );
    let level = shape(&r, "example.v2#Level");
    assert!(matches!(level.kind, ShapeKind::IntEnum));
    assert_eq!(ev(&level.members[1]), Some(Node::Number(Number::Int(10))));

    // Mixins: mixin members first, in mixin order, then local members; a
    // redeclared member keeps its place and gains the local traits.
    let rec = shape(&r, "example.v2#Record");
    let names: Vec<_> = rec.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["createdAt", "updatedBy", "name", "id"]);
    let name = rec.member("name").unwrap();
    assert_eq!(name.target, id("smithy.api#String"));
    assert!(name.traits.contains_key(&id("smithy.api#length")));
    assert_eq!(
        name.trait_value(&id("smithy.api#documentation")),
        Some(&str_node("Redeclared to add a trait."))
    );
    let upd = rec.member("updatedBy").unwrap();
    assert!(upd.has_prelude_trait("required"));
    assert_eq!(
        upd.trait_value(&id("smithy.api#default")),
        Some(&str_node("system"))
    );
    assert_eq!(
        rec.member("id")
            .unwrap()
            .trait_value(&id("smithy.api#default")),
        Some(&str_node(""))
    );
    // Traits of the mixin are inherited (apply-ed ones too), except @mixin.
    assert!(!rec.has_prelude_trait("mixin"));
    assert_eq!(rec.documentation(), Some("mixin docs"));
    assert!(rec.has_prelude_trait("tags"));
    assert!(rec.has_prelude_trait("since"));
    assert!(rec.has_prelude_trait("internal"));
    assert_eq!(rec.mixins.len(), 2);
    // The mixin itself keeps its @mixin trait.
    assert!(shape(&r, "example.v2#Audited").has_prelude_trait("mixin"));

    // `for` resource elision.
    let data = shape(&r, "example.v2#ItemData");
    assert_eq!(data.member("sku").unwrap().target, id("smithy.api#String"));
    assert_eq!(
        data.member("price").unwrap().target,
        id("smithy.api#Integer")
    );
    assert_eq!(
        data.member("count")
            .unwrap()
            .trait_value(&id("smithy.api#default")),
        Some(&Node::Number(Number::Int(0)))
    );

    // Inline input/output with the control-statement suffix.
    let ShapeKind::Operation(op) = &shape(&r, "example.v2#GetItem").kind else {
        panic!()
    };
    assert_eq!(
        op.input.as_ref().unwrap().id,
        id("example.v2#GetItemRequest")
    );
    assert_eq!(
        op.output.as_ref().unwrap().id,
        id("example.v2#GetItemOutput")
    );
    assert_eq!(op.errors[0].id, id("example.v2#NotFound"));
    let input = shape(&r, "example.v2#GetItemRequest");
    assert!(input.has_prelude_trait("input") && input.has_prelude_trait("sensitive"));
    assert!(input.member("sku").unwrap().has_prelude_trait("required"));
    let output = shape(&r, "example.v2#GetItemOutput");
    assert!(output.has_prelude_trait("output"));
    let names: Vec<_> = output.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["name", "price"]);
    // Inline structures follow their operation in declaration order.
    let order: Vec<_> = r
        .model
        .shapes_in("example.v2")
        .map(|s| s.id.name.as_str())
        .collect();
    let pos = order.iter().position(|n| *n == "GetItem").unwrap();
    assert_eq!(
        &order[pos..pos + 3],
        ["GetItem", "GetItemRequest", "GetItemOutput"]
    );

    // Trait value forms.
    let f = shape(&r, "example.v2#Flagged");
    assert_eq!(
        f.trait_value(&id("example.v2#flags")),
        Some(&obj(&[("a", Node::Bool(true))]))
    );
    assert_eq!(
        f.trait_value(&id("smithy.api#tags")),
        Some(&Node::Array(vec![]))
    );
    assert_eq!(f.trait_value(&id("smithy.api#since")), Some(&obj(&[])));
    assert_eq!(shape(&r, "example.v2#WithMixin").kind.keyword(), "string");
}

#[test]
fn explicit_unit_input_output_is_kept() {
    let r = load1(
        "$version: \"2\"\nnamespace ex\noperation Ping { input: Unit, output: smithy.api#Unit }\noperation Pong {}\n",
    );
    assert_clean(&r);
    let ShapeKind::Operation(o) = &shape(&r, "ex#Ping").kind else {
        panic!()
    };
    assert_eq!(o.input.as_ref().unwrap().id, id("smithy.api#Unit"));
    assert_eq!(o.output.as_ref().unwrap().id, id("smithy.api#Unit"));
    // In IDL 2.0 an operation without input/output has Unit for them (as
    // in Smithy's model); in 1.0 they stay absent.
    let ShapeKind::Operation(o) = &shape(&r, "ex#Pong").kind else {
        panic!()
    };
    assert_eq!(o.input.as_ref().unwrap().id, id("smithy.api#Unit"));
    assert_eq!(o.output.as_ref().unwrap().id, id("smithy.api#Unit"));
    let r = load1("$version: \"1\"\nnamespace ex\noperation Pong {}\n");
    let ShapeKind::Operation(o) = &shape(&r, "ex#Pong").kind else {
        panic!()
    };
    assert!(o.input.is_none() && o.output.is_none());
}

#[test]
fn trait_bodies_and_node_values() {
    let r = load1(
        r#"$version: "2"
namespace ex
@trait structure t { a: Document }
@t
string A
@t()
string B
@t(a: { nested: [1, -2, 3.5e1], "quoted key": """
    text
    block
    """ }, b: Target, c: ex#Target, d: smithy.api#String$x, e: Undefined)
string C
@documentation("x")
string D
string Target
"#,
    );
    let empty = obj(&[]);
    assert_eq!(shape(&r, "ex#A").trait_value(&id("ex#t")), Some(&empty));
    assert_eq!(shape(&r, "ex#B").trait_value(&id("ex#t")), Some(&empty));
    let c = shape(&r, "ex#C").trait_value(&id("ex#t")).unwrap();
    assert_eq!(
        c.get("a"),
        Some(&obj(&[
            (
                "nested",
                Node::Array(vec![
                    Node::Number(Number::Int(1)),
                    Node::Number(Number::Int(-2)),
                    Node::Number(Number::Float(35.0))
                ])
            ),
            ("quoted key", str_node("text\nblock\n")),
        ]))
    );
    assert_eq!(c.get("b"), Some(&str_node("ex#Target")));
    assert_eq!(c.get("c"), Some(&str_node("ex#Target")));
    assert_eq!(c.get("d"), Some(&str_node("smithy.api#String$x")));
    // Unresolvable syntactic shape ids get the current namespace.
    assert_eq!(c.get("e"), Some(&str_node("ex#Undefined")));
    assert_eq!(shape(&r, "ex#D").documentation(), Some("x"));
}

#[test]
fn doc_comments() {
    let r = load1(
        "namespace ex\n\n/// First line.\n///\n///   Indented.\n@deprecated\nstring A\n\n// plain comment\nstring B\n\nstructure S {\n    /// Member docs.\n    m: String\n}\n",
    );
    assert_clean(&r);
    assert_eq!(
        shape(&r, "ex#A").documentation(),
        Some("First line.\n\n  Indented.")
    );
    assert!(shape(&r, "ex#A").has_prelude_trait("deprecated"));
    assert_eq!(shape(&r, "ex#B").documentation(), None);
    assert_eq!(
        shape(&r, "ex#S").members[0].trait_value(&id("smithy.api#documentation")),
        Some(&str_node("Member docs."))
    );
    // Looking ahead after a shape or member (for `with`, `for`, `=`) must
    // not swallow the next statement's docs.
    let r = load1(
        "$version: \"2\"\nnamespace ex\nstring Before\n/// After.\nstring After\nstructure S {\n    a: String\n    /// B docs.\n    @required\n    b: String\n}\n/// E docs.\nenum E {\n    /// First.\n    FIRST\n    SECOND\n}\n",
    );
    assert_clean(&r);
    assert_eq!(shape(&r, "ex#Before").documentation(), None);
    assert_eq!(shape(&r, "ex#After").documentation(), Some("After."));
    let b = shape(&r, "ex#S").member("b").unwrap();
    assert_eq!(
        b.trait_value(&id("smithy.api#documentation")),
        Some(&str_node("B docs."))
    );
    let e = shape(&r, "ex#E");
    assert_eq!(e.documentation(), Some("E docs."));
    assert_eq!(
        e.members[0].trait_value(&id("smithy.api#documentation")),
        Some(&str_node("First."))
    );
    assert!(!e.members[1]
        .traits
        .contains_key(&id("smithy.api#documentation")));
    // Doc comment and @documentation: the trait wins, with a warning.
    let r = load1("namespace ex\n/// comment\n@documentation(\"trait\")\nstring A\n");
    assert_eq!(shape(&r, "ex#A").documentation(), Some("trait"));
    assert_eq!(front(&r), vec![("W0120", 3, 1)]);
}

// ---------------------------------------------------------------------------
// version gating
// ---------------------------------------------------------------------------

#[test]
fn v1_rejects_v2_syntax_at_the_token() {
    let cases: &[(&str, usize, usize)] = &[
        ("namespace ex\nenum E { A }\n", 2, 1),
        ("namespace ex\nintEnum E { A = 1 }\n", 2, 1),
        (
            "namespace ex\n@mixin structure M {}\nstructure S with [M] {}\n",
            3,
            13,
        ),
        ("namespace ex\nstructure S { a: String = \"x\" }\n", 2, 25),
        (
            "namespace ex\n@mixin structure M { a: String }\nstructure S { $a }\n",
            3,
            15,
        ),
        ("namespace ex\nresource R {}\nstructure S for R {}\n", 3, 13),
        ("namespace ex\noperation O {\n    input := {}\n}\n", 3, 11),
    ];
    for (text, line, col) in cases {
        let r = load1(&format!("$version: \"1.0\"\n{text}"));
        let f = front(&r);
        assert!(
            f.contains(&("E0051", line + 1, *col)),
            "{text}: expected E0051 at {}:{col}, got {f:?}",
            line + 1
        );
    }
    // Without $version the file is IDL 1.0 too.
    let f = front(&load1("namespace ex\nenum E { A }\n"));
    assert_eq!(f.first(), Some(&("E0051", 2, 1)));
}

#[test]
fn v2_rejects_set() {
    let r = load1("$version: \"2\"\nnamespace ex\nset S { member: String }\n");
    assert_eq!(front(&r), vec![("E0052", 3, 1)]);
    // The same text is fine in 1.0.
    assert_clean(&load1(
        "$version: \"1\"\nnamespace ex\nset S { member: String }\n",
    ));
}

#[test]
fn version_statement_errors() {
    // Reported just after the value, where Smithy reports it.
    let f = front(&load1("$version: \"3.0\"\nnamespace ex\n"));
    assert_eq!(f, vec![("E0053", 1, 16)]);
    let f = front(&load1("$version: 2\nnamespace ex\n"));
    assert_eq!(f, vec![("E0053", 1, 11)]);
    let f = front(&load1("$version: \"2\"\n$version: \"2\"\nnamespace ex\n"));
    assert_eq!(f, vec![("E0054", 2, 11)]);
    let f = front(&load1("namespace ex\n$version: \"2\"\n"));
    assert_eq!(f, vec![("E0054", 2, 1)]);
    // Unknown control statements are ignored.
    assert_clean(&load1("$whatever: [1]\nnamespace ex\n"));
}

// ---------------------------------------------------------------------------
// resolution
// ---------------------------------------------------------------------------

#[test]
fn relative_ids_resolve_use_then_namespace_then_prelude() {
    let r = load(&[
        (
            "a.smithy",
            "namespace ex\nuse other#Imported\nuse other#Integer\nstructure S {\n  a: Imported\n  b: String\n  c: Local\n  d: Integer\n  e: Missing\n  f: smithy.api#String\n  g: Boolean\n}\n@myTrait\n@required\nstring Local\n",
        ),
        // Defined in the same namespace, in another file: wins over the prelude.
        ("b.smithy", "namespace ex\nstring String\n@trait structure myTrait {}\n"),
        ("c.smithy", "namespace other\nstring Imported\ninteger Integer\n"),
    ]);
    assert_clean(&r);
    let s = shape(&r, "ex#S");
    let t = |m: &str| s.member(m).unwrap().target.to_string();
    assert_eq!(t("a"), "other#Imported");
    assert_eq!(t("b"), "ex#String");
    assert_eq!(t("c"), "ex#Local");
    assert_eq!(t("d"), "other#Integer");
    assert_eq!(t("e"), "ex#Missing");
    assert_eq!(t("f"), "smithy.api#String");
    assert_eq!(t("g"), "smithy.api#Boolean");
    let local = shape(&r, "ex#Local");
    assert!(local.traits.contains_key(&id("ex#myTrait")));
    assert!(local.traits.contains_key(&id("smithy.api#required")));
}

#[test]
fn use_conflicts() {
    let r = load(&[(
        "a.smithy",
        "namespace ex\nuse a#X\nuse b#X\nuse a#X\nuse c#Local\nstring Local\n",
    )]);
    assert_eq!(front(&r), vec![("E0120", 3, 5), ("E0121", 5, 5)]);
    let r = load1("namespace ex\nuse a#X$m\nuse notabsolute\n");
    // `use notabsolute`: Smithy reports the missing `#` where it is due.
    assert_eq!(front(&r), vec![("E0059", 2, 5), ("E0059", 3, 16)]);
}

#[test]
fn apply_targets_and_trait_names_resolve() {
    let r = load(&[
        (
            "a.smithy",
            "namespace ex\nuse lib#tag\napply S @tag\napply S$m @documentation(\"m\")\n",
        ),
        ("b.smithy", "namespace ex\nstructure S { m: String }\n"),
        ("c.smithy", "namespace lib\n@trait structure tag {}\n"),
    ]);
    assert_clean(&r);
    let s = shape(&r, "ex#S");
    assert!(s.traits.contains_key(&id("lib#tag")));
    assert!(s
        .member("m")
        .unwrap()
        .traits
        .contains_key(&id("smithy.api#documentation")));
}

// ---------------------------------------------------------------------------
// assembly
// ---------------------------------------------------------------------------

#[test]
fn mixin_flattening_order_and_local_traits() {
    let r = load1(
        r#"$version: "2"
namespace ex
@mixin(localTraits: [internal])
@internal
@sensitive
structure A { a1: String, a2: String }
@mixin
structure B with [A] { b1: String }
@mixin
structure C { c1: String }
structure D with [B, C] { d1: String, $a2 }
"#,
    );
    assert_clean(&r);
    let d = shape(&r, "ex#D");
    let names: Vec<_> = d.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["a1", "a2", "b1", "c1", "d1"]);
    // localTraits are not inherited; others are, transitively.
    assert!(!d.has_prelude_trait("internal"));
    assert!(d.has_prelude_trait("sensitive"));
    assert!(shape(&r, "ex#B").has_prelude_trait("sensitive"));
    assert!(!d.has_prelude_trait("mixin"));
}

#[test]
fn entity_mixins_merge_properties() {
    let r = load1(
        r#"$version: "2"
namespace ex
@mixin
operation Base { errors: [E1] }
operation Op with [Base] { input: In, errors: [E2, E1] }
@mixin
service BaseSvc { version: "1", operations: [Op] }
service Svc with [BaseSvc] { operations: [Other] }
@mixin
resource BaseRes { identifiers: { id: String }, read: Op }
resource Res with [BaseRes] { properties: { p: String } }
operation Other {}
@error("client") structure E1 {}
@error("client") structure E2 {}
@input structure In {}
"#,
    );
    assert_clean(&r);
    let ShapeKind::Operation(op) = &shape(&r, "ex#Op").kind else {
        panic!()
    };
    let errs: Vec<_> = op.errors.iter().map(|e| e.id.name.as_str()).collect();
    assert_eq!(errs, ["E1", "E2"]);
    assert_eq!(op.input.as_ref().unwrap().id, id("ex#In"));
    let ShapeKind::Service(svc) = &shape(&r, "ex#Svc").kind else {
        panic!()
    };
    assert_eq!(svc.version.as_deref(), Some("1"));
    let ops: Vec<_> = svc.operations.iter().map(|e| e.id.name.as_str()).collect();
    assert_eq!(ops, ["Op", "Other"]);
    let ShapeKind::Resource(res) = &shape(&r, "ex#Res").kind else {
        panic!()
    };
    assert_eq!(res.identifiers["id"].id, id("smithy.api#String"));
    assert_eq!(res.read.as_ref().unwrap().id, id("ex#Op"));
    assert!(res.properties.contains_key("p"));
}

#[test]
fn same_member_from_several_mixins_merges_traits() {
    let r = load1(
        r#"$version: "2"
namespace ex
@mixin
structure A1 {
    @documentation("Generic docs")
    a: String
}
@mixin
structure A2 {
    @required
    a: String
}
structure Valid with [A1, A2] {
    @documentation("Specific docs")
    a: String
}
"#,
    );
    assert_clean(&r);
    let v = shape(&r, "ex#Valid");
    assert_eq!(v.members.len(), 1);
    let a = &v.members[0];
    assert!(a.has_prelude_trait("required"));
    assert_eq!(
        a.trait_value(&id("smithy.api#documentation")),
        Some(&str_node("Specific docs"))
    );
}

#[test]
fn mixin_errors() {
    let r = load1(
        "$version: \"2\"\nnamespace ex\n@mixin\nstructure A with [B] {}\n@mixin\nstructure B with [A] {}\n",
    );
    assert!(
        front(&r).iter().any(|(c, _, _)| *c == "E0102"),
        "{:?}",
        front(&r)
    );
    let r = load1("$version: \"2\"\nnamespace ex\nstructure A {}\nstructure B with [A] {}\n");
    assert_eq!(front(&r), vec![("E0103", 4, 19)]);
    let r = load1("$version: \"2\"\nnamespace ex\n@mixin\nstring A\nstructure B with [A] {}\n");
    assert_eq!(front(&r), vec![("E0106", 5, 19)]);
    let r = load1(
        "$version: \"2\"\nnamespace ex\n@mixin\nstructure A { x: String }\nstructure B with [A] { x: Integer }\n",
    );
    assert_eq!(front(&r), vec![("E0104", 5, 27)]);
    let r = load1("$version: \"2\"\nnamespace ex\nstructure B { $nothing }\n");
    assert_eq!(front(&r), vec![("E0105", 3, 15)]);
}

#[test]
fn apply_merging() {
    let r = load(&[
        (
            "a.smithy",
            "namespace ex\n@tags([\"a\"])\n@documentation(\"d\")\nstring S\napply S @tags([\"b\"])\napply S @documentation(\"d\")\n",
        ),
        ("b.smithy", "namespace ex\napply S @tags([\"c\"])\n"),
    ]);
    assert_clean(&r);
    assert_eq!(
        shape(&r, "ex#S").trait_value(&id("smithy.api#tags")),
        Some(&Node::Array(vec![
            str_node("a"),
            str_node("b"),
            str_node("c")
        ]))
    );
    let r =
        load1("namespace ex\n@documentation(\"d\")\nstring S\napply S @documentation(\"other\")\n");
    assert_eq!(front(&r), vec![("E0110", 4, 9)]);
    let r = load1("namespace ex\napply Nope @deprecated\nstring S\napply S$nope @deprecated\n");
    assert_eq!(front(&r), vec![("E0111", 2, 7), ("E0111", 4, 7)]);
    // Apply to a member that only exists through a mixin.
    let r = load1(
        "$version: \"2\"\nnamespace ex\n@mixin\nstructure M { m: String }\nstructure S with [M] {}\napply S$m @deprecated\n",
    );
    assert_clean(&r);
    assert!(shape(&r, "ex#S")
        .member("m")
        .unwrap()
        .has_prelude_trait("deprecated"));
    assert!(!shape(&r, "ex#M")
        .member("m")
        .unwrap()
        .has_prelude_trait("deprecated"));
}

#[test]
fn metadata_merging() {
    let r = load(&[
        (
            "a.smithy",
            "metadata list = [1]\nmetadata same = {a: 1}\nmetadata x = 1\n",
        ),
        (
            "b.smithy",
            "metadata list = [2, 3]\nmetadata same = {a: 1}\nmetadata x = 2\n",
        ),
    ]);
    assert_eq!(
        r.model.metadata["list"],
        Node::Array(vec![
            Node::Number(Number::Int(1)),
            Node::Number(Number::Int(2)),
            Node::Number(Number::Int(3))
        ])
    );
    let f = front(&r);
    assert_eq!(f, vec![("E0101", 3, 1)]);
    assert_eq!(
        r.sources.get(r.diagnostics[0].span.unwrap().file).name,
        "b.smithy"
    );
    assert_eq!(r.diagnostics[0].labels.len(), 1);
}

#[test]
fn conflicting_definitions_report_both_locations() {
    let r = load(&[
        ("a.smithy", "namespace ex\nstring S\n"),
        ("b.smithy", "namespace ex\n\ninteger S\n"),
    ]);
    assert_eq!(front(&r), vec![("E0100", 3, 1)]);
    let d = &r.diagnostics[0];
    let other = r.sources.location(d.labels[0].span);
    assert_eq!((other.file, other.line, other.col), ("a.smithy", 2, 1));
    // Identical definitions (e.g. the same file loaded twice) are tolerated.
    let same = "namespace ex\n@documentation(\"x\")\nstructure S { a: String }\n";
    let r = load(&[("a.smithy", same), ("b.smithy", same)]);
    assert_clean(&r);
    assert_eq!(r.model.shapes_in("ex").count(), 1);
}

#[test]
fn duplicates_within_a_statement() {
    let r = load1(
        "namespace ex\n@deprecated\n@deprecated\nstructure S {\n  a: String\n  a: Integer\n}\n",
    );
    assert_eq!(front(&r), vec![("E0122", 3, 1), ("E0123", 6, 3)]);
    let r = load1("$version: \"2\"\nnamespace ex\nenum E {\n  @enumValue(\"x\")\n  A = \"y\"\n}\n");
    assert_eq!(front(&r), vec![("E0124", 5, 7)]);
    let r = load1("namespace ex\nstructure S { @documentation(a: 1, a: 2) m: String }\n");
    assert_eq!(front(&r), vec![("E0060", 2, 36)]);
}

#[test]
fn output_is_deterministic() {
    let a = load1(V2_MODEL);
    let b = load1(V2_MODEL);
    assert_eq!(a.model, b.model);
    let ka: Vec<_> = a.model.shapes.keys().collect();
    let kb: Vec<_> = b.model.shapes.keys().collect();
    assert_eq!(ka, kb);
}

// ---------------------------------------------------------------------------
// errors and recovery
// ---------------------------------------------------------------------------

#[test]
fn reports_every_error_with_positions() {
    let text = "namespace ex\n\nstructure A {\n    a: String\n    b String\n}\n\nstring Ok1\n\nlist L { member: }\n\nstructure B { c: Integer }\n@\nstring Ok2\nmap M { key: String, wrong: String }\n";
    let r = load1(text);
    let f = front(&r);
    assert_eq!(
        f,
        vec![
            ("E0050", 5, 7),
            ("E0050", 10, 18),
            ("E0050", 14, 8),
            ("E0062", 15, 22),
            // ... and so the map has no `value`.
            ("E0126", 15, 5)
        ],
        "{:#?}",
        r.diagnostics
    );
    // Statements around the errors still made it into the model.
    for s in ["ex#Ok1", "ex#B", "ex#M"] {
        assert!(r.model.shape(&id(s)).is_some(), "{s} missing");
    }
}

#[test]
fn recovers_from_unbalanced_braces() {
    let text = "namespace ex\nstructure A {\n    a: [\n\nstring Ok\n\nstructure B { x: }\n";
    let r = load1(text);
    let f = front(&r);
    assert_eq!(f.len(), 2, "{f:?}");
    assert_eq!(f[1], ("E0050", 7, 18));
    assert!(r.model.shape(&id("ex#Ok")).is_some());
}

#[test]
fn error_floods_are_capped() {
    // Every `@` is a broken trait; the parser gives up after 100 of them.
    let r = load1(&"@".repeat(10_000));
    let f = front(&r);
    assert!(f.len() <= 102, "{} diagnostics", f.len());
    assert_eq!(f.last().unwrap().0, "E0066");
    // Binary garbage: the lexer gives up after 100 errors.
    let garbage: String = (0..5000)
        .map(|i| if i % 2 == 0 { '\u{1}' } else { 'a' })
        .collect();
    let f = front(&load1(&garbage));
    let lexical = f.iter().filter(|(c, _, _)| *c < "E0050").count();
    assert_eq!(lexical, 101, "{f:?}");
    assert_eq!(f.iter().filter(|(c, _, _)| *c == "E0009").count(), 1);
}

#[test]
fn missing_closing_brace_keeps_the_next_shape() {
    let r = load1(
        "namespace ex\nstructure A {\n    a: String\n\nstructure B { b: String }\nstring C\n",
    );
    assert_eq!(front(&r), vec![("E0050", 5, 1)]);
    assert_eq!(r.diagnostics[0].labels.len(), 1);
    assert_eq!(shape(&r, "ex#A").members.len(), 1);
    assert_eq!(shape(&r, "ex#B").members.len(), 1);
    assert!(r.model.shape(&id("ex#C")).is_some());
    // Indented members named like keywords are still members.
    let r = load1("namespace ex\nstructure A {\n    string: String\n    list: String\n}\n");
    assert_clean(&r);
    assert_eq!(shape(&r, "ex#A").members.len(), 2);
}

#[test]
fn ordering_errors() {
    assert_eq!(front(&load1("string S\n")), vec![("E0056", 1, 1)]);
    assert_eq!(
        front(&load1("namespace ex\nmetadata x = 1\n")),
        vec![("E0064", 2, 1)]
    );
    assert_eq!(
        front(&load1("namespace ex\nstring S\nuse a#B\n")),
        vec![("E0064", 3, 1)]
    );
    assert_eq!(
        front(&load1("namespace ex\nnamespace ex2\n")),
        vec![("E0057", 2, 1)]
    );
    assert_eq!(front(&load1("namespace ex.\n")), vec![("E0058", 1, 14)]);
    assert_eq!(
        front(&load1("namespace ex\nstring a.b\n")),
        vec![("E0058", 2, 9)]
    );
    assert_eq!(
        front(&load1("namespace ex\noperation O { inputs: X }\n")),
        vec![("E0061", 2, 15)]
    );
    assert_eq!(
        front(&load1(
            "namespace ex\nlist L { @documentation(\"x\") item: String }\n"
        )),
        // The wrong name, and so no `member`.
        vec![("E0062", 2, 30), ("E0126", 2, 6)]
    );
    assert_eq!(
        front(&load1(
            "$version: \"2\"\nnamespace ex\nunion U { a: String = \"x\"\n}\n"
        )),
        vec![("E0063", 3, 21)]
    );
    assert_eq!(
        front(&load1(
            "namespace ex\n@deprecated\napply S @deprecated\nstring S\n"
        )),
        // At `apply`, where Smithy reports it.
        vec![("E0065", 3, 1)]
    );
}

#[test]
fn deep_nesting_is_a_diagnostic() {
    for depth in [65usize, 1_000, 100_000] {
        let text = format!("metadata x = {}{}\n", "[".repeat(depth), "]".repeat(depth));
        let r = load1(&text);
        assert!(
            front(&r).iter().any(|(c, _, _)| *c == "E0055"),
            "depth {depth}"
        );
        let text = format!(
            "metadata x = {}1{}\n",
            "{a: ".repeat(depth),
            "}".repeat(depth)
        );
        let r = load1(&text);
        assert!(
            front(&r).iter().any(|(c, _, _)| *c == "E0055"),
            "depth {depth}"
        );
    }
    // 64 levels are fine.
    let text = format!("metadata x = {}{}\n", "[".repeat(63), "]".repeat(63));
    assert_clean(&load1(&text));
}

#[test]
fn unterminated_and_garbage_inputs_do_not_panic() {
    let inputs = [
        "",
        "namespace",
        "namespace ex\nstructure",
        "namespace ex\nstructure S {",
        "namespace ex\nstructure S { a:",
        "namespace ex\n@trait(",
        "namespace ex\n@t(a: \"",
        "namespace ex\n@t(\"\"\"\n",
        "$",
        "$version",
        "$version:",
        "metadata x = {",
        "apply",
        "apply X {",
        "namespace ex\noperation O { input := ",
        "namespace ex\nenum E { A = ",
        "\u{0}\u{1}\u{ff}",
        "namespace ex\nstring S with [",
        "\"\\u",
        "\"\\uD800\\u",
        "-",
        "1e",
    ];
    for text in inputs {
        let r = load1(text);
        if !text.is_empty() {
            assert!(r.has_errors(), "{text:?} accepted");
        }
    }
    // A lone doc comment is a valid (empty) file.
    assert_clean(&load1("///"));
}

#[test]
fn load_paths_reads_directories_sorted_and_reports_io_errors() {
    let dir = std::env::temp_dir().join(format!("weld-parser-test-{}", std::process::id()));
    let sub = dir.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(dir.join("b.smithy"), "namespace ex\nstring B\n").unwrap();
    std::fs::write(sub.join("a.smithy"), "namespace ex\nstring A\n").unwrap();
    std::fs::write(dir.join("ignored.txt"), "not smithy").unwrap();
    std::fs::write(dir.join("bad.smithy"), [0xff, 0xfe]).unwrap();
    let missing = dir.join("missing.smithy");
    let r = weld_codegen::smithy::load_paths(&[dir.clone(), missing]);
    let order: Vec<_> = r
        .model
        .shapes_in("ex")
        .map(|s| s.id.name.as_str())
        .collect();
    assert_eq!(order, ["B", "A"]);
    let c: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.span.is_none())
        .map(|d| d.code)
        .collect();
    assert_eq!(c, ["E0010", "E0900"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn json_ast_files_are_assembled_with_idl() {
    let r = load(&[
        (
            "a.json",
            r#"{"smithy": "2.0", "shapes": {"ex#J": {"type": "string"}}}"#,
        ),
        ("b.smithy", "namespace ex\nstructure S { j: J }\n"),
    ]);
    assert_clean(&r);
    assert_eq!(shape(&r, "ex#S").members[0].target, id("ex#J"));
}

// ---------------------------------------------------------------------------
// property tests: nothing panics
// ---------------------------------------------------------------------------

mod props {
    use super::*;
    use proptest::prelude::*;
    use weld_codegen::smithy::{assemble, parser, resolve};

    /// Lexer, parser, resolver and assembler without the validator (which
    /// has its own tests), so many cases fit in a short run.
    fn front_pipeline(text: &str) {
        let mut d = Vec::new();
        let ast = parser::parse(FileId(1), text, &mut d);
        let mut scope = resolve::Scope::new();
        scope.add_file(&ast);
        let r = resolve::resolve(&ast, &scope, &mut d);
        let _ = assemble::assemble(vec![r], &mut d);
    }

    fn soup() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop::sample::select(vec![
                "namespace",
                "ex",
                "structure",
                "S",
                "{",
                "}",
                "[",
                "]",
                "(",
                ")",
                ":",
                ":=",
                "=",
                "@",
                "$",
                "with",
                "for",
                "apply",
                "\"s\"",
                "\"\"\"\n x\n\"\"\"",
                "1",
                "-2.5e3",
                "\n",
                " ",
                ",",
                "metadata",
                "use",
                "a#B",
                "enum",
                "operation",
                "input",
                "$version",
                "\"2\"",
                "list",
                "member",
                "map",
                "key",
                "///d\n",
                "//c\n",
                "service",
                "resource",
                "identifiers",
                "@mixin",
                "true",
                "null",
                "S$m",
                "M",
            ]),
            0..80,
        )
        .prop_map(|parts| parts.join(" "))
    }

    fn mutate(which: usize, edits: Vec<(u16, u8, u8)>) -> String {
        let base = if which == 0 { V1_MODEL } else { V2_MODEL };
        let mut bytes = base.as_bytes().to_vec();
        for (pos, op, b) in edits {
            if bytes.is_empty() {
                break;
            }
            let p = pos as usize % bytes.len();
            match op {
                0 => {
                    bytes.remove(p);
                }
                1 => bytes.insert(p, b),
                2 => bytes[p] = b,
                _ => bytes.truncate(p),
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            front_pipeline(&String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn random_token_soup_never_panics(text in soup()) {
            front_pipeline(&text);
        }

        #[test]
        fn mutated_valid_files_never_panic(
            which in 0usize..2,
            edits in proptest::collection::vec((any::<u16>(), 0u8..4, any::<u8>()), 1..8),
        ) {
            front_pipeline(&mutate(which, edits));
        }
    }

    proptest! {
        // The whole load (validator included) on fewer cases.
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn whole_load_never_panics(
            which in 0usize..2,
            edits in proptest::collection::vec((any::<u16>(), 0u8..4, any::<u8>()), 1..8),
            text in soup(),
        ) {
            let _ = load1(&mutate(which, edits));
            let _ = load1(&text);
        }
    }
}

#[test]
fn big_decimals_beyond_f64_are_kept_as_written() {
    // A bigDecimal trait value beyond f64's range is neither infinity nor
    // null: its text is kept (exponent as `E` with its sign), in the model
    // and in the JSON AST.
    let r = load1(
        "$version: \"2\"\nnamespace ex\n@trait\nbigDecimal limit\n@limit(2e308)\nstring A\n@limit(1.5E+400)\nstring B\n",
    );
    assert_clean(&r);
    let value = |s: &str| shape(&r, s).traits[&id("ex#limit")].value.clone();
    assert_eq!(value("ex#A"), Node::Number(Number::BigInt("2E+308".into())));
    assert_eq!(
        value("ex#B"),
        Node::Number(Number::BigInt("1.5E+400".into()))
    );
    let json = weld_codegen::smithy::json_ast::write_string(&r.model);
    assert!(json.contains("\"ex#limit\": 2E+308"), "{json}");
}
