//! The caller's side with the JWT-bearer grant (RFC 7523 §2.1): a
//! `TokenSource` presents a workload's platform token, read from a file, to
//! the axum example's token server, which trusts the platform's issuer (a
//! Kubernetes-style service-account issuer served on loopback, found through
//! OpenID Connect Discovery) and maps the token to a client by a claim rule.
//! When the platform rotates the token file, the next token request presents
//! the new token.

mod fixtures;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::Json;
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use client_credentials::client::{
    Credentials, Endpoint, PlatformTokenFile, ReqwestHttp, TokenSource, TokenSourceError,
};
use client_credentials::{Algorithm, SigningKey, UnixTime};
use client_credentials_examples::axum_server::config::ServerConfig;
use client_credentials_examples::axum_server::routes as token_routes;
use fixtures::{bounded, http_client, verify_access_token};
use serde_json::{Value, json};

const RESOURCE: &str = "https://metrics.example.com";

/// A platform signing key: its PEM and kid.
struct PlatformKey {
    pem: String,
    kid: &'static str,
}

impl PlatformKey {
    fn new(kid: &'static str) -> Self {
        Self {
            pem: fixtures::es256_pem(),
            kid,
        }
    }

    fn public_jwk(&self) -> Value {
        let key =
            SigningKey::from_pkcs8_pem(Algorithm::ES256, &self.pem, Some(self.kid.into())).unwrap();
        serde_json::to_value(key.public_jwk().unwrap()).unwrap()
    }

    /// A service-account token for `sub`, shaped like a projected
    /// Kubernetes token, meant for `audience`, with the `jti` a rule that
    /// holds each token to one use needs.
    fn token(&self, issuer: &str, audience: &str, sub: &str) -> String {
        let now = UnixTime::now().as_secs();
        let claims = json!({
            "aud": [audience],
            "exp": now + 600, "iat": now, "nbf": now,
            "iss": issuer,
            "sub": sub,
            "jti": format!("{sub}-{now}-{}", self.kid),
            "kubernetes.io": { "namespace": "reporting", "serviceaccount": { "name": "exporter" } }
        });
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.typ = None;
        header.kid = Some(self.kid.into());
        let der: String = self
            .pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let key = jsonwebtoken::EncodingKey::from_ec_der(&STANDARD.decode(der).unwrap());
        jsonwebtoken::encode(&header, &claims, &key).unwrap()
    }
}

/// The platform's issuer on loopback: its discovery document and JWKS,
/// publishing `keys` (the current key and the next one, as a platform does
/// before it rotates).
async fn platform(keys: &[&PlatformKey]) -> String {
    let (listener, addr) = fixtures::bind().await;
    let issuer = format!("http://{addr}");
    let discovery = json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/openid/v1/jwks"),
        "id_token_signing_alg_values_supported": ["ES256"],
    });
    let jwks = json!({ "keys": keys.iter().map(|k| k.public_jwk()).collect::<Vec<_>>() });
    let app = axum::Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(move || async move { Json(discovery) }),
        )
        .route("/openid/v1/jwks", get(move || async move { Json(jwks) }));
    tokio::spawn(axum::serve(listener, app).into_future());
    issuer
}

/// The token server trusting `platform`: one claim rule for the service
/// accounts of the `reporting` namespace.
async fn token_server(platform: &str) -> String {
    let (listener, addr) = fixtures::bind().await;
    let issuer = format!("http://{addr}");
    let toml = format!(
        r#"
issuer = "{issuer}"
listen = "{addr}"

[[keys]]
algorithm = "ES256"
private_key_file = "signing.pem"

[[trusted_issuers]]
issuer = "{platform}"
discovery = "openid"
algorithms = ["ES256"]
allow_http_loopback = true

[[claim_rules]]
name = "k8s-reporting"
issuer = "{platform}"
subject_pattern = "system:serviceaccount:reporting:*"
client_id = "reporting-workloads"
allowed_scopes = ["metrics:read"]
default_scopes = ["metrics:read"]
default_audience = "{RESOURCE}"
"#
    );
    let signing = fixtures::es256_pem();
    let config = ServerConfig::from_toml(&toml, |name| match name {
        "signing.pem" => Ok(zeroize::Zeroizing::new(signing.clone())),
        other => Err(format!("no file {other}").into()),
    })
    .unwrap();
    let app = token_routes::router(Arc::new(config.issuer))
        .into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(axum::serve(listener, app).into_future());
    issuer
}

/// Replaces the file at `path` the way a platform's atomic writer does: a
/// new file renamed over the old one.
fn rotate(path: &Path, token: &str) {
    let next = path.with_extension("next");
    std::fs::write(&next, token).unwrap();
    std::fs::rename(&next, path).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_token_file_gets_tokens_and_its_rotation_is_followed() {
    bounded(async {
        let current = PlatformKey::new("k8s-1");
        let next = PlatformKey::new("k8s-2");
        let platform = platform(&[&current, &next]).await;
        let base = token_server(&platform).await;
        let audience = format!("{base}/token");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        let first = current.token(
            &platform,
            &audience,
            "system:serviceaccount:reporting:exporter",
        );
        std::fs::write(&path, &first).unwrap();
        let source = TokenSource::builder(
            Endpoint::issuer(&base),
            Credentials::jwt_bearer(PlatformTokenFile::new(&path), None),
        )
        .http(ReqwestHttp::with_client(http_client()))
        .danger_allow_http_loopback()
        .build()
        .unwrap();
        let debug = format!("{source:?}");
        assert!(!debug.contains(&first), "{debug}");

        let token = source.token().await.unwrap();
        let claims = verify_access_token(&base, token.expose_secret(), &base, RESOURCE).await;
        assert_eq!(claims["sub"], "system:serviceaccount:reporting:exporter");
        assert_eq!(claims["client_id"], "reporting-workloads");
        assert_eq!(claims["scope"], "metrics:read");

        // The same platform token again is refused: its rule does not allow
        // reuse. (The cached access token is dropped to force the request.)
        source.invalidate(None, None, &token);
        let error = source.token().await.unwrap_err();
        assert!(
            matches!(&error, TokenSourceError::Refused { error, .. } if error == "invalid_grant"),
            "{error:?}"
        );

        // The platform rotates the token (with its next key): the next
        // request presents the new one.
        let rotated = next.token(
            &platform,
            &audience,
            "system:serviceaccount:reporting:collector",
        );
        rotate(&path, &rotated);
        let token = source.token().await.unwrap();
        let claims = verify_access_token(&base, token.expose_secret(), &base, RESOURCE).await;
        assert_eq!(claims["sub"], "system:serviceaccount:reporting:collector");
        assert_eq!(claims["client_id"], "reporting-workloads");
        assert!(source.token().await.unwrap().same_token(&token), "cached");
    })
    .await;
}
