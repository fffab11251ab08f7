// Text for people: ids, arguments, durations, one-line summaries, URLs. Pure: no DOM, no
// SDK; tested by tests/www/format.test.mjs.

/** A task id short enough for a table cell (the full id goes in a title). */
export function shortId(id) {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

/** The arguments of a call as JSON text: `short` for the cell, `full` for its title. */
export function argsSummary(args) {
  let text = '';
  try { text = args === undefined ? '' : JSON.stringify(args) ?? ''; } catch { /* not JSON */ }
  if (text === '{}') text = '';
  return { short: text.length > 80 ? `${text.slice(0, 79)}…` : text, full: text.length > 500 ? `${text.slice(0, 499)}…` : text };
}

/** 4.2 s, 3 min 07 s, 2 h 05 min. */
export function formatElapsed(ms) {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Whitespace folded to single spaces, cut at `max` characters with an ellipsis. */
export function oneLine(text, max = 120) {
  const line = String(text).replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The first text block of a CallToolResult, or ''. */
export function firstText(result) {
  const block = Array.isArray(result?.content) ? result.content.find((c) => c?.type === 'text') : undefined;
  return typeof block?.text === 'string' ? block.text : '';
}

/** The words of a failed task (a TaskFailedError): its stored error result, or its
 * JSON-RPC error. */
export function failureText(err) {
  const text = firstText(err?.result);
  if (text) return text;
  if (err?.error) return `${err.error.message} (code ${err.error.code})`;
  return err?.message || 'The task failed.';
}

/** An http(s) URL as text for a link, or null for anything else (javascript:, data:…). */
export function safeHttpUrl(text) {
  try {
    const url = new URL(String(text));
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

/** The server URL the user typed, checked and resolved against `base`; throws an Error
 * with a plain message. */
export function parseServerUrl(text, base) {
  const raw = text.trim();
  if (!raw) throw new Error('Enter the server URL, for example http://127.0.0.1:8787/mcp.');
  let url;
  try {
    url = new URL(raw, base);
  } catch {
    throw new Error(`"${raw}" is not a valid URL. Use the form http://host:port/mcp.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`The URL must start with http:// or https:// (got ${url.protocol}).`);
  }
  url.hash = '';
  return url.href;
}
