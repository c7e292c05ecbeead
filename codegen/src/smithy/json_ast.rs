//! The Smithy JSON AST: reading it as an input file and writing a model as it.
//!
//! # Reading
//! [`read`] turns one JSON AST document (`smithy`, `metadata`, `shapes` keyed
//! by absolute shape id) into an unflattened [`Fragment`], exactly like the
//! IDL parser does for `.smithy` files, so the assembler treats both alike.
//! `serde_json` keeps no positions, so this module has its own small JSON
//! parser that records a byte span for every value and key: every diagnostic
//! points at `file:line:col`.
//!
//! Diagnostic codes (stable):
//!
//! | code  | meaning |
//! |-------|---------|
//! | E0300 | JSON syntax error |
//! | E0301 | unterminated string |
//! | E0302 | invalid string escape or control character in a string |
//! | E0303 | invalid or out-of-range number |
//! | E0304 | nesting too deep |
//! | E0305 | duplicate object key |
//! | E0306 | trailing content after the document |
//! | E0310 | a value has the wrong JSON type |
//! | E0311 | missing or unsupported `smithy` version |
//! | E0312 | invalid shape id |
//! | E0313 | unknown shape `type` |
//! | E0314 | required property missing |
//! | E0316 | invalid member, identifier or rename name |
//! | W0315 | unknown property (ignored, as Smithy does) |
//!
//! # Writing
//! [`write`] / [`write_string`] produce the official JSON AST of a model:
//! `"smithy": "2.0"` (or "1.0" when IDL 1.0 files are part of the model,
//! see [`write_string`]), prelude shapes left out, members in declaration order,
//! shapes with mixins written with their `mixins` and only what they add
//! (the way Smithy's own serializer writes them, so reading the output back
//! re-flattens to the same model).

use super::diagnostics::Diagnostic;
use super::fragment::{Apply, Fragment, MetadataEntry};
use super::source::{FileId, Span};
use crate::model::{
    IdlVersion, Member, Model, Node, Number, Operation, Resource, Service, Shape, ShapeId,
    ShapeKind, ShapeRef, SimpleKind, TraitValue, Traits,
};
use indexmap::IndexMap;
use std::collections::HashSet;
use std::fmt::Write as _;

/// Deepest nesting of arrays/objects accepted. Far beyond any real model,
/// low enough that recursion cannot exhaust a thread's stack.
pub const MAX_DEPTH: usize = 128;

// ---------------------------------------------------------------------------
// Span-tracking JSON parser
// ---------------------------------------------------------------------------

/// A parsed JSON value with the span of its text.
#[derive(Debug, Clone)]
struct JVal {
    kind: JKind,
    span: Span,
}

#[derive(Debug, Clone)]
enum JKind {
    Null,
    Bool(bool),
    Num(Number),
    Str(String),
    Arr(Vec<JVal>),
    Obj(Vec<JMember>),
}

/// One `"key": value` pair of an object.
#[derive(Debug, Clone)]
struct JMember {
    key: String,
    key_span: Span,
    value: JVal,
}

impl JKind {
    fn type_name(&self) -> &'static str {
        match self {
            JKind::Null => "null",
            JKind::Bool(_) => "a boolean",
            JKind::Num(_) => "a number",
            JKind::Str(_) => "a string",
            JKind::Arr(_) => "an array",
            JKind::Obj(_) => "an object",
        }
    }
}

struct JsonParser<'a> {
    file: FileId,
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

type JResult<T> = Result<T, Diagnostic>;

impl<'a> JsonParser<'a> {
    fn new(file: FileId, text: &'a str) -> Self {
        let mut p = JsonParser {
            file,
            text,
            bytes: text.as_bytes(),
            pos: 0,
            depth: 0,
        };
        // Editors on some platforms write a byte-order mark; it is not JSON
        // text but harmless, so skip it rather than fail.
        if text.starts_with('\u{feff}') {
            p.pos = 3;
        }
        p
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    /// A span covering the character at `pos` (empty at end of input).
    fn char_span(&self, pos: usize) -> Span {
        let len = self.text[pos..].chars().next().map_or(0, char::len_utf8);
        self.span(pos, pos + len)
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn unexpected(&self, expected: &str) -> Diagnostic {
        match self.text[self.pos..].chars().next() {
            None => Diagnostic::error(
                "E0300",
                self.span(self.pos, self.pos),
                format!("unexpected end of input, expected {expected}"),
            )
            .with_label(format!("expected {expected}")),
            Some(c) => Diagnostic::error(
                "E0300",
                self.char_span(self.pos),
                format!("unexpected character {c:?}, expected {expected}"),
            )
            .with_label(format!("expected {expected}")),
        }
    }

    /// Parses a whole document: one value and nothing after it.
    fn document(&mut self) -> JResult<JVal> {
        self.skip_ws();
        let v = self.value()?;
        self.skip_ws();
        if self.pos < self.bytes.len() {
            return Err(Diagnostic::error(
                "E0306",
                self.char_span(self.pos),
                "unexpected content after the end of the JSON document",
            )
            .with_label("the document already ended"));
        }
        Ok(v)
    }

    fn value(&mut self) -> JResult<JVal> {
        let start = self.pos;
        match self.bytes.get(self.pos) {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => {
                let s = self.string()?;
                Ok(JVal {
                    kind: JKind::Str(s),
                    span: self.span(start, self.pos),
                })
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.keyword("true", JKind::Bool(true)),
            Some(b'f') => self.keyword("false", JKind::Bool(false)),
            Some(b'n') => self.keyword("null", JKind::Null),
            _ => Err(self.unexpected("a JSON value")),
        }
    }

    fn keyword(&mut self, word: &str, kind: JKind) -> JResult<JVal> {
        let start = self.pos;
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            // `truex` is not `true` followed by garbage we should explain
            // separately: treat the whole word as one bad token.
            if self
                .bytes
                .get(self.pos)
                .is_some_and(|b| b.is_ascii_alphanumeric())
            {
                self.pos = start;
                return Err(self.bad_word());
            }
            Ok(JVal {
                kind,
                span: self.span(start, self.pos),
            })
        } else {
            Err(self.bad_word())
        }
    }

    fn bad_word(&self) -> Diagnostic {
        let end = self.bytes[self.pos..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(self.bytes.len(), |n| self.pos + n);
        let end = end.max(self.pos + 1).min(self.bytes.len());
        let mut end = end;
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        Diagnostic::error(
            "E0300",
            self.span(self.pos, end),
            format!("invalid JSON value `{}`", &self.text[self.pos..end]),
        )
        .with_label("expected a string, number, object, array, true, false or null")
    }

    fn enter(&mut self, start: usize) -> JResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Diagnostic::error(
                "E0304",
                self.span(start, start + 1),
                format!("JSON nested more than {MAX_DEPTH} levels deep"),
            )
            .with_label("too deep"));
        }
        Ok(())
    }

    fn array(&mut self) -> JResult<JVal> {
        let start = self.pos;
        self.enter(start)?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                items.push(self.value()?);
                self.skip_ws();
                match self.bytes.get(self.pos) {
                    Some(b',') => self.pos += 1,
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    _ => {
                        return Err(self
                            .unexpected("`,` or `]`")
                            .with_secondary(self.span(start, start + 1), "array starts here"))
                    }
                }
            }
        }
        self.depth -= 1;
        Ok(JVal {
            kind: JKind::Arr(items),
            span: self.span(start, self.pos),
        })
    }

    fn object(&mut self) -> JResult<JVal> {
        let start = self.pos;
        self.enter(start)?;
        self.pos += 1;
        let mut members: Vec<JMember> = Vec::new();
        // Small objects (nearly all of them) are checked for duplicate keys
        // by a scan; a set is built only once an object grows large.
        let mut seen: Option<HashSet<String>> = None;
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                if self.bytes.get(self.pos) != Some(&b'"') {
                    return Err(self.unexpected("a string key"));
                }
                let key_start = self.pos;
                let key = self.string()?;
                let key_span = self.span(key_start, self.pos);
                let duplicate = match &mut seen {
                    Some(set) => !set.insert(key.clone()),
                    None => {
                        let dup = members.iter().any(|m| m.key == key);
                        if members.len() >= 16 {
                            let mut set: HashSet<String> =
                                members.iter().map(|m| m.key.clone()).collect();
                            set.insert(key.clone());
                            seen = Some(set);
                        }
                        dup
                    }
                };
                if duplicate {
                    let first = members
                        .iter()
                        .find(|m| m.key == key)
                        .map(|m| m.key_span)
                        .unwrap_or(key_span);
                    return Err(Diagnostic::error(
                        "E0305",
                        key_span,
                        format!("duplicate key {key:?}"),
                    )
                    .with_label("defined again here")
                    .with_secondary(first, "first defined here"));
                }
                self.skip_ws();
                if self.bytes.get(self.pos) != Some(&b':') {
                    return Err(self.unexpected("`:`"));
                }
                self.pos += 1;
                self.skip_ws();
                let value = self.value()?;
                members.push(JMember {
                    key,
                    key_span,
                    value,
                });
                self.skip_ws();
                match self.bytes.get(self.pos) {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    _ => {
                        return Err(self
                            .unexpected("`,` or `}`")
                            .with_secondary(self.span(start, start + 1), "object starts here"))
                    }
                }
            }
        }
        self.depth -= 1;
        Ok(JVal {
            kind: JKind::Obj(members),
            span: self.span(start, self.pos),
        })
    }

    /// Parses a string starting at the opening quote; leaves `pos` after
    /// the closing quote.
    fn string(&mut self) -> JResult<String> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut run = self.pos;
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(Diagnostic::error(
                    "E0301",
                    self.span(open, open + 1),
                    "unterminated string",
                )
                .with_label("string starts here and never ends"));
            };
            match b {
                b'"' => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(&self.text[run..self.pos]);
                    self.escape(&mut out)?;
                    run = self.pos;
                }
                0..=0x1f => {
                    let what = if b == b'\n' {
                        return Err(Diagnostic::error(
                            "E0301",
                            self.span(open, open + 1),
                            "unterminated string (JSON strings cannot span lines)",
                        )
                        .with_label("string starts here")
                        .with_secondary(self.span(self.pos, self.pos + 1), "line ends here")
                        .with_note("write a line break inside a string as `\\n`"));
                    } else {
                        format!("control character U+{b:04X}")
                    };
                    return Err(Diagnostic::error(
                        "E0302",
                        self.span(self.pos, self.pos + 1),
                        format!("{what} in a string"),
                    )
                    .with_note("control characters must be escaped, e.g. `\\t` or `\\u0001`"));
                }
                _ => self.pos += 1,
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> JResult<()> {
        let start = self.pos;
        self.pos += 1;
        let Some(&c) = self.bytes.get(self.pos) else {
            return Err(Diagnostic::error(
                "E0301",
                self.span(start, start + 1),
                "unterminated string",
            ));
        };
        self.pos += 1;
        match c {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let hi = self.hex4(start)?;
                let ch = if (0xD800..0xDC00).contains(&hi) {
                    // A high surrogate must be followed by `\uDC00`..`\uDFFF`.
                    if self.bytes[self.pos..].starts_with(b"\\u") {
                        let lo_start = self.pos;
                        self.pos += 2;
                        let lo = self.hex4(lo_start)?;
                        if !(0xDC00..0xE000).contains(&lo) {
                            return Err(self.bad_surrogate(start));
                        }
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                    } else {
                        None
                    }
                } else {
                    char::from_u32(hi)
                };
                match ch {
                    Some(ch) => out.push(ch),
                    None => return Err(self.bad_surrogate(start)),
                }
            }
            _ => {
                self.pos -= 1;
                let sp = self.char_span(self.pos);
                self.pos = sp.end as usize;
                return Err(Diagnostic::error(
                    "E0302",
                    self.span(start, sp.end as usize),
                    "invalid escape sequence",
                )
                .with_label("not a JSON escape")
                .with_note("valid escapes: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"));
            }
        }
        Ok(())
    }

    fn bad_surrogate(&self, start: usize) -> Diagnostic {
        Diagnostic::error(
            "E0302",
            self.span(start, self.pos),
            "unpaired UTF-16 surrogate in `\\u` escape",
        )
        .with_label("not a Unicode scalar value")
    }

    /// Reads the 4 hex digits after `\u`; `pos` is just past the `u`.
    fn hex4(&mut self, esc_start: usize) -> JResult<u32> {
        let digits = self.bytes.get(self.pos..self.pos + 4);
        match digits {
            Some(d) if d.iter().all(u8::is_ascii_hexdigit) => {
                let s = std::str::from_utf8(d).unwrap_or("0");
                self.pos += 4;
                Ok(u32::from_str_radix(s, 16).unwrap_or(0))
            }
            _ => {
                let end = (self.pos..self.bytes.len().min(self.pos + 4))
                    .find(|&i| !self.bytes[i].is_ascii_hexdigit())
                    .unwrap_or(self.bytes.len().min(self.pos + 4));
                Err(
                    Diagnostic::error("E0302", self.span(esc_start, end), "invalid `\\u` escape")
                        .with_label("expected four hex digits after `\\u`"),
                )
            }
        }
    }

    fn number(&mut self) -> JResult<JVal> {
        let start = self.pos;
        let b = self.bytes;
        let mut p = self.pos;
        if b.get(p) == Some(&b'-') {
            p += 1;
        }
        let int_start = p;
        while b.get(p).is_some_and(u8::is_ascii_digit) {
            p += 1;
        }
        let bad = |p: usize, this: &Self, why: &str| {
            let mut end = p;
            while b.get(end).is_some_and(|c| {
                c.is_ascii_alphanumeric() || *c == b'.' || *c == b'+' || *c == b'-'
            }) {
                end += 1;
            }
            let end = end.max(p.min(b.len()));
            Diagnostic::error(
                "E0303",
                this.span(start, end.max(start + 1).min(b.len())),
                format!("invalid number: {why}"),
            )
        };
        if p == int_start {
            return Err(bad(p, self, "expected a digit"));
        }
        if b[int_start] == b'0' && p - int_start > 1 {
            return Err(bad(p, self, "leading zeros are not allowed"));
        }
        let mut is_float = false;
        if b.get(p) == Some(&b'.') {
            p += 1;
            let f = p;
            while b.get(p).is_some_and(u8::is_ascii_digit) {
                p += 1;
            }
            if p == f {
                return Err(bad(p, self, "expected a digit after `.`"));
            }
            is_float = true;
        }
        if matches!(b.get(p), Some(b'e' | b'E')) {
            p += 1;
            if matches!(b.get(p), Some(b'+' | b'-')) {
                p += 1;
            }
            let e = p;
            while b.get(p).is_some_and(u8::is_ascii_digit) {
                p += 1;
            }
            if p == e {
                return Err(bad(p, self, "expected a digit in the exponent"));
            }
            is_float = true;
        }
        if b.get(p).is_some_and(|c| c.is_ascii_alphabetic()) {
            return Err(bad(p, self, "unexpected letter"));
        }
        let text = &self.text[start..p];
        let num = if is_float {
            // Beyond f64 (a `bigDecimal` value) the text is kept.
            match Number::big_decimal(text) {
                Some(n) => n,
                None => {
                    return Err(Diagnostic::error(
                        "E0303",
                        self.span(start, p),
                        "malformed number",
                    ))
                }
            }
        } else {
            match text.parse::<i64>() {
                Ok(i) => Number::Int(i),
                // Integers beyond i64 are kept exactly, as written.
                Err(_) => Number::BigInt(text.to_string()),
            }
        };
        self.pos = p;
        Ok(JVal {
            kind: JKind::Num(num),
            span: self.span(start, p),
        })
    }
}

// ---------------------------------------------------------------------------
// JSON AST -> Fragment
// ---------------------------------------------------------------------------

/// Reads one Smithy JSON AST document into an unflattened fragment.
///
/// Syntax errors stop reading and return `None`; errors in individual shapes,
/// members or traits are all reported and the offending item skipped, so one
/// run shows every problem. Diagnostics are appended to `diags`.
pub fn read(file: FileId, text: &str, diags: &mut Vec<Diagnostic>) -> Option<Fragment> {
    let root = match JsonParser::new(file, text).document() {
        Ok(v) => v,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let mut r = Reader { diags };
    r.document(file, root)
}

/// What a value is, for messages. Formatted only when a diagnostic is
/// made: building these strings eagerly for every member cost more than
/// reading the JSON.
#[derive(Clone, Copy)]
enum Ctx<'a> {
    Text(&'a str),
    Shape(&'a ShapeId),
    Member(&'a ShapeId, &'a str),
    Prop(&'a str),
    Kind(&'a str),
}

impl std::fmt::Display for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ctx::Text(s) => f.write_str(s),
            Ctx::Shape(id) => write!(f, "shape `{id}`"),
            Ctx::Member(id, m) => write!(f, "member `{id}${m}`"),
            Ctx::Prop(p) => write!(f, "`{p}`"),
            Ctx::Kind(k) => write!(f, "a `{k}` shape"),
        }
    }
}

struct Reader<'d> {
    diags: &'d mut Vec<Diagnostic>,
}

fn is_identifier(s: &str) -> bool {
    // identifier = (1*"_" (ALPHA / DIGIT)) / ALPHA, then *(ALPHA / DIGIT / "_")
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i] == b'_' {
        i += 1;
    }
    match b.get(i) {
        Some(c) if c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()) => {}
        _ => return false,
    }
    b[i..]
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// Parses an absolute shape id, checking every segment's syntax.
fn parse_absolute(s: &str) -> Option<ShapeId> {
    let id = ShapeId::parse(s)?;
    let ok = id.namespace.split('.').all(is_identifier)
        && is_identifier(&id.name)
        && id.member.as_deref().is_none_or(is_identifier);
    ok.then_some(id)
}

impl Reader<'_> {
    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn wrong_type(&mut self, v: &JVal, what: Ctx<'_>, expected: &str) {
        self.err(
            Diagnostic::error(
                "E0310",
                v.span,
                format!("{what} must be {expected}, found {}", v.kind.type_name()),
            )
            .with_label(format!("expected {expected}")),
        );
    }

    fn unknown_property(&mut self, m: &JMember, context: Ctx<'_>, allowed: &[&str]) {
        let mut d = Diagnostic::warning(
            "W0315",
            m.key_span,
            format!("unknown property {:?} in {context}; ignored", m.key),
        )
        .with_label("not a known property");
        if !allowed.is_empty() {
            d = d.with_note(format!("expected one of: {}", allowed.join(", ")));
        }
        self.err(d);
    }

    fn as_object<'v>(&mut self, v: &'v JVal, what: Ctx<'_>) -> Option<&'v [JMember]> {
        match &v.kind {
            JKind::Obj(m) => Some(m),
            _ => {
                self.wrong_type(v, what, "an object");
                None
            }
        }
    }

    fn as_array<'v>(&mut self, v: &'v JVal, what: Ctx<'_>) -> Option<&'v [JVal]> {
        match &v.kind {
            JKind::Arr(a) => Some(a),
            _ => {
                self.wrong_type(v, what, "an array");
                None
            }
        }
    }

    fn as_str<'v>(&mut self, v: &'v JVal, what: Ctx<'_>) -> Option<&'v str> {
        match &v.kind {
            JKind::Str(s) => Some(s),
            _ => {
                self.wrong_type(v, what, "a string");
                None
            }
        }
    }

    fn shape_id(&mut self, s: &str, span: Span, allow_member: bool) -> Option<ShapeId> {
        match parse_absolute(s) {
            Some(id) if allow_member || id.member.is_none() => Some(id),
            Some(_) => {
                self.err(
                    Diagnostic::error(
                        "E0312",
                        span,
                        format!("`{s}` is a member id; a shape id is required here"),
                    )
                    .with_label("remove the `$member` part"),
                );
                None
            }
            None => {
                let mut d =
                    Diagnostic::error("E0312", span, format!("invalid absolute shape id {s:?}"))
                        .with_label("expected `namespace#Name`");
                if !s.contains('#') && is_identifier(s) {
                    d = d.with_note(format!(
                        "the JSON AST needs absolute ids, e.g. `smithy.api#{s}`"
                    ));
                }
                self.err(d);
                None
            }
        }
    }

    fn document(&mut self, file: FileId, root: JVal) -> Option<Fragment> {
        let members = self.as_object(&root, Ctx::Text("a JSON AST document"))?;
        let mut version = None;
        let mut frag = Fragment {
            file,
            version: IdlVersion::V2,
            namespace: None,
            metadata: Vec::new(),
            shapes: Vec::new(),
            applies: Vec::new(),
        };
        for m in members {
            match m.key.as_str() {
                "smithy" => {
                    let Some(v) = self.as_str(&m.value, Ctx::Text("`smithy`")) else {
                        continue;
                    };
                    version = match v {
                        "1" | "1.0" => Some(IdlVersion::V1),
                        "2" | "2.0" => Some(IdlVersion::V2),
                        other => {
                            self.err(
                                Diagnostic::error(
                                    "E0311",
                                    m.value.span,
                                    format!("unsupported Smithy version {other:?}"),
                                )
                                .with_label("expected \"1.0\" or \"2.0\""),
                            );
                            continue;
                        }
                    };
                }
                "metadata" => {
                    let Some(entries) = self.as_object(&m.value, Ctx::Text("`metadata`")) else {
                        continue;
                    };
                    for e in entries {
                        let value = self.node(&e.value);
                        frag.metadata.push(MetadataEntry {
                            key: e.key.clone(),
                            value,
                            span: e.key_span.to(e.value.span),
                        });
                    }
                }
                "shapes" => {
                    let Some(shapes) = self.as_object(&m.value, Ctx::Text("`shapes`")) else {
                        continue;
                    };
                    for s in shapes {
                        self.shape_entry(s, &mut frag);
                    }
                }
                _ => self.unknown_property(
                    m,
                    Ctx::Text("the document"),
                    &["smithy", "metadata", "shapes"],
                ),
            }
        }
        match version {
            Some(v) => frag.version = v,
            None => {
                if !members.iter().any(|m| m.key == "smithy") {
                    self.err(
                        Diagnostic::error(
                            "E0311",
                            Span::new(file, root.span.start as usize, root.span.start as usize + 1),
                            "JSON AST document has no `smithy` version",
                        )
                        .with_label("add `\"smithy\": \"2.0\"` here"),
                    );
                }
            }
        }
        if frag.version == IdlVersion::V2 {
            // In 2.0 an operation without `input` / `output` has
            // `smithy.api#Unit` for them, as Smithy's model does.
            for shape in &mut frag.shapes {
                if let ShapeKind::Operation(o) = &mut shape.kind {
                    for slot in [&mut o.input, &mut o.output] {
                        slot.get_or_insert_with(|| ShapeRef {
                            id: ShapeId::prelude("Unit"),
                            span: shape.span,
                        });
                    }
                }
            }
        }
        frag.namespace = frag.shapes.first().map(|s| s.id.namespace.clone());
        Some(frag)
    }

    /// Converts a JSON value to a node value (no Smithy checks apply).
    fn node(&mut self, v: &JVal) -> Node {
        match &v.kind {
            JKind::Null => Node::Null,
            JKind::Bool(b) => Node::Bool(*b),
            JKind::Num(n) => Node::Number(n.clone()),
            JKind::Str(s) => Node::String(s.clone()),
            JKind::Arr(a) => Node::Array(a.iter().map(|x| self.node(x)).collect()),
            JKind::Obj(o) => Node::Object(
                o.iter()
                    .map(|m| (m.key.clone(), self.node(&m.value)))
                    .collect(),
            ),
        }
    }

    fn traits(&mut self, v: &JVal) -> Traits {
        let mut out = Traits::default();
        let Some(entries) = self.as_object(v, Ctx::Text("`traits`")) else {
            return out;
        };
        for e in entries {
            let Some(id) = self.shape_id(&e.key, e.key_span, false) else {
                continue;
            };
            let value = self.node(&e.value);
            out.insert(
                id,
                TraitValue {
                    value,
                    span: e.key_span.to(e.value.span),
                },
            );
        }
        out
    }

    /// `{"target": "ns#Name"}`.
    fn target_ref(&mut self, v: &JVal, what: Ctx<'_>) -> Option<ShapeRef> {
        let entries = self.as_object(v, what)?;
        let mut out = None;
        for e in entries {
            if e.key == "target" {
                let s = self.as_str(&e.value, Ctx::Text("`target`"))?;
                let id = self.shape_id(s, e.value.span, false)?;
                out = Some(ShapeRef {
                    id,
                    span: e.value.span,
                });
            } else {
                self.unknown_property(e, what, &["target"]);
            }
        }
        if out.is_none() {
            self.missing(v.span, "target", what);
        }
        out
    }

    fn target_refs(&mut self, v: &JVal, what: Ctx<'_>) -> Vec<ShapeRef> {
        let Some(items) = self.as_array(v, what) else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|i| self.target_ref(i, what))
            .collect()
    }

    fn named_refs(&mut self, v: &JVal, what: Ctx<'_>) -> IndexMap<String, ShapeRef> {
        let mut out = IndexMap::new();
        let Some(entries) = self.as_object(v, what) else {
            return out;
        };
        for e in entries {
            if !is_identifier(&e.key) {
                self.bad_name(e.key_span, &e.key);
                continue;
            }
            if let Some(r) = self.target_ref(&e.value, what) {
                out.insert(e.key.clone(), r);
            }
        }
        out
    }

    fn missing(&mut self, span: Span, prop: &str, what: Ctx<'_>) {
        let start = Span::new(span.file, span.start as usize, span.start as usize + 1);
        self.err(
            Diagnostic::error("E0314", start, format!("{what} has no `{prop}` property"))
                .with_label(format!("`{prop}` is required")),
        );
    }

    fn bad_name(&mut self, span: Span, name: &str) {
        self.err(
            Diagnostic::error("E0316", span, format!("invalid identifier {name:?}"))
                .with_label("expected letters, digits and `_`, starting with a letter or `_`"),
        );
    }

    /// A member definition `{"target": ..., "traits": {...}}`.
    fn member(
        &mut self,
        name: &str,
        key_span: Span,
        v: &JVal,
        shape_id: &ShapeId,
    ) -> Option<Member> {
        let what = Ctx::Member(shape_id, name);
        let entries = self.as_object(v, what)?;
        let mut target = None;
        let mut traits = Traits::default();
        for e in entries {
            match e.key.as_str() {
                "target" => {
                    if let Some(s) = self.as_str(&e.value, Ctx::Text("`target`")) {
                        target = self
                            .shape_id(s, e.value.span, false)
                            .map(|id| (id, e.value.span));
                    } else {
                        return None;
                    }
                }
                "traits" => traits = self.traits(&e.value),
                _ => self.unknown_property(e, what, &["target", "traits"]),
            }
        }
        let Some((target, target_span)) = target else {
            if !entries.iter().any(|e| e.key == "target") {
                self.missing(v.span, "target", what);
            }
            return None;
        };
        Some(Member {
            name: name.to_string(),
            target,
            traits,
            span: key_span.to(v.span),
            target_span,
        })
    }

    fn shape_entry(&mut self, entry: &JMember, frag: &mut Fragment) {
        let Some(id) = self.shape_id(&entry.key, entry.key_span, true) else {
            return;
        };
        let what = Ctx::Shape(&id);
        let Some(props) = self.as_object(&entry.value, what) else {
            return;
        };
        let Some(type_prop) = props.iter().find(|p| p.key == "type") else {
            self.missing(entry.value.span, "type", what);
            return;
        };
        let Some(ty) = self.as_str(&type_prop.value, Ctx::Text("`type`")) else {
            return;
        };
        let span = entry.key_span.to(entry.value.span);
        if ty == "apply" {
            let mut traits = Traits::default();
            for p in props {
                match p.key.as_str() {
                    "type" => {}
                    "traits" => traits = self.traits(&p.value),
                    _ => {
                        self.unknown_property(p, Ctx::Text("an `apply` entry"), &["type", "traits"])
                    }
                }
            }
            frag.applies.push(Apply {
                target: id,
                span: entry.key_span,
                traits,
            });
            return;
        }
        if id.member.is_some() {
            self.err(
                Diagnostic::error(
                    "E0312",
                    entry.key_span,
                    format!("shape key `{id}` is a member id"),
                )
                .with_label("only `apply` entries may target members")
                .with_note("members are defined inside their shape's `members`"),
            );
            return;
        }
        let kind = match ty {
            "list" => ShapeKind::List,
            "set" => ShapeKind::Set,
            "map" => ShapeKind::Map,
            "structure" => ShapeKind::Structure,
            "union" => ShapeKind::Union,
            "enum" => ShapeKind::Enum,
            "intEnum" => ShapeKind::IntEnum,
            "service" => ShapeKind::Service(Service::default()),
            "operation" => ShapeKind::Operation(Operation::default()),
            "resource" => ShapeKind::Resource(Resource::default()),
            other => match SimpleKind::from_keyword(other) {
                Some(k) => ShapeKind::Simple(k),
                None => {
                    self.err(
                        Diagnostic::error(
                            "E0313",
                            type_prop.value.span,
                            format!("unknown shape type {other:?}"),
                        )
                        .with_label("not a Smithy shape type"),
                    );
                    return;
                }
            },
        };
        let mut shape = Shape {
            id: id.clone(),
            kind,
            traits: Traits::default(),
            members: Vec::new(),
            mixins: Vec::new(),
            span,
        };
        let allowed: &[&str] = match &shape.kind {
            ShapeKind::Simple(_) => &["type", "traits", "mixins"],
            ShapeKind::List | ShapeKind::Set => &["type", "traits", "mixins", "member"],
            ShapeKind::Map => &["type", "traits", "mixins", "key", "value"],
            ShapeKind::Structure | ShapeKind::Union | ShapeKind::Enum | ShapeKind::IntEnum => {
                &["type", "traits", "mixins", "members"]
            }
            ShapeKind::Service(_) => &[
                "type",
                "traits",
                "mixins",
                "version",
                "operations",
                "resources",
                "errors",
                "rename",
            ],
            ShapeKind::Operation(_) => &["type", "traits", "mixins", "input", "output", "errors"],
            ShapeKind::Resource(_) => &[
                "type",
                "traits",
                "mixins",
                "identifiers",
                "properties",
                "create",
                "put",
                "read",
                "update",
                "delete",
                "list",
                "operations",
                "collectionOperations",
                "resources",
            ],
        };
        for p in props {
            let key = p.key.as_str();
            if !allowed.contains(&key) {
                self.unknown_property(p, Ctx::Kind(ty), allowed);
                continue;
            }
            match key {
                "type" => {}
                "traits" => shape.traits = self.traits(&p.value),
                "mixins" => shape.mixins = self.target_refs(&p.value, Ctx::Text("`mixins`")),
                "member" | "key" | "value" => {
                    if let Some(m) = self.member(key, p.key_span, &p.value, &id) {
                        shape.members.push(m);
                    }
                }
                "members" => {
                    if let Some(entries) = self.as_object(&p.value, Ctx::Text("`members`")) {
                        for e in entries {
                            if !is_identifier(&e.key) {
                                self.bad_name(e.key_span, &e.key);
                                continue;
                            }
                            if let Some(m) = self.member(&e.key, e.key_span, &e.value, &id) {
                                shape.members.push(m);
                            }
                        }
                    }
                }
                _ => self.kind_property(&mut shape.kind, p),
            }
        }
        // `member` / `key` / `value` are required unless a mixin supplies them.
        if shape.mixins.is_empty() {
            let required: &[&str] = match shape.kind {
                ShapeKind::List | ShapeKind::Set => &["member"],
                ShapeKind::Map => &["key", "value"],
                _ => &[],
            };
            for r in required {
                if !props.iter().any(|p| p.key == *r) {
                    self.missing(entry.value.span, r, what);
                }
            }
        }
        // Map members in the order key, value whatever the JSON order.
        if matches!(shape.kind, ShapeKind::Map) {
            shape.members.sort_by_key(|m| m.name != "key");
        }
        frag.shapes.push(shape);
    }

    fn kind_property(&mut self, kind: &mut ShapeKind, p: &JMember) {
        let key = p.key.as_str();
        let what = Ctx::Prop(key);
        match kind {
            ShapeKind::Service(s) => match key {
                "version" => {
                    s.version = self
                        .as_str(&p.value, Ctx::Text("`version`"))
                        .map(str::to_string)
                }
                "operations" => s.operations = self.target_refs(&p.value, what),
                "resources" => s.resources = self.target_refs(&p.value, what),
                "errors" => s.errors = self.target_refs(&p.value, what),
                "rename" => {
                    if let Some(entries) = self.as_object(&p.value, Ctx::Text("`rename`")) {
                        for e in entries {
                            let Some(id) = self.shape_id(&e.key, e.key_span, false) else {
                                continue;
                            };
                            let Some(name) = self.as_str(&e.value, Ctx::Text("a rename")) else {
                                continue;
                            };
                            if !is_identifier(name) {
                                self.bad_name(e.value.span, name);
                                continue;
                            }
                            s.rename.insert(id, name.to_string());
                        }
                    }
                }
                _ => {}
            },
            ShapeKind::Operation(o) => match key {
                "input" => o.input = self.target_ref(&p.value, what),
                "output" => o.output = self.target_ref(&p.value, what),
                "errors" => o.errors = self.target_refs(&p.value, what),
                _ => {}
            },
            ShapeKind::Resource(r) => match key {
                "identifiers" => r.identifiers = self.named_refs(&p.value, what),
                "properties" => r.properties = self.named_refs(&p.value, what),
                "create" => r.create = self.target_ref(&p.value, what),
                "put" => r.put = self.target_ref(&p.value, what),
                "read" => r.read = self.target_ref(&p.value, what),
                "update" => r.update = self.target_ref(&p.value, what),
                "delete" => r.delete = self.target_ref(&p.value, what),
                "list" => r.list = self.target_ref(&p.value, what),
                "operations" => r.operations = self.target_refs(&p.value, what),
                "collectionOperations" => {
                    r.collection_operations = self.target_refs(&p.value, what)
                }
                "resources" => r.resources = self.target_refs(&p.value, what),
                _ => {}
            },
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------
// Model -> JSON AST
// ---------------------------------------------------------------------------

/// An output JSON tree that, unlike `serde_json::Value` without the
/// `arbitrary_precision` feature, keeps big integers exact.
#[derive(Debug, Clone)]
enum J {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// Integer digits as written (beyond i64).
    BigInt(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    fn obj() -> Self {
        J::Obj(Vec::new())
    }

    fn push(&mut self, key: impl Into<String>, v: J) {
        if let J::Obj(o) = self {
            o.push((key.into(), v));
        }
    }

    fn to_value(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Int(i) => Value::from(*i),
            J::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            J::BigInt(s) => {
                // Exact where serde_json can hold it (u64); otherwise the
                // nearest f64, as serde_json itself would parse it.
                if let Ok(u) = s.parse::<u64>() {
                    Value::from(u)
                } else {
                    s.parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map_or(Value::Null, Value::Number)
                }
            }
            J::Str(s) => Value::String(s.clone()),
            J::Arr(a) => Value::Array(a.iter().map(J::to_value).collect()),
            J::Obj(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), v.to_value())).collect()),
        }
    }

    fn write_pretty(&self, out: &mut String, indent: usize) {
        const STEP: usize = 4;
        match self {
            J::Null => out.push_str("null"),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Int(i) => {
                let _ = write!(out, "{i}");
            }
            J::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(n) => {
                    let _ = write!(out, "{n}");
                }
                None => out.push_str("null"),
            },
            J::BigInt(s) => out.push_str(s),
            J::Str(s) => write_json_string(out, s),
            J::Arr(a) if a.is_empty() => out.push_str("[]"),
            J::Obj(o) if o.is_empty() => out.push_str("{}"),
            J::Arr(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    out.extend(std::iter::repeat_n(' ', indent + STEP));
                    v.write_pretty(out, indent + STEP);
                }
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', indent));
                out.push(']');
            }
            J::Obj(o) => {
                out.push('{');
                for (i, (k, v)) in o.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    out.extend(std::iter::repeat_n(' ', indent + STEP));
                    write_json_string(out, k);
                    out.push_str(": ");
                    v.write_pretty(out, indent + STEP);
                }
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', indent));
                out.push('}');
            }
        }
    }
}

fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn node_json(n: &Node) -> J {
    match n {
        Node::Null => J::Null,
        Node::Bool(b) => J::Bool(*b),
        Node::Number(Number::Int(i)) => J::Int(*i),
        Node::Number(Number::Float(f)) => J::Float(*f),
        Node::Number(Number::BigInt(s)) => J::BigInt(s.clone()),
        Node::String(s) => J::Str(s.clone()),
        Node::Array(a) => J::Arr(a.iter().map(node_json).collect()),
        Node::Object(o) => J::Obj(o.iter().map(|(k, v)| (k.clone(), node_json(v))).collect()),
    }
}

fn target_json(id: &ShapeId) -> J {
    J::Obj(vec![("target".into(), J::Str(id.to_string()))])
}

fn refs_json(refs: &[ShapeRef]) -> J {
    J::Arr(refs.iter().map(|r| target_json(&r.id)).collect())
}

fn traits_json<'t>(traits: impl Iterator<Item = (&'t ShapeId, &'t TraitValue)>) -> J {
    J::Obj(
        traits
            .map(|(id, t)| (id.to_string(), node_json(&t.value)))
            .collect(),
    )
}

/// Traits of `own` that a mixin did not already supply with the same value.
fn introduced<'t>(own: &'t Traits, inherited: &[&Traits]) -> Vec<(&'t ShapeId, &'t TraitValue)> {
    own.iter()
        .filter(|(id, t)| {
            !inherited
                .iter()
                .any(|m| m.get(*id).is_some_and(|mt| mt.value == t.value))
        })
        .collect()
}

/// The traits a shape using mixin `m` inherits from it: all but `@mixin`
/// and those named in `@mixin(localTraits: [...])`.
fn inheritable(m: &Shape) -> Traits {
    let mixin_id = ShapeId::prelude("mixin");
    let local: Vec<ShapeId> = m
        .trait_value(&mixin_id)
        .and_then(|v| v.get("localTraits"))
        .and_then(Node::as_array)
        .unwrap_or(&[])
        .iter()
        .filter_map(|n| n.as_str().and_then(ShapeId::parse))
        .collect();
    m.traits
        .iter()
        .filter(|(id, _)| **id != mixin_id && !local.contains(id))
        .map(|(id, t)| (id.clone(), t.clone()))
        .collect()
}

fn member_json(m: &Member, traits: Vec<(&ShapeId, &TraitValue)>) -> J {
    let mut o = J::obj();
    o.push("target", J::Str(m.target.to_string()));
    if !traits.is_empty() {
        o.push("traits", traits_json(traits.into_iter()));
    }
    o
}

fn shape_json(model: &Model, shape: &Shape) -> J {
    let mut o = J::obj();
    o.push("type", J::Str(shape.kind.keyword().to_string()));

    // What the mixins contribute, so only what this shape adds is written.
    let mixins: Vec<&Shape> = shape
        .mixins
        .iter()
        .filter_map(|r| model.shape(&r.id))
        .collect();
    if !shape.mixins.is_empty() {
        o.push("mixins", refs_json(&shape.mixins));
    }
    let mixin_member = |name: &str| -> Vec<&Traits> {
        mixins
            .iter()
            .filter_map(|m| m.member(name))
            .map(|m| &m.traits)
            .collect()
    };

    let member_entry = |m: &Member| -> Option<J> {
        let inherited = mixin_member(&m.name);
        let mut traits: Vec<(&ShapeId, &TraitValue)> = if inherited.is_empty() {
            m.traits.iter().collect()
        } else {
            introduced(&m.traits, &inherited)
        };
        if !inherited.is_empty() && traits.is_empty() {
            // Entirely inherited: the mixin reference says it all.
            return None;
        }
        let mut j = member_json(m, Vec::new());
        // Enum members carry their value explicitly in the JSON AST; the
        // IDL lets it default to the member name.
        let enum_value = ShapeId::prelude("enumValue");
        let implicit;
        if matches!(shape.kind, ShapeKind::Enum)
            && inherited.is_empty()
            && !m.traits.contains_key(&enum_value)
        {
            implicit = TraitValue {
                value: Node::String(m.name.clone()),
                span: m.span,
            };
            traits.push((&enum_value, &implicit));
        }
        if !traits.is_empty() {
            j.push("traits", traits_json(traits.into_iter()));
        }
        Some(j)
    };

    match &shape.kind {
        ShapeKind::List | ShapeKind::Set => {
            for m in shape.members.iter().filter(|m| m.name == "member") {
                if let Some(j) = member_entry(m) {
                    o.push("member", j);
                }
            }
        }
        ShapeKind::Map => {
            for name in ["key", "value"] {
                for m in shape.members.iter().filter(|m| m.name == name) {
                    if let Some(j) = member_entry(m) {
                        o.push(name, j);
                    }
                }
            }
        }
        ShapeKind::Structure | ShapeKind::Union | ShapeKind::Enum | ShapeKind::IntEnum => {
            let members: Vec<(String, J)> = shape
                .members
                .iter()
                .filter_map(|m| member_entry(m).map(|j| (m.name.clone(), j)))
                .collect();
            // Smithy writes `members` even when empty for these kinds,
            // unless a mixin supplies all of them.
            if !members.is_empty() || shape.mixins.is_empty() {
                o.push("members", J::Obj(members));
            }
        }
        ShapeKind::Service(s) => {
            if let Some(v) = &s.version {
                o.push("version", J::Str(v.clone()));
            }
            if !s.operations.is_empty() {
                o.push("operations", refs_json(&s.operations));
            }
            if !s.resources.is_empty() {
                o.push("resources", refs_json(&s.resources));
            }
            if !s.errors.is_empty() {
                o.push("errors", refs_json(&s.errors));
            }
            if !s.rename.is_empty() {
                o.push(
                    "rename",
                    J::Obj(
                        s.rename
                            .iter()
                            .map(|(k, v)| (k.to_string(), J::Str(v.clone())))
                            .collect(),
                    ),
                );
            }
        }
        ShapeKind::Operation(op) => {
            if let Some(i) = &op.input {
                o.push("input", target_json(&i.id));
            }
            if let Some(out) = &op.output {
                o.push("output", target_json(&out.id));
            }
            if !op.errors.is_empty() {
                o.push("errors", refs_json(&op.errors));
            }
        }
        ShapeKind::Resource(r) => {
            let named = |m: &IndexMap<String, ShapeRef>| {
                J::Obj(
                    m.iter()
                        .map(|(k, v)| (k.clone(), target_json(&v.id)))
                        .collect(),
                )
            };
            if !r.identifiers.is_empty() {
                o.push("identifiers", named(&r.identifiers));
            }
            if !r.properties.is_empty() {
                o.push("properties", named(&r.properties));
            }
            for (name, op) in [
                ("create", &r.create),
                ("put", &r.put),
                ("read", &r.read),
                ("update", &r.update),
                ("delete", &r.delete),
                ("list", &r.list),
            ] {
                if let Some(op) = op {
                    o.push(name, target_json(&op.id));
                }
            }
            if !r.operations.is_empty() {
                o.push("operations", refs_json(&r.operations));
            }
            if !r.collection_operations.is_empty() {
                o.push("collectionOperations", refs_json(&r.collection_operations));
            }
            if !r.resources.is_empty() {
                o.push("resources", refs_json(&r.resources));
            }
        }
        ShapeKind::Simple(_) => {}
    }

    // Shape traits: a mixin's traits are inherited, except `@mixin` itself
    // and the traits its `localTraits` lists.
    let inherited_sets: Vec<Traits> = mixins.iter().map(|m| inheritable(m)).collect();
    let inherited: Vec<&Traits> = inherited_sets.iter().collect();
    let traits: Vec<(&ShapeId, &TraitValue)> = if inherited.is_empty() {
        shape.traits.iter().collect()
    } else {
        introduced(&shape.traits, &inherited)
    };
    if !traits.is_empty() {
        o.push("traits", traits_json(traits.into_iter()));
    }
    o
}

/// The `smithy` version to write: "2.0", except when any namespace of the
/// model was written in IDL 1.0. A JSON AST has one version for all its
/// shapes, and reading 1.0 shapes with 2.0 rules changes or rejects them
/// (`@box`, primitive defaults, wasmCloud's non-structure operation
/// inputs), while shapes written in 2.0 need no 2.0 syntax once in JSON.
/// So "1.0" is the only version under which the output reads back to the
/// same model.
fn ast_version(model: &Model) -> &'static str {
    // A 1.0 source without shapes (metadata only) counts too: a JSON AST
    // file keeps its own version.
    let any_v1 = model.has_v1_sources
        || model
            .namespaces()
            .into_iter()
            .any(|ns| model.namespace_versions.get(ns) == Some(&IdlVersion::V1));
    if any_v1 {
        "1.0"
    } else {
        "2.0"
    }
}

fn model_json(model: &Model) -> J {
    let mut root = J::obj();
    root.push("smithy", J::Str(ast_version(model).into()));
    if !model.metadata.is_empty() {
        root.push(
            "metadata",
            J::Obj(
                model
                    .metadata
                    .iter()
                    .map(|(k, v)| (k.clone(), node_json(v)))
                    .collect(),
            ),
        );
    }
    root.push(
        "shapes",
        J::Obj(
            model
                .user_shapes()
                .map(|s| (s.id.to_string(), shape_json(model, s)))
                .collect(),
        ),
    );
    root
}

/// The model as the official Smithy JSON AST (`serde_json` value).
///
/// Prelude shapes are left out. Integers beyond `u64` become the nearest
/// `f64` here because `serde_json::Value` cannot hold them; use
/// [`write_string`] for exact output.
pub fn write(model: &Model) -> serde_json::Value {
    model_json(model).to_value()
}

/// The model as pretty-printed JSON AST text (4-space indent, trailing
/// newline), deterministic and exact for every number.
///
/// `smithy` is "2.0" unless some namespace of the model was written in
/// IDL 1.0: then it is "1.0", so that reading the output back gives the
/// same model (1.0 and 2.0 differ in nullability, `@box` and what the
/// validator accepts).
pub fn write_string(model: &Model) -> String {
    let mut out = String::new();
    model_json(model).write_pretty(&mut out, 0);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<JVal, Diagnostic> {
        JsonParser::new(FileId(0), text).document()
    }

    #[test]
    fn parses_values_with_spans() {
        let v = parse(r#" {"a": [1, -2.5e3, true, null, "x\u00e9\n"]} "#).unwrap();
        assert_eq!((v.span.start, v.span.end), (1, 44));
        let JKind::Obj(m) = &v.kind else { panic!() };
        assert_eq!(m[0].key, "a");
        let JKind::Arr(a) = &m[0].value.kind else {
            panic!()
        };
        assert!(matches!(a[0].kind, JKind::Num(Number::Int(1))));
        assert!(matches!(a[1].kind, JKind::Num(Number::Float(f)) if f == -2500.0));
        assert!(matches!(&a[4].kind, JKind::Str(s) if s == "x\u{e9}\n"));
        assert_eq!(a[1].span.range(), 11..17);
    }

    #[test]
    fn keeps_big_integers_exact() {
        let v = parse("[123456789012345678901234567890, -9223372036854775809]").unwrap();
        let JKind::Arr(a) = v.kind else { panic!() };
        assert!(
            matches!(&a[0].kind, JKind::Num(Number::BigInt(s)) if s == "123456789012345678901234567890")
        );
        assert!(matches!(&a[1].kind, JKind::Num(Number::BigInt(s)) if s == "-9223372036854775809"));
    }

    #[test]
    fn keeps_decimals_beyond_f64_as_text() {
        // A `bigDecimal` value such as 2e+308 is no f64; the text is kept,
        // with the exponent written one way so equal values compare equal.
        let v = parse("[2e+308, 2E308, 1.5e-3]").unwrap();
        let JKind::Arr(a) = v.kind else { panic!() };
        assert!(matches!(&a[0].kind, JKind::Num(Number::BigInt(s)) if s == "2E+308"));
        assert!(matches!(&a[1].kind, JKind::Num(Number::BigInt(s)) if s == "2E+308"));
        assert!(matches!(a[2].kind, JKind::Num(Number::Float(f)) if f == 0.0015));
    }

    #[test]
    fn surrogate_pairs_decode() {
        let v = parse(r#""\ud83d\ude00""#).unwrap();
        assert!(matches!(&v.kind, JKind::Str(s) if s == "\u{1F600}"));
        assert_eq!(parse(r#""\ud83d""#).unwrap_err().code, "E0302");
        assert_eq!(parse(r#""\ude00x""#).unwrap_err().code, "E0302");
    }

    #[test]
    fn syntax_errors_have_codes_and_positions() {
        let cases: &[(&str, &str, u32)] = &[
            ("{\"a\" 1}", "E0300", 5),
            ("\"abc", "E0301", 0),
            ("\"a\\qb\"", "E0302", 2),
            ("01", "E0303", 0),
            ("1.", "E0303", 0),
            ("{\"a\":1,\"a\":2}", "E0305", 7),
            ("{} x", "E0306", 3),
            ("[1,]", "E0300", 3),
            ("tru", "E0300", 0),
            ("", "E0300", 0),
        ];
        for (text, code, start) in cases {
            let d = parse(text).unwrap_err();
            assert_eq!((d.code, d.span.unwrap().start), (*code, *start), "{text}");
        }
    }

    #[test]
    fn duplicate_keys_found_in_large_objects() {
        // Every position relative to the switch from scan to set.
        for dup_of in [0, 15, 16, 17, 30] {
            let mut keys: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
            keys.push(format!("\"k{dup_of}\": 0"));
            let text = format!("{{{}}}", keys.join(","));
            let d = parse(&text).unwrap_err();
            assert_eq!(d.code, "E0305", "k{dup_of}");
            assert!(d.message.contains(&format!("\"k{dup_of}\"")));
        }
        let ok: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
        assert!(parse(&format!("{{{}}}", ok.join(","))).is_ok());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        assert_eq!(parse(&text).unwrap_err().code, "E0304");
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn identifiers() {
        for ok in ["a", "A1", "_a", "__1", "a_b"] {
            assert!(is_identifier(ok), "{ok}");
        }
        for bad in ["", "1a", "_", "__", "a-b", "a.b"] {
            assert!(!is_identifier(bad), "{bad}");
        }
        assert!(parse_absolute("a.b#C$d").is_some());
        assert!(parse_absolute("a..b#C").is_none());
        assert!(parse_absolute("a#C$").is_none());
    }

    #[test]
    fn reads_shapes_and_reports_every_shape_error() {
        let text = r#"{
  "smithy": "2.0",
  "metadata": {"m": [1]},
  "shapes": {
    "ex#L": {"type": "list", "member": {"target": "smithy.api#String"}},
    "ex#Bad": {"type": "widget"},
    "ex#S": {"type": "structure", "members": {
        "a": {"target": "ex#L", "traits": {"smithy.api#required": {}}},
        "b": {"traits": {}}
    }},
    "ex#M": {"type": "map", "key": {"target": "smithy.api#String"}},
    "ex#S$a": {"type": "apply", "traits": {"smithy.api#documentation": "hi"}},
    "ex#Op": {"type": "operation", "input": {"target": "ex#S"}, "errors": [{"target": "ex#E"}]}
  }
}"#;
        let mut diags = Vec::new();
        let f = read(FileId(0), text, &mut diags).unwrap();
        let codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["E0313", "E0314", "E0314"], "{diags:#?}");
        assert_eq!(f.version, IdlVersion::V2);
        assert_eq!(f.namespace.as_deref(), Some("ex"));
        assert_eq!(f.metadata[0].key, "m");
        let names: Vec<_> = f.shapes.iter().map(|s| s.id.name.as_str()).collect();
        assert_eq!(names, ["L", "S", "M", "Op"]);
        assert_eq!(f.shapes[1].members.len(), 1);
        assert!(f.shapes[1].members[0].has_prelude_trait("required"));
        assert_eq!(f.applies[0].target.to_string(), "ex#S$a");
        let ShapeKind::Operation(op) = &f.shapes[3].kind else {
            panic!()
        };
        assert_eq!(op.input.as_ref().unwrap().id.to_string(), "ex#S");
        assert_eq!(op.errors[0].id.to_string(), "ex#E");
        // Positions point at the offending text.
        let bad = &diags[0];
        assert_eq!(&text[bad.span.unwrap().range()], "\"widget\"");
    }

    #[test]
    fn unknown_properties_warn() {
        let text = r#"{"smithy": "2.0", "shapes": {"ex#A": {"type": "string", "members": {}}}}"#;
        let mut diags = Vec::new();
        let f = read(FileId(0), text, &mut diags).unwrap();
        assert_eq!(f.shapes.len(), 1);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "W0315");
        assert!(!diags[0].is_error());
    }

    #[test]
    fn version_is_required_and_checked() {
        let mut diags = Vec::new();
        read(FileId(0), r#"{"shapes": {}}"#, &mut diags).unwrap();
        read(FileId(0), r#"{"smithy": "3.0"}"#, &mut diags).unwrap();
        let f = read(FileId(0), r#"{"smithy": "1.0"}"#, &mut diags).unwrap();
        assert_eq!(f.version, IdlVersion::V1);
        let codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["E0311", "E0311"]);
    }

    #[test]
    fn writes_strings_and_numbers_exactly() {
        let mut s = String::new();
        J::Arr(vec![
            J::Str("a\"\\\n\u{1}é".into()),
            J::BigInt("123456789012345678901234567890".into()),
            J::Float(0.1),
            J::Float(1e300),
            J::Int(-5),
        ])
        .write_pretty(&mut s, 0);
        assert_eq!(
            s,
            "[\n    \"a\\\"\\\\\\n\\u0001é\",\n    123456789012345678901234567890,\n    0.1,\n    1e+300,\n    -5\n]"
        );
        // What we write, we read back to the same values.
        let v = parse(&s).unwrap();
        let JKind::Arr(a) = v.kind else { panic!() };
        assert!(matches!(&a[0].kind, JKind::Str(x) if x == "a\"\\\n\u{1}é"));
        assert!(matches!(&a[3].kind, JKind::Num(Number::Float(f)) if *f == 1e300));
    }
}
