// Errors in plain words and what they mean for a row (www/js/errors.js). The SDK's errors
// are told apart by their stable names; these stand-ins carry the same names and fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeError, outcomeOfError, isAbort, recoveryDelay } from '../../www/js/errors.js';

const sdkError = (name, fields = {}) => Object.assign(new Error(fields.message ?? name), { name, retryable: false, ...fields });
const URL_ = 'http://127.0.0.1:9/mcp';

test('transport failures: unreachable and 5xx may pass, 401/403/404 need the person', () => {
  const down = describeError(sdkError('TransportError', { status: 0 }), URL_);
  assert.equal(down.retry, true);
  assert.match(down.text, /Cannot reach the server at http:\/\/127\.0\.0\.1:9\/mcp/);
  assert.deepEqual(describeError(sdkError('TransportError', { status: 503, retryable: true }), URL_), { text: 'The server is having trouble (HTTP 503).', retry: true });
  assert.match(describeError(sdkError('TransportError', { status: 401 }), URL_).text, /token is missing, wrong or expired/);
  assert.equal(describeError(sdkError('TransportError', { status: 403 }), URL_).retry, false);
  assert.match(describeError(sdkError('TransportError', { status: 404 }), URL_).text, /No MCP endpoint answers at http:\/\/127\.0\.0\.1:9\/mcp \(HTTP 404\)/);
  assert.match(describeError(sdkError('TransportError', { status: 418, message: 'teapot' }), URL_).text, /HTTP 418: teapot/);
});

test('protocol, JSON-RPC and task errors in words', () => {
  assert.equal(describeError(sdkError('McpError', { code: -32601, message: 'nope' })).text, 'The server answered with error -32601: nope');
  assert.match(describeError(sdkError('ProtocolError', { detail: 'bad frame' })).text, /does not understand: bad frame/);
  assert.equal(describeError(sdkError('TaskFailedError', { error: { code: 1, message: 'x' } })).text, 'x (code 1)');
  assert.equal(describeError(sdkError('TaskCancelledError')).text, 'The task was cancelled.');
  assert.match(describeError(sdkError('TaskExpiredError')).text, /expired/);
  assert.deepEqual(describeError(new DOMException('stop', 'AbortError')), { text: 'The request was stopped.', retry: false });
  assert.match(describeError(new TypeError('oops')).text, /Unexpected error: oops/);
  assert.ok(isAbort(new DOMException('x', 'AbortError')));
  assert.ok(!isAbort(new Error('x')));
});

test('outcomeOfError: each kind of end', () => {
  assert.equal(outcomeOfError(sdkError('TaskFailedError')).kind, 'failed');
  assert.equal(outcomeOfError(sdkError('TaskCancelledError')).kind, 'cancelled');
  assert.equal(outcomeOfError(sdkError('TaskExpiredError')).kind, 'expired');
  assert.equal(outcomeOfError(sdkError('TaskNotFoundError', { code: -32602 })).kind, 'lost');
  assert.equal(outcomeOfError(new DOMException('x', 'AbortError')).kind, 'stopped');
  assert.equal(outcomeOfError(sdkError('TransportError', { status: 0 })).kind, 'unreachable');
  assert.equal(outcomeOfError(sdkError('ProtocolError')).kind, 'error');
  const e = sdkError('TaskFailedError');
  assert.equal(outcomeOfError(e).error, e);
});

test('a 2026-07-28 -32602 on resume means the server does not know the task; other codes and eras do not', () => {
  const notFound = sdkError('McpError', { code: -32602, message: 'Failed to retrieve task: Task not found' });
  assert.equal(outcomeOfError(notFound, 'modern').kind, 'lost');
  assert.equal(outcomeOfError(notFound, 'legacy').kind, 'error');
  assert.equal(outcomeOfError(sdkError('McpError', { code: -32603 }), 'modern').kind, 'error');
});

test('recovery waits 1 s, doubling, capped at 15 s', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 10].map(recoveryDelay), [1000, 2000, 4000, 8000, 15000, 15000, 15000]);
});
