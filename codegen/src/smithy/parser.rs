//! Recursive-descent parser for the Smithy IDL, 1.0 and 2.0 (the spec's
//! "Smithy IDL ABNF"), producing an [`ast::File`].
//!
//! Whitespace, commas and comments produce no tokens, which keeps the token
//! stream small. Where the grammar's `BR` (line break) and `SP` (spaces
//! only) rules apply, the parser looks at the source bytes between two
//! tokens instead (`expect_br`, `spaces_only`, `expect_sp`): that costs a
//! few bytes of scanning per statement and nothing per token.
//! Version gating happens here: 2.0-only syntax in a 1.0 file, and `set` in a
//! 2.0 file, are reported at the offending token.
//!
//! Error recovery: a syntax error inside a statement is reported, then the
//! parser skips to the next statement (balanced delimiters, or a shape
//! keyword at the start of a line), so every broken statement of a file is
//! reported, not just the first. Node nesting deeper than [`MAX_DEPTH`] is
//! reported instead of recursing further. Parser codes are `E0050`..`E0099`.

use super::ast::*;
use super::diagnostics::Diagnostic;
use super::lexer::{self, Tok, Token};
use super::source::{FileId, Span};
use crate::model::IdlVersion;
use std::borrow::Cow;

/// Unexpected token.
pub const E_UNEXPECTED: &str = "E0050";
/// IDL 2.0 syntax used in a 1.0 file.
pub const E_V2_ONLY: &str = "E0051";
/// IDL 1.0-only syntax (`set`) used in a 2.0 file.
pub const E_V1_ONLY: &str = "E0052";
/// Unsupported `$version`.
pub const E_BAD_VERSION: &str = "E0053";
/// Misplaced or invalid control statement.
pub const E_CONTROL: &str = "E0054";
/// Nesting too deep.
pub const E_TOO_DEEP: &str = "E0055";
/// Shape or apply before any namespace statement.
pub const E_NO_NAMESPACE: &str = "E0056";
/// More than one namespace statement.
pub const E_DUPLICATE_NAMESPACE: &str = "E0057";
/// Malformed identifier / shape id / namespace.
pub const E_BAD_ID: &str = "E0058";
/// Invalid `use` statement.
pub const E_BAD_USE: &str = "E0059";
/// Duplicate key in a node object or trait structure.
pub const E_DUPLICATE_KEY: &str = "E0060";
/// Unknown or duplicate operation property.
pub const E_OPERATION_PROPERTY: &str = "E0061";
/// Invalid member name for a list/set/map.
pub const E_MEMBER_NAME: &str = "E0062";
/// `= value` where not allowed.
pub const E_VALUE_ASSIGNMENT: &str = "E0063";
/// Statement out of order (metadata after namespace, use after shapes...).
pub const E_ORDER: &str = "E0064";
/// Traits before something that takes none.
pub const E_STRAY_TRAITS: &str = "E0065";

/// A statement (or value assignment) not followed by a line break.
pub const E_EXPECTED_BR: &str = "E0067";
/// A line break, comment or comma where only spaces are allowed, or a
/// required space missing.
pub const E_SPACES_ONLY: &str = "E0068";

/// A documentation comment in a place where the spec ignores it.
pub const W_DOC_IGNORED: &str = "W0050";

/// Too many syntax errors in one file: the rest is skipped.
pub const E_TOO_MANY_ERRORS: &str = "E0066";
/// Syntax errors reported per file before the parser gives up.
pub const MAX_ERRORS: usize = 100;

/// Maximum nesting of node values / shape bodies.
pub const MAX_DEPTH: u32 = 64;

/// A syntax error already reported; unwinds to the statement level.
struct Bail;

type PResult<T> = Result<T, Bail>;

struct Parser<'a, 'd> {
    text: &'a str,
    toks: Vec<Token>,
    pos: usize,
    file: FileId,
    version: IdlVersion,
    diags: &'d mut Vec<Diagnostic>,
    /// Open delimiters consumed in the current statement (for recovery).
    open: u32,
    depth: u32,
    /// `E0056` is reported once per file.
    no_namespace_reported: bool,
}

/// Parses one IDL file. Syntax errors go to `diags`; the returned file holds
/// every statement that parsed.
pub fn parse<'a>(file: FileId, text: &'a str, diags: &mut Vec<Diagnostic>) -> File<'a> {
    let toks = lexer::tokenize(file, text, diags);
    let mut p = Parser {
        text,
        toks,
        pos: 0,
        file,
        version: IdlVersion::V1,
        diags,
        open: 0,
        depth: 0,
        no_namespace_reported: false,
    };
    p.file_()
}

/// Offset of the first byte of `w` (a word token) that breaks the
/// identifier rule: the first non-identifier character, or the end when the
/// word is only underscores.
fn bad_ident_offset(w: &str) -> usize {
    let b = w.as_bytes();
    let n = b
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    n.min(b.len())
}

/// Offset in `w` (a word token) where it stops being a shape id (absolute
/// only when `absolute`), or `None` if it is one: the first position where
/// an identifier, `#` or the end is required but missing, which is where
/// Smithy's parser reports the error.
fn shape_id_error_offset(w: &str, absolute: bool) -> Option<usize> {
    let b = w.as_bytes();
    // Identifier at `i`: Some(end) or Err(offset).
    let ident = |i: usize| -> Result<usize, usize> {
        if i >= b.len() || !(b[i].is_ascii_alphabetic() || b[i] == b'_') {
            return Err(i);
        }
        scan_ident(b, i).ok_or_else(|| {
            let mut j = i;
            while j < b.len() && b[j] == b'_' {
                j += 1;
            }
            j
        })
    };
    let mut i = match ident(0) {
        Ok(e) => e,
        Err(at) => return Some(at),
    };
    let mut namespaced = false;
    while i < b.len() && b[i] == b'.' {
        namespaced = true;
        i = match ident(i + 1) {
            Ok(e) => e,
            Err(at) => return Some(at),
        };
    }
    if i < b.len() && b[i] == b'#' {
        i = match ident(i + 1) {
            Ok(e) => e,
            Err(at) => return Some(at),
        };
    } else if namespaced || absolute {
        // `a.b` must go on with `#Name`.
        return Some(i);
    }
    if i < b.len() && b[i] == b'$' {
        i = match ident(i + 1) {
            Ok(e) => e,
            Err(at) => return Some(at),
        };
    }
    (i < b.len()).then_some(i)
}

fn describe_word(w: &str) -> String {
    format!("`{w}`")
}

/// Scans an identifier starting at `i`; returns the index after it.
/// Identifiers are `[A-Za-z_][A-Za-z0-9_]*` with at least one letter or digit.
fn scan_ident(b: &[u8], mut i: usize) -> Option<usize> {
    if i >= b.len() || !(b[i].is_ascii_alphabetic() || b[i] == b'_') {
        return None;
    }
    let mut alnum = false;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
        alnum |= b[i] != b'_';
        i += 1;
    }
    alnum.then_some(i)
}

/// Scans `identifier *("." identifier)`; returns the index after it.
fn scan_namespace(b: &[u8], i: usize) -> Option<usize> {
    let mut i = scan_ident(b, i)?;
    while i < b.len() && b[i] == b'.' {
        i = scan_ident(b, i + 1)?;
    }
    Some(i)
}

/// True for identifiers (`[A-Za-z_][A-Za-z0-9_]*`).
pub fn is_identifier(s: &str) -> bool {
    scan_ident(s.as_bytes(), 0) == Some(s.len())
}

/// True for namespaces (`identifier *("." identifier)`).
pub fn is_namespace(s: &str) -> bool {
    scan_namespace(s.as_bytes(), 0) == Some(s.len())
}

/// True for shape ids, absolute or relative, with optional `$member`.
/// (Byte-level: this runs for every reference in every file.)
pub fn is_shape_id(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(first) = scan_ident(b, 0) else {
        return false;
    };
    let mut i = first;
    if i < b.len() && (b[i] == b'.' || b[i] == b'#') {
        // Absolute: the first part is a namespace, then `#Name`.
        let Some(ns_end) = scan_namespace(b, 0) else {
            return false;
        };
        if ns_end >= b.len() || b[ns_end] != b'#' {
            return false;
        }
        let Some(name_end) = scan_ident(b, ns_end + 1) else {
            return false;
        };
        i = name_end;
    }
    if i < b.len() && b[i] == b'$' {
        match scan_ident(b, i + 1) {
            Some(e) => i = e,
            None => return false,
        }
    }
    i == b.len()
}

impl<'a, 'd> Parser<'a, 'd> {
    // ----- token helpers -------------------------------------------------

    fn span_of(&self, t: Token) -> Span {
        Span::new(self.file, t.start as usize, t.end as usize)
    }

    /// Index of the next token that is not a doc comment. Looking ahead
    /// never consumes doc comments: they belong to whatever statement or
    /// member comes next, which collects them with `take_docs`.
    fn next_index(&self, mut i: usize) -> usize {
        while self.toks[i].kind == Tok::DocComment {
            i += 1;
        }
        i
    }

    fn peek(&mut self) -> Token {
        self.toks[self.next_index(self.pos)]
    }

    fn peek_kind(&mut self) -> Tok {
        self.peek().kind
    }

    /// The token after the next one (doc comments skipped).
    fn peek2(&mut self) -> Token {
        let i = self.next_index(self.pos);
        if self.toks[i].kind == Tok::Eof {
            return self.toks[i];
        }
        self.toks[self.next_index(i + 1)]
    }

    fn text_of(&self, t: Token) -> &'a str {
        &self.text[t.range()]
    }

    fn bump(&mut self) -> Token {
        self.pos = self.next_index(self.pos);
        let t = self.toks[self.pos];
        match t.kind {
            Tok::LBrace | Tok::LBracket | Tok::LParen => self.open += 1,
            Tok::RBrace | Tok::RBracket | Tok::RParen => self.open = self.open.saturating_sub(1),
            Tok::Eof => return t,
            _ => {}
        }
        self.pos += 1;
        t
    }

    fn is_word(&mut self, w: &str) -> bool {
        let t = self.peek();
        t.kind == Tok::Word && self.text_of(t) == w
    }

    fn found(&self, t: Token) -> String {
        match t.kind {
            Tok::Word => describe_word(self.text_of(t)),
            Tok::Eof => "end of file".to_string(),
            k => k.describe().to_string(),
        }
    }

    /// Reports a malformed word at byte `at` (the first character that does
    /// not fit), saying what was expected there.
    fn bad_char_error(&mut self, at: usize, expected: &str) {
        let found = match self.text[at..].chars().next() {
            Some(c) if !c.is_whitespace() => format!("`{c}`"),
            Some(_) => "whitespace".to_string(),
            None => "end of file".to_string(),
        };
        let end = at + self.text[at..].chars().next().map_or(0, char::len_utf8);
        self.diags.push(
            Diagnostic::error(
                E_BAD_ID,
                Span::new(self.file, at, end),
                format!("expected {expected}, found {found}"),
            )
            .with_label(format!("expected {expected}")),
        );
    }

    fn unexpected(&mut self, t: Token, expected: &str) -> Bail {
        let found = self.found(t);
        let sp = self.span_of(t);
        self.diags.push(
            Diagnostic::error(
                E_UNEXPECTED,
                sp,
                format!("expected {expected}, found {found}"),
            )
            .with_label(format!("expected {expected}")),
        );
        Bail
    }

    fn expect(&mut self, kind: Tok) -> PResult<Token> {
        let t = self.peek();
        if t.kind == kind {
            Ok(self.bump())
        } else {
            Err(self.unexpected(t, kind.describe()))
        }
    }

    // ----- whitespace rules (BR, SP, WS) ------------------------------------
    //
    // The gap between the last consumed token and the next raw token (doc
    // comments included) holds only spaces, tabs, commas, newlines and `//`
    // comments, so its first byte that is not a space or tab says what kind
    // of whitespace separates the two tokens.

    /// Byte offset just after the last consumed token.
    fn prev_end(&self) -> usize {
        match self.pos {
            0 => 0,
            p => self.toks[p - 1].end as usize,
        }
    }

    /// Start of the next raw token (a doc comment counts).
    fn next_raw_start(&self) -> usize {
        self.toks[self.pos].start as usize
    }

    /// First byte after the last consumed token that is not a space or tab.
    fn after_spaces(&self) -> usize {
        let b = self.text.as_bytes();
        let end = self.next_raw_start();
        let mut i = self.prev_end();
        while i < end && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        i
    }

    /// True when only spaces and tabs (or nothing) separate the last
    /// consumed token from the next one.
    fn gap_is_spaces(&self) -> bool {
        self.after_spaces() >= self.next_raw_start()
    }

    /// The common gaps, decided without a scan: none, or one space.
    #[inline]
    fn gap_is_trivial(&self) -> bool {
        let (pe, ns) = (self.prev_end(), self.next_raw_start());
        pe == ns || (pe + 1 == ns && self.text.as_bytes()[pe] == b' ')
    }

    /// Reports what sits at byte `at` (inside a gap, or the next token)
    /// where `expected` was required.
    fn whitespace_error(&mut self, code: &'static str, at: usize, expected: &str) {
        let next = self.toks[self.pos];
        let (found, sp) = if at >= next.start as usize {
            (self.found(next), self.span_of(next))
        } else {
            let what = match self.text.as_bytes()[at] {
                b'\n' | b'\r' => "a line break",
                b',' => "`,`",
                _ => "a comment",
            };
            (what.to_string(), Span::new(self.file, at, at + 1))
        };
        self.diags.push(
            Diagnostic::error(code, sp, format!("expected {expected}, found {found}"))
                .with_label(format!("expected {expected}")),
        );
    }

    /// The grammar's `[SP]`: only spaces may separate the last token from
    /// the next. A line break, comment or comma is reported (at itself) and
    /// parsing goes on.
    fn spaces_only(&mut self, expected: &str) {
        if self.gap_is_trivial() {
            return;
        }
        let i = self.after_spaces();
        if i < self.next_raw_start() {
            self.whitespace_error(E_SPACES_ONLY, i, expected);
        }
    }

    /// The grammar's `SP`: at least one space, and nothing but spaces.
    fn expect_sp(&mut self, expected: &str) {
        if self.prev_end() == self.next_raw_start() {
            let at = self.next_raw_start();
            self.whitespace_error(E_SPACES_ONLY, at, &format!("a space before {expected}"));
        } else {
            self.spaces_only(expected);
        }
    }

    /// The grammar's `BR` after a statement: spaces, then a line break or a
    /// comment (or the end of the file). `comma` allows one comma before it
    /// (member value assignments). Reported at the offending byte; parsing
    /// goes on, since the statement itself is complete.
    fn expect_br(&mut self, comma: bool) {
        // The common case: a newline right after the statement.
        if self.text.as_bytes().get(self.prev_end()) == Some(&b'\n') {
            return;
        }
        let next = self.toks[self.pos];
        if next.kind == Tok::Eof {
            return;
        }
        let b = self.text.as_bytes();
        let end = next.start as usize;
        let mut i = self.after_spaces();
        if comma && i < end && b[i] == b',' {
            i += 1;
            while i < end && matches!(b[i], b' ' | b'\t') {
                i += 1;
            }
        }
        let ok = if i < end {
            matches!(b[i], b'\n' | b'\r' | b'/')
        } else {
            next.kind == Tok::DocComment
        };
        if next.kind == Tok::DocComment && !next.line_start {
            // A `///` comment ending the statement's line documents
            // nothing (the spec ignores it); it must not become the next
            // shape's documentation.
            self.pos += 1;
            self.diags.push(
                Diagnostic::warning(
                    W_DOC_IGNORED,
                    self.span_of(next),
                    "documentation comment attached to nothing is ignored",
                )
                .with_label("ignored")
                .with_note(
                    "doc comments go on their own lines, before a shape or member and its traits",
                ),
            );
        }
        if !ok {
            self.whitespace_error(E_EXPECTED_BR, i, "a line break");
        }
    }

    /// The grammar's `WS` where it is required (around `apply` targets):
    /// at least one whitespace character of any kind.
    fn expect_ws(&mut self, expected: &str) -> PResult<()> {
        if self.prev_end() == self.next_raw_start() {
            let at = self.next_raw_start();
            self.whitespace_error(E_SPACES_ONLY, at, &format!("whitespace before {expected}"));
            return Err(Bail);
        }
        Ok(())
    }

    fn error(&mut self, code: &'static str, span: Span, msg: impl Into<String>) {
        self.diags.push(Diagnostic::error(code, span, msg));
    }

    /// Reports 2.0-only syntax in a 1.0 file.
    fn require_v2(&mut self, span: Span, what: &str) {
        if self.version == IdlVersion::V1 {
            self.diags.push(
                Diagnostic::error(E_V2_ONLY, span, format!("{what} requires Smithy IDL 2.0"))
                    .with_label("not available in IDL 1.0")
                    .with_note(
                        "add `$version: \"2\"` at the top of the file to use IDL 2.0 syntax",
                    ),
            );
        }
    }

    fn enter(&mut self, t: Token) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let sp = self.span_of(t);
            self.error(
                E_TOO_DEEP,
                sp,
                format!("nesting is too deep (more than {MAX_DEPTH} levels)"),
            );
            return Err(Bail);
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Skips to the start of the next statement after an error.
    fn recover(&mut self) {
        self.depth = 0;
        loop {
            let t = self.peek();
            if t.kind == Tok::Eof {
                break;
            }
            if self.open == 0 && self.starts_statement(t) {
                break;
            }
            // A statement keyword at the very start of a line is a strong
            // sign that a new statement begins even inside unbalanced braces.
            if t.line_start
                && t.start > 0
                && self.at_column0(t)
                && self.starts_statement(t)
                && !matches!(t.kind, Tok::At)
            {
                break;
            }
            self.bump();
        }
        self.open = 0;
    }

    fn at_column0(&self, t: Token) -> bool {
        let s = t.start as usize;
        s == 0 || self.text.as_bytes().get(s - 1) == Some(&b'\n')
    }

    fn starts_statement(&self, t: Token) -> bool {
        match t.kind {
            Tok::At => true,
            Tok::Word => {
                let w = self.text_of(t);
                matches!(w, "apply" | "metadata" | "namespace" | "use")
                    || ShapeKeyword::from_word(w).is_some()
            }
            _ => false,
        }
    }

    // ----- file ------------------------------------------------------------

    fn file_(&mut self) -> File<'a> {
        let mut f = File {
            file: self.file,
            version: IdlVersion::V1,
            control: Vec::new(),
            metadata: Vec::new(),
            namespace: None,
            uses: Vec::new(),
            statements: Vec::new(),
            input_suffix: Cow::Borrowed("Input"),
            output_suffix: Cow::Borrowed("Output"),
        };
        // 0 = control, 1 = metadata, 2 = after namespace, 3 = shapes seen.
        let mut stage = 0u8;
        let mut version_seen: Option<Span> = None;
        let mut errors = 0usize;
        loop {
            let docs = self.take_docs();
            let t = self.peek();
            self.open = 0;
            self.depth = 0;
            let res: PResult<()> = match t.kind {
                Tok::Eof => break,
                Tok::Dollar => self.control(&mut f, stage, &mut version_seen),
                Tok::Word if self.text_of(t) == "metadata" => {
                    let r = self.metadata(stage);
                    r.map(|m| {
                        f.metadata.push(m);
                        if stage < 1 {
                            stage = 1
                        }
                    })
                }
                Tok::Word if self.text_of(t) == "namespace" => {
                    let r = self.namespace(&f);
                    r.map(|ns| {
                        if f.namespace.is_none() {
                            f.namespace = Some(ns);
                        }
                        stage = stage.max(2);
                    })
                }
                Tok::Word if self.text_of(t) == "use" => {
                    let r = self.use_(stage, &f);
                    r.map(|u| f.uses.push(u))
                }
                Tok::Word if self.text_of(t) == "apply" => {
                    if let Some(d) = &docs {
                        self.diags.push(
                            Diagnostic::warning(
                                W_DOC_IGNORED,
                                d.span,
                                "documentation comment before `apply` is ignored",
                            )
                            .with_label("ignored")
                            .with_note("use `@documentation` in the apply statement"),
                        );
                    }
                    self.check_namespace(&f, t);
                    stage = 3;
                    self.apply().map(|a| f.statements.push(Statement::Apply(a)))
                }
                Tok::At | Tok::Word => {
                    self.check_namespace(&f, t);
                    stage = 3;
                    self.shape_statement(docs, &mut f)
                }
                _ => Err(self.unexpected(t, "a statement")),
            };
            if res.is_err() {
                // Always make progress.
                if self.peek() == t {
                    self.bump();
                }
                self.recover();
                errors += 1;
                if errors >= MAX_ERRORS {
                    let t = self.peek();
                    let rest = Span::new(self.file, t.start as usize, self.text.len());
                    self.diags.push(Diagnostic::error(
                        E_TOO_MANY_ERRORS,
                        rest,
                        format!("too many syntax errors ({MAX_ERRORS}); the rest of the file is skipped"),
                    ));
                    break;
                }
            }
        }
        f.version = self.version;
        f
    }

    fn check_namespace(&mut self, f: &File<'a>, t: Token) {
        if f.namespace.is_none() {
            let sp = self.span_of(t);
            // Report once per file.
            if !self.no_namespace_reported {
                self.no_namespace_reported = true;
                self.diags.push(
                    Diagnostic::error(
                        E_NO_NAMESPACE,
                        sp,
                        "shapes and apply statements need a namespace",
                    )
                    .with_label("no `namespace` statement before this")
                    .with_note("add `namespace my.namespace` before the first shape"),
                );
            }
        }
    }

    /// Collects consecutive `///` comments at the current position.
    fn take_docs(&mut self) -> Option<DocComment> {
        let mut text = String::new();
        let mut first: Option<Span> = None;
        let mut last = Span::default();
        while self.toks[self.pos].kind == Tok::DocComment {
            let t = self.toks[self.pos];
            self.pos += 1;
            let line = &self.text[t.start as usize + 3..t.end as usize];
            let line = line.strip_prefix(' ').unwrap_or(line);
            if first.is_some() {
                text.push('\n');
            }
            text.push_str(line);
            let sp = self.span_of(t);
            first.get_or_insert(sp);
            last = sp;
        }
        first.map(|f| DocComment {
            text,
            span: f.to(last),
        })
    }

    fn control(
        &mut self,
        f: &mut File<'a>,
        stage: u8,
        version_seen: &mut Option<Span>,
    ) -> PResult<()> {
        let dollar = self.bump();
        if self.prev_end() != self.next_raw_start() {
            let at = self.after_spaces();
            self.whitespace_error(E_SPACES_ONLY, at, "a control statement key right after `$`");
        }
        let key = self.key("`:`")?;
        self.spaces_only("`:`");
        self.expect(Tok::Colon)?;
        self.spaces_only("a value");
        let value = self.node_value()?;
        self.expect_br(false);
        let span = self.span_of(dollar).to(value.span);
        if stage > 0 {
            self.diags.push(
                Diagnostic::error(
                    E_CONTROL,
                    span,
                    "control statements must come first in a file",
                )
                .with_label("control statement after other statements"),
            );
        }
        match key.text.as_ref() {
            "version" => {
                if let Some(prev) = *version_seen {
                    // At the value, where Smithy reports it.
                    self.diags.push(
                        Diagnostic::error(E_CONTROL, value.span, "duplicate `$version` statement")
                            .with_secondary(prev, "first `$version` here"),
                    );
                }
                *version_seen = Some(span);
                match &value.kind {
                    NodeKind::String(s) => {
                        match s.as_ref() {
                            "1" | "1.0" => self.version = IdlVersion::V1,
                            "2" | "2.0" => self.version = IdlVersion::V2,
                            other => {
                                let msg = format!("unsupported Smithy IDL version `{other}` (supported: 1.0, 2.0)");
                                // Smithy reports it just after the value
                                // (it checks once the value is read).
                                let end = value.span.end as usize;
                                let at = Span::new(self.file, end, end);
                                self.diags.push(
                                    Diagnostic::error(E_BAD_VERSION, at, msg)
                                        .with_secondary(value.span, "this version"),
                                );
                                // Parse the rest with the most permissive grammar.
                                self.version = IdlVersion::V2;
                            }
                        }
                    }
                    _ => self.error(
                        E_BAD_VERSION,
                        value.span,
                        "`$version` must be a string such as \"2.0\"",
                    ),
                }
            }
            "operationInputSuffix" | "operationOutputSuffix" => {
                let input = key.text == "operationInputSuffix";
                match value.kind {
                    NodeKind::String(s) if is_identifier(&format!("A{s}")) => {
                        if input {
                            f.input_suffix = s;
                        } else {
                            f.output_suffix = s;
                        }
                    }
                    _ => self.error(
                        E_CONTROL,
                        value.span,
                        format!("`${}` must be a string of identifier characters", key.text),
                    ),
                }
                return Ok(());
            }
            // The spec says unknown control statements are ignored.
            _ => {}
        }
        f.control.push(ControlStatement { key, value, span });
        Ok(())
    }

    /// A node object key (identifier or string); `next` is what must follow
    /// it, named in the error for a word that is more than an identifier
    /// (`foo.bar: 1` fails at the `.`, as Smithy reports it).
    fn key(&mut self, next: &str) -> PResult<Key<'a>> {
        let t = self.peek();
        match t.kind {
            Tok::Word => {
                let text = self.text_of(t);
                if !is_identifier(text) {
                    let at = t.start as usize + bad_ident_offset(text);
                    self.bump();
                    self.bad_char_error(at, next);
                    return Err(Bail);
                }
                self.bump();
                Ok(Key {
                    text: Cow::Borrowed(self.text_of(t)),
                    span: self.span_of(t),
                })
            }
            Tok::String => {
                self.bump();
                Ok(Key {
                    text: self.string_value(t),
                    span: self.span_of(t),
                })
            }
            _ => Err(self.unexpected(t, "a key (identifier or string)")),
        }
    }

    fn string_value(&self, t: Token) -> Cow<'a, str> {
        let raw = self.text_of(t);
        let inner = raw.strip_prefix('"').unwrap_or(raw);
        let inner = if inner.len() > 0 && inner.ends_with('"') {
            &inner[..inner.len() - 1]
        } else {
            inner
        };
        lexer::decode_string(inner)
    }

    fn metadata(&mut self, stage: u8) -> PResult<MetadataStatement<'a>> {
        let kw = self.bump();
        self.expect_sp("the metadata key");
        let key = self.key("`=`")?;
        self.spaces_only("`=`");
        self.expect(Tok::Eq)?;
        self.spaces_only("a value");
        let value = self.node_value()?;
        self.expect_br(false);
        let span = self.span_of(kw).to(value.span);
        if stage >= 2 {
            self.diags.push(
                Diagnostic::error(
                    E_ORDER,
                    self.span_of(kw),
                    "metadata statements must come before the namespace statement",
                )
                .with_label("metadata after `namespace`"),
            );
        }
        Ok(MetadataStatement { key, value, span })
    }

    fn word(&mut self, expected: &str) -> PResult<Ident<'a>> {
        let t = self.peek();
        if t.kind != Tok::Word {
            return Err(self.unexpected(t, expected));
        }
        self.bump();
        Ok(Ident {
            text: self.text_of(t),
            span: self.span_of(t),
        })
    }

    fn identifier(&mut self, what: &str) -> PResult<Ident<'a>> {
        let id = self.word(what)?;
        if !is_identifier(id.text) {
            let sp = self.tail_span(id, bad_ident_offset(id.text));
            self.error(E_BAD_ID, sp, format!("`{}` is not a valid {what}", id.text));
        }
        Ok(id)
    }

    /// The part of `id` from byte `offset` on; at the end of the word, the
    /// one ASCII character after it (or nothing), so that an error there
    /// points just after the word.
    fn tail_span(&self, id: Ident<'a>, offset: usize) -> Span {
        let start = id.span.start as usize + offset;
        let mut end = (id.span.end as usize).max(start);
        if end == start && self.text.as_bytes().get(start).is_some_and(u8::is_ascii) {
            end += 1;
        }
        Span::new(self.file, start, end)
    }

    fn shape_id(&mut self, what: &str) -> PResult<Ident<'a>> {
        let id = self.word(what)?;
        if !is_shape_id(id.text) {
            let sp = self.tail_span(id, shape_id_error_offset(id.text, false).unwrap_or(0));
            self.diags.push(
                Diagnostic::error(
                    E_BAD_ID,
                    sp,
                    format!("`{}` is not a valid shape id", id.text),
                )
                .with_note("shape ids look like `Name`, `Name$member` or `some.namespace#Name`"),
            );
        }
        Ok(id)
    }

    fn namespace(&mut self, f: &File<'a>) -> PResult<Ident<'a>> {
        let kw = self.bump();
        self.expect_sp("a namespace");
        let ns = self.word("a namespace")?;
        if !is_namespace(ns.text) {
            // The namespace ends at the first character that is neither an
            // identifier character nor a `.` followed by an identifier.
            let b = ns.text.as_bytes();
            let mut at = bad_ident_offset(ns.text);
            while at < b.len() && b[at] == b'.' {
                match scan_ident(b, at + 1) {
                    Some(e) => at = e,
                    None => {
                        at += 1;
                        break;
                    }
                }
            }
            let sp = self.tail_span(ns, at);
            self.error(
                E_BAD_ID,
                sp,
                format!("`{}` is not a valid namespace", ns.text),
            );
        }
        self.expect_br(false);
        if let Some(prev) = &f.namespace {
            self.diags.push(
                Diagnostic::error(
                    E_DUPLICATE_NAMESPACE,
                    self.span_of(kw),
                    "only one namespace statement is allowed per file",
                )
                .with_secondary(prev.span, "namespace declared here first"),
            );
        }
        Ok(ns)
    }

    fn use_(&mut self, stage: u8, f: &File<'a>) -> PResult<Ident<'a>> {
        let kw = self.bump();
        self.expect_sp("an absolute shape id");
        let id = self.word("an absolute shape id")?;
        if f.namespace.is_none() {
            self.error(
                E_ORDER,
                self.span_of(kw),
                "`use` statements must follow the namespace statement",
            );
        } else if stage >= 3 {
            self.error(
                E_ORDER,
                self.span_of(kw),
                "`use` statements must come before shapes and apply statements",
            );
        }
        if let Some(at) = shape_id_error_offset(id.text, true) {
            let sp = self.tail_span(id, at);
            self.error(
                E_BAD_USE,
                sp,
                format!(
                    "`use` needs an absolute shape id (`namespace#Name`), found `{}`",
                    id.text
                ),
            );
        } else if id.text.contains('$') {
            self.error(E_BAD_USE, id.span, "members cannot be imported with `use`");
        }
        self.expect_br(false);
        Ok(id)
    }

    // ----- traits ----------------------------------------------------------

    fn traits(&mut self) -> PResult<Vec<TraitApp<'a>>> {
        let mut out = Vec::new();
        while self.peek_kind() == Tok::At {
            out.push(self.trait_()?);
        }
        Ok(out)
    }

    fn trait_(&mut self) -> PResult<TraitApp<'a>> {
        let at = self.bump();
        let name = self.shape_id("a trait name")?;
        let mut span = self.span_of(at).to(name.span);
        // `(` must follow the name directly; after whitespace it is not the
        // trait's value.
        let body = if self.peek_kind() == Tok::LParen && self.prev_end() == self.next_raw_start() {
            let lp = self.bump();
            self.enter(lp)?;
            let body = if self.peek_kind() == Tok::RParen {
                TraitBody::Empty
            } else {
                let t2 = self.peek2();
                // A key is a string or an identifier; a shape id such as
                // `a.b#c` is a value (and `:` after it an error).
                let t1 = self.peek();
                let is_key = t1.kind == Tok::String
                    || (t1.kind == Tok::Word && is_identifier(self.text_of(t1)));
                if is_key && t2.kind == Tok::Colon {
                    TraitBody::Structure(self.kvps(Tok::RParen)?)
                } else {
                    TraitBody::Value(self.node_value()?)
                }
            };
            let rp = self.expect(Tok::RParen)?;
            self.leave();
            span = span.to(self.span_of(rp));
            body
        } else {
            TraitBody::None
        };
        Ok(TraitApp { name, body, span })
    }

    /// `key: value` pairs up to (not including) `close`.
    fn kvps(&mut self, close: Tok) -> PResult<Vec<(Key<'a>, NodeValue<'a>)>> {
        let mut out: Vec<(Key<'a>, NodeValue<'a>)> = Vec::new();
        loop {
            let t = self.peek();
            if t.kind == close {
                break;
            }
            if t.kind == Tok::Eof {
                return Err(self.unexpected(t, close.describe()));
            }
            let key = self.key("`:`")?;
            self.expect(Tok::Colon)?;
            let value = self.node_value()?;
            if let Some((prev, _)) = out.iter().find(|(k, _)| k.text == key.text) {
                let prev = prev.span;
                self.diags.push(
                    Diagnostic::error(
                        E_DUPLICATE_KEY,
                        key.span,
                        format!("duplicate key `{}`", key.text),
                    )
                    .with_secondary(prev, "first defined here"),
                );
            } else {
                out.push((key, value));
            }
        }
        Ok(out)
    }

    // ----- node values -----------------------------------------------------

    fn node_value(&mut self) -> PResult<NodeValue<'a>> {
        let t = self.peek();
        let span = self.span_of(t);
        let kind = match t.kind {
            Tok::LBrace => {
                self.bump();
                self.enter(t)?;
                let kv = self.kvps(Tok::RBrace)?;
                let end = self.expect(Tok::RBrace)?;
                self.leave();
                return Ok(NodeValue {
                    kind: NodeKind::Object(kv),
                    span: span.to(self.span_of(end)),
                });
            }
            Tok::LBracket => {
                self.bump();
                self.enter(t)?;
                let mut items = Vec::new();
                loop {
                    let n = self.peek();
                    match n.kind {
                        Tok::RBracket => break,
                        Tok::Eof => return Err(self.unexpected(n, "`]`")),
                        _ => items.push(self.node_value()?),
                    }
                }
                let end = self.bump();
                self.leave();
                return Ok(NodeValue {
                    kind: NodeKind::Array(items),
                    span: span.to(self.span_of(end)),
                });
            }
            Tok::Number => {
                self.bump();
                NodeKind::Number(lexer::parse_number(self.text_of(t)))
            }
            Tok::String => {
                self.bump();
                NodeKind::String(self.string_value(t))
            }
            Tok::TextBlock => {
                self.bump();
                NodeKind::String(Cow::Owned(lexer::decode_text_block(self.text_of(t))))
            }
            Tok::Word => {
                self.bump();
                match self.text_of(t) {
                    "true" => NodeKind::Bool(true),
                    "false" => NodeKind::Bool(false),
                    "null" => NodeKind::Null,
                    w => {
                        if !is_shape_id(w) {
                            let id = Ident { text: w, span };
                            let at = shape_id_error_offset(w, false).unwrap_or(0);
                            let sp = self.tail_span(id, at);
                            self.diags.push(
                                Diagnostic::error(
                                    E_BAD_ID,
                                    sp,
                                    format!("`{w}` is not a valid unquoted string (shape id)"),
                                )
                                .with_note("quote strings that are not shape ids"),
                            );
                        }
                        NodeKind::ShapeId(w)
                    }
                }
            }
            _ => return Err(self.unexpected(t, "a value")),
        };
        Ok(NodeValue { kind, span })
    }

    // ----- shapes ----------------------------------------------------------

    fn shape_statement(&mut self, docs: Option<DocComment>, f: &mut File<'a>) -> PResult<()> {
        let traits = self.traits()?;
        // Docs written between traits and the keyword are not shape docs per
        // the spec; skip them silently.
        let kw_tok = self.peek();
        if kw_tok.kind == Tok::Word && self.text_of(kw_tok) == "apply" && !traits.is_empty() {
            // Reported at `apply`, where Smithy's parser notices it.
            let sp = self.span_of(kw_tok);
            self.error(
                E_STRAY_TRAITS,
                sp,
                "traits cannot be applied to an apply statement",
            );
            return self.apply().map(|a| f.statements.push(Statement::Apply(a)));
        }
        let keyword = match (kw_tok.kind, ShapeKeyword::from_word(self.text_of(kw_tok))) {
            (Tok::Word, Some(k)) => k,
            _ => {
                let t = kw_tok;
                if t.kind == Tok::Eof && !traits.is_empty() {
                    return Err(self.unexpected(t, "a shape definition after the traits"));
                }
                return Err(self.unexpected(
                    t,
                    "a shape definition (e.g. `structure`, `string`) or `apply`",
                ));
            }
        };
        self.bump();
        let kw_span = self.span_of(kw_tok);
        match keyword {
            ShapeKeyword::Enum | ShapeKeyword::IntEnum => {
                let what = if keyword == ShapeKeyword::Enum {
                    "the `enum` shape"
                } else {
                    "the `intEnum` shape"
                };
                self.require_v2(kw_span, what);
            }
            ShapeKeyword::Set if self.version == IdlVersion::V2 => {
                self.diags.push(
                    Diagnostic::error(
                        E_V1_ONLY,
                        kw_span,
                        "`set` shapes are not allowed in Smithy IDL 2.0",
                    )
                    .with_label("removed in IDL 2.0")
                    .with_note("use a `list` with the `@uniqueItems` trait instead"),
                );
            }
            _ => {}
        }
        self.expect_sp("a shape name");
        let name = self.identifier("shape name")?;
        let mut for_resource = None;
        let aggregate = matches!(
            keyword,
            ShapeKeyword::Structure
                | ShapeKeyword::Union
                | ShapeKeyword::List
                | ShapeKeyword::Set
                | ShapeKeyword::Map
        );
        // `for` (like `with`) must be on the shape name's line; the grammar
        // allows it on every aggregate shape.
        if aggregate && self.is_word("for") && self.gap_is_spaces() {
            let t = self.bump();
            self.require_v2(self.span_of(t), "`for` resource binding");
            self.expect_sp("a resource shape id");
            for_resource = Some(self.shape_id("a resource shape id")?);
        }
        let mixins = self.mixins(false)?;
        let body = match keyword {
            ShapeKeyword::Simple(_) => ShapeBody::None,
            ShapeKeyword::List
            | ShapeKeyword::Set
            | ShapeKeyword::Map
            | ShapeKeyword::Structure
            | ShapeKeyword::Union
            | ShapeKeyword::Enum
            | ShapeKeyword::IntEnum => ShapeBody::Members(self.members(keyword)?),
            ShapeKeyword::Service | ShapeKeyword::Resource => {
                let lb = self.expect(Tok::LBrace)?;
                self.enter(lb)?;
                let kv = self.kvps(Tok::RBrace)?;
                self.expect(Tok::RBrace)?;
                self.leave();
                ShapeBody::Properties(kv)
            }
            ShapeKeyword::Operation => ShapeBody::Operation(self.operation_body()?),
        };
        self.expect_br(false);
        let end = self.toks[self.pos.saturating_sub(1)];
        let span = kw_span.to(self.span_of(end)).to(name.span);
        f.statements.push(Statement::Shape(ShapeStatement {
            docs,
            traits,
            keyword,
            keyword_span: kw_span,
            name,
            for_resource,
            mixins,
            body,
            span,
        }));
        Ok(())
    }

    /// `with [...]`. `any_ws`: it may follow any whitespace (an inline
    /// structure's `with` right after its traits or `:=`).
    fn mixins(&mut self, any_ws: bool) -> PResult<Vec<Ident<'a>>> {
        // `with` on a later line is not a mixin list: it is what comes next
        // (and an error there), as in Smithy's grammar.
        if !self.is_word("with") || !(any_ws || self.gap_is_spaces()) {
            return Ok(Vec::new());
        }
        let with = self.bump();
        self.require_v2(self.span_of(with), "mixins (`with [...]`)");
        self.expect(Tok::LBracket)?;
        let mut out = Vec::new();
        loop {
            let t = self.peek();
            match t.kind {
                Tok::RBracket if !out.is_empty() => {
                    self.bump();
                    break;
                }
                Tok::Word => out.push(self.shape_id("a mixin shape id")?),
                Tok::RBracket => {
                    return Err(self.unexpected(t, "a mixin shape id (`with` needs at least one)"))
                }
                _ => return Err(self.unexpected(t, "a mixin shape id or `]`")),
            }
        }
        Ok(out)
    }

    fn members(&mut self, kw: ShapeKeyword) -> PResult<Vec<MemberDef<'a>>> {
        let lb = self.expect(Tok::LBrace)?;
        self.enter(lb)?;
        let mut out = Vec::new();
        loop {
            let docs = self.take_docs();
            let t = self.peek();
            if t.kind == Tok::RBrace {
                self.bump();
                break;
            }
            if self.looks_like_next_shape(t) {
                // `structure B {` at the start of a line where a member was
                // expected: the `}` of this body is missing. Say so and let
                // the next statement parse normally.
                let sp = self.span_of(t);
                let open = self.span_of(lb);
                self.diags.push(
                    Diagnostic::error(
                        E_UNEXPECTED,
                        sp,
                        "expected `}` before the next shape definition",
                    )
                    .with_label("a new shape starts here")
                    .with_secondary(open, "this `{` is never closed"),
                );
                self.open = self.open.saturating_sub(1);
                break;
            }
            let traits = self.traits()?;
            let m = self.member(kw, docs, traits)?;
            out.push(m);
        }
        self.leave();
        Ok(out)
    }

    /// A shape keyword at column 0 followed by a name (not `:`): almost
    /// certainly the next statement, not a member named like a keyword.
    fn looks_like_next_shape(&mut self, t: Token) -> bool {
        t.kind == Tok::Word
            && self.at_column0(t)
            && ShapeKeyword::from_word(self.text_of(t)).is_some()
            && self.peek2().kind == Tok::Word
    }

    fn member(
        &mut self,
        kw: ShapeKeyword,
        docs: Option<DocComment>,
        traits: Vec<TraitApp<'a>>,
    ) -> PResult<MemberDef<'a>> {
        let t = self.peek();
        let is_enum = matches!(kw, ShapeKeyword::Enum | ShapeKeyword::IntEnum);
        let (name, target, elided, start) = match t.kind {
            Tok::Dollar if !is_enum => {
                self.bump();
                self.require_v2(self.span_of(t), "target elision (`$member`)");
                let name = self.identifier("member name")?;
                (name, None, true, self.span_of(t))
            }
            Tok::Word => {
                let name = self.identifier("member name")?;
                if is_enum {
                    (name, None, false, name.span)
                } else {
                    self.spaces_only("`:`");
                    self.expect(Tok::Colon)?;
                    self.spaces_only("a target shape id");
                    let target = self.shape_id("a target shape id")?;
                    (name, Some(target), false, name.span)
                }
            }
            _ => {
                let what = if is_enum {
                    "an enum member name or `}`"
                } else {
                    "a member name or `}`"
                };
                return Err(self.unexpected(t, what));
            }
        };
        match kw {
            ShapeKeyword::List | ShapeKeyword::Set if name.text != "member" => {
                self.error(
                    E_MEMBER_NAME,
                    name.span,
                    format!(
                        "{} members must be named `member`, found `{}`",
                        if kw == ShapeKeyword::Set {
                            "set"
                        } else {
                            "list"
                        },
                        name.text
                    ),
                );
            }
            ShapeKeyword::Map if name.text != "key" && name.text != "value" => {
                self.error(
                    E_MEMBER_NAME,
                    name.span,
                    format!(
                        "map members must be named `key` or `value`, found `{}`",
                        name.text
                    ),
                );
            }
            _ => {}
        }
        let mut value = None;
        // `= value` must start on the member's line and end it.
        if self.peek_kind() == Tok::Eq && self.gap_is_spaces() {
            let eq = self.bump();
            let eq_span = self.span_of(eq);
            match kw {
                ShapeKeyword::Structure => self.require_v2(eq_span, "default values (`= value`)"),
                ShapeKeyword::Enum | ShapeKeyword::IntEnum => {}
                _ => self.error(
                    E_VALUE_ASSIGNMENT,
                    eq_span,
                    "`= value` is only allowed on structure and enum members",
                ),
            }
            self.spaces_only("a value");
            value = Some(self.node_value()?);
            self.expect_br(true);
        }
        let end = self.toks[self.pos.saturating_sub(1)];
        let span = start.to(self.span_of(end));
        Ok(MemberDef {
            docs,
            traits,
            name,
            target,
            elided,
            value,
            span,
        })
    }

    fn operation_body(&mut self) -> PResult<OperationBody<'a>> {
        let lb = self.expect(Tok::LBrace)?;
        self.enter(lb)?;
        let mut body = OperationBody::default();
        let mut errors_seen: Option<Span> = None;
        loop {
            let t = self.peek();
            if t.kind == Tok::RBrace {
                self.bump();
                break;
            }
            let key = self.key("`:` or `:=`")?;
            let which = key.text.as_ref();
            match which {
                "input" | "output" => {
                    let sep = self.peek();
                    let target = match sep.kind {
                        Tok::Colon => {
                            self.bump();
                            IoTarget::Ref(self.shape_id("a structure shape id")?)
                        }
                        Tok::Walrus => {
                            self.bump();
                            self.require_v2(self.span_of(sep), "inline input/output (`:=`)");
                            IoTarget::Inline(Box::new(self.inline_structure(self.span_of(sep))?))
                        }
                        _ => return Err(self.unexpected(sep, "`:` or `:=`")),
                    };
                    let slot = if which == "input" {
                        &mut body.input
                    } else {
                        &mut body.output
                    };
                    if let Some((_, prev)) = slot {
                        let prev = *prev;
                        self.diags.push(
                            Diagnostic::error(
                                E_OPERATION_PROPERTY,
                                key.span,
                                format!("duplicate operation property `{which}`"),
                            )
                            .with_secondary(prev, "first defined here"),
                        );
                    } else {
                        *slot = Some((target, key.span));
                    }
                }
                "errors" => {
                    self.expect(Tok::Colon)?;
                    self.expect(Tok::LBracket)?;
                    let mut list = Vec::new();
                    loop {
                        let t = self.peek();
                        match t.kind {
                            Tok::RBracket => {
                                self.bump();
                                break;
                            }
                            Tok::Word => list.push(self.shape_id("an error shape id")?),
                            _ => return Err(self.unexpected(t, "an error shape id or `]`")),
                        }
                    }
                    if let Some(prev) = errors_seen {
                        self.diags.push(
                            Diagnostic::error(
                                E_OPERATION_PROPERTY,
                                key.span,
                                "duplicate operation property `errors`",
                            )
                            .with_secondary(prev, "first defined here"),
                        );
                    } else {
                        errors_seen = Some(key.span);
                        body.errors = list;
                    }
                }
                other => {
                    self.diags.push(
                        Diagnostic::error(
                            E_OPERATION_PROPERTY,
                            key.span,
                            format!("unknown operation property `{other}`"),
                        )
                        .with_note("operations have `input`, `output` and `errors`"),
                    );
                    // Skip its value to keep going.
                    if matches!(self.peek_kind(), Tok::Colon | Tok::Walrus) {
                        self.bump();
                    }
                    self.node_value()?;
                }
            }
        }
        self.leave();
        Ok(body)
    }

    fn inline_structure(&mut self, walrus: Span) -> PResult<InlineStructure<'a>> {
        let docs = self.take_docs();
        let traits = self.traits()?;
        let mut for_resource = None;
        // After `:=` and the traits, whitespace of any kind may come before
        // `for` or `with`; after `for X`, `with` stays on that line.
        if self.is_word("for") {
            self.bump();
            self.expect_sp("a resource shape id");
            for_resource = Some(self.shape_id("a resource shape id")?);
        }
        let mixins = self.mixins(for_resource.is_none())?;
        let members = self.members(ShapeKeyword::Structure)?;
        let end = self.toks[self.pos.saturating_sub(1)];
        Ok(InlineStructure {
            docs,
            traits,
            for_resource,
            mixins,
            members,
            walrus,
            span: walrus.to(self.span_of(end)),
        })
    }

    fn apply(&mut self) -> PResult<ApplyStatement<'a>> {
        let kw = self.bump();
        self.expect_ws("the target shape id")?;
        let target = self.shape_id("a shape id to apply traits to")?;
        self.expect_ws("the traits")?;
        let traits = match self.peek_kind() {
            Tok::At => vec![self.trait_()?],
            Tok::LBrace => {
                let lb = self.bump();
                self.enter(lb)?;
                let traits = self.traits()?;
                self.expect(Tok::RBrace)?;
                self.leave();
                traits
            }
            _ => {
                let t = self.peek();
                return Err(self.unexpected(t, "a trait (`@name`) or `{`"));
            }
        };
        self.expect_br(false);
        let end = self.toks[self.pos.saturating_sub(1)];
        Ok(ApplyStatement {
            target,
            traits,
            span: self.span_of(kw).to(self.span_of(end)),
        })
    }
}
