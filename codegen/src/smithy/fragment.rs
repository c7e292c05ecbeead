//! The unit the assembler merges: what one input file (IDL or JSON AST)
//! contributes, with every reference already resolved to an absolute id but
//! mixins NOT yet flattened and `apply` statements not yet merged. Both the
//! IDL front end and the JSON AST reader produce fragments, so everything
//! after this point (merge, conflicts, mixins, apply) is shared.

use super::source::{FileId, Span};
use crate::model::{IdlVersion, Node, Shape, ShapeId, Traits};

/// One metadata entry as written.
#[derive(Clone, Debug, PartialEq)]
pub struct MetadataEntry {
    /// Key.
    pub key: String,
    /// Value.
    pub value: Node,
    /// Where it was written.
    pub span: Span,
}

/// One `apply` target with the traits it adds.
#[derive(Clone, Debug, PartialEq)]
pub struct Apply {
    /// Absolute target (may be a member id).
    pub target: ShapeId,
    /// Where the target was written.
    pub span: Span,
    /// Traits to add.
    pub traits: Traits,
}

/// What one file contributes to the model.
#[derive(Clone, Debug, PartialEq)]
pub struct Fragment {
    /// The file.
    pub file: FileId,
    /// Its IDL version (JSON AST: from its `smithy` field).
    pub version: IdlVersion,
    /// Its namespace (`None` if it defines no shapes).
    pub namespace: Option<String>,
    /// Metadata entries in order.
    pub metadata: Vec<MetadataEntry>,
    /// Shapes with absolute ids, members as declared locally (mixins unflattened).
    pub shapes: Vec<Shape>,
    /// `apply` statements in order.
    pub applies: Vec<Apply>,
}
