//! The message types of the generated interface crates, as families the
//! fuzz targets and the smoke test feed arbitrary bytes to. Included with
//! `#[path]` next to `checks.rs` as a sibling module named `checks`.

use super::checks::check;

/// Every argument and result type of `wasmcloud:keyvalue` (generated crate).
pub fn keyvalue(data: &[u8]) -> usize {
    use weld_interface_keyvalue as kv;
    check::<kv::IncrementRequest>(data, "IncrementRequest")
        + check::<kv::GetResponse>(data, "GetResponse")
        + check::<kv::SetRequest>(data, "SetRequest")
        + check::<kv::ListAddRequest>(data, "ListAddRequest")
        + check::<kv::ListDelRequest>(data, "ListDelRequest")
        + check::<kv::ListRangeRequest>(data, "ListRangeRequest")
        + check::<kv::SetAddRequest>(data, "SetAddRequest")
        + check::<kv::SetDelRequest>(data, "SetDelRequest")
        + check::<kv::StringList>(data, "StringList")
        + check::<String>(data, "String")
        + check::<bool>(data, "bool")
        + check::<i32>(data, "i32")
        + check::<u32>(data, "u32")
}

/// Every argument and result type of `wasmcloud:httpserver` (generated crate).
pub fn httpserver(data: &[u8]) -> usize {
    use weld_interface_httpserver as hs;
    check::<hs::HttpRequest>(data, "HttpRequest")
        + check::<hs::HttpResponse>(data, "HttpResponse")
        + check::<hs::HeaderMap>(data, "HeaderMap")
}

/// The protocol "2" (CBOR) types: `wasmcloud:blobstore` (generated crate)
/// and weld-rpc's own wire types (core messages, Document, Timestamp).
pub fn cbor_types(data: &[u8]) -> usize {
    use weld_interface_blobstore as bs;
    check::<bs::ItemResult>(data, "ItemResult")
        + check::<bs::ContainerObject>(data, "ContainerObject")
        + check::<bs::ContainerMetadata>(data, "ContainerMetadata")
        + check::<bs::ObjectMetadata>(data, "ObjectMetadata")
        + check::<bs::ListObjectsRequest>(data, "ListObjectsRequest")
        + check::<bs::ListObjectsResponse>(data, "ListObjectsResponse")
        + check::<bs::RemoveObjectsRequest>(data, "RemoveObjectsRequest")
        + check::<bs::Chunk>(data, "Chunk")
        + check::<bs::ChunkResponse>(data, "ChunkResponse")
        + check::<bs::PutObjectRequest>(data, "PutObjectRequest")
        + check::<bs::PutObjectResponse>(data, "PutObjectResponse")
        + check::<bs::PutChunkRequest>(data, "PutChunkRequest")
        + check::<bs::GetObjectRequest>(data, "GetObjectRequest")
        + check::<bs::GetObjectResponse>(data, "GetObjectResponse")
        + check::<bs::MultiResult>(data, "MultiResult")
        + super::checks::rpc_types(data)
}
