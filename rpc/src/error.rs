//! The error type shared by every RPC path (actor, host, provider).

/// An error that can occur while sending, routing or handling an RPC message.
///
/// The variants and their `Display` texts follow the upstream `wasmbus-rpc`
/// crate, because hosts and tools match on these strings in logs and in
/// error replies that cross the actor boundary (`__guest_error` carries the
/// `Display` text).
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RpcError {
    /// The request exceeded its deadline.
    #[error("the request exceeded its deadline: {0}")]
    DeadlineExceeded(String),

    /// A capability provider was called before it was initialized.
    #[error("the capability provider has not been initialized: {0}")]
    NotInitialized(String),

    /// The receiver has no handler for the method (text: `"method not handled {name}"`).
    #[error("method not handled {0}")]
    MethodNotHandled(String),

    /// The receiver has not implemented an optional method.
    #[error("method not implemented")]
    NotImplemented,

    /// The host refused or failed a call (`__host_call` returned failure).
    #[error("Host send error {0}")]
    HostError(String),

    /// A payload could not be decoded.
    #[error("deserialization: {0}")]
    Deser(String),

    /// A value could not be encoded.
    #[error("serialization: {0}")]
    Ser(String),

    /// A generic RPC failure (routing, protocol).
    #[error("rpc: {0}")]
    Rpc(String),

    /// The lattice (NATS) transport failed. In-process transports use
    /// [`RpcError::Rpc`] for routing failures instead.
    #[error("nats: {0}")]
    Nats(String),

    /// A parameter was out of range or otherwise invalid.
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),

    /// An actor's handler returned an error.
    #[error("actor: {0}")]
    ActorHandler(String),

    /// A provider failed to initialize or to accept a link.
    #[error("provider initialization or put-link: {0}")]
    ProviderInit(String),

    /// The call timed out.
    #[error("timeout: {0}")]
    Timeout(String),

    /// Anything else; the text is shown as is.
    #[error("{0}")]
    Other(String),
}

impl RpcError {
    /// True for the errors a caller reports as "took too long" (an HTTP
    /// front end answers 503): [`RpcError::DeadlineExceeded`] and
    /// [`RpcError::Timeout`].
    pub fn is_timeout(&self) -> bool {
        matches!(self, RpcError::DeadlineExceeded(_) | RpcError::Timeout(_))
    }
}

/// Result type of every RPC operation.
pub type RpcResult<T> = Result<T, RpcError>;

impl From<String> for RpcError {
    fn from(s: String) -> RpcError {
        RpcError::Other(s)
    }
}

impl From<&str> for RpcError {
    fn from(s: &str) -> RpcError {
        RpcError::Other(s.to_string())
    }
}

impl From<std::io::Error> for RpcError {
    fn from(e: std::io::Error) -> RpcError {
        RpcError::Other(format!("io: {e}"))
    }
}

impl From<rmp_serde::decode::Error> for RpcError {
    fn from(e: rmp_serde::decode::Error) -> RpcError {
        RpcError::Deser(e.to_string())
    }
}

impl From<rmp_serde::encode::Error> for RpcError {
    fn from(e: rmp_serde::encode::Error) -> RpcError {
        RpcError::Ser(e.to_string())
    }
}

impl From<minicbor::decode::Error> for RpcError {
    fn from(e: minicbor::decode::Error) -> RpcError {
        RpcError::Deser(e.to_string())
    }
}

impl<E: std::fmt::Display> From<minicbor::encode::Error<E>> for RpcError {
    fn from(e: minicbor::encode::Error<E>) -> RpcError {
        RpcError::Ser(e.to_string())
    }
}
