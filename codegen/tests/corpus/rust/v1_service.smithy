// A wasmbus service with every operation shape, renames, keywords,
// wire names, deprecation, documentation and @codegenRust options.
metadata package = [{ namespace: "weld.test.service", crate: "snap-service" }]

namespace weld.test.service

use org.wasmcloud.model#wasmbus
use org.wasmcloud.model#rename
use org.wasmcloud.model#serialization
use org.wasmcloud.model#codegenRust
use org.wasmcloud.model#U32

/// A provider contract.
///
/// ```
/// not rust: shown as text
/// ```
@wasmbus(contractId: "weld:test", providerReceive: true)
service Store {
    version: "1.0",
    operations: [Put, Fetch, Ping, Reset, Match, Count],
}

/// Both input and output.
operation Put {
    input: PutRequest,
    output: PutResponse,
}

/// String input.
@readonly
operation Fetch {
    input: String,
    output: Blob,
}

/// Neither input nor output.
operation Ping {}

/// Input only.
operation Reset {
    input: Boolean,
}

/// A Rust keyword as operation name, renamed for Rust.
@rename([{ lang: "Rust", name: "find_match" }])
operation Match {
    input: String,
    output: Boolean,
}

/// Output only.
@deprecated(message: "use Put's response", since: "1.0")
operation Count {
    output: U32,
}

/// What to store.
structure PutRequest {
    /// Keyword member names are escaped.
    @required
    type: String,

    @required
    self: String,

    /// A snake-case wire name.
    @required
    @serialization(name: "content_type")
    contentType: String,

    /// Renamed in Rust only.
    @rename([{ lang: "Rust", name: "payload" }])
    body: Blob,

    @deprecated
    legacy: String,
}

/// Result of Put.
@codegenRust(nonExhaustive: true, noDeriveEq: true)
structure PutResponse {
    @required
    stored: Boolean,
    version: Long,
}

/// Hand-written elsewhere: nothing is generated.
@codegenRust(skip: true)
structure Skipped {}

/// No Default derive.
@codegenRust(noDeriveDefault: true)
structure NoDefault {
    @required
    name: String,
}

/// An actor-side contract.
@wasmbus(actorReceive: true)
service Listener {
    version: "1.0",
    operations: [Notify],
}

/// Tell an actor something.
operation Notify {
    input: PutRequest,
}
