// Turn wasm-pack's output in pkg/ into the npm package users install:
// - index.js / index.d.ts: the wasm classes plus the error classes (which live in the
//   JS glue snippet, so wasm-pack alone would not export them);
// - node.js: the entry for Node >= 20, which loads the .wasm from disk at import time;
// - errors.js: the error classes alone (no wasm glue), for the worker entry's page side;
// - worker.js / worker.d.ts / worker-host.js / worker-wire.js: the `mcp-tasks-wasm/worker`
//   entry (the client in a dedicated Web Worker), copied from src/js/worker/;
// - package.json with exports, types, files and sideEffects.
import { readFileSync, writeFileSync, readdirSync, statSync, copyFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const pkg = new URL('../pkg/', import.meta.url).pathname;
const root = new URL('../', import.meta.url).pathname;

function find(dir, name) {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) {
      const hit = find(p, name);
      if (hit) return hit;
    } else if (entry === name) return p;
  }
  return null;
}

const glue = find(join(pkg, 'snippets'), 'glue.js');
if (!glue) throw new Error('pkg/snippets/**/glue.js not found: did wasm-pack run?');
const gluePath = './' + relative(pkg, glue);
const errors = ['McpTasksError', 'McpError', 'TaskNotFoundError', 'TransportError', 'ProtocolError',
  'TaskFailedError', 'TaskCancelledError', 'TaskExpiredError', 'AuthError'];
// Authorization helpers (src/js/auth.js): the page step and token storage. Not in glue.js,
// which the wasm module imports whole: copied beside it (auth.js imports './glue.js'), so
// that a bundle of an app that does not sign in leaves them out.
const authHelpers = ['popupAuthorize', 'redirectAuthorize', 'finishAuthorization', 'sessionStorageTokens'];
copyFileSync(join(root, 'src/js/auth.js'), join(glue, '../auth.js'));
const authPath = gluePath.replace(/glue\.js$/, 'auth.js');

writeFileSync(join(pkg, 'index.js'), `// The package entry for browsers, workers and bundlers: call \`await init()\` once.
export * from './mcp_tasks_wasm.js';
export { default } from './mcp_tasks_wasm.js';
export { ${errors.join(', ')} } from '${gluePath}';
export { ${authHelpers.join(', ')} } from '${authPath}';
`);
writeFileSync(join(pkg, 'errors.js'), `// The error classes alone, without the wasm glue (the worker entry's page side uses them).
export { ${errors.join(', ')} } from '${gluePath}';
export { ${authHelpers.join(', ')} } from '${authPath}';
`);
// The worker entry: page.js is what the page imports, host.js runs in the worker, wire.js
// is their shared message protocol. Their imports already name the files below.
const workerSrc = join(root, 'src/js/worker');
for (const [from, to] of [['page.js', 'worker.js'], ['worker.d.ts', 'worker.d.ts'],
  ['host.js', 'worker-host.js'], ['wire.js', 'worker-wire.js']]) {
  copyFileSync(join(workerSrc, from), join(pkg, to));
}
writeFileSync(join(pkg, 'index.d.ts'), `export * from './mcp_tasks_wasm.js';
export { default } from './mcp_tasks_wasm.js';
`);

// wasm-bindgen declares \`[Symbol.dispose](): void\` on every class, which needs
// \`SymbolConstructor.dispose\` from lib esnext.disposable: with lib es2020/es2022 and
// skipLibCheck false, tsc fails on our .d.ts. Declare that one member globally, as
// @types/node does: under lib esnext it merges with the lib's identical declaration (no
// duplicate error), elsewhere it supplies it. (At run time the glue installs the method
// only where Symbol.dispose exists.) tests/types/matrix.mjs checks the combinations.
const dts = join(pkg, 'mcp_tasks_wasm.d.ts');
const declarations = readFileSync(dts, 'utf8');
const symbolDispose = `// Added by tools/finish-pkg.mjs: lets these declarations type-check without lib
// esnext.disposable (merges with it where present).
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}
`;
if (declarations.includes('[Symbol.dispose]') && !declarations.includes(symbolDispose)) {
  writeFileSync(dts, symbolDispose + declarations);
}
// Code of wasm-bindgen's glue that no supported runtime runs (Node >= 20, Workers and the
// browsers with `String.prototype.isWellFormed`, which the wasm calls), taken out, each
// edit checked afterwards (a fallback or check left in another shape fails the build):
// - the stand-ins for a missing `FinalizationRegistry` (24 bytes of gzip);
// - `passStringToWasm0`'s copy loop for ASCII with `encodeInto` for the rest (and its
//   branch for a missing `realloc`, and the `encodeInto` fallback): one
//   `TextEncoder.encode`, the same UTF-8 bytes, copied into a block of the exact size
//   (the wasm's `realloc` is no longer called from JS). 74 + 95 bytes less gzip;
// - checks for what every supported runtime has: `Response`, `Request`, `URL` and
//   `WebAssembly.instantiateStreaming` are functions, and a `DataView` of a memory that has
//   grown is told by its buffer alone (`buffer.detached` is only a fast path). 45 bytes.
// - `const ret = EXPR; return addHeapObject(ret);` (and `takeObject`), which esbuild keeps
//   as written, as one `return addHeapObject(EXPR);` (28 bytes).
// - the `wasmModule` and `wasmInstance` that `__wbg_finalize_init` sets and nothing reads,
//   and `__wbg_load`'s `expectedResponseType(type)` switch, called once, as an `includes`
//   of its three types (36 bytes).
// - the console warnings of `init()` and `initSync()` called with a bare module or path
//   instead of `{ module_or_path }` (wasm-bindgen's old form): still accepted as before,
//   without the warning (README shows the object form). 45 bytes.
const glueJs = join(pkg, 'mcp_tasks_wasm.js');
{
  const deadGlue = [
    [/\(typeof FinalizationRegistry === 'undefined'\)\n *\? \{ register: \(\) => \{\}, unregister: \(\) => \{\} \}\n *: new FinalizationRegistry/g,
      'new FinalizationRegistry'],
    [/^function passStringToWasm0\(arg, malloc, realloc\) \{\n[\s\S]*?\n\}\n/m, `function passStringToWasm0(arg, malloc) {
    const bytes = cachedTextEncoder.encode(arg);
    const ptr = malloc(bytes.length, 1) >>> 0;
    getUint8ArrayMemory0().set(bytes, ptr);
    WASM_VECTOR_LEN = bytes.length;
    return ptr;
}
`],
    [/passStringToWasm0\((\w+), (wasm\.[$\w]+), wasm\.[$\w]+\)/g, 'passStringToWasm0($1, $2)'],
    [/\nif \(!\('encodeInto' in cachedTextEncoder\)\) \{\n[\s\S]*?\n\}\n/, '\n'],
    [/cachedDataViewMemory0 === null \|\| cachedDataViewMemory0\.buffer\.detached === true \|\| \(cachedDataViewMemory0\.buffer\.detached === undefined && (cachedDataViewMemory0\.buffer !== wasm\.memory\.buffer)\)/,
      'cachedDataViewMemory0?.buffer !== wasm.memory.buffer'],
    [/typeof (Response|Request|URL) === 'function' && /g, ''],
    [/if \(typeof WebAssembly\.instantiateStreaming === 'function'\) /, ''],
    [/const ret = (.+);\n( +)return (addHeapObject|takeObject)\(ret\);/g, '$2return $3($1);'],
    [/^let wasmModule, wasmInstance, wasm;$/m, 'let wasm;'],
    [/^ +wasm(Instance = instance|Module = module);\n/gm, ''],
    [/\n\n {4}function expectedResponseType\(type\) \{\n {8}switch \(type\) \{\n {12}case 'basic': case 'cors': case 'default': return true;\n {8}\}\n {8}return false;\n {4}\}\n/, '\n'],
    [/expectedResponseType\(module\.type\)/, "['basic', 'cors', 'default'].includes(module.type)"],
    [/ \{\n( +)\(\{(\w+)\} = \2\)\n +\} else \{\n +console\.warn\('using deprecated parameters[^\n]*\n +\}/g, ' ({$2} = $2);'],
  ];
  let text = readFileSync(glueJs, 'utf8');
  for (const [dead, live] of deadGlue) text = text.replace(dead, live);
  if (/realloc|encodeInto|typeof FinalizationRegistry|\.detached|typeof (Response|Request|URL|WebAssembly)|return (addHeapObject|takeObject)\(ret\)|wasmModule|wasmInstance|expectedResponseType|deprecated parameters/.test(text)
    || !text.includes('function passStringToWasm0(arg, malloc) {')) {
    throw new Error('finish-pkg: wasm-bindgen\'s glue is not of the expected shape (its dead fallbacks and checks)');
  }
  writeFileSync(glueJs, text);
}

// Shims of js-sys's `as_bool` and `as_f64` (an `Option<bool>` returned as 0, 1 or 0xFFFFFF
// for none; an `Option<f64>` written as its value, 0 for none, and a present flag) without
// the `undefined` they went through, and a byte view of the memory without `ptr / 1`: the
// same values. 28 bytes of gzip.
{
  const text = readFileSync(glueJs, 'utf8')
    .replace(/^( +)const ret = typeof\(v\) === 'boolean' \? v : undefined;\n +return isLikeNone\(ret\) \? 0xFFFFFF : ret \? 1 : 0;$/gm,
      "$1return typeof(v) === 'boolean' ? +v : 0xFFFFFF;")
    .replace(/^( +)const ret = typeof\(obj\) === 'number' \? obj : undefined;\n +getDataViewMemory0\(\)\.setFloat64\(\(arg0 >>> 0\) \+ 8 \* 1, isLikeNone\(ret\) \? 0 : ret, true\);\n +getDataViewMemory0\(\)\.setInt32\(\(arg0 >>> 0\) \+ 4 \* 0, !isLikeNone\(ret\), true\);$/gm,
      `$1const ret = typeof(obj) === 'number';
$1getDataViewMemory0().setFloat64((arg0 >>> 0) + 8, ret ? obj : 0, true);
$1getDataViewMemory0().setInt32(arg0 >>> 0, ret, true);`)
    .replace('.subarray(ptr / 1, ptr / 1 + len)', '.subarray(ptr, ptr + len)');
  if (/isLikeNone\(ret\) \? 0xFFFFFF|setFloat64\(\(arg0 >>> 0\) \+ 8 \* 1|ptr \/ 1/.test(text)
    || !["return typeof(v) === 'boolean' ? +v : 0xFFFFFF;", 'getDataViewMemory0().setInt32(arg0 >>> 0, ret, true);',
      '.subarray(ptr, ptr + len)'].every((s) => text.includes(s))) {
    throw new Error('finish-pkg: wasm-bindgen\'s glue is not of the expected shape (`as_bool`, `as_f64`, `getArrayU8FromWasm0`)');
  }
  writeFileSync(glueJs, text);
}

// The warning of `init()` when the .wasm is not served as `application/wasm` (it then
// compiles it without streaming) in fewer words, the same meaning: 41 bytes of gzip.
{
  const text = readFileSync(glueJs, 'utf8');
  const short = '"Wasm not served as application/wasm: falling back to the slower WebAssembly.instantiate. Error:\\n"';
  const next = text.replace(/^( +console\.warn\()"`WebAssembly\.instantiateStreaming` failed because your server does not serve Wasm with `application\/wasm` MIME type\. Falling back to `WebAssembly\.instantiate` which is slower\. Original error:\\n"(, e\);)$/m,
    `$1${short}$2`);
  if (!next.includes(`console.warn(${short}, e);`) || /MIME type|Original error/.test(next)) {
    throw new Error('finish-pkg: wasm-bindgen\'s glue is not of the expected shape (the `application/wasm` warning)');
  }
  writeFileSync(glueJs, next);
}

// A helper for code wasm-bindgen writes out at each use, checked like the rest:
// `putString(at, s)`: a string returned to the wasm, its pointer (0 for none, the shims
// of `Option<String>`) and length written at `at`, as the shims wrote them; a `String`
// one (OAuth's `secrets`) passed through `String()`, as it was a string already.
{
  let text = readFileSync(glueJs, 'utf8');
  if (!text.includes('\nfunction putString(')) {
    const mallocs = new Set();
    text = text.replace(/\n( +)(?:var ptr1 = (isLikeNone)\(ret\) \? 0 : |const ptr1 = )passStringToWasm0\(ret, (wasm\.[$\w]+)\);\n +(?:var|const) len1 = WASM_VECTOR_LEN;\n +getDataViewMemory0\(\)\.setInt32\(\(arg0 >>> 0\) \+ 4 \* 1, len1, true\);\n +getDataViewMemory0\(\)\.setInt32\(\(arg0 >>> 0\) \+ 4 \* 0, ptr1, true\);/g,
      (_, indent, optional, malloc) => (mallocs.add(malloc), `\n${indent}putString(arg0, ${optional ? 'ret' : 'String(ret)'});`));
    if (mallocs.size !== 1) throw new Error('finish-pkg: wasm-bindgen\'s glue is not of the expected shape (strings returned, one malloc)');
    text = text.replace(/\nfunction passStringToWasm0\(/, `
function putString(at, s) {
    const ptr = isLikeNone(s) ? 0 : passStringToWasm0(s, ${[...mallocs][0]});
    const view = getDataViewMemory0();
    view.setInt32(at + 4, WASM_VECTOR_LEN, true);
    view.setInt32(at, ptr, true);
}
$&`);
  }
  if (/isLikeNone\(ret\) \? 0 : passStringToWasm0/.test(text) || !/\n {12}putString\(arg0, ret\);/.test(text)
    || !text.includes('\nfunction putString(')) {
    throw new Error('finish-pkg: wasm-bindgen\'s glue is not of the expected shape (strings returned)');
  }
  writeFileSync(glueJs, text);
}

// The import object's shims (`a: function(arg0) {`, about 70 of them) written as methods
// (`a(arg0) {`), which esbuild keeps as written: the wasm only calls them, with no `this`
// and never with `new`, so a method is the same function to it. 657 bytes raw, 36 gzip.
// And sorted by their text past the name (white space folded), so that alike shims sit
// side by side (`addHeapObject(new ...)`, `getObject(arg0).x`, ...), which gzip codes in
// fewer bits: 24 bytes of gzip. The wasm finds them by name, not by place.
{
  const shim = /^( {8}[$\w]+): function\(/gm;
  const text = readFileSync(glueJs, 'utf8');
  const imports = /^function __wbg_get_imports\(\) \{\n {4}const import0 = \{\n {8}__proto__: null,\n([\s\S]*?)\n {4}\};\n/m.exec(text);
  // Each member a shim, as a function or (when this already ran) as a method; and the
  // lines that close them.
  if (!imports || /^ {8}(?![ }]|[$\w]+(: function)?\()/m.test(imports[1])) {
    throw new Error('finish-pkg: wasm-bindgen\'s import object is not of the expected shape (`name: function(...) {` shims)');
  }
  const members = imports[1].replace(shim, '$1(').split(/\n(?= {8}[$\w]+\()/);
  if (!members.every((m) => /^ {8}[$\w]+\([^]*\n {8}\}(, arguments\); \})?,$/.test(m))) {
    throw new Error('finish-pkg: wasm-bindgen\'s import object is not of the expected shape (shims ending in `},`)');
  }
  const key = (m) => m.replace(/^ {8}[$\w]+/, '').replace(/\s+/g, ' ');
  members.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  writeFileSync(glueJs, text.replace(imports[1], () => members.join('\n')));
}

// The classes `McpClient` and `TaskHandle`, defined here over the wasm's one `_op(object,
// op, a, b, c)` export (src/js/mod.rs), not by wasm-bindgen: its class machinery (a
// borrow flag, a free export and a finalizer per class, their messages) cost more. Their
// readonly properties (`taskId`, `serverInfo`, ...) and methods (`callTool`, `result`,
// ...) are declared by the `McpClient` and `TaskHandle` interfaces of src/js/types.rs
// (merged into the classes declared there), the op being the member's place in its
// interface (properties first; `TaskHandle`'s past 32), then `free` (which the finalizer
// calls too), then `McpClient`'s statics `TaskHandle.resume` and `connect`. The wasm makes
// an object of a class with its import `wrap(kind, ptr)`, by the makers in `makers` here.
// `TaskHandle`'s `result()` is memoized here, in the object's `_r` (the same Promise every
// call; `free` clears it, so a freed handle's `result()` throws as its other members do).
// Its `onStatus` and `onProgress` return their unsubscribe functions made here; its
// `updates()` is this glue's own, over `onStatus` and `result()`, and so is `serialize()`
// (the resume token, over `taskId`, `task` and the session's part, op 47), whose task id
// `TaskHandle.resume` reads here too.
// `_op` is not exported from the package (wasm-bindgen exports it from this module).
let glueText = readFileSync(glueJs, 'utf8');
if (!glueText.includes('by tools/finish-pkg.mjs: the classes')) {
  const members = ['McpClient', 'TaskHandle'].map((cls) => {
    const body = declarations.match(new RegExp(`^export interface ${cls} \\{\\n([\\s\\S]*?)^\\}`, 'm'));
    if (!body) throw new Error(`finish-pkg: no \`export interface ${cls}\` in ${dts}`);
    const getters = [...body[1].matchAll(/^ +readonly (\w+):/gm)].map((m) => m[1]);
    // `TaskHandle`'s `updates()` and `serialize()` are this glue's own (below), not ops.
    const methods = [...body[1].matchAll(/^ +(\w+)\(/gm)].map((m) => m[1]).filter((m) => !/^(updates|serialize)$/.test(m));
    if (!getters.length || !methods.length || glueText.includes(`class ${cls} `) ||
      /^(?! *(readonly \w+:|\w+\(|\/\*\*|\*)).+/m.test(body[1])) {
      throw new Error(`finish-pkg: ${cls}: its interface is not of the expected shape, or wasm-bindgen made the class`);
    }
    return [cls, getters, methods];
  });
  // The ops src/js/mod.rs's `op` answers: `McpClient`'s free 16, resume 17, connect 18;
  // `TaskHandle`'s members from 32 (but `updates` and `serialize`; `result` 40), its free
  // 45, unsubscribe 46, the session's part of a resume token 47.
  const [client, handle] = members.map(([, g, m]) => g.length + m.length);
  if (client !== 16 || handle !== 13 || [...members[1][1], ...members[1][2]].indexOf('result') !== 8 || !/^export function _op\(p, op, a, b, c\) \{$/m.test(glueText)) {
    throw new Error('finish-pkg: the classes\' members or the `_op` export are not what src/js/mod.rs\'s `op` numbers');
  }
  // The wasm's `wrap(kind, ptr)` import made this module's own objects (glue.js's is a
  // stand-in): a second instance of the package (another URL of this file) has classes of
  // its own over its own memory.
  const wrapImport = /^( +)return addHeapObject\(wrap\(arg0 >>> 0, arg1 >>> 0\)\);$/m;
  const glueImport = new RegExp(`^(import \\{ .*), wrap( \\} from '${gluePath.replace(/[.]/g, '\\.')}';)$`, 'm');
  if (!wrapImport.test(glueText) || !glueImport.test(glueText)) {
    throw new Error('finish-pkg: wasm-bindgen\'s glue is not of the expected shape (the `wrap` import)');
  }
  glueText = glueText.replace(wrapImport, '$1return addHeapObject(makers[arg0](arg1 >>> 0));').replace(glueImport, '$1$2');
  writeFileSync(glueJs, glueText.replace(/^export function _op\(/m, 'function _op(')
    + `// Added by tools/finish-pkg.mjs: the classes (see src/js/types.rs and src/js/mod.rs).
const makers = [];
const finalizer = new FinalizationRegistry(([p, free]) => _op(p, free));
export class McpClient {
  static connect(url, options) { return _op(0, 18, String(url), options); }
}
export class TaskHandle {
  static resume(client, tokenOrTaskId, options) {
    if (!(client instanceof McpClient)) throw new TypeError('TaskHandle.resume: client is not an McpClient');
    // A resume token (JSON text: its first non-blank character \`{\`) gives its task id,
    // or why it cannot, which the wasm rejects with as a ProtocolError.
    let t, why;
    if (/^[\\t\\n\\f\\r ]*\\{/.test(tokenOrTaskId)) {
      try { t = JSON.parse(tokenOrTaskId); } catch {}
      why = !t ? 'is not JSON' : t.v !== 1 ? 'has an unknown version' : typeof t.taskId != 'string' ? 'has no taskId' : why;
      tokenOrTaskId = t?.taskId;
    }
    return _op(client._p, 17, tokenOrTaskId, options, why && 'the resume token ' + why);
  }
  // The versioned resume token (JSON text) \`resume\` reads: the session's part from the wasm.
  serialize() {
    return JSON.stringify({ v: 1, taskId: this.taskId, ..._op(this._p, 47), task: this.task });
  }
  // Snapshots for \`for await\`: the current one, then each one \`onStatus\` is called with
  // (each kept until read, as a listener's would be), ending when \`result()\` settles, or
  // at once for a task already done or of a terminal status (\`completed\`, \`failed\`,
  // \`cancelled\`: /^[cf]/). \`return()\` unsubscribes.
  updates() {
    const items = [this.task];
    let wake, done;
    const end = () => { done = true; off(); wake?.(); };
    const off = this.onStatus((t) => { items.push(t); wake?.(); });
    this.isDone || /^[cf]/.test(this.status) ? end() : this.result().then(end, end);
    return {
      async next() {
        while (!items.length && !done) await new Promise((r) => { wake = r; });
        const value = items.shift();
        return { value, done: !value };
      },
      async return() {
        items.length = 0;
        end();
        return { done: true };
      },
      [Symbol.asyncIterator]() { return this; },
    };
  }
}
for (const [C, getters, names, base] of [${members.map(([c, g, m], i) => `[${c}, ${g.length}, ${JSON.stringify([...g, ...m])}, ${32 * i}]`).join(', ')}]) {
  const free = base + names.length;
  makers.push((p) => {
    const o = Object.create(C.prototype);
    o._p = p;
    finalizer.register(o, [p, free], o);
    return o;
  });
  names.forEach((name, op) => Object.defineProperty(C.prototype, name, op < getters
    ? { get() { return _op(this._p, base + op); }, configurable: true }
    : { value(a, b, c) {
      const r = name == 'result' ? this._r ||= _op(this._p, base + op) : _op(this._p, base + op, a, b, c);
      // \`onStatus\`, \`onProgress\`: the wasm gives the subscription's id; the unsubscribe
      // function passes it to the op past \`free\` (a no-op once the object is freed).
      return /^on/.test(name) ? () => { this._p && _op(this._p, free + 1, r); } : r;
    }, writable: true, configurable: true }));
  Object.defineProperty(C.prototype, 'free', { value() {
    const p = this._p;
    this._p = this._r = 0;
    finalizer.unregister(this);
    _op(p, free);
  }, writable: true, configurable: true });
  if (Symbol.dispose) C.prototype[Symbol.dispose] = C.prototype.free;
}
// \`wrap(2, ptr)\`: \`callTool\`'s and a 2026-07-28 \`getTaskResult\`'s final result, the
// \`result()\` of the handle \`ptr\` (op 40), which is then freed (op 45), with no object.
makers.push((p) => [_op(p, 40), _op(p, 45)][0]);
`);
}

// The JS values the wasm side holds, for the leak test (tests/fault/leak.mjs): built
// without reference-types, wasm-bindgen keeps them in the glue's own \`heap\` array (the
// first 1,028 slots are its stack and constants; a freed slot links to the next free
// one), where no test can see them. Bundles that do not import it leave it out.
const glueNow = readFileSync(glueJs, 'utf8');
if (/^let heap = /m.test(glueNow) && /^let heap_next = /m.test(glueNow) && !glueNow.includes('__liveRefs')) {
  writeFileSync(glueJs, glueNow + `// Added by tools/finish-pkg.mjs: JS values held by the wasm side (tests/fault/leak.mjs).
export function __liveRefs() {
  let free = 0;
  for (let i = heap_next; i < heap.length; i = heap[i]) free++;
  return heap.length - 1028 - free;
}
`);
}
writeFileSync(join(pkg, 'node.js'), `// The package entry for Node >= 20: the module is loaded from disk at import time, so
// \`init()\` is optional here (calling it is harmless).
import { readFile } from 'node:fs/promises';
import { initSync } from './mcp_tasks_wasm.js';
initSync({ module: await readFile(new URL('./mcp_tasks_wasm_bg.wasm', import.meta.url)) });
export * from './index.js';
export { default } from './index.js';
`);

const cargo = readFileSync(join(root, 'Cargo.toml'), 'utf8');
const field = (k) => (cargo.match(new RegExp(`^${k} = "([^"]*)"`, 'm')) || [])[1];
const meta = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
const out = {
  name: 'mcp-tasks-wasm',
  version: field('version'),
  description: field('description'),
  license: field('license'),
  repository: { type: 'git', url: field('repository') },
  keywords: ['mcp', 'model-context-protocol', 'tasks', 'wasm', 'webassembly'],
  type: 'module',
  main: './index.js',
  module: './index.js',
  types: './index.d.ts',
  exports: {
    '.': {
      types: './index.d.ts',
      node: './node.js',
      default: './index.js',
    },
    './worker': {
      types: './worker.d.ts',
      default: './worker.js',
    },
    './worker-host.js': './worker-host.js',
    './mcp_tasks_wasm_bg.wasm': './mcp_tasks_wasm_bg.wasm',
    './package.json': './package.json',
  },
  files: ['index.js', 'index.d.ts', 'node.js', 'mcp_tasks_wasm.js', 'mcp_tasks_wasm.d.ts',
    'mcp_tasks_wasm_bg.wasm', 'mcp_tasks_wasm_bg.wasm.d.ts', 'snippets/', 'README.md',
    'errors.js', 'worker.js', 'worker.d.ts', 'worker-host.js', 'worker-wire.js'],
  // worker-host.js listens for the page's messages when imported.
  sideEffects: ['./node.js', './worker-host.js'],
  engines: { node: '>=20' },
};
for (const k of Object.keys(meta)) if (!(k in out) && k !== 'collaborators') out[k] = meta[k];
writeFileSync(join(pkg, 'package.json'), JSON.stringify(out, null, 2) + '\n');
try { copyFileSync(join(root, 'README.md'), join(pkg, 'README.md')); } catch {}
console.log(`pkg/ ready: ${out.name}@${out.version}`);
