# mcp-tasks-wasm: `make demo` and `make test` are the two commands; each installs what is
# missing first (idempotent `setup`).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export CHROMEDRIVER ?= /usr/bin/chromedriver
# Must equal the `wasm-bindgen = "=X"` pin in Cargo.toml.
WASM_BINDGEN_VERSION := 0.2.130
DEMO_PORT ?= 8787
# The npm package is built with a pinned nightly: std rebuilt with panic=immediate-abort
# and no panic locations (no panic message or formatting machinery in the wasm), 4.7 KB
# gzip smaller than the stable build (measured 56,709 against 61,395 bytes of wasm).
# Everything else (lint, native and browser tests) uses the stable toolchain, and
# `make build RELEASE_TOOLCHAIN=stable` builds the package with it.
# Without the reference-types target feature, wasm-bindgen keeps JS values in its JS-side
# heap array instead of an externref table the wasm manages: 1,907 bytes smaller in the
# size row (86,248 -> 84,341: wasm -1,220, glue -687), the same glue every browser and
# Node >= 20 runs. LLVM's inline threshold at 8 instead of opt-level "z"'s 5: 65 to 140
# bytes less gzip in four measurements on different code (10 about the same, 12 and more
# hundreds of bytes more; a fragile knob, measured again when the code changes much: at
# 50,633 pre-order, 6 and 10 gave the same module as 8, and 0 about 400 bytes more).
RELEASE_TOOLCHAIN ?= nightly-2026-10-30
ifeq ($(RELEASE_TOOLCHAIN),stable)
RELEASE_ENV :=
RELEASE_ARGS :=
else
RELEASE_ENV := RUSTUP_TOOLCHAIN=$(RELEASE_TOOLCHAIN) RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Ctarget-feature=-reference-types -Cllvm-args=-inline-threshold=8"
RELEASE_ARGS := -Z build-std=std,panic_abort
endif

.PHONY: setup build print-release-flags demo test test-native test-dependent test-size test-lint test-server test-www test-wasm test-node test-consumers test-e2e test-e2e-auth test-fault test-hostile test-types test-conformance test-conformance-2026 test-conformance-auth test-node-modern test-node-tasks-modern test-node-auth size bench clean

setup:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
	@[ "$(RELEASE_TOOLCHAIN)" = stable ] || rustup toolchain list | grep -q '^$(RELEASE_TOOLCHAIN)' \
	  || rustup toolchain install $(RELEASE_TOOLCHAIN) --profile minimal --component rust-src
	@command -v wasm-pack >/dev/null || cargo install wasm-pack
	@wasm-bindgen --version 2>/dev/null | grep -qx 'wasm-bindgen $(WASM_BINDGEN_VERSION)' \
	  || cargo install wasm-bindgen-cli --version =$(WASM_BINDGEN_VERSION)
	@[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] \
	  || { apt-get update && apt-get install -y chromium chromium-driver; }
	@[ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund

# pkg/: the npm package (ES module with init(), plus index.js that also exports the error
# classes). wasm-opt comes from the npm binaryen (Debian's is too old). --converge repeats
# -Oz while it still shrinks the module; the producers and target-features sections are
# metadata no engine reads (together about 500 bytes). By default -Oz inlines every
# function with one caller, however large; capping that at 20 (binaryen's size units)
# leaves big async bodies as separate functions, which gzip far better (measured: about
# 2.2 KB less gzip for 1.3 KB more raw). Before it, tools/prune-shims.mjs takes
# wasm-bindgen's closure invoke shims for closure types the crate never makes out of the
# function table (JS calls closures through exports; only the describe functions that
# wasm-bindgen removes took those addresses), so -Oz drops them: 356 bytes less gzip, and
# 328 more since a constant that only meets arithmetic, comparisons, addresses, lengths or
# conditions (followed through locals and callees' parameters) no longer counts as a
# possible pointer to a shim;
# likewise js-sys's JSPI task waker when no JSPI intrinsic is imported (no JSPI task can
# exist): 113 bytes less.
# --low-memory-unused lets -Oz fold constant offsets into loads and stores: Rust's wasm
# puts the 1 MiB stack first, growing down towards 0, so its lowest KiB is reached only
# by a stack that has already overflowed (104 bytes less gzip). --ignore-implicit-traps
# lets it drop or move loads whose result is unused: safe Rust never makes an
# out-of-bounds load, and it checks divisors itself (41 bytes less gzip).
# --rse (redundant local.set elimination) once before -Oz's passes, whose own rse runs
# later in its pipeline: 28 to 36 bytes less gzip on each of six builds of different code
# (pre-order 50,633 -> 50,601).
# Before all that, one -Oz, then --flatten and --rereloop (the control flow of every
# function flattened and rebuilt by binaryen's relooper, which finds fewer, simpler blocks
# and branches than LLVM's structurizer left in the async state machines) and -O2 to clean
# up after them: 329 bytes less gzip before function ordering (47,946 -> 47,617, measured
# on the same input; -Os or -Oz to clean up instead: 4 to 70 bytes less of a win, --dfo,
# a second round or other passes between them: 0 to 6).
# tools/order-functions.mjs then puts alike
# functions next to each other (only the order changes; 1.4 KB less gzip when added; its
# seeded local search after the greedy order, 12 rounds, about 5 minutes on two cores,
# about 0.55 KB more; ORDER_ROUNDS=0 skips it for a quick build).
WASM_OPT_FLAGS := --rse -Oz --flatten --rereloop -O2 --rse -Oz --converge --one-caller-inline-max-function-size=20 --low-memory-unused --ignore-implicit-traps \
  --strip-producers --strip-target-features --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue
# The npm build's features (Cargo.toml): its own allocator, and cells without the runtime
# borrow check (src/cell.rs).
NPM_FEATURES := global-allocator,unchecked-cells
build: setup
	$(RELEASE_ENV) wasm-pack build . --release --target web --out-dir pkg --out-name mcp_tasks_wasm -- --features $(NPM_FEATURES) $(RELEASE_ARGS)
	node tools/prune-shims.mjs pkg/mcp_tasks_wasm_bg.wasm
	wasm-opt $(WASM_OPT_FLAGS) pkg/mcp_tasks_wasm_bg.wasm -o pkg/mcp_tasks_wasm_bg.wasm
	node tools/order-functions.mjs pkg/mcp_tasks_wasm_bg.wasm
	node tools/minify-imports.mjs pkg/mcp_tasks_wasm_bg.wasm pkg/mcp_tasks_wasm.js
	node tools/strip-glue-comments.mjs pkg/mcp_tasks_wasm.js
	node tools/finish-pkg.mjs

# The release build's flags as shell assignments (tools/measure.sh reads them).
print-release-flags:
	@echo 'export $(RELEASE_ENV); ARGS="$(RELEASE_ARGS)"; OPT="$(WASM_OPT_FLAGS)"; FEATURES="$(NPM_FEATURES)"'

demo: build
	@echo "Dashboard: http://127.0.0.1:$(DEMO_PORT)/www/  (MCP endpoint: http://127.0.0.1:$(DEMO_PORT)/mcp)"
	node tests/server/server.mjs --port $(DEMO_PORT) --static .

test: setup
	$(MAKE) test-lint
	$(MAKE) test-native
	$(MAKE) test-server
	$(MAKE) test-www
	$(MAKE) build
	$(MAKE) test-size
	$(MAKE) test-wasm
	$(MAKE) test-node
	$(MAKE) test-consumers
	$(MAKE) test-e2e
	$(MAKE) test-fault
	$(MAKE) test-types
	$(MAKE) test-conformance
	@echo "make test: all suites passed"

test-lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --lib --features $(NPM_FEATURES) -- -D warnings
	# The doc comments' links resolve (a renamed item leaves no dead link behind).
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --document-private-items -q

test-native:
	cargo test
	$(MAKE) test-dependent

# A Rust crate that depends on this one and registers its own #[global_allocator] builds
# for wasm32 (the crate's allocator is behind the `global-allocator` feature, which only
# the npm build turns on). Shares target/ so that the dependencies are built once.
test-dependent:
	CARGO_TARGET_DIR=$(CURDIR)/target/dependent cargo build -q --manifest-path tests/dependent/Cargo.toml --target wasm32-unknown-unknown

test-server:
	node tests/server/drive.mjs
	node tests/server/drive-modern.mjs

# The dashboard's pure modules (www/js: formatting, eras, statuses, the row model, the saved
# view, the remembered-task store, the schema check, the pool) under node --test; no
# browser, no pkg/ needed.
test-www:
	node --test tests/www/*.test.mjs

# The wasm tests run in headless Chromium against two real reference servers (SSE and
# JSON replies), whose URLs reach the tests at compile time.
test-wasm:
	WASM_BINDGEN_TEST_TIMEOUT=900 tests/with-servers.sh wasm-pack test --headless --chrome -- --features global-allocator --test web

test-node:
	tests/with-servers.sh node --test tests/node/smoke.mjs
	node --test tests/node/worker-wire.mjs tests/node/sse.mjs
	$(MAKE) test-node-modern
	$(MAKE) test-node-tasks-modern
	$(MAKE) test-node-auth

# Authorization (issue 17) from Node against the protected reference server
# (tests/server/auth.mjs, which starts its own authorization server and resource): sign-in
# on 401 at both revisions, refresh before expiry and after a 401, stored tokens, the token
# sent to the resource only, no token in errors, AuthError.
test-node-auth:
	node --test tests/node/oauth-unit.mjs tests/node/auth.mjs

# Revision 2026-07-28 from Node: version selection (auto, pinned), the modern headers and
# _meta on every POST, MRTR, x-mcp-header parameters, against the modern reference servers
# (dual, modern-only, and a --legacy-only one the test starts) and small in-test mocks.
test-node-modern:
	tests/with-servers.sh node --test tests/node/modern.mjs

# The 2026-07-28 tasks extension (io.modelcontextprotocol/tasks) from Node (written before
# the client implemented it, failing first): every tool of the modern server's task
# set, input through tasks/update, cancel, abort, resume, subscriptions/listen against the
# server's counters, polling with --no-listen, and the headers and _meta sent (recording
# fetch), against the modern reference servers (it starts its own with other flags) and
# small in-test mocks.
test-node-tasks-modern:
	tests/with-servers.sh node --test tests/node/tasks-modern.mjs

# tsc --strict over the whole API (usage.ts), then the packed package under each lib ×
# moduleResolution combination users commonly have, skipLibCheck false (matrix.mjs).
test-types:
	tsc -p tests/types/tsconfig.json
	node tests/types/matrix.mjs

# Faults through a seeded proxy (soak), session renewal, secrets in errors, the
# 10,000-task leak check, and hostile servers (see tests/fault/README.md).
test-fault:
	tests/with-servers.sh node --test tests/fault/soak.mjs tests/fault/renewal.mjs tests/fault/secrets.mjs tests/fault/resume.mjs
	tests/with-servers.sh node --expose-gc --test tests/fault/leak.mjs
	$(MAKE) test-hostile

# Hostile and faulty servers (issue 14's findings #6-#15: secrets, redirects, Retry-After,
# unbounded calls, request floods, reconnect storms, cursor loops, odd task ids, memory
# after a large reply, refused calls). Needs pkg/ (make build); starts its own servers.
test-hostile:
	node --expose-gc --test tests/fault/hostile.mjs

# The dashboard (www/) in headless Chromium (Playwright), screenshots in target/e2e/.
test-e2e:
	tests/with-servers.sh node --test tests/e2e/dashboard.mjs
	$(MAKE) test-e2e-auth

# Authorization in headless Chromium (issue 17): sign-in through popupAuthorize() and
# through redirectAuthorize(), refresh, sign-out, against tests/server/auth.mjs (starts its
# own servers; needs pkg/).
test-e2e-auth:
	node --test tests/e2e/auth.mjs

# The package as users consume it: esbuild bundles, a plain page, a Web Worker (Chromium).
test-consumers:
	tests/with-servers.sh node --test tests/consumers/consumers.mjs

# The official MCP conformance suite (@modelcontextprotocol/conformance, pinned in
# package.json), client side, against the packed package (after `make build`);
# tests/conformance/client.mjs is the client under test, run.mjs drives the suite (see
# there). Fails if any check fails or warns; prints a per-scenario summary. Each entry is
# <spec version>:<scenario>; to see the names (Node 20 needs the fs.globSync preload):
#   node --import ./tests/conformance/node20-globsync.mjs node_modules/.bin/conformance list --client
#   (... list --requirements 2025-11-25: what a revision requires)
# Run a subset: make test-conformance CONFORMANCE_SCENARIOS=2025-11-25:initialize
# The client scenarios revision 2026-07-28 requires (`conformance list --requirements
# 2026-07-28`, less the auth/ ones), run at the 2026-07-28 wire (`--spec-version
# 2026-07-28`, so MCP_CONFORMANCE_PROTOCOL_VERSION=2026-07-28 for the adapter);
# `make test-conformance-2026` runs them alone.
CONFORMANCE_SCENARIOS_2026 ?= \
  2026-07-28:request-metadata \
  2026-07-28:tools_call \
  2026-07-28:http-standard-headers \
  2026-07-28:http-custom-headers \
  2026-07-28:http-invalid-tool-headers \
  2026-07-28:sep-2322-client-request-state \
  2026-07-28:json-schema-ref-no-deref

# Authorization (issue 17): every auth client scenario the requirement sets name, 14 for
# 2025-11-25 and 25 for 2026-07-28 (the adapter's authorize step follows the redirect by
# hand: see authScenario in client.mjs); `make test-conformance-auth` runs them alone. The
# 14 of 2025-11-25 run at 2026-07-28 too, which adds 11 of its own.
AUTH_SCENARIOS_BOTH := \
  auth/metadata-default \
  auth/metadata-var1 \
  auth/metadata-var2 \
  auth/metadata-var3 \
  auth/basic-cimd \
  auth/scope-from-www-authenticate \
  auth/scope-from-scopes-supported \
  auth/scope-omitted-when-undefined \
  auth/scope-step-up \
  auth/scope-retry-limit \
  auth/token-endpoint-auth-basic \
  auth/token-endpoint-auth-post \
  auth/token-endpoint-auth-none \
  auth/pre-registration
AUTH_SCENARIOS_2026_ONLY := \
  auth/resource-mismatch \
  auth/offline-access-scope \
  auth/offline-access-not-supported \
  auth/authorization-server-migration \
  auth/iss-supported \
  auth/iss-not-advertised \
  auth/iss-supported-missing \
  auth/iss-wrong-issuer \
  auth/iss-unexpected \
  auth/iss-normalized \
  auth/metadata-issuer-mismatch
CONFORMANCE_SCENARIOS_AUTH ?= $(addprefix 2025-11-25:,$(AUTH_SCENARIOS_BOTH)) \
  $(addprefix 2026-07-28:,$(AUTH_SCENARIOS_BOTH) $(AUTH_SCENARIOS_2026_ONLY))

CONFORMANCE_SCENARIOS ?= \
  2025-11-25:initialize \
  2025-11-25:tools_call \
  2025-11-25:sse-retry \
  2025-11-25:elicitation-sep1034-client-defaults \
  $(CONFORMANCE_SCENARIOS_2026) \
  $(CONFORMANCE_SCENARIOS_AUTH)

test-conformance:
	node tests/conformance/run.mjs $(CONFORMANCE_SCENARIOS)

test-conformance-2026:
	node tests/conformance/run.mjs $(CONFORMANCE_SCENARIOS_2026)

test-conformance-auth:
	node tests/conformance/run.mjs $(CONFORMANCE_SCENARIOS_AUTH)

size:
	node tools/size.mjs

# The size gate: the package's size row (as make bench measures it) against the budget in
# tools/size-budget.json. Needs pkg/ (make build).
test-size:
	node tools/size.mjs --check

# Side by side with the official TypeScript clients, both eras (2025-11-25: @modelcontextprotocol/sdk;
# 2026-07-28: @modelcontextprotocol/client + ext-tasks), in one run (not part of `make test`).
bench: setup
	@[ -f pkg/mcp_tasks_wasm_bg.wasm ] || $(MAKE) build
	node bench/run.mjs

clean:
	rm -rf pkg target/wasm32-unknown-unknown
