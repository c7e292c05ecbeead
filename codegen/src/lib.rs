//! weld code generation: a Smithy IDL front end (lexer, parser, assembler,
//! validator, diagnostics) producing a semantic [`model::Model`], and generators
//! (Rust crates, HTML docs) that render it.
//!
//! The front end (`smithy`) knows nothing of Rust; generators (`rust`, `docs`)
//! do no file I/O: they return an output set of `path -> bytes` that the CLI writes.

pub mod alloc;
pub mod bundled;
pub mod cli;
pub mod config;
pub mod docs;
pub mod model;
pub mod rust;
pub mod smithy;

pub use config::{generate_from_config, rust_build};
