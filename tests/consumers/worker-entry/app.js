// The `mcp-tasks-wasm/worker` entry against a reference server of either era: every part
// of the proxy API, callbacks on the page, errors rebuilt as the page's classes, and 200
// concurrent tasks with no long task on the page. Writes a JSON report into #result
// (data-state "done"), which consumers.mjs compares with what each era must give.
import {
  McpClient, TaskHandle, McpError, TaskFailedError, TaskCancelledError,
} from 'mcp-tasks-wasm/worker';

const out = document.querySelector('#result');
const server = new URLSearchParams(location.search).get('server');
const CONCURRENT = 200;

// Task statuses may only move forward: working / input_required, then one terminal one.
const inOrder = (statuses) => statuses.every((s, i) =>
  i === statuses.length - 1 ? true : s === 'working' || s === 'input_required');
const rejection = (p) => p.then(() => null, (e) => e);

async function main() {
  const report = {};

  // A custom fetch cannot cross to the worker: refused at once, naming the option.
  const refused = await rejection(McpClient.connect(server, { fetch: (...a) => fetch(...a) }));
  report.fetch = `${refused?.constructor.name}: ${/`fetch`/.test(refused?.message)}`;

  const asked = [];
  const notes = [];
  const client = await McpClient.connect(server, {
    onNotification: (message) => notes.push(message.method),
    headers: { 'X-Test-Header': 'from the page' },
    onElicitation: async (params, ctx) => {
      asked.push({ onPage: typeof document === 'object', message: params.message, task: ctx.relatedTaskId !== null });
      return { action: 'accept', content: { name: 'Page' } };
    },
  });
  report.era = client.protocolVersion;
  report.hasSleep = (await client.listAllTools()).some((t) => t.name === 'sleep');

  // A task to completion: onStatus on the page, in order; updates() ends with it.
  const statuses = [];
  const task = await client.callToolAsTask('sleep', { ms: 300, text: 'hello from the worker entry' },
    { onStatus: (t) => statuses.push(t.status) });
  const seen = [];
  for await (const t of task.updates()) seen.push(t.status);
  const result = await task.result();
  report.sleep = {
    text: result.content[0].text, status: task.status, isDone: task.isDone,
    memoized: task.result() === task.result(), first: statuses[0], last: statuses.at(-1),
    inOrder: inOrder(statuses), updatesEnd: seen.at(-1),
  };

  // onProgress on the page (2025-11-25 sends progress notifications for a task's call;
  // the 2026-07-28 tasks extension has none).
  const stepped = await client.callToolAsTask('progress', { steps: 3, ms: 50 });
  const steps = [];
  stepped.onProgress((p) => steps.push(p.progress));
  await stepped.result();
  report.progress = { steps: steps.length > 0, latest: stepped.progress?.progress === steps.at(-1) };

  // The server ran it as a plain call: the handle comes back already settled (its reply
  // and its settlement in one batch).
  const local = await client.callToolAsTask('echo', { text: 'plain' });
  report.local = { isLocal: local.isLocal, text: (await local.result()).content[0].text, isDone: local.isDone };

  // A failing task rejects with the page's TaskFailedError, fields intact.
  const failing = await client.callToolAsTask(report.era === '2026-07-28' ? 'crash' : 'fail', {});
  const failed = await rejection(failing.result());
  report.failed = {
    proxyClass: failed instanceof TaskFailedError, name: failed?.name, code: failed?.code,
    taskId: failed?.taskId === failing.taskId, taskStatus: failed?.task?.status,
    // 2025-11-25 `fail` stores an isError result; 2026-07-28 `crash` a JSON-RPC error.
    detail: failed?.result?.isError === true || failed?.error instanceof McpError,
  };

  // A JSON-RPC error is the page's McpError.
  const unknown = await rejection(client.getTask('no-such-task'));
  report.unknownTask = { mcpError: unknown instanceof McpError, numericCode: typeof unknown?.code === 'number' };

  // cancel(): the task ends cancelled, result() rejects with TaskCancelledError.
  const forever = await client.callToolAsTask('forever', {});
  await forever.cancel();
  const cancelled = await rejection(forever.result());
  report.cancel = {
    proxyClass: cancelled instanceof TaskCancelledError, status: forever.status, taskStatus: cancelled?.task?.status,
  };

  // onElicitation runs on the page; the tool gets its answer.
  const ask = await client.callToolAsTask('ask', {});
  report.ask = { text: (await ask.result()).content[0].text, asked };

  // An AbortSignal on the page stops the handle, and a plain call, with an AbortError.
  const ac = new AbortController();
  const long = await client.callToolAsTask('sleep', { ms: 30_000 }, { signal: ac.signal });
  ac.abort();
  const aborted = await rejection(long.result());
  const ac2 = new AbortController();
  setTimeout(() => ac2.abort(), 200);
  const abortedCall = await rejection(client.callTool('sleep', { ms: 30_000 }, { signal: ac2.signal }));
  report.abort = {
    handle: `${aborted?.constructor.name} ${aborted?.name}`, isDone: long.isDone,
    call: `${abortedCall?.constructor.name} ${abortedCall?.name}`,
  };

  // dispose() on the page: result() rejects with an AbortError, and no callback of the
  // handle fires afterwards, not even when the task ends on the server.
  const dropped = await client.callToolAsTask('sleep', { ms: 400 });
  let after = 0;
  dropped.onStatus(() => { after += 1; });
  dropped.dispose();
  const droppedWhy = await rejection(dropped.result());
  await new Promise((r) => setTimeout(r, 800));
  report.dispose = { isDone: dropped.isDone, error: `${droppedWhy?.constructor.name} ${droppedWhy?.name}`, callbacksAfter: after };

  // An already aborted signal, and arguments that cannot be cloned (a function): each
  // call rejects alone, the call posted in the same batch goes through.
  const before = new AbortController();
  before.abort();
  const [early, uncloneable, fine] = await Promise.allSettled([
    client.callTool('sleep', { ms: 30_000 }, { signal: before.signal }),
    client.callTool('echo', { text: 'x', fn: () => 1 }),
    client.callTool('echo', { text: 'same batch' }),
  ]);
  report.batchIsolation = {
    early: `${early.reason?.constructor.name} ${early.reason?.name}`,
    uncloneable: `${uncloneable.reason?.constructor.name} ${uncloneable.reason?.name}`,
    fine: fine.value?.content[0].text,
  };

  // A worker that cannot start: connect() rejects (never hangs), naming the failure.
  const broken = await rejection(McpClient.connect(server, { worker: 'data:text/javascript,throw new Error("boom")' }));
  report.brokenWorker = `${broken?.constructor.name}: ${/the worker failed/.test(broken?.message)}`;

  // A resume token from the page reattaches in the worker.
  const original = await client.callToolAsTask('sleep', { ms: 300, text: 'resumed' });
  const token = JSON.parse(original.serialize());
  const resumed = await TaskHandle.resume(client, original.serialize());
  report.resume = {
    token: token.v === 1 && token.taskId === original.taskId,
    taskId: resumed.taskId === original.taskId, text: (await resumed.result()).content[0].text,
  };
  await original.result();

  report.notified = notes.length > 0;

  // The long-task probe works: a 70 ms busy loop on the page is seen.
  const longTasks = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push(Math.round(e.duration));
  });
  observer.observe({ type: 'longtask' });
  await new Promise((r) => setTimeout(r, 0));
  for (const end = performance.now() + 70; performance.now() < end;);
  await new Promise((r) => setTimeout(r, 100));
  report.probeSeesBusyLoop = longTasks.length > 0;
  longTasks.length = 0;

  // Many tasks at once, on a second client in a Worker the page made itself (counting
  // its messages): all settle, the page's main thread stays free (no task over 50 ms),
  // and the worker sends fewer messages than there are tasks (one batch per frame).
  const worker = new Worker(new URL('../node_modules/mcp-tasks-wasm/worker-host.js', import.meta.url), { type: 'module' });
  // Each postMessage from the worker, and how many messages it carried.
  let batches = 0;
  let carried = 0;
  let most = 0;
  worker.addEventListener('message', ({ data }) => {
    const n = Array.isArray(data) ? data.length : 0;
    batches += 1;
    carried += n;
    most = Math.max(most, n);
  });
  const many = await McpClient.connect(server, { worker });
  let updates = 0;
  const started = performance.now();
  batches = 0;
  carried = 0;
  most = 0;
  const handles = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) =>
    many.callToolAsTask('sleep', { ms: 500, text: `task ${i}` }, { onStatus: () => { updates += 1; } })));
  const settled = await Promise.allSettled(handles.map((h) => h.result()));
  await new Promise((r) => setTimeout(r, 100)); // let the observer report the last tasks
  observer.disconnect();
  report.concurrent = {
    completed: settled.filter((s, i) => s.status === 'fulfilled' && s.value.content[0].text === `task ${i}`).length,
    statusUpdates: updates >= CONCURRENT,
    activeTasks: many.activeTasks,
    // Batched: fewer posts than messages, some carrying many. (Not "fewer posts than
    // tasks": at one post per frame that depends on how long the run took.)
    fewerPostsThanMessages: batches < carried,
    batchesCarryMany: most > 1,
    longTasks,
  };
  console.log(`${CONCURRENT} tasks settled in ${Math.round(performance.now() - started)} ms: ` +
    `${updates} status updates on the page; ${carried} messages from the worker in ${batches} posts (at most ${most} in one)`);
  await many.close();
  report.sharedWorkerKept = await many.close().then(() => 'closed twice');
  worker.terminate();

  // options.worker as the host script's URL: a worker of this client's own.
  const viaUrl = await McpClient.connect(server, {
    worker: new URL('../node_modules/mcp-tasks-wasm/worker-host.js', import.meta.url).href,
  });
  // (A call before close(): a 2025-11-25 session closed right after connect() sometimes
  // gets a 404 for its DELETE from the reference server, with the main entry too.)
  report.workerUrl = viaUrl.protocolVersion === report.era && (await viaUrl.listTools()).tools.length > 0;
  await viaUrl.close();

  // close() stops the worker: the client rejects calls with an AbortError afterwards.
  await client.close();
  const closed = await rejection(client.listTools());
  report.closed = `${closed?.constructor.name} ${closed?.name}`;
  return report;
}

try {
  out.textContent = JSON.stringify(await main());
  out.dataset.state = 'done';
} catch (e) {
  out.textContent = `${e.name}: ${e.message}`;
  out.dataset.state = 'error';
  console.error(e);
}
