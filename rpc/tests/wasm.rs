//! Builds the smoke actor (tests/wasm-smoke) for wasm32 through the project's
//! wasm build script, checks the module's ABI (imports only from `wasmbus`
//! with the waPC signatures; exports `__guest_call`, `__wasmbus_rpc_version`
//! and `memory`), then runs it under wasmtime with host functions written
//! from the compatibility spec, to prove the guest side of the protocol.
//!
//! Skipped only when the script reports that no wasm32 toolchain exists and
//! CI is not "true"; in CI a missing toolchain is a failure.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use wasmparser::{ExternalKind, FuncType, Parser, Payload, TypeRef, ValType};

/// Exit status of wasm-build.sh when no wasm32 toolchain is installed.
const NO_TOOLCHAIN: i32 = 3;

/// Builds once per test process; both tests share the module.
fn smoke_wasm() -> Option<PathBuf> {
    static BUILT: OnceLock<Option<PathBuf>> = OnceLock::new();
    BUILT.get_or_init(build_smoke).clone()
}

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
    let Some(path) = smoke_wasm() else { return };
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

/// What a host keeps per instance, per the spec's host -> actor protocol.
#[derive(Default)]
struct HostState {
    operation: Vec<u8>,
    payload: Vec<u8>,
    guest_response: Option<Vec<u8>>,
    guest_error: Option<String>,
    host_response: Vec<u8>,
    host_error: Vec<u8>,
    /// (binding, namespace, operation, payload) of each host call.
    host_calls: Vec<(String, String, String, Vec<u8>)>,
    /// Reply to host calls: Ok(bytes) or Err(text).
    reply: Option<Result<Vec<u8>, String>>,
    console: Vec<String>,
}

struct Guest {
    store: wasmtime::Store<HostState>,
    guest_call: wasmtime::TypedFunc<(i32, i32), i32>,
    version: wasmtime::TypedFunc<(), i32>,
}

fn memory(caller: &mut wasmtime::Caller<'_, HostState>) -> wasmtime::Memory {
    caller
        .get_export("memory")
        .and_then(|e| e.into_memory())
        .expect("guest exports memory")
}

fn read(caller: &mut wasmtime::Caller<'_, HostState>, ptr: i32, len: i32) -> Vec<u8> {
    let mut buf = vec![0u8; len as usize];
    memory(caller)
        .read(&*caller, ptr as u32 as usize, &mut buf)
        .expect("guest pointer in bounds");
    buf
}

fn write(caller: &mut wasmtime::Caller<'_, HostState>, ptr: i32, data: &[u8]) {
    if !data.is_empty() {
        let mem = memory(caller);
        mem.write(&mut *caller, ptr as u32 as usize, data)
            .expect("guest pointer in bounds");
    }
}

fn instantiate(path: &Path) -> Guest {
    use wasmtime::{Caller, Engine, Linker, Module, Store};
    let engine = Engine::default();
    let module = Module::from_file(&engine, path).unwrap();
    let mut linker: Linker<HostState> = Linker::new(&engine);
    linker
        .func_wrap(
            "wasmbus",
            "__guest_request",
            |mut c: Caller<'_, HostState>, op_ptr: i32, ptr: i32| {
                let (op, payload) = (c.data().operation.clone(), c.data().payload.clone());
                write(&mut c, op_ptr, &op);
                write(&mut c, ptr, &payload);
            },
        )
        .unwrap()
        .func_wrap(
            "wasmbus",
            "__guest_response",
            |mut c: Caller<'_, HostState>, ptr: i32, len: i32| {
                let b = read(&mut c, ptr, len);
                c.data_mut().guest_response = Some(b);
            },
        )
        .unwrap()
        .func_wrap(
            "wasmbus",
            "__guest_error",
            |mut c: Caller<'_, HostState>, ptr: i32, len: i32| {
                let b = read(&mut c, ptr, len);
                c.data_mut().guest_error = Some(String::from_utf8(b).unwrap());
            },
        )
        .unwrap()
        .func_wrap(
            "wasmbus",
            "__host_call",
            |mut c: Caller<'_, HostState>,
             bd: i32,
             bd_len: i32,
             ns: i32,
             ns_len: i32,
             op: i32,
             op_len: i32,
             ptr: i32,
             len: i32|
             -> i32 {
                let call = (
                    String::from_utf8(read(&mut c, bd, bd_len)).unwrap(),
                    String::from_utf8(read(&mut c, ns, ns_len)).unwrap(),
                    String::from_utf8(read(&mut c, op, op_len)).unwrap(),
                    read(&mut c, ptr, len),
                );
                let st = c.data_mut();
                st.host_calls.push(call);
                match st.reply.clone().expect("test set a host reply") {
                    Ok(b) => {
                        st.host_response = b;
                        1
                    }
                    Err(e) => {
                        st.host_error = e.into_bytes();
                        0
                    }
                }
            },
        )
        .unwrap()
        .func_wrap(
            "wasmbus",
            "__host_response_len",
            |c: Caller<'_, HostState>| -> i32 { c.data().host_response.len() as i32 },
        )
        .unwrap()
        .func_wrap(
            "wasmbus",
            "__host_response",
            |mut c: Caller<'_, HostState>, ptr: i32| {
                let b = c.data().host_response.clone();
                write(&mut c, ptr, &b);
            },
        )
        .unwrap()
        .func_wrap(
            "wasmbus",
            "__host_error_len",
            |c: Caller<'_, HostState>| -> i32 { c.data().host_error.len() as i32 },
        )
        .unwrap()
        .func_wrap(
            "wasmbus",
            "__host_error",
            |mut c: Caller<'_, HostState>, ptr: i32| {
                let b = c.data().host_error.clone();
                write(&mut c, ptr, &b);
            },
        )
        .unwrap()
        .func_wrap(
            "wasmbus",
            "__console_log",
            |mut c: Caller<'_, HostState>, ptr: i32, len: i32| {
                let b = read(&mut c, ptr, len);
                c.data_mut().console.push(String::from_utf8(b).unwrap());
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, HostState::default());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let guest_call = instance
        .get_typed_func::<(i32, i32), i32>(&mut store, "__guest_call")
        .unwrap();
    let version = instance
        .get_typed_func::<(), i32>(&mut store, "__wasmbus_rpc_version")
        .unwrap();
    Guest {
        store,
        guest_call,
        version,
    }
}

impl Guest {
    /// One host -> actor call: reset the buffers, store (operation, payload),
    /// call `__guest_call(len(op), len(payload))`.
    fn call(&mut self, op: &str, payload: &[u8]) -> (i32, Option<Vec<u8>>, Option<String>) {
        let st = self.store.data_mut();
        st.operation = op.as_bytes().to_vec();
        st.payload = payload.to_vec();
        st.guest_response = None;
        st.guest_error = None;
        st.host_response.clear();
        st.host_error.clear();
        let rc = self
            .guest_call
            .call(&mut self.store, (op.len() as i32, payload.len() as i32))
            .unwrap();
        let st = self.store.data_mut();
        (rc, st.guest_response.take(), st.guest_error.take())
    }
}

#[test]
fn smoke_actor_runs_the_wapc_protocol_under_wasmtime() {
    let Some(path) = smoke_wasm() else { return };
    let mut g = instantiate(&path);
    assert_eq!(g.version.call(&mut g.store, ()).unwrap(), 1);

    // Counter.Bump {key:"c"} -> the actor calls KeyValue.Increment {key:"c", value:1}
    // on the default link; the provider answers 41 (msgpack 0x29).
    g.store.data_mut().reply = Some(Ok(vec![0x29]));
    let (rc, resp, err) = g.call("Counter.Bump", &hex::decode("81a36b6579a163").unwrap());
    assert_eq!((rc, err), (1, None));
    assert_eq!(resp, Some(vec![0x29]));
    let (bd, ns, op, payload) = g.store.data().host_calls.last().unwrap().clone();
    assert_eq!(
        (bd.as_str(), ns.as_str(), op.as_str()),
        ("default", "wasmcloud:keyvalue", "KeyValue.Increment")
    );
    assert_eq!(hex::encode(payload), "82a36b6579a163a576616c756501");
    assert_eq!(
        g.store.data().console.last().map(String::as_str),
        Some("bump c")
    );

    // A one-byte reply 0x7f is MessagePack 127, not a CBOR prefix.
    g.store.data_mut().reply = Some(Ok(vec![0x7f]));
    let (rc, resp, _) = g.call("Counter.Bump", &hex::decode("81a36b6579a163").unwrap());
    assert_eq!((rc, resp), (1, Some(vec![0x7f])));

    // The host refuses the call: the actor reports the host's text.
    let refusal =
        "Invocation not authorized: missing link definition for wasmcloud:keyvalue on default";
    g.store.data_mut().reply = Some(Err(refusal.into()));
    let (rc, resp, err) = g.call("Counter.Bump", &hex::decode("81a36b6579a163").unwrap());
    assert_eq!((rc, resp), (0, None));
    assert_eq!(
        err.as_deref(),
        Some(format!("Host send error {refusal}").as_str())
    );

    // No input, no output: zero bytes both ways.
    let (rc, resp, err) = g.call("Counter.Ping", &[]);
    assert_eq!((rc, resp, err), (1, Some(vec![]), None));

    // Routing failures and bad payloads are guest errors, not traps.
    let (rc, _, err) = g.call("Nope.Bump", &[]);
    assert_eq!(
        (rc, err.as_deref()),
        (0, Some("method not handled Nope.Bump"))
    );
    let (rc, _, err) = g.call("Counter.Bump", &[0xc0]);
    assert_eq!(rc, 0);
    assert!(err.unwrap().starts_with("deserialization: 'BumpRequest'"));
    let (rc, _, err) = g.call("Counter.Bump", &[]);
    assert_eq!(rc, 0);
    assert!(err.unwrap().contains("empty payload"));

    // Health checks are answered by the glue.
    let (rc, resp, _) = g.call("Actor.HealthRequest", &[0x80]);
    assert_eq!(
        (rc, resp.map(hex::encode)),
        (1, Some("81a76865616c746879c3".to_string()))
    );

    // The instance keeps serving after all of that.
    g.store.data_mut().reply = Some(Ok(vec![0x01]));
    let (rc, resp, _) = g.call("Counter.Bump", &hex::decode("81a36b6579a163").unwrap());
    assert_eq!((rc, resp), (1, Some(vec![0x01])));
}
