// `wasmcloud:builtin:numbergen`: random numbers and UUIDs, provided by the
// host itself (no link needed; the capability claim is).

metadata package = [
    {
        namespace: "org.wasmcloud.interface.numbergen",
        crate: "weld-interface-numbergen",
        py_module: "weld_interface_numbergen",
        doc: "NumberGen: the host's built-in wasmcloud:builtin:numbergen capability",
    }
]

namespace org.wasmcloud.interface.numbergen

use org.wasmcloud.model#U32
use org.wasmcloud.model#n
use org.wasmcloud.model#wasmbus

/// Random values from the host. Actors have no entropy source of their own,
/// so they ask the host.
@wasmbus(
    contractId: "wasmcloud:builtin:numbergen",
    providerReceive: true,
)
service NumberGen {
    version: "0.1",
    operations: [GenerateGuid, RandomInRange, Random32],
}

/// A new random (version 4) UUID in its hyphenated text form.
operation GenerateGuid {
    output: String,
}

/// A random number between `min` and `max`, both included.
operation RandomInRange {
    input: RangeLimit,
    output: U32,
}

/// A random 32-bit unsigned number.
operation Random32 {
    output: U32,
}

/// Bounds for `RandomInRange`, both inclusive.
structure RangeLimit {
    /// Smallest acceptable value.
    @required
    @n(0)
    min: U32,

    /// Largest acceptable value.
    @required
    @n(1)
    max: U32,
}
