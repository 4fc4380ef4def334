//! The authorization server metadata document (RFC 8414).

use serde::Serialize;

use crate::issuer::token_request::JWT_BEARER_GRANT_TYPE;
use crate::jose::algorithm::Algorithm;
use crate::vocab::ids::AuthMethod;
use crate::vocab::scope::ScopeSet;

/// The RFC 8414 §2 document, rendered once when the issuer is built.
///
/// `response_types_supported` is always present and always `[]` (C79, C134):
/// RFC 8414 §2 calls it REQUIRED and takes its values from RFC 7591, whose
/// §2.1 pairs the `client_credentials` grant with no response type at all.
/// The empty list is the one exact statement: a missing member is read by
/// clients (and RFC 7591 §2) as the default `["code"]`, and a made-up value
/// would be false. It is the single exception to §3.2's rule that members with
/// zero elements are omitted: §2's REQUIRED is the narrower rule.
///
/// `authorization_endpoint` is advertised only when the issuer serves one
/// (C78), and then it answers every request with `unsupported_response_type`
/// (see [`IssuerBuilder::authorization_endpoint`](crate::issuer::IssuerBuilder::authorization_endpoint)).
/// The revocation and introspection endpoints are advertised unless turned off.
///
/// The revocation (RFC 7009) and introspection (RFC 7662) endpoints authenticate
/// clients exactly as the token endpoint does, so all three advertise the same
/// methods (C85).
#[derive(Debug)]
pub(crate) struct ServerMetadata<'a> {
    pub(crate) issuer: &'a str,
    pub(crate) token_endpoint: &'a str,
    pub(crate) jwks_uri: &'a str,
    pub(crate) authorization_endpoint: Option<&'a str>,
    pub(crate) revocation_endpoint: Option<&'a str>,
    pub(crate) introspection_endpoint: Option<&'a str>,
    pub(crate) auth_methods: &'a [AuthMethod],
    /// The assertion algorithms accepted; listed whenever a JWT method is (C83).
    pub(crate) signing_algs: &'a [Algorithm],
    pub(crate) scopes: &'a ScopeSet,
    /// Whether the JWT-bearer grant is served: trusted issuers are
    /// configured (C146).
    pub(crate) jwt_bearer_grant: bool,
    /// The DPoP proof algorithms, when DPoP is enabled (C110).
    pub(crate) dpop_algs: &'a [&'static str],
}

#[derive(Serialize)]
struct Wire<'a> {
    issuer: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    authorization_endpoint: Option<&'a str>,
    token_endpoint: &'a str,
    jwks_uri: &'a str,
    response_types_supported: [&'static str; 0],
    grant_types_supported: &'a [&'static str],
    token_endpoint_auth_methods_supported: &'a [&'static str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    token_endpoint_auth_signing_alg_values_supported: &'a [&'static str],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    scopes_supported: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revocation_endpoint: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    revocation_endpoint_auth_methods_supported: &'a [&'static str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    revocation_endpoint_auth_signing_alg_values_supported: &'a [&'static str],
    #[serde(skip_serializing_if = "Option::is_none")]
    introspection_endpoint: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    introspection_endpoint_auth_methods_supported: &'a [&'static str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    introspection_endpoint_auth_signing_alg_values_supported: &'a [&'static str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    dpop_signing_alg_values_supported: &'a [&'static str],
}

impl ServerMetadata<'_> {
    pub(crate) fn to_json(&self) -> String {
        let methods: Vec<&'static str> = self.auth_methods.iter().map(|m| m.as_str()).collect();
        let algs: Vec<&'static str> = if self.auth_methods.iter().any(|m| m.is_jwt()) {
            self.signing_algs.iter().map(|a| a.as_str()).collect()
        } else {
            Vec::new()
        };
        serde_json::to_string(&Wire {
            issuer: self.issuer,
            authorization_endpoint: self.authorization_endpoint,
            token_endpoint: self.token_endpoint,
            jwks_uri: self.jwks_uri,
            response_types_supported: [],
            grant_types_supported: if self.jwt_bearer_grant {
                &["client_credentials", JWT_BEARER_GRANT_TYPE]
            } else {
                &["client_credentials"]
            },
            token_endpoint_auth_methods_supported: &methods,
            token_endpoint_auth_signing_alg_values_supported: &algs,
            scopes_supported: self.scopes.iter().collect(),
            revocation_endpoint: self.revocation_endpoint,
            revocation_endpoint_auth_methods_supported: of(self.revocation_endpoint, &methods),
            revocation_endpoint_auth_signing_alg_values_supported: of(
                self.revocation_endpoint,
                &algs,
            ),
            introspection_endpoint: self.introspection_endpoint,
            introspection_endpoint_auth_methods_supported: of(
                self.introspection_endpoint,
                &methods,
            ),
            introspection_endpoint_auth_signing_alg_values_supported: of(
                self.introspection_endpoint,
                &algs,
            ),
            dpop_signing_alg_values_supported: self.dpop_algs,
        })
        .expect("metadata holds only strings")
    }
}

/// An endpoint's methods and algorithms are listed with it, or not at all.
fn of<'l>(endpoint: Option<&str>, list: &'l [&'static str]) -> &'l [&'static str] {
    if endpoint.is_some() { list } else { &[] }
}

/// The path at which the metadata of `issuer` is served (RFC 8414 §3, C74): the
/// well-known segment goes between the host and the issuer's path.
///
/// `https://as.example.com` → `/.well-known/oauth-authorization-server`;
/// `https://as.example.com/tenant1` → `/.well-known/oauth-authorization-server/tenant1`.
pub fn well_known_path(issuer: &str) -> String {
    let after_scheme = issuer.split_once("://").map_or(issuer, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
    let path = path.trim_end_matches('/');
    format!("/.well-known/oauth-authorization-server{path}")
}

#[cfg(test)]
mod tests;
