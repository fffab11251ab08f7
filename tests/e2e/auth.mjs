// Authorization in a real browser (issue 17): headless Chromium signs in through
// popupAuthorize() / finishAuthorization() against the protected reference server
// (tests/server/auth.mjs: authorization server and resource on two more origins than the
// page's), calls a tool, survives token expiry (refresh), and signs out; the same through
// redirectAuthorize(); and the dashboard (www/) signs in, lists the tools, signs out.
// `make test-e2e-auth` (part of `make test-e2e`); needs pkg/ (make build).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawnServer } from '../server/spawn.mjs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startProtectedServer } from '../server/auth.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
const T = { timeout: 90_000 };

let browser;
let site;
let origin;

before(async () => {
  // The page's origin: the repository's files (pkg/ and tests/e2e/auth/).
  site = http.createServer(async (req, res) => {
    let file = path.join(ROOT, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (file.endsWith(path.sep)) file = path.join(file, 'index.html');
    if (!file.startsWith(ROOT)) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => site.listen(0, '127.0.0.1', r));
  origin = `http://localhost:${site.address().port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  site?.close();
});

/** A new browser context and page against a new protected server (`options` for
 * startProtectedServer): runs `fn({ s, context, page })`, then checks that the page threw
 * nothing, and closes both. */
async function withSignInPage(options, fn) {
  const s = await startProtectedServer(options);
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await fn({ s, context, page });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await s.close();
  }
}

test('popup sign-in, a tool call, refresh before expiry, sign-out, and sign-in again', T, async () => {
  // expires_in 30 s: inside the client's one-minute margin, so each request refreshes first.
  await withSignInPage({ expiresIn: 30 }, async ({ s, context, page }) => {
    await page.goto(`${origin}/tests/e2e/auth/index.html?server=${encodeURIComponent(s.url)}`);
    await page.waitForFunction(() => window.ready === true);
    const popup = context.waitForEvent('page');
    await page.click('#sign-in');
    const p = await popup;
    await p.waitForEvent('close', { timeout: 20_000 });
    await page.waitForFunction(() => document.getElementById('out').textContent !== '');
    assert.equal(await page.textContent('#out'), 'signed in: 42');
    assert.equal(s.log.authorizations, 1);
    assert.equal(s.log.registrations, 1);

    // Token expiry: the next call refreshes first (rotated refresh token), no popup.
    assert.equal(await page.evaluate(() => window.app.sum(1, 2)), '3');
    assert.ok(s.log.refreshes >= 1, `refreshed (${s.log.refreshes})`);
    assert.equal(s.log.authorizations, 1);
    const keys = await page.evaluate(() => window.app.storedKeys());
    assert.ok(keys.some((k) => k.startsWith('mcp-tasks-wasm:tokens:')), keys.join(', '));
    assert.ok(!keys.some((k) => k.startsWith('mcp-tasks-wasm:pending:')), 'no pending sign-in left');

    // Sign out: the tokens are gone; the next call signs in again through the popup.
    await page.evaluate(() => window.app.signOut());
    const after = await page.evaluate(() => window.app.storedKeys());
    assert.ok(!after.some((k) => k.startsWith('mcp-tasks-wasm:tokens:')), after.join(', '));
    const again = context.waitForEvent('page');
    const sum = page.evaluate(() => window.app.sum(5, 5));
    await (await again).waitForEvent('close', { timeout: 20_000 });
    assert.equal(await sum, '10');
    assert.equal(s.log.authorizations, 2);
    assert.equal(s.log.registrations, 1, 'the registration is kept per issuer');
    assert.equal(s.log.bearerAtAuthServer, 0);
    await page.evaluate(() => window.app.close());
  });
});


test('popup sign-in to the protected reference server, a task through it, refresh on expiry, sign-out', T, async () => {
  const reference = await spawnServer('./modern.mjs'); // the reference server behind the protected front
  try {
    await withSignInPage({ expiresIn: 30, upstream: reference.url }, async ({ s, context, page }) => {
      await page.goto(`${origin}/tests/e2e/auth/index.html?server=${encodeURIComponent(s.url)}`);
      await page.waitForFunction(() => window.ready === true);
      const popup = context.waitForEvent('page');
      const first = page.evaluate(() => window.app.connectOnly().then(() => window.app.task(300, 'behind the front')));
      await (await popup).waitForEvent('close', { timeout: 20_000 });
      const r = await first;
      assert.deepEqual(r, { local: false, text: 'behind the front' }, 'a real task of the reference server, followed to its result');
      assert.equal(s.log.authorizations, 1);
      // expires_in 30 s is inside the client's refresh margin: the next task refreshes first.
      const before = s.log.refreshes;
      assert.deepEqual(await page.evaluate(() => window.app.task(100, 'after refresh')), { local: false, text: 'after refresh' });
      assert.ok(s.log.refreshes > before, `refreshed (${s.log.refreshes})`);
      assert.equal(s.log.authorizations, 1, 'no second sign-in');
      const methods = new Set(s.log.requests.map((r) => r.method));
      assert.ok(methods.has('tools/call') && (methods.has('tasks/get') || methods.has('subscriptions/listen')), [...methods].join(', '));
      const taskRequests = s.log.requests.filter((r) => ['tools/call', 'tasks/get', 'tasks/cancel', 'subscriptions/listen'].includes(r.method));
      assert.ok(taskRequests.length > 0 && taskRequests.every((r) => r.authorization?.startsWith('Bearer ')), 'every task request to the resource carried the token');
      await page.evaluate(() => window.app.signOut());
      const after = await page.evaluate(() => window.app.storedKeys());
      assert.ok(!after.some((k) => k.startsWith('mcp-tasks-wasm:tokens:')), after.join(', '));
      await page.evaluate(() => window.app.close());
    });
  } finally {
    await reference.stop();
  }
});

test('full-page redirect sign-in: leave, come back, connect again to finish', T, async () => {
  await withSignInPage(undefined, async ({ s, page }) => {
    const start = `${origin}/tests/e2e/auth/index.html?mode=redirect&server=${encodeURIComponent(s.url)}`;
    await page.goto(start);
    await page.waitForFunction(() => window.ready === true);
    // The click leaves for the authorization server, whose redirect lands on the callback
    // page, which goes back to this page, which connects again.
    await page.click('#sign-in');
    await page.waitForFunction(() => document.getElementById('out')?.textContent.startsWith('signed in'), null, { timeout: 20_000 });
    assert.equal(page.url(), start);
    assert.equal(await page.textContent('#out'), 'signed in: 42');
    assert.equal(s.log.authorizations, 1);
    assert.equal(s.log.registrations, 1, 'the registration made before leaving is used after');
    const keys = await page.evaluate(() => window.app.storedKeys());
    assert.ok(!keys.some((k) => k.includes('pending:') || k === 'mcp-tasks-wasm:callback'), keys.join(', '));
    await page.evaluate(() => window.app.close());
  });
});

test('the dashboard signs in to a protected server through its popup, and signs out', T, async () => {
  await withSignInPage(undefined, async ({ s, context, page }) => {
    await page.goto(`${origin}/www/?server=${encodeURIComponent(s.url)}`);
    await page.locator('#connect-btn:not([disabled])').waitFor();
    const popup = context.waitForEvent('page');
    await page.click('#connect-btn');
    await (await popup).waitForEvent('close', { timeout: 20_000 });
    await page.locator('#conn-state[data-state="online"]').waitFor({ timeout: 20_000 });
    assert.match(await page.textContent('#conn-state'), /\(signed in\)/);
    // The client ran in the dashboard's Web Worker: authorize and the token storage were
    // called on the page when the worker asked.
    assert.equal(await page.getAttribute('html', 'data-client'), 'worker');
    assert.equal(page.workers().length, 1);
    await page.locator('#tool-list', { hasText: 'add' }).waitFor();
    assert.equal(await page.isVisible('#signout-btn'), true);
    await page.click('#signout-btn');
    await page.locator('#conn-state[data-state="idle"]', { hasText: 'Signed out' }).waitFor();
    const keys = await page.evaluate(() => Object.keys(sessionStorage));
    assert.ok(!keys.some((k) => k.includes('auth:tokens:')), keys.join(', '));
    assert.equal(s.log.authorizations, 1);
  });
});
