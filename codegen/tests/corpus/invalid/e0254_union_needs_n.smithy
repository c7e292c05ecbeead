// wasmCloud: protocol "2" (CBOR) needs @n on every union member.
// expect: E0254 35:5
namespace org.wasmcloud.model

@trait(selector: "service")
structure wasmbus {
    contractId: String
    actorReceive: Boolean
    providerReceive: Boolean
    protocol: String
}

@trait(selector: ":is(structure, union) > member")
@range(min: 0)
short n

@wasmbus(contractId: "example:shapes", providerReceive: true, protocol: "2")
service Shapes {
    version: "0.1"
    operations: [Draw]
}

operation Draw {
    input: Figure
}

structure Figure {
    @n(0)
    shape: Shape
}

union Shape {
    @n(0)
    circle: Integer
    square: Integer
}
