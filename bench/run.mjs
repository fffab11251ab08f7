#!/usr/bin/env node
// `make bench`: mcp-tasks-wasm (A, pkg/) against the official TypeScript clients in the
// same headless Chromium, against the same reference server, in one run, for both MCP
// eras. Runs alternate A B A B.
//   2025-11-25 ("legacy"): B = @modelcontextprotocol/sdk (bundled for the browser), against
//     tests/server/server.mjs.
//   2026-07-28 ("modern"): B = @modelcontextprotocol/client + @modelcontextprotocol/ext-tasks
//     with the fetch dispatcher of bench/page/official-modern.js, against
//     tests/server/modern.mjs; ours also runs against the same server with --no-listen
//     (no subscriptions/listen: polling only), so rounds go A A' B A A' B.
//
// Prints one markdown table on stdout (progress goes to stderr) and writes
// target/bench/results.json. See bench/README.md for what each figure means.
//
//   node bench/run.mjs                         # full run (pkg/ must be built: make build)
//   BENCH_TASKS=10 BENCH_SCALE=100 node bench/run.mjs   # quick check
//
// Environment (all optional):
//   BENCH_ERAS=legacy,modern   eras to run (legacy = 2025-11-25, modern = 2026-07-28)
//   BENCH_TASKS=200            tasks per latency run (per side, per round, per pollInterval)
//   BENCH_ROUNDS=2             A/B pairs per figure
//   BENCH_POLL_INTERVALS=1000,250
//   BENCH_CONCURRENCY=20       latency tasks in flight at once
//   BENCH_TASK_MS=300,1300     latency task durations, uniform in [min, max] ms
//   BENCH_SCALE=100,1000,5000  concurrent tasks per scale run
//   BENCH_SCALE_MS=            duration of every scale task (default 5000 + 3 ms x N)
//   BENCH_SCALE_GRACE_S=60     how long after the last task should have ended to wait for stragglers
//   BENCH_SCALE_PACE=0         scale tasks started per second (0: all in one synchronous loop)
//   BENCH_COLD_RUNS=10         cold starts per side (plus one discarded warm-up pair)
//   BENCH_WARMUP=0             1: run one short task to completion before each latency/scale
//                              window (takes one-off costs such as tools/list out of the figures)
//   BENCH_ONLY=size,cold,latency,scale   figures to run
//   BENCH_OUT=target/bench/results.json
//   BENCH_VERBOSE=1            forward server and page console output
//   BENCH_README=1             also write the table, date, machine and command into the
//                              "Latest results" section of bench/README.md
import os from 'node:os';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { buildSite } from './lib/build.mjs';
import { startServer } from './lib/server.mjs';
import { startCountingProxy } from './lib/proxy.mjs';
import {
  log, envInt, envIntList, envList, percentile, median, mean, max, min, round, ratio,
  fmtRatio, fmtMs, fmtBytes, fmtNum, sleep,
} from './lib/util.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT_DIR = join(ROOT, 'target/bench');
const SITE = join(OUT_DIR, 'site');
// Per era: the reference server, and the sides (key in results.json, page adapter of
// scenario.js, server variant). Cold start and scale runs leave out the sides marked
// `latencyOnly` (same client as another side; only the server differs).
const ERAS = {
  legacy: {
    label: '2025-11-25', server: 'legacy',
    sides: [{ key: 'ours', page: 'A' }, { key: 'oursWorker', page: 'W', scaleOnly: true }, { key: 'official', page: 'B' }],
  },
  modern: {
    label: '2026-07-28', server: 'modern',
    sides: [
      { key: 'ours', page: 'A' },
      { key: 'oursNoListen', page: 'A', variant: 'noListen', latencyOnly: true },
      { key: 'oursWorker', page: 'W', scaleOnly: true },
      { key: 'official', page: 'M' },
    ],
  },
};
const VARIANT_ARGS = { main: [], noListen: ['--no-listen'] };
const NAME = { ours: 'ours', oursNoListen: 'ours without notifications', oursWorker: 'ours in a worker', official: 'official' };

const taskMs = envIntList('BENCH_TASK_MS', [300, 1300]);
const cfg = {
  tasks: envInt('BENCH_TASKS', 200, 1),
  rounds: envInt('BENCH_ROUNDS', 2, 1),
  pollIntervals: envIntList('BENCH_POLL_INTERVALS', [1000, 250]),
  concurrency: envInt('BENCH_CONCURRENCY', 20, 1),
  taskMsMin: taskMs[0],
  taskMsMax: taskMs[1] ?? taskMs[0],
  scale: envIntList('BENCH_SCALE', [100, 1000, 5000]),
  scaleMs: process.env.BENCH_SCALE_MS ? envInt('BENCH_SCALE_MS', 0, 0) : null,
  scaleGraceS: envInt('BENCH_SCALE_GRACE_S', 60, 1),
  scalePace: envInt('BENCH_SCALE_PACE', 0, 0),
  coldRuns: envInt('BENCH_COLD_RUNS', 10, 1),
  warmup: envInt('BENCH_WARMUP', 0, 0) > 0,
  only: new Set(envList('BENCH_ONLY', ['size', 'cold', 'latency', 'scale'])),
  eras: envList('BENCH_ERAS', Object.keys(ERAS)).map((e) => {
    if (!ERAS[e]) throw new Error(`BENCH_ERAS: unknown era ${e} (legacy, modern)`);
    return e;
  }),
  out: resolve(ROOT, process.env.BENCH_OUT || 'target/bench/results.json'),
};
const scaleMsFor = (n) => cfg.scaleMs ?? 5000 + 3 * n;

const LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};

const started = Date.now();
const cleanup = [];
let browser;

// ---------------------------------------------------------------------------
// Browser pages
// ---------------------------------------------------------------------------

const pageTrouble = { pageErrors: [], consoleErrors: 0, consoleWarnings: 0, samples: [], httpErrors: [] };

/** A fresh browser context (own cache, own connection pool) with the bench page loaded. */
async function withPage(origin, label, fn) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => {
      pageTrouble.pageErrors.push(`${label}: ${String(e).slice(0, 300)}`);
      log(`page error: ${String(e).slice(0, 300)}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && pageTrouble.httpErrors.length < 20) pageTrouble.httpErrors.push(`${label}: ${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
    });
    page.on('console', (m) => {
      const t = m.type();
      if (t === 'error') pageTrouble.consoleErrors++;
      else if (t === 'warning') pageTrouble.consoleWarnings++;
      else return;
      if (pageTrouble.samples.length < 10) pageTrouble.samples.push(`${label}: ${t}: ${m.text().slice(0, 200)}`);
      if (process.env.BENCH_VERBOSE) log(`console ${t}: ${m.text().slice(0, 300)}`);
    });
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction(() => window.bench?.ready === true);
    return await fn(page, context);
  } finally {
    await context.close().catch(() => {});
  }
}

async function cdpMetrics(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

const httpTotal = (byHttp) => Object.values(byHttp ?? {}).reduce((a, b) => a + b, 0);

function diffCounts(a = {}, b = {}) {
  const out = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = (b[k] ?? 0) - (a[k] ?? 0);
    if (d) out[k] = d;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Figures
// ---------------------------------------------------------------------------

async function coldRun(origin, era, side) {
  return withPage(origin, `${era} cold ${NAME[side.key]}`, (page) => page.evaluate(([s, u]) => window.bench.cold(s, u), [side.page, `${origin}/mcp`]));
}

async function warmup(page) {
  const err = await page.evaluate(() => window.bench.warmup());
  if (err) throw new Error(`warm-up task failed: ${err}`);
}

async function latencyRun(env, era, side, round) {
  const { proxyOrigin, server, proxy, pollInterval } = env;
  return withPage(proxyOrigin, `${era} latency P=${pollInterval} ${NAME[side.key]}`, async (page) => {
    await page.evaluate((s) => window.bench.load(s), side.page);
    const { sessionId } = await page.evaluate((u) => window.bench.connect(u), `${proxyOrigin}/mcp`);
    if (cfg.warmup) await warmup(page);
    await sleep(200); // let the GET stream open before the window starts
    const st0 = await server.stats(sessionId);
    const p0 = proxy.snapshot();
    const t0 = Date.now();
    const recs = await page.evaluate((o) => window.bench.latency(o), {
      n: cfg.tasks, concurrency: cfg.concurrency, seed: 1000 * pollInterval + round,
      msMin: cfg.taskMsMin, msMax: cfg.taskMsMax,
    });
    const wallS = (Date.now() - t0) / 1000;
    const p1 = proxy.snapshot();
    const st1 = await server.stats(sessionId);
    // Both clocks should sit at the same offset from Date.now(): a check of the clock domain.
    const pageClockOffset = await page.evaluate(() => window.bench.clockOffset());
    const harnessClockOffset = Date.now() - (performance.timeOrigin + performance.now());
    await page.evaluate(() => window.bench.close()).catch(() => {});

    const latencies = [];
    const errors = {};
    let missingStamp = 0;
    for (const r of recs) {
      if (r.error) { errors[r.error] = (errors[r.error] ?? 0) + 1; continue; }
      const stored = st1.resultStoredAt[r.taskId];
      if (stored === undefined) { missingStamp++; continue; }
      latencies.push(r.resolvedAt - stored);
    }
    const completed = latencies.length;
    const httpRequests = httpTotal(st1.requests.byHttpMethod) - httpTotal(st0.requests.byHttpMethod);
    const bytesUp = p1.up - p0.up;
    const bytesDown = p1.down - p0.down;
    return {
      side: side.key, round, sessionId, tasks: recs.length, completed, errors, missingStamp, wallS,
      clockOffsetDiffMs: pageClockOffset - harnessClockOffset,
      latencyMs: latencies.map((x) => round3(x)),
      median: median(latencies), p95: percentile(latencies, 95), min: min(latencies), max: max(latencies),
      httpRequests,
      httpByMethod: diffCounts(st0.requests.byHttpMethod, st1.requests.byHttpMethod),
      rpcByMethod: diffCounts(st0.requests.byMethod, st1.requests.byMethod),
      requestsPerTask: completed ? httpRequests / completed : NaN,
      bytesUp, bytesDown,
      bytesPerTask: completed ? (bytesUp + bytesDown) / completed : NaN,
    };
  });
}
const round3 = (x) => Math.round(x * 1000) / 1000;

async function scaleRun(era, n, side, round) {
  const server = await startServer({ era: ERAS[era].server, pollInterval: 1000, staticDir: SITE, label: `${era}-scale-${n}-${side.key}` });
  const ms = scaleMsFor(n);
  try {
    return await withPage(server.origin, `${era} scale ${n} ${NAME[side.key]}`, async (page, context) => {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
      await page.evaluate((s) => window.bench.load(s), side.page);
      const { sessionId } = await page.evaluate((u) => window.bench.connect(u), `${server.origin}/mcp`);
      if (cfg.warmup) await warmup(page);
      await sleep(300);
      await cdp.send('HeapProfiler.collectGarbage');
      const base = await cdpMetrics(cdp);
      const wasm0 = await page.evaluate(() => window.bench.wasmBytes());
      const st0 = await server.stats(sessionId);

      const m0 = await cdpMetrics(cdp);
      const { startLoopMs } = await page.evaluate((o) => window.bench.scaleStart(o), { n, ms, pace: cfg.scalePace });
      const rampMs = cfg.scalePace ? (1000 * n) / cfg.scalePace : 0;
      const created = await page.evaluate(([w, t]) => window.bench.scaleWait(w, t), ['created', rampMs + ms + cfg.scaleGraceS * 1000]);

      // Peak: every task is tracked. A forced GC for an honest heap figure; its time is
      // taken out of the busy-time and longest-task figures below.
      const gcPageT0 = await page.evaluate(() => window.bench.now());
      const g0 = await cdpMetrics(cdp);
      await cdp.send('HeapProfiler.collectGarbage');
      const peak = await cdpMetrics(cdp);
      const wasmPeak = await page.evaluate(() => window.bench.wasmBytes());
      const gcPageT1 = await page.evaluate(() => window.bench.now());
      const gcTaskS = peak.TaskDuration - g0.TaskDuration;

      await page.evaluate(([w, t]) => window.bench.scaleWait(w, t), ['settled', rampMs + ms + cfg.scaleGraceS * 1000]);
      const m1 = await cdpMetrics(cdp);
      const rep = await page.evaluate(() => window.bench.scaleReport());
      const st1 = await server.stats(sessionId).catch(() => null);
      await Promise.race([page.evaluate(() => window.bench.close()).catch(() => {}), sleep(5000)]);

      const overlapsGc = (start, dur) => start + dur >= gcPageT0 && start <= gcPageT1;
      const longTasks = rep.longTasks.filter((t) => !overlapsGc(t.start, t.duration));
      const gaps = rep.gaps.filter((g) => !overlapsGc(g.start, g.late));
      const windowS = m1.Timestamp - m0.Timestamp;
      const busyS = m1.TaskDuration - m0.TaskDuration - gcTaskS;
      const tracked = created.tracked;
      const heapPerTask = (peak.JSHeapUsedSize - base.JSHeapUsedSize) / tracked;
      const wasmPerTask = (wasmPeak - wasm0) / tracked;
      const httpRequests = st1 ? httpTotal(st1.requests.byHttpMethod) - httpTotal(st0.requests.byHttpMethod) : NaN;
      return {
        side: side.key, round, n, taskMs: ms, sessionId,
        created: rep.created, settled: rep.settled, ok: rep.ok, errors: rep.errors,
        allSettled: rep.ok === n,
        startLoopMs, allCreatedAfterMs: rep.tAllCreated === null ? null : rep.tAllCreated - rep.t0,
        allSettledAfterMs: rep.tAllSettled === null ? null : rep.tAllSettled - rep.t0,
        trackedAtPeak: tracked,
        windowS, busyMs: busyS * 1000, gcExcludedMs: gcTaskS * 1000,
        busyMsPerS: (busyS * 1000) / windowS,
        mainThreadMsPerTask: (busyS * 1000) / n,
        // ThreadTime: CPU time of the main thread (less inflated by a busy machine than the
        // wall-clock TaskDuration), the forced GC taken out the same way.
        cpuMsPerTask: ((m1.ThreadTime - m0.ThreadTime - (peak.ThreadTime - g0.ThreadTime)) * 1000) / n,
        scriptMsPerTask: ((m1.ScriptDuration - m0.ScriptDuration) * 1000) / n,
        longestTaskMs: longTasks.length ? Math.max(...longTasks.map((t) => t.duration)) : null,
        // Only tasks that started once every task was created: the cost of following them.
        longestTrackingTaskMs: (() => {
          if (rep.tAllCreated === null) return null;
          const t = longTasks.filter((x) => x.start >= rep.tAllCreated);
          return t.length ? Math.max(...t.map((x) => x.duration)) : null;
        })(),
        longTasksOver50: longTasks.length,
        longTasksTotalMs: longTasks.reduce((a, t) => a + t.duration, 0),
        maxTimerLatenessMs: gaps.length ? Math.max(...gaps.map((g) => g.late)) : 0,
        heapBaseBytes: base.JSHeapUsedSize, heapPeakBytes: peak.JSHeapUsedSize,
        wasmBaseBytes: wasm0, wasmPeakBytes: wasmPeak,
        heapPerTaskBytes: heapPerTask, wasmPerTaskBytes: wasmPerTask,
        memoryPerTaskBytes: heapPerTask + wasmPerTask,
        httpRequests, requestsPerTask: httpRequests / n,
        rpcByMethod: st1 ? diffCounts(st0.requests.byMethod, st1.requests.byMethod) : null,
      };
    });
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------

/** The figures of one era (`r`: results, or results.modern) as markdown table rows. */
function eraRows(r, era) {
  const rows = [];
  const row = (figure, ours, official, x, target = '') => rows.push(`| ${figure} | ${ours} | ${official} | ${x} | ${target} |`);
  const check = (ok) => (ok ? '✅ met' : '❌ missed');
  const targetRatio = (x, limit) => (Number.isFinite(x) ? `≤ ${limit}× ${check(x <= limit)}` : `≤ ${limit}× (n/a)`);
  const modern = era === 'modern';

  const s = r.size;
  if (s) {
    const o = s.ours, b = s.official;
    row('Size, raw (minified JS + wasm)', `${fmtBytes(o.total.raw)} (JS ${fmtBytes(o.js.raw)} + wasm ${fmtBytes(o.wasm.raw)})`, fmtBytes(b.total.raw), fmtRatio(ratio(o.total.raw, b.total.raw)));
    const rg = ratio(o.total.gzip, b.total.gzip);
    // 2026-07-28: issue 16's size target is absolute (today's one-era size), not a ratio.
    const sizeTarget = modern ? `ours ≤ ${SIZE_LIMIT.toLocaleString('en')} B ${check(o.total.gzip <= SIZE_LIMIT)}` : targetRatio(rg, 0.5);
    row('Size, gzip -9', `${fmtBytes(o.total.gzip)} (JS ${fmtBytes(o.js.gzip)} + wasm ${fmtBytes(o.wasm.gzip)}; ${o.total.gzip.toLocaleString('en')} B)`, `${fmtBytes(b.total.gzip)} (${b.total.gzip.toLocaleString('en')} B)`, fmtRatio(rg), sizeTarget);
  }
  const failed = (x) => (x.failedRuns ? ` (${x.failedRuns} run(s) failed: ${Object.keys(x.errors)[0]})` : '');
  for (const P of cfg.pollIntervals.filter((p) => r.latency?.[p])) {
    const L = r.latency[P];
    const a = L.ours, b = L.official, n = L.oursNoListen;
    const rm = ratio(a.median, b.median);
    const how = modern ? ' (ours: subscriptions/listen)' : '';
    row(`Detection latency median, pollInterval ${P} ms${how} (${a.samples} vs ${b.samples} tasks)`, fmtMs(a.median) + failed(a), fmtMs(b.median) + failed(b), fmtRatio(rm), targetRatio(rm, 0.2));
    if (n) row(`Detection latency median, pollInterval ${P} ms, ours without notifications (server --no-listen; ${n.samples} tasks)`, fmtMs(n.median) + failed(n), fmtMs(b.median), fmtRatio(ratio(n.median, b.median)));
    row(`Detection latency p95, pollInterval ${P} ms`, fmtMs(a.p95), fmtMs(b.p95), fmtRatio(ratio(a.p95, b.p95)));
    if (n) row(`Detection latency p95, pollInterval ${P} ms, ours without notifications`, fmtMs(n.p95), fmtMs(b.p95), fmtRatio(ratio(n.p95, b.p95)));
    const rr = ratio(a.requestsPerTask, b.requestsPerTask);
    row(`HTTP requests per task, pollInterval ${P} ms`, fmtNum(a.requestsPerTask), fmtNum(b.requestsPerTask), fmtRatio(rr), targetRatio(rr, 1));
    if (n) row(`HTTP requests per task, pollInterval ${P} ms, ours without notifications`, fmtNum(n.requestsPerTask), fmtNum(b.requestsPerTask), fmtRatio(ratio(n.requestsPerTask, b.requestsPerTask)));
    row(`Wire bytes per task (both ways, proxy), pollInterval ${P} ms`, fmtBytes(a.bytesPerTask), fmtBytes(b.bytesPerTask), fmtRatio(ratio(a.bytesPerTask, b.bytesPerTask)));
    if (n) row(`Wire bytes per task, pollInterval ${P} ms, ours without notifications`, fmtBytes(n.bytesPerTask), fmtBytes(b.bytesPerTask), fmtRatio(ratio(n.bytesPerTask, b.bytesPerTask)));
  }
  for (const N of cfg.scale.filter((x) => r.scale?.[x])) {
    const S = r.scale[N];
    const a = S.ours, b = S.official;
    const settled = (x) => `${x.worstOk}/${N}${x.worstOk === Number(N) ? '' : ` (${Object.entries(x.errors).map(([k, v]) => `${v}× ${k}`).slice(0, 2).join('; ') || 'unsettled'})`}`;
    const paced = cfg.scalePace ? `, started ${cfg.scalePace}/s` : "";
    row(`Scale ${N}: every task settled (worst round${paced})`, settled(a), settled(b), '', Number(N) === 5000 ? `all settle ${check(a.worstOk === 5000)}` : '');
    row(`Scale ${N}: main-thread busy per second (TaskDuration)`, `${fmtNum(a.busyMsPerS, 1)} ms/s`, `${fmtNum(b.busyMsPerS, 1)} ms/s`, fmtRatio(ratio(a.busyMsPerS, b.busyMsPerS)));
    const rt = ratio(a.cpuMsPerTask, b.cpuMsPerTask);
    // Per task of N: a side whose tasks failed at once did less work for them, so the
    // ratio is no like-for-like comparison then.
    const unlike = [[a, 'ours'], [b, 'official']].filter(([x]) => x.worstOk < Number(N)).map(([x, who]) => `${who} settled ${x.worstOk}/${N}`);
    row(`Scale ${N}: main-thread CPU time per tracked task (ThreadTime)`, fmtMs(a.cpuMsPerTask), fmtMs(b.cpuMsPerTask), fmtRatio(rt),
      unlike.length ? `≤ 1× (n/a: ${unlike.join(', ')})` : targetRatio(rt, 1));
    const lt = (v) => (v === null ? 'none ≥ 50 ms' : fmtMs(v));
    const ltRatio = (x, y) => (x !== null && y !== null ? fmtRatio(ratio(x, y)) : '');
    row(`Scale ${N}: longest main-thread task, whole run (worst round)`, lt(a.longestTaskMs), lt(b.longestTaskMs), ltRatio(a.longestTaskMs, b.longestTaskMs), Number(N) === 5000 ? `≤ 50 ms ${check(a.longestTaskMs === null || a.longestTaskMs <= 50)}` : '');
    row(`Scale ${N}: longest main-thread task once all are started`, lt(a.longestTrackingTaskMs), lt(b.longestTrackingTaskMs), ltRatio(a.longestTrackingTaskMs, b.longestTrackingTaskMs));
    row(`Scale ${N}: max lateness of a 10 ms timer`, fmtMs(a.maxTimerLatenessMs), fmtMs(b.maxTimerLatenessMs), fmtRatio(ratio(a.maxTimerLatenessMs, b.maxTimerLatenessMs)));
    row(`Scale ${N}: memory per tracked task (JS heap + wasm)`, `${fmtBytes(a.memoryPerTaskBytes)} (wasm ${fmtBytes(a.wasmPerTaskBytes)})`, fmtBytes(b.memoryPerTaskBytes), fmtRatio(ratio(a.memoryPerTaskBytes, b.memoryPerTaskBytes)));
    const rq = ratio(a.requestsPerTask, b.requestsPerTask);
    row(`Scale ${N}: HTTP requests per task`, fmtNum(a.requestsPerTask), fmtNum(b.requestsPerTask), fmtRatio(rq),
      Number(N) === 1000 && era === 'legacy' ? `≤ 2.5 ${check(a.requestsPerTask <= 2.5)}` : '');
    const w = S.oursWorker;
    if (w) {
      // Worker mode: the client runs in a dedicated Web Worker; the page's main thread only
      // renders what the proxy hands it.
      const rw = ratio(w.busyMsPerS, b.busyMsPerS);
      row(`Scale ${N}, ours in a worker: every task settled (worst round)`, settled(w), settled(b), '', Number(N) === 5000 ? `all settle ${check(w.worstOk === 5000)}` : '');
      row(`Scale ${N}, ours in a worker: main-thread busy per second`, `${fmtNum(w.busyMsPerS, 1)} ms/s`, `${fmtNum(b.busyMsPerS, 1)} ms/s`, fmtRatio(rw),
        Number(N) === 1000 ? targetRatio(rw, 0.2) : '');
      row(`Scale ${N}, ours in a worker: longest main-thread task (worst round)`, lt(w.longestTaskMs), lt(b.longestTaskMs), ltRatio(w.longestTaskMs, b.longestTaskMs), Number(N) === 5000 ? `≤ 50 ms ${check(w.longestTaskMs === null || w.longestTaskMs <= 50)}` : '');
      row(`Scale ${N}, ours in a worker: HTTP requests per task`, fmtNum(w.requestsPerTask), fmtNum(b.requestsPerTask), fmtRatio(ratio(w.requestsPerTask, b.requestsPerTask)));
    }
  }
  const c = r.cold;
  if (c) row(`Cold start, import → connected (median of ${c.ours.runs.length})`, fmtMs(c.ours.median), fmtMs(c.official.median), fmtRatio(ratio(c.ours.median, c.official.median)));
  return rows;
}

/** Issue 16: the size row (wasm + minified glue, gzip -9) with both eras, at most this. */
const SIZE_LIMIT = 62809;

/** One markdown table per era that has results, each under a line naming the era and the official stack. */
function buildTable(results) {
  const v = results.meta ?? {};
  const official = {
    legacy: `@modelcontextprotocol/sdk${v.sdkVersion ? ` ${v.sdkVersion}` : ''}`,
    modern: `@modelcontextprotocol/client${v.modernVersions ? ` ${v.modernVersions.client}` : ''} + ext-tasks${v.modernVersions ? ` ${v.modernVersions.extTasks}` : ''} + bench dispatcher`,
  };
  const parts = [];
  for (const era of ['legacy', 'modern']) {
    const r = era === 'legacy' ? results : results.modern;
    if (!r) continue;
    const rows = eraRows(r, era);
    if (!rows.length) continue;
    parts.push([`**MCP ${ERAS[era].label}**: ours against ${official[era]}`, '',
      `| figure | ours (mcp-tasks-wasm) | official (${official[era]}) | ratio ours/official | target |`,
      '|---|---|---|---|---|', ...rows].join('\n'));
  }
  return parts.join('\n\n');
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

function machine() {
  const cpus = os.cpus();
  let commit = null;
  try { commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(); } catch {}
  return {
    cpuModel: cpus[0]?.model, cpus: cpus.length, memGiB: round(os.totalmem() / 2 ** 30, 1),
    os: `${os.type()} ${os.release()} ${os.arch()}`, node: process.version, commit,
    loadavgStart: os.loadavg().map((x) => round(x, 2)),
  };
}

/** A run that threw (page crash, browser gone, ...): recorded, not hidden. */
function failedRun(e, fields) {
  const msg = String(e?.message ?? e).split('\n')[0].slice(0, 200);
  return { ...fields, failed: msg, ok: 0, errors: { [`run failed: ${msg}`]: 1 }, latencyMs: [] };
}

function summarizeLatency(all) {
  const runs = all.filter((r) => !r.failed);
  const pooled = runs.flatMap((r) => r.latencyMs);
  return {
    samples: pooled.length,
    median: median(pooled), p95: percentile(pooled, 95), min: min(pooled), max: max(pooled),
    roundMedians: runs.map((r) => r.median),
    requestsPerTask: median(runs.map((r) => r.requestsPerTask)),
    bytesPerTask: median(runs.map((r) => r.bytesPerTask)),
    errors: all.reduce((acc, r) => { for (const [k, v] of Object.entries(r.errors)) acc[k] = (acc[k] ?? 0) + v; return acc; }, {}),
    failedRuns: all.length - runs.length,
    runs: all,
  };
}

function summarizeScale(all) {
  const errors = {};
  for (const r of all) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
  const runs = all.filter((r) => !r.failed);
  const longest = runs.map((r) => r.longestTaskMs);
  return {
    worstOk: Math.min(...all.map((r) => r.ok)),
    failedRuns: all.length - runs.length,
    errors,
    busyMsPerS: median(runs.map((r) => r.busyMsPerS)),
    mainThreadMsPerTask: median(runs.map((r) => r.mainThreadMsPerTask)),
    longestTaskMs: longest.every((x) => x === null) ? null : max(longest.filter((x) => x !== null)),
    longestTrackingTaskMs: runs.every((r) => r.longestTrackingTaskMs === null) ? null : max(runs.map((r) => r.longestTrackingTaskMs).filter((x) => x !== null)),
    cpuMsPerTask: median(runs.map((r) => r.cpuMsPerTask)),
    maxTimerLatenessMs: max(runs.map((r) => r.maxTimerLatenessMs)),
    memoryPerTaskBytes: median(runs.map((r) => r.memoryPerTaskBytes)),
    wasmPerTaskBytes: median(runs.map((r) => r.wasmPerTaskBytes)),
    requestsPerTask: median(runs.map((r) => r.requestsPerTask)),
    runs: all,
  };
}

async function main() {
  mkdirSync(OUT_DIR, { recursive: true });
  const results = { meta: { date: new Date().toISOString(), command: commandLine(), config: { ...cfg, only: [...cfg.only] }, machine: machine() } };
  // Where each era's figures go: 2025-11-25 at the top level (as before the modern era
  // existed), 2026-07-28 under `modern`.
  const out = {};
  for (const era of cfg.eras) out[era] = era === 'legacy' ? results : (results.modern = {});

  log('building bundles into', relative(ROOT, SITE));
  const built = await buildSite(SITE);
  results.meta.sdkVersion = built.sdkVersion;
  results.meta.modernVersions = built.modernVersions;
  results.meta.esbuildVersion = built.esbuildVersion;
  results.meta.wasmSha256 = built.wasmSha256;
  results.meta.wasmMtime = built.wasmMtime;
  if (cfg.only.has('size')) {
    if (out.legacy) out.legacy.size = built.size;
    if (out.modern) out.modern.size = built.modernSize;
  }

  browser = await chromium.launch(LAUNCH);
  cleanup.push(() => browser.close());
  results.meta.chromium = browser.version();

  // Per era, one reference server per pollInterval and server variant (the modern era also
  // runs one with --no-listen), each behind a counting proxy, for the cold-start and
  // latency/wire figures; a fresh server for every scale run.
  const envs = {};
  if (cfg.only.has('latency') || cfg.only.has('cold')) {
    for (const era of cfg.eras) {
      envs[era] = {};
      const variants = [...new Set(ERAS[era].sides.map((s) => s.variant ?? 'main'))];
      for (const P of cfg.pollIntervals) {
        envs[era][P] = {};
        for (const variant of variants) {
          const label = `${era}-${variant}-${P}`;
          const server = await startServer({ era: ERAS[era].server, pollInterval: P, staticDir: SITE, extraArgs: VARIANT_ARGS[variant], label });
          cleanup.push(() => server.stop());
          const proxy = await startCountingProxy(server.port);
          cleanup.push(() => proxy.stop());
          envs[era][P][variant] = { server, proxy, pollInterval: P, proxyOrigin: `http://127.0.0.1:${proxy.port}` };
        }
      }
    }
  }
  const mainSides = (era) => ERAS[era].sides.filter((s) => !s.latencyOnly);

  if (cfg.only.has('cold')) {
    for (const era of cfg.eras) {
      const origin = envs[era][cfg.pollIntervals[0]].main.server.origin;
      const sides = mainSides(era).filter((x) => !x.scaleOnly);
      log(`${era} cold start: 1 warm-up pair + ${cfg.coldRuns} runs per side`);
      for (const side of sides) await coldRun(origin, era, side);
      const runs = Object.fromEntries(sides.map((s) => [s.key, []]));
      for (let i = 0; i < cfg.coldRuns; i++) for (const side of sides) runs[side.key].push(await coldRun(origin, era, side));
      const cold = out[era].cold = {};
      for (const side of sides) {
        const rs = runs[side.key];
        cold[side.key] = {
          median: median(rs.map((r) => r.totalMs)),
          importMedian: median(rs.map((r) => r.importMs)),
          initMedian: median(rs.map((r) => r.initMs)),
          connectMedian: median(rs.map((r) => r.connectMs)),
          runs: rs.map(({ sessionId, ...r }) => r),
        };
      }
      log(`${era} cold start medians: ours ${fmtMs(cold.ours.median)}, official ${fmtMs(cold.official.median)}`);
    }
  }

  if (cfg.only.has('latency')) {
    for (const era of cfg.eras) {
      const latency = out[era].latency = {};
      const sides = ERAS[era].sides.filter((x) => !x.scaleOnly);
      for (const P of cfg.pollIntervals) {
        const runs = Object.fromEntries(sides.map((s) => [s.key, []]));
        for (let r = 0; r < cfg.rounds; r++) {
          for (const side of sides) {
            const t = Date.now();
            const env = envs[era][P][side.variant ?? 'main'];
            const run = await latencyRun(env, era, side, r).catch((e) => failedRun(e, { side: side.key, round: r, tasks: cfg.tasks }));
            runs[side.key].push(run);
            const what = `${era} latency P=${P} round ${r + 1}/${cfg.rounds} ${NAME[side.key]}`;
            if (run.failed) { log(`${what}: run failed: ${run.failed}`); continue; }
            log(`${what}: median ${fmtMs(run.median)} p95 ${fmtMs(run.p95)}, ${fmtNum(run.requestsPerTask)} req/task, ${fmtBytes(run.bytesPerTask)}/task, ${run.completed}/${run.tasks} ok (${((Date.now() - t) / 1000).toFixed(1)} s)`);
          }
        }
        latency[P] = Object.fromEntries(sides.map((s) => [s.key, summarizeLatency(runs[s.key])]));
      }
    }
  }

  if (cfg.only.has('scale')) {
    for (const era of cfg.eras) {
      const scale = out[era].scale = {};
      const sides = mainSides(era);
      for (const N of cfg.scale) {
        const runs = Object.fromEntries(sides.map((s) => [s.key, []]));
        for (let r = 0; r < cfg.rounds; r++) {
          for (const side of sides) {
            const t = Date.now();
            const run = await scaleRun(era, N, side, r).catch((e) => failedRun(e, { side: side.key, round: r, n: N }));
            runs[side.key].push(run);
            const what = `${era} scale ${N} round ${r + 1}/${cfg.rounds} ${NAME[side.key]}`;
            if (run.failed) { log(`${what}: run failed: ${run.failed}`); continue; }
            log(`${what}: ${run.ok}/${N} ok, busy ${fmtNum(run.busyMsPerS, 1)} ms/s, ${fmtMs(run.mainThreadMsPerTask)}/task (CPU ${fmtMs(run.cpuMsPerTask)}), longest ${run.longestTaskMs === null ? '<50 ms' : fmtMs(run.longestTaskMs)}, ${fmtBytes(run.memoryPerTaskBytes)}/task, ${fmtNum(run.requestsPerTask)} req/task (${((Date.now() - t) / 1000).toFixed(1)} s)`);
          }
        }
        scale[N] = Object.fromEntries(sides.map((s) => [s.key, summarizeScale(runs[s.key])]));
      }
    }
  }

  results.meta.pageTrouble = pageTrouble;
  results.meta.machine.loadavgEnd = os.loadavg().map((x) => round(x, 2));
  results.meta.elapsedS = round((Date.now() - started) / 1000, 1);
  results.table = buildTable(results);
  mkdirSync(resolve(cfg.out, '..'), { recursive: true });
  writeFileSync(cfg.out, JSON.stringify(results, (k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
  process.stdout.write(results.table + '\n');
  if (process.env.BENCH_README === '1') updateReadme(results);
  log(`wrote ${relative(ROOT, cfg.out)} in ${results.meta.elapsedS} s (load average ${results.meta.machine.loadavgStart.join(' ')} → ${results.meta.machine.loadavgEnd.join(' ')})`);
}

function updateReadme(results) {
  const file = join(ROOT, 'bench/README.md');
  const text = readFileSync(file, 'utf8');
  const start = '<!-- bench:results:start -->', end = '<!-- bench:results:end -->';
  const i = text.indexOf(start), j = text.indexOf(end);
  if (i < 0 || j < i) return log('bench/README.md has no results markers: not updated');
  const m = results.meta, mc = m.machine;
  const block = [start, '',
    `Date: ${m.date}  `,
    `Machine: ${mc.cpuModel}, ${mc.cpus} CPUs, ${mc.memGiB} GiB, ${mc.os}; Node ${mc.node}; Chromium ${m.chromium}; load average ${mc.loadavgStart.join(' ')} → ${mc.loadavgEnd.join(' ')}  `,
    `Versions: @modelcontextprotocol/sdk ${m.sdkVersion}${m.modernVersions ? `, @modelcontextprotocol/client ${m.modernVersions.client}, @modelcontextprotocol/ext-tasks ${m.modernVersions.extTasks}` : ''}, esbuild ${m.esbuildVersion}, commit ${mc.commit}, wasm sha256 ${m.wasmSha256.slice(0, 12)}  `,
    `Command: \`${m.command}\` (${m.elapsedS} s)`, '', results.table, '', end].join('\n');
  writeFileSync(file, text.slice(0, i) + block + text.slice(j + end.length));
  log('updated the results section of bench/README.md');
}

function commandLine() {
  const vars = Object.keys(process.env).filter((k) => k.startsWith('BENCH_')).sort().map((k) => `${k}=${process.env[k]}`);
  return [...vars, 'node', relative(ROOT, process.argv[1]) || 'bench/run.mjs', ...process.argv.slice(2)].join(' ');
}

async function shutdown() {
  for (const f of cleanup.reverse()) {
    try { await f(); } catch {}
  }
}

process.on('SIGINT', () => { shutdown().finally(() => process.exit(130)); });
process.on('SIGTERM', () => { shutdown().finally(() => process.exit(143)); });

// BENCH_TABLE_FROM=results.json: print (and with BENCH_README=1, record) the table of an
// earlier run again, without measuring anything.
function tableFrom(file) {
  const results = JSON.parse(readFileSync(file, 'utf8'));
  Object.assign(cfg, { pollIntervals: results.meta.config.pollIntervals, scale: results.meta.config.scale });
  results.table = buildTable(results);
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(results.table + '\n');
  if (process.env.BENCH_README === '1') updateReadme(results);
}

if (process.env.BENCH_TABLE_FROM) tableFrom(process.env.BENCH_TABLE_FROM);
else main().then(shutdown, async (e) => {
  log(`failed: ${e?.stack ?? e}`);
  await shutdown();
  process.exit(1);
});
