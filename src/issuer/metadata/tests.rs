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
fn c76_c80_c85_c134_document_shape() {
    let scopes = ScopeSet::new();
    let m = ServerMetadata {
        issuer: "https://as.example.com",
        token_endpoint: "https://as.example.com/token",
        jwks_uri: "https://as.example.com/jwks.json",
        authorization_endpoint: None,
        revocation_endpoint: Some("https://as.example.com/revoke"),
        introspection_endpoint: Some("https://as.example.com/introspect"),
        auth_methods: &[AuthMethod::ClientSecretBasic, AuthMethod::ClientSecretPost],
        signing_algs: &[Algorithm::ES256],
        scopes: &scopes,
        jwt_bearer_grant: false,
        dpop_algs: &[],
    };
    let v: serde_json::Value = serde_json::from_str(&m.to_json()).unwrap();
    assert_eq!(
        v["grant_types_supported"],
        serde_json::json!(["client_credentials"])
    );
    assert!(
        v.get("scopes_supported").is_none(),
        "empty arrays are omitted"
    );
    assert_eq!(v["response_types_supported"], serde_json::json!([]));
    assert!(v.get("authorization_endpoint").is_none());
    assert_eq!(v["revocation_endpoint"], "https://as.example.com/revoke");
    assert_eq!(
        v["introspection_endpoint"],
        "https://as.example.com/introspect"
    );
    let methods = serde_json::json!(["client_secret_basic", "client_secret_post"]);
    for member in [
        "token_endpoint_auth_methods_supported",
        "revocation_endpoint_auth_methods_supported",
        "introspection_endpoint_auth_methods_supported",
    ] {
        assert_eq!(v[member], methods, "{member}");
    }
    assert!(
        v.get("token_endpoint_auth_signing_alg_values_supported")
            .is_none(),
        "no JWT method, no algorithm list"
    );
    for (name, value) in v.as_object().unwrap() {
        if name != "response_types_supported" {
            assert_ne!(value, &serde_json::json!([]), "{name}");
        }
    }
}

#[test]
fn c83_c85_algorithms_listed_with_jwt_methods() {
    let scopes = ScopeSet::new();
    let m = ServerMetadata {
        issuer: "https://as.example.com",
        token_endpoint: "https://as.example.com/token",
        jwks_uri: "https://as.example.com/jwks.json",
        authorization_endpoint: None,
        revocation_endpoint: Some("https://as.example.com/revoke"),
        introspection_endpoint: Some("https://as.example.com/introspect"),
        auth_methods: &[AuthMethod::ClientSecretBasic, AuthMethod::PrivateKeyJwt],
        signing_algs: &[Algorithm::ES256, Algorithm::EdDSA],
        scopes: &scopes,
        jwt_bearer_grant: false,
        dpop_algs: &[],
    };
    let v: serde_json::Value = serde_json::from_str(&m.to_json()).unwrap();
    for member in [
        "token_endpoint_auth_signing_alg_values_supported",
        "revocation_endpoint_auth_signing_alg_values_supported",
        "introspection_endpoint_auth_signing_alg_values_supported",
    ] {
        assert_eq!(v[member], serde_json::json!(["ES256", "EdDSA"]), "{member}");
    }
}
