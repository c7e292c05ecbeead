//! `service_receiver!` and `service_sender!`: the receiver and sender halves
//! of generated `@wasmbus` services. Every operation shape (input and output,
//! either alone, neither, a `String` input taken as `&str`, generic and
//! path input types), both formats, a wire name other than the trait's, the
//! sender constructors of each role, and the error texts callers rely on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use weld_rpc::cbor::{CborDecode, CborEncode, Decoder, Encoder};
use weld_rpc::core::LinkDefinition;
use weld_rpc::{async_trait, Context, Message, RpcError, RpcResult, SendOpts, Transport};

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Item {
    pub name: String,
    pub size: u32,
}

weld_rpc::cbor_struct! { Item map { 0 name required, 1 size default } }

pub type Blobs = HashMap<String, Vec<u8>>;

/// Every operation shape, protocol "0".
#[async_trait]
pub trait Store {
    async fn put(&self, ctx: &Context, arg: &Item) -> RpcResult<u32>;
    async fn fetch(&self, ctx: &Context, arg: &str) -> RpcResult<Vec<u8>>;
    async fn ping(&self, ctx: &Context) -> RpcResult<()>;
    async fn reset(&self, ctx: &Context, arg: &bool) -> RpcResult<()>;
    #[deprecated(note = "use put's reply")]
    async fn count(&self, ctx: &Context) -> RpcResult<u32>;
    async fn find_match(&self, ctx: &Context, arg: &str) -> RpcResult<bool>;
    async fn load(
        &self,
        ctx: &Context,
        arg: &std::collections::HashMap<String, Vec<u8>>,
    ) -> RpcResult<Blobs>;
    async fn stamp(&self, ctx: &Context, arg: &weld_rpc::Timestamp) -> RpcResult<Item>;
}

weld_rpc::service_receiver! {
    StoreReceiver for Store msgpack {
        "Put" put(Item) -> u32,
        "Fetch" fetch(String) -> Vec<u8>,
        "Ping" ping(),
        "Reset" reset(bool),
        "Count" count() -> u32,
        "Match" find_match(String) -> bool,
        "Load" load(std::collections::HashMap<String, Vec<u8>>) -> Blobs,
        "Stamp" stamp(weld_rpc::Timestamp) -> Item,
    }
}

weld_rpc::service_sender! {
    StoreSender for Store msgpack provider("weld:store") {
        "Put" put(Item) -> u32,
        "Fetch" fetch(String) -> Vec<u8>,
        "Ping" ping(),
        "Reset" reset(bool),
        "Count" count() -> u32,
        "Match" find_match(String) -> bool,
        "Load" load(std::collections::HashMap<String, Vec<u8>>) -> Blobs,
        "Stamp" stamp(weld_rpc::Timestamp) -> Item,
    }
}

/// Protocol "2", a Smithy name other than the trait's, actor-received.
#[async_trait]
pub trait Counter {
    async fn bump(&self, ctx: &Context, arg: &Item) -> RpcResult<Item>;
    async fn clear(&self, ctx: &Context) -> RpcResult<()>;
}

weld_rpc::service_receiver! {
    CounterReceiver for Counter = "counterService" cbor {
        "Bump" bump(Item) -> Item,
        "Clear" clear()
    }
}

weld_rpc::service_sender! {
    CounterSender for Counter = "counterService" cbor actor provider("weld:counter") {
        "Bump" bump(Item) -> Item,
        "Clear" clear()
    }
}

/// A service without operations still makes a receiver and a sender.
#[async_trait]
pub trait Empty {}

weld_rpc::service_receiver! { EmptyReceiver for Empty msgpack {} }
weld_rpc::service_sender! { EmptySender for Empty msgpack {} }

/// An implementation that records what it was called with.
#[derive(Default)]
struct Impl {
    calls: Mutex<Vec<String>>,
}

impl Impl {
    fn called(&self, what: String) {
        self.calls.lock().unwrap().push(what);
    }
}

#[async_trait]
impl Store for Impl {
    async fn put(&self, _: &Context, arg: &Item) -> RpcResult<u32> {
        self.called(format!("put {}", arg.name));
        Ok(arg.size + 1)
    }
    async fn fetch(&self, _: &Context, arg: &str) -> RpcResult<Vec<u8>> {
        self.called(format!("fetch {arg}"));
        Ok(arg.as_bytes().to_vec())
    }
    async fn ping(&self, _: &Context) -> RpcResult<()> {
        self.called("ping".into());
        Ok(())
    }
    async fn reset(&self, _: &Context, arg: &bool) -> RpcResult<()> {
        self.called(format!("reset {arg}"));
        Ok(())
    }
    async fn count(&self, _: &Context) -> RpcResult<u32> {
        self.called("count".into());
        Ok(7)
    }
    async fn find_match(&self, _: &Context, arg: &str) -> RpcResult<bool> {
        self.called(format!("match {arg}"));
        Ok(arg == "yes")
    }
    async fn load(&self, _: &Context, arg: &HashMap<String, Vec<u8>>) -> RpcResult<Blobs> {
        self.called(format!("load {}", arg.len()));
        Ok(arg.clone())
    }
    async fn stamp(&self, _: &Context, arg: &weld_rpc::Timestamp) -> RpcResult<Item> {
        self.called(format!("stamp {}", arg.sec));
        Ok(Item {
            name: "t".into(),
            size: arg.nsec,
        })
    }
}

#[async_trait]
impl Counter for Impl {
    async fn bump(&self, _: &Context, arg: &Item) -> RpcResult<Item> {
        self.called(format!("bump {}", arg.name));
        Ok(Item {
            name: arg.name.clone(),
            size: arg.size * 2,
        })
    }
    async fn clear(&self, _: &Context) -> RpcResult<()> {
        self.called("clear".into());
        Ok(())
    }
}

impl Empty for Impl {}

/// One call over a [`Loopback`]: method, argument bytes, reply bytes.
type Sent = (String, Vec<u8>, Vec<u8>);

/// A transport that hands each message to the receivers of an [`Impl`]
/// (by the service part of the method) and records what went over it.
#[derive(Clone, Default)]
struct Loopback {
    target: Arc<Impl>,
    sent: Arc<Mutex<Vec<Sent>>>,
}

#[async_trait]
impl Transport for Loopback {
    async fn send(
        &self,
        ctx: &Context,
        req: Message<'_>,
        _opts: Option<SendOpts>,
    ) -> RpcResult<Vec<u8>> {
        let (method, arg) = (req.method.to_string(), req.arg.to_vec());
        let reply = match weld_rpc::actor::split_method(req.method).0 {
            "Store" => StoreReceiver::dispatch(&*self.target, ctx, req).await?,
            "counterService" => CounterReceiver::dispatch(&*self.target, ctx, req).await?,
            other => panic!("no receiver for {other}"),
        };
        self.sent.lock().unwrap().push((method, arg, reply.clone()));
        Ok(reply)
    }
}

fn block<F: std::future::Future>(f: F) -> F::Output {
    weld_rpc::actor::block_on(f).expect("future completes without waiting")
}

fn msg<'a>(method: &'a str, arg: &[u8]) -> Message<'a> {
    Message {
        method,
        arg: arg.to_vec().into(),
    }
}

fn ser<T: serde::Serialize + ?Sized>(v: &T) -> Vec<u8> {
    weld_rpc::common::serialize(v).unwrap()
}

#[test]
#[allow(deprecated)]
fn msgpack_calls_go_through_sender_and_receiver() {
    let lo = Loopback::default();
    let s = StoreSender::via(lo.clone());
    let ctx = Context::default();
    let item = Item {
        name: "a".into(),
        size: 4,
    };
    assert_eq!(block(s.put(&ctx, &item)).unwrap(), 5);
    assert_eq!(block(s.fetch(&ctx, "key")).unwrap(), b"key");
    block(s.ping(&ctx)).unwrap();
    block(s.reset(&ctx, &true)).unwrap();
    assert_eq!(block(s.count(&ctx)).unwrap(), 7);
    assert!(block(s.find_match(&ctx, "yes")).unwrap());
    let blobs: Blobs = [("k".to_string(), vec![1, 2])].into();
    assert_eq!(block(s.load(&ctx, &blobs)).unwrap(), blobs);
    let t = weld_rpc::Timestamp::new(9, 3).unwrap();
    assert_eq!(block(s.stamp(&ctx, &t)).unwrap().size, 3);

    assert_eq!(
        *lo.target.calls.lock().unwrap(),
        [
            "put a",
            "fetch key",
            "ping",
            "reset true",
            "count",
            "match yes",
            "load 1",
            "stamp 9"
        ]
    );
    let sent = lo.sent.lock().unwrap();
    let methods: Vec<&str> = sent.iter().map(|(m, _, _)| m.as_str()).collect();
    assert_eq!(
        methods,
        [
            "Store.Put",
            "Store.Fetch",
            "Store.Ping",
            "Store.Reset",
            "Store.Count",
            "Store.Match",
            "Store.Load",
            "Store.Stamp"
        ]
    );
    // Arguments are MessagePack; operations without input send zero bytes.
    assert_eq!(sent[0].1, ser(&item));
    assert_eq!(sent[1].1, ser("key"));
    assert!(sent[2].1.is_empty() && sent[4].1.is_empty());
    assert_eq!(sent[3].1, [0xc3]);
    // Replies are MessagePack; operations without output reply zero bytes.
    assert_eq!(sent[0].2, [0x05]);
    assert_eq!(sent[1].2, ser(b"key".as_slice()));
    assert!(sent[2].2.is_empty() && sent[3].2.is_empty());
    assert_eq!(sent[4].2, [0x07]);
}

#[test]
fn cbor_calls_encode_both_ways_in_cbor() {
    let lo = Loopback::default();
    let s = CounterSender::via(lo.clone());
    let ctx = Context::default();
    let item = Item {
        name: "n".into(),
        size: 21,
    };
    assert_eq!(block(s.bump(&ctx, &item)).unwrap().size, 42);
    block(s.clear(&ctx)).unwrap();
    let sent = lo.sent.lock().unwrap();
    assert_eq!(sent[0].0, "counterService.Bump");
    assert_eq!(sent[0].1, weld_rpc::cbor::serialize(&item).unwrap());
    let doubled = Item {
        name: "n".into(),
        size: 42,
    };
    assert_eq!(sent[0].2, weld_rpc::cbor::serialize(&doubled).unwrap());
    assert_eq!(sent[1].0, "counterService.Clear");
    assert!(sent[1].1.is_empty() && sent[1].2.is_empty());
    // A MessagePack argument is sniffed and accepted all the same.
    let out = block(CounterReceiver::dispatch(
        &Impl::default(),
        &ctx,
        msg("Bump", &ser(&item)),
    ))
    .unwrap();
    assert_eq!(out[0], 0x7f);
}

#[test]
fn receivers_take_bare_or_qualified_methods_and_name_their_errors() {
    let target = Impl::default();
    let ctx = Context::default();
    let item = ser(&Item {
        name: "q".into(),
        size: 1,
    });
    let bare = block(StoreReceiver::dispatch(&target, &ctx, msg("Put", &item))).unwrap();
    let full = block(StoreReceiver::dispatch(
        &target,
        &ctx,
        msg("Store.Put", &item),
    ))
    .unwrap();
    assert_eq!((bare, full), (vec![0x02], vec![0x02]));

    let unknown =
        |method: &str| match block(StoreReceiver::dispatch(&target, &ctx, msg(method, &[]))) {
            Err(RpcError::MethodNotHandled(m)) => m,
            other => panic!("{method}: {other:?}"),
        };
    assert_eq!(unknown("Nope"), "Store::Nope");
    assert_eq!(unknown("Other.Nope"), "Store::Nope");
    // The service name in the error is the Smithy one.
    match block(CounterReceiver::dispatch(&target, &ctx, msg("Nope", &[]))) {
        Err(RpcError::MethodNotHandled(m)) => assert_eq!(m, "counterService::Nope"),
        other => panic!("{other:?}"),
    }
    match block(EmptyReceiver::dispatch(&target, &ctx, msg("Any", &[]))) {
        Err(RpcError::MethodNotHandled(m)) => assert_eq!(m, "Empty::Any"),
        other => panic!("{other:?}"),
    }

    // Decode errors name the input type as the table writes it.
    let deser =
        |method: &str| match block(StoreReceiver::dispatch(&target, &ctx, msg(method, &[0xc3]))) {
            Err(RpcError::Deser(m)) => m,
            other => panic!("{method}: {other:?}"),
        };
    assert!(deser("Put").starts_with("'Item': "));
    assert!(deser("Fetch").starts_with("'String': "));
    let load = deser("Load");
    assert!(
        load.starts_with("'std::collections::HashMap<String, Vec<u8>>': "),
        "{load}"
    );
    assert!(deser("Stamp").starts_with("'weld_rpc::Timestamp': "));
    // Only the two good Put calls reached the implementation.
    assert_eq!(*target.calls.lock().unwrap(), ["put q", "put q"]);
}

#[test]
fn service_names_are_the_smithy_names() {
    assert_eq!(<Impl as StoreReceiver>::SERVICE, "Store");
    assert_eq!(<Impl as CounterReceiver>::SERVICE, "counterService");
    assert_eq!(<Impl as EmptyReceiver>::SERVICE, "Empty");
}

#[test]
fn sender_constructors_follow_the_roles() {
    use weld_rpc::actor::HostTransport;
    use weld_rpc::provider::{HostBridge, ProviderTransport};

    // provider(...): actors reach the provider of the contract.
    let debug = format!("{:?}", StoreSender::new());
    assert!(
        debug.contains(r#"binding: "default""#) && debug.contains(r#"namespace: "weld:store""#),
        "{debug}"
    );
    assert_eq!(format!("{:?}", StoreSender::default()), debug);
    let linked = format!("{:?}", StoreSender::new_with_link("backup").unwrap());
    assert!(linked.contains(r#"binding: "backup""#), "{linked}");
    assert!(matches!(
        StoreSender::new_with_link(""),
        Err(RpcError::InvalidParameter(_))
    ));
    // actor: actors and providers reach actors.
    let to = format!("{:?}", CounterSender::to_actor("MABC"));
    assert!(
        to.contains(r#"binding: """#) && to.contains(r#"namespace: "MABC""#),
        "{to}"
    );
    let _: fn(&LinkDefinition) -> CounterSender<ProviderTransport> = CounterSender::for_actor;
    let _: fn(&LinkDefinition, &HostBridge) -> CounterSender<ProviderTransport> =
        CounterSender::for_actor_with;
    // Both roles given: both sets of constructors.
    let _: fn() -> CounterSender<HostTransport> = CounterSender::new;
    // A sender can be cloned, and passes the timeout to its transport.
    let s = StoreSender::via(Loopback::default()).clone();
    s.set_timeout(std::time::Duration::from_secs(1));
    let _ = EmptySender::via(Loopback::default());
}

/// The CBOR codec of [`Item`] is the one `cbor_struct!` writes; checked so
/// the CBOR test above compares with a known encoding.
#[test]
fn item_cbor_is_a_map() {
    let item = Item {
        name: "a".into(),
        size: 1,
    };
    let mut e = Encoder::new(Vec::new());
    item.encode_cbor(&mut e).unwrap();
    let bytes = e.into_writer();
    assert_eq!(bytes[0], 0xa2, "a map of two entries");
    let back = Item::decode_cbor(&mut Decoder::new(&bytes)).unwrap();
    assert_eq!(back, item);
}
