//! Faults at the edges of a running host: an actor that traps costs only the
//! request that made it trap (500), and malformed HTTP gets a 4xx; in both
//! cases the host keeps serving everyone else.

use std::net::SocketAddr;
use std::time::Duration;

use weld_e2e::host::{app, HostProc};
use weld_e2e::http::{load, must_get, raw_exchange};
use weld_e2e::{free_addr, hello_wasm};

fn start_hello(dir: &std::path::Path) -> Option<(HostProc, SocketAddr)> {
    let wasm = hello_wasm()?;
    let http = free_addr();
    let host = HostProc::start(dir, app("hello", &wasm, http, None), &[http]);
    Some((host, http))
}

fn assert_hello(http: SocketAddr) {
    let r = must_get(http, "/");
    assert_eq!((r.status, r.text().as_str()), (200, "hello"));
}

#[test]
fn a_trapping_actor_costs_one_request() {
    let dir = tempfile::tempdir().unwrap();
    let Some((mut host, http)) = start_hello(dir.path()) else {
        return;
    };
    assert_hello(http);

    for _ in 0..3 {
        let r = must_get(http, "/trap");
        assert_eq!(
            r.status,
            500,
            "a trap must be a 500, got {} {}",
            r.status,
            r.text()
        );
        assert_hello(http);
    }

    // Traps while other requests are in flight: only the trapping ones fail.
    let traps = std::thread::spawn(move || load(http, "/trap", 4, 40));
    let good = load(http, "/", 20, 400);
    let traps = traps.join().unwrap();
    assert_eq!(
        traps.statuses.get(&500).copied(),
        Some(40),
        "trap statuses {:?}",
        traps.statuses
    );
    assert_eq!(good.errors, 0, "{:?}", good.first_error);
    assert_eq!(
        good.ok(),
        400,
        "statuses {:?}: {:?}",
        good.statuses,
        good.first_failure_body
    );
    assert_hello(http);
    assert!(host.is_running(), "host process died");
}

#[test]
fn malformed_http_gets_a_4xx_and_the_host_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let Some((mut host, http)) = start_hello(dir.path()) else {
        return;
    };
    let garbage: &[&[u8]] = &[
        b"\x00\x01\x02\xff\xfe garbage\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ];
    for bytes in garbage {
        let reply = raw_exchange(http, bytes, Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("no answer to {:?}: {e}", String::from_utf8_lossy(bytes)));
        let text = String::from_utf8_lossy(&reply);
        let status = text
            .strip_prefix("HTTP/1.1 ")
            .and_then(|s| s.get(..3))
            .and_then(|s| s.parse::<u16>().ok());
        assert!(
            matches!(status, Some(400..=499)),
            "{:?} answered {:?}, want a 4xx",
            String::from_utf8_lossy(bytes),
            text
        );
        assert_hello(http);
    }
    assert!(host.is_running(), "host process died");
}
