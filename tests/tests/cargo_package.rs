//! `cargo install` is the other way users get `weld` and `host-min`, so
//! `cargo package` must accept the crates as they are in the repository.
//!
//! - weld-rpc and weld-codegen depend only on crates.io, so they are
//!   packaged *and verified*: cargo unpacks each `.crate` and builds it on
//!   its own. That catches files the crate reads from outside its directory
//!   (weld-codegen's bundled core model and templates, for one).
//! - host-min depends on weld-rpc and two generated interface crates that
//!   are not on a registry yet, so it is packaged with `--no-verify`
//!   together with them (cargo resolves them from the packages made in the
//!   same run); everything else `cargo package` checks still runs.

use std::path::Path;
use std::process::Command;

use weld_e2e::repo_root;

fn cargo_package(args: &[&str], target: &Path) -> String {
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .arg("package")
        .args(["--allow-dirty", "--quiet"])
        .arg("--target-dir")
        .arg(target)
        .args(args)
        .current_dir(repo_root())
        // The verification build is a plain debug build; incremental
        // caches would only cost disk.
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .expect("run cargo package");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "cargo package {args:?} failed ({}):\n{stderr}",
        out.status
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn list(package: &str, target: &Path) -> Vec<String> {
    cargo_package(&["--list", "-p", package], target)
        .lines()
        .map(str::to_string)
        .collect()
}

/// One target dir for the whole test, kept between runs (a warm run
/// rebuilds nothing).
fn target() -> std::path::PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("cargo-package")
}

#[test]
fn weld_codegen_ships_its_bundled_model_and_templates() {
    let files = list("weld-codegen", &target());
    for want in [
        "core-model/wasmcloud-model.smithy",
        "core-model/wasmcloud-core.smithy",
        "templates/rust/file.rs.hbs",
        "templates/html/layout.hbs",
        "src/smithy/prelude.smithy",
    ] {
        assert!(
            files.iter().any(|f| f == want),
            "{want} not in the weld-codegen package: {files:?}"
        );
    }
}

#[test]
fn weld_rpc_and_weld_codegen_package_and_build_on_their_own() {
    cargo_package(&["-p", "weld-rpc", "-p", "weld-codegen"], &target());
    let pkg = target().join("package");
    for c in ["weld-rpc-0.1.0.crate", "weld-codegen-0.1.0.crate"] {
        assert!(pkg.join(c).is_file(), "{c} missing in {}", pkg.display());
    }
}

#[test]
fn host_min_packages_with_its_unpublished_dependencies() {
    cargo_package(
        &[
            "--no-verify",
            "-p",
            "weld-rpc",
            "-p",
            "weld-interface-httpserver",
            "-p",
            "weld-interface-keyvalue",
            "-p",
            "weld-interface-blobstore",
            "-p",
            "weld-provider-blobstore-fs",
            "-p",
            "weld-provider-blobstore-s3",
            "-p",
            "weld-interface-httpclient",
            "-p",
            "weld-provider-httpclient",
            "-p",
            "weld-provider-httpserver",
            "-p",
            "weld-provider-keyvalue",
            "-p",
            "weld-interface-core",
            "-p",
            "weld-lattice-ctl",
            "-p",
            "weld-interface-lattice-control",
            "-p",
            "weld-provider-lattice-controller",
            "-p",
            "weld-interface-messaging",
            "-p",
            "weld-provider-messaging-nats",
            "-p",
            "weld-interface-sqldb",
            "-p",
            "weld-provider-sqldb-postgres",
            "-p",
            "host-min",
        ],
        &target().join("no-verify"),
    );
    let crate_file = target().join("no-verify/package/host-min-0.1.0.crate");
    assert!(crate_file.is_file(), "{} missing", crate_file.display());
}
