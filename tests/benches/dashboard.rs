//! First paint of the dashboard with 1,000 actors (issue 16): a release
//! host-min running 1,000 actors (one module, so compiled once) serves
//! the dashboard on loopback; headless Chromium loads the page
//! `WELD_BENCH_LOADS` times (default 15) and reads, from the navigation's
//! start:
//! - `first-contentful-paint`, the browser's own first paint;
//! - `lattice-painted`, the page's mark just after the first frame with
//!   the picture (a long table's first rows: the screenful);
//! - `lattice-complete`, its mark once every row (1,000 actors) is in the
//!   page and painted.
//!
//! Each page is measured opened (from a blank tab, as a person opening
//! the dashboard) and reloaded (loaded over itself, which adds tearing the
//! previous page down). The baseline, in the same run: the same page of a
//! host with one actor, so the ratio is what 1,000 rows cost. Aim:
//! `lattice-painted` of the opened page under 100 ms at the median.
//!
//! Run: `cargo build --release --workspace --bins && cargo bench -p weld-e2e --bench dashboard`.

use std::net::SocketAddr;

use weld_e2e::bench::env_u64;
use weld_e2e::browser::Browser;
use weld_e2e::host::{host_min_bin, HostProc, Manifest, Profile};
use weld_e2e::http::rt;
use weld_e2e::{free_addr, hello_wasm};
use weld_test_support::verdict;

const ACTORS: usize = 1000;
const AIM_MS: f64 = 100.0;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// A release host running `n` copies of the hello actor, with its
/// dashboard at the returned address.
fn host(dir: &std::path::Path, n: usize) -> (HostProc, SocketAddr) {
    let wasm = hello_wasm().expect("the hello actor builds");
    let dashboard = free_addr();
    // One instance slot per actor, small: the page is measured, not the
    // actors.
    let mut m = Manifest::new()
        .host_bool("allow_unsigned", true)
        .host_num("max_instances", 1)
        .host_num("pool_instances", n as u64 + 16)
        .host_num("max_memory_mb", 4)
        .host("dashboard", &dashboard.to_string());
    for i in 0..n {
        m = m.actor(&format!("hello-{i:04}"), &wasm);
    }
    let h = HostProc::start_with(host_min_bin(Profile::Release), dir, m, &[dashboard]);
    (h, dashboard)
}

/// The times read per load, in ms from the navigation's start, in this
/// order.
const TIMES: [&str; 6] = [
    "performance.getEntriesByType('navigation')[0].responseEnd",
    "performance.getEntriesByName('script-start')[0].startTime",
    "performance.getEntriesByName('rendered')[0].startTime",
    "performance.getEntriesByName('first-contentful-paint')[0].startTime",
    "performance.getEntriesByName('lattice-painted')[0].startTime",
    "performance.getEntriesByName('lattice-complete')[0].startTime",
];
const NAMES: [&str; 6] = [
    "page received",
    "script starts",
    "rendered",
    "first contentful paint",
    "lattice painted",
    "every row painted",
];

/// Medians of [`TIMES`] over `loads` loads, after checking that the page
/// lists `actors` rows. `opened`: each load starts from a blank page, as
/// when the dashboard is opened; otherwise the page is loaded over itself
/// (a reload), which adds tearing the previous one down.
async fn measure(
    b: &Browser,
    addr: SocketAddr,
    actors: usize,
    loads: u64,
    opened: bool,
) -> Vec<f64> {
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); TIMES.len()];
    for _ in 0..loads {
        if opened {
            b.client.goto("about:blank").await.expect("a blank page");
        }
        b.client
            .goto(&format!("http://{addr}/"))
            .await
            .expect("load the dashboard");
        b.until(
            "the paint mark",
            std::time::Duration::from_secs(30),
            "return performance.getEntriesByName('lattice-complete').length > 0 &&\
                    performance.getEntriesByName('first-contentful-paint').length > 0;",
        )
        .await;
        let rows = b
            .js("return document.querySelectorAll('#actors tr[data-actor]').length;")
            .await;
        assert_eq!(rows.as_u64(), Some(actors as u64), "rows on the page");
        let v = b.js(&format!("return [{}];", TIMES.join(","))).await;
        for (i, t) in times.iter_mut().enumerate() {
            t.push(v[i].as_f64().expect("a time"));
        }
    }
    times.into_iter().map(median).collect()
}

fn main() {
    let loads = env_u64("WELD_BENCH_LOADS", 15);
    let (dir_one, dir_many) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (one, one_addr) = host(dir_one.path(), 1);
    let (many, many_addr) = host(dir_many.path(), ACTORS);
    rt().block_on(async {
        let b = Browser::start(1400, 1000)
            .await
            .expect("chromium and chromedriver (scripts/setup.sh browser)");
        // The picture is built in the background: wait until it lists them.
        b.client
            .goto(&format!("http://{many_addr}/"))
            .await
            .unwrap();
        b.until(
            "1,000 actors listed",
            std::time::Duration::from_secs(120),
            &format!("return state.hosts.length > 0 && state.hosts[0].inventory && state.hosts[0].inventory.actors.length === {ACTORS};"),
        )
        .await;
        let one = measure(&b, one_addr, 1, loads, true).await;
        let many = measure(&b, many_addr, ACTORS, loads, true).await;
        let one_again = measure(&b, one_addr, 1, loads, false).await;
        let many_again = measure(&b, many_addr, ACTORS, loads, false).await;
        let bytes = weld_e2e::http::Conn::connect(many_addr)
            .await
            .expect("connect")
            .get("/")
            .await
            .expect("the page")
            .body
            .len();
        println!("dashboard page load, median of {loads} loads each (headless Chromium, loopback), ms from navigation start:");
        println!(
            "  {:<24} {:>9} {:>12} | reloaded: {:>9} {:>12}",
            "opened:",
            "1 actor",
            format!("{ACTORS} actors"),
            "1 actor",
            format!("{ACTORS} actors")
        );
        for (i, name) in NAMES.iter().enumerate() {
            println!(
                "  {name:<24} {:>9.1} {:>12.1} | {:>19.1} {:>12.1}",
                one[i], many[i], one_again[i], many_again[i]
            );
        }
        println!("  page size {} KiB with {ACTORS} actors", bytes / 1024);
        let painted = many[4];
        println!(
            "  ratio {ACTORS} / 1 (lattice painted, opened): {:.2}x; reloaded: {:.2}x",
            painted / one[4],
            many_again[4] / one_again[4]
        );
        println!(
            "  aim: {ACTORS} actors painted under {AIM_MS} ms: {} ({painted:.1} ms)",
            verdict(painted < AIM_MS)
        );
        b.close().await;
    });
    drop(many);
    drop(one);
}
