//! The Rust generator: model -> [`view`] -> handlebars templates ->
//! `syn::parse_file` -> `prettyplease` -> [`OutputSet`].
//!
//! Every generated item is rendered by the template of its shape kind
//! (`templates/rust/*.hbs`, embedded as defaults and overridable with
//! `--templates DIR`). The rendered text must parse as Rust: if it does not,
//! that is a generator (or template) bug and is reported with the name of
//! the template that produced the broken text.
//!
//! File access: rendering is in memory; the generator reads files only for
//! `--templates DIR` ([`Templates::with_overrides`]), and writes nothing
//! itself ([`OutputSet::write_changed`] does, atomically).

pub mod names;
pub mod output;
mod prebuilt;
pub mod view;

pub use output::{unified_diff, write_atomic, FileStatus, OutputSet};
use view::{
    AliasView, CrateView, EnumView, IntEnumView, ItemView, ServiceView, StructView, UnionView,
    ViewOptions,
};

use crate::model::Model;
use handlebars::Handlebars;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// Nothing to generate.
    #[error("namespace `{0}` has no shapes in the model")]
    EmptyNamespace(String),
    /// A reference to a shape the model does not have (the validator
    /// normally reports these first).
    #[error("unknown shape `{0}`")]
    UnknownShape(String),
    /// A shape of another namespace is used, but no crate is known for it.
    #[error("`{shape}` is in namespace `{namespace}`, which has no Rust crate: add a `metadata package` entry with `namespace` and `crate` for it")]
    NoCrateForNamespace {
        /// The namespace without a crate.
        namespace: String,
        /// The shape referenced.
        shape: String,
    },
    /// The model uses something the Rust generator does not support.
    #[error("{shape}: not supported by the Rust generator: {what}")]
    Unsupported {
        /// The shape or member.
        shape: String,
        /// What and why.
        what: String,
    },
    /// A template failed to render.
    #[error("template `{name}` failed to render: {source}")]
    Render {
        /// Template name.
        name: String,
        /// The handlebars error.
        #[source]
        source: Box<handlebars::RenderError>,
    },
    /// A template file has a syntax error.
    #[error("template `{name}` is invalid: {source}")]
    TemplateSyntax {
        /// Template name.
        name: String,
        /// The handlebars error.
        #[source]
        source: Box<handlebars::TemplateError>,
    },
    /// A template directory could not be read.
    #[error("cannot read templates from {path}: {source}")]
    TemplateDir {
        /// The directory or file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Rendered text is not valid Rust: a bug in the named template.
    #[error(
        "bug: template `{template}` produced invalid Rust: {message} at {line}:{column}\n{snippet}"
    )]
    RustSyntax {
        /// The template whose output does not parse.
        template: String,
        /// The parser's message.
        message: String,
        /// 1-based line in the template output.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The offending lines.
        snippet: String,
    },
}

/// The embedded default templates: (name, text). A `--templates DIR` may
/// replace any of them with `DIR/<name>.hbs`.
pub const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    ("file.rs", include_str!("../../templates/rust/file.rs.hbs")),
    (
        "alias.rs",
        include_str!("../../templates/rust/alias.rs.hbs"),
    ),
    (
        "struct.rs",
        include_str!("../../templates/rust/struct.rs.hbs"),
    ),
    (
        "struct_encode.rs",
        include_str!("../../templates/rust/struct_encode.rs.hbs"),
    ),
    (
        "union.rs",
        include_str!("../../templates/rust/union.rs.hbs"),
    ),
    ("enum.rs", include_str!("../../templates/rust/enum.rs.hbs")),
    (
        "int_enum.rs",
        include_str!("../../templates/rust/int_enum.rs.hbs"),
    ),
    (
        "service.rs",
        include_str!("../../templates/rust/service.rs.hbs"),
    ),
    (
        "service_receiver.rs",
        include_str!("../../templates/rust/service_receiver.rs.hbs"),
    ),
    (
        "service_sender.rs",
        include_str!("../../templates/rust/service_sender.rs.hbs"),
    ),
    (
        "Cargo.toml",
        include_str!("../../templates/rust/Cargo.toml.hbs"),
    ),
    (
        "README.md",
        include_str!("../../templates/rust/README.md.hbs"),
    ),
    (
        "roundtrip.rs",
        include_str!("../../templates/rust/roundtrip.rs.hbs"),
    ),
];

/// A set of templates: the embedded defaults plus any overrides. Each is
/// registered on first use: built-in ones come precompiled (see
/// [`prebuilt`]), overrides are compiled by handlebars.
pub struct Templates {
    sources: std::collections::HashMap<String, String>,
    /// Per template: set once it has been compiled (true) or found broken
    /// (false). A thread that needs a template another is compiling waits
    /// for it instead of compiling it again.
    compiled: std::collections::HashMap<String, std::sync::OnceLock<bool>>,
    /// Per template: set once it and every partial it uses are registered,
    /// so later renders skip the partial scan.
    ready: std::collections::HashMap<String, std::sync::OnceLock<()>>,
    /// Read-locked while rendering: two threads render at once.
    hb: std::sync::RwLock<Handlebars<'static>>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("names", &self.sources.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Templates {
    /// The embedded defaults.
    pub fn builtin() -> Self {
        let mut hb = Handlebars::new();
        // Output is Rust/TOML/Markdown, never HTML.
        hb.register_escape_fn(handlebars::no_escape);
        Templates {
            sources: DEFAULT_TEMPLATES
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
            compiled: DEFAULT_TEMPLATES
                .iter()
                .map(|(n, _)| (n.to_string(), std::sync::OnceLock::new()))
                .collect(),
            ready: DEFAULT_TEMPLATES
                .iter()
                .map(|(n, _)| (n.to_string(), std::sync::OnceLock::new()))
                .collect(),
            hb: std::sync::RwLock::new(hb),
        }
    }

    /// The defaults, with every `DIR/<name>.hbs` replacing the template of
    /// that name (other `.hbs` files become partials usable as `{{> name}}`).
    /// Override files are compiled now, so their syntax errors surface here.
    pub fn with_overrides(dir: &Path) -> Result<Self, GenError> {
        let mut t = Self::builtin();
        let entries = std::fs::read_dir(dir).map_err(|source| GenError::TemplateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "hbs"))
            .collect();
        paths.sort();
        for path in paths {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            let text = std::fs::read_to_string(&path).map_err(|source| GenError::TemplateDir {
                path: path.clone(),
                source,
            })?;
            t.compile(&name, &text)?;
            t.compiled
                .insert(name.clone(), std::sync::OnceLock::from(true));
            // A new override may use partials: scan it on first use.
            t.ready.insert(name.clone(), std::sync::OnceLock::new());
            t.sources.insert(name, text);
        }
        Ok(t)
    }

    fn compile(&self, name: &str, text: &str) -> Result<(), GenError> {
        let err = |source| GenError::TemplateSyntax {
            name: name.to_string(),
            source: Box::new(source),
        };
        let builtin = DEFAULT_TEMPLATES
            .iter()
            .any(|(n, t)| *n == name && *t == text);
        if let Some(template) = builtin.then(|| prebuilt::prebuilt(name)).flatten() {
            let mut hb = self.hb.write().unwrap_or_else(|e| e.into_inner());
            hb.register_template(name, template);
        } else {
            let mut hb = self.hb.write().unwrap_or_else(|e| e.into_inner());
            hb.register_template_string(name, text).map_err(err)?;
        }
        Ok(())
    }

    /// Registers every template now, so a caller can do it on another
    /// thread while the model loads (built-in ones are cheap to build, but
    /// a crate needs a dozen). Errors are left for the render that needs
    /// the template to report.
    pub fn prepare(&self) {
        for name in self.sources.keys() {
            let _ = self.ensure(name);
        }
    }

    /// True if `name` is the built-in template, not an override.
    fn is_builtin(&self, name: &str) -> bool {
        DEFAULT_TEMPLATES
            .iter()
            .any(|(n, t)| *n == name && self.sources.get(name).is_some_and(|s| s == t))
    }

    /// Compiles `name` and the partials it uses, if not done yet.
    fn ensure(&self, name: &str) -> Result<(), GenError> {
        let ready = self.ready.get(name);
        if ready.is_some_and(|r| r.get().is_some()) {
            return Ok(());
        }
        let mut todo = vec![name.to_string()];
        let mut seen = std::collections::HashSet::new();
        while let Some(n) = todo.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            let (Some(text), Some(cell)) = (self.sources.get(&n), self.compiled.get(&n)) else {
                // Unknown names fail at render time with handlebars' message.
                continue;
            };
            if !*cell.get_or_init(|| self.compile(&n, text).is_ok()) {
                // Compile again for the error (only on this failure path).
                self.compile(&n, text)?;
            }
            let mut rest = text.as_str();
            while let Some(i) = rest.find("{{>") {
                rest = &rest[i + 3..];
                let partial: String = rest
                    .trim_start()
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '}')
                    .collect();
                todo.push(partial);
            }
        }
        if let Some(r) = ready {
            let _ = r.set(());
        }
        Ok(())
    }

    fn render<T: Serialize>(&self, name: &str, data: &T) -> Result<String, GenError> {
        let ctx = handlebars::Context::wraps(data).map_err(|source| GenError::Render {
            name: name.to_string(),
            source: Box::new(source),
        })?;
        self.render_context(name, &ctx)
    }

    /// Renders with data already converted to JSON (several templates
    /// render the same item; converting once is cheaper).
    fn render_context(&self, name: &str, ctx: &handlebars::Context) -> Result<String, GenError> {
        self.ensure(name)?;
        let hb = self.hb.read().unwrap_or_else(|e| e.into_inner());
        hb.render_with_context(name, ctx)
            .map_err(|source| GenError::Render {
                name: name.to_string(),
                source: Box::new(source),
            })
    }
}

impl Default for Templates {
    fn default() -> Self {
        Self::builtin()
    }
}

/// One method per kind of generated item, wit-bindgen style; [`dispatch`]
/// picks the method for an item. Implementations decide what to emit.
pub trait Generator {
    /// A simple shape that is not an enum (`pub type X = u32;`).
    fn simple(&mut self, alias: &AliasView) -> Result<(), GenError>;
    /// A list shape.
    fn list(&mut self, alias: &AliasView) -> Result<(), GenError>;
    /// A set shape (IDL 1.0), a `Vec` on the wire.
    fn set(&mut self, alias: &AliasView) -> Result<(), GenError>;
    /// A map shape.
    fn map(&mut self, alias: &AliasView) -> Result<(), GenError>;
    /// A structure.
    fn structure(&mut self, s: &StructView) -> Result<(), GenError>;
    /// A union.
    fn union(&mut self, u: &UnionView) -> Result<(), GenError>;
    /// A string enum.
    fn enumeration(&mut self, e: &EnumView) -> Result<(), GenError>;
    /// An intEnum.
    fn int_enum(&mut self, e: &IntEnumView) -> Result<(), GenError>;
    /// A `@wasmbus` service with its operations.
    fn service(&mut self, s: &ServiceView) -> Result<(), GenError>;
}

/// Calls the [`Generator`] method for `item`'s kind.
pub fn dispatch<G: Generator + ?Sized>(g: &mut G, item: &ItemView) -> Result<(), GenError> {
    match item {
        ItemView::Alias(a) => match a.alias_kind {
            "list" => g.list(a),
            "set" => g.set(a),
            "map" => g.map(a),
            _ => g.simple(a),
        },
        ItemView::Struct(s) => g.structure(s),
        ItemView::Union(u) => g.union(u),
        ItemView::Enum(e) => g.enumeration(e),
        ItemView::IntEnum(e) => g.int_enum(e),
    }
}

/// The template-driven generator: renders each item with its template and
/// keeps the fragments (with the template name, for error reports).
struct TemplateGenerator<'t> {
    templates: &'t Templates,
    runtime: String,
    fragments: Vec<(&'static str, String)>,
}

impl TemplateGenerator<'_> {
    fn emit<T: Serialize>(&mut self, template: &'static str, item: &T) -> Result<(), GenError> {
        self.emit_all(&[template], item)
    }

    /// Renders `item` with each template in turn (one fragment each).
    fn emit_all<T: Serialize>(
        &mut self,
        templates: &[&'static str],
        item: &T,
    ) -> Result<(), GenError> {
        let mut data = serde_json::to_value(item).unwrap_or_default();
        if let Some(obj) = data.as_object_mut() {
            obj.insert(
                "runtime".into(),
                serde_json::Value::String(self.runtime.clone()),
            );
        }
        let ctx = handlebars::Context::from(data);
        for template in templates {
            let text = self.templates.render_context(template, &ctx)?;
            self.fragments.push((template, text));
        }
        Ok(())
    }
}

impl Generator for TemplateGenerator<'_> {
    fn simple(&mut self, alias: &AliasView) -> Result<(), GenError> {
        self.emit("alias.rs", alias)
    }
    fn list(&mut self, alias: &AliasView) -> Result<(), GenError> {
        self.emit("alias.rs", alias)
    }
    fn set(&mut self, alias: &AliasView) -> Result<(), GenError> {
        self.emit("alias.rs", alias)
    }
    fn map(&mut self, alias: &AliasView) -> Result<(), GenError> {
        self.emit("alias.rs", alias)
    }
    fn structure(&mut self, s: &StructView) -> Result<(), GenError> {
        self.emit_all(&["struct.rs", "struct_encode.rs"], s)
    }
    fn union(&mut self, u: &UnionView) -> Result<(), GenError> {
        self.emit("union.rs", u)
    }
    fn enumeration(&mut self, e: &EnumView) -> Result<(), GenError> {
        self.emit("enum.rs", e)
    }
    fn int_enum(&mut self, e: &IntEnumView) -> Result<(), GenError> {
        self.emit("int_enum.rs", e)
    }
    fn service(&mut self, s: &ServiceView) -> Result<(), GenError> {
        self.emit_all(&SERVICE_TEMPLATES, s)
    }
}

/// The templates of a service, in output order: the trait (real code, the
/// API users read and implement), then one invocation each of the runtime
/// macros that write its receiver and its sender. Those halves are macros
/// rather than generated items because a macro body is only tokenized when
/// the output is formatted, about ten times cheaper per byte than parsing
/// the items (they were most of the parsing of a crate).
const SERVICE_TEMPLATES: [&str; 3] = ["service.rs", "service_receiver.rs", "service_sender.rs"];

/// Options of the Rust generator.
#[derive(Clone, Debug, Default)]
pub struct RustOptions {
    /// How generated code names the runtime and other namespaces.
    pub view: ViewOptions,
}

/// Renders the Rust module for `namespace`: formatted source text.
pub fn render_module(
    model: &Model,
    namespace: &str,
    templates: &Templates,
    opts: &RustOptions,
) -> Result<String, GenError> {
    let view = view::build(model, namespace, &opts.view)?;
    render_view(&view, templates)
}

/// Renders an already built view.
pub fn render_view(view: &CrateView, templates: &Templates) -> Result<String, GenError> {
    render_view_with(view, templates, None, &|| {})
}

/// Renders a view, with hand-written Rust `extra` (name for error reports,
/// text) appended before formatting, so the file is parsed once.
///
/// Items and services are rendered, parsed and printed on two threads,
/// each taking the next job in turn (services, the largest, split by
/// template and taken first); the printed fragments are joined in output
/// order. prettyplease prints a file item by item, each from a fresh line,
/// so that is the text the whole file gives (syn's values are bound to the
/// thread that made them, hence each thread prints what it parsed). When a
/// part does not parse on its own (a `file.rs` override that wraps the body
/// in a module, say), the whole file is parsed as before, which also finds
/// the template of a syntax error.
///
/// `side` is one more job for the two threads (the rest of a crate's
/// files), taken early; it reports through its own captures.
fn render_view_with(
    view: &CrateView,
    templates: &Templates,
    extra: Option<(&str, &str)>,
    side: &(dyn Fn() + Sync),
) -> Result<String, GenError> {
    enum Job<'v> {
        Item(&'v ItemView),
        Service(&'v ServiceView, &'static str),
        /// The built-in `file.rs` around a stand-in body (it inserts the
        /// body once, verbatim), so its head and tail are printed before
        /// the body is known.
        File,
        Side,
    }
    // (output position, job) in the order the jobs are taken.
    let mut jobs: Vec<(usize, Job)> = Vec::new();
    let file_early = templates.is_builtin("file.rs");
    if file_early {
        jobs.push((usize::MAX, Job::File));
    }
    jobs.push((usize::MAX, Job::Side));
    let first_service = view.items.len();
    for (i, s) in view.services.iter().enumerate() {
        for (j, t) in SERVICE_TEMPLATES.iter().enumerate() {
            jobs.push((
                (first_service + i) * SERVICE_TEMPLATES.len() + j,
                Job::Service(s, t),
            ));
        }
    }
    for (i, item) in view.items.iter().enumerate() {
        jobs.push((i * SERVICE_TEMPLATES.len(), Job::Item(item)));
    }
    type Fragment = (&'static str, String, Option<String>);
    type Done = (usize, Result<Vec<Fragment>, GenError>);
    #[derive(Serialize)]
    struct FileData<'a> {
        #[serde(flatten)]
        view: &'a CrateView,
        body: &'a str,
    }
    const STAND_IN: &str = "\u{0}weld: body\u{0}";
    // The early `file.rs`: (head, tail) as rendered, and as printed.
    type Early = ((String, String), Option<(String, String)>);
    let early: std::sync::OnceLock<Result<Option<Early>, GenError>> = std::sync::OnceLock::new();
    // The built-in `file.rs` reads only these fields: converting the whole
    // view to JSON for it would cost more than rendering it.
    #[derive(Serialize)]
    struct EarlyData<'a> {
        docs: &'a [String],
        namespace: &'a str,
        body: &'a str,
    }
    let render_early = || -> Result<Option<Early>, GenError> {
        let text = templates.render(
            "file.rs",
            &EarlyData {
                docs: &view.docs,
                namespace: &view.namespace,
                body: STAND_IN,
            },
        )?;
        let mut parts = text.split(STAND_IN);
        let (Some(head), Some(tail), None) = (parts.next(), parts.next(), parts.next()) else {
            return Ok(None);
        };
        let printed = print_items(head, true)
            .zip(print_items(tail, false))
            .map(|(h, t)| (space_items(&h), space_items(&t)));
        Ok(Some(((head.to_string(), tail.to_string()), printed)))
    };
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || -> Vec<Done> {
        let mut done = Vec::new();
        while let Some((at, job)) =
            jobs.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
        {
            let mut g = TemplateGenerator {
                templates,
                runtime: view.runtime.clone(),
                fragments: Vec::new(),
            };
            let rendered = match job {
                Job::Item(item) => dispatch(&mut g, item),
                Job::Service(s, t) => g.emit(t, s),
                Job::Side => {
                    side();
                    continue;
                }
                Job::File => {
                    let _ = early.set(render_early());
                    continue;
                }
            };
            let failed = rendered.is_err();
            done.push((
                *at,
                rendered.map(|()| {
                    g.fragments
                        .into_iter()
                        .map(|(name, text)| {
                            let printed = print_items(&text, false).map(|p| space_items(&p));
                            (name, text, printed)
                        })
                        .collect()
                }),
            ));
            if failed {
                break;
            }
        }
        done
    };
    let mut done = std::thread::scope(|s| {
        let other = s.spawn(work);
        let mut mine = work();
        match other.join() {
            Ok(theirs) => mine.extend(theirs),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        mine
    });
    // Each thread stops at its first error; the other renders every job
    // left, so the error first in output order is among the results, as a
    // single thread would meet it.
    done.sort_by_key(|(at, _)| *at);
    let mut fragments: Vec<(&str, String)> = Vec::new();
    let mut printed: Vec<Option<String>> = Vec::new();
    for (_, unit) in done {
        for (name, text, p) in unit? {
            fragments.push((name, text));
            printed.push(p);
        }
    }
    let mut body = String::with_capacity(fragments.iter().map(|(_, t)| t.len() + 1).sum());
    for (_, text) in &fragments {
        body.push_str(text);
        body.push('\n');
    }
    let extra_printed = match extra {
        Some((_, e)) => print_items(e, false).map(|p| space_items(&p)),
        None => Some(String::new()),
    };
    let join = |head: &str, tail: &str| -> Option<String> {
        let mut parts = vec![head];
        for p in &printed {
            parts.push(p.as_deref()?);
        }
        parts.push(tail);
        parts.push(extra_printed.as_deref()?);
        Some(join_spaced(&parts))
    };
    let mut text = match early.into_inner().transpose()?.flatten() {
        Some(((head, tail), printed_ends)) => {
            if let Some(out) = printed_ends.and_then(|(h, t)| join(&h, &t)) {
                return Ok(out);
            }
            // What rendering with the body gives: it is inserted verbatim.
            format!("{head}{body}{tail}")
        }
        None => {
            let text = templates.render("file.rs", &FileData { view, body: &body })?;
            let joined = find_body(&text, &body).and_then(|start| {
                let head = print_items(&text[..start], true).map(|p| space_items(&p))?;
                let tail =
                    print_items(&text[start + body.len()..], false).map(|p| space_items(&p))?;
                join(&head, &tail)
            });
            if let Some(out) = joined {
                return Ok(out);
            }
            text
        }
    };
    if let Some((name, extra)) = extra {
        text.push('\n');
        text.push_str(extra);
        fragments.push((name, extra.to_string()));
    }
    format_rust(&text, &fragments)
}

/// Where `body` (the rendered items) starts in the rendered `file.rs`.
fn find_body(text: &str, body: &str) -> Option<usize> {
    // A short probe: searching for the whole body costs more than a scan.
    let mut n = body.len().min(64);
    while !body.is_char_boundary(n) {
        n -= 1;
    }
    text.match_indices(&body[..n])
        .map(|(i, _)| i)
        .find(|&i| text[i..].starts_with(body))
}

/// Parses and pretty-prints `text`; on a syntax error, finds the fragment
/// (and so the template) that is broken.
fn format_rust(text: &str, fragments: &[(&str, String)]) -> Result<String, GenError> {
    match syn::parse_file(text) {
        Ok(file) => Ok(space_items(&layout_shape_macros(&prettyplease::unparse(
            &file,
        )))),
        Err(whole) => {
            for (template, frag) in fragments {
                if let Err(e) = syn::parse_file(frag) {
                    return Err(syntax_error(template, frag, &e));
                }
            }
            Err(syntax_error("file.rs", text, &whole))
        }
    }
}

/// The runtime macros that generated code invokes once per shape (or per
/// service half); their bodies are tables with one entry per member (or
/// operation).
const SHAPE_MACROS: &[&str] = &[
    "cbor_struct! {",
    "cbor_union! {",
    "string_enum! {",
    "int_enum! {",
    "service_receiver! {",
    "service_sender! {",
];

/// The macros of [`SHAPE_MACROS`] whose entries hold Rust types
/// (`"Op" op(Input) -> Output`), where a comma inside `<...>` does not end
/// an entry.
const TYPE_TABLE_MACROS: &[&str] = &["service_receiver! {", "service_sender! {"];

/// prettyplease fills a macro body like a paragraph, breaking lines
/// wherever they get long. The bodies of the per-shape runtime macros are
/// tables (`Name ... { entry, entry, ... } tail`): lay them out one entry a
/// line, as a person would write them.
fn layout_shape_macros(src: &str) -> String {
    let mut out = String::with_capacity(src.len() + src.len() / 8);
    let mut lines = src.lines();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        if !(line.starts_with(|c: char| c.is_alphabetic())
            && SHAPE_MACROS.iter().any(|m| line.ends_with(m)))
        {
            continue;
        }
        let mut body = String::new();
        for inner in lines.by_ref() {
            if inner == "}" {
                break;
            }
            if !body.is_empty() {
                body.push(' ');
            }
            body.push_str(inner.trim());
        }
        let types = TYPE_TABLE_MACROS.iter().any(|m| line.ends_with(m));
        out.push_str(&layout_table(&body, types));
        out.push_str("}\n");
    }
    out
}

/// Lays out `head { a, b, c } tail` as an indented block, one entry a line.
/// Commas and braces inside strings and nested groups are left alone; with
/// `types`, so are commas between generic arguments (`<` and `>` nest, but
/// the `>` of `->` does not close anything).
fn layout_table(body: &str, types: bool) -> String {
    let mut depth = 0usize;
    let mut strings = StringScan::default();
    let mut open = None;
    let mut close = None;
    let mut commas = Vec::new();
    let mut prev = ' ';
    for (i, c) in body.char_indices() {
        let arrow = prev == '-';
        prev = c;
        if strings.inside(c) {
            continue;
        }
        match c {
            '{' if depth == 0 && open.is_none() => {
                open = Some(i);
                depth = 1;
            }
            '(' | '[' | '{' => depth += 1,
            '}' if depth == 1 && close.is_none() => {
                close = Some(i);
                depth = 0;
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            '<' if types && open.is_some() => depth += 1,
            '>' if types && open.is_some() && !arrow => depth = depth.saturating_sub(1),
            ',' if depth == 1 => commas.push(i),
            _ => {}
        }
    }
    let (Some(open), Some(close)) = (open, close) else {
        // Not a table: keep the body as prettyplease printed it, on one line.
        return format!("    {body}\n");
    };
    let mut entries = Vec::new();
    let mut start = open + 1;
    for end in commas.into_iter().chain([close]) {
        let entry = body[start..end].trim();
        if !entry.is_empty() {
            entries.push(entry);
        }
        start = end + 1;
    }
    let head = body[..open].trim_end();
    let tail = body[close + 1..].trim();
    let tail = if tail.is_empty() {
        String::new()
    } else {
        format!(" {tail}")
    };
    if entries.is_empty() {
        return format!("    {head} {{}}{tail}\n");
    }
    let mut out = format!("    {head} {{\n");
    for entry in entries {
        out.push_str("        ");
        if types {
            tight_generics(entry, &mut out);
        } else {
            out.push_str(entry);
        }
        out.push_str(",\n");
    }
    out.push_str(&format!("    }}{tail}\n"));
    out
}

/// Whether a character-by-character scan of printed Rust is inside a
/// string literal (backslash escapes honoured), so the layout passes leave
/// what strings hold alone.
#[derive(Default)]
struct StringScan {
    in_str: bool,
    escaped: bool,
}

impl StringScan {
    /// Takes the next character; true if it belongs to a string literal
    /// (its quotes included).
    fn inside(&mut self, c: char) -> bool {
        if self.in_str {
            match c {
                _ if self.escaped => self.escaped = false,
                '\\' => self.escaped = true,
                '"' => self.in_str = false,
                _ => {}
            }
            true
        } else {
            self.in_str = c == '"';
            self.in_str
        }
    }
}

/// Appends `entry` without the spaces prettyplease puts around `<` and `>`
/// in macro bodies (`Vec < u8 >` -> `Vec<u8>`), outside strings; the `>` of
/// `->` keeps its spaces. The receiver macro names an input type with
/// `stringify!` in decode errors, so the table must read as the type is
/// written (`'Vec<u8>': ...`).
fn tight_generics(entry: &str, out: &mut String) {
    let mut strings = StringScan::default();
    let mut prev = ' ';
    let mut chars = entry.chars().peekable();
    while let Some(c) = chars.next() {
        if strings.inside(c) {
            // Copied as it is.
        } else if c == ' ' {
            let next = chars.peek().copied().unwrap_or(' ');
            if prev == '<' || next == '<' || next == '>' {
                continue;
            }
        }
        out.push(c);
        prev = c;
    }
}

/// Parses and prints one part of a file; `None` if it does not parse on
/// its own, or if a part after the first has what only a file's start may
/// have (inner attributes, `#!`), which the whole file would reject.
fn print_items(text: &str, first: bool) -> Option<String> {
    let file = syn::parse_file(text).ok()?;
    if !first && (file.shebang.is_some() || !file.attrs.is_empty()) {
        return None;
    }
    Some(layout_shape_macros(&prettyplease::unparse(&file)))
}

/// prettyplease puts top-level items back to back; a blank line between
/// them (and inside impls/traits, between members) reads like hand-written
/// code. Only lines that close an item (`}` or `;` at the item's indent)
/// followed by a line at the same indent that starts a new item get one.
fn space_items(src: &str) -> String {
    let mut out = String::with_capacity(src.len() + src.len() / 16);
    let mut prev: Option<&str> = None;
    for line in src.lines() {
        if prev.is_some_and(|p| blank_between(p, line)) {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
        prev = Some(line);
    }
    out
}

/// Whether [`space_items`] puts a blank line between lines `p` and `line`.
fn blank_between(p: &str, line: &str) -> bool {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let pt = p.trim();
    let closes = pt == "}"
        || (pt.starts_with("#![") && indent(p) == 0)
        || (pt.ends_with(';') && !pt.starts_with("//") && indent(p) == 0)
        || (pt.ends_with(';') && pt.starts_with("async fn"))
        || (pt.ends_with(';') && pt.starts_with("const "))
        || (pt.ends_with(';') && pt.starts_with("pub type"));
    let t = line.trim_start();
    let starts = !t.is_empty()
        && !t.starts_with('}')
        && !t.starts_with(')')
        && !t.starts_with(']')
        && !t.starts_with("else")
        && (t.starts_with("///")
            || t.starts_with("#[")
            || t.starts_with("pub ")
            || t.starts_with("impl")
            || t.starts_with("fn ")
            || t.starts_with("async fn")
            || t.starts_with("const ")
            || t.starts_with("#![")
            || (indent(line) == 0 && t.ends_with("! {")));
    closes && starts && indent(p) == indent(line)
}

/// Joins parts that [`space_items`] spaced one by one (each whole lines)
/// into what it gives for their concatenation: only the line pairs across
/// part boundaries are left to check.
fn join_spaced(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    let mut prev: Option<&str> = None;
    for part in parts.iter().filter(|p| !p.is_empty()) {
        if let (Some(p), Some(first)) = (prev, part.lines().next()) {
            if blank_between(p, first) {
                out.push('\n');
            }
        }
        out.push_str(part);
        prev = part.lines().next_back().or(prev);
    }
    out
}

fn syntax_error(template: &str, text: &str, e: &syn::Error) -> GenError {
    let start = e.span().start();
    let lines: Vec<&str> = text.lines().collect();
    let lo = start.line.saturating_sub(3);
    let hi = (start.line + 2).min(lines.len());
    let snippet = (lo..hi)
        .map(|i| format!("{:>5} | {}", i + 1, lines.get(i).unwrap_or(&"")))
        .collect::<Vec<_>>()
        .join("\n");
    GenError::RustSyntax {
        template: template.to_string(),
        message: e.to_string(),
        line: start.line,
        column: start.column + 1,
        snippet,
    }
}

/// A dependency of a generated crate.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Dependency {
    /// Cargo package name.
    pub package: String,
    /// Version requirement.
    pub version: String,
    /// Path relative to the generated crate's directory, for in-repo crates.
    pub path: Option<String>,
    /// Another generated interface crate (forwards the `provider` feature).
    pub generated: bool,
}

impl Dependency {
    fn line(&self) -> String {
        match &self.path {
            Some(p) => format!(
                "{} = {{ version = \"{}\", path = \"{}\" }}",
                self.package, self.version, p
            ),
            None => format!("{} = \"{}\"", self.package, self.version),
        }
    }
}

/// A crate that another generated crate may depend on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownCrate {
    /// The namespace it holds.
    pub namespace: String,
    /// Its dependency entry (path relative to the crate being generated).
    pub dependency: Dependency,
}

/// What to generate as a complete crate.
#[derive(Clone, Debug)]
pub struct CrateSpec {
    /// The namespace.
    pub namespace: String,
    /// Cargo package name; default: `metadata package` crate, else derived
    /// from the namespace.
    pub package: Option<String>,
    /// Package version.
    pub version: String,
    /// License (SPDX).
    pub license: String,
    /// Repository URL, if any.
    pub repository: Option<String>,
    /// The runtime dependency (`weld-rpc`).
    pub runtime: Dependency,
    /// Crates of other namespaces, for cross-namespace references.
    pub siblings: Vec<KnownCrate>,
    /// Hand-written Rust appended to `src/lib.rs` (name for error
    /// reports, text), e.g. a `Default` impl for a type marked
    /// `@codegenRust(noDeriveDefault: true)`.
    pub extra: Option<(String, String)>,
}

impl CrateSpec {
    /// A spec for `namespace` with the default runtime dependency
    /// (`weld-rpc` by version only).
    pub fn new(namespace: impl Into<String>) -> Self {
        CrateSpec {
            namespace: namespace.into(),
            package: None,
            version: "0.1.0".into(),
            license: "Apache-2.0".into(),
            repository: None,
            runtime: Dependency {
                package: "weld-rpc".into(),
                version: "0.1".into(),
                path: None,
                generated: false,
            },
            siblings: Vec::new(),
            extra: None,
        }
    }
}

/// The package name a crate for `namespace` gets by default.
pub fn default_package(model: &Model, namespace: &str) -> String {
    view::package_crates(model)
        .into_iter()
        .find(|(ns, c)| ns == namespace && !c.contains("::"))
        .map(|(_, c)| c)
        .unwrap_or_else(|| names::package_from_namespace(namespace))
}

/// Renders a complete crate (`Cargo.toml`, `README.md`, `src/lib.rs`), with
/// paths relative to the crate's directory.
pub fn render_crate(
    model: &Model,
    spec: &CrateSpec,
    templates: &Templates,
    opts: &RustOptions,
) -> Result<OutputSet, GenError> {
    let mut vopts = opts.view.clone();
    for s in &spec.siblings {
        vopts
            .crate_paths
            .entry(s.namespace.clone())
            .or_insert_with(|| names::crate_ident(&s.dependency.package));
    }
    let view = view::build(model, &spec.namespace, &vopts)?;
    let extra = spec.extra.as_ref().map(|(n, t)| (n.as_str(), t.as_str()));
    // The manifest, README and round-trip tests do not need `src/lib.rs`:
    // they are one more job for the threads that render it.
    let files = std::sync::OnceLock::new();
    let side = || {
        let _ = files.set(render_crate_files(model, spec, &view, templates));
    };
    let lib = render_view_with(&view, templates, extra, &side)?;
    let (cargo, readme, tests) = match files.into_inner() {
        Some(files) => files?,
        // Not taken (only if rendering stopped at an error, reported above).
        None => render_crate_files(model, spec, &view, templates)?,
    };
    let mut out = OutputSet::new();
    out.insert("Cargo.toml", cargo);
    out.insert("README.md", readme);
    out.insert("src/lib.rs", lib);
    if let Some(tests) = tests {
        out.insert("tests/roundtrip.rs", tests);
    }
    Ok(out)
}

/// `Cargo.toml`, `README.md` and `tests/roundtrip.rs` (if any samples) of
/// a crate.
fn render_crate_files(
    model: &Model,
    spec: &CrateSpec,
    view: &CrateView,
    templates: &Templates,
) -> Result<(String, String, Option<String>), GenError> {
    let package = spec
        .package
        .clone()
        .unwrap_or_else(|| default_package(model, &spec.namespace));

    let mut deps = vec![spec.runtime.clone()];
    for f in &view.foreign_crates {
        let dep = spec
            .siblings
            .iter()
            .find(|s| s.namespace == f.namespace)
            .map(|s| s.dependency.clone())
            .unwrap_or_else(|| Dependency {
                package: f.ident.replace('_', "-"),
                version: "0.1".into(),
                path: None,
                generated: true,
            });
        if !deps.iter().any(|d| d.package == dep.package) {
            deps.push(dep);
        }
    }
    for (package, version) in [("serde", "1"), ("serde_bytes", "0.11")] {
        deps.push(Dependency {
            package: package.into(),
            version: version.into(),
            path: None,
            generated: false,
        });
    }
    #[derive(Serialize)]
    struct DepLine {
        package: String,
        generated: bool,
        line: String,
    }
    #[derive(Serialize)]
    struct CargoData<'a> {
        namespace: &'a str,
        package: &'a str,
        version: &'a str,
        description: String,
        license: &'a str,
        repository: Option<&'a str>,
        deps: Vec<DepLine>,
        docs: &'a [String],
        services: &'a [ServiceView],
    }
    let description = view
        .docs
        .first()
        .cloned()
        .unwrap_or_default()
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    let data = CargoData {
        namespace: &spec.namespace,
        package: &package,
        version: &spec.version,
        description,
        license: &spec.license,
        repository: spec.repository.as_deref(),
        deps: deps
            .iter()
            .map(|d| DepLine {
                package: d.package.clone(),
                generated: d.generated,
                line: if d.package == "serde" {
                    format!(
                        "serde = {{ version = \"{}\", features = [\"derive\"] }}",
                        d.version
                    )
                } else {
                    d.line()
                },
            })
            .collect(),
        docs: &view.docs,
        services: &view.services,
    };
    // One conversion to JSON for both templates.
    let ctx = handlebars::Context::wraps(&data).map_err(|source| GenError::Render {
        name: "Cargo.toml".to_string(),
        source: Box::new(source),
    })?;
    let cargo = templates.render_context("Cargo.toml", &ctx)?;
    let readme = tidy_markdown(&templates.render_context("README.md", &ctx)?);
    let mut tests = None;
    if !view.samples.is_empty() {
        #[derive(Serialize)]
        struct TestData<'a> {
            namespace: &'a str,
            crate_ident: String,
            runtime: &'a str,
            samples: &'a [view::SampleView],
        }
        let text = templates.render(
            "roundtrip.rs",
            &TestData {
                namespace: &spec.namespace,
                crate_ident: names::crate_ident(&package),
                runtime: &view.runtime,
                samples: &view.samples,
            },
        )?;
        tests = Some(format_rust(&text, &[("roundtrip.rs", text.clone())])?);
    }
    Ok((cargo, readme, tests))
}

/// Collapses runs of blank lines left by template conditionals.
fn tidy_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = 0;
    for line in s.lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.trim_start_matches('\n').to_string()
}

/// The path of `to` relative to directory `from` (both relative to the same
/// root, normalised, no `..` in either).
pub fn relative_path(from: &Path, to: &Path) -> String {
    let f: Vec<_> = from.components().collect();
    let t: Vec<_> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_string(), f.len() - common).collect();
    parts.extend(
        t[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_compile() {
        let t = Templates::builtin();
        for (name, _) in DEFAULT_TEMPLATES {
            t.ensure(name).unwrap();
        }
    }

    #[test]
    fn prebuilt_templates_equal_handlebars_compiles() {
        for (name, text) in DEFAULT_TEMPLATES {
            let whole = handlebars::Template::compile_with_name(text, name.to_string()).unwrap();
            let pre = prebuilt::prebuilt(name).expect("every built-in template is prebuilt");
            assert_eq!(pre.elements, whole.elements, "template {name}");
            assert_eq!(pre.mapping, whole.mapping, "template {name} line numbers");
            // Also the fields other crates cannot see (`indent_before_write`).
            assert_eq!(format!("{pre:?}"), format!("{whole:?}"), "template {name}");
            assert_eq!(pre, whole, "template {name}");
        }
        assert!(prebuilt::prebuilt("no-such-template").is_none());
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_path(Path::new("generated/keyvalue"), Path::new("rpc")),
            "../../rpc"
        );
        assert_eq!(relative_path(Path::new("a/b"), Path::new("a/c")), "../c");
    }

    #[test]
    fn printing_parts_equals_printing_the_whole() {
        let text = "#![allow(dead_code)]\n/// A.\npub struct A;\nimpl A {\n    fn f(&self) -> u8 { 1 }\n}\n/// B.\npub struct B { x: u8 }\n";
        let whole = prettyplease::unparse(&syn::parse_file(text).unwrap());
        let (a, b) = (text.find("impl").unwrap(), text.find("/// B").unwrap());
        let parts = print_items(&text[..a], true).unwrap()
            + &print_items(&text[a..b], false).unwrap()
            + &print_items(&text[b..], false).unwrap();
        assert_eq!(parts, whole);
        // A part that is not whole items does not parse on its own.
        let inside = text.find("fn f").unwrap();
        assert!(print_items(&text[..inside], true).is_none());
        assert!(print_items(&text[inside..], false).is_none());
        // Inner attributes only at the start, as in a whole file.
        assert!(print_items("#![allow(dead_code)]\npub struct B;\n", false).is_none());
        assert_eq!(find_body("head\nbody\ntail", "body\n"), Some(5));
        // Spacing parts one by one and joining them equals spacing the whole.
        let printed = space_items(&whole);
        for cut in [a, b] {
            let (x, y) = text.split_at(cut);
            let x = space_items(&print_items(x, true).unwrap());
            let y = space_items(&print_items(y, false).unwrap());
            assert_eq!(join_spaced(&[&x, "", &y]), printed, "cut at {cut}");
        }
        assert_eq!(find_body("head\nbod\n", "body\n"), None);
    }

    #[test]
    fn syntax_errors_name_the_template() {
        let frags = vec![("struct.rs", "pub struct A {".to_string())];
        let err = format_rust("pub struct A {", &frags).unwrap_err();
        match err {
            GenError::RustSyntax { template, .. } => assert_eq!(template, "struct.rs"),
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn shape_macro_bodies_are_laid_out_one_entry_a_line() {
        let filled = "/// A.\nweld_rpc::cbor_struct! {\n    A array { 0 key required, 1 list_name \"a, {b}\" default(Self::default_list_name), 2\n    body optional blob }\n}\nweld_rpc::string_enum! {\n    E { X = \"x\" } Unknown\n}\nweld_rpc::cbor_struct! {\n    Empty map {}\n}\n";
        let want = "/// A.\nweld_rpc::cbor_struct! {\n    A array {\n        0 key required,\n        1 list_name \"a, {b}\" default(Self::default_list_name),\n        2 body optional blob,\n    }\n}\nweld_rpc::string_enum! {\n    E {\n        X = \"x\",\n    } Unknown\n}\nweld_rpc::cbor_struct! {\n    Empty map {}\n}\n";
        assert_eq!(layout_shape_macros(filled), want);
        // Other macros keep prettyplease's layout.
        let other = "foo! {\n    a, b\n}\n";
        assert_eq!(layout_shape_macros(other), other);
    }

    /// Service tables hold types: a comma between generic arguments does
    /// not end an entry, and the types read as written (the receiver names
    /// its input type in decode errors with `stringify!`).
    #[test]
    fn service_tables_keep_generic_types_whole_and_tight() {
        let text = "weld_rpc::service_receiver! {\n    SR for S = \"s\" msgpack {\n        \"A\" a(std::collections::HashMap<String, Vec<Option<u8>>>) -> Vec<Vec<u8>>,\n        \"B\" b(weld_rpc::Timestamp) -> std::collections::HashMap<String, String>,\n        \"C\" c(),\n    }\n}\n";
        let want = "weld_rpc::service_receiver! {\n    SR for S = \"s\" msgpack {\n        \"A\" a(std::collections::HashMap<String, Vec<Option<u8>>>) -> Vec<Vec<u8>>,\n        \"B\" b(weld_rpc::Timestamp) -> std::collections::HashMap<String, String>,\n        \"C\" c(),\n    }\n}\n";
        assert_eq!(print_items(text, false).as_deref(), Some(want));
        let sender = text.replace("service_receiver", "service_sender");
        assert_eq!(
            print_items(&sender, false),
            Some(want.replace("service_receiver", "service_sender"))
        );
        // Strings are left alone; `->` keeps its spaces.
        let mut out = String::new();
        tight_generics("\"a < b\" x(Vec < u8 >) -> Option < Vec < u8 > >", &mut out);
        assert_eq!(out, "\"a < b\" x(Vec<u8>) -> Option<Vec<u8>>");
    }
}
