//! Authorization server metadata (RFC 8414; MCP
//! discovery; the client-credentials extension's metadata), C74–C87, through
//! `Issuer::metadata_json`, `metadata_response` and `metadata_path`.

mod fixtures;

use client_credentials::issuer::well_known_path;
use client_credentials::store::MemoryClientStore;
use client_credentials::{AuthMethod, ConfigError, Issuer, ScopeSet};
use fixtures::*;
use serde_json::{Value, json};

fn issuer(url: &str) -> Result<Issuer<MemoryClientStore>, ConfigError> {
    Issuer::builder(url, es256_keys(), MemoryClientStore::new()).build()
}

fn metadata(issuer: &Issuer<MemoryClientStore>) -> Value {
    serde_json::from_str(issuer.metadata_json()).expect("the metadata is JSON")
}

#[test]
fn c74_c86_well_known_path_is_inserted_after_the_host() {
    let root = issuer(ISSUER).unwrap();
    assert_eq!(
        root.metadata_path(),
        "/.well-known/oauth-authorization-server"
    );
    let tenant = issuer("https://as.example.com/tenant1").unwrap();
    assert_eq!(
        tenant.metadata_path(),
        "/.well-known/oauth-authorization-server/tenant1"
    );
    assert_eq!(
        well_known_path("https://as.example.com/tenant1/"),
        "/.well-known/oauth-authorization-server/tenant1",
        "a terminating / is removed first (RFC 8414 §3.1)"
    );
    assert_eq!(
        well_known_path("https://as.example.com:8443/a/b"),
        "/.well-known/oauth-authorization-server/a/b"
    );
}

#[test]
fn c75_metadata_is_a_200_json_object() {
    let issuer = issuer(ISSUER).unwrap();
    let r = issuer.metadata_response();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert!(v.is_object());
    assert_eq!(r.body, issuer.metadata_json().as_bytes());
}

#[test]
fn c76_no_member_but_response_types_supported_is_an_empty_array() {
    let bare = issuer(ISSUER).unwrap();
    let with_scopes = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
        .scopes_supported(ScopeSet::parse("mcp:read mcp:write").unwrap())
        .build()
        .unwrap();
    for i in [&bare, &with_scopes] {
        for (name, value) in metadata(i).as_object().unwrap() {
            if name == "response_types_supported" {
                continue; // REQUIRED, and empty on purpose: C134
            }
            assert_ne!(value, &json!([]), "{name} is empty");
            assert!(!value.is_null(), "{name} is null");
        }
    }
    assert!(metadata(&bare).get("scopes_supported").is_none());
}

#[test]
fn c77_issuer_is_byte_identical_to_the_configured_one() {
    for url in [
        ISSUER,
        "https://as.example.com/tenant1",
        "https://as.example.com:8443",
        "https://as.example.com/",
    ] {
        let i = issuer(url).unwrap();
        assert_eq!(metadata(&i)["issuer"], url);
        assert_eq!(i.issuer_id(), url);
    }
}

#[test]
fn c77_issuer_with_query_fragment_or_http_is_a_configuration_error() {
    for bad in [
        "https://as.example.com?x",
        "https://as.example.com?x=1",
        "https://as.example.com#x",
        "http://as.example.com",
        "as.example.com",
        "urn:example:as",
    ] {
        assert!(
            matches!(issuer(bad), Err(ConfigError::InvalidIssuer(ref s)) if s == bad),
            "{bad}"
        );
    }
}

#[test]
fn c78_token_endpoint_is_https_and_there_is_no_authorization_endpoint_by_default() {
    let v = metadata(&issuer(ISSUER).unwrap());
    assert_eq!(v["token_endpoint"], "https://as.example.com/token");
    assert!(v.get("authorization_endpoint").is_none());
    let custom = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
        .token_endpoint("https://as.example.com/oauth/token")
        .build()
        .unwrap();
    assert_eq!(
        metadata(&custom)["token_endpoint"],
        "https://as.example.com/oauth/token"
    );
}

#[test]
fn c80_grant_types_are_client_credentials_only() {
    let v = metadata(&issuer(ISSUER).unwrap());
    assert_eq!(v["grant_types_supported"], json!(["client_credentials"]));
}

#[test]
fn c81_c82_auth_methods_are_listed_explicitly_and_accurately() {
    let v = metadata(&issuer(ISSUER).unwrap());
    let listed = v["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap();
    for method in ["client_secret_basic", "client_secret_post"] {
        assert!(listed.iter().any(|m| m == method), "C136: {method} listed");
    }
    let basic_only = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
        .auth_methods([AuthMethod::ClientSecretBasic])
        .build()
        .unwrap();
    assert_eq!(
        metadata(&basic_only)["token_endpoint_auth_methods_supported"],
        json!(["client_secret_basic"])
    );
}

#[tokio::test]
async fn c81_an_unlisted_method_is_invalid_client() {
    let fx = Fixture::with(|b| b.auth_methods([AuthMethod::ClientSecretPost]));
    let listed = metadata(&fx.issuer)["token_endpoint_auth_methods_supported"].clone();
    assert_eq!(listed, json!(["client_secret_post"]));
    assert_token(&fx.post(C1_POST).await);
    assert_error(&fx.post_c1_basic(GRANT).await, 401, "invalid_client");
}

#[test]
fn c81_no_method_or_method_none_is_a_configuration_error() {
    for methods in [
        vec![],
        vec![AuthMethod::None],
        vec![AuthMethod::ClientSecretBasic, AuthMethod::None],
    ] {
        let built = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
            .auth_methods(methods.clone())
            .build();
        assert!(matches!(built, Err(ConfigError::Invalid(_))), "{methods:?}");
    }
}

#[test]
fn c83_signing_algorithms_are_listed_whenever_a_jwt_method_is() {
    let v = metadata(&issuer(ISSUER).unwrap());
    let methods = v["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap();
    let jwt_method = methods
        .iter()
        .any(|m| m == "private_key_jwt" || m == "client_secret_jwt");
    match v.get("token_endpoint_auth_signing_alg_values_supported") {
        Some(algs) => {
            let algs = algs.as_array().unwrap();
            assert!(!algs.is_empty());
            assert!(!algs.iter().any(|a| a == "none"));
        }
        None => assert!(!jwt_method, "a JWT method without its algorithms"),
    }
}

#[test]
fn c84_jwks_uri_is_https_and_every_key_says_its_use() {
    let i = issuer(ISSUER).unwrap();
    let v = metadata(&i);
    assert_eq!(v["jwks_uri"], "https://as.example.com/jwks.json");
    assert!(v["jwks_uri"].as_str().unwrap().starts_with("https://"));
    let jwks: Value = serde_json::from_str(i.jwks_json()).unwrap();
    for key in jwks["keys"].as_array().unwrap() {
        assert_eq!(key["use"], "sig");
    }
    let custom = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
        .jwks_uri("https://keys.example.com/as.json")
        .build()
        .unwrap();
    assert_eq!(
        metadata(&custom)["jwks_uri"],
        "https://keys.example.com/as.json"
    );
    assert_eq!(custom.jwks_uri(), "https://keys.example.com/as.json");
}

#[test]
fn c85_scopes_supported_when_configured() {
    let i = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
        .scopes_supported(ScopeSet::parse("mcp:write mcp:read").unwrap())
        .build()
        .unwrap();
    assert_eq!(
        metadata(&i)["scopes_supported"],
        json!(["mcp:read", "mcp:write"])
    );
}

#[test]
fn c87_c134_no_authorization_code_members() {
    let plain = issuer(ISSUER).unwrap();
    let discoverable = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
        .authorization_endpoint("https://as.example.com/authorize")
        .build()
        .unwrap();
    for i in [&plain, &discoverable] {
        let v = metadata(i);
        assert_eq!(v["response_types_supported"], json!([]));
        assert_eq!(v["grant_types_supported"], json!(["client_credentials"]));
        for absent in [
            "code_challenge_methods_supported",
            "response_modes_supported",
            "registration_endpoint",
        ] {
            assert!(v.get(absent).is_none(), "{absent}");
        }
    }
}

#[test]
fn c78_an_advertised_authorization_endpoint_refuses_every_request_without_redirect() {
    let i = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
        .authorization_endpoint("https://as.example.com/authorize")
        .build()
        .unwrap();
    let v = metadata(&i);
    assert_eq!(
        v["authorization_endpoint"],
        "https://as.example.com/authorize"
    );
    assert_eq!(
        i.authorization_endpoint(),
        Some("https://as.example.com/authorize")
    );
    let response = i.handle_authorization_request();
    assert_eq!(response.status, 400);
    assert_eq!(response.header("location"), None, "never a redirection");
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_eq!(response.header("content-type"), Some("application/json"));
    let body: Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(body["error"], "unsupported_response_type");
    assert!(body["error_description"].is_string());
    assert!(
        Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
            .authorization_endpoint("http://as.example.com/authorize")
            .build()
            .is_err(),
        "an authorization endpoint must be https like every other"
    );
}

#[test]
fn c85_revocation_and_introspection_are_advertised_only_when_served() {
    let i = issuer(ISSUER).unwrap();
    assert!(i.advertises_revocation() && i.advertises_introspection());
    let v = metadata(&i);
    assert_eq!(v["revocation_endpoint"], "https://as.example.com/revoke");
    assert_eq!(
        v["introspection_endpoint"],
        "https://as.example.com/introspect"
    );
    let neither = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
        .without_revocation_endpoint()
        .without_introspection_endpoint()
        .build()
        .unwrap();
    assert!(!neither.advertises_revocation() && !neither.advertises_introspection());
    let v = metadata(&neither);
    for absent in [
        "revocation_endpoint",
        "revocation_endpoint_auth_methods_supported",
        "revocation_endpoint_auth_signing_alg_values_supported",
        "introspection_endpoint",
        "introspection_endpoint_auth_methods_supported",
        "introspection_endpoint_auth_signing_alg_values_supported",
    ] {
        assert!(v.get(absent).is_none(), "{absent}");
    }
    assert!(v.get("token_endpoint_auth_methods_supported").is_some());
}
