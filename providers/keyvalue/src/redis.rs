//! `wasmcloud:keyvalue` on Redis.
//!
//! Each operation is the single Redis command wasmCloud's `kvredis` provider
//! sends: `Increment` INCRBY, `Contains` EXISTS, `Del` / `ListClear` /
//! `SetClear` DEL, `Get` GET, `ListAdd` RPUSH, `ListDel` LREM count 1,
//! `ListRange` LRANGE, `Set` SET (with EX when `expires` > 0), `SetAdd` SADD,
//! `SetDel` SREM, `SetIntersection` SINTER, `SetQuery` SMEMBERS, `SetUnion`
//! SUNION. Keys are passed through unchanged (no prefix), so data written by
//! an upstream wasmCloud deployment is readable here and vice versa.
//!
//! Connections: one auto-reconnecting multiplexed connection
//! ([`ConnectionManager`]) per distinct URL, shared by every link naming it.

use crate::{store_setting, KvError, KvStore, CONTRACT_ID};
use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{FromRedisValue, RedisError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use weld_rpc::provider::lifecycle::{
    ActorLink, ActorOrigin, LinkDefinition, LinkSettings, Message, Provider, ProviderContext,
    ProviderError, RpcResult, Setting,
};
use weld_rpc::provider::PerLink;

/// Link value (and provider config key) holding the Redis URL.
pub const URL_KEY: &str = "URL";
/// Used when neither the link nor the provider config gives a URL.
pub const DEFAULT_URL: &str = "redis://127.0.0.1:6379/";
/// The keys this provider reads (any case).
pub const SETTING_KEYS: &[&str] = &[URL_KEY];
/// URL schemes this build can connect with (no TLS support compiled in).
const SCHEMES: &[&str] = &["redis", "redis+unix", "unix"];

/// How long connecting may take before the link (or a reconnect) fails.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one command may wait for its reply.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);

/// A keyvalue store on one Redis database.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    url: String,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("url", &weld_rpc::redact::text(&self.url))
            .finish()
    }
}

impl RedisStore {
    /// Connects to `url` (e.g. `redis://127.0.0.1:6379/0`). Fails when the
    /// URL is invalid or the server cannot be reached within a few seconds.
    pub async fn connect(url: &str) -> Result<Self, KvError> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(3);
        let conn = ConnectionManager::new_with_config(client, config).await?;
        Ok(RedisStore {
            conn,
            url: url.to_string(),
        })
    }

    /// The URL this store is connected to.
    pub fn url(&self) -> &str {
        &self.url
    }

    async fn exec<T: FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, KvError> {
        // ConnectionManager is a cheap handle onto one multiplexed
        // connection: cloning it lets calls run concurrently, pipelined.
        let mut conn = self.conn.clone();
        cmd.query_async(&mut conn).await.map_err(map_error)
    }
}

/// Gives Redis' semantic errors the same variants the embedded store uses.
fn map_error(e: RedisError) -> KvError {
    match (e.code(), e.detail()) {
        (Some("WRONGTYPE"), _) => KvError::WrongType,
        (Some("ERR"), Some(d)) if d.contains("not an integer") => KvError::NotAnInteger,
        (Some("ERR"), Some(d)) if d.contains("overflow") => KvError::Overflow,
        _ => KvError::Redis(e),
    }
}

fn to_u32(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

#[async_trait]
impl KvStore for RedisStore {
    async fn increment(&self, key: &str, delta: i32) -> Result<i32, KvError> {
        let n: i64 = self.exec(redis::cmd("INCRBY").arg(key).arg(delta)).await?;
        // Redis has stored the 64-bit result; the contract can only carry an
        // i32, so a larger value is reported as an overflow.
        i32::try_from(n).map_err(|_| KvError::Overflow)
    }

    async fn contains(&self, key: &str) -> Result<bool, KvError> {
        let n: i64 = self.exec(redis::cmd("EXISTS").arg(key)).await?;
        Ok(n > 0)
    }

    async fn del(&self, key: &str) -> Result<bool, KvError> {
        let n: i64 = self.exec(redis::cmd("DEL").arg(key)).await?;
        Ok(n > 0)
    }

    async fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        self.exec(redis::cmd("GET").arg(key)).await
    }

    async fn list_add(&self, list: &str, value: &str) -> Result<u32, KvError> {
        let n: i64 = self.exec(redis::cmd("RPUSH").arg(list).arg(value)).await?;
        Ok(to_u32(n))
    }

    async fn list_clear(&self, list: &str) -> Result<bool, KvError> {
        self.del(list).await
    }

    async fn list_del(&self, list: &str, value: &str) -> Result<bool, KvError> {
        let n: i64 = self
            .exec(redis::cmd("LREM").arg(list).arg(1).arg(value))
            .await?;
        Ok(n > 0)
    }

    async fn list_range(&self, list: &str, start: i32, stop: i32) -> Result<Vec<String>, KvError> {
        self.exec(redis::cmd("LRANGE").arg(list).arg(start).arg(stop))
            .await
    }

    async fn set(&self, key: &str, value: &str, expires: u32) -> Result<(), KvError> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(key).arg(value);
        if expires > 0 {
            cmd.arg("EX").arg(expires);
        }
        let _: redis::Value = self.exec(&cmd).await?;
        Ok(())
    }

    async fn set_add(&self, set: &str, value: &str) -> Result<u32, KvError> {
        let n: i64 = self.exec(redis::cmd("SADD").arg(set).arg(value)).await?;
        Ok(to_u32(n))
    }

    async fn set_del(&self, set: &str, value: &str) -> Result<u32, KvError> {
        let n: i64 = self.exec(redis::cmd("SREM").arg(set).arg(value)).await?;
        Ok(to_u32(n))
    }

    async fn set_intersection(&self, sets: &[String]) -> Result<Vec<String>, KvError> {
        if sets.is_empty() {
            // Redis would say the same; answer without a round trip.
            return Err(KvError::InvalidArgument(
                "wrong number of arguments for 'sinter' command".into(),
            ));
        }
        self.exec(redis::cmd("SINTER").arg(sets)).await
    }

    async fn set_query(&self, set: &str) -> Result<Vec<String>, KvError> {
        self.exec(redis::cmd("SMEMBERS").arg(set)).await
    }

    async fn set_union(&self, sets: &[String]) -> Result<Vec<String>, KvError> {
        if sets.is_empty() {
            return Err(KvError::InvalidArgument(
                "wrong number of arguments for 'sunion' command".into(),
            ));
        }
        self.exec(redis::cmd("SUNION").arg(sets)).await
    }

    async fn set_clear(&self, set: &str) -> Result<bool, KvError> {
        self.del(set).await
    }
}

/// The Redis `wasmcloud:keyvalue` provider.
///
/// A link's URL is its `URL` value (any case), else the provider config's
/// `URL`, else [`DEFAULT_URL`]. Putting a link connects (an unreachable server
/// rejects the link, as upstream does); deleting the last link of a URL
/// closes its connection.
pub struct RedisKvProvider {
    ctx: ProviderContext,
    links: PerLink<RedisStore>,
    /// Live connections by URL, shared between links.
    clients: Mutex<HashMap<String, Weak<RedisStore>>>,
}

impl RedisKvProvider {
    /// A provider for `ctx`; connects nothing until a link arrives.
    pub fn new(ctx: ProviderContext) -> Self {
        RedisKvProvider {
            ctx,
            links: PerLink::new(),
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Registry factory. A bad `URL` in the provider config fails here.
    pub fn build(ctx: ProviderContext) -> Result<Arc<dyn Provider>, ProviderError> {
        let provider = Self::new(ctx);
        provider.url_for(&LinkDefinition::default())?;
        Ok(Arc::new(provider))
    }

    /// The URL setting `link` connects to: its `URL` value (any case), else
    /// the provider config's, else [`DEFAULT_URL`]; checked for a scheme
    /// this build supports and for Redis URL syntax. Errors show the URL
    /// without its password.
    pub fn url_for(&self, link: &LinkDefinition) -> Result<Setting, ProviderError> {
        let s = self.ctx.link_settings(&link.values, SETTING_KEYS)?;
        let url = store_setting(&s, SETTING_KEYS)?
            .unwrap_or_else(|| Setting::default_for(URL_KEY, DEFAULT_URL));
        check_url(&s, &url)?;
        Ok(url)
    }

    async fn store_for(&self, setting: &Setting) -> Result<Arc<RedisStore>, ProviderError> {
        let url = setting.value.as_str();
        let existing = {
            let clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
            clients.get(url).and_then(Weak::upgrade)
        };
        if let Some(store) = existing {
            return Ok(store);
        }
        let store = RedisStore::connect(url)
            .await
            .map_err(|e| ProviderError::unusable(&self.ctx.name, setting, "cannot connect", e))?;
        let store = Arc::new(store);
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        clients.retain(|_, w| w.strong_count() > 0);
        // Another link may have connected meanwhile: keep one connection.
        if let Some(winner) = clients.get(url).and_then(Weak::upgrade) {
            return Ok(winner);
        }
        clients.insert(url.to_string(), Arc::downgrade(&store));
        Ok(store)
    }
}

/// Refuses what cannot be a Redis URL for this build before connecting.
fn check_url(s: &LinkSettings<'_>, url: &Setting) -> Result<(), ProviderError> {
    // Errors show the setting through the shared redaction (no password).
    let invalid = |reason: String| s.invalid(url, reason);
    let Some((scheme, _)) = url.value.split_once("://") else {
        return Err(invalid("not a URL (e.g. redis://127.0.0.1:6379/0)".into()));
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme == "rediss" || scheme == "valkeys" {
        return Err(invalid(format!(
            "TLS ({scheme}://) is not supported by this host; use redis://"
        )));
    }
    if !SCHEMES.contains(&scheme.as_str()) {
        return Err(invalid(format!(
            "unsupported scheme `{scheme}` (use {})",
            SCHEMES
                .iter()
                .map(|s| format!("{s}://"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    redis::Client::open(url.value.as_str())
        .map(drop)
        .map_err(|e| ProviderError::unusable(s.provider(), url, "not a valid Redis URL", e))
}

#[async_trait]
impl Provider for RedisKvProvider {
    fn contract_id(&self) -> &str {
        CONTRACT_ID
    }

    async fn put_link(
        &self,
        link: &LinkDefinition,
        _actor: ActorLink,
    ) -> Result<(), ProviderError> {
        let url = self.url_for(link)?;
        let store = self.store_for(&url).await?;
        tracing::info!(actor = %link.actor_id, url = %url.shown(), "keyvalue-redis link connected");
        self.links.insert(link, store);
        Ok(())
    }

    async fn delete_link(&self, link: &LinkDefinition) {
        // Dropping the last link's Arc closes the connection.
        self.links.remove(link);
    }

    async fn handle(&self, origin: &ActorOrigin, msg: Message<'_>) -> RpcResult<Vec<u8>> {
        crate::handle(&self.links, origin, msg).await
    }

    async fn shutdown(&self) {
        self.links.drain();
        self.clients
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn provider(config: &[(&str, &str)]) -> RedisKvProvider {
        RedisKvProvider::new(ProviderContext {
            provider_id: "V".into(),
            name: "kv".into(),
            link_name: "default".into(),
            config: config
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            data_dir: ".".into(),
            lattice: None,
        })
    }

    fn link(values: &[(&str, &str)]) -> LinkDefinition {
        LinkDefinition {
            actor_id: "Ma".into(),
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<HashMap<_, _>>(),
            ..Default::default()
        }
    }

    #[test]
    fn bad_urls_are_refused_before_connecting() {
        let p = provider(&[]);
        for (value, reason) in [
            (
                "127.0.0.1:6379",
                "not a URL (e.g. redis://127.0.0.1:6379/0)",
            ),
            (
                "http://127.0.0.1:6379/",
                "unsupported scheme `http` (use redis://, redis+unix://, unix://)",
            ),
            (
                "rediss://127.0.0.1:6379/",
                "TLS (rediss://) is not supported by this host; use redis://",
            ),
            ("", "empty value"),
        ] {
            let e = p.url_for(&link(&[("url", value)])).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("provider `kv`: link value `url` = {value:?}: {reason}")
            );
        }
        // Redis' own parser refuses the rest; the password never shows.
        let e = p
            .url_for(&link(&[("URL", "redis://u:secret@127.0.0.1:6379/notadb")]))
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("provider `kv`: link value `URL` = \"redis://[REDACTED]@127.0.0.1:6379/notadb\": not a valid Redis URL: "),
            "{text}"
        );
        assert!(!text.contains("secret"), "{text}");
        // Both `URL` and `url`: refused, whichever the map yields first.
        assert!(p
            .url_for(&link(&[("URL", "redis://a/"), ("url", "redis://b/")]))
            .is_err());
        // A bad URL in the provider config fails the provider's start.
        let ctx = provider(&[("URL", "http://x/")]).ctx;
        let e = RedisKvProvider::build(ctx).err().unwrap();
        assert!(
            e.to_string()
                .starts_with("provider `kv`: provider config `URL` = \"http://x/\""),
            "{e}"
        );
    }
}
