// Drop the comments of wasm-bindgen's JS glue: the JSDoc it copies from the Rust doc
// comments (about a sixth of the file, 1.6 KB gzipped) and its own `//` lines. The same
// docs ship in the .d.ts files, where editors read them. `/* @ts-self-types=... */` stays.
//
// Fails, changing nothing, unless esbuild minifies the file to the same code before and
// after (so only comments went away).
//
//   node tools/strip-glue-comments.mjs <glue.js>    (rewritten in place)
import { readFileSync, writeFileSync } from 'node:fs';
import { transformSync } from 'esbuild';

const path = process.argv[2];
if (!path) {
  console.error('usage: node tools/strip-glue-comments.mjs <glue.js>');
  process.exit(2);
}
const js = readFileSync(path, 'utf8');
const stripped = js
  .replace(/^[ \t]*\/\*\*[\s\S]*?\*\/[ \t]*\n/gm, '') // /** ... */ blocks on their own lines
  .replace(/^[ \t]*\/\/.*\n/gm, ''); // whole-line // comments
const code = (s) => transformSync(s, { minify: true, format: 'esm', legalComments: 'none' }).code;
if (code(stripped) !== code(js)) throw new Error(`strip-glue-comments: ${path} would change beyond its comments`);
writeFileSync(path, stripped);
console.log(`strip-glue-comments: ${js.length} -> ${stripped.length} bytes`);
