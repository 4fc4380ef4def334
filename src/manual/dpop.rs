//! # Sender-constrained tokens with DPoP (RFC 9449)
//!
//! A bearer token works for whoever holds it: a token copied from a log, a
//! proxy or a compromised downstream service is as good as the client's own.
//! DPoP binds each token to a key pair the client holds. The client proves
//! possession of the private key with a fresh signed proof on every request;
//! the token names the key's RFC 7638 thumbprint in `cnf.jkt`, and a resource
//! server accepts it only together with a proof made by that key. RFC 9700
//! §2.2.1 recommends sender-constrained tokens, and MCP profiles DPoP for its
//! servers.
//!
//! ## When to use it
//!
//! - Tokens travel through places you do not fully control: logs, traces,
//!   gateways, MCP hosts relaying calls, shared caches.
//! - Tokens live long enough to be worth stealing, or grant much.
//! - The resource servers are yours (or speak DPoP), so they can check proofs.
//!
//! A client that cannot keep a private key (or a resource server that cannot
//! check proofs) gains nothing: use short-lived bearer tokens there.
//!
//! ## Turning it on
//!
//! At the token endpoint, [`IssuerBuilder::dpop`](crate::issuer::IssuerBuilder::dpop)
//! with a [`DpopConfig`](crate::jose::DpopConfig): a request with a valid
//! `DPoP` header gets a token bound to the proof's key and `token_type`
//! `DPoP`; one without a proof still gets a bearer token, unless the client is
//! registered with
//! [`dpop_bound_access_tokens`](crate::store::ClientBuilder::dpop_bound_access_tokens).
//! The metadata lists `dpop_signing_alg_values_supported`. Proof `jti`s go
//! through the issuer's [`ReplayGuard`](crate::ReplayGuard), under keys of
//! their own.
//!
//! At a resource server, [`ValidatorBuilder::dpop`](crate::resource::ValidatorBuilder::dpop),
//! [`require_dpop`](crate::resource::ValidatorBuilder::require_dpop) to refuse
//! bearer tokens, and [`Validator::authorize`](crate::Validator::authorize)
//! on a [`ResourceRequest`](crate::resource::ResourceRequest) (method, URI,
//! headers, body) for each request; refusals come back as challenges in the
//! `DPoP` scheme. [`DpopConfig::mcp`](crate::jose::DpopConfig::mcp) is the MCP
//! profile: every proof carries `content_digest`, the SHA-256 of the JSON-RPC
//! body, because every MCP call goes to one URL with one method, and `htm` and
//! `htu` alone would let a proof for one call be used for another.
//!
//! Clients sign proofs with [`DpopProof`](crate::jose::DpopProof) and any
//! asymmetric [`SigningKey`](crate::SigningKey).
//!
//! ## What it protects against
//!
//! - **A leaked token**: without the private key, nobody can make the proof a
//!   resource server asks for. This is the point of DPoP.
//! - **A leaked proof**: a proof is good for one method and URI (and, under the
//!   MCP profile, one body), with one token, for a short time (`max_age`), and
//!   once where a replay guard records its `jti`.
//!
//! ## What it does not protect against
//!
//! - **A compromised client.** Whoever runs code on the client, or holds its
//!   private key, signs proofs at will: DPoP moves the secret from the token to
//!   the key, it does not make the client trustworthy. Keep the key out of
//!   reach (a non-exportable key, an HSM, a separate signer process) and keep
//!   tokens short-lived and scopes narrow.
//! - **A stolen client credential.** The thief can make a key of its own and
//!   obtain tokens bound to it. DPoP binds tokens, not clients: pair it with
//!   `private_key_jwt` and rotate credentials.
//! - **A server that does not check.** A resource server that takes the token
//!   as a bearer token gains nothing; once a resource expects DPoP, set
//!   `require_dpop`, and publish `dpop_bound_access_tokens_required` in its
//!   metadata.
//! - **Pre-computed proofs.** A client that signs proofs ahead of time, with
//!   `iat` in the future, makes them usable later by whoever takes them; the
//!   `iat` window (and server nonces, at the token endpoint) bound this.
//!
//! ## Nonces in a fleet
//!
//! With [`DpopNonces`](crate::jose::DpopNonces) in the issuer's
//! `DpopConfig`, every proof must carry a nonce the server gave out: a
//! request without one (or with an old one) gets `400 use_dpop_nonce` and a
//! `DPoP-Nonce` header, and the client retries with it; successful responses
//! carry the current nonce too. This caps how far ahead a proof can be made.
//!
//! The nonces are stateless: a nonce is an HMAC, under a server secret, of the
//! index of the current time window. Any replica holding the same secret
//! issues the same nonce in the same window and accepts nonces of the current
//! and the previous window, so a fleet behind a load balancer shares the
//! secret and nothing else: no nonce store, no sticky sessions. A window of a
//! few minutes keeps retries rare; clocks need only agree within a window.
//! Rotate the secret like any key: for one window, proofs with old nonces get a
//! `use_dpop_nonce` answer and are retried.
//!
//! Replay protection is separate: the `jti` of each proof is recorded through
//! the [`ReplayGuard`](crate::ReplayGuard), which a fleet shares (Redis), as it
//! does for client assertions.
