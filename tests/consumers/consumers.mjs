// The package as users consume it, against the real reference server:
//   - an app bundled with esbuild (bare `mcp-tasks-wasm` import), twice: with the .wasm
//     copied next to the bundle (plain `init()`), and with the .wasm as a hashed file asset
//     whose URL goes to `init({ module_or_path })`,
//   - a plain page (<script type="module"> + import map, no build step),
//   - a module Web Worker (fetch and timers in the worker scope),
//   - the `mcp-tasks-wasm/worker` entry (the client in a worker behind a proxy), against a
//     server of each era, with the whole proxy API and 200 concurrent tasks,
//   - a Node script (the "node" export condition),
// each running a `sleep` task to completion. The browser ones run in headless Chromium
// (playwright-core, the system's /usr/bin/chromium; never a downloaded browser) and fail on
// any console error, uncaught page error (also in the worker), failed request or HTTP
// error response (the requests of the worker included).
//
//   tests/with-servers.sh node --test tests/consumers/consumers.mjs
//
// The pages are served by the JSON reference server and talk to the SSE one
// (MCP_TEST_SERVER): another origin, as a web app and its MCP server usually are, so CORS
// is exercised too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { build, out } from './build.mjs';
import { probeErrors } from '../probe-errors.mjs';

const SERVER = process.env.MCP_TEST_SERVER;
assert.ok(SERVER, 'run through tests/with-servers.sh');
const STATIC = new URL('/target/consumers/', process.env.MCP_TEST_SERVER_JSON || SERVER);
const T = { timeout: 120_000 };

let browser;

before(async () => {
  await build();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run'],
    timeout: 60_000,
  });
}, T);

after(async () => {
  await browser?.close();
});

// Open `path` with ?server=..., wait for #result to get a data-state, and return what the
// page showed, the workers it started, and every problem seen on the way. Console warnings
// (the SDK warns on retries and odd server messages) are test diagnostics, not failures.
async function run(t, path, server = SERVER) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  const workers = [];
  page.on('worker', (w) => workers.push(new URL(w.url()).pathname));
  const probe = probeErrors(page);
  page.on('console', (m) => {
    if (m.type() === 'log') t.diagnostic(`console.log: ${m.text()}`);
    if (m.type() === 'error' && !probe.hold(m.text())) problems.push(`console.error: ${m.text()} @ ${m.location().url}`);
    if (m.type() === 'warning') t.diagnostic(`console.warn: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.stack || e}`));
  page.on('crash', () => problems.push('page crashed'));
  page.on('response', (r) => {
    if (r.status() >= 400 && !probe.isProbe(r)) problems.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? '';
    // close() aborts the open GET stream on purpose.
    if (why !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.method()} ${r.url()} ${why}`);
  });
  try {
    const url = new URL(path, STATIC);
    url.searchParams.set('server', server);
    await page.goto(url.href, { waitUntil: 'load', timeout: 60_000 });
    const result = page.locator('#result[data-state]');
    await result.waitFor({ timeout: 90_000 });
    return {
      state: await result.getAttribute('data-state'),
      text: await result.textContent(),
      workers,
      problems: [...problems, ...probe.unexplained().map((t) => `console.error: ${t}`)],
    };
  } finally {
    await context.close();
  }
}

test('esbuild bundle: imports mcp-tasks-wasm by name, runs a task in the page', T, async (t) => {
  assert.deepEqual(await run(t, 'bundler/'),
    { state: 'done', text: 'completed: hello from esbuild', workers: [], problems: [] });
});

test('esbuild bundle: the .wasm as a hashed file asset, passed to init()', T, async (t) => {
  assert.deepEqual(await run(t, 'bundler-asset/'),
    { state: 'done', text: 'completed: hello from a hashed asset', workers: [], problems: [] });
});

test('plain page: <script type="module"> with an import map, no build step', T, async (t) => {
  assert.deepEqual(await run(t, 'page/'),
    { state: 'done', text: 'completed: hello from a page', workers: [], problems: [] });
});

test('Web Worker: a module worker runs a task and posts the result back', T, async (t) => {
  assert.deepEqual(await run(t, 'worker/'),
    {
      state: 'done',
      text: 'completed: hello from a worker',
      workers: ['/target/consumers/worker/worker.js'],
      problems: [],
    });
});

test('Node: `import { McpClient } from "mcp-tasks-wasm"` resolves the node export', T, async () => {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath, [join(out, 'node/app.mjs'), SERVER], { timeout: 90_000 });
  assert.equal(stdout, 'completed: hello from node\n');
  assert.equal(stderr, '');
});

test('esbuild bundle of mcp-tasks-wasm/worker: the client runs in the bundled worker-host.js', T, async (t) => {
  assert.deepEqual(await run(t, 'bundler-worker/'),
    {
      state: 'done',
      text: 'completed: hello from the worker entry',
      workers: ['/target/consumers/bundler-worker/worker-host.js'],
      problems: [],
    });
});

// `mcp-tasks-wasm/worker`: the client in a dedicated Web Worker behind the same API, in
// a plain page (import map), against a server of each era (worker-entry/app.js).
for (const [era, server] of [['2025-11-25', SERVER], ['2026-07-28', process.env.MCP_TEST_MODERN]]) {
  test(`worker entry (${era}): the client runs in a Web Worker, the page keeps the API, its callbacks and a free main thread`, T, async (t) => {
    assert.ok(server, 'run through tests/with-servers.sh');
    const got = await run(t, 'worker-entry/', server);
    assert.deepEqual(got.problems, []);
    // Three clients' workers, and the one that cannot start (a data: URL).
    assert.deepEqual(got.workers.sort(), [
      ...Array(3).fill('/target/consumers/node_modules/mcp-tasks-wasm/worker-host.js'),
      'text/javascript,throw new Error("boom")',
    ]);
    assert.equal(got.state, 'done', got.text);
    const report = JSON.parse(got.text);
    t.diagnostic(`long tasks on the page while 200 tasks ran: ${JSON.stringify(report.concurrent.longTasks)}`);
    assert.deepEqual(report, {
      fetch: 'TypeError: true',
      era,
      hasSleep: true,
      sleep: {
        text: 'hello from the worker entry', status: 'completed', isDone: true, memoized: true,
        first: 'working', last: 'completed', inOrder: true, updatesEnd: 'completed',
      },
      progress: era === '2025-11-25' ? { steps: true, latest: true } : { steps: false, latest: true },
      local: { isLocal: true, text: 'plain', isDone: true },
      failed: {
        proxyClass: true, name: 'TaskFailedError', code: 'ERR_TASK_FAILED', taskId: true,
        taskStatus: 'failed', detail: true,
      },
      unknownTask: { mcpError: true, numericCode: true },
      cancel: { proxyClass: true, status: 'cancelled', taskStatus: 'cancelled' },
      ask: { text: 'Hello, Page!', asked: [{ onPage: true, message: 'What is your name?', task: true }] },
      abort: { handle: 'DOMException AbortError', isDone: true, call: 'DOMException AbortError' },
      dispose: { isDone: true, error: 'DOMException AbortError', callbacksAfter: 0 },
      batchIsolation: { early: 'DOMException AbortError', uncloneable: 'DOMException DataCloneError', fine: 'same batch' },
      brokenWorker: 'Error: true',
      resume: { token: true, taskId: true, text: 'resumed' },
      notified: true,
      probeSeesBusyLoop: true,
      concurrent: { completed: 200, statusUpdates: true, activeTasks: 0, fewerPostsThanMessages: true, batchesCarryMany: true, longTasks: [] },
      sharedWorkerKept: 'closed twice',
      workerUrl: true,
      closed: 'DOMException AbortError',
    });
  });
}
