//! The whole front end (lexer, parser, JSON AST reader, assembler,
//! validator, rendering) must turn any input into diagnostics: never a
//! panic, never a hang. Inputs: random bytes, random token soup, every
//! truncation and many mutations of the corpus and `interfaces/` files,
//! pathological nesting, a 10 MB file, unterminated strings and text
//! blocks. Generators are deterministic (fixed seeds) so failures
//! reproduce; proptest adds shrinking random strings on top.

// The span invariant is the smithy_load fuzz target's own; this test
// does not use the target's entry point.
#[allow(dead_code)]
#[path = "../../fuzz/src/smithy.rs"]
mod smithy_checks;

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;
use weld_codegen::smithy::{self, json_ast, render};

/// Upper bound for any single test's work; far above normal run time, so
/// only a hang (or a pathological slowdown) trips it.
const WATCHDOG: Duration = Duration::from_secs(240);

/// Runs `f` on a thread with the default stack size; fails instead of
/// hanging forever.
fn with_watchdog(name: &str, f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            f();
            let _ = tx.send(());
        })
        .unwrap();
    match rx.recv_timeout(WATCHDOG) {
        Ok(()) => handle.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The thread panicked: re-raise its panic with its message.
            if let Err(p) = handle.join() {
                std::panic::resume_unwind(p);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name}: no result after {WATCHDOG:?}"),
    }
}

/// Loads one file and checks the invariants every result must hold.
fn check(name: &str, text: &str) {
    check_many(vec![(name.to_string(), text.to_string())], false);
}

fn check_many(inputs: Vec<(String, String)>, render_all: bool) {
    let names: Vec<String> = inputs
        .iter()
        .map(|(n, t)| format!("{n} ({} bytes)", t.len()))
        .collect();
    let started = std::time::Instant::now();
    let r = smithy::load_sources(inputs);
    if started.elapsed() > Duration::from_secs(2) {
        // Not a failure by itself (machines differ); shown to spot
        // super-linear behaviour.
        eprintln!("slow: {:?} took {:?}", names, started.elapsed());
    }
    smithy_checks::assert_spans_in_files(&r, &names.join(", "));
    if render_all {
        let _ = render::render_human(&r.sources, &r.diagnostics, false);
        let _ = render::render_json(&r.sources, &r.diagnostics);
    }
    // Round trip only moderately sized models: debug builds are slow and
    // the property is size-independent.
    let size: usize = r.sources.iter().skip(1).map(|(_, f)| f.text.len()).sum();
    if !r.has_errors() && size < 256 << 10 {
        // A model that loads must survive its own JSON AST.
        let text = json_ast::write_string(&r.model);
        let again = smithy::load_sources(vec![("again.json".into(), text.clone())]);
        assert!(
            !again.has_errors(),
            "JSON AST of a valid model does not load:\n{}\n{}",
            render::render_human(&again.sources, &again.diagnostics, false),
            text
        );
    }
}

/// xorshift64*: tiny, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Every model file of the feature corpus and `interfaces/`.
fn seed_files() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<_> = rd.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                walk(&p, out);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("smithy" | "json")
            ) {
                if let Ok(t) = std::fs::read_to_string(&p) {
                    out.push((p.display().to_string(), t));
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus"),
        &mut out,
    );
    walk(&repo_root().join("interfaces"), &mut out);
    out
}

fn ext_of(name: &str) -> &'static str {
    if name.ends_with(".json") {
        "json"
    } else {
        "smithy"
    }
}

#[test]
fn random_bytes() {
    with_watchdog("random_bytes", || {
        let mut rng = Rng(0x5eed_0001);
        for i in 0..1500 {
            let len = rng.below(600);
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let ext = if i % 2 == 0 { "smithy" } else { "json" };
            check(&format!("random{i}.{ext}"), &text);
        }
    });
}

/// Random sequences of real Smithy tokens reach much deeper parser states
/// than random bytes.
#[test]
fn token_soup() {
    const TOKENS: &[&str] = &[
        "$version: \"2\"\n",
        "$version: \"1.0\"\n",
        "$operationInputSuffix: \"In\"\n",
        "namespace a.b\n",
        "use a.b#C\n",
        "metadata x = ",
        "apply ",
        "structure ",
        "union ",
        "list ",
        "set ",
        "map ",
        "enum ",
        "intEnum ",
        "service ",
        "operation ",
        "resource ",
        "string ",
        "integer ",
        "with ",
        "for ",
        "input",
        "output",
        "errors",
        "member",
        "key",
        "value",
        "identifiers",
        "operations",
        "version",
        "Foo",
        "Bar",
        "$member",
        "$",
        "#",
        "a.b#C",
        "a.b#C$d",
        "smithy.api#String",
        "String",
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        ":",
        ":=",
        "=",
        ",",
        "@",
        "@required",
        "@documentation(\"x\")",
        "@length(min: 1)",
        "@mixin",
        "\"str\"",
        "\"\"\"\n  text\n  \"\"\"",
        "\"unterminated",
        "\"\"\"",
        "\\",
        "\\u",
        "1",
        "-1",
        "1.5e3",
        "123456789012345678901234567890",
        "-",
        "e",
        "true",
        "false",
        "null",
        "///doc\n",
        "// c\n",
        "\n",
        " ",
        "\t",
        "\r\n",
        "é",
        "\u{0}",
        "\"\\ud800\"",
        "{\"smithy\": \"2.0\", \"shapes\": {",
        "\"a.b#C\": {\"type\": \"structure\"",
        "\"members\": {",
        "\"target\":",
        "\"traits\": {",
        "\"apply\"",
    ];
    with_watchdog("token_soup", || {
        let mut rng = Rng(0x5eed_0002);
        for i in 0..2500 {
            let n = 1 + rng.below(60);
            let text: String = (0..n).map(|_| *rng.pick(TOKENS)).collect();
            let ext = if i % 5 == 0 { "json" } else { "smithy" };
            check(&format!("soup{i}.{ext}"), &text);
        }
    });
}

/// Every prefix (in steps) of every seed file, as if the file were cut
/// off anywhere: unterminated everything.
#[test]
fn truncations() {
    with_watchdog("truncations", || {
        for (name, text) in seed_files() {
            let step = (text.len() / 40).max(1);
            let mut cut = 0;
            while cut < text.len() {
                if text.is_char_boundary(cut) {
                    check(&format!("{name}@{cut}.{}", ext_of(&name)), &text[..cut]);
                }
                cut += step;
            }
        }
    });
}

/// Byte-level mutations of seed files: flips, deletions, duplications,
/// insertions of structural characters.
#[test]
fn mutations() {
    with_watchdog("mutations", || {
        let seeds = seed_files();
        assert!(!seeds.is_empty());
        let mut rng = Rng(0x5eed_0003);
        const INSERTS: &[&[u8]] = &[
            b"{", b"}", b"[", b"]", b"(", b")", b"\"", b"\"\"\"", b"\\", b"@", b"$", b"#", b":",
            b"=", b",", b"\n", b"//", b"///", b"0", b"-", b"with [", b"apply ", b"\xff",
        ];
        for round in 0..8 {
            for (name, text) in &seeds {
                let mut bytes = text.as_bytes().to_vec();
                for _ in 0..1 + rng.below(4) {
                    if bytes.is_empty() {
                        break;
                    }
                    let at = rng.below(bytes.len());
                    match rng.below(4) {
                        0 => bytes[at] ^= 1 << rng.below(8),
                        1 => {
                            let end = (at + 1 + rng.below(40)).min(bytes.len());
                            bytes.drain(at..end);
                        }
                        2 => {
                            let end = (at + 1 + rng.below(80)).min(bytes.len());
                            let chunk = bytes[at..end].to_vec();
                            bytes.splice(at..at, chunk);
                        }
                        _ => {
                            let ins = rng.pick(INSERTS);
                            bytes.splice(at..at, ins.iter().copied());
                        }
                    }
                }
                let mutated = String::from_utf8_lossy(&bytes).into_owned();
                check(&format!("{name}~{round}.{}", ext_of(name)), &mutated);
            }
        }
    });
}

#[test]
fn deep_nesting() {
    with_watchdog("deep_nesting", || {
        let n = 100_000;
        let cases = [
            format!(
                "$version: \"2\"\nnamespace a\n@tags({})\nstring S\n",
                "[".repeat(n)
            ),
            format!(
                "$version: \"2\"\nnamespace a\n@tags({}\nstring S\n",
                "{a:".repeat(n)
            ),
            format!("$version: \"2\"\nmetadata m = {}\n", "[".repeat(n)),
            format!(
                "$version: \"2\"\nmetadata m = {}1{}\n",
                "[".repeat(n),
                "]".repeat(n)
            ),
            format!("namespace a\nstructure S {}\n", "{".repeat(n)),
            format!("namespace a\n{}\n", "(".repeat(n)),
            "@".repeat(n),
        ];
        for (i, text) in cases.iter().enumerate() {
            check_many(vec![(format!("deep{i}.smithy"), text.clone())], true);
        }
        check_many(vec![("deep.json".into(), "[".repeat(n))], true);
        let json = format!(
            "{{\"smithy\": \"2.0\", \"metadata\": {{\"m\": {}1{}}}}}",
            "[".repeat(n),
            "]".repeat(n)
        );
        check_many(vec![("deepmeta.json".into(), json)], true);
    });
}

/// ~10 MB of valid shapes: linear time, no stack or memory blow-up.
#[test]
fn huge_valid_model() {
    with_watchdog("huge_valid_model", || {
        let mut big = String::from("$version: \"2\"\nnamespace big\n");
        let mut i = 0;
        while big.len() < 10 << 20 {
            big.push_str(&format!(
                "/// Shape {i}\nstructure S{i} {{\n    @required\n    a: String\n    b: Integer = {i}\n}}\n"
            ));
            i += 1;
        }
        let r = smithy::load_sources(vec![("big.smithy".into(), big)]);
        assert!(!r.has_errors());
        assert_eq!(r.model.user_shapes().count(), i);
    });
}

/// 10 MB inside one string, comment, text block, JSON string; one 10 MB
/// line of garbage.
#[test]
fn huge_tokens() {
    with_watchdog("huge_tokens", || {
        let payload = "x".repeat(10 << 20);
        check(
            "bigstring.smithy",
            &format!("namespace a\n@documentation(\"{payload}\")\nstring S\n"),
        );
        check(
            "bigcomment.smithy",
            &format!("namespace a\n// {payload}\nstring S\n"),
        );
        check(
            "bigtext.smithy",
            &format!("$version: \"2\"\nnamespace a\n@documentation(\"\"\"\n{payload}\n\"\"\")\nstring S\n"),
        );
        check(
            "bigjson.json",
            &format!("{{\"smithy\": \"2.0\", \"metadata\": {{\"a\": \"{payload}\"}}}}"),
        );
        check_many(vec![("bigline.smithy".into(), "}{".repeat(5 << 20))], true);
        check_many(vec![("bigline.json".into(), "[".repeat(10 << 20))], true);
    });
}

#[test]
fn unterminated_constructs() {
    with_watchdog("unterminated", || {
        let cases = [
            "namespace a\n@documentation(\"never ends\nstring S\n",
            "namespace a\n@documentation(\"never ends",
            "namespace a\n@documentation(\"ends with backslash\\",
            "$version: \"2\"\nnamespace a\n@documentation(\"\"\"\n    text block never ends\n",
            "$version: \"2\"\nnamespace a\n@documentation(\"\"\"",
            "$version: \"2\"\nnamespace a\n@documentation(\"\"\"no newline after open\"\"\")\nstring S\n",
            "$version: \"2\"\nnamespace a\n@documentation(\"\\u12\")\nstring S\n",
            "$version: \"2\"\nnamespace a\n@documentation(\"\\ud800\")\nstring S\n",
            "$version: \"2\"\nnamespace a\nstructure S {\n    a: String\n",
            "$version: \"2\"\nnamespace a\nstructure S {\n    a: ",
            "$version: \"2\"\nnamespace a\napply S {\n",
            "$version: \"",
            "///",
            "\u{feff}",
            "",
        ];
        for (i, text) in cases.iter().enumerate() {
            check_many(
                vec![(format!("unterminated{i}.smithy"), text.to_string())],
                true,
            );
        }
        for (i, text) in [
            "{\"smithy\": \"2.0",
            "{\"smithy\": \"2.0\", \"shapes\": {\"a#B\": {",
            "\"\\",
            "{",
        ]
        .iter()
        .enumerate()
        {
            check_many(
                vec![(format!("unterminated{i}.json"), text.to_string())],
                true,
            );
        }
    });
}

/// Unterminated and garbage input is reported, not accepted silently.
#[test]
fn broken_input_is_reported_with_an_error() {
    for (name, text) in [
        ("a.smithy", "namespace a\n@documentation(\"never ends"),
        (
            "b.smithy",
            "$version: \"2\"\nnamespace a\n@documentation(\"\"\"\n  x\n",
        ),
        ("c.json", "{\"smithy\": \"2.0\""),
        ("d.smithy", "\u{0}\u{1}\u{2}"),
    ] {
        let r = smithy::load_sources(vec![(name.into(), text.into())]);
        assert!(r.has_errors(), "{name}: no error for broken input");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_smithy(s in "\\PC{0,300}") {
        check("prop.smithy", &s);
    }

    #[test]
    fn arbitrary_strings_json(s in "[\\[\\]{}\":,0-9a-z#.$ \\\\-]{0,200}") {
        check("prop.json", &s);
    }

    #[test]
    fn arbitrary_node_values(s in "[\\[\\]{}()\":,0-9a-zA-Z#.$@= \\n\\\\-]{0,200}") {
        check("prop.smithy", &format!("$version: \"2\"\nnamespace p\n@tags({s})\nstring S\n"));
    }
}
