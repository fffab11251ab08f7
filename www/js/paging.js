// Which rows the task table shows: one page of at most `size` rows, newest first, so the
// table's DOM stays bounded however many tasks the page follows. Pure; tested by
// tests/www/paging.test.mjs.

/** Rows a page of the task table shows. */
export const PAGE_SIZE = 100;

/**
 * The window of page `page` over `total` rows counted from the newest: { page (clamped
 * to the pages there are), pages, start, end } with start..end (end exclusive) the
 * newest-first indices shown.
 */
export function pageWindow(total, page, size = PAGE_SIZE) {
  const pages = Math.max(1, Math.ceil(total / size));
  const p = Math.min(Math.max(0, Math.floor(page) || 0), pages - 1);
  return { page: p, pages, start: p * size, end: Math.min(total, (p + 1) * size) };
}

/** The rows of the window, newest first, from `rows` in the order they were added. */
export function windowRows(rows, { start, end }) {
  const out = [];
  for (let i = rows.length - 1 - start; i >= rows.length - end; i--) out.push(rows[i]);
  return out;
}

/** "Tasks 1–100 of 1,000 (newest first)". */
const NUMBER = new Intl.NumberFormat('en-US');

export function pageLabel({ start, end }, total) {
  const n = (x) => NUMBER.format(x);
  return total === 0 ? 'No tasks.' : `Tasks ${n(start + 1)}–${n(end)} of ${n(total)} (newest first)`;
}
