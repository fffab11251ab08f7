// Connecting: one server per session (2025-11-25) or per endpoint (2026-07-28); the saved
// session after a reload; disconnecting; recovery (retry with backoff until the server
// answers again); a connect-src the page's CSP refuses.

import { McpClient, popupAuthorize, sessionStorageTokens, clientMode } from './sdk.js';
import { setText } from './dom.js';
import { ui, announce, showBanner, hideBanner, setConnState } from './ui.js';
import { state, rows, features, on } from './store.js';
import { markDirty, markAllDirty } from './table.js';
import { saveNow } from './persist.js';
import { parseServerUrl } from './format.js';
import { describeError, recoveryDelay } from './errors.js';
import { stopFollowing } from './rows.js';
import { restoreRows } from './snapshot.js';
import { resumeWaiting, recallRemembered, lose } from './follow.js';
import { renderServerInfo, loadTools, renderTools, clearTools } from './tools.js';
import { refreshServerTasks, clearServerTasks } from './server-tasks.js';
import { onElicitation } from './elicit.js';

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

function onNotification(message) {
  if (message.method === 'notifications/tools/list_changed' && state.client) {
    loadTools().catch(() => {});
  }
  // Progress of tasks, resumed ones included, reaches each handle's onProgress: the SDK
  // matches it by progress token or by the related task.
}

function clientOptions(sessionId) {
  const options = { clientInfo: CLIENT_INFO, onElicitation, onNotification };
  if (state.token) options.headers = { Authorization: `Bearer ${state.token}` };
  else options.auth = AUTH;
  if (sessionId) options.sessionId = sessionId;
  return options;
}

export function updateConnectButtons() {
  // One server per session: to change the URL or the token, disconnect first.
  const connected = state.client !== null;
  const modern = features().era === 'modern';
  ui.connectBtn.hidden = connected;
  ui.connectBtn.disabled = state.connecting;
  ui.disconnectBtn.hidden = !connected;
  ui.signOutBtn.hidden = !connected || !signedIn();
  setText(ui.disconnectBtn, modern ? 'Disconnect (tasks keep running)' : 'Disconnect (ends the session)');
  ui.url.readOnly = connected || state.connecting;
  ui.token.readOnly = connected || state.connecting;
  setText(ui.urlHint, connected ? 'Connected. Disconnect to use another server or token.' : 'The MCP endpoint, e.g. http://127.0.0.1:8787/mcp');
  ui.refreshTasks.disabled = !connected || !features().list;
}

export function showUrlError(text) {
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

/** After a (re)connect: note the session, show the server, load the tools; in the
 * 2026-07-28 era, put the remembered tasks back in the table. */
async function afterConnect(previousSession) {
  const client = state.client;
  const readServer = () => {
    const info = client.serverInfo;
    if (!info) return;
    state.serverInfo = info;
    state.capabilities = client.serverCapabilities ?? null;
    state.protocolVersion = client.protocolVersion ?? null;
  };
  readServer(); // the tool cards depend on the era
  await loadTools(); // also the first real request on a reattached session
  const sid = client.sessionId ?? null;
  const era = features().era;
  readServer(); // a reattached session that was gone has been renewed by now
  if (features().era !== era) renderTools();
  if (previousSession && sid !== previousSession) {
    showBanner('The previous session has ended on the server (it may have restarted or dropped it), so a new session was started. Its running tasks could not be picked up again: they are marked lost.', { kind: 'warning' });
    announce('The previous session ended; a new one was started.');
    state.sessionId = sid;
    for (const row of rows.values()) {
      if (row.phase === 'resuming' || row.phase === 'unreachable') lose(row);
    }
  }
  state.sessionId = sid;
  renderServerInfo();
  updateConnectButtons();
  recallRemembered();
  markAllDirty();
  setConnState('online', `Connected to ${state.serverInfo?.name ?? state.url}${signedIn() ? ' (signed in)' : ''}`);
  saveNow();
}

export async function connectFresh() {
  let url;
  try {
    url = parseServerUrl(ui.url.value, location.href);
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
    state.protocolVersion = null;
  }
  // 2026-07-28 tasks outlive a client: the remembered ones are followed again. (A
  // 2025-11-25 task belongs to its session, which a fresh connect does not reattach.)
  await connectAndFollow(null, `Connecting to ${url}…`, false);
}

/** Connect (to `sessionId`, or anew), show the server, then resume the rows that wait for
 * it (always with `resumeAll`, else in the 2026-07-28 era only); a failure goes to the
 * banner or to recovery. */
async function connectAndFollow(sessionId, message, resumeAll) {
  state.connecting = true;
  updateConnectButtons();
  setConnState('connecting', message);
  try {
    await openClient(sessionId);
    await afterConnect(sessionId);
    if (resumeAll || features().era === 'modern') resumeWaiting();
    refreshServerTasks(false);
  } catch (err) {
    connectFailed(err);
  } finally {
    state.connecting = false;
    updateConnectButtons();
  }
}

function connectFailed(err) {
  // The client's worker is not bound by this page's CSP: when it cannot reach the server,
  // try once from the page, so that a URL the policy does not allow is explained (the
  // securitypolicyviolation handler below) instead of retried.
  if (clientMode === 'worker' && err?.name === 'TransportError' && err.status === 0) {
    fetch(state.url, { method: 'HEAD', mode: 'no-cors', cache: 'no-store' }).catch(() => {});
  }
  const info = describeError(err, state.url);
  if (info.retry) {
    startRecovery(err);
  } else {
    setConnState('error', 'Not connected');
    showBanner(info.text);
    if (err?.name === 'TransportError' && (err.status === 401 || err.status === 403)) ui.token.focus();
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

export async function disconnect() {
  const modern = features().era === 'modern';
  stopRecovery();
  hideBanner();
  await closeClient();
  state.sessionId = null;
  for (const row of rows.values()) row.token = null;
  clearTools();
  clearServerTasks();
  const now = Date.now();
  for (const row of rows.values()) {
    if (stopFollowing(row, now)) markDirty(row);
  }
  saveNow();
  setConnState('idle', modern
    ? 'Disconnected. The tasks keep running on the server; connect again to follow them.'
    : 'Disconnected. The session ended, so its running tasks stopped.');
  announce('Disconnected.');
}

/** Reattach after a reload: same session, then resume every task that was running. */
export async function restore(saved) {
  state.url = saved.url;
  state.token = saved.token ?? '';
  state.sessionId = saved.sessionId ?? null;
  state.serverInfo = saved.serverInfo ?? null;
  state.capabilities = saved.capabilities ?? null;
  state.protocolVersion = saved.protocolVersion ?? null;
  ui.url.value = saved.url;
  ui.token.value = state.token;
  for (const row of restoreRows(saved, Date.now())) {
    rows.set(row.taskId, row);
    markDirty(row);
  }
  if (state.serverInfo) renderServerInfo();
  if (saved.disconnected) {
    setConnState('idle', 'Not connected');
    updateConnectButtons();
    return;
  }
  await connectAndFollow(state.sessionId, 'Reconnecting to the saved session…', true);
}

// ---------------------------------------------------------------------------
// Recovery: retry with backoff until the server answers again
// ---------------------------------------------------------------------------

const recovery = { wake: null, attempt: 0 };

export function startRecovery(reason) {
  if (state.recovering) return;
  state.recovering = true;
  recovery.attempt = 0;
  runRecovery(reason);
}

export function stopRecovery() {
  state.recovering = false;
  recovery.wake?.();
}

export function wakeRecovery() {
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
  let info = describeError(reason, state.url);
  while (state.recovering) {
    const delay = recoveryDelay(recovery.attempt);
    recovery.attempt++;
    setConnState('offline', 'Server unreachable: retrying');
    showBanner(`${info.text} Retrying in ${Math.round(delay / 1000)} s.`, { retry: true, stop: true });
    await pause(delay);
    if (!state.recovering) return;
    setText(ui.bannerText, `${info.text} Retrying now…`);
    try {
      const previous = state.sessionId;
      if (!state.client) await openClient(previous);
      await afterConnect(previous);
      break;
    } catch (err) {
      info = describeError(err, state.url);
      if (!info.retry) {
        state.recovering = false;
        setConnState('error', 'Not connected');
        showBanner(info.text);
        return;
      }
    }
  }
  if (!state.recovering) return;
  state.recovering = false;
  if (ui.banner.dataset.kind === 'error') hideBanner();
  announce('The server answers again.');
  resumeWaiting();
  refreshServerTasks(false);
}

on('unreachable', startRecovery);
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

/** Forget the sign-in (tokens; the client registration stays), then end the session. */
export async function signOut() {
  await state.client?.signOut();
  await disconnect();
  setConnState('idle', 'Signed out and disconnected.');
}
