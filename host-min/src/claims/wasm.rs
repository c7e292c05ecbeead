//! Claims inside a wasm module: the `wasmcloud_jwt` custom section (legacy
//! name `jwt`), and the module hash the claims bind to.
//!
//! The hash is computed the way wascap does, so hashes agree byte for byte:
//! the module is re-encoded section by section (each section id, its size
//! as minimal LEB128, its contents) leaving out every claims section, and
//! the uppercase hex SHA-256 of that is the hash. Signing writes exactly
//! those re-encoded bytes followed by one new `wasmcloud_jwt` section.

use sha2::{Digest, Sha256};
use wasmparser::{Encoding, Parser, Payload};

use super::ClaimsError;

/// Name of the claims section written by current tools.
pub const SECTION_WASMCLOUD_JWT: &str = "wasmcloud_jwt";
/// Name of the claims section written by wascap before 0.9; still read.
pub const SECTION_LEGACY_JWT: &str = "jwt";

/// Header of a core wasm module, version 1.
const MODULE_HEADER: [u8; 8] = *b"\0asm\x01\0\0\0";

fn is_claims_section(name: &str) -> bool {
    name == SECTION_WASMCLOUD_JWT || name == SECTION_LEGACY_JWT
}

/// What one pass over a module found.
struct Scan {
    /// The module re-encoded without claims sections.
    stripped: Vec<u8>,
    /// The contents of each claims section, in order.
    tokens: Vec<Vec<u8>>,
}

fn scan(module: &[u8]) -> Result<Scan, ClaimsError> {
    let mut stripped = Vec::with_capacity(module.len());
    let mut tokens = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload.map_err(ClaimsError::Wasm)?;
        match &payload {
            Payload::Version { encoding, .. } => {
                if *encoding != Encoding::Module {
                    return Err(ClaimsError::NotCoreModule);
                }
                stripped.extend_from_slice(&MODULE_HEADER);
                continue;
            }
            Payload::CustomSection(c) if is_claims_section(c.name()) => {
                tokens.push(c.data().to_vec());
                continue;
            }
            _ => {}
        }
        if let Some((id, range)) = payload.as_section() {
            let contents = module.get(range).ok_or(ClaimsError::Malformed(
                "a section extends past the end of the module",
            ))?;
            append_section(&mut stripped, id, contents);
        }
    }
    if stripped.is_empty() {
        // parse_all yields nothing for an empty input.
        return Err(ClaimsError::Malformed("the file is empty"));
    }
    Ok(Scan { stripped, tokens })
}

fn append_section(out: &mut Vec<u8>, id: u8, contents: &[u8]) {
    out.push(id);
    leb128(out, contents.len() as u64);
    out.extend_from_slice(contents);
}

/// Unsigned LEB128, minimal length.
fn leb128(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// `module` re-encoded without any `jwt` / `wasmcloud_jwt` section.
pub fn strip_claims(module: &[u8]) -> Result<Vec<u8>, ClaimsError> {
    Ok(scan(module)?.stripped)
}

/// The module hash claims bind to: uppercase hex SHA-256 of the module
/// without its claims sections.
pub fn module_hash(module: &[u8]) -> Result<String, ClaimsError> {
    Ok(hash_bytes(&strip_claims(module)?))
}

pub(crate) fn hash_bytes(stripped: &[u8]) -> String {
    data_encoding::HEXUPPER.encode(&Sha256::digest(stripped))
}

/// The module without claims sections, plus the claims token text if there
/// is exactly one claims section (`None` when there is none).
pub(super) fn split_module(module: &[u8]) -> Result<(Vec<u8>, Option<String>), ClaimsError> {
    let Scan { stripped, tokens } = scan(module)?;
    match tokens.len() {
        0 => Ok((stripped, None)),
        1 => {
            let jwt = String::from_utf8(tokens.into_iter().next().unwrap_or_default())
                .map_err(|_| ClaimsError::Token("claims section is not UTF-8 text".into()))?;
            Ok((stripped, Some(jwt)))
        }
        // A second token could be meant to shadow the first for some
        // readers; refuse rather than guess which one counts.
        n => Err(ClaimsError::DuplicateClaims(n)),
    }
}

/// `stripped` (a module without claims) followed by a `wasmcloud_jwt`
/// custom section holding `jwt`.
pub(super) fn append_claims(mut stripped: Vec<u8>, jwt: &str) -> Vec<u8> {
    let name = SECTION_WASMCLOUD_JWT.as_bytes();
    let mut contents = Vec::with_capacity(name.len() + jwt.len() + 2);
    leb128(&mut contents, name.len() as u64);
    contents.extend_from_slice(name);
    contents.extend_from_slice(jwt.as_bytes());
    append_section(&mut stripped, 0, &contents);
    stripped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leb128_is_minimal() {
        let mut v = Vec::new();
        leb128(&mut v, 0);
        leb128(&mut v, 127);
        leb128(&mut v, 128);
        leb128(&mut v, 624485);
        assert_eq!(v, [0x00, 0x7f, 0x80, 0x01, 0xe5, 0x8e, 0x26]);
    }

    #[test]
    fn non_minimal_section_sizes_are_reencoded() {
        // A type section with no entries whose size is padded to 5 bytes.
        let mut m = MODULE_HEADER.to_vec();
        m.extend_from_slice(&[1, 0x81, 0x80, 0x80, 0x80, 0x00, 0x00]);
        assert_eq!(
            strip_claims(&m).unwrap(),
            [&MODULE_HEADER[..], &[1, 1, 0]].concat()
        );
    }

    #[test]
    fn garbage_and_components_are_errors() {
        assert!(matches!(
            strip_claims(b""),
            Err(ClaimsError::Wasm(_) | ClaimsError::Malformed(_))
        ));
        assert!(matches!(
            strip_claims(b"not wasm"),
            Err(ClaimsError::Wasm(_))
        ));
        let component = b"\0asm\x0d\0\x01\0";
        assert!(matches!(
            strip_claims(component),
            Err(ClaimsError::NotCoreModule)
        ));
        let mut truncated = MODULE_HEADER.to_vec();
        truncated.extend_from_slice(&[1, 10, 0]);
        assert!(matches!(
            strip_claims(&truncated),
            Err(ClaimsError::Wasm(_))
        ));
    }
}
