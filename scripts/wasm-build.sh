#!/usr/bin/env bash
# Builds an actor crate (outside the main workspace) for wasm32-unknown-unknown
# and prints the path of the resulting .wasm file on stdout.
#
#   scripts/wasm-build.sh CRATE_DIR [--out FILE] [--debug]
#
# The toolchain is the one scripts/setup.sh finds: a rustup toolchain with the
# wasm32-unknown-unknown target, or Debian's rustc-web (packages rustc-web
# cargo-web rust-web-src lld-22), which builds std from source with
# -Zbuild-std and so needs RUSTC_BOOTSTRAP. Exit 3 means there is none.
# Every place that needs wasm (Makefile, tests, CI) goes through this script.
set -euo pipefail

usage() { echo "usage: $0 CRATE_DIR [--out FILE] [--debug]" >&2; exit 2; }
[ $# -ge 1 ] || usage
crate_dir=$(cd "$1" && pwd) || usage
shift
out=""
profile=release
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --debug) profile=debug; shift ;;
    *) usage ;;
  esac
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# One target dir for all actors, so std (build-std) and shared deps build once.
export CARGO_TARGET_DIR="${WELD_WASM_TARGET_DIR:-$root/target/wasm}"
target=wasm32-unknown-unknown
flags=()
[ "$profile" = release ] && flags+=(--release)

# The route is chosen by the setup script, the one place that knows how a
# wasm32 toolchain is found (and installed: `scripts/setup.sh wasm`).
if ! route=$("$root/scripts/setup.sh" wasm-route); then
  echo "wasm-build: no wasm32 toolchain. Run:" >&2
  echo "    scripts/setup.sh wasm" >&2
  echo "  (make demo and make test run it for you)" >&2
  exit 3
fi
case "$route" in
  rustup)
    cargo_bin=(cargo)
    ;;
  rustc-web)
    web_rustc=${WELD_RUSTC_WEB:-/usr/bin/rustc}
    cargo_bin=(env RUSTC="$web_rustc" RUSTC_BOOTSTRAP=1 /usr/bin/cargo)
    flags+=(-Zbuild-std=std,panic_abort -Zbuild-std-features=)
    # rust-lld comes from lld-22 on Debian; point rustc at it if it is not on PATH.
    if ! command -v rust-lld >/dev/null 2>&1; then
      for l in /usr/bin/wasm-ld-22 /usr/lib/llvm-22/bin/wasm-ld /usr/bin/wasm-ld; do
        if [ -x "$l" ]; then
          export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$l"
          break
        fi
      done
    fi
    export CARGO_TARGET_DIR="$CARGO_TARGET_DIR-web"
    ;;
esac

echo "wasm-build: $crate_dir via $route ($profile)" >&2
(cd "$crate_dir" && "${cargo_bin[@]}" build -q --target "$target" "${flags[@]}" >&2)

name=$(cd "$crate_dir" && "${cargo_bin[@]}" metadata --no-deps --format-version 1 2>/dev/null \
  | python3 -c 'import json,sys; m=json.load(sys.stdin); print([t["name"] for p in m["packages"] for t in p["targets"] if "cdylib" in t["kind"]][0])')
wasm="$CARGO_TARGET_DIR/$target/$profile/${name//-/_}.wasm"
[ -f "$wasm" ] || { echo "wasm-build: expected $wasm" >&2; exit 1; }
if [ -n "$out" ]; then
  mkdir -p "$(dirname "$out")"
  # Copy then rename: tests build the same actor in parallel, and two plain
  # `cp`s racing to create one file fail with "File exists" (cp uses O_EXCL
  # when the destination was absent). rename(2) replaces atomically.
  tmp="$out.tmp.$$"
  cp "$wasm" "$tmp"
  mv -f "$tmp" "$out"
  wasm="$out"
fi
echo "$wasm"
