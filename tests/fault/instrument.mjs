// Counts the SDK's live timers and in-flight fetches (Node). Import this module BEFORE
// the package: it replaces globalThis.setTimeout / clearTimeout / fetch with wrappers that
// keep a registry, so a test can assert that after `close()` nothing is left behind.
//
// - A timer counts as the SDK's when it was created from the wasm-bindgen glue
//   (`mcp_tasks_wasm.js` on the stack); Node's own timers (undici's) are not counted.
//   It is live from setTimeout until it fires or is cleared.
// - A fetch is in flight from the call until its response body is read to the end,
//   cancelled or errored (or the fetch rejects). A response whose body nobody reads or
//   cancels stays in flight: that is a leaked connection.
//
// The test's own waits use `realSetTimeout`, which is not counted.

export const realSetTimeout = globalThis.setTimeout;
export const realClearTimeout = globalThis.clearTimeout;
export const realFetch = globalThis.fetch;

/** handle -> { ms, at } of the SDK's live timers. */
const timers = new Map();
/** id -> { method, url, phase } of fetches in flight. */
const fetches = new Map();
let nextFetch = 1;
const totals = { timers: 0, fetches: 0 };
const waiters = new Set();

function changed() {
  for (const w of waiters) w();
}

const fromSdk = () => /mcp_tasks_wasm/.test(new Error().stack ?? '');

function setTimeoutCounted(fn, ms, ...args) {
  if (!fromSdk() || typeof fn !== 'function') return realSetTimeout(fn, ms, ...args);
  let handle;
  const wrapped = function (...a) {
    if (timers.delete(handle)) changed();
    return fn.apply(this, a);
  };
  handle = realSetTimeout(wrapped, ms, ...args);
  timers.set(handle, { ms, at: Date.now() });
  totals.timers++;
  return handle;
}
for (const k of Reflect.ownKeys(realSetTimeout)) {
  if (!(k in setTimeoutCounted)) {
    try {
      Object.defineProperty(setTimeoutCounted, k, Object.getOwnPropertyDescriptor(realSetTimeout, k));
    } catch {
      // read-only builtin property: keep ours
    }
  }
}

function clearTimeoutCounted(handle) {
  if (timers.delete(handle)) changed();
  return realClearTimeout(handle);
}

async function fetchCounted(input, init) {
  const id = nextFetch++;
  totals.fetches++;
  const info = {
    method: init?.method ?? 'GET',
    url: String(input instanceof Request ? input.url : input),
    phase: 'waiting for headers',
  };
  fetches.set(id, info);
  const done = () => {
    if (fetches.delete(id)) changed();
  };
  let resp;
  try {
    resp = await realFetch(input, init);
  } catch (e) {
    done();
    throw e;
  }
  if (!resp.body) {
    done();
    return resp;
  }
  info.phase = `reading the body (HTTP ${resp.status})`;
  const reader = resp.body.getReader();
  const tracked = new ReadableStream({
    async pull(ctrl) {
      try {
        const { done: end, value } = await reader.read();
        if (end) {
          ctrl.close();
          done();
        } else {
          ctrl.enqueue(value);
        }
      } catch (e) {
        done();
        ctrl.error(e);
      }
    },
    cancel(reason) {
      done();
      return reader.cancel(reason);
    },
  });
  return new Response(tracked, { status: resp.status, statusText: resp.statusText, headers: resp.headers });
}

globalThis.setTimeout = setTimeoutCounted;
globalThis.clearTimeout = clearTimeoutCounted;
globalThis.fetch = fetchCounted;

/** What is live now: `{ timers, fetches, detail }`. */
export function live() {
  return {
    timers: timers.size,
    fetches: fetches.size,
    detail: {
      timers: [...timers.values()].map((t) => `${t.ms} ms timer armed ${Date.now() - t.at} ms ago`),
      fetches: [...fetches.values()].map((f) => `${f.method} ${f.url}: ${f.phase}`),
    },
  };
}

/** How many SDK timers and fetches were ever started. */
export function started() {
  return { ...totals };
}

/**
 * Wait until no SDK timer is live and no fetch is in flight, or `deadlineMs` passed.
 * Resolves with the final `live()` snapshot (the caller asserts on it).
 */
export function waitQuiet(deadlineMs = 5_000) {
  return new Promise((resolve) => {
    const check = () => {
      const l = live();
      if (l.timers === 0 && l.fetches === 0) finish(l);
    };
    const finish = (l) => {
      waiters.delete(check);
      realClearTimeout(t);
      resolve(l);
    };
    const t = realSetTimeout(() => finish(live()), deadlineMs);
    waiters.add(check);
    check();
  });
}
