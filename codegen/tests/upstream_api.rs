//! API parity with the interface crates wasmCloud published.
//!
//! Actor and provider code written against `wasmcloud-interface-keyvalue` /
//! `-httpserver` 0.10 should compile against our generated crates after a
//! change of crate name. This test reads the published sources that cargo
//! downloads for our upstream fixture (`tests/fixtures/upstream-kvcounter`,
//! resolved through `cargo metadata`, so nothing fetched is committed) and
//! compares their public surface with `generated/`:
//! - every public struct, with the same public fields and field types;
//! - every public type alias, with the same target type;
//! - every service trait, with the same methods, the same presence of an
//!   input and the same output type;
//! - every public inherent function (`HttpResponse::json`, `Sender::via`,
//!   `for_actor`, `to_actor`, `set_timeout`, ...), by name.
//!
//! Our service receivers and senders are `weld_rpc::service_receiver!` /
//! `service_sender!` invocations, so their items are not in the source
//! text. Those are checked by compiling: [`compiled_sender_api`] uses each
//! sender function with the signature upstream code calls it with (this
//! file does not build if one is missing or changed), and the comparison
//! counts a function as ours only if it is in the source or in that list.
//! The provider-side senders (`for_actor`) are there too: this crate's
//! tests build the httpserver crate with its `provider` feature.
//!
//! Types compare by their last path segment with generic arguments
//! (`wasmbus_rpc::RpcResult<i32>` and `weld_rpc::RpcResult<i32>` are the
//! same), because the runtimes live in different crates. Upstream's free
//! `encode_*` / `decode_*` functions are CBOR internals of its generator and
//! not part of this comparison; our CBOR lives in trait impls.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use quote::ToTokens;
use syn::{FnArg, ImplItem, Item, ReturnType, TraitItem, Type};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `src/` of a published package that the upstream fixture depends on.
fn published_src(package: &str) -> PathBuf {
    let manifest = repo().join("tests/fixtures/upstream-kvcounter/Cargo.toml");
    // `cargo metadata` downloads what the lock file names (from the cargo
    // cache when it is there) and tells where each package's sources are.
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(&manifest)
        .output()
        .expect("running cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata for {} failed:\n{}",
        manifest.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pkg = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == package)
        .unwrap_or_else(|| panic!("{package} is not a dependency of the upstream fixture"));
    Path::new(pkg["manifest_path"].as_str().unwrap())
        .parent()
        .unwrap()
        .join("src")
}

/// Parses every `.rs` file of a `src/` dir into one list of items.
fn items_of(dir: &Path) -> Vec<Item> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            syn::parse_file(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()))
                .items
        })
        .collect()
}

/// A type with every path cut to its last segment, generics kept, and
/// references/`dyn`/`impl` bounds rendered the same way.
fn canon(ty: &Type) -> String {
    match ty {
        Type::Path(p) => {
            let seg = p.path.segments.last().unwrap();
            let mut s = seg.ident.to_string();
            if let syn::PathArguments::AngleBracketed(args) = &seg.arguments {
                let inner: Vec<String> = args
                    .args
                    .iter()
                    .map(|a| match a {
                        syn::GenericArgument::Type(t) => canon(t),
                        other => quote_tokens(other),
                    })
                    .collect();
                s.push('<');
                s.push_str(&inner.join(","));
                s.push('>');
            }
            s
        }
        Type::Reference(r) => format!("&{}", canon(&r.elem)),
        Type::Tuple(t) if t.elems.is_empty() => "()".into(),
        Type::Paren(p) => canon(&p.elem),
        other => quote_tokens(other),
    }
}

fn quote_tokens(t: &impl ToTokens) -> String {
    t.to_token_stream().to_string().replace(' ', "")
}

/// One trait method: does it take an input, and what does it return.
#[derive(Debug, PartialEq)]
struct Method {
    has_input: bool,
    output: String,
}

#[derive(Default, Debug)]
struct Surface {
    /// struct -> field -> type
    structs: BTreeMap<String, BTreeMap<String, String>>,
    aliases: BTreeMap<String, String>,
    /// trait -> method -> signature
    traits: BTreeMap<String, BTreeMap<String, Method>>,
    /// `Type::function` for public inherent functions.
    functions: BTreeSet<String>,
}

fn is_pub(v: &syn::Visibility) -> bool {
    matches!(v, syn::Visibility::Public(_))
}

fn self_name(ty: &Type) -> String {
    match ty {
        Type::Path(p) => p.path.segments.last().unwrap().ident.to_string(),
        other => quote_tokens(other),
    }
}

fn surface(items: &[Item]) -> Surface {
    let mut s = Surface::default();
    for item in items {
        match item {
            Item::Struct(st) if is_pub(&st.vis) => {
                let fields = st
                    .fields
                    .iter()
                    .filter(|f| is_pub(&f.vis))
                    .map(|f| (f.ident.as_ref().unwrap().to_string(), canon(&f.ty)))
                    .collect();
                s.structs.insert(st.ident.to_string(), fields);
            }
            Item::Type(t) if is_pub(&t.vis) => {
                s.aliases.insert(t.ident.to_string(), canon(&t.ty));
            }
            Item::Trait(t) if is_pub(&t.vis) => {
                let mut methods = BTreeMap::new();
                for ti in &t.items {
                    let TraitItem::Fn(f) = ti else { continue };
                    // Only the service operations: async methods with a context.
                    if f.sig.asyncness.is_none() || f.sig.ident == "dispatch" {
                        continue;
                    }
                    let has_input = f
                        .sig
                        .inputs
                        .iter()
                        .filter(|a| matches!(a, FnArg::Typed(_)))
                        .count()
                        > 1;
                    let output = match &f.sig.output {
                        ReturnType::Default => "()".into(),
                        ReturnType::Type(_, t) => canon(t),
                    };
                    methods.insert(f.sig.ident.to_string(), Method { has_input, output });
                }
                if !methods.is_empty() {
                    s.traits.insert(t.ident.to_string(), methods);
                }
            }
            Item::Impl(imp) if imp.trait_.is_none() => {
                let owner = self_name(&imp.self_ty);
                for ii in &imp.items {
                    if let ImplItem::Fn(f) = ii {
                        if is_pub(&f.vis) {
                            s.functions.insert(format!("{owner}::{}", f.sig.ident));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    s
}

/// Uses of the sender items that `weld_rpc::service_sender!` writes in the
/// generated crates, each with the signature upstream code relies on; the
/// names of what is used, as `Type::function`. A `Type::function = path`
/// entry is compiled as `let _: Type = path;`.
macro_rules! compiled_api {
    ($($owner:ident :: $f:ident : $ty:ty = $path:expr;)*) => {{
        $(let _: $ty = $path;)*
        [$(concat!(stringify!($owner), "::", stringify!($f))),*]
    }};
}

/// The sender API of the generated keyvalue and httpserver crates, checked
/// by the compiler (see the module docs). The senders are structs with no
/// public fields, as upstream's.
fn compiled_sender_api() -> (Vec<&'static str>, Vec<&'static str>) {
    use std::time::Duration;
    use weld_interface_httpserver::HttpServerSender;
    use weld_interface_keyvalue::KeyValueSender;
    use weld_rpc::actor::HostTransport;
    use weld_rpc::core::LinkDefinition;
    use weld_rpc::provider::{HostBridge, ProviderTransport};
    use weld_rpc::RpcResult;

    let functions = compiled_api! {
        KeyValueSender::via: fn(HostTransport) -> KeyValueSender<HostTransport> = KeyValueSender::via;
        KeyValueSender::set_timeout: fn(&KeyValueSender<HostTransport>, Duration) =
            KeyValueSender::set_timeout;
        KeyValueSender::new: fn() -> KeyValueSender<HostTransport> = KeyValueSender::new;
        KeyValueSender::new_with_link: fn(&str) -> RpcResult<KeyValueSender<HostTransport>> =
            KeyValueSender::new_with_link;
        HttpServerSender::via: fn(HostTransport) -> HttpServerSender<HostTransport> =
            HttpServerSender::via;
        HttpServerSender::set_timeout: fn(&HttpServerSender<HostTransport>, Duration) =
            HttpServerSender::set_timeout;
        HttpServerSender::to_actor: fn(&str) -> HttpServerSender<HostTransport> =
            HttpServerSender::to_actor;
        HttpServerSender::for_actor: fn(&LinkDefinition) -> HttpServerSender<ProviderTransport> =
            HttpServerSender::for_actor;
        HttpServerSender::for_actor_with:
            fn(&LinkDefinition, &HostBridge) -> HttpServerSender<ProviderTransport> =
            HttpServerSender::for_actor_with;
    };
    let structs = vec!["KeyValueSender", "HttpServerSender"];
    (functions.to_vec(), structs)
}

fn ours(krate: &str) -> Surface {
    let mut s = surface(&items_of(&repo().join("generated").join(krate).join("src")));
    let (functions, structs) = compiled_sender_api();
    let traits: BTreeSet<String> = s.traits.keys().cloned().collect();
    // Only the senders of this crate's service traits.
    let of_crate = |name: &str| {
        traits
            .iter()
            .any(|t| name.starts_with(&format!("{t}Sender")))
    };
    for f in functions.into_iter().filter(|f| of_crate(f)) {
        s.functions.insert(f.to_string());
    }
    for st in structs.into_iter().filter(|st| of_crate(st)) {
        s.structs.insert(st.to_string(), BTreeMap::new());
    }
    s
}

/// Every difference between upstream's surface and ours, as readable lines.
fn differences(up: &Surface, we: &Surface) -> Vec<String> {
    let mut out = Vec::new();
    for (name, fields) in &up.structs {
        let Some(our_fields) = we.structs.get(name) else {
            out.push(format!("struct {name} is missing"));
            continue;
        };
        for (f, ty) in fields {
            match our_fields.get(f) {
                None => out.push(format!("{name}.{f} is missing")),
                Some(t) if t != ty => out.push(format!("{name}.{f}: upstream {ty}, ours {t}")),
                _ => {}
            }
        }
        for f in our_fields.keys().filter(|f| !fields.contains_key(*f)) {
            out.push(format!(
                "{name}.{f} is ours only (upstream code would not set it)"
            ));
        }
    }
    for (name, ty) in &up.aliases {
        match we.aliases.get(name) {
            None => out.push(format!("type {name} is missing")),
            Some(t) if t != ty => out.push(format!("type {name}: upstream {ty}, ours {t}")),
            _ => {}
        }
    }
    for (name, methods) in &up.traits {
        let Some(our_methods) = we.traits.get(name) else {
            out.push(format!("trait {name} is missing"));
            continue;
        };
        for (m, sig) in methods {
            match our_methods.get(m) {
                None => out.push(format!("{name}::{m} is missing")),
                Some(s) if s != sig => {
                    out.push(format!("{name}::{m}: upstream {sig:?}, ours {s:?}"))
                }
                _ => {}
            }
        }
    }
    for f in up.functions.difference(&we.functions) {
        out.push(format!("fn {f} is missing"));
    }
    out
}

fn assert_parity(package: &str, krate: &str) -> (Surface, Surface) {
    let up = surface(&items_of(&published_src(package)));
    let we = ours(krate);
    // Guard against comparing nothing (a parse that finds no items would
    // make every check pass).
    assert!(
        !up.structs.is_empty() && !up.traits.is_empty(),
        "{package}: found no structs or traits in the published sources"
    );
    let diff = differences(&up, &we);
    assert!(
        diff.is_empty(),
        "{package} vs generated/{krate}:\n  {}",
        diff.join("\n  ")
    );
    (up, we)
}

#[test]
fn keyvalue_matches_the_published_crate() {
    let (up, _) = assert_parity("wasmcloud-interface-keyvalue", "keyvalue");
    assert!(up.traits["KeyValue"].contains_key("increment"));
    assert!(up.structs.contains_key("SetRequest"));
    // The sender, written by a runtime macro, was compared too.
    assert!(up.functions.contains("KeyValueSender::new_with_link"));
    assert!(up.structs.contains_key("KeyValueSender"));
}

#[test]
fn httpserver_matches_the_published_crate() {
    let (up, _) = assert_parity("wasmcloud-interface-httpserver", "httpserver");
    assert!(up.functions.contains("HttpResponse::json"));
    assert!(up.aliases.contains_key("HeaderMap"));
    assert!(up.functions.contains("HttpServerSender::for_actor"));
    assert!(up.functions.contains("HttpServerSender::to_actor"));
}

/// The comparison itself notices a missing field, a changed type, a missing
/// method and a missing helper (so a pass above means something).
#[test]
fn the_comparison_detects_differences() {
    let up = surface(
        &syn::parse_file(
            "pub struct A { pub x: Vec<u8>, pub y: u32 }
             pub type L = Vec<String>;
             pub trait S { async fn op(&self, ctx: &Context, arg: &A) -> RpcResult<u32>; }
             impl A { pub fn helper() {} }",
        )
        .unwrap()
        .items,
    );
    let we = surface(
        &syn::parse_file(
            "pub struct A { pub x: Vec<u8>, pub z: u64 }
             pub type L = Vec<u8>;
             pub trait S { async fn op(&self, ctx: &Context) -> RpcResult<u32>; }",
        )
        .unwrap()
        .items,
    );
    let diff = differences(&up, &we);
    for needle in [
        "A.y is missing",
        "A.z is ours only",
        "type L: upstream Vec<String>, ours Vec<u8>",
        "S::op: upstream",
        "fn A::helper is missing",
    ] {
        assert!(
            diff.iter().any(|d| d.starts_with(needle)),
            "{needle:?} not in {diff:#?}"
        );
    }
    assert!(differences(&up, &up).is_empty());
}

/// The response helpers behave as upstream's do, so actor code that uses
/// them answers the same (status, headers, body).
#[test]
fn httpserver_response_helpers_behave_like_upstream() {
    use std::collections::HashMap;
    use weld_interface_httpserver::HttpResponse;

    let r = HttpResponse::json(serde_json::json!({"counter": 3}), 201).unwrap();
    assert_eq!(r.status_code, 201);
    assert_eq!(r.body, br#"{"counter":3}"#);
    assert_eq!(r.header["content-type"], ["application/json"]);

    let mut h = HashMap::new();
    h.insert(
        "X-Trace".to_string(),
        vec!["a".to_string(), "b".to_string()],
    );
    let r = HttpResponse::json_with_headers([1, 2], 200, h).unwrap();
    assert_eq!(r.header["x-trace"], ["a", "b"]);
    assert_eq!(r.header["content-type"], ["application/json"]);
    assert_eq!(r.body, b"[1,2]");

    let mut h = HashMap::new();
    h.insert(
        "Content-Type".to_string(),
        vec!["application/vnd.x+json".to_string()],
    );
    let r = HttpResponse::json_with_headers("s", 200, h).unwrap();
    assert_eq!(r.header["content-type"], ["application/vnd.x+json"]);
    assert_eq!(r.header.len(), 1);

    // A payload serde_json refuses (a map with non-string keys) is an
    // error, not a panic.
    let mut bad = HashMap::new();
    bad.insert(vec![1u8], 1);
    assert!(matches!(
        HttpResponse::json(bad, 200),
        Err(weld_rpc::RpcError::Ser(_))
    ));

    assert_eq!(HttpResponse::default().status_code, 200);
    assert_eq!(HttpResponse::not_found().status_code, 404);
    let r = HttpResponse::bad_request("nope");
    assert_eq!((r.status_code, r.body.as_slice()), (400, &b"nope"[..]));
    let r = HttpResponse::internal_server_error("boom");
    assert_eq!((r.status_code, r.body.as_slice()), (500, &b"boom"[..]));
    assert_eq!(HttpResponse::ok("hi").body, b"hi");
}
