#!/usr/bin/env node
// A small hostile MCP server for Node tests (127.0.0.1, port 0): it does just enough of MCP
// 2025-11-25 over Streamable HTTP to get a client past `initialize` (a session id,
// `notifications/initialized` answered 202, GET answered 405 unless a scenario streams),
// and then misbehaves in the way its scenario says. Every request is recorded (method,
// headers, raw body bytes, arrival time), so a test can assert on exactly what the client
// sent and wait on it (`waitFor`) instead of sleeping.
//
// From a test:
//   const s = await startHostileServer('cursor-loop');         // or (name, options)
//   s.url; s.log; s.stats; await s.waitFor((r) => r.method === 'tools/list', 'a tools/list');
//   await s.close();
//
// From a shell (or as a child process, for memory measurements that must not count the
// server): `node tests/fault/hostile-server.mjs <scenario> ['{"json":"options"}']` prints
// `listening on http://127.0.0.1:PORT/mcp`; `GET /stats` returns the scenario's counters.
//
// The scenarios (see tests/fault/README.md, "Hostile servers"):
//   plain             a well-behaved server (an `echo` tool); also the "other origin" of
//                     the redirect tests, where it records whatever reaches it
//   secrets           a 200 JSON reply that is the caller's bearer token (not JSON), a
//                     JSON-RPC error whose `data` nests 20,000 levels deep around the
//                     Authorization header, and the token as a bad event on the GET stream
//   redirect          307 to `location` for every request after the handshake (or every
//                     request at all with `handshake: true`); `/moved` on the same origin
//                     is a working endpoint (for a same-origin `location`)
//   retry-after-poll  a task whose first `tasks/get` gets 429 `Retry-After: <retryAfter>`
//   hang              `tools/call` of the plain tool `hang` is never answered
//   flood             the first GET stream carries `pings` ping requests at once; answers
//                     are held while no more than `limit` are open, to measure how many
//                     the client keeps in flight
//   retry0            a GET stream that sends `retry: <retry>` and ends at once, again
//   cursor-loop       `tools/list` always answers the same `nextCursor`
//   surrogate-task    a task whose id holds a lone surrogate (`taskId`); `tasks/get` and
//                     `tasks/result` know only that exact id (-32602 for any other)
//   large             the plain tool `big` answers a text of `bytes` bytes (JSON or SSE)
//   refuse            the first `tools/list` gets 429 `Retry-After: 1`, the first
//                     `tools/call` 503 (or, with `resetFirstCall`, a connection reset
//                     before any response byte); then everything works

import http from 'node:http';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const PROTOCOL_VERSION = '2025-11-25';

const SCHEMA = { type: 'object', properties: {} };
const ECHO = { name: 'echo', description: 'Answers `text`.', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } };
const taskTool = (name) => ({ name, inputSchema: SCHEMA, execution: { taskSupport: 'required' } });
const plainTool = (name) => ({ name, inputSchema: SCHEMA });

/** A Task object as a server reports it. */
export function task(taskId, status, extra = {}) {
  const now = new Date().toISOString();
  return { taskId, status, createdAt: now, lastUpdatedAt: now, ttl: 600_000, pollInterval: 100, ...extra };
}

const text = (t) => ({ content: [{ type: 'text', text: t }] });

// ---------------------------------------------------------------------------------------
// Response helpers (all take the Node response first)
// ---------------------------------------------------------------------------------------

function send(res, status, body, headers = {}) {
  if (res.headersSent || res.destroyed) return;
  const buf = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(buf);
}
const result = (res, id, r, headers) => send(res, 200, { jsonrpc: '2.0', id, result: r }, headers);
const rpcError = (res, id, code, message, data) =>
  send(res, 200, { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } });
const accepted = (res) => {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(202);
  res.end();
};
function openSse(res, headers = {}) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
  res.flushHeaders();
}
const sseMessage = (msg, id) => `${id === undefined ? '' : `id: ${id}\n`}event: message\ndata: ${typeof msg === 'string' ? msg : JSON.stringify(msg)}\n\n`;

/**
 * Reset the connection with a TCP RST while the socket is fully open; otherwise a plain
 * close. (On Node 20 a reset of a socket with a pending shutdown leaves a handle that
 * never closes: see tests/fault/README.md, Notes.)
 */
function resetConnection(res) {
  const s = res.socket;
  if (!s || s.destroyed) return;
  const open = s.writable && !s.writableEnded && !s.readableEnded && s.writableLength === 0;
  if (open && typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
  else s.destroy();
}

const bearer = (req) => String(req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');

// ---------------------------------------------------------------------------------------
// Scenarios: each returns hooks over the base server.
//   tools          the tools/list answer (default [echo])
//   post(msg, req, res, ctx) -> true when it answered the request itself
//   get(req, res, ctx)        the GET stream (default 405)
//   answer(msg, req, res, ctx) a response of the client to a server request (default 202)
//   arrived(req, res)         every request, as soon as its headers are in
//   stats                     counters served at /stats
//   keepAnswers               record answers in the log (default true)
// ---------------------------------------------------------------------------------------

export const SCENARIOS = {
  plain: () => ({}),

  secrets: ({ depth = 20_000 } = {}) => ({
    post(msg, req, res) {
      if (msg.method === 'tools/list') {
        // "200 OK", JSON content type, and the body is the caller's token: not JSON.
        send(res, 200, bearer(req));
        return true;
      }
      if (msg.method === 'tasks/get') {
        // A JSON-RPC error whose data nests `depth` levels deep around the header value.
        let data = JSON.stringify({ authorization: req.headers.authorization ?? '' });
        data = '{"a":'.repeat(depth) + data + '}'.repeat(depth);
        send(res, 200, `{"jsonrpc":"2.0","id":${JSON.stringify(msg.id)},"error":{"code":-32001,"message":"denied","data":${data}}}`);
        return true;
      }
      return false;
    },
    get(req, res) {
      openSse(res);
      // The token as an event that is not JSON, then a valid notification (the test waits
      // for that one: once it arrived, the bad event was handled).
      res.write(`event: message\ndata: ${bearer(req)}\n\n`);
      res.write(sseMessage({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'after the bad event' } }));
    },
  }),

  redirect: ({ location, status = 307, handshake = false } = {}) => ({
    redirectHandshake: handshake,
    post(msg, req, res) {
      if (req.url.startsWith('/moved')) return false; // the same-origin target: works
      res.writeHead(status, { location, 'content-type': 'text/plain' });
      res.end(`moved to ${location}`);
      return true;
    },
    get(req, res) {
      res.writeHead(req.url.startsWith('/moved') ? 405 : status, { location });
      res.end();
    },
    del(req, res) {
      res.writeHead(req.url.startsWith('/moved') ? 200 : status, { location });
      res.end();
    },
  }),

  'retry-after-poll': ({ retryAfter = '99999999' } = {}) => {
    const stats = { polls: 0 };
    return {
      tools: [taskTool('slow')],
      stats,
      post(msg, req, res, ctx) {
        const id = msg.params?.taskId;
        if (msg.method === 'tools/call') result(res, msg.id, { task: task('task-1', 'working') });
        else if (msg.method === 'tasks/get' && ++stats.polls === 1) {
          res.writeHead(429, { 'retry-after': retryAfter, 'content-type': 'text/plain' });
          res.end('slow down');
        } else if (msg.method === 'tasks/get') result(res, msg.id, task(id, 'completed'));
        else if (msg.method === 'tasks/result') result(res, msg.id, text('done'));
        else return false;
        return true;
      },
    };
  },

  hang: () => ({
    tools: [plainTool('hang')],
    post(msg, req, res, ctx) {
      if (msg.method !== 'tools/call') return false;
      // Never answered. The test learns when the client gives up on it.
      res.on('close', () => ctx.emitRecord({ kind: 'closed', method: 'tools/call', id: msg.id }));
      return true;
    },
  }),

  flood: ({ pings = 20_000, limit = 4, quietMs = 300, idleMs = 3000 } = {}) => {
    // `open`: POSTs whose request arrived (headers) and whose response has not ended, from
    // the moment the pings are out (the only POSTs then are the client's answers).
    const stats = { pings, pingsSent: 0, answers: 0, answerErrors: 0, open: 0, maxOpen: 0, lastAnswerAt: 0, holding: true };
    let held = [];
    let quiet;
    const release = () => {
      stats.holding = false;
      clearTimeout(quiet);
      for (const r of held) accepted(r);
      held = [];
    };
    let streams = 0;
    return {
      stats,
      keepAnswers: false,
      arrived(req, res) {
        if (req.method !== 'POST' || stats.pingsSent === 0) return;
        stats.open++;
        stats.maxOpen = Math.max(stats.maxOpen, stats.open);
        res.on('close', () => { stats.open--; });
        // A client that respects its limit stops at `limit` open answers; one that does
        // not goes past it: then holding has shown what it had to.
        if (stats.open > limit) release();
      },
      get(req, res) {
        openSse(res);
        if (streams++ > 0) return; // later streams stay open and quiet
        const chunks = [];
        for (let i = 1; i <= pings; i++) chunks.push(sseMessage({ jsonrpc: '2.0', id: `ping-${i}`, method: 'ping' }));
        res.write(chunks.join(''));
        stats.pingsSent = pings;
      },
      answer(msg, req, res) {
        stats.answers++;
        if (msg.error) stats.answerErrors++;
        stats.lastAnswerAt = Date.now();
        if (!stats.holding) return accepted(res);
        // Hold the first answers, so that a client's limit is reached while the server is
        // slow: released `quietMs` after the last one once `limit` are open (a client that
        // respects it sends no more), or `idleMs` after it below that (a client whose own
        // limit is lower), or at once when more than `limit` are open.
        held.push(res);
        clearTimeout(quiet);
        quiet = setTimeout(release, stats.open >= limit ? quietMs : idleMs);
      },
      close: release,
    };
  },

  retry0: ({ retry = 0 } = {}) => {
    const stats = { gets: 0 };
    return {
      stats,
      get(req, res, ctx, rec) {
        stats.gets++;
        openSse(res);
        res.end(`retry: ${retry}\n\n`);
        rec.endedAt = Date.now();
      },
    };
  },

  'cursor-loop': ({ cursor = 'again' } = {}) => ({
    post(msg, req, res) {
      if (msg.method !== 'tools/list') return false;
      result(res, msg.id, { tools: [ECHO], nextCursor: cursor });
      return true;
    },
  }),

  'surrogate-task': ({ taskId = 'task-\ud800-1' } = {}) => ({
    tools: [taskTool('slow')],
    issued: taskId,
    post(msg, req, res) {
      const id = msg.params?.taskId;
      // JSON.stringify writes the lone surrogate as the escape \ud800.
      if (msg.method === 'tools/call') result(res, msg.id, { task: task(taskId, 'working') });
      else if (msg.method === 'tasks/get' && id === taskId) result(res, msg.id, task(taskId, 'completed'));
      else if (msg.method === 'tasks/result' && id === taskId) result(res, msg.id, text('done'));
      else if (msg.method.startsWith('tasks/')) rpcError(res, msg.id, -32602, 'unknown task');
      else return false;
      return true;
    },
  }),

  large: ({ sse = false } = {}) => {
    const texts = new Map();
    return {
      tools: [ECHO, plainTool('big')],
      post(msg, req, res) {
        if (msg.method !== 'tools/call' || msg.params?.name !== 'big') return false;
        const n = Number(msg.params.arguments?.bytes ?? 1024);
        if (!texts.has(n)) texts.set(n, JSON.stringify({ jsonrpc: '2.0', id: 0, result: text('x'.repeat(n)) }).replace('"id":0', '"id":ID'));
        const body = texts.get(n).replace('"id":ID', `"id":${JSON.stringify(msg.id)}`);
        if (sse) {
          openSse(res);
          res.end(`event: message\ndata: ${body}\n\n`);
        } else send(res, 200, body);
        return true;
      },
    };
  },

  refuse: ({ resetFirstCall = false } = {}) => {
    const stats = { lists: 0, calls: 0 };
    return {
      stats,
      post(msg, req, res, ctx, rec) {
        if (msg.method === 'tools/list' && ++stats.lists === 1 && !resetFirstCall) {
          res.writeHead(429, { 'retry-after': '1', 'content-type': 'text/plain' });
          res.end('too many requests');
          rec.answeredAt = Date.now();
          return true;
        }
        if (msg.method === 'tools/call' && ++stats.calls === 1) {
          if (resetFirstCall) resetConnection(res);
          else send(res, 503, 'busy', { 'content-type': 'text/plain' });
          rec.answeredAt = Date.now();
          return true;
        }
        return false;
      },
    };
  },
};

// ---------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------

/**
 * Start a hostile server for `scenario` (a name in SCENARIOS, or hooks). Resolves with
 * `{ url, origin, log, stats, hooks, waitFor(pred, what, ms), count(pred), close() }`.
 * `log` holds one record per request: `{ n, kind: 'post'|'answer'|'notification'|'get'|
 * 'delete'|'closed', method, id, url, headers, raw (Buffer), at }`.
 */
export async function startHostileServer(scenario = 'plain', options = {}) {
  const hooks = typeof scenario === 'string' ? SCENARIOS[scenario](options) : scenario;
  if (!hooks) throw new Error(`no scenario ${scenario}`);
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const log = [];
  let n = 0;
  const sessionId = `hostile-${randomUUID()}`;

  const record = (r) => {
    r.n = ++n;
    r.at ??= Date.now();
    if (r.kind !== 'answer' || hooks.keepAnswers !== false) log.push(r);
    events.emit('record', r);
    return r;
  };
  const ctx = { emitRecord: record, hooks };

  const server = http.createServer(async (req, res) => {
    hooks.arrived?.(req, res);
    const path = new URL(req.url, 'http://x').pathname;
    if (req.method === 'GET' && path === '/stats') return send(res, 200, hooks.stats ?? {});
    if (path !== '/mcp' && path !== '/moved') {
      res.writeHead(404);
      return res.end();
    }
    const base = { url: req.url, headers: { ...req.headers } };
    if (req.method === 'GET') {
      const rec = record({ ...base, kind: 'get' });
      return hooks.get ? hooks.get(req, res, ctx, rec) : send(res, 405, '', { allow: 'POST, DELETE' });
    }
    if (req.method === 'DELETE') {
      record({ ...base, kind: 'delete' });
      if (hooks.del) return hooks.del(req, res, ctx);
      res.writeHead(200);
      return res.end();
    }
    if (req.method !== 'POST') {
      res.writeHead(405);
      return res.end();
    }
    const chunks = [];
    try {
      for await (const c of req) chunks.push(c);
    } catch {
      return; // the client went away
    }
    const raw = Buffer.concat(chunks);
    let msg;
    try {
      msg = JSON.parse(raw.toString('utf8'));
    } catch {
      return send(res, 400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } });
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
      return send(res, 400, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'one message per POST here' } });
    }
    if (msg.method === undefined && msg.id !== undefined) {
      const rec = record({ ...base, kind: 'answer', id: msg.id, raw: hooks.keepAnswers === false ? undefined : raw });
      return hooks.answer ? hooks.answer(msg, req, res, ctx, rec) : accepted(res);
    }
    const isNote = msg.id === undefined || msg.id === null;
    const rec = record({ ...base, kind: isNote ? 'notification' : 'post', method: msg.method, id: msg.id, params: msg.params, raw });
    const handshake = msg.method === 'initialize' || msg.method === 'notifications/initialized';
    if (handshake && !hooks.redirectHandshake) {
      if (msg.method === 'initialize') {
        return result(res, msg.id, {
          protocolVersion: PROTOCOL_VERSION,
          capabilities: { tools: {}, tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } },
          serverInfo: { name: 'hostile', version: '1.0.0' },
        }, { 'mcp-session-id': sessionId });
      }
      return accepted(res);
    }
    if (hooks.post?.(msg, req, res, ctx, rec)) return;
    if (isNote) return accepted(res);
    switch (msg.method) {
      case 'tools/list':
        return result(res, msg.id, { tools: hooks.tools ?? [ECHO] });
      case 'tools/call':
        if (msg.params?.name === 'echo') return result(res, msg.id, text(String(msg.params.arguments?.text ?? '')));
        return rpcError(res, msg.id, -32602, 'unknown tool');
      case 'ping':
        return result(res, msg.id, {});
      default:
        return rpcError(res, msg.id, -32601, 'method not found');
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/mcp`,
    origin,
    port,
    sessionId,
    log,
    hooks,
    stats: hooks.stats ?? {},
    /** Records matching `pred` so far. */
    count: (pred) => log.filter(pred).length,
    /** Resolves with the first record matching `pred` (one already logged counts);
     * rejects after `ms` with "timed out waiting for <what>". */
    waitFor(pred, what = 'a request', ms = 20_000) {
      const hit = log.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const on = (r) => {
          if (!pred(r)) return;
          events.off('record', on);
          clearTimeout(t);
          resolve(r);
        };
        const t = setTimeout(() => {
          events.off('record', on);
          reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
        }, ms);
        events.on('record', on);
      });
    },
    /** Stop: end every stream and connection, then the listener. */
    async close() {
      hooks.close?.();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

// CLI: node tests/fault/hostile-server.mjs <scenario> ['{"json":"options"}']
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [name = 'plain', opts = '{}'] = process.argv.slice(2);
  const s = await startHostileServer(name, JSON.parse(opts));
  console.log(`listening on ${s.url} (scenario ${name})`);
  const stop = async () => {
    await s.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
