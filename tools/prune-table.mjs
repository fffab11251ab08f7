// Drop the functions that sit in the wasm's function table but can never be called
// through it: wasm-bindgen's closure invoke shims for closure types of js-sys that this
// crate never makes (Int8Array, Set, BigInt64Array callbacks...), put in the table by
// the describe functions that wasm-bindgen runs at build time and then removes. No pass
// of wasm-opt can drop them: a table entry counts as a use.
//
//   node tools/prune-table.mjs pkg/mcp_tasks_wasm_bg.wasm
//
// A table slot is reachable only through its index, which must come from somewhere: an
// `i32.const` in the code or in a global's initializer, or a word in a data segment (a
// Rust vtable, a closure's descriptor). The table is not exported, so JavaScript cannot
// index it. A slot whose index appears in none of those places (every byte offset of
// every data segment is tried, aligned or not) gets the function of the first slot
// instead, and `wasm-opt --remove-unused-module-elements` then drops the bodies that
// nothing else uses. Conservative: a value that only looks like an index keeps its slot.
//
// It fails loudly (exit 1) when the module is not of the shape it reads: one table, not
// exported, filled by active element segments of function indices at constant offsets.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uleb } from './wasm-binary.mjs';

const file = process.argv[2];
if (!file) throw new Error('usage: node tools/prune-table.mjs FILE.wasm');
const wasm = readFileSync(file);
const fail = (why) => {
  console.error(`prune-table: ${why}: the module's shape changed; update tools/prune-table.mjs`);
  process.exit(1);
};

let p = 8;
const leb = () => {
  let r = 0, s = 0, x;
  do { x = wasm[p++]; r += (x & 127) * 2 ** s; s += 7; } while (x & 128);
  return r;
};
const sleb = () => {
  let r = 0n, s = 0n, x;
  do { x = wasm[p++]; r |= BigInt(x & 127) << s; s += 7n; } while (x & 128);
  if (x & 64) r -= 1n << s;
  return Number(r);
};
const sections = [];
while (p < wasm.length) {
  const start = p, id = wasm[p++], len = leb();
  sections.push({ id, start, body: p, end: p + len });
  p += len;
}
const section = (id) => sections.filter((s) => s.id === id);

// Exports: the table must not be one of them.
for (const s of section(7)) {
  p = s.body;
  for (let n = leb(); n--;) {
    const l = leb(); p += l;
    if (wasm[p++] === 1) fail('the table is exported');
    leb();
  }
}

// The element segments: flag 0 (table 0, i32.const offset, function indices).
const [elem, ...more] = section(9);
if (!elem || more.length) fail('no element section, or more than one');
p = elem.body;
const segments = [];
for (let n = leb(); n--;) {
  if (wasm[p++] !== 0) fail('an element segment that is not active, on table 0, of function indices');
  if (wasm[p++] !== 0x41) fail('an element segment whose offset is not an i32.const');
  const offset = sleb();
  if (wasm[p++] !== 0x0b) fail('an element segment offset that is not one constant');
  const funcs = [];
  for (let k = leb(); k--;) funcs.push(leb());
  segments.push({ offset, funcs });
}
if (p !== elem.end) fail('the element section has more than its segments');

// Every constant the code and the globals hold (binaryen's text of the module), and every
// 32-bit word at every byte offset of the data segments.
const used = new Set();
const text = execFileSync('wasm-dis', [file], { maxBuffer: 1 << 30 }).toString();
for (const m of text.matchAll(/i32\.const (-?\d+)/g)) used.add(Number(m[1]));
for (const s of section(11)) {
  p = s.body;
  for (let n = leb(); n--;) {
    if (wasm[p++] !== 0 || wasm[p++] !== 0x41) fail('a data segment that is not active at an i32.const offset');
    const at = sleb();
    if (wasm[p++] !== 0x0b) fail('a data segment offset that is not one constant');
    const len = leb();
    for (let i = (4 - (at % 4)) % 4; i + 4 <= len; i += 4) used.add(wasm.readInt32LE(p + i));
    p += len;
  }
}

// A dead slot takes the function of the first live one (never called either way).
let live, dead = 0;
for (const seg of segments) {
  seg.funcs.forEach((f, i) => {
    if (used.has(seg.offset + i)) live ??= f;
  });
}
if (live === undefined) fail('no table slot is used');
for (const seg of segments) {
  seg.funcs = seg.funcs.map((f, i) => {
    if (used.has(seg.offset + i)) return f;
    dead++;
    if (process.env.PRUNE_TABLE_LIST) console.log(`slot ${seg.offset + i}: function ${f}`);
    return live;
  });
}

const body = Buffer.concat([
  uleb(segments.length),
  ...segments.flatMap((s) => [
    Buffer.from([0, 0x41]), sleb32(s.offset), Buffer.from([0x0b]),
    uleb(s.funcs.length), ...s.funcs.map(uleb),
  ]),
]);
const rewritten = Buffer.concat([
  wasm.subarray(0, elem.start), Buffer.from([9]), uleb(body.length), body, wasm.subarray(elem.end),
]);

const dir = mkdtempSync(join(tmpdir(), 'prune-table-'));
try {
  writeFileSync(join(dir, 'in.wasm'), rewritten);
  execFileSync('wasm-opt', [
    '--remove-unused-module-elements', '--strip-debug',
    '--shrink-level=2', '--optimize-level=2', '--generate-stack-ir', '--optimize-stack-ir',
    '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
    '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue',
    join(dir, 'in.wasm'), '-o', join(dir, 'out.wasm'),
  ], { stdio: ['ignore', 'inherit', 'inherit'] });
  const out = readFileSync(join(dir, 'out.wasm'));
  writeFileSync(file, out);
  console.log(`prune-table: ${dead} of ${segments.reduce((n, s) => n + s.funcs.length, 0)} ` +
    `table slots unreachable; wasm ${wasm.length} -> ${out.length} bytes, ` +
    `gzip ${gzipSync(wasm, { level: 9 }).length} -> ${gzipSync(out, { level: 9 }).length}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** `n` as a signed LEB128 (an i32.const operand). */
function sleb32(n) {
  const out = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && (byte & 0x40))) {
      out.push(byte);
      return Buffer.from(out);
    }
    out.push(byte | 0x80);
  }
}
