//! Claims library tests: keys, sign / extract / verify, and every way a
//! module or token can be wrong.

#[path = "claims/support.rs"]
mod support;

use std::time::{Duration, SystemTime};

use data_encoding::BASE64URL_NOPAD;
use host_min::claims::jwt::{self, Claims};
use host_min::claims::keys::{decode_public_key, PUBLIC_KEY_LEN, SEED_LEN};
use host_min::claims::wasm::{module_hash, strip_claims, SECTION_LEGACY_JWT};
use host_min::claims::{
    extract_claims, sign_actor, sign_actor_at, verify, ClaimsError, KeyError, KeyPair, KeyType,
};
use support::{answer_module, custom_section, options, run_answer};

fn now() -> SystemTime {
    SystemTime::now()
}

/// The token inside a signed module.
fn token_of(module: &[u8]) -> String {
    extract_claims(module).unwrap().expect("signed").jwt
}

/// `module` with its claims replaced by `jwt` in a section named `section`.
fn with_token(module: &[u8], section: &str, jwt: &str) -> Vec<u8> {
    let mut m = strip_claims(module).unwrap();
    custom_section(&mut m, section, jwt.as_bytes());
    m
}

/// Re-encodes the claims part of `jwt` after `edit`, keeping the old
/// signature.
fn forge(jwt: &str, edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&BASE64URL_NOPAD.decode(parts[1].as_bytes()).unwrap()).unwrap();
    edit(&mut claims);
    let body = BASE64URL_NOPAD.encode(&serde_json::to_vec(&claims).unwrap());
    format!("{}.{body}.{}", parts[0], parts[2])
}

// ---------------------------------------------------------------- keys

#[test]
fn keys_have_the_nkeys_shape_and_round_trip() {
    for (kind, letter) in [
        (KeyType::Account, 'A'),
        (KeyType::Cluster, 'C'),
        (KeyType::Module, 'M'),
        (KeyType::Server, 'N'),
        (KeyType::Operator, 'O'),
        (KeyType::User, 'U'),
        (KeyType::Service, 'V'),
    ] {
        let kp = KeyPair::new(kind);
        let pk = kp.public_key();
        let seed = kp.seed().unwrap();
        assert_eq!((pk.len(), seed.len()), (PUBLIC_KEY_LEN, SEED_LEN));
        assert_eq!(pk.chars().next(), Some(letter));
        assert_eq!(&seed[..2], format!("S{letter}"));
        let from_seed = KeyPair::from_seed(&seed).unwrap();
        assert_eq!(from_seed.public_key(), pk);
        assert_eq!(from_seed.seed().unwrap(), seed);
        let (k, raw) = decode_public_key(&pk).unwrap();
        assert_eq!(k, kind);
        // the raw key is the ed25519 key: re-encoding gives the same text
        assert_eq!(KeyPair::from_public_key(&pk).unwrap().public_key(), pk);
        assert_ne!(raw, [0u8; 32]);
    }
    // two new keys differ
    assert_ne!(
        KeyPair::new(KeyType::Module).public_key(),
        KeyPair::new(KeyType::Module).public_key()
    );
}

#[test]
fn key_typos_are_caught_by_the_checksum() {
    let kp = KeyPair::new(KeyType::Account);
    let pk = kp.public_key();
    let seed = kp.seed().unwrap();
    // change one character in the middle of each
    for text in [&pk, &seed] {
        let mut chars: Vec<char> = text.chars().collect();
        let i = 20;
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        let typo: String = chars.into_iter().collect();
        let err = if text.len() == PUBLIC_KEY_LEN {
            KeyPair::from_public_key(&typo).unwrap_err()
        } else {
            KeyPair::from_seed(&typo).unwrap_err()
        };
        assert_eq!(err, KeyError::Checksum, "{typo}");
        assert!(err.to_string().contains("checksum mismatch"));
    }
    // wrong lengths, wrong alphabet, seed vs public key
    assert!(matches!(
        KeyPair::from_public_key(&pk[..55]),
        Err(KeyError::Length {
            expected: 56,
            found: 55,
            ..
        })
    ));
    assert!(matches!(
        KeyPair::from_public_key(&pk.to_lowercase()),
        Err(KeyError::Encoding(_))
    ));
    assert!(matches!(
        KeyPair::from_public_key(&seed),
        Err(KeyError::SeedOrPublic { .. })
    ));
    assert!(matches!(
        KeyPair::from_seed(&pk),
        Err(KeyError::SeedOrPublic { .. })
    ));
    // a public key cannot sign
    let public = KeyPair::from_public_key(&pk).unwrap();
    assert!(matches!(public.sign(b"x"), Err(KeyError::NoSeed(_))));
    assert!(matches!(public.seed(), Err(KeyError::NoSeed(_))));
    // role checks
    let err = KeyPair::from_public_key_of(KeyType::Module, &pk).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("expected a module key (M...), found an account key {pk}")
    );
    assert_eq!("host".parse::<KeyType>().unwrap(), KeyType::Server);
    assert_eq!("V".parse::<KeyType>().unwrap(), KeyType::Service);
    assert!("bogus".parse::<KeyType>().is_err());
}

// ------------------------------------------------- sign / extract / verify

#[test]
fn sign_extract_verify_round_trip() {
    let original = answer_module(42);
    let (mut opts, account, module_key) = options(
        "answer",
        &["wasmcloud:keyvalue", "wasmcloud:builtin:logging"],
    );
    opts.call_alias = Some("answers".into());
    opts.tags = vec!["demo".into()];
    opts.rev = Some(3);
    opts.ver = Some("1.2.3".into());
    opts.expires_in = Some(Duration::from_secs(3600));
    let signed = sign_actor(&original, opts).unwrap();

    // still runs, and the hash ignores the claims section
    assert_eq!(run_answer(&signed), 42);
    assert_eq!(
        module_hash(&signed).unwrap(),
        module_hash(&original).unwrap()
    );
    assert_eq!(strip_claims(&signed).unwrap(), original);

    let token = extract_claims(&signed).unwrap().expect("claims present");
    assert_eq!(token.jwt.split('.').count(), 3);
    let header: serde_json::Value = serde_json::from_slice(
        &BASE64URL_NOPAD
            .decode(token.jwt.split('.').next().unwrap().as_bytes())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header, serde_json::json!({"typ": "jwt", "alg": "Ed25519"}));

    let c = verify(&signed, now()).unwrap();
    assert_eq!(c, token.claims);
    assert_eq!(c.issuer, account.public_key());
    assert_eq!(c.subject, module_key.public_key());
    assert_eq!(c.wascap_revision, Some(3));
    assert_eq!(c.wascap.name.as_deref(), Some("answer"));
    assert_eq!(
        c.caps(),
        ["wasmcloud:keyvalue", "wasmcloud:builtin:logging"]
    );
    assert_eq!(c.wascap.call_alias.as_deref(), Some("answers"));
    assert_eq!(c.wascap.tags.as_deref(), Some(&["demo".to_string()][..]));
    assert_eq!(
        (c.wascap.rev, c.wascap.ver.as_deref()),
        (Some(3), Some("1.2.3"))
    );
    assert!(!c.wascap.provider);
    assert_eq!(c.wascap.module_hash, module_hash(&original).unwrap());
    assert_eq!(c.wascap.module_hash.len(), 64);
    assert!(c
        .wascap
        .module_hash
        .chars()
        .all(|ch| ch.is_ascii_digit() || ch.is_ascii_uppercase()));
    assert_eq!(c.expires, Some(c.issued_at + 3600));
    assert_eq!(c.not_before, None);

    // the claims JSON uses the wascap field names
    let raw: serde_json::Value = serde_json::from_slice(
        &BASE64URL_NOPAD
            .decode(token.jwt.split('.').nth(1).unwrap().as_bytes())
            .unwrap(),
    )
    .unwrap();
    for key in [
        "jti",
        "iat",
        "iss",
        "sub",
        "exp",
        "wascap",
        "wascap_revision",
    ] {
        assert!(raw.get(key).is_some(), "{key} missing in {raw}");
    }
    for key in [
        "name",
        "hash",
        "tags",
        "caps",
        "rev",
        "ver",
        "call_alias",
        "prov",
    ] {
        assert!(
            raw["wascap"].get(key).is_some(),
            "wascap.{key} missing in {raw}"
        );
    }
}

#[test]
fn unsigned_modules_have_no_claims() {
    let m = answer_module(7);
    assert!(extract_claims(&m).unwrap().is_none());
    let err = verify(&m, now()).unwrap_err();
    assert!(matches!(err, ClaimsError::Unsigned));
    assert!(err.to_string().contains("not signed"), "{err}");
    // garbage is an error, never a panic
    assert!(matches!(
        extract_claims(b"\0asm\x01\0\0\0\x0a\xff").unwrap_err(),
        ClaimsError::Wasm(_) | ClaimsError::Malformed(_)
    ));
    assert!(verify(b"hello", now()).is_err());
}

#[test]
fn resigning_replaces_the_claims_and_keeps_the_hash() {
    let original = answer_module(1);
    let (opts, _, module_key) = options("one", &["wasmcloud:keyvalue"]);
    let first = sign_actor(&original, opts).unwrap();
    let (mut opts2, account2, _) = options("one", &["wasmcloud:httpserver"]);
    opts2.subject = Some(module_key.clone());
    let second = sign_actor(&first, opts2).unwrap();
    assert_eq!(strip_claims(&second).unwrap(), original);
    let c = verify(&second, now()).unwrap();
    assert_eq!(c.caps(), ["wasmcloud:httpserver"]);
    assert_eq!(c.issuer, account2.public_key());
    assert_eq!(c.subject, module_key.public_key());
}

#[test]
fn a_changed_module_fails_the_hash_check() {
    let (opts, ..) = options("answer", &["wasmcloud:keyvalue"]);
    let signed = sign_actor(&answer_module(42), opts).unwrap();
    // patch the i32.const immediate: 42 -> 43 (the code section precedes
    // the claims section, so search from the front)
    let pos = signed
        .windows(3)
        .position(|w| w == [0x41, 42, 0x0b])
        .unwrap();
    let mut tampered = signed.clone();
    tampered[pos + 1] = 43;
    assert_eq!(run_answer(&tampered), 43);
    let err = verify(&tampered, now()).unwrap_err();
    match &err {
        ClaimsError::HashMismatch { claimed, actual } => {
            assert_eq!(claimed, &module_hash(&signed).unwrap());
            assert_eq!(actual, &module_hash(&tampered).unwrap());
        }
        other => panic!("expected a hash mismatch, got {other}"),
    }
    assert!(err.to_string().starts_with("module hash mismatch"), "{err}");

    // the claims of one module moved onto another: same
    let moved = with_token(&answer_module(9), "wasmcloud_jwt", &token_of(&signed));
    assert!(matches!(
        verify(&moved, now()),
        Err(ClaimsError::HashMismatch { .. })
    ));
}

#[test]
fn an_altered_token_fails_the_signature_check() {
    let (opts, account, _) = options("answer", &["wasmcloud:keyvalue"]);
    let signed = sign_actor(&answer_module(42), opts).unwrap();
    let jwt = token_of(&signed);

    // grant itself another capability
    let forged = forge(&jwt, |c| {
        c["wascap"]["caps"]
            .as_array_mut()
            .unwrap()
            .push("wasmcloud:messaging".into())
    });
    let m = with_token(&signed, "wasmcloud_jwt", &forged);
    let err = verify(&m, now()).unwrap_err();
    assert!(
        matches!(&err, ClaimsError::BadSignature { issuer } if *issuer == account.public_key()),
        "{err}"
    );
    assert!(
        err.to_string().starts_with("claims signature is invalid"),
        "{err}"
    );

    // claim another issuer without its key
    let other = KeyPair::new(KeyType::Account).public_key();
    let forged = forge(&jwt, |c| c["iss"] = other.clone().into());
    let err = verify(&with_token(&signed, "wasmcloud_jwt", &forged), now()).unwrap_err();
    assert!(matches!(err, ClaimsError::BadSignature { .. }), "{err}");

    // a flipped signature byte
    let mut chars: Vec<char> = jwt.chars().collect();
    let i = chars.len() - 10;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    let bad_sig: String = chars.into_iter().collect();
    let err = verify(&with_token(&signed, "wasmcloud_jwt", &bad_sig), now()).unwrap_err();
    assert!(matches!(err, ClaimsError::BadSignature { .. }), "{err}");

    // structural damage
    for broken in ["", "a.b", "a.b.c.d", "!!.??.**"] {
        let err = verify(&with_token(&signed, "wasmcloud_jwt", broken), now()).unwrap_err();
        assert!(matches!(err, ClaimsError::Token(_)), "{broken}: {err}");
    }
    let err = verify(
        &with_token(
            &signed,
            "wasmcloud_jwt",
            &forge(&jwt, |c| c["sub"] = other.clone().into()),
        ),
        now(),
    )
    .unwrap_err();
    assert!(matches!(err, ClaimsError::Subject { .. }), "{err}");
}

#[test]
fn only_account_keys_issue_and_only_module_keys_are_subjects() {
    let m = answer_module(1);
    let (mut opts, ..) = options("x", &[]);
    opts.issuer = KeyPair::new(KeyType::Operator);
    assert!(matches!(
        sign_actor(&m, opts).unwrap_err(),
        ClaimsError::Key(KeyError::WrongType {
            expected: KeyType::Account,
            ..
        })
    ));
    let (mut opts, ..) = options("x", &[]);
    opts.subject = Some(KeyPair::new(KeyType::Service));
    assert!(matches!(
        sign_actor(&m, opts).unwrap_err(),
        ClaimsError::Key(KeyError::WrongType {
            expected: KeyType::Module,
            ..
        })
    ));
    let (mut opts, account, _) = options("x", &[]);
    opts.issuer = KeyPair::from_public_key(&account.public_key()).unwrap();
    assert!(matches!(
        sign_actor(&m, opts).unwrap_err(),
        ClaimsError::Key(KeyError::NoSeed(_))
    ));

    // a token signed by a non-account key is refused even with a good signature
    let operator = KeyPair::new(KeyType::Operator);
    let claims = Claims {
        expires: None,
        id: "x".into(),
        issued_at: 1,
        issuer: operator.public_key(),
        subject: KeyPair::new(KeyType::Module).public_key(),
        not_before: None,
        wascap: host_min::claims::ActorMetadata {
            module_hash: module_hash(&m).unwrap(),
            ..Default::default()
        },
        wascap_revision: Some(3),
    };
    let jwt = jwt::encode(&claims, &operator).unwrap();
    let err = verify(&with_token(&m, "wasmcloud_jwt", &jwt), now()).unwrap_err();
    assert!(matches!(err, ClaimsError::Issuer { .. }), "{err}");
}

#[test]
fn expiry_and_not_before_are_enforced() {
    let m = answer_module(5);
    let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);

    let (mut opts, ..) = options("short-lived", &[]);
    opts.expires_in = Some(Duration::from_secs(60));
    let signed = sign_actor_at(&m, opts, t0).unwrap();
    assert!(verify(&signed, t0).is_ok());
    assert!(verify(&signed, t0 + Duration::from_secs(60)).is_ok());
    let err = verify(&signed, t0 + Duration::from_secs(61 + 3 * 3600)).unwrap_err();
    assert!(
        matches!(err, ClaimsError::Expired { expired_at, .. } if expired_at == 1_800_000_060),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "claims expired at 2027-01-15 08:01:00 UTC (3 hours ago)"
    );

    let (mut opts, ..) = options("later", &[]);
    opts.not_before = Some(Duration::from_secs(2 * 86_400));
    let signed = sign_actor_at(&m, opts, t0).unwrap();
    let err = verify(&signed, t0).unwrap_err();
    assert!(matches!(err, ClaimsError::NotYetValid { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "claims are not valid before 2027-01-17 08:00:00 UTC (in 2 days)"
    );
    assert!(verify(&signed, t0 + Duration::from_secs(2 * 86_400)).is_ok());
}

#[test]
fn the_legacy_jwt_section_is_read() {
    let (opts, _, module_key) = options("legacy", &["wasmcloud:keyvalue"]);
    let signed = sign_actor(&answer_module(3), opts).unwrap();
    let legacy = with_token(&signed, SECTION_LEGACY_JWT, &token_of(&signed));
    assert_ne!(legacy, signed);
    assert_eq!(module_hash(&legacy).unwrap(), module_hash(&signed).unwrap());
    let c = verify(&legacy, now()).unwrap();
    assert_eq!(c.subject, module_key.public_key());
    assert_eq!(extract_claims(&legacy).unwrap().unwrap().claims, c);

    // two claims sections: refused rather than guessing which counts
    let mut both = signed.clone();
    custom_section(&mut both, SECTION_LEGACY_JWT, token_of(&signed).as_bytes());
    assert!(matches!(
        verify(&both, now()),
        Err(ClaimsError::DuplicateClaims(2))
    ));
    // re-signing cleans it up
    let (mut opts, ..) = options("legacy", &["wasmcloud:keyvalue"]);
    opts.subject = Some(module_key);
    assert!(verify(&sign_actor(&both, opts).unwrap(), now()).is_ok());
}

#[test]
fn bad_signing_options_are_refused() {
    let m = answer_module(1);
    let (mut opts, ..) = options(" ", &[]);
    assert!(matches!(
        sign_actor(&m, opts.clone()),
        Err(ClaimsError::Options(_))
    ));
    opts.name = "ok".into();
    opts.caps = vec!["has space".into()];
    assert!(matches!(
        sign_actor(&m, opts.clone()),
        Err(ClaimsError::Options(_))
    ));
    opts.caps = vec![];
    opts.call_alias = Some(KeyPair::new(KeyType::Module).public_key());
    assert!(matches!(sign_actor(&m, opts), Err(ClaimsError::Options(_))));
    let (opts, ..) = options("ok", &[]);
    assert!(sign_actor(b"not wasm", opts).is_err());
}

#[test]
fn no_single_bit_change_anywhere_survives_verification() {
    // Every byte of a signed module is covered by the hash or the
    // signature (or breaks the structure): flipping any bit is refused,
    // and never panics.
    let (mut opts, ..) = options("bits", &["wasmcloud:keyvalue"]);
    opts.call_alias = Some("bits".into());
    let signed = sign_actor(&answer_module(42), opts).unwrap();
    assert!(verify(&signed, now()).is_ok());
    for i in 0..signed.len() {
        for bit in [0x01u8, 0x80] {
            let mut m = signed.clone();
            m[i] ^= bit;
            assert!(
                verify(&m, now()).is_err(),
                "flipping bit {bit:#x} of byte {i} still verifies"
            );
            let _ = extract_claims(&m);
        }
    }
    // and truncation at every length
    for n in 0..signed.len() {
        assert!(
            verify(&signed[..n], now()).is_err(),
            "truncated to {n} bytes"
        );
    }
}
