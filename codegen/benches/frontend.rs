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
//! Then: the load time of a generated 1k- and 10k-shape model (their ratio
//! shows whether loading is linear), and the prelude's costs (its text
//! parsed and resolved, against the checked-in code every load uses).
//! `WELD_BENCH_ONCE=interfaces|empty|<shape count>` loads one set once and
//! exits (for `valgrind --tool=callgrind`).
//!
//! Times are thread CPU time (see `cpu_now`).
//!
//! Run: `cargo bench -p weld-codegen --bench frontend` (add `-- --quick`
//! for a shorter run). Nothing here asserts speed.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};
use weld_codegen::smithy::source::FileId;
use weld_codegen::smithy::{self, json_ast, parser, prelude, resolve};

/// The allocator the `weld` binary runs with (see `src/main.rs`): the
/// front end allocates many small values, so the allocator is part of what
/// a `weld` run costs.
#[global_allocator]
static ALLOC: weld_codegen::alloc::MiMalloc = weld_codegen::alloc::MiMalloc;

/// CPU time of the calling thread. Wall time counts the time a run waits
/// for a core: on a shared machine long runs wait more often than short
/// ones, which skewed ratios between small and large inputs.
#[cfg(unix)]
fn cpu_now() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Elsewhere: a monotonic clock (wall time).
#[cfg(not(unix))]
fn cpu_now() -> Duration {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

/// Median CPU time of one call of `f`, measured over batches for about
/// `budget` of wall time.
fn measure(budget: Duration, mut f: impl FnMut()) -> Duration {
    // Warm up and size batches to ~10 ms.
    let t = cpu_now();
    f();
    let once = (cpu_now() - t).max(Duration::from_nanos(50));
    let per_batch = ((Duration::from_millis(10).as_nanos() / once.as_nanos()) as u32).max(1);
    let mut samples = Vec::new();
    let start = Instant::now();
    while start.elapsed() < budget || samples.len() < 5 {
        let t = cpu_now();
        for _ in 0..per_batch {
            f();
        }
        samples.push((cpu_now() - t) / per_batch);
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
            name: "parse only (IDL: lexer + parser)",
            bytes,
            time: measure(budget, || {
                let mut diags = Vec::new();
                for (i, (_, text)) in inputs.iter().enumerate() {
                    black_box(parser::parse(
                        FileId(i as u32 + 1),
                        black_box(text),
                        &mut diags,
                    ));
                }
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
    let time_of = |name: &str| {
        rows.iter()
            .find(|r| r.name == name)
            .map_or(f64::NAN, |r| r.time.as_secs_f64())
    };
    let parse = time_of("parse only (IDL: lexer + parser)");
    let load = time_of("load_sources (IDL)");
    println!(
        "  parse only / full load: {:.2} (share of load spent lexing and parsing)",
        parse / load
    );
}

/// Time of one `load_sources` of `inputs`.
fn load_time(inputs: &[(String, String)], budget: Duration) -> Duration {
    measure(budget, || {
        black_box(smithy::load_sources(black_box(inputs.to_vec())));
    })
}

/// Linearity: a 1k- and a 10k-shape model of the same make, loaded in the
/// same process. With linear cost the time ratio equals the size ratio.
fn bench_linearity(budget: Duration) {
    let small = generated(1_000);
    let large = generated(10_000);
    let bytes = |v: &[(String, String)]| v.iter().map(|(_, t)| t.len()).sum::<usize>();
    let (bs, bl) = (bytes(&small), bytes(&large));
    let (ts, tl) = (load_time(&small, budget), load_time(&large, budget));
    println!("\nlinearity (load_sources of generated models)");
    println!(
        "  1k shapes:  {bs:>8} bytes {ts:>12.3?} {:>8.1} MB/s",
        mb_per_s(bs, ts)
    );
    println!(
        "  10k shapes: {bl:>8} bytes {tl:>12.3?} {:>8.1} MB/s",
        mb_per_s(bl, tl)
    );
    println!(
        "  time ratio 10k/1k: {:.2} for a size ratio of {:.2} (equal = linear)",
        tl.as_secs_f64() / ts.as_secs_f64(),
        bl as f64 / bs as f64
    );
}

/// The prelude: what parsing and resolving its text costs, against building
/// the same fragment from the checked-in code (`prelude::fragment`), which
/// is what every load does; and the fixed cost of a load (an empty model:
/// the prelude assembled and validated).
fn bench_prelude(budget: Duration) {
    let text = measure(budget / 4, || {
        let mut diags = Vec::new();
        let ast = parser::parse(FileId(0), black_box(prelude::TEXT), &mut diags);
        let mut scope = resolve::Scope::new();
        scope.add_file(&ast);
        black_box(resolve::resolve(&ast, &scope, &mut diags));
    });
    let built = measure(budget / 4, || {
        black_box(prelude::fragment());
    });
    let empty = vec![("empty.smithy".to_string(), "$version: \"2\"\n".to_string())];
    let per_load = load_time(&empty, budget / 4);
    println!("\nprelude ({} bytes)", prelude::TEXT.len());
    println!("  parse + resolve its text:               {text:>10.3?}");
    println!(
        "  build it from the checked-in code:      {built:>10.3?} (ratio text/code {:.1})",
        text.as_secs_f64() / built.as_secs_f64()
    );
    println!("  fixed cost of every load (empty model): {per_load:>10.3?}");
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs us with
    // no such flag: then do one quick pass as a smoke test.
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick") || !args.iter().any(|a| a == "--bench");
    // For profilers (callgrind): load one set once and exit.
    if let Ok(which) = std::env::var("WELD_BENCH_ONCE") {
        let inputs = match which.as_str() {
            "interfaces" => interfaces(),
            "empty" => vec![("empty.smithy".to_string(), "$version: \"2\"\n".to_string())],
            n => generated(
                n.parse()
                    .expect("WELD_BENCH_ONCE: interfaces, empty or a shape count"),
            ),
        };
        let r = smithy::load_sources(inputs);
        println!(
            "{} shapes, {} diagnostics",
            r.model.shapes.len(),
            r.diagnostics.len()
        );
        return;
    }
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
    bench_linearity(budget);
    bench_prelude(budget);
}
