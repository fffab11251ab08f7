// The worker entry's message protocol (pkg/worker-wire.js), which the page and the worker
// share: errors cross as data and come back as the same classes with every field, and the
// Outbox batches; and what the entry says where there is no Web Worker. No worker, no
// server. Run by `make test-node` (after `make build`); the entry itself runs in the
// consumer tests (tests/consumers/worker-entry/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Outbox, FRAME_MS, encodeError, decodeError } from '../../pkg/worker-wire.js';
import {
  McpError, TaskNotFoundError, TransportError, ProtocolError, TaskFailedError,
  TaskCancelledError, TaskExpiredError, McpTasksError,
} from '../../pkg/index.js';

// What crosses postMessage: structuredClone is the same algorithm.
const roundTrip = (e) => decodeError(structuredClone(encodeError(e)));
const task = { taskId: 't1', status: 'failed', createdAt: 'a', lastUpdatedAt: 'b', ttl: null };

test('each error class comes back as itself, with its name, message and fields', () => {
  const cases = [
    new McpError('bad', { code: -32602, data: { why: 'x' } }),
    new TaskNotFoundError('gone', { code: -32602, taskId: 't1', data: null }),
    new TransportError('HTTP 503', { code: 'ERR_TRANSPORT', status: 503, body: 'busy', tries: 4, retryable: true }),
    new ProtocolError('odd', { code: 'ERR_PROTOCOL', detail: 'odd', retryable: false }),
    new TaskCancelledError('the task was cancelled', { code: 'ERR_TASK_CANCELLED', taskId: 't1', task }),
    new TaskExpiredError('task t1 expired and is gone', { code: 'ERR_TASK_EXPIRED', taskId: 't1', task }),
  ];
  for (const e of cases) {
    const back = roundTrip(e);
    assert.equal(back.constructor, e.constructor);
    assert.ok(back instanceof McpTasksError && back instanceof Error);
    assert.equal(back.name, e.name);
    assert.equal(back.message, e.message);
    assert.deepEqual({ ...back }, { ...e });
  }
});

test('a TaskFailedError keeps its stored result, or its JSON-RPC error as an McpError', () => {
  const result = { content: [{ type: 'text', text: 'no' }], isError: true };
  const withResult = roundTrip(new TaskFailedError('the task failed', { code: 'ERR_TASK_FAILED', taskId: 't1', task, result }));
  assert.ok(withResult instanceof TaskFailedError);
  assert.deepEqual(withResult.result, result);
  assert.deepEqual(withResult.task, task);
  const inner = new McpError('boom', { code: -32603 });
  const withError = roundTrip(new TaskFailedError('the task failed: boom', { code: 'ERR_TASK_FAILED', taskId: 't1', task, error: inner }));
  assert.ok(withError.error instanceof McpError);
  assert.equal(withError.error.code, -32603);
  assert.equal(withError.error.message, 'boom');
});

test('an AbortError stays a DOMException; other errors keep their built-in class', () => {
  const abort = roundTrip(new DOMException('the client is closed', 'AbortError'));
  assert.ok(abort instanceof DOMException);
  assert.equal(abort.name, 'AbortError');
  assert.equal(abort.message, 'the client is closed');
  assert.ok(roundTrip(new TypeError('no')) instanceof TypeError);
  const thrown = roundTrip('a string');
  assert.equal(thrown.constructor, Error);
  assert.equal(thrown.message, 'a string');
});

test('Outbox with frameMs 0 posts one array per burst of pushes, in order', async () => {
  const posted = [];
  const out = new Outbox((batch) => posted.push(batch));
  for (let i = 0; i < 100; i++) out.push(['m', i]);
  assert.equal(posted.length, 0, 'nothing is posted synchronously');
  await null;
  assert.equal(posted.length, 1);
  assert.deepEqual(posted[0].map((m) => m[1]), Array.from({ length: 100 }, (_, i) => i));
  out.push(['m', 100]);
  await null;
  assert.equal(posted.length, 2);
});

test('Outbox with a frame posts at most once per frame, whatever the number of messages', async () => {
  const posted = [];
  const at = [];
  const out = new Outbox((batch) => { posted.push(batch); at.push(performance.now()); }, FRAME_MS);
  const end = performance.now() + 10 * FRAME_MS;
  let n = 0;
  while (performance.now() < end) {
    out.push(['m', n++]);
    await new Promise((r) => setTimeout(r, 1));
  }
  await new Promise((r) => setTimeout(r, 2 * FRAME_MS));
  assert.equal(posted.flat().length, n, 'every message is posted once');
  assert.deepEqual(posted.flat().map((m) => m[1]), Array.from({ length: n }, (_, i) => i));
  assert.ok(posted.length < n, `${posted.length} posts for ${n} messages`);
  // Timers may fire late, never early: consecutive posts are a frame apart (1 ms slack).
  for (let i = 1; i < at.length; i++) assert.ok(at[i] - at[i - 1] >= FRAME_MS - 1, `posts ${at[i] - at[i - 1]} ms apart`);
});

test('without Web Workers (Node), connect() refuses with a TypeError pointing to the main entry', async () => {
  const { McpClient } = await import('../../pkg/worker.js');
  await assert.rejects(McpClient.connect('http://127.0.0.1:1/mcp'),
    (e) => e instanceof TypeError && /needs Web Workers/.test(e.message) && /`mcp-tasks-wasm`/.test(e.message));
});
