//! HTML documentation for a model: one page per namespace plus an index and
//! a stylesheet.
//!
//! Rendering goes model -> [`view`] (links resolved, docs escaped) ->
//! handlebars templates. The default templates live in `templates/html/`
//! and are compiled into the binary; [`Templates::from_dir`] overrides any of
//! them. Like every generator, this one does no file I/O on its output: it
//! returns the output set and the caller writes it.

pub mod text;
pub mod view;

use crate::model::Model;
use handlebars::Handlebars;
use std::path::{Path, PathBuf};
use view::{page_name, ViewBuilder};

/// Name of the index page in the output set.
pub const INDEX_PAGE: &str = "index.html";

/// Name of the stylesheet in the output set.
pub const STYLESHEET: &str = "style.css";

/// The templates compiled in, by name (file stem). `index` and `namespace`
/// are rendered as pages; the others are partials they include.
const BUILTIN_TEMPLATES: [(&str, &str); 6] = [
    ("layout", include_str!("../../templates/html/layout.hbs")),
    ("index", include_str!("../../templates/html/index.hbs")),
    (
        "namespace",
        include_str!("../../templates/html/namespace.hbs"),
    ),
    ("service", include_str!("../../templates/html/service.hbs")),
    ("shape", include_str!("../../templates/html/shape.hbs")),
    ("typeref", include_str!("../../templates/html/typeref.hbs")),
];

/// The stylesheet compiled in.
const BUILTIN_STYLESHEET: &str = include_str!("../../templates/html/style.css");

/// What can go wrong while loading templates or rendering.
#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    /// A template directory or file could not be read.
    #[error("cannot read template {path}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A template has a syntax error.
    #[error("template `{name}` does not parse")]
    Template {
        /// Template name (file stem).
        name: String,
        /// The parser's error.
        #[source]
        source: Box<handlebars::TemplateError>,
    },
    /// Rendering a page failed (e.g. a template refers to a missing field).
    #[error("rendering {page} with template `{template}` failed")]
    Render {
        /// Output page.
        page: String,
        /// Template name.
        template: String,
        /// The renderer's error.
        #[source]
        source: Box<handlebars::RenderError>,
    },
}

// Template helper: `{{plural 3 "operation"}}` gives `3 operations`,
// `{{plural 1 "operation"}}` gives `1 operation`.
handlebars::handlebars_helper!(
    plural: |count: u64, noun: str| {
        format!("{count} {noun}{}", if count == 1 { "" } else { "s" })
    }
);

/// A loaded template set: the built-in templates, with any overrides.
pub struct Templates {
    registry: Handlebars<'static>,
    stylesheet: String,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.registry.get_templates().keys().collect();
        names.sort();
        f.debug_struct("Templates")
            .field("templates", &names)
            .finish()
    }
}

impl Templates {
    /// The built-in templates.
    pub fn builtin() -> Result<Self, DocsError> {
        let mut registry = Handlebars::new();
        // A template that names a field the view does not have is a bug in
        // the template; fail loudly instead of rendering an empty string.
        registry.set_strict_mode(true);
        registry.register_helper("plural", Box::new(plural));
        let mut templates = Templates {
            registry,
            stylesheet: BUILTIN_STYLESHEET.to_string(),
        };
        for (name, text) in BUILTIN_TEMPLATES {
            templates.set_template(name, text)?;
        }
        Ok(templates)
    }

    /// The built-in templates, overridden by the files in `dir`: every
    /// `NAME.hbs` replaces (or adds) template `NAME`, and `style.css`
    /// replaces the stylesheet. Other files are ignored.
    pub fn from_dir(dir: &Path) -> Result<Self, DocsError> {
        let mut templates = Self::builtin()?;
        let io = |path: &Path, source| DocsError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| io(dir, e))?
            .map(|e| e.map(|e| e.path()).map_err(|e| io(dir, e)))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for path in entries {
            let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if file_name == STYLESHEET {
                templates.stylesheet = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
            } else if let Some(name) = file_name.strip_suffix(".hbs") {
                let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
                templates.set_template(name, &text)?;
            }
        }
        Ok(templates)
    }

    /// Registers (or replaces) template `name`.
    pub fn set_template(&mut self, name: &str, text: &str) -> Result<(), DocsError> {
        self.registry
            .register_template_string(name, text)
            .map_err(|e| DocsError::Template {
                name: name.to_string(),
                source: Box::new(e),
            })
    }

    /// Replaces the stylesheet.
    pub fn set_stylesheet(&mut self, css: impl Into<String>) {
        self.stylesheet = css.into();
    }

    fn render<T: serde::Serialize>(
        &self,
        template: &str,
        page: &str,
        data: &T,
    ) -> Result<Vec<u8>, DocsError> {
        self.registry
            .render(template, data)
            .map(String::into_bytes)
            .map_err(|e| DocsError::Render {
                page: page.to_string(),
                template: template.to_string(),
                source: Box::new(e),
            })
    }
}

/// Renders the documentation of every user namespace of `model`.
///
/// Returns `(relative path, content)` pairs: `index.html`, `style.css`, then
/// one `NAMESPACE.html` per namespace in name order. The output depends only
/// on the model and the templates (no dates, no hash-map order).
pub fn render_docs(
    model: &Model,
    templates: Option<&Templates>,
) -> Result<Vec<(PathBuf, Vec<u8>)>, DocsError> {
    let builtin;
    let templates = match templates {
        Some(t) => t,
        None => {
            builtin = Templates::builtin()?;
            &builtin
        }
    };
    let views = ViewBuilder::new(model);
    let mut out = Vec::with_capacity(views.namespaces().len() + 2);
    out.push((
        PathBuf::from(INDEX_PAGE),
        templates.render("index", INDEX_PAGE, &views.index_page())?,
    ));
    out.push((
        PathBuf::from(STYLESHEET),
        templates.stylesheet.clone().into_bytes(),
    ));
    for ns in views.namespaces() {
        let page = page_name(ns);
        let bytes = templates.render("namespace", &page, &views.namespace_page(ns))?;
        out.push((PathBuf::from(page), bytes));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Member, Node, Operation, Service, Shape, ShapeId, ShapeKind, ShapeRef, SimpleKind,
        TraitValue, Traits,
    };
    use crate::smithy::source::{FileId, Span};
    use indexmap::IndexMap;

    fn span() -> Span {
        Span::new(FileId(0), 0, 0)
    }

    fn shape(id: ShapeId, kind: ShapeKind, traits: Traits, members: Vec<Member>) -> Shape {
        Shape {
            id,
            kind,
            traits,
            members,
            mixins: Vec::new(),
            span: span(),
        }
    }

    fn doc(text: &str) -> Traits {
        let mut t = Traits::default();
        t.insert(
            ShapeId::prelude("documentation"),
            TraitValue {
                value: Node::String(text.into()),
                span: span(),
            },
        );
        t
    }

    fn member(name: &str, target: ShapeId) -> Member {
        Member {
            name: name.into(),
            target,
            traits: doc("a <b>member</b>"),
            span: span(),
            target_span: span(),
        }
    }

    /// Two namespaces: `a.svc` has a service whose operation's input refers
    /// to a shape in `b.types` and to the prelude.
    fn model() -> Model {
        let mut m = Model::default();
        let input = ShapeId::new("a.svc", "In");
        let op = ShapeId::new("a.svc", "Op");
        let other = ShapeId::new("b.types", "Name");
        let svc = ShapeId::new("a.svc", "Svc");
        let r = |id: &ShapeId| ShapeRef {
            id: id.clone(),
            span: span(),
        };
        let shapes = [
            shape(
                svc.clone(),
                ShapeKind::Service(Service {
                    version: Some("1".into()),
                    operations: vec![r(&op)],
                    ..Default::default()
                }),
                doc("The service."),
                vec![],
            ),
            shape(
                op.clone(),
                ShapeKind::Operation(Operation {
                    input: Some(r(&input)),
                    output: None,
                    errors: vec![],
                }),
                doc("Does <script>x</script>."),
                vec![],
            ),
            shape(
                input.clone(),
                ShapeKind::Structure,
                Traits::default(),
                vec![
                    member("name", other.clone()),
                    member("raw", ShapeId::prelude("String")),
                ],
            ),
            shape(
                other.clone(),
                ShapeKind::Simple(SimpleKind::String),
                Traits::default(),
                vec![],
            ),
        ];
        for s in shapes {
            m.shapes.insert(s.id.clone(), s);
        }
        let mut pkg = IndexMap::new();
        pkg.insert("namespace".to_string(), Node::String("a.svc".into()));
        pkg.insert("crate".to_string(), Node::String("a-svc".into()));
        m.metadata
            .insert("package".into(), Node::Array(vec![Node::Object(pkg)]));
        m
    }

    fn page<'a>(out: &'a [(PathBuf, Vec<u8>)], name: &str) -> &'a str {
        let (_, bytes) = out
            .iter()
            .find(|(p, _)| p == Path::new(name))
            .unwrap_or_else(|| panic!("no page {name}"));
        std::str::from_utf8(bytes).expect("pages are UTF-8")
    }

    #[test]
    fn renders_pages_with_cross_namespace_links() {
        let out = render_docs(&model(), None).expect("renders");
        let names: Vec<_> = out.iter().map(|(p, _)| p.to_str().unwrap()).collect();
        assert_eq!(
            names,
            ["index.html", "style.css", "a.svc.html", "b.types.html"]
        );
        let a = page(&out, "a.svc.html");
        assert!(a.contains(r##"href="b.types.html#Name""##), "{a}");
        assert!(a.contains(r##"href="#In""##));
        assert!(a.contains(r#"id="In.name""#));
        assert!(a.contains("<code>Svc.Op</code>"));
        assert!(a.contains("<code>a-svc</code>"));
        assert!(a.contains("Does &lt;script&gt;x&lt;/script&gt;."));
        assert!(!a.contains("<script>"));
        assert!(a.contains("a &lt;b&gt;member&lt;/b&gt;"));
        // Prelude targets are shown, not linked.
        assert!(a.contains(r#"title="smithy.api#String">String</span>"#));
        let b = page(&out, "b.types.html");
        assert!(b.contains(r#"id="Name""#));
        assert!(b.contains(r##"href="a.svc.html#In""##), "used-by link: {b}");
        let index = page(&out, "index.html");
        assert!(index.contains(r##"href="a.svc.html#Svc""##));
    }

    #[test]
    fn template_overrides_and_errors() {
        let mut t = Templates::builtin().unwrap();
        t.set_template("index", "{{#each namespaces}}[{{namespace}}]{{/each}}")
            .unwrap();
        t.set_stylesheet("body{}");
        let out = render_docs(&model(), Some(&t)).unwrap();
        assert_eq!(page(&out, "index.html"), "[a.svc][b.types]");
        assert_eq!(page(&out, "style.css"), "body{}");

        assert!(matches!(
            t.set_template("index", "{{#each x}}"),
            Err(DocsError::Template { .. })
        ));
        // Strict mode: a misspelt field is an error, not an empty string.
        t.set_template("index", "{{no_such_field}}").unwrap();
        assert!(matches!(
            render_docs(&model(), Some(&t)),
            Err(DocsError::Render { .. })
        ));
    }
}
