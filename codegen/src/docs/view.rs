//! The documentation view: what the HTML templates see. Built from the model
//! once, with every link already resolved to `page#anchor`, every piece of
//! documentation already escaped and every trait already rendered as text,
//! so templates stay simple and cannot produce unescaped user text.

use super::text::{doc_to_html, node_text, summary_html, trait_args};
use crate::model::{Model, Node, Shape, ShapeId, ShapeKind, ShapeRef, Traits};
use serde::Serialize;
use std::collections::BTreeSet;

/// The wasmCloud model namespace, home of `@wasmbus` and friends.
const WASMCLOUD_MODEL_NS: &str = "org.wasmcloud.model";

/// File name of the page for `namespace`: `NAMESPACE.html`, except that a
/// namespace called `index` gets `index-ns.html` so it cannot replace the
/// index page (no namespace contains `-`, so that name is free).
pub fn page_name(namespace: &str) -> String {
    if namespace == "index" {
        "index-ns.html".to_string()
    } else {
        format!("{namespace}.html")
    }
}

/// HTML id of a shape on its namespace page.
pub fn shape_anchor(name: &str) -> String {
    name.to_string()
}

/// HTML id of a member. Shape names cannot contain `.`, so this never
/// collides with a shape anchor.
pub fn member_anchor(shape: &str, member: &str) -> String {
    format!("{shape}.{member}")
}

/// A link to a shape (or plain text when it has no page, like prelude shapes).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct TypeRef {
    /// Text shown: the shape name.
    pub name: String,
    /// The absolute shape id, shown as a tooltip.
    pub id: String,
    /// `page#anchor`, or `#anchor` on the same page; `null` when the target
    /// has no page (prelude shapes, or shapes missing from the model).
    pub href: Option<String>,
}

/// One trait application, rendered.
#[derive(Clone, Debug, Serialize)]
pub struct TraitView {
    /// Trait name without namespace, e.g. `serialization`.
    pub name: String,
    /// The trait's absolute id.
    pub id: String,
    /// Link to the trait's definition, when it has a page.
    pub href: Option<String>,
    /// Arguments as IDL text, e.g. `(name: "actor_id")`; empty for annotations.
    pub args: String,
}

/// A member of an aggregate shape.
#[derive(Clone, Debug, Serialize)]
pub struct MemberView {
    /// Declared (wire) name.
    pub name: String,
    /// HTML id.
    pub anchor: String,
    /// Target shape (`null` for enum members, which target Unit).
    pub target: Option<TypeRef>,
    /// `@required` present.
    pub required: bool,
    /// Default value as IDL text (`= value` in 2.0), if any.
    pub default: Option<String>,
    /// Enum / intEnum value as IDL text, if any.
    pub value: Option<String>,
    /// Other traits.
    pub traits: Vec<TraitView>,
    /// Documentation as HTML (empty when none).
    pub doc_html: String,
}

/// A value of a 1.0 `@enum` trait.
#[derive(Clone, Debug, Serialize)]
pub struct EnumValueView {
    /// The string sent on the wire.
    pub value: String,
    /// The symbolic name, if given.
    pub name: Option<String>,
    /// Documentation (from `documentation`), as HTML.
    pub doc_html: String,
}

/// The wasmbus facts of a service.
#[derive(Clone, Debug, Serialize)]
pub struct WasmbusView {
    /// Capability contract id, if any.
    pub contract_id: Option<String>,
    /// Who implements the operations: `actor`, `provider` or both.
    pub receivers: String,
    /// Wire protocol (`0` when unset).
    pub protocol: String,
}

/// An operation as listed under its service.
#[derive(Clone, Debug, Serialize)]
pub struct ServiceOpView {
    /// The operation.
    pub op: TypeRef,
    /// Method string sent on the wire, `Service.Operation`.
    pub method: String,
    /// Input shape, if any.
    pub input: Option<TypeRef>,
    /// Output shape, if any.
    pub output: Option<TypeRef>,
    /// Error shapes.
    pub errors: Vec<TypeRef>,
    /// First paragraph of the operation's documentation, as HTML.
    pub summary_html: String,
}

/// A service with its operations.
#[derive(Clone, Debug, Serialize)]
pub struct ServiceView {
    /// Name.
    pub name: String,
    /// HTML id.
    pub anchor: String,
    /// `version` property.
    pub version: Option<String>,
    /// `@wasmbus` facts, when the service is a wasmbus contract.
    pub wasmbus: Option<WasmbusView>,
    /// Operations in declaration order (directly bound, then via resources).
    pub operations: Vec<ServiceOpView>,
    /// Bound resources.
    pub resources: Vec<TypeRef>,
    /// Common errors.
    pub errors: Vec<TypeRef>,
    /// Documentation as HTML.
    pub doc_html: String,
    /// Other traits.
    pub traits: Vec<TraitView>,
}

/// A named link in a list (resource identifiers, lifecycle operations).
#[derive(Clone, Debug, Serialize)]
pub struct LabeledRef {
    /// Label, e.g. the identifier name or `read`.
    pub label: String,
    /// The target.
    pub target: TypeRef,
}

/// Any shape, as documented in its namespace page.
#[derive(Clone, Debug, Serialize)]
pub struct ShapeView {
    /// Name.
    pub name: String,
    /// Absolute id.
    pub id: String,
    /// HTML id.
    pub anchor: String,
    /// Kind keyword (`structure`, `list`, `string`...).
    pub kind: String,
    /// True for trait definitions.
    pub is_trait: bool,
    /// Documentation as HTML.
    pub doc_html: String,
    /// Traits other than documentation.
    pub traits: Vec<TraitView>,
    /// Mixins the shape was declared with.
    pub mixins: Vec<TypeRef>,
    /// Members (structure, union, enum, intEnum, list, map), in order.
    pub members: Vec<MemberView>,
    /// Values of a 1.0 `@enum` trait on a string.
    pub enum_values: Vec<EnumValueView>,
    /// For operations: input.
    pub input: Option<TypeRef>,
    /// For operations: output.
    pub output: Option<TypeRef>,
    /// For operations: errors.
    pub errors: Vec<TypeRef>,
    /// For resources: lifecycle and other bound operations, child resources.
    pub operations: Vec<LabeledRef>,
    /// For resources: identifiers and properties.
    pub identifiers: Vec<LabeledRef>,
    /// Shapes that refer to this one.
    pub used_by: Vec<TypeRef>,
}

/// A group of shapes of related kinds, shown under one heading.
#[derive(Clone, Debug, Serialize)]
pub struct ShapeGroup {
    /// Heading.
    pub title: String,
    /// HTML id of the heading.
    pub anchor: String,
    /// The shapes.
    pub shapes: Vec<ShapeView>,
}

/// Navigation entry for one namespace.
#[derive(Clone, Debug, Serialize)]
pub struct NavEntry {
    /// Namespace.
    pub namespace: String,
    /// Page file name.
    pub href: String,
    /// True on that namespace's own page.
    pub current: bool,
}

/// The data of one namespace page.
#[derive(Clone, Debug, Serialize)]
pub struct NamespacePage {
    /// Page title.
    pub title: String,
    /// The namespace.
    pub namespace: String,
    /// IDL version the namespace was written in (`1.0` / `2.0`).
    pub idl_version: String,
    /// Crate from `metadata package`, if declared.
    pub crate_name: Option<String>,
    /// Description from `metadata package`, escaped.
    pub package_doc: Option<String>,
    /// Services, in declaration order.
    pub services: Vec<ServiceView>,
    /// Every shape, grouped by kind.
    pub groups: Vec<ShapeGroup>,
    /// All namespaces, for navigation.
    pub nav: Vec<NavEntry>,
}

/// One service on the index page.
#[derive(Clone, Debug, Serialize)]
pub struct IndexService {
    /// Link to the service.
    pub service: TypeRef,
    /// Contract id, if a wasmbus service.
    pub contract_id: Option<String>,
    /// `actor`, `provider` or both (wasmbus services).
    pub receivers: Option<String>,
    /// Number of operations.
    pub operation_count: usize,
}

/// One namespace on the index page.
#[derive(Clone, Debug, Serialize)]
pub struct IndexNamespace {
    /// Namespace.
    pub namespace: String,
    /// Page file name.
    pub href: String,
    /// Crate from `metadata package`.
    pub crate_name: Option<String>,
    /// Description from `metadata package`.
    pub package_doc: Option<String>,
    /// Number of shapes.
    pub shape_count: usize,
    /// Services.
    pub services: Vec<IndexService>,
}

/// The data of the index page.
#[derive(Clone, Debug, Serialize)]
pub struct IndexPage {
    /// Page title.
    pub title: String,
    /// Namespaces, sorted by name.
    pub namespaces: Vec<IndexNamespace>,
    /// All namespaces, for navigation.
    pub nav: Vec<NavEntry>,
}

/// Builds the views of one model. Namespaces are sorted by name so the
/// output does not depend on the order files were given in.
pub struct ViewBuilder<'m> {
    model: &'m Model,
    namespaces: Vec<String>,
    used_by: indexmap::IndexMap<ShapeId, BTreeSet<ShapeId>>,
}

impl<'m> ViewBuilder<'m> {
    /// Prepares views of `model` (reverse references are computed once).
    pub fn new(model: &'m Model) -> Self {
        let mut namespaces: Vec<String> =
            model.namespaces().into_iter().map(str::to_string).collect();
        namespaces.sort();
        let mut used_by: indexmap::IndexMap<ShapeId, BTreeSet<ShapeId>> = Default::default();
        for shape in model.user_shapes() {
            for target in references(shape) {
                if target != shape.id {
                    used_by.entry(target).or_default().insert(shape.id.clone());
                }
            }
        }
        ViewBuilder {
            model,
            namespaces,
            used_by,
        }
    }

    /// Namespaces with pages, sorted.
    pub fn namespaces(&self) -> &[String] {
        &self.namespaces
    }

    fn has_page(&self, id: &ShapeId) -> bool {
        !id.is_prelude() && self.model.shape(id).is_some()
    }

    /// A link from a page of namespace `from` to shape (or member) `id`.
    fn type_ref(&self, id: &ShapeId, from: &str) -> TypeRef {
        let mut base = id.clone();
        base.member = None;
        let href = if self.has_page(&base) {
            let anchor = match &id.member {
                Some(m) => member_anchor(&id.name, m),
                None => shape_anchor(&id.name),
            };
            Some(if base.namespace == from {
                format!("#{anchor}")
            } else {
                format!("{}#{anchor}", page_name(&base.namespace))
            })
        } else {
            None
        };
        let name = match &id.member {
            Some(m) => format!("{}${m}", id.name),
            None => id.name.clone(),
        };
        TypeRef {
            name,
            id: id.to_string(),
            href,
        }
    }

    fn refs(&self, refs: &[ShapeRef], from: &str) -> Vec<TypeRef> {
        refs.iter().map(|r| self.type_ref(&r.id, from)).collect()
    }

    fn traits(&self, traits: &Traits, from: &str, skip: &[&str]) -> Vec<TraitView> {
        traits
            .iter()
            .filter(|(id, _)| !(id.is_prelude() && skip.contains(&id.name.as_str())))
            .map(|(id, tv)| TraitView {
                name: id.name.clone(),
                id: id.to_string(),
                href: self.type_ref(id, from).href,
                args: trait_args(&tv.value),
            })
            .collect()
    }

    fn nav(&self, current: Option<&str>) -> Vec<NavEntry> {
        self.namespaces
            .iter()
            .map(|ns| NavEntry {
                namespace: ns.clone(),
                href: page_name(ns),
                current: Some(ns.as_str()) == current,
            })
            .collect()
    }

    /// The `metadata package` entry for `namespace`: (crate, doc).
    fn package(&self, namespace: &str) -> (Option<String>, Option<String>) {
        let entry = self
            .model
            .metadata
            .get("package")
            .and_then(Node::as_array)
            .and_then(|entries| {
                entries
                    .iter()
                    .find(|e| e.get("namespace").and_then(Node::as_str) == Some(namespace))
            });
        match entry {
            Some(e) => (
                e.get("crate").and_then(Node::as_str).map(str::to_string),
                e.get("doc").and_then(Node::as_str).map(str::to_string),
            ),
            None => (None, None),
        }
    }

    fn wasmbus(&self, shape: &Shape) -> Option<WasmbusView> {
        let value = shape.trait_value(&ShapeId::new(WASMCLOUD_MODEL_NS, "wasmbus"))?;
        let flag = |k: &str| value.get(k).and_then(Node::as_bool).unwrap_or(false);
        let receivers = match (flag("actorReceive"), flag("providerReceive")) {
            (true, true) => "actor, provider",
            (true, false) => "actor",
            (false, true) => "provider",
            (false, false) => "unspecified",
        };
        Some(WasmbusView {
            contract_id: value
                .get("contractId")
                .and_then(Node::as_str)
                .map(str::to_string),
            receivers: receivers.to_string(),
            protocol: value
                .get("protocol")
                .and_then(Node::as_str)
                .unwrap_or("0")
                .to_string(),
        })
    }

    fn service_view(&self, shape: &Shape, from: &str) -> ServiceView {
        let ShapeKind::Service(svc) = &shape.kind else {
            unreachable!("service_view is only called for services");
        };
        let operations = self
            .model
            .service_operations(shape)
            .into_iter()
            .map(|op_id| {
                let (input, output, errors, summary) = match self.model.shape(op_id) {
                    Some(
                        op_shape @ Shape {
                            kind: ShapeKind::Operation(op),
                            ..
                        },
                    ) => (
                        io_ref(&op.input).map(|r| self.type_ref(&r.id, from)),
                        io_ref(&op.output).map(|r| self.type_ref(&r.id, from)),
                        self.refs(&op.errors, from),
                        op_shape
                            .documentation()
                            .map(summary_html)
                            .unwrap_or_default(),
                    ),
                    _ => (None, None, Vec::new(), String::new()),
                };
                ServiceOpView {
                    op: self.type_ref(op_id, from),
                    method: format!("{}.{}", shape.id.name, op_id.name),
                    input,
                    output,
                    errors,
                    summary_html: summary,
                }
            })
            .collect();
        ServiceView {
            name: shape.id.name.clone(),
            anchor: shape_anchor(&shape.id.name),
            version: svc.version.clone(),
            wasmbus: self.wasmbus(shape),
            operations,
            resources: self.refs(&svc.resources, from),
            errors: self.refs(&svc.errors, from),
            doc_html: shape.documentation().map(doc_to_html).unwrap_or_default(),
            traits: self.traits(&shape.traits, from, &["documentation"]),
        }
    }

    fn member_views(&self, shape: &Shape, from: &str) -> Vec<MemberView> {
        let is_enum = matches!(shape.kind, ShapeKind::Enum | ShapeKind::IntEnum);
        shape
            .members
            .iter()
            .map(|m| {
                let value = m
                    .trait_value(&ShapeId::prelude("enumValue"))
                    .map(node_text)
                    .or_else(|| {
                        // An enum member without an explicit value uses its name.
                        (shape.kind == ShapeKind::Enum)
                            .then(|| node_text(&Node::String(m.name.clone())))
                    });
                MemberView {
                    name: m.name.clone(),
                    anchor: member_anchor(&shape.id.name, &m.name),
                    target: (!is_enum).then(|| self.type_ref(&m.target, from)),
                    required: m.has_prelude_trait("required"),
                    default: m.trait_value(&ShapeId::prelude("default")).map(node_text),
                    value,
                    traits: self.traits(
                        &m.traits,
                        from,
                        &["documentation", "required", "default", "enumValue"],
                    ),
                    doc_html: m
                        .trait_value(&ShapeId::prelude("documentation"))
                        .and_then(Node::as_str)
                        .map(doc_to_html)
                        .unwrap_or_default(),
                }
            })
            .collect()
    }

    fn enum_values(&self, shape: &Shape) -> Vec<EnumValueView> {
        let Some(defs) = shape
            .trait_value(&ShapeId::prelude("enum"))
            .and_then(Node::as_array)
        else {
            return Vec::new();
        };
        defs.iter()
            .map(|d| EnumValueView {
                value: d
                    .get("value")
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_string(),
                name: d.get("name").and_then(Node::as_str).map(str::to_string),
                doc_html: d
                    .get("documentation")
                    .and_then(Node::as_str)
                    .map(doc_to_html)
                    .unwrap_or_default(),
            })
            .collect()
    }

    fn shape_view(&self, shape: &Shape, from: &str) -> ShapeView {
        let is_trait = shape.has_prelude_trait("trait");
        let mut view = ShapeView {
            name: shape.id.name.clone(),
            id: shape.id.to_string(),
            anchor: shape_anchor(&shape.id.name),
            kind: shape.kind.keyword().to_string(),
            is_trait,
            doc_html: shape.documentation().map(doc_to_html).unwrap_or_default(),
            traits: self.traits(&shape.traits, from, &["documentation", "enum"]),
            mixins: self.refs(&shape.mixins, from),
            members: self.member_views(shape, from),
            enum_values: self.enum_values(shape),
            input: None,
            output: None,
            errors: Vec::new(),
            operations: Vec::new(),
            identifiers: Vec::new(),
            used_by: self
                .used_by
                .get(&shape.id)
                .map(|ids| ids.iter().map(|id| self.type_ref(id, from)).collect())
                .unwrap_or_default(),
        };
        match &shape.kind {
            ShapeKind::Operation(op) => {
                view.input = io_ref(&op.input).map(|r| self.type_ref(&r.id, from));
                view.output = io_ref(&op.output).map(|r| self.type_ref(&r.id, from));
                view.errors = self.refs(&op.errors, from);
            }
            ShapeKind::Resource(res) => {
                view.identifiers = res
                    .identifiers
                    .iter()
                    .map(|(k, r)| labeled(k, self.type_ref(&r.id, from)))
                    .chain(res.properties.iter().map(|(k, r)| {
                        labeled(&format!("{k} (property)"), self.type_ref(&r.id, from))
                    }))
                    .collect();
                let lifecycle = [
                    ("create", &res.create),
                    ("put", &res.put),
                    ("read", &res.read),
                    ("update", &res.update),
                    ("delete", &res.delete),
                    ("list", &res.list),
                ];
                view.operations = lifecycle
                    .iter()
                    .filter_map(|(label, r)| {
                        r.as_ref()
                            .map(|r| labeled(label, self.type_ref(&r.id, from)))
                    })
                    .chain(
                        res.operations
                            .iter()
                            .map(|r| labeled("operation", self.type_ref(&r.id, from))),
                    )
                    .chain(
                        res.collection_operations
                            .iter()
                            .map(|r| labeled("collection operation", self.type_ref(&r.id, from))),
                    )
                    .chain(
                        res.resources
                            .iter()
                            .map(|r| labeled("resource", self.type_ref(&r.id, from))),
                    )
                    .collect();
            }
            _ => {}
        }
        view
    }

    /// The page of one namespace.
    pub fn namespace_page(&self, namespace: &str) -> NamespacePage {
        let (crate_name, package_doc) = self.package(namespace);
        let shapes: Vec<&Shape> = self.model.shapes_in(namespace).collect();
        let services = shapes
            .iter()
            .filter(|s| matches!(s.kind, ShapeKind::Service(_)))
            .map(|s| self.service_view(s, namespace))
            .collect();
        let mut groups: Vec<ShapeGroup> = GROUPS
            .iter()
            .map(|(title, anchor)| ShapeGroup {
                title: title.to_string(),
                anchor: format!("group-{anchor}"),
                shapes: Vec::new(),
            })
            .collect();
        for shape in &shapes {
            if let Some(g) = group_of(shape) {
                groups[g].shapes.push(self.shape_view(shape, namespace));
            }
        }
        groups.retain(|g| !g.shapes.is_empty());
        let idl_version = match self.model.namespace_versions.get(namespace) {
            Some(crate::model::IdlVersion::V2) => "2.0",
            _ => "1.0",
        };
        NamespacePage {
            title: namespace.to_string(),
            namespace: namespace.to_string(),
            idl_version: idl_version.to_string(),
            crate_name,
            package_doc,
            services,
            groups,
            nav: self.nav(Some(namespace)),
        }
    }

    /// The index page.
    pub fn index_page(&self) -> IndexPage {
        let namespaces = self
            .namespaces
            .iter()
            .map(|ns| {
                let (crate_name, package_doc) = self.package(ns);
                let href = page_name(ns);
                let services = self
                    .model
                    .shapes_in(ns)
                    .filter(|s| matches!(s.kind, ShapeKind::Service(_)))
                    .map(|s| {
                        let wasmbus = self.wasmbus(s);
                        IndexService {
                            service: TypeRef {
                                name: s.id.name.clone(),
                                id: s.id.to_string(),
                                href: Some(format!("{href}#{}", shape_anchor(&s.id.name))),
                            },
                            contract_id: wasmbus.as_ref().and_then(|w| w.contract_id.clone()),
                            receivers: wasmbus.map(|w| w.receivers),
                            operation_count: self.model.service_operations(s).len(),
                        }
                    })
                    .collect();
                IndexNamespace {
                    namespace: ns.clone(),
                    href,
                    crate_name,
                    package_doc,
                    shape_count: self.model.shapes_in(ns).count(),
                    services,
                }
            })
            .collect();
        IndexPage {
            title: "Interfaces".to_string(),
            namespaces,
            nav: self.nav(None),
        }
    }
}

fn labeled(label: &str, target: TypeRef) -> LabeledRef {
    LabeledRef {
        label: label.to_string(),
        target,
    }
}

/// Headings of the shape groups, in page order: (title, anchor suffix).
/// Services are not among them: they have their own section.
const GROUPS: [(&str, &str); 7] = [
    ("Operations", "operations"),
    ("Resources", "resources"),
    ("Structures and unions", "structures"),
    ("Enumerations", "enums"),
    ("Collections", "collections"),
    ("Simple types", "simple"),
    ("Trait definitions", "traits"),
];

/// Index into [`GROUPS`]; `None` for services.
fn group_of(shape: &Shape) -> Option<usize> {
    if shape.has_prelude_trait("trait") {
        return Some(6);
    }
    Some(match &shape.kind {
        ShapeKind::Service(_) => return None,
        ShapeKind::Operation(_) => 0,
        ShapeKind::Resource(_) => 1,
        ShapeKind::Structure | ShapeKind::Union => 2,
        ShapeKind::Enum | ShapeKind::IntEnum => 3,
        ShapeKind::Simple(_) if shape.has_prelude_trait("enum") => 3,
        ShapeKind::List | ShapeKind::Set | ShapeKind::Map => 4,
        ShapeKind::Simple(_) => 5,
    })
}

/// Every shape id `shape` refers to (members, operation I/O and errors,
/// service and resource bindings, mixins, applied non-prelude traits).
fn references(shape: &Shape) -> Vec<ShapeId> {
    let mut out: Vec<ShapeId> = Vec::new();
    let mut add = |id: &ShapeId| {
        let mut base = id.clone();
        base.member = None;
        if !base.is_prelude() && !out.contains(&base) {
            out.push(base);
        }
    };
    for m in &shape.members {
        add(&m.target);
    }
    for r in &shape.mixins {
        add(&r.id);
    }
    match &shape.kind {
        ShapeKind::Operation(op) => {
            op.input
                .iter()
                .chain(op.output.iter())
                .chain(op.errors.iter())
                .for_each(|r| add(&r.id));
        }
        ShapeKind::Service(svc) => {
            svc.operations
                .iter()
                .chain(svc.resources.iter())
                .chain(svc.errors.iter())
                .for_each(|r| add(&r.id));
        }
        ShapeKind::Resource(res) => {
            res.identifiers
                .values()
                .chain(res.properties.values())
                .chain(res.bound_operations())
                .chain(res.resources.iter())
                .for_each(|r| add(&r.id));
        }
        _ => {}
    }
    out
}

/// An operation's input or output as the page shows it: `smithy.api#Unit`
/// (what IDL 2.0 gives an operation without one) is shown as none.
fn io_ref(r: &Option<crate::model::ShapeRef>) -> Option<&crate::model::ShapeRef> {
    r.as_ref()
        .filter(|r| r.id != crate::model::ShapeId::prelude("Unit"))
}
