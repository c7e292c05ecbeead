//! Syntax tree of one Smithy IDL file, as written: shape ids are still
//! relative, doc comments are still comments, mixins are not flattened.
//! Everything borrows from the source text where it can (identifiers are
//! `&str` slices) and every node carries a [`Span`].

use super::source::{FileId, Span};
use crate::model::{IdlVersion, Number, SimpleKind};
use std::borrow::Cow;

/// An identifier or shape id as written, with its span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ident<'a> {
    /// Source text (e.g. `String`, `smithy.api#String`, `Foo$bar`).
    pub text: &'a str,
    /// Where.
    pub span: Span,
}

/// An object key (identifier or quoted string).
#[derive(Clone, Debug, PartialEq)]
pub struct Key<'a> {
    /// Decoded key text.
    pub text: Cow<'a, str>,
    /// Where.
    pub span: Span,
}

/// A node value with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeValue<'a> {
    /// The value.
    pub kind: NodeKind<'a>,
    /// Where.
    pub span: Span,
}

/// The forms of node values.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind<'a> {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number.
    Number(Number),
    /// A quoted string or text block (decoded).
    String(Cow<'a, str>),
    /// An unquoted string: a syntactic shape id, resolved later.
    ShapeId(&'a str),
    /// `[ ... ]`
    Array(Vec<NodeValue<'a>>),
    /// `{ ... }` in source order.
    Object(Vec<(Key<'a>, NodeValue<'a>)>),
}

/// The body of a trait application.
#[derive(Clone, Debug, PartialEq)]
pub enum TraitBody<'a> {
    /// `@foo` (no parentheses).
    None,
    /// `@foo()`.
    Empty,
    /// `@foo(value)`.
    Value(NodeValue<'a>),
    /// `@foo(key: value, ...)`.
    Structure(Vec<(Key<'a>, NodeValue<'a>)>),
}

/// `@name(body)`.
#[derive(Clone, Debug, PartialEq)]
pub struct TraitApp<'a> {
    /// The trait shape id as written.
    pub name: Ident<'a>,
    /// The value.
    pub body: TraitBody<'a>,
    /// From `@` to the end of the body.
    pub span: Span,
}

/// Documentation collected from consecutive `///` comments.
#[derive(Clone, Debug, PartialEq)]
pub struct DocComment {
    /// Lines joined with `\n`, one leading space per line removed.
    pub text: String,
    /// From the first to the last comment.
    pub span: Span,
}

/// Shape statement keywords.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShapeKeyword {
    /// A simple type keyword.
    Simple(SimpleKind),
    /// `list`
    List,
    /// `set` (1.0 only)
    Set,
    /// `map`
    Map,
    /// `structure`
    Structure,
    /// `union`
    Union,
    /// `enum` (2.0)
    Enum,
    /// `intEnum` (2.0)
    IntEnum,
    /// `service`
    Service,
    /// `operation`
    Operation,
    /// `resource`
    Resource,
}

impl ShapeKeyword {
    /// Parses a shape keyword.
    pub fn from_word(w: &str) -> Option<Self> {
        Some(match w {
            "list" => ShapeKeyword::List,
            "set" => ShapeKeyword::Set,
            "map" => ShapeKeyword::Map,
            "structure" => ShapeKeyword::Structure,
            "union" => ShapeKeyword::Union,
            "enum" => ShapeKeyword::Enum,
            "intEnum" => ShapeKeyword::IntEnum,
            "service" => ShapeKeyword::Service,
            "operation" => ShapeKeyword::Operation,
            "resource" => ShapeKeyword::Resource,
            _ => ShapeKeyword::Simple(SimpleKind::from_keyword(w)?),
        })
    }
}

/// A member of a structure, union, list, map, enum or intEnum.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberDef<'a> {
    /// `///` docs.
    pub docs: Option<DocComment>,
    /// Traits in order.
    pub traits: Vec<TraitApp<'a>>,
    /// Member name.
    pub name: Ident<'a>,
    /// Target as written; `None` for elided (`$name`) members and enum members.
    pub target: Option<Ident<'a>>,
    /// True for `$name` target elision.
    pub elided: bool,
    /// `= value` (structure default or enum value).
    pub value: Option<NodeValue<'a>>,
    /// The whole member (traits excluded).
    pub span: Span,
}

/// `input`/`output` of an operation.
#[derive(Clone, Debug, PartialEq)]
pub enum IoTarget<'a> {
    /// `input: Foo`
    Ref(Ident<'a>),
    /// `input := { ... }`
    Inline(Box<InlineStructure<'a>>),
}

/// An inline input/output structure (`:=`).
#[derive(Clone, Debug, PartialEq)]
pub struct InlineStructure<'a> {
    /// Docs before its traits.
    pub docs: Option<DocComment>,
    /// Traits.
    pub traits: Vec<TraitApp<'a>>,
    /// `for Resource`.
    pub for_resource: Option<Ident<'a>>,
    /// `with [...]`.
    pub mixins: Vec<Ident<'a>>,
    /// Members.
    pub members: Vec<MemberDef<'a>>,
    /// The `:=` token.
    pub walrus: Span,
    /// Whole inline structure.
    pub span: Span,
}

/// An operation body.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct OperationBody<'a> {
    /// `input`
    pub input: Option<(IoTarget<'a>, Span)>,
    /// `output`
    pub output: Option<(IoTarget<'a>, Span)>,
    /// `errors: [...]`
    pub errors: Vec<Ident<'a>>,
}

/// What follows a shape's name.
#[derive(Clone, Debug, PartialEq)]
pub enum ShapeBody<'a> {
    /// Simple shapes have no body.
    None,
    /// Aggregate and enum members.
    Members(Vec<MemberDef<'a>>),
    /// Service and resource properties (a node object).
    Properties(Vec<(Key<'a>, NodeValue<'a>)>),
    /// Operation properties.
    Operation(OperationBody<'a>),
}

/// A shape statement.
#[derive(Clone, Debug, PartialEq)]
pub struct ShapeStatement<'a> {
    /// `///` docs.
    pub docs: Option<DocComment>,
    /// Traits.
    pub traits: Vec<TraitApp<'a>>,
    /// Keyword.
    pub keyword: ShapeKeyword,
    /// Keyword span.
    pub keyword_span: Span,
    /// Shape name.
    pub name: Ident<'a>,
    /// `for Resource` (structures, 2.0).
    pub for_resource: Option<Ident<'a>>,
    /// `with [...]` (2.0).
    pub mixins: Vec<Ident<'a>>,
    /// Body.
    pub body: ShapeBody<'a>,
    /// From keyword to end of body.
    pub span: Span,
}

/// `apply Target @trait` or `apply Target { @a @b }`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApplyStatement<'a> {
    /// Target as written.
    pub target: Ident<'a>,
    /// Traits to apply.
    pub traits: Vec<TraitApp<'a>>,
    /// Whole statement.
    pub span: Span,
}

/// A statement of the shape section.
#[derive(Clone, Debug, PartialEq)]
pub enum Statement<'a> {
    /// A shape definition.
    Shape(ShapeStatement<'a>),
    /// An apply statement.
    Apply(ApplyStatement<'a>),
}

/// `$key: value`.
#[derive(Clone, Debug, PartialEq)]
pub struct ControlStatement<'a> {
    /// Key (without `$`).
    pub key: Key<'a>,
    /// Value.
    pub value: NodeValue<'a>,
    /// Whole statement.
    pub span: Span,
}

/// `metadata key = value`.
#[derive(Clone, Debug, PartialEq)]
pub struct MetadataStatement<'a> {
    /// Key.
    pub key: Key<'a>,
    /// Value.
    pub value: NodeValue<'a>,
    /// Whole statement.
    pub span: Span,
}

/// A parsed IDL file.
#[derive(Clone, Debug, PartialEq)]
pub struct File<'a> {
    /// The file.
    pub file: FileId,
    /// Version from `$version` (default 1.0).
    pub version: IdlVersion,
    /// Control statements.
    pub control: Vec<ControlStatement<'a>>,
    /// Metadata statements.
    pub metadata: Vec<MetadataStatement<'a>>,
    /// `namespace`.
    pub namespace: Option<Ident<'a>>,
    /// `use` statements.
    pub uses: Vec<Ident<'a>>,
    /// Shapes and applies in order.
    pub statements: Vec<Statement<'a>>,
    /// `$operationInputSuffix` (default `Input`).
    pub input_suffix: Cow<'a, str>,
    /// `$operationOutputSuffix` (default `Output`).
    pub output_suffix: Cow<'a, str>,
}
