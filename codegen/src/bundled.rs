//! The wasmCloud core model bundled into `weld`.
//!
//! Interface files as wasmCloud publishes them `use org.wasmcloud.model#...`
//! (`@wasmbus`, `@n`, `U32`, ...) and sometimes `org.wasmcloud.core`, but do
//! not ship those namespaces; upstream's generator downloads them. We have
//! no network at generation time and want `weld gen keyvalue.smithy` to just
//! work, so the two files from `interfaces/core/` are compiled in and added
//! to a load when the inputs refer to a namespace that none of them defines.
//! A model that brings its own copy (as this repository's `interfaces/`
//! does) is used as is.
//!
//! The files are read through `codegen/core-model`, a symlink to
//! `interfaces/core`: one copy of the text in the repository, and inside the
//! crate's directory, so `cargo package` (which follows symlinks) ships it.
//! `codegen/templates` is the same for the built-in templates.

/// A bundled model file: its namespace, a display name and its text.
pub struct Bundled {
    /// The Smithy namespace the file defines.
    pub namespace: &'static str,
    /// The name diagnostics use for it (not a path on disk).
    pub name: &'static str,
    /// The IDL text.
    pub text: &'static str,
}

/// The bundled files, in dependency order (core uses model).
pub const FILES: &[Bundled] = &[
    Bundled {
        namespace: "org.wasmcloud.model",
        name: "<weld>/wasmcloud-model.smithy",
        text: include_str!("../core-model/wasmcloud-model.smithy"),
    },
    Bundled {
        namespace: "org.wasmcloud.core",
        name: "<weld>/wasmcloud-core.smithy",
        text: include_str!("../core-model/wasmcloud-core.smithy"),
    },
];

/// Appends the bundled files that `files` (name, text) refer to and do not
/// define. A reference is the namespace followed by `#` (as in `use` and
/// absolute shape ids); a definition is a `namespace` statement in IDL or a
/// shape key of that namespace in a JSON AST file. Returns the names added.
pub fn add_missing(files: &mut Vec<(String, String)>) -> Vec<&'static str> {
    let mut added = Vec::new();
    // Later bundled files may refer to earlier ones, so go from the last
    // (core) to the first (model), seeing what was added on the way.
    for b in FILES.iter().rev() {
        let defined = files
            .iter()
            .any(|(name, text)| defines(name, text, b.namespace));
        let referred = files.iter().any(|(_, text)| refers_to(text, b.namespace));
        if referred && !defined {
            files.push((b.name.to_string(), b.text.to_string()));
            added.push(b.name);
        }
    }
    added
}

/// [`crate::smithy::load_paths`] plus the bundled files the inputs need.
pub fn load_paths(paths: &[std::path::PathBuf]) -> crate::smithy::LoadResult {
    let (mut sources, mut diags) = crate::smithy::read_paths(paths);
    add_missing(&mut sources);
    let mut res = crate::smithy::load_sources(sources);
    diags.append(&mut res.diagnostics);
    res.diagnostics = diags;
    res
}

fn refers_to(text: &str, namespace: &str) -> bool {
    text.match_indices(namespace)
        .any(|(i, _)| text[i + namespace.len()..].starts_with('#'))
}

fn defines(name: &str, text: &str, namespace: &str) -> bool {
    if name.ends_with(".json") {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
            return false;
        };
        let prefix = format!("{namespace}#");
        return v["shapes"]
            .as_object()
            .is_some_and(|m| m.keys().any(|k| k.starts_with(&prefix)));
    }
    text.lines().any(|l| {
        let mut words = l.split_whitespace();
        words.next() == Some("namespace") && words.next() == Some(namespace)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(files: &[(String, String)]) -> Vec<&str> {
        files.iter().map(|(n, _)| n.as_str()).collect()
    }

    #[test]
    fn adds_what_is_referred_to_and_not_defined() {
        let mut files = vec![(
            "a.smithy".to_string(),
            "namespace x\nuse org.wasmcloud.model#wasmbus\n".to_string(),
        )];
        assert_eq!(add_missing(&mut files), ["<weld>/wasmcloud-model.smithy"]);
        assert_eq!(names(&files), ["a.smithy", "<weld>/wasmcloud-model.smithy"]);
    }

    #[test]
    fn core_brings_the_model_it_uses() {
        let mut files = vec![(
            "a.smithy".to_string(),
            "namespace x\nuse org.wasmcloud.core#LinkDefinition\n".to_string(),
        )];
        add_missing(&mut files);
        assert_eq!(
            names(&files),
            [
                "a.smithy",
                "<weld>/wasmcloud-core.smithy",
                "<weld>/wasmcloud-model.smithy"
            ]
        );
    }

    #[test]
    fn a_model_that_defines_the_namespace_keeps_its_own() {
        let own = "namespace org.wasmcloud.model\nstring U32x\n";
        let mut files = vec![
            ("m.smithy".to_string(), own.to_string()),
            (
                "a.smithy".to_string(),
                "use org.wasmcloud.model#U32x\n".to_string(),
            ),
        ];
        assert!(add_missing(&mut files).is_empty());
        let json = r#"{"smithy":"2.0","shapes":{"org.wasmcloud.model#U32":{"type":"integer"}}}"#;
        let mut files = vec![
            ("m.json".to_string(), json.to_string()),
            (
                "a.smithy".to_string(),
                "use org.wasmcloud.model#U32\n".to_string(),
            ),
        ];
        assert!(add_missing(&mut files).is_empty());
    }

    #[test]
    fn a_mention_without_a_shape_id_adds_nothing() {
        let mut files = vec![(
            "a.smithy".to_string(),
            "// see org.wasmcloud.model for traits\nnamespace x\n".to_string(),
        )];
        assert!(add_missing(&mut files).is_empty());
    }
}
