//! A crate written by `weld gen --out` is publishable: `cargo package`
//! accepts it, the `.crate` holds the manifest, README and sources, and the
//! packaged manifest names `weld-rpc` by version only (a `--runtime-path`
//! is for building in a checkout; crates.io users get the published crate).
//!
//! `--no-verify` and `--exclude-lockfile`: weld-rpc is not on a registry
//! this test can reach, so neither a build of the packaged crate in
//! isolation nor a lock file resolved against crates.io is possible here.
//! Everything else `cargo package` checks (the manifest is valid, every
//! dependency has a version, the files exist) still runs, and fails the
//! test when the generator gets it wrong.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn weld_gen(out: &Path, extra: &[&str]) {
    let root = repo_root();
    let o = Command::new(env!("CARGO_BIN_EXE_weld"))
        .arg("gen")
        .arg(root.join("interfaces/keyvalue"))
        .arg(root.join("interfaces/core"))
        .arg("--out")
        .arg(out)
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .expect("run weld");
    assert!(o.status.success(), "weld gen: {}", text(&o.stderr));
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs `cargo package` in `crate_dir`, with its own target dir.
fn package(crate_dir: &Path, target: &Path) -> Output {
    cargo()
        .args([
            "package",
            "--no-verify",
            "--allow-dirty",
            "--offline",
            "--exclude-lockfile",
            "--target-dir",
        ])
        .arg(target)
        .current_dir(crate_dir)
        .output()
        .expect("run cargo package")
}

/// The paths inside a `.crate` (a gzipped tar), via the system `tar`.
fn crate_listing(file: &Path) -> Vec<String> {
    let o = Command::new("tar")
        .arg("tzf")
        .arg(file)
        .output()
        .expect("run tar");
    assert!(o.status.success(), "tar: {}", text(&o.stderr));
    text(&o.stdout).lines().map(str::to_string).collect()
}

fn read_from_crate(file: &Path, member: &str) -> String {
    let o = Command::new("tar")
        .arg("xzOf")
        .arg(file)
        .arg(member)
        .output()
        .expect("run tar");
    assert!(o.status.success(), "tar: {}", text(&o.stderr));
    text(&o.stdout)
}

/// Generates keyvalue (with the given extra `weld gen` flags), packages it
/// and returns the listing and packaged manifest.
fn generate_and_package(extra: &[&str]) -> (Vec<String>, String) {
    let tmp = tempfile::tempdir().unwrap();
    let crate_dir = tmp.path().join("keyvalue");
    weld_gen(&crate_dir, extra);
    let target = tmp.path().join("target");
    let o = package(&crate_dir, &target);
    assert!(
        o.status.success(),
        "cargo package refused the generated crate:\n{}",
        text(&o.stderr)
    );
    let file = target.join("package/weld-interface-keyvalue-0.1.0.crate");
    assert!(file.is_file(), "no {}", file.display());
    let listing = crate_listing(&file);
    let manifest = read_from_crate(&file, "weld-interface-keyvalue-0.1.0/Cargo.toml");
    (listing, manifest)
}

fn assert_publishable(listing: &[String], manifest: &str) {
    for f in ["Cargo.toml", "README.md", "src/lib.rs"] {
        let want = format!("weld-interface-keyvalue-0.1.0/{f}");
        assert!(
            listing.iter().any(|l| *l == want),
            "{want} missing from the .crate: {listing:?}"
        );
    }
    // cargo rewrites the manifest for the registry: weld-rpc by version,
    // no local path left behind.
    let dep = manifest
        .split("[dependencies.weld-rpc]")
        .nth(1)
        .expect("weld-rpc dependency in the packaged manifest");
    let dep = dep.split("\n[").next().unwrap_or_default();
    assert!(dep.contains("version = \"0.1\""), "{dep}");
    assert!(!manifest.contains("path = \"../"), "{manifest}");
}

#[test]
fn generated_crate_packages_with_weld_rpc_by_version() {
    let (listing, manifest) = generate_and_package(&[]);
    assert_publishable(&listing, &manifest);
}

#[test]
fn generated_crate_with_runtime_path_packages_without_the_path() {
    let rpc = repo_root().join("rpc");
    let (listing, manifest) = generate_and_package(&["--runtime-path", rpc.to_str().unwrap()]);
    assert_publishable(&listing, &manifest);
}

/// The check above has teeth: a manifest whose runtime dependency has only
/// a path (what a generator bug would write) is refused by the same
/// `cargo package` call.
#[test]
fn cargo_package_refuses_a_path_only_runtime_dependency() {
    let tmp = tempfile::tempdir().unwrap();
    let crate_dir = tmp.path().join("keyvalue");
    let rpc = repo_root().join("rpc");
    weld_gen(&crate_dir, &["--runtime-path", rpc.to_str().unwrap()]);
    let manifest_path = crate_dir.join("Cargo.toml");
    let manifest = std::fs::read_to_string(&manifest_path).unwrap();
    let broken = manifest.replace("weld-rpc = { version = \"0.1\", path", "weld-rpc = { path");
    assert_ne!(broken, manifest, "expected a version + path dependency");
    std::fs::write(&manifest_path, broken).unwrap();
    let o = package(&crate_dir, &tmp.path().join("target"));
    assert!(
        !o.status.success(),
        "cargo package accepted a path-only dependency"
    );
    assert!(
        text(&o.stderr).contains("does not specify a version"),
        "{}",
        text(&o.stderr)
    );
}
