//! Text helpers for the HTML generator: documentation text to safe HTML, and
//! node values back to Smithy-like source text.
//!
//! Documentation is treated as plain text with three light conventions that
//! interface authors already use: blank lines separate paragraphs, lines
//! starting with `- ` or `* ` form a list, and backticks mark code (single
//! backticks inline, ``` fences for blocks). Everything else, including any
//! HTML in the text, is escaped: docs never inject markup.

use crate::model::{Node, Number};

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes `text` and turns `` `code` `` spans into `<code>` elements. An
/// unmatched backtick is kept as text.
fn inline_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        match after.find('`') {
            Some(close) if close > 0 => {
                out.push_str(&escape_html(&rest[..open]));
                out.push_str("<code>");
                out.push_str(&escape_html(&after[..close]));
                out.push_str("</code>");
                rest = &after[close + 1..];
            }
            _ => {
                // `` or a lone backtick: literal text up to and including it.
                out.push_str(&escape_html(&rest[..=open]));
                rest = after;
            }
        }
    }
    out.push_str(&escape_html(rest));
    out
}

/// The bullet text if `line` is a list item (`- x` or `* x`).
fn list_item(line: &str) -> Option<&str> {
    let t = line.trim_start();
    t.strip_prefix("- ").or_else(|| t.strip_prefix("* "))
}

/// Writes one block of consecutive non-blank lines.
fn flush_block(lines: &mut Vec<&str>, out: &mut String) {
    if lines.is_empty() {
        return;
    }
    if lines.iter().all(|l| list_item(l).is_some()) {
        out.push_str("<ul>");
        for l in lines.iter() {
            out.push_str("<li>");
            out.push_str(&inline_html(list_item(l).unwrap_or(l).trim()));
            out.push_str("</li>");
        }
        out.push_str("</ul>\n");
    } else {
        let joined: Vec<&str> = lines.iter().map(|l| l.trim()).collect();
        out.push_str("<p>");
        out.push_str(&inline_html(&joined.join("\n")));
        out.push_str("</p>\n");
    }
    lines.clear();
}

/// Writes a fenced code block.
fn flush_fence(lines: &mut Vec<&str>, out: &mut String) {
    out.push_str("<pre><code>");
    out.push_str(&escape_html(&lines.join("\n")));
    out.push_str("</code></pre>\n");
    lines.clear();
}

/// Renders documentation text as HTML: escaped, with paragraphs, lists and
/// code kept. Empty input gives an empty string.
pub fn doc_to_html(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len() + 32);
    let mut block: Vec<&str> = Vec::new();
    let mut fence: Option<Vec<&str>> = None;
    for line in doc.lines() {
        if line.trim_start().starts_with("```") {
            match fence.take() {
                Some(mut lines) => flush_fence(&mut lines, &mut out),
                None => {
                    flush_block(&mut block, &mut out);
                    fence = Some(Vec::new());
                }
            }
            continue;
        }
        if let Some(lines) = fence.as_mut() {
            lines.push(line);
        } else if line.trim().is_empty() {
            flush_block(&mut block, &mut out);
        } else {
            block.push(line);
        }
    }
    // An unterminated fence still shows its content as code.
    if let Some(mut lines) = fence {
        flush_fence(&mut lines, &mut out);
    }
    flush_block(&mut block, &mut out);
    out.truncate(out.trim_end().len());
    out
}

/// The first paragraph of `doc` as HTML (for summaries in tables).
pub fn summary_html(doc: &str) -> String {
    let mut first: Vec<&str> = Vec::new();
    for line in doc.lines() {
        if line.trim().is_empty() {
            if first.is_empty() {
                continue;
            }
            break;
        }
        if line.trim_start().starts_with("```") {
            break;
        }
        first.push(line.trim());
    }
    inline_html(&first.join("\n"))
}

/// True if `s` can be written as a bare Smithy identifier (object keys).
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Writes `s` as a quoted string with JSON-style escapes.
fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_number(n: &Number, out: &mut String) {
    match n {
        Number::Int(i) => out.push_str(&i.to_string()),
        Number::Float(f) => {
            let s = f.to_string();
            out.push_str(&s);
        }
        Number::BigInt(s) => out.push_str(s),
    }
}

fn write_node(node: &Node, out: &mut String) {
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Number(n) => write_number(n, out),
        Node::String(s) => quote(s, out),
        Node::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_node(item, out);
            }
            out.push(']');
        }
        Node::Object(map) => {
            out.push('{');
            write_entries(map, out);
            out.push('}');
        }
    }
}

fn write_entries(map: &indexmap::IndexMap<String, Node>, out: &mut String) {
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if is_identifier(k) {
            out.push_str(k);
        } else {
            quote(k, out);
        }
        out.push_str(": ");
        write_node(v, out);
    }
}

/// A node value as Smithy IDL source text (`{name: "x"}`, `[1, 2]`, `"s"`).
pub fn node_text(node: &Node) -> String {
    let mut out = String::new();
    write_node(node, &mut out);
    out
}

/// The argument part of a trait application as it would be written in IDL:
/// empty for an annotation trait (`@required`), `(name: "x")` for a
/// structure value, `(0)` for anything else.
pub fn trait_args(value: &Node) -> String {
    match value {
        Node::Object(map) if map.is_empty() => String::new(),
        Node::Object(map) => {
            let mut out = String::from("(");
            write_entries(map, &mut out);
            out.push(')');
            out
        }
        other => format!("({})", node_text(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indexmap::IndexMap;

    #[test]
    fn escapes_markup_in_docs() {
        let html = doc_to_html("Beware <script>alert('x')</script> & co");
        assert_eq!(
            html,
            "<p>Beware &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co</p>"
        );
    }

    #[test]
    fn keeps_paragraphs_lists_and_code() {
        let html = doc_to_html("First line\nsame para.\n\n- one\n- `two`\n\n```\na < b\n```\nlast");
        assert_eq!(
            html,
            "<p>First line\nsame para.</p>\n<ul><li>one</li><li><code>two</code></li></ul>\n\
             <pre><code>a &lt; b</code></pre>\n<p>last</p>"
        );
    }

    #[test]
    fn code_spans_escape_and_unmatched_backticks_stay() {
        assert_eq!(inline_html("a `<b>` c"), "a <code>&lt;b&gt;</code> c");
        assert_eq!(inline_html("it`s <odd>"), "it`s &lt;odd&gt;");
        assert_eq!(inline_html("``"), "``");
    }

    #[test]
    fn summary_is_first_paragraph() {
        assert_eq!(summary_html("\nOne\ntwo\n\nThree"), "One\ntwo");
    }

    #[test]
    fn trait_args_forms() {
        let mut obj = IndexMap::new();
        obj.insert("name".to_string(), Node::String("actor_id".into()));
        obj.insert("odd key".to_string(), Node::Bool(true));
        assert_eq!(
            trait_args(&Node::Object(obj)),
            "(name: \"actor_id\", \"odd key\": true)"
        );
        assert_eq!(trait_args(&Node::Object(IndexMap::new())), "");
        assert_eq!(trait_args(&Node::Number(Number::Int(3))), "(3)");
        assert_eq!(
            node_text(&Node::Array(vec![
                Node::Null,
                Node::String("a\"b\n".into())
            ])),
            "[null, \"a\\\"b\\n\"]"
        );
    }
}
