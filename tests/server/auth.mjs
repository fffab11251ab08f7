// A protected MCP server for the authorization tests (issue 17): a real OAuth 2.1
// authorization server (the official SDK's mcpAuthRouter: metadata, Dynamic Client
// Registration, /authorize, /token with PKCE checked by the SDK, refresh) over an in-memory
// provider that approves at once, and a protected MCP endpoint (the SDK's requireBearerAuth
// with the resource_metadata hint, then the v2 SDK's createMcpHandler: 2026-07-28 and
// stateless 2025-11-25) on another port (another origin). Everything it issued and everything it was sent is recorded for the tests.
//
//   node tests/server/auth.mjs [--token-ttl-ms N] [--port N]   (prints both URLs)
//   import { startProtectedServer } from './auth.mjs'           (the Node test)
//
// Options: tokenTtlMs: how long an access token is accepted (default 1 h);
// expiresIn: the `expires_in` it advertises, in s (default: the ttl); refresh: whether
// refresh tokens are issued and honoured (default true); leak: the `leak` tool answers
// HTTP 500 with the request's Authorization header in its body (a hostile server, for the
// redaction check); upstream: the URL of a reference server (tests/server/modern.mjs or
// server.mjs) that the protected endpoint forwards every MCP request to, streamed and
// without the Authorization header: the protected mode of the reference servers, with
// their task tools.
import { randomUUID } from 'node:crypto';
import express from 'express';
import cors from 'cors';
import * as z from 'zod';
import { mcpAuthRouter, getOAuthProtectedResourceMetadataUrl } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { Readable } from 'node:stream';
import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';

function listen(app) {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

export async function startProtectedServer({ tokenTtlMs = 3_600_000, expiresIn, refresh = true, upstream } = {}) {
  const log = { registrations: 0, authorizations: 0, tokens: [], refreshes: 0, bearerAtAuthServer: 0, requests: [] };
  const clients = new Map();
  const codes = new Map();
  const access = new Map();
  const refreshTokens = new Map();
  const issue = (clientId, scopes, resource) => {
    const token = `at-${randomUUID()}`;
    access.set(token, { clientId, scopes, resource, expiresAt: Date.now() + tokenTtlMs });
    const out = { access_token: token, token_type: 'Bearer', expires_in: expiresIn ?? Math.ceil(tokenTtlMs / 1000) };
    log.tokens.push(token);
    if (refresh) {
      const rt = `rt-${randomUUID()}`;
      refreshTokens.set(rt, { clientId, scopes, resource });
      out.refresh_token = rt;
      log.tokens.push(rt);
    }
    return out;
  };
  const provider = {
    clientsStore: {
      getClient: async (id) => clients.get(id),
      registerClient: async (c) => { log.registrations++; clients.set(c.client_id, c); return c; },
    },
    async authorize(client, params, res) {
      log.authorizations++;
      const code = randomUUID();
      codes.set(code, { client, params });
      const to = new URL(params.redirectUri);
      to.searchParams.set('code', code);
      if (params.state !== undefined) to.searchParams.set('state', params.state);
      to.searchParams.set('iss', issuer.href);
      res.redirect(to.href);
    },
    async challengeForAuthorizationCode(_client, code) {
      return codes.get(code)?.params.codeChallenge;
    },
    async exchangeAuthorizationCode(client, code) {
      const c = codes.get(code);
      if (!c || c.client.client_id !== client.client_id) throw new Error('invalid code');
      codes.delete(code);
      return issue(client.client_id, c.params.scopes ?? [], c.params.resource?.href);
    },
    async exchangeRefreshToken(client, rt) {
      const r = refreshTokens.get(rt);
      if (!refresh || !r || r.clientId !== client.client_id) throw new Error('invalid refresh token');
      refreshTokens.delete(rt); // rotated
      log.refreshes++;
      return issue(client.client_id, r.scopes, r.resource);
    },
    async verifyAccessToken(token) {
      const t = access.get(token);
      if (!t || t.expiresAt < Date.now()) throw new (await import('@modelcontextprotocol/sdk/server/auth/errors.js')).InvalidTokenError('expired or unknown token');
      return { token, clientId: t.clientId, scopes: t.scopes, expiresAt: Math.floor(t.expiresAt / 1000) + 1, resource: t.resource && new URL(t.resource) };
    },
  };

  // The authorization server (its own origin).
  const as = express();
  as.use((req, _res, next) => { if (/^Bearer /i.test(req.headers.authorization ?? '')) log.bearerAtAuthServer++; next(); });
  const asServer = await listen(as);
  const issuer = new URL(`http://localhost:${asServer.address().port}/`);

  // The protected resource (another origin).
  const rs = express();
  const rsServer = await listen(rs);
  const mcpUrl = new URL(`http://localhost:${rsServer.address().port}/mcp`);
  as.use(mcpAuthRouter({ provider, issuerUrl: issuer, resourceServerUrl: mcpUrl, scopesSupported: ['mcp'] }));
  // Pages on other origins (the browser test): the resource allows them, with the
  // Authorization header, and exposes WWW-Authenticate (the challenge the client reads).
  rs.use(cors({ exposedHeaders: ['WWW-Authenticate', 'Mcp-Session-Id'] }));
  // The protected resource metadata is the resource's (RFC 9728): served on its origin.
  rs.get('/.well-known/oauth-protected-resource/mcp', (_req, res) => {
    res.json({ resource: mcpUrl.href, authorization_servers: [issuer.href], scopes_supported: ['mcp'] });
  });
  rs.use(express.json());
  rs.use('/mcp', (req, _res, next) => { log.requests.push({ method: req.body?.method, authorization: req.headers.authorization }); next(); });
  rs.use('/mcp', requireBearerAuth({ verifier: provider, resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl) }));
  const mcp = createMcpHandler(() => {
    const server = new McpServer({ name: 'protected-reference', version: '1.0.0' }, { capabilities: { tools: {} } });
    server.registerTool('add', { description: 'a + b', inputSchema: z.object({ a: z.number(), b: z.number() }) },
      async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }));
    server.registerTool('leak', { description: 'answers HTTP 500 quoting the Authorization header' },
      async () => ({ content: [{ type: 'text', text: 'unreachable' }] }));
    return server;
  }, { legacy: 'stateless' });
  if (upstream) {
    // The protected mode of a reference server: forward, streaming the reply (listen and
    // GET streams stay open), never passing the token on.
    rs.all('/mcp', async (req, res) => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === 'string' && !['host', 'authorization', 'content-length', 'connection', 'origin'].includes(k)) headers.set(k, v);
      }
      const ac = new AbortController();
      res.on('close', () => ac.abort());
      try {
        const body = req.method === 'POST' ? JSON.stringify(req.body) : undefined;
        const response = await fetch(upstream, { method: req.method, headers, body, signal: ac.signal });
        res.status(response.status);
        response.headers.forEach((v, k) => { if (!['content-length', 'content-encoding', 'access-control-allow-origin'].includes(k)) res.setHeader(k, v); });
        res.flushHeaders();
        if (response.body) Readable.fromWeb(response.body).on('error', () => res.end()).pipe(res);
        else res.end();
      } catch {
        if (!res.headersSent) res.status(502);
        res.end();
      }
    });
  }
  rs.post('/mcp', async (req, res) => {
    if (req.body?.method === 'tools/call' && req.body.params?.name === 'leak') {
      res.status(500).type('text/plain').send(`upstream failed; you sent ${req.headers.authorization}`);
      return;
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const response = await mcp.fetch(new Request(`http://127.0.0.1${req.url}`, { method: 'POST', headers, body: JSON.stringify(req.body) }));
    res.status(response.status);
    response.headers.forEach((v, k) => { if (k !== 'content-length') res.setHeader(k, v); });
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  rs.all('/mcp', (_req, res) => res.status(405).end());

  return {
    url: mcpUrl.href,
    issuer: issuer.href,
    log,
    async close() {
      asServer.closeAllConnections?.();
      rsServer.closeAllConnections?.();
      await Promise.all([new Promise((r) => asServer.close(r)), new Promise((r) => rsServer.close(r))]);
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : undefined; };
  const s = await startProtectedServer({ tokenTtlMs: arg('--token-ttl-ms') });
  console.log(`protected MCP endpoint: ${s.url}\nauthorization server:   ${s.issuer}`);
}
