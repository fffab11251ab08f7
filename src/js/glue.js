// The JavaScript half of the JS layer: real Error subclasses (so callers can use
// `instanceof` and `switch (err.name)`) and the Promises the async methods return. No
// logic lives here; the Rust side decides which error to make and when a Promise settles.

/** Base class of every error this SDK throws (aborts excepted: they are DOMExceptions). */
export class McpTasksError extends Error {
  constructor(message, props) {
    super(message);
    this.retryable = false;
    Object.assign(this, props);
  }
}

/** The server answered with a JSON-RPC error: `code`, `message`, `data`. */
export class McpError extends McpTasksError {}

/** The server does not know the task (`taskId`): a JSON-RPC error, usually -32602. */
export class TaskNotFoundError extends McpError {}

/** HTTP failed: `status` (0 for a network error or timeout), `body` (capped), `tries`. */
export class TransportError extends McpTasksError {}

/** The server sent something the protocol does not allow: `detail` says what. */
export class ProtocolError extends McpTasksError {}

/** The task ended `failed`: `task`, and the stored `result` or JSON-RPC `error`. */
export class TaskFailedError extends McpTasksError {}

/** The task ended `cancelled`: `task`. */
export class TaskCancelledError extends McpTasksError {}

/** The task is gone after its ttl: `taskId`, `task` (the last snapshot seen). */
export class TaskExpiredError extends McpTasksError {}

/**
 * Signing in to a protected server failed: `reason` says why (stable: `resource_mismatch`,
 * `refresh_failed`, `unreachable`, ...), the message what to do. Never holds a token.
 */
export class AuthError extends McpTasksError {}

// By the Rust side's `Class` numbers (src/js/mod.rs).
const classes = [
  McpError, TaskNotFoundError, TransportError, ProtocolError, TaskFailedError, TaskCancelledError,
  TaskExpiredError, AuthError,
];
// Each class's `name` (on its prototype, as for the built-in errors), in `classes`' order.
'McpError TaskNotFoundError TransportError ProtocolError TaskFailedError TaskCancelledError TaskExpiredError AuthError'
  .split(' ').forEach((name, i) => { classes[i].prototype.name = name; });

// Past the classes (`Class::AbortError`): an abort, a `DOMException` named `AbortError`, as
// `fetch` rejects with. Each class's `code` is ERR_ and its name in capitals, without
// "Error" (TaskFailedError: ERR_TASK_FAILED), but for the JSON-RPC errors (McpError and
// TaskNotFoundError), whose code is the JSON-RPC one, in `props`.
export function makeError(kind, message, props) {
  const C = classes[kind];
  return C ? new C(message, {
    code: kind > 1
      ? 'ERR' + C.prototype.name.slice(0, -5).replace(/[A-Z]/g, '_$&').toUpperCase() : undefined,
    ...props,
  }) : new DOMException(message, 'AbortError');
}

// The Promises of the wasm's async methods: `pending()` makes one and keeps what settles
// it (out of the caller's sight), `settle(p, ok, value)` fulfils (`ok`) or rejects it.
const settlers = new WeakMap();
export function pending() {
  let s;
  const p = new Promise((...a) => { s = a; });
  settlers.set(p, s);
  return p;
}
export function settle(p, ok, value) {
  settlers.get(p)[ok ? 0 : 1](value);
}

/**
 * A new `McpClient` (`kind` 0) or `TaskHandle` (1) for the wasm's value `ptr`: a stand-in
 * that the package never calls. Its glue defines the classes (tools/finish-pkg.mjs), a pair
 * for each instance of the wasm module, and points the wasm's import at its own.
 */
export function wrap(kind) {
  throw new Error(`mcp-tasks-wasm: no class ${kind} outside the package`);
}

/** `o[k]` of an object (not null), else undefined; undefined too if reading it throws. */
export function get(o, k) {
  try {
    return typeof o === 'object' && o !== null ? o[k] : undefined;
  } catch {
    return undefined;
  }
}

/** `o.signal` when it is an `AbortSignal` (the `signal` option, src/js/mod.rs), else undefined. */
export function signalOf(o) {
  const s = get(o, 'signal');
  return s instanceof AbortSignal ? s : undefined;
}

/** `cb(a, b)`, a user callback: what it throws is reported, not raised (src/io/mod.rs). */
export function callUser(cb, a, b, what) {
  try {
    cb(a, b);
  } catch (e) {
    console.error(`mcp-tasks-wasm: ${what} callback threw`, e);
  }
}

/** `f(a, b)`, or a Promise rejected with what it threw (src/io/mod.rs's `call_async`). */
export function callAsync(f, a, b) {
  try {
    return f(a, b);
  } catch (e) {
    return Promise.reject(e);
  }
}

/** A shallow copy of an object (`src/io/json.rs`'s `shallow_copy`), any other value as is. */
export function copy(v) {
  return v instanceof Object ? Object.assign({}, v) : v;
}

/** `v` if it is a string without a lone surrogate, else undefined (src/io/json.rs). */
export function wellFormed(v) {
  return typeof v === 'string' && v.isWellFormed() ? v : undefined;
}

/** The time now in RFC 3339 (`new Date().toISOString()`: one import, not two; src/io/mod.rs). */
export function nowIso() {
  return new Date().toISOString();
}

/** `v.length`, an array's or a byte array's: one import for both (src/io/mod.rs). */
export function len(v) {
  return v.length;
}

/** `o[k] = v` unless `v` is undefined: the `obj!` macro's setter (src/io/json.rs). */
export function put(o, k, v) {
  if (v !== undefined) o[k] = v;
}

/** `JSON.stringify(v)`, or undefined if it throws (src/io/json.rs). */
export function toJson(v) {
  try {
    return JSON.stringify(v);
  } catch {}
}

/** `JSON.parse(text)`, or undefined if it throws (src/io/json.rs). */
export function fromJson(text) {
  try {
    return JSON.parse(text);
  } catch {}
}
