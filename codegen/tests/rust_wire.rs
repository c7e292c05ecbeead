//! Wire compatibility of the generated interface crates with wasmCloud 0.x:
//! every vector of `wire-vectors-sample.json` (encodings produced by the
//! upstream keyvalue/httpserver 0.10 crates) and the vectors of
//! `wasmbus-compat.md` are reproduced byte for byte, senders use the
//! upstream method strings, and receivers decode, dispatch and encode
//! (zero-byte replies for operations without output).

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Mutex;
use weld_interface_httpserver::{
    HttpRequest, HttpResponse, HttpServer, HttpServerReceiver, HttpServerSender,
};
use weld_interface_keyvalue::*;
use weld_rpc::cbor::{CborDecode, CborEncode};
use weld_rpc::{Context, Message, RpcError, RpcResult, SendOpts, Transport};
use weld_test_support::unhex;

/// Checks one vector: JSON value -> type -> msgpack bytes == expected;
/// expected bytes -> type == value; and the CBOR round trip of the value.
fn check<T>(json: &serde_json::Value, hex_expected: &str, what: &str)
where
    T: DeserializeOwned + Serialize + CborEncode + CborDecode + PartialEq + Debug,
{
    let value: T =
        serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{what}: json: {e}"));
    let bytes = weld_rpc::common::serialize(&value).unwrap();
    assert_eq!(
        hex::encode(&bytes),
        hex_expected,
        "{what}: msgpack encoding"
    );
    let expected = unhex(hex_expected);
    let back: T =
        weld_rpc::common::deserialize(&expected).unwrap_or_else(|e| panic!("{what}: decode: {e}"));
    assert_eq!(back, value, "{what}: decoded value");
    let cbor = weld_rpc::cbor::serialize(&value).unwrap();
    assert_eq!(cbor[0], 0x7f, "{what}: CBOR prefix");
    let from_cbor: T =
        weld_rpc::common::decode(&cbor).unwrap_or_else(|e| panic!("{what}: cbor decode: {e}"));
    assert_eq!(from_cbor, value, "{what}: CBOR round trip");
    assert_eq!(
        weld_rpc::cbor::serialize(&from_cbor).unwrap(),
        cbor,
        "{what}: CBOR re-encode"
    );
}

#[test]
fn all_sample_vectors_byte_for_byte() {
    let vectors = weld_test_support::sample_vectors();
    assert_eq!(vectors.len(), 18, "the sample has 18 vectors");
    for v in &vectors {
        let (json, hex, what) = (&v.json, v.msgpack.as_str(), v.what());
        match v.ty.as_str() {
            "String" => check::<String>(json, hex, &what),
            "i32" => check::<i32>(json, hex, &what),
            "u32" => check::<u32>(json, hex, &what),
            "bool" => check::<bool>(json, hex, &what),
            "StringList" => check::<StringList>(json, hex, &what),
            "GetResponse" => check::<GetResponse>(json, hex, &what),
            "SetRequest" => check::<SetRequest>(json, hex, &what),
            "IncrementRequest" => check::<IncrementRequest>(json, hex, &what),
            "ListAddRequest" => check::<ListAddRequest>(json, hex, &what),
            "ListDelRequest" => check::<ListDelRequest>(json, hex, &what),
            "ListRangeRequest" => check::<ListRangeRequest>(json, hex, &what),
            "SetAddRequest" => check::<SetAddRequest>(json, hex, &what),
            "SetDelRequest" => check::<SetDelRequest>(json, hex, &what),
            "HttpRequest" => check::<HttpRequest>(json, hex, &what),
            "HttpResponse" => check::<HttpResponse>(json, hex, &what),
            other => panic!("vector for a type this test does not know: {other}"),
        }
    }
}

#[test]
fn compat_spec_vectors_byte_for_byte() {
    let req = HttpRequest {
        method: "GET".into(),
        path: "/api/counter".into(),
        query_string: String::new(),
        header: HashMap::new(),
        body: Vec::new(),
    };
    assert_eq!(
        hex::encode(weld_rpc::common::serialize(&req).unwrap()),
        "85a66d6574686f64a3474554a470617468ac2f6170692f636f756e746572ab7175657279537472696e67a0a668656164657280a4626f6479c400"
    );
    let inc = IncrementRequest {
        key: "counter:default".into(),
        value: 1,
    };
    assert_eq!(
        hex::encode(weld_rpc::common::serialize(&inc).unwrap()),
        "82a36b6579af636f756e7465723a64656661756c74a576616c756501"
    );
    let resp = HttpResponse {
        status_code: 200,
        header: HashMap::new(),
        body: br#"{"counter":1}"#.to_vec(),
    };
    assert_eq!(
        hex::encode(weld_rpc::common::serialize(&resp).unwrap()),
        "83aa737461747573436f6465ccc8a668656164657280a4626f6479c40d7b22636f756e746572223a317d"
    );
    // A non-negative signed value is written as unsigned (i32 128 -> cc80).
    let inc128 = IncrementRequest {
        key: String::new(),
        value: 128,
    };
    assert!(
        hex::encode(weld_rpc::common::serialize(&inc128).unwrap()).ends_with("a576616c7565cc80")
    );
}

#[test]
fn decoders_are_lenient_where_upstream_is_and_strict_where_it_is() {
    // Fields in any order, unknown fields ignored.
    // {"value": 7, "extra": "x", "key": "k"}
    let m = unhex("83a576616c756507a56578747261a178a36b6579a16b");
    let r: IncrementRequest = weld_rpc::common::deserialize(&m).unwrap();
    assert_eq!(
        r,
        IncrementRequest {
            key: "k".into(),
            value: 7
        }
    );
    // A missing member of a non-simple type is an error naming it
    // (HttpRequest without header), as upstream's generated code has it.
    let no_header =
        unhex("84a66d6574686f64a3474554a470617468a12fab7175657279537472696e67a0a4626f6479c400");
    match weld_rpc::common::deserialize::<HttpRequest>(&no_header) {
        Err(RpcError::Deser(m)) => assert!(m.contains("missing field `header`"), "{m}"),
        other => panic!("HttpRequest without header: {other:?}"),
    }
    // An empty payload where a value is expected is an error.
    assert!(weld_rpc::common::deserialize::<IncrementRequest>(&[]).is_err());
    // The struct as a positional array is accepted.
    let arr = unhex("92a16b05");
    let r: IncrementRequest = weld_rpc::common::deserialize(&arr).unwrap();
    assert_eq!(
        r,
        IncrementRequest {
            key: "k".into(),
            value: 5
        }
    );
}

/// Upstream's generator puts `#[serde(default)]` on members whose target is
/// a prelude simple type or a wasmCloud number, so upstream peers may leave
/// them out; CBOR stays strict.
#[test]
fn simple_members_may_be_missing_from_a_msgpack_map() {
    // {} is a GetResponse: value "", exists false.
    let r: GetResponse = weld_rpc::common::deserialize(&unhex("80")).unwrap();
    assert_eq!(
        r,
        GetResponse {
            value: String::new(),
            exists: false
        }
    );
    // {"key": "k"}: value defaults to 0.
    let r: IncrementRequest = weld_rpc::common::deserialize(&unhex("81a36b6579a16b")).unwrap();
    assert_eq!(
        r,
        IncrementRequest {
            key: "k".into(),
            value: 0
        }
    );
    // {"value": 3}: key defaults to "".
    let r: IncrementRequest = weld_rpc::common::deserialize(&unhex("81a576616c756503")).unwrap();
    assert_eq!(
        r,
        IncrementRequest {
            key: String::new(),
            value: 3
        }
    );
    // Only `header` is needed for an HttpRequest.
    let r: HttpRequest = weld_rpc::common::deserialize(&unhex("81a668656164657280")).unwrap();
    assert_eq!(r, HttpRequest::default());
    // Re-encoding gives the full canonical map, as upstream writes it.
    assert_eq!(
        hex::encode(weld_rpc::common::serialize(&r).unwrap()),
        "85a66d6574686f64a0a470617468a0ab7175657279537472696e67a0a668656164657280a4626f6479c400"
    );
    // CBOR keeps `required`: an empty CBOR map is not a GetResponse.
    let cbor_empty_map = [0x7f, 0xa0];
    assert!(weld_rpc::common::decode::<GetResponse>(&cbor_empty_map).is_err());
}

/// `HttpRequest` as upstream peers may write it: the body as `bin`, `str`
/// or an array of integers. The body type is the only difference.
#[derive(serde::Serialize)]
struct PeerRequest<B> {
    method: &'static str,
    path: &'static str,
    #[serde(rename = "queryString")]
    query_string: &'static str,
    header: HashMap<String, Vec<String>>,
    body: B,
}

fn peer_request<B: Serialize>(body: B) -> Vec<u8> {
    weld_rpc::common::serialize(&PeerRequest {
        method: "POST",
        path: "/p",
        query_string: "",
        header: HashMap::from([("x".to_string(), vec!["1".to_string()])]),
        body,
    })
    .unwrap()
}

/// A byte string that rmp-serde writes as `bin`.
#[derive(serde::Serialize)]
struct Bin(#[serde(with = "weld_rpc::serde_bytes")] Vec<u8>);

#[test]
fn http_body_accepts_bin_str_and_byte_arrays() {
    let bin = peer_request(Bin(b"ok!".to_vec()));
    let text = peer_request("ok!");
    let array = peer_request(vec![b'o', b'k', b'!']);
    assert_ne!(bin, text);
    assert_ne!(bin, array);
    let want = HttpRequest {
        method: "POST".into(),
        path: "/p".into(),
        query_string: String::new(),
        header: HashMap::from([("x".to_string(), vec!["1".to_string()])]),
        body: b"ok!".to_vec(),
    };
    for (what, input) in [("bin", &bin), ("str", &text), ("array", &array)] {
        let got: HttpRequest =
            weld_rpc::common::deserialize(input).unwrap_or_else(|e| panic!("body as {what}: {e}"));
        assert_eq!(got, want, "body as {what}");
        // Re-encoding is canonical: the body goes out as `bin`.
        assert_eq!(
            weld_rpc::common::serialize(&got).unwrap(),
            bin,
            "re-encoded body as {what}"
        );
    }
    let too_big = peer_request(vec![1u16, 256]);
    match weld_rpc::common::deserialize::<HttpRequest>(&too_big) {
        Err(RpcError::Deser(m)) => assert!(m.contains("256"), "{m}"),
        other => panic!("byte 256: {other:?}"),
    }
    // The same for a response.
    let resp: HttpResponse = weld_rpc::common::deserialize(
        &weld_rpc::common::serialize(&serde_json::json!({
            "statusCode": 201, "header": {}, "body": "{}"
        }))
        .unwrap(),
    )
    .unwrap();
    assert_eq!((resp.status_code, resp.body.as_slice()), (201, &b"{}"[..]));
}

/// A transport that records what is sent and answers with a canned reply.
#[derive(Default)]
struct Recorder {
    sent: Mutex<Vec<(String, Vec<u8>)>>,
    reply: Mutex<Vec<u8>>,
}

#[weld_rpc::async_trait]
impl Transport for Recorder {
    async fn send(
        &self,
        _ctx: &Context,
        req: Message<'_>,
        _opts: Option<SendOpts>,
    ) -> RpcResult<Vec<u8>> {
        self.sent
            .lock()
            .unwrap()
            .push((req.method.to_string(), req.arg.to_vec()));
        Ok(self.reply.lock().unwrap().clone())
    }
}

fn block<F: std::future::Future>(f: F) -> F::Output {
    weld_rpc::actor::block_on(f).expect("future completes without waiting")
}

#[test]
fn senders_use_the_upstream_method_strings() {
    let expected = weld_test_support::sample_methods();
    assert_eq!(expected.len(), 16);
    let ctx = Context::default();
    // Replies: each call decodes whatever comes back, so answer with a
    // value of the right type per call.
    let rec = std::sync::Arc::new(Recorder::default());
    let kv = KeyValueSender::via(rec.clone());
    let reply = |v: Vec<u8>| *rec.reply.lock().unwrap() = v;
    let ser = |v: &dyn erased::Ser| v.bytes();
    reply(ser(&5i32));
    assert_eq!(
        block(kv.increment(
            &ctx,
            &IncrementRequest {
                key: "a".into(),
                value: 1
            }
        ))
        .unwrap(),
        5
    );
    reply(ser(&true));
    assert!(block(kv.contains(&ctx, "a")).unwrap());
    assert!(block(kv.del(&ctx, "a")).unwrap());
    reply(ser(&GetResponse {
        value: "v".into(),
        exists: true,
    }));
    assert_eq!(block(kv.get(&ctx, "a")).unwrap().value, "v");
    reply(ser(&3u32));
    assert_eq!(
        block(kv.list_add(&ctx, &ListAddRequest::default())).unwrap(),
        3
    );
    reply(ser(&true));
    assert!(block(kv.list_clear(&ctx, "l")).unwrap());
    assert!(block(kv.list_del(&ctx, &ListDelRequest::default())).unwrap());
    reply(ser(&vec!["x".to_string()]));
    assert_eq!(
        block(kv.list_range(&ctx, &ListRangeRequest::default())).unwrap(),
        vec!["x"]
    );
    reply(Vec::new());
    block(kv.set(&ctx, &SetRequest::default())).unwrap();
    reply(ser(&1u32));
    assert_eq!(
        block(kv.set_add(&ctx, &SetAddRequest::default())).unwrap(),
        1
    );
    assert_eq!(
        block(kv.set_del(&ctx, &SetDelRequest::default())).unwrap(),
        1
    );
    reply(ser(&vec!["y".to_string()]));
    assert_eq!(
        block(kv.set_intersection(&ctx, &vec!["s".to_string()])).unwrap(),
        vec!["y"]
    );
    assert_eq!(block(kv.set_query(&ctx, "s")).unwrap(), vec!["y"]);
    assert_eq!(
        block(kv.set_union(&ctx, &vec!["s".to_string()])).unwrap(),
        vec!["y"]
    );
    reply(ser(&false));
    assert!(!block(kv.set_clear(&ctx, "s")).unwrap());
    let http_rec = std::sync::Arc::new(Recorder::default());
    *http_rec.reply.lock().unwrap() = ser(&HttpResponse {
        status_code: 204,
        header: HashMap::new(),
        body: vec![],
    });
    let http = HttpServerSender::via(http_rec.clone());
    let got = block(http.handle_request(&ctx, &HttpRequest::default())).unwrap();
    assert_eq!(got.status_code, 204);

    let mut methods: Vec<String> = rec
        .sent
        .lock()
        .unwrap()
        .iter()
        .map(|(m, _)| m.clone())
        .collect();
    methods.extend(http_rec.sent.lock().unwrap().iter().map(|(m, _)| m.clone()));
    assert_eq!(methods, expected);
    // The Increment payload is the upstream encoding.
    assert_eq!(
        hex::encode(&rec.sent.lock().unwrap()[0].1),
        "82a36b6579a161a576616c756501"
    );
}

/// Type-erased msgpack encoding for the test above.
mod erased {
    pub trait Ser {
        fn bytes(&self) -> Vec<u8>;
    }
    impl<T: serde::Serialize> Ser for T {
        fn bytes(&self) -> Vec<u8> {
            weld_rpc::common::serialize(self).unwrap()
        }
    }
}

/// An in-memory KeyValue for receiver tests.
#[derive(Default)]
struct Store {
    map: Mutex<HashMap<String, String>>,
    counters: Mutex<HashMap<String, i32>>,
}

#[weld_rpc::async_trait]
impl KeyValue for Store {
    async fn increment(&self, _ctx: &Context, arg: &IncrementRequest) -> RpcResult<i32> {
        let mut c = self.counters.lock().unwrap();
        let v = c.entry(arg.key.clone()).or_default();
        *v += arg.value;
        Ok(*v)
    }
    async fn contains(&self, _ctx: &Context, arg: &str) -> RpcResult<bool> {
        Ok(self.map.lock().unwrap().contains_key(arg))
    }
    async fn del(&self, _ctx: &Context, arg: &str) -> RpcResult<bool> {
        Ok(self.map.lock().unwrap().remove(arg).is_some())
    }
    async fn get(&self, _ctx: &Context, arg: &str) -> RpcResult<GetResponse> {
        let m = self.map.lock().unwrap();
        Ok(match m.get(arg) {
            Some(v) => GetResponse {
                value: v.clone(),
                exists: true,
            },
            None => GetResponse::default(),
        })
    }
    async fn list_add(&self, _ctx: &Context, _arg: &ListAddRequest) -> RpcResult<u32> {
        Err(RpcError::NotImplemented)
    }
    async fn list_clear(&self, _ctx: &Context, _arg: &str) -> RpcResult<bool> {
        Err(RpcError::NotImplemented)
    }
    async fn list_del(&self, _ctx: &Context, _arg: &ListDelRequest) -> RpcResult<bool> {
        Err(RpcError::NotImplemented)
    }
    async fn list_range(&self, _ctx: &Context, _arg: &ListRangeRequest) -> RpcResult<StringList> {
        Err(RpcError::NotImplemented)
    }
    async fn set(&self, _ctx: &Context, arg: &SetRequest) -> RpcResult<()> {
        self.map
            .lock()
            .unwrap()
            .insert(arg.key.clone(), arg.value.clone());
        Ok(())
    }
    async fn set_add(&self, _ctx: &Context, _arg: &SetAddRequest) -> RpcResult<u32> {
        Err(RpcError::NotImplemented)
    }
    async fn set_del(&self, _ctx: &Context, _arg: &SetDelRequest) -> RpcResult<u32> {
        Err(RpcError::NotImplemented)
    }
    async fn set_intersection(&self, _ctx: &Context, _arg: &StringList) -> RpcResult<StringList> {
        Err(RpcError::NotImplemented)
    }
    async fn set_query(&self, _ctx: &Context, _arg: &str) -> RpcResult<StringList> {
        Err(RpcError::NotImplemented)
    }
    async fn set_union(&self, _ctx: &Context, _arg: &StringList) -> RpcResult<StringList> {
        Err(RpcError::NotImplemented)
    }
    async fn set_clear(&self, _ctx: &Context, _arg: &str) -> RpcResult<bool> {
        Err(RpcError::NotImplemented)
    }
}

fn msg<'a>(method: &'a str, arg: &'a [u8]) -> Message<'a> {
    Message {
        method,
        arg: std::borrow::Cow::Borrowed(arg),
    }
}

#[test]
fn receivers_dispatch_by_bare_or_qualified_name_in_both_protocols() {
    let store = Store::default();
    let ctx = Context::default();
    let inc = weld_rpc::common::serialize(&IncrementRequest {
        key: "c".into(),
        value: 2,
    })
    .unwrap();
    let out = block(KeyValueReceiver::dispatch(
        &store,
        &ctx,
        msg("Increment", &inc),
    ))
    .unwrap();
    assert_eq!(out, [0x02]);
    let out = block(KeyValueReceiver::dispatch(
        &store,
        &ctx,
        msg("KeyValue.Increment", &inc),
    ))
    .unwrap();
    assert_eq!(out, [0x04]);
    // The same request as CBOR (0x7f prefix) is sniffed and decoded.
    let cbor = weld_rpc::cbor::serialize(&IncrementRequest {
        key: "c".into(),
        value: 3,
    })
    .unwrap();
    let out = block(KeyValueReceiver::dispatch(
        &store,
        &ctx,
        msg("Increment", &cbor),
    ))
    .unwrap();
    assert_eq!(out, [0x07]);
    // No output: a zero-byte reply, not msgpack nil.
    let set = weld_rpc::common::serialize(&SetRequest {
        key: "k".into(),
        value: "v".into(),
        expires: 0,
    })
    .unwrap();
    let out = block(KeyValueReceiver::dispatch(&store, &ctx, msg("Set", &set))).unwrap();
    assert!(out.is_empty());
    let key = weld_rpc::common::serialize("k").unwrap();
    let out = block(KeyValueReceiver::dispatch(&store, &ctx, msg("Get", &key))).unwrap();
    assert_eq!(out, unhex("82a576616c7565a176a6657869737473c3"));
    // Unknown methods and undecodable payloads are errors, not panics.
    let err = block(KeyValueReceiver::dispatch(&store, &ctx, msg("Nope", &[]))).unwrap_err();
    assert!(
        matches!(err, RpcError::MethodNotHandled(ref m) if m == "KeyValue::Nope"),
        "{err}"
    );
    let err = block(KeyValueReceiver::dispatch(
        &store,
        &ctx,
        msg("Increment", &[0xc3]),
    ))
    .unwrap_err();
    assert!(
        matches!(err, RpcError::Deser(ref m) if m.starts_with("'IncrementRequest': ")),
        "{err}"
    );
    let err = block(KeyValueReceiver::dispatch(
        &store,
        &ctx,
        msg("Increment", &[]),
    ))
    .unwrap_err();
    assert!(matches!(err, RpcError::Deser(_)), "{err}");
    assert_eq!(<Store as KeyValue>::contract_id(), "wasmcloud:keyvalue");
    assert_eq!(<Store as KeyValueReceiver>::SERVICE, "KeyValue");
}

struct Hello;

#[weld_rpc::async_trait]
impl HttpServer for Hello {
    async fn handle_request(&self, _ctx: &Context, req: &HttpRequest) -> RpcResult<HttpResponse> {
        Ok(HttpResponse {
            status_code: 200,
            header: HashMap::new(),
            body: format!("{} {}", req.method, req.path).into_bytes(),
        })
    }
}

#[test]
fn http_receiver_answers_the_upstream_request_bytes() {
    let req = unhex("85a66d6574686f64a3474554a470617468ac2f6170692f636f756e746572ab7175657279537472696e67a0a668656164657280a4626f6479c400");
    let out = block(HttpServerReceiver::dispatch(
        &Hello,
        &Context::default(),
        msg("HttpServer.HandleRequest", &req),
    ))
    .unwrap();
    let resp: HttpResponse = weld_rpc::common::deserialize(&out).unwrap();
    assert_eq!(resp.body, b"GET /api/counter");
    assert_eq!(hex::encode(&out[..14]), "83aa737461747573436f6465ccc8");
}
