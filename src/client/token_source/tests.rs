//! The source's decisions against a scripted [`TokenHttp`]: each answer is
//! given in advance, and every request is recorded. (Its behaviour against a
//! real token server over HTTP is tested in the examples crate.)

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::TokenSource;
use crate::client::{
    Credentials, Endpoint, RetryPolicy, TokenHttp, TokenHttpRequest, TokenHttpResponse,
    TokenSourceError,
};
use crate::vocab::clock::FixedClock;
use crate::vocab::error::StoreError;
use crate::vocab::ids::ClientId;
use crate::vocab::secret::ClientSecret;
use crate::vocab::time::UnixTime;

#[derive(Default)]
struct Script {
    answers: Mutex<VecDeque<Result<TokenHttpResponse, StoreError>>>,
    requests: Mutex<Vec<String>>,
}

impl Script {
    fn answer(&self, status: u16, retry_after: Option<&str>, body: &str) {
        self.answers
            .lock()
            .unwrap()
            .push_back(Ok(TokenHttpResponse::new(
                status,
                retry_after.map(str::to_owned),
                body.as_bytes().to_vec(),
            )));
    }

    fn fail(&self) {
        self.answers
            .lock()
            .unwrap()
            .push_back(Err(StoreError::msg("connection refused")));
    }

    fn next(&self, what: String) -> Result<TokenHttpResponse, StoreError> {
        self.requests.lock().unwrap().push(what);
        self.answers
            .lock()
            .unwrap()
            .pop_front()
            .expect("an answer was scripted")
    }

    fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

impl TokenHttp for Script {
    async fn get(&self, url: &str) -> Result<TokenHttpResponse, StoreError> {
        self.next(format!("GET {url}"))
    }

    async fn post_form(&self, request: &TokenHttpRequest) -> Result<TokenHttpResponse, StoreError> {
        self.next(format!("POST {}", request.url))
    }
}

const T0: UnixTime = UnixTime::from_secs(1_800_000_000);

fn token_body(value: &str, expires_in: u64) -> String {
    format!(r#"{{"access_token":"{value}","token_type":"Bearer","expires_in":{expires_in}}}"#)
}

fn source(script: &Arc<Script>, clock: &Arc<FixedClock>, endpoint: Endpoint) -> TokenSource {
    let fast = RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(2),
        max_backoff: Duration::from_millis(4),
        max_retry_after: Duration::from_secs(2),
    };
    TokenSource::builder(
        endpoint,
        Credentials::client_secret_basic(
            ClientId::new("job").unwrap(),
            ClientSecret::new("the-client-secret"),
        ),
    )
    .http(script.clone())
    .clock(clock.clone())
    .retry_policy(fast)
    .build()
    .unwrap()
}

fn direct() -> Endpoint {
    Endpoint::token_endpoint("https://auth.example.com/token")
}

#[tokio::test]
async fn a_token_is_reused_until_the_margin_then_refreshed() {
    let script = Arc::new(Script::default());
    let clock = Arc::new(FixedClock::new(T0));
    let source = source(&script, &clock, direct());
    script.answer(200, None, &token_body("first", 300));
    script.answer(200, None, &token_body("second", 300));

    let first = source.token().await.unwrap();
    assert_eq!(first.expose_secret(), "first");
    assert_eq!(
        first.expires_at(),
        T0.saturating_add(Duration::from_secs(300))
    );
    clock.advance(Duration::from_secs(239));
    assert_eq!(source.token().await.unwrap().expose_secret(), "first");
    assert_eq!(script.count(), 1, "still 61 s to go: cached");

    clock.advance(Duration::from_secs(1));
    assert_eq!(source.token().await.unwrap().expose_secret(), "second");
    assert_eq!(script.count(), 2, "60 s before expiry: refreshed");
}

#[tokio::test]
async fn scope_order_does_not_split_the_cache_but_resources_do() {
    let script = Arc::new(Script::default());
    let clock = Arc::new(FixedClock::new(T0));
    let source = source(&script, &clock, direct());
    script.answer(200, None, &token_body("ab", 300));
    script.answer(200, None, &token_body("other-resource", 300));
    source
        .token_for(Some("a b"), Some("https://api.example.com"))
        .await
        .unwrap();
    let again = source
        .token_for(Some("b  a"), Some("https://api.example.com"))
        .await
        .unwrap();
    assert_eq!(again.expose_secret(), "ab");
    let other = source
        .token_for(Some("a b"), Some("https://mcp.example.com"))
        .await
        .unwrap();
    assert_eq!(other.expose_secret(), "other-resource");
    assert_eq!(script.count(), 2);
}

#[tokio::test]
async fn outages_are_retried_and_refusals_are_not() {
    let script = Arc::new(Script::default());
    let clock = Arc::new(FixedClock::new(T0));
    let source = source(&script, &clock, direct());
    script.fail();
    script.answer(503, Some("0"), "");
    script.answer(200, None, &token_body("after-outage", 300));
    assert_eq!(
        source.token().await.unwrap().expose_secret(),
        "after-outage"
    );
    assert_eq!(script.count(), 3);

    script.answer(
        401,
        None,
        r#"{"error":"invalid_client","error_description":"client authentication failed"}"#,
    );
    let error = source.token_for(Some("other"), None).await.unwrap_err();
    assert!(
        matches!(&error, TokenSourceError::Refused { status: 401, error, .. } if error == "invalid_client"),
        "{error:?}"
    );
    assert!(!error.is_transient());
    assert!(
        error.to_string().contains("check the client's credentials"),
        "{error}"
    );
    assert_eq!(script.count(), 4, "a refusal is not retried");
}

#[tokio::test]
async fn attempts_end_with_a_typed_error() {
    let script = Arc::new(Script::default());
    let clock = Arc::new(FixedClock::new(T0));
    let source = source(&script, &clock, direct());
    for _ in 0..3 {
        script.answer(500, None, "");
    }
    let error = source.token().await.unwrap_err();
    assert!(
        matches!(
            error,
            TokenSourceError::Unavailable {
                status: 500,
                attempts: 3,
                ..
            }
        ),
        "{error:?}"
    );
    for _ in 0..3 {
        script.fail();
    }
    let error = source.token().await.unwrap_err();
    assert!(
        matches!(error, TokenSourceError::Transport { attempts: 3, .. }),
        "{error:?}"
    );
    assert!(error.is_transient());

    // A Retry-After beyond the policy's limit ends the attempts at once.
    script.answer(429, Some("3600"), "");
    let error = source.token().await.unwrap_err();
    assert!(
        matches!(error, TokenSourceError::Unavailable { status: 429, attempts: 1, retry_after: Some(d) } if d.as_secs() == 3600),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_valid_token() {
    let script = Arc::new(Script::default());
    let clock = Arc::new(FixedClock::new(T0));
    let source = source(&script, &clock, direct());
    script.answer(200, None, &token_body("still-valid", 100));
    source.token().await.unwrap();
    clock.advance(Duration::from_secs(50));
    for _ in 0..3 {
        script.answer(503, None, "");
    }
    assert_eq!(source.token().await.unwrap().expose_secret(), "still-valid");
    clock.advance(Duration::from_secs(50));
    script.answer(503, None, "");
    script.answer(503, None, "");
    script.answer(503, None, "");
    assert!(source.token().await.is_err(), "expired: the outage shows");
}

#[tokio::test]
async fn discovery_reads_the_token_endpoint_once_and_checks_the_issuer() {
    let script = Arc::new(Script::default());
    let clock = Arc::new(FixedClock::new(T0));
    let source = source(
        &script,
        &clock,
        Endpoint::issuer("https://auth.example.com/tenant"),
    );
    script.answer(
        200,
        None,
        r#"{"issuer":"https://auth.example.com/tenant","token_endpoint":"https://auth.example.com/tenant/token"}"#,
    );
    script.answer(200, None, &token_body("a", 300));
    script.answer(200, None, &token_body("b", 300));
    source.token_for(Some("a"), None).await.unwrap();
    source.token_for(Some("b"), None).await.unwrap();
    assert_eq!(
        *script.requests.lock().unwrap(),
        [
            "GET https://auth.example.com/.well-known/oauth-authorization-server/tenant",
            "POST https://auth.example.com/tenant/token",
            "POST https://auth.example.com/tenant/token",
        ]
    );

    let script = Arc::new(Script::default());
    let source = source_for_issuer(&script, &clock);
    script.answer(200, None, r#"{"issuer":"https://evil.example.com","token_endpoint":"https://evil.example.com/token"}"#);
    let error = source.token().await.unwrap_err();
    assert!(
        matches!(&error, TokenSourceError::Discovery { reason, .. } if reason.contains("RFC 8414 §3.3")),
        "{error:?}"
    );

    let script = Arc::new(Script::default());
    let source = source_for_issuer(&script, &clock);
    script.answer(
        200,
        None,
        r#"{"issuer":"https://auth.example.com","token_endpoint":"http://auth.example.com/token"}"#,
    );
    assert!(
        matches!(
            source.token().await,
            Err(TokenSourceError::Discovery { .. })
        ),
        "http endpoint"
    );
}

fn source_for_issuer(script: &Arc<Script>, clock: &Arc<FixedClock>) -> TokenSource {
    source(script, clock, Endpoint::issuer("https://auth.example.com"))
}

#[tokio::test]
async fn a_token_response_without_a_token_is_invalid() {
    let script = Arc::new(Script::default());
    let clock = Arc::new(FixedClock::new(T0));
    let source = source(&script, &clock, direct());
    script.answer(200, None, r#"{"token_type":"Bearer"}"#);
    assert!(matches!(
        source.token().await,
        Err(TokenSourceError::InvalidResponse(_))
    ));
    script.answer(404, None, "<html>not found</html>");
    let error = source.token().await.unwrap_err();
    assert!(
        error.to_string().contains("check the token endpoint URL"),
        "{error}"
    );
}

#[tokio::test]
async fn debug_never_shows_a_token_or_secret() {
    let script = Arc::new(Script::default());
    let clock = Arc::new(FixedClock::new(T0));
    let source = source(&script, &clock, direct());
    script.answer(200, None, &token_body("the-access-token-value", 300));
    let token = source.token().await.unwrap();
    for debug in [format!("{token:?}"), format!("{source:?}")] {
        assert!(!debug.contains("the-access-token-value"), "{debug}");
        assert!(!debug.contains("the-client-secret"), "{debug}");
    }
    assert_eq!(token.authorization(), "Bearer the-access-token-value");
    let response = TokenHttpResponse::new(
        200,
        None,
        token_body("the-access-token-value", 1).into_bytes(),
    );
    assert!(!format!("{response:?}").contains("the-access-token-value"));
}

#[test]
fn plain_http_needs_the_loopback_opt_in() {
    let credentials =
        Credentials::client_secret_post(ClientId::new("job").unwrap(), ClientSecret::new("s"));
    for endpoint in [
        Endpoint::issuer("http://127.0.0.1:8080"),
        Endpoint::token_endpoint("http://auth.example.com/token"),
    ] {
        assert!(
            TokenSource::builder(endpoint, credentials.clone())
                .build()
                .is_err()
        );
    }
    assert!(
        TokenSource::builder(Endpoint::issuer("http://127.0.0.1:8080"), credentials)
            .danger_allow_http_loopback()
            .build()
            .is_ok()
    );
}
