//! Declarative macros that implement the per-shape impls of generated code,
//! so a generated crate holds one short declaration per shape and the logic
//! lives (and is tested) here, once.
//!
//! The `__`-prefixed macros are steps of the public ones; they are exported
//! only because `macro_rules!` helpers must be reachable through `$crate`.

/// Implements [`CborEncode`](crate::cbor::CborEncode) and
/// [`CborDecode`](crate::cbor::CborDecode) for a structure.
///
/// ```text
/// cbor_struct! { Name FORM { N field ["wireName"] KIND [blob], ... } }
/// ```
///
/// - `"wireName"` is the name on the wire when it is not the field's name.
/// - `FORM` is `array` (every member has `@n`: a CBOR array indexed by `N`,
///   gaps written as null) or `map` (a map keyed by the wire names, absent
///   optional members left out; `N` is the declaration index).
/// - `KIND` is `required` (missing on decode is an error naming the
///   structure and wire name), `optional` (an `Option` field: null or absent
///   is `None`), `default` (missing is `Default::default()`) or
///   `default(f)` (missing is `f()`).
/// - `blob` marks a `Vec<u8>` member written as a byte string (the generic
///   `Vec<T>` impl writes an array).
///
/// Decoding accepts either form whatever `FORM` is, skips unknown members
/// and refuses nesting deeper than [`crate::common::MAX_NESTING`] (see
/// [`crate::cbor::decode_struct`]).
///
/// ```
/// #[derive(Debug, PartialEq)]
/// pub struct Chunk { pub id: String, pub data: Option<Vec<u8>>, pub size: u32 }
///
/// weld_rpc::cbor_struct! {
///     Chunk array { 0 id required, 2 data optional blob, 3 size "Size" default }
/// }
///
/// let c = Chunk { id: "a".into(), data: Some(vec![1]), size: 7 };
/// let wire = weld_rpc::cbor::serialize(&c)?;
/// assert_eq!(wire, [0x7f, 0x84, 0x61, b'a', 0xf6, 0x41, 1, 7]);
/// assert_eq!(weld_rpc::cbor::deserialize::<Chunk>(&wire)?, c);
/// # Ok::<(), weld_rpc::RpcError>(())
/// ```
#[macro_export]
macro_rules! cbor_struct {
    ($name:ident $form:ident {
        $($n:literal $f:ident $($w:literal)? $kind:ident $(($dflt:expr))? $($blob:ident)?),* $(,)?
    }) => {
        $crate::__cbor_struct_impl! {
            $name $form [$($n $f ($crate::__cbor_wire!($f $($w)?)) $kind $(($dflt))? $($blob)?;)*]
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __cbor_wire {
    ($f:ident) => {
        stringify!($f)
    };
    ($f:ident $w:literal) => {
        $w
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __cbor_struct_impl {
    ($name:ident $form:ident [$($n:literal $f:ident $w:tt $kind:ident $(($dflt:expr))? $($blob:ident)?;)*]) => {
        #[allow(deprecated)]
        impl $crate::cbor::CborEncode for $name {
            fn encode_cbor(&self, e: &mut $crate::cbor::Encoder) -> $crate::RpcResult<()> {
                $crate::__cbor_struct_encode!($form self e [$($n $f $w $kind $($blob)?;)*]);
                Ok(())
            }
        }

        #[allow(deprecated)]
        impl $crate::cbor::CborDecode for $name {
            fn decode_cbor(d: &mut $crate::cbor::Decoder<'_>) -> $crate::RpcResult<Self> {
                $(let mut $f = None;)*
                $crate::cbor::decode_fields(d, stringify!($name), &[$(($w, $n)),*], |n, d| {
                    match n {
                        $($n => $crate::__cbor_field!(@dec $f d $kind $($blob)?),)*
                        _ => d.skip()?,
                    }
                    Ok(())
                })?;
                Ok(Self {
                    $($f: $crate::__cbor_field!(@finish $f $name $w $kind $(($dflt))?),)*
                })
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __cbor_struct_encode {
    (array $s:ident $e:ident [$($n:literal $f:ident $w:tt $kind:ident $($blob:ident)?;)*]) => {
        const LEN: u32 = $crate::cbor::array_len(&[$($n),*]);
        $e.array(u64::from(LEN))?;
        // LEN is 0 for a struct with no fields; the loop then runs no times.
        #[allow(clippy::reversed_empty_ranges)]
        for pos in 0..LEN {
            match pos {
                $($n => $crate::__cbor_field!(@item $e ($s.$f) $kind $($blob)?),)*
                _ => {
                    $e.null()?;
                }
            }
        }
    };
    (map $s:ident $e:ident [$($n:literal $f:ident $w:tt $kind:ident $($blob:ident)?;)*]) => {
        let len: u64 = 0 $(+ $crate::__cbor_field!(@count ($s.$f) $kind))*;
        $e.map(len)?;
        $($crate::__cbor_field!(@entry $e ($s.$f) $w $kind $($blob)?);)*
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __cbor_field {
    // Array form: one item per member; `None` is null.
    (@item $e:ident ($v:expr) optional blob) => {
        $crate::cbor::bytes::encode_opt($e, $v.as_deref())?
    };
    (@item $e:ident ($v:expr) $kind:ident blob) => {
        $crate::cbor::bytes::encode($e, &$v)?
    };
    (@item $e:ident ($v:expr) $kind:ident) => {
        $crate::cbor::CborEncode::encode_cbor(&$v, $e)?
    };
    // Map form: how many entries a member adds, and the entry itself.
    (@count ($v:expr) optional) => {
        u64::from($v.is_some())
    };
    (@count ($v:expr) $kind:ident) => {
        1
    };
    (@entry $e:ident ($v:expr) $w:tt optional $($blob:ident)?) => {
        if let Some(v) = &$v {
            $e.str($w)?;
            $crate::__cbor_field!(@value $e v $($blob)?);
        }
    };
    (@entry $e:ident ($v:expr) $w:tt $kind:ident $($blob:ident)?) => {
        $e.str($w)?;
        $crate::__cbor_field!(@value $e (&$v) $($blob)?);
    };
    (@value $e:ident $v:tt blob) => {
        $crate::cbor::bytes::encode($e, $v)?
    };
    (@value $e:ident $v:tt) => {
        $crate::cbor::CborEncode::encode_cbor($v, $e)?
    };
    // Decoding one member into its `Option` slot.
    (@dec $f:ident $d:ident optional blob) => {
        $f = $crate::cbor::bytes::decode_opt($d)?
    };
    (@dec $f:ident $d:ident optional) => {
        $f = $crate::cbor::CborDecode::decode_cbor($d)?
    };
    (@dec $f:ident $d:ident $kind:ident blob) => {
        $f = Some($crate::cbor::bytes::decode($d)?)
    };
    (@dec $f:ident $d:ident $kind:ident) => {
        $f = Some($crate::cbor::CborDecode::decode_cbor($d)?)
    };
    // The field value once every present member has been read.
    (@finish $f:ident $name:ident $w:tt required) => {
        $crate::cbor::required($f, stringify!($name), $w)?
    };
    (@finish $f:ident $name:ident $w:tt optional) => {
        $f
    };
    (@finish $f:ident $name:ident $w:tt default) => {
        $f.unwrap_or_default()
    };
    (@finish $f:ident $name:ident $w:tt default($dflt:expr)) => {
        $f.unwrap_or_else($dflt)
    };
}

/// Implements [`CborEncode`](crate::cbor::CborEncode) and
/// [`CborDecode`](crate::cbor::CborDecode) for a union: a two-item array of
/// the variant's number (`@n`, or its position) and its value (null for a
/// unit variant).
///
/// ```text
/// cbor_union! { Name { N Variant(value), N Variant(blob), N Variant, ... } }
/// ```
///
/// ```
/// #[derive(Debug, PartialEq)]
/// pub enum Shape { Circle(f64), Raw(Vec<u8>), Empty }
///
/// weld_rpc::cbor_union! { Shape { 0 Circle(value), 1 Raw(blob), 2 Empty } }
///
/// let wire = weld_rpc::cbor::serialize(&Shape::Raw(vec![9]))?;
/// assert_eq!(wire, [0x7f, 0x82, 0x01, 0x41, 9]);
/// assert_eq!(weld_rpc::cbor::deserialize::<Shape>(&wire)?, Shape::Raw(vec![9]));
/// assert_eq!(weld_rpc::cbor::deserialize::<Shape>(&[0x7f, 0x82, 2, 0xf6])?, Shape::Empty);
/// # Ok::<(), weld_rpc::RpcError>(())
/// ```
#[macro_export]
macro_rules! cbor_union {
    ($name:ident { $($n:literal $v:ident $(($kind:ident))?),* $(,)? }) => {
        #[allow(deprecated)]
        impl $crate::cbor::CborEncode for $name {
            fn encode_cbor(&self, e: &mut $crate::cbor::Encoder) -> $crate::RpcResult<()> {
                e.array(2)?;
                match self {
                    $($crate::__cbor_variant!(@pat $name $v value $($kind)?) => {
                        e.u32($n)?;
                        $crate::__cbor_variant!(@enc e value $($kind)?);
                    })*
                }
                Ok(())
            }
        }

        #[allow(deprecated)]
        impl $crate::cbor::CborDecode for $name {
            fn decode_cbor(d: &mut $crate::cbor::Decoder<'_>) -> $crate::RpcResult<Self> {
                if d.array()? != Some(2) {
                    return Err($crate::RpcError::Deser(format!(
                        "decoding union {}: expected an array of two items",
                        stringify!($name)
                    )));
                }
                Ok(match d.u32()? {
                    $($n => $crate::__cbor_variant!(@dec $name $v d $($kind)?),)*
                    other => {
                        return Err($crate::RpcError::Deser(format!(
                            "decoding union {}: unknown variant {other}",
                            stringify!($name)
                        )));
                    }
                })
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __cbor_variant {
    (@pat $name:ident $v:ident $b:ident) => {
        $name::$v
    };
    (@pat $name:ident $v:ident $b:ident $kind:ident) => {
        $name::$v($b)
    };
    (@enc $e:ident $b:ident) => {
        $e.null()?
    };
    (@enc $e:ident $b:ident blob) => {
        $crate::cbor::bytes::encode($e, $b)?
    };
    (@enc $e:ident $b:ident value) => {
        $crate::cbor::CborEncode::encode_cbor($b, $e)?
    };
    (@dec $name:ident $v:ident $d:ident) => {{
        $d.skip()?;
        $name::$v
    }};
    (@dec $name:ident $v:ident $d:ident blob) => {
        $name::$v($crate::cbor::bytes::decode($d)?)
    };
    (@dec $name:ident $v:ident $d:ident value) => {
        $name::$v($crate::cbor::CborDecode::decode_cbor($d)?)
    };
}

/// The impls of a string enum `Name` whose last variant `Unknown(String)`
/// keeps values the model does not declare: `as_str`, `From<&str>`,
/// `From<String>`, `Display`, serde (as the string) and CBOR (a text string).
///
/// ```
/// #[derive(Clone, Debug, PartialEq)]
/// pub enum Color { Red, Other(String) }
///
/// weld_rpc::string_enum! { Color { Red = "red" } Other }
///
/// assert_eq!(Color::from("red"), Color::Red);
/// assert_eq!(Color::from("blue").as_str(), "blue");
/// let wire = weld_rpc::cbor::serialize(&Color::Red)?;
/// assert_eq!(weld_rpc::cbor::deserialize::<Color>(&wire)?, Color::Red);
/// # Ok::<(), weld_rpc::RpcError>(())
/// ```
#[macro_export]
macro_rules! string_enum {
    ($name:ident { $($v:ident = $lit:literal),* $(,)? } $unknown:ident) => {
        #[allow(deprecated)]
        impl $name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$v => $lit,)*
                    Self::$unknown(v) => v.as_str(),
                }
            }
        }

        #[allow(deprecated)]
        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($lit => Self::$v,)*
                    other => Self::$unknown(other.to_string()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <String as $crate::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value))
            }
        }

        impl $crate::cbor::CborEncode for $name {
            fn encode_cbor(&self, e: &mut $crate::cbor::Encoder) -> $crate::RpcResult<()> {
                e.str(self.as_str())?;
                Ok(())
            }
        }

        impl $crate::cbor::CborDecode for $name {
            fn decode_cbor(d: &mut $crate::cbor::Decoder<'_>) -> $crate::RpcResult<Self> {
                Ok(Self::from($crate::cbor::decode_string(d)?))
            }
        }
    };
}

/// The impls of an `intEnum` `Name` whose last variant `Unknown(i32)` keeps
/// values the model does not declare: `value`, `From<i32>`, `From<Name> for
/// i32`, serde (as the integer) and CBOR (an integer).
///
/// ```
/// #[derive(Clone, Copy, Debug, PartialEq)]
/// pub enum Level { Low, High, Other(i32) }
///
/// weld_rpc::int_enum! { Level { Low = 1, High = 10 } Other }
///
/// assert_eq!(Level::from(10), Level::High);
/// assert_eq!(i32::from(Level::Other(3)), 3);
/// let wire = weld_rpc::cbor::serialize(&Level::High)?;
/// assert_eq!(wire, [0x7f, 10]);
/// # Ok::<(), weld_rpc::RpcError>(())
/// ```
#[macro_export]
macro_rules! int_enum {
    ($name:ident { $($v:ident = $lit:literal),* $(,)? } $unknown:ident) => {
        #[allow(deprecated)]
        impl $name {
            /// The wire value.
            pub fn value(&self) -> i32 {
                match self {
                    $(Self::$v => $lit,)*
                    Self::$unknown(v) => *v,
                }
            }
        }

        #[allow(deprecated)]
        impl From<i32> for $name {
            fn from(value: i32) -> Self {
                match value {
                    $($lit => Self::$v,)*
                    other => Self::$unknown(other),
                }
            }
        }

        impl From<$name> for i32 {
            fn from(value: $name) -> i32 {
                value.value()
            }
        }

        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i32(self.value())
            }
        }

        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <i32 as $crate::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value))
            }
        }

        impl $crate::cbor::CborEncode for $name {
            fn encode_cbor(&self, e: &mut $crate::cbor::Encoder) -> $crate::RpcResult<()> {
                e.i32(self.value())?;
                Ok(())
            }
        }

        impl $crate::cbor::CborDecode for $name {
            fn decode_cbor(d: &mut $crate::cbor::Decoder<'_>) -> $crate::RpcResult<Self> {
                Ok(Self::from(d.i32()?))
            }
        }
    };
}
