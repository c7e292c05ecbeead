//! A small deterministic mutator for the bounded fuzz smoke tests of the
//! normal test suite: the same seed gives the same inputs on every machine,
//! so a failure reproduces exactly. libFuzzer does the real exploration
//! (`cargo fuzz run`); this keeps the decoders honest on every `cargo test`.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

/// xorshift64*: tiny, fast, and good enough to pick mutations.
pub struct Rng(u64);

impl Rng {
    /// A generator started from `seed` (zero is remapped: xorshift sticks at 0).
    pub fn new(seed: u64) -> Rng {
        Rng(if seed == 0 {
            0x9e37_79b9_7f4a_7c15
        } else {
            seed
        })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Single bytes that mean something to MessagePack or CBOR decoders: type
/// markers, the 0x7f / 0xc1 message prefixes, nil / false / true, the
/// indefinite-length markers and "break".
const INTERESTING: &[u8] = &[
    0x00, 0x01, 0x7f, 0x80, 0xff, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xca, 0xcb, 0xcf, 0xd3, 0xd9, 0xdc,
    0xdd, 0xde, 0xdf, 0x1b, 0x3b, 0x5f, 0x7b, 0x9f, 0xbf, 0xf5, 0xf6, 0xf7, 0xf9, 0xfa, 0xfb,
];

/// Multi-byte tokens that stress length handling: huge declared lengths,
/// big integers, non-canonical floats, tags, a lone "break".
const TOKENS: &[&[u8]] = &[
    &[0xdd, 0xff, 0xff, 0xff, 0xff], // msgpack array32, 4G items
    &[0xdf, 0x7f, 0xff, 0xff, 0xff], // msgpack map32
    &[0xdb, 0xff, 0xff, 0xff, 0xf0], // msgpack str32
    &[0xc6, 0xff, 0xff, 0xff, 0xff], // msgpack bin32
    &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // msgpack u64 max
    &[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0], // msgpack i64 min
    &[0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1], // msgpack NaN
    &[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // CBOR array, u64 len
    &[0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // CBOR map, u64 len
    &[0x7b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // CBOR text, huge len
    &[0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // CBOR -2^64
    &[0xfb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1], // CBOR NaN
    &[0xf9, 0x7c, 0x00],             // CBOR half +inf
    &[0xc1, 0x1b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // tag 1, big epoch
    &[0x5f, 0x41, 0x00, 0xff],       // indefinite bytes
    &[0x7f, 0x61, 0x61, 0xff],       // indefinite text
    &[0xff],                         // break
];

/// One mutant of `input`: one to four random edits, possibly splicing in
/// part of `other`.
pub fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = out.len();
        match rng.below(10) {
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                out[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            2 => {
                let i = rng.below(len + 1);
                out.insert(i, rng.next_u64() as u8);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(8));
                out.drain(i..i + n);
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(16));
                let copy = out[i..i + n].to_vec();
                let at = rng.below(len + 1);
                out.splice(at..at, copy);
            }
            5 if len > 0 => out.truncate(rng.below(len)),
            6 if !other.is_empty() => {
                let i = rng.below(other.len());
                let n = 1 + rng.below((other.len() - i).min(32));
                let at = rng.below(len + 1);
                out.splice(at..at, other[i..i + n].iter().copied());
            }
            7 if len > 0 => {
                let i = rng.below(len);
                let delta = rng.below(9) as u8;
                out[i] = out[i].wrapping_add(delta).wrapping_sub(4);
            }
            8 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                let at = rng.below(len + 1);
                out.splice(at..at, t.iter().copied());
            }
            _ => {
                // Deep nesting: one-element arrays around the input, in
                // MessagePack (0x91) or CBOR (0x81), at the body start.
                let marker = if rng.below(2) == 0 { 0x91 } else { 0x81 };
                let depth = 1 + rng.below(300);
                let at = usize::from(matches!(out.first(), Some(0x7f | 0xc1)) && len > 1);
                out.splice(at..at, std::iter::repeat_n(marker, depth));
            }
        }
    }
    out
}

/// Runs `check` on `iterations` mutants of `seeds` (and on the seeds
/// themselves first), started from `seed`. Returns how many inputs `check`
/// accepted in total (its return values summed). A panic is re-raised after
/// printing the input that caused it, as hex, for a regression file.
pub fn run(
    seeds: &[Vec<u8>],
    iterations: usize,
    seed: u64,
    check: impl Fn(&[u8]) -> usize,
) -> usize {
    assert!(!seeds.is_empty(), "no seeds");
    let mut rng = Rng::new(seed);
    let mut accepted = 0;
    let mut guarded = |input: &[u8]| match catch_unwind(AssertUnwindSafe(|| check(input))) {
        Ok(n) => accepted += n,
        Err(p) => {
            let hex: String = input.iter().map(|b| format!("{b:02x}")).collect();
            eprintln!("decoder check panicked on input (hex): {hex}");
            resume_unwind(p)
        }
    };
    for s in seeds {
        guarded(s);
    }
    for _ in 0..iterations {
        let a = &seeds[rng.below(seeds.len())];
        let b = &seeds[rng.below(seeds.len())];
        let m = mutate(&mut rng, a, b);
        guarded(&m);
    }
    accepted
}

/// The files of `<fuzz_dir>/<kind>/<target>/` (`kind` is `seeds` or
/// `regressions`) as `(name, bytes)`, dot files skipped, sorted by name so
/// the smoke tests that replay them are reproducible.
pub fn corpus_files(
    fuzz_dir: &std::path::Path,
    kind: &str,
    target: &str,
) -> Vec<(String, Vec<u8>)> {
    let dir = fuzz_dir.join(kind).join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.expect("directory entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).expect("read corpus file"))
        })
        .filter(|(name, _)| !name.starts_with('.'))
        .collect();
    out.sort();
    out
}
