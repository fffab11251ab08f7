// What the server offers for tasks, by protocol generation (www/js/era.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eraOf, taskFeatures, toolTaskSupport, startsTask, capabilityLines } from '../../www/js/era.js';

test('eraOf: 2026-07-28 and later are modern, earlier dates legacy, nothing unknown', () => {
  assert.equal(eraOf('2026-07-28'), 'modern');
  assert.equal(eraOf('2027-01-01'), 'modern');
  assert.equal(eraOf('2025-11-25'), 'legacy');
  assert.equal(eraOf(undefined), 'unknown');
  assert.equal(eraOf(null), 'unknown');
  assert.equal(eraOf(''), 'unknown');
});

test('modern: tasks are the server\'s choice, no listing, cancel offered, whatever the capabilities say', () => {
  const f = taskFeatures('2026-07-28', { tools: {}, extensions: {} });
  assert.deepEqual(f, { era: 'modern', known: true, taskCalls: 'server', list: false, cancel: true });
  assert.equal(toolTaskSupport({ name: 'sleep' }, f), 'server');
  assert.equal(toolTaskSupport({ name: 'x', execution: { taskSupport: 'forbidden' } }, f), 'forbidden');
  assert.ok(startsTask('server', f));
  assert.ok(!startsTask('forbidden', f));
  const lines = capabilityLines(f);
  assert.deepEqual(lines.map(([label, yes]) => [label, yes]), [
    ['Tool calls as tasks', true], ['List tasks (tasks/list)', false], ['Cancel tasks (tasks/cancel)', true]]);
  assert.match(lines[1][2], /not in 2026-07-28/);
});

test('legacy: each feature comes from capabilities.tasks', () => {
  const all = { tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } };
  assert.deepEqual(taskFeatures('2025-11-25', all), { era: 'legacy', known: true, taskCalls: true, list: true, cancel: true });
  assert.deepEqual(taskFeatures('2025-11-25', { tools: {} }), { era: 'legacy', known: true, taskCalls: false, list: false, cancel: false });
  const f = taskFeatures('2025-11-25', all);
  assert.equal(toolTaskSupport({ execution: { taskSupport: 'required' } }, f), 'required');
  assert.equal(toolTaskSupport({}, f), 'forbidden');
  assert.ok(!startsTask('optional', taskFeatures('2025-11-25', { tools: {} })), 'no task calls: a plain call');
});

test('nothing known yet (a reattached session): calls and listing are tried, cancel is not offered, no capability shown as yes', () => {
  const f = taskFeatures(null, null);
  assert.equal(f.known, false);
  assert.equal(f.taskCalls, true);
  assert.equal(f.list, true);
  assert.equal(f.cancel, false);
  assert.ok(capabilityLines(f).every(([, yes]) => yes === false));
});
