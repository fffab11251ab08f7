// Soak under faults: tasks through the seeded fault proxy (tests/fault/proxy.mjs) in front
// of the reference server, at a 20% fault rate. Every result() settles exactly once with
// the right outcome (the task's real result, or a typed error that says what happened);
// no unhandled rejection, no panic; after close() no SDK timer is pending and no fetch is
// in flight. Prints the tally by outcome.
//
//   tests/with-servers.sh node --test tests/fault/soak.mjs
//
// Env: SOAK_SEED (default 20251125; the seed is printed), SOAK_TASKS (default 200 per
// server flavour), SOAK_RATE (default 0.2), SOAK_CONCURRENCY (default 10).
import { live, waitQuiet, realSetTimeout, realClearTimeout, started } from './instrument.mjs';
import { exitWatchdog } from './watchdog.mjs';
import { test, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startFaultProxy, mulberry32 } from './proxy.mjs';

// The package is imported after the instrumentation is in place.
const pkg = await import('../../pkg/node.js');
const { McpClient, McpTasksError, McpError, TransportError, ProtocolError, TaskFailedError, TaskCancelledError } = pkg;

const SSE = process.env.MCP_TEST_SERVER;
const JSONURL = process.env.MCP_TEST_SERVER_JSON;
assert.ok(SSE && JSONURL, 'run through tests/with-servers.sh');

const SEED = Number(process.env.SOAK_SEED ?? 20251125);
const TASKS = Number(process.env.SOAK_TASKS ?? 200);
const RATE = Number(process.env.SOAK_RATE ?? 0.2);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 10);
console.log(`soak: seed ${SEED} (replay with SOAK_SEED=${SEED}), ${TASKS} tasks per flavour, fault rate ${RATE}`);

const CLIENT_OPTIONS = {
  requestTimeoutMs: 1500,
  // Fewer slots than workers: requests queue for a slot under every fault (a slot lost
  // on some error path would stall the soak past its deadline).
  maxConcurrentRequests: 3,
  maxResponseBytes: 256 * 1024,
  clientInfo: { name: 'fault-soak', version: '1' },
};
const HANDLE_OPTIONS = { maxRetries: 8, minPollIntervalMs: 50, maxPollIntervalMs: 2000 };

// ---------------------------------------------------------------------------------------
// Process-wide watches: unhandled rejections, panics and what the SDK logs.
// ---------------------------------------------------------------------------------------
const unhandled = [];
process.on('unhandledRejection', (e) => unhandled.push(e));
const logged = { warn: 0, error: 0, samples: [] };
for (const level of ['warn', 'error']) {
  const orig = console[level].bind(console);
  console[level] = (...args) => {
    logged[level]++;
    const text = args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(' ');
    if (logged.samples.length < 5) logged.samples.push(`${level}: ${text.slice(0, 160)}`);
    if (/panicked|RuntimeError|unreachable/.test(text)) orig('PANIC?', ...args);
  };
}
after(() => {
  assert.deepEqual(unhandled.map(String), [], 'no unhandled rejection');
});
exitWatchdog({ beforeEach, afterEach });

/** A promise that rejects after `ms` (with the test's own, uncounted timer). */
function deadline(ms, what) {
  let t;
  const p = new Promise((_, reject) => {
    t = realSetTimeout(() => reject(new Error(`deadline: ${what} after ${ms} ms`)), ms);
  });
  return { p, clear: () => realClearTimeout(t) };
}

function isTyped(e) {
  return e instanceof McpTasksError && typeof e.message === 'string' && e.message.length > 0;
}

/** A short name for an error, for the tally. */
function describe(e) {
  if (e instanceof TransportError) {
    const why = /larger than the limit/.test(e.message)
      ? ' too large'
      : /timed out/.test(e.message)
        ? ' timeout'
        : /session is gone/.test(e.message)
          ? ' session gone twice'
          : '';
    return `TransportError ${e.status}${why}`;
  }
  if (e instanceof McpError) return `McpError ${e.code}`;
  if (e instanceof TaskFailedError) return 'TaskFailedError';
  if (e?.name) return e.name;
  return `non-error ${typeof e}`;
}

/** Errors worth a new tools/call (the request may not have reached the server). */
function retryableCreate(e) {
  return (
    e instanceof ProtocolError ||
    (e instanceof TransportError && (e.status === 0 || e.status === 429 || e.status >= 500))
  );
}

async function connectWithRetry(url, opts, tries = 10) {
  let last;
  for (let i = 0; i < tries; i++) {
    try {
      return await McpClient.connect(url, opts);
    } catch (e) {
      assert.ok(isTyped(e), `connect fails with a typed error, got ${e}`);
      last = e;
    }
  }
  throw last;
}

/**
 * Run `n` tasks through `proxy` with a pool of `concurrency`; returns the tally and the
 * list of violations.
 */
async function soak(flavour, upstream) {
  const proxy = await startFaultProxy({ upstream, seed: SEED, rate: RATE, stallMaxMs: 8000 });
  const client = await connectWithRetry(proxy.url, CLIENT_OPTIONS);
  const rnd = mulberry32(SEED ^ 0x5eed);
  const plan = Array.from({ length: TASKS }, (_, i) => {
    const r = rnd();
    const tool = r < 0.7 ? 'sleep' : r < 0.85 ? 'fail' : 'crash';
    const label = `${flavour}-t${i}`;
    const ms = 20 + Math.floor(rnd() * 280);
    const args =
      tool === 'sleep'
        ? { label, ms, text: `soak ${label}`, pollInterval: 100 }
        : { label, ms, message: `soak ${label}`, pollInterval: 100 };
    return { i, label, tool, args };
  });
  const tally = {};
  const violations = [];
  let createRetries = 0;
  const bad = (t, what) => violations.push(`${t.label} (${t.tool}): ${what}`);
  const add = (k) => {
    tally[k] = (tally[k] ?? 0) + 1;
  };

  async function runOne(t) {
    let h;
    for (let attempt = 0; ; attempt++) {
      try {
        h = await client.callToolAsTask(t.tool, t.args, { ...HANDLE_OPTIONS, onStatus: (s) => t.statuses.push([s.status, t.settled]) });
        break;
      } catch (e) {
        if (!isTyped(e)) return bad(t, `callToolAsTask rejected with an untyped ${e}`);
        if (attempt < 3 && retryableCreate(e)) {
          createRetries++;
          continue;
        }
        add(`not created: ${describe(e)}`);
        return;
      }
    }
    // result() is memoized and settles exactly once, for every awaiter.
    const p = h.result();
    if (p !== h.result()) bad(t, 'result() is not memoized');
    const settles = [];
    const watch = (which) =>
      p.then(
        (v) => settles.push([which, 'ok', v]),
        (e) => settles.push([which, 'err', e]),
      );
    const iterEnded = (async () => {
      for await (const _ of h.updates()) {
        // drain
      }
    })();
    await Promise.all([watch('a'), watch('b')]);
    t.settled = true;
    await iterEnded;
    // One more turn for stray callbacks.
    await new Promise((r) => setImmediate(r));
    if (settles.length !== 2 || settles[0][1] !== settles[1][1] || settles[0][2] !== settles[1][2]) {
      bad(t, `result() awaiters disagree: ${settles.map((s) => s[1])}`);
    }
    if (!h.isDone) bad(t, 'isDone is false after result() settled');
    if (t.statuses.some(([, after]) => after)) bad(t, 'onStatus called after result() settled');
    const [, kind, v] = settles[0];
    const lost = proxy.stats.lostSessions > 0;
    if (kind === 'ok') {
      const text = v?.content?.[0]?.text;
      if (t.tool !== 'sleep') bad(t, `a ${t.tool} task resolved: ${JSON.stringify(v).slice(0, 200)}`);
      else if (text !== t.args.text) bad(t, `wrong result: ${JSON.stringify(v).slice(0, 200)}`);
      else if (h.status !== 'completed') bad(t, `resolved but status is ${h.status}`);
      else add('completed (right result)');
      return;
    }
    const e = v;
    if (!isTyped(e)) return bad(t, `rejected with an untyped ${e?.name}: ${e?.message ?? e}`);
    if (e instanceof TaskFailedError) {
      if (t.tool === 'fail' && e.result?.content?.[0]?.text === t.args.message && e.task?.status === 'failed') {
        add('failed as the tool does (TaskFailedError + stored result)');
      } else if (t.tool === 'crash' && e.error instanceof McpError && e.error.message.includes(t.args.message)) {
        add('failed as the tool does (TaskFailedError + JSON-RPC error)');
      } else if (t.tool !== 'sleep' && lost && e.task?.status === 'failed' && e.error instanceof McpError && e.error.code === -32602) {
        // Seen failed, then its session was lost before tasks/result: the stored
        // result is gone with it.
        add('TaskFailedError, stored result lost with the session (-32602)');
      } else {
        bad(t, `unexpected TaskFailedError: ${e.message}`);
      }
      return;
    }
    if (e instanceof McpError) {
      // Tasks are bound to their session: after a lost session they are gone (-32602).
      if (e.code === -32602 && lost) add(`${describe(e)} (task of a lost session)`);
      else bad(t, `unexpected McpError ${e.code}: ${e.message}`);
      return;
    }
    if (e instanceof TaskCancelledError) {
      // The server cancels a dropped session's tasks; the client may hear of it.
      if (lost) add('TaskCancelledError (task of a lost session)');
      else bad(t, 'cancelled although nobody cancelled it');
      return;
    }
    if (e instanceof TransportError && e.status === 400) {
      // The server only answers 400 to a request without a session id: the client sent
      // one while it renewed a lost session (see renewal.mjs).
      return bad(t, `HTTP 400: a request went out without its session id (${e.message})`);
    }
    if (e instanceof TransportError || e instanceof ProtocolError) {
      add(describe(e));
      return;
    }
    bad(t, `unexpected ${e.name}: ${e.message}`);
  }

  const queue = plan.map((t) => ({ ...t, statuses: [], settled: false, done: false }));
  const all = [...queue];
  const t0 = Date.now();
  async function worker() {
    while (queue.length) {
      const t = queue.shift();
      try {
        await runOne(t);
      } catch (e) {
        bad(t, `the test itself threw: ${e?.stack ?? e}`);
      }
      t.done = true;
    }
  }
  const d = deadline(150_000, `${flavour} soak`);
  try {
    await Promise.race([Promise.all(Array.from({ length: CONCURRENCY }, worker)), d.p]);
  } catch (e) {
    const open = all.filter((t) => !t.done).map((t) => t.label);
    assert.fail(`${e.message}; tasks never settled: ${open.join(', ')}`);
  } finally {
    d.clear();
  }
  const elapsed = Date.now() - t0;
  assert.equal(client.activeTasks, 0, 'no handle is still followed');
  const sessionBefore = client.sessionId;
  proxy.setRate(0); // close() must end the session cleanly: no faults on the way out
  await client.close();
  const quiet = await waitQuiet(5_000);
  await proxy.close();
  // The module is alive (a panic would abort it for every caller): a fresh client works.
  const probe = await McpClient.connect(upstream, { listen: false });
  const echo = await probe.callTool('echo', { text: 'still alive' });
  await probe.close();
  assert.equal(echo.content[0].text, 'still alive', 'the wasm module still works after the soak');
  return { flavour, tally, violations, elapsed, quiet, stats: proxy.stats, createRetries, sessionBefore, settledCount: all.filter((t) => t.done).length };
}

function report(r) {
  const total = Object.values(r.tally).reduce((s, n) => s + n, 0);
  console.log(`\n== soak (${r.flavour}): ${total} tasks in ${(r.elapsed / 1000).toFixed(1)} s, seed ${SEED}, fault rate ${RATE}`);
  for (const [k, n] of Object.entries(r.tally).sort((a, b) => b[1] - a[1])) {
    console.log(`   ${String(n).padStart(4)}  ${k}`);
  }
  console.log(`   tools/call retried by the test: ${r.createRetries}`);
  const s = r.stats;
  console.log(`   proxy: ${s.exchanges} exchanges, ${s.faulted} faulted: ${JSON.stringify(s.byKind)}`);
  console.log(`   proxy: lost sessions ${s.lostSessions}, oversize bodies ${s.oversize.sent} (cancelled by the client ${s.oversize.cancelledByClient}), stalls ended by the client ${s.stalls.endedByClient} / by the proxy ${s.stalls.endedByProxy}, POSTs without a session id ${s.postsWithoutSession}`);
  console.log(`   SDK logged: ${logged.warn} warnings, ${logged.error} errors${logged.samples.length ? `, e.g. ${JSON.stringify(logged.samples)}` : ''}`);
  console.log(`   after close(): ${r.quiet.timers} SDK timers, ${r.quiet.fetches} fetches in flight (started in all: ${JSON.stringify(started())})`);
}

function check(r) {
  report(r);
  assert.deepEqual(unhandled.map(String), [], 'no unhandled rejection');
  assert.deepEqual(r.violations, [], 'every task settles once with the right outcome');
  assert.equal(r.settledCount, TASKS, 'every task settled');
  assert.deepEqual(r.quiet.detail, { timers: [], fetches: [] }, 'after close(): no timer pending, no fetch in flight');
  const completed = Object.entries(r.tally)
    .filter(([k]) => k.startsWith('completed') || k.startsWith('failed as the tool does'))
    .reduce((s, [, n]) => s + n, 0);
  assert.ok(completed >= TASKS * 0.6, `most tasks reach their real outcome (${completed}/${TASKS})`);
  assert.equal(r.stats.oversize.notCancelled, 0, 'an oversized body is cancelled by the client');
  assert.equal(r.stats.postsWithoutSession, 0, 'no request goes out without its session id (renewal.mjs)');
}

test('soak: tasks over SSE replies through the fault proxy', { timeout: 200_000 }, async () => {
  check(await soak('sse', SSE));
});

test('soak: tasks over JSON replies through the fault proxy', { timeout: 200_000 }, async () => {
  check(await soak('json', JSONURL));
});

test('close() with polls, retries, stalls and streams in flight leaves no timer and no fetch', { timeout: 60_000 }, async () => {
  const proxy = await startFaultProxy({ upstream: SSE, seed: SEED, rate: 0, only: ['stall', 'http5xx', 'http429'] });
  const client = await McpClient.connect(proxy.url, { ...CLIENT_OPTIONS, requestTimeoutMs: 30_000 });
  const handles = [];
  for (let i = 0; i < 6; i++) {
    handles.push(await client.callToolAsTask(i % 2 ? 'forever' : 'sleep', { label: `close-${i}`, ms: 60_000, pollInterval: 200 }, HANDLE_OPTIONS));
  }
  // From now on every exchange stalls (held by the proxy), is refused (429 / 503, so a
  // retry timer is armed) or passes.
  proxy.setRate(0.7);
  const outcomes = handles.map((h) => h.result().then(() => 'resolved', (e) => e));
  // Wait (on events) until requests and timers are in flight.
  const d = deadline(20_000, 'waiting for in-flight work');
  await Promise.race([
    (async () => {
      while (live().timers === 0 || live().fetches < 2 || proxy.stats.faulted < 3) {
        await new Promise((r) => realSetTimeout(r, 20));
      }
    })(),
    d.p,
  ]);
  d.clear();
  const before = live();
  // What is in flight stays stalled; the DELETE of close() itself is let through (a
  // stalled DELETE would only make close() wait for its timeout).
  proxy.setRate(0);
  await client.close();
  const quiet = await waitQuiet(5_000);
  await proxy.close();
  console.log(`close(): before ${before.timers} SDK timers / ${before.fetches} fetches; after ${quiet.timers} / ${quiet.fetches}`);
  assert.deepEqual(quiet.detail, { timers: [], fetches: [] });
  for (const o of await Promise.all(outcomes)) {
    assert.ok(o instanceof DOMException && o.name === 'AbortError', `result() rejects with an AbortError after close(), got ${o}`);
  }
  assert.equal(client.activeTasks, 0);
});
