//! Native provider-side helpers (cargo feature `provider`): start-up data
//! from the host, call timeouts, nkeys and JWTs, and the lattice (NATS)
//! transport. Nothing here is built for actors.
//!
//! A provider implements [`Provider`] once; its binary is one line,
//! [`standalone::main_for`], and a host links the same type in process:
//! ```no_run
//! # use std::sync::Arc;
//! # use weld_rpc::provider::*;
//! # use weld_rpc::{Message, RpcResult};
//! struct MyProvider;
//! #[weld_rpc::async_trait]
//! impl Provider for MyProvider {
//!     fn contract_id(&self) -> &str { "example:echo" }
//!     async fn put_link(&self, _: &weld_rpc::core::LinkDefinition, _: ActorLink)
//!         -> Result<(), ProviderError> { Ok(()) }
//!     async fn delete_link(&self, _: &weld_rpc::core::LinkDefinition) {}
//!     async fn handle(&self, _: &ActorOrigin, msg: Message<'_>) -> RpcResult<Vec<u8>> {
//!         Ok(msg.arg.to_vec())
//!     }
//!     async fn shutdown(&self) {}
//! }
//! fn main() -> std::process::ExitCode {
//!     standalone::main_for("echo", Arc::new(|_ctx| Ok(Arc::new(MyProvider) as _)))
//! }
//! ```

use std::future::Future;
use std::io::BufRead;
use std::time::Duration;

use base64::Engine as _;

use crate::core::HostData;
use crate::error::{RpcError, RpcResult};

pub mod bridge;
pub mod invocation;
pub mod jwt;
pub mod keys;
pub mod lifecycle;
pub mod net;
pub mod standalone;

pub use bridge::{
    get_host_bridge, object_store, serve_provider, set_host_bridge, BridgeError, HostBridge,
    ProviderServer, ProviderTransport, CHUNK_THRESHOLD_BYTES, MAX_CHUNKED_BYTES,
    MAX_CONCURRENT_INVOCATIONS,
};
pub use lifecycle::{
    ActorLink, ActorOrigin, CallsFrom, Endpoint, HostLattice, LinkSettings, PerLink, Provider,
    ProviderClient, ProviderContext, ProviderError, ProviderFactory, Setting, SettingOrigin,
};

/// Default RPC timeout when the host gives none (as upstream: 2 s).
pub const DEFAULT_RPC_TIMEOUT: Duration = Duration::from_millis(2000);

/// Parses the start-up line a host writes to a provider's stdin: base64
/// (standard alphabet) of the JSON [`HostData`]. Surrounding whitespace and
/// the trailing newline are ignored.
pub fn parse_host_data(line: &str) -> RpcResult<HostData> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(line.trim())
        .map_err(|e| RpcError::ProviderInit(format!("host data is not base64: {e}")))?;
    serde_json::from_slice(&raw)
        .map_err(|e| RpcError::ProviderInit(format!("host data is not valid JSON HostData: {e}")))
}

/// Encodes [`HostData`] as the start-up line for a provider's stdin
/// (base64 JSON followed by `\n`), the inverse of [`parse_host_data`].
pub fn encode_host_data(data: &HostData) -> RpcResult<String> {
    let json = serde_json::to_vec(data).map_err(|e| RpcError::Ser(e.to_string()))?;
    let mut line = base64::engine::general_purpose::STANDARD.encode(json);
    line.push('\n');
    Ok(line)
}

/// Reads and parses the start-up line from `input` (a provider passes
/// `std::io::stdin().lock()`).
pub fn read_host_data(mut input: impl BufRead) -> RpcResult<HostData> {
    let mut line = String::new();
    let n = input
        .read_line(&mut line)
        .map_err(|e| RpcError::ProviderInit(format!("reading host data: {e}")))?;
    if n == 0 {
        return Err(RpcError::ProviderInit("no host data on stdin".into()));
    }
    parse_host_data(&line)
}

/// Runs `fut` with a deadline; on expiry the future is dropped and the call
/// fails with [`RpcError::Timeout`] naming `what`. Needs a tokio runtime with
/// the time driver enabled.
pub async fn with_timeout<T>(
    timeout: Duration,
    what: &str,
    fut: impl Future<Output = RpcResult<T>>,
) -> RpcResult<T> {
    match tokio::time::timeout(timeout, fut).await {
        Ok(r) => r,
        Err(_) => Err(RpcError::Timeout(format!(
            "{what} after {} ms",
            timeout.as_millis()
        ))),
    }
}

/// Makes a provider type a [`crate::MessageDispatch`] over the generated
/// receivers of the services it implements, routing `"Trait.Method"` (split
/// at the last `.`) as [`crate::actor!`] does for actors:
/// `weld_rpc::provider_services!(MyProvider: KeyValueReceiver);`.
#[macro_export]
macro_rules! provider_services {
    ($provider:ty : $($receiver:path),+ $(,)?) => {
        $crate::__dispatch_services!($provider: $($receiver),+);
    };
}
