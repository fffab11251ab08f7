// The MCP tasks dashboard: connect to a server, start tool calls as tasks, follow them live,
// answer elicitations, and pick the tasks up again after a page reload.
//
// This file starts the page and wires its controls; each concern is an ES module in js/:
//   pure (no DOM, no SDK; tested by `node --test tests/www/`):
//     format.js  era.js  status.js  schema.js  errors.js  rows.js  snapshot.js
//     token-store.js  pool.js  paging.js  aggregate.js
//   the page: dom.js  ui.js  store.js  overview.js  table.js  persist.js  follow.js
//     start.js  tools.js  elicit.js  detail.js  server-tasks.js  connection.js
//
// Rules the modules keep:
// - Text from the server (names, descriptions, statusMessage, results, errors) reaches the
//   DOM only through textContent / Text nodes / setAttribute, never as HTML.
// - No inline styles or scripts, no eval: the page runs under a strict CSP.
// - Task callbacks only record data and mark rows dirty; the DOM is written once per
//   animation frame (table.js), and only for the table's one page of rows, so a thousand
//   live tasks stay smooth.

import { init, clientMode } from './js/sdk.js';
import { ui, showBanner, hideBanner, setConnState } from './js/ui.js';
import { rows } from './js/store.js';
import { removeRows, renderSummary } from './js/table.js';
import { saveNow, loadSaved, dropSaved } from './js/persist.js';
import { parseServerUrl } from './js/format.js';
import { clearable } from './js/rows.js';
import { cancelRow, unfollow } from './js/follow.js';
import { showDetail } from './js/detail.js';
import {
  connectFresh, disconnect, restore, updateConnectButtons, showUrlError, stopRecovery, wakeRecovery,
  signOut,
} from './js/connection.js';

ui.connectForm.addEventListener('submit', (event) => {
  event.preventDefault();
  connectFresh();
});
ui.disconnectBtn.addEventListener('click', disconnect);
ui.signOutBtn.addEventListener('click', signOut);
ui.bannerRetry.addEventListener('click', wakeRecovery);
ui.bannerStop.addEventListener('click', () => {
  stopRecovery();
  setConnState('error', 'Not connected (stopped retrying)');
  hideBanner();
});
ui.bannerClose.addEventListener('click', hideBanner);

ui.taskRows.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  const row = rows.get(button.closest('tr')?.dataset.taskId);
  if (!row) return;
  if (button.dataset.action === 'cancel') cancelRow(row);
  else if (button.dataset.action === 'view') showDetail(row, button);
});

ui.clearFinished.addEventListener('click', () => {
  const finished = [...rows.values()].filter(clearable);
  for (const row of finished) unfollow(row);
  removeRows(finished);
  saveNow();
});

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
      savedUsable = !fromQuery || parseServerUrl(fromQuery, location.href) === saved.url;
    } catch {
      savedUsable = false;
    }
  }
  if (savedUsable) {
    await restore(saved);
  } else {
    if (saved) dropSaved();
    setConnState('idle', 'Not connected');
    updateConnectButtons();
    if (fromQuery) {
      try { parseServerUrl(fromQuery, location.href); } catch (err) { showUrlError(err.message); }
    }
  }
  renderSummary();
  document.documentElement.dataset.client = clientMode;
  document.documentElement.dataset.ready = 'true';
}

main();
