//! TypeScript declarations for every object that crosses the boundary. The classes'
//! method signatures come from `unchecked_*_type` on the exports; these are the shapes.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** The five task statuses of MCP 2025-11-25. */
export type TaskStatus = "working" | "input_required" | "completed" | "failed" | "cancelled";

/** A task as the server reports it. */
export interface Task {
  taskId: string;
  status: TaskStatus;
  /** Free text from the server: display as text, never as HTML. */
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  /** ms the server keeps the task; null (or absent) is unlimited. */
  ttl?: number | null;
  /** The polling period the server suggests, in ms. */
  pollInterval?: number;
  _meta?: Record<string, unknown>;
}

/** Name and version of a client or server. */
export interface Implementation {
  name: string;
  version: string;
  title?: string;
  [key: string]: unknown;
}

/** What a server can do (`initialize` result). */
export interface ServerCapabilities {
  tasks?: {
    list?: object;
    cancel?: object;
    requests?: { tools?: { call?: object } };
  };
  tools?: { listChanged?: boolean };
  logging?: object;
  [key: string]: unknown;
}

/** A tool from `tools/list`. */
export interface Tool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: { type: "object"; properties?: Record<string, unknown>; required?: string[]; [key: string]: unknown };
  outputSchema?: Record<string, unknown>;
  execution?: { taskSupport?: "forbidden" | "optional" | "required" };
  annotations?: Record<string, unknown>;
  _meta?: Record<string, unknown>;
}

/** One page of `tools/list`. */
export interface ListToolsResult {
  tools: Tool[];
  nextCursor?: string;
}

export interface TextContent { type: "text"; text: string; annotations?: object; _meta?: object }
export interface ImageContent { type: "image"; data: string; mimeType: string; annotations?: object; _meta?: object }
export interface AudioContent { type: "audio"; data: string; mimeType: string; annotations?: object; _meta?: object }
export interface ResourceLink { type: "resource_link"; uri: string; name: string; title?: string; description?: string; mimeType?: string; size?: number; annotations?: object; _meta?: object }
export interface EmbeddedResource {
  type: "resource";
  resource: { uri: string; mimeType?: string; text?: string; blob?: string; _meta?: object };
  annotations?: object;
  _meta?: object;
}
/** A content block of a tool result. */
export type ContentBlock = TextContent | ImageContent | AudioContent | ResourceLink | EmbeddedResource;

/** What a tool call returns. */
export interface CallToolResult {
  content: ContentBlock[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  _meta?: Record<string, unknown>;
}

/** One page of `tasks/list`. */
export interface ListTasksResult {
  tasks: Task[];
  nextCursor?: string;
}

/** `notifications/progress` params. */
export interface ProgressNotificationParams {
  progressToken: string | number;
  progress: number;
  total?: number;
  message?: string;
}

/** `elicitation/create` params. */
export interface ElicitRequestParams {
  message: string;
  requestedSchema?: { type: "object"; properties: Record<string, unknown>; required?: string[] };
  mode?: "form" | "url";
  url?: string;
  _meta?: Record<string, unknown>;
}

/** The answer to an elicitation. */
export interface ElicitResult {
  action: "accept" | "decline" | "cancel";
  content?: Record<string, string | number | boolean | string[]>;
}

/** Context handed to `onElicitation`. */
export interface ElicitationContext {
  /** The task the request belongs to (from the related-task `_meta`), or null. */
  relatedTaskId: string | null;
}

/** A JSON-RPC notification from the server. */
export interface JsonRpcNotification {
  jsonrpc: "2.0";
  method: string;
  params?: Record<string, unknown>;
}

/** Options of `McpClient.connect`. */
export interface ConnectOptions {
  /** Extra headers on every request, e.g. `{ Authorization: "Bearer ..." }`. Never logged. */
  headers?: Record<string, string>;
  /** `clientInfo` for `initialize` (default: this package's name and version). */
  clientInfo?: Implementation;
  /** Per-request timeout in ms (default 60000; 0 turns it off). */
  requestTimeoutMs?: number;
  /** A replacement `fetch` (default: `globalThis.fetch`). */
  fetch?: typeof fetch;
  /** Open the GET stream for server notifications (default true). */
  listen?: boolean;
  /** Answer `elicitation/create`; declares the `elicitation` capability. */
  onElicitation?: (params: ElicitRequestParams, context: ElicitationContext) => ElicitResult | Promise<ElicitResult>;
  /**
   * When `onElicitation` accepts a form, fill each field it left out with the `default`
   * of the form's `requestedSchema` (SEP-1034: strings, numbers, integers, booleans,
   * enums; a default that does not fit its field's type is skipped). Default `true`.
   */
  applyElicitationDefaults?: boolean;
  /** Called with every notification; `context.relatedTaskId` names the task it belongs
   * to (from the related-task `_meta`), or is null. */
  onNotification?: (message: JsonRpcNotification, context: ElicitationContext) => void;
  /** Cap on a JSON reply, in bytes, or on one SSE event, in characters (default 16 MiB). */
  maxResponseBytes?: number;
  /**
   * The protocol generation: `'auto'` (default) probes the endpoint with a 2026-07-28
   * `server/discover` and falls back to the 2025-11-25 `initialize` when the server is a
   * legacy one (the verdict is kept for the client's life); `'2026-07-28'` or
   * `'2025-11-25'` pins one and skips the probe. `client.protocolVersion` says which.
   */
  protocolVersion?: 'auto' | '2026-07-28' | '2025-11-25';
  /**
   * 2026-07-28: how many times one tool call may answer `input_required` (each answered
   * through `onElicitation`, then the call is sent again) before it fails (default 8).
   */
  maxInputRounds?: number;
  /**
   * Tries after the first for a request the server refused without processing it (HTTP
   * 429 or 503, waiting at least its `Retry-After`, up to 30 s) or whose connection
   * failed (a reset, a timeout), with backoff and jitter (default 3; 0 turns it off).
   * `initialize` is retried too. A task's own polls follow the task's retry budget
   * (`maxRetries`) instead.
   */
  maxRequestRetries?: number;
  /**
   * Also send a `tools/call` again when its connection failed before the reply (a reset,
   * a timeout): the tool may then run twice on the server. Default false: such a call
   * rejects with a `TransportError` (status 0). A 429 or 503 is always retried.
   */
  retryUnsafeRequests?: boolean;
  /** `tasks/result` requests the client's handles may hold open at once (default 2). */
  maxHeldResults?: number;
  /**
   * Requests on the wire at once (default 16); the others wait their turn, first come first
   * served, and their `requestTimeoutMs` starts when they are sent (a queued request still
   * rejects at once when its signal aborts or the client closes). Requests that may stay
   * open for as long as a tool runs (a plain `callTool`, `getTaskResult`, a handle's held
   * `tasks/result`) take no slot, so they cannot starve the others.
   */
  maxConcurrentRequests?: number;
  /**
   * Reattach to an existing session (e.g. `token.sessionId` after a page reload) instead of
   * starting one: servers such as the official TypeScript one bind tasks to their session.
   * `initialize` is skipped, so `serverInfo` and `serverCapabilities` are undefined; if the
   * server says the session is gone, a new one is started.
   */
  sessionId?: string;
  /**
   * Sign in to a protected server (OAuth 2.1 as MCP defines it): on HTTP 401 the client
   * discovers the server's authorization server, registers or identifies itself, sends the
   * person through `authorize`, and then sends `Authorization: Bearer` on every request to
   * this server (and nowhere else), refreshing the token before it expires.
   */
  auth?: AuthOptions;
}

/** The `auth` option of `connect()`. */
export interface AuthOptions {
  /**
   * The page step: send the person to `authorizationUrl` and resolve with the whole URL the
   * authorization server sent them back to (`redirectUri?code=...&state=...`). Use
   * `popupAuthorize()` or `redirectAuthorize()` in a page; in Node or tests, any function
   * (e.g. one that follows the URL with `fetch(url, { redirect: 'manual' })`). What it
   * throws rejects the request with an `AuthError` (`authorization_failed`).
   */
  authorize: (authorizationUrl: string) => Promise<string | URL>;
  /** Where the authorization server sends the person back: HTTPS, or `http://localhost`. */
  redirectUri: string;
  /** A pre-registered client id (used before any registration). */
  clientId?: string;
  /** Its secret, for a confidential client (Node; never ship one in a page). */
  clientSecret?: string;
  /** The issuer the pre-registered client belongs to: then it is used there only. */
  clientIssuer?: string;
  /**
   * A Client ID Metadata Document URL (HTTPS, hosted by your app): used as the client id
   * where the authorization server supports them, before Dynamic Client Registration.
   */
  clientMetadataUrl?: string;
  /** `client_name` in a Dynamic Client Registration (default "mcp-tasks-wasm"). */
  clientName?: string;
  /** `application_type` in a registration (default `native` for a loopback redirect, else `web`). */
  applicationType?: 'web' | 'native';
  /**
   * Where tokens, registrations and a sign-in left for a redirect are kept (values are
   * plain JSON objects; each method may return a Promise). Default: memory only (gone
   * with the client). `sessionStorageTokens()` keeps them for the tab.
   */
  storage?: TokenStorage;
}

/** Pluggable storage for `AuthOptions.storage`. */
export interface TokenStorage {
  get(key: string): unknown | Promise<unknown>;
  set(key: string, value: unknown): void | Promise<void>;
  remove(key: string): void | Promise<void>;
}

/** The page step in a popup (call `connect()` from a click); `finishAuthorization()` on the callback page completes it. */
export function popupAuthorize(options?: { width?: number; height?: number; timeoutMs?: number }): (authorizationUrl: string) => Promise<string>;
/** The page step as a full-page redirect; needs `storage: sessionStorageTokens()`, and `connect()` again after coming back. */
export function redirectAuthorize(): (authorizationUrl: string) => Promise<string>;
/** On the callback page (`redirectUri`): hands the result to the popup's opener, or goes back to the page that started signing in. */
export function finishAuthorization(options?: { returnTo?: string }): void;
/** `TokenStorage` over `sessionStorage` (JSON values, keys under `prefix`). */
export function sessionStorageTokens(prefix?: string): TokenStorage;

/** Options of `callToolAsTask` and `TaskHandle.resume`. */
/** Options of `callTool`. */
export interface CallToolOptions {
  /** Aborting rejects the call with an `AbortError` (and stops following its task). */
  signal?: AbortSignal;
  /**
   * Timeout of the `tools/call` request, in ms: a `TransportError` (status 0) past it.
   * None by default (a tool may take its time); a task the call became is then bounded
   * by its ttl and the retry policy.
   */
  timeoutMs?: number;
}

export interface CallToolAsTaskOptions {
  /** `task.ttl` to request, in ms. */
  ttlMs?: number;
  /** Timeout of the `tools/call` request that creates the task, in ms (default
   * `requestTimeoutMs`). */
  timeoutMs?: number;
  /** Aborting stops local polling and rejects `result()` with an `AbortError`. */
  signal?: AbortSignal;
  /** Also send `tasks/cancel` when `signal` aborts (default false). */
  cancelOnAbort?: boolean;
  /** Polling period when the server suggests none (default 1000). */
  pollIntervalMs?: number;
  /** Floor of the polling period (default 100). */
  minPollIntervalMs?: number;
  /** Ceiling of the polling period and of backoff (default 30000). */
  maxPollIntervalMs?: number;
  /** Transient failures in a row tolerated before giving up (default 8). */
  maxRetries?: number;
  /** Called with every new Task snapshot, starting with the first. */
  onStatus?: (task: Task) => void;
}

/*
 * The classes' readonly properties and methods (but for the static ones), merged into the
 * classes declared below. Each getter and method goes through the wasm's one
 * `_op(object, index, ...args)` export, the index being its place here (the properties
 * first, then the methods; `TaskHandle`'s past 32): tools/finish-pkg.mjs defines them from
 * these lists, and `McpClient::op` / `TaskHandle::op` (src/js/mod.rs) answer in the same
 * order.
 */
export interface McpClient {
  /** The server's `serverInfo` from `initialize`. */
  readonly serverInfo: Implementation;
  /** The server's capabilities from `initialize`. */
  readonly serverCapabilities: ServerCapabilities;
  /** The server's `instructions`, if any. */
  readonly instructions: string | undefined;
  /** The negotiated protocol version. */
  readonly protocolVersion: string | undefined;
  /** The session id the server gave, if any. */
  readonly sessionId: string | undefined;
  /** Task handles this client still follows (for dashboards and leak checks). */
  readonly activeTasks: number;
  /**
   * Call a tool and resolve with its `CallToolResult`. A tool whose `taskSupport` is
   * `required` runs as a task and resolves with its final result. `options.signal`
   * aborts it (an `AbortError`), `options.timeoutMs` bounds the `tools/call` request
   * (a `TransportError`; none by default, a tool may take its time).
   */
  callTool(name: string, args?: Record<string, unknown>, options?: CallToolOptions): Promise<CallToolResult>;
  /** Start a tool call as a task and return its handle. */
  callToolAsTask(name: string, args?: Record<string, unknown>, options?: CallToolAsTaskOptions): Promise<TaskHandle>;
  /** One page of `tools/list`. */
  listTools(cursor?: string | null): Promise<ListToolsResult>;
  /** Every page of `tools/list`, as one array. */
  listAllTools(): Promise<Tool[]>;
  /** `tasks/get`: the Task as the server has it now. */
  getTask(taskId: string): Promise<Task>;
  /** `tasks/result`: what the original call returned (waits while the task runs). */
  getTaskResult(taskId: string): Promise<CallToolResult>;
  /** `tasks/list`: one page of the server's tasks. */
  listTasks(cursor?: string | null): Promise<ListTasksResult>;
  /** `tasks/cancel`: resolves with the cancelled Task. */
  cancelTask(taskId: string): Promise<Task>;
  /**
   * Close: abort what is in flight, stop every task handle (their `result()` rejects
   * with an `AbortError`), close the streams and end the session with DELETE.
   */
  close(): Promise<void>;
  /**
   * Sign out: forget this server's tokens (here and in `auth.storage`); a request the
   * server then refuses signs in again.
   */
  signOut(): Promise<void>;
}

export interface TaskHandle {
  /** The task id. */
  readonly taskId: string;
  /**
   * True when the server ran the call as a plain call (no task, e.g. a tool without
   * task support): the handle is already completed, and its `taskId` is the SDK's own,
   * unknown to the server (do not resume it or ask the server about it).
   */
  readonly isLocal: boolean;
  /** The latest status. */
  readonly status: TaskStatus;
  /** The latest Task snapshot. */
  readonly task: Task;
  /** Whether the handle has settled (or was stopped). */
  readonly isDone: boolean;
  /** The `model-immediate-response` text the server sent with the task, if any. */
  readonly immediateResponse: string | undefined;
  /** The latest `notifications/progress` params, if any arrived. */
  readonly progress: ProgressNotificationParams | undefined;
  /** How many `tasks/get` requests this handle has sent. */
  readonly polls: number;
  /** The final `CallToolResult`. Memoized: every call returns the same Promise. */
  result(): Promise<CallToolResult>;
  /** Send `tasks/cancel`; resolves with the cancelled Task. */
  cancel(): Promise<Task>;
  /** Call `cb(task)` on every new snapshot; returns a function that unsubscribes. */
  onStatus(cb: (task: Task) => void): () => void;
  /**
   * Call `cb(progress)` on every `notifications/progress` of this task; returns a
   * function that unsubscribes.
   */
  onProgress(cb: (progress: ProgressNotificationParams) => void): () => void;
  /**
   * Task snapshots for `for await`: the current one, then each change; it ends after
   * the terminal one.
   */
  updates(): AsyncIterableIterator<Task>;
  /** A versioned resume token (JSON text) for `TaskHandle.resume`. */
  serialize(): string;
  /**
   * Stop every timer and request of this handle. An unsettled `result()` rejects with
   * an `AbortError`. The task itself keeps running on the server (see `cancel()`).
   */
  dispose(): void;
}

/*
 * The classes, with the members above merged in: defined in the package's glue by
 * tools/finish-pkg.mjs over the wasm's one `_op` export (src/js/mod.rs), as are their
 * static methods (`McpClient`'s ops past its interface's members).
 */
/** An MCP client connected to one server over Streamable HTTP. */
export class McpClient {
  private constructor();
  /** Drop the wasm's side of this object (also done when it is garbage collected). */
  free(): void;
  [Symbol.dispose](): void;
  /** Connect to `url`: `initialize`, `notifications/initialized`, then the GET stream. */
  static connect(url: string, options?: ConnectOptions): Promise<McpClient>;
}

/** A running task: follow it, await it, cancel it. */
export class TaskHandle {
  private constructor();
  /** Drop the wasm's side of this object (also done when it is garbage collected). */
  free(): void;
  [Symbol.dispose](): void;
  /**
   * Reattach to a task from a resume token or a bare task id, without a new
   * `tools/call`. Against servers that bind tasks to a session (the official
   * TypeScript server), connect the client with `{ sessionId: token.sessionId }`.
   */
  static resume(client: McpClient, tokenOrTaskId: string, options?: CallToolAsTaskOptions): Promise<TaskHandle>;
}

/** Base class of this SDK's errors. */
export class McpTasksError extends Error {
  /** Whether trying again later may succeed (network errors, timeouts, 408, 425, 429,
   * 5xx, a reply cut short); false for every other error. */
  retryable: boolean;
}
/** A JSON-RPC error from the server. */
export class McpError extends McpTasksError { name: "McpError" | "TaskNotFoundError"; code: number; data?: unknown }
/** The server does not know the task (an id it never issued, or one it dropped before
 * its ttl, e.g. with a lost session): the server's JSON-RPC error, usually -32602. */
export class TaskNotFoundError extends McpError { name: "TaskNotFoundError"; taskId: string }
/** HTTP failure: status 0 for network errors and timeouts. */
export class TransportError extends McpTasksError { name: "TransportError"; code: "ERR_TRANSPORT"; status: number; body: string; tries: number }
/** The server broke the protocol. */
export class ProtocolError extends McpTasksError { name: "ProtocolError"; code: "ERR_PROTOCOL"; detail: string }
/** The task ended `failed`; carries its stored result or error. */
export class TaskFailedError extends McpTasksError { name: "TaskFailedError"; code: "ERR_TASK_FAILED"; taskId: string; task: Task; result?: CallToolResult; error?: McpError }
/** The task ended `cancelled`. */
export class TaskCancelledError extends McpTasksError { name: "TaskCancelledError"; code: "ERR_TASK_CANCELLED"; taskId: string; task: Task }
/** The task is gone after its ttl. */
export class TaskExpiredError extends McpTasksError { name: "TaskExpiredError"; code: "ERR_TASK_EXPIRED"; taskId: string; task: Task }
/** Why signing in to a protected server failed: `reason` is stable, the message says what to do. */
export type AuthErrorReason = "metadata_not_found" | "invalid_metadata" | "resource_mismatch" | "issuer_mismatch"
  | "pkce_unsupported" | "no_client" | "registration_failed" | "invalid_redirect_uri" | "authorization_failed"
  | "popup_blocked" | "access_denied" | "state_mismatch" | "iss_mismatch" | "token_failed" | "refresh_failed"
  | "unreachable";
/** Signing in to a protected server failed (`reason`); never holds a token or a code. */
export class AuthError extends McpTasksError { name: "AuthError"; code: "ERR_AUTH"; reason: AuthErrorReason }
"#;
