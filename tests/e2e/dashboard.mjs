// The dashboard (www/) in real headless Chromium against the real reference server.
// Run: tests/with-servers.sh node --test tests/e2e/dashboard.mjs
// (with-servers.sh starts the servers with `--static .`, so /www/ and /pkg/ are served
// from the same origin as /mcp). Screenshots go to target/e2e/.
//
// The tests run in order on one page, as one person would use it. Every wait is on a DOM
// state (30 s each), never a fixed sleep. Any console error, page error or dialog fails.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { probeErrors } from '../probe-errors.mjs';

const MCP = process.env.MCP_TEST_SERVER;
assert.ok(MCP, 'MCP_TEST_SERVER is not set: run through tests/with-servers.sh');
const ORIGIN = new URL(MCP).origin;
const PAGE = `${ORIGIN}/www/?server=${encodeURIComponent(MCP)}`;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHOTS = path.join(ROOT, 'target', 'e2e');
const STEP = 30_000;
const T = { timeout: 120_000 };

let browser;
let page;
const problems = []; // console errors, page errors, dialogs
// Console errors a test provokes on purpose: Chromium logs every failed fetch ("Failed to
// load resource: ...") as a console error, so the tests that stop the server or answer
// 401/404 name the exact network errors they expect. Nothing else is ever tolerated.
let expectedNetworkErrors = [];
let shot = 0;

let probe; // the era probe's expected 4xx lines (tests/probe-errors.mjs)

function watch(p) {
  probe = probeErrors(p);
  p.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (expectedNetworkErrors.some((re) => re.test(text))) return;
    if (probe.hold(text)) return;
    problems.push(`console error: ${text} (${msg.location().url})`);
  });
  p.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  p.on('dialog', async (dialog) => {
    problems.push(`dialog (${dialog.type()}): ${dialog.message()}`);
    await dialog.dismiss().catch(() => {});
  });
}

async function screenshot(name, p = page) {
  shot++;
  await p.screenshot({ path: path.join(SHOTS, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: !name.startsWith('500') });
}

const row = (id, p = page) => p.locator(`#task-rows tr[data-task-id="${id}"]`);

async function waitStatus(id, status, p = page) {
  await p.locator(`#task-rows tr[data-task-id="${id}"][data-status="${status}"]`).waitFor({ timeout: STEP });
}

/** Open the tool's card, put `args` in its form, start it; resolves with the new task id. */
async function startTool(name, args, page_ = page) {
  const page = page_;
  const card = page.locator(`details.tool[data-tool="${name}"]`);
  if (!(await card.evaluate((d) => d.open))) await card.locator('summary').click();
  await card.getByLabel('Arguments (JSON)').fill(JSON.stringify(args));
  const output = card.locator('output.start-status');
  await output.evaluate((o) => { delete o.dataset.taskId; });
  await card.getByRole('button', { name: /^(Start task|Call tool)$/ }).click();
  await card.locator('output.start-status[data-task-id]').waitFor({ timeout: STEP });
  const id = await output.getAttribute('data-task-id');
  await row(id, page).waitFor({ timeout: STEP });
  return id;
}

/** Every visible form control and button has an accessible name (label, aria-label, text). */
async function assertLabelled(p = page) {
  const unnamed = await p.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('input, select, textarea, button, progress')) {
      if (el.closest('[hidden]') || el.hidden) continue;
      const name = (el.labels && [...el.labels].map((l) => l.textContent).join(' ').trim())
        || el.getAttribute('aria-label')
        || (el.getAttribute('aria-labelledby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim()
        || (el.tagName === 'BUTTON' ? el.textContent.trim() : '');
      if (!name) out.push(el.outerHTML.slice(0, 120));
    }
    return out;
  });
  assert.deepEqual(unnamed, [], 'controls without an accessible name');
}

/** Open the result panel of a task and return its text. */
async function viewDetail(id, buttonName) {
  await row(id).getByRole('button', { name: new RegExp(`^${buttonName}`) }).click();
  await page.locator('#detail:not([hidden])').waitFor({ timeout: STEP });
  await page.locator('#detail-body :is(pre, p):not(.muted)').first().waitFor({ timeout: STEP });
  return page.locator('#detail-body').innerText();
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  page = await context.newPage();
  page.setDefaultTimeout(STEP);
  watch(page);
});

after(async () => {
  await browser?.close();
});

afterEach(() => {
  expectedNetworkErrors = [];
  const unexplained = probe.unexplained().map((t) => `console error: ${t}`);
  assert.deepEqual([...problems.splice(0), ...unexplained], [], 'no console errors, page errors or dialogs');
});

test('the page loads under a strict CSP, connects and shows the server and its tools', T, async () => {
  const response = await page.goto(PAGE);
  assert.equal(response.status(), 200);
  const csp = response.headers()['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /style-src 'self'/);
  await page.locator('html[data-ready="true"]').waitFor();
  assert.equal(await page.getByLabel('Server URL').inputValue(), MCP);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.locator('#conn-state[data-state="online"]').waitFor();
  // The client runs in a Web Worker (mcp-tasks-wasm/worker), under the page's policy too.
  assert.equal(await page.getAttribute('html', 'data-client'), 'worker');
  assert.equal(page.workers().length, 1);
  assert.match(page.workers()[0].url(), /\/pkg\/worker-host\.js$/);
  assert.equal(await page.locator('#info-name').innerText(), 'mcp-tasks-reference');
  assert.equal(await page.locator('#info-version').innerText(), '1.0.0');
  assert.match(await page.locator('#info-caps').innerText(), /Tool calls as tasks: yes/);
  assert.match(await page.locator('#info-caps').innerText(), /Cancel tasks \(tasks\/cancel\): yes/);
  await page.locator('details.tool[data-tool="sleep"]').waitFor();
  assert.equal(await page.locator('details.tool[data-tool="sleep"] .badge').innerText(), 'task optional');
  assert.equal(await page.locator('details.tool[data-tool="must_task"] .badge').innerText(), 'task required');
  assert.equal(await page.locator('details.tool[data-tool="echo"] .badge').innerText(), 'no task');
  await assertLabelled();
  await screenshot('connected');
});

test('arguments are checked against the input schema before sending', T, async () => {
  const card = page.locator('details.tool[data-tool="sleep"]');
  await card.locator('summary').click();
  await card.getByLabel('Arguments (JSON)').fill('{"ms": "slow", "text": 3}');
  await card.getByRole('button', { name: 'Start task' }).click();
  const errors = card.locator('.field-error:not([hidden])');
  await errors.waitFor();
  const text = await errors.innerText();
  assert.match(text, /arguments\.ms must be an integer, not a string/);
  assert.match(text, /arguments\.text must be a string/);
  assert.equal(await card.getByLabel('Arguments (JSON)').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#task-rows tr').count(), 0, 'nothing was sent');
  await card.getByLabel('Arguments (JSON)').fill('{"ms": -1}');
  await card.getByRole('button', { name: 'Start task' }).click();
  await card.locator('.field-error:not([hidden])', { hasText: 'arguments.ms must be at least 0' }).waitFor();
  await card.getByLabel('Arguments (JSON)').fill('{oops');
  await card.getByRole('button', { name: 'Start task' }).click();
  await card.locator('.field-error:not([hidden])', { hasText: 'not valid JSON' }).waitFor();
  await screenshot('invalid-arguments');
});

test('sleep runs as a task and completes with its result (keyboard only)', T, async () => {
  const card = page.locator('details.tool[data-tool="sleep"]');
  if (await card.evaluate((d) => d.open)) await card.locator('summary').click();
  await card.locator('summary').focus();
  await page.keyboard.press('Enter'); // opens the card
  assert.ok(await card.evaluate((d) => d.open));
  await card.getByLabel('Arguments (JSON)').focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(JSON.stringify({ ms: 600, text: 'slept well', pollInterval: 200 }));
  await card.locator('output.start-status').evaluate((o) => { delete o.dataset.taskId; });
  await page.keyboard.press('Tab'); // Copies
  await page.keyboard.press('Tab'); // Start task
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Start task');
  await page.keyboard.press('Enter');
  await card.locator('output.start-status[data-task-id]').waitFor();
  const id = await card.locator('output.start-status').getAttribute('data-task-id');
  await waitStatus(id, 'completed');
  await row(id).locator('.outcome', { hasText: 'Result: slept well' }).waitFor();
  assert.match(await row(id).locator('.status').innerText(), /completed/, 'status is written out, not only coloured');
  assert.ok(Number(await row(id).locator('td.num').nth(1).innerText()) >= 0);
  await row(id).getByRole('button', { name: /^View result/ }).focus();
  await page.keyboard.press('Enter');
  await page.locator('#detail:not([hidden]) pre.text', { hasText: 'slept well' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'detail-h', 'focus moves to the panel');
  await screenshot('sleep-completed');
  await page.keyboard.press('Escape');
  await page.locator('#detail').waitFor({ state: 'hidden' });
  assert.match(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), /^View result of task/, 'focus returns');
});

test('?client=page runs the client on the page (no worker): a task completes there too', T, async () => {
  const p = await freshPage();
  try {
    await p.goto(`${PAGE}&client=page`);
    await p.locator('html[data-ready="true"][data-client="page"]').waitFor();
    await p.getByRole('button', { name: 'Connect' }).click();
    await p.locator('#conn-state[data-state="online"]').waitFor();
    assert.equal(p.workers().length, 0, 'no worker started');
    const id = await startTool('sleep', { ms: 300, text: 'slept on the page' }, p);
    await waitStatus(id, 'completed', p);
    await row(id, p).locator('.outcome', { hasText: 'Result: slept on the page' }).waitFor();
  } finally {
    await p.context().close();
  }
});

test('progress notifications drive a progress bar', T, async () => {
  const id = await startTool('progress', { steps: 4, ms: 250 });
  await page.locator(`#task-rows tr[data-task-id="${id}"] progress:not([hidden])`).waitFor();
  await waitStatus(id, 'completed');
  await page.waitForFunction((tid) => {
    const tr = document.querySelector(`#task-rows tr[data-task-id="${tid}"]`);
    return tr?.querySelector('.bar-text')?.textContent === '4/4';
  }, id, { timeout: STEP });
  assert.equal(await row(id).locator('progress').evaluate((p) => p.value), 4);
  assert.match(await row(id).locator('.msg').innerText(), /step 4\/4/);
});

test('forever runs until it is cancelled from its row', T, async () => {
  const id = await startTool('forever', {});
  await waitStatus(id, 'working');
  await screenshot('forever-working');
  await row(id).getByRole('button', { name: /^Cancel task/ }).click();
  await waitStatus(id, 'cancelled');
  assert.equal(await row(id).getByRole('button', { name: /^Cancel task/ }).count(), 0, 'no cancel button on a cancelled task');
  await screenshot('forever-cancelled');
});

test('a failed task shows its stored error', T, async () => {
  const id = await startTool('fail', { message: 'the disk is on fire', ms: 50 });
  await waitStatus(id, 'failed');
  await row(id).locator('.outcome', { hasText: 'Error: the disk is on fire' }).waitFor();
  const body = await viewDetail(id, 'View error');
  assert.match(body, /The task failed/);
  assert.match(body, /the disk is on fire/);
  await screenshot('fail-error');
  await page.getByRole('button', { name: 'Close' }).click();
});

test('ask is answered in a form generated from the requested schema', T, async () => {
  const id = await startTool('ask', { message: 'Who are you?' });
  const form = page.locator(`#elicitations form.elicit[data-task-id="${id}"]`);
  await form.waitFor();
  await waitStatus(id, 'input_required');
  assert.equal(await form.locator('.elicit-msg').innerText(), 'Who are you?');
  const name = form.getByLabel('Name');
  assert.equal(await name.getAttribute('required'), '');
  await assertLabelled();
  await screenshot('ask-form');
  // An empty required field is refused in plain words.
  await form.getByRole('button', { name: 'Send' }).click();
  await form.locator('.field-error:not([hidden])', { hasText: 'Please fill in “Name”' }).waitFor();
  await name.fill('Ada Lovelace');
  await name.press('Enter');
  await form.waitFor({ state: 'detached' });
  await waitStatus(id, 'completed');
  await row(id).locator('.outcome', { hasText: 'Result: Hello, Ada Lovelace!' }).waitFor();
  assert.ok(await page.locator('#inputs').isHidden(), 'the input section closes when nothing is asked');
});

test('a reload resumes a running task in the same session and it completes', T, async () => {
  const sessionBefore = await page.locator('#info-session').innerText();
  const id = await startTool('sleep', { ms: 4000, text: 'survived the reload', pollInterval: 300 });
  const prog = await startTool('progress', { steps: 8, ms: 500 });
  await waitStatus(id, 'working');
  await waitStatus(prog, 'working');
  const rowsBefore = await page.locator('#task-rows tr').count();
  await page.reload();
  await page.locator('html[data-ready="true"]').waitFor();
  await page.locator('#conn-state[data-state="online"]').waitFor();
  assert.equal(await page.locator('#info-session').innerText(), sessionBefore, 'same session');
  await row(id).waitFor();
  assert.equal(await page.locator('#task-rows tr').count(), rowsBefore, 'every row came back');
  await screenshot('after-reload');
  await waitStatus(id, 'completed');
  await row(id).locator('.outcome', { hasText: 'Result: survived the reload' }).waitFor();
  // Progress keeps coming for a resumed task, too.
  await waitStatus(prog, 'completed');
  await page.waitForFunction((tid) => document.querySelector(`#task-rows tr[data-task-id="${tid}"] .bar-text`)?.textContent === '8/8', prog, { timeout: STEP });
  // Tasks that finished before the reload keep their status and their stored result.
  const done = page.locator('#task-rows tr[data-tool="fail"][data-status="failed"]');
  await done.waitFor();
  const failedId = await done.getAttribute('data-task-id');
  assert.match(await viewDetail(failedId, 'View error'), /the disk is on fire/);
  await page.getByRole('button', { name: 'Close' }).click();
  // The server's own list shows this session's tasks; the followed one is marked so.
  await page.locator(`#server-task-rows tr[data-task-id="${id}"]`).waitFor();
  await screenshot('resumed-completed');
});

test('tasks from tasks/list can be followed again', T, async () => {
  await page.getByRole('button', { name: 'Clear finished' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#task-rows tr').length === 0, null, { timeout: STEP });
  await page.getByRole('button', { name: 'Refresh' }).click();
  const candidate = page.locator('#server-task-rows tr[data-status="completed"]:has(button:text-is("Follow"))').first();
  await candidate.waitFor();
  const id = await candidate.getAttribute('data-task-id');
  // The list refreshes itself now and then: address the row by its task id.
  await page.locator(`#server-task-rows tr[data-task-id="${id}"] button`).click();
  await waitStatus(id, 'completed');
  await screenshot('followed-from-list');
});

test('a statusMessage with HTML is shown as text, never as markup', T, async () => {
  const payload = '<img src=x onerror=alert(1)>';
  const id = await startTool('sleep', { ms: 1500, text: 'xss done', statusMessage: payload, pollInterval: 200 });
  await page.waitForFunction(([tid, text]) => {
    const cell = document.querySelector(`#task-rows tr[data-task-id="${tid}"] .msg`);
    return cell?.textContent === text;
  }, [id, payload], { timeout: STEP });
  assert.equal(await page.locator('img').count(), 0, 'no img element anywhere');
  assert.equal(await row(id).locator('.msg').innerText(), payload);
  await waitStatus(id, 'completed');
  assert.equal(await page.locator('img').count(), 0);
  assert.equal(await row(id).locator('.msg').innerText(), payload);
  const body = await viewDetail(id, 'View result');
  assert.match(body, /xss done/);
  assert.ok(body.includes(payload), 'the detail panel quotes it as text too');
  assert.equal(await page.locator('img').count(), 0);
  await screenshot('xss-as-text');
  await page.getByRole('button', { name: 'Close' }).click();
});

// ---------------------------------------------------------------------------
// Errors and recovery, each on a fresh tab (fresh sessionStorage)
// ---------------------------------------------------------------------------

/** A reference server of our own (so it can be stopped), on `port` (0 = any). */
async function startServer(port = 0) {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-e2e-'));
  const child = spawn(process.execPath, [path.join(ROOT, 'tests/server/server.mjs'), '--port', String(port), '--port-file', path.join(dir, 'port')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening on (http:\/\/\S+\/mcp)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  rmSync(dir, { recursive: true, force: true });
  return { child, url, port: Number(new URL(url).port) };
}

async function killServer(server) {
  if (server.child.exitCode !== null) return;
  server.child.kill('SIGKILL'); // a crash: no goodbye to the sessions
  await once(server.child, 'exit');
}

/** Open the dashboard at `url` on `p` and connect to the server it names. */
async function connectTo(p, url) {
  await p.goto(url);
  await p.locator('html[data-ready="true"]').waitFor();
  await p.getByRole('button', { name: 'Connect' }).click();
  await p.locator('#conn-state[data-state="online"]').waitFor();
}

async function freshPage() {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const p = await context.newPage();
  p.setDefaultTimeout(STEP);
  watch(p);
  return p;
}

test('a bad URL, a wrong path, a blocked origin and a 401 are explained in plain words, and a good token recovers', T, async () => {
  expectedNetworkErrors = [
    /Failed to load resource: the server responded with a status of (401|405)/,
    // The step that tries a server the page's CSP does not allow:
    /^Connecting to 'http:\/\/example\.invalid\/mcp' violates the following Content Security Policy directive: "connect-src/,
    /^Fetch API cannot load http:\/\/example\.invalid\/mcp\. Refused to connect because it violates the document's Content Security Policy/,
  ];
  const p = await freshPage();
  try {
    await p.goto(`${ORIGIN}/www/`);
    await p.locator('html[data-ready="true"]').waitFor();
    assert.equal(await p.getByLabel('Server URL').inputValue(), MCP, 'defaults to /mcp on the page origin');

    await p.getByLabel('Server URL').fill('http://[oops]/mcp');
    await p.getByRole('button', { name: 'Connect' }).click();
    await p.locator('#server-url-error:not([hidden])', { hasText: 'is not a valid URL' }).waitFor();
    assert.equal(await p.getByLabel('Server URL').getAttribute('aria-invalid'), 'true');
    await p.getByLabel('Server URL').fill('ftp://127.0.0.1/mcp');
    await p.getByRole('button', { name: 'Connect' }).click();
    await p.locator('#server-url-error:not([hidden])', { hasText: 'must start with http:// or https://' }).waitFor();

    await p.getByLabel('Server URL').fill('http://example.invalid/mcp');
    await p.getByRole('button', { name: 'Connect' }).click();
    await p.locator('#banner:not([hidden])', { hasText: 'security policy (CSP connect-src) does not allow' }).waitFor();
    assert.ok(await p.locator('#banner-retry').isHidden(), 'no pointless retrying');

    await p.getByLabel('Server URL').fill(`${ORIGIN}/not-mcp`);
    await p.getByRole('button', { name: 'Connect' }).click();
    await p.locator('#banner:not([hidden])', { hasText: 'No MCP endpoint answers' }).waitFor();
    assert.ok(await p.locator('#server-url-error').isHidden());

    // A server that wants a token: answer 401 unless the right one comes.
    const seen = [];
    await p.route(MCP, (route) => {
      const auth = route.request().headers().authorization;
      seen.push(auth);
      if (auth !== 'Bearer right') {
        return route.fulfill({ status: 401, contentType: 'application/json', body: '{"error":"unauthorized"}' });
      }
      return route.continue();
    });
    await p.getByLabel('Server URL').fill(MCP);
    await p.getByLabel('Bearer token').fill('wrong');
    await p.getByRole('button', { name: 'Connect' }).click();
    await p.locator('#banner:not([hidden])', { hasText: 'HTTP 401' }).waitFor();
    assert.match(await p.locator('#banner-text').innerText(), /token is missing, wrong or expired/);
    assert.equal(await p.locator('#conn-state').getAttribute('data-state'), 'error');
    await screenshot('error-401', p);

    await p.getByLabel('Bearer token').fill('right');
    await p.getByRole('button', { name: 'Connect' }).click();
    await p.locator('#conn-state[data-state="online"]').waitFor();
    assert.ok(await p.locator('#banner').isHidden(), 'the error is gone');
    assert.ok(seen.includes('Bearer wrong') && seen.includes('Bearer right'));
    await p.unroute(MCP);
  } finally {
    await p.context().close();
  }
});

test('a dropped session: the running task is shown lost and the page goes on', T, async () => {
  expectedNetworkErrors = [/Failed to load resource: the server responded with a status of 404/];
  const p = await freshPage();
  try {
    await connectTo(p, PAGE);
    const session = await p.locator('#info-session').innerText();
    const id = await startTool('forever', {}, p);
    await waitStatus(id, 'working', p);
    const r = await fetch(`${ORIGIN}/admin/drop-session?session=${encodeURIComponent(session)}`, { method: 'POST' });
    assert.equal(r.status, 200);
    await p.reload();
    await p.locator('#conn-state[data-state="online"]').waitFor();
    await waitStatus(id, 'lost', p);
    await p.locator('#banner:not([hidden])', { hasText: 'previous session has ended' }).waitFor();
    assert.notEqual(await p.locator('#info-session').innerText(), session, 'a new session');
    assert.match(await row(id, p).locator('.outcome').innerText(), /no longer knows this task/);
    await screenshot('session-lost', p);
    const next = await startTool('sleep', { ms: 100, text: 'new session works' }, p);
    await waitStatus(next, 'completed', p);
  } finally {
    await p.context().close();
  }
});

test('the server goes down: the page says so, and recovers when it returns', T, async () => {
  expectedNetworkErrors = [
    /Failed to load resource: net::ERR_/,
    /Failed to load resource: the server responded with a status of 404/,
  ];
  let server = await startServer();
  const p = await freshPage();
  try {
    // The page on one origin, the MCP server on another (CORS, CSP connect-src).
    await p.goto(`${ORIGIN}/www/?server=${encodeURIComponent(server.url)}`);
    await p.locator('html[data-ready="true"]').waitFor();
    await p.getByRole('button', { name: 'Connect' }).click();
    await p.locator('#conn-state[data-state="online"]').waitFor();
    const id = await startTool('forever', { pollInterval: 200 }, p);
    await waitStatus(id, 'working', p);

    await killServer(server);
    await p.locator('#banner:not([hidden])', { hasText: 'Cannot reach the server' }).waitFor();
    await p.locator('#conn-state[data-state="offline"]').waitFor();
    await waitStatus(id, 'unreachable', p);
    await screenshot('server-down', p);

    server = await startServer(server.port);
    // The page's own retry may get there first on a busy machine (the banner, and its
    // button, are gone then): click only while it is offered.
    const retry = p.getByRole('button', { name: 'Retry now' });
    if (await retry.isVisible()) await retry.click({ timeout: 2_000 }).catch(() => {});
    await p.locator('#conn-state[data-state="online"]').waitFor();
    // The restarted server has forgotten the session, and with it the task.
    await waitStatus(id, 'lost', p);
    await p.locator('#banner:not([hidden])', { hasText: 'previous session has ended' }).waitFor();
    const next = await startTool('sleep', { ms: 100, text: 'back again' }, p);
    await waitStatus(next, 'completed', p);
    await row(next, p).locator('.outcome', { hasText: 'Result: back again' }).waitFor();
    await screenshot('server-back', p);
  } finally {
    await p.context().close();
    await killServer(server);
  }
});

// ---------------------------------------------------------------------------
// 2026-07-28 (the tasks extension): no session, no tasks/list; the page remembers the
// tasks it started (resume tokens in localStorage, by endpoint) and re-attaches to them
// ---------------------------------------------------------------------------

const MODERN = process.env.MCP_TEST_MODERN;
assert.ok(MODERN, 'MCP_TEST_MODERN is not set: run through tests/with-servers.sh');
const MODERN_PAGE = `${ORIGIN}/www/?server=${encodeURIComponent(MODERN)}`;
const TOKENS_KEY = `mcp-tasks-dashboard/tokens/v1 ${MODERN}`;

/** The task ids remembered for the modern endpoint in the page's localStorage. */
const remembered = (p) => p.evaluate((key) => (JSON.parse(localStorage.getItem(key) ?? '{"tasks":[]}').tasks ?? []).map((t) => t.taskId), TOKENS_KEY);

async function waitRemembered(p, id, yes) {
  await p.waitForFunction(([key, tid, want]) => {
    const list = JSON.parse(localStorage.getItem(key) ?? '{"tasks":[]}').tasks ?? [];
    return list.some((t) => t.taskId === tid) === want;
  }, [TOKENS_KEY, id, yes], { timeout: STEP });
}

async function modernStats() {
  const r = await fetch(new URL('/admin/stats', MODERN));
  assert.equal(r.status, 200);
  return (await r.json()).requests.byMethod;
}

const connectModern = (p) => connectTo(p, MODERN_PAGE);

test('2026-07-28: the server card says what the era offers, and tasks/list is never asked', T, async () => {
  const p = await freshPage();
  try {
    await connectModern(p);
    assert.equal(await p.locator('#info-protocol').innerText(), '2026-07-28');
    assert.equal(await p.locator('#info-session').innerText(), 'none');
    const caps = await p.locator('#info-caps').innerText();
    assert.match(caps, /Tool calls as tasks: yes \(the server decides per call\)/);
    assert.match(caps, /List tasks \(tasks\/list\): no/);
    assert.match(caps, /Cancel tasks \(tasks\/cancel\): yes/);
    assert.equal(await p.locator('details.tool[data-tool="sleep"] .badge').innerText(), 'server decides');
    assert.equal(await p.locator('details.tool[data-tool="sleep"] button[type="submit"]').textContent(), 'Start task', 'offered as a task');
    const note = await p.locator('#server-tasks-note').innerText();
    assert.match(note, /no task listing/);
    assert.doesNotMatch(note, /Could not list/);
    assert.ok(await p.getByRole('button', { name: 'Refresh' }).isDisabled());
    // A task starts, ends, and tasks/list was never sent (the SDK would refuse it anyway,
    // and the page would then say "Could not list the tasks").
    const id = await startTool('sleep', { ms: 200, text: 'modern sleep' }, p);
    await waitStatus(id, 'completed', p);
    await row(id, p).locator('.outcome', { hasText: 'Result: modern sleep' }).waitFor();
    assert.doesNotMatch(await p.locator('#server-tasks-note').innerText(), /Could not list/);
    assert.ok(await p.locator('#banner').isHidden(), 'no error banner');
    const byMethod = await modernStats();
    assert.equal(byMethod['tasks/list'], undefined, 'no tasks/list request reached the server');
    assert.ok(byMethod['tools/call'] >= 1);
    await screenshot('modern-connected', p);
  } finally {
    await p.context().close();
  }
});

test('2026-07-28: a running task outlives its tab: a new tab re-attaches to it from localStorage and it reaches completed', T, async () => {
  const first = await freshPage();
  const context = first.context();
  try {
    await connectModern(first);
    const id = await startTool('sleep', { ms: 4000, text: 'survived its tab' }, first);
    await waitStatus(id, 'working', first);
    await waitRemembered(first, id, true);
    await first.close();
    // A new tab: the same localStorage, an empty sessionStorage (so nothing comes back
    // from the tab's own saved view).
    const p = await context.newPage();
    p.setDefaultTimeout(STEP);
    watch(p);
    await p.goto(MODERN_PAGE);
    await p.locator('html[data-ready="true"]').waitFor();
    assert.equal(await p.locator('#task-rows tr').count(), 0, 'nothing restored before connecting');
    await p.getByRole('button', { name: 'Connect' }).click();
    await p.locator('#conn-state[data-state="online"]').waitFor();
    await row(id, p).waitFor();
    assert.equal(await row(id, p).locator('.tool-name').innerText(), 'sleep');
    await screenshot('modern-new-tab', p);
    await waitStatus(id, 'completed', p);
    await row(id, p).locator('.outcome', { hasText: 'Result: survived its tab' }).waitFor();
    // Shown as ended: its token is dropped.
    await waitRemembered(p, id, false);
    assert.match(await viewDetailOn(p, id, 'View result'), /survived its tab/);
  } finally {
    await context.close();
  }
});

test('2026-07-28: a reload resumes the running tasks (one row each) and they complete; a second tab follows them too; cancel works', T, async () => {
  const p = await freshPage();
  let q;
  try {
    await connectModern(p);
    const id = await startTool('sleep', { ms: 5000, text: 'two tabs' }, p);
    const forever = await startTool('forever', {}, p);
    await waitStatus(id, 'working', p);
    await waitRemembered(p, forever, true);
    await p.reload();
    await p.locator('#conn-state[data-state="online"]').waitFor();
    await waitStatus(id, 'working', p);
    await waitStatus(forever, 'working', p);
    assert.equal(await p.locator(`#task-rows tr[data-task-id="${id}"]`).count(), 1, 'one row per task, not one from each store');
    // Another tab of the same browser: same localStorage, empty sessionStorage.
    q = await p.context().newPage();
    q.setDefaultTimeout(STEP);
    watch(q);
    await connectModern(q);
    await waitStatus(id, 'completed', q);
    await waitStatus(forever, 'working', q);
    await waitStatus(id, 'completed', p);
    // Cancel works in this era too; the other tab sees the end, and the token goes.
    await row(forever, p).getByRole('button', { name: /^Cancel task/ }).click();
    await waitStatus(forever, 'cancelled', p);
    await waitStatus(forever, 'cancelled', q);
    await waitRemembered(p, forever, false);
    assert.deepEqual((await remembered(p)).filter((t) => t === id || t === forever), []);
  } finally {
    await p.context().close();
  }
});

test('2026-07-28: a task waiting for input asks again after a reload (tasks/update), and completes', T, async () => {
  const p = await freshPage();
  try {
    await connectModern(p);
    const id = await startTool('ask', { message: 'Who is there?' }, p);
    await p.locator(`#elicitations form.elicit[data-task-id="${id}"]`).waitFor();
    await waitStatus(id, 'input_required', p);
    await p.reload();
    await p.locator('#conn-state[data-state="online"]').waitFor();
    const form = p.locator(`#elicitations form.elicit[data-task-id="${id}"]`);
    await form.waitFor();
    assert.equal(await form.locator('.elicit-msg').innerText(), 'Who is there?');
    await row(id, p).locator('.outcome', { hasText: 'Waiting for your answer' }).waitFor();
    await form.getByLabel('Name').fill('Grace Hopper');
    await form.getByRole('button', { name: 'Send' }).click();
    await waitStatus(id, 'completed', p);
    await row(id, p).locator('.outcome', { hasText: 'Result: Hello, Grace Hopper!' }).waitFor();
    await waitRemembered(p, id, false);
    assert.ok(await p.locator('#inputs').isHidden());
  } finally {
    await p.context().close();
  }
});

test('2026-07-28: a remembered task the server does not know is shown lost and forgotten', T, async () => {
  const p = await freshPage();
  try {
    await connectModern(p);
    const id = await startTool('sleep', { ms: 3000 }, p);
    await waitRemembered(p, id, true);
    // A token for a task the server never issued (the same token, another id).
    const ghost = 'ghost-0000-task';
    await p.evaluate(([key, tid, ghostId]) => {
      const data = JSON.parse(localStorage.getItem(key));
      const mine = data.tasks.find((t) => t.taskId === tid);
      const token = JSON.parse(mine.token);
      token.taskId = ghostId;
      token.task.taskId = ghostId;
      data.tasks.push({ ...mine, taskId: ghostId, token: JSON.stringify(token), tool: 'ghost' });
      localStorage.setItem(key, JSON.stringify(data));
    }, [TOKENS_KEY, id, ghost]);
    await p.reload();
    await p.locator('#conn-state[data-state="online"]').waitFor();
    await waitStatus(ghost, 'lost', p);
    await waitRemembered(p, ghost, false);
    await waitStatus(id, 'completed', p);
    assert.ok(await p.locator('#banner').isHidden());
    await screenshot('modern-lost', p);
  } finally {
    await p.context().close();
  }
});

/** viewDetail on another page. */
async function viewDetailOn(p, id, buttonName) {
  await row(id, p).getByRole('button', { name: new RegExp(`^${buttonName}`) }).click();
  await p.locator('#detail:not([hidden])').waitFor({ timeout: STEP });
  await p.locator('#detail-body :is(pre, p):not(.muted)').first().waitFor({ timeout: STEP });
  return p.locator('#detail-body').innerText();
}

/** The overview's count of a band (completed, ended, input, running). */
const bandCount = (p, band) => p.locator(`#status-counts [data-band="${band}"] .n`).innerText().then(Number);

async function waitBand(p, band, n, timeout = STEP) {
  await p.waitForFunction(([b, want]) => document.querySelector(`#status-counts [data-band="${b}"] .n`)?.textContent === String(want), [band, n], { timeout });
}

test('500 live tasks: every row updates, renders stay batched and short, the table keeps one page in the DOM', { timeout: 180_000 }, async () => {
  const p = await freshPage();
  try {
    await connectTo(p, PAGE);
    // Frame gaps while the tasks run, measured in the page.
    await p.evaluate(() => {
      window.__gaps = [];
      let last = performance.now();
      const loop = (t) => {
        window.__gaps.push(t - last);
        last = t;
        if (!window.__stopFrames) requestAnimationFrame(loop);
      };
      requestAnimationFrame(loop);
    });
    const card = p.locator('details.tool[data-tool="progress"]');
    await card.locator('summary').click();
    // Each task: 3 steps of 1 s, each with a statusMessage change and a progress notification.
    await card.getByLabel('Arguments (JSON)').fill(JSON.stringify({ steps: 3, ms: 1000, pollInterval: 2000 }));
    await card.getByLabel('Copies').fill('500');
    await card.getByRole('button', { name: 'Start task' }).click();
    await card.locator('output.start-status', { hasText: 'Started 500 tasks.' }).waitFor({ timeout: 60_000 });
    await p.locator('#page-info', { hasText: 'Tasks 1–100 of 500 (newest first)' }).waitFor();
    await p.locator('#task-rows tr[data-status="working"] progress:not([hidden])').first().waitFor({ timeout: STEP });
    await p.locator('#tasks-h').scrollIntoViewIfNeeded();
    await screenshot('500-live', p);
    await waitBand(p, 'completed', 500, 90_000);
    assert.equal(await bandCount(p, 'running'), 0);
    assert.match(await p.locator('#task-summary').innerText(), /^500 tasks: 500 completed$/);
    const result = await p.evaluate(() => {
      window.__stopFrames = true;
      const gaps = window.__gaps.slice(1).sort((a, b) => a - b);
      return {
        stats: window.__dashboardStats,
        frames: gaps.length,
        p50: gaps[Math.floor(gaps.length * 0.5)],
        p95: gaps[Math.floor(gaps.length * 0.95)],
        max: gaps[gaps.length - 1],
      };
    });
    console.log(`# 500 tasks: ${JSON.stringify(result)}`);
    assert.ok(result.stats.renders <= result.frames + 2, 'at most one render per frame');
    assert.ok(result.stats.maxRowsPerRender > 1, 'updates of many rows were batched into one render');
    assert.ok(result.stats.maxRenderMs < 250, `the longest render took ${result.stats.maxRenderMs} ms`);
    assert.ok(result.stats.maxDomRows <= 100, `at most one page of rows in the DOM (${result.stats.maxDomRows})`);
    // Lenient (the CI machine is shared): typically p95 ≈ 70 ms, max ≈ 100-300 ms.
    assert.ok(result.p95 < 300, `95% of frames within 300 ms (p95 ${result.p95} ms)`);
    // Every row, page by page: each one reached 3/3 (off-page rows are drawn from the
    // model when their page comes).
    const seen = new Set();
    for (let page = 1; page <= 5; page++) {
      await p.locator('#page-info', { hasText: `Tasks ${(page - 1) * 100 + 1}–${page * 100} of 500` }).waitFor();
      const rows = await p.evaluate(() => [...document.querySelectorAll('#task-rows tr')].map((tr) => [tr.dataset.taskId, tr.dataset.status, tr.querySelector('.bar-text')?.textContent]));
      assert.equal(rows.length, 100);
      for (const [id, status, bar] of rows) {
        assert.equal(status, 'completed');
        assert.equal(bar, '3/3', 'every progress bar reached 3/3');
        seen.add(id);
      }
      if (page < 5) await p.getByRole('button', { name: 'Older' }).click();
    }
    assert.equal(seen.size, 500, 'five pages, 500 different tasks');
    assert.ok(await p.getByRole('button', { name: 'Older' }).isDisabled());
    await screenshot('500-done', p);
    await p.getByRole('button', { name: 'Newer' }).click();
    await p.locator('#page-info', { hasText: 'Tasks 301–400 of 500' }).waitFor();
    await p.getByRole('button', { name: 'Clear finished' }).click();
    await p.waitForFunction(() => document.querySelectorAll('#task-rows tr').length === 0, null, { timeout: STEP });
    await p.locator('#overview').waitFor({ state: 'hidden' });
    assert.ok(await p.locator('#pager').isHidden());
    assert.equal(await p.locator('#task-summary').innerText(), 'No tasks yet.');
  } finally {
    await p.context().close();
  }
});

test('1,000 tasks of 15 s from the Copies field all show completed within twice the tool\'s duration plus 6 s, one page of rows in the DOM', { timeout: 180_000 }, async () => {
  const MS = 15_000;
  const N = 1000;
  const p = await freshPage();
  try {
    await connectTo(p, PAGE);
    const card = p.locator('details.tool[data-tool="sleep"]');
    await card.locator('summary').click();
    await card.getByLabel('Arguments (JSON)').fill(JSON.stringify({ ms: MS, text: 'one of a thousand' }));
    await card.getByLabel('Copies').fill(String(N));
    // Long main-thread tasks and a 50 ms heartbeat's lateness, from the click on.
    await p.evaluate(() => {
      window.__long = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__long.push([Math.round(e.startTime - (window.__t0 ?? 0)), Math.round(e.duration)]);
      }).observe({ type: 'longtask' });
      window.__late = 0;
      let last = performance.now();
      setInterval(() => {
        const now = performance.now();
        window.__late = Math.max(window.__late, now - last - 50);
        last = now;
      }, 50);
      document.querySelector('details.tool[data-tool="sleep"] button[type="submit"]').addEventListener('click', () => { window.__t0 = performance.now(); }, { capture: true, once: true });
    });
    if (process.env.TRACE) await browser.startTracing(p, { path: process.env.TRACE, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink'] });
    await card.getByRole('button', { name: 'Start task' }).click();
    await card.locator('output.start-status', { hasText: `Started ${N} tasks.` }).waitFor({ timeout: 60_000 });
    if (process.env.TRACE) await browser.stopTracing();
    // The moment the overview shows all completed, taken in the page.
    await p.waitForFunction((n) => {
      if (document.querySelector('#status-counts [data-band="completed"] .n')?.textContent !== String(n)) return false;
      window.__allDone ??= performance.now();
      return true;
    }, N, { timeout: 2 * MS + 60_000, polling: 'raf' });
    const r = await p.evaluate(() => ({
      ms: Math.round(window.__allDone - window.__t0),
      long: window.__long,
      late: Math.round(window.__late),
      domRows: document.querySelectorAll('#task-rows tr').length,
      stats: window.__dashboardStats,
    }));
    console.log(`# 1000 tasks of ${MS} ms: all completed after ${r.ms} ms; long tasks ${JSON.stringify(r.long)}; heartbeat up to ${r.late} ms late; ${JSON.stringify(r.stats)}`);
    assert.ok(r.ms <= 2 * MS + 6000, `all ${N} completed ${r.ms} ms after the start (at most ${2 * MS + 6000})`);
    assert.equal(await bandCount(p, 'running'), 0);
    assert.equal(await bandCount(p, 'ended'), 0);
    assert.match(await p.locator('#task-summary').innerText(), /^1000 tasks: 1000 completed$/);
    assert.equal(r.domRows, 100, 'one page of rows in the DOM');
    assert.ok(await p.locator('#task-rows tr:not([data-status="completed"])').count() === 0);
    await p.locator('#task-rows tr .outcome', { hasText: 'Result: one of a thousand' }).first().waitFor();
    assert.ok(r.stats.maxRenderMs < 250, `the longest render took ${r.stats.maxRenderMs} ms`);
    // Issue 18 asks for no main-thread task over 50 ms: logged above, not asserted (a
    // bound on time is a benchmark's job, and on two shared cores no bound on it is
    // deterministic). The client runs in a worker here; a trace of the start burst
    // (TRACE=/tmp/t.json) shows what remains on the page: the browser's layout and paint
    // after a render, and the once-a-second save of 1,000 rows.
    // The chart's right edge is all completed (its band's green fills the column).
    const pixel = await p.evaluate(() => {
      const c = document.getElementById('status-chart');
      return [...c.getContext('2d').getImageData(c.width - 2, c.height / 2, 1, 1).data];
    });
    assert.deepEqual(pixel, [0x2d, 0xa4, 0x4e, 255], 'the chart ends all completed');
    await p.locator('#tasks-h').scrollIntoViewIfNeeded();
    await screenshot('1000-done', p);
  } finally {
    await p.context().close();
  }
});
