// Status words, what a row offers, the summary (www/js/status.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTerminal, displayStatus, statusText, inputNote, viewLabelOf, canCancel, countByStatus, summaryText } from '../../www/js/status.js';
import { createRow } from '../../www/js/rows.js';

const row = (phase, status, extra = {}) => Object.assign(createRow({ taskId: 't', tool: 'x', startedAt: 0 }), { phase, task: status ? { status } : null }, extra);

test('terminal statuses', () => {
  assert.ok(isTerminal('completed') && isTerminal('failed') && isTerminal('cancelled'));
  assert.ok(!isTerminal('working') && !isTerminal('input_required') && !isTerminal(undefined));
});

test('displayStatus: the page\'s own phase first, then expired, then the server\'s status', () => {
  assert.equal(displayStatus(row('lost', 'working')), 'lost');
  assert.equal(displayStatus(row('stopped', 'working')), 'stopped');
  assert.equal(displayStatus(row('resuming', 'completed')), 'resuming');
  assert.equal(displayStatus(row('live', 'working')), 'working');
  assert.equal(displayStatus(row('done', 'working', { outcome: { kind: 'expired' } })), 'expired');
  assert.equal(displayStatus(row('live', null)), 'resuming', 'no snapshot yet');
  assert.deepEqual(statusText('completed'), ['✓', 'completed']);
  assert.deepEqual(statusText('weird'), ['•', 'weird']);
});

test('input notes and detail buttons', () => {
  assert.equal(inputNote(row('live', 'working'), 'working'), '');
  assert.match(inputNote(row('live', 'input_required', { asking: true }), 'input_required'), /your answer/);
  assert.match(inputNote(row('live', 'input_required', { askedBeforeReload: true }), 'input_required'), /before the page was reloaded/);
  assert.match(inputNote(row('live', 'input_required'), 'input_required'), /server’s question/);
  assert.equal(viewLabelOf('completed'), 'View result');
  assert.equal(viewLabelOf('failed'), 'View error');
  assert.equal(viewLabelOf('lost'), 'Details');
  assert.equal(viewLabelOf('working'), null);
});

test('canCancel: a followed server task that runs, on a connected client whose server cancels', () => {
  const on = { connected: true, cancel: true };
  assert.ok(canCancel(row('live', 'working'), on));
  assert.ok(canCancel(row('unreachable', 'working'), on));
  assert.ok(!canCancel(row('live', 'completed'), on));
  assert.ok(!canCancel(row('live', 'working', { local: true }), on));
  assert.ok(!canCancel(row('stopped', 'working'), on));
  assert.ok(!canCancel(row('live', 'working'), { connected: false, cancel: true }));
  assert.ok(!canCancel(row('live', 'working'), { connected: true, cancel: false }));
});

test('the summary counts by status in a fixed order', () => {
  assert.equal(summaryText([]), 'No tasks yet.');
  const rows = [row('live', 'completed'), row('live', 'working'), row('live', 'completed'), row('lost', 'working')];
  assert.deepEqual([...countByStatus(rows)], [['working', 1], ['completed', 2], ['lost', 1]]);
  assert.equal(summaryText(rows), '4 tasks: 1 working, 2 completed, 1 lost');
  assert.equal(summaryText([row('resuming', null)]), '1 task: 1 resuming');
});
