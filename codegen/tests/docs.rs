//! `weld doc` / `weld_codegen::docs`: the HTML rendered from `interfaces/`
//! has a page per namespace, every internal link lands on an anchor that
//! exists, documentation text is escaped, and output is deterministic.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use weld_codegen::docs::{render_docs, Templates};
use weld_codegen::model::Model;
use weld_codegen::smithy::{load_paths, load_sources, render::render_human, LoadResult};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen/ has a parent")
        .to_path_buf()
}

fn checked(res: LoadResult) -> Model {
    assert!(
        !res.has_errors(),
        "{}",
        render_human(&res.sources, &res.diagnostics, false)
    );
    res.model
}

fn interfaces_model() -> Model {
    checked(load_paths(&[repo_root().join("interfaces")]))
}

/// Every `.smithy` file under `interfaces/` as `(name, text)`, sorted.
fn interface_sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("readable dir")
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "smithy") {
                let text = std::fs::read_to_string(&p).expect("readable file");
                out.push((p.display().to_string(), text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&repo_root().join("interfaces"), &mut out);
    out
}

/// Output set as `name -> text`.
fn pages(out: Vec<(PathBuf, Vec<u8>)>) -> BTreeMap<String, String> {
    out.into_iter()
        .map(|(p, b)| {
            (
                p.to_str().expect("UTF-8 path").to_string(),
                String::from_utf8(b).expect("UTF-8 page"),
            )
        })
        .collect()
}

/// Values of attribute `attr` (`href`, `id`) in `html`.
fn attr_values<'h>(html: &'h str, attr: &str) -> Vec<&'h str> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        let after = &rest[i + needle.len()..];
        let end = after.find('"').expect("closed attribute");
        out.push(&after[..end]);
        rest = &after[end..];
    }
    out
}

#[test]
fn one_page_per_namespace_plus_index_and_stylesheet() {
    let model = interfaces_model();
    let out = pages(render_docs(&model, None).expect("renders"));
    let mut expected: BTreeSet<String> = model
        .namespaces()
        .iter()
        .map(|ns| format!("{ns}.html"))
        .collect();
    expected.insert("index.html".into());
    expected.insert("style.css".into());
    let got: BTreeSet<String> = out.keys().cloned().collect();
    assert_eq!(got, expected);
    assert!(out.len() >= 14, "{} files", out.len());

    // The index links every namespace page and every service.
    let index = &out["index.html"];
    for ns in model.namespaces() {
        assert!(index.contains(&format!("href=\"{ns}.html\"")), "{ns}");
    }
    assert!(index.contains("href=\"org.wasmcloud.interface.keyvalue.html#KeyValue\""));
    assert!(index.contains("<code class=\"contract\">wasmcloud:httpserver</code>"));
    assert!(index.contains(">15 operations</span>"));
    assert!(index.contains(">1 operation</span>"));
}

#[test]
fn every_internal_link_resolves_to_an_existing_anchor() {
    let out = pages(render_docs(&interfaces_model(), None).expect("renders"));
    let mut ids: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (name, html) in &out {
        let mut seen = BTreeSet::new();
        for id in attr_values(html, "id") {
            assert!(seen.insert(id), "duplicate id {id:?} in {name}");
        }
        ids.insert(name, seen);
    }
    let mut checked = 0;
    for (name, html) in &out {
        for href in attr_values(html, "href") {
            let (file, anchor) = match href.split_once('#') {
                Some((f, a)) => (if f.is_empty() { name.as_str() } else { f }, Some(a)),
                None => (href, None),
            };
            let targets = ids
                .get(file)
                .unwrap_or_else(|| panic!("{name}: link {href:?} to a missing file"));
            if let Some(a) = anchor {
                assert!(
                    targets.contains(a),
                    "{name}: link {href:?} has no anchor {a:?} in {file}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 500, "only {checked} links checked");
}

#[test]
fn keyvalue_page_lists_operations_shapes_and_members() {
    let model = interfaces_model();
    let out = pages(render_docs(&model, None).expect("renders"));
    let kv = &out["org.wasmcloud.interface.keyvalue.html"];
    let methods = [
        "Increment",
        "Contains",
        "Del",
        "Get",
        "ListAdd",
        "ListClear",
        "ListDel",
        "ListRange",
        "Set",
        "SetAdd",
        "SetDel",
        "SetIntersection",
        "SetQuery",
        "SetUnion",
        "SetClear",
    ];
    // Method strings appear in service order.
    let positions: Vec<usize> = methods
        .iter()
        .map(|m| {
            kv.find(&format!("<code>KeyValue.{m}</code>"))
                .unwrap_or_else(|| panic!("KeyValue.{m} not listed"))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "order");
    // Every shape of the namespace has its anchor.
    for s in model.shapes_in("org.wasmcloud.interface.keyvalue") {
        assert!(kv.contains(&format!("id=\"{}\"", s.id.name)), "{}", s.id);
    }
    // Members with their anchors, targets across namespaces and traits.
    assert!(kv.contains("id=\"IncrementRequest.key\""));
    assert!(kv.contains(
        "<a class=\"type\" href=\"org.wasmcloud.model.html#I32\" title=\"org.wasmcloud.model#I32\">I32</a>"
    ));
    assert!(kv.contains("<code class=\"trait required\">@required</code>"));
    assert!(kv.contains(">n</a>(1)</code>"));
    assert!(kv.contains("<p>The counter&#x27;s key.</p>"));
    assert!(kv.contains("<p>How much to add.</p>"));

    // Wire-name overrides and the 1.0 @enum values show on the core page.
    let core = &out["org.wasmcloud.core.html"];
    assert!(core.contains(">serialization</a>(name: &quot;actor_id&quot;)</code>"));
    assert!(core.contains("<tr><td><code>trace</code></td>"));
}

#[test]
fn documentation_is_escaped_and_paragraphs_kept() {
    let hostile = r#"$version: "2"
namespace evil.docs

/// Runs <script>alert("x")</script> & more.
///
/// Second paragraph with `<b>code</b>`.
structure Hostile {
    /// Member <img src=x onerror=alert(1)>
    @pattern("<[a-z]+>")
    field: String
}
"#;
    let mut files = interface_sources();
    files.push(("evil.smithy".into(), hostile.into()));
    let out = pages(render_docs(&checked(load_sources(files)), None).expect("renders"));
    let page = &out["evil.docs.html"];
    assert!(!page.contains("<script"), "unescaped script tag");
    assert!(!page.contains("<img"), "unescaped img tag");
    assert!(!page.contains("<b>"), "unescaped b tag");
    assert!(page.contains(
        "<p>Runs &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more.</p>\n\
         <p>Second paragraph with <code>&lt;b&gt;code&lt;/b&gt;</code>.</p>"
    ));
    assert!(page.contains("Member &lt;img src=x onerror=alert(1)&gt;"));
    assert!(page.contains("pattern(&quot;&lt;[a-z]+&gt;&quot;)"));
}

#[test]
fn output_is_deterministic_and_independent_of_file_order() {
    let first = render_docs(&interfaces_model(), None).expect("renders");
    let again = render_docs(&interfaces_model(), None).expect("renders");
    assert_eq!(first, again);
    let mut files = interface_sources();
    files.reverse();
    let reversed = render_docs(&checked(load_sources(files)), None).expect("renders");
    // File order changes declaration order only across files; each
    // namespace lives in one file, so every page must be identical.
    assert_eq!(pages(first), pages(reversed));
}

#[test]
fn template_directory_overrides_builtins() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("index.hbs"),
        "{{#each namespaces}}{{namespace}};{{/each}}",
    )
    .unwrap();
    std::fs::write(dir.path().join("style.css"), "/* mine */").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
    let templates = Templates::from_dir(dir.path()).expect("loads");
    let model = interfaces_model();
    let out = pages(render_docs(&model, Some(&templates)).expect("renders"));
    let expected: String = {
        let mut ns: Vec<&str> = model.namespaces();
        ns.sort();
        ns.iter().map(|n| format!("{n};")).collect()
    };
    assert_eq!(out["index.html"], expected);
    assert_eq!(out["style.css"], "/* mine */");
    // Pages not overridden still use the built-in templates.
    assert!(out["org.wasmcloud.core.html"].contains("<h1>org.wasmcloud.core</h1>"));

    std::fs::write(dir.path().join("shape.hbs"), "{{#if}}").unwrap();
    let err = Templates::from_dir(dir.path()).expect_err("bad template");
    assert!(err.to_string().contains("`shape`"), "{err}");
}

#[test]
fn weld_doc_writes_pages_and_skips_unchanged_files() {
    let out_dir = tempfile::tempdir().expect("tempdir");
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_weld"))
            .current_dir(repo_root())
            .args(["doc", "interfaces", "--color", "never", "--out"])
            .arg(out_dir.path())
            .args(extra)
            .output()
            .expect("weld runs")
    };
    let first = run(&[]);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(first.status.success(), "{stderr}");
    let written: Vec<String> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(written.contains(&"index.html".to_string()));
    assert!(written.contains(&"org.wasmcloud.interface.keyvalue.html".to_string()));
    let total = written.len();
    assert!(
        stderr.contains(&format!("wrote {total} of {total} files")),
        "{stderr}"
    );

    let second = run(&[]);
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(second.status.success());
    assert!(
        stderr.contains(&format!("wrote 0 of {total} files")),
        "{stderr}"
    );

    // A missing template directory is a usage error (exit 2).
    let bad = run(&["--templates", "/nonexistent/weld-templates"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot read template"));
}

#[test]
fn weld_doc_refuses_invalid_models() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.smithy");
    std::fs::write(&bad, "namespace a.b\nstructure S { x: Missing }\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_weld"))
        .args(["doc", "--color", "never", "--out"])
        .arg(dir.path().join("html"))
        .arg(&bad)
        .output()
        .expect("weld runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.path().join("html").exists(), "nothing written");
}

#[test]
fn a_namespace_called_index_does_not_replace_the_index_page() {
    let model = checked(load_sources(vec![(
        "index.smithy".into(),
        "namespace index\n\n/// A shape.\nstring Thing\n".into(),
    )]));
    let out = pages(render_docs(&model, None).expect("renders"));
    assert!(out["index.html"].contains("href=\"index-ns.html\""));
    assert!(out["index-ns.html"].contains("id=\"Thing\""));
    assert_eq!(out.len(), 3);
}

/// Checks that elements nest properly: every non-void start tag is closed
/// by the matching end tag, in order.
fn assert_well_nested(name: &str, html: &str) {
    const VOID: [&str; 6] = ["meta", "link", "br", "img", "hr", "input"];
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        let after = &rest[lt + 1..];
        let gt = after
            .find('>')
            .unwrap_or_else(|| panic!("{name}: unclosed `<`"));
        let tag = &after[..gt];
        rest = &after[gt + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(closing) = tag.strip_prefix('/') {
            let open = stack.pop();
            assert_eq!(
                open,
                Some(closing),
                "{name}: `</{closing}>` closes {open:?}"
            );
        } else {
            let el = tag.split_whitespace().next().unwrap_or("");
            assert!(
                !el.is_empty() && el.chars().all(|c| c.is_ascii_alphanumeric()),
                "{name}: odd tag <{tag}>"
            );
            if !VOID.contains(&el) {
                stack.push(el);
            }
        }
    }
    assert!(stack.is_empty(), "{name}: unclosed {stack:?}");
}

#[test]
fn pages_are_well_nested_html() {
    let out = pages(render_docs(&interfaces_model(), None).expect("renders"));
    for (name, html) in &out {
        if name.ends_with(".html") {
            assert!(html.starts_with("<!DOCTYPE html>"), "{name}");
            assert_well_nested(name, html);
        }
    }
}
