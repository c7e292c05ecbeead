//! One loaded actor: compiled once, instantiated into a pool, called with
//! back-pressure.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use wasmtime::{InstancePre, Store, StoreLimitsBuilder, Trap, TypedFunc, UpdateDeadline};

use super::wapc::{DeadlineExceeded, HostCallHandler, HostState};
use super::{Runtime, RuntimeError, SharedModule};
use crate::types::{RpcError, RpcResult};

/// Start hooks called once on every new instance if exported.
const START_HOOKS: [&str; 3] = ["start", "wapc_init", "_start"];

/// The wasmbus RPC version this host speaks (`__wasmbus_rpc_version`).
pub const WASMBUS_RPC_VERSION: i32 = 1;

/// Counters of one actor, for the inventory.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ActorStats {
    /// Calls completed (success or guest error).
    pub calls: u64,
    /// Calls that trapped, overran their deadline or hit a limit.
    pub failures: u64,
    /// Instances created since start.
    pub instances_created: u64,
    /// Instances idle in the pool now.
    pub idle_instances: usize,
}

struct Instance {
    store: Store<HostState>,
    instance: wasmtime::Instance,
    guest_call: TypedFunc<(i32, i32), i32>,
}

/// An actor loaded into the runtime.
pub struct Actor {
    id: Arc<str>,
    name: String,
    runtime: Arc<Runtime>,
    pre: InstancePre<HostState>,
    /// Keeps the shared compiled module listed in the runtime's table while
    /// this actor runs.
    _code: Arc<SharedModule>,
    handler: Weak<dyn HostCallHandler>,
    permits: Arc<Semaphore>,
    idle: Mutex<Vec<Instance>>,
    max_instances: usize,
    calls: AtomicU64,
    failures: AtomicU64,
    created: AtomicU64,
}

impl std::fmt::Debug for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Actor")
            .field("id", &self.id)
            .field("name", &self.name)
            .finish()
    }
}

impl Actor {
    /// Compiles `wasm`, checks it against the wasmbus ABI, builds its
    /// `InstancePre` and creates a first instance (running its start hook), so
    /// that a broken actor is refused at start rather than at its first call.
    pub async fn load(
        runtime: Arc<Runtime>,
        id: &str,
        name: &str,
        wasm: &[u8],
        handler: Weak<dyn HostCallHandler>,
    ) -> Result<Arc<Actor>, RuntimeError> {
        let code = runtime.module(name, wasm)?;
        let module = &code.module;
        let abi = |message: String| RuntimeError::Abi {
            name: name.to_string(),
            message,
        };
        match module.get_export("__guest_call") {
            Some(wasmtime::ExternType::Func(_)) => {}
            _ => {
                return Err(abi(
                    "does not export `__guest_call`: not a wasmbus actor".into()
                ))
            }
        }
        if !matches!(
            module.get_export("memory"),
            Some(wasmtime::ExternType::Memory(_))
        ) {
            return Err(abi("does not export `memory`".into()));
        }
        // Imports the host does not offer become traps when called, so that an
        // actor with an unused stray import still runs (upstream hosts do the same).
        let mut linker = runtime.linker.clone();
        let unknown: Vec<String> = module
            .imports()
            .filter(|i| !is_ours(i.module(), i.name()))
            .map(|i| format!("{}::{}", i.module(), i.name()))
            .collect();
        if !unknown.is_empty() {
            tracing::warn!(
                actor = name,
                "imports not provided by the host (calls will trap): {}",
                unknown.join(", ")
            );
        }
        linker
            .define_unknown_imports_as_traps(module)
            .map_err(|e| abi(format!("{e:#}")))?;
        let pre = linker
            .instantiate_pre(module)
            .map_err(|e| abi(format!("{e:#}")))?;

        let max_instances = runtime.config.max_instances_per_actor.max(1);
        {
            let mut free = runtime.free_slots.lock().unwrap_or_else(|p| p.into_inner());
            if *free < max_instances {
                return Err(RuntimeError::PoolExhausted {
                    name: name.to_string(),
                    needed: max_instances,
                    free: *free,
                });
            }
            *free -= max_instances;
        }
        let actor = Arc::new(Actor {
            id: Arc::from(id),
            name: name.to_string(),
            runtime,
            pre,
            _code: code,
            handler,
            permits: Arc::new(Semaphore::new(max_instances)),
            idle: Mutex::new(Vec::new()),
            max_instances,
            calls: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            created: AtomicU64::new(0),
        });
        let mut first = actor.instantiate().await?;
        // The version is checked on a live instance: the export is a function.
        match first
            .instance
            .get_typed_func::<(), i32>(&mut first.store, "__wasmbus_rpc_version")
        {
            Ok(f) => {
                first.store.data_mut().deadline =
                    Instant::now() + actor.runtime.config.call_deadline;
                let v = f
                    .call_async(&mut first.store, ())
                    .await
                    .map_err(|e| abi(describe(&e)))?;
                if v != WASMBUS_RPC_VERSION {
                    return Err(abi(format!(
                        "__wasmbus_rpc_version returned {v}; this host speaks version {WASMBUS_RPC_VERSION}"
                    )));
                }
            }
            Err(_) => tracing::debug!(
                actor = name,
                "no __wasmbus_rpc_version export (plain waPC actor)"
            ),
        }
        actor
            .idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(first);
        Ok(actor)
    }

    /// The actor's id (module public key).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The actor's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Current counters.
    pub fn stats(&self) -> ActorStats {
        ActorStats {
            calls: self.calls.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
            instances_created: self.created.load(Ordering::Relaxed),
            idle_instances: self.idle.lock().map(|v| v.len()).unwrap_or(0),
        }
    }

    /// Maximum concurrent calls.
    pub fn max_instances(&self) -> usize {
        self.max_instances
    }

    async fn instantiate(&self) -> Result<Instance, RuntimeError> {
        let cfg = &self.runtime.config;
        let err = |e: wasmtime::Error| RuntimeError::Instantiate {
            name: self.name.clone(),
            message: describe(&e),
        };
        let limits = StoreLimitsBuilder::new()
            .memory_size(cfg.max_memory_bytes)
            .instances(1)
            .trap_on_grow_failure(true)
            .build();
        let mut store = Store::new(
            &self.runtime.engine,
            HostState::new(self.id.clone(), self.handler.clone(), limits),
        );
        store.limiter(|s| &mut s.limits);
        // Past the deadline the call traps; before it, wasm yields to tokio
        // every tick so a busy actor cannot starve the other tasks.
        store.epoch_deadline_callback(|ctx| {
            if Instant::now() >= ctx.data().deadline {
                Err(wasmtime::Error::new(DeadlineExceeded))
            } else {
                Ok(UpdateDeadline::Yield(1))
            }
        });
        store.set_epoch_deadline(1);
        store.data_mut().deadline = Instant::now() + cfg.call_deadline;
        let instance = self.pre.instantiate_async(&mut store).await.map_err(err)?;
        self.created.fetch_add(1, Ordering::Relaxed);
        store.data_mut().memory = instance.get_memory(&mut store, "memory");
        for hook in START_HOOKS {
            if let Ok(f) = instance.get_typed_func::<(), ()>(&mut store, hook) {
                f.call_async(&mut store, ()).await.map_err(err)?;
            }
        }
        let guest_call = instance
            .get_typed_func::<(i32, i32), i32>(&mut store, "__guest_call")
            .map_err(|e| RuntimeError::Abi {
                name: self.name.clone(),
                message: format!("__guest_call: {e:#}"),
            })?;
        Ok(Instance {
            store,
            instance,
            guest_call,
        })
    }

    /// Calls `operation` with `payload` on a pooled instance and returns the
    /// guest's response. Waits (does not fail) while every instance is busy.
    /// A guest error leaves the instance in the pool; a trap, a deadline
    /// overrun or a limit hit discards it, so the next call gets a fresh one.
    pub async fn call(&self, operation: &str, payload: &[u8]) -> RpcResult<Vec<u8>> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| RpcError::HostError(format!("actor {} is stopping", self.name)))?;
        let pooled = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut inst = match pooled {
            Some(i) => i,
            None => self.instantiate().await.map_err(|e| {
                self.failures.fetch_add(1, Ordering::Relaxed);
                RpcError::HostError(e.to_string())
            })?,
        };
        let deadline_len = self.runtime.config.call_deadline;
        let deadline = Instant::now() + deadline_len;
        // A host call still running this long after the deadline is given
        // up (see `__host_call`); wasm itself is stopped at the deadline.
        let grace = Duration::from_millis(250).max(self.runtime.config.epoch_tick * 4);
        inst.store
            .data_mut()
            .begin_call(operation, payload, deadline, deadline + grace);
        inst.store.set_epoch_deadline(1);
        let (op_len, len) = (operation.len() as i32, payload.len() as i32);
        let outcome = inst
            .guest_call
            .call_async(&mut inst.store, (op_len, len))
            .await;
        match outcome {
            Ok(rc) => {
                self.calls.fetch_add(1, Ordering::Relaxed);
                let state = inst.store.data_mut();
                let result = if rc == 1 {
                    Ok(state.guest_response.take().unwrap_or_default())
                } else {
                    Err(RpcError::ActorHandler(
                        state
                            .guest_error
                            .take()
                            .unwrap_or_else(|| format!("actor returned {rc} without an error")),
                    ))
                };
                // Release payload memory held for large calls.
                if state.payload.capacity() > 1 << 20 {
                    state.payload = Vec::new();
                }
                self.idle
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(inst);
                result
            }
            Err(e) => {
                self.failures.fetch_add(1, Ordering::Relaxed);
                if e.is::<DeadlineExceeded>() {
                    tracing::warn!(actor = %self.name, "{operation}: deadline of {deadline_len:?} exceeded; instance recycled");
                    Err(RpcError::DeadlineExceeded(format!(
                        "actor {} did not answer {operation} within {deadline_len:?}",
                        self.name
                    )))
                } else {
                    let msg = describe(&e);
                    tracing::warn!(actor = %self.name, "{operation}: {msg}; instance recycled");
                    Err(RpcError::ActorHandler(msg))
                }
            }
        }
    }
}

impl Drop for Actor {
    fn drop(&mut self) {
        let mut free = self
            .runtime
            .free_slots
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        *free = free.saturating_add(self.max_instances);
    }
}

/// A one-line description of a wasmtime error: the trap kind if there is one,
/// then the chain of messages (the guest backtrace is left to debug logs).
fn describe(e: &wasmtime::Error) -> String {
    if let Some(trap) = e.downcast_ref::<Trap>() {
        return format!("wasm trap: {trap}");
    }
    let mut out = String::new();
    for (i, cause) in e.chain().enumerate() {
        if i > 0 {
            out.push_str(": ");
        }
        out.push_str(&cause.to_string());
    }
    out
}

fn is_ours(module: &str, name: &str) -> bool {
    super::wapc::IMPORT_MODULES.contains(&module) && super::wapc::HOST_FUNCTIONS.contains(&name)
}
