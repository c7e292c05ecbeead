// The lattice control contract: lets an actor inspect and steer the lattice
// it runs in (hosts, actors, providers, links) through a provider that
// speaks the host control interface.
//
// The published contract id is `wasmcloud:latticecontrol`; names of
// operations, structures and members follow the published contract. Every
// request names the lattice it applies to, so one provider can serve
// several lattices.

metadata package = [
    {
        namespace: "org.wasmcloud.lattice.control",
        crate: "weld-interface-lattice-control",
        py_module: "weld_interface_lattice_control",
        doc: "LatticeController: manage hosts, actors, providers and links of a lattice",
    }
]

namespace org.wasmcloud.lattice.control

use org.wasmcloud.core#ActorLinks
use org.wasmcloud.core#LinkDefinition
use org.wasmcloud.model#I32
use org.wasmcloud.model#U16
use org.wasmcloud.model#U64
use org.wasmcloud.model#wasmbus

/// Control operations on a lattice, offered by a provider to actors.
@wasmbus(
    contractId: "wasmcloud:latticecontrol",
    providerReceive: true,
)
service LatticeController {
    version: "0.1",
    operations: [
        AuctionProvider,
        AuctionActor,
        GetHosts,
        GetHostInventory,
        GetClaims,
        ScaleActor,
        StartActor,
        AdvertiseLink,
        RemoveLink,
        GetLinks,
        UpdateActor,
        StartProvider,
        StopProvider,
        StopActor,
        StopHost,
        SetLatticeCredentials,
        SetRegistryCredentials,
    ],
}

/// Asks which hosts could run a provider, given label constraints. Hosts
/// already running that provider under the same link name do not bid.
operation AuctionProvider {
    input: ProviderAuctionRequest,
    output: ProviderAuctionAcks,
}

/// Asks which hosts could run an actor, given label constraints.
operation AuctionActor {
    input: ActorAuctionRequest,
    output: ActorAuctionAcks,
}

/// Lists the hosts that answer within the collection timeout. The argument
/// is the lattice id. Slow or partitioned hosts may be missing.
operation GetHosts {
    input: String,
    output: Hosts,
}

/// What one host is running.
operation GetHostInventory {
    input: GetHostInventoryRequest,
    output: HostInventory,
}

/// The claims cached in the lattice (answered by the first host to reply).
/// The argument is the lattice id.
operation GetClaims {
    input: String,
    output: GetClaimsResponse,
}

/// Changes the number of running instances of an actor on a host.
operation ScaleActor {
    input: ScaleActorCommand,
    output: CtlOperationAck,
}

/// Starts an actor on a host.
operation StartActor {
    input: StartActorCommand,
    output: CtlOperationAck,
}

/// Puts a link definition into the lattice; providers serving it are told.
operation AdvertiseLink {
    input: AdvertiseLinkRequest,
    output: CtlOperationAck,
}

/// Deletes a link definition; providers serving it are told so they can
/// release what they held for the actor.
operation RemoveLink {
    input: RemoveLinkDefinitionRequest,
    output: CtlOperationAck,
}

/// All link definitions of the lattice. The argument is the lattice id.
operation GetLinks {
    input: String,
    output: LinkDefinitionList,
}

/// Replaces a running actor with another build of it, in place.
operation UpdateActor {
    input: UpdateActorCommand,
    output: CtlOperationAck,
}

/// Starts a capability provider on a host.
operation StartProvider {
    input: StartProviderCommand,
    output: CtlOperationAck,
}

/// Stops a capability provider on a host.
operation StopProvider {
    input: StopProviderCommand,
    output: CtlOperationAck,
}

/// Stops instances of an actor on a host.
operation StopActor {
    input: StopActorCommand,
    output: CtlOperationAck,
}

/// Shuts a host down.
operation StopHost {
    input: StopHostCommand,
    output: CtlOperationAck,
}

/// Sets the credentials the provider uses to reach one lattice.
operation SetLatticeCredentials {
    input: SetLatticeCredentialsRequest,
    output: CtlOperationAck,
}

/// Sets the OCI registry credentials hosts use when fetching artifacts.
operation SetRegistryCredentials {
    input: SetRegistryCredentialsRequest,
}

/// Provider configuration passed at start-up (bounded in size).
@length(min: 1, max: 500000)
string ConfigurationString

/// Arguments of `AdvertiseLink`.
structure AdvertiseLinkRequest {
    /// The lattice.
    @required
    latticeId: String,

    /// The link to put.
    @required
    link: LinkDefinition,
}

/// Names a lattice for a claims query.
structure GetClaimsRequest {
    /// The lattice.
    @required
    latticeId: String,
}

/// Arguments of `GetHostInventory`.
structure GetHostInventoryRequest {
    /// The lattice.
    @required
    latticeId: String,

    /// Public key of the host.
    @required
    hostId: String,
}

/// Names a lattice for a host query.
structure GetHostsRequest {
    /// The lattice.
    @required
    latticeId: String,
}

/// Connection settings for one lattice. Unset values fall back to the
/// provider's defaults.
structure SetLatticeCredentialsRequest {
    /// The lattice.
    @required
    latticeId: String,

    /// JWT for the message bus.
    userJwt: String,

    /// Seed matching the JWT.
    userSeed: String,

    /// URL of the message bus.
    natsUrl: String,

    /// JetStream domain, if one is used.
    jsDomain: String,
}

/// Hosts bidding to run a provider.
list ProviderAuctionAcks {
    member: ProviderAuctionAck,
}

/// Hosts bidding to run an actor.
list ActorAuctionAcks {
    member: ActorAuctionAck,
}

/// Hosts of a lattice.
list Hosts {
    member: Host,
}

/// Arguments of `AuctionProvider`.
structure ProviderAuctionRequest {
    /// The lattice.
    @required
    latticeId: String,

    /// OCI reference (or other locator) of the provider.
    @required
    providerRef: String,

    /// Link name it would serve.
    @required
    linkName: String,

    /// Host labels a bidder must carry, with their values.
    @required
    constraints: ConstraintMap,
}

/// Label name to required value.
map ConstraintMap {
    key: String,
    value: String,
}

/// Free-form annotations attached to a running instance.
map AnnotationMap {
    key: String,
    value: String,
}

/// A host's bid to run a provider.
structure ProviderAuctionAck {
    /// The provider reference from the request.
    @required
    providerRef: String,

    /// The link name from the request.
    @required
    linkName: String,

    /// The bidding host.
    @required
    hostId: String,
}

/// Arguments of `AuctionActor`.
structure ActorAuctionRequest {
    /// The lattice.
    @required
    latticeId: String,

    /// OCI reference (or other locator) of the actor.
    @required
    actorRef: String,

    /// Host labels a bidder must carry, with their values.
    @required
    constraints: ConstraintMap,
}

/// A host's bid to run an actor.
structure ActorAuctionAck {
    /// The actor reference from the request.
    @required
    actorRef: String,

    /// The bidding host.
    @required
    hostId: String,
}

/// The contents of one host.
structure HostInventory {
    /// Public key of the host.
    @required
    hostId: String,

    /// The host's labels.
    @required
    labels: LabelsMap,

    /// Actors running there.
    @required
    actors: ActorDescriptions,

    /// Providers running there.
    @required
    providers: ProviderDescriptions,
}

/// Host label name to value.
map LabelsMap {
    key: String,
    value: String,
}

/// Actors on a host.
list ActorDescriptions {
    member: ActorDescription,
}

/// Providers on a host.
list ProviderDescriptions {
    member: ProviderDescription,
}

/// An actor and its running instances.
structure ActorDescription {
    /// Public key of the actor.
    @required
    id: String,

    /// Where it was loaded from, if known.
    imageRef: String,

    /// Name from its claims, if any.
    name: String,

    /// Its running instances.
    @required
    instances: ActorInstances,
}

/// One running instance of an actor.
structure ActorInstance {
    /// Unique id of the instance.
    @required
    instanceId: String,

    /// Revision number from the actor's claims.
    @required
    revision: I32,

    /// Annotations given when it was started.
    annotations: AnnotationMap,
}

/// Instances of one actor.
list ActorInstances {
    member: ActorInstance,
}

/// A running provider.
structure ProviderDescription {
    /// Public key of the provider.
    @required
    id: String,

    /// The link name it serves.
    @required
    linkName: String,

    /// Where it was loaded from, if known.
    imageRef: String,

    /// Name from its claims, if any.
    name: String,

    /// Revision number from its claims.
    @required
    revision: I32,

    /// Annotations given when it was started.
    annotations: AnnotationMap,
}

/// Arguments of `StartActor`.
structure StartActorCommand {
    /// The lattice.
    @required
    latticeId: String,

    /// Reference of the actor to start.
    @required
    actorRef: String,

    /// Host to start it on.
    @required
    hostId: String,

    /// Annotations to attach.
    annotations: AnnotationMap,

    /// How many instances to start.
    @required
    count: U16,
}

/// Arguments of `StartProvider`.
structure StartProviderCommand {
    /// The lattice.
    @required
    latticeId: String,

    /// Host to start it on.
    @required
    hostId: String,

    /// Reference of the provider to start.
    @required
    providerRef: String,

    /// Link name it will serve.
    @required
    linkName: String,

    /// Annotations to attach.
    annotations: AnnotationMap,

    /// Configuration handed to the provider at start-up.
    configuration: ConfigurationString,
}

/// Arguments of `ScaleActor`.
structure ScaleActorCommand {
    /// The lattice.
    @required
    latticeId: String,

    /// Reference of the actor.
    @required
    actorRef: String,

    /// Public key of the actor.
    @required
    actorId: String,

    /// The host concerned.
    @required
    hostId: String,

    /// Annotations of the instances to scale.
    annotations: AnnotationMap,

    /// Desired number of instances.
    @required
    count: U16,
}

/// Arguments of `StopActor`.
structure StopActorCommand {
    /// The lattice.
    @required
    latticeId: String,

    /// The host concerned.
    @required
    hostId: String,

    /// Public key of the actor.
    @required
    actorId: String,

    /// How many instances to stop.
    @required
    count: U16,

    /// Only instances with these annotations are stopped.
    annotations: AnnotationMap,
}

/// Arguments of `StopProvider`.
structure StopProviderCommand {
    /// The lattice.
    @required
    latticeId: String,

    /// The host concerned.
    @required
    hostId: String,

    /// Public key of the provider.
    @required
    providerId: String,

    /// Link name of the instance to stop.
    @required
    linkName: String,

    /// Contract it implements.
    @required
    contractId: String,

    /// Only an instance with these annotations is stopped.
    annotations: AnnotationMap,
}

/// Arguments of `StopHost`.
structure StopHostCommand {
    /// The lattice.
    @required
    latticeId: String,

    /// The host to stop.
    @required
    hostId: String,

    /// Grace period before the host stops, if any.
    timeout: U64,
}

/// Arguments of `UpdateActor`.
structure UpdateActorCommand {
    /// The lattice.
    @required
    latticeId: String,

    /// The host concerned.
    @required
    hostId: String,

    /// Public key of the running actor.
    @required
    actorId: String,

    /// Reference of the new build.
    @required
    newActorRef: String,

    /// Annotations of the instances to update.
    annotations: AnnotationMap,
}

/// Whether a control command was accepted. Acceptance means the command was
/// queued, not that it has completed.
structure CtlOperationAck {
    /// True when the command was accepted.
    @required
    accepted: Boolean,

    /// Why it was refused (empty when accepted).
    @required
    error: String,
}

/// The link definitions of a lattice.
structure LinkDefinitionList {
    /// The links.
    @required
    links: ActorLinks,
}

/// A host as seen from the lattice.
structure Host {
    /// Public key of the host.
    @required
    id: String,

    /// Seconds since the host started.
    @required
    uptimeSeconds: U64,

    /// Uptime in words, for display.
    uptimeHuman: String,

    /// The host's labels.
    labels: KeyValueMap,

    /// Host software version.
    version: String,

    /// Comma-separated cluster issuer keys.
    clusterIssuers: String,

    /// JetStream domain, if any.
    jsDomain: String,

    /// Message bus address for control traffic.
    ctlHost: String,

    /// Message bus address for provider RPC.
    provRpcHost: String,

    /// Message bus address for RPC.
    rpcHost: String,

    /// Lattice prefix (lattice id) the host belongs to.
    latticePrefix: String,
}

/// Result of `GetClaims`.
structure GetClaimsResponse {
    /// One map of claim fields per known actor or provider.
    @required
    claims: CtlKVList,
}

/// Several string maps.
list CtlKVList {
    member: KeyValueMap,
}

/// String to string.
map KeyValueMap {
    key: String,
    value: String,
}

/// Arguments of `RemoveLink`.
structure RemoveLinkDefinitionRequest {
    /// The lattice.
    @required
    latticeId: String,

    /// Public key of the actor.
    @required
    actorId: String,

    /// Contract of the link.
    @required
    contractId: String,

    /// Link name.
    @required
    linkName: String,
}

/// Arguments of `SetRegistryCredentials`.
structure SetRegistryCredentialsRequest {
    /// The lattice.
    @required
    latticeId: String,

    /// Registry host name to its credentials.
    credentials: RegistryCredentialMap,
}

/// Registry host name to credentials.
map RegistryCredentialMap {
    key: String,
    value: RegistryCredential,
}

/// How to authenticate to one registry: a token, or a user name and
/// password.
structure RegistryCredential {
    /// Bearer token.
    token: String,

    /// User name.
    username: String,

    /// Password. Treat it as a secret: never log it.
    password: String,

    /// Kind of registry, e.g. `oci`.
    @required
    registryType: String,
}
