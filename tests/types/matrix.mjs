// Type-check a consumer of the packed package under the TypeScript settings projects
// commonly use: lib es2020 / es2022 / esnext (each with dom) × moduleResolution bundler /
// node16 / nodenext, all with strict and skipLibCheck false (so tsc checks our .d.ts
// files too, not only the consumer). Run by `make test-types` after `make build`.
//
// The package is installed by name from its `npm pack` tarball into
// target/types/node_modules (the consumer tests' helper), next to a package.json with
// "type": "module" (node16/nodenext need an ES module consumer for an ESM-only package).
// tests/types/consumer/app.ts and worker.ts (the `mcp-tasks-wasm/worker` entry) are
// checked everywhere; using.ts (the `using` declaration and
// `Disposable`) only where the lib has esnext.disposable.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installPackage } from '../consumers/build.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const out = join(root, 'target/types');
const require = createRequire(import.meta.url);
const tsDir = dirname(require.resolve('typescript/package.json'));
const tsVersion = JSON.parse(readFileSync(join(tsDir, 'package.json'), 'utf8')).version;
const tsc = join(tsDir, 'bin/tsc');

const LIBS = ['es2020', 'es2022', 'esnext'];
const RESOLUTIONS = ['bundler', 'node16', 'nodenext'];
// The `module` each moduleResolution goes with.
const MODULE = { bundler: 'esnext', node16: 'node16', nodenext: 'nodenext' };

rmSync(out, { recursive: true, force: true });
installPackage(join(out, 'node_modules'));
writeFileSync(join(out, 'package.json'), JSON.stringify({ private: true, type: 'module' }, null, 2));
for (const f of ['app.ts', 'worker.ts', 'using.ts']) copyFileSync(join(here, 'consumer', f), join(out, f));

console.log(`TypeScript ${tsVersion}: strict, skipLibCheck false, against the packed mcp-tasks-wasm`);
const results = [];
for (const lib of LIBS) {
  for (const resolution of RESOLUTIONS) {
    const name = `tsconfig.${lib}.${resolution}.json`;
    const files = lib === 'esnext' ? ['app.ts', 'worker.ts', 'using.ts'] : ['app.ts', 'worker.ts'];
    writeFileSync(join(out, name), JSON.stringify({
      compilerOptions: {
        target: lib,
        lib: [lib, 'dom'],
        module: MODULE[resolution],
        moduleResolution: resolution,
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        // No ambient @types from a parent node_modules (@types/node declares
        // Symbol.dispose itself and would hide a missing declaration).
        types: [],
      },
      files,
    }, null, 2));
    const r = spawnSync(process.execPath, [tsc, '-p', name], { cwd: out, encoding: 'utf8' });
    const output = `${r.stdout}${r.stderr}`.trim();
    results.push({ lib, resolution, files, ok: r.status === 0, output });
  }
}

const pad = (s) => s.padEnd(12);
console.log(`\n${pad('lib')}${RESOLUTIONS.map(pad).join('')}`);
for (const lib of LIBS) {
  const row = RESOLUTIONS.map((res) => {
    const r = results.find((x) => x.lib === lib && x.resolution === res);
    return pad(r.ok ? 'ok' : 'FAIL');
  });
  console.log(`${pad(`${lib}+dom`)}${row.join('')}`);
}
const failed = results.filter((r) => !r.ok);
for (const r of failed) {
  console.log(`\n--- FAIL lib ${r.lib}+dom, moduleResolution ${r.resolution} (${r.files.join(', ')}):\n${r.output}`);
}
console.log(failed.length === 0
  ? `\nall ${results.length} combinations type-check`
  : `\n${failed.length} of ${results.length} combinations fail (configs in ${out})`);
process.exitCode = failed.length === 0 ? 0 : 1;
