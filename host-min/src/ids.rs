//! Identities of actors and providers.
//!
//! A signed actor's id is its claims subject, a module public key (`M...`,
//! 56 characters). Until claims are verified (issue 5) the host derives a
//! stable key of the same shape from the manifest name, so ids look and route
//! exactly like upstream keys and stay the same across restarts.

use sha2::{Digest, Sha256};

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
    fn prefix_byte(self) -> u8 {
        match self {
            KeyKind::Module => 12 << 3,
            KeyKind::Service => 21 << 3,
            KeyKind::Server => 13 << 3,
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

/// Encodes 32 raw key bytes as an nkeys public key: base32 (RFC 4648, no
/// padding) of prefix byte, key, CRC-16/XMODEM little endian.
pub fn encode_public_key(kind: KeyKind, key: &[u8; 32]) -> String {
    let mut raw = Vec::with_capacity(35);
    raw.push(kind.prefix_byte());
    raw.extend_from_slice(key);
    let crc = crc16(&raw);
    raw.extend_from_slice(&crc.to_le_bytes());
    base32(&raw)
}

/// True when `s` has the shape of a module public key.
pub fn looks_like_module_key(s: &str) -> bool {
    s.len() == 56
        && s.starts_with('M')
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
}

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

fn base32(data: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity((data.len() * 8).div_ceil(5));
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in data {
        buf = (buf << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
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
    fn crc_and_base32_match_known_values() {
        // CRC-16/XMODEM check value of "123456789".
        assert_eq!(crc16(b"123456789"), 0x31c3);
        // RFC 4648 test vectors (without padding).
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"fo"), "MZXQ");
    }
}
