// The built package as a Node >= 20 user imports it (the "node" export: pkg/node.js),
// against the real reference server. Run by `make test-node` (tests/with-servers.sh sets
// MCP_TEST_SERVER / MCP_TEST_SERVER_JSON).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnServer } from '../server/spawn.mjs';
import {
  McpClient, TaskHandle, McpError, TransportError, TaskFailedError, TaskCancelledError,
  McpTasksError, ProtocolError,
} from '../../pkg/node.js';

const SSE = process.env.MCP_TEST_SERVER;
const JSONURL = process.env.MCP_TEST_SERVER_JSON;
assert.ok(SSE && JSONURL, 'run through tests/with-servers.sh');
const T = { timeout: 60_000 };

test('connects, reads server info and lists tools', T, async () => {
  for (const url of [SSE, JSONURL]) {
    const c = await McpClient.connect(url, { clientInfo: { name: 'node-smoke', version: '1' } });
    assert.equal(c.serverInfo.name, 'mcp-tasks-reference');
    assert.equal(c.protocolVersion, '2025-11-25');
    assert.ok(c.serverCapabilities.tasks.requests.tools.call);
    const { tools } = await c.listTools();
    assert.ok(tools.some((t) => t.name === 'sleep'));
    const all = await c.listAllTools();
    assert.equal(all.length, tools.length);
    await c.close();
  }
});

test('callTool on a plain tool and on a required-task tool', T, async () => {
  const c = await McpClient.connect(SSE, {});
  const echo = await c.callTool('echo', { text: 'from node' });
  assert.match(echo.content[0].text, /from node/);
  const must = await c.callTool('must_task', {});
  assert.equal(must.content[0].text, 'must_task done');
  await c.close();
});

test('a task completes; status callbacks and the async iterator see it', T, async () => {
  const c = await McpClient.connect(SSE, {});
  const statuses = [];
  const h = await c.callToolAsTask('sleep', { ms: 200, text: 'ok', pollInterval: 100 }, {
    onStatus: (t) => statuses.push(t.status),
  });
  assert.equal(typeof h.taskId, 'string');
  assert.equal(h.status, 'working');
  assert.equal(h.isDone, false);
  const seen = [];
  for await (const t of h.updates()) seen.push(t.status);
  const r = await h.result();
  assert.equal(r.content[0].text, 'ok');
  assert.equal(h.result(), h.result(), 'result() is memoized');
  assert.equal(h.isDone, true);
  assert.equal(h.status, 'completed');
  assert.equal(seen.at(-1), 'completed');
  assert.deepEqual([statuses[0], statuses.at(-1)], ['working', 'completed']);
  await c.close();
});

test('an unsubscribed onStatus never fires again; updates().return() ends the iterator at once', T, async () => {
  const c = await McpClient.connect(SSE, {});
  const h = await c.callToolAsTask('sleep', { ms: 400, text: 'ok', pollInterval: 50 }, {});
  let kept = 0;
  let dropped = 0;
  h.onStatus(() => { kept += 1; });
  const off = h.onStatus(() => { dropped += 1; });
  assert.equal(off(), undefined);
  off();
  const it = h.updates();
  assert.equal((await it.next()).value.status, 'working', 'the current snapshot first');
  assert.deepEqual(await it.return(), { done: true });
  assert.deepEqual(await it.next(), { value: undefined, done: true }, 'nothing after return()');
  await h.result();
  assert.ok(kept >= 1, 'the kept listener saw the end');
  assert.equal(dropped, 0, 'the unsubscribed listener must never fire');
  h.free();
  off();
  await c.close();
});

test('failed, crashed and cancelled tasks reject with typed errors', T, async () => {
  const c = await McpClient.connect(SSE, {});
  const fail = await c.callToolAsTask('fail', { message: 'nope' });
  const e1 = await fail.result().catch((e) => e);
  assert.ok(e1 instanceof TaskFailedError && e1 instanceof McpTasksError && e1 instanceof Error);
  assert.equal(e1.name, 'TaskFailedError');
  assert.equal(e1.code, 'ERR_TASK_FAILED');
  assert.equal(e1.result.isError, true);
  assert.equal(e1.result.content[0].text, 'nope');
  assert.equal(e1.task.status, 'failed');

  const crash = await c.callToolAsTask('crash', { message: 'kaput' });
  const e2 = await crash.result().catch((e) => e);
  assert.ok(e2 instanceof TaskFailedError, e2);
  assert.ok(e2.error instanceof McpError);
  assert.equal(typeof e2.error.code, 'number');

  const forever = await c.callToolAsTask('forever', {});
  const cancelled = await forever.cancel();
  assert.equal(cancelled.status, 'cancelled');
  const e3 = await forever.result().catch((e) => e);
  assert.ok(e3 instanceof TaskCancelledError);
  assert.equal(e3.taskId, forever.taskId);
  await c.close();
});

test('abort rejects with a DOMException named AbortError; cancelOnAbort cancels remotely', T, async () => {
  const c = await McpClient.connect(SSE, {});
  const ac = new AbortController();
  const h = await c.callToolAsTask('forever', {}, { signal: ac.signal, cancelOnAbort: true });
  ac.abort();
  const e = await h.result().catch((x) => x);
  assert.ok(e instanceof DOMException);
  assert.equal(e.name, 'AbortError');
  for (let i = 0; i < 200; i++) {
    if ((await c.getTask(h.taskId)).status === 'cancelled') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal((await c.getTask(h.taskId)).status, 'cancelled');
  await c.close();
});

test('JSON-RPC and transport errors are typed', T, async () => {
  const c = await McpClient.connect(SSE, {});
  const e = await c.getTask('no-such-task').catch((x) => x);
  assert.ok(e instanceof McpError);
  assert.equal(e.name, 'McpError');
  assert.equal(e.code, -32602);
  await c.close();
  const down = await McpClient.connect('http://127.0.0.1:9/mcp', {}).catch((x) => x);
  assert.ok(down instanceof TransportError);
  assert.equal(down.status, 0);
});

test('a resume token reattaches a fresh client to a running task', T, async () => {
  const c = await McpClient.connect(SSE, {});
  const h = await c.callToolAsTask('sleep', { ms: 500, text: 'later', pollInterval: 100 });
  const token = h.serialize();
  const parsed = JSON.parse(token);
  assert.equal(parsed.v, 1);
  assert.equal(parsed.taskId, h.taskId);
  assert.deepEqual(Object.keys(parsed), ['v', 'taskId', 'url', 'protocolVersion', 'sessionId', 'task']);
  assert.equal(parsed.url, SSE);
  assert.equal(parsed.protocolVersion, '2025-11-25');
  assert.equal(parsed.sessionId, c.sessionId);
  assert.equal(parsed.task.taskId, h.taskId);
  h.dispose();
  assert.equal((await h.result().catch((x) => x)).name, 'AbortError');
  const fresh = await McpClient.connect(SSE, { sessionId: parsed.sessionId });
  const again = await TaskHandle.resume(fresh, token);
  assert.equal(again.taskId, h.taskId);
  assert.equal((await again.result()).content[0].text, 'later');
  // A token that cannot be read rejects with a ProtocolError saying why.
  for (const [bad, why] of [['{', 'is not JSON'], [' {"v":2,"taskId":"x"}', 'has an unknown version'],
    ['{"v":1}', 'has no taskId']]) {
    const e = await TaskHandle.resume(fresh, bad).catch((x) => x);
    assert.ok(e instanceof ProtocolError);
    assert.equal(e.message, `the resume token ${why}`);
    assert.equal(e.detail, e.message);
  }
  // The client must be one: a handle (whose value is no client) or a plain object is
  // refused before the wasm sees it; a freed client throws.
  assert.throws(() => TaskHandle.resume(again, token), TypeError);
  assert.throws(() => TaskHandle.resume({ _p: again._p }, token), TypeError);
  again.free();
  assert.throws(() => again.taskId, /the object was freed/);
  await fresh.close();
  fresh.free();
  assert.throws(() => TaskHandle.resume(fresh, token), /the object was freed/);
});

test('listTasks and the elicitation handler', T, async () => {
  const c = await McpClient.connect(SSE, {
    onElicitation: async (params, ctx) => {
      assert.equal(typeof params.message, 'string');
      assert.equal(typeof ctx.relatedTaskId, 'string');
      return { action: 'accept', content: { name: 'Grace' } };
    },
  });
  const h = await c.callToolAsTask('ask', {});
  const r = await h.result();
  assert.match(r.content[0].text, /Grace/);
  const { tasks } = await c.listTasks();
  assert.ok(tasks.some((t) => t.taskId === h.taskId));
  await c.close();
});

test('concurrent calls share one tools/list', T, async () => {
  const c = await McpClient.connect(SSE, {});
  const hs = await Promise.all(Array.from({ length: 10 }, (_, i) =>
    c.callToolAsTask('sleep', { ms: 10, text: `n${i}`, pollInterval: 100 })));
  const results = await Promise.all(hs.map((h) => h.result()));
  assert.deepEqual(results.map((r) => r.content[0].text), hs.map((_, i) => `n${i}`));
  const base = SSE.replace(/\/mcp$/, '');
  const stats = await (await fetch(`${base}/admin/stats?session=${c.sessionId}`)).json();
  assert.equal(stats.requests.byMethod['tools/list'], 1);
  assert.equal(stats.requests.byMethod['tools/call'], 10);
  await c.close();
});

test('a resumed handle still sees progress notifications (by related task)', T, async () => {
  const a = await McpClient.connect(SSE, { listen: false });
  const h = await a.callToolAsTask('progress', { steps: 6, ms: 150 });
  const token = h.serialize();
  h.dispose();
  const b = await McpClient.connect(SSE, { sessionId: JSON.parse(token).sessionId });
  const r = await TaskHandle.resume(b, token);
  const via = [];
  r.onProgress((p) => via.push(p.progress));
  await r.result();
  assert.ok(via.length >= 1, 'progress reached the resumed handle');
  assert.ok(r.progress !== undefined);
  await b.close();
});

test('once statuses arrive on the GET stream, a task is polled at maxPollIntervalMs, not at its 100 ms period', T, async () => {
  const posts = [];
  const recording = (input, init = {}) => {
    if (typeof init.body === 'string') posts.push({ t: performance.now(), method: JSON.parse(init.body).method });
    return fetch(input, init);
  };
  const c = await McpClient.connect(SSE, { fetch: recording });
  // A first task whose status notification shows that this server pushes statuses.
  const first = await c.callToolAsTask('sleep', { ms: 100, text: 'first', pollInterval: 100 });
  assert.equal((await first.result()).content[0].text, 'first');
  const start = performance.now();
  const h = await c.callToolAsTask('sleep', { ms: 1500, text: 'pushed', pollInterval: 100 });
  const started = performance.now();
  assert.equal((await h.result()).content[0].text, 'pushed');
  const elapsed = performance.now() - start;
  const gets = posts.filter((p) => p.method === 'tasks/get' && p.t >= started).length;
  // At its 100 ms period the task would be polled about 15 times.
  assert.ok(gets <= 1, `${gets} tasks/get for a 1.5 s task while statuses were pushed`);
  assert.ok(elapsed < 5000, `the completion was noticed by its notification (${Math.round(elapsed)} ms)`);
  await c.close();
});


test('without pushed statuses, 40 tasks are followed by a tasks/list sweep per period, not 40 tasks/get', T, async (t) => {
  const server = await spawnServer('./server.mjs', ['--no-status-notifications']);
  try {
    const methods = [];
    const recording = (input, init = {}) => {
      if (typeof init.body === 'string') methods.push(JSON.parse(init.body).method);
      return fetch(input, init);
    };
    const c = await McpClient.connect(server.url, { fetch: recording });
    const n = 40;
    const handles = await Promise.all(Array.from({ length: n }, (_, i) =>
      c.callToolAsTask('sleep', { ms: 2000, text: `s${i}`, pollInterval: 200 })));
    const results = await Promise.all(handles.map((h) => h.result()));
    assert.deepEqual(results.map((r) => r.content[0].text), handles.map((_, i) => `s${i}`));
    const count = (m) => methods.filter((x) => x === m).length;
    t.diagnostic(`tasks/list ${count('tasks/list')}, tasks/get ${count('tasks/get')}, tasks/result ${count('tasks/result')}`);
    // Polled one by one, 40 tasks of 2 s at a 200 ms period take about 400 tasks/get.
    assert.ok(count('tasks/list') > 0, 'the client swept tasks/list');
    assert.ok(count('tasks/get') < 120, `${count('tasks/get')} tasks/get (about 400 without the sweep)`);
    assert.ok(count('tasks/get') + count('tasks/list') < 200, `${count('tasks/get') + count('tasks/list')} status requests for ${n} tasks`);
    await c.close();
  } finally {
    await server.stop();
  }
});
