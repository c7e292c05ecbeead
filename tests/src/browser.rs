//! A real browser for a test: Debian's Chromium, headless, driven through
//! its WebDriver (`chromedriver`, `scripts/setup.sh browser` installs
//! both) with fantoccini. The driver is stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use crate::{free_addr, in_ci, wait_for_port};

/// A running chromedriver and one headless Chromium session.
pub struct Browser {
    driver: Child,
    /// The WebDriver session.
    pub client: Client,
}

fn binary(names: &[&str]) -> Option<PathBuf> {
    ["/usr/bin", "/usr/lib/chromium", "/usr/local/bin", "/bin"]
        .iter()
        .flat_map(|d| names.iter().map(move |n| Path::new(d).join(n)))
        .find(|p| p.is_file())
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a `width` x
    /// `height` window. `None` (skip) when they are not installed, except
    /// under CI, where that panics.
    pub async fn start(width: u32, height: u32) -> Option<Browser> {
        let (Some(driver_bin), Some(chromium)) = (
            binary(&["chromedriver"]),
            binary(&["chromium", "chromium-browser"]),
        ) else {
            let msg = "chromium and chromedriver are not installed (scripts/setup.sh browser)";
            if in_ci() {
                panic!("{msg}; required under CI=true");
            }
            eprintln!("skipping: {msg}");
            return None;
        };
        let addr = free_addr();
        let driver = Command::new(driver_bin)
            .arg(format!("--port={}", addr.port()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        assert!(
            wait_for_port(addr, Duration::from_secs(20)),
            "chromedriver did not listen on {addr}"
        );
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--no-first-run",
                    format!("--window-size={width},{height}"),
                ],
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://{addr}"))
            .await
            .expect("a Chromium session through chromedriver");
        Some(Browser { driver, client })
    }

    /// Runs `script` (a function body) in the page; its return value.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Polls `script` until it returns `true` (up to `timeout`); panics
    /// with `what` and the page's result line otherwise.
    pub async fn until(&self, what: &str, timeout: Duration, script: &str) {
        let deadline = Instant::now() + timeout;
        loop {
            if self.js(script).await == Value::Bool(true) {
                return;
            }
            if Instant::now() > deadline {
                let status = self
                    .js("const r = document.querySelector('#result'); return r ? r.textContent : '';")
                    .await;
                panic!("timed out waiting for {what}; the page says: {status}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types `text` into the element at `css` (cleared first).
    pub async fn fill(&self, css: &str, text: &str) {
        let el = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        el.clear().await.unwrap_or_else(|e| panic!("{css}: {e}"));
        el.send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
    }

    /// Chooses the option with value `value` of the select at `css`.
    pub async fn choose(&self, css: &str, value: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("{css} = {value}: {e}"));
    }

    /// Clicks the element at `css`.
    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// A PNG of the window.
    pub async fn screenshot(&self) -> Vec<u8> {
        self.client.screenshot().await.expect("screenshot")
    }

    /// Ends the session and the driver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
