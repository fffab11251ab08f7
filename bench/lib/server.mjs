// Start and stop a reference MCP server for the bench: the 2025-11-25 one
// (tests/server/server.mjs) or the 2026-07-28 one (tests/server/modern.mjs, tasks extension).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { log } from './util.mjs';

const SCRIPTS = {
  legacy: fileURLToPath(new URL('../../tests/server/server.mjs', import.meta.url)),
  modern: fileURLToPath(new URL('../../tests/server/modern.mjs', import.meta.url)),
};

/**
 * Start one reference server (`era`: 'legacy' or 'modern') on 127.0.0.1 (port 0) serving
 * `staticDir`. Resolves with { port, origin, stats(sessionId), reset(), stop() }. The
 * modern server has no sessions: its stats are the whole server's.
 */
export function startServer({ era = 'legacy', pollInterval = 1000, staticDir, extraArgs = [], label = 'server' }) {
  const args = [SCRIPTS[era], '--port', '0', '--poll-interval', String(pollInterval), ...extraArgs];
  if (staticDir) args.push('--static', staticDir);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 20000) stderr = stderr.slice(-10000);
    if (process.env.BENCH_VERBOSE) process.stderr.write(`[${label}] ${d}`);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`${label}: no "listening" line within 20 s\n${stderr}`));
    }, 20000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited early (code ${code})\n${stderr}`));
    });
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)\/mcp/);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const port = Number(m[1]);
      const origin = `http://127.0.0.1:${port}`;
      let exited = false;
      child.on('exit', (code, sig) => {
        exited = true;
        if (code !== 0 && sig !== 'SIGTERM' && sig !== 'SIGKILL') log(`${label} exited: code ${code} signal ${sig}\n${stderr.slice(-2000)}`);
      });
      resolve({
        port,
        origin,
        pid: child.pid,
        async stats(sessionId) {
          const q = sessionId ? `?session=${encodeURIComponent(sessionId)}` : '';
          const r = await fetch(`${origin}/admin/stats${q}`);
          if (!r.ok) throw new Error(`${label}: /admin/stats answered ${r.status}`);
          return r.json();
        },
        async reset() {
          await fetch(`${origin}/admin/reset`, { method: 'POST' });
        },
        stop() {
          if (exited) return Promise.resolve();
          return new Promise((r) => {
            const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
            child.once('exit', () => { clearTimeout(kill); r(); });
            child.kill('SIGTERM');
          });
        },
      });
    });
  });
}
