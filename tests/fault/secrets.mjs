// Hostile-input hygiene of the built package (Node):
// - the values of `headers` (a bearer token, an API key) never appear in an error's
//   message, body, detail or stack, nor in anything the SDK logs, whatever breaks;
// - the package uses no eval / new Function / string timers (it must run under
//   `script-src 'self' 'wasm-unsafe-eval'`).
//
//   tests/with-servers.sh node --test tests/fault/secrets.mjs
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startFaultProxy, FAULT_WEIGHTS } from './proxy.mjs';
import { exitWatchdog } from './watchdog.mjs';
import { McpClient, McpTasksError } from '../../pkg/node.js';

exitWatchdog({ beforeEach, afterEach });

const SSE = process.env.MCP_TEST_SERVER;
const JSONURL = process.env.MCP_TEST_SERVER_JSON;
const PKG = new URL('../../pkg/', import.meta.url).pathname;

const TOKEN = 'sk-live-7f3a9c2e1b5d4f60SECRET';
const API_KEY = 'apikey-0d9e8f7a6b5c4d3eSECRET';
const HEADERS = { Authorization: `Bearer ${TOKEN}`, 'X-Api-Key': API_KEY };
const SECRETS = [TOKEN, API_KEY];

/** Every string an error exposes: its own fields, nested errors, its stack, its JSON. */
function exposed(e, depth = 0) {
  if (e === null || e === undefined || depth > 3) return [];
  if (typeof e !== 'object') return [String(e)];
  const out = [String(e), e.stack ?? '', e.message ?? '', e.body ?? '', e.detail ?? ''];
  try {
    out.push(JSON.stringify(e));
  } catch {
    // cyclic: the fields above are enough
  }
  for (const k of Object.keys(e)) {
    const v = e[k];
    out.push(...(typeof v === 'object' ? exposed(v, depth + 1) : [String(v)]));
  }
  if (e.error) out.push(...exposed(e.error, depth + 1));
  return out;
}

function leaks(texts) {
  return texts.filter((t) => SECRETS.some((s) => t.includes(s)) || t.includes('SECRET'));
}

test('header values never appear in errors or logs, whatever breaks', { timeout: 120_000 }, async () => {
  assert.ok(SSE && JSONURL, 'run through tests/with-servers.sh');
  const logs = [];
  const saved = {};
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
    saved[level] = console[level];
    console[level] = (...args) => logs.push(args.map((a) => (a instanceof Error ? `${a.stack}` : typeof a === 'object' ? JSON.stringify(a) : String(a))).join(' '));
  }
  const errors = [];
  const catchTo = (what) => (e) => {
    errors.push([what, e]);
    return e;
  };
  try {
    // One fault kind at a time, every exchange broken, against both reply flavours; a
    // hostile server quotes the request headers in every error body it makes.
    for (const upstream of [SSE, JSONURL]) {
      for (const kind of Object.keys(FAULT_WEIGHTS)) {
        const proxy = await startFaultProxy({ upstream, seed: 3, rate: 0, only: [kind], echoHeaders: true, stallMaxMs: 3000 });
        const opts = { headers: HEADERS, requestTimeoutMs: 800, maxResponseBytes: 64 * 1024 };
        const client = await McpClient.connect(proxy.url, opts);
        await client.listAllTools();
        proxy.setRate(1);
        // A second client: the proxy faults handshakes only before its first session,
        // so this one connects or fails typed.
        const second = await McpClient.connect(proxy.url, opts).catch(catchTo(`${kind}: connect`));
        if (second instanceof McpClient) await second.close();
        await client.callTool('echo', { text: 'x' }).catch(catchTo(`${kind}: callTool`));
        await client.getTask('no-such-task').catch(catchTo(`${kind}: getTask`));
        await client.listTasks().catch(catchTo(`${kind}: listTasks`));
        proxy.setRate(0.5);
        const h = await client.callToolAsTask('sleep', { ms: 50, pollInterval: 50 }, { maxRetries: 2, minPollIntervalMs: 20, maxPollIntervalMs: 100 }).catch(catchTo(`${kind}: callToolAsTask`));
        if (h && !(h instanceof Error)) await h.result().catch(catchTo(`${kind}: result`));
        proxy.setRate(0);
        await client.close();
        await proxy.close();
      }
    }
    // A server that is down.
    await McpClient.connect('http://127.0.0.1:9/mcp', { headers: HEADERS }).catch(catchTo('down: connect'));
    // A server that quotes the Authorization header in a JSON-RPC error message, in a
    // reply that is not JSON, and in a 401 body (a fetch wrapper plays that server).
    const echoing = (mode) => async (url, init) => {
      const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
      if (body?.method !== 'tasks/get') return fetch(url, init);
      const auth = new Headers(init.headers).get('authorization');
      const json = (status, text) => new Response(text, { status, headers: { 'content-type': 'application/json' } });
      if (mode === 'rpc') return json(200, JSON.stringify({ jsonrpc: '2.0', id: body.id, error: { code: -32001, message: `token rejected: ${auth}` } }));
      if (mode === 'rpc-data') return json(200, JSON.stringify({ jsonrpc: '2.0', id: body.id, error: { code: -32001, message: 'denied', data: { request: { headers: { authorization: auth } }, hint: 'check the token' } } }));
      if (mode === 'text') return json(200, `${auth} is not allowed here`);
      return json(401, JSON.stringify({ error: 'unauthorized', got: auth }));
    };
    for (const mode of ['rpc', 'rpc-data', 'text', '401']) {
      const c = await McpClient.connect(SSE, { headers: HEADERS, fetch: echoing(mode), listen: false });
      const e = await c.getTask('any').catch(catchTo(`echoing server (${mode}): getTask`));
      // The rest of what the server said stays readable.
      if (mode === 'rpc-data') assert.equal(e?.data?.hint, 'check the token', `data kept: ${JSON.stringify(e?.data)}`);
      await c.close();
    }
  } finally {
    Object.assign(console, saved);
  }
  const typed = errors.filter(([, e]) => e instanceof McpTasksError || e?.name === 'AbortError');
  console.log(`${errors.length} errors provoked (${typed.length} typed); ${logs.length} log lines`);
  const kinds = {};
  for (const [, e] of errors) kinds[`${e?.name} ${e?.status ?? e?.code ?? ''}`.trim()] = (kinds[`${e?.name} ${e?.status ?? e?.code ?? ''}`.trim()] ?? 0) + 1;
  console.log(`errors by kind: ${JSON.stringify(kinds)}`);
  assert.ok(errors.length >= 20, 'the faults provoked errors');
  assert.equal(typed.length, errors.length, `every error is typed: ${errors.filter(([, e]) => !(e instanceof McpTasksError)).map(([w, e]) => `${w}: ${e}`)}`);
  const leaked = [];
  for (const [what, e] of errors) {
    for (const t of leaks(exposed(e))) leaked.push(`${what}: ${e.name}: ${t.slice(0, 200)}`);
  }
  for (const t of leaks(logs)) leaked.push(`log: ${t.slice(0, 200)}`);
  assert.deepEqual(leaked, [], 'no header value in any error or log line');
});

/** Every .js file of the package (the glue, the entries, the snippets). */
function packageScripts(dir = PKG) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...packageScripts(p));
    else if (/\.(m?js)$/.test(entry)) out.push(p);
  }
  return out;
}

test('the package uses no eval, no new Function and no string timers', () => {
  const files = packageScripts();
  assert.ok(files.some((f) => f.endsWith('mcp_tasks_wasm.js')), 'the glue is there (make build)');
  const patterns = [
    [/\beval\s*\(/, 'eval('],
    [/\bnew\s+Function\b/, 'new Function'],
    // Function('...') called with code; `Function(${...})` inside a template literal is text.
    [/(?<![\w$.`{])Function\s*\(\s*['"]/, "Function('code')"],
    [/\bset(?:Timeout|Interval)\s*\(\s*['"`]/, 'a string timer'],
    [/\bimportScripts\s*\(/, 'importScripts('],
  ];
  const found = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const [re, what] of patterns) {
      const m = text.match(re);
      if (m) found.push(`${f.slice(PKG.length)}: ${what} at ${text.slice(Math.max(0, m.index - 40), m.index + 40)}`);
    }
  }
  console.log(`scanned ${files.length} files: ${files.map((f) => f.slice(PKG.length)).join(', ')}`);
  assert.deepEqual(found, []);
  // The wasm module imports nothing that evaluates code.
  const mod = new WebAssembly.Module(readFileSync(join(PKG, 'mcp_tasks_wasm_bg.wasm')));
  const bad = WebAssembly.Module.imports(mod).filter((i) => /eval|Function_new|new_Function/i.test(i.name));
  assert.deepEqual(bad, []);
});
