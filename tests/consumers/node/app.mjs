// Node >= 20: the package's "node" export loads the .wasm from disk; no init() needed.
import { McpClient } from 'mcp-tasks-wasm';

const client = await McpClient.connect(process.argv[2]);
const task = await client.callToolAsTask('sleep', { ms: 300, text: 'hello from node' });
const result = await task.result();
await client.close();
console.log(`${task.status}: ${result.content[0].text}`);
