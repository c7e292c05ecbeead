//! Every diagnostic code of the Smithy front end with a one-line description.
//!
//! Ranges: lexer `E0001`-`E0049`, parser `E0050`-`E0099`, assembler and name
//! resolution `E0100`-`E0149` / `W0100`-`W0149`, validator `E0200`-`E0299` /
//! `W0200`-`W0299`, JSON AST reader `E0300`-`E0349` / `W0300`-`W0349`, input
//! files `E0900` / `W0900`-`W0949`. Codes are stable: a code is never reused for another meaning.
//! The emitting modules own their constants; this table is what `weld` shows
//! users (and what tests check for completeness).

use super::diagnostics::Severity;

/// One entry of the code table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeInfo {
    /// The code, e.g. `E0200`.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// Which stage reports it.
    pub stage: &'static str,
    /// One-line description.
    pub description: &'static str,
}

const fn e(code: &'static str, stage: &'static str, description: &'static str) -> CodeInfo {
    CodeInfo {
        code,
        severity: Severity::Error,
        stage,
        description,
    }
}

const fn w(code: &'static str, stage: &'static str, description: &'static str) -> CodeInfo {
    CodeInfo {
        code,
        severity: Severity::Warning,
        stage,
        description,
    }
}

/// Every code, grouped by stage.
pub const CODES: &[CodeInfo] = &[
    // Lexer.
    e("E0001", "lexer", "unexpected character"),
    e("E0002", "lexer", "unterminated string literal"),
    e("E0003", "lexer", "invalid escape sequence in a string"),
    e("E0004", "lexer", "invalid `\\uXXXX` escape"),
    e(
        "E0005",
        "lexer",
        "unpaired UTF-16 surrogate in `\\u` escapes",
    ),
    e(
        "E0006",
        "lexer",
        "text block opening `\"\"\"` not followed by a newline",
    ),
    e("E0007", "lexer", "unterminated text block"),
    e("E0008", "lexer", "malformed number"),
    e(
        "E0009",
        "lexer",
        "too many lexical errors in one file; the rest is skipped",
    ),
    e("E0010", "lexer", "file is not valid UTF-8"),
    // Parser.
    e("E0050", "parser", "unexpected token"),
    e("E0051", "parser", "IDL 2.0 syntax used in an IDL 1.0 file"),
    e(
        "E0052",
        "parser",
        "IDL 1.0-only syntax (`set`) used in an IDL 2.0 file",
    ),
    e("E0053", "parser", "unsupported `$version`"),
    e("E0054", "parser", "misplaced or invalid control statement"),
    e("E0055", "parser", "nesting too deep"),
    e(
        "E0056",
        "parser",
        "shape or apply statement before the namespace statement",
    ),
    e("E0057", "parser", "more than one namespace statement"),
    e(
        "E0058",
        "parser",
        "malformed identifier, shape id or namespace",
    ),
    e("E0059", "parser", "invalid `use` statement"),
    e(
        "E0060",
        "parser",
        "duplicate key in a node object or trait value",
    ),
    e("E0061", "parser", "unknown or duplicate operation property"),
    e(
        "E0062",
        "parser",
        "invalid member name for a list, set or map",
    ),
    e(
        "E0063",
        "parser",
        "`= value` where no value assignment is allowed",
    ),
    e(
        "E0064",
        "parser",
        "statement out of order (metadata after namespace, use after shapes...)",
    ),
    e("E0065", "parser", "traits before something that takes none"),
    e(
        "E0066",
        "parser",
        "too many syntax errors in one file; the rest is skipped",
    ),
    e(
        "E0067",
        "parser",
        "statement not ended by a line break (BR) where the grammar requires one",
    ),
    e(
        "E0068",
        "parser",
        "line break, comment or comma where the grammar allows only spaces, or a required space missing",
    ),
    w(
        "W0050",
        "parser",
        "documentation comment where the spec ignores it (ends a statement's line, or before `apply`)",
    ),
    // Assembler.
    e(
        "E0100",
        "assembler",
        "two different definitions of one shape id",
    ),
    e(
        "E0101",
        "assembler",
        "conflicting metadata values for one key",
    ),
    e("E0102", "assembler", "mixins form a cycle"),
    e(
        "E0103",
        "assembler",
        "mixin reference to a shape that is not a mixin or does not exist",
    ),
    e(
        "E0104",
        "assembler",
        "member conflicts with a member inherited from a mixin",
    ),
    e(
        "E0105",
        "assembler",
        "elided member (`$name`) whose target cannot be found",
    ),
    e("E0106", "assembler", "mixin of a different shape type"),
    e(
        "E0110",
        "assembler",
        "`apply` of a trait already present with a different value",
    ),
    e(
        "E0111",
        "assembler",
        "`apply` to a shape or member that does not exist",
    ),
    // Name resolution.
    e(
        "E0120",
        "resolver",
        "two `use` statements import different shapes under one name",
    ),
    e(
        "E0121",
        "resolver",
        "a `use` import has the name of a shape defined in the same file",
    ),
    e(
        "E0122",
        "resolver",
        "the same trait applied twice to one shape or member",
    ),
    e(
        "E0123",
        "resolver",
        "two members with the same name in one shape",
    ),
    e(
        "E0124",
        "resolver",
        "`= value` together with an explicit `@enumValue` or `@default`",
    ),
    e("E0125", "resolver", "invalid service or resource property"),
    e(
        "E0126",
        "resolver",
        "list or set without `member`, or map without `key` / `value`",
    ),
    e(
        "E0127",
        "resolver",
        "unquoted node value (syntactic shape id) that names no shape",
    ),
    w(
        "W0120",
        "resolver",
        "doc comment and explicit `@documentation` on the same shape",
    ),
    w(
        "W0121",
        "resolver",
        "IDL 1.0: lower-case number type (`u64`) that names no shape, resolved to the \
         wasmCloud alias (`org.wasmcloud.model#U64`); an error in IDL 2.0",
    ),
    // Validator errors.
    e(
        "E0200",
        "validator",
        "member targets a shape that is not defined",
    ),
    e(
        "E0201",
        "validator",
        "operation, service, resource or mixin reference to a shape that is not defined",
    ),
    e("E0202", "validator", "unknown trait"),
    e(
        "E0203",
        "validator",
        "shape applied as a trait is not a trait (no `@trait`)",
    ),
    e(
        "E0204",
        "validator",
        "member names of one shape are equal ignoring case",
    ),
    e(
        "E0205",
        "validator",
        "member targets an operation, service, resource or member",
    ),
    e(
        "E0206",
        "validator",
        "map key does not target a string shape",
    ),
    e(
        "E0207",
        "validator",
        "trait applied to a shape its selector does not match",
    ),
    e("E0208", "validator", "trait value has the wrong type"),
    e("E0209", "validator", "trait value lacks a required member"),
    e(
        "E0210",
        "validator",
        "trait value has a member its shape does not define",
    ),
    e(
        "E0211",
        "validator",
        "trait value breaks a constraint (enum value, range, length)",
    ),
    e(
        "E0212",
        "validator",
        "conflicting traits applied to one shape",
    ),
    e(
        "E0213",
        "validator",
        "structurally exclusive trait used by more than one member",
    ),
    e(
        "E0214",
        "validator",
        "enum member value is not a non-empty string",
    ),
    e(
        "E0215",
        "validator",
        "two enum or intEnum members share a value",
    ),
    e(
        "E0216",
        "validator",
        "intEnum member has no 32-bit integer value",
    ),
    e(
        "E0217",
        "validator",
        "IDL 1.0 `@enum` trait has duplicate, inconsistent or invalid entries",
    ),
    e(
        "E0218",
        "validator",
        "`@range` / `@length` bounds inverted or negative",
    ),
    e(
        "E0219",
        "validator",
        "`@default` value does not fit the target shape",
    ),
    e(
        "E0220",
        "validator",
        "member targets a shape with `@default` without repeating it (IDL 2.0)",
    ),
    e(
        "E0221",
        "validator",
        "operation input or output is not a structure",
    ),
    e(
        "E0222",
        "validator",
        "operation or service error is not a structure marked `@error`",
    ),
    e(
        "E0223",
        "validator",
        "`@input` / `@output` structure used other than as one operation's input / output",
    ),
    e(
        "E0224",
        "validator",
        "two shapes in a service closure have names equal ignoring case",
    ),
    e(
        "E0225",
        "validator",
        "service or resource binding targets the wrong kind of shape",
    ),
    e(
        "E0226",
        "validator",
        "resource identifier does not target a string shape",
    ),
    e(
        "E0227",
        "validator",
        "non-union member targets `smithy.api#Unit`",
    ),
    e(
        "E0228",
        "validator",
        "enum, intEnum or union has no members",
    ),
    e(
        "E0229",
        "validator",
        "`@private` shape referenced from another namespace",
    ),
    e("E0230", "validator", "`@box` used in an IDL 2.0 model"),
    e(
        "E0231",
        "validator",
        "trait definition has an invalid selector",
    ),
    e(
        "E0232",
        "validator",
        "operation mixin with input/output, or resource mixin with properties",
    ),
    e(
        "E0250",
        "validator",
        "wasmCloud: `@n` on some but not all members of a structure",
    ),
    e(
        "E0251",
        "validator",
        "wasmCloud: two members of a structure share an `@n` value",
    ),
    e(
        "E0252",
        "validator",
        "wasmCloud: `@n` is negative or not an integer",
    ),
    e(
        "E0253",
        "validator",
        "wasmCloud: `@wasmbus(providerReceive: true)` without `contractId`",
    ),
    e(
        "E0254",
        "validator",
        "wasmCloud: union used by a protocol \"2\" service has a member without `@n`",
    ),
    // Validator warnings.
    w("W0200", "validator", "deprecated trait applied"),
    w("W0201", "validator", "member targets a deprecated shape"),
    w(
        "W0202",
        "validator",
        "member is `@required` and has a non-null `@default`",
    ),
    w(
        "W0203",
        "validator",
        "trait selector uses features weld does not evaluate; placement not checked",
    ),
    w(
        "W0204",
        "validator",
        "trait selector separates alternatives with a top-level comma",
    ),
    w("W0205", "validator", "IDL 1.0 service without a version"),
    w("W0206", "validator", "`@wasmbus` names an unknown protocol"),
    // Rule for W0207-W0209: wasmCloud's published IDL 1.0 interfaces were
    // checked only by Smithy 1.0 tools that never evaluated trait selectors
    // or checked trait values against their shapes, so in IDL 1.0 files
    // these are warnings; the same input in an IDL 2.0 file is an error
    // (E0207, E0208, E0209 / E0210). Value type errors stay errors.
    w(
        "W0207",
        "validator",
        "IDL 1.0: trait applied to a shape its selector does not match (E0207 in IDL 2.0)",
    ),
    w(
        "W0208",
        "validator",
        "IDL 1.0: trait of a simple-type shape applied without a value, e.g. \
         `@nonEmptyString` (E0208 in IDL 2.0)",
    ),
    w(
        "W0209",
        "validator",
        "IDL 1.0: trait value lacks a required member or has an unknown one, e.g. \
         `@enum` entries without `value` (E0209 / E0210 in IDL 2.0)",
    ),
    // JSON AST reader.
    e("E0300", "json", "JSON syntax error"),
    e("E0301", "json", "unterminated string"),
    e(
        "E0302",
        "json",
        "invalid string escape or control character in a string",
    ),
    e("E0303", "json", "invalid or out-of-range number"),
    e("E0304", "json", "nesting too deep"),
    e("E0305", "json", "duplicate object key"),
    e("E0306", "json", "trailing content after the document"),
    e("E0310", "json", "a value has the wrong JSON type"),
    e("E0311", "json", "missing or unsupported `smithy` version"),
    e("E0312", "json", "invalid shape id"),
    e("E0313", "json", "unknown shape `type`"),
    e("E0314", "json", "required property missing"),
    e("E0316", "json", "invalid member, identifier or rename name"),
    w(
        "W0315",
        "json",
        "unknown property (ignored, as Smithy does)",
    ),
    // Inputs.
    e("E0900", "input", "an input path cannot be read"),
    w(
        "W0901",
        "input",
        "a directory reached again through a symbolic link (a loop, or linked twice) is not read again",
    ),
];

/// The table entry for `code`.
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|c| c.code == code)
}

/// The one-line description of `code`.
pub fn describe(code: &str) -> Option<&'static str> {
    lookup(code).map(|c| c.description)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for c in CODES {
            assert!(seen.insert(c.code), "{} listed twice", c.code);
        }
        for c in CODES {
            assert_eq!(c.code.len(), 5, "{}", c.code);
            let want = if c.code.starts_with('E') {
                Severity::Error
            } else {
                Severity::Warning
            };
            assert_eq!(c.severity, want, "{}", c.code);
            assert!(!c.description.is_empty());
        }
    }

    #[test]
    fn validator_constants_are_listed() {
        use crate::smithy::validate as v;
        for code in [
            v::E_UNRESOLVED_TARGET,
            v::E_UNKNOWN_TRAIT,
            v::E_TRAIT_NOT_APPLICABLE,
            v::E_N_ALL_OR_NONE,
            v::E_UNION_NEEDS_N,
            v::W_DEPRECATED_TRAIT,
            v::W_WASMBUS_PROTOCOL,
        ] {
            assert!(lookup(code).is_some(), "{code} missing from the table");
        }
    }
}
