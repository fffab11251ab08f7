// What a row's status is called and what it offers. Pure: rows are plain objects (see
// rows.js); tested by tests/www/status.test.mjs.

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** Whether a task status is final. */
export const isTerminal = (status) => TERMINAL.has(status);

/** Every status the table shows, in the order of the summary: [icon, words]. The page's
 * own states (resuming, unreachable, lost, stopped, error, expired) sit beside the
 * server's. */
export const STATUS_TEXT = {
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

/** [icon, words] of a status, a generic pair for one this page does not know. */
export const statusText = (status) => STATUS_TEXT[status] ?? ['•', String(status)];

const PAGE_PHASES = new Set(['lost', 'unreachable', 'resuming', 'error', 'stopped']);

/** What the status column shows: the server's status, or the page's own view of the row. */
export function displayStatus(row) {
  if (PAGE_PHASES.has(row.phase)) return row.phase;
  if (row.outcome?.kind === 'expired') return 'expired';
  return row.task?.status ?? 'resuming';
}

/** The note of a task waiting for input. */
export function inputNote(row, status) {
  if (status !== 'input_required') return '';
  if (row.asking) return 'Waiting for your answer under “Input needed”.';
  if (row.askedBeforeReload) {
    return 'The server asked its question before the page was reloaded and does not ask again: cancel this task and start a new one.';
  }
  return 'Waiting for the server’s question…';
}

/** The label of the row's detail button, or null for none. */
export function viewLabelOf(status) {
  if (status === 'completed') return 'View result';
  if (status === 'failed') return 'View error';
  if (status === 'cancelled' || status === 'expired' || status === 'lost' || status === 'error') return 'Details';
  return null;
}

/** Whether the row offers a Cancel button: a server task still running and followed (or
 * waiting for the server), on a connected client whose server cancels tasks. */
export function canCancel(row, { connected, cancel }) {
  return !row.local && !isTerminal(row.task?.status)
    && (row.phase === 'live' || row.phase === 'unreachable')
    && connected && cancel;
}

/** Counts by displayed status, in STATUS_TEXT order (unknown statuses last). */
export function countByStatus(rows) {
  const counts = new Map();
  for (const row of rows) {
    const s = displayStatus(row);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  const ordered = new Map();
  for (const key of Object.keys(STATUS_TEXT)) if (counts.has(key)) ordered.set(key, counts.get(key));
  for (const [key, n] of counts) if (!ordered.has(key)) ordered.set(key, n);
  return ordered;
}

/** "3 tasks: 1 working, 2 completed", or "No tasks yet.". */
export function summaryText(rows) {
  const counts = countByStatus(rows);
  let total = 0;
  for (const n of counts.values()) total += n;
  if (total === 0) return 'No tasks yet.';
  const parts = [...counts].map(([key, n]) => `${n} ${statusText(key)[1].replace('…', '')}`);
  return `${total} task${total === 1 ? '' : 's'}: ${parts.join(', ')}`;
}
