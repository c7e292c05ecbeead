//! Replays the `smithy_load` fuzz corpus inside the normal test suite:
//! every seed in `fuzz/seeds/smithy_load/`, every crash input kept in
//! `fuzz/regressions/smithy_load/`, then a fixed number of deterministic
//! mutants of them. The property is the fuzz target's own
//! (`fuzz/src/smithy.rs`, included below), so a crash found by `cargo fuzz`
//! and fixed stays fixed.

#[path = "../../fuzz/src/mutate.rs"]
mod mutate;
#[path = "../../fuzz/src/smithy.rs"]
mod smithy_checks;

use std::path::PathBuf;

fn files(kind: &str) -> Vec<(String, Vec<u8>)> {
    let fuzz = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    mutate::corpus_files(&fuzz, kind, "smithy_load")
}

/// Mutants (each loaded twice, as IDL and as JSON AST, in a debug build).
const ITERATIONS: usize = 1_000;
/// Fixed PRNG seed: the same mutants on every machine.
const SEED: u64 = 0x534d_4954_4859_465a; // "SMITHYFZ"

#[test]
fn smithy_load_corpus_gives_diagnostics_never_panics() {
    let seeds = files("seeds");
    assert!(!seeds.is_empty(), "no smithy_load seeds");
    let mut corpus = Vec::new();
    let mut clean_seeds = 0;
    for (name, data) in seeds {
        // A seed is loaded alone, so one that `use`s another file's shapes
        // has errors; the ones that stand alone must load cleanly in their
        // own format.
        let clean = smithy_checks::smithy_load(&data);
        assert!(
            clean <= 1,
            "seed `{name}` loads cleanly as both IDL and JSON"
        );
        clean_seeds += clean;
        corpus.push(data);
    }
    // wasmcloud-model.smithy and the two JSON AST seeds need nothing else.
    assert!(clean_seeds >= 3, "only {clean_seeds} seeds load cleanly");
    for (name, data) in files("regressions") {
        eprintln!("smithy_load: replaying regressions/{name}");
        smithy_checks::smithy_load(&data);
        corpus.push(data);
    }
    let clean = mutate::run(&corpus, ITERATIONS, SEED, smithy_checks::smithy_load);
    eprintln!("{clean} clean loads among the seeds and {ITERATIONS} mutants");
}
