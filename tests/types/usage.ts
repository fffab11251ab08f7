// Exercises the whole public API against the generated declarations: `make test-types`
// runs `tsc --noEmit --strict` over it. `@ts-expect-error` lines prove misuse is caught.
import init, {
  McpClient, TaskHandle, McpError, TransportError, ProtocolError, TaskFailedError,
  TaskCancelledError, TaskExpiredError, McpTasksError, TaskNotFoundError, AuthError,
  popupAuthorize, redirectAuthorize, finishAuthorization, sessionStorageTokens,
} from '../../pkg/index.js';
import type {
  Task, TaskStatus, CallToolResult, ContentBlock, Tool, ServerCapabilities, Implementation,
  ConnectOptions, CallToolAsTaskOptions, CallToolOptions, ElicitResult, ListTasksResult, ListToolsResult,
  ProgressNotificationParams, AuthOptions, TokenStorage, AuthErrorReason,
} from '../../pkg/index.js';

async function main(): Promise<void> {
  await init();
  const options: ConnectOptions = {
    headers: { Authorization: 'Bearer t' },
    requestTimeoutMs: 30_000,
    maxHeldResults: 2,
    maxConcurrentRequests: 8,
    listen: true,
    onElicitation: async (params, ctx): Promise<ElicitResult> => {
      const id: string | null = ctx.relatedTaskId;
      return { action: 'accept', content: { name: `${params.message}${id ?? ''}` } };
    },
    onNotification: (msg, ctx) => console.log(msg.method, ctx.relatedTaskId),
    applyElicitationDefaults: false,
    maxRequestRetries: 2,
    protocolVersion: 'auto',
    maxInputRounds: 4,
    retryUnsafeRequests: false,
  };
  const client: McpClient = await McpClient.connect('http://127.0.0.1:8787/mcp', options);
  const info: Implementation = client.serverInfo;
  const caps: ServerCapabilities = client.serverCapabilities;
  const canTask: boolean = caps.tasks?.requests?.tools?.call !== undefined;
  console.log(info.name, canTask, client.protocolVersion, client.sessionId);

  // Authorization: the popup, the redirect, and the plain function form.
  const storage: TokenStorage = sessionStorageTokens('app:');
  const popup: AuthOptions = { authorize: popupAuthorize({ width: 480 }), redirectUri: 'https://app.example/callback', storage };
  const redirect: AuthOptions = { authorize: redirectAuthorize(), redirectUri: 'https://app.example/callback', storage, clientMetadataUrl: 'https://app.example/client.json' };
  const node: AuthOptions = {
    authorize: async (url: string) => new URL(url), redirectUri: 'http://localhost:8080/cb',
    clientId: 'id', clientSecret: 's', clientIssuer: 'https://as.example', applicationType: 'native',
    storage: { get: async (k: string) => k, set: () => {}, remove: async () => {} },
  };
  // @ts-expect-error redirectUri is required
  const incomplete: AuthOptions = { authorize: async () => '' };
  console.log(incomplete);
  for (const auth of [popup, redirect, node]) {
    try {
      const c = await McpClient.connect('https://mcp.example/mcp', { auth });
      await c.signOut();
    } catch (e) {
      if (e instanceof AuthError) {
        const reason: AuthErrorReason = e.reason;
        const code: 'ERR_AUTH' = e.code;
        console.log(reason, code);
      }
    }
  }
  if (location.pathname === '/callback') finishAuthorization({ returnTo: '/' });

  const page: ListToolsResult = await client.listTools();
  const tools: Tool[] = await client.listAllTools();
  const support = tools[0]?.execution?.taskSupport;
  console.log(page.nextCursor, support);

  const plain: CallToolResult = await client.callTool('echo', { text: 'hi' });
  const callOpts: CallToolOptions = { signal: AbortSignal.timeout(5000), timeoutMs: 1000 };
  const bounded: CallToolResult = await client.callTool('echo', {}, callOpts);
  console.log(bounded.isError);
  const first: ContentBlock | undefined = plain.content[0];
  if (first?.type === 'text') console.log(first.text.toUpperCase());

  const ac = new AbortController();
  const opts: CallToolAsTaskOptions = {
    ttlMs: 60_000, signal: ac.signal, cancelOnAbort: true, pollIntervalMs: 500,
    minPollIntervalMs: 100, maxPollIntervalMs: 10_000, onStatus: (t: Task) => console.log(t.status),
  };
  const h: TaskHandle = await client.callToolAsTask('sleep', { ms: 10 }, opts);
  const id: string = h.taskId;
  const status: TaskStatus = h.status;
  const snapshot: Task = h.task;
  const done: boolean = h.isDone;
  const local: boolean = h.isLocal;
  console.log(local);
  const immediate: string | undefined = h.immediateResponse;
  const progress: ProgressNotificationParams | undefined = h.progress;
  console.log(id, status, snapshot.ttl, done, immediate, progress?.progress);
  const unsubscribe: () => void = h.onStatus((t) => console.log(t.statusMessage));
  unsubscribe();
  for await (const t of h.updates()) console.log(t.lastUpdatedAt);
  try {
    const r: CallToolResult = await h.result();
    console.log(r.isError, r.structuredContent);
  } catch (e) {
    if (e instanceof TaskFailedError) console.log(e.task.status, e.result?.content, e.error?.code);
    else if (e instanceof TaskCancelledError) console.log(e.taskId);
    else if (e instanceof TaskExpiredError) console.log(e.task);
    else if (e instanceof TaskNotFoundError) console.log(e.taskId, e.code);
    else if (e instanceof McpError) console.log(e.code, e.data);
    else if (e instanceof TransportError) console.log(e.status, e.body, e.tries, e.retryable);
    else if (e instanceof ProtocolError) console.log(e.detail);
    else if (e instanceof McpTasksError) console.log(e.message);
    else if (e instanceof DOMException && e.name === 'AbortError') console.log('aborted');
  }
  const cancelled: Task = await h.cancel();
  const token: string = h.serialize();
  const again: TaskHandle = await TaskHandle.resume(client, token);
  again.dispose();

  const t: Task = await client.getTask(id);
  const stored: CallToolResult = await client.getTaskResult(id);
  const list: ListTasksResult = await client.listTasks();
  const more: ListTasksResult = await client.listTasks(list.nextCursor);
  const c2: Task = await client.cancelTask(id);
  console.log(cancelled, t, stored, more, c2);
  await client.close();

  // @ts-expect-error: not a task status
  const wrong: TaskStatus = 'canceled';
  // @ts-expect-error: the tool name is required
  await client.callTool();
  // @ts-expect-error: options are typed
  await client.callToolAsTask('sleep', {}, { ttlMs: 'soon' });
  console.log(wrong);
}

void main;
