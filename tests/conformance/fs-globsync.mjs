// node:fs plus `globSync`, for Node 20 (see node20-globsync.mjs). Enough of Node 22's
// fs.globSync for what the conformance suite does (`globSync('**/checks.json', { cwd })`):
// one pattern or an array of them, relative to `cwd` (default process.cwd()), with `*`,
// `**`, `?`, `[...]` and `{a,b}`; returns the matching files and directories as relative
// paths. Other options (`exclude`, `withFileTypes`) throw rather than be ignored.
import { readdirSync } from 'node:fs';
import { isAbsolute, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export * from 'node:fs';
export { default } from 'node:fs';

export function globSync(pattern, options = {}) {
  for (const key of Object.keys(options)) {
    if (key !== 'cwd') throw new Error(`fs.globSync shim (Node 20): option '${key}' is not supported`);
  }
  const patterns = Array.isArray(pattern) ? pattern : [pattern];
  for (const p of patterns) {
    if (typeof p !== 'string' || isAbsolute(p)) throw new Error(`fs.globSync shim (Node 20): only relative patterns are supported, got ${p}`);
  }
  const cwd = options.cwd instanceof URL ? fileURLToPath(options.cwd) : String(options.cwd ?? process.cwd());
  let entries;
  try {
    entries = readdirSync(cwd, { recursive: true });
  } catch (e) {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return [];
    throw e;
  }
  const tests = patterns.map(toRegExp);
  return entries
    .map((entry) => String(entry))
    .filter((entry) => tests.some((re) => re.test(entry.split(sep).join('/'))));
}

// A glob as an anchored RegExp over '/'-separated relative paths.
function toRegExp(glob) {
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const wholeSegment = (i === 0 || glob[i - 1] === '/');
      i++;
      if (wholeSegment && glob[i + 1] === '/') { re += '(?:[^/]+/)*'; i++; } // '**/': any directories
      else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else { re += '[' + glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']'; i = end; }
    } else if (c === '{') { braces++; re += '(?:'; }
    else if (c === '}' && braces > 0) { braces--; re += ')'; }
    else if (c === ',' && braces > 0) re += '|';
    else re += c.replace(/[.+^$()|\\\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
