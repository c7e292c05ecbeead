// The `wasmcloud:httpserver` capability contract: a provider accepts HTTP
// requests and hands each one to the linked actor, which answers with a
// response. Names match the published wasmCloud contract.

metadata package = [
    {
        namespace: "org.wasmcloud.interface.httpserver",
        crate: "weld-interface-httpserver",
        py_module: "weld_interface_httpserver",
        doc: "HttpServer: the wasmcloud:httpserver capability contract (actors answer HTTP requests)",
    }
]

namespace org.wasmcloud.interface.httpserver

use org.wasmcloud.model#U16
use org.wasmcloud.model#codegenRust
use org.wasmcloud.model#n
use org.wasmcloud.model#wasmbus

/// Implemented by actors that serve HTTP. The provider owns the listening
/// socket (configured by the link's `address` or `port` value) and calls
/// the actor once per request.
@wasmbus(
    contractId: "wasmcloud:httpserver",
    actorReceive: true,
)
service HttpServer {
    version: "0.1",
    operations: [HandleRequest],
}

/// Handles one HTTP request.
operation HandleRequest {
    input: HttpRequest,
    output: HttpResponse,
}

/// An incoming HTTP request.
structure HttpRequest {
    /// The method, upper case (`GET`, `POST`, ...).
    @required
    @n(0)
    method: String,

    /// The path of the request target, without the query.
    @required
    @n(1)
    path: String,

    /// The raw query string, without the leading `?` (may be empty).
    @required
    @n(2)
    queryString: String,

    /// Request headers; a name that occurred several times has several
    /// values.
    @required
    @n(3)
    header: HeaderMap,

    /// The request body (may be empty).
    @required
    @n(4)
    body: Blob,
}

/// The actor's answer. The Rust type gets a hand-written `Default`
/// (status 200).
@codegenRust(noDeriveDefault: true)
structure HttpResponse {
    /// Status code, e.g. 200.
    @required
    @n(0)
    statusCode: U16,

    /// Response headers.
    @required
    @n(1)
    header: HeaderMap,

    /// The response body.
    @required
    @n(2)
    body: Blob,
}

/// Header name to its values.
map HeaderMap {
    key: String,
    value: HeaderValues,
}

/// The values of one header.
list HeaderValues {
    member: String,
}
