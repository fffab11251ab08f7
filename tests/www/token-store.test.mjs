// The remembered tasks of 2026-07-28 servers (www/js/token-store.js), over a fake Storage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTokenStore, expiresAt } from '../../www/js/token-store.js';

/** A Storage-like Map; `full` makes setItem throw like a full localStorage. */
function fakeStorage() {
  const map = new Map();
  return {
    map,
    full: false,
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem(k, v) {
      if (this.full) throw new DOMException('full', 'QuotaExceededError');
      map.set(k, String(v));
    },
    removeItem: (k) => { map.delete(k); },
  };
}

const A = 'http://127.0.0.1:1/mcp';
const B = 'http://127.0.0.1:2/mcp';
const task = (createdAt = '2026-11-29T00:00:00.000Z', ttlMs = 60_000) => ({ taskId: 't', status: 'working', createdAt, ttlMs });
const entry = (taskId, extra = {}) => ({ taskId, token: `{"v":1,"taskId":"${taskId}"}`, tool: 'sleep', args: { ms: 1 }, startedAt: 1, task: task(), ...extra });
const NOW = Date.parse('2026-11-29T00:00:30.000Z');

test('remembered tasks survive a new store over the same storage (a reload), by endpoint', () => {
  const storage = fakeStorage();
  const one = createTokenStore(storage);
  one.remember(A, entry('a1'));
  one.remember(A, entry('a2'));
  one.remember(B, entry('b1'));
  assert.equal(storage.map.size, 0, 'nothing is written before flush()');
  assert.ok(one.dirty);
  assert.equal(one.flush(), true);
  assert.equal(one.dirty, false);
  const two = createTokenStore(storage);
  assert.deepEqual(two.list(A, NOW).map((e) => e.taskId), ['a1', 'a2']);
  assert.deepEqual(two.list(B, NOW).map((e) => e.taskId), ['b1']);
  const [a1] = two.list(A, NOW);
  assert.equal(a1.tool, 'sleep');
  assert.deepEqual(a1.args, { ms: 1 });
  assert.equal(a1.token, '{"v":1,"taskId":"a1"}');
});

test('a forgotten task is gone after the flush, and the key is removed when none is left', () => {
  const storage = fakeStorage();
  const store = createTokenStore(storage);
  store.remember(A, entry('a1'));
  store.remember(A, entry('a2'));
  store.flush();
  store.forget(A, 'a1');
  assert.deepEqual(store.list(A, NOW).map((e) => e.taskId), ['a2'], 'pending changes show at once');
  store.flush();
  assert.deepEqual(createTokenStore(storage).list(A, NOW).map((e) => e.taskId), ['a2']);
  store.forget(A, 'a2');
  store.flush();
  assert.equal(storage.getItem(store.keyOf(A)), null);
});

test('two tabs on one endpoint keep each other\'s tasks (a flush merges into what is stored)', () => {
  const storage = fakeStorage();
  const tab1 = createTokenStore(storage);
  const tab2 = createTokenStore(storage);
  tab1.remember(A, entry('x'));
  tab2.remember(A, entry('y'));
  tab1.flush();
  tab2.flush();
  assert.deepEqual(createTokenStore(storage).list(A, NOW).map((e) => e.taskId).sort(), ['x', 'y']);
  tab2.forget(A, 'x');
  tab2.flush();
  assert.deepEqual(createTokenStore(storage).list(A, NOW).map((e) => e.taskId), ['y']);
});

test('tasks past their ttl are not listed and are dropped at the next flush', () => {
  const storage = fakeStorage();
  const store = createTokenStore(storage);
  store.remember(A, entry('old', { task: task('2026-11-28T00:00:00.000Z', 1000) }));
  store.remember(A, entry('young'));
  store.remember(A, entry('forever', { task: { ...task(), ttlMs: null } }));
  store.flush();
  assert.deepEqual(store.list(A, NOW).map((e) => e.taskId), ['young', 'forever']);
  store.flush();
  const raw = JSON.parse(storage.getItem(store.keyOf(A)));
  assert.deepEqual(raw.tasks.map((e) => e.taskId), ['young', 'forever']);
  assert.deepEqual(store.list(A, NOW + 3_600_000).map((e) => e.taskId), ['forever'], 'an hour later the young one is past its minute');
});

test('expiresAt reads createdAt + ttlMs (or ttl), null when unknown', () => {
  assert.equal(expiresAt(task('2026-11-29T00:00:00.000Z', 5000)), Date.parse('2026-11-29T00:00:05.000Z'));
  assert.equal(expiresAt({ createdAt: '2026-11-29T00:00:00.000Z', ttl: 1000 }), Date.parse('2026-11-29T00:00:01.000Z'));
  assert.equal(expiresAt({ createdAt: '2026-11-29T00:00:00.000Z', ttlMs: null }), null);
  assert.equal(expiresAt({ ttlMs: 5 }), null);
  assert.equal(expiresAt(undefined), null);
});

test('at most `max` tasks per endpoint: the oldest go first', () => {
  const storage = fakeStorage();
  const store = createTokenStore(storage, { max: 3 });
  for (const id of ['1', '2', '3', '4', '5']) store.remember(A, entry(id));
  store.flush();
  assert.deepEqual(createTokenStore(storage, { max: 3 }).list(A, NOW).map((e) => e.taskId), ['3', '4', '5']);
});

test('corrupt or foreign data is ignored, invalid entries are refused', () => {
  const storage = fakeStorage();
  const store = createTokenStore(storage);
  storage.setItem(store.keyOf(A), '{not json');
  assert.deepEqual(store.list(A, NOW), []);
  storage.setItem(store.keyOf(A), JSON.stringify({ tasks: [{ taskId: 'ok', token: 't' }, { taskId: 3, token: 't' }, { taskId: 'no-token' }, null] }));
  assert.deepEqual(store.list(A, NOW).map((e) => e.taskId), ['ok']);
  assert.equal(store.remember(A, { taskId: 'x', token: '' }), false);
  assert.equal(store.remember(A, { taskId: '', token: 't' }), false);
  assert.equal(store.dirty, false, 'a refused entry changes nothing');
});

test('a full or disabled storage: flush() says so and keeps the changes for later', () => {
  const storage = fakeStorage();
  const store = createTokenStore(storage);
  store.remember(A, entry('a1'));
  storage.full = true;
  assert.equal(store.flush(), false);
  assert.ok(store.dirty);
  storage.full = false;
  assert.equal(store.flush(), true);
  assert.deepEqual(createTokenStore(storage).list(A, NOW).map((e) => e.taskId), ['a1']);
  const broken = createTokenStore({ getItem() { throw new Error('SecurityError'); }, setItem() { throw new Error('SecurityError'); }, removeItem() {} });
  broken.remember(A, entry('a1'));
  assert.deepEqual(broken.list(A, NOW).map((e) => e.taskId), ['a1'], 'this tab still knows its own tasks');
  assert.equal(broken.flush(), false);
});
