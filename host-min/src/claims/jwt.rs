//! The claims JWT: header `{"typ":"jwt","alg":"Ed25519"}`, wascap claims,
//! ed25519 signature by the issuer's account key.
//!
//! `token = b64url(header) "." b64url(claims) "." b64url(signature)`, all
//! base64url without padding, the signature over the first two parts as
//! text (the shared layer is `weld_rpc::provider::jwt`). Field names and optionality follow wascap revision 3, so tokens
//! signed by `wash` / the `wascap` crate verify here and ours verify there.

use std::time::SystemTime;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use weld_rpc::provider::jwt::{self as rpc_jwt, Jwt, JwtError};

use super::keys::{KeyPair, KeyType};
use super::ClaimsError;

pub use weld_rpc::provider::jwt::{HEADER_ALGORITHM, HEADER_TYPE, WASCAP_REVISION};

/// The `wascap` part of an actor's claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ActorMetadata {
    /// `name`: a descriptive name, without version or key.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    /// `hash`: uppercase hex SHA-256 of the module without its claims
    /// sections; binds the token to the code.
    #[serde(rename = "hash")]
    pub module_hash: String,
    /// `tags`: free-form labels.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tags: Option<Vec<String>>,
    /// `caps`: the capability contract ids the actor may use
    /// (`wasmcloud:keyvalue`, `wasmcloud:builtin:logging`, ...).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub caps: Option<Vec<String>>,
    /// `rev`: a monotonically increasing revision.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rev: Option<i32>,
    /// `ver`: a human-friendly version.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ver: Option<String>,
    /// `call_alias`: a name other actors may call this one by.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub call_alias: Option<String>,
    /// `prov`: true for a capability provider packaged as wasm (always
    /// false for actors).
    #[serde(rename = "prov", default)]
    pub provider: bool,
}

impl ActorMetadata {
    /// True when `caps` lists `contract_id` (exact match, as upstream).
    pub fn has_capability(&self, contract_id: &str) -> bool {
        self.caps
            .as_deref()
            .is_some_and(|caps| caps.iter().any(|c| c == contract_id))
    }
}

/// The claims of a signed actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// `exp`: seconds since the epoch after which the claims are void.
    #[serde(rename = "exp", skip_serializing_if = "Option::is_none", default)]
    pub expires: Option<u64>,
    /// `jti`: a unique token id.
    #[serde(rename = "jti")]
    pub id: String,
    /// `iat`: seconds since the epoch when signed.
    #[serde(rename = "iat")]
    pub issued_at: u64,
    /// `iss`: the signing account's public key (`A...`).
    #[serde(rename = "iss")]
    pub issuer: String,
    /// `sub`: the module's public key (`M...`), the actor's identity.
    #[serde(rename = "sub")]
    pub subject: String,
    /// `nbf`: seconds since the epoch before which the claims are not valid.
    #[serde(rename = "nbf", skip_serializing_if = "Option::is_none", default)]
    pub not_before: Option<u64>,
    /// `wascap`: the actor metadata.
    pub wascap: ActorMetadata,
    /// `wascap_revision`: format revision (3).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub wascap_revision: Option<u32>,
}

impl Claims {
    /// The actor's display name (`name`, or the subject when unnamed).
    pub fn name(&self) -> &str {
        self.wascap.name.as_deref().unwrap_or(&self.subject)
    }

    /// The capability contract ids claimed (empty when none).
    pub fn caps(&self) -> &[String] {
        self.wascap.caps.as_deref().unwrap_or(&[])
    }
}

/// A raw JWT and its decoded claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token<T> {
    /// The token as found (three base64url parts).
    pub jwt: String,
    /// Its decoded claims (not yet verified unless the producer says so).
    pub claims: T,
}

/// Signs `claims` with `issuer` (who must hold the account seed) and
/// returns the JWT.
pub fn encode(claims: &Claims, issuer: &KeyPair) -> Result<String, ClaimsError> {
    encode_claims(claims, issuer)
}

/// Signs any wascap claims set (actor, provider...) with `issuer`.
pub fn encode_claims<T: Serialize>(claims: &T, issuer: &KeyPair) -> Result<String, ClaimsError> {
    rpc_jwt::encode(claims, issuer).map_err(from_jwt)
}

/// Splits a token and decodes its claims, checking nothing else. Use
/// [`verify_token`] before trusting the result.
pub fn decode(jwt: &str) -> Result<Claims, ClaimsError> {
    Jwt::parse(jwt).and_then(|t| t.claims()).map_err(from_jwt)
}

/// Maps the shared JWT layer's errors onto the claims errors the host reports.
fn from_jwt(e: JwtError) -> ClaimsError {
    match e {
        JwtError::Header { typ, alg } => ClaimsError::Header { typ, alg },
        JwtError::Encode(e) => ClaimsError::Json(e),
        JwtError::Key(e) => ClaimsError::Key(e),
        JwtError::BadSignature { issuer } => ClaimsError::BadSignature { issuer },
        other => ClaimsError::Token(other.to_string()),
    }
}

/// The registered claims every wascap token carries, whatever its
/// `wascap` metadata: what [`verify_signed`] checks.
pub trait RegisteredClaims {
    /// `iss`: the signer's public key.
    fn issuer(&self) -> &str;
    /// `sub`: the public key of what the token describes.
    fn subject(&self) -> &str;
    /// `exp`, seconds since the epoch.
    fn expires(&self) -> Option<u64>;
    /// `nbf`, seconds since the epoch.
    fn not_before(&self) -> Option<u64>;
}

impl RegisteredClaims for Claims {
    fn issuer(&self) -> &str {
        &self.issuer
    }
    fn subject(&self) -> &str {
        &self.subject
    }
    fn expires(&self) -> Option<u64> {
        self.expires
    }
    fn not_before(&self) -> Option<u64> {
        self.not_before
    }
}

/// Verifies an actor's token: header, issuer (an account key) and subject
/// (a module key), the issuer's signature, then `exp` / `nbf` against
/// `now`. Does not look at the module hash (see [`super::verify`]).
pub fn verify_token(jwt: &str, now: SystemTime) -> Result<Claims, ClaimsError> {
    verify_signed(jwt, KeyType::Module, now)
}

/// Verifies any wascap token whose subject must be a `subject_kind` key
/// (module for actors, service for providers): the header, an account key
/// as issuer, the subject's role, the issuer's signature, then `exp` /
/// `nbf` against `now`. Returns the claims, now trusted.
pub fn verify_signed<T>(jwt: &str, subject_kind: KeyType, now: SystemTime) -> Result<T, ClaimsError>
where
    T: RegisteredClaims + DeserializeOwned,
{
    let token = Jwt::parse(jwt).map_err(from_jwt)?;
    token.check_header().map_err(from_jwt)?;
    let claims: T = token.claims().map_err(from_jwt)?;
    let issuer_key = claims.issuer().to_string();
    let issuer = KeyPair::from_public_key(&issuer_key)
        .and_then(|kp| kp.expect_type(KeyType::Account).map(|()| kp))
        .map_err(|source| ClaimsError::Issuer {
            key: issuer_key.clone(),
            source,
        })?;
    let subject = claims.subject();
    super::keys::decode_public_key(subject)
        .and_then(|(kind, _)| {
            if kind == subject_kind {
                Ok(())
            } else {
                Err(super::keys::KeyError::WrongType {
                    expected: subject_kind,
                    found: kind,
                    key: subject.to_string(),
                })
            }
        })
        .map_err(|source| ClaimsError::Subject {
            key: subject.to_string(),
            source,
        })?;
    token.verify_signature(&issuer).map_err(from_jwt)?;
    let now_s = unix_seconds(now);
    if let Some(exp) = claims.expires() {
        if exp < now_s {
            return Err(ClaimsError::Expired {
                expired_at: exp,
                now: now_s,
            });
        }
    }
    if let Some(nbf) = claims.not_before() {
        if now_s < nbf {
            return Err(ClaimsError::NotYetValid {
                valid_from: nbf,
                now: now_s,
            });
        }
    }
    Ok(claims)
}

pub use weld_rpc::provider::jwt::unix_seconds;
