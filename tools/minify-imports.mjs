// Shorten the names of the functions the wasm module imports from its JS glue.
//
// wasm-bindgen names each import like `__wbg_new_787b9fb330d55d78` under the module
// "./mcp_tasks_wasm_bg.js": 82 such names are about 4 KB of the .wasm, mostly hashes that
// gzip cannot shrink (about 1.9 KB gzipped). They only pair the module with the glue's
// import object, so both sides are renamed here, to "a" and `a`, `b`, ... `ZZ`. Exports
// (memory, the class methods, ...) keep their names. The snippets' modules (glue.js and
// the others, imported directly: `import * as importN from "./snippets/<crate>-<hash>/
// src/js/glue.js"`) keep their fields, real ES exports, but the module names, about 55
// characters each, are only keys of the import object too: they become "b", "c", ... in
// the .wasm and as those keys (the `import` statements keep the paths).
//
// The exports of wasm-bindgen's closure shims get the same treatment: each is named after
// the Rust types of its closure, with crate hashes (`wasm_bindgen_8a4e..___convert__closures
// _____invoke___js_sys_9eda..___Promise__true_`, up to 335 characters), both in the .wasm
// and in the glue's `wasm.<name>` call. They become `$a`, `$b`, ... (no other export
// starts with `$`), in the .wasm, the glue and, where present beside them, the two .d.ts
// files that list the exports.
//
// So do the other exports, internal names only the glue uses: the classes' methods and
// finalizers (`mcpclient_callToolAsTask`, `__wbg_taskhandle_free`, ...) and the runtime's
// (`__wbindgen_malloc`, `__externref_table_alloc`, ...): every `wasm.<name>` of the glue
// is renamed. `memory`, the externref table (tests/fault/leak.mjs reads it from what
// `init()` resolves to) and exports the glue does not use keep their names.
//
// Fails, changing nothing, unless every renamed import is defined exactly once in the glue
// and mentioned nowhere else in it, and every renamed export is called exactly once as
// `wasm.<name>(` in the glue.
//
//   node tools/minify-imports.mjs <module.wasm> <glue.js>    (rewritten in place, with
//   <glue>.d.ts and <module>.wasm.d.ts when they exist)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { uleb, name } from './wasm-binary.mjs';

const GLUE_MODULE = './mcp_tasks_wasm_bg.js';
/** The exports of wasm-bindgen's closure shims (`wasm_bindgen::convert::closures::invoke`). */
const SHIM_PREFIX = 'wasm_bindgen_';
/** Exports that keep their names. */
const KEEP_EXPORTS = new Set(['memory', '__wbindgen_externrefs']);
const SHORT_MODULE = 'a';
/** Modules of the snippets (`#[wasm_bindgen(module = ...)]`, `inline_js`). */
const SNIPPET_PREFIX = './snippets/';

/** `a` .. `Z`, then `aa` .. `ZZ`: valid JS property names that need no quotes. */
function shortName(i) {
  const abc = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  if (i < abc.length) return abc[i];
  i -= abc.length;
  if (i >= abc.length * abc.length) throw new Error('too many imports');
  return abc[Math.floor(i / abc.length)] + abc[i % abc.length];
}

/** The module with its import section rewritten, and the [old, new] field names. */
function renameImports(wasm, glue) {
  const usedByGlue = (field) => new RegExp(`\\bwasm\\.${field.replace(/[$]/g, '\\$')}(?![\\w$])`).test(glue);
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
  const exported = [];
  /** [old, new] per other renamed export (methods, finalizers, runtime). */
  const methods = [];
  /** [old, short] per snippet module, in order of first import. */
  const modules = [];
  while (at < wasm.length) {
    const id = wasm[at++];
    const size = readU();
    const start = at, end = at + size;
    if (id === 7) {
      const count = readU();
      const body = [uleb(count)];
      for (let i = 0; i < count; i++) {
        const field = readName();
        const descStart = at;
        at++; // kind
        readU(); // index
        const desc = wasm.subarray(descStart, at);
        if (field.startsWith('$')) throw new Error(`export ${field} already starts with $`);
        if (field.startsWith(SHIM_PREFIX)) {
          const short = '$' + shortName(exported.length + methods.length);
          exported.push([field, short]);
          body.push(name(short), desc);
        } else if (!KEEP_EXPORTS.has(field) && usedByGlue(field)) {
          const short = '$' + shortName(exported.length + methods.length);
          methods.push([field, short]);
          body.push(name(short), desc);
        } else {
          body.push(name(field), desc);
        }
      }
      if (at !== end) throw new Error('export section not read to its end');
      const section = Buffer.concat(body);
      parts.push(Buffer.from([7]), uleb(section.length), section);
      continue;
    }
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
      } else if (module.startsWith(SNIPPET_PREFIX)) {
        let m = modules.find(([old]) => old === module);
        if (!m) modules.push((m = [module, shortName(modules.length + 1)]));
        body.push(name(m[1]), name(field), desc);
      } else {
        body.push(name(module), name(field), desc);
      }
    }
    if (at !== end) throw new Error('import section not read to its end');
    const section = Buffer.concat(body);
    parts.push(Buffer.from([2]), uleb(section.length), section);
  }
  return { wasm: Buffer.concat(parts), renamed, exported, modules, methods };
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

/** The glue with each snippet module's one key in the import object renamed. */
function renameModulesInGlue(js, modules) {
  for (const [old, short] of modules) {
    const key = `"${old}": import`;
    if (js.split(key).length !== 2) throw new Error(`glue: module ${old} is not a key of the import object exactly once`);
    js = js.replace(key, `${short}: import`);
  }
  return js;
}

/** The glue with each renamed export's one `wasm.<name>(` call renamed. */
function renameExportsInGlue(js, exported) {
  for (const [old, short] of exported) {
    const call = `wasm.${old}(`;
    if (js.split(call).length !== 2) throw new Error(`glue: export ${old} is not called exactly once as "${call}"`);
    js = js.replace(call, `wasm.${short}(`);
  }
  return js;
}

/** The glue with every `wasm.<name>` of each other renamed export renamed (at least one). */
function renameMethodsInGlue(js, methods) {
  for (const [old, short] of methods) {
    const use = new RegExp(`\\bwasm\\.${old}(?![\\w$])`, 'g');
    if (!use.test(js)) throw new Error(`glue: export ${old} is not used as wasm.${old}`);
    js = js.replace(use, `wasm.${short}`);
  }
  return js;
}

/** A .d.ts listing the exports (`readonly <name>:` or `export const <name>:`), renamed. */
function renameExportsInDts(dts, exported) {
  for (const [old, short] of exported) {
    const decl = new RegExp(`(readonly |export const )${old.replace(/[$]/g, '\\$')}:`, 'g');
    if ((dts.match(decl) || []).length !== 1) throw new Error(`d.ts: export ${old} is not declared exactly once`);
    dts = dts.replace(decl, `$1${short}:`);
  }
  return dts;
}

const [wasmPath, jsPath] = process.argv.slice(2);
if (!wasmPath || !jsPath) {
  console.error('usage: node tools/minify-imports.mjs <module.wasm> <glue.js>');
  process.exit(2);
}
const before = readFileSync(wasmPath);
const glue = readFileSync(jsPath, 'utf8');
const { wasm, renamed, exported, modules, methods } = renameImports(before, glue);
const js = renameMethodsInGlue(renameModulesInGlue(
  renameExportsInGlue(renameInGlue(glue, renamed), exported), modules), methods);
const dtsPaths = [jsPath.replace(/\.js$/, '.d.ts'), `${wasmPath}.d.ts`].filter((p) => p !== jsPath && existsSync(p));
const dts = dtsPaths.map((p) => [p, renameExportsInDts(readFileSync(p, 'utf8'), [...exported, ...methods])]);
// All are checked before any is written.
new WebAssembly.Module(wasm);
writeFileSync(wasmPath, wasm);
writeFileSync(jsPath, js);
for (const [p, text] of dts) writeFileSync(p, text);
console.log(`minify-imports: ${renamed.length} imports, ${modules.length} snippet modules, ${exported.length} closure exports and ${methods.length} other exports renamed, ${before.length} -> ${wasm.length} bytes`);
