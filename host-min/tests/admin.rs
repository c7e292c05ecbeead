//! The admin endpoint as an attacker sees it (issue 11): a request that
//! reaches it through DNS rebinding (a foreign `Host` header) is refused, and
//! no reply shows a password or URL credentials. Real loopback sockets, a
//! real host; no actor is needed (links may name actors that do not run).

use std::net::SocketAddr;
use std::sync::Arc;

use host_min::admin::{self, Client, LinkRequest};
use host_min::host::{Host, HostConfig};
use host_min::providers::ProviderRegistry;
use host_min::types::LinkDefinition;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SECRETS: &[&str] = &["hunter2", "s3cr3t", "tok-123", "u:pw"];

async fn host_with_secret_link(dir: &std::path::Path) -> (Arc<Host>, SocketAddr) {
    let cfg = HostConfig {
        data_dir: dir.to_path_buf(),
        ..HostConfig::default()
    };
    let host = Arc::new(Host::new(cfg, ProviderRegistry::with_builtins()).unwrap());
    let ld = LinkDefinition {
        actor_id: Host::actor_id("absent"),
        provider_id: Host::provider_id("kv"),
        link_name: "default".into(),
        contract_id: "wasmcloud:keyvalue".into(),
        values: [
            ("URL", "redis://user:hunter2@127.0.0.1:6379/"),
            ("password", "s3cr3t"),
            ("Api_Token", "tok-123"),
            ("dsn", "postgres://u:pw@db/x"),
            ("port", "8080"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    };
    host.router().put_link(ld).await.unwrap();
    let addr = admin::serve(host.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    (host, addr)
}

fn assert_no_secret(text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "`{s}` shown in {text}");
    }
}

#[tokio::test]
async fn listings_and_replies_redact_link_values() {
    let dir = tempfile::tempdir().unwrap();
    let (host, addr) = host_with_secret_link(dir.path()).await;
    let client = Client::new(addr);

    let links = client.links().await.unwrap();
    assert_eq!(links.len(), 1);
    let shown = serde_json::to_string(&links).unwrap();
    assert_no_secret(&shown);
    assert_eq!(
        links[0].value("url"),
        Some("redis://[REDACTED]@127.0.0.1:6379/")
    );
    assert_eq!(links[0].value("password"), Some("[REDACTED]"));
    assert_eq!(links[0].value("port"), Some("8080"), "{shown}");

    let inventory = client.inventory().await.unwrap();
    assert_no_secret(&inventory.to_string());
    assert_eq!(inventory["links"][0]["values"]["port"], "8080");

    // The stored link keeps its real values: redaction is for display.
    let stored = host.router().links();
    assert_eq!(stored[0].value("password"), Some("s3cr3t"));

    let gone = client
        .delete_link(&LinkRequest {
            actor: Host::actor_id("absent"),
            contract_id: Some("wasmcloud:keyvalue".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_no_secret(&format!(
        "{gone:?} {}",
        serde_json::to_string(&gone).unwrap()
    ));
}

/// One raw HTTP/1.1 GET with the given `Host` header (or none); the status.
async fn status_with_host(addr: SocketAddr, host: Option<&str>) -> u16 {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let host_line = host.map(|h| format!("host: {h}\r\n")).unwrap_or_default();
    let req = format!("GET /v1/links HTTP/1.1\r\n{host_line}connection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out);
    let status = text.split_whitespace().nth(1).unwrap_or_default();
    status
        .parse()
        .unwrap_or_else(|_| panic!("no status in {text}"))
}

#[tokio::test]
async fn a_foreign_host_header_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_host, addr) = host_with_secret_link(dir.path()).await;
    let port = addr.port();
    for ok in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        "localhost".to_string(),
        format!("[::1]:{port}"),
        format!("127.1.2.3:{port}"),
    ] {
        assert_eq!(status_with_host(addr, Some(&ok)).await, 200, "{ok}");
    }
    for bad in [
        format!("evil.example:{port}"),
        "evil.example".to_string(),
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        format!("10.0.0.1:{port}"),
        "[::1".to_string(),
    ] {
        assert_eq!(status_with_host(addr, Some(&bad)).await, 403, "{bad}");
    }
    // HTTP/1.1 without Host: hyper or the check refuses it, never serves.
    let none = status_with_host(addr, None).await;
    assert!(none == 400 || none == 403, "{none}");
}
