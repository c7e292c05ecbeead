//! Test actor for host-min, written against the raw wasmbus ABI (no SDK).
//!
//! Operations (the part after the last `.` selects the behaviour):
//! - `Echo`: replies with the payload.
//! - `Fail`: returns the payload as a guest error.
//! - `HostCall`: payload = binding \0 namespace \0 operation \0 bytes; makes the
//!   host call and replies with the host response, or fails with
//!   `host error: <text>`.
//! - `Trap`: executes `unreachable`.
//! - `Spin`: loops forever.
//! - `Hog`: allocates without bound.
//! - `Starts`: replies with how often the start hook ran in this instance.
//! - `Count`: increments an instance-local counter and replies with it.
//! - `Log`: writes the payload with `__console_log`, replies empty.

use std::sync::atomic::{AtomicU32, Ordering};

#[link(wasm_import_module = "wasmbus")]
extern "C" {
    fn __guest_request(op_ptr: *mut u8, ptr: *mut u8);
    fn __guest_response(ptr: *const u8, len: usize);
    fn __guest_error(ptr: *const u8, len: usize);
    fn __host_call(
        bd_ptr: *const u8,
        bd_len: usize,
        ns_ptr: *const u8,
        ns_len: usize,
        op_ptr: *const u8,
        op_len: usize,
        ptr: *const u8,
        len: usize,
    ) -> usize;
    fn __host_response_len() -> usize;
    fn __host_response(ptr: *mut u8);
    fn __host_error_len() -> usize;
    fn __host_error(ptr: *mut u8);
    fn __console_log(ptr: *const u8, len: usize);
}

static STARTS: AtomicU32 = AtomicU32::new(0);
static COUNT: AtomicU32 = AtomicU32::new(0);

/// waPC start hook: the host must call it once per instance.
#[no_mangle]
pub extern "C" fn start() {
    STARTS.fetch_add(1, Ordering::SeqCst);
}

#[no_mangle]
pub extern "C" fn __wasmbus_rpc_version() -> u32 {
    1
}

fn respond(bytes: &[u8]) -> i32 {
    unsafe { __guest_response(bytes.as_ptr(), bytes.len()) };
    1
}

fn fail(text: &str) -> i32 {
    unsafe { __guest_error(text.as_ptr(), text.len()) };
    0
}

fn host_call(binding: &[u8], ns: &[u8], op: &[u8], payload: &[u8]) -> Result<Vec<u8>, String> {
    let ok = unsafe {
        __host_call(
            binding.as_ptr(),
            binding.len(),
            ns.as_ptr(),
            ns.len(),
            op.as_ptr(),
            op.len(),
            payload.as_ptr(),
            payload.len(),
        )
    };
    if ok == 1 {
        let mut buf = vec![0u8; unsafe { __host_response_len() }];
        unsafe { __host_response(buf.as_mut_ptr()) };
        Ok(buf)
    } else {
        let mut buf = vec![0u8; unsafe { __host_error_len() }];
        unsafe { __host_error(buf.as_mut_ptr()) };
        Err(String::from_utf8_lossy(&buf).into_owned())
    }
}

#[no_mangle]
pub extern "C" fn __guest_call(op_len: i32, req_len: i32) -> i32 {
    let mut op = vec![0u8; op_len as usize];
    let mut payload = vec![0u8; req_len as usize];
    unsafe { __guest_request(op.as_mut_ptr(), payload.as_mut_ptr()) };
    let op = String::from_utf8_lossy(&op).into_owned();
    let method = op.rsplit('.').next().unwrap_or(&op);
    match method {
        "Echo" => respond(&payload),
        "Fail" => fail(&String::from_utf8_lossy(&payload)),
        "HostCall" => {
            let mut parts = payload.splitn(4, |b| *b == 0);
            let (Some(bd), Some(ns), Some(hop), rest) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return fail("HostCall: bad payload");
            };
            match host_call(bd, ns, hop, rest.unwrap_or(&[])) {
                Ok(r) => respond(&r),
                Err(e) => fail(&format!("host error: {e}")),
            }
        }
        "Trap" => core::arch::wasm32::unreachable(),
        "Spin" => {
            let mut x: u64 = 1;
            loop {
                x = core::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
            }
        }
        "Hog" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                let mut chunk = vec![0u8; 1 << 20];
                chunk[0] = hoard.len() as u8;
                hoard.push(core::hint::black_box(chunk));
            }
        }
        "Starts" => respond(STARTS.load(Ordering::SeqCst).to_string().as_bytes()),
        "Count" => respond(
            (COUNT.fetch_add(1, Ordering::SeqCst) + 1)
                .to_string()
                .as_bytes(),
        ),
        "Log" => {
            unsafe { __console_log(payload.as_ptr(), payload.len()) };
            respond(&[])
        }
        _ => fail(&format!("method not handled {op}")),
    }
}
