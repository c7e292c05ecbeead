//! Link definitions on a running host, through the admin CLI
//! (`host-min link list|del|put --admin ADDR`): deleting the key-value link
//! makes the actor's calls fail with the upstream error text, putting it back
//! restores them (same store, count continues); deleting the HTTP link
//! releases the port, putting it back serves again.

use std::time::Duration;

use weld_e2e::host::{app, HostProc, Store};
use weld_e2e::http::{get, must_get};
use weld_e2e::{free_addr, kvcounter_wasm, wait_for_port};

/// What the host answers an actor that calls a contract it has no link for
/// (wasmCloud's text, lattice `default`).
const MISSING_LINK: &str =
    "Invocation not authorized: missing link definition for wasmcloud:keyvalue on default";

#[test]
fn deleting_and_putting_links_through_the_admin_cli() {
    let Some(wasm) = kvcounter_wasm() else { return };
    let dir = tempfile::tempdir().unwrap();
    let http = free_addr();
    let host = HostProc::start(
        dir.path(),
        app("kvcounter", &wasm, http, Some(&Store::Embedded)),
        &[http],
    );

    assert_eq!(must_get(http, "/api/counter").text(), "{\"counter\":1}");
    let list = host.cli_ok(&["link", "list"]);
    assert_eq!(list.lines().count(), 2, "{list}");
    assert!(
        list.contains("wasmcloud:keyvalue") && list.contains("wasmcloud:httpserver"),
        "{list}"
    );

    // Delete the key-value link: the actor still runs, its provider call is refused.
    let out = host.cli_ok(&["link", "del", "--actor", "kvcounter", "--provider", "kv"]);
    assert!(out.starts_with("deleted "), "{out}");
    let list = host.cli_ok(&["link", "list"]);
    assert_eq!(list.lines().count(), 1, "{list}");
    assert!(!list.contains("wasmcloud:keyvalue"), "{list}");
    for _ in 0..2 {
        let r = must_get(http, "/api/counter");
        assert_eq!(r.status, 500, "{}", r.text());
    }
    // kvcounter passes the error up; like upstream's httpserver, the 500 has
    // no body and the host logs the actor's error, which is upstream's text.
    let log = host.log();
    assert!(
        log.contains(MISSING_LINK),
        "host log lacks the upstream refusal text:\n{log}"
    );

    // A second delete of the same link is an error, reported as such.
    let again = host.cli(&["link", "del", "--actor", "kvcounter", "--provider", "kv"]);
    assert!(!again.status.success(), "deleting a missing link succeeded");

    // Put it back (no values: the same default store file): the count continues.
    let out = host.cli_ok(&["link", "put", "--actor", "kvcounter", "--provider", "kv"]);
    assert!(out.starts_with("put "), "{out}");
    assert_eq!(must_get(http, "/api/counter").text(), "{\"counter\":2}");

    // The HTTP link: deleting it releases the port; putting it back serves again.
    host.cli_ok(&["link", "del", "--actor", "kvcounter", "--provider", "http"]);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while get(http, "/api/counter").is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "port {http} still served after the link was deleted"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    host.cli_ok(&[
        "link",
        "put",
        "--actor",
        "kvcounter",
        "--provider",
        "http",
        &format!("address={http}"),
    ]);
    assert!(
        wait_for_port(http, Duration::from_secs(10)),
        "port not served again"
    );
    assert_eq!(must_get(http, "/api/counter").text(), "{\"counter\":3}");

    // Inventory over the CLI names what runs.
    let inv = host.cli_ok(&["inventory", "--json"]);
    let inv: serde_json::Value = serde_json::from_str(&inv).expect("inventory JSON");
    assert_eq!(inv["actors"][0]["name"], "kvcounter");
    assert_eq!(inv["links"].as_array().map(Vec::len), Some(2));
}

/// A link put through the CLI with a bad value fails with a message naming
/// the link, the key and the value; the links and the served port stay.
#[test]
fn bad_link_values_through_the_admin_cli_change_nothing() {
    let Some(wasm) = kvcounter_wasm() else { return };
    let dir = tempfile::tempdir().unwrap();
    let http = free_addr();
    let host = HostProc::start(
        dir.path(),
        app("kvcounter", &wasm, http, Some(&Store::Embedded)),
        &[http],
    );
    assert_eq!(must_get(http, "/api/counter").text(), "{\"counter\":1}");
    let before = host.cli_ok(&["link", "list"]);

    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy_addr = busy.local_addr().unwrap().to_string();
    let cases: Vec<(&str, String, String)> = vec![
        (
            "http",
            "address=localhost:80".into(),
            "provider `http`: link value `address` = \"localhost:80\": `localhost` is not an IP address".into(),
        ),
        (
            "http",
            "PORT=99999".into(),
            "provider `http`: link value `PORT` = \"99999\": port 99999 is out of range (0-65535)".into(),
        ),
        (
            "http",
            format!("address={busy_addr}"),
            format!("provider `http`: link value `address` = \"{busy_addr}\": cannot bind {busy_addr}: "),
        ),
        (
            // Store files must lie in the data dir; the data dir itself is
            // a directory, not a file.
            "kv",
            format!("path={}", dir.path().join("data").display()),
            format!(
                "provider `kv`: link value `path` = \"{0}\": {0} is a directory",
                dir.path().join("data").display()
            ),
        ),
        (
            "kv",
            format!("path={}", dir.path().join("elsewhere.redb").display()),
            format!(
                "provider `kv`: link value `path` = \"{0}\": {0} is outside the host's data directory",
                dir.path().join("elsewhere.redb").display()
            ),
        ),
    ];
    for (provider, value, want) in &cases {
        let out = host.cli(&[
            "link",
            "put",
            "--actor",
            "kvcounter",
            "--provider",
            provider,
            value,
        ]);
        assert!(!out.status.success(), "{value} was accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        let contract = if *provider == "http" {
            "wasmcloud:httpserver"
        } else {
            "wasmcloud:keyvalue"
        };
        assert!(
            err.contains("link rejected (actor `kvcounter` M")
                && err.contains(&format!(
                    ", contract {contract}, link name `default`): {want}"
                ))
                && err.contains("(HTTP 400)"),
            "{value}: {err}"
        );
        assert_eq!(
            host.cli_ok(&["link", "list"]),
            before,
            "{value} changed the links"
        );
    }
    // Still served by the same actor, the count going on in the same store.
    assert_eq!(must_get(http, "/api/counter").text(), "{\"counter\":2}");
    drop(busy);
}
