// Put the wasm's functions in an order that gzip compresses better: alike functions next
// to each other, so that deflate's 32 KB window finds their common byte runs.
//
//   node tools/order-functions.mjs pkg/mcp_tasks_wasm_bg.wasm
//
// The order is greedy first: start with one of the largest functions, then repeatedly take
// the one whose 4-byte sequences are most covered by those of the last three placed (a
// few starts are tried, the smallest result kept). Then a seeded local search improves
// it: random moves (a function next to one of its most alike, a function or a short run
// elsewhere, a short run reversed) are kept when the deflated code bodies shrink; after
// each round the order is applied and read again (calls are renumbered by the order,
// which the bodies' bytes only show after it). The order is applied by
// binaryen itself: each defined function gets a name saying its rank (a fresh `name`
// section), `wasm-opt --reorder-functions-by-name` sorts them and rewrites every index,
// and the names are stripped again. Only the order changes (the stack-IR flags keep
// binaryen's output as compact as the -Oz run that made the input). The file is replaced
// only when its gzip -9 size shrinks; otherwise it is left as it was. Deterministic: the
// same input gives the same output.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { gzipSync, deflateRawSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uleb, name } from './wasm-binary.mjs';

const file = process.argv[2];
if (!file) throw new Error('usage: node tools/order-functions.mjs FILE.wasm');
const wasm = readFileSync(file);

// --- reading the module: imported function count and the code bodies -----------------
function parse(wasm) {
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
  return { wasm, sections, imported, bodies };
}
const fourGrams = (bodies) => bodies.map((b) => {
  const g = new Set();
  for (let i = 0; i + 4 <= b.length; i++) g.add(b.readUInt32LE(i));
  return g;
});

// --- the order -------------------------------------------------------------------------
const first = parse(wasm);
const { bodies } = first;
const grams = fourGrams(bodies);
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
function named({ wasm, sections, imported, bodies }, order) {
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

// --- the local search: seeded moves kept when the deflated bodies shrink --------------
// The measure is the raw deflate of the code bodies in order (a function's renumbered
// calls are not seen until the order is applied, so each round ends with applying it and
// the whole file's gzip decides). A move that leaves the size as it was is kept too: the
// search then crosses the plateaus between improvements (the same 5 rounds found 21 and
// 12 bytes more on two builds). 12 rounds instead of 5: 60 bytes less on the same input
// (44,834 -> 44,774), about 3 minutes more on two cores. ORDER_ROUNDS and ORDER_MOVES
// override the effort.
const ROUNDS = Number(process.env.ORDER_ROUNDS ?? 12);
const MOVES = Number(process.env.ORDER_MOVES ?? 4000);
let seed = 0x2545f491;
const random = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
function search({ bodies }) {
  const n = bodies.length;
  const grams = fourGrams(bodies);
  // Each function's 8 most alike (Jaccard of their 4-byte sequences).
  const near = bodies.map((_, i) => {
    const scores = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let common = 0;
      for (const v of grams[i]) if (grams[j].has(v)) common++;
      scores.push([common / (grams[i].size + grams[j].size - common + 1), j]);
    }
    return scores.sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, 8).map((x) => x[1]);
  });
  const cost = (o) => deflateRawSync(Buffer.concat(o.map((i) => bodies[i])), { level: 9, memLevel: 9 }).length;
  let order = [...bodies.keys()], best = cost(order);
  for (let m = 0; m < MOVES; m++) {
    const o = order.slice(), r = random();
    if (r < 0.4) { // a function next to one of its most alike
      const f = Math.floor(random() * n), g = near[f][Math.floor(random() * near[f].length)];
      o.splice(o.indexOf(f), 1);
      o.splice(o.indexOf(g) + (random() < 0.5 ? 0 : 1), 0, f);
    } else if (r < 0.6) { // a function elsewhere
      const [f] = o.splice(Math.floor(random() * n), 1);
      o.splice(Math.floor(random() * n), 0, f);
    } else if (r < 0.8) { // a run of 2 to 8 elsewhere
      const len = 2 + Math.floor(random() * 7);
      const run = o.splice(Math.floor(random() * (n - len)), len);
      o.splice(Math.floor(random() * o.length), 0, ...run);
    } else { // a run of 2 to 21 reversed
      const len = 2 + Math.floor(random() * 20), i = Math.floor(random() * (n - len));
      o.splice(i, len, ...o.slice(i, i + len).reverse());
    }
    const c = cost(o);
    if (c <= best) { best = c; order = o; }
  }
  return order;
}

const dir = mkdtempSync(join(tmpdir(), 'order-functions-'));
function apply(m, order) {
  writeFileSync(join(dir, 'in.wasm'), named(m, order));
  execFileSync('wasm-opt', [
    '--reorder-functions-by-name', '--strip-debug',
    '--shrink-level=2', '--optimize-level=2', '--generate-stack-ir', '--optimize-stack-ir',
    '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
    '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue',
    join(dir, 'in.wasm'), '-o', join(dir, 'out.wasm'),
  ], { stdio: ['ignore', 'inherit', 'inherit'] });
  return readFileSync(join(dir, 'out.wasm'));
}
try {
  const before = gzipSync(wasm, { level: 9 }).length;
  let best = wasm, bestSize = before;
  const keep = (out) => {
    const size = gzipSync(out, { level: 9 }).length;
    if (size < bestSize) { best = out; bestSize = size; }
  };
  for (const start of largest.slice(0, TRIES)) keep(apply(first, greedy(start)));
  const greedySize = bestSize;
  // Each round starts from the best file so far.
  for (let round = 0; round < ROUNDS; round++) {
    const m = parse(best);
    keep(apply(m, search(m)));
  }
  if (best !== wasm) writeFileSync(file, best);
  console.log(`order-functions: ${bodies.length} functions, gzip ${before} -> ${greedySize} (greedy) -> ${bestSize} bytes` +
    (best !== wasm ? '' : ' (no gain: left as it was)'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
