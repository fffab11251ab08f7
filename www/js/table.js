// The task table: one pass per animation frame over the rows that changed. Task callbacks
// only record data and call markDirty(); the DOM is written once per frame (render()), so
// hundreds of live tasks stay smooth.

import { h, setText } from './dom.js';
import { ui } from './ui.js';
import { state, rows, features } from './store.js';
import { shortId, argsSummary, formatElapsed } from './format.js';
import { displayStatus, statusText, inputNote, viewLabelOf, canCancel, summaryText } from './status.js';

const dirty = new Set();
let frame = 0;
let summaryDirty = true;
/** Render passes so far (read by the end-to-end test to check batching). */
export const stats = { renders: 0, rowUpdates: 0, maxRenderMs: 0, maxRowsPerRender: 0 };
window.__dashboardStats = stats;

/** Draw the row again at the next frame. */
export function markDirty(row) {
  dirty.add(row);
  summaryDirty = true;
  if (!frame) frame = requestAnimationFrame(render);
}

/** Take rows out of the table. */
export function removeRows(list) {
  for (const row of list) {
    rows.delete(row.taskId);
    dirty.delete(row);
    row.dom?.tr.remove();
  }
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
  const offer = { connected: state.client !== null, cancel: features().cancel };
  for (const row of dirty) {
    if (rows.get(row.taskId) !== row) continue;
    if (!row.dom) {
      row.dom = buildRow(row);
      fresh.push(row.dom.tr);
    }
    updateRow(row, now, offer);
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

function updateRow(row, now, offer) {
  const d = row.dom;
  const status = displayStatus(row);
  if (d.tr.dataset.status !== status) d.tr.dataset.status = status;
  const [icon, label] = statusText(status);
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

  d.cancel.hidden = !canCancel(row, offer) && !row.cancelling;
  d.cancel.disabled = row.cancelling;

  const viewLabel = viewLabelOf(status);
  d.view.hidden = viewLabel === null;
  if (viewLabel !== null) {
    setText(d.view, viewLabel);
    const aria = `${viewLabel} of task ${shortId(row.taskId)}`;
    if (d.view.getAttribute('aria-label') !== aria) d.view.setAttribute('aria-label', aria);
  }
}

export function renderSummary() {
  setText(ui.summary, summaryText(rows.values()));
  ui.clearFinished.hidden = rows.size === 0;
}

/** Redraw every row (what a row offers depends on the connection and the server). */
export function markAllDirty() {
  for (const row of rows.values()) if (row.dom) markDirty(row);
}

// Elapsed time and poll counts move without any event: refresh unfinished rows every second.
setInterval(() => {
  for (const row of rows.values()) {
    if (row.endedAt === null && row.dom) markDirty(row);
  }
}, 1000);
