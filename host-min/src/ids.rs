//! Identities of actors and providers.
//!
//! A signed actor's id is its claims subject, a module public key (`M...`,
//! 56 characters). Where an id is needed without claims (an unsigned actor
//! admitted under `allow_unsigned`, a provider instance, the host itself) the
//! host derives a stable key of the same shape from the name, so ids look and
//! route exactly like upstream keys and stay the same across restarts.

use sha2::{Digest, Sha256};

use crate::claims::keys::{self, KeyType};

/// Key kinds and their nkeys prefix bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// `M`: a wasm module (actor).
    Module,
    /// `V`: a service (capability provider).
    Service,
    /// `N`: a server (host).
    Server,
}

impl KeyKind {
    fn key_type(self) -> KeyType {
        match self {
            KeyKind::Module => KeyType::Module,
            KeyKind::Service => KeyType::Service,
            KeyKind::Server => KeyType::Server,
        }
    }
}

/// A public key of `kind` derived deterministically from `name`
/// (SHA-256 of a domain tag and the name as the 32 key bytes).
pub fn derived_key(kind: KeyKind, name: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"host-min derived key\0");
    h.update(name.as_bytes());
    encode_public_key(kind, &h.finalize().into())
}

/// Encodes 32 raw key bytes as an nkeys public key (see
/// [`crate::claims::keys::encode_public_key`]).
pub fn encode_public_key(kind: KeyKind, key: &[u8; 32]) -> String {
    keys::encode_public_key(kind.key_type(), key)
}

/// True when `s` has the shape of a module public key.
pub fn looks_like_module_key(s: &str) -> bool {
    s.len() == 56
        && s.starts_with('M')
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_keys_have_nkey_shape_and_are_stable() {
        let a = derived_key(KeyKind::Module, "kvcounter");
        assert_eq!(a.len(), 56);
        assert!(a.starts_with('M'), "{a}");
        assert!(looks_like_module_key(&a));
        assert_eq!(a, derived_key(KeyKind::Module, "kvcounter"));
        assert_ne!(a, derived_key(KeyKind::Module, "other"));
        assert!(derived_key(KeyKind::Service, "kv").starts_with('V'));
        assert!(derived_key(KeyKind::Server, "h").starts_with('N'));
    }

    #[test]
    fn derived_keys_parse_as_nkeys_of_their_kind() {
        // The derived ids go through the same encoder as real keys, so the
        // claims key parser (checksum, prefix) accepts them.
        let m = derived_key(KeyKind::Module, "kvcounter");
        let (kind, _) = keys::decode_public_key(&m).expect("valid nkey");
        assert_eq!(kind, KeyType::Module);
        let v = derived_key(KeyKind::Service, "kv");
        assert!(keys::is_public_key_of(KeyType::Service, &v));
    }
}
