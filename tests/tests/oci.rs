//! Actors and provider archives to and from a real OCI registry (Debian's
//! docker-registry on loopback, one per test): `host-min reg push|pull`
//! byte for byte with wasmCloud's media types, digests and pins, `latest`
//! refused, htpasswd and token auth, content that does not match its
//! digest refused, and each error a user can act on.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use host_min::oci::{
    self, ArtifactKind, Credentials, OciError, RegistryOptions, ACTOR_CONFIG, ACTOR_LAYER,
    PROVIDER_CONFIG, PROVIDER_LAYER,
};
use weld_e2e::host::{host_min_bin, kv_archive, sign_actor, HostProc, Manifest, Profile};
use weld_e2e::http::{counter_of, get_until_ok, raw_exchange, rt};
use weld_e2e::lattice::{ctl, hosts, inventory, on_lattice};
use weld_e2e::registry::{Auth, Registry, PASSWORD, USER};
use weld_e2e::{build_actor, free_addr, require_service};

/// The smallest valid wasm module, and a few bytes more so that it is
/// ours.
fn tiny_wasm(tag: &str) -> Vec<u8> {
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    // A custom section ("weld" = tag) keeps it valid and unique.
    let name = b"weld";
    let payload_len = 1 + name.len() + tag.len();
    m.push(0);
    m.push(payload_len as u8);
    m.push(name.len() as u8);
    m.extend_from_slice(name);
    m.extend_from_slice(tag.as_bytes());
    m
}

/// [`tiny_wasm`] with `tag`, written into `dir`: its bytes and the file.
fn tiny_file(dir: &Path, tag: &str) -> (Vec<u8>, std::path::PathBuf) {
    let wasm = tiny_wasm(tag);
    let file = dir.join(format!("{tag}.wasm"));
    std::fs::write(&file, &wasm).unwrap();
    (wasm, file)
}

fn reg(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(host_min_bin(Profile::Debug));
    cmd.arg("reg").args(args);
    cmd.env_remove("HOST_MIN_REG_PASSWORD")
        .env_remove("HOST_MIN_REG_TOKEN");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run host-min reg");
    if let Some(text) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn fails(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "should fail: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    // One line a user can act on, not a dump.
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    err
}

/// `host-min reg push REFERENCE FILE --insecure`, which must succeed.
fn push_insecure(reference: &str, file: &std::path::Path) -> String {
    ok(&reg(
        &["push", reference, file.to_str().unwrap(), "--insecure"],
        &[],
        None,
    ))
}

/// `host-min reg pull REFERENCE --out OUT --insecure`, then `extra`.
fn pull_to(reference: &str, out: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let args = [
        &[
            "pull",
            reference,
            "--out",
            out.to_str().unwrap(),
            "--insecure",
        ],
        extra,
    ]
    .concat();
    reg(&args, env, None)
}

fn digest_of(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("digest: "))
        .unwrap_or_else(|| panic!("no digest in {stdout}"))
        .to_string()
}

/// The manifest of `repo:tag`, as the registry serves it.
fn manifest(r: &Registry, repo: &str, tag: &str) -> serde_json::Value {
    let req = format!(
        "GET /v2/{repo}/manifests/{tag} HTTP/1.0\r\nHost: {}\r\nAccept: application/vnd.oci.image.manifest.v1+json\r\n\r\n",
        r.host()
    );
    let raw = raw_exchange(r.addr(), req.as_bytes(), Duration::from_secs(5)).unwrap();
    let text = String::from_utf8_lossy(&raw);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn actors_and_provider_archives_push_and_pull_byte_for_byte() {
    let Some(r) = Registry::start(false) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let host = r.host();
    let (wasm, wasm_file) = tiny_file(dir.path(), "actor-1");
    let reference = format!("{host}/weld/tiny:0.1.0");
    let pushed = push_insecure(&reference, &wasm_file);
    let digest = digest_of(&pushed);
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{pushed}"
    );
    // wasmCloud's media types.
    let m = manifest(&r, "weld/tiny", "0.1.0");
    assert_eq!(m["layers"][0]["mediaType"], ACTOR_LAYER, "{m}");
    assert_eq!(m["config"]["mediaType"], ACTOR_CONFIG, "{m}");
    assert_eq!(m["layers"].as_array().unwrap().len(), 1);

    // Pulled back: the same bytes and digest, by tag and pinned by digest.
    let out = dir.path().join("back.wasm");
    let pulled = ok(&pull_to(&reference, &out, &[], &[]));
    assert_eq!(std::fs::read(&out).unwrap(), wasm);
    assert_eq!(digest_of(&pulled), digest);
    assert!(pulled.contains("pulled actor"), "{pulled}");
    let pinned = format!("{host}/weld/tiny@{digest}");
    let out2 = dir.path().join("pinned.wasm");
    ok(&pull_to(&pinned, &out2, &[], &[]));
    assert_eq!(std::fs::read(&out2).unwrap(), wasm);
    // The default file name comes from the repository.
    let cwd = tempfile::tempdir().unwrap();
    let o = Command::new(host_min_bin(Profile::Debug))
        .current_dir(cwd.path())
        .args(["reg", "pull", &reference, "--insecure"])
        .output()
        .unwrap();
    ok(&o);
    assert_eq!(std::fs::read(cwd.path().join("tiny.wasm")).unwrap(), wasm);

    // A provider archive (gzip) is pushed with the provider types.
    let par: Vec<u8> = [&[0x1f, 0x8b, 8, 0][..], b"not really gzip, but its magic"].concat();
    let par_file = dir.path().join("kv.par.gz");
    std::fs::write(&par_file, &par).unwrap();
    let preference = format!("{host}/weld/kv-provider:0.2.0");
    push_insecure(&preference, &par_file);
    let m = manifest(&r, "weld/kv-provider", "0.2.0");
    assert_eq!(m["layers"][0]["mediaType"], PROVIDER_LAYER, "{m}");
    assert_eq!(m["config"]["mediaType"], PROVIDER_CONFIG, "{m}");
    let pulled = rt()
        .block_on(oci::pull(
            &preference,
            &RegistryOptions {
                insecure: vec![host.clone()],
                ..Default::default()
            },
        ))
        .unwrap();
    assert_eq!(pulled.kind, ArtifactKind::Provider);
    assert_eq!(pulled.bytes, par);

    // `latest` (or no tag) is refused unless allowed.
    let latest = format!("{host}/weld/tiny:latest");
    push_insecure(&latest, &wasm_file);
    let e = fails(&reg(&["pull", &latest, "--insecure"], &[], None));
    assert!(e.contains("latest"), "{e}");
    let e = fails(&reg(
        &["pull", &format!("{host}/weld/tiny"), "--insecure"],
        &[],
        None,
    ));
    assert!(e.contains("latest"), "{e}");
    let out3 = dir.path().join("latest.wasm");
    ok(&pull_to(&latest, &out3, &["--allow-latest"], &[]));
    assert_eq!(std::fs::read(&out3).unwrap(), wasm);
}

#[test]
fn each_error_says_what_is_wrong_and_writes_nothing() {
    let Some(r) = Registry::start(false) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let host = r.host();
    let out = dir.path().join("never.wasm");
    // Not found.
    let e = fails(&pull_to(
        &format!("{host}/weld/nothing:1.0"),
        &out,
        &[],
        &[],
    ));
    assert!(e.contains("not found in registry"), "{e}");
    // A container image is not an actor.
    let image = format!("{host}/weld/container:1.0");
    rt().block_on(oci::push_layer(
        &image,
        vec![0x1f, 0x8b, 8, 0, 1, 2, 3],
        "application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.oci.image.config.v1+json",
        &RegistryOptions {
            insecure: vec![host.clone()],
            ..Default::default()
        },
    ))
    .unwrap();
    let e = fails(&pull_to(&image, &out, &[], &[]));
    assert!(
        e.contains("not a wasmCloud actor or provider archive")
            && e.contains("application/vnd.oci.image.layer.v1.tar+gzip"),
        "{e}"
    );
    // A pinned digest the registry does not have.
    let wrong = format!("{host}/weld/container@sha256:{}", "0".repeat(64));
    let e = fails(&pull_to(&wrong, &out, &[], &[]));
    assert!(e.contains("not found") || e.contains("digest"), "{e}");
    // Nobody listening.
    let closed = weld_e2e::free_addr();
    let e = fails(&pull_to(&format!("{closed}/weld/x:1.0"), &out, &[], &[]));
    assert!(e.contains("cannot reach registry"), "{e}");
    // Not a reference; not an artifact to push.
    let e = fails(&reg(&["pull", "Not A Ref"], &[], None));
    assert!(e.contains("not an OCI reference"), "{e}");
    let script = dir.path().join("run.sh");
    std::fs::write(&script, "#!/bin/sh\necho hi\n").unwrap();
    let e = fails(&reg(
        &[
            "push",
            &format!("{host}/weld/s:1"),
            script.to_str().unwrap(),
            "--insecure",
        ],
        &[],
        None,
    ));
    assert!(
        e.contains("neither a wasm module nor a provider archive"),
        "{e}"
    );
    assert!(!out.exists(), "a failed pull wrote {out:?}");
}

#[test]
fn a_registry_with_htpasswd_auth_wants_its_user() {
    let Some(r) = Registry::start(true) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let host = r.host();
    let (wasm, file) = tiny_file(dir.path(), "auth");
    let f = file.to_str().unwrap();
    let reference = format!("{host}/weld/private:1.0.0");
    // No credentials, and wrong ones: 401, said plainly.
    let e = fails(&reg(&["push", &reference, f, "--insecure"], &[], None));
    assert!(e.contains("401"), "{e}");
    let e = fails(&reg(
        &["push", &reference, f, "--insecure", "--user", USER],
        &[("HOST_MIN_REG_PASSWORD", "wrong")],
        None,
    ));
    assert!(e.contains("401"), "{e}");
    // A user without a password is told where to put it.
    let e = fails(&reg(
        &["push", &reference, f, "--insecure", "--user", USER],
        &[],
        None,
    ));
    assert!(e.contains("HOST_MIN_REG_PASSWORD"), "{e}");
    // The right ones, from the environment and from stdin.
    let pushed = ok(&reg(
        &["push", &reference, f, "--insecure", "--user", USER],
        &[("HOST_MIN_REG_PASSWORD", PASSWORD)],
        None,
    ));
    let out = dir.path().join("back.wasm");
    let pulled = ok(&reg(
        &[
            "pull",
            &reference,
            "--out",
            out.to_str().unwrap(),
            "--insecure",
            "--user",
            USER,
            "--password-stdin",
        ],
        &[],
        Some(&format!("{PASSWORD}\n")),
    ));
    assert_eq!(digest_of(&pulled), digest_of(&pushed));
    assert_eq!(std::fs::read(&out).unwrap(), wasm);
    let e = fails(&reg(&["pull", &reference, "--insecure"], &[], None));
    assert!(e.contains("401"), "{e}");
    // The library says the same, typed.
    let err = rt()
        .block_on(oci::pull(
            &reference,
            &RegistryOptions {
                insecure: vec![host.clone()],
                credentials: Credentials::Basic {
                    username: USER.into(),
                    password: "nope".into(),
                },
                allow_latest: false,
            },
        ))
        .unwrap_err();
    assert!(matches!(err, OciError::Unauthorized { .. }), "{err:?}");
}

#[test]
fn a_registry_with_token_auth_takes_a_user_or_a_token() {
    let Some(r) = Registry::start_with(Auth::Token) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let host = r.host();
    let (wasm, file) = tiny_file(dir.path(), "token");
    let f = file.to_str().unwrap();
    let password = [("HOST_MIN_REG_PASSWORD", PASSWORD)];

    // A user and password: the registry sends the client to the token
    // server, which trades them for a token scoped to the repository.
    let by_user = format!("{host}/weld/by-user:1.0.0");
    let pushed = ok(&reg(
        &["push", &by_user, f, "--insecure", "--user", USER],
        &password,
        None,
    ));
    let out = dir.path().join("by-user.wasm");
    let pulled = ok(&pull_to(&by_user, &out, &["--user", USER], &password));
    assert_eq!(digest_of(&pulled), digest_of(&pushed));
    assert_eq!(std::fs::read(&out).unwrap(), wasm);

    // A token obtained beforehand from the token server (as a CI job gets
    // one), passed in $HOST_MIN_REG_TOKEN: no user, no exchange.
    let by_token = format!("{host}/weld/by-token:1.0.0");
    let token = r.token_server().token("repository:weld/by-token:pull,push");
    let with_token = [("HOST_MIN_REG_TOKEN", token.as_str())];
    let pushed = ok(&reg(
        &["push", &by_token, f, "--insecure"],
        &with_token,
        None,
    ));
    let out = dir.path().join("by-token.wasm");
    let pulled = ok(&pull_to(&by_token, &out, &[], &with_token));
    assert_eq!(digest_of(&pulled), digest_of(&pushed));
    assert_eq!(std::fs::read(&out).unwrap(), wasm);

    // Refused, in one line naming the 401, and nothing written on either
    // side: no credentials, a wrong password, a token that is not one, and
    // a real token for another repository (the registry checks its scope).
    let never = format!("{host}/weld/never:1.0.0");
    let out = dir.path().join("never.wasm");
    let cases: [(&str, &[&str], &[(&str, &str)]); 4] = [
        ("anonymous", &[], &[]),
        (
            "wrong password",
            &["--user", USER],
            &[("HOST_MIN_REG_PASSWORD", "wrong")],
        ),
        ("bogus token", &[], &[("HOST_MIN_REG_TOKEN", "not-a-token")]),
        ("another repository's token", &[], &with_token),
    ];
    for (case, extra, env) in cases {
        let e = fails(&reg(
            &[&["push", &never, f, "--insecure"], extra].concat(),
            env,
            None,
        ));
        assert!(e.contains("401 Unauthorized"), "{case}: {e}");
        assert!(
            !r.has_repository("weld/never"),
            "{case}: a refused push wrote to the registry"
        );
        let e = fails(&pull_to(&by_user, &out, extra, env));
        assert!(e.contains("401 Unauthorized"), "{case}: {e}");
        assert!(!out.exists(), "{case}: a refused pull wrote {out:?}");
    }
    // The library says the same, typed.
    let err = rt()
        .block_on(oci::pull(
            &by_token,
            &RegistryOptions {
                insecure: vec![host.clone()],
                credentials: Credentials::Token("not-a-token".into()),
                allow_latest: false,
            },
        ))
        .unwrap_err();
    assert!(matches!(err, OciError::Unauthorized { .. }), "{err:?}");
}

/// Flips the last `n` bytes of `file` (its length stays), as a disk or a
/// registry gone bad would.
fn corrupt(file: &Path, n: usize) {
    let mut bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let len = bytes.len();
    for b in &mut bytes[len - n..] {
        *b ^= 0x20;
    }
    std::fs::write(file, bytes).unwrap();
}

/// Runs `host-min up` on `manifest` in `dir`; it must exit with an error
/// within a minute. What it printed.
fn up_fails(dir: &Path, manifest: Manifest) -> String {
    let path = dir.join("app.toml");
    std::fs::write(&path, manifest.host("data_dir", "data").to_toml()).unwrap();
    // A file, not a pipe: a host that does start and logs on would fill a
    // pipe nobody reads while we wait.
    let log = dir.join("host.log");
    let file = std::fs::File::create(&log).unwrap();
    let mut child = Command::new(host_min_bin(Profile::Debug))
        .args(["up", "--no-admin"])
        .arg(&path)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "host-min up kept running: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(!status.success(), "host-min up succeeded: {text}");
    text
}

#[test]
fn content_that_does_not_match_its_digest_is_refused_and_nothing_is_kept_or_started() {
    let Some(r) = Registry::start(false) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let host = r.host();

    // A layer whose bytes changed in the registry's storage after the push.
    let (wasm, file) = tiny_file(dir.path(), "layer-rot");
    let tagged = format!("{host}/weld/layer-rot:1.0.0");
    let digest = digest_of(&push_insecure(&tagged, &file));
    let layer = manifest(&r, "weld/layer-rot", "1.0.0")["layers"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let blob = r.blob_file(&layer);
    // The layout is what we think it is: the blob holds the module.
    assert_eq!(std::fs::read(&blob).unwrap(), wasm);
    corrupt(&blob, 3);
    let out = dir.path().join("rotten.wasm");
    let pinned = format!("{host}/weld/layer-rot@{digest}");
    for reference in [&tagged, &pinned] {
        let e = fails(&pull_to(reference, &out, &[], &[]));
        assert!(e.contains("digest mismatch") && e.contains(&layer), "{e}");
        assert!(!out.exists(), "a refused pull wrote {out:?}");
    }

    // A manifest changed in storage, asked for by its digest: the registry
    // serves it under the digest asked for, and the bytes say otherwise.
    let (_, file) = tiny_file(dir.path(), "manifest-rot");
    let tagged_m = format!("{host}/weld/manifest-rot:1.0.0");
    let digest_m = digest_of(&push_insecure(&tagged_m, &file));
    // Still JSON after the change (the registry parses a manifest before
    // serving it): one hex digit of the config's digest differs.
    let manifest_blob = r.blob_file(&digest_m);
    let text = std::fs::read_to_string(&manifest_blob).unwrap();
    let config = manifest(&r, "weld/manifest-rot", "1.0.0")["config"]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let hex = config.strip_prefix("sha256:").unwrap();
    let flipped = if hex.starts_with('0') { "1" } else { "0" };
    let changed = text.replacen(hex, &format!("{flipped}{}", &hex[1..]), 1);
    assert_eq!(changed.len(), text.len());
    assert_ne!(changed, text);
    std::fs::write(&manifest_blob, changed).unwrap();
    let pinned_m = format!("{host}/weld/manifest-rot@{digest_m}");
    let e = fails(&pull_to(&pinned_m, &out, &[], &[]));
    assert!(
        e.contains("digest mismatch") && e.contains(&digest_m),
        "{e}"
    );
    assert!(!out.exists(), "a refused pull wrote {out:?}");

    // A host told to run them stops at the pull: it exits with the same
    // error, and its artifact cache holds nothing.
    for reference in [&tagged, &pinned, &pinned_m] {
        let hdir = tempfile::tempdir().unwrap();
        let log = up_fails(
            hdir.path(),
            Manifest::new()
                .image_actor("rotten", reference)
                .host_list("registry_insecure", &[&host]),
        );
        assert!(log.contains("digest mismatch"), "{reference}: {log}");
        let cache = hdir.path().join("data/oci");
        let kept: Vec<_> = std::fs::read_dir(&cache)
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(kept.is_empty(), "{reference}: the cache kept {kept:?}");
    }
}

/// kvcounter (unsigned and signed) and the keyvalue provider archive.
struct Artifacts {
    dir: tempfile::TempDir,
    wasm: std::path::PathBuf,
    signed: std::path::PathBuf,
    par: std::path::PathBuf,
}

fn artifacts() -> Option<Artifacts> {
    let wasm = build_actor("examples/kvcounter")?;
    let dir = tempfile::tempdir().unwrap();
    let bin = host_min_bin(Profile::Debug);
    let signed = sign_actor(
        &bin,
        &wasm,
        "kvcounter",
        &["wasmcloud:httpserver", "wasmcloud:keyvalue"],
        dir.path(),
    );
    let par = kv_archive(&bin, dir.path());
    Some(Artifacts {
        dir,
        wasm,
        signed,
        par,
    })
}

/// kvcounter's count at `http`, once it answers (within `within`).
fn count(http: std::net::SocketAddr, within: u64, log: impl Fn() -> String) -> i64 {
    counter_of(&get_until_ok(http, "/api/counter", Duration::from_secs(within), log).text())
}

#[test]
fn kvcounter_and_its_store_start_from_references_and_stay_cached() {
    if !require_service("NATS", "127.0.0.1:4222") {
        return;
    }
    let Some(r) = Registry::start(false) else {
        return;
    };
    // The folder lives as long as the test: it holds the files pushed.
    let Some(Artifacts {
        dir: _dir,
        wasm: _,
        signed,
        par,
    }) = artifacts()
    else {
        return;
    };
    let host = r.host();
    let actor_ref = format!("{host}/weld/kvcounter:0.1.0");
    let provider_ref = format!("{host}/weld/keyvalue:0.1.0");
    push_insecure(&actor_ref, &signed);
    push_insecure(&provider_ref, &par);

    // Two hosts of one lattice, everything by reference: A runs kvcounter
    // (pulled) and the HTTP server, B the keyvalue provider archive
    // (pulled). The actor's store is on the other host.
    let seed = host_min::claims::keys::KeyPair::new(host_min::claims::keys::KeyType::Cluster)
        .seed()
        .unwrap();
    let lattice = weld_e2e::unique_name("oci");
    let http = free_addr();
    let dir_b = tempfile::tempdir().unwrap();
    let b = HostProc::start(
        dir_b.path(),
        on_lattice(
            Manifest::new()
                .image_provider("kv", &provider_ref)
                .host_list("registry_insecure", &[&host]),
            &lattice,
            &seed,
            "b",
        ),
        &[],
    );
    let hdir = tempfile::tempdir().unwrap();
    let mut h = HostProc::start(
        hdir.path(),
        on_lattice(
            Manifest::new()
                .image_actor("kvcounter", &actor_ref)
                .provider("http", "httpserver", &[])
                .link("kvcounter", "http", &[("address", &http.to_string())])
                .host_list("registry_insecure", &[&host]),
            &lattice,
            &seed,
            "a",
        ),
        &[http],
    );
    let c = ctl(&lattice);
    let found = hosts(&c, 2);
    assert_eq!(found.len(), 2, "{}", b.log());
    let host_a = weld_e2e::lattice::by_name(&found, "a");
    let host_b = weld_e2e::lattice::by_name(&found, "b");
    let inv_a = inventory(&c, host_a);
    let inv_b = inventory(&c, host_b);
    assert_eq!(inv_a.actors.len(), 1, "{inv_a:?}");
    let actor = inv_a.actors[0].id.clone();
    let kv = inv_b
        .providers
        .iter()
        .find(|p| p.contract_id == "wasmcloud:keyvalue")
        .unwrap_or_else(|| panic!("no keyvalue provider on b: {inv_b:?} {}", b.log()))
        .id
        .clone();
    let ack = rt()
        .block_on(c.put_link(
            &actor,
            &kv,
            "wasmcloud:keyvalue",
            "default",
            Default::default(),
        ))
        .unwrap();
    assert!(ack.accepted, "{ack:?}");
    let first = count(http, 30, || h.log());
    let second = count(http, 5, || h.log());
    assert_eq!(second, first + 1);

    // A reference of the other kind starts nothing, and says why.
    let ack = rt()
        .block_on(c.start_provider(&host_b.id, &actor_ref, "other", None, None))
        .unwrap();
    assert!(ack.accepted);
    let ack = rt()
        .block_on(c.start_actor(&host_b.id, &format!("{host}/weld/kvcounter:9.9.9"), 1, None))
        .unwrap();
    assert!(ack.accepted);
    std::thread::sleep(Duration::from_secs(2));
    let inv_b = inventory(&c, host_b);
    assert!(inv_b.actors.is_empty(), "{inv_b:?}");
    assert_eq!(inv_b.providers.len(), 1, "{inv_b:?}");
    let log = b.log();
    assert!(
        log.contains(
            "holds the wrong kind of artifact: actor, where provider archive was asked for"
        ),
        "{log}"
    );
    assert!(log.contains("not found in registry"), "{log}");
    // Pulled once, kept by digest: with the registry gone, a restarted
    // host starts again from its manifest's references, and counts on.
    let names = |d: &Path| -> Vec<String> {
        std::fs::read_dir(d.join("data/oci"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    };
    let a_files = names(hdir.path());
    assert!(
        a_files
            .iter()
            .any(|f| f.starts_with("sha256-") && f.ends_with(".wasm")),
        "{a_files:?}"
    );
    let b_files = names(dir_b.path());
    assert!(
        b_files
            .iter()
            .any(|f| f.starts_with("sha256-") && f.ends_with(".par.gz")),
        "{b_files:?}"
    );
    drop(r);
    h.stop();
    h.restart();
    let after = count(http, 30, || h.log());
    assert!(after > second, "{after} after {second}");
}

#[test]
fn actors_and_provider_archives_are_uploaded_to_a_running_host() {
    if !require_service("NATS", "127.0.0.1:4222") {
        return;
    }
    let Some(Artifacts {
        dir,
        wasm,
        signed,
        par,
    }) = artifacts()
    else {
        return;
    };
    let http = free_addr();
    let m = weld_e2e::lattice::alone(Manifest::new().provider("http", "httpserver", &[]), "up");
    let lattice = m.host_value("lattice").unwrap();
    let hdir = tempfile::tempdir().unwrap();
    let h = HostProc::start(hdir.path(), m, &[]);
    let upload = |file: &Path| h.cli(&["upload", file.to_str().unwrap()]);

    // Refused: an unsigned module (claims are checked), a file that is
    // neither, and (asked of the endpoint directly) an archive as an actor.
    let e = fails(&upload(&wasm));
    assert!(
        e.to_lowercase().contains("claims") || e.contains("unsigned"),
        "{e}"
    );
    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, b"not an artifact").unwrap();
    let e = fails(&upload(&junk));
    assert!(
        e.contains("neither a wasm module nor a provider archive"),
        "{e}"
    );
    let r = weld_e2e::http::send(h.admin, "POST", "/v1/actors", std::fs::read(&par).unwrap());
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.text().contains("wrong kind of artifact"), "{}", r.text());

    // Accepted: the signed actor and the archive, then linked and used.
    let out = ok(&upload(&signed));
    let actor = out
        .split_whitespace()
        .nth(1)
        .unwrap_or_else(|| panic!("{out}"))
        .to_string();
    assert!(actor.starts_with('M'), "{out}");
    let out = ok(&upload(&par));
    let kv = out.split_whitespace().nth(1).unwrap().to_string();
    assert!(kv.starts_with('V'), "{out}");
    let c = ctl(&lattice);
    let found = hosts(&c, 1);
    let inv = inventory(&c, &found[0]);
    assert_eq!(inv.actors.len(), 1, "{inv:?}");
    assert_eq!(inv.actors[0].id, actor);
    assert!(inv.providers.iter().any(|p| p.id == kv), "{inv:?}");
    let http_id = inv
        .providers
        .iter()
        .find(|p| p.id != kv)
        .unwrap()
        .id
        .clone();
    for (provider, contract, values) in [
        (kv.as_str(), "wasmcloud:keyvalue", vec![]),
        (
            http_id.as_str(),
            "wasmcloud:httpserver",
            vec![("address".to_string(), http.to_string())],
        ),
    ] {
        let ack = rt()
            .block_on(c.put_link(
                &actor,
                provider,
                contract,
                "default",
                values.into_iter().collect(),
            ))
            .unwrap();
        assert!(ack.accepted, "{ack:?}");
    }
    let first = count(http, 30, || h.log());
    let second = count(http, 5, || h.log());
    assert_eq!(second, first + 1);
    // Kept by content hash in the host's data directory.
    let kept: Vec<String> = std::fs::read_dir(hdir.path().join("data/uploads"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
}
