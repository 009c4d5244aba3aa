# tacit — two commands on a fresh machine with Rust, Node and apt:
#   make dev    set up what is missing, build, run the local edge and the demo site
#   make test   set up what is missing, build, run every test
# Every set-up step checks first and does nothing when its tool is already there.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Pinned tools. wasm-bindgen-cli must be exactly the wasm-bindgen in Cargo.lock.
WASM_BINDGEN_VERSION := 0.2.129
WORKER_BUILD_VERSION := 0.8.7
CARGO_FUZZ_VERSION := 0.13.2
WASM_TARGET := wasm32-unknown-unknown

CARGO_BIN := $(HOME)/.cargo/bin
NODE_BIN := $(CURDIR)/node_modules/.bin
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

# worker-build would download these; point it at the pinned local copies instead.
export WASM_BINDGEN_BIN := $(CARGO_BIN)/wasm-bindgen
export ESBUILD_BIN := $(NODE_BIN)/esbuild
export WASM_OPT_BIN := $(NODE_BIN)/wasm-opt
export WRANGLER_SEND_METRICS := false

BEACON_SOURCES := $(shell find crates/beacon -type f) Cargo.toml Cargo.lock
SNIPPET_SOURCES := $(BEACON_SOURCES) $(shell find crates/snippet -type f) www/loader.js www/build.mjs
EDGE_SOURCES := $(BEACON_SOURCES) $(shell find crates/aggregate crates/report -type f) \
	$(shell find crates/edge -type f -not -path 'crates/edge/build/*')

SNIPPET_PKG := target/snippet-pkg
SNIPPET_DIST := www/dist/t.js
EDGE_DIST := crates/edge/build/worker/shim.mjs

.PHONY: help setup tools fuzz-tools chromium wrk build dev test test-rust test-fuzz test-e2e lint fuzz \
	bench bench-edge deploy test-deploy clean openapi

help:
	@echo "make dev     build and run the local edge with the demo site (Ctrl-C stops)"
	@echo "make test    every test: Rust unit tests, lints, wasm builds, end-to-end in Chromium"
	@echo "make bench   every figure, side by side with peers, printed and written to BENCHMARKS.md (minutes)"
	@echo "make bench-edge  ingest beacons/s and beacons lost on SIGKILL, against local wrangler dev"
	@echo "make fuzz    run each fuzz target for FUZZ_SECONDS (default $(FUZZ_SECONDS)) seconds"
	@echo "make deploy  build and deploy the edge with wrangler"
	@echo "make openapi write docs/openapi.yaml from the edge's routes and the Rust types"

## Set-up ---------------------------------------------------------------------------------

setup: tools node_modules/.package-lock.json

tools:
	@rustup target list --installed | grep -qx '$(WASM_TARGET)' || rustup target add $(WASM_TARGET)
	@rustup component list --installed | grep -qx 'rust-src' || rustup component add rust-src
	@grep -A1 '^name = "wasm-bindgen"$$' Cargo.lock | grep -q '"$(WASM_BINDGEN_VERSION)"' || \
		{ echo "Cargo.lock's wasm-bindgen differs from WASM_BINDGEN_VERSION in the Makefile" >&2; exit 1; }
	@cargo install --list | grep -qx 'wasm-bindgen-cli v$(WASM_BINDGEN_VERSION):' || \
		cargo install wasm-bindgen-cli --version '=$(WASM_BINDGEN_VERSION)' --locked
	@cargo install --list | grep -qx 'worker-build v$(WORKER_BUILD_VERSION):' || \
		cargo install worker-build --version '=$(WORKER_BUILD_VERSION)' --locked

fuzz-tools:
	@cargo install --list | grep -qx 'cargo-fuzz v$(CARGO_FUZZ_VERSION):' || \
		cargo install cargo-fuzz --version '=$(CARGO_FUZZ_VERSION)' --locked

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }

# The benchmarks' load generator (Debian's wrk: a Node client would take the CPU it measures).
wrk:
	@command -v wrk >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y wrk; }

## Build ----------------------------------------------------------------------------------

build: $(SNIPPET_DIST) $(EDGE_DIST)

# The snippet links its own build of `core` and `alloc` whose panics abort at once, so that no
# panic message, location or formatting code ships (about 600 B of the gzipped WebAssembly).
# `-Z build-std` and that panic strategy are unstable options, which the stable toolchain
# accepts with RUSTC_BOOTSTRAP=1 (as for fuzzing); their own target directory keeps the edge's
# wasm32 build, with the usual flags, from being rebuilt after each snippet build.
SNIPPET_CARGO := RUSTC_BOOTSTRAP=1 RUSTFLAGS='-Zunstable-options -Cpanic=immediate-abort' cargo
SNIPPET_FLAGS := -p tacit-snippet --target $(WASM_TARGET) -Z build-std=core,alloc \
	--target-dir target/snippet-std
# wasm-bindgen writes the glue (an ES module) and the WebAssembly it binds; wasm-opt then
# shrinks that WebAssembly with the features rustc enables for the target. The JavaScript values
# the module holds are `externref`s in a table of the module's: without reference types, the
# glue would keep them in an array with `Array.prototype.push`, which a host page may break (the
# 340 B, gzipped, that this would save are not worth it). wasm-opt also gives the imports and
# exports one- or two-letter names, and prints the renaming for www/build.mjs to apply to the
# glue (wasm-bindgen's names carry hashes, which no compression shortens: 1 KB, gzipped).
$(SNIPPET_DIST): $(SNIPPET_SOURCES) | setup
	$(SNIPPET_CARGO) build $(SNIPPET_FLAGS) --profile snippet
	@mkdir -p $(SNIPPET_PKG)
	$(WASM_BINDGEN_BIN) --target web --no-typescript --out-dir $(SNIPPET_PKG) \
		target/snippet-std/$(WASM_TARGET)/snippet/tacit_snippet.wasm
	$(WASM_OPT_BIN) -Oz --strip-debug --strip-producers --strip-target-features \
		--enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
		--enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
		--minify-imports-and-exports-and-modules \
		$(SNIPPET_PKG)/tacit_snippet_bg.wasm -o $(SNIPPET_PKG)/tacit_snippet.wasm \
		> $(SNIPPET_PKG)/renamed.json
	node www/build.mjs

$(EDGE_DIST): $(EDGE_SOURCES) | setup
	cd crates/edge && worker-build --release
	@touch $@

# The OpenAPI document is generated from the edge's routes and the types its answers serialise
# (crates/edge/src/openapi.rs); `make lint` fails when the committed one differs.
OPENAPI := cargo run --quiet -p tacit-edge --features openapi --bin openapi
# The native lints and tests build every crate once, with the features only they need: the
# same set each time, so that cargo reuses what the other built.
NATIVE_FEATURES := --features tacit-edge/openapi,tacit-report/synthetic

openapi:
	$(OPENAPI) > docs/openapi.yaml

## Run ------------------------------------------------------------------------------------

dev: build
	node scripts/dev.mjs

## Test -----------------------------------------------------------------------------------

test: lint test-rust test-fuzz test-e2e test-deploy

lint: setup
	@# The vendored crawler list is the pinned package's file, byte for byte (crates/beacon/data).
	cmp node_modules/crawler-user-agents/crawler-user-agents.json \
		crates/beacon/data/crawler-user-agents.json
	cargo fmt --all --check
	cd fuzz && cargo fmt --check
	@# The fuzz crate is outside the workspace: check it here, not first in test-fuzz.
	cd fuzz && cargo clippy --all-targets -- -D warnings
	@# Natively with the edge's `openapi` and the report's `synthetic` features, in one pass
	@# (a second, without them, would check every crate again); the wasm32 pass checks the
	@# edge as it ships, without them.
	cargo clippy --workspace --all-targets $(NATIVE_FEATURES) -- -D warnings
	cargo clippy -p tacit-edge --target $(WASM_TARGET) -- -D warnings
	@$(OPENAPI) | diff -u docs/openapi.yaml - || \
		{ echo "docs/openapi.yaml differs from the generated document: run make openapi" >&2; exit 1; }
	RUSTDOCFLAGS='-D warnings' cargo doc --no-deps -p tacit-beacon -p tacit-aggregate -p tacit-report
	# The snippet is linted as it is built, with its own `core` and `alloc` (see its build).
	$(SNIPPET_CARGO) clippy $(SNIPPET_FLAGS) -- -D warnings

test-rust: setup
	cargo test --workspace $(NATIVE_FEATURES)

# Fuzzing (fuzz/, a workspace of its own). libFuzzer's coverage flags are unstable rustc
# options: the stable toolchain accepts them with RUSTC_BOOTSTRAP=1, so no nightly is needed.
# No sanitizer by default: the fuzzed crates have no unsafe code outside tests for
# AddressSanitizer to check, and it runs the targets about 4x slower (FUZZ_SANITIZER=address
# works too, on stable). Bounds: -rss_limit_mb for the process, and any single allocation over
# 64 MiB aborts in the targets' own allocator (fuzz/src/lib.rs), on every build. libFuzzer
# enforces -malloc_limit_mb only through a sanitizer's malloc hooks, so it does nothing without
# one; with FUZZ_SANITIZER=address it also catches allocations outside Rust's allocator.
FUZZ_TARGETS := beacon codec scrub agent
FUZZ_SECONDS ?= 60
FUZZ_TEST_SECONDS ?= 30
FUZZ_SANITIZER ?= none
FUZZ_CORPUS := $(CURDIR)/target/fuzz-corpus
FUZZ := cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz
FUZZ_BUILD_FLAGS := --sanitizer $(FUZZ_SANITIZER) --release --debug-assertions
FUZZ_LIMITS := -rss_limit_mb=1024 -malloc_limit_mb=256

fuzz: FUZZ_RUN_SECONDS = $(FUZZ_SECONDS)
test-fuzz: FUZZ_RUN_SECONDS = $(FUZZ_TEST_SECONDS)
fuzz test-fuzz: fuzz-tools
	$(FUZZ) build $(FUZZ_BUILD_FLAGS)
	@for target in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_CORPUS)/$$target; \
		log=$(FUZZ_CORPUS)/$$target.log; \
		echo "fuzz $$target: $(FUZZ_RUN_SECONDS) s"; \
		if ! ( $(FUZZ) run $(FUZZ_BUILD_FLAGS) $$target $(FUZZ_CORPUS)/$$target seeds/$$target -- \
			-max_total_time=$(FUZZ_RUN_SECONDS) $(FUZZ_LIMITS) -print_final_stats=1 ) > $$log 2>&1; then \
			tail -n 60 $$log >&2; \
			echo "fuzz $$target failed; the input is in fuzz/artifacts/$$target" >&2; exit 1; \
		fi; \
		grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' $$log; \
	done

test-e2e: build chromium
	node --test --test-concurrency=1 tests/

# The production bundle, built as `make deploy` would upload it, without an account: `make
# deploy` has no other check before it meets one.
test-deploy: build
	$(NODE_BIN)/wrangler deploy --dry-run --outdir target/deploy-dry-run

# Every benchmark in one run, as name=value lines, then BENCHMARKS.md and
# docs/bench/edge-scaling.svg (several minutes; see scripts/bench-report.mjs for the parts).
bench: $(SNIPPET_DIST) $(EDGE_DIST) chromium wrk
	@node scripts/bench-report.mjs

# Ingest throughput against a local wrangler dev, as a ratio to a do-nothing route; beacons lost
# on SIGKILL and on an orderly stop; a flood of 100,000 distinct paths (ten minutes or more).
bench-edge: build
	node scripts/load.mjs 16000 16 1
	node scripts/loss-on-kill.mjs 5 8 5
	node scripts/load.mjs 100000 16 1 100000

deploy: build
	$(NODE_BIN)/wrangler deploy

clean:
	rm -rf target crates/edge/build www/dist
