#!/usr/bin/env node
// Reference MCP server for protocol revision 2026-07-28 with the tasks extension
// (io.modelcontextprotocol/tasks), built on the official TypeScript SDK v2
// (@modelcontextprotocol/server): createMcpHandler + a per-request McpServer from one
// factory, with a small task runtime of its own (the SDK has none for the extension).
// Used by the mcp-tasks-wasm tests and benchmarks. See README.md next to this file.
//
// Listens on 127.0.0.1 only. Prints exactly one line to stdout once listening:
//   MCP modern reference server listening on http://127.0.0.1:PORT/mcp

import http from 'node:http';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import * as z from 'zod';
import {
    McpServer,
    createMcpHandler,
    legacyStatelessFallback,
    inputRequired,
    inputResponse,
    ProtocolError,
    MissingRequiredClientCapabilityError
} from '@modelcontextprotocol/server';

const MODERN = '2026-07-28';
const TASKS_EXT = 'io.modelcontextprotocol/tasks';
const META_VERSION = 'io.modelcontextprotocol/protocolVersion';
const META_CAPS = 'io.modelcontextprotocol/clientCapabilities';
const META_SUBSCRIPTION = 'io.modelcontextprotocol/subscriptionId';
const META_SERVER_INFO = 'io.modelcontextprotocol/serverInfo';
const SERVER_INFO = { name: 'mcp-tasks-reference-modern', version: '1.0.0' };
const TASKS_REQUIRED = { requiredCapabilities: { extensions: { [TASKS_EXT]: {} } } };

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

const USAGE = `usage: node tests/server/modern.mjs [options]
  --port N              port to listen on (0 = any free port; default 0; env PORT)
  --port-file FILE      write the chosen port to FILE once listening
  --modern-only         refuse legacy (2025-11-25) traffic: initialize answers 400 / -32022
  --legacy-only         a stateless 2025-11-25 server only (no server/discover, no tasks)
  --response-mode M     auto (default) | sse | json: how modern requests are answered
  --poll-interval MS    pollIntervalMs new tasks advertise (default 1000)
  --ttl MS              ttlMs of new tasks; 0 = unlimited (ttlMs: null); default 600000.
                        An expired task is gone: tasks/get answers -32602 "Task has expired"
  --no-listen           no subscriptions/listen (the method is unknown: 404 / -32601)
  --sdk-task-content    keep the "content": [] the SDK adds to a CreateTaskResult
                        (by default it is removed: the extension's result is flat)
  --keepalive MS        SSE keep-alive comment interval on listen streams (default 15000; 0 = off)
  --static DIR          serve files from DIR for other GET paths (repeatable)
  --verbose             log requests and SDK errors to stderr
  --help                show this help`;

function parseArgs(argv) {
    const cfg = {
        port: process.env.PORT !== undefined && process.env.PORT !== '' ? Number(process.env.PORT) : 0,
        portFile: undefined,
        mode: 'dual',
        responseMode: 'auto',
        pollInterval: 1000,
        ttl: 600_000,
        listen: true,
        sdkTaskContent: false,
        keepAlive: 15_000,
        staticDirs: [],
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
            case '--port-file': cfg.portFile = path.resolve(next()); break;
            case '--modern-only': cfg.mode = 'modern'; break;
            case '--legacy-only': cfg.mode = 'legacy'; break;
            case '--response-mode': cfg.responseMode = next(); break;
            case '--poll-interval': cfg.pollInterval = Number(next()); break;
            case '--ttl': cfg.ttl = Number(next()); break;
            case '--no-listen': cfg.listen = false; break;
            case '--sdk-task-content': cfg.sdkTaskContent = true; break;
            case '--keepalive': cfg.keepAlive = Number(next()); break;
            case '--static': cfg.staticDirs.push(path.resolve(next())); break;
            case '--verbose': cfg.verbose = true; break;
            case '--help': case '-h': process.stdout.write(USAGE + '\n'); process.exit(0); break;
            default: throw new Error(`unknown argument: ${argv[i]}`);
        }
    }
    if (!Number.isInteger(cfg.port) || cfg.port < 0 || cfg.port > 65535) throw new Error('--port must be an integer 0..65535');
    if (!Number.isInteger(cfg.pollInterval) || cfg.pollInterval < 1) throw new Error('--poll-interval must be a positive integer (ms)');
    if (!Number.isInteger(cfg.ttl) || cfg.ttl < 0) throw new Error('--ttl must be an integer >= 0 (ms)');
    if (!Number.isInteger(cfg.keepAlive) || cfg.keepAlive < 0) throw new Error('--keepalive must be an integer >= 0 (ms)');
    if (!['auto', 'sse', 'json'].includes(cfg.responseMode)) throw new Error('--response-mode must be auto, sse or json');
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
    if (cfg.verbose) console.error('[modern-server]', ...args);
};

// ---------------------------------------------------------------------------
// Task runtime (the SDK has none for the 2026-07-28 extension)
// ---------------------------------------------------------------------------

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** taskId -> task record; see createTask. */
const tasks = new Map();
/** ids of tasks purged after their TTL: tasks/get says "expired" rather than "not found". */
const expired = new Set();
/** taskId -> epoch ms (with fraction) when the task's result or error was stored. */
const resultStoredAt = new Map();
/** 'change' (taskId) after every status change of any task. */
const taskEvents = new EventEmitter();
taskEvents.setMaxListeners(0);

const nowIso = () => new Date().toISOString();
const preciseNow = () => performance.timeOrigin + performance.now();

function createTask({ pollIntervalMs, ttlMs }) {
    const at = nowIso();
    const task = {
        taskId: randomUUID(),
        status: 'working',
        statusMessage: undefined,
        createdAt: at,
        lastUpdatedAt: at,
        createdMs: Date.now(),
        ttlMs,
        pollIntervalMs,
        result: undefined,
        error: undefined,
        inputRequests: undefined, // key -> request, outstanding only
        answers: new EventEmitter(), // 'answer' (key, response)
        abort: new AbortController()
    };
    task.answers.setMaxListeners(0);
    tasks.set(task.taskId, task);
    return task;
}

/** The task, or undefined when unknown. An expired task is purged here (lazily). */
function lookupTask(taskId) {
    const task = tasks.get(taskId);
    if (task && task.ttlMs !== null && Date.now() > task.createdMs + task.ttlMs) {
        tasks.delete(taskId);
        expired.add(taskId);
        task.abort.abort(new Error('task expired'));
        return undefined;
    }
    return task;
}

function requireTask(taskId) {
    const task = lookupTask(taskId);
    if (task) return task;
    const why = expired.has(taskId) ? 'Task has expired' : 'Task not found';
    throw new ProtocolError(-32602, `Failed to retrieve task: ${why}`);
}

/** Changes status and/or other fields of a non-terminal task and announces it. */
function updateTask(task, changes) {
    if (TERMINAL.has(task.status)) return false;
    Object.assign(task, changes);
    task.lastUpdatedAt = nowIso();
    if (TERMINAL.has(task.status)) {
        task.inputRequests = undefined;
        if (task.status !== 'cancelled') resultStoredAt.set(task.taskId, preciseNow());
    }
    taskEvents.emit('change', task.taskId);
    return true;
}

/** The DetailedTask of tasks/get and notifications/tasks. */
function detailedTask(task) {
    const out = {
        taskId: task.taskId,
        status: task.status,
        ...(task.statusMessage !== undefined && { statusMessage: task.statusMessage }),
        createdAt: task.createdAt,
        lastUpdatedAt: task.lastUpdatedAt,
        ttlMs: task.ttlMs,
        pollIntervalMs: task.pollIntervalMs
    };
    if (task.status === 'input_required') out.inputRequests = { ...task.inputRequests };
    if (task.status === 'completed') out.result = task.result;
    if (task.status === 'failed') out.error = task.error;
    return out;
}

/** The flat CreateTaskResult a tools/call answers. */
function createTaskResult(task) {
    const out = {
        resultType: 'task',
        taskId: task.taskId,
        status: task.status,
        ...(task.statusMessage !== undefined && { statusMessage: task.statusMessage }),
        createdAt: task.createdAt,
        lastUpdatedAt: task.lastUpdatedAt,
        ttlMs: task.ttlMs,
        pollIntervalMs: task.pollIntervalMs
    };
    return out;
}

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

/** Thrown by tool work to end with a JSON-RPC error (task: failed; plain call: error response). */
class RpcFailure extends Error {
    constructor(code, message, data) {
        super(message);
        this.code = code;
        this.data = data;
    }
}

/**
 * Starts `work` as a task. work(args, run) resolves with a CallToolResult, or throws
 * RpcFailure (-> failed with that error). run = { signal, sleep, setStatusMessage,
 * setPollInterval, ask(key, request) -> Promise<response> }.
 */
function startTask(args, work) {
    const task = createTask({
        pollIntervalMs: args.pollIntervalMs ?? cfg.pollInterval,
        ttlMs: args.ttlMs !== undefined ? args.ttlMs : cfg.ttl === 0 ? null : cfg.ttl
    });
    const signal = task.abort.signal;
    const run = {
        signal,
        sleep: ms => abortableSleep(ms, signal),
        setStatusMessage: statusMessage => updateTask(task, { statusMessage }),
        setPollInterval: pollIntervalMs => updateTask(task, { pollIntervalMs }),
        ask: (key, request, statusMessage) =>
            new Promise((resolve, reject) => {
                if (signal.aborted) return reject(signal.reason);
                const onAnswer = (k, response) => {
                    if (k !== key) return;
                    task.answers.off('answer', onAnswer);
                    signal.removeEventListener('abort', onAbort);
                    resolve(response);
                };
                const onAbort = () => {
                    task.answers.off('answer', onAnswer);
                    reject(signal.reason);
                };
                task.answers.on('answer', onAnswer);
                signal.addEventListener('abort', onAbort, { once: true });
                updateTask(task, {
                    status: 'input_required',
                    statusMessage,
                    inputRequests: { ...task.inputRequests, [key]: request }
                });
            })
    };
    (async () => {
        try {
            const result = await work(args, run);
            if (!signal.aborted) updateTask(task, { status: 'completed', statusMessage: undefined, result });
        } catch (error) {
            if (signal.aborted) return;
            if (error instanceof RpcFailure) {
                const rpc = { code: error.code, message: error.message, ...(error.data !== undefined && { data: error.data }) };
                updateTask(task, { status: 'failed', statusMessage: `Tool execution failed: ${error.message}`, error: rpc });
            } else {
                updateTask(task, { status: 'failed', statusMessage: `Internal error: ${error?.message ?? error}`, error: { code: -32603, message: String(error?.message ?? error) } });
            }
        }
    })();
    return task;
}

/** tasks/update: applies the answers to outstanding keys; others are ignored. */
function answerTask(task, inputResponses) {
    if (task.status !== 'input_required' || !task.inputRequests) return;
    const outstanding = { ...task.inputRequests };
    const answered = [];
    for (const [key, response] of Object.entries(inputResponses ?? {})) {
        if (Object.hasOwn(outstanding, key)) {
            delete outstanding[key];
            answered.push([key, response]);
        }
    }
    if (answered.length === 0) return;
    const remaining = Object.keys(outstanding).length;
    updateTask(task, remaining
        ? { inputRequests: outstanding }
        : { status: 'working', statusMessage: undefined, inputRequests: undefined });
    for (const [key, response] of answered) task.answers.emit('answer', key, response);
}

function cancelTask(task) {
    if (TERMINAL.has(task.status)) return;
    updateTask(task, { status: 'cancelled', statusMessage: 'Cancelled by tasks/cancel.' });
    task.abort.abort(new Error('task cancelled'));
}

// ---------------------------------------------------------------------------
// Instrumentation (same shape as server.mjs; no sessions in this revision)
// ---------------------------------------------------------------------------

const newHttpCounts = () => ({ POST: 0, GET: 0, DELETE: 0, OPTIONS: 0 });
const newStats = () => ({ total: 0, byMethod: {}, byEra: { modern: 0, legacy: 0 }, byHttpMethod: newHttpCounts() });
let stats = newStats();
/** tools/call requests answered without a task whose tool is still running. */
let plainCallsInFlight = 0;

function isModernMessage(m) {
    return typeof m?.params?._meta?.[META_VERSION] === 'string';
}

function countMessages(messages) {
    for (const message of messages) {
        const key = message && typeof message === 'object'
            ? (typeof message.method === 'string' ? message.method : ('result' in message || 'error' in message) ? 'response' : 'invalid')
            : 'invalid';
        stats.total++;
        stats.byMethod[key] = (stats.byMethod[key] ?? 0) + 1;
        stats.byEra[isModernMessage(message) ? 'modern' : 'legacy']++;
    }
}

function statsJson() {
    const byStatus = {};
    for (const task of tasks.values()) byStatus[task.status] = (byStatus[task.status] ?? 0) + 1;
    return {
        requests: {
            total: stats.total,
            byMethod: stats.byMethod,
            byEra: stats.byEra,
            bySession: {},
            byHttpMethod: stats.byHttpMethod
        },
        resultStoredAt: Object.fromEntries(resultStoredAt),
        sessions: [],
        tasks: { total: tasks.size, byStatus },
        subscriptions: { open: listens.size },
        plainCallsInFlight
    };
}

// ---------------------------------------------------------------------------
// Tools
// ---------------------------------------------------------------------------

const ASK_SCHEMA = {
    type: 'object',
    properties: { name: { type: 'string', title: 'Name', description: 'Your name' } },
    required: ['name']
};

const text = s => ({ content: [{ type: 'text', text: s }] });

function greeting(response) {
    const view = inputResponse(response === undefined ? undefined : { r: response }, 'r');
    if (view.kind === 'elicit' && view.action === 'accept') return `Hello, ${view.content?.name}!`;
    if (view.kind === 'elicit' && view.action === 'decline') return 'The user declined to give a name.';
    if (view.kind === 'elicit' && view.action === 'cancel') return 'The user cancelled the question.';
    return undefined;
}

const elicitName = message => ({ method: 'elicitation/create', params: { mode: 'form', message, requestedSchema: ASK_SCHEMA } });

const taskOptions = {
    pollIntervalMs: z.number().int().min(1).optional().describe('Overrides the pollIntervalMs the task advertises'),
    ttlMs: z.number().int().min(1).nullable().optional().describe('Overrides the ttlMs of the task (null: unlimited)')
};

function declaresTasks(ctx) {
    const caps = ctx.mcpReq.envelope?.[META_CAPS];
    const ext = caps?.extensions?.[TASKS_EXT];
    return ext !== null && typeof ext === 'object';
}

function declaresElicitation(ctx) {
    const caps = ctx.mcpReq.envelope?.[META_CAPS];
    return caps?.elicitation !== null && typeof caps?.elicitation === 'object';
}

/** MRTR state: opaque to the client; checked on the retry (tampering only fails the request). */
const mintState = tool => Buffer.from(JSON.stringify({ v: 1, tool })).toString('base64url');
function checkState(state, tool) {
    try {
        const parsed = JSON.parse(Buffer.from(String(state), 'base64url').toString('utf8'));
        if (parsed?.v === 1 && parsed.tool === tool) return;
    } catch {
        /* fall through */
    }
    throw new ProtocolError(-32602, 'Invalid or expired requestState');
}

/** The synchronous (MRTR) name question of `mrtr` and of `ask` without tasks. */
function mrtrAsk(tool, message, ctx) {
    const responses = ctx.mcpReq.inputResponses;
    const state = ctx.mcpReq.requestState();
    if (responses !== undefined && state === undefined) throw new ProtocolError(-32602, 'inputResponses without requestState');
    if (state !== undefined) checkState(state, tool);
    const answer = greeting(responses?.name);
    if (answer !== undefined) return text(answer);
    // First round, or the answer is missing: ask (again).
    return inputRequired({ inputRequests: { name: elicitName(message) }, requestState: mintState(tool) });
}

/**
 * The tool table. Each entry: { description, schema (zod object), era: 'both' | 'modern',
 * task?: work (tasks when the client declared the extension), run(args, ctx, http) }.
 */
function toolTable() {
    const t = {};

    t.echo = {
        era: 'both',
        description: 'Answers its arguments: text = args.text if it is a string, else JSON of the arguments; structuredContent = the arguments.',
        schema: z.looseObject({ text: z.string().optional().describe('Text to echo') }),
        run: async args => ({
            content: [{ type: 'text', text: typeof args.text === 'string' ? args.text : JSON.stringify(args) }],
            structuredContent: { ...args }
        })
    };

    t.region = {
        era: 'both',
        description: 'Answers the raw Mcp-Param-Region header it received (the `region` parameter is marked x-mcp-header "Region").',
        schema: z.object({
            region: z.string().describe('A region; mirrored by clients in the Mcp-Param-Region header').meta({ 'x-mcp-header': 'Region' }),
            query: z.string().optional().describe('Anything')
        }),
        run: async (args, _ctx, request) => {
            const header = request?.headers.get('mcp-param-region') ?? null;
            return { content: [{ type: 'text', text: header ?? '(no Mcp-Param-Region header)' }], structuredContent: { header, region: args.region } };
        }
    };

    t.mrtr = {
        era: 'modern',
        description: 'Multi round-trip: answers input_required (elicitation/create for a name, with requestState), and on the retry with inputResponses "Hello, NAME!".',
        schema: z.object({ message: z.string().default('What is your name?').describe('Elicitation message') }),
        run: async (args, ctx) => mrtrAsk('mrtr', args.message, ctx)
    };

    t.sleep = {
        era: 'both',
        description: 'Waits `ms` milliseconds, then answers `text`. As a task: optionally sets statusMessage while working.',
        schema: z.object({
            ms: z.number().int().min(0).default(1000).describe('How long to work (ms)'),
            text: z.string().default('done').describe('Text of the result'),
            statusMessage: z.string().optional().describe('statusMessage of the task while working'),
            ...taskOptions
        }),
        task: async (args, run) => {
            if (args.statusMessage !== undefined) run.setStatusMessage(args.statusMessage);
            await run.sleep(args.ms);
            return text(args.text);
        },
        run: async (args, ctx) => {
            await abortableSleep(args.ms, ctx.mcpReq.signal);
            return text(args.text);
        }
    };

    t.progress = {
        era: 'both',
        description: 'Works `steps` steps of `ms` each. As a task: statusMessage "step i/N" per step (and pollIntervalMs = stepPollIntervalMs from the first step on, if given). Plain call: notifications/progress per step when the call has a progressToken.',
        schema: z.object({
            steps: z.number().int().min(1).max(1000).default(5).describe('Number of steps'),
            ms: z.number().int().min(0).default(100).describe('Duration of one step (ms)'),
            stepPollIntervalMs: z.number().int().min(1).optional().describe('pollIntervalMs the task advertises from the first step on'),
            ...taskOptions
        }),
        task: async (args, run) => {
            for (let i = 1; i <= args.steps; i++) {
                await run.sleep(args.ms);
                if (args.stepPollIntervalMs !== undefined && i === 1) run.setPollInterval(args.stepPollIntervalMs);
                run.setStatusMessage(`step ${i}/${args.steps}`);
            }
            return text(`progress done: ${args.steps} steps`);
        },
        run: async (args, ctx) => {
            const progressToken = ctx.mcpReq._meta?.progressToken;
            for (let i = 1; i <= args.steps; i++) {
                await abortableSleep(args.ms, ctx.mcpReq.signal);
                if (progressToken !== undefined) {
                    await ctx.mcpReq.notify({
                        method: 'notifications/progress',
                        params: { progressToken, progress: i, total: args.steps, message: `step ${i}/${args.steps}` }
                    });
                }
            }
            return text(`progress done: ${args.steps} steps`);
        }
    };

    t.fail = {
        era: 'both',
        description: 'Answers a CallToolResult with isError: true carrying `message` (as a task: status completed).',
        schema: z.object({
            message: z.string().default('failed on purpose').describe('Error text'),
            ms: z.number().int().min(0).default(50).describe('How long to work first (ms)'),
            ...taskOptions
        }),
        task: async (args, run) => {
            await run.sleep(args.ms);
            return { isError: true, content: [{ type: 'text', text: args.message }] };
        },
        run: async (args, ctx) => {
            await abortableSleep(args.ms, ctx.mcpReq.signal);
            return { isError: true, content: [{ type: 'text', text: args.message }] };
        }
    };

    t.crash = {
        era: 'both',
        description: 'Ends with the JSON-RPC error { code, message } (as a task: status failed with that error).',
        schema: z.object({
            message: z.string().default('crashed on purpose').describe('JSON-RPC error message'),
            code: z.number().int().default(-32603).describe('JSON-RPC error code'),
            ms: z.number().int().min(0).default(50).describe('How long to work first (ms)'),
            ...taskOptions
        }),
        task: async (args, run) => {
            await run.sleep(args.ms);
            throw new RpcFailure(args.code, args.message);
        },
        run: async (args, ctx) => {
            await abortableSleep(args.ms, ctx.mcpReq.signal);
            throw new ProtocolError(args.code, args.message);
        }
    };

    t.ask = {
        era: 'modern',
        description: 'As a task: input_required with inputRequests { name: elicitation/create }, answered with tasks/update, then "Hello, NAME!". Without tasks: the same question as a multi round-trip (like mrtr). Needs the elicitation client capability.',
        schema: z.object({ message: z.string().default('What is your name?').describe('Elicitation message'), ...taskOptions }),
        needs: ctx => {
            if (!declaresElicitation(ctx)) throw new MissingRequiredClientCapabilityError({ requiredCapabilities: { elicitation: { form: {} } } });
        },
        task: async (args, run) => {
            const response = await run.ask('name', elicitName(args.message), 'Waiting for a name.');
            return text(greeting(response) ?? 'The answer was not an elicitation result.');
        },
        run: async (args, ctx) => mrtrAsk('ask', args.message, ctx)
    };

    t.forever = {
        era: 'modern',
        description: 'Works until cancelled: as a task until tasks/cancel, as a plain call until the client drops the request. Holds no timers.',
        schema: z.object({ ...taskOptions }),
        task: async (_args, run) => {
            await waitForAbort(run.signal);
            return text('unreachable');
        },
        run: async (_args, ctx) => {
            await waitForAbort(ctx.mcpReq.signal);
            return text('unreachable');
        }
    };

    t.must_task = {
        era: 'modern',
        description: 'Like sleep, but only as a task: a client that did not declare the tasks extension gets -32021.',
        schema: z.object({ ms: z.number().int().min(0).default(50).describe('How long to work (ms)'), ...taskOptions }),
        task: async (args, run) => {
            await run.sleep(args.ms);
            return text('must_task done');
        },
        run: async () => {
            throw new MissingRequiredClientCapabilityError(TASKS_REQUIRED);
        }
    };

    return t;
}

const TOOLS = toolTable();

// ---------------------------------------------------------------------------
// The per-request server (one factory for both eras)
// ---------------------------------------------------------------------------

const noop = async () => ({ content: [] });

function createServer({ era, requestInfo }) {
    const modern = era === 'modern';
    const mcp = new McpServer(SERVER_INFO, { capabilities: { tools: {} } });
    mcp.server.onerror = error => debug('sdk error:', error?.message ?? error);
    if (modern) mcp.server.registerCapabilities({ extensions: { [TASKS_EXT]: {} } });

    // McpServer lists the tools (and the HTTP entry validates Mcp-Param-* headers from
    // their schemas); the calls go to our own tools/call handler below, because McpServer
    // turns every error thrown by a tool into an isError result, and -32021 / crash
    // must be JSON-RPC errors.
    const table = {};
    for (const [name, tool] of Object.entries(TOOLS)) {
        if (!modern && tool.era !== 'both') continue;
        table[name] = tool;
        mcp.registerTool(name, { description: tool.description, inputSchema: tool.schema }, noop);
    }
    mcp.server.removeRequestHandler('tools/call');
    mcp.server.setRequestHandler('tools/call', async (request, ctx) => {
        const name = request.params.name;
        const tool = Object.hasOwn(table, name) ? table[name] : undefined;
        if (!tool) throw new ProtocolError(-32602, `Tool ${name} not found`);
        const parsed = tool.schema.safeParse(request.params.arguments ?? {});
        if (!parsed.success) throw new ProtocolError(-32602, `Input validation error: Invalid arguments for tool ${name}: ${parsed.error.message}`);
        tool.needs?.(ctx);
        if (modern && tool.task && declaresTasks(ctx)) {
            const task = startTask(parsed.data, tool.task);
            return createTaskResult(task);
        }
        plainCallsInFlight++;
        try {
            return await tool.run(parsed.data, ctx, requestInfo);
        } catch (error) {
            if (error instanceof ProtocolError) throw error;
            if (ctx.mcpReq.signal.aborted) throw error;
            return { isError: true, content: [{ type: 'text', text: `${name} failed: ${error?.message ?? error}` }] };
        } finally {
            plainCallsInFlight--;
        }
    });

    if (modern) {
        const requireTasksExt = ctx => {
            if (!declaresTasks(ctx)) throw new MissingRequiredClientCapabilityError(TASKS_REQUIRED);
        };
        const byId = z.looseObject({ taskId: z.string() });
        const loose = z.looseObject({});
        mcp.server.setRequestHandler('tasks/get', { params: byId, result: loose }, async (params, ctx) => {
            requireTasksExt(ctx);
            return detailedTask(requireTask(params.taskId));
        });
        // The SDK lifts params.inputResponses into ctx.mcpReq.inputResponses.
        mcp.server.setRequestHandler('tasks/update', { params: byId, result: loose }, async (params, ctx) => {
            requireTasksExt(ctx);
            answerTask(requireTask(params.taskId), ctx.mcpReq.inputResponses);
            return {};
        });
        mcp.server.setRequestHandler('tasks/cancel', { params: byId, result: loose }, async (params, ctx) => {
            requireTasksExt(ctx);
            cancelTask(requireTask(params.taskId));
            return {};
        });
    }
    return mcp;
}

const onSdkError = error => debug('sdk:', error?.message ?? error);
const mcpHandler = cfg.mode === 'legacy'
    ? { fetch: legacyStatelessFallback(createServer, onSdkError), close: async () => {} }
    : createMcpHandler(createServer, {
        legacy: cfg.mode === 'modern' ? 'reject' : 'stateless',
        responseMode: cfg.responseMode,
        onerror: onSdkError
    });

// ---------------------------------------------------------------------------
// subscriptions/listen with notifications.taskIds (the SDK's listen router knows only
// the core filters, and answers the listen before any handler of ours could run)
// ---------------------------------------------------------------------------

/** Open listen streams: close functions. */
const listens = new Set();

function rpcErrorBody(id, code, message, data) {
    return { jsonrpc: '2.0', id: id ?? null, error: { code, message, ...(data !== undefined && { data }) } };
}

/** The SDK's header checks, for the requests we answer ourselves. Returns [status, body] or undefined. */
function checkModernHeaders(req, message) {
    const version = message.params?._meta?.[META_VERSION];
    const header = req.headers['mcp-protocol-version'];
    if (header === undefined) return [400, rpcErrorBody(message.id, -32020, 'Header mismatch: the MCP-Protocol-Version header is missing')];
    if (header.trim() !== version) return [400, rpcErrorBody(message.id, -32020, `Header mismatch: MCP-Protocol-Version header '${header}' does not match body value '${version}'`)];
    if (version !== MODERN) return [400, rpcErrorBody(message.id, -32022, `Unsupported protocol version: ${version}`, { supported: [MODERN], requested: version })];
    const method = req.headers['mcp-method'];
    if (method === undefined) return [400, rpcErrorBody(message.id, -32020, 'Header mismatch: the Mcp-Method header is missing')];
    if (method.trim() !== message.method) return [400, rpcErrorBody(message.id, -32020, `Header mismatch: Mcp-Method header '${method}' does not match body value '${message.method}'`)];
    return undefined;
}

function serveTaskListen(req, res, message) {
    const rejected = checkModernHeaders(req, message);
    if (rejected) return sendJson(res, ...rejected);
    const taskIds = message.params?.notifications?.taskIds;
    if (!Array.isArray(taskIds) || taskIds.some(id => typeof id !== 'string')) {
        return sendJson(res, 200, rpcErrorBody(message.id, -32602, 'Invalid params: notifications.taskIds must be an array of strings'));
    }
    const ext = message.params?._meta?.[META_CAPS]?.extensions?.[TASKS_EXT];
    if (ext === null || typeof ext !== 'object') {
        const error = new MissingRequiredClientCapabilityError(TASKS_REQUIRED);
        return sendJson(res, 400, rpcErrorBody(message.id, error.code, error.message, error.data));
    }
    const subscriptionId = message.id;
    const accepted = [...new Set(taskIds)].filter(id => lookupTask(id) !== undefined);
    const watched = new Set(accepted);
    res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache, no-transform',
        'X-Accel-Buffering': 'no'
    });
    const write = msg => {
        if (!res.writableEnded) res.write(`event: message\ndata: ${JSON.stringify(msg)}\n\n`);
    };
    const notify = (method, params) => write({ jsonrpc: '2.0', method, params: { ...params, _meta: { ...params._meta, [META_SUBSCRIPTION]: subscriptionId } } });
    notify('notifications/subscriptions/acknowledged', { notifications: { taskIds: accepted } });
    // The current state of every accepted task first: the client cannot miss a change
    // that happened between its tools/call and this listen.
    for (const id of accepted) {
        const task = tasks.get(id);
        if (task) notify('notifications/tasks', detailedTask(task));
    }
    const onChange = taskId => {
        if (!watched.has(taskId)) return;
        const task = tasks.get(taskId);
        if (task) notify('notifications/tasks', detailedTask(task));
    };
    taskEvents.on('change', onChange);
    const keepAlive = cfg.keepAlive > 0 ? setInterval(() => !res.writableEnded && res.write(': keepalive\n\n'), cfg.keepAlive) : undefined;
    const close = graceful => {
        if (!listens.has(close)) return;
        listens.delete(close);
        taskEvents.off('change', onChange);
        clearInterval(keepAlive);
        if (graceful) write({ jsonrpc: '2.0', id: subscriptionId, result: { resultType: 'complete', _meta: { [META_SUBSCRIPTION]: subscriptionId, [META_SERVER_INFO]: SERVER_INFO } } });
        if (!res.writableEnded) res.end();
    };
    listens.add(close);
    res.once('close', () => close(false));
    // Nothing to listen for (no known task): end at once, gracefully (as the SDK's router does).
    if (accepted.length === 0) close(true);
}

// ---------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------

const CORS_ALLOW_HEADERS = 'Content-Type, Accept, Authorization, Mcp-Session-Id, MCP-Protocol-Version, Mcp-Method, Mcp-Name, Mcp-Param-Region, Last-Event-ID, X-Test-Header';

function setCors(req, res) {
    const origin = req.headers.origin;
    res.setHeader('Access-Control-Allow-Origin', origin ? origin : '*');
    if (origin) res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] || CORS_ALLOW_HEADERS);
    res.setHeader('Access-Control-Expose-Headers', 'Mcp-Session-Id, MCP-Protocol-Version, Retry-After, WWW-Authenticate');
    res.setHeader('Access-Control-Max-Age', '600');
}

function sendJson(res, status, body, headers = {}) {
    if (res.headersSent) return;
    const data = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
    res.end(data);
}

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
        req.on('end', () => resolve(Buffer.concat(chunks)));
        req.on('error', reject);
    });
}

/** Removes the `content: []` the SDK adds to a CreateTaskResult (a tools/call response). */
function flattenTaskResult(message, requestId) {
    const result = message?.result;
    if (message?.id !== requestId || result?.resultType !== 'task') return false;
    if (!Array.isArray(result.content) || result.content.length !== 0) return false;
    delete result.content;
    return true;
}

/** A TransformStream that rewrites the `data:` JSON of SSE events with fix(message). */
function sseRewriter(fix) {
    const decoder = new TextDecoder();
    const encoder = new TextEncoder();
    let buffer = '';
    const rewrite = block => block.split('\n').map(line => {
        if (!line.startsWith('data: ')) return line;
        try {
            const message = JSON.parse(line.slice(6));
            return fix(message) ? `data: ${JSON.stringify(message)}` : line;
        } catch {
            return line;
        }
    }).join('\n');
    return new TransformStream({
        transform(chunk, controller) {
            buffer += decoder.decode(chunk, { stream: true });
            let end;
            while ((end = buffer.indexOf('\n\n')) !== -1) {
                controller.enqueue(encoder.encode(rewrite(buffer.slice(0, end)) + '\n\n'));
                buffer = buffer.slice(end + 2);
            }
        },
        flush(controller) {
            buffer += decoder.decode();
            if (buffer) controller.enqueue(encoder.encode(rewrite(buffer)));
        }
    });
}

/** Hands the request to the SDK's handler (web Request/Response) and pipes its answer back. */
async function forwardToSdk(req, res, raw, message) {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
        if (Array.isArray(value)) for (const v of value) headers.append(name, v);
        else if (value !== undefined) headers.set(name, value);
    }
    // Closing the response (the client went away) cancels the exchange: the SDK watches
    // the Request's signal.
    const ac = new AbortController();
    res.once('close', () => {
        if (!res.writableFinished) ac.abort();
    });
    const request = new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers,
        body: req.method === 'POST' ? raw : undefined,
        signal: ac.signal
    });
    let response = await mcpHandler.fetch(request);
    if (ac.signal.aborted) {
        await response.body?.cancel().catch(() => {});
        return;
    }
    const fixTaskContent = !cfg.sdkTaskContent && cfg.mode !== 'legacy' && message?.method === 'tools/call' && isModernMessage(message);
    const contentType = response.headers.get('content-type') ?? '';
    let body = response.body;
    const outHeaders = {};
    response.headers.forEach((value, name) => {
        if (name !== 'content-length') outHeaders[name] = value;
    });
    if (fixTaskContent && body && contentType.startsWith('application/json')) {
        const textBody = await response.text();
        let out = textBody;
        try {
            const parsed = JSON.parse(textBody);
            if (flattenTaskResult(parsed, message.id)) out = JSON.stringify(parsed);
        } catch {
            /* not JSON: as is */
        }
        res.writeHead(response.status, outHeaders);
        res.end(out);
        return;
    }
    if (fixTaskContent && body && contentType.startsWith('text/event-stream')) {
        body = body.pipeThrough(sseRewriter(m => flattenTaskResult(m, message.id)));
    }
    res.writeHead(response.status, outHeaders);
    if (!body) return res.end();
    const reader = body.getReader();
    res.once('close', () => reader.cancel().catch(() => {}));
    try {
        for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            if (!res.writableEnded) res.write(value);
        }
    } catch (error) {
        debug('response stream failed:', error?.message ?? error);
    }
    if (!res.writableEnded) res.end();
}

async function handleMcp(req, res) {
    if (req.method !== 'POST') {
        stats.byHttpMethod[req.method] !== undefined && stats.byHttpMethod[req.method]++;
        return forwardToSdk(req, res, undefined, undefined);
    }
    stats.byHttpMethod.POST++;
    let raw;
    try {
        raw = await readBody(req);
    } catch (error) {
        return sendJson(res, error.status ?? 400, rpcErrorBody(null, -32000, error.message));
    }
    let body;
    try {
        body = JSON.parse(raw.toString('utf8'));
    } catch {
        body = undefined;
    }
    const messages = body === undefined ? [] : Array.isArray(body) ? body : [body];
    countMessages(messages);
    const message = !Array.isArray(body) && body && typeof body === 'object' ? body : undefined;
    if (cfg.mode !== 'legacy' && message?.method === 'subscriptions/listen' && message.id !== undefined && isModernMessage(message)) {
        if (!cfg.listen) {
            const rejected = checkModernHeaders(req, message);
            if (rejected) return sendJson(res, ...rejected);
            return sendJson(res, 404, rpcErrorBody(message.id, -32601, 'Method not found'));
        }
        if (message.params?.notifications?.taskIds !== undefined) return serveTaskListen(req, res, message);
    }
    return forwardToSdk(req, res, raw, message);
}

async function handleAdmin(req, res, url) {
    const route = url.pathname.replace(/\/+$/, '');
    if (route === '/admin/stats') {
        if (req.method !== 'GET') return sendJson(res, 405, { error: 'use GET' }, { Allow: 'GET, OPTIONS' });
        return sendJson(res, 200, statsJson());
    }
    if (route === '/admin/reset') {
        if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST' }, { Allow: 'POST, OPTIONS' });
        stats = newStats();
        resultStoredAt.clear();
        return sendJson(res, 200, { ok: true });
    }
    return sendJson(res, 404, { error: 'not found' });
}

// --- static files (as server.mjs) ---

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
    '.ts': 'text/plain; charset=utf-8'
};

const DASHBOARD_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
    "connect-src 'self' http://127.0.0.1:* http://localhost:*; style-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const contentType = file => CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';

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
        if (stat.isFile()) return { file: real };
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
    debug(req.method, req.url, req.headers['mcp-method'] ?? '');
    if (req.method === 'OPTIONS') {
        if (url.pathname === '/mcp') stats.byHttpMethod.OPTIONS++;
        res.writeHead(204, { 'Content-Length': '0' });
        return res.end();
    }
    if (url.pathname === '/mcp') return handleMcp(req, res);
    if (url.pathname === '/admin' || url.pathname.startsWith('/admin/')) return handleAdmin(req, res, url);
    return handleStatic(req, res, url);
}

const httpServer = http.createServer((req, res) => {
    route(req, res).catch(error => {
        console.error('[modern-server] request failed:', error);
        if (!res.headersSent) sendJson(res, 500, rpcErrorBody(null, -32603, 'Internal server error'));
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
    process.stdout.write(`MCP modern reference server listening on http://127.0.0.1:${port}/mcp\n`);
});

httpServer.on('error', error => {
    console.error('[modern-server]', error.message);
    process.exit(1);
});

let shuttingDown = false;
async function shutdown(signal) {
    if (shuttingDown) return;
    shuttingDown = true;
    debug('shutting down on', signal);
    for (const close of [...listens]) close(true);
    for (const task of tasks.values()) task.abort.abort(new Error('server shutting down'));
    await mcpHandler.close().catch(() => {});
    httpServer.close();
    httpServer.closeAllConnections();
    process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
