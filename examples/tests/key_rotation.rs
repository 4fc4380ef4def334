//! A resource server follows the token server's key rotation over loopback
//! HTTP: the `axum_server` example's routes serve the RFC 8414 metadata and the
//! JWK Set, a `Validator` takes its keys from them through `RemoteKeys` and
//! `ReqwestGet`, and after the issuer rotates its signing key the same
//! validator accepts tokens signed with the new key.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use client_credentials::resource::{RemoteKeys, RemoteKeysConfig, ReqwestGet};
use client_credentials::store::MemoryClientStore;
use client_credentials::{
    Algorithm, Audience, Client, ClientId, ClientSecret, CredentialId, Issuer, KeySet, ScopeSet,
    SecretCredential, SecretHash, SigningKey, UnixTime, ValidationError, Validator,
};
use client_credentials_examples::axum_server::routes as token_routes;
use serde_json::Value;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

const RESOURCE: &str = "https://mcp.example.com/mcp";
const STEP: Duration = Duration::from_secs(10);

fn issuer(url: &str, keys: KeySet, secret: &ClientSecret) -> Issuer<MemoryClientStore> {
    let agent = Client::builder(ClientId::new("agent").unwrap())
        .secret(SecretCredential::new(
            CredentialId::new("agent-secret").unwrap(),
            SecretHash::fast(secret).unwrap(),
        ))
        .allowed_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_audience(Audience::new(RESOURCE).unwrap())
        .build()
        .unwrap();
    Issuer::builder(url, keys, MemoryClientStore::from_iter([agent]))
        .scopes_supported(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .dangerous_allow_http_loopback()
        .build()
        .unwrap()
}

async fn token(http: &reqwest::Client, endpoint: &str, secret: &ClientSecret) -> String {
    let r = http
        .post(endpoint)
        .basic_auth("agent", Some(secret.expose_secret()))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_remote_validator_accepts_tokens_of_a_rotated_key_without_a_rebuild() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let secret = ClientSecret::generate();
    let (first, first_pem) = SigningKey::generate(Algorithm::ES256).unwrap();
    let first_kid = first.kid().to_owned();
    let before = issuer(&url, KeySet::new(first), &secret);
    let token_endpoint = before.token_endpoint().to_owned();

    // The served routes can be swapped for those of a rotated issuer.
    let current = Arc::new(RwLock::new(token_routes::router(Arc::new(before))));
    let app = Router::new().fallback({
        let current = Arc::clone(&current);
        move |request: Request| {
            let router = current.read().unwrap().clone();
            async move { router.oneshot(request).await }
        }
    });
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });

    let mut config = RemoteKeysConfig::default();
    config.danger_allow_http_loopback = true;
    let remote = RemoteKeys::new(&url, ReqwestGet::new().unwrap(), config).unwrap();
    let validator = Validator::builder_remote(Audience::new(RESOURCE).unwrap(), remote.clone())
        .build()
        .unwrap();
    let http = reqwest::Client::builder().timeout(STEP).build().unwrap();

    let old_token = token(&http, &token_endpoint, &secret).await;
    let verified = validator
        .validate(&old_token, UnixTime::now())
        .await
        .unwrap();
    assert_eq!(verified.client_id(), "agent");
    assert_eq!(remote.current().unwrap().len(), 1);

    // Rotate: a new active key, the first one still published.
    let mut rotated = KeySet::new(
        SigningKey::from_pkcs8_pem(
            Algorithm::ES256,
            first_pem.expose_secret(),
            Some(first_kid.clone()),
        )
        .unwrap(),
    );
    let (second, _) = SigningKey::generate(Algorithm::ES256).unwrap();
    let second_kid = second.kid().to_owned();
    rotated.rotate(second).unwrap();
    *current.write().unwrap() = token_routes::router(Arc::new(issuer(&url, rotated, &secret)));

    let new_token = token(&http, &token_endpoint, &secret).await;
    assert_ne!(new_token, old_token);
    validator
        .validate(&new_token, UnixTime::now())
        .await
        .expect("the new key is fetched on its first token");
    validator
        .validate(&old_token, UnixTime::now())
        .await
        .expect("the previous key is still published");
    let kids: Vec<String> = remote
        .current()
        .unwrap()
        .iter()
        .map(|(kid, _)| kid.to_owned())
        .collect();
    assert!(
        kids.contains(&first_kid) && kids.contains(&second_kid),
        "{kids:?}"
    );

    // Retired and unpublished: the old key's tokens stop verifying once the
    // set is fetched again (here, by a token naming yet another kid).
    let retired = KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0);
    *current.write().unwrap() = token_routes::router(Arc::new(issuer(&url, retired, &secret)));
    let third_token = token(&http, &token_endpoint, &secret).await;
    // Within the kid-miss interval of the last refetch: refused, not fetched.
    let now = UnixTime::now();
    assert_eq!(
        validator.validate(&third_token, now).await.unwrap_err(),
        ValidationError::UnknownKey
    );
    let later = now.saturating_add(Duration::from_secs(6));
    assert!(validator.validate(&third_token, later).await.is_ok());
    assert_eq!(
        validator.validate(&old_token, later).await.unwrap_err(),
        ValidationError::UnknownKey
    );
    server.abort();
}
