// Run client scenarios of the official MCP conformance suite against the built package:
//   node tests/conformance/run.mjs 2025-11-25:initialize 2025-11-25:tools_call ...
// Each argument is <spec version>:<scenario>; `make test-conformance` passes the list kept
// in the Makefile (CONFORMANCE_SCENARIOS; `make test-conformance-2026`: the 2026-07-28 ones,
// CONFORMANCE_SCENARIOS_2026). Exits non-zero if any scenario fails.
//
// The version goes to the suite as `--spec-version`, which fixes the wire of the scenario
// server (2025-11-25: the suite's stateful SDK server; 2026-07-28: its stateless mock, with
// its header/_meta gate and JSON-schema check of every message) and is what the suite puts
// in MCP_CONFORMANCE_PROTOCOL_VERSION for client.mjs, which connects pinned to it.
//
// 1. Installs the `npm pack` tarball of pkg/ into target/conformance/node_modules (the
//    consumer tests' helper) and copies client.mjs next to it, so the adapter imports
//    `mcp-tasks-wasm` by name, as a user would.
// 2. For each scenario, one run of the suite's CLI, with Node 20's missing fs.globSync
//    supplied by the node20-globsync.mjs preload:
//      node --import tests/conformance/node20-globsync.mjs \
//        node_modules/@modelcontextprotocol/conformance/dist/index.js client \
//        --command "node target/conformance/client.mjs" --scenario <scenario> \
//        --spec-version <version> --output-dir <dir>
//    The suite exits 1 when a check is FAILURE or WARNING, the client times out, or the
//    client exits non-zero; we also read the checks.json it writes, so a run with a failed
//    check, no checks at all, or a skipped scenario fails here too, whatever the exit code.
// 3. Prints each scenario's failing checks and a pass/fail summary. Full output of each run:
//    target/conformance/logs/<version>/<scenario>.log.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { installPackage } from '../consumers/build.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const out = join(root, 'target/conformance');
const require = createRequire(import.meta.url);
const suiteDir = dirname(require.resolve('@modelcontextprotocol/conformance/package.json'));
const suiteVersion = JSON.parse(readFileSync(join(suiteDir, 'package.json'), 'utf8')).version;
const suiteBin = join(suiteDir, 'dist/index.js');
const preload = pathToFileURL(join(here, 'node20-globsync.mjs')).href;
// The suite gives the client 30 s (its default --timeout); then it judges and stops its server.
const SCENARIO_LIMIT_MS = 90_000;

const wanted = process.argv.slice(2).map((arg) => {
  const at = arg.indexOf(':');
  if (at < 1) throw new Error(`expected <spec version>:<scenario>, got '${arg}'`);
  return { version: arg.slice(0, at), scenario: arg.slice(at + 1) };
});
if (wanted.length === 0) throw new Error('no scenarios given (see CONFORMANCE_SCENARIOS in the Makefile)');

// 1. The package, installed by name, and the adapter next to it.
rmSync(out, { recursive: true, force: true });
installPackage(join(out, 'node_modules'));
const adapter = join(out, 'client.mjs');
copyFileSync(join(here, 'client.mjs'), adapter);
// The suite splits --command on spaces.
const command = `${process.execPath} ${adapter}`;
if (command.split(' ').length !== 2) throw new Error(`the suite cannot run a command with spaces in its paths: ${command}`);

console.log(`conformance: @modelcontextprotocol/conformance ${suiteVersion}, ${wanted.length} client scenario(s), adapter ${adapter}`);

// 2. One suite run per scenario, one after the other (the machine is small and sse-retry
// measures timing).
const results = [];
for (const { version, scenario } of wanted) {
  const safe = scenario.replace(/[^A-Za-z0-9_.-]/g, '_');
  const resultsDir = join(out, 'results', version, safe);
  const logFile = join(out, 'logs', version, `${safe}.log`);
  mkdirSync(resultsDir, { recursive: true });
  mkdirSync(dirname(logFile), { recursive: true });
  const args = ['--import', preload, suiteBin, 'client', '--command', command,
    '--scenario', scenario, '--spec-version', version, '--output-dir', resultsDir];
  process.stdout.write(`\n--- ${scenario} (${version}) ---\n`);
  const { code, output } = await run(process.execPath, args);
  writeFileSync(logFile, `$ node ${args.join(' ')}\n${output}`);
  results.push(judge({ version, scenario, code, output, resultsDir, logFile }));
}

// 3. Summary.
console.log('\n=== conformance summary (client) ===');
for (const r of results) {
  const counts = `${r.passed} passed, ${r.failed.length} failed, ${r.warnings.length} warnings`;
  console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.version}  ${r.scenario.padEnd(40)} ${counts}${r.reason ? `  (${r.reason})` : ''}`);
}
const failing = results.filter((r) => !r.ok);
console.log(failing.length === 0
  ? `all ${results.length} scenario(s) passed`
  : `${failing.length} of ${results.length} scenario(s) failed; logs in ${join(out, 'logs')}`);
process.exitCode = failing.length === 0 ? 0 : 1;

/**
 * Run a command in its own process group; its stdout and stderr, interleaved, in `output`.
 * A watchdog kills the whole group after SCENARIO_LIMIT_MS: when the client outlives the
 * suite's 30 s timeout, the suite kills only the shell it started it with, the client
 * lives on holding its streams open, and the suite waits forever for its scenario server
 * to close.
 */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const watchdog = setTimeout(() => {
      output += `\n[run.mjs] no result after ${SCENARIO_LIMIT_MS} ms: killing the suite and the client\n`;
      try { process.kill(-child.pid, 'SIGKILL'); } catch {}
    }, SCENARIO_LIMIT_MS);
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('error', (e) => resolve({ code: -1, output: `${output}\nspawn failed: ${e.message}` }));
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      // Whatever the suite left behind in its group (a client it failed to stop).
      try { process.kill(-child.pid, 'SIGKILL'); } catch {}
      resolve({ code: code ?? `signal ${signal}`, output });
    });
  });
}

/** Pass or fail one scenario from the suite's exit code and its checks.json. */
function judge({ version, scenario, code, output, resultsDir, logFile }) {
  const file = findChecks(resultsDir);
  const checks = file ? JSON.parse(readFileSync(file, 'utf8')) : [];
  const failed = checks.filter((c) => c.status === 'FAILURE');
  const warnings = checks.filter((c) => c.status === 'WARNING');
  const passed = checks.filter((c) => c.status === 'SUCCESS').length;
  const skipped = /^SKIPPED: /m.test(output);
  let reason = '';
  if (skipped) reason = 'the suite skipped it';
  else if (!file) reason = 'no checks.json written';
  else if (checks.length === 0) reason = 'no checks';
  else if (/CLIENT TIMED OUT/.test(output)) reason = 'client timed out';
  else if (/\[run\.mjs\] no result after/.test(output)) reason = 'the suite hung and was killed';
  else if (/CLIENT EXITED WITH ERROR/.test(output)) reason = 'client exited with an error';
  else if (code !== 0 && failed.length === 0 && warnings.length === 0) reason = `suite exited ${code}`;
  const ok = code === 0 && !skipped && checks.length > 0 && failed.length === 0 && warnings.length === 0;

  console.log(`${ok ? 'PASS' : 'FAIL'}: ${scenario} (suite exit ${code}; ${passed} passed, ${failed.length} failed, ${warnings.length} warnings)`);
  for (const c of [...failed, ...warnings]) {
    console.log(`  ${c.status} ${c.id}: ${c.errorMessage ?? c.description}`);
  }
  if (!ok) {
    const stderr = file ? readFileSync(join(dirname(file), 'stderr.txt'), 'utf8').trim() : '';
    if (stderr) console.log(`  client stderr: ${stderr.split('\n').join('\n    ')}`);
    if (reason) console.log(`  ${reason}`);
    console.log(`  full output: ${logFile}`);
  }
  return { version, scenario, ok, passed, failed, warnings, reason };
}

function findChecks(dir) {
  for (const entry of readdirSync(dir, { recursive: true })) {
    if (String(entry).endsWith('checks.json')) return join(dir, String(entry));
  }
  return null;
}
