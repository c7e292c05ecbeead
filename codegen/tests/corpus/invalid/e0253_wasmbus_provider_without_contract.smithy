// wasmCloud: a provider-received service needs a contract id.
// expect: E0253 13:1
namespace org.wasmcloud.model

@trait(selector: "service")
structure wasmbus {
    contractId: String
    actorReceive: Boolean
    providerReceive: Boolean
    protocol: String
}

@wasmbus(providerReceive: true)
service KeyValue {
    version: "0.1"
}
