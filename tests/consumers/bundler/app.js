// The bundled consumer: imports the package by name, like any npm dependency.
import init, { McpClient } from 'mcp-tasks-wasm';

const out = document.querySelector('#result');
const server = new URLSearchParams(location.search).get('server');

try {
  await init(); // fetches mcp_tasks_wasm_bg.wasm from next to this bundle
  const client = await McpClient.connect(server);
  const task = await client.callToolAsTask('sleep', { ms: 300, text: 'hello from esbuild' });
  task.onStatus((t) => { out.textContent = t.status; });
  const result = await task.result();
  await client.close();
  out.textContent = `${task.status}: ${result.content[0].text}`;
  out.dataset.state = 'done';
} catch (e) {
  out.textContent = `${e.name}: ${e.message}`;
  out.dataset.state = 'error';
  console.error(e);
}
