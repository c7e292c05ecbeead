//! Decoder properties shared by the fuzz targets and by the bounded fuzz
//! smoke test of the normal test suite (`tests/tests/decoders_fuzz.rs`
//! includes this file with `#[path]`, so it depends on nothing but the
//! weld crates and the standard library).
//!
//! The property, for every message type: decoding arbitrary bytes never
//! panics; a value that did decode re-encodes without error (MessagePack and
//! CBOR), and the re-encoding decodes to the same value. Types holding floats
//! may contain NaN, which is not equal to itself, so such values are compared
//! through their canonical MessagePack encoding instead.

use std::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::Serialize;
use weld_rpc::cbor::{CborDecode, CborEncode};

/// What a message type must offer to be checked: both codecs and equality.
pub trait Wire: Serialize + DeserializeOwned + CborEncode + CborDecode + PartialEq + Debug {}

impl<T: Serialize + DeserializeOwned + CborEncode + CborDecode + PartialEq + Debug> Wire for T {}

/// Asserts that `again` (decoded from a re-encoding of `first`) is the same
/// value; `how` names the path taken, for the panic message.
fn assert_same<T: Wire>(first: &T, again: &T, how: &str) {
    #[allow(clippy::eq_op)]
    if first == first {
        assert_eq!(first, again, "{how}: round trip changed the value");
    } else {
        // NaN inside: compare the canonical encodings.
        let a = weld_rpc::common::serialize(first).expect("re-encode");
        let b = weld_rpc::common::serialize(again).expect("re-encode");
        assert_eq!(a, b, "{how}: round trip changed the encoding of {first:?}");
    }
}

/// Re-encodes a decoded value with both codecs and decodes every encoding
/// back, through the format-sniffing [`weld_rpc::common::decode`] and the
/// codec-specific entry points.
pub fn roundtrip<T: Wire>(value: &T, name: &str) {
    let mp = weld_rpc::common::serialize(value)
        .unwrap_or_else(|e| panic!("{name}: MessagePack encode of a decoded value failed: {e}"));
    let back: T = weld_rpc::common::deserialize(&mp).unwrap_or_else(|e| {
        panic!("{name}: MessagePack re-encoding {mp:02x?} does not decode: {e} (value {value:?})")
    });
    assert_same(value, &back, name);
    let back: T = weld_rpc::common::decode(&mp).unwrap_or_else(|e| {
        panic!("{name}: decode() refuses MessagePack {mp:02x?}: {e} (value {value:?})")
    });
    assert_same(value, &back, name);

    let cb = weld_rpc::cbor::serialize(value)
        .unwrap_or_else(|e| panic!("{name}: CBOR encode of a decoded value failed: {e}"));
    let back: T = weld_rpc::cbor::deserialize(&cb).unwrap_or_else(|e| {
        panic!("{name}: CBOR re-encoding {cb:02x?} does not decode: {e} (value {value:?})")
    });
    assert_same(value, &back, name);
    let back: T = weld_rpc::common::decode(&cb).unwrap_or_else(|e| {
        panic!("{name}: decode() refuses CBOR {cb:02x?}: {e} (value {value:?})")
    });
    assert_same(value, &back, name);
}

/// Feeds `data` to every decoder entry point for `T`: MessagePack
/// ([`weld_rpc::common::deserialize`]), format sniffing
/// ([`weld_rpc::common::decode`]) and bare CBOR ([`weld_rpc::cbor::from_slice`]).
/// Returns how many of them accepted the input.
pub fn check<T: Wire>(data: &[u8], name: &str) -> usize {
    let mut ok = 0;
    if let Ok(v) = weld_rpc::common::deserialize::<T>(data) {
        roundtrip(&v, name);
        ok += 1;
    }
    if let Ok(v) = weld_rpc::common::decode::<T>(data) {
        roundtrip(&v, name);
        ok += 1;
    }
    if let Ok(v) = weld_rpc::cbor::from_slice::<T>(data) {
        roundtrip(&v, name);
        ok += 1;
    }
    ok
}

/// weld-rpc's own wire types (core messages, Document, Timestamp) and the
/// primitives the generated crates build on.
pub fn rpc_types(data: &[u8]) -> usize {
    use weld_rpc::core;
    check::<core::HealthCheckResponse>(data, "HealthCheckResponse")
        + check::<core::LinkDefinition>(data, "LinkDefinition")
        + check::<core::Invocation>(data, "Invocation")
        + check::<core::InvocationResponse>(data, "InvocationResponse")
        + check::<core::HostData>(data, "HostData")
        + check::<weld_rpc::Document>(data, "Document")
        + check::<weld_rpc::Timestamp>(data, "Timestamp")
        + check::<Option<String>>(data, "Option<String>")
        + check::<Vec<u8>>(data, "Vec<u8>")
        + check::<std::collections::HashMap<String, Vec<String>>>(
            data,
            "HashMap<String, Vec<String>>",
        )
        + check::<f64>(data, "f64")
        + check::<f32>(data, "f32")
        + check::<u64>(data, "u64")
        + check::<i64>(data, "i64")
        + check::<u8>(data, "u8")
        + check::<i16>(data, "i16")
}
