//! The resource server's side: check the issuer's tokens ([`Validator`]),
//! answer refusals with RFC 6750 challenges ([`BearerChallenge`]), and publish
//! RFC 9728 protected-resource metadata ([`ResourceMetadata`]); follow the
//! issuer's key rotation with [`RemoteKeys`], which fetches through an
//! [`HttpGet`]; accept DPoP-bound tokens (RFC 9449 §7) and check whole
//! requests ([`ResourceRequest`]) with [`Validator::authorize`].
//!
//! This wing never imports `issuer`: a resource server links the token
//! checks, not the token endpoint.

pub(crate) mod challenge;
pub(crate) mod dpop;
pub(crate) mod dpop_settings;
pub(crate) mod metadata;
#[cfg(feature = "metrics")]
pub(crate) mod metrics;
pub(crate) mod request;
#[cfg(feature = "reqwest")]
pub(crate) mod reqwest_get;
pub(crate) mod scope_hierarchy;
pub(crate) mod validator;

pub use self::challenge::{BearerChallenge, BearerError, bearer_token};
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
