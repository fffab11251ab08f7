// Build the consumer apps into target/consumers/, the way a user's project would get them:
//   1. `npm pack` pkg/ and unpack the tarball into target/consumers/node_modules/mcp-tasks-wasm
//      (so only what package.json `files` ships is there, and `exports` is what resolves);
//   2. bundle bundler/app.js, bundler-asset/app.js and bundler-worker/app.js (with the
//      package's worker-host.js as a second entry) with esbuild, the bare specifier
//      `mcp-tasks-wasm` resolved from that node_modules: the first with the .wasm copied next
//      to the bundle, the second with the .wasm as a hashed file asset passed to init();
//   3. copy the no-bundler consumers (page/, worker/, worker-entry/, node/) as they are.
// The reference server serves the repository root, so the result is at
// http://127.0.0.1:PORT/target/consumers/{bundler,bundler-asset,bundler-worker,page,worker,worker-entry}/?server=MCP_URL.
// Run alone with `node tests/consumers/build.mjs`; consumers.mjs calls build().
import { execFileSync } from 'node:child_process';
import { cpSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
export const out = join(root, 'target/consumers');

/**
 * Install the built package the way `npm install ./mcp-tasks-wasm-X.tgz` would: `npm pack`
 * pkg/ and unpack the tarball into `<nodeModules>/mcp-tasks-wasm` (replacing what is there),
 * so only what package.json `files` ships is present and `exports` is what resolves.
 * Also used by tests/conformance/ and tests/types/.
 * @param {string} nodeModules the node_modules directory to install into
 * @returns {string} the package's directory
 */
export function installPackage(nodeModules) {
  const pkg = join(root, 'pkg');
  if (!existsSync(join(pkg, 'package.json'))) throw new Error('pkg/ is not built: run `make build`');
  const installed = join(nodeModules, 'mcp-tasks-wasm');
  rmSync(installed, { recursive: true, force: true });
  const tmp = mkdtempSync(join(tmpdir(), 'mcp-pack-'));
  try {
    const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' };
    const packed = JSON.parse(execFileSync('npm',
      ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp],
      { cwd: pkg, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(tmp, packed[0].filename), '-C', installed, '--strip-components=1']);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return installed;
}

export async function build() {
  rmSync(out, { recursive: true, force: true });

  // 1. Install the package from its tarball.
  installPackage(join(out, 'node_modules'));

  // 2. The bundled apps. `nodePaths` stands in for the user's own node_modules (the apps'
  // sources live in tests/, not in a project next to target/consumers/node_modules).
  const common = {
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    nodePaths: [join(out, 'node_modules')],
    logLevel: 'warning',
  };
  // bundler/: plain `await init()`. wasm-bindgen's glue loads
  // `new URL('mcp_tasks_wasm_bg.wasm', import.meta.url)`, which esbuild leaves as it is, so
  // the .wasm is copied next to the bundle.
  await esbuild.build({ ...common, entryPoints: [join(here, 'bundler/app.js')], outdir: join(out, 'bundler') });
  copyFileSync(join(out, 'node_modules/mcp-tasks-wasm/mcp_tasks_wasm_bg.wasm'),
    join(out, 'bundler/mcp_tasks_wasm_bg.wasm'));
  // bundler-asset/: the .wasm imported as a file asset (hashed name), passed to init().
  await esbuild.build({
    ...common,
    entryPoints: [join(here, 'bundler-asset/app.js')],
    outdir: join(out, 'bundler-asset'),
    loader: { '.wasm': 'file' },
  });
  // bundler-worker/: the `mcp-tasks-wasm/worker` entry. The page bundle starts
  // `new URL('./worker-host.js', import.meta.url)`, which esbuild leaves as it is, so the
  // worker script is a second entry point named worker-host.js in the same folder, and
  // the .wasm it loads sits next to it.
  await esbuild.build({
    ...common,
    entryPoints: [join(here, 'bundler-worker/app.js'),
      join(out, 'node_modules/mcp-tasks-wasm/worker-host.js')],
    entryNames: '[name]',
    outdir: join(out, 'bundler-worker'),
  });
  copyFileSync(join(out, 'node_modules/mcp-tasks-wasm/mcp_tasks_wasm_bg.wasm'),
    join(out, 'bundler-worker/mcp_tasks_wasm_bg.wasm'));
  for (const dir of ['bundler', 'bundler-asset', 'bundler-worker']) {
    copyFileSync(join(here, dir, 'index.html'), join(out, dir, 'index.html'));
  }

  // 3. The rest as is.
  for (const dir of ['page', 'worker', 'worker-entry', 'node']) cpSync(join(here, dir), join(out, dir), { recursive: true });
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`built ${await build()}`);
}
