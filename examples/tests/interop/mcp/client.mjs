// An MCP client on the official TypeScript SDK, authorized by its own
// client-credentials providers. It starts from the MCP server's URL and the
// client's credentials only, and prints one JSON line per step.
//
//   MCP_URL=http://127.0.0.1:8081/mcp MCP_AUTH=client_secret_basic \
//   MCP_CLIENT_ID=... MCP_CLIENT_SECRET=... node client.mjs
//   MCP_AUTH=private_key_jwt MCP_PRIVATE_KEY="$(cat key.pem)" ...
//
// Exit status 0 when echo works and write_note is refused.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
    ClientCredentialsProvider,
    PrivateKeyJwtProvider
} from '@modelcontextprotocol/sdk/client/auth-extensions.js';

const env = name => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
};
const out = line => console.log(JSON.stringify(line));

const url = new URL(env('MCP_URL'));
const method = env('MCP_AUTH');
const clientId = env('MCP_CLIENT_ID');
const authProvider =
    method === 'private_key_jwt'
        ? new PrivateKeyJwtProvider({
              clientId,
              privateKey: env('MCP_PRIVATE_KEY'),
              algorithm: 'ES256',
              scope: 'mcp:read'
          })
        : new ClientCredentialsProvider({
              clientId,
              clientSecret: env('MCP_CLIENT_SECRET'),
              scope: 'mcp:read'
          });

const client = new Client({ name: 'ts-sdk-client-credentials', version: '1.0.0' });
await client.connect(new StreamableHTTPClientTransport(url, { authProvider }));
out({
    step: 'initialize',
    server: client.getServerVersion()?.name,
    extensions: Object.keys(client.getServerCapabilities()?.extensions ?? {})
});
const { tools } = await client.listTools();
out({ step: 'tools/list', tools: tools.map(t => t.name) });
const echo = await client.callTool({ name: 'echo', arguments: { text: 'hello from TypeScript' } });
out({ step: 'echo', text: echo.content[0].text });
let refused = false;
try {
    const r = await client.callTool({ name: 'write_note', arguments: { text: 'not allowed' } });
    out({ step: 'write_note', error: null, result: r });
} catch (e) {
    refused = true;
    out({ step: 'write_note', error: String(e?.message ?? e) });
}
await client.close();
process.exit(refused ? 0 : 1);
