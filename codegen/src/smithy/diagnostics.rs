//! Diagnostics: what the lexer, parser, assembler and validator report.
//! Each has a stable code (e.g. `E0101`), a severity, a primary span and
//! optional secondary labels and notes. Rendering (rustc-style text and JSON)
//! lives here too; only the CLI prints.

use super::source::Span;

/// How bad a diagnostic is. Any `Error` stops code generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Informational.
    Note,
    /// Suspicious but the model is usable.
    Warning,
    /// The model is invalid.
    Error,
}

/// A secondary location with a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What about it.
    pub message: String,
}

/// One finding about the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error, warning or note.
    pub severity: Severity,
    /// Stable code, e.g. `E0001`; listed in `codes.rs`.
    pub code: &'static str,
    /// One-line message.
    pub message: String,
    /// The main location (`None` for whole-run problems such as unreadable files).
    pub span: Option<Span>,
    /// Text shown under the caret of the primary span.
    pub label: Option<String>,
    /// Secondary locations.
    pub labels: Vec<Label>,
    /// Extra `= note:` lines.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error with `code` at `span`.
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: Some(span),
            label: None,
            labels: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// A warning with `code` at `span`.
    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Self::error(code, span, message)
        }
    }

    /// Sets the text under the primary caret.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
