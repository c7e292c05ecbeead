//! The `wasmcloud:sqldb` provider on PostgreSQL: `SqlDb.Execute`,
//! `SqlDb.Query` and `SqlDb.Ping`, one connection pool (tokio-postgres,
//! deadpool) per link.
//!
//! # Settings
//! Read case-insensitively from the link's values over the provider's
//! config. In each place upstream's JSON comes first (`config_b64`, then
//! `config_json`) and a plain `uri` overrides its `uri`:
//!
//! | key | meaning |
//! |---|---|
//! | `uri` | `postgres://user:password@host:port/database?...` or `host=... user=...`; required |
//! | `config_json`, `config_b64` | `{"uri": ..., "pool": {"max_connections": 8, "min_idle": 0, "max_lifetime_secs": 7200, "idle_timeout_secs": 600, "connection_timeout_millis": 1000}}` (upstream's defaults shown) |
//!
//! Without a `uri` the link is refused with upstream's text (`link params
//! values are missing 'uri'`). Connections are plain TCP or a Unix socket,
//! as upstream (no TLS).
//!
//! # Behaviour
//! - Statements are prepared once per connection (cached) and run with
//!   their `parameters` (upstream ignored them): each a CBOR value, bound
//!   in PostgreSQL's text form so the server converts it to the column's
//!   type (see [`values`]). An undecodable parameter is an in-band error
//!   with code `parameters`.
//! - Database errors come back in-band, as upstream: `error{code: "db",
//!   message}` in `ExecuteResult` / `QueryResult` / `PingResult`.
//! - `Query` answers `numRows`, `columns{ordinal, name, dbType}` (the
//!   PostgreSQL type name, lower case) and `rows`, a CBOR array of arrays;
//!   with no rows, `rows` is empty bytes, as upstream. Every column type
//!   encodes, NULL included (upstream panicked on NULL, CHAR, TIMESTAMP and
//!   NUMERIC, and the call then timed out).
//! - `database`, when given, must be the link's database (code `database`
//!   otherwise); upstream ignored it.
//! - `Ping` runs `SELECT 1` on a pooled connection (upstream declared it
//!   but never served it).
//! - A connection that cannot be had within `connection_timeout_millis` is
//!   an RPC error, `failed to get connection from pool: ...`.

pub mod values;

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use serde::Deserialize;
use tokio_postgres::NoTls;
use weld_interface_sqldb::{
    Column, ExecuteResult, PingResult, QueryResult, SqlDb, SqlDbError, SqlDbReceiver, Statement,
};
use weld_rpc::provider::lifecycle::{
    ActorLink, ActorOrigin, LinkDefinition, LinkSettings, Message, PerLink, Provider,
    ProviderContext, ProviderError, RpcError, RpcResult, Setting, SettingOrigin,
};
use weld_rpc::Context;

pub use values::Param;

/// The contract id this provider answers to.
pub const CONTRACT_ID: &str = "wasmcloud:sqldb";
/// Every setting this provider reads.
pub const SETTING_KEYS: &[&str] = &["uri", "config_json", "config_b64"];
/// Upstream's text for a link without a URI.
pub const MISSING_URI: &str = "link params values are missing 'uri'";

/// Pool settings (upstream's names and defaults).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PoolSettings {
    /// Most open connections.
    pub max_connections: usize,
    /// Connections opened when the link is put and kept when idle.
    pub min_idle: usize,
    /// A connection older than this is closed instead of reused.
    pub max_lifetime_secs: u64,
    /// An idle connection is closed after this long (down to `min_idle`).
    pub idle_timeout_secs: u64,
    /// How long a call waits for a connection (and a connection to open).
    pub connection_timeout_millis: u64,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings {
            max_connections: 8,
            min_idle: 0,
            max_lifetime_secs: 7200,
            idle_timeout_secs: 600,
            connection_timeout_millis: 1000,
        }
    }
}

/// Upstream's JSON settings.
#[derive(Debug, Deserialize)]
struct JsonSettings {
    uri: Option<String>,
    #[serde(default)]
    pool: Option<PoolSettings>,
}

/// One link's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbSettings {
    /// The connection URI and the setting it came from (errors name it).
    pub uri: Setting,
    /// The pool.
    pub pool: PoolSettings,
}

impl DbSettings {
    fn resolve(s: &LinkSettings<'_>, provider: &str) -> Result<DbSettings, ProviderError> {
        let mut uri = None;
        let mut pool = PoolSettings::default();
        // The setting the pool came from: errors in it name that one.
        let mut pool_from: Option<Setting> = None;
        for origin in [SettingOrigin::Config, SettingOrigin::Link] {
            for key in ["config_b64", "config_json"] {
                let Some(v) = s.at(origin, key) else { continue };
                let json: JsonSettings = v.json().map_err(|r| s.invalid(&v, r))?;
                if let Some(p) = json.pool {
                    pool = p;
                    pool_from = Some(v.clone());
                }
                if let Some(u) = json.uri {
                    uri = Some(Setting {
                        value: u,
                        ..v.clone()
                    });
                }
            }
            if let Some(v) = s.at(origin, "uri") {
                uri = Some(v);
            }
        }
        let uri = uri.ok_or_else(|| ProviderError::Other {
            provider: provider.to_string(),
            message: MISSING_URI.into(),
        })?;
        let at = pool_from.as_ref().unwrap_or(&uri);
        if pool.max_connections == 0 {
            return Err(s.invalid(at, "pool.max_connections must be at least 1"));
        }
        if pool.min_idle > pool.max_connections {
            return Err(s.invalid(at, "pool.min_idle is above pool.max_connections"));
        }
        if pool.connection_timeout_millis == 0 {
            return Err(s.invalid(at, "pool.connection_timeout_millis must be above 0"));
        }
        Ok(DbSettings { uri, pool })
    }
}

/// One link: its pool, and the task that closes idle connections.
struct Linked {
    pool: Pool,
    /// The database the URI names (what `Statement.database` may say).
    database: Option<String>,
    reaper: tokio::task::JoinHandle<()>,
}

impl Drop for Linked {
    fn drop(&mut self) {
        self.reaper.abort();
        self.pool.close();
    }
}

/// The sqldb-postgres provider.
#[derive(Debug)]
pub struct PostgresProvider {
    ctx: ProviderContext,
    links: PerLink<Linked>,
}

impl PostgresProvider {
    /// A provider for `ctx`.
    pub fn new(ctx: ProviderContext) -> Self {
        PostgresProvider {
            ctx,
            links: PerLink::new(),
        }
    }

    /// Registry factory. Provider-wide settings are checked per link, since
    /// a `uri` may come from the link alone.
    pub fn build(ctx: ProviderContext) -> Result<Arc<dyn Provider>, ProviderError> {
        Ok(Arc::new(Self::new(ctx)))
    }

    /// The settings a link with `values` gets.
    pub fn settings(&self, values: &HashMap<String, String>) -> Result<DbSettings, ProviderError> {
        DbSettings::resolve(
            &self.ctx.link_settings(values, SETTING_KEYS)?,
            &self.ctx.name,
        )
    }
}

/// Closes connections idle longer than `idle`, keeping `min_idle`.
async fn reap(pool: Pool, idle: Duration, min_idle: usize) {
    let every = (idle / 2).clamp(Duration::from_millis(100), Duration::from_secs(30));
    loop {
        tokio::time::sleep(every).await;
        let kept = AtomicUsize::new(0);
        pool.retain(|_, metrics| {
            if metrics.last_used() < idle || kept.load(Ordering::Relaxed) < min_idle {
                kept.fetch_add(1, Ordering::Relaxed);
                true
            } else {
                false
            }
        });
    }
}

#[async_trait]
impl Provider for PostgresProvider {
    fn contract_id(&self) -> &str {
        CONTRACT_ID
    }

    async fn put_link(
        &self,
        link: &LinkDefinition,
        _actor: ActorLink,
    ) -> Result<(), ProviderError> {
        let settings = self.settings(&link.values)?;
        let mut config = tokio_postgres::Config::from_str(&settings.uri.value).map_err(|e| {
            ProviderError::unusable(
                &self.ctx.name,
                &settings.uri,
                "not a PostgreSQL connection string",
                e,
            )
        })?;
        let p = &settings.pool;
        let timeout = Duration::from_millis(p.connection_timeout_millis);
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(timeout);
        }
        let database = config.get_dbname().map(str::to_string).or_else(|| {
            // libpq's default: the user's name.
            config.get_user().map(str::to_string)
        });
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let max_lifetime = Duration::from_secs(p.max_lifetime_secs);
        let pool = Pool::builder(manager)
            .max_size(p.max_connections)
            .wait_timeout(Some(timeout))
            .create_timeout(Some(timeout))
            .recycle_timeout(Some(timeout))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .pre_recycle(deadpool_postgres::Hook::sync_fn(move |_, metrics| {
                if metrics.age() > max_lifetime {
                    Err(deadpool_postgres::HookError::message(
                        "past max_lifetime_secs",
                    ))
                } else {
                    Ok(())
                }
            }))
            .build()
            .map_err(|e| {
                ProviderError::unusable(&self.ctx.name, &settings.uri, "cannot build the pool", e)
            })?;
        // Open min_idle connections now; a database that is down does not
        // refuse the link (it may come up later), but is logged.
        let mut opened = Vec::new();
        for _ in 0..p.min_idle {
            match pool.get().await {
                Ok(c) => opened.push(c),
                Err(e) => {
                    tracing::warn!(provider = %self.ctx.name, actor = %link.actor_id, error = %e, "sqldb: cannot connect yet");
                    break;
                }
            }
        }
        drop(opened);
        let reaper = tokio::spawn(reap(
            pool.clone(),
            Duration::from_secs(p.idle_timeout_secs),
            p.min_idle,
        ));
        self.links.insert(
            link,
            Arc::new(Linked {
                pool,
                database,
                reaper,
            }),
        );
        Ok(())
    }

    async fn delete_link(&self, link: &LinkDefinition) {
        // Dropping the pool closes its connections.
        self.links.remove(link);
    }

    async fn handle(&self, origin: &ActorOrigin, msg: Message<'_>) -> RpcResult<Vec<u8>> {
        let linked = self.links.get(origin)?;
        SqlDbReceiver::dispatch(&*linked, &origin.context(), msg).await
    }

    async fn shutdown(&self) {
        self.links.drain();
    }
}

fn db_error(e: &tokio_postgres::Error) -> SqlDbError {
    // The server's message with its detail and hint, not just "db error".
    let message = match e.as_db_error() {
        Some(d) => {
            let mut m = format!("{}: {}", d.severity(), d.message());
            if let Some(detail) = d.detail() {
                m.push_str(&format!(" (detail: {detail})"));
            }
            if let Some(hint) = d.hint() {
                m.push_str(&format!(" (hint: {hint})"));
            }
            m
        }
        None => e.to_string(),
    };
    SqlDbError {
        code: "db".into(),
        message,
    }
}

fn error(code: &str, message: impl Into<String>) -> SqlDbError {
    SqlDbError {
        code: code.into(),
        message: message.into(),
    }
}

/// What a statement needs before it runs.
enum Prepared {
    Ready(
        deadpool_postgres::Object,
        tokio_postgres::Statement,
        Vec<Param>,
    ),
    Refused(SqlDbError),
}

impl Linked {
    async fn connection(&self) -> RpcResult<deadpool_postgres::Object> {
        self.pool
            .get()
            .await
            .map_err(|e| RpcError::Other(format!("failed to get connection from pool: {e}")))
    }

    async fn prepare(&self, stmt: &Statement) -> RpcResult<Prepared> {
        if let Some(db) = stmt.database.as_deref().filter(|d| !d.is_empty()) {
            if self.database.as_deref() != Some(db) {
                return Ok(Prepared::Refused(error(
                    "database",
                    format!(
                        "this link serves database {:?}, not {db:?}",
                        self.database.as_deref().unwrap_or_default()
                    ),
                )));
            }
        }
        let mut params = Vec::new();
        for (i, p) in stmt.parameters.iter().flatten().enumerate() {
            match Param::decode(p) {
                Ok(v) => params.push(v),
                Err(why) => {
                    return Ok(Prepared::Refused(error(
                        "parameters",
                        format!("parameter ${}: {why}", i + 1),
                    )))
                }
            }
        }
        let conn = self.connection().await?;
        let prepared = match conn.prepare_cached(&stmt.sql).await {
            Ok(p) => p,
            Err(e) => return Ok(Prepared::Refused(db_error(&e))),
        };
        Ok(Prepared::Ready(conn, prepared, params))
    }
}

fn refs(params: &[Param]) -> Vec<&(dyn tokio_postgres::types::ToSql + Sync)> {
    params.iter().map(|p| p as _).collect()
}

#[async_trait]
impl SqlDb for Linked {
    async fn execute(&self, _ctx: &Context, stmt: &Statement) -> RpcResult<ExecuteResult> {
        let (conn, prepared, params) = match self.prepare(stmt).await? {
            Prepared::Ready(c, s, p) => (c, s, p),
            Prepared::Refused(e) => {
                return Ok(ExecuteResult {
                    rows_affected: 0,
                    error: Some(e),
                })
            }
        };
        Ok(match conn.execute(&prepared, &refs(&params)).await {
            Ok(n) => ExecuteResult {
                rows_affected: n,
                error: None,
            },
            Err(e) => ExecuteResult {
                rows_affected: 0,
                error: Some(db_error(&e)),
            },
        })
    }

    async fn query(&self, _ctx: &Context, stmt: &Statement) -> RpcResult<QueryResult> {
        let failed = |e: SqlDbError| QueryResult {
            num_rows: 0,
            columns: Vec::new(),
            rows: Vec::new(),
            error: Some(e),
        };
        let (conn, prepared, params) = match self.prepare(stmt).await? {
            Prepared::Ready(c, s, p) => (c, s, p),
            Prepared::Refused(e) => return Ok(failed(e)),
        };
        let rows = match conn.query(&prepared, &refs(&params)).await {
            Ok(rows) => rows,
            Err(e) => return Ok(failed(db_error(&e))),
        };
        let columns = prepared
            .columns()
            .iter()
            .enumerate()
            .map(|(i, c)| Column {
                ordinal: i as u32,
                name: c.name().to_string(),
                db_type: c.type_().name().to_string(),
            })
            .collect();
        let encoded = if rows.is_empty() {
            Ok(Vec::new())
        } else {
            values::encode_rows(&rows)
        };
        Ok(match encoded {
            Ok(bytes) => QueryResult {
                num_rows: rows.len() as u64,
                columns,
                rows: bytes,
                error: None,
            },
            Err(e) => failed(error("encoding", e.0)),
        })
    }

    async fn ping(&self, _ctx: &Context) -> RpcResult<PingResult> {
        let conn = match self.pool.get().await {
            Ok(c) => c,
            Err(e) => {
                return Ok(PingResult {
                    error: Some(error(
                        "db",
                        format!("failed to get connection from pool: {e}"),
                    )),
                })
            }
        };
        Ok(PingResult {
            error: conn
                .simple_query("SELECT 1")
                .await
                .err()
                .map(|e| db_error(&e)),
        })
    }
}
