//! The Redis stores against a real Redis (`REDIS_URL`): the store contracts
//! through the conformance kit, and what a fleet of issuers sharing one Redis
//! sees.

mod services;

use std::sync::Arc;

use base64::Engine as _;
use client_credentials::issuer::JWT_BEARER_ASSERTION_TYPE;
use client_credentials::jose::JwkSet;
use client_credentials::store::redis::{RedisConfig, RedisReplayGuard};
use client_credentials::store::{MemoryClientStore, ReplayCheck};
use client_credentials::testing::check_replay_guard;
use client_credentials::{
    Algorithm, Audience, Client, ClientId, ClientJwks, FixedClock, Issuer, KeySet, ReplayGuard,
    RequestParts, ScopeSet, SigningKey, UnixTime,
};
use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::json;
use services::{redis_url, unique_namespace};

const ES256_PEM: &str = include_str!("vectors/es256.pkcs8.pem");
const ISSUER: &str = "https://as.example.com";
const NOW: u64 = 1_700_000_000;

async fn guard(test: &str) -> Option<RedisReplayGuard> {
    let url = redis_url()?;
    let config = RedisConfig::new(url, unique_namespace(test));
    Some(
        RedisReplayGuard::connect(&config)
            .await
            .expect("Redis is reachable"),
    )
}

#[tokio::test]
async fn the_redis_replay_guard_keeps_the_contract() {
    let Some(guard) = guard("contract").await else {
        return;
    };
    check_replay_guard(&guard).await;
}

#[tokio::test]
async fn issuers_with_their_own_namespaces_never_collide() {
    let Some(url) = redis_url() else { return };
    let a = RedisReplayGuard::connect(&RedisConfig::new(&url, unique_namespace("a")))
        .await
        .unwrap();
    let b = RedisReplayGuard::connect(&RedisConfig::new(&url, unique_namespace("b")))
        .await
        .unwrap();
    let (until, now) = (
        UnixTime::now().saturating_add(std::time::Duration::from_secs(60)),
        UnixTime::now(),
    );
    assert_eq!(
        a.first_use("c", "k", until, now).await.unwrap(),
        ReplayCheck::FirstUse
    );
    assert_eq!(
        b.first_use("c", "k", until, now).await.unwrap(),
        ReplayCheck::FirstUse
    );
    assert_eq!(
        a.first_use("c", "k", until, now).await.unwrap(),
        ReplayCheck::Replayed
    );
}

#[tokio::test]
async fn an_unreachable_redis_is_a_clean_error_not_a_hang() {
    if redis_url().is_none() {
        return;
    }
    // Nothing listens on port 1.
    let config = RedisConfig::new("redis://127.0.0.1:1", unique_namespace("down"));
    let started = std::time::Instant::now();
    let result = RedisReplayGuard::connect(&config).await;
    assert!(result.is_err());
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

fn issuer_sharing(
    guard: RedisReplayGuard,
) -> Issuer<MemoryClientStore, client_credentials::store::MemoryRevocationStore, RedisReplayGuard> {
    let public = SigningKey::from_pkcs8_pem(Algorithm::ES256, ES256_PEM, Some("k1".into()))
        .unwrap()
        .public_jwk()
        .unwrap();
    let client = Client::builder(ClientId::new("cj").unwrap())
        .jwks(ClientJwks::from_jwk_set(&JwkSet { keys: vec![public] }).unwrap())
        .allowed_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_audience(Audience::new("https://mcp.example.com/mcp").unwrap())
        .build()
        .unwrap();
    Issuer::builder(
        ISSUER,
        KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0),
        MemoryClientStore::from_iter([client]),
    )
    .clock(Arc::new(FixedClock::new(UnixTime::from_secs(NOW))))
    .replay_guard(guard)
    .build()
    .unwrap()
}

fn assertion_request(jti: &str) -> String {
    let mut header = Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some("k1".into());
    let claims = json!({
        "iss": "cj", "sub": "cj", "aud": ISSUER,
        "iat": NOW, "exp": NOW + 300, "jti": jti,
    });
    let pem_body: String = ES256_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(pem_body)
        .unwrap();
    let assertion = encode(&header, &claims, &EncodingKey::from_ec_der(&der)).unwrap();
    serde_urlencoded::to_string([
        ("grant_type", "client_credentials"),
        ("client_assertion_type", JWT_BEARER_ASSERTION_TYPE),
        ("client_assertion", assertion.as_str()),
    ])
    .unwrap()
}

#[tokio::test]
async fn an_assertion_used_at_one_issuer_is_refused_at_the_other() {
    let Some(url) = redis_url() else { return };
    let namespace = unique_namespace("fleet");
    // Two replicas, each with its own connection to the shared Redis.
    let one = issuer_sharing(
        RedisReplayGuard::connect(&RedisConfig::new(&url, &namespace))
            .await
            .unwrap(),
    );
    let two = issuer_sharing(
        RedisReplayGuard::connect(&RedisConfig::new(&url, &namespace))
            .await
            .unwrap(),
    );
    let body = assertion_request(&unique_namespace("jti"));
    let first = one
        .handle_token_request(RequestParts::form_post(body.as_bytes()))
        .await;
    assert_eq!(first.status, 200);
    let again = two
        .handle_token_request(RequestParts::form_post(body.as_bytes()))
        .await;
    assert_eq!(
        again.status, 401,
        "the replay is refused at the other replica"
    );
    let fresh = assertion_request(&unique_namespace("jti"));
    let other = two
        .handle_token_request(RequestParts::form_post(fresh.as_bytes()))
        .await;
    assert_eq!(other.status, 200);
}
