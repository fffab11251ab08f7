// Authorization from Node (issue 17), against the protected reference server
// (tests/server/auth.mjs: the official SDK's authorization server and bearer middleware,
// the resource on another origin): discovery, Dynamic Client Registration, PKCE, the
// token, tool calls, refresh (before expiry and after a 401), the token sent to the
// resource only (never to the authorization server, never after a redirect), and no token
// in any error. `make test-node-auth` (part of `make test-node`); needs pkg/ (make build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { McpClient, AuthError, TransportError } from '../../pkg/node.js';
import { startProtectedServer } from '../server/auth.mjs';

const T = { timeout: 60_000 };

/** The page step as Node does it: follow the authorization URL, return the redirect. */
function authorizer() {
  const calls = [];
  const authorize = async (url) => {
    calls.push(url);
    const res = await fetch(url, { redirect: 'manual' });
    const location = res.headers.get('location');
    if (!location) throw new Error(`no redirect from the authorization endpoint (HTTP ${res.status})`);
    return location;
  };
  return { authorize, calls };
}

function memoryStorage() {
  const m = new Map();
  return { map: m, get: async (k) => m.get(k), set: async (k, v) => { m.set(k, v); }, remove: (k) => { m.delete(k); } };
}

function text(r) {
  return r.content.map((c) => c.text).join('');
}

/** Everything an error shows: message, own properties, JSON. */
function shown(e) {
  return [String(e?.message), String(e?.stack), JSON.stringify(e), ...Object.values(e ?? {}).map(String)].join('\n');
}

for (const protocolVersion of ['2025-11-25', '2026-07-28']) {
  test(`${protocolVersion}: sign in on 401 (discovery, DCR, PKCE S256, resource), call tools, token only to the resource`, T, async () => {
    const s = await startProtectedServer();
    const { authorize, calls } = authorizer();
    try {
      const client = await McpClient.connect(s.url, {
        protocolVersion, listen: false,
        auth: { authorize, redirectUri: 'http://localhost:9/callback', clientName: 'auth-test' },
      });
      assert.equal(client.protocolVersion, protocolVersion);
      assert.equal(text(await client.callTool('add', { a: 2, b: 3 })), '5');
      assert.equal(text(await client.callTool('add', { a: 3, b: 3 })), '6');
      await client.close();
      assert.equal(calls.length, 1, 'one sign-in');
      const q = new URL(calls[0]).searchParams;
      assert.equal(q.get('code_challenge_method'), 'S256');
      assert.equal(q.get('resource'), s.url);
      assert.equal(q.get('scope'), 'mcp', 'scope from the resource metadata');
      assert.ok(q.get('state') && q.get('code_challenge'));
      assert.ok(!calls[0].includes('code_verifier'), 'the verifier never travels in a URL');
      assert.equal(s.log.registrations, 1);
      assert.equal(s.log.bearerAtAuthServer, 0, 'no bearer token sent to the authorization server');
      const authorized = s.log.requests.filter((r) => r.authorization);
      assert.ok(authorized.length >= 2);
      assert.ok(authorized.every((r) => s.log.tokens.includes(r.authorization.slice(7))));
    } finally {
      await s.close();
    }
  });
}

test('a token about to expire is refreshed before the request (rotated refresh token)', T, async () => {
  // expires_in 30 s: within the one-minute margin, so every request refreshes first.
  const s = await startProtectedServer({ expiresIn: 30 });
  const { authorize, calls } = authorizer();
  try {
    const client = await McpClient.connect(s.url, {
      listen: false, auth: { authorize, redirectUri: 'http://localhost:9/callback' },
    });
    await client.callTool('add', { a: 1, b: 1 });
    await client.callTool('add', { a: 1, b: 2 });
    await client.close();
    assert.equal(calls.length, 1, 'signed in once');
    assert.ok(s.log.refreshes >= 2, `refreshed before the requests (${s.log.refreshes})`);
  } finally {
    await s.close();
  }
});

test('a token the server stops accepting (401) is refreshed, and the request sent again', T, async () => {
  // Accepted for 1 s, though it claims an hour.
  const s = await startProtectedServer({ tokenTtlMs: 1000, expiresIn: 3600 });
  const { authorize, calls } = authorizer();
  const storage = memoryStorage();
  try {
    const client = await McpClient.connect(s.url, {
      listen: false, auth: { authorize, redirectUri: 'http://localhost:9/callback', storage },
    });
    assert.equal(text(await client.callTool('add', { a: 1, b: 1 })), '2');
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(text(await client.callTool('add', { a: 2, b: 2 })), '4');
    await client.close();
    assert.equal(calls.length, 1, 'no second sign-in: a refresh did it');
    assert.equal(s.log.refreshes, 1);
    const kept = [...storage.map.entries()].find(([k]) => k.startsWith('tokens:'))?.[1];
    assert.ok(kept?.accessToken && s.log.tokens.includes(kept.accessToken), 'the storage holds the latest token');
    assert.ok(![...storage.map.keys()].some((k) => k.startsWith('pending:')), 'no pending sign-in left');
  } finally {
    await s.close();
  }
});

test('stored tokens are used at once by a new client (no sign-in)', T, async () => {
  const s = await startProtectedServer();
  const { authorize, calls } = authorizer();
  const storage = memoryStorage();
  try {
    const auth = { authorize, redirectUri: 'http://localhost:9/callback', storage };
    const a = await McpClient.connect(s.url, { listen: false, auth });
    await a.close();
    const b = await McpClient.connect(s.url, { listen: false, auth });
    await b.callTool('add', { a: 1, b: 1 });
    await b.close();
    assert.equal(calls.length, 1);
  } finally {
    await s.close();
  }
});

test('tokens never appear in errors (a server that echoes the Authorization header)', T, async () => {
  const s = await startProtectedServer();
  const { authorize } = authorizer();
  try {
    const client = await McpClient.connect(s.url, {
      listen: false, maxRequestRetries: 0, auth: { authorize, redirectUri: 'http://localhost:9/callback' },
    });
    const e = await client.callTool('leak', {}).then(() => null, (x) => x);
    await client.close();
    assert.ok(e instanceof TransportError, `expected TransportError, got ${e}`);
    assert.equal(e.status, 500);
    assert.match(e.body, /\[redacted\]/);
    for (const t of s.log.tokens) assert.ok(!shown(e).includes(t), 'a token leaked into the error');
  } finally {
    await s.close();
  }
});

test('a redirect from the resource is not followed: the token never reaches another origin', T, async () => {
  const s = await startProtectedServer();
  const seen = [];
  const other = http.createServer((req, res) => { seen.push(req.headers.authorization); res.end(); });
  await new Promise((r) => other.listen(0, '127.0.0.1', r));
  // A front for the resource (its own protected resource metadata, the same authorization
  // server) that redirects tools/call to the other origin and passes the rest on.
  const front = http.createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    if (req.url.startsWith('/.well-known/oauth-protected-resource')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ resource: frontUrl, authorization_servers: [s.issuer] }));
      return;
    }
    if (JSON.parse(body || '{}').method === 'tools/call') {
      res.writeHead(307, { location: `http://127.0.0.1:${other.address().port}/mcp` }).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers.host;
    const r = await fetch(s.url, { method: req.method, headers, body: body || undefined });
    const out = Object.fromEntries(r.headers);
    delete out['www-authenticate']; // its hint names the real resource: use the front's
    delete out['content-length'];
    delete out['content-encoding'];
    res.writeHead(r.status, out);
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise((r) => front.listen(0, '127.0.0.1', r));
  const frontUrl = `http://127.0.0.1:${front.address().port}/mcp`;
  const { authorize, calls } = authorizer();
  try {
    const client = await McpClient.connect(frontUrl, {
      listen: false, maxRequestRetries: 0, auth: { authorize, redirectUri: 'http://localhost:9/callback' },
    });
    assert.equal(calls.length, 1, 'signed in through the front');
    assert.ok(s.log.requests.some((r) => r.authorization), 'the token went to the resource');
    const e = await client.callTool('add', { a: 1, b: 1 }).then(() => null, (x) => x);
    await client.close();
    assert.ok(e instanceof TransportError, `expected TransportError, got ${e}`);
    assert.match(e.message, /redirect/);
    assert.deepEqual(seen, [], 'the other origin was never contacted');
  } finally {
    await s.close();
    front.close();
    other.close();
  }
});

test('protected resource metadata for another resource is refused before any sign-in', T, async () => {
  const s = await startProtectedServer();
  const front = http.createServer((req, res) => {
    if (req.url.startsWith('/.well-known/oauth-protected-resource')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ resource: s.url, authorization_servers: [s.issuer] }));
      return;
    }
    res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
  });
  await new Promise((r) => front.listen(0, '127.0.0.1', r));
  const { authorize, calls } = authorizer();
  try {
    const e = await McpClient.connect(`http://127.0.0.1:${front.address().port}/mcp`, {
      listen: false, auth: { authorize, redirectUri: 'http://localhost:9/callback' },
    }).then(() => null, (x) => x);
    assert.ok(e instanceof AuthError, `expected AuthError, got ${e}`);
    assert.equal(e.reason, 'resource_mismatch');
    assert.equal(e.code, 'ERR_AUTH');
    assert.equal(calls.length, 0);
    assert.equal(s.log.registrations, 0);
  } finally {
    await s.close();
    front.close();
  }
});

test('the authorize function failing surfaces an AuthError that says so', T, async () => {
  const s = await startProtectedServer();
  try {
    const e = await McpClient.connect(s.url, {
      listen: false,
      auth: { authorize: async () => { throw new Error('the person closed the window'); }, redirectUri: 'http://localhost:9/callback' },
    }).then(() => null, (x) => x);
    assert.ok(e instanceof AuthError, `expected AuthError, got ${e}`);
    assert.equal(e.name, 'AuthError');
    assert.equal(e.reason, 'authorization_failed');
    assert.match(e.message, /closed the window/);
  } finally {
    await s.close();
  }
});

test('a redirect URI that is neither HTTPS nor loopback is refused', T, async () => {
  const s = await startProtectedServer();
  try {
    const e = await McpClient.connect(s.url, {
      listen: false, auth: { authorize: async () => '', redirectUri: 'http://app.example/cb' },
    }).then(() => null, (x) => x);
    assert.ok(e instanceof AuthError);
    assert.equal(e.reason, 'invalid_redirect_uri');
  } finally {
    await s.close();
  }
});
