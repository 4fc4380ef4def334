// A real DPoP client, openid-client, against the example token server and
// the example MCP server. Driven by examples/tests/interop_dpop.rs, which
// starts both servers and passes their URLs and the client credentials in the
// environment; prints one JSON object with what happened.
//
// - client_secret_basic and private_key_jwt: a DPoP-bound token from the token
//   server (RFC 9449 §5, nonce retry included), then an MCP session over
//   Streamable HTTP (`initialize`, `notifications/initialized`, a tool call),
//   each POST with a proof carrying `ath` and `content_digest`.
// - Proofs written by hand with the same key: one valid, then tampered ones
//   (wrong htu, wrong ath, a reused jti, another key, a body that does not
//   match content_digest), each of which the MCP server must refuse.

import * as client from 'openid-client'

const env = process.env
const issuer = new URL(env.ISSUER)
const resource = new URL(env.RESOURCE)
const options = { execute: [client.allowInsecureRequests], algorithm: 'oauth2' }
const encoder = new TextEncoder()

function b64u(bytes) {
  return Buffer.from(bytes).toString('base64url')
}

async function sha256(text) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)))
}

async function contentDigest(body) {
  return `sha-256=:${Buffer.from(await sha256(body)).toString('base64')}:`
}

function rpc(id, text) {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'echo', arguments: { text } },
  })
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'openid-client-dpop', version: '1.0.0' },
  },
})
const INITIALIZED = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })

// The headers of a Streamable HTTP POST, in the session once there is one.
function mcpHeaders(session) {
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  }
  if (session) {
    headers['mcp-session-id'] = session
    headers['mcp-protocol-version'] = '2025-06-18'
  }
  return headers
}

// A JSON-RPC answer, sent as JSON or as one server-sent event.
async function rpcResult(response) {
  const text = await response.text()
  if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const data = text
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim())
      .filter((line) => line.length > 0)
    return data.length > 0 ? JSON.parse(data[data.length - 1]) : null
  }
  return text ? JSON.parse(text) : null
}

// A token and one MCP call, all through openid-client.
async function viaOpenidClient(config) {
  const keys = await client.randomDPoPKeyPair('ES256')
  const dpop = client.getDPoPHandle(config, keys)
  const tokens = await client.clientCredentialsGrant(
    config,
    { scope: 'mcp:read', resource: resource.href },
    { DPoP: dpop },
  )
  // The MCP DPoP profile's `content_digest`, added to the proofs of this handle.
  let digest
  const mcpDpop = client.getDPoPHandle(config, keys, {
    [client.modifyAssertion]: (_header, payload) => {
      payload.content_digest = digest
    },
  })
  const post = async (body, session) => {
    digest = await contentDigest(body)
    return client.fetchProtectedResource(
      config,
      tokens.access_token,
      resource,
      'POST',
      body,
      new Headers(mcpHeaders(session)),
      { DPoP: mcpDpop },
    )
  }
  const initialized = await post(INITIALIZE)
  const session = initialized.headers.get('mcp-session-id')
  await rpcResult(initialized)
  const notified = await post(INITIALIZED, session)
  const response = await post(rpc(1, 'hello over DPoP'), session)
  const result = await rpcResult(response)
  return {
    outcome: {
      token_type: tokens.token_type,
      initialize_status: initialized.status,
      initialized_status: notified.status,
      status: response.status,
      text: result?.result?.content?.[0]?.text ?? null,
    },
    session,
    keys,
    accessToken: tokens.access_token,
  }
}

async function signProof(keyPair, claims) {
  const jwk = await crypto.subtle.exportKey('jwk', keyPair.publicKey)
  const header = {
    typ: 'dpop+jwt',
    alg: 'ES256',
    jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
  }
  const input = `${b64u(encoder.encode(JSON.stringify(header)))}.${b64u(encoder.encode(JSON.stringify(claims)))}`
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    keyPair.privateKey,
    encoder.encode(input),
  )
  return `${input}.${b64u(new Uint8Array(signature))}`
}

async function call(accessToken, proof, body, session) {
  const response = await fetch(resource, {
    method: 'POST',
    headers: {
      authorization: `DPoP ${accessToken}`,
      dpop: proof,
      ...mcpHeaders(session),
    },
    body,
  })
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
  }
}

// Hand-written proofs of the token's key: one valid, then each tampering.
async function tampered(keys, accessToken, session) {
  const body = rpc(2, 'by hand')
  const claims = async (overrides = {}) => ({
    jti: b64u(crypto.getRandomValues(new Uint8Array(16))),
    htm: 'POST',
    htu: `${resource.origin}${resource.pathname}`,
    iat: Math.floor(Date.now() / 1000),
    ath: b64u(await sha256(accessToken)),
    content_digest: await contentDigest(body),
    ...overrides,
  })
  const results = {}
  const valid = await signProof(keys, await claims())
  results.valid = await call(accessToken, valid, body, session)
  results.reused_jti = await call(accessToken, valid, body, session)
  results.wrong_htu = await call(
    accessToken,
    await signProof(keys, await claims({ htu: `${resource.origin}/other` })),
    body,
    session,
  )
  results.wrong_ath = await call(
    accessToken,
    await signProof(keys, await claims({ ath: b64u(await sha256('another token')) })),
    body,
    session,
  )
  const otherKey = await client.randomDPoPKeyPair('ES256')
  results.another_key = await call(
    accessToken,
    await signProof(otherKey, await claims()),
    body,
    session,
  )
  results.body_mismatch = await call(
    accessToken,
    await signProof(keys, await claims()),
    rpc(3, 'a body the proof does not cover'),
    session,
  )
  return results
}

async function importPkcs8(pem) {
  const der = Buffer.from(
    pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, ''),
    'base64',
  )
  return crypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
  ])
}

const output = {}
const basic = await client.discovery(
  issuer,
  env.SECRET_CLIENT_ID,
  undefined,
  client.ClientSecretBasic(env.SECRET_CLIENT_SECRET),
  options,
)
const viaBasic = await viaOpenidClient(basic)
output.client_secret_basic = viaBasic.outcome
output.tampered = await tampered(viaBasic.keys, viaBasic.accessToken, viaBasic.session)

const key = await importPkcs8(env.JWT_CLIENT_KEY_PEM)
const jwt = await client.discovery(
  issuer,
  env.JWT_CLIENT_ID,
  undefined,
  client.PrivateKeyJwt({ key, kid: env.JWT_CLIENT_KID }),
  options,
)
output.private_key_jwt = (await viaOpenidClient(jwt)).outcome

console.log(JSON.stringify(output))
