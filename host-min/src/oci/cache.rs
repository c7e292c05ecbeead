//! Pulled artifacts, kept on disk by digest so that a restarted host does
//! not pull again.
//!
//! Layout under the cache folder (the host's `data_dir/oci`):
//! - `sha256-HEX.wasm` / `sha256-HEX.par.gz`: an artifact, named by its
//!   manifest digest;
//! - `refs/HASH`: what a tagged reference resolved to (`DIGEST KIND`),
//!   HASH being the SHA-256 of the reference.
//!
//! A pinned reference (`@sha256:...`) is served from its file when there;
//! a tagged one from what it resolved to before (tags other than `latest`
//! are treated as releases, which do not change). `latest`, when allowed,
//! is pulled every time. Files are written whole, then renamed: a crash
//! leaves no half artifact.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::{is_latest, parse_reference, ArtifactKind, Credentials, OciError, RegistryOptions};

/// An artifact on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The file.
    pub path: PathBuf,
    /// What it holds.
    pub kind: ArtifactKind,
    /// Its manifest digest.
    pub digest: String,
    /// Whether it came from the registry this time (not the cache).
    pub pulled: bool,
}

/// The host's artifact cache and registry settings.
#[derive(Debug)]
pub struct ArtifactCache {
    dir: PathBuf,
    base: RegistryOptions,
    /// Credentials by registry (`host[:port]`), from `registries.put`.
    registries: Mutex<HashMap<String, Credentials>>,
}

/// Whether `r` names an OCI artifact rather than a file: `oci://...`, or a
/// reference whose first part is a registry (`localhost`, or has a `.` or a
/// `:`), when no such file exists.
pub fn is_reference(r: &str) -> bool {
    if r.starts_with("oci://") {
        return true;
    }
    if r.starts_with("file://") || r.starts_with('/') || r.starts_with('.') {
        return false;
    }
    if Path::new(r).exists() {
        return false;
    }
    let Some((first, _)) = r.split_once('/') else {
        return false;
    };
    (first == "localhost" || first.contains('.') || first.contains(':'))
        && parse_reference(r).is_ok()
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes `bytes` to `path` whole (a temporary file, then a rename), making
/// its folder: a crash leaves no half file.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

fn io(what: &Path, e: std::io::Error) -> OciError {
    OciError::Registry {
        registry: "(local cache)".into(),
        detail: format!("{}: {e}", what.display()),
    }
}

fn kind_name(k: ArtifactKind) -> &'static str {
    match k {
        ArtifactKind::Actor => "actor",
        ArtifactKind::Provider => "provider",
    }
}

impl ArtifactCache {
    /// A cache in `dir` using `base` for registries.
    pub fn new(dir: impl Into<PathBuf>, base: RegistryOptions) -> Self {
        ArtifactCache {
            dir: dir.into(),
            base,
            registries: Mutex::new(HashMap::new()),
        }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Uses `credentials` for `registry` from now on.
    pub fn set_credentials(&self, registry: &str, credentials: Credentials) {
        self.registries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(registry.to_string(), credentials);
    }

    fn options_for(&self, registry: &str) -> RegistryOptions {
        let mut opts = self.base.clone();
        if let Some(c) = self
            .registries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(registry)
        {
            opts.credentials = c.clone();
        }
        opts
    }

    fn blob(&self, digest: &str, kind: ArtifactKind) -> PathBuf {
        self.dir
            .join(format!("{}.{}", digest.replace(':', "-"), kind.extension()))
    }

    fn ref_file(&self, reference: &str) -> PathBuf {
        self.dir.join("refs").join(sha256_hex(reference.as_bytes()))
    }

    /// What is on disk for `digest`, if anything.
    fn cached(&self, digest: &str) -> Option<Fetched> {
        [ArtifactKind::Actor, ArtifactKind::Provider]
            .into_iter()
            .map(|k| (k, self.blob(digest, k)))
            .find(|(_, p)| p.is_file())
            .map(|(kind, path)| Fetched {
                path,
                kind,
                digest: digest.to_string(),
                pulled: false,
            })
    }

    fn write(&self, path: &Path, bytes: &[u8]) -> Result<(), OciError> {
        write_atomic(path, bytes).map_err(|e| io(path, e))
    }

    /// The artifact `reference` names: from the cache when it is there,
    /// else pulled (and kept).
    pub async fn fetch(&self, reference: &str) -> Result<Fetched, OciError> {
        let r = parse_reference(reference)?;
        let latest = is_latest(&r);
        if latest && !self.base.allow_latest {
            return Err(OciError::Latest {
                reference: reference.to_string(),
            });
        }
        let canonical = r.whole();
        if let Some(pinned) = r.digest() {
            if let Some(f) = self.cached(pinned) {
                return Ok(f);
            }
        } else if !latest {
            if let Ok(line) = std::fs::read_to_string(self.ref_file(&canonical)) {
                if let Some(f) = line.split_whitespace().next().and_then(|d| self.cached(d)) {
                    return Ok(f);
                }
            }
        }
        let opts = self.options_for(r.resolve_registry());
        let pulled = super::pull(reference, &opts).await?;
        let path = self.blob(&pulled.digest, pulled.kind);
        self.write(&path, &pulled.bytes)?;
        if r.digest().is_none() {
            let line = format!("{} {}\n", pulled.digest, kind_name(pulled.kind));
            self.write(&self.ref_file(&canonical), line.as_bytes())?;
        }
        Ok(Fetched {
            path,
            kind: pulled.kind,
            digest: pulled.digest,
            pulled: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_paths_are_told_apart() {
        assert!(is_reference("oci://anything/x:1"));
        assert!(is_reference("localhost:5000/weld/kv:1.0"));
        assert!(is_reference("ghcr.io/org/kv:0.1.0"));
        assert!(is_reference("127.0.0.1:5000/kv@sha256:0123456789012345678901234567890123456789012345678901234567890123"));
        assert!(!is_reference("build/kvcounter.wasm"));
        assert!(!is_reference("/abs/kv.par.gz"));
        assert!(!is_reference("file://x/y.wasm"));
        assert!(!is_reference("kvcounter.wasm"));
    }
}
