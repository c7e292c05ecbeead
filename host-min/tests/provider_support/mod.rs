//! Helpers shared by the `provider_*` integration tests.
#![allow(dead_code)]

use async_trait::async_trait;
use host_min::providers::{
    ActorInvoker, ActorOrigin, HostHandle, LinkDefinition, Message, Provider, ProviderContext,
    ProviderOrigin, RpcError, RpcResult,
};
use serde::{de::DeserializeOwned, Serialize};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Weak};

/// Address of the Redis every test in this repository uses.
pub const REDIS_ADDR: &str = "127.0.0.1:6379";

/// True when Redis answers. With `CI=true` an unreachable Redis fails the
/// test instead of skipping it.
pub fn redis_available() -> bool {
    let up = std::net::TcpStream::connect_timeout(
        &REDIS_ADDR.parse().unwrap(),
        std::time::Duration::from_secs(2),
    )
    .is_ok();
    if !up {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("CI=true but Redis is not reachable at {REDIS_ADDR}");
        }
        eprintln!("SKIPPED: Redis is not reachable at {REDIS_ADDR} (set CI=true to fail instead)");
    }
    up
}

/// A key prefix unique to this process and call, so parallel tests (and
/// other suites sharing the Redis) never see each other's keys.
pub fn unique_prefix(tag: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "weld-test:{tag}:{}:{nanos}:{}:",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A provider context for tests.
pub fn context(name: &str, data_dir: &Path, config: &[(&str, &str)]) -> ProviderContext {
    ProviderContext {
        provider_id: format!("V{name}"),
        name: name.to_string(),
        link_name: "default".to_string(),
        config: config
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        data_dir: data_dir.to_path_buf(),
    }
}

/// A link from `actor` to a provider with the given values.
pub fn link(actor: &str, contract: &str, values: &[(&str, &str)]) -> LinkDefinition {
    LinkDefinition {
        actor_id: actor.to_string(),
        provider_id: "Vtest".to_string(),
        link_name: "default".to_string(),
        contract_id: contract.to_string(),
        values: values
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

/// An invoker that plays the actor side with a native closure.
pub struct FnActor<F>(pub F);

#[async_trait]
impl<F> ActorInvoker for FnActor<F>
where
    F: Fn(&str, &str, Vec<u8>) -> futures_like::BoxFuture<RpcResult<Vec<u8>>>
        + Send
        + Sync
        + 'static,
{
    async fn call_actor(
        &self,
        _origin: &ProviderOrigin,
        actor_id: &str,
        msg: Message<'_>,
    ) -> RpcResult<Vec<u8>> {
        (self.0)(actor_id, msg.method, msg.arg.into_owned()).await
    }
}

/// Minimal boxed-future alias (avoids a `futures` dev-dependency).
pub mod futures_like {
    pub type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;
}

/// A handle whose invoker is `invoker` (keep the Arc alive for the test).
pub fn host_handle(invoker: &Arc<dyn ActorInvoker>, contract: &str) -> HostHandle {
    HostHandle::new(
        Arc::downgrade(invoker),
        ProviderOrigin {
            provider_id: "Vtest".into(),
            contract_id: contract.into(),
            link_name: "default".into(),
        },
    )
}

/// A handle for providers that never call actors.
pub fn no_actor_handle(contract: &str) -> HostHandle {
    struct NoActors;
    #[async_trait]
    impl ActorInvoker for NoActors {
        async fn call_actor(
            &self,
            _: &ProviderOrigin,
            actor_id: &str,
            _: Message<'_>,
        ) -> RpcResult<Vec<u8>> {
            Err(RpcError::HostError(format!(
                "no actor {actor_id} in this test"
            )))
        }
    }
    let weak: Weak<NoActors> = Weak::new();
    HostHandle::new(
        weak,
        ProviderOrigin {
            provider_id: "Vtest".into(),
            contract_id: contract.into(),
            link_name: "default".into(),
        },
    )
}

/// Calls `provider` as `actor` with a msgpack-encoded argument and decodes
/// the reply, exactly as an actor's `__host_call` would.
pub struct Caller {
    pub provider: Arc<dyn Provider>,
    pub origin: ActorOrigin,
}

impl Caller {
    pub fn new(provider: Arc<dyn Provider>, actor: &str) -> Self {
        Caller {
            provider,
            origin: ActorOrigin {
                actor_id: actor.to_string(),
                link_name: "default".to_string(),
            },
        }
    }

    /// Raw call: encoded argument in, encoded reply out.
    pub async fn raw(&self, method: &str, arg: &[u8]) -> RpcResult<Vec<u8>> {
        self.provider
            .handle(&self.origin, Message::new(method, arg))
            .await
    }

    /// Typed call through msgpack (named maps, like the upstream SDK).
    pub async fn call<A: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        method: &str,
        arg: &A,
    ) -> RpcResult<R> {
        let bytes = rmp_serde::to_vec_named(arg).unwrap();
        let reply = self.raw(method, &bytes).await?;
        Ok(rmp_serde::from_slice(&reply)
            .unwrap_or_else(|e| panic!("{method}: undecodable reply {reply:02x?}: {e}")))
    }
}

/// Builds a `HashMap<String, String>` from pairs.
pub fn values(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
