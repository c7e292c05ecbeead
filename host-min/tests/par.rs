//! Provider archives: made by the library and by `host-min par`, read back,
//! refused when tampered with or malformed, and extracted to a binary that
//! runs. Uses real executables (`/bin/true`, `/bin/echo`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use host_min::claims::jwt::encode_claims;
use host_min::claims::{ClaimsError, KeyError, KeyPair, KeyType};
use host_min::par::{
    hash_bytes, is_gzip, ParError, ProviderArchive, ProviderClaims, CLAIMS_ENTRY, MAX_CLAIMS_SIZE,
};

fn host_min(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_host-min"))
        .args(args)
        .env("RUST_LOG", "off")
        .env_remove("HOST_MIN_ISSUER_SEED")
        .env_remove("HOST_MIN_PROVIDER_SEED")
        .output()
        .expect("run host-min")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn echo_binary() -> Vec<u8> {
    std::fs::read("/bin/echo").expect("/bin/echo")
}

fn true_binary() -> Vec<u8> {
    std::fs::read("/bin/true").expect("/bin/true")
}

struct Keys {
    issuer: KeyPair,
    subject: KeyPair,
}

fn keys() -> Keys {
    Keys {
        issuer: KeyPair::new(KeyType::Account),
        subject: KeyPair::new(KeyType::Service),
    }
}

/// A signed archive with the echo binary for this machine and a fake
/// second target.
fn archive(k: &Keys, compress: bool) -> Vec<u8> {
    let mut par = ProviderArchive::new(
        "Echo Provider",
        "wasmcloud:echo",
        "weld tests",
        Some(7),
        Some("0.7.0".into()),
    );
    par.add_binary(&ProviderArchive::current_target(), echo_binary())
        .unwrap();
    par.add_binary("riscv64-plan9", b"not really a binary".to_vec())
        .unwrap();
    par.write(&k.issuer, &k.subject, compress).unwrap()
}

/// The entries of a plain or gzip tar, in order.
fn unpack(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let reader: Box<dyn Read + '_> = if is_gzip(bytes) {
        Box::new(flate2::read::GzDecoder::new(bytes))
    } else {
        Box::new(bytes)
    };
    let mut out = Vec::new();
    for e in tar::Archive::new(reader).entries().unwrap() {
        let mut e = e.unwrap();
        let name = e.path().unwrap().to_str().unwrap().to_string();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        out.push((name, data));
    }
    out
}

/// A plain tar of `entries`.
fn pack(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, data.as_slice()).unwrap();
    }
    b.into_inner().unwrap()
}

fn with_entry(
    entries: &[(String, Vec<u8>)],
    name: &str,
    f: impl Fn(&mut Vec<u8>),
) -> Vec<(String, Vec<u8>)> {
    let mut out = entries.to_vec();
    let e = out.iter_mut().find(|(n, _)| n == name).expect(name);
    f(&mut e.1);
    out
}

fn token(entries: &[(String, Vec<u8>)]) -> String {
    let (_, jwt) = entries.iter().find(|(n, _)| n == CLAIMS_ENTRY).unwrap();
    String::from_utf8(jwt.clone()).unwrap()
}

fn claims_of(entries: &[(String, Vec<u8>)]) -> ProviderClaims {
    let jwt = token(entries);
    let body = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &data_encoding::BASE64URL_NOPAD
            .decode(body.as_bytes())
            .unwrap(),
    )
    .unwrap()
}

fn replace_claims(entries: &[(String, Vec<u8>)], jwt: &str) -> Vec<(String, Vec<u8>)> {
    with_entry(entries, CLAIMS_ENTRY, |d| *d = jwt.as_bytes().to_vec())
}

#[test]
fn written_archives_load_plain_and_gzipped() {
    let k = keys();
    for compress in [false, true] {
        let bytes = archive(&k, compress);
        assert_eq!(is_gzip(&bytes), compress);
        let par = ProviderArchive::load(&bytes).unwrap();
        let c = par.claims().unwrap();
        assert_eq!(c.name(), "Echo Provider");
        assert_eq!(c.contract_id(), "wasmcloud:echo");
        assert_eq!(c.vendor(), "weld tests");
        assert_eq!(c.rev(), Some(7));
        assert_eq!(c.ver(), Some("0.7.0"));
        assert_eq!(c.issuer(), k.issuer.public_key());
        assert_eq!(c.subject(), k.subject.public_key());
        assert_eq!(c.wascap_revision, Some(3));
        assert_eq!(c.expires, None);
        let mut want = vec![ProviderArchive::current_target(), "riscv64-plan9".into()];
        want.sort();
        assert_eq!(par.targets(), want);
        assert_eq!(
            c.target_hashes()[&ProviderArchive::current_target()],
            hash_bytes(&echo_binary())
        );
        assert_eq!(
            par.binary_for(&ProviderArchive::current_target()),
            Some(echo_binary().as_slice())
        );
        assert_eq!(par.binary_for("sparc-solaris"), None);
        // the layout upstream reads: claims.jwt first, then {target}.bin
        let names: Vec<String> = unpack(&bytes).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names[0], "claims.jwt");
        assert!(names[1..].iter().all(|n| n.ends_with(".bin")), "{names:?}");
    }
}

#[test]
fn current_target_is_arch_dash_os() {
    let t = ProviderArchive::current_target();
    assert_eq!(
        t,
        format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS)
    );
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    assert_eq!(t, "x86_64-linux");
}

#[test]
fn a_changed_binary_is_refused() {
    let k = keys();
    let entries = unpack(&archive(&k, false));
    let bin = format!("{}.bin", ProviderArchive::current_target());
    let flipped = with_entry(&entries, &bin, |d| d[100] ^= 0x01);
    match ProviderArchive::load(&pack(&flipped)) {
        Err(ParError::HashMismatch {
            target,
            claimed,
            actual,
        }) => {
            assert_eq!(target, ProviderArchive::current_target());
            assert_eq!(claimed, hash_bytes(&echo_binary()));
            assert_ne!(actual, claimed);
        }
        other => panic!("expected a hash mismatch, got {other:?}"),
    }
    // a binary slipped in after signing
    let mut added = entries.clone();
    added.push(("aarch64-windows.bin".into(), b"MZ...".to_vec()));
    assert!(matches!(
        ProviderArchive::load(&pack(&added)),
        Err(ParError::UnsignedBinary(t)) if t == "aarch64-windows"
    ));
    // a signed binary taken out
    let removed: Vec<_> = entries
        .iter()
        .filter(|(n, _)| n != "riscv64-plan9.bin")
        .cloned()
        .collect();
    assert!(matches!(
        ProviderArchive::load(&pack(&removed)),
        Err(ParError::MissingBinary(t)) if t == "riscv64-plan9"
    ));
    // the same target twice
    let mut twice = entries.clone();
    twice.push((bin.clone(), echo_binary()));
    assert!(matches!(
        ProviderArchive::load(&pack(&twice)),
        Err(ParError::DuplicateEntry(n)) if n == bin
    ));
    // the untouched entries still load: the failures come from the changes
    ProviderArchive::load(&pack(&entries)).unwrap();
}

#[test]
fn claims_not_signed_by_their_issuer_are_refused() {
    let k = keys();
    let entries = unpack(&archive(&k, false));
    let jwt = token(&entries);

    // A payload forged under the genuine signature: a different vendor.
    let mut claims = claims_of(&entries);
    claims.wascap.vendor = "mallory".into();
    let forged_body = data_encoding::BASE64URL_NOPAD.encode(&serde_json::to_vec(&claims).unwrap());
    let parts: Vec<&str> = jwt.split('.').collect();
    let forged = format!("{}.{forged_body}.{}", parts[0], parts[2]);
    let err = ProviderArchive::load(&pack(&replace_claims(&entries, &forged))).unwrap_err();
    assert!(
        matches!(err, ParError::Claims(ClaimsError::BadSignature { ref issuer }) if *issuer == k.issuer.public_key()),
        "{err}"
    );

    // Signed by another account while naming the original issuer.
    let other = KeyPair::new(KeyType::Account);
    let resigned = encode_claims(&claims_of(&entries), &other).unwrap();
    let err = ProviderArchive::load(&pack(&replace_claims(&entries, &resigned))).unwrap_err();
    assert!(
        matches!(err, ParError::Claims(ClaimsError::BadSignature { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("signature"), "{err}");
}

#[test]
fn wrong_key_roles_are_refused() {
    let k = keys();
    let mut par = ProviderArchive::new("p", "wasmcloud:p", "v", None, None);
    par.add_binary("x86_64-linux", b"bin".to_vec()).unwrap();
    // signing: the issuer must be an account seed, the subject a service key
    let module = KeyPair::new(KeyType::Module);
    let server = KeyPair::new(KeyType::Server);
    for (issuer, subject) in [(&server, &k.subject), (&k.issuer, &module)] {
        assert!(
            matches!(
                par.write(issuer, subject, false),
                Err(ParError::Key(KeyError::WrongType { .. }))
            ),
            "{} / {}",
            issuer.public_key(),
            subject.public_key()
        );
    }
    let public_only = KeyPair::from_public_key(&k.issuer.public_key()).unwrap();
    assert!(matches!(
        par.write(&public_only, &k.subject, false),
        Err(ParError::Key(KeyError::NoSeed(_)))
    ));

    // loading: tokens genuinely signed, but with the wrong roles
    let entries = unpack(&archive(&k, false));
    let mut as_module = claims_of(&entries);
    as_module.subject = module.public_key();
    let jwt = encode_claims(&as_module, &k.issuer).unwrap();
    let err = ProviderArchive::load(&pack(&replace_claims(&entries, &jwt))).unwrap_err();
    assert!(
        matches!(
            err,
            ParError::Claims(ClaimsError::Subject {
                source: KeyError::WrongType {
                    expected: KeyType::Service,
                    found: KeyType::Module,
                    ..
                },
                ..
            })
        ),
        "{err}"
    );
    assert!(err.to_string().contains("service key"), "{err}");

    let operator = KeyPair::new(KeyType::Operator);
    let mut by_operator = claims_of(&entries);
    by_operator.issuer = operator.public_key();
    let jwt = encode_claims(&by_operator, &operator).unwrap();
    let err = ProviderArchive::load(&pack(&replace_claims(&entries, &jwt))).unwrap_err();
    assert!(
        matches!(err, ParError::Claims(ClaimsError::Issuer { .. })),
        "{err}"
    );
}

#[test]
fn expiry_and_not_before_are_enforced() {
    let k = keys();
    let mut par = ProviderArchive::new("p", "wasmcloud:p", "v", None, None);
    par.add_binary("x86_64-linux", b"bin".to_vec()).unwrap();
    par.set_expires_in(Some(Duration::from_secs(3600)));
    let day_ago = SystemTime::now() - Duration::from_secs(86_400);
    let expired = par.write_at(&k.issuer, &k.subject, true, day_ago).unwrap();
    let err = ProviderArchive::load(&expired).unwrap_err();
    assert!(
        matches!(err, ParError::Claims(ClaimsError::Expired { .. })),
        "{err}"
    );
    // valid at a time inside its window
    ProviderArchive::load_at(&expired, day_ago + Duration::from_secs(60)).unwrap();

    par.set_expires_in(None);
    par.set_not_before(Some(Duration::from_secs(3600)));
    let later = par.write(&k.issuer, &k.subject, false).unwrap();
    let err = ProviderArchive::load(&later).unwrap_err();
    assert!(
        matches!(err, ParError::Claims(ClaimsError::NotYetValid { .. })),
        "{err}"
    );
}

#[test]
fn malformed_input_is_an_error_not_a_panic() {
    let k = keys();
    assert!(matches!(ProviderArchive::load(b""), Err(ParError::Empty)));
    let mut garbage = Vec::new();
    let mut x: u32 = 0x1234_5678;
    for _ in 0..4096 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        garbage.push(x as u8);
    }
    assert!(matches!(
        ProviderArchive::load(&garbage),
        Err(ParError::Malformed { gzip: false, .. })
    ));
    let mut gz_garbage = vec![0x1f, 0x8b];
    gz_garbage.extend_from_slice(&garbage);
    assert!(matches!(
        ProviderArchive::load(&gz_garbage),
        Err(ParError::Malformed { gzip: true, .. })
    ));
    // truncations of a real archive, plain and gzipped: an error, unless
    // only the end-of-archive padding (or gzip trailer) is gone, in which
    // case every entry is there and verified
    for compress in [false, true] {
        let bytes = archive(&k, compress);
        let full = ProviderArchive::load(&bytes).unwrap();
        let mut errors = 0;
        let step = if compress { 97 } else { 509 };
        for len in (1..bytes.len()).step_by(step) {
            match ProviderArchive::load(&bytes[..len]) {
                Err(_) => errors += 1,
                Ok(p) => {
                    assert_eq!(p.targets(), full.targets(), "{len}-byte prefix");
                    for t in full.targets() {
                        assert_eq!(p.binary_for(&t), full.binary_for(&t), "{len}-byte prefix");
                    }
                }
            }
        }
        assert!(errors > bytes.len() / step - 3, "{errors} errors");
    }
    // a tar without claims, and one without binaries
    let entries = unpack(&archive(&k, false));
    let no_claims: Vec<_> = entries
        .iter()
        .filter(|(n, _)| n != CLAIMS_ENTRY)
        .cloned()
        .collect();
    assert!(matches!(
        ProviderArchive::load(&pack(&no_claims)),
        Err(ParError::MissingClaims)
    ));
    let only_claims: Vec<_> = entries
        .iter()
        .filter(|(n, _)| n == CLAIMS_ENTRY)
        .cloned()
        .collect();
    assert!(ProviderArchive::load(&pack(&only_claims)).is_err());
    // claims that are not a token, or not text
    for bad in [b"not.a.jwt".to_vec(), vec![0xff, 0xfe, 0x00]] {
        let e = with_entry(&entries, CLAIMS_ENTRY, |d| *d = bad.clone());
        assert!(ProviderArchive::load(&pack(&e)).is_err());
    }
    // an oversize claims entry is refused by its header, before reading it
    let huge = with_entry(&entries, CLAIMS_ENTRY, |d| {
        *d = vec![b'a'; MAX_CLAIMS_SIZE as usize + 1]
    });
    assert!(matches!(
        ProviderArchive::load(&pack(&huge)),
        Err(ParError::EntryTooLarge { ref entry, .. }) if entry == CLAIMS_ENTRY
    ));
    // a header claiming a terabyte binary, with no data behind it
    let mut h = tar::Header::new_gnu();
    h.set_path("x86_64-linux.bin").unwrap();
    h.set_size(1 << 40);
    h.set_mode(0o755);
    h.set_cksum();
    let mut lying = pack(&only_claims);
    lying.truncate(lying.len() - 1024); // drop the end-of-archive blocks
    lying.extend_from_slice(h.as_bytes());
    lying.extend_from_slice(&[0u8; 1024]);
    assert!(matches!(
        ProviderArchive::load(&lying),
        Err(ParError::EntryTooLarge { .. })
    ));
    // an entry named like a binary but not a target
    let mut odd = entries.clone();
    odd.push(("nested/evil.bin".into(), b"x".to_vec()));
    assert!(ProviderArchive::load(&pack(&odd)).is_err());
    // add_binary checks target names too
    let mut par = ProviderArchive::new("p", "wasmcloud:p", "v", None, None);
    for bad in ["", "linux", "x86_64-", "../x-y", "a b-c"] {
        assert!(
            matches!(
                par.add_binary(bad, vec![1]),
                Err(ParError::InvalidTarget(_))
            ),
            "{bad:?}"
        );
    }
}

/// Runs `exe`, retrying while another test thread's fork still holds the
/// freshly written file open for writing (ETXTBSY).
fn run(exe: &Path, args: &[&str]) -> Output {
    let mut tries = 0;
    loop {
        match Command::new(exe).args(args).output() {
            Err(e) if e.raw_os_error() == Some(26) && tries < 50 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other.expect("run extracted binary"),
        }
    }
}

#[cfg(unix)]
#[test]
fn extract_current_writes_an_executable_that_runs() {
    use std::os::unix::fs::PermissionsExt;
    let k = keys();
    let dir = tempfile::tempdir().unwrap();
    let par = ProviderArchive::load(&archive(&k, true)).unwrap();
    let exe = par.extract_current(dir.path()).unwrap();
    assert!(exe.starts_with(dir.path().join(k.subject.public_key())));
    let name = exe.file_name().unwrap().to_str().unwrap();
    assert!(name.starts_with("rev7-"), "{name}");
    assert!(name.contains(&hash_bytes(&echo_binary())), "{name}");
    let mode = std::fs::metadata(&exe).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o755);
    let out = run(&exe, &["hello", "from", "a", "par"]);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), "hello from a par\n");

    // reused as is
    let before = std::fs::metadata(&exe).unwrap().modified().unwrap();
    assert_eq!(par.extract_current(dir.path()).unwrap(), exe);
    assert_eq!(std::fs::metadata(&exe).unwrap().modified().unwrap(), before);
    // a damaged cached copy is replaced
    std::fs::write(&exe, b"damaged").unwrap();
    assert_eq!(par.extract_current(dir.path()).unwrap(), exe);
    assert_eq!(std::fs::read(&exe).unwrap(), echo_binary());
    // no temporary files left behind
    let files: Vec<PathBuf> = std::fs::read_dir(exe.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files, vec![exe.clone()]);

    // an archive without this machine's target
    let mut other = ProviderArchive::new("p", "wasmcloud:p", "v", None, None);
    other.add_binary("riscv64-plan9", b"x".to_vec()).unwrap();
    let other = ProviderArchive::load(&other.write(&k.issuer, &k.subject, false).unwrap()).unwrap();
    assert!(matches!(
        other.extract_current(dir.path()),
        Err(ParError::NoBinaryForTarget { ref available, .. }) if available == &["riscv64-plan9".to_string()]
    ));
    // an unsigned archive has no identity to cache under
    assert!(matches!(
        ProviderArchive::new("p", "wasmcloud:p", "v", None, None).extract_current(dir.path()),
        Err(ParError::Unsigned)
    ));
}

#[test]
fn cli_create_inspect_and_insert() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("true");
    std::fs::write(&bin, true_binary()).unwrap();
    let key_dir = dir.path().join("keys");
    let dest = dir.path().join("out").join("my.par.gz");
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    let target = ProviderArchive::current_target();
    let o = host_min(&[
        "par",
        "create",
        "--arch",
        &target,
        "--binary",
        s(&bin),
        "--capid",
        "wasmcloud:keyvalue",
        "--name",
        "KV Store",
        "--vendor",
        "weld",
        "--revision",
        "2",
        "--version",
        "0.2.0",
        "--key-dir",
        s(&key_dir),
        "--destination",
        s(&dest),
        "--compress",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let account = std::fs::read_to_string(key_dir.join("account.nk")).unwrap();
    let account = KeyPair::from_seed(account.trim()).unwrap();
    let service = std::fs::read_to_string(key_dir.join("KV_Store_service.nk")).unwrap();
    let service = KeyPair::from_seed(service.trim()).unwrap();
    assert_eq!(service.key_type(), KeyType::Service);

    let bytes = std::fs::read(&dest).unwrap();
    assert!(is_gzip(&bytes));
    let par = ProviderArchive::load_file(&dest).unwrap();
    let c = par.claims().unwrap();
    assert_eq!(c.name(), "KV Store");
    assert_eq!(c.contract_id(), "wasmcloud:keyvalue");
    assert_eq!(c.issuer(), account.public_key());
    assert_eq!(c.subject(), service.public_key());
    assert_eq!(par.targets(), vec![target.clone()]);

    let o = host_min(&["par", "inspect", s(&dest), "-o", "json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["name"], "KV Store");
    assert_eq!(v["capability_contract_id"], "wasmcloud:keyvalue");
    assert_eq!(v["vendor"], "weld");
    assert_eq!(v["version"], "0.2.0");
    assert_eq!(v["revision"], 2);
    assert_eq!(v["issuer"], account.public_key());
    assert_eq!(v["service"], service.public_key());
    assert_eq!(v["targets"], serde_json::json!([target]));
    assert_eq!(v["target_hashes"][&target], hash_bytes(&true_binary()));
    assert_eq!(v["expires"], serde_json::Value::Null);

    let o = host_min(&["par", "inspect", s(&dest)]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    for want in [
        "KV Store",
        "wasmcloud:keyvalue",
        &service.public_key(),
        &account.public_key(),
        &target,
        &hash_bytes(&true_binary()),
        "0.2.0",
        "never",
    ] {
        assert!(out.contains(want), "no {want} in\n{out}");
    }

    // insert a second target, re-signed with the same keys (from the key dir)
    let o = host_min(&[
        "par",
        "insert",
        s(&dest),
        "--arch",
        "aarch64-macos",
        "--binary",
        "/bin/echo",
        "--key-dir",
        s(&key_dir),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let par = ProviderArchive::load_file(&dest).unwrap();
    assert!(is_gzip(&std::fs::read(&dest).unwrap()));
    let mut want = vec!["aarch64-macos".to_string(), target.clone()];
    want.sort();
    assert_eq!(par.targets(), want);
    assert_eq!(par.claims().unwrap().subject(), service.public_key());
    assert_eq!(
        par.binary_for("aarch64-macos"),
        Some(echo_binary().as_slice())
    );
    // with another service key, insert refuses to change the identity
    let o = host_min(&[
        "par",
        "insert",
        s(&dest),
        "--arch",
        "aarch64-linux",
        "--binary",
        "/bin/echo",
        "--key-dir",
        s(&dir.path().join("other-keys")),
    ]);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains(&service.public_key()),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn cli_default_destination_and_plain_tar() {
    let dir = tempfile::tempdir().unwrap();
    let seed_file = dir.path().join("issuer.seed");
    let issuer = KeyPair::new(KeyType::Account);
    std::fs::write(&seed_file, issuer.seed().unwrap()).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_host-min"))
        .current_dir(dir.path())
        .args([
            "par",
            "create",
            "-a",
            "x86_64-linux",
            "-b",
            "/bin/true",
            "-c",
            "wasmcloud:httpserver",
            "-n",
            "HTTP Server",
            "-v",
            "weld",
            "--issuer",
            s(&seed_file),
        ])
        .env_remove("HOST_MIN_ISSUER_SEED")
        .env_remove("HOST_MIN_PROVIDER_SEED")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let dest = dir.path().join("http_server.par");
    let bytes = std::fs::read(&dest).unwrap();
    assert!(!is_gzip(&bytes));
    let par = ProviderArchive::load(&bytes).unwrap();
    assert_eq!(par.claims().unwrap().issuer(), issuer.public_key());
    // the service key went to the default key directory under the working dir
    assert!(dir
        .path()
        .join(".host-min/keys/HTTP_Server_service.nk")
        .is_file());
    // a seed on the command line is refused without echoing it
    let seed = issuer.seed().unwrap();
    let o = host_min(&[
        "par",
        "create",
        "-a",
        "x86_64-linux",
        "-b",
        "/bin/true",
        "-c",
        "wasmcloud:x",
        "-n",
        "x",
        "-v",
        "v",
        "--issuer",
        &seed,
    ]);
    assert!(!o.status.success());
    assert!(!text(&o.stderr).contains(&seed), "{}", text(&o.stderr));
}

#[test]
fn cli_inspect_reports_bad_archives() {
    let k = keys();
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.par");
    std::fs::write(&garbage, b"this is not a tar file at all").unwrap();
    let o = host_min(&["par", "inspect", s(&garbage)]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains(s(&garbage)) && err.contains("not a valid provider archive"),
        "{err}"
    );

    let entries = unpack(&archive(&k, false));
    let bin = format!("{}.bin", ProviderArchive::current_target());
    let tampered = dir.path().join("tampered.par");
    std::fs::write(&tampered, pack(&with_entry(&entries, &bin, |d| d[0] ^= 1))).unwrap();
    let o = host_min(&["par", "inspect", s(&tampered), "-o", "json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = text(&o.stderr);
    assert!(
        err.contains("tampered.par") && err.contains("altered"),
        "{err}"
    );

    let o = host_min(&["par", "inspect", s(&dir.path().join("missing.par"))]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("missing.par"));
}

#[test]
fn wascap_verifies_our_claims() {
    use wascap::jwt::{validate_token, CapabilityProvider, Claims};
    let k = keys();
    let mut par = ProviderArchive::new("Echo", "wasmcloud:echo", "weld", Some(1), None);
    par.set_config_schema(Some(serde_json::json!({"type": "object"})));
    par.add_binary("x86_64-linux", true_binary()).unwrap();
    let bytes = par.write(&k.issuer, &k.subject, true).unwrap();
    let jwt = token(&unpack(&bytes));
    let v = validate_token::<CapabilityProvider>(&jwt).unwrap();
    assert!(v.signature_valid && !v.expired && !v.cannot_use_yet);
    let theirs = Claims::<CapabilityProvider>::decode(&jwt).unwrap();
    assert_eq!(theirs.issuer, k.issuer.public_key());
    assert_eq!(theirs.subject, k.subject.public_key());
    let m = theirs.metadata.unwrap();
    assert_eq!(m.name.as_deref(), Some("Echo"));
    assert_eq!(m.capid, "wasmcloud:echo");
    assert_eq!(m.vendor, "weld");
    assert_eq!(m.rev, Some(1));
    assert_eq!(m.target_hashes["x86_64-linux"], hash_bytes(&true_binary()));
    assert_eq!(m.config_schema, Some(serde_json::json!({"type": "object"})));

    // and a token wascap signs verifies here
    let upstream_issuer = wascap::prelude::KeyPair::from_seed(&k.issuer.seed().unwrap()).unwrap();
    let mut hashes = std::collections::HashMap::new();
    hashes.insert("x86_64-linux".to_string(), hash_bytes(&true_binary()));
    let theirs = Claims::<CapabilityProvider>::new(
        "Upstream".into(),
        k.issuer.public_key(),
        k.subject.public_key(),
        "wasmcloud:upstream".into(),
        "wasmcloud".into(),
        Some(4),
        Some("4.0".into()),
        hashes,
    );
    let jwt = theirs.encode(&upstream_issuer).unwrap();
    let tar = pack(&[
        ("claims.jwt".into(), jwt.into_bytes()),
        ("x86_64-linux.bin".into(), true_binary()),
    ]);
    let par = ProviderArchive::load(&tar).unwrap();
    let c = par.claims().unwrap();
    assert_eq!(c.name(), "Upstream");
    assert_eq!(c.contract_id(), "wasmcloud:upstream");
    assert_eq!(c.rev(), Some(4));
    assert_eq!(c.subject(), k.subject.public_key());
}

/// Upstream's `provider-archive` crate (0.9, on wascap 0.13) reads our
/// archives, and we read its archives, plain and gzipped.
#[tokio::test]
async fn upstream_provider_archive_interop() {
    use provider_archive::ProviderArchive as Upstream;
    let k = keys();
    for compress in [false, true] {
        let bytes = archive(&k, compress);
        let theirs = Upstream::try_load(&bytes).await.unwrap();
        let mut targets = theirs.targets();
        targets.sort();
        let ours = ProviderArchive::load(&bytes).unwrap();
        assert_eq!(targets, ours.targets());
        for t in &targets {
            assert_eq!(theirs.target_bytes(t).as_deref(), ours.binary_for(t), "{t}");
        }
        let c = theirs.claims().unwrap();
        assert_eq!(c.issuer, k.issuer.public_key());
        assert_eq!(c.subject, k.subject.public_key());
        let m = c.metadata.unwrap();
        assert_eq!(m.capid, "wasmcloud:echo");
        assert_eq!(m.vendor, "weld tests");
        assert_eq!(m.rev, Some(7));
        assert_eq!(m.ver.as_deref(), Some("0.7.0"));
    }

    let dir = tempfile::tempdir().unwrap();
    let issuer = wascap::prelude::KeyPair::from_seed(&k.issuer.seed().unwrap()).unwrap();
    let subject = wascap::prelude::KeyPair::from_seed(&k.subject.seed().unwrap()).unwrap();
    for (file, compress) in [("up.par", false), ("up.par.gz", true)] {
        let mut theirs = Upstream::new(
            "wasmcloud:upstream",
            "Upstream Provider",
            "wasmcloud",
            Some(3),
            Some("3.1.4".into()),
        );
        theirs
            .add_library(&ProviderArchive::current_target(), &echo_binary())
            .unwrap();
        theirs.add_library("aarch64-macos", &true_binary()).unwrap();
        let path = dir.path().join(file);
        theirs
            .write(&path, &issuer, &subject, compress)
            .await
            .unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(is_gzip(&bytes), compress);
        let ours = ProviderArchive::load(&bytes).unwrap();
        let c = ours.claims().unwrap();
        assert_eq!(c.name(), "Upstream Provider");
        assert_eq!(c.contract_id(), "wasmcloud:upstream");
        assert_eq!(c.vendor(), "wasmcloud");
        assert_eq!(c.rev(), Some(3));
        assert_eq!(c.ver(), Some("3.1.4"));
        assert_eq!(c.subject(), k.subject.public_key());
        assert_eq!(
            ours.targets(),
            vec![
                "aarch64-macos".to_string(),
                ProviderArchive::current_target()
            ]
        );
        assert_eq!(
            ours.binary_for("aarch64-macos"),
            Some(true_binary().as_slice())
        );
        // and it extracts and runs like one of ours
        #[cfg(unix)]
        {
            let exe = ours.extract_current(dir.path().join("cache")).unwrap();
            let out = run(&exe, &["upstream"]);
            assert_eq!(text(&out.stdout), "upstream\n");
        }
    }
}

#[test]
fn concurrent_extractions_agree() {
    let k = keys();
    let dir = tempfile::tempdir().unwrap();
    let par = ProviderArchive::load(&archive(&k, false)).unwrap();
    let paths: Vec<PathBuf> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| par.extract_current(dir.path()).unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(paths.iter().all(|p| p == &paths[0]), "{paths:?}");
    assert_eq!(std::fs::read(&paths[0]).unwrap(), echo_binary());
    let left: Vec<_> = std::fs::read_dir(paths[0].parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

#[test]
fn load_file_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.par.gz");
    match ProviderArchive::load_file(&missing) {
        Err(e @ ParError::Io { .. }) => assert!(e.to_string().contains("nope.par.gz"), "{e}"),
        other => panic!("expected an I/O error, got {other:?}"),
    }
}
