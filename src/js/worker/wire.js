// The message protocol between `mcp-tasks-wasm/worker` (worker.js, on the page) and
// worker-host.js (in the Web Worker that runs the client). Shared by both sides.
//
// Every postMessage carries an array of messages, each an array `[type, ...fields]`,
// collected by an Outbox: the page sends what one burst of calls produced (one message
// per microtask), the worker at most one message per frame, whatever the number of
// tasks it follows.
//
//   page → worker   ['call', id, op, args, hasSignal]   a method call; answered by 'reply'
//                   ['abort', id]                       the call's AbortSignal fired
//                   ['dispose', handle]                 TaskHandle.dispose()
//                   ['answer', ask, ok, value]          what the asked callback returned or threw
//   worker → page   ['reply', id, ok, value]
//                   ['status', handle, task, polls]     a new Task snapshot
//                   ['progress', handle, params]        notifications/progress of a task
//                   ['settle', handle, ok, value, polls]  result() settled (the handle is freed)
//                   ['ask', ask, client, what, args]    call a callback on the page: 'elicit'
//                                                       (onElicitation), 'authorize' (auth's),
//                                                       'get' / 'set' / 'remove' (auth.storage)
//                   ['info', client, info]              the client's getters changed (sent
//                                                       before the reply that saw the change)
//                   ['note', client, message, ctx]      call onNotification on the page
//
// Errors cross as data ({ name, message, props }) and are rebuilt on the other side as
// the same classes (props carry code, status, taskId, task, result, error, ...); a
// DOMException (an AbortError) stays a DOMException.
import * as classes from './errors.js';

/** The worker sends at most one batch per this many ms (one frame at 60 Hz). */
export const FRAME_MS = 16;

/** Collects messages and posts them as one array: after the current microtasks
 * (`frameMs` 0), or no sooner than `frameMs` after the previous batch. */
export class Outbox {
  #post;
  #frameMs;
  #queue = [];
  #scheduled = false;
  #last = -Infinity;

  constructor(post, frameMs = 0) {
    this.#post = post;
    this.#frameMs = frameMs;
  }

  push(message) {
    this.#queue.push(message);
    if (this.#scheduled) return;
    this.#scheduled = true;
    if (this.#frameMs === 0) queueMicrotask(this.#flush);
    else setTimeout(this.#flush, Math.max(0, Math.ceil(this.#last + this.#frameMs - performance.now())));
  }

  #flush = () => {
    this.#scheduled = false;
    this.#last = performance.now();
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length > 0) this.#post(batch);
  };
}

/** An error (or anything thrown) as structured-cloneable data. */
export function encodeError(e) {
  if (e instanceof classes.McpTasksError) {
    const props = { ...e };
    if (props.error) props.error = encodeError(props.error);
    return { name: e.name, message: e.message, props };
  }
  if (typeof DOMException !== 'undefined' && e instanceof DOMException) {
    return { name: e.name, message: e.message, dom: true };
  }
  return { name: typeof e?.name === 'string' ? e.name : 'Error', message: String(e?.message ?? e) };
}

const builtins = { TypeError, RangeError, SyntaxError };

/** The error `encodeError` described, as the same class. */
export function decodeError(d) {
  if (d.props) {
    const props = { ...d.props };
    if (props.error) props.error = decodeError(props.error);
    return new (classes[d.name] ?? classes.McpTasksError)(d.message, props);
  }
  if (d.dom) return new DOMException(d.message, d.name);
  return new (builtins[d.name] ?? Error)(d.message);
}
