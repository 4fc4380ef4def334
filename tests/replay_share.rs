//! One JWT client cannot fill the replay guard for the others: past its share
//! it alone is refused, with `invalid_client`, while other clients go on.

use std::sync::Arc;

use base64::Engine as _;
use client_credentials::issuer::JWT_BEARER_ASSERTION_TYPE;
use client_credentials::jose::JwkSet;
use client_credentials::store::{MemoryClientStore, MemoryReplayGuard};
use client_credentials::{
    Algorithm, Audience, Client, ClientId, ClientJwks, FixedClock, Issuer, KeySet, RequestParts,
    ScopeSet, SigningKey, UnixTime,
};
use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::json;

const ES256_PEM: &str = include_str!("vectors/es256.pkcs8.pem");
const ISSUER: &str = "https://as.example.com";
const NOW: u64 = 1_700_000_000;

fn jwt_client(id: &str) -> Client {
    let public = SigningKey::from_pkcs8_pem(Algorithm::ES256, ES256_PEM, Some("k1".into()))
        .unwrap()
        .public_jwk()
        .unwrap();
    Client::builder(ClientId::new(id).unwrap())
        .jwks(ClientJwks::from_jwk_set(&JwkSet { keys: vec![public] }).unwrap())
        .allowed_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_audience(Audience::new("https://mcp.example.com/mcp").unwrap())
        .build()
        .unwrap()
}

fn request_body(client: &str, jti: &str) -> String {
    let mut header = Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some("k1".into());
    let claims = json!({
        "iss": client, "sub": client, "aud": ISSUER,
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
async fn a_client_over_its_replay_share_is_refused_alone_with_invalid_client() {
    let issuer = Issuer::builder(
        ISSUER,
        KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0),
        MemoryClientStore::from_iter([jwt_client("greedy"), jwt_client("calm")]),
    )
    .clock(Arc::new(FixedClock::new(UnixTime::from_secs(NOW))))
    .replay_guard(MemoryReplayGuard::with_capacity(4096).per_client_share(256))
    .build()
    .unwrap();

    let mut refused = 0;
    for i in 0..400 {
        let body = request_body("greedy", &format!("greedy-{i}"));
        let response = issuer
            .handle_token_request(RequestParts::form_post(body.as_bytes()))
            .await;
        match response.status {
            200 => {}
            401 => {
                let body = String::from_utf8(response.body).unwrap();
                assert!(body.contains("\"invalid_client\""), "{body}");
                refused += 1;
            }
            other => panic!("a full share is not a server error: {other}"),
        }
    }
    assert!(refused >= 400 - 256, "at most its share of 256 got through");

    for i in 0..32 {
        let body = request_body("calm", &format!("calm-{i}"));
        let response = issuer
            .handle_token_request(RequestParts::form_post(body.as_bytes()))
            .await;
        assert_eq!(response.status, 200, "another client is not affected");
    }
}
