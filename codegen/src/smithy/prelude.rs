//! The `smithy.api` prelude, kept as Smithy IDL text and assembled into every
//! model ahead of user files.

/// File name shown in diagnostics that point into the prelude.
pub const NAME: &str = "<prelude>/smithy.api.smithy";

/// The prelude source text.
pub const TEXT: &str = include_str!("prelude.smithy");
