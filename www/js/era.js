// What the connected server offers for tasks, by protocol generation. Pure: it reads
// `client.protocolVersion` and `client.serverCapabilities` as the SDK reports them (or as
// saved before a reload); tested by tests/www/era.test.mjs.
//
// 2025-11-25: tasks are declared in `capabilities.tasks` (tool calls, tasks/list,
// tasks/cancel) and bound to the session. 2026-07-28: tasks are the tasks extension,
// which the SDK offers on every call; the server decides per call, there is no task
// listing (so the page remembers the tasks it started, see token-store.js), and a task
// it runs can be cancelled.

/** The first protocol revision without sessions and without `tasks/list`. Revisions are
 * dates, so later ones compare greater. */
const FIRST_MODERN = '2026-07-28';

/** 'modern' (2026-07-28 and later), 'legacy' (2025-11-25), or 'unknown' (not connected
 * yet and nothing saved). */
export function eraOf(protocolVersion) {
  if (typeof protocolVersion !== 'string' || !protocolVersion) return 'unknown';
  return protocolVersion >= FIRST_MODERN ? 'modern' : 'legacy';
}

/**
 * { era, known, taskCalls, list, cancel }: whether tool calls may run as tasks ('server' in the
 * modern era: it decides per call), whether the server lists tasks (tasks/list), and
 * whether its tasks can be cancelled. With nothing known yet, everything is tried.
 */
export function taskFeatures(protocolVersion, capabilities) {
  const era = eraOf(protocolVersion);
  if (era === 'modern') return { era, known: true, taskCalls: 'server', list: false, cancel: true };
  if (!capabilities) return { era, known: false, taskCalls: true, list: true, cancel: false };
  const tasks = capabilities.tasks;
  return {
    era,
    known: true,
    taskCalls: tasks?.requests?.tools?.call !== undefined,
    list: tasks?.list !== undefined,
    cancel: tasks?.cancel !== undefined,
  };
}

/** How a tool runs, for its badge and its button: 'forbidden', 'optional', 'required'
 * (the tool's `execution.taskSupport`), or 'server' (2026-07-28 without one: the server
 * decides when the call arrives). */
export function toolTaskSupport(tool, features) {
  const s = tool?.execution?.taskSupport;
  if (s === 'optional' || s === 'required' || s === 'forbidden') return s;
  return features.era === 'modern' ? 'server' : 'forbidden';
}

/** Whether the tool's form starts a task (otherwise it makes a plain call). */
export function startsTask(support, features) {
  return support !== 'forbidden' && features.taskCalls !== false;
}

/** The lines of the server's task capabilities: [label, yes, note?]. */
export function capabilityLines(features) {
  if (features.era === 'modern') {
    return [
      ['Tool calls as tasks', true, 'the server decides per call'],
      ['List tasks (tasks/list)', false, 'not in 2026-07-28: this page remembers the tasks it started'],
      ['Cancel tasks (tasks/cancel)', true],
    ];
  }
  const yes = (v) => features.known && v === true;
  return [
    ['Tool calls as tasks', yes(features.taskCalls)],
    ['List tasks (tasks/list)', yes(features.list)],
    ['Cancel tasks (tasks/cancel)', yes(features.cancel)],
  ];
}
