// A small consumer of the installed package (imported by name), type-checked by
// tests/types/matrix.mjs under each lib × moduleResolution combination with
// skipLibCheck false, so our .d.ts files are checked as the user's tsc would.
import init, { McpClient, TaskFailedError, TransportError } from 'mcp-tasks-wasm';
import type { CallToolResult, ConnectOptions, Task, TaskHandle } from 'mcp-tasks-wasm';

await init();
const options: ConnectOptions = {
  headers: { Authorization: 'Bearer t' },
  onElicitation: () => ({ action: 'accept', content: { name: 'x' } }),
};
const client: McpClient = await McpClient.connect('http://127.0.0.1:8787/mcp', options);
const handle: TaskHandle = await client.callToolAsTask('sleep', { ms: 10 }, {
  onStatus: (t: Task) => console.log(t.status),
});
try {
  const result: CallToolResult = await handle.result();
  console.log(result.content.length);
} catch (e) {
  if (e instanceof TaskFailedError) console.log(e.task.status);
  else if (e instanceof TransportError) console.log(e.status);
}
handle.dispose();
handle.free();
await client.close();
