//! `codegen.toml`: which models to load and what to generate from them.
//!
//! The format is wasmCloud's (so existing files keep working):
//!
//! ```toml
//! [[models]]
//! path = "interfaces/keyvalue"       # directory (relative to this file)
//! files = ["keyvalue.smithy"]        # optional: only these files in it
//!
//! [rust]
//! output_dir = "generated"           # relative to this file
//! templates = "my-templates"          # optional template overrides
//!
//! [[rust.files]]                     # one Rust source file per namespace
//! path = "src/keyvalue.rs"
//! namespace = "org.wasmcloud.interface.keyvalue"
//! ```
//!
//! weld adds `[[rust.crates]]`, a complete crate per namespace
//! (`Cargo.toml`, `README.md`, `src/lib.rs`):
//!
//! ```toml
//! [[rust.crates]]
//! path = "keyvalue"                  # directory under output_dir
//! namespace = "org.wasmcloud.interface.keyvalue"
//! package = "weld-interface-keyvalue" # optional; default from `metadata package`
//! version = "0.1.0"                   # optional
//! extra_source = "x.rs"               # optional hand-written Rust, appended
//! ```
//!
//! and `[rust] runtime_path`, the directory of the `weld-rpc` crate relative
//! to this file; when set, generated crates depend on it by version AND path.
//! Model `url` entries (downloads) are refused: weld never uses the network.

use crate::rust::{
    self, CrateSpec, Dependency, GenError, KnownCrate, OutputSet, RustOptions, Templates,
};
use crate::smithy::{diagnostics::Diagnostic, source::SourceMap};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The parsed `codegen.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct CodegenConfig {
    /// Model sources.
    #[serde(default)]
    pub models: Vec<ModelSource>,
    /// Rust output.
    #[serde(default)]
    pub rust: Option<RustConfig>,
    /// HTML output (read by the docs generator; kept here so the file parses).
    #[serde(default)]
    pub html: Option<toml::Value>,
    /// Where the file was read from (paths are relative to its directory).
    #[serde(skip)]
    pub base_dir: PathBuf,
}

/// One `[[models]]` entry.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ModelSource {
    /// A file or directory, relative to the config file.
    pub path: Option<String>,
    /// Upstream allows downloading models; weld refuses (no network).
    pub url: Option<String>,
    /// Files inside `path`; all `.smithy`/`.json` files when empty.
    #[serde(default)]
    pub files: Vec<String>,
}

/// The `[rust]` table.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RustConfig {
    /// Output directory (relative to the config file).
    pub output_dir: Option<String>,
    /// Template override directory.
    pub templates: Option<String>,
    /// Directory of the weld-rpc crate, for path dependencies.
    pub runtime_path: Option<String>,
    /// Version requirement of weld-rpc (default "0.1").
    pub runtime_version: Option<String>,
    /// `repository` URL written into generated `Cargo.toml` files.
    pub repository: Option<String>,
    /// Free-form parameters (upstream compatibility; unused).
    #[serde(default)]
    pub parameters: Option<toml::Value>,
    /// Single-file outputs.
    #[serde(default)]
    pub files: Vec<RustFile>,
    /// Complete crates.
    #[serde(default)]
    pub crates: Vec<RustCrate>,
}

/// A `[[rust.files]]` entry.
#[derive(Clone, Debug, Deserialize)]
pub struct RustFile {
    /// Output path under `output_dir`.
    pub path: String,
    /// The namespace to generate.
    pub namespace: String,
}

/// A `[[rust.crates]]` entry.
#[derive(Clone, Debug, Deserialize)]
pub struct RustCrate {
    /// Crate directory under `output_dir`.
    pub path: String,
    /// The namespace to generate.
    pub namespace: String,
    /// Cargo package name.
    pub package: Option<String>,
    /// Package version.
    pub version: Option<String>,
    /// A hand-written Rust file (relative to the config) appended to the
    /// generated `src/lib.rs`: helpers and impls the model cannot express.
    pub extra_source: Option<String>,
}

/// Why a configured generation failed.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The config file is not valid TOML or has the wrong shape.
    #[error("{path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The TOML error (with line and column).
        #[source]
        source: Box<toml::de::Error>,
    },
    /// A semantic problem in the config.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The models have errors (rendered by the caller from `diagnostics`).
    #[error("the model has {} error(s)", .diagnostics.iter().filter(|d| d.is_error()).count())]
    Model {
        /// Every diagnostic found.
        diagnostics: Vec<Diagnostic>,
        /// The sources, for rendering.
        sources: Box<SourceMap>,
    },
    /// Generation failed.
    #[error("{context}: {source}")]
    Gen {
        /// Which output.
        context: String,
        /// The generator error.
        #[source]
        source: GenError,
    },
    /// Output could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl CodegenConfig {
    /// Reads and checks `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut cfg: CodegenConfig =
            toml::from_str(&text).map_err(|source| ConfigError::Parse {
                path: path.to_path_buf(),
                source: Box::new(source),
            })?;
        cfg.base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        if cfg.base_dir.as_os_str().is_empty() {
            cfg.base_dir = PathBuf::from(".");
        }
        for m in &cfg.models {
            if m.url.is_some() && m.path.is_none() {
                return Err(ConfigError::Invalid {
                    path: path.to_path_buf(),
                    message: format!(
                        "[[models]] url = {:?}: weld does not download models; check the files in and use `path`",
                        m.url.as_deref().unwrap_or_default()
                    ),
                });
            }
        }
        Ok(cfg)
    }

    /// The model input paths, resolved against the config's directory.
    pub fn model_paths(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for m in &self.models {
            let Some(p) = &m.path else { continue };
            let dir = self.base_dir.join(p);
            if m.files.is_empty() {
                out.push(dir);
            } else {
                out.extend(m.files.iter().map(|f| dir.join(f)));
            }
        }
        out
    }

    /// Renders every configured Rust output. Paths in the returned set are
    /// relative to the config's directory.
    pub fn generate(
        &self,
        model: &crate::model::Model,
        templates_override: Option<&Path>,
    ) -> Result<OutputSet, ConfigError> {
        let mut out = OutputSet::new();
        let Some(rc) = &self.rust else { return Ok(out) };
        let templates = match templates_override
            .map(Path::to_path_buf)
            .or_else(|| rc.templates.as_ref().map(|t| self.base_dir.join(t)))
        {
            Some(dir) => Templates::with_overrides(&dir).map_err(|source| ConfigError::Gen {
                context: "templates".into(),
                source,
            })?,
            None => Templates::builtin(),
        };
        let out_dir = PathBuf::from(rc.output_dir.as_deref().unwrap_or("."));
        let opts = RustOptions::default();
        for f in &rc.files {
            let text =
                rust::render_module(model, &f.namespace, &templates, &opts).map_err(|source| {
                    ConfigError::Gen {
                        context: f.namespace.clone(),
                        source,
                    }
                })?;
            out.insert(out_dir.join(&f.path), text);
        }
        let runtime_version = rc.runtime_version.clone().unwrap_or_else(|| "0.1".into());
        for c in &rc.crates {
            let crate_dir = normalize(&out_dir.join(&c.path));
            let mut spec = CrateSpec::new(&c.namespace);
            spec.package = c.package.clone();
            spec.repository = rc.repository.clone();
            if let Some(v) = &c.version {
                spec.version = v.clone();
            }
            if let Some(x) = &c.extra_source {
                let path = self.base_dir.join(x);
                let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
                spec.extra = Some((x.clone(), text));
            }
            spec.runtime = Dependency {
                package: "weld-rpc".into(),
                version: runtime_version.clone(),
                path: rc
                    .runtime_path
                    .as_ref()
                    .map(|p| rust::relative_path(&crate_dir, &normalize(Path::new(p)))),
                generated: false,
            };
            spec.siblings = rc
                .crates
                .iter()
                .filter(|o| o.namespace != c.namespace)
                .map(|o| KnownCrate {
                    namespace: o.namespace.clone(),
                    dependency: Dependency {
                        package: o
                            .package
                            .clone()
                            .unwrap_or_else(|| rust::default_package(model, &o.namespace)),
                        version: o.version.clone().unwrap_or_else(|| "0.1.0".into()),
                        path: Some(rust::relative_path(
                            &crate_dir,
                            &normalize(&out_dir.join(&o.path)),
                        )),
                        generated: true,
                    },
                })
                .collect();
            let set = rust::render_crate(model, &spec, &templates, &opts).map_err(|source| {
                ConfigError::Gen {
                    context: c.namespace.clone(),
                    source,
                }
            })?;
            out.extend_under(&crate_dir, set);
        }
        Ok(out)
    }
}

/// Drops `.` components so relative paths compare cleanly.
fn normalize(p: &Path) -> PathBuf {
    p.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

/// Loads the models a config names and fails on model errors.
pub fn load_model(cfg: &CodegenConfig) -> Result<crate::model::Model, ConfigError> {
    // Like every CLI load, a config's models get the bundled wasmCloud core
    // model when they use it without shipping it.
    let res = crate::bundled::load_paths(&cfg.model_paths());
    if res.has_errors() {
        return Err(ConfigError::Model {
            diagnostics: res.diagnostics,
            sources: Box::new(res.sources),
        });
    }
    Ok(res.model)
}

/// The output of a configured run.
#[derive(Debug)]
pub struct Generated {
    /// Everything generated, paths relative to the config's directory.
    pub output: OutputSet,
    /// The directory paths are relative to.
    pub base_dir: PathBuf,
}

/// Generates everything `codegen.toml` at `path` asks for, without writing.
pub fn generate_config(path: &Path, templates: Option<&Path>) -> Result<Generated, ConfigError> {
    let cfg = CodegenConfig::load(path)?;
    let model = load_model(&cfg)?;
    let output = cfg.generate(&model, templates)?;
    Ok(Generated {
        output,
        base_dir: cfg.base_dir,
    })
}

/// For `build.rs`: generates what `codegen.toml` at `path` asks for and writes
/// the files whose contents changed. Returns the paths written.
///
/// ```no_run
/// // in build.rs
/// println!("cargo:rerun-if-changed=codegen.toml");
/// weld_codegen::generate_from_config("codegen.toml").expect("weld gen");
/// ```
pub fn generate_from_config(path: impl AsRef<Path>) -> Result<Vec<PathBuf>, ConfigError> {
    let g = generate_config(path.as_ref(), None)?;
    g.output
        .write_changed(&g.base_dir)
        .map_err(|source| ConfigError::Write {
            path: g.base_dir.clone(),
            source,
        })
}

/// The build-script entry point under wasmCloud's name: like
/// [`generate_from_config`], and it also tells cargo to rerun the build
/// script when the config or any model file changes.
///
/// ```no_run
/// // build.rs
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     weld_codegen::rust_build("codegen.toml")?;
///     Ok(())
/// }
/// ```
pub fn rust_build(path: impl AsRef<Path>) -> Result<(), ConfigError> {
    let path = path.as_ref();
    let cfg = CodegenConfig::load(path)?;
    println!("cargo:rerun-if-changed={}", path.display());
    for p in cfg.model_paths() {
        println!("cargo:rerun-if-changed={}", p.display());
    }
    generate_from_config(path).map(drop)
}
