#!/usr/bin/env node
// Drives tests/server/server.mjs over raw HTTP (fetch + a small SSE parser, no
// MCP SDK client) and checks every tool path in SSE mode and in --json mode,
// plus a --stateless and a --no-status-notifications run.
//
//   node tests/server/drive.mjs          (prints "N passed, M failed"; exit 1 on failure)
//
// Every wait has a deadline; the whole run is bounded by a watchdog.

import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const SERVER = path.join(HERE, 'server.mjs');
const PROTOCOL = '2025-11-25';
const RELATED = 'io.modelcontextprotocol/related-task';
const STEP_TIMEOUT = 10_000;
const TOTAL_TIMEOUT = 55_000;
const POLL = 100; // --poll-interval for the servers under test

// ---------------------------------------------------------------------------
// Tiny test runner
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

const notes = [];
const note = s => notes.push(s);

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
    for (const n of notes) console.log(`# ${n}`);
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
                const m = /^MCP reference server listening on (http:\/\/127\.0\.0\.1:(\d+)\/mcp)\n/.exec(out);
                if (m) {
                    server.url = m[1];
                    server.base = `http://127.0.0.1:${m[2]}`;
                    server.port = Number(m[2]);
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
// SSE parser (WHATWG event-stream rules: CRLF/LF/CR, split at any byte,
// multi-line data, comments, id, retry)
// ---------------------------------------------------------------------------

class SseParser {
    constructor(onEvent) {
        this.onEvent = onEvent;
        this.buffer = '';
        this.data = [];
        this.eventType = '';
        this.lastEventId = '';
        this.retry = undefined;
    }

    push(chunk) {
        this.buffer += chunk;
        for (;;) {
            const m = /\r\n|\r|\n/.exec(this.buffer);
            if (!m) break;
            // A CR at the very end may be the first half of a CRLF.
            if (m[0] === '\r' && m.index === this.buffer.length - 1) break;
            const line = this.buffer.slice(0, m.index);
            this.buffer = this.buffer.slice(m.index + m[0].length);
            this.line(line);
        }
    }

    end() {
        if (this.buffer.endsWith('\r')) {
            const line = this.buffer.slice(0, -1);
            this.buffer = '';
            this.line(line);
        }
        // An unterminated event at the end of the stream is discarded (per spec).
    }

    line(line) {
        if (line === '') {
            if (this.data.length) {
                this.onEvent({ event: this.eventType || 'message', data: this.data.join('\n'), id: this.lastEventId, retry: this.retry });
            }
            this.data = [];
            this.eventType = '';
            return;
        }
        if (line.startsWith(':')) return;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        switch (field) {
            case 'data': this.data.push(value); break;
            case 'event': this.eventType = value; break;
            case 'id': if (!value.includes('\0')) this.lastEventId = value; break;
            case 'retry': if (/^\d+$/.test(value)) this.retry = Number(value); break;
            default: break;
        }
    }
}

/** Reads an SSE body, calling onMessage(jsonrpcMessage) for each event with JSON data. */
async function readSse(body, onMessage) {
    const decoder = new TextDecoder();
    const queue = [];
    const parser = new SseParser(ev => {
        if (ev.data.trim() === '') return; // priming event
        queue.push(JSON.parse(ev.data));
    });
    const reader = body.getReader();
    try {
        for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            parser.push(decoder.decode(value, { stream: true }));
            while (queue.length) await onMessage(queue.shift());
        }
        parser.push(decoder.decode());
        parser.end();
        while (queue.length) await onMessage(queue.shift());
    } finally {
        reader.releaseLock();
    }
}

function sseParserSelfTest() {
    const events = [];
    const p = new SseParser(e => events.push(e));
    const input = ': comment\r\nid: 7\r\nretry: 500\r\ndata: \r\n\r\nevent: message\ndata: {"a":\ndata: 1}\n\nid: 8\rdata: x\r\r';
    // feed byte by byte: events may be split anywhere
    for (const ch of input) p.push(ch);
    p.end();
    assert.equal(events.length, 3);
    assert.deepEqual({ ...events[0] }, { event: 'message', data: '', id: '7', retry: 500 });
    assert.equal(events[1].data, '{"a":\n1}');
    assert.deepEqual(JSON.parse(events[1].data), { a: 1 });
    assert.equal(events[2].id, '8');
    assert.equal(events[2].data, 'x');
}

// ---------------------------------------------------------------------------
// Raw MCP over HTTP
// ---------------------------------------------------------------------------

class RpcError extends Error {
    constructor(error, method) {
        super(`${method}: JSON-RPC error ${error.code}: ${error.message}`);
        this.code = error.code;
        this.rpc = error;
    }
}

class McpHttp {
    constructor(url, label) {
        this.url = url;
        this.label = label;
        this.sessionId = undefined;
        this.protocolVersion = undefined;
        this.nextId = 1;
        // What we sent, to compare with /admin/stats
        this.sentByMethod = {};
        this.httpCounts = { POST: 0, GET: 0, DELETE: 0 };
        this.getStreams = [];
    }

    headers(extra = {}) {
        const h = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...extra };
        if (this.sessionId) h['Mcp-Session-Id'] = this.sessionId;
        if (this.protocolVersion) h['MCP-Protocol-Version'] = this.protocolVersion;
        return h;
    }

    /**
     * POSTs one JSON-RPC message. For a request, reads the JSON or SSE reply and
     * returns { status, headers, contentType, response, notifications, serverRequests }.
     * Server requests arriving on the stream are passed to onServerRequest.
     */
    async post(message, { onServerRequest, timeout = STEP_TIMEOUT } = {}) {
        const key = typeof message.method === 'string' ? message.method : 'response';
        this.sentByMethod[key] = (this.sentByMethod[key] ?? 0) + 1;
        this.httpCounts.POST++;
        const ac = new AbortController();
        const work = (async () => {
            const res = await fetch(this.url, { method: 'POST', headers: this.headers(), body: JSON.stringify(message), signal: ac.signal });
            const out = { status: res.status, headers: res.headers, contentType: res.headers.get('content-type') ?? '', notifications: [], serverRequests: [], response: undefined };
            if (res.status === 202 || res.status === 204) {
                await res.body?.cancel();
                return out;
            }
            if (out.contentType.includes('text/event-stream')) {
                await readSse(res.body, async msg => {
                    if (msg.method !== undefined && msg.id !== undefined) {
                        out.serverRequests.push(msg);
                        if (onServerRequest) await onServerRequest(msg);
                    } else if (msg.method !== undefined) {
                        out.notifications.push(msg);
                    } else if (message.id !== undefined && msg.id === message.id) {
                        out.response = msg;
                    } else {
                        throw new Error(`unexpected message on the stream: ${JSON.stringify(msg)}`);
                    }
                });
            } else {
                const text = await res.text();
                out.body = text;
                if (text) {
                    const parsed = JSON.parse(text);
                    out.response = parsed;
                }
            }
            return out;
        })();
        try {
            return await withTimeout(work, timeout, `${this.label} POST ${key}`);
        } finally {
            ac.abort();
        }
    }

    /** Sends a request; returns the whole JSON-RPC response (result or error). */
    async request(method, params, opts) {
        const id = this.nextId++;
        const msg = { jsonrpc: '2.0', id, method };
        if (params !== undefined) msg.params = params;
        const out = await this.post(msg, opts);
        if (out.status !== 200) throw new Error(`${method}: HTTP ${out.status} ${out.body ?? ''}`);
        assert.ok(out.response, `${method}: no response`);
        assert.equal(out.response.id, id);
        Object.defineProperty(out.response, 'http', { value: out, enumerable: false });
        return out.response;
    }

    /** Sends a request; returns its result, throws RpcError on a JSON-RPC error. */
    async call(method, params, opts) {
        const response = await this.request(method, params, opts);
        if (response.error) throw new RpcError(response.error, method);
        return response.result;
    }

    async notify(method, params) {
        const msg = { jsonrpc: '2.0', method };
        if (params !== undefined) msg.params = params;
        const out = await this.post(msg);
        assert.equal(out.status, 202, `${method}: expected 202, got ${out.status}`);
    }

    async respond(id, result) {
        const out = await this.post({ jsonrpc: '2.0', id, result });
        assert.equal(out.status, 202, `response: expected 202, got ${out.status}`);
    }

    async initialize(capabilities = { elicitation: { form: {} } }) {
        const out = await this.post({
            jsonrpc: '2.0',
            id: this.nextId++,
            method: 'initialize',
            params: { protocolVersion: PROTOCOL, capabilities, clientInfo: { name: 'drive.mjs', version: '1.0.0' } }
        });
        assert.equal(out.status, 200);
        assert.ok(out.response?.result, `initialize failed: ${JSON.stringify(out.response)}`);
        this.sessionId = out.headers.get('mcp-session-id') ?? undefined;
        this.protocolVersion = out.response.result.protocolVersion;
        await this.notify('notifications/initialized');
        return { result: out.response.result, http: out };
    }

    /** Opens the standalone GET SSE stream. */
    async openGetStream() {
        this.httpCounts.GET++;
        const ac = new AbortController();
        const res = await withTimeout(
            fetch(this.url, { method: 'GET', headers: { Accept: 'text/event-stream', ...this.headers({}) }, signal: ac.signal }),
            STEP_TIMEOUT,
            'GET stream'
        );
        const stream = new GetStream(res, ac);
        this.getStreams.push(stream);
        return stream;
    }

    async delete() {
        this.httpCounts.DELETE++;
        const res = await fetch(this.url, { method: 'DELETE', headers: this.headers(), signal: AbortSignal.timeout(STEP_TIMEOUT) });
        await res.body?.cancel();
        return res.status;
    }

    closeStreams() {
        for (const s of this.getStreams) s.close();
    }

    // --- task helpers ---

    async pollUntilTerminal(taskId, { onTask, timeout = STEP_TIMEOUT } = {}) {
        const deadline = Date.now() + timeout;
        for (;;) {
            const task = await this.call('tasks/get', { taskId });
            onTask?.(task);
            if (['completed', 'failed', 'cancelled'].includes(task.status)) return task;
            if (Date.now() > deadline) throw new Error(`task ${taskId} still ${task.status} after ${timeout} ms`);
            await delay(Math.min(task.pollInterval ?? 1000, 200));
        }
    }

    async pollUntilStatus(taskId, status, timeout = STEP_TIMEOUT) {
        const deadline = Date.now() + timeout;
        for (;;) {
            const task = await this.call('tasks/get', { taskId });
            if (task.status === status) return task;
            if (Date.now() > deadline) throw new Error(`task ${taskId} is ${task.status}, not ${status}, after ${timeout} ms`);
            await delay(Math.min(task.pollInterval ?? 1000, 200));
        }
    }
}

class GetStream extends EventEmitter {
    constructor(res, ac) {
        super();
        this.setMaxListeners(0);
        this.status = res.status;
        this.contentType = res.headers.get('content-type') ?? '';
        this.messages = [];
        this.ac = ac;
        this.closed = false;
        this.ended = res.ok
            ? readSse(res.body, msg => {
                  this.messages.push(msg);
                  this.emit('message', msg);
              }).then(
                  () => 'ended',
                  error => (this.closed ? 'closed' : `error: ${error.message}`)
              )
            : res.text().then(() => 'not-ok');
        this.ended.then(() => {
            this.done = true;
            this.emit('end');
        });
    }

    /** Resolves with the first message (seen or future) matching pred. */
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
                    reject(new Error(`GET stream ended while waiting for ${label}`));
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
            `GET stream: ${label}`
        ).catch(error => {
            throw new Error(`${error.message}; got: ${JSON.stringify(this.messages.map(m => m.method + ' ' + (m.params?.status ?? m.params?.progress ?? '')))}`);
        });
    }

    close() {
        this.closed = true;
        this.ac.abort();
    }
}

const isStatus = (taskId, status) => m => m.method === 'notifications/tasks/status' && m.params?.taskId === taskId && (status === undefined || m.params.status === status);

function assertTaskShape(task, { ttl, pollInterval } = {}) {
    assert.equal(typeof task.taskId, 'string');
    assert.ok(task.taskId.length > 0);
    assert.ok(['working', 'input_required', 'completed', 'failed', 'cancelled'].includes(task.status), `status ${task.status}`);
    assert.ok(!Number.isNaN(Date.parse(task.createdAt)), 'createdAt');
    assert.ok(!Number.isNaN(Date.parse(task.lastUpdatedAt)), 'lastUpdatedAt');
    if (ttl !== undefined) assert.equal(task.ttl, ttl);
    if (pollInterval !== undefined) assert.equal(task.pollInterval, pollInterval);
}

async function httpGetRaw(base, rawPath) {
    const { hostname, port } = new URL(base);
    return withTimeout(
        new Promise((resolve, reject) => {
            const req = http.request({ hostname, port, path: rawPath, method: 'GET' }, res => {
                let body = '';
                res.setEncoding('utf8');
                res.on('data', d => {
                    body += d;
                });
                res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
            });
            req.on('error', reject);
            req.end();
        }),
        STEP_TIMEOUT,
        `GET ${rawPath}`
    );
}

async function admin(base, route, method = 'GET') {
    const res = await fetch(base + route, { method, signal: AbortSignal.timeout(STEP_TIMEOUT) });
    return { status: res.status, body: await res.json(), headers: res.headers };
}

// ---------------------------------------------------------------------------
// The full run for one transport mode
// ---------------------------------------------------------------------------

const EXPECTED_TOOLS = {
    sleep: 'optional',
    progress: 'optional',
    fail: 'optional',
    crash: 'optional',
    ask: 'optional',
    forever: 'optional',
    must_task: 'required',
    echo: 'forbidden'
};

async function runMode(json, staticDir) {
    const label = json ? 'json' : 'sse';
    const args = json ? ['--json'] : [];
    if (staticDir) args.push('--static', staticDir, '--static', ROOT);
    const srv = await startServer(args);
    const c = new McpHttp(srv.url, label);
    const expectType = json ? 'application/json' : 'text/event-stream';
    const myTasks = [];
    let get;

    await check(`${label}: listening line and initialize`, async () => {
        assert.match(srv.firstStdout, /^MCP reference server listening on http:\/\/127\.0\.0\.1:\d+\/mcp\n$/);
        const { result, http: out } = await c.initialize();
        assert.ok(out.contentType.startsWith(expectType), `content-type ${out.contentType}`);
        assert.equal(result.protocolVersion, PROTOCOL);
        assert.deepEqual(result.serverInfo, { name: 'mcp-tasks-reference', version: '1.0.0' });
        assert.deepEqual(result.capabilities.tasks, { list: {}, cancel: {}, requests: { tools: { call: {} } } });
        assert.match(c.sessionId ?? '', /^[\x21-\x7e]+$/, 'Mcp-Session-Id header');
        assert.equal(out.headers.get('access-control-allow-origin'), '*');
        assert.match(out.headers.get('access-control-expose-headers') ?? '', /Mcp-Session-Id/);
    });

    await check(`${label}: GET stream opens`, async () => {
        get = await c.openGetStream();
        assert.equal(get.status, 200);
        assert.ok(get.contentType.startsWith('text/event-stream'));
    });

    await check(`${label}: tools/list has all 8 tools with their taskSupport`, async () => {
        const { tools } = await c.call('tools/list', {});
        const byName = Object.fromEntries(tools.map(t => [t.name, t]));
        assert.deepEqual(Object.keys(byName).sort(), Object.keys(EXPECTED_TOOLS).sort());
        for (const [name, support] of Object.entries(EXPECTED_TOOLS)) {
            assert.equal(byName[name].execution?.taskSupport ?? 'forbidden', support, name);
            assert.equal(byName[name].inputSchema.type, 'object', name);
        }
        assert.deepEqual(byName.sleep.inputSchema.required ?? [], []);
        assert.equal(byName.sleep.inputSchema.properties.ms.default, 1000);
    });

    let sleepTask;
    const xss = '<img src=x onerror=alert(1)>';
    await check(`${label}: sleep as a task completes with its text`, async () => {
        const created = await c.call('tools/call', { name: 'sleep', arguments: { ms: 150, text: 'hi there', statusMessage: xss }, task: { ttl: 60000 } });
        assert.deepEqual(Object.keys(created).filter(k => k !== '_meta'), ['task']);
        assertTaskShape(created.task, { ttl: 60000, pollInterval: POLL });
        assert.equal(created.task.status, 'working');
        sleepTask = created.task.taskId;
        myTasks.push(sleepTask);
        const seen = new Set();
        const final = await c.pollUntilTerminal(sleepTask, { onTask: t => seen.add(t.statusMessage) });
        assert.equal(final.status, 'completed');
        assert.equal(final.statusMessage, xss);
        assertTaskShape(final, { ttl: 60000, pollInterval: POLL });
        const result = await c.call('tasks/result', { taskId: sleepTask });
        assert.deepEqual(result.content, [{ type: 'text', text: 'hi there' }]);
        assert.deepEqual(result._meta?.[RELATED], { taskId: sleepTask });
    });

    await check(`${label}: GET stream gets notifications/tasks/status for the sleep task`, async () => {
        const n = await get.waitFor(isStatus(sleepTask, 'completed'), 'sleep completed');
        assertTaskShape(n.params, { ttl: 60000 });
        await get.waitFor(m => isStatus(sleepTask, 'working')(m) && m.params.statusMessage === xss, 'sleep statusMessage');
    });

    await check(`${label}: sleep pollInterval argument overrides the advertised pollInterval`, async () => {
        const created = await c.call('tools/call', { name: 'sleep', arguments: { ms: 10, pollInterval: 42 }, task: { ttl: 60000 } });
        assert.equal(created.task.pollInterval, 42);
        myTasks.push(created.task.taskId);
        const result = await c.call('tasks/result', { taskId: created.task.taskId }); // blocks until terminal
        assert.deepEqual(result.content, [{ type: 'text', text: 'done' }]);
    });

    await check(`${label}: tasks/result blocks until the task is terminal`, async () => {
        const created = await c.call('tools/call', { name: 'sleep', arguments: { ms: 300, text: 'late' }, task: {} });
        assert.equal(created.task.ttl, null, 'no ttl requested -> null');
        myTasks.push(created.task.taskId);
        const t0 = Date.now();
        const result = await c.call('tasks/result', { taskId: created.task.taskId });
        assert.ok(Date.now() - t0 >= 200, 'returned too early');
        assert.equal(result.content[0].text, 'late');
    });

    await check(`${label}: sleep without task answers a plain CallToolResult`, async () => {
        const result = await c.call('tools/call', { name: 'sleep', arguments: { ms: 20, text: 'plain' } });
        assert.equal(result.task, undefined);
        assert.deepEqual(result.content, [{ type: 'text', text: 'plain' }]);
    });

    await check(`${label}: progress updates statusMessage and sends notifications/progress`, async () => {
        const created = await c.call('tools/call', {
            name: 'progress',
            arguments: { steps: 3, ms: 60 },
            task: { ttl: 60000 },
            _meta: { progressToken: `p-${label}` }
        });
        const taskId = created.task.taskId;
        myTasks.push(taskId);
        const seen = [];
        const final = await c.pollUntilTerminal(taskId, { onTask: t => t.statusMessage && seen.push(t.statusMessage) });
        assert.equal(final.status, 'completed');
        assert.equal(final.statusMessage, 'step 3/3');
        assert.ok(seen.some(s => /^step [123]\/3$/.test(s)), `statusMessages seen: ${seen}`);
        const last = await get.waitFor(m => m.method === 'notifications/progress' && m.params.progressToken === `p-${label}` && m.params.progress === 3, 'progress 3/3');
        assert.equal(last.params.total, 3);
        assert.deepEqual(last.params._meta?.[RELATED], { taskId });
        const steps = get.messages.filter(m => m.method === 'notifications/progress' && m.params.progressToken === `p-${label}`).map(m => m.params.progress);
        assert.deepEqual(steps, [1, 2, 3]);
        await get.waitFor(m => isStatus(taskId, 'working')(m) && m.params.statusMessage === 'step 2/3', 'status step 2/3');
        const result = await c.call('tasks/result', { taskId });
        assert.match(result.content[0].text, /progress done/);
    });

    await check(`${label}: fail ends failed with a stored isError CallToolResult`, async () => {
        const created = await c.call('tools/call', { name: 'fail', arguments: { message: 'nope: on purpose' }, task: { ttl: 60000 } });
        const taskId = created.task.taskId;
        myTasks.push(taskId);
        const final = await c.pollUntilTerminal(taskId);
        assert.equal(final.status, 'failed');
        const result = await c.call('tasks/result', { taskId });
        assert.equal(result.isError, true);
        assert.deepEqual(result.content, [{ type: 'text', text: 'nope: on purpose' }]);
        assert.deepEqual(result._meta?.[RELATED], { taskId });
        await get.waitFor(isStatus(taskId, 'failed'), 'fail failed');
    });

    await check(`${label}: crash ends failed and tasks/result answers a JSON-RPC error`, async () => {
        const created = await c.call('tools/call', { name: 'crash', arguments: { message: 'kaboom', code: -32099 }, task: { ttl: 60000 } });
        const taskId = created.task.taskId;
        myTasks.push(taskId);
        assert.equal((await c.pollUntilTerminal(taskId)).status, 'failed');
        const response = await c.request('tasks/result', { taskId });
        assert.equal(response.result, undefined);
        assert.deepEqual({ code: response.error.code, message: response.error.message }, { code: -32099, message: 'kaboom' });
        // default code
        const c2 = await c.call('tools/call', { name: 'crash', arguments: { message: 'internal' }, task: { ttl: 60000 } });
        myTasks.push(c2.task.taskId);
        const r2 = await c.request('tasks/result', { taskId: c2.task.taskId });
        assert.equal(r2.error?.code, -32603);
        assert.equal(r2.error?.message, 'internal');
    });

    await check(`${label}: must_task runs as a task`, async () => {
        const created = await c.call('tools/call', { name: 'must_task', arguments: {}, task: { ttl: 60000 } });
        myTasks.push(created.task.taskId);
        const result = await c.call('tasks/result', { taskId: created.task.taskId });
        assert.deepEqual(result.content, [{ type: 'text', text: 'must_task done' }]);
        assert.equal((await c.call('tasks/get', { taskId: created.task.taskId })).status, 'completed');
    });

    await check(`${label}: must_task without task is refused`, async () => {
        const response = await c.request('tools/call', { name: 'must_task', arguments: {} });
        if (response.error) {
            note(`${label}: must_task without task -> JSON-RPC error ${response.error.code}: ${response.error.message}`);
        } else {
            assert.equal(response.result.isError, true, JSON.stringify(response.result));
            note(`${label}: must_task without task -> CallToolResult isError: ${response.result.content?.[0]?.text}`);
        }
    });

    async function askFlow(action, content) {
        const created = await c.call('tools/call', { name: 'ask', arguments: {}, task: { ttl: 60000 } });
        assert.equal(created.task.status, 'working');
        const taskId = created.task.taskId;
        myTasks.push(taskId);
        const answer = async req => {
            assert.equal(req.method, 'elicitation/create');
            assert.equal(req.params.message, 'What is your name?');
            assert.deepEqual(req.params.requestedSchema.required, ['name']);
            assert.equal(req.params.requestedSchema.properties.name.type, 'string');
            assert.deepEqual(req.params._meta?.[RELATED], { taskId });
            await c.respond(req.id, content ? { action, content } : { action });
        };
        let result;
        if (!json) {
            // The queued elicitation arrives on the tasks/result SSE stream.
            let asked = 0;
            const response = await c.request('tasks/result', { taskId }, {
                onServerRequest: async req => {
                    asked++;
                    await answer(req);
                }
            });
            assert.equal(asked, 1, 'one elicitation on the tasks/result stream');
            assert.equal(response.http.serverRequests.length, 1);
            assert.ok(!response.error, JSON.stringify(response.error));
            result = response.result;
        } else {
            // JSON replies cannot carry it: the server sends it on the GET stream.
            const req = await get.waitFor(m => m.method === 'elicitation/create' && m.params?._meta?.[RELATED]?.taskId === taskId, 'elicitation on GET stream');
            assert.equal((await c.call('tasks/get', { taskId })).status, 'input_required');
            await answer(req);
            result = await c.call('tasks/result', { taskId });
        }
        await get.waitFor(isStatus(taskId, 'input_required'), 'ask input_required');
        await get.waitFor(isStatus(taskId, 'completed'), 'ask completed');
        assert.deepEqual(result._meta?.[RELATED], { taskId });
        return result.content[0].text;
    }

    await check(`${label}: ask goes input_required, elicits, and completes with the answer`, async () => {
        const text = await askFlow('accept', { name: 'Ada' });
        assert.match(text, /Ada/);
        assert.equal(text, 'Hello, Ada!');
    });

    await check(`${label}: ask declined completes with a text saying so`, async () => {
        assert.match(await askFlow('decline'), /declined/);
    });

    await check(`${label}: ask without task elicits on the ${json ? 'GET' : 'tools/call'} stream`, async () => {
        const answer = async req => {
            assert.equal(req.method, 'elicitation/create');
            assert.equal(req.params._meta?.[RELATED], undefined);
            await c.respond(req.id, { action: 'accept', content: { name: 'Grace' } });
        };
        let result;
        if (!json) {
            const response = await c.request('tools/call', { name: 'ask', arguments: {} }, { onServerRequest: answer });
            assert.equal(response.http.serverRequests.length, 1);
            result = response.result;
        } else {
            const before = new Set(get.messages);
            const pending = c.call('tools/call', { name: 'ask', arguments: {} });
            const req = await get.waitFor(m => !before.has(m) && m.method === 'elicitation/create', 'plain elicitation on GET stream');
            await answer(req);
            result = await pending;
        }
        assert.equal(result.task, undefined);
        assert.deepEqual(result.content, [{ type: 'text', text: 'Hello, Grace!' }]);
    });

    let foreverTask;
    await check(`${label}: forever runs until tasks/cancel`, async () => {
        const created = await c.call('tools/call', { name: 'forever', arguments: {}, task: { ttl: 60000 } });
        foreverTask = created.task.taskId;
        myTasks.push(foreverTask);
        assert.equal((await c.call('tasks/get', { taskId: foreverTask })).status, 'working');
        const cancelled = await c.call('tasks/cancel', { taskId: foreverTask });
        assert.equal(cancelled.taskId, foreverTask);
        assert.equal(cancelled.status, 'cancelled');
        assert.equal((await c.call('tasks/get', { taskId: foreverTask })).status, 'cancelled');
        await get.waitFor(isStatus(foreverTask, 'cancelled'), 'forever cancelled');
    });

    await check(`${label}: cancelling a terminal task is -32602`, async () => {
        const response = await c.request('tasks/cancel', { taskId: foreverTask });
        assert.equal(response.error?.code, -32602, JSON.stringify(response));
        const done = await c.request('tasks/cancel', { taskId: sleepTask });
        assert.equal(done.error?.code, -32602, JSON.stringify(done));
    });

    await check(`${label}: tasks/result of a cancelled task`, async () => {
        const response = await c.request('tasks/result', { taskId: foreverTask });
        assert.ok(response.error, `expected a JSON-RPC error, got ${JSON.stringify(response.result)}`);
        assert.equal(response.error.code, -32603);
        note(`${label}: tasks/result of a cancelled task -> ${response.error.code}: ${response.error.message}`);
    });

    await check(`${label}: unknown taskId is -32602`, async () => {
        for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel']) {
            const response = await c.request(method, { taskId: 'no-such-task' });
            assert.equal(response.error?.code, -32602, `${method}: ${JSON.stringify(response)}`);
        }
    });

    await check(`${label}: echo answers without a task`, async () => {
        const result = await c.call('tools/call', { name: 'echo', arguments: { text: 'hello', n: 1 } });
        assert.deepEqual(result.content, [{ type: 'text', text: 'hello' }]);
        assert.deepEqual(result.structuredContent, { text: 'hello', n: 1 });
        const r2 = await c.call('tools/call', { name: 'echo', arguments: { a: [1, 2] } });
        assert.deepEqual(JSON.parse(r2.content[0].text), { a: [1, 2] });
    });

    await check(`${label}: tasks/list (paged) contains this session's tasks`, async () => {
        const ids = [];
        let cursor;
        let pages = 0;
        do {
            const page = await c.call('tasks/list', cursor ? { cursor } : {});
            for (const t of page.tasks) {
                assertTaskShape(t);
                ids.push(t.taskId);
            }
            cursor = page.nextCursor;
            assert.ok(++pages < 20, 'too many pages');
        } while (cursor);
        for (const id of myTasks) assert.ok(ids.includes(id), `missing ${id}`);
        assert.ok(pages > 1, 'expected more than one page (page size 10)');
        const bad = await c.request('tasks/list', { cursor: 'bogus' });
        assert.equal(bad.error?.code, -32602);
    });

    await check(`${label}: tasks are bound to their session`, async () => {
        const other = new McpHttp(srv.url, `${label}-B`);
        await other.initialize();
        assert.notEqual(other.sessionId, c.sessionId);
        const response = await other.request('tasks/get', { taskId: sleepTask });
        assert.equal(response.error?.code, -32602);
        const { tasks } = await other.call('tasks/list', {});
        assert.deepEqual(tasks, []);
        assert.equal(await other.delete(), 200);
        const after = await other.post({ jsonrpc: '2.0', id: 99, method: 'tools/list' });
        assert.equal(after.status, 404);
    });

    await check(`${label}: /admin/stats counts what was sent`, async () => {
        const { status, body } = await admin(srv.base, `/admin/stats?session=${encodeURIComponent(c.sessionId)}`);
        assert.equal(status, 200);
        assert.equal(body.session, c.sessionId);
        assert.equal(body.open, true);
        assert.deepEqual(body.requests.byMethod, c.sentByMethod);
        const total = Object.values(c.sentByMethod).reduce((a, b) => a + b, 0);
        assert.equal(body.requests.total, total);
        assert.equal(body.requests.byHttpMethod.POST, c.httpCounts.POST);
        assert.equal(body.requests.byHttpMethod.GET, c.httpCounts.GET);
        assert.equal(body.requests.byHttpMethod.DELETE, 0);
        assert.ok(c.sentByMethod.response >= 2, 'elicitation responses counted');
        for (const id of [sleepTask]) {
            const at = body.resultStoredAt[id];
            assert.equal(typeof at, 'number');
            assert.ok(Math.abs(at - Date.now()) < 60_000);
        }
        assert.equal(body.resultStoredAt[foreverTask], undefined, 'a cancelled task has no stored result');
        const all = await admin(srv.base, '/admin/stats');
        assert.ok(all.body.sessions.includes(c.sessionId));
        assert.deepEqual(all.body.requests.bySession[c.sessionId].byMethod, c.sentByMethod);
        assert.ok(all.body.requests.total >= total);
        assert.equal(typeof all.body.resultStoredAt[sleepTask], 'number');
        assert.ok(all.body.requests.byHttpMethod.DELETE >= 1);
    });

    await check(`${label}: /admin/reset zeroes the counters`, async () => {
        const r = await admin(srv.base, '/admin/reset', 'POST');
        assert.equal(r.status, 200);
        const { body } = await admin(srv.base, '/admin/stats');
        assert.equal(body.requests.total, 0);
        assert.deepEqual(body.requests.byMethod, {});
        assert.deepEqual(body.requests.byHttpMethod, { POST: 0, GET: 0, DELETE: 0, OPTIONS: 0 });
        assert.deepEqual(body.resultStoredAt, {});
        c.sentByMethod = {};
        c.httpCounts = { POST: 0, GET: 0, DELETE: 0 };
        await c.call('tools/list', {});
        const one = await admin(srv.base, `/admin/stats?session=${encodeURIComponent(c.sessionId)}`);
        assert.deepEqual(one.body.requests.byMethod, { 'tools/list': 1 });
    });

    await check(`${label}: CORS preflight and headers`, async () => {
        const res = await fetch(srv.url, {
            method: 'OPTIONS',
            headers: { Origin: 'http://example.test', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,mcp-session-id,mcp-protocol-version,x-test-header' },
            signal: AbortSignal.timeout(STEP_TIMEOUT)
        });
        assert.equal(res.status, 204);
        assert.equal(res.headers.get('access-control-allow-origin'), 'http://example.test');
        assert.match(res.headers.get('access-control-allow-methods'), /DELETE/);
        assert.match(res.headers.get('access-control-allow-headers'), /x-test-header/i);
        const st = await fetch(srv.base + '/admin/stats', { headers: { Origin: 'http://example.test' }, signal: AbortSignal.timeout(STEP_TIMEOUT) });
        assert.equal(st.headers.get('access-control-allow-origin'), 'http://example.test');
        await st.body?.cancel();
    });

    await check(`${label}: drop-session closes the session (next request is 404)`, async () => {
        const r = await admin(srv.base, `/admin/drop-session?session=${encodeURIComponent(c.sessionId)}`, 'POST');
        assert.equal(r.status, 200);
        assert.equal(await withTimeout(get.ended, STEP_TIMEOUT, 'GET stream end after drop'), 'ended');
        const out = await c.post({ jsonrpc: '2.0', id: c.nextId++, method: 'tools/list' });
        assert.equal(out.status, 404);
        assert.equal(out.response?.error?.code, -32001);
        const again = await admin(srv.base, `/admin/drop-session?session=${encodeURIComponent(c.sessionId)}`, 'POST');
        assert.equal(again.status, 404);
        const st = await admin(srv.base, `/admin/stats?session=${encodeURIComponent(c.sessionId)}`);
        assert.equal(st.body.open, false);
        // and a fresh initialize works again
        const fresh = new McpHttp(srv.url, `${label}-fresh`);
        await fresh.initialize();
        assert.ok(fresh.sessionId && fresh.sessionId !== c.sessionId);
    });

    if (staticDir) {
        await check(`${label}: static files with content types`, async () => {
            const cases = [
                ['/index.html', 'text/html', '<h1>static</h1>'],
                ['/m.wasm', 'application/wasm', null],
                ['/a.css', 'text/css', null],
                ['/sub/x.mjs', 'text/javascript', 'export const x = 1;'],
                ['/sub/d.json', 'application/json', null],
                ['/tests/server/server.mjs', 'text/javascript', null],
                ['/package.json', 'application/json', null]
            ];
            for (const [p, type, body] of cases) {
                const res = await fetch(srv.base + p, { signal: AbortSignal.timeout(STEP_TIMEOUT) });
                assert.equal(res.status, 200, p);
                assert.ok(res.headers.get('content-type').startsWith(type), `${p}: ${res.headers.get('content-type')}`);
                assert.equal(res.headers.get('access-control-allow-origin'), '*');
                const text = await res.text();
                if (body) assert.equal(text.trim(), body);
            }
            const sub = await fetch(srv.base + '/sub', { redirect: 'manual', signal: AbortSignal.timeout(STEP_TIMEOUT) });
            assert.equal(sub.status, 301);
            await sub.body?.cancel();
            const missing = await fetch(srv.base + '/nope.txt', { signal: AbortSignal.timeout(STEP_TIMEOUT) });
            assert.equal(missing.status, 404);
            await missing.body?.cancel();
        });

        await check(`${label}: static path traversal is refused`, async () => {
            const paths = [
                '/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/..%5csecret.txt', '/sub/..%2f..%2fsecret.txt',
                '/sub/%2e%2e/%2e%2e/secret.txt', '/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd', '/../../../../../etc/passwd', '/%00', '/sub%00/x.mjs'
            ];
            if (fs.existsSync(path.join(staticDir, 'link.txt'))) paths.push('/link.txt');
            for (const p of paths) {
                const r = await httpGetRaw(srv.base, p);
                assert.ok(r.status === 404 || r.status === 400, `${p} -> ${r.status}`);
                assert.ok(!r.body.includes('TOPSECRET') && !r.body.includes('root:'), p);
            }
        });
    }

    await check(`${label}: server exits cleanly on SIGTERM`, async () => {
        const { code, signal } = await srv.stop();
        assert.equal(signal, null, `killed by ${signal}; stderr: ${srv.stderr()}`);
        assert.equal(code, 0, `exit code ${code}; stderr: ${srv.stderr()}`);
    });
    c.closeStreams();
}

// ---------------------------------------------------------------------------
// --stateless --json
// ---------------------------------------------------------------------------

async function runStateless() {
    const srv = await startServer(['--stateless', '--json']);
    const c = new McpHttp(srv.url, 'stateless');
    await check('stateless: sleep task over per-request servers', async () => {
        const { http: out } = await c.initialize();
        assert.equal(out.headers.get('mcp-session-id'), null);
        assert.equal(c.sessionId, undefined);
        const created = await c.call('tools/call', { name: 'sleep', arguments: { ms: 50, text: 'stateless ok' }, task: { ttl: 60000 } });
        const final = await c.pollUntilTerminal(created.task.taskId);
        assert.equal(final.status, 'completed');
        const result = await c.call('tasks/result', { taskId: created.task.taskId });
        assert.equal(result.content[0].text, 'stateless ok');
        const { tasks } = await c.call('tasks/list', {});
        assert.ok(tasks.some(t => t.taskId === created.task.taskId));
        const res = await fetch(srv.url, { headers: { Accept: 'text/event-stream' }, signal: AbortSignal.timeout(STEP_TIMEOUT) });
        assert.equal(res.status, 405);
        await res.body?.cancel();
    });
    await srv.stop();
}

// ---------------------------------------------------------------------------
// --no-status-notifications
// ---------------------------------------------------------------------------

async function runNoStatus() {
    const srv = await startServer(['--no-status-notifications']);
    const c = new McpHttp(srv.url, 'no-status');
    await check('no-status-notifications: no notifications/tasks/status on the GET stream', async () => {
        await c.initialize();
        const get = await c.openGetStream();
        const created = await c.call('tools/call', { name: 'progress', arguments: { steps: 3, ms: 20 }, task: { ttl: 60000 }, _meta: { progressToken: 7 } });
        // Each step sets the status before it sends its progress notification, on
        // the same stream: once progress 3 is here, any step status would be too.
        await get.waitFor(m => m.method === 'notifications/progress' && m.params.progress === 3, 'progress 3');
        const result = await c.call('tasks/result', { taskId: created.task.taskId });
        assert.match(result.content[0].text, /progress done/);
        const f = await c.call('tools/call', { name: 'forever', arguments: {}, task: { ttl: 60000 } });
        await c.call('tasks/cancel', { taskId: f.task.taskId });
        const status = get.messages.filter(m => m.method === 'notifications/tasks/status');
        assert.deepEqual(status, []);
        get.close();
    });
    await srv.stop();
}

// ---------------------------------------------------------------------------

let secretFile;
function makeStaticDir() {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-ref-static-'));
    cleanups.push(() => fs.rmSync(base, { recursive: true, force: true }));
    // A file next to (outside) the static root that traversal must not reach.
    secretFile = path.join(base, 'secret.txt');
    fs.writeFileSync(secretFile, 'TOPSECRET\n');
    const dir = path.join(base, 'static');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'index.html'), '<h1>static</h1>\n');
    fs.writeFileSync(path.join(dir, 'm.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    fs.writeFileSync(path.join(dir, 'a.css'), 'body{}\n');
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'sub', 'x.mjs'), 'export const x = 1;\n');
    fs.writeFileSync(path.join(dir, 'sub', 'd.json'), '{}\n');
    try {
        fs.symlinkSync(secretFile, path.join(dir, 'link.txt'));
    } catch {
        /* no symlinks here: that case is skipped */
    }
    return dir;
}

try {
    await check('SSE parser handles CRLF/LF/CR, split bytes, multi-line data, comments, id, retry', sseParserSelfTest);
    await runMode(false, makeStaticDir());
    await runMode(true);
    await runStateless();
    await runNoStatus();
} catch (error) {
    failed++;
    console.log(`not ok - aborted: ${error?.stack ?? error}`);
    for (const s of servers) console.log(`# server ${s.args.join(' ')} stderr:\n${s.stderr()}`);
}
await finish();
