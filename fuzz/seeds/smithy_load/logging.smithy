// `wasmcloud:builtin:logging`: a capability the host itself provides, so no
// link definition is needed (the actor still needs the capability claim).

metadata package = [
    {
        namespace: "org.wasmcloud.interface.logging",
        crate: "weld-interface-logging",
        py_module: "weld_interface_logging",
        doc: "Logging: the host's built-in wasmcloud:builtin:logging capability",
    }
]

namespace org.wasmcloud.interface.logging

use org.wasmcloud.model#n
use org.wasmcloud.model#wasmbus

/// Writes actor log lines into the host's log.
@wasmbus(
    contractId: "wasmcloud:builtin:logging",
    providerReceive: true,
)
service Logging {
    version: "0.1",
    operations: [WriteLog],
}

/// Records one log line.
operation WriteLog {
    input: LogEntry,
}

/// A log line and its severity.
structure LogEntry {
    /// One of `debug`, `info`, `warn`, `error`.
    @required
    @n(0)
    level: String,

    /// The message.
    @required
    @n(1)
    text: String,
}
