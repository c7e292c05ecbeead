//! Front-end benchmark: parse + assemble + validate (`load_sources`) of all
//! of `interfaces/` and of a generated 10k-shape model, plus JSON AST
//! reading and writing. Prints MB/s and ratios against baselines measured
//! in the same process on the same bytes:
//!
//! - `scan`: a plain byte scan (counting newlines), the floor for any
//!   parser touching every byte;
//! - `serde_json`: `serde_json::from_str::<Value>` of the model's JSON AST,
//!   a well-optimised general parser doing comparable work.
//!
//! Run: `cargo bench -p weld-codegen --bench frontend` (add `-- --quick`
//! for a shorter run). Nothing here asserts speed.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};
use weld_codegen::smithy::source::FileId;
use weld_codegen::smithy::{self, json_ast};

/// Median time of one call of `f`, measured over batches for about `budget`.
fn measure(budget: Duration, mut f: impl FnMut()) -> Duration {
    // Warm up and size batches to ~10 ms.
    let t = Instant::now();
    f();
    let once = t.elapsed().max(Duration::from_nanos(50));
    let per_batch = ((Duration::from_millis(10).as_nanos() / once.as_nanos()) as u32).max(1);
    let mut samples = Vec::new();
    let start = Instant::now();
    while start.elapsed() < budget || samples.len() < 5 {
        let t = Instant::now();
        for _ in 0..per_batch {
            f();
        }
        samples.push(t.elapsed() / per_batch);
    }
    samples.sort();
    samples[samples.len() / 2]
}

fn mb_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64() / 1e6
}

fn scan(inputs: &[(String, String)]) -> usize {
    inputs
        .iter()
        .map(|(_, t)| t.bytes().filter(|&b| b == b'\n').count())
        .sum()
}

fn interfaces() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        let mut paths: Vec<_> = match std::fs::read_dir(dir) {
            Ok(rd) => rd.map(|e| e.unwrap().path()).collect(),
            Err(_) => return,
        };
        paths.sort();
        for p in paths {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "smithy") {
                out.push((
                    p.display().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                ));
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../interfaces"),
        &mut out,
    );
    out
}

/// A synthetic model of `n` shapes covering the common shape kinds, with
/// doc comments, traits and defaults, split over 10 files.
fn generated(n: usize) -> Vec<(String, String)> {
    let files = 10;
    let mut out = Vec::new();
    for f in 0..files {
        let mut s = format!("$version: \"2\"\n\nnamespace bench.gen{f}\n\n");
        let per_file = n / files;
        let mut i = 0;
        while i < per_file {
            let id = f * per_file + i;
            match i % 5 {
                0 => s.push_str(&format!(
                    "/// Structure number {id}.\n@tags([\"a\", \"b\"])\nstructure S{id} {{\n    @required\n    id: String\n    count: Integer = 0\n    items: L{next}\n    nested: S{prev}\n}}\n\n",
                    next = id + 1,
                    prev = if i == 0 { id } else { id - 5 }
                )),
                1 => s.push_str(&format!("list L{id} {{\n    member: String\n}}\n\n")),
                2 => s.push_str(&format!(
                    "enum E{id} {{\n    A = \"a\"\n    B = \"b\"\n    C\n}}\n\n"
                )),
                3 => s.push_str(&format!(
                    "@readonly\noperation Op{id} {{\n    input := {{\n        key: String\n    }}\n    output := {{\n        value: Long\n    }}\n}}\n\n"
                )),
                _ => s.push_str(&format!(
                    "map M{id} {{\n    key: String\n    value: S{base}\n}}\n\n",
                    base = id - 4
                )),
            }
            i += 1;
        }
        out.push((format!("gen{f}.smithy"), s));
    }
    out
}

struct Row {
    name: &'static str,
    bytes: usize,
    time: Duration,
}

fn report(title: &str, rows: &[Row], baseline: &str) {
    let base = rows.iter().find(|r| r.name == baseline).map(|r| r.time);
    println!("\n{title}");
    println!(
        "  {:<34} {:>12} {:>10} {:>12}",
        "", "time", "MB/s", "x baseline"
    );
    for r in rows {
        let ratio = base.map_or(f64::NAN, |b| r.time.as_secs_f64() / b.as_secs_f64());
        println!(
            "  {:<34} {:>12.3?} {:>10.1} {:>12.2}",
            r.name,
            r.time,
            mb_per_s(r.bytes, r.time),
            ratio
        );
    }
    println!("  (x baseline = time relative to `{baseline}`; lower is faster)");
}

fn bench_set(title: &str, inputs: Vec<(String, String)>, budget: Duration) {
    let bytes: usize = inputs.iter().map(|(_, t)| t.len()).sum();
    let first = smithy::load_sources(inputs.clone());
    if first.has_errors() {
        let text = smithy::render::render_human(&first.sources, &first.diagnostics, false);
        println!("\n{title}: model has errors; timing the error path:\n{text}");
    }
    let ast = json_ast::write_string(&first.model);
    let shapes = first.model.user_shapes().count();
    let ast_input = vec![("model.json".to_string(), ast.clone())];

    let rows = vec![
        Row {
            name: "scan (newline count)",
            bytes,
            time: measure(budget, || {
                black_box(scan(black_box(&inputs)));
            }),
        },
        Row {
            name: "serde_json::from_str (JSON AST)",
            bytes: ast.len(),
            time: measure(budget, || {
                black_box(serde_json::from_str::<serde_json::Value>(black_box(&ast)).ok());
            }),
        },
        Row {
            name: "load_sources (IDL)",
            bytes,
            time: measure(budget, || {
                black_box(smithy::load_sources(black_box(inputs.clone())));
            }),
        },
        Row {
            name: "json_ast::read (JSON AST only)",
            bytes: ast.len(),
            time: measure(budget, || {
                let mut diags = Vec::new();
                black_box(json_ast::read(FileId(1), black_box(&ast), &mut diags));
            }),
        },
        Row {
            name: "load_sources (JSON AST)",
            bytes: ast.len(),
            time: measure(budget, || {
                black_box(smithy::load_sources(black_box(ast_input.clone())));
            }),
        },
        Row {
            name: "json_ast::write_string",
            bytes: ast.len(),
            time: measure(budget, || {
                black_box(json_ast::write_string(black_box(&first.model)));
            }),
        },
    ];
    report(
        &format!(
            "{title}: {} files, {bytes} bytes IDL, {} bytes JSON AST, {shapes} shapes",
            inputs.len(),
            ast.len()
        ),
        &rows,
        "serde_json::from_str (JSON AST)",
    );
    // The prelude is assembled into every model; show its fixed cost.
    let empty = vec![("empty.smithy".to_string(), "$version: \"2\"\n".to_string())];
    let t = measure(budget / 4, || {
        black_box(smithy::load_sources(black_box(empty.clone())));
    });
    println!("  fixed cost (empty model incl. prelude): {t:.3?}");
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs us with
    // no such flag: then do one quick pass as a smoke test.
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick") || !args.iter().any(|a| a == "--bench");
    let budget = if quick {
        Duration::from_millis(50)
    } else {
        Duration::from_secs(1)
    };
    let ifaces = interfaces();
    if ifaces.is_empty() {
        println!("interfaces/: no .smithy files found; skipped");
    } else {
        bench_set("interfaces/", ifaces, budget);
    }
    bench_set("generated 10k shapes", generated(10_000), budget);
}
