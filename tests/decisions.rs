//! The open points, pinned to the behaviour chosen in the decision tables of
//! `client_credentials::manual::design` (C19, C21, C22, C58, C59, C70, C125,
//! C134–C139). C137 (client-assertion `aud`) is tested with JWT client
//! authentication.

mod fixtures;

use client_credentials::store::MemoryClientStore;
use client_credentials::{Issuer, RequestParts};
use fixtures::*;
use serde_json::Value;

#[tokio::test]
async fn decision_c19_no_scope_means_the_default_or_invalid_scope() {
    let fx = Fixture::new();
    assert_eq!(
        assert_token(&fx.post_c1_basic(GRANT).await).body["scope"],
        "mcp:read"
    );
    let r = fx
        .post_auth(&basic(NO_DEFAULT_SCOPE, OTHER_SECRET), GRANT)
        .await;
    assert_error(&r, 400, "invalid_scope");
}

#[tokio::test]
async fn decision_c21_c22_refuse_by_default_downscope_on_request_scope_always_reported() {
    let body = "grant_type=client_credentials&scope=mcp:write+admin";
    assert_error(
        &Fixture::new().post_c1_basic(body).await,
        400,
        "invalid_scope",
    );
    let fx = Fixture::with(|b| b.policy(downscope_policy()));
    assert_eq!(
        assert_token(&fx.post_c1_basic(body).await).body["scope"],
        "mcp:write"
    );
    // `scope` is in every success response, asked for or not, changed or not.
    for body in [
        GRANT,
        "grant_type=client_credentials&scope=mcp:read",
        "grant_type=client_credentials&scope=mcp:read+mcp:write",
    ] {
        assert!(assert_token(&fx.post_c1_basic(body).await).body["scope"].is_string());
    }
}

#[tokio::test]
async fn decision_c135_aud_is_the_registered_audience_whatever_the_spelling() {
    let fx = Fixture::new();
    for spelling in [
        "https://mcp.example.com/mcp",
        "HTTPS://MCP.EXAMPLE.COM/mcp",
        "https://MCP.example.com:443/mcp",
        "https://mcp.example.com/./mcp",
        "https://mcp.example.com/%6Dcp",
    ] {
        let body = form(&[("grant_type", "client_credentials"), ("resource", spelling)]);
        let issued = assert_token(&fx.post_c1_basic(&body).await);
        assert_eq!(issued.claims["aud"], RESOURCE, "{spelling}");
    }
    // `https://host` = `https://host/`, and the token carries the registered one.
    let ext = basic(EXT, EXT_SECRET);
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("resource", "HTTPS://MCP.EXAMPLE.COM/"),
    ]);
    let issued = assert_token(&fx.post_auth(&ext, &body).await);
    assert_eq!(issued.claims["aud"], "https://mcp.example.com");
}

#[tokio::test]
async fn decision_c70_c59_several_resources_are_invalid_target_by_default() {
    let fx = Fixture::new();
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("resource", RESOURCE),
        ("resource", RESOURCE2),
    ]);
    let r = fx.post_auth(&basic(MULTI, OTHER_SECRET), &body).await;
    assert_error(&r, 400, "invalid_target");
}

#[tokio::test]
async fn decision_c58_a_token_never_lacks_aud() {
    let fx = Fixture::new();
    let r = fx.post_auth(&basic(NO_AUDIENCE, OTHER_SECRET), GRANT).await;
    assert_error(&r, 400, "invalid_target");
    for header in [
        basic(C1, C1_SECRET),
        basic(SVC, SVC_SECRET),
        basic(EXT, EXT_SECRET),
    ] {
        let issued = assert_token(&fx.post_auth(&header, GRANT).await);
        assert!(issued.claims["aud"].is_string(), "{}", issued.claims);
    }
}

#[test]
fn decision_c134_response_types_supported_is_present_and_empty() {
    let issuer = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
        .build()
        .unwrap();
    let v: Value = serde_json::from_str(issuer.metadata_json()).unwrap();
    assert_eq!(v["response_types_supported"], serde_json::json!([]));
}

#[tokio::test]
async fn decision_c136_basic_and_body_secrets_are_both_supported_and_advertised() {
    let fx = Fixture::new();
    assert_token(&fx.post_c1_basic(GRANT).await);
    assert_token(&fx.post(C1_POST).await);
    // C130: the extension's credentials both ways.
    assert_token(&fx.post_auth(&basic(EXT, EXT_SECRET), GRANT).await);
    let v: Value = serde_json::from_str(fx.issuer.metadata_json()).unwrap();
    let methods = v["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap();
    assert!(methods.iter().any(|m| m == "client_secret_basic"));
    assert!(methods.iter().any(|m| m == "client_secret_post"));
}

#[tokio::test]
async fn decision_c138_pragma_no_cache_on_every_token_endpoint_response() {
    let fx = Fixture::new();
    let auth = basic(C1, C1_SECRET);
    let responses = [
        fx.post_c1_basic(GRANT).await,
        fx.send(RequestParts::new("GET", b"")).await,
        fx.send(RequestParts::new("POST", GRANT.as_bytes()).authorization(&auth))
            .await,
        fx.post_c1_basic("grant_type=password").await,
        fx.post_auth(&basic(C1, "wrong"), GRANT).await,
        fx.post_auth(&basic(NO_GRANT, OTHER_SECRET), GRANT).await,
        fx.post_c1_basic("grant_type=client_credentials&scope=admin")
            .await,
        fx.post_c1_basic("grant_type=client_credentials&resource=https%3A%2F%2Fx.example")
            .await,
    ];
    for r in responses {
        assert_eq!(r.header("pragma"), Some("no-cache"), "status {}", r.status);
        assert_eq!(
            r.header("cache-control"),
            Some("no-store"),
            "status {}",
            r.status
        );
    }
}

#[tokio::test]
async fn decision_c139_every_invalid_client_is_401_with_a_basic_challenge() {
    let fx = Fixture::new();
    let cases: Vec<(Option<String>, String)> = vec![
        (Some(basic(C1, "wrong")), GRANT.into()),
        (Some(basic("nobody", "x")), GRANT.into()),
        (Some("Bearer abc".into()), GRANT.into()),
        (Some("Basic %%%".into()), GRANT.into()),
        (
            None,
            "grant_type=client_credentials&client_id=c1&client_secret=wrong".into(),
        ),
        (
            None,
            "grant_type=client_credentials&client_id=nobody&client_secret=x".into(),
        ),
        (None, "grant_type=client_credentials&client_id=c1".into()),
        (None, "grant_type=client_credentials&client_id=pub1".into()),
        (None, GRANT.into()),
        (
            None,
            form(&[
                ("grant_type", "client_credentials"),
                ("client_id", BASIC_ONLY),
                ("client_secret", OTHER_SECRET),
            ]),
        ),
    ];
    for (auth, body) in cases {
        let mut parts = RequestParts::form_post(body.as_bytes());
        if let Some(auth) = &auth {
            parts = parts.authorization(auth);
        }
        let r = fx.send(parts).await;
        assert_error(&r, 401, "invalid_client");
        assert!(r.header("www-authenticate").unwrap().starts_with("Basic "));
    }
}

#[tokio::test]
async fn decision_c125_no_authorization_code_grant() {
    let fx = Fixture::new();
    let body = "grant_type=authorization_code&code=abc&code_verifier=xyz&redirect_uri=https%3A%2F%2Fc.example%2Fcb";
    assert_error(&fx.post_c1_basic(body).await, 400, "unsupported_grant_type");
    let v: Value = serde_json::from_str(fx.issuer.metadata_json()).unwrap();
    assert!(v.get("code_challenge_methods_supported").is_none());
    assert!(v.get("authorization_endpoint").is_none());
}
