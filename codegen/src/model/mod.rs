//! The assembled semantic model: every shape of every input file (and the
//! prelude), with mixins flattened, `apply` merged and every reference
//! resolved to an absolute [`ShapeId`]. Declaration order is kept everywhere
//! (IndexMap / Vec), so everything derived from a model is deterministic.
//!
//! This module is the contract between the front end (which builds it) and
//! the generators (which only read it).

use crate::smithy::source::Span;
use indexmap::IndexMap;
use std::fmt;

/// The prelude namespace.
pub const PRELUDE_NS: &str = "smithy.api";

/// An absolute shape id: `namespace#Name` or `namespace#Name$member`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ShapeId {
    /// e.g. `org.wasmcloud.interface.keyvalue`.
    pub namespace: String,
    /// e.g. `IncrementRequest`.
    pub name: String,
    /// Member name for member ids.
    pub member: Option<String>,
}

impl ShapeId {
    /// `namespace#name`.
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        ShapeId {
            namespace: namespace.into(),
            name: name.into(),
            member: None,
        }
    }

    /// A prelude id, `smithy.api#name`.
    pub fn prelude(name: &str) -> Self {
        Self::new(PRELUDE_NS, name)
    }

    /// The id of member `member` of this shape.
    pub fn with_member(&self, member: impl Into<String>) -> Self {
        ShapeId {
            member: Some(member.into()),
            ..self.clone()
        }
    }

    /// Parses `ns#Name` or `ns#Name$member`; `None` if not absolute.
    pub fn parse(s: &str) -> Option<Self> {
        let (ns, rest) = s.split_once('#')?;
        let (name, member) = match rest.split_once('$') {
            Some((n, m)) => (n, Some(m.to_string())),
            None => (rest, None),
        };
        if ns.is_empty() || name.is_empty() {
            return None;
        }
        Some(ShapeId {
            namespace: ns.to_string(),
            name: name.to_string(),
            member,
        })
    }

    /// True for ids in `smithy.api`.
    pub fn is_prelude(&self) -> bool {
        self.namespace == PRELUDE_NS
    }
}

// Hash by hand so that [`ShapeIdRef`] (borrowed lookups) hashes identically.
impl std::hash::Hash for ShapeId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        hash_id_parts(state, &self.namespace, &self.name, self.member.as_deref());
    }
}

fn hash_id_parts<H: std::hash::Hasher>(
    state: &mut H,
    namespace: &str,
    name: &str,
    member: Option<&str>,
) {
    state.write(namespace.as_bytes());
    state.write_u8(0xff);
    state.write(name.as_bytes());
    state.write_u8(0xff);
    if let Some(m) = member {
        state.write(m.as_bytes());
        state.write_u8(0xfe);
    }
}

/// A borrowed `namespace#name` (no member) for looking shapes up in
/// [`Model::shapes`] without building an owned [`ShapeId`].
#[derive(Clone, Copy, Debug)]
pub struct ShapeIdRef<'a> {
    /// The namespace.
    pub namespace: &'a str,
    /// The shape name.
    pub name: &'a str,
}

impl std::hash::Hash for ShapeIdRef<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        hash_id_parts(state, self.namespace, self.name, None);
    }
}

impl indexmap::Equivalent<ShapeId> for ShapeIdRef<'_> {
    fn equivalent(&self, key: &ShapeId) -> bool {
        key.member.is_none() && key.name == self.name && key.namespace == self.namespace
    }
}

/// A fast non-cryptographic hasher (the multiply-rotate scheme of rustc's
/// FxHasher, eight bytes at a time) for maps keyed by shape ids and names:
/// the keys come from the model, so SipHash's flooding resistance buys
/// nothing and costs most of the lookup time.
#[derive(Clone, Copy, Debug, Default)]
pub struct FxHasher(u64);

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl std::hash::Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // Assemble the tail by hand: a variable-length copy into a
            // buffer compiled to a `memcpy` call per hash, a visible cost.
            let mut word = 0u64;
            for (i, &b) in rest.iter().enumerate() {
                word |= u64::from(b) << (8 * i);
            }
            self.add(word ^ ((rest.len() as u64) << 59));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Builds [`FxHasher`]s; the hasher of [`Model::shapes`].
pub type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

impl fmt::Display for ShapeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.namespace, self.name)?;
        if let Some(m) = &self.member {
            write!(f, "${m}")?;
        }
        Ok(())
    }
}

/// A number in a node value, kept exact where it does not fit an `i64`/`f64`.
///
/// [`Number::big_decimal`] builds the out-of-range decimal form.
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    /// An integer that fits `i64`.
    Int(i64),
    /// A number with fraction or exponent.
    Float(f64),
    /// A number beyond `i64` (an integer: decimal digits, optional `-`) or
    /// beyond `f64` (with a fraction or exponent, such as a `bigDecimal`
    /// value `1E+400`), kept as written except that an exponent is written
    /// `E` with its sign, so equal values written `2e+308` and `2E+308`
    /// compare equal.
    BigInt(String),
}

impl Number {
    /// A decimal number (fraction or exponent) as `Float`, or as `BigInt`
    /// text when `f64` cannot hold it (infinite). `None` if `text` is not
    /// a number.
    pub fn big_decimal(text: &str) -> Option<Number> {
        let f = text.parse::<f64>().ok()?;
        if f.is_finite() {
            return Some(Number::Float(f));
        }
        let (mantissa, exp) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], &text[i + 1..]),
            None => (text, ""),
        };
        let mut out = mantissa.to_string();
        if !exp.is_empty() {
            out.push('E');
            if !exp.starts_with(['+', '-']) {
                out.push('+');
            }
            out.push_str(exp);
        }
        Some(Number::BigInt(out))
    }

    /// As `i64` if integral and in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            _ => None,
        }
    }

    /// As `f64` (lossy for big integers).
    pub fn as_f64(&self) -> f64 {
        match self {
            Number::Int(i) => *i as f64,
            Number::Float(f) => *f,
            Number::BigInt(s) => s.parse().unwrap_or(f64::NAN),
        }
    }
}

/// A node value (trait values, metadata, defaults): Smithy's JSON-like data.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string (escapes decoded; text blocks normalised).
    String(String),
    /// `[ ... ]`.
    Array(Vec<Node>),
    /// `{ ... }`, keys in source order.
    Object(IndexMap<String, Node>),
}

impl Node {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&IndexMap<String, Node>> {
        match self {
            Node::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&[Node]> {
        match self {
            Node::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The bool, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Node::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The integer, if this is one that fits `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Node::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// Field `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_object().and_then(|o| o.get(key))
    }
}

/// One trait application: its value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct TraitValue {
    /// The value (`{}` / `Node::Object(empty)` for annotation traits written bare).
    pub value: Node,
    /// Where the trait was applied (the `@name(...)` text, or the apply statement).
    pub span: Span,
}

/// Traits applied to a shape or member, by absolute trait shape id, in order.
/// Hashed with [`FxHasher`]: every trait lookup hashes a shape id, and
/// SipHash made that a visible part of loading. Build with
/// `Traits::default()` / `Traits::with_capacity_and_hasher(n, FxBuild::default())`.
pub type Traits = IndexMap<ShapeId, TraitValue, FxBuild>;

/// A reference to another shape, with the span of the reference text.
#[derive(Clone, Debug, PartialEq)]
pub struct ShapeRef {
    /// The resolved absolute id.
    pub id: ShapeId,
    /// Where the reference was written.
    pub span: Span,
}

/// The kinds of simple shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SimpleKind {
    /// `blob`
    Blob,
    /// `boolean`
    Boolean,
    /// `string`
    String,
    /// `byte`
    Byte,
    /// `short`
    Short,
    /// `integer`
    Integer,
    /// `long`
    Long,
    /// `float`
    Float,
    /// `double`
    Double,
    /// `bigInteger`
    BigInteger,
    /// `bigDecimal`
    BigDecimal,
    /// `timestamp`
    Timestamp,
    /// `document`
    Document,
}

impl SimpleKind {
    /// The IDL keyword / JSON AST `type` value.
    pub fn keyword(self) -> &'static str {
        match self {
            SimpleKind::Blob => "blob",
            SimpleKind::Boolean => "boolean",
            SimpleKind::String => "string",
            SimpleKind::Byte => "byte",
            SimpleKind::Short => "short",
            SimpleKind::Integer => "integer",
            SimpleKind::Long => "long",
            SimpleKind::Float => "float",
            SimpleKind::Double => "double",
            SimpleKind::BigInteger => "bigInteger",
            SimpleKind::BigDecimal => "bigDecimal",
            SimpleKind::Timestamp => "timestamp",
            SimpleKind::Document => "document",
        }
    }

    /// Parses a keyword.
    pub fn from_keyword(s: &str) -> Option<Self> {
        Some(match s {
            "blob" => SimpleKind::Blob,
            "boolean" => SimpleKind::Boolean,
            "string" => SimpleKind::String,
            "byte" => SimpleKind::Byte,
            "short" => SimpleKind::Short,
            "integer" => SimpleKind::Integer,
            "long" => SimpleKind::Long,
            "float" => SimpleKind::Float,
            "double" => SimpleKind::Double,
            "bigInteger" => SimpleKind::BigInteger,
            "bigDecimal" => SimpleKind::BigDecimal,
            "timestamp" => SimpleKind::Timestamp,
            "document" => SimpleKind::Document,
            _ => return None,
        })
    }
}

/// A service shape's properties.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Service {
    /// `version` (optional in 2.0, and tolerated missing in 1.0).
    pub version: Option<String>,
    /// Operations bound directly to the service, in order.
    pub operations: Vec<ShapeRef>,
    /// Resources bound to the service.
    pub resources: Vec<ShapeRef>,
    /// Common errors.
    pub errors: Vec<ShapeRef>,
    /// `rename` map: shape id -> new name.
    pub rename: IndexMap<ShapeId, String>,
}

/// An operation shape's properties.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Operation {
    /// Input structure (`None` = `smithy.api#Unit` / absent).
    pub input: Option<ShapeRef>,
    /// Output structure (`None` = `smithy.api#Unit` / absent).
    pub output: Option<ShapeRef>,
    /// Error structures.
    pub errors: Vec<ShapeRef>,
}

/// A resource shape's properties.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Resource {
    /// Identifier name -> target.
    pub identifiers: IndexMap<String, ShapeRef>,
    /// Property name -> target (2.0).
    pub properties: IndexMap<String, ShapeRef>,
    /// Lifecycle operations.
    pub create: Option<ShapeRef>,
    /// `put` lifecycle operation.
    pub put: Option<ShapeRef>,
    /// `read` lifecycle operation.
    pub read: Option<ShapeRef>,
    /// `update` lifecycle operation.
    pub update: Option<ShapeRef>,
    /// `delete` lifecycle operation.
    pub delete: Option<ShapeRef>,
    /// `list` lifecycle operation.
    pub list: Option<ShapeRef>,
    /// Instance operations.
    pub operations: Vec<ShapeRef>,
    /// Collection operations.
    pub collection_operations: Vec<ShapeRef>,
    /// Child resources.
    pub resources: Vec<ShapeRef>,
}

impl Resource {
    /// Every operation bound to this resource (not its children): the
    /// lifecycle ones in spec order (create, put, read, update, delete,
    /// list), then instance, then collection operations.
    pub fn bound_operations(&self) -> impl Iterator<Item = &ShapeRef> {
        [
            &self.create,
            &self.put,
            &self.read,
            &self.update,
            &self.delete,
            &self.list,
        ]
        .into_iter()
        .flatten()
        .chain(&self.operations)
        .chain(&self.collection_operations)
    }
}

/// What kind of shape, with kind-specific data. Aggregate members live in
/// [`Shape::members`] (list: `member`; map: `key`, `value`; structure, union,
/// enum, intEnum: their members in order).
#[derive(Clone, Debug, PartialEq)]
pub enum ShapeKind {
    /// A simple type.
    Simple(SimpleKind),
    /// `list`
    List,
    /// `set` (IDL 1.0)
    Set,
    /// `map`
    Map,
    /// `structure`
    Structure,
    /// `union`
    Union,
    /// `enum` (2.0); members target `smithy.api#Unit` with `@enumValue`.
    Enum,
    /// `intEnum` (2.0)
    IntEnum,
    /// `service`
    Service(Service),
    /// `operation`
    Operation(Operation),
    /// `resource`
    Resource(Resource),
}

impl ShapeKind {
    /// The IDL keyword / JSON AST `type`.
    pub fn keyword(&self) -> &'static str {
        match self {
            ShapeKind::Simple(s) => s.keyword(),
            ShapeKind::List => "list",
            ShapeKind::Set => "set",
            ShapeKind::Map => "map",
            ShapeKind::Structure => "structure",
            ShapeKind::Union => "union",
            ShapeKind::Enum => "enum",
            ShapeKind::IntEnum => "intEnum",
            ShapeKind::Service(_) => "service",
            ShapeKind::Operation(_) => "operation",
            ShapeKind::Resource(_) => "resource",
        }
    }
}

/// A member of an aggregate shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// Member name (`member`, `key`, `value` for list/map).
    pub name: String,
    /// Resolved target (enum members: `smithy.api#Unit`).
    pub target: ShapeId,
    /// Traits on the member (incl. `smithy.api#default` from `= value`).
    pub traits: Traits,
    /// Where the member was declared.
    pub span: Span,
    /// Where the target was written (same as `span` when elided).
    pub target_span: Span,
}

impl Member {
    /// The value of trait `id` on this member.
    pub fn trait_value(&self, id: &ShapeId) -> Option<&Node> {
        self.traits.get(id).map(|t| &t.value)
    }

    /// True if trait `smithy.api#{name}` is applied.
    pub fn has_prelude_trait(&self, name: &str) -> bool {
        self.traits.contains_key(&ShapeId::prelude(name))
    }
}

/// A shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    /// Absolute id.
    pub id: ShapeId,
    /// Kind and kind data.
    pub kind: ShapeKind,
    /// Traits applied (incl. inherited from mixins and `apply`).
    pub traits: Traits,
    /// Members (mixin members first, as the spec orders them).
    pub members: Vec<Member>,
    /// Mixins as written (already flattened into `members`/`traits`).
    pub mixins: Vec<ShapeRef>,
    /// Where the shape was declared.
    pub span: Span,
}

impl Shape {
    /// The member named `name`.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }

    /// The value of trait `id`.
    pub fn trait_value(&self, id: &ShapeId) -> Option<&Node> {
        self.traits.get(id).map(|t| &t.value)
    }

    /// True if trait `smithy.api#{name}` is applied.
    pub fn has_prelude_trait(&self, name: &str) -> bool {
        self.traits.contains_key(&ShapeId::prelude(name))
    }

    /// `@documentation` text.
    pub fn documentation(&self) -> Option<&str> {
        self.trait_value(&ShapeId::prelude("documentation"))
            .and_then(Node::as_str)
    }
}

/// Smithy IDL version of a source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum IdlVersion {
    /// `$version: "1"` / `"1.0"` (also the default when absent).
    #[default]
    V1,
    /// `$version: "2"` / `"2.0"`.
    V2,
}

/// The whole assembled model.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Model {
    /// Merged metadata, keys in first-seen order.
    pub metadata: IndexMap<String, Node>,
    /// Every shape (prelude included), in declaration order.
    pub shapes: IndexMap<ShapeId, Shape, FxBuild>,
    /// The IDL version each namespace was declared with (first file wins).
    /// Hashed with [`FxHasher`]: the assembler looks a namespace up for
    /// every shape it adds.
    pub namespace_versions: IndexMap<String, IdlVersion, FxBuild>,
    /// True when any source file (IDL, or JSON AST by its `smithy`
    /// version) is version 1.0, even one without shapes: `weld json` then
    /// writes a 1.0 document.
    pub has_v1_sources: bool,
}

impl Model {
    /// The shape with id `id` (member part ignored).
    pub fn shape(&self, id: &ShapeId) -> Option<&Shape> {
        if id.member.is_some() {
            return self.shapes.get(&ShapeIdRef {
                namespace: &id.namespace,
                name: &id.name,
            });
        }
        self.shapes.get(id)
    }

    /// The member behind a member id.
    pub fn member(&self, id: &ShapeId) -> Option<&Member> {
        self.shape(id)?.member(id.member.as_deref()?)
    }

    /// Shapes outside the prelude, in declaration order.
    pub fn user_shapes(&self) -> impl Iterator<Item = &Shape> {
        self.shapes.values().filter(|s| !s.id.is_prelude())
    }

    /// Shapes of one namespace, in declaration order.
    pub fn shapes_in<'a>(&'a self, namespace: &'a str) -> impl Iterator<Item = &'a Shape> + 'a {
        self.shapes
            .values()
            .filter(move |s| s.id.namespace == namespace)
    }

    /// The operations of service `service`: those bound directly, then those
    /// bound through its resources (lifecycle first, then instance and
    /// collection operations; resources searched depth-first, child
    /// resources in declaration order), each once. Resource cycles end; ids
    /// that name no shape are still listed (the validator reports them).
    /// Empty for shapes that are not services. The docs and Rust views both
    /// list a service's operations with this.
    pub fn service_operations<'m>(&'m self, service: &'m Shape) -> Vec<&'m ShapeId> {
        let ShapeKind::Service(svc) = &service.kind else {
            return Vec::new();
        };
        let mut out: Vec<&ShapeId> = Vec::new();
        let mut listed: std::collections::HashSet<&ShapeId, FxBuild> = Default::default();
        let mut push = |id: &'m ShapeId, out: &mut Vec<&'m ShapeId>| {
            if listed.insert(id) {
                out.push(id);
            }
        };
        for op in &svc.operations {
            push(&op.id, &mut out);
        }
        // A stack: the service's last resource is searched first (the order
        // the docs have always shown); children follow their parent.
        let mut pending: Vec<&ShapeId> = svc.resources.iter().map(|r| &r.id).collect();
        let mut seen: std::collections::HashSet<&ShapeId, FxBuild> = Default::default();
        while let Some(rid) = pending.pop() {
            if !seen.insert(rid) {
                continue;
            }
            if let Some(Shape {
                kind: ShapeKind::Resource(res),
                ..
            }) = self.shape(rid)
            {
                for op in res.bound_operations() {
                    push(&op.id, &mut out);
                }
                pending.extend(res.resources.iter().rev().map(|r| &r.id));
            }
        }
        out
    }

    /// Namespaces that have user shapes, in first-seen order.
    pub fn namespaces(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for s in self.user_shapes() {
            if !out.contains(&s.id.namespace.as_str()) {
                out.push(&s.id.namespace);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::smithy::load_sources;

    #[test]
    fn service_operations_lists_each_operation_once_through_resources() {
        let text = r#"$version: "2"
namespace t
service S { operations: [A], resources: [R1, R2] }
resource R1 { operations: [D] }
resource R2 { read: B, resources: [R3] }
resource R3 { operations: [A, C], resources: [R2] }
@readonly operation A {}
@readonly operation B {}
operation C {}
operation D {}
"#;
        let res = load_sources(vec![("t.smithy".into(), text.into())]);
        let model = &res.model;
        let svc = model.shape(&super::ShapeId::new("t", "S")).unwrap();
        let names: Vec<&str> = model
            .service_operations(svc)
            .iter()
            .map(|id| id.name.as_str())
            .collect();
        // R2 (the last resource) first, its child R3 next (A already
        // listed, the cycle back to R2 ends), then R1.
        assert_eq!(names, ["A", "B", "C", "D"]);
        let op = model.shape(&super::ShapeId::new("t", "A")).unwrap();
        assert!(model.service_operations(op).is_empty());
    }
}
