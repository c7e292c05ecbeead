// The `wasmcloud:messaging` capability contract: publish, request/reply and
// subscriptions. Two services share the contract: actors call `Messaging`,
// the provider delivers subscribed messages to `MessageSubscriber`.

metadata package = [
    {
        namespace: "org.wasmcloud.interface.messaging",
        crate: "weld-interface-messaging",
        py_module: "weld_interface_messaging",
        doc: "Messaging: the wasmcloud:messaging capability contract (publish, request/reply, subscriptions)",
    }
]

namespace org.wasmcloud.interface.messaging

use org.wasmcloud.model#U32
use org.wasmcloud.model#n
use org.wasmcloud.model#wasmbus

/// Message broker operations available to actors.
@wasmbus(
    contractId: "wasmcloud:messaging",
    providerReceive: true,
)
service Messaging {
    version: "0.1",
    operations: [Publish, Request],
}

/// Implemented by actors that receive messages on the subjects configured
/// in their link.
@wasmbus(
    contractId: "wasmcloud:messaging",
    actorReceive: true,
)
service MessageSubscriber {
    version: "0.1",
    operations: [HandleMessage],
}

/// Sends a message without waiting for an answer.
operation Publish {
    input: PubMessage,
}

/// Sends a message and waits for the first reply.
operation Request {
    input: RequestMessage,
    output: ReplyMessage,
}

/// Delivers one message from a subscription to an actor.
operation HandleMessage {
    input: SubMessage,
}

/// A message to publish.
structure PubMessage {
    /// Subject (topic) to publish on.
    @required
    @n(0)
    subject: String,

    /// Subject a receiver should answer on, if any.
    @n(1)
    replyTo: String,

    /// The payload.
    @required
    @n(2)
    body: Blob,
}

/// The reply to a request.
structure ReplyMessage {
    /// Subject the reply arrived on.
    @required
    @n(0)
    subject: String,

    /// Reply subject carried by the reply, if any.
    @n(1)
    replyTo: String,

    /// The payload.
    @required
    @n(2)
    body: Blob,
}

/// A message received through a subscription.
structure SubMessage {
    /// Subject the message was published on.
    @required
    @n(0)
    subject: String,

    /// Where the sender expects an answer, if anywhere.
    @n(1)
    replyTo: String,

    /// The payload.
    @required
    @n(2)
    body: Blob,
}

/// A request expecting one reply.
structure RequestMessage {
    /// Subject to send the request on.
    @required
    @n(0)
    subject: String,

    /// The payload.
    @required
    @n(1)
    body: Blob,

    /// How long to wait for a reply, in milliseconds.
    @required
    @n(2)
    timeoutMs: U32,
}
