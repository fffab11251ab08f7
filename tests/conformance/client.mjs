// The client under test for the official MCP conformance suite
// (@modelcontextprotocol/conformance; run by tests/conformance/run.mjs, `make test-conformance`).
//
// The suite's client contract: it starts a scenario server, runs this script with the
// server's URL as the last argument, the scenario's name in MCP_CONFORMANCE_SCENARIO, the
// protocol version to speak in MCP_CONFORMANCE_PROTOCOL_VERSION and, for scenarios that
// need them, extra inputs as JSON in MCP_CONFORMANCE_CONTEXT (credentials for auth; the
// tool calls to make for http-custom-headers). The script does what the scenario expects of
// a client, exits 0 when it got there and non-zero (with the reason on stderr) when it did
// not; the suite judges the traffic.
//
// The version: the suite sets MCP_CONFORMANCE_PROTOCOL_VERSION to the `--spec-version`
// run.mjs passes (the `<version>:` prefix of each Makefile entry), or, without one, to
// 2026-07-28 for scenarios introduced in 2026-07-28 and 2025-11-25 for the others. It is
// handed to `McpClient.connect` as `protocolVersion`, pinned: a 2025-11-25 scenario server
// would misread a `server/discover` probe (several answer any unknown method with `{}`),
// and a 2026-07-28 one must see modern traffic from the first request on.
//
// It imports the package by its name, as users do: run.mjs installs the `npm pack` tarball
// of pkg/ into target/conformance/node_modules and runs a copy of this file from there.
import { McpClient } from 'mcp-tasks-wasm';

const LEGACY = '2025-11-25';
const MODERN = '2026-07-28';
const SPOKEN_VERSIONS = [LEGACY, MODERN];

// Stop a little before the suite's own 30 s timeout, so a hang is reported by us, with
// what we were waiting for.
const REQUEST_TIMEOUT_MS = 20_000;

const url = process.argv.at(-1);
const scenario = process.env.MCP_CONFORMANCE_SCENARIO;
const version = process.env.MCP_CONFORMANCE_PROTOCOL_VERSION ?? LEGACY;
// Scenario inputs (auth credentials, http-custom-headers' tool calls). Never printed whole:
// for auth scenarios it holds secrets.
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}');

const clientInfo = { name: 'mcp-tasks-wasm-conformance', version: '0.1.0' };

/**
 * Connect with the SDK's defaults plus what a scenario adds (speaking the suite's version),
 * run `body(client)`, and close the client however `body` ends (an open GET stream would
 * keep the process alive).
 */
async function withClient(options, body) {
  const client = await McpClient.connect(url, {
    clientInfo, requestTimeoutMs: REQUEST_TIMEOUT_MS, protocolVersion: version, ...options,
  });
  try {
    if (client.protocolVersion !== version) {
      throw new Error(`asked for protocol ${version}, connected with ${client.protocolVersion}`);
    }
    await body(client);
  } finally {
    await client.close().catch((e) => console.error(`[${scenario}] close failed: ${e?.name}: ${e?.message}`));
  }
}

function text(result) {
  return result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
}

/** Throws unless this run speaks one of `versions` (a scenario's handler assumes its era). */
function requireVersion(...versions) {
  if (!versions.includes(version)) {
    throw new Error(`scenario '${scenario}' is wired for ${versions.join(', ')} only (asked for ${version})`);
  }
}

/** Arguments that satisfy a tool's `required` properties, one plain value per JSON type. */
function placeholderArguments(tool) {
  const schema = tool.inputSchema ?? {};
  const args = {};
  for (const name of schema.required ?? []) {
    const type = schema.properties?.[name]?.type;
    args[name] = type === 'integer' || type === 'number' ? 1
      : type === 'boolean' ? true
        : type === 'object' ? {}
          : type === 'array' ? []
            : type === 'null' ? null
              : 'x';
  }
  return args;
}

/** What each scenario expects the client to do, by scenario name. */
const scenarios = {
  // initialize, notifications/initialized, then a clean close.
  async initialize() {
    requireVersion(LEGACY);
    await withClient({}, async (client) => {
      log(`connected: ${client.serverInfo.name} ${client.protocolVersion}`);
    });
  },

  // tools/list, then tools/call of add_numbers with two numbers. At 2025-11-25 the server is
  // the suite's stateful SDK server; at 2026-07-28 its stateless mock, which refuses (400)
  // a request without MCP-Protocol-Version, without _meta protocolVersion/clientCapabilities,
  // or whose header and _meta disagree, and checks every message against the 2026-07-28
  // JSON schema (check wire-schema-valid).
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
    requireVersion(LEGACY);
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
    requireVersion(LEGACY);
    await withClient({ listen: false }, async (client) => {
      log(text(await client.callTool('test_reconnection', {})));
    });
  },

  // SEP-2575. The server refuses the first POST, whatever it is, with HTTP 400 / -32022
  // (`data.supported: ["2026-07-28"]`); the client must send it again at a supported
  // version (2026-07-28: MCP-Protocol-Version header and _meta protocolVersion). Every POST
  // must carry the header, _meta protocolVersion + clientCapabilities (clientInfo: a
  // warning without it) and header == _meta. `onElicitation` so that the elicitation
  // capability is declared and its shape checked (an object), not skipped.
  async 'request-metadata'() {
    requireVersion(MODERN);
    const onElicitation = () => ({ action: 'decline' });
    await withClient({ onElicitation }, async (client) => {
      log(`connected after the -32022 retry: ${client.protocolVersion}`);
      const { tools } = await client.listTools();
      log(`tools/list: ${tools.length} tool(s)`);
    });
  },

  // SEP-2243 standard headers: Mcp-Method on every POST, equal to the body's method
  // (case-sensitive); Mcp-Name on tools/call, equal to params.name, raw (no Base64 for an
  // ASCII name). The scenario checks the first request of each method only, so the
  // hyphenated tool is called first. resources/* and prompts/* are not in this SDK's API:
  // those checks are SKIPPED.
  async 'http-standard-headers'() {
    requireVersion(MODERN);
    await withClient({}, async (client) => {
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      for (const name of ['my-hyphenated-tool', 'test_headers']) {
        if (!names.includes(name)) throw new Error(`${name} is not listed (got ${names.join(', ')})`);
        log(`${name}: ${text(await client.callTool(name, {}))}`);
      }
    });
  },

  // SEP-2243 custom headers: each x-mcp-header parameter mirrored as Mcp-Param-<Name>
  // (strings as they are, integers in decimal, booleans true/false; the `=?base64?…?=` form
  // for values with non-ASCII, control characters, or leading/trailing whitespace; nothing
  // for null or unannotated parameters). The suite hands the calls to make in the context.
  async 'http-custom-headers'() {
    requireVersion(MODERN);
    const calls = context.toolCalls;
    if (!Array.isArray(calls) || calls.length === 0) throw new Error('MCP_CONFORMANCE_CONTEXT has no toolCalls');
    await withClient({}, async (client) => {
      const { tools } = await client.listTools();
      for (const { name, arguments: args } of calls) {
        if (!tools.some((t) => t.name === name)) throw new Error(`${name} (a valid tool) is not listed`);
        log(`${name}: ${text(await client.callTool(name, args))}`);
      }
    });
  },

  // SEP-2243: tools whose x-mcp-header annotations break the rules (empty, on
  // object/array/null/number, duplicate in any case, not an RFC 9110 token) must be left
  // out, the valid one kept. As an app would: call every tool listTools() gives.
  async 'http-invalid-tool-headers'() {
    requireVersion(MODERN);
    await withClient({}, async (client) => {
      const { tools } = await client.listTools();
      log(`listed: ${tools.map((t) => t.name).join(', ')}`);
      if (!tools.some((t) => t.name === 'valid_tool')) throw new Error('valid_tool is not listed');
      for (const tool of tools) {
        const args = tool.name === 'valid_tool' ? { region: 'us-west1' } : placeholderArguments(tool);
        log(`${tool.name}: ${text(await client.callTool(tool.name, args))}`);
      }
    });
  },

  // SEP-2322 (MRTR) on tools/call. test_mrtr_echo_state: input_required with a requestState
  // that must come back exactly, with inputResponses, under a new JSON-RPC id; while that
  // flow waits for the user (inside onElicitation), test_mrtr_unrelated, which must carry
  // neither. test_mrtr_no_state: no requestState, so the retry must have none.
  // test_mrtr_no_result_type: a result without resultType is complete (no retry).
  async 'sep-2322-client-request-state'() {
    requireVersion(MODERN);
    let current;
    let unrelated;
    const onElicitation = async (params) => {
      log(`elicitation: ${params.message}`);
      if (unrelated === undefined) {
        unrelated = text(await current.callTool('test_mrtr_unrelated', {}));
        log(`test_mrtr_unrelated (between the rounds): ${unrelated}`);
      }
      return { action: 'accept', content: { confirmed: true } };
    };
    await withClient({ onElicitation }, async (client) => {
      current = client;
      await client.listTools();
      const expect = async (name, wanted) => {
        const got = text(await client.callTool(name, {}));
        log(`${name}: ${got}`);
        if (got !== wanted) throw new Error(`${name} answered '${got}', expected '${wanted}'`);
      };
      await expect('test_mrtr_echo_state', 'echo-state-ok');
      if (unrelated !== 'unrelated-ok') throw new Error(`test_mrtr_unrelated answered '${unrelated}'`);
      await expect('test_mrtr_no_state', 'no-state-ok');
      await expect('test_mrtr_no_result_type', 'no-result-type-test-ok');
    });
  },

  // SEP-2106: tools/list returns a tool whose inputSchema has a `$ref` to a network URI (a
  // canary on the scenario server); the client must list the tools and never fetch it.
  // (The scenario answers tools/list through a v1 SDK transport: an SSE reply, and a 406
  // unless Accept lists both application/json and text/event-stream.)
  async 'json-schema-ref-no-deref'() {
    requireVersion(MODERN);
    await withClient({}, async (client) => {
      const { tools } = await client.listTools();
      const tool = tools.find((t) => t.name === 'lookup_user');
      if (!tool) throw new Error('lookup_user is not listed');
      const ref = tool.inputSchema?.properties?.profile?.$ref;
      if (typeof ref !== 'string' || !ref.endsWith('/canary/profile-schema.json')) {
        throw new Error(`the $ref did not come through as it was sent: ${JSON.stringify(tool.inputSchema?.properties?.profile)}`);
      }
      log(`lookup_user listed; profile.$ref kept as ${ref}`);
    });
  },
};

/**
 * Every auth/* scenario: the suite's resource server answers 401 and its authorization
 * server approves at once, so the page step (the SDK's `authorize` function) fetches the
 * authorization URL without following the redirect and hands the `Location` (the whole
 * callback URL: code, state, iss) back to the SDK, which checks it. Pre-registered
 * credentials (auth/pre-registration) come from MCP_CONFORMANCE_CONTEXT; the Client ID
 * Metadata Document URL is the one the suite expects, used where the server supports
 * them. Scenarios where the client must refuse (resource-mismatch, iss-*, ...) end with
 * the SDK's AuthError, which the suite allows. Then, as an app would: list the tools and
 * call each (step-up scenarios ask for more scope on tools/call).
 */
async function authScenario() {
  const authorize = async (authorizationUrl) => {
    const res = await fetch(authorizationUrl, { redirect: 'manual' });
    const location = res.headers.get('location');
    if (!location) throw new Error(`the authorization endpoint answered ${res.status} without a redirect`);
    return new URL(location, authorizationUrl).href;
  };
  const auth = {
    authorize,
    redirectUri: 'http://localhost:3000/callback',
    clientName: 'mcp-tasks-wasm-conformance',
    clientMetadataUrl: 'https://conformance-test.local/client-metadata.json',
  };
  if (context.client_id) {
    Object.assign(auth, { clientId: context.client_id, clientSecret: context.client_secret, clientIssuer: context.issuer });
  }
  await withClient({ auth, listen: false }, async (client) => {
    const { tools } = await client.listTools();
    for (const tool of tools) log(`${tool.name}: ${text(await client.callTool(tool.name, placeholderArguments(tool)))}`);
  });
}

function log(line) {
  console.log(`[${scenario}] ${line}`);
}

try {
  if (!url || !/^https?:\/\//.test(url)) throw new Error(`usage: client.mjs <server-url> (got ${url})`);
  if (!SPOKEN_VERSIONS.includes(version)) {
    throw new Error(`asked for protocol ${version}; mcp-tasks-wasm speaks ${SPOKEN_VERSIONS.join(' and ')}`);
  }
  const run = scenarios[scenario] ?? (scenario?.startsWith('auth/') ? authScenario : undefined);
  if (!run) {
    throw new Error(`no handler for scenario '${scenario}' (known: ${Object.keys(scenarios).join(', ')})`);
  }
  await run();
  log('done');
} catch (e) {
  console.error(`[${scenario}] ${e?.name ?? 'Error'}: ${e?.message ?? e}`);
  process.exitCode = 1;
}
