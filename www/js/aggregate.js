// The overview of many tasks: counts by status folded into four bands (running, waiting
// for input, completed, ended otherwise), and their history over time for a small chart,
// bounded however long the page runs. Pure; tested by tests/www/aggregate.test.mjs.

/** The chart's bands, bottom to top, and the statuses each one holds. */
export const BANDS = [
  ['completed', ['completed']],
  ['ended', ['failed', 'cancelled', 'expired', 'lost', 'error', 'stopped']],
  ['input', ['input_required']],
  ['running', ['working', 'resuming', 'unreachable']],
];

/** { completed, ended, input, running, total } from counts by status (a Map or an
 * object); a status no band names counts as running (it has not ended). */
export function bandsOf(counts) {
  const out = { completed: 0, ended: 0, input: 0, running: 0, total: 0 };
  const entries = counts instanceof Map ? counts.entries() : Object.entries(counts);
  for (const [status, n] of entries) {
    const band = BANDS.find(([, statuses]) => statuses.includes(status))?.[0] ?? 'running';
    out[band] += n;
    out.total += n;
  }
  return out;
}

/** A history of band samples, at most `max` kept: past it, every other old sample goes,
 * so the chart always spans the whole run at a coarser step. */
export function createHistory(max = 240) {
  return { max, samples: [] };
}

/** Add a sample at time `t` (ms). A sample equal to the last two is merged into the
 * last (its time moves on), so a quiet page adds nothing. Returns the history. */
export function addSample(history, t, bands) {
  const s = history.samples;
  const same = (a) => a && a.completed === bands.completed && a.ended === bands.ended
    && a.input === bands.input && a.running === bands.running;
  if (s.length >= 2 && same(s[s.length - 1]) && same(s[s.length - 2])) {
    s[s.length - 1] = { t, ...bands };
    return history;
  }
  s.push({ t, ...bands });
  if (s.length > history.max) {
    // Keep the first and the newest; thin what lies between.
    const last = s.pop();
    history.samples = s.filter((_, i) => i % 2 === 0);
    history.samples.push(last);
  }
  return history;
}

/**
 * The chart as stacked polygons in a `width` × `height` box: for each band, bottom to top,
 * an array of [x, y] points (y grows downwards, as on a canvas), or [] when it is empty.
 */
export function chartShapes(samples, width, height) {
  if (samples.length === 0) return BANDS.map(([key]) => ({ key, points: [] }));
  const t0 = samples[0].t;
  const span = Math.max(1, samples[samples.length - 1].t - t0);
  const top = Math.max(1, ...samples.map((s) => s.total));
  const x = (s) => (samples.length === 1 ? width : ((s.t - t0) / span) * width);
  const y = (v) => height - (v / top) * height;
  const below = samples.map(() => 0);
  return BANDS.map(([key]) => {
    if (!samples.some((s) => s[key] > 0)) return { key, points: [] };
    const lower = samples.map((s, i) => [x(s), y(below[i])]);
    const upper = samples.map((s, i) => [x(s), y((below[i] += s[key]))]);
    return { key, points: [...upper, ...lower.reverse()] };
  });
}
