//! Test actor importing the host functions from the legacy `wapc` module
//! (older waPC actors); replies `wapc:` + payload, and `wapc_init` is its
//! start hook.

use std::sync::atomic::{AtomicU32, Ordering};

#[link(wasm_import_module = "wapc")]
extern "C" {
    fn __guest_request(op_ptr: *mut u8, ptr: *mut u8);
    fn __guest_response(ptr: *const u8, len: usize);
    fn __guest_error(ptr: *const u8, len: usize);
}

static INITS: AtomicU32 = AtomicU32::new(0);

#[no_mangle]
pub extern "C" fn wapc_init() {
    INITS.fetch_add(1, Ordering::SeqCst);
}

#[no_mangle]
pub extern "C" fn __guest_call(op_len: i32, req_len: i32) -> i32 {
    let mut op = vec![0u8; op_len as usize];
    let mut payload = vec![0u8; req_len as usize];
    unsafe { __guest_request(op.as_mut_ptr(), payload.as_mut_ptr()) };
    if op == b"Echo.Inits" {
        let out = INITS.load(Ordering::SeqCst).to_string();
        unsafe { __guest_response(out.as_ptr(), out.len()) };
        return 1;
    }
    if op != b"Echo.Echo" {
        let e = b"unknown operation";
        unsafe { __guest_error(e.as_ptr(), e.len()) };
        return 0;
    }
    let mut out = b"wapc:".to_vec();
    out.extend_from_slice(&payload);
    unsafe { __guest_response(out.as_ptr(), out.len()) };
    1
}
