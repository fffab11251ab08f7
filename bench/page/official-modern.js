// The official stack for MCP 2026-07-28 tasks, as the bench runs it (side B of the modern
// era): @modelcontextprotocol/client 2.4.0 + @modelcontextprotocol/ext-tasks 0.2.2, plus
// the smallest fetch dispatcher that makes them work against a 2026-07-28 server. Bundled
// whole (bench/lib/build.mjs) into official-modern.min.js: the size row counts all three.
//
// Why a dispatcher: the client 2.4.0 rejects a tools/call answered with
// `resultType: "task"`, so ext-tasks refuses a 2026-07-28 tasks server unless it is given
// `rawDispatch` (and `v2RequestFraming`, the `_meta` envelope it stamps on those requests)
// for `tools/call` and `tasks/*`. Everything else (server/discover, tools/list) still goes
// through the client. What `fetchDispatcher` does, and no more:
//   - POSTs the request ext-tasks framed, with a JSON-RPC id of its own;
//   - sends the headers 2026-07-28 requires: MCP-Protocol-Version, Mcp-Method, and
//     Mcp-Name (the tool name for tools/call; ext-tasks passes the task id for tasks/*);
//   - reads a JSON or an SSE reply (the whole body, then its `data:` lines) and returns
//     the response with its id as `{ kind: 'result' | 'error', ... }`.
// Not done: Mcp-Param-* headers (no bench tool has x-mcp-header parameters), base64 for
// header values that are not header-safe, timeouts (only the caller's abort signal),
// retries, reconnecting a broken SSE reply. Not done by ext-tasks either: it never opens
// `subscriptions/listen`, so it learns of a task's end by polling `tasks/get`.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createTaskSessionFromClient, resultFromTaskOutcome } from '@modelcontextprotocol/ext-tasks/client';

const VERSION = '2026-07-28';

/** ext-tasks' `rawDispatch` over fetch: one POST per request (see the top of the file). */
export function fetchDispatcher(url) {
  let lastId = 0;
  return async ({ method, params }, { signal, context } = {}) => {
    const id = `d${++lastId}`;
    const headers = {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': VERSION,
      'Mcp-Method': method,
      ...(method === 'tools/call' && { 'Mcp-Name': params.name }),
      ...context?.headers,
    };
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id, method, params }), signal });
    const body = await res.text();
    const messages = res.headers.get('content-type')?.startsWith('text/event-stream')
      ? body.split(/\r?\n\r?\n/)
        .map((event) => event.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n'))
        .filter(Boolean).map((data) => JSON.parse(data))
      : [JSON.parse(body)];
    const reply = messages.find((m) => m.id === id);
    if (!reply) throw new Error(`${method}: HTTP ${res.status} without a JSON-RPC response`);
    return reply.error ? { kind: 'error', error: reply.error } : { kind: 'result', result: reply.result };
  };
}

/**
 * Connects the official client (version negotiation 'auto': a server/discover first) and
 * wraps it in an ext-tasks session that reaches 2026-07-28 tasks through fetchDispatcher.
 */
export async function connect(url, clientInfo) {
  const client = new Client(clientInfo, { capabilities: {}, versionNegotiation: { mode: 'auto' } });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  const session = createTaskSessionFromClient(client, {
    endpointId: url,
    rawDispatch: fetchDispatcher(url),
    v2RequestFraming: { protocolVersion: client.getNegotiatedProtocolVersion() ?? VERSION, clientInfo, clientCapabilities: {} },
  });
  return { client, transport, session };
}

/**
 * ext-tasks' `resultCodec` for tool results as they are: its default codec wants
 * `resultType: "complete"` inside a completed task's inline `result`, which the
 * extension's own example (tasks.md, "the final tool result inlined into the task
 * object") and the reference server leave out, so every task would fail with
 * "Protocol value failed schema validation". A caller-side option, not part of the
 * dispatcher.
 */
export const anyResult = { parse: (value) => ({ success: true, value }) };

export { resultFromTaskOutcome };
