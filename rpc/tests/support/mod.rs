//! Test structs with the same serde shape as the generated keyvalue and
//! httpserver types (wire names as declared in the Smithy models; required
//! members without `#[serde(default)]`, blobs through serde_bytes).

#![allow(dead_code)]

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub type StringList = Vec<String>;
pub type HeaderMap = HashMap<String, Vec<String>>;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncrementRequest {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub value: i32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetResponse {
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub exists: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetRequest {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub expires: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListAddRequest {
    #[serde(rename = "listName", default)]
    pub list_name: String,
    #[serde(default)]
    pub value: String,
}

pub type ListDelRequest = ListAddRequest;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRangeRequest {
    #[serde(rename = "listName", default)]
    pub list_name: String,
    #[serde(default)]
    pub start: i32,
    #[serde(default)]
    pub stop: i32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAddRequest {
    #[serde(rename = "setName", default)]
    pub set_name: String,
    #[serde(default)]
    pub value: String,
}

pub type SetDelRequest = SetAddRequest;

/// `header` is required (no serde default): a request without it is refused.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpRequest {
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub path: String,
    #[serde(rename = "queryString", default)]
    pub query_string: String,
    pub header: HeaderMap,
    #[serde(with = "serde_bytes", default)]
    pub body: Vec<u8>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpResponse {
    #[serde(rename = "statusCode", default)]
    pub status_code: u16,
    pub header: HeaderMap,
    #[serde(with = "serde_bytes", default)]
    pub body: Vec<u8>,
}

pub use weld_test_support::unhex;

/// A deterministic pseudo-random generator (xorshift) for no-panic sweeps.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
