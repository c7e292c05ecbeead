# The two commands of the README: `make demo` and `make test`.
.PHONY: demo test
demo:
	@echo "demo: not wired yet"; exit 1
test:
	cargo test --workspace
