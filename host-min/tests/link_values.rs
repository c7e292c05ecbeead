//! Bad link values through the whole host: the admin endpoint (what the CLI
//! uses) and manifests. Every refusal must name the link (actor, contract,
//! link name), the key and the value, and must leave everything as it was:
//! the link table, the listener still serving on its old port, the store
//! still counting. Real parts: HTTP binds on loopback, Redis at
//! 127.0.0.1:6379, redb files in a temp dir, the probe actor in wasm.

mod common;
#[allow(dead_code)]
mod provider_support;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::{actor_wasm, host_call_payload};
use host_min::admin::{self, AdminError, Client, LinkRequest};
use host_min::host::{Host, HostConfig};
use host_min::manifest::Manifest;
use host_min::providers::ProviderRegistry;
use host_min::types::LinkDefinition;
use provider_support::{redis_available, unique_prefix};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn free_addr() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

struct Fixture {
    _dir: tempfile::TempDir,
    dir: std::path::PathBuf,
    host: Arc<Host>,
    client: Client,
    http: SocketAddr,
    probe: String,
    key: String,
}

/// A host running the probe actor linked to an httpserver (on `http`), the
/// embedded store and (with `redis`) the Redis store under link name `redis`.
async fn fixture(redis: bool) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    std::fs::write(path.join("probe.wasm"), actor_wasm("probe")).unwrap();
    let http = free_addr();
    let mut text = format!(
        r#"
[host]
data_dir = "data"
call_deadline_ms = 5000
allow_unsigned = true

[[actors]]
name = "probe"
path = "probe.wasm"

[[providers]]
name = "http"
kind = "httpserver"

[[providers]]
name = "kv"
kind = "keyvalue"

[[links]]
actor = "probe"
provider = "http"
values = {{ address = "{http}" }}

[[links]]
actor = "probe"
provider = "kv"
"#
    );
    if redis {
        text.push_str(
            r#"
[[providers]]
name = "redis"
kind = "keyvalue-redis"
link_name = "redis"

[[links]]
actor = "probe"
provider = "redis"
link_name = "redis"
values = { URL = "redis://127.0.0.1:6379/" }
"#,
        );
    }
    let manifest = path.join("app.toml");
    std::fs::write(&manifest, text).unwrap();
    let m = Manifest::load(&manifest).unwrap();
    let cfg = HostConfig::default().with_manifest(&m);
    let host = Arc::new(Host::new(cfg, ProviderRegistry::with_builtins()).unwrap());
    host.apply(&m).await.unwrap();
    let admin = admin::serve(host.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let probe = host.router().resolve_actor("probe").unwrap();
    Fixture {
        _dir: dir,
        dir: path,
        host,
        client: Client::new(admin),
        http,
        probe,
        key: format!("{}:count", unique_prefix("linkvals")),
    }
}

impl Fixture {
    /// Puts a link that must be refused; returns the error text after
    /// checking the status and that the link table did not change.
    async fn refused(&self, provider: &str, values: &[(&str, &str)]) -> String {
        let before = self.links().await;
        let req = LinkRequest {
            actor: "probe".into(),
            provider: Some(provider.into()),
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        };
        let message = match self.client.put_link(&req).await {
            Err(AdminError::Refused {
                status: 400,
                message,
            }) => message,
            other => panic!("{values:?} was not refused with 400: {other:?}"),
        };
        assert_eq!(self.links().await, before, "{values:?} changed the links");
        message
    }

    async fn put(&self, provider: &str, values: &[(&str, &str)]) -> LinkDefinition {
        let req = LinkRequest {
            actor: "probe".into(),
            provider: Some(provider.into()),
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        };
        self.client.put_link(&req).await.unwrap()
    }

    async fn links(&self) -> Vec<LinkDefinition> {
        let mut l = self.client.links().await.unwrap();
        l.sort_by(|a, b| (&a.contract_id, &a.link_name).cmp(&(&b.contract_id, &b.link_name)));
        l
    }

    /// The link prefix of every refusal for `contract` / `link_name`.
    fn names(&self, contract: &str, link_name: &str) -> String {
        format!(
            "link rejected (actor `probe` {}, contract {contract}, link name `{link_name}`): ",
            self.probe
        )
    }

    /// Increments the counter through the store of link `binding`.
    async fn increment(&self, binding: &str) -> i32 {
        #[derive(serde::Serialize)]
        struct Inc<'a> {
            key: &'a str,
            value: i32,
        }
        let arg = rmp_serde::to_vec_named(&Inc {
            key: &self.key,
            value: 1,
        })
        .unwrap();
        let call = host_call_payload(binding, "wasmcloud:keyvalue", "KeyValue.Increment", &arg);
        let out = self
            .host
            .router()
            .call_actor("probe", "Probe.HostCall", &call)
            .await
            .unwrap_or_else(|e| panic!("increment through `{binding}`: {e}"));
        rmp_serde::from_slice(&out).unwrap()
    }
}

/// The status line of `GET /` at `addr`, or `None` when nothing listens.
async fn http_status(addr: SocketAddr) -> Option<String> {
    let mut s = tokio::net::TcpStream::connect(addr).await.ok()?;
    s.write_all(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await
        .ok()?;
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out))
        .await
        .ok()?
        .ok()?;
    let text = String::from_utf8_lossy(&out);
    text.lines().next().map(str::to_string)
}

/// The probe has no HTTP handler: a served request is the actor's 500.
const SERVED: &str = "HTTP/1.1 500 Internal Server Error";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_httpserver_values_are_refused_and_the_listener_stays() {
    let f = fixture(false).await;
    assert_eq!(http_status(f.http).await.as_deref(), Some(SERVED));
    let names = f.names("wasmcloud:httpserver", "default");
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy_addr = busy.local_addr().unwrap().to_string();
    let free = free_addr();
    let cases: Vec<(Vec<(&str, &str)>, String)> = vec![
        (
            vec![("address", "localhost:8080")],
            "link value `address` = \"localhost:8080\": `localhost` is not an IP address (host names are not resolved)".into(),
        ),
        (
            vec![("address", "256.0.0.1:8080")],
            "link value `address` = \"256.0.0.1:8080\": `256.0.0.1` is not an IP address (host names are not resolved)".into(),
        ),
        (
            vec![("Address", "127.0.0.1:65536")],
            "link value `Address` = \"127.0.0.1:65536\": port 65536 is out of range (0-65535)".into(),
        ),
        (
            vec![("PORT", "70000")],
            "link value `PORT` = \"70000\": port 70000 is out of range (0-65535)".into(),
        ),
        (
            vec![("port", "-1")],
            "link value `port` = \"-1\": not a port number (0-65535)".into(),
        ),
        (
            vec![("address", "127.0.0.1:8080"), ("port", "8081")],
            "link value `port` = \"8081\": conflicts with `address` = \"127.0.0.1:8080\"; give one of them".into(),
        ),
        (
            vec![("port", "8080"), ("PORT", "8081")],
            "link value `port` = \"8080\": given twice, also as `PORT` (keys are case-insensitive)".into(),
        ),
        (
            vec![("adress", "127.0.0.1:8080")],
            "link value `adress` = \"127.0.0.1:8080\": unknown setting; did you mean `address`?".into(),
        ),
        (
            vec![("address", &busy_addr)],
            format!("link value `address` = \"{busy_addr}\": cannot bind {busy_addr}: "),
        ),
        (
            // TEST-NET-1: a valid IP no interface here has.
            vec![("address", "192.0.2.1:8080")],
            "link value `address` = \"192.0.2.1:8080\": cannot bind 192.0.2.1:8080: ".into(),
        ),
    ];
    let free_s = free.to_string();
    for (values, want) in &cases {
        let message = f.refused("http", values).await;
        let expected = format!("{names}provider `http`: {want}");
        if want.ends_with(": ") {
            // Ends with the OS error.
            assert!(
                message.starts_with(&expected),
                "{values:?}:\n{message}\nwanted {expected}"
            );
        } else {
            assert_eq!(message, expected, "{values:?}");
        }
        // Whatever was refused, the old listener still serves.
        assert_eq!(
            http_status(f.http).await.as_deref(),
            Some(SERVED),
            "{values:?}"
        );
    }
    assert_eq!(http_status(f.http).await.as_deref(), Some(SERVED));
    assert_eq!(
        http_status(free).await,
        None,
        "nothing bound for a refused link"
    );
    drop(busy);

    // A good re-put moves the listener: the new address serves, the old is free.
    let moved = f.put("http", &[("address", &free_s)]).await;
    assert_eq!(moved.value("address"), Some(free_s.as_str()));
    assert_eq!(http_status(free).await.as_deref(), Some(SERVED));
    assert_eq!(http_status(f.http).await, None);
    // Moving back onto a port something else holds fails and keeps `free`.
    let holder = std::net::TcpListener::bind(f.http).unwrap();
    let m = f.refused("http", &[("address", &f.http.to_string())]).await;
    assert!(m.contains("cannot bind"), "{m}");
    assert_eq!(http_status(free).await.as_deref(), Some(SERVED));
    drop(holder);
    // Re-putting the same address with other settings keeps the socket.
    let same = f
        .put("http", &[("address", &free_s), ("timeout_ms", "3000")])
        .await;
    assert_eq!(same.value("timeout_ms"), Some("3000"));
    assert_eq!(http_status(free).await.as_deref(), Some(SERVED));
    f.host.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_embedded_store_values_are_refused_and_the_store_stays() {
    let f = fixture(false).await;
    assert_eq!(f.increment("default").await, 1);
    let names = f.names("wasmcloud:keyvalue", "default");
    // Store files must lie in the host's data dir (`data`).
    let a_file = f.dir.join("data/not-a-dir");
    std::fs::write(&a_file, "plain text").unwrap();
    let garbage = f.dir.join("data/garbage.redb");
    std::fs::write(&garbage, vec![0x5a; 64 * 1024]).unwrap();
    let a_dir = f.dir.join("data/a-dir");
    std::fs::create_dir(&a_dir).unwrap();
    let outside = f.dir.join("outside.redb").display().to_string();
    let data = f.dir.join("data").display().to_string();
    let (file_s, garbage_s, dir_s) = (
        a_file.display().to_string(),
        garbage.display().to_string(),
        a_dir.display().to_string(),
    );
    let cases: Vec<(Vec<(&str, &str)>, String)> = vec![
        (
            vec![("path", "")],
            "link value `path` = \"\": empty value".into(),
        ),
        (
            vec![("path", "x.redb"), ("DATA_DIR", "d")],
            "link value `DATA_DIR` = \"d\": conflicts with `path` = \"x.redb\"; give one of them".into(),
        ),
        (
            vec![("data_dir", &file_s)],
            format!("link value `data_dir` = \"{file_s}\": {file_s} is not a directory"),
        ),
        (
            vec![("Path", &dir_s)],
            format!("link value `Path` = \"{dir_s}\": {dir_s} is a directory; give a file, or use `data_dir`"),
        ),
        (
            vec![("path", &garbage_s)],
            format!("link value `path` = \"{garbage_s}\": cannot open the store {garbage_s}: "),
        ),
        (
            vec![("path", "../outside.redb")],
            format!("link value `path` = \"../outside.redb\": {outside} is outside the host's data directory {data} (store files must be inside it)"),
        ),
        (
            vec![("path", "/proc/weld-test/kv.redb")],
            format!("link value `path` = \"/proc/weld-test/kv.redb\": /proc/weld-test/kv.redb is outside the host's data directory {data} (store files must be inside it)"),
        ),
        (
            vec![("pth", "x.redb")],
            "link value `pth` = \"x.redb\": unknown setting; did you mean `path`?".into(),
        ),
    ];
    for (values, want) in &cases {
        let message = f.refused("kv", values).await;
        let expected = format!("{names}provider `kv`: {want}");
        if want.ends_with(": ") {
            assert!(message.starts_with(&expected), "{values:?}:\n{message}");
        } else {
            assert_eq!(message, expected, "{values:?}");
        }
    }
    // The garbage file is not touched by the refused open.
    assert_eq!(std::fs::read(&garbage).unwrap(), vec![0x5a; 64 * 1024]);
    // The old store still counts on.
    assert_eq!(f.increment("default").await, 2);

    // A relative path lands under the host's data dir; unknown keys that
    // are not near a known one are kept in the link and ignored.
    f.put("kv", &[("path", "rel/kv.redb"), ("tag", "blue")])
        .await;
    assert!(f.dir.join("data/rel/kv.redb").is_file());
    assert_eq!(f.increment("default").await, 1, "a new, empty store");
    f.host.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_redis_values_are_refused_and_the_connection_stays() {
    if !redis_available() {
        return;
    }
    let f = fixture(true).await;
    assert_eq!(f.increment("redis").await, 1);
    let names = f.names("wasmcloud:keyvalue", "redis");
    let cases: &[(&str, &str, &str)] = &[
        (
            "URL",
            "127.0.0.1:6379",
            "not a URL (e.g. redis://127.0.0.1:6379/0)",
        ),
        (
            "url",
            "http://127.0.0.1:6379/",
            "unsupported scheme `http` (use redis://, redis+unix://, unix://)",
        ),
        (
            "Url",
            "rediss://127.0.0.1:6379/",
            "TLS (rediss://) is not supported by this host; use redis://",
        ),
        ("URL", "", "empty value"),
        ("URL", "redis://127.0.0.1:1/", "cannot connect: "),
        (
            "URL",
            "redis://127.0.0.1:6379/notadb",
            "not a valid Redis URL: ",
        ),
        (
            "URI",
            "redis://127.0.0.1:6379/",
            "unknown setting; did you mean `URL`?",
        ),
    ];
    for (key, value, reason) in cases {
        let message = f.refused("redis", &[(key, value)]).await;
        let expected = format!("{names}provider `redis`: link value `{key}` = {value:?}: {reason}");
        if reason.ends_with(": ") {
            assert!(
                message.starts_with(&expected),
                "{message}\nwanted {expected}"
            );
        } else {
            assert_eq!(message, expected);
        }
    }
    // A password never shows in the refusal.
    let m = f
        .refused("redis", &[("URL", "redis://user:hunter2@127.0.0.1:1/")])
        .await;
    assert!(
        m.contains("`URL` = \"redis://[REDACTED]@127.0.0.1:1/\": cannot connect")
            && !m.contains("hunter2"),
        "{m}"
    );
    // The old connection still serves the link.
    assert_eq!(f.increment("redis").await, 2);
    f.host.shutdown().await;
}

/// Applies `text` as `app.toml` in `dir`; returns the error text.
async fn apply_err(dir: &Path, text: &str) -> String {
    std::fs::write(dir.join("probe.wasm"), actor_wasm("probe")).unwrap();
    let path = dir.join("app.toml");
    std::fs::write(&path, text).unwrap();
    let m = Manifest::load(&path).unwrap();
    let host = Host::new(
        HostConfig::default().with_manifest(&m),
        ProviderRegistry::with_builtins(),
    )
    .unwrap();
    let err = host.apply(&m).await.unwrap_err().to_string();
    host.shutdown().await;
    err
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manifest_errors_point_at_the_refused_value() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.toml").display().to_string();
    let head = "[host]\ndata_dir = \"data\"\nallow_unsigned = true\n\n[[actors]]\nname = \"probe\"\npath = \"probe.wasm\"\n\n";
    // A link value: line 14, column of the value.
    let err = apply_err(
        dir.path(),
        &format!("{head}[[providers]]\nname = \"http\"\nkind = \"httpserver\"\n\n[[links]]\nactor = \"probe\"\nprovider = \"http\"\nvalues = {{ port = \"8080\", address = \"10.0.0.300:80\" }}\n"),
    )
    .await;
    let probe = Host::actor_id("probe");
    assert_eq!(
        err,
        format!("{file}:16:37: link rejected (actor `probe` {probe}, contract wasmcloud:httpserver, link name `default`): provider `http`: link value `address` = \"10.0.0.300:80\": `10.0.0.300` is not an IP address (host names are not resolved)")
    );
    // A provider config value.
    let err = apply_err(
        dir.path(),
        &format!("{head}[[providers]]\nname = \"redis\"\nkind = \"keyvalue-redis\"\nconfig = {{ url = \"http://x/\" }}\n"),
    )
    .await;
    assert_eq!(
        err,
        format!("{file}:12:18: provider `redis`: provider config `url` = \"http://x/\": unsupported scheme `http` (use redis://, redis+unix://, unix://)")
    );
    // A provider config value refused only when a link uses it: the link's
    // error points at the config value it came from.
    let err = apply_err(
        dir.path(),
        &format!("{head}[[providers]]\nname = \"kv\"\nkind = \"keyvalue\"\nconfig = {{ data_dir = \"{file}\" }}\n\n[[links]]\nactor = \"probe\"\nprovider = \"kv\"\n"),
    )
    .await;
    assert!(
        err.starts_with(&format!("{file}:12:23: link rejected (actor `probe` {probe}, contract wasmcloud:keyvalue, link name `default`): provider `kv`: provider config `data_dir` = \"{file}\": {file}/keyvalue.redb is outside the host's data directory")),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_puts_leave_table_and_listener_agreeing() {
    let f = Arc::new(fixture(false).await);
    // Good and bad puts of the same link at once: whichever good one lands
    // last must be both in the table and the one listening.
    let addrs: Vec<SocketAddr> = (0..6).map(|_| free_addr()).collect();
    let mut tasks = Vec::new();
    for (i, a) in addrs.iter().enumerate() {
        let f = f.clone();
        let value = if i % 3 == 2 {
            "127.0.0.1:99999".to_string()
        } else {
            a.to_string()
        };
        tasks.push(tokio::spawn(async move {
            let req = LinkRequest {
                actor: "probe".into(),
                provider: Some("http".into()),
                values: [("address".to_string(), value)].into(),
                ..Default::default()
            };
            f.client.put_link(&req).await.is_ok()
        }));
    }
    let mut accepted = 0;
    for t in tasks {
        accepted += usize::from(t.await.unwrap());
    }
    assert_eq!(accepted, 4, "the four good puts succeed");
    let links = f.links().await;
    let http = links
        .iter()
        .find(|l| l.contract_id == "wasmcloud:httpserver")
        .unwrap();
    let current: SocketAddr = http.value("address").unwrap().parse().unwrap();
    assert_eq!(http_status(current).await.as_deref(), Some(SERVED));
    for a in addrs.iter().chain([&f.http]) {
        if *a != current {
            assert_eq!(http_status(*a).await, None, "{a} still served");
        }
    }
    f.host.shutdown().await;
}
