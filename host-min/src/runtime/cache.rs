//! Compiled modules, shared by code hash: in memory between the actors of one
//! runtime, and on disk between runs of a host.
//!
//! The key of a module is the SHA-256 of its code *without* claims sections
//! (the hash claims bind to), so the same code signed for a thousand
//! identities is compiled once. Compilation is done on the stripped bytes,
//! which makes the artifact independent of the signature as well.
//!
//! In memory, the runtime keeps a `Weak` per hash: every loaded actor holds
//! the strong reference, so a module lives exactly as long as some actor
//! runs its code and the table never pins code nobody uses (dead entries are
//! swept whenever a new module is inserted).
//!
//! On disk, a module is stored as `{hash}-{engine}.cwasm`, where `{engine}`
//! is a fingerprint of [`Engine::precompile_compatibility_hash`] (wasmtime
//! version, target, and every setting that changes code generation), so an
//! engine configured differently never sees another engine's artifact. The
//! file is the output of `Module::serialize` followed by the SHA-256 of
//! those bytes; it is written to a temporary name and renamed into place, so
//! a reader sees a whole file or none.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use sha2::{Digest, Sha256};
use wasmtime::{Engine, Module};

/// Length of the checksum trailer of a cache file.
const TRAILER: usize = 32;

/// How the compiled modules of a runtime were obtained, since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CompileStats {
    /// Modules compiled by cranelift.
    pub compiled: u64,
    /// Modules loaded from the on-disk cache instead of being compiled.
    pub deserialized: u64,
    /// Loads served by a module already in memory (another actor with the
    /// same code).
    pub reused: u64,
    /// Cache files that were present but unusable (corrupt, truncated, made
    /// by an incompatible engine); each was replaced by a fresh compile.
    pub cache_rejected: u64,
}

/// A compiled module shared by the actors running the same code.
#[derive(Debug)]
pub struct SharedModule {
    /// The compiled module.
    pub module: Module,
    /// The code hash (uppercase hex SHA-256 of the module without claims).
    pub hash: String,
}

/// The per-runtime table of compiled modules and the optional disk cache.
#[derive(Debug)]
pub(crate) struct ModuleCache {
    dir: Option<PathBuf>,
    engine_key: String,
    modules: Mutex<HashMap<String, Weak<SharedModule>>>,
    compiled: AtomicU64,
    deserialized: AtomicU64,
    reused: AtomicU64,
    rejected: AtomicU64,
}

impl ModuleCache {
    pub(crate) fn new(engine: &Engine, dir: Option<PathBuf>) -> ModuleCache {
        // DefaultHasher::new() has fixed keys: stable within one build of the
        // host; a different build may name files differently, which only
        // costs one compile.
        let mut h = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        ModuleCache {
            dir,
            engine_key: format!("{:016x}", h.finish()),
            modules: Mutex::new(HashMap::new()),
            compiled: AtomicU64::new(0),
            deserialized: AtomicU64::new(0),
            reused: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
        }
    }

    pub(crate) fn stats(&self) -> CompileStats {
        CompileStats {
            compiled: self.compiled.load(Ordering::Relaxed),
            deserialized: self.deserialized.load(Ordering::Relaxed),
            reused: self.reused.load(Ordering::Relaxed),
            cache_rejected: self.rejected.load(Ordering::Relaxed),
        }
    }

    /// The file a module with code hash `hash` is cached in.
    pub(crate) fn path_of(&self, hash: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        Some(dir.join(format!("{hash}-{}.cwasm", self.engine_key)))
    }

    /// The compiled module of `stripped` (a module without claims, whose
    /// code hash is `hash`): from memory, else from disk, else compiled (and
    /// then written to disk). Two loads of new code racing may both
    /// compile; the first to finish is kept, which is harmless.
    pub(crate) fn get_or_compile(
        &self,
        engine: &Engine,
        hash: &str,
        stripped: &[u8],
    ) -> Result<Arc<SharedModule>, wasmtime::Error> {
        if let Some(m) = self.lookup(hash) {
            self.reused.fetch_add(1, Ordering::Relaxed);
            return Ok(m);
        }
        let path = self.path_of(hash);
        let from_disk = path.as_deref().and_then(|p| self.load_file(engine, p));
        let module = match from_disk {
            Some(m) => {
                self.deserialized.fetch_add(1, Ordering::Relaxed);
                m
            }
            None => {
                let m = Module::new(engine, stripped)?;
                self.compiled.fetch_add(1, Ordering::Relaxed);
                if let Some(p) = &path {
                    if let Err(e) = store_file(&m, p) {
                        tracing::warn!("cannot write the module cache file {}: {e}", p.display());
                    }
                }
                m
            }
        };
        let shared = Arc::new(SharedModule {
            module,
            hash: hash.to_string(),
        });
        let mut modules = self.modules.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(existing) = modules.get(hash).and_then(Weak::upgrade) {
            return Ok(existing);
        }
        modules.retain(|_, w| w.strong_count() > 0);
        modules.insert(hash.to_string(), Arc::downgrade(&shared));
        Ok(shared)
    }

    fn lookup(&self, hash: &str) -> Option<Arc<SharedModule>> {
        self.modules
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(hash)
            .and_then(Weak::upgrade)
    }

    /// The module cached in `path`, or `None` (absent, or unusable: then
    /// logged, counted, and left to be overwritten by a fresh compile).
    fn load_file(&self, engine: &Engine, path: &Path) -> Option<Module> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                self.reject(path, &format!("cannot read it: {e}"));
                return None;
            }
        };
        if bytes.len() < TRAILER {
            self.reject(path, "too short");
            return None;
        }
        let (artifact, sum) = bytes.split_at(bytes.len() - TRAILER);
        if Sha256::digest(artifact)[..] != *sum {
            self.reject(path, "checksum mismatch (corrupt or truncated)");
            return None;
        }
        // SAFETY: `Module::deserialize` trusts its input to be an artifact
        // produced by `Module::serialize` of a compatible engine, since the
        // machine code inside runs as is. That holds here: the file lives in
        // the host's own data directory, only this code writes it (whole,
        // via rename), its name carries the engine's compatibility hash and
        // the code hash, and its checksum matched just above, so the bytes
        // are the ones we serialized. wasmtime itself still checks the
        // header, version and engine settings and fails cleanly on a
        // mismatch. The bytes are copied into fresh executable memory, so a
        // later change of the file cannot affect the loaded module.
        match unsafe { Module::deserialize(engine, artifact) } {
            Ok(m) => Some(m),
            Err(e) => {
                self.reject(path, &format!("{e:#}"));
                None
            }
        }
    }

    fn reject(&self, path: &Path, why: &str) {
        self.rejected.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(
            "module cache file {} unusable ({why}); compiling instead",
            path.display()
        );
    }
}

/// Serializes `module` into `path` atomically: a temporary file in the same
/// directory, synced, then renamed over `path`.
fn store_file(module: &Module, path: &Path) -> std::io::Result<()> {
    let artifact = module
        .serialize()
        .map_err(|e| std::io::Error::other(format!("{e:#}")))?;
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("cache path has no directory"))?;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}-{}.tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("module"),
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&artifact)?;
        f.write_all(&Sha256::digest(&artifact))?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    let res = write();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res
}
