#!/usr/bin/env bash
# Installs wasmCloud's published generator (crates.io `weld-codegen` 0.7.0,
# binary `codegen`), the upstream baseline of `cargo bench -p weld-codegen
# --bench gen`, and prints the path of the binary on stdout.
#
#   scripts/upstream-codegen.sh
#
# It goes where the bench looks by default: $CARGO_TARGET_DIR/upstream-weld
# (target/upstream-weld without CARGO_TARGET_DIR), so nothing lands in the
# work tree. Elsewhere, point the bench at it with WELD_UPSTREAM_CODEGEN.
# Needs crates.io once (the build takes minutes); the binary itself runs
# offline when its codegen.toml names local model files only, as the bench's
# does. It calls `rustfmt` on what it writes, so rustfmt must be on PATH.
set -euo pipefail

version=0.7.0
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target="${CARGO_TARGET_DIR:-$root/target}"
prefix="$target/upstream-weld"
bin="$prefix/bin/codegen"

# --locked builds with the lock file published in the crate (the versions it
# was released with); a newer toolchain may reject one of those, so fall back
# to fresh resolution within the crate's own version requirements.
if ! cargo install weld-codegen --version "$version" --locked --root "$prefix" >&2; then
  echo "upstream-codegen: --locked install failed; retrying without --locked" >&2
  cargo install weld-codegen --version "$version" --root "$prefix" >&2
fi
[ -x "$bin" ] || { echo "upstream-codegen: $bin was not installed" >&2; exit 1; }
echo "$bin"
