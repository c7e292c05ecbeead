//! weld code generation: a Smithy IDL front end (lexer, parser, assembler,
//! validator, diagnostics) producing a semantic [`model::Model`], and generators
//! (Rust crates, HTML docs) that render it.
//!
//! The front end (`smithy`) knows nothing of Rust. File access is in three
//! places: the front end's loader reads the input files
//! ([`smithy::load_paths`]), the Rust generator reads `--templates`
//! overrides, and [`rust::OutputSet::write_changed`] (called by the CLI or a
//! build script) writes the output, each file replaced atomically
//! ([`rust::write_atomic`]). Everything between works on memory: generators
//! return an output set of `path -> contents`.

pub mod alloc;
pub mod bundled;
pub mod cli;
pub mod config;
pub mod docs;
pub mod model;
pub mod rust;
pub mod smithy;

pub use config::{generate_from_config, rust_build};
