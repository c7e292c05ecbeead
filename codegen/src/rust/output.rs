//! The output of a generator: relative path -> file contents. Generators
//! only build it; [`OutputSet::write_changed`] / [`OutputSet::diff`] (called
//! by the CLI, or a build script through
//! [`crate::config::generate_from_config`]) are where it meets the disk.
//!
//! Files are replaced atomically ([`write_atomic`]): written to a temporary
//! file beside the target, flushed, then renamed over it, so a crash or a
//! full disk leaves either the old file or the new one, never a truncated
//! one.

use indexmap::IndexMap;
use std::path::{Path, PathBuf};

/// Files produced by a generator, in a stable order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutputSet {
    files: IndexMap<PathBuf, String>,
}

/// What happened to one file when an output set was compared with the disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileStatus {
    /// The file does not exist yet.
    New,
    /// The file exists with different contents.
    Changed,
    /// The file already has exactly these contents.
    Unchanged,
}

/// Replaces `path` with `bytes` atomically: a temporary file in the same
/// directory (so the rename stays on one file system) is written, synced and
/// renamed over `path`; on any error it is removed and `path` is untouched.
/// The one way weld writes a file it generates.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.weld-tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

impl OutputSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a file.
    pub fn insert(&mut self, path: impl Into<PathBuf>, contents: impl Into<String>) {
        self.files.insert(path.into(), contents.into());
    }

    /// Adds every file of `other` under the directory `prefix`.
    pub fn extend_under(&mut self, prefix: &Path, other: OutputSet) {
        for (p, c) in other.files {
            self.files.insert(prefix.join(p), c);
        }
    }

    /// The contents of `path`, if generated.
    pub fn get(&self, path: &Path) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    /// Files in order.
    pub fn iter(&self) -> impl Iterator<Item = (&Path, &str)> {
        self.files.iter().map(|(p, c)| (p.as_path(), c.as_str()))
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when there are no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Compares each file with what is under `root` on disk.
    pub fn status(&self, root: &Path) -> Vec<(PathBuf, FileStatus)> {
        self.files
            .iter()
            .map(|(p, c)| {
                let full = root.join(p);
                let st = match std::fs::read(&full) {
                    Ok(old) if old == c.as_bytes() => FileStatus::Unchanged,
                    Ok(_) => FileStatus::Changed,
                    Err(_) => FileStatus::New,
                };
                (full, st)
            })
            .collect()
    }

    /// Writes the files under `root`, touching only those whose contents
    /// changed (so cargo does not rebuild needlessly). Returns the paths
    /// written.
    pub fn write_changed(&self, root: &Path) -> std::io::Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        for (path, status) in self.status(root) {
            if status == FileStatus::Unchanged {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let contents = self.files.get(&rel).map(String::as_str).unwrap_or_default();
            write_atomic(&path, contents.as_bytes())?;
            written.push(path);
        }
        Ok(written)
    }

    /// A unified diff of every file that differs from the disk under `root`
    /// (new files diff against nothing). Empty when everything is current.
    pub fn diff(&self, root: &Path) -> String {
        let mut out = String::new();
        for (rel, new) in &self.files {
            let full = root.join(rel);
            let old = std::fs::read_to_string(&full).unwrap_or_default();
            if old == *new && full.exists() {
                continue;
            }
            out.push_str(&unified_diff(&old, new, &full.display().to_string()));
        }
        out
    }
}

/// A unified diff of `old` -> `new` labelled with `name`.
pub fn unified_diff(old: &str, new: &str, name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}
