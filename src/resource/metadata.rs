//! OAuth 2.0 Protected Resource Metadata (RFC 9728): the document an MCP server
//! publishes so clients find its authorization server, and the URL it lives at.

use fluent_uri::Uri;
use serde::Serialize;

use crate::jose::algorithm::Algorithm;
use crate::vocab::error::ConfigError;
use crate::vocab::scope::ScopeSet;
use crate::vocab::url::is_acceptable_url;
use crate::wire::response::HttpResponse;

/// The well-known URI suffix of RFC 9728 §3.
const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// The URL of `resource`'s metadata (RFC 9728 §3.1, C116): the well-known
/// segment goes between the host and the path, and the query stays last.
///
/// `https://mcp.example.com/mcp` →
/// `https://mcp.example.com/.well-known/oauth-protected-resource/mcp`;
/// `https://mcp.example.com/` → `https://mcp.example.com/.well-known/oauth-protected-resource`.
/// `None` when `resource` is not an absolute URL with a host.
pub fn resource_metadata_url(resource: &str) -> Option<String> {
    let uri = Uri::parse(resource).ok()?;
    let authority = uri.authority()?;
    let mut url = format!(
        "{}://{}{}",
        uri.scheme().as_str(),
        authority.as_str(),
        resource_metadata_path(resource)?
    );
    if let Some(query) = uri.query() {
        url.push('?');
        url.push_str(query.as_str());
    }
    Some(url)
}

/// The path part of [`resource_metadata_url`], for a router: the well-known
/// segment followed by the resource's path (a lone `/` dropped, §3.1).
pub fn resource_metadata_path(resource: &str) -> Option<String> {
    let uri = Uri::parse(resource).ok()?;
    uri.authority()?;
    let path = match uri.path().as_str() {
        "/" => "",
        path => path,
    };
    Some(format!("{WELL_KNOWN}{path}"))
}

/// A protected resource's metadata document (RFC 9728 §2), rendered once.
///
/// It names the resource, its authorization servers (MCP requires at least one,
/// C117), the scopes it understands, and `bearer_methods_supported: ["header"]`:
/// tokens are accepted in the `Authorization` header only, never in the query or
/// the body (C121). Members with no value are left out (RFC 9728 §3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceMetadata {
    resource: String,
    authorization_servers: Vec<String>,
    scopes_supported: ScopeSet,
    metadata_url: String,
    metadata_path: String,
    json: String,
}

#[derive(Serialize)]
struct Wire<'a> {
    resource: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    authorization_servers: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    jwks_uri: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    scopes_supported: Vec<&'a str>,
    bearer_methods_supported: [&'static str; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    dpop_signing_alg_values_supported: Vec<&'static str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    dpop_bound_access_tokens_required: bool,
}

impl ResourceMetadata {
    /// Starts the document of `resource`: the resource identifier, an `https`
    /// URL without fragment, exactly as tokens carry it in `aud`.
    pub fn builder(resource: impl Into<String>) -> ResourceMetadataBuilder {
        ResourceMetadataBuilder {
            resource: resource.into(),
            authorization_servers: Vec::new(),
            scopes_supported: ScopeSet::new(),
            jwks_uri: None,
            resource_name: None,
            allow_http_loopback: false,
            dpop_algorithms: Vec::new(),
            dpop_required: false,
        }
    }

    /// The resource identifier, as configured (C116: the document repeats it
    /// byte for byte).
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The authorization servers' issuer identifiers.
    pub fn authorization_servers(&self) -> &[String] {
        &self.authorization_servers
    }

    /// The scopes advertised.
    pub fn scopes_supported(&self) -> &ScopeSet {
        &self.scopes_supported
    }

    /// The document's URL, for the `resource_metadata` challenge parameter (C118).
    pub fn metadata_url(&self) -> &str {
        &self.metadata_url
    }

    /// The document's path, for a router.
    pub fn metadata_path(&self) -> &str {
        &self.metadata_path
    }

    /// The JSON document.
    pub fn to_json(&self) -> &str {
        &self.json
    }

    /// `GET` of the document: 200, `application/json` (RFC 9728 §3.2).
    pub fn to_http(&self) -> HttpResponse {
        HttpResponse::public_json(&self.json)
    }
}

/// Configures a [`ResourceMetadata`].
#[derive(Clone, Debug)]
pub struct ResourceMetadataBuilder {
    resource: String,
    authorization_servers: Vec<String>,
    scopes_supported: ScopeSet,
    jwks_uri: Option<String>,
    resource_name: Option<String>,
    allow_http_loopback: bool,
    dpop_algorithms: Vec<Algorithm>,
    dpop_required: bool,
}

impl ResourceMetadataBuilder {
    /// Adds an authorization server by its issuer identifier, byte-equal to its
    /// RFC 8414 `issuer` (C117).
    #[must_use]
    pub fn authorization_server(mut self, issuer: impl Into<String>) -> Self {
        self.authorization_servers.push(issuer.into());
        self
    }

    /// Sets `scopes_supported` (RECOMMENDED, RFC 9728 §2).
    #[must_use]
    pub fn scopes_supported(mut self, scopes: ScopeSet) -> Self {
        self.scopes_supported = scopes;
        self
    }

    /// Sets `jwks_uri`: the resource's own keys, if it signs anything. Not the
    /// authorization server's keys.
    #[must_use]
    pub fn jwks_uri(mut self, url: impl Into<String>) -> Self {
        self.jwks_uri = Some(url.into());
        self
    }

    /// Sets the human-readable `resource_name`.
    #[must_use]
    pub fn resource_name(mut self, name: impl Into<String>) -> Self {
        self.resource_name = Some(name.into());
        self
    }

    /// Lists `dpop_signing_alg_values_supported` (RFC 9728 §2): the DPoP
    /// proof algorithms this resource accepts, as in its
    /// [`DpopConfig`](crate::jose::DpopConfig).
    #[must_use]
    pub fn dpop_signing_algs(mut self, algorithms: &[Algorithm]) -> Self {
        self.dpop_algorithms = algorithms.to_vec();
        self
    }

    /// Declares `dpop_bound_access_tokens_required` (RFC 9728 §2): this
    /// resource accepts DPoP-bound tokens only.
    #[must_use]
    pub fn dpop_bound_access_tokens_required(mut self, required: bool) -> Self {
        self.dpop_required = required;
        self
    }

    /// Accepts `http://` URLs on loopback hosts, for local development and
    /// tests only.
    #[must_use]
    pub fn dangerous_allow_http_loopback(mut self) -> Self {
        self.allow_http_loopback = true;
        self
    }

    /// Checks the URLs and renders the document.
    ///
    /// # Errors
    /// [`ConfigError::InvalidEndpoint`] for a resource or `jwks_uri` that is not
    /// `https` or has a fragment; [`ConfigError::InvalidIssuer`] for such an
    /// authorization server, or one with a query; [`ConfigError::Invalid`]
    /// without any authorization server (MCP requires one, C117).
    pub fn build(self) -> Result<ResourceMetadata, ConfigError> {
        let loopback = self.allow_http_loopback;
        if !is_acceptable_url(&self.resource, loopback, true) {
            return Err(ConfigError::InvalidEndpoint(self.resource));
        }
        if let Some(url) = &self.jwks_uri
            && !is_acceptable_url(url, loopback, true)
        {
            return Err(ConfigError::InvalidEndpoint(url.clone()));
        }
        if let Some(bad) = self
            .authorization_servers
            .iter()
            .find(|issuer| !is_acceptable_url(issuer, loopback, false))
        {
            return Err(ConfigError::InvalidIssuer(bad.clone()));
        }
        if self.authorization_servers.is_empty() {
            return Err(ConfigError::Invalid(
                "an MCP server must name at least one authorization server",
            ));
        }
        let (Some(metadata_url), Some(metadata_path)) = (
            resource_metadata_url(&self.resource),
            resource_metadata_path(&self.resource),
        ) else {
            return Err(ConfigError::InvalidEndpoint(self.resource));
        };
        let json = serde_json::to_string(&Wire {
            resource: &self.resource,
            authorization_servers: &self.authorization_servers,
            jwks_uri: self.jwks_uri.as_deref(),
            scopes_supported: self.scopes_supported.iter().collect(),
            bearer_methods_supported: ["header"],
            resource_name: self.resource_name.as_deref(),
            dpop_signing_alg_values_supported: Algorithm::ALL
                .into_iter()
                .filter(|alg| self.dpop_algorithms.contains(alg))
                .map(Algorithm::as_str)
                .collect(),
            dpop_bound_access_tokens_required: self.dpop_required,
        })
        .expect("metadata holds only strings");
        Ok(ResourceMetadata {
            resource: self.resource,
            authorization_servers: self.authorization_servers,
            scopes_supported: self.scopes_supported,
            metadata_url,
            metadata_path,
            json,
        })
    }
}

#[cfg(test)]
mod tests;
