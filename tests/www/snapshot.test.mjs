// The tab's saved view (www/js/snapshot.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snapshotOf, parseSnapshot, restoreRows, MAX_SAVED_TASKS } from '../../www/js/snapshot.js';
import { createRow } from '../../www/js/rows.js';

const conn = { url: 'http://h/mcp', token: 'secret', sessionId: 's1', serverInfo: { name: 'n' }, capabilities: {}, protocolVersion: '2025-11-25', client: {} };

function rowAs(taskId, phase, status, extra = {}) {
  return Object.assign(createRow({ taskId, tool: 'sleep', args: { ms: 1 }, startedAt: 10 }), { phase, task: status ? { status } : null, handle: {}, dom: {} }, extra);
}

test('a snapshot round-trips through JSON: live rows come back resuming, ended ones as they were', () => {
  const rows = [
    rowAs('a', 'live', 'working', { token: 'TA', polls: 3, progress: { progress: 1, total: 2 } }),
    rowAs('b', 'done', 'completed', { outcome: { kind: 'result', result: {} }, summary: 'Result: x', endedAt: 20 }),
    rowAs('c', 'unreachable', 'working', { token: 'TC' }),
    rowAs('d', 'lost', 'working'),
    rowAs('e', 'live', 'input_required'),
  ];
  const saved = parseSnapshot(JSON.stringify(snapshotOf(conn, rows, false)));
  assert.equal(saved.url, 'http://h/mcp');
  assert.equal(saved.sessionId, 's1');
  assert.equal(saved.protocolVersion, '2025-11-25');
  assert.equal(saved.client, undefined, 'no live objects are saved');
  const back = restoreRows(saved, 99);
  assert.deepEqual(back.map((r) => [r.taskId, r.phase]), [['a', 'resuming'], ['b', 'done'], ['c', 'resuming'], ['d', 'lost'], ['e', 'resuming']]);
  assert.equal(back[0].token, 'TA');
  assert.equal(back[0].polls, 3);
  assert.deepEqual(back[0].progress, { progress: 1, total: 2 });
  assert.deepEqual(back[1].outcome, { kind: 'result', restored: true }, 'the result itself is fetched again when shown');
  assert.equal(back[1].summary, 'Result: x');
  assert.equal(back[1].endedAt, 20);
  assert.equal(back[4].askedBeforeReload, true);
  assert.ok(back.every((r) => r.handle === null && r.dom === null));
});

test('a task waiting for input is not asked again after a reload in 2025-11-25; in 2026-07-28 it is', () => {
  const rows = [rowAs('e', 'live', 'input_required')];
  const [legacy] = restoreRows(parseSnapshot(JSON.stringify(snapshotOf(conn, rows, false))), 1);
  assert.equal(legacy.askedBeforeReload, true);
  const [modern] = restoreRows(parseSnapshot(JSON.stringify(snapshotOf({ ...conn, protocolVersion: '2026-07-28', sessionId: null }, rows, false))), 1);
  assert.equal(modern.askedBeforeReload, false);
});

test('after a disconnect, rows that were running come back stopped', () => {
  const saved = parseSnapshot(JSON.stringify(snapshotOf(conn, [rowAs('a', 'live', 'working')], true)));
  assert.equal(saved.disconnected, true);
  const [a] = restoreRows(saved, 99);
  assert.equal(a.phase, 'stopped');
  assert.equal(a.endedAt, 99);
});

test('only the newest rows are kept; junk is refused', () => {
  const many = Array.from({ length: MAX_SAVED_TASKS + 5 }, (_, i) => rowAs(`t${i}`, 'done', 'completed'));
  const saved = snapshotOf(conn, many, false);
  assert.equal(saved.tasks.length, MAX_SAVED_TASKS);
  assert.equal(saved.tasks[0].taskId, 't5');
  assert.equal(parseSnapshot(null), null);
  assert.equal(parseSnapshot('{oops'), null);
  assert.equal(parseSnapshot('{"tasks":[]}'), null, 'no url: unusable');
  assert.deepEqual(restoreRows({ url: 'u', tasks: [null, { taskId: 5 }, { taskId: 'ok' }] }, 1).map((r) => [r.taskId, r.tool, r.phase]), [['ok', '?', 'done']]);
});
