//! Bounded fuzz smoke run of the MessagePack and CBOR decoders of the
//! generated interface crates (keyvalue, httpserver, blobstore) and of
//! weld-rpc's own types, inside the normal `cargo test`.
//!
//! The properties are those of the libFuzzer targets in `fuzz/` (the same
//! source files, included below): decoding arbitrary bytes never panics, and
//! whatever decodes re-encodes with both codecs and decodes back to the same
//! value. Inputs are the seed corpora and every crash input kept under
//! `fuzz/regressions/`, then a fixed number of deterministic mutants of them
//! (fixed PRNG seed, about two seconds in a debug build).

#[path = "../../fuzz/src/checks.rs"]
#[allow(dead_code)]
mod checks;
#[path = "../../fuzz/src/families.rs"]
mod families;
#[path = "../../fuzz/src/mutate.rs"]
mod mutate;

use std::path::PathBuf;

use weld_interface_blobstore as bs;
use weld_interface_httpserver as hs;
use weld_interface_keyvalue as kv;

/// The files of `fuzz/<kind>/<target>/`, sorted by name (so runs are
/// reproducible), with their names.
fn files(kind: &str, target: &str) -> Vec<(String, Vec<u8>)> {
    let fuzz = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    mutate::corpus_files(&fuzz, kind, target)
}

/// Seeds of `target` (each must be accepted by some type: they are real
/// encodings) followed by extra encoded values; then every regression input,
/// which need only be handled without a panic.
fn corpus(target: &str, check: fn(&[u8]) -> usize, extra: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let mut all = Vec::new();
    let seeds = files("seeds", target);
    assert!(!seeds.is_empty(), "no seeds for {target}");
    for (name, data) in seeds {
        assert!(
            check(&data) > 0,
            "{target} seed `{name}` decodes as no type"
        );
        all.push(data);
    }
    for (i, data) in extra.into_iter().enumerate() {
        assert!(
            check(&data) > 0,
            "{target} built seed #{i} decodes as no type"
        );
        all.push(data);
    }
    for (_, data) in files("regressions", target) {
        check(&data);
        all.push(data);
    }
    all
}

/// Both encodings (MessagePack and prefixed CBOR) of a value.
fn both<T: checks::Wire>(v: &T) -> [Vec<u8>; 2] {
    [
        weld_rpc::common::serialize(v).expect("msgpack"),
        weld_rpc::cbor::serialize(v).expect("cbor"),
    ]
}

/// Mutants per family: together about two seconds in a debug build.
const ITERATIONS: usize = 6_000;
/// The fixed PRNG seed (change it only together with the expectations below).
const SEED: u64 = 0x5745_4c44_4655_5a5a; // "WELDFUZZ"

#[test]
fn keyvalue_decoders_survive_mutation() {
    let mut extra = Vec::new();
    extra.extend(both(&kv::SetRequest {
        key: "counter:é".into(),
        value: "v".repeat(40),
        expires: 3600,
    }));
    extra.extend(both(&kv::ListRangeRequest {
        list_name: "l".into(),
        start: -5,
        stop: i32::MAX,
    }));
    extra.extend(both(&vec!["a".to_string(), String::new(), "ü".into()]));
    extra.extend(both(&kv::IncrementRequest {
        key: "k".into(),
        value: i32::MIN,
    }));
    let corpus = corpus("msgpack_keyvalue", families::keyvalue, extra);
    let accepted = mutate::run(&corpus, ITERATIONS, SEED, families::keyvalue);
    eprintln!("{accepted} decodes accepted");
    // Mutants that still decode are what exercise the round trip: with these
    // seeds a good share do (a decoder refusing everything would fail here).
    assert!(
        accepted > ITERATIONS / 4,
        "only {accepted} decodes in {ITERATIONS} mutants"
    );
}

#[test]
fn httpserver_decoders_survive_mutation() {
    let mut extra = Vec::new();
    let mut header = hs::HeaderMap::new();
    header.insert("content-type".into(), vec!["text/plain".into()]);
    header.insert("x-many".into(), vec!["1".into(), "2".into()]);
    extra.extend(both(&hs::HttpRequest {
        method: "POST".into(),
        path: "/a/b".into(),
        query_string: "x=1&y=2".into(),
        header: header.clone(),
        body: vec![0, 1, 2, 0xff],
    }));
    extra.extend(both(&hs::HttpResponse {
        status_code: 404,
        header,
        body: b"not found".to_vec(),
    }));
    let corpus = corpus("msgpack_httpserver", families::httpserver, extra);
    let accepted = mutate::run(&corpus, ITERATIONS, SEED ^ 1, families::httpserver);
    eprintln!("{accepted} decodes accepted");
    assert!(
        accepted > ITERATIONS / 20,
        "only {accepted} decodes in {ITERATIONS} mutants"
    );
}

#[test]
fn cbor_decoders_survive_mutation() {
    let mut extra = Vec::new();
    extra.extend(both(&bs::Chunk {
        object_id: "o".into(),
        container_id: "c".into(),
        bytes: vec![1, 2, 3],
        offset: u64::MAX,
        is_last: true,
    }));
    extra.extend(both(&bs::ContainerMetadata {
        container_id: "c".into(),
        created_at: Some(weld_rpc::Timestamp::new(1_600_000_000, 999_999_999).expect("ts")),
    }));
    extra.extend(both(&weld_rpc::core::Invocation::default()));
    let corpus = corpus("cbor_roundtrip", families::cbor_types, extra);
    let accepted = mutate::run(&corpus, ITERATIONS, SEED ^ 2, families::cbor_types);
    eprintln!("{accepted} decodes accepted");
    assert!(
        accepted > ITERATIONS / 4,
        "only {accepted} decodes in {ITERATIONS} mutants"
    );
}

#[test]
fn mutation_is_deterministic() {
    let seeds = vec![vec![0x82, 0xa1, b'a', 0x01, 0xa1, b'b', 0xc3]];
    let collect = || {
        let mut rng = mutate::Rng::new(SEED);
        (0..50)
            .map(|_| mutate::mutate(&mut rng, &seeds[0], &seeds[0]))
            .collect::<Vec<_>>()
    };
    let a = collect();
    assert_eq!(a, collect());
    assert!(a.iter().any(|m| m != &seeds[0]), "mutator changed nothing");
}
