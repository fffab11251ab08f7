// The worker side of `mcp-tasks-wasm/worker`: runs McpClient and its TaskHandles in this
// dedicated Web Worker and answers the page's proxy (worker.js). Started by the page with
// `new Worker(new URL('./worker-host.js', import.meta.url), { type: 'module' })`, or
// imported by an app's own module worker (`import 'mcp-tasks-wasm/worker-host.js'`).
// The message protocol is described in worker-wire.js. It holds no logic of the client:
// it calls the wasm client, forwards callbacks, and batches what it sends per frame.
import init, { McpClient, TaskHandle } from './index.js';
import { Outbox, FRAME_MS, encodeError, decodeError } from './worker-wire.js';

const out = new Outbox((batch) => self.postMessage(batch), FRAME_MS);
const clients = new Map(); // client id (its connect call's id) → McpClient
const handles = new Map(); // handle id → { id, h, call }
const aborts = new Map(); // call id → AbortController (while the call or its handle lives)
const asks = new Map(); // ask id → { resolve, reject }
let ids = 0;
let ready = null;

/** Sent instead of a value by an op that posted its reply itself. */
const REPLIED = Symbol('replied');

function client(id) {
  const c = clients.get(id);
  if (!c) throw new DOMException('the client is closed', 'AbortError');
  return c;
}

/** Call one of the client's callbacks on the page (`what`: 'elicit' for onElicitation,
 * 'authorize' for auth.authorize, 'get' / 'set' / 'remove' for auth.storage) and wait for
 * its answer. */
function ask(clientId, what, args) {
  return new Promise((resolve, reject) => {
    const id = ++ids;
    asks.set(id, { resolve, reject });
    out.push(['ask', id, clientId, what, args]);
  });
}

/** The `auth` option in the worker: its data from the page, its callbacks asked there. */
function authOption(id, { data, storage }) {
  const auth = { ...data, authorize: (url) => ask(id, 'authorize', [url]) };
  if (storage) {
    auth.storage = {
      get: (key) => ask(id, 'get', [key]),
      set: (key, value) => ask(id, 'set', [key, value]),
      remove: (key) => ask(id, 'remove', [key]),
    };
  }
  return auth;
}

/** What the page's getters show; sent again (before a reply) whenever it changed, e.g.
 * after the server ended the session and a new one was started. */
const infoOf = (c) => ({
  serverInfo: c.serverInfo, serverCapabilities: c.serverCapabilities,
  protocolVersion: c.protocolVersion, sessionId: c.sessionId, instructions: c.instructions,
});
const sentInfo = new Map(); // client id → the JSON of the info last sent

function sendInfo(clientId) {
  const c = clients.get(clientId);
  if (!c) return;
  const info = infoOf(c);
  const json = JSON.stringify(info);
  if (sentInfo.get(clientId) === json) return;
  sentInfo.set(clientId, json);
  out.push(['info', clientId, info]);
}

/** Start following a handle made by `start(onStatus)`: reply with its state at once,
 * then forward its snapshots, progress and settlement. The wasm handle is freed once
 * settled (a later cancel() goes through the client by task id). */
async function follow(callId, start) {
  const early = []; // snapshots from before the handle existed (the option's first one)
  let entry = null;
  const h = await start((task) => {
    if (entry) out.push(['status', entry.id, task, entry.h.polls]);
    else early.push(task);
  });
  entry = { id: ++ids, h, call: callId };
  handles.set(entry.id, entry);
  out.push(['reply', callId, true, {
    id: entry.id, call: callId, taskId: h.taskId, isLocal: h.isLocal, immediateResponse: h.immediateResponse,
    task: h.task, early, polls: h.polls, progress: h.progress, token: h.serialize(),
  }]);
  h.onProgress((p) => out.push(['progress', entry.id, p]));
  const settle = (ok, value) => {
    out.push(['settle', entry.id, ok, value, h.polls]);
    handles.delete(entry.id);
    aborts.delete(callId);
    h.free();
  };
  h.result().then((v) => settle(true, v), (e) => settle(false, encodeError(e)));
  return REPLIED;
}

const withSignal = (options, ac) => (ac ? { ...options, signal: ac.signal } : options);

const ops = {
  // The client's id is its connect call's (the page registered its callbacks under it).
  async connect([url, options, { elicit, notify, auth, wasmUrl }], ac, id) {
    ready ??= init(wasmUrl ? { module_or_path: wasmUrl } : undefined);
    await ready;
    if (elicit) options.onElicitation = (params, ctx) => ask(id, 'elicit', [params, ctx]);
    if (notify) options.onNotification = (message, ctx) => out.push(['note', id, message, ctx]);
    if (auth) options.auth = authOption(id, auth);
    const c = await McpClient.connect(url, options);
    clients.set(id, c);
    const info = infoOf(c);
    sentInfo.set(id, JSON.stringify(info));
    return info;
  },
  listTools: ([c, cursor]) => client(c).listTools(cursor),
  listAllTools: ([c]) => client(c).listAllTools(),
  callTool: ([c, name, args, options], ac) => client(c).callTool(name, args, withSignal(options, ac)),
  getTask: ([c, id]) => client(c).getTask(id),
  getTaskResult: ([c, id]) => client(c).getTaskResult(id),
  listTasks: ([c, cursor]) => client(c).listTasks(cursor),
  cancelTask: ([c, id]) => client(c).cancelTask(id),
  callToolAsTask: ([c, name, args, options], ac, id) => follow(id, (onStatus) =>
    client(c).callToolAsTask(name, args, { ...withSignal(options, ac), onStatus })),
  resume: ([c, token, options], ac, id) => follow(id, (onStatus) =>
    TaskHandle.resume(client(c), token, { ...withSignal(options, ac), onStatus })),
  cancel: ([c, handle, taskId]) => handles.get(handle)?.h.cancel() ?? client(c).cancelTask(taskId),
  signOut: ([c]) => client(c).signOut(),
  async close([c]) {
    const cl = clients.get(c);
    if (!cl) return;
    clients.delete(c);
    sentInfo.delete(c);
    try {
      await cl.close();
    } finally {
      cl.free();
    }
  },
};

async function call(id, op, args, hasSignal) {
  let ac = null;
  if (hasSignal) aborts.set(id, (ac = new AbortController()));
  const clientId = op === 'connect' ? id : args[0];
  try {
    const value = await ops[op](args, ac, id);
    sendInfo(clientId);
    if (value !== REPLIED) out.push(['reply', id, true, value]);
  } catch (e) {
    sendInfo(clientId);
    out.push(['reply', id, false, encodeError(e)]);
    aborts.delete(id);
    return;
  }
  if (op !== 'callToolAsTask' && op !== 'resume') aborts.delete(id);
}

self.addEventListener('message', ({ data }) => {
  if (!Array.isArray(data)) return;
  for (const [type, a, b, c, d] of data) {
    if (type === 'call') call(a, b, c, d);
    else if (type === 'abort') aborts.get(a)?.abort();
    else if (type === 'dispose') handles.get(a)?.h.dispose();
    else if (type === 'answer') {
      const pending = asks.get(a);
      asks.delete(a);
      if (b) pending?.resolve(c);
      else pending?.reject(decodeError(c));
    }
  }
});
