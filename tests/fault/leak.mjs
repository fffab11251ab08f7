// Leak check: 10,000 tasks created and settled one after another against the reference
// server; the wasm memory, the wasm-bindgen externref table and the JS heap return to
// within a small bound of where they were after a warm-up. Prints the figures.
//
//   tests/with-servers.sh node --test tests/fault/leak.mjs
//
// Env: LEAK_TASKS (default 10000), LEAK_WARMUP (default 500). `gc` comes from
// --expose-gc when given, else it is switched on at run time (v8.setFlagsFromString).
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import init, { McpClient } from '../../pkg/node.js';
import * as glue from '../../pkg/mcp_tasks_wasm.js';
import { exitWatchdog } from './watchdog.mjs';

exitWatchdog({ beforeEach, afterEach });

const SSE = process.env.MCP_TEST_SERVER;
const JSONURL = process.env.MCP_TEST_SERVER_JSON;
const TASKS = Number(process.env.LEAK_TASKS ?? 10_000);
const WARMUP = Number(process.env.LEAK_WARMUP ?? 1000);

// Bounds, after the warm-up: the wasm linear memory may grow by at most 4 pages in all and
// by at most 2 pages over the second half of the run (it never shrinks, so a steady leak
// shows: 10,000 tasks leaking 32 bytes each would be 5 pages; the allocator settles within
// the first few thousand tasks), the JS references the Rust side holds by 64, the JS heap
// by 2 MiB.
const WASM_SLACK = 4 * 65536;
const WASM_SLACK_SECOND_HALF = 2 * 65536;
const REFS_SLACK = 64;
const HEAP_SLACK = 2 * 1024 * 1024;

let gc = globalThis.gc;
if (typeof gc !== 'function') {
  v8.setFlagsFromString('--expose-gc');
  gc = vm.runInNewContext('gc');
}

/** The JS values the Rust side keeps: the slots of the externref table that hold one (a
 * freed slot is set to null; the table itself never shrinks) when the wasm has that
 * table, else the live slots of the glue's heap array (the release build has no
 * reference-types; tools/finish-pkg.mjs adds `__liveRefs` for this test). */
function liveRefs(table) {
  if (!table) {
    assert.equal(typeof glue.__liveRefs, 'function', 'no externref table and no __liveRefs: the JS references cannot be counted');
    return glue.__liveRefs();
  }
  let n = 0;
  for (let i = 0; i < table.length; i++) {
    const v = table.get(i);
    if (v !== undefined && v !== null) n++;
  }
  return n;
}

const MiB = (n) => `${(n / 1048576).toFixed(2)} MiB`;

/** Collect until the heap stops shrinking; lets FinalizationRegistry callbacks (which free
 * the Rust side of dropped TaskHandles) run in between. */
async function settleHeap() {
  let last = Infinity;
  for (let i = 0; i < 10; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const used = process.memoryUsage().heapUsed;
    if (used >= last - 16 * 1024) return used;
    last = used;
  }
  return process.memoryUsage().heapUsed;
}

test(`${TASKS} tasks in sequence leave wasm memory and the JS heap where they were`, { timeout: 600_000 }, async () => {
  assert.ok(SSE && JSONURL, 'run through tests/with-servers.sh');
  const wasm = await init(); // already initialised by pkg/node.js: resolves to the exports
  assert.ok(wasm.memory instanceof WebAssembly.Memory);
  const table = wasm.__wbindgen_externrefs;
  const client = await McpClient.connect(SSE, { clientInfo: { name: 'leak-check', version: '1' } });
  await client.listAllTools();

  const opts = { minPollIntervalMs: 1, ttlMs: 60_000 };
  const args = { ms: 0, text: 'leak', pollInterval: 1 };
  async function one(i) {
    const h = await client.callToolAsTask('sleep', args, opts);
    const r = await h.result();
    if (r.content[0].text !== 'leak') throw new Error(`task ${i}: wrong result ${JSON.stringify(r)}`);
  }
  const sample = async (label, done) => {
    const heap = await settleHeap();
    const s = { label, done, wasm: wasm.memory.buffer.byteLength, table: table?.length ?? 0, refs: liveRefs(table), heap, active: client.activeTasks };
    console.log(`${label.padEnd(10)} after ${String(done).padStart(5)} tasks: wasm memory ${MiB(s.wasm)}, JS references held by Rust ${s.refs} (externref table: ${s.table} slots), JS heap ${MiB(s.heap)}, active handles ${s.active}`);
    return s;
  };

  for (let i = 0; i < WARMUP; i++) await one(i);
  const base = await sample('warm-up', WARMUP);
  const t0 = Date.now();
  const samples = [base];
  const step = Math.max(1, Math.floor(TASKS / 4));
  for (let i = 0; i < TASKS; i++) {
    await one(WARMUP + i);
    // A dropped handle's Rust side is freed by its FinalizationRegistry callback, after a
    // collection: how many wait for one depends on when V8 collects (on a busy machine,
    // seldom), and the memory they hold meanwhile is never returned to the page. A
    // collection every 250 tasks bounds them, so the figures measure leaks, not timing.
    if ((i + 1) % 250 === 0) await settleHeap();
    if ((i + 1) % step === 0 && i + 1 < TASKS) samples.push(await sample('checkpoint', WARMUP + i + 1));
  }
  const elapsed = Date.now() - t0;
  const end = await sample('end', WARMUP + TASKS);
  await client.close();
  const closed = await sample('closed', WARMUP + TASKS);
  console.log(`${TASKS} tasks in ${(elapsed / 1000).toFixed(1)} s (${(elapsed / TASKS).toFixed(2)} ms per task, create + poll + result)`);
  console.log(`growth after the warm-up: wasm memory ${end.wasm - base.wasm} bytes (bound ${WASM_SLACK}), JS references held by Rust ${end.refs - base.refs} (bound ${REFS_SLACK}; table size ${base.table} -> ${end.table}), JS heap ${MiB(end.heap - base.heap)} (bound ${MiB(HEAP_SLACK)}); after close(): JS heap ${MiB(closed.heap - base.heap)}`);

  assert.equal(end.active, 0, 'every handle is released');
  assert.ok(end.wasm - base.wasm <= WASM_SLACK, `wasm memory grew by ${end.wasm - base.wasm} bytes`);
  const mid = samples[Math.min(2, samples.length - 1)];
  assert.ok(end.wasm - mid.wasm <= WASM_SLACK_SECOND_HALF, `wasm memory grew by ${end.wasm - mid.wasm} bytes over the second half`);
  assert.ok(end.refs - base.refs <= REFS_SLACK, `the Rust side holds ${end.refs - base.refs} more JS references`);
  assert.ok(end.heap - base.heap <= HEAP_SLACK, `the JS heap grew by ${MiB(end.heap - base.heap)}`);
});
