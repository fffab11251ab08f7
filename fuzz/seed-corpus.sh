#!/usr/bin/env bash
# Fill fuzz/corpus/<target>/ with seeds made from the specification's JSON examples
# (../shared/spec/2025-11-25/examples beside the checkout): the files as they are for
# protocol_decode, and SSE streams carrying them for the SSE targets.
set -euo pipefail
cd "$(dirname "$0")"
examples=${EXAMPLES:-../../shared/spec/2025-11-25/examples}
[ -d "$examples" ] || { echo "no examples at $examples (set EXAMPLES=...)" >&2; exit 1; }
mkdir -p corpus/protocol_decode corpus/sse_parser corpus/sse_messages
for f in "$examples"/*.json; do
  name=$(basename "$f" .json)
  cp "$f" "corpus/protocol_decode/$name"
  json=$(tr -d '\n' < "$f")
  # An event as servers send it: priming event, id, event name, data; LF line ends.
  printf 'id: 0\ndata: \n\nid: 1\nevent: message\ndata: %s\n\n' "$json" > "corpus/sse_messages/$name"
  # The same with CRLF and the pretty JSON split over data lines; byte 0 is the control
  # byte of sse_parser (cap 4096, three chunk lengths follow).
  { printf '\x1d\x07\x40\x13'; sed 's/^/data: /; s/$/\r/' "$f"; printf '\r\n'; } > "corpus/sse_parser/$name"
done
echo "seeded $(ls corpus/protocol_decode | wc -l) examples into fuzz/corpus/"
