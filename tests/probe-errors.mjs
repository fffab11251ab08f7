// The 2026-07-28 era probe: against a 2025-11-25 server, `connect()` first sends a modern
// `server/discover`, which such a server answers 400 (or 404/405), by design; Chromium
// then logs "Failed to load resource: ... status of 400" on the console, for every page
// that connects. A page test must not fail on those lines, and only on those: each one
// is paired with a probe response actually seen (a POST whose body's method is
// server/discover, answered 400, 404 or 405). What is left unpaired is a real problem.
const PATTERN = /Failed to load resource: the server responded with a status of (400|404|405)/;

export function probeErrors(page) {
  const probes = []; // statuses of probe responses not yet paired
  const lines = []; // console lines of that shape not yet paired
  page.on('response', (r) => {
    const req = r.request();
    if (req.method() !== 'POST' || ![400, 404, 405].includes(r.status())) return;
    let method;
    try { method = JSON.parse(req.postData() ?? '').method; } catch { return; }
    if (method === 'server/discover') probes.push(r.status());
  });
  return {
    /** Whether a console error is (possibly) a probe's: held back for pairing. */
    hold(text) {
      if (!PATTERN.test(text)) return false;
      lines.push(text);
      return true;
    },
    /** Console lines no probe response accounts for. */
    unexplained() {
      const left = [];
      for (const text of lines.splice(0)) {
        const status = Number(PATTERN.exec(text)[1]);
        const i = probes.indexOf(status);
        if (i >= 0) probes.splice(i, 1);
        else left.push(text);
      }
      return left;
    },
    /** Whether an HTTP error response is a probe's. */
    isProbe(r) {
      const req = r.request();
      try { return req.method() === 'POST' && JSON.parse(req.postData() ?? '').method === 'server/discover'; } catch { return false; }
    },
  };
}
