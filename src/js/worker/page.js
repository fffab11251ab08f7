// `mcp-tasks-wasm/worker`: the same McpClient / TaskHandle API as `mcp-tasks-wasm`, with
// the client running in a dedicated Web Worker (worker-host.js). The page keeps a thin
// proxy: calls go to the worker as messages, Task snapshots come back batched (at most
// one message per frame for all tasks), and the callbacks (onStatus, onProgress,
// onElicitation, onNotification) run here, on the page. No init() is needed: the worker
// loads the .wasm. The message protocol is described in worker-wire.js.
import { Outbox, encodeError, decodeError } from './worker-wire.js';

export {
  McpTasksError, McpError, TaskNotFoundError, TransportError, ProtocolError, TaskFailedError,
  TaskCancelledError, TaskExpiredError,
} from './errors.js';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
// Internal methods of the proxies, called by the Link.
const STATUS = Symbol('status');
const PROGRESS = Symbol('progress');
const SETTLE = Symbol('settle');
const RESUME = Symbol('resume');

/** Call a user callback; what it throws is reported, as an uncaught error would be. */
function safely(cb, ...args) {
  try {
    cb(...args);
  } catch (e) {
    (globalThis.reportError ?? console.error)(e);
  }
}

/** Add `cb` to `listeners`; returns the function that removes this subscription. */
function subscribe(listeners, cb) {
  const key = {};
  listeners.set(key, cb);
  return () => { listeners.delete(key); };
}

/** `options` as data for postMessage: a function cannot cross to the worker, so it is
 * refused here with a TypeError naming it (rather than a DataCloneError later). */
function plain(options, what) {
  for (const [key, value] of Object.entries(options)) {
    if (typeof value === 'function') {
      throw new TypeError(`mcp-tasks-wasm/worker: the ${what} option \`${key}\` is a function, ` +
        'which cannot be sent to the Web Worker that runs the client');
    }
  }
  return options;
}

/** Abort: post ['abort', id] to the worker once `signal` fires; returns the remover. */
function watch(link, id, signal) {
  if (!signal) return () => {};
  const onAbort = () => link.send(['abort', id]);
  if (signal.aborted) {
    onAbort();
    return () => {};
  }
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

/** One worker, seen from the page: pending calls, the handles and clients it hosts. */
class Link {
  #worker;
  #out;
  #calls = new Map(); // call id → { resolve, reject }
  #next = 0;
  #dead = null;
  handles = new Map(); // handle id → TaskHandle
  clients = new Map(); // client id → its onElicitation and onNotification

  constructor(worker, owned) {
    this.#worker = worker;
    this.owned = owned;
    this.#out = new Outbox((batch) => this.#post(batch));
    worker.addEventListener('message', ({ data }) => {
      if (Array.isArray(data)) for (const m of data) this.#receive(m);
    });
    worker.addEventListener('error', (e) => {
      e.preventDefault(); // reported below, to every caller waiting on this worker
      this.end(new Error(`mcp-tasks-wasm/worker: the worker failed: ${e.message || 'it could not be loaded'}`));
    });
  }

  newId() {
    return ++this.#next;
  }

  send(message) {
    if (!this.#dead) this.#out.push(message);
  }

  /** A method call in the worker; `signal` aborts it. `make(value)`, if given, turns the
   * reply into the result at once, before the next message of its batch is read (a
   * handle must exist before its first status or its settlement arrives). */
  call(op, args, signal, make = (value) => value, id = this.newId()) {
    if (this.#dead) return Promise.reject(this.#dead);
    return new Promise((resolve, reject) => {
      this.#out.push(['call', id, op, args, Boolean(signal)]);
      // After the call: an already aborted signal sends its 'abort' at once.
      this.#calls.set(id, { resolve, reject, make, unwatch: watch(this, id, signal) });
    });
  }

  /** Post a batch. If something in it cannot be cloned (say a function in a tool's
   * arguments), post its messages one by one: the call that fails rejects with the
   * DataCloneError, an answer that fails reaches the worker as that error. */
  #post(batch) {
    try {
      this.#worker.postMessage(batch);
    } catch {
      for (const m of batch) {
        try {
          this.#worker.postMessage([m]);
        } catch (e) {
          const call = m[0] === 'call' && this.#calls.get(m[1]);
          if (call) {
            this.#calls.delete(m[1]);
            call.unwatch();
            call.reject(e);
          } else if (m[0] === 'answer') this.#worker.postMessage([['answer', m[1], false, encodeError(e)]]);
        }
      }
    }
  }

  /** Reject everything pending with `error`; an owned worker is terminated. */
  end(error) {
    if (this.#dead) return;
    this.#dead = error;
    if (this.owned) this.#worker.terminate();
    for (const c of this.#calls.values()) c.reject(error);
    this.#calls.clear();
    for (const h of this.handles.values()) h[SETTLE](false, error);
  }

  #receive([type, a, b, c, d]) {
    if (type === 'reply') {
      const call = this.#calls.get(a);
      if (!call) return;
      this.#calls.delete(a);
      call.unwatch();
      if (b) call.resolve(call.make(c));
      else call.reject(decodeError(c));
    } else if (type === 'status') this.handles.get(a)?.[STATUS](b, c);
    else if (type === 'progress') this.handles.get(a)?.[PROGRESS](b);
    else if (type === 'settle') this.handles.get(a)?.[SETTLE](b, b ? c : decodeError(c), d);
    else if (type === 'note') {
      const cb = this.clients.get(a)?.onNotification;
      if (cb) safely(cb, b, c);
    } else if (type === 'info') this.clients.get(a)?.info?.(b);
    else if (type === 'ask') {
      const cbs = this.clients.get(b);
      Promise.resolve()
        .then(() => cbs.ask[c](...d))
        // A URL (what authorize may resolve with) cannot be cloned: its text can.
        .then((value) => this.send(['answer', a, true, value instanceof URL ? value.href : value]),
          (e) => this.send(['answer', a, false, encodeError(e)]));
    }
  }
}

const shared = new WeakMap(); // a Worker the app passed → its Link

function linkFor(worker) {
  if (worker instanceof Worker) {
    if (!shared.has(worker)) shared.set(worker, new Link(worker, false));
    return shared.get(worker);
  }
  if (worker !== undefined) return new Link(new Worker(worker, { type: 'module' }), true);
  // Literal, so that bundlers (Vite, webpack) see the worker and emit worker-host.js.
  return new Link(new Worker(new URL('./worker-host.js', import.meta.url), { type: 'module' }), true);
}

const resolveUrl = (url) => {
  try {
    return new URL(url, globalThis.location?.href).href;
  } catch {
    return String(url);
  }
};

/** An MCP client that runs in a dedicated Web Worker; the same API as `mcp-tasks-wasm`. */
export class McpClient {
  #link;
  #id;
  #info;
  /** TaskHandles of this client that have not settled. */
  #live = new Set();

  /** Use `McpClient.connect()`. */
  constructor(link, id, info) {
    this.#link = link;
    this.#id = id;
    this.#info = info;
  }

  /** Start a worker (or use `options.worker`) and connect in it to `url`. */
  static async connect(url, options) {
    const { worker, wasmUrl, fetch, onElicitation, onNotification, auth, ...rest } = options ?? {};
    if (fetch !== undefined) {
      throw new TypeError('mcp-tasks-wasm/worker: the `fetch` option is not supported: a function ' +
        'cannot be sent to the Web Worker that runs the client (pass `headers` for extra request ' +
        'headers, or use `mcp-tasks-wasm` on the page for a custom fetch)');
    }
    if (typeof Worker === 'undefined') {
      throw new TypeError('mcp-tasks-wasm/worker needs Web Workers (a browser); ' +
        'elsewhere, such as in Node, use `mcp-tasks-wasm`');
    }
    const data = plain(rest, 'connect');
    // auth: its data goes to the worker; authorize and storage stay here and are called
    // when the worker asks.
    const { authorize, storage, ...authData } = auth ?? {};
    if (auth && typeof authorize !== 'function') {
      throw new TypeError('mcp-tasks-wasm/worker: `auth.authorize` must be a function');
    }
    const link = linkFor(worker);
    // The connect call's id names the client in the worker, so that its callbacks are
    // found even for what the server sends before connect() resolves.
    const id = link.newId();
    const callbacks = {
      onNotification,
      ask: {
        elicit: onElicitation,
        authorize,
        get: (key) => storage.get(key),
        set: (key, value) => storage.set(key, value),
        remove: (key) => storage.remove(key),
      },
    };
    link.clients.set(id, callbacks);
    try {
      const info = await link.call('connect', [resolveUrl(url), data, {
        elicit: typeof onElicitation === 'function',
        notify: typeof onNotification === 'function',
        auth: auth ? { data: plain(authData, 'auth'), storage: Boolean(storage) } : undefined,
        wasmUrl: wasmUrl === undefined ? undefined : resolveUrl(wasmUrl),
      }], undefined, undefined, id);
      const client = new McpClient(link, id, info);
      callbacks.info = (next) => { client.#info = next; };
      return client;
    } catch (e) {
      link.clients.delete(id);
      if (link.owned) link.end(e);
      throw e;
    }
  }

  get serverInfo() { return this.#info.serverInfo; }
  get serverCapabilities() { return this.#info.serverCapabilities; }
  get protocolVersion() { return this.#info.protocolVersion; }
  get sessionId() { return this.#info.sessionId; }
  get instructions() { return this.#info.instructions; }
  /** Task handles of this client that have not settled. */
  get activeTasks() { return this.#live.size; }

  listTools(cursor) { return this.#link.call('listTools', [this.#id, cursor]); }
  listAllTools() { return this.#link.call('listAllTools', [this.#id]); }
  getTask(taskId) { return this.#link.call('getTask', [this.#id, taskId]); }
  getTaskResult(taskId) { return this.#link.call('getTaskResult', [this.#id, taskId]); }
  listTasks(cursor) { return this.#link.call('listTasks', [this.#id, cursor]); }
  cancelTask(taskId) { return this.#link.call('cancelTask', [this.#id, taskId]); }
  /** Forget this server's tokens, in the worker and in `auth.storage`. */
  signOut() { return this.#link.call('signOut', [this.#id]); }

  async callTool(name, args, options) {
    const { signal, ...rest } = options ?? {};
    return this.#link.call('callTool', [this.#id, name, args, plain(rest, 'callTool')], signal);
  }

  async callToolAsTask(name, args, options) {
    return this.#follow('callToolAsTask', [name, args], options);
  }

  /** callToolAsTask and TaskHandle.resume: a handle from the worker's reply. */
  async #follow(op, args, options) {
    const { signal, onStatus, ...rest } = options ?? {};
    return this.#link.call(op, [this.#id, ...args, plain(rest, op)], signal, (init) => {
      const h = new TaskHandle(this.#link, this.#id, init, signal, this.#live);
      if (onStatus) {
        h.onStatus(onStatus);
        for (const task of init.early) safely(onStatus, task);
      }
      return h;
    });
  }

  /** TaskHandle.resume. */
  static [RESUME](client, tokenOrTaskId, options) {
    return client.#follow('resume', [tokenOrTaskId], options);
  }

  /** Abort what is in flight, stop every handle, end the session; then stop the worker
   * (unless it was passed in `options.worker`). */
  async close() {
    try {
      await this.#link.call('close', [this.#id]);
    } finally {
      this.#link.clients.delete(this.#id);
      if (this.#link.owned) this.#link.end(new DOMException('the client is closed', 'AbortError'));
    }
  }

  /** Close without waiting. */
  free() {
    this.close().catch(() => {});
  }
}

/** A running task, followed in the worker: its state here is the latest the worker sent. */
export class TaskHandle {
  #link;
  #client;
  #id;
  #init;
  #task;
  #polls;
  #progress;
  #done = false;
  #settled = null; // { ok, value }
  #result = null;
  #deferred = null;
  #listeners = new Map(); // subscription → callback (one function may subscribe twice)
  #progressListeners = new Map();
  #sinks = new Set();
  #unwatch;
  #live;

  /** Made by `callToolAsTask` and `resume`. */
  constructor(link, client, init, signal, live) {
    this.#link = link;
    this.#client = client;
    this.#id = init.id;
    this.#init = init;
    this.#task = init.task;
    this.#polls = init.polls;
    this.#progress = init.progress;
    this.#live = live;
    live.add(this);
    link.handles.set(init.id, this);
    // The call's signal keeps stopping the handle after the reply.
    this.#unwatch = watch(link, init.call, signal);
  }

  get taskId() { return this.#init.taskId; }
  get isLocal() { return this.#init.isLocal; }
  get immediateResponse() { return this.#init.immediateResponse; }
  get status() { return this.#task.status; }
  get task() { return this.#task; }
  get isDone() { return this.#done; }
  get polls() { return this.#polls; }
  get progress() { return this.#progress; }

  /** The final CallToolResult. Memoized: every call returns the same Promise. */
  result() {
    if (!this.#result) {
      const s = this.#settled;
      if (s) this.#result = s.ok ? Promise.resolve(s.value) : Promise.reject(s.value);
      else this.#result = new Promise((resolve, reject) => { this.#deferred = { resolve, reject }; });
    }
    return this.#result;
  }

  cancel() {
    return this.#link.call('cancel', [this.#client, this.#id, this.taskId]);
  }

  onStatus(cb) {
    return subscribe(this.#listeners, cb);
  }

  onProgress(cb) {
    return subscribe(this.#progressListeners, cb);
  }

  /** Task snapshots for `for await`: the current one, then each change; it ends after
   * the terminal one. */
  updates() {
    const queue = [this.#task];
    let wake = null;
    let open = !this.#done && !TERMINAL.has(this.#task.status);
    const sink = {
      push: (task) => { queue.push(task); wake?.(); },
      end: () => { open = false; this.#sinks.delete(sink); wake?.(); },
    };
    if (open) this.#sinks.add(sink);
    return {
      async next() {
        while (queue.length === 0 && open) await new Promise((r) => { wake = r; });
        return queue.length > 0 ? { value: queue.shift(), done: false } : { value: undefined, done: true };
      },
      async return() {
        queue.length = 0;
        sink.end();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() { return this; },
    };
  }

  /** A versioned resume token (JSON text): the worker's, with the latest snapshot. */
  serialize() {
    const token = JSON.parse(this.#init.token);
    token.task = this.#task;
    return JSON.stringify(token);
  }

  static resume(client, tokenOrTaskId, options) {
    return McpClient[RESUME](client, tokenOrTaskId, options);
  }

  /** Stop following the task (its `result()` rejects with an AbortError); the task keeps
   * running on the server. */
  dispose() {
    if (this.#done) return;
    this.#link.send(['dispose', this.#id]);
    this.#finish();
  }

  free() {
    this.dispose();
  }

  #finish() {
    this.#done = true;
    this.#unwatch();
    this.#live.delete(this);
    for (const sink of [...this.#sinks]) sink.end();
  }

  [STATUS](task, polls) {
    if (this.#done) return; // disposed: no more callbacks, as in the wasm handle
    this.#task = task;
    this.#polls = polls;
    for (const cb of [...this.#listeners.values()]) safely(cb, task);
    for (const sink of [...this.#sinks]) {
      sink.push(task);
      if (TERMINAL.has(task.status)) sink.end();
    }
  }

  [PROGRESS](params) {
    if (this.#done) return;
    this.#progress = params;
    for (const cb of [...this.#progressListeners.values()]) safely(cb, params);
  }

  [SETTLE](ok, value, polls) {
    if (this.#settled) return;
    this.#settled = { ok, value };
    if (polls !== undefined) this.#polls = polls;
    this.#link.handles.delete(this.#id);
    if (!this.#done) this.#finish();
    if (this.#deferred) (ok ? this.#deferred.resolve : this.#deferred.reject)(value);
  }
}

if (typeof Symbol.dispose === 'symbol') {
  McpClient.prototype[Symbol.dispose] = McpClient.prototype.free;
  TaskHandle.prototype[Symbol.dispose] = TaskHandle.prototype.free;
}
