// @n field numbers (CBOR arrays) with gaps, and unnumbered maps.
metadata package = [{ namespace: "weld.test.numbered", crate: "snap-numbered" }]

namespace weld.test.numbered

use org.wasmcloud.model#n
use org.wasmcloud.model#wasmbus

/// A CBOR contract.
@wasmbus(contractId: "weld:numbered", providerReceive: true, protocol: "2")
service Numbers {
    version: "0.1",
    operations: [Echo],
}

operation Echo {
    input: Gappy,
    output: Gappy,
}

/// Field numbers 0, 2 and 5: gaps travel as nulls.
structure Gappy {
    @n(0)
    @required
    first: String,

    @n(2)
    maybe: Blob,

    @n(5)
    @required
    last: Long,
}

/// No numbers: a map keyed by wire name.
structure Plain {
    @required
    a: String,
    b: Integer,
}
