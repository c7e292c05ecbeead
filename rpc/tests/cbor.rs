//! Protocol "2" (CBOR): struct encodings, decoder leniency and strictness,
//! and the receiver's first-byte sniffing.

mod support;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use support::*;
use weld_rpc::cbor::{self, CborDecode, CborEncode, Decoder, Encoder};
use weld_rpc::common::{decode, message_format, serialize, MessageFormat};
use weld_rpc::{Document, RpcError, RpcResult, Timestamp};

/// `structure Item { @n(0) @required name: String, @n(1) count: U32,
///  @n(3) data: Blob, @n(4) tags: StringList }` — field 2 is a gap.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Item {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count: Option<u32>,
    #[serde(with = "serde_bytes", default)]
    data: Vec<u8>,
    #[serde(default)]
    tags: Vec<String>,
}

impl CborEncode for Item {
    fn encode_cbor(&self, e: &mut Encoder) -> RpcResult<()> {
        e.array(5)?;
        self.name.encode_cbor(e)?;
        self.count.encode_cbor(e)?;
        e.null()?;
        cbor::bytes::encode(e, &self.data)?;
        self.tags.encode_cbor(e)?;
        Ok(())
    }
}

impl CborDecode for Item {
    fn decode_cbor(d: &mut Decoder<'_>) -> RpcResult<Self> {
        let (mut name, mut count, mut data, mut tags) = (None, None, None, None);
        cbor::decode_struct(
            d,
            "Item",
            &[("name", 0), ("count", 1), ("data", 3), ("tags", 4)],
            |f, d| {
                match f {
                    0 => name = Some(String::decode_cbor(d)?),
                    1 => count = Option::<u32>::decode_cbor(d)?,
                    2 => data = Some(cbor::bytes::decode(d)?),
                    _ => tags = Some(Vec::<String>::decode_cbor(d)?),
                }
                Ok(())
            },
        )?;
        Ok(Item {
            name: cbor::required(name, "Item", "name")?,
            count,
            data: data.unwrap_or_default(),
            tags: tags.unwrap_or_default(),
        })
    }
}

fn item() -> Item {
    Item {
        name: "a".into(),
        count: Some(300),
        data: vec![1, 2],
        tags: vec!["x".into()],
    }
}

fn deser_err<T: CborDecode + std::fmt::Debug>(bytes: &[u8]) -> String {
    match cbor::from_slice::<T>(bytes) {
        Err(RpcError::Deser(m)) => m,
        other => panic!(
            "expected Deser error for {}, got {other:?}",
            hex::encode(bytes)
        ),
    }
}

#[test]
fn numbered_struct_is_an_array_with_null_gaps_after_the_prefix() {
    let wire = cbor::serialize(&item()).unwrap();
    // 7f | array(5) "a" 300 null h'0102' ["x"]
    assert_eq!(hex::encode(&wire), "7f85616119012cf6420102816178");
    assert_eq!(cbor::deserialize::<Item>(&wire).unwrap(), item());
    assert_eq!(message_format(&wire), (MessageFormat::Cbor, 1));
}

#[test]
fn decode_sniffs_the_first_byte() {
    let it = item();
    // CBOR
    assert_eq!(decode::<Item>(&cbor::serialize(&it).unwrap()).unwrap(), it);
    // MessagePack, plain and with the 0xc1 prefix
    let mp = serialize(&it).unwrap();
    assert_eq!(decode::<Item>(&mp).unwrap(), it);
    let mut prefixed = vec![0xc1];
    prefixed.extend_from_slice(&mp);
    assert_eq!(message_format(&prefixed), (MessageFormat::Msgpack, 1));
    assert_eq!(decode::<Item>(&prefixed).unwrap(), it);
    // empty
    assert_eq!(message_format(&[]), (MessageFormat::Empty, 0));
    assert!(matches!(decode::<Item>(&[]), Err(RpcError::Deser(_))));
    // A lone 0x7f is MessagePack 127, not an empty CBOR message.
    assert_eq!(message_format(&[0x7f]), (MessageFormat::Msgpack, 0));
    assert_eq!(weld_rpc::common::deserialize::<i32>(&[0x7f]).unwrap(), 127);
    assert_eq!(decode::<u32>(&[0x7f]).unwrap(), 127);
    // and 127 as CBOR
    assert_eq!(
        decode::<u32>(&cbor::serialize(&127u32).unwrap()).unwrap(),
        127
    );
}

#[test]
fn struct_accepted_as_map_with_names_or_numbers_in_any_order_with_unknowns() {
    // {"tags": ["t"], "zzz": {1: 2}, "name": "n", 1: 5}
    let bytes = unhex("a4 6474616773 816174 637a7a7a a10102 646e616d65 616e 01 05");
    let v: Item = cbor::from_slice(&bytes).unwrap();
    assert_eq!(
        v,
        Item {
            name: "n".into(),
            count: Some(5),
            data: vec![],
            tags: vec!["t".into()]
        }
    );
}

#[test]
fn accepts_indefinite_lengths_longer_ints_and_trailing_bytes() {
    // indefinite array [_ (_ "a", "b"), 1b 00..05 (u64 5), null, h'', [_ ]] + trailing ff ff
    let bytes = unhex("9f 7f616161 62ff 1b0000000000000005 f6 40 9fff ff ffff");
    let v: Item = cbor::from_slice(&bytes).unwrap();
    assert_eq!(
        v,
        Item {
            name: "ab".into(),
            count: Some(5),
            data: vec![],
            tags: vec![]
        }
    );
    // indefinite map
    let bytes = unhex("bf 646e616d65 6178 ff");
    assert_eq!(cbor::from_slice::<Item>(&bytes).unwrap().name, "x");
    // u32 written as u16
    assert_eq!(cbor::from_slice::<u32>(&unhex("190001")).unwrap(), 1);
    assert_eq!(cbor::from_slice::<i8>(&unhex("3a00000000")).unwrap(), -1);
}

#[test]
fn blob_accepted_as_bytes_chunks_text_or_int_array() {
    for (hex, want) in [
        ("420102", vec![1u8, 2]),
        ("5f 4101 4102 ff", vec![1, 2]),
        ("626869", b"hi".to_vec()),
        ("82 01 1802", vec![1, 2]),
    ] {
        let bytes = unhex(&format!("a2 646e616d65 6161 6464617461 {hex}"));
        assert_eq!(
            cbor::from_slice::<Item>(&bytes).unwrap().data,
            want,
            "{hex}"
        );
    }
    deser_err::<Vec<u8>>(&unhex("f6")); // generic Vec<u8> is an array, null is not
    assert!(cbor::bytes::decode(&mut Decoder::new(&unhex("82 01 190100"))).is_err());
    // 256 in a blob
}

#[test]
fn rejects_missing_required_wrong_types_ranges_utf8_nil_and_empty() {
    assert!(deser_err::<Item>(&unhex("a0")).contains("missing field Item.name"));
    assert!(deser_err::<Item>(&unhex("80")).contains("missing field Item.name"));
    deser_err::<Item>(&unhex("01"));
    deser_err::<Item>(&unhex("81 01")); // name as int
    deser_err::<Item>(&unhex("82 6161 6178")); // count as text
    deser_err::<u8>(&unhex("190100"));
    deser_err::<u32>(&unhex("1b0000000100000000"));
    deser_err::<u32>(&unhex("20")); // -1
    deser_err::<i32>(&unhex("3a80000000")); // -2^31 - 1
    deser_err::<String>(&unhex("62c328"));
    deser_err::<String>(&unhex("f6"));
    deser_err::<Item>(&unhex("a1 646e616d65 f6"));
    deser_err::<Item>(&[]);
    assert!(matches!(
        cbor::deserialize::<Item>(&[]),
        Err(RpcError::Deser(_))
    ));
    assert!(matches!(
        cbor::deserialize::<Item>(&[0x81, 0x60]),
        Err(RpcError::Deser(_))
    ));
    // truncated
    let wire = cbor::to_vec(&item()).unwrap();
    for n in 1..wire.len() {
        assert!(cbor::from_slice::<Item>(&wire[..n]).is_err(), "prefix {n}");
    }
}

#[test]
fn containers_options_floats_round_trip() {
    let mut m: HashMap<String, Vec<Option<i64>>> = HashMap::new();
    m.insert("k".into(), vec![Some(-5), None, Some(i64::MAX)]);
    let back: HashMap<String, Vec<Option<i64>>> =
        cbor::from_slice(&cbor::to_vec(&m).unwrap()).unwrap();
    assert_eq!(back, m);
    for f in [0.0f64, -1.5, f64::MAX, f64::MIN_POSITIVE] {
        assert_eq!(
            cbor::from_slice::<f64>(&cbor::to_vec(&f).unwrap()).unwrap(),
            f
        );
    }
    // half and single precision read as f64; an integer where a float is expected
    assert_eq!(cbor::from_slice::<f64>(&unhex("f93e00")).unwrap(), 1.5);
    assert_eq!(cbor::from_slice::<f32>(&unhex("f9c400")).unwrap(), -4.0);
    assert_eq!(cbor::from_slice::<f32>(&unhex("f97bff")).unwrap(), 65504.0);
    assert_eq!(
        cbor::from_slice::<f64>(&unhex("f90001")).unwrap(),
        2f64.powi(-24)
    );
    assert_eq!(
        cbor::from_slice::<f64>(&unhex("f97c00")).unwrap(),
        f64::INFINITY
    );
    assert!(cbor::from_slice::<f64>(&unhex("f97e00")).unwrap().is_nan());
    assert!(cbor::from_slice::<f64>(&unhex("f93e")).is_err());
    assert_eq!(cbor::from_slice::<f64>(&unhex("fa3fc00000")).unwrap(), 1.5);
    assert_eq!(cbor::from_slice::<f32>(&unhex("02")).unwrap(), 2.0);
    let b: Box<String> =
        cbor::from_slice(&cbor::to_vec(&Box::new("x".to_string())).unwrap()).unwrap();
    assert_eq!(*b, "x");
}

#[test]
fn timestamp_and_document_cbor() {
    let t = Timestamp::new(-5, 999_999_999).unwrap();
    let wire = cbor::to_vec(&t).unwrap();
    assert_eq!(hex::encode(&wire), "82241a3b9ac9ff");
    assert_eq!(cbor::from_slice::<Timestamp>(&wire).unwrap(), t);
    // map form and tag 1
    assert_eq!(
        cbor::from_slice::<Timestamp>(&unhex("a2 63736563 0a 646e736563 01")).unwrap(),
        Timestamp { sec: 10, nsec: 1 }
    );
    assert_eq!(
        cbor::from_slice::<Timestamp>(&unhex("c1 1a5f5e1000"))
            .unwrap()
            .sec,
        1_600_000_000
    );
    assert_eq!(
        cbor::from_slice::<Timestamp>(&unhex("c1 fb41d7d78400800000")).unwrap(),
        Timestamp {
            sec: 1_600_000_002,
            nsec: 0
        }
    );
    // nsec out of range
    assert!(cbor::from_slice::<Timestamp>(&unhex("82 00 1a3b9aca00")).is_err());

    let doc: Document = serde_json::from_str(r#"{"a":[1,-2,2.5,"s",true,null],"b":{}}"#).unwrap();
    let back: Document = cbor::from_slice(&cbor::to_vec(&doc).unwrap()).unwrap();
    assert_eq!(back, doc);
    let mut deep = vec![0x81; 10_000];
    deep.push(0xf6);
    assert!(cbor::from_slice::<Document>(&deep).is_err());
}

#[test]
fn core_types_cbor_round_trip() {
    use weld_rpc::core::*;
    let mut values = HashMap::new();
    values.insert("URL".to_string(), "redis://127.0.0.1:6379/".to_string());
    let ld = LinkDefinition {
        actor_id: "M1".into(),
        provider_id: "V1".into(),
        link_name: "default".into(),
        contract_id: "wasmcloud:keyvalue".into(),
        values,
    };
    let back: LinkDefinition = cbor::from_slice(&cbor::to_vec(&ld).unwrap()).unwrap();
    assert_eq!(back, ld);
    let inv = Invocation {
        origin: WasmCloudEntity {
            public_key: "M1".into(),
            ..Default::default()
        },
        target: WasmCloudEntity {
            public_key: "V1".into(),
            link_name: "default".into(),
            contract_id: "wasmcloud:keyvalue".into(),
        },
        operation: "KeyValue.Get".into(),
        msg: vec![0xa1, 0x61],
        id: "id".into(),
        content_length: Some(2),
        ..Default::default()
    };
    let back: Invocation = cbor::from_slice(&cbor::to_vec(&inv).unwrap()).unwrap();
    assert_eq!(back, inv);
    let r: HealthCheckResponse = cbor::from_slice(&unhex("81 f5")).unwrap();
    assert!(r.healthy);
    assert!(cbor::from_slice::<LinkDefinition>(&unhex("80")).is_err());
    // Arrays in declaration order; a blob is a byte string; None is null.
    let health = HealthCheckResponse {
        healthy: true,
        message: None,
    };
    assert_eq!(hex::encode(cbor::to_vec(&health).unwrap()), "82f5f6");
    let wire = hex::encode(cbor::to_vec(&inv).unwrap());
    assert!(
        wire.starts_with("89 83 624d31 60 60".replace(' ', "").as_str()),
        "{wire}"
    );
    assert!(wire.contains("42a161"), "msg as bytes: {wire}");
    assert!(
        wire.ends_with("02f6"),
        "content_length, no trace context: {wire}"
    );
    assert_eq!(
        cbor::from_slice::<LinkDefinition>(&unhex("a0"))
            .unwrap_err()
            .to_string(),
        RpcError::Deser("missing field LinkDefinition.actor_id".into()).to_string()
    );
}

#[test]
fn garbage_never_panics() {
    let seeds = [
        cbor::serialize(&item()).unwrap(),
        cbor::to_vec(&item()).unwrap(),
    ];
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for round in 0..20_000 {
        let mut buf = if round % 3 == 0 {
            (0..rng.below(48))
                .map(|_| rng.next() as u8)
                .collect::<Vec<u8>>()
        } else {
            seeds[rng.below(seeds.len())].clone()
        };
        for _ in 0..=rng.below(4) {
            if buf.is_empty() {
                break;
            }
            let i = rng.below(buf.len());
            match rng.below(3) {
                0 => buf[i] = rng.next() as u8,
                1 => buf.truncate(i),
                _ => buf.insert(i, rng.next() as u8),
            }
        }
        let _ = decode::<Item>(&buf);
        let _ = cbor::from_slice::<Item>(&buf);
        let _ = cbor::from_slice::<Document>(&buf);
        let _ = cbor::from_slice::<Timestamp>(&buf);
        let _ = cbor::from_slice::<weld_rpc::core::Invocation>(&buf);
        let _ = cbor::from_slice::<HashMap<String, Vec<u8>>>(&buf);
    }
    for hex in [
        "9bffffffffffffffff",
        "bbffffffffffffffff",
        "5bffffffffffffffff",
        "7bffffffffffffffff",
    ] {
        assert!(cbor::from_slice::<Item>(&unhex(hex)).is_err());
        assert!(cbor::from_slice::<Vec<String>>(&unhex(hex)).is_err());
        assert!(cbor::from_slice::<Document>(&unhex(hex)).is_err());
    }
}

/// `structure Node { @n(0) label: String, @n(1) next: Node }`: a recursive shape.
#[derive(Debug, PartialEq)]
struct Node {
    label: String,
    next: Option<Box<Node>>,
}

impl CborEncode for Node {
    fn encode_cbor(&self, e: &mut Encoder) -> RpcResult<()> {
        e.array(2)?;
        self.label.encode_cbor(e)?;
        self.next.encode_cbor(e)
    }
}

impl CborDecode for Node {
    fn decode_cbor(d: &mut Decoder<'_>) -> RpcResult<Self> {
        let (mut label, mut next) = (None, None);
        cbor::decode_struct(d, "Node", &[("label", 0), ("next", 1)], |f, d| {
            match f {
                0 => label = Some(String::decode_cbor(d)?),
                _ => next = Option::<Box<Node>>::decode_cbor(d)?,
            }
            Ok(())
        })?;
        Ok(Node {
            label: cbor::required(label, "Node", "label")?,
            next,
        })
    }
}

#[test]
fn recursive_structs_decode_within_the_nesting_limit_and_refuse_beyond_it() {
    let chain = |n: usize| {
        let mut node = Node {
            label: "end".into(),
            next: None,
        };
        for _ in 1..n {
            node = Node {
                label: "x".into(),
                next: Some(Box::new(node)),
            };
        }
        node
    };
    let ok = chain(100);
    assert_eq!(
        cbor::from_slice::<Node>(&cbor::to_vec(&ok).unwrap()).unwrap(),
        ok
    );
    // 200 levels by hand: [ "x", [ "x", ... null ] ]
    let mut deep = Vec::new();
    for _ in 0..200 {
        deep.extend_from_slice(&[0x82, 0x61, b'x']);
    }
    deep.push(0xf6);
    let e = cbor::from_slice::<Node>(&deep).unwrap_err();
    assert!(e.to_string().contains("nested deeper"), "{e}");
    // the depth counter is released after an error: shallow input decodes again
    assert_eq!(
        cbor::from_slice::<Node>(&cbor::to_vec(&ok).unwrap()).unwrap(),
        ok
    );
}

/// `Item` again, through `weld_rpc::cbor_struct!` (what generated crates
/// write): it must behave exactly like the hand-written impls above.
#[derive(Clone, Debug, Default, PartialEq)]
struct MacroItem {
    name: String,
    count: Option<u32>,
    data: Vec<u8>,
    tags: Vec<String>,
}

weld_rpc::cbor_struct! {
    MacroItem array {
        0 name required,
        1 count optional,
        3 data default blob,
        4 tags default,
    }
}

impl From<Item> for MacroItem {
    fn from(i: Item) -> Self {
        MacroItem {
            name: i.name,
            count: i.count,
            data: i.data,
            tags: i.tags,
        }
    }
}

#[test]
fn macro_struct_matches_the_hand_written_impls_on_every_input() {
    for value in [
        item(),
        Item::default(),
        Item {
            count: None,
            ..item()
        },
    ] {
        let ours = cbor::serialize(&MacroItem::from(value.clone())).unwrap();
        assert_eq!(ours, cbor::serialize(&value).unwrap(), "{value:?}");
    }
    let inputs = [
        "85616119012cf6420102816178",
        "a4 6474616773 816174 637a7a7a a10102 646e616d65 616e 01 05",
        "9f 7f616161 62ff 1b0000000000000005 f6 40 9fff ff ffff",
        "bf 646e616d65 6178 ff",
        "a2 646e616d65 6161 6464617461 5f 4101 4102 ff",
        "a2 646e616d65 6161 6464617461 82 01 1802",
        "a0",
        "80",
        "01",
        "81 01",
        "82 6161 6178",
        "a1 646e616d65 f6",
        "81 60",
        "a1 f6 01",
        "86 6161 01 f6 40 80 63787878",
    ];
    for hex in inputs {
        let bytes = unhex(hex);
        let hand = cbor::from_slice::<Item>(&bytes).map(MacroItem::from);
        let generated = cbor::from_slice::<MacroItem>(&bytes);
        match (hand, generated) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{hex}"),
            (Err(a), Err(b)) => assert_eq!(
                a.to_string().replace("MacroItem", "Item"),
                b.to_string().replace("MacroItem", "Item"),
                "{hex}"
            ),
            (a, b) => panic!("{hex}: hand-written {a:?}, macro {b:?}"),
        }
    }
}

/// A structure without `@n`: a map keyed by wire names, absent optional
/// members left out, defaults from a function.
#[derive(Clone, Debug, PartialEq)]
struct Named {
    list_name: String,
    limit: u32,
    note: Option<String>,
    raw: Option<Vec<u8>>,
}

impl Named {
    fn default_limit() -> u32 {
        10
    }
}

weld_rpc::cbor_struct! {
    Named map {
        0 list_name "listName" required,
        1 limit default(Self::default_limit),
        2 note optional,
        3 raw optional blob,
    }
}

#[test]
fn macro_map_struct_writes_wire_names_and_leaves_out_absent_options() {
    let v = Named {
        list_name: "l".into(),
        limit: 3,
        note: None,
        raw: Some(vec![7]),
    };
    let wire = cbor::serialize(&v).unwrap();
    // {"listName": "l", "limit": 3, "raw": h'07'}
    assert_eq!(
        hex::encode(&wire),
        "7fa3686c6973744e616d6561 6c 656c696d697403 63726177 4107".replace(' ', "")
    );
    assert_eq!(cbor::deserialize::<Named>(&wire).unwrap(), v);
    // Missing default -> its function; missing required -> named error;
    // numbers as keys and the array form are accepted too.
    let d: Named = cbor::from_slice(&unhex("a1 686c6973744e616d65 6178")).unwrap();
    assert_eq!((d.limit, d.note, d.raw), (10, None, None));
    assert_eq!(
        deser_err::<Named>(&unhex("a1 656c696d6974 01")),
        "missing field Named.listName"
    );
    let n: Named = cbor::from_slice(&unhex("a2 00 6178 02 6179")).unwrap();
    assert_eq!((n.list_name.as_str(), n.note.as_deref()), ("x", Some("y")));
    let a: Named = cbor::from_slice(&unhex("84 6178 05 f6 41 01")).unwrap();
    assert_eq!((a.limit, a.raw), (5, Some(vec![1])));
}

#[derive(Clone, Debug, PartialEq)]
enum Choice {
    Num(u32),
    Raw(Vec<u8>),
    Nothing,
}

weld_rpc::cbor_union! {
    Choice {
        0 Num(value),
        3 Raw(blob),
        4 Nothing,
    }
}

#[test]
fn macro_union_is_a_tagged_pair() {
    for (v, hex) in [
        (Choice::Num(5), "7f820005"),
        (Choice::Raw(vec![1]), "7f82034101"),
        (Choice::Nothing, "7f8204f6"),
    ] {
        let wire = cbor::serialize(&v).unwrap();
        assert_eq!(hex::encode(&wire), hex);
        assert_eq!(cbor::deserialize::<Choice>(&wire).unwrap(), v);
    }
    assert_eq!(
        deser_err::<Choice>(&unhex("82 01 00")),
        "decoding union Choice: unknown variant 1"
    );
    assert_eq!(
        deser_err::<Choice>(&unhex("81 00")),
        "decoding union Choice: expected an array of two items"
    );
}
