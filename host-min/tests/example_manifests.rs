//! Every example manifest (`examples/*/manifest*.toml`) is one a host
//! accepts: it parses, and each provider kind it names is built in.
//!
//! Run: `cargo test -p host-min --test example_manifests`

use host_min::manifest::Manifest;
use host_min::providers::ProviderRegistry;

#[test]
fn every_example_manifest_loads_with_known_provider_kinds() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let registry = ProviderRegistry::with_builtins();
    let mut seen = Vec::new();
    for dir in std::fs::read_dir(&examples).unwrap().flatten() {
        for file in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = file.file_name().to_string_lossy().into_owned();
            if !(name.starts_with("manifest") && name.ends_with(".toml")) {
                continue;
            }
            let m = Manifest::load(&file.path()).unwrap_or_else(|e| panic!("{e}"));
            for p in &m.providers {
                assert!(
                    registry.contract(&p.kind).is_some(),
                    "{}: provider kind `{}` is not built in",
                    file.path().display(),
                    p.kind
                );
            }
            seen.push(format!("{}/{name}", dir.file_name().to_string_lossy()));
        }
    }
    seen.sort();
    // The ones the README shows, at least.
    for must in [
        "blobby/manifest-s3.toml",
        "blobby/manifest.toml",
        "echo-messaging/manifest.toml",
        "kvcounter/manifest.toml",
        "kvcounter/manifest-vault.toml",
        "lattice-view/manifest.toml",
        "todo/manifest.toml",
    ] {
        assert!(
            seen.iter().any(|s| s == must),
            "{must} not found in {seen:?}"
        );
    }
}
