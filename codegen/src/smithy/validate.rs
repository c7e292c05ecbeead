//! Semantic validation of an assembled [`Model`]: everything the spec requires
//! beyond syntax and name resolution, plus the wasmCloud rules on the traits of
//! `org.wasmcloud.model`.
//!
//! [`validate`] never stops at the first problem: it reports every finding,
//! each with a stable code (see [`codes`](super::codes)), pointing at the most
//! precise span the model keeps (member, member target, trait application,
//! shape reference). The output order is deterministic: sorted by file and
//! position, then code.
//!
//! Trait placement is checked by evaluating each trait definition's
//! `selector` with the subset implemented in [`selector`]; a selector outside
//! that subset is reported once (W0203) and then treated as `*`.

pub mod selector;

use super::diagnostics::Diagnostic;
use super::source::{SourceMap, Span};
use crate::model::{
    IdlVersion, Member, Model, Node, Number, Shape, ShapeId, ShapeKind, ShapeRef, SimpleKind,
    Traits, PRELUDE_NS,
};
use selector::{Graph, Selector, SelectorError};
use std::collections::{HashMap, HashSet};

// ---------------------------------------------------------------------------
// Codes. The table with descriptions for users lives in `codes.rs`.

/// A member targets a shape that does not exist.
pub const E_UNRESOLVED_TARGET: &str = "E0200";
/// An operation, service, resource or mixin reference names a missing shape.
pub const E_UNRESOLVED_REFERENCE: &str = "E0201";
/// A trait is applied that is not defined anywhere.
pub const E_UNKNOWN_TRAIT: &str = "E0202";
/// A shape without `@trait` is applied as a trait.
pub const E_NOT_A_TRAIT: &str = "E0203";
/// Two members of one shape have names equal ignoring case.
pub const E_DUPLICATE_MEMBER: &str = "E0204";
/// A member targets an operation, service, resource or member.
pub const E_INVALID_MEMBER_TARGET: &str = "E0205";
/// A map key does not target a string shape.
pub const E_MAP_KEY_NOT_STRING: &str = "E0206";
/// A trait is applied to a shape its selector does not match.
pub const E_TRAIT_NOT_APPLICABLE: &str = "E0207";
/// A trait value has the wrong type.
pub const E_TRAIT_VALUE_TYPE: &str = "E0208";
/// A trait value lacks a required member.
pub const E_TRAIT_VALUE_MISSING: &str = "E0209";
/// A trait value has a member its shape does not define.
pub const E_TRAIT_VALUE_UNKNOWN: &str = "E0210";
/// A trait value breaks a constraint (enum value, range, length).
pub const E_TRAIT_VALUE_CONSTRAINT: &str = "E0211";
/// Two conflicting traits are applied to one shape.
pub const E_TRAIT_CONFLICT: &str = "E0212";
/// A structurally exclusive trait is used by more than one member.
pub const E_STRUCTURALLY_EXCLUSIVE: &str = "E0213";
/// An enum member value is not a non-empty string.
pub const E_ENUM_VALUE: &str = "E0214";
/// Two enum or intEnum members share a value.
pub const E_DUPLICATE_ENUM_VALUE: &str = "E0215";
/// An intEnum member has no integer value.
pub const E_INT_ENUM_VALUE: &str = "E0216";
/// An IDL 1.0 `@enum` trait has duplicate or inconsistent entries.
pub const E_ENUM_TRAIT: &str = "E0217";
/// `@range` / `@length` bounds are inverted or negative.
pub const E_BOUNDS: &str = "E0218";
/// A `@default` value does not fit the target shape.
pub const E_DEFAULT_VALUE: &str = "E0219";
/// A member targets a shape with `@default` without repeating it.
pub const E_DEFAULT_NOT_REPEATED: &str = "E0220";
/// Operation input or output is not a structure.
pub const E_OPERATION_IO: &str = "E0221";
/// An operation or service error is not a structure marked `@error`.
pub const E_OPERATION_ERROR: &str = "E0222";
/// `@input` / `@output` structures used other than as one operation's input / output.
pub const E_INPUT_OUTPUT_USE: &str = "E0223";
/// Two shapes in a service closure have names equal ignoring case.
pub const E_SERVICE_NAME_CONFLICT: &str = "E0224";
/// A service or resource binding targets the wrong kind of shape.
pub const E_BINDING_KIND: &str = "E0225";
/// A resource identifier does not target a string shape.
pub const E_RESOURCE_IDENTIFIER: &str = "E0226";
/// A non-union member targets `smithy.api#Unit`.
pub const E_UNIT_TARGET: &str = "E0227";
/// An enum, intEnum or union has no members.
pub const E_EMPTY_SHAPE: &str = "E0228";
/// A `@private` shape is referenced from another namespace.
pub const E_PRIVATE_REFERENCE: &str = "E0229";
/// `@box` used in an IDL 2.0 model.
pub const E_BOX_IN_V2: &str = "E0230";
/// A trait definition's selector is not valid selector syntax.
pub const E_INVALID_SELECTOR: &str = "E0231";
/// An operation mixin with an input or output other than `smithy.api#Unit`,
/// or a resource mixin with identifiers, properties, lifecycle operations,
/// operations or resources.
pub const E_MIXIN_PROPERTIES: &str = "E0232";
/// wasmCloud: `@n` on some but not all members of a structure.
pub const E_N_ALL_OR_NONE: &str = "E0250";
/// wasmCloud: two members of a structure share an `@n` value.
pub const E_N_DUPLICATE: &str = "E0251";
/// wasmCloud: `@n` is negative or not an integer.
pub const E_N_INVALID: &str = "E0252";
/// wasmCloud: `@wasmbus(providerReceive: true)` without `contractId`.
pub const E_WASMBUS_CONTRACT: &str = "E0253";
/// wasmCloud: a union used by a protocol "2" service has a member without `@n`.
pub const E_UNION_NEEDS_N: &str = "E0254";

/// A deprecated trait is applied.
pub const W_DEPRECATED_TRAIT: &str = "W0200";
/// A member targets a deprecated shape.
pub const W_DEPRECATED_TARGET: &str = "W0201";
/// A member is both `@required` and has a non-null `@default`.
pub const W_REQUIRED_AND_DEFAULT: &str = "W0202";
/// A trait selector uses features weld does not evaluate.
pub const W_UNSUPPORTED_SELECTOR: &str = "W0203";
/// A trait selector uses a top-level comma (accepted for wasmCloud models).
pub const W_LEGACY_SELECTOR_COMMA: &str = "W0204";
/// An IDL 1.0 service has no version.
pub const W_SERVICE_VERSION: &str = "W0205";
/// `@wasmbus` names an unknown protocol.
pub const W_WASMBUS_PROTOCOL: &str = "W0206";
/// IDL 1.0 only: a trait applied where its selector does not match.
///
/// Rule: placement (selector) mismatches are errors ([`E_TRAIT_NOT_APPLICABLE`])
/// in IDL 2.0 and warnings in IDL 1.0 files, because the Smithy 1.0 tooling
/// wasmCloud used (atelier) never evaluated selectors and published wasmCloud
/// interfaces rely on that (`@range` on `@unsignedInt` shapes, `@n` on union
/// members, `@sensitive` or `@enum` on members). The trait stays in the model.
pub const W_TRAIT_NOT_APPLICABLE_V1: &str = "W0207";
/// IDL 1.0 only: a bare annotation (`@nonEmptyString`) of a trait whose shape
/// takes a simple value (string, number, boolean, ...).
///
/// Rule: in IDL 2.0 this is a value type error ([`E_TRAIT_VALUE_TYPE`]); in
/// IDL 1.0 files it is a warning, because wasmCloud's published model applies
/// its string-shaped trait `nonEmptyString` this way. The value stays `{}`.
pub const W_ANNOTATION_VALUE_V1: &str = "W0208";
/// IDL 1.0 only: a structure in a trait value lacks a required member or has
/// a member its shape does not define.
///
/// Rule: [`E_TRAIT_VALUE_MISSING`] / [`E_TRAIT_VALUE_UNKNOWN`] in IDL 2.0, a
/// warning in IDL 1.0 files: published wasmCloud interfaces write 1.0 `@enum`
/// entries as `{ name, description }` without `value`, which Smithy 1.0 tools
/// used by wasmCloud accepted. Wrong value types stay errors in both.
pub const W_TRAIT_VALUE_MEMBERS_V1: &str = "W0209";

/// Namespace of the wasmCloud model traits.
pub const WASMCLOUD_MODEL_NS: &str = "org.wasmcloud.model";

/// At most this many value errors are reported per trait application.
const MAX_VALUE_ERRORS: usize = 8;

/// What [`validate_with`] checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Also validate the shapes of the `smithy.api` prelude. The prelude is
    /// fixed text checked by weld's own tests, so [`validate`] skips it.
    pub include_prelude: bool,
}

/// Validates an assembled model (prelude shapes excluded). `sources` must
/// hold every file the model's spans point into; it is used to narrow spans
/// (e.g. to one key inside a trait value).
pub fn validate(model: &Model, sources: &SourceMap) -> Vec<Diagnostic> {
    validate_with(model, sources, Options::default())
}

/// [`validate`] with options.
pub fn validate_with(model: &Model, sources: &SourceMap, options: Options) -> Vec<Diagnostic> {
    let mut v = Validator {
        model,
        sources,
        options,
        diags: Vec::new(),
        infos: Vec::new(),
        info_index: HashMap::default(),
        graph: None,
        exclusive: HashMap::default(),
        names_by_lower: None,
        shapes_by_ns: None,
    };
    v.check_trait_definitions();
    for shape in model.shapes.values() {
        if options.include_prelude || !shape.id.is_prelude() {
            v.check_shape(shape);
        }
    }
    v.check_input_output_usage();
    v.finish()
}

struct Validator<'a> {
    model: &'a Model,
    sources: &'a SourceMap,
    options: Options,
    diags: Vec<Diagnostic>,
    /// Per applied trait id: facts about its definition (`None`: unknown).
    infos: Vec<TraitInfo<'a>>,
    /// Trait id -> index in `infos` (`None`: no such shape).
    info_index: HashMap<&'a ShapeId, Option<usize>, FastHash>,
    /// Traits with `structurallyExclusive`, and its value.
    exclusive: HashMap<&'a ShapeId, &'a str, FastHash>,
    /// The model as a numbered graph for selector evaluation (built on first use).
    graph: Option<Graph<'a>>,
    /// Lower-cased shape name -> ids, for suggestions (built lazily).
    names_by_lower: Option<HashMap<String, Vec<ShapeId>, FastHash>>,
    /// Namespace -> indices of its shapes in model order (built lazily).
    shapes_by_ns: Option<HashMap<&'a str, Vec<usize>, FastHash>>,
}

/// The validator hashes short shape ids on every trait application, where
/// SipHash's DoS resistance buys nothing (keys come from the model).
pub(crate) type FastHash = crate::model::FxBuild;

/// What the validator needs to know about one trait definition.
struct TraitInfo<'a> {
    def: &'a Shape,
    /// The definition carries `@trait`.
    is_trait: bool,
    /// Compiled selector (`None`: `*`, or not evaluable).
    selector: Option<Selector>,
    selector_text: &'a str,
    /// Graph nodes the selector returns, computed on first use.
    selected: Option<Vec<u32>>,
    /// Resolved ids of the traits it conflicts with.
    conflicts: Vec<ShapeId>,
    /// Deprecation label, if the definition is deprecated.
    deprecated: Option<String>,
    private: bool,
    /// A string trait without constraints: any string value is valid.
    plain_string: bool,
    /// A structure trait without members: `{}` is the only valid value.
    annotation: bool,
}

/// Where a trait is applied: a shape or one of its members.
#[derive(Clone, Copy)]
enum Holder<'a> {
    Shape(&'a Shape),
    /// A member, with its index in the shape's member list.
    Member(&'a Shape, &'a Member, usize),
}

impl<'a> Holder<'a> {
    fn id(&self) -> ShapeId {
        match self {
            Holder::Shape(s) => s.id.clone(),
            Holder::Member(s, m, _) => s.id.with_member(m.name.clone()),
        }
    }

    fn traits(&self) -> &'a Traits {
        match self {
            Holder::Shape(s) => &s.traits,
            Holder::Member(_, m, _) => &m.traits,
        }
    }

    fn namespace(&self) -> &'a str {
        match self {
            Holder::Shape(s) | Holder::Member(s, _, _) => &s.id.namespace,
        }
    }

    /// The holder's node in the selector graph.
    fn node(&self, graph: &Graph<'_>) -> Option<u32> {
        match self {
            Holder::Shape(s) => graph.node_of(&s.id),
            Holder::Member(s, _, i) => graph.node_of(&s.id).map(|n| n + 1 + *i as u32),
        }
    }
}

fn prelude(name: &str) -> ShapeId {
    ShapeId::prelude(name)
}

fn wasmcloud(name: &str) -> ShapeId {
    ShapeId::new(WASMCLOUD_MODEL_NS, name)
}

/// Ids the validator looks up constantly, built once per process.
struct Ids {
    unit: ShapeId,
    default: ShapeId,
    deprecated: ShapeId,
    enum_: ShapeId,
    enum_value: ShapeId,
    required: ShapeId,
    trait_: ShapeId,
    error: ShapeId,
    private: ShapeId,
    sparse: ShapeId,
    input: ShapeId,
    output: ShapeId,
    length: ShapeId,
    range: ShapeId,
    n: ShapeId,
    wasmbus: ShapeId,
    mixin: ShapeId,
}

impl Ids {
    /// `input` or `output`.
    fn io(&self, what: &str) -> &ShapeId {
        if what == "input" {
            &self.input
        } else {
            &self.output
        }
    }
}

fn ids() -> &'static Ids {
    static IDS: std::sync::OnceLock<Ids> = std::sync::OnceLock::new();
    IDS.get_or_init(|| Ids {
        unit: prelude("Unit"),
        default: prelude("default"),
        deprecated: prelude("deprecated"),
        enum_: prelude("enum"),
        enum_value: prelude("enumValue"),
        required: prelude("required"),
        trait_: prelude("trait"),
        error: prelude("error"),
        private: prelude("private"),
        sparse: prelude("sparse"),
        input: prelude("input"),
        output: prelude("output"),
        length: prelude("length"),
        range: prelude("range"),
        n: wasmcloud("n"),
        wasmbus: wasmcloud("wasmbus"),
        mixin: prelude("mixin"),
    })
}

/// A string compared and hashed ignoring ASCII case.
#[derive(Clone, Copy)]
struct AsciiCaseless<'s>(&'s str);

impl PartialEq for AsciiCaseless<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for AsciiCaseless<'_> {}

impl std::hash::Hash for AsciiCaseless<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
        state.write_u8(0xff);
    }
}

/// Levenshtein distance over chars, case-insensitive.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate within a distance that scales with the name length.
fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let limit = (name.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let d = edit_distance(name, c);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Human description of a node's type for messages.
fn node_kind(n: &Node) -> &'static str {
    match n {
        Node::Null => "null",
        Node::Bool(_) => "a boolean",
        Node::Number(_) => "a number",
        Node::String(_) => "a string",
        Node::Array(_) => "a list",
        Node::Object(_) => "an object",
    }
}

/// Describes a shape kind with an article, for messages.
fn kind_phrase(kind: &ShapeKind) -> String {
    let k = kind.keyword();
    let article = if k.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {k}")
}

/// Compact rendering of a node for messages.
fn node_display(n: &Node) -> String {
    match n {
        Node::Null => "null".into(),
        Node::Bool(b) => b.to_string(),
        Node::Number(Number::Int(i)) => i.to_string(),
        Node::Number(Number::Float(f)) => f.to_string(),
        Node::Number(Number::BigInt(s)) => s.clone(),
        Node::String(s) => format!("{s:?}"),
        Node::Array(a) => format!("[{} items]", a.len()),
        Node::Object(o) => format!("{{{} entries}}", o.len()),
    }
}

/// One value error found while checking a node against a shape.
struct ValueError {
    code: &'static str,
    /// Key path inside the value, e.g. `entries[2].name`.
    path: String,
    /// The last object key involved, used to narrow the span.
    key: Option<String>,
    message: String,
}

impl<'a> Validator<'a> {
    fn finish(mut self) -> Vec<Diagnostic> {
        // Mixins copy members (and their spans) into every shape that uses
        // them, so the same finding may be produced several times.
        let mut seen: HashSet<_, FastHash> = HashSet::default();
        let mut out: Vec<Diagnostic> = Vec::new();
        for d in self.diags.drain(..) {
            let key = (
                d.code,
                d.span.map(|s| (s.file, s.start, s.end)),
                d.message.clone(),
            );
            if seen.insert(key) {
                out.push(d);
            }
        }
        out.sort_by(|a, b| {
            let ka = a.span.map(|s| (s.file, s.start, s.end));
            let kb = b.span.map(|s| (s.file, s.start, s.end));
            ka.cmp(&kb).then_with(|| a.code.cmp(b.code))
        });
        out
    }

    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn version_of(&self, namespace: &str) -> IdlVersion {
        self.model
            .namespace_versions
            .get(namespace)
            .copied()
            .unwrap_or_default()
    }

    /// Narrows `span` to the first occurrence of `key` (as an identifier or a
    /// quoted string) inside it, so value errors point at the offending key.
    fn narrow(&self, span: Span, key: &str) -> Span {
        if key.is_empty() || (span.file.0 as usize) >= self.sources.iter().count() {
            return span;
        }
        let text = &self.sources.get(span.file).text;
        let Some(slice) = text.get(span.range()) else {
            return span;
        };
        let bytes = slice.as_bytes();
        let mut from = 0;
        while let Some(i) = slice[from..].find(key) {
            let start = from + i;
            let end = start + key.len();
            let before = if start == 0 { b' ' } else { bytes[start - 1] };
            let after = bytes.get(end).copied().unwrap_or(b' ');
            let ident = |c: u8| {
                c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c == b'#' || c == b'.'
            };
            if !ident(before) && !ident(after) {
                let (s, e) = if before == b'"' && after == b'"' {
                    (start - 1, end + 1)
                } else {
                    (start, end)
                };
                return Span::new(span.file, span.start as usize + s, span.start as usize + e);
            }
            from = end;
        }
        span
    }

    // -----------------------------------------------------------------------
    // Names and suggestions.

    fn suggestion(&mut self, missing: &ShapeId, only_traits: bool) -> Option<String> {
        let model = self.model;
        // Candidates: the missing id's namespace and the public prelude, in
        // model order. Indexed by namespace once, so many unresolved
        // references do not each scan every shape.
        let by_ns = self.shapes_by_ns.get_or_insert_with(|| {
            let mut m: HashMap<&'a str, Vec<usize>, FastHash> = HashMap::default();
            for (i, s) in model.shapes.values().enumerate() {
                m.entry(s.id.namespace.as_str()).or_default().push(i);
            }
            m
        });
        let own = by_ns
            .get(missing.namespace.as_str())
            .map_or(&[][..], Vec::as_slice);
        let prelude_ns = if missing.is_prelude() {
            &[][..]
        } else {
            by_ns.get(PRELUDE_NS).map_or(&[][..], Vec::as_slice)
        };
        let mut ns_candidates: Vec<&Shape> = Vec::new();
        let (mut x, mut y) = (0, 0);
        // Merge the two ascending index lists back into model order.
        while x < own.len() || y < prelude_ns.len() {
            let from_own = y >= prelude_ns.len() || (x < own.len() && own[x] < prelude_ns[y]);
            let i = if from_own {
                x += 1;
                own[x - 1]
            } else {
                y += 1;
                prelude_ns[y - 1]
            };
            let Some((_, s)) = model.shapes.get_index(i) else {
                continue;
            };
            if (from_own || !s.traits.contains_key(&ids().private))
                && (!only_traits || s.traits.contains_key(&ids().trait_))
            {
                ns_candidates.push(s);
            }
        }
        if let Some(name) = closest(
            &missing.name,
            ns_candidates.iter().map(|s| s.id.name.as_str()),
        ) {
            return Some(format!("did you mean `{name}`?"));
        }
        // Same name in another namespace: a missing `use` statement.
        let index = self.names_by_lower.get_or_insert_with(|| {
            let mut m: HashMap<String, Vec<ShapeId>, FastHash> = HashMap::default();
            for s in model.shapes.values() {
                m.entry(s.id.name.to_lowercase())
                    .or_default()
                    .push(s.id.clone());
            }
            m
        });
        let others: Vec<&ShapeId> = index
            .get(&missing.name.to_lowercase())
            .map(|v| {
                v.iter()
                    .filter(|id| id.namespace != missing.namespace)
                    .collect()
            })
            .unwrap_or_default();
        let other = others.iter().find(|id| {
            !only_traits
                || model
                    .shape(id)
                    .is_some_and(|s| s.traits.contains_key(&ids().trait_))
        })?;
        Some(format!(
            "`{other}` exists: add `use {other}` or write the absolute shape id"
        ))
    }

    /// Reports a reference to a missing shape; returns the target if present.
    fn resolve(
        &mut self,
        id: &ShapeId,
        span: Span,
        code: &'static str,
        what: &str,
    ) -> Option<&'a Shape> {
        if let Some(s) = self.model.shape(id) {
            return Some(s);
        }
        let mut d = Diagnostic::error(code, span, format!("{what} `{id}` is not defined"))
            .with_label("no shape with this id");
        if let Some(s) = self.suggestion(id, false) {
            d = d.with_note(s);
        }
        self.push(d);
        None
    }

    fn check_private(&mut self, from_ns: &str, target: &Shape, span: Span) {
        if target.id.namespace != from_ns && target.traits.contains_key(&ids().private) {
            self.push(
                Diagnostic::error(
                    E_PRIVATE_REFERENCE,
                    span,
                    format!(
                        "`{}` is private to namespace `{}`",
                        target.id, target.id.namespace
                    ),
                )
                .with_label("cannot be referenced from here")
                .with_secondary(target.span, "marked @private here"),
            );
        }
    }

    // -----------------------------------------------------------------------
    // Trait definitions and selectors.

    fn check_trait_definitions(&mut self) {
        for shape in self.model.shapes.values() {
            let Some(tv) = shape.traits.get(&ids().trait_) else {
                continue;
            };
            let sel = tv
                .value
                .get("selector")
                .and_then(Node::as_str)
                .unwrap_or("*");
            if let Some(kind) = tv.value.get("structurallyExclusive").and_then(Node::as_str) {
                self.exclusive.insert(&shape.id, kind);
            }
            // Prelude selectors are known good: compile them when first used.
            if !self.options.include_prelude && shape.id.is_prelude() {
                continue;
            }
            let span = self.narrow(tv.span, "selector");
            let parsed = Selector::parse(sel);
            match parsed {
                Ok(s) => {
                    if s.uses_legacy_comma() {
                        self.push(
                            Diagnostic::warning(
                                W_LEGACY_SELECTOR_COMMA,
                                span,
                                format!("selector of trait `{}` separates alternatives with a top-level comma", shape.id),
                            )
                            .with_label("not standard Smithy")
                            .with_note(format!("write `:is({sel})` instead; weld reads it as an alternation")),
                        );
                    }
                }
                Err(SelectorError::Unsupported(what)) => {
                    self.push(
                        Diagnostic::warning(
                            W_UNSUPPORTED_SELECTOR,
                            span,
                            format!(
                                "weld cannot evaluate the selector of trait `{}` ({what})",
                                shape.id
                            ),
                        )
                        .with_label("placement of this trait is not checked"),
                    );
                }
                Err(SelectorError::Syntax { offset, message }) => {
                    self.push(
                        Diagnostic::error(
                            E_INVALID_SELECTOR,
                            span,
                            format!("invalid selector for trait `{}`: {message}", shape.id),
                        )
                        .with_label(format!("error at offset {offset} of `{sel}`")),
                    );
                }
            }
        }
    }

    // -----------------------------------------------------------------------
    // Per-shape checks.

    fn check_shape(&mut self, shape: &'a Shape) {
        let ns = shape.id.namespace.as_str();
        self.check_traits(Holder::Shape(shape));
        for (i, m) in shape.members.iter().enumerate() {
            self.check_traits(Holder::Member(shape, m, i));
        }
        self.check_members(shape);
        for mixin in &shape.mixins {
            if let Some(t) = self.resolve(&mixin.id, mixin.span, E_UNRESOLVED_REFERENCE, "mixin") {
                self.check_private(ns, t, mixin.span);
            }
        }
        match &shape.kind {
            ShapeKind::Operation(op) => self.check_operation(shape, op),
            ShapeKind::Service(svc) => self.check_service(shape, svc),
            ShapeKind::Resource(res) => self.check_resource(shape, res),
            ShapeKind::Enum => self.check_enum(shape),
            ShapeKind::IntEnum => self.check_int_enum(shape),
            ShapeKind::Union if shape.members.is_empty() => {
                self.push(
                    Diagnostic::error(
                        E_EMPTY_SHAPE,
                        shape.span,
                        format!("union `{}` has no members", shape.id),
                    )
                    .with_label("a union needs at least one member"),
                );
            }
            _ => {}
        }
        if let Some(tv) = shape.traits.get(&ids().default) {
            self.check_root_default(shape, &tv.value, tv.span);
        }
        self.check_structurally_exclusive(shape);
        self.check_wasmcloud_numbers(shape);
    }

    fn check_members(&mut self, shape: &'a Shape) {
        let ns = shape.id.namespace.as_str();
        // Member names are case-insensitive. Identifiers are ASCII, so fold
        // ASCII case without allocating; any other name takes the Unicode path.
        let ascii = shape.members.iter().all(|m| m.name.is_ascii());
        // Most shapes have a handful of members: comparing each name with
        // the earlier ones (length first) is cheaper than building a map;
        // the map only pays off for long member lists.
        const SCAN_MAX: usize = 16;
        let scan = ascii && shape.members.len() <= SCAN_MAX;
        let mut seen_ascii: HashMap<AsciiCaseless<'a>, &Member, FastHash> = HashMap::default();
        if ascii && !scan {
            seen_ascii.reserve(shape.members.len());
        }
        let mut seen: HashMap<String, &Member, FastHash> = HashMap::default();
        for (i, m) in shape.members.iter().enumerate() {
            let first = if scan {
                shape.members[..i]
                    .iter()
                    .find(|f| f.name.eq_ignore_ascii_case(&m.name))
            } else if ascii {
                seen_ascii.get(&AsciiCaseless(&m.name)).copied()
            } else {
                seen.get(&m.name.to_lowercase()).copied()
            };
            if let Some(first) = first {
                let msg = if first.name == m.name {
                    format!("member `{}` is defined twice in `{}`", m.name, shape.id)
                } else {
                    format!(
                        "member `{}` conflicts with `{}` in `{}` (member names are case-insensitive)",
                        m.name, first.name, shape.id
                    )
                };
                self.push(
                    Diagnostic::error(E_DUPLICATE_MEMBER, m.span, msg)
                        .with_label("duplicate member")
                        .with_secondary(first.span, "first defined here"),
                );
            } else if scan {
                // Found again by the scan over `shape.members[..i]`.
            } else if ascii {
                seen_ascii.insert(AsciiCaseless(&m.name), m);
            } else {
                seen.insert(m.name.to_lowercase(), m);
            }
            // Enum members implicitly target Unit; nothing to resolve there.
            if matches!(shape.kind, ShapeKind::Enum | ShapeKind::IntEnum) {
                continue;
            }
            let Some(target) = self.resolve(
                &m.target,
                m.target_span,
                E_UNRESOLVED_TARGET,
                "member target",
            ) else {
                continue;
            };
            self.check_io_member_target(m, target);
            if m.target.member.is_some() {
                self.push(
                    Diagnostic::error(
                        E_INVALID_MEMBER_TARGET,
                        m.target_span,
                        format!("member `{}` targets the member `{}`", m.name, m.target),
                    )
                    .with_label("members cannot target members"),
                );
                continue;
            }
            self.check_private(ns, target, m.target_span);
            if matches!(
                target.kind,
                ShapeKind::Operation(_) | ShapeKind::Service(_) | ShapeKind::Resource(_)
            ) {
                self.push(
                    Diagnostic::error(
                        E_INVALID_MEMBER_TARGET,
                        m.target_span,
                        format!(
                            "member `{}` of `{}` targets {} `{}`",
                            m.name,
                            shape.id,
                            kind_phrase(&target.kind),
                            target.id
                        ),
                    )
                    .with_label("members must target data shapes")
                    .with_secondary(target.span, "defined here"),
                );
                continue;
            }
            if target.id == ids().unit && !matches!(shape.kind, ShapeKind::Union) {
                self.push(
                    Diagnostic::error(
                        E_UNIT_TARGET,
                        m.target_span,
                        format!(
                            "member `{}` of {} targets `smithy.api#Unit`",
                            m.name,
                            kind_phrase(&shape.kind)
                        ),
                    )
                    .with_label("only union members may target Unit"),
                );
            }
            if matches!(shape.kind, ShapeKind::Map)
                && m.name == "key"
                && !self.is_string_like(target)
            {
                self.push(
                    Diagnostic::error(
                        E_MAP_KEY_NOT_STRING,
                        m.target_span,
                        format!(
                            "map key of `{}` targets {} `{}`",
                            shape.id,
                            kind_phrase(&target.kind),
                            target.id
                        ),
                    )
                    .with_label("map keys must target a string shape"),
                );
            }
            if let Some(tv) = self.deprecated_note(target) {
                self.push(
                    Diagnostic::warning(
                        W_DEPRECATED_TARGET,
                        m.target_span,
                        format!("`{}` is deprecated", target.id),
                    )
                    .with_label(tv)
                    .with_secondary(target.span, "deprecated here"),
                );
            }
            if matches!(shape.kind, ShapeKind::Structure) {
                self.check_member_default(shape, m, target);
            }
        }
    }

    fn is_string_like(&self, s: &Shape) -> bool {
        matches!(
            s.kind,
            ShapeKind::Simple(SimpleKind::String) | ShapeKind::Enum
        )
    }

    /// `Some(message)` if the shape carries `@deprecated`.
    fn deprecated_note(&self, s: &Shape) -> Option<String> {
        let v = s.trait_value(&ids().deprecated)?;
        let mut msg = String::from("deprecated");
        if let Some(since) = v.get("since").and_then(Node::as_str) {
            msg.push_str(&format!(" since {since}"));
        }
        if let Some(m) = v.get("message").and_then(Node::as_str) {
            msg.push_str(&format!(": {m}"));
        }
        Some(msg)
    }

    // -----------------------------------------------------------------------
    // Traits.

    /// Computes and caches [`TraitInfo`] for `trait_id` (facts computed once
    /// per validation); its index in `infos`, `None` if no such shape.
    fn trait_info_index(&mut self, trait_id: &'a ShapeId) -> Option<usize> {
        if let Some(i) = self.info_index.get(trait_id) {
            return *i;
        }
        {
            let info = self.model.shapes.get(trait_id).map(|def| {
                let def_trait = def.trait_value(&ids().trait_);
                let selector =
                    def_trait.map(|t| t.get("selector").and_then(Node::as_str).unwrap_or("*"));
                let conflicts = def_trait
                    .and_then(|t| t.get("conflicts"))
                    .and_then(Node::as_array)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Node::as_str)
                    .filter_map(|c| {
                        if c.contains('#') {
                            ShapeId::parse(c)
                        } else {
                            let local = ShapeId::new(def.id.namespace.clone(), c);
                            Some(if self.model.shape(&local).is_some() {
                                local
                            } else {
                                prelude(c)
                            })
                        }
                    })
                    .collect();
                let constrained = [&ids().length, &ids().enum_, &ids().range]
                    .iter()
                    .any(|t| def.traits.contains_key(*t));
                TraitInfo {
                    def,
                    is_trait: def_trait.is_some(),
                    selector: selector
                        .and_then(|s| Selector::parse(s).ok())
                        .filter(|s| !s.is_match_all()),
                    selector_text: selector.unwrap_or("*"),
                    selected: None,
                    conflicts,
                    deprecated: self.deprecated_note(def),
                    private: def.traits.contains_key(&ids().private),
                    plain_string: matches!(def.kind, ShapeKind::Simple(SimpleKind::String))
                        && !constrained,
                    annotation: matches!(def.kind, ShapeKind::Structure) && def.members.is_empty(),
                }
            });
            let index = info.map(|info| {
                self.infos.push(info);
                self.infos.len() - 1
            });
            self.info_index.insert(trait_id, index);
            index
        }
    }

    fn check_traits(&mut self, holder: Holder<'a>) {
        let traits = holder.traits();
        let mut reported_conflicts: Vec<(&ShapeId, &ShapeId)> = Vec::new();
        for (trait_id, tv) in traits {
            let Some(idx) = self.trait_info_index(trait_id) else {
                let mut d = Diagnostic::error(
                    E_UNKNOWN_TRAIT,
                    tv.span,
                    format!("unknown trait `{trait_id}`"),
                )
                .with_label("no trait with this id is defined");
                if let Some(s) = self.suggestion(trait_id, true) {
                    d = d.with_note(s);
                }
                self.push(d);
                continue;
            };
            let (def, is_trait, private) = {
                let i = &self.infos[idx];
                (i.def, i.is_trait, i.private)
            };
            if !is_trait {
                self.push(
                    Diagnostic::error(
                        E_NOT_A_TRAIT,
                        tv.span,
                        format!("`{trait_id}` is {} but not a trait", kind_phrase(&def.kind)),
                    )
                    .with_label("applied as a trait here")
                    .with_secondary(def.span, "defined here without @trait"),
                );
                continue;
            }
            if private && def.id.namespace != holder.namespace() {
                self.check_private(holder.namespace(), def, tv.span);
            }

            // Placement.
            let misplaced = {
                let model = self.model;
                let include_prelude = self.options.include_prelude;
                let info = &mut self.infos[idx];
                match &info.selector {
                    None => None,
                    Some(sel) => {
                        let graph = self.graph.get_or_insert_with(|| Graph::new(model));
                        let matched = match holder.node(graph) {
                            None => false,
                            Some(n) => match sel.matches_node(graph, n) {
                                Some(m) => m,
                                None => {
                                    let allowed = info.selected.get_or_insert_with(|| {
                                        if include_prelude {
                                            sel.select_in(graph)
                                        } else {
                                            sel.select_from(graph, graph.user_nodes())
                                        }
                                    });
                                    allowed.binary_search(&n).is_ok()
                                }
                            },
                        };
                        (!matched).then_some(info.selector_text)
                    }
                }
            };
            {
                if let Some(sel) = misplaced {
                    let what = match holder {
                        Holder::Shape(s) => kind_phrase(&s.kind),
                        Holder::Member(s, m, _) => match self.model.shape(&m.target) {
                            Some(t) => format!(
                                "a member of {} targeting {}",
                                kind_phrase(&s.kind),
                                kind_phrase(&t.kind)
                            ),
                            None => format!("a member of {}", kind_phrase(&s.kind)),
                        },
                    };
                    let holder_id = holder.id();
                    let message = format!(
                        "trait `@{}` cannot be applied to `{holder_id}`",
                        trait_id.name
                    );
                    let v1 = self.version_of(holder.namespace()) == IdlVersion::V1;
                    let d = if v1 {
                        Diagnostic::warning(W_TRAIT_NOT_APPLICABLE_V1, tv.span, message)
                    } else {
                        Diagnostic::error(E_TRAIT_NOT_APPLICABLE, tv.span, message)
                    };
                    let mut d = d
                        .with_label(format!("not allowed on {what}"))
                        .with_note(format!(
                            "`@{}` may only be applied to shapes matching `{sel}`",
                            trait_id.name
                        ));
                    if v1 {
                        d = d.with_note(
                            "a warning in IDL 1.0 files, which Smithy 1.0 tools used by \
                             wasmCloud accepted; an error in IDL 2.0",
                        );
                    }
                    self.push(d);
                }
            }
            let info = &self.infos[idx];

            // Conflicts.
            let mut conflict_diags = Vec::new();
            for other in &info.conflicts {
                let Some((other, other_tv)) = traits.get_key_value(other) else {
                    continue;
                };
                let pair = if trait_id < other {
                    (trait_id, other)
                } else {
                    (other, trait_id)
                };
                if reported_conflicts.contains(&pair) {
                    continue;
                }
                reported_conflicts.push(pair);
                let (first, second, first_tv, second_tv) = if other_tv.span.start <= tv.span.start {
                    (other, trait_id, other_tv, tv)
                } else {
                    (trait_id, other, tv, other_tv)
                };
                conflict_diags.push(
                    Diagnostic::error(
                        E_TRAIT_CONFLICT,
                        second_tv.span,
                        format!(
                            "traits `@{}` and `@{}` conflict on `{}`",
                            first.name,
                            second.name,
                            holder.id()
                        ),
                    )
                    .with_label("conflicting trait")
                    .with_secondary(first_tv.span, "conflicts with this one"),
                );
            }

            // Deprecation (the 1.0 @enum trait is the norm in 1.0 models).
            if let Some(note) = &info.deprecated {
                let v1_enum = *trait_id == ids().enum_
                    && self.version_of(holder.namespace()) == IdlVersion::V1;
                if !v1_enum {
                    conflict_diags.push(
                        Diagnostic::warning(
                            W_DEPRECATED_TRAIT,
                            tv.span,
                            format!("trait `@{}` is deprecated", trait_id.name),
                        )
                        .with_label(note.clone()),
                    );
                }
            }

            // Value: fast paths for the common plain-string and annotation traits.
            let fast_ok = match &tv.value {
                Node::String(_) => info.plain_string,
                Node::Object(o) => info.annotation && o.is_empty(),
                _ => false,
            };
            self.diags.append(&mut conflict_diags);
            if !fast_ok {
                let bare_simple = matches!(&tv.value, Node::Object(o) if o.is_empty())
                    && matches!(def.kind, ShapeKind::Simple(k) if k != SimpleKind::Document);
                if bare_simple && self.version_of(holder.namespace()) == IdlVersion::V1 {
                    self.push(
                        Diagnostic::warning(
                            W_ANNOTATION_VALUE_V1,
                            tv.span,
                            format!(
                                "trait `@{}` takes {} but is applied without a value",
                                trait_id.name,
                                kind_phrase(&def.kind)
                            ),
                        )
                        .with_label("no value")
                        .with_note(
                            "a warning in IDL 1.0 files (published wasmCloud models apply \
                             `@nonEmptyString` this way); an error in IDL 2.0",
                        ),
                    );
                } else {
                    let v1 = self.version_of(holder.namespace()) == IdlVersion::V1;
                    self.check_trait_value(trait_id, def, tv.span, &tv.value, v1);
                }
            }
            self.check_special_trait(holder, trait_id, tv.span, &tv.value);
        }
    }

    /// Checks a trait value against the trait's shape; `v1`: applied in an
    /// IDL 1.0 namespace (see [`W_TRAIT_VALUE_MEMBERS_V1`]).
    fn check_trait_value(
        &mut self,
        trait_id: &ShapeId,
        def: &'a Shape,
        span: Span,
        value: &Node,
        v1: bool,
    ) {
        // The wasmCloud @n rules are reported by their own check (E0252).
        if *trait_id == ids().n {
            return;
        }
        let mut errors = Vec::new();
        // A bare annotation (`@tags`) is `{}`; list traits read it as `[]`.
        let empty_list = Node::Array(Vec::new());
        let value = match (&def.kind, value) {
            (ShapeKind::List | ShapeKind::Set, Node::Object(o)) if o.is_empty() => &empty_list,
            _ => value,
        };
        self.check_node(value, &def.id, None, String::new(), None, &mut errors);
        for e in errors.into_iter().take(MAX_VALUE_ERRORS) {
            let at = match (&e.key, value) {
                (Some(k), _) => self.narrow(span, k),
                // A whole-value problem with a string: point at the literal.
                (None, Node::String(v)) => self.narrow_nth(span, &format!("\"{v}\""), 0),
                (None, _) => span,
            };
            let where_ = if e.path.is_empty() {
                String::new()
            } else {
                format!(" at `{}`", e.path)
            };
            let message = format!(
                "invalid value for trait `@{}`{where_}: {}",
                trait_id.name, e.message
            );
            let lenient =
                v1 && (e.code == E_TRAIT_VALUE_MISSING || e.code == E_TRAIT_VALUE_UNKNOWN);
            let d = if lenient {
                Diagnostic::warning(W_TRAIT_VALUE_MEMBERS_V1, at, message).with_note(
                    "a warning in IDL 1.0 files, which Smithy 1.0 tools used by wasmCloud \
                     accepted; an error in IDL 2.0",
                )
            } else {
                Diagnostic::error(e.code, at, message)
            };
            self.push(d.with_label(e.message.clone()));
        }
    }

    /// Checks `node` against the shape `target` (with extra constraint traits
    /// from the member that led here, if any).
    fn check_node(
        &self,
        node: &Node,
        target: &ShapeId,
        member_traits: Option<&Traits>,
        path: String,
        key: Option<String>,
        errors: &mut Vec<ValueError>,
    ) {
        if errors.len() >= MAX_VALUE_ERRORS {
            return;
        }
        let Some(shape) = self.model.shape(target) else {
            return; // unresolved targets are reported elsewhere
        };
        let err = |code, message: String| ValueError {
            code,
            path: path.clone(),
            key: key.clone(),
            message,
        };
        if let ShapeKind::Simple(SimpleKind::Document) = shape.kind {
            return;
        }
        if matches!(node, Node::Null) {
            // Nulls are only valid in sparse collections (handled by the caller).
            errors.push(err(
                E_TRAIT_VALUE_TYPE,
                format!(
                    "expected a value for {}, found null",
                    kind_phrase(&shape.kind)
                ),
            ));
            return;
        }
        let constraint = |name: &ShapeId| -> Option<&Node> {
            member_traits
                .and_then(|t| t.get(name))
                .map(|tv| &tv.value)
                .or_else(|| shape.trait_value(name))
        };
        let check_length = |len: usize, errors: &mut Vec<ValueError>| {
            if let Some(l) = constraint(&ids().length) {
                let min = l.get("min").and_then(Node::as_i64);
                let max = l.get("max").and_then(Node::as_i64);
                let len = len as i64;
                if min.is_some_and(|m| len < m) || max.is_some_and(|m| len > m) {
                    errors.push(err(
                        E_TRAIT_VALUE_CONSTRAINT,
                        format!(
                            "length {len} is outside the allowed range {}..={}",
                            min.map(|m| m.to_string()).unwrap_or_default(),
                            max.map(|m| m.to_string()).unwrap_or_default()
                        ),
                    ));
                }
            }
        };
        match &shape.kind {
            ShapeKind::Simple(k) => {
                use SimpleKind as K;
                match k {
                    K::String => match node {
                        Node::String(s) => {
                            check_length(s.chars().count(), errors);
                            if let Some(entries) = constraint(&ids().enum_).and_then(Node::as_array)
                            {
                                let values: Vec<&str> = entries
                                    .iter()
                                    .filter_map(|e| e.get("value").and_then(Node::as_str))
                                    .collect();
                                if !values.contains(&s.as_str()) {
                                    errors.push(err(
                                        E_TRAIT_VALUE_CONSTRAINT,
                                        format!("{s:?} is not one of {}", quote_list(&values)),
                                    ));
                                }
                            }
                        }
                        other => errors.push(err(
                            E_TRAIT_VALUE_TYPE,
                            format!("expected a string, found {}", node_kind(other)),
                        )),
                    },
                    K::Blob => match node {
                        Node::String(s) => check_length(s.len(), errors),
                        other => errors.push(err(
                            E_TRAIT_VALUE_TYPE,
                            format!("expected a string (blob), found {}", node_kind(other)),
                        )),
                    },
                    K::Boolean => {
                        if !matches!(node, Node::Bool(_)) {
                            errors.push(err(
                                E_TRAIT_VALUE_TYPE,
                                format!("expected a boolean, found {}", node_kind(node)),
                            ));
                        }
                    }
                    K::Timestamp => {
                        if !matches!(node, Node::String(_) | Node::Number(_)) {
                            errors.push(err(
                                E_TRAIT_VALUE_TYPE,
                                format!(
                                    "expected a timestamp (string or number), found {}",
                                    node_kind(node)
                                ),
                            ));
                        }
                    }
                    K::Document => {}
                    K::Byte
                    | K::Short
                    | K::Integer
                    | K::Long
                    | K::BigInteger
                    | K::Float
                    | K::Double
                    | K::BigDecimal => {
                        let Node::Number(n) = node else {
                            errors.push(err(
                                E_TRAIT_VALUE_TYPE,
                                format!(
                                    "expected {} number, found {}",
                                    kind_phrase(&shape.kind),
                                    node_kind(node)
                                ),
                            ));
                            return;
                        };
                        if let Some(msg) = number_fits(n, *k) {
                            errors.push(err(E_TRAIT_VALUE_TYPE, msg));
                            return;
                        }
                        if let Some(r) = constraint(&ids().range) {
                            let v = n.as_f64();
                            let min = r.get("min").and_then(node_f64);
                            let max = r.get("max").and_then(node_f64);
                            if min.is_some_and(|m| v < m) || max.is_some_and(|m| v > m) {
                                errors.push(err(
                                    E_TRAIT_VALUE_CONSTRAINT,
                                    format!(
                                        "{} is outside the allowed range {}..={}",
                                        node_display(node),
                                        min.map(|m| m.to_string()).unwrap_or_default(),
                                        max.map(|m| m.to_string()).unwrap_or_default()
                                    ),
                                ));
                            }
                        }
                    }
                }
            }
            ShapeKind::Enum => {
                let Node::String(s) = node else {
                    errors.push(err(
                        E_TRAIT_VALUE_TYPE,
                        format!(
                            "expected a string ({}), found {}",
                            shape.id.name,
                            node_kind(node)
                        ),
                    ));
                    return;
                };
                let values = enum_values(shape);
                if !values.iter().any(|v| v == s) {
                    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
                    errors.push(err(
                        E_TRAIT_VALUE_CONSTRAINT,
                        format!("{s:?} is not one of {}", quote_list(&refs)),
                    ));
                }
            }
            ShapeKind::IntEnum => {
                let Some(i) = node.as_i64() else {
                    errors.push(err(
                        E_TRAIT_VALUE_TYPE,
                        format!(
                            "expected an integer ({}), found {}",
                            shape.id.name,
                            node_kind(node)
                        ),
                    ));
                    return;
                };
                let values: Vec<i64> = shape
                    .members
                    .iter()
                    .filter_map(|m| m.trait_value(&ids().enum_value).and_then(Node::as_i64))
                    .collect();
                if !values.contains(&i) {
                    errors.push(err(
                        E_TRAIT_VALUE_CONSTRAINT,
                        format!("{i} is not a value of intEnum `{}`", shape.id),
                    ));
                }
            }
            ShapeKind::List | ShapeKind::Set => {
                let Node::Array(items) = node else {
                    errors.push(err(
                        E_TRAIT_VALUE_TYPE,
                        format!("expected a list, found {}", node_kind(node)),
                    ));
                    return;
                };
                check_length(items.len(), errors);
                if let Some(m) = shape.member("member") {
                    let sparse = shape.traits.contains_key(&ids().sparse);
                    for (i, item) in items.iter().enumerate() {
                        if sparse && matches!(item, Node::Null) {
                            continue;
                        }
                        self.check_node(
                            item,
                            &m.target,
                            Some(&m.traits),
                            format!("{path}[{i}]"),
                            key.clone(),
                            errors,
                        );
                    }
                }
            }
            ShapeKind::Map => {
                let Node::Object(entries) = node else {
                    errors.push(err(
                        E_TRAIT_VALUE_TYPE,
                        format!("expected an object (map), found {}", node_kind(node)),
                    ));
                    return;
                };
                check_length(entries.len(), errors);
                let (km, vm) = (shape.member("key"), shape.member("value"));
                for (k, v) in entries {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    if let Some(km) = km {
                        self.check_node(
                            &Node::String(k.clone()),
                            &km.target,
                            Some(&km.traits),
                            p.clone(),
                            Some(k.clone()),
                            errors,
                        );
                    }
                    if let Some(vm) = vm {
                        if matches!(v, Node::Null) && shape.traits.contains_key(&ids().sparse) {
                            continue;
                        }
                        self.check_node(
                            v,
                            &vm.target,
                            Some(&vm.traits),
                            p,
                            Some(k.clone()),
                            errors,
                        );
                    }
                }
            }
            ShapeKind::Structure => {
                let Node::Object(entries) = node else {
                    errors.push(err(
                        E_TRAIT_VALUE_TYPE,
                        format!(
                            "expected an object ({}), found {}",
                            shape.id.name,
                            node_kind(node)
                        ),
                    ));
                    return;
                };
                for (k, v) in entries {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    match shape.member(k) {
                        Some(m) => self.check_node(
                            v,
                            &m.target,
                            Some(&m.traits),
                            p,
                            Some(k.clone()),
                            errors,
                        ),
                        None => {
                            let names: Vec<&str> =
                                shape.members.iter().map(|m| m.name.as_str()).collect();
                            let hint = match closest(k, names.iter().copied()) {
                                Some(c) => format!("; did you mean `{c}`?"),
                                None if names.is_empty() => String::from("; it takes no members"),
                                None => format!("; expected one of {}", quote_list(&names)),
                            };
                            errors.push(ValueError {
                                code: E_TRAIT_VALUE_UNKNOWN,
                                path: p,
                                key: Some(k.clone()),
                                message: format!("`{}` has no member `{k}`{hint}", shape.id.name),
                            });
                        }
                    }
                }
                for m in &shape.members {
                    if m.traits.contains_key(&ids().required)
                        && !m.traits.contains_key(&ids().default)
                        && !entries.contains_key(&m.name)
                    {
                        errors.push(err(
                            E_TRAIT_VALUE_MISSING,
                            format!("missing required member `{}`", m.name),
                        ));
                    }
                }
            }
            ShapeKind::Union => {
                let Node::Object(entries) = node else {
                    errors.push(err(
                        E_TRAIT_VALUE_TYPE,
                        format!(
                            "expected an object ({}), found {}",
                            shape.id.name,
                            node_kind(node)
                        ),
                    ));
                    return;
                };
                if entries.len() != 1 {
                    errors.push(err(
                        E_TRAIT_VALUE_TYPE,
                        format!(
                            "a union value sets exactly one member, found {}",
                            entries.len()
                        ),
                    ));
                }
                for (k, v) in entries {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    match shape.member(k) {
                        Some(m) => self.check_node(
                            v,
                            &m.target,
                            Some(&m.traits),
                            p,
                            Some(k.clone()),
                            errors,
                        ),
                        None => errors.push(ValueError {
                            code: E_TRAIT_VALUE_UNKNOWN,
                            path: p,
                            key: Some(k.clone()),
                            message: format!("union `{}` has no member `{k}`", shape.id.name),
                        }),
                    }
                }
            }
            ShapeKind::Service(_) | ShapeKind::Operation(_) | ShapeKind::Resource(_) => {
                errors.push(err(
                    E_TRAIT_VALUE_TYPE,
                    format!("`{}` is not a data shape", shape.id),
                ));
            }
        }
    }

    /// Rules attached to particular prelude traits.
    fn check_special_trait(
        &mut self,
        holder: Holder<'a>,
        trait_id: &ShapeId,
        span: Span,
        value: &Node,
    ) {
        if !trait_id.is_prelude() {
            if *trait_id == ids().wasmbus {
                if let Holder::Shape(s) = holder {
                    self.check_wasmbus(s, span, value);
                }
            }
            return;
        }
        match trait_id.name.as_str() {
            "range" | "length" => {
                let (min, max) = (
                    value.get("min").and_then(node_f64),
                    value.get("max").and_then(node_f64),
                );
                if let (Some(a), Some(b)) = (min, max) {
                    if a > b {
                        self.push(
                            Diagnostic::error(
                                E_BOUNDS,
                                self.narrow(span, "min"),
                                format!(
                                    "`@{}` minimum {a} is greater than its maximum {b}",
                                    trait_id.name
                                ),
                            )
                            .with_label("min > max: no value can satisfy this"),
                        );
                    }
                }
                if trait_id.name == "length" {
                    for k in ["min", "max"] {
                        if value.get(k).and_then(node_f64).is_some_and(|v| v < 0.0) {
                            self.push(
                                Diagnostic::error(
                                    E_BOUNDS,
                                    self.narrow(span, k),
                                    format!("`@length` {k} is negative"),
                                )
                                .with_label("lengths cannot be negative"),
                            );
                        }
                    }
                }
            }
            "box" if self.version_of(holder.namespace()) == IdlVersion::V2 => {
                self.push(
                    Diagnostic::error(E_BOX_IN_V2, span, "`@box` cannot be used in an IDL 2.0 model")
                        .with_label("IDL 1.0 only")
                        .with_note("in IDL 2.0 members are optional unless @required or given a default; use `= null` to drop a target's default"),
                );
            }
            "enum" => self.check_enum_trait(span, value),
            _ => {}
        }
    }

    fn check_structurally_exclusive(&mut self, shape: &'a Shape) {
        if shape.members.len() < 2 || self.exclusive.is_empty() {
            return;
        }
        let mut first_by_trait: HashMap<&ShapeId, &Member, FastHash> = HashMap::default();
        let mut first_by_target: HashMap<ShapeId, &Member, FastHash> = HashMap::default();
        for m in &shape.members {
            for (tid, tv) in &m.traits {
                if self.exclusivity(tid) == Some("member") {
                    if let Some(first) = first_by_trait.get(tid) {
                        let first_span =
                            first.traits.get(tid).map(|t| t.span).unwrap_or(first.span);
                        self.push(
                            Diagnostic::error(
                                E_STRUCTURALLY_EXCLUSIVE,
                                tv.span,
                                format!(
                                    "only one member of `{}` may have `@{}`",
                                    shape.id, tid.name
                                ),
                            )
                            .with_label(format!("second member with `@{}`", tid.name))
                            .with_secondary(first_span, "first applied here"),
                        );
                    } else {
                        first_by_trait.insert(tid, m);
                    }
                }
            }
            if let Some(target) = self.model.shape(&m.target) {
                for tid in target.traits.keys() {
                    if self.exclusivity(tid) == Some("target") {
                        if let Some(first) = first_by_target.get(tid) {
                            self.push(
                                Diagnostic::error(
                                    E_STRUCTURALLY_EXCLUSIVE,
                                    m.target_span,
                                    format!(
                                        "only one member of `{}` may target a shape with `@{}`",
                                        shape.id, tid.name
                                    ),
                                )
                                .with_label(format!("`{}` has `@{}`", target.id.name, tid.name))
                                .with_secondary(first.target_span, "first such member"),
                            );
                        } else {
                            first_by_target.insert(tid.clone(), m);
                        }
                    }
                }
            }
        }
    }

    fn exclusivity(&self, trait_id: &ShapeId) -> Option<&'a str> {
        self.exclusive.get(trait_id).copied()
    }

    // -----------------------------------------------------------------------
    // Enums.

    fn check_enum(&mut self, shape: &'a Shape) {
        if shape.members.is_empty() {
            self.push(
                Diagnostic::error(
                    E_EMPTY_SHAPE,
                    shape.span,
                    format!("enum `{}` has no members", shape.id),
                )
                .with_label("an enum needs at least one member"),
            );
        }
        let mut seen: HashMap<String, &Member, FastHash> = HashMap::default();
        for m in &shape.members {
            let (value, span) = match m.traits.get(&ids().enum_value) {
                None => (m.name.clone(), m.span),
                Some(tv) => match &tv.value {
                    Node::String(s) if !s.is_empty() => (s.clone(), tv.span),
                    Node::String(_) => {
                        self.push(
                            Diagnostic::error(
                                E_ENUM_VALUE,
                                tv.span,
                                format!("enum member `{}` has an empty value", m.name),
                            )
                            .with_label("enum values must be non-empty strings"),
                        );
                        continue;
                    }
                    other => {
                        self.push(
                            Diagnostic::error(
                                E_ENUM_VALUE,
                                tv.span,
                                format!(
                                    "enum member `{}` has {} as value",
                                    m.name,
                                    node_kind(other)
                                ),
                            )
                            .with_label("enum values must be strings")
                            .with_note("use an intEnum for integer values"),
                        );
                        continue;
                    }
                },
            };
            if let Some(first) = seen.get(&value) {
                self.push(
                    Diagnostic::error(
                        E_DUPLICATE_ENUM_VALUE,
                        span,
                        format!(
                            "enum members `{}` and `{}` have the same value {value:?}",
                            first.name, m.name
                        ),
                    )
                    .with_label("duplicate value")
                    .with_secondary(first.span, "first used here"),
                );
            } else {
                seen.insert(value, m);
            }
        }
    }

    fn check_int_enum(&mut self, shape: &'a Shape) {
        if shape.members.is_empty() {
            self.push(
                Diagnostic::error(
                    E_EMPTY_SHAPE,
                    shape.span,
                    format!("intEnum `{}` has no members", shape.id),
                )
                .with_label("an intEnum needs at least one member"),
            );
        }
        let mut seen: HashMap<i64, &Member, FastHash> = HashMap::default();
        for m in &shape.members {
            let Some(tv) = m.traits.get(&ids().enum_value) else {
                self.push(
                    Diagnostic::error(
                        E_INT_ENUM_VALUE,
                        m.span,
                        format!("intEnum member `{}` has no value", m.name),
                    )
                    .with_label("write `NAME = <integer>`"),
                );
                continue;
            };
            let value = match &tv.value {
                Node::Number(Number::Int(i)) if i32::try_from(*i).is_ok() => *i,
                other => {
                    self.push(
                        Diagnostic::error(
                            E_INT_ENUM_VALUE,
                            tv.span,
                            format!(
                                "intEnum member `{}` has value {}",
                                m.name,
                                node_display(other)
                            ),
                        )
                        .with_label("intEnum values must be 32-bit integers"),
                    );
                    continue;
                }
            };
            if let Some(first) = seen.get(&value) {
                self.push(
                    Diagnostic::error(
                        E_DUPLICATE_ENUM_VALUE,
                        tv.span,
                        format!(
                            "intEnum members `{}` and `{}` have the same value {value}",
                            first.name, m.name
                        ),
                    )
                    .with_label("duplicate value")
                    .with_secondary(first.span, "first used here"),
                );
            } else {
                seen.insert(value, m);
            }
        }
    }

    fn check_enum_trait(&mut self, span: Span, value: &Node) {
        let Some(entries) = value.as_array() else {
            return; // type errors come from the generic value check
        };
        let mut values: HashMap<&str, usize, FastHash> = HashMap::default();
        let mut names: HashMap<&str, usize, FastHash> = HashMap::default();
        let named = entries.iter().filter(|e| e.get("name").is_some()).count();
        for (i, e) in entries.iter().enumerate() {
            if let Some(v) = e.get("value").and_then(Node::as_str) {
                if let Some(first) = values.insert(v, i) {
                    self.push(
                        Diagnostic::error(
                            E_ENUM_TRAIT,
                            self.narrow_nth(span, &format!("\"{v}\""), 1),
                            format!("`@enum` value {v:?} appears twice (entries {first} and {i})"),
                        )
                        .with_label("duplicate enum value"),
                    );
                }
            }
            if let Some(n) = e.get("name").and_then(Node::as_str) {
                if !valid_enum_name(n) {
                    self.push(
                        Diagnostic::error(
                            E_ENUM_TRAIT,
                            self.narrow(span, n),
                            format!("`@enum` name {n:?} is not an identifier"),
                        )
                        .with_label("names must match ^[a-zA-Z_]+[a-zA-Z_0-9]*$"),
                    );
                }
                if let Some(first) = names.insert(n, i) {
                    self.push(
                        Diagnostic::error(
                            E_ENUM_TRAIT,
                            self.narrow_nth(span, &format!("\"{n}\""), 1),
                            format!("`@enum` name {n:?} appears twice (entries {first} and {i})"),
                        )
                        .with_label("duplicate enum name"),
                    );
                }
            }
        }
        if named != 0 && named != entries.len() {
            self.push(
                Diagnostic::error(
                    E_ENUM_TRAIT,
                    span,
                    "either every `@enum` entry has a `name` or none does",
                )
                .with_label(format!("{named} of {} entries are named", entries.len())),
            );
        }
    }

    /// Like [`narrow`](Self::narrow) for the `n`-th (0-based) occurrence of a literal.
    fn narrow_nth(&self, span: Span, lit: &str, n: usize) -> Span {
        let text = &self.sources.get(span.file).text;
        let Some(slice) = text.get(span.range()) else {
            return span;
        };
        match slice.match_indices(lit).nth(n) {
            Some((i, _)) => Span::new(
                span.file,
                span.start as usize + i,
                span.start as usize + i + lit.len(),
            ),
            None => span,
        }
    }

    // -----------------------------------------------------------------------
    // Defaults.

    fn check_member_default(&mut self, shape: &'a Shape, m: &'a Member, target: &'a Shape) {
        let member_default = m.traits.get(&ids().default);
        if let Some(tv) = member_default {
            if !matches!(tv.value, Node::Null) {
                let mut errors = Vec::new();
                self.check_default_value(&tv.value, target, Some(&m.traits), &mut errors);
                for e in errors.into_iter().take(MAX_VALUE_ERRORS) {
                    self.push(
                        Diagnostic::error(
                            E_DEFAULT_VALUE,
                            tv.span,
                            format!("default value of `{}` is invalid: {}", m.name, e.message),
                        )
                        .with_label(e.message)
                        .with_secondary(
                            m.target_span,
                            format!("`{}` is {}", target.id, kind_phrase(&target.kind)),
                        ),
                    );
                }
                if let Some(req) = m.traits.get(&ids().required) {
                    self.push(
                        Diagnostic::warning(
                            W_REQUIRED_AND_DEFAULT,
                            req.span,
                            format!("member `{}` of `{}` is @required and has a default value", m.name, shape.id),
                        )
                        .with_label("@required has no effect on readers: the default always supplies a value")
                        .with_secondary(tv.span, "default given here")
                        .with_note("keep @required only if writers must always serialize the member; otherwise remove it"),
                    );
                }
            }
        }
        // IDL 2.0: a member targeting a shape with @default repeats it (or sets null).
        let Some(target_default) = target.traits.get(&ids().default) else {
            return;
        };
        if self.version_of(&shape.id.namespace) != IdlVersion::V2 {
            return;
        }
        match member_default {
            Some(tv) if matches!(tv.value, Node::Null) || tv.value == target_default.value => {}
            Some(tv) => self.push(
                Diagnostic::error(
                    E_DEFAULT_NOT_REPEATED,
                    tv.span,
                    format!(
                        "default of member `{}` ({}) differs from the default of its target `{}` ({})",
                        m.name,
                        node_display(&tv.value),
                        target.id,
                        node_display(&target_default.value)
                    ),
                )
                .with_label("must match the target's default, or be null")
                .with_secondary(target_default.span, "target default"),
            ),
            None => self.push(
                Diagnostic::error(
                    E_DEFAULT_NOT_REPEATED,
                    m.span,
                    format!(
                        "member `{}` targets `{}`, which has a default, but does not repeat it",
                        m.name, target.id
                    ),
                )
                .with_label(format!("add `= {}` (or `= null` to make it optional)", node_display(&target_default.value)))
                .with_secondary(target_default.span, "target default"),
            ),
        }
    }

    fn check_root_default(&mut self, shape: &'a Shape, value: &Node, span: Span) {
        if matches!(value, Node::Null) {
            self.push(
                Diagnostic::error(
                    E_DEFAULT_VALUE,
                    span,
                    format!("default of shape `{}` is null", shape.id),
                )
                .with_label("only members may have a null default"),
            );
            return;
        }
        let mut errors = Vec::new();
        self.check_default_value(value, shape, None, &mut errors);
        for e in errors.into_iter().take(MAX_VALUE_ERRORS) {
            self.push(
                Diagnostic::error(
                    E_DEFAULT_VALUE,
                    span,
                    format!("default value of `{}` is invalid: {}", shape.id, e.message),
                )
                .with_label(e.message),
            );
        }
    }

    fn check_default_value(
        &self,
        value: &Node,
        target: &Shape,
        member_traits: Option<&Traits>,
        errors: &mut Vec<ValueError>,
    ) {
        match (&target.kind, value) {
            (ShapeKind::List | ShapeKind::Set, Node::Array(a)) if !a.is_empty() => {
                errors.push(ValueError {
                    code: E_DEFAULT_VALUE,
                    path: String::new(),
                    key: None,
                    message: "the default of a list must be empty".into(),
                })
            }
            (ShapeKind::Map, Node::Object(o)) if !o.is_empty() => errors.push(ValueError {
                code: E_DEFAULT_VALUE,
                path: String::new(),
                key: None,
                message: "the default of a map must be empty".into(),
            }),
            _ => self.check_node(
                value,
                &target.id,
                member_traits,
                String::new(),
                None,
                errors,
            ),
        }
    }

    // -----------------------------------------------------------------------
    // Operations, services, resources.

    /// Reports an operation or resource mixin that defines properties
    /// (Smithy: their mixins carry traits and members only).
    fn mixin_with_properties(&mut self, shape: &Shape, what: &str) {
        if !shape.traits.contains_key(&ids().mixin) {
            return;
        }
        self.push(
            Diagnostic::error(
                E_MIXIN_PROPERTIES,
                shape.span,
                format!("{what} mixin `{}` defines {}", shape.id, if what == "operation" {
                    "an input or output other than `smithy.api#Unit`"
                } else {
                    "properties (identifiers, properties, lifecycle operations, operations or resources)"
                }),
            )
            .with_label(format!("{what} mixins may only carry traits")),
        );
    }

    fn check_operation(&mut self, shape: &'a Shape, op: &'a crate::model::Operation) {
        let ns = shape.id.namespace.as_str();
        let unit = &ids().unit;
        if [&op.input, &op.output]
            .iter()
            .any(|r| r.as_ref().is_some_and(|r| &r.id != unit))
        {
            self.mixin_with_properties(shape, "operation");
        }
        for (what, r, wrong_trait) in [
            ("input", &op.input, "output"),
            ("output", &op.output, "input"),
        ] {
            let Some(r) = r else { continue };
            // `smithy.api#Unit` (every IDL 2.0 operation without input or
            // output has it) is always a valid input and output.
            if &r.id == unit {
                continue;
            }
            let Some(t) = self.resolve(
                &r.id,
                r.span,
                E_UNRESOLVED_REFERENCE,
                &format!("operation {what}"),
            ) else {
                continue;
            };
            self.check_private(ns, t, r.span);
            // IDL 1.0 wasmCloud contracts pass simple types and lists as
            // operation input and output (`input: String`); the generators
            // rely on it, so 1.0 models only need a data shape.
            let v1_data = self.version_of(ns) == IdlVersion::V1
                && !matches!(
                    t.kind,
                    ShapeKind::Operation(_) | ShapeKind::Service(_) | ShapeKind::Resource(_)
                );
            if !matches!(t.kind, ShapeKind::Structure) && !v1_data {
                self.push(
                    Diagnostic::error(
                        E_OPERATION_IO,
                        r.span,
                        format!(
                            "{what} of operation `{}` is {} `{}`",
                            shape.id,
                            kind_phrase(&t.kind),
                            t.id
                        ),
                    )
                    .with_label(format!("operation {what} must be a structure")),
                );
            } else if t.traits.contains_key(ids().io(wrong_trait)) {
                self.push(
                    Diagnostic::error(
                        E_INPUT_OUTPUT_USE,
                        r.span,
                        format!(
                            "`{}` is marked @{wrong_trait} but used as the {what} of `{}`",
                            t.id, shape.id
                        ),
                    )
                    .with_label(format!(
                        "an @{wrong_trait} structure cannot be an operation {what}"
                    )),
                );
            } else if t.traits.contains_key(&ids().error) {
                self.push(
                    Diagnostic::error(
                        E_OPERATION_IO,
                        r.span,
                        format!(
                            "error structure `{}` used as the {what} of `{}`",
                            t.id, shape.id
                        ),
                    )
                    .with_label("@error structures can only be listed in `errors`"),
                );
            }
        }
        self.check_errors(shape, &op.errors);
    }

    fn check_errors(&mut self, shape: &'a Shape, errors: &'a [ShapeRef]) {
        let ns = shape.id.namespace.as_str();
        for e in errors {
            let Some(t) = self.resolve(&e.id, e.span, E_UNRESOLVED_REFERENCE, "error") else {
                continue;
            };
            self.check_private(ns, t, e.span);
            if !matches!(t.kind, ShapeKind::Structure) || !t.traits.contains_key(&ids().error) {
                let mut d = Diagnostic::error(
                    E_OPERATION_ERROR,
                    e.span,
                    format!(
                        "`{}` is listed as an error of `{}` but is not an @error structure",
                        t.id, shape.id
                    ),
                );
                d = if matches!(t.kind, ShapeKind::Structure) {
                    d.with_label("missing @error")
                        .with_secondary(t.span, "add @error(\"client\") or @error(\"server\") here")
                } else {
                    d.with_label(format!("this is {}", kind_phrase(&t.kind)))
                };
                self.push(d);
            }
        }
    }

    fn check_binding(&mut self, owner: &'a Shape, r: &'a ShapeRef, want: &str, what: &str) {
        let Some(t) = self.resolve(&r.id, r.span, E_UNRESOLVED_REFERENCE, what) else {
            return;
        };
        self.check_private(&owner.id.namespace, t, r.span);
        if t.kind.keyword() != want {
            self.push(
                Diagnostic::error(
                    E_BINDING_KIND,
                    r.span,
                    format!(
                        "{what} `{}` of `{}` is {}",
                        t.id,
                        owner.id,
                        kind_phrase(&t.kind)
                    ),
                )
                .with_label(format!(
                    "expected {}",
                    if want == "operation" {
                        "an operation"
                    } else {
                        "a resource"
                    }
                )),
            );
        }
    }

    fn check_service(&mut self, shape: &'a Shape, svc: &'a crate::model::Service) {
        for r in &svc.operations {
            self.check_binding(shape, r, "operation", "operation");
        }
        for r in &svc.resources {
            self.check_binding(shape, r, "resource", "resource");
        }
        self.check_errors(shape, &svc.errors);
        if svc.version.is_none()
            && self.version_of(&shape.id.namespace) == IdlVersion::V1
            && !shape.id.is_prelude()
        {
            self.push(
                Diagnostic::warning(
                    W_SERVICE_VERSION,
                    shape.span,
                    format!("service `{}` has no version", shape.id),
                )
                .with_label("IDL 1.0 services must declare `version`"),
            );
        }
        self.check_service_closure(shape, svc);
    }

    /// Every shape reachable from a service (not following trait values),
    /// in discovery order, the service itself excluded.
    fn closure(&mut self, root: &ShapeId) -> Vec<&'a Shape> {
        let model = self.model;
        let graph = self.graph.get_or_insert_with(|| Graph::new(model));
        graph.closure(root)
    }

    fn check_service_closure(&mut self, shape: &'a Shape, svc: &'a crate::model::Service) {
        let closure = self.closure(&shape.id);
        let mut by_name: HashMap<String, &Shape, FastHash> =
            HashMap::with_capacity_and_hasher(closure.len(), FastHash::default());
        for s in closure {
            // Prelude shapes are not part of a service's closure for name
            // conflicts: a local `Unit` does not clash with
            // `smithy.api#Unit` (Smithy's rule).
            if s.id.is_prelude() {
                continue;
            }
            let id = &s.id;
            // Borrowed: only the lower-cased copy is kept.
            let name = svc.rename.get(id).map_or(id.name.as_str(), String::as_str);
            let lower = name.to_lowercase();
            match by_name.get(&lower) {
                Some(first) if first.id != s.id => {
                    // Simple shapes and collections of the same kind may share
                    // names across namespaces (e.g. two `String`s).
                    let trivial = |x: &Shape| {
                        matches!(
                            x.kind,
                            ShapeKind::Simple(_)
                                | ShapeKind::List
                                | ShapeKind::Set
                                | ShapeKind::Map
                        )
                    };
                    if trivial(first) && trivial(s) && first.kind == s.kind {
                        continue;
                    }
                    let (a, b) = (first.id.clone(), s.id.clone());
                    self.push(
                        Diagnostic::error(
                            E_SERVICE_NAME_CONFLICT,
                            s.span,
                            format!("`{b}` and `{a}` have conflicting names in the closure of service `{}`", shape.id),
                        )
                        .with_label("name conflicts (ignoring case and namespace)")
                        .with_secondary(first.span, "other shape")
                        .with_note(format!("add `rename: {{ \"{b}\": \"NewName\" }}` to the service")),
                    );
                }
                Some(_) => {}
                None => {
                    by_name.insert(lower, s);
                }
            }
        }
    }

    fn check_resource(&mut self, shape: &'a Shape, res: &'a crate::model::Resource) {
        let has_properties = !res.identifiers.is_empty()
            || !res.properties.is_empty()
            || [
                &res.create,
                &res.put,
                &res.read,
                &res.update,
                &res.delete,
                &res.list,
            ]
            .iter()
            .any(|r| r.is_some())
            || !res.operations.is_empty()
            || !res.collection_operations.is_empty()
            || !res.resources.is_empty();
        if has_properties {
            self.mixin_with_properties(shape, "resource");
        }
        for (name, r) in &res.identifiers {
            let Some(t) =
                self.resolve(&r.id, r.span, E_UNRESOLVED_REFERENCE, "resource identifier")
            else {
                continue;
            };
            self.check_private(&shape.id.namespace, t, r.span);
            if !self.is_string_like(t) {
                self.push(
                    Diagnostic::error(
                        E_RESOURCE_IDENTIFIER,
                        r.span,
                        format!(
                            "identifier `{name}` of resource `{}` targets {} `{}`",
                            shape.id,
                            kind_phrase(&t.kind),
                            t.id
                        ),
                    )
                    .with_label("resource identifiers must target a string shape"),
                );
            }
        }
        for r in res.properties.values() {
            if let Some(t) =
                self.resolve(&r.id, r.span, E_UNRESOLVED_REFERENCE, "resource property")
            {
                self.check_private(&shape.id.namespace, t, r.span);
            }
        }
        let lifecycle = [
            ("create", &res.create),
            ("put", &res.put),
            ("read", &res.read),
            ("update", &res.update),
            ("delete", &res.delete),
            ("list", &res.list),
        ];
        for (what, r) in lifecycle {
            if let Some(r) = r {
                self.check_binding(shape, r, "operation", &format!("`{what}` operation"));
            }
        }
        for r in res.operations.iter().chain(&res.collection_operations) {
            self.check_binding(shape, r, "operation", "operation");
        }
        for r in &res.resources {
            self.check_binding(shape, r, "resource", "resource");
        }
    }

    /// `@input` / `@output` structures: one operation each, never targeted
    /// by members or listed as errors.
    fn check_input_output_usage(&mut self) {
        let mut used: HashMap<(ShapeId, &'static str), &ShapeRef, FastHash> = HashMap::default();
        for shape in self.model.shapes.values() {
            if let ShapeKind::Operation(op) = &shape.kind {
                for (what, r) in [("input", &op.input), ("output", &op.output)] {
                    let Some(r) = r else { continue };
                    if r.id == ids().unit {
                        continue;
                    }
                    let Some(t) = self.model.shape(&r.id) else {
                        continue;
                    };
                    if !t.traits.contains_key(ids().io(what)) {
                        continue;
                    }
                    if let Some(first) = used.get(&(r.id.clone(), what)) {
                        self.push(
                            Diagnostic::error(
                                E_INPUT_OUTPUT_USE,
                                r.span,
                                format!("@{what} structure `{}` is the {what} of more than one operation", t.id),
                            )
                            .with_label(format!("second use as {what}"))
                            .with_secondary(first.span, "first use"),
                        );
                    } else {
                        used.insert((r.id.clone(), what), r);
                    }
                }
            }
            // Members of the shapes `check_shape` saw were checked by
            // `check_members`, which looks their targets up anyway; only
            // the skipped prelude shapes are left.
            if self.options.include_prelude || !shape.id.is_prelude() {
                continue;
            }
            if matches!(shape.kind, ShapeKind::Enum | ShapeKind::IntEnum) {
                continue;
            }
            for m in &shape.members {
                if let Some(t) = self.model.shape(&m.target) {
                    self.check_io_member_target(m, t);
                }
            }
        }
    }

    /// A member may not target an `@input` / `@output` structure.
    fn check_io_member_target(&mut self, m: &Member, t: &Shape) {
        if !matches!(t.kind, ShapeKind::Structure) {
            return;
        }
        for what in ["input", "output"] {
            if t.traits.contains_key(ids().io(what)) {
                self.push(
                    Diagnostic::error(
                        E_INPUT_OUTPUT_USE,
                        m.target_span,
                        format!(
                            "member `{}` targets the @{what} structure `{}`",
                            m.name, t.id
                        ),
                    )
                    .with_label(format!(
                        "@{what} structures can only be used as an operation {what}"
                    )),
                );
            }
        }
    }

    // -----------------------------------------------------------------------
    // wasmCloud rules.

    fn check_wasmcloud_numbers(&mut self, shape: &'a Shape) {
        if !matches!(shape.kind, ShapeKind::Structure | ShapeKind::Union) {
            return;
        }
        let n_id = &ids().n;
        if self.model.shape(&n_id).is_none() {
            return;
        }
        let numbered: Vec<&Member> = shape
            .members
            .iter()
            .filter(|m| m.traits.contains_key(n_id))
            .collect();
        let mut seen: HashMap<i64, &Member, FastHash> = HashMap::default();
        for m in &numbered {
            let tv = &m.traits[n_id];
            let n = match tv.value.as_i64() {
                Some(n) if n >= 0 => n,
                _ => {
                    self.push(
                        Diagnostic::error(
                            E_N_INVALID,
                            tv.span,
                            format!("`@n` of member `{}` is {}", m.name, node_display(&tv.value)),
                        )
                        .with_label("field numbers must be non-negative integers"),
                    );
                    continue;
                }
            };
            if let Some(first) = seen.get(&n) {
                let first_span = first.traits[n_id].span;
                self.push(
                    Diagnostic::error(
                        E_N_DUPLICATE,
                        tv.span,
                        format!(
                            "members `{}` and `{}` of `{}` both have `@n({n})`",
                            first.name, m.name, shape.id
                        ),
                    )
                    .with_label("duplicate field number")
                    .with_secondary(first_span, "first used here"),
                );
            } else {
                seen.insert(n, m);
            }
        }
        if !numbered.is_empty()
            && numbered.len() != shape.members.len()
            && matches!(shape.kind, ShapeKind::Structure)
        {
            let missing: Vec<&str> = shape
                .members
                .iter()
                .filter(|m| !m.traits.contains_key(n_id))
                .map(|m| m.name.as_str())
                .collect();
            let first_missing = shape
                .members
                .iter()
                .find(|m| !m.traits.contains_key(n_id))
                .expect("some member lacks @n");
            self.push(
                Diagnostic::error(
                    E_N_ALL_OR_NONE,
                    first_missing.span,
                    format!(
                        "member `{}` of `{}` has no `@n`, but other members do",
                        first_missing.name, shape.id
                    ),
                )
                .with_label("missing `@n`")
                .with_secondary(numbered[0].traits[n_id].span, "numbered member")
                .with_note(format!(
                    "`@n` must be on every member or on none; missing on {}",
                    quote_list(&missing)
                )),
            );
        }
    }

    fn check_wasmbus(&mut self, service: &'a Shape, span: Span, value: &Node) {
        let provider = value
            .get("providerReceive")
            .and_then(Node::as_bool)
            .unwrap_or(false);
        let contract = value.get("contractId").and_then(Node::as_str).unwrap_or("");
        if provider && contract.is_empty() {
            self.push(
                Diagnostic::error(
                    E_WASMBUS_CONTRACT,
                    span,
                    format!("service `{}` is received by providers but has no `contractId`", service.id),
                )
                .with_label("`providerReceive: true` needs `contractId`")
                .with_note("e.g. `contractId: \"wasmcloud:keyvalue\"`; the host routes provider calls by contract id"),
            );
        }
        let protocol = match value.get("protocol") {
            None => "0",
            Some(Node::String(s)) => s.as_str(),
            Some(_) => return, // type error reported by the value check
        };
        match protocol {
            "0" => {}
            "2" => {
                let n_id = &ids().n;
                for u in self.closure(&service.id) {
                    if !matches!(u.kind, ShapeKind::Union) {
                        continue;
                    }
                    for m in &u.members {
                        if !m.traits.contains_key(n_id) {
                            self.push(
                                Diagnostic::error(
                                    E_UNION_NEEDS_N,
                                    m.span,
                                    format!("member `{}` of union `{}` has no `@n`", m.name, u.id),
                                )
                                .with_label(
                                    "protocol \"2\" (CBOR) encodes union variants by field number",
                                )
                                .with_secondary(span, "service uses protocol \"2\" here"),
                            );
                        }
                    }
                }
            }
            other => self.push(
                Diagnostic::warning(
                    W_WASMBUS_PROTOCOL,
                    self.narrow(span, "protocol"),
                    format!("unknown wasmbus protocol {other:?}"),
                )
                .with_label("known protocols: \"0\" (MessagePack) and \"2\" (CBOR)"),
            ),
        }
    }
}

/// The string values of an IDL 2.0 enum (member name when no `@enumValue`).
fn enum_values(shape: &Shape) -> Vec<String> {
    shape
        .members
        .iter()
        .map(|m| {
            m.trait_value(&ids().enum_value)
                .and_then(Node::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| m.name.clone())
        })
        .collect()
}

fn node_f64(n: &Node) -> Option<f64> {
    match n {
        Node::Number(num) => Some(num.as_f64()),
        _ => None,
    }
}

/// `None` if `n` fits the numeric kind, else a message.
fn number_fits(n: &Number, k: SimpleKind) -> Option<String> {
    use SimpleKind as K;
    let (lo, hi): (i64, i64) = match k {
        K::Byte => (i8::MIN.into(), i8::MAX.into()),
        K::Short => (i16::MIN.into(), i16::MAX.into()),
        K::Integer => (i32::MIN.into(), i32::MAX.into()),
        K::Long => (i64::MIN, i64::MAX),
        K::BigInteger => {
            return match n {
                Number::Float(f) if f.fract() != 0.0 => {
                    Some(format!("expected an integer, found {f}"))
                }
                _ => None,
            }
        }
        _ => return None, // float, double, bigDecimal take any number
    };
    match n {
        Number::Int(i) if *i >= lo && *i <= hi => None,
        Number::Int(i) => Some(format!("{i} does not fit in a {}", k.keyword())),
        Number::Float(f) => Some(format!("expected an integer ({}), found {f}", k.keyword())),
        Number::BigInt(s) => Some(format!("{s} does not fit in a {}", k.keyword())),
    }
}

fn valid_enum_name(n: &str) -> bool {
    let mut chars = n.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn quote_list(items: &[&str]) -> String {
    let mut out: Vec<String> = items.iter().take(8).map(|s| format!("`{s}`")).collect();
    if items.len() > 8 {
        out.push(format!("... ({} more)", items.len() - 8));
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smithy::load_sources;

    /// `(code, file name, line, col)` of every diagnostic.
    fn run(files: &[(&str, &str)]) -> Vec<(String, String, usize, usize)> {
        let res = load_sources(
            files
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
        );
        res.diagnostics
            .iter()
            .map(|d| {
                let loc = res.sources.location(d.span.expect("span"));
                (d.code.to_string(), loc.file.to_string(), loc.line, loc.col)
            })
            .collect()
    }

    fn notes(files: &[(&str, &str)], code: &str) -> Vec<String> {
        let res = load_sources(
            files
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
        );
        res.diagnostics
            .iter()
            .filter(|d| d.code == code)
            .flat_map(|d| d.notes.clone())
            .collect()
    }

    #[test]
    fn suggests_a_use_statement_for_a_shape_of_another_namespace() {
        let files = [
            (
                "a.smithy",
                "$version: \"2\"\nnamespace a\nstructure Widget {}\n",
            ),
            (
                "b.smithy",
                "$version: \"2\"\nnamespace b\nstructure Box {\n    w: Widget\n}\n",
            ),
        ];
        assert_eq!(run(&files), [("E0200".into(), "b.smithy".into(), 4, 8)]);
        assert_eq!(
            notes(&files, "E0200"),
            ["`a#Widget` exists: add `use a#Widget` or write the absolute shape id"]
        );
    }

    #[test]
    fn private_shapes_are_private_to_their_namespace() {
        let files = [
            (
                "a.smithy",
                "$version: \"2\"\nnamespace a\n@private\nstring Secret\n",
            ),
            (
                "b.smithy",
                "$version: \"2\"\nnamespace b\nuse a#Secret\nstructure Box {\n    s: Secret\n}\n",
            ),
            (
                "c.smithy",
                "$version: \"2\"\nnamespace a\nstructure Fine {\n    s: Secret\n}\n",
            ),
        ];
        assert_eq!(run(&files), [("E0229".into(), "b.smithy".into(), 5, 8)]);
    }

    #[test]
    fn mixin_members_are_reported_once_and_output_is_sorted() {
        let text = "$version: \"2\"\nnamespace m\n\n@mixin\nstructure Base {\n    x: Missing\n}\n\nstructure A with [Base] {}\nstructure B with [Base] {\n    y: AlsoMissing\n}\n@requird\nstring S\n";
        let got = run(&[("m.smithy", text)]);
        assert_eq!(
            got,
            [
                ("E0200".into(), "m.smithy".into(), 6, 8),
                ("E0200".into(), "m.smithy".into(), 11, 8),
                ("E0202".into(), "m.smithy".into(), 13, 1),
            ]
        );
        // Deterministic: the same input gives the same output.
        assert_eq!(got, run(&[("m.smithy", text)]));
    }

    #[test]
    fn valid_v2_model_has_no_diagnostics() {
        let text = r#"$version: "2"
namespace ok

/// A shop.
@title("Shop")
service Shop {
    version: "2024-01-01"
    operations: [Buy]
    errors: [Oops]
}

@idempotent
@http(method: "PUT", uri: "/buy/{item}")
operation Buy {
    input := {
        @required
        @httpLabel
        item: String

        @range(min: 1, max: 10)
        count: Integer = 1

        color: Color = "red"

        @length(min: 0)
        tags: Tags = []
    }
    output := {
        level: Level
    }
}

@error("client")
@httpError(400)
structure Oops {
    message: String
}

enum Color {
    RED = "red"
    GREEN = "green"
}

intEnum Level {
    LOW = 1
    HIGH = 2
}

@uniqueItems
list Tags {
    member: String
}

@deprecated(message: "no longer used", since: "2")
@externalDocumentation("Home": "https://example.com")
@enum([{ value: "x", name: "X" }])
string Legacy
"#;
        let got = run(&[("ok.smithy", text)]);
        // The only finding: the 1.0 @enum trait is deprecated in 2.0 models.
        assert_eq!(got, [("W0200".into(), "ok.smithy".into(), 56, 1)]);
    }

    #[test]
    fn edit_distance_and_closest() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("Strin", "string"), 1);
        assert_eq!(
            closest("requird", ["required", "readonly"]),
            Some("required")
        );
        assert_eq!(closest("xyz", ["required"]), None);
    }
}
