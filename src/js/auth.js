// The page's share of the sign-in (the flow itself is in Rust): the authorize steps for a
// popup or a full-page redirect, the callback page's step, and token storage in
// sessionStorage. Kept apart from glue.js, which the wasm module imports whole: an app
// that does not sign in leaves this file out of its bundle (its names are exported from
// index.js, beside the wasm classes; tools/finish-pkg.mjs copies it next to glue.js).
import { AuthError } from './glue.js';

const CALLBACK = 'mcp-tasks-wasm:callback';
const RETURN = 'mcp-tasks-wasm:return';
const POPUP = 'mcp-tasks-wasm:popup:';
const stateOf = (url) => new URL(url).searchParams.get('state');
const authError = (message, reason) => new AuthError(message, { code: 'ERR_AUTH', reason });

/**
 * The page step in a popup: opens the authorization URL in a popup and resolves with the
 * callback URL that `finishAuthorization()` on the callback page sends back. Call
 * `connect()` from a click (browsers block popups opened without one).
 */
export function popupAuthorize({ width = 500, height = 650, timeoutMs = 600_000 } = {}) {
  return (url) => new Promise((resolve, reject) => {
    const state = stateOf(url);
    localStorage.setItem(POPUP + state, '1');
    const channel = new BroadcastChannel(CALLBACK);
    const finish = (error, callback) => {
      clearTimeout(timer);
      channel.close();
      removeEventListener('message', onMessage);
      localStorage.removeItem(POPUP + state);
      if (error) reject(error); else resolve(callback);
    };
    const onData = (data) => {
      if (data?.type === CALLBACK && stateOf(data.url) === state) finish(null, data.url);
    };
    const onMessage = (e) => { if (e.origin === location.origin) onData(e.data); };
    channel.onmessage = (e) => onData(e.data);
    addEventListener('message', onMessage);
    const timer = setTimeout(() => finish(authError('signing in took too long (the popup was not finished)', 'authorization_failed')), timeoutMs);
    if (!window.open(url, 'mcp-tasks-wasm-auth', `popup,width=${width},height=${height}`)) {
      finish(authError('the sign-in popup was blocked: start signing in from a click', 'popup_blocked'));
    }
  });
}

/**
 * The page step as a full-page redirect: leaves the page for the authorization URL; after
 * `finishAuthorization()` on the callback page brings the person back, calling
 * `connect()` again (with the same `storage`, e.g. `sessionStorageTokens()`) resumes the
 * same sign-in and completes it.
 */
export function redirectAuthorize() {
  return (url) => {
    const callback = sessionStorage.getItem(CALLBACK);
    if (callback && stateOf(callback) === stateOf(url)) {
      sessionStorage.removeItem(CALLBACK);
      return Promise.resolve(callback);
    }
    sessionStorage.setItem(RETURN, location.href);
    location.assign(url);
    return new Promise(() => {});
  };
}

/**
 * Call on the callback page (the `redirectUri`): hands the callback URL to the popup's
 * opener and closes the popup, or, after a full-page redirect, keeps it for the next
 * `connect()` and goes back to the page that started signing in (or `returnTo`).
 */
export function finishAuthorization({ returnTo } = {}) {
  const url = location.href;
  const state = stateOf(url);
  if (localStorage.getItem(POPUP + state)) {
    const message = { type: CALLBACK, url };
    new BroadcastChannel(CALLBACK).postMessage(message);
    try { window.opener?.postMessage(message, location.origin); } catch {}
    window.close();
    return;
  }
  sessionStorage.setItem(CALLBACK, url);
  const back = returnTo ?? sessionStorage.getItem(RETURN) ?? '/';
  sessionStorage.removeItem(RETURN);
  location.replace(back);
}

/**
 * Token storage in `sessionStorage` (the tab's session; needed by `redirectAuthorize`,
 * which must find its sign-in again after the page reloads). Values are JSON.
 */
export function sessionStorageTokens(prefix = 'mcp-tasks-wasm:') {
  return {
    get: (key) => JSON.parse(sessionStorage.getItem(prefix + key) ?? 'null') ?? undefined,
    set: (key, value) => sessionStorage.setItem(prefix + key, JSON.stringify(value)),
    remove: (key) => sessionStorage.removeItem(prefix + key),
  };
}
