#!/usr/bin/env node
// Drives tests/server/modern.mjs over raw HTTP (fetch + a small SSE parser, no MCP SDK
// client) and checks every tool, the tasks extension, subscriptions/listen, the header
// checks, and the modes: dual (default), --modern-only, --legacy-only, --no-listen,
// --response-mode sse, --sdk-task-content.
//
//   node tests/server/drive-modern.mjs      (prints "N passed, M failed"; exit 1 on failure)
//
// No sleeps as synchronisation: every wait is on an event or a poll, with a deadline;
// the whole run is bounded by a watchdog.

import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const SERVER = path.join(HERE, 'modern.mjs');
const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';
const TASKS_EXT = 'io.modelcontextprotocol/tasks';
const SUB_ID = 'io.modelcontextprotocol/subscriptionId';
const SERVER_INFO_KEY = 'io.modelcontextprotocol/serverInfo';
const STEP_TIMEOUT = 10_000;
const TOTAL_TIMEOUT = 60_000;
const POLL = 100; // --poll-interval for the servers under test

/** Client capabilities: tasks + elicitation (default), or less. */
const CAPS = { extensions: { [TASKS_EXT]: {} }, elicitation: { form: {} } };
const CAPS_NO_TASKS = { elicitation: { form: {} } };
const CAPS_NONE = {};

// ---------------------------------------------------------------------------
// Tiny test runner (as drive.mjs)
// ---------------------------------------------------------------------------

let passed = 0;
let failed = 0;
const servers = new Set();
const cleanups = [];
const quiet = process.argv.includes('--quiet');

async function check(name, fn) {
    try {
        await fn();
        passed++;
        if (!quiet) console.log(`ok - ${name}`);
    } catch (error) {
        failed++;
        console.log(`not ok - ${name}`);
        console.log(String(error?.stack ?? error).split('\n').map(l => `    ${l}`).join('\n'));
    }
}

async function finish(code) {
    clearTimeout(watchdog);
    await Promise.allSettled([...servers].map(s => s.stop()));
    for (const fn of cleanups) {
        try {
            fn();
        } catch {
            /* ignore */
        }
    }
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(code ?? (failed ? 1 : 0));
}

const watchdog = setTimeout(() => {
    console.log(`not ok - watchdog: the run took longer than ${TOTAL_TIMEOUT} ms`);
    failed++;
    finish(1);
}, TOTAL_TIMEOUT);

process.on('unhandledRejection', error => {
    console.log('not ok - unhandled rejection');
    console.log(`    ${error?.stack ?? error}`);
    failed++;
    finish(1);
});

const delay = ms => new Promise(resolve => setTimeout(resolve, ms));

function withTimeout(promise, ms, label) {
    let timer;
    return Promise.race([
        promise,
        new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${label}`)), ms);
        })
    ]).finally(() => clearTimeout(timer));
}

/** Polls fn() until it returns a truthy value (returned), up to `timeout`. */
async function until(fn, label, timeout = STEP_TIMEOUT, every = 20) {
    const deadline = Date.now() + timeout;
    for (;;) {
        const value = await fn();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timeout after ${timeout} ms: ${label}`);
        await delay(every);
    }
}

// ---------------------------------------------------------------------------
// Server process
// ---------------------------------------------------------------------------

function startServer(args) {
    const proc = spawn(process.execPath, [SERVER, '--port', '0', '--poll-interval', String(POLL), ...args], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe']
    });
    let stderr = '';
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', d => {
        stderr += d;
    });
    const exited = new Promise(resolve => proc.once('exit', (code, signal) => resolve({ code, signal })));
    const server = {
        proc,
        args,
        exited,
        stderr: () => stderr,
        async stop() {
            servers.delete(server);
            if (proc.exitCode === null && proc.signalCode === null) {
                proc.kill('SIGTERM');
                try {
                    return await withTimeout(exited, 5000, 'server exit after SIGTERM');
                } catch {
                    proc.kill('SIGKILL');
                    return await exited;
                }
            }
            return exited;
        }
    };
    servers.add(server);
    return withTimeout(
        new Promise((resolve, reject) => {
            let out = '';
            proc.stdout.setEncoding('utf8');
            proc.stdout.on('data', d => {
                out += d;
                const m = /^MCP modern reference server listening on (http:\/\/127\.0\.0\.1:(\d+)\/mcp)\n/.exec(out);
                if (m) {
                    server.url = m[1];
                    server.base = `http://127.0.0.1:${m[2]}`;
                    server.firstStdout = out;
                    resolve(server);
                }
            });
            proc.once('exit', code => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
        }),
        STEP_TIMEOUT,
        `server start ${args.join(' ')}`
    );
}

// ---------------------------------------------------------------------------
// SSE parser (WHATWG event-stream rules; as drive.mjs, without id/retry)
// ---------------------------------------------------------------------------

class SseParser {
    constructor(onEvent) {
        this.onEvent = onEvent;
        this.buffer = '';
        this.data = [];
        this.comments = 0;
    }

    push(chunk) {
        this.buffer += chunk;
        for (;;) {
            const m = /\r\n|\r|\n/.exec(this.buffer);
            if (!m) break;
            if (m[0] === '\r' && m.index === this.buffer.length - 1) break;
            const line = this.buffer.slice(0, m.index);
            this.buffer = this.buffer.slice(m.index + m[0].length);
            this.line(line);
        }
    }

    line(line) {
        if (line === '') {
            if (this.data.length) this.onEvent(this.data.join('\n'));
            this.data = [];
            return;
        }
        if (line.startsWith(':')) {
            this.comments++;
            return;
        }
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'data') this.data.push(value);
    }
}

/** Reads an SSE body, calling onMessage(jsonrpcMessage) for each event with JSON data. */
async function readSse(body, onMessage) {
    const decoder = new TextDecoder();
    const queue = [];
    const parser = new SseParser(data => {
        if (data.trim() !== '') queue.push(JSON.parse(data));
    });
    const reader = body.getReader();
    try {
        for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            parser.push(decoder.decode(value, { stream: true }));
            while (queue.length) await onMessage(queue.shift());
        }
        parser.push(decoder.decode() + '\n\n');
        while (queue.length) await onMessage(queue.shift());
    } finally {
        reader.releaseLock();
    }
}

// ---------------------------------------------------------------------------
// Raw MCP over HTTP, revision 2026-07-28
// ---------------------------------------------------------------------------

let nextId = 1;

function envelope(caps, version = MODERN) {
    return {
        'io.modelcontextprotocol/protocolVersion': version,
        'io.modelcontextprotocol/clientCapabilities': caps,
        'io.modelcontextprotocol/clientInfo': { name: 'drive-modern.mjs', version: '1.0.0' }
    };
}

/** The Mcp-Name source of a request, per the spec and the extension. */
function mcpName(method, params) {
    if (method === 'tools/call' || method === 'prompts/get') return params?.name;
    if (method === 'resources/read') return params?.uri;
    if (method === 'tasks/get' || method === 'tasks/update' || method === 'tasks/cancel') return params?.taskId;
    return undefined;
}

/**
 * POSTs one modern request. opts: caps, version (envelope), headerVersion, headers (extra),
 * omit (header names not to send), meta: false (no _meta), id, signal.
 * Returns { status, headers, contentType, response, notifications, body }.
 */
async function post(url, method, params = {}, opts = {}) {
    const id = opts.id ?? nextId++;
    const version = opts.version ?? MODERN;
    const fullParams = opts.meta === false ? params : { ...params, _meta: { ...params._meta, ...envelope(opts.caps ?? CAPS, version) } };
    const headers = {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'MCP-Protocol-Version': opts.headerVersion ?? version,
        'Mcp-Method': method
    };
    const name = mcpName(method, params);
    if (name !== undefined) headers['Mcp-Name'] = name;
    Object.assign(headers, opts.headers);
    for (const h of opts.omit ?? []) {
        for (const k of Object.keys(headers)) if (k.toLowerCase() === h.toLowerCase()) delete headers[k];
    }
    const work = (async () => {
        const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id, method, params: fullParams }), signal: opts.signal });
        const out = { status: res.status, headers: res.headers, contentType: res.headers.get('content-type') ?? '', notifications: [], response: undefined, id };
        if (out.contentType.includes('text/event-stream')) {
            await readSse(res.body, msg => {
                if (msg.id === id && msg.method === undefined) out.response = msg;
                else if (msg.method !== undefined && msg.id === undefined) out.notifications.push(msg);
                else throw new Error(`unexpected message on the stream: ${JSON.stringify(msg)}`);
            });
        } else {
            out.body = await res.text();
            if (out.body) out.response = JSON.parse(out.body);
        }
        return out;
    })();
    return withTimeout(work, opts.timeout ?? STEP_TIMEOUT, `POST ${method}`);
}

class RpcError extends Error {
    constructor(error, method, status) {
        super(`${method}: HTTP ${status}, JSON-RPC error ${error.code}: ${error.message}`);
        this.code = error.code;
        this.status = status;
        this.rpc = error;
    }
}

/** A request that must succeed (HTTP 200 + result); returns the result. */
async function call(url, method, params, opts) {
    const out = await post(url, method, params, opts);
    if (out.response?.error) throw new RpcError(out.response.error, method, out.status);
    assert.equal(out.status, 200, `${method}: HTTP ${out.status} ${out.body ?? ''}`);
    assert.ok(out.response?.result, `${method}: no result`);
    assert.equal(out.response.id, out.id);
    Object.defineProperty(out.response.result, 'http', { value: out, enumerable: false });
    return out.response.result;
}

/** A request that must fail with `code` (and HTTP `status`); returns the error object. */
async function callError(url, method, params, code, status, opts) {
    const out = await post(url, method, params, opts);
    assert.ok(out.response?.error, `${method}: expected error ${code}, got ${JSON.stringify(out.response)} (HTTP ${out.status})`);
    assert.equal(out.response.error.code, code, `${method}: ${JSON.stringify(out.response.error)}`);
    if (status !== undefined) assert.equal(out.status, status, `${method}: HTTP status`);
    return out.response.error;
}

const tool = (url, name, args = {}, opts) => call(url, 'tools/call', { name, arguments: args }, opts);

async function pollTask(url, taskId, pred, label, timeout = STEP_TIMEOUT) {
    return until(async () => {
        const task = await call(url, 'tasks/get', { taskId });
        return pred(task) ? task : undefined;
    }, `task ${taskId}: ${label}`, timeout, POLL / 2);
}

const terminal = task => ['completed', 'failed', 'cancelled'].includes(task.status);

/** A subscriptions/listen stream: collects messages, waitFor(pred), close(). */
class Listen extends EventEmitter {
    static async open(url, notifications, opts = {}) {
        const id = opts.id ?? `listen-${nextId++}`;
        const ac = new AbortController();
        const headers = {
            'Content-Type': 'application/json',
            Accept: 'application/json, text/event-stream',
            'MCP-Protocol-Version': MODERN,
            'Mcp-Method': 'subscriptions/listen'
        };
        const body = { jsonrpc: '2.0', id, method: 'subscriptions/listen', params: { notifications, _meta: envelope(opts.caps ?? CAPS) } };
        const res = await withTimeout(fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: ac.signal }), STEP_TIMEOUT, 'listen');
        return new Listen(res, ac, id);
    }

    constructor(res, ac, id) {
        super();
        this.setMaxListeners(0);
        this.id = id;
        this.status = res.status;
        this.contentType = res.headers.get('content-type') ?? '';
        this.messages = [];
        this.ac = ac;
        this.closed = false;
        this.ended = (this.contentType.includes('text/event-stream')
            ? readSse(res.body, msg => {
                  this.messages.push(msg);
                  this.emit('message', msg);
              }).then(() => 'ended', error => (this.closed ? 'closed' : `error: ${error.message}`))
            : res.text().then(text => {
                  this.body = text;
                  return 'not-sse';
              })
        ).then(how => {
            this.done = true;
            this.emit('end');
            return how;
        });
    }

    waitFor(pred, label, timeout = STEP_TIMEOUT) {
        const found = this.messages.find(pred);
        if (found) return Promise.resolve(found);
        return withTimeout(
            new Promise((resolve, reject) => {
                const onMessage = msg => {
                    if (pred(msg)) {
                        cleanup();
                        resolve(msg);
                    }
                };
                const onEnd = () => {
                    cleanup();
                    reject(new Error(`listen stream ended while waiting for ${label}`));
                };
                const cleanup = () => {
                    this.off('message', onMessage);
                    this.off('end', onEnd);
                };
                this.on('message', onMessage);
                this.once('end', onEnd);
                if (this.done) onEnd();
            }),
            timeout,
            `listen: ${label}`
        ).catch(error => {
            throw new Error(`${error.message}; got: ${JSON.stringify(this.messages.map(m => `${m.method ?? 'response'} ${m.params?.status ?? ''}`))}`);
        });
    }

    close() {
        this.closed = true;
        this.ac.abort();
    }
}

const isTaskNote = (taskId, status) => m => m.method === 'notifications/tasks' && m.params?.taskId === taskId && (status === undefined || m.params.status === status);

function assertCreateTaskResult(r, { pollIntervalMs = POLL } = {}) {
    assert.equal(r.resultType, 'task');
    assert.equal(typeof r.taskId, 'string');
    assert.ok(r.taskId.length >= 16, 'task ids must be hard to guess');
    assert.ok(['working', 'input_required'].includes(r.status), `status ${r.status}`);
    assert.ok(!Number.isNaN(Date.parse(r.createdAt)), 'createdAt');
    assert.ok(!Number.isNaN(Date.parse(r.lastUpdatedAt)), 'lastUpdatedAt');
    assert.ok(r.ttlMs === null || Number.isInteger(r.ttlMs), 'ttlMs');
    assert.equal(r.pollIntervalMs, pollIntervalMs);
    assert.ok(!('task' in r), 'flat, no nested task');
    assert.ok(!('content' in r), 'no content on a CreateTaskResult');
}

async function admin(base, route, method = 'GET') {
    const res = await fetch(base + route, { method, signal: AbortSignal.timeout(STEP_TIMEOUT) });
    return { status: res.status, body: await res.json(), headers: res.headers };
}

/** A raw legacy (2025-11-25) POST; answers are SSE (the SDK's stateless transport). */
async function legacyPost(url, method, params, { headers = {} } = {}) {
    const id = nextId++;
    const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
        signal: AbortSignal.timeout(STEP_TIMEOUT)
    });
    const out = { status: res.status, headers: res.headers, contentType: res.headers.get('content-type') ?? '' };
    if (out.contentType.includes('text/event-stream')) {
        await readSse(res.body, msg => {
            if (msg.id === id) out.response = msg;
        });
    } else {
        out.body = await res.text();
        if (out.body) out.response = JSON.parse(out.body);
    }
    return out;
}

const legacyInit = url => legacyPost(url, 'initialize', { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: 'drive-modern.mjs', version: '1.0.0' } });

const MODERN_TOOLS = ['echo', 'region', 'mrtr', 'sleep', 'progress', 'fail', 'crash', 'ask', 'forever', 'must_task'];
const LEGACY_TOOLS = ['echo', 'region', 'sleep', 'progress', 'fail', 'crash'];
const NAME = { name: { action: 'accept', content: { name: 'Ann' } } };

// ---------------------------------------------------------------------------
// Dual mode (the default): everything
// ---------------------------------------------------------------------------

async function runDual(staticDir) {
    const srv = await startServer(['--static', staticDir]);
    const url = srv.url;

    await check('dual: listening line', async () => {
        assert.match(srv.firstStdout, /^MCP modern reference server listening on http:\/\/127\.0\.0\.1:\d+\/mcp\n$/);
    });

    await check('dual: server/discover advertises 2026-07-28 and the tasks extension', async () => {
        const r = await call(url, 'server/discover', {}, { caps: CAPS_NONE });
        assert.equal(r.resultType, 'complete');
        assert.ok(r.supportedVersions.includes(MODERN), JSON.stringify(r.supportedVersions));
        assert.deepEqual(r.capabilities.extensions, { [TASKS_EXT]: {} });
        assert.ok(r.capabilities.tools, 'tools capability');
        assert.deepEqual(r._meta[SERVER_INFO_KEY], { name: 'mcp-tasks-reference-modern', version: '1.0.0' });
        assert.ok(Number.isInteger(r.ttlMs), 'ttlMs');
        assert.equal(typeof r.cacheScope, 'string');
        assert.equal(r.http.headers.get('mcp-session-id'), null, 'no sessions');
    });

    await check('dual: tools/list has the modern tools; region is marked x-mcp-header', async () => {
        const r = await call(url, 'tools/list', {});
        assert.deepEqual(r.tools.map(t => t.name).sort(), [...MODERN_TOOLS].sort());
        const region = r.tools.find(t => t.name === 'region');
        assert.equal(region.inputSchema.properties.region['x-mcp-header'], 'Region');
    });

    await check('dual: echo answers its text', async () => {
        const r = await tool(url, 'echo', { text: 'hi there' }, { caps: CAPS_NONE });
        assert.equal(r.resultType, 'complete');
        assert.deepEqual(r.content, [{ type: 'text', text: 'hi there' }]);
        assert.ok(r.http.contentType.startsWith('application/json'), r.http.contentType);
    });

    await check('dual: region echoes the Mcp-Param-Region header (plain and base64 sentinel)', async () => {
        const r = await tool(url, 'region', { region: 'us-west1' }, { headers: { 'Mcp-Param-Region': 'us-west1' } });
        assert.equal(r.content[0].text, 'us-west1');
        assert.deepEqual(r.structuredContent, { header: 'us-west1', region: 'us-west1' });
        const enc = `=?base64?${Buffer.from('Zürich', 'utf8').toString('base64')}?=`;
        const r2 = await tool(url, 'region', { region: 'Zürich' }, { headers: { 'Mcp-Param-Region': enc } });
        assert.equal(r2.content[0].text, enc);
    });

    await check('dual: region without or with a wrong Mcp-Param-Region header is 400 / -32020', async () => {
        await callError(url, 'tools/call', { name: 'region', arguments: { region: 'us-west1' } }, -32020, 400);
        await callError(url, 'tools/call', { name: 'region', arguments: { region: 'us-west1' } }, -32020, 400, { headers: { 'Mcp-Param-Region': 'eu-north1' } });
    });

    await check('dual: header checks (-32020 for version, Mcp-Method, Mcp-Name; -32022 for an unknown version)', async () => {
        await callError(url, 'tools/list', {}, -32020, 400, { headerVersion: LEGACY });
        await callError(url, 'tools/list', {}, -32020, 400, { omit: ['MCP-Protocol-Version'] });
        await callError(url, 'tools/list', {}, -32020, 400, { omit: ['Mcp-Method'] });
        await callError(url, 'tools/list', {}, -32020, 400, { headers: { 'Mcp-Method': 'prompts/list' } });
        await callError(url, 'tools/call', { name: 'echo', arguments: {} }, -32020, 400, { omit: ['Mcp-Name'] });
        await callError(url, 'tools/call', { name: 'echo', arguments: {} }, -32020, 400, { headers: { 'Mcp-Name': 'sleep' } });
        await callError(url, 'tasks/get', { taskId: 'x' }, -32020, 400, { omit: ['Mcp-Name'] });
        const e = await callError(url, 'tools/list', {}, -32022, 400, { version: '2099-01-01' });
        assert.ok(e.data.supported.includes(MODERN), JSON.stringify(e.data));
        assert.equal(e.data.requested, '2099-01-01');
    });

    await check('dual: unknown methods are 404 / -32601 (tasks/result and tasks/list are gone)', async () => {
        await callError(url, 'nope/nothing', {}, -32601, 404);
        await callError(url, 'tasks/result', { taskId: 'x' }, -32601, 404);
        await callError(url, 'tasks/list', {}, -32601, 404);
    });

    await check('dual: mrtr asks with input_required, then answers the retry', async () => {
        const first = await tool(url, 'mrtr', {});
        assert.equal(first.resultType, 'input_required');
        assert.equal(first.inputRequests.name.method, 'elicitation/create');
        assert.equal(first.inputRequests.name.params.mode, 'form');
        assert.deepEqual(first.inputRequests.name.params.requestedSchema.required, ['name']);
        assert.equal(typeof first.requestState, 'string');
        const retry = await call(url, 'tools/call', { name: 'mrtr', arguments: {}, inputResponses: NAME, requestState: first.requestState });
        assert.equal(retry.resultType, 'complete');
        assert.deepEqual(retry.content, [{ type: 'text', text: 'Hello, Ann!' }]);
        const declined = await call(url, 'tools/call', { name: 'mrtr', arguments: {}, inputResponses: { name: { action: 'decline' } }, requestState: first.requestState });
        assert.match(declined.content[0].text, /declined/);
        // A retry without the answer asks again.
        const again = await call(url, 'tools/call', { name: 'mrtr', arguments: {}, inputResponses: {}, requestState: first.requestState });
        assert.equal(again.resultType, 'input_required');
    });

    await check('dual: mrtr refuses a forged requestState (-32602) and a client without elicitation (-32021)', async () => {
        await callError(url, 'tools/call', { name: 'mrtr', arguments: {}, inputResponses: NAME, requestState: 'forged' }, -32602, 200);
        const e = await callError(url, 'tools/call', { name: 'mrtr', arguments: {} }, -32021, 400, { caps: CAPS_NONE });
        assert.ok(e.data.requiredCapabilities.elicitation, JSON.stringify(e.data));
    });

    let sleepTask;
    await check('dual: sleep as a task answers a flat CreateTaskResult and completes', async () => {
        const created = await tool(url, 'sleep', { ms: 150, text: 'slept' });
        assertCreateTaskResult(created);
        assert.ok(created.http.contentType.startsWith('application/json'));
        sleepTask = created.taskId;
        // Durably created: tasks/get resolves at once.
        const first = await call(url, 'tasks/get', { taskId: created.taskId });
        assert.equal(first.resultType, 'complete');
        assert.equal(first.taskId, created.taskId);
        const done = await pollTask(url, created.taskId, terminal, 'terminal');
        assert.equal(done.status, 'completed');
        assert.equal(done.resultType, 'complete');
        assert.deepEqual(done.result.content, [{ type: 'text', text: 'slept' }]);
        assert.ok(Date.parse(done.lastUpdatedAt) >= Date.parse(done.createdAt));
        assert.ok(!('error' in done) && !('inputRequests' in done));
    });

    await check('dual: /admin/stats records when the sleep result was stored', async () => {
        const { body } = await admin(srv.base, '/admin/stats');
        const at = body.resultStoredAt[sleepTask];
        assert.equal(typeof at, 'number');
        assert.ok(at > Date.now() - 60_000 && at <= Date.now() + 1, String(at));
    });

    await check('dual: sleep honours pollIntervalMs / ttlMs arguments and statusMessage', async () => {
        const created = await tool(url, 'sleep', { ms: 5000, pollIntervalMs: 250, ttlMs: 30000, statusMessage: 'napping' });
        assertCreateTaskResult(created, { pollIntervalMs: 250 });
        assert.equal(created.ttlMs, 30000);
        const t = await pollTask(url, created.taskId, x => x.statusMessage === 'napping', 'statusMessage');
        assert.equal(t.status, 'working');
        await call(url, 'tasks/cancel', { taskId: created.taskId });
    });

    await check('dual: task tools without the tasks extension run as plain calls', async () => {
        const r = await tool(url, 'sleep', { ms: 10, text: 'plain' }, { caps: CAPS_NO_TASKS });
        assert.equal(r.resultType, 'complete');
        assert.deepEqual(r.content, [{ type: 'text', text: 'plain' }]);
        const f = await tool(url, 'fail', { ms: 0, message: 'nope' }, { caps: CAPS_NO_TASKS });
        assert.equal(f.isError, true);
        assert.equal(f.content[0].text, 'nope');
        const e = await callError(url, 'tools/call', { name: 'crash', arguments: { ms: 0, code: -32001, message: 'kaput' } }, -32001, 200, { caps: CAPS_NO_TASKS });
        assert.equal(e.message, 'kaput');
        const a = await tool(url, 'ask', {}, { caps: CAPS_NO_TASKS });
        assert.equal(a.resultType, 'input_required');
        const a2 = await call(url, 'tools/call', { name: 'ask', arguments: {}, inputResponses: NAME, requestState: a.requestState }, { caps: CAPS_NO_TASKS });
        assert.equal(a2.content[0].text, 'Hello, Ann!');
    });

    await check('dual: plain progress with a progressToken streams notifications/progress', async () => {
        const r = await call(url, 'tools/call', { name: 'progress', arguments: { steps: 3, ms: 5 }, _meta: { progressToken: 'p1' } }, { caps: CAPS_NO_TASKS });
        assert.ok(r.http.contentType.startsWith('text/event-stream'), r.http.contentType);
        const progress = r.http.notifications.filter(n => n.method === 'notifications/progress');
        assert.deepEqual(progress.map(n => n.params.progress), [1, 2, 3]);
        assert.ok(progress.every(n => n.params.progressToken === 'p1' && n.params.total === 3));
        assert.equal(r.content[0].text, 'progress done: 3 steps');
    });

    await check('dual: progress as a task: statusMessage per step, pollIntervalMs changes (seen on listen)', async () => {
        // 3 x 200 ms: the listen below only has to open before the task ends to see a step.
        const created = await tool(url, 'progress', { steps: 3, ms: 200, stepPollIntervalMs: 40 });
        assertCreateTaskResult(created);
        const listen = await Listen.open(url, { taskIds: [created.taskId] });
        const done = await listen.waitFor(isTaskNote(created.taskId, 'completed'), 'completed');
        listen.close();
        const seen = listen.messages.filter(isTaskNote(created.taskId)).map(m => m.params);
        const steps = seen.map(t => t.statusMessage).filter(Boolean);
        // The first notification is a snapshot: it may be past step 1 already.
        assert.deepEqual(steps, ['step 1/3', 'step 2/3', 'step 3/3'].slice(3 - steps.length));
        assert.ok(steps.includes('step 3/3'));
        assert.equal(done.params.pollIntervalMs, 40);
        assert.equal(done.params.result.content[0].text, 'progress done: 3 steps');
    });

    await check('dual: fail as a task ends completed with isError: true', async () => {
        const created = await tool(url, 'fail', { ms: 10, message: 'bad input' });
        assertCreateTaskResult(created);
        const done = await pollTask(url, created.taskId, terminal, 'terminal');
        assert.equal(done.status, 'completed');
        assert.equal(done.result.isError, true);
        assert.equal(done.result.content[0].text, 'bad input');
    });

    await check('dual: crash as a task ends failed with the JSON-RPC error', async () => {
        const created = await tool(url, 'crash', { ms: 10, code: -32001, message: 'boom' });
        assertCreateTaskResult(created);
        const done = await pollTask(url, created.taskId, terminal, 'terminal');
        assert.equal(done.status, 'failed');
        assert.deepEqual(done.error, { code: -32001, message: 'boom' });
        assert.match(done.statusMessage, /boom/);
        assert.ok(!('result' in done));
        const { body } = await admin(srv.base, '/admin/stats');
        assert.equal(typeof body.resultStoredAt[created.taskId], 'number', 'a stored error counts as stored');
    });

    await check('dual: ask as a task: input_required, tasks/update answers, completes', async () => {
        const created = await tool(url, 'ask', { message: 'Who are you?' });
        assertCreateTaskResult(created);
        const waiting = await pollTask(url, created.taskId, t => t.status === 'input_required', 'input_required');
        assert.equal(waiting.inputRequests.name.method, 'elicitation/create');
        assert.equal(waiting.inputRequests.name.params.message, 'Who are you?');
        // The same outstanding request on the next poll.
        const again = await call(url, 'tasks/get', { taskId: created.taskId });
        assert.deepEqual(again.inputRequests, waiting.inputRequests);
        // An unknown key is ignored.
        const ack0 = await call(url, 'tasks/update', { taskId: created.taskId, inputResponses: { other: { action: 'accept', content: {} } } });
        assert.equal(ack0.resultType, 'complete');
        assert.equal((await call(url, 'tasks/get', { taskId: created.taskId })).status, 'input_required');
        const ack = await call(url, 'tasks/update', { taskId: created.taskId, inputResponses: NAME });
        assert.deepEqual(Object.keys(ack).filter(k => k !== '_meta'), ['resultType']);
        const done = await pollTask(url, created.taskId, terminal, 'terminal');
        assert.equal(done.status, 'completed');
        assert.deepEqual(done.result.content, [{ type: 'text', text: 'Hello, Ann!' }]);
    });

    await check('dual: ask needs the elicitation capability (-32021)', async () => {
        await callError(url, 'tools/call', { name: 'ask', arguments: {} }, -32021, 400, { caps: { extensions: { [TASKS_EXT]: {} } } });
    });

    await check('dual: forever runs until tasks/cancel; cancel of a terminal task is acknowledged', async () => {
        const created = await tool(url, 'forever', {});
        assertCreateTaskResult(created);
        assert.equal((await call(url, 'tasks/get', { taskId: created.taskId })).status, 'working');
        const ack = await call(url, 'tasks/cancel', { taskId: created.taskId });
        assert.equal(ack.resultType, 'complete');
        const done = await pollTask(url, created.taskId, terminal, 'terminal');
        assert.equal(done.status, 'cancelled');
        await call(url, 'tasks/cancel', { taskId: created.taskId });
        assert.equal((await call(url, 'tasks/get', { taskId: created.taskId })).status, 'cancelled');
    });

    await check('dual: a plain forever call ends when the client drops the request', async () => {
        const ac = new AbortController();
        const pending = post(url, 'tools/call', { name: 'forever', arguments: {} }, { caps: CAPS_NO_TASKS, signal: ac.signal }).catch(error => error);
        await until(async () => (await admin(srv.base, '/admin/stats')).body.plainCallsInFlight === 1, 'forever running');
        ac.abort();
        const outcome = await pending;
        assert.equal(outcome?.name, 'AbortError', String(outcome));
        await until(async () => (await admin(srv.base, '/admin/stats')).body.plainCallsInFlight === 0, 'forever stopped');
    });

    await check('dual: must_task runs as a task, and is -32021 without the extension', async () => {
        const created = await tool(url, 'must_task', { ms: 10 });
        assertCreateTaskResult(created);
        const done = await pollTask(url, created.taskId, terminal, 'terminal');
        assert.equal(done.result.content[0].text, 'must_task done');
        const e = await callError(url, 'tools/call', { name: 'must_task', arguments: {} }, -32021, 400, { caps: CAPS_NO_TASKS });
        assert.deepEqual(e.data, { requiredCapabilities: { extensions: { [TASKS_EXT]: {} } } });
    });

    await check('dual: unknown task ids are -32602; tasks/* without the extension are -32021', async () => {
        const e = await callError(url, 'tasks/get', { taskId: 'no-such-task' }, -32602, 200);
        assert.match(e.message, /not found/i);
        await callError(url, 'tasks/update', { taskId: 'no-such-task', inputResponses: NAME }, -32602);
        await callError(url, 'tasks/cancel', { taskId: 'no-such-task' }, -32602);
        await callError(url, 'tasks/get', { taskId: sleepTask }, -32021, 400, { caps: CAPS_NO_TASKS });
        await callError(url, 'tasks/cancel', { taskId: sleepTask }, -32021, 400, { caps: CAPS_NONE });
    });

    await check('dual: a task past its ttlMs is gone (-32602 "expired")', async () => {
        const created = await tool(url, 'forever', { ttlMs: 50 });
        assert.equal(created.ttlMs, 50);
        const e = await until(async () => {
            const out = await post(url, 'tasks/get', { taskId: created.taskId });
            return out.response.error;
        }, 'expiry', STEP_TIMEOUT, 25);
        assert.equal(e.code, -32602);
        assert.match(e.message, /expired/);
    });

    await check('dual: subscriptions/listen with taskIds: ack first, then notifications/tasks with the result', async () => {
        const created = await tool(url, 'sleep', { ms: 100, text: 'heard' });
        const listen = await Listen.open(url, { taskIds: [created.taskId, 'no-such-task'] }, { id: 77 });
        assert.equal(listen.status, 200);
        assert.ok(listen.contentType.startsWith('text/event-stream'), listen.contentType);
        const done = await listen.waitFor(isTaskNote(created.taskId, 'completed'), 'completed');
        listen.close();
        const [ack] = listen.messages;
        assert.equal(ack.method, 'notifications/subscriptions/acknowledged');
        assert.deepEqual(ack.params.notifications, { taskIds: [created.taskId] });
        assert.ok(listen.messages.every(m => m.params._meta[SUB_ID] === 77), 'every message carries the subscription id');
        assert.deepEqual(done.params.result.content, [{ type: 'text', text: 'heard' }]);
        assert.equal(done.params.ttlMs, created.ttlMs);
        // The same DetailedTask as tasks/get (minus resultType/_meta).
        const got = await call(url, 'tasks/get', { taskId: created.taskId });
        const { resultType, _meta, ...detailed } = got;
        const { _meta: noteMeta, ...note } = done.params;
        assert.equal(resultType, 'complete');
        assert.deepEqual(note, detailed);
    });

    await check('dual: listen for unknown tasks only: ack with taskIds [], then a graceful end', async () => {
        const l = await Listen.open(url, { taskIds: ['no-such-task'] }, { id: 'empty' });
        assert.equal(await l.ended, 'ended');
        assert.deepEqual(l.messages.map(m => m.method ?? 'response'), ['notifications/subscriptions/acknowledged', 'response']);
        assert.deepEqual(l.messages[0].params.notifications, { taskIds: [] });
        assert.equal(l.messages[1].id, 'empty');
        assert.equal(l.messages[1].result.resultType, 'complete');
    });

    await check('dual: closing a listen stream ends the subscription on the server', async () => {
        // The streams of the checks before are closed by now, or soon.
        await until(async () => (await admin(srv.base, '/admin/stats')).body.subscriptions.open === 0, 'earlier subscriptions closed');
        const created = await tool(url, 'forever', {});
        const listen = await Listen.open(url, { taskIds: [created.taskId] });
        await listen.waitFor(isTaskNote(created.taskId, 'working'), 'snapshot');
        assert.equal((await admin(srv.base, '/admin/stats')).body.subscriptions.open, 1);
        listen.close();
        await until(async () => (await admin(srv.base, '/admin/stats')).body.subscriptions.open === 0, 'subscription closed');
        await call(url, 'tasks/cancel', { taskId: created.taskId });
    });

    await check('dual: listen for tasks without the extension is -32021; with a header mismatch -32020', async () => {
        const l = await Listen.open(url, { taskIds: ['x'] }, { caps: CAPS_NO_TASKS });
        await l.ended;
        assert.equal(l.status, 400);
        assert.equal(JSON.parse(l.body).error.code, -32021);
        const out = await post(url, 'subscriptions/listen', { notifications: { taskIds: ['x'] } }, { headers: { 'Mcp-Method': 'tools/list' } });
        assert.equal(out.status, 400);
        assert.equal(out.response.error.code, -32020);
    });

    await check('dual: listen without taskIds is the SDK\'s (ack with the honoured core filter)', async () => {
        const l = await Listen.open(url, { resourcesListChanged: true });
        const ack = await l.waitFor(m => m.method === 'notifications/subscriptions/acknowledged', 'ack');
        assert.deepEqual(ack.params.notifications, {});
        await l.ended; // nothing honoured: the SDK ends the stream gracefully
        const end = l.messages.find(m => m.id === l.id);
        assert.equal(end?.result?.resultType, 'complete');
    });

    await check('dual: legacy initialize is served statelessly (no session, no extension)', async () => {
        const out = await legacyInit(url);
        assert.equal(out.status, 200);
        assert.equal(out.response.result.protocolVersion, LEGACY);
        assert.deepEqual(out.response.result.serverInfo, { name: 'mcp-tasks-reference-modern', version: '1.0.0' });
        assert.equal(out.response.result.capabilities.extensions, undefined);
        assert.equal(out.headers.get('mcp-session-id'), null);
        const list = await legacyPost(url, 'tools/list', {}, { headers: { 'MCP-Protocol-Version': LEGACY } });
        assert.deepEqual(list.response.result.tools.map(t => t.name).sort(), [...LEGACY_TOOLS].sort());
        const echo = await legacyPost(url, 'tools/call', { name: 'echo', arguments: { text: 'old' } }, { headers: { 'MCP-Protocol-Version': LEGACY } });
        assert.deepEqual(echo.response.result.content, [{ type: 'text', text: 'old' }]);
        const sleep = await legacyPost(url, 'tools/call', { name: 'sleep', arguments: { ms: 5, text: 'z' } }, { headers: { 'MCP-Protocol-Version': LEGACY } });
        assert.deepEqual(sleep.response.result.content, [{ type: 'text', text: 'z' }]);
        const get = await fetch(url, { headers: { Accept: 'text/event-stream' } });
        await get.body?.cancel();
        assert.equal(get.status, 405);
    });

    await check('dual: CORS preflight echoes the requested headers and exposes Mcp-Session-Id', async () => {
        const res = await fetch(url, {
            method: 'OPTIONS',
            headers: { Origin: 'http://example.test', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,mcp-protocol-version,mcp-method,mcp-name,mcp-param-region' }
        });
        assert.equal(res.status, 204);
        assert.equal(res.headers.get('access-control-allow-origin'), 'http://example.test');
        assert.equal(res.headers.get('access-control-allow-headers'), 'content-type,mcp-protocol-version,mcp-method,mcp-name,mcp-param-region');
        assert.match(res.headers.get('access-control-allow-methods'), /POST/);
        assert.match(res.headers.get('access-control-expose-headers'), /Mcp-Session-Id/);
        const r = await tool(url, 'echo', { text: 'x' });
        assert.equal(r.http.headers.get('access-control-allow-origin'), '*');
        assert.match(r.http.headers.get('access-control-expose-headers'), /MCP-Protocol-Version/);
    });

    await check('dual: /admin/stats counts what was sent; /admin/reset zeroes it', async () => {
        const reset = await admin(srv.base, '/admin/reset', 'POST');
        assert.deepEqual(reset.body, { ok: true });
        await tool(url, 'echo', { text: 'a' });
        await tool(url, 'echo', { text: 'b' });
        const created = await tool(url, 'sleep', { ms: 1 });
        await pollTask(url, created.taskId, terminal, 'terminal');
        const pre = await fetch(url, { method: 'OPTIONS' });
        await pre.body?.cancel();
        await legacyInit(url);
        const { body } = await admin(srv.base, '/admin/stats');
        const gets = body.requests.byMethod['tasks/get'];
        assert.ok(gets >= 1);
        assert.deepEqual(body.requests.byMethod, { 'tools/call': 3, 'tasks/get': gets, initialize: 1 });
        assert.equal(body.requests.total, 4 + gets);
        assert.deepEqual(body.requests.byEra, { modern: 3 + gets, legacy: 1 });
        assert.deepEqual(body.requests.byHttpMethod, { POST: 4 + gets, GET: 0, DELETE: 0, OPTIONS: 1 });
        assert.deepEqual(Object.keys(body.resultStoredAt), [created.taskId]);
        assert.deepEqual(body.sessions, []);
        assert.equal(typeof body.tasks.total, 'number');
        await admin(srv.base, '/admin/reset', 'POST');
        const after = (await admin(srv.base, '/admin/stats')).body;
        assert.equal(after.requests.total, 0);
        assert.deepEqual(after.resultStoredAt, {});
    });

    await check('dual: static files with content types; traversal refused', async () => {
        const wasm = await fetch(`${srv.base}/m.wasm`);
        assert.equal(wasm.status, 200);
        assert.equal(wasm.headers.get('content-type'), 'application/wasm');
        await wasm.arrayBuffer();
        const idx = await fetch(`${srv.base}/`);
        assert.equal(idx.status, 200);
        assert.match(await idx.text(), /static/);
        const bad = await fetch(`${srv.base}/%2e%2e/secret.txt`);
        assert.equal(bad.status, 404);
        await bad.text();
    });

    await check('dual: SIGTERM ends open listen streams gracefully and exits 0', async () => {
        const created = await tool(url, 'forever', {});
        const listen = await Listen.open(url, { taskIds: [created.taskId] }, { id: 'bye' });
        await listen.waitFor(isTaskNote(created.taskId, 'working'), 'snapshot');
        const stopped = srv.stop();
        const how = await withTimeout(listen.ended, STEP_TIMEOUT, 'listen end on shutdown');
        assert.equal(how, 'ended');
        const last = listen.messages.at(-1);
        assert.equal(last.id, 'bye');
        assert.equal(last.result.resultType, 'complete');
        assert.equal(last.result._meta[SUB_ID], 'bye');
        const { code, signal } = await stopped;
        assert.equal(code, 0, `exit code ${code} signal ${signal}`);
    });
}

// ---------------------------------------------------------------------------
// The other modes
// ---------------------------------------------------------------------------

async function runModernOnly() {
    // Also: --no-listen and --sdk-task-content.
    const srv = await startServer(['--modern-only', '--no-listen', '--sdk-task-content']);
    const url = srv.url;

    await check('modern-only: legacy initialize is 400 / -32022 with data.supported', async () => {
        const out = await legacyInit(url);
        assert.equal(out.status, 400);
        assert.equal(out.response.error.code, -32022);
        assert.deepEqual(out.response.error.data.supported, [MODERN]);
    });

    await check('modern-only: server/discover and tools work', async () => {
        const r = await call(url, 'server/discover', {});
        assert.deepEqual(r.supportedVersions, [MODERN]);
        const e = await tool(url, 'echo', { text: 'm' });
        assert.equal(e.content[0].text, 'm');
    });

    await check('modern-only --sdk-task-content: the CreateTaskResult keeps the SDK\'s content: []', async () => {
        const created = await tool(url, 'sleep', { ms: 1 });
        assert.equal(created.resultType, 'task');
        assert.deepEqual(created.content, []);
    });

    await check('--no-listen: subscriptions/listen is 404 / -32601', async () => {
        await callError(url, 'subscriptions/listen', { notifications: { taskIds: ['x'] } }, -32601, 404);
    });

    await srv.stop();
}

async function runLegacyOnly() {
    const srv = await startServer(['--legacy-only']);
    const url = srv.url;

    await check('legacy-only: a modern server/discover probe is refused without a modern error', async () => {
        // With the modern headers: the SDK's 2025 transport rejects the version header.
        const out = await post(url, 'server/discover', {});
        assert.equal(out.status, 400);
        assert.ok(![-32020, -32021, -32022, -32601].includes(out.response?.error?.code), JSON.stringify(out.response));
        // Without MCP-Protocol-Version: an unknown method, HTTP 200 with a JSON-RPC error.
        const out2 = await post(url, 'server/discover', {}, { omit: ['MCP-Protocol-Version'] });
        assert.equal(out2.status, 200);
        assert.equal(out2.response.error.code, -32601);
    });

    await check('legacy-only: initialize and plain tools; no tasks', async () => {
        const out = await legacyInit(url);
        assert.equal(out.status, 200);
        assert.equal(out.response.result.protocolVersion, LEGACY);
        assert.equal(out.response.result.capabilities.extensions, undefined);
        const list = await legacyPost(url, 'tools/list', {}, { headers: { 'MCP-Protocol-Version': LEGACY } });
        assert.deepEqual(list.response.result.tools.map(t => t.name).sort(), [...LEGACY_TOOLS].sort());
        const crash = await legacyPost(url, 'tools/call', { name: 'crash', arguments: { ms: 0 } }, { headers: { 'MCP-Protocol-Version': LEGACY } });
        assert.equal(crash.response.error.code, -32603);
    });

    await srv.stop();
}

async function runSse() {
    const srv = await startServer(['--response-mode', 'sse', '--ttl', '0']);
    const url = srv.url;
    await check('response-mode sse: answers are SSE; the CreateTaskResult is flat there too', async () => {
        const r = await tool(url, 'echo', { text: 's' });
        assert.ok(r.http.contentType.startsWith('text/event-stream'), r.http.contentType);
        const created = await tool(url, 'sleep', { ms: 1 });
        assert.ok(created.http.contentType.startsWith('text/event-stream'));
        assertCreateTaskResult(created);
        assert.equal(created.ttlMs, null, '--ttl 0: unlimited');
        const done = await pollTask(url, created.taskId, terminal, 'terminal');
        assert.equal(done.status, 'completed');
    });
    await srv.stop();
}

// ---------------------------------------------------------------------------

function makeStaticDir() {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-modern-static-'));
    cleanups.push(() => fs.rmSync(base, { recursive: true, force: true }));
    fs.writeFileSync(path.join(base, 'secret.txt'), 'TOPSECRET\n');
    const dir = path.join(base, 'static');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'index.html'), '<h1>static</h1>\n');
    fs.writeFileSync(path.join(dir, 'm.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    return dir;
}

try {
    await runDual(makeStaticDir());
    await runModernOnly();
    await runLegacyOnly();
    await runSse();
} catch (error) {
    failed++;
    console.log(`not ok - aborted: ${error?.stack ?? error}`);
    for (const s of servers) console.log(`# server ${s.args.join(' ')} stderr:\n${s.stderr()}`);
}
await finish();
