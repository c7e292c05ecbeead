//! host-min's in-process providers served as provider executables
//! (`weld-provider-httpserver`, `weld-provider-keyvalue`,
//! `weld-provider-keyvalue-redis`): one implementation, two transports.
//!
//! A binary reads the host data line from stdin (`shared/spec/lattice.md`
//! section 4), builds the provider of its kind from
//! [`ProviderRegistry::with_builtins`] and serves it on the lattice with
//! weld-rpc's [`ProviderServer`] until the host asks it to shut down:
//! - the [`ProviderContext`]: `provider_id` = the host data's
//!   `provider_key`, `link_name` as given (`default` when empty), `config`
//!   from `config_json` (a JSON object; strings, numbers and booleans are
//!   taken as strings; empty or absent = no config), `data_dir` from
//!   [`DATA_DIR_ENV`] or [`default_data_dir`];
//! - links: those in the host data are applied at start, later ones arrive
//!   on `….linkdefs.put|del`; a put identical to the link already held is a
//!   no-op (hosts publish every link more than once);
//! - calls from actors reach [`Provider::handle`] with the calling actor
//!   from the invocation's origin; the provider calls the actor of a link
//!   through the bridge's transport for that link
//!   ([`HostBridge::transport_for`]): an invocation over the lattice, signed
//!   with the host data's invocation seed, which the host running the actor
//!   checks against its links and the actor's claims.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use weld_rpc::core::{HealthCheckRequest, HealthCheckResponse, HostData, LinkDefinition};
use weld_rpc::provider::{BridgeError, HostBridge, ProviderHandler, ProviderServer};
use weld_rpc::{Context, Message, MessageDispatch, RpcError, RpcResult};

use crate::providers::{ActorOrigin, Provider, ProviderContext, ProviderError, ProviderRegistry};

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
    })
}

/// Links held, by actor id (one provider instance serves one link name).
type Links = Arc<RwLock<HashMap<String, LinkDefinition>>>;

/// A host-min [`Provider`] as a lattice provider: the
/// [`ProviderHandler`] and [`MessageDispatch`] a [`ProviderServer`] serves.
pub struct StandaloneProvider {
    provider: Arc<dyn Provider>,
    bridge: HostBridge,
    links: Links,
}

impl std::fmt::Debug for StandaloneProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandaloneProvider")
            .field("contract_id", &self.provider.contract_id())
            .field("bridge", &self.bridge)
            .finish()
    }
}

impl StandaloneProvider {
    /// Wraps `provider` on `bridge` and applies the links of the bridge's
    /// host data (a link the provider refuses is logged and skipped).
    pub async fn new(provider: Arc<dyn Provider>, bridge: HostBridge) -> StandaloneProvider {
        let this = StandaloneProvider {
            provider,
            bridge,
            links: Links::default(),
        };
        for ld in this.bridge.host_data().link_definitions.clone() {
            let _ = ProviderHandler::put_link(&this, &ld).await;
        }
        this
    }

    /// The links currently applied.
    pub fn links(&self) -> Vec<LinkDefinition> {
        self.links
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }
}

#[async_trait]
impl ProviderHandler for StandaloneProvider {
    async fn put_link(&self, ld: &LinkDefinition) -> RpcResult<bool> {
        let previous = self
            .links
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&ld.actor_id)
            .cloned();
        if previous.as_ref() == Some(ld) {
            return Ok(true);
        }
        // Recorded first: a provider may call the actor from inside
        // put_link or right after.
        self.links
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(ld.actor_id.clone(), ld.clone());
        let actor = Arc::new(self.bridge.transport_for(ld));
        match self.provider.put_link(ld, actor).await {
            Ok(()) => {
                tracing::info!(actor = %ld.actor_id, "link applied");
                Ok(true)
            }
            Err(e) => {
                tracing::warn!(actor = %ld.actor_id, error = %e, "link refused");
                let mut links = self.links.write().unwrap_or_else(|p| p.into_inner());
                match previous {
                    Some(p) => links.insert(ld.actor_id.clone(), p),
                    None => links.remove(&ld.actor_id),
                };
                Err(e.into())
            }
        }
    }

    async fn delete_link(&self, actor_id: &str) {
        let removed = self
            .links
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(actor_id);
        if let Some(ld) = removed {
            self.provider.delete_link(&ld).await;
            tracing::info!(actor = %actor_id, "link deleted");
        }
    }

    async fn health_request(&self, _arg: &HealthCheckRequest) -> RpcResult<HealthCheckResponse> {
        Ok(HealthCheckResponse {
            healthy: true,
            message: None,
        })
    }

    async fn shutdown(&self) {
        tracing::info!("shutdown requested");
        self.provider.shutdown().await;
    }
}

#[async_trait]
impl MessageDispatch for StandaloneProvider {
    async fn dispatch(&self, ctx: &Context, message: Message<'_>) -> RpcResult<Vec<u8>> {
        let Some(actor_id) = ctx.actor.clone().filter(|a| !a.is_empty()) else {
            return Err(RpcError::InvalidParameter(
                "invocation has no origin actor".into(),
            ));
        };
        let origin = ActorOrigin {
            actor_id,
            link_name: self.bridge.link_name().to_string(),
        };
        self.provider.handle(&origin, message).await
    }
}

/// Serves a provider of `kind` built from `registry` with `host_data` until
/// the host asks it to shut down.
pub async fn serve(
    kind: &str,
    host_data: HostData,
    registry: &ProviderRegistry,
) -> Result<(), StandaloneError> {
    let ctx = provider_context(kind, &host_data)?;
    let provider = registry.build(kind, ctx)?;
    let bridge = HostBridge::connect(host_data).await?;
    let adapter = Arc::new(StandaloneProvider::new(provider, bridge.clone()).await);
    let server = ProviderServer::start(bridge.clone(), adapter).await?;
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

/// Reads the host data line from stdin and serves the built-in provider of
/// `kind` until shutdown.
pub async fn run_provider(kind: &str) -> Result<(), StandaloneError> {
    let host_data =
        tokio::task::spawn_blocking(|| weld_rpc::provider::read_host_data(std::io::stdin().lock()))
            .await
            .map_err(|e| StandaloneError::HostData(RpcError::ProviderInit(e.to_string())))?
            .map_err(StandaloneError::HostData)?;
    serve(kind, host_data, &ProviderRegistry::with_builtins()).await
}

/// The whole `main` of a provider binary: reads the host data, logs to
/// stderr (filter from `RUST_LOG`, else the host data's `log_level`, else
/// `info`), serves until shutdown, and prints a failure to stderr with a
/// non-zero exit code (2 for bad host data).
pub fn main_for(kind: &str) -> ExitCode {
    let fail = |e: StandaloneError| {
        eprintln!("weld-provider-{kind}: {e}");
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            eprintln!("  caused by: {s}");
            source = s.source();
        }
        ExitCode::from(e.exit_code())
    };
    let host_data = match weld_rpc::provider::read_host_data(std::io::stdin().lock()) {
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
    match runtime.block_on(serve(kind, host_data, &ProviderRegistry::with_builtins())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}
