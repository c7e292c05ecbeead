//! The waPC / wasmbus host functions an actor imports, and the per-instance
//! state they work on (spec section 1).

use std::sync::{Arc, Weak};
use std::time::Instant;

use async_trait::async_trait;
use wasmtime::{Caller, Extern, Linker, Memory, StoreLimits};

/// Import modules the host functions are registered under: current actors
/// import `wasmbus`, older waPC ones `wapc`.
pub const IMPORT_MODULES: [&str; 2] = ["wasmbus", "wapc"];

/// Names of the host functions (in both import modules).
pub const HOST_FUNCTIONS: [&str; 9] = [
    "__guest_request",
    "__guest_response",
    "__guest_error",
    "__host_call",
    "__host_response_len",
    "__host_response",
    "__host_error_len",
    "__host_error",
    "__console_log",
];

/// Error raised into a guest call that overran its deadline: from the
/// epoch callback while wasm runs, or from `__host_call` when the call it
/// awaits outlives the deadline (plus a grace). The instance is discarded.
#[derive(Debug)]
pub(crate) struct DeadlineExceeded;

impl std::fmt::Display for DeadlineExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("call deadline exceeded")
    }
}
impl std::error::Error for DeadlineExceeded {}

/// Where an actor's `__host_call` goes (the router).
#[async_trait]
pub trait HostCallHandler: Send + Sync + 'static {
    /// Performs a call made by actor `actor_id`. `Ok` becomes the host
    /// response (return 1), `Err` the host error text (return 0).
    async fn host_call(
        &self,
        actor_id: &str,
        binding: &str,
        namespace: &str,
        operation: &str,
        payload: Vec<u8>,
    ) -> Result<Vec<u8>, String>;
}

/// State of one actor instance: the call being served and the four buffers
/// of the protocol. Reset at the start of every call.
pub struct HostState {
    pub(crate) actor_id: Arc<str>,
    pub(crate) handler: Weak<dyn HostCallHandler>,
    pub(crate) memory: Option<Memory>,
    pub(crate) operation: String,
    pub(crate) payload: Vec<u8>,
    pub(crate) guest_response: Option<Vec<u8>>,
    pub(crate) guest_error: Option<String>,
    pub(crate) host_response: Option<Vec<u8>>,
    pub(crate) host_error: Option<String>,
    pub(crate) limits: StoreLimits,
    pub(crate) deadline: Instant,
    /// When an awaited host call is given up: the deadline plus a grace.
    pub(crate) host_call_limit: Instant,
}

impl HostState {
    pub(crate) fn new(
        actor_id: Arc<str>,
        handler: Weak<dyn HostCallHandler>,
        limits: StoreLimits,
    ) -> Self {
        HostState {
            actor_id,
            handler,
            memory: None,
            operation: String::new(),
            payload: Vec::new(),
            guest_response: None,
            guest_error: None,
            host_response: None,
            host_error: None,
            limits,
            deadline: Instant::now(),
            host_call_limit: Instant::now(),
        }
    }

    /// Clears the buffers and stores the next call.
    pub(crate) fn begin_call(
        &mut self,
        operation: &str,
        payload: &[u8],
        deadline: Instant,
        host_call_limit: Instant,
    ) {
        self.operation.clear();
        self.operation.push_str(operation);
        self.payload.clear();
        self.payload.extend_from_slice(payload);
        self.guest_response = None;
        self.guest_error = None;
        self.host_response = None;
        self.host_error = None;
        self.deadline = deadline;
        self.host_call_limit = host_call_limit;
    }
}

fn memory(caller: &mut Caller<'_, HostState>) -> wasmtime::Result<Memory> {
    if let Some(m) = caller.data().memory {
        return Ok(m);
    }
    match caller.get_export("memory") {
        Some(Extern::Memory(m)) => {
            caller.data_mut().memory = Some(m);
            Ok(m)
        }
        _ => Err(wasmtime::Error::msg("actor does not export `memory`")),
    }
}

fn read(caller: &mut Caller<'_, HostState>, ptr: i32, len: i32) -> wasmtime::Result<Vec<u8>> {
    let mem = memory(caller)?;
    let (ptr, len) = (ptr as u32 as usize, len as u32 as usize);
    let data = mem.data(&caller);
    let end = ptr
        .checked_add(len)
        .filter(|&e| e <= data.len())
        .ok_or_else(|| wasmtime::Error::msg(format!("guest pointer {ptr}+{len} out of bounds")))?;
    Ok(data[ptr..end].to_vec())
}

fn read_string(
    caller: &mut Caller<'_, HostState>,
    ptr: i32,
    len: i32,
    what: &str,
) -> wasmtime::Result<String> {
    String::from_utf8(read(caller, ptr, len)?)
        .map_err(|_| wasmtime::Error::msg(format!("{what} is not valid UTF-8")))
}

fn write(caller: &mut Caller<'_, HostState>, ptr: i32, bytes: &[u8]) -> wasmtime::Result<()> {
    // A zero-length write is a no-op: the guest may pass a dangling pointer.
    if bytes.is_empty() {
        return Ok(());
    }
    let mem = memory(caller)?;
    mem.write(caller, ptr as u32 as usize, bytes).map_err(|_| {
        wasmtime::Error::msg(format!(
            "guest pointer {}+{} out of bounds",
            ptr as u32,
            bytes.len()
        ))
    })
}

/// Registers the host functions under `module`.
pub(crate) fn add_to_linker(linker: &mut Linker<HostState>, module: &str) -> wasmtime::Result<()> {
    linker.func_wrap(
        module,
        "__guest_request",
        |mut caller: Caller<'_, HostState>, op_ptr: i32, ptr: i32| {
            // Operation first, as the guest SDKs expect; the buffers are taken
            // out and put back to avoid copying while memory is borrowed.
            let op = std::mem::take(&mut caller.data_mut().operation);
            let r = write(&mut caller, op_ptr, op.as_bytes());
            caller.data_mut().operation = op;
            r?;
            let payload = std::mem::take(&mut caller.data_mut().payload);
            let r = write(&mut caller, ptr, &payload);
            caller.data_mut().payload = payload;
            r
        },
    )?;
    linker.func_wrap(
        module,
        "__guest_response",
        |mut caller: Caller<'_, HostState>, ptr: i32, len: i32| {
            let bytes = read(&mut caller, ptr, len)?;
            caller.data_mut().guest_response = Some(bytes);
            Ok(())
        },
    )?;
    linker.func_wrap(
        module,
        "__guest_error",
        |mut caller: Caller<'_, HostState>, ptr: i32, len: i32| {
            let bytes = read(&mut caller, ptr, len)?;
            caller.data_mut().guest_error = Some(String::from_utf8_lossy(&bytes).into_owned());
            Ok(())
        },
    )?;
    linker.func_wrap(
        module,
        "__host_response_len",
        |caller: Caller<'_, HostState>| -> i32 {
            caller
                .data()
                .host_response
                .as_ref()
                .map_or(0, |r| r.len() as i32)
        },
    )?;
    linker.func_wrap(
        module,
        "__host_response",
        |mut caller: Caller<'_, HostState>, ptr: i32| {
            let resp = caller.data_mut().host_response.take();
            let r = match &resp {
                Some(bytes) => write(&mut caller, ptr, bytes),
                None => Ok(()),
            };
            caller.data_mut().host_response = resp;
            r
        },
    )?;
    linker.func_wrap(
        module,
        "__host_error_len",
        |caller: Caller<'_, HostState>| -> i32 {
            caller
                .data()
                .host_error
                .as_ref()
                .map_or(0, |e| e.len() as i32)
        },
    )?;
    linker.func_wrap(
        module,
        "__host_error",
        |mut caller: Caller<'_, HostState>, ptr: i32| {
            let err = caller.data_mut().host_error.take();
            let r = match &err {
                Some(text) => write(&mut caller, ptr, text.as_bytes()),
                None => Ok(()),
            };
            caller.data_mut().host_error = err;
            r
        },
    )?;
    linker.func_wrap(
        module,
        "__console_log",
        |mut caller: Caller<'_, HostState>, ptr: i32, len: i32| {
            let bytes = read(&mut caller, ptr, len)?;
            let actor = caller.data().actor_id.clone();
            tracing::info!(target: "actor", actor = %actor, "{}", String::from_utf8_lossy(&bytes));
            Ok(())
        },
    )?;
    linker.func_wrap_async(
        module,
        "__host_call",
        |mut caller: Caller<'_, HostState>,
         (bd_ptr, bd_len, ns_ptr, ns_len, op_ptr, op_len, ptr, len): (i32, i32, i32, i32, i32, i32, i32, i32)| {
            Box::new(async move {
                let binding = read_string(&mut caller, bd_ptr, bd_len, "binding")?;
                let namespace = read_string(&mut caller, ns_ptr, ns_len, "namespace")?;
                let operation = read_string(&mut caller, op_ptr, op_len, "operation")?;
                let payload = read(&mut caller, ptr, len)?;
                let state = caller.data_mut();
                state.host_response = None;
                state.host_error = None;
                let actor_id = state.actor_id.clone();
                let limit = tokio::time::Instant::from_std(state.host_call_limit);
                // Wasm that runs past its deadline is stopped by the epoch
                // callback; a call waiting here is bounded by this timer, so
                // only calls that make host calls pay for one.
                let result = match state.handler.upgrade() {
                    Some(h) => {
                        let call = h.host_call(&actor_id, &binding, &namespace, &operation, payload);
                        match tokio::time::timeout_at(limit, call).await {
                            Ok(result) => result,
                            Err(_) => return Err(wasmtime::Error::new(DeadlineExceeded)),
                        }
                    }
                    None => Err("host is shutting down".to_string()),
                };
                let state = caller.data_mut();
                Ok(match result {
                    Ok(resp) => {
                        state.host_response = Some(resp);
                        1
                    }
                    Err(e) => {
                        tracing::debug!(actor = %actor_id, %namespace, %operation, "host call failed: {e}");
                        state.host_error = Some(e);
                        0
                    }
                })
            })
        },
    )?;
    Ok(())
}
