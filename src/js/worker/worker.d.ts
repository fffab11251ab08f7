// `mcp-tasks-wasm/worker`: the client in a dedicated Web Worker, behind the same API as
// `mcp-tasks-wasm`. Hand-written (the entry is plain JS); the shared shapes come from
// index.d.ts.
import type {
  CallToolAsTaskOptions, CallToolOptions, CallToolResult, ConnectOptions, Implementation,
  ListTasksResult, ListToolsResult, ProgressNotificationParams, ServerCapabilities, Task,
  TaskStatus, Tool,
} from './index.js';

export type {
  CallToolAsTaskOptions, CallToolOptions, CallToolResult, ContentBlock, ConnectOptions,
  ElicitationContext, ElicitRequestParams, ElicitResult, Implementation, JsonRpcNotification,
  ListTasksResult, ListToolsResult, ProgressNotificationParams, ServerCapabilities, Task,
  TaskStatus, Tool,
} from './index.js';
export {
  McpTasksError, McpError, TaskNotFoundError, TransportError, ProtocolError, TaskFailedError,
  TaskCancelledError, TaskExpiredError,
} from './index.js';

/** Options of `McpClient.connect` from `mcp-tasks-wasm/worker`. */
export interface WorkerConnectOptions extends Omit<ConnectOptions, 'fetch'> {
  /**
   * Not supported: a function cannot be sent to the worker, so `connect()` rejects with a
   * `TypeError` naming this option. Pass `headers` for extra request headers, or use
   * `mcp-tasks-wasm` on the page for a custom `fetch`.
   */
  fetch?: never;
  /**
   * The worker that runs the client: a `Worker` running `worker-host.js` (e.g. one your
   * bundler made; several clients may share it, and `close()` leaves it running), or the
   * URL of that script (a module worker is started, and stopped by `close()`). Default:
   * `new URL('./worker-host.js', import.meta.url)`, next to this module.
   */
  worker?: Worker | URL | string;
  /** Where the worker fetches `mcp_tasks_wasm_bg.wasm` (default: next to worker-host.js,
   * i.e. next to `index.js` it imports). Relative URLs resolve against the page. The first
   * client of a worker loads it; later ones share it. */
  wasmUrl?: URL | string;
}

/**
 * An MCP client running in a dedicated Web Worker. The same methods as
 * `mcp-tasks-wasm`'s `McpClient`; its getters are the state the worker last reported
 * (updated before any call that saw a change resolves, e.g. a renewed session).
 */
export class McpClient {
  private constructor();
  /** Start a worker (or use `options.worker`), load the wasm there and connect to `url`. */
  static connect(url: string | URL, options?: WorkerConnectOptions): Promise<McpClient>;
  readonly serverInfo: Implementation;
  readonly serverCapabilities: ServerCapabilities;
  readonly protocolVersion: string | undefined;
  readonly sessionId: string | undefined;
  readonly instructions: string | undefined;
  /** Task handles of this client that have not settled. */
  readonly activeTasks: number;
  listTools(cursor?: string | null): Promise<ListToolsResult>;
  listAllTools(): Promise<Tool[]>;
  callTool(name: string, args?: Record<string, unknown>, options?: CallToolOptions): Promise<CallToolResult>;
  callToolAsTask(name: string, args?: Record<string, unknown>, options?: CallToolAsTaskOptions): Promise<TaskHandle>;
  getTask(taskId: string): Promise<Task>;
  getTaskResult(taskId: string): Promise<CallToolResult>;
  listTasks(cursor?: string | null): Promise<ListTasksResult>;
  cancelTask(taskId: string): Promise<Task>;
  /** Forget this server's tokens (in the worker and in `auth.storage`); see `mcp-tasks-wasm`. */
  signOut(): Promise<void>;
  /** Close the client in the worker, then stop the worker (unless it was passed in
   * `options.worker`). */
  close(): Promise<void>;
  /** `close()` without waiting. */
  free(): void;
  [Symbol.dispose](): void;
}

/**
 * A task followed in the worker; the same members as `mcp-tasks-wasm`'s `TaskHandle`.
 * Its state is the latest the worker sent (snapshots arrive in batches, at most one
 * message per frame for all tasks); the callbacks run on the page.
 */
export class TaskHandle {
  private constructor();
  /** Reattach to a task from a resume token or a bare task id. */
  static resume(client: McpClient, tokenOrTaskId: string, options?: CallToolAsTaskOptions): Promise<TaskHandle>;
  readonly taskId: string;
  readonly isLocal: boolean;
  readonly immediateResponse: string | undefined;
  readonly status: TaskStatus;
  readonly task: Task;
  readonly isDone: boolean;
  readonly polls: number;
  readonly progress: ProgressNotificationParams | undefined;
  result(): Promise<CallToolResult>;
  cancel(): Promise<Task>;
  onStatus(cb: (task: Task) => void): () => void;
  onProgress(cb: (progress: ProgressNotificationParams) => void): () => void;
  updates(): AsyncIterableIterator<Task>;
  serialize(): string;
  /** Stop following the task here and in the worker; `result()` rejects with an
   * `AbortError`. The task keeps running on the server. */
  dispose(): void;
  /** The same as `dispose()`. */
  free(): void;
  [Symbol.dispose](): void;
}
