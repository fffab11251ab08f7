// Print the package's sizes (wasm and JS glue, raw and gzip), as listed in the README.
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
const pkg = new URL('../pkg/', import.meta.url);
const files = ['mcp_tasks_wasm_bg.wasm', 'mcp_tasks_wasm.js'];
let raw = 0, gz = 0;
const rows = [];
for (const f of files) {
  const u = new URL(f, pkg);
  if (!existsSync(u)) throw new Error(`pkg/${f} missing: run make build`);
  const b = readFileSync(u);
  const g = gzipSync(b, { level: 9 }).length;
  raw += b.length; gz += g;
  rows.push(`| ${f} | ${(b.length / 1024).toFixed(1)} KB | ${(g / 1024).toFixed(1)} KB |`);
}
console.log('| file | raw | gzip |\n|---|---|---|\n' + rows.join('\n') +
  `\n| **total** | ${(raw / 1024).toFixed(1)} KB | ${(gz / 1024).toFixed(1)} KB |`);

// The size row of `make bench` (wasm + minified glue, gzip -9, bytes): the figure the
// size budget and the issues speak of, built the way the benchmark builds it.
const { buildSite } = await import('../bench/lib/build.mjs');
const { mkdtempSync, rmSync } = await import('node:fs');
const { tmpdir } = await import('node:os');
const { join } = await import('node:path');
const dir = mkdtempSync(join(tmpdir(), 'size-row-'));
try {
  const o = (await buildSite(dir)).size.ours;
  console.log(`\nsize row (make bench, gzip -9): ${o.total.gzip} bytes = wasm ${o.wasm.gzip} + minified glue ${o.js.gzip}`);
  // --check (make test): fail above the budget, which lives in tools/size-budget.json
  // alone (raise it only with a reason, in its history and the commit).
  if (process.argv.includes('--check')) {
    const budget = JSON.parse(readFileSync(new URL('./size-budget.json', import.meta.url), 'utf8')).bytes;
    if (!(o.total.gzip <= budget)) {
      console.error(`size gate: ${o.total.gzip} bytes is over the budget of ${budget} (tools/size-budget.json)`);
      process.exitCode = 1;
    } else {
      console.log(`size gate: ${o.total.gzip} <= ${budget} bytes (tools/size-budget.json)`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
