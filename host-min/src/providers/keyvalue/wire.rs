//! Wire types of `wasmcloud:keyvalue` (protocol "0": MessagePack maps keyed
//! by the Smithy member names) and the codec the dispatcher uses.
//!
//! These mirror `interfaces/keyvalue/keyvalue.smithy` field for field; every
//! member is `@required` there, so a missing field is a decoding error.

use super::DispatchError;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// Input of `Increment`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncrementRequest {
    /// Key of the counter.
    pub key: String,
    /// Amount to add (may be negative).
    pub value: i32,
}

/// Output of `Get`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetResponse {
    /// The value; empty when `exists` is false.
    pub value: String,
    /// Whether the key exists.
    pub exists: bool,
}

/// Input of `ListAdd`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListAddRequest {
    /// Name of the list.
    #[serde(rename = "listName")]
    pub list_name: String,
    /// Value to append.
    pub value: String,
}

/// Input of `ListDel`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListDelRequest {
    /// Name of the list.
    #[serde(rename = "listName")]
    pub list_name: String,
    /// Value whose first occurrence is removed.
    pub value: String,
}

/// Input of `ListRange`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRangeRequest {
    /// Name of the list.
    #[serde(rename = "listName")]
    pub list_name: String,
    /// First index (inclusive; negative counts from the end).
    pub start: i32,
    /// Last index (inclusive; negative counts from the end).
    pub stop: i32,
}

/// Input of `Set`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetRequest {
    /// Key to set.
    pub key: String,
    /// String value.
    pub value: String,
    /// Seconds until the key expires; 0 = never.
    pub expires: u32,
}

/// Input of `SetAdd`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAddRequest {
    /// Name of the set.
    #[serde(rename = "setName")]
    pub set_name: String,
    /// Member to add.
    pub value: String,
}

/// Input of `SetDel`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetDelRequest {
    /// Name of the set.
    #[serde(rename = "setName")]
    pub set_name: String,
    /// Member to remove.
    pub value: String,
}

/// Decodes a protocol-"0" payload. An empty payload is an error: every
/// keyvalue operation has an input.
pub fn decode<T: DeserializeOwned>(payload: &[u8]) -> Result<T, DispatchError> {
    if payload.is_empty() {
        return Err(DispatchError::Deser("empty payload".into()));
    }
    rmp_serde::from_slice(payload).map_err(|e| DispatchError::Deser(e.to_string()))
}

/// Encodes a reply as protocol "0" (structs as maps keyed by wire name).
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, DispatchError> {
    rmp_serde::to_vec_named(value).map_err(|e| DispatchError::Ser(e.to_string()))
}
