//! `weld gen`: Rust interface crates from Smithy models.
//!
//! - `weld gen FILES_OR_DIRS... --out DIR` writes a complete crate for the
//!   namespace of the inputs (or one crate per namespace under `DIR`).
//! - `weld gen` with no files reads `./codegen.toml` (or `--config FILE`).
//! - `--check` writes nothing; it prints a unified diff of what would change
//!   and exits 1 when anything would.
//!
//! Files are written only when their contents change.

use super::{load, usage_error, ColorChoice, Format, Inputs, EXIT_MODEL};
use crate::config::{self, ConfigError};
use crate::rust::{self, CrateSpec, Dependency, OutputSet, RustOptions, Templates};
use crate::smithy::render::render_human;
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `weld gen`.
#[derive(Debug, Clone, Args)]
pub struct GenArgs {
    /// Model files or directories; without any, `codegen.toml` is read.
    #[arg(value_name = "FILES_OR_DIRS")]
    pub paths: Vec<PathBuf>,
    /// Output directory: the crate directory (one namespace) or the parent
    /// of one crate directory per namespace. Default with model files: a
    /// directory named after the package (one namespace), or the current
    /// directory (one crate directory per namespace).
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The config file used when no model files are given.
    #[arg(long, value_name = "FILE", default_value = "codegen.toml")]
    pub config: PathBuf,
    /// Directory of `.hbs` files replacing the built-in templates.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Write nothing; print a diff and exit 1 if anything would change.
    #[arg(long)]
    pub check: bool,
    /// Generate only this namespace (default: every namespace of the
    /// inputs that is not provided by the runtime).
    #[arg(long, value_name = "NAMESPACE")]
    pub namespace: Vec<String>,
    /// Cargo package name (only with a single namespace).
    #[arg(long, value_name = "NAME")]
    pub package: Option<String>,
    /// Path of the weld-rpc crate: the generated crate then depends on it
    /// by version and path.
    #[arg(long, value_name = "DIR")]
    pub runtime_path: Option<PathBuf>,
    /// When to color diagnostics.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Runs `weld gen`.
pub fn run(a: &GenArgs) -> ExitCode {
    let (output, root) = if a.paths.is_empty() {
        match from_config(a) {
            Ok(x) => x,
            Err(code) => return code,
        }
    } else {
        match from_files(a) {
            Ok(x) => x,
            Err(code) => return code,
        }
    };
    let code = finish(&output, &root, a.check);
    // As with the model: the process is about to end.
    std::mem::forget(output);
    code
}

fn from_config(a: &GenArgs) -> Result<(OutputSet, PathBuf), ExitCode> {
    if a.out.is_some() {
        return Err(usage_error(
            "--out needs model files; with codegen.toml the output dirs come from the config",
        ));
    }
    match config::generate_config(&a.config, a.templates.as_deref()) {
        Ok(g) => Ok((g.output, g.base_dir)),
        Err(ConfigError::Model {
            diagnostics,
            sources,
        }) => {
            let mut err = std::io::stderr().lock();
            let _ =
                err.write_all(render_human(&sources, &diagnostics, a.color.enabled()).as_bytes());
            let _ = writeln!(err, "error: the model is invalid; nothing generated");
            Err(ExitCode::from(EXIT_MODEL))
        }
        Err(e @ ConfigError::Gen { .. }) => {
            eprintln!("error: {e}");
            Err(ExitCode::from(EXIT_MODEL))
        }
        Err(e) => Err(usage_error(e)),
    }
}

fn from_files(a: &GenArgs) -> Result<(OutputSet, PathBuf), ExitCode> {
    let out_dir = a.out.clone();
    let inputs = Inputs {
        paths: a.paths.clone(),
        color: a.color,
    };
    let templates = match &a.templates {
        Some(dir) => Templates::with_overrides(dir).map_err(usage_error)?,
        None => Templates::builtin(),
    };
    // The templates do not depend on the model: build them on another
    // core while it loads.
    std::thread::scope(|s| {
        s.spawn(|| templates.prepare());
        generate_files(a, &inputs, &templates, out_dir)
    })
}

fn generate_files(
    a: &GenArgs,
    inputs: &Inputs,
    templates: &Templates,
    out_dir: Option<PathBuf>,
) -> Result<(OutputSet, PathBuf), ExitCode> {
    let loaded = load(inputs, Format::Human).map_err(|f| f.exit_code())?;
    let model = loaded.model;
    let namespaces: Vec<String> = if a.namespace.is_empty() {
        let provided: Vec<String> = rust::view::package_crates(&model)
            .into_iter()
            .filter(|(_, c)| c.contains("::"))
            .map(|(ns, _)| ns)
            .collect();
        model
            .namespaces()
            .into_iter()
            .filter(|ns| !provided.iter().any(|p| p == ns))
            .map(str::to_string)
            .collect()
    } else {
        a.namespace.clone()
    };
    if namespaces.is_empty() {
        return Err(usage_error("nothing to generate: every namespace of the inputs is provided by the runtime (use --namespace)"));
    }
    if a.package.is_some() && namespaces.len() > 1 {
        return Err(usage_error(
            "--package needs a single namespace (use --namespace)",
        ));
    }
    let opts = RustOptions::default();
    let mut output = OutputSet::new();
    let single = namespaces.len() == 1;
    let mut out_dir = out_dir;
    for ns in &namespaces {
        let package = a
            .package
            .clone()
            .unwrap_or_else(|| rust::default_package(&model, ns));
        let crate_dir = if single {
            out_dir
                .get_or_insert_with(|| PathBuf::from(&package))
                .clone()
        } else {
            out_dir
                .get_or_insert_with(|| PathBuf::from("."))
                .join(&package)
        };
        let rel = if single {
            PathBuf::new()
        } else {
            PathBuf::from(&package)
        };
        let mut spec = CrateSpec::new(ns);
        spec.package = Some(package);
        if let Some(rt) = &a.runtime_path {
            spec.runtime = Dependency {
                path: Some(path_from(&crate_dir, rt).map_err(usage_error)?),
                ..spec.runtime
            };
        }
        let set = rust::render_crate(&model, &spec, templates, &opts).map_err(|e| {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_MODEL)
        })?;
        output.extend_under(&rel, set);
    }
    // The process ends soon after: freeing the model would only cost time.
    std::mem::forget(model);
    // Set in the loop: `namespaces` is not empty.
    let root = out_dir.unwrap_or_default();
    Ok((output, root))
}

/// `target` relative to `dir` (which may not exist yet).
fn path_from(dir: &Path, target: &Path) -> Result<String, String> {
    let abs = |p: &Path| -> Result<PathBuf, String> {
        let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
        let joined = if p.is_absolute() {
            p.to_path_buf()
        } else {
            cwd.join(p)
        };
        let mut out = PathBuf::new();
        for c in joined.components() {
            match c {
                std::path::Component::CurDir => {}
                std::path::Component::ParentDir => {
                    out.pop();
                }
                other => out.push(other),
            }
        }
        Ok(out)
    };
    Ok(rust::relative_path(&abs(dir)?, &abs(target)?))
}

fn finish(output: &OutputSet, root: &Path, check: bool) -> ExitCode {
    if check {
        let diff = output.diff(root);
        if diff.is_empty() {
            eprintln!("ok: {} generated file(s) are up to date", output.len());
            return ExitCode::SUCCESS;
        }
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(diff.as_bytes()).and_then(|()| out.flush());
        eprintln!("error: generated files are out of date; run `weld gen` to update them");
        return ExitCode::from(1);
    }
    match output.write_changed(root) {
        Ok(written) => {
            for p in &written {
                eprintln!("wrote {}", p.display());
            }
            eprintln!(
                "ok: {} file(s) written, {} unchanged",
                written.len(),
                output.len() - written.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => usage_error(format!("writing under {}: {e}", root.display())),
    }
}
