// The one scenario every side runs. The harness (bench/run.mjs) loads this page, picks a
// side with bench.load('A' | 'B' | 'M') and drives it through window.bench. Only the
// adapter differs between the sides:
//   A = ours (both eras; the server decides which): McpClient.connect(url) +
//                 callToolAsTask('sleep', args) + handle.result()
//   B = official, 2025-11-25: new Client + StreamableHTTPClientTransport,
//                 client.connect(transport), client.experimental.tasks.callToolStream(
//                 { name: 'sleep', arguments }, undefined, { task: {} }) iterated until
//                 its 'result' message.
//   M = official, 2026-07-28: @modelcontextprotocol/client + ext-tasks with the fetch
//                 dispatcher of official-modern.js; session.callTool('sleep', args), then
//                 the execution's result() (its outcome) through resultFromTaskOutcome.
// The client bundle is imported lazily (timed for the cold-start figure).

const wall = () => performance.timeOrigin + performance.now();

class Ours {
  static async load() {
    const t0 = performance.now();
    const m = await import('./ours.min.js');
    const t1 = performance.now();
    const wasm = await m.default();
    const t2 = performance.now();
    const a = new Ours();
    a.m = m;
    a.wasm = wasm;
    return { adapter: a, importMs: t1 - t0, initMs: t2 - t1 };
  }
  async connect(url) {
    this.client = await this.m.McpClient.connect(url, { clientInfo: { name: 'mcp-bench', version: '1' } });
  }
  get sessionId() { return this.client.sessionId; }
  wasmBytes() { return this.wasm.memory.buffer.byteLength; }
  start(args, hooks) {
    this.client.callToolAsTask('sleep', args)
      .then((h) => { hooks.created(h.taskId); return h.result(); })
      .then(() => hooks.done(null), (e) => hooks.done(e));
  }
  async close() { await this.client.close(); }
}

/** Ours in worker mode: mcp-tasks-wasm/worker (the client in a dedicated Web Worker, the
 * same API on the page through a proxy). The page holds no wasm. */
class OursWorker extends Ours {
  static async load() {
    const t0 = performance.now();
    const m = await import('./ours-worker.min.js');
    const t1 = performance.now();
    const a = new OursWorker();
    a.m = m;
    return { adapter: a, importMs: t1 - t0, initMs: 0 };
  }
  wasmBytes() { return 0; }
}

class Official {
  static async load() {
    const t0 = performance.now();
    const m = await import('./official.min.js');
    const t1 = performance.now();
    const a = new Official();
    a.m = m;
    return { adapter: a, importMs: t1 - t0, initMs: 0 };
  }
  async connect(url) {
    this.client = new this.m.Client({ name: 'mcp-bench', version: '1' }, { capabilities: {} });
    this.transport = new this.m.StreamableHTTPClientTransport(new URL(url));
    await this.client.connect(this.transport);
  }
  get sessionId() { return this.transport.sessionId; }
  wasmBytes() { return 0; }
  start(args, hooks) {
    (async () => {
      // `task: {}` explicitly: without it callToolStream only sends `task` for tools it
      // learned from tools/list, which would cost the official client an extra request.
      const stream = this.client.experimental.tasks.callToolStream(
        { name: 'sleep', arguments: args }, undefined, { task: {} });
      for await (const msg of stream) {
        if (msg.type === 'taskCreated') hooks.created(msg.task.taskId);
        else if (msg.type === 'result') return hooks.done(null);
        else if (msg.type === 'error') return hooks.done(msg.error);
      }
      hooks.done(new Error('callToolStream ended without a result'));
    })().catch((e) => hooks.done(e));
  }
  async close() {
    try { await this.transport.terminateSession(); } catch {}
    await this.client.close();
  }
}

class OfficialModern {
  static async load() {
    const t0 = performance.now();
    const m = await import('./official-modern.min.js');
    const t1 = performance.now();
    const a = new OfficialModern();
    a.m = m;
    return { adapter: a, importMs: t1 - t0, initMs: 0 };
  }
  async connect(url) {
    Object.assign(this, await this.m.connect(url, { name: 'mcp-bench', version: '1' }));
  }
  get sessionId() { return undefined; }
  wasmBytes() { return 0; }
  start(args, hooks) {
    (async () => {
      const execution = await this.session.callTool('sleep', args, { resultCodec: this.m.anyResult });
      if (execution.handle) hooks.created(execution.handle.taskId);
      const outcome = await execution.result();
      try {
        this.m.resultFromTaskOutcome(outcome);
      } finally {
        execution.close().catch(() => {});
      }
    })().then(() => hooks.done(null), (e) => hooks.done(e));
  }
  async close() {
    await this.session.close();
    await this.client.close();
  }
}

const SIDES = { A: Ours, W: OursWorker, B: Official, M: OfficialModern };

// Long tasks (>= 50 ms) of this page's main thread, from page load on.
const longTasks = [];
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
} catch {}

// A 10 ms heartbeat: its lateness bounds the longest main-thread task from below, also for
// tasks shorter than the 50 ms long-task threshold. Runs only during scale runs.
const heartbeat = {
  timer: 0, gaps: [], max: 0,
  start() {
    this.gaps = []; this.max = 0;
    let expected = performance.now() + 10;
    const tick = () => {
      const t = performance.now();
      const late = t - expected;
      if (late > 20) this.gaps.push({ start: expected, late });
      expected = t + 10;
      this.timer = setTimeout(tick, 10);
    };
    this.timer = setTimeout(tick, 10);
  },
  stop() { clearTimeout(this.timer); },
};

function mulberry32(seed) {
  return function () {
    seed |= 0; seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const errText = (e) => String(e?.name && e?.message ? `${e.name}: ${e.message}` : e?.message ?? e).slice(0, 200);

let adapter = null;
let scale = null;

window.bench = {
  ready: true,

  async load(side) {
    const r = await SIDES[side].load();
    adapter = r.adapter;
    return { importMs: r.importMs, initMs: r.initMs };
  },

  async connect(url) {
    const t0 = performance.now();
    await adapter.connect(url);
    return { connectMs: performance.now() - t0, sessionId: adapter.sessionId };
  },

  /** Cold start: import the client bundle (and instantiate the wasm), connect. */
  async cold(side, url) {
    const t0 = performance.now();
    const r = await SIDES[side].load();
    adapter = r.adapter;
    const t1 = performance.now();
    await adapter.connect(url);
    const t2 = performance.now();
    const out = { totalMs: t2 - t0, importMs: r.importMs, initMs: r.initMs, connectMs: t2 - t1, sessionId: adapter.sessionId };
    await adapter.close();
    return out;
  },

  now: () => performance.now(),

  /** One short task to completion (BENCH_WARMUP=1): takes one-off costs out of a run. */
  warmup() {
    return new Promise((resolve) => adapter.start({ ms: 10, text: 'warm-up' }, { created() {}, done: (e) => resolve(e ? errText(e) : null) }));
  },
  wasmBytes: () => adapter.wasmBytes(),
  async close() { await adapter.close(); },

  /**
   * Detection latency: `n` sleep tasks, `concurrency` at a time (a new one starts when one
   * settles), durations drawn uniformly from [msMin, msMax] with a seeded generator (same
   * sequence on both sides). Records when each promise resolved, on the wall clock the
   * server uses too (performance.timeOrigin + performance.now()).
   */
  async latency({ n, concurrency, seed, msMin, msMax }) {
    const rnd = mulberry32(seed);
    const plan = Array.from({ length: n }, () => Math.round(msMin + rnd() * (msMax - msMin)));
    const out = [];
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        const rec = { i, ms: plan[i], taskId: null, startedAt: wall(), createdAt: null, resolvedAt: null, error: null };
        out.push(rec);
        await new Promise((resolve) => {
          let settled = false;
          adapter.start({ ms: plan[i], text: `t${i}` }, {
            created: (id) => { rec.taskId = id; rec.createdAt = wall(); },
            done: (e) => {
              if (settled) return;
              settled = true;
              rec.resolvedAt = wall();
              if (e) rec.error = errText(e);
              resolve();
            },
          });
        });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return out;
  },

  /** Date.now() minus the clock the latency figures use (a sanity check of the clock domain). */
  clockOffset: () => Date.now() - wall(),

  /**
   * Scale: start `n` sleep tasks of `ms`, all in one synchronous loop (pace 0, the default:
   * what `Promise.all(items.map(...))` does) or `pace` tasks per second; returns at once.
   */
  scaleStart({ n, ms, pace = 0 }) {
    heartbeat.start();
    const t0 = performance.now();
    const s = scale = {
      n, t0, created: 0, settled: 0, ok: 0, failedBeforeCreated: 0, errors: {},
      tAllCreated: null, tAllSettled: null, waiters: [],
    };
    const check = () => {
      if (s.tAllCreated === null && s.created + s.failedBeforeCreated === n) s.tAllCreated = performance.now();
      if (s.tAllSettled === null && s.settled === n) s.tAllSettled = performance.now();
      for (const w of s.waiters.splice(0)) if (!w()) s.waiters.push(w);
    };
    const startOne = () => {
      let created = false, settled = false;
      adapter.start({ ms, text: 's' }, {
        created: () => { created = true; s.created++; check(); },
        done: (e) => {
          if (settled) return;
          settled = true;
          s.settled++;
          if (e) {
            if (!created) s.failedBeforeCreated++;
            const k = errText(e);
            s.errors[k] = (s.errors[k] ?? 0) + 1;
          } else s.ok++;
          check();
        },
      });
    };
    if (!pace) {
      for (let i = 0; i < n; i++) startOne();
    } else {
      // `pace` per second, in slices every 50 ms.
      let started = 0;
      const slice = () => {
        const due = Math.min(n, Math.ceil(((performance.now() - t0 + 50) * pace) / 1000));
        while (started < due) { started++; startOne(); }
        if (started < n) setTimeout(slice, 50);
      };
      slice();
    }
    return { startLoopMs: performance.now() - t0 };
  },

  /** Resolves once every task is created (or failed), or after timeoutMs. */
  scaleWait(what, timeoutMs) {
    const s = scale;
    const key = what === 'created' ? 'tAllCreated' : 'tAllSettled';
    return new Promise((resolve) => {
      const report = () => ({ created: s.created, settled: s.settled, ok: s.ok, done: s[key] !== null, tracked: s.created - (s.settled - s.failedBeforeCreated), at: performance.now() });
      if (s[key] !== null) return resolve(report());
      const timer = setTimeout(() => { s.waiters = s.waiters.filter((w) => w !== waiter); resolve(report()); }, timeoutMs);
      const waiter = () => {
        if (s[key] === null) return false;
        clearTimeout(timer);
        resolve(report());
        return true;
      };
      s.waiters.push(waiter);
    });
  },

  scaleReport() {
    heartbeat.stop();
    const s = scale;
    return {
      n: s.n, created: s.created, settled: s.settled, ok: s.ok, errors: s.errors,
      t0: s.t0, tAllCreated: s.tAllCreated, tAllSettled: s.tAllSettled, end: performance.now(),
      longTasks: longTasks.filter((t) => t.start + t.duration >= s.t0),
      gaps: heartbeat.gaps,
    };
  },
};
