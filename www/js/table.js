// The task table: one page of rows (paging.js: the DOM stays bounded however many tasks
// the page follows), drawn once per animation frame over the rows that changed. Task
// callbacks only record data and call markDirty(); the DOM is written once per frame
// (render()), so a thousand live tasks stay smooth. A row off the page has no DOM: it is
// built when it comes into view.

import { h, setText, setFlag } from './dom.js';
import { ui } from './ui.js';
import { state, rows, features } from './store.js';
import { shortId, argsSummary, formatElapsed } from './format.js';
import { displayStatus, statusText, inputNote, viewLabelOf, canCancel, summaryText, countByStatus } from './status.js';
import { PAGE_SIZE, pageWindow, windowRows, pageLabel } from './paging.js';
import { showCounts, resetOverview } from './overview.js';

const dirty = new Set();
let frame = 0;
let summaryDirty = true;
/** The page's rows must be worked out again (rows came or went, or the page changed). */
let layoutDirty = true;
let page = 0;
/** The rows on the page now, newest first (each has its `dom`). */
let visible = [];
/** Render passes so far (read by the end-to-end tests to check batching). */
export const stats = { renders: 0, rowUpdates: 0, maxRenderMs: 0, maxRowsPerRender: 0, maxDomRows: 0 };
window.__dashboardStats = stats;

/** At most one render per this many ms. With a thousand live tasks the page's cost is
 * not its script but the browser's style, layout and paint after each render (measured in
 * a trace of 1,000 tasks starting: 8% script, the rest rendering), so drawing every
 * frame kept the main thread busy; ten a second is as live as a person can read. */
const MIN_GAP_MS = 100;
let lastRender = -Infinity;
let wait = 0;

function schedule() {
  if (frame || wait) return;
  const ms = lastRender + MIN_GAP_MS - performance.now();
  if (ms <= 0) frame = requestAnimationFrame(render);
  else {
    wait = setTimeout(() => {
      wait = 0;
      frame = requestAnimationFrame(render);
    }, ms);
  }
}

/** Draw the row again at the next frame (if it is on the page). */
export function markDirty(row) {
  if (!row.dom) layoutDirty = true; // new, or off the page
  dirty.add(row);
  summaryDirty = true;
  schedule();
}

/** Take rows out of the table. */
export function removeRows(list) {
  for (const row of list) {
    rows.delete(row.taskId);
    dirty.delete(row);
    row.dom?.tr.remove();
    row.dom = null;
  }
  if (rows.size === 0) resetOverview();
  layoutDirty = true;
  summaryDirty = true;
  schedule();
}

/** Show another page (+1: older, -1: newer). */
export function turnPage(delta) {
  page += delta;
  layoutDirty = true;
  schedule();
}

/** Bring the page's rows into the DOM, in order, and drop the rows that left it. */
function layout() {
  layoutDirty = false;
  const all = [...rows.values()];
  const w = pageWindow(all.length, page, PAGE_SIZE);
  page = w.page;
  const want = windowRows(all, w);
  const keep = new Set(want);
  for (const row of visible) {
    if (!keep.has(row) && row.dom) {
      row.dom.tr.remove();
      row.dom = null;
    }
  }
  let cursor = ui.taskRows.firstChild;
  for (const row of want) {
    if (!row.dom) {
      row.dom = buildRow(row);
      dirty.add(row);
    }
    if (row.dom.tr === cursor) cursor = cursor.nextSibling;
    else ui.taskRows.insertBefore(row.dom.tr, cursor);
  }
  visible = want;
  ui.pager.hidden = w.pages <= 1;
  setText(ui.pageInfo, pageLabel(w, all.length));
  ui.pageNewer.disabled = w.page === 0;
  ui.pageOlder.disabled = w.page >= w.pages - 1;
}

function render() {
  frame = 0;
  const started = performance.now();
  lastRender = started;
  stats.renders++;
  if (layoutDirty) layout();
  const now = Date.now();
  const offer = { connected: state.client !== null, cancel: features().cancel };
  let n = 0;
  for (const row of dirty) {
    if (!row.dom || rows.get(row.taskId) !== row) continue;
    updateRow(row, now, offer);
    n++;
  }
  dirty.clear();
  stats.rowUpdates += n;
  stats.maxRowsPerRender = Math.max(stats.maxRowsPerRender, n);
  stats.maxDomRows = Math.max(stats.maxDomRows, ui.taskRows.childElementCount);
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
    setFlag(d.bar, 'hidden', false);
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

  // Attributes only when they change: writing one, even the same value, makes the
  // browser check the row's style again.
  setFlag(d.cancel, 'hidden', !canCancel(row, offer) && !row.cancelling);
  setFlag(d.cancel, 'disabled', Boolean(row.cancelling));

  const viewLabel = viewLabelOf(status);
  setFlag(d.view, 'hidden', viewLabel === null);
  if (viewLabel !== null) {
    setText(d.view, viewLabel);
    const aria = `${viewLabel} of task ${shortId(row.taskId)}`;
    if (d.view.getAttribute('aria-label') !== aria) d.view.setAttribute('aria-label', aria);
  }
}

export function renderSummary() {
  setText(ui.summary, summaryText(rows.values()));
  showCounts(countByStatus(rows.values()));
  ui.clearFinished.hidden = rows.size === 0;
}

/** Redraw the rows on the page (what a row offers depends on the connection and the
 * server). */
export function markAllDirty() {
  for (const row of visible) markDirty(row);
}

// Elapsed time and poll counts move without any event: refresh the page's unfinished rows
// every second.
setInterval(() => {
  for (const row of visible) {
    if (row.endedAt === null && row.dom) markDirty(row);
  }
}, 1000);

ui.pageNewer.addEventListener('click', () => turnPage(-1));
ui.pageOlder.addEventListener('click', () => turnPage(1));
