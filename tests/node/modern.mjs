// MCP revision 2026-07-28 from Node, through the built package (pkg/node.js): which version
// the client picks, what it puts on the wire in the modern era, multi round-trip requests
// (MRTR) and x-mcp-header parameters. Run by `make test-node-modern`:
// tests/with-servers.sh sets MCP_TEST_SERVER / MCP_TEST_SERVER_JSON (2025-11-25,
// tests/server/server.mjs), MCP_TEST_MODERN (tests/server/modern.mjs, dual era) and
// MCP_TEST_MODERN_ONLY (--modern-only). This file also starts a `--legacy-only` modern.mjs
// (a stateless 2025-11-25 server on the v2 SDK) and, for what the reference servers cannot
// be made to do (a server that asks without regard to capabilities, keeps asking, sends a
// requestState full of odd characters, or lists malformed tools), small in-test mocks.
//
// The wire is observed through the `fetch` option (a recording wrapper around the real
// fetch), so every assertion on headers and `_meta` is about what the client really sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnServer } from '../server/spawn.mjs';
import { createServer } from 'node:http';
import { recorder } from './recorder.mjs';
import { McpClient, McpError, McpTasksError } from '../../pkg/node.js';

const SSE = process.env.MCP_TEST_SERVER;
const JSONURL = process.env.MCP_TEST_SERVER_JSON;
const MODERN = process.env.MCP_TEST_MODERN;
const MODERN_ONLY = process.env.MCP_TEST_MODERN_ONLY;
assert.ok(SSE && JSONURL && MODERN && MODERN_ONLY, 'run through tests/with-servers.sh (make test-node-modern)');

const V2026 = '2026-07-28';
const V2025 = '2025-11-25';
const META_VERSION = 'io.modelcontextprotocol/protocolVersion';
const META_CAPS = 'io.modelcontextprotocol/clientCapabilities';
const META_CLIENT = 'io.modelcontextprotocol/clientInfo';
const META_SERVER = 'io.modelcontextprotocol/serverInfo';
const TASKS_EXT = 'io.modelcontextprotocol/tasks';
const REFERENCE_INFO = { name: 'mcp-tasks-reference-modern', version: '1.0.0' };
const clientInfo = { name: 'node-modern', version: '1.2.3' };
const T = { timeout: 60_000 };
// Every connect in this file: a hang shows up as a timeout of the request, not of the test.
const BASE = { clientInfo, requestTimeoutMs: 15_000 };

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const text = (result) => result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
const b64 = (value) => `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Connects and asserts the modern era was picked (so later failures are about the feature). */
async function connectModern(url, options = {}) {
  const c = await McpClient.connect(url, { ...BASE, ...options });
  assert.equal(c.protocolVersion, V2026, `${url}: connected in the ${c.protocolVersion} era`);
  return c;
}

/** The error `connect` rejects with; fails the test if it connects. */
function connectError(url, options = {}) {
  return McpClient.connect(url, { ...BASE, ...options }).then(
    async (c) => {
      const era = c.protocolVersion;
      await c.close();
      assert.fail(`connect should have failed; it connected in the ${era} era`);
    },
    (e) => e,
  );
}

/** Asserts the modern-era obligations on every recorded request. */
function assertModernWire(rec, { onElicitation = false } = {}) {
  assert.ok(rec.requests.length > 0, 'nothing was sent');
  const ids = new Set();
  for (const r of rec.requests) {
    const what = `${r.method} ${r.body?.method ?? ''}`;
    assert.equal(r.method, 'POST', `${what}: the modern era is POST only (no GET stream, no DELETE)`);
    assert.equal(r.headers['mcp-session-id'], undefined, `${what}: no Mcp-Session-Id in the modern era`);
    assert.equal(r.headers['mcp-protocol-version'], V2026, `${what}: MCP-Protocol-Version`);
    assert.match(r.headers['content-type'] ?? '', /^application\/json/, `${what}: Content-Type`);
    assert.match(r.headers.accept ?? '', /application\/json/, `${what}: Accept lists application/json`);
    assert.match(r.headers.accept ?? '', /text\/event-stream/, `${what}: Accept lists text/event-stream`);
    const msg = r.body;
    assert.ok(isObject(msg) && msg.jsonrpc === '2.0', `${what}: one JSON-RPC message per POST`);
    if (msg.id !== undefined) {
      assert.ok(!ids.has(msg.id), `${what}: JSON-RPC id ${msg.id} used twice`);
      ids.add(msg.id);
    }
    assert.equal(r.headers['mcp-method'], msg.method, `${what}: Mcp-Method equals the body's method`);
    if (msg.method === 'tools/call') assert.equal(r.headers['mcp-name'], msg.params.name, `${what}: Mcp-Name is the tool name`);
    if (msg.id === undefined) continue; // notifications: no envelope required
    const meta = msg.params?._meta;
    assert.ok(isObject(meta), `${what}: params._meta`);
    assert.equal(meta[META_VERSION], V2026, `${what}: _meta protocolVersion`);
    assert.deepEqual(meta[META_CLIENT], clientInfo, `${what}: _meta clientInfo is the one given`);
    const caps = meta[META_CAPS];
    assert.ok(isObject(caps), `${what}: _meta clientCapabilities is an object`);
    if (onElicitation) assert.deepEqual(caps.elicitation, { form: {} }, `${what}: elicitation {form: {}} with onElicitation`);
    else assert.equal(caps.elicitation, undefined, `${what}: no elicitation capability without onElicitation`);
  }
}

/** tests/server/modern.mjs with `args` on a free port: { url, stop }. */
const startModern = (args) => spawnServer('./modern.mjs', args);

const complete = (result) => ({ result: { resultType: 'complete', ...result } });
const mockDiscover = (extra = {}) => complete({
  supportedVersions: [V2026], capabilities: { tools: {} }, ttlMs: 0, cacheScope: 'private',
  _meta: { [META_SERVER]: { name: 'mock-modern', version: '0.0.1' } }, ...extra,
});

/**
 * A minimal modern-only MCP server (node:http, JSON answers). `routes[method](params,
 * message, seen)` returns `{ result }` or `{ error, status? }`; `server/discover` and
 * `tools/list` have defaults (`tools` lists `tools`); a legacy `initialize` gets 400 /
 * -32022 as on a --modern-only reference server. `seen`: every HTTP request, in order.
 */
async function mockServer({ routes = {}, tools = [] } = {}) {
  const seen = [];
  const defaults = {
    'server/discover': () => mockDiscover(),
    'tools/list': () => complete({ tools, ttlMs: 0, cacheScope: 'private' }),
    initialize: () => ({ status: 400, error: { code: -32022, message: `Unsupported protocol version: ${V2025}`, data: { supported: [V2026], requested: V2025 } } }),
  };
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    let message;
    try { message = raw ? JSON.parse(raw) : undefined; } catch { message = undefined; }
    seen.push({ httpMethod: req.method, headers: req.headers, message });
    if (req.method !== 'POST') return res.writeHead(405, { Allow: 'POST' }).end();
    if (!isObject(message) || message.id === undefined) return res.writeHead(202).end();
    const route = routes[message.method] ?? defaults[message.method];
    const out = route
      ? await route(message.params ?? {}, message, seen)
      : { status: 404, error: { code: -32601, message: `Method not found: ${message.method}` } };
    const body = out.error ? { jsonrpc: '2.0', id: message.id, error: out.error } : { jsonrpc: '2.0', id: message.id, result: out.result };
    res.writeHead(out.status ?? 200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/mcp`,
    seen,
    toolCalls: () => seen.filter((s) => s.message?.method === 'tools/call').map((s) => s.message),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

const noArgs = { type: 'object', properties: {} };
const elicit = (message, properties) => ({
  method: 'elicitation/create',
  params: { mode: 'form', message, requestedSchema: { type: 'object', properties, required: Object.keys(properties) } },
});
const inputRequired = (inputRequests, requestState) => ({
  result: { resultType: 'input_required', inputRequests, ...(requestState !== undefined && { requestState }) },
});
// Opaque to the client: must come back exactly (spaces at both ends, quotes, backslashes,
// JSON look-alikes, non-ASCII, an emoji, U+2028, a tab).
const ODD_STATE = '  {"v":1,"k":"\\u00e9"} \\ "quoted" Zürich 東京 🎉 \u2028\tend  ';

// ---------------------------------------------------------------------------
// A --legacy-only modern.mjs for the whole file
// ---------------------------------------------------------------------------

let legacyOnly;
before(async () => { legacyOnly = await startModern(['--legacy-only']); });
after(async () => { await legacyOnly?.stop(); });

// ---------------------------------------------------------------------------
// Version selection
// ---------------------------------------------------------------------------

test('auto (the default) picks 2026-07-28 on the dual and the modern-only reference servers', T, async () => {
  for (const url of [MODERN, MODERN_ONLY]) {
    const rec = recorder();
    const c = await McpClient.connect(url, { ...BASE, fetch: rec.fetch });
    assert.equal(c.protocolVersion, V2026, `${url}: connected in the ${c.protocolVersion} era`);
    assert.deepEqual(c.serverInfo, REFERENCE_INFO);
    assert.deepEqual(c.serverCapabilities.extensions?.[TASKS_EXT], {});
    assert.ok(c.serverCapabilities.tools, 'tools capability from server/discover');
    assert.equal(c.instructions, undefined, 'the reference server sends no instructions');
    assert.deepEqual(rec.methods(), ['server/discover'], 'connect is one server/discover, no initialize');
    await c.close();
    assertModernWire(rec);
  }
});

test('auto falls back to the 2025-11-25 initialize on 2025-only servers', T, async () => {
  const servers = [
    [SSE, 'mcp-tasks-reference'], // server.mjs: the discover probe gets 400 -32000 (no session)
    [JSONURL, 'mcp-tasks-reference'],
    [legacyOnly.url, 'mcp-tasks-reference-modern'], // 400 -32000 "Unsupported protocol version: 2026-07-28"
  ];
  for (const [url, name] of servers) {
    const rec = recorder();
    const c = await McpClient.connect(url, { ...BASE, fetch: rec.fetch, listen: false });
    assert.equal(c.protocolVersion, V2025, url);
    assert.equal(c.serverInfo.name, name);
    const [probe, init] = rec.posts();
    assert.equal(probe.body.method, 'server/discover', `${url}: the probe comes first`);
    assert.equal(probe.headers['mcp-protocol-version'], V2026);
    assert.equal(init.body.method, 'initialize', `${url}: then the legacy initialize`);
    assert.equal(init.body.params.protocolVersion, V2025);
    assert.match(text(await c.callTool('echo', { text: 'legacy echo' })), /legacy echo/);
    await c.close();
  }
});

test('pinned 2025-11-25 on the dual server: the stateless legacy era, no server/discover', T, async () => {
  const rec = recorder();
  const c = await McpClient.connect(MODERN, { ...BASE, fetch: rec.fetch, protocolVersion: V2025 });
  assert.equal(c.protocolVersion, V2025);
  assert.deepEqual(c.serverInfo, REFERENCE_INFO);
  const names = (await c.listTools()).tools.map((t) => t.name);
  for (const n of ['echo', 'region', 'sleep', 'progress', 'fail', 'crash']) assert.ok(names.includes(n), `${n} listed in the legacy era`);
  assert.ok(!names.includes('mrtr'), 'mrtr is modern only');
  assert.match(text(await c.callTool('echo', { text: 'pinned legacy' })), /pinned legacy/);
  await c.close();
  const posts = rec.posts();
  assert.equal(posts[0].body.method, 'initialize', 'no server/discover when pinned to 2025-11-25');
  assert.equal(posts[0].body.params.protocolVersion, V2025);
  assert.ok(!rec.methods().includes('server/discover'));
  for (const r of rec.requests) {
    assert.equal(r.headers['mcp-session-id'], undefined, 'the stateless server hands out no session');
    // The 2026-07-28 envelope would send the request down the dual server's modern path.
    assert.equal(r.body?.params?._meta?.[META_VERSION], undefined, `${r.body?.method}: no 2026-07-28 _meta in the legacy era`);
  }
  for (const r of posts.slice(1)) {
    assert.equal(r.headers['mcp-protocol-version'], V2025, `${r.body?.method}: MCP-Protocol-Version after initialize`);
  }
});

test('pinned 2025-11-25 on the modern-only server rejects with McpError -32022 and its data', T, async () => {
  const e = await connectError(MODERN_ONLY, { protocolVersion: V2025 });
  assert.ok(e instanceof McpError, `expected McpError, got ${e?.name}: ${e?.message}`);
  assert.equal(e.code, -32022);
  assert.deepEqual(e.data?.supported, [V2026]);
  assert.equal(e.data?.requested, V2025);
});

test('pinned 2026-07-28 on a 2025-only server rejects, without falling back to initialize', T, async () => {
  const rec = recorder();
  const e = await connectError(legacyOnly.url, { fetch: rec.fetch, protocolVersion: V2026 });
  assert.ok(e instanceof McpTasksError, `expected an McpTasksError, got ${e?.name}: ${e?.message}`);
  assert.ok(rec.methods().length > 0 && rec.methods().every((m) => m === 'server/discover'), `sent: ${rec.methods()}`);
});

test('a -32022 whose data.supported names 2026-07-28 is retried once; one that never passes rejects', T, async () => {
  // As the conformance scenario request-metadata: the first POST is refused whatever it is.
  let refused = 0;
  const once = await mockServer({
    routes: {
      'server/discover': () => (refused++ === 0
        ? { status: 400, error: { code: -32022, message: 'Unsupported protocol version', data: { supported: [V2026], requested: V2026 } } }
        : mockDiscover()),
    },
  });
  try {
    const rec = recorder();
    const c = await connectModern(once.url, { fetch: rec.fetch, protocolVersion: V2026 });
    const probes = rec.posts();
    assert.deepEqual(rec.methods(), ['server/discover', 'server/discover']);
    assert.notEqual(probes[0].body.id, probes[1].body.id, 'the retry is a new request');
    await c.close();
    assertModernWire(rec);
  } finally {
    await once.close();
  }

  const never = await mockServer({
    routes: {
      'server/discover': () => ({ status: 400, error: { code: -32022, message: 'Unsupported protocol version', data: { supported: [V2026], requested: V2026 } } }),
    },
  });
  try {
    const e = await connectError(never.url, { protocolVersion: V2026 });
    assert.ok(e instanceof McpError, `expected McpError, got ${e?.name}: ${e?.message}`);
    assert.equal(e.code, -32022);
    assert.deepEqual(e.data.supported, [V2026]);
    const discovers = never.seen.filter((s) => s.message?.method === 'server/discover').length;
    assert.ok(discovers >= 1 && discovers <= 3, `bounded retries (${discovers} server/discover)`);
  } finally {
    await never.close();
  }
});

// ---------------------------------------------------------------------------
// The modern wire
// ---------------------------------------------------------------------------

test('modern era: MCP-Protocol-Version, Mcp-Method, Mcp-Name and the _meta envelope on every POST; no session, GET or DELETE', T, async () => {
  for (const url of [MODERN, MODERN_ONLY]) {
    const rec = recorder();
    // listen left at its default: there is no GET stream in this era.
    const c = await connectModern(url, { fetch: rec.fetch });
    assert.equal(c.sessionId, undefined);
    await c.listTools();
    await c.callTool('echo', { text: 'wire' });
    await c.callTool('region', { region: 'eu-west-1' });
    await new Promise((r) => setTimeout(r, 100)); // anything sent late (a GET) would show up
    await c.close();
    assertModernWire(rec);
    const methods = rec.methods();
    assert.equal(methods[0], 'server/discover');
    for (const m of ['tools/list', 'tools/call']) assert.ok(methods.includes(m), `${m} sent`);
    assert.ok(!methods.includes('initialize') && !methods.includes('notifications/initialized'));
    const region = rec.calls().find((r) => r.body.params?.name === 'region');
    assert.equal(region.headers['mcp-name'], 'region');
    assert.equal(region.headers['mcp-param-region'], 'eu-west-1');
    assert.deepEqual(region.body.params.arguments, { region: 'eu-west-1' });
  }
});

test('clientCapabilities: elicitation {form: {}} only when onElicitation is given', T, async () => {
  for (const withHandler of [false, true]) {
    const rec = recorder();
    const options = { ...BASE, fetch: rec.fetch, ...(withHandler && { onElicitation: () => ({ action: 'decline' }) }) };
    const c = await connectModern(MODERN, options);
    await c.callTool('echo', { text: 'caps' });
    await c.close();
    assertModernWire(rec, { onElicitation: withHandler });
  }
});

test('serverInfo and instructions from server/discover (_meta or result), none invented', T, async () => {
  const withInstructions = await mockServer({ routes: { 'server/discover': () => mockDiscover({ instructions: 'Use the mock tools.' }) } });
  try {
    const c = await connectModern(withInstructions.url);
    assert.equal(c.instructions, 'Use the mock tools.');
    assert.deepEqual(c.serverInfo, { name: 'mock-modern', version: '0.0.1' });
    assert.deepEqual(c.serverCapabilities, { tools: {} });
    await c.close();
  } finally {
    await withInstructions.close();
  }
  // The conformance suite's scenario servers put serverInfo in the result itself and
  // nothing in _meta: connecting must still work.
  const bodyInfo = await mockServer({
    routes: { 'server/discover': () => complete({ supportedVersions: [V2026], capabilities: { tools: {} }, ttlMs: 0, cacheScope: 'private', serverInfo: { name: 'body-info', version: '2' } }) },
  });
  try {
    const c = await connectModern(bodyInfo.url);
    assert.ok(c.serverInfo === undefined || c.serverInfo.name === 'body-info', JSON.stringify(c.serverInfo));
    await c.close();
  } finally {
    await bodyInfo.close();
  }
});

// ---------------------------------------------------------------------------
// Tools
// ---------------------------------------------------------------------------

test('listTools and echo on the modern servers', T, async () => {
  for (const url of [MODERN, MODERN_ONLY]) {
    const c = await connectModern(url);
    const names = (await c.listTools()).tools.map((t) => t.name);
    for (const n of ['echo', 'region', 'mrtr', 'ask', 'sleep', 'must_task']) assert.ok(names.includes(n), `${n} listed`);
    assert.equal((await c.listAllTools()).length, names.length);
    const echo = await c.callTool('echo', { text: 'from modern' });
    assert.equal(text(echo), 'from modern');
    assert.deepEqual(echo.structuredContent, { text: 'from modern' });
    await c.close();
  }
});

test('x-mcp-header: region goes in Mcp-Param-Region, as it is or as =?base64?…?=', T, async () => {
  const rec = recorder();
  const c = await connectModern(MODERN, { fetch: rec.fetch });
  // [value, needs the Base64 form]: non-ASCII, control characters and whitespace at either
  // end need it; inner spaces and printable ASCII (quotes, backslash, separators) do not.
  const values = [
    ['eu-west-1', false],
    ['us west 1', false],
    ['a"b\\c;d=e,f', false],
    ['', false],
    ['Zürich', true],
    ['東京', true],
    [' padded ', true],
    [' leading', true],
    ['trailing ', true],
    ['line1\nline2', true],
    ['line1\r\nline2', true],
    ['\tindented', true],
  ];
  for (const [value, base64] of values) {
    const before = rec.calls().length;
    const result = await c.callTool('region', { region: value, query: 'not mirrored' });
    // The server checks the header against the body (a mismatch is -32020) and answers the
    // raw header it got.
    assert.equal(result.structuredContent.region, value);
    const sent = rec.calls().slice(before).find((r) => r.body.method === 'tools/call');
    const header = sent.headers['mcp-param-region'];
    assert.notEqual(header, undefined, `${JSON.stringify(value)}: no Mcp-Param-Region header sent`);
    assert.equal(result.structuredContent.header, header);
    if (base64) {
      // Canonical (padded) Base64 of the UTF-8 bytes: the reference server refuses anything else.
      assert.equal(header, b64(value), `${JSON.stringify(value)} needs the Base64 form`);
    } else {
      assert.ok(header === value || header === b64(value), `${JSON.stringify(value)}: header ${JSON.stringify(header)}`);
    }
    assert.equal(sent.headers['mcp-param-query'], undefined, 'query has no x-mcp-header');
  }
  await c.close();
  assertModernWire(rec);
});

test('listTools leaves out tools whose x-mcp-header annotations break the spec', T, async () => {
  const str = (header) => ({ type: 'string', 'x-mcp-header': header });
  const tool = (name, properties) => ({ name, inputSchema: { type: 'object', properties } });
  const valid = [
    tool('valid_string', { region: str('Region') }),
    tool('valid_integer_boolean', { priority: { type: 'integer', 'x-mcp-header': 'Priority' }, verbose: { type: 'boolean', 'x-mcp-header': 'Verbose' } }),
    tool('valid_token_chars', { v: str("X-!#$%&'*+.^_`|~09") }),
    tool('valid_nested', { outer: { type: 'object', properties: { inner: str('Inner') } } }),
    tool('valid_unannotated', { n: { type: 'number' } }),
    tool('valid_two', { a: str('First'), b: str('Second') }),
  ];
  const invalid = [
    tool('invalid_empty_header', { value: str('') }),
    tool('invalid_object_header', { data: { type: 'object', 'x-mcp-header': 'Data' } }),
    tool('invalid_array_header', { items: { type: 'array', items: { type: 'string' }, 'x-mcp-header': 'Items' } }),
    tool('invalid_null_header', { nil: { type: 'null', 'x-mcp-header': 'Nil' } }),
    tool('invalid_number_header', { score: { type: 'number', 'x-mcp-header': 'Score' } }),
    tool('invalid_duplicate_same_case', { field1: str('Region'), field2: str('Region') }),
    tool('invalid_duplicate_diff_case', { field1: str('MyField'), field2: str('myfield') }),
    tool('invalid_space_in_name', { value: str('My Region') }),
    tool('invalid_colon_in_name', { value: str('Region:Primary') }),
    tool('invalid_non_ascii_name', { value: str('Région') }),
    tool('invalid_control_char_name', { value: str('Region\t1') }),
    tool('invalid_not_a_string', { value: { type: 'string', 'x-mcp-header': 42 } }),
    tool('invalid_under_items', { list: { type: 'array', items: { type: 'object', properties: { v: str('Deep') } } } }),
  ];
  const mock = await mockServer({ tools: [...valid, ...invalid] });
  try {
    const c = await connectModern(mock.url);
    const listed = (await c.listTools()).tools.map((t) => t.name);
    assert.deepEqual(listed, valid.map((t) => t.name), 'exactly the valid tools, in order');
    assert.deepEqual((await c.listAllTools()).map((t) => t.name), valid.map((t) => t.name));
    await c.close();
  } finally {
    await mock.close();
  }
});

// ---------------------------------------------------------------------------
// Multi round-trip requests (MRTR) on tools/call
// ---------------------------------------------------------------------------

test('mrtr: onElicitation answers, the call is re-sent with inputResponses and the same requestState', T, async () => {
  const rec = recorder();
  const asked = [];
  const c = await connectModern(MODERN, {
    fetch: rec.fetch,
    onElicitation: async (params, ctx) => {
      asked.push(params);
      assert.equal(typeof ctx, 'object');
      return { action: 'accept', content: { name: 'Ada' } };
    },
  });
  const result = await c.callTool('mrtr', { message: 'Who are you?' });
  assert.equal(text(result), 'Hello, Ada!');
  assert.equal(asked.length, 1);
  assert.equal(asked[0].message, 'Who are you?');
  assert.equal(asked[0].mode ?? 'form', 'form');
  assert.deepEqual(asked[0].requestedSchema.required, ['name']);
  const [first, retry, ...rest] = rec.calls().filter((r) => r.body.method === 'tools/call');
  assert.equal(rest.length, 0, 'one retry');
  const firstAnswer = await first.response;
  assert.equal(firstAnswer.result.resultType, 'input_required');
  assert.notEqual(retry.body.id, first.body.id, 'the retry is a new JSON-RPC request');
  assert.equal(retry.body.params.name, 'mrtr');
  assert.deepEqual(retry.body.params.arguments, { message: 'Who are you?' });
  assert.equal(retry.body.params.requestState, firstAnswer.result.requestState, 'requestState sent back as received');
  assert.deepEqual(retry.body.params.inputResponses, { name: { action: 'accept', content: { name: 'Ada' } } });
  assert.equal(first.body.params.inputResponses, undefined);
  assert.equal(first.body.params.requestState, undefined);
  await c.close();
  assertModernWire(rec, { onElicitation: true });
});

test('mrtr: a decline goes back to the server as it is', T, async () => {
  const c = await connectModern(MODERN, { onElicitation: () => ({ action: 'decline' }) });
  assert.equal(text(await c.callTool('mrtr', {})), 'The user declined to give a name.');
  await c.close();
});

test('mrtr without onElicitation: the server refuses it (-32021), an McpError with the data', T, async () => {
  // The reference server (its SDK) checks the request's capabilities before it asks: without
  // onElicitation the client declares no elicitation, so the answer is -32021, not input_required.
  const rec = recorder();
  const c = await connectModern(MODERN, { fetch: rec.fetch });
  const e = await c.callTool('mrtr', {}).catch((x) => x);
  assert.ok(e instanceof McpTasksError, `expected an McpTasksError, got ${e?.name}: ${e?.message}`);
  assert.ok(e instanceof McpError, `expected McpError, got ${e?.name}`);
  assert.equal(e.code, -32021);
  assert.deepEqual(e.data?.requiredCapabilities, { elicitation: { form: {} } });
  assert.equal(rec.calls().filter((r) => r.body.method === 'tools/call').length, 1, 'not retried');
  await c.close();
});

test('input_required without onElicitation rejects in the client, clearly, without a retry', T, async () => {
  const mock = await mockServer({
    tools: [{ name: 'ask_anyway', inputSchema: noArgs }],
    routes: { 'tools/call': () => inputRequired({ q: elicit('Anything?', { answer: { type: 'string' } }) }, 'state-1') },
  });
  try {
    const c = await connectModern(mock.url);
    const e = await c.callTool('ask_anyway', {}).catch((x) => x);
    assert.ok(e instanceof McpTasksError, `expected an McpTasksError, got ${e?.name}: ${e?.message}`);
    assert.match(e.message, /elicitation|onElicitation|input/i, `the message says why: ${e.message}`);
    assert.equal(mock.toolCalls().length, 1, 'nothing to answer with: no retry');
    await c.close();
  } finally {
    await mock.close();
  }
});

test('requestState comes back exactly; none when none was sent; several input requests in one round', T, async () => {
  const mock = await mockServer({
    tools: ['odd_state', 'no_state', 'two_questions'].map((name) => ({ name, inputSchema: noArgs })),
    routes: {
      'tools/call': (params) => {
        const responses = params.inputResponses;
        switch (params.name) {
          case 'odd_state':
            if (!responses) return inputRequired({ q: elicit('Odd?', { answer: { type: 'string' } }) }, ODD_STATE);
            return complete({ content: [{ type: 'text', text: params.requestState === ODD_STATE ? 'state intact' : 'state changed' }] });
          case 'no_state':
            if (!responses) return inputRequired({ q: elicit('No state?', { answer: { type: 'string' } }) });
            return complete({ content: [{ type: 'text', text: 'requestState' in params ? 'requestState present' : 'requestState absent' }] });
          case 'two_questions':
            if (!responses) {
              return inputRequired({
                first: elicit('First name?', { name: { type: 'string' } }),
                second: elicit('Favourite number?', { n: { type: 'integer' } }),
              }, 'two');
            }
            return complete({ content: [{ type: 'text', text: `${responses.first?.content?.name} ${responses.second?.content?.n}` }] });
          default:
            return { error: { code: -32602, message: `Tool ${params.name} not found` } };
        }
      },
    },
  });
  try {
    const rec = recorder();
    const asked = [];
    const c = await connectModern(mock.url, {
      fetch: rec.fetch,
      onElicitation: (params) => {
        asked.push(params.message);
        if (params.message === 'First name?') return { action: 'accept', content: { name: 'Grace' } };
        if (params.message === 'Favourite number?') return { action: 'accept', content: { n: 7 } };
        return { action: 'accept', content: { answer: 'yes' } };
      },
    });
    assert.equal(text(await c.callTool('odd_state', {})), 'state intact');
    const oddRetry = rec.calls().filter((r) => r.body.params?.name === 'odd_state')[1];
    assert.equal(oddRetry.body.params.requestState, ODD_STATE);
    assert.equal(text(await c.callTool('no_state', {})), 'requestState absent');
    assert.equal(text(await c.callTool('two_questions', {})), 'Grace 7');
    assert.deepEqual(asked.slice(-2).sort(), ['Favourite number?', 'First name?']);
    const twoRetry = rec.calls().filter((r) => r.body.params?.name === 'two_questions')[1];
    assert.deepEqual(Object.keys(twoRetry.body.params.inputResponses).sort(), ['first', 'second']);
    await c.close();
    assertModernWire(rec, { onElicitation: true });
  } finally {
    await mock.close();
  }
});

test('maxInputRounds bounds a server that keeps asking', T, async () => {
  const mock = await mockServer({
    tools: [{ name: 'always_ask', inputSchema: noArgs }],
    routes: { 'tools/call': () => inputRequired({ q: elicit('Again?', { answer: { type: 'string' } }) }, 'again') },
  });
  try {
    const onElicitation = () => ({ action: 'accept', content: { answer: 'yes' } });
    for (const [maxInputRounds, cap] of [[2, 3], [undefined, 9]]) {
      const c = await connectModern(mock.url, { onElicitation, ...(maxInputRounds !== undefined && { maxInputRounds }) });
      const before = mock.toolCalls().length;
      const e = await c.callTool('always_ask', {}).catch((x) => x);
      assert.ok(e instanceof McpTasksError, `expected an McpTasksError, got ${e?.name}: ${e?.message}`);
      const sent = mock.toolCalls().length - before;
      // maxInputRounds answered rounds at most: the first call plus one retry per round.
      assert.ok(sent >= cap - 1 && sent <= cap, `maxInputRounds ${maxInputRounds ?? 'default (8)'}: ${sent} tools/call sent`);
      await c.close();
    }
  } finally {
    await mock.close();
  }
});

test('a result without resultType is complete (no retry)', T, async () => {
  const mock = await mockServer({
    tools: [{ name: 'old_style', inputSchema: noArgs }],
    routes: { 'tools/call': () => ({ result: { content: [{ type: 'text', text: 'no resultType' }] } }) },
  });
  try {
    const c = await connectModern(mock.url, { onElicitation: () => ({ action: 'cancel' }) });
    assert.equal(text(await c.callTool('old_style', {})), 'no resultType');
    assert.equal(mock.toolCalls().length, 1);
    await c.close();
  } finally {
    await mock.close();
  }
});

test('-32020 and -32021 from the server are McpErrors with code and data (-32020: one retry after a fresh tools/list)', T, async () => {
  const mismatch = { mismatch: { header: 'Mcp-Name', body: 'the Mcp-Name header and params.name disagree' } };
  const required = { requiredCapabilities: { extensions: { 'example.com/thing': {} } } };
  const mock = await mockServer({
    tools: [{ name: 'mismatch', inputSchema: noArgs }, { name: 'needs_caps', inputSchema: noArgs }],
    routes: {
      'tools/call': (params) => (params.name === 'mismatch'
        ? { status: 400, error: { code: -32020, message: 'Bad Request: header mismatch', data: mismatch } }
        : { status: 400, error: { code: -32021, message: 'Missing required client capability', data: required } }),
    },
  });
  try {
    const c = await connectModern(mock.url);
    await c.listTools();
    for (const [name, code, data] of [['mismatch', -32020, mismatch], ['needs_caps', -32021, required]]) {
      const from = mock.seen.length;
      const e = await c.callTool(name, {}).catch((x) => x);
      assert.ok(e instanceof McpError, `${name}: expected McpError, got ${e?.name}: ${e?.message}`);
      assert.equal(e.code, code);
      assert.deepEqual(e.data, data);
      const methods = mock.seen.slice(from).map((s) => s.message?.method);
      if (code === -32020) {
        // A header mismatch may come from a stale x-mcp-header schema: the client may list
        // the tools again and send the call once more, no more.
        assert.ok(
          JSON.stringify(methods) === JSON.stringify(['tools/call'])
            || JSON.stringify(methods) === JSON.stringify(['tools/call', 'tools/list', 'tools/call']),
          `${name}: sent ${methods.join(', ')}`,
        );
      } else {
        assert.deepEqual(methods, ['tools/call'], `${name}: not retried`);
      }
    }
    await c.close();
  } finally {
    await mock.close();
  }
});
