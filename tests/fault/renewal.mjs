// Session renewal under load and under faults: when the server loses the session (HTTP
// 404), the client starts a new one; no request may go out without a session id in the
// meantime, and a renewal that fails must not leave the client without a session for good.
//
//   tests/with-servers.sh node --test tests/fault/renewal.mjs
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startFaultProxy } from './proxy.mjs';
import { exitWatchdog } from './watchdog.mjs';
import { McpClient, McpError, McpTasksError, TransportError } from '../../pkg/node.js';

exitWatchdog({ beforeEach, afterEach });

const SSE = process.env.MCP_TEST_SERVER;
assert.ok(SSE, 'run through tests/with-servers.sh');
const admin = (path) => new URL(path, SSE).toString();

async function dropSession(sid) {
  const r = await fetch(admin(`/admin/drop-session?session=${encodeURIComponent(sid)}`), { method: 'POST' });
  assert.equal(r.status, 200);
  await r.body?.cancel();
}

test('a lost session with many requests in flight: every request carries a session id', { timeout: 60_000 }, async () => {
  const proxy = await startFaultProxy({ upstream: SSE, seed: 1, rate: 0 });
  const client = await McpClient.connect(proxy.url, { requestTimeoutMs: 5000 });
  await client.listAllTools();
  // Twelve tasks polling every 50 ms, and the session dropped under them.
  const handles = [];
  for (let i = 0; i < 12; i++) {
    handles.push(await client.callToolAsTask('sleep', { ms: 5000, pollInterval: 50 }, { minPollIntervalMs: 50 }));
  }
  const outcomes = handles.map((h) => h.result().then(() => 'resolved', (e) => e));
  const old = client.sessionId;
  await dropSession(old);
  // New calls while the renewal runs.
  const calls = Array.from({ length: 6 }, (_, i) => client.callTool('echo', { text: `during renewal ${i}` }).then((r) => r, (e) => e));
  const results = await Promise.all(calls);
  const errors = await Promise.all(outcomes);
  await client.close();
  await proxy.close();
  assert.notEqual(client.sessionId, old);
  const names = errors.map((e) => (e instanceof McpError ? `McpError ${e.code}` : `${e?.name} ${e?.status ?? ''} ${e?.message}`));
  console.log(`tasks of the lost session: ${JSON.stringify(names)}`);
  console.log(`calls during the renewal: ${JSON.stringify(results.map((r) => r?.content?.[0]?.text ?? `${r?.name} ${r?.status} ${r?.message}`))}`);
  console.log(`POSTs that reached the server without a session id: ${proxy.stats.postsWithoutSession}`);
  assert.equal(proxy.stats.postsWithoutSession, 0, 'no request goes out without Mcp-Session-Id while the session is renewed');
  for (const e of errors) {
    assert.ok(e instanceof McpError && e.code === -32602, `a task of the lost session ends with McpError -32602 (gone), got ${e?.name} ${e?.status ?? ''}: ${e?.message}`);
  }
  results.forEach((r, i) => assert.equal(r?.content?.[0]?.text, `during renewal ${i}`, `a call made during the renewal succeeds: ${r?.message}`));
});

test('a request that waited for a slot while the session was lost goes out with the new session', { timeout: 60_000 }, async () => {
  // One slot. A (a tasks/get) is held by the fetch until the session is dropped, so it meets
  // the 404 and starts the renewal at the moment it hands its slot to B, queued behind it.
  let releaseA, aArrived;
  const holdA = new Promise((r) => { releaseA = r; });
  const aHeld = new Promise((r) => { aArrived = r; });
  const sent = [];
  const wrapped = async (url, init) => {
    const body = typeof init?.body === 'string' ? init.body : '';
    const which = body.includes('"taskId":"task-A"') ? 'A' : body.includes('"taskId":"task-B"') ? 'B' : undefined;
    if (which) {
      if (which === 'A' && !sent.some((r) => r.which === 'A')) {
        aArrived();
        await holdA;
      }
      sent.push({ which, session: new Headers(init.headers).get('mcp-session-id') });
    }
    return fetch(url, init);
  };
  const client = await McpClient.connect(SSE, { fetch: wrapped, listen: false, maxConcurrentRequests: 1 });
  const old = client.sessionId;
  const a = client.getTask('task-A').catch((e) => e);
  await aHeld;
  const b = client.getTask('task-B').catch((e) => e);
  // B cannot get the slot while A holds it; drop the session under A and let it go.
  await dropSession(old);
  releaseA();
  const [ea, eb] = await Promise.all([a, b]);
  await client.close();
  console.log(`requests sent: ${JSON.stringify(sent)}`);
  assert.notEqual(client.sessionId, old);
  assert.deepEqual(sent.filter((r) => !r.session), [], `every request carried a session id: ${JSON.stringify(sent)}`);
  // Unknown task ids: the server's own answer on the new session, not a 400.
  for (const e of [ea, eb]) assert.ok(e instanceof McpError, `an MCP error from the server, got ${e?.name} ${e?.status ?? ''}: ${e?.message}`);
});

test('a failed renewal does not leave the client without a session for good', { timeout: 60_000 }, async () => {
  // A fetch that answers 503 to every try of the first renewal: `initialize` is retried
  // (maxRequestRetries, 3 here), so the renewal fails only once all 4 tries did.
  const RETRIES = 3;
  let inits = 0;
  const fetchOnce503 = async (url, init) => {
    if (init?.method === 'POST' && typeof init.body === 'string' && init.body.includes('"method":"initialize"')) {
      inits++;
      if (inits >= 2 && inits <= 2 + RETRIES) return new Response('injected 503', { status: 503 });
    }
    return fetch(url, init);
  };
  const client = await McpClient.connect(SSE, { fetch: fetchOnce503, listen: false, requestTimeoutMs: 5000, maxRequestRetries: RETRIES });
  await dropSession(client.sessionId);
  const first = await client.callTool('echo', { text: 'x' }).catch((e) => e);
  assert.ok(first instanceof TransportError && first.status === 503, `the call that hit the failed renewal fails with it: ${first?.message}`);
  // The server is fine again: the next call must start a new session and succeed.
  const errors = [];
  let ok;
  for (let i = 0; i < 3 && !ok; i++) {
    try {
      ok = await client.callTool('echo', { text: 'after a failed renewal' });
    } catch (e) {
      assert.ok(e instanceof McpTasksError, `typed: ${e}`);
      errors.push(`${e.name} ${e.status ?? e.code}: ${e.message}`);
    }
  }
  await client.close();
  assert.equal(ok?.content?.[0]?.text, 'after a failed renewal', `the client recovers; it failed with: ${JSON.stringify(errors)}`);
  assert.ok(typeof client.sessionId === 'string' || client.sessionId === undefined);
});
