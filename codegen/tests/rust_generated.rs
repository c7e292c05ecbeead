//! `generated/` is what `weld gen` makes of `interfaces/` with the root
//! `codegen.toml`: regenerated in memory and compared with the checked-in
//! files. `WELD_BLESS=1 cargo test -p weld-codegen --test rust_generated`
//! rewrites them (the same as running `weld gen` at the repository root).

use std::path::Path;
use weld_codegen::config::{self, ConfigError};

#[test]
fn generated_crates_are_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let g = match config::generate_config(&root.join("codegen.toml"), None) {
        Ok(g) => g,
        Err(ConfigError::Model {
            diagnostics,
            sources,
        }) => panic!(
            "interfaces/ has model errors:\n{}",
            weld_codegen::smithy::render::render_human(&sources, &diagnostics, false)
        ),
        Err(e) => panic!("{e}"),
    };
    assert!(
        g.output.len() >= 3 * 10,
        "every interface crate is generated"
    );
    if std::env::var_os("WELD_BLESS").is_some() {
        g.output.write_changed(&g.base_dir).unwrap();
        return;
    }
    let diff = g.output.diff(&g.base_dir);
    assert!(
        diff.is_empty(),
        "generated/ is stale; run `weld gen` at the repository root (or WELD_BLESS=1):\n{diff}"
    );
    // Every generated crate is a workspace member, so `cargo test` builds it.
    let members = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    for (path, _) in g.output.iter() {
        if path.ends_with("Cargo.toml") {
            let dir = path
                .parent()
                .unwrap()
                .strip_prefix(&g.base_dir)
                .unwrap_or(path.parent().unwrap());
            let dir = dir.to_string_lossy().trim_start_matches("./").to_string();
            assert!(
                members.contains(&format!("\"{dir}\"")),
                "{dir} is not a workspace member"
            );
        }
    }
}

#[test]
fn check_mode_reports_a_stale_file_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("m")).unwrap();
    std::fs::write(
        dir.path().join("m/a.smithy"),
        "namespace ex.a\n\n/// A thing.\nstructure Thing {\n    @required\n    name: String\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("codegen.toml"),
        "[[models]]\npath = \"m\"\n\n[rust]\noutput_dir = \"out\"\n\n[[rust.files]]\npath = \"src/a.rs\"\nnamespace = \"ex.a\"\n",
    )
    .unwrap();
    let weld = env!("CARGO_BIN_EXE_weld");
    let run = |args: &[&str]| {
        std::process::Command::new(weld)
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let out = run(&["gen", "--check"]);
    assert_eq!(out.status.code(), Some(1), "missing output is stale");
    assert!(String::from_utf8_lossy(&out.stdout).contains("+pub struct Thing"));
    assert!(!dir.path().join("out").exists(), "--check writes nothing");
    let out = run(&["gen"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = dir.path().join("out/src/a.rs");
    let first = std::fs::metadata(&file).unwrap().modified().unwrap();
    assert_eq!(run(&["gen", "--check"]).status.code(), Some(0));
    // Unchanged content is not rewritten.
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert!(run(&["gen"]).status.success());
    assert_eq!(std::fs::metadata(&file).unwrap().modified().unwrap(), first);
    // A hand edit is detected and shown as a unified diff.
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("pub name: String", "pub name: u8")).unwrap();
    let out = run(&["gen", "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("-    pub name: u8") && diff.contains("+    pub name: String"),
        "{diff}"
    );
}

#[test]
fn gen_with_files_writes_a_complete_crate() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let weld = env!("CARGO_BIN_EXE_weld");
    let out = std::process::Command::new(weld)
        .arg("gen")
        .arg(root.join("interfaces/keyvalue"))
        .arg(root.join("interfaces/core"))
        .arg("--out")
        .arg(dir.path().join("kv"))
        .arg("--runtime-path")
        .arg(root.join("rpc"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cargo = std::fs::read_to_string(dir.path().join("kv/Cargo.toml")).unwrap();
    assert!(
        cargo.contains("name = \"weld-interface-keyvalue\""),
        "{cargo}"
    );
    assert!(
        cargo.contains("weld-rpc = { version = \"0.1\", path = \""),
        "{cargo}"
    );
    let lib = std::fs::read_to_string(dir.path().join("kv/src/lib.rs")).unwrap();
    assert_eq!(
        lib,
        std::fs::read_to_string(root.join("generated/keyvalue/src/lib.rs")).unwrap(),
        "same source as the checked-in crate"
    );
    assert!(dir.path().join("kv/README.md").exists());
}

/// What a user does first: `weld gen keyvalue.smithy` next to a published
/// interface file and nothing else. The wasmCloud core model it `use`s is
/// bundled, and the crate lands in a directory named after the package.
#[test]
fn gen_of_a_lone_interface_file_uses_the_bundled_core_model() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    std::fs::copy(
        root.join("interfaces/keyvalue/keyvalue.smithy"),
        dir.path().join("keyvalue.smithy"),
    )
    .unwrap();
    let weld = env!("CARGO_BIN_EXE_weld");
    let run = |args: &[&str]| {
        std::process::Command::new(weld)
            .args(args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let out = run(&["gen", "keyvalue.smithy"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lib = std::fs::read_to_string(dir.path().join("weld-interface-keyvalue/src/lib.rs"))
        .expect("crate written under the package name");
    assert_eq!(
        lib,
        std::fs::read_to_string(root.join("generated/keyvalue/src/lib.rs")).unwrap(),
        "same source as the checked-in crate generated with interfaces/core"
    );
    let cargo =
        std::fs::read_to_string(dir.path().join("weld-interface-keyvalue/Cargo.toml")).unwrap();
    assert!(
        cargo.contains("weld-rpc = { version = \"0.1\" }") || cargo.contains("weld-rpc = \"0.1\""),
        "{cargo}"
    );
    // validate and doc take the same route.
    let out = run(&["validate", "keyvalue.smithy"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A file that uses a shape the bundled model lacks still gets a precise
    // error pointing into the user's file.
    std::fs::write(
        dir.path().join("bad.smithy"),
        "namespace ex.bad\n\nuse org.wasmcloud.model#NoSuchShape\n\nstructure S {\n    a: NoSuchShape\n}\n",
    )
    .unwrap();
    let out = run(&["validate", "bad.smithy"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.smithy:"), "{err}");
    assert!(err.contains("NoSuchShape"), "{err}");
}

#[test]
fn library_entry_point_for_build_scripts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("m")).unwrap();
    std::fs::write(
        dir.path().join("m/a.smithy"),
        "namespace ex.b\n\nstructure Thing {\n    @required\n    name: String\n}\n",
    )
    .unwrap();
    let cfg = dir.path().join("codegen.toml");
    std::fs::write(
        &cfg,
        "[[models]]\npath = \"m\"\nfiles = [\"a.smithy\"]\n\n[rust]\noutput_dir = \"rust\"\n\n[rust.parameters]\n\n[[rust.files]]\npath = \"src/b.rs\"\nnamespace = \"ex.b\"\n\n[html]\noutput_dir = \"html\"\n",
    )
    .unwrap();
    let written = weld_codegen::generate_from_config(&cfg).unwrap();
    assert_eq!(written, vec![dir.path().join("rust/src/b.rs")]);
    let src = std::fs::read_to_string(dir.path().join("rust/src/b.rs")).unwrap();
    assert!(src.contains("pub struct Thing"), "{src}");
    assert!(
        weld_codegen::generate_from_config(&cfg).unwrap().is_empty(),
        "nothing changed"
    );
    // Downloading models is refused with a clear message.
    std::fs::write(
        &cfg,
        "[[models]]\nurl = \"https://example.com/x\"\nfiles = [\"a.smithy\"]\n",
    )
    .unwrap();
    let err = weld_codegen::generate_from_config(&cfg)
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not download"), "{err}");
    // A broken config names the file and the problem.
    std::fs::write(&cfg, "[[models]\n").unwrap();
    let err = weld_codegen::generate_from_config(&cfg)
        .unwrap_err()
        .to_string();
    assert!(err.contains("codegen.toml"), "{err}");
}
