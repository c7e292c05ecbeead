//! Shared helpers of the host-min integration tests: building the test actors
//! to wasm (cached by modification time) and a recording test provider.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use host_min::providers::{
    ActorLink, ActorOrigin, Provider, ProviderError, Setting, SettingOrigin,
};
use host_min::types::{LinkDefinition, Message, RpcError, RpcResult};

fn newest_mtime(dir: &Path) -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        let name = entry.file_name();
        if name == "target" || name == "Cargo.lock" {
            continue;
        }
        let t = if p.is_dir() {
            newest_mtime(&p)
        } else {
            entry.metadata().unwrap().modified().unwrap()
        };
        newest = newest.max(t);
    }
    newest
}

/// Builds `host-min/tests/actors/<name>` to wasm through the project's
/// script, unless the cached module is newer than every source file.
pub fn actor_wasm(name: &str) -> Vec<u8> {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    build_wasm(&manifest_dir.join("tests/actors").join(name), name)
}

/// Builds the workspace fixture actor `tests/fixtures/<name>` (e.g. `hello`)
/// to wasm, cached like [`actor_wasm`].
pub fn fixture_wasm(name: &str) -> Vec<u8> {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    build_wasm(
        &manifest_dir.join("../tests/fixtures").join(name),
        &format!("fixture-{name}"),
    )
}

fn build_wasm(crate_dir: &Path, out_name: &str) -> Vec<u8> {
    static LOCK: OnceLock<Mutex<()>> = OnceLock::new();
    let _guard = LOCK
        .get_or_init(|| Mutex::new(()))
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let name = out_name;
    let crate_dir = crate_dir.to_path_buf();
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("actors")
        .join(format!("{name}.wasm"));
    let fresh = out
        .metadata()
        .and_then(|m| m.modified())
        .map(|t| t >= newest_mtime(&crate_dir))
        .unwrap_or(false);
    if !fresh {
        let script = manifest_dir.join("../scripts/wasm-build.sh");
        let status = Command::new(&script)
            .arg(&crate_dir)
            .arg("--out")
            .arg(&out)
            .status()
            .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
        assert!(status.success(), "building test actor {name} failed");
    }
    std::fs::read(&out).unwrap()
}

/// Payload for the probe actor's `HostCall` operation.
pub fn host_call_payload(
    binding: &str,
    namespace: &str,
    operation: &str,
    payload: &[u8],
) -> Vec<u8> {
    let mut v = Vec::new();
    for part in [
        binding.as_bytes(),
        namespace.as_bytes(),
        operation.as_bytes(),
    ] {
        v.extend_from_slice(part);
        v.push(0);
    }
    v.extend_from_slice(payload);
    v
}

/// A provider for tests: replies `actor|link|method|payload`, records link
/// events, can be made slow, and tracks how many calls run at once.
#[derive(Default)]
pub struct RecordingProvider {
    pub contract: String,
    pub events: Mutex<Vec<String>>,
    pub handles: Mutex<HashMap<String, ActorLink>>,
    pub delay: Option<Duration>,
    pub running: AtomicUsize,
    pub max_running: AtomicUsize,
}

impl RecordingProvider {
    pub fn new(contract: &str) -> Arc<Self> {
        Arc::new(RecordingProvider {
            contract: contract.into(),
            ..Default::default()
        })
    }
    pub fn slow(contract: &str, delay: Duration) -> Arc<Self> {
        Arc::new(RecordingProvider {
            contract: contract.into(),
            delay: Some(delay),
            ..Default::default()
        })
    }
    pub fn events(&self) -> Vec<String> {
        self.events.lock().unwrap().clone()
    }
    pub fn handle_for(&self, actor: &str) -> Option<ActorLink> {
        self.handles.lock().unwrap().get(actor).cloned()
    }
}

#[async_trait]
impl Provider for RecordingProvider {
    fn contract_id(&self) -> &str {
        &self.contract
    }
    async fn put_link(&self, link: &LinkDefinition, actor: ActorLink) -> Result<(), ProviderError> {
        if let Some(v) = link.value("reject") {
            let setting = Setting {
                key: "reject".into(),
                value: v.into(),
                origin: SettingOrigin::Link,
            };
            return Err(ProviderError::invalid("recording", &setting, "asked to"));
        }
        self.events.lock().unwrap().push(format!(
            "put {} {}",
            link.actor_id,
            link.value("tag").unwrap_or("")
        ));
        self.handles
            .lock()
            .unwrap()
            .insert(link.actor_id.clone(), actor);
        Ok(())
    }
    async fn delete_link(&self, link: &LinkDefinition) {
        self.events
            .lock()
            .unwrap()
            .push(format!("del {}", link.actor_id));
        self.handles.lock().unwrap().remove(&link.actor_id);
    }
    async fn handle(&self, origin: &ActorOrigin, msg: Message<'_>) -> RpcResult<Vec<u8>> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_running.fetch_max(now, Ordering::SeqCst);
        if let Some(d) = self.delay {
            tokio::time::sleep(d).await;
        }
        self.running.fetch_sub(1, Ordering::SeqCst);
        if msg.method.ends_with(".Fail") {
            return Err(RpcError::Other("provider says no".into()));
        }
        let mut out =
            format!("{}|{}|{}|", origin.actor_id, origin.link_name, msg.method).into_bytes();
        out.extend_from_slice(&msg.arg);
        Ok(out)
    }
    async fn shutdown(&self) {
        self.events.lock().unwrap().push("shutdown".into());
    }
}
