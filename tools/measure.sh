#!/usr/bin/env bash
# Size of the release module by function (needs twiggy): the package's wasm built as
# `make build` builds it (the pinned nightly and its flags, prune-shims, the same wasm-opt
# flags, all read from the Makefile) but with the names kept, so twiggy can say where the
# bytes are. Prints the wasm's gzip before function ordering (the ordering moves it by
# about 150 bytes) and the biggest functions; target/measure/top.csv lists them all.
#   tools/measure.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH
flags=$(make -s --no-print-directory print-release-flags)
eval "$flags"
cargo build --release --target wasm32-unknown-unknown -q --features $FEATURES $ARGS --target-dir target/measure-build
out=target/measure; rm -rf $out; mkdir -p $out
wasm-bindgen --target web --keep-debug --out-dir $out target/measure-build/wasm32-unknown-unknown/release/mcp_tasks_wasm.wasm
node tools/prune-shims.mjs $out/mcp_tasks_wasm_bg.wasm >/dev/null
wasm-opt $OPT $out/mcp_tasks_wasm_bg.wasm -o $out/final.wasm
wasm-opt $OPT --debuginfo $out/mcp_tasks_wasm_bg.wasm -o $out/named.wasm
node tools/minify-imports.mjs $out/final.wasm $out/mcp_tasks_wasm.js >/dev/null
echo "wasm before ordering: $(stat -c %s $out/final.wasm) bytes raw, $(gzip -9 -c $out/final.wasm | wc -c) gzip"
twiggy top -n 5000 -f csv $out/named.wasm > $out/top.csv
twiggy top -n ${1:-25} $out/named.wasm | sed 's/\[[0-9a-f]\{16\}\]//g' | cut -c1-140
