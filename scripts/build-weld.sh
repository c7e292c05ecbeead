#!/usr/bin/env bash
# Builds the `weld` binary as we ship it and prints its path on stdout.
#
#   scripts/build-weld.sh [--install DIR]
#
# On Linux with glibc, the C runtime is linked statically (crt-static). A
# dynamically linked `weld` spends about 0.45 ms of every run in the dynamic
# loader (mapping libc and libgcc_s, resolving symbols, relocating) before
# `main`: `weld --version` took 1.23 ms against 0.78 ms static, and `weld gen`
# of keyvalue 3.7 ms against 3.1 ms (interleaved runs, 2026-11-25). For a
# command that runs for a few milliseconds, from build scripts and editors,
# that is worth having.
#
# Why `cargo rustc` and not RUSTFLAGS: crt-static in RUSTFLAGS also reaches the
# proc-macro crates (serde_derive, clap_derive, ...), which cannot be built
# that way unless every build names --target. `cargo rustc -- FLAGS` gives
# the flag to the final crate only, and that is the one that links.
#
# It builds in its own target dir (WELD_STATIC_TARGET_DIR, default
# target/weld-static) so that it never fights `cargo build` over
# target/release/weld; the first build takes a few minutes, later ones only
# what changed. Elsewhere (macOS, musl, Windows) it is a plain release build.
# --install DIR copies the binary to DIR/weld.
set -euo pipefail

usage() { echo "usage: $0 [--install DIR]" >&2; exit 2; }
install_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --install) [ $# -ge 2 ] || usage; install_dir="$2"; shift 2 ;;
    *) usage ;;
  esac
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target_dir="${WELD_STATIC_TARGET_DIR:-${CARGO_TARGET_DIR:-$root/target}/weld-static}"
host=$(rustc -vV | sed -n 's/^host: //p')
extra=()
case "$host" in
  *-linux-gnu*) extra=(-- -C target-feature=+crt-static) ;;
esac

echo "build-weld: $host${extra:+, C runtime linked statically}" >&2
(cd "$root" && cargo rustc -q --release -p weld-codegen --bin weld \
  --target-dir "$target_dir" "${extra[@]}" >&2)
bin="$target_dir/release/weld"
[ -x "$bin" ] || { echo "build-weld: expected $bin" >&2; exit 1; }
if [ -n "$install_dir" ]; then
  mkdir -p "$install_dir"
  # Copy then rename, so a running `weld` is never overwritten in place.
  cp "$bin" "$install_dir/weld.tmp.$$"
  mv -f "$install_dir/weld.tmp.$$" "$install_dir/weld"
  bin="$install_dir/weld"
fi
echo "$bin"
