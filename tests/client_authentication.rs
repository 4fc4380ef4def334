//! Client authentication (RFC 6749 §2.2, §2.3, §2.3.1,
//! §3.2.1), C7–C15. C16 (JWT client authentication) is tested with that feature.

mod fixtures;

use std::sync::Arc;
use std::time::Duration;

use client_credentials::store::{MemoryThrottle, ThrottleConfig};
use client_credentials::{AuthMethod, RequestParts};
use fixtures::*;

#[tokio::test]
async fn c7_basic_plus_body_secret_is_invalid_request() {
    let fx = Fixture::new();
    let body = "grant_type=client_credentials&client_secret=s3cr3t";
    assert_error(&fx.post_c1_basic(body).await, 400, "invalid_request");
    let with_id = "grant_type=client_credentials&client_id=c1&client_secret=s3cr3t";
    assert_error(&fx.post_c1_basic(with_id).await, 400, "invalid_request");
}

#[tokio::test]
async fn c7_basic_plus_client_assertion_is_invalid_request() {
    let fx = Fixture::new();
    for extra in [
        "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=eyJ.eyJ.sig",
        "client_assertion=eyJ.eyJ.sig",
        "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer",
    ] {
        let body = format!("{GRANT}&{extra}");
        assert_error(&fx.post_c1_basic(&body).await, 400, "invalid_request");
    }
}

#[tokio::test]
async fn c7_body_secret_plus_client_assertion_is_invalid_request() {
    let fx = Fixture::new();
    let body = format!(
        "{C1_POST}&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=eyJ.eyJ.sig"
    );
    assert_error(&fx.post(&body).await, 400, "invalid_request");
}

#[tokio::test]
async fn c7_basic_with_a_body_client_id_naming_another_client_is_refused() {
    let fx = Fixture::new();
    // The same id in the body repeats the Basic one: still one method.
    assert_token(
        &fx.post_c1_basic("grant_type=client_credentials&client_id=c1")
            .await,
    );
    let other = "grant_type=client_credentials&client_id=c-fast";
    assert_error(&fx.post_c1_basic(other).await, 401, "invalid_client");
}

#[tokio::test]
async fn c8_basic_authentication_issues_a_token() {
    let fx = Fixture::new();
    let issued = assert_token(&fx.post_c1_basic(GRANT).await);
    assert_eq!(issued.claims["client_id"], C1);
}

#[tokio::test]
async fn c8_basic_scheme_name_is_case_insensitive_and_padding_optional() {
    let fx = Fixture::new();
    let header = basic(C1, C1_SECRET);
    let credentials = header.strip_prefix("Basic ").unwrap();
    for variant in [
        format!("basic {credentials}"),
        format!("BASIC {credentials}"),
        format!("Basic {}", credentials.trim_end_matches('=')),
    ] {
        assert_token(&fx.post_auth(&variant, GRANT).await);
    }
}

#[tokio::test]
async fn c9_basic_credentials_are_form_urldecoded() {
    let fx = Fixture::new();
    let encoded = basic_raw("svc%3Aa+b", "p%40ss%2Fw%2Brd%25");
    assert_eq!(
        encoded,
        basic(SVC, SVC_SECRET),
        "the fixture encoder agrees"
    );
    let issued = assert_token(&fx.post_auth(&encoded, GRANT).await);
    assert_eq!(issued.claims["client_id"], SVC);
    assert_eq!(issued.claims["sub"], SVC);
}

#[tokio::test]
async fn c9_unencoded_basic_credentials_are_invalid_client() {
    let fx = Fixture::new();
    // The first `:` splits off the username `svc`, which is no client.
    let raw = basic_raw(SVC, SVC_SECRET);
    assert_error(&fx.post_auth(&raw, GRANT).await, 401, "invalid_client");
}

#[tokio::test]
async fn c9_plain_ascii_ids_work_either_way() {
    let fx = Fixture::new();
    assert_eq!(basic_raw(C1, C1_SECRET), basic(C1, C1_SECRET));
    assert_token(&fx.post_auth(&basic_raw(C1, C1_SECRET), GRANT).await);
    // Escaping a character that needs none still decodes to the same id.
    assert_token(&fx.post_auth(&basic_raw("%631", C1_SECRET), GRANT).await);
}

#[tokio::test]
async fn c10_credentials_in_the_body_issue_a_token() {
    let fx = Fixture::new();
    let issued = assert_token(&fx.post(C1_POST).await);
    assert_eq!(issued.claims["client_id"], C1);
    // The body is form-decoded too: the C9 client in the body.
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", SVC),
        ("client_secret", SVC_SECRET),
    ]);
    let issued = assert_token(&fx.post(&body).await);
    assert_eq!(issued.claims["client_id"], SVC);
}

#[tokio::test]
async fn c10_wrong_body_secret_is_invalid_client() {
    let fx = Fixture::new();
    let body = "grant_type=client_credentials&client_id=c1&client_secret=wrong";
    assert_error(&fx.post(body).await, 401, "invalid_client");
}

#[tokio::test]
async fn c11_credentials_in_the_request_uri_issue_no_token() {
    let fx = Fixture::new();
    let in_query =
        RequestParts::form_post(GRANT.as_bytes()).query("client_id=c1&client_secret=s3cr3t");
    assert_error(&fx.send(in_query).await, 400, "invalid_request");
    // Even next to valid Basic credentials.
    let auth = basic(C1, C1_SECRET);
    let both = RequestParts::form_post(GRANT.as_bytes())
        .authorization(&auth)
        .query("client_secret=s3cr3t");
    assert_error(&fx.send(both).await, 400, "invalid_request");
    let assertion = RequestParts::form_post(GRANT.as_bytes())
        .authorization(&auth)
        .query("client_assertion=eyJ.eyJ.sig");
    assert_error(&fx.send(assertion).await, 400, "invalid_request");
}

#[tokio::test]
async fn c11_client_id_alone_in_the_uri_is_no_authentication() {
    let fx = Fixture::new();
    let parts = RequestParts::form_post(GRANT.as_bytes()).query("client_id=c1");
    assert_error(&fx.send(parts).await, 401, "invalid_client");
    // An unrelated query string does not stop a valid request.
    let auth = basic(C1, C1_SECRET);
    let parts = RequestParts::form_post(GRANT.as_bytes())
        .authorization(&auth)
        .query("trace=1");
    assert_token(&fx.send(parts).await);
}

#[tokio::test]
async fn c12_client_id_alone_is_not_authentication() {
    let fx = Fixture::new();
    let body = "grant_type=client_credentials&client_id=c1";
    assert_error(&fx.post(body).await, 401, "invalid_client");
    assert_error(&fx.post(GRANT).await, 401, "invalid_client");
    // A secret without an id is malformed.
    let no_id = "grant_type=client_credentials&client_secret=s3cr3t";
    assert_error(&fx.post(no_id).await, 400, "invalid_request");
}

#[tokio::test]
async fn c13_public_client_gets_no_token() {
    let fx = Fixture::new();
    let body = "grant_type=client_credentials&client_id=pub1";
    assert_error(&fx.post(body).await, 401, "invalid_client");
    // Nor with a made-up secret, by either method.
    let post = "grant_type=client_credentials&client_id=pub1&client_secret=x";
    assert_error(&fx.post(post).await, 401, "invalid_client");
    let basic = basic(PUBLIC, "x");
    assert_error(&fx.post_auth(&basic, GRANT).await, 401, "invalid_client");
}

#[tokio::test]
async fn c14_a_client_uses_only_its_registered_method() {
    let fx = Fixture::new();
    let basic_only = basic(BASIC_ONLY, OTHER_SECRET);
    assert_token(&fx.post_auth(&basic_only, GRANT).await);
    let post = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", BASIC_ONLY),
        ("client_secret", OTHER_SECRET),
    ]);
    assert_error(&fx.post(&post).await, 401, "invalid_client");

    let post = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", POST_ONLY),
        ("client_secret", OTHER_SECRET),
    ]);
    assert_token(&fx.post(&post).await);
    let post_only = basic(POST_ONLY, OTHER_SECRET);
    assert_error(
        &fx.post_auth(&post_only, GRANT).await,
        401,
        "invalid_client",
    );
}

#[tokio::test]
async fn c14_c81_methods_the_issuer_does_not_enable_are_refused() {
    let fx = Fixture::with(|b| b.auth_methods([AuthMethod::ClientSecretBasic]));
    assert_token(&fx.post_c1_basic(GRANT).await);
    assert_error(&fx.post(C1_POST).await, 401, "invalid_client");
}

#[tokio::test]
async fn c14_c29_other_authorization_schemes_are_invalid_client() {
    let fx = Fixture::new();
    for header in [
        "Bearer eyJ.eyJ.sig",
        "Digest username=\"c1\"",
        "DPoP eyJ.eyJ.sig",
        "Basicc YzE6czNjcjN0",
    ] {
        assert_error(&fx.post_auth(header, GRANT).await, 401, "invalid_client");
    }
}

/// A client that sent an `Authorization` header attempted to authenticate with
/// it, so an undecodable one is an authentication failure: 401 with a `Basic`
/// challenge (RFC 6749 §5.2), like a non-VSCHAR username (C31).
#[tokio::test]
async fn c28_c31_malformed_basic_credentials_are_invalid_client() {
    let fx = Fixture::new();
    for header in [
        "Basic",
        "Basic !!!notbase64",
        "Basic YzFzM2NyM3Q=", // "c1s3cr3t": no colon
        "Basic //79",         // not UTF-8
        "Basic YzE6JUZG",     // "c1:%FF": a secret that is not UTF-8
        "Basic YyVGRjp4",     // "c%FF:x": a username that is not UTF-8
    ] {
        assert_error(&fx.post_auth(header, GRANT).await, 401, "invalid_client");
    }
}

#[tokio::test]
async fn secret_rotation_both_live_secrets_work_and_expired_ones_do_not() {
    use client_credentials::{Client, ClientId, CredentialId, SecretCredential, UnixTime};
    let fx = Fixture::new();
    let client = Client::builder(ClientId::new("rotating").unwrap())
        .secret(
            SecretCredential::new(CredentialId::new("old").unwrap(), pbkdf2("old-secret"))
                .expires_at(UnixTime::from_secs(NOW + 100)),
        )
        .secret(SecretCredential::new(
            CredentialId::new("new").unwrap(),
            pbkdf2("new-secret"),
        ))
        .allowed_scopes(client_credentials::ScopeSet::parse("mcp:read").unwrap())
        .default_scopes(client_credentials::ScopeSet::parse("mcp:read").unwrap())
        .default_audience(client_credentials::Audience::new(RESOURCE).unwrap())
        .build()
        .unwrap();
    fx.issuer.store().insert(client);
    let old = basic("rotating", "old-secret");
    let new = basic("rotating", "new-secret");
    let issued = assert_token(&fx.post_auth(&old, GRANT).await);
    assert_eq!(issued.claims["credential_id"], "old");
    let issued = assert_token(&fx.post_auth(&new, GRANT).await);
    assert_eq!(issued.claims["credential_id"], "new");
    fx.advance(100);
    assert_error(&fx.post_auth(&old, GRANT).await, 401, "invalid_client");
    assert_token(&fx.post_auth(&new, GRANT).await);
}

/// Sends `n` requests with a wrong secret for `id`, returning the statuses.
async fn wrong_secrets(fx: &Fixture, id: &str, n: usize) -> Vec<u16> {
    let header = basic(id, "wrong");
    let mut statuses = Vec::with_capacity(n);
    for _ in 0..n {
        let r = fx.post_auth(&header, GRANT).await;
        match r.status {
            401 => {
                assert_error(&r, 401, "invalid_client");
            }
            429 => {
                assert_error(&r, 429, "invalid_client");
            }
            other => panic!("a wrong secret got {other}"),
        }
        statuses.push(r.status);
    }
    statuses
}

#[tokio::test]
async fn c15_twenty_wrong_secrets_lock_the_client_id() {
    let fx = Fixture::new();
    let statuses = wrong_secrets(&fx, C1, 20).await;
    // The documented default: 10 failures within 60 s lock the id for 60 s.
    assert_eq!(&statuses[..10], &[401; 10]);
    assert_eq!(&statuses[10..], &[429; 10]);
    // Locked out: even the right secret is refused, without being checked.
    let r = fx.post_c1_basic(GRANT).await;
    assert_error(&r, 429, "invalid_client");
    let retry_after: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
    // Other clients are unaffected.
    assert_token(
        &fx.post_auth(&basic(FAST, fx.fast_secret.expose_secret()), GRANT)
            .await,
    );
    // Once the lockout has passed on the clock, the right secret works.
    fx.advance(retry_after - 1);
    assert_error(&fx.post_c1_basic(GRANT).await, 429, "invalid_client");
    fx.advance(1);
    assert_token(&fx.post_c1_basic(GRANT).await);
}

#[tokio::test]
async fn c15_retry_after_counts_down_with_the_clock() {
    let fx = Fixture::new();
    wrong_secrets(&fx, C1, 10).await;
    let first = fx.post_c1_basic(GRANT).await;
    assert_eq!(first.header("retry-after"), Some("60"));
    fx.advance(45);
    let later = fx.post_c1_basic(GRANT).await;
    assert_eq!(later.header("retry-after"), Some("15"));
}

#[tokio::test]
async fn c15_body_secrets_are_throttled_like_basic_ones() {
    let fx = Fixture::new();
    let wrong = "grant_type=client_credentials&client_id=c1&client_secret=wrong";
    for _ in 0..10 {
        assert_error(&fx.post(wrong).await, 401, "invalid_client");
    }
    assert_error(&fx.post(wrong).await, 429, "invalid_client");
    assert_error(&fx.post(C1_POST).await, 429, "invalid_client");
    // The lock is on the client id, whatever the method.
    assert_error(&fx.post_c1_basic(GRANT).await, 429, "invalid_client");
}

#[tokio::test]
async fn c15_unknown_ids_are_throttled_alike() {
    let fx = Fixture::new();
    let statuses = wrong_secrets(&fx, "nobody", 20).await;
    assert_eq!(&statuses[..10], &[401; 10]);
    assert_eq!(&statuses[10..], &[429; 10]);
    // The responses do not tell a known id from an unknown one.
    let known = Fixture::new();
    let known_statuses = wrong_secrets(&known, C1, 20).await;
    assert_eq!(statuses, known_statuses);
    let unknown_body = fx.post_auth(&basic("nobody", "wrong"), GRANT).await.body;
    let known_body = known.post_auth(&basic(C1, "wrong"), GRANT).await.body;
    assert_eq!(unknown_body, known_body);
}

#[tokio::test]
async fn c15_a_success_forgets_earlier_failures() {
    let fx = Fixture::new();
    wrong_secrets(&fx, C1, 9).await;
    assert_token(&fx.post_c1_basic(GRANT).await);
    let statuses = wrong_secrets(&fx, C1, 10).await;
    assert_eq!(statuses, [401; 10], "the count started afresh");
    assert_error(&fx.post_c1_basic(GRANT).await, 429, "invalid_client");
}

#[tokio::test]
async fn c15_throttle_limits_are_configurable() {
    let mut config = ThrottleConfig::default();
    config.max_failures = 3;
    config.lockout = Duration::from_secs(300);
    let fx = Fixture::with(|b| b.throttle(Arc::new(MemoryThrottle::new(config))));
    assert_eq!(wrong_secrets(&fx, C1, 4).await, [401, 401, 401, 429]);
    let r = fx.post_c1_basic(GRANT).await;
    assert_eq!(r.header("retry-after"), Some("300"));
    fx.advance(300);
    assert_token(&fx.post_c1_basic(GRANT).await);
}
