// An unknown wasmbus protocol.
// expect: W0206 13:55
namespace org.wasmcloud.model

@trait(selector: "service")
structure wasmbus {
    contractId: String
    actorReceive: Boolean
    providerReceive: Boolean
    protocol: String
}

@wasmbus(contractId: "example:x", actorReceive: true, protocol: "7")
service Thing {
    version: "0.1"
}
