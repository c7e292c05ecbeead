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
use org.wasmcloud.model#U32
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

/// weld's body streaming, an extension of the contract that wasmCloud 0.x
/// does not have: a link with the `stream_body_over` value lets its actor
/// read a large request body and write a response body a piece at a time,
/// so neither the host nor the actor holds a whole body. The provider marks
/// each request of such a link with an `x-weld-stream` header (the stream
/// id); a request whose body was left for `ReadBody` also has
/// `x-weld-body: streamed` and an empty `body`. Actors that never call
/// these operations see the contract unchanged.
@wasmbus(
    contractId: "wasmcloud:httpserver",
    providerReceive: true,
)
service HttpBody {
    version: "0.1",
    operations: [ReadBody, StartResponse, SendBody],
}

/// The next piece of the request body, at most `maxBytes` long; the last
/// piece has `isLast` set (and may be empty).
operation ReadBody {
    input: ReadBodyRequest,
    output: BodyChunk,
}

/// Sends the response head now; the body follows with `SendBody`. The
/// response `HandleRequest` returns afterwards is ignored, except that an
/// error cuts the body short (the client sees an incomplete response).
operation StartResponse {
    input: ResponseHead,
}

/// One piece of the response body, after `StartResponse`. Waits while the
/// client is slower than the actor (at most a few pieces are buffered).
operation SendBody {
    input: BodyChunk,
}

/// What `ReadBody` asks for.
structure ReadBodyRequest {
    /// The request's `x-weld-stream` header.
    @required
    @n(0)
    streamId: String,

    /// The most bytes to return.
    @required
    @n(1)
    maxBytes: U32,
}

/// A piece of a body.
structure BodyChunk {
    /// The request's `x-weld-stream` header.
    @required
    @n(0)
    streamId: String,

    /// The bytes (may be empty).
    @required
    @n(1)
    bytes: Blob,

    /// No more bytes follow.
    @required
    @n(2)
    isLast: Boolean,
}

/// Status and headers of a streamed response.
structure ResponseHead {
    /// The request's `x-weld-stream` header.
    @required
    @n(0)
    streamId: String,

    /// Status code, e.g. 200.
    @required
    @n(1)
    statusCode: U16,

    /// Response headers (`content-length` is kept when it is valid, and the
    /// body must then be exactly that long).
    @required
    @n(2)
    header: HeaderMap,
}
