//! blobby end to end: a real host-min process, real HTTP, the blobstore-fs
//! provider on a real folder, first in the host's process, then as a
//! process of its own on a lattice (real NATS). The same actor and the same
//! checks both ways; only the manifest changes.

use std::net::SocketAddr;
use std::path::Path;

use weld_e2e::host::{HostProc, Manifest};
use weld_e2e::http::{must_get, send};
use weld_e2e::lattice::alone;
use weld_e2e::{blobby_wasm, free_addr, require_service};

const CAPS: &[&str] = &["wasmcloud:httpserver", "wasmcloud:blobstore"];

/// blobby, its httpserver on `http` and `files` (blobstore-fs on `root`)
/// as `store` adds it.
fn manifest(wasm: &Path, http: SocketAddr, root: &Path, process: bool) -> Manifest {
    let m = Manifest::new()
        .signed_actor("blobby", wasm, CAPS)
        .provider("http", "httpserver", &[])
        .link(
            "blobby",
            "http",
            &[("address", &http.to_string()), ("max_content_len", "16m")],
        );
    let m = if process {
        m.process_provider("files", "blobstore-fs", &[])
    } else {
        m.provider("files", "blobstore-fs", &[])
    };
    m.link("blobby", "files", &[("ROOT", &root.display().to_string())])
}

/// Everything blobby does over HTTP, checked against the folder itself.
fn exercise(http: SocketAddr, root: &Path, log: impl Fn() -> String) {
    // Stored and read back; the file is where the layout says.
    let r = send(http, "PUT", "/docs/hello.txt", b"hello, blobby".to_vec());
    assert_eq!(r.status, 201, "{} {}", r.text(), log());
    let actor_dir = std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with('M'))
        .expect("the actor's folder under ROOT")
        .path();
    assert_eq!(
        std::fs::read(actor_dir.join("docs/hello.txt")).unwrap(),
        b"hello, blobby"
    );
    let r = must_get(http, "/docs/hello.txt");
    assert_eq!((r.status, r.body.as_slice()), (200, &b"hello, blobby"[..]));

    // 3 MiB: up in 12 chunks (PutObject + PutChunk), down in 12 ranges.
    let big: Vec<u8> = (0..3 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let r = send(http, "PUT", "/docs/deep/big.bin", big.clone());
    assert_eq!(r.status, 201, "{}", r.text());
    let r = must_get(http, "/docs/deep/big.bin");
    assert_eq!(r.status, 200);
    assert!(
        r.body == big,
        "3 MiB came back as {} different bytes",
        r.body.len()
    );

    let r = must_get(http, "/docs");
    assert_eq!(r.status, 200);
    let listed: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        listed,
        serde_json::json!([
            {"id": "deep/big.bin", "size": big.len()},
            {"id": "hello.txt", "size": 13}
        ])
    );
    let r = must_get(http, "/");
    assert_eq!(r.text(), "[\"docs\"]");

    // Ids that would leave the root are refused; nothing outside is touched.
    let outside = root.parent().unwrap().join("outside.txt");
    std::fs::write(&outside, b"keep").unwrap();
    for path in [
        "/docs/..%2F..%2F..%2Foutside.txt",
        "/..%2F..%2Fx/y",
        "/docs/a%2F..%2F..%2Fb",
    ] {
        let r = send(http, "PUT", path, b"evil".to_vec());
        assert_eq!(r.status, 400, "PUT {path}: {}", r.text());
        let r = must_get(http, path);
        assert_eq!(r.status, 400, "GET {path}: {}", r.text());
    }
    assert_eq!(std::fs::read(&outside).unwrap(), b"keep");

    // Deleted, then missing.
    assert_eq!(send(http, "DELETE", "/docs/hello.txt", vec![]).status, 204);
    assert_eq!(must_get(http, "/docs/hello.txt").status, 404);
    assert_eq!(send(http, "DELETE", "/docs/hello.txt", vec![]).status, 404);
    assert_eq!(must_get(http, "/nothing").status, 404);
    assert_eq!(send(http, "DELETE", "/docs", vec![]).status, 204);
    assert!(!actor_dir.join("docs").exists());
    assert_eq!(must_get(http, "/").text(), "[]");
    assert_eq!(send(http, "POST", "/docs/x", vec![]).status, 405);
}

#[test]
fn blobby_on_blobstore_fs_in_the_hosts_process() {
    let Some(wasm) = blobby_wasm() else { return };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("files");
    let http = free_addr();
    let host = HostProc::start(dir.path(), manifest(&wasm, http, &root, false), &[http]);
    exercise(http, &root, || host.log());
}

#[test]
fn blobby_on_blobstore_fs_as_its_own_process_on_a_lattice() {
    if !require_service("NATS", "127.0.0.1:4222") {
        return;
    }
    let Some(wasm) = blobby_wasm() else { return };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("files");
    let http = free_addr();
    let m = alone(manifest(&wasm, http, &root, true), "blobby");
    let host = HostProc::start(dir.path(), m, &[http]);
    // The provider process comes up and gets its link a moment after the
    // host serves HTTP.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while must_get(http, "/").status != 200 {
        assert!(std::time::Instant::now() < deadline, "{}", host.log());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        host.child_named("weld-provider-b").is_some(),
        "no provider process: {}",
        host.log()
    );
    exercise(http, &root, || host.log());
}
