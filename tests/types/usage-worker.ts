// The `mcp-tasks-wasm/worker` entry's declarations (pkg/worker.d.ts): the same API as the
// main entry through the proxy, the worker options, and the refused `fetch`. Checked by
// `make test-types` with usage.ts.
import {
  McpClient, TaskHandle, McpError, TransportError, ProtocolError, TaskFailedError,
  TaskCancelledError, TaskExpiredError, McpTasksError, TaskNotFoundError,
} from '../../pkg/worker.js';
import type {
  Task, TaskStatus, CallToolResult, Tool, ServerCapabilities, Implementation,
  CallToolAsTaskOptions, ElicitResult, ListTasksResult, ListToolsResult,
  ProgressNotificationParams, WorkerConnectOptions,
} from '../../pkg/worker.js';
import * as main from '../../pkg/index.js';

async function run(): Promise<void> {
  const options: WorkerConnectOptions = {
    headers: { Authorization: 'Bearer t' },
    protocolVersion: 'auto',
    worker: new URL('./worker-host.js', import.meta.url),
    wasmUrl: '/assets/mcp_tasks_wasm_bg.wasm',
    onElicitation: async (params, ctx): Promise<ElicitResult> =>
      ({ action: 'accept', content: { name: `${params.message}${ctx.relatedTaskId ?? ''}` } }),
    onNotification: (msg) => console.log(msg.method),
  };
  const client: McpClient = await McpClient.connect('http://127.0.0.1:8787/mcp', options);
  const shared: McpClient = await McpClient.connect(new URL('http://127.0.0.1:8787/mcp'), {
    worker: new Worker('/worker-host.js', { type: 'module' }),
  });
  const info: Implementation = client.serverInfo;
  const caps: ServerCapabilities = client.serverCapabilities;
  const active: number = client.activeTasks;
  console.log(info, caps, active, client.protocolVersion, client.sessionId, client.instructions);

  const page: ListToolsResult = await client.listTools();
  const tools: Tool[] = await client.listAllTools();
  const plain: CallToolResult = await client.callTool('echo', { text: 'hi' }, { signal: AbortSignal.timeout(5000) });
  console.log(page, tools, plain);

  const opts: CallToolAsTaskOptions = { signal: new AbortController().signal, onStatus: (t: Task) => console.log(t.status) };
  const h: TaskHandle = await client.callToolAsTask('sleep', { ms: 10 }, opts);
  const status: TaskStatus = h.status;
  const progress: ProgressNotificationParams | undefined = h.progress;
  const flags: boolean[] = [h.isDone, h.isLocal];
  console.log(h.taskId, status, h.task.ttl, progress, flags, h.polls, h.immediateResponse);
  const off: () => void = h.onStatus((t) => console.log(t.statusMessage));
  off();
  h.onProgress((p) => console.log(p.progress))();
  for await (const t of h.updates()) console.log(t.lastUpdatedAt);
  try {
    const r: CallToolResult = await h.result();
    console.log(r.content);
  } catch (e) {
    if (e instanceof TaskFailedError) console.log(e.task.status, e.result?.content, e.error?.code);
    else if (e instanceof TaskCancelledError) console.log(e.taskId);
    else if (e instanceof TaskExpiredError) console.log(e.task);
    else if (e instanceof TaskNotFoundError) console.log(e.taskId);
    else if (e instanceof McpError) console.log(e.code, e.data);
    else if (e instanceof TransportError) console.log(e.status, e.retryable);
    else if (e instanceof ProtocolError) console.log(e.detail);
    else if (e instanceof McpTasksError) console.log(e.message);
  }
  const cancelled: Task = await h.cancel();
  const again: TaskHandle = await TaskHandle.resume(client, h.serialize(), { pollIntervalMs: 500 });
  again.dispose();
  h.free();
  const t: Task = await client.getTask(h.taskId);
  const stored: CallToolResult = await client.getTaskResult(h.taskId);
  const list: ListTasksResult = await client.listTasks(null);
  const c2: Task = await client.cancelTask(h.taskId);
  console.log(cancelled, t, stored, list, c2);

  // The error classes are the main entry's: one `instanceof` serves both entries.
  const same: typeof main.TaskFailedError = TaskFailedError;
  console.log(same);

  // @ts-expect-error: a custom fetch cannot cross to the worker
  await McpClient.connect('http://x/mcp', { fetch: globalThis.fetch });
  // The proxy has every member of the wasm handle: code written against one takes the other.
  const wasmShaped: Pick<main.TaskHandle, 'result' | 'onStatus' | 'updates' | 'serialize'> = h;
  // @ts-expect-error: no public constructor
  new McpClient();
  console.log(wasmShaped);
  await shared.close();
  await client.close();
}

void run;
