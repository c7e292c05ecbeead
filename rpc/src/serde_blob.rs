//! Serde adapter for Smithy `blob` members: encodes as `serde_bytes` does
//! (MessagePack `bin`), decodes leniently.
//!
//! wasmCloud 0.x peers do not always send a blob as `bin`: older actors and
//! hand-written clients (JavaScript, Go, or Rust types without
//! `serde_bytes`) send a `str` or an array of small integers. Upstream
//! receivers accept those, so ours do too. Encoding never changes, so the
//! bytes we send stay exactly what upstream sends.
//!
//! Use it on a `Vec<u8>` or `Option<Vec<u8>>` field:
//!
//! ```
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Chunk {
//!     #[serde(with = "weld_rpc::serde_blob", default)]
//!     data: Vec<u8>,
//!     #[serde(with = "weld_rpc::serde_blob", default, skip_serializing_if = "Option::is_none")]
//!     extra: Option<Vec<u8>>,
//! }
//! ```
//!
//! Accepted on decode: `bin`, `str` (its UTF-8 bytes), an array of integers
//! in `0..=255` (anything else in the array is an error naming the value),
//! and for `Option` also `nil`.

use std::fmt;

use serde::de::{Deserializer, Error as _, SeqAccess, Visitor};
use serde::ser::Serializer;

/// A field type this module can handle: `Vec<u8>` or `Option<Vec<u8>>`.
pub trait BlobField: Sized {
    /// Writes the value the way `serde_bytes` does (`bin`, or `nil`/`bin`
    /// for an option).
    fn serialize_blob<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;

    /// Reads the value from `bin`, `str` or an array of bytes.
    fn deserialize_blob<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

impl BlobField for Vec<u8> {
    fn serialize_blob<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde_bytes::serialize(self, serializer)
    }

    fn deserialize_blob<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_byte_buf(BytesVisitor)
    }
}

impl BlobField for Option<Vec<u8>> {
    fn serialize_blob<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde_bytes::serialize(self, serializer)
    }

    fn deserialize_blob<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_option(OptionVisitor)
    }
}

/// `#[serde(with = ...)]` entry point: writes a blob as `bin`.
pub fn serialize<T: BlobField, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    value.serialize_blob(serializer)
}

/// `#[serde(with = ...)]` entry point: reads a blob from `bin`, `str` or an
/// array of integers `0..=255`.
pub fn deserialize<'de, T: BlobField, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    T::deserialize_blob(deserializer)
}

struct BytesVisitor;

impl<'de> Visitor<'de> for BytesVisitor {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("bytes (bin, str or an array of integers 0..=255)")
    }

    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        Ok(v.to_vec())
    }

    fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Self::Value, E> {
        Ok(v)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.as_bytes().to_vec())
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into_bytes())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // The length comes from the peer: cap the up-front allocation.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64 * 1024));
        // Elements are read as u64 so that an out-of-range value gets an
        // error that says which element and why, not just "expected u8".
        while let Some(v) = seq.next_element::<u64>()? {
            let byte = u8::try_from(v).map_err(|_| {
                A::Error::custom(format_args!(
                    "blob array element {} is {v}, not a byte (0..=255)",
                    out.len()
                ))
            })?;
            out.push(byte);
        }
        Ok(out)
    }
}

struct OptionVisitor;

impl<'de> Visitor<'de> for OptionVisitor {
    type Value = Option<Vec<u8>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("nil or bytes (bin, str or an array of integers 0..=255)")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        Vec::<u8>::deserialize_blob(deserializer).map(Some)
    }
}
