// Build the two client bundles and the bench page into target/bench/site/, and measure
// their sizes. Both bundles are made the same way (esbuild, ESM, browser, minified), so the
// size figure compares like with like:
//   ours.min.js     = pkg/index.js (wasm-bindgen JS glue + error classes), minified,
//                     plus mcp_tasks_wasm_bg.wasm copied beside it (init() fetches it);
//   official.min.js = Client + StreamableHTTPClientTransport of @modelcontextprotocol/sdk
//                     (callToolStream is a method of client.experimental.tasks): the
//                     2025-11-25 era;
//   official-modern.min.js = bench/page/official-modern.js: @modelcontextprotocol/client
//                     (Client, StreamableHTTPClientTransport) + @modelcontextprotocol/ext-tasks
//                     (client entry) + the fetch dispatcher ext-tasks needs for 2026-07-28.
// Ours is one package for both eras: the same bundle and wasm on both sides.
import { mkdirSync, rmSync, copyFileSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync, brotliCompressSync, constants as zc } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PKG = join(ROOT, 'pkg');
const PAGE = fileURLToPath(new URL('../page/', import.meta.url));

function sizes(buf) {
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, { params: { [zc.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

const sum = (a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli });

export async function buildSite(outDir) {
  for (const f of ['index.js', 'mcp_tasks_wasm.js', 'mcp_tasks_wasm_bg.wasm']) {
    if (!existsSync(join(PKG, f))) throw new Error(`pkg/${f} is missing: run \`make build\` first`);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const entries = join(outDir, '.entries');
  mkdirSync(entries);
  // Snapshot the wasm first: pkg/ may be rebuilt by someone else while we run.
  const wasm = readFileSync(join(PKG, 'mcp_tasks_wasm_bg.wasm'));
  writeFileSync(join(outDir, 'mcp_tasks_wasm_bg.wasm'), wasm);
  writeFileSync(join(entries, 'ours.mjs'),
    `export { default, McpClient } from ${JSON.stringify(join(PKG, 'index.js'))};\n`);
  writeFileSync(join(entries, 'official.mjs'),
    `export { Client } from '@modelcontextprotocol/sdk/client/index.js';\n` +
    `export { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';\n`);
  const common = {
    bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022',
    absWorkingDir: ROOT, nodePaths: [join(ROOT, 'node_modules')], logLevel: 'warning',
    legalComments: 'none', metafile: true,
  };
  const entryPoints = {
    ours: join(entries, 'ours.mjs'),
    // Worker mode (issue 18): the page side of mcp-tasks-wasm/worker, and its worker
    // script bundled beside it as worker-host.js (the page side starts
    // `new URL('./worker-host.js', import.meta.url)`; the host loads the wasm beside it).
    'ours-worker': join(PKG, 'worker.js'),
    'worker-host': join(PKG, 'worker-host.js'),
    official: join(entries, 'official.mjs'),
    'official-modern': join(PAGE, 'official-modern.js'),
  };
  const built = {};
  for (const [name, entry] of Object.entries(entryPoints)) {
    const file = name === 'worker-host' ? 'worker-host.js' : `${name}.min.js`;
    const r = await esbuild.build({ ...common, entryPoints: [entry], outfile: join(outDir, file) });
    built[name] = Object.keys(r.metafile.inputs).length;
  }
  rmSync(entries, { recursive: true, force: true });
  if (!readFileSync(join(outDir, 'ours.min.js'), 'utf8').includes('mcp_tasks_wasm_bg.wasm')) {
    throw new Error('ours.min.js does not reference mcp_tasks_wasm_bg.wasm: the wasm-bindgen init() path changed');
  }
  for (const f of ['index.html', 'scenario.js']) copyFileSync(join(PAGE, f), join(outDir, f));

  const ourJs = sizes(readFileSync(join(outDir, 'ours.min.js')));
  const ourWasm = sizes(wasm);
  const official = sizes(readFileSync(join(outDir, 'official.min.js')));
  const officialModern = sizes(readFileSync(join(outDir, 'official-modern.min.js')));
  // For reference: the unbundled package files as wasm-pack leaves them.
  const pkgFiles = {};
  for (const f of ['mcp_tasks_wasm.js', 'index.js', 'mcp_tasks_wasm_bg.wasm']) pkgFiles[f] = sizes(readFileSync(join(PKG, f)));
  const version = (name) => JSON.parse(readFileSync(join(ROOT, 'node_modules/@modelcontextprotocol', name, 'package.json'), 'utf8')).version;
  const sdkVersion = version('sdk');
  const esbuildVersion = esbuild.version;
  const how = 'esbuild --bundle --minify --format=esm --platform=browser --target=es2022; gzip -9; brotli q11';
  const ours = { js: ourJs, wasm: ourWasm, total: sum(ourJs, ourWasm), bundleInputs: built.ours };
  return {
    size: {
      ours,
      official: { js: official, total: official, bundleInputs: built.official },
      pkgFiles,
      how,
    },
    modernSize: {
      ours,
      official: { js: officialModern, total: officialModern, bundleInputs: built['official-modern'] },
      how,
    },
    modernVersions: { client: version('client'), extTasks: version('ext-tasks') },
    wasmSha256: createHash('sha256').update(wasm).digest('hex'),
    wasmMtime: statSync(join(PKG, 'mcp_tasks_wasm_bg.wasm')).mtime.toISOString(),
    sdkVersion,
    esbuildVersion,
  };
}
