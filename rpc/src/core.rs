//! Types and the `Actor` service of the Smithy namespace `org.wasmcloud.core`.
//!
//! Generated crates refer to these as `weld_rpc::core::X` (for example
//! `weld_rpc::core::LinkDefinition`). Field names are the upstream wire names:
//! MessagePack and JSON use them as written here (snake_case, except
//! `traceContext`); the JSON `HostData` a host writes to a provider's stdin
//! has exactly these keys.
//!
//! The [`Actor`] service below is written out by hand (this crate cannot
//! be generated): trait, receiver and sender are what
//! [`crate::service_receiver!`] / [`crate::service_sender!`] expand to for
//! a MessagePack service in a generated crate.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::common::{deserialize, serialize, Context, Message, Transport};
use crate::error::{RpcError, RpcResult};
use crate::model::CapabilityContractId;

/// Settings of a link (key/value pairs; providers read keys case-insensitively).
pub type LinkSettings = HashMap<String, String>;
/// Environment values given to a provider at start.
pub type HostEnvValues = HashMap<String, String>;
/// The links of a provider.
pub type ActorLinks = Vec<LinkDefinition>;
/// Public key of a cluster issuer (`C...`).
pub type ClusterIssuerKey = String;
/// Cluster issuers whose signatures a receiver accepts.
pub type ClusterIssuers = Vec<ClusterIssuerKey>;
/// OpenTelemetry trace context (W3C header names to values).
pub type TraceContext = HashMap<String, String>;

/// Parameter of `Actor.HealthRequest`.
#[derive(Clone, Debug, Default, Deserialize, Eq, PartialEq, Serialize)]
pub struct HealthCheckRequest {}

/// Reply of a health check, from actors and providers.
#[derive(Clone, Debug, Default, Deserialize, Eq, PartialEq, Serialize)]
pub struct HealthCheckResponse {
    /// Whether the actor or provider is healthy.
    #[serde(default)]
    pub healthy: bool,
    /// Details about the health state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A link between an actor and a provider; keyed by
/// (`actor_id`, `contract_id`, `link_name`).
///
/// `Debug` redacts secret-looking values ([`crate::redact`]); so does
/// [`LinkDefinition::redacted`], for listings.
#[derive(Clone, Default, Deserialize, Eq, PartialEq, Serialize)]
pub struct LinkDefinition {
    /// Public key of the actor (`M...`).
    #[serde(default)]
    pub actor_id: String,
    /// Public key of the provider (`V...`).
    #[serde(default)]
    pub provider_id: String,
    /// Link name, usually `default`.
    #[serde(default)]
    pub link_name: String,
    /// Contract id, e.g. `wasmcloud:keyvalue`.
    #[serde(default)]
    pub contract_id: String,
    /// Settings for the provider (e.g. `URL`, `address`).
    pub values: LinkSettings,
}

/// Start-up data a host gives a provider (as base64 JSON on its stdin).
///
/// `Debug` shows the seeds, the NATS user JWT and secret-looking link and
/// environment values as [`crate::redact::REDACTED`].
#[derive(Clone, Default, Deserialize, Eq, PartialEq, Serialize)]
pub struct HostData {
    /// Public key of the host (`N...`).
    #[serde(default)]
    pub host_id: String,
    /// Lattice prefix of the RPC subjects.
    #[serde(default)]
    pub lattice_rpc_prefix: String,
    /// Link name of this provider instance.
    #[serde(default)]
    pub link_name: String,
    /// JWT of the NATS user for lattice RPC.
    #[serde(default)]
    pub lattice_rpc_user_jwt: String,
    /// Seed of the NATS user for lattice RPC.
    #[serde(default)]
    pub lattice_rpc_user_seed: String,
    /// URL of the lattice NATS server.
    #[serde(default)]
    pub lattice_rpc_url: String,
    /// Public key of this provider (`V...`).
    #[serde(default)]
    pub provider_key: String,
    /// Seed used to sign invocations.
    #[serde(default)]
    pub invocation_seed: String,
    /// Environment values for the provider.
    pub env_values: HostEnvValues,
    /// Unique id of this provider instance.
    #[serde(default)]
    pub instance_id: String,
    /// Links that exist at start.
    pub link_definitions: ActorLinks,
    /// Accepted cluster issuers.
    pub cluster_issuers: ClusterIssuers,
    /// Provider configuration JSON, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_json: Option<String>,
    /// Default RPC timeout in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_rpc_timeout_ms: Option<u64>,
    /// Whether the host logs structured (JSON) lines.
    #[serde(default)]
    pub structured_logging: bool,
    /// Log level the host runs at (e.g. `info`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_level: Option<String>,
}

/// An actor or a provider, as origin or target of an [`Invocation`].
#[derive(Clone, Debug, Default, Deserialize, Eq, Hash, PartialEq, Serialize)]
pub struct WasmCloudEntity {
    /// Public key (`M...` actor, `V...` provider).
    #[serde(default)]
    pub public_key: String,
    /// Link name (empty for an actor).
    #[serde(default)]
    pub link_name: String,
    /// Contract id (empty for an actor).
    pub contract_id: CapabilityContractId,
}

/// An RPC message on the lattice.
#[derive(Clone, Debug, Default, Deserialize, Eq, PartialEq, Serialize)]
pub struct Invocation {
    /// Sender.
    pub origin: WasmCloudEntity,
    /// Receiver.
    pub target: WasmCloudEntity,
    /// Operation, `"Trait.Method"`.
    #[serde(default)]
    pub operation: String,
    /// Encoded argument.
    #[serde(with = "crate::serde_blob", default)]
    pub msg: Vec<u8>,
    /// Invocation id (uuid).
    #[serde(default)]
    pub id: String,
    /// Anti-forgery JWT.
    #[serde(default)]
    pub encoded_claims: String,
    /// Public key of the sending host.
    #[serde(default)]
    pub host_id: String,
    /// Total size of `msg` when it was sent out of band (chunked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_length: Option<u64>,
    /// OpenTelemetry trace context.
    #[serde(
        rename = "traceContext",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub trace_context: Option<TraceContext>,
}

/// Reply to an [`Invocation`].
#[derive(Clone, Debug, Default, Deserialize, Eq, PartialEq, Serialize)]
pub struct InvocationResponse {
    /// Encoded reply.
    #[serde(with = "crate::serde_blob", default)]
    pub msg: Vec<u8>,
    /// Id of the invocation this answers.
    #[serde(default)]
    pub invocation_id: String,
    /// Error text, if the call failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Total size of `msg` when it was sent out of band (chunked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_length: Option<u64>,
}

// CBOR (protocol "2") impls for the core structs: arrays in declaration
// order (the upstream `@n` numbers are 0, 1, 2...), maps keyed by the field
// names also accepted; the runtime macro generated crates use, with the
// Rust field names as wire names.
crate::cbor_struct! {
    HealthCheckRequest array {}
}

crate::cbor_struct! {
    HealthCheckResponse array {
        0 healthy required,
        1 message optional,
    }
}

crate::cbor_struct! {
    LinkDefinition array {
        0 actor_id required,
        1 provider_id required,
        2 link_name required,
        3 contract_id required,
        4 values required,
    }
}

crate::cbor_struct! {
    WasmCloudEntity array {
        0 public_key required,
        1 link_name required,
        2 contract_id required,
    }
}

crate::cbor_struct! {
    Invocation array {
        0 origin required,
        1 target required,
        2 operation required,
        3 msg required blob,
        4 id required,
        5 encoded_claims required,
        6 host_id required,
        7 content_length optional,
        8 trace_context optional,
    }
}

crate::cbor_struct! {
    InvocationResponse array {
        0 msg required blob,
        1 invocation_id required,
        2 error optional,
        3 content_length optional,
    }
}

crate::cbor_struct! {
    HostData array {
        0 host_id required,
        1 lattice_rpc_prefix required,
        2 link_name required,
        3 lattice_rpc_user_jwt required,
        4 lattice_rpc_user_seed required,
        5 lattice_rpc_url required,
        6 provider_key required,
        7 invocation_seed required,
        8 env_values required,
        9 instance_id required,
        10 link_definitions required,
        11 cluster_issuers required,
        12 config_json optional,
        13 default_rpc_timeout_ms optional,
        14 structured_logging required,
        15 log_level optional,
    }
}

/// The `Actor` service (actorReceive): health checks a host sends to actors.
#[async_trait::async_trait]
pub trait Actor {
    /// The service has no contract id (actors receive it from the host).
    fn contract_id() -> &'static str {
        ""
    }

    /// Performs a health check; called at intervals by the host.
    async fn health_request(
        &self,
        ctx: &Context,
        arg: &HealthCheckRequest,
    ) -> RpcResult<HealthCheckResponse>;
}

/// Receiver of the [`Actor`] service: dispatches by bare method name.
#[async_trait::async_trait]
pub trait ActorReceiver: Actor {
    /// Service name on the wire (`"Actor.HealthRequest"`).
    const SERVICE: &'static str = "Actor";

    /// Decodes the message, calls the handler and encodes its reply.
    async fn dispatch(&self, ctx: &Context, message: Message<'_>) -> RpcResult<Vec<u8>> {
        match message.method {
            "HealthRequest" => {
                let value: HealthCheckRequest = deserialize(&message.arg)
                    .map_err(|e| RpcError::Deser(format!("'HealthCheckRequest': {e}")))?;
                let resp = Actor::health_request(self, ctx, &value).await?;
                serialize(&resp)
            }
            _ => Err(RpcError::MethodNotHandled(format!(
                "Actor::{}",
                message.method
            ))),
        }
    }
}

impl<T: Actor + ?Sized> ActorReceiver for T {}

/// Sender of the [`Actor`] service over any transport.
#[derive(Debug)]
pub struct ActorSender<T: Transport> {
    transport: T,
}

impl<T: Transport> ActorSender<T> {
    /// A sender over `transport`.
    pub fn via(transport: T) -> Self {
        Self { transport }
    }
}

impl ActorSender<crate::actor::HostTransport> {
    /// From inside an actor: a sender to another actor, by public key or call alias.
    pub fn to_actor(actor_id: &str) -> Self {
        Self::via(crate::actor::HostTransport::to_actor(actor_id))
    }
}

#[async_trait::async_trait]
impl<T: Transport> Actor for ActorSender<T> {
    async fn health_request(
        &self,
        ctx: &Context,
        arg: &HealthCheckRequest,
    ) -> RpcResult<HealthCheckResponse> {
        let buf = serialize(arg)?;
        let resp = self
            .transport
            .send(
                ctx,
                Message {
                    method: "Actor.HealthRequest",
                    arg: Cow::Borrowed(&buf),
                },
                None,
            )
            .await?;
        deserialize(&resp).map_err(|e| RpcError::Deser(format!("'HealthCheckResponse': {e}")))
    }
}

impl std::fmt::Debug for LinkDefinition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkDefinition")
            .field("actor_id", &self.actor_id)
            .field("provider_id", &self.provider_id)
            .field("link_name", &self.link_name)
            .field("contract_id", &self.contract_id)
            .field("values", &crate::redact::Values(&self.values))
            .finish()
    }
}

impl std::fmt::Debug for HostData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::redact::{Secret, Values};
        f.debug_struct("HostData")
            .field("host_id", &self.host_id)
            .field("lattice_rpc_prefix", &self.lattice_rpc_prefix)
            .field("link_name", &self.link_name)
            .field("lattice_rpc_user_jwt", &Secret(&self.lattice_rpc_user_jwt))
            .field(
                "lattice_rpc_user_seed",
                &Secret(&self.lattice_rpc_user_seed),
            )
            .field(
                "lattice_rpc_url",
                &crate::redact::text(&self.lattice_rpc_url),
            )
            .field("provider_key", &self.provider_key)
            .field("invocation_seed", &Secret(&self.invocation_seed))
            .field("env_values", &Values(&self.env_values))
            .field("instance_id", &self.instance_id)
            .field("link_definitions", &self.link_definitions)
            .field("cluster_issuers", &self.cluster_issuers)
            .field(
                "config_json",
                &self.config_json.as_deref().map(crate::redact::text),
            )
            .field("default_rpc_timeout_ms", &self.default_rpc_timeout_ms)
            .field("structured_logging", &self.structured_logging)
            .field("log_level", &self.log_level)
            .finish()
    }
}

impl LinkDefinition {
    /// A copy fit for listings and logs: secret-looking values redacted
    /// ([`crate::redact::map`]).
    pub fn redacted(&self) -> LinkDefinition {
        LinkDefinition {
            values: crate::redact::map(&self.values),
            ..self.clone()
        }
    }

    /// The link value for `key`, matched case-insensitively (providers read
    /// `URL`, `address`, `port`... whatever case the operator wrote).
    pub fn value(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}
