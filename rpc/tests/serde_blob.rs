//! `weld_rpc::serde_blob`: blob members decode from `bin`, `str` or an array
//! of bytes (what upstream peers may send) and always encode as `bin`; the
//! hand-written core types use it. Inputs are written by rmp-serde from
//! mirror structs whose blob member has another serde type.

use serde::{Deserialize, Serialize};
use weld_rpc::common::{deserialize, serialize};
use weld_rpc::core::{Invocation, InvocationResponse, WasmCloudEntity};
use weld_rpc::RpcError;

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct Chunk {
    #[serde(with = "weld_rpc::serde_blob", default)]
    data: Vec<u8>,
    #[serde(
        with = "weld_rpc::serde_blob",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    extra: Option<Vec<u8>>,
}

/// `Chunk` with its blobs as `bin` (serde_bytes): the canonical form.
#[derive(Serialize)]
struct BinChunk<'a> {
    #[serde(with = "serde_bytes")]
    data: &'a [u8],
    #[serde(with = "serde_bytes", skip_serializing_if = "Option::is_none")]
    extra: Option<&'a [u8]>,
}

/// `Chunk` with its blobs as MessagePack `str`.
#[derive(Serialize)]
struct StrChunk<'a> {
    data: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra: Option<&'a str>,
}

/// `Chunk` with its blobs as arrays of integers (wide, to reach 256).
#[derive(Serialize)]
struct ArrayChunk {
    data: Vec<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra: Option<Vec<i32>>,
}

fn deser_err<T: for<'de> Deserialize<'de> + std::fmt::Debug>(bytes: &[u8]) -> String {
    match deserialize::<T>(bytes) {
        Err(RpcError::Deser(m)) => m,
        other => panic!("expected a Deser error, got {other:?}"),
    }
}

#[test]
fn bin_str_and_byte_array_decode_to_the_same_bytes() {
    let bin = serialize(&BinChunk {
        data: b"hi\x00",
        extra: Some(b"\xff"),
    })
    .unwrap();
    // The canonical form really is `bin`: c4 <len> <bytes>.
    assert_eq!(
        hex::encode(&bin),
        "82a464617461c403686900a56578747261c401ff"
    );
    let want = Chunk {
        data: b"hi\x00".to_vec(),
        extra: Some(vec![0xff]),
    };
    assert_eq!(deserialize::<Chunk>(&bin).unwrap(), want);

    let array = serialize(&ArrayChunk {
        data: vec![b'h'.into(), b'i'.into(), 0],
        extra: Some(vec![255]),
    })
    .unwrap();
    assert_eq!(deserialize::<Chunk>(&array).unwrap(), want);

    let text = serialize(&StrChunk {
        data: "hé",
        extra: Some(""),
    })
    .unwrap();
    assert_eq!(
        deserialize::<Chunk>(&text).unwrap(),
        Chunk {
            data: "hé".as_bytes().to_vec(),
            extra: Some(Vec::new()),
        }
    );
}

#[test]
fn re_encoding_a_lenient_decode_gives_bin() {
    let array = serialize(&ArrayChunk {
        data: vec![1, 2, 3],
        extra: Some(vec![4]),
    })
    .unwrap();
    let decoded: Chunk = deserialize(&array).unwrap();
    let canonical = serialize(&BinChunk {
        data: &[1, 2, 3],
        extra: Some(&[4]),
    })
    .unwrap();
    assert_eq!(serialize(&decoded).unwrap(), canonical);

    let text = serialize(&StrChunk {
        data: "abc",
        extra: None,
    })
    .unwrap();
    let decoded: Chunk = deserialize(&text).unwrap();
    let canonical = serialize(&BinChunk {
        data: b"abc",
        extra: None,
    })
    .unwrap();
    assert_eq!(serialize(&decoded).unwrap(), canonical);
}

#[test]
fn array_elements_outside_a_byte_are_errors() {
    let too_big = serialize(&ArrayChunk {
        data: vec![1, 256],
        extra: None,
    })
    .unwrap();
    let e = deser_err::<Chunk>(&too_big);
    assert!(e.contains("element 1 is 256"), "{e}");

    let negative = serialize(&ArrayChunk {
        data: vec![],
        extra: Some(vec![-1]),
    })
    .unwrap();
    deser_err::<Chunk>(&negative);
}

#[test]
fn other_kinds_and_nil_are_handled() {
    // An integer is not a blob.
    #[derive(Serialize)]
    struct IntData {
        data: u32,
    }
    let e = deser_err::<Chunk>(&serialize(&IntData { data: 7 }).unwrap());
    assert!(e.contains("bin, str or an array"), "{e}");

    // nil is `None` for an optional blob, an error for a plain one.
    #[derive(Serialize)]
    struct NilExtra {
        data: &'static str,
        extra: Option<u8>,
    }
    let nil = serialize(&NilExtra {
        data: "x",
        extra: None,
    })
    .unwrap();
    assert_eq!(
        deserialize::<Chunk>(&nil).unwrap(),
        Chunk {
            data: b"x".to_vec(),
            extra: None,
        }
    );
    #[derive(Serialize)]
    struct NilData {
        data: Option<u8>,
    }
    deser_err::<Chunk>(&serialize(&NilData { data: None }).unwrap());

    // Missing members default (the fields carry `default`).
    assert_eq!(deserialize::<Chunk>(&[0x80]).unwrap(), Chunk::default());
}

#[test]
fn json_blobs_still_read_arrays_and_strings() {
    let c: Chunk = serde_json::from_str(r#"{"data":[104,105],"extra":"z"}"#).unwrap();
    assert_eq!(c.data, b"hi");
    assert_eq!(c.extra.as_deref(), Some(&b"z"[..]));
    assert_eq!(
        serde_json::to_string(&c).unwrap(),
        r#"{"data":[104,105],"extra":[122]}"#
    );
}

fn entity(key: &str) -> WasmCloudEntity {
    WasmCloudEntity {
        public_key: key.into(),
        link_name: String::new(),
        contract_id: String::new(),
    }
}

/// `Invocation` as an upstream peer may write it: `msg` as a `str`.
#[derive(Serialize)]
struct StrMsgInvocation {
    origin: WasmCloudEntity,
    target: WasmCloudEntity,
    operation: &'static str,
    msg: &'static str,
    id: &'static str,
    encoded_claims: &'static str,
    host_id: &'static str,
}

#[test]
fn invocation_msg_as_str_decodes_and_re_encodes_as_bin() {
    let input = serialize(&StrMsgInvocation {
        origin: entity("Mabc"),
        target: entity("Mdef"),
        operation: "HttpServer.HandleRequest",
        msg: "hello",
        id: "1",
        encoded_claims: "jwt",
        host_id: "Nxyz",
    })
    .unwrap();
    let inv: Invocation = deserialize(&input).unwrap();
    assert_eq!(inv.msg, b"hello");
    assert_eq!(inv.operation, "HttpServer.HandleRequest");
    assert_eq!(inv.origin.public_key, "Mabc");

    let out = serialize(&inv).unwrap();
    let out_hex = hex::encode(&out);
    // `msg` key, then bin8 of length 5: c4 05 "hello".
    assert!(
        out_hex.contains(&format!("a36d7367c405{}", hex::encode("hello"))),
        "{out_hex}"
    );
    assert_eq!(deserialize::<Invocation>(&out).unwrap(), inv);
}

#[test]
fn core_types_default_their_simple_members_like_upstream() {
    // Upstream's generated core types: simple members may be missing,
    // structure members (origin, target) may not.
    let e = deser_err::<Invocation>(&[0x80]);
    assert!(e.contains("origin"), "{e}");

    #[derive(Serialize)]
    struct Minimal {
        origin: WasmCloudEntity,
        target: WasmCloudEntity,
    }
    let inv: Invocation = deserialize(
        &serialize(&Minimal {
            origin: entity("M1"),
            target: entity("M2"),
        })
        .unwrap(),
    )
    .unwrap();
    assert_eq!(inv.msg, b"");
    assert_eq!(inv.operation, "");

    let resp: InvocationResponse = deserialize(&[0x80]).unwrap();
    assert_eq!(resp, InvocationResponse::default());

    #[derive(Serialize)]
    struct ArrayMsg {
        msg: Vec<u8>,
        invocation_id: &'static str,
    }
    let resp: InvocationResponse = deserialize(
        &serialize(&ArrayMsg {
            msg: vec![1, 2],
            invocation_id: "i",
        })
        .unwrap(),
    )
    .unwrap();
    assert_eq!(resp.msg, [1, 2]);
    assert_eq!(resp.invocation_id, "i");
}
