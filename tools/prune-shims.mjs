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
// only when nothing in the module may hold the slot's index as a function pointer
// (belt and braces): no aligned word of a data segment, no constant outside the code,
// and no `i32.const` of the code that can reach a store, a local read elsewhere, a call
// to JS, a `call_indirect`, ...; a constant that only ever meets i32 arithmetic, a
// comparison, an address, a length or a condition, directly or through the parameters
// and locals of the functions it is passed to, is a number (sizes and offsets such as
// 120 or 144 had kept 16 shims and what they call: 326 bytes of gzip).
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

// Every aligned word of the data (a vtable's function pointers sit there).
const used = new Set();
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

// The code's constants that may be a function pointer. A table index in the code is an
// `i32.const` (a relocation the compiler could not fold), and only a value that reaches a
// `call_indirect` calls through the table; a constant that is only ever an operand of i32
// arithmetic or a comparison, an address, a length, a condition, or an argument that its
// callee uses only so (or returns to such a use), is a number, whatever its value (a
// struct offset of 120 is not slot 120). Read from `wasm-dis` (Binaryen's folded text: one
// node a line, its operands on the lines below, one space further in); anything else
// (stored, passed to JS, kept in a local, ...) counts as a pointer.
const text = execFileSync('wasm-dis', [file], { maxBuffer: 1 << 30 }).toString();
const NAME = String.raw`\$("(?:[^"\\]|\\.)*"|[^\s()]+)`;
/** Every node: [op, indent, parent, position among the parent's operands, line, operands, function]. */
const nodes = [];
/** Function name -> { params: [local names], gets: Map(local -> [node]) }; imports (and a name seen twice): null. */
const fns = new Map();
let fn = null, outside = 0;
const stack = [];
for (const line of text.split('\n')) {
  const indent = line.search(/\S/);
  if (indent < 0 || line[indent] !== '(') continue;
  if (indent === 1) {
    stack.length = 0;
    // A global's value, a segment's offset: kept, as any constant outside the code.
    for (const m of line.matchAll(/\(i32\.const (-?\d+)\)/g)) used.add(Number(m[1])), outside++;
    const head = new RegExp(String.raw`^ \((import "[^"]*" "[^"]*" )?\(?func ` + NAME).exec(line);
    fn = head && !head[1] ? { params: [...line.matchAll(new RegExp(String.raw`\(param ` + NAME, 'g'))].map((m) => m[1]), gets: new Map() } : null;
    if (head) fns.set(head[2], fns.has(head[2]) ? null : fn);
    continue;
  }
  if (!fn || line.startsWith('(local ', indent)) continue;
  while (stack.length && nodes[stack.at(-1)][1] >= indent) stack.pop();
  const parent = stack.length ? stack.at(-1) : -1;
  const op = /^\(([^\s)]+)/.exec(line.slice(indent))[1];
  const pos = parent < 0 ? 0 : nodes[parent][5]++;
  nodes.push([op, indent, parent, pos, line, 0, fn]);
  stack.push(nodes.length - 1);
  if (op === 'local.get') {
    const l = new RegExp(NAME).exec(line.slice(indent))[1];
    if (!fn.gets.has(l)) fn.gets.set(l, []);
    fn.gets.get(l).push(nodes.length - 1);
  }
}
const INERT = /^i32\.(add|sub|mul|div_[su]|rem_[su]|and|or|xor|shl|shr_[su]|rotl|rotr|eqz?|ne|[lg][te]_[su]|clz|ctz|popcnt)$|^i64\.(eqz|eq|ne|[lg][te]_[su])$|\.load|^memory\.|^drop$/;
/** Where the value of node `n` goes: 'inert', 'return' (out of its function, else inert), or 'escape'. */
const localUse = new Map();
function use(n) {
  const [, , parent, pos] = nodes[n];
  if (parent < 0) return 'return';
  const [op, , , , line] = nodes[parent];
  const last = pos === nodes[parent][5] - 1;
  if (INERT.test(op) || (/\.store/.test(op) && pos === 0)) return 'inert';
  if ((op === 'br_if' && last) || (op === 'if' && pos === 0) || (op === 'select' && pos === 2)) return 'inert';
  if (op === 'select' || ((op === 'block' || op === 'loop' || op === 'then' || op === 'else') && last)) {
    return use(op === 'then' || op === 'else' ? nodes[parent][2] : parent);
  }
  if (op === 'if') return use(parent);
  if (op === 'return') return 'return';
  if (op === 'local.set' || op === 'local.tee') {
    // Into a local: wherever any read of that local goes (and a tee's own value).
    const l = localOf(nodes[parent][6], new RegExp(NAME).exec(line.slice(nodes[parent][1]))[1]);
    return op === 'local.tee' && RANK[l] < 2 ? worst(l, use(parent)) : l;
  }
  if (op === 'call') {
    const callee = fns.get(new RegExp(NAME).exec(line.slice(nodes[parent][1]))[1]);
    if (!callee) return 'escape';
    const how = paramOf(callee, pos);
    return how === 'return' ? use(parent) : how;
  }
  return 'escape';
}
/**
 * How a function uses its locals and parameters, as known so far: every one asked about
 * starts inert and is computed again, with what is known of the others, until nothing
 * changes (inert < return < escape: each can only move right).
 */
const RANK = { inert: 0, return: 1, escape: 2 };
const worst = (a, b) => (RANK[a] >= RANK[b] ? a : b);
/** How a function uses its local (or parameter) `name`, as known so far. */
function localOf(f, name) {
  const known = localUse.get(f) ?? new Map();
  localUse.set(f, known);
  if (!known.has(name)) {
    known.set(name, 'inert');
    asked.push([f, name]);
  }
  return known.get(name);
}
const paramOf = (f, i) => (i < f.params.length ? localOf(f, f.params[i]) : 'escape');
const asked = [];
const constants = nodes.flatMap((node, n) => (node[0] === 'i32.const' ? [n] : []));
for (let changed = true; changed;) {
  changed = false;
  for (const n of constants) use(n);
  for (let j = 0; j < asked.length; j++) {
    const [f, name] = asked[j];
    let how = 'inert';
    for (const g of f.gets.get(name) ?? []) how = worst(how, use(g));
    if (RANK[how] > RANK[localUse.get(f).get(name)]) {
      localUse.get(f).set(name, how);
      changed = true;
    }
  }
}
if (constants.length + outside !== [...text.matchAll(/\(i32\.const (-?\d+)\)/g)].length) fail('wasm-dis printed a constant this reading missed');
for (const n of constants) {
  const k = Number(/i32\.const (-?\d+)/.exec(nodes[n][4])[1]);
  if (!used.has(k) && use(n) !== 'inert') used.add(k);
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
