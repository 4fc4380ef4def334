//! Error responses (RFC 6749 §5.2), C27–C30. Every
//! response goes through `assert_error`, which checks the status, the `error`
//! code, the headers and the NQSCHAR-only description (C33).

mod fixtures;

use std::future::{Future, ready};
use std::sync::Arc;

use client_credentials::{
    Client, ClientId, ClientStore, ErrorCode, Issuer, Reason, RequestParts, StoreError, TokenError,
};
use fixtures::*;

#[tokio::test]
async fn c27_missing_grant_type_is_a_400_json_error() {
    let fx = Fixture::new();
    let r = fx.post_c1_basic("scope=mcp:read").await;
    let body = assert_error(&r, 400, "invalid_request");
    assert!(body["error_description"].is_string());
}

#[tokio::test]
async fn c28_wrong_basic_secret_is_401_with_a_basic_challenge() {
    let fx = Fixture::new();
    let r = fx.post_auth(&basic(C1, "wrong"), GRANT).await;
    assert_error(&r, 401, "invalid_client");
    let challenge = r.header("www-authenticate").unwrap();
    assert!(challenge.starts_with("Basic realm=\""), "{challenge}");
}

#[tokio::test]
async fn c28_unknown_basic_client_is_401_and_looks_like_a_wrong_secret() {
    let fx = Fixture::new();
    let unknown = fx.post_auth(&basic("nobody", C1_SECRET), GRANT).await;
    let wrong = fx.post_auth(&basic(C1, "wrong"), GRANT).await;
    assert_error(&unknown, 401, "invalid_client");
    assert_eq!(
        unknown, wrong,
        "an unknown id and a wrong secret answer alike"
    );
}

#[tokio::test]
async fn c29_body_authentication_failures_are_invalid_client() {
    let fx = Fixture::new();
    for body in [
        "grant_type=client_credentials&client_id=c1&client_secret=wrong",
        "grant_type=client_credentials&client_id=nobody&client_secret=wrong",
        "grant_type=client_credentials&client_id=c1",
        "grant_type=client_credentials",
    ] {
        assert_error(&fx.post(body).await, 401, "invalid_client");
    }
}

/// A store whose backend is down.
struct BrokenStore;

impl ClientStore for BrokenStore {
    fn client(
        &self,
        _: &ClientId,
    ) -> impl Future<Output = Result<Option<Arc<Client>>, StoreError>> + Send {
        ready(Err(StoreError::msg(
            "connection to db.internal:5432 refused, password=hunter2",
        )))
    }
}

#[tokio::test]
async fn c30_store_failure_is_a_503_server_error_with_retry_after_that_leaks_nothing() {
    let issuer = Issuer::builder(ISSUER, es256_keys(), BrokenStore)
        .build()
        .unwrap();
    let auth = basic(C1, C1_SECRET);
    let r = issuer
        .handle_token_request(RequestParts::form_post(GRANT.as_bytes()).authorization(&auth))
        .await;
    assert_error(&r, 503, "server_error");
    assert_eq!(r.header("retry-after"), Some("1"));
    let text = String::from_utf8(r.body).unwrap();
    for leak in ["db.internal", "5432", "hunter2", "connection"] {
        assert!(!text.contains(leak), "{text}");
    }
}

#[tokio::test]
async fn c30_one_case_per_error_code() {
    let fx = Fixture::new();
    let cases: [(&str, String, Option<String>, u16, &str); 7] = [
        (
            "repeated parameter",
            "grant_type=client_credentials&grant_type=client_credentials".into(),
            Some(basic(C1, C1_SECRET)),
            400,
            "invalid_request",
        ),
        (
            "unknown client",
            GRANT.into(),
            Some(basic("nobody", "x")),
            401,
            "invalid_client",
        ),
        (
            "grant not allowed",
            GRANT.into(),
            Some(basic(NO_GRANT, OTHER_SECRET)),
            400,
            "unauthorized_client",
        ),
        (
            "unknown grant type",
            "grant_type=foo".into(),
            Some(basic(C1, C1_SECRET)),
            400,
            "unsupported_grant_type",
        ),
        (
            "bad scope",
            "grant_type=client_credentials&scope=admin".into(),
            Some(basic(C1, C1_SECRET)),
            400,
            "invalid_scope",
        ),
        (
            "bad resource",
            form(&[
                ("grant_type", "client_credentials"),
                ("resource", "https://unknown.example/mcp"),
            ]),
            Some(basic(C1, C1_SECRET)),
            400,
            "invalid_target",
        ),
        ("wrong method", GRANT.into(), None, 405, "invalid_request"),
    ];
    for (what, body, auth, status, code) in cases {
        let mut parts = if status == 405 {
            RequestParts::new("GET", body.as_bytes())
        } else {
            RequestParts::form_post(body.as_bytes())
        };
        if let Some(auth) = &auth {
            parts = parts.authorization(auth);
        }
        let r = fx.send(parts).await;
        assert_eq!(r.status, status, "{what}");
        assert_error(&r, status, code);
    }
}

#[tokio::test]
async fn c30_body_too_large_is_413_invalid_request() {
    let fx = Fixture::with(|b| b.max_body_bytes(64));
    let body = format!("{GRANT}&padding={}", "x".repeat(64));
    assert_error(&fx.post_c1_basic(&body).await, 413, "invalid_request");
    assert_token(&fx.post_c1_basic(GRANT).await);
}

#[tokio::test]
async fn c30_error_precedence_grant_type_before_authentication() {
    let fx = Fixture::new();
    // A request that is wrong in several ways reports the first check that fails.
    let r = fx
        .post_auth(&basic(C1, "wrong"), "grant_type=password")
        .await;
    assert_error(&r, 400, "unsupported_grant_type");
    let r = fx
        .post_auth(
            &basic(C1, "wrong"),
            "grant_type=client_credentials&scope=admin",
        )
        .await;
    assert_error(&r, 401, "invalid_client");
}

/// Every reason the crate can give, rendered on its own: the wire mapping of the
/// whole vocabulary, beyond the cases reachable through requests above.
#[test]
fn c27_c28_c33_every_token_error_renders_a_valid_response() {
    let reasons = [
        Reason::MethodNotAllowed,
        Reason::UnsupportedContentType,
        Reason::BodyTooLarge,
        Reason::MalformedBody,
        Reason::RepeatedParameter("scope"),
        Reason::MissingGrantType,
        Reason::CredentialsInUri,
        Reason::MultipleAuthMethods,
        Reason::MalformedAuthorization,
        Reason::SecretWithoutClientId,
        Reason::UnsupportedGrantType,
        Reason::UnsupportedAuthScheme,
        Reason::ClientIdMismatch,
        Reason::NoClientAuthentication,
        Reason::UnknownClient,
        Reason::WrongSecret,
        Reason::AuthMethodNotAllowed,
        Reason::PublicClient,
        Reason::ClientDisabled,
        Reason::GrantNotAllowed,
        Reason::CredentialRevoked,
        Reason::MalformedScope,
        Reason::ScopeNotAllowed,
        Reason::NoScope,
        Reason::MalformedResource,
        Reason::ResourceNotAllowed,
        Reason::TooManyResources,
        Reason::NoAudience,
        Reason::StoreUnavailable,
        Reason::SigningFailed,
    ];
    for reason in reasons {
        let error = TokenError::new(reason);
        assert_eq!(error.reason(), reason);
        assert_eq!(error.code(), reason.code());
        let status = error.status();
        if reason.code() == ErrorCode::InvalidClient {
            assert_eq!(status, 401, "C139: {reason:?}");
        }
        let body = assert_error(&error.to_http(), status, reason.code().as_str());
        assert_eq!(body["error_description"], reason.error_description());
        assert!(
            matches!(status, 400 | 401 | 405 | 413 | 500 | 503),
            "{reason:?}: {status}"
        );
    }
}
