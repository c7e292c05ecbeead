//! Replays the `manifest` and `claims` fuzz corpora inside the normal test
//! suite: every seed in `fuzz/seeds/<target>/`, every crash input kept in
//! `fuzz/regressions/<target>/`, then a fixed number of deterministic
//! mutants of them. The properties are the fuzz targets' own
//! (`fuzz/src/host.rs`, included below), so a crash found by `cargo fuzz`
//! and fixed stays fixed.

#[path = "../../fuzz/src/host.rs"]
mod host_checks;
#[path = "../../fuzz/src/mutate.rs"]
mod mutate;

use std::path::PathBuf;

fn files(kind: &str, target: &str) -> Vec<(String, Vec<u8>)> {
    let fuzz = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    mutate::corpus_files(&fuzz, kind, target)
}

/// Mutants per target (a fraction of a second each in a debug build).
const ITERATIONS: usize = 3_000;
/// Fixed PRNG seed: the same mutants on every machine.
const SEED: u64 = 0x484f_5354_4655_5a5a; // "HOSTFUZZ"

/// Runs `check` over the seeds (each of which it must accept), the kept
/// crash inputs, and mutants of both; returns how many inputs it accepted.
fn replay(target: &str, check: fn(&[u8]) -> usize) -> usize {
    let seeds = files("seeds", target);
    assert!(!seeds.is_empty(), "no seeds for {target}");
    let mut corpus = Vec::new();
    for (name, data) in seeds {
        assert_eq!(check(&data), 1, "{target} seed `{name}` is not accepted");
        corpus.push(data);
    }
    for (name, data) in files("regressions", target) {
        eprintln!("{target}: replaying regressions/{name}");
        check(&data);
        corpus.push(data);
    }
    mutate::run(&corpus, ITERATIONS, SEED, check)
}

#[test]
fn manifest_corpus_parses_or_fails_at_a_real_place() {
    let accepted = replay("manifest", host_checks::manifest);
    eprintln!("{accepted} manifests accepted");
}

#[test]
fn claims_corpus_strips_and_verifies_without_panics() {
    let accepted = replay("claims", host_checks::claims);
    eprintln!("{accepted} modules stripped");
    // Mutants that still parse as modules are what exercise strip / hash;
    // a parser refusing everything would fail here. The mutator is byte
    // oriented, so most mutants break the module (about 10% parse).
    assert!(accepted > ITERATIONS / 30, "only {accepted} modules parsed");
}
