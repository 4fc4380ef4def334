//! An OAuth 2.0 client-credentials token endpoint (RFC 6749 §4.4) that issues
//! RFC 9068 JWT access tokens, for Rust services, backend jobs, AI agents and MCP
//! servers that must authenticate machines.
//!
//! The crate is a library, not a server: it never opens a socket or reads a
//! file. Its core is *sans-IO*: request parts in, response parts out, with
//! storage behind small async traits. The [`Issuer`] reads the time from an
//! injected [`Clock`], the [`SystemClock`] unless you set another; the
//! [`Validator`] is handed `now` with each token.
//!
//! # Contents
//! - [The way a request travels](#the-way-a-request-travels)
//! - [A token endpoint in a few lines](#a-token-endpoint-in-a-few-lines)
//! - [Protecting a resource server](#protecting-a-resource-server)
//! - [Map of the crate](#map-of-the-crate)
//! - [Types from other crates](#types-from-other-crates)
//! - [Security model](#security-model)
//!
//! Running it: [`manual::operations`] lists the logs and metrics an operator
//! sees and what each refusal reason means.
//!
//! # The way a request travels
//!
//! ```text
//! HTTP stack ─► RequestParts ─► TokenRequest::parse     syntax: RFC 6749 §3.2, §2.3.1, RFC 8707
//!                                  │
//!                                  ▼
//!           Issuer::authenticate ─ throttle, ClientStore lookup, secret check,
//!                                  │  or JWT assertion: client keys, RFC 7523 checks, ReplayGuard
//!                                  │  → AuthenticatedClient (proof type)
//!                                  ▼
//!           Issuer::issue ──────── Policy::grant (scopes, audiences, lifetime), mint (RFC 9068)
//!                                  │  → TokenResponse / TokenError
//!                                  ▼
//! HTTP stack ◄─ HttpResponse (status, headers incl. no-store, JSON body)   + one AuditEvent
//! ```
//!
//! [`Issuer::handle_token_request`] runs the whole path in one call.
//! [`Issuer::handle_revocation_request`] (RFC 7009) and
//! [`Issuer::handle_introspection_request`] (RFC 7662) parse an [`issuer::RevokeOrIntrospectRequest`]
//! and authenticate the client the same way, then act on the named token
//! through the [`RevocationStore`].
//!
//! On the resource server:
//!
//! ```text
//! Authorization header ─► bearer_token ─► Validator::validate(token, now)   RFC 9068 §4: JWS syntax,
//!                                            │   ▲ VerificationKeys          typ, alg = key's alg, kid,
//!                                            │   ▲ RevocationStore           signature, iss, aud, times
//!                                            ▼
//!                            VerifiedToken::require_scope ─► the operation
//!            any refusal ─► BearerChallenge (401 / 403, WWW-Authenticate with resource_metadata)
//! ```
//!
//! # A token endpoint in a few lines
//!
//! ```
//! use std::sync::Arc;
//! use client_credentials::store::MemoryClientStore;
//! use client_credentials::{
//!     Algorithm, Audience, Client, ClientId, ClientSecret, CredentialId, Issuer, KeySet,
//!     RequestParts, ScopeSet, SecretCredential, SecretHash, SigningKey,
//! };
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Once, at registration: generate a secret, hand it to the client, keep its hash.
//! let secret = ClientSecret::generate();
//! let client = Client::builder(ClientId::new("reporting-job")?)
//!     .secret(SecretCredential::new(CredentialId::new("s1")?, SecretHash::fast(&secret)?))
//!     .allowed_scopes(ScopeSet::from_strs(["metrics:read", "metrics:write"])?)
//!     .default_scopes(ScopeSet::from_strs(["metrics:read"])?)
//!     .default_audience(Audience::new("https://metrics.example.com")?)
//!     .build()?;
//!
//! // At start-up: keys, store, issuer.
//! let (key, _pkcs8_pem) = SigningKey::generate(Algorithm::ES256)?;
//! let store = MemoryClientStore::from_iter([client]);
//! let issuer = Arc::new(Issuer::builder("https://auth.example.com", KeySet::new(key), store).build()?);
//!
//! // Per request, from any HTTP stack:
//! let body = format!(
//!     "grant_type=client_credentials&client_id=reporting-job&client_secret={}",
//!     secret.expose_secret()
//! );
//! let response = futures_lite_block_on(issuer.handle_token_request(RequestParts::form_post(body.as_bytes())));
//! assert_eq!(response.status, 200);
//! assert_eq!(response.header("cache-control"), Some("no-store"));
//! # Ok(())
//! # }
//! # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
//! # }
//! ```
//!
//! # Protecting a resource server
//!
//! An MCP server (or any API) checks the issuer's tokens with a [`Validator`]
//! and answers refusals with a [`BearerChallenge`] pointing at its
//! [`ResourceMetadata`]:
//!
//! ```
//! use client_credentials::resource::bearer_token;
//! use client_credentials::{
//!     Algorithm, Audience, BearerChallenge, KeySet, ResourceMetadata, SigningKey, UnixTime,
//!     Validator, VerificationKeys,
//! };
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let (key, _) = SigningKey::generate(Algorithm::ES256)?;
//! # let jwks_json = KeySet::new(key).jwks_json();
//! // At start-up: the issuer's published keys (fetched from its `jwks_uri`), parsed once.
//! let keys = VerificationKeys::from_jwks_json(&jwks_json)?;
//! let validator = Validator::builder(
//!     "https://auth.example.com",
//!     Audience::new("https://mcp.example.com/mcp")?,
//!     keys,
//! )
//! .build()?;
//! let metadata = ResourceMetadata::builder("https://mcp.example.com/mcp")
//!     .authorization_server("https://auth.example.com")
//!     .build()?;
//!
//! // Per request:
//! # let authorization: Option<&str> = None;
//! let response = match bearer_token(authorization) {
//!     None => BearerChallenge::missing_token().scope("mcp:read"),
//!     Some(token) => match futures_lite_block_on(validator.validate(token, UnixTime::now())) {
//!         Err(e) => BearerChallenge::invalid_token(e),
//!         Ok(verified) => match verified.require_scope("mcp:read") {
//!             Err(e) => BearerChallenge::insufficient_scope(&e),
//!             Ok(()) => unreachable!("serve the request"),
//!         },
//!     },
//! }
//! .resource_metadata(metadata.metadata_url())
//! .to_http();
//! assert_eq!(response.status, 401);
//! assert_eq!(
//!     response.header("www-authenticate"),
//!     Some(r#"Bearer scope="mcp:read", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp""#)
//! );
//! # Ok(())
//! # }
//! # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
//! # }
//! ```
//!
//! With the feature `tower`, `resource::BearerLayer` does all of this in front
//! of any `tower` service (an axum router, an `rmcp` Streamable HTTP server):
//! per-route and per-request scopes, the challenges, and the [`VerifiedToken`]
//! in the request's extensions; the feature `axum` adds extractors for it and
//! `IntoResponse` for [`HttpResponse`] and [`BearerChallenge`].
//!
//! Keys parsed once stay as they were: to follow the issuer's key rotation
//! without a restart, build the validator with
//! [`Validator::builder_remote`] on a [`resource::RemoteKeys`], which reads the
//! `jwks_uri` from the issuer's RFC 8414 metadata and keeps the JWK Set fresh
//! (by `Cache-Control`, and on a `kid` it has not seen) through an
//! [`resource::HttpGet`] of your HTTP client, or `resource::ReqwestGet` with
//! the feature `reqwest`.
//!
//! Tokens can also be bound to a key the client holds (DPoP, RFC 9449), so a
//! leaked token is useless without that key: the issuer binds tokens with
//! [`issuer::IssuerBuilder::dpop`], a resource server checks the proofs with
//! [`Validator::authorize`], clients sign them with [`jose::DpopProof`]. When
//! to use it, and what it does not protect against: [`manual::dpop`].
//!
//! # Map of the crate
//!
//! The crate is laid out in wings that follow the request's path. Each wing
//! imports only wings listed above it in this table, `audit` imports only the
//! vocabulary, and `resource` never imports `issuer`, so a resource server
//! does not link the token endpoint (`tests/crate_map.rs` keeps this true):
//!
//! | wing | what it holds | its public items |
//! |---|---|---|
//! | shared vocabulary (private; items at the root) | identifiers, scopes, audiences, time, secrets, extra claims, errors | [`ClientId`], [`CredentialId`], [`AuthMethod`], [`Scope`], [`ScopeSet`], [`Audience`], [`UnixTime`], [`Clock`], [`SystemClock`], [`FixedClock`], [`ClientSecret`], [`SecretHash`], [`ExtraClaims`], [`REGISTERED_CLAIMS`], [`MAX_EXTRA_CLAIMS_BYTES`], [`ConfigError`], [`TokenError`], [`ErrorCode`], [`Reason`], [`DpopError`], [`GrantRefusal`], [`StoreError`], [`ValidationError`] |
//! | the wire (private; items at the root) | request parts in, response parts out, form and Basic decoding, JSON writing, `http` 1.x conversions (feature `http`) | [`RequestParts`], [`HttpResponse`] |
//! | [`jose`] | algorithms, signing and verification keys, JWK parsing and thumbprints, compact JWS, access-token claims, DPoP proofs (RFC 9449) | [`Algorithm`], [`SigningKey`], [`KeySet`], [`VerificationKeys`], [`ClientJwks`], [`ClientKey`], [`JwtSecretCredential`], [`AccessTokenClaims`], [`jose::PrivateKeyPem`], [`jose::JwksFetcher`], [`jose::JwksCache`], [`jose::JwksCacheConfig`], [`jose::Jwk`], [`jose::JwkSet`], [`jose::MAX_CLIENT_KEYS`], [`jose::Confirmation`], [`jose::DpopConfig`], [`jose::DpopNonces`], [`jose::DpopProof`], [`jose::VerifiedDpopProof`], [`jose::DPOP_ALGORITHMS`], [`jose::MAX_DPOP_PROOF_BYTES`], [`jose::access_token_hash`], [`jose::content_digest`] |
//! | [`store`] | registered clients and the shared state of the checks: traits with their contracts, and in-memory implementations | [`Client`], [`SecretCredential`], [`store::ClientBuilder`], [`ClientStore`], [`store::MemoryClientStore`], [`store::CachingClientStore`], [`store::CachingConfig`], [`RevocationStore`], [`store::MemoryRevocationStore`], [`store::NoRevocation`], [`store::RevocationConfig`], [`store::TokenView`], [`ReplayGuard`], [`store::ReplayCheck`], [`store::MemoryReplayGuard`], [`store::DEFAULT_REPLAY_CAPACITY`], [`AuthThrottle`], [`store::ThrottleKey`], [`store::MemoryThrottle`], [`store::NoThrottle`], [`store::ThrottleConfig`]; with the feature `redis`, `store::redis::RedisReplayGuard`, `store::redis::RedisThrottle`, `store::redis::RedisRevocationStore`, `store::redis::RedisRevocationConfig` and `store::redis::RedisConfig`; with the feature `postgres`, `store::postgres::PostgresClientStore`, `store::postgres::PostgresConfig` and `store::postgres::PostgresInvalidations`; with the feature `metrics`, `store::MeteredStore` and `store::STORE_DURATION` |
//! | [`audit`] | one structured event per decision | [`AuditSink`], [`audit::AuditEvent`], [`audit::AuditRecord`], [`audit::Outcome`], [`audit::MemoryAuditSink`], [`audit::NoAudit`], [`audit::MAX_AUDITED_CLIENT_ID_BYTES`], `audit::TracingAudit` (feature `tracing`); with the feature `metrics`, `audit::MetricsAudit` and its counter names `audit::TOKENS_ISSUED`, `audit::TOKENS_REVOKED`, `audit::REFUSALS` |
//! | [`issuer`] | the token endpoint (parse, authenticate, grant, mint), the JWT-bearer grant for workloads of trusted issuers, revocation, introspection, metadata | [`Issuer`], [`TokenRequest`], [`ClientAuth`], [`issuer::IssuerBuilder`], [`issuer::IssuerConfig`], [`issuer::ClaimsHook`], [`issuer::ClaimsRequest`], [`issuer::AuthenticatedClient`], [`issuer::ClientAssertion`], [`issuer::AssertionSettings`], [`issuer::Policy`], [`issuer::ScopePolicy`], [`issuer::Grant`], [`issuer::JtiSource`], [`issuer::RandomJti`], [`issuer::TokenResponse`], [`issuer::RevokeOrIntrospectRequest`], [`issuer::SlowHashRunner`], [`issuer::SlowHashWork`], [`issuer::well_known_path`], [`issuer::DEFAULT_MAX_BODY_BYTES`], [`issuer::JWT_BEARER_ASSERTION_TYPE`], [`issuer::GrantType`], [`issuer::JWT_BEARER_GRANT_TYPE`], [`issuer::TrustedIssuer`], [`issuer::ExpectedAudience`], [`issuer::ClaimRule`], [`issuer::ClaimRuleBuilder`], [`issuer::SubjectMatch`]; with the feature `axum`, `issuer::router`, the token server's axum router |
//! | [`resource`] | token validation (bearer and DPoP-bound), bearer and DPoP challenges, protected-resource metadata | [`Validator`], [`VerifiedToken`], [`BearerChallenge`], [`ResourceMetadata`], [`resource::ValidatorBuilder`], [`resource::InsufficientScope`], [`resource::ScopeHierarchy`], [`resource::BearerError`], [`resource::bearer_token`], [`resource::ResourceMetadataBuilder`], [`resource::resource_metadata_url`], [`resource::resource_metadata_path`], [`resource::DEFAULT_LEEWAY`], [`resource::MAX_LEEWAY`], [`resource::DEFAULT_MAX_TOKEN_BYTES`], [`resource::RemoteKeys`], [`resource::RemoteKeysConfig`], [`resource::HttpGet`], [`resource::HttpGetResponse`], [`resource::ResourceRequest`], [`resource::EnvToken`], [`resource::EnvTokenError`], [`resource::validate_env_token`]; with the feature `reqwest`, `resource::ReqwestGet`; with the feature `metrics`, `resource::VALIDATIONS`; with the feature `tower`, `resource::BearerLayer`, `resource::BearerService`, `resource::DEFAULT_MAX_INSPECTED_BODY_BYTES`, `resource::TokenLocation`, `resource::Credentials`, `resource::Scheme`, `resource::credentials`; with the feature `axum`, `resource::RequireScope` and `resource::ScopeName` |
//! | `testing` (feature `testing`) | the conformance kit for store implementations | `testing::check_client_store`, `testing::check_revocation_store`, `testing::check_replay_guard`, `testing::check_throttle` |
//! | `client` (feature `client`) | the caller's side: access tokens from an authorization server, cached per (scope, resource), single flight, backoff, DPoP-bound with the source's proof key | `client::TokenSource`, `client::TokenSourceBuilder`, `client::Endpoint`, `client::Credentials`, `client::PlatformTokenFile`, `client::AccessToken`, `client::TokenSourceError`, `client::RetryPolicy`, `client::TokenHttp`, `client::TokenHttpRequest`, `client::TokenHttpResponse`, `client::ReqwestHttp`, `client::DEFAULT_REFRESH_MARGIN`, `client::JWT_BEARER_GRANT_TYPE`; with the feature `reqwest-middleware`, `client::TokenMiddleware`; with the feature `tonic`, `client::TonicInterceptor` |
//! | [`manual`] | design rationale, the security model, DPoP ([`manual::dpop`]), and the map from RFC requirements to the tests that hold them | prose only |
//!
//! The crate root re-exports the types a user starts from; stock
//! implementations, the step-by-step API and constants stay in their wing.
//! With the `http` feature, [`RequestParts::from_http`] and
//! `From<HttpResponse> for http::Response<Vec<u8>>` convert at the boundary.
//!
//! # Types from other crates
//!
//! The public API names few types of other crates, each on purpose:
//!
//! - [`jose::Jwk`] and [`jose::JwkSet`] are `jsonwebtoken` 11's JSON Web Key types,
//!   re-exported here so that code passing key sets around (to
//!   [`ClientJwks::from_jwk_set`], [`VerificationKeys::from_jwks`], from
//!   [`KeySet::jwks`] or a [`jose::JwksFetcher`]) uses the version this crate was
//!   built with. Each of those has a JSON-text twin
//!   ([`ClientJwks::from_json`], [`VerificationKeys::from_jwks_json`],
//!   [`KeySet::jwks_json`]) that names no other crate.
//! - `http` 1.x requests and responses, only with the `http` feature.
//! - `time::OffsetDateTime`, converted to and from [`UnixTime`], only with the
//!   `time` feature.
//! - `serde`'s `Serialize` and `Deserialize`, implemented by
//!   [`AccessTokenClaims`]; [`ExtraClaims`] takes any `Serialize` value and
//!   reads any `DeserializeOwned` one.
//!
//! Everything else (`ring`, `zeroize`, `serde_json`, `tracing`, …) stays inside:
//! no signature names it, so it can change without a breaking release of this
//! crate. A major upgrade of `jsonwebtoken` or `http` is one. The full policy is
//! in [`manual::semver`].
//!
//! Enums and structs with public fields that may gain members are
//! `#[non_exhaustive]`: match them with a wildcard arm, and start configuration
//! structs from `Default`:
//!
//! ```
//! use std::time::Duration;
//! use client_credentials::store::{MemoryRevocationStore, RevocationConfig, ThrottleConfig};
//!
//! let mut revocation = RevocationConfig::default();
//! revocation.max_revoked_tokens = 10_000;
//! let store = MemoryRevocationStore::new(revocation);
//!
//! let mut throttle = ThrottleConfig::default();
//! throttle.lockout = Duration::from_secs(300);
//! # let _ = (store, throttle);
//! ```
//!
//! # Security model
//!
//! In brief (each protection, what it costs an attacker and what it cannot
//! stop: [`manual::security`]):
//!
//! - Secrets are stored as hashes only ([`SecretHash`]): generated 256-bit
//!   secrets as salted SHA-256, human-chosen ones as PBKDF2-HMAC-SHA256, compared
//!   in constant time. Every authentication failure gets the same answer; an
//!   unknown client id costs the same work as a wrong secret of a client with a
//!   fast hash, while a PBKDF2 client takes far longer to refuse.
//! - Failed secret authentication is throttled per (presented client id,
//!   caller source) with backoff (RFC 6749 §2.3.1); a generated secret is
//!   checked whatever the count, so the throttle cannot lock a client out.
//! - JWT client assertions are verified against keys registered in advance,
//!   never keys the assertion names; each is accepted once ([`ReplayGuard`]),
//!   must be short-lived, and must name this issuer as its audience.
//! - Tokens are checked with configured keys only, each bound to one algorithm;
//!   keys offered in token headers are ignored.
//! - No secret, token, assertion or `Authorization` header appears in any
//!   `Debug` output, error or [`audit::AuditEvent`].
//! - Revocation is immediate wherever the [`RevocationStore`] is consulted; a
//!   resource server that checks signatures only accepts a revoked token until
//!   it expires, so keep lifetimes short.
//!
//! Rule ids such as `C7` in these docs and in test names refer to the
//! conformance map in the `manual::conformance` page: each RFC requirement the
//! crate enforces, with its section and the test that holds it.
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

mod vocab;
mod wire;

pub mod audit;
#[cfg(feature = "client")]
pub mod client;
pub mod issuer;
pub mod jose;
pub mod manual;
pub mod resource;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

#[doc(hidden)]
pub mod fuzzing;

// The public interface is:
pub use crate::audit::AuditSink;
pub use crate::issuer::{ClientAuth, Issuer, TokenRequest};
pub use crate::jose::{
    AccessTokenClaims, Algorithm, ClientJwks, ClientKey, JwtSecretCredential, KeySet, SigningKey,
    VerificationKeys,
};
pub use crate::resource::{BearerChallenge, ResourceMetadata, Validator, VerifiedToken};
pub use crate::store::{
    AuthThrottle, Client, ClientStore, ReplayGuard, RevocationStore, SecretCredential,
};
pub use crate::vocab::audience::Audience;
pub use crate::vocab::clock::{Clock, FixedClock, SystemClock};
pub use crate::vocab::error::{
    ConfigError, DpopError, ErrorCode, Reason, StoreError, TokenError, ValidationError,
};
pub use crate::vocab::extra_claims::{ExtraClaims, MAX_EXTRA_CLAIMS_BYTES, REGISTERED_CLAIMS};
pub use crate::vocab::grant_refusal::GrantRefusal;
pub use crate::vocab::ids::{AuthMethod, ClientId, CredentialId};
pub use crate::vocab::scope::{Scope, ScopeSet};
pub use crate::vocab::secret::ClientSecret;
pub use crate::vocab::secret_hash::SecretHash;
pub use crate::vocab::time::UnixTime;
pub use crate::wire::request::RequestParts;
pub use crate::wire::response::HttpResponse;

// The README's Rust code blocks run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
