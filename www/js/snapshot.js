// The tab's saved view (sessionStorage): the connection and every row, so a reload shows
// the same table and follows the same tasks. Pure: JSON in, JSON out; persist.js does the
// storage. Tested by tests/www/snapshot.test.mjs.

import { createRow } from './rows.js';
import { eraOf } from './era.js';

/** Rows kept at most (the newest). */
export const MAX_SAVED_TASKS = 2000;

/** The saved form of the page: `conn` is the connection state (url, token, sessionId,
 * serverInfo, capabilities, protocolVersion), `rows` every row, oldest first. */
export function snapshotOf(conn, rows, disconnected) {
  const tasks = [];
  for (const row of rows) {
    tasks.push({
      taskId: row.taskId,
      tool: row.tool,
      args: row.args,
      startedAt: row.startedAt,
      endedAt: row.endedAt,
      task: row.task,
      token: row.token,
      phase: row.phase,
      polls: row.polls,
      progress: row.progress,
      summary: row.summary,
      outcomeKind: row.outcome?.kind ?? null,
      local: row.local,
    });
  }
  return {
    disconnected,
    url: conn.url,
    token: conn.token,
    sessionId: conn.sessionId,
    serverInfo: conn.serverInfo,
    capabilities: conn.capabilities,
    protocolVersion: conn.protocolVersion,
    tasks: tasks.slice(-MAX_SAVED_TASKS),
  };
}

/** The saved page from its JSON text, or null when there is none or it is unusable. */
export function parseSnapshot(raw) {
  if (!raw) return null;
  try {
    const data = JSON.parse(raw);
    return data && typeof data.url === 'string' ? data : null;
  } catch {
    return null;
  }
}

/** The rows of a saved page. A row that was followed comes back 'resuming'; when the user
 * had disconnected it comes back 'stopped' (ended `now`). */
export function restoreRows(saved, now) {
  const rows = [];
  for (const t of Array.isArray(saved?.tasks) ? saved.tasks : []) {
    if (!t || typeof t.taskId !== 'string') continue;
    const row = createRow({ taskId: t.taskId, tool: t.tool ?? '?', args: t.args, startedAt: t.startedAt ?? now, task: t.task ?? null, local: !!t.local });
    row.polls = t.polls ?? 0;
    row.progress = t.progress ?? null;
    row.summary = t.summary ?? '';
    row.endedAt = t.endedAt ?? null;
    row.token = t.token ?? null;
    if (t.outcomeKind) row.outcome = { kind: t.outcomeKind, restored: true };
    // A 2025-11-25 server asks once, on the held tasks/result the reload cut; a 2026-07-28
    // task keeps its open input requests in the task, so the resumed handle asks again.
    row.askedBeforeReload = t.task?.status === 'input_required' && eraOf(saved.protocolVersion) !== 'modern';
    const live = t.phase === 'live' || t.phase === 'resuming' || t.phase === 'unreachable';
    row.phase = live ? 'resuming' : t.phase ?? 'done';
    if (saved.disconnected && row.phase === 'resuming') {
      // The user disconnected before the reload: show the history, follow nothing.
      row.phase = 'stopped';
      row.endedAt ??= now;
    }
    rows.push(row);
  }
  return rows;
}
