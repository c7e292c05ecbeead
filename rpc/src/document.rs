//! Smithy `document`: an untyped, JSON-like value.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::cbor::{self, CborDecode, CborEncode, Decoder, Encoder, Type};
use crate::error::{RpcError, RpcResult};

/// A JSON-like value: the Rust type of Smithy `document`.
///
/// In MessagePack and JSON it is written as the natural value (a map, an
/// array, a number...), so any self-describing value decodes into it.
/// Objects keep their keys sorted, which makes encodings deterministic.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Document {
    /// A map from string keys to values.
    Object(BTreeMap<String, Document>),
    /// A list of values.
    Array(Vec<Document>),
    /// A number.
    Number(Number),
    /// A UTF-8 string.
    String(String),
    /// A boolean.
    Bool(bool),
    /// No value.
    #[default]
    Null,
}

/// A number held by a [`Document`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// A non-negative integer.
    PosInt(u64),
    /// A negative integer (always below zero).
    NegInt(i64),
    /// A floating-point number.
    Float(f64),
}

impl Number {
    /// The value as `f64` (integers may lose precision above 2^53).
    pub fn as_f64(&self) -> f64 {
        match *self {
            Number::PosInt(n) => n as f64,
            Number::NegInt(n) => n as f64,
            Number::Float(f) => f,
        }
    }

    /// The value as `i64`, if it is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Number::PosInt(n) => i64::try_from(n).ok(),
            Number::NegInt(n) => Some(n),
            Number::Float(_) => None,
        }
    }

    /// The value as `u64`, if it is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Number::PosInt(n) => Some(n),
            _ => None,
        }
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Self {
        if n < 0 {
            Number::NegInt(n)
        } else {
            Number::PosInt(n as u64)
        }
    }
}

impl Document {
    /// The string, if this is a [`Document::String`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Document::String(s) => Some(s),
            _ => None,
        }
    }

    /// The map, if this is a [`Document::Object`].
    pub fn as_object(&self) -> Option<&BTreeMap<String, Document>> {
        match self {
            Document::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The list, if this is a [`Document::Array`].
    pub fn as_array(&self) -> Option<&[Document]> {
        match self {
            Document::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The boolean, if this is a [`Document::Bool`].
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Document::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is a [`Document::Number`].
    pub fn as_number(&self) -> Option<Number> {
        match self {
            Document::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// Whether this is [`Document::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Document::Null)
    }
}

impl From<&str> for Document {
    fn from(s: &str) -> Self {
        Document::String(s.to_owned())
    }
}

impl From<String> for Document {
    fn from(s: String) -> Self {
        Document::String(s)
    }
}

impl From<bool> for Document {
    fn from(b: bool) -> Self {
        Document::Bool(b)
    }
}

impl From<i64> for Document {
    fn from(n: i64) -> Self {
        Document::Number(n.into())
    }
}

impl From<u64> for Document {
    fn from(n: u64) -> Self {
        Document::Number(Number::PosInt(n))
    }
}

impl From<f64> for Document {
    fn from(f: f64) -> Self {
        Document::Number(Number::Float(f))
    }
}

impl<T: Into<Document>> From<Vec<T>> for Document {
    fn from(v: Vec<T>) -> Self {
        Document::Array(v.into_iter().map(Into::into).collect())
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Number::PosInt(n) => s.serialize_u64(n),
            Number::NegInt(n) => s.serialize_i64(n),
            Number::Float(f) => s.serialize_f64(f),
        }
    }
}

impl Serialize for Document {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Document::Object(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Document::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Document::Number(n) => n.serialize(s),
            Document::String(v) => s.serialize_str(v),
            Document::Bool(b) => s.serialize_bool(*b),
            Document::Null => s.serialize_unit(),
        }
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a document value (null, bool, number, string, list or map)")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Document, E> {
        Ok(Document::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Document, E> {
        Ok(v.into())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Document, E> {
        Ok(v.into())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Document, E> {
        Ok(v.into())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Document, E> {
        Ok(v.into())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Document, E> {
        Ok(v.into())
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Document, E> {
        // A binary value has no document form of its own: keep it as a list
        // of byte values rather than refusing the whole message.
        Ok(Document::Array(
            v.iter().map(|b| Document::from(u64::from(*b))).collect(),
        ))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Document, E> {
        Ok(Document::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Document, E> {
        Ok(Document::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Document, D::Error> {
        Document::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Document, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(Document::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut out = BTreeMap::new();
        while let Some((k, v)) = map.next_entry::<String, Document>()? {
            out.insert(k, v);
        }
        Ok(Document::Object(out))
    }
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DocumentVisitor)
    }
}

/// Deepest nesting a CBOR document may have; deeper input is refused rather
/// than risking the stack.
pub const MAX_DOCUMENT_DEPTH: usize = crate::common::MAX_NESTING;

impl CborEncode for Document {
    fn encode_cbor(&self, e: &mut Encoder) -> RpcResult<()> {
        match self {
            Document::Object(m) => m.encode_cbor(e),
            Document::Array(a) => a.encode_cbor(e),
            Document::Number(Number::PosInt(n)) => n.encode_cbor(e),
            Document::Number(Number::NegInt(n)) => n.encode_cbor(e),
            Document::Number(Number::Float(f)) => f.encode_cbor(e),
            Document::String(s) => s.encode_cbor(e),
            Document::Bool(b) => b.encode_cbor(e),
            Document::Null => {
                e.null()?;
                Ok(())
            }
        }
    }
}

impl CborDecode for Document {
    fn decode_cbor(d: &mut Decoder<'_>) -> RpcResult<Self> {
        decode_document(d, 0)
    }
}

fn decode_document(d: &mut Decoder<'_>, depth: usize) -> RpcResult<Document> {
    if depth >= MAX_DOCUMENT_DEPTH {
        return Err(RpcError::Deser(format!(
            "document nested deeper than {MAX_DOCUMENT_DEPTH} levels"
        )));
    }
    Ok(match d.datatype()? {
        Type::Bool => Document::Bool(d.bool()?),
        Type::Null | Type::Undefined => {
            d.skip()?;
            Document::Null
        }
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => Document::from(d.u64()?),
        Type::I8 | Type::I16 | Type::I32 | Type::I64 | Type::Int => Document::from(d.i64()?),
        Type::F16 | Type::F32 | Type::F64 => Document::from(f64::decode_cbor(d)?),
        Type::String | Type::StringIndef => Document::String(cbor::decode_string(d)?),
        Type::Bytes | Type::BytesIndef => Document::from(
            cbor::bytes::decode(d)?
                .into_iter()
                .map(u64::from)
                .collect::<Vec<_>>(),
        ),
        Type::Array | Type::ArrayIndef => {
            let mut out = Vec::new();
            cbor::decode_array(d, |d| {
                out.push(decode_document(d, depth + 1)?);
                Ok(())
            })?;
            Document::Array(out)
        }
        Type::Map | Type::MapIndef => {
            let mut out = BTreeMap::new();
            cbor::decode_map(d, |d| {
                let k = cbor::decode_string(d)?;
                out.insert(k, decode_document(d, depth + 1)?);
                Ok(())
            })?;
            Document::Object(out)
        }
        other => {
            return Err(RpcError::Deser(format!(
                "unsupported CBOR type {other} in a document"
            )))
        }
    })
}
