//! The `weld` binary as shipped (`scripts/build-weld.sh`, which the README's
//! install step and the `gen` bench use): it builds, it is statically
//! linked where the script says it is (Linux with glibc), and it behaves as
//! the binary cargo builds: same version, same generated crate to the byte,
//! same diagnostics for a broken model.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Builds the shipped binary (incrementally after the first time).
fn shipped() -> PathBuf {
    let path = PathBuf::from(weld_test_support::run_script(
        &root().join("scripts/build-weld.sh"),
        &[],
    ));
    assert!(path.is_file(), "the script printed {}", path.display());
    path
}

fn run(bin: &Path, args: &[&str], cwd: &Path) -> Output {
    Command::new(bin)
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run weld")
}

/// Whether the ELF file at `path` asks for a dynamic loader (has a
/// `PT_INTERP` program header). Reads the 64-bit little-endian layout,
/// the only one the script links statically.
fn has_interpreter(path: &Path) -> bool {
    let b = std::fs::read(path).expect("read binary");
    assert_eq!(&b[..4], b"\x7fELF", "not an ELF file");
    assert_eq!((b[4], b[5]), (2, 1), "not 64-bit little-endian ELF");
    let u16_at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]) as usize;
    let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
    let phoff = u64::from_le_bytes(b[0x20..0x28].try_into().unwrap()) as usize;
    let (phentsize, phnum) = (u16_at(0x36), u16_at(0x38));
    const PT_INTERP: u32 = 3;
    (0..phnum).any(|i| u32_at(phoff + i * phentsize) == PT_INTERP)
}

fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_path_buf();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn shipped_binary_is_static_and_behaves_as_cargos() {
    let shipped = shipped();
    let cargo = PathBuf::from(env!("CARGO_BIN_EXE_weld"));
    let glibc = cfg!(all(target_os = "linux", target_env = "gnu"));
    if glibc && cfg!(target_pointer_width = "64") && cfg!(target_endian = "little") {
        assert!(
            !has_interpreter(&shipped),
            "{} is dynamically linked",
            shipped.display()
        );
        // The check can tell the two apart: cargo's build is dynamic.
        assert!(has_interpreter(&cargo), "cargo's weld is not dynamic?");
    }

    let tmp = tempfile::tempdir().unwrap();
    let root = root();
    let v1 = run(&shipped, &["--version"], tmp.path());
    let v2 = run(&cargo, &["--version"], tmp.path());
    assert!(v1.status.success());
    assert_eq!(v1.stdout, v2.stdout);

    let kv = root.join("interfaces/keyvalue");
    let core = root.join("interfaces/core");
    for (bin, out) in [(&shipped, "a"), (&cargo, "b")] {
        let o = run(
            bin,
            &[
                "gen",
                kv.to_str().unwrap(),
                core.to_str().unwrap(),
                "--out",
                out,
            ],
            tmp.path(),
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let a = files_under(&tmp.path().join("a"));
    assert!(a.iter().any(|(p, _)| p.ends_with("src/lib.rs")), "{a:?}");
    assert_eq!(a, files_under(&tmp.path().join("b")));

    // A broken model: same exit status, same rendered diagnostics.
    std::fs::write(
        tmp.path().join("bad.smithy"),
        "$version: \"2\"\nnamespace x\nstructure A { b: Missing }\n",
    )
    .unwrap();
    let e1 = run(&shipped, &["validate", "bad.smithy"], tmp.path());
    let e2 = run(&cargo, &["validate", "bad.smithy"], tmp.path());
    assert!(!e1.status.success());
    assert_eq!(e1.status.code(), e2.status.code());
    assert_eq!(e1.stderr, e2.stderr);
    assert!(
        String::from_utf8_lossy(&e1.stderr).contains("bad.smithy:3:"),
        "{}",
        String::from_utf8_lossy(&e1.stderr)
    );
}
