// The modelling vocabulary shared by every weld / wasmCloud interface: the
// traits that drive code generation and the wire format, plus short aliases
// for fixed-width numbers. No service lives here.
//
// Shape names in this namespace are part of the public contract (other
// interface files `use org.wasmcloud.model#...`), so they follow the names
// wasmCloud published; the text is weld's own.

metadata package = [
    {
        namespace: "org.wasmcloud.model",
        crate: "weld_rpc::model",
        py_module: "weld_rpc.model",
        doc: "Traits and number aliases for describing wasmbus interfaces",
    }
]

namespace org.wasmcloud.model

/// Marks a service as a wasmbus contract and says who implements it.
///
/// A provider-side service must name its capability contract; an actor-side
/// service may omit it (actors are addressed by public key instead).
@trait(selector: "service")
@protocolDefinition
structure wasmbus {
    /// The capability contract this service belongs to, for example
    /// `wasmcloud:keyvalue`.
    contractId: CapabilityContractId,

    /// True when actors implement the operations (the host or a provider
    /// calls into the actor).
    actorReceive: Boolean,

    /// True when a capability provider implements the operations (actors
    /// call out to it).
    providerReceive: Boolean,

    /// Message encoding: "0" (the default) is MessagePack with structures as
    /// maps; "2" is CBOR, where numbered structures travel as arrays.
    /// Changing it breaks every peer built against the old value.
    protocol: String,
}

/// Marks a shape as a payload that crosses the wasmbus.
@trait(selector: ":is(simpleType, list, set, map, structure, union)")
structure wasmbusData {}

/// A capability contract identifier such as `wasmcloud:httpserver`.
@nonEmptyString
string CapabilityContractId

/// The position of a member in the CBOR array encoding (protocol "2").
///
/// Numbers start at zero and must be unique within a structure; either every
/// member of a structure is numbered or none is. Gaps are allowed and are
/// sent as nulls, so keep them small. Union members carry numbers too: a
/// CBOR union is encoded by its member's number.
@trait(selector: ":is(structure, union) > member")
@range(min: 0)
short n

/// Changes the name a member is known by on the wire.
@trait(selector: "member")
structure serialization {
    /// The wire name. Without it the declared member name is used verbatim;
    /// the name in generated code follows the target language's conventions
    /// either way.
    name: String,
}

/// One language-specific replacement name, an element of `@rename`.
@trait
structure renameItem {
    /// The target language, e.g. `Rust` or `Python`.
    @required
    lang: String,

    /// The identifier to use in that language.
    @required
    name: String,
}

/// Gives an operation or member another name in specific target languages,
/// typically because the declared name is a keyword there.
@trait(selector: ":is(operation, structure > member)")
list rename {
    member: renameItem,
}

/// Says that an integral shape carries only non-negative values, so
/// generators pick an unsigned type of the same width.
@trait(selector: ":is(long, integer, short, byte)")
structure unsignedInt {}

/// Says that a string shape never holds the empty string.
@trait(selector: "string")
structure nonEmptyString {}

/// Documents that a shape is merely another name for its base type; it has
/// no effect on generated code or on the wire.
@trait
structure synonym {}

/// Options for the Rust generator. All default to false.
@trait(selector: "*")
structure codegenRust {
    /// Do not derive `Default` (the type provides its own).
    noDeriveDefault: Boolean,

    /// Do not derive `Eq` (for example when a field holds a float).
    noDeriveEq: Boolean,

    /// Mark the generated type `#[non_exhaustive]` so fields can be added
    /// later without breaking users.
    nonExhaustive: Boolean,

    /// Generate nothing for this shape; it is written by hand.
    skip: Boolean,
}

/// Names the base shapes a structure conceptually extends. Informational
/// only; generators do not act on it.
@trait(selector: "structure")
structure extends {
    /// The ids of the base shapes.
    base: IdentifierList,
}

/// A list of shape identifiers (used by `@extends`).
list IdentifierList {
    member: String,
}

/// Signed 8-bit integer.
@synonym
byte I8

/// Unsigned 8-bit integer.
@unsignedInt
byte U8

/// Signed 16-bit integer.
@synonym
short I16

/// Unsigned 16-bit integer.
@unsignedInt
short U16

/// Signed 32-bit integer.
@synonym
integer I32

/// Unsigned 32-bit integer.
@unsignedInt
integer U32

/// Signed 64-bit integer.
@synonym
long I64

/// Unsigned 64-bit integer.
@unsignedInt
long U64

/// IEEE 754 single-precision number.
@synonym
float F32

/// IEEE 754 double-precision number.
@synonym
double F64

/// The empty value, for operations that take or return nothing. Runtimes
/// supply it, so generators skip it.
@codegenRust(skip: true)
structure Unit {}
