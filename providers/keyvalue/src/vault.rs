//! `wasmcloud:keyvalue` on Vault's KV secrets engine, version 2 (HashiCorp
//! Vault, OpenBao), as wasmCloud's `kv-vault` provider maps it, under
//! `/v1/{mount}`:
//!
//! | operation | Vault call |
//! |---|---|
//! | `Set` | POST `data/{key}` with `{"data": ...}`: the value itself when it is a JSON object, else `{"string_data___": value}` (`expires` is ignored, as upstream) |
//! | `Get` | GET `data/{key}`: the marker unwrapped, other data as JSON text; 404: not found |
//! | `Contains` | whether `Get` finds it |
//! | `Del` | DELETE `data/{key}` (a soft delete of the latest version); false when there was nothing |
//! | `SetQuery(path)` | LIST `metadata/{path}`: the keys under it; 404: none |
//! | `Increment` | weld's: read, add, write back with check-and-set on the version read, retried on a conflict; the number is kept as the marker's string, as `Set` stores it |
//! | the rest | a not-implemented error naming the operation |
//!
//! TLS certificates are verified (upstream turned verification off); CA
//! files from `certs` are trusted besides the system's roots. Every call
//! has a timeout (upstream had none). A task renews the token
//! (`auth/token/renew-self`) every `token_refresh_interval` seconds.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{json, Value};
use weld_rpc::provider::lifecycle::{
    ActorLink, ActorOrigin, LinkDefinition, LinkSettings, Message, PerLink, Provider,
    ProviderContext, ProviderError, RpcResult, Setting, SettingOrigin,
};

use crate::{KvError, KvStore, CONTRACT_ID};

/// The keys this provider reads (any case).
pub const SETTING_KEYS: &[&str] = &[
    "addr",
    "token",
    "mount",
    "certs",
    "token_increment_ttl",
    "token_refresh_interval",
];
/// Upstream's defaults.
pub const DEFAULT_ADDR: &str = "http://127.0.0.1:8200";
/// The KV v2 mount used when none is given.
pub const DEFAULT_MOUNT: &str = "secret";
/// Upstream's text for a link without a token.
pub const MISSING_TOKEN: &str = "missing setting for 'token' or VAULT_TOKEN";
/// The key a non-object value is stored under (upstream's marker).
pub const STRING_MARKER: &str = "string_data___";
/// How long one Vault call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Check-and-set attempts of one `Increment` before it gives up.
const CAS_ATTEMPTS: usize = 32;

/// What a link connects with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultSettings {
    /// Server address.
    pub addr: String,
    /// Token (secret).
    pub token: String,
    /// KV v2 mount.
    pub mount: String,
    /// CA files to trust.
    pub certs: Vec<String>,
    /// TTL asked for when renewing the token.
    pub token_increment_ttl: String,
    /// Seconds between renewals.
    pub token_refresh_interval: u64,
}

impl VaultSettings {
    /// Link values over the provider config; then the environment
    /// (`VAULT_ADDR`, `VAULT_TOKEN`, `VAULT_MOUNT`, `VAULT_CERTS`,
    /// `VAULT_TOKEN_INCREMENT_TTL`, `VAULT_TOKEN_REFRESH_INTERVAL`) over
    /// both, as upstream.
    fn resolve(
        s: &LinkSettings<'_>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<VaultSettings, ProviderError> {
        let get = |key: &str| -> Option<Setting> {
            let from_env = env(&format!("VAULT_{}", key.to_ascii_uppercase()))
                .filter(|v| !v.trim().is_empty())
                .map(|v| Setting {
                    key: format!("VAULT_{}", key.to_ascii_uppercase()),
                    value: v.trim().to_string(),
                    origin: SettingOrigin::Default,
                });
            from_env.or_else(|| s.get(key))
        };
        let token = get("token").ok_or_else(|| ProviderError::Other {
            provider: s.provider().to_string(),
            message: MISSING_TOKEN.into(),
        })?;
        let addr = get("addr")
            .map(|v| v.value)
            .unwrap_or_else(|| DEFAULT_ADDR.into());
        if !(addr.starts_with("http://") || addr.starts_with("https://")) {
            let v = get("addr").expect("given, since it differs from the default");
            return Err(s.invalid(&v, "not an http:// or https:// address"));
        }
        let mount = get("mount")
            .map(|v| v.value.trim_matches('/').to_string())
            .unwrap_or_else(|| DEFAULT_MOUNT.into());
        let certs = get("certs")
            .map(|v| {
                v.value
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let token_refresh_interval = match get("token_refresh_interval") {
            Some(v) => v
                .value
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| s.invalid(&v, "expected a number of seconds above 0"))?,
            None => 43_200,
        };
        Ok(VaultSettings {
            addr: addr.trim_end_matches('/').to_string(),
            token: token.value,
            mount,
            certs,
            token_increment_ttl: get("token_increment_ttl")
                .map(|v| v.value)
                .unwrap_or_else(|| "72h".into()),
            token_refresh_interval,
        })
    }
}

/// A key-value store on one Vault mount.
pub struct VaultStore {
    http: reqwest::Client,
    base: String,
    token: String,
    renewer: Option<tokio::task::JoinHandle<()>>,
    /// `Increment`s of one key through this store take turns, so they do
    /// not spend their check-and-set attempts on each other (other writers
    /// are still caught by the check-and-set).
    turns: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl std::fmt::Debug for VaultStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultStore")
            .field("base", &self.base)
            .finish()
    }
}

impl Drop for VaultStore {
    fn drop(&mut self) {
        if let Some(r) = &self.renewer {
            r.abort();
        }
    }
}

fn vault_error(what: &str, e: impl std::fmt::Display) -> KvError {
    KvError::Vault(format!("{what}: {e}"))
}

/// Keys are paths below the mount: each segment percent-encoded. A `.`
/// or `..` segment is refused: URL parsing would resolve it and let the
/// key name another mount (or Vault's own `sys/` paths) the token can reach.
fn path_of(key: &str) -> Result<String, KvError> {
    if key.split('/').any(|seg| seg == "." || seg == "..") {
        return Err(KvError::InvalidArgument(format!(
            "key {key:?} has a `.` or `..` segment; keys stay below the mount"
        )));
    }
    Ok(key
        .split('/')
        .map(|seg| {
            seg.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/"))
}

impl VaultStore {
    /// A store for `s` (no call is made yet).
    pub fn new(s: &VaultSettings) -> Result<VaultStore, String> {
        // reqwest runs rustls on ring; one provider for the process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder().timeout(CALL_TIMEOUT);
        for file in &s.certs {
            let pem = std::fs::read(file).map_err(|e| format!("certs: cannot read {file}: {e}"))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| format!("certs: {file} is not PEM certificates: {e}"))?;
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(VaultStore {
            http,
            base: format!("{}/v1/{}", s.addr, s.mount),
            token: s.token.clone(),
            renewer: None,
            turns: std::sync::Mutex::new(HashMap::new()),
        })
    }

    /// Renews the token every `interval` (failures are logged; a root
    /// token, which never expires, cannot be renewed and needs none).
    fn renew_every(&mut self, addr: &str, ttl: String, interval: Duration) {
        let (http, token, url) = (
            self.http.clone(),
            self.token.clone(),
            format!("{addr}/v1/auth/token/renew-self"),
        );
        self.renewer = Some(tokio::spawn(async move {
            loop {
                tokio::time::sleep(interval).await;
                let r = http
                    .post(&url)
                    .header("X-Vault-Token", &token)
                    .json(&json!({ "increment": ttl }))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => tracing::debug!("vault token renewed"),
                    Ok(r) => tracing::warn!(status = %r.status(), "vault token not renewed"),
                    Err(e) => tracing::warn!(error = %e, "vault token not renewed"),
                }
            }
        }));
    }

    fn call(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}/{path}", self.base))
            .header("X-Vault-Token", &self.token)
    }

    /// The data and version of `key`, `None` when absent (or deleted).
    async fn read(&self, key: &str) -> Result<Option<(Value, u64)>, KvError> {
        let (data, version) = self.read_versioned(key).await?;
        Ok(data.map(|d| (d, version)))
    }

    /// The data of `key` (`None`: absent or deleted) and the version it was
    /// read at, from one answer: a deleted key's 404 still names its latest
    /// version (0 for a key never written), so a check-and-set on it cannot
    /// lose a write that came between two reads.
    async fn read_versioned(&self, key: &str) -> Result<(Option<Value>, u64), KvError> {
        let r = self
            .call(reqwest::Method::GET, &format!("data/{}", path_of(key)?))
            .send()
            .await
            .map_err(|e| vault_error("get", e))?;
        if r.status() == reqwest::StatusCode::NOT_FOUND {
            let body: Value = r.json().await.unwrap_or(Value::Null);
            let version = body["data"]["metadata"]["version"].as_u64().unwrap_or(0);
            return Ok((None, version));
        }
        let body = checked(r, "get").await?;
        let version = body["data"]["metadata"]["version"].as_u64().unwrap_or(0);
        let data = body["data"]["data"].clone();
        // A destroyed version reads as null data.
        Ok(((!data.is_null()).then_some(data), version))
    }

    /// Writes `data`; with `cas`, only over that version (`Ok(false)`: it
    /// changed meanwhile).
    async fn write(&self, key: &str, data: Value, cas: Option<u64>) -> Result<bool, KvError> {
        let mut body = json!({ "data": data });
        if let Some(v) = cas {
            body["options"] = json!({ "cas": v });
        }
        let r = self
            .call(reqwest::Method::POST, &format!("data/{}", path_of(key)?))
            .json(&body)
            .send()
            .await
            .map_err(|e| vault_error("set", e))?;
        if cas.is_some() && r.status() == reqwest::StatusCode::BAD_REQUEST {
            let text = r.text().await.unwrap_or_default();
            if text.contains("check-and-set") {
                return Ok(false);
            }
            return Err(KvError::Vault(format!(
                "set: 400 Bad Request: {}",
                text.trim()
            )));
        }
        checked(r, "set").await?;
        Ok(true)
    }
}

/// The JSON body of a successful answer; the status and Vault's errors
/// otherwise.
async fn checked(r: reqwest::Response, what: &str) -> Result<Value, KvError> {
    let status = r.status();
    let text = r.text().await.map_err(|e| vault_error(what, e))?;
    if !status.is_success() {
        let errors = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v["errors"].as_array().cloned())
            .map(|e| {
                e.iter()
                    .filter_map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_else(|| text.trim().to_string());
        return Err(KvError::Vault(format!("{what}: {status}: {errors}")));
    }
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&text).map_err(|e| vault_error(what, e))
}

/// What `Get` answers for stored `data`.
fn unwrap_value(data: &Value) -> String {
    match data.get(STRING_MARKER).and_then(Value::as_str) {
        Some(s) if data.as_object().is_some_and(|o| o.len() == 1) => s.to_string(),
        _ => data.to_string(),
    }
}

/// What `Set` stores for `value`.
fn wrap_value(value: &str) -> Value {
    match serde_json::from_str::<Value>(value) {
        Ok(v @ Value::Object(_)) => v,
        _ => json!({ STRING_MARKER: value }),
    }
}

fn not_implemented(op: &'static str) -> KvError {
    KvError::NotImplemented(op)
}

impl VaultStore {
    /// Read, add, write back over the version read; again on a conflict.
    async fn increment_cas(&self, key: &str, delta: i32) -> Result<i32, KvError> {
        for _ in 0..CAS_ATTEMPTS {
            let (data, version) = self.read_versioned(key).await?;
            let current = data.map(|d| unwrap_value(&d)).unwrap_or_default();
            let n: i64 = if current.is_empty() {
                0
            } else {
                current.trim().parse().map_err(|_| KvError::NotAnInteger)?
            };
            let next = n
                .checked_add(i64::from(delta))
                .and_then(|n| i32::try_from(n).ok())
                .ok_or(KvError::Overflow)?;
            if self
                .write(key, wrap_value(&next.to_string()), Some(version))
                .await?
            {
                return Ok(next);
            }
        }
        Err(KvError::Vault(format!(
            "increment: {key} kept changing ({CAS_ATTEMPTS} check-and-set attempts)"
        )))
    }
}

#[async_trait]
impl KvStore for VaultStore {
    async fn increment(&self, key: &str, delta: i32) -> Result<i32, KvError> {
        let turn = {
            let mut turns = self.turns.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(turns.entry(key.to_string()).or_default())
        };
        let result = {
            let _mine = turn.lock().await;
            self.increment_cas(key, delta).await
        };
        let mut turns = self.turns.lock().unwrap_or_else(|p| p.into_inner());
        // The last one out forgets the key (the map holds one Arc).
        if Arc::strong_count(&turn) == 2 {
            turns.remove(key);
        }
        result
    }

    async fn contains(&self, key: &str) -> Result<bool, KvError> {
        Ok(self.read(key).await?.is_some())
    }

    async fn del(&self, key: &str) -> Result<bool, KvError> {
        if self.read(key).await?.is_none() {
            return Ok(false);
        }
        let r = self
            .call(reqwest::Method::DELETE, &format!("data/{}", path_of(key)?))
            .send()
            .await
            .map_err(|e| vault_error("del", e))?;
        if r.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(false);
        }
        checked(r, "del").await?;
        Ok(true)
    }

    async fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        Ok(self.read(key).await?.map(|(data, _)| unwrap_value(&data)))
    }

    async fn list_add(&self, _: &str, _: &str) -> Result<u32, KvError> {
        Err(not_implemented("ListAdd"))
    }

    async fn list_clear(&self, _: &str) -> Result<bool, KvError> {
        Err(not_implemented("ListClear"))
    }

    async fn list_del(&self, _: &str, _: &str) -> Result<bool, KvError> {
        Err(not_implemented("ListDel"))
    }

    async fn list_range(&self, _: &str, _: i32, _: i32) -> Result<Vec<String>, KvError> {
        Err(not_implemented("ListRange"))
    }

    async fn set(&self, key: &str, value: &str, _expires: u32) -> Result<(), KvError> {
        self.write(key, wrap_value(value), None).await.map(drop)
    }

    async fn set_add(&self, _: &str, _: &str) -> Result<u32, KvError> {
        Err(not_implemented("SetAdd"))
    }

    async fn set_del(&self, _: &str, _: &str) -> Result<u32, KvError> {
        Err(not_implemented("SetDel"))
    }

    async fn set_intersection(&self, _: &[String]) -> Result<Vec<String>, KvError> {
        Err(not_implemented("SetIntersection"))
    }

    async fn set_query(&self, path: &str) -> Result<Vec<String>, KvError> {
        let r = self
            .call(
                reqwest::Method::from_bytes(b"LIST").expect("a valid method"),
                &format!("metadata/{}", path_of(path)?),
            )
            .send()
            .await
            .map_err(|e| vault_error("list", e))?;
        if r.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(Vec::new());
        }
        let body = checked(r, "list").await?;
        Ok(body["data"]["keys"]
            .as_array()
            .map(|k| {
                k.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn set_union(&self, _: &[String]) -> Result<Vec<String>, KvError> {
        Err(not_implemented("SetUnion"))
    }

    async fn set_clear(&self, _: &str) -> Result<bool, KvError> {
        Err(not_implemented("SetClear"))
    }
}

/// The keyvalue-vault provider: one [`VaultStore`] per link.
#[derive(Debug)]
pub struct VaultKvProvider {
    ctx: ProviderContext,
    links: PerLink<VaultStore>,
}

impl VaultKvProvider {
    /// A provider for `ctx`.
    pub fn new(ctx: ProviderContext) -> Self {
        VaultKvProvider {
            ctx,
            links: PerLink::new(),
        }
    }

    /// Registry factory. Settings are checked per link (the token may come
    /// from the link alone).
    pub fn build(ctx: ProviderContext) -> Result<Arc<dyn Provider>, ProviderError> {
        Ok(Arc::new(Self::new(ctx)))
    }

    /// The settings a link with `values` gets, with the process environment.
    pub fn settings(
        &self,
        values: &HashMap<String, String>,
    ) -> Result<VaultSettings, ProviderError> {
        self.settings_with_env(values, &|k| std::env::var(k).ok())
    }

    /// As [`VaultKvProvider::settings`] with `env` as the environment.
    pub fn settings_with_env(
        &self,
        values: &HashMap<String, String>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<VaultSettings, ProviderError> {
        VaultSettings::resolve(&self.ctx.link_settings(values, SETTING_KEYS)?, env)
    }
}

#[async_trait]
impl Provider for VaultKvProvider {
    fn contract_id(&self) -> &str {
        CONTRACT_ID
    }

    async fn put_link(
        &self,
        link: &LinkDefinition,
        _actor: ActorLink,
    ) -> Result<(), ProviderError> {
        let s = self.settings(&link.values)?;
        let mut store = VaultStore::new(&s).map_err(|message| ProviderError::Other {
            provider: self.ctx.name.clone(),
            message,
        })?;
        store.renew_every(
            &s.addr,
            s.token_increment_ttl.clone(),
            Duration::from_secs(s.token_refresh_interval),
        );
        self.links.insert(link, Arc::new(store));
        Ok(())
    }

    async fn delete_link(&self, link: &LinkDefinition) {
        self.links.remove(link);
    }

    async fn handle(&self, origin: &ActorOrigin, msg: Message<'_>) -> RpcResult<Vec<u8>> {
        crate::handle(&self.links, origin, msg).await
    }

    async fn shutdown(&self) {
        self.links.drain();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_wrap_as_upstream() {
        assert_eq!(wrap_value("7"), json!({ STRING_MARKER: "7" }));
        assert_eq!(wrap_value("[1]"), json!({ STRING_MARKER: "[1]" }));
        assert_eq!(wrap_value(r#"{"a":1}"#), json!({"a": 1}));
        assert_eq!(unwrap_value(&json!({ STRING_MARKER: "x" })), "x");
        assert_eq!(unwrap_value(&json!({"a": 1})), r#"{"a":1}"#);
        assert_eq!(path_of("a b/c%").unwrap(), "a%20b/c%25");
        assert_eq!(path_of("v1.2/x..y").unwrap(), "v1.2/x..y");
        for escape in ["../prod/data/db", "a/../../sys/policies", ".", "a/./b"] {
            assert!(path_of(escape).is_err(), "{escape}");
        }
    }

    #[test]
    fn settings_precedence() {
        let p = VaultKvProvider::new(ProviderContext {
            provider_id: "V".into(),
            name: "vault".into(),
            link_name: "default".into(),
            config: [("ADDR".to_string(), "http://config:1".to_string())].into(),
            data_dir: ".".into(),
            lattice: None,
        });
        let none = |_: &str| None;
        let e = p.settings_with_env(&HashMap::new(), &none).unwrap_err();
        assert!(e.to_string().contains(MISSING_TOKEN), "{e}");
        let values: HashMap<String, String> = [
            ("token".to_string(), "t".to_string()),
            ("MOUNT".to_string(), "/kv/".to_string()),
        ]
        .into();
        let s = p.settings_with_env(&values, &none).unwrap();
        assert_eq!(
            (s.addr.as_str(), s.mount.as_str(), s.token.as_str()),
            ("http://config:1", "kv", "t")
        );
        // The environment overrides links, as upstream.
        let env = |k: &str| (k == "VAULT_ADDR").then(|| "https://env:2/".to_string());
        assert_eq!(
            p.settings_with_env(&values, &env).unwrap().addr,
            "https://env:2"
        );
        let bad: HashMap<String, String> = [
            ("token".to_string(), "t".to_string()),
            ("addr".to_string(), "vault:8200".to_string()),
        ]
        .into();
        assert!(p.settings_with_env(&bad, &none).is_err());
    }
}
