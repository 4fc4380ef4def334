//! Token endpoint request syntax (RFC 6749 §3.2, §4.4.2,
//! Appendix B), C1–C6.

mod fixtures;

use client_credentials::store::MemoryClientStore;
use client_credentials::{ConfigError, Issuer, RequestParts};
use fixtures::*;

#[tokio::test]
async fn c1_get_is_refused_with_405_and_allow_post() {
    let fx = Fixture::new();
    let auth = basic(C1, C1_SECRET);
    let get = RequestParts::new("GET", b"")
        .query("grant_type=client_credentials")
        .authorization(&auth);
    assert_error(&fx.send(get).await, 405, "invalid_request");
}

#[tokio::test]
async fn c1_every_method_but_post_is_refused_even_with_a_valid_body() {
    let fx = Fixture::new();
    let auth = basic(C1, C1_SECRET);
    for method in ["GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "post"] {
        let parts = RequestParts::new(method, GRANT.as_bytes())
            .content_type("application/x-www-form-urlencoded")
            .authorization(&auth);
        assert_error(&fx.send(parts).await, 405, "invalid_request");
    }
    assert_token(&fx.post_c1_basic(GRANT).await);
}

#[tokio::test]
async fn c2_json_body_is_invalid_request() {
    let fx = Fixture::new();
    let auth = basic(C1, C1_SECRET);
    let parts = RequestParts::new("POST", br#"{"grant_type":"client_credentials"}"#)
        .content_type("application/json")
        .authorization(&auth);
    assert_error(&fx.send(parts).await, 400, "invalid_request");
}

#[tokio::test]
async fn c2_content_type_missing_or_another_charset_is_invalid_request() {
    let fx = Fixture::new();
    let auth = basic(C1, C1_SECRET);
    let missing = RequestParts::new("POST", GRANT.as_bytes()).authorization(&auth);
    assert_error(&fx.send(missing).await, 400, "invalid_request");
    for bad in [
        "application/x-www-form-urlencoded; charset=iso-8859-1",
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencodedx",
    ] {
        let parts = RequestParts::new("POST", GRANT.as_bytes())
            .content_type(bad)
            .authorization(&auth);
        assert_error(&fx.send(parts).await, 400, "invalid_request");
    }
}

#[tokio::test]
async fn c2_form_content_type_variants_are_accepted() {
    let fx = Fixture::new();
    let auth = basic(C1, C1_SECRET);
    for ok in [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=UTF-8",
        "Application/X-WWW-Form-Urlencoded;charset=\"utf-8\"",
    ] {
        let parts = RequestParts::new("POST", GRANT.as_bytes())
            .content_type(ok)
            .authorization(&auth);
        assert_token(&fx.send(parts).await);
    }
}

#[tokio::test]
async fn c2_plus_is_a_space_and_percent_escapes_decode() {
    let fx = Fixture::new();
    let body = "grant_type=client_credentials&scope=mcp%3Aread+mcp%3Awrite";
    let issued = assert_token(&fx.post_c1_basic(body).await);
    assert_eq!(issued.body["scope"], "mcp:read mcp:write");
    assert_eq!(issued.claims["scope"], "mcp:read mcp:write");
}

#[tokio::test]
async fn c2_body_that_is_not_utf8_is_invalid_request() {
    let fx = Fixture::new();
    let auth = basic(C1, C1_SECRET);
    let raw = b"grant_type=client_credentials&scope=\xff\xfe";
    let parts = RequestParts::form_post(raw).authorization(&auth);
    assert_error(&fx.send(parts).await, 400, "invalid_request");
    // An escaped octet sequence that is not UTF-8 once decoded.
    let escaped = "grant_type=client_credentials&scope=caf%E9";
    assert_error(&fx.post_c1_basic(escaped).await, 400, "invalid_request");
}

#[tokio::test]
async fn c3_repeated_parameters_are_invalid_request() {
    let fx = Fixture::new();
    for body in [
        "grant_type=client_credentials&grant_type=client_credentials",
        "grant_type=client_credentials&scope=mcp:read&scope=mcp:write",
        "grant_type=client_credentials&scope=mcp:read&scope=mcp:read",
    ] {
        assert_error(&fx.post_c1_basic(body).await, 400, "invalid_request");
    }
    for body in [
        "grant_type=client_credentials&client_id=c1&client_id=c1&client_secret=s3cr3t",
        "grant_type=client_credentials&client_id=c1&client_secret=s3cr3t&client_secret=s3cr3t",
    ] {
        assert_error(&fx.post(body).await, 400, "invalid_request");
    }
}

#[tokio::test]
async fn c3_c70_resource_may_repeat_without_being_a_repeated_parameter() {
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("resource", RESOURCE),
        ("resource", RESOURCE),
    ]);
    // Under the default one-resource policy: invalid_target, never invalid_request.
    let fx = Fixture::new();
    assert_error(&fx.post_c1_basic(&body).await, 400, "invalid_target");
    // Where the policy allows several, the same resource twice is one audience.
    let fx = Fixture::with(|b| b.policy(policy_with_max_resources(2)));
    let issued = assert_token(&fx.post_c1_basic(&body).await);
    assert_eq!(issued.claims["aud"], RESOURCE);
}

#[tokio::test]
async fn c4_empty_scope_counts_as_omitted() {
    let fx = Fixture::new();
    let omitted = assert_token(&fx.post_c1_basic(GRANT).await);
    let empty = assert_token(
        &fx.post_c1_basic("grant_type=client_credentials&scope=")
            .await,
    );
    assert_eq!(empty.body["scope"], omitted.body["scope"]);
    assert_eq!(empty.body["scope"], "mcp:read", "C19: the default scope");
}

#[tokio::test]
async fn c4_every_empty_parameter_counts_as_omitted() {
    let fx = Fixture::new();
    // An empty resource: the default audience.
    let issued = assert_token(
        &fx.post_c1_basic("grant_type=client_credentials&resource=&foo=")
            .await,
    );
    assert_eq!(issued.claims["aud"], RESOURCE);
    // An empty client_secret next to Basic is not a second method.
    assert_token(
        &fx.post_c1_basic("grant_type=client_credentials&client_secret=")
            .await,
    );
    // An empty grant_type is a missing one.
    assert_error(
        &fx.post_c1_basic("grant_type=").await,
        400,
        "invalid_request",
    );
    // A name without `=` is a name with an empty value.
    assert_token(
        &fx.post_c1_basic("grant_type=client_credentials&scope")
            .await,
    );
}

#[tokio::test]
async fn c5_unknown_parameters_are_ignored() {
    let fx = Fixture::new();
    assert_token(
        &fx.post_c1_basic("grant_type=client_credentials&foo=bar")
            .await,
    );
    assert_token(
        &fx.post(&format!("{C1_POST}&foo=bar&audience=x&sub=admin&nonce=1"))
            .await,
    );
}

#[test]
fn c6_token_endpoint_must_be_https_without_fragment() {
    for bad in [
        "http://as.example.com/token",
        "https://as.example.com/token#x",
        "as.example.com/token",
        "ftp://as.example.com/token",
    ] {
        let built = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
            .token_endpoint(bad)
            .build();
        assert!(
            matches!(built, Err(ConfigError::InvalidEndpoint(ref url)) if url == bad),
            "{bad}: {built:?}"
        );
    }
    let ok = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
        .token_endpoint("https://as.example.com/oauth2/token")
        .build()
        .unwrap();
    assert_eq!(ok.token_endpoint(), "https://as.example.com/oauth2/token");
    let default = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
        .build()
        .unwrap();
    assert_eq!(default.token_endpoint(), "https://as.example.com/token");
}

#[test]
fn c6_jwks_uri_must_be_https_too() {
    let built = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
        .jwks_uri("http://as.example.com/jwks.json")
        .build();
    assert!(matches!(built, Err(ConfigError::InvalidEndpoint(_))));
}

#[test]
fn c6_http_only_on_loopback_and_only_behind_the_dangerous_switch() {
    let without_switch = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
        .token_endpoint("http://127.0.0.1:8080/token")
        .build();
    assert!(matches!(
        without_switch,
        Err(ConfigError::InvalidEndpoint(_))
    ));
    for loopback in [
        "http://127.0.0.1:8080/token",
        "http://localhost/token",
        "http://[::1]:8443/token",
    ] {
        let ok = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
            .token_endpoint(loopback)
            .dangerous_allow_http_loopback()
            .build();
        assert!(ok.is_ok(), "{loopback}");
    }
    let remote = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
        .token_endpoint("http://as.example.com/token")
        .dangerous_allow_http_loopback()
        .build();
    assert!(matches!(remote, Err(ConfigError::InvalidEndpoint(_))));
}
