//! What the black-box HTTP tests share: a loopback listener, a bounded HTTP
//! client, a token request, and an independent check of the minted JWT.
#![allow(dead_code)] // Each test crate uses its own part of it.

#[path = "../../examples/axum_server/routes.rs"]
pub mod routes;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use client_credentials::{Algorithm as SigningAlgorithm, ClientStore, Issuer, SigningKey};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

/// The bound on every test, network call and server start.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// A listener on 127.0.0.1 at a port the system picks, and its address.
pub async fn bind() -> (tokio::net::TcpListener, SocketAddr) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

/// Serves the axum example's router for `issuer` on `listener`, in the
/// background of the test's runtime (which ends it).
pub fn serve_axum<S: ClientStore + 'static>(
    listener: tokio::net::TcpListener,
    issuer: Arc<Issuer<S>>,
) {
    tokio::spawn(axum::serve(listener, routes::router(issuer)).into_future());
}

/// A temporary directory holding `files` (name, content): removed on drop.
pub fn temp_files(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    dir
}

/// A fresh ES256 key as PKCS#8 PEM.
pub fn es256_pem() -> String {
    let (_, pem) = SigningKey::generate(SigningAlgorithm::ES256).unwrap();
    pem.expose_secret().to_owned()
}

/// An HTTP client that goes straight to loopback, whatever the proxy settings,
/// and gives up after [`TIMEOUT`].
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(TIMEOUT)
        .timeout(TIMEOUT)
        .build()
        .unwrap()
}

/// Runs `test` under [`TIMEOUT`], so a hung server fails the test instead of
/// stalling the suite.
pub async fn bounded<F: std::future::Future>(test: F) -> F::Output {
    tokio::time::timeout(TIMEOUT, test)
        .await
        .expect("the test finished within its time bound")
}

/// `POST {base}/token` with `client_secret_basic` and a scope; the JSON answer.
pub async fn token_basic(base: &str, id: &str, secret: &str, scope: &str) -> (u16, Value) {
    let response = http_client()
        .post(format!("{base}/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials"), ("scope", scope)])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// `GET url`, its JSON body.
pub async fn get_json<T: serde::de::DeserializeOwned>(url: &str) -> T {
    let response = http_client().get(url).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    response.json().await.unwrap()
}

/// Verifies `token` as an RFC 9068 access token with jsonwebtoken, an
/// implementation independent of the crate: the key comes from the JWKS served
/// at `{base}/jwks.json`, and `typ`, the ES256 signature (the algorithm pinned,
/// never read from the token), `iss`, `aud` and `exp` are checked. Returns the
/// claims.
pub async fn verify_access_token(base: &str, token: &str, issuer: &str, audience: &str) -> Value {
    let jwks: JwkSet = get_json(&format!("{base}/jwks.json")).await;
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.typ.as_deref(), Some("at+jwt"), "RFC 9068 §2.1");
    let kid = header.kid.expect("tokens name their key");
    let jwk = jwks.find(&kid).expect("the signing key is in the JWKS");
    let key = DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    let claims = jsonwebtoken::decode::<Value>(token, &key, &validation)
        .unwrap()
        .claims;
    for claim in ["client_id", "jti"] {
        assert!(claims[claim].is_string(), "RFC 9068 §2.2 {claim}");
    }
    claims
}
