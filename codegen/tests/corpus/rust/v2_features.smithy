$version: "2"

// IDL 2.0: enum, intEnum, defaults, mixins, inline I/O, unions with unit
// members, and a CBOR service.
metadata package = [{ namespace: "weld.test.v2", crate: "snap-v2" }]

namespace weld.test.v2

use org.wasmcloud.model#n
use org.wasmcloud.model#wasmbus

@wasmbus(contractId: "weld:v2", providerReceive: true)
service Shop {
    version: "2.0"
    operations: [Order]
}

/// Inline input and output.
operation Order {
    input := {
        @required
        item: String

        quantity: Integer = 1

        size: Size = "medium"

        rush: Priority = 10
    }
    output := {
        @required
        id: String
    }
}

/// Sizes.
enum Size {
    S
    M = "medium"
    /// Large.
    L = "large"
}

/// Priorities.
intEnum Priority {
    LOW = 1
    HIGH = 10
}

@mixin
structure Stamped {
    createdAt: Timestamp
    version: Long = 0
    label: String = "new"
}

/// Mixin members come first.
structure Record with [Stamped] {
    @required
    name: String

    enabled: Boolean = true

    ratio: Double = 0.5

    tags: TagList = []

    @clientOptional
    @required
    note: String
}

list TagList {
    member: String
}

/// Union with a unit member.
union Shape {
    @n(0)
    nothing: Unit

    @n(1)
    circle: Double

    @n(2)
    label: String
}
