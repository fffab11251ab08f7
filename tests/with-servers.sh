#!/usr/bin/env bash
# Run a command with four reference MCP servers on free 127.0.0.1 ports: two of revision
# 2025-11-25 (tests/server/server.mjs), one answering with SSE (MCP_TEST_SERVER) and one with
# plain JSON (MCP_TEST_SERVER_JSON), and two of revision 2026-07-28 with the tasks extension
# (tests/server/modern.mjs), one dual-era (MCP_TEST_MODERN, also answers a legacy
# initialize) and one modern-only (MCP_TEST_MODERN_ONLY). All stop when the command ends,
# however it ends.
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

start() { # name, server script, extra flags...
  local name=$1 script=$2; shift 2
  node "tests/server/$script" --port 0 --port-file "$dir/$name.port" --static . "$@" >"$dir/$name.log" 2>&1 &
  pids+=($!)
}
names=(sse json modern modern-only)
start sse server.mjs
start json server.mjs --json
start modern modern.mjs
start modern-only modern.mjs --modern-only
for name in "${names[@]}"; do
  for _ in $(seq 1 300); do [ -s "$dir/$name.port" ] && break; sleep 0.1; done
  [ -s "$dir/$name.port" ] || { echo "reference server ($name) did not start:"; cat "$dir/$name.log"; exit 1; }
done
export MCP_TEST_SERVER="http://127.0.0.1:$(cat "$dir/sse.port")/mcp"
export MCP_TEST_SERVER_JSON="http://127.0.0.1:$(cat "$dir/json.port")/mcp"
export MCP_TEST_MODERN="http://127.0.0.1:$(cat "$dir/modern.port")/mcp"
export MCP_TEST_MODERN_ONLY="http://127.0.0.1:$(cat "$dir/modern-only.port")/mcp"
echo "reference servers: $MCP_TEST_SERVER (SSE), $MCP_TEST_SERVER_JSON (JSON)," \
  "$MCP_TEST_MODERN (2026-07-28, dual), $MCP_TEST_MODERN_ONLY (2026-07-28, modern only)"
status=0
"$@" || status=$?
if [ "$status" -ne 0 ]; then
  for name in "${names[@]}"; do
    echo "--- server logs ($name) ---"; tail -n 40 "$dir/$name.log" || true
  done
fi
exit "$status"
