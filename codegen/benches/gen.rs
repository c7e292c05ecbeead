//! Benchmark of the Rust generator (`cargo bench -p weld-codegen --bench gen`).
//!
//! 1. In process: model -> formatted Rust source for every namespace of
//!    `interfaces/`, against the baseline of loading (parse + assemble +
//!    validate) the same files, measured in the same run.
//! 2. Whole process: `weld gen` of the keyvalue interface (spawned binary,
//!    writing a crate into a temp dir), N runs, mean and median, against
//!    baselines measured in the same run: the start-up cost of a process of
//!    the same binary (`weld --version`), `weld validate` of the same files,
//!    and the in-process generation of the same crate. States whether the
//!    aim (under 5 ms, mean) is met.
//!
//! In-process times are medians; the figures that matter are the ratios to
//! the baselines. `WELD_BENCH_RUNS` sets N (default 200).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use weld_codegen::rust::{self, CrateSpec, RustOptions, Templates};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<F: FnMut()>(runs: usize, mut f: F) -> Duration {
    f(); // warm up
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

/// Mean and median of `runs` timed calls (after one warm-up call).
fn time_mean<F: FnMut()>(runs: usize, mut f: F) -> (Duration, Duration) {
    f();
    let v: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    let mean = v.iter().sum::<Duration>() / runs as u32;
    (mean, median(v))
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
    let weld = PathBuf::from(env!("CARGO_BIN_EXE_weld"));
    let out = std::env::temp_dir().join(format!("weld-bench-gen-{}", std::process::id()));
    let run = |args: &[&std::ffi::OsStr]| {
        let st = Command::new(&weld).args(args).output().expect("spawn weld");
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
    };
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
    let (t_version, _) = time_mean(runs, || run(&["--version".as_ref()]));
    let (t_validate, _) = time_mean(runs, || run(&val_args));
    let (t_weld_gen, t_weld_gen_median) = time_mean(runs, || run(&gen_args));
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
        "aim: weld gen keyvalue whole process under 5 ms (mean): {}",
        if t_weld_gen < Duration::from_millis(5) {
            "met"
        } else {
            "NOT met"
        }
    );
}
