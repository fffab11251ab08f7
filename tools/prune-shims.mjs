// Take wasm-bindgen's closure invoke shims out of the wasm's function table, so that
// `wasm-opt` can drop those no one calls.
//
//   node tools/prune-shims.mjs pkg/mcp_tasks_wasm_bg.wasm      (before wasm-opt)
//
// wasm-bindgen emits an invoke shim for every closure type it saw described, js-sys's
// included (Int8Array, Set, BigInt64Array callbacks...); the describe functions that took
// their addresses put them in the table, and wasm-bindgen removes those functions after
// reading them. JavaScript calls a closure through the shim's export (only the shims of
// the closure types the crate makes are exported), never through the table, and no code
// left in the module takes a shim's address, so no `call_indirect` can reach one: their
// slots get the table's first function instead, and `wasm-opt` then drops the shims that
// are not exported. Only slots whose function is named as such a shim are touched, and
// only when the slot's index appears nowhere as a constant (an `i32.const` in the code or
// an aligned word of a data segment): belt and braces.
//
// The same goes for js-sys's JSPI task waker (`js_sys::futures::jspi::*`, about 450 bytes
// of raw wasm, 110 of gzip): its vtable sits in a data segment, so the table keeps its
// functions, but a JSPI task is made only by `spawn_promising`, which calls the
// `__wbindgen_jspi_*` intrinsics. wasm-bindgen leaves those imports in the module only
// when something can call them (with no JSPI export it deletes the task poll export and
// stubs the intrinsics out), so when no import's name holds `jspi`, no JSPI task ever
// exists and no code can reach its waker's functions: their slots are taken out even
// though the vtable's words name them.
//
// It reads the names wasm-bindgen leaves in the module (the `name` section; `wasm-opt`
// strips it later), and fails loudly (exit 1) when the module is not of the shape it
// reads: one element segment at a constant offset, a table that is not exported.
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { uleb, sleb as slebBytes } from './wasm-binary.mjs';

const file = process.argv[2];
if (!file) throw new Error('usage: node tools/prune-shims.mjs FILE.wasm');
const wasm = readFileSync(file);
const fail = (why) => {
  console.error(`prune-shims: ${why}: the module's shape changed; update tools/prune-shims.mjs`);
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
const str = () => { const l = leb(); const s = wasm.toString('utf8', p, p + l); p += l; return s; };
const sections = [];
while (p < wasm.length) {
  const start = p, id = wasm[p++], len = leb();
  const body = p;
  const name = id === 0 ? str() : '';
  sections.push({ id, name, start, body, end: body + len });
  p = body + len;
}
const section = (id, name = '') => sections.filter((s) => s.id === id && s.name === name);

// Exports: the table must not be one of them.
for (const s of section(7)) {
  p = s.body;
  for (let n = leb(); n--;) {
    str();
    if (wasm[p++] === 1) fail('the table is exported');
    leb();
  }
}

// Whether the module imports any JSPI intrinsic (then its waker stays).
let jspiImported = false;
for (const s of section(2)) {
  p = s.body;
  for (let n = leb(); n--;) {
    str();
    if (str().includes('jspi')) jspiImported = true;
    const kind = wasm[p++];
    if (kind === 0) leb();
    else fail('an import that is not a function');
  }
}

// Function names (the name section's subsection 1).
const names = new Map();
const [nameSec] = section(0, 'name');
if (!nameSec) fail('no name section');
p = nameSec.body; str();
while (p < nameSec.end) {
  const kind = wasm[p++], len = leb(), end = p + len;
  if (kind === 1) for (let n = leb(); n--;) { const i = leb(); names.set(i, str()); }
  p = end;
}

// The element segment: flag 0 (table 0, an i32.const offset, function indices).
const [elem, ...more] = section(9);
if (!elem || more.length) fail('no element section, or more than one');
p = elem.body;
if (leb() !== 1) fail('more than one element segment');
if (wasm[p++] !== 0 || wasm[p++] !== 0x41) fail('an element segment that is not active at an i32.const offset');
const offset = sleb();
if (wasm[p++] !== 0x0b) fail('an element segment offset that is not one constant');
const funcs = [];
for (let k = leb(); k--;) funcs.push(leb());
if (p !== elem.end) fail('the element section has more than its segment');

// Every constant of the code and of the data (aligned words).
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

const shim = (f) => /^wasm_bindgen(\[[0-9a-f]+\])?::convert::closures::_::invoke::</.test(names.get(f) ?? '');
const jspiWaker = (f) => !jspiImported && /^<?js_sys(\[[0-9a-f]+\])?::futures::jspi::/.test(names.get(f) ?? '');
let pruned = 0, waker = 0;
const out = funcs.map((f, i) => {
  if (jspiWaker(f)) {
    waker++;
    return funcs[0];
  }
  if (!shim(f) || used.has(offset + i)) return f;
  pruned++;
  return funcs[0];
});
const body = Buffer.concat([
  uleb(1), Buffer.from([0, 0x41]), slebBytes(offset), Buffer.from([0x0b]), uleb(out.length), ...out.map(uleb),
]);
writeFileSync(file, Buffer.concat([
  wasm.subarray(0, elem.start), Buffer.from([9]), uleb(body.length), body, wasm.subarray(elem.end),
]));
const shims = funcs.filter(shim).length;
console.log(`prune-shims: ${pruned} of ${shims} closure shims and ${waker} JSPI waker functions out of the table (${funcs.length} slots)`);
if (!shims) fail('no closure shim in the table');
