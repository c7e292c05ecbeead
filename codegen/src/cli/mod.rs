//! The `weld` command line. This is the only module that prints or sets the
//! process exit status; everything it calls returns values.
//!
//! Exit status: 0 success (warnings allowed), 1 the model has errors,
//! 2 usage or I/O errors (clap's own usage errors also exit with 2).

use crate::smithy::diagnostics::{Diagnostic, Severity};
use crate::smithy::render::{render_human, render_json};
use crate::smithy::source::{SourceMap, Span};
use crate::smithy::{self, json_ast, LoadResult};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `weld doc` (codegen/src/cli/doc.rs).
pub mod doc;
/// `weld gen` (codegen/src/cli/gen.rs).
pub mod gen;

/// weld: Smithy IDL front end and code generator for wasmCloud-style
/// interfaces.
#[derive(Debug, Parser)]
#[command(name = "weld", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse, assemble and validate Smithy models (.smithy IDL 1.0/2.0 and
    /// .json AST files, or directories of them).
    Validate(ValidateArgs),
    /// Print the assembled model as Smithy JSON AST (prelude excluded).
    Json(JsonArgs),
    /// Generate Rust interface crates (from files, or from codegen.toml).
    Gen(gen::GenArgs),
    /// Write HTML documentation: one page per namespace plus an index.
    Doc(doc::DocArgs),
    // Further subcommands: one variant here, one arm in `run`, the code in
    // its own module under cli/. `Inputs` (file arguments) and `load`
    // (load + print diagnostics) are shared.
}

/// Model files or directories (searched recursively for `.smithy` and
/// `.json` files).
#[derive(Debug, Clone, Args)]
pub struct Inputs {
    /// Files or directories holding the model.
    #[arg(value_name = "FILES_OR_DIRS", required = true)]
    pub paths: Vec<PathBuf>,
    /// When to color human-readable diagnostics.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// `weld validate`.
#[derive(Debug, Clone, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    /// Input files.
    pub inputs: Inputs,
    /// Diagnostics as human-readable text (stderr) or a JSON array (stdout).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// `weld json`.
#[derive(Debug, Clone, Args)]
pub struct JsonArgs {
    #[command(flatten)]
    /// Input files.
    pub inputs: Inputs,
    /// Write the JSON AST to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Diagnostic output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style text with source snippets.
    Human,
    /// A JSON array of diagnostics.
    Json,
}

/// Whether to use ANSI colors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Color when stderr is a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

impl ColorChoice {
    fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stderr().is_terminal()
            }
        }
    }
}

/// Exit status for model errors.
pub const EXIT_MODEL: u8 = 1;
/// Exit status for usage and I/O errors.
pub const EXIT_USAGE: u8 = 2;

/// Entry point of the `weld` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    run(cli)
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Validate(a) => validate(&a),
        Command::Json(a) => json(&a),
        Command::Gen(a) => gen::run(&a),
        Command::Doc(a) => doc::run(&a),
    }
}

/// Prints a usage/I-O error and returns exit status 2.
pub fn usage_error(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(EXIT_USAGE)
}

/// Files found under `paths`: each directory walked recursively for
/// `.smithy` and `.json` files in sorted order (so runs are reproducible);
/// files named explicitly are taken whatever their extension.
pub fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| format!("{}: {e}", p.display()))?;
        if meta.is_dir() {
            let before = out.len();
            walk(p, &mut out)?;
            if out.len() == before {
                return Err(format!(
                    "{}: no .smithy or .json files in this directory",
                    p.display()
                ));
            }
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let rd = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut entries: Vec<PathBuf> = Vec::new();
    for e in rd {
        let e = e.map_err(|e| format!("{}: {e}", dir.display()))?;
        entries.push(e.path());
    }
    entries.sort();
    for p in entries {
        let is_dir = std::fs::metadata(&p)
            .map_err(|e| format!("{}: {e}", p.display()))?
            .is_dir();
        if is_dir {
            walk(&p, out)?;
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("smithy" | "json")
        ) {
            out.push(p);
        }
    }
    Ok(())
}

/// Why loading stopped before a model was produced.
pub enum LoadFailure {
    /// Bad arguments or unreadable files (exit 2); already reported.
    Usage,
    /// The model has errors (exit 1); diagnostics already printed.
    Model,
}

impl LoadFailure {
    /// The exit status for this failure.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            LoadFailure::Usage => ExitCode::from(EXIT_USAGE),
            LoadFailure::Model => ExitCode::from(EXIT_MODEL),
        }
    }
}

/// Reads every input file: I/O problems are usage errors; bytes that are
/// not UTF-8 are model errors pointing at the first bad byte.
fn read_inputs(
    inputs: &Inputs,
) -> Result<Result<Vec<(String, String)>, (SourceMap, Vec<Diagnostic>)>, LoadFailure> {
    let files = expand_paths(&inputs.paths).map_err(|e| {
        let _ = usage_error(e);
        LoadFailure::Usage
    })?;
    let mut texts = Vec::with_capacity(files.len());
    let mut bad = SourceMap::new();
    let mut bad_diags = Vec::new();
    for f in files {
        let bytes = std::fs::read(&f).map_err(|e| {
            let _ = usage_error(format!("{}: {e}", f.display()));
            LoadFailure::Usage
        })?;
        let name = f.display().to_string();
        match String::from_utf8(bytes) {
            Ok(t) => texts.push((name, t)),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let id = bad.add(name, lossy);
                bad_diags.push(
                    Diagnostic::error(
                        crate::smithy::lexer::E_NOT_UTF8,
                        Span::new(id, at, at + 1),
                        "file is not valid UTF-8",
                    )
                    .with_label("invalid byte sequence here")
                    .with_note("Smithy model files must be UTF-8 encoded"),
                );
            }
        }
    }
    if bad_diags.is_empty() {
        Ok(Ok(texts))
    } else {
        Ok(Err((bad, bad_diags)))
    }
}

/// Loads the model named by `inputs` and prints its diagnostics as `format`.
/// Returns the load result when it has no errors.
pub fn load(inputs: &Inputs, format: Format) -> Result<LoadResult, LoadFailure> {
    let color = inputs.color.enabled();
    let texts = match read_inputs(inputs)? {
        Ok(t) => t,
        Err((sources, diags)) => {
            emit(&sources, &diags, format, color);
            return Err(LoadFailure::Model);
        }
    };
    let mut texts = texts;
    crate::bundled::add_missing(&mut texts);
    let result = smithy::load_sources(texts);
    emit(&result.sources, &result.diagnostics, format, color);
    if result.has_errors() {
        return Err(LoadFailure::Model);
    }
    Ok(result)
}

/// Prints diagnostics: human text with a summary line to stderr, or the
/// JSON array to stdout (always printed in JSON mode, even when empty, so
/// tools can parse the output unconditionally).
fn emit(sources: &SourceMap, diags: &[Diagnostic], format: Format, color: bool) {
    match format {
        Format::Json => {
            let v = render_json(sources, diags);
            let text = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "[]".into());
            println!("{text}");
        }
        Format::Human => {
            if diags.is_empty() {
                return;
            }
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(render_human(sources, diags, color).as_bytes());
            let errors = diags
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            let warnings = diags
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .count();
            let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
            let _ = if errors > 0 {
                writeln!(
                    err,
                    "error: model is invalid: {}, {}",
                    plural(errors, "error"),
                    plural(warnings, "warning")
                )
            } else {
                writeln!(err, "warning: {} emitted", plural(warnings, "warning"))
            };
        }
    }
}

fn validate(a: &ValidateArgs) -> ExitCode {
    match load(&a.inputs, a.format) {
        Ok(r) => {
            if a.format == Format::Human {
                let shapes = r.model.user_shapes().count();
                let namespaces = r.model.namespaces().len();
                eprintln!(
                    "ok: {shapes} shape{} in {namespaces} namespace{}",
                    if shapes == 1 { "" } else { "s" },
                    if namespaces == 1 { "" } else { "s" }
                );
            }
            ExitCode::SUCCESS
        }
        Err(f) => f.exit_code(),
    }
}

fn json(a: &JsonArgs) -> ExitCode {
    let r = match load(&a.inputs, Format::Human) {
        Ok(r) => r,
        Err(f) => return f.exit_code(),
    };
    let text = json_ast::write_string(&r.model);
    match &a.out {
        Some(path) => {
            if let Err(e) = crate::rust::write_atomic(path, text.as_bytes()) {
                return usage_error(format!("{}: {e}", path.display()));
            }
        }
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`weld json x | head`) is not worth a panic.
            let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
        }
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn directories_expand_sorted_and_filtered() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("sub")).unwrap();
        for f in ["b.smithy", "a.json", "notes.txt", "sub/c.smithy"] {
            std::fs::write(d.path().join(f), "").unwrap();
        }
        let got = expand_paths(&[d.path().to_path_buf()]).unwrap();
        let names: Vec<_> = got
            .iter()
            .map(|p| {
                p.strip_prefix(d.path())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["a.json", "b.smithy", "sub/c.smithy"]);
        assert!(expand_paths(&[d.path().join("missing")]).is_err());
        let empty = tempfile::tempdir().unwrap();
        assert!(expand_paths(&[empty.path().to_path_buf()]).is_err());
    }
}
