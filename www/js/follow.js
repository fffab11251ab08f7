// Following tasks: a TaskHandle per live row, its status and progress into the row, its
// end into the row's outcome; resuming rows after a reload or a reconnect (by resume
// token), cancelling. In the 2026-07-28 era the tasks this browser started are also
// remembered by endpoint (persist.js `tokens`) and re-attached from there.

import { TaskHandle } from './sdk.js';
import { state, rows, features, emit } from './store.js';
import { markDirty } from './table.js';
import { scheduleSave, tokens } from './persist.js';
import { createRow, adopt, settle, resumeFailed, markLost, awaitsResume } from './rows.js';
import { isTerminal } from './status.js';
import { outcomeOfError, describeError } from './errors.js';
import { oneLine, shortId } from './format.js';
import { announce } from './ui.js';

/** Options of every task handle: give up polling after a few failures (a few seconds), so
 * a dead server shows at once; the page's own recovery loop then resumes the task. */
export const HANDLE_OPTIONS = { maxRetries: 4 };

/** A new row in the table. */
export function addRow(fields) {
  const row = createRow(fields);
  rows.set(row.taskId, row);
  markDirty(row);
  scheduleSave();
  return row;
}

/** Follow `row` with `handle`. */
export function adoptHandle(row, handle) {
  row.handle = handle;
  let token = null;
  if (!handle.isLocal) {
    try { token = handle.serialize(); } catch { token = null; }
  }
  adopt(row, handle.task, token, Date.now());
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
    (error) => settleRow(row, handle, outcomeOfError(error, features().era)),
  );
  markDirty(row);
  scheduleSave();
}

/** Remember a task this page started, where the protocol cannot list tasks. */
export function remember(row) {
  if (features().era !== 'modern' || row.local || !row.token) return;
  tokens.remember(state.url, { taskId: row.taskId, token: row.token, tool: row.tool, args: row.args, startedAt: row.startedAt, task: row.task });
  scheduleSave();
}

/** Forget a remembered task (only 2026-07-28 tasks are remembered). */
function forget(row) {
  if (features().era === 'modern') tokens.forget(state.url, row.taskId);
}

/** The handle settled: the row's outcome, then the handle's memory released. */
function settleRow(row, handle, outcome) {
  if (row.handle !== handle) return;
  try {
    row.polls = handle.polls;
    row.task = handle.task;
  } catch { /* already freed */ }
  after(row, settle(row, outcome, Date.now(), state.url), outcome.error);
  emit('tasks-changed');
  // The handle has settled: release its memory in the wasm module.
  queueMicrotask(() => {
    try { handle.free(); } catch { /* already freed */ }
  });
}

/** What follows a change of phase: forget the token of an ended task (it has been shown),
 * recover when the server did not answer. */
function after(row, { recover, ended }, error) {
  if (ended) forget(row);
  markDirty(row);
  scheduleSave();
  if (recover) emit('unreachable', error);
}

/** Stop following the row (it is being cleared from the table): its handle stops, and
 * is released once its result() has rejected. An ended task's token is forgotten. */
export function unfollow(row) {
  const handle = row.handle;
  row.handle = null;
  if (isTerminal(row.task?.status)) forget(row);
  if (!handle) return;
  handle.result().catch(() => {}).finally(() => {
    try { handle.free(); } catch { /* already freed */ }
  });
  handle.dispose();
}

/** The server no longer knows the task. */
export function lose(row) {
  markLost(row, Date.now());
  after(row, { recover: false, ended: true });
}

/** Follow the row again, from its resume token (or its id). */
export async function resumeRow(row) {
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
    after(row, resumeFailed(row, outcomeOfError(error, features().era), Date.now(), state.url), error);
  }
}

/** Resume every row that waits for it. */
export function resumeWaiting() {
  for (const row of rows.values()) {
    if (awaitsResume(row)) resumeRow(row);
  }
}

/**
 * 2026-07-28: put the tasks this browser started on this server (and has not seen end)
 * back in the table, to be resumed. Rows already there that nothing follows take the
 * remembered token.
 */
export function recallRemembered() {
  if (features().era !== 'modern' || !state.url) return 0;
  let n = 0;
  for (const entry of tokens.list(state.url, Date.now())) {
    let row = rows.get(entry.taskId);
    if (row?.handle || row?.phase === 'done' || row?.phase === 'lost') continue;
    row ??= addRow({ taskId: entry.taskId, tool: entry.tool ?? '?', args: entry.args, startedAt: entry.startedAt ?? Date.now() });
    row.token = entry.token;
    row.phase = 'resuming';
    row.endedAt = null;
    markDirty(row);
    n++;
  }
  return n;
}

export async function cancelRow(row) {
  if (!state.client || row.cancelling) return;
  row.cancelling = true;
  row.note = '';
  markDirty(row);
  try {
    if (row.handle) {
      await row.handle.cancel();
    } else {
      const answer = await state.client.cancelTask(row.taskId);
      if (typeof answer?.status === 'string') {
        // 2025-11-25: the cancelled Task.
        row.task = answer;
        row.phase = 'done';
        row.endedAt = Date.now();
        row.token = null;
      } else {
        // 2026-07-28: an acknowledgement; the task ends in its own time: follow it.
        resumeRow(row);
      }
    }
    announce(`Task ${shortId(row.taskId)} cancelled.`);
  } catch (error) {
    row.note = `Cancel failed: ${oneLine(describeError(error, state.url).text)}`;
  } finally {
    row.cancelling = false;
    markDirty(row);
  }
}
