//! The Rust view of a model: everything the templates need, decided here so
//! templates stay dumb. Names, type mapping, optionality, boxing, derives,
//! serde attributes and doc comments are computed once, in Rust, and handed to
//! handlebars as plain data (the view types derive `Serialize`).

use super::names;
use super::GenError;
use crate::model::{IdlVersion, Member, Model, Node, Shape, ShapeId, ShapeKind, SimpleKind};
use indexmap::IndexMap;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Namespace of the wasmCloud modelling traits (`@wasmbus`, `@n`, ...).
pub const MODEL_NS: &str = "org.wasmcloud.model";
/// Namespace of the wasmCloud core platform types.
pub const CORE_NS: &str = "org.wasmcloud.core";

fn model_trait(name: &str) -> ShapeId {
    ShapeId::new(MODEL_NS, name)
}

/// How a generated crate refers to the runtime and to other namespaces.
#[derive(Clone, Debug)]
pub struct ViewOptions {
    /// Rust path of the runtime crate (`weld_rpc`).
    pub runtime: String,
    /// Extra namespace -> Rust path mappings (override `metadata package`).
    pub crate_paths: HashMap<String, String>,
}

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions {
            runtime: "weld_rpc".to_string(),
            crate_paths: HashMap::new(),
        }
    }
}

/// The whole generated module for one namespace.
#[derive(Clone, Debug, Serialize)]
pub struct CrateView {
    /// The Smithy namespace.
    pub namespace: String,
    /// Doc lines for the module (`//!`).
    pub docs: Vec<String>,
    /// Rust path of the runtime crate.
    pub runtime: String,
    /// Items in declaration order.
    pub items: Vec<ItemView>,
    /// `@wasmbus` services.
    pub services: Vec<ServiceView>,
    /// Cargo packages of other namespaces referenced (Rust crate ident -> namespace).
    pub foreign_crates: Vec<ForeignCrate>,
    /// True if any item needs `std::collections::HashMap`.
    pub uses_hashmap: bool,
    /// A sample value of every generated type, for the generated
    /// round-trip tests.
    pub samples: Vec<SampleView>,
}

/// A sample value of one generated type.
#[derive(Clone, Debug, Serialize)]
pub struct SampleView {
    /// Snake-case name for the test function.
    pub test_name: String,
    /// The Rust type.
    pub ty: String,
    /// An expression producing a non-trivial value of the type.
    pub expr: String,
    /// For string enums: the type can hold unknown values.
    pub string_enum: bool,
    /// For intEnums.
    pub int_enum: bool,
}

/// Another crate the generated code refers to.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ForeignCrate {
    /// The first path segment used in code (e.g. `weld_interface_core`).
    pub ident: String,
    /// The namespace it holds.
    pub namespace: String,
}

/// One generated item; `kind` tells which template renders it.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ItemView {
    /// `pub type X = ...;` for simple shapes, lists, sets and maps.
    Alias(AliasView),
    /// A structure.
    Struct(StructView),
    /// A union.
    Union(UnionView),
    /// A string enum (2.0 `enum` or 1.0 `@enum`).
    Enum(EnumView),
    /// An `intEnum`.
    IntEnum(IntEnumView),
}

impl ItemView {
    /// The Rust name of the item.
    pub fn name(&self) -> &str {
        match self {
            ItemView::Alias(a) => &a.name,
            ItemView::Struct(s) => &s.name,
            ItemView::Union(u) => &u.name,
            ItemView::Enum(e) => &e.name,
            ItemView::IntEnum(e) => &e.name,
        }
    }
}

/// Attributes shared by all items.
#[derive(Clone, Debug, Serialize, Default)]
pub struct Common {
    /// Doc comment lines.
    pub docs: Vec<String>,
    /// `#[deprecated...]` attribute text, if any.
    pub deprecated: Option<String>,
    /// The Smithy shape id, for reference in docs.
    pub shape_id: String,
}

/// `pub type Name = Type;`
#[derive(Clone, Debug, Serialize)]
pub struct AliasView {
    /// Rust name.
    pub name: String,
    /// The aliased type.
    pub ty: String,
    /// Shared attributes.
    #[serde(flatten)]
    pub common: Common,
    /// Note for sets (`Vec`, wire compatible).
    pub is_set: bool,
    /// The Smithy kind: `simple`, `list`, `set` or `map`.
    pub alias_kind: &'static str,
}

/// A structure.
#[derive(Clone, Debug, Serialize)]
pub struct StructView {
    /// Rust name.
    pub name: String,
    /// Shared attributes.
    #[serde(flatten)]
    pub common: Common,
    /// Derive list, e.g. `Clone, Debug, Default, PartialEq, Eq`.
    pub derives: String,
    /// `#[non_exhaustive]`.
    pub non_exhaustive: bool,
    /// Fields in declaration order.
    pub fields: Vec<FieldView>,
    /// True when every member has `@n` (CBOR array form).
    pub numbered: bool,
    /// Array length for the CBOR array form (max `@n` + 1).
    pub array_len: u32,
    /// Fields sorted by `@n`, with gaps, for the CBOR array form.
    pub slots: Vec<SlotView>,
    /// A hand-built `Default` impl is generated (model defaults that differ
    /// from the type's own default).
    pub manual_default: bool,
    /// Fields that have a default function (`default_*`).
    pub has_default_fns: bool,
    /// Number of fields.
    pub field_count: usize,
    /// Some field is an `Option` (the CBOR map length varies).
    pub has_optional: bool,
    /// Number of non-`Option` fields.
    pub plain_count: usize,
    /// Some field is `@sensitive`: `Debug` is written out (redacting those
    /// fields) instead of derived.
    pub manual_debug: bool,
}

/// One position of a CBOR array: a field, or a gap written as null.
#[derive(Clone, Debug, Serialize)]
pub struct SlotView {
    /// The field at this position, if any.
    pub field: Option<FieldView>,
    /// Index of that field in `fields`.
    pub index: u32,
}

/// A field of a struct.
#[derive(Clone, Debug, Serialize)]
pub struct FieldView {
    /// Rust identifier (escaped).
    pub name: String,
    /// Wire name (declared member name or `@serialization(name)`).
    pub wire_name: String,
    /// The wire name is not the Rust name (so generated code spells it out).
    pub wire_differs: bool,
    /// Full field type (with `Option`/`Box`).
    pub ty: String,
    /// Type without `Option`.
    pub inner_ty: String,
    /// `Option<...>`.
    pub optional: bool,
    /// Required on the wire (no default when missing).
    pub required: bool,
    /// Blob field (msgpack bin / CBOR bytes).
    pub is_blob: bool,
    /// Shared attributes.
    #[serde(flatten)]
    pub common: Common,
    /// Complete `#[serde(...)]` attribute texts.
    pub serde_attrs: Vec<String>,
    /// `@n` value.
    pub n: Option<u32>,
    /// Name of the default function, when the model gives a default.
    pub default_fn: Option<String>,
    /// Rust expression of the model default.
    pub default_expr: Option<String>,
    /// Index of the field (for CBOR map decoding).
    pub index: usize,
    /// `@n`, or the declaration index when the structure is not numbered.
    pub number: u32,
    /// Rust name of the owning structure (for error messages).
    pub owner: String,
    /// `@sensitive` on the member or its target: `Debug` shows
    /// `[REDACTED]` instead of the value.
    pub sensitive: bool,
}

/// A union.
#[derive(Clone, Debug, Serialize)]
pub struct UnionView {
    /// Rust name.
    pub name: String,
    /// Shared attributes.
    #[serde(flatten)]
    pub common: Common,
    /// Derive list.
    pub derives: String,
    /// Variants.
    pub variants: Vec<VariantView>,
    /// `#[non_exhaustive]`.
    pub non_exhaustive: bool,
}

/// A union variant.
#[derive(Clone, Debug, Serialize)]
pub struct VariantView {
    /// Rust variant name.
    pub name: String,
    /// Wire name (member name).
    pub wire_name: String,
    /// Payload type; `None` for `Unit` members.
    pub ty: Option<String>,
    /// Blob payload.
    pub is_blob: bool,
    /// `@n` (CBOR tag); defaults to the position.
    pub n: u32,
    /// Shared attributes.
    #[serde(flatten)]
    pub common: Common,
    /// `#[serde(...)]` attributes.
    pub serde_attrs: Vec<String>,
}

/// A string enum.
#[derive(Clone, Debug, Serialize)]
pub struct EnumView {
    /// Rust name.
    pub name: String,
    /// Shared attributes.
    #[serde(flatten)]
    pub common: Common,
    /// Declared values.
    pub values: Vec<EnumValueView>,
    /// Name of the fallback variant holding unknown values.
    pub unknown: String,
}

/// One enum value.
#[derive(Clone, Debug, Serialize)]
pub struct EnumValueView {
    /// Rust variant name.
    pub name: String,
    /// Wire value (a string literal for enums, an integer for intEnums).
    pub value: String,
    /// Rust literal of the value.
    pub literal: String,
    /// Shared attributes.
    #[serde(flatten)]
    pub common: Common,
}

/// An `intEnum`.
#[derive(Clone, Debug, Serialize)]
pub struct IntEnumView {
    /// Rust name.
    pub name: String,
    /// Shared attributes.
    #[serde(flatten)]
    pub common: Common,
    /// Declared values.
    pub values: Vec<EnumValueView>,
    /// Name of the fallback variant.
    pub unknown: String,
}

/// A `@wasmbus` service.
#[derive(Clone, Debug, Serialize)]
pub struct ServiceView {
    /// Trait name (`KeyValue`).
    pub name: String,
    /// The Smithy service name used in method strings (`KeyValue`).
    pub wire_name: String,
    /// Shared attributes.
    #[serde(flatten)]
    pub common: Common,
    /// Capability contract id, if any.
    pub contract_id: Option<String>,
    /// Rust literal of the contract id (`""` when absent).
    pub contract_literal: String,
    /// Wire protocol: "0" (msgpack) or "2" (CBOR).
    pub protocol: String,
    /// True for protocol "2".
    pub cbor: bool,
    /// Actors implement it.
    pub actor_receive: bool,
    /// Providers implement it.
    pub provider_receive: bool,
    /// Operations.
    pub operations: Vec<OperationView>,
    /// Smithy service version.
    pub version: Option<String>,
}

/// An operation of a service.
#[derive(Clone, Debug, Serialize)]
pub struct OperationView {
    /// Rust method name.
    pub method: String,
    /// Bare operation name on the wire (`Increment`).
    pub wire_name: String,
    /// Full method string (`KeyValue.Increment`).
    pub full_name: String,
    /// Input type (owned), if any.
    pub input: Option<String>,
    /// Parameter type as written in the signature (`&str`, `&Foo`).
    pub input_param: Option<String>,
    /// Output type, if any.
    pub output: Option<String>,
    /// Shared attributes.
    #[serde(flatten)]
    pub common: Common,
    /// Rust name of the service trait.
    pub trait_name: String,
    /// The service uses protocol "2" (CBOR).
    pub cbor: bool,
}

/// Builds the view of `namespace` in `model`.
pub fn build(model: &Model, namespace: &str, opts: &ViewOptions) -> Result<CrateView, GenError> {
    let b = Builder::new(model, namespace, opts);
    b.run()
}

struct Builder<'m> {
    model: &'m Model,
    namespace: &'m str,
    opts: &'m ViewOptions,
    /// namespace -> Rust path of the crate/module holding its types.
    crate_paths: HashMap<String, String>,
    foreign: Vec<ForeignCrate>,
    uses_hashmap: bool,
    version: IdlVersion,
}

/// Prelude targets that stay plain (not `Option`) in IDL 1.0 when not
/// `@box`ed, as wasmCloud's generator did.
const PLAIN_PRELUDE_1_0: &[&str] = &[
    "Boolean",
    "Byte",
    "Short",
    "Integer",
    "Long",
    "Float",
    "Double",
    "PrimitiveBoolean",
    "PrimitiveByte",
    "PrimitiveShort",
    "PrimitiveInteger",
    "PrimitiveLong",
    "PrimitiveFloat",
    "PrimitiveDouble",
];

impl<'m> Builder<'m> {
    fn new(model: &'m Model, namespace: &'m str, opts: &'m ViewOptions) -> Self {
        let mut crate_paths: HashMap<String, String> = HashMap::new();
        // Defaults for the platform namespaces: the runtime carries them.
        crate_paths.insert(MODEL_NS.to_string(), format!("{}::model", opts.runtime));
        crate_paths.insert(CORE_NS.to_string(), format!("{}::core", opts.runtime));
        for (ns, krate) in package_crates(model) {
            let mut path = krate.replace('-', "_");
            // wasmCloud's published models name the runtime `wasmbus_rpc`;
            // weld's runtime plays that role.
            if let Some(rest) = path.strip_prefix("wasmbus_rpc") {
                if rest.is_empty() || rest.starts_with("::") {
                    path = format!("{}{rest}", opts.runtime);
                }
            }
            crate_paths.insert(ns, path);
        }
        for (ns, p) in &opts.crate_paths {
            crate_paths.insert(ns.clone(), p.clone());
        }
        let version = model
            .namespace_versions
            .get(namespace)
            .copied()
            .unwrap_or_default();
        Builder {
            model,
            namespace,
            opts,
            crate_paths,
            foreign: Vec::new(),
            uses_hashmap: false,
            version,
        }
    }

    fn run(mut self) -> Result<CrateView, GenError> {
        let mut items = Vec::new();
        let mut services = Vec::new();
        let shapes: Vec<&Shape> = self.model.shapes_in(self.namespace).collect();
        if shapes.is_empty() {
            return Err(GenError::EmptyNamespace(self.namespace.to_string()));
        }
        for shape in shapes {
            if self.skipped(shape) {
                continue;
            }
            match &shape.kind {
                ShapeKind::Service(_) => {
                    if let Some(s) = self.service(shape)? {
                        services.push(s);
                    }
                }
                ShapeKind::Operation(_) | ShapeKind::Resource(_) => {}
                ShapeKind::Structure => items.push(ItemView::Struct(self.structure(shape)?)),
                ShapeKind::Union => items.push(ItemView::Union(self.union(shape)?)),
                ShapeKind::Enum => items.push(ItemView::Enum(self.enumeration(shape)?)),
                ShapeKind::IntEnum => items.push(ItemView::IntEnum(self.int_enum(shape)?)),
                ShapeKind::Simple(SimpleKind::String) if shape.has_prelude_trait("enum") => {
                    items.push(ItemView::Enum(self.enumeration(shape)?))
                }
                ShapeKind::Simple(_) | ShapeKind::List | ShapeKind::Set | ShapeKind::Map => {
                    let ty = self.structural_type(&shape.id, &mut Vec::new())?;
                    items.push(ItemView::Alias(AliasView {
                        name: names::item(&shape.id.name),
                        ty,
                        common: self.common(shape),
                        is_set: matches!(shape.kind, ShapeKind::Set)
                            || shape.has_prelude_trait("uniqueItems"),
                        alias_kind: match shape.kind {
                            ShapeKind::List => "list",
                            ShapeKind::Set => "set",
                            ShapeKind::Map => "map",
                            _ => "simple",
                        },
                    }));
                }
            }
        }
        let docs = self.namespace_docs();
        let mut samples = Vec::new();
        for shape in self.model.shapes_in(self.namespace) {
            if self.skipped(shape) {
                continue;
            }
            let is_enum = matches!(shape.kind, ShapeKind::Enum)
                || (matches!(shape.kind, ShapeKind::Simple(SimpleKind::String))
                    && shape.has_prelude_trait("enum"));
            let wanted = matches!(
                shape.kind,
                ShapeKind::Structure
                    | ShapeKind::Union
                    | ShapeKind::IntEnum
                    | ShapeKind::List
                    | ShapeKind::Set
                    | ShapeKind::Map
            ) || is_enum;
            if !wanted {
                continue;
            }
            let Some(expr) = self.sample(&shape.id, 0)? else {
                continue;
            };
            samples.push(SampleView {
                test_name: names::field(&shape.id.name)
                    .trim_start_matches("r#")
                    .to_string(),
                ty: self.type_of(&shape.id, &mut Vec::new())?,
                expr,
                string_enum: is_enum,
                int_enum: matches!(shape.kind, ShapeKind::IntEnum),
            });
        }
        Ok(CrateView {
            samples,
            namespace: self.namespace.to_string(),
            docs,
            runtime: self.opts.runtime.clone(),
            items,
            services,
            foreign_crates: self.foreign,
            uses_hashmap: self.uses_hashmap,
        })
    }

    fn namespace_docs(&self) -> Vec<String> {
        for (ns, entry) in package_entries(self.model) {
            if ns == self.namespace {
                if let Some(d) = entry.get("doc").and_then(Node::as_str) {
                    return doc_lines(d);
                }
            }
        }
        vec![format!(
            "Types and services of the Smithy namespace `{}`.",
            self.namespace
        )]
    }

    /// Shapes that produce no Rust item.
    fn skipped(&self, shape: &Shape) -> bool {
        if shape.has_prelude_trait("trait") || shape.has_prelude_trait("mixin") {
            return true;
        }
        if codegen_flag(
            shape
                .traits
                .get(&model_trait("codegenRust"))
                .map(|t| &t.value),
            "skip",
        ) {
            return true;
        }
        // The unit type is supplied by the runtime.
        shape.id.name == "Unit"
            && matches!(shape.kind, ShapeKind::Structure)
            && shape.members.is_empty()
    }

    fn common(&self, shape: &Shape) -> Common {
        Common {
            docs: shape.documentation().map(doc_lines).unwrap_or_default(),
            deprecated: deprecated_attr(shape.trait_value(&ShapeId::prelude("deprecated"))),
            shape_id: shape.id.to_string(),
        }
    }

    fn member_common(&self, owner: &Shape, m: &Member) -> Common {
        Common {
            docs: m
                .trait_value(&ShapeId::prelude("documentation"))
                .and_then(Node::as_str)
                .map(doc_lines)
                .unwrap_or_default(),
            deprecated: deprecated_attr(m.trait_value(&ShapeId::prelude("deprecated"))),
            shape_id: owner.id.with_member(&m.name).to_string(),
        }
    }

    /// wasmCloud's published models use a few lower-case Rust primitive
    /// names (`u32`, `u64`) as if they were shapes; the upstream generator
    /// accepted them, so weld does too (the validator reports them).
    fn rust_primitive_name(id: &ShapeId) -> Option<&'static str> {
        const PRIMS: &[&str] = &[
            "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "f32", "f64", "bool",
        ];
        PRIMS.iter().copied().find(|p| *p == id.name)
    }

    fn shape(&self, id: &ShapeId) -> Result<&'m Shape, GenError> {
        self.model
            .shape(id)
            .ok_or_else(|| GenError::UnknownShape(id.to_string()))
    }

    /// The Rust path of a named (non-structural) item in another namespace.
    fn item_path(&mut self, id: &ShapeId) -> Result<String, GenError> {
        let name = names::item(&id.name);
        if id.namespace == self.namespace {
            return Ok(name);
        }
        let path = self
            .crate_paths
            .get(&id.namespace)
            .cloned()
            .ok_or_else(|| GenError::NoCrateForNamespace {
                namespace: id.namespace.clone(),
                shape: id.to_string(),
            })?;
        let ident = path.split("::").next().unwrap_or(&path).to_string();
        if ident != self.opts.runtime && !self.foreign.iter().any(|f| f.ident == ident) {
            self.foreign.push(ForeignCrate {
                ident,
                namespace: id.namespace.clone(),
            });
        }
        Ok(format!("{path}::{name}"))
    }

    /// The Rust type of a reference to shape `id` (as a member target).
    /// Local lists/maps/simple shapes are referred to by their alias name;
    /// foreign ones are expanded so the other crate need not define aliases.
    fn type_of(&mut self, id: &ShapeId, stack: &mut Vec<ShapeId>) -> Result<String, GenError> {
        if id.is_prelude() {
            return self.prelude_type(id);
        }
        if self.model.shape(id).is_none() {
            if let Some(p) = Self::rust_primitive_name(id) {
                return Ok(p.to_string());
            }
        }
        let shape = self.shape(id)?;
        match &shape.kind {
            ShapeKind::Structure | ShapeKind::Union | ShapeKind::Enum | ShapeKind::IntEnum => {
                if shape.id.name == "Unit" && shape.members.is_empty() {
                    return Ok("()".to_string());
                }
                self.item_path(id)
            }
            ShapeKind::Simple(SimpleKind::String) if shape.has_prelude_trait("enum") => {
                self.item_path(id)
            }
            ShapeKind::List | ShapeKind::Set | ShapeKind::Map if id.namespace == self.namespace => {
                // Keep the alias-expanded form in the signature of maps so
                // `uses_hashmap` is tracked, but refer to the alias by name.
                self.structural_type(id, stack)?;
                Ok(names::item(&id.name))
            }
            _ => self.structural_type(id, stack),
        }
    }

    /// The expanded Rust type of a simple/list/set/map shape.
    fn structural_type(
        &mut self,
        id: &ShapeId,
        stack: &mut Vec<ShapeId>,
    ) -> Result<String, GenError> {
        if id.is_prelude() {
            return self.prelude_type(id);
        }
        if stack.contains(id) {
            return Err(GenError::Unsupported {
                shape: id.to_string(),
                what: "a list or map that contains itself".to_string(),
            });
        }
        let shape = self.shape(id)?;
        stack.push(id.clone());
        let out = match &shape.kind {
            ShapeKind::Simple(kind) => self.simple_type(shape, *kind),
            ShapeKind::List | ShapeKind::Set => {
                let m = shape
                    .member("member")
                    .ok_or_else(|| GenError::UnknownShape(format!("{id}$member")))?;
                let inner = self.type_of(&m.target.clone(), stack)?;
                if shape.has_prelude_trait("sparse") {
                    Ok(format!("Vec<Option<{inner}>>"))
                } else {
                    Ok(format!("Vec<{inner}>"))
                }
            }
            ShapeKind::Map => {
                let k = shape
                    .member("key")
                    .ok_or_else(|| GenError::UnknownShape(format!("{id}$key")))?;
                let v = shape
                    .member("value")
                    .ok_or_else(|| GenError::UnknownShape(format!("{id}$value")))?;
                let kt = self.type_of(&k.target.clone(), stack)?;
                let vt = self.type_of(&v.target.clone(), stack)?;
                self.uses_hashmap = true;
                if shape.has_prelude_trait("sparse") {
                    Ok(format!("std::collections::HashMap<{kt}, Option<{vt}>>"))
                } else {
                    Ok(format!("std::collections::HashMap<{kt}, {vt}>"))
                }
            }
            _ => self.type_of(id, stack),
        };
        stack.pop();
        out
    }

    fn simple_type(&mut self, shape: &Shape, kind: SimpleKind) -> Result<String, GenError> {
        let unsigned = shape.traits.contains_key(&model_trait("unsignedInt"));
        let rt = &self.opts.runtime;
        Ok(match kind {
            SimpleKind::Blob => "Vec<u8>".into(),
            SimpleKind::Boolean => "bool".into(),
            SimpleKind::String => "String".into(),
            SimpleKind::Byte => if unsigned { "u8" } else { "i8" }.into(),
            SimpleKind::Short => if unsigned { "u16" } else { "i16" }.into(),
            SimpleKind::Integer => if unsigned { "u32" } else { "i32" }.into(),
            SimpleKind::Long => if unsigned { "u64" } else { "i64" }.into(),
            SimpleKind::Float => "f32".into(),
            SimpleKind::Double => "f64".into(),
            SimpleKind::Timestamp => format!("{rt}::Timestamp"),
            SimpleKind::Document => format!("{rt}::Document"),
            SimpleKind::BigInteger | SimpleKind::BigDecimal => {
                return Err(GenError::Unsupported {
                    shape: shape.id.to_string(),
                    what: format!(
                        "`{}` has no wire encoding in the wasmbus protocols; use a string or a fixed-width number",
                        kind.keyword()
                    ),
                })
            }
        })
    }

    fn prelude_type(&mut self, id: &ShapeId) -> Result<String, GenError> {
        if id.name == "Unit" {
            return Ok("()".into());
        }
        let shape = self.shape(id)?;
        match shape.kind {
            ShapeKind::Simple(k) => self.simple_type(shape, k),
            _ => Err(GenError::Unsupported {
                shape: id.to_string(),
                what: "prelude shapes other than simple types and Unit cannot be used in data"
                    .into(),
            }),
        }
    }

    /// The resolved simple kind of a target (through aliases), if simple.
    fn simple_kind(&self, id: &ShapeId) -> Option<SimpleKind> {
        match self.model.shape(id)?.kind {
            ShapeKind::Simple(k) => Some(k),
            _ => None,
        }
    }

    fn is_blob(&self, id: &ShapeId) -> bool {
        self.simple_kind(id) == Some(SimpleKind::Blob)
    }

    /// True if `from` can reach `to` through direct (not list/map) members of
    /// structures and unions: such references must be boxed.
    fn reaches(&self, from: &ShapeId, to: &ShapeId) -> bool {
        let mut seen = HashSet::new();
        let mut todo = vec![from.clone()];
        while let Some(id) = todo.pop() {
            if &id == to {
                return true;
            }
            if !seen.insert(id.clone()) {
                continue;
            }
            if let Some(s) = self.model.shape(&id) {
                if matches!(s.kind, ShapeKind::Structure | ShapeKind::Union) {
                    for m in &s.members {
                        if let Some(t) = self.model.shape(&m.target) {
                            if matches!(t.kind, ShapeKind::Structure | ShapeKind::Union) {
                                todo.push(m.target.clone());
                            }
                        }
                    }
                }
            }
        }
        false
    }

    /// Whether a shape's Rust type can implement `Eq` (no floats or
    /// documents anywhere inside).
    fn is_eq(&self, id: &ShapeId, seen: &mut HashSet<ShapeId>) -> bool {
        if !seen.insert(id.clone()) {
            return true;
        }
        let Some(s) = self.model.shape(id) else {
            return false;
        };
        if codegen_flag(s.trait_value(&model_trait("codegenRust")), "noDeriveEq") {
            return false;
        }
        match &s.kind {
            ShapeKind::Simple(SimpleKind::Float | SimpleKind::Double | SimpleKind::Document) => {
                false
            }
            ShapeKind::Simple(_) | ShapeKind::Enum | ShapeKind::IntEnum => true,
            _ => s
                .members
                .iter()
                .all(|m| m.target.name == "Unit" || self.is_eq(&m.target, seen)),
        }
    }

    /// Whether a value of the shape's Rust type has a `Default`.
    fn has_default(&self, id: &ShapeId, seen: &mut HashSet<ShapeId>) -> bool {
        if !seen.insert(id.clone()) {
            return true;
        }
        let Some(s) = self.model.shape(id) else {
            return false;
        };
        match &s.kind {
            ShapeKind::Simple(SimpleKind::String) if s.has_prelude_trait("enum") => false,
            ShapeKind::Simple(_) | ShapeKind::List | ShapeKind::Set | ShapeKind::Map => true,
            ShapeKind::Structure => {
                if codegen_flag(
                    s.trait_value(&model_trait("codegenRust")),
                    "noDeriveDefault",
                ) {
                    return false;
                }
                s.members.iter().all(|m| {
                    self.member_optional(m).0
                        || self.has_default(&m.target, seen)
                        || m.trait_value(&ShapeId::prelude("default")).is_some()
                })
            }
            _ => false,
        }
    }

    /// `(optional, plain_with_serde_default)` for a structure member.
    fn member_optional(&self, m: &Member) -> (bool, bool) {
        // Non-authoritative code (our crates serve clients too) treats
        // `@clientOptional` members as optional, as the spec asks.
        if m.has_prelude_trait("clientOptional") {
            return (true, false);
        }
        if m.has_prelude_trait("required") {
            return (false, false);
        }
        if m.has_prelude_trait("box") {
            return (true, false);
        }
        if let Some(d) = m.trait_value(&ShapeId::prelude("default")) {
            if *d != Node::Null {
                return (false, true);
            }
            return (true, false);
        }
        let target = self.model.shape(&m.target);
        if let Some(t) = target {
            if t.has_prelude_trait("box") {
                return (true, false);
            }
            let is_primitive = matches!(
                t.kind,
                ShapeKind::Simple(
                    SimpleKind::Boolean
                        | SimpleKind::Byte
                        | SimpleKind::Short
                        | SimpleKind::Integer
                        | SimpleKind::Long
                        | SimpleKind::Float
                        | SimpleKind::Double
                )
            );
            if is_primitive {
                if t.id.is_prelude() && t.trait_value(&ShapeId::prelude("default")).is_some() {
                    return (false, true);
                }
                if self.version == IdlVersion::V1
                    && t.id.is_prelude()
                    && PLAIN_PRELUDE_1_0.contains(&t.id.name.as_str())
                {
                    return (false, true);
                }
            }
        }
        (true, false)
    }

    /// Whether upstream's generator gives a member targeting `id` a
    /// `#[serde(default)]` (its `has_default`): the prelude's simple types
    /// with a zero value (not `Document`) and its aggregates, and the
    /// fixed-width numbers of `org.wasmcloud.model`. Upstream decides by the
    /// target's own id, so a user shape aliasing `String` does not count.
    /// Upstream peers may leave such members out of a MessagePack map.
    fn upstream_has_default(id: &ShapeId) -> bool {
        if id.is_prelude() {
            matches!(
                id.name.as_str(),
                "List"
                    | "Set"
                    | "Map"
                    | "Blob"
                    | "Boolean"
                    | "String"
                    | "Byte"
                    | "Short"
                    | "Integer"
                    | "Long"
                    | "Float"
                    | "Double"
                    | "Timestamp"
            )
        } else if id.namespace == MODEL_NS {
            matches!(
                id.name.as_str(),
                "U64" | "U32" | "U16" | "U8" | "I64" | "I32" | "I16" | "I8" | "F64" | "F32"
            )
        } else {
            false
        }
    }

    fn structure(&mut self, shape: &'m Shape) -> Result<StructView, GenError> {
        let name = names::item(&shape.id.name);
        let cg = shape.trait_value(&model_trait("codegenRust"));
        let mut fields = Vec::new();
        let mut used_names: HashSet<String> = HashSet::new();
        let mut manual_default = false;
        let mut has_default_fns = false;
        for (index, m) in shape.members.iter().enumerate() {
            let mut fname = names::field(&rust_rename(m).unwrap_or_else(|| m.name.clone()));
            while !used_names.insert(fname.clone()) {
                fname.push('_');
            }
            let wire_name = m
                .trait_value(&model_trait("serialization"))
                .and_then(|v| v.get("name"))
                .and_then(Node::as_str)
                .unwrap_or(&m.name)
                .to_string();
            let mut inner = self.type_of(&m.target, &mut Vec::new())?;
            if self.reaches(&m.target, &shape.id) {
                inner = format!("Box<{inner}>");
            }
            let (optional, serde_default) = self.member_optional(m);
            let required = m.has_prelude_trait("required");
            let is_blob = self.is_blob(&m.target);
            let mut serde_attrs = Vec::new();
            if fname.trim_start_matches("r#") != wire_name {
                serde_attrs.push(format!("#[serde(rename = {wire_name:?})]"));
            }
            let mut default_fn = None;
            let mut default_expr = None;
            if optional {
                serde_attrs.push(
                    "#[serde(default, skip_serializing_if = \"Option::is_none\")]".to_string(),
                );
            } else if serde_default {
                let model_default = m.trait_value(&ShapeId::prelude("default")).or_else(|| {
                    self.model
                        .shape(&m.target)
                        .and_then(|t| t.trait_value(&ShapeId::prelude("default")))
                });
                match model_default
                    .map(|d| self.default_expr(&m.target, d))
                    .transpose()?
                {
                    Some(Some(expr)) => {
                        let f = format!("default_{}", fname.trim_start_matches("r#"));
                        serde_attrs.push(format!("#[serde(default = \"{name}::{f}\")]"));
                        default_fn = Some(f);
                        default_expr = Some(expr);
                        manual_default = true;
                        has_default_fns = true;
                    }
                    _ => serde_attrs.push("#[serde(default)]".to_string()),
                }
            } else if Self::upstream_has_default(&m.target) {
                // Only the MessagePack (serde) decoder relaxes: CBOR stays
                // as strict as upstream's CBOR decoder (`required` below).
                serde_attrs.push("#[serde(default)]".to_string());
            }
            if is_blob {
                serde_attrs.push(format!(
                    "#[serde(with = \"{}::serde_blob\")]",
                    self.opts.runtime
                ));
            }
            let n = m
                .trait_value(&model_trait("n"))
                .and_then(Node::as_i64)
                .and_then(|v| u32::try_from(v).ok());
            let sensitive = m.has_prelude_trait("sensitive")
                || self
                    .model
                    .shape(&m.target)
                    .is_some_and(|t| t.trait_value(&ShapeId::prelude("sensitive")).is_some());
            let ty = if optional {
                format!("Option<{inner}>")
            } else {
                inner.clone()
            };
            fields.push(FieldView {
                wire_differs: fname != wire_name,
                name: fname,
                wire_name,
                ty,
                inner_ty: inner,
                optional,
                required,
                is_blob,
                common: self.member_common(shape, m),
                serde_attrs,
                n,
                default_fn,
                default_expr,
                index,
                number: n.unwrap_or(index as u32),
                owner: name.clone(),
                sensitive,
            });
        }
        let numbered = !fields.is_empty() && fields.iter().all(|f| f.n.is_some());
        let mut slots = Vec::new();
        let mut array_len = 0;
        if numbered {
            array_len = fields.iter().filter_map(|f| f.n).max().unwrap_or(0) + 1;
            for pos in 0..array_len {
                let f = fields.iter().find(|f| f.n == Some(pos));
                slots.push(SlotView {
                    field: f.cloned(),
                    index: pos,
                });
            }
        }
        let manual_debug = fields.iter().any(|f| f.sensitive);
        let mut derives = vec!["Clone"];
        if !manual_debug {
            derives.push("Debug");
        }
        derives.push("PartialEq");
        let eq = !codegen_flag(cg, "noDeriveEq") && self.is_eq(&shape.id, &mut HashSet::new());
        if eq {
            derives.push("Eq");
        }
        let defaultable = !codegen_flag(cg, "noDeriveDefault")
            && self.has_default(&shape.id, &mut HashSet::new());
        if defaultable && !manual_default {
            derives.push("Default");
        }
        if !defaultable {
            manual_default = false;
        }
        derives.push("serde::Serialize");
        derives.push("serde::Deserialize");
        Ok(StructView {
            name,
            common: self.common(shape),
            derives: derives.join(", "),
            non_exhaustive: codegen_flag(cg, "nonExhaustive"),
            field_count: fields.len(),
            has_optional: fields.iter().any(|f| f.optional),
            plain_count: fields.iter().filter(|f| !f.optional).count(),
            fields,
            numbered,
            array_len,
            slots,
            manual_default,
            has_default_fns,
            manual_debug,
        })
    }

    /// A Rust expression for a model default value of target `id`, or
    /// `None` when the type's own `Default` is the same value.
    fn default_expr(&mut self, id: &ShapeId, value: &Node) -> Result<Option<String>, GenError> {
        let target = self.shape(id)?;
        let ty = self.type_of(id, &mut Vec::new())?;
        let zero = match value {
            Node::Null => true,
            Node::Bool(b) => !*b,
            Node::Number(n) => n.as_f64() == 0.0,
            Node::String(s) => s.is_empty() && !matches!(target.kind, ShapeKind::Enum),
            Node::Array(a) => a.is_empty(),
            Node::Object(o) => o.is_empty(),
        };
        if zero && !matches!(target.kind, ShapeKind::Enum | ShapeKind::IntEnum) {
            return Ok(None);
        }
        Ok(Some(match (&target.kind, value) {
            (ShapeKind::Enum, Node::String(s)) => format!("{ty}::from({s:?})"),
            (ShapeKind::Simple(SimpleKind::String), Node::String(s))
                if target.has_prelude_trait("enum") =>
            {
                format!("{ty}::from({s:?})")
            }
            (ShapeKind::IntEnum, Node::Number(n)) => {
                format!("{ty}::from({}_i32)", n.as_i64().unwrap_or(0))
            }
            (_, Node::Bool(b)) => b.to_string(),
            (_, Node::Number(n)) => match n.as_i64() {
                Some(i) if !matches!(ty.as_str(), "f32" | "f64") => format!("{i}_{ty}"),
                _ => format!("{:?}_{ty}", n.as_f64()),
            },
            (ShapeKind::Simple(SimpleKind::Blob), Node::String(s)) => {
                format!("{s:?}.as_bytes().to_vec()")
            }
            (_, Node::String(s)) => format!("String::from({s:?})"),
            _ => "Default::default()".to_string(),
        }))
    }

    /// A Rust expression for a non-trivial value of shape `id` (used by the
    /// generated round-trip tests); `None` when no value can be built from
    /// outside the crate (a `#[non_exhaustive]` type without `Default`).
    fn sample(&mut self, id: &ShapeId, depth: usize) -> Result<Option<String>, GenError> {
        if id.name == "Unit" && (id.is_prelude() || id.namespace == MODEL_NS) {
            return Ok(Some("()".into()));
        }
        if self.model.shape(id).is_none() {
            if let Some(p) = Self::rust_primitive_name(id) {
                return Ok(Some(match p {
                    "bool" => "true".to_string(),
                    "f32" | "f64" => format!("1.5_{p}"),
                    _ => format!("7_{p}"),
                }));
            }
        }
        let shape = self.shape(id)?;
        if id.namespace != self.namespace
            && !id.is_prelude()
            && !matches!(
                shape.kind,
                ShapeKind::Simple(_) | ShapeKind::List | ShapeKind::Set | ShapeKind::Map
            )
        {
            // A type of another crate: its own tests cover it.
            return Ok(Some("Default::default()".into()));
        }
        let ty = self.type_of(id, &mut Vec::new())?;
        let deep = depth > 3;
        Ok(Some(match &shape.kind {
            ShapeKind::Simple(SimpleKind::String) if shape.has_prelude_trait("enum") => {
                let first = shape
                    .trait_value(&ShapeId::prelude("enum"))
                    .and_then(Node::as_array)
                    .and_then(|a| a.first())
                    .and_then(|d| d.get("value"))
                    .and_then(Node::as_str)
                    .unwrap_or("x");
                format!("{ty}::from({first:?})")
            }
            ShapeKind::Simple(k) => match k {
                SimpleKind::Blob => "vec![0_u8, 1, 255]".into(),
                SimpleKind::Boolean => "true".into(),
                SimpleKind::String => "String::from(\"weld \u{e9}\")".into(),
                SimpleKind::Float | SimpleKind::Double => format!("1.5_{ty}"),
                SimpleKind::Timestamp => format!(
                    "{}::Timestamp::new(1_700_000_000, 123_456_789).unwrap()",
                    self.opts.runtime
                ),
                SimpleKind::Document => format!("{}::Document::from(\"doc\")", self.opts.runtime),
                SimpleKind::Byte | SimpleKind::Short | SimpleKind::Integer | SimpleKind::Long => {
                    let signed = ty.starts_with('i');
                    if signed {
                        format!("-7_{ty}")
                    } else {
                        format!("200_{ty}")
                    }
                }
                SimpleKind::BigInteger | SimpleKind::BigDecimal => return Ok(None),
            },
            ShapeKind::List | ShapeKind::Set => {
                let m = shape.member("member").map(|m| m.target.clone());
                match m {
                    Some(t) if !deep => match self.sample(&t, depth + 1)? {
                        Some(e) if shape.has_prelude_trait("sparse") => {
                            format!("vec![Some({e}), None]")
                        }
                        Some(e) => format!("vec![{e}]"),
                        None => "Vec::new()".into(),
                    },
                    _ => "Vec::new()".into(),
                }
            }
            ShapeKind::Map => {
                let k = shape.member("key").map(|m| m.target.clone());
                let v = shape.member("value").map(|m| m.target.clone());
                match (k, v) {
                    (Some(k), Some(v)) if !deep => {
                        match (self.sample(&k, depth + 1)?, self.sample(&v, depth + 1)?) {
                            (Some(ke), Some(ve)) => {
                                let ve = if shape.has_prelude_trait("sparse") {
                                    format!("Some({ve})")
                                } else {
                                    ve
                                };
                                format!("[({ke}, {ve})].into_iter().collect::<{ty}>()")
                            }
                            _ => format!("{ty}::new()"),
                        }
                    }
                    _ => format!("{ty}::new()"),
                }
            }
            ShapeKind::Enum => {
                let Some(m) = shape.members.first() else {
                    return Ok(None);
                };
                format!("{ty}::{}", names::type_name(&m.name))
            }
            ShapeKind::IntEnum => {
                let Some(m) = shape.members.first() else {
                    return Ok(None);
                };
                format!("{ty}::{}", names::type_name(&m.name))
            }
            ShapeKind::Union => {
                let Some(m) = shape.members.first() else {
                    return Ok(None);
                };
                let vname = names::type_name(&rust_rename(m).unwrap_or_else(|| m.name.clone()));
                let unit = m.target.name == "Unit"
                    && self
                        .model
                        .shape(&m.target)
                        .is_some_and(|t| t.members.is_empty());
                if unit {
                    format!("{ty}::{vname}")
                } else {
                    let Some(mut e) = self.sample(&m.target.clone(), depth + 1)? else {
                        return Ok(None);
                    };
                    if self.reaches(&m.target, &shape.id) {
                        e = format!("Box::new({e})");
                    }
                    format!("{ty}::{vname}({e})")
                }
            }
            ShapeKind::Structure => {
                let cg = shape.trait_value(&model_trait("codegenRust"));
                let non_exhaustive = codegen_flag(cg, "nonExhaustive");
                let mut used: HashSet<String> = HashSet::new();
                let mut fields = Vec::new();
                for m in &shape.members {
                    let mut fname = names::field(&rust_rename(m).unwrap_or_else(|| m.name.clone()));
                    while !used.insert(fname.clone()) {
                        fname.push('_');
                    }
                    let (optional, _) = self.member_optional(m);
                    let boxed = self.reaches(&m.target, &shape.id);
                    let value = if optional && (deep || boxed && depth > 1) {
                        "None".to_string()
                    } else {
                        match self.sample(&m.target.clone(), depth + 1)? {
                            Some(mut e) => {
                                if boxed {
                                    e = format!("Box::new({e})");
                                }
                                if optional {
                                    format!("Some({e})")
                                } else {
                                    e
                                }
                            }
                            None if optional => "None".to_string(),
                            None => return Ok(None),
                        }
                    };
                    fields.push((fname, value));
                }
                if non_exhaustive {
                    if !self.has_default(&shape.id, &mut HashSet::new()) {
                        return Ok(None);
                    }
                    let sets: String = fields
                        .iter()
                        .map(|(f, v)| format!("v.{f} = {v}; "))
                        .collect();
                    format!("{{ let mut v = {ty}::default(); {sets}v }}")
                } else {
                    let inits: Vec<String> =
                        fields.iter().map(|(f, v)| format!("{f}: {v}")).collect();
                    format!("{ty} {{ {} }}", inits.join(", "))
                }
            }
            _ => return Ok(None),
        }))
    }

    fn union(&mut self, shape: &'m Shape) -> Result<UnionView, GenError> {
        let name = names::item(&shape.id.name);
        let cg = shape.trait_value(&model_trait("codegenRust"));
        let mut variants = Vec::new();
        for (pos, m) in shape.members.iter().enumerate() {
            let vname = names::type_name(&rust_rename(m).unwrap_or_else(|| m.name.clone()));
            let is_unit = m.target == ShapeId::prelude("Unit")
                || self
                    .model
                    .shape(&m.target)
                    .is_some_and(|t| t.id.name == "Unit" && t.members.is_empty());
            let ty = if is_unit {
                None
            } else {
                let mut t = self.type_of(&m.target, &mut Vec::new())?;
                if self.reaches(&m.target, &shape.id) {
                    t = format!("Box<{t}>");
                }
                Some(t)
            };
            let wire_name = m
                .trait_value(&model_trait("serialization"))
                .and_then(|v| v.get("name"))
                .and_then(Node::as_str)
                .unwrap_or(&m.name)
                .to_string();
            let is_blob = self.is_blob(&m.target);
            let mut serde_attrs = vec![format!("#[serde(rename = {wire_name:?})]")];
            if is_blob {
                serde_attrs.push(format!(
                    "#[serde(with = \"{}::serde_blob\")]",
                    self.opts.runtime
                ));
            }
            let n = m
                .trait_value(&model_trait("n"))
                .and_then(Node::as_i64)
                .and_then(|v| u32::try_from(v).ok())
                .unwrap_or(pos as u32);
            variants.push(VariantView {
                name: vname,
                wire_name,
                ty,
                is_blob,
                n,
                common: self.member_common(shape, m),
                serde_attrs,
            });
        }
        let mut derives = vec!["Clone", "Debug", "PartialEq"];
        if !codegen_flag(cg, "noDeriveEq") && self.is_eq(&shape.id, &mut HashSet::new()) {
            derives.push("Eq");
        }
        derives.push("serde::Serialize");
        derives.push("serde::Deserialize");
        Ok(UnionView {
            name,
            common: self.common(shape),
            derives: derives.join(", "),
            variants,
            non_exhaustive: codegen_flag(cg, "nonExhaustive"),
        })
    }

    fn enumeration(&mut self, shape: &'m Shape) -> Result<EnumView, GenError> {
        let name = names::item(&shape.id.name);
        let mut values = Vec::new();
        if let ShapeKind::Enum = shape.kind {
            for m in &shape.members {
                let value = m
                    .trait_value(&ShapeId::prelude("enumValue"))
                    .and_then(Node::as_str)
                    .unwrap_or(&m.name)
                    .to_string();
                values.push(EnumValueView {
                    name: names::type_name(&m.name),
                    literal: format!("{value:?}"),
                    value,
                    common: self.member_common(shape, m),
                });
            }
        } else {
            let defs = shape
                .trait_value(&ShapeId::prelude("enum"))
                .and_then(Node::as_array)
                .unwrap_or(&[]);
            for d in defs {
                let Some(value) = d.get("value").and_then(Node::as_str) else {
                    continue;
                };
                let vname = d.get("name").and_then(Node::as_str).unwrap_or(value);
                let mut common = Common {
                    docs: d
                        .get("documentation")
                        .and_then(Node::as_str)
                        .map(doc_lines)
                        .unwrap_or_default(),
                    deprecated: None,
                    shape_id: shape.id.to_string(),
                };
                if d.get("deprecated").and_then(Node::as_bool) == Some(true) {
                    common.deprecated = Some("#[deprecated]".to_string());
                }
                values.push(EnumValueView {
                    name: names::type_name(&sanitize_ident(vname)),
                    literal: format!("{value:?}"),
                    value: value.to_string(),
                    common,
                });
            }
        }
        dedupe_variants(&mut values);
        let unknown = fallback_name(&values);
        Ok(EnumView {
            name,
            common: self.common(shape),
            values,
            unknown,
        })
    }

    fn int_enum(&mut self, shape: &'m Shape) -> Result<IntEnumView, GenError> {
        let name = names::item(&shape.id.name);
        let mut values = Vec::new();
        for m in &shape.members {
            let v = m
                .trait_value(&ShapeId::prelude("enumValue"))
                .and_then(Node::as_i64)
                .ok_or_else(|| GenError::Unsupported {
                    shape: shape.id.with_member(&m.name).to_string(),
                    what: "intEnum member without an integer @enumValue".into(),
                })?;
            let v = i32::try_from(v).map_err(|_| GenError::Unsupported {
                shape: shape.id.with_member(&m.name).to_string(),
                what: format!("intEnum value {v} does not fit a 32-bit integer"),
            })?;
            values.push(EnumValueView {
                name: names::type_name(&m.name),
                value: v.to_string(),
                literal: v.to_string(),
                common: self.member_common(shape, m),
            });
        }
        dedupe_variants(&mut values);
        let unknown = fallback_name(&values);
        Ok(IntEnumView {
            name,
            common: self.common(shape),
            values,
            unknown,
        })
    }

    fn service(&mut self, shape: &'m Shape) -> Result<Option<ServiceView>, GenError> {
        let Some(wb) = shape.trait_value(&model_trait("wasmbus")) else {
            return Ok(None);
        };
        let ShapeKind::Service(svc) = &shape.kind else {
            return Ok(None);
        };
        let contract_id = wb
            .get("contractId")
            .and_then(Node::as_str)
            .map(str::to_string);
        let protocol = wb
            .get("protocol")
            .and_then(Node::as_str)
            .unwrap_or("0")
            .to_string();
        if protocol != "0" && protocol != "2" {
            return Err(GenError::Unsupported {
                shape: shape.id.to_string(),
                what: format!(
                    "wasmbus protocol {protocol:?} (supported: \"0\" msgpack, \"2\" CBOR)"
                ),
            });
        }
        let name = names::item(&shape.id.name);
        let mut operations = Vec::new();
        // Operations bound through resources belong to the service too.
        let model = self.model;
        let ops = model.service_operations(shape);
        for op_id in ops {
            let op_shape = self.shape(op_id)?;
            let ShapeKind::Operation(op) = &op_shape.kind else {
                continue;
            };
            let wire_name = svc
                .rename
                .get(op_id)
                .cloned()
                .unwrap_or_else(|| op_id.name.clone());
            let rename = op_shape
                .trait_value(&model_trait("rename"))
                .and_then(rust_name_from_rename);
            let method = names::field(rename.as_deref().unwrap_or(&wire_name));
            let io = |b: &mut Self,
                      r: &Option<crate::model::ShapeRef>|
             -> Result<Option<String>, GenError> {
                match r {
                    None => Ok(None),
                    Some(r) if r.id == ShapeId::prelude("Unit") => Ok(None),
                    Some(r) => {
                        let t = b.type_of(&r.id, &mut Vec::new())?;
                        Ok(if t == "()" { None } else { Some(t) })
                    }
                }
            };
            let input = io(self, &op.input)?;
            let output = io(self, &op.output)?;
            let input_param = input.as_ref().map(|t| match t.as_str() {
                "String" => "&str".to_string(),
                _ => format!("&{t}"),
            });
            operations.push(OperationView {
                method,
                full_name: format!("{}.{}", shape.id.name, wire_name),
                wire_name,
                input,
                input_param,
                output,
                common: self.common(op_shape),
                trait_name: name.clone(),
                cbor: protocol == "2",
            });
        }
        Ok(Some(ServiceView {
            name,
            wire_name: shape.id.name.clone(),
            common: self.common(shape),
            contract_literal: format!("{:?}", contract_id.clone().unwrap_or_default()),
            contract_id,
            cbor: protocol == "2",
            protocol,
            actor_receive: wb
                .get("actorReceive")
                .and_then(Node::as_bool)
                .unwrap_or(false),
            provider_receive: wb
                .get("providerReceive")
                .and_then(Node::as_bool)
                .unwrap_or(false),
            operations,
            version: svc.version.clone(),
        }))
    }
}

/// `metadata package = [{namespace, crate, ...}]` entries.
pub fn package_entries(model: &Model) -> Vec<(String, &IndexMap<String, Node>)> {
    let mut out = Vec::new();
    if let Some(Node::Array(items)) = model.metadata.get("package") {
        for item in items {
            if let (Some(obj), Some(ns)) = (
                item.as_object(),
                item.get("namespace").and_then(Node::as_str),
            ) {
                out.push((ns.to_string(), obj));
            }
        }
    }
    out
}

/// namespace -> `crate` value of `metadata package`.
pub fn package_crates(model: &Model) -> Vec<(String, String)> {
    package_entries(model)
        .into_iter()
        .filter_map(|(ns, obj)| Some((ns, obj.get("crate")?.as_str()?.to_string())))
        .collect()
}

fn codegen_flag(v: Option<&Node>, flag: &str) -> bool {
    v.and_then(|v| v.get(flag))
        .and_then(Node::as_bool)
        .unwrap_or(false)
}

/// The Rust name from a `@rename([{lang, name}])` value.
fn rust_name_from_rename(v: &Node) -> Option<String> {
    v.as_array()?.iter().find_map(|item| {
        (item.get("lang").and_then(Node::as_str) == Some("Rust"))
            .then(|| item.get("name").and_then(Node::as_str).map(str::to_string))
            .flatten()
    })
}

fn rust_rename(m: &Member) -> Option<String> {
    m.trait_value(&model_trait("rename"))
        .and_then(rust_name_from_rename)
}

/// Doc comment lines for documentation text. Untagged code fences become
/// `text` so rustdoc does not try to compile them as Rust.
pub fn doc_lines(text: &str) -> Vec<String> {
    let mut in_fence = false;
    text.trim_end()
        .lines()
        .map(|l| {
            let t = l.trim_start();
            if let Some(rest) = t.strip_prefix("```") {
                if !in_fence && rest.trim().is_empty() {
                    in_fence = true;
                    return format!("{}```text", &l[..l.len() - t.len()]);
                }
                in_fence = !in_fence;
            }
            l.trim_end().replace('\r', "")
        })
        .collect()
}

fn deprecated_attr(v: Option<&Node>) -> Option<String> {
    let v = v?;
    let msg = v.get("message").and_then(Node::as_str);
    let since = v.get("since").and_then(Node::as_str);
    Some(match (msg, since) {
        (None, None) => "#[deprecated]".to_string(),
        (Some(m), None) => format!("#[deprecated(note = {m:?})]"),
        (None, Some(s)) => format!("#[deprecated(since = {s:?})]"),
        (Some(m), Some(s)) => format!("#[deprecated(since = {s:?}, note = {m:?})]"),
    })
}

/// Turns an arbitrary enum value into something heck can case-convert.
fn sanitize_ident(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if out.trim_matches('_').is_empty() {
        out = "Value".to_string();
    }
    out
}

fn dedupe_variants(values: &mut [EnumValueView]) {
    let mut seen = HashSet::new();
    for v in values.iter_mut() {
        while !seen.insert(v.name.clone()) {
            v.name.push('_');
        }
    }
}

fn fallback_name(values: &[EnumValueView]) -> String {
    let mut name = "Unknown".to_string();
    while values.iter().any(|v| v.name == name) {
        name.push('_');
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_fences_become_text() {
        let lines = doc_lines("Example:\n```\nfoo\n```\n```rust\nlet x = 1;\n```");
        assert_eq!(lines[1], "```text");
        assert_eq!(lines[3], "```");
        assert_eq!(lines[4], "```rust");
    }
}
