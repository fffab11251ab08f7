#!/usr/bin/env node
// A seeded fault-injecting HTTP proxy for MCP Streamable HTTP (Node, 127.0.0.1 only).
//
// It sits between a client and an MCP server (the reference server in tests/server/) and,
// for a fraction `rate` of the exchanges, breaks them in one of these ways:
//
//   reset         the connection is reset, before or after the server saw the request
//   http5xx       500 / 502 / 503 (with a small body); the server never sees the request
//   http429       429 with `Retry-After: 1`
//   stall         no answer until the client gives up (its request timeout) or stallMaxMs
//   truncate      the reply's JSON is cut short (JSON body, or the data of the SSE event)
//   sse-cut       the SSE stream ends (cleanly or by a reset) in the middle of an event
//   bad-utf8      invalid UTF-8 in the reply: inside the JSON (an error), or in an SSE
//                 comment line (harmless: the reply must still be right)
//   content-type  a wrong Content-Type (text/html, text/plain, none)
//   oversize      a body larger than any sane cap, streamed until the client cancels it
//   duplicate     the response twice, after a stale response to an earlier request
//   lost-session  the session is dropped on the server (POST /admin/drop-session), so the
//                 request gets the server's own 404; at most `maxLostSessions` per proxy
//
// Determinism: a decision is a pure function of (seed, request key). The key names the
// logical request, not its arrival order: `<label>|<method>|<n>` where `label` is the
// tool call's `arguments.label` (learnt for each taskId from the CreateTaskResult) and `n`
// counts that label's requests of that method; requests without a label use
// `<method>|<n>`. So a given seed breaks the same requests of the same tasks whatever the
// interleaving; only the number of polls a task makes (server timing) can vary.
//
// `initialize` and `notifications/initialized`: the SDK does not retry them (a failed
// handshake fails `connect()`, and a failed re-initialize after a lost session fails the
// request that triggered it). They are faulted only until the first session exists (so
// `connect()` may fail and a test retries it); never afterwards. The GET stream, DELETE
// and every other request are fair game.
//
// Use from a test: `const p = await startFaultProxy({ upstream, seed, rate }); p.url; p.stats;
// await p.close()`. From a shell: `node tests/fault/proxy.mjs --upstream URL [--seed N]
// [--rate 0.2]` prints the proxy URL and the seed.

import http from 'node:http';

/** Every fault kind, with its weight (lost-session is rare on purpose and capped). */
export const FAULT_WEIGHTS = Object.freeze({
  reset: 10,
  http5xx: 10,
  http429: 8,
  stall: 6,
  truncate: 10,
  'sse-cut': 10,
  'bad-utf8': 10,
  'content-type': 8,
  oversize: 4,
  duplicate: 10,
  'lost-session': 1,
});

/** 32-bit FNV-1a of a string. */
function fnv1a(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a tiny seeded PRNG; returns a function giving floats in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A PRNG for one request key under `seed`. */
export function rngFor(seed, key) {
  return mulberry32(fnv1a(`${seed}\u0000${key}`));
}

function pickWeighted(weights, u) {
  const entries = Object.entries(weights).filter(([, w]) => w > 0);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let x = u * total;
  for (const [k, w] of entries) {
    if ((x -= w) < 0) return k;
  }
  return entries[entries.length - 1][0];
}

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'proxy-authorization', 'proxy-authenticate', 'host', 'content-length',
]);

function forwardHeaders(headers) {
  const out = {};
  for (const [k, v] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(k.toLowerCase()) && v !== undefined) out[k] = v;
  }
  return out;
}

function readAll(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
    stream.on('aborted', () => reject(new Error('aborted')));
  });
}

/** Split an SSE body (as the reference server writes it: LF line ends) into raw events. */
function sseEvents(text) {
  return text.split(/\n\n/).filter((e) => e.length > 0).map((e) => e + '\n\n');
}

function sseData(rawEvent) {
  return rawEvent
    .split('\n')
    .filter((l) => l.startsWith('data:'))
    .map((l) => l.slice(5).replace(/^ /, ''))
    .join('\n');
}

/**
 * Reset the client's connection with a TCP RST. Only for a socket that is still fully
 * open: on one that is ending (a FIN sent or received), libuv refuses the reset
 * (`uv_tcp_close_reset` returns EINVAL while a shutdown is pending) and Node 20 is left
 * with a handle that never closes, which makes the process spin at exit.
 */
function reset(res) {
  const s = res.socket;
  if (!s || s.destroyed) return;
  const open = s.writable && !s.writableEnded && !s.readableEnded && s.writableLength === 0;
  if (open && typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
  else s.destroy();
}

/** Cut the client's connection (a plain close; safe in any state). */
function cut(res) {
  const s = res.socket;
  if (s && !s.destroyed) s.destroy();
}

function tryJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Start a fault proxy in front of `upstream` (an MCP endpoint URL such as
 * http://127.0.0.1:PORT/mcp). Options:
 * - seed (number), rate (0..1 fault probability per exchange)
 * - weights: fault kind -> weight (default FAULT_WEIGHTS); `only: [kinds]` restricts them
 * - maxLostSessions (default 2), stallMaxMs (default 10000)
 * - oversizeMaxBytes: an oversize body stops there if the client never cancels (64 MiB)
 * - echoHeaders: every fault body quotes the request headers (a hostile server), for
 *   the "secrets never leak" test
 * - log: function(line) for one line per injected fault (default: none)
 */
export async function startFaultProxy(options) {
  const {
    upstream,
    seed = 1,
    rate = 0.2,
    maxLostSessions = 2,
    stallMaxMs = 10_000,
    oversizeMaxBytes = 64 * 1024 * 1024,
    echoHeaders = false,
    log = () => {},
  } = options;
  let weights = { ...(options.weights ?? FAULT_WEIGHTS) };
  if (options.only) {
    weights = Object.fromEntries(options.only.map((k) => [k, FAULT_WEIGHTS[k] ?? 1]));
  }
  const up = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  const stats = {
    seed,
    rate,
    exchanges: 0,
    faulted: 0,
    byKind: {},
    byMethod: {},
    lostSessions: 0,
    oversize: { sent: 0, cancelledByClient: 0, notCancelled: 0, maxBytesBeforeCancel: 0 },
    stalls: { endedByClient: 0, endedByProxy: 0 },
    // Requests that reached the server without a session id (not initialize, nor the
    // 2026-07-28 era probe server/discover, which precedes any session): a client bug if
    // it ever happens after connect (the server answers 400).
    postsWithoutSession: 0,
    skipped: 0,
    upstreamErrors: 0,
  };
  const counters = new Map(); // key prefix -> n
  const labels = new Map(); // taskId -> label
  let lastResponse; // { id, text }: for stale duplicates
  let sessionsSeen = 0;
  let rate_ = rate;
  let enabled = true;
  const live = new Set(); // open client sockets

  const count = (obj, k) => {
    obj[k] = (obj[k] ?? 0) + 1;
  };
  const next = (prefix) => {
    const n = counters.get(prefix) ?? 0;
    counters.set(prefix, n + 1);
    return n;
  };

  function decide(key, method) {
    const handshake = method === 'initialize' || method === 'notifications/initialized';
    if (!enabled || (handshake && sessionsSeen > 0)) return undefined;
    const rnd = rngFor(seed, key);
    if (rnd() >= rate_) return undefined;
    let kind = pickWeighted(weights, rnd());
    if (kind === 'lost-session' && (stats.lostSessions >= maxLostSessions || handshake)) {
      const { 'lost-session': _, ...rest } = weights;
      if (Object.keys(rest).length === 0) return undefined;
      kind = pickWeighted(rest, rnd());
    }
    return { kind, rnd };
  }

  function requestKey(method, msg) {
    const params = msg?.params ?? {};
    let label;
    if (method === 'tools/call') label = params.arguments?.label;
    else if (typeof params.taskId === 'string') label = labels.get(params.taskId) ?? params.taskId;
    const prefix = label !== undefined ? `${label}|${method}` : method;
    return `${prefix}|${next(prefix)}`;
  }

  function learn(method, msg, bodyText, ctype) {
    if (!bodyText) return;
    const msgs = [];
    if (ctype.startsWith('text/event-stream')) {
      for (const ev of sseEvents(bodyText)) {
        const j = tryJson(sseData(ev));
        if (j) msgs.push(j);
      }
    } else {
      const j = tryJson(bodyText);
      if (Array.isArray(j)) msgs.push(...j);
      else if (j) msgs.push(j);
    }
    for (const m of msgs) {
      if (m && m.id !== undefined && ('result' in m || 'error' in m)) {
        lastResponse = { id: m.id, text: JSON.stringify(m) };
        const taskId = m.result?.task?.taskId;
        const label = msg?.params?.arguments?.label;
        if (method === 'tools/call' && typeof taskId === 'string' && label !== undefined) {
          labels.set(taskId, label);
        }
      }
    }
  }

  /** Send the request upstream; resolves with the upstream response (not read yet). */
  function forward(req, res, body, extraHeaders = {}) {
    return new Promise((resolve, reject) => {
      let complete = false;
      const u = new URL(req.url, up);
      const r = http.request(
        {
          host: up.hostname,
          port: up.port,
          path: u.pathname + u.search,
          method: req.method,
          headers: { ...forwardHeaders(req.headers), ...extraHeaders },
          agent,
        },
        (upRes) => {
          upRes.once('end', () => {
            complete = true;
          });
          resolve(upRes);
        },
      );
      r.on('error', reject);
      // If the client goes away, so does the upstream request.
      res.once('close', () => {
        if (!complete) r.destroy();
      });
      r.end(body);
    });
  }

  async function dropSession(sid) {
    await new Promise((resolve) => {
      const r = http.request(
        {
          host: up.hostname,
          port: up.port,
          path: `/admin/drop-session?session=${encodeURIComponent(sid)}`,
          method: 'POST',
          agent,
        },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      r.on('error', resolve);
      r.end();
    });
  }

  function faultBody(req, text) {
    if (!echoHeaders) return text;
    return `${text}\nrequest headers: ${JSON.stringify(req.headers)}`;
  }

  function stall(req, res) {
    return new Promise((resolve) => {
      let done = false;
      const finish = (byClient) => {
        if (done) return;
        done = true;
        clearTimeout(t);
        if (byClient) stats.stalls.endedByClient++;
        else stats.stalls.endedByProxy++;
        cut(res);
        resolve();
      };
      const t = setTimeout(() => finish(false), stallMaxMs);
      res.once('close', () => finish(true));
    });
  }

  async function oversize(res, sse) {
    stats.oversize.sent++;
    res.writeHead(200, {
      'Content-Type': sse ? 'text/event-stream' : 'application/json',
      'Cache-Control': 'no-cache',
    });
    const chunk = Buffer.alloc(64 * 1024, 'x'.charCodeAt(0));
    let sent = 0;
    let closed = false;
    const gone = new Promise((r) =>
      res.once('close', () => {
        closed = true;
        r();
      }),
    );
    const head = sse ? 'event: message\ndata: {"jsonrpc":"2.0","result":{"pad":"' : '{"jsonrpc":"2.0","result":{"pad":"';
    res.write(head);
    sent += head.length;
    while (!closed && sent < oversizeMaxBytes) {
      const ok = res.write(chunk);
      sent += chunk.length;
      if (!ok) {
        await Promise.race([new Promise((r) => res.once('drain', r)), gone]);
      }
    }
    if (closed || res.destroyed) {
      stats.oversize.cancelledByClient++;
      stats.oversize.maxBytesBeforeCancel = Math.max(stats.oversize.maxBytesBeforeCancel, sent);
    } else {
      stats.oversize.notCancelled++;
      res.end('"}}');
    }
  }

  /** Answer with a transformed copy of the upstream reply. */
  function sendBody(res, status, headers, body) {
    const h = { ...headers };
    delete h['content-length'];
    delete h['transfer-encoding'];
    h['content-length'] = Buffer.byteLength(body);
    res.writeHead(status, h);
    res.end(body);
  }

  async function applyToReply(fault, req, res, upRes, method, msg) {
    const { kind, rnd } = fault;
    const id = msg?.id;
    const ctype = String(upRes.headers['content-type'] ?? '').toLowerCase();
    const sse = ctype.startsWith('text/event-stream');
    const json = ctype.startsWith('application/json');
    const raw = await readAll(upRes);
    const stale = lastResponse && lastResponse.id !== id ? lastResponse.text : undefined;
    if (sse || json) learn(method, msg, raw.toString('utf8'), ctype);
    const headers = forwardHeaders(upRes.headers);
    const text = raw.toString('utf8');
    if (upRes.statusCode !== 200 || !(sse || json)) {
      // Nothing to break in a 202 or an error page: pass it on.
      stats.skipped++;
      sendBody(res, upRes.statusCode, headers, raw);
      return 'skipped';
    }
    // The JSON text of the response to `id`, and where it sits in the body.
    let events = sse ? sseEvents(text) : [];
    let at = sse ? events.findIndex((e) => tryJson(sseData(e))?.id === id) : -1;
    const respText = sse ? (at >= 0 ? sseData(events[at]) : undefined) : text;
    if (respText === undefined) {
      stats.skipped++;
      sendBody(res, upRes.statusCode, headers, raw);
      return 'skipped';
    }
    const replaceEvent = (data) => {
      const out = events.slice();
      out[at] = `event: message\ndata: ${data}\n\n`;
      return out.join('');
    };
    switch (kind) {
      case 'reset':
        reset(res);
        return 'after the server answered';
      case 'truncate': {
        const cut = 1 + Math.floor(rnd() * (respText.length - 1));
        const t = respText.slice(0, cut);
        sendBody(res, 200, headers, sse ? replaceEvent(t) : t);
        return `cut at ${cut}/${respText.length}`;
      }
      case 'sse-cut': {
        // The bytes up to the middle of the response's data, then the stream ends.
        const before = sse ? events.slice(0, at).join('') : '';
        const evText = sse ? `event: message\ndata: ${respText}\n\n` : respText;
        const cut = (sse ? 'event: message\ndata: '.length : 0) + 1 + Math.floor(rnd() * (respText.length - 2));
        const part = before + evText.slice(0, cut);
        const clean = sse && rnd() < 0.5;
        const h = { ...headers };
        delete h['content-length'];
        if (sse) {
          res.writeHead(200, h);
          res.write(part);
        } else {
          // A JSON body that stops short of its Content-Length.
          res.writeHead(200, { ...h, 'content-length': Buffer.byteLength(evText) });
          res.write(part);
        }
        if (clean) {
          res.end();
        } else {
          // Let the bytes leave before the reset.
          await new Promise((r) => setImmediate(r));
          reset(res);
        }
        return `${clean ? 'ended' : 'reset'} after ${Buffer.byteLength(part)} bytes`;
      }
      case 'bad-utf8': {
        const bad = Buffer.from([0xff, 0xfe, 0xc3]);
        if (sse && rnd() < 0.4) {
          // Harmless: in a comment line and a field name the client must ignore.
          const junk = Buffer.concat([
            Buffer.from(': '), bad, Buffer.from(' comment\nbogus'), bad, Buffer.from(': x\n\n'),
          ]);
          const body = Buffer.concat([junk, raw]);
          sendBody(res, 200, headers, body);
          return 'in a comment (harmless)';
        }
        // Right after the opening brace: no longer JSON, whichever way it is decoded.
        const j = Buffer.from(respText);
        const broken = Buffer.concat([j.subarray(0, 1), bad, j.subarray(1)]);
        if (sse) {
          const pre = Buffer.from(events.slice(0, at).join('') + 'event: message\ndata: ');
          const post = Buffer.from('\n\n' + events.slice(at + 1).join(''));
          sendBody(res, 200, headers, Buffer.concat([pre, broken, post]));
        } else {
          sendBody(res, 200, headers, broken);
        }
        return 'inside the JSON';
      }
      case 'content-type': {
        const choices = ['text/html; charset=utf-8', 'text/plain', undefined];
        const ct = choices[Math.floor(rnd() * choices.length)];
        const h = { ...headers };
        delete h['content-type'];
        if (ct) h['content-type'] = ct;
        sendBody(res, 200, h, raw);
        return ct ?? 'none';
      }
      case 'oversize':
        await oversize(res, sse);
        return sse ? 'sse' : 'json';
      case 'duplicate': {
        if (sse) {
          const extra = stale ? [`event: message\ndata: ${stale}\n\n`] : [];
          const out = [...events.slice(0, at), ...extra, events[at], events[at], ...events.slice(at + 1)];
          sendBody(res, 200, headers, out.join(''));
        } else {
          const arr = [...(stale ? [stale] : []), respText, respText];
          sendBody(res, 200, headers, `[${arr.join(',')}]`);
        }
        return stale ? 'with a stale response first' : 'twice';
      }
      default:
        sendBody(res, upRes.statusCode, headers, raw);
        return 'unchanged';
    }
  }

  /** The standalone GET stream: faults on the stream itself. */
  async function handleGet(req, res, fault) {
    const upRes = await forward(req, res);
    const headers = forwardHeaders(upRes.headers);
    const ctype = String(upRes.headers['content-type'] ?? '');
    if (!fault || upRes.statusCode !== 200 || !ctype.startsWith('text/event-stream')) {
      res.writeHead(upRes.statusCode, headers);
      upRes.pipe(res);
      return fault ? 'skipped' : undefined;
    }
    const { kind, rnd } = fault;
    res.writeHead(200, headers);
    // Pass events through; after a few of them, break the stream as the fault says.
    const after = 1 + Math.floor(rnd() * 3);
    let seen = 0;
    let buf = '';
    const bad = Buffer.from([0xff, 0xfe]);
    upRes.on('data', (c) => {
      buf += c.toString('utf8');
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const ev = buf.slice(0, i + 2);
        buf = buf.slice(i + 2);
        seen++;
        if (seen < after) {
          res.write(ev);
          continue;
        }
        if (kind === 'bad-utf8') {
          res.write(Buffer.concat([Buffer.from(': '), bad, Buffer.from('\n\n')]));
          res.write(ev);
        } else if (kind === 'duplicate') {
          res.write(ev);
          res.write(ev);
        } else if (kind === 'truncate' || kind === 'sse-cut') {
          res.write(ev.slice(0, Math.max(1, Math.floor(ev.length / 2))));
          upRes.destroy();
          reset(res);
          return;
        } else {
          res.write(ev);
        }
      }
    });
    upRes.on('end', () => res.end());
    upRes.on('error', () => cut(res));
    return `after ${after} events`;
  }

  async function handle(req, res) {
    const body = req.method === 'POST' ? await readAll(req) : Buffer.alloc(0);
    const msg = req.method === 'POST' ? tryJson(body.toString('utf8')) : undefined;
    const method =
      req.method === 'POST'
        ? typeof msg?.method === 'string'
          ? msg.method
          : msg && ('result' in msg || 'error' in msg)
            ? 'response'
            : 'invalid'
        : req.method;
    stats.exchanges++;
    count(stats.byMethod, method);
    const sid = req.headers['mcp-session-id'];
    if (req.method === 'POST' && method !== 'initialize' && method !== 'server/discover' && !sid) stats.postsWithoutSession++;
    const key = requestKey(method, msg);
    let fault = req.method === 'OPTIONS' ? undefined : decide(key, method);
    if (fault && req.method !== 'POST' && ['oversize', 'content-type', 'lost-session'].includes(fault.kind)) {
      fault = undefined; // not meaningful outside a POST reply
    }
    const note = (detail) => {
      stats.faulted++;
      count(stats.byKind, fault.kind);
      log(`fault ${fault.kind} on ${key}${detail ? ` (${detail})` : ''}`);
    };

    if (fault) {
      const { kind, rnd } = fault;
      switch (kind) {
        case 'reset':
          if (rnd() < 0.5 || req.method !== 'POST') {
            note('before the server saw it');
            reset(res);
            return;
          }
          break;
        case 'http5xx': {
          const status = [500, 502, 503][Math.floor(rnd() * 3)];
          note(String(status));
          res.writeHead(status, { 'Content-Type': 'text/plain' });
          res.end(faultBody(req, `injected ${status}`));
          return;
        }
        case 'http429':
          note('Retry-After: 1');
          res.writeHead(429, { 'Content-Type': 'text/plain', 'Retry-After': '1' });
          res.end(faultBody(req, 'injected 429: slow down'));
          return;
        case 'stall':
          note(`until the client gives up (at most ${stallMaxMs} ms)`);
          await stall(req, res);
          return;
        case 'lost-session':
          if (!sid) break;
          stats.lostSessions++;
          note(`session ${sid} dropped on the server`);
          await dropSession(sid);
          fault = undefined; // the server answers 404 itself
          break;
        default:
          break;
      }
    }

    if (req.method === 'GET') {
      const detail = await handleGet(req, res, fault);
      if (fault && detail) note(detail);
      return;
    }

    const upRes = await forward(req, res, body);
    if (method === 'initialize' && upRes.statusCode === 200 && upRes.headers['mcp-session-id']) {
      sessionsSeen++;
    }
    if (fault && req.method === 'POST') {
      const detail = await applyToReply(fault, req, res, upRes, method, msg);
      note(detail);
      return;
    }
    // Pass through, keeping a copy to learn taskIds (and the last response, for stale
    // duplicates).
    res.writeHead(upRes.statusCode, forwardHeaders(upRes.headers));
    const ctype = String(upRes.headers['content-type'] ?? '').toLowerCase();
    const keep = req.method === 'POST' && (ctype.startsWith('application/json') || ctype.startsWith('text/event-stream'));
    const chunks = [];
    upRes.on('data', (c) => {
      if (keep) chunks.push(c);
      res.write(c);
    });
    upRes.on('end', () => {
      res.end();
      if (keep) learn(method, msg, Buffer.concat(chunks).toString('utf8'), ctype);
    });
    upRes.on('error', () => cut(res));
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      stats.upstreamErrors++;
      if (!res.headersSent) {
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end('proxy: upstream failed');
      } else {
        cut(res);
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (s) => {
    live.add(s);
    s.on('close', () => live.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${up.pathname}`,
    port,
    stats,
    /** Change the fault rate (0 turns faults off). */
    setRate(r) {
      rate_ = r;
    },
    /** Turn faults on or off. */
    setEnabled(on) {
      enabled = on;
    },
    /** Stop listening and drop every connection. */
    async close() {
      for (const s of live) s.destroy();
      agent.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// Command line: a proxy in front of a running server.
if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const upstream = opt('--upstream', process.env.MCP_TEST_SERVER);
  if (!upstream) {
    console.error('usage: node tests/fault/proxy.mjs --upstream URL [--seed N] [--rate 0.2]');
    process.exit(2);
  }
  const seed = Number(opt('--seed', String(Date.now() % 1_000_000)));
  const rate = Number(opt('--rate', '0.2'));
  const p = await startFaultProxy({ upstream, seed, rate, log: (l) => console.error(l) });
  console.log(`fault proxy on ${p.url} -> ${upstream} (seed ${seed}, rate ${rate})`);
}
