// Authorization's share of the host, called from src/io/crypto.rs: PKCE from WebCrypto and
// the calls to the app's token storage. (The page helpers, popupAuthorize and friends, are
// in src/js/glue.js: the package exports them, the wasm never calls them.)

const b64u = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = (n) => b64u(crypto.getRandomValues(new Uint8Array(n)));

/** PKCE S256 and `state`, from WebCrypto: `[verifier, challenge, state]`. */
export async function pkce() {
  const verifier = random(32);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return [verifier, b64u(digest), random(16)];
}

/** `f(arg)` as a Promise: what it returns, followed; what it throws, a rejection. */
export function call(f, arg) {
  return new Promise((resolve) => resolve(f(arg)));
}

/**
 * `storage[method](key, value)` (the app's token storage), as a Promise that never
 * rejects: a failure is reported and reads as nothing stored. Calls run in order.
 */
export function store(storage, method, key, value) {
  return Promise.resolve().then(() => storage[method](key, value))
    .catch((e) => console.error('mcp-tasks-wasm: the token storage failed', e));
}

/** The default token storage: a `Map`, gone with the client. */
export function memoryStorage() {
  const m = new Map();
  return { get: (k) => m.get(k), set: (k, v) => { m.set(k, v); }, remove: (k) => { m.delete(k); } };
}

/**
 * `cb(tag, value)` once `p` (any value, as for `Promise.resolve`) fulfils, `cb(tag + 1,
 * reason)` once it rejects: how the wasm awaits a promise, and (with `p` undefined) its
 * next microtask (src/io/exec.rs).
 */
export function settle(p, tag, cb) {
  Promise.resolve(p).then((v) => cb(tag, v), (e) => cb(tag + 1, e));
}
