//! Protocol "0" (MessagePack): the upstream vectors byte for byte, and every
//! acceptance and rejection rule of the compatibility spec, on real bytes.

mod support;

use std::collections::HashMap;
use std::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::Serialize;
use support::*;
use weld_rpc::common::{deserialize, serialize};
use weld_rpc::RpcError;

fn hex_of<T: Serialize>(v: &T) -> String {
    hex::encode(serialize(v).expect("serialize"))
}

fn deser_err<T: DeserializeOwned + Debug>(bytes: &[u8]) -> String {
    match deserialize::<T>(bytes) {
        Err(RpcError::Deser(msg)) => msg,
        other => panic!(
            "expected a Deser error for {}, got {other:?}",
            hex::encode(bytes)
        ),
    }
}

/// Encodes the vector's JSON value as `T`, compares with the upstream bytes,
/// then decodes the upstream bytes and compares with the value.
fn check_vector<T>(json: &serde_json::Value, msgpack: &str) -> Result<(), String>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let value: T = serde_json::from_value(json.clone()).map_err(|e| e.to_string())?;
    let ours = hex::encode(serialize(&value).map_err(|e| e.to_string())?);
    if ours != msgpack {
        return Err(format!("encoded {ours}, upstream {msgpack}"));
    }
    let back: T = deserialize(&unhex(msgpack)).map_err(|e| e.to_string())?;
    if back != value {
        return Err(format!("decoded {back:?}, expected {value:?}"));
    }
    Ok(())
}

#[test]
fn upstream_sample_vectors_byte_for_byte() {
    let vectors = weld_test_support::sample_vectors();
    assert_eq!(vectors.len(), 18);
    let mut failures = Vec::new();
    for v in &vectors {
        let (json, mp) = (&v.json, v.msgpack.as_str());
        let r = match v.ty.as_str() {
            "String" => check_vector::<String>(json, mp),
            "i32" => check_vector::<i32>(json, mp),
            "u32" => check_vector::<u32>(json, mp),
            "bool" => check_vector::<bool>(json, mp),
            "StringList" => check_vector::<StringList>(json, mp),
            "GetResponse" => check_vector::<GetResponse>(json, mp),
            "SetRequest" => check_vector::<SetRequest>(json, mp),
            "IncrementRequest" => check_vector::<IncrementRequest>(json, mp),
            "ListAddRequest" => check_vector::<ListAddRequest>(json, mp),
            "ListDelRequest" => check_vector::<ListDelRequest>(json, mp),
            "ListRangeRequest" => check_vector::<ListRangeRequest>(json, mp),
            "SetAddRequest" => check_vector::<SetAddRequest>(json, mp),
            "SetDelRequest" => check_vector::<SetDelRequest>(json, mp),
            "HttpRequest" => check_vector::<HttpRequest>(json, mp),
            "HttpResponse" => check_vector::<HttpResponse>(json, mp),
            other => Err(format!("no test type for {other}")),
        };
        if let Err(e) = r {
            failures.push(format!("{}: {e}", v.what()));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn sample_method_strings_split_into_service_and_method() {
    let methods = weld_test_support::sample_methods();
    assert_eq!(methods.len(), 16);
    for m in &methods {
        let (service, method) = weld_rpc::actor::split_method(m);
        assert!(service == "KeyValue" || service == "HttpServer", "{m}");
        assert!(!method.is_empty() && !method.contains('.'), "{m}");
        assert_eq!(format!("{service}.{method}"), *m);
    }
}

#[test]
fn compat_spec_vectors() {
    let req = HttpRequest {
        method: "GET".into(),
        path: "/api/counter".into(),
        ..Default::default()
    };
    assert_eq!(
        hex_of(&req),
        "85a66d6574686f64a3474554a470617468ac2f6170692f636f756e746572ab7175657279537472696e67a0a668656164657280a4626f6479c400"
    );
    let inc = IncrementRequest {
        key: "counter:default".into(),
        value: 1,
    };
    assert_eq!(
        hex_of(&inc),
        "82a36b6579af636f756e7465723a64656661756c74a576616c756501"
    );
    let resp = HttpResponse {
        status_code: 200,
        header: HashMap::new(),
        body: br#"{"counter":1}"#.to_vec(),
    };
    assert_eq!(
        hex_of(&resp),
        "83aa737461747573436f6465ccc8a668656164657280a4626f6479c40d7b22636f756e746572223a317d"
    );
    // and back
    assert_eq!(
        deserialize::<HttpResponse>(&serialize(&resp).unwrap()).unwrap(),
        resp
    );
}

#[test]
fn integers_take_smallest_form_and_non_negative_signed_are_unsigned() {
    assert_eq!(hex_of(&128i32), "cc80");
    assert_eq!(hex_of(&127i32), "7f");
    assert_eq!(hex_of(&0i64), "00");
    assert_eq!(hex_of(&-1i32), "ff");
    assert_eq!(hex_of(&-32i32), "e0");
    assert_eq!(hex_of(&-33i32), "d0df");
    assert_eq!(hex_of(&-129i32), "d1ff7f");
    assert_eq!(hex_of(&256i16), "cd0100");
    assert_eq!(hex_of(&65536i64), "ce00010000");
    assert_eq!(hex_of(&(1i64 << 32)), "cf0000000100000000");
    assert_eq!(hex_of(&255u8), "ccff");
    assert_eq!(hex_of(&200u16), "ccc8");
    assert_eq!(hex_of(&i64::MIN), "d38000000000000000");
}

#[test]
fn blobs_are_bin_and_strings_are_str() {
    #[derive(Serialize)]
    struct B {
        #[serde(with = "serde_bytes")]
        b: Vec<u8>,
    }
    assert_eq!(hex_of(&B { b: vec![1, 2] }), "81a162c4020102");
    assert_eq!(hex_of(&"hi"), "a26869");
}

#[test]
fn zero_byte_payloads_are_unit_only() {
    // An operation without output replies with zero bytes, which decodes to ().
    deserialize::<()>(&[]).unwrap();
    assert!(deser_err::<String>(&[]).contains("empty payload"));
    assert!(deser_err::<IncrementRequest>(&[]).contains("empty payload"));
    assert!(deser_err::<i32>(&[]).contains("empty payload"));
    assert!(deser_err::<Option<String>>(&[]).contains("empty payload"));
}

#[test]
fn accepts_empty_map_as_defaults() {
    let v: IncrementRequest = deserialize(&unhex("80")).unwrap();
    assert_eq!(v, IncrementRequest::default());
    let v: GetResponse = deserialize(&unhex("80")).unwrap();
    assert_eq!(v, GetResponse::default());
}

#[test]
fn accepts_fields_in_any_order_and_unknown_fields() {
    // {value: 5, extra: [1, {a: nil}], key: "k"}
    let bytes = unhex("83 a576616c756505 a5657874726192 01 81a161c0 a36b6579 a16b");
    let v: IncrementRequest = deserialize(&bytes).unwrap();
    assert_eq!(
        v,
        IncrementRequest {
            key: "k".into(),
            value: 5
        }
    );
}

#[test]
fn accepts_struct_as_positional_array() {
    let v: IncrementRequest = deserialize(&unhex("92 a16b 07")).unwrap();
    assert_eq!(
        v,
        IncrementRequest {
            key: "k".into(),
            value: 7
        }
    );
    let v: HttpResponse = deserialize(&unhex("93 cd01f4 80 c400")).unwrap();
    assert_eq!(v.status_code, 500);
}

#[test]
fn accepts_blob_as_str_and_as_int_array() {
    // {statusCode: 200, header: {}, body: "hello"}
    let v: HttpResponse = deserialize(&unhex(
        "83 aa737461747573436f6465 ccc8 a6686561646572 80 a4626f6479 a568656c6c6f",
    ))
    .unwrap();
    assert_eq!(v.body, b"hello");
    // body: [104, 105] (the second one in a longer int encoding)
    let v: HttpResponse = deserialize(&unhex(
        "83 aa737461747573436f6465 ccc8 a6686561646572 80 a4626f6479 92 68 cc69",
    ))
    .unwrap();
    assert_eq!(v.body, b"hi");
}

#[test]
fn accepts_longer_integer_encodings() {
    for hex in [
        "01",
        "cc01",
        "cd0001",
        "ce00000001",
        "cf0000000000000001",
        "d001",
        "d10001",
        "d200000001",
        "d30000000000000001",
    ] {
        assert_eq!(deserialize::<i32>(&unhex(hex)).unwrap(), 1, "{hex}");
        assert_eq!(deserialize::<u8>(&unhex(hex)).unwrap(), 1, "{hex}");
    }
    // value as int32 inside a struct
    let v: IncrementRequest =
        deserialize(&unhex("82 a36b6579 a0 a576616c7565 d2ffffffff")).unwrap();
    assert_eq!(v.value, -1);
}

#[test]
fn accepts_trailing_bytes_and_the_c1_prefix() {
    let mut bytes = unhex("82a36b6579a7636f756e746572a576616c756501");
    bytes.extend_from_slice(&[0xc0, 0x01, 0xff]);
    let v: IncrementRequest = deserialize(&bytes).unwrap();
    assert_eq!(
        v,
        IncrementRequest {
            key: "counter".into(),
            value: 1
        }
    );
    let mut prefixed = vec![0xc1];
    prefixed.extend_from_slice(&unhex("82a36b6579a7636f756e746572a576616c756501"));
    assert_eq!(deserialize::<IncrementRequest>(&prefixed).unwrap(), v);
    // a 1-byte payload that is a positive fixint
    assert_eq!(deserialize::<u32>(&[0x05]).unwrap(), 5);
}

#[test]
fn rejects_missing_required_field() {
    // HttpRequest without header
    let e = deser_err::<HttpRequest>(&unhex("82 a66d6574686f64 a3474554 a470617468 a12f"));
    assert!(e.contains("header"), "{e}");
    // positional array too short for a required member
    let e = deser_err::<HttpResponse>(&unhex("91 ccc8"));
    assert!(!e.is_empty());
}

#[test]
fn rejects_out_of_range_integers() {
    deser_err::<i32>(&unhex("ce80000000")); // 2^31
    deser_err::<i32>(&unhex("cf0000000100000000")); // 2^32
    deser_err::<u32>(&unhex("ff")); // -1
    deser_err::<u8>(&unhex("cd0100")); // 256
    deser_err::<u16>(&unhex("ce00011170")); // 70000
    deser_err::<i8>(&unhex("d1ff7f")); // -129
                                       // statusCode 70000 inside a struct
    deser_err::<HttpResponse>(&unhex(
        "83 aa737461747573436f6465 ce00011170 a6686561646572 80 a4626f6479 c400",
    ));
}

#[test]
fn rejects_wrong_types() {
    deser_err::<String>(&unhex("01"));
    deser_err::<i32>(&unhex("a131"));
    deser_err::<bool>(&unhex("a474727565"));
    deser_err::<StringList>(&unhex("a0"));
    deser_err::<IncrementRequest>(&unhex("a3616263"));
    // key as an integer
    deser_err::<IncrementRequest>(&unhex("82 a36b6579 05 a576616c7565 01"));
    // header values must be lists of strings
    deser_err::<HttpRequest>(&unhex("81 a6686561646572 81 a161 a162"));
}

#[test]
fn rejects_invalid_utf8_and_nil_for_string() {
    deser_err::<String>(&unhex("a2fffe"));
    deser_err::<IncrementRequest>(&unhex("81 a36b6579 a2c328"));
    deser_err::<String>(&unhex("c0"));
    deser_err::<IncrementRequest>(&unhex("81 a36b6579 c0"));
    // nil is fine for an optional string
    assert_eq!(deserialize::<Option<String>>(&unhex("c0")).unwrap(), None);
}

#[test]
fn rejects_truncated_input() {
    let full = unhex("85a66d6574686f64a3474554a470617468ac2f6170692f636f756e746572ab7175657279537472696e67a0a668656164657280a4626f6479c400");
    for n in 1..full.len() {
        assert!(
            deserialize::<HttpRequest>(&full[..n]).is_err(),
            "prefix of {n} bytes decoded"
        );
    }
}

#[test]
fn cbor_payload_is_refused_by_msgpack_only_decoder() {
    let e = deser_err::<IncrementRequest>(&[0x7f, 0xa0]);
    assert!(e.contains("CBOR"), "{e}");
}

#[test]
fn round_trips() {
    let mut header = HashMap::new();
    header.insert(
        "accept".to_string(),
        vec!["text/html".to_string(), "*/*".to_string()],
    );
    let req = HttpRequest {
        method: "POST".into(),
        path: "/x".into(),
        query_string: "a=1".into(),
        header: header.clone(),
        body: (0..=255).collect(),
    };
    assert_eq!(
        deserialize::<HttpRequest>(&serialize(&req).unwrap()).unwrap(),
        req
    );
    let resp = HttpResponse {
        status_code: 404,
        header,
        body: vec![],
    };
    assert_eq!(
        deserialize::<HttpResponse>(&serialize(&resp).unwrap()).unwrap(),
        resp
    );
    for v in [
        i32::MIN,
        -1,
        0,
        1,
        127,
        128,
        255,
        256,
        65535,
        65536,
        i32::MAX,
    ] {
        assert_eq!(deserialize::<i32>(&serialize(&v).unwrap()).unwrap(), v);
    }
    for v in [0u64, 1, u64::from(u32::MAX), u64::MAX] {
        assert_eq!(deserialize::<u64>(&serialize(&v).unwrap()).unwrap(), v);
    }
    let list: StringList = vec!["a".into(), String::new(), "ü".into()];
    assert_eq!(
        deserialize::<StringList>(&serialize(&list).unwrap()).unwrap(),
        list
    );
}

#[test]
fn garbage_and_mutations_never_panic() {
    let seeds = [
        unhex("85a66d6574686f64a3474554a470617468ac2f6170692f636f756e746572ab7175657279537472696e67a0a668656164657280a4626f6479c400"),
        unhex("82a36b6579af636f756e7465723a64656661756c74a576616c756501"),
        unhex("83aa737461747573436f6465ccc8a668656164657280a4626f6479c40d7b22636f756e746572223a317d"),
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..20_000 {
        let mut buf = if round % 4 == 0 {
            (0..rng.below(64))
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
        let _ = deserialize::<HttpRequest>(&buf);
        let _ = deserialize::<HttpResponse>(&buf);
        let _ = deserialize::<IncrementRequest>(&buf);
        let _ = deserialize::<StringList>(&buf);
        let _ = deserialize::<weld_rpc::Document>(&buf);
        let _ = deserialize::<weld_rpc::core::HostData>(&buf);
    }
    // huge declared lengths with no data behind them
    for hex in [
        "dbffffffff",
        "dcffff",
        "ddffffffff",
        "deffff",
        "dfffffffff",
        "c6ffffffff",
    ] {
        assert!(deserialize::<HttpRequest>(&unhex(hex)).is_err());
        assert!(deserialize::<weld_rpc::Document>(&unhex(hex)).is_err());
    }
}

#[test]
fn deeply_nested_input_is_an_error_not_a_stack_overflow() {
    let mut buf = vec![0x91; 100_000];
    buf.push(0xc0);
    assert!(deserialize::<weld_rpc::Document>(&buf).is_err());
}

/// The helper behind every generated crate's round-trip tests passes a
/// value that survives both protocols and fails on one that does not
/// compare equal to itself after decoding (NaN), naming the step.
#[test]
fn assert_roundtrip_passes_and_fails_where_it_should() {
    weld_rpc::common::assert_roundtrip(std::collections::HashMap::from([(
        "k".to_string(),
        vec![1u32, 2, 3],
    )]));
    weld_rpc::common::assert_roundtrip(Some(-1.5f64));
    let failed = std::panic::catch_unwind(|| weld_rpc::common::assert_roundtrip(f64::NAN))
        .expect_err("NaN is not equal to itself after a round trip");
    let message = failed.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("msgpack round trip"), "{message}");
}
