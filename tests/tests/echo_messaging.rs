//! echo-messaging end to end: a real host-min process whose actor answers
//! NATS requests through messaging-nats (real NATS), first with the
//! provider in the host's process, then as a process of its own on a
//! lattice. The requests come from a plain NATS client.

use std::path::Path;
use std::time::Duration;

use weld_e2e::host::{HostProc, Manifest};
use weld_e2e::http::rt;
use weld_e2e::lattice::alone;
use weld_e2e::{build_actor, require_service, unique_name};

const NATS: &str = "127.0.0.1:4222";

fn manifest(wasm: &Path, subject: &str, process: bool) -> Manifest {
    let m = Manifest::new().signed_actor("echo", wasm, &["wasmcloud:messaging"]);
    let m = if process {
        m.process_provider("nats", "messaging-nats", &[])
    } else {
        m.provider("nats", "messaging-nats", &[])
    };
    m.link(
        "echo",
        "nats",
        &[
            ("SUBSCRIPTION", &format!("{subject}|echoers")),
            ("URI", &format!("nats://{NATS}")),
        ],
    )
}

/// Requests on `subject` until one is answered (the link may still be
/// on its way), then many at once: each gets its own body back.
fn exercise(subject: &str, log: impl Fn() -> String) {
    rt().block_on(async {
        let nc = async_nats::connect(format!("nats://{NATS}")).await.unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let asked = nc.request(subject.to_string(), "first".into());
            match tokio::time::timeout(Duration::from_millis(500), asked).await {
                Ok(Ok(m)) => {
                    assert_eq!(&m.payload[..], b"first");
                    break;
                }
                _ => {
                    assert!(std::time::Instant::now() < deadline, "no echo: {}", log());
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        let asks = (0..50).map(|i| {
            let nc = nc.clone();
            let subject = subject.to_string();
            async move {
                let body = format!("message {i} é");
                let m = nc.request(subject, body.clone().into()).await.unwrap();
                assert_eq!(String::from_utf8_lossy(&m.payload), body);
            }
        });
        futures_util::future::join_all(asks).await;
        // A message without a reply subject is not answered (and does not
        // break the actor): the next request still is.
        nc.publish(subject.to_string(), "no reply".into())
            .await
            .unwrap();
        let m = nc
            .request(subject.to_string(), "last".into())
            .await
            .unwrap();
        assert_eq!(&m.payload[..], b"last");
    });
}

#[test]
fn echo_messaging_in_the_hosts_process() {
    if !require_service("NATS", NATS) {
        return;
    }
    let Some(wasm) = build_actor("examples/echo-messaging") else {
        return;
    };
    let subject = unique_name("echo").replace(['-', '.'], "_");
    let dir = tempfile::tempdir().unwrap();
    let host = HostProc::start(dir.path(), manifest(&wasm, &subject, false), &[]);
    exercise(&subject, || host.log());
}

#[test]
fn echo_messaging_as_its_own_process_on_a_lattice() {
    if !require_service("NATS", NATS) {
        return;
    }
    let Some(wasm) = build_actor("examples/echo-messaging") else {
        return;
    };
    let subject = unique_name("echo").replace(['-', '.'], "_");
    let dir = tempfile::tempdir().unwrap();
    let m = alone(manifest(&wasm, &subject, true), "echo");
    let host = HostProc::start(dir.path(), m, &[]);
    exercise(&subject, || host.log());
    let pid = host.child_named("weld-provider-m");
    let exe = pid.and_then(|p| std::fs::read_link(format!("/proc/{p}/exe")).ok());
    assert!(
        exe.as_ref()
            .is_some_and(|e| e.ends_with("weld-provider-messaging-nats")),
        "no messaging-nats process ({exe:?}): {}",
        host.log()
    );
}
