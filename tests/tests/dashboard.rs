//! The web dashboard end to end:
//! - in a real browser (headless Chromium through chromedriver), on a
//!   two-host lattice: both hosts listed; kvcounter uploaded to the other
//!   host (through the lattice's upload store), the keyvalue provider's
//!   archive uploaded and httpserver started by reference through the
//!   forms; the two links defined; the app counts over HTTP; health,
//!   scaling to 3 and a deleted link all show without a reload. A screenshot of the page is
//!   kept in `target/test-artifacts/dashboard-lattice.png`.
//! - its safety, over raw HTTP: the token off loopback, the CSRF header on
//!   every change, loopback names only.

use std::net::SocketAddr;
use std::time::Duration;

use weld_e2e::browser::Browser;
use weld_e2e::host::{host_min_bin, kv_archive, sign_actor, HostProc, Manifest, Profile};
use weld_e2e::http::{counter_of, rt, Conn};
use weld_e2e::lattice::{cluster_seed, ctl, hosts, on_lattice};
use weld_e2e::{build_actor, free_addr, free_port, repo_root, require_service, unique_name};

const NATS_ADDR: &str = "127.0.0.1:4222";
const WAIT: Duration = Duration::from_secs(45);

/// The JS expression of the page's current picture.
const STATE: &str = "state";
/// Page script: both providers listed, both with passing health checks.
const BOTH_HEALTHY: &str =
    "const h = [...document.querySelectorAll('#providers td.health')].map(td => td.textContent);\
                            return h.length === 2 && h.every(t => t === 'healthy');";

/// Waits until the page's `condition` (a script returning a boolean)
/// holds after an action; an error line from the host fails at once, with
/// its text.
async fn settles(b: &Browser, what: &str, condition: &str) {
    b.until(
        what,
        WAIT,
        &format!(
            "const r = document.querySelector('#result');\
             if (r.className === 'error') throw new Error(r.textContent);\
             {condition}"
        ),
    )
    .await;
}

/// Quotes `s` as a JS string literal.
fn js_str(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

#[test]
fn a_two_host_lattice_is_deployed_from_the_browser() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let Some(wasm) = build_actor("examples/kvcounter") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let lattice = unique_name("dash");
    let seed = cluster_seed();
    let dashboard = free_addr();
    let (da, db) = (dir.path().join("alpha"), dir.path().join("beta"));
    std::fs::create_dir_all(&da).unwrap();
    std::fs::create_dir_all(&db).unwrap();
    let alpha = HostProc::start(
        &da,
        on_lattice(Manifest::new(), &lattice, &seed, "alpha")
            .host("dashboard", &dashboard.to_string()),
        &[dashboard],
    );
    let mut beta = HostProc::start(
        &db,
        on_lattice(Manifest::new(), &lattice, &seed, "beta"),
        &[],
    );
    let found = hosts(&ctl(&lattice), 2);
    assert_eq!(found.len(), 2, "{}\n{}", alpha.log(), beta.log());
    let id_of = |name: &str| {
        found
            .iter()
            .find(|h| h.friendly_name == name)
            .map(|h| h.id.clone())
            .unwrap_or_else(|| panic!("{name} answers"))
    };
    let (alpha_id, beta_id) = (id_of("alpha"), id_of("beta"));
    let archive = kv_archive(&host_min_bin(Profile::Debug), dir.path());
    let signed = sign_actor(
        &host_min_bin(Profile::Debug),
        &wasm,
        "kvcounter",
        &["wasmcloud:httpserver", "wasmcloud:keyvalue"],
        dir.path(),
    );
    let http_port = free_port();

    rt().block_on(async {
        let Some(b) = Browser::start(1400, 2000).await else {
            return;
        };
        b.client
            .goto(&format!("http://{dashboard}/"))
            .await
            .expect("open the dashboard");

        // Both hosts, by name, pushed in without a reload.
        b.until(
            "both hosts listed",
            WAIT,
            "const names = [...document.querySelectorAll('#hosts tr[data-host] td:first-child')].map(td => td.textContent);\
             return names.some(n => n.startsWith('alpha')) && names.some(n => n.startsWith('beta'));",
        )
        .await;
        b.until(
            "the live badge",
            WAIT,
            "return document.querySelector('#live').textContent === 'live';",
        )
        .await;

        // Upload the actor to beta: alpha (serving the page) puts it in the
        // lattice's upload store, beta fetches it from there.
        upload(&b, "#upload-actor", &signed).await;
        b.choose("#upload-actor select[name=host_id]", &beta_id).await;
        b.click("#upload-actor button").await;
        settles(
            &b,
            "the actor's upload",
            &format!(
                "return r.textContent.startsWith('uploaded; started 1 instance(s)') &&\
                   !!document.querySelector('#actors tr[data-host={}]');",
                js_str(&beta_id)
            ),
        )
        .await;

        // The keyvalue provider: its archive uploaded to alpha.
        upload(&b, "#upload-provider", &archive).await;
        b.choose("#upload-provider select[name=host_id]", &alpha_id)
            .await;
        b.click("#upload-provider button").await;
        settles(
            &b,
            "the provider archive's upload",
            "return r.textContent.startsWith('uploaded; started provider') &&\
               document.querySelectorAll('#providers tr[data-contract=\"wasmcloud:keyvalue\"]').length === 1;",
        )
        .await;

        // httpserver by reference, where the auction puts it.
        b.fill("#start-provider input[name=reference]", "process:httpserver")
            .await;
        b.click("#start-provider button").await;
        settles(
            &b,
            "httpserver started",
            "return r.textContent.startsWith('started provider') &&\
               document.querySelectorAll('#providers tr[data-contract=\"wasmcloud:httpserver\"]').length === 1;",
        )
        .await;

        // The two links, through the form: values as key/value rows.
        let actor_id = b
            .js(&format!(
                "return {STATE}.hosts.flatMap(h => h.inventory ? h.inventory.actors : [])[0].id;"
            ))
            .await;
        let actor_id = actor_id.as_str().expect("an actor id").to_string();
        for (contract, (key, value)) in [
            ("wasmcloud:httpserver", ("port", http_port.to_string())),
            ("wasmcloud:keyvalue", ("", String::new())),
        ] {
            let option = b
                .js(&format!(
                    "return [...document.querySelectorAll('#link-provider option')].map(o => o.value).find(v => v.split('|')[1] === {});",
                    js_str(contract)
                ))
                .await;
            b.choose("#link-actor", &actor_id).await;
            b.choose("#link-provider", option.as_str().expect("a provider option"))
                .await;
            // An empty key is no value.
            b.fill("#link-values .row .value-key", key).await;
            b.fill("#link-values .row .value-value", &value).await;
            b.click("#put-link button:not([type=button])").await;
            settles(
                &b,
                &format!("the {contract} link"),
                &format!(
                    "return document.querySelectorAll('#links tr[data-link-contract={}]').length === 1;",
                    js_str(contract)
                ),
            )
            .await;
        }

        // The app counts: the actor on beta, the store on alpha, httpserver
        // where the auction put it.
        let addr: SocketAddr = format!("127.0.0.1:{http_port}").parse().unwrap();
        let first = counter_of(&count(addr).await);
        let second = counter_of(&count(addr).await);
        assert_eq!(second, first + 1);

        // Health checks of both provider processes, and what runs.
        b.until("both providers healthy", WAIT, BOTH_HEALTHY).await;
        // A provider process killed: the supervisor restarts it, the page
        // counts the restart, and the app counts on.
        let provider = alpha
            .child_named("weld-provider-h")
            .or_else(|| beta.child_named("weld-provider-h"))
            .expect("httpserver runs as a host's child process");
        let killed = std::process::Command::new("kill")
            .args(["-9", &provider.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        b.until(
            "the restart counted",
            WAIT,
            "const td = document.querySelector('#providers tr[data-contract=\"wasmcloud:httpserver\"] td.restarts');\
             return !!td && td.textContent === '1';",
        )
        .await;
        let third = counter_of(&count(addr).await);
        assert_eq!(third, second + 1);
        b.until("healthy again", WAIT, BOTH_HEALTHY).await;

        let shown = b
            .js("return [document.querySelector('#actors tbody').textContent, document.querySelectorAll('#links tr[data-link-actor]').length];")
            .await;
        let actors_text = shown[0].as_str().unwrap();
        assert!(actors_text.contains("kvcounter"), "{actors_text}");
        assert!(actors_text.contains("wasmcloud:keyvalue"), "{actors_text}");
        assert_eq!(shown[1], 2);
        let link_values = b
            .js("return document.querySelector('#links tr[data-link-contract=\"wasmcloud:httpserver\"]').textContent;")
            .await;
        assert!(
            link_values
                .as_str()
                .unwrap()
                .contains(&format!("port={http_port}")),
            "{link_values}"
        );

        // Scale to 3: the row shows 3 instances.
        b.fill("#actors tr[data-actor] .scale-count", "3").await;
        b.click("#actors tr[data-actor] button[data-scale]").await;
        settles(
            &b,
            "3 instances",
            "return document.querySelector('#actors tr[data-actor] td.instances').textContent === '3';",
        )
        .await;

        // The feed tells what happened.
        let feed = b
            .js("return [...document.querySelectorAll('#feed li')].map(li => li.dataset.kind);")
            .await;
        for kind in ["actors_started", "provider_started", "linkdef_set", "health_check_passed"] {
            assert!(
                feed.as_array().unwrap().iter().any(|k| k == kind),
                "{kind} in {feed}"
            );
        }

        let png = b.screenshot().await;
        let out = repo_root().join("target/test-artifacts");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("dashboard-lattice.png"), &png).unwrap();
        assert!(png.starts_with(b"\x89PNG"));

        // Delete the keyvalue link: gone from the table, and from the lattice.
        b.click("#links tr[data-link-contract=\"wasmcloud:keyvalue\"] button[data-delete-link]")
            .await;
        b.until(
            "the link gone",
            WAIT,
            "return document.querySelectorAll('#links tr[data-link-actor]').length === 1 &&\
             !document.querySelector('#links tr[data-link-contract=\"wasmcloud:keyvalue\"]');",
        )
        .await;
        let links = rt_links(&lattice).await;
        assert_eq!(links, vec!["wasmcloud:httpserver".to_string()]);

        // Stop beta (after the browser's confirmation): it leaves the page.
        b.click(&format!("button[data-stop-host={}]", js_str(&beta_id)))
            .await;
        b.client.accept_alert().await.expect("the confirmation");
        settles(
            &b,
            "beta gone",
            "return document.querySelectorAll('#hosts tr[data-host]').length === 1 &&\
               document.querySelector('#hosts tr[data-host] td').textContent.startsWith('alpha');",
        )
        .await;
        b.close().await;
    });
    let deadline = std::time::Instant::now() + WAIT;
    while beta.is_running() {
        assert!(std::time::Instant::now() < deadline, "beta still runs");
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(alpha);
}

/// Chooses `file` in the file input of form `form`.
async fn upload(b: &Browser, form: &str, file: &std::path::Path) {
    b.client
        .find(fantoccini::Locator::Css(&format!(
            "{form} input[name=file]"
        )))
        .await
        .unwrap()
        .send_keys(&file.display().to_string())
        .await
        .unwrap();
}

/// The app's answer to `GET /api/counter`, once it answers 200 (the listener comes
/// up as the link lands).
async fn count(addr: SocketAddr) -> String {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let last = match Conn::connect(addr).await {
            Ok(mut c) => match c.get("/api/counter").await {
                Ok(r) if r.status == 200 => return r.text(),
                Ok(r) => format!("{} {}", r.status, r.text()),
                Err(e) => e.to_string(),
            },
            Err(e) => e.to_string(),
        };
        assert!(
            std::time::Instant::now() < deadline,
            "GET http://{addr}/: {last}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn rt_links(lattice: &str) -> Vec<String> {
    let nc = host_min::lattice::client::connect(weld_e2e::lattice::NATS, None, None)
        .await
        .expect("NATS");
    let c = host_min::lattice::client::CtlClient::new(nc, lattice);
    c.get_links()
        .await
        .expect("links")
        .links
        .into_iter()
        .map(|l| l.contract_id)
        .collect()
}

/// One raw HTTP/1.1 exchange (the request says `Connection: close`); the
/// status code and the whole reply. Raw, to send exactly the headers a
/// hostile page or client would.
fn exchange(addr: SocketAddr, request: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).expect("send");
    let mut reply = Vec::new();
    s.read_to_end(&mut reply).expect("read the reply");
    let text = String::from_utf8_lossy(&reply).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text}"));
    (status, text)
}

/// The versions of the pictures `GET path` streams within `wait`.
fn sse_states(addr: SocketAddr, host: &str, path: &str, wait: Duration) -> Vec<u64> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").expect("send");
    let deadline = std::time::Instant::now() + wait;
    let mut got = Vec::new();
    let mut buf = [0u8; 65536];
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        s.set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    text.split("event: state\ndata: ")
        .skip(1)
        .map(|e| {
            let json = e.split("\n\n").next().unwrap_or_default();
            let v: serde_json::Value = serde_json::from_str(json)
                .unwrap_or_else(|e| panic!("a whole picture per event ({e})"));
            v["version"].as_u64().expect("a version")
        })
        .collect()
}

fn token_of(log: &str) -> String {
    let line = log
        .lines()
        .find(|l| l.contains("dashboard on"))
        .unwrap_or_else(|| panic!("no dashboard line in {log}"));
    line.rsplit("?token=")
        .next()
        .expect("a token")
        .trim()
        .to_string()
}

#[test]
fn off_loopback_it_wants_its_token_and_every_change_its_csrf_header() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // Every interface: the token is required and printed.
    let host = HostProc::start(
        dir.path(),
        Manifest::new().host("dashboard", &format!("0.0.0.0:{port}")),
        &[format!("127.0.0.1:{port}").parse().unwrap()],
    );
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let token = token_of(&host.log());
    assert!(token.len() >= 32, "{token}");
    let get = |path: &str, extra: &str| {
        exchange(
            addr,
            &format!("GET {path} HTTP/1.1\r\nHost: dash.example:{port}\r\n{extra}Connection: close\r\n\r\n"),
        )
    };
    let (status, _) = get("/", "");
    assert_eq!(status, 401);
    let (status, _) = get("/api/state", "");
    assert_eq!(status, 401);
    let (status, _) = get("/?token=wrong", "");
    assert_eq!(status, 401);
    let (status, reply) = get(&format!("/?token={token}"), "");
    assert_eq!(status, 303, "{reply}");
    let cookie = reply
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .expect("a cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap();
    let (status, page) = get("/", &format!("Cookie: {pair}\r\n"));
    assert_eq!(status, 200);
    assert!(
        page.contains("x-frame-options: DENY") || page.contains("x-frame-options: deny"),
        "{page}"
    );
    let csrf = page
        .split("name=\"csrf-token\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the page's CSRF token")
        .to_string();
    let (status, _) = get("/api/state", &format!("Authorization: Bearer {token}\r\n"));
    assert_eq!(status, 200);

    // A change: refused without the CSRF header, or from another site.
    let body = r#"{"actor_id":"MX","contract_id":"wasmcloud:keyvalue"}"#;
    let post = |extra: &str| {
        exchange(
            addr,
            &format!(
                "POST /api/links/delete HTTP/1.1\r\nHost: dash.example:{port}\r\nCookie: {pair}\r\n{extra}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ),
        )
    };
    let (status, reply) = post("");
    assert_eq!(status, 403, "{reply}");
    assert!(reply.contains("CSRF"), "{reply}");
    let (status, reply) = post(&format!(
        "X-CSRF-Token: {csrf}\r\nOrigin: http://evil.example\r\n"
    ));
    assert_eq!(status, 403, "{reply}");
    // The same change from the page goes through to the host, whose
    // error text comes back.
    let (status, reply) = post(&format!(
        "X-CSRF-Token: {csrf}\r\nOrigin: http://dash.example:{port}\r\n"
    ));
    assert_eq!(status, 422, "{reply}");
    assert!(reply.contains("\"error\""), "{reply}");
    let (status, _) = get("/api/links/delete", &format!("Cookie: {pair}\r\n"));
    assert_eq!(status, 405);
}

#[test]
fn a_lone_host_is_shown_and_driven_on_loopback_names_only() {
    let Some(wasm) = build_actor("examples/kvcounter") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (addr, http) = (free_addr(), free_addr());
    let _host = HostProc::start(
        dir.path(),
        weld_e2e::host::app(
            "kvcounter",
            &wasm,
            http,
            Some(&weld_e2e::host::Store::Embedded),
        )
        .host("dashboard", &addr.to_string()),
        &[addr, http],
    );
    let name = format!("localhost:{}", addr.port());
    let get = |host: &str, path: &str| {
        exchange(
            addr,
            &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        )
    };
    // A page on another site, reached by DNS rebinding, names its own host.
    assert_eq!(get("rebind.example", "/api/state").0, 403);
    assert_eq!(get("rebind.example", "/").0, 403);
    let (status, page) = get(&name, "/");
    assert_eq!(status, 200);
    let csrf = page
        .split("name=\"csrf-token\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the page's CSRF token")
        .to_string();
    let state = || -> serde_json::Value {
        let (status, reply) = get(&name, "/api/state");
        assert_eq!(status, 200);
        serde_json::from_str(reply.split("\r\n\r\n").nth(1).expect("a body")).expect("JSON")
    };
    let s = state();
    assert_eq!(s["mode"], "local");

    // The page's script and style are named by version and may be kept
    // for good; under any other name they are fetched anew.
    for asset in ["/app.js", "/app.css"] {
        let versioned = page
            .split(&format!("\"{asset}?v="))
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| panic!("the page names {asset} by version"));
        let (status, reply) = get(&name, &format!("{asset}?v={versioned}"));
        assert_eq!(status, 200);
        assert!(
            reply.contains("cache-control: public, max-age=31536000, immutable"),
            "{reply}"
        );
        for other in [asset.to_string(), format!("{asset}?v=0123456789abcdef")] {
            let (status, reply) = get(&name, &other);
            assert_eq!(status, 200);
            assert!(
                reply.contains("cache-control: no-store"),
                "{other}: {reply}"
            );
        }
    }
    // The stream sends the picture at once, unless the page has it already
    // (`since` its version): then only newer ones.
    let version = s["version"].as_u64().expect("a version");
    let pictures = |since: &str| -> Vec<u64> {
        sse_states(
            addr,
            &name,
            &format!("/api/stream{since}"),
            Duration::from_millis(800),
        )
    };
    let fresh = pictures("");
    assert!(fresh.first().is_some_and(|v| *v >= version), "{fresh:?}");
    assert!(pictures("?since=1").first().is_some_and(|v| *v >= version));
    let newer = pictures(&format!("?since={version}"));
    assert!(
        newer.iter().all(|v| *v > version),
        "{newer:?} after {version}"
    );
    assert_eq!(s["hosts"].as_array().unwrap().len(), 1);
    let actor = s["hosts"][0]["inventory"]["actors"][0]["id"]
        .as_str()
        .expect("kvcounter listed")
        .to_string();
    assert_eq!(s["links"].as_array().unwrap().len(), 2);
    let host_id = s["hosts"][0]["id"].as_str().unwrap().to_string();

    // Actions act on the host itself, with its answers.
    let post = |path: &str, body: String| {
        exchange(
            addr,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: {name}\r\nX-CSRF-Token: {csrf}\r\nOrigin: http://{name}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ),
        )
    };
    let (status, reply) = post(
        "/api/actors/scale",
        serde_json::json!({"host_id": host_id, "actor_id": actor, "count": 2}).to_string(),
    );
    assert_eq!(status, 200, "{reply}");
    let (status, reply) = post(
        "/api/links/delete",
        serde_json::json!({"actor_id": actor, "contract_id": "wasmcloud:keyvalue"}).to_string(),
    );
    assert_eq!(status, 200, "{reply}");
    let (status, reply) = post(
        "/api/actors/start",
        serde_json::json!({"reference": "/no/such/actor.wasm"}).to_string(),
    );
    assert_eq!(status, 422, "{reply}");
    assert!(reply.contains("neither a file"), "{reply}");
    let kv = s["hosts"][0]["inventory"]["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["contract_id"] == "wasmcloud:keyvalue")
        .expect("the keyvalue provider")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, reply) = post(
        "/api/providers/stop",
        serde_json::json!({"host_id": host_id, "provider_id": kv, "link_name": "default"})
            .to_string(),
    );
    assert_eq!(status, 200, "{reply}");
    // The picture follows (the host's events reach it in the background).
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let s = state();
        let instances = s["hosts"][0]["inventory"]["actors"][0]["count"].as_u64();
        let links = s["links"].as_array().map(Vec::len);
        let feed: Vec<String> = s["feed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap_or("").to_string())
            .collect();
        let providers = s["hosts"][0]["inventory"]["providers"]
            .as_array()
            .map(Vec::len);
        if instances == Some(2)
            && links == Some(1)
            && providers == Some(1)
            && feed.contains(&"linkdef_deleted".to_string())
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "instances {instances:?}, links {links:?}, providers {providers:?}, feed {feed:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Stopping the actor empties the table.
    let (status, reply) = post(
        "/api/actors/stop",
        serde_json::json!({"host_id": host_id, "actor_id": actor}).to_string(),
    );
    assert_eq!(status, 200, "{reply}");
    let deadline = std::time::Instant::now() + WAIT;
    while !state()["hosts"][0]["inventory"]["actors"]
        .as_array()
        .unwrap()
        .is_empty()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the actor still listed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits for the first event of `kind` on `events`; its data.
async fn event_of(
    events: &mut (impl futures_util::Stream<Item = host_min::lattice::ctl::CloudEvent> + Unpin),
    kind: &str,
) -> serde_json::Value {
    use futures_util::StreamExt;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let ev = tokio::time::timeout_at(deadline, events.next())
            .await
            .unwrap_or_else(|_| panic!("no {kind} event"))
            .expect("the event stream");
        if ev.event_type.ends_with(kind) {
            return ev.data;
        }
    }
}

#[test]
fn uploads_in_the_lattice_store_are_checked_before_they_run() {
    if !require_service("NATS", NATS_ADDR) {
        return;
    }
    let Some(wasm) = build_actor("examples/kvcounter") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let lattice = unique_name("upl");
    let host = HostProc::start(
        dir.path(),
        on_lattice(Manifest::new(), &lattice, &cluster_seed(), "solo"),
        &[],
    );
    let ctl = ctl(&lattice);
    let found = hosts(&ctl, 1);
    assert_eq!(found.len(), 1, "{}", host.log());
    let host_id = found[0].id.clone();
    let signed = sign_actor(
        &host_min_bin(Profile::Debug),
        &wasm,
        "kvcounter",
        &["wasmcloud:httpserver", "wasmcloud:keyvalue"],
        dir.path(),
    );
    let good = std::fs::read(&signed).unwrap();
    let hex = host_min::oci::cache::sha256_hex(&good);
    let mut bad = good.clone();
    let at = bad.len() / 2;
    bad[at] ^= 0xff;

    rt().block_on(async {
        let nc = host_min::lattice::client::connect(weld_e2e::lattice::NATS, None, None)
            .await
            .unwrap();
        let js = async_nats::jetstream::new(nc);
        let bucket = format!("WELD_UPLOADS_{lattice}");
        let store = weld_rpc::provider::object_store(&js, &bucket, None)
            .await
            .unwrap();
        // Tampered bytes under the good digest's name.
        store
            .put(format!("sha256-{hex}").as_str(), &mut bad.as_slice())
            .await
            .unwrap();
        let mut events = ctl.events().await.unwrap();
        let reference = format!("{}{hex}", host_min::host::UPLOAD_REF_PREFIX);
        ctl.start_actor(&host_id, &reference, 1, None)
            .await
            .unwrap();
        let failed = event_of(&mut events, "actor_start_failed").await;
        let error = failed["error"].as_str().unwrap();
        assert!(error.contains("hashing to sha256:"), "{error}");

        // Missing: said so.
        let missing = format!("{}{}", host_min::host::UPLOAD_REF_PREFIX, "0".repeat(64));
        ctl.start_actor(&host_id, &missing, 1, None).await.unwrap();
        let failed = event_of(&mut events, "actor_start_failed").await;
        let error = failed["error"].as_str().unwrap();
        assert!(
            error.contains("not in the lattice's upload store"),
            "{error}"
        );

        // Nothing ran, nothing was kept.
        let inv = ctl.get_host_inventory(&host_id).await.unwrap();
        assert!(inv.actors.is_empty(), "{inv:?}");
        let kept = dir.path().join("data/uploads");
        assert!(
            !kept.exists() || std::fs::read_dir(&kept).unwrap().next().is_none(),
            "a refused upload was kept"
        );

        // The real bytes under their name: they start.
        store.delete(format!("sha256-{hex}")).await.unwrap();
        store
            .put(format!("sha256-{hex}").as_str(), &mut good.as_slice())
            .await
            .unwrap();
        ctl.start_actor(&host_id, &reference, 1, None)
            .await
            .unwrap();
        let started = event_of(&mut events, "actors_started").await;
        assert_eq!(started["image_ref"], reference.as_str());
    });
}
