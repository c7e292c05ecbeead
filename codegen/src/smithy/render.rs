//! Rendering diagnostics for people (rustc-style text via
//! `codespan-reporting`) and for tools (JSON). Rendering returns strings;
//! only the CLI prints them.

use super::diagnostics::{Diagnostic, Severity};
use super::source::{FileId, SourceMap};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term;
use serde_json::{json, Value};
use std::ops::Range;

/// Adapts a [`SourceMap`] to codespan's file database, reusing the line
/// table the map already computed.
struct CsFiles<'a>(&'a SourceMap);

impl<'a> CsFiles<'a> {
    fn file(&self, id: FileId) -> Result<&'a super::source::SourceFile, FilesError> {
        if self.0.iter().any(|(i, _)| i == id) {
            Ok(self.0.get(id))
        } else {
            Err(FilesError::FileMissing)
        }
    }
}

impl<'a> Files<'a> for CsFiles<'a> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.file(id)?.name)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.file(id)?.text)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        let starts = self.file(id)?.line_starts();
        let b = byte_index as u32;
        Ok(match starts.binary_search(&b) {
            Ok(l) => l,
            Err(l) => l - 1,
        })
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let f = self.file(id)?;
        let starts = f.line_starts();
        let start = *starts.get(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: starts.len() - 1,
        })? as usize;
        let end = starts
            .get(line_index + 1)
            .map_or(f.text.len(), |&e| e as usize);
        Ok(start..end)
    }
}

/// Clamps a span to the file and to character boundaries, so a slightly
/// off span (e.g. at end of file) still renders instead of failing.
fn clamp(sources: &SourceMap, file: FileId, r: Range<usize>) -> Range<usize> {
    let text = &sources.get(file).text;
    let fix = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let (s, e) = (fix(r.start), fix(r.end));
    s..e.max(s)
}

fn has_file(sources: &SourceMap, id: FileId) -> bool {
    sources.iter().any(|(i, _)| i == id)
}

fn to_codespan(sources: &SourceMap, d: &Diagnostic) -> cs::Diagnostic<FileId> {
    let base = match d.severity {
        Severity::Error => cs::Diagnostic::error(),
        Severity::Warning => cs::Diagnostic::warning(),
        Severity::Note => cs::Diagnostic::note(),
    };
    let mut labels = Vec::new();
    if let Some(span) = d.span.filter(|s| has_file(sources, s.file)) {
        labels.push(
            cs::Label::primary(span.file, clamp(sources, span.file, span.range()))
                .with_message(d.label.clone().unwrap_or_default()),
        );
    }
    for l in d.labels.iter().filter(|l| has_file(sources, l.span.file)) {
        labels.push(
            cs::Label::secondary(l.span.file, clamp(sources, l.span.file, l.span.range()))
                .with_message(l.message.clone()),
        );
    }
    base.with_code(d.code)
        .with_message(d.message.clone())
        .with_labels(labels)
        .with_notes(
            d.notes
                .iter()
                .map(|n| {
                    // rustc style: `= note: ...`, `= help: ...` kept as written.
                    if n.starts_with("help:") || n.starts_with("note:") {
                        n.clone()
                    } else {
                        format!("note: {n}")
                    }
                })
                .collect(),
        )
}

/// Renders diagnostics the way rustc does:
///
/// ```text
/// error[E0210]: unresolved shape `Foo`
///  --> model.smithy:3:12
///   |
/// 3 |     value: Foo
///   |            ^^^ not defined
///   |
///   = note: ...
/// ```
///
/// With `color`, ANSI escape codes are included.
pub fn render_human(sources: &SourceMap, diags: &[Diagnostic], color: bool) -> String {
    // ASCII borders read like rustc's and survive any terminal or log file.
    let config = term::Config {
        chars: term::Chars::ascii(),
        ..term::Config::default()
    };
    let mut out = String::new();
    for d in diags {
        if let Some(len) = longest_line(sources, d).filter(|&l| l > MAX_SNIPPET_LINE) {
            out.push_str(&render_without_snippet(sources, d, len));
            continue;
        }
        let csd = to_codespan(sources, d);
        let files = CsFiles(sources);
        let rendered = if color {
            let mut w = term::termcolor::Ansi::new(Vec::new());
            term::emit_to_write_style(&mut w, &config, &files, &csd)
                .map(|()| String::from_utf8_lossy(&w.into_inner()).into_owned())
        } else {
            term::emit_into_string(&config, &files, &csd)
        };
        match rendered {
            Ok(s) => out.push_str(&s),
            // Only reachable with spans into files not in the map; never
            // lose the diagnostic itself.
            Err(_) => {
                out.push_str(&format!(
                    "{}[{}]: {}\n",
                    severity_word(d.severity),
                    d.code,
                    d.message
                ));
            }
        }
    }
    out
}

/// Source lines longer than this (bytes) are not shown: a minified or
/// garbage file would otherwise print megabytes per diagnostic.
pub const MAX_SNIPPET_LINE: usize = 1000;

/// Length of the longest source line any label of `d` touches.
fn longest_line(sources: &SourceMap, d: &Diagnostic) -> Option<usize> {
    let spans = d
        .span
        .into_iter()
        .chain(d.labels.iter().map(|l| l.span))
        .filter(|s| has_file(sources, s.file));
    let mut longest = None;
    for span in spans {
        let f = sources.get(span.file);
        let starts = f.line_starts();
        let r = clamp(sources, span.file, span.range());
        let first = starts
            .partition_point(|&s| s as usize <= r.start)
            .saturating_sub(1);
        let last = starts
            .partition_point(|&s| s as usize <= r.end)
            .saturating_sub(1);
        // Only the first and last lines matter for the length check: a
        // multi-line label shows its ends.
        for line in [first, last] {
            let start = starts[line] as usize;
            let end = starts.get(line + 1).map_or(f.text.len(), |&e| e as usize);
            longest = longest.max(Some(end - start));
        }
    }
    longest
}

/// The rustc layout without the source snippet.
fn render_without_snippet(sources: &SourceMap, d: &Diagnostic, line_len: usize) -> String {
    let mut s = format!("{}[{}]: {}\n", severity_word(d.severity), d.code, d.message);
    if let Some(span) = d.span.filter(|s| has_file(sources, s.file)) {
        let r = clamp(sources, span.file, span.range());
        let f = sources.get(span.file);
        let (line, col) = f.line_col(r.start as u32);
        s.push_str(&format!("  --> {}:{line}:{col}\n", f.name));
        if let Some(label) = &d.label {
            s.push_str(&format!("  = {label}\n"));
        }
    }
    for l in d.labels.iter().filter(|l| has_file(sources, l.span.file)) {
        let f = sources.get(l.span.file);
        let (line, col) = f.line_col(l.span.start.min(f.text.len() as u32));
        s.push_str(&format!("  = {}:{line}:{col}: {}\n", f.name, l.message));
    }
    s.push_str(&format!(
        "  = note: source line not shown ({line_len} bytes long)\n"
    ));
    for n in &d.notes {
        if n.starts_with("help:") || n.starts_with("note:") {
            s.push_str(&format!("  = {n}\n"));
        } else {
            s.push_str(&format!("  = note: {n}\n"));
        }
    }
    s.push('\n');
    s
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// Line/column (1-based) of the start and end of a span, as JSON fields.
fn position(sources: &SourceMap, file: FileId, r: Range<usize>) -> (usize, usize, usize, usize) {
    let f = sources.get(file);
    let r = clamp(sources, file, r);
    let (l1, c1) = f.line_col(r.start as u32);
    let (l2, c2) = f.line_col(r.end as u32);
    (l1, c1, l2, c2)
}

/// Renders diagnostics as a JSON array for tools. Each element:
/// `{severity, code, message, file, line, column, end_line, end_column,
/// labels: [{file, line, column, end_line, end_column, message}], notes}`;
/// positions are 1-based, columns count characters, the end is exclusive.
/// Location fields are `null` for diagnostics without a span.
pub fn render_json(sources: &SourceMap, diags: &[Diagnostic]) -> Value {
    let mut out = Vec::with_capacity(diags.len());
    for d in diags {
        let mut o = json!({
            "severity": severity_word(d.severity),
            "code": d.code,
            "message": d.message,
            "file": null,
            "line": null,
            "column": null,
            "end_line": null,
            "end_column": null,
        });
        let mut labels = Vec::new();
        if let Some(span) = d.span.filter(|s| has_file(sources, s.file)) {
            let (l1, c1, l2, c2) = position(sources, span.file, span.range());
            o["file"] = json!(sources.get(span.file).name);
            o["line"] = json!(l1);
            o["column"] = json!(c1);
            o["end_line"] = json!(l2);
            o["end_column"] = json!(c2);
            if let Some(label) = &d.label {
                labels.push(json!({
                    "primary": true,
                    "file": sources.get(span.file).name,
                    "line": l1, "column": c1, "end_line": l2, "end_column": c2,
                    "message": label,
                }));
            }
        }
        for l in d.labels.iter().filter(|l| has_file(sources, l.span.file)) {
            let (l1, c1, l2, c2) = position(sources, l.span.file, l.span.range());
            labels.push(json!({
                "primary": false,
                "file": sources.get(l.span.file).name,
                "line": l1, "column": c1, "end_line": l2, "end_column": c2,
                "message": l.message,
            }));
        }
        o["labels"] = Value::Array(labels);
        o["notes"] = json!(d.notes);
        out.push(o);
    }
    Value::Array(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smithy::source::Span;

    fn sample() -> (SourceMap, Vec<Diagnostic>) {
        let mut sm = SourceMap::new();
        let f = sm.add(
            "a.smithy",
            "namespace ex\n\nstructure S {\n    x: Missing\n}\n",
        );
        let start = sm.get(f).text.find("Missing").unwrap();
        let d = Diagnostic::error(
            "E0210",
            Span::new(f, start, start + 7),
            "unresolved shape `Missing`",
        )
        .with_label("not defined")
        .with_secondary(Span::new(f, 0, 9), "in this namespace")
        .with_note("did you mean `String`?");
        (sm, vec![d])
    }

    #[test]
    fn human_output_is_rustc_like() {
        let (sm, d) = sample();
        let s = render_human(&sm, &d, false);
        assert!(
            s.starts_with("error[E0210]: unresolved shape `Missing`\n"),
            "{s}"
        );
        assert!(s.contains("a.smithy:4:8"), "{s}");
        assert!(
            s.contains("4 │     x: Missing") || s.contains("4 |     x: Missing"),
            "{s}"
        );
        assert!(s.contains("^^^^^^^ not defined"), "{s}");
        assert!(s.contains("= note: did you mean `String`?"), "{s}");
        assert!(!s.contains('\u{1b}'));
        assert!(render_human(&sm, &d, true).contains('\u{1b}'));
    }

    #[test]
    fn json_output_has_positions() {
        let (sm, d) = sample();
        let v = render_json(&sm, &d);
        let e = &v[0];
        assert_eq!(e["code"], "E0210");
        assert_eq!(e["severity"], "error");
        assert_eq!(
            (e["line"].as_u64(), e["column"].as_u64()),
            (Some(4), Some(8))
        );
        assert_eq!(
            (e["end_line"].as_u64(), e["end_column"].as_u64()),
            (Some(4), Some(15))
        );
        assert_eq!(e["file"], "a.smithy");
        assert_eq!(e["labels"][0]["message"], "not defined");
        assert_eq!(e["labels"][1]["line"], 1);
        assert_eq!(e["notes"][0], "did you mean `String`?");
    }

    #[test]
    fn long_lines_are_not_printed() {
        let mut sm = SourceMap::new();
        let text = format!("namespace a\n{}\n", "x".repeat(5000));
        let f = sm.add("long.smithy", text);
        let d = Diagnostic::error("E0100", Span::new(f, 4012, 4013), "bad x")
            .with_label("here")
            .with_note("try less x");
        let s = render_human(&sm, &[d], false);
        assert!(
            s.starts_with("error[E0100]: bad x\n  --> long.smithy:2:4001\n"),
            "{s}"
        );
        assert!(s.contains("source line not shown (5001 bytes long)"), "{s}");
        assert!(s.contains("= note: try less x"), "{s}");
        assert!(s.len() < 300, "{s}");
    }

    #[test]
    fn spanless_and_out_of_range_spans_render() {
        let mut sm = SourceMap::new();
        let f = sm.add("e.smithy", "ab");
        let mut d = Diagnostic::error("E0001", Span::new(f, 5, 9), "past the end");
        let mut no_span = d.clone();
        no_span.span = None;
        d.labels.clear();
        let s = render_human(&sm, &[d.clone(), no_span.clone()], false);
        assert!(s.contains("error[E0001]: past the end"), "{s}");
        assert!(s.contains("e.smithy:1:3"), "{s}");
        let v = render_json(&sm, &[d, no_span]);
        assert_eq!(v[1]["line"], Value::Null);
    }
}
