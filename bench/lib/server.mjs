// Start and stop the reference MCP server (tests/server/server.mjs) for the bench.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { log } from './util.mjs';

const SERVER = fileURLToPath(new URL('../../tests/server/server.mjs', import.meta.url));

/**
 * Start one reference server on 127.0.0.1 (port 0) serving `staticDir`.
 * Resolves with { port, origin, stats(sessionId), reset(), stop() }.
 */
export function startServer({ pollInterval = 1000, staticDir, extraArgs = [], label = 'server' }) {
  const args = [SERVER, '--port', '0', '--poll-interval', String(pollInterval), ...extraArgs];
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
