//! Builds the smoke actor (tests/wasm-smoke) for wasm32 through the project's
//! wasm build script and checks the module's ABI: imports only from
//! `wasmbus` with the waPC signatures, exports `__guest_call`,
//! `__wasmbus_rpc_version` and `memory`.
//!
//! Skipped only when the script reports that no wasm32 toolchain exists and
//! CI is not "true"; in CI a missing toolchain is a failure.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use wasmparser::{ExternalKind, FuncType, Parser, Payload, TypeRef, ValType};

/// Exit status of wasm-build.sh when no wasm32 toolchain is installed.
const NO_TOOLCHAIN: i32 = 3;

fn build_smoke() -> Option<PathBuf> {
    let rpc = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = rpc.join("../scripts/wasm-build.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg(rpc.join("tests/wasm-smoke"))
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(NO_TOOLCHAIN) {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("CI=true but no wasm32 toolchain:\n{stderr}");
        }
        eprintln!("skipping: no wasm32 toolchain ({})", stderr.trim());
        return None;
    }
    assert!(
        out.status.success(),
        "wasm build failed ({}):\n{stderr}",
        out.status
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let path = PathBuf::from(
        stdout
            .lines()
            .last()
            .expect("script printed the .wasm path")
            .trim(),
    );
    assert!(path.is_file(), "{} missing", path.display());
    Some(path)
}

fn sig(params: &[ValType], results: &[ValType]) -> String {
    format!("{params:?} -> {results:?}")
}

#[test]
fn smoke_actor_builds_for_wasm32_with_the_wapc_abi() {
    let Some(path) = build_smoke() else { return };
    let bytes = std::fs::read(&path).unwrap();
    wasmparser::Validator::new()
        .validate_all(&bytes)
        .expect("valid wasm module");

    let mut types: Vec<FuncType> = Vec::new();
    let mut imports: HashMap<String, (String, String)> = HashMap::new(); // name -> (module, sig)
    let mut func_types: Vec<u32> = Vec::new(); // function index space -> type index
    let mut exports: HashMap<String, (ExternalKind, u32)> = HashMap::new();
    for payload in Parser::new(0).parse_all(&bytes) {
        match payload.unwrap() {
            Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    types.push(t.unwrap());
                }
            }
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp.unwrap();
                    let s = match imp.ty {
                        TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                            func_types.push(t);
                            let ft = &types[t as usize];
                            sig(ft.params(), ft.results())
                        }
                        other => format!("{other:?}"),
                    };
                    imports.insert(imp.name.to_string(), (imp.module.to_string(), s));
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    func_types.push(t.unwrap());
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.unwrap();
                    exports.insert(e.name.to_string(), (e.kind, e.index));
                }
            }
            _ => {}
        }
    }

    use ValType::I32;
    let expected: HashMap<&str, String> = [
        ("__guest_request", sig(&[I32, I32], &[])),
        ("__guest_response", sig(&[I32, I32], &[])),
        ("__guest_error", sig(&[I32, I32], &[])),
        ("__host_call", sig(&[I32; 8], &[I32])),
        ("__host_response_len", sig(&[], &[I32])),
        ("__host_response", sig(&[I32], &[])),
        ("__host_error_len", sig(&[], &[I32])),
        ("__host_error", sig(&[I32], &[])),
        ("__console_log", sig(&[I32, I32], &[])),
    ]
    .into_iter()
    .collect();
    for (name, (module, s)) in &imports {
        assert_eq!(module, "wasmbus", "import {name} from module {module}");
        let want = expected
            .get(name.as_str())
            .unwrap_or_else(|| panic!("unexpected import {name}"));
        assert_eq!(s, want, "signature of import {name}");
    }
    // The smoke actor uses every host function: all of them must be imported.
    for name in expected.keys() {
        assert!(
            imports.contains_key(*name),
            "missing import {name}; have {imports:?}"
        );
    }

    let func_sig = |name: &str| {
        let (kind, index) = exports
            .get(name)
            .unwrap_or_else(|| panic!("missing export {name}"));
        assert_eq!(*kind, ExternalKind::Func, "{name} is a function");
        let ft = &types[func_types[*index as usize] as usize];
        sig(ft.params(), ft.results())
    };
    assert_eq!(func_sig("__guest_call"), sig(&[I32, I32], &[I32]));
    assert_eq!(func_sig("__wasmbus_rpc_version"), sig(&[], &[I32]));
    assert_eq!(
        exports.get("memory").map(|e| e.0),
        Some(ExternalKind::Memory)
    );
}
