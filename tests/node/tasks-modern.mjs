// The 2026-07-28 tasks extension (io.modelcontextprotocol/tasks) from Node, through the built
// package (pkg/node.js), against the modern reference server (tests/server/modern.mjs) and,
// for what that server cannot be made to do, small in-test mocks. Run by
// `make test-node-tasks-modern`: tests/with-servers.sh sets MCP_TEST_MODERN (dual era) and
// MCP_TEST_MODERN_ONLY (--modern-only); this file also starts its own modern.mjs servers for
// the tests that read the server's global counters (/admin/stats) or need other flags
// (--no-listen, --poll-interval).
//
// Written before the extension is implemented (failing first): see the commit message for
// how each test fails against a client that does not declare the extension yet.
//
// What the client is expected to do in this era (the contract these tests pin down):
// - declare `_meta["io.modelcontextprotocol/clientCapabilities"].extensions
//   ["io.modelcontextprotocol/tasks"] = {}` on tools/call, tasks/get, tasks/update,
//   tasks/cancel and subscriptions/listen;
// - turn a flat CreateTaskResult (`resultType: "task"`) into a real TaskHandle (`isLocal`
//   false); a plain `callTool` follows such a task to its end;
// - send `Mcp-Name: <taskId>` on tasks/get|update|cancel; never send tasks/result or
//   tasks/list;
// - follow tasks through one `subscriptions/listen` stream per client
//   (`notifications.taskIds`), falling back to polling `tasks/get` when the server has no
//   listen; a task finished by a `notifications/tasks` needs no further tasks/get;
// - answer `inputRequests` (each key once) through `onElicitation(params, {relatedTaskId})`
//   and `tasks/update {inputResponses}`; an input kind it did not declare fails the handle
//   with a ProtocolError and cancels the task.
//
// The wire is observed through the `fetch` option (a recording wrapper around the real
// fetch that also taps SSE responses message by message), so assertions on headers, `_meta`
// and timing are about what the client really sent and received. No sleep is used as
// synchronisation: waits are on promises, recorded events or polled conditions with a
// deadline; the two deliberate observation windows (to see that something does NOT happen)
// say so where they are.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnServer } from '../server/spawn.mjs';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { recorder } from './recorder.mjs';
import {
  McpClient, TaskHandle, McpError, McpTasksError, ProtocolError, TaskFailedError,
  TaskCancelledError, TaskExpiredError, TaskNotFoundError,
} from '../../pkg/node.js';

const MODERN = process.env.MCP_TEST_MODERN;
const MODERN_ONLY = process.env.MCP_TEST_MODERN_ONLY;
assert.ok(MODERN && MODERN_ONLY, 'run through tests/with-servers.sh (make test-node-tasks-modern)');

const V2026 = '2026-07-28';
const META_VERSION = 'io.modelcontextprotocol/protocolVersion';
const META_CAPS = 'io.modelcontextprotocol/clientCapabilities';
const META_CLIENT = 'io.modelcontextprotocol/clientInfo';
const META_SUBSCRIPTION = 'io.modelcontextprotocol/subscriptionId';
const TASKS_EXT = 'io.modelcontextprotocol/tasks';
const TASK_METHODS = ['tasks/get', 'tasks/update', 'tasks/cancel'];
const TERMINAL = ['completed', 'failed', 'cancelled'];
const clientInfo = { name: 'node-tasks-modern', version: '0.0.1' };
const T = { timeout: 90_000 };
// Every connect in this file: a hang shows up as a timeout of the request, not of the test.
const BASE = { clientInfo, requestTimeoutMs: 15_000 };
// The deadline of one awaited step (a result, a server state): generous, the CPU is shared.
const STEP = 30_000;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const text = (result) => result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
const base = (url) => url.replace(/\/mcp$/, '');
const describe = (e) => (e instanceof Error ? `${e.name}: ${e.message}` : JSON.stringify(e));

/** `promise`, or a rejection naming `label` after `ms`. */
function within(promise, label, ms = STEP) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${label}`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** `promise` expected to resolve: a rejection or a timeout fails with `label` and the cause. */
function must(promise, label, ms = STEP) {
  return within(promise, label, ms).catch((e) => {
    throw new Error(`${label} failed: ${describe(e)}`, { cause: e });
  });
}

/** callToolAsTask expected to give a handle (bounded: a plain call of `forever` never answers). */
const asTask = (c, name, args, options, ms = 15_000) =>
  must(c.callToolAsTask(name, args, options), `callToolAsTask('${name}')`, ms);

/** Polls `fn()` until it returns a truthy value (returned), with a deadline. */
async function until(fn, label, ms = STEP, every = 25) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${label}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** What a promise settled with: { ok: true, value } or { ok: false, error }. */
const settle = (p) => p.then((value) => ({ ok: true, value }), (error) => ({ ok: false, error }));

/** A deliberate observation window (to see that something does NOT happen), not a sync. */
const observe = (ms) => new Promise((r) => setTimeout(r, ms));

async function stats(url) {
  return (await fetch(`${base(url)}/admin/stats`)).json();
}
async function resetStats(url) {
  await fetch(`${base(url)}/admin/reset`, { method: 'POST' });
}
const count = (s, method) => s.requests.byMethod[method] ?? 0;


/** The most listen streams the client had open at once (from the recorded open/close times). */
function maxOpenListens(rec) {
  const points = [];
  for (const e of rec.listens()) {
    points.push([e.t, 1]);
    if (e.closedAt !== undefined) points.push([e.closedAt, -1]);
  }
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  for (const [, d] of points) {
    open += d;
    max = Math.max(max, open);
  }
  return max;
}

const hasTasksCap = (r) => isObject(r.body?.params?._meta?.[META_CAPS]?.extensions?.[TASKS_EXT]);

/**
 * The extension's wire obligations on every recorded request, and the base 2026-07-28 ones
 * (POST only, no session, MCP-Protocol-Version / Mcp-Method / _meta on every request).
 */
function assertTasksWire(rec, { onElicitation = false } = {}) {
  assert.ok(rec.requests.length > 0, 'nothing was sent');
  for (const r of rec.requests) {
    const method = r.body?.method;
    const what = `${r.method} ${method ?? ''}`;
    assert.equal(r.method, 'POST', `${what}: the modern era is POST only`);
    assert.equal(r.headers['mcp-session-id'], undefined, `${what}: no Mcp-Session-Id in this era`);
    assert.equal(r.headers['mcp-protocol-version'], V2026, `${what}: MCP-Protocol-Version`);
    assert.equal(r.headers['mcp-method'], method, `${what}: Mcp-Method equals the body's method`);
    assert.notEqual(method, 'tasks/result', 'tasks/result is gone in this era: never sent');
    assert.notEqual(method, 'tasks/list', 'tasks/list is gone in this era: never sent');
    if (r.body?.id === undefined) continue;
    const meta = r.body.params?._meta;
    assert.ok(isObject(meta), `${what}: params._meta`);
    assert.equal(meta[META_VERSION], V2026, `${what}: _meta protocolVersion`);
    assert.deepEqual(meta[META_CLIENT], clientInfo, `${what}: _meta clientInfo`);
    const caps = meta[META_CAPS];
    assert.ok(isObject(caps), `${what}: _meta clientCapabilities`);
    if (onElicitation) assert.deepEqual(caps.elicitation, { form: {} }, `${what}: elicitation {form: {}} with onElicitation`);
    else assert.equal(caps.elicitation, undefined, `${what}: no elicitation capability without onElicitation`);
    if (['tools/call', 'subscriptions/listen', ...TASK_METHODS].includes(method)) {
      assert.deepEqual(caps.extensions?.[TASKS_EXT], {}, `${what}: clientCapabilities.extensions["${TASKS_EXT}"] = {} declared`);
    }
    if (method === 'tools/call') assert.equal(r.headers['mcp-name'], r.body.params.name, `${what}: Mcp-Name is the tool name`);
    if (TASK_METHODS.includes(method)) {
      assert.equal(typeof r.body.params.taskId, 'string', `${what}: params.taskId`);
      assert.equal(r.headers['mcp-name'], r.body.params.taskId, `${what}: Mcp-Name is the taskId`);
    }
    if (method === 'subscriptions/listen') {
      const ids = r.body.params?.notifications?.taskIds;
      assert.ok(Array.isArray(ids) && ids.every((id) => typeof id === 'string'), `${what}: notifications.taskIds is an array of task ids`);
    }
  }
}

/** Clients opened by a test: closed after it, whatever happened. */
const open = new Set();
afterEach(async () => {
  await Promise.allSettled([...open].map((c) => c.close()));
  open.clear();
});

/** Connects, tracks the client for cleanup, and asserts the modern era was picked. */
async function connectModern(url, options = {}) {
  const c = await McpClient.connect(url, { ...BASE, ...options });
  open.add(c);
  assert.equal(c.protocolVersion, V2026, `${url}: connected in the ${c.protocolVersion} era`);
  return c;
}

/** Asserts a handle is a real task of the server (not run as a plain call). */
function assertRemote(h, what) {
  assert.equal(h.isLocal, false, `${what}: a real task (isLocal false); the server answers a task when the extension is declared`);
  assert.ok(!h.taskId.startsWith('local-'), `${what}: the server's task id, not a local one (${h.taskId})`);
}

/** Asserts a Task snapshot keeps the 2025 field names. */
function assertSnapshot(task, h, what) {
  assert.ok(isObject(task), `${what}: a Task snapshot`);
  assert.equal(task.taskId, h.taskId, `${what}: taskId`);
  assert.ok(['working', 'input_required', ...TERMINAL].includes(task.status), `${what}: status ${task.status}`);
  assert.ok(typeof task.createdAt === 'string' && !Number.isNaN(Date.parse(task.createdAt)), `${what}: createdAt ${task.createdAt}`);
  assert.ok(typeof task.lastUpdatedAt === 'string' && !Number.isNaN(Date.parse(task.lastUpdatedAt)), `${what}: lastUpdatedAt ${task.lastUpdatedAt}`);
  if (task.statusMessage !== undefined) assert.equal(typeof task.statusMessage, 'string', `${what}: statusMessage`);
}


/** tests/server/modern.mjs with `args` on a free port: { url, stop }. */
const startModern = (args) => spawnServer('./modern.mjs', args);

// Servers of this file: counters are global to a server, so the tests that read them get
// one of their own.
const LISTEN_POLL_MS = 3000;
let listenServer; // default flags, --poll-interval 3000: a poll is never due before a short task ends
let noListenServer; // --no-listen --poll-interval 100: polling only
before(async () => {
  [listenServer, noListenServer] = await Promise.all([
    startModern(['--poll-interval', String(LISTEN_POLL_MS)]),
    startModern(['--no-listen', '--poll-interval', '100']),
  ]);
});
after(async () => {
  await Promise.allSettled([listenServer?.stop(), noListenServer?.stop()]);
});

// ---------------------------------------------------------------------------
// A mock 2026-07-28 tasks server, for input kinds the reference server never asks for
// ---------------------------------------------------------------------------

const complete = (result) => ({ result: { resultType: 'complete', ...result } });

/**
 * A minimal modern-only server (node:http, JSON answers) with the tasks extension. It checks
 * what the reference server checks (MCP-Protocol-Version, Mcp-Method, Mcp-Name = taskId on
 * tasks/*, the extension declared on tasks/*: else -32020 / -32021) and answers
 * subscriptions/listen 404 -32601, so the client polls. `onCall(params)` answers
 * tools/call; `onGet(params, n)` answers the n-th tasks/get (from 1); tasks/update and
 * tasks/cancel are recorded and acked; `onListen(message, res, n)`, when given, serves the
 * n-th subscriptions/listen itself. `seen`: every message, in order, with its headers.
 */
async function taskMock({ tools, onCall, onGet, onUpdate = () => {}, onCancel = () => {}, onListen }) {
  const seen = [];
  let gets = 0;
  let listens = 0;
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    let message;
    try { message = raw ? JSON.parse(raw) : undefined; } catch { message = undefined; }
    seen.push({ headers: req.headers, message });
    const reply = (status, body) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: message.id, ...body }));
    if (req.method !== 'POST') return res.writeHead(405, { Allow: 'POST' }).end();
    if (!isObject(message) || message.id === undefined) return res.writeHead(202).end();
    const params = message.params ?? {};
    if (message.method === 'initialize') return reply(400, { error: { code: -32022, message: 'Unsupported protocol version', data: { supported: [V2026], requested: params.protocolVersion } } });
    if (req.headers['mcp-protocol-version'] !== V2026 || req.headers['mcp-method'] !== message.method) {
      return reply(400, { error: { code: -32020, message: 'header mismatch' } });
    }
    if (TASK_METHODS.includes(message.method)) {
      if (req.headers['mcp-name'] !== params.taskId) return reply(400, { error: { code: -32020, message: `Mcp-Name ${req.headers['mcp-name']} is not the taskId` } });
      if (!isObject(params._meta?.[META_CAPS]?.extensions?.[TASKS_EXT])) {
        return reply(400, { error: { code: -32021, message: 'Missing required client capability', data: { requiredCapabilities: { extensions: { [TASKS_EXT]: {} } } } } });
      }
    }
    let out;
    switch (message.method) {
      case 'server/discover':
        out = complete({ supportedVersions: [V2026], capabilities: { tools: {}, extensions: { [TASKS_EXT]: {} } }, ttlMs: 0, cacheScope: 'private', _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'tasks-mock', version: '0.0.1' } } });
        break;
      case 'tools/list':
        out = complete({ tools, ttlMs: 0, cacheScope: 'private' });
        break;
      case 'tools/call':
        out = onCall(params);
        break;
      case 'tasks/get':
        out = onGet(params, ++gets);
        break;
      case 'tasks/update':
        onUpdate(params);
        out = complete({});
        break;
      case 'tasks/cancel':
        onCancel(params);
        out = complete({});
        break;
      case 'subscriptions/listen':
        // onListen(message, res, n) owns the response (an SSE stream) when given.
        if (onListen) return onListen(message, res, ++listens);
        return reply(404, { error: { code: -32601, message: 'Method not found' } });
      default:
        return reply(404, { error: { code: -32601, message: 'Method not found' } });
    }
    return reply(out.status ?? 200, out.error ? { error: out.error } : { result: out.result });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/mcp`,
    seen,
    of: (method) => seen.filter((s) => s.message?.method === method),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

const noArgs = { type: 'object', properties: {} };
const now = () => new Date().toISOString();
/** A task record of the mock, with the DetailedTask of its current state. */
function mockTask(taskId) {
  const t = { taskId, status: 'working', createdAt: now(), lastUpdatedAt: now(), ttlMs: 60_000, pollIntervalMs: 50 };
  return {
    state: t,
    created: () => ({ result: { resultType: 'task', ...t } }),
    detailed: (extra = {}) => complete({ ...t, ...extra }),
    set(changes) { Object.assign(t, changes, { lastUpdatedAt: now() }); },
  };
}
const elicitForm = (message, properties) => ({
  method: 'elicitation/create',
  params: { mode: 'form', message, requestedSchema: { type: 'object', properties, required: Object.keys(properties) } },
});

// ---------------------------------------------------------------------------
// The tools of the reference server's task set
// ---------------------------------------------------------------------------

test('sleep: a real task on the dual and the modern-only server; snapshots, onStatus and updates() in order', T, async () => {
  for (const url of [MODERN, MODERN_ONLY]) {
    const rec = recorder();
    const c = await connectModern(url, { fetch: rec.fetch });
    const statuses = [];
    const h = await asTask(c, 'sleep', { ms: 400, text: 'slept', statusMessage: 'sleeping', pollIntervalMs: 100 }, {
      onStatus: (t) => statuses.push(t),
    });
    assertRemote(h, `${url}: sleep`);
    assertSnapshot(h.task, h, 'the first snapshot');
    assert.equal(h.status, 'working');
    assert.equal(h.task.statusMessage, 'sleeping', 'the CreateTaskResult statusMessage');
    assert.equal(h.isDone, false);
    const created = await rec.of('tools/call')[0].response;
    assert.equal(created?.result?.resultType, 'task', 'the server answered a CreateTaskResult');
    assert.equal(h.taskId, created.result.taskId, 'the handle carries the server task id');
    const seen = [];
    for await (const t of h.updates()) seen.push(t);
    const result = await must(h.result(), 'sleep result');
    assert.equal(text(result), 'slept');
    assert.ok(result.taskId === undefined && result.status === undefined, 'the result is the CallToolResult, not the DetailedTask');
    assert.equal(h.result(), h.result(), 'result() is memoized');
    assert.equal(h.status, 'completed');
    assert.equal(h.isDone, true);
    for (const t of [...statuses, ...seen]) assertSnapshot(t, h, 'a snapshot');
    assert.deepEqual(statuses.map((t) => t.status), ['working', 'completed'], 'onStatus: working then completed, each once');
    assert.deepEqual(seen.map((t) => t.status), ['working', 'completed'], 'updates(): working then completed');
    assert.equal(statuses[0].statusMessage, 'sleeping');
    assert.ok(statuses.every((t, i) => i === 0 || Date.parse(t.lastUpdatedAt) >= Date.parse(statuses[i - 1].lastUpdatedAt)), 'snapshots in order');
    await c.close();
    assertTasksWire(rec);
  }
});

test('progress: statusMessage "step i/N" seen in order, each once, by onStatus and updates(); onProgress stays silent', T, async () => {
  const rec = recorder();
  const c = await connectModern(MODERN, { fetch: rec.fetch });
  const viaStatus = [];
  const progress = [];
  // 400 ms per step, and the listen stream carries every change: every step is seen, the
  // last one too (the tool completes the moment it sets "step 4/4": polling alone would
  // miss that one; see the --no-listen test).
  const h = await asTask(c, 'progress', { steps: 4, ms: 400, pollIntervalMs: 100 }, {
    onStatus: (t) => viaStatus.push(t),
  });
  assertRemote(h, 'progress');
  h.onProgress((p) => progress.push(p));
  const viaUpdates = [];
  for await (const t of h.updates()) viaUpdates.push(t);
  const result = await must(h.result(), 'progress result');
  assert.equal(text(result), 'progress done: 4 steps');
  const steps = ['step 1/4', 'step 2/4', 'step 3/4', 'step 4/4'];
  for (const [name, list] of [['onStatus', viaStatus], ['updates()', viaUpdates]]) {
    const messages = list.map((t) => t.statusMessage).filter((m) => m !== undefined);
    assert.deepEqual(messages, steps, `${name}: every step, in order, each once (got ${JSON.stringify(messages)})`);
    assert.equal(list.at(-1).status, 'completed', `${name}: ends completed`);
    assert.ok(list.slice(0, -1).every((t) => t.status === 'working'), `${name}: working until the end`);
  }
  assert.deepEqual(viaUpdates.map((t) => [t.status, t.statusMessage]), viaStatus.map((t) => [t.status, t.statusMessage]), 'onStatus and updates() see the same changes');
  assert.deepEqual(progress, [], 'no notifications/progress for tasks in this era');
  assert.equal(h.progress, undefined);
  await c.close();
  assertTasksWire(rec);
});

test('fail: a tool result with isError is a completed task; result() resolves with it', T, async () => {
  const c = await connectModern(MODERN);
  const statuses = [];
  const h = await asTask(c, 'fail', { message: 'nope', ms: 100, pollIntervalMs: 100 }, { onStatus: (t) => statuses.push(t.status) });
  assertRemote(h, 'fail');
  const result = await must(h.result(), 'fail result');
  assert.equal(result.isError, true);
  assert.equal(text(result), 'nope');
  assert.equal(h.status, 'completed');
  assert.equal(statuses.at(-1), 'completed');
  assert.ok(!statuses.includes('failed'), 'never failed');
  // The plain callTool follows the task the same way.
  const plain = await must(c.callTool('fail', { message: 'plain nope', ms: 50 }), 'callTool fail');
  assert.equal(plain.isError, true);
  assert.equal(text(plain), 'plain nope');
});

test('crash: a failed task rejects TaskFailedError carrying the JSON-RPC error', T, async () => {
  const c = await connectModern(MODERN);
  const h = await asTask(c, 'crash', { message: 'kaput', code: -32050, ms: 100, pollIntervalMs: 100 });
  assertRemote(h, 'crash');
  const e = await within(h.result().then(() => assert.fail('crash resolved'), (x) => x), 'crash result');
  assert.ok(e instanceof TaskFailedError, `expected TaskFailedError, got ${describe(e)}`);
  assert.ok(e instanceof McpTasksError);
  assert.equal(e.name, 'TaskFailedError');
  assert.equal(e.code, 'ERR_TASK_FAILED');
  assert.equal(e.taskId, h.taskId);
  assert.equal(e.task.status, 'failed');
  assert.equal(e.task.statusMessage, 'Tool execution failed: kaput');
  assert.ok(e.error instanceof McpError, `error is an McpError: ${describe(e.error)}`);
  assert.equal(e.error.code, -32050);
  assert.equal(e.error.message.includes('kaput'), true, e.error.message);
  assert.equal(e.result, undefined, 'a failed task has an error, not a result');
  assert.equal(h.status, 'failed');
  assert.equal(await h.result().catch((x) => x), e, 'result() settles once');
  // callTool: the same JSON-RPC error, as an McpError or inside a TaskFailedError.
  const p = await within(c.callTool('crash', { message: 'plain kaput', code: -32051, ms: 50 }).then(() => assert.fail('crash resolved'), (x) => x), 'callTool crash');
  assert.ok(p instanceof McpTasksError, describe(p));
  assert.equal(p instanceof TaskFailedError ? p.error?.code : p.code, -32051, describe(p));
});

test('ask with onElicitation: inputRequests go to onElicitation once, answers go back in tasks/update', T, async () => {
  const rec = recorder();
  const asked = [];
  const c = await connectModern(MODERN, {
    fetch: rec.fetch,
    onElicitation: async (params, ctx) => {
      asked.push({ params, ctx });
      // A user who takes a moment: the task stays input_required meanwhile (polled at 50 ms).
      await observe(300);
      return params.message === 'Decline me' ? { action: 'decline' } : { action: 'accept', content: { name: 'Ada' } };
    },
  });
  const statuses = [];
  const h = await asTask(c, 'ask', { message: 'Who are you?', pollIntervalMs: 50 }, { onStatus: (t) => statuses.push(t.status) });
  assertRemote(h, 'ask');
  const result = await must(h.result(), 'ask result');
  assert.equal(text(result), 'Hello, Ada!');
  assert.equal(asked.length, 1, `onElicitation called once for the one key (called ${asked.length} times)`);
  assert.equal(asked[0].params.message, 'Who are you?');
  assert.equal(asked[0].params.mode ?? 'form', 'form');
  assert.deepEqual(asked[0].params.requestedSchema?.required, ['name']);
  assert.deepEqual(asked[0].ctx, { relatedTaskId: h.taskId }, 'the context names the task');
  assert.ok(statuses.includes('input_required'), `input_required seen: ${statuses}`);
  assert.equal(statuses.at(-1), 'completed');
  const updates = rec.of('tasks/update');
  assert.equal(updates.length, 1, 'one tasks/update');
  assert.equal(updates[0].body.params.taskId, h.taskId);
  assert.deepEqual(updates[0].body.params.inputResponses, { name: { action: 'accept', content: { name: 'Ada' } } });
  assert.deepEqual(await updates[0].response.then((r) => r?.result?.resultType), 'complete', 'the empty ack');
  assert.equal(rec.of('tools/call').length, 1, 'input during a task never re-sends the tools/call');

  // A decline is an answer too.
  const d = await asTask(c, 'ask', { message: 'Decline me', pollIntervalMs: 50 });
  assertRemote(d, 'ask (decline)');
  assert.equal(text(await must(d.result(), 'declined ask')), 'The user declined to give a name.');
  assert.deepEqual(rec.of('tasks/update').at(-1).body.params.inputResponses, { name: { action: 'decline' } });
  await c.close();
  assertTasksWire(rec, { onElicitation: true });
});

test('ask without onElicitation: the server refuses it (-32021, elicitation), no task is made', T, async () => {
  // The reference server checks the elicitation capability before it creates the task; the
  // tasks extension is declared all the same.
  const rec = recorder();
  const c = await connectModern(MODERN, { fetch: rec.fetch });
  const e = await within(c.callToolAsTask('ask', {}), 'callToolAsTask(ask) settles').then(() => assert.fail('callToolAsTask resolved'), (x) => x);
  assert.ok(e instanceof McpError, `expected McpError, got ${describe(e)}`);
  assert.equal(e.code, -32021);
  assert.deepEqual(e.data?.requiredCapabilities, { elicitation: { form: {} } });
  assert.equal(rec.of('tools/call').length, 1, 'not retried');
  assert.equal(rec.of('tasks/cancel').length, 0);
  await c.close();
  assertTasksWire(rec);
});

test('mock: an input kind the client did not declare fails the handle (ProtocolError) and cancels the task', T, async () => {
  // The reference server never asks for what a client did not declare, so a mock does:
  // sampling from a client with only onElicitation, and a form from a client without it.
  const cases = [
    ['sampling', { method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: 'Say hi' } }], maxTokens: 16 } }, true],
    ['elicitation without onElicitation', elicitForm('Name?', { name: { type: 'string' } }), false],
  ];
  for (const [what, request, withHandler] of cases) {
    const task = mockTask(`mock-undeclared-${withHandler ? 'a' : 'b'}`);
    const mock = await taskMock({
      tools: [{ name: 'needs_input', inputSchema: noArgs }],
      onCall: () => task.created(),
      onGet: () => (task.state.status === 'cancelled' ? task.detailed() : task.detailed({ status: 'input_required', inputRequests: { q1: request } })),
      onCancel: () => task.set({ status: 'cancelled' }),
    });
    try {
      const asked = [];
      const c = await connectModern(mock.url, withHandler ? { onElicitation: (p) => { asked.push(p); return { action: 'decline' }; } } : {});
      const h = await asTask(c, 'needs_input', {});
      assertRemote(h, what);
      const e = await within(h.result().then(() => assert.fail(`${what}: resolved`), (x) => x), `${what}: result`);
      assert.ok(e instanceof ProtocolError, `${what}: expected ProtocolError, got ${describe(e)}`);
      assert.deepEqual(asked, [], `${what}: nothing was asked`);
      await until(() => mock.of('tasks/cancel').length > 0, `${what}: tasks/cancel sent`);
      const cancel = mock.of('tasks/cancel')[0];
      assert.equal(cancel.message.params.taskId, task.state.taskId);
      assert.equal(cancel.headers['mcp-name'], task.state.taskId);
      assert.equal(mock.of('tasks/update').length, 0, `${what}: nothing answered`);
      await c.close();
    } finally {
      await mock.close();
    }
  }
});

test('mock: each inputRequests key is asked once across polls; each answer goes in its own tasks/update', T, async () => {
  const task = mockTask('mock-dedupe');
  const answered = {};
  let getsWithA = 0;
  const mock = await taskMock({
    tools: [{ name: 'two_rounds', inputSchema: noArgs }],
    onCall: () => task.created(),
    onGet: () => {
      if (!answered.a) {
        getsWithA++;
        return task.detailed({ status: 'input_required', inputRequests: { a: elicitForm('First?', { first: { type: 'string' } }) } });
      }
      if (!answered.b) return task.detailed({ status: 'input_required', inputRequests: { b: elicitForm('Second?', { second: { type: 'string' } }) } });
      // An inline result with its own resultType is accepted as well.
      return task.detailed({ status: 'completed', result: { resultType: 'complete', content: [{ type: 'text', text: `${answered.a.content.first} ${answered.b.content.second}` }] } });
    },
    onUpdate: (params) => {
      for (const [k, v] of Object.entries(params.inputResponses ?? {})) answered[k] ??= v;
      task.set({ status: 'working' });
    },
  });
  try {
    const asked = [];
    const c = await connectModern(mock.url, {
      onElicitation: async (params, ctx) => {
        asked.push({ message: params.message, ctx });
        // Keep the first question open over several polls that repeat it (or 2 s at most).
        if (params.message === 'First?') await until(() => getsWithA >= 3, 'three polls', 2000).catch(() => {});
        return { action: 'accept', content: params.message === 'First?' ? { first: 'Grace' } : { second: 'Hopper' } };
      },
    });
    const h = await asTask(c, 'two_rounds', {});
    assertRemote(h, 'two_rounds');
    assert.equal(text(await must(h.result(), 'two_rounds result')), 'Grace Hopper');
    assert.deepEqual(asked.map((a) => a.message), ['First?', 'Second?'], 'each key asked once');
    assert.ok(asked.every((a) => a.ctx?.relatedTaskId === 'mock-dedupe'));
    // Every update was acked, so nothing is re-sent: UpdateTaskRequest.inputResponses "Each
    // key MUST correspond to a currently-outstanding inputRequest key", and clients "SHOULD
    // track inputRequests keys to avoid responding to requests more than once".
    const updates = mock.of('tasks/update').map((s) => s.message.params);
    assert.deepEqual(updates.map((u) => Object.keys(u.inputResponses)), [['a'], ['b']], 'one tasks/update per key, with that key only (an acked answer is not sent again)');
    assert.ok(updates.every((u) => u.taskId === 'mock-dedupe'));
    await c.close();
  } finally {
    await mock.close();
  }
});

test('forever: cancel() sends tasks/cancel; the handle follows to cancelled and rejects TaskCancelledError', T, async () => {
  const rec = recorder();
  const c = await connectModern(MODERN, { fetch: rec.fetch });
  const statuses = [];
  const h = await asTask(c, 'forever', { pollIntervalMs: 100 }, { onStatus: (t) => statuses.push(t.status) });
  assertRemote(h, 'forever');
  await must(h.cancel(), 'cancel()');
  const e = await within(h.result().then(() => assert.fail('forever resolved'), (x) => x), 'forever result');
  assert.ok(e instanceof TaskCancelledError, `expected TaskCancelledError, got ${describe(e)}`);
  assert.equal(e.code, 'ERR_TASK_CANCELLED');
  assert.equal(e.taskId, h.taskId);
  assert.equal(e.task.status, 'cancelled');
  assert.equal(h.status, 'cancelled');
  assert.equal(statuses.at(-1), 'cancelled');
  const cancels = rec.of('tasks/cancel');
  assert.equal(cancels.length, 1, 'one tasks/cancel');
  assert.equal(cancels[0].body.params.taskId, h.taskId);
  assert.equal((await cancels[0].response)?.result?.resultType, 'complete', 'the empty ack');
  assert.equal((await must(c.getTask(h.taskId), `getTask(${h.taskId})`)).status, 'cancelled', 'cancelled on the server');
  await c.close();
  assertTasksWire(rec);
});

test('mock: cancel is eventual; the handle follows to the end the server reports (completed anyway, or cancelled later)', T, async () => {
  // The mock decides the race: after tasks/cancel its task either ends completed (the work
  // finished first) or stays working for two more polls and then ends cancelled.
  for (const outcome of ['completed', 'cancelled']) {
    const task = mockTask(`mock-cancel-${outcome}`);
    let cancelled = false;
    let getsAfterCancel = 0;
    const mock = await taskMock({
      tools: [{ name: 'slow', inputSchema: noArgs }],
      onCall: () => task.created(),
      onGet: () => {
        if (!cancelled) return task.detailed();
        getsAfterCancel++;
        if (outcome === 'completed') task.set({ status: 'completed', result: { content: [{ type: 'text', text: 'finished first' }] } });
        else if (getsAfterCancel > 2) task.set({ status: 'cancelled', statusMessage: 'Cancelled at last.' });
        return task.detailed();
      },
      onCancel: () => { cancelled = true; },
    });
    try {
      const c = await connectModern(mock.url);
      const statuses = [];
      const h = await asTask(c, 'slow', {}, { onStatus: (t) => statuses.push(t.status) });
      assertRemote(h, outcome);
      await must(h.cancel(), `${outcome}: cancel() (the server acks)`);
      const cancels = mock.of('tasks/cancel');
      assert.equal(cancels.length, 1, `${outcome}: one tasks/cancel`);
      assert.equal(cancels[0].headers['mcp-name'], task.state.taskId);
      const out = await within(settle(h.result()), `${outcome}: the handle settles after the cancel`);
      if (outcome === 'completed') {
        assert.ok(out.ok, `the task completed after all: result() resolves (${out.ok || describe(out.error)})`);
        assert.equal(text(out.value), 'finished first');
      } else {
        assert.ok(!out.ok && out.error instanceof TaskCancelledError, `TaskCancelledError once the server says cancelled (${out.ok ? 'resolved' : describe(out.error)})`);
        assert.ok(getsAfterCancel >= 3, 'followed through the polls that still said working');
      }
      assert.equal(h.status, outcome);
      assert.equal(statuses.at(-1), outcome);
      await c.close();
    } finally {
      await mock.close();
    }
  }
});

test('cancel racing completion over a batch: every handle settles as the server decided', T, async () => {
  const c = await connectModern(MODERN);
  const handles = await Promise.all(Array.from({ length: 10 }, (_, i) =>
    asTask(c, 'sleep', { ms: i * 5, text: `r${i}`, pollIntervalMs: 50 })));
  handles.forEach((h, i) => assertRemote(h, `sleep ${i}`));
  // What cancel() of a handle that already saw its end answers is not pinned down here.
  await Promise.all(handles.map((h) => settle(h.cancel())));
  const outcomes = await within(Promise.all(handles.map((h) => settle(h.result()))), 'every handle settles');
  for (const [i, h] of handles.entries()) {
    const server = await must(c.getTask(h.taskId), `getTask(${h.taskId})`);
    const o = outcomes[i];
    if (server.status === 'completed') {
      assert.ok(o.ok, `task ${i} completed on the server but result() rejected: ${o.ok || describe(o.error)}`);
      assert.equal(text(o.value), `r${i}`);
    } else {
      assert.equal(server.status, 'cancelled', `task ${i}`);
      assert.ok(!o.ok && o.error instanceof TaskCancelledError, `task ${i} cancelled on the server: ${o.ok ? 'resolved' : describe(o.error)}`);
    }
    assert.equal(h.status, server.status, `task ${i}: handle and server agree`);
  }
});

test('must_task: the client declares the extension, so callTool and callToolAsTask work (no -32021)', T, async () => {
  const rec = recorder();
  const c = await connectModern(MODERN, { fetch: rec.fetch });
  const plain = await must(c.callTool('must_task', { ms: 100 }), 'callTool must_task');
  assert.equal(text(plain), 'must_task done');
  const first = rec.of('tools/call')[0];
  assert.ok(hasTasksCap(first), 'the tools/call declared the tasks extension');
  assert.equal((await first.response)?.result?.resultType, 'task', 'the server answered a task');
  assert.equal(rec.of('tools/call').length, 1, 'no second tools/call: the task was followed');
  const h = await asTask(c, 'must_task', { ms: 100, pollIntervalMs: 100 });
  assertRemote(h, 'must_task');
  assert.equal(text(await must(h.result(), 'must_task result')), 'must_task done');
  // callTool on another task tool: the task is followed to its end too.
  assert.equal(text(await must(c.callTool('sleep', { ms: 100, text: 'plain sleep' }), 'callTool sleep')), 'plain sleep');
  assert.equal((await rec.of('tools/call').at(-1).response)?.result?.resultType, 'task');
  await c.close();
  assertTasksWire(rec);
});

test('20 concurrent tasks, each with its own result; one listen stream at a time', T, async () => {
  const rec = recorder();
  const c = await connectModern(MODERN_ONLY, { fetch: rec.fetch });
  const n = 20;
  // Durations out of order, so the tasks end in another order than they started.
  const handles = await Promise.all(Array.from({ length: n }, (_, i) =>
    asTask(c, 'sleep', { ms: 100 + ((i * 7) % n) * 20, text: `n${i}`, pollIntervalMs: 200 })));
  handles.forEach((h, i) => assertRemote(h, `task ${i}`));
  assert.equal(new Set(handles.map((h) => h.taskId)).size, n, 'distinct task ids');
  const results = await must(Promise.all(handles.map((h) => h.result())), 'all 20 results');
  assert.deepEqual(results.map(text), handles.map((_, i) => `n${i}`));
  assert.ok(handles.every((h) => h.status === 'completed'));
  assert.equal(rec.of('tools/call').length, n, 'one tools/call per task');
  assert.ok(rec.listens().length >= 1, 'the client listened for its tasks');
  // A stream's taskIds are fixed: a new task (or one fewer to follow) may need a new listen,
  // but not one per poll; a moment of overlap while one replaces the other is tolerated.
  assert.ok(rec.listens().length <= 2 * n + 1, `not a listen per poll (${rec.listens().length} listens for ${n} tasks)`);
  assert.ok(maxOpenListens(rec) <= 2, `one listen stream per client (at most ${maxOpenListens(rec)} were open at once)`);
  // Each task was followed: listened for, or (one that ended before a listen took it in) polled.
  const followed = new Set([
    ...rec.listens().flatMap((l) => l.body.params.notifications.taskIds),
    ...rec.of('tasks/get').map((r) => r.body.params.taskId),
  ]);
  for (const h of handles) assert.ok(followed.has(h.taskId), `${h.taskId} was followed (listen or tasks/get)`);
  await c.close();
  await until(() => rec.listens().every((l) => l.closedAt !== undefined), 'close() ends the listen streams');
  assertTasksWire(rec);
});

test('abort before the task id is known: with cancelOnAbort the task is cancelled as soon as its id arrives', T, async () => {
  // The tools/call of `forever` is held in the fetch wrapper after the server answered (the
  // task exists on the server) until the test aborts; a client that aborts its own fetch
  // (before or after the wrapper hands the answer over) gets the AbortError a real fetch
  // would give, from fetch or from reading the body, and so never learns the id.
  const ac = new AbortController();
  let gotId;
  const idKnown = new Promise((resolve) => { gotId = resolve; });
  const aborted = () => new DOMException('The operation was aborted.', 'AbortError');
  const gate = async (entry, res, init) => {
    if (entry.body?.method !== 'tools/call' || entry.body.params?.name !== 'forever') return res;
    const body = await res.text();
    try { gotId(JSON.parse(body).result?.taskId ?? null); } catch { gotId(null); }
    await new Promise((resolve) => (ac.signal.aborted ? resolve() : ac.signal.addEventListener('abort', resolve, { once: true })));
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (init.signal?.aborted) throw aborted();
    const bytes = new TextEncoder().encode(body);
    const stream = new ReadableStream({
      pull(controller) {
        if (init.signal?.aborted) return controller.error(aborted());
        controller.enqueue(bytes);
        controller.close();
      },
    }, { highWaterMark: 0 });
    return new Response(stream, { status: res.status, headers: res.headers });
  };
  const rec = recorder({ gate });
  const c = await connectModern(MODERN, { fetch: rec.fetch });
  const call = settle(c.callToolAsTask('forever', { pollIntervalMs: 100 }, { signal: ac.signal, cancelOnAbort: true }));
  const taskId = await within(idKnown, 'the server answered the tools/call of forever', 15_000);
  assert.equal(typeof taskId, 'string', 'the server made a task (the tools/call declared the extension)');
  ac.abort();
  const out = await within(call, 'callToolAsTask settles after the abort');
  // Either callToolAsTask rejects with the AbortError, or it gives a handle whose result() does.
  const e = out.ok ? await settle(out.value.result()).then((s) => (s.ok ? undefined : s.error)) : out.error;
  assert.ok(e instanceof DOMException && e.name === 'AbortError', `an AbortError: ${describe(e)}`);
  await until(() => rec.of('tasks/cancel').some((r) => r.body.params.taskId === taskId), `tasks/cancel sent for ${taskId}`);
  const cancel = rec.of('tasks/cancel').find((r) => r.body.params.taskId === taskId);
  assert.equal(cancel.headers['mcp-name'], taskId);
  const probe = await connectModern(MODERN);
  await until(async () => (await probe.getTask(taskId)).status === 'cancelled', 'the task is cancelled on the server');
  await c.close();
  assertTasksWire(rec);
});

test('resume: a token reattaches a new client to a running task (no session, no new tools/call)', T, async () => {
  const a = await connectModern(MODERN);
  const h = await asTask(a, 'sleep', { ms: 1200, text: 'later', pollIntervalMs: 100 });
  assertRemote(h, 'sleep');
  const token = h.serialize();
  const parsed = JSON.parse(token);
  assert.equal(parsed.taskId, h.taskId);
  assert.ok(parsed.sessionId === undefined || parsed.sessionId === null, 'no session in this era');
  h.dispose();
  assert.equal((await h.result().catch((x) => x)).name, 'AbortError');
  await a.close();

  const rec = recorder();
  const b = await connectModern(MODERN, { fetch: rec.fetch });
  const again = await TaskHandle.resume(b, token);
  assert.equal(again.taskId, h.taskId);
  assert.equal(again.isLocal, false);
  const statuses = [];
  again.onStatus((t) => statuses.push(t.status));
  assert.equal(text(await must(again.result(), 'resumed result')), 'later');
  assert.equal(again.status, 'completed');
  assert.equal(statuses.at(-1), 'completed');
  assert.equal(rec.of('tools/call').length, 0, 'resuming sends no tools/call');
  assert.ok(rec.of('tasks/get').length + rec.listens().length > 0, 'followed through tasks/get or a listen');
  // A bare task id works too (here of a finished task).
  const bare = await TaskHandle.resume(b, h.taskId);
  assert.equal(text(await must(bare.result(), 'resume by id')), 'later');
  await b.close();
  assertTasksWire(rec);
});

test('resume of a task the server does not know rejects TaskNotFoundError (an McpError with the taskId)', T, async () => {
  const c = await connectModern(MODERN);
  const gone = await TaskHandle.resume(c, 'no-such-task').then(() => null, (e) => e);
  assert.ok(gone instanceof TaskNotFoundError, `expected TaskNotFoundError, got ${gone?.name}: ${gone?.message}`);
  assert.ok(gone instanceof McpError);
  assert.equal(gone.taskId, 'no-such-task');
  assert.equal(gone.code, -32602);
});

test('listen: one subscriptions/listen; a task finished by notifications/tasks needs no tasks/get (server counters)', T, async () => {
  const url = listenServer.url;
  await resetStats(url);
  const rec = recorder();
  const c = await connectModern(url, { fetch: rec.fetch });
  const started = performance.now();
  const h = await asTask(c, 'sleep', { ms: 200, text: 'heard' });
  assertRemote(h, 'sleep');
  const result = await must(h.result(), 'result through the listen stream');
  const elapsed = performance.now() - started;
  assert.equal(text(result), 'heard');
  assert.ok(elapsed < LISTEN_POLL_MS - 500, `noticed at once (${Math.round(elapsed)} ms), not at the first poll (${LISTEN_POLL_MS} ms)`);

  // The stream as received: the ack with the accepted ids, then notifications/tasks.
  const listen = rec.listens();
  assert.equal(listen.length, 1, 'one listen for one task');
  assert.deepEqual(listen[0].body.params.notifications.taskIds, [h.taskId]);
  const [ack, ...notes] = rec.listenMessages().map((m) => m.msg);
  assert.equal(ack?.method, 'notifications/subscriptions/acknowledged');
  assert.deepEqual(ack.params.notifications.taskIds, [h.taskId]);
  const done = rec.listenMessages().find((m) => m.msg.method === 'notifications/tasks' && m.msg.params.taskId === h.taskId && m.msg.params.status === 'completed');
  assert.ok(done, 'the completed notification arrived');
  assert.deepEqual(result.content, done.msg.params.result.content, 'the result came inline in the notification');
  assert.equal(done.msg.params._meta?.[META_SUBSCRIPTION], listen[0].body.id);
  assert.ok(notes.every((m) => m.method === 'notifications/tasks'));
  const lateGets = rec.of('tasks/get').filter((r) => r.t > done.t);
  assert.equal(lateGets.length, 0, `no tasks/get after the completed notification (${lateGets.length} sent)`);

  // The server's counters, now and after one more poll period (an observation window: a
  // poll still scheduled, or a fetch of the result, would show up here).
  const atResult = await stats(url);
  assert.equal(count(atResult, 'subscriptions/listen'), 1);
  assert.equal(count(atResult, 'tools/call'), 1);
  assert.equal(count(atResult, 'tasks/get'), rec.of('tasks/get').length, 'every tasks/get the server counted came from this client');
  await observe(LISTEN_POLL_MS + 1000);
  const later = await stats(url);
  assert.equal(count(later, 'tasks/get'), count(atResult, 'tasks/get'), 'no tasks/get for a task finished by a notification');
  assert.equal(count(later, 'subscriptions/listen'), 1, 'no new listen');
  assert.equal(count(later, 'tasks/result') + count(later, 'tasks/list'), 0);
  // Nothing left to follow: the stream is not kept open for nothing; close() ends it anyway.
  await until(async () => (await stats(url)).subscriptions.open === 0, 'the listen stream of the finished task is closed');
  await c.close();
  assert.equal((await stats(url)).subscriptions.open, 0);
  assertTasksWire(rec);
});

test('many callToolAsTask at once wait for request slots (maxConcurrentRequests), each becomes its task', T, async () => {
  let inFlight = 0;
  let most = 0;
  const counting = async (input, init = {}) => {
    const call = typeof init.body === 'string' && init.body.includes('"tools/call"');
    if (call) most = Math.max(most, ++inFlight);
    try {
      return await fetch(input, init);
    } finally {
      if (call) inFlight--;
    }
  };
  const c = await connectModern(MODERN, { fetch: counting, maxConcurrentRequests: 3 });
  const handles = await Promise.all(Array.from({ length: 12 }, (_, i) => asTask(c, 'sleep', { ms: 50, text: `n${i}` })));
  const results = await Promise.all(handles.map((h) => must(h.result(), `result of ${h.taskId}`)));
  assert.deepEqual(results.map(text), Array.from({ length: 12 }, (_, i) => `n${i}`));
  assert.ok(most >= 1 && most <= 3, `at most maxConcurrentRequests (3) tools/call on the wire at once (saw ${most})`);
});

test('mock: a server ends a listen stream with notifications/cancelled naming it; the client lets it go and listens again', T, async () => {
  const task = mockTask('t-ended');
  task.set({ pollIntervalMs: 60_000 });
  const streams = [];
  const mock = await taskMock({
    tools: [{ name: 'job', inputSchema: noArgs }],
    onCall: () => task.created(),
    // Polls see `working` only: the result can come from the second listen stream alone.
    onGet: () => task.detailed(),
    onListen: (message, res, n) => {
      const closed = new Promise((resolve) => res.once('close', resolve));
      streams.push({ id: message.id, closed });
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      const send = (msg) => res.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', ...msg })}\n\n`);
      const meta = { [META_SUBSCRIPTION]: message.id };
      send({ method: 'notifications/subscriptions/acknowledged', params: { notifications: { taskIds: message.params.notifications.taskIds }, _meta: meta } });
      if (n === 1) {
        // Torn down: the cancellation names the listen; the stream itself stays open.
        send({ method: 'notifications/cancelled', params: { requestId: message.id, reason: 'subscription torn down' } });
      } else {
        task.set({ status: 'completed' });
        send({ method: 'notifications/tasks', params: { ...task.state, result: { content: [{ type: 'text', text: 'second stream' }] }, _meta: meta } });
      }
    },
  });
  try {
    const c = await connectModern(mock.url);
    const h = await c.callToolAsTask('job', {});
    const result = await must(h.result(), 'result through the second listen stream');
    assert.equal(text(result), 'second stream');
    assert.equal(streams.length, 2, 'listened again after the teardown');
    await must(streams[0].closed, 'the client let go of the torn-down stream (which the server left open)');
    assert.equal(mock.of('subscriptions/listen').length, 2);
    assert.equal(mock.of('tasks/get').length, 0, 'no poll was needed');
    await c.close();
  } finally {
    await mock.close();
  }
});

test('listen: while the stream carries a task, polling slows down (a few tasks/get for a 2.5 s task at a 200 ms server period)', T, async () => {
  const server = await startModern(['--poll-interval', '200']);
  try {
    const rec = recorder();
    const c = await connectModern(server.url, { fetch: rec.fetch });
    const h = await asTask(c, 'sleep', { ms: 2500, text: 'slow polls' });
    assertRemote(h, 'sleep');
    assert.equal(text(await must(h.result(), 'result through the listen stream')), 'slow polls');
    const gets = rec.of('tasks/get').length;
    // At the server's 200 ms period a 2.5 s task would take about 12 polls; with its
    // notifications flowing the client polls at maxPollIntervalMs (30 s) instead: only
    // what was due before the acknowledgement arrived.
    assert.ok(gets <= 2, `${gets} tasks/get while the listen stream carried the task (about 12 without push)`);
    assert.equal(rec.listens().length, 1);
  } finally {
    await server.stop();
  }
});

test('mock: a listen stream that drops brings the server period back at once (polls resume), and the task still ends', T, async () => {
  const task = mockTask('t-drop');
  const gets = [];
  let ackAt;
  let dropAt;
  const mock = await taskMock({
    tools: [{ name: 'job', inputSchema: noArgs }],
    onCall: () => task.created(),
    onGet: () => {
      gets.push(performance.now());
      // Done at the first poll after the drop.
      if (dropAt !== undefined) task.set({ status: 'completed' });
      return task.detailed(task.state.status === 'completed' ? { result: { content: [{ type: 'text', text: 'polled' }] } } : {});
    },
    onListen: (message, res, n) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: { notifications: { taskIds: message.params.notifications.taskIds }, _meta: { [META_SUBSCRIPTION]: message.id } } })}\n\n`);
      if (n === 1) {
        ackAt = performance.now();
        // Abruptly closed a while later: no result, no cancellation.
        setTimeout(() => { dropAt = performance.now(); res.destroy(); }, 800);
      }
    },
  });
  try {
    const c = await connectModern(mock.url);
    const h = await c.callToolAsTask('job', {});
    const result = await must(h.result(), 'result by polling after the drop');
    assert.equal(text(result), 'polled');
    assert.ok(ackAt !== undefined && dropAt !== undefined, 'the stream was acknowledged, then dropped');
    const during = gets.filter((t) => t > ackAt + 150 && t < dropAt);
    assert.equal(during.length, 0, `no poll while the stream carried the task (at a 50 ms server period: ${during.length})`);
    const after = gets.filter((t) => t >= dropAt);
    assert.ok(after.length >= 1 && after[0] - dropAt < 1000, `polling resumed at the server's period after the drop (first poll ${after.length ? Math.round(after[0] - dropAt) : '-'} ms after it)`);
    await c.close();
  } finally {
    await mock.close();
  }
});

test('--no-listen: the client falls back to polling tasks/get (listen tried once at most)', T, async () => {
  const url = noListenServer.url;
  await resetStats(url);
  const rec = recorder();
  const c = await connectModern(url, { fetch: rec.fetch });
  const statuses = [];
  const h = await asTask(c, 'progress', { steps: 3, ms: 300 }, { onStatus: (t) => statuses.push(t.statusMessage) });
  assertRemote(h, 'progress');
  assert.equal(text(await must(h.result(), 'polled result')), 'progress done: 3 steps');
  // Polled every 100 ms, each 300 ms step is seen; the last one is not: the tool completes
  // the moment it sets "step 3/3" (only a listen stream carries that change).
  const steps = statuses.filter((m) => m !== undefined);
  assert.deepEqual(steps.slice(0, 2), ['step 1/3', 'step 2/3'], `polled every 100 ms: the steps in order, each once (${JSON.stringify(steps)})`);
  assert.ok(steps.length === 2 || (steps.length === 3 && steps[2] === 'step 3/3'), `the steps in order, each once (${JSON.stringify(steps)})`);
  for (let i = 0; i < 2; i++) {
    const more = await asTask(c, 'sleep', { ms: 150, text: `again ${i}` });
    assertRemote(more, `sleep ${i}`);
    assert.equal(text(await must(more.result(), `sleep ${i}`)), `again ${i}`);
  }
  const s = await stats(url);
  assert.ok(count(s, 'tasks/get') >= 3, `polled (${count(s, 'tasks/get')} tasks/get)`);
  assert.ok(count(s, 'tasks/get') <= 40, `at the server's pace, not faster (${count(s, 'tasks/get')} tasks/get for ~1.2 s of tasks at 100 ms)`);
  assert.ok(count(s, 'subscriptions/listen') <= 1, `a listen the server does not have (404 -32601) is not asked again (${count(s, 'subscriptions/listen')})`);
  assert.ok(rec.of('tasks/get').every((r) => r.headers['mcp-name'] === r.body.params.taskId));
  await c.close();
  assertTasksWire(rec);
});

test('the wire: the extension on every task request, Mcp-Name = taskId on tasks/*, never tasks/result or tasks/list', T, async () => {
  const rec = recorder();
  const c = await connectModern(MODERN, { fetch: rec.fetch, onElicitation: () => ({ action: 'accept', content: { name: 'Wire' } }) });
  const sleep = await asTask(c, 'sleep', { ms: 150, pollIntervalMs: 50 });
  const ask = await asTask(c, 'ask', { pollIntervalMs: 50 });
  const forever = await asTask(c, 'forever', { pollIntervalMs: 50 });
  for (const h of [sleep, ask, forever]) assertRemote(h, 'task');
  await must(sleep.result(), 'sleep');
  assert.equal(text(await must(ask.result(), 'ask')), 'Hello, Wire!');
  await forever.cancel();
  await forever.result().catch(() => {});
  await must(c.getTask(sleep.taskId), `getTask(${sleep.taskId})`);
  await must(c.getTaskResult(sleep.taskId), 'getTaskResult');
  // A tool the server runs as a plain call even with the extension: the handle is local.
  const echo = await asTask(c, 'echo', { text: 'plain' });
  assert.equal(echo.isLocal, true, 'echo is no task tool: the server answers it at once');
  assert.equal(text(await echo.result()), 'plain');
  await c.close();
  const methods = new Set(rec.methods());
  for (const m of ['tools/call', 'tasks/update', 'tasks/cancel', 'tasks/get']) assert.ok(methods.has(m), `${m} sent`);
  assertTasksWire(rec, { onElicitation: true });
  // The server accepted every one of them (a missing capability or Mcp-Name is a 400).
  // (A listen the client replaced before its answer came may have no status, nor may a
  // tasks/get poll the client aborted once a notification said the task had ended.)
  for (const r of rec.calls()) {
    const abortable = ['subscriptions/listen', 'tasks/get'].includes(r.body.method);
    if (r.status !== undefined || !abortable) assert.equal(r.status, 200, `${r.body.method}: HTTP ${r.status}`);
  }
});

test('getTask gives the DetailedTask; getTaskResult works through tasks/get; listTasks rejects clearly', T, async () => {
  const rec = recorder();
  const c = await connectModern(MODERN, { fetch: rec.fetch });
  const done = await asTask(c, 'sleep', { ms: 50, text: 'detailed', pollIntervalMs: 50 });
  await must(done.result(), 'sleep');
  const d = await must(c.getTask(done.taskId), `getTask(${done.taskId})`);
  assert.equal(d.taskId, done.taskId);
  assert.equal(d.status, 'completed');
  assert.deepEqual(d.result, { content: [{ type: 'text', text: 'detailed' }] }, 'the inline result');
  assert.equal(d.ttlMs, 600_000);
  assert.equal(d.pollIntervalMs, 50);

  const crash = await asTask(c, 'crash', { message: 'bad', code: -32052, ms: 10, pollIntervalMs: 50 });
  await crash.result().catch(() => {});
  const f = await must(c.getTask(crash.taskId), `getTask(${crash.taskId})`);
  assert.equal(f.status, 'failed');
  assert.deepEqual(f.error, { code: -32052, message: 'bad' });

  const forever = await asTask(c, 'forever', { pollIntervalMs: 50 });
  assert.equal((await must(c.getTask(forever.taskId), `getTask(${forever.taskId})`)).status, 'working');
  await forever.cancel();
  assert.equal((await must(c.getTask(forever.taskId), `getTask(${forever.taskId})`)).status, 'cancelled');
  await forever.result().catch(() => {});

  assert.equal(text(await must(c.getTaskResult(done.taskId), 'getTaskResult of a completed task')), 'detailed');
  const running = await asTask(c, 'sleep', { ms: 400, text: 'waited for', pollIntervalMs: 50 });
  assert.equal(text(await must(c.getTaskResult(running.taskId), 'getTaskResult of a running task')), 'waited for', 'getTaskResult waits for the end');

  const missing = await c.getTask('no-such-task').catch((x) => x);
  assert.ok(missing instanceof McpError, describe(missing));
  assert.equal(missing.code, -32602);

  const e = await c.listTasks().catch((x) => x);
  assert.ok(e instanceof McpTasksError, `listTasks rejects: ${describe(e)}`);
  assert.match(e.message, /tasks\/list|list/i, `says why: ${e.message}`);
  await c.close();
  assertTasksWire(rec);
});

test('expiry: TaskExpiredError past the ttl; TaskNotFoundError when the task vanishes before it', T, async () => {
  const c = await connectModern(MODERN);
  const h = await asTask(c, 'sleep', { ms: 12_000, ttlMs: 500, pollIntervalMs: 100 }, {}, 5000);
  assertRemote(h, 'sleep with ttlMs 500');
  const e = await within(h.result().then(() => assert.fail('resolved'), (x) => x), 'expiry');
  assert.ok(e instanceof TaskExpiredError, `expected TaskExpiredError, got ${describe(e)}`);
  assert.equal(e.code, 'ERR_TASK_EXPIRED');
  assert.equal(e.taskId, h.taskId);

  // An id the server never had: the lookup is an McpError -32602 (from resume() itself, as
  // in 2025-11-25, or from result(); a TaskNotFoundError is one too).
  const r = await settle(TaskHandle.resume(c, 'no-such-task-id'));
  const nf = r.ok ? await settle(r.value.result()).then((s) => (s.ok ? undefined : s.error)) : r.error;
  assert.ok(nf instanceof McpError, `expected an McpError, got ${describe(nf)}`);
  assert.equal(nf.code, -32602);

  // A followed task the server forgets long before its ttl (the mock answers -32602 "Task
  // not found" from the third tasks/get on): TaskNotFoundError, not TaskExpiredError.
  const task = mockTask('mock-vanishes');
  const mock = await taskMock({
    tools: [{ name: 'vanishing', inputSchema: noArgs }],
    onCall: () => task.created(),
    onGet: (_params, n) => (n < 3 ? task.detailed() : { error: { code: -32602, message: 'Failed to retrieve task: Task not found' } }),
  });
  try {
    const m = await connectModern(mock.url);
    const v = await asTask(m, 'vanishing', {});
    assertRemote(v, 'vanishing');
    const gone = await within(v.result().then(() => assert.fail('resolved'), (x) => x), 'vanished task');
    assert.ok(gone instanceof TaskNotFoundError, `expected TaskNotFoundError, got ${describe(gone)}`);
    assert.ok(gone instanceof McpError);
    assert.equal(gone.code, -32602);
    assert.equal(gone.taskId, 'mock-vanishes');
    await m.close();
  } finally {
    await mock.close();
  }
});
