use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::*;
use crate::Validator;
use crate::jose::algorithm::Algorithm;
use crate::jose::http_get::HttpGetResponse;
use crate::jose::keys::{KeySet, SigningKey};
use crate::vocab::audience::Audience;

const ISSUER: &str = "https://as.example.com/tenant";
const METADATA: &str = "https://as.example.com/.well-known/oauth-authorization-server/tenant";
const JWKS: &str = "https://keys.example.com/jwks.json";
const MCP: &str = "https://mcp.example.com/mcp";
const T0: u64 = 1_700_000_000;

/// An issuer in memory: its metadata and JWK Set, a count of fetches, and
/// switches to fail or hold fetches.
#[derive(Default)]
struct MemoryIssuer {
    documents: Mutex<HashMap<String, HttpGetResponse>>,
    jwks_fetches: AtomicUsize,
    failing: AtomicBool,
    gate: Mutex<Option<Arc<tokio::sync::Semaphore>>>,
}

impl MemoryIssuer {
    fn new(keys: &KeySet, cache_control: Option<&str>) -> Arc<Self> {
        let issuer = Arc::new(Self::default());
        let metadata = serde_json::json!({"issuer": ISSUER, "jwks_uri": JWKS}).to_string();
        issuer.serve(METADATA, metadata, None);
        issuer.publish(keys, cache_control);
        issuer
    }

    fn serve(&self, url: &str, body: String, cache_control: Option<&str>) {
        self.documents.lock().unwrap().insert(
            url.to_owned(),
            HttpGetResponse {
                status: 200,
                cache_control: cache_control.map(str::to_owned),
                body: body.into_bytes(),
            },
        );
    }

    fn publish(&self, keys: &KeySet, cache_control: Option<&str>) {
        self.serve(JWKS, keys.jwks_json(), cache_control);
    }

    fn fetches(&self) -> usize {
        self.jwks_fetches.load(Ordering::SeqCst)
    }
}

impl HttpGet for MemoryIssuer {
    async fn get(&self, url: &str) -> Result<HttpGetResponse, StoreError> {
        if url == JWKS {
            self.jwks_fetches.fetch_add(1, Ordering::SeqCst);
        }
        let gate = self.gate.lock().unwrap().clone();
        if let Some(gate) = gate {
            let _permit = gate.acquire().await.unwrap();
        }
        if self.failing.load(Ordering::SeqCst) {
            return Err(StoreError::msg("connection refused"));
        }
        Ok(self
            .documents
            .lock()
            .unwrap()
            .get(url)
            .cloned()
            .unwrap_or(HttpGetResponse {
                status: 404,
                cache_control: None,
                body: Vec::new(),
            }))
    }
}

fn key_set() -> KeySet {
    KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0)
}

fn new_key() -> SigningKey {
    SigningKey::generate(Algorithm::ES256).unwrap().0
}

/// A token signed by `keys`' active key, valid at `now`.
fn token(keys: &KeySet, now: u64) -> String {
    token_with_kid(keys, keys.active().kid(), now)
}

fn token_with_kid(keys: &KeySet, kid: &str, now: u64) -> String {
    let key = keys.active();
    let header = format!(
        r#"{{"alg":"{}","typ":"at+jwt","kid":"{kid}"}}"#,
        key.algorithm()
    );
    let claims = serde_json::json!({
        "iss": ISSUER, "sub": "c1", "aud": MCP, "client_id": "c1",
        "iat": now, "exp": now + 300, "jti": "j1", "scope": "read"
    });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn remote(issuer: &Arc<MemoryIssuer>) -> RemoteKeys {
    RemoteKeys::new(ISSUER, Arc::clone(issuer), RemoteKeysConfig::default()).unwrap()
}

fn validator(keys: RemoteKeys) -> Validator {
    Validator::builder_remote(Audience::new(MCP).unwrap(), keys)
        .build()
        .unwrap()
}

async fn check(validator: &Validator, token: &str, now: u64) -> Result<(), ValidationError> {
    validator
        .validate(token, UnixTime::from_secs(now))
        .await
        .map(drop)
}

#[test]
fn the_metadata_url_puts_the_well_known_segment_before_the_path() {
    assert_eq!(metadata_url(ISSUER), METADATA);
    assert_eq!(
        metadata_url("https://as.example.com"),
        "https://as.example.com/.well-known/oauth-authorization-server"
    );
    assert_eq!(
        metadata_url("https://as.example.com/"),
        "https://as.example.com/.well-known/oauth-authorization-server"
    );
}

#[tokio::test]
async fn discovers_the_jwks_uri_and_validates_with_the_published_keys() {
    let keys = key_set();
    let issuer = MemoryIssuer::new(&keys, None);
    let source = remote(&issuer);
    let v = validator(source.clone());
    assert_eq!(v.issuer(), ISSUER);
    assert!(
        source.current().is_none(),
        "nothing fetched before first use"
    );
    check(&v, &token(&keys, T0), T0).await.unwrap();
    check(&v, &token(&keys, T0), T0 + 1).await.unwrap();
    assert_eq!(issuer.fetches(), 1);
    assert_eq!(source.current().unwrap().len(), 1);
}

#[tokio::test]
async fn metadata_naming_another_issuer_is_refused() {
    let keys = key_set();
    let issuer = MemoryIssuer::new(&keys, None);
    let metadata =
        serde_json::json!({"issuer": "https://evil.example.com", "jwks_uri": JWKS}).to_string();
    issuer.serve(METADATA, metadata, None);
    let source = remote(&issuer);
    let error = source.refresh(UnixTime::from_secs(T0)).await.unwrap_err();
    assert!(error.to_string().contains("another issuer"), "{error}");
    let v = validator(source);
    assert_eq!(
        check(&v, &token(&keys, T0), T0).await,
        Err(ValidationError::KeysUnavailable)
    );
}

#[tokio::test]
async fn an_http_jwks_uri_is_refused_unless_loopback_is_allowed() {
    let keys = key_set();
    let issuer = MemoryIssuer::new(&keys, None);
    let metadata =
        serde_json::json!({"issuer": ISSUER, "jwks_uri": "http://keys.example.com/jwks"})
            .to_string();
    issuer.serve(METADATA, metadata, None);
    let error = remote(&issuer)
        .refresh(UnixTime::from_secs(T0))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("jwks_uri"), "{error}");

    assert!(
        RemoteKeys::new(
            "http://127.0.0.1:8080",
            Arc::clone(&issuer),
            RemoteKeysConfig::default()
        )
        .is_err()
    );
    let config = RemoteKeysConfig {
        danger_allow_http_loopback: true,
        ..RemoteKeysConfig::default()
    };
    assert!(RemoteKeys::new("http://127.0.0.1:8080", Arc::clone(&issuer), config).is_ok());
    assert!(RemoteKeys::new("http://as.example.com", issuer, config).is_err());
}

#[tokio::test]
async fn an_unknown_kid_refetches_and_the_rotated_key_is_accepted() {
    let mut keys = key_set();
    let issuer = MemoryIssuer::new(&keys, Some("max-age=3600"));
    let v = validator(remote(&issuer));
    let before_rotation = token(&keys, T0);
    check(&v, &before_rotation, T0).await.unwrap();

    keys.rotate(new_key()).unwrap();
    issuer.publish(&keys, Some("max-age=3600"));
    // Well within the old set's TTL: the unknown kid alone causes the fetch.
    check(&v, &token(&keys, T0 + 10), T0 + 10).await.unwrap();
    assert_eq!(issuer.fetches(), 2);
    // The previous key, still published, still verifies.
    check(&v, &before_rotation, T0 + 11).await.unwrap();
    assert_eq!(issuer.fetches(), 2);
}

#[tokio::test]
async fn unknown_kid_refetches_are_rate_limited() {
    let keys = key_set();
    let issuer = MemoryIssuer::new(&keys, Some("max-age=3600"));
    let v = validator(remote(&issuer));
    check(&v, &token(&keys, T0), T0).await.unwrap();
    assert_eq!(issuer.fetches(), 1);

    let forged = |now| token_with_kid(&keys, "made-up", now);
    for offset in 0..5 {
        assert_eq!(
            check(&v, &forged(T0 + offset), T0 + offset).await,
            Err(ValidationError::UnknownKey)
        );
    }
    assert_eq!(issuer.fetches(), 2, "one refetch in the first 5 s");
    assert_eq!(
        check(&v, &forged(T0 + 5), T0 + 5).await,
        Err(ValidationError::UnknownKey)
    );
    assert_eq!(issuer.fetches(), 3, "another once 5 s have passed");
    // Known kids are served meanwhile without any fetch.
    check(&v, &token(&keys, T0 + 6), T0 + 6).await.unwrap();
    assert_eq!(issuer.fetches(), 3);
}

#[tokio::test]
async fn cache_control_max_age_sets_the_refresh_time_within_bounds() {
    let keys = key_set();
    for (cache_control, ttl) in [
        (Some("public, max-age=100"), 100),
        (Some("max-age=1"), 30),
        (Some("no-store"), 30),
        (Some("max-age=999999"), 3600),
        (None, 300),
    ] {
        let issuer = MemoryIssuer::new(&keys, cache_control);
        let v = validator(remote(&issuer));
        check(&v, &token(&keys, T0), T0).await.unwrap();
        check(&v, &token(&keys, T0 + ttl - 1), T0 + ttl - 1)
            .await
            .unwrap();
        assert_eq!(
            issuer.fetches(),
            1,
            "{cache_control:?}: fresh before {ttl} s"
        );
        check(&v, &token(&keys, T0 + ttl), T0 + ttl).await.unwrap();
        assert_eq!(
            issuer.fetches(),
            2,
            "{cache_control:?}: refreshed at {ttl} s"
        );
    }
}

#[tokio::test]
async fn validations_use_the_previous_set_while_a_refresh_is_in_flight() {
    let keys = key_set();
    let issuer = MemoryIssuer::new(&keys, Some("max-age=60"));
    let source = remote(&issuer);
    let v = Arc::new(validator(source));
    check(&v, &token(&keys, T0), T0).await.unwrap();

    // Hold the next fetch.
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    *issuer.gate.lock().unwrap() = Some(Arc::clone(&gate));
    let due = T0 + 60;
    let refreshing = tokio::spawn({
        let v = Arc::clone(&v);
        let token = token(&keys, due);
        async move { check(&v, &token, due).await }
    });
    while issuer.fetches() < 2 {
        tokio::task::yield_now().await;
    }
    // The refresh is in flight: others are served from the previous set at
    // once, and start no second fetch.
    for _ in 0..3 {
        check(&v, &token(&keys, due), due).await.unwrap();
    }
    assert_eq!(issuer.fetches(), 2);
    gate.add_permits(1);
    refreshing.await.unwrap().unwrap();
    *issuer.gate.lock().unwrap() = None;
    check(&v, &token(&keys, due + 1), due + 1).await.unwrap();
    assert_eq!(issuer.fetches(), 2);
}

#[tokio::test]
async fn a_failing_issuer_keeps_the_previous_set_until_its_max_age() {
    let keys = key_set();
    let issuer = MemoryIssuer::new(&keys, Some("max-age=60"));
    let v = validator(remote(&issuer));
    check(&v, &token(&keys, T0), T0).await.unwrap();

    issuer.failing.store(true, Ordering::SeqCst);
    // Due at T0 + 60: the fetch fails, the set keeps serving.
    check(&v, &token(&keys, T0 + 60), T0 + 60).await.unwrap();
    assert_eq!(issuer.fetches(), 2);
    // Retried no sooner than 10 s later.
    check(&v, &token(&keys, T0 + 65), T0 + 65).await.unwrap();
    assert_eq!(issuer.fetches(), 2);
    check(&v, &token(&keys, T0 + 70), T0 + 70).await.unwrap();
    assert_eq!(issuer.fetches(), 3);
    // Serving until two hours after the last successful fetch, then refused.
    let max_age = T0 + 7200;
    check(&v, &token(&keys, max_age - 1), max_age - 1)
        .await
        .unwrap();
    assert_eq!(
        check(&v, &token(&keys, max_age), max_age).await,
        Err(ValidationError::KeysUnavailable)
    );
    assert_eq!(
        ValidationError::KeysUnavailable.to_string(),
        "the issuer's signing keys are unavailable"
    );
    // The issuer is back: the next attempt fetches and serves again.
    issuer.failing.store(false, Ordering::SeqCst);
    let later = max_age + 20;
    check(&v, &token(&keys, later), later).await.unwrap();
}

#[tokio::test]
async fn a_first_fetch_that_fails_refuses_and_is_not_retried_per_request() {
    let keys = key_set();
    let issuer = MemoryIssuer::new(&keys, None);
    issuer.failing.store(true, Ordering::SeqCst);
    let v = validator(remote(&issuer));
    for _ in 0..3 {
        assert_eq!(
            check(&v, &token(&keys, T0), T0).await,
            Err(ValidationError::KeysUnavailable)
        );
    }
    // Discovery failed once; the retry interval holds the others back.
    assert_eq!(issuer.fetches(), 0);
    issuer.failing.store(false, Ordering::SeqCst);
    check(&v, &token(&keys, T0 + 10), T0 + 10).await.unwrap();
}

#[tokio::test]
async fn a_given_jwks_uri_needs_no_metadata() {
    let keys = key_set();
    let issuer = Arc::new(MemoryIssuer::default());
    issuer.publish(&keys, None);
    let source = RemoteKeys::with_jwks_uri(
        ISSUER,
        JWKS,
        Arc::clone(&issuer),
        RemoteKeysConfig::default(),
    )
    .unwrap();
    check(&validator(source), &token(&keys, T0), T0)
        .await
        .unwrap();
    assert!(
        RemoteKeys::with_jwks_uri(
            ISSUER,
            "http://keys.example.com/",
            issuer,
            RemoteKeysConfig::default()
        )
        .is_err()
    );
}

#[tokio::test]
async fn an_unknown_kid_during_a_refresh_waits_for_it_and_starts_no_fetch() {
    let mut keys = key_set();
    let issuer = MemoryIssuer::new(&keys, Some("max-age=60"));
    let v = Arc::new(validator(remote(&issuer)));
    check(&v, &token(&keys, T0), T0).await.unwrap();

    keys.rotate(new_key()).unwrap();
    issuer.publish(&keys, Some("max-age=60"));
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    *issuer.gate.lock().unwrap() = Some(Arc::clone(&gate));
    let due = T0 + 60;
    let spawn_check = |token: String| {
        let v = Arc::clone(&v);
        tokio::spawn(async move { check(&v, &token, due).await })
    };
    // The first validation past the TTL runs the refresh (held by the gate).
    let refreshing = spawn_check(token(&keys, due));
    while issuer.fetches() < 2 {
        tokio::task::yield_now().await;
    }
    // A token of the new key meanwhile waits for that refresh.
    let waiting = spawn_check(token(&keys, due));
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert!(!waiting.is_finished(), "waits for the refresh under way");
    gate.add_permits(2);
    waiting.await.unwrap().unwrap();
    refreshing.await.unwrap().unwrap();
    assert_eq!(issuer.fetches(), 2, "no second fetch");
}
