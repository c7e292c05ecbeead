//! Rust naming: the ONE place where Smithy names become Rust identifiers
//! (case conversion via `heck` and keyword escaping).

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Words that cannot be used as plain identifiers in Rust 2021 (strict and
/// reserved keywords). Most can be written as raw identifiers (`r#type`);
/// the few that cannot are listed in [`NOT_RAW`].
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield", "gen",
];

/// Keywords that are not allowed even as raw identifiers; these get a
/// trailing underscore instead.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super"];

/// Escapes `ident` if it is a Rust keyword: `type` -> `r#type`, `self` -> `self_`.
pub fn escape(ident: &str) -> String {
    if NOT_RAW.contains(&ident) {
        format!("{ident}_")
    } else if KEYWORDS.contains(&ident) {
        format!("r#{ident}")
    } else if ident.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{ident}")
    } else {
        ident.to_string()
    }
}

/// A field, function or method name: `listName` -> `list_name`.
pub fn field(name: &str) -> String {
    escape(&name.to_snake_case())
}

/// A type, trait or variant name: `keyValue` -> `KeyValue`.
pub fn type_name(name: &str) -> String {
    escape(&name.to_upper_camel_case())
}

/// Names generated code uses unqualified (std prelude types and traits,
/// derive names); an item with one of these names would shadow it.
const RESERVED_ITEMS: &[&str] = &[
    "String",
    "Vec",
    "Option",
    "Some",
    "None",
    "Box",
    "Result",
    "Ok",
    "Err",
    "Default",
    "From",
    "Into",
    "Send",
    "Sync",
    "Sized",
    "Clone",
    "Debug",
    "PartialEq",
    "Eq",
    "Hash",
    "Copy",
];

/// The name of a generated item (struct, enum, alias, service trait):
/// [`type_name`], with `_` appended where it would shadow a name the
/// generated code relies on (`structure String` -> `String_`).
pub fn item(name: &str) -> String {
    let n = type_name(name);
    if RESERVED_ITEMS.contains(&n.as_str()) {
        format!("{n}_")
    } else {
        n
    }
}

/// A cargo package name derived from a namespace when no `metadata package`
/// names one: `org.wasmcloud.interface.keyvalue` -> `wasmcloud-interface-keyvalue`
/// (a leading reversed-domain `org`/`com`/`net`/`io`/`dev` is dropped).
pub fn package_from_namespace(namespace: &str) -> String {
    let mut parts: Vec<&str> = namespace.split('.').collect();
    if parts.len() > 1 && matches!(parts[0], "org" | "com" | "net" | "io" | "dev") {
        parts.remove(0);
    }
    parts
        .iter()
        .map(|p| p.to_snake_case().replace('_', "-"))
        .collect::<Vec<_>>()
        .join("-")
}

/// The crate name used in Rust paths for a package name: `-` -> `_`.
pub fn crate_ident(package: &str) -> String {
    package.replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_escaped() {
        assert_eq!(field("type"), "r#type");
        assert_eq!(field("self"), "self_");
        assert_eq!(type_name("Self"), "Self_");
        assert_eq!(field("listName"), "list_name");
        assert_eq!(type_name("keyValue"), "KeyValue");
        assert_eq!(field("queryString"), "query_string");
        assert_eq!(escape("1abc"), "_1abc");
        assert_eq!(item("String"), "String_");
        assert_eq!(item("option"), "Option_");
        assert_eq!(item("Thing"), "Thing");
    }

    #[test]
    fn package_names() {
        assert_eq!(
            package_from_namespace("org.wasmcloud.interface.keyvalue"),
            "wasmcloud-interface-keyvalue"
        );
        assert_eq!(package_from_namespace("example.weather"), "example-weather");
        assert_eq!(
            crate_ident("weld-interface-keyvalue"),
            "weld_interface_keyvalue"
        );
    }
}
