// The recording fetch the Node tests observe the wire through: every request the client
// sends (and, for SSE answers, every message it receives) is recorded, then the real fetch
// does the work, unchanged.
import { performance } from 'node:perf_hooks';

/**
 * Parses SSE text incrementally; calls onMessage(parsed JSON) for each `data:` event.
 * Returns push(chunkText).
 */
function sseParser(onMessage) {
  let buffer = '';
  return (chunk) => {
    buffer += chunk.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
      if (!data) continue;
      try {
        onMessage(JSON.parse(data));
      } catch {
        /* not JSON: ignored */
      }
    }
  };
}

/**
 * A `fetch` that records each request (time, HTTP method, URL, headers with lower-case names,
 * the body as text and parsed), and lets the real fetch do the work. JSON answers: `response`
 * (a promise of the parsed body). SSE answers are passed through a tap that records every
 * message as it goes by (`messages`: { t, msg }) and when the stream ended (`closedAt`,
 * `endedBy`: 'client' when the client cancelled or aborted it, 'server' when it ended).
 * `gate(entry, response, init)` may replace or hold a response (see the abort test).
 */
export function recorder({ gate } = {}) {
  const requests = [];
  const recordingFetch = async (input, init = {}) => {
    const req = input instanceof Request ? input : undefined;
    const headers = new Headers(init.headers ?? req?.headers);
    let bodyText = init.body ?? (req && init.body === undefined ? await req.clone().text() : null);
    if (bodyText instanceof ArrayBuffer || ArrayBuffer.isView(bodyText)) bodyText = new TextDecoder().decode(bodyText);
    if (bodyText === '') bodyText = null;
    const entry = {
      t: performance.now(),
      method: (init.method ?? req?.method ?? 'GET').toUpperCase(),
      url: String(req?.url ?? input),
      headers: Object.fromEntries(headers),
      bodyText,
      body: typeof bodyText === 'string' ? JSON.parse(bodyText) : undefined,
      messages: [],
      closedAt: undefined,
      endedBy: undefined,
    };
    requests.push(entry);
    let res;
    try {
      res = await fetch(input, init);
    } catch (error) {
      entry.closedAt = performance.now();
      entry.endedBy = 'client';
      throw error;
    }
    entry.status = res.status;
    const type = res.headers.get('content-type') ?? '';
    if (type.includes('application/json')) {
      entry.response = res.clone().json().catch(() => undefined);
      entry.closedAt = performance.now();
    } else if (type.includes('text/event-stream') && res.body) {
      res = tapSse(res, entry);
    } else {
      entry.closedAt = performance.now();
    }
    return gate ? gate(entry, res, init) : res;
  };
  const posts = () => requests.filter((r) => r.method === 'POST');
  return {
    fetch: recordingFetch,
    requests,
    posts,
    /** POSTs of JSON-RPC requests (with an id), in order. */
    calls: () => posts().filter((r) => r.body?.id !== undefined),
    /** POSTs of `method`, in order. */
    of: (method) => posts().filter((r) => r.body?.method === method),
    methods: () => posts().map((r) => r.body?.method ?? '(response)'),
    /** The subscriptions/listen requests, in order. */
    listens: () => posts().filter((r) => r.body?.method === 'subscriptions/listen'),
    /** Every message received on listen streams, in order of arrival: { t, msg, entry }. */
    listenMessages: () => posts()
      .filter((r) => r.body?.method === 'subscriptions/listen')
      .flatMap((entry) => entry.messages.map((m) => ({ ...m, entry })))
      .sort((a, b) => a.t - b.t),
  };
}

function tapSse(res, entry) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const push = sseParser((msg) => entry.messages.push({ t: performance.now(), msg }));
  const end = (by) => {
    if (entry.closedAt === undefined) {
      entry.closedAt = performance.now();
      entry.endedBy = by;
    }
  };
  const body = new ReadableStream({
    async pull(controller) {
      try {
        const { value, done } = await reader.read();
        if (done) {
          end('server');
          controller.close();
          return;
        }
        push(decoder.decode(value, { stream: true }));
        controller.enqueue(value);
      } catch (error) {
        end('client'); // the client aborted the fetch
        controller.error(error);
      }
    },
    cancel(reason) {
      end('client');
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}
