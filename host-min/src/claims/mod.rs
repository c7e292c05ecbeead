//! Capability security: nkeys, signed actor claims, and the policy the
//! router enforces.
//!
//! # How the host uses it
//!
//! A host builds one `Arc<ClaimsPolicy>` ([`ClaimsPolicy::enforcing`], or
//! [`ClaimsPolicy::allow_unsigned`] when the operator asks for the
//! development setting) and gives it to `Router::new` as its
//! [`crate::router::Policy`]. [`crate::router::Router::start_actor`] then
//! admits each module through it (verifying the claims; the actor runs
//! under its claims subject, reachable also by the claims' call alias),
//! grants the caps and loads it; `Router::stop_actor` withdraws the grants.
//! The CLI subcommands `host-min claims ...` / `host-min keys ...` are in
//! [`cli`].
//!
//! # Library API
//!
//! - [`sign_actor`] embeds signed claims ([`SignOptions`]) into a module;
//! - [`extract_claims`] reads the token without trusting it;
//! - [`verify`] checks signature, module hash, `exp` / `nbf` and key roles;
//! - [`keys`] generates and parses nkeys; [`ClaimsPolicy`] enforces `caps`.

pub mod cli;
pub mod jwt;
pub mod keys;
pub mod policy;
pub mod wasm;

use std::time::{Duration, SystemTime};

pub use jwt::{ActorMetadata, Claims, Token};
pub use keys::{KeyError, KeyPair, KeyType};
pub use policy::{AdmittedActor, ClaimsPolicy};

/// Why claims could not be made, read or trusted.
#[derive(Debug, thiserror::Error)]
pub enum ClaimsError {
    /// The bytes are not a well-formed wasm module.
    #[error("not a valid wasm module: {0}")]
    Wasm(#[source] wasmparser::BinaryReaderError),
    /// The bytes are not a wasm module, for a reason the parser does not report.
    #[error("not a valid wasm module: {0}")]
    Malformed(&'static str),
    /// A wasm component, not a core module.
    #[error("not a core wasm module (a component?): only core modules carry actor claims")]
    NotCoreModule,
    /// The module has no claims section.
    #[error("the module is not signed (no `wasmcloud_jwt` section); sign it with `host-min claims sign`, or set allow_unsigned for development")]
    Unsigned,
    /// More than one claims section.
    #[error("the module carries {0} claims sections; exactly one is allowed")]
    DuplicateClaims(usize),
    /// The token text is malformed.
    #[error("malformed claims token: {0}")]
    Token(String),
    /// Claims could not be written as JSON.
    #[error("cannot encode claims: {0}")]
    Json(#[source] serde_json::Error),
    /// The JWT header is not `{"typ":"jwt","alg":"Ed25519"}`.
    #[error("unsupported claims token header (typ `{typ}`, alg `{alg}`; expected typ `jwt`, alg `Ed25519`)")]
    Header {
        /// `typ` found.
        typ: String,
        /// `alg` found.
        alg: String,
    },
    /// The issuer is not a valid account key.
    #[error("claims issuer `{key}` is not a valid account key: {source}")]
    Issuer {
        /// The `iss` value.
        key: String,
        /// Why.
        #[source]
        source: KeyError,
    },
    /// The subject is not a valid key of the role the token needs (a
    /// module key for actors, a service key for providers; a wrong role is
    /// a [`KeyError::WrongType`] naming both).
    #[error("claims subject `{key}` is not a valid subject key: {source}")]
    Subject {
        /// The `sub` value.
        key: String,
        /// Why.
        #[source]
        source: KeyError,
    },
    /// The signature does not verify against the issuer.
    #[error("claims signature is invalid: the token was not signed by its issuer {issuer} or was altered")]
    BadSignature {
        /// The claimed issuer.
        issuer: String,
    },
    /// The module does not match the hash in the claims.
    #[error("module hash mismatch: the claims were signed for a module hashing to {claimed}, this module hashes to {actual} (was it changed after signing?)")]
    HashMismatch {
        /// Hash in the claims.
        claimed: String,
        /// Hash of the module.
        actual: String,
    },
    /// `exp` has passed.
    #[error("claims expired at {} ({} ago)", format_time(*.expired_at), format_duration(.now.saturating_sub(*.expired_at)))]
    Expired {
        /// `exp`, seconds since the epoch.
        expired_at: u64,
        /// The time checked against.
        now: u64,
    },
    /// `nbf` has not come yet.
    #[error("claims are not valid before {} (in {})", format_time(*.valid_from), format_duration(.valid_from.saturating_sub(*.now)))]
    NotYetValid {
        /// `nbf`, seconds since the epoch.
        valid_from: u64,
        /// The time checked against.
        now: u64,
    },
    /// A key problem (wrong seed, public key where a seed is needed...).
    #[error(transparent)]
    Key(#[from] KeyError),
    /// Invalid signing options.
    #[error("invalid signing options: {0}")]
    Options(String),
}

/// What to put into an actor's claims. `issuer` must hold an account seed;
/// `subject` a module key (a new one is generated when `None`: the actor's
/// identity then changes on each signing, so keep and reuse the module key).
#[derive(Debug, Clone)]
pub struct SignOptions {
    /// Capability contract ids (`caps`).
    pub caps: Vec<String>,
    /// Actor name (`name`).
    pub name: String,
    /// The signing account key (`iss`).
    pub issuer: KeyPair,
    /// The module key (`sub`); generated when `None`.
    pub subject: Option<KeyPair>,
    /// `call_alias`, normalized by [`normalize_call_alias`] when signing.
    pub call_alias: Option<String>,
    /// `tags`.
    pub tags: Vec<String>,
    /// `rev`.
    pub rev: Option<i32>,
    /// `ver`.
    pub ver: Option<String>,
    /// `exp` = now + this.
    pub expires_in: Option<Duration>,
    /// `nbf` = now + this.
    pub not_before: Option<Duration>,
}

impl SignOptions {
    /// Options with a name, caps and issuer; everything else unset.
    pub fn new(name: impl Into<String>, caps: Vec<String>, issuer: KeyPair) -> SignOptions {
        SignOptions {
            caps,
            name: name.into(),
            issuer,
            subject: None,
            call_alias: None,
            tags: Vec::new(),
            rev: None,
            ver: None,
            expires_in: None,
            not_before: None,
        }
    }
}

/// Signs `module`: removes any existing claims, computes the module hash,
/// and appends a `wasmcloud_jwt` section with claims signed by
/// `opts.issuer`. Returns the signed module.
pub fn sign_actor(module: &[u8], opts: SignOptions) -> Result<Vec<u8>, ClaimsError> {
    sign_actor_at(module, opts, SystemTime::now())
}

/// [`sign_actor`] with an explicit signing time (`iat`, and the base of
/// `exp` / `nbf`).
pub fn sign_actor_at(
    module: &[u8],
    opts: SignOptions,
    now: SystemTime,
) -> Result<Vec<u8>, ClaimsError> {
    opts.issuer.expect_type(KeyType::Account)?;
    if !opts.issuer.has_seed() {
        return Err(KeyError::NoSeed(opts.issuer.public_key()).into());
    }
    let subject = opts
        .subject
        .unwrap_or_else(|| KeyPair::new(KeyType::Module));
    subject.expect_type(KeyType::Module)?;
    if opts.name.trim().is_empty() {
        return Err(ClaimsError::Options(
            "the actor name must not be empty".into(),
        ));
    }
    for cap in &opts.caps {
        if cap.is_empty() || cap.chars().any(char::is_whitespace) {
            return Err(ClaimsError::Options(format!(
                "capability `{cap}` is not a contract id (e.g. wasmcloud:keyvalue)"
            )));
        }
    }
    let call_alias = opts.call_alias.as_deref().map(normalize_call_alias);
    if let (Some(raw), Some(alias)) = (&opts.call_alias, &call_alias) {
        // An alias that is a module key could shadow another actor's id.
        if alias.is_empty() || keys::is_public_key_of(KeyType::Module, raw.trim()) {
            return Err(ClaimsError::Options(format!(
                "call alias `{alias}` must be non-empty and not a module key"
            )));
        }
    }
    let (stripped, _) = wasm::split_module(module).or_else(|e| match e {
        // Re-signing a module with several claims sections replaces them all.
        ClaimsError::DuplicateClaims(_) => wasm::strip_claims(module).map(|s| (s, None)),
        other => Err(other),
    })?;
    let now_s = jwt::unix_seconds(now);
    let claims = Claims {
        expires: opts.expires_in.map(|d| now_s.saturating_add(d.as_secs())),
        id: uuid::Uuid::new_v4().simple().to_string(),
        issued_at: now_s,
        issuer: opts.issuer.public_key(),
        subject: subject.public_key(),
        not_before: opts.not_before.map(|d| now_s.saturating_add(d.as_secs())),
        wascap: ActorMetadata {
            name: Some(opts.name),
            module_hash: wasm::hash_bytes(&stripped),
            tags: (!opts.tags.is_empty()).then_some(opts.tags),
            caps: (!opts.caps.is_empty()).then_some(opts.caps),
            rev: opts.rev,
            ver: opts.ver,
            call_alias,
            provider: false,
        },
        wascap_revision: Some(jwt::WASCAP_REVISION),
    };
    let token = jwt::encode(&claims, &opts.issuer)?;
    Ok(wasm::append_claims(stripped, &token))
}

/// Reads the claims token of `module` without checking it (`None` when the
/// module is unsigned). The claims are untrusted until [`verify`] passes.
pub fn extract_claims(module: &[u8]) -> Result<Option<Token<Claims>>, ClaimsError> {
    let (_, jwt) = wasm::split_module(module)?;
    match jwt {
        None => Ok(None),
        Some(jwt) => {
            let claims = jwt::decode(&jwt)?;
            Ok(Some(Token { jwt, claims }))
        }
    }
}

/// Verifies `module`'s claims at time `now`: the module is signed, the
/// token is well formed with an account issuer and a module subject, the
/// signature verifies, the module hash matches, and `now` lies within
/// `nbf` .. `exp`. Returns the trusted claims. Unlike wascap, the hash is
/// checked whatever `wascap_revision` says (tokens older than revision 3
/// would otherwise not be bound to the code).
pub fn verify(module: &[u8], now: SystemTime) -> Result<Claims, ClaimsError> {
    let (stripped, jwt) = wasm::split_module(module)?;
    let jwt = jwt.ok_or(ClaimsError::Unsigned)?;
    // Signature first: a hash mismatch is only meaningful for a genuine token.
    let claims = jwt::verify_token(&jwt, now)?;
    let actual = wasm::hash_bytes(&stripped);
    if claims.wascap.module_hash != actual {
        return Err(ClaimsError::HashMismatch {
            claimed: claims.wascap.module_hash,
            actual,
        });
    }
    Ok(claims)
}

/// A call alias as upstream tools write it: trimmed, lower case, ASCII
/// only, with spaces, `-` and `.` turned into `_` (`My-Actor` -> `my_actor`).
pub fn normalize_call_alias(alias: &str) -> String {
    alias
        .trim()
        .to_lowercase()
        .chars()
        .filter(char::is_ascii)
        .map(|c| if matches!(c, ' ' | '-' | '.') { '_' } else { c })
        .collect()
}

/// `secs` since the epoch as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn format_time(secs: u64) -> String {
    let (y, m, d, hh, mm, ss) = civil(secs);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02} UTC")
}

/// `secs` since the epoch as RFC 3339 (`YYYY-MM-DDTHH:MM:SSZ`), as
/// CloudEvents' `time` wants it.
pub fn format_rfc3339(secs: u64) -> String {
    let (y, m, d, hh, mm, ss) = civil(secs);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
}

/// Civil date and time (UTC) of `secs` since the epoch.
fn civil(secs: u64) -> (i64, i64, i64, u64, u64, u64) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
}

/// A duration in seconds, rounded to its largest unit (`3 days`, `5 minutes`).
pub fn format_duration(secs: u64) -> String {
    // Rounded to the nearest unit: a token signed for 2 days and inspected
    // a second later still expires "in 2 days", not "in 1 day".
    let (n, unit) = match secs {
        s if s >= 86_400 => ((s + 43_200) / 86_400, "day"),
        s if s >= 3600 => ((s + 1800) / 3600, "hour"),
        s if s >= 60 => ((s + 30) / 60, "minute"),
        s => (s, "second"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_formatting() {
        assert_eq!(format_time(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_time(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(format_time(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(format_duration(59), "59 seconds");
        assert_eq!(format_duration(60), "1 minute");
        assert_eq!(format_duration(3 * 86_400 + 5), "3 days");
        assert_eq!(format_duration(2 * 86_400 - 1), "2 days");
        assert_eq!(format_duration(86_400 + 3600), "1 day");
    }

    #[test]
    fn call_aliases_are_normalized_like_upstream() {
        assert_eq!(normalize_call_alias(" My-Actor.v2 x "), "my_actor_v2_x");
        assert_eq!(normalize_call_alias("caf\u{e9}_ok"), "caf_ok");
    }
}
