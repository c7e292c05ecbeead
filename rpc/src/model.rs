//! Types of the Smithy namespace `org.wasmcloud.model`: the integer aliases,
//! `Unit`, `CapabilityContractId` and the values of the wasmCloud traits.
//!
//! Generated crates refer to these as `weld_rpc::model::X` (for example a
//! member targeting `org.wasmcloud.model#U32` has type `weld_rpc::model::U32`,
//! which is `u32`).

use serde::{Deserialize, Serialize};

/// Capability contract id, e.g. `wasmcloud:httpserver`.
pub type CapabilityContractId = String;
/// Signed 8-bit integer.
pub type I8 = i8;
/// Signed 16-bit integer.
pub type I16 = i16;
/// Signed 32-bit integer.
pub type I32 = i32;
/// Signed 64-bit integer.
pub type I64 = i64;
/// Unsigned 8-bit integer.
pub type U8 = u8;
/// Unsigned 16-bit integer.
pub type U16 = u16;
/// Unsigned 32-bit integer.
pub type U32 = u32;
/// Unsigned 64-bit integer.
pub type U64 = u64;
/// 32-bit float.
pub type F32 = f32;
/// 64-bit float.
pub type F64 = f64;
/// The empty type: operations that take or return `Unit` send zero bytes.
pub type Unit = ();
/// A list of identifiers.
pub type IdentifierList = Vec<String>;
/// A non-empty string (minimum length 1).
pub type NonEmptyString = String;
/// Field number (`@n`) of a structure member, for CBOR encoding.
pub type N = i16;

/// Value of the `@wasmbus` trait on a service.
#[derive(Clone, Debug, Default, Deserialize, Eq, PartialEq, Serialize)]
pub struct Wasmbus {
    /// The service is handled by actors.
    #[serde(rename = "actorReceive", default)]
    pub actor_receive: bool,
    /// Capability contract id; required with `providerReceive`.
    #[serde(
        rename = "contractId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub contract_id: Option<CapabilityContractId>,
    /// The service is handled by capability providers.
    #[serde(rename = "providerReceive", default)]
    pub provider_receive: bool,
    /// Wire protocol: `"0"` MessagePack (the default), `"2"` CBOR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
}

/// Value of the `@codegenRust` trait.
#[derive(Clone, Debug, Default, Deserialize, Eq, PartialEq, Serialize)]
pub struct CodegenRust {
    /// Do not derive `Default`.
    #[serde(rename = "noDeriveDefault", default)]
    pub no_derive_default: bool,
    /// Do not derive `Eq`.
    #[serde(rename = "noDeriveEq", default)]
    pub no_derive_eq: bool,
    /// Add `#[non_exhaustive]`.
    #[serde(rename = "nonExhaustive", default)]
    pub non_exhaustive: bool,
    /// Generate nothing for the shape.
    #[serde(default)]
    pub skip: bool,
}

/// Value of the `@serialization` trait on a member.
#[derive(Clone, Debug, Default, Deserialize, Eq, PartialEq, Serialize)]
pub struct Serialization {
    /// Field name on the wire, overriding the declared member name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One entry of the `@rename` trait.
#[derive(Clone, Debug, Default, Deserialize, Eq, PartialEq, Serialize)]
pub struct RenameItem {
    /// Target language, e.g. `"Rust"`.
    #[serde(default)]
    pub lang: String,
    /// Name to use in that language.
    #[serde(default)]
    pub name: String,
}

/// Value of the `@rename` trait.
pub type Rename = Vec<RenameItem>;

/// Value of the `@extends` trait.
#[derive(Clone, Debug, Default, Deserialize, Eq, PartialEq, Serialize)]
pub struct Extends {
    /// Base shapes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<IdentifierList>,
}

/// Value of the `@wasmbusData`, `@unsignedInt` and `@synonym` marker traits.
#[derive(Clone, Debug, Default, Deserialize, Eq, PartialEq, Serialize)]
pub struct WasmbusData {}

/// Value of the `@unsignedInt` marker trait.
pub type UnsignedInt = WasmbusData;
/// Value of the `@synonym` marker trait.
pub type Synonym = WasmbusData;
