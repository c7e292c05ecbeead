//! todo end to end: a real host-min process, real HTTP and the machine's
//! PostgreSQL through sqldb-postgres, first in the host's process, then as
//! a process of its own on a lattice (real NATS). Each test has a schema of
//! its own (the link's `uri` sets `search_path`), read directly afterwards.

use std::net::SocketAddr;
use std::path::Path;

use weld_e2e::host::{HostProc, Manifest};
use weld_e2e::http::{must_get, send};
use weld_e2e::lattice::alone;
use weld_e2e::postgres::{Schema, PG};
use weld_e2e::{build_actor, free_addr, require_service};

const CAPS: &[&str] = &["wasmcloud:httpserver", "wasmcloud:sqldb"];

fn manifest(wasm: &Path, http: SocketAddr, schema: &Schema, process: bool) -> Manifest {
    let m = Manifest::new()
        .signed_actor("todo", wasm, CAPS)
        .provider("http", "httpserver", &[])
        .link("todo", "http", &[("address", &http.to_string())]);
    let m = if process {
        m.process_provider("db", "sqldb-postgres", &[])
    } else {
        m.provider("db", "sqldb-postgres", &[])
    };
    m.link("todo", "db", &[("uri", &schema.uri())])
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn exercise(http: SocketAddr, schema: &Schema, log: impl Fn() -> String) {
    let r = send(http, "POST", "/todos", br#"{"title":"buy milk"}"#.to_vec());
    assert_eq!(r.status, 201, "{} {}", r.text(), log());
    let milk = json(&r.text());
    assert_eq!(
        (milk["title"].as_str(), milk["done"].as_bool()),
        (Some("buy milk"), Some(false))
    );
    let id = milk["id"].as_i64().unwrap();
    // Text that would break a statement built by hand is stored as is.
    let tricky = r#"it's "quoted"'); DROP TABLE todos; -- é"#;
    let r = send(
        http,
        "POST",
        "/todos",
        serde_json::to_vec(&serde_json::json!({ "title": tricky })).unwrap(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let other = json(&r.text())["id"].as_i64().unwrap();
    assert!(other > id);

    let list = json(&must_get(http, "/todos").text());
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    assert_eq!(list[1]["title"], tricky);

    let r = send(http, "POST", &format!("/todos/{id}/complete"), vec![]);
    assert_eq!(
        (r.status, json(&r.text())["done"].as_bool()),
        (200, Some(true))
    );
    assert_eq!(
        json(&must_get(http, &format!("/todos/{id}")).text())["done"],
        true
    );
    assert_eq!(must_get(http, "/todos/999999999").status, 404);
    assert_eq!(
        send(http, "POST", "/todos/999999999/complete", vec![]).status,
        404
    );
    assert_eq!(
        schema.rows(),
        vec![("buy milk".to_string(), true), (tricky.to_string(), false)]
    );

    assert_eq!(
        send(http, "DELETE", &format!("/todos/{id}"), vec![]).status,
        204
    );
    assert_eq!(
        send(http, "DELETE", &format!("/todos/{id}"), vec![]).status,
        404
    );
    assert_eq!(schema.rows(), vec![(tricky.to_string(), false)]);

    // Bad input is the actor's 400, and nothing is stored.
    assert_eq!(
        send(http, "POST", "/todos", b"not json".to_vec()).status,
        400
    );
    assert_eq!(
        send(http, "POST", "/todos", br#"{"title":"  "}"#.to_vec()).status,
        400
    );
    assert_eq!(send(http, "PUT", "/todos/1", vec![]).status, 404);
    assert_eq!(schema.rows().len(), 1);
}

#[test]
fn todo_on_sqldb_postgres_in_the_hosts_process() {
    if !require_service("PostgreSQL", PG) {
        return;
    }
    let Some(wasm) = build_actor("examples/todo") else {
        return;
    };
    let schema = Schema::new();
    let dir = tempfile::tempdir().unwrap();
    let http = free_addr();
    let host = HostProc::start(dir.path(), manifest(&wasm, http, &schema, false), &[http]);
    exercise(http, &schema, || host.log());
}

#[test]
fn todo_on_sqldb_postgres_as_its_own_process_on_a_lattice() {
    if !require_service("PostgreSQL", PG) || !require_service("NATS", "127.0.0.1:4222") {
        return;
    }
    let Some(wasm) = build_actor("examples/todo") else {
        return;
    };
    let schema = Schema::new();
    let dir = tempfile::tempdir().unwrap();
    let http = free_addr();
    let m = alone(manifest(&wasm, http, &schema, true), "todo");
    let host = HostProc::start(dir.path(), m, &[http]);
    // The provider process gets its link a moment after the host serves.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while must_get(http, "/todos").status != 200 {
        assert!(std::time::Instant::now() < deadline, "{}", host.log());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let pid = host.child_named("weld-provider-s");
    let exe = pid.and_then(|p| std::fs::read_link(format!("/proc/{p}/exe")).ok());
    assert!(
        exe.as_ref()
            .is_some_and(|e| e.ends_with("weld-provider-sqldb-postgres")),
        "no sqldb-postgres process ({exe:?}): {}",
        host.log()
    );
    exercise(http, &schema, || host.log());
}
