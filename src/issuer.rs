//! The token endpoint and its companions: parse, authenticate, grant, mint;
//! revocation (RFC 7009), introspection (RFC 7662) and authorization-server
//! metadata (RFC 8414).
//!
//! [`Issuer`] runs the steps in order. The steps are public too, for a
//! deployment that needs to run them itself: [`TokenRequest::parse`],
//! [`Issuer::authenticate`] (which gives the [`AuthenticatedClient`] proof),
//! [`Policy::grant`] and [`Issuer::issue`].
//!
//! This wing may import every other wing except `resource`.

pub(crate) mod assertion;
pub(crate) mod client_auth;
pub(crate) mod endpoint;
mod introspection;
pub(crate) mod metadata;
pub(crate) mod mint;
pub(crate) mod policy;
mod revocation;
pub(crate) mod token_query;
pub(crate) mod token_request;

pub use self::assertion::{
    AssertionSettings, ClientAssertion, JWT_BEARER_ASSERTION_TYPE, VerifiedAssertion,
    verify_assertion,
};
pub use self::client_auth::{AuthenticatedClient, ClientAuth};
pub use self::endpoint::{Issuer, IssuerBuilder};
pub use self::metadata::well_known_path;
pub use self::mint::{JtiSource, RandomJti};
pub use self::policy::{Grant, Policy, ScopePolicy};
pub use self::token_query::TokenQuery;
pub use self::token_request::TokenRequest;
pub use crate::wire::request::DEFAULT_MAX_BODY_BYTES;
pub use crate::wire::response::TokenResponse;
