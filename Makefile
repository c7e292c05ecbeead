# The README's two commands, each of which installs and starts what it needs
# (through scripts/setup.sh, the one install path, which .ci/run uses too):
#   make demo  - serves kvcounter on http://localhost:8080 with the embedded
#                key-value store
#   make test  - runs every test (unit, golden, wasm builds, end to end)
# Everything wasm goes through scripts/wasm-build.sh.

CARGO ?= cargo
SETUP := scripts/setup.sh
KVCOUNTER_WASM := target/actors/kvcounter.wasm
# Services the tests talk to.
TEST_SERVICES := redis nats s3 postgres vault registry browser

.PHONY: demo test host actors bench clean-data weld docs setup-demo setup-test

# HTML documentation of every interface in interfaces/ (open target/doc-html/index.html).
docs:
	$(CARGO) run -q -p weld-codegen --bin weld -- doc interfaces --out target/doc-html

# The weld CLI as shipped (C runtime linked statically on Linux/glibc).
weld:
	scripts/build-weld.sh

setup-demo:
	@$(SETUP) wasm

setup-test:
	@$(SETUP) wasm $(TEST_SERVICES)

host:
	$(CARGO) build --release -p host-min --bin host-min

# The actor is signed with its capabilities (claims); keys stay in target/keys
# so its identity (M...) is the same on every build.
actors: setup-demo host
	scripts/wasm-build.sh examples/kvcounter --out target/actors/kvcounter-unsigned.wasm >/dev/null
	./target/release/host-min claims sign target/actors/kvcounter-unsigned.wasm \
	  --name kvcounter --caps wasmcloud:httpserver,wasmcloud:keyvalue \
	  --key-dir target/keys --out $(KVCOUNTER_WASM)

demo: setup-demo host actors
	./target/release/host-min up examples/kvcounter/manifest.toml

test: setup-test
	# Tests run host-min and the provider executables as processes.
	$(CARGO) build --workspace --bins
	$(CARGO) test --workspace --no-fail-fast
	# Benches are not built by `cargo test`; build them so they cannot rot.
	$(CARGO) test --workspace --benches --no-run

bench: setup-test host
	@$(SETUP) wrk
	# The lattice bench runs providers as processes (weld-provider-*).
	$(CARGO) build --release --workspace --bins
	$(CARGO) bench --workspace

# Forget the demo's counter (and any other data of `make demo`).
clean-data:
	rm -rf .data
