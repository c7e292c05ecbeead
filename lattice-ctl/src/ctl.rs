//! The JSON payloads of the wasmCloud 0.x control interface
//! (`wasmbus.ctl.{lattice}.*`, `shared/spec/lattice.md` section 2).
//!
//! Field names, JSON casing and optionality follow
//! `wasmcloud-control-interface` 0.28 (`types.rs`), so that its client can
//! talk to our hosts and ours to upstream hosts:
//! - every field the upstream type marks optional is an `Option` that is left
//!   out of the JSON when `None`;
//! - the fields upstream *requires* when decoding (`instances`, `actors`,
//!   `providers`, `labels`, `links`, `claims`, `values`, `constraints`) are
//!   always serialized, even when empty;
//! - decoding is lenient: a missing field takes its default, unknown fields
//!   are ignored, as upstream's `#[serde(default)]` does.
//!
//! A few fields the OTP host sends and upstream's Rust types lack
//! (`Host::issuer`, `Host::friendly_name`, `ProviderDescription::instance_id`,
//! `LinkDefinition::id`) are kept here; upstream decoders ignore them.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Deserializer, Serialize};

/// String-to-string map of labels, annotations, link values or constraints.
/// Sorted, so printed tables and serialized payloads come out stable.
pub type KeyValueMap = BTreeMap<String, String>;

/// Annotations of a start/stop request (e.g. `wasmcloud.dev/managed-by`).
pub type AnnotationMap = KeyValueMap;

/// Host label constraints of an auction: a host bids when its labels hold
/// every pair.
pub type ConstraintMap = KeyValueMap;

/// Prefix of every lattice event type (`com.wasmcloud.lattice.actor_started`).
pub const EVENT_TYPE_PREFIX: &str = "com.wasmcloud.lattice.";

/// Link name used when a request names none.
pub const DEFAULT_LINK_NAME: &str = "default";

fn one() -> u16 {
    1
}

fn default_link_name() -> String {
    DEFAULT_LINK_NAME.to_string()
}

/// Standard reply to every command (`cmd.*`, `linkdefs.*`, `registries.put`).
/// Hosts send it *before* doing the work; results show only in events.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct CtlOperationAck {
    /// Whether the host took the command.
    #[serde(default)]
    pub accepted: bool,
    /// Why it did not (empty when accepted).
    #[serde(default)]
    pub error: String,
}

impl CtlOperationAck {
    /// An accepted ack with no error.
    pub fn ok() -> Self {
        CtlOperationAck {
            accepted: true,
            error: String::new(),
        }
    }

    /// A refusal carrying `error`.
    pub fn refused(error: impl Into<String>) -> Self {
        CtlOperationAck {
            accepted: false,
            error: error.into(),
        }
    }
}

/// `cmd.{host}.la`: start `count` instances of an actor.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct StartActorCommand {
    /// OCI reference (or other accepted reference) of the actor.
    #[serde(default)]
    pub actor_ref: String,
    /// Annotations the started instances carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<AnnotationMap>,
    /// How many instances to start; missing means 1, and upstream also reads
    /// 0 as 1 (see [`StartActorCommand::effective_count`]).
    #[serde(default = "one")]
    pub count: u16,
    /// The host that should start it.
    #[serde(default)]
    pub host_id: String,
}

impl StartActorCommand {
    /// The number of instances to start: `count`, with 0 read as 1.
    pub fn effective_count(&self) -> u16 {
        self.count.max(1)
    }
}

/// `cmd.{host}.sa`: stop instances of an actor.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct StopActorCommand {
    /// Reference of the actor (the OTP host reads it as a public key).
    #[serde(default)]
    pub actor_ref: String,
    /// When set, only instances with these annotations are stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<AnnotationMap>,
    /// How many instances to stop; 0 stops all.
    #[serde(default)]
    pub count: u16,
    /// The host that runs it.
    #[serde(default)]
    pub host_id: String,
}

/// `cmd.{host}.scale`: bring an actor to exactly `count` instances.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct ScaleActorCommand {
    /// Public key (`M...`) of the actor.
    #[serde(default)]
    pub actor_id: String,
    /// Reference to start more instances from.
    #[serde(default)]
    pub actor_ref: String,
    /// Annotations of the request (the OTP host ignores them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<AnnotationMap>,
    /// Target number of instances (0 stops all).
    #[serde(default)]
    pub count: u16,
    /// The host to scale on.
    #[serde(default)]
    pub host_id: String,
}

/// `cmd.{host}.upd`: live-update a running actor to a new reference.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateActorCommand {
    /// Public key of the running actor.
    #[serde(default)]
    pub actor_id: String,
    /// When set, only instances with these annotations are updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<AnnotationMap>,
    /// The host that runs it.
    #[serde(default)]
    pub host_id: String,
    /// The reference of the new version.
    #[serde(default)]
    pub new_actor_ref: String,
}

/// `cmd.{host}.stop`: stop a host.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct StopHostCommand {
    /// The host to stop.
    #[serde(default)]
    pub host_id: String,
    /// Grace period for the shutdown. Upstream's type documents seconds but
    /// its client and wash send milliseconds, so this is read as milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
}

/// `cmd.{host}.lp`: start a capability provider.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct StartProviderCommand {
    /// Annotations the started provider carries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<AnnotationMap>,
    /// Opaque configuration handed to the provider (`config_json` of its
    /// host data); often base64 JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<String>,
    /// The host that should start it.
    #[serde(default)]
    pub host_id: String,
    /// Link name of the provider instance; missing means `default`.
    #[serde(default = "default_link_name")]
    pub link_name: String,
    /// OCI reference (or file reference) of the provider archive.
    #[serde(default)]
    pub provider_ref: String,
}

/// `cmd.{host}.sp`: stop a capability provider.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct StopProviderCommand {
    /// Annotations of the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<AnnotationMap>,
    /// Contract id of the provider.
    #[serde(default)]
    pub contract_id: String,
    /// The host that runs it.
    #[serde(default)]
    pub host_id: String,
    /// Link name of the provider instance.
    #[serde(default)]
    pub link_name: String,
    /// Reference of the provider (the OTP host needs the 56-char `V...` key).
    #[serde(default)]
    pub provider_ref: String,
}

/// A host, as it answers `ping.hosts`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct Host {
    /// Comma-separated cluster issuer keys (`C...`) the host accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_issuers: Option<String>,
    /// NATS server of the control connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ctl_host: Option<String>,
    /// Host public key (`N...`).
    #[serde(default)]
    pub id: String,
    /// Cluster issuer (`C...`) this host signs with; sent by the OTP host,
    /// unknown to upstream's Rust type.
    #[serde(default)]
    pub issuer: String,
    /// Human-friendly name; sent by the OTP host, unknown to upstream's Rust
    /// type.
    #[serde(default)]
    pub friendly_name: String,
    /// JetStream domain of the lattice, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub js_domain: Option<String>,
    /// Host labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<KeyValueMap>,
    /// Lattice prefix the host serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lattice_prefix: Option<String>,
    /// NATS server of provider RPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prov_rpc_host: Option<String>,
    /// NATS server of actor RPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpc_host: Option<String>,
    /// Uptime in words (`1 hour, 2 minutes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uptime_human: Option<String>,
    /// Uptime in seconds.
    #[serde(default)]
    pub uptime_seconds: u64,
    /// Host software version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// One running instance of an actor.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct ActorInstance {
    /// Annotations of the request that started it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<AnnotationMap>,
    /// Instance id (a UUID).
    #[serde(default)]
    pub instance_id: String,
    /// Revision from the actor's claims.
    #[serde(default)]
    pub revision: i32,
}

/// An actor in a host inventory.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct ActorDescription {
    /// Actor public key (`M...`).
    #[serde(default)]
    pub id: String,
    /// Reference it was started from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_ref: Option<String>,
    /// Its running instances (always serialized: upstream requires it).
    #[serde(default)]
    pub instances: Vec<ActorInstance>,
    /// Name from its claims, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A provider in a host inventory.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct ProviderDescription {
    /// Annotations of the request that started it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<AnnotationMap>,
    /// Provider public key (`V...`).
    #[serde(default)]
    pub id: String,
    /// Reference it was started from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_ref: Option<String>,
    /// Contract id it implements.
    #[serde(default)]
    pub contract_id: String,
    /// Link name of this instance.
    #[serde(default)]
    pub link_name: String,
    /// Name from its claims, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Instance id; sent by the OTP host, unknown to upstream's Rust type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    /// Revision from its claims.
    #[serde(default)]
    pub revision: i32,
}

/// Reply to `get.{host}.inv`: what one host runs.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct HostInventory {
    /// Running actors (always serialized).
    #[serde(default)]
    pub actors: Vec<ActorDescription>,
    /// Host public key.
    #[serde(default)]
    pub host_id: String,
    /// Cluster issuer of the host.
    #[serde(default)]
    pub issuer: String,
    /// Human-friendly name.
    #[serde(default)]
    pub friendly_name: String,
    /// Host labels (always serialized).
    #[serde(default)]
    pub labels: KeyValueMap,
    /// Running providers (always serialized).
    #[serde(default)]
    pub providers: Vec<ProviderDescription>,
}

/// A link definition as JSON on the control interface and in the KV bucket
/// (the RPC side sends the same fields as msgpack).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkDefinition {
    /// Id the host gives the link (OTP adds it; absent in the KV bucket).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Actor public key.
    #[serde(default)]
    pub actor_id: String,
    /// Provider public key.
    #[serde(default)]
    pub provider_id: String,
    /// Link name.
    #[serde(default)]
    pub link_name: String,
    /// Contract id.
    #[serde(default)]
    pub contract_id: String,
    /// Link values (always serialized: upstream requires it).
    #[serde(default)]
    pub values: KeyValueMap,
}

/// Reply to `get.links`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkDefinitionList {
    /// Every link of the lattice.
    #[serde(default)]
    pub links: Vec<LinkDefinition>,
}

/// Body of `linkdefs.del`, the keys of a link. Upstream's client sends a
/// whole [`LinkDefinition`] with empty `provider_id` and `values` here, which
/// this type decodes too.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct RemoveLinkDefinitionRequest {
    /// Actor public key (not a reference).
    #[serde(default)]
    pub actor_id: String,
    /// Contract id.
    #[serde(default)]
    pub contract_id: String,
    /// Link name.
    #[serde(default)]
    pub link_name: String,
}

/// Reply to `get.claims`: every known claims entry, as string maps
/// (`call_alias`, `iss`, `name`, `caps`, `rev`, `tags`, `version`, `sub`,
/// `contract_id`, ...).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct ClaimsList {
    /// The claims entries. Decoding reads a `null` value as `""` (as
    /// upstream's client does) and other non-string values as their JSON
    /// text.
    #[serde(default, deserialize_with = "lenient_claims")]
    pub claims: Vec<HashMap<String, String>>,
}

fn lenient_claims<'de, D>(d: D) -> Result<Vec<HashMap<String, String>>, D::Error>
where
    D: Deserializer<'de>,
{
    let raw: Option<Vec<HashMap<String, serde_json::Value>>> = Option::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .map(|entry| {
            entry
                .into_iter()
                .map(|(k, v)| {
                    let s = match v {
                        serde_json::Value::Null => String::new(),
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, s)
                })
                .collect()
        })
        .collect())
}

/// `auction.actor`: which hosts could run this actor?
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct ActorAuctionRequest {
    /// Reference of the actor.
    #[serde(default)]
    pub actor_ref: String,
    /// Labels a bidding host must have (always serialized).
    #[serde(default)]
    pub constraints: ConstraintMap,
}

/// A host's bid in an actor auction.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct ActorAuctionAck {
    /// The auctioned reference.
    #[serde(default)]
    pub actor_ref: String,
    /// The bidding host.
    #[serde(default)]
    pub host_id: String,
    /// The constraints of the auction, echoed (upstream's type has them).
    #[serde(default)]
    pub constraints: ConstraintMap,
}

/// `auction.provider`: which hosts could run this provider (and do not run
/// it already under this link name)?
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct ProviderAuctionRequest {
    /// Labels a bidding host must have (always serialized).
    #[serde(default)]
    pub constraints: ConstraintMap,
    /// Link name of the provider instance.
    #[serde(default)]
    pub link_name: String,
    /// Reference of the provider.
    #[serde(default)]
    pub provider_ref: String,
}

/// A host's bid in a provider auction.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct ProviderAuctionAck {
    /// The bidding host.
    #[serde(default)]
    pub host_id: String,
    /// The auctioned link name.
    #[serde(default)]
    pub link_name: String,
    /// The auctioned reference.
    #[serde(default)]
    pub provider_ref: String,
}

/// Credentials of one registry, in a `registries.put` map keyed by registry
/// host.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct RegistryCredential {
    /// Password for HTTP basic authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Bearer token (used instead of username/password).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Username for HTTP basic authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// `oci` or `bindle`.
    #[serde(default, rename = "registryType")]
    pub registry_type: String,
}

/// Body of `registries.put`: credentials keyed by registry host.
pub type RegistryCredentialMap = HashMap<String, RegistryCredential>;

/// A CloudEvent (spec 1.0, JSON format) as published on `wasmbus.evt.{lattice}`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct CloudEvent {
    /// Always `1.0`.
    #[serde(default)]
    pub specversion: String,
    /// RFC 3339 time of the event, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// `com.wasmcloud.lattice.<name>`, e.g. `...actor_started`.
    #[serde(default, rename = "type")]
    pub event_type: String,
    /// Host id of the sender (`n/a` for link events).
    #[serde(default)]
    pub source: String,
    /// Always `application/json` here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datacontenttype: Option<String>,
    /// Unique event id.
    #[serde(default)]
    pub id: String,
    /// Event payload (its shape depends on the type).
    #[serde(default)]
    pub data: serde_json::Value,
}

impl CloudEvent {
    /// An event of kind `name` (without [`EVENT_TYPE_PREFIX`]) from `source`,
    /// with a fresh UUID and the given RFC 3339 `time`.
    pub fn new(name: &str, source: &str, time: Option<String>, data: serde_json::Value) -> Self {
        CloudEvent {
            specversion: "1.0".to_string(),
            time,
            event_type: format!("{EVENT_TYPE_PREFIX}{name}"),
            source: source.to_string(),
            datacontenttype: Some("application/json".to_string()),
            id: uuid::Uuid::new_v4().to_string(),
            data,
        }
    }

    /// The event kind without [`EVENT_TYPE_PREFIX`] (`actor_started`); the
    /// whole type when it has another prefix.
    pub fn kind(&self) -> &str {
        self.event_type
            .strip_prefix(EVENT_TYPE_PREFIX)
            .unwrap_or(&self.event_type)
    }
}
