//! Helpers shared by the `provider_*` integration tests.
#![allow(dead_code)]

use async_trait::async_trait;
use host_min::providers::{
    ActorLink, ActorOrigin, LinkDefinition, Message, Provider, ProviderContext, RpcError, RpcResult,
};
use serde::{de::DeserializeOwned, Serialize};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Weak};

/// Address of the Redis every test in this repository uses.
pub const REDIS_ADDR: &str = "127.0.0.1:6379";

/// True when Redis answers; under `CI=true` a missing Redis fails the test.
pub fn redis_available() -> bool {
    weld_test_support::require_service("Redis", REDIS_ADDR)
}

/// A Redis key prefix unique to this process and call, so parallel tests
/// (and other suites sharing the Redis) never see each other's keys.
pub fn unique_prefix(tag: &str) -> String {
    format!(
        "{}:",
        weld_test_support::unique_name(&format!("weld-test:{tag}"))
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
        lattice: None,
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

/// Native stand-ins for actors, by actor id: what a host's router is to a
/// provider in these tests.
#[async_trait]
pub trait TestActors: Send + Sync + 'static {
    /// Calls `actor_id` with `msg`.
    async fn call(&self, actor_id: &str, msg: Message<'_>) -> RpcResult<Vec<u8>>;
    /// The actor's instance bound, if any.
    fn capacity(&self) -> Option<usize> {
        None
    }
}

/// Test actors played by a native closure `(actor, method, arg) -> reply`.
pub struct FnActor<F>(pub F);

#[async_trait]
impl<F> TestActors for FnActor<F>
where
    F: Fn(&str, &str, Vec<u8>) -> futures_like::BoxFuture<RpcResult<Vec<u8>>>
        + Send
        + Sync
        + 'static,
{
    async fn call(&self, actor_id: &str, msg: Message<'_>) -> RpcResult<Vec<u8>> {
        (self.0)(actor_id, msg.method, msg.arg.into_owned()).await
    }
}

/// Minimal boxed-future alias (avoids a `futures` dev-dependency).
pub mod futures_like {
    pub type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;
}

/// The link to `actor_id` over `actors`, held weakly as a host's is (keep
/// the Arc alive for the test).
struct TestLink {
    actors: Weak<dyn TestActors>,
    actor_id: String,
}

#[async_trait]
impl weld_rpc::Transport for TestLink {
    async fn send(
        &self,
        _ctx: &weld_rpc::Context,
        req: Message<'_>,
        _opts: Option<weld_rpc::SendOpts>,
    ) -> RpcResult<Vec<u8>> {
        let Some(actors) = self.actors.upgrade() else {
            return Err(RpcError::HostError("host is shutting down".into()));
        };
        actors.call(&self.actor_id, req).await
    }

    fn concurrency(&self) -> Option<usize> {
        self.actors.upgrade()?.capacity()
    }
}

/// What a provider gets with a link to `actor_id` played by `actors`.
pub fn actor_link(actors: &Arc<dyn TestActors>, actor_id: &str) -> ActorLink {
    Arc::new(TestLink {
        actors: Arc::downgrade(actors),
        actor_id: actor_id.to_string(),
    })
}

/// The link for providers that never call actors.
pub fn no_actor_link() -> ActorLink {
    struct NoActors;
    #[async_trait]
    impl weld_rpc::Transport for NoActors {
        async fn send(
            &self,
            _: &weld_rpc::Context,
            _: Message<'_>,
            _: Option<weld_rpc::SendOpts>,
        ) -> RpcResult<Vec<u8>> {
            Err(RpcError::HostError("no actor in this test".into()))
        }
    }
    Arc::new(NoActors)
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
