// The `wasmcloud:keyvalue` capability contract: string values, atomic
// counters, lists and sets addressed by key. Operation, structure and member
// names are the published wasmCloud ones, so actors and providers built
// against either SDK talk to each other.

metadata package = [
    {
        namespace: "org.wasmcloud.interface.keyvalue",
        crate: "weld-interface-keyvalue",
        py_module: "weld_interface_keyvalue",
        doc: "KeyValue: the wasmcloud:keyvalue capability contract (values, counters, lists, sets)",
    }
]

namespace org.wasmcloud.interface.keyvalue

use org.wasmcloud.model#I32
use org.wasmcloud.model#U32
use org.wasmcloud.model#n
use org.wasmcloud.model#rename
use org.wasmcloud.model#wasmbus

/// A key-value store offered by a capability provider.
///
/// Keys name either a plain value, a counter, a list or a set; using a key as
/// the wrong kind is an error reported by the provider.
@wasmbus(
    contractId: "wasmcloud:keyvalue",
    providerReceive: true,
)
service KeyValue {
    version: "0.1.1",
    operations: [
        Increment,
        Contains,
        Del,
        Get,
        ListAdd,
        ListClear,
        ListDel,
        ListRange,
        Set,
        SetAdd,
        SetDel,
        SetIntersection,
        SetQuery,
        SetUnion,
        SetClear,
    ],
}

/// Adds `value` (which may be negative) to the counter at `key`, creating it
/// at zero first if needed, and returns the new count. Atomic.
operation Increment {
    input: IncrementRequest,
    output: I32,
}

/// Argument of `Increment`.
structure IncrementRequest {
    /// The counter's key.
    @required
    @n(0)
    key: String,

    /// How much to add.
    @required
    @n(1)
    value: I32,
}

/// True if anything is stored under the key.
@readonly
operation Contains {
    input: String,
    output: Boolean,
}

/// Removes the key and whatever it holds; true if it existed.
@rename([{ lang: "Python", name: "delete" }])
operation Del {
    input: String,
    output: Boolean,
}

/// Reads the plain value at a key.
@readonly
operation Get {
    input: String,
    output: GetResponse,
}

/// Result of `Get`.
structure GetResponse {
    /// The stored value; empty when the key is absent.
    @required
    @n(0)
    value: String,

    /// Whether the key was present.
    @required
    @n(1)
    exists: Boolean,
}

/// Stores a plain value, replacing any previous one.
operation Set {
    input: SetRequest,
}

/// Argument of `Set`.
structure SetRequest {
    /// Where to store it.
    @required
    @n(0)
    key: String,

    /// What to store.
    @required
    @n(1)
    value: String,

    /// Lifetime in seconds; 0 keeps the value until it is deleted.
    @required
    @n(2)
    expires: U32,
}

/// Appends a value to the list at `listName` (created if missing) and
/// returns the list's new length.
operation ListAdd {
    input: ListAddRequest,
    output: U32,
}

/// Argument of `ListAdd`.
structure ListAddRequest {
    /// The list's key.
    @required
    @n(0)
    listName: String,

    /// The value to append.
    @required
    @n(1)
    value: String,
}

/// Deletes the list at a key; true if it existed.
operation ListClear {
    input: String,
    output: Boolean,
}

/// Removes the first occurrence of a value from a list; true if one was
/// found.
operation ListDel {
    input: ListDelRequest,
    output: Boolean,
}

/// Argument of `ListDel`.
structure ListDelRequest {
    /// The list's key.
    @required
    @n(0)
    listName: String,

    /// The value to remove.
    @required
    @n(1)
    value: String,
}

/// Returns the list items from index `start` to index `stop`, both
/// inclusive and zero-based; negative indexes count back from the end
/// (-1 is the last item).
operation ListRange {
    input: ListRangeRequest,
    output: StringList,
}

/// Argument of `ListRange`.
structure ListRangeRequest {
    /// The list's key.
    @required
    @n(0)
    listName: String,

    /// First index to return.
    @required
    @n(1)
    start: I32,

    /// Last index to return.
    @required
    @n(2)
    stop: I32,
}

/// Adds a value to the set at `setName` (created if missing) and returns how
/// many values were newly added (0 when it was already a member).
operation SetAdd {
    input: SetAddRequest,
    output: U32,
}

/// Argument of `SetAdd`.
structure SetAddRequest {
    /// The set's key.
    @required
    @n(0)
    setName: String,

    /// The value to add.
    @required
    @n(1)
    value: String,
}

/// Removes a value from a set and returns how many values were removed.
operation SetDel {
    input: SetDelRequest,
    output: U32,
}

/// Argument of `SetDel`.
structure SetDelRequest {
    /// The set's key.
    @required
    @n(0)
    setName: String,

    /// The value to remove.
    @required
    @n(1)
    value: String,
}

/// The values present in every one of the named sets.
operation SetIntersection {
    input: StringList,
    output: StringList,
}

/// All values of the set at a key.
operation SetQuery {
    input: String,
    output: StringList,
}

/// The values present in at least one of the named sets.
operation SetUnion {
    input: StringList,
    output: StringList,
}

/// Deletes the set at a key; true if it existed.
operation SetClear {
    input: String,
    output: Boolean,
}

/// A sequence of strings (list items, set members or keys).
list StringList {
    member: String,
}
