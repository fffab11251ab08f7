// One page of the task table at a time (www/js/paging.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAGE_SIZE, pageWindow, windowRows, pageLabel } from '../../www/js/paging.js';

test('pages of 100 over 1,000 rows, clamped to the pages there are', () => {
  assert.equal(PAGE_SIZE, 100);
  assert.deepEqual(pageWindow(1000, 0), { page: 0, pages: 10, start: 0, end: 100 });
  assert.deepEqual(pageWindow(1000, 9), { page: 9, pages: 10, start: 900, end: 1000 });
  assert.deepEqual(pageWindow(1000, 12), { page: 9, pages: 10, start: 900, end: 1000 });
  assert.deepEqual(pageWindow(1000, -3), { page: 0, pages: 10, start: 0, end: 100 });
  assert.deepEqual(pageWindow(250, 2), { page: 2, pages: 3, start: 200, end: 250 });
  assert.deepEqual(pageWindow(0, 4), { page: 0, pages: 1, start: 0, end: 0 });
  assert.deepEqual(pageWindow(7, 0, 3), { page: 0, pages: 3, start: 0, end: 3 });
});

test('the window is newest first over rows kept oldest first', () => {
  const rows = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  assert.deepEqual(windowRows(rows, pageWindow(rows.length, 0, 3)), ['g', 'f', 'e']);
  assert.deepEqual(windowRows(rows, pageWindow(rows.length, 1, 3)), ['d', 'c', 'b']);
  assert.deepEqual(windowRows(rows, pageWindow(rows.length, 2, 3)), ['a']);
  assert.deepEqual(windowRows([], pageWindow(0, 0, 3)), []);
});

test('the label counts from 1 with thousands separators', () => {
  assert.equal(pageLabel(pageWindow(1000, 0), 1000), 'Tasks 1–100 of 1,000 (newest first)');
  assert.equal(pageLabel(pageWindow(250, 2), 250), 'Tasks 201–250 of 250 (newest first)');
  assert.equal(pageLabel(pageWindow(0, 0), 0), 'No tasks.');
});
