// The row model and how a handle's events change it (www/js/rows.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRow, adopt, settle, resumeFailed, markLost, stopFollowing, awaitsResume, clearable } from '../../www/js/rows.js';

const NOW = 1_000_000;
const snap = (status, extra = {}) => ({ taskId: 't1', status, createdAt: '2026-11-29T00:00:00.000Z', lastUpdatedAt: '2026-11-29T00:00:04.000Z', ...extra });
const fresh = (extra = {}) => Object.assign(createRow({ taskId: 't1', tool: 'sleep', args: { ms: 4000 }, startedAt: 500_000, local: !!extra.local }), extra);
const named = (name, fields = {}) => Object.assign(new Error(name), { name, ...fields });

test('a new row waits to be followed; adopting a handle makes it live with its token', () => {
  const row = fresh();
  assert.equal(row.phase, 'resuming');
  assert.ok(awaitsResume(row));
  assert.ok(!clearable(row));
  row.handle = {};
  adopt(row, snap('working'), 'TOKEN', NOW);
  assert.equal(row.phase, 'live');
  assert.equal(row.token, 'TOKEN');
  assert.equal(row.endedAt, null);
  assert.ok(!awaitsResume(row));
});

test('no token is kept for a plain call or a task already ended; a row without a start takes createdAt', () => {
  const local = fresh({ local: true });
  adopt(local, snap('completed'), 'TOKEN', NOW);
  assert.equal(local.token, null);
  const ended = fresh();
  adopt(ended, snap('failed'), 'TOKEN', NOW);
  assert.equal(ended.token, null);
  const followed = createRow({ taskId: 't1', tool: '(unknown)' });
  adopt(followed, snap('working'), 'T', NOW);
  assert.equal(followed.startedAt, Date.parse('2026-11-29T00:00:00.000Z'));
});

test('a result: done, summary from its first text, the duration by the server\'s clock, token dropped, ended', () => {
  const row = fresh();
  adopt(row, snap('completed'), 'T', NOW);
  row.token = 'T';
  const next = settle(row, { kind: 'result', result: { content: [{ type: 'text', text: 'slept\nwell' }] } }, NOW, '');
  assert.deepEqual(next, { recover: false, ended: true });
  assert.equal(row.phase, 'done');
  assert.equal(row.summary, 'Result: slept well');
  assert.equal(row.endedAt, 500_000 + 4000);
  assert.equal(row.token, null);
  assert.equal(row.handle, null);
  assert.ok(clearable(row));
  const fetching = fresh({ phase: 'live', handle: {}, task: snap('completed') });
  assert.ok(clearable(fetching), 'shown completed while its handle still fetches the result');
  assert.ok(!clearable(fresh({ phase: 'live', handle: {}, task: snap('working') })), 'a followed running task stays');
  assert.ok(!clearable(fresh({ phase: 'unreachable', task: snap('working') })), 'a task waiting for the server stays');
  assert.ok(clearable(fresh({ phase: 'stopped', task: snap('working') })));
  const bare = fresh();
  bare.task = { status: 'completed' };
  settle(bare, { kind: 'result', result: {} }, NOW, '');
  assert.equal(bare.summary, 'Result ready.');
  assert.equal(bare.endedAt, NOW, 'no server times: the page\'s clock');
});

test('failed, cancelled and expired end the task too', () => {
  const failed = fresh({ task: snap('failed') });
  assert.deepEqual(settle(failed, { kind: 'failed', error: named('TaskFailedError', { result: { content: [{ type: 'text', text: 'the disk is on fire' }] } }) }, NOW, ''), { recover: false, ended: true });
  assert.equal(failed.summary, 'Error: the disk is on fire');
  const cancelled = fresh({ task: snap('cancelled') });
  assert.equal(settle(cancelled, { kind: 'cancelled' }, NOW, '').ended, true);
  assert.equal(cancelled.summary, '');
  const expired = fresh({ task: snap('working') });
  assert.equal(settle(expired, { kind: 'expired' }, NOW, '').ended, true);
  assert.equal(expired.phase, 'done');
  assert.equal(expired.outcome.kind, 'expired');
});

test('lost ends the task; unreachable asks for recovery and keeps the token; stopped and error do neither', () => {
  const lost = fresh({ token: 'T' });
  assert.deepEqual(settle(lost, { kind: 'lost' }, NOW, ''), { recover: false, ended: true });
  assert.equal(lost.phase, 'lost');
  assert.equal(lost.token, null);
  assert.equal(lost.endedAt, NOW);
  const away = fresh({ token: 'T' });
  assert.deepEqual(settle(away, { kind: 'unreachable' }, NOW, ''), { recover: true, ended: false });
  assert.equal(away.phase, 'unreachable');
  assert.equal(away.token, 'T');
  assert.match(away.note, /following again when it does/);
  assert.ok(awaitsResume(away));
  const stopped = fresh({ token: 'T' });
  assert.deepEqual(settle(stopped, { kind: 'stopped' }, NOW, ''), { recover: false, ended: false });
  assert.equal(stopped.token, null);
  const broken = fresh();
  assert.deepEqual(settle(broken, { kind: 'error', error: named('ProtocolError', { detail: 'garbage' }) }, NOW, ''), { recover: false, ended: false });
  assert.equal(broken.phase, 'error');
  assert.match(broken.summary, /does not understand: garbage/);
});

test('a failed resume: lost ends it, unreachable recovers, anything else is an error', () => {
  const lost = fresh({ token: 'T' });
  assert.deepEqual(resumeFailed(lost, { kind: 'lost' }, NOW, ''), { recover: false, ended: true });
  assert.equal(lost.phase, 'lost');
  const away = fresh();
  assert.deepEqual(resumeFailed(away, { kind: 'unreachable' }, NOW, ''), { recover: true, ended: false });
  const odd = fresh();
  assert.deepEqual(resumeFailed(odd, { kind: 'error', error: named('McpError', { code: -1, message: 'm' }) }, NOW, 'u'), { recover: false, ended: false });
  assert.equal(odd.summary, 'The server answered with error -1: m');
});

test('disconnecting stops running rows only; markLost keeps an earlier end', () => {
  const running = fresh({ phase: 'live', task: snap('working'), token: 'T' });
  assert.equal(stopFollowing(running, NOW), true);
  assert.equal(running.phase, 'stopped');
  assert.equal(running.token, null);
  assert.equal(stopFollowing(fresh({ phase: 'done', task: snap('completed') }), NOW), false);
  assert.equal(stopFollowing(fresh({ phase: 'lost' }), NOW), false);
  const ended = fresh({ endedAt: 5 });
  markLost(ended, NOW);
  assert.equal(ended.endedAt, 5);
});
