// The page's state: the connection, the rows (taskId -> row, see rows.js), and the few
// events that travel against the import order (a row's handle found the server
// unreachable; the set of tasks changed), so no two modules import each other.

import { taskFeatures } from './era.js';

export const state = {
  client: null,
  url: '',
  token: '',
  sessionId: null,
  serverInfo: null,
  capabilities: null,
  protocolVersion: null,
  tools: [],
  listCursor: null,
  connecting: false,
  recovering: false,
};

/** What the server offers for tasks (era.js), from what is known now. */
export const features = () => taskFeatures(state.protocolVersion, state.capabilities);

/** taskId -> row. A row is the page's view of one task. */
export const rows = new Map();

const listeners = new Map();

/** Listen to `event`: 'unreachable' (an error that waiting may fix) or 'tasks-changed'. */
export function on(event, fn) {
  if (!listeners.has(event)) listeners.set(event, []);
  listeners.get(event).push(fn);
}

export function emit(event, value) {
  for (const fn of listeners.get(event) ?? []) fn(value);
}
