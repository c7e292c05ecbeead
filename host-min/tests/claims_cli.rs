//! The `claims` and `keys` commands, run through the built `host-min` binary.

#[path = "claims/support.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::SystemTime;

use host_min::claims::{extract_claims, verify, KeyPair, KeyType};
use support::answer_module;

fn host_min(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_host-min"))
        .args(args)
        .env("RUST_LOG", "off")
        .output()
        .expect("run host-min")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The value after `label` on the line that starts with it.
fn field<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.trim_start().strip_prefix(label))
        .unwrap_or_else(|| panic!("no `{label}` in:\n{text}"))
        .trim()
}

#[test]
fn keys_gen_prints_usable_keys() {
    for (kind, letter) in [
        ("account", 'A'),
        ("module", 'M'),
        ("server", 'N'),
        ("service", 'V'),
    ] {
        let o = host_min(&["keys", "gen", kind]);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        let public = field(&out, "Public Key:");
        let seed = field(&out, "Seed:");
        assert!(public.starts_with(letter), "{out}");
        let kp = KeyPair::from_seed(seed).unwrap();
        assert_eq!(kp.public_key(), public);
        assert_eq!(kp.key_type().letter(), letter);
    }
    let o = host_min(&["keys", "gen", "module", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let kp = KeyPair::from_seed(v["seed"].as_str().unwrap()).unwrap();
    assert_eq!(kp.public_key(), v["public_key"].as_str().unwrap());
    assert_eq!(kp.key_type(), KeyType::Module);

    let o = host_min(&["keys", "gen", "wizard"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown key type `wizard`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn sign_then_inspect_round_trip_with_a_key_dir() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("answer.wasm");
    std::fs::write(&wasm, answer_module(42)).unwrap();
    let keys = dir.path().join("keys");

    let o = host_min(&[
        "claims",
        "sign",
        path(&wasm),
        "--name",
        "answer",
        "--caps",
        "wasmcloud:keyvalue,wasmcloud:httpserver",
        "--key-dir",
        path(&keys),
        "--call-alias",
        "answers",
        "--ver",
        "0.2.0",
        "--rev",
        "4",
        "--tag",
        "a,b",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let signed_path = dir.path().join("answer_s.wasm");
    let signed = std::fs::read(&signed_path).expect("default output answer_s.wasm");
    let c = verify(&signed, SystemTime::now()).unwrap();
    assert_eq!(c.caps(), ["wasmcloud:keyvalue", "wasmcloud:httpserver"]);
    assert_eq!(c.wascap.call_alias.as_deref(), Some("answers"));
    assert_eq!(c.wascap.tags.as_deref().unwrap(), ["a", "b"]);
    assert!(stdout(&o).contains(&c.subject), "{}", stdout(&o));

    // the keys were stored, private, and are what signed
    let account_file = keys.join("account.nk");
    let module_file = keys.join("answer_module.nk");
    let account = KeyPair::from_seed(&std::fs::read_to_string(&account_file).unwrap()).unwrap();
    let module = KeyPair::from_seed(&std::fs::read_to_string(&module_file).unwrap()).unwrap();
    assert_eq!(c.issuer, account.public_key());
    assert_eq!(c.subject, module.public_key());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&account_file)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "key file readable by others: {mode:o}");
    }

    // signing again reuses the keys: same identity
    let out2 = dir.path().join("again.wasm");
    let o = host_min(&[
        "claims",
        "sign",
        path(&wasm),
        "-n",
        "answer",
        "-c",
        "wasmcloud:keyvalue",
        "--key-dir",
        path(&keys),
        "-o",
        path(&out2),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let c2 = verify(&std::fs::read(&out2).unwrap(), SystemTime::now()).unwrap();
    assert_eq!(
        (c2.issuer.as_str(), c2.subject.as_str()),
        (c.issuer.as_str(), c.subject.as_str())
    );
    assert_eq!(c2.caps(), ["wasmcloud:keyvalue"]);

    // inspect: table
    let o = host_min(&["claims", "inspect", path(&signed_path)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(field(&out, "Account"), c.issuer);
    assert_eq!(field(&out, "Module"), c.subject);
    assert_eq!(field(&out, "Call alias"), "answers");
    assert_eq!(field(&out, "Version"), "0.2.0 (rev 4)");
    assert_eq!(field(&out, "Expires"), "never");
    assert_eq!(field(&out, "Hash"), c.wascap.module_hash);
    assert_eq!(field(&out, "Status"), "valid");
    assert!(
        out.contains("wasmcloud:keyvalue  (Key-value store)"),
        "{out}"
    );
    assert!(out.contains("wasmcloud:httpserver  (HTTP server)"), "{out}");
    assert!(
        out.starts_with(&format!("answer - module {}", c.subject)),
        "{out}"
    );

    // inspect: JSON and raw JWT
    let o = host_min(&["claims", "inspect", "--json", path(&signed_path)]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["error"], serde_json::Value::Null);
    assert_eq!(v["claims"]["sub"], c.subject.as_str());
    assert_eq!(v["claims"]["wascap"]["caps"][1], "wasmcloud:httpserver");
    assert_eq!(v["module_hash"], c.wascap.module_hash.as_str());
    let o = host_min(&["claims", "inspect", "--jwt", path(&signed_path)]);
    assert_eq!(
        stdout(&o).trim(),
        extract_claims(&signed).unwrap().unwrap().jwt
    );
}

#[test]
fn sign_with_seeds_and_inspect_bad_modules() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("a.wasm");
    std::fs::write(&wasm, answer_module(1)).unwrap();
    let account = KeyPair::new(KeyType::Account);
    let module = KeyPair::new(KeyType::Module);
    let seed_file = dir.path().join("acct.nk");
    std::fs::write(&seed_file, format!("{}\n", account.seed().unwrap())).unwrap();
    let out = dir.path().join("signed.wasm");
    let module_seed = module.seed().unwrap();
    let module_file = dir.path().join("module.nk");
    std::fs::write(&module_file, &module_seed).unwrap();
    let sign = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args = vec![
            "claims",
            "sign",
            path(&wasm),
            "--name",
            "a",
            "--caps",
            "wasmcloud:keyvalue",
            "--out",
            path(&out),
            "--expires-in-days",
            "2",
            "--key-dir",
            path(dir.path()),
        ];
        args.extend_from_slice(extra);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_host-min"));
        cmd.args(&args).env("RUST_LOG", "off");
        cmd.env_remove("HOST_MIN_ISSUER_SEED")
            .env_remove("HOST_MIN_SUBJECT_SEED");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("run host-min")
    };
    // Seeds from files, and from the environment.
    let account_seed = account.seed().unwrap();
    let runs = [
        sign(
            &[
                "--issuer-seed",
                path(&seed_file),
                "--subject-seed",
                path(&module_file),
            ],
            &[],
        ),
        sign(
            &[],
            &[
                ("HOST_MIN_ISSUER_SEED", account_seed.as_str()),
                ("HOST_MIN_SUBJECT_SEED", module_seed.as_str()),
            ],
        ),
    ];
    for o in runs {
        assert!(o.status.success(), "{}", stderr(&o));
        let c = verify(&std::fs::read(&out).unwrap(), SystemTime::now()).unwrap();
        assert_eq!(c.issuer, account.public_key());
        assert_eq!(c.subject, module.public_key());
        assert_eq!(c.expires, Some(c.issued_at + 2 * 86_400));
    }
    let o = host_min(&["claims", "inspect", path(&out)]);
    assert!(
        field(&stdout(&o), "Expires").ends_with("(in 2 days)"),
        "{}",
        stdout(&o)
    );

    // Issue 11: a seed on the command line (visible in `ps` and shell
    // history) is refused, and the refusal does not repeat it.
    for (flag, seed) in [
        ("--issuer-seed", account_seed.as_str()),
        ("--subject-seed", module_seed.as_str()),
    ] {
        let o = sign(&[flag, seed], &[]);
        assert_eq!(o.status.code(), Some(2), "{flag}");
        let err = stderr(&o);
        assert!(err.contains("takes a FILE holding the seed"), "{err}");
        assert!(!err.contains(seed), "the seed was echoed: {err}");
    }
    // a module seed where the account seed belongs
    let o = host_min(&[
        "claims",
        "sign",
        path(&wasm),
        "--name",
        "a",
        "--issuer-seed",
        path(&module_file),
        "--subject-seed",
        path(&module_file),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("expected an account key"),
        "{}",
        stderr(&o)
    );

    // a capability that is not a contract id
    let o = host_min(&[
        "claims",
        "sign",
        path(&wasm),
        "--name",
        "a",
        "--caps",
        "keyvalue",
        "--key-dir",
        path(&dir.path().join("k")),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("capability `keyvalue` is not a contract id"),
        "{}",
        stderr(&o)
    );
    assert!(
        !dir.path().join("k").exists(),
        "no keys made for a refused command"
    );

    // unsigned: exit 1
    let o = host_min(&["claims", "inspect", path(&wasm)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("not signed"), "{}", stdout(&o));

    // changed after signing: exit 1, the reason shown
    let mut tampered = std::fs::read(&out).unwrap();
    support::custom_section(&mut tampered, "extra", b"x");
    let t = dir.path().join("tampered.wasm");
    std::fs::write(&t, tampered).unwrap();
    let o = host_min(&["claims", "inspect", path(&t)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        field(&stdout(&o), "Status").starts_with("INVALID: module hash mismatch"),
        "{}",
        stdout(&o)
    );
    let o = host_min(&["claims", "inspect", "--json", path(&t)]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert!(v["error"]
        .as_str()
        .unwrap()
        .starts_with("module hash mismatch"));

    // not a file / not wasm: exit 2 with the reason
    let o = host_min(&["claims", "inspect", path(&dir.path().join("missing.wasm"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read"), "{}", stderr(&o));
    std::fs::write(&t, b"garbage").unwrap();
    let o = host_min(&["claims", "inspect", path(&t)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a valid wasm module"),
        "{}",
        stderr(&o)
    );
}
