// Shorten the names of the functions the wasm module imports from its JS glue.
//
// wasm-bindgen names each import like `__wbg_new_787b9fb330d55d78` under the module
// "./mcp_tasks_wasm_bg.js": 82 such names are about 4 KB of the .wasm, mostly hashes that
// gzip cannot shrink (about 1.9 KB gzipped). They only pair the module with the glue's
// import object, so both sides are renamed here, to "a" and `a`, `b`, ... `ZZ`. Exports
// (memory, the class methods, ...) keep their names. Names of other import modules (the
// glue.js snippet, whose fields are real ES exports) are left alone.
//
// Fails, changing nothing, unless every renamed import is defined exactly once in the glue
// and mentioned nowhere else in it.
//
//   node tools/minify-imports.mjs <module.wasm> <glue.js>    (both rewritten in place)
import { readFileSync, writeFileSync } from 'node:fs';

const GLUE_MODULE = './mcp_tasks_wasm_bg.js';
const SHORT_MODULE = 'a';

/** `a` .. `Z`, then `aa` .. `ZZ`: valid JS property names that need no quotes. */
function shortName(i) {
  const abc = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  if (i < abc.length) return abc[i];
  i -= abc.length;
  if (i >= abc.length * abc.length) throw new Error('too many imports');
  return abc[Math.floor(i / abc.length)] + abc[i % abc.length];
}

function uleb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
}

function name(s) {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([uleb(bytes.length), bytes]);
}

/** The module with its import section rewritten, and the [old, new] field names. */
function renameImports(wasm) {
  if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error('not a wasm module');
  let at = 8;
  const readU = () => {
    let n = 0, shift = 0, byte;
    do {
      byte = wasm[at++];
      n += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return n;
  };
  const readName = () => {
    const len = readU();
    const s = wasm.toString('utf8', at, at + len);
    at += len;
    return s;
  };
  const limits = () => {
    const flags = readU();
    readU();
    if (flags & 1) readU();
  };
  const parts = [wasm.subarray(0, 8)];
  const renamed = [];
  while (at < wasm.length) {
    const id = wasm[at++];
    const size = readU();
    const start = at, end = at + size;
    if (id !== 2) {
      parts.push(Buffer.from([id]), uleb(size), wasm.subarray(start, end));
      at = end;
      continue;
    }
    const count = readU();
    const body = [uleb(count)];
    for (let i = 0; i < count; i++) {
      const module = readName();
      const field = readName();
      const descStart = at;
      const kind = wasm[at++];
      if (kind === 0) readU(); // function: type index
      else if (kind === 1) { at++; limits(); } // table: reftype, limits
      else if (kind === 2) limits(); // memory
      else if (kind === 3) at += 2; // global: valtype, mutability
      else if (kind === 4) { at++; readU(); } // tag
      else throw new Error(`unknown import kind ${kind}`);
      const desc = wasm.subarray(descStart, at);
      if (module === GLUE_MODULE) {
        const short = shortName(renamed.length);
        renamed.push([field, short]);
        body.push(name(SHORT_MODULE), name(short), desc);
      } else {
        body.push(name(module), name(field), desc);
      }
    }
    if (at !== end) throw new Error('import section not read to its end');
    const section = Buffer.concat(body);
    parts.push(Buffer.from([2]), uleb(section.length), section);
  }
  return { wasm: Buffer.concat(parts), renamed };
}

function renameInGlue(js, renamed) {
  const escape = (s) => s.replace(/[$]/g, '\\$');
  const moduleKey = `"${GLUE_MODULE}": import0,`;
  if (js.split(moduleKey).length !== 2) throw new Error(`glue: ${moduleKey} not found once`);
  js = js.replace(moduleKey, `${SHORT_MODULE}: import0,`);
  for (const [old, short] of renamed) {
    const mentions = js.split(old).length - 1;
    const key = new RegExp(`^(\\s+)${escape(old)}: function`, 'm');
    if (mentions !== 1 || !key.test(js)) {
      throw new Error(`glue: import ${old} is not defined exactly once as "${old}: function"`);
    }
    js = js.replace(key, `$1${short}: function`);
  }
  return js;
}

const [wasmPath, jsPath] = process.argv.slice(2);
if (!wasmPath || !jsPath) {
  console.error('usage: node tools/minify-imports.mjs <module.wasm> <glue.js>');
  process.exit(2);
}
const before = readFileSync(wasmPath);
const { wasm, renamed } = renameImports(before);
const js = renameInGlue(readFileSync(jsPath, 'utf8'), renamed);
// Both are checked before either is written.
new WebAssembly.Module(wasm);
writeFileSync(wasmPath, wasm);
writeFileSync(jsPath, js);
console.log(`minify-imports: ${renamed.length} imports renamed, ${before.length} -> ${wasm.length} bytes`);
