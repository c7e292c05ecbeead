//! The `wasmcloud:keyvalue` contract on the provider side: the operations a
//! store must offer ([`KvStore`]), the errors they report ([`KvError`]) and the
//! decoding / encoding of the contract's messages ([`dispatch`]).
//!
//! Two stores implement it, each in its own module with its own provider:
//! - [`embedded`]: a durable file store (redb) inside the host process, the
//!   default; an acknowledged write is on disk before the reply leaves.
//! - [`redis`]: the same operations mapped one to one onto the Redis commands
//!   wasmCloud's `kvredis` provider uses.
//! - [`vault`]: Vault KV v2, for secrets, with the operations upstream's
//!   `kv-vault` served (plus `Increment`); the rest are not implemented.
//!
//! Both follow Redis semantics (a key holds a string, a list or a set; asking
//! for the wrong kind is a `WRONGTYPE` error; lists and sets vanish when they
//! become empty; `ListRange` bounds are inclusive and may be negative), so an
//! actor sees the same behaviour whichever store its link names. Neither
//! prefixes keys: every actor linked to the same file (or Redis database)
//! shares one key space, exactly like upstream. Isolate actors by giving their
//! links different paths or databases.

#[cfg(feature = "embedded")]
pub mod embedded;
#[cfg(feature = "redis")]
pub mod redis;
#[cfg(feature = "vault")]
pub mod vault;

use async_trait::async_trait;
use weld_interface_keyvalue::{self as kv, KeyValue, KeyValueReceiver};
use weld_rpc::provider::lifecycle::{
    ActorOrigin, LinkSettings, Message, PerLink, ProviderError, RpcError, RpcResult, Setting,
    SettingOrigin,
};
use weld_rpc::Context;

/// The contract id every keyvalue provider answers to.
pub const CONTRACT_ID: &str = "wasmcloud:keyvalue";

/// Errors a key-value store reports. The `Display` text is what the calling
/// actor receives.
#[derive(Debug, thiserror::Error)]
pub enum KvError {
    /// The key exists but holds another kind of value (Redis `WRONGTYPE`).
    #[error("WRONGTYPE Operation against a key holding the wrong kind of value")]
    WrongType,
    /// `Increment` on a string that is not a base-10 64-bit integer.
    #[error("ERR value is not an integer or out of range")]
    NotAnInteger,
    /// `Increment` whose result does not fit the contract's 32-bit reply.
    #[error("ERR increment or decrement would overflow")]
    Overflow,
    /// A request the contract cannot express (e.g. `SetUnion` of no sets).
    #[error("ERR {0}")]
    InvalidArgument(String),
    /// The embedded database failed (I/O, corruption, ...).
    #[cfg(feature = "embedded")]
    #[error("embedded store: {0}")]
    Storage(#[from] redb::Error),
    /// A batch of writes could not be committed; nothing in it was stored.
    #[error("embedded store: commit failed: {0}")]
    CommitFailed(String),
    /// The file holds data this version cannot read.
    #[error("embedded store: corrupt entry: {0}")]
    Corrupt(String),
    /// The embedded store's writer has stopped (the store is closing).
    #[error("embedded store is closed")]
    Closed,
    /// Redis answered with an error or could not be reached.
    #[cfg(feature = "redis")]
    #[error("redis error: {0}")]
    Redis(#[from] ::redis::RedisError),
    /// Vault answered with an error or could not be reached.
    #[error("vault error: {0}")]
    Vault(String),
    /// The store does not offer this operation (Vault: only what upstream's
    /// kv-vault served, and `Increment`).
    #[error("{0} is not implemented by this key-value store")]
    NotImplemented(&'static str),
}

/// Every operation of `wasmcloud:keyvalue`, independent of the wire.
///
/// Method names and results follow the contract; arguments are borrowed
/// strings so both the dispatcher and native callers (tests, benchmarks) can
/// use a store directly.
#[async_trait]
pub trait KvStore: Send + Sync + 'static {
    /// Adds `delta` to the integer at `key` (missing = 0) and returns the new
    /// value. An expiry set on the key is kept.
    async fn increment(&self, key: &str, delta: i32) -> Result<i32, KvError>;
    /// Whether `key` exists (any kind of value).
    async fn contains(&self, key: &str) -> Result<bool, KvError>;
    /// Deletes `key` (any kind); true if it existed.
    async fn del(&self, key: &str) -> Result<bool, KvError>;
    /// The string at `key`, or `None` when it does not exist.
    async fn get(&self, key: &str) -> Result<Option<String>, KvError>;
    /// Appends `value` to the list `list`; returns the new length.
    async fn list_add(&self, list: &str, value: &str) -> Result<u32, KvError>;
    /// Deletes the list; true if it existed.
    async fn list_clear(&self, list: &str) -> Result<bool, KvError>;
    /// Removes the first occurrence of `value`; true if one was removed.
    async fn list_del(&self, list: &str, value: &str) -> Result<bool, KvError>;
    /// Items `start..=stop` (0-based, negative counts from the end).
    async fn list_range(&self, list: &str, start: i32, stop: i32) -> Result<Vec<String>, KvError>;
    /// Stores a string, replacing any value; `expires` seconds (0 = never).
    async fn set(&self, key: &str, value: &str, expires: u32) -> Result<(), KvError>;
    /// Adds `value` to the set; returns how many were added (0 or 1).
    async fn set_add(&self, set: &str, value: &str) -> Result<u32, KvError>;
    /// Removes `value` from the set; returns how many were removed (0 or 1).
    async fn set_del(&self, set: &str, value: &str) -> Result<u32, KvError>;
    /// Members common to every named set (missing sets are empty).
    async fn set_intersection(&self, sets: &[String]) -> Result<Vec<String>, KvError>;
    /// Members of the set (unordered).
    async fn set_query(&self, set: &str) -> Result<Vec<String>, KvError>;
    /// Members of any of the named sets.
    async fn set_union(&self, sets: &[String]) -> Result<Vec<String>, KvError>;
    /// Deletes the set; true if it existed.
    async fn set_clear(&self, set: &str) -> Result<bool, KvError>;
}

/// The generated `KeyValue` service over any [`KvStore`]: the provider side
/// of `weld-interface-keyvalue`. Decoding, method routing and reply encoding
/// (protocol "0" MessagePack, or CBOR when the payload starts with `0x7f`)
/// are the generated [`KeyValueReceiver`]'s; this adapter only maps each
/// operation onto the store.
pub struct KeyValueService<'s, S: ?Sized>(pub &'s S);

fn store_error(e: KvError) -> RpcError {
    // Upstream kvredis reports store failures as `Other`; an operation a
    // store lacks is named in the text (upstream's kv-vault said only
    // "method not implemented").
    RpcError::Other(e.to_string())
}

#[async_trait]
impl<S: KvStore + ?Sized> KeyValue for KeyValueService<'_, S> {
    async fn increment(&self, _: &Context, arg: &kv::IncrementRequest) -> RpcResult<i32> {
        self.0
            .increment(&arg.key, arg.value)
            .await
            .map_err(store_error)
    }

    async fn contains(&self, _: &Context, arg: &str) -> RpcResult<bool> {
        self.0.contains(arg).await.map_err(store_error)
    }

    async fn del(&self, _: &Context, arg: &str) -> RpcResult<bool> {
        self.0.del(arg).await.map_err(store_error)
    }

    async fn get(&self, _: &Context, arg: &str) -> RpcResult<kv::GetResponse> {
        Ok(match self.0.get(arg).await.map_err(store_error)? {
            Some(value) => kv::GetResponse {
                value,
                exists: true,
            },
            None => kv::GetResponse {
                value: String::new(),
                exists: false,
            },
        })
    }

    async fn list_add(&self, _: &Context, arg: &kv::ListAddRequest) -> RpcResult<u32> {
        self.0
            .list_add(&arg.list_name, &arg.value)
            .await
            .map_err(store_error)
    }

    async fn list_clear(&self, _: &Context, arg: &str) -> RpcResult<bool> {
        self.0.list_clear(arg).await.map_err(store_error)
    }

    async fn list_del(&self, _: &Context, arg: &kv::ListDelRequest) -> RpcResult<bool> {
        self.0
            .list_del(&arg.list_name, &arg.value)
            .await
            .map_err(store_error)
    }

    async fn list_range(
        &self,
        _: &Context,
        arg: &kv::ListRangeRequest,
    ) -> RpcResult<kv::StringList> {
        self.0
            .list_range(&arg.list_name, arg.start, arg.stop)
            .await
            .map_err(store_error)
    }

    async fn set(&self, _: &Context, arg: &kv::SetRequest) -> RpcResult<()> {
        self.0
            .set(&arg.key, &arg.value, arg.expires)
            .await
            .map_err(store_error)
    }

    async fn set_add(&self, _: &Context, arg: &kv::SetAddRequest) -> RpcResult<u32> {
        self.0
            .set_add(&arg.set_name, &arg.value)
            .await
            .map_err(store_error)
    }

    async fn set_del(&self, _: &Context, arg: &kv::SetDelRequest) -> RpcResult<u32> {
        self.0
            .set_del(&arg.set_name, &arg.value)
            .await
            .map_err(store_error)
    }

    async fn set_intersection(
        &self,
        _: &Context,
        arg: &kv::StringList,
    ) -> RpcResult<kv::StringList> {
        self.0.set_intersection(arg).await.map_err(store_error)
    }

    async fn set_query(&self, _: &Context, arg: &str) -> RpcResult<kv::StringList> {
        self.0.set_query(arg).await.map_err(store_error)
    }

    async fn set_union(&self, _: &Context, arg: &kv::StringList) -> RpcResult<kv::StringList> {
        self.0.set_union(arg).await.map_err(store_error)
    }

    async fn set_clear(&self, _: &Context, arg: &str) -> RpcResult<bool> {
        self.0.set_clear(arg).await.map_err(store_error)
    }
}

/// Answers one `wasmcloud:keyvalue` message from `actor` on `store` through
/// the generated receiver. `method` may be qualified (`"KeyValue.Increment"`)
/// or bare (`"Increment"`).
pub async fn dispatch<S: KvStore + ?Sized>(
    store: &S,
    actor: &str,
    method: &str,
    payload: &[u8],
) -> RpcResult<Vec<u8>> {
    let ctx = Context {
        actor: Some(actor.to_string()),
        ..Context::default()
    };
    KeyValueService(store)
        .dispatch(&ctx, Message::new(method, payload))
        .await
}

/// Serves one actor call on the store of the caller's link (upstream's
/// error for an actor without one).
pub async fn handle<S: KvStore>(
    stores: &PerLink<S>,
    origin: &ActorOrigin,
    msg: Message<'_>,
) -> RpcResult<Vec<u8>> {
    let store = stores.get(origin)?;
    dispatch(&*store, &origin.actor_id, msg.method, &msg.arg).await
}

/// The link-value check both keyvalue providers run before they open
/// anything: which of the alternative `keys` (e.g. `path` / `data_dir`, or
/// just `URL`) names the store of this link.
///
/// The link's values win over the provider config; within one of them, two
/// alternatives given together are a conflict (which would win is not
/// obvious), and an empty value is refused. `None`: nothing given, use the
/// provider's default.
pub fn store_setting(
    s: &LinkSettings<'_>,
    keys: &[&str],
) -> Result<Option<Setting>, ProviderError> {
    for origin in [SettingOrigin::Link, SettingOrigin::Config] {
        let mut given = keys.iter().filter_map(|k| s.at(origin, k));
        let Some(first) = given.next() else { continue };
        if let Some(second) = given.next() {
            return Err(s.invalid(
                &second,
                format!(
                    "conflicts with `{}` = {:?}; give one of them",
                    first.key,
                    first.shown()
                ),
            ));
        }
        if first.value.is_empty() {
            return Err(s.invalid(&first, "empty value"));
        }
        return Ok(Some(first));
    }
    Ok(None)
}

/// Applies Redis `LRANGE` index rules to a list of `len` items: negative
/// indices count from the end, out-of-range bounds are clamped, and an empty
/// range gives `None`. Returns inclusive `(first, last)` positions.
pub fn resolve_range(len: u64, start: i32, stop: i32) -> Option<(u64, u64)> {
    let len = len as i64;
    let mut start = start as i64;
    let mut stop = stop as i64;
    if start < 0 {
        start += len;
    }
    if stop < 0 {
        stop += len;
    }
    if start < 0 {
        start = 0;
    }
    if stop >= len {
        stop = len - 1;
    }
    if start > stop || start >= len {
        return None;
    }
    Some((start as u64, stop as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_rules_match_redis() {
        // LRANGE on ["a","b","c"] as Redis 7 answers it.
        assert_eq!(resolve_range(3, 0, -1), Some((0, 2)));
        assert_eq!(resolve_range(3, 0, 0), Some((0, 0)));
        assert_eq!(resolve_range(3, -2, -1), Some((1, 2)));
        assert_eq!(resolve_range(3, -100, 100), Some((0, 2)));
        assert_eq!(resolve_range(3, 2, 1), None);
        assert_eq!(resolve_range(3, 5, 10), None);
        assert_eq!(resolve_range(3, -1, -2), None);
        assert_eq!(resolve_range(0, 0, -1), None);
        assert_eq!(resolve_range(3, i32::MIN, i32::MAX), Some((0, 2)));
    }
}
