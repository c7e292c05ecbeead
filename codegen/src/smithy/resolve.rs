//! Turns parsed IDL files into [`Fragment`]s: every relative shape id
//! (targets, trait names, mixins, apply targets, syntactic shape ids in
//! trait values) becomes absolute, doc comments become
//! `smithy.api#documentation`, `= value` becomes `smithy.api#default` or
//! `smithy.api#enumValue`, inline operation input/output becomes its own
//! structure, and service/resource properties are typed.
//!
//! Relative shape ids resolve as the spec's "Relative shape ID resolution"
//! says: a `use` import of that name first, then a shape of that name in the
//! current namespace (declared in ANY file of the namespace), then the
//! prelude; anything else gets the current namespace (the validator reports
//! the unresolved target).
//!
//! Codes `E0120`..`E0139` (errors) and `W0120`.. (warnings).

use super::ast::{self, IoTarget, NodeKind, ShapeBody, ShapeKeyword, Statement, TraitBody};
use super::diagnostics::Diagnostic;
use super::fragment::{Apply, Fragment, MetadataEntry};
use super::parser::{is_shape_id, E_V2_ONLY};
use super::source::Span;
use crate::model::{
    Member, Node, Operation, Resource, Service, Shape, ShapeId, ShapeKind, ShapeRef, TraitValue,
    Traits, PRELUDE_NS,
};
use indexmap::IndexMap;
use std::collections::{HashMap, HashSet};

/// Two `use` statements import different shapes under one name.
pub const E_USE_CONFLICT: &str = "E0120";
/// A `use` import has the name of a shape defined in the same file.
pub const E_USE_SHADOWS: &str = "E0121";
/// The same trait applied twice in one statement.
pub const E_DUPLICATE_TRAIT: &str = "E0122";
/// Two members with the same name in one shape.
pub const E_DUPLICATE_MEMBER: &str = "E0123";
/// `= value` together with an explicit `@enumValue`/`@default`.
pub const E_VALUE_CONFLICT: &str = "E0124";
/// Invalid service/resource property.
pub const E_ENTITY_PROPERTY: &str = "E0125";
/// A list or set without `member`, or a map without `key` / `value` (and
/// no mixin that could supply them).
pub const E_MISSING_MEMBER: &str = "E0126";
/// An unquoted node value (a syntactic shape id) that names no shape.
pub const E_UNRESOLVED_SYNTACTIC_ID: &str = "E0127";
/// A doc comment and an explicit `@documentation` on the same shape.
pub const W_DOC_CONFLICT: &str = "W0120";
/// IDL 1.0 only: a member target spelled as a lower-case Rust number type
/// (`u64`) that names no shape, resolved to the wasmCloud alias (`U64`).
pub const W_LOWERCASE_ALIAS: &str = "W0121";

/// The wasmCloud model namespace holding the number aliases.
const WASMCLOUD_MODEL_NS: &str = "org.wasmcloud.model";

/// Lower-case spellings found in published wasmCloud 1.0 interfaces (e.g.
/// `contentLength: u64` without any `use`) and the alias each stands for.
/// Upstream's generator took the unresolved name verbatim as a Rust type,
/// which happened to be the primitive; we resolve to the real alias instead.
const LOWERCASE_ALIASES: &[(&str, &str)] = &[
    ("u8", "U8"),
    ("u16", "U16"),
    ("u32", "U32"),
    ("u64", "U64"),
    ("i8", "I8"),
    ("i16", "I16"),
    ("i32", "I32"),
    ("i64", "I64"),
    ("f32", "F32"),
    ("f64", "F64"),
];

/// An elided member (`$name`) whose target is filled in by the assembler
/// from the `for` resource or the mixins.
#[derive(Clone, Debug, PartialEq)]
pub struct Elision {
    /// The shape holding the member.
    pub shape: ShapeId,
    /// The member's name.
    pub member: String,
    /// The `$name` text.
    pub span: Span,
    /// `structure X for Resource`.
    pub for_resource: Option<ShapeRef>,
}

/// A fragment plus what only the IDL has (target elision).
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved {
    /// The file's contribution.
    pub fragment: Fragment,
    /// Elided members whose targets the assembler must fill in; in
    /// `fragment` they target [`elided_placeholder`].
    pub elisions: Vec<Elision>,
}

/// The placeholder target of an elided member until the assembler fills it.
pub fn elided_placeholder() -> ShapeId {
    ShapeId::new("", "")
}

/// Shape names are short, trusted-size keys looked up for every reference,
/// where SipHash's DoS resistance buys nothing and costs a lot.
type FnvBuild = crate::model::FxBuild;
type NameSet = HashSet<String, FnvBuild>;

/// Shape names declared per namespace, across all files of a run.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    names: HashMap<String, NameSet, FnvBuild>,
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records every shape a file declares (inline input/output included).
    pub fn add_file(&mut self, file: &ast::File<'_>) {
        let Some(ns) = file.namespace else { return };
        let set = self.names.entry(ns.text.to_string()).or_default();
        // One name per statement at most (inline I/O adds a few more):
        // sized once instead of rehashed as it grows.
        set.reserve(file.statements.len());
        for st in &file.statements {
            if let Statement::Shape(s) = st {
                set.insert(s.name.text.to_string());
                if let ShapeBody::Operation(op) = &s.body {
                    if matches!(op.input, Some((IoTarget::Inline(_), _))) {
                        set.insert(format!("{}{}", s.name.text, file.input_suffix));
                    }
                    if matches!(op.output, Some((IoTarget::Inline(_), _))) {
                        set.insert(format!("{}{}", s.name.text, file.output_suffix));
                    }
                }
            }
        }
    }

    /// Records shapes from an already-resolved fragment (JSON AST input or
    /// the cached prelude).
    pub fn add_fragment(&mut self, fragment: &Fragment) {
        // Shapes of one namespace come together (a fragment is mostly a
        // single namespace): the set is found once per run of them, and
        // the namespace is cloned only when it is new.
        let mut i = 0;
        while i < fragment.shapes.len() {
            let ns = &fragment.shapes[i].id.namespace;
            let run = fragment.shapes[i..]
                .iter()
                .take_while(|s| &s.id.namespace == ns)
                .count();
            if !self.names.contains_key(ns.as_str()) {
                self.names.insert(ns.clone(), NameSet::default());
            }
            let set = self.names.get_mut(ns.as_str()).expect("inserted above");
            set.reserve(run);
            for s in &fragment.shapes[i..i + run] {
                set.insert(s.id.name.clone());
            }
            i += run;
        }
    }

    /// True if `namespace#name` is declared.
    pub fn contains(&self, namespace: &str, name: &str) -> bool {
        self.names.get(namespace).is_some_and(|s| s.contains(name))
    }
}

struct Resolver<'s, 'a, 'd> {
    /// Names declared in the current namespace (looked up once per file
    /// rather than once per reference).
    local_names: Option<&'s NameSet>,
    /// Names declared in the prelude.
    prelude_names: Option<&'s NameSet>,
    /// Names declared in `org.wasmcloud.model` (for [`W_LOWERCASE_ALIAS`]).
    model_names: Option<&'s NameSet>,
    file: &'s ast::File<'a>,
    ns: &'a str,
    uses: HashMap<&'a str, ShapeId, FnvBuild>,
    diags: &'d mut Vec<Diagnostic>,
    elisions: Vec<Elision>,
    /// Every shape of the run, to check unquoted node values (syntactic
    /// shape ids) against.
    scope: &'s Scope,
}

/// Resolves one parsed file against `scope` (which must already hold every
/// file of the run and the prelude).
pub fn resolve(file: &ast::File<'_>, scope: &Scope, diags: &mut Vec<Diagnostic>) -> Resolved {
    let ns = file.namespace.map(|n| n.text).unwrap_or("");
    let mut r = Resolver {
        local_names: scope.names.get(ns),
        prelude_names: scope.names.get(PRELUDE_NS),
        model_names: scope.names.get(WASMCLOUD_MODEL_NS),
        file,
        ns,
        uses: HashMap::default(),
        diags,
        elisions: Vec::new(),
        scope,
    };
    r.collect_uses();
    let mut fragment = Fragment {
        file: file.file,
        version: file.version,
        namespace: file.namespace.map(|n| n.text.to_string()),
        metadata: Vec::with_capacity(file.metadata.len()),
        shapes: Vec::with_capacity(file.statements.len()),
        applies: Vec::new(),
    };
    for m in &file.metadata {
        fragment.metadata.push(MetadataEntry {
            key: m.key.text.to_string(),
            value: r.node(&m.value),
            span: m.span,
        });
    }
    for st in &file.statements {
        match st {
            Statement::Shape(s) => r.shape(s, &mut fragment.shapes),
            Statement::Apply(a) => {
                let traits = r.traits(&a.traits, None);
                fragment.applies.push(Apply {
                    target: r.id(a.target.text),
                    span: a.target.span,
                    traits,
                });
            }
        }
    }
    Resolved {
        fragment,
        elisions: r.elisions,
    }
}

impl<'s, 'a, 'd> Resolver<'s, 'a, 'd> {
    fn collect_uses(&mut self) {
        if self.file.uses.is_empty() {
            return;
        }
        let mut spans: HashMap<&'a str, Span, FnvBuild> = HashMap::default();
        // The file's own shape names, for `use` statements that shadow
        // one. A file has a few `use` statements: scanning the statements
        // for each is cheaper than hashing every shape name, until there
        // are many of them.
        let shapes = || {
            self.file.statements.iter().filter_map(|s| match s {
                Statement::Shape(s) => Some((s.name.text, s.name.span)),
                _ => None,
            })
        };
        let local: Option<HashMap<&str, Span, FnvBuild>> =
            (self.file.uses.len() > 8).then(|| shapes().collect());
        let local_span = |name: &str| match &local {
            Some(map) => map.get(name).copied(),
            // The last definition, as the map keeps it.
            None => shapes().rfind(|(n, _)| *n == name).map(|(_, sp)| sp),
        };
        for u in &self.file.uses {
            let Some(id) = ShapeId::parse(u.text) else {
                continue;
            };
            if id.member.is_some() {
                continue;
            }
            let name: &'a str = match u.text.rsplit_once('#') {
                Some((_, n)) => n,
                None => continue,
            };
            if let Some(prev) = self.uses.get(name) {
                if *prev != id {
                    let prev_span = spans[name];
                    self.diags.push(
                        Diagnostic::error(
                            E_USE_CONFLICT,
                            u.span,
                            format!(
                                "`use {}` conflicts with `use {}`: both import the name `{name}`",
                                u.text, prev
                            ),
                        )
                        .with_secondary(prev_span, "first imported here"),
                    );
                }
                continue;
            }
            if let Some(local_span) = local_span(name) {
                if id.namespace != self.ns {
                    self.diags.push(
                        Diagnostic::error(
                            E_USE_SHADOWS,
                            u.span,
                            format!(
                                "`use {}` conflicts with the shape `{name}` defined in this file",
                                u.text
                            ),
                        )
                        .with_secondary(local_span, "shape defined here"),
                    );
                }
            }
            spans.insert(name, u.span);
            self.uses.insert(name, id);
        }
    }

    /// Resolves a (possibly relative) shape id.
    fn id(&self, text: &str) -> ShapeId {
        self.id_found(text).0
    }

    /// [`Self::id`], plus whether the shape exists when resolution already
    /// tells (a local or prelude name: yes; no match at all: no). `None`
    /// for absolute ids and `use`d names, which need a look at the scope.
    fn id_found(&self, text: &str) -> (ShapeId, Option<bool>) {
        if text.contains('#') {
            if let Some(id) = ShapeId::parse(text) {
                return (id, None);
            }
        }
        let (name, member) = match text.split_once('$') {
            Some((n, m)) => (n, Some(m.to_string())),
            None => (text, None),
        };
        let (mut id, found) = if let Some(u) = self.uses.get(name) {
            (u.clone(), None)
        } else if self.local_names.is_some_and(|s| s.contains(name)) {
            (ShapeId::new(self.ns, name), Some(true))
        } else if self.prelude_names.is_some_and(|s| s.contains(name)) {
            (ShapeId::prelude(name), Some(true))
        } else {
            (ShapeId::new(self.ns, name), Some(false))
        };
        id.member = member;
        (id, found)
    }

    /// Resolves a member target: [`Self::id`], plus the IDL 1.0 leniency for
    /// lower-case number aliases ([`W_LOWERCASE_ALIAS`]).
    fn member_target(&mut self, t: &ast::Ident<'_>) -> ShapeId {
        let id = self.id(t.text);
        if self.file.version != crate::model::IdlVersion::V1
            || id.namespace != self.ns
            || id.member.is_some()
            || self.local_names.is_some_and(|s| s.contains(t.text))
        {
            return id;
        }
        let Some(&(_, alias)) = LOWERCASE_ALIASES.iter().find(|(l, _)| *l == t.text) else {
            return id;
        };
        if !self.model_names.is_some_and(|s| s.contains(alias)) {
            return id;
        }
        self.diags.push(
            Diagnostic::warning(
                W_LOWERCASE_ALIAS,
                t.span,
                format!(
                    "`{}` names no shape; using `{WASMCLOUD_MODEL_NS}#{alias}`",
                    t.text
                ),
            )
            .with_label(format!("resolved to `{alias}`"))
            .with_note(format!(
                "IDL 1.0 leniency for published wasmCloud interfaces; write `{alias}` \
                 with `use {WASMCLOUD_MODEL_NS}#{alias}` (an error in IDL 2.0)"
            )),
        );
        ShapeId::new(WASMCLOUD_MODEL_NS, alias)
    }

    fn shape_ref(&self, ident: &ast::Ident<'_>) -> ShapeRef {
        ShapeRef {
            id: self.id(ident.text),
            span: ident.span,
        }
    }

    fn node(&mut self, v: &ast::NodeValue<'_>) -> Node {
        match &v.kind {
            NodeKind::Null => Node::Null,
            NodeKind::Bool(b) => Node::Bool(*b),
            NodeKind::Number(n) => Node::Number(n.clone()),
            NodeKind::String(s) => Node::String(s.to_string()),
            NodeKind::ShapeId(s) => {
                // Syntactic shape ids resolve like any other reference. Outside
                // a namespace (a file with metadata only) only absolute ids and
                // prelude names can resolve; anything else stays as written.
                if self.ns.is_empty() && !s.contains('#') {
                    let base = s.split('$').next().unwrap_or(s);
                    if self.prelude_names.is_some_and(|s| s.contains(base)) {
                        return Node::String(self.id(s).to_string());
                    }
                    self.unresolved_syntactic_id(s, &ShapeId::prelude(base), v.span);
                    return Node::String(s.to_string());
                }
                let (id, found) = self.id_found(s);
                if !found.unwrap_or_else(|| self.scope.contains(&id.namespace, &id.name)) {
                    self.unresolved_syntactic_id(s, &id, v.span);
                }
                Node::String(id.to_string())
            }
            NodeKind::Array(items) => Node::Array(items.iter().map(|i| self.node(i)).collect()),
            NodeKind::Object(kv) => Node::Object(self.object(kv)),
        }
    }

    /// An unquoted node value names a shape, and that shape does not exist
    /// (Smithy fails the model; a string needs quotes).
    fn unresolved_syntactic_id(&mut self, text: &str, id: &ShapeId, span: Span) {
        self.diags.push(
            Diagnostic::error(
                E_UNRESOLVED_SYNTACTIC_ID,
                span,
                format!("unquoted value `{text}` is a shape id, and `{id}` is no shape"),
            )
            .with_label("no such shape")
            .with_note("quote it if it is meant as a string"),
        );
    }

    fn object(&mut self, kv: &[(ast::Key<'_>, ast::NodeValue<'_>)]) -> IndexMap<String, Node> {
        let mut m = IndexMap::with_capacity(kv.len());
        for (k, v) in kv {
            m.insert(k.text.to_string(), self.node(v));
        }
        m
    }

    /// Converts trait applications (and doc comments) into a trait map.
    fn traits(&mut self, apps: &[ast::TraitApp<'_>], docs: Option<&ast::DocComment>) -> Traits {
        let mut out = Traits::with_capacity_and_hasher(
            apps.len() + docs.is_some() as usize,
            crate::model::FxBuild::default(),
        );
        if let Some(d) = docs {
            out.insert(
                ShapeId::prelude("documentation"),
                TraitValue {
                    value: Node::String(d.text.clone()),
                    span: d.span,
                },
            );
        }
        for app in apps {
            let id = self.id(app.name.text);
            let value = match &app.body {
                TraitBody::None | TraitBody::Empty => Node::Object(IndexMap::new()),
                TraitBody::Value(v) => self.node(v),
                TraitBody::Structure(kv) => Node::Object(self.object(kv)),
            };
            if let Some(prev) = out.get(&id) {
                if id.is_prelude()
                    && id.name == "documentation"
                    && id.member.is_none()
                    && docs.is_some()
                    && prev.span == docs.map(|d| d.span).unwrap_or_default()
                {
                    self.diags.push(
                        Diagnostic::warning(W_DOC_CONFLICT, app.span, "both a `///` doc comment and `@documentation` are given; `@documentation` wins")
                            .with_secondary(prev.span, "doc comment here"),
                    );
                } else {
                    self.diags.push(
                        Diagnostic::error(
                            E_DUPLICATE_TRAIT,
                            app.span,
                            format!("trait `{id}` is applied more than once"),
                        )
                        .with_secondary(prev.span, "first applied here"),
                    );
                    continue;
                }
            }
            out.insert(
                id,
                TraitValue {
                    value,
                    span: app.span,
                },
            );
        }
        out
    }

    fn members(
        &mut self,
        shape: &ShapeId,
        kw: ShapeKeyword,
        defs: &[ast::MemberDef<'_>],
        for_resource: Option<&ShapeRef>,
    ) -> Vec<Member> {
        let mut out: Vec<Member> = Vec::with_capacity(defs.len());
        // Large shapes (big enums) index their names so the duplicate check
        // stays linear; small ones scan, which is cheaper than hashing.
        let mut index: Option<HashMap<&str, usize, FnvBuild>> = (defs.len() > 16)
            .then(|| HashMap::with_capacity_and_hasher(defs.len(), FnvBuild::default()));
        for d in defs {
            let prev = match &index {
                Some(ix) => ix.get(d.name.text).map(|&i| &out[i]),
                None => out.iter().find(|m| m.name == d.name.text),
            };
            if let Some(prev) = prev {
                let prev = prev.span;
                self.diags.push(
                    Diagnostic::error(
                        E_DUPLICATE_MEMBER,
                        d.name.span,
                        format!("duplicate member `{}` in `{shape}`", d.name.text),
                    )
                    .with_secondary(prev, "first defined here"),
                );
                continue;
            }
            let mut traits = self.traits(&d.traits, d.docs.as_ref());
            let is_enum = matches!(kw, ShapeKeyword::Enum | ShapeKeyword::IntEnum);
            let (target, target_span) = if is_enum {
                (ShapeId::prelude("Unit"), d.name.span)
            } else if let Some(t) = &d.target {
                (self.member_target(t), t.span)
            } else {
                self.elisions.push(Elision {
                    shape: shape.clone(),
                    member: d.name.text.to_string(),
                    span: d.span,
                    for_resource: for_resource.cloned(),
                });
                (elided_placeholder(), d.span)
            };
            let value_trait = if is_enum {
                Some(ShapeId::prelude("enumValue"))
            } else if d.value.is_some() {
                Some(ShapeId::prelude("default"))
            } else {
                None
            };
            if let Some(tid) = value_trait {
                let value = match &d.value {
                    Some(v) => Some((self.node(v), v.span)),
                    // Enum members without a value use their name.
                    None if kw == ShapeKeyword::Enum && !traits.contains_key(&tid) => {
                        Some((Node::String(d.name.text.to_string()), d.name.span))
                    }
                    None => None,
                };
                if let Some((value, span)) = value {
                    if let Some(prev) = traits.get(&tid) {
                        let prev = prev.span;
                        self.diags.push(
                            Diagnostic::error(
                                E_VALUE_CONFLICT,
                                span,
                                format!(
                                    "member `{}` has both `= value` and `@{}`",
                                    d.name.text, tid.name
                                ),
                            )
                            .with_secondary(prev, "trait applied here"),
                        );
                    } else {
                        traits.insert(tid, TraitValue { value, span });
                    }
                }
            }
            if let Some(ix) = &mut index {
                ix.insert(d.name.text, out.len());
            }
            out.push(Member {
                name: d.name.text.to_string(),
                target,
                traits,
                span: d.span,
                target_span,
            });
        }
        out
    }

    /// Reports 2.0-only model content in an IDL 1.0 file (the parser
    /// reports 2.0-only syntax).
    fn v2_only(&mut self, span: Span, what: &str) {
        self.diags.push(
            Diagnostic::error(E_V2_ONLY, span, format!("{what} requires Smithy IDL 2.0"))
                .with_label("not available in IDL 1.0")
                .with_note("add `$version: \"2\"` at the top of the file to use IDL 2.0"),
        );
    }

    fn shape(&mut self, s: &ast::ShapeStatement<'_>, out: &mut Vec<Shape>) {
        let id = ShapeId::new(self.ns, s.name.text);
        let traits = self.traits(&s.traits, s.docs.as_ref());
        if self.file.version == crate::model::IdlVersion::V1 {
            // Mixins are 2.0 only, also when declared with the trait alone.
            let mixin = ShapeId::prelude("mixin");
            if let Some(tv) = traits.get(&mixin) {
                let sp = tv.span;
                self.v2_only(sp, "the `@mixin` trait");
            }
        }
        let mixins: Vec<ShapeRef> = s.mixins.iter().map(|m| self.shape_ref(m)).collect();
        let for_resource = s.for_resource.as_ref().map(|r| self.shape_ref(r));
        let mut extra: Vec<Shape> = Vec::new();
        let (kind, members) = match (&s.body, s.keyword) {
            (_, ShapeKeyword::Simple(k)) => (ShapeKind::Simple(k), Vec::new()),
            (ShapeBody::Members(defs), kw) => {
                let kind = match kw {
                    ShapeKeyword::List => ShapeKind::List,
                    ShapeKeyword::Set => ShapeKind::Set,
                    ShapeKeyword::Map => ShapeKind::Map,
                    ShapeKeyword::Structure => ShapeKind::Structure,
                    ShapeKeyword::Union => ShapeKind::Union,
                    ShapeKeyword::Enum => ShapeKind::Enum,
                    _ => ShapeKind::IntEnum,
                };
                let members = self.members(&id, kw, defs, for_resource.as_ref());
                let required: &[&str] = match kw {
                    ShapeKeyword::List | ShapeKeyword::Set => &["member"],
                    ShapeKeyword::Map => &["key", "value"],
                    _ => &[],
                };
                // Without mixins nothing else can supply them (the JSON AST
                // reader checks the same).
                let missing: Vec<&str> = required
                    .iter()
                    .filter(|r| mixins.is_empty() && !members.iter().any(|m| m.name == **r))
                    .copied()
                    .collect();
                if !missing.is_empty() {
                    self.diags.push(
                        Diagnostic::error(
                            E_MISSING_MEMBER,
                            s.name.span,
                            format!(
                                "{} `{id}` has no `{}` member",
                                match kw {
                                    ShapeKeyword::Map => "map",
                                    ShapeKeyword::Set => "set",
                                    _ => "list",
                                },
                                missing.join("` or `")
                            ),
                        )
                        .with_label(format!("`{}` required", missing.join("`, `"))),
                    );
                }
                (kind, members)
            }
            (ShapeBody::Properties(kv), ShapeKeyword::Service) => {
                (ShapeKind::Service(self.service(kv)), Vec::new())
            }
            (ShapeBody::Properties(kv), _) => (ShapeKind::Resource(self.resource(kv)), Vec::new()),
            (ShapeBody::Operation(op), _) => {
                let mut o = Operation::default();
                for (which, slot) in [(&op.input, &mut o.input), (&op.output, &mut o.output)] {
                    let is_input = std::ptr::eq(which, &op.input);
                    match which {
                        // An explicit `input: Unit` is kept as written.
                        Some((IoTarget::Ref(r), _)) => *slot = Some(self.shape_ref(r)),
                        Some((IoTarget::Inline(inline), _)) => {
                            let suffix = if is_input {
                                &self.file.input_suffix
                            } else {
                                &self.file.output_suffix
                            };
                            let sid = ShapeId::new(self.ns, format!("{}{}", s.name.text, suffix));
                            let mut t = self.traits(&inline.traits, inline.docs.as_ref());
                            let marker =
                                ShapeId::prelude(if is_input { "input" } else { "output" });
                            t.entry(marker).or_insert(TraitValue {
                                value: Node::Object(IndexMap::new()),
                                span: inline.walrus,
                            });
                            let fr = inline.for_resource.as_ref().map(|r| self.shape_ref(r));
                            let members = self.members(
                                &sid,
                                ShapeKeyword::Structure,
                                &inline.members,
                                fr.as_ref(),
                            );
                            extra.push(Shape {
                                id: sid.clone(),
                                kind: ShapeKind::Structure,
                                traits: t,
                                members,
                                mixins: inline.mixins.iter().map(|m| self.shape_ref(m)).collect(),
                                span: inline.span,
                            });
                            *slot = Some(ShapeRef {
                                id: sid,
                                span: inline.walrus,
                            });
                        }
                        // IDL 2.0: no input / output means `smithy.api#Unit`
                        // (Smithy's model has it; IDL 1.0 keeps it absent).
                        None if self.file.version == crate::model::IdlVersion::V2 => {
                            *slot = Some(ShapeRef {
                                id: ShapeId::prelude("Unit"),
                                span: s.name.span,
                            })
                        }
                        None => {}
                    }
                }
                o.errors = op.errors.iter().map(|e| self.shape_ref(e)).collect();
                (ShapeKind::Operation(o), Vec::new())
            }
            // The parser only builds matching bodies; keep a sane fallback.
            (_, _) => (ShapeKind::Structure, Vec::new()),
        };
        out.push(Shape {
            id,
            kind,
            traits,
            members,
            mixins,
            span: s.span,
        });
        out.extend(extra);
    }

    fn entity_error(&mut self, span: Span, msg: String) {
        self.diags
            .push(Diagnostic::error(E_ENTITY_PROPERTY, span, msg));
    }

    /// A shape reference written as an unquoted (or quoted) shape id.
    fn ref_value(&mut self, v: &ast::NodeValue<'_>, what: &str) -> Option<ShapeRef> {
        let text = match &v.kind {
            NodeKind::ShapeId(s) => *s,
            NodeKind::String(s) if is_shape_id(s) => s.as_ref(),
            _ => {
                self.entity_error(v.span, format!("`{what}` must be a shape id"));
                return None;
            }
        };
        Some(ShapeRef {
            id: self.id(text),
            span: v.span,
        })
    }

    fn ref_list(&mut self, v: &ast::NodeValue<'_>, what: &str) -> Vec<ShapeRef> {
        match &v.kind {
            NodeKind::Array(items) => items
                .iter()
                .filter_map(|i| self.ref_value(i, what))
                .collect(),
            _ => {
                self.entity_error(v.span, format!("`{what}` must be an array of shape ids"));
                Vec::new()
            }
        }
    }

    fn ref_map(&mut self, v: &ast::NodeValue<'_>, what: &str) -> IndexMap<String, ShapeRef> {
        let mut out = IndexMap::new();
        match &v.kind {
            NodeKind::Object(kv) => {
                for (k, val) in kv {
                    if let Some(r) = self.ref_value(val, what) {
                        out.insert(k.text.to_string(), r);
                    }
                }
            }
            _ => self.entity_error(
                v.span,
                format!("`{what}` must be an object of name: shape id"),
            ),
        }
        out
    }

    fn service(&mut self, kv: &[(ast::Key<'_>, ast::NodeValue<'_>)]) -> Service {
        let mut s = Service::default();
        for (k, v) in kv {
            match k.text.as_ref() {
                "version" => match &v.kind {
                    NodeKind::String(t) => s.version = Some(t.to_string()),
                    _ => self.entity_error(v.span, "service `version` must be a string".into()),
                },
                "operations" => s.operations = self.ref_list(v, "operations"),
                "resources" => s.resources = self.ref_list(v, "resources"),
                "errors" => s.errors = self.ref_list(v, "errors"),
                "rename" => match &v.kind {
                    NodeKind::Object(pairs) => {
                        for (from, to) in pairs {
                            match &to.kind {
                                NodeKind::String(t) => {
                                    s.rename.insert(self.id(&from.text), t.to_string());
                                }
                                _ => self.entity_error(to.span, "`rename` values must be strings".into()),
                            }
                        }
                    }
                    _ => self.entity_error(v.span, "service `rename` must be an object".into()),
                },
                other => self.entity_error(
                    k.span,
                    format!("unknown service property `{other}` (expected version, operations, resources, errors, rename)"),
                ),
            }
        }
        s
    }

    fn resource(&mut self, kv: &[(ast::Key<'_>, ast::NodeValue<'_>)]) -> Resource {
        let mut r = Resource::default();
        for (k, v) in kv {
            let key = k.text.as_ref();
            match key {
                "identifiers" => r.identifiers = self.ref_map(v, key),
                "properties" => {
                    if self.file.version == crate::model::IdlVersion::V1 {
                        self.v2_only(k.span, "resource `properties`");
                    }
                    r.properties = self.ref_map(v, key)
                }
                "create" => r.create = self.ref_value(v, key),
                "put" => r.put = self.ref_value(v, key),
                "read" => r.read = self.ref_value(v, key),
                "update" => r.update = self.ref_value(v, key),
                "delete" => r.delete = self.ref_value(v, key),
                "list" => r.list = self.ref_value(v, key),
                "operations" => r.operations = self.ref_list(v, key),
                "collectionOperations" => r.collection_operations = self.ref_list(v, key),
                "resources" => r.resources = self.ref_list(v, key),
                other => self.entity_error(k.span, format!("unknown resource property `{other}`")),
            }
        }
        r
    }
}
