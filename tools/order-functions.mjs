// Put the wasm's functions in an order that gzip compresses better: alike functions next
// to each other, so that deflate's 32 KB window finds their common byte runs.
//
//   node tools/order-functions.mjs pkg/mcp_tasks_wasm_bg.wasm
//
// The order is greedy: start with one of the largest functions, then repeatedly take the
// one whose 4-byte sequences are most covered by those of the last three placed (a few
// starts are tried, the smallest result kept). It is applied by
// binaryen itself: each defined function gets a name saying its rank (a fresh `name`
// section), `wasm-opt --reorder-functions-by-name` sorts them and rewrites every index,
// and the names are stripped again. Only the order changes (the stack-IR flags keep
// binaryen's output as compact as the -Oz run that made the input). The file is replaced
// only when its gzip -9 size shrinks; otherwise it is left as it was. Deterministic: the
// same input gives the same output.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uleb, name } from './wasm-binary.mjs';

const file = process.argv[2];
if (!file) throw new Error('usage: node tools/order-functions.mjs FILE.wasm');
const wasm = readFileSync(file);

// --- reading the module: imported function count and the code bodies -----------------
let p = 8;
const leb = () => {
  let r = 0, s = 0, x;
  do { x = wasm[p++]; r += (x & 127) * 2 ** s; s += 7; } while (x & 128);
  return r;
};
const sections = [];
while (p < wasm.length) {
  const start = p, id = wasm[p++], len = leb();
  let custom = ''; // a custom section's name
  if (id === 0) { const q = p, l = leb(); custom = wasm.subarray(p, p + l).toString(); p = q; }
  sections.push({ id, name: custom, start, end: p + len, body: p });
  p += len;
}
let imported = 0;
const bodies = [];
for (const s of sections) {
  p = s.body;
  if (s.id === 2) {
    for (let n = leb(); n > 0; n--) {
      for (let k = 0; k < 2; k++) { const l = leb(); p += l; } // module and field names
      const kind = wasm[p++];
      if (kind === 0) { leb(); imported++; } // function: type index
      else if (kind === 1) { p++; if (wasm[p++] & 1) { leb(); leb(); } else leb(); } // table
      else if (kind === 2) { if (wasm[p++] & 1) { leb(); leb(); } else leb(); } // memory
      else if (kind === 3) p += 2; // global: type, mutability
      else throw new Error(`order-functions: unknown import kind ${kind}`);
    }
  } else if (s.id === 10) {
    for (let n = leb(); n > 0; n--) { const l = leb(); bodies.push(wasm.subarray(p, p + l)); p += l; }
  }
}

// --- the order -------------------------------------------------------------------------
const grams = bodies.map((b) => {
  const g = new Set();
  for (let i = 0; i + 4 <= b.length; i++) g.add(b.readUInt32LE(i));
  return g;
});
// Greedy from a given first function; which first function gives the smallest file is
// not predictable, so several are tried (the largest functions, in order) and the best
// kept. 48 starts (about 40 s more than 6 on two cores) found 142 bytes of gzip more
// than 6 did; 120 found only 12 more than 48. ORDER_TRIES overrides the count.
function greedy(first) {
  const left = new Set(bodies.keys());
  const order = [first];
  left.delete(first);
  while (left.size) {
    const recent = new Set();
    for (const i of order.slice(-3)) for (const v of grams[i]) recent.add(v);
    let best = -1, score = -1;
    for (const j of left) {
      let common = 0;
      for (const v of grams[j]) if (recent.has(v)) common++;
      const s = common / (grams[j].size + 1);
      if (s > score) { score = s; best = j; }
    }
    order.push(best);
    left.delete(best);
  }
  return order;
}
const TRIES = Number(process.env.ORDER_TRIES ?? 48);
const largest = [...bodies.keys()].sort((a, b) => bodies[b].length - bodies[a].length || a - b);

// --- applying it: rank names, binaryen sorts by name -----------------------------------
function named(order) {
  const rank = [];
  order.forEach((f, r) => { rank[f] = r; });
  const entries = [];
  for (let i = 0; i < imported; i++) entries.push(uleb(i), name(`a${i}`));
  for (let f = 0; f < bodies.length; f++) entries.push(uleb(imported + f), name(`b${String(rank[f]).padStart(6, '0')}`));
  const names = Buffer.concat([uleb(imported + bodies.length), ...entries]);
  const payload = Buffer.concat([name('name'), Buffer.from([1]), uleb(names.length), names]);
  return Buffer.concat([
    wasm.subarray(0, 8),
    ...sections.filter((s) => s.name !== 'name').map((s) => wasm.subarray(s.start, s.end)),
    Buffer.from([0]), uleb(payload.length), payload,
  ]);
}

const dir = mkdtempSync(join(tmpdir(), 'order-functions-'));
try {
  const before = gzipSync(wasm, { level: 9 }).length;
  let best = wasm, bestSize = before;
  for (const first of largest.slice(0, TRIES)) {
    writeFileSync(join(dir, 'in.wasm'), named(greedy(first)));
    execFileSync('wasm-opt', [
      '--reorder-functions-by-name', '--strip-debug',
      '--shrink-level=2', '--optimize-level=2', '--generate-stack-ir', '--optimize-stack-ir',
      '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
      '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue',
      join(dir, 'in.wasm'), '-o', join(dir, 'out.wasm'),
    ], { stdio: ['ignore', 'inherit', 'inherit'] });
    const out = readFileSync(join(dir, 'out.wasm'));
    const size = gzipSync(out, { level: 9 }).length;
    if (size < bestSize) { best = out; bestSize = size; }
  }
  if (best !== wasm) writeFileSync(file, best);
  console.log(`order-functions: ${bodies.length} functions, gzip ${before} -> ${bestSize} bytes` +
    (best !== wasm ? '' : ' (no gain: left as it was)'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
