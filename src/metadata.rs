//! The authorization server metadata document (RFC 8414).

use serde::Serialize;

use crate::client::AuthMethod;
use crate::keys::Algorithm;
use crate::scope::ScopeSet;

/// The RFC 8414 §2 document, rendered once when the issuer is built.
///
/// `response_types_supported` is left out (C134): RFC 8414 §2 calls it REQUIRED,
/// but this server has no authorization endpoint and so supports no response type,
/// and §3.2 says members with zero elements MUST be omitted. Emitting `[]` would
/// break §3.2 and a made-up value would mislead clients; omission is the one
/// choice that says nothing false.
#[derive(Debug, Serialize)]
pub(crate) struct ServerMetadata<'a> {
    pub(crate) issuer: &'a str,
    pub(crate) token_endpoint: &'a str,
    pub(crate) jwks_uri: &'a str,
    pub(crate) grant_types_supported: [&'static str; 1],
    pub(crate) token_endpoint_auth_methods_supported: Vec<&'static str>,
    /// Present whenever a JWT method is listed (C83), and then never empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) token_endpoint_auth_signing_alg_values_supported: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) scopes_supported: Vec<&'a str>,
}

impl<'a> ServerMetadata<'a> {
    pub(crate) fn new(
        issuer: &'a str,
        token_endpoint: &'a str,
        jwks_uri: &'a str,
        auth_methods: &[AuthMethod],
        signing_algs: &[Algorithm],
        scopes: &'a ScopeSet,
    ) -> Self {
        Self {
            issuer,
            token_endpoint,
            jwks_uri,
            grant_types_supported: ["client_credentials"],
            token_endpoint_auth_methods_supported: auth_methods
                .iter()
                .map(|m| m.as_str())
                .collect(),
            token_endpoint_auth_signing_alg_values_supported: signing_algs
                .iter()
                .map(|a| a.as_str())
                .collect(),
            scopes_supported: scopes.iter().map(|s| s.as_str()).collect(),
        }
    }

    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string(self).expect("metadata holds only strings")
    }
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
mod tests {
    use super::*;

    #[test]
    fn c74_well_known_path_inserts_after_host() {
        assert_eq!(
            well_known_path("https://as.example.com"),
            "/.well-known/oauth-authorization-server"
        );
        assert_eq!(
            well_known_path("https://as.example.com/tenant1"),
            "/.well-known/oauth-authorization-server/tenant1"
        );
        assert_eq!(
            well_known_path("https://as.example.com/tenant1/"),
            "/.well-known/oauth-authorization-server/tenant1"
        );
    }

    #[test]
    fn c76_c80_c134_document_shape() {
        let scopes = ScopeSet::new();
        let m = ServerMetadata::new(
            "https://as.example.com",
            "https://as.example.com/token",
            "https://as.example.com/jwks.json",
            &[AuthMethod::ClientSecretBasic, AuthMethod::ClientSecretPost],
            &[],
            &scopes,
        );
        let v: serde_json::Value = serde_json::from_str(&m.to_json()).unwrap();
        assert_eq!(
            v["grant_types_supported"],
            serde_json::json!(["client_credentials"])
        );
        assert!(
            v.get("scopes_supported").is_none(),
            "empty arrays are omitted"
        );
        assert!(v.get("response_types_supported").is_none());
        for (_, value) in v.as_object().unwrap() {
            assert_ne!(value, &serde_json::json!([]));
        }
    }
}
