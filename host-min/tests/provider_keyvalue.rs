//! One test body for every `wasmcloud:keyvalue` operation, run against both
//! stores (embedded redb and real Redis) through the provider interface with
//! msgpack-encoded messages, as an actor's `__host_call` sends them.
//!
//! Run: `cargo test -p host-min --test provider_keyvalue`
//! (Redis at 127.0.0.1:6379; with CI=true a missing Redis fails the tests.)

mod provider_support;

use host_min::providers::keyvalue::embedded::EmbeddedKvProvider;
use host_min::providers::keyvalue::redis::RedisKvProvider;
use host_min::providers::{Provider, RpcError};
use provider_support::*;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

const KV: &str = "wasmcloud:keyvalue";

/// A linked provider and a caller acting as the linked actor.
struct Fixture {
    caller: Caller,
    prefix: String,
    _dir: Option<tempfile::TempDir>,
}

async fn embedded(actor: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let provider: Arc<dyn Provider> =
        Arc::new(EmbeddedKvProvider::new(context("kv", dir.path(), &[])));
    provider
        .put_link(&link(actor, KV, &[]), no_actor_link())
        .await
        .unwrap();
    Fixture {
        caller: Caller::new(provider, actor),
        prefix: unique_prefix("kv-embedded"),
        _dir: Some(dir),
    }
}

async fn redis(actor: &str) -> Option<Fixture> {
    if !redis_available() {
        return None;
    }
    let provider: Arc<dyn Provider> = Arc::new(RedisKvProvider::new(context(
        "kvredis",
        std::path::Path::new("."),
        &[],
    )));
    let l = link(actor, KV, &[("url", "redis://127.0.0.1:6379/")]);
    provider.put_link(&l, no_actor_link()).await.unwrap();
    Some(Fixture {
        caller: Caller::new(provider, actor),
        prefix: unique_prefix("kv-redis"),
        _dir: None,
    })
}

impl Fixture {
    fn k(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    async fn ok(&self, method: &str, arg: Value) -> Value {
        match self.caller.call::<Value, Value>(method, &arg).await {
            Ok(v) => v,
            Err(e) => panic!("{method}({arg}) failed: {e}"),
        }
    }

    async fn err(&self, method: &str, arg: Value) -> RpcError {
        match self.caller.call::<Value, Value>(method, &arg).await {
            Ok(v) => panic!("{method}({arg}) should fail, got {v}"),
            Err(e) => e,
        }
    }

    async fn set(&self, key: &str, value: &str, expires: u32) {
        let reply = self
            .caller
            .raw(
                "KeyValue.Set",
                &rmp_serde::to_vec_named(&json!({"key": key, "value": value, "expires": expires}))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert!(
            reply.is_empty(),
            "Set replies with zero bytes, got {reply:02x?}"
        );
    }

    async fn sorted(&self, method: &str, arg: Value) -> Vec<String> {
        let mut v: Vec<String> = serde_json::from_value(self.ok(method, arg).await).unwrap();
        v.sort();
        v
    }
}

fn is_wrongtype(e: &RpcError) -> bool {
    e.to_string().contains("WRONGTYPE")
}

/// The shared body: every operation, with Redis semantics.
async fn all_operations(f: &Fixture) {
    let (k, counter, list, s1, s2) = (f.k("k"), f.k("counter"), f.k("list"), f.k("s1"), f.k("s2"));

    // Get / Contains / Set / Del on strings.
    assert_eq!(
        f.ok("KeyValue.Get", json!(k)).await,
        json!({"value": "", "exists": false})
    );
    assert_eq!(f.ok("KeyValue.Contains", json!(k)).await, json!(false));
    f.set(&k, "hello", 0).await;
    assert_eq!(
        f.ok("KeyValue.Get", json!(k)).await,
        json!({"value": "hello", "exists": true})
    );
    assert_eq!(f.ok("KeyValue.Contains", json!(k)).await, json!(true));
    f.set(&k, "", 0).await;
    assert_eq!(
        f.ok("KeyValue.Get", json!(k)).await,
        json!({"value": "", "exists": true})
    );
    assert_eq!(f.ok("KeyValue.Del", json!(k)).await, json!(true));
    assert_eq!(f.ok("KeyValue.Del", json!(k)).await, json!(false));
    assert_eq!(f.ok("KeyValue.Contains", json!(k)).await, json!(false));

    // Increment: missing counts as 0, negative deltas, stored as a string.
    assert_eq!(
        f.ok("KeyValue.Increment", json!({"key": counter, "value": 5}))
            .await,
        json!(5)
    );
    assert_eq!(
        f.ok("KeyValue.Increment", json!({"key": counter, "value": -7}))
            .await,
        json!(-2)
    );
    assert_eq!(
        f.ok("KeyValue.Get", json!(counter)).await,
        json!({"value": "-2", "exists": true})
    );
    f.set(&counter, "40", 0).await;
    assert_eq!(
        f.ok("KeyValue.Increment", json!({"key": counter, "value": 2}))
            .await,
        json!(42)
    );
    f.set(&counter, "forty", 0).await;
    let e = f
        .err("KeyValue.Increment", json!({"key": counter, "value": 1}))
        .await;
    assert!(e.to_string().contains("not an integer"), "{e}");
    f.set(&counter, &i32::MAX.to_string(), 0).await;
    let e = f
        .err("KeyValue.Increment", json!({"key": counter, "value": 1}))
        .await;
    assert!(e.to_string().contains("overflow"), "{e}");
    f.ok("KeyValue.Del", json!(counter)).await;

    // Lists: RPUSH order, inclusive and negative LRANGE bounds, LREM count 1.
    for (i, item) in ["a", "b", "c", "b"].iter().enumerate() {
        let n = f
            .ok("KeyValue.ListAdd", json!({"listName": list, "value": item}))
            .await;
        assert_eq!(n, json!(i + 1));
    }
    let range = |start: i32, stop: i32| json!({"listName": list, "start": start, "stop": stop});
    assert_eq!(
        f.ok("KeyValue.ListRange", range(0, -1)).await,
        json!(["a", "b", "c", "b"])
    );
    assert_eq!(
        f.ok("KeyValue.ListRange", range(0, 1)).await,
        json!(["a", "b"])
    );
    assert_eq!(
        f.ok("KeyValue.ListRange", range(-2, -1)).await,
        json!(["c", "b"])
    );
    assert_eq!(f.ok("KeyValue.ListRange", range(2, 2)).await, json!(["c"]));
    assert_eq!(
        f.ok("KeyValue.ListRange", range(-100, 100)).await,
        json!(["a", "b", "c", "b"])
    );
    assert_eq!(f.ok("KeyValue.ListRange", range(3, 1)).await, json!([]));
    assert_eq!(f.ok("KeyValue.ListRange", range(4, 10)).await, json!([]));
    assert_eq!(f.ok("KeyValue.ListRange", range(-1, -2)).await, json!([]));
    let del = |v: &str| json!({"listName": list, "value": v});
    assert_eq!(f.ok("KeyValue.ListDel", del("b")).await, json!(true));
    assert_eq!(
        f.ok("KeyValue.ListRange", range(0, -1)).await,
        json!(["a", "c", "b"])
    );
    assert_eq!(f.ok("KeyValue.ListDel", del("zz")).await, json!(false));
    assert_eq!(f.ok("KeyValue.ListAdd", del("d")).await, json!(4));
    assert_eq!(
        f.ok("KeyValue.ListRange", range(1, -1)).await,
        json!(["c", "b", "d"])
    );
    assert_eq!(f.ok("KeyValue.ListClear", json!(list)).await, json!(true));
    assert_eq!(f.ok("KeyValue.ListClear", json!(list)).await, json!(false));
    assert_eq!(f.ok("KeyValue.Contains", json!(list)).await, json!(false));
    assert_eq!(f.ok("KeyValue.ListRange", range(0, -1)).await, json!([]));
    assert_eq!(f.ok("KeyValue.ListDel", del("a")).await, json!(false));
    // A list emptied by ListDel no longer exists.
    f.ok("KeyValue.ListAdd", del("only")).await;
    assert_eq!(f.ok("KeyValue.ListDel", del("only")).await, json!(true));
    assert_eq!(f.ok("KeyValue.Contains", json!(list)).await, json!(false));

    // Sets.
    let add = |s: &str, v: &str| json!({"setName": s, "value": v});
    assert_eq!(f.ok("KeyValue.SetAdd", add(&s1, "a")).await, json!(1));
    assert_eq!(f.ok("KeyValue.SetAdd", add(&s1, "a")).await, json!(0));
    assert_eq!(f.ok("KeyValue.SetAdd", add(&s1, "b")).await, json!(1));
    assert_eq!(f.sorted("KeyValue.SetQuery", json!(s1)).await, ["a", "b"]);
    assert_eq!(f.ok("KeyValue.SetDel", add(&s1, "a")).await, json!(1));
    assert_eq!(f.ok("KeyValue.SetDel", add(&s1, "a")).await, json!(0));
    f.ok("KeyValue.SetAdd", add(&s2, "b")).await;
    f.ok("KeyValue.SetAdd", add(&s2, "c")).await;
    assert_eq!(
        f.sorted("KeyValue.SetIntersection", json!([s1, s2])).await,
        ["b"]
    );
    assert_eq!(
        f.sorted("KeyValue.SetUnion", json!([s1, s2])).await,
        ["b", "c"]
    );
    let missing = f.k("no-such-set");
    assert!(f
        .sorted("KeyValue.SetIntersection", json!([s1, missing]))
        .await
        .is_empty());
    assert_eq!(
        f.sorted("KeyValue.SetUnion", json!([s1, s2, missing]))
            .await,
        ["b", "c"]
    );
    assert!(f
        .sorted("KeyValue.SetQuery", json!(missing))
        .await
        .is_empty());
    assert!(f
        .err("KeyValue.SetUnion", json!([]))
        .await
        .to_string()
        .contains("wrong number"));
    assert!(f
        .err("KeyValue.SetIntersection", json!([]))
        .await
        .to_string()
        .contains("wrong number"));
    assert_eq!(f.ok("KeyValue.SetClear", json!(s1)).await, json!(true));
    assert_eq!(f.ok("KeyValue.SetClear", json!(s1)).await, json!(false));
    assert!(f.sorted("KeyValue.SetQuery", json!(s1)).await.is_empty());
    // A set emptied by SetDel no longer exists.
    f.ok("KeyValue.SetDel", add(&s2, "b")).await;
    f.ok("KeyValue.SetDel", add(&s2, "c")).await;
    assert_eq!(f.ok("KeyValue.Contains", json!(s2)).await, json!(false));

    // A key holds one kind of value.
    f.set(&k, "text", 0).await;
    assert!(is_wrongtype(
        &f.err("KeyValue.ListAdd", json!({"listName": k, "value": "x"}))
            .await
    ));
    assert!(is_wrongtype(
        &f.err(
            "KeyValue.ListRange",
            json!({"listName": k, "start": 0, "stop": -1})
        )
        .await
    ));
    assert!(is_wrongtype(&f.err("KeyValue.SetAdd", add(&k, "x")).await));
    assert!(is_wrongtype(&f.err("KeyValue.SetQuery", json!(k)).await));
    assert!(is_wrongtype(&f.err("KeyValue.SetUnion", json!([k])).await));
    f.ok("KeyValue.ListAdd", json!({"listName": list, "value": "x"}))
        .await;
    assert!(is_wrongtype(&f.err("KeyValue.Get", json!(list)).await));
    assert!(is_wrongtype(
        &f.err("KeyValue.Increment", json!({"key": list, "value": 1}))
            .await
    ));
    assert!(is_wrongtype(
        &f.err("KeyValue.SetDel", add(&list, "x")).await
    ));
    // ...but Set replaces whatever the key held.
    f.set(&list, "now a string", 0).await;
    assert_eq!(
        f.ok("KeyValue.Get", json!(list)).await,
        json!({"value": "now a string", "exists": true})
    );
    for key in [&k, &list] {
        f.ok("KeyValue.Del", json!(key)).await;
    }

    // Expiry: a key set with `expires` disappears; 0 means never.
    let (short, forever) = (f.k("short"), f.k("forever"));
    f.set(&short, "v", 1).await;
    f.set(&forever, "v", 0).await;
    assert_eq!(f.ok("KeyValue.Contains", json!(short)).await, json!(true));
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(
        f.ok("KeyValue.Get", json!(short)).await,
        json!({"value": "", "exists": false})
    );
    assert_eq!(f.ok("KeyValue.Contains", json!(short)).await, json!(false));
    assert_eq!(
        f.ok("KeyValue.Increment", json!({"key": short, "value": 3}))
            .await,
        json!(3)
    );
    assert_eq!(
        f.ok("KeyValue.Get", json!(forever)).await,
        json!({"value": "v", "exists": true})
    );
    for key in [&short, &forever] {
        f.ok("KeyValue.Del", json!(key)).await;
    }
}

/// Wire details: exact reply bytes, method spelling, malformed input.
async fn wire_details(f: &Fixture) {
    let missing = f.k("missing");
    let arg = rmp_serde::to_vec_named(&missing).unwrap();
    // GetResponse {value:"", exists:false} as the upstream crate encodes it.
    let reply = f.caller.raw("KeyValue.Get", &arg).await.unwrap();
    assert_eq!(hex(&reply), "82a576616c7565a0a6657869737473c2");
    // The bare method name is routed too (split at the last '.').
    assert_eq!(hex(&f.caller.raw("Contains", &arg).await.unwrap()), "c2");
    // IncrementRequest as the upstream SDK sends it (vector from the spec).
    let counter = f.k("counter:default");
    let mut inc = vec![0x82, 0xa3, b'k', b'e', b'y'];
    // The key is a str8 here (32..=255 bytes); a short key would be a fixstr.
    assert!((32..=255).contains(&counter.len()));
    inc.extend_from_slice(&[0xd9, counter.len() as u8]);
    inc.extend_from_slice(counter.as_bytes());
    inc.extend_from_slice(&[0xa5, b'v', b'a', b'l', b'u', b'e', 0x01]);
    assert_eq!(
        hex(&f.caller.raw("KeyValue.Increment", &inc).await.unwrap()),
        "01"
    );
    assert_eq!(
        hex(&f.caller.raw("KeyValue.Increment", &inc).await.unwrap()),
        "02"
    );
    f.caller
        .raw("KeyValue.Del", &rmp_serde::to_vec_named(&counter).unwrap())
        .await
        .unwrap();

    match f.caller.raw("KeyValue.Nope", &arg).await {
        Err(RpcError::MethodNotHandled(m)) => assert!(m.contains("Nope")),
        other => panic!("unknown method: {other:?}"),
    }
    for bad in [&b""[..], &[0xc1], &[0x81, 0xa3, b'k', b'e', b'y', 0x01]] {
        match f.caller.raw("KeyValue.Increment", bad).await {
            Err(RpcError::Deser(_)) => {}
            other => panic!("{bad:02x?} should not decode: {other:?}"),
        }
    }
    // A call from an actor without a link is refused.
    let stranger = Caller::new(Arc::clone(&f.caller.provider), "Mstranger");
    match stranger.raw("KeyValue.Get", &arg).await {
        Err(RpcError::InvalidParameter(m)) => assert!(m.contains("actor not linked")),
        other => panic!("unlinked actor: {other:?}"),
    }
}

/// 1000 increments from 50 concurrent tasks land exactly once each.
async fn concurrent_increments(f: &Fixture) {
    let key = f.k("concurrent");
    let provider = Arc::clone(&f.caller.provider);
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let caller = Caller {
            provider: Arc::clone(&provider),
            origin: f.caller.origin.clone(),
        };
        let key = key.clone();
        tasks.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            for _ in 0..20 {
                let n: i32 = caller
                    .call("KeyValue.Increment", &json!({"key": key, "value": 1}))
                    .await
                    .unwrap();
                seen.push(n);
            }
            seen
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    // Every reply is distinct: no two increments saw the same value.
    assert_eq!(all, (1..=1000).collect::<Vec<i32>>());
    assert_eq!(
        f.ok("KeyValue.Get", json!(key)).await,
        json!({"value": "1000", "exists": true})
    );
    f.ok("KeyValue.Del", json!(key)).await;
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn embedded_all_operations() {
    all_operations(&embedded("Mactor1").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_all_operations() {
    if let Some(f) = redis("Mactor1").await {
        all_operations(&f).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn embedded_wire_details() {
    wire_details(&embedded("Mactor2").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_wire_details() {
    if let Some(f) = redis("Mactor2").await {
        wire_details(&f).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn embedded_concurrent_increments() {
    concurrent_increments(&embedded("Mactor3").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_concurrent_increments() {
    if let Some(f) = redis("Mactor3").await {
        concurrent_increments(&f).await;
    }
}

#[tokio::test]
async fn redis_link_to_unreachable_server_is_rejected() {
    let provider = RedisKvProvider::new(context("kvredis", std::path::Path::new("."), &[]));
    // Port 1 on loopback: nothing listens there.
    let l = link("Mactor", KV, &[("URL", "redis://127.0.0.1:1/")]);
    let err = provider.put_link(&l, no_actor_link()).await.unwrap_err();
    assert!(
        err.to_string().starts_with(
            "provider `kvredis`: link value `URL` = \"redis://127.0.0.1:1/\": cannot connect: "
        ),
        "{err}"
    );
    let bad = link("Mactor", KV, &[("URL", "not a url")]);
    assert!(provider.put_link(&bad, no_actor_link()).await.is_err());
}

#[tokio::test]
async fn redis_url_comes_from_link_then_config_then_default() {
    let dir = std::path::Path::new(".");
    let p = RedisKvProvider::new(context("kvredis", dir, &[]));
    let url = |p: &RedisKvProvider, values: &[(&str, &str)]| {
        p.url_for(&link("M", KV, values)).unwrap().value
    };
    assert_eq!(url(&p, &[]), "redis://127.0.0.1:6379/");
    assert_eq!(url(&p, &[("Url", "redis://h:1/2")]), "redis://h:1/2");
    let p = RedisKvProvider::new(context("kvredis", dir, &[("URL", "redis://cfg:6379/")]));
    assert_eq!(url(&p, &[]), "redis://cfg:6379/");
    assert_eq!(url(&p, &[("url", "redis://l:1/")]), "redis://l:1/");
}
