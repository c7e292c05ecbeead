//! blobby end to end: a real host-min process, real HTTP, and a real blob
//! store: blobstore-fs on a real folder, and blobstore-s3 on a real
//! S3-compatible server (moto, `scripts/setup.sh s3`). Each first in the
//! host's process, then as a process of its own on a lattice (real NATS).
//! The same actor and the same checks every way; only the manifest (the
//! provider and its link) changes.
//!
//! Two of the four ways use the httpserver's body streaming
//! (`stream_body_over`) with an actor memory limit below the size of the
//! file moved: they pass only if neither the host nor blobby holds a body
//! whole. One of them runs the httpserver as its own process too, so the
//! actor's `HttpBody` calls cross the lattice.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use weld_e2e::host::{HostProc, Manifest};
use weld_e2e::http::{must_get, send};
use weld_e2e::lattice::alone;
use weld_e2e::{blobby_wasm, free_addr, require_service};

const CAPS: &[&str] = &["wasmcloud:httpserver", "wasmcloud:blobstore"];
const S3: &str = "127.0.0.1:5000";

/// Where blobby's files end up.
enum Store {
    /// blobstore-fs with this `ROOT`.
    Fs(PathBuf),
    /// blobstore-s3 with container `docs` an alias of this bucket.
    S3(String),
}

impl Store {
    fn s3() -> Store {
        Store::S3(weld_test_support::unique_name("blobby"))
    }

    /// The provider kind and its link values.
    fn provider(&self) -> (&'static str, Vec<(String, String)>) {
        match self {
            Store::Fs(root) => (
                "blobstore-fs",
                vec![("ROOT".into(), root.display().to_string())],
            ),
            Store::S3(bucket) => (
                "blobstore-s3",
                vec![
                    (
                        "config_json".into(),
                        format!(
                            r#"{{"endpoint":"http://{S3}","access_key_id":"blobby","secret_access_key":"blobby","region":"us-east-1"}}"#
                        ),
                    ),
                    ("alias_docs".into(), bucket.clone()),
                    ("part_size".into(), "5m".into()),
                ],
            ),
        }
    }

    /// The bytes of object `id` of container `docs`, read behind the
    /// provider's back.
    fn read(&self, id: &str) -> Option<Vec<u8>> {
        match self {
            Store::Fs(root) => {
                let actor_dir = std::fs::read_dir(root)
                    .ok()?
                    .flatten()
                    .find(|e| e.file_name().to_string_lossy().starts_with('M'))?
                    .path();
                std::fs::read(actor_dir.join("docs").join(id)).ok()
            }
            Store::S3(bucket) => rt().block_on(async {
                let got = s3_client()
                    .get_object()
                    .bucket(bucket)
                    .key(id)
                    .send()
                    .await
                    .ok()?;
                Some(got.body.collect().await.ok()?.into_bytes().to_vec())
            }),
        }
    }

    /// Whether container `docs` exists, seen behind the provider's back.
    fn docs_exist(&self) -> bool {
        match self {
            Store::Fs(root) => std::fs::read_dir(root)
                .unwrap()
                .flatten()
                .any(|e| e.path().join("docs").exists()),
            Store::S3(bucket) => rt().block_on(async {
                s3_client()
                    .head_bucket()
                    .bucket(bucket)
                    .send()
                    .await
                    .is_ok()
            }),
        }
    }

    /// What `GET /` (the container list) must show while `docs` exists.
    fn listed(&self, names: &str) -> bool {
        let names: Vec<String> = serde_json::from_str(names).unwrap();
        match self {
            Store::Fs(_) => names == ["docs"],
            // Every bucket of the server; ours among them.
            Store::S3(bucket) => names.contains(bucket),
        }
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// An S3 client of the test's own, to look behind the provider's back.
fn s3_client() -> aws_sdk_s3::Client {
    use aws_smithy_http_client::tls;
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url(format!("http://{S3}"))
        .force_path_style(true)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "blobby", "blobby", None, None, "test",
        ))
        .http_client(http)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

/// How bodies move between the httpserver and blobby.
#[derive(Clone, Copy, PartialEq)]
enum Bodies {
    /// Whole, in `HttpRequest`/`HttpResponse` (wasmCloud 0.x's contract).
    Whole,
    /// Streamed (`stream_body_over`), with the actor's memory limited to
    /// [`STREAMED_MEMORY_MB`], less than [`Bodies::big`].
    Streamed,
}

const STREAMED_MEMORY_MB: u64 = 12;

impl Bodies {
    /// The size of the big file moved.
    fn big(self) -> usize {
        match self {
            // 44 chunks; on S3 a multipart upload of three parts.
            Bodies::Whole => 11 << 20,
            // Twice the actor's memory.
            Bodies::Streamed => 2 * (STREAMED_MEMORY_MB as usize) << 20,
        }
    }
}

/// blobby, its httpserver on `http` and `files` (the store) as `process`
/// says (with streamed bodies, the httpserver too).
fn manifest(
    wasm: &Path,
    http: SocketAddr,
    store: &Store,
    process: bool,
    bodies: Bodies,
) -> Manifest {
    let mut http_values = vec![
        ("address", http.to_string()),
        ("max_content_len", "32m".to_string()),
    ];
    let mut m = Manifest::new().signed_actor("blobby", wasm, CAPS);
    if bodies == Bodies::Streamed {
        http_values.push(("stream_body_over", "1m".into()));
        m = m.host_num("max_memory_mb", STREAMED_MEMORY_MB);
    }
    let m = if process && bodies == Bodies::Streamed {
        m.process_provider("http", "httpserver", &[])
    } else {
        m.provider("http", "httpserver", &[])
    };
    let http_values: Vec<(&str, &str)> =
        http_values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let m = m.link("blobby", "http", &http_values);
    let (kind, values) = store.provider();
    let m = if process {
        m.process_provider("files", kind, &[])
    } else {
        m.provider("files", kind, &[])
    };
    let values: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    m.link("blobby", "files", &values)
}

/// Everything blobby does over HTTP, checked against the store itself.
fn exercise(http: SocketAddr, store: &Store, bodies: Bodies, log: impl Fn() -> String) {
    // Stored and read back; the object is where the layout says.
    let r = send(http, "PUT", "/docs/hello.txt", b"hello, blobby".to_vec());
    assert_eq!(r.status, 201, "{} {}", r.text(), log());
    assert_eq!(
        store.read("hello.txt").as_deref(),
        Some(&b"hello, blobby"[..])
    );
    let r = must_get(http, "/docs/hello.txt");
    assert_eq!((r.status, r.body.as_slice()), (200, &b"hello, blobby"[..]));

    // Up in 256 KiB chunks (PutObject + PutChunk; on S3 a multipart
    // upload), down in as many ranges.
    let big: Vec<u8> = (0..bodies.big() as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let r = send(http, "PUT", "/docs/deep/big.bin", big.clone());
    assert_eq!(r.status, 201, "{}", r.text());
    assert!(
        store.read("deep/big.bin") == Some(big.clone()),
        "stored bytes differ"
    );
    let r = must_get(http, "/docs/deep/big.bin");
    assert_eq!(r.status, 200);
    assert!(
        r.body == big,
        "{} bytes came back as {} different bytes",
        big.len(),
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
    assert!(store.listed(&r.text()), "{}", r.text());

    if let Store::Fs(root) = store {
        // Ids that would leave the root are refused; nothing outside is
        // touched. (S3 has no root to leave: such ids are plain keys.)
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
    }

    // Deleted, then missing.
    assert_eq!(send(http, "DELETE", "/docs/hello.txt", vec![]).status, 204);
    assert_eq!(store.read("hello.txt"), None);
    assert_eq!(must_get(http, "/docs/hello.txt").status, 404);
    assert_eq!(send(http, "DELETE", "/docs/hello.txt", vec![]).status, 404);
    assert_eq!(must_get(http, "/nothing").status, 404);
    assert!(store.docs_exist());
    assert_eq!(send(http, "DELETE", "/docs", vec![]).status, 204);
    assert!(!store.docs_exist());
    assert!(!store.listed(&must_get(http, "/").text()));
    assert_eq!(send(http, "POST", "/docs/x", vec![]).status, 405);
}

fn in_process(store: Store, dir: &Path, bodies: Bodies) {
    let Some(wasm) = blobby_wasm() else { return };
    let http = free_addr();
    let host = HostProc::start(dir, manifest(&wasm, http, &store, false, bodies), &[http]);
    exercise(http, &store, bodies, || host.log());
}

fn as_process(store: Store, dir: &Path, binary: &str, bodies: Bodies) {
    if !require_service("NATS", "127.0.0.1:4222") {
        return;
    }
    let Some(wasm) = blobby_wasm() else { return };
    let http = free_addr();
    let m = alone(manifest(&wasm, http, &store, true, bodies), "blobby");
    let host = HostProc::start(dir, m, &[http]);
    // The provider process comes up and gets its link a moment after the
    // host serves HTTP.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while must_get(http, "/").status != 200 {
        assert!(std::time::Instant::now() < deadline, "{}", host.log());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Process names are cut at 15 bytes; the executable tells the kind.
    let pid = host.child_named("weld-provider-b");
    let exe = pid.and_then(|p| std::fs::read_link(format!("/proc/{p}/exe")).ok());
    assert!(
        exe.as_ref().is_some_and(|e| e.ends_with(binary)),
        "no {binary} process ({exe:?}): {}",
        host.log()
    );
    if bodies == Bodies::Streamed {
        assert!(
            host.child_named("weld-provider-h").is_some(),
            "no httpserver process: {}",
            host.log()
        );
    }
    exercise(http, &store, bodies, || host.log());
}

#[test]
fn blobby_on_blobstore_fs_in_the_hosts_process() {
    let dir = tempfile::tempdir().unwrap();
    in_process(
        Store::Fs(dir.path().join("files")),
        dir.path(),
        Bodies::Whole,
    );
}

#[test]
fn blobby_on_blobstore_fs_as_its_own_process_on_a_lattice_bodies_streamed() {
    let dir = tempfile::tempdir().unwrap();
    as_process(
        Store::Fs(dir.path().join("files")),
        dir.path(),
        "weld-provider-blobstore-fs",
        Bodies::Streamed,
    );
}

#[test]
fn blobby_on_blobstore_s3_in_the_hosts_process_bodies_streamed() {
    if !require_service("S3 (moto)", S3) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    in_process(Store::s3(), dir.path(), Bodies::Streamed);
}

#[test]
fn blobby_on_blobstore_s3_as_its_own_process_on_a_lattice() {
    if !require_service("S3 (moto)", S3) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    as_process(
        Store::s3(),
        dir.path(),
        "weld-provider-blobstore-s3",
        Bodies::Whole,
    );
}
