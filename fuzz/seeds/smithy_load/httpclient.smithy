// The `wasmcloud:httpclient` capability contract: actors make outgoing HTTP
// requests through a provider. Names match the published wasmCloud
// contract (note `headers` on the request but `header` on the response).

metadata package = [
    {
        namespace: "org.wasmcloud.interface.httpclient",
        crate: "weld-interface-httpclient",
        py_module: "weld_interface_httpclient",
        doc: "HttpClient: the wasmcloud:httpclient capability contract (outgoing HTTP requests)",
    }
]

namespace org.wasmcloud.interface.httpclient

use org.wasmcloud.model#U16
use org.wasmcloud.model#codegenRust
use org.wasmcloud.model#n
use org.wasmcloud.model#wasmbus

/// An HTTP client offered by a capability provider.
@wasmbus(
    contractId: "wasmcloud:httpclient",
    providerReceive: true,
)
service HttpClient {
    version: "0.1",
    operations: [Request],
}

/// Sends a request and waits for the complete response. A response with an
/// error status is still a successful call; transport failures are errors.
operation Request {
    input: HttpRequest,
    output: HttpResponse,
}

/// An outgoing request.
@codegenRust(noDeriveDefault: true)
structure HttpRequest {
    /// The method, e.g. `GET`.
    @required
    @n(0)
    method: String,

    /// Absolute URL to request.
    @required
    @n(1)
    url: String,

    /// Headers to send.
    @required
    @n(2)
    headers: HeaderMap,

    /// Body to send (may be empty).
    @required
    @n(3)
    body: Blob,
}

/// The response received.
@codegenRust(noDeriveDefault: true)
structure HttpResponse {
    /// Status code returned by the server.
    @required
    @n(0)
    statusCode: U16,

    /// Headers returned by the server.
    @required
    @n(1)
    header: HeaderMap,

    /// The complete response body.
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
