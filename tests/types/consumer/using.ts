// Only where lib has esnext.disposable (lib esnext): the handles are Disposable and work
// with `using`, i.e. the package's own SymbolConstructor.dispose declaration merges with
// the lib's instead of clashing with it.
import { McpClient } from 'mcp-tasks-wasm';

export async function scoped(client: McpClient): Promise<void> {
  using handle = await client.callToolAsTask('sleep', { ms: 10 });
  const disposable: Disposable = handle;
  const key: typeof Symbol.dispose = Symbol.dispose;
  disposable[key]();
}
