// The `mcp-tasks-wasm/worker` subpath export, imported by name: its `types` condition
// must resolve under every moduleResolution of the matrix.
import { McpClient, TaskFailedError } from 'mcp-tasks-wasm/worker';
import type { TaskHandle, WorkerConnectOptions } from 'mcp-tasks-wasm/worker';

const options: WorkerConnectOptions = { headers: { Authorization: 'Bearer t' } };
const client: McpClient = await McpClient.connect('http://127.0.0.1:8787/mcp', options);
const handle: TaskHandle = await client.callToolAsTask('sleep', { ms: 10 });
try {
  console.log((await handle.result()).content.length);
} catch (e) {
  if (e instanceof TaskFailedError) console.log(e.task.status);
}
await client.close();
