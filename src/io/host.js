// The JavaScript half of the I/O seam (src/io/): the hook the wasm's executor awaits
// promises through (src/io/exec.rs), and the OAuth client (src/io/oauth.rs).
//
// Authorization (OAuth 2.1 as MCP defines it): what happens when the server answers 401
// (or 403 `insufficient_scope`). The transport (through src/io/oauth.rs) asks an `OAuth`
// for the `Authorization` header of each request, tells it about a refusal, and waits for
// the sign-in or refresh it starts; everything else is here.
//
// Why JavaScript: authorization is HTTP, JSON, URLs, form encoding, base64, WebCrypto and
// the app's storage, all of which the platform has; the same flow in Rust was about 10 KB
// of gzipped wasm (most of it building and reading JS values and strings), this is about
// a third of that. The pure decisions are exported one by one and tested under node --test
// (tests/node/oauth-unit.mjs); the flow is tested against the protected reference server.
//
// A sign-in: the Protected Resource Metadata (RFC 9728), the authorization server's
// metadata (RFC 8414, OpenID), the client (pre-registered, a Client ID Metadata Document,
// or Dynamic Client Registration), the authorization code flow with PKCE S256 through the
// app's `authorize(url)`, and the code exchanged for tokens; refreshes before expiry and
// after a 401. Secrets (tokens, the code, the PKCE verifier) travel only in the token
// request's body and the `Authorization` header; no error made here holds one.

const OAUTH_TIMEOUT_MS = 30000;
/** How long a sign-in left for a full-page redirect may be resumed. */
const PENDING_MS = 600000;
/** How long before its expiry a token is refreshed. */
export const REFRESH_MARGIN_MS = 60000;
/** The most of an OAuth endpoint's answer that is read. */
const MAX_DOC_BYTES = 256 * 1024;

const str = (v) => (typeof v == 'string' ? v : undefined);
const isObject = (v) => v !== null && typeof v == 'object' && !Array.isArray(v);
const field = (v, k) => (isObject(v) ? v[k] : undefined);
/** The `auth.redirectUri` option (`''` when not a string). */
const redirectOf = (o) => str(o.redirectUri) ?? '';
/** A string member of `v`, or undefined. */
const text = (v, k) => str(field(v, k));
const strings = (v, k) => { const a = field(v, k); return Array.isArray(a) ? a.filter((s) => typeof s == 'string') : []; };
/** ASCII-only lower case (as HTTP and URLs compare). */
const lower = (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const trimSlashes = (s) => s.replace(/\/+$/, '');
const errorMessage = (e) => text(e, 'message') ?? str(e) ?? 'unknown error';
/** A quote of text from elsewhere, cut at `n` characters. */
const quote = (s, n) => (s.length > n ? s.slice(0, n) + '…' : s);

/** An OAuth error's `error` and `error_description` (null or undefined: none), quoted: `: error (description)`. */
const why = (e, d) => ': ' + quote(e, 100) + (d == null ? '' : ' (' + quote(d, 200) + ')');

/** Why the flow stops: a stable `reason` (the AuthError's) and words for people. */
export class Fail {
  constructor(reason, message) { this.reason = reason; this.message = message; }
}
const fail = (reason, message) => { throw new Fail(reason, message); };

/**
 * `scheme://authority` and the path (without query or fragment; `''` for `/`) of an
 * absolute http(s) URL, or undefined.
 */
export function splitUrl(url) {
  const m = /^(https?:\/\/[^/?#]+)([^?#]*)/i.exec(url);
  return m ? [m[1], trimSlashes(m[2])] : undefined;
}

/**
 * Where to look for the Protected Resource Metadata of `serverUrl`, in the spec's order: the
 * challenge's `resource_metadata`, then the path-based well-known URL, then the root one.
 */
export function resourceMetadataUrls(serverUrl, hint) {
  const out = hint === undefined ? [] : [hint];
  const u = splitUrl(serverUrl);
  if (u) {
    const base = u[0] + '/.well-known/oauth-protected-resource';
    if (u[1]) out.push(base + u[1]);
    out.push(base);
  }
  return out;
}

/**
 * Where to look for an authorization server's metadata, in the spec's order: for an issuer
 * with a path, OAuth (path inserted), OpenID (path inserted), OpenID (path appended);
 * without one, OAuth then OpenID.
 */
export function serverMetadataUrls(issuer) {
  const u = splitUrl(issuer);
  if (!u) return [];
  const [origin, path] = u;
  const out = [origin + '/.well-known/oauth-authorization-server' + path, origin + '/.well-known/openid-configuration' + path];
  if (path) out.push(trimSlashes(issuer) + '/.well-known/openid-configuration');
  return out;
}

/**
 * Whether the Protected Resource Metadata's `resource` covers `serverUrl` (RFC 9728 §3.3, as
 * MCP applies it): the same origin (scheme and host case-insensitive), and the resource's
 * path is the server's path or one of its parent paths.
 */
export function resourceMatches(resource, serverUrl) {
  const r = splitUrl(resource), s = splitUrl(serverUrl);
  if (!r || !s || resource.includes('#') || lower(r[0]) !== lower(s[0])) return false;
  return s[1] === r[1] || s[1].startsWith(r[1] + '/');
}

/** Whether an http(s) URL's host is `localhost`, `127.0.0.1` or `[::1]`. */
export function isLoopback(uri) {
  // The host: after the authority's last `@`, before its port (an IPv6 one in brackets).
  const m = /^https?:\/\/(?:[^/?#]*@)?(?:\[([^\]/?#]*)\]|([^:/?#]*))/i.exec(uri);
  return !!m && ['localhost', '127.0.0.1', '::1'].includes(lower(m[1] ?? m[2]));
}

/** Whether a redirect URI may be used: HTTPS, or HTTP on a loopback host. */
export function redirectUriOk(uri) {
  return /^https:\/\/[^/?#]/i.test(uri) || isLoopback(uri);
}

/**
 * Read the Bearer challenge of a `WWW-Authenticate` value (RFC 6750, RFC 9728 §5.1):
 * `{ resource_metadata, scope, error }`, each a string or undefined. Other schemes'
 * parameters are ignored; a value without a scheme is read as Bearer's parameters.
 */
export function challenge(header) {
  const out = {};
  let bearer = true;
  // Each match: a token (a scheme, or a parameter's name) and, after `=`, its value: a quoted
  // string with `\` escapes (unterminated: to the end), or a token; then the separators.
  for (const [, name, quoted, token] of header.matchAll(
    /([^=,\t\n\f\r ]*)[\t\n\f\r ]*(?:=[\t\n\f\r ]*(?:"((?:\\[^]?|[^"\\])*)"?|([^, \t]*)))?[, \t]*/gy)) {
    const key = lower(name);
    if (quoted === undefined && token === undefined) {
      if (name) bearer = key == 'bearer';
    } else if (bearer && ['resource_metadata', 'scope', 'error'].includes(key)) {
      out[key] ??= token ?? quoted.replace(/\\([^]?)/g, '$1');
    }
  }
  return out;
}

/**
 * Read and check a Protected Resource Metadata document for `serverUrl`: its `resource` must
 * cover the server's URL, and it must name an authorization server.
 */
export function readResourceMetadata(prm, serverUrl) {
  const resource = text(prm, 'resource');
  if (resource === undefined) fail('invalid_metadata', 'the protected resource metadata has no resource');
  if (!resourceMatches(resource, serverUrl)) {
    fail('resource_mismatch', 'the protected resource metadata is for another resource');
  }
  const issuer = strings(prm, 'authorization_servers')[0];
  if (issuer === undefined) fail('invalid_metadata', 'the protected resource metadata has no authorization server');
  return { resource, issuer, scopes: strings(prm, 'scopes_supported') };
}

/**
 * Read and check an authorization server's metadata fetched for `issuer`: `issuer` must be
 * equal (exact comparison), PKCE S256 must be advertised, and both endpoints present (then
 * strings). The document itself, read by RFC 8414's names where used.
 */
export function readServerMetadata(m, issuer) {
  if (field(m, 'issuer') !== issuer) {
    fail('issuer_mismatch', 'the authorization server metadata is for another issuer');
  }
  if (!strings(m, 'code_challenge_methods_supported').includes('S256')) {
    fail('pkce_unsupported', 'the authorization server metadata lacks PKCE S256');
  }
  if (text(m, 'authorization_endpoint') === undefined || text(m, 'token_endpoint') === undefined) {
    fail('invalid_metadata', 'the authorization server metadata lacks an endpoint');
  }
  return m;
}

/**
 * Read a token response received at `now` from `issuer`: a Bearer `access_token` (the
 * `token_type` compared case-insensitively, RFC 6749 §5.1). The tokens as the storage keeps
 * them: `{ accessToken, refreshToken?, expiresAt?, issuer }` (`oldRefresh` when the answer
 * has no new refresh token).
 */
export function readTokenResponse(t, now, issuer, oldRefresh) {
  const accessToken = text(t, 'access_token');
  if (!accessToken) fail('token_failed', 'the token response has no access_token');
  if (lower(text(t, 'token_type') ?? '') != 'bearer') fail('token_failed', 'the token response is not a Bearer token');
  return {
    accessToken,
    refreshToken: text(t, 'refresh_token') ?? oldRefresh,
    expiresAt: expiresAt(now, field(t, 'expires_in')),
    issuer,
  };
}

/**
 * Read the callback URL of an authorization: `state` must be the one sent, `iss` checked, and
 * an `error` reported; the authorization code otherwise.
 */
export function readCallback(url, state, issuer, issSupported) {
  // The query (without the fragment), decoded (`+` as space).
  const p = new URLSearchParams(/^[^?#]*\?([^#]*)/.exec(url)?.[1]);
  if (p.get('state') !== state) fail('state_mismatch', 'the authorization response has the wrong state');
  // Its `iss` (RFC 9207), compared exactly; required when the metadata says it is sent.
  const iss = p.get('iss');
  if (iss === null ? issSupported : iss !== issuer) {
    fail('iss_mismatch', iss === null ? 'the authorization response has no iss'
      : 'the authorization response is from another issuer');
  }
  const e = p.get('error');
  if (e !== null) {
    fail('access_denied', 'the authorization server refused' + why(e, p.get('error_description')));
  }
  return p.get('code') || fail('authorization_failed', 'the authorization response has no code');
}

/**
 * The scopes to ask for: the challenge's `scope`, else the resource's `scopes_supported`, else
 * none; joined with the scopes asked for before (step-up keeps them), and with
 * `offline_access` when the authorization server lists it (for a refresh token). Undefined:
 * send no `scope` parameter.
 */
export function selectScope(challenged, resourceScopes, previous, serverScopes) {
  const all = [...(previous ?? '').split(' '), ...(challenged?.split(' ') ?? resourceScopes)];
  if (serverScopes.includes('offline_access')) all.push('offline_access');
  return [...new Set(all)].filter((s) => s).join(' ') || undefined;
}

/**
 * How the client authenticates at the token endpoint (`'none'`, `'basic'`, `'post'`): the
 * method the registration gave, else (with a secret) Basic unless the server lists only
 * `client_secret_post`.
 */
export function clientAuth(registered, hasSecret, supported) {
  if (!hasSecret || registered == 'none') return 'none';
  if (registered == 'client_secret_post') return 'post';
  if (registered == 'client_secret_basic') return 'basic';
  return !supported.includes('client_secret_basic') && supported.includes('client_secret_post') ? 'post' : 'basic';
}

/** When a token with `expiresIn` seconds, received at `now`, expires (undefined: no expiry). */
export const expiresAt = (now, expiresIn) => (Number.isFinite(expiresIn) && expiresIn > 0 ? now + expiresIn * 1000 : undefined);

/** Whether a token that expires at `at` should be refreshed before use. */
export const dueForRefresh = (at, now) => typeof at == 'number' && now + REFRESH_MARGIN_MS >= at;

/** Percent-encoding of everything but `A-Z a-z 0-9 - . _ ~` (as a form or query wants). */
const enc = (s) => encodeURIComponent(s.toWellFormed())
  .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/**
 * `fields` (an object) as `application/x-www-form-urlencoded` (the token and authorization
 * requests), in the object's order; a field whose value is undefined is left out.
 */
export const form = (fields) => Object.entries(fields).filter((f) => f[1] !== undefined)
  .map(([k, v]) => enc(k) + '=' + enc(v)).join('&');

/** `base` with `fields` added to its query (the authorization URL). */
export function withQuery(base, fields) {
  const [, b, frag] = /^([^#]*)(.*)/s.exec(base);
  return b + (!b.includes('?') ? '?' : /[?&]$/.test(b) ? '' : '&') + form(fields) + frag;
}

/** The `Authorization: Basic` value for a client (RFC 6749 §2.3.1: form-encoded first). */
export const basicCredentials = (id, secret) => 'Basic ' + btoa(enc(id) + ':' + enc(secret));

/** An error for an OAuth endpoint's refusal: its `error` and `error_description` (never the request, which holds secrets). */
function refused(reason, what, doc) {
  const e = text(doc, 'error');
  return new Fail(reason, what + ' was refused' + (e === undefined ? '' : why(e, text(doc, 'error_description')))
    + (reason == 'refresh_failed' ? '; sign in again' : "; check the client's registration"));
}

const b64u = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = (n) => b64u(crypto.getRandomValues(new Uint8Array(n)));

/** PKCE S256 and `state`, from WebCrypto: `[verifier, challenge, state]`. */
export async function pkce() {
  const verifier = random(32);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return [verifier, b64u(digest), random(16)];
}

/** The default token storage: a `Map`, gone with the client. */
export function memoryStorage() {
  const m = new Map();
  m.remove = m.delete;
  return m;
}

/**
 * `cb(tag, value)` once `p` (any value, as for `Promise.resolve`) fulfils, `cb(tag + 1,
 * reason)` once it rejects: how the wasm awaits a promise, and (with `p` undefined) its
 * next microtask (src/io/exec.rs).
 */
export function whenSettled(p, tag, cb) {
  Promise.resolve(p).then((v) => cb(tag, v), (e) => cb(tag + 1, e));
}

/** The global `fetch` (pages, workers and Node alike), read when a client is made. */
export const globalFetch = () => globalThis.fetch;


/**
 * One request by `fetch` (src/io/mod.rs, `Http::send`), redirects not followed: browsers
 * give an opaque response for one, Node the 3xx itself, and either way nothing is sent on
 * to the target. Settles with the Response; for a redirect, with its status (0 where the
 * runtime hides it), its body cancelled; with a string when `fetch` gave no Response
 * (a replacement `fetch` may give anything, a thenable too). Rejects as `fetch` does,
 * and with what it throws; as an `AbortError` once `signal` aborted.
 */
export const send = (fetch, url, method, headers, body, signal) => new Promise((ok) => {
  if (badHeaders.has(headers)) throw badHeaders.get(headers);
  ok(fetch(url, { method, redirect: 'manual', headers, body, signal }));
}).then((r) => {
  if (!(r instanceof Response)) return 'fetch gave no Response';
  const opaque = r.type == 'opaqueredirect';
  if (!opaque && (r.status < 300 || r.status >= 400)) return r;
  r.body?.cancel().catch(() => {});
  return opaque ? 0 : r.status;
}, (e) => {
  throw signal.aborted ? { name: 'AbortError' } : e;
});

/** A fresh `AbortController` (src/io/mod.rs, `abort_controller`). */
export const newAbortController = () => new AbortController();

/**
 * `cb(tag)` when `signal` aborts, or no longer (src/io/mod.rs, `AbortListener`): the
 * listener, to remove (src/io/exec.rs, `Armed`).
 */
export const onAbort = (signal, tag, cb, f = () => cb(tag)) => (signal.addEventListener('abort', f), f);
export const offAbort = (signal, f) => signal.removeEventListener('abort', f);

/** A fresh `Headers` (src/io/mod.rs, `HeaderList`). */
export const newHeaders = () => new Headers();

/** What `Headers.set` first threw for each list (a bad name or value): `send` throws it. */
const badHeaders = new WeakMap();

/** `headers.set(name, value)`, keeping what it threw (see `badHeaders`). */
export function setHeader(headers, name, value) {
  try {
    headers.set(name, value);
  } catch (e) {
    if (!badHeaders.has(headers)) badHeaders.set(headers, e);
  }
}

/** A response header (src/io/mod.rs, `HttpResponse::header`), or null. */
export const header = (resp, name) => resp.headers.get(name);

/** The reader of each response body read so far (made at its first read). */
const readers = new WeakMap();

/** The reader of `resp`'s body, made at the first read; undefined without a body. */
function readerOf(resp) {
  let r = readers.get(resp);
  if (!r && resp.body) readers.set(resp, (r = resp.body.getReader()));
  return r;
}

/** The next chunk through `reader`: its bytes, or undefined at its end (or without a reader). */
const read = (reader) => (reader ? reader.read().then(({ done, value }) => {
  if (done) return;
  if (value instanceof Uint8Array) return value;
  throw 'body chunk is not bytes';
}) : Promise.resolve());

/**
 * The next chunk of a response's body (an SSE stream's, for `nextEvents`) as text, by the
 * reader's own streaming `TextDecoder` (a BOM kept, each bad UTF-8 sequence as U+FFFD, a
 * character split between chunks given whole with the later one), or undefined at its end
 * (or without a body). Rejects as the stream does, or with 'body chunk is not bytes'.
 */
const nextChunk = (resp, r = readerOf(resp)) =>
  read(r).then((v) => v && (r.d ??= new TextDecoder('utf-8', { ignoreBOM: true })).decode(v, { stream: true }));

/**
 * A response's body read to its end (the wasm's replies, src/io/mod.rs, and the OAuth
 * documents): its text (`''` without a body), each bad UTF-8 sequence as U+FFFD, or with
 * `fatal` `null` when it is not UTF-8; a leading BOM is kept, or with `bom` dropped.
 * `undefined` past `limit` bytes (checked first: a body too large is that, whatever its
 * bytes; the stream is cancelled). Rejects as the stream does, or with 'body chunk is not
 * bytes'.
 */
export async function readText(resp, limit, fatal, bom) {
  const reader = readerOf(resp);
  const d = new TextDecoder('utf-8', { fatal, ignoreBOM: !bom });
  let text = '', n = 0, bad;
  for (let value; (value = await read(reader));) {
    if ((n += value.length) > limit) return void reader.cancel().catch(() => {});
    try {
      text += d.decode(value, { stream: true });
    } catch {
      bad = 1;
    }
  }
  try {
    return bad ? null : text + d.decode();
  } catch {
    return null;
  }
}

/**
 * Stop reading a response's body (src/io/mod.rs, `HttpResponse`'s drop): cancel it through
 * its reader, else the body itself unless it is locked; a failure is ignored. Idempotent.
 */
export function cancelBody(resp) {
  const b = readers.get(resp) ?? resp.body;
  if (b && !b.locked) b.cancel().catch(() => {});
}

/** A body read to its end, at most `MAX_DOC_BYTES`, as JSON; undefined for anything else. */
async function readJson(resp) {
  try {
    return JSON.parse(await readText(resp, MAX_DOC_BYTES, false, 1));
  } catch {
    // No body, a broken stream, too large, not JSON: no document.
  }
}

/**
 * The OAuth client of one protected resource: the MCP endpoint `url`, the `auth` option of
 * `connect()` as given (`o`, read where it is used, strings checked there), and the `fetch`
 * the client uses. The wasm makes it with `new` (src/io/oauth.rs) and calls the methods of
 * the object returned; its state lives in this closure.
 */
export function OAuth(o, url, fetch) {
  const storage = o.storage !== null && typeof o.storage == 'object' ? o.storage : memoryStorage();
  const tokensKey = 'tokens:' + url, pendingKey = 'pending:' + url;
  // Bumped with every new token: a refusal of an older one just retries.
  let gen = 0;
  // Unset until known (undefined): `tokens`, as the storage keeps them (`{ accessToken,
  // refreshToken?, expiresAt?, issuer }`), and `loaded` once they were read; `wwwAuth`, the
  // latest 401/403's `WWW-Authenticate`; `asked`, the scopes asked for last, `[issuer,
  // scope]` (step-up asks for them again); `resource` and `server` (its metadata document,
  // checked), where the tokens came from; `flight`, the one sign-in or refresh under way,
  // shared by every request that needs it.
  let tokens, loaded, wwwAuth, asked, resource, server, flight;

  /**
   * `storage[method](key, value)` (the app's token storage: `get`, `set`, `remove`), as a
   * Promise that never rejects: a failure is reported and reads as nothing stored. Calls run
   * in order; writes are not waited for.
   */
  const store = (method, key, value) => Promise.resolve().then(() => storage[method](key, value))
    .catch((e) => console.error('mcp-tasks-wasm: the token storage failed', e));

  /** Forget the tokens (here and in the storage). */
  const signOut = () => {
    tokens = undefined;
    gen++;
    store('remove', tokensKey);
  };

  /**
   * The flow under way, or a new one: a refresh (without `ch`), or a sign-in after the
   * challenge `ch` (a refresh first when `mayRefresh` and not `stepUp`).
   */
  const shared = (ch, stepUp, mayRefresh) =>
    (flight ??= run(ch, stepUp, mayRefresh).finally(() => { flight = undefined; }));

  async function run(ch, stepUp, mayRefresh) {
    if (!ch) {
      if (loaded) return refresh(false);
      loaded = true;
      const v = await store('get', tokensKey);
      if (typeof v?.accessToken == 'string') {
        gen++;
        tokens = v;
      }
      return;
    }
    // Discovery: the Protected Resource Metadata, then the authorization server's, each the
    // first document found at its URLs (a non-2xx answer, or one that is not a JSON object,
    // means: none there).
    const r = readResourceMetadata(
      await discover(resourceMetadataUrls(url, ch.resource_metadata), 'the protected resource'),
      url);
    const s = readServerMetadata(await discover(serverMetadataUrls(r.issuer), r.issuer), r.issuer);
    // A server that moved to another authorization server: nothing of the old one (tokens,
    // the scopes asked there) is used with the new one.
    if (tokens?.issuer !== s.issuer) tokens = undefined;
    if (asked?.[0] !== s.issuer) asked = undefined;
    resource = r;
    server = s;
    // A failed refresh goes on to the authorization.
    if (stepUp || !mayRefresh || typeof tokens?.refreshToken != 'string' || !(await refresh(true))) {
      return authorize(ch);
    }
  }

  /** The first JSON object found at `urls` (`what` names them in the error). */
  async function discover(urls, what) {
    let last;
    for (const u of urls) {
      try {
        const [ok, doc] = await request(u);
        if (ok && isObject(doc)) return doc;
      } catch (e) {
        last = e;
      }
    }
    throw last ?? new Fail('metadata_not_found', 'no metadata found for ' + what);
  }

  /**
   * Refresh the access token (the refresh token is rotated when the server rotates it) with
   * the resource and server the tokens were got from. A failure drops the tokens; with
   * `fallback` it resolves false (the sign-in goes on), else it rejects.
   */
  async function refresh(fallback) {
    try {
      // The resource and server are known together (run() sets both).
      const old = str(tokens?.refreshToken);
      if (old === undefined || !server) fail('refresh_failed', 'no refresh token: sign in again');
      await token(await client(), { grant_type: 'refresh_token', refresh_token: old, resource: resource.resource }, old);
      return true;
    } catch (e) {
      signOut();
      if (!fallback) throw e;
      return false;
    }
  }

  /** The authorization code flow: the page step through `authorize`, then the code for tokens. */
  async function authorize(ch) {
    const redirectUri = redirectOf(o), issuer = server.issuer;
    if (!redirectUriOk(redirectUri)) {
      fail('invalid_redirect_uri', 'auth.redirectUri must be HTTPS, or HTTP on a loopback host');
    }
    const c = await client();
    const scope = selectScope(ch.scope, resource.scopes, asked?.[1], strings(server, 'scopes_supported'));
    // A sign-in left for a full-page redirect is resumed (same URL, same verifier).
    let record = await store('get', pendingKey);
    const at = field(record, 'at');
    if (!(field(record, 'issuer') === issuer && typeof at == 'number' && Date.now() - at < PENDING_MS
      && ['url', 'verifier', 'state'].every((k) => typeof record[k] == 'string'))) {
      const p = await pkce().catch((e) => fail('authorization_failed', 'WebCrypto is unavailable: ' + errorMessage(e)));
      record = {
        url: withQuery(server.authorization_endpoint, {
          response_type: 'code', client_id: c.client_id, redirect_uri: redirectUri, code_challenge: p[1],
          code_challenge_method: 'S256', state: p[2], resource: resource.resource, scope,
        }),
        verifier: p[0], state: p[2], issuer, at: Date.now(),
      };
      store('set', pendingKey, record);
    }
    asked = scope && [issuer, scope];
    let callback;
    try {
      callback = await new Promise((resolve) => resolve(o.authorize(record.url)));
    } catch (e) {
      fail(field(e, 'reason') == 'popup_blocked' ? 'popup_blocked' : 'authorization_failed',
        'signing in did not finish: ' + errorMessage(e));
    } finally {
      store('remove', pendingKey);
    }
    const code = readCallback(str(callback) ?? text(callback, 'href') ?? '', record.state, issuer,
      server.authorization_response_iss_parameter_supported === true);
    await token(c, {
      grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: record.verifier,
      resource: resource.resource,
    });
  }

  /**
   * The client's credentials at the server: a registration kept for its issuer, else
   * pre-registered, else a Client ID Metadata Document, else Dynamic Client Registration
   * (RFC 7591: a public client with a refresh grant; the server's answer is kept, as it sent
   * it, per issuer). Its `{ client_id, client_secret?, token_endpoint_auth_method? }`, as
   * RFC 7591 names them (the secret and method read where used).
   */
  async function client() {
    const issuer = server.issuer, key = 'client:' + issuer, id = str(o.clientId), by = str(o.clientIssuer);
    const cimd = str(o.clientMetadataUrl), redirectUri = redirectOf(o);
    const kept = await store('get', key);
    if (typeof field(kept, 'client_id') == 'string') return kept;
    if (id !== undefined && (by === undefined || by === issuer)) return { client_id: id, client_secret: o.clientSecret };
    if (cimd !== undefined && server.client_id_metadata_document_supported === true) {
      return { client_id: cimd, token_endpoint_auth_method: 'none' };
    }
    const registration = text(server, 'registration_endpoint');
    if (registration === undefined) {
      fail('no_client', issuer + ' offers no client registration: pass auth.clientId or auth.clientMetadataUrl');
    }
    const [ok, doc] = await request(registration, JSON.stringify({
      client_name: str(o.clientName) ?? 'mcp-tasks-wasm',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: str(o.applicationType) ?? (isLoopback(redirectUri) ? 'native' : 'web'),
    }), { 'Content-Type': 'application/json' });
    if (!ok || typeof field(doc, 'client_id') != 'string') throw refused('registration_failed', 'client registration', doc);
    store('set', key, doc);
    return doc;
  }

  /**
   * The token request (either grant) of client `c`, authenticated as it registered, else as
   * the server supports; the tokens kept (`oldRefresh` when the answer has no new one).
   */
  async function token(c, fields, oldRefresh) {
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' }, id = c.client_id, secret = str(c.client_secret);
    const how = clientAuth(str(c.token_endpoint_auth_method), secret !== undefined, strings(server, 'token_endpoint_auth_methods_supported'));
    if (how == 'basic') headers.Authorization = basicCredentials(id, secret);
    else fields.client_id = id;
    if (how == 'post') fields.client_secret = secret;
    const [ok, doc] = await request(server.token_endpoint, form(fields), headers);
    if (!ok) throw refused(oldRefresh === undefined ? 'token_failed' : 'refresh_failed', 'the token request', doc);
    tokens = readTokenResponse(doc, Date.now(), server.issuer, oldRefresh);
    store('set', tokensKey, tokens);
    gen++;
  }

  /**
   * GET a JSON document from an OAuth endpoint, or POST `body` to one (`headers` beside
   * `Accept`: its `Content-Type`, the client's `Authorization`): `[ok, doc]` (a 2xx
   * answer; its JSON, or undefined). Rejects with `unreachable` when the endpoint cannot be
   * reached; a redirect is not followed.
   */
  async function request(to, body, headers) {
    headers = { Accept: 'application/json', ...headers };
    const signal = AbortSignal.timeout(OAUTH_TIMEOUT_MS);
    let resp;
    try {
      // The client's one way to fetch (`send`): a Response, else a string saying why not
      // or a redirect's status (its body cancelled).
      resp = await send(fetch, to, body === undefined ? 'GET' : 'POST', headers, body, signal);
      if (!(resp instanceof Response)) throw typeof resp == 'string' ? resp : 'it redirected';
    } catch (e) {
      throw new Fail('unreachable', 'could not reach ' + to + ' (network error or CORS): '
        + quote(signal.aborted ? 'timed out' : errorMessage(e), 200));
    }
    return [resp.ok, await readJson(resp)];
  }

  return {
    /** The `Authorization` value for a request to the resource, once signed in. */
    header: () => tokens && 'Bearer ' + tokens.accessToken,

    /** Which token requests are sent with now (see `denied`). */
    generation: () => gen,

    /** Note a 401/403's `WWW-Authenticate`. */
    challenged(h) {
      wwwAuth = h;
    },

    /** The values to redact from anything quoted from a server: the tokens, joined by a space. */
    secrets: () => (tokens ? [tokens.accessToken, tokens.refreshToken].filter((s) => typeof s == 'string').join(' ') : ''),

    /**
     * Before a request: the stored tokens (read once, by the first flow), refreshed when they
     * are about to expire; undefined when there is nothing to do. A failed refresh only drops
     * them: the server's 401 then signs in again.
     */
    ready() {
      if (!loaded || (server && typeof tokens?.refreshToken == 'string' && dueForRefresh(tokens.expiresAt, Date.now()))) {
        return shared();
      }
    },

    /**
     * After a 401 or 403 to a request sent with token `generation`: undefined when it is a
     * refusal authorization cannot fix (a 403 that is not `insufficient_scope`), else a
     * Promise of the sign-in (or of a refresh first, when `mayRefresh`) to wait for before
     * sending the request again (at once resolved when another request got a new token).
     */
    denied(status, generation, mayRefresh) {
      const ch = challenge(wwwAuth ?? '');
      wwwAuth = undefined;
      if (gen !== generation) return Promise.resolve();
      const stepUp = status == 403;
      if (!stepUp || ch.error == 'insufficient_scope') return shared(ch, stepUp, mayRefresh);
    },

    /** Forget the tokens (here and in the storage). */
    signOut,
  };
}

/** Per response: the parse of the SSE stream it carries (see `nextEvents`). */
const streams = new WeakMap();

/**
 * The next chunk of an SSE stream read from a response's body (`nextChunk`), parsed as
 * WHATWG HTML's event-stream interpretation says (§9.2.6): the data of each `message` event
 * the chunk completes, but not an empty one (MCP's priming event); `undefined` at the
 * body's end; `null` once the half-read line and event hold more than `max` characters
 * (the events the chunk completed first are given, then `null`). `s` is the state a stream
 * shares with its reconnections: the last event id `s.l` (set at each dispatch) and the
 * server's latest valid `retry` in ms `s.r`; a reconnection is a new response, whose parse
 * starts afresh (a leading BOM dropped, the id buffer at `s.l`). Lines end at CR LF, LF or
 * CR, a CR at a chunk's end and an LF at the next one's start being one line end.
 */
export const nextEvents = (resp, s, max) => nextChunk(resp).then((t) => {
  let p = streams.get(resp), out = [];
  if (p?.f) return null;
  // Nothing yet (a character's first bytes) or the end: the parse does not start.
  if (!t) return t == '' ? out : t;
  if (!p) streams.set(resp, (p = { b: '', d: '', e: '', i: s.l ?? '' })), (t = t.replace(/^\ufeff/, ''));
  if (p.c && t[0] == '\n') t = t.slice(1);
  p.c = t.endsWith('\r');
  // Only the new text is split: a long line is not read again at each chunk.
  const lines = t.split(/\r\n?|\n/);
  lines[0] = p.b + lines[0];
  p.b = lines.pop();
  // Past the cap with a line, before it is kept: the line and the event's fields so far.
  const over = (l) => (p.f = l.length + p.d.length + p.e.length + p.i.length > max);
  for (const l of lines) {
    if (over(l)) break;
    const k = l.indexOf(':'), f = k < 0 ? l : l.slice(0, k);
    let v = k < 0 ? '' : l.slice(k + 1);
    if (v[0] == ' ') v = v.slice(1);
    if (!l) {
      s.l = p.i;
      if (p.d.length > 1 && (p.e || 'message') == 'message') out.push(p.d.slice(0, -1));
      p.d = p.e = '';
    } else if (f == 'data') p.d += v + '\n';
    else if (f == 'event') p.e = v;
    else if (f == 'id' && !v.includes('\0')) p.i = v;
    else if (f == 'retry' && /^\d+$/.test(v)) s.r = Math.min(+v, 4294967295);
  }
  p.f || over(p.b);
  return p.f && !out.length ? null : out;
});
