//! The client-credentials grant request and response
//! (RFC 6749 §3.3, §4.4, §5.1), C17–C26.

mod fixtures;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use client_credentials::issuer::{Policy, RandomJti};
use fixtures::*;

#[tokio::test]
async fn c17_missing_grant_type_is_invalid_request() {
    let fx = Fixture::new();
    assert_error(&fx.post_c1_basic("").await, 400, "invalid_request");
    assert_error(
        &fx.post_c1_basic("scope=mcp:read").await,
        400,
        "invalid_request",
    );
    assert_error(
        &fx.post("client_id=c1&client_secret=s3cr3t").await,
        400,
        "invalid_request",
    );
}

#[tokio::test]
async fn c17_other_grant_types_are_unsupported() {
    let fx = Fixture::new();
    for grant in [
        "password",
        "authorization_code",
        "refresh_token",
        "implicit",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "urn:ietf:params:oauth:grant-type:token-exchange",
        "urn:ietf:params:oauth:grant-type:device_code",
        "Client_Credentials",
        "client_credentials ",
        "foo",
    ] {
        let body = form(&[("grant_type", grant), ("username", "u"), ("password", "p")]);
        assert_error(
            &fx.post_c1_basic(&body).await,
            400,
            "unsupported_grant_type",
        );
    }
}

#[tokio::test]
async fn c18_client_without_the_grant_is_unauthorized_client() {
    let fx = Fixture::new();
    let r = fx.post_auth(&basic(NO_GRANT, OTHER_SECRET), GRANT).await;
    assert_error(&r, 400, "unauthorized_client");
}

#[tokio::test]
async fn c18_disabled_client_is_unauthorized_client() {
    let fx = Fixture::new();
    let r = fx.post_auth(&basic(DISABLED, OTHER_SECRET), GRANT).await;
    assert_error(&r, 400, "unauthorized_client");
    // Only after authentication: a wrong secret is still invalid_client.
    let r = fx.post_auth(&basic(DISABLED, "wrong"), GRANT).await;
    assert_error(&r, 401, "invalid_client");
}

#[tokio::test]
async fn c19_no_scope_uses_the_default() {
    let fx = Fixture::new();
    let issued = assert_token(&fx.post_c1_basic(GRANT).await);
    assert_eq!(issued.body["scope"], "mcp:read");
    assert_eq!(issued.claims["scope"], "mcp:read");
}

#[tokio::test]
async fn c19_no_scope_and_no_default_is_invalid_scope() {
    let fx = Fixture::new();
    let header = basic(NO_DEFAULT_SCOPE, OTHER_SECRET);
    assert_error(&fx.post_auth(&header, GRANT).await, 400, "invalid_scope");
    // Naming a scope works for the same client.
    let body = "grant_type=client_credentials&scope=mcp:write";
    let issued = assert_token(&fx.post_auth(&header, body).await);
    assert_eq!(issued.body["scope"], "mcp:write");
}

#[tokio::test]
async fn c20_scope_order_does_not_matter() {
    let fx = Fixture::new();
    let a = assert_token(
        &fx.post_c1_basic("grant_type=client_credentials&scope=mcp:write+mcp:read")
            .await,
    );
    let b = assert_token(
        &fx.post_c1_basic("grant_type=client_credentials&scope=mcp:read+mcp:write")
            .await,
    );
    assert_eq!(a.body["scope"], b.body["scope"]);
    assert_eq!(a.claims["scope"], b.claims["scope"]);
    assert_eq!(a.body["scope"], "mcp:read mcp:write");
}

#[tokio::test]
async fn c20_scope_is_case_sensitive() {
    let fx = Fixture::new();
    let body = "grant_type=client_credentials&scope=MCP:READ";
    assert_error(&fx.post_c1_basic(body).await, 400, "invalid_scope");
    // Downscoping leaves nothing of it either.
    let fx = Fixture::with(|b| b.policy(downscope_policy()));
    assert_error(&fx.post_c1_basic(body).await, 400, "invalid_scope");
}

#[tokio::test]
async fn c20_repeated_scope_tokens_collapse() {
    let fx = Fixture::new();
    let body = "grant_type=client_credentials&scope=mcp:read+mcp:read";
    let issued = assert_token(&fx.post_c1_basic(body).await);
    assert_eq!(issued.body["scope"], "mcp:read");
}

#[tokio::test]
async fn c21_excessive_scope_is_refused_by_default() {
    let fx = Fixture::new();
    let body = "grant_type=client_credentials&scope=mcp:read+admin";
    assert_error(&fx.post_c1_basic(body).await, 400, "invalid_scope");
}

#[tokio::test]
async fn c21_c22_downscope_policy_grants_the_allowed_part_and_says_so() {
    let fx = Fixture::with(|b| b.policy(downscope_policy()));
    let body = "grant_type=client_credentials&scope=mcp:read+admin";
    let issued = assert_token(&fx.post_c1_basic(body).await);
    assert_eq!(issued.body["scope"], "mcp:read");
    assert_eq!(issued.claims["scope"], "mcp:read");
    // Nothing allowed left: refused.
    let body = "grant_type=client_credentials&scope=admin";
    assert_error(&fx.post_c1_basic(body).await, 400, "invalid_scope");
}

#[tokio::test]
async fn c22_scope_is_present_even_when_identical_to_the_request() {
    let fx = Fixture::new();
    let body = "grant_type=client_credentials&scope=mcp:write";
    let issued = assert_token(&fx.post_c1_basic(body).await);
    assert_eq!(issued.body["scope"], "mcp:write");
}

#[tokio::test]
async fn c23_c24_success_response_members() {
    let fx = Fixture::new();
    let r = fx.post_c1_basic(GRANT).await;
    let issued = assert_token(&r);
    let members: HashSet<&str> = issued
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        members,
        HashSet::from(["access_token", "token_type", "expires_in", "scope"])
    );
    assert_eq!(issued.body["expires_in"], DEFAULT_LIFETIME);
    // A JSON number, not a string.
    let text = String::from_utf8(r.body.clone()).unwrap();
    assert!(
        text.contains(&format!("\"expires_in\":{DEFAULT_LIFETIME}")),
        "{text}"
    );
}

#[tokio::test]
async fn c24_lifetime_follows_the_policy_and_the_client() {
    let mut policy = Policy::default();
    policy.default_token_lifetime = Duration::from_secs(120);
    policy.max_token_lifetime = Duration::from_secs(300);
    let fx = Fixture::with(|b| b.policy(policy));
    let issued = assert_token(&fx.post_c1_basic(GRANT).await);
    assert_eq!(issued.body["expires_in"], 120);
    let long_lived = secret_client("long-lived", OTHER_SECRET)
        .token_lifetime(Duration::from_secs(86_400))
        .build()
        .unwrap();
    fx.issuer.store().insert(long_lived);
    let issued = assert_token(
        &fx.post_auth(&basic("long-lived", OTHER_SECRET), GRANT)
            .await,
    );
    assert_eq!(issued.body["expires_in"], 300, "capped by the policy");
}

#[tokio::test]
async fn c25_cache_headers_on_success_and_on_errors() {
    let fx = Fixture::new();
    for r in [
        fx.post_c1_basic(GRANT).await,
        fx.post_c1_basic("").await,
        fx.post_auth(&basic(C1, "wrong"), GRANT).await,
        fx.post_c1_basic("grant_type=client_credentials&scope=admin")
            .await,
    ] {
        assert_eq!(r.header("cache-control"), Some("no-store"));
        assert_eq!(r.header("pragma"), Some("no-cache"));
    }
}

#[tokio::test]
async fn c26_a_modified_token_fails_verification() {
    let fx = Fixture::new();
    let issued = assert_token(&fx.post_c1_basic(GRANT).await);
    verify_with_jwks(fx.issuer.jwks_json(), &issued.token, RESOURCE).expect("the token verifies");

    let parts: Vec<&str> = issued.token.split('.').collect();
    let mut payload = URL_SAFE_NO_PAD.decode(parts[1]).unwrap();
    // Turn `"sub":"c1"` into `"sub":"d1"`: still valid JSON, another subject.
    let at = payload
        .windows(9)
        .position(|w| w == b"\"sub\":\"c1")
        .expect("the payload names the subject")
        + 7;
    payload[at] = b'd';
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(&payload),
        parts[2]
    );
    assert_eq!(decode_jwt(&forged).1["sub"], "d1");
    assert!(verify_with_jwks(fx.issuer.jwks_json(), &forged, RESOURCE).is_err());

    // One flipped bit anywhere in the signing input or the signature.
    for i in (0..issued.token.len()).step_by(7) {
        let mut bytes = issued.token.clone().into_bytes();
        if bytes[i] == b'.' {
            continue;
        }
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        if tampered == issued.token {
            continue;
        }
        assert!(
            verify_with_jwks(fx.issuer.jwks_json(), &tampered, RESOURCE).is_err(),
            "byte {i} changed, still verifies"
        );
    }
}

#[tokio::test]
async fn c26_a_thousand_tokens_have_a_thousand_jtis() {
    // The default, random jti source: no counter to make this trivially true.
    let fx = Fixture::with(|b| b.jti_source(Arc::new(RandomJti)));
    let header = basic(FAST, fx.fast_secret.expose_secret());
    let mut jtis = HashSet::new();
    let mut tokens = HashSet::new();
    for _ in 0..1_000 {
        let issued = assert_token(&fx.post_auth(&header, GRANT).await);
        let jti = issued.claims["jti"].as_str().unwrap().to_owned();
        assert!(jti.len() >= 22, "at least 128 bits: {jti}");
        jtis.insert(jti);
        tokens.insert(issued.token);
    }
    assert_eq!(jtis.len(), 1_000);
    assert_eq!(tokens.len(), 1_000);
}
