//! Smithy IDL front end: source files, diagnostics, lexer, parser, assembler,
//! prelude, validator and the JSON AST reader/writer.

pub mod diagnostics;
pub mod fragment;
pub mod json_ast;
pub mod prelude;
pub mod render;
pub mod source;
