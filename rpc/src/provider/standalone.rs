//! A provider as its own process on a lattice (a wasmCloud 0.x provider
//! executable): one implementation, two transports. Each provider crate's
//! binary is `main_for(kind, factory)`.
//!
//! The binary reads the host data line from stdin
//! (`shared/spec/lattice.md` section 4), builds its provider with the
//! factory and serves it with [`ProviderServer`] until the host asks it to
//! shut down:
//! - the [`ProviderContext`]: `provider_id` = the host data's
//!   `provider_key`, `link_name` as given (`default` when empty), `config`
//!   from `config_json` (a JSON object; strings, numbers and booleans are
//!   taken as strings; empty or absent = no config), `data_dir` from
//!   [`DATA_DIR_ENV`] or [`default_data_dir`];
//! - links, calls, health and shutdown: see [`ProviderServer`].

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use super::lifecycle::{ProviderContext, ProviderError, ProviderFactory};
use super::{BridgeError, HostBridge, ProviderServer};
use crate::core::HostData;
use crate::RpcError;

/// Environment variable naming the provider's data directory.
pub const DATA_DIR_ENV: &str = "WELD_PROVIDER_DATA_DIR";

/// Why a provider executable could not start or serve.
#[derive(Debug, thiserror::Error)]
pub enum StandaloneError {
    /// The stdin line is missing or is not base64 JSON host data.
    #[error("bad host data on stdin: {0}")]
    HostData(#[source] RpcError),
    /// `config_json` is not a JSON object of scalar values.
    #[error("host data config_json: {0}")]
    Config(String),
    /// The data directory cannot be created.
    #[error("cannot create the data directory {}: {source}", .path.display())]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The provider could not be built (unknown kind, bad config).
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// Connecting to the lattice or subscribing failed.
    #[error(transparent)]
    Bridge(#[from] BridgeError),
    /// The async runtime could not be built.
    #[error("starting the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

impl StandaloneError {
    /// The process exit code for this error: 2 for bad start-up data, 1
    /// otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            StandaloneError::HostData(_) | StandaloneError::Config(_) => 2,
            _ => 1,
        }
    }
}

/// The data directory used when [`DATA_DIR_ENV`] is not set:
/// `$XDG_DATA_HOME/weld/providers/{provider_key}`, else
/// `$HOME/.local/share/weld/providers/{provider_key}`, else the same under
/// the system temporary directory. Per provider key, so that two providers
/// never share files by accident, and stable across restarts, so that a
/// restarted store finds its data.
pub fn default_data_dir(provider_key: &str) -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local").join("share"))
        })
        .unwrap_or_else(std::env::temp_dir);
    let key = if provider_key.is_empty() {
        "unnamed"
    } else {
        provider_key
    };
    base.join("weld").join("providers").join(key)
}

/// Parses `config_json` into provider settings.
pub fn parse_config(config_json: Option<&str>) -> Result<HashMap<String, String>, StandaloneError> {
    let text = config_json.map(str::trim).unwrap_or("");
    if text.is_empty() {
        return Ok(HashMap::new());
    }
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| StandaloneError::Config(format!("not JSON: {e}")))?;
    let map = match value {
        serde_json::Value::Null => return Ok(HashMap::new()),
        serde_json::Value::Object(map) => map,
        other => {
            return Err(StandaloneError::Config(format!(
                "expected a JSON object of settings, got {}",
                json_kind(&other)
            )))
        }
    };
    map.into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => Ok((k, s)),
            serde_json::Value::Number(n) => Ok((k, n.to_string())),
            serde_json::Value::Bool(b) => Ok((k, b.to_string())),
            other => Err(StandaloneError::Config(format!(
                "setting `{k}` is {}; settings are strings",
                json_kind(&other)
            ))),
        })
        .collect()
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// The [`ProviderContext`] of a provider of `kind` started with
/// `host_data` (creates the data directory).
pub fn provider_context(
    kind: &str,
    host_data: &HostData,
) -> Result<ProviderContext, StandaloneError> {
    let config = parse_config(host_data.config_json.as_deref())?;
    let data_dir = std::env::var_os(DATA_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| default_data_dir(&host_data.provider_key));
    std::fs::create_dir_all(&data_dir).map_err(|source| StandaloneError::DataDir {
        path: data_dir.clone(),
        source,
    })?;
    Ok(ProviderContext {
        provider_id: host_data.provider_key.clone(),
        name: kind.to_string(),
        link_name: if host_data.link_name.is_empty() {
            "default".to_string()
        } else {
            host_data.link_name.clone()
        },
        config,
        data_dir,
        lattice: (!host_data.lattice_rpc_url.is_empty()).then(|| {
            let given = |s: &str| (!s.is_empty()).then(|| s.to_string());
            super::HostLattice {
                nats_url: host_data.lattice_rpc_url.clone(),
                prefix: host_data.lattice_rpc_prefix.clone(),
                user_jwt: given(&host_data.lattice_rpc_user_jwt),
                user_seed: given(&host_data.lattice_rpc_user_seed),
                creds_file: None,
                js_domain: None,
                call_timeout: host_data
                    .default_rpc_timeout_ms
                    .filter(|ms| *ms > 0)
                    .map(std::time::Duration::from_millis),
            }
        }),
    })
}

/// Serves a provider of `kind` built by `factory` with `host_data` until
/// the host asks it to shut down.
pub async fn serve(
    kind: &str,
    host_data: HostData,
    factory: &ProviderFactory,
) -> Result<(), StandaloneError> {
    let ctx = provider_context(kind, &host_data)?;
    let provider = factory(ctx)?;
    let bridge = HostBridge::connect(host_data).await?;
    let server = ProviderServer::start(bridge.clone(), provider).await?;
    tracing::info!(
        kind,
        provider_key = %bridge.provider_key(),
        link_name = %bridge.link_name(),
        subject = %bridge.provider_rpc_subject(),
        "provider serving"
    );
    server.wait().await;
    tracing::info!(kind, "provider stopped");
    Ok(())
}

/// The whole `main` of a provider binary: reads the host data, logs to
/// stderr (filter from `RUST_LOG`, else the host data's `log_level`, else
/// `info`), serves the provider `factory` builds until shutdown, and prints
/// a failure to stderr with a non-zero exit code (2 for bad host data).
/// `kind` names the provider in messages (`weld-provider-{kind}: ...`).
pub fn main_for(kind: &str, factory: ProviderFactory) -> ExitCode {
    let fail = |e: StandaloneError| {
        eprintln!("weld-provider-{kind}: {e}");
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            eprintln!("  caused by: {s}");
            source = s.source();
        }
        ExitCode::from(e.exit_code())
    };
    let host_data = match super::read_host_data(std::io::stdin().lock()) {
        Ok(h) => h,
        Err(e) => return fail(StandaloneError::HostData(e)),
    };
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| host_data.log_level.clone().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "info".to_string());
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&filter)
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(StandaloneError::Runtime(e)),
    };
    match runtime.block_on(serve(kind, host_data, &factory)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}
