// The `smithy.api` prelude as defined by the Smithy 2.0 specification: the
// simple shapes every model may reference by relative id, `Unit`, and the
// definition of every prelude trait (its selector, conflicts and value shape).
//
// `breakingChanges` values of the upstream prelude are left out (weld has no
// diff tool); the `trait` trait still accepts them. Shapes marked `@private`
// are implementation details of trait values and cannot be referenced from
// other namespaces.
$version: "2.0"

namespace smithy.api

// ---------------------------------------------------------------------------
// Public simple shapes.

string String

blob Blob

bigInteger BigInteger

bigDecimal BigDecimal

timestamp Timestamp

document Document

boolean Boolean

byte Byte

short Short

integer Integer

long Long

float Float

double Double

@default(false)
boolean PrimitiveBoolean

@default(0)
byte PrimitiveByte

@default(0)
short PrimitiveShort

@default(0)
integer PrimitiveInteger

@default(0)
long PrimitiveLong

@default(0)
float PrimitiveFloat

@default(0)
double PrimitiveDouble

/// The unit type: a value that carries no information. It is the implicit
/// input and output of operations that declare none, and the target of
/// union members that have no payload.
@unitType
structure Unit {}

// ---------------------------------------------------------------------------
// The trait system itself.

/// Turns the shape it is applied to into a trait definition.
@trait(selector: ":is(simpleType, list, map, structure, union)")
structure trait {
    /// Where the trait may be applied; `*` (every shape) when absent.
    selector: String

    /// Allows only one member of an aggregate to carry the trait
    /// (`member`) or to target a shape carrying it (`target`).
    structurallyExclusive: StructurallyExclusive

    /// Traits that may not be applied together with this one.
    conflicts: NonEmptyStringList

    /// Rules a diff tool uses to detect backward-incompatible changes.
    breakingChanges: TraitDiffRules
}

@private
@length(min: 1)
list TraitDiffRules {
    member: TraitDiffRule
}

@private
structure TraitDiffRule {
    /// JSON pointer into the trait value.
    path: String

    /// The kind of change that is reported.
    @required
    change: TraitChangeType

    /// How serious the change is.
    severity: TraitChangeSeverity = "ERROR"

    /// Why the change is a problem.
    message: String
}

@private
enum TraitChangeType {
    UPDATE = "update"
    ADD = "add"
    REMOVE = "remove"
    PRESENCE = "presence"
    ANY = "any"
}

@private
enum TraitChangeSeverity {
    NOTE
    WARNING
    DANGER
    ERROR
}

@private
enum StructurallyExclusive {
    /// At most one member of a shape may carry the trait.
    MEMBER = "member"

    /// At most one member of a shape may target a shape carrying the trait.
    TARGET = "target"
}

/// Marks a trait as defining a protocol. The marked trait must itself be a
/// structure trait and is applied to services.
@trait(selector: "structure[trait|trait]")
structure protocolDefinition {
    /// Traits a protocol implementation must understand.
    traits: TraitShapeIdList

    /// True when the protocol cannot carry inline documents.
    noInlineDocumentSupport: Boolean
}

/// Marks a trait as defining an authentication scheme.
@trait(selector: "structure[trait|trait]")
structure authDefinition {
    /// Traits an implementation of the scheme must understand.
    traits: TraitShapeIdList
}

@private
list TraitShapeIdList {
    member: TraitShapeId
}

@private
@idRef(failWhenMissing: true, selector: "[trait|trait]")
string TraitShapeId

// ---------------------------------------------------------------------------
// Documentation traits.

/// CommonMark documentation of a shape or member.
@trait
string documentation

/// Named links to documentation kept elsewhere.
@trait
@length(min: 1)
map externalDocumentation {
    key: NonEmptyString
    value: NonEmptyString
}

/// Marks a shape or member as deprecated.
@trait
structure deprecated {
    /// Why it is deprecated and what to use instead.
    message: String

    /// When it was deprecated (a date or a version).
    since: String
}

/// Examples of operation inputs, outputs and errors.
@trait(selector: "operation")
list examples {
    member: Example
}

@private
structure Example {
    @required
    title: String

    documentation: String

    input: Document

    output: Document

    error: ExampleError

    allowConstraintErrors: Boolean
}

@private
structure ExampleError {
    @idRef(selector: "structure[trait|error]")
    shapeId: String

    content: Document
}

/// Meant for internal use only; must not be exposed to customers.
@trait
structure internal {}

/// The version or date at which a shape or member was added.
@trait
string since

/// Free-form tags used to filter and group shapes.
@trait
list tags {
    member: String
}

/// A human-friendly name for a service or resource.
@trait(selector: ":is(service, resource)")
string title

/// The shape may change in backward-incompatible ways.
@trait
structure unstable {}

/// Names of validation events suppressed on the shape.
@trait
list suppress {
    @length(min: 1)
    member: String
}

/// Prevents shapes of other namespaces from referencing the shape.
@trait
structure private {}

/// The data is sensitive and must be handled with care (e.g. not logged).
@trait(selector: ":not(:test(service, operation, resource, member))")
structure sensitive {}

// ---------------------------------------------------------------------------
// Type refinement traits.

/// The default value of a member, or of every member targeting the shape.
@trait(selector: ":is(simpleType, list, map, structure > member :test(> :is(simpleType, list, map)))")
document default

/// Records that `@default` was added to a member after it was published.
@trait(selector: "structure > member [trait|default]")
structure addedDefault {}

/// Tells non-authoritative generators (clients) to treat the member as
/// optional even when it is required or has a default.
@trait(selector: "structure > member")
structure clientOptional {}

/// IDL 1.0 only: a member targeting the shape may hold no value and has no
/// default.
@trait(
    selector: """
        :test(boolean, byte, short, integer, long, float, double,
        member > :test(boolean, byte, short, integer, long, float, double))"""
)
structure box {}

/// The value of an enum or intEnum member.
@trait(selector: ":is(enum, intEnum) > member")
document enumValue

/// Marks a structure as an error; the value says who is at fault.
@trait(selector: "structure", conflicts: [trait])
enum error {
    CLIENT = "client"
    SERVER = "server"
}

/// Specializes a structure for use only as the input of one operation.
@trait(selector: "structure", conflicts: [output, error])
structure input {}

/// Specializes a structure for use only as the output of one operation.
@trait(selector: "structure", conflicts: [input, error])
structure output {}

/// Turns a structure or union into a mixin whose members and traits are
/// copied into the shapes that use it.
@trait(selector: ":not(member)")
structure mixin {
    /// Traits of the mixin that are not copied.
    localTraits: LocalMixinTraitList
}

@private
list LocalMixinTraitList {
    member: LocalMixinTrait
}

@idRef(
    selector: "[trait|trait]"
    failWhenMissing: true
    errorMessage: "localTraits entries of a mixin trait must name a trait."
)
@private
string LocalMixinTrait

/// Only `smithy.api#Unit` carries this trait.
@trait(selector: "[id=smithy.api#Unit]")
structure unitType {}

/// IDL 1.0 style enumeration of the values a string may take. Replaced by
/// the enum shape in Smithy 2.0.
@trait(selector: "string :not(enum)")
@length(min: 1)
@deprecated(message: "The enum trait is replaced by the enum shape in Smithy 2.0", since: "2.0")
list enum {
    member: EnumDefinition
}

/// One value of the `@enum` trait.
@private
structure EnumDefinition {
    /// The value sent over the wire.
    @required
    value: NonEmptyString

    /// The name used in generated code.
    name: EnumConstantBodyName

    /// Documentation of the value.
    documentation: String

    /// Tags of the value.
    tags: NonEmptyStringList

    /// Whether the value is deprecated.
    deprecated: Boolean
}

@private
@pattern("^[a-zA-Z_]+[a-zA-Z_0-9]*$")
string EnumConstantBodyName

/// Marks a list or map as able to hold null values.
@trait(selector: ":is(list, map)")
structure sparse {}

/// Indicates that the shape refers to another shape by its id.
@trait(selector: ":test(string, member > string)")
structure idRef {
    /// What the referenced shape must match.
    selector: String = "*"

    /// When true, the referenced shape must exist.
    failWhenMissing: Boolean

    /// Message shown when the reference is invalid.
    errorMessage: String
}

/// The format of a timestamp on the wire.
@trait(selector: ":test(timestamp, member > timestamp)")
enum timestampFormat {
    /// RFC 3339 date-time with no UTC offset, e.g. 1985-04-12T23:20:50.52Z.
    DATE_TIME = "date-time"

    /// Seconds since the Unix epoch, with optional fraction.
    EPOCH_SECONDS = "epoch-seconds"

    /// RFC 7231 IMF-fixdate, e.g. Tue, 29 Apr 2014 18:30:38 GMT.
    HTTP_DATE = "http-date"
}

// ---------------------------------------------------------------------------
// Constraint traits.

/// Bounds the length of a string or blob or the size of a collection or map.
@trait(selector: ":test(list, map, string, blob, member > :is(list, map, string, blob))")
structure length {
    /// Inclusive minimum.
    min: Long

    /// Inclusive maximum.
    max: Long
}

/// Bounds a number.
@trait(selector: ":test(number, member > number)")
structure range {
    /// Inclusive minimum.
    min: BigDecimal

    /// Inclusive maximum.
    max: BigDecimal
}

/// A regular expression that string values must match.
@trait(selector: ":test(string, member > string)")
string pattern

/// A value for the member must be present.
@trait(selector: "structure > member")
structure required {}

/// The member should be set, although it is not required.
@trait(selector: "structure > member", conflicts: [required])
structure recommended {
    /// Why the member is recommended.
    reason: String
}

/// The items of the list must be unique.
@trait(
    selector: "list :not(> member ~> :is(float, double, document))"
    conflicts: [sparse]
)
structure uniqueItems {}

// ---------------------------------------------------------------------------
// Behaviour traits.

/// Repeating identical requests has the same effect as one request.
@trait(selector: "operation", conflicts: [readonly])
structure idempotent {}

/// The operation has no side effects.
@trait(selector: "operation", conflicts: [idempotent])
structure readonly {}

/// The input member the server uses to detect replayed requests.
@trait(selector: "structure > :test(member > string)", structurallyExclusive: "member")
@notProperty
structure idempotencyToken {}

/// The error may be retried.
@trait(selector: "structure[trait|error]")
structure retryable {
    /// The retry is due to throttling.
    throttling: Boolean
}

/// The operation returns results in pages.
@trait(selector: ":is(service, operation)")
structure paginated {
    /// Input member carrying the continuation token.
    inputToken: NonEmptyString

    /// Output member carrying the continuation token.
    outputToken: NonEmptyString

    /// Output member holding the paginated items (a list or map).
    items: NonEmptyString

    /// Input member limiting the number of results (an integer).
    pageSize: NonEmptyString
}

/// The operation supports compressed requests.
@trait(selector: "operation")
structure requestCompression {
    /// Supported encodings in order of preference.
    @required
    encodings: RequestCompressionEncodingsList
}

@private
list RequestCompressionEncodingsList {
    member: String
}

// ---------------------------------------------------------------------------
// Resource traits.

/// Resources that a string or structure refers to.
@trait(selector: ":is(structure, string)")
list references {
    member: Reference
}

@private
structure Reference {
    /// Absolute or relative id of the resource.
    @required
    resource: NonEmptyString

    /// Identifier name -> member name providing its value.
    ids: NonEmptyStringMap

    /// The service the reference is bound to.
    service: NonEmptyString

    /// The kind of relation (RFC 5988 link relation).
    rel: NonEmptyString
}

@private
map NonEmptyStringMap {
    key: NonEmptyString
    value: NonEmptyString
}

/// The member provides the value of the named resource identifier.
@trait(selector: "structure > :test(member[trait|required] > string)")
@length(min: 1)
@notProperty
string resourceIdentifier

/// The resource property a member maps to.
@trait(selector: "structure > member", conflicts: [resourceIdentifier])
structure property {
    /// Property name, when it differs from the member name.
    name: String
}

/// Excludes a member from resource property mapping.
@trait(selector: ":is(operation -[input, output]-> structure > member, [trait|trait])")
@notProperty
structure notProperty {}

/// The properties of a lifecycle operation are nested under this member.
@trait(
    selector: "operation -[input, output]-> structure > member :test(> structure)"
    structurallyExclusive: "member"
)
@notProperty
structure nestedProperties {}

/// The put lifecycle operation of the resource cannot replace an existing
/// instance.
@trait(selector: "resource:test(-[put]->)")
structure noReplace {}

// ---------------------------------------------------------------------------
// Authentication traits.

/// Authentication schemes of a service or operation, in order of
/// preference.
@trait(selector: ":is(service, operation)")
@uniqueItems
list auth {
    member: AuthTraitReference
}

@idRef(selector: "[trait|authDefinition]")
@private
string AuthTraitReference

/// The operation may be called without authentication.
@trait(selector: "operation")
structure optionalAuth {}

/// HTTP Basic authentication (RFC 2617).
@trait(selector: "service")
@authDefinition
@externalDocumentation("RFC 2617": "https://tools.ietf.org/html/rfc2617.html")
structure httpBasicAuth {}

/// HTTP Digest authentication (RFC 2617).
@trait(selector: "service")
@authDefinition
@externalDocumentation("RFC 2617": "https://tools.ietf.org/html/rfc2617.html")
structure httpDigestAuth {}

/// HTTP Bearer authentication (RFC 6750).
@trait(selector: "service")
@authDefinition
@externalDocumentation("RFC 6750": "https://tools.ietf.org/html/rfc6750.html")
structure httpBearerAuth {}

/// An API key sent in a header or query string parameter.
@trait(selector: "service")
@authDefinition
structure httpApiKeyAuth {
    /// Name of the header or query parameter.
    @required
    name: NonEmptyString

    /// Where the key is sent.
    @required
    in: HttpApiKeyLocations

    /// Scheme prefix of the Authorization header (only with `in: "header"`).
    scheme: NonEmptyString
}

@private
enum HttpApiKeyLocations {
    HEADER = "header"
    QUERY = "query"
}

// ---------------------------------------------------------------------------
// Streaming and event stream traits.

/// The data is too large to hold in memory or its size is unknown up front;
/// on a union it makes the shape an event stream.
@trait(selector: ":is(blob, union)", structurallyExclusive: "target")
structure streaming {}

/// The streaming blob has a known, finite size.
@trait(selector: "blob[trait|streaming]")
structure requiresLength {}

/// The member is the payload of an event.
@trait(
    selector: "structure > :test(member > :test(blob, string, structure, union))"
    conflicts: [eventHeader]
    structurallyExclusive: "member"
)
structure eventPayload {}

/// The member is a header of an event.
@trait(
    selector: """
        structure >
        :test(member > :test(boolean, byte, short, integer, long, blob, string, timestamp))"""
    conflicts: [eventPayload]
)
structure eventHeader {}

// ---------------------------------------------------------------------------
// Serialization and protocol traits.

/// The JSON property name of a member, when it differs from the member name.
@trait(selector: ":is(structure, union) > member")
string jsonName

/// The media type of a string or blob, e.g. "video/quicktime".
@trait(selector: ":is(blob, string)")
string mediaType

/// Serializes a member as an XML attribute.
@trait(
    selector: "structure > :test(member > :test(boolean, number, string, timestamp))"
    conflicts: [xmlNamespace]
)
structure xmlAttribute {}

/// Unwraps the items of a list or map into the enclosing element.
@trait(selector: ":is(structure, union) > :test(member > :test(list, map))")
structure xmlFlattened {}

/// The XML element or attribute name of a structure, union or member.
@trait(selector: ":is(structure, union, member)")
@pattern("^[a-zA-Z_][a-zA-Z_0-9-]*(:[a-zA-Z_][a-zA-Z_0-9-]*)?$")
string xmlName

/// An XML namespace declaration added to the element.
@trait(
    selector: ":is(service, member, simpleType, list, map, structure, union)"
    conflicts: [xmlAttribute]
)
structure xmlNamespace {
    /// The namespace URI.
    @required
    uri: NonEmptyString

    /// The namespace prefix.
    @pattern("^[a-zA-Z_][a-zA-Z_0-9-]*$")
    prefix: NonEmptyString
}

/// The operation needs a checksum of its HTTP request.
@unstable
@trait(selector: "operation")
structure httpChecksumRequired {}

/// A host prefix for the endpoint of an operation.
@trait(selector: "operation")
structure endpoint {
    /// The host prefix pattern; its labels bind input members.
    @required
    hostPrefix: NonEmptyString
}

/// Binds a required input member to a label of the endpoint host prefix.
@trait(selector: "structure > :test(member[trait|required] > string)")
structure hostLabel {}

// ---------------------------------------------------------------------------
// HTTP binding traits.

/// The HTTP method, URI pattern and success code of an operation.
@trait(selector: "operation")
structure http {
    /// The HTTP method, e.g. "GET".
    @required
    method: NonEmptyString

    /// The URI pattern; its labels bind input members.
    @required
    uri: NonEmptyString

    /// The HTTP status code of a successful response.
    @range(min: 100, max: 999)
    code: Integer = 200
}

/// The HTTP status code of an error.
@trait(selector: "structure[trait|error]")
integer httpError

/// Binds an input member to a label of the URI pattern.
@trait(
    selector: "structure > member[trait|required] :test(> :test(string, number, boolean, timestamp))"
    conflicts: [httpHeader, httpQuery, httpPrefixHeaders, httpPayload, httpResponseCode, httpQueryParams]
)
structure httpLabel {}

/// Binds an input member to a query string parameter.
@trait(
    selector: """
        structure > member
        :test(> :test(string, number, boolean, timestamp),
        > list > member > :test(string, number, boolean, timestamp))"""
    conflicts: [httpLabel, httpHeader, httpPrefixHeaders, httpPayload, httpResponseCode, httpQueryParams]
)
@length(min: 1)
string httpQuery

/// Binds a map input member to the whole query string.
@trait(
    selector: """
        structure > member
        :test(> map > member[id|member=value] > :test(string, list > member > string))"""
    structurallyExclusive: "member"
    conflicts: [httpLabel, httpQuery, httpHeader, httpPayload, httpResponseCode, httpPrefixHeaders]
)
structure httpQueryParams {}

/// Binds a member to an HTTP header.
@trait(
    selector: """
        structure > :test(member > :test(boolean, number, string, timestamp,
        list > member > :test(boolean, number, string, timestamp)))"""
    conflicts: [httpLabel, httpQuery, httpPrefixHeaders, httpPayload, httpResponseCode, httpQueryParams]
)
@length(min: 1)
string httpHeader

/// Binds a map member to all headers starting with a prefix.
@trait(
    selector: """
        structure > member
        :test(> map :not([trait|sparse]) > member[id|member=value] > string)"""
    structurallyExclusive: "member"
    conflicts: [httpLabel, httpQuery, httpHeader, httpPayload, httpResponseCode, httpQueryParams]
)
string httpPrefixHeaders

/// Binds a member to the HTTP message body.
@trait(
    selector: "structure > member"
    conflicts: [httpLabel, httpQuery, httpHeader, httpPrefixHeaders, httpResponseCode, httpQueryParams]
    structurallyExclusive: "member"
)
structure httpPayload {}

/// Binds an output member to the HTTP status code.
@trait(
    selector: "structure :not([trait|input]) > member :test(> integer)"
    structurallyExclusive: "member"
    conflicts: [httpLabel, httpQuery, httpHeader, httpPrefixHeaders, httpPayload, httpQueryParams]
)
structure httpResponseCode {}

/// Cross-origin resource sharing settings of a service.
@trait(selector: "service")
structure cors {
    /// Origin allowed to make browser requests.
    origin: NonEmptyString = "*"

    /// Seconds a browser may cache a preflight response (-1: no caching).
    maxAge: Integer = 600

    /// Extra headers allowed in requests.
    additionalAllowedHeaders: NonEmptyStringList

    /// Extra headers exposed to browser scripts.
    additionalExposedHeaders: NonEmptyStringList
}

// ---------------------------------------------------------------------------
// Private helpers shared by several trait definitions.

@private
@length(min: 1)
string NonEmptyString

@private
list NonEmptyStringList {
    member: NonEmptyString
}
