//! C45 under concurrency: of many simultaneous requests carrying one assertion,
//! exactly one gets a token, on a multi-thread runtime. The assertion is made by
//! an independent JWT implementation (`jsonwebtoken`).

mod fixtures;

use std::sync::Arc;

use client_credentials::issuer::JWT_BEARER_ASSERTION_TYPE;
use client_credentials::jose::JwkSet;
use client_credentials::store::{MemoryClientStore, MemoryReplayGuard};
use client_credentials::{
    Algorithm, Audience, Client, ClientId, ClientJwks, FixedClock, Issuer, KeySet, RequestParts,
    ScopeSet, SigningKey, UnixTime,
};
use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::json;

use fixtures::{ES256_PEM, ISSUER, NOW, RESOURCE, der};

const REQUESTS: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn c45_of_sixteen_simultaneous_identical_assertions_exactly_one_succeeds() {
    let public = SigningKey::from_pkcs8_pem(Algorithm::ES256, ES256_PEM, Some("k1".into()))
        .unwrap()
        .public_jwk()
        .unwrap();
    let client = Client::builder(ClientId::new("cj").unwrap())
        .jwks(ClientJwks::from_jwk_set(&JwkSet { keys: vec![public] }).unwrap())
        .allowed_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_audience(Audience::new(RESOURCE).unwrap())
        .build()
        .unwrap();
    let issuer = Arc::new(
        Issuer::builder(
            ISSUER,
            KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0),
            MemoryClientStore::from_iter([client]),
        )
        .clock(Arc::new(FixedClock::new(UnixTime::from_secs(NOW))))
        .replay_guard(Arc::new(MemoryReplayGuard::new()))
        .build()
        .unwrap(),
    );
    let mut header = Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some("k1".into());
    let claims = json!({
        "iss": "cj", "sub": "cj", "aud": ISSUER,
        "iat": NOW, "exp": NOW + 300, "jti": "only-once",
    });
    let assertion = encode(&header, &claims, &EncodingKey::from_ec_der(&der(ES256_PEM))).unwrap();
    let body: Arc<str> = serde_urlencoded::to_string([
        ("grant_type", "client_credentials"),
        ("client_assertion_type", JWT_BEARER_ASSERTION_TYPE),
        ("client_assertion", assertion.as_str()),
    ])
    .unwrap()
    .into();

    let start = Arc::new(tokio::sync::Barrier::new(REQUESTS));
    let tasks: Vec<_> = (0..REQUESTS)
        .map(|_| {
            let (issuer, body, start) = (issuer.clone(), body.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                issuer
                    .handle_token_request(RequestParts::form_post(body.as_bytes()))
                    .await
                    .status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), REQUESTS - 1);
}
