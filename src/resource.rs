//! The resource server's side: check the issuer's tokens ([`Validator`]),
//! answer refusals with RFC 6750 challenges ([`BearerChallenge`]), and publish
//! RFC 9728 protected-resource metadata ([`ResourceMetadata`]); follow the
//! issuer's key rotation with [`RemoteKeys`], which fetches through an
//! [`HttpGet`]; accept DPoP-bound tokens (RFC 9449 §7) and check whole
//! requests ([`ResourceRequest`]) with [`Validator::authorize`].
//! With the feature `tower`, `BearerLayer` does all of it in
//! front of any `tower` service; with `axum`, extractors and `IntoResponse`
//! complete it. A stdio server checks a token handed to it in an environment
//! variable with [`validate_env_token`].
//!
//! This wing never imports `issuer`: a resource server links the token
//! checks, not the token endpoint.

#[cfg(feature = "axum")]
pub(crate) mod axum;
pub(crate) mod challenge;
#[cfg(feature = "tower")]
pub(crate) mod credentials;
pub(crate) mod dpop;
pub(crate) mod dpop_settings;
pub(crate) mod env_token;
#[cfg(feature = "tower")]
pub(crate) mod layer;
pub(crate) mod metadata;
#[cfg(feature = "metrics")]
pub(crate) mod metrics;
pub(crate) mod request;
#[cfg(feature = "reqwest")]
pub(crate) mod reqwest_get;
pub(crate) mod scope_hierarchy;
pub(crate) mod validator;

#[cfg(feature = "axum")]
pub use self::axum::{RequireScope, ScopeName};
pub use self::challenge::{BearerChallenge, BearerError, bearer_token};
#[cfg(feature = "tower")]
pub use self::credentials::{Credentials, Scheme, TokenLocation, credentials};
pub use self::env_token::{EnvToken, EnvTokenError, validate_env_token};
#[cfg(feature = "tower")]
pub use self::layer::{BearerLayer, BearerService, DEFAULT_MAX_INSPECTED_BODY_BYTES};
pub use self::metadata::{
    ResourceMetadata, ResourceMetadataBuilder, resource_metadata_path, resource_metadata_url,
};
#[cfg(feature = "metrics")]
pub use self::metrics::VALIDATIONS;
pub use self::request::ResourceRequest;
#[cfg(feature = "reqwest")]
pub use self::reqwest_get::ReqwestGet;
pub use self::scope_hierarchy::ScopeHierarchy;
pub use self::validator::{InsufficientScope, Validator, ValidatorBuilder, VerifiedToken};
pub use crate::jose::http_get::{HttpGet, HttpGetResponse};
pub use crate::jose::remote_keys::{RemoteKeys, RemoteKeysConfig};
pub use crate::jose::token_verifier::DEFAULT_MAX_TOKEN_BYTES;
pub use crate::vocab::time::{DEFAULT_LEEWAY, MAX_LEEWAY};
