// Saving for a reload: the tab's view in sessionStorage (snapshot.js), and in the
// 2026-07-28 era the resume tokens of the tasks this browser started, in localStorage by
// endpoint (token-store.js). Both are written at most once a second (with hundreds of rows
// a save is not free) and on pagehide.

import { state, rows } from './store.js';
import { snapshotOf, parseSnapshot } from './snapshot.js';
import { createTokenStore } from './token-store.js';

const STORE_KEY = 'mcp-tasks-dashboard/v1';

function localStore() {
  try {
    return window.localStorage;
  } catch {
    // Storage disabled: remember nothing across reloads.
    return { getItem: () => null, setItem() {}, removeItem() {} };
  }
}

/** The remembered tasks of 2026-07-28 servers (see token-store.js). */
export const tokens = createTokenStore(localStore());

let saveTimer = 0;

/** Save soon. Called when something a reload needs changed: a row, its status, its
 * resume token. */
export function scheduleSave() {
  if (!saveTimer) saveTimer = setTimeout(saveNow, 1000);
}

export function saveNow() {
  clearTimeout(saveTimer);
  saveTimer = 0;
  if (tokens.dirty) tokens.flush();
  if (!state.url) return;
  const disconnected = state.client === null && !state.connecting && !state.recovering;
  try {
    sessionStorage.setItem(STORE_KEY, JSON.stringify(snapshotOf(state, rows.values(), disconnected)));
  } catch {
    // Storage full or disabled: the page still works, a reload just forgets.
  }
}

/** The tab's saved view, or null. */
export function loadSaved() {
  try {
    return parseSnapshot(sessionStorage.getItem(STORE_KEY));
  } catch {
    return null;
  }
}

export function dropSaved() {
  try { sessionStorage.removeItem(STORE_KEY); } catch { /* disabled */ }
}

addEventListener('pagehide', saveNow);
