// The client under test for the official MCP conformance suite
// (@modelcontextprotocol/conformance; run by tests/conformance/run.mjs, `make test-conformance`).
//
// The suite's client contract: it starts a scenario server, runs this script with the
// server's URL as the last argument, the scenario's name in MCP_CONFORMANCE_SCENARIO, the
// protocol version to speak in MCP_CONFORMANCE_PROTOCOL_VERSION and, for scenarios that
// need them (auth), extra inputs such as credentials as JSON in MCP_CONFORMANCE_CONTEXT.
// The script does what the scenario expects of a client, exits 0 when it got there and
// non-zero (with the reason on stderr) when it did not; the suite judges the traffic.
//
// It imports the package by its name, as users do: run.mjs installs the `npm pack` tarball
// of pkg/ into target/conformance/node_modules and runs a copy of this file from there.
import { McpClient } from 'mcp-tasks-wasm';

const SPOKEN_VERSION = '2025-11-25';

// Stop a little before the suite's own 30 s timeout, so a hang is reported by us, with
// what we were waiting for.
const REQUEST_TIMEOUT_MS = 20_000;

const url = process.argv.at(-1);
const scenario = process.env.MCP_CONFORMANCE_SCENARIO;
const version = process.env.MCP_CONFORMANCE_PROTOCOL_VERSION ?? SPOKEN_VERSION;
// Credentials and the like (auth scenarios), for the handlers that need them; none of the
// scenarios wired in so far does. Never printed: it may hold secrets.
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}');

const clientInfo = { name: 'mcp-tasks-wasm-conformance', version: '0.1.0' };

/**
 * Connect with the SDK's defaults plus what a scenario adds, run `body(client)`, and close
 * the client however `body` ends (an open GET stream would keep the process alive).
 */
async function withClient(options, body) {
  const client = await McpClient.connect(url, {
    clientInfo, requestTimeoutMs: REQUEST_TIMEOUT_MS, ...options,
  });
  try {
    await body(client);
  } finally {
    await client.close().catch((e) => console.error(`[${scenario}] close failed: ${e?.name}: ${e?.message}`));
  }
}

function text(result) {
  return result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
}

/** What each scenario expects the client to do, by scenario name. */
const scenarios = {
  // initialize, notifications/initialized, then a clean close.
  async initialize() {
    await withClient({}, async (client) => {
      log(`connected: ${client.serverInfo.name} ${client.protocolVersion}`);
    });
  },

  // tools/list, then tools/call of add_numbers with two numbers.
  async tools_call() {
    await withClient({}, async (client) => {
      const { tools } = await client.listTools();
      if (!tools.some((t) => t.name === 'add_numbers')) throw new Error('add_numbers is not listed');
      log(text(await client.callTool('add_numbers', { a: 5, b: 3 })));
    });
  },

  // SEP-1034: the server elicits a form whose every field has a default; the user accepts
  // without filling anything in, and the client must send the defaults.
  async 'elicitation-sep1034-client-defaults'() {
    const onElicitation = () => ({ action: 'accept', content: {} });
    await withClient({ onElicitation }, async (client) => {
      log(text(await client.callTool('test_client_elicitation_defaults', {})));
    });
  },

  // SEP-1699: the server sends a priming event (id + `retry: 500`) on the tools/call SSE
  // stream and closes it without a response; the client must reconnect with GET and
  // `Last-Event-ID` after the retry delay and receive the response there. `listen: false`:
  // the scenario's server counts every GET as a reconnection and times the last one, so
  // the GET stream the client opens at connect would be miscounted as the reconnection.
  async 'sse-retry'() {
    await withClient({ listen: false }, async (client) => {
      log(text(await client.callTool('test_reconnection', {})));
    });
  },
};

function log(line) {
  console.log(`[${scenario}] ${line}`);
}

try {
  if (!url || !/^https?:\/\//.test(url)) throw new Error(`usage: client.mjs <server-url> (got ${url})`);
  if (version !== SPOKEN_VERSION) {
    throw new Error(`asked for protocol ${version}; mcp-tasks-wasm speaks ${SPOKEN_VERSION} only`);
  }
  const run = scenarios[scenario];
  if (!run) {
    throw new Error(`no handler for scenario '${scenario}' (known: ${Object.keys(scenarios).join(', ')})`);
  }
  await run();
  log('done');
} catch (e) {
  console.error(`[${scenario}] ${e?.name ?? 'Error'}: ${e?.message ?? e}`);
  process.exitCode = 1;
}
