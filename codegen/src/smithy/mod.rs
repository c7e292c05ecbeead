//! Smithy IDL front end: source files, diagnostics, lexer, parser, assembler,
//! prelude, validator and the JSON AST reader/writer.
//!
//! Everything but the loading functions here works on text in memory.
//! [`load_paths`] / [`read_paths`] are the front end's only file access:
//! they read the input files and directories (following symbolic links,
//! each directory once) and hand the text to [`load_sources`].

pub mod assemble;
pub mod ast;
pub mod codes;
pub mod diagnostics;
pub mod fragment;
pub mod json_ast;
pub mod lexer;
pub mod parser;
pub mod prelude;
pub mod render;
pub mod resolve;
pub mod source;
pub mod validate;

// ---------------------------------------------------------------------------
// Loading: files -> parse -> resolve -> assemble -> validate
// ---------------------------------------------------------------------------

/// What loading a set of files produced: the assembled model (prelude
/// included), every source file (the prelude is file 0) and every diagnostic.
#[derive(Debug, Clone)]
pub struct LoadResult {
    /// The assembled model; check [`LoadResult::has_errors`] before using it.
    pub model: crate::model::Model,
    /// All source files, for rendering diagnostics.
    pub sources: source::SourceMap,
    /// Everything found, in discovery order.
    pub diagnostics: Vec<diagnostics::Diagnostic>,
}

impl LoadResult {
    /// True if any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.is_error())
    }
}

/// Could not read an input path.
pub const E_IO: &str = "E0900";

fn io_diagnostic(message: String) -> diagnostics::Diagnostic {
    diagnostics::Diagnostic {
        severity: diagnostics::Severity::Error,
        code: E_IO,
        message,
        span: None,
        label: None,
        labels: Vec::new(),
        notes: Vec::new(),
    }
}

/// Code of the warning for a directory reached again through a symbolic
/// link (a loop, or the same directory linked twice); it is not read again.
pub const W_DIR_CYCLE: &str = "W0901";

/// Collects `*.smithy` / `*.json` under `dir`. Symbolic links are followed,
/// but each directory is read once: `seen` holds the canonical path of every
/// directory read so far, so a link back to an ancestor (a loop, which would
/// otherwise recurse until the stack overflows) or a second link to the
/// same directory gives a warning and is skipped.
fn collect_dir(
    dir: &std::path::Path,
    out: &mut Vec<std::path::PathBuf>,
    diags: &mut Vec<diagnostics::Diagnostic>,
    seen: &mut std::collections::HashSet<std::path::PathBuf>,
) {
    // A directory that cannot be canonicalized is read as named; read_dir
    // reports the real problem below.
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    if !seen.insert(canonical.clone()) {
        diags.push(diagnostics::Diagnostic {
            severity: diagnostics::Severity::Warning,
            code: W_DIR_CYCLE,
            message: format!(
                "`{}` is `{}` again (through a symbolic link); not read twice",
                dir.display(),
                canonical.display()
            ),
            span: None,
            label: None,
            labels: Vec::new(),
            notes: Vec::new(),
        });
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            diags.push(io_diagnostic(format!(
                "cannot read directory `{}`: {e}",
                dir.display()
            )));
            return;
        }
    };
    let mut paths: Vec<std::path::PathBuf> =
        entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect_dir(&p, out, diags, seen);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("smithy" | "json")
        ) {
            out.push(p);
        }
    }
}

/// Loads files and directories (recursing, sorted, `*.smithy` and `*.json`).
/// IO errors become diagnostics with code `E0900` and no span.
pub fn load_paths(paths: &[std::path::PathBuf]) -> LoadResult {
    let (sources, mut diags) = read_paths(paths);
    let mut res = load_sources(sources);
    diags.append(&mut res.diagnostics);
    res.diagnostics = diags;
    res
}

/// Reads the files [`load_paths`] would load, as `(name, text)` pairs, with
/// diagnostics for what could not be read (code `E0900`, or
/// [`lexer::E_NOT_UTF8`]). Callers that add sources of their own (such as
/// [`crate::bundled`]) read with this and then call [`load_sources`].
pub fn read_paths(
    paths: &[std::path::PathBuf],
) -> (Vec<(String, String)>, Vec<diagnostics::Diagnostic>) {
    let mut diags = Vec::new();
    let mut files = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        if p.is_dir() {
            collect_dir(p, &mut files, &mut diags, &mut seen);
        } else {
            files.push(p.clone());
        }
    }
    let mut sources = Vec::with_capacity(files.len());
    for f in files {
        match std::fs::read(&f) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => sources.push((f.display().to_string(), text)),
                Err(_) => {
                    let mut d = io_diagnostic(format!("`{}` is not valid UTF-8", f.display()));
                    d.code = lexer::E_NOT_UTF8;
                    diags.push(d);
                }
            },
            Err(e) => diags.push(io_diagnostic(format!("cannot read `{}`: {e}", f.display()))),
        }
    }
    (sources, diags)
}

/// Loads in-memory sources `(name, text)`; names ending in `.json` are read
/// as Smithy JSON AST, everything else as IDL. The prelude is added first.
pub fn load_sources(files: Vec<(String, String)>) -> LoadResult {
    let mut sources = source::SourceMap::new();
    let prelude_file = sources.add(prelude::NAME, prelude::TEXT);
    debug_assert_eq!(prelude_file, source::FileId(0));
    let ids: Vec<source::FileId> = files.into_iter().map(|(n, t)| sources.add(n, t)).collect();

    enum Input<'a> {
        Idl(ast::File<'a>),
        Json(fragment::Fragment),
    }
    // The prelude comes resolved (see `prelude`): only its names go into
    // the scope, ahead of the inputs'.
    let prelude = prelude::fragment();
    let mut scope = resolve::Scope::new();
    scope.add_fragment(&prelude);
    let mut diags = Vec::new();
    let mut inputs = Vec::with_capacity(ids.len());
    for id in ids {
        let f = sources.get(id);
        if f.name.ends_with(".json") {
            if let Some(frag) = json_ast::read(id, &f.text, &mut diags) {
                scope.add_fragment(&frag);
                inputs.push(Input::Json(frag));
            }
        } else {
            let ast = parser::parse(id, &f.text, &mut diags);
            scope.add_file(&ast);
            inputs.push(Input::Idl(ast));
        }
    }
    let mut parts = Vec::with_capacity(inputs.len() + 1);
    parts.push(resolve::Resolved {
        fragment: prelude,
        elisions: Vec::new(),
    });
    for input in inputs {
        parts.push(match input {
            Input::Idl(ast) => resolve::resolve(&ast, &scope, &mut diags),
            Input::Json(fragment) => resolve::Resolved {
                fragment,
                elisions: Vec::new(),
            },
        });
    }
    let model = assemble::assemble(parts, &mut diags);
    // Semantic checks run on the assembled model; a model with syntax
    // errors is still validated so one run reports as much as possible.
    diags.extend(validate::validate(&model, &sources));
    LoadResult {
        model,
        sources,
        diagnostics: diags,
    }
}
