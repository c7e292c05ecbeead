// An interface written the way published wasmCloud IDL 1.0 interfaces are:
// `metadata package` crate mapping, `use org.wasmcloud.model#...`, and the
// placements and spellings Smithy 1.0 tools accepted without checking.
// expect: W0207 47:5
// expect: W0207 50:5
// expect: W0209 50:5
// expect: W0209 50:94
// expect: W0207 57:5
// expect: W0121 63:13
// expect: W0121 65:13
// expect: W0207 69:1

metadata package = [ {
    namespace: "org.example.transfer",
    crate: "example_transfer",
    doc: "Chunked transfers, upstream style",
} ]

namespace org.example.transfer

use org.wasmcloud.model#wasmbus
use org.wasmcloud.model#n
use org.wasmcloud.model#U32
use org.wasmcloud.model#codegenRust

@wasmbus(
    contractId: "example:transfer",
    providerReceive: true,
    protocol: "2" )
service Transfer {
  version: "0.1",
  operations: [ Start ]
}

operation Start { input: StartRequest, output: Progress }

union Progress {
    @n(0)
    done: Boolean,

    /// Bytes so far
    @n(1)
    partial: U32,
}

structure StartRequest {
    @sensitive
    @n(0)
    token: String,
    @enum([{ name: "fast", value: "fast" }, { name: "slow", value: "slow" }, { name: "auto", description: "either" }])
    @n(1)
    mode: String,
    @n(2)
    @required
    size: U32,
    @n(3)
    @range(min: 1)
    @required
    chunks: Chunks,
    /// Total length
    @n(4)
    @required
    length: u64,
    @n(5)
    offset: u32,
}

/// @range on an @unsignedInt-style structure, as upstream's model does
@range(min: 1)
structure Chunks {
    @n(0)
    @required
    count: U32,
}
