//! The interface definitions in `interfaces/` load as one valid model, and
//! the facts that decide wire compatibility with wasmCloud 0.x hold: service
//! and operation names (they form the method strings), member names and
//! their order (they are the msgpack map keys), wire-name overrides, number
//! types, contract ids and protocols.
//!
//! Facts are checked against the upstream wire vectors
//! (`wire-vectors-sample.json`, produced by the upstream crates; the copy in
//! `weld-test-support`, itself checked against `shared/spec`) wherever that
//! data covers them.

use std::path::{Path, PathBuf};
use weld_codegen::model::{IdlVersion, Model, Node, Shape, ShapeId, ShapeKind};
use weld_codegen::smithy::{load_paths, render::render_human, LoadResult};

const MODEL_NS: &str = "org.wasmcloud.model";
const CORE_NS: &str = "org.wasmcloud.core";
const KV_NS: &str = "org.wasmcloud.interface.keyvalue";
const HTTP_NS: &str = "org.wasmcloud.interface.httpserver";
const EXAMPLE_NS: &str = "weld.example.inventory";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen/ has a parent")
        .to_path_buf()
}

fn load() -> LoadResult {
    load_paths(&[repo_root().join("interfaces")])
}

/// The loaded model; fails the test with rendered diagnostics if invalid.
fn model() -> Model {
    let res = load();
    assert!(
        !res.has_errors(),
        "interfaces/ has errors:\n{}",
        render_human(&res.sources, &res.diagnostics, false)
    );
    res.model
}

fn id(ns: &str, name: &str) -> ShapeId {
    ShapeId::new(ns, name)
}

fn shape<'m>(model: &'m Model, ns: &str, name: &str) -> &'m Shape {
    model
        .shape(&id(ns, name))
        .unwrap_or_else(|| panic!("{ns}#{name} missing"))
}

/// Names of the operations bound to a service, in declaration order.
fn operation_names(model: &Model, ns: &str, service: &str) -> Vec<String> {
    match &shape(model, ns, service).kind {
        ShapeKind::Service(svc) => svc.operations.iter().map(|r| r.id.name.clone()).collect(),
        other => panic!("{service} is a {}, not a service", other.keyword()),
    }
}

/// The name a member travels under: `@serialization(name)` or its own name.
fn wire_name(member: &weld_codegen::model::Member) -> String {
    member
        .trait_value(&id(MODEL_NS, "serialization"))
        .and_then(|v| v.get("name"))
        .and_then(Node::as_str)
        .unwrap_or(&member.name)
        .to_string()
}

fn member_names(model: &Model, ns: &str, name: &str) -> Vec<String> {
    shape(model, ns, name)
        .members
        .iter()
        .map(|m| m.name.clone())
        .collect()
}

fn wire_names(model: &Model, ns: &str, name: &str) -> Vec<String> {
    shape(model, ns, name)
        .members
        .iter()
        .map(wire_name)
        .collect()
}

fn member_target(model: &Model, ns: &str, shape_name: &str, member: &str) -> ShapeId {
    shape(model, ns, shape_name)
        .member(member)
        .unwrap_or_else(|| panic!("{shape_name}${member} missing"))
        .target
        .clone()
}

#[test]
fn interfaces_validate_as_one_model_without_errors() {
    let res = load();
    let errors: Vec<_> = res.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(
        errors.is_empty(),
        "{} error(s):\n{}",
        errors.len(),
        render_human(&res.sources, &res.diagnostics, false)
    );
    // Every interface directory contributed its namespace.
    let namespaces = res.model.namespaces();
    for ns in [
        MODEL_NS,
        CORE_NS,
        KV_NS,
        HTTP_NS,
        "org.wasmcloud.interface.httpclient",
        "org.wasmcloud.interface.messaging",
        "org.wasmcloud.interface.blobstore",
        "org.wasmcloud.interface.sqldb",
        "org.wasmcloud.interface.logging",
        "org.wasmcloud.interface.numbergen",
        "org.wasmcloud.lattice.control",
        EXAMPLE_NS,
    ] {
        assert!(namespaces.contains(&ns), "namespace {ns} not loaded");
    }
}

#[test]
fn method_strings_match_upstream_senders() {
    let model = model();
    let methods = weld_test_support::sample_methods();
    for (ns, service) in [(KV_NS, "KeyValue"), (HTTP_NS, "HttpServer")] {
        let expected: Vec<String> = methods
            .iter()
            .filter_map(|m| m.strip_prefix(&format!("{service}.")))
            .map(str::to_string)
            .collect();
        assert!(!expected.is_empty(), "no {service} methods in the vectors");
        assert_eq!(operation_names(&model, ns, service), expected, "{service}");
    }
    assert_eq!(
        operation_names(&model, KV_NS, "KeyValue").len(),
        15,
        "KeyValue has 15 operations"
    );
}

#[test]
fn struct_vectors_use_the_declared_wire_names_in_order() {
    let model = model();
    let mut checked = 0;
    for v in weld_test_support::sample_vectors() {
        let Some(obj) = v.json.as_object() else {
            continue; // scalars and lists
        };
        let ty = v.ty.as_str();
        let ns = [KV_NS, HTTP_NS]
            .into_iter()
            .find(|ns| model.shape(&id(ns, ty)).is_some())
            .unwrap_or_else(|| panic!("vector type {ty} is not a keyvalue/httpserver shape"));
        let keys: Vec<String> = obj.keys().cloned().collect();
        assert_eq!(wire_names(&model, ns, ty), keys, "{}", v.what());
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} struct vectors checked");
}

#[test]
fn request_and_response_members_in_order() {
    let model = model();
    assert_eq!(
        member_names(&model, KV_NS, "IncrementRequest"),
        ["key", "value"]
    );
    assert_eq!(
        member_names(&model, HTTP_NS, "HttpRequest"),
        ["method", "path", "queryString", "header", "body"]
    );
    assert_eq!(
        member_names(&model, HTTP_NS, "HttpResponse"),
        ["statusCode", "header", "body"]
    );
    // Types that decide the encoding.
    assert_eq!(
        member_target(&model, KV_NS, "IncrementRequest", "value"),
        id(MODEL_NS, "I32")
    );
    assert_eq!(
        member_target(&model, KV_NS, "SetRequest", "expires"),
        id(MODEL_NS, "U32")
    );
    assert_eq!(
        member_target(&model, HTTP_NS, "HttpResponse", "statusCode"),
        id(MODEL_NS, "U16")
    );
    assert_eq!(
        member_target(&model, HTTP_NS, "HttpRequest", "body"),
        ShapeId::prelude("Blob")
    );
    let header_map = shape(&model, HTTP_NS, "HeaderMap");
    assert_eq!(header_map.kind, ShapeKind::Map);
    assert_eq!(
        header_map.member("value").expect("map value").target,
        id(HTTP_NS, "HeaderValues")
    );
    // Every member of the HTTP request is required: upstream decoders
    // reject a request without `header`.
    for m in &shape(&model, HTTP_NS, "HttpRequest").members {
        assert!(m.has_prelude_trait("required"), "HttpRequest${}", m.name);
    }
}

#[test]
fn operation_inputs_and_outputs_match_upstream() {
    let model = model();
    let io = |name: &str| match &shape(&model, KV_NS, name).kind {
        ShapeKind::Operation(op) => (
            op.input.as_ref().map(|r| r.id.clone()),
            op.output.as_ref().map(|r| r.id.clone()),
        ),
        _ => panic!("{name} is not an operation"),
    };
    let p = |n: &str| Some(ShapeId::prelude(n));
    let m = |n: &str| Some(id(MODEL_NS, n));
    let k = |n: &str| Some(id(KV_NS, n));
    assert_eq!(io("Increment"), (k("IncrementRequest"), m("I32")));
    assert_eq!(io("Get"), (p("String"), k("GetResponse")));
    assert_eq!(io("Set"), (k("SetRequest"), None));
    assert_eq!(io("Del"), (p("String"), p("Boolean")));
    assert_eq!(io("Contains"), (p("String"), p("Boolean")));
    assert_eq!(io("ListRange"), (k("ListRangeRequest"), k("StringList")));
    assert_eq!(io("SetAdd"), (k("SetAddRequest"), m("U32")));
    assert_eq!(io("SetUnion"), (k("StringList"), k("StringList")));
}

#[test]
fn number_aliases_have_the_right_width_and_sign() {
    let model = model();
    let unsigned = id(MODEL_NS, "unsignedInt");
    for (name, kind, is_unsigned) in [
        ("I8", "byte", false),
        ("U8", "byte", true),
        ("I16", "short", false),
        ("U16", "short", true),
        ("I32", "integer", false),
        ("U32", "integer", true),
        ("I64", "long", false),
        ("U64", "long", true),
        ("F32", "float", false),
        ("F64", "double", false),
    ] {
        let s = shape(&model, MODEL_NS, name);
        assert_eq!(s.kind.keyword(), kind, "{name}");
        assert_eq!(s.traits.contains_key(&unsigned), is_unsigned, "{name}");
    }
    let unit = shape(&model, MODEL_NS, "Unit");
    assert_eq!(unit.kind, ShapeKind::Structure);
    assert!(unit.members.is_empty());
    // The traits the generators read exist as trait definitions.
    for t in [
        "wasmbus",
        "wasmbusData",
        "n",
        "serialization",
        "rename",
        "unsignedInt",
        "codegenRust",
        "synonym",
    ] {
        assert!(
            shape(&model, MODEL_NS, t).has_prelude_trait("trait"),
            "{t} is not a trait"
        );
    }
    let wasmbus = shape(&model, MODEL_NS, "wasmbus");
    let fields: Vec<&str> = wasmbus.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        fields,
        ["contractId", "actorReceive", "providerReceive", "protocol"]
    );
    let codegen_rust = member_names(&model, MODEL_NS, "codegenRust");
    for f in ["noDeriveDefault", "noDeriveEq", "nonExhaustive", "skip"] {
        assert!(codegen_rust.iter().any(|m| m == f), "codegenRust.{f}");
    }
}

#[test]
fn wasmbus_services_and_contract_ids() {
    let model = model();
    let wasmbus = id(MODEL_NS, "wasmbus");
    let mut found: Vec<(String, Option<String>, bool, bool, String)> = model
        .user_shapes()
        .filter(|s| matches!(s.kind, ShapeKind::Service(_)))
        .filter_map(|s| {
            let v = s.trait_value(&wasmbus)?;
            let flag = |k: &str| v.get(k).and_then(Node::as_bool).unwrap_or(false);
            Some((
                s.id.to_string(),
                v.get("contractId")
                    .and_then(Node::as_str)
                    .map(str::to_string),
                flag("actorReceive"),
                flag("providerReceive"),
                v.get("protocol")
                    .and_then(Node::as_str)
                    .unwrap_or("0")
                    .to_string(),
            ))
        })
        .collect();
    found.sort();
    let row = |svc: &str, contract: Option<&str>, actor: bool, provider: bool, proto: &str| {
        (
            svc.to_string(),
            contract.map(str::to_string),
            actor,
            provider,
            proto.to_string(),
        )
    };
    let mut expected = vec![
        row("org.wasmcloud.core#Actor", None, true, false, "0"),
        row(
            "org.wasmcloud.interface.blobstore#Blobstore",
            Some("wasmcloud:blobstore"),
            false,
            true,
            "2",
        ),
        row(
            "org.wasmcloud.interface.blobstore#ChunkReceiver",
            Some("wasmcloud:blobstore"),
            true,
            false,
            "2",
        ),
        row(
            "org.wasmcloud.interface.httpclient#HttpClient",
            Some("wasmcloud:httpclient"),
            false,
            true,
            "0",
        ),
        // weld's body streaming extension (not in wasmCloud 0.x).
        row(
            "org.wasmcloud.interface.httpserver#HttpBody",
            Some("wasmcloud:httpserver"),
            false,
            true,
            "0",
        ),
        row(
            "org.wasmcloud.interface.httpserver#HttpServer",
            Some("wasmcloud:httpserver"),
            true,
            false,
            "0",
        ),
        row(
            "org.wasmcloud.interface.keyvalue#KeyValue",
            Some("wasmcloud:keyvalue"),
            false,
            true,
            "0",
        ),
        row(
            "org.wasmcloud.interface.logging#Logging",
            Some("wasmcloud:builtin:logging"),
            false,
            true,
            "0",
        ),
        row(
            "org.wasmcloud.interface.messaging#MessageSubscriber",
            Some("wasmcloud:messaging"),
            true,
            false,
            "0",
        ),
        row(
            "org.wasmcloud.interface.messaging#Messaging",
            Some("wasmcloud:messaging"),
            false,
            true,
            "0",
        ),
        row(
            "org.wasmcloud.interface.numbergen#NumberGen",
            Some("wasmcloud:builtin:numbergen"),
            false,
            true,
            "0",
        ),
        row(
            "org.wasmcloud.interface.sqldb#SqlDb",
            Some("wasmcloud:sqldb"),
            false,
            true,
            "0",
        ),
        row(
            "org.wasmcloud.lattice.control#LatticeController",
            Some("wasmcloud:latticecontrol"),
            false,
            true,
            "0",
        ),
        row(
            "weld.example.inventory#Inventory",
            Some("weld:example:inventory"),
            false,
            true,
            "0",
        ),
    ];
    expected.sort();
    assert_eq!(found, expected);

    // Builtin method strings named by the compatibility spec.
    assert_eq!(
        operation_names(&model, "org.wasmcloud.interface.logging", "Logging"),
        ["WriteLog"]
    );
    assert_eq!(
        member_names(&model, "org.wasmcloud.interface.logging", "LogEntry"),
        ["level", "text"]
    );
    assert_eq!(
        operation_names(&model, "org.wasmcloud.interface.numbergen", "NumberGen"),
        ["GenerateGuid", "RandomInRange", "Random32"]
    );
    assert_eq!(
        member_names(&model, "org.wasmcloud.interface.numbergen", "RangeLimit"),
        ["min", "max"]
    );
    assert_eq!(operation_names(&model, CORE_NS, "Actor"), ["HealthRequest"]);
}

#[test]
fn core_structures_use_platform_wire_names() {
    let model = model();
    assert_eq!(
        wire_names(&model, CORE_NS, "LinkDefinition"),
        [
            "actor_id",
            "provider_id",
            "link_name",
            "contract_id",
            "values"
        ]
    );
    assert_eq!(
        wire_names(&model, CORE_NS, "WasmCloudEntity"),
        ["public_key", "link_name", "contract_id"]
    );
    assert_eq!(
        wire_names(&model, CORE_NS, "Invocation"),
        [
            "origin",
            "target",
            "operation",
            "msg",
            "id",
            "encoded_claims",
            "host_id",
            "content_length",
            "traceContext"
        ]
    );
    assert_eq!(
        wire_names(&model, CORE_NS, "InvocationResponse"),
        ["msg", "invocation_id", "error", "content_length"]
    );
    assert_eq!(
        wire_names(&model, CORE_NS, "HostData"),
        [
            "host_id",
            "lattice_rpc_prefix",
            "link_name",
            "lattice_rpc_user_jwt",
            "lattice_rpc_user_seed",
            "lattice_rpc_url",
            "provider_key",
            "invocation_seed",
            "env_values",
            "instance_id",
            "link_definitions",
            "cluster_issuers",
            "config_json",
            "default_rpc_timeout_ms",
            "structured_logging",
            "log_level"
        ]
    );
    assert_eq!(
        wire_names(&model, CORE_NS, "HealthCheckResponse"),
        ["healthy", "message"]
    );
    // Core structures are numbered 0.. in declaration order, ready for CBOR.
    let n = id(MODEL_NS, "n");
    for name in [
        "LinkDefinition",
        "HostData",
        "Invocation",
        "InvocationResponse",
    ] {
        for (i, m) in shape(&model, CORE_NS, name).members.iter().enumerate() {
            let got = m.trait_value(&n).and_then(Node::as_i64);
            assert_eq!(got, Some(i as i64), "{name}${} @n", m.name);
        }
    }
}

#[test]
fn every_namespace_declares_its_package() {
    let model = model();
    let entries = model
        .metadata
        .get("package")
        .and_then(Node::as_array)
        .expect("metadata package is a list");
    for ns in model.namespaces() {
        let entry = entries
            .iter()
            .find(|e| e.get("namespace").and_then(Node::as_str) == Some(ns))
            .unwrap_or_else(|| panic!("no metadata package entry for {ns}"));
        let krate = entry.get("crate").and_then(Node::as_str).unwrap_or("");
        assert!(
            krate.starts_with("weld"),
            "{ns}: crate {krate:?} is not one of ours"
        );
        assert!(
            entry.get("doc").and_then(Node::as_str).is_some(),
            "{ns} doc"
        );
    }
}

#[test]
fn example_exercises_idl2_features() {
    let model = model();
    assert_eq!(
        model.namespace_versions.get(EXAMPLE_NS),
        Some(&IdlVersion::V2)
    );
    assert_eq!(
        model.namespace_versions.get(KV_NS),
        Some(&IdlVersion::V1),
        "contracts stay IDL 1.0"
    );
    let kinds: Vec<&str> = model
        .shapes_in(EXAMPLE_NS)
        .map(|s| s.kind.keyword())
        .collect();
    for k in [
        "enum",
        "intEnum",
        "union",
        "resource",
        "service",
        "operation",
        "list",
    ] {
        assert!(kinds.contains(&k), "example has no {k}");
    }
    // Mixin members come first and keep their default.
    let item = shape(&model, EXAMPLE_NS, "Item");
    assert_eq!(item.mixins.len(), 1);
    assert_eq!(item.members[0].name, "createdAt");
    assert_eq!(item.members[0].target, ShapeId::prelude("Timestamp"));
    let updated_by = item.member("updatedBy").expect("mixed-in member");
    assert_eq!(
        updated_by.trait_value(&ShapeId::prelude("default")),
        Some(&Node::String("system".into()))
    );
    assert_eq!(
        item.member("attributes").expect("attributes").target,
        ShapeId::prelude("Document")
    );
    assert!(item
        .member("quantity")
        .expect("quantity")
        .has_prelude_trait("default"));
    // Target elision: `$sku` takes the resource identifier's target.
    assert_eq!(
        member_target(&model, EXAMPLE_NS, "ItemRef", "sku"),
        id(EXAMPLE_NS, "Sku")
    );
    // Inline input/output structures get the default suffixes.
    match &shape(&model, EXAMPLE_NS, "GetItem").kind {
        ShapeKind::Operation(op) => {
            assert_eq!(
                op.input.as_ref().map(|r| r.id.clone()),
                Some(id(EXAMPLE_NS, "GetItemInput"))
            );
            assert_eq!(
                op.output.as_ref().map(|r| r.id.clone()),
                Some(id(EXAMPLE_NS, "GetItemOutput"))
            );
        }
        _ => panic!("GetItem is not an operation"),
    }
    // Union members are numbered for CBOR.
    let n = id(MODEL_NS, "n");
    let numbers: Vec<Option<i64>> = shape(&model, EXAMPLE_NS, "Adjustment")
        .members
        .iter()
        .map(|m| m.trait_value(&n).and_then(Node::as_i64))
        .collect();
    assert_eq!(numbers, [Some(0), Some(1), Some(2), Some(3)]);
    // Enum values are kept.
    let status = shape(&model, EXAMPLE_NS, "StockStatus");
    let values: Vec<Option<&str>> = status
        .members
        .iter()
        .map(|m| {
            m.trait_value(&ShapeId::prelude("enumValue"))
                .and_then(Node::as_str)
        })
        .collect();
    assert_eq!(
        values,
        [Some("in-stock"), Some("backordered"), Some("discontinued")]
    );
}

#[test]
fn interfaces_have_no_warnings() {
    let res = load();
    assert!(
        res.diagnostics.is_empty(),
        "{}",
        render_human(&res.sources, &res.diagnostics, false)
    );
}

/// Generated crates and `weld doc` carry the model's documentation, so
/// every shape and every structure, union and enum member is documented.
/// (List and map members and the structures made by inline `:=` input and
/// output, which the operation documents, are exempt.)
#[test]
fn every_shape_and_member_is_documented() {
    let model = model();
    let doc = ShapeId::prelude("documentation");
    let mut missing = Vec::new();
    for s in model.user_shapes() {
        let inline_io = s.has_prelude_trait("input") || s.has_prelude_trait("output");
        if !inline_io && !s.traits.contains_key(&doc) {
            missing.push(s.id.to_string());
        }
        if matches!(s.kind, ShapeKind::List | ShapeKind::Set | ShapeKind::Map) {
            continue;
        }
        for m in &s.members {
            if !m.traits.contains_key(&doc) {
                missing.push(format!("{}${}", s.id, m.name));
            }
        }
    }
    assert!(missing.is_empty(), "undocumented: {missing:#?}");
}
