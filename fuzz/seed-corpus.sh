#!/usr/bin/env bash
# Fill fuzz/corpus/protocol_decode/ with seeds: the specification's JSON examples
# (../shared/spec/2025-11-25/examples beside the checkout), the files as they are.
set -euo pipefail
cd "$(dirname "$0")"
examples=${EXAMPLES:-../../shared/spec/2025-11-25/examples}
[ -d "$examples" ] || { echo "no examples at $examples (set EXAMPLES=...)" >&2; exit 1; }
mkdir -p corpus/protocol_decode
for f in "$examples"/*.json; do
  cp "$f" "corpus/protocol_decode/$(basename "$f" .json)"
done
echo "seeded $(ls corpus/protocol_decode | wc -l) examples into fuzz/corpus/"
