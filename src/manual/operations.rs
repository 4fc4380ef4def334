//! # Operating an issuer: logs, metrics, and what each refusal means
//!
//! What an operator sees of a running issuer and resource server, and what to
//! do about it.
//!
//! ## Logs
//!
//! Every decision of the token, revocation and introspection endpoints is one
//! [`AuditEvent`](crate::audit::AuditEvent), handed to the
//! [`AuditSink`](crate::AuditSink) set with
//! [`IssuerBuilder::audit`](crate::issuer::IssuerBuilder::audit). With the
//! feature `tracing`, [`audit::TracingAudit`](crate::audit) writes each as a
//! `tracing` event with target `client_credentials::audit`: `INFO` for
//! issued and revoked tokens, `WARN` for refusals. Every value is its own
//! field, none ever holds a secret, a token, an assertion or an
//! `Authorization` header:
//!
//! - `outcome` (`issued`, `revoked`, `refused`), and for refusals `reason`
//!   (a [`Reason`](crate::Reason) variant, below) and `error` (the wire code);
//! - `client_id` (as presented; `client_id_escaped` says when it had to be
//!   escaped), `auth_method`, `credential_id`;
//! - `requested_scope`, `granted_scope`, `audience`, `jti`, `lifetime_secs`,
//!   `at` (Unix seconds);
//! - `extra_claims`: the token's extra claims as a JSON object, when it has
//!   any (see [Extra claims](#extra-claims));
//! - `store_error`: for a refusal because a store failed, the store's own
//!   error message (its `Display`), such as a PostgreSQL or Redis error. The
//!   caller only ever sees `server_error`.
//!
//! A failing [claims hook](crate::issuer::ClaimsHook) is also logged, at
//! `ERROR` with target `client_credentials::claims` and its error in `error`.
//! On a resource server, a [`Validator`](crate::Validator) whose revocation
//! store fails refuses the token (`RevocationUnavailable`) and logs the
//! store's error at `WARN`, target `client_credentials::validator`, field
//! `store_error`.
//!
//! ## Metrics
//!
//! With the feature `metrics`, the crate counts through the
//! [`metrics`](https://docs.rs/metrics) facade, so any of its exporters
//! (Prometheus, StatsD, OpenTelemetry) collects them; without an installed
//! recorder the counts cost next to nothing. Labels take a bounded set of
//! values: never a client id, a scope or anything else a caller chooses.
//! (The facade, rather than a trait of the crate's own, because it is what
//! Rust services already export through: one recorder serves the crate, the
//! HTTP stack and the application alike. Anything else can still read every
//! decision through an [`AuditSink`](crate::AuditSink).)
//!
//! | metric | kind | labels | meaning | turned on by |
//! |---|---|---|---|---|
//! | `client_credentials_tokens_issued_total` | counter | `auth_method` | tokens issued | `audit::MetricsAudit` around the audit sink |
//! | `client_credentials_tokens_revoked_total` | counter | | tokens revoked at the revocation endpoint | `audit::MetricsAudit` |
//! | `client_credentials_refusals_total` | counter | `reason`, `error` | refused requests at any endpoint, by [`Reason`](crate::Reason) variant and wire code | `audit::MetricsAudit` |
//! | `client_credentials_store_duration_seconds` | histogram | `store` (`client`, `revocation`, `replay`), `operation`, `outcome` (`ok`, `error`) | how long each store call took | `store::MeteredStore` around a store |
//! | `client_credentials_validations_total` | counter | `outcome` (`valid`, `refused`), `reason` | bearer tokens checked by a [`Validator`](crate::Validator), by [`ValidationError`](crate::ValidationError) variant | the feature alone |
//!
//! ```
//! # #[cfg(all(feature = "metrics", feature = "tracing"))]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use client_credentials::audit::{MetricsAudit, TracingAudit};
//! use client_credentials::store::{MemoryClientStore, MemoryRevocationStore, MeteredStore};
//! use client_credentials::{Algorithm, Issuer, KeySet, SigningKey};
//!
//! let keys = KeySet::new(SigningKey::generate(Algorithm::ES256)?.0);
//! // The issuer: counts of decisions, and the latency of the stores.
//! let clients = MeteredStore::new(MemoryClientStore::new());
//! let issuer = Issuer::builder("https://auth.example.com", keys, clients)
//!     .revocation_store(MeteredStore::new(MemoryRevocationStore::default()))
//!     .audit(Arc::new(MetricsAudit::new(TracingAudit)))
//!     .build()?;
//! # let _ = issuer;
//! # Ok(())
//! # }
//! # #[cfg(not(all(feature = "metrics", feature = "tracing")))]
//! # fn main() {}
//! ```
//!
//! The `axum_server` example of the repository serves them at `GET /metrics`
//! through `metrics-exporter-prometheus`. Serve them on an internal port in
//! production: refusal counts tell how a service is being probed.
//!
//! What to watch:
//!
//! - a rise of `refusals_total{error="server_error"}` (reasons
//!   `StoreUnavailable`, `ReplayGuardUnavailable`): a backend is down; the
//!   `store_error` field of the log says which and why, and
//!   `store_duration_seconds{outcome="error"}` how long calls took to fail;
//! - `refusals_total{reason="WrongSecret"}` or `{reason="Throttled"}`
//!   climbing: someone guesses secrets, or a client runs with a rotated-out
//!   secret (the log names the `client_id`);
//! - `validations_total{reason="Expired"}` on a resource server: callers use
//!   tokens past `exp` instead of renewing them shortly before;
//!   `{reason="UnknownKey"}` or `{reason="KeysUnavailable"}`: the resource
//!   server does not have the issuer's current keys.
//!
//! ## What each refusal means
//!
//! The [`Reason`](crate::Reason) of a refusal is in the audit event, the log's
//! `reason` field and the `reason` label. Callers see only the wire code, and
//! every failed client authentication reads alike on the wire, so that an
//! attacker cannot tell an unknown client from a wrong secret: the reason is
//! the operator's alone.
//!
//! | `Reason` | wire | what happened | what to do |
//! |---|---|---|---|
//! | `MethodNotAllowed` | 405 | not a `POST` | fix the caller |
//! | `UnsupportedContentType` | 400 `invalid_request` | the body is not a form | fix the caller (send `application/x-www-form-urlencoded`) |
//! | `BodyTooLarge` | 413 | the body exceeds `max_body_bytes` | raise the limit if legitimate (long assertions), else ignore |
//! | `MalformedBody` | 400 `invalid_request` | the form or its UTF-8 is broken | fix the caller |
//! | `RepeatedParameter` | 400 `invalid_request` | a parameter appears twice | fix the caller |
//! | `MissingGrantType` | 400 `invalid_request` | no `grant_type` | fix the caller |
//! | `CredentialsInUri` | 400 `invalid_request` | credentials in the query string | fix the caller, and rotate that secret: it may sit in proxy logs |
//! | `MultipleAuthMethods` | 400 `invalid_request` | two ways of authenticating at once | fix the caller |
//! | `MalformedAuthorization` | 401 `invalid_client` | a broken `Basic` header | fix the caller (form-encode id and secret before base64) |
//! | `RepeatedAuthorization` | 400 `invalid_request` | two `Authorization` headers | fix the caller or the proxy that adds one |
//! | `SecretWithoutClientId` | 400 `invalid_request` | `client_secret` without `client_id` | fix the caller |
//! | `UnsupportedGrantType` | 400 `unsupported_grant_type` | not `client_credentials`, nor the JWT-bearer grant with trusted issuers configured | point the caller at the right server or grant |
//! | `MissingAssertion` | 400 `invalid_request` | a JWT-bearer grant without its `assertion` | fix the caller |
//! | `InvalidGrant` | 400 `invalid_grant` | a platform token was refused (the audit event's reason names which check: issuer, key, audience, lifetime, rule, replay) | check the trusted issuer and claim rules against the token's claims; a spike of one reason may be an attack |
//! | `UnsupportedAuthScheme` | 401 `invalid_client` | a method this server has not enabled | enable it with `auth_methods`, or fix the caller |
//! | `ClientIdMismatch` | 401 `invalid_client` | `client_id` names another client than the credentials | fix the caller |
//! | `NoClientAuthentication` | 401 `invalid_client` | no credentials | fix the caller |
//! | `UnknownClient` | 401 `invalid_client` | no such client | register it, or fix the caller's id; many of them: someone probes ids |
//! | `WrongSecret` | 401 `invalid_client` | no live secret matches | the client holds an old or expired secret: issue a new one; many of them: guessing |
//! | `AuthMethodNotAllowed` | 401 `invalid_client` | the client may not use this method | register the method for the client, or fix the caller |
//! | `PublicClient` | 401 `invalid_client` | a public client asked for a token | this grant is for confidential clients only |
//! | `Throttled` | 429 | too many failures from this (client id, source) | wait; a legitimate client is never locked out by others' failures with a generated secret |
//! | `ClientDisabled` | 400 `unauthorized_client` | the client is disabled | enable it if it should work |
//! | `GrantNotAllowed` | 400 `unauthorized_client` | the client may not use this grant | register the grant for it |
//! | `CredentialRevoked` | 401 `invalid_client` | the client or the credential used was revoked | expected after a revocation; else issue a new credential |
//! | `MalformedScope` | 400 `invalid_scope` | the `scope` syntax is broken | fix the caller |
//! | `ScopeNotAllowed` | 400 `invalid_scope` | a scope outside the client's allowed scopes | grant the scope to the client, or fix the caller |
//! | `NoScope` | 400 `invalid_scope` | no scope asked, none by default | set the client's default scopes |
//! | `MalformedResource` | 400 `invalid_target` | `resource` is not an absolute URI | fix the caller |
//! | `ResourceNotAllowed` | 400 `invalid_target` | a resource outside the client's audiences | allow the audience for the client, or fix the caller |
//! | `TooManyResources` | 400 `invalid_target` | more resources than the policy allows | one token per resource, or raise the policy's limit |
//! | `NoAudience` | 400 `invalid_target` | no resource asked, none by default | set the client's default audience |
//! | `MissingToken` | 400 `invalid_request` | revocation or introspection without `token` | fix the caller |
//! | `TokenNotOwned` | 400 `unauthorized_client` | a client tried to revoke another client's token | investigate: a client holds a token not issued to it |
//! | `IntrospectionNotAllowed` | 403 `unauthorized_client` | a client not marked for introspection called it | mark the resource server's client with `ClientBuilder::introspection(true)` (PostgreSQL: `set_introspection`); anyone else should not introspect |
//! | `ExtraClaimsRefused` | 500 `server_error` | the claims hook failed, set a registered claim, or the extra claims are too large | the `client_credentials::claims` log line says which: fix the hook or the client's claims |
//! | `StoreUnavailable` | 503 `server_error`, `Retry-After: 1` | the client store or the revocation store failed | see `store_error` in the log; check the database or Redis |
//! | `SigningFailed` | 500 `server_error` | the signer failed | should not happen with valid keys: check the key material |
//! | `AssertionIncomplete` | 400 `invalid_request` | only one of `client_assertion` and its type | fix the caller |
//! | `AssertionTypeUnsupported` | 401 `invalid_client` | `client_assertion_type` is not the JWT bearer URN | fix the caller |
//! | `MalformedAssertion` | 401 `invalid_client` | the assertion is not a compact JWS | fix the caller |
//! | `AssertionUnsigned` | 401 `invalid_client` | `alg: none` | fix the caller; repeated: an attack |
//! | `AssertionAlgorithmNotAllowed` | 401 `invalid_client` | an algorithm the server or the client's pinning refuses | align the caller's `alg` with the keys and `assertion_algorithms` |
//! | `AssertionTypeHeaderRefused` | 401 `invalid_client` | `typ` names another kind of JWT (e.g. an access token) | the caller sent the wrong JWT |
//! | `AssertionCriticalHeader` | 401 `invalid_client` | a `crit` header | fix the caller |
//! | `AssertionIssuerMismatch` | 401 `invalid_client` | `iss` and `sub` are not both the client id | fix the caller |
//! | `AssertionAudienceMismatch` | 401 `invalid_client` | `aud` does not name this server | the caller must use the issuer identifier as `aud` |
//! | `AssertionMissingExpiry` | 401 `invalid_client` | no `exp` | fix the caller |
//! | `AssertionExpired` | 401 `invalid_client` | `exp` passed | check the caller's clock, or it reuses old assertions |
//! | `AssertionLifetimeTooLong` | 401 `invalid_client` | `exp` too far ahead | make assertions short-lived, or raise `max_lifetime` |
//! | `AssertionNotYetValid` | 401 `invalid_client` | `nbf` or `iat` ahead | check the caller's clock |
//! | `AssertionStale` | 401 `invalid_client` | `iat` too old | check the caller's clock |
//! | `AssertionMissingJti` | 401 `invalid_client` | no `jti` | fix the caller |
//! | `AssertionUnknownKey` | 401 `invalid_client` | no registered key fits `kid`/`alg` | register the caller's new key (rotation) |
//! | `AssertionBadSignature` | 401 `invalid_client` | the signature does not verify | key mismatch after a rotation, or forgery |
//! | `AssertionReplayed` | 401 `invalid_client` | the assertion was used before | the caller must make a fresh assertion per request; else a replay |
//! | `ClientJwksUnavailable` | 401 `invalid_client` | the client's `jwks_uri` could not be fetched | check that URL and the fetcher |
//! | `ReplayQuotaExceeded` | 401 `invalid_client` | the client sent more fresh assertions than its share | the caller should reuse its tokens instead of asking per request |
//! | `ReplayGuardUnavailable` | 503 `server_error`, `Retry-After: 1` | the replay guard failed or is full | see `store_error`; check Redis or the guard's capacity |
//! | `SlowHashUnavailable` | 503 `server_error`, `Retry-After: 1` | the PBKDF2 runner did not run the check | check the slow-hash runner (its pool, its panics) |
//!
//! ## Introspection
//!
//! Only clients marked for it may introspect
//! ([`ClientBuilder::introspection`](crate::store::ClientBuilder::introspection),
//! off for every new client; the PostgreSQL store keeps the flag in the
//! `introspection` column). Others get `403 unauthorized_client`, audited as
//! `IntrospectionNotAllowed`: after an upgrade, mark the resource servers
//! that introspect.
//!
//! ## Extra claims
//!
//! Tokens may carry claims beside the registered ones: a client's own
//! ([`ClientBuilder::extra_claims`](crate::store::ClientBuilder::extra_claims),
//! the `extra_claims` column in PostgreSQL) and those of the deployment's
//! [`ClaimsHook`](crate::issuer::ClaimsHook), which may read request
//! parameters allowed with
//! [`IssuerBuilder::extra_request_parameters`](crate::issuer::IssuerBuilder::extra_request_parameters).
//! [Registered claims](crate::REGISTERED_CLAIMS) can never be set, and all
//! extra claims together stay under [`MAX_EXTRA_CLAIMS_BYTES`](crate::MAX_EXTRA_CLAIMS_BYTES).
//! They appear in the audit events, in introspection answers, and to a
//! resource server whose validator
//! [reads them](crate::resource::ValidatorBuilder::read_extra_claims).
