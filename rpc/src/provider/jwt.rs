//! JWTs signed with nkeys, as wascap writes them: header
//! `{"typ":"jwt","alg":"Ed25519"}`, JSON claims, ed25519 signature.
//!
//! `token = b64url(header) "." b64url(claims) "." b64url(signature)`, all
//! base64url without padding, the signature over the first two parts as
//! text. This module knows nothing about what the claims say: the host's
//! actor claims and the lattice invocation claims
//! ([`super::invocation`]) both sign and check through it.

use std::time::{SystemTime, UNIX_EPOCH};

use data_encoding::BASE64URL_NOPAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::keys::{KeyError, KeyPair};

/// `typ` of the header.
pub const HEADER_TYPE: &str = "jwt";
/// `alg` of the header.
pub const HEADER_ALGORITHM: &str = "Ed25519";
/// The `wascap_revision` written into new claims.
pub const WASCAP_REVISION: u32 = 3;

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    typ: String,
    alg: String,
}

/// Why a JWT could not be made, read or trusted.
#[derive(Debug, thiserror::Error)]
pub enum JwtError {
    /// Not three dot-separated parts.
    #[error("a JWT has 3 dot-separated parts, this one has {0}")]
    Parts(usize),
    /// A part is not base64url (no padding).
    #[error("{part} part is not base64url: {source}")]
    Base64 {
        /// `header`, `claims` or `signature`.
        part: &'static str,
        /// The decoder's complaint.
        #[source]
        source: data_encoding::DecodeError,
    },
    /// The header or claims are not the JSON expected.
    #[error("{part} part is not valid JSON {part}: {source}")]
    Json {
        /// `header` or `claims`.
        part: &'static str,
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// The header is not `{"typ":"jwt","alg":"Ed25519"}`.
    #[error(
        "unsupported token header (typ `{typ}`, alg `{alg}`; expected typ `jwt`, alg `Ed25519`)"
    )]
    Header {
        /// `typ` found.
        typ: String,
        /// `alg` found.
        alg: String,
    },
    /// The claims could not be written as JSON.
    #[error("cannot encode claims: {0}")]
    Encode(#[source] serde_json::Error),
    /// The signature does not verify with the issuer's key.
    #[error("signature does not verify with issuer key {issuer}")]
    BadSignature {
        /// The issuer whose key was tried.
        issuer: String,
    },
    /// Signing failed (the key has no seed).
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// Signs `claims` (any JSON-serialisable claims set) with `signer`, who must
/// hold a seed, and returns the token.
pub fn encode<T: Serialize>(claims: &T, signer: &KeyPair) -> Result<String, JwtError> {
    let header = Header {
        typ: HEADER_TYPE.into(),
        alg: HEADER_ALGORITHM.into(),
    };
    let head = BASE64URL_NOPAD.encode(&serde_json::to_vec(&header).map_err(JwtError::Encode)?);
    let body = BASE64URL_NOPAD.encode(&serde_json::to_vec(claims).map_err(JwtError::Encode)?);
    let signed = format!("{head}.{body}");
    let sig = signer.sign(signed.as_bytes())?;
    Ok(format!("{signed}.{}", BASE64URL_NOPAD.encode(&sig)))
}

/// A token split into its three parts; nothing is trusted yet.
#[derive(Debug, Clone, Copy)]
pub struct Jwt<'a> {
    text: &'a str,
    parts: [&'a str; 3],
}

impl<'a> Jwt<'a> {
    /// Splits `text` (surrounding whitespace ignored) into header, claims and
    /// signature.
    pub fn parse(text: &'a str) -> Result<Jwt<'a>, JwtError> {
        let text = text.trim();
        let parts: Vec<&str> = text.split('.').collect();
        let parts = <[&str; 3]>::try_from(parts).map_err(|p| JwtError::Parts(p.len()))?;
        Ok(Jwt { text, parts })
    }

    /// Errors unless the header is `{"typ":"jwt","alg":"Ed25519"}` (`typ`
    /// compared case-insensitively, as wascap does).
    pub fn check_header(&self) -> Result<(), JwtError> {
        let header: Header = decode_segment(self.parts[0], "header")?;
        if header.alg != HEADER_ALGORITHM || !header.typ.eq_ignore_ascii_case(HEADER_TYPE) {
            return Err(JwtError::Header {
                typ: header.typ,
                alg: header.alg,
            });
        }
        Ok(())
    }

    /// Decodes the claims part as `T`, checking nothing else.
    pub fn claims<T: DeserializeOwned>(&self) -> Result<T, JwtError> {
        decode_segment(self.parts[1], "claims")
    }

    /// Checks the signature over `header.claims` with `issuer`'s public key.
    pub fn verify_signature(&self, issuer: &KeyPair) -> Result<(), JwtError> {
        let sig = BASE64URL_NOPAD
            .decode(self.parts[2].as_bytes())
            .map_err(|source| JwtError::Base64 {
                part: "signature",
                source,
            })?;
        let signed_len = self.parts[0].len() + 1 + self.parts[1].len();
        if issuer.verify(&self.text.as_bytes()[..signed_len], &sig) {
            Ok(())
        } else {
            Err(JwtError::BadSignature {
                issuer: issuer.public_key(),
            })
        }
    }
}

fn decode_segment<T: DeserializeOwned>(segment: &str, part: &'static str) -> Result<T, JwtError> {
    let bytes = BASE64URL_NOPAD
        .decode(segment.as_bytes())
        .map_err(|source| JwtError::Base64 { part, source })?;
    serde_json::from_slice(&bytes).map_err(|source| JwtError::Json { part, source })
}

/// Seconds since the Unix epoch (0 for a clock set before 1970).
pub fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
