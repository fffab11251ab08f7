// The pure decisions of authorization (src/io/host.js), under node --test: challenges,
// discovery URLs in the spec's order, the resource and issuer checks, scope selection,
// encodings, expiry; and the parsers under a seeded sweep of hostile strings. No server,
// no pkg/ needed (`make test-node-auth` runs it with the flow's tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  challenge, resourceMetadataUrls, serverMetadataUrls, resourceMatches, redirectUriOk, isLoopback,
  selectScope, clientAuth, expiresAt, dueForRefresh, form, withQuery, basicCredentials,
  readResourceMetadata, readServerMetadata, readTokenResponse, readCallback, splitUrl, Fail,
} from '../../src/io/host.js';

/** The `reason` a call fails with (a `Fail`), or the test fails. */
function reason(f) {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof Fail, `not a Fail: ${e}`);
    return e.reason;
  }
  assert.fail('did not fail');
}

test('challenge reads the quoted and token parameters of Bearer', () => {
  assert.deepEqual(
    challenge('Bearer error="insufficient_scope", scope="mcp:basic mcp:write", resource_metadata="https://x.example/.well-known/oauth-protected-resource/mcp"'),
    { error: 'insufficient_scope', scope: 'mcp:basic mcp:write', resource_metadata: 'https://x.example/.well-known/oauth-protected-resource/mcp' });
  assert.deepEqual(challenge('Bearer error=invalid_token,scope=a'), { error: 'invalid_token', scope: 'a' });
  assert.equal(challenge('bearer realm="a\\"b", scope="x"').scope, 'x');
  assert.equal(challenge('Bearer SCOPE="up"').scope, 'up', 'parameter names are case-insensitive');
});

test("challenge ignores other schemes' parameters", () => {
  assert.equal(challenge('Basic realm="r", scope="nope", Bearer scope="yes"').scope, 'yes');
  assert.equal(challenge('DPoP scope="nope"').scope, undefined);
  assert.deepEqual(challenge(''), {});
  // Unterminated quote: the value is taken to the end.
  assert.equal(challenge('Bearer scope="abc').scope, 'abc');
  // A Latin-1 no-break space is not a separator (ASCII whitespace only).
  assert.equal(challenge('Bearer\u00a0scope="x"').scope, undefined);
});

test('resource metadata URLs: the hint, then the path, then the root', () => {
  assert.deepEqual(resourceMetadataUrls('https://h.example/api/mcp?x=1', 'https://h.example/custom.json'), [
    'https://h.example/custom.json',
    'https://h.example/.well-known/oauth-protected-resource/api/mcp',
    'https://h.example/.well-known/oauth-protected-resource',
  ]);
  assert.deepEqual(resourceMetadataUrls('http://localhost:3000/'), ['http://localhost:3000/.well-known/oauth-protected-resource']);
});

test('server metadata URLs in the spec order', () => {
  assert.deepEqual(serverMetadataUrls('https://auth.example/tenant1'), [
    'https://auth.example/.well-known/oauth-authorization-server/tenant1',
    'https://auth.example/.well-known/openid-configuration/tenant1',
    'https://auth.example/tenant1/.well-known/openid-configuration',
  ]);
  assert.deepEqual(serverMetadataUrls('https://auth.example'), [
    'https://auth.example/.well-known/oauth-authorization-server',
    'https://auth.example/.well-known/openid-configuration',
  ]);
  assert.deepEqual(serverMetadataUrls('ftp://x'), []);
});

test('the resource must cover the server URL', () => {
  assert.ok(resourceMatches('http://localhost:1/mcp', 'http://localhost:1/mcp'));
  assert.ok(resourceMatches('http://localhost:1', 'http://localhost:1/mcp'));
  assert.ok(resourceMatches('HTTP://LOCALHOST:1/', 'http://localhost:1/mcp'));
  assert.ok(resourceMatches('https://a.example/api', 'https://a.example/api/mcp'));
  assert.ok(!resourceMatches('https://evil.example.com/mcp', 'http://localhost:1/mcp'));
  assert.ok(!resourceMatches('https://a.example/ap', 'https://a.example/api/mcp'));
  assert.ok(!resourceMatches('https://a.example/other', 'https://a.example/mcp'));
  assert.ok(!resourceMatches('https://a.example:444/mcp', 'https://a.example/mcp'));
  assert.ok(!resourceMatches('https://a.example/mcp#f', 'https://a.example/mcp'));
  assert.ok(!resourceMatches('not a url', 'https://a.example/mcp'));
});

test('redirect URIs are HTTPS or loopback', () => {
  assert.ok(redirectUriOk('https://app.example/cb'));
  assert.ok(redirectUriOk('http://localhost:8080/cb'));
  assert.ok(redirectUriOk('http://127.0.0.1/cb'));
  assert.ok(redirectUriOk('http://[::1]:9/cb'));
  assert.ok(redirectUriOk('http://user@LOCALHOST/cb'));
  assert.ok(!redirectUriOk('http://app.example/cb'));
  assert.ok(!redirectUriOk('http://localhost.evil.example/cb'));
  assert.ok(!redirectUriOk('http://localhost@evil.example/cb'));
  assert.ok(!redirectUriOk('javascript:alert(1)'));
  assert.ok(!isLoopback('http://[::1/cb'));
});

test('the scope comes from the challenge, else the resource, else none', () => {
  assert.equal(selectScope('x', ['a', 'b'], undefined, []), 'x');
  assert.equal(selectScope(undefined, ['a', 'b'], undefined, []), 'a b');
  assert.equal(selectScope(undefined, [], undefined, []), undefined);
  assert.equal(selectScope('', ['a'], undefined, []), undefined, 'an empty challenged scope is not replaced');
});

test('step-up keeps the scopes asked for before', () => {
  assert.equal(selectScope('mcp:write', [], 'mcp:basic', []), 'mcp:basic mcp:write');
  assert.equal(selectScope('a b', [], 'b a', []), 'b a');
});

test('offline_access only when the server lists it', () => {
  assert.equal(selectScope('mcp:basic', [], undefined, ['mcp:basic', 'offline_access']), 'mcp:basic offline_access');
  assert.equal(selectScope('mcp:basic', [], undefined, ['mcp:basic']), 'mcp:basic');
});

test('iss is compared exactly, and required when advertised', () => {
  const is = 'http://localhost:1';
  // A callback with `iss` (omitted when undefined), read with `advertised`: its code, or the failure.
  const read = (iss, advertised) => {
    try {
      return readCallback('http://localhost/cb?' + form({ code: 'c', state: 's', iss }), 's', is, advertised);
    } catch (e) {
      assert.ok(e instanceof Fail && e.reason == 'iss_mismatch', `not an iss_mismatch: ${e}`);
      return e.message;
    }
  };
  assert.equal(read(is, true), 'c');
  assert.equal(read(undefined, false), 'c');
  assert.match(read(undefined, true), /no iss/);
  assert.match(read('http://localhost:1/', true), /another issuer/);
  assert.match(read('https://evil.example.com', false), /another issuer/);
});

test('the token endpoint authentication follows the registration', () => {
  assert.equal(clientAuth('none', true, []), 'none');
  assert.equal(clientAuth('client_secret_post', true, []), 'post');
  assert.equal(clientAuth('client_secret_basic', true, []), 'basic');
  assert.equal(clientAuth(undefined, false, []), 'none');
  assert.equal(clientAuth(undefined, true, []), 'basic');
  assert.equal(clientAuth(undefined, true, ['client_secret_post']), 'post');
  assert.equal(clientAuth('client_secret_post', false, []), 'none', 'no secret: a public client');
});

test('tokens are refreshed a minute before expiry', () => {
  const at = expiresAt(1000, 3600);
  assert.equal(at, 3_601_000);
  assert.ok(!dueForRefresh(at, 1000));
  assert.ok(dueForRefresh(at, at - 59_000));
  assert.ok(!dueForRefresh(undefined, 1e15));
  assert.equal(expiresAt(0, 0), undefined);
  assert.equal(expiresAt(0, undefined), undefined);
  assert.equal(expiresAt(0, Infinity), undefined);
});

test('form and query encodings', () => {
  assert.equal(form({ redirect_uri: 'http://l/cb?x=1&y', scope: "a b+c!'()*" }),
    'redirect_uri=http%3A%2F%2Fl%2Fcb%3Fx%3D1%26y&scope=a%20b%2Bc%21%27%28%29%2A');
  assert.equal(withQuery('https://as.example/authorize', { state: 's p', a: 'é' }),
    'https://as.example/authorize?state=s%20p&a=%C3%A9');
  assert.equal(withQuery('https://as.example/authorize?x=1#f', { b: '2' }), 'https://as.example/authorize?x=1&b=2#f');
  assert.equal(withQuery('https://as.example/authorize?', { b: '2' }), 'https://as.example/authorize?b=2');
  assert.equal(form({ lone: '\ud800' }), 'lone=%EF%BF%BD', 'a lone surrogate is sent as U+FFFD, not thrown');
  assert.equal(form({ a: '1', scope: undefined, b: '' }), 'a=1&b=', 'an undefined field is left out');
});

test('Basic credentials are form-encoded, then base64', () => {
  assert.equal(basicCredentials('pre-registered-client', 'pre-registered-secret'),
    'Basic cHJlLXJlZ2lzdGVyZWQtY2xpZW50OnByZS1yZWdpc3RlcmVkLXNlY3JldA==');
  assert.equal(basicCredentials('a:b', 'c'), 'Basic ' + btoa('a%3Ab:c'));
  assert.equal(basicCredentials('é', 'x'), 'Basic ' + btoa('%C3%A9:x'));
});

test('the resource metadata is checked against the server URL', () => {
  const url = 'http://localhost:1/mcp';
  assert.deepEqual(
    readResourceMetadata({ resource: 'http://localhost:1/mcp', authorization_servers: [7, 'http://as'], scopes_supported: ['a', null] }, url),
    { resource: 'http://localhost:1/mcp', issuer: 'http://as', scopes: ['a'] });
  assert.equal(reason(() => readResourceMetadata({ resource: 'https://evil.example.com/mcp', authorization_servers: ['http://as'] }, url)), 'resource_mismatch');
  assert.equal(reason(() => readResourceMetadata({ resource: 'http://localhost:1/mcp' }, url)), 'invalid_metadata');
  assert.equal(reason(() => readResourceMetadata({}, url)), 'invalid_metadata');
  assert.equal(reason(() => readResourceMetadata([], url)), 'invalid_metadata');
});

const server = (extra) => ({
  issuer: 'http://as/t1',
  authorization_endpoint: 'http://as/t1/authorize',
  token_endpoint: 'http://as/t1/token',
  code_challenge_methods_supported: ['S256'],
  ...extra,
});

test('the server metadata needs the same issuer and S256', () => {
  const doc = server({ authorization_response_iss_parameter_supported: true });
  assert.equal(readServerMetadata(doc, 'http://as/t1'), doc, 'the document itself, once checked');
  assert.equal(reason(() => readServerMetadata(server({ issuer: 'https://attacker.example.com' }), 'http://as/t1')), 'issuer_mismatch');
  assert.equal(reason(() => readServerMetadata(server({}), 'http://as/t1/')), 'issuer_mismatch', 'no normalisation');
  assert.equal(reason(() => readServerMetadata(server({ code_challenge_methods_supported: ['plain'] }), 'http://as/t1')), 'pkce_unsupported');
  assert.equal(reason(() => readServerMetadata(server({ code_challenge_methods_supported: undefined }), 'http://as/t1')), 'pkce_unsupported');
  assert.equal(reason(() => readServerMetadata(server({ token_endpoint: 5 }), 'http://as/t1')), 'invalid_metadata');
  assert.equal(reason(() => readServerMetadata(server({ authorization_endpoint: undefined }), 'http://as/t1')), 'invalid_metadata');
});

test('token responses must be Bearer, with a token', () => {
  assert.deepEqual(readTokenResponse({ access_token: 'x', token_type: 'bearer', expires_in: 10, refresh_token: 'r' }, 1000, 'http://as', 'old'),
    { accessToken: 'x', refreshToken: 'r', expiresAt: 11_000, issuer: 'http://as' });
  assert.deepEqual(readTokenResponse({ access_token: 'x', token_type: 'Bearer', expires_in: '10' }, 1000, 'http://as', 'old'),
    { accessToken: 'x', refreshToken: 'old', expiresAt: undefined, issuer: 'http://as' },
    'no new refresh token: the old one is kept; an expires_in that is not a number: no expiry');
  assert.equal(reason(() => readTokenResponse({ access_token: 'x', token_type: 'DPoP' })), 'token_failed');
  assert.equal(reason(() => readTokenResponse({ token_type: 'Bearer' })), 'token_failed');
  assert.equal(reason(() => readTokenResponse({ access_token: '', token_type: 'Bearer' })), 'token_failed');
  assert.equal(reason(() => readTokenResponse(undefined)), 'token_failed');
});

test('callbacks check the state, then iss, then an error', () => {
  const is = 'http://as';
  const cb = (q) => 'http://localhost/cb?' + q;
  assert.equal(readCallback(cb('code=c%2F1&state=s&iss=http%3A%2F%2Fas'), 's', is, true), 'c/1');
  assert.equal(readCallback(cb('code=c&state=a+b#frag'), 'a b', is, false), 'c');
  assert.equal(reason(() => readCallback(cb('code=c&state=t'), 's', is, false)), 'state_mismatch');
  assert.equal(reason(() => readCallback(cb('code=c&state=s'), 's', is, true)), 'iss_mismatch');
  assert.equal(reason(() => readCallback(cb('code=c&state=s&iss=http%3A%2F%2Fas%2F'), 's', is, true)), 'iss_mismatch');
  try {
    readCallback(cb('error=access_denied&error_description=no&state=s'), 's', is, false);
    assert.fail('no error');
  } catch (e) {
    assert.equal(e.reason, 'access_denied');
    assert.match(e.message, /access_denied \(no\)/);
  }
  assert.equal(reason(() => readCallback(cb('state=s'), 's', is, false)), 'authorization_failed');
  assert.equal(readCallback(cb('code=%zz&state=%'), '%', is, false), '%zz', 'a bad escape is kept as it is');
});

test('splitUrl gives the origin and the path without its trailing slashes', () => {
  assert.deepEqual(splitUrl('https://a.example/x/y/?q#f'), ['https://a.example', '/x/y']);
  assert.deepEqual(splitUrl('HTTP://a.example'), ['HTTP://a.example', '']);
  assert.equal(splitUrl('https:///x'), undefined);
  assert.equal(splitUrl('file:///x'), undefined);
});

// No input a server (or a redirect) sends makes the parsers throw anything but a Fail:
// a deterministic sweep of short strings over characters that matter to them.
test('the parsers never throw on hostile input', () => {
  const alphabet = ['', '"', '\\', '=', ',', ' ', ':', '/', '//', '?', '#', '&', '%', '%4', '[', ']', '@', 'é',
    '😀', '\ud800', 'bearer', 'Bearer ', 'scope', 'http', 'https://', 'localhost', 'a'];
  let seed = 0x9e3779b9;
  const next = () => {
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    return seed;
  };
  for (let n = 0; n < 20000; n++) {
    let s = '';
    for (let i = next() % 8; i > 0; i--) s += alphabet[next() % alphabet.length];
    challenge(s);
    splitUrl(s);
    resourceMetadataUrls(s, s);
    serverMetadataUrls(s);
    resourceMatches(s, 'https://a.example/mcp');
    resourceMatches('https://a.example', s);
    redirectUriOk(s);
    withQuery(s, { k: s });
    selectScope(s, [s], s, []);
    try {
      readCallback(s, 's', 'https://as', true);
    } catch (e) {
      assert.ok(e instanceof Fail, `readCallback(${JSON.stringify(s)}) threw ${e}`);
    }
  }
});
