// The concurrency pool (www/js/pool.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pool } from '../../www/js/pool.js';

test('runs every job, never more than `width` at once, results in order like allSettled', async () => {
  let running = 0;
  let peak = 0;
  const progress = [];
  const results = await pool(10, 3, async (i) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 5 - (i % 3)));
    running--;
    if (i === 4) throw new Error('four');
    return i * 2;
  }, (done) => progress.push(done), 5);
  assert.equal(peak, 3);
  assert.equal(results.length, 10);
  assert.deepEqual(results.filter((r) => r.status === 'fulfilled').map((r) => r.value), [0, 2, 4, 6, 10, 12, 14, 16, 18]);
  assert.equal(results[4].status, 'rejected');
  assert.equal(results[4].reason.message, 'four');
  assert.deepEqual(progress, [5, 10]);
});

test('fewer jobs than lanes, and none', async () => {
  assert.deepEqual(await pool(1, 6, async () => 'x'), [{ status: 'fulfilled', value: 'x' }]);
  assert.deepEqual(await pool(0, 6, async () => 'x'), []);
});
