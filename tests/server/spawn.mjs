// Start one of the reference servers (tests/server/*.mjs) as a child process on a free
// port, for the tests that need one with their own flags: resolves, once it prints its
// "listening on <url>" line, to { url, stop }.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function spawnServer(script, args = []) {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const proc = spawn(process.execPath, [file, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill(); reject(new Error(`${script} ${args.join(' ')} did not start:\n${output}`)); }, 15_000);
    proc.stdout.on('data', (d) => {
      output += d;
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          stop: () => new Promise((done) => { if (proc.exitCode !== null) done(); else { proc.once('exit', done); proc.kill(); } }),
        });
      }
    });
    proc.stderr.on('data', (d) => { output += d; });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${script} ${args.join(' ')} exited ${code}:\n${output}`)); });
  });
}
