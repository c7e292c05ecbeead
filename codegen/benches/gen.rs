//! Benchmark of the Rust generator (`cargo bench -p weld-codegen --bench gen`).
//!
//! 1. In process: model -> formatted Rust source for every namespace of
//!    `interfaces/`, against the baseline of loading (parse + assemble +
//!    validate) the same files, measured in the same run.
//! 2. Whole process: `weld gen` of the keyvalue interface (spawned binary,
//!    writing a crate into a temp dir), N runs, mean and median, of the
//!    binary as shipped (`scripts/build-weld.sh`, which links glibc
//!    statically on Linux; `WELD_BIN` names another), interleaved with
//!    cargo's own dynamically linked build of the same code, and against
//!    baselines measured in the same run: the start-up cost of a process of
//!    the same binary (`weld --version`), `weld validate` of the same files,
//!    and the in-process generation of the same crate. States whether the
//!    aim (under 5 ms, mean) is met.
//!
//! 3. Upstream baseline: wasmCloud's published generator (crates.io
//!    `weld-codegen` 0.7.0, binary `codegen`; atelier front end, then
//!    `rustfmt` on its output) generating the same keyvalue interface from
//!    the same files, whole process, writing `src/keyvalue.rs` into a temp
//!    dir from a `codegen.toml` that names local files only (no network).
//!    Its runs are interleaved with the `weld gen` runs of part 2 (same N,
//!    mean and median), so a change in machine load weighs on both alike;
//!    a third interleaved series runs it with `true` as its formatter, to
//!    show how much of it is rustfmt. The ratio upstream/weld is what the
//!    aim expresses (about 40 ms / 5 ms = 8x when it was set), so it is
//!    stated against 8x and holds however fast the machine is that day.
//!    Upstream writes one source file where `weld gen` writes a whole crate,
//!    so the comparison, if anything, favours upstream. The bench checks
//!    that upstream really generated the interface (the `KeyValue` trait)
//!    and that rustfmt changed it. The binary is `WELD_UPSTREAM_CODEGEN`,
//!    else `<target dir>/upstream-weld/bin/codegen`, where
//!    `scripts/upstream-codegen.sh` installs it; without it this part is
//!    skipped, and the output says so and how to get it.
//!
//! In-process times are medians; the figures that matter are the ratios to
//! the baselines. `WELD_BENCH_RUNS` sets N (default 200).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use weld_codegen::rust::{self, CrateSpec, RustOptions, Templates};
use weld_test_support::verdict;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// `runs` timings of `f`, after one untimed warm-up call.
fn samples<F: FnMut()>(runs: usize, mut f: F) -> Vec<Duration> {
    f();
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect()
}

fn time<F: FnMut()>(runs: usize, f: F) -> Duration {
    median(samples(runs, f))
}

fn mean_median(v: Vec<Duration>) -> (Duration, Duration) {
    let mean = v.iter().sum::<Duration>() / v.len() as u32;
    (mean, median(v))
}

/// Mean and median of `runs` timed calls (after one warm-up call).
fn time_mean<F: FnMut()>(runs: usize, f: F) -> (Duration, Duration) {
    mean_median(samples(runs, f))
}

/// Mean and median of `runs` timed calls of each of `fs` (after one warm-up
/// call each), taken in rounds that call each once, every round starting
/// with the next one: a drift of the machine's load during the run then
/// weighs on every series alike, and none always runs first.
fn time_interleaved(runs: usize, fs: &mut [&mut dyn FnMut()]) -> Vec<(Duration, Duration)> {
    fs.iter_mut().for_each(|f| f());
    let n = fs.len();
    let mut times = vec![Vec::with_capacity(runs); n];
    for round in 0..runs {
        for k in 0..n {
            let i = (round + k) % n;
            let t = Instant::now();
            (fs[i])();
            times[i].push(t.elapsed());
        }
    }
    times.into_iter().map(mean_median).collect()
}

/// The `weld` binary as shipped: `WELD_BIN`, else what
/// `scripts/build-weld.sh` builds (glibc linked statically on Linux; only
/// what changed is rebuilt).
fn shipped_weld(root: &Path) -> PathBuf {
    if let Some(p) = std::env::var_os("WELD_BIN") {
        return PathBuf::from(p);
    }
    PathBuf::from(weld_test_support::run_script(
        &root.join("scripts/build-weld.sh"),
        &[],
    ))
}

/// `s` as a TOML basic string.
fn toml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The upstream `codegen` binary: `WELD_UPSTREAM_CODEGEN`, else where
/// `scripts/upstream-codegen.sh` installs it, `<target dir>/upstream-weld/
/// bin/codegen` (the target dir is two levels above the `weld` binary cargo
/// built for this bench). `Err` says why there is none.
fn upstream_codegen(weld: &Path) -> Result<PathBuf, String> {
    let path = match std::env::var_os("WELD_UPSTREAM_CODEGEN") {
        Some(p) => PathBuf::from(p),
        None => match weld.parent().and_then(Path::parent) {
            Some(target) => target
                .join("upstream-weld/bin")
                .join(format!("codegen{}", std::env::consts::EXE_SUFFIX)),
            None => return Err(format!("no target dir above {}", weld.display())),
        },
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("no upstream codegen binary at {}", path.display()))
    }
}

/// Writes a `codegen.toml` for the upstream generator into `dir`: the model
/// `inputs` (local paths only, so it never downloads), the keyvalue
/// namespace generated to `<out>/src/keyvalue.rs`, and `formatter` (the
/// upstream default, `rustfmt --edition 2021`, when `None`).
fn upstream_config(
    dir: &Path,
    name: &str,
    inputs: &[PathBuf],
    out: &Path,
    formatter: Option<&str>,
) -> PathBuf {
    let mut toml = String::new();
    for p in inputs {
        toml += &format!("[[models]]\npath = {}\n\n", toml_str(&p.to_string_lossy()));
    }
    toml += &format!(
        "[rust]\noutput_dir = {}\n",
        toml_str(&out.to_string_lossy())
    );
    if let Some(f) = formatter {
        toml += &format!("formatter = [{}]\n", toml_str(f));
    }
    toml += "\n[[rust.files]]\npath = \"src/keyvalue.rs\"\nnamespace = \"org.wasmcloud.interface.keyvalue\"\n";
    let path = dir.join(name);
    std::fs::write(&path, toml).expect("write upstream codegen.toml");
    path
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let interfaces = root.join("interfaces");

    // --- 1. in process -------------------------------------------------
    let load = || weld_codegen::smithy::load_paths(&[interfaces.clone()]);
    let res = load();
    assert!(!res.has_errors(), "interfaces/ must be valid");
    let model = res.model;
    let templates = Templates::builtin();
    let opts = RustOptions::default();
    let namespaces: Vec<String> = model
        .namespaces()
        .into_iter()
        .filter(|ns| *ns != "org.wasmcloud.model")
        .map(str::to_string)
        .collect();
    let mut bytes = 0;
    let gen_all = |bytes: &mut usize| {
        for ns in &namespaces {
            let out = rust::render_crate(&model, &CrateSpec::new(ns), &templates, &opts).unwrap();
            *bytes = out.iter().map(|(_, c)| c.len()).sum::<usize>();
        }
    };
    let t_load = time(30, || {
        let _ = load();
    });
    let t_gen = time(30, || gen_all(&mut bytes));
    println!(
        "generate all interfaces/ ({} namespaces): {} per run; baseline load (parse+assemble+validate): {}; ratio gen/load = {:.2}",
        namespaces.len(),
        ms(t_gen),
        ms(t_load),
        t_gen.as_secs_f64() / t_load.as_secs_f64()
    );
    let kv = "org.wasmcloud.interface.keyvalue";
    let t_kv = time(100, || {
        rust::render_crate(&model, &CrateSpec::new(kv), &templates, &opts).unwrap();
    });
    let kv_files = [interfaces.join("keyvalue"), interfaces.join("core")];
    let t_kv_load = time(100, || {
        let _ = weld_codegen::smithy::load_paths(&kv_files);
    });
    let t_kv_templates = time(30, || {
        // A fresh template set compiles what keyvalue uses, as a run of
        // `weld gen` does.
        let fresh = Templates::builtin();
        rust::render_crate(&model, &CrateSpec::new(kv), &fresh, &opts).unwrap();
    });
    println!(
        "generate keyvalue crate in process: {} with compiled templates (ratio to loading its files {:.2}), {} compiling templates too (ratio {:.2}); load: {}",
        ms(t_kv),
        t_kv.as_secs_f64() / t_kv_load.as_secs_f64(),
        ms(t_kv_templates),
        t_kv_templates.as_secs_f64() / t_kv_load.as_secs_f64(),
        ms(t_kv_load)
    );

    // --- 2. whole process ------------------------------------------------
    let cargo_weld = PathBuf::from(env!("CARGO_BIN_EXE_weld"));
    let weld = shipped_weld(&root);
    println!(
        "whole-process runs use the shipped weld binary {} (scripts/build-weld.sh; WELD_BIN overrides); cargo's own build {} (dynamically linked) is timed alongside",
        weld.display(),
        cargo_weld.display()
    );
    let out = std::env::temp_dir().join(format!("weld-bench-gen-{}", std::process::id()));
    let run_bin = |bin: &Path, args: &[&std::ffi::OsStr]| {
        let st = Command::new(bin).args(args).output().expect("spawn weld");
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
    };
    let run = |args: &[&std::ffi::OsStr]| run_bin(&weld, args);
    let mut gen_args: Vec<&std::ffi::OsStr> = vec!["gen".as_ref()];
    gen_args.extend(kv_files.iter().map(|p| p.as_os_str()));
    gen_args.push("--out".as_ref());
    gen_args.push(out.as_os_str());
    let mut val_args: Vec<&std::ffi::OsStr> = vec!["validate".as_ref()];
    val_args.extend(kv_files.iter().map(|p| p.as_os_str()));
    let runs: usize = std::env::var("WELD_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);

    // --- 3. upstream baseline: set up and checked before any timing -------
    let upstream = upstream_codegen(&cargo_weld);
    let up_dir = tempfile::tempdir().expect("create temp dir");
    let up_out = up_dir.path().join("out");
    let up_out_plain = up_dir.path().join("out-plain");
    let up_config = upstream_config(up_dir.path(), "codegen.toml", &kv_files, &up_out, None);
    // `true` takes the file list and formats nothing: upstream minus rustfmt
    // (but still spawning a formatter process).
    let up_config_plain = upstream_config(
        up_dir.path(),
        "codegen-plain.toml",
        &kv_files,
        &up_out_plain,
        Some("true"),
    );
    let run_upstream = |bin: &Path, config: &Path| {
        let o = Command::new(bin)
            .arg(config)
            .current_dir(up_dir.path())
            .output()
            .expect("spawn upstream codegen");
        assert!(
            o.status.success(),
            "upstream codegen {} failed ({}): {}{}",
            bin.display(),
            o.status,
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    };
    if let Ok(bin) = &upstream {
        // Its assembler ignores files it cannot read or parse, so success
        // alone does not prove the baseline generated the interface.
        run_upstream(bin, &up_config);
        run_upstream(bin, &up_config_plain);
        let read = |dir: &Path| {
            std::fs::read_to_string(dir.join("src/keyvalue.rs")).expect("upstream output file")
        };
        let (formatted, plain) = (read(&up_out), read(&up_out_plain));
        for src in [&formatted, &plain] {
            assert!(
                src.contains("pub trait KeyValue") && src.contains("KeyValueSender"),
                "upstream codegen generated no KeyValue interface:\n{src}"
            );
        }
        assert_ne!(formatted, plain, "upstream output unchanged by rustfmt");
    }

    let (t_version, _) = time_mean(runs, || run(&["--version".as_ref()]));
    let (t_validate, _) = time_mean(runs, || run(&val_args));
    let (t_weld_gen, t_weld_gen_median, t_cargo_gen, t_upstream) = match &upstream {
        Ok(bin) => {
            let r = time_interleaved(
                runs,
                &mut [
                    &mut || run(&gen_args),
                    &mut || run_bin(&cargo_weld, &gen_args),
                    &mut || run_upstream(bin, &up_config),
                    &mut || run_upstream(bin, &up_config_plain),
                ],
            );
            (r[0].0, r[0].1, r[1], Ok((bin, r[2], r[3])))
        }
        Err(why) => {
            let r = time_interleaved(
                runs,
                &mut [&mut || run(&gen_args), &mut || {
                    run_bin(&cargo_weld, &gen_args)
                }],
            );
            (r[0].0, r[0].1, r[1], Err(why))
        }
    };
    let _ = std::fs::remove_dir_all(&out);
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!(
        "weld gen keyvalue (whole process, {runs} runs): mean {} (median {}); baselines in this run: `weld --version` {} (ratio {:.2}), `weld validate` same files {} (ratio {:.2}), in-process generation from the loaded model {} (ratio {:.2})",
        ms(t_weld_gen),
        ms(t_weld_gen_median),
        ms(t_version),
        ratio(t_weld_gen, t_version),
        ms(t_validate),
        ratio(t_weld_gen, t_validate),
        ms(t_kv_templates),
        ratio(t_weld_gen, t_kv_templates),
    );
    println!(
        "the same with cargo's dynamically linked build: mean {} (median {}); ratio to the shipped binary {:.2}",
        ms(t_cargo_gen.0),
        ms(t_cargo_gen.1),
        ratio(t_cargo_gen.0, t_weld_gen),
    );
    println!(
        "aim: weld gen keyvalue whole process under 5 ms (mean): {}",
        verdict(t_weld_gen < Duration::from_millis(5))
    );
    match t_upstream {
        Ok((bin, (up, up_median), (plain, plain_median))) => {
            let r = ratio(up, t_weld_gen);
            println!(
                "upstream codegen keyvalue ({}, whole process with rustfmt, {runs} runs interleaved with weld gen): mean {} (median {}); without rustfmt (formatter `true`) mean {} (median {}); ratio upstream/weld gen = {:.2} (medians {:.2}), without rustfmt {:.2}",
                bin.display(),
                ms(up),
                ms(up_median),
                ms(plain),
                ms(plain_median),
                r,
                ratio(up_median, t_weld_gen_median),
                ratio(plain, t_weld_gen),
            );
            println!(
                "aim as a ratio: upstream/weld gen at least 8x (40 ms / 5 ms, means): {}",
                verdict(r >= 8.0)
            );
        }
        Err(why) => println!(
            "upstream baseline SKIPPED ({why}): install it with scripts/upstream-codegen.sh (cargo install weld-codegen --version 0.7.0 --locked; needs crates.io and rustfmt), or set WELD_UPSTREAM_CODEGEN=/path/to/codegen"
        ),
    }
}
