//! Three platforms that issue workload tokens, served on loopback as their
//! real counterparts publish themselves: an OpenID Connect Discovery document
//! and a JWK Set per issuer (a Kubernetes cluster's service-account issuer,
//! GitHub Actions' token service, a SPIRE OIDC discovery provider), their
//! signing keys, and claim sets shaped exactly like the tokens they mint.
//! `LoopbackGet` fetches from them through `HttpGet`, counting every fetch.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use client_credentials::jose::PrivateKeyPem;
use client_credentials::resource::{HttpGet, HttpGetResponse};
use client_credentials::{Algorithm, SigningKey, StoreError};
use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::fixtures::{RSA_PEM, RSA_PKCS1_PEM, der};

/// A platform's private key, as its token service signs with it.
pub struct PlatformKey {
    pub kid: String,
    pub alg: jsonwebtoken::Algorithm,
    pub encoding: EncodingKey,
    /// The public key as the platform publishes it in its JWK Set.
    pub jwk: Value,
}

impl PlatformKey {
    /// The RSA test vector, as a Kubernetes API server's
    /// `--service-account-key-file` or GitHub's token service holds one.
    pub fn rsa(kid: &str) -> Self {
        let key = SigningKey::from_pkcs8_pem(Algorithm::RS256, RSA_PEM, Some(kid.into())).unwrap();
        let mut jwk = serde_json::to_value(key.public_jwk().unwrap()).unwrap();
        jwk["use"] = json!("sig");
        Self {
            kid: kid.to_owned(),
            alg: jsonwebtoken::Algorithm::RS256,
            encoding: EncodingKey::from_rsa_der(&der(RSA_PKCS1_PEM)),
            jwk,
        }
    }

    /// A fresh P-256 key.
    pub fn es256(kid: &str) -> Self {
        let (_, pem): (SigningKey, PrivateKeyPem) = SigningKey::generate(Algorithm::ES256).unwrap();
        let key =
            SigningKey::from_pkcs8_pem(Algorithm::ES256, pem.expose_secret(), Some(kid.into()))
                .unwrap();
        let mut jwk = serde_json::to_value(key.public_jwk().unwrap()).unwrap();
        jwk["use"] = json!("sig");
        Self {
            kid: kid.to_owned(),
            alg: jsonwebtoken::Algorithm::ES256,
            encoding: EncodingKey::from_ec_der(&der(pem.expose_secret())),
            jwk,
        }
    }

    /// The header the platform writes: Kubernetes writes `alg` and `kid`
    /// only; GitHub adds `typ` and `x5t`; SPIRE adds `typ`.
    pub fn header(&self, typ: Option<&str>) -> Header {
        let mut h = Header::new(self.alg);
        h.typ = typ.map(str::to_owned);
        h.kid = Some(self.kid.clone());
        h
    }

    pub fn sign(&self, typ: Option<&str>, claims: &Value) -> String {
        encode(&self.header(typ), claims, &self.encoding).unwrap()
    }
}

/// What the loopback server publishes, per platform path (`k8s`, `github`,
/// `spire`): its JWK Set, which a test may replace (a key rotation).
#[derive(Default)]
pub struct Published {
    jwks: Mutex<HashMap<String, Value>>,
}

impl Published {
    pub fn set_keys(&self, platform: &str, keys: &[&PlatformKey]) {
        let set = json!({ "keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>() });
        self.jwks.lock().unwrap().insert(platform.to_owned(), set);
    }
}

/// The loopback server: `/{platform}/.well-known/openid-configuration` and
/// `/{platform}/jwks`.
pub struct PlatformServer {
    pub base: String,
    pub published: Arc<Published>,
}

impl PlatformServer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let published = Arc::new(Published::default());
        let state = (base.clone(), Arc::clone(&published));
        let app = axum::Router::new()
            .route(
                "/{platform}/.well-known/openid-configuration",
                get(discovery),
            )
            .route("/{platform}/jwks", get(jwks))
            .with_state(state);
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base, published }
    }

    /// The issuer identifier of `platform`.
    pub fn issuer(&self, platform: &str) -> String {
        format!("{}/{platform}", self.base)
    }
}

type ServerState = (String, Arc<Published>);

async fn discovery(
    Path(platform): Path<String>,
    State((base, _)): State<ServerState>,
) -> impl IntoResponse {
    let issuer = format!("{base}/{platform}");
    // The members Kubernetes publishes (and GitHub, with more of them).
    let document = json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
    });
    (
        [(header::CONTENT_TYPE, "application/json")],
        document.to_string(),
    )
}

async fn jwks(
    Path(platform): Path<String>,
    State((_, published)): State<ServerState>,
) -> impl IntoResponse {
    match published.jwks.lock().unwrap().get(&platform) {
        Some(set) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/jwk-set+json"),
                (header::CACHE_CONTROL, "max-age=300"),
            ],
            set.to_string(),
        ),
        None => (
            StatusCode::NOT_FOUND,
            [
                (header::CONTENT_TYPE, "text/plain"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            String::new(),
        ),
    }
}

/// A listener that accepts connections and never answers: an issuer that
/// hangs.
pub async fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    base
}

/// An address where nothing listens: an issuer that is down.
pub async fn closed_address() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    base
}

/// An `HttpGet` over plain TCP for `http://127.0.0.1:…` URLs, with a timeout
/// as the trait's contract asks, recording every URL it fetched.
#[derive(Default)]
pub struct LoopbackGet {
    pub fetched: Mutex<Vec<String>>,
}

impl LoopbackGet {
    pub fn fetches(&self) -> Vec<String> {
        self.fetched.lock().unwrap().clone()
    }

    pub fn fetches_of(&self, suffix: &str) -> usize {
        self.fetches()
            .iter()
            .filter(|u| u.ends_with(suffix))
            .count()
    }
}

/// The timeout of every fetch.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(2);

impl HttpGet for LoopbackGet {
    async fn get(&self, url: &str) -> Result<HttpGetResponse, StoreError> {
        self.fetched.lock().unwrap().push(url.to_owned());
        tokio::time::timeout(FETCH_TIMEOUT, fetch(url))
            .await
            .map_err(|_| StoreError::msg(format!("{url} did not answer in time")))?
    }
}

async fn fetch(url: &str) -> Result<HttpGetResponse, StoreError> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| StoreError::msg("loopback http only"))?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(authority)
        .await
        .map_err(StoreError::new)?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(StoreError::new)?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .map_err(StoreError::new)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| StoreError::msg("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| StoreError::msg("no status"))?;
    let cache_control = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("cache-control")
            .then(|| value.trim().to_owned())
    });
    Ok(HttpGetResponse {
        status,
        cache_control,
        body: raw[split + 4..].to_vec(),
    })
}

/// A Kubernetes projected service-account token's claims (Kubernetes 1.30+),
/// for `{namespace}:{name}`.
pub fn kubernetes_claims(
    issuer: &str,
    aud: &str,
    namespace: &str,
    name: &str,
    now: u64,
    jti: &str,
) -> Value {
    json!({
        "aud": [aud],
        "exp": now + 3600,
        "iat": now,
        "iss": issuer,
        "jti": jti,
        "kubernetes.io": {
            "namespace": namespace,
            "node": { "name": "ip-10-0-12-34.ec2.internal", "uid": "5b7d1f8e-2f4a-4c55-9a57-0e6a4f1b9c21" },
            "pod": { "name": format!("{name}-7d4b9c6f5-xk2p9"), "uid": "e3b1c9a0-7f7e-4d6c-8f57-3c2a9b1d4e55" },
            "serviceaccount": { "name": name, "uid": "0f4e8a2c-1b3d-4e5f-a6b7-c8d9e0f1a2b3" },
            "warnafter": now + 3000
        },
        "nbf": now,
        "sub": format!("system:serviceaccount:{namespace}:{name}")
    })
}

/// A GitHub Actions OIDC token's claims for a push to `git_ref` of
/// `octo-org/octo-repo`.
pub fn github_claims(issuer: &str, aud: &str, git_ref: &str, now: u64, jti: &str) -> Value {
    json!({
        "jti": jti,
        "sub": format!("repo:octo-org/octo-repo:ref:{git_ref}"),
        "aud": aud,
        "ref": git_ref,
        "sha": "d6fc7c4a4ec2e9f1a37e1a4a0b2a8c4b7f5d7c31",
        "repository": "octo-org/octo-repo",
        "repository_owner": "octo-org",
        "repository_owner_id": "123456",
        "run_id": "9876543210",
        "run_number": "42",
        "run_attempt": "1",
        "repository_visibility": "private",
        "repository_id": "654321",
        "actor_id": "111111",
        "actor": "octocat",
        "workflow": "Deploy",
        "head_ref": "",
        "base_ref": "",
        "event_name": "push",
        "ref_protected": "true",
        "ref_type": "branch",
        "workflow_ref": format!("octo-org/octo-repo/.github/workflows/deploy.yml@{git_ref}"),
        "workflow_sha": "d6fc7c4a4ec2e9f1a37e1a4a0b2a8c4b7f5d7c31",
        "job_workflow_ref": format!("octo-org/octo-repo/.github/workflows/deploy.yml@{git_ref}"),
        "job_workflow_sha": "d6fc7c4a4ec2e9f1a37e1a4a0b2a8c4b7f5d7c31",
        "runner_environment": "github-hosted",
        "iss": issuer,
        "nbf": now - 5,
        "exp": now + 300,
        "iat": now
    })
}

/// A SPIFFE JWT-SVID's claims as SPIRE mints them: `sub` the SPIFFE ID, `aud`
/// the requested audience, `exp` and `iat`, the `iss` of its OIDC discovery
/// provider, and no `jti`.
pub fn spiffe_claims(issuer: &str, aud: &str, spiffe_id: &str, now: u64) -> Value {
    json!({
        "aud": [aud],
        "exp": now + 300,
        "iat": now,
        "iss": issuer,
        "sub": spiffe_id
    })
}
