// Hostile and faulty MCP servers (2025-11-25): what the client must do when a server
// leaks secrets back, redirects, asks for absurd waits, never answers, floods, loops or
// sends malformed ids. One test per finding (#6 .. #15); each states the fixed behaviour
// and fails on a client that lacks it. The servers are `hostile-server.mjs` (127.0.0.1,
// port 0, one per test, all stopped at its end). No sleep synchronises anything: tests
// wait on the requests the server records, or on callbacks, always with a bounded
// deadline (generous: 2 busy cores); the one fixed wait is #11's 3-second measuring
// window. Each test collects everything it found before asserting, so a failure lists
// every broken point with its numbers.
//
//   node --test tests/fault/hostile.mjs          (make test-hostile; needs pkg/: make build)
//
// #14 runs in a wasm instance of its own (it measures wasm memory); #10 runs
// last and its server is a child process (it measures the process's memory).
//
// Assumed API for the fixes where none exists today (see tests/fault/README.md):
// - callTool(name, args, { signal, timeoutMs })                       (#9)
// - McpClient.connect(url, { retryUnsafeRequests: true })             (#15)
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { exitWatchdog } from './watchdog.mjs';
import { startHostileServer } from './hostile-server.mjs';
import { McpClient, McpTasksError, ProtocolError, TransportError } from '../../pkg/node.js';

exitWatchdog({ beforeEach, afterEach });

const SERVER = fileURLToPath(new URL('./hostile-server.mjs', import.meta.url));
const PKG = new URL('../../pkg/', import.meta.url);
const MiB = (n) => `${(n / 1048576).toFixed(2)} MiB`;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/** How `p` settled within `ms`: { state: 'fulfilled', value, ms } | { state: 'rejected',
 * error, ms } | { state: 'pending', ms }. Never rejects; clears its timer. */
async function within(p, ms) {
  const t0 = Date.now();
  let timer;
  const late = new Promise((r) => {
    timer = setTimeout(() => r({ state: 'pending' }), ms);
  });
  try {
    const o = await Promise.race([
      Promise.resolve(p).then((value) => ({ state: 'fulfilled', value }), (error) => ({ state: 'rejected', error })),
      late,
    ]);
    return { ...o, ms: Date.now() - t0 };
  } finally {
    clearTimeout(timer);
  }
}

/** One line about an outcome of `within`. */
function show(o) {
  if (o.state === 'pending') return `still pending after ${o.ms} ms`;
  if (o.state === 'fulfilled' && o.value instanceof McpClient) return `resolved after ${o.ms} ms with a connected McpClient`;
  if (o.state === 'fulfilled') return `resolved after ${o.ms} ms with ${JSON.stringify(o.value)?.slice(0, 160)}`;
  const e = o.error;
  return `rejected after ${o.ms} ms with ${e?.name}${e?.status !== undefined ? ` (status ${e.status})` : ''}: ${String(e?.message).slice(0, 200)}`;
}

/** Every string reachable from `root` (own fields, message, detail, body, data, stack,
 * cause, nested errors) as [path, text] pairs, walked without recursion: a value nested
 * 20,000 levels deep is walked to its bottom. */
function exposed(root) {
  const out = [];
  const seen = new Set();
  const stack = [[root, 'error', 0]];
  let budget = 500_000;
  while (stack.length > 0 && budget-- > 0) {
    const [v, path, depth] = stack.pop();
    if (v === null || v === undefined) continue;
    if (typeof v !== 'object' && typeof v !== 'function') {
      out.push([path, String(v)]);
      continue;
    }
    if (seen.has(v)) continue;
    seen.add(v);
    try {
      out.push([`String(${path})`, String(v)]);
    } catch {
      // no string form
    }
    // The JSON form of the error and its direct fields (not at every level of a deep
    // value: each attempt there would recurse to the stack limit).
    if (depth <= 1) {
      try {
        out.push([`JSON.stringify(${path})`, JSON.stringify(v) ?? '']);
      } catch {
        // cyclic or too deep: the walk below still sees every field
      }
    }
    const keys = new Set(['message', 'detail', 'body', 'data', 'stack', 'cause', 'error', 'result', ...Object.keys(v)]);
    for (const k of keys) {
      try {
        // Paths name the first levels; deeper ones only say how deep.
        const sub = depth < 3 ? `${path}.${k}` : `${path.replace(/…\(depth \d+\)$/, '')}…(depth ${depth + 1})`;
        stack.push([v[k], sub, depth + 1]);
      } catch {
        // a throwing getter
      }
    }
  }
  return out;
}

/** The strings of `exposed(root)`. */
const exposedStrings = (root) => exposed(root).map(([, t]) => t);

/** Capture console output while `fn` runs; resolves with [result, lines]. */
async function capturingConsole(fn) {
  const lines = [];
  const saved = {};
  for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
    saved[level] = console[level];
    console[level] = (...args) => {
      lines.push(`${level}: ${args.map((a) => {
        if (a instanceof Error) return `${a.stack}`;
        if (typeof a === 'string') return a;
        return exposedStrings(a).join(' ');
      }).join(' ')}`);
    };
  }
  try {
    return [await fn(), lines];
  } finally {
    Object.assign(console, saved);
  }
}

/** Resolves when `check()` holds (checked every 50 ms), rejects after `ms`. */
async function until(what, check, ms) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The hostile server as a child process (so the test process's memory is the client's
 * alone); resolves with { url, origin, stats(), stop() }. */
function startServerProcess(scenario, options) {
  const child = spawn(process.execPath, [SERVER, scenario, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.on('exit', (code) => reject(new Error(`hostile server exited early (${code})`)));
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\/mcp/);
      if (!m) return;
      child.removeAllListeners('exit');
      resolve({
        url: `${m[1]}/mcp`,
        origin: m[1],
        stats: async () => (await fetch(`${m[1]}/stats`)).json(),
        stop: () => new Promise((r) => {
          if (child.exitCode !== null) return r();
          child.once('exit', r);
          child.kill('SIGTERM');
        }),
      });
    });
  });
}

/** A string with every code unit outside printable ASCII written as \uXXXX (so U+FFFD and
 * a lone surrogate read differently in a failure message). */
const esc = (s) => (typeof s === 'string' ? `"${s.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"` : String(s));
/** Bytes as ASCII, the others as \xHH. */
const rawText = (buf) => [...buf].map((b) => (b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');

/** Fails with one line per problem found (a test collects them all before failing). */
function noProblems(problems) {
  if (problems.length > 0) assert.fail(problems.join('\n'));
}

/** A full garbage collection (for memory samples that count live memory, not garbage V8
 * has not collected yet): `gc` from --expose-gc, else switched on at run time. */
let gc = globalThis.gc;
if (typeof gc !== 'function') {
  v8.setFlagsFromString('--expose-gc');
  gc = vm.runInNewContext('gc');
}

const isTransport = (e) => e instanceof TransportError || e?.name === 'TransportError';
const isProtocol = (e) => e instanceof ProtocolError || e?.name === 'ProtocolError';

// ---------------------------------------------------------------------------------------
// #14 first: it measures wasm memory, in a wasm instance of its own (a second copy of the
// glue, loaded under another URL), so nothing the other tests did is counted.
// ---------------------------------------------------------------------------------------

test('#14 after one large reply, large replies of other sizes reuse the memory instead of growing it', { timeout: 300_000 }, async () => {
  const glue = await import(new URL('mcp_tasks_wasm.js?hostile-memory-test', PKG).href);
  const wasm = glue.initSync({ module: readFileSync(new URL('mcp_tasks_wasm_bg.wasm', PKG)) });
  const Client = glue.McpClient;
  const mem = () => wasm.memory.buffer.byteLength;
  const json = await startHostileServer('large', { sse: false });
  const sse = await startHostileServer('large', { sse: true });
  const cj = await Client.connect(json.url, { listen: false });
  const cs = await Client.connect(sse.url, { listen: false });
  const steps = [];
  const note = (label) => {
    steps.push(`${label}: ${MiB(mem())}`);
    return mem();
  };
  const big = async (c, bytes) => {
    const r = await c.callTool('big', { bytes });
    assert.equal(r.content[0].text.length, bytes, 'the large reply arrived whole');
  };
  const smalls = async (n) => {
    for (let i = 0; i < n; i++) {
      const r = await cj.callTool('echo', { text: 'y'.repeat(i % 5000) });
      assert.equal(r.content[0].text.length, i % 5000);
    }
  };
  try {
    await cj.listAllTools();
    await cs.listAllTools();
    await smalls(200);
    const base = note('after a warm-up');
    // One reply near the 16 MiB cap (12 MB, as SSE: the costlier path).
    await big(cs, 12_000_000);
    const peak = note('after one 12 MB SSE reply');
    // The same again: its blocks are reused.
    await big(cs, 12_000_000);
    const twice = note('after a second 12 MB SSE reply');
    // Many small calls after it.
    await smalls(2000);
    const small = note('after 2,000 small calls');
    // Large replies of other sizes and flavours, none larger than the first.
    for (const [c, bytes, label] of [[cs, 6_000_000, '6 MB SSE'], [cs, 12_000_000, '12 MB SSE'], [cs, 3_000_000, '3 MB SSE'],
      [cj, 12_000_000, '12 MB JSON'], [cs, 9_000_000, '9 MB SSE'], [cs, 12_000_000, '12 MB SSE']]) {
      await big(c, bytes);
      note(`then ${label}`);
    }
    await smalls(2000);
    const end = note('after 2,000 more small calls');
    console.log(`#14 wasm memory: ${steps.join('; ')}`);
    // Memory cannot shrink, so the bound is on growth past the first large reply's peak:
    // blocks freed by one reply must serve the next, whatever its size. 8 MiB of slack.
    const SLACK = 8 * 1048576;
    const problems = [];
    if (twice - peak > SLACK) problems.push(`a second identical large reply grew wasm memory by ${MiB(twice - peak)} (${MiB(peak)} -> ${MiB(twice)})`);
    if (small - peak > SLACK) problems.push(`2,000 small calls grew wasm memory by ${MiB(small - peak)}`);
    if (end - peak > SLACK) problems.push(`large replies of other sizes (each <= the first) grew wasm memory from ${MiB(peak)} to ${MiB(end)} (+${MiB(end - peak)}, bound +${MiB(SLACK)}); the warm-up base was ${MiB(base)}`);
    noProblems(problems);
  } finally {
    await cj.close();
    await cs.close();
    await json.close();
    await sse.close();
  }
});

// ---------------------------------------------------------------------------------------
// #6 Secrets
// ---------------------------------------------------------------------------------------

// 17 characters: V8's JSON.parse quotes a source of at most 20 characters whole in its
// message ("Unexpected token 's', "s3cr3t-…" is not valid JSON").
const TOKEN = 's3cr3t-7f3a9c2e1b';
const API_KEY = 'apikey-0d9e8f7a6b5c4d3e';
const SECRET_HEADERS = { Authorization: `Bearer ${TOKEN}`, 'X-Api-Key': API_KEY };

test('#6 the bearer token appears in no error field and no console line (non-JSON reply, deep error data, bad GET event)', { timeout: 120_000 }, async () => {
  const server = await startHostileServer('secrets', { depth: 20_000 });
  const found = new Set();
  const leaks = (where, pairs) => {
    for (const [path, t] of pairs) {
      const at = Math.max(t.indexOf(TOKEN), t.indexOf(API_KEY));
      if (at >= 0) found.add(`${where}, ${path}: …${t.slice(Math.max(0, at - 70), at + 30)}…`);
    }
  };
  let client;
  try {
    const [, lines] = await capturingConsole(async () => {
      let notified;
      const arrived = new Promise((r) => { notified = r; });
      client = await McpClient.connect(server.url, {
        headers: SECRET_HEADERS,
        requestTimeoutMs: 30_000,
        onNotification: (m) => {
          if (m.method === 'notifications/message') notified();
        },
      });
      // 1. A 200 reply whose body is the token (not JSON).
      const list = await within(client.listTools(), 30_000);
      assert.equal(list.state, 'rejected', `listTools against a non-JSON body: ${show(list)}`);
      assert.ok(isProtocol(list.error), `a ProtocolError: ${show(list)}`);
      leaks('listTools (non-JSON 200 body)', exposed(list.error));
      // 2. A JSON-RPC error whose data nests 20,000 levels deep around the header value.
      const get = await within(client.getTask('any'), 30_000);
      assert.equal(get.state, 'rejected', `getTask against a deep error: ${show(get)}`);
      assert.ok(get.error instanceof McpTasksError, `a typed error: ${show(get)}`);
      leaks('getTask (error data 20,000 levels deep)', exposed(get.error));
      // 3. The token as an event on the GET stream, followed by a good notification.
      const n = await within(arrived, 30_000);
      assert.equal(n.state, 'fulfilled', 'the notification after the bad event arrived');
    });
    leaks('console', lines.map((l) => ['line', l]));
    noProblems([...found].map((f) => `a header value leaked: ${f}`));
  } finally {
    await client?.close();
    await server.close();
  }
});

// ---------------------------------------------------------------------------------------
// #7 Redirects
// ---------------------------------------------------------------------------------------

test('#7 the SDK\'s headers never reach another origin through a redirect', { timeout: 120_000 }, async () => {
  const other = await startHostileServer('plain'); // accepts whatever reaches it
  const servers = [other];
  const clients = [];
  const problems = [];
  const headers = { 'X-Api-Key': API_KEY, Authorization: `Bearer ${TOKEN}` };
  try {
    // a) After the handshake: every request (POST, the GET stream, DELETE) gets 307.
    const a = await startHostileServer('redirect', { location: other.url });
    servers.push(a);
    const c = await McpClient.connect(a.url, { headers, requestTimeoutMs: 20_000 });
    clients.push(c);
    await a.waitFor((r) => r.kind === 'get', 'the GET stream');
    const o = await within(c.listTools(), 30_000);
    if (!(o.state === 'rejected' && isTransport(o.error) && /307/.test(o.error.message))) {
      problems.push(`listTools answered 307 to another origin: ${show(o)} (expected a TransportError naming 307)`);
    }
    await c.close();
    // b) The handshake itself is redirected.
    const b = await startHostileServer('redirect', { location: other.url, handshake: true });
    servers.push(b);
    const conn = await within(McpClient.connect(b.url, { headers, requestTimeoutMs: 20_000 }), 30_000);
    if (conn.state === 'fulfilled') {
      clients.push(conn.value);
      await conn.value.close();
    }
    if (!(conn.state === 'rejected' && isTransport(conn.error) && /307/.test(conn.error.message))) {
      problems.push(`connect answered 307 to another origin: ${show(conn)} (expected a TransportError naming 307)`);
    }
    // c) Same origin (/mcp -> /moved): following it or refusing it cleanly are both fine.
    const s = await startHostileServer('redirect', { location: '/moved' });
    servers.push(s);
    const cs = await McpClient.connect(s.url, { headers, listen: false, requestTimeoutMs: 20_000 });
    clients.push(cs);
    const so = await within(cs.listTools(), 30_000);
    const okSame = (so.state === 'fulfilled' && so.value.tools?.[0]?.name === 'echo') || (so.state === 'rejected' && isTransport(so.error));
    if (!okSame) problems.push(`a same-origin redirect neither worked nor failed cleanly: ${show(so)}`);
    await cs.close();
  } finally {
    for (const c of clients) await c.close();
    // Every client is closed: nothing more can reach the other origin.
    for (const r of other.log) {
      const h = r.headers;
      problems.push(`the other origin received ${r.kind === 'get' ? 'GET' : r.kind === 'delete' ? 'DELETE' : `POST ${r.method}`} with X-Api-Key: ${h['x-api-key'] ?? '(none)'}, Mcp-Session-Id: ${h['mcp-session-id'] ?? '(none)'}, Authorization: ${h.authorization ?? '(none)'}`);
    }
    for (const s of servers) await s.close();
  }
  noProblems(problems);
});

// ---------------------------------------------------------------------------------------
// #8 Retry-After on a poll
// ---------------------------------------------------------------------------------------

test('#8 Retry-After: 99999999 on a tasks/get poll is capped (or fails the handle clearly)', { timeout: 60_000 }, async () => {
  const server = await startHostileServer('retry-after-poll', { retryAfter: '99999999' });
  const client = await McpClient.connect(server.url, { listen: false });
  try {
    const h = await client.callToolAsTask('slow', {}, { minPollIntervalMs: 50, maxPollIntervalMs: 500, pollIntervalMs: 100 });
    await server.waitFor((r) => r.method === 'tasks/get', 'the first poll');
    // Either the poll is retried soon (the wait capped) and the task completes, or the
    // handle rejects with an error that names Retry-After. 10 s, either way.
    const o = await within(h.result(), 10_000);
    const polls = server.count((r) => r.method === 'tasks/get');
    const capped = o.state === 'fulfilled' && o.value?.content?.[0]?.text === 'done' && polls >= 2;
    const refused = o.state === 'rejected' && /retry-after/i.test(`${o.error?.message}`);
    assert.ok(capped || refused, `result() ${show(o)}; handle status ${h.status}, ${polls} tasks/get at the server (the second never came)`);
  } finally {
    await client.close();
    await server.close();
  }
});

// ---------------------------------------------------------------------------------------
// #9 A plain callTool takes { signal, timeoutMs }
// ---------------------------------------------------------------------------------------

test('#9 callTool(name, args, { signal, timeoutMs }) gives up on a server that never answers', { timeout: 60_000 }, async () => {
  const server = await startHostileServer('hang');
  const client = await McpClient.connect(server.url, { listen: false });
  const problems = [];
  try {
    const ac = new AbortController();
    const aborted = client.callTool('hang', { which: 'abort' }, { signal: ac.signal });
    const timed = client.callTool('hang', { which: 'timeout' }, { timeoutMs: 300 });
    aborted.catch(() => {});
    timed.catch(() => {});
    const call = (which) => (r) => r.kind === 'post' && r.method === 'tools/call' && r.params?.arguments?.which === which;
    const sent = await server.waitFor(call('abort'), 'the tools/call to abort');
    ac.abort();
    const [a, t] = await Promise.all([within(aborted, 10_000), within(timed, 10_000)]);
    if (!(a.state === 'rejected' && a.error?.name === 'AbortError' && a.error instanceof DOMException)) {
      problems.push(`abort: callTool ${show(a)} (expected a DOMException named AbortError)`);
    } else {
      // The request itself was cancelled: the server sees its connection close.
      const closed = await within(server.waitFor((r) => r.kind === 'closed' && r.id === sent.id, 'the aborted call to close', 10_000), 11_000);
      if (closed.state !== 'fulfilled') problems.push('abort: the server never saw the aborted tools/call close');
    }
    if (!(t.state === 'rejected' && isTransport(t.error) && /timed out/i.test(t.error.message))) {
      problems.push(`timeoutMs 300: callTool ${show(t)} (expected a TransportError "timed out")`);
    }
  } finally {
    await client.close();
    await server.close();
  }
  noProblems(problems);
});

// ---------------------------------------------------------------------------------------
// #11 retry: 0
// ---------------------------------------------------------------------------------------

test('#11 a GET stream that says retry: 0 and closes does not make the client reconnect in a loop', { timeout: 120_000 }, async () => {
  const problems = [];
  // a) retry: 0: over 3 s from the first GET, few reconnects.
  {
    const server = await startHostileServer('retry0', { retry: 0 });
    const client = await McpClient.connect(server.url, {});
    try {
      const first = await server.waitFor((r) => r.kind === 'get', 'the first GET');
      // A measuring window, not a synchronisation.
      await new Promise((r) => setTimeout(r, 3_000 - (Date.now() - first.at)));
      const gets = server.count((r) => r.kind === 'get' && r.at < first.at + 3_000);
      console.log(`#11 retry: 0 -> ${gets} GET requests in the 3 s after the first`);
      if (gets >= 30) problems.push(`retry: 0 -> ${gets} GET requests within 3 s (bound: < 30)`);
    } finally {
      await client.close();
      await server.close();
    }
  }
  // b) retry: 600: never earlier than the server asked.
  {
    const server = await startHostileServer('retry0', { retry: 600 });
    const client = await McpClient.connect(server.url, {});
    try {
      await server.waitFor((r) => r.kind === 'get' && server.count((g) => g.kind === 'get') >= 3, 'three GETs', 60_000);
      const gets = server.log.filter((r) => r.kind === 'get');
      console.log(`#11 retry: 600 -> reconnects ${gets.slice(1).map((g, i) => `${g.at - gets[i].endedAt} ms`).join(', ')} after the stream ended`);
      for (let i = 1; i < gets.length; i++) {
        const gap = gets[i].at - gets[i - 1].endedAt;
        if (gap < 595) problems.push(`retry: 600 -> GET ${i + 1} came ${gap} ms after the stream ended`);
      }
    } finally {
      await client.close();
      await server.close();
    }
  }
  noProblems(problems);
});

// ---------------------------------------------------------------------------------------
// #12 Cursor loops
// ---------------------------------------------------------------------------------------

test('#12 listAllTools rejects a repeated nextCursor after at most 2 tools/list requests', { timeout: 120_000 }, async () => {
  const server = await startHostileServer('cursor-loop');
  const client = await McpClient.connect(server.url, { listen: false });
  try {
    const o = await within(client.listAllTools(), 60_000);
    const n = server.count((r) => r.method === 'tools/list');
    assert.ok(o.state === 'rejected' && isProtocol(o.error), `listAllTools ${show(o)} (expected a ProtocolError)`);
    assert.ok(n <= 2, `${n} tools/list requests for one repeated cursor (bound: 2); listAllTools ${show(o)}`);
  } finally {
    await client.close();
    await server.close();
  }
});

// ---------------------------------------------------------------------------------------
// #13 Task ids with lone surrogates
// ---------------------------------------------------------------------------------------

test('#13 a task id with a lone surrogate is sent back exactly as issued (or refused), never altered', { timeout: 60_000 }, async () => {
  const ISSUED = 'task-\ud800-1';
  const server = await startHostileServer('surrogate-task', { taskId: ISSUED });
  const client = await McpClient.connect(server.url, { listen: false });
  const problems = [];
  try {
    const created = await within(client.callToolAsTask('slow', {}, { minPollIntervalMs: 20, pollIntervalMs: 50 }), 20_000);
    let outcome = created;
    if (created.state === 'fulfilled') {
      const h = created.value;
      if (h.taskId !== ISSUED) problems.push(`handle.taskId is ${esc(h.taskId)}, the server issued ${esc(ISSUED)}`);
      outcome = await within(h.result(), 20_000);
    }
    const ok = (outcome.state === 'fulfilled' && outcome.value?.content?.[0]?.text === 'done') || (outcome.state === 'rejected' && isProtocol(outcome.error));
    if (!ok) problems.push(`the task ${show(outcome)} (expected the result "done" or a ProtocolError)`);
    for (const r of server.log.filter((x) => x.method === 'tasks/get' || x.method === 'tasks/result' || x.method === 'tasks/cancel')) {
      const raw = rawText(r.raw);
      const sent = raw.match(/"taskId":"[^"]*"/)?.[0];
      if (r.params?.taskId !== ISSUED) {
        problems.push(`the server received ${r.method} for a task id it never issued: ${esc(r.params?.taskId)} (raw body: ${sent})`);
      } else if (!/"taskId":"task-\\ud800-1"/i.test(raw)) {
        problems.push(`${r.method}: the id is not the JSON escape \\ud800 in the raw body: ${sent}`);
      }
    }
  } finally {
    await client.close();
    await server.close();
  }
  noProblems(problems);
});

// ---------------------------------------------------------------------------------------
// #15 Refused calls are retried
// ---------------------------------------------------------------------------------------

test('#15 a 429 (Retry-After: 1) on tools/list and a 503 on tools/call are retried; callTool resolves', { timeout: 60_000 }, async () => {
  const server = await startHostileServer('refuse');
  const client = await McpClient.connect(server.url, { listen: false });
  try {
    const o = await within(client.callTool('echo', { text: 'hi' }), 30_000);
    const lists = server.log.filter((r) => r.method === 'tools/list');
    const calls = server.log.filter((r) => r.method === 'tools/call');
    assert.ok(o.state === 'fulfilled' && o.value?.content?.[0]?.text === 'hi', `callTool ${show(o)}; the server saw ${lists.length} tools/list and ${calls.length} tools/call`);
    const gap = lists.length >= 2 ? lists[1].at - lists[0].answeredAt : NaN;
    assert.ok(gap >= 995, `tools/list retried ${gap} ms after the 429 (Retry-After: 1)`);
    assert.equal(calls.length, 2, 'tools/call sent again once after the 503');
  } finally {
    await client.close();
    await server.close();
  }
});

test('#15 a connection reset on tools/call is retried only with retryUnsafeRequests: true', { timeout: 60_000 }, async () => {
  const problems = [];
  for (const retryUnsafeRequests of [undefined, true]) {
    const server = await startHostileServer('refuse', { resetFirstCall: true });
    const opts = { listen: false, ...(retryUnsafeRequests ? { retryUnsafeRequests } : {}) };
    const client = await McpClient.connect(server.url, opts);
    try {
      const o = await within(client.callTool('echo', { text: 'hi' }), 30_000);
      const calls = server.count((r) => r.method === 'tools/call');
      if (retryUnsafeRequests) {
        if (!(o.state === 'fulfilled' && o.value?.content?.[0]?.text === 'hi' && calls === 2)) {
          problems.push(`retryUnsafeRequests: true: callTool ${show(o)}; ${calls} tools/call at the server (expected the result "hi" after 2)`);
        }
      } else if (!(o.state === 'rejected' && isTransport(o.error) && o.error.status === 0 && calls === 1)) {
        problems.push(`default: callTool ${show(o)}; ${calls} tools/call at the server (expected a TransportError status 0 after exactly 1)`);
      }
    } finally {
      await client.close();
      await server.close();
    }
  }
  noProblems(problems);
});

// ---------------------------------------------------------------------------------------
// #16 A resumed request stream starts a fresh parse
// ---------------------------------------------------------------------------------------

test('#16 a request stream cut mid-line or mid-event is resumed with a fresh parse (only Last-Event-ID carries over)', { timeout: 60_000 }, async () => {
  // A fake server in the fetch: initialize (JSON), then tools/list answered on a stream
  // that ends after a priming event and part of another; the GET with Last-Event-ID
  // carries the reply. The SSE standard ends a connection's pending line and event with
  // it: nothing of the cut stream may leak into the resumed one.
  const problems = [];
  const cuts = {
    'half a line': 'data: {"jsonrpc":"2.0","method":"notifications/mess',
    'half an event': 'data: {"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"x"}}\n',
  };
  for (const [what, cut] of Object.entries(cuts)) {
    const gets = [];
    let listId;
    const sse = (text) => new Response(text, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    const fetch = async (_url, init = {}) => {
      const headers = new Headers(init.headers);
      if ((init.method ?? 'GET') === 'GET') {
        gets.push(headers.get('last-event-id'));
        if (listId === undefined) return new Response(null, { status: 405 });
        return sse(`id: e2\ndata: {"jsonrpc":"2.0","id":${listId},"result":{"tools":[{"name":"t","inputSchema":{"type":"object"}}]}}\n\n`);
      }
      const msg = JSON.parse(init.body);
      if (msg.method === 'initialize') {
        const result = { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 'cut', version: '1' } };
        return new Response(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }), {
          status: 200,
          headers: { 'content-type': 'application/json', 'mcp-session-id': 's1' },
        });
      }
      if (msg.id === undefined) return new Response(null, { status: 202 });
      listId = msg.id;
      return sse(`id: e1\nretry: 10\ndata: \n\n${cut}`);
    };
    const client = await McpClient.connect('http://cut.invalid/mcp', { fetch, listen: false, protocolVersion: '2025-11-25' });
    try {
      const o = await within(client.listTools(), 20_000);
      if (!(o.state === 'fulfilled' && o.value?.tools?.[0]?.name === 't' && gets.length === 1 && gets[0] === 'e1')) {
        problems.push(`${what}: listTools ${show(o)}; GETs with Last-Event-ID ${JSON.stringify(gets)} (expected the tools after one GET with e1)`);
      }
    } finally {
      await client.close();
    }
  }
  noProblems(problems);
});

// ---------------------------------------------------------------------------------------
// #10 Server-to-client request flood (last: it measures the process's memory)
// ---------------------------------------------------------------------------------------

test('#10 20,000 pings on the GET stream: at most maxConcurrentRequests answers in flight, bounded memory, client still works', { timeout: 300_000 }, async () => {
  const PINGS = 20_000;
  const LIMIT = 4;
  const server = await startServerProcess('flood', { pings: PINGS, limit: LIMIT, quietMs: 300 });
  // The client's answers in flight, seen from its side: a fetch that counts POSTs of a
  // response (no `method`) from the call until the response headers are in.
  let inFlight = 0;
  let maxInFlight = 0;
  const countingFetch = async (url, init) => {
    const body = typeof init?.body === 'string' ? init.body : '';
    if (!body.includes('"ping-') || body.includes('"method"')) return fetch(url, init);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      return await fetch(url, init);
    } finally {
      inFlight--;
    }
  };
  let client;
  let sampler;
  try {
    const [problems, lines] = await capturingConsole(async () => {
      // rss, sampled every 250 ms right after a full GC: what the process holds, not the
      // garbage of 20,000 requests V8 has not collected yet (that alone varies by 150 MB).
      // Reading rss opens /proc/self/statm: a client with thousands of sockets open can
      // make that fail (EMFILE); the process's peak rss from getrusage (no descriptor)
      // stands in then.
      let unreadable = 0;
      const rss = () => {
        try {
          return process.memoryUsage.rss();
        } catch {
          unreadable++;
          return process.resourceUsage().maxRSS * 1024;
        }
      };
      gc();
      const rss0 = rss();
      let peak = rss0;
      sampler = setInterval(() => {
        gc();
        peak = Math.max(peak, rss());
      }, 250);
      const t0 = Date.now();
      client = await McpClient.connect(server.url, { maxConcurrentRequests: LIMIT, requestTimeoutMs: 60_000, fetch: countingFetch });
      // Until every ping is answered, or no answer came for 2 s (a client may drop some).
      let last = -1;
      let lastChange = Date.now();
      let stats;
      let statsErrors = 0;
      await until('the flood to be answered or to stop', async () => {
        try {
          stats = await server.stats();
        } catch {
          statsErrors++; // EMFILE too, with a client that opens a socket per answer
          return false;
        }
        peak = Math.max(peak, rss());
        if (stats.answers !== last) {
          last = stats.answers;
          lastChange = Date.now();
        }
        return stats.answers >= PINGS || (stats.pingsSent > 0 && Date.now() - lastChange > 2_000);
      }, 200_000);
      const floodMs = Date.now() - t0;
      const after = await within(client.listTools(), 30_000);
      peak = Math.max(peak, rss());
      clearInterval(sampler);
      const growth = peak - rss0;
      const out = [];
      out.push(`${stats.answers} of ${PINGS} pings answered (${stats.answerErrors} errors) in ${floodMs} ms; at most ${maxInFlight} answers in flight at once (client side), ${stats.maxOpen} open at the server; rss ${MiB(rss0)} -> peak ${MiB(peak)} (+${MiB(growth)}); listTools afterwards ${show(after)}${unreadable + statsErrors ? `; ${unreadable} rss samples and ${statsErrors} stats requests failed (too many open files)` : ''}`);
      const p = [];
      if (maxInFlight > LIMIT) p.push(`${maxInFlight} answers in flight at once (maxConcurrentRequests: ${LIMIT})`);
      if (stats.maxOpen > LIMIT) p.push(`${stats.maxOpen} answers open at once at the server (maxConcurrentRequests: ${LIMIT})`);
      if (growth >= 200 * 1048576) p.push(`rss grew by ${MiB(growth)} (bound 200 MiB)`);
      if (!(after.state === 'fulfilled' && after.value?.tools?.[0]?.name === 'echo')) p.push(`listTools after the flood ${show(after)}`);
      return [out, p];
    });
    const [report, p] = problems;
    console.log(`#10 ${report.join('; ')}; ${lines.length} console lines during the flood${lines.length ? ` (first: ${lines[0].slice(0, 120)})` : ''}`);
    noProblems(p);
  } finally {
    clearInterval(sampler);
    await client?.close();
    await server.stop();
  }
});
