// Small helpers shared by the bench harness: statistics, formatting, logging.

export const log = (...args) => process.stderr.write(`[bench] ${args.join(' ')}\n`);

export function envInt(name, dflt, min = 0) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got ${raw}`);
  return n;
}

export function envList(name, dflt) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

export function envIntList(name, dflt) {
  return envList(name, dflt.map(String)).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: not a positive integer: ${s}`);
    return n;
  });
}

/** Nearest-rank percentile (p in 0..100) of numbers; NaN for an empty list. */
export function percentile(values, p) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const rank = Math.ceil((p / 100) * v.length);
  return v[Math.min(v.length - 1, Math.max(0, rank - 1))];
}

export const median = (values) => {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

export const mean = (values) => {
  const v = values.filter(Number.isFinite);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
};

export const max = (values) => {
  const v = values.filter(Number.isFinite);
  return v.length ? Math.max(...v) : NaN;
};

export const min = (values) => {
  const v = values.filter(Number.isFinite);
  return v.length ? Math.min(...v) : NaN;
};

export const round = (x, digits = 3) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);

export function ratio(a, b) {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return NaN;
  return a / b;
}

export function fmtRatio(r) {
  if (!Number.isFinite(r)) return 'n/a';
  if (r === 0) return '0';
  if (r < 0.01) return r.toPrecision(2);
  return r.toFixed(r < 10 ? 2 : 1);
}

export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return 'n/a';
  if (Math.abs(ms) >= 100) return `${ms.toFixed(0)} ms`;
  if (Math.abs(ms) >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function fmtBytes(b) {
  if (!Number.isFinite(b)) return 'n/a';
  if (Math.abs(b) >= 1024 * 1024) return `${(b / 1024 / 1024).toFixed(2)} MiB`;
  if (Math.abs(b) >= 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${b.toFixed(0)} B`;
}

export function fmtNum(x, digits = 2) {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
