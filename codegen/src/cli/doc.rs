//! `weld doc FILES_OR_DIRS... --out DIR`: HTML documentation of a model,
//! one page per namespace plus an index (see [`crate::docs`]).
//!
//! Files whose content is unchanged are not rewritten, so repeated runs
//! leave timestamps alone (friendly to static-site tooling and `make`).

use super::{load, usage_error, Format, Inputs};
use crate::docs::{render_docs, Templates};
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `weld doc`.
#[derive(Debug, Clone, Args)]
pub struct DocArgs {
    #[command(flatten)]
    /// Input files.
    pub inputs: Inputs,
    /// Directory to write the HTML into (created if missing).
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: PathBuf,
    /// Directory of templates overriding the built-in ones (`index.hbs`,
    /// `namespace.hbs`, `layout.hbs`, `service.hbs`, `shape.hbs`,
    /// `typeref.hbs`, `style.css`; any file may be left out).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

/// Runs `weld doc`.
pub fn run(a: &DocArgs) -> ExitCode {
    let loaded = match load(&a.inputs, Format::Human) {
        Ok(r) => r,
        Err(f) => return f.exit_code(),
    };
    let templates = match &a.templates {
        Some(dir) => Templates::from_dir(dir),
        None => Templates::builtin(),
    };
    let output = match templates.and_then(|t| render_docs(&loaded.model, Some(&t))) {
        Ok(o) => o,
        Err(e) => return usage_error(error_chain(&e)),
    };
    match write_changed(&a.out, &output) {
        Ok(written) => {
            eprintln!(
                "wrote {written} of {} file{} to {}",
                output.len(),
                if output.len() == 1 { "" } else { "s" },
                a.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => usage_error(e),
    }
}

/// `error: cause: cause...`, so template errors show the line they are on.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

/// Writes each file under `root` unless it already has that content;
/// returns how many were written.
fn write_changed(root: &Path, files: &[(PathBuf, Vec<u8>)]) -> Result<usize, String> {
    let mut written = 0;
    for (rel, bytes) in files {
        let path = root.join(rel);
        if std::fs::read(&path).is_ok_and(|old| &old == bytes) {
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        crate::rust::write_atomic(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        written += 1;
    }
    Ok(written)
}
