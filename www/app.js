// The MCP tasks dashboard: connect to a server, start tool calls as tasks, follow them live,
// answer elicitations, and pick the tasks up again after a page reload.
//
// Rules this file keeps:
// - Text from the server (names, descriptions, statusMessage, results, errors) reaches the
//   DOM only through textContent / Text nodes / setAttribute, never as HTML.
// - No inline styles or scripts, no eval: the page runs under a strict CSP.
// - Task callbacks only record data and mark rows dirty; the DOM is written once per
//   animation frame (render()), so hundreds of live tasks stay smooth.

import init, {
  McpClient, TaskHandle, McpError, TransportError, ProtocolError,
  TaskFailedError, TaskCancelledError, TaskExpiredError, TaskNotFoundError,
  AuthError, popupAuthorize, sessionStorageTokens,
} from '../pkg/index.js';

const STORE_KEY = 'mcp-tasks-dashboard/v1';
const MAX_SAVED_TASKS = 2000;
const CLIENT_INFO = { name: 'mcp-tasks-dashboard', version: '0.1.0' };
/** Signing in to protected servers (when no bearer token is typed): a popup on
 * callback.html, the sign-in kept for this tab only. */
const AUTH_PREFIX = 'mcp-tasks-dashboard/auth:';
const AUTH = {
  authorize: popupAuthorize(),
  redirectUri: new URL('callback.html', location.href).href,
  storage: sessionStorageTokens(AUTH_PREFIX),
  clientName: 'MCP tasks dashboard',
};
const signedIn = () => !!state.url && !state.token && sessionStorage.getItem(`${AUTH_PREFIX}tokens:${state.url}`) !== null;
/** Options of every task handle: give up polling after a few failures (a few seconds), so
 * a dead server shows at once; the page's own recovery loop then resumes the task. */
const HANDLE_OPTIONS = { maxRetries: 4 };

// ---------------------------------------------------------------------------
// DOM helpers
// ---------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);

/** Create an element. Children that are strings become Text nodes (never parsed as HTML). */
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) node.append(child);
  }
  return node;
}

/** Write text only when it changed (cheap re-renders). */
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

const ui = {
  connState: $('conn-state'),
  banner: $('banner'),
  bannerText: $('banner-text'),
  bannerRetry: $('banner-retry'),
  bannerStop: $('banner-stop'),
  bannerClose: $('banner-close'),
  connectForm: $('connect-form'),
  url: $('server-url'),
  urlError: $('server-url-error'),
  urlHint: $('server-url-hint'),
  token: $('token'),
  connectBtn: $('connect-btn'),
  disconnectBtn: $('disconnect-btn'),
  signOutBtn: $('signout-btn'),
  serverInfo: $('server-info'),
  infoName: $('info-name'),
  infoVersion: $('info-version'),
  infoProtocol: $('info-protocol'),
  infoSession: $('info-session'),
  infoCaps: $('info-caps'),
  inputs: $('inputs'),
  elicitations: $('elicitations'),
  toolsEmpty: $('tools-empty'),
  toolList: $('tool-list'),
  summary: $('task-summary'),
  clearFinished: $('clear-finished'),
  taskRows: $('task-rows'),
  detail: $('detail'),
  detailH: $('detail-h'),
  detailMeta: $('detail-meta'),
  detailBody: $('detail-body'),
  detailRaw: $('detail-raw'),
  detailClose: $('detail-close'),
  refreshTasks: $('refresh-tasks'),
  serverTasksNote: $('server-tasks-note'),
  serverTaskRows: $('server-task-rows'),
  moreTasks: $('more-tasks'),
  announcer: $('announcer'),
};

/** Tell screen-reader users about something that happened away from their focus. */
function announce(text) {
  ui.announcer.textContent = '';
  // A new text node in a fresh task, so the same message twice is read twice.
  setTimeout(() => { ui.announcer.textContent = text; }, 50);
}

// ---------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------

const state = {
  client: null,
  url: '',
  token: '',
  sessionId: null,
  serverInfo: null,
  capabilities: null,
  protocolVersion: null,
  tools: [],
  listCursor: null,
  connecting: false,
};

/** taskId -> row. A row is the page's view of one task. */
const rows = new Map();

// Row phases: 'live' (a handle follows it), 'resuming', 'unreachable' (will resume when the
// server answers again), 'lost' (the server no longer knows it), 'done' (terminal, outcome
// known), 'stopped' (no longer followed: disconnected), 'error'.

function newRow({ taskId, tool, args, startedAt, task = null, local = false }) {
  const row = {
    taskId, tool, args, startedAt, task, local,
    phase: 'resuming', handle: null, token: null, progress: null, polls: 0, asking: false, askedBeforeReload: false,
    outcome: null, summary: '', endedAt: null, cancelling: false, note: '', dom: null,
  };
  rows.set(taskId, row);
  markDirty(row);
  scheduleSave();
  return row;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const isTerminal = (status) => TERMINAL.has(status);

/** What the status column shows: the server's status, or the page's own view of the row. */
function displayStatus(row) {
  if (row.phase === 'lost' || row.phase === 'unreachable' || row.phase === 'resuming' || row.phase === 'error' || row.phase === 'stopped') return row.phase;
  if (row.outcome?.kind === 'expired') return 'expired';
  return row.task?.status ?? 'resuming';
}

const STATUS_TEXT = {
  working: ['●', 'working'],
  input_required: ['?', 'input required'],
  completed: ['✓', 'completed'],
  failed: ['✗', 'failed'],
  cancelled: ['⊘', 'cancelled'],
  expired: ['⌛', 'expired'],
  resuming: ['↻', 'resuming…'],
  unreachable: ['!', 'unreachable'],
  lost: ['∅', 'lost'],
  stopped: ['■', 'not followed'],
  error: ['!', 'error'],
};

// ---------------------------------------------------------------------------
// Rendering: one pass per animation frame over the rows that changed
// ---------------------------------------------------------------------------

const dirty = new Set();
let frame = 0;
let summaryDirty = true;
/** Render passes so far (read by the end-to-end test to check batching). */
const stats = { renders: 0, rowUpdates: 0, maxRenderMs: 0, maxRowsPerRender: 0 };
window.__dashboardStats = stats;

function markDirty(row) {
  dirty.add(row);
  summaryDirty = true;
  if (!frame) frame = requestAnimationFrame(render);
}

function render() {
  frame = 0;
  const started = performance.now();
  stats.renders++;
  stats.maxRowsPerRender = Math.max(stats.maxRowsPerRender, dirty.size);
  const fresh = [];
  const now = Date.now();
  for (const row of dirty) {
    if (!rows.has(row.taskId)) continue;
    if (!row.dom) {
      row.dom = buildRow(row);
      fresh.push(row.dom.tr);
    }
    updateRow(row, now);
    stats.rowUpdates++;
  }
  dirty.clear();
  if (fresh.length) {
    // Newest first.
    const fragment = document.createDocumentFragment();
    for (let i = fresh.length - 1; i >= 0; i--) fragment.append(fresh[i]);
    ui.taskRows.prepend(fragment);
  }
  if (summaryDirty) {
    summaryDirty = false;
    renderSummary();
  }
  stats.maxRenderMs = Math.max(stats.maxRenderMs, performance.now() - started);
}

function shortId(id) {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

function buildRow(row) {
  const d = {};
  d.tr = h('tr', { dataset: { taskId: row.taskId, tool: row.tool } });
  d.id = row.local
    ? h('span', { class: 'muted', title: 'The tool does not run as a task: it was a plain call.', text: 'plain call' })
    : h('code', { title: row.taskId, text: shortId(row.taskId) });
  d.argsText = h('span', { class: 'args' });
  d.icon = h('span', { class: 'icon', 'aria-hidden': 'true' });
  d.statusText = h('span', { class: 'status-text' });
  d.status = h('span', { class: 'status' }, d.icon, d.statusText);
  d.msg = h('span', { class: 'msg' });
  d.outcome = h('span', { class: 'outcome' });
  d.bar = h('progress', { max: '1', 'aria-label': `Progress of task ${shortId(row.taskId)}`, hidden: true });
  d.barText = h('span', { class: 'bar-text' });
  d.elapsed = h('td', { class: 'num' });
  d.polls = h('td', { class: 'num' });
  d.cancel = h('button', { type: 'button', class: 'small', dataset: { action: 'cancel' }, 'aria-label': `Cancel task ${shortId(row.taskId)}`, text: 'Cancel' });
  d.view = h('button', { type: 'button', class: 'small', dataset: { action: 'view' } });
  d.tr.append(
    h('td', { class: 'id' }, d.id),
    h('td', { class: 'tool' }, h('span', { class: 'tool-name', text: row.tool }), d.argsText),
    h('td', {}, d.status),
    h('td', { class: 'message' }, d.msg, d.outcome),
    h('td', { class: 'progress' }, d.bar, d.barText),
    d.elapsed,
    d.polls,
    h('td', {}, h('div', { class: 'actions' }, d.cancel, d.view)),
  );
  const args = argsSummary(row.args);
  setText(d.argsText, args.short);
  if (args.full) d.argsText.title = args.full;
  return d;
}

function argsSummary(args) {
  let text = '';
  try { text = args === undefined ? '' : JSON.stringify(args) ?? ''; } catch { /* not JSON */ }
  if (text === '{}') text = '';
  return { short: text.length > 80 ? `${text.slice(0, 79)}…` : text, full: text.length > 500 ? `${text.slice(0, 499)}…` : text };
}

function formatElapsed(ms) {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

function updateRow(row, now) {
  const d = row.dom;
  const status = displayStatus(row);
  if (d.tr.dataset.status !== status) d.tr.dataset.status = status;
  const [icon, label] = STATUS_TEXT[status] ?? ['•', status];
  setText(d.icon, icon);
  setText(d.statusText, row.cancelling ? `${label} (cancelling…)` : label);

  setText(d.msg, row.task?.statusMessage ?? '');
  setText(d.outcome, row.note || inputNote(row, status) || row.summary || '');

  const p = row.progress;
  if (p && typeof p.progress === 'number') {
    d.bar.hidden = false;
    if (typeof p.total === 'number' && p.total > 0) {
      d.bar.max = p.total;
      d.bar.value = Math.min(p.progress, p.total);
      setText(d.barText, `${p.progress}/${p.total}`);
    } else {
      d.bar.removeAttribute('value');
      setText(d.barText, String(p.progress));
    }
  } else if (!d.bar.hidden) {
    d.bar.hidden = true;
    setText(d.barText, '');
  }

  const end = row.endedAt ?? (row.task || row.handle ? now : null);
  setText(d.elapsed, end === null ? '—' : formatElapsed(end - row.startedAt));
  if (row.handle) {
    try { row.polls = row.handle.polls; } catch { /* freed */ }
  }
  setText(d.polls, String(row.polls));

  const canCancel = !row.local && !isTerminal(row.task?.status)
    && (row.phase === 'live' || row.phase === 'unreachable')
    && state.client !== null && state.capabilities?.tasks?.cancel !== undefined;
  d.cancel.hidden = !canCancel && !row.cancelling;
  d.cancel.disabled = row.cancelling;

  const viewLabel = viewLabelOf(row, status);
  d.view.hidden = viewLabel === null;
  if (viewLabel !== null) {
    setText(d.view, viewLabel);
    const aria = `${viewLabel} of task ${shortId(row.taskId)}`;
    if (d.view.getAttribute('aria-label') !== aria) d.view.setAttribute('aria-label', aria);
  }
}

function inputNote(row, status) {
  if (status !== 'input_required') return '';
  if (row.asking) return 'Waiting for your answer under “Input needed”.';
  if (row.askedBeforeReload) {
    return 'The server asked its question before the page was reloaded and does not ask again: cancel this task and start a new one.';
  }
  return 'Waiting for the server’s question…';
}

function viewLabelOf(row, status) {
  if (status === 'completed') return 'View result';
  if (status === 'failed') return 'View error';
  if (status === 'cancelled' || status === 'expired' || status === 'lost' || status === 'error') return 'Details';
  return null;
}

function renderSummary() {
  if (rows.size === 0) {
    setText(ui.summary, 'No tasks yet.');
    ui.clearFinished.hidden = true;
    return;
  }
  const counts = new Map();
  for (const row of rows.values()) {
    const s = displayStatus(row);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  const parts = [];
  for (const key of Object.keys(STATUS_TEXT)) {
    if (counts.has(key)) parts.push(`${counts.get(key)} ${STATUS_TEXT[key][1].replace('…', '')}`);
  }
  setText(ui.summary, `${rows.size} task${rows.size === 1 ? '' : 's'}: ${parts.join(', ')}`);
  ui.clearFinished.hidden = false;
}

// Elapsed time and poll counts move without any event: refresh unfinished rows every second.
setInterval(() => {
  for (const row of rows.values()) {
    if (row.endedAt === null && row.dom) markDirty(row);
  }
}, 1000);

// ---------------------------------------------------------------------------
// Saving (sessionStorage): the connection and every row, for a reload
// ---------------------------------------------------------------------------

let saveTimer = 0;

/** Save soon (at most once a second: with hundreds of rows a save is not free). Called when
 * something a reload needs changed: a row, its status, its resume token. */
function scheduleSave() {
  if (!saveTimer) saveTimer = setTimeout(saveNow, 1000);
}

function saveNow() {
  clearTimeout(saveTimer);
  saveTimer = 0;
  if (!state.url) return;
  const tasks = [];
  for (const row of rows.values()) {
    tasks.push({
      taskId: row.taskId,
      tool: row.tool,
      args: row.args,
      startedAt: row.startedAt,
      endedAt: row.endedAt,
      task: row.task,
      token: row.token,
      phase: row.phase,
      polls: row.polls,
      progress: row.progress,
      summary: row.summary,
      outcomeKind: row.outcome?.kind ?? null,
      local: row.local,
    });
  }
  const data = {
    disconnected: state.client === null && !state.connecting && !recovery.active,
    url: state.url,
    token: state.token,
    sessionId: state.sessionId,
    serverInfo: state.serverInfo,
    capabilities: state.capabilities,
    protocolVersion: state.protocolVersion,
    tasks: tasks.slice(-MAX_SAVED_TASKS),
  };
  try {
    sessionStorage.setItem(STORE_KEY, JSON.stringify(data));
  } catch {
    // Storage full or disabled: the page still works, a reload just forgets.
  }
}

function loadSaved() {
  try {
    const raw = sessionStorage.getItem(STORE_KEY);
    if (!raw) return null;
    const data = JSON.parse(raw);
    return data && typeof data.url === 'string' ? data : null;
  } catch {
    return null;
  }
}

function forgetSession() {
  state.sessionId = null;
  for (const row of rows.values()) row.token = null;
  saveNow();
}

addEventListener('pagehide', saveNow);

// ---------------------------------------------------------------------------
// Errors in plain words
// ---------------------------------------------------------------------------

const isAbort = (err) => err?.name === 'AbortError';

/** { text, retry }: what went wrong for a person, and whether waiting may fix it. */
function describeError(err) {
  if (isAbort(err)) return { text: 'The request was stopped.', retry: false };
  if (err instanceof TransportError) {
    const s = err.status;
    if (s === 0) {
      return {
        text: `Cannot reach the server at ${state.url}. It may be down or restarting, the address may be wrong, or this page's security policy may not allow it.`,
        retry: true,
      };
    }
    if (s === 401) return { text: 'The server refused the request (HTTP 401 Unauthorized): the bearer token is missing, wrong or expired. Enter a valid token and connect again.', retry: false };
    if (s === 403) return { text: 'The server refused the request (HTTP 403 Forbidden): this token may not use it.', retry: false };
    if (s === 404 || s === 405) return { text: `No MCP endpoint answers at ${state.url} (HTTP ${s}). Check the address: it usually ends in /mcp.`, retry: false };
    // The SDK says which failures may pass (408, 425, 429, 5xx).
    if (err.retryable) return { text: `The server is having trouble (HTTP ${s}).`, retry: true };
    return { text: `The server answered HTTP ${s}: ${err.message}`, retry: false };
  }
  if (err instanceof AuthError) return { text: `Signing in to the server failed (${err.reason}): ${err.message}`, retry: false };
  if (err instanceof McpError) return { text: `The server answered with error ${err.code}: ${err.message}`, retry: false };
  if (err instanceof ProtocolError) return { text: `The server sent something this page does not understand: ${err.detail ?? err.message}`, retry: false };
  if (err instanceof TaskFailedError) return { text: failureText(err), retry: false };
  if (err instanceof TaskCancelledError) return { text: 'The task was cancelled.', retry: false };
  if (err instanceof TaskExpiredError) return { text: 'The task expired: the server no longer keeps it.', retry: false };
  return { text: `Unexpected error: ${err?.message ?? String(err)}`, retry: false };
}

/** The words of a failed task: its stored error result, or its JSON-RPC error. */
function failureText(err) {
  const text = firstText(err.result);
  if (text) return text;
  if (err.error) return `${err.error.message} (code ${err.error.code})`;
  return err.message || 'The task failed.';
}

function firstText(result) {
  const block = Array.isArray(result?.content) ? result.content.find((c) => c?.type === 'text') : undefined;
  return typeof block?.text === 'string' ? block.text : '';
}

function oneLine(text, max = 120) {
  const line = String(text).replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

// ---------------------------------------------------------------------------
// Banner and connection state
// ---------------------------------------------------------------------------

function showBanner(text, { retry = false, stop = false, kind = 'error' } = {}) {
  setText(ui.bannerText, text);
  ui.banner.dataset.kind = kind;
  ui.bannerRetry.hidden = !retry;
  ui.bannerStop.hidden = !stop;
  ui.banner.hidden = false;
}

function hideBanner() {
  ui.banner.hidden = true;
}

function setConnState(kind, text) {
  ui.connState.dataset.state = kind;
  setText(ui.connState, text);
}

function updateConnectButtons() {
  // One server per session: to change the URL or the token, disconnect first.
  const connected = state.client !== null;
  ui.connectBtn.hidden = connected;
  ui.connectBtn.disabled = state.connecting;
  ui.disconnectBtn.hidden = !connected;
  ui.signOutBtn.hidden = !connected || !signedIn();
  ui.url.readOnly = connected || state.connecting;
  ui.token.readOnly = connected || state.connecting;
  setText(ui.urlHint, connected ? 'Connected. Disconnect to use another server or token.' : 'The MCP endpoint, e.g. http://127.0.0.1:8787/mcp');
  ui.refreshTasks.disabled = !connected;
}

// ---------------------------------------------------------------------------
// Connecting
// ---------------------------------------------------------------------------

function clientOptions(sessionId) {
  const options = { clientInfo: CLIENT_INFO, onElicitation, onNotification };
  if (state.token) options.headers = { Authorization: `Bearer ${state.token}` };
  else options.auth = AUTH;
  if (sessionId) options.sessionId = sessionId;
  return options;
}

/** The URL the user typed, checked; throws an Error with a plain message. */
function parseServerUrl(text) {
  const raw = text.trim();
  if (!raw) throw new Error('Enter the server URL, for example http://127.0.0.1:8787/mcp.');
  let url;
  try {
    url = new URL(raw, location.href);
  } catch {
    throw new Error(`"${raw}" is not a valid URL. Use the form http://host:port/mcp.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`The URL must start with http:// or https:// (got ${url.protocol}).`);
  }
  url.hash = '';
  return url.href;
}

function showUrlError(text) {
  ui.urlError.hidden = !text;
  setText(ui.urlError, text ?? '');
  if (text) ui.url.setAttribute('aria-invalid', 'true');
  else ui.url.removeAttribute('aria-invalid');
}

async function openClient(sessionId) {
  const client = await McpClient.connect(state.url, clientOptions(sessionId));
  state.client = client;
  updateConnectButtons();
  return client;
}

/** After a (re)connect: note the session, show the server, load the tools. */
async function afterConnect(previousSession) {
  const client = state.client;
  await loadTools(); // also the first real request on a reattached session
  const sid = client.sessionId ?? null;
  const info = client.serverInfo;
  if (info) {
    state.serverInfo = info;
    state.capabilities = client.serverCapabilities ?? null;
    state.protocolVersion = client.protocolVersion ?? null;
  }
  if (previousSession && sid !== previousSession) {
    showBanner('The previous session has ended on the server (it may have restarted or dropped it), so a new session was started. Its running tasks could not be picked up again: they are marked lost.', { kind: 'warning' });
    announce('The previous session ended; a new one was started.');
    state.sessionId = sid;
    for (const row of rows.values()) {
      if (row.phase === 'resuming' || row.phase === 'unreachable') markLost(row);
    }
  }
  state.sessionId = sid;
  renderServerInfo();
  setConnState('online', `Connected to ${state.serverInfo?.name ?? state.url}${signedIn() ? ' (signed in)' : ''}`);
  updateConnectButtons();
  saveNow();
}

async function connectFresh() {
  let url;
  try {
    url = parseServerUrl(ui.url.value);
  } catch (err) {
    showUrlError(err.message);
    ui.url.focus();
    return;
  }
  showUrlError(null);
  stopRecovery();
  hideBanner();
  if (state.client) await closeClient();
  const changed = url !== state.url;
  state.url = url;
  state.token = ui.token.value.trim();
  state.sessionId = null;
  if (changed) {
    state.serverInfo = null;
    state.capabilities = null;
  }
  state.connecting = true;
  updateConnectButtons();
  setConnState('connecting', `Connecting to ${url}…`);
  try {
    await openClient(null);
    await afterConnect(null);
    refreshServerTasks(false);
  } catch (err) {
    connectFailed(err);
  } finally {
    state.connecting = false;
    updateConnectButtons();
  }
}

function connectFailed(err) {
  const info = describeError(err);
  if (info.retry) {
    startRecovery(err);
  } else {
    setConnState('error', 'Not connected');
    showBanner(info.text);
    if (err instanceof TransportError && (err.status === 401 || err.status === 403)) ui.token.focus();
  }
}

async function closeClient() {
  const client = state.client;
  state.client = null;
  updateConnectButtons();
  if (!client) return;
  try {
    await client.close();
  } catch {
    // Closing is best effort: the server forgets idle sessions anyway.
  }
}

async function disconnect() {
  stopRecovery();
  hideBanner();
  await closeClient();
  forgetSession();
  ui.toolList.replaceChildren();
  ui.toolsEmpty.hidden = false;
  ui.serverTaskRows.replaceChildren();
  ui.moreTasks.hidden = true;
  for (const row of rows.values()) {
    if (!isTerminal(row.task?.status) && row.phase !== 'lost') {
      row.phase = 'stopped';
      row.token = null;
      row.endedAt ??= Date.now();
      markDirty(row);
    }
  }
  setConnState('idle', 'Disconnected. The session ended, so its running tasks stopped.');
  announce('Disconnected.');
}

/** Reattach after a reload: same session, then resume every task that was running. */
async function restore(saved) {
  state.url = saved.url;
  state.token = saved.token ?? '';
  state.sessionId = saved.sessionId ?? null;
  state.serverInfo = saved.serverInfo ?? null;
  state.capabilities = saved.capabilities ?? null;
  state.protocolVersion = saved.protocolVersion ?? null;
  ui.url.value = saved.url;
  ui.token.value = state.token;
  for (const t of saved.tasks ?? []) {
    if (!t || typeof t.taskId !== 'string') continue;
    const row = newRow({ taskId: t.taskId, tool: t.tool ?? '?', args: t.args, startedAt: t.startedAt ?? Date.now(), task: t.task ?? null, local: !!t.local });
    row.polls = t.polls ?? 0;
    row.progress = t.progress ?? null;
    row.summary = t.summary ?? '';
    row.endedAt = t.endedAt ?? null;
    row.token = t.token ?? null;
    if (t.outcomeKind) row.outcome = { kind: t.outcomeKind, restored: true };
    row.askedBeforeReload = t.task?.status === 'input_required';
    const live = t.phase === 'live' || t.phase === 'resuming' || t.phase === 'unreachable';
    row.phase = live ? 'resuming' : t.phase ?? 'done';
  }
  if (state.serverInfo) renderServerInfo();
  if (saved.disconnected) {
    // The user disconnected before the reload: show the history, do not connect.
    for (const row of rows.values()) {
      if (row.phase === 'resuming') {
        row.phase = 'stopped';
        row.endedAt ??= Date.now();
      }
    }
    setConnState('idle', 'Not connected');
    updateConnectButtons();
    return;
  }
  state.connecting = true;
  updateConnectButtons();
  setConnState('connecting', 'Reconnecting to the saved session…');
  const previous = state.sessionId;
  try {
    await openClient(previous);
    await afterConnect(previous);
    resumeWaiting();
    refreshServerTasks(false);
  } catch (err) {
    connectFailed(err);
  } finally {
    state.connecting = false;
    updateConnectButtons();
  }
}

// ---------------------------------------------------------------------------
// Recovery: retry with backoff until the server answers again
// ---------------------------------------------------------------------------

const recovery = { active: false, wake: null, attempt: 0 };

function startRecovery(reason) {
  if (recovery.active) return;
  recovery.active = true;
  recovery.attempt = 0;
  runRecovery(reason);
}

function stopRecovery() {
  recovery.active = false;
  recovery.wake?.();
}

function wakeRecovery() {
  recovery.attempt = 0;
  recovery.wake?.();
}

function pause(ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      recovery.wake = null;
      resolve();
    }
    recovery.wake = done;
  });
}

async function runRecovery(reason) {
  let info = describeError(reason);
  while (recovery.active) {
    const delay = Math.min(1000 * 2 ** recovery.attempt, 15_000);
    recovery.attempt++;
    setConnState('offline', 'Server unreachable: retrying');
    showBanner(`${info.text} Retrying in ${Math.round(delay / 1000)} s.`, { retry: true, stop: true });
    await pause(delay);
    if (!recovery.active) return;
    setText(ui.bannerText, `${info.text} Retrying now…`);
    try {
      const previous = state.sessionId;
      if (!state.client) await openClient(previous);
      await afterConnect(previous);
      break;
    } catch (err) {
      info = describeError(err);
      if (!info.retry) {
        recovery.active = false;
        setConnState('error', 'Not connected');
        showBanner(info.text);
        return;
      }
    }
  }
  if (!recovery.active) return;
  recovery.active = false;
  if (ui.banner.dataset.kind === 'error') hideBanner();
  announce('The server answers again.');
  resumeWaiting();
  refreshServerTasks(false);
}

addEventListener('online', wakeRecovery);

// A URL this page's Content-Security-Policy does not allow fails like a dead server; the
// browser says why in a securitypolicyviolation event. Retrying cannot help then.
document.addEventListener('securitypolicyviolation', (event) => {
  if (event.effectiveDirective !== 'connect-src' || !state.url) return;
  let blocked;
  try {
    blocked = new URL(event.blockedURI).origin;
  } catch {
    return;
  }
  if (blocked !== new URL(state.url).origin) return;
  stopRecovery();
  setConnState('error', 'Not connected');
  showBanner(`This page's security policy (CSP connect-src) does not allow connecting to ${blocked}. Open the dashboard from that server, or use a server the policy allows.`);
});

// ---------------------------------------------------------------------------
// Server info and tools
// ---------------------------------------------------------------------------

function renderServerInfo() {
  const info = state.serverInfo;
  ui.serverInfo.hidden = false;
  setText(ui.infoName, info ? (info.title ? `${info.title} (${info.name})` : info.name ?? '?') : 'unknown');
  setText(ui.infoVersion, info?.version ?? 'unknown');
  setText(ui.infoProtocol, state.protocolVersion ?? 'unknown');
  setText(ui.infoSession, state.sessionId ?? 'none');
  const tasks = state.capabilities?.tasks;
  const caps = [
    ['Tool calls as tasks', tasks?.requests?.tools?.call !== undefined],
    ['List tasks (tasks/list)', tasks?.list !== undefined],
    ['Cancel tasks (tasks/cancel)', tasks?.cancel !== undefined],
  ];
  ui.infoCaps.replaceChildren(...caps.map(([label, yes]) =>
    h('li', { class: yes ? 'yes' : 'no' }, h('span', { 'aria-hidden': 'true', text: yes ? '✓ ' : '✗ ' }), `${label}: ${yes ? 'yes' : 'no'}`)));
}

async function loadTools() {
  const tools = await state.client.listAllTools();
  state.tools = tools;
  renderTools(tools);
}

function taskSupportOf(tool) {
  const s = tool?.execution?.taskSupport;
  return s === 'optional' || s === 'required' ? s : 'forbidden';
}

/** The starting arguments: each property's default. */
function defaultArgs(schema) {
  const out = {};
  for (const [key, prop] of Object.entries(schema?.properties ?? {})) {
    if (prop && typeof prop === 'object' && 'default' in prop) out[key] = prop.default;
  }
  return out;
}

function describeProp(key, prop, required) {
  const parts = [];
  const type = Array.isArray(prop?.type) ? prop.type.join(' or ') : prop?.type;
  if (type) parts.push(type);
  if (required) parts.push('required');
  if (prop && 'default' in prop) parts.push(`default ${JSON.stringify(prop.default)}`);
  if (Array.isArray(prop?.enum)) parts.push(`one of ${prop.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  const desc = typeof prop?.description === 'string' ? ` — ${prop.description}` : '';
  return `${key} (${parts.join(', ')})${desc}`;
}

function renderTools(tools) {
  const open = new Set([...ui.toolList.querySelectorAll('details[open]')].map((d) => d.dataset.tool));
  ui.toolsEmpty.hidden = tools.length > 0;
  if (!tools.length) setText(ui.toolsEmpty, 'This server offers no tools.');
  const taskCalls = state.capabilities?.tasks?.requests?.tools?.call !== undefined || !state.capabilities;
  ui.toolList.replaceChildren(...tools.map((tool, i) => toolCard(tool, i, open.has(tool.name), taskCalls)));
}

function toolCard(tool, i, open, taskCalls) {
  const support = taskSupportOf(tool);
  const asTask = taskCalls && support !== 'forbidden';
  const base = `tool-${i}`;
  const schema = tool.inputSchema ?? { type: 'object' };
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const props = Object.entries(schema.properties ?? {});

  const textarea = h('textarea', {
    id: `${base}-args`, rows: Math.min(8, Math.max(3, props.length + 2)), spellcheck: 'false',
    'aria-describedby': `${base}-hint ${base}-errors`, class: 'mono',
  });
  textarea.value = JSON.stringify(defaultArgs(schema), null, 2);
  const errors = h('ul', { id: `${base}-errors`, class: 'field-error', hidden: true });
  const copies = h('input', { id: `${base}-copies`, type: 'number', min: '1', max: '1000', step: '1', value: '1', class: 'copies' });
  const output = h('output', { class: 'start-status', for: `${base}-args`, 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary', text: asTask ? 'Start task' : 'Call tool' });

  const form = h('form', { class: 'tool-form', novalidate: true },
    h('label', { for: `${base}-args`, text: 'Arguments (JSON)' }),
    textarea,
    h('div', { id: `${base}-hint`, class: 'hint' },
      props.length
        ? h('ul', { class: 'props' }, props.map(([k, p]) => h('li', { text: describeProp(k, p, required.has(k)) })))
        : 'No arguments.'),
    errors,
    h('div', { class: 'start-row' },
      h('label', { for: `${base}-copies`, text: 'Copies' }), copies, submit),
    output,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    startFromForm(tool, { textarea, errors, copies, output, submit });
  });

  const supportText = { forbidden: 'no task', optional: 'task optional', required: 'task required' }[support];
  return h('details', { class: 'tool', dataset: { tool: tool.name }, open },
    h('summary', {},
      h('span', { class: 'tool-name', text: tool.title ? `${tool.title} (${tool.name})` : tool.name }),
      ' ',
      h('span', { class: `badge ts-${support}`, title: `execution.taskSupport: ${support}`, text: supportText })),
    tool.description ? h('p', { class: 'tool-desc', text: tool.description }) : null,
    form);
}

function showFormErrors(ctl, messages) {
  ctl.errors.replaceChildren(...messages.map((m) => h('li', { text: m })));
  ctl.errors.hidden = messages.length === 0;
  if (messages.length) ctl.textarea.setAttribute('aria-invalid', 'true');
  else ctl.textarea.removeAttribute('aria-invalid');
}

async function startFromForm(tool, ctl) {
  if (!state.client) {
    showFormErrors(ctl, ['Connect to a server first.']);
    return;
  }
  let args;
  const text = ctl.textarea.value.trim() || '{}';
  try {
    args = JSON.parse(text);
  } catch (err) {
    showFormErrors(ctl, [`The arguments are not valid JSON: ${err.message}`]);
    ctl.textarea.focus();
    return;
  }
  const problems = validate(tool.inputSchema ?? { type: 'object' }, args, 'arguments');
  if (problems.length) {
    showFormErrors(ctl, problems);
    ctl.textarea.focus();
    return;
  }
  showFormErrors(ctl, []);
  const n = Math.max(1, Math.min(1000, Math.floor(Number(ctl.copies.value)) || 1));
  ctl.output.textContent = n > 1 ? `Starting ${n} tasks…` : 'Starting…';
  delete ctl.output.dataset.taskId;
  // A few at a time: a browser opens at most 6 connections to a server anyway, and 500
  // fetches created in one go would freeze the page for a moment.
  const results = await pool(n, 6, () => startOne(tool, args), (done) => {
    if (n > 1) ctl.output.textContent = `Starting ${n} tasks… ${done} started.`;
  });
  const started = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  const failed = results.find((r) => r.status === 'rejected');
  if (started.length) ctl.output.dataset.taskId = started[started.length - 1].taskId;
  if (failed) {
    const info = describeError(failed.reason);
    ctl.output.textContent = `${started.length ? `Started ${started.length} of ${n}. ` : ''}Could not start: ${info.text}`;
    ctl.output.dataset.state = 'error';
    if (info.retry) startRecovery(failed.reason);
  } else {
    ctl.output.dataset.state = 'ok';
    const last = started[started.length - 1];
    ctl.output.textContent = n === 1
      ? (last.local ? `Called ${tool.name} (not as a task).` : `Started task ${last.taskId}.`)
      : `Started ${n} tasks.`;
  }
}

/** Run `job` n times, at most `width` at once; resolves like Promise.allSettled. */
async function pool(n, width, job, onProgress) {
  const results = new Array(n);
  let next = 0;
  let done = 0;
  async function lane() {
    while (next < n) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await job() };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
      done++;
      if (done % 25 === 0) onProgress(done);
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, n) }, lane));
  return results;
}

async function startOne(tool, args) {
  const startedAt = Date.now();
  const handle = await state.client.callToolAsTask(tool.name, args, HANDLE_OPTIONS);
  const local = handle.isLocal;
  const row = newRow({ taskId: handle.taskId, tool: tool.name, args, startedAt, local });
  adoptHandle(row, handle);
  if (!local) scheduleListRefresh();
  return row;
}

// ---------------------------------------------------------------------------
// Following tasks
// ---------------------------------------------------------------------------

function adoptHandle(row, handle) {
  row.handle = handle;
  row.phase = 'live';
  row.note = '';
  row.endedAt = null;
  row.task = handle.task;
  if (row.startedAt === undefined) row.startedAt = Date.parse(row.task.createdAt) || Date.now();
  if (!row.local && !isTerminal(row.task.status)) {
    try { row.token = handle.serialize(); } catch { row.token = null; }
  }
  handle.onStatus((task) => {
    row.task = task;
    markDirty(row);
    scheduleSave();
  });
  handle.onProgress((progress) => {
    row.progress = progress;
    markDirty(row);
  });
  handle.result().then(
    (result) => settleRow(row, handle, { kind: 'result', result }),
    (error) => settleRow(row, handle, outcomeOfError(error)),
  );
  markDirty(row);
  scheduleSave();
}

function outcomeOfError(error) {
  if (error instanceof TaskFailedError) return { kind: 'failed', error };
  if (error instanceof TaskCancelledError) return { kind: 'cancelled', error };
  if (error instanceof TaskExpiredError) return { kind: 'expired', error };
  if (error instanceof TaskNotFoundError) return { kind: 'lost', error };
  if (isAbort(error)) return { kind: 'stopped', error };
  if (describeError(error).retry) return { kind: 'unreachable', error };
  return { kind: 'error', error };
}

function settleRow(row, handle, outcome) {
  if (row.handle !== handle) return;
  try {
    row.polls = handle.polls;
    row.task = handle.task;
  } catch { /* already freed */ }
  row.handle = null;
  row.note = '';
  switch (outcome.kind) {
    case 'result':
      row.phase = 'done';
      row.outcome = outcome;
      row.summary = firstText(outcome.result) ? `Result: ${oneLine(firstText(outcome.result))}` : 'Result ready.';
      break;
    case 'failed':
      row.phase = 'done';
      row.outcome = outcome;
      row.summary = `Error: ${oneLine(failureText(outcome.error))}`;
      break;
    case 'cancelled':
      row.phase = 'done';
      row.outcome = outcome;
      row.summary = '';
      break;
    case 'expired':
      row.phase = 'done';
      row.outcome = outcome;
      row.summary = 'The server no longer keeps this task.';
      break;
    case 'lost':
      markLost(row);
      break;
    case 'unreachable':
      row.phase = 'unreachable';
      row.note = 'The server did not answer; following again when it does.';
      startRecovery(outcome.error);
      break;
    case 'stopped':
      row.phase = 'stopped';
      row.token = null;
      row.endedAt = Date.now();
      break;
    default:
      row.phase = 'error';
      row.endedAt = Date.now();
      row.outcome = outcome;
      row.summary = oneLine(describeError(outcome.error).text);
  }
  if (row.phase === 'done') {
    // The task's own duration by the server's clock (it may have ended before the page
    // followed it); the page's clock when the server gives no times.
    const span = Date.parse(row.task?.lastUpdatedAt) - Date.parse(row.task?.createdAt);
    row.endedAt = Number.isFinite(span) && span >= 0 ? row.startedAt + span : Date.now();
    row.token = null;
  }
  markDirty(row);
  scheduleSave();
  scheduleListRefresh();
  // The handle has settled: release its memory in the wasm module.
  queueMicrotask(() => {
    try { handle.free(); } catch { /* already freed */ }
  });
}

function markLost(row) {
  row.phase = 'lost';
  row.token = null;
  row.endedAt ??= Date.now();
  row.note = 'The server no longer knows this task: its session has ended.';
  markDirty(row);
  scheduleSave();
}

async function resumeRow(row) {
  if (!state.client || row.handle) return;
  row.phase = 'resuming';
  row.note = '';
  markDirty(row);
  try {
    const handle = await TaskHandle.resume(state.client, row.token ?? row.taskId, HANDLE_OPTIONS);
    if (rows.get(row.taskId) !== row) {
      handle.dispose();
      return;
    }
    adoptHandle(row, handle);
  } catch (error) {
    const outcome = outcomeOfError(error);
    if (outcome.kind === 'lost') markLost(row);
    else if (outcome.kind === 'unreachable') {
      row.phase = 'unreachable';
      row.note = 'The server did not answer; following again when it does.';
      markDirty(row);
      startRecovery(error);
    } else {
      row.phase = 'error';
      row.outcome = outcome;
      row.summary = oneLine(describeError(error).text);
      markDirty(row);
    }
  }
}

function resumeWaiting() {
  for (const row of rows.values()) {
    if (row.phase === 'resuming' || row.phase === 'unreachable') resumeRow(row);
  }
}

async function cancelRow(row) {
  if (!state.client || row.cancelling) return;
  row.cancelling = true;
  row.note = '';
  markDirty(row);
  try {
    if (row.handle) {
      await row.handle.cancel();
    } else {
      const task = await state.client.cancelTask(row.taskId);
      row.task = task;
      row.phase = 'done';
      row.endedAt = Date.now();
      row.token = null;
    }
    announce(`Task ${shortId(row.taskId)} cancelled.`);
  } catch (error) {
    row.note = `Cancel failed: ${oneLine(describeError(error).text)}`;
  } finally {
    row.cancelling = false;
    markDirty(row);
  }
}

ui.taskRows.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  const row = rows.get(button.closest('tr')?.dataset.taskId);
  if (!row) return;
  if (button.dataset.action === 'cancel') cancelRow(row);
  else if (button.dataset.action === 'view') showDetail(row, button);
});

ui.clearFinished.addEventListener('click', () => {
  for (const [id, row] of rows) {
    if (!row.handle && row.phase !== 'resuming' && row.phase !== 'unreachable') {
      rows.delete(id);
      dirty.delete(row);
      row.dom?.tr.remove();
    }
  }
  summaryDirty = true;
  if (!frame) frame = requestAnimationFrame(render);
  saveNow();
});

// ---------------------------------------------------------------------------
// The result / error panel
// ---------------------------------------------------------------------------

let detailOpener = null;
let detailFor = null;

async function showDetail(row, opener) {
  detailOpener = opener;
  detailFor = row.taskId;
  const status = displayStatus(row);
  setText(ui.detailH, `${status === 'failed' ? 'Error' : status === 'completed' ? 'Result' : 'Details'} of ${row.tool} · task ${shortId(row.taskId)}`);
  const meta = [`Task ${row.taskId}`, `status: ${STATUS_TEXT[status]?.[1] ?? status}`];
  if (row.task?.createdAt) meta.push(`created ${row.task.createdAt}`);
  if (row.task?.lastUpdatedAt) meta.push(`updated ${row.task.lastUpdatedAt}`);
  setText(ui.detailMeta, meta.join(' · '));
  ui.detail.hidden = false;
  ui.detailH.focus();

  let outcome = row.outcome;
  if ((status === 'completed' || status === 'failed') && (!outcome || outcome.restored)) {
    // Restored after a reload: fetch the stored result again.
    ui.detailBody.replaceChildren(h('p', { class: 'muted', text: 'Fetching the stored result…' }));
    ui.detailRaw.textContent = '';
    try {
      const result = await state.client.getTaskResult(row.taskId);
      outcome = status === 'failed' ? { kind: 'failed', stored: { result } } : { kind: 'result', result };
    } catch (error) {
      outcome = status === 'failed' && error instanceof McpError
        ? { kind: 'failed', stored: { error } }
        : { kind: 'fetch-error', error };
    }
    if (detailFor !== row.taskId) return;
  }
  renderDetail(row, outcome, status);
}

function renderDetail(row, outcome, status) {
  const body = [];
  let raw = row.task ?? null;
  if (outcome?.kind === 'result') {
    body.push(...renderContent(outcome.result));
    raw = outcome.result;
  } else if (outcome?.kind === 'failed') {
    const err = outcome.error ?? outcome.stored;
    if (err?.result) {
      body.push(h('p', { class: 'error-lead', text: 'The task failed. The tool reported:' }), ...renderContent(err.result));
      raw = err.result;
    } else if (err?.error) {
      body.push(h('p', { class: 'error-lead', text: `The task failed with error ${err.error.code}:` }), h('pre', { class: 'text', text: err.error.message }));
      raw = { code: err.error.code, message: err.error.message, data: err.error.data };
    } else {
      body.push(h('p', { text: 'The task failed.' }));
    }
  } else if (outcome?.kind === 'fetch-error') {
    body.push(h('p', { class: 'error-lead', text: `Could not fetch the stored result: ${describeError(outcome.error).text}` }));
  } else if (status === 'cancelled') {
    body.push(h('p', { text: 'The task was cancelled; a cancelled task has no result.' }));
  } else if (status === 'lost') {
    body.push(h('p', { text: row.note || 'The server no longer knows this task.' }));
  } else if (status === 'expired') {
    body.push(h('p', { text: 'The task expired: the server no longer keeps it or its result.' }));
  } else if (outcome?.error) {
    body.push(h('p', { class: 'error-lead', text: describeError(outcome.error).text }));
  } else {
    body.push(h('p', { text: row.summary || row.note || 'Nothing more is known.' }));
  }
  if (row.task?.statusMessage) body.unshift(h('p', { class: 'muted' }, 'Status message: ', h('q', { text: row.task.statusMessage })));
  ui.detailBody.replaceChildren(...body);
  try {
    ui.detailRaw.textContent = JSON.stringify(raw, null, 2) ?? '';
  } catch {
    ui.detailRaw.textContent = '';
  }
}

const IMAGE_TYPES = /^image\/(png|jpeg|gif|webp|bmp|avif)$/;

/** A CallToolResult's content blocks as DOM nodes (text only, images as data: URLs). */
function renderContent(result) {
  const out = [];
  for (const block of Array.isArray(result?.content) ? result.content : []) {
    switch (block?.type) {
      case 'text':
        out.push(h('pre', { class: 'text', text: String(block.text ?? '') }));
        break;
      case 'image':
        if (IMAGE_TYPES.test(block.mimeType ?? '') && /^[A-Za-z0-9+/=\s]*$/.test(block.data ?? '')) {
          out.push(h('img', { class: 'result-image', alt: `Image from the tool (${block.mimeType})`, src: `data:${block.mimeType};base64,${block.data}` }));
        } else {
          out.push(h('p', { class: 'muted', text: `An image of type ${block.mimeType ?? 'unknown'} (not shown).` }));
        }
        break;
      case 'audio':
        out.push(h('p', { class: 'muted', text: `Audio (${block.mimeType ?? 'unknown type'}), ${Math.floor(String(block.data ?? '').length * 3 / 4)} bytes (not played here).` }));
        break;
      case 'resource_link':
        out.push(h('p', {}, 'Link to a resource: ', h('code', { text: String(block.uri ?? '') }), block.name ? ` (${block.name})` : ''));
        break;
      case 'resource': {
        const r = block.resource ?? {};
        out.push(h('p', {}, 'Embedded resource ', h('code', { text: String(r.uri ?? '') })));
        if (typeof r.text === 'string') out.push(h('pre', { class: 'text', text: r.text }));
        else if (typeof r.blob === 'string') out.push(h('p', { class: 'muted', text: `${Math.floor(r.blob.length * 3 / 4)} bytes of binary data.` }));
        break;
      }
      default:
        out.push(h('pre', { class: 'text', text: JSON.stringify(block, null, 2) ?? '' }));
    }
  }
  if (result?.structuredContent !== undefined) {
    out.push(h('h3', { text: 'Structured content' }), h('pre', { class: 'text', text: JSON.stringify(result.structuredContent, null, 2) }));
  }
  if (!out.length) out.push(h('p', { class: 'muted', text: 'The result has no content.' }));
  return out;
}

ui.detailClose.addEventListener('click', () => {
  ui.detail.hidden = true;
  detailFor = null;
  if (detailOpener?.isConnected) detailOpener.focus();
});

ui.detail.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') ui.detailClose.click();
});

// ---------------------------------------------------------------------------
// Tasks on the server (tasks/list)
// ---------------------------------------------------------------------------

async function refreshServerTasks(append) {
  if (!state.client) return;
  if (state.capabilities && state.capabilities.tasks?.list === undefined) {
    setText(ui.serverTasksNote, 'This server does not offer tasks/list.');
    ui.refreshTasks.disabled = true;
    return;
  }
  ui.refreshTasks.disabled = true;
  ui.moreTasks.disabled = true;
  try {
    const page = await state.client.listTasks(append ? state.listCursor : null);
    if (!append) ui.serverTaskRows.replaceChildren();
    ui.serverTaskRows.append(...page.tasks.map(serverTaskRow));
    state.listCursor = page.nextCursor ?? null;
    ui.moreTasks.hidden = !state.listCursor;
    const n = ui.serverTaskRows.children.length;
    setText(ui.serverTasksNote, n
      ? `${n} task${n === 1 ? '' : 's'} of this session${state.listCursor ? ' so far' : ''}. Follow one to add it to the table.`
      : 'The server has no tasks for this session.');
  } catch (error) {
    const info = describeError(error);
    setText(ui.serverTasksNote, `Could not list the tasks: ${info.text}`);
    if (info.retry) startRecovery(error);
  } finally {
    ui.refreshTasks.disabled = !state.client;
    ui.moreTasks.disabled = false;
  }
}

function serverTaskRow(task) {
  const known = rows.get(task.taskId);
  const following = known && (known.handle || known.phase === 'done' || known.phase === 'resuming');
  const button = h('button', {
    type: 'button', class: 'small', dataset: { action: 'follow' },
    'aria-label': `Follow task ${shortId(task.taskId)}`,
    text: following ? 'In the table' : 'Follow',
    disabled: following ? true : undefined,
  });
  const [icon, label] = STATUS_TEXT[task.status] ?? ['•', String(task.status)];
  return h('tr', { dataset: { taskId: task.taskId, status: String(task.status), createdAt: task.createdAt ?? '' } },
    h('td', { class: 'id' }, h('code', { title: task.taskId, text: shortId(task.taskId) })),
    h('td', {}, h('span', { class: 'status' }, h('span', { class: 'icon', 'aria-hidden': 'true', text: icon }), h('span', { class: 'status-text', text: label }))),
    h('td', { class: 'message', text: task.statusMessage ?? '' }),
    h('td', { text: task.lastUpdatedAt ? new Date(task.lastUpdatedAt).toLocaleTimeString() : '' }),
    h('td', {}, button));
}

ui.serverTaskRows.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-action="follow"]');
  if (!button || !state.client) return;
  const tr = button.closest('tr');
  const taskId = tr.dataset.taskId;
  let row = rows.get(taskId);
  if (!row) {
    const createdAt = Date.parse(tr.dataset.createdAt ?? '');
    row = newRow({ taskId, tool: '(unknown)', args: undefined, startedAt: Number.isFinite(createdAt) ? createdAt : Date.now() });
  }
  row.endedAt = null;
  row.outcome = null;
  row.summary = '';
  button.disabled = true;
  button.textContent = 'In the table';
  resumeRow(row);
  announce(`Following task ${shortId(taskId)}.`);
});

ui.refreshTasks.addEventListener('click', () => refreshServerTasks(false));

let listTimer = 0;
/** Keep the server's list current while tasks start and end (at most every 1.5 s). */
function scheduleListRefresh() {
  if (listTimer) return;
  listTimer = setTimeout(() => {
    listTimer = 0;
    if (state.client && !recovery.active && !state.connecting) refreshServerTasks(false);
  }, 1500);
}
ui.moreTasks.addEventListener('click', () => refreshServerTasks(true));

// ---------------------------------------------------------------------------
// Notifications
// ---------------------------------------------------------------------------

function onNotification(message) {
  if (message.method === 'notifications/tools/list_changed' && state.client) {
    loadTools().catch(() => {});
  }
  // Progress of tasks, resumed ones included, reaches each handle's onProgress: the SDK
  // matches it by progress token or by the related task.
}

// ---------------------------------------------------------------------------
// Elicitation: a form generated from the requested schema
// ---------------------------------------------------------------------------

let elicitCount = 0;

function onElicitation(params, context) {
  return new Promise((resolve) => {
    const form = elicitationForm(params, context, (answer) => {
      form.remove();
      ui.inputs.hidden = ui.elicitations.children.length === 0;
      if (context?.relatedTaskId) {
        const row = rows.get(context.relatedTaskId);
        if (row) { row.asking = false; markDirty(row); }
      }
      announce(answer.action === 'accept' ? 'Answer sent.' : `Question ${answer.action === 'decline' ? 'declined' : 'cancelled'}.`);
      resolve(answer);
    });
    ui.elicitations.append(form);
    ui.inputs.hidden = false;
    const row = context?.relatedTaskId ? rows.get(context.relatedTaskId) : undefined;
    if (row) {
      row.asking = true;
      markDirty(row);
    }
    announce(`The server asks: ${params?.message ?? 'a question'}`);
    if (document.activeElement === document.body || document.activeElement === null) {
      form.querySelector('input, select, textarea, button')?.focus();
    }
  });
}

function elicitationForm(params, context, done) {
  const n = ++elicitCount;
  const base = `elicit-${n}`;
  const taskId = context?.relatedTaskId ?? null;
  const row = taskId ? rows.get(taskId) : undefined;
  const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'elicit', novalidate: true, dataset: { taskId: taskId ?? '' }, 'aria-labelledby': `${base}-msg` });
  form.append(
    h('p', { id: `${base}-msg`, class: 'elicit-msg', text: String(params?.message ?? 'The server asks for input.') }),
    h('p', { class: 'muted', text: taskId ? `For task ${shortId(taskId)}${row ? ` (${row.tool})` : ''}.` : 'Not tied to a task.' }),
  );

  let collect = () => ({});
  if (params?.mode === 'url') {
    const href = safeHttpUrl(params.url);
    form.append(h('p', {}, 'The server asks you to open: ',
      href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer', text: href }) : h('code', { text: String(params.url ?? '') })));
  } else {
    const schema = params?.requestedSchema ?? { type: 'object', properties: {} };
    collect = buildFields(form, schema, base);
  }
  form.append(error, h('div', { class: 'buttons' },
    h('button', { type: 'submit', class: 'primary', text: params?.mode === 'url' ? 'Done' : 'Send' }),
    h('button', { type: 'button', dataset: { act: 'decline' }, text: 'Decline' }),
    h('button', { type: 'button', dataset: { act: 'cancel' }, text: 'Cancel' })));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (params?.mode === 'url') return done({ action: 'accept' });
    const { content, problems } = collect();
    if (problems.length) {
      error.textContent = problems.join(' ');
      error.hidden = false;
      return;
    }
    done({ action: 'accept', content });
  });
  form.addEventListener('click', (event) => {
    const act = event.target.closest('button[data-act]')?.dataset.act;
    if (act === 'decline' || act === 'cancel') done({ action: act });
  });
  return form;
}

function safeHttpUrl(text) {
  try {
    const url = new URL(String(text));
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Add one control per property; returns a function reading { content, problems }. */
function buildFields(form, schema, base) {
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const readers = [];
  Object.entries(schema.properties ?? {}).forEach(([key, prop], i) => {
    const id = `${base}-f${i}`;
    const title = typeof prop?.title === 'string' && prop.title ? prop.title : key;
    const isRequired = required.has(key);
    const hintId = `${id}-hint`;
    const hint = typeof prop?.description === 'string' ? h('p', { id: hintId, class: 'hint', text: prop.description }) : null;
    const labelText = [title, isRequired ? h('span', { class: 'req', text: ' (required)' }) : null];
    const options = enumOptions(prop);
    const field = h('div', { class: 'field' });
    let read;
    if (prop?.type === 'boolean') {
      const box = h('input', { type: 'checkbox', id, 'aria-describedby': hint ? hintId : undefined });
      box.checked = prop.default === true;
      field.append(h('div', { class: 'check' }, box, h('label', { for: id }, ...labelText)), hint);
      read = () => box.checked;
    } else if (prop?.type === 'array') {
      const items = enumOptions(prop.items ?? {}) ?? [];
      const boxes = items.map(([value, label], j) => {
        const box = h('input', { type: 'checkbox', id: `${id}-${j}`, value });
        box.checked = Array.isArray(prop.default) && prop.default.includes(value);
        return [box, h('div', { class: 'check' }, box, h('label', { for: `${id}-${j}`, text: label }))];
      });
      field.append(h('fieldset', { 'aria-describedby': hint ? hintId : undefined }, h('legend', {}, ...labelText), ...boxes.map((b) => b[1])), hint);
      read = () => boxes.filter(([box]) => box.checked).map(([box]) => box.value);
    } else if (options) {
      const select = h('select', { id, required: isRequired, 'aria-describedby': hint ? hintId : undefined },
        h('option', { value: '', text: isRequired ? 'Choose…' : '(none)' }),
        ...options.map(([value, label]) => h('option', { value, text: label })));
      if (typeof prop.default === 'string') select.value = prop.default;
      field.append(h('label', { for: id }, ...labelText), select, hint);
      read = () => (select.value === '' ? undefined : select.value);
    } else if (prop?.type === 'number' || prop?.type === 'integer') {
      const input = h('input', {
        id, type: 'number', required: isRequired, step: prop.type === 'integer' ? '1' : 'any',
        min: prop.minimum, max: prop.maximum, 'aria-describedby': hint ? hintId : undefined,
      });
      if (typeof prop.default === 'number') input.value = String(prop.default);
      field.append(h('label', { for: id }, ...labelText), input, hint);
      read = () => (input.value === '' ? undefined : Number(input.value));
    } else {
      const type = { email: 'email', uri: 'url', date: 'date', 'date-time': 'datetime-local' }[prop?.format] ?? 'text';
      const input = h('input', {
        id, type, required: isRequired, minlength: prop?.minLength, maxlength: prop?.maxLength,
        autocomplete: 'off', 'aria-describedby': hint ? hintId : undefined,
      });
      if (typeof prop?.default === 'string') input.value = prop.default;
      field.append(h('label', { for: id }, ...labelText), input, hint);
      read = () => (input.value === '' ? undefined : input.value);
    }
    form.append(field);
    readers.push([key, title, read, field]);
  });
  return () => {
    const content = {};
    const problems = [];
    for (const [key, title, read, field] of readers) {
      const value = read();
      if (value !== undefined && !(Array.isArray(value) && value.length === 0 && !required.has(key))) content[key] = value;
      const control = field.querySelector('input, select');
      if (value === undefined && required.has(key)) {
        problems.push(`Please fill in “${title}”.`);
        control?.setAttribute('aria-invalid', 'true');
      } else {
        control?.removeAttribute('aria-invalid');
      }
    }
    if (!problems.length) {
      for (const p of validate(schema, content, 'answer')) problems.push(p);
    }
    return { content, problems };
  };
}

/** [value, label] pairs of an enum (enum + enumNames, or oneOf/anyOf of const + title). */
function enumOptions(prop) {
  if (Array.isArray(prop?.enum)) {
    const names = Array.isArray(prop.enumNames) ? prop.enumNames : [];
    return prop.enum.map((v, i) => [String(v), String(names[i] ?? v)]);
  }
  const list = Array.isArray(prop?.oneOf) ? prop.oneOf : Array.isArray(prop?.anyOf) ? prop.anyOf : null;
  if (list && list.every((o) => o && 'const' in o)) return list.map((o) => [String(o.const), String(o.title ?? o.const)]);
  return null;
}

// ---------------------------------------------------------------------------
// A small JSON Schema check (type, required, properties, enum, const, bounds, items)
// ---------------------------------------------------------------------------

function kindOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function hasType(type, value) {
  switch (type) {
    case 'object': return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'integer': return Number.isInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'boolean': return typeof value === 'boolean';
    case 'null': return value === null;
    default: return true;
  }
}

function sameJson(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Problems of `value` against `schema`, in plain words; [] when it fits. */
export function validate(schema, value, path = 'value') {
  if (!schema || typeof schema !== 'object') return [];
  const problems = [];
  const types = Array.isArray(schema.type) ? schema.type : typeof schema.type === 'string' ? [schema.type] : null;
  if (types && !types.some((t) => hasType(t, value))) {
    return [`${path} must be ${types.map((t) => (t === 'integer' ? 'an integer' : t === 'object' || t === 'array' ? `an ${t}` : `a ${t}`)).join(' or ')}, not ${kindOf(value)}.`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => sameJson(e, value))) {
    problems.push(`${path} must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}.`);
  }
  if ('const' in schema && !sameJson(schema.const, value)) problems.push(`${path} must be ${JSON.stringify(schema.const)}.`);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) problems.push(`${path} must be at least ${schema.minimum}.`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) problems.push(`${path} must be at most ${schema.maximum}.`);
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) problems.push(`${path} must be more than ${schema.exclusiveMinimum}.`);
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) problems.push(`${path} must be less than ${schema.exclusiveMaximum}.`);
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) problems.push(`${path} must have at least ${schema.minLength} characters.`);
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) problems.push(`${path} must have at most ${schema.maxLength} characters.`);
    if (typeof schema.pattern === 'string') {
      try {
        if (!new RegExp(schema.pattern, 'u').test(value)) problems.push(`${path} does not match the pattern ${schema.pattern}.`);
      } catch { /* a pattern this browser cannot read: the server checks it */ }
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) problems.push(`${path} must have at least ${schema.minItems} items.`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) problems.push(`${path} must have at most ${schema.maxItems} items.`);
    if (schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items)) {
      value.forEach((item, i) => problems.push(...validate(schema.items, item, `${path}[${i}]`)));
    }
  }
  if (hasType('object', value)) {
    const props = schema.properties && typeof schema.properties === 'object' ? schema.properties : {};
    for (const key of Array.isArray(schema.required) ? schema.required : []) {
      if (!(key in value)) problems.push(`${path} is missing “${key}”, which is required.`);
    }
    for (const [key, item] of Object.entries(value)) {
      if (key in props) problems.push(...validate(props[key], item, `${path}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${path} has an unknown property “${key}”.`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        problems.push(...validate(schema.additionalProperties, item, `${path}.${key}`));
      }
    }
  }
  if (Array.isArray(schema.anyOf) && schema.anyOf.length && !schema.anyOf.some((s) => validate(s, value, path).length === 0)) {
    problems.push(`${path} does not match any of the allowed forms.`);
  }
  if (Array.isArray(schema.allOf)) for (const s of schema.allOf) problems.push(...validate(s, value, path));
  return problems;
}

// ---------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------

ui.connectForm.addEventListener('submit', (event) => {
  event.preventDefault();
  connectFresh();
});
ui.disconnectBtn.addEventListener('click', disconnect);
ui.signOutBtn.addEventListener('click', async () => {
  // Forget the sign-in (tokens; the client registration stays), then end the session.
  await state.client?.signOut();
  await disconnect();
  setConnState('idle', 'Signed out and disconnected.');
});
ui.bannerRetry.addEventListener('click', wakeRecovery);
ui.bannerStop.addEventListener('click', () => {
  stopRecovery();
  setConnState('error', 'Not connected (stopped retrying)');
  hideBanner();
});
ui.bannerClose.addEventListener('click', hideBanner);

async function main() {
  const params = new URLSearchParams(location.search);
  const fromQuery = params.get('server');
  const fallback = new URL('/mcp', location.origin).href;
  ui.url.value = fromQuery ?? fallback;
  try {
    await init();
  } catch (error) {
    setConnState('error', 'The SDK could not load');
    showBanner(`The WebAssembly SDK could not be loaded: ${error?.message ?? error}`);
    ui.connectBtn.disabled = true;
    return;
  }
  const saved = loadSaved();
  let savedUsable = false;
  if (saved) {
    try {
      savedUsable = !fromQuery || parseServerUrl(fromQuery) === saved.url;
    } catch {
      savedUsable = false;
    }
  }
  if (savedUsable) {
    await restore(saved);
  } else {
    if (saved) sessionStorage.removeItem(STORE_KEY);
    setConnState('idle', 'Not connected');
    updateConnectButtons();
    if (fromQuery) {
      try { parseServerUrl(fromQuery); } catch (err) { showUrlError(err.message); }
    }
  }
  renderSummary();
  document.documentElement.dataset.ready = 'true';
}

main();
