// Platform structures every host, actor and provider agrees on: the actor
// health check, link definitions, the data a provider receives at start-up
// and the envelope of a lattice RPC call.
//
// Wire names (the declared member names, or @serialization where the
// platform uses snake_case) follow the published wasmCloud contract; the
// prose is weld's own.

metadata package = [
    {
        namespace: "org.wasmcloud.core",
        crate: "weld_rpc::core",
        py_module: "weld_rpc.core",
        doc: "Core platform types: links, host data, invocations and health checks",
    }
]

namespace org.wasmcloud.core

use org.wasmcloud.model#CapabilityContractId
use org.wasmcloud.model#U64
use org.wasmcloud.model#codegenRust
use org.wasmcloud.model#n
use org.wasmcloud.model#nonEmptyString
use org.wasmcloud.model#serialization
use org.wasmcloud.model#wasmbus
use org.wasmcloud.model#wasmbusData

/// What every actor answers, whatever else it implements.
@wasmbus(actorReceive: true)
service Actor {
    version: "0.1",
    operations: [HealthRequest],
}

/// Asks an actor whether it is healthy. Hosts call it periodically.
operation HealthRequest {
    input: HealthCheckRequest,
    output: HealthCheckResponse,
}

/// The (empty) argument of a health check.
@wasmbusData
structure HealthCheckRequest {}

/// The answer to a health check.
@wasmbusData
structure HealthCheckResponse {
    /// True when the actor considers itself able to serve.
    @n(0)
    healthy: Boolean,

    /// Free-form detail, usually set when `healthy` is false.
    @n(1)
    message: String,
}

/// Connects one actor to one provider under a link name. A link is
/// identified by (actor, contract, link name); `values` carries the
/// provider's settings for that actor.
@wasmbusData
@codegenRust(nonExhaustive: true)
structure LinkDefinition {
    /// Public key of the actor.
    @required
    @serialization(name: "actor_id")
    @n(0)
    actorId: String,

    /// Public key of the provider.
    @required
    @serialization(name: "provider_id")
    @n(1)
    providerId: String,

    /// The link name, `default` unless the actor asked for another.
    @required
    @serialization(name: "link_name")
    @n(2)
    linkName: String,

    /// The capability contract, e.g. `wasmcloud:keyvalue`.
    @required
    @serialization(name: "contract_id")
    @n(3)
    contractId: String,

    /// Provider settings for this actor (keys are compared without regard
    /// to case by most providers).
    @required
    @n(4)
    values: LinkSettings,
}

/// Name/value settings attached to a link.
map LinkSettings {
    key: String,
    value: String,
}

/// The links a provider currently serves.
list ActorLinks {
    member: LinkDefinition,
}

/// Everything a capability provider needs to start: identity, lattice
/// connection details and the links that already exist. The host sends it
/// to the provider process as the first line on stdin.
@wasmbusData
@codegenRust(nonExhaustive: true)
structure HostData {
    /// Public key of the host that started the provider.
    @required
    @serialization(name: "host_id")
    @n(0)
    hostId: String,

    /// Prefix of the lattice RPC subjects.
    @required
    @serialization(name: "lattice_rpc_prefix")
    @n(1)
    latticeRpcPrefix: String,

    /// The link name this provider instance serves.
    @required
    @serialization(name: "link_name")
    @n(2)
    linkName: String,

    /// JWT for authenticating to the lattice message bus.
    @required
    @serialization(name: "lattice_rpc_user_jwt")
    @n(3)
    latticeRpcUserJwt: Secret,

    /// Seed matching `latticeRpcUserJwt`.
    @required
    @serialization(name: "lattice_rpc_user_seed")
    @n(4)
    latticeRpcUserSeed: Secret,

    /// URL of the lattice message bus.
    @required
    @serialization(name: "lattice_rpc_url")
    @n(5)
    latticeRpcUrl: String,

    /// Public key of this provider.
    @required
    @serialization(name: "provider_key")
    @n(6)
    providerKey: String,

    /// Seed the provider signs its invocations with.
    @required
    @serialization(name: "invocation_seed")
    @n(7)
    invocationSeed: Secret,

    /// Environment values the host passes through.
    @required
    @serialization(name: "env_values")
    @n(8)
    envValues: HostEnvValues,

    /// Unique id of this provider instance.
    @required
    @serialization(name: "instance_id")
    @n(9)
    instanceId: String,

    /// Links that existed when the provider was started.
    @required
    @serialization(name: "link_definitions")
    @n(10)
    linkDefinitions: ActorLinks,

    /// Keys of the cluster issuers whose invocations are trusted.
    @required
    @serialization(name: "cluster_issuers")
    @n(11)
    clusterIssuers: ClusterIssuers,

    /// Provider configuration (JSON text) not tied to any actor.
    @serialization(name: "config_json")
    @n(12)
    configJson: String,

    /// The host's default RPC timeout, in milliseconds.
    @serialization(name: "default_rpc_timeout_ms")
    @n(13)
    defaultRpcTimeoutMs: U64,

    /// Whether the host logs structured (JSON) records; providers should
    /// follow suit.
    @serialization(name: "structured_logging")
    @n(14)
    structuredLogging: Boolean,

    /// The level providers should log at.
    @serialization(name: "log_level")
    @n(15)
    logLevel: LogLevel,
}

/// Environment values handed to a provider.
map HostEnvValues {
    key: String,
    value: String,
}

/// Cluster issuer public keys.
list ClusterIssuers {
    member: ClusterIssuerKey,
}

/// The public key of a cluster issuer.
@nonEmptyString
string ClusterIssuerKey

/// A seed or credential. Generated code never shows it in `Debug` output
/// (and so not in logs or panic messages).
@sensitive
string Secret

/// Log verbosity.
@enum([
    { value: "trace", name: "trace" },
    { value: "debug", name: "debug" },
    { value: "info", name: "info" },
    { value: "warn", name: "warn" },
    { value: "error", name: "error" },
])
string LogLevel

/// One end of an invocation. An actor is named by its public key alone
/// (link name and contract id empty); a provider by key, link name and
/// contract.
@wasmbusData
structure WasmCloudEntity {
    /// Public key of the actor or provider.
    @required
    @serialization(name: "public_key")
    @n(0)
    publicKey: String,

    /// Link name (providers only).
    @required
    @serialization(name: "link_name")
    @n(1)
    linkName: String,

    /// Capability contract (providers only).
    @required
    @serialization(name: "contract_id")
    @n(2)
    contractId: CapabilityContractId,
}

/// A call carried over the lattice between hosts and providers.
@wasmbusData
@codegenRust(nonExhaustive: true)
structure Invocation {
    /// Who makes the call.
    @required
    @n(0)
    origin: WasmCloudEntity,

    /// Who receives it.
    @required
    @n(1)
    target: WasmCloudEntity,

    /// Method name, `Trait.Method`.
    @required
    @n(2)
    operation: String,

    /// The encoded argument; empty when the payload went through the
    /// chunking store.
    @required
    @n(3)
    msg: Blob,

    /// Unique id of this invocation.
    @required
    @n(4)
    id: String,

    /// Signed JWT vouching for origin, target and payload.
    @required
    @serialization(name: "encoded_claims")
    @n(5)
    encodedClaims: String,

    /// The host that issued the invocation.
    @required
    @serialization(name: "host_id")
    @n(6)
    hostId: String,

    /// Full payload size, set when the payload is sent in chunks.
    @serialization(name: "content_length")
    @n(7)
    contentLength: U64,

    /// Distributed-tracing headers.
    @n(8)
    traceContext: TraceContext,
}

/// The reply to an [Invocation].
@wasmbusData
@codegenRust(nonExhaustive: true)
structure InvocationResponse {
    /// The encoded result; empty when it went through the chunking store.
    @required
    @n(0)
    msg: Blob,

    /// Id of the invocation this answers.
    @required
    @serialization(name: "invocation_id")
    @n(1)
    invocationId: String,

    /// Set when the call failed.
    @n(2)
    error: String,

    /// Full result size, set when the result is sent in chunks.
    @serialization(name: "content_length")
    @n(3)
    contentLength: U64,
}

/// Tracing context propagated with an invocation (header name to value).
map TraceContext {
    key: String,
    value: String,
}
