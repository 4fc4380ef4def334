// The peer of `scripts/load.sh --peer`: node-oidc-provider 9 issuing the same
// kind of token (client_credentials, client_secret_basic, ES256 RFC 9068 JWT)
// to the same kind of client. PORT and SECRET come from the environment.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const base = `http://127.0.0.1:${port}`;
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = { ...privateKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig', kid: 'k1' };

const provider = new Provider(base, {
  clients: [{
    client_id: 'demo-client',
    client_secret: process.env.SECRET,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'ES256',
    scope: 'demo:read',
  }],
  jwks: { keys: [jwk] },
  scopes: ['demo:read'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => `${base}/api`,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'demo:read',
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
});
provider.listen(port, '127.0.0.1', () => console.log(`listening on ${base}`));
