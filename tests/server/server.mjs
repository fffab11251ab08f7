#!/usr/bin/env node
// Reference MCP server (protocol revision 2025-11-25) with task-augmented tools,
// built on the official TypeScript SDK (@modelcontextprotocol/sdk): McpServer,
// StreamableHTTPServerTransport, InMemoryTaskStore and InMemoryTaskMessageQueue.
// Used by the mcp-tasks-wasm tests and benchmarks. See README.md next to this file.
//
// Listens on 127.0.0.1 only. Prints exactly one line to stdout once listening:
//   MCP reference server listening on http://127.0.0.1:PORT/mcp

import http from 'node:http';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import * as z from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { InMemoryTaskStore, InMemoryTaskMessageQueue } from '@modelcontextprotocol/sdk/experimental/tasks';
import { RELATED_TASK_META_KEY } from '@modelcontextprotocol/sdk/types.js';

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

const USAGE = `usage: node tests/server/server.mjs [options]
  --port N                  port to listen on (0 = any free port; default 0; env PORT)
  --json                    plain JSON replies instead of SSE (enableJsonResponse)
  --stateless               no sessions (a fresh transport and server per request)
  --poll-interval MS        pollInterval advertised by new tasks (default 1000)
  --no-status-notifications do not send notifications/tasks/status
  --event-store             keep every SSE event (ids 1, 2, ...) and replay the missed ones
                            to a client that reconnects with Last-Event-ID (resumability)
  --static DIR              serve files from DIR for other GET paths (repeatable)
  --port-file FILE          write the chosen port to FILE once listening
  --verbose                 log requests and SDK errors to stderr
  --help                    show this help`;

function parseArgs(argv) {
    const cfg = {
        port: process.env.PORT !== undefined && process.env.PORT !== '' ? Number(process.env.PORT) : 0,
        json: false,
        stateless: false,
        pollInterval: 1000,
        statusNotifications: true,
        eventStore: false,
        staticDirs: [],
        portFile: undefined,
        verbose: false
    };
    const value = (i, flag) => {
        if (i >= argv.length) throw new Error(`${flag} needs a value`);
        return argv[i];
    };
    for (let i = 0; i < argv.length; i++) {
        let arg = argv[i];
        let inline;
        const eq = arg.indexOf('=');
        if (arg.startsWith('--') && eq > 0) {
            inline = arg.slice(eq + 1);
            arg = arg.slice(0, eq);
        }
        const next = () => (inline !== undefined ? inline : value(++i, arg));
        switch (arg) {
            case '--port': cfg.port = Number(next()); break;
            case '--json': cfg.json = true; break;
            case '--stateless': cfg.stateless = true; break;
            case '--poll-interval': cfg.pollInterval = Number(next()); break;
            case '--no-status-notifications': cfg.statusNotifications = false; break;
            case '--event-store': cfg.eventStore = true; break;
            case '--static': cfg.staticDirs.push(path.resolve(next())); break;
            case '--port-file': cfg.portFile = path.resolve(next()); break;
            case '--verbose': cfg.verbose = true; break;
            case '--help': case '-h': process.stdout.write(USAGE + '\n'); process.exit(0); break;
            default: throw new Error(`unknown argument: ${argv[i]}`);
        }
    }
    if (!Number.isInteger(cfg.port) || cfg.port < 0 || cfg.port > 65535) throw new Error('--port must be an integer 0..65535');
    if (!Number.isInteger(cfg.pollInterval) || cfg.pollInterval < 1) throw new Error('--poll-interval must be a positive integer (ms)');
    for (const dir of cfg.staticDirs) {
        if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`--static: not a directory: ${dir}`);
    }
    return cfg;
}

let cfg;
try {
    cfg = parseArgs(process.argv.slice(2));
} catch (error) {
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    process.exit(2);
}

const debug = (...args) => {
    if (cfg.verbose) console.error('[reference-server]', ...args);
};

// ---------------------------------------------------------------------------
// Task store: the SDK's InMemoryTaskStore plus three hooks
//  - resultStoredAt: when each task's result was stored (for benchmarks)
//  - events: 'cancelled' (tasks/cancel bypasses the request task store, so the
//    SDK neither tells the tool nor announces the change; we do both)
//  - JSON-RPC error results: a result object carrying JSONRPC_ERROR makes
//    tasks/result answer that JSON-RPC error instead of a result
// ---------------------------------------------------------------------------

const JSONRPC_ERROR = Symbol('jsonrpc-error');

class ReferenceTaskStore extends InMemoryTaskStore {
    constructor() {
        super();
        this.events = new EventEmitter();
        this.events.setMaxListeners(0);
        /** taskId -> { at: epoch ms with fraction, sessionId } */
        this.resultStoredAt = new Map();
    }

    async storeTaskResult(taskId, status, result, sessionId) {
        await super.storeTaskResult(taskId, status, result, sessionId);
        this.resultStoredAt.set(taskId, { at: performance.timeOrigin + performance.now(), sessionId });
        this.events.emit('change', taskId, status, sessionId);
    }

    async updateTaskStatus(taskId, status, statusMessage, sessionId) {
        await super.updateTaskStatus(taskId, status, statusMessage, sessionId);
        this.events.emit('change', taskId, status, sessionId);
        if (status === 'cancelled') this.events.emit('cancelled', taskId, sessionId);
    }

    async getTaskResult(taskId, sessionId) {
        const result = await super.getTaskResult(taskId, sessionId);
        const rpcError = result?.[JSONRPC_ERROR];
        if (rpcError) {
            // A plain Error with a numeric `code`: the SDK's Protocol answers it as
            // { code, message, data } without the "MCP error N:" prefix McpError adds.
            const error = new Error(rpcError.message);
            error.code = rpcError.code;
            if (rpcError.data !== undefined) error.data = rpcError.data;
            throw error;
        }
        return result;
    }
}

const taskStore = new ReferenceTaskStore();
const taskMessageQueue = new InMemoryTaskMessageQueue();

/** taskId -> { abort: AbortController, session } for tasks whose work is running */
const running = new Map();

taskStore.events.on('cancelled', (taskId, sessionId) => {
    const entry = running.get(taskId);
    if (entry) entry.abort.abort(new Error('task cancelled'));
    // The SDK's tasks/cancel handler writes to the store directly, so no
    // notifications/tasks/status goes out for the cancellation: send it here.
    const session = sessionId !== undefined ? sessions.get(sessionId) : entry?.session;
    if (session && !session.closed) {
        taskStore
            .getTask(taskId, sessionId)
            .then(task => task && sendStatusNotification(session, task))
            .catch(error => debug('cancel notification failed:', error.message));
    }
});

async function sendStatusNotification(session, task) {
    if (!cfg.statusNotifications) return;
    await session.mcp.server.notification({ method: 'notifications/tasks/status', params: task });
}

// ---------------------------------------------------------------------------
// Instrumentation
// ---------------------------------------------------------------------------

const newHttpCounts = () => ({ POST: 0, GET: 0, DELETE: 0, OPTIONS: 0 });
const newCounts = () => ({ total: 0, byMethod: {}, byHttpMethod: newHttpCounts() });
let stats = { ...newCounts(), bySession: {} };

function countHttp(method, sessionId) {
    if (!(method in stats.byHttpMethod)) return;
    stats.byHttpMethod[method]++;
    if (sessionId) sessionCounts(sessionId).byHttpMethod[method]++;
}

function sessionCounts(sessionId) {
    return (stats.bySession[sessionId] ??= newCounts());
}

function countMessages(messages, sessionId) {
    for (const message of messages) {
        const key = message && typeof message === 'object'
            ? (typeof message.method === 'string' ? message.method : ('result' in message || 'error' in message) ? 'response' : 'invalid')
            : 'invalid';
        stats.total++;
        stats.byMethod[key] = (stats.byMethod[key] ?? 0) + 1;
        if (sessionId) {
            const s = sessionCounts(sessionId);
            s.total++;
            s.byMethod[key] = (s.byMethod[key] ?? 0) + 1;
        }
    }
}

function statsJson(sessionId) {
    if (sessionId !== undefined) {
        const counts = stats.bySession[sessionId] ?? newCounts();
        const resultStoredAt = {};
        for (const [taskId, { at, sessionId: sid }] of taskStore.resultStoredAt) {
            if (sid === sessionId) resultStoredAt[taskId] = at;
        }
        return { session: sessionId, open: sessions.has(sessionId), requests: counts, resultStoredAt };
    }
    const resultStoredAt = {};
    for (const [taskId, { at }] of taskStore.resultStoredAt) resultStoredAt[taskId] = at;
    return {
        requests: {
            total: stats.total,
            byMethod: stats.byMethod,
            bySession: stats.bySession,
            byHttpMethod: stats.byHttpMethod
        },
        resultStoredAt,
        sessions: [...sessions.keys()]
    };
}

// ---------------------------------------------------------------------------
// Event store (--event-store): the SDK's EventStore interface, with ids that are a
// global counter, so "after this id" is plain numeric order. (The SDK's example store
// derives the stream from the id's text before the first "_", which the standalone GET
// stream's id "_GET_stream" defeats.)
// ---------------------------------------------------------------------------

class CountingEventStore {
    constructor() {
        this.next = 1;
        this.events = new Map(); // id -> { streamId, message }
    }
    async storeEvent(streamId, message) {
        const id = String(this.next++);
        this.events.set(id, { streamId, message });
        return id;
    }
    async replayEventsAfter(lastEventId, { send }) {
        const last = this.events.get(lastEventId);
        if (!last) return '';
        for (const [id, { streamId, message }] of this.events) {
            if (streamId === last.streamId && Number(id) > Number(lastEventId)) await send(id, message);
        }
        return last.streamId;
    }
}

// ---------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------

/**
 * sessionId -> session. A session is
 * { id, transport, mcp, closed, getStreamsOpen, events, pendingTaskCalls }.
 * In stateless mode sessions are per request and not kept here.
 */
const sessions = new Map();

function createSession(id) {
    const session = {
        id,
        transport: undefined,
        mcp: undefined,
        closed: false,
        getStreamsOpen: 0,
        events: new EventEmitter(),
        // "<JSON request id>" of tools/call requests that asked for a task
        // (the SDK does not tell a task tool whether the caller sent `task`)
        pendingTaskCalls: new Set()
    };
    session.events.setMaxListeners(0);
    session.transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: cfg.stateless ? undefined : () => id,
        enableJsonResponse: cfg.json,
        eventStore: cfg.eventStore ? new CountingEventStore() : undefined,
        onsessioninitialized: sid => {
            if (!cfg.stateless) {
                sessions.set(sid, session);
                debug('session initialized', sid);
            }
        }
    });
    // Must be set before connect(): Protocol.connect chains onto it.
    session.transport.onclose = () => closeSession(session);
    session.mcp = createMcpServer(session);
    return session;
}

function closeSession(session) {
    if (session.closed) return;
    session.closed = true;
    if (session.id && sessions.get(session.id) === session) sessions.delete(session.id);
    debug('session closed', session.id ?? '(stateless)');
    // Stop the work of this session's running tasks (nobody can reach them any more).
    if (!cfg.stateless) {
        for (const [taskId, entry] of running) {
            if (entry.session === session) {
                entry.abort.abort(new Error('session closed'));
                taskStore.updateTaskStatus(taskId, 'cancelled', 'Session closed.', session.id).catch(() => {});
            }
        }
    }
}

async function closeSessionTransport(session) {
    try {
        await session.transport.close();
    } catch (error) {
        debug('closing transport failed:', error.message);
    }
    closeSession(session);
}

// ---------------------------------------------------------------------------
// Helpers for tools
// ---------------------------------------------------------------------------

function abortableSleep(ms, signal) {
    return new Promise((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const onAbort = () => {
            clearTimeout(timer);
            reject(signal.reason);
        };
        const timer = setTimeout(() => {
            signal.removeEventListener('abort', onAbort);
            resolve();
        }, ms);
        signal.addEventListener('abort', onAbort, { once: true });
    });
}

function waitForAbort(signal) {
    return new Promise((_, reject) => {
        if (signal.aborted) return reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
}

/** Resolves once the session has an open standalone GET SSE stream. */
function waitForGetStream(session, signal) {
    return new Promise((resolve, reject) => {
        if (session.getStreamsOpen > 0) return resolve();
        if (signal.aborted) return reject(signal.reason);
        const onOpen = () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
        };
        const onAbort = () => {
            session.events.off('get-stream-open', onOpen);
            reject(signal.reason);
        };
        session.events.once('get-stream-open', onOpen);
        signal.addEventListener('abort', onAbort, { once: true });
    });
}

const text = s => ({ content: [{ type: 'text', text: s }] });

/**
 * Registers a task tool. `work(args, ctx)` does the job and returns
 * { status?: 'completed' | 'failed', result } (status defaults to completed).
 * It gets ctx = { taskId, taskMode, signal, extra, session, setStatus, sleep }.
 * The task is created and updated through the request's task store
 * (extra.taskStore), so the SDK announces each change with
 * notifications/tasks/status.
 */
function registerTaskTool(mcp, session, name, { description, taskSupport = 'optional', inputSchema }, work) {
    mcp.experimental.tasks.registerToolTask(
        name,
        { description, inputSchema, execution: { taskSupport } },
        {
            async createTask(args, extra) {
                const store = extra.taskStore;
                const callKey = JSON.stringify(extra.requestId);
                // true: the client sent `task` and gets a CreateTaskResult;
                // false: McpServer polls the task itself and answers a CallToolResult.
                const taskMode = session.pendingTaskCalls.delete(callKey);
                const task = await store.createTask({
                    ttl: extra.taskRequestedTtl,
                    pollInterval: args?.pollInterval ?? cfg.pollInterval
                });
                const taskId = task.taskId;
                const abort = new AbortController();
                running.set(taskId, { abort, session });
                // A plain (non-task) call is over when the client cancels the request.
                if (!taskMode) {
                    extra.signal.addEventListener('abort', () => {
                        if (running.has(taskId)) store.updateTaskStatus(taskId, 'cancelled', 'Request cancelled.').catch(() => {});
                    }, { once: true });
                }
                const ctx = {
                    taskId,
                    taskMode,
                    signal: abort.signal,
                    extra,
                    session,
                    // Errors from the status notification (e.g. the session's connection
                    // is gone) must not stop the work: the store was updated already.
                    setStatus: async (status, statusMessage) => {
                        try {
                            await store.updateTaskStatus(taskId, status, statusMessage);
                        } catch (error) {
                            debug(`task ${taskId}: updateTaskStatus(${status}) failed:`, error.message);
                        }
                    },
                    sleep: ms => abortableSleep(ms, abort.signal)
                };
                (async () => {
                    let outcome;
                    try {
                        outcome = await work(args ?? {}, ctx);
                    } catch (error) {
                        if (abort.signal.aborted) return; // cancelled: nothing to store
                        outcome = { status: 'failed', result: { isError: true, content: [{ type: 'text', text: `${name} failed: ${error?.message ?? error}` }] } };
                    }
                    if (abort.signal.aborted) return;
                    try {
                        await store.storeTaskResult(taskId, outcome.status ?? 'completed', outcome.result);
                    } catch (error) {
                        // Terminal already (cancelled meanwhile), or the status
                        // notification could not be sent (result is stored anyway).
                        debug(`task ${taskId}: storeTaskResult failed:`, error.message);
                    }
                })().finally(() => running.delete(taskId));
                // InMemoryTaskStore hands out its live task object: answer a snapshot,
                // or a fast status change would leak into the CreateTaskResult.
                return { task: { ...task } };
            },
            async getTask(_args, extra) {
                return await extra.taskStore.getTask(extra.taskId);
            },
            async getTaskResult(_args, extra) {
                return await extra.taskStore.getTaskResult(extra.taskId);
            }
        }
    );
}

// ---------------------------------------------------------------------------
// The MCP server of one session
// ---------------------------------------------------------------------------

const ASK_SCHEMA = {
    type: 'object',
    properties: { name: { type: 'string', title: 'Name', description: 'Your name' } },
    required: ['name']
};

function createMcpServer(session) {
    const mcp = new McpServer(
        { name: 'mcp-tasks-reference', version: '1.0.0' },
        {
            capabilities: {
                tools: {},
                tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } }
            },
            taskStore,
            taskMessageQueue,
            defaultTaskPollInterval: cfg.pollInterval
        }
    );
    mcp.server.onerror = error => debug('sdk error:', error?.message ?? error);

    // --no-status-notifications: drop the SDK's notifications/tasks/status
    // (sent by the request task store on every status change / stored result).
    const originalNotification = mcp.server.notification.bind(mcp.server);
    mcp.server.notification = async (notification, options) => {
        if (notification.method === 'notifications/tasks/status' && !cfg.statusNotifications) return;
        return originalNotification(notification, options);
    };

    const optionalPollInterval = z.number().int().min(1).optional().describe('Overrides the pollInterval the task advertises (ms)');

    registerTaskTool(mcp, session, 'sleep', {
        description: 'Waits `ms` milliseconds, then answers `text`. Optionally sets the task statusMessage while working.',
        inputSchema: {
            ms: z.number().int().min(0).default(1000).describe('How long to work (ms)'),
            text: z.string().default('done').describe('Text of the result'),
            pollInterval: optionalPollInterval,
            statusMessage: z.string().optional().describe('statusMessage to set on the task while working')
        }
    }, async (args, ctx) => {
        if (args.statusMessage !== undefined) await ctx.setStatus('working', args.statusMessage);
        await ctx.sleep(args.ms);
        return { result: text(args.text) };
    });

    registerTaskTool(mcp, session, 'progress', {
        description: 'Works `steps` steps of `ms` each, sending notifications/progress (when the call has a progressToken) and setting statusMessage "step i/N".',
        inputSchema: {
            steps: z.number().int().min(1).max(1000).default(5).describe('Number of steps'),
            ms: z.number().int().min(0).default(100).describe('Duration of one step (ms)'),
            pollInterval: optionalPollInterval
        }
    }, async (args, ctx) => {
        const progressToken = ctx.extra._meta?.progressToken;
        for (let i = 1; i <= args.steps; i++) {
            await ctx.sleep(args.ms);
            const message = `step ${i}/${args.steps}`;
            await ctx.setStatus('working', message);
            if (progressToken !== undefined) {
                const params = { progressToken, progress: i, total: args.steps, message };
                try {
                    if (ctx.taskMode) {
                        // The tools/call stream is closed once the CreateTaskResult went out:
                        // send on the standalone GET stream, tagged with the task.
                        await mcp.server.notification({
                            method: 'notifications/progress',
                            params: { ...params, _meta: { [RELATED_TASK_META_KEY]: { taskId: ctx.taskId } } }
                        });
                    } else {
                        await ctx.extra.sendNotification({ method: 'notifications/progress', params });
                    }
                } catch (error) {
                    debug('progress notification failed:', error.message);
                }
            }
        }
        return { result: text(`progress done: ${args.steps} steps`) };
    });

    registerTaskTool(mcp, session, 'fail', {
        description: 'The task ends `failed` with a CallToolResult { isError: true } carrying `message`.',
        inputSchema: {
            message: z.string().default('failed on purpose').describe('Error text'),
            ms: z.number().int().min(0).default(50).describe('How long to work first (ms)'),
            pollInterval: optionalPollInterval
        }
    }, async (args, ctx) => {
        await ctx.sleep(args.ms);
        return { status: 'failed', result: { isError: true, content: [{ type: 'text', text: args.message }] } };
    });

    registerTaskTool(mcp, session, 'crash', {
        description: 'The task ends `failed` with a stored JSON-RPC error: tasks/result answers { code, message }.',
        inputSchema: {
            message: z.string().default('crashed on purpose').describe('JSON-RPC error message'),
            code: z.number().int().default(-32603).describe('JSON-RPC error code'),
            ms: z.number().int().min(0).default(50).describe('How long to work first (ms)'),
            pollInterval: optionalPollInterval
        }
    }, async (args, ctx) => {
        await ctx.sleep(args.ms);
        const result = { content: [] };
        Object.defineProperty(result, JSONRPC_ERROR, { value: { code: args.code, message: args.message }, enumerable: false });
        return { status: 'failed', result };
    });

    registerTaskTool(mcp, session, 'ask', {
        description: 'Moves the task to input_required and asks the client for a name with elicitation/create, then answers "Hello, <name>!".',
        inputSchema: {
            message: z.string().default('What is your name?').describe('Elicitation message'),
            pollInterval: optionalPollInterval
        }
    }, async (args, ctx) => {
        const params = { mode: 'form', message: args.message, requestedSchema: ASK_SCHEMA };
        // Tag it with the task only when the client knows the task (a plain call
        // runs on a task the client never sees).
        if (ctx.taskMode) params._meta = { [RELATED_TASK_META_KEY]: { taskId: ctx.taskId } };
        if (cfg.stateless) {
            // Each request has its own short-lived server: nobody could route the answer back.
            return { status: 'failed', result: { isError: true, content: [{ type: 'text', text: 'ask needs sessions: this server runs with --stateless' }] } };
        }
        const options = { signal: ctx.signal, timeout: 10 * 60_000 };
        await ctx.setStatus('input_required');
        let answer;
        if (cfg.json) {
            // JSON replies cannot carry server requests (the SDK silently drops a
            // queued request it tries to deliver on a JSON tasks/result reply), so
            // send it on the standalone GET stream, once the client has one open.
            await waitForGetStream(session, ctx.signal);
            answer = await mcp.server.elicitInput(params, options);
        } else if (ctx.taskMode) {
            // The SDK's queued-message mechanism: the request waits in the task
            // message queue and goes out on the client's tasks/result SSE stream.
            answer = await mcp.server.elicitInput(params, { ...options, relatedTask: { taskId: ctx.taskId } });
        } else {
            // Plain call: on the tools/call SSE stream.
            answer = await mcp.server.elicitInput(params, { ...options, relatedRequestId: ctx.extra.requestId });
        }
        await ctx.setStatus('working');
        if (answer.action === 'accept') return { result: text(`Hello, ${answer.content?.name}!`) };
        if (answer.action === 'decline') return { result: text('The user declined to give a name.') };
        return { result: text('The user cancelled the question.') };
    });

    registerTaskTool(mcp, session, 'forever', {
        description: 'Works until the task is cancelled (tasks/cancel). Holds no timers.',
        inputSchema: { pollInterval: optionalPollInterval }
    }, async (_args, ctx) => {
        await waitForAbort(ctx.signal);
        return { result: text('unreachable') };
    });

    registerTaskTool(mcp, session, 'must_task', {
        description: 'Like sleep, but must be called as a task (execution.taskSupport "required").',
        taskSupport: 'required',
        inputSchema: {
            ms: z.number().int().min(0).default(50).describe('How long to work (ms)'),
            pollInterval: optionalPollInterval
        }
    }, async (args, ctx) => {
        await ctx.sleep(args.ms);
        return { result: text('must_task done') };
    });

    mcp.registerTool('echo', {
        description: 'Answers its arguments: text = args.text if it is a string, else JSON of the arguments; structuredContent = the arguments. No task support.',
        inputSchema: z.looseObject({ text: z.string().optional().describe('Text to echo') })
    }, async args => ({
        content: [{ type: 'text', text: typeof args.text === 'string' ? args.text : JSON.stringify(args) }],
        structuredContent: { ...args }
    }));

    return mcp;
}

// ---------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------

const CORS_ALLOW_HEADERS = 'Content-Type, Accept, Authorization, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID, X-Test-Header';

function setCors(req, res) {
    const origin = req.headers.origin;
    res.setHeader('Access-Control-Allow-Origin', origin ? origin : '*');
    if (origin) res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] || CORS_ALLOW_HEADERS);
    res.setHeader('Access-Control-Expose-Headers', 'Mcp-Session-Id, MCP-Protocol-Version, Retry-After');
    res.setHeader('Access-Control-Max-Age', '600');
}

function sendJson(res, status, body, headers = {}) {
    if (res.headersSent) return;
    const data = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
    res.end(data);
}

const rpcError = (code, message) => ({ jsonrpc: '2.0', error: { code, message }, id: null });

const MAX_BODY = 4 * 1024 * 1024;

function readBody(req) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        let size = 0;
        req.on('data', chunk => {
            size += chunk.length;
            if (size > MAX_BODY) {
                reject(Object.assign(new Error('body too large'), { status: 413 }));
                req.destroy();
                return;
            }
            chunks.push(chunk);
        });
        req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        req.on('error', reject);
    });
}

async function handleMcp(req, res) {
    const sessionHeader = req.headers['mcp-session-id'];
    const sessionId = typeof sessionHeader === 'string' && sessionHeader !== '' ? sessionHeader : undefined;

    if (req.method === 'POST') {
        let raw;
        try {
            raw = await readBody(req);
        } catch (error) {
            return sendJson(res, error.status ?? 400, rpcError(-32000, error.message));
        }
        let body;
        try {
            body = JSON.parse(raw);
        } catch {
            countHttp('POST', sessionId);
            return sendJson(res, 400, rpcError(-32700, 'Parse error: Invalid JSON'));
        }
        const messages = Array.isArray(body) ? body : [body];
        const isInit = messages.some(m => m && m.method === 'initialize');

        let session;
        if (cfg.stateless) {
            session = createSession(undefined);
        } else if (sessionId !== undefined) {
            session = sessions.get(sessionId);
        } else if (isInit) {
            session = createSession(randomUUID());
        }
        const countAs = session?.id ?? sessionId;
        countHttp('POST', countAs);
        countMessages(messages, countAs);

        if (!session) {
            if (sessionId !== undefined) return sendJson(res, 404, rpcError(-32001, 'Session not found'));
            return sendJson(res, 400, rpcError(-32000, 'Bad Request: No valid session ID provided'));
        }

        // Remember which tools/call requests asked for a task.
        const taskCallKeys = [];
        for (const m of messages) {
            if (m && m.method === 'tools/call' && m.id !== undefined && m.params && typeof m.params.task === 'object' && m.params.task !== null) {
                const key = JSON.stringify(m.id);
                session.pendingTaskCalls.add(key);
                taskCallKeys.push(key);
            }
        }
        res.once('close', () => {
            for (const key of taskCallKeys) session.pendingTaskCalls.delete(key);
        });

        if (cfg.stateless || (isInit && !session.mcp.server.transport)) {
            await session.mcp.connect(session.transport);
        }
        if (cfg.stateless) {
            res.once('close', () => {
                session.transport.close().catch(() => {});
                session.mcp.close().catch(() => {});
            });
        }
        await session.transport.handleRequest(req, res, body);
        // A failed initialize never creates the session: release the transport.
        if (isInit && !cfg.stateless && !sessions.has(session.id)) await closeSessionTransport(session);
        return;
    }

    if (req.method === 'GET' || req.method === 'DELETE') {
        countHttp(req.method, sessionId);
        if (cfg.stateless) {
            return sendJson(res, 405, rpcError(-32000, 'Method not allowed: this server is stateless'), { Allow: 'POST, OPTIONS' });
        }
        if (sessionId === undefined) return sendJson(res, 400, rpcError(-32000, 'Bad Request: Mcp-Session-Id header is required'));
        const session = sessions.get(sessionId);
        if (!session) return sendJson(res, 404, rpcError(-32001, 'Session not found'));
        if (req.method === 'GET') {
            // Track the standalone SSE stream: the transport has registered it by
            // the time the 200 head is written.
            const writeHead = res.writeHead;
            res.writeHead = function (status, ...rest) {
                const result = writeHead.call(this, status, ...rest);
                if (status === 200 && !res.__getStreamCounted) {
                    res.__getStreamCounted = true;
                    session.getStreamsOpen++;
                    res.once('close', () => session.getStreamsOpen--);
                    session.events.emit('get-stream-open');
                }
                return result;
            };
        }
        await session.transport.handleRequest(req, res);
        return;
    }

    return sendJson(res, 405, rpcError(-32000, 'Method not allowed.'), { Allow: 'GET, POST, DELETE, OPTIONS' });
}

async function handleAdmin(req, res, url) {
    const route = url.pathname.replace(/\/+$/, '');
    const sessionParam = url.searchParams.get('session') ?? undefined;
    if (route === '/admin/stats') {
        if (req.method !== 'GET') return sendJson(res, 405, { error: 'use GET' }, { Allow: 'GET, OPTIONS' });
        return sendJson(res, 200, statsJson(sessionParam));
    }
    if (route === '/admin/reset') {
        if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST' }, { Allow: 'POST, OPTIONS' });
        stats = { ...newCounts(), bySession: {} };
        taskStore.resultStoredAt.clear();
        return sendJson(res, 200, { ok: true });
    }
    if (route === '/admin/drop-session') {
        if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST' }, { Allow: 'POST, OPTIONS' });
        if (!sessionParam) return sendJson(res, 400, { ok: false, error: 'missing ?session=' });
        const session = sessions.get(sessionParam);
        if (!session) return sendJson(res, 404, { ok: false, error: 'unknown session', session: sessionParam });
        await closeSessionTransport(session);
        return sendJson(res, 200, { ok: true, session: sessionParam });
    }
    return sendJson(res, 404, { error: 'not found' });
}

const CONTENT_TYPES = {
    '.html': 'text/html; charset=utf-8',
    '.htm': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.mjs': 'text/javascript; charset=utf-8',
    '.cjs': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.json': 'application/json; charset=utf-8',
    '.map': 'application/json; charset=utf-8',
    '.wasm': 'application/wasm',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.jpg': 'image/jpeg',
    '.jpeg': 'image/jpeg',
    '.gif': 'image/gif',
    '.ico': 'image/x-icon',
    '.txt': 'text/plain; charset=utf-8',
    '.md': 'text/plain; charset=utf-8',
    '.ts': 'text/plain; charset=utf-8',
    '.d.ts': 'text/plain; charset=utf-8'
};

const DASHBOARD_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
    "connect-src 'self' http://127.0.0.1:* http://localhost:*; style-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function contentType(file) {
    return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function isInside(root, target) {
    const rel = path.relative(root, target);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Finds `pathname` in the static dirs: { file } | { redirect } | undefined. */
async function resolveStatic(pathname) {
    let decoded;
    try {
        decoded = decodeURIComponent(pathname);
    } catch {
        return undefined;
    }
    if (decoded.includes('\0')) return undefined;
    const segments = decoded.split(/[\\/]+/);
    if (segments.some(s => s === '..')) return undefined;
    for (const root of cfg.staticDirs) {
        const target = path.join(root, ...segments);
        if (!isInside(root, target)) continue;
        let real;
        try {
            real = await fsp.realpath(target);
            if (!isInside(await fsp.realpath(root), real)) continue; // symlink out of root
        } catch {
            continue;
        }
        const stat = await fsp.stat(real);
        if (stat.isDirectory()) {
            if (!pathname.endsWith('/')) return { redirect: pathname + '/' };
            const index = path.join(real, 'index.html');
            if (fs.existsSync(index)) return { file: index };
            continue;
        }
        if (stat.isFile()) return { file: real, size: stat.size };
    }
    return undefined;
}

async function handleStatic(req, res, url) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' }, { Allow: 'GET, HEAD, OPTIONS' });
    const found = cfg.staticDirs.length ? await resolveStatic(url.pathname) : undefined;
    if (!found) {
        if (url.pathname === '/' && cfg.staticDirs.length) {
            res.writeHead(302, { Location: '/www/' });
            return res.end();
        }
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        return res.end('not found\n');
    }
    if (found.redirect) {
        res.writeHead(301, { Location: found.redirect + url.search });
        return res.end();
    }
    const data = await fsp.readFile(found.file);
    const headers = {
        'Content-Type': contentType(found.file),
        'Content-Length': data.length,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff'
    };
    // The dashboard (www/) must work under a strict policy: no inline script or style, no
    // eval; and so must the worker that runs its client (a worker's policy is its script's).
    if ((url.pathname.startsWith('/www/') && /\.html?$/i.test(found.file)) || url.pathname === '/pkg/worker-host.js') {
        headers['Content-Security-Policy'] = DASHBOARD_CSP;
    }
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : data);
}

async function route(req, res) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    setCors(req, res);
    debug(req.method, req.url, req.headers['mcp-session-id'] ?? '');
    if (req.method === 'OPTIONS') {
        if (url.pathname === '/mcp') countHttp('OPTIONS', req.headers['mcp-session-id']);
        res.writeHead(204, { 'Content-Length': '0' });
        return res.end();
    }
    if (url.pathname === '/mcp') return handleMcp(req, res);
    if (url.pathname === '/admin' || url.pathname.startsWith('/admin/')) return handleAdmin(req, res, url);
    return handleStatic(req, res, url);
}

const httpServer = http.createServer((req, res) => {
    route(req, res).catch(error => {
        console.error('[reference-server] request failed:', error);
        if (!res.headersSent) sendJson(res, 500, rpcError(-32603, 'Internal server error'));
        else res.destroy();
    });
});

httpServer.listen(cfg.port, '127.0.0.1', () => {
    const { port } = httpServer.address();
    if (cfg.portFile) {
        const tmp = `${cfg.portFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, `${port}\n`);
        fs.renameSync(tmp, cfg.portFile);
    }
    process.stdout.write(`MCP reference server listening on http://127.0.0.1:${port}/mcp\n`);
});

httpServer.on('error', error => {
    console.error('[reference-server]', error.message);
    process.exit(1);
});

let shuttingDown = false;
async function shutdown(signal) {
    if (shuttingDown) return;
    shuttingDown = true;
    debug('shutting down on', signal);
    for (const entry of running.values()) entry.abort.abort(new Error('server shutting down'));
    await Promise.allSettled([...sessions.values()].map(closeSessionTransport));
    taskStore.cleanup();
    httpServer.close();
    httpServer.closeAllConnections();
    process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
