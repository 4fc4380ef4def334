//! The caller's side: [`TokenSource`] gets access tokens from an OAuth 2.0
//! authorization server (this crate's [`Issuer`](crate::Issuer) or any other)
//! for a service, job or agent that calls protected APIs.
//!
//! # What it does
//!
//! - **Where**: an issuer URL, whose RFC 8414 metadata names the
//!   `token_endpoint` ([`Endpoint::Issuer`]), or the token endpoint itself
//!   ([`Endpoint::TokenEndpoint`]).
//! - **Who**: [`Credentials`]: `client_secret_basic`, `client_secret_post`,
//!   `private_key_jwt` with assertions signed by the crate's own
//!   [`SigningKey`](crate::SigningKey) (RFC 7523 §2.2), or the JWT-bearer
//!   grant (RFC 7523 §2.1) presenting a platform token read from a
//!   [`PlatformTokenFile`] (read again whenever the platform rotates it).
//! - **What for**: a token per (scope, resource) pair (RFC 8707 `resource`,
//!   as MCP clients need one token per server).
//! - **How long**: cached until `refresh_margin` (60 s by default) before
//!   it expires; then one caller refreshes while the others keep the valid
//!   token, and once expired all callers wait for the one request in flight.
//! - **When it fails**: transport errors, `429` and `5xx` are retried with
//!   exponential backoff and jitter, honouring `Retry-After` on `429` and
//!   `503` ([`RetryPolicy`]); anything else is a typed
//!   [`TokenSourceError`] that says what to do.
//! - **Secrets**: [`Credentials`], [`AccessToken`], [`TokenSource`] and the
//!   HTTP requests redact every secret, key and token in `Debug`.
//! - **HTTP**: through `reqwest` ([`ReqwestHttp`]), or any client behind the
//!   two-method [`TokenHttp`] trait.
//!
//! # Plugging it in
//!
//! - Any HTTP client: `source.token().await?.authorization()` is the
//!   `Authorization` header value (and, for a DPoP-bound token,
//!   [`AccessToken::dpop_proof`] the `DPoP` header's, fresh for each request).
//! - `reqwest`: `client::TokenMiddleware` (feature `reqwest-middleware`), a
//!   [`reqwest-middleware`](https://docs.rs/reqwest-middleware) middleware.
//!   We chose it over implementing the `token-source` crate's `TokenSource`
//!   trait for `reqwest-auth`: `reqwest-auth` is itself a `reqwest-middleware`
//!   middleware, but one built on an older `reqwest-middleware` (0.4, over
//!   `reqwest` 0.12) than the `reqwest` 0.13 this crate uses, so its
//!   middleware would not fit a 0.13 client; and its trait gives only a
//!   string, so the scheme (for DPoP) and the per-resource key would be lost,
//!   and a `401` could not drop the refused token. Going straight to
//!   `reqwest-middleware` keeps one dependency fewer and all of that.
//! - `tonic`: `client::TonicInterceptor` (feature `tonic`). tonic's
//!   interceptors are synchronous, so they cannot wait for a token request:
//!   the interceptor reads the latest token from a watch channel, and a
//!   background task keeps it fresh, asking the same [`TokenSource`] shortly
//!   before each expiry.
//!
//! # Proof of possession
//!
//! With [`TokenSourceBuilder::dpop`] (a fresh ES256 key) or
//! [`TokenSourceBuilder::dpop_key`] (a key of your own), the source asks for
//! DPoP-bound tokens (RFC 9449): each token request carries a fresh proof
//! (`htm` `POST`, `htu` the token endpoint) in the `DPoP` header of its
//! [`TokenHttpRequest`]; a `use_dpop_nonce` refusal is answered by one retry
//! with the server's `DPoP-Nonce`, and the latest nonce of each endpoint is
//! kept for the next proofs; an answer whose `token_type` is not `DPoP` is an
//! error. The [`AccessToken`]s handed out know they are bound: for each call,
//! [`AccessToken::dpop_proof`] signs the proof (`ath`, and the
//! `content_digest` of the body under the MCP DPoP profile) and
//! [`AccessToken::authorization`] gives `DPoP <token>`. `TokenMiddleware`
//! does both for each request, and retries once when a resource server asks
//! for a nonce. The tonic interceptor sends bearer tokens only: a gRPC proof
//! would need the request's URL, which an interceptor does not see.

//! # Compared with `middle` and `huskarl`
//!
//! Point by point, against what the documentation of `middle` 0.4 and
//! `huskarl` 0.9 describes:
//!
//! | | this crate's [`TokenSource`] | `middle` | `huskarl` |
//! |---|---|---|---|
//! | grants | `client_credentials`; JWT-bearer (RFC 7523 §2.1) from a platform token file | `client_credentials` | `client_credentials`, refresh, authorization code and more |
//! | client authentication | `client_secret_basic`, `client_secret_post`, `private_key_jwt` / `client_secret_jwt` with the crate's keys | client id and secret (through the `oauth2` crate) | pluggable client authentication (secrets; keys through its crypto crates) |
//! | discovery | RFC 8414, checking the `issuer` (§3.3) | token URL given | RFC 8414 / OpenID discovery |
//! | cache | per (scope, resource) pair, refreshed a margin (60 s) before expiry | one token, renewed by a background task | an in-memory token cache behind an HTTP authorizer |
//! | concurrent callers | single flight: one request per key, however many tasks ask; callers in the margin keep the valid token | callers read the token the task keeps | not described |
//! | failures | backoff with jitter, `Retry-After` on `429`/`503`, typed errors that say what to do, the valid token kept through a failed refresh | not described beyond the background renewal | not described beyond the grant's errors |
//! | reqwest | `reqwest-middleware` middleware, or the header value | a wrapped `HttpClient` | its `HttpClient` trait with a reqwest implementation |
//! | tonic | interceptor fed by a background refresh | interceptor | not described |
//! | DPoP | the source's proof key (generated ES256 or given), a proof per token request, `use_dpop_nonce` retry and nonces per endpoint, proofs for API calls with `ath` and MCP `content_digest`, in the reqwest middleware | not described | yes, a builder option on each grant |
//! | tested against | this crate's token server over loopback, and node-oidc-provider | not described | the OpenID conformance suite (its OpenID Connect client plans) |
//!
//! In short: `huskarl` is the broader OAuth client (interactive grants,
//! refresh tokens, certified OpenID flows); `middle` is the smallest
//! background-renewal wrapper; this module is for machine callers of
//! client-credentials APIs, with per-resource tokens, single flight and
//! explicit failure handling, tested against the server half of this crate.

pub(crate) mod access_token;
pub(crate) mod assertion;
pub(crate) mod backoff;
pub(crate) mod credentials;
pub(crate) mod dpop;
pub(crate) mod endpoint;
pub(crate) mod error;
pub(crate) mod form;
pub(crate) mod http;
#[cfg(feature = "tonic")]
pub(crate) mod interceptor;
#[cfg(feature = "reqwest-middleware")]
pub(crate) mod middleware;
pub(crate) mod platform_token;
pub(crate) mod reqwest_http;
pub(crate) mod token_source;

pub use self::access_token::AccessToken;
pub use self::backoff::RetryPolicy;
pub use self::credentials::{Credentials, JWT_BEARER_GRANT_TYPE};
pub use self::endpoint::Endpoint;
pub use self::error::TokenSourceError;
pub use self::http::{TokenHttp, TokenHttpRequest, TokenHttpResponse};
#[cfg(feature = "tonic")]
pub use self::interceptor::TonicInterceptor;
#[cfg(feature = "reqwest-middleware")]
pub use self::middleware::TokenMiddleware;
pub use self::platform_token::PlatformTokenFile;
pub use self::reqwest_http::ReqwestHttp;
pub use self::token_source::{DEFAULT_REFRESH_MARGIN, TokenSource, TokenSourceBuilder};
