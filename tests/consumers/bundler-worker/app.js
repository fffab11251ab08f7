// The README's "Off the main thread" example: the client runs in a Web Worker.
import { McpClient } from 'mcp-tasks-wasm/worker';

const out = document.querySelector('#result');
const server = new URLSearchParams(location.search).get('server');

try {
  // No init() here: the worker (worker-host.js, next to this bundle) loads the .wasm.
  const client = await McpClient.connect(server, {
    // Called on the page when the server asks the user something.
    onElicitation: async (params) => ({ action: 'decline' }),
  });
  const task = await client.callToolAsTask('sleep', { ms: 300, text: 'hello from the worker entry' }, {
    onStatus: (t) => { out.textContent = t.status; }, // on the page, batched per frame
  });
  const result = await task.result();
  await client.close(); // also stops the worker
  out.textContent = `${task.status}: ${result.content[0].text}`;
  out.dataset.state = 'done';
} catch (e) {
  out.textContent = `${e.name}: ${e.message}`;
  out.dataset.state = 'error';
  console.error(e);
}
