//! Helpers shared by the claims tests: a small hand-made wasm module and
//! custom-section surgery for forging tampered modules.

#![allow(dead_code)]

use host_min::claims::{KeyPair, KeyType, SignOptions};

/// A valid core module exporting `answer() -> i32` returning `value`, with
/// a `name` custom section between the export and code sections (so
/// signing must keep sections that are not claims, in order).
pub fn answer_module(value: u8) -> Vec<u8> {
    assert!(value < 64, "keep the i32.const immediate a single LEB byte");
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    // type: one func type () -> i32
    m.extend_from_slice(&[1, 5, 1, 0x60, 0, 1, 0x7f]);
    // function: one function of type 0
    m.extend_from_slice(&[3, 2, 1, 0]);
    // export "answer" func 0
    m.extend_from_slice(&[7, 10, 1, 6]);
    m.extend_from_slice(b"answer");
    m.extend_from_slice(&[0, 0]);
    // a custom section that must survive signing
    custom_section(&mut m, "producers-note", b"made by hand");
    // code: one body: no locals, i32.const value, end
    m.extend_from_slice(&[10, 6, 1, 4, 0, 0x41, value, 0x0b]);
    m
}

/// Appends a custom section `name` holding `data`.
pub fn custom_section(out: &mut Vec<u8>, name: &str, data: &[u8]) {
    let mut contents = Vec::new();
    leb(&mut contents, name.len());
    contents.extend_from_slice(name.as_bytes());
    contents.extend_from_slice(data);
    out.push(0);
    leb(out, contents.len());
    out.extend_from_slice(&contents);
}

fn leb(out: &mut Vec<u8>, mut v: usize) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Runs `answer` of `module` in wasmtime: proves the bytes are still a
/// valid, runnable module.
pub fn run_answer(module: &[u8]) -> i32 {
    let engine = wasmtime::Engine::default();
    let m = wasmtime::Module::new(&engine, module).expect("valid module");
    let mut store = wasmtime::Store::new(&engine, ());
    let inst = wasmtime::Instance::new(&mut store, &m, &[]).expect("instantiate");
    let f = inst
        .get_typed_func::<(), i32>(&mut store, "answer")
        .expect("answer export");
    f.call(&mut store, ()).expect("call")
}

/// Sign options with fresh keys.
pub fn options(name: &str, caps: &[&str]) -> (SignOptions, KeyPair, KeyPair) {
    let account = KeyPair::new(KeyType::Account);
    let module = KeyPair::new(KeyType::Module);
    let mut o = SignOptions::new(
        name,
        caps.iter().map(|s| s.to_string()).collect(),
        account.clone(),
    );
    o.subject = Some(module.clone());
    (o, account, module)
}

/// Builds the actor crate at `crate_dir` (relative to the repository root)
/// through the project's wasm build script and returns the module bytes.
/// Cargo inside the script skips the work when nothing changed, and the
/// script puts the module in place atomically, so tests may ask for the
/// same actor at once.
pub fn build_actor(crate_dir: &str, out_name: &str) -> Vec<u8> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("claims-actors")
        .join(out_name);
    weld_test_support::run_script(
        &root.join("scripts/wasm-build.sh"),
        &[
            root.join(crate_dir).as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ],
    );
    std::fs::read(&out).expect("built module")
}
