// An exit watchdog for node:test files: if the process is still alive some time after its
// last test ended, something was left running (a client not closed, a socket, a timer).
// It prints what keeps the process alive and exits with 1, instead of hanging until an
// outer timeout. (A file-level `after()` hook would not do: node:test runs those only
// once the event loop is empty.) Its own timer does not keep the process alive.

const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

/** Call once at the top of a test file: `exitWatchdog({ beforeEach, afterEach })`. */
export function exitWatchdog({ beforeEach, afterEach }, ms = 15_000) {
  let timer;
  beforeEach(() => {
    realClearTimeout(timer);
  });
  afterEach(() => {
    realClearTimeout(timer);
    timer = realSetTimeout(() => {
      const handles = process._getActiveHandles().map((h) => {
        const name = h?.constructor?.name ?? typeof h;
        if (name === 'Socket') return `Socket ${h.localPort ?? ''} -> ${h.remoteAddress ?? ''}:${h.remotePort ?? ''}`;
        if (name === 'Server') return `Server ${JSON.stringify(h.address?.())}`;
        return name;
      });
      process._rawDebug(`the process is still alive ${ms} ms after its last test ended; active handles: ${JSON.stringify(handles)}`);
      process.exit(1);
    }, ms);
    timer.unref();
  });
}
