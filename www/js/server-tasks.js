// "Tasks on the server": the session's tasks from tasks/list (2025-11-25), each of which
// can be followed in the table. 2026-07-28 has no task listing: the card says so, and the
// table itself holds the tasks this browser started (follow.js recallRemembered()).

import { h, setText } from './dom.js';
import { ui, announce } from './ui.js';
import { state, rows, features, on, emit } from './store.js';
import { shortId } from './format.js';
import { statusText } from './status.js';
import { describeError } from './errors.js';
import { addRow, resumeRow } from './follow.js';

const NO_LISTING = 'This server speaks 2026-07-28, which has no task listing (tasks/list). The tasks this browser starts here are remembered (their resume tokens, in this browser’s storage) and followed again in the table above after a reload, until they end.';

/** Load the first page again (or the next one, `append`). */
export async function refreshServerTasks(append) {
  if (!state.client) return;
  const f = features();
  if (!f.list) {
    setText(ui.serverTasksNote, f.era === 'modern' ? NO_LISTING : 'This server does not offer tasks/list.');
    ui.serverTaskRows.replaceChildren();
    ui.moreTasks.hidden = true;
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
    const info = describeError(error, state.url);
    setText(ui.serverTasksNote, `Could not list the tasks: ${info.text}`);
    if (info.retry) emit('unreachable', error);
  } finally {
    ui.refreshTasks.disabled = !state.client || !features().list;
    ui.moreTasks.disabled = false;
  }
}

export function clearServerTasks() {
  ui.serverTaskRows.replaceChildren();
  ui.moreTasks.hidden = true;
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
  const [icon, label] = statusText(task.status);
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
    row = addRow({ taskId, tool: '(unknown)', args: undefined, startedAt: Number.isFinite(createdAt) ? createdAt : Date.now() });
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
ui.moreTasks.addEventListener('click', () => refreshServerTasks(true));

let listTimer = 0;
/** Keep the server's list current while tasks start and end (at most every 1.5 s). */
function scheduleListRefresh() {
  if (listTimer || !features().list) return;
  listTimer = setTimeout(() => {
    listTimer = 0;
    if (state.client && !state.recovering && !state.connecting) refreshServerTasks(false);
  }, 1500);
}
on('tasks-changed', scheduleListRefresh);
