#!/usr/bin/env bash
# Size of the release module after wasm-bindgen and wasm-opt, by area (needs twiggy).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH
cargo build --release --target wasm32-unknown-unknown -q --features global-allocator
out=target/measure; rm -rf $out; mkdir -p $out
wasm-bindgen --target web --keep-debug --out-dir $out target/wasm32-unknown-unknown/release/mcp_tasks_wasm.wasm
wasm-opt -Oz --one-caller-inline-max-function-size=20 --debuginfo --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue $out/mcp_tasks_wasm_bg.wasm -o $out/named.wasm
# The same flags as `make build`.
wasm-opt -Oz --converge --one-caller-inline-max-function-size=20 --strip-debug --strip-producers --strip-target-features --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue $out/mcp_tasks_wasm_bg.wasm -o $out/final.wasm
cp $out/mcp_tasks_wasm.js $out/final.js
node tools/minify-imports.mjs $out/final.wasm $out/final.js >/dev/null
node tools/strip-glue-comments.mjs $out/final.js >/dev/null
echo "final: $(stat -c %s $out/final.wasm) bytes raw, $(gzip -9 -c $out/final.wasm | wc -c) gzip"
echo "glue:  $(stat -c %s $out/final.js) bytes raw, $(gzip -9 -c $out/final.js | wc -c) gzip (mcp_tasks_wasm.js)"
twiggy top -n ${1:-25} $out/named.wasm | cut -c1-140
