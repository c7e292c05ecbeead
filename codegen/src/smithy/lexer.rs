//! Hand-written lexer for the Smithy IDL (1.0 and 2.0).
//!
//! The lexer turns a whole file into a flat `Vec<Token>` of kinds and byte
//! offsets; token text is never copied (the parser slices the source). String
//! literals and text blocks are validated here (escapes, termination) and
//! decoded on demand by [`decode_string`] / [`decode_text_block`], which take
//! a fast borrowed path when there is nothing to decode.
//!
//! Whitespace, commas (whitespace in Smithy) and `//` comments produce no
//! tokens; `///` documentation comments do, because they become the
//! `smithy.api#documentation` trait of the following shape or member.
//!
//! Lexer diagnostics use codes `E0001`..`E0049`. Malformed input never panics:
//! the lexer reports and skips.

use super::diagnostics::Diagnostic;
use super::source::{FileId, Span};
use crate::model::Number;
use std::borrow::Cow;

/// Unexpected character.
pub const E_UNEXPECTED_CHAR: &str = "E0001";
/// Unterminated string literal.
pub const E_UNTERMINATED_STRING: &str = "E0002";
/// Invalid escape sequence.
pub const E_INVALID_ESCAPE: &str = "E0003";
/// Invalid `\uXXXX` escape.
pub const E_INVALID_UNICODE: &str = "E0004";
/// Unpaired UTF-16 surrogate in `\u` escapes.
pub const E_LONE_SURROGATE: &str = "E0005";
/// Text block opening `"""` not followed by a newline.
pub const E_TEXT_BLOCK_OPEN: &str = "E0006";
/// Unterminated text block.
pub const E_UNTERMINATED_TEXT_BLOCK: &str = "E0007";
/// Malformed number.
pub const E_BAD_NUMBER: &str = "E0008";
/// Too many lexical errors in one file: the rest is skipped.
pub const E_TOO_MANY_ERRORS: &str = "E0009";
/// Lexical errors reported per file before the lexer gives up.
pub const MAX_ERRORS: usize = 100;
/// File is not valid UTF-8 (reported by the loader).
pub const E_NOT_UTF8: &str = "E0010";

/// Kinds of tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tok {
    /// Identifier-like word: identifiers, namespaces, shape ids (`a.b#C$d`),
    /// keywords. The parser checks which form is required.
    Word,
    /// `$` (control statements, elided members).
    Dollar,
    /// A number literal (already validated).
    Number,
    /// A `"..."` string literal, quotes included in the span.
    String,
    /// A `"""` text block, delimiters included in the span.
    TextBlock,
    /// A `///` documentation comment line (span covers the whole line
    /// without the newline).
    DocComment,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `:`
    Colon,
    /// `:=`
    Walrus,
    /// `=`
    Eq,
    /// `@`
    At,
    /// End of input (always the last token; zero-width span at the end).
    Eof,
}

impl Tok {
    /// How the token kind is described in diagnostics.
    pub fn describe(self) -> &'static str {
        match self {
            Tok::Word => "identifier",
            Tok::Dollar => "`$`",
            Tok::Number => "number",
            Tok::String => "string",
            Tok::TextBlock => "text block",
            Tok::DocComment => "documentation comment",
            Tok::LBrace => "`{`",
            Tok::RBrace => "`}`",
            Tok::LBracket => "`[`",
            Tok::RBracket => "`]`",
            Tok::LParen => "`(`",
            Tok::RParen => "`)`",
            Tok::Colon => "`:`",
            Tok::Walrus => "`:=`",
            Tok::Eq => "`=`",
            Tok::At => "`@`",
            Tok::Eof => "end of file",
        }
    }
}

/// One token: kind and byte range in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Kind.
    pub kind: Tok,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
    /// True if the token is the first one on its line (used by the parser's
    /// error recovery to find the next statement).
    pub line_start: bool,
}

impl Token {
    /// The token's byte range.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// True for bytes that may start a word.
#[inline]
fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// Bytes that may continue a word (identifier chars plus the shape id
/// separators `.`, `#`, `$`: whitespace is significant in shape ids, so a
/// whole id is one token). A table: this is the lexer's hottest loop.
static WORD_CHARS: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'#' || b == b'$';
        i += 1;
    }
    t
};

/// True for bytes that may continue a word.
#[inline]
fn is_word_char(b: u8) -> bool {
    WORD_CHARS[b as usize]
}

struct Lexer<'a> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
    file: FileId,
    tokens: Vec<Token>,
    diags: &'a mut Vec<Diagnostic>,
    line_start: bool,
    errors: usize,
    /// Opening delimiter (`"` or `"""`) of the string being scanned: escape
    /// errors are located there, as Smithy locates them, with a secondary
    /// label on the escape itself.
    quote: (usize, usize),
}

/// Tokenizes a whole file. Always ends with an [`Tok::Eof`] token.
pub fn tokenize(file: FileId, text: &str, diags: &mut Vec<Diagnostic>) -> Vec<Token> {
    let mut lx = Lexer {
        src: text.as_bytes(),
        text,
        // A UTF-8 byte order mark (some Windows editors write one) is not
        // part of the model.
        pos: if text.starts_with('\u{feff}') { 3 } else { 0 },
        file,
        // A rough guess that avoids most reallocations for typical files.
        tokens: Vec::with_capacity(text.len() / 5 + 4),
        diags,
        line_start: true,
        errors: 0,
        quote: (0, 0),
    };
    lx.run();
    let end = text.len() as u32;
    lx.tokens.push(Token {
        kind: Tok::Eof,
        start: end,
        end,
        line_start: true,
    });
    lx.tokens
}

impl<'a> Lexer<'a> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn error(&mut self, code: &'static str, start: usize, end: usize, msg: impl Into<String>) {
        let sp = self.span(start, end);
        self.report(Diagnostic::error(code, sp, msg), end);
    }

    /// Pushes a lexical error whose bad input ends at `end`, counting it
    /// towards [`MAX_ERRORS`].
    fn report(&mut self, d: Diagnostic, end: usize) {
        self.diags.push(d);
        self.errors += 1;
        if self.errors == MAX_ERRORS {
            // Past this point the input is almost certainly not Smithy;
            // thousands of diagnostics would only hide the first ones.
            let rest = self.span(end.min(self.src.len()), self.src.len());
            self.diags.push(
                Diagnostic::error(
                    E_TOO_MANY_ERRORS,
                    rest,
                    format!(
                        "too many lexical errors ({MAX_ERRORS}); the rest of the file is skipped"
                    ),
                )
                .with_note("is this a Smithy IDL file?"),
            );
        }
    }

    fn push(&mut self, kind: Tok, start: usize, end: usize) {
        self.tokens.push(Token {
            kind,
            start: start as u32,
            end: end as u32,
            line_start: self.line_start,
        });
        self.line_start = false;
    }

    fn run(&mut self) {
        let src = self.src;
        while self.pos < src.len() && self.errors < MAX_ERRORS {
            let b = src[self.pos];
            let start = self.pos;
            match b {
                b' ' | b'\t' | b',' | b'\r' => {
                    // Indentation runs are common; eat them in one loop.
                    let mut i = self.pos + 1;
                    while i < src.len() && matches!(src[i], b' ' | b'\t' | b',' | b'\r') {
                        i += 1;
                    }
                    self.pos = i;
                }
                b'\n' => {
                    self.pos += 1;
                    self.line_start = true;
                }
                b'/' => {
                    if src.get(self.pos + 1) == Some(&b'/') {
                        let mut end = self.pos + 2;
                        while end < src.len() && src[end] != b'\n' {
                            end += 1;
                        }
                        let is_doc = src.get(self.pos + 2) == Some(&b'/')
                            && src.get(self.pos + 3) != Some(&b'/');
                        if is_doc {
                            let mut e = end;
                            if e > start && src[e - 1] == b'\r' {
                                e -= 1;
                            }
                            self.push(Tok::DocComment, start, e);
                        }
                        self.pos = end;
                    } else {
                        self.pos += 1;
                        self.error(
                            E_UNEXPECTED_CHAR,
                            start,
                            self.pos,
                            "unexpected `/` (comments start with `//`)",
                        );
                    }
                }
                b'{' => self.single(Tok::LBrace),
                b'}' => self.single(Tok::RBrace),
                b'[' => self.single(Tok::LBracket),
                b']' => self.single(Tok::RBracket),
                b'(' => self.single(Tok::LParen),
                b')' => self.single(Tok::RParen),
                b'=' => self.single(Tok::Eq),
                b'@' => self.single(Tok::At),
                b'$' => self.single(Tok::Dollar),
                b':' => {
                    if src.get(self.pos + 1) == Some(&b'=') {
                        self.pos += 2;
                        self.push(Tok::Walrus, start, self.pos);
                    } else {
                        self.single(Tok::Colon)
                    }
                }
                b'"' => {
                    if src.get(self.pos + 1) == Some(&b'"') && src.get(self.pos + 2) == Some(&b'"')
                    {
                        self.text_block();
                    } else {
                        self.string();
                    }
                }
                b'-' | b'0'..=b'9' => self.number(),
                _ if is_word_start(b) => {
                    let mut end = self.pos + 1;
                    while end < src.len() && is_word_char(src[end]) {
                        end += 1;
                    }
                    self.pos = end;
                    self.push(Tok::Word, start, end);
                }
                _ => {
                    // Skip one whole character so spans stay on char boundaries.
                    let ch = self.text[start..].chars().next().unwrap_or('\u{fffd}');
                    self.pos += ch.len_utf8().max(1);
                    // Report runs of garbage once, not once per byte.
                    let mut end = self.pos;
                    while end < src.len() {
                        let c = src[end];
                        if c.is_ascii_whitespace()
                            || is_word_char(c)
                            || b"{}[]()=@$:\",/-".contains(&c)
                        {
                            break;
                        }
                        end += 1;
                    }
                    while !self.text.is_char_boundary(end) {
                        end += 1;
                    }
                    self.pos = end;
                    let shown = if ch.is_control() {
                        format!("U+{:04X}", ch as u32)
                    } else {
                        format!("`{ch}`")
                    };
                    self.error(
                        E_UNEXPECTED_CHAR,
                        start,
                        start + ch.len_utf8(),
                        format!("unexpected character {shown}"),
                    );
                }
            }
        }
    }

    /// An error in an escape sequence at `start..end`: reported at the
    /// string's opening delimiter, labelled at the escape.
    fn escape_error(&mut self, code: &'static str, start: usize, end: usize, msg: String) {
        let (qs, qe) = self.quote;
        let sp = self.span(qs, qe);
        let esc = self.span(start, end);
        let d = Diagnostic::error(code, sp, msg)
            .with_label("in this string")
            .with_secondary(esc, "this escape");
        self.report(d, end);
    }

    fn single(&mut self, kind: Tok) {
        let start = self.pos;
        self.pos += 1;
        self.push(kind, start, self.pos);
    }

    /// Validates one escape starting at the backslash at `i`; returns the
    /// index after it.
    fn escape(&mut self, i: usize) -> usize {
        let src = self.src;
        let Some(&c) = src.get(i + 1) else {
            return i + 1;
        };
        match c {
            // No `\'`: the grammar's escapes are JSON's plus escaped newlines.
            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' | b'\n' => i + 2,
            b'\r' => {
                if src.get(i + 2) == Some(&b'\n') {
                    i + 3
                } else {
                    i + 2
                }
            }
            b'u' => {
                let hex = src.get(i + 2..i + 6);
                match hex {
                    Some(h) if h.iter().all(u8::is_ascii_hexdigit) => {
                        let v = hex_value(h);
                        if (0xD800..0xDC00).contains(&v) {
                            // A high surrogate must be followed by a low one.
                            let next = src.get(i + 6..i + 12);
                            let ok = matches!(next, Some(n) if n[0] == b'\\' && n[1] == b'u'
                                && n[2..].iter().all(u8::is_ascii_hexdigit)
                                && (0xDC00..0xE000).contains(&hex_value(&n[2..])));
                            if ok {
                                return i + 12;
                            }
                            self.escape_error(
                                E_LONE_SURROGATE,
                                i,
                                i + 6,
                                "unpaired high surrogate in `\\u` escape (expected a following `\\uDC00`..`\\uDFFF`)".into(),
                            );
                        } else if (0xDC00..0xE000).contains(&v) {
                            self.escape_error(
                                E_LONE_SURROGATE,
                                i,
                                i + 6,
                                "unpaired low surrogate in `\\u` escape".into(),
                            );
                        }
                        i + 6
                    }
                    _ => {
                        let mut end = i + 2;
                        while end < src.len() && end < i + 6 && src[end].is_ascii_hexdigit() {
                            end += 1;
                        }
                        self.escape_error(
                            E_INVALID_UNICODE,
                            i,
                            end,
                            "invalid unicode escape: `\\u` must be followed by 4 hex digits".into(),
                        );
                        end
                    }
                }
            }
            _ => {
                let ch = self.text[i + 1..].chars().next().unwrap_or('?');
                self.escape_error(
                    E_INVALID_ESCAPE,
                    i,
                    i + 1 + ch.len_utf8(),
                    format!("invalid escape sequence `\\{ch}`"),
                );
                i + 1 + ch.len_utf8()
            }
        }
    }

    fn string(&mut self) {
        let start = self.pos;
        self.quote = (start, start + 1);
        let src = self.src;
        let mut i = start + 1;
        loop {
            match src.get(i) {
                None => {
                    self.error(
                        E_UNTERMINATED_STRING,
                        start,
                        start + 1,
                        "unterminated string literal",
                    );
                    self.pos = src.len();
                    // Still emit a token so the parser sees a value here.
                    self.push(Tok::String, start, src.len());
                    return;
                }
                Some(b'"') => {
                    i += 1;
                    break;
                }
                Some(b'\\') => i = self.escape(i),
                Some(_) => i += 1,
            }
        }
        self.pos = i;
        self.push(Tok::String, start, i);
    }

    fn text_block(&mut self) {
        let start = self.pos;
        self.quote = (start, start + 3);
        let src = self.src;
        let mut i = start + 3;
        while matches!(src.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        match src.get(i) {
            Some(b'\n') => i += 1,
            Some(b'\r') if src.get(i + 1) == Some(&b'\n') => i += 2,
            _ => {
                self.error(
                    E_TEXT_BLOCK_OPEN,
                    start,
                    start + 3,
                    "a text block's opening `\"\"\"` must be followed by a new line",
                );
            }
        }
        loop {
            match src.get(i) {
                None => {
                    self.error(
                        E_UNTERMINATED_TEXT_BLOCK,
                        start,
                        start + 3,
                        "unterminated text block (missing closing `\"\"\"`)",
                    );
                    self.pos = src.len();
                    self.push(Tok::TextBlock, start, src.len());
                    return;
                }
                Some(b'"') if src.get(i + 1) == Some(&b'"') && src.get(i + 2) == Some(&b'"') => {
                    i += 3;
                    break;
                }
                Some(b'\\') => i = self.escape(i),
                Some(_) => i += 1,
            }
        }
        self.pos = i;
        self.push(Tok::TextBlock, start, i);
    }

    fn number(&mut self) {
        let start = self.pos;
        let src = self.src;
        let mut i = start;
        if src[i] == b'-' {
            i += 1;
        }
        let int_start = i;
        while i < src.len() && src[i].is_ascii_digit() {
            i += 1;
        }
        let mut ok = i > int_start;
        if ok && src[int_start] == b'0' && i - int_start > 1 {
            ok = false;
        }
        if ok && src.get(i) == Some(&b'.') {
            i += 1;
            let f = i;
            while i < src.len() && src[i].is_ascii_digit() {
                i += 1;
            }
            ok = i > f;
        }
        if ok && matches!(src.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(src.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let e = i;
            while i < src.len() && src[i].is_ascii_digit() {
                i += 1;
            }
            ok = i > e;
        }
        // A number glued to letters (`12abc`) is malformed as a whole.
        while i < src.len() && (is_word_char(src[i]) || src[i] == b'.') {
            i += 1;
            ok = false;
        }
        if i == start {
            i += 1;
        }
        self.pos = i;
        if ok {
            self.push(Tok::Number, start, i);
        } else {
            self.error(
                E_BAD_NUMBER,
                start,
                i,
                format!("malformed number `{}`", &self.text[start..i]),
            );
            // Emit it anyway so the parser does not report a second error.
            self.push(Tok::Number, start, i);
        }
    }
}

fn hex_value(h: &[u8]) -> u32 {
    h.iter().fold(0u32, |acc, &b| {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => 0,
        };
        acc * 16 + d as u32
    })
}

/// Parses the text of a [`Tok::Number`] token. Integers beyond `i64` become
/// [`Number::BigInt`]; numbers with a fraction or exponent are `f64`, or
/// `BigInt` text beyond `f64`'s range ([`Number::big_decimal`]).
/// Malformed text (already reported by the lexer) yields `Int(0)`.
pub fn parse_number(text: &str) -> Number {
    let is_int = !text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'));
    if is_int {
        match text.parse::<i64>() {
            Ok(v) => Number::Int(v),
            Err(_)
                if !text.is_empty()
                    && text
                        .trim_start_matches('-')
                        .bytes()
                        .all(|b| b.is_ascii_digit())
                    && text != "-" =>
            {
                Number::BigInt(text.to_string())
            }
            Err(_) => Number::Int(0),
        }
    } else {
        Number::big_decimal(text).unwrap_or(Number::Float(0.0))
    }
}

/// Decodes the body of a string literal (`raw` = token text without the
/// quotes): escapes expanded, CR/CRLF normalised to LF, escaped newlines
/// removed. Invalid escapes (already reported by the lexer) are kept verbatim.
pub fn decode_string(raw: &str) -> Cow<'_, str> {
    if !raw.bytes().any(|b| b == b'\\' || b == b'\r') {
        return Cow::Borrowed(raw);
    }
    Cow::Owned(unescape(raw))
}

fn unescape(raw: &str) -> String {
    let b = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    let mut run = 0; // start of the pending verbatim run
    while i < b.len() {
        match b[i] {
            b'\r' => {
                out.push_str(&raw[run..i]);
                out.push('\n');
                i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                run = i;
            }
            b'\\' => {
                out.push_str(&raw[run..i]);
                let Some(&c) = b.get(i + 1) else {
                    i += 1;
                    run = i;
                    continue;
                };
                i += 2;
                match c {
                    b'"' => out.push('"'),
                    b'\\' => out.push('\\'),
                    b'/' => out.push('/'),
                    b'b' => out.push('\u{8}'),
                    b'f' => out.push('\u{c}'),
                    b'n' => out.push('\n'),
                    b'r' => out.push('\r'),
                    b't' => out.push('\t'),
                    b'\n' => {}
                    b'\r' => {
                        if b.get(i) == Some(&b'\n') {
                            i += 1;
                        }
                    }
                    b'u' => {
                        let hex = b
                            .get(i..i + 4)
                            .filter(|h| h.iter().all(u8::is_ascii_hexdigit));
                        match hex {
                            Some(h) => {
                                let v = hex_value(h);
                                i += 4;
                                if (0xD800..0xDC00).contains(&v) {
                                    let low = b
                                        .get(i..i + 6)
                                        .filter(|n| {
                                            n[0] == b'\\'
                                                && n[1] == b'u'
                                                && n[2..].iter().all(u8::is_ascii_hexdigit)
                                        })
                                        .map(|n| hex_value(&n[2..]))
                                        .filter(|l| (0xDC00..0xE000).contains(l));
                                    if let Some(l) = low {
                                        i += 6;
                                        let cp = 0x10000 + ((v - 0xD800) << 10) + (l - 0xDC00);
                                        out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                                    } else {
                                        out.push('\u{fffd}');
                                    }
                                } else {
                                    out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                                }
                            }
                            None => out.push_str("\\u"),
                        }
                    }
                    _ => {
                        // Invalid escape: keep it as written (already reported).
                        out.push('\\');
                        i -= 1;
                    }
                }
                run = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&raw[run.min(raw.len())..]);
    out
}

/// Decodes a text block token (`raw` = whole token text including both
/// `"""` delimiters) per the spec: split into lines after the opening line,
/// remove the common whitespace prefix (the closing-delimiter line counts when
/// it holds only whitespace; other blank lines do not), strip trailing
/// whitespace, join with LF, then expand escapes.
pub fn decode_text_block(raw: &str) -> String {
    let inner = raw.strip_prefix("\"\"\"").unwrap_or(raw);
    let inner = inner.strip_suffix("\"\"\"").unwrap_or(inner);
    // Drop the rest of the opening line (spaces) and its newline.
    let body = match inner.find('\n') {
        Some(i) => &inner[i + 1..],
        None => "",
    };
    let normalized;
    let body = if body.contains('\r') {
        normalized = body.replace("\r\n", "\n").replace('\r', "\n");
        normalized.as_str()
    } else {
        body
    };
    let lines: Vec<&str> = body.split('\n').collect();
    let last = lines.len() - 1;
    let leading = |l: &str| l.bytes().take_while(|b| *b == b' ' || *b == b'\t').count();
    let mut indent = usize::MAX;
    for (i, l) in lines.iter().enumerate() {
        let blank = l.bytes().all(|b| b == b' ' || b == b'\t');
        if blank && i != last {
            continue;
        }
        indent = indent.min(leading(l));
    }
    if indent == usize::MAX {
        indent = 0;
    }
    let mut out = String::with_capacity(body.len());
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let cut = leading(l).min(indent);
        out.push_str(l[cut..].trim_end_matches([' ', '\t']));
    }
    match decode_string(&out) {
        Cow::Borrowed(_) => out,
        Cow::Owned(s) => s,
    }
}
