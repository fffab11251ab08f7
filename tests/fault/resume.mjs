// A dropped GET stream loses no task status: the client reconnects with Last-Event-ID and
// the server replays what it sent in between (a reference server with --event-store).
//
// Polling is pushed out past the test's life (poll interval 60 s), so a task can only be
// noticed through its status notification: if the one sent while the stream was down were
// lost, the result would never come and the test fails at its deadline.
//
//   node --test tests/fault/resume.mjs      (starts its own server)
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { exitWatchdog } from './watchdog.mjs';
import { McpClient } from '../../pkg/node.js';

exitWatchdog({ beforeEach, afterEach });

const SERVER = fileURLToPath(new URL('../server/server.mjs', import.meta.url));
const NO_POLL = { pollIntervalMs: 60_000, minPollIntervalMs: 60_000, maxPollIntervalMs: 60_000 };

/** A reference server on a free port; resolves with { url, admin(path), stop() }. */
function startServer(...flags) {
  const child = spawn(process.execPath, [SERVER, '--port', '0', ...flags], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.on('exit', (code) => reject(new Error(`server exited early (${code})`)));
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\/mcp/);
      if (!m) return;
      child.removeAllListeners('exit');
      resolve({
        url: `${m[1]}/mcp`,
        admin: async (path) => (await fetch(`${m[1]}${path}`)).json(),
        stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }),
      });
    });
  });
}

/** Resolves when `check()` holds (checked every 20 ms), rejects after `ms`. */
async function until(what, check, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A fetch whose first GET stream can be cut (the body errors, as on a network drop) and
 * whose later GETs wait for `release()`. Records each GET's Last-Event-ID.
 */
function droppingFetch() {
  const gets = [];
  let cut, release;
  const cutNow = new Promise((r) => { cut = r; });
  const released = new Promise((r) => { release = r; });
  const f = async (url, init = {}) => {
    if ((init.method ?? 'GET') !== 'GET') return fetch(url, init);
    const n = gets.push({ lastEventId: new Headers(init.headers).get('last-event-id') });
    if (n > 1) {
      await released;
      return fetch(url, init);
    }
    const real = await fetch(url, init);
    const reader = real.body.getReader();
    const body = new ReadableStream({
      async pull(ctrl) {
        const step = await Promise.race([reader.read(), cutNow.then(() => null)]);
        if (step === null) {
          reader.cancel().catch(() => {});
          ctrl.error(new TypeError('network error (cut by the test)'));
        } else if (step.done) ctrl.close();
        else ctrl.enqueue(step.value);
      },
      cancel(reason) { return reader.cancel(reason); },
    });
    return new Response(body, { status: real.status, headers: real.headers });
  };
  return { fetch: f, gets, cut: () => cut(), release: () => release() };
}

test('a status sent while the GET stream was down is replayed after Last-Event-ID', { timeout: 60_000 }, async () => {
  const server = await startServer('--event-store');
  const net = droppingFetch();
  const client = await McpClient.connect(server.url, { fetch: net.fetch });
  try {
    // A first task, noticed through the stream: the client now holds an event id.
    const first = await client.callToolAsTask('sleep', { ms: 20, text: 'first' }, NO_POLL);
    assert.equal((await first.result()).content[0].text, 'first');

    // The second task ends while the stream is down and the reconnect is held back.
    // 1.5 s: long enough that the cut lands first even on a loaded machine.
    const second = await client.callToolAsTask('sleep', { ms: 1500, text: 'second' }, NO_POLL);
    net.cut();
    await until('the client to try to reconnect', () => net.gets.length >= 2);
    await until('the second task to end on the server', async () => {
      const s = await server.admin(`/admin/stats?session=${client.sessionId}`);
      return s.resultStoredAt[second.taskId] !== undefined;
    });
    assert.equal(second.isDone, false, 'nothing told the client yet');
    net.release();

    const deadline = new Promise((_, reject) => {
      const t = setTimeout(() => reject(new Error('the status sent while the stream was down never arrived')), 15_000);
      t.unref();
    });
    assert.equal((await Promise.race([second.result(), deadline])).content[0].text, 'second');
    const lastEventId = net.gets[1].lastEventId;
    assert.match(lastEventId ?? '', /^\d+$/, `the reconnect carried Last-Event-ID (got ${lastEventId})`);
    const stats = await server.admin(`/admin/stats?session=${client.sessionId}`);
    assert.equal(stats.requests.byMethod['tasks/get'] ?? 0, 0, 'no poll: the replayed notification told it');
  } finally {
    await client.close();
    await server.stop();
  }
});
