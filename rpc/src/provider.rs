//! Native provider-side helpers (cargo feature `provider`): start-up data
//! from the host and call timeouts. Nothing here is built for actors.

use std::future::Future;
use std::io::BufRead;
use std::time::Duration;

use base64::Engine as _;

use crate::core::HostData;
use crate::error::{RpcError, RpcResult};

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
