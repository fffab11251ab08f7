// The SDK as the dashboard uses it. The client runs in a dedicated Web Worker
// (`mcp-tasks-wasm/worker`): polling, parsing and the task engine stay off the main
// thread, which only renders, even with thousands of tasks. `?client=page` runs it on the
// page instead (`mcp-tasks-wasm` itself), e.g. to compare the two.
import initPage, * as onPage from '../../pkg/index.js';
import * as inWorker from '../../pkg/worker.js';

export const clientMode = new URLSearchParams(location.search).get('client') === 'page' || typeof Worker !== 'function'
  ? 'page' : 'worker';
const sdk = clientMode === 'worker' ? inWorker : onPage;

export const { McpClient, TaskHandle } = sdk;
export const { popupAuthorize, sessionStorageTokens } = onPage;

/** Load what the page needs before connecting: the wasm on the page, nothing for the
 * worker (each client's worker loads it when it connects). */
export const init = () => (clientMode === 'page' ? initPage() : Promise.resolve());
