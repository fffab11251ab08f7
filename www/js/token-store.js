// The tasks this browser started on a 2026-07-28 server, by endpoint: the protocol has no
// task listing, so the page keeps each task's resume token (TaskHandle.serialize(): it
// carries the era and the endpoint) until the task is seen to end, and re-attaches to the
// remembered tasks after a reload, in a new tab, or after a reconnect.
//
// Pure over an injected Storage-like object (getItem, setItem, removeItem: localStorage in
// the page, a Map in tests/www/token-store.test.mjs). One key per endpoint. Changes wait
// in memory until flush() (the page flushes at most once a second and on pagehide), and a
// flush merges them into what is stored now, so two tabs on one endpoint keep each
// other's tasks.

const PREFIX = 'mcp-tasks-dashboard/tokens/v1 ';

/** When a task snapshot says the server will have dropped the task: createdAt + ttlMs
 * (also `ttl`, the 2025-11-25 name), or null for no limit or no way to tell. */
export function expiresAt(task) {
  const ttl = task?.ttlMs ?? task?.ttl;
  const created = Date.parse(task?.createdAt);
  return typeof ttl === 'number' && ttl >= 0 && Number.isFinite(created) ? created + ttl : null;
}

function validEntry(e) {
  return e && typeof e === 'object' && typeof e.taskId === 'string' && e.taskId !== ''
    && typeof e.token === 'string' && e.token !== '';
}

/**
 * A store of remembered tasks over `storage`. Entries are
 * { taskId, token, tool, args, startedAt, expiresAt }; at most `max` per endpoint (the
 * oldest go first).
 */
export function createTokenStore(storage, { max = 2000, prefix = PREFIX } = {}) {
  /** endpoint -> Map(taskId -> entry, or null for "forget") not yet written. */
  const pending = new Map();

  const keyOf = (endpoint) => prefix + endpoint;

  function readStored(endpoint) {
    let raw = null;
    try { raw = storage.getItem(keyOf(endpoint)); } catch { /* storage disabled */ }
    if (!raw) return [];
    try {
      const data = JSON.parse(raw);
      return Array.isArray(data?.tasks) ? data.tasks.filter(validEntry) : [];
    } catch {
      return [];
    }
  }

  /** Stored entries with this tab's pending changes applied, oldest first. */
  function current(endpoint) {
    const byId = new Map(readStored(endpoint).map((e) => [e.taskId, e]));
    for (const [taskId, entry] of pending.get(endpoint) ?? []) {
      byId.delete(taskId); // a re-remembered task moves to the end
      if (entry) byId.set(taskId, entry);
    }
    const list = [...byId.values()];
    return list.length > max ? list.slice(list.length - max) : list;
  }

  function change(endpoint, taskId, entry) {
    if (!pending.has(endpoint)) pending.set(endpoint, new Map());
    const changes = pending.get(endpoint);
    changes.delete(taskId);
    changes.set(taskId, entry);
  }

  return {
    /** The storage key of an endpoint's tasks. */
    keyOf,

    /** The remembered tasks of `endpoint` that may still exist at `now`, oldest first.
     * Those past their ttl are forgotten (written at the next flush). */
    list(endpoint, now) {
      const out = [];
      for (const e of current(endpoint)) {
        if (typeof e.expiresAt === 'number' && e.expiresAt < now) change(endpoint, e.taskId, null);
        else out.push(e);
      }
      return out;
    },

    /** Remember a task started on `endpoint` (the token from handle.serialize()). */
    remember(endpoint, { taskId, token, tool, args, startedAt, task }) {
      const entry = { taskId, token, tool, args, startedAt, expiresAt: expiresAt(task) };
      if (!validEntry(entry)) return false;
      change(endpoint, taskId, entry);
      return true;
    },

    /** Forget a task (it ended, expired, or the server does not know it). */
    forget(endpoint, taskId) {
      change(endpoint, taskId, null);
    },

    /** Whether there are changes to write. */
    get dirty() {
      return pending.size > 0;
    },

    /** Write the pending changes, merged into what is stored now. False when the storage
     * refused (full or disabled): the changes stay pending. */
    flush() {
      let ok = true;
      for (const endpoint of [...pending.keys()]) {
        const list = current(endpoint);
        try {
          if (list.length) storage.setItem(keyOf(endpoint), JSON.stringify({ tasks: list }));
          else storage.removeItem(keyOf(endpoint));
          pending.delete(endpoint);
        } catch {
          ok = false;
        }
      }
      return ok;
    },
  };
}
