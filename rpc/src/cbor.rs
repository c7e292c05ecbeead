//! Protocol "2": CBOR encoding (minicbor) for generated types.
//!
//! A CBOR message on the wire is the byte [`CBOR_PREFIX`] (`0x7f`) followed by
//! one CBOR item. Generated types implement [`CborEncode`] and [`CborDecode`];
//! this module implements both for the scalar and container types generated
//! code uses, and has the helpers that keep generated code thin.
//!
//! # What generated code writes
//!
//! Generated crates do not spell the impls out: they invoke
//! [`crate::cbor_struct!`] / [`crate::cbor_union!`] with a table of members,
//! which expands to the pattern below.
//!
//! A structure whose members carry `@n` is a CBOR array ordered by field
//! number, gaps filled with null; a structure without `@n` is a map keyed by
//! the wire name (absent optional members are left out of the map). Blob
//! members (`Vec<u8>` holding a Smithy `blob`) go through [`bytes`], because
//! the generic `Vec<T>` impl writes an array.
//!
//! ```
//! use weld_rpc::cbor::{self, CborDecode, CborEncode, Decoder, Encoder};
//! use weld_rpc::RpcResult;
//!
//! /// structure Chunk { @n(0) @required id: String, @n(2) data: Blob }
//! #[derive(Debug, PartialEq)]
//! pub struct Chunk { pub id: String, pub data: Option<Vec<u8>> }
//!
//! impl CborEncode for Chunk {
//!     fn encode_cbor(&self, e: &mut Encoder) -> RpcResult<()> {
//!         e.array(3)?;                        // highest field number + 1
//!         self.id.encode_cbor(e)?;            // n = 0
//!         e.null()?;                          // n = 1: gap
//!         cbor::bytes::encode_opt(e, self.data.as_deref())?; // n = 2
//!         Ok(())
//!     }
//! }
//! impl CborDecode for Chunk {
//!     fn decode_cbor(d: &mut Decoder<'_>) -> RpcResult<Self> {
//!         let (mut id, mut data) = (None, None);
//!         // (wire name, field number): array position or map key.
//!         cbor::decode_struct(d, "Chunk", &[("id", 0), ("data", 2)], |field, d| {
//!             match field {
//!                 0 => id = Some(String::decode_cbor(d)?),
//!                 _ => data = cbor::bytes::decode_opt(d)?,
//!             }
//!             Ok(())
//!         })?;
//!         Ok(Chunk { id: cbor::required(id, "Chunk", "id")?, data })
//!     }
//! }
//!
//! let c = Chunk { id: "a".into(), data: Some(vec![1]) };
//! let wire = cbor::serialize(&c)?;
//! assert_eq!(wire, [0x7f, 0x83, 0x61, b'a', 0xf6, 0x41, 1]);
//! assert_eq!(weld_rpc::cbor::deserialize::<Chunk>(&wire)?, c);
//! # Ok::<(), weld_rpc::RpcError>(())
//! ```

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

pub use minicbor;
pub use minicbor::data::Type;
pub use minicbor::Decoder;

use crate::error::{RpcError, RpcResult};

pub use crate::common::CBOR_PREFIX;

/// The encoder generated code writes to: minicbor over a growable buffer.
pub type Encoder = minicbor::Encoder<Vec<u8>>;

/// Types that can be written as one CBOR item.
pub trait CborEncode {
    /// Appends `self` to `e` as exactly one CBOR item.
    fn encode_cbor(&self, e: &mut Encoder) -> RpcResult<()>;
}

/// Types that can be read from one CBOR item.
///
/// Decoders accept what a lenient peer may send: definite or indefinite
/// lengths, integers in a longer encoding than needed, structs as arrays or
/// maps with unknown entries skipped. Errors are [`RpcError::Deser`], never
/// panics.
pub trait CborDecode: Sized {
    /// Reads one CBOR item from `d`.
    fn decode_cbor(d: &mut Decoder<'_>) -> RpcResult<Self>;
}

/// Largest capacity reserved up front from a length read off the wire: the
/// real length is only known to be honest once the items have been read.
const MAX_PREALLOC: usize = 1024;

fn prealloc(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX).min(MAX_PREALLOC)
}

/// Encodes `value` as a protocol "2" message: the `0x7f` prefix, then the item.
pub fn serialize<T: CborEncode + ?Sized>(value: &T) -> RpcResult<Vec<u8>> {
    let mut e = Encoder::new(vec![CBOR_PREFIX]);
    value.encode_cbor(&mut e)?;
    Ok(e.into_writer())
}

/// Decodes a protocol "2" message (which must start with the `0x7f` prefix).
/// Bytes after the item are ignored.
pub fn deserialize<T: CborDecode>(buf: &[u8]) -> RpcResult<T> {
    match buf.split_first() {
        Some((&CBOR_PREFIX, rest)) => from_slice(rest),
        Some(_) => Err(RpcError::Deser(
            "not a CBOR message: missing 0x7f prefix".into(),
        )),
        None => Err(RpcError::Deser(
            "empty payload where a value is expected".into(),
        )),
    }
}

/// Encodes one CBOR item, without the message prefix.
pub fn to_vec<T: CborEncode + ?Sized>(value: &T) -> RpcResult<Vec<u8>> {
    let mut e = Encoder::new(Vec::new());
    value.encode_cbor(&mut e)?;
    Ok(e.into_writer())
}

/// Decodes one CBOR item (no message prefix). Bytes after the item are ignored.
pub fn from_slice<T: CborDecode>(buf: &[u8]) -> RpcResult<T> {
    if buf.is_empty() {
        return Err(RpcError::Deser(
            "empty payload where a value is expected".into(),
        ));
    }
    T::decode_cbor(&mut Decoder::new(buf))
}

/// Returns the value of a required member, or the "missing field" error.
pub fn required<T>(value: Option<T>, structure: &str, field: &str) -> RpcResult<T> {
    value.ok_or_else(|| RpcError::Deser(format!("missing field {structure}.{field}")))
}

/// Reads a structure in array or map form and calls `field(index, d)` for each
/// member present, where `index` is the position in `fields` of the member.
///
/// `fields` lists `(wire name, field number)`: in array form element `i` is the
/// member whose number is `i` (for structures without `@n`, pass the
/// declaration index); in map form keys are matched against the wire names
/// (integer keys against the numbers). Entries for unknown members and nulls
/// in gaps are skipped. `field` must consume exactly one item.
///
/// Structures nested deeper than [`crate::common::MAX_NESTING`] (through
/// recursive shapes) are refused, so hostile input cannot exhaust the stack.
pub fn decode_struct<'b>(
    d: &mut Decoder<'b>,
    structure: &str,
    fields: &[(&str, u32)],
    field: impl FnMut(usize, &mut Decoder<'b>) -> RpcResult<()>,
) -> RpcResult<()> {
    let _depth = DepthGuard::enter(structure)?;
    decode_struct_body(d, structure, fields, field)
}

/// [`decode_struct`] for generated code: `field(number, d)` gets the field
/// number (`@n`, or the declaration index) of each member present rather
/// than its position in `fields`, so a macro can match on the numbers it
/// was given. Used by [`crate::cbor_struct!`].
pub fn decode_fields<'b>(
    d: &mut Decoder<'b>,
    structure: &str,
    fields: &[(&str, u32)],
    mut field: impl FnMut(u32, &mut Decoder<'b>) -> RpcResult<()>,
) -> RpcResult<()> {
    decode_struct(d, structure, fields, |p, d| match fields.get(p) {
        Some(&(_, n)) => field(n, d),
        None => Ok(d.skip()?),
    })
}

/// The length of the CBOR array form of a structure whose members have the
/// field numbers `numbers`: the highest number + 1 (0 for none).
pub const fn array_len(numbers: &[u32]) -> u32 {
    let mut len = 0;
    let mut i = 0;
    while i < numbers.len() {
        if numbers[i] >= len {
            len = numbers[i].saturating_add(1);
        }
        i += 1;
    }
    len
}

thread_local! {
    /// How many `decode_struct` calls are active on this thread.
    static STRUCT_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts one level of struct nesting for as long as it lives.
struct DepthGuard;

impl DepthGuard {
    fn enter(structure: &str) -> RpcResult<DepthGuard> {
        let depth = STRUCT_DEPTH.with(|c| c.get());
        if depth >= crate::common::MAX_NESTING {
            return Err(RpcError::Deser(format!(
                "decoding struct {structure}: nested deeper than {} levels",
                crate::common::MAX_NESTING
            )));
        }
        STRUCT_DEPTH.with(|c| c.set(depth + 1));
        Ok(DepthGuard)
    }
}

impl Drop for DepthGuard {
    fn drop(&mut self) {
        STRUCT_DEPTH.with(|c| c.set(c.get().saturating_sub(1)));
    }
}

fn decode_struct_body<'b>(
    d: &mut Decoder<'b>,
    structure: &str,
    fields: &[(&str, u32)],
    mut field: impl FnMut(usize, &mut Decoder<'b>) -> RpcResult<()>,
) -> RpcResult<()> {
    match d.datatype()? {
        Type::Array | Type::ArrayIndef => {
            let len = d.array()?;
            let mut i: u64 = 0;
            while more_items(d, len, i)? {
                let pos = u32::try_from(i)
                    .ok()
                    .and_then(|i| fields.iter().position(|f| f.1 == i));
                match pos {
                    Some(p) => field(p, d)?,
                    None => d.skip()?,
                }
                i += 1;
            }
            Ok(())
        }
        Type::Map | Type::MapIndef => {
            let len = d.map()?;
            let mut i: u64 = 0;
            while more_items(d, len, i)? {
                let pos = match d.datatype()? {
                    Type::String => {
                        let key = d.str()?;
                        fields.iter().position(|f| f.0 == key)
                    }
                    Type::U8 | Type::U16 | Type::U32 | Type::U64 => {
                        let key = d.u64()?;
                        fields.iter().position(|f| u64::from(f.1) == key)
                    }
                    other => {
                        return Err(RpcError::Deser(format!(
                        "decoding struct {structure}: map key of type {other} is not a field name"
                    )))
                    }
                };
                match pos {
                    Some(p) => field(p, d)?,
                    None => d.skip()?,
                }
                i += 1;
            }
            Ok(())
        }
        other => Err(RpcError::Deser(format!(
            "decoding struct {structure}: expected array or map, found {other}"
        ))),
    }
}

/// For a definite length: whether item `i` exists; for an indefinite one:
/// whether the next byte is not the break (consuming the break).
fn more_items(d: &mut Decoder<'_>, len: Option<u64>, i: u64) -> RpcResult<bool> {
    match len {
        Some(n) => Ok(i < n),
        None => {
            if d.datatype()? == Type::Break {
                // The break is one byte (0xff): step over it.
                d.set_position(d.position() + 1);
                Ok(false)
            } else {
                Ok(true)
            }
        }
    }
}

/// Reads the header of an array (definite or indefinite) and calls `item`
/// for each element.
pub fn decode_array<'b>(
    d: &mut Decoder<'b>,
    mut item: impl FnMut(&mut Decoder<'b>) -> RpcResult<()>,
) -> RpcResult<()> {
    let len = d.array()?;
    let mut i = 0;
    while more_items(d, len, i)? {
        item(d)?;
        i += 1;
    }
    Ok(())
}

/// Reads the header of a map (definite or indefinite) and calls `entry`
/// for each key/value pair (it must consume both items).
pub fn decode_map<'b>(
    d: &mut Decoder<'b>,
    mut entry: impl FnMut(&mut Decoder<'b>) -> RpcResult<()>,
) -> RpcResult<()> {
    let len = d.map()?;
    let mut i = 0;
    while more_items(d, len, i)? {
        entry(d)?;
        i += 1;
    }
    Ok(())
}

/// Reads a text string, definite or indefinite (chunked).
pub fn decode_string(d: &mut Decoder<'_>) -> RpcResult<String> {
    match d.datatype()? {
        Type::String => Ok(d.str()?.to_owned()),
        Type::StringIndef => {
            let mut s = String::new();
            for chunk in d.str_iter()? {
                s.push_str(chunk?);
            }
            Ok(s)
        }
        other => Err(RpcError::Deser(format!("expected a string, found {other}"))),
    }
}

/// Encoding of Smithy `blob` members (`Vec<u8>`) as CBOR byte strings.
pub mod bytes {
    use super::*;

    /// Writes `value` as a CBOR byte string.
    pub fn encode(e: &mut Encoder, value: &[u8]) -> RpcResult<()> {
        e.bytes(value)?;
        Ok(())
    }

    /// Writes an optional blob: the byte string, or null.
    pub fn encode_opt(e: &mut Encoder, value: Option<&[u8]>) -> RpcResult<()> {
        match value {
            Some(v) => encode(e, v),
            None => {
                e.null()?;
                Ok(())
            }
        }
    }

    /// Reads a blob: a byte string (definite or chunked), a text string, or
    /// an array of integers 0..=255.
    pub fn decode(d: &mut Decoder<'_>) -> RpcResult<Vec<u8>> {
        match d.datatype()? {
            Type::Bytes => Ok(d.bytes()?.to_vec()),
            Type::BytesIndef => {
                let mut out = Vec::new();
                for chunk in d.bytes_iter()? {
                    out.extend_from_slice(chunk?);
                }
                Ok(out)
            }
            Type::String | Type::StringIndef => Ok(decode_string(d)?.into_bytes()),
            Type::Array | Type::ArrayIndef => {
                let mut out = Vec::new();
                decode_array(d, |d| {
                    out.push(d.u8()?);
                    Ok(())
                })?;
                Ok(out)
            }
            other => Err(RpcError::Deser(format!("expected a blob, found {other}"))),
        }
    }

    /// Reads an optional blob: null (or undefined) is `None`.
    pub fn decode_opt(d: &mut Decoder<'_>) -> RpcResult<Option<Vec<u8>>> {
        if is_null(d)? {
            d.skip()?;
            Ok(None)
        } else {
            decode(d).map(Some)
        }
    }
}

/// Whether the next item is null or undefined.
pub fn is_null(d: &Decoder<'_>) -> RpcResult<bool> {
    Ok(matches!(d.datatype()?, Type::Null | Type::Undefined))
}

macro_rules! int_impls {
    ($($t:ty => $m:ident),* $(,)?) => {$(
        impl CborEncode for $t {
            fn encode_cbor(&self, e: &mut Encoder) -> RpcResult<()> {
                e.$m(*self)?;
                Ok(())
            }
        }
        impl CborDecode for $t {
            fn decode_cbor(d: &mut Decoder<'_>) -> RpcResult<Self> {
                Ok(d.$m()?)
            }
        }
    )*};
}

int_impls!(u8 => u8, u16 => u16, u32 => u32, u64 => u64, i8 => i8, i16 => i16, i32 => i32, i64 => i64, bool => bool);

impl CborEncode for f32 {
    fn encode_cbor(&self, e: &mut Encoder) -> RpcResult<()> {
        e.f32(*self)?;
        Ok(())
    }
}

impl CborDecode for f32 {
    fn decode_cbor(d: &mut Decoder<'_>) -> RpcResult<Self> {
        match d.datatype()? {
            Type::F16 => decode_f16(d),
            Type::F32 => Ok(d.f32()?),
            Type::F64 => Ok(d.f64()? as f32),
            _ => Ok(int_as_float(d)? as f32),
        }
    }
}

impl CborEncode for f64 {
    fn encode_cbor(&self, e: &mut Encoder) -> RpcResult<()> {
        e.f64(*self)?;
        Ok(())
    }
}

impl CborDecode for f64 {
    fn decode_cbor(d: &mut Decoder<'_>) -> RpcResult<Self> {
        match d.datatype()? {
            Type::F16 => decode_f16(d).map(f64::from),
            Type::F32 => Ok(f64::from(d.f32()?)),
            Type::F64 => Ok(d.f64()?),
            _ => int_as_float(d),
        }
    }
}

/// Reads a half-precision float (major type 7, `0xf9`) without pulling in a
/// crate for it: the conversion to `f32` is exact.
fn decode_f16(d: &mut Decoder<'_>) -> RpcResult<f32> {
    let pos = d.position();
    let bits = match d.input().get(pos..pos + 3) {
        Some([0xf9, hi, lo]) => u16::from_be_bytes([*hi, *lo]),
        _ => return Err(RpcError::Deser(format!("expected a half float at {pos}"))),
    };
    d.set_position(pos + 3);
    let sign = if bits & 0x8000 != 0 { -1.0f32 } else { 1.0 };
    let exp = i32::from((bits >> 10) & 0x1f);
    let mant = f32::from(bits & 0x3ff);
    let magnitude = match exp {
        0 => mant * 2f32.powi(-24),
        31 if mant == 0.0 => f32::INFINITY,
        31 => f32::NAN,
        _ => (1.0 + mant / 1024.0) * 2f32.powi(exp - 15),
    };
    Ok(sign * magnitude)
}

/// An integer where a float is expected (some encoders write `1.0` as `1`).
fn int_as_float(d: &mut Decoder<'_>) -> RpcResult<f64> {
    match d.datatype()? {
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => Ok(d.u64()? as f64),
        Type::I8 | Type::I16 | Type::I32 | Type::I64 => Ok(d.i64()? as f64),
        other => Err(RpcError::Deser(format!("expected a number, found {other}"))),
    }
}

impl CborEncode for str {
    fn encode_cbor(&self, e: &mut Encoder) -> RpcResult<()> {
        e.str(self)?;
        Ok(())
    }
}

impl CborEncode for String {
    fn encode_cbor(&self, e: &mut Encoder) -> RpcResult<()> {
        self.as_str().encode_cbor(e)
    }
}

impl CborDecode for String {
    fn decode_cbor(d: &mut Decoder<'_>) -> RpcResult<Self> {
        decode_string(d)
    }
}

impl<T: CborEncode + ?Sized> CborEncode for &T {
    fn encode_cbor(&self, e: &mut Encoder) -> RpcResult<()> {
        (**self).encode_cbor(e)
    }
}

impl<T: CborEncode + ?Sized> CborEncode for Box<T> {
    fn encode_cbor(&self, e: &mut Encoder) -> RpcResult<()> {
        (**self).encode_cbor(e)
    }
}

impl<T: CborDecode> CborDecode for Box<T> {
    fn decode_cbor(d: &mut Decoder<'_>) -> RpcResult<Self> {
        T::decode_cbor(d).map(Box::new)
    }
}

impl<T: CborEncode> CborEncode for Option<T> {
    fn encode_cbor(&self, e: &mut Encoder) -> RpcResult<()> {
        match self {
            Some(v) => v.encode_cbor(e),
            None => {
                e.null()?;
                Ok(())
            }
        }
    }
}

impl<T: CborDecode> CborDecode for Option<T> {
    fn decode_cbor(d: &mut Decoder<'_>) -> RpcResult<Self> {
        if is_null(d)? {
            d.skip()?;
            Ok(None)
        } else {
            T::decode_cbor(d).map(Some)
        }
    }
}

impl<T: CborEncode> CborEncode for [T] {
    fn encode_cbor(&self, e: &mut Encoder) -> RpcResult<()> {
        e.array(self.len() as u64)?;
        for item in self {
            item.encode_cbor(e)?;
        }
        Ok(())
    }
}

impl<T: CborEncode> CborEncode for Vec<T> {
    fn encode_cbor(&self, e: &mut Encoder) -> RpcResult<()> {
        self.as_slice().encode_cbor(e)
    }
}

impl<T: CborDecode> CborDecode for Vec<T> {
    fn decode_cbor(d: &mut Decoder<'_>) -> RpcResult<Self> {
        let mut out = match d.datatype()? {
            Type::Array => Vec::with_capacity(prealloc(d.probe().array()?.unwrap_or(0))),
            Type::ArrayIndef => Vec::new(),
            other => return Err(RpcError::Deser(format!("expected an array, found {other}"))),
        };
        decode_array(d, |d| {
            out.push(T::decode_cbor(d)?);
            Ok(())
        })?;
        Ok(out)
    }
}

impl<K: CborEncode, V: CborEncode, S> CborEncode for HashMap<K, V, S> {
    fn encode_cbor(&self, e: &mut Encoder) -> RpcResult<()> {
        e.map(self.len() as u64)?;
        for (k, v) in self {
            k.encode_cbor(e)?;
            v.encode_cbor(e)?;
        }
        Ok(())
    }
}

impl<K, V, S> CborDecode for HashMap<K, V, S>
where
    K: CborDecode + Eq + Hash,
    V: CborDecode,
    S: std::hash::BuildHasher + Default,
{
    fn decode_cbor(d: &mut Decoder<'_>) -> RpcResult<Self> {
        expect_map(d)?;
        let mut out = HashMap::default();
        decode_map(d, |d| {
            let k = K::decode_cbor(d)?;
            let v = V::decode_cbor(d)?;
            out.insert(k, v);
            Ok(())
        })?;
        Ok(out)
    }
}

impl<K: CborEncode, V: CborEncode> CborEncode for BTreeMap<K, V> {
    fn encode_cbor(&self, e: &mut Encoder) -> RpcResult<()> {
        e.map(self.len() as u64)?;
        for (k, v) in self {
            k.encode_cbor(e)?;
            v.encode_cbor(e)?;
        }
        Ok(())
    }
}

impl<K: CborDecode + Ord, V: CborDecode> CborDecode for BTreeMap<K, V> {
    fn decode_cbor(d: &mut Decoder<'_>) -> RpcResult<Self> {
        expect_map(d)?;
        let mut out = BTreeMap::new();
        decode_map(d, |d| {
            let k = K::decode_cbor(d)?;
            let v = V::decode_cbor(d)?;
            out.insert(k, v);
            Ok(())
        })?;
        Ok(out)
    }
}

fn expect_map(d: &Decoder<'_>) -> RpcResult<()> {
    match d.datatype()? {
        Type::Map | Type::MapIndef => Ok(()),
        other => Err(RpcError::Deser(format!("expected a map, found {other}"))),
    }
}
