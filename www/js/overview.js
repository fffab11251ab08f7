// The overview above the task table: how many tasks are in each band (running, waiting
// for input, completed, ended otherwise) and a small chart of those counts over time.
// Sampled at most every half second, whatever the rate of updates; a canvas, so its DOM
// does not grow with the tasks.

import { h, setText } from './dom.js';
import { ui } from './ui.js';
import { BANDS, bandsOf, createHistory, addSample, chartShapes } from './aggregate.js';

const WORDS = { completed: 'completed', ended: 'ended otherwise', input: 'waiting for input', running: 'running' };
const COLORS = { completed: '#2da44e', ended: '#cf222e', input: '#bf8700', running: '#0969da' };
const EVERY_MS = 500;

let history = createHistory();
let last = 0;
let timer = 0;
let pending = null;
const counts = new Map();

for (const [key] of BANDS.slice().reverse()) {
  const n = h('span', { class: 'n', text: '0' });
  counts.set(key, n);
  ui.statusCounts.append(h('li', { dataset: { band: key } }, n, ` ${WORDS[key]}`));
}

/** The counts by status changed (`byStatus`, from status.js countByStatus). */
export function showCounts(byStatus) {
  pending = bandsOf(byStatus);
  const now = performance.now();
  if (now - last >= EVERY_MS) draw(now);
  else if (!timer) timer = setTimeout(() => draw(performance.now()), EVERY_MS - (now - last));
}

/** Start a new history (the table was cleared). */
export function resetOverview() {
  history = createHistory();
}

function draw(now) {
  clearTimeout(timer);
  timer = 0;
  last = now;
  const bands = pending;
  ui.overview.hidden = bands.total === 0;
  if (bands.total === 0) return;
  for (const [key, node] of counts) setText(node, String(bands[key]));
  addSample(history, now, bands);
  const canvas = ui.statusChart;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  for (const { key, points } of chartShapes(history.samples, canvas.width, canvas.height)) {
    if (points.length < 3) continue;
    ctx.beginPath();
    ctx.moveTo(points[0][0], points[0][1]);
    for (let i = 1; i < points.length; i++) ctx.lineTo(points[i][0], points[i][1]);
    ctx.closePath();
    ctx.fillStyle = COLORS[key];
    ctx.fill();
  }
}
