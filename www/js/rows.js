// The page's model of one task (a row of the table) and how events change it. Pure: a row
// is a plain object; `handle` and `dom` are references other modules attach (follow.js,
// table.js) and that nothing here calls. Tested by tests/www/rows.test.mjs.
//
// Phases: 'live' (a handle follows it), 'resuming', 'unreachable' (will resume when the
// server answers again), 'lost' (the server no longer knows it), 'done' (terminal, outcome
// known), 'stopped' (no longer followed: disconnected), 'error'.

import { firstText, failureText, oneLine } from './format.js';
import { describeError } from './errors.js';
import { isTerminal } from './status.js';

/** A new row, 'resuming' until a handle follows it. */
export function createRow({ taskId, tool, args, startedAt, task = null, local = false }) {
  return {
    taskId, tool, args, startedAt, task, local,
    phase: 'resuming', handle: null, token: null, progress: null, polls: 0, asking: false, askedBeforeReload: false,
    outcome: null, summary: '', endedAt: null, cancelling: false, note: '', dom: null,
  };
}

/** A handle now follows the row: `task` is its first snapshot, `token` its resume token
 * (null for a plain call or an ended task). */
export function adopt(row, task, token, now) {
  row.phase = 'live';
  row.note = '';
  row.endedAt = null;
  row.task = task;
  if (row.startedAt === undefined) row.startedAt = Date.parse(task?.createdAt) || now;
  row.token = !row.local && !isTerminal(task?.status) ? token : null;
}

const UNREACHABLE_NOTE = 'The server did not answer; following again when it does.';

/** The server no longer knows the task. */
export function markLost(row, now, note = 'The server no longer knows this task: its session has ended.') {
  row.phase = 'lost';
  row.token = null;
  row.endedAt ??= now;
  row.note = note;
}

/**
 * The row's handle settled with `outcome` ({ kind: 'result', result } or an
 * outcomeOfError): the row's new phase, summary and end. Returns what the page must do
 * next: `recover` (the server did not answer: reconnect, then resume) and `ended` (the
 * task will never need following again: forget its resume token).
 */
export function settle(row, outcome, now, url) {
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
      markLost(row, now);
      break;
    case 'unreachable':
      row.phase = 'unreachable';
      row.note = UNREACHABLE_NOTE;
      break;
    case 'stopped':
      row.phase = 'stopped';
      row.token = null;
      row.endedAt = now;
      break;
    default:
      row.phase = 'error';
      row.endedAt = now;
      row.outcome = outcome;
      row.summary = oneLine(describeError(outcome.error, url).text);
  }
  if (row.phase === 'done') {
    // The task's own duration by the server's clock (it may have ended before the page
    // followed it); the page's clock when the server gives no times.
    const span = Date.parse(row.task?.lastUpdatedAt) - Date.parse(row.task?.createdAt);
    row.endedAt = Number.isFinite(span) && span >= 0 ? row.startedAt + span : now;
    row.token = null;
  }
  return { recover: row.phase === 'unreachable', ended: row.phase === 'done' || row.phase === 'lost' };
}

/** Resuming the row failed with `outcome` (an outcomeOfError); same answer as settle(). */
export function resumeFailed(row, outcome, now, url) {
  if (outcome.kind === 'lost') {
    markLost(row, now);
  } else if (outcome.kind === 'unreachable') {
    row.phase = 'unreachable';
    row.note = UNREACHABLE_NOTE;
  } else {
    row.phase = 'error';
    row.outcome = outcome;
    row.summary = oneLine(describeError(outcome.error, url).text);
  }
  return { recover: row.phase === 'unreachable', ended: row.phase === 'lost' };
}

/** The client closed (disconnect): a row still running is no longer followed. Returns
 * whether the row changed. */
export function stopFollowing(row, now) {
  if (isTerminal(row.task?.status) || row.phase === 'lost') return false;
  row.phase = 'stopped';
  row.token = null;
  row.endedAt ??= now;
  return true;
}

/** Whether the row waits to be followed again (after a reload or a reconnect). */
export const awaitsResume = (row) => !row.handle && (row.phase === 'resuming' || row.phase === 'unreachable');

/** Whether "Clear finished" removes the row: it is shown finished (its task ended, even
 * if its handle still fetches the result), or nothing follows it or is about to. */
export const clearable = (row) => isTerminal(row.task?.status)
  || (!row.handle && row.phase !== 'resuming' && row.phase !== 'unreachable');
