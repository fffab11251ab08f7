// Errors in plain words, and what each means for a row. Pure: the SDK's errors are told
// apart by their stable `name` (McpError, TaskNotFoundError, TransportError,
// ProtocolError, TaskFailedError, TaskCancelledError, TaskExpiredError; AbortError like
// fetch), so this module needs neither the DOM nor the wasm; tested by
// tests/www/errors.test.mjs.

import { failureText } from './format.js';

export const isAbort = (err) => err?.name === 'AbortError';

/** { text, retry }: what went wrong for a person, and whether waiting may fix it. `url` is
 * the server's, for the words. */
export function describeError(err, url) {
  if (isAbort(err)) return { text: 'The request was stopped.', retry: false };
  switch (err?.name) {
    case 'TransportError': {
      const s = err.status;
      if (s === 0) {
        return {
          text: `Cannot reach the server at ${url}. It may be down or restarting, the address may be wrong, or this page's security policy may not allow it.`,
          retry: true,
        };
      }
      if (s === 401) return { text: 'The server refused the request (HTTP 401 Unauthorized): the bearer token is missing, wrong or expired. Enter a valid token and connect again.', retry: false };
      if (s === 403) return { text: 'The server refused the request (HTTP 403 Forbidden): this token may not use it.', retry: false };
      if (s === 404 || s === 405) return { text: `No MCP endpoint answers at ${url} (HTTP ${s}). Check the address: it usually ends in /mcp.`, retry: false };
      // The SDK says which failures may pass (408, 425, 429, 5xx).
      if (err.retryable) return { text: `The server is having trouble (HTTP ${s}).`, retry: true };
      return { text: `The server answered HTTP ${s}: ${err.message}`, retry: false };
    }
    case 'McpError':
    case 'TaskNotFoundError':
      return { text: `The server answered with error ${err.code}: ${err.message}`, retry: false };
    case 'AuthError':
      return { text: `Signing in to the server failed (${err.reason}): ${err.message}`, retry: false };
    case 'ProtocolError':
      return { text: `The server sent something this page does not understand: ${err.detail ?? err.message}`, retry: false };
    case 'TaskFailedError': return { text: failureText(err), retry: false };
    case 'TaskCancelledError': return { text: 'The task was cancelled.', retry: false };
    case 'TaskExpiredError': return { text: 'The task expired: the server no longer keeps it.', retry: false };
    default: return { text: `Unexpected error: ${err?.message ?? String(err)}`, retry: false };
  }
}

/** The JSON-RPC code of 2026-07-28's "no such task" (tasks/get on an unknown or dropped
 * id); the SDK reports it as a plain McpError when resuming. */
const MODERN_NOT_FOUND = -32602;

/**
 * What a handle's rejection (or a failed resume) means for its row: { kind, error } with
 * kind one of failed, cancelled, expired, lost (the server no longer knows the task),
 * stopped (aborted here), unreachable (may pass), error. `era` is the server's (era.js).
 */
export function outcomeOfError(error, era = 'unknown') {
  switch (error?.name) {
    case 'TaskFailedError': return { kind: 'failed', error };
    case 'TaskCancelledError': return { kind: 'cancelled', error };
    case 'TaskExpiredError': return { kind: 'expired', error };
    case 'TaskNotFoundError': return { kind: 'lost', error };
    case 'McpError':
      if (era === 'modern' && error.code === MODERN_NOT_FOUND) return { kind: 'lost', error };
      break;
    default:
  }
  if (isAbort(error)) return { kind: 'stopped', error };
  if (describeError(error, '').retry) return { kind: 'unreachable', error };
  return { kind: 'error', error };
}

/** How long to wait before the recovery loop's next try: 1 s, doubling, at most 15 s. */
export function recoveryDelay(attempt) {
  return Math.min(1000 * 2 ** Math.max(0, attempt), 15_000);
}
