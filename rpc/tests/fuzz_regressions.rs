//! Decoder regressions and a bounded fuzz smoke run for weld-rpc's own wire
//! types (core messages, Document, Timestamp, primitives, collections).
//!
//! Shares its properties with the libFuzzer targets in `fuzz/` (same source
//! files, included below): decoding arbitrary bytes never panics, and a value
//! that decodes re-encodes with both codecs and decodes back unchanged. The
//! generated crates' types are covered by `tests/tests/decoders_fuzz.rs`
//! (weld-rpc cannot depend on them).

#[path = "../../fuzz/src/checks.rs"]
mod checks;
#[path = "../../fuzz/src/mutate.rs"]
mod mutate;

use std::path::PathBuf;

use weld_rpc::core::{Invocation, LinkDefinition};
use weld_rpc::{Document, RpcError, Timestamp};

fn fuzz_files(kind: &str, target: &str) -> Vec<(String, Vec<u8>)> {
    let fuzz = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    mutate::corpus_files(&fuzz, kind, target)
}

/// Every seed and every kept crash input of the decoder targets, as bytes.
fn all_inputs() -> Vec<(String, Vec<u8>)> {
    let mut all = Vec::new();
    for kind in ["seeds", "regressions"] {
        for target in ["cbor_roundtrip", "msgpack_keyvalue", "msgpack_httpserver"] {
            for (name, data) in fuzz_files(kind, target) {
                all.push((format!("{kind}/{target}/{name}"), data));
            }
        }
    }
    all
}

#[test]
fn corpus_and_crash_inputs_decode_or_fail_cleanly() {
    let inputs = all_inputs();
    assert!(
        inputs.len() > 20,
        "corpus went missing: {} files",
        inputs.len()
    );
    let mut accepted = 0;
    for (name, data) in &inputs {
        let n = checks::rpc_types(data);
        // Real encodings are some weld-rpc type or primitive, except a struct
        // map keyed by field numbers (blobstore's Chunk): no weld-rpc type
        // has integer map keys, and Document keys are strings.
        if name.starts_with("seeds/cbor_roundtrip/") && !name.contains("chunk-map") {
            assert!(n > 0, "{name} decodes as no weld-rpc type");
        }
        accepted += n;
    }
    assert!(accepted > inputs.len(), "only {accepted} decodes");
}

#[test]
fn mutated_inputs_never_panic() {
    let seeds: Vec<Vec<u8>> = all_inputs().into_iter().map(|(_, d)| d).collect();
    let accepted = mutate::run(&seeds, 3_000, 0x5250_4346_555a_5a00, checks::rpc_types);
    assert!(accepted > 3_000, "only {accepted} decodes in 3000 mutants");
}

fn deser_err<T: std::fmt::Debug>(r: Result<T, RpcError>) -> String {
    match r {
        Err(RpcError::Deser(m)) => m,
        other => panic!("expected a Deser error, got {other:?}"),
    }
}

#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    // 100 000 nested one-element arrays: a recursive decoder without a limit
    // overflows the stack (an abort, not a panic) long before the end.
    let depth = 100_000;
    let mut mp = vec![0x91; depth];
    mp.push(0xc0);
    deser_err(weld_rpc::common::deserialize::<Document>(&mp));
    let mut cb = vec![0x7f];
    cb.extend(std::iter::repeat_n(0x81, depth));
    cb.push(0xf6);
    deser_err(weld_rpc::common::decode::<Document>(&cb));
    let mut cb_indef = vec![0x7f];
    cb_indef.extend(std::iter::repeat_n(0x9f, depth));
    deser_err(weld_rpc::cbor::deserialize::<Document>(&cb_indef));
}

#[test]
fn huge_declared_lengths_fail_without_allocating_them() {
    // Array / map / string / bytes claiming 2^32 - 1 or 2^64 - 1 entries with
    // nothing behind them.
    let cases: &[&[u8]] = &[
        &[0xdd, 0xff, 0xff, 0xff, 0xff],
        &[0xdf, 0xff, 0xff, 0xff, 0xff],
        &[0xdb, 0xff, 0xff, 0xff, 0xff],
        &[0xc6, 0xff, 0xff, 0xff, 0xff],
        &[0x7f, 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        &[0x7f, 0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        &[0x7f, 0x7b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        &[0x7f, 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    ];
    for c in cases {
        assert_eq!(checks::rpc_types(c), 0, "{c:02x?} decoded as something");
        deser_err(weld_rpc::common::decode::<Document>(c));
        deser_err(weld_rpc::common::decode::<Vec<String>>(c));
        deser_err(weld_rpc::common::decode::<Invocation>(c));
    }
}

#[test]
fn out_of_range_timestamps_are_refused() {
    // nsec of one billion, as MessagePack {sec: 0, nsec: 1e9} and CBOR [0, 1e9].
    let mp = [
        0x82, 0xa3, b's', b'e', b'c', 0x00, 0xa4, b'n', b's', b'e', b'c', 0xce, 0x3b, 0x9a, 0xca,
        0x00,
    ];
    deser_err(weld_rpc::common::decode::<Timestamp>(&mp));
    let cb = [0x7f, 0x82, 0x00, 0x1a, 0x3b, 0x9a, 0xca, 0x00];
    deser_err(weld_rpc::common::decode::<Timestamp>(&cb));
    // One below the limit is fine and round-trips.
    let cb_ok = [0x7f, 0x82, 0x00, 0x1a, 0x3b, 0x9a, 0xc9, 0xff];
    let ts: Timestamp = weld_rpc::common::decode(&cb_ok).expect("valid timestamp");
    assert_eq!(ts.nsec, 999_999_999);
    checks::roundtrip(&ts, "Timestamp");
}

#[test]
fn truncated_encodings_of_real_values_fail_cleanly() {
    let ld = LinkDefinition {
        actor_id: "MACTOR".into(),
        provider_id: "VPROV".into(),
        link_name: "default".into(),
        contract_id: "wasmcloud:keyvalue".into(),
        values: [("k".to_string(), "v".to_string())].into_iter().collect(),
    };
    for full in [
        weld_rpc::common::serialize(&ld).unwrap(),
        weld_rpc::cbor::serialize(&ld).unwrap(),
    ] {
        let back: LinkDefinition = weld_rpc::common::decode(&full).expect("full encoding");
        assert_eq!(back, ld);
        // Every strict prefix is missing data: an error, never a panic, and
        // never a silently shortened value.
        for cut in 2..full.len() {
            if let Ok(v) = weld_rpc::common::decode::<LinkDefinition>(&full[..cut]) {
                panic!("prefix of {cut}/{} bytes decoded as {v:?}", full.len());
            }
        }
    }
}
