// The overview: bands of statuses and their bounded history (www/js/aggregate.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bandsOf, createHistory, addSample, chartShapes } from '../../www/js/aggregate.js';

test('statuses fold into four bands; one no band names counts as running', () => {
  const counts = new Map([['working', 3], ['resuming', 1], ['input_required', 2], ['completed', 10], ['failed', 1], ['lost', 2], ['stopped', 1], ['new-status', 4]]);
  assert.deepEqual(bandsOf(counts), { completed: 10, ended: 4, input: 2, running: 8, total: 24 });
  assert.deepEqual(bandsOf({ cancelled: 2, expired: 1 }), { completed: 0, ended: 3, input: 0, running: 0, total: 3 });
  assert.deepEqual(bandsOf(new Map()), { completed: 0, ended: 0, input: 0, running: 0, total: 0 });
});

const b = (completed, running) => ({ completed, ended: 0, input: 0, running, total: completed + running });

test('a quiet page adds no samples: a third equal sample moves the last one on', () => {
  const h = createHistory(10);
  addSample(h, 0, b(0, 5));
  addSample(h, 500, b(0, 5));
  addSample(h, 1000, b(0, 5));
  addSample(h, 1500, b(0, 5));
  assert.deepEqual(h.samples.map((s) => s.t), [0, 1500]);
  addSample(h, 2000, b(5, 0));
  assert.deepEqual(h.samples.map((s) => [s.t, s.completed]), [[0, 0], [1500, 0], [2000, 5]]);
});

test('the history stays bounded and keeps spanning the whole run', () => {
  const h = createHistory(8);
  for (let i = 0; i <= 100; i++) addSample(h, i * 100, b(i, 100 - i));
  assert.ok(h.samples.length <= 8, `${h.samples.length} samples`);
  assert.equal(h.samples[0].t, 0, 'the first sample stays');
  assert.equal(h.samples[h.samples.length - 1].t, 10_000, 'the newest is there');
  for (let i = 1; i < h.samples.length; i++) assert.ok(h.samples[i].t > h.samples[i - 1].t, 'in time order');
});

test('chart shapes stack the bands bottom up and fill the box', () => {
  const samples = [{ t: 0, ...b(0, 10) }, { t: 1000, ...b(10, 0) }];
  const shapes = chartShapes(samples, 100, 50);
  assert.deepEqual(shapes.map((s) => s.key), ['completed', 'ended', 'input', 'running']);
  const completed = shapes[0].points;
  // Upper edge left to right, then the lower edge back: 0 completed at t=0, all at t=1000.
  assert.deepEqual(completed, [[0, 50], [100, 0], [100, 50], [0, 50]]);
  assert.deepEqual(shapes[1].points, [], 'an empty band has no shape');
  assert.deepEqual(shapes[3].points, [[0, 0], [100, 0], [100, 0], [0, 50]], 'running sits on top of completed');
  assert.deepEqual(chartShapes([], 100, 50).map((s) => s.points), [[], [], [], []]);
});
