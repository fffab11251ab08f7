#!/usr/bin/env bash
# Run a command with two reference MCP servers on free 127.0.0.1 ports: one answering with
# SSE (MCP_TEST_SERVER) and one with plain JSON (MCP_TEST_SERVER_JSON). Both stop when the
# command ends, however it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

start() { # name, extra flags...
  local name=$1; shift
  node tests/server/server.mjs --port 0 --port-file "$dir/$name.port" --static . "$@" >"$dir/$name.log" 2>&1 &
  pids+=($!)
}
start sse
start json --json
for name in sse json; do
  for _ in $(seq 1 300); do [ -s "$dir/$name.port" ] && break; sleep 0.1; done
  [ -s "$dir/$name.port" ] || { echo "reference server ($name) did not start:"; cat "$dir/$name.log"; exit 1; }
done
export MCP_TEST_SERVER="http://127.0.0.1:$(cat "$dir/sse.port")/mcp"
export MCP_TEST_SERVER_JSON="http://127.0.0.1:$(cat "$dir/json.port")/mcp"
echo "reference servers: $MCP_TEST_SERVER (SSE), $MCP_TEST_SERVER_JSON (JSON)"
status=0
"$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server logs (sse) ---"; tail -n 40 "$dir/sse.log" || true
  echo "--- server logs (json) ---"; tail -n 40 "$dir/json.log" || true
fi
exit "$status"
