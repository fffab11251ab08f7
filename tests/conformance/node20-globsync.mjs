// Preload for the conformance runner on Node 20:
//   node --import ./tests/conformance/node20-globsync.mjs node_modules/@modelcontextprotocol/conformance/dist/index.js ...
//
// @modelcontextprotocol/conformance 0.2.0-alpha.12 does `import { globSync, ... } from "fs"`,
// which Node 20 lacks (fs.globSync came in Node 22), so the module does not even link.
// Setting `fs.globSync` from a preload is not enough: the ESM view of a builtin fixes its
// export names when it is first built, which happens before any preload runs. So this
// registers a module-resolution hook that answers `fs` / `node:fs` with fs-globsync.mjs
// (all of node:fs, plus a small globSync). Node 22+ has the real one: nothing is done there.
// Only the process started with this preload is affected (the client under test is not).
import fs from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const replacement = new URL('./fs-globsync.mjs', import.meta.url).href;

// In the main thread: install this same file as the hooks module (it runs again in the
// loader thread, where only `resolve` below matters).
if (isMainThread && typeof fs.globSync !== 'function') register(import.meta.url);

export async function resolve(specifier, context, next) {
  if ((specifier === 'fs' || specifier === 'node:fs') && context.parentURL !== replacement) {
    return { url: replacement, shortCircuit: true };
  }
  return next(specifier, context);
}
