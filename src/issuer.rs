//! The token endpoint and its companions: parse, authenticate, grant, mint;
//! revocation (RFC 7009), introspection (RFC 7662) and authorization-server
//! metadata (RFC 8414).
//!
//! [`IssuerBuilder::build`] checks the configuration once into an
//! [`IssuerConfig`]; the [`Issuer`] holds it with the stores and runs the steps
//! in order. The steps are public too, for a deployment that needs to run them
//! itself, with the same guarantees: [`TokenRequest::parse`],
//! [`Issuer::authenticate`] (the whole client authentication, which gives the
//! [`AuthenticatedClient`] proof), [`Policy::grant`] (every grant check) and
//! [`Issuer::issue`].
//!
//! With trusted issuers ([`TrustedIssuer`]) and claim rules ([`ClaimRule`]),
//! the token endpoint also serves the JWT-bearer grant (RFC 7523 §2.1):
//! workloads exchange their platform's token for an access token (see
//! the manual page `manual::federation`).
//!
//! # Discovery by MCP clients
//!
//! The metadata always carries `response_types_supported: []` (RFC 8414 §2
//! makes it REQUIRED; this server serves no response type) and, by default, no
//! `authorization_endpoint`, as no grant it serves uses one. The official MCP
//! SDKs' discovery refuses a document without `authorization_endpoint` before
//! asking for any token: for them, [`IssuerBuilder::authorization_endpoint`]
//! advertises one that the deployment serves with
//! [`Issuer::handle_authorization_request`], which refuses every request with
//! `unsupported_response_type` and never redirects. Nothing of the
//! authorization-code flow (`code`, PKCE methods, client ID metadata documents)
//! is advertised, so checks that expect it, like those of the MCP conformance
//! suite's metadata scenario, fail by design. With the feature `axum`,
//! `issuer::router` serves exactly the endpoints the metadata advertises.
//!
//! This wing may import every other wing except `resource`.

pub(crate) mod assertion;
mod authenticate;
mod authorization_endpoint;
#[cfg(feature = "axum")]
mod axum_router;
pub(crate) mod builder;
pub(crate) mod claims_hook;
pub(crate) mod client_auth;
pub(crate) mod config;
pub(crate) mod endpoint;
pub(crate) mod federation;
mod introspection;
pub(crate) mod metadata;
pub(crate) mod mint;
pub(crate) mod policy;
mod revocation;
pub(crate) mod revoke_or_introspect_request;
pub(crate) mod slow_hash;
pub(crate) mod token_request;

pub use self::assertion::{AssertionSettings, ClientAssertion, JWT_BEARER_ASSERTION_TYPE};
#[cfg(feature = "axum")]
pub use self::axum_router::router;
pub use self::builder::IssuerBuilder;
pub use self::claims_hook::{ClaimsHook, ClaimsRequest};
pub use self::client_auth::{AuthenticatedClient, ClientAuth};
pub use self::config::IssuerConfig;
pub use self::endpoint::Issuer;
pub use self::federation::claim_rule::{ClaimRule, ClaimRuleBuilder};
pub use self::federation::subject_match::SubjectMatch;
pub use self::federation::trusted_issuer::{ExpectedAudience, TrustedIssuer};
pub use self::metadata::well_known_path;
pub use self::mint::{JtiSource, RandomJti};
pub use self::policy::{Grant, Policy, ScopePolicy};
pub use self::revoke_or_introspect_request::RevokeOrIntrospectRequest;
pub use self::slow_hash::{SlowHashRunner, SlowHashWork};
pub use self::token_request::{GrantType, JWT_BEARER_GRANT_TYPE, TokenRequest};
pub use crate::wire::request::DEFAULT_MAX_BODY_BYTES;
pub use crate::wire::response::TokenResponse;
