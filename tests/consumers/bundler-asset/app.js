// The bundled consumer, with the .wasm as a bundler asset (esbuild `--loader:.wasm=file`):
// esbuild copies it to the output folder under a content hash and the import gives its path
// relative to that folder; resolve it against this bundle and hand it to init().
import init, { McpClient } from 'mcp-tasks-wasm';
import wasmPath from 'mcp-tasks-wasm/mcp_tasks_wasm_bg.wasm';

const out = document.querySelector('#result');
const server = new URLSearchParams(location.search).get('server');

try {
  await init({ module_or_path: new URL(wasmPath, import.meta.url) });
  const client = await McpClient.connect(server);
  const task = await client.callToolAsTask('sleep', { ms: 300, text: 'hello from a hashed asset' });
  const result = await task.result();
  await client.close();
  out.textContent = `${task.status}: ${result.content[0].text}`;
  out.dataset.state = 'done';
} catch (e) {
  out.textContent = `${e.name}: ${e.message}`;
  out.dataset.state = 'error';
  console.error(e);
}
