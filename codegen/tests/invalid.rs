//! The invalid corpus: every file under `tests/corpus/invalid/` is a small
//! model with one problem. Its header comments list the diagnostics it must
//! produce, one per line, as `// expect: CODE LINE:COL`; the test asserts that
//! loading the file yields exactly those diagnostics (code and start
//! position), no more and no fewer. Warnings are listed like errors.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use weld_codegen::smithy::{self, codes, source::FileId, validate};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/invalid")
}

/// `(code, line, col)` triples from the `// expect:` header lines.
fn expectations(text: &str) -> BTreeSet<(String, usize, usize)> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix("// expect:") else {
            continue;
        };
        let mut parts = rest.split_whitespace();
        let code = parts.next().expect("expect line has a code").to_string();
        let pos = parts.next().expect("expect line has LINE:COL");
        let (l, c) = pos.split_once(':').expect("LINE:COL");
        out.insert((code, l.parse().expect("line"), c.parse().expect("col")));
    }
    out
}

/// Loads one corpus file; returns the diagnostics located in it plus any
/// located elsewhere (those are always a failure).
fn actual(name: &str, text: &str) -> (BTreeSet<(String, usize, usize)>, Vec<String>) {
    let res = smithy::load_sources(vec![(name.to_string(), text.to_string())]);
    let mut here = BTreeSet::new();
    let mut elsewhere = Vec::new();
    for d in &res.diagnostics {
        match d.span {
            Some(span) if span.file != FileId(0) => {
                let loc = res.sources.location(span);
                here.insert((d.code.to_string(), loc.line, loc.col));
            }
            Some(span) => elsewhere.push(format!(
                "{} {} ({})",
                d.code,
                res.sources.location(span),
                d.message
            )),
            None => elsewhere.push(format!("{} <no span> ({})", d.code, d.message)),
        }
    }
    (here, elsewhere)
}

#[test]
fn invalid_corpus() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("corpus dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "smithy" || e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "corpus has only {} files", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read corpus file");
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let want = expectations(&text);
        if want.is_empty() {
            failures.push(format!("{name}: no `// expect:` lines"));
            continue;
        }
        for (code, _, _) in &want {
            if codes::lookup(code).is_none() {
                failures.push(format!(
                    "{name}: expected code {code} is not in codes::CODES"
                ));
            }
        }
        let (got, elsewhere) = actual(&name, &text);
        if got != want || !elsewhere.is_empty() {
            let fmt = |s: &BTreeSet<(String, usize, usize)>| {
                s.iter()
                    .map(|(c, l, col)| format!("{c} {l}:{col}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            failures.push(format!(
                "{name}:\n    expected: {}\n    got:      {}{}",
                fmt(&want),
                fmt(&got),
                if elsewhere.is_empty() {
                    String::new()
                } else {
                    format!("\n    outside the file: {}", elsewhere.join("; "))
                }
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} corpus file(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every validator code is exercised by at least one corpus file.
#[test]
fn corpus_covers_every_validator_code() {
    let mut covered = BTreeSet::new();
    for entry in std::fs::read_dir(corpus_dir()).expect("corpus dir") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
        covered.extend(expectations(&text).into_iter().map(|(c, _, _)| c));
    }
    let missing: Vec<&str> = codes::CODES
        .iter()
        .filter(|c| c.stage == "validator" && !covered.contains(c.code))
        .map(|c| c.code)
        .collect();
    assert!(
        missing.is_empty(),
        "validator codes without a corpus file: {missing:?}"
    );
}

/// The prelude on its own parses, assembles and validates cleanly.
#[test]
fn prelude_is_clean() {
    let res = smithy::load_sources(Vec::new());
    let mut diags = res.diagnostics.clone();
    diags.extend(validate::validate_with(
        &res.model,
        &res.sources,
        validate::Options {
            include_prelude: true,
        },
    ));
    let msgs: Vec<String> = diags
        .iter()
        .map(|d| match d.span {
            Some(s) => format!("{} {} {}", d.code, res.sources.location(s), d.message),
            None => format!("{} {}", d.code, d.message),
        })
        .collect();
    assert!(msgs.is_empty(), "prelude diagnostics:\n{}", msgs.join("\n"));
    // Spot checks that the whole prelude is there.
    for name in [
        "String",
        "Unit",
        "PrimitiveInteger",
        "default",
        "enumValue",
        "httpQueryParams",
        "requestCompression",
        "box",
    ] {
        assert!(
            res.model
                .shape(&weld_codegen::model::ShapeId::prelude(name))
                .is_some(),
            "prelude lacks {name}"
        );
    }
}

/// Every code literal in the front end's sources (`"E0123"`, `"W0200"`) is
/// listed in the code table, so the table stays complete as stages add codes.
#[test]
fn code_table_lists_every_emitted_code() {
    fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("src dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                rs_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    rs_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/smithy"),
        &mut files,
    );
    files.sort();
    let mut missing = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        let b = text.as_bytes();
        for i in 0..b.len().saturating_sub(6) {
            let lit = &b[i..i + 7];
            if lit[0] == b'"'
                && (lit[1] == b'E' || lit[1] == b'W')
                && lit[2..6].iter().all(u8::is_ascii_digit)
                && lit[6] == b'"'
            {
                let code = std::str::from_utf8(&lit[1..6]).unwrap();
                if codes::lookup(code).is_none() {
                    missing.insert(format!("{code} ({})", f.display()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "codes missing from codes::CODES: {missing:?}"
    );
}
