// The `wasmcloud:sqldb` capability contract: run SQL statements against a
// database the provider connects to. Query results travel as one CBOR
// document (an array of rows, each an array of column values), which keeps
// the contract independent of column types.
//
// Not covered: transactions, batches, streamed results, prepared
// statements. Names follow the published wasmCloud contract.

metadata package = [
    {
        namespace: "org.wasmcloud.interface.sqldb",
        crate: "weld-interface-sqldb",
        py_module: "weld_interface_sqldb",
        doc: "SqlDb: the wasmcloud:sqldb capability contract (SQL statements and queries)",
    }
]

namespace org.wasmcloud.interface.sqldb

use org.wasmcloud.model#U32
use org.wasmcloud.model#U64
use org.wasmcloud.model#n
use org.wasmcloud.model#wasmbus

/// SQL access offered by a database provider.
@wasmbus(
    contractId: "wasmcloud:sqldb",
    providerReceive: true,
)
service SqlDb {
    version: "0.1",
    operations: [Execute, Query, Ping],
}

/// Runs a statement that returns no rows (insert, update, DDL, ...) and
/// reports how many rows it touched.
operation Execute {
    input: Statement,
    output: ExecuteResult,
}

/// Runs a statement that returns rows.
operation Query {
    input: Statement,
    output: QueryResult,
}

/// Checks that the database is reachable, connecting if necessary. The
/// published contract declared it without binding it to the service, so
/// upstream's provider never served it; weld binds and serves it (an actor
/// built on upstream's crate simply never calls it).
operation Ping {
    output: PingResult,
}

/// A SQL statement with its positional parameters.
structure Statement {
    /// Parameter values, each encoded as CBOR.
    parameters: Parameters,

    /// Database to use, when the provider serves several.
    database: String,

    /// The SQL text.
    @required
    @length(min: 1)
    sql: String,
}

/// Encoded statement parameters.
list Parameters {
    member: Blob,
}

/// Result of `Execute`.
structure ExecuteResult {
    /// Rows inserted, changed or removed.
    @required
    @n(0)
    rowsAffected: U64,

    /// Set when the statement failed.
    @n(1)
    error: SqlDbError,
}

/// Result of `Query`.
structure QueryResult {
    /// Number of rows returned.
    @required
    @n(0)
    numRows: U64,

    /// Description of each column.
    @required
    @n(1)
    columns: Columns,

    /// The rows, CBOR-encoded as an array of arrays.
    @required
    @n(2)
    rows: Blob,

    /// Set when the query failed.
    @n(3)
    error: SqlDbError,
}

/// Result of `Ping`.
structure PingResult {
    /// Set when the database could not be reached.
    error: SqlDbError,
}

/// A failure reported by the database provider.
structure SqlDbError {
    /// Category of the failure: `config` (bad connection settings), `db`
    /// (the database rejected the statement), `io` (the database could not
    /// be reached), `notFound` (no rows where at least one was expected),
    /// `encoding` / `decoding` (result conversion failed), `provider` (a
    /// fault in the provider) or `other`.
    @required
    @n(0)
    code: String,

    /// Human-readable description.
    @required
    @n(1)
    message: String,
}

/// The columns of a result.
list Columns {
    member: Column,
}

/// One result column.
structure Column {
    /// Zero-based position of the column.
    @required
    @n(0)
    ordinal: U32,

    /// Column name.
    @required
    @n(1)
    name: String,

    /// The database's name for the column type.
    @required
    @n(2)
    dbType: String,
}
