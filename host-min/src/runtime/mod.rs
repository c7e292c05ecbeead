//! The wasm side of the host: one wasmtime [`Engine`] per host, the waPC /
//! wasmbus imports, and a pool of instances per actor.
//!
//! - [`Runtime`] owns the engine (pooling allocator with copy-on-write memory
//!   images when the machine lets it reserve the address space, on-demand
//!   allocation otherwise), the shared [`Linker`] with the host functions, and
//!   the epoch ticker that enforces per-call deadlines.
//! - [`actor::Actor`] is one loaded actor: its `InstancePre` (built once), a
//!   pool of ready instances and the bound on concurrent calls.
//! - [`wapc`] holds the host functions and the per-instance state they use.

pub mod actor;
pub mod cache;
pub mod wapc;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use wasmtime::{Config, Engine, InstanceAllocationStrategy, Linker, PoolingAllocationConfig};

pub use actor::{Actor, ActorStats};
pub use cache::{CompileStats, SharedModule};
pub use wapc::{HostCallHandler, HostState};

/// How instance memory is allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AllocatorChoice {
    /// Try the pooling allocator; fall back to on-demand if it cannot reserve memory.
    #[default]
    Auto,
    /// Pooling allocator only (an error if the reservation fails).
    Pooling,
    /// Allocate each instance's memory when it is created.
    OnDemand,
}

/// The allocator actually in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AllocatorKind {
    /// Pre-reserved slots, copy-on-write memory images.
    Pooling,
    /// Memory mapped per instance.
    OnDemand,
}

/// Settings of the wasm runtime.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Allocation strategy.
    pub allocator: AllocatorChoice,
    /// Instance slots in the pooling allocator (all actors together).
    pub pool_instances: u32,
    /// Linear memory limit of one instance, in bytes.
    pub max_memory_bytes: usize,
    /// Deadline of one call into an actor (including the host calls it makes).
    pub call_deadline: Duration,
    /// Granularity of deadline checks.
    pub epoch_tick: Duration,
    /// Instances (= concurrent calls) per actor; further callers wait.
    pub max_instances_per_actor: usize,
    /// Directory of compiled modules kept between runs (see [`cache`]);
    /// `None` compiles every new code at least once per run. A [`Host`]
    /// uses `{data_dir}/module-cache` when this is `None`.
    ///
    /// [`Host`]: crate::host::Host
    pub module_cache_dir: Option<PathBuf>,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            allocator: AllocatorChoice::Auto,
            pool_instances: 1024,
            max_memory_bytes: 64 << 20,
            call_deadline: Duration::from_secs(10),
            epoch_tick: Duration::from_millis(10),
            max_instances_per_actor: 64,
            module_cache_dir: None,
        }
    }
}

/// Errors of setting up the runtime or loading an actor.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The engine could not be created.
    #[error("cannot create the wasm engine ({allocator:?} allocator): {message}")]
    Engine {
        /// Allocator that was tried.
        allocator: AllocatorKind,
        /// wasmtime's message.
        message: String,
    },
    /// The module is not valid wasm or does not compile.
    #[error("actor `{name}`: invalid module: {message}")]
    Compile {
        /// Actor name.
        name: String,
        /// wasmtime's message.
        message: String,
    },
    /// The module does not follow the wasmbus actor ABI.
    #[error("actor `{name}`: {message}")]
    Abi {
        /// Actor name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// The instance could not be created or its start hook failed.
    #[error("actor `{name}`: cannot instantiate: {message}")]
    Instantiate {
        /// Actor name.
        name: String,
        /// wasmtime's message.
        message: String,
    },
    /// The pooling allocator has no room for another actor's instances.
    #[error("actor `{name}`: instance pool exhausted ({needed} slots needed, {free} free); raise pool_instances")]
    PoolExhausted {
        /// Actor name.
        name: String,
        /// Slots the actor needs.
        needed: usize,
        /// Slots left.
        free: usize,
    },
}

/// The wasm runtime of a host: engine, linker and epoch ticker.
pub struct Runtime {
    pub(crate) engine: Engine,
    pub(crate) linker: Linker<HostState>,
    pub(crate) config: RuntimeConfig,
    allocator: AllocatorKind,
    pub(crate) free_slots: std::sync::Mutex<usize>,
    modules: cache::ModuleCache,
    ticker_stop: Arc<AtomicBool>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("allocator", &self.allocator)
            .field("config", &self.config)
            .finish()
    }
}

impl Runtime {
    /// Creates the engine (per `config.allocator`), the linker with the
    /// waPC imports, and starts the epoch ticker.
    pub fn new(config: RuntimeConfig) -> Result<Arc<Self>, RuntimeError> {
        let (engine, allocator) = match config.allocator {
            AllocatorChoice::OnDemand => (
                Self::build_engine(&config, AllocatorKind::OnDemand)?,
                AllocatorKind::OnDemand,
            ),
            AllocatorChoice::Pooling => (
                Self::build_engine(&config, AllocatorKind::Pooling)?,
                AllocatorKind::Pooling,
            ),
            AllocatorChoice::Auto => match Self::build_engine(&config, AllocatorKind::Pooling) {
                Ok(e) => (e, AllocatorKind::Pooling),
                Err(e) => {
                    tracing::warn!("{e}; falling back to on-demand allocation");
                    (
                        Self::build_engine(&config, AllocatorKind::OnDemand)?,
                        AllocatorKind::OnDemand,
                    )
                }
            },
        };
        let mut linker = Linker::new(&engine);
        for module in wapc::IMPORT_MODULES {
            wapc::add_to_linker(&mut linker, module).map_err(|e| RuntimeError::Engine {
                allocator,
                message: e.to_string(),
            })?;
        }
        let ticker_stop = Arc::new(AtomicBool::new(false));
        {
            // Epochs drive per-call deadlines; a plain thread keeps ticking even
            // when every tokio worker is busy running wasm.
            let engine = engine.clone();
            let stop = ticker_stop.clone();
            let tick = config.epoch_tick.max(Duration::from_millis(1));
            std::thread::Builder::new()
                .name("host-min-epoch".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(tick);
                        engine.increment_epoch();
                    }
                })
                .map_err(|e| RuntimeError::Engine {
                    allocator,
                    message: format!("epoch thread: {e}"),
                })?;
        }
        let free = match allocator {
            AllocatorKind::Pooling => config.pool_instances as usize,
            AllocatorKind::OnDemand => usize::MAX,
        };
        let modules = cache::ModuleCache::new(&engine, config.module_cache_dir.clone());
        Ok(Arc::new(Runtime {
            engine,
            linker,
            modules,
            config,
            allocator,
            free_slots: std::sync::Mutex::new(free),
            ticker_stop,
        }))
    }

    fn build_engine(config: &RuntimeConfig, kind: AllocatorKind) -> Result<Engine, RuntimeError> {
        let mut cfg = Config::new();
        cfg.epoch_interruption(true);
        cfg.memory_init_cow(true);
        // `perf` cannot name JIT code on its own: with
        // WELD_WASM_PROFILE=perfmap wasmtime writes /tmp/perf-{pid}.map, so
        // `perf report` shows an actor's own functions (how the README's
        // per-request costs were found).
        if std::env::var("WELD_WASM_PROFILE").as_deref() == Ok("perfmap") {
            cfg.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        if kind == AllocatorKind::Pooling {
            let mut pool = PoolingAllocationConfig::new();
            let n = config.pool_instances.max(1);
            pool.total_core_instances(n)
                .total_memories(n)
                .total_tables(n)
                // Start hooks and calls each run on their own fiber stack.
                .total_stacks(n.saturating_add(8))
                .max_memory_size(config.max_memory_bytes);
            cfg.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        }
        Engine::new(&cfg).map_err(|e| RuntimeError::Engine {
            allocator: kind,
            message: format!("{e:#}"),
        })
    }

    /// The allocator in use after any fallback.
    pub fn allocator(&self) -> AllocatorKind {
        self.allocator
    }

    /// The settings this runtime was made with.
    pub fn config(&self) -> &RuntimeConfig {
        &self.config
    }

    /// The wasmtime engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// How the modules loaded so far were obtained (compiled, from the disk
    /// cache, or shared with an actor running the same code).
    pub fn compile_stats(&self) -> CompileStats {
        self.modules.stats()
    }

    /// The on-disk cache file of the code with hash `hash` (see
    /// [`crate::claims::wasm::module_hash`]), if a cache directory is set.
    pub fn module_cache_file(&self, hash: &str) -> Option<PathBuf> {
        self.modules.path_of(hash)
    }

    /// The compiled module of `wasm`, shared by every actor with the same
    /// code whatever its claims (see [`cache`]). Input that is not a binary
    /// core module (wat text, garbage) is compiled as is, uncached, so that
    /// wasmtime reports what is wrong with it.
    pub fn module(&self, name: &str, wasm: &[u8]) -> Result<Arc<SharedModule>, RuntimeError> {
        let err = |e: wasmtime::Error| RuntimeError::Compile {
            name: name.to_string(),
            message: format!("{e:#}"),
        };
        match crate::claims::wasm::strip_claims(wasm) {
            Ok(stripped) => {
                let hash = crate::claims::wasm::hash_bytes(&stripped);
                self.modules
                    .get_or_compile(&self.engine, &hash, &stripped)
                    .map_err(err)
            }
            Err(_) => Ok(Arc::new(SharedModule {
                module: wasmtime::Module::new(&self.engine, wasm).map_err(err)?,
                hash: String::new(),
            })),
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}
