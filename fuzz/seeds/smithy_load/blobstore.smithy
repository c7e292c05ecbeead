// The `wasmcloud:blobstore` capability contract: objects (blobs) kept in
// named containers, with chunked transfer for large objects. This contract
// uses wasmbus protocol "2" (CBOR; numbered structures travel as arrays),
// so every structure here numbers all of its members.

metadata package = [
    {
        namespace: "org.wasmcloud.interface.blobstore",
        crate: "weld-interface-blobstore",
        py_module: "weld_interface_blobstore",
        doc: "Blobstore: the wasmcloud:blobstore capability contract (objects in named containers)",
    }
]

namespace org.wasmcloud.interface.blobstore

use org.wasmcloud.model#U32
use org.wasmcloud.model#U64
use org.wasmcloud.model#n
use org.wasmcloud.model#wasmbus

/// Container and object operations offered by a blob store provider.
@wasmbus(
    contractId: "wasmcloud:blobstore",
    providerReceive: true,
    protocol: "2",
)
service Blobstore {
    version: "0.1",
    operations: [
        ContainerExists,
        CreateContainer,
        GetContainerInfo,
        ListContainers,
        RemoveContainers,
        ObjectExists,
        GetObjectInfo,
        ListObjects,
        RemoveObjects,
        PutObject,
        GetObject,
        PutChunk,
    ],
}

/// Implemented by actors that download objects too large for one message:
/// the provider sends the remaining chunks here.
@wasmbus(
    contractId: "wasmcloud:blobstore",
    actorReceive: true,
    protocol: "2",
)
service ChunkReceiver {
    version: "0.1",
    operations: [ReceiveChunk],
}

/// True if the container exists.
@readonly
operation ContainerExists {
    input: ContainerId,
    output: Boolean,
}

/// Creates a container; succeeds if it already exists.
@idempotent
operation CreateContainer {
    input: ContainerId,
}

/// Metadata of one container.
@readonly
operation GetContainerInfo {
    input: ContainerId,
    output: ContainerMetadata,
}

/// Every container in the store.
@readonly
operation ListContainers {
    output: ContainersInfo,
}

/// Removes containers and everything in them. The result lists only the
/// containers that could not be removed.
operation RemoveContainers {
    input: ContainerIds,
    output: MultiResult,
}

/// True if the object exists in the container.
@readonly
operation ObjectExists {
    input: ContainerObject,
    output: Boolean,
}

/// Metadata of one object.
@readonly
operation GetObjectInfo {
    input: ContainerObject,
    output: ObjectMetadata,
}

/// Lists objects of a container, a page at a time.
@readonly
operation ListObjects {
    input: ListObjectsRequest,
    output: ListObjectsResponse,
}

/// Removes objects from a container. The result lists only the objects that
/// could not be removed.
operation RemoveObjects {
    input: RemoveObjectsRequest,
    output: MultiResult,
}

/// Starts an upload with its first chunk. When more chunks follow, the
/// response carries the stream id to pass to `PutChunk`.
operation PutObject {
    input: PutObjectRequest,
    output: PutObjectResponse,
}

/// Sends a further chunk of an upload started with `PutObject`.
operation PutChunk {
    input: PutChunkRequest,
}

/// Starts a download. The first chunk comes in the response; further chunks
/// are delivered to the caller's `ChunkReceiver`.
@readonly
operation GetObject {
    input: GetObjectRequest,
    output: GetObjectResponse,
}

/// Receives one chunk of a download.
operation ReceiveChunk {
    input: Chunk,
    output: ChunkResponse,
}

/// Name of a container.
string ContainerId

/// Name of an object within its container.
string ObjectId

/// Several container names.
list ContainerIds {
    member: ContainerId,
}

/// Several object names.
list ObjectIds {
    member: ObjectId,
}

/// Metadata of several containers.
list ContainersInfo {
    member: ContainerMetadata,
}

/// Metadata of several objects.
list ObjectsInfo {
    member: ObjectMetadata,
}

/// Per-item outcomes of a bulk operation.
list MultiResult {
    member: ItemResult,
}

/// The outcome for one item of a bulk operation.
structure ItemResult {
    /// The container or object concerned.
    @required
    @n(0)
    key: String,

    /// Whether the item was processed.
    @required
    @n(1)
    success: Boolean,

    /// Why it failed, if it did.
    @n(2)
    error: String,
}

/// A container name plus an object name.
structure ContainerObject {
    /// The container.
    @required
    @n(0)
    containerId: ContainerId,

    /// The object in it.
    @required
    @n(1)
    objectId: ObjectId,
}

/// What is known about a container.
structure ContainerMetadata {
    /// The container's name.
    @required
    @n(0)
    containerId: ContainerId,

    /// When it was created, if the store records that.
    @n(1)
    createdAt: Timestamp,
}

/// What is known about an object.
structure ObjectMetadata {
    /// The object's name.
    @required
    @n(0)
    objectId: ObjectId,

    /// Its container.
    @required
    @n(1)
    containerId: ContainerId,

    /// Size in bytes.
    @required
    @n(2)
    contentLength: U64,

    /// Time of the last change, if known.
    @n(3)
    lastModified: Timestamp,

    /// MIME type, if known.
    @n(4)
    contentType: String,

    /// Content encoding (e.g. `gzip`), if any.
    @n(5)
    contentEncoding: String,
}

/// Which objects `ListObjects` returns. Filters are optional; results come
/// in the store's key order.
structure ListObjectsRequest {
    /// The container to list.
    @required
    @n(0)
    containerId: String,

    /// Start with the first key at or after this one.
    @n(1)
    startWith: String,

    /// Resume token from a previous, incomplete listing.
    @n(2)
    continuation: String,

    /// Stop after this key (inclusive).
    @n(3)
    endWith: String,

    /// Stop before this key (exclusive).
    @n(4)
    endBefore: String,

    /// Page size limit; the provider may return fewer.
    @n(5)
    maxItems: U32,
}

/// One page of a listing.
structure ListObjectsResponse {
    /// The objects in this page.
    @required
    @n(0)
    objects: ObjectsInfo,

    /// True when no further pages exist.
    @required
    @n(1)
    isLast: Boolean,

    /// Token for the next page, when `isLast` is false.
    @n(2)
    continuation: String,
}

/// Objects to remove from one container.
structure RemoveObjectsRequest {
    /// The container.
    @required
    @n(0)
    containerId: ContainerId,

    /// The objects to remove.
    @required
    @n(1)
    objects: ObjectIds,
}

/// A piece of an object's content.
structure Chunk {
    /// The object it belongs to.
    @required
    @n(0)
    objectId: ObjectId,

    /// The object's container.
    @required
    @n(1)
    containerId: ContainerId,

    /// The bytes.
    @required
    @n(2)
    bytes: Blob,

    /// Byte offset of this chunk within the object.
    @required
    @n(3)
    offset: U64,

    /// True for the final chunk.
    @required
    @n(4)
    isLast: Boolean,
}

/// The receiving actor's answer to a chunk.
structure ChunkResponse {
    /// True to stop the download; no more chunks will be sent.
    @n(0)
    cancelDownload: Boolean,
}

/// Starts an upload.
structure PutObjectRequest {
    /// The first (possibly only) chunk.
    @required
    @n(0)
    chunk: Chunk,

    /// MIME type to record.
    @n(1)
    contentType: String,

    /// Content encoding to record.
    @n(2)
    contentEncoding: String,
}

/// Result of `PutObject`.
structure PutObjectResponse {
    /// Id for sending the remaining chunks; absent when the first chunk was
    /// the last.
    @n(0)
    streamId: String,
}

/// A further chunk of an upload.
structure PutChunkRequest {
    /// The chunk.
    @required
    @n(0)
    chunk: Chunk,

    /// The stream id `PutObject` returned.
    @n(1)
    streamId: String,

    /// True to abandon the upload and discard what was stored.
    @n(2)
    cancelAndRemove: Boolean,
}

/// Starts a download, optionally of a byte range.
structure GetObjectRequest {
    /// The object.
    @required
    @n(0)
    objectId: ObjectId,

    /// Its container.
    @required
    @n(1)
    containerId: ContainerId,

    /// First byte to return (default 0).
    @n(2)
    rangeStart: U64,

    /// Last byte to return, inclusive (default: the end of the object).
    @n(3)
    rangeEnd: U64,
}

/// Result of `GetObject`.
structure GetObjectResponse {
    /// Whether the object was found and the download started.
    @required
    @n(0)
    success: Boolean,

    /// Why it failed, if it did.
    @n(1)
    error: String,

    /// The first chunk, when there is content.
    @n(2)
    initialChunk: Chunk,

    /// Number of bytes the download will deliver in total.
    @required
    @n(3)
    contentLength: U64,

    /// MIME type, if known.
    @n(4)
    contentType: String,

    /// Content encoding, if any.
    @n(5)
    contentEncoding: String,
}
