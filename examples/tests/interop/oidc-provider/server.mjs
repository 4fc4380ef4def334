// A node-oidc-provider authorization server for the TokenSource interop
// test: the client_credentials grant with resource indicators (RFC 8707),
// JWT access tokens, and the clients the test passes in INTEROP_CLIENTS
// (a JSON array of client metadata). It listens on a free loopback port and
// prints `listening http://127.0.0.1:PORT` once ready.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const clients = JSON.parse(process.env.INTEROP_CLIENTS ?? '[]')
  .map((client) => ({ id_token_signed_response_alg: 'ES256', ...client }));
const signing = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [{ ...signing, kid: 'interop-signing', use: 'sig', alg: 'ES256' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    scopes: ['api:read', 'api:write'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'https://api.example.com',
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => ({
          scope: 'api:read api:write',
          audience: resource,
          accessTokenTTL: 120,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    enabledJWA: { clientAuthSigningAlgValues: ['ES256', 'EdDSA', 'ES384'] },
  });
  // The tests talk plain HTTP over loopback.
  provider.proxy = false;
  server.on('request', provider.callback());
  process.stdout.write(`listening ${issuer}\n`);
});

// The test ends the process by closing its standard input.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
