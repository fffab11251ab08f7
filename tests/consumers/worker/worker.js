// A module worker: the SDK's fetch and timers run in the worker scope.
import init, { McpClient } from '../node_modules/mcp-tasks-wasm/index.js';

const ready = init(); // start loading the .wasm at once

self.onmessage = async ({ data: { server } }) => {
  try {
    await ready;
    const client = await McpClient.connect(server);
    const task = await client.callToolAsTask('sleep', { ms: 300, text: 'hello from a worker' });
    const result = await task.result();
    await client.close();
    self.postMessage({ ok: true, text: `${task.status}: ${result.content[0].text}` });
  } catch (e) {
    self.postMessage({ ok: false, text: `${e.name}: ${e.message}` });
  }
};
