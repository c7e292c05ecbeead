//! nkeys: ed25519 key pairs in the text form NATS and wasmCloud use.
//!
//! A public key is the RFC 4648 base32 text (no padding) of
//! `prefix byte ‖ 32-byte ed25519 public key ‖ CRC-16/XMODEM (little endian)`:
//! 35 bytes, 56 characters, whose first letter names the key's role
//! ([`KeyType`]). A seed (the secret) is
//! `(S prefix | type prefix) as two bytes ‖ 32-byte ed25519 seed ‖ CRC-16`:
//! 36 bytes, 58 characters starting with `S` and the role letter (`SA...`,
//! `SM...`). The format is byte-compatible with the `nkeys` crate and the Go
//! and JavaScript implementations, so keys made by `wash` or `nsc` load here.

use std::fmt;

use data_encoding::BASE32_NOPAD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

/// Length of a public key in text form.
pub const PUBLIC_KEY_LEN: usize = 56;
/// Length of a seed in text form.
pub const SEED_LEN: usize = 58;

/// Prefix byte of seeds (`S`), combined with the role's prefix.
const PREFIX_BYTE_SEED: u8 = 18 << 3;

/// The role of a key, shown by the first letter of its public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// `A`: an account; signs actor claims (the JWT issuer).
    Account,
    /// `C`: a cluster; signs invocations between hosts.
    Cluster,
    /// `M`: a wasm module (actor); the claims subject and the actor's id.
    Module,
    /// `N`: a server (host).
    Server,
    /// `O`: an operator; signs accounts.
    Operator,
    /// `U`: a user.
    User,
    /// `V`: a service (capability provider).
    Service,
}

impl KeyType {
    /// Every key type, in the order `keys gen` lists them.
    pub const ALL: [KeyType; 7] = [
        KeyType::Account,
        KeyType::Cluster,
        KeyType::Module,
        KeyType::Server,
        KeyType::Operator,
        KeyType::User,
        KeyType::Service,
    ];

    /// The prefix byte: the letter's base32 value in the top five bits, so
    /// the text form starts with that letter.
    pub fn prefix_byte(self) -> u8 {
        match self {
            KeyType::Account => 0,
            KeyType::Cluster => 2 << 3,
            KeyType::Module => 12 << 3,
            KeyType::Server => 13 << 3,
            KeyType::Operator => 14 << 3,
            KeyType::User => 20 << 3,
            KeyType::Service => 21 << 3,
        }
    }

    /// The first letter of public keys of this type.
    pub fn letter(self) -> char {
        match self {
            KeyType::Account => 'A',
            KeyType::Cluster => 'C',
            KeyType::Module => 'M',
            KeyType::Server => 'N',
            KeyType::Operator => 'O',
            KeyType::User => 'U',
            KeyType::Service => 'V',
        }
    }

    /// Lower-case name, as the CLI spells it (`account`, `module`, ...).
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Account => "account",
            KeyType::Cluster => "cluster",
            KeyType::Module => "module",
            KeyType::Server => "server",
            KeyType::Operator => "operator",
            KeyType::User => "user",
            KeyType::Service => "service",
        }
    }

    /// The type with this prefix byte.
    pub fn from_prefix_byte(b: u8) -> Option<KeyType> {
        KeyType::ALL.into_iter().find(|t| t.prefix_byte() == b)
    }

    /// The type whose public keys start with `letter`.
    pub fn from_letter(letter: char) -> Option<KeyType> {
        KeyType::ALL.into_iter().find(|t| t.letter() == letter)
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for KeyType {
    type Err = KeyError;

    /// Accepts the name (`account`), or the letter (`A`, `a`); `host` is an
    /// alias of `server` and `provider` of `service`, as upstream tools say.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        let alias = match lower.as_str() {
            "host" => Some(KeyType::Server),
            "provider" => Some(KeyType::Service),
            "actor" => Some(KeyType::Module),
            _ => None,
        };
        alias
            .or_else(|| KeyType::ALL.into_iter().find(|t| t.name() == lower))
            .or_else(|| {
                let mut c = s.chars();
                match (c.next(), c.next()) {
                    (Some(l), None) => KeyType::from_letter(l.to_ascii_uppercase()),
                    _ => None,
                }
            })
            .ok_or_else(|| KeyError::UnknownType(s.to_string()))
    }
}

/// Why a key could not be read or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The text has the wrong length.
    #[error("a {what} has {expected} characters, this one has {found}")]
    Length {
        /// "public key" or "seed".
        what: &'static str,
        /// The length required.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// The text is not base32.
    #[error("not an nkey: {0}")]
    Encoding(#[from] data_encoding::DecodeError),
    /// The CRC-16 at the end does not match (a typo or a truncated copy).
    #[error("checksum mismatch: the key was mistyped or altered")]
    Checksum,
    /// The prefix byte is not one of a known key type.
    #[error("unknown key prefix `{0}`")]
    Prefix(String),
    /// A seed was expected but a public key was given, or the other way round.
    #[error("expected a {expected}, found a {found}")]
    SeedOrPublic {
        /// What was expected.
        expected: &'static str,
        /// What was found.
        found: &'static str,
    },
    /// The key has the wrong role.
    #[error("expected {} key ({}...), found {} key {key}", article(.expected), .expected.letter(), article(.found))]
    WrongType {
        /// The role required.
        expected: KeyType,
        /// The role of the given key.
        found: KeyType,
        /// The key (public form).
        key: String,
    },
    /// The 32 bytes are not a valid ed25519 public key.
    #[error("not a valid ed25519 public key")]
    InvalidPoint,
    /// Signing needs the seed; this pair holds only a public key.
    #[error("cannot sign with public key {0}: the seed is needed")]
    NoSeed(String),
    /// `KeyType::from_str` got an unknown name.
    #[error("unknown key type `{0}` (expected account, cluster, module, server, operator, user or service)")]
    UnknownType(String),
}

fn article(t: &KeyType) -> String {
    let name = t.name();
    if name.starts_with(['a', 'o', 'u']) {
        format!("an {name}")
    } else {
        format!("a {name}")
    }
}

/// An ed25519 key pair with its role; may hold only the public half.
#[derive(Clone)]
pub struct KeyPair {
    kind: KeyType,
    public: VerifyingKey,
    seed: Option<SigningKey>,
}

impl fmt::Debug for KeyPair {
    // Never print the seed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field("kind", &self.kind)
            .field("public_key", &self.public_key())
            .field("has_seed", &self.seed.is_some())
            .finish()
    }
}

impl PartialEq for KeyPair {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.public == other.public
    }
}

impl KeyPair {
    /// A new random key pair of `kind` (seed from the operating system's
    /// random source).
    pub fn new(kind: KeyType) -> KeyPair {
        let seed: [u8; 32] = rand::random();
        Self::from_raw_seed(kind, seed)
    }

    /// The key pair of a raw 32-byte ed25519 seed.
    pub fn from_raw_seed(kind: KeyType, seed: [u8; 32]) -> KeyPair {
        let signing = SigningKey::from_bytes(&seed);
        KeyPair {
            kind,
            public: signing.verifying_key(),
            seed: Some(signing),
        }
    }

    /// Reads a seed (`S` + role letter, 58 characters).
    pub fn from_seed(text: &str) -> Result<KeyPair, KeyError> {
        let text = text.trim();
        if text.len() != SEED_LEN {
            if text.len() == PUBLIC_KEY_LEN {
                return Err(KeyError::SeedOrPublic {
                    expected: "seed",
                    found: "public key",
                });
            }
            return Err(KeyError::Length {
                what: "seed",
                expected: SEED_LEN,
                found: text.len(),
            });
        }
        let raw = decode_checked(text)?;
        if raw[0] & 0xf8 != PREFIX_BYTE_SEED {
            return Err(KeyError::Prefix(text[..1].to_string()));
        }
        let prefix = ((raw[0] & 0x07) << 5) | ((raw[1] & 0xf8) >> 3);
        let kind =
            KeyType::from_prefix_byte(prefix).ok_or_else(|| KeyError::Prefix(text[..2].into()))?;
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&raw[2..34]);
        Ok(Self::from_raw_seed(kind, seed))
    }

    /// Reads a public key (56 characters); the pair can verify, not sign.
    pub fn from_public_key(text: &str) -> Result<KeyPair, KeyError> {
        let (kind, bytes) = decode_public_key(text)?;
        let public = VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::InvalidPoint)?;
        Ok(KeyPair {
            kind,
            public,
            seed: None,
        })
    }

    /// Reads a public key and checks its role.
    pub fn from_public_key_of(kind: KeyType, text: &str) -> Result<KeyPair, KeyError> {
        let kp = Self::from_public_key(text)?;
        kp.expect_type(kind)?;
        Ok(kp)
    }

    /// Errors unless this key has role `kind`.
    pub fn expect_type(&self, kind: KeyType) -> Result<(), KeyError> {
        if self.kind == kind {
            Ok(())
        } else {
            Err(KeyError::WrongType {
                expected: kind,
                found: self.kind,
                key: self.public_key(),
            })
        }
    }

    /// The role of this key.
    pub fn key_type(&self) -> KeyType {
        self.kind
    }

    /// The public key in text form (56 characters).
    pub fn public_key(&self) -> String {
        encode_public_key(self.kind, self.public.as_bytes())
    }

    /// The seed in text form (58 characters), if this pair holds it. Treat
    /// it as a secret.
    pub fn seed(&self) -> Result<String, KeyError> {
        let signing = self
            .seed
            .as_ref()
            .ok_or_else(|| KeyError::NoSeed(self.public_key()))?;
        let p = self.kind.prefix_byte();
        let mut raw = Vec::with_capacity(36);
        raw.push(PREFIX_BYTE_SEED | (p >> 5));
        raw.push((p & 0x1f) << 3);
        raw.extend_from_slice(signing.as_bytes());
        push_crc(&mut raw);
        Ok(BASE32_NOPAD.encode(&raw))
    }

    /// True when this pair can sign.
    pub fn has_seed(&self) -> bool {
        self.seed.is_some()
    }

    /// Signs `data` (ed25519, 64 bytes).
    pub fn sign(&self, data: &[u8]) -> Result<[u8; 64], KeyError> {
        let signing = self
            .seed
            .as_ref()
            .ok_or_else(|| KeyError::NoSeed(self.public_key()))?;
        Ok(signing.sign(data).to_bytes())
    }

    /// Checks an ed25519 signature of `data` (strict verification: rejects
    /// malleable signatures and weak keys).
    pub fn verify(&self, data: &[u8], signature: &[u8]) -> bool {
        let Ok(sig) = <[u8; 64]>::try_from(signature) else {
            return false;
        };
        self.public
            .verify_strict(data, &Signature::from_bytes(&sig))
            .is_ok()
    }
}

/// Decodes a public key's text into its role and 32 key bytes, checking
/// length, checksum and prefix (not that the bytes are a curve point).
pub fn decode_public_key(text: &str) -> Result<(KeyType, [u8; 32]), KeyError> {
    let text = text.trim();
    if text.len() != PUBLIC_KEY_LEN {
        if text.len() == SEED_LEN && text.starts_with('S') {
            return Err(KeyError::SeedOrPublic {
                expected: "public key",
                found: "seed",
            });
        }
        return Err(KeyError::Length {
            what: "public key",
            expected: PUBLIC_KEY_LEN,
            found: text.len(),
        });
    }
    let raw = decode_checked(text)?;
    let kind =
        KeyType::from_prefix_byte(raw[0]).ok_or_else(|| KeyError::Prefix(text[..1].into()))?;
    let mut key = [0u8; 32];
    key.copy_from_slice(&raw[1..33]);
    Ok((kind, key))
}

/// True when `text` is a well-formed public key of role `kind`.
pub fn is_public_key_of(kind: KeyType, text: &str) -> bool {
    matches!(decode_public_key(text), Ok((k, _)) if k == kind)
}

/// Base32-decodes and strips the CRC, failing on a mismatch.
fn decode_checked(text: &str) -> Result<Vec<u8>, KeyError> {
    let mut raw = BASE32_NOPAD.decode(text.as_bytes())?;
    if raw.len() < 3 {
        return Err(KeyError::Checksum);
    }
    let n = raw.len() - 2;
    let stored = u16::from_le_bytes([raw[n], raw[n + 1]]);
    raw.truncate(n);
    if crc16(&raw) != stored {
        return Err(KeyError::Checksum);
    }
    Ok(raw)
}

/// Encodes 32 raw public-key bytes of `kind` as an nkeys public key: base32
/// (no padding) of prefix byte, key and CRC-16 (little endian), 56 characters.
pub fn encode_public_key(kind: KeyType, key: &[u8; 32]) -> String {
    let mut raw = Vec::with_capacity(35);
    raw.push(kind.prefix_byte());
    raw.extend_from_slice(key);
    push_crc(&mut raw);
    BASE32_NOPAD.encode(&raw)
}

fn push_crc(raw: &mut Vec<u8>) {
    let crc = crc16(raw);
    raw.extend_from_slice(&crc.to_le_bytes());
}

/// CRC-16/XMODEM (polynomial 0x1021, initial 0), as nkeys uses.
fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in data {
        crc ^= (b as u16) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// `opts` logging in as the NATS user `jwt`: the server's nonce is signed
/// with the key of `seed` (the user's). One place for the host bridge and
/// every provider that connects to NATS with a user JWT.
pub fn with_user_jwt(
    opts: async_nats::ConnectOptions,
    jwt: &str,
    seed: &str,
) -> Result<async_nats::ConnectOptions, KeyError> {
    let key = std::sync::Arc::new(KeyPair::from_seed(seed.trim())?);
    Ok(opts.jwt(jwt.trim().to_string(), move |nonce| {
        let key = key.clone();
        async move {
            key.sign(&nonce)
                .map(|s| s.to_vec())
                .map_err(async_nats::AuthError::new)
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_check_value() {
        assert_eq!(crc16(b"123456789"), 0x31c3);
    }

    #[test]
    fn every_type_round_trips_through_seed_and_public_key() {
        for kind in KeyType::ALL {
            let kp = KeyPair::new(kind);
            let pk = kp.public_key();
            let seed = kp.seed().unwrap();
            assert_eq!(pk.len(), PUBLIC_KEY_LEN);
            assert_eq!(seed.len(), SEED_LEN);
            assert!(pk.starts_with(kind.letter()), "{pk}");
            assert!(seed.starts_with(&format!("S{}", kind.letter())), "{seed}");
            let again = KeyPair::from_seed(&seed).unwrap();
            assert_eq!(again.public_key(), pk);
            assert_eq!(again.key_type(), kind);
            let public = KeyPair::from_public_key(&pk).unwrap();
            assert_eq!(public.key_type(), kind);
            assert!(!public.has_seed());
            let sig = kp.sign(b"data").unwrap();
            assert!(public.verify(b"data", &sig));
            assert!(!public.verify(b"datA", &sig));
            assert_eq!(kind.to_string().parse::<KeyType>().unwrap(), kind);
        }
    }
}
