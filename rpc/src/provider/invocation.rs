//! Lattice invocations: entity URLs, the anti-forgery claims a sender signs
//! into [`Invocation::encoded_claims`], and the checks a receiver makes.
//!
//! The claims are a wascap JWT (see [`super::jwt`]) whose issuer is the
//! signer's cluster key (`C...`, from the host data's `invocation_seed`),
//! whose subject is the invocation id, and whose `wascap` member is
//! `{target_url, origin_url, hash}`. The hash is the uppercase hex SHA-256
//! of `origin_url ‖ target_url ‖ operation ‖ msg`, where `target_url` already
//! ends in `/{operation}`. Any byte of the message, the operation or either
//! entity changed in flight breaks the hash; a token signed by a key outside
//! the cluster issuers is refused. Both match upstream wascap / wasmbus-rpc,
//! so invocations cross between weld and wasmCloud hosts and providers.
//!
//! Replay: the subject must equal the invocation's `id` (a token cannot be
//! moved onto another invocation), and the tokens weld signs expire
//! ([`DEFAULT_INVOCATION_TTL`] after signing, configurable per bridge), so
//! a captured invocation is refused once its token is void. Upstream signs
//! tokens without `exp`; those are still accepted, as upstream does.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::jwt::{self, Jwt, JwtError, WASCAP_REVISION};
use super::keys::{KeyError, KeyPair, KeyType};
use crate::core::{Invocation, WasmCloudEntity};

/// How long the invocation tokens weld signs stay valid (`exp` = `iat` +
/// this): long enough for a call that waits for a chunked upload and a busy
/// receiver, short enough that a captured invocation soon stops working.
pub const DEFAULT_INVOCATION_TTL: Duration = Duration::from_secs(60);

/// Scheme of entity URLs.
pub const URL_SCHEME: &str = "wasmbus";

/// The URL of an entity in invocation claims: `wasmbus://{pk}` for an actor
/// (a key starting with `M`), otherwise
/// `wasmbus://{contract_id with ':' as '/', spaces as '_', lower case}/{link_name, same}/{pk}`.
pub fn entity_url(entity: &WasmCloudEntity) -> String {
    if entity.public_key.to_uppercase().starts_with('M') {
        format!("{URL_SCHEME}://{}", entity.public_key)
    } else {
        format!(
            "{URL_SCHEME}://{}/{}/{}",
            entity
                .contract_id
                .replace(':', "/")
                .replace(' ', "_")
                .to_lowercase(),
            entity.link_name.replace(' ', "_").to_lowercase(),
            entity.public_key
        )
    }
}

/// The target URL the claims carry: the entity URL with `/{operation}`.
pub fn target_url(target: &WasmCloudEntity, operation: &str) -> String {
    format!("{}/{operation}", entity_url(target))
}

/// Uppercase hex SHA-256 of `origin_url ‖ target_url ‖ operation ‖ msg`.
pub fn invocation_hash(origin_url: &str, target_url: &str, operation: &str, msg: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(origin_url.as_bytes());
    h.update(target_url.as_bytes());
    h.update(operation.as_bytes());
    h.update(msg);
    data_encoding::HEXUPPER.encode(&h.finalize())
}

/// The `wascap` member of invocation claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvocationMetadata {
    /// URL of the target, ending in `/{operation}`.
    pub target_url: String,
    /// URL of the origin.
    pub origin_url: String,
    /// See [`invocation_hash`].
    #[serde(rename = "hash")]
    pub invocation_hash: String,
}

/// The anti-forgery claims of an invocation (wascap `Claims<Invocation>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvocationClaims {
    /// `exp`: seconds since the epoch after which the token is void.
    #[serde(rename = "exp", skip_serializing_if = "Option::is_none", default)]
    pub expires: Option<u64>,
    /// `jti`: a unique token id.
    #[serde(rename = "jti")]
    pub id: String,
    /// `iat`: seconds since the epoch when signed.
    #[serde(rename = "iat")]
    pub issued_at: u64,
    /// `iss`: the signer's public key (a cluster key, `C...`).
    #[serde(rename = "iss")]
    pub issuer: String,
    /// `sub`: the invocation id.
    #[serde(rename = "sub")]
    pub subject: String,
    /// `nbf`: seconds since the epoch before which the token is not valid.
    #[serde(rename = "nbf", skip_serializing_if = "Option::is_none", default)]
    pub not_before: Option<u64>,
    /// `wascap`: what was signed.
    #[serde(rename = "wascap")]
    pub metadata: InvocationMetadata,
    /// `wascap_revision`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub wascap_revision: Option<u32>,
}

/// Why an invocation was refused or could not be made.
#[derive(Debug, thiserror::Error)]
pub enum InvocationError {
    /// The claims token is malformed or its signature does not verify.
    #[error("invocation claims: {0}")]
    Jwt(#[from] JwtError),
    /// The issuer is not a valid public key.
    #[error("invocation claims issuer `{key}`: {source}")]
    Issuer {
        /// The issuer as written.
        key: String,
        /// Why it is not a key.
        #[source]
        source: KeyError,
    },
    /// The issuer is not one of the accepted cluster issuers.
    #[error("issuer {0} of this invocation is not in the list of cluster issuers")]
    UnknownIssuer(String),
    /// The message, operation or entities differ from what was signed.
    #[error("invocation hash does not match signed claims hash ({claimed} / {computed})")]
    Hash {
        /// The hash in the claims.
        claimed: String,
        /// The hash of the invocation as received.
        computed: String,
    },
    /// The target URL differs from the claims'.
    #[error("invocation claims and invocation target URL do not match: {claimed} != {actual}")]
    TargetUrl {
        /// URL in the claims.
        claimed: String,
        /// URL of the invocation's target.
        actual: String,
    },
    /// The origin URL differs from the claims'.
    #[error("invocation claims and invocation origin URL do not match: {claimed} != {actual}")]
    OriginUrl {
        /// URL in the claims.
        claimed: String,
        /// URL of the invocation's origin.
        actual: String,
    },
    /// The token was signed for another invocation (`sub` is not the id).
    #[error("invocation claims are for invocation `{subject}`, not `{id}`")]
    Subject {
        /// `sub` of the claims.
        subject: String,
        /// The invocation's `id`.
        id: String,
    },
    /// `host_id` is not a host (server) public key.
    #[error("invalid host ID on invocation: '{0}'")]
    HostId(String),
    /// The token has expired.
    #[error("invocation claims token expired at {expired_at} (now {now})")]
    Expired {
        /// `exp`.
        expired_at: u64,
        /// The clock.
        now: u64,
    },
    /// The token is not valid yet.
    #[error("invocation claims token not valid before {valid_from} (now {now})")]
    NotYetValid {
        /// `nbf`.
        valid_from: u64,
        /// The clock.
        now: u64,
    },
}

/// Builds a signed invocation of `operation` with `msg` from `origin` to
/// `target`: a fresh uuid id, claims signed by `signer` (who must hold a
/// seed) valid for [`DEFAULT_INVOCATION_TTL`], `host_id` as given,
/// `content_length` = `msg.len()`.
pub fn sign_invocation(
    signer: &KeyPair,
    host_id: &str,
    origin: WasmCloudEntity,
    target: WasmCloudEntity,
    operation: &str,
    msg: Vec<u8>,
) -> Result<Invocation, InvocationError> {
    sign_invocation_valid_for(
        signer,
        host_id,
        origin,
        target,
        operation,
        msg,
        DEFAULT_INVOCATION_TTL,
    )
}

/// [`sign_invocation`] with a token valid for `valid_for`.
pub fn sign_invocation_valid_for(
    signer: &KeyPair,
    host_id: &str,
    origin: WasmCloudEntity,
    target: WasmCloudEntity,
    operation: &str,
    msg: Vec<u8>,
    valid_for: Duration,
) -> Result<Invocation, InvocationError> {
    let id = uuid::Uuid::new_v4().to_string();
    let encoded_claims =
        sign_claims_valid_for(signer, &id, &origin, &target, operation, &msg, valid_for)?;
    Ok(Invocation {
        content_length: Some(msg.len() as u64),
        origin,
        target,
        operation: operation.to_string(),
        msg,
        id,
        encoded_claims,
        host_id: host_id.to_string(),
        trace_context: None,
    })
}

/// The claims token for an invocation with id `id` over `msg`, valid for
/// [`DEFAULT_INVOCATION_TTL`]; used by chunked sends, whose claims hash the
/// whole message although `msg` travels out of band.
pub fn sign_claims(
    signer: &KeyPair,
    id: &str,
    origin: &WasmCloudEntity,
    target: &WasmCloudEntity,
    operation: &str,
    msg: &[u8],
) -> Result<String, InvocationError> {
    sign_claims_valid_for(
        signer,
        id,
        origin,
        target,
        operation,
        msg,
        DEFAULT_INVOCATION_TTL,
    )
}

/// [`sign_claims`] with a token valid for `valid_for` (`exp` = `iat` +
/// `valid_for`, at least one second).
pub fn sign_claims_valid_for(
    signer: &KeyPair,
    id: &str,
    origin: &WasmCloudEntity,
    target: &WasmCloudEntity,
    operation: &str,
    msg: &[u8],
    valid_for: Duration,
) -> Result<String, InvocationError> {
    let origin_url = entity_url(origin);
    let target_url = target_url(target, operation);
    let issued_at = jwt::unix_seconds(SystemTime::now());
    let claims = InvocationClaims {
        expires: Some(issued_at.saturating_add(valid_for.as_secs().max(1))),
        id: uuid::Uuid::new_v4().simple().to_string(),
        issued_at,
        issuer: signer.public_key(),
        subject: id.to_string(),
        not_before: None,
        metadata: InvocationMetadata {
            invocation_hash: invocation_hash(&origin_url, &target_url, operation, msg),
            target_url,
            origin_url,
        },
        wascap_revision: Some(WASCAP_REVISION),
    };
    Ok(jwt::encode(&claims, signer)?)
}

/// Checks an invocation as a receiver must before acting on it: everything
/// [`verify_invocation_claims`] checks, then the hash over `msg` (the whole
/// message: pass the re-assembled bytes for a chunked one). Returns the
/// claims.
pub fn verify_invocation(
    inv: &Invocation,
    msg: &[u8],
    cluster_issuers: &[String],
    now: SystemTime,
) -> Result<InvocationClaims, InvocationError> {
    verify_invocation_by(inv, msg, &ClusterIssuers::new(cluster_issuers), now)
}

/// [`verify_invocation`] against issuers whose keys were decoded once (a
/// receiver of many invocations keeps a [`ClusterIssuers`]).
pub fn verify_invocation_by(
    inv: &Invocation,
    msg: &[u8],
    cluster_issuers: &ClusterIssuers,
    now: SystemTime,
) -> Result<InvocationClaims, InvocationError> {
    // Hash before URLs: a changed operation or entity reads as the
    // tampering it is.
    let claims = check_token(inv, cluster_issuers, now)?;
    check_invocation_hash(&claims, inv, msg)?;
    check_urls(&claims, inv)?;
    Ok(claims)
}

/// The checks that need no message bytes: the token's header and signature
/// (by its issuer's key), `sub` equal to the invocation id, `exp` / `nbf`
/// against `now`, the issuer in `cluster_issuers`, `host_id` a server key,
/// and both URLs. A receiver of a chunked invocation makes these before it
/// fetches (and deletes) the payload, then [`check_invocation_hash`].
pub fn verify_invocation_claims(
    inv: &Invocation,
    cluster_issuers: &[String],
    now: SystemTime,
) -> Result<InvocationClaims, InvocationError> {
    verify_invocation_claims_by(inv, &ClusterIssuers::new(cluster_issuers), now)
}

/// [`verify_invocation_claims`] against issuers decoded once.
pub fn verify_invocation_claims_by(
    inv: &Invocation,
    cluster_issuers: &ClusterIssuers,
    now: SystemTime,
) -> Result<InvocationClaims, InvocationError> {
    let claims = check_token(inv, cluster_issuers, now)?;
    check_urls(&claims, inv)?;
    Ok(claims)
}

/// The cluster issuers a receiver accepts, with their public keys decoded
/// once: decoding an ed25519 key (a point decompression) costs about a
/// quarter of a signature check, and every invocation is checked.
#[derive(Debug, Default)]
pub struct ClusterIssuers {
    keys: Vec<(String, Option<KeyPair>)>,
}

impl ClusterIssuers {
    /// The issuers `keys` (`C...`); a key that does not decode is kept by
    /// name only (invocations it "signed" fail their signature check).
    pub fn new(keys: &[String]) -> ClusterIssuers {
        ClusterIssuers {
            keys: keys
                .iter()
                .map(|k| (k.clone(), KeyPair::from_public_key(k).ok()))
                .collect(),
        }
    }

    /// Whether `key` is one of the issuers.
    pub fn contains(&self, key: &str) -> bool {
        self.keys.iter().any(|(k, _)| k == key)
    }

    fn decoded(&self, key: &str) -> Option<&KeyPair> {
        self.keys
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, pair)| pair.as_ref())
    }
}

/// Signature, subject, validity period, issuer and host id.
fn check_token(
    inv: &Invocation,
    cluster_issuers: &ClusterIssuers,
    now: SystemTime,
) -> Result<InvocationClaims, InvocationError> {
    let token = Jwt::parse(&inv.encoded_claims)?;
    token.check_header()?;
    let claims: InvocationClaims = token.claims()?;
    // An unknown issuer's signature is still checked first, so that a
    // forged token reads as forged whoever it names.
    let decoded;
    let issuer = match cluster_issuers.decoded(&claims.issuer) {
        Some(key) => key,
        None => {
            decoded = KeyPair::from_public_key(&claims.issuer).map_err(|source| {
                InvocationError::Issuer {
                    key: claims.issuer.clone(),
                    source,
                }
            })?;
            &decoded
        }
    };
    token.verify_signature(issuer)?;
    if claims.subject != inv.id {
        return Err(InvocationError::Subject {
            subject: claims.subject,
            id: inv.id.clone(),
        });
    }
    let now_s = jwt::unix_seconds(now);
    if let Some(exp) = claims.expires {
        if exp < now_s {
            return Err(InvocationError::Expired {
                expired_at: exp,
                now: now_s,
            });
        }
    }
    if let Some(nbf) = claims.not_before {
        if now_s < nbf {
            return Err(InvocationError::NotYetValid {
                valid_from: nbf,
                now: now_s,
            });
        }
    }
    if !cluster_issuers.contains(&claims.issuer) {
        return Err(InvocationError::UnknownIssuer(claims.issuer));
    }
    if !super::keys::is_public_key_of(KeyType::Server, &inv.host_id) {
        return Err(InvocationError::HostId(inv.host_id.clone()));
    }
    Ok(claims)
}

/// Both URLs of the claims against the invocation's entities.
fn check_urls(claims: &InvocationClaims, inv: &Invocation) -> Result<(), InvocationError> {
    let origin_url = entity_url(&inv.origin);
    let target_url = target_url(&inv.target, &inv.operation);
    if claims.metadata.target_url != target_url {
        return Err(InvocationError::TargetUrl {
            claimed: claims.metadata.target_url.clone(),
            actual: target_url,
        });
    }
    if claims.metadata.origin_url != origin_url {
        return Err(InvocationError::OriginUrl {
            claimed: claims.metadata.origin_url.clone(),
            actual: origin_url,
        });
    }
    Ok(())
}

/// Whether `msg` is what `claims` (already verified with
/// [`verify_invocation_claims`]) signed for `inv`.
pub fn check_invocation_hash(
    claims: &InvocationClaims,
    inv: &Invocation,
    msg: &[u8],
) -> Result<(), InvocationError> {
    let origin_url = entity_url(&inv.origin);
    let target_url = target_url(&inv.target, &inv.operation);
    let computed = invocation_hash(&origin_url, &target_url, &inv.operation, msg);
    if claims.metadata.invocation_hash != computed {
        return Err(InvocationError::Hash {
            claimed: claims.metadata.invocation_hash.clone(),
            computed,
        });
    }
    Ok(())
}
