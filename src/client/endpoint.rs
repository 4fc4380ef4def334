//! Where a [`TokenSource`](crate::client::TokenSource) asks for tokens: an
//! issuer whose RFC 8414 metadata names its token endpoint, or the token
//! endpoint itself.

use serde::Deserialize;

use crate::client::error::TokenSourceError;
use crate::client::http::TokenHttpResponse;

/// The authorization server to ask.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// An issuer identifier: its `token_endpoint` is read once from its
    /// metadata at `/.well-known/oauth-authorization-server` (RFC 8414 §3),
    /// whose `issuer` must be this one (§3.3), and JWT client assertions name
    /// it as their audience.
    Issuer(String),
    /// The token endpoint's URL, used as it is.
    TokenEndpoint(String),
}

impl Endpoint {
    /// [`Endpoint::Issuer`].
    pub fn issuer(url: impl Into<String>) -> Self {
        Self::Issuer(url.into())
    }

    /// [`Endpoint::TokenEndpoint`].
    pub fn token_endpoint(url: impl Into<String>) -> Self {
        Self::TokenEndpoint(url.into())
    }
}

/// The token endpoint to use and the issuer identifier, when known.
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    pub(crate) token_endpoint: String,
    pub(crate) issuer: Option<String>,
}

/// RFC 8414 §3.1: the well-known suffix goes between the host and the
/// issuer's path.
pub(crate) fn metadata_url(issuer: &str) -> String {
    let (scheme, rest) = issuer.split_once("://").unwrap_or(("https", issuer));
    let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
    let path = path.trim_end_matches('/');
    format!("{scheme}://{authority}/.well-known/oauth-authorization-server{path}")
}

#[derive(Deserialize)]
struct Metadata {
    issuer: String,
    token_endpoint: Option<String>,
}

/// The token endpoint in the metadata `response` fetched from `url` for
/// `issuer`; `acceptable` judges the endpoint's URL.
pub(crate) fn read_metadata(
    issuer: &str,
    url: &str,
    response: &TokenHttpResponse,
    acceptable: impl Fn(&str) -> bool,
) -> Result<Resolved, TokenSourceError> {
    let failed = |reason: String| TokenSourceError::Discovery {
        url: url.to_owned(),
        reason,
    };
    if response.status != 200 {
        return Err(failed(format!(
            "HTTP {}; check the issuer URL, or give the token endpoint itself",
            response.status
        )));
    }
    let metadata: Metadata = serde_json::from_slice(&response.body)
        .map_err(|e| failed(format!("not an RFC 8414 metadata document ({e})")))?;
    let trim = |s: &str| s.trim_end_matches('/').to_owned();
    if trim(&metadata.issuer) != trim(issuer) {
        return Err(failed(format!(
            "the metadata names the issuer {:?}, not {issuer:?} (RFC 8414 §3.3); configure the issuer exactly as it names itself",
            metadata.issuer
        )));
    }
    let token_endpoint = metadata
        .token_endpoint
        .ok_or_else(|| failed("the metadata has no token_endpoint".into()))?;
    if !acceptable(&token_endpoint) {
        return Err(failed(format!(
            "the token_endpoint {token_endpoint:?} is not an https URL"
        )));
    }
    Ok(Resolved {
        token_endpoint,
        issuer: Some(issuer.to_owned()),
    })
}
