//! Interop with a second authorization server: node-oidc-provider (npm
//! `oidc-provider`, pinned in `tests/interop/oidc-provider/package-lock.json`),
//! run with `NODE_ENV=production` on a loopback port. The `TokenSource`
//! discovers its token endpoint (RFC 8414), authenticates each of three ways,
//! and the tokens it gets pass this crate's `Validator` on the provider's
//! published keys.
//!
//! The provider is installed by `npm ci` in that directory (CI does it).
//! Without node or the installed package the tests say so on stderr and
//! return; under `CI=true` they fail instead.

mod fixtures;

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use client_credentials::client::{Credentials, Endpoint, ReqwestHttp, TokenSource};
use client_credentials::resource::{RemoteKeys, RemoteKeysConfig, ReqwestGet};
use client_credentials::{
    Algorithm, Audience, ClientId, ClientSecret, SigningKey, UnixTime, Validator,
};
use fixtures::{bounded, http_client};

const API: &str = "https://api.example.com";

/// The provider's process, ended when dropped.
struct Provider {
    child: Child,
    issuer: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the provider with `clients` (client metadata), or `None` outside
/// CI when node or the package is missing.
fn start(clients: serde_json::Value) -> Option<Provider> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop/oidc-provider");
    let installed = dir.join("node_modules/oidc-provider/package.json").exists();
    let node = Command::new("node").arg("--version").output().is_ok();
    if !(installed && node) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "node-oidc-provider is not installed: run `npm ci` in {}",
            dir.display()
        );
        eprintln!(
            "node or node-oidc-provider is missing: the interop tests did not run; run `npm ci` in {}",
            dir.display()
        );
        return None;
    }
    let mut child = Command::new("node")
        .arg("server.mjs")
        .current_dir(&dir)
        .env("NODE_ENV", "production")
        .env("INTEROP_CLIENTS", clients.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let issuer = line
        .trim()
        .strip_prefix("listening ")
        .unwrap_or_else(|| panic!("the provider did not start: {line:?}"))
        .to_owned();
    Some(Provider { child, issuer })
}

fn source(provider: &Provider, credentials: Credentials) -> TokenSource {
    TokenSource::builder(Endpoint::issuer(&provider.issuer), credentials)
        .http(ReqwestHttp::with_client(http_client()))
        .danger_allow_http_loopback()
        .scope("api:read")
        .resource(API)
        .build()
        .unwrap()
}

/// This crate's validator on the provider's published keys.
fn validator(provider: &Provider) -> Validator {
    let mut config = RemoteKeysConfig::default();
    config.danger_allow_http_loopback = true;
    let keys = RemoteKeys::new(
        &provider.issuer,
        ReqwestGet::with_client(http_client()),
        config,
    )
    .unwrap();
    Validator::builder_remote(Audience::new(API).unwrap(), keys)
        .build()
        .unwrap()
}

fn secret_client(id: &str, secret: &str, method: &str) -> serde_json::Value {
    serde_json::json!({
        "client_id": id,
        "client_secret": secret,
        "grant_types": ["client_credentials"],
        "redirect_uris": [],
        "response_types": [],
        "token_endpoint_auth_method": method,
    })
}

#[tokio::test]
async fn token_source_gets_tokens_from_node_oidc_provider_with_client_secrets() {
    let basic_secret = ClientSecret::generate();
    let post_secret = ClientSecret::generate();
    let Some(provider) = start(serde_json::json!([
        secret_client(
            "interop-basic",
            basic_secret.expose_secret(),
            "client_secret_basic"
        ),
        secret_client(
            "interop-post",
            post_secret.expose_secret(),
            "client_secret_post"
        ),
    ])) else {
        return;
    };
    bounded(async {
        let validator = validator(&provider);
        for credentials in [
            Credentials::client_secret_basic(
                ClientId::new("interop-basic").unwrap(),
                ClientSecret::new(basic_secret.expose_secret()),
            ),
            Credentials::client_secret_post(
                ClientId::new("interop-post").unwrap(),
                ClientSecret::new(post_secret.expose_secret()),
            ),
        ] {
            let id = credentials.client_id().unwrap().as_str().to_owned();
            let source = source(&provider, credentials);
            let token = source.token().await.unwrap();
            assert_eq!(token.scope(), Some("api:read"));
            let verified = validator
                .validate(token.expose_secret(), UnixTime::now())
                .await
                .unwrap();
            assert_eq!(verified.client_id(), id);
            assert!(source.token().await.unwrap().same_token(&token), "cached");
        }

        let wrong = source(
            &provider,
            Credentials::client_secret_basic(
                ClientId::new("interop-basic").unwrap(),
                ClientSecret::new("wrong"),
            ),
        );
        let error = wrong.token().await.unwrap_err();
        assert!(error.to_string().contains("invalid_client"), "{error}");
    })
    .await;
}

#[tokio::test]
async fn token_source_authenticates_to_node_oidc_provider_with_private_key_jwt() {
    let (key, _) = SigningKey::generate(Algorithm::ES256).unwrap();
    let jwk = key.public_jwk().unwrap();
    let Some(provider) = start(serde_json::json!([{
        "client_id": "interop-jwt",
        "grant_types": ["client_credentials"],
        "redirect_uris": [],
        "response_types": [],
        "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": "ES256",
        "jwks": { "keys": [jwk] },
    }])) else {
        return;
    };
    bounded(async {
        let source = source(
            &provider,
            Credentials::private_key_jwt(ClientId::new("interop-jwt").unwrap(), key),
        );
        let token = source.token().await.unwrap();
        let verified = validator(&provider)
            .validate(token.expose_secret(), UnixTime::now())
            .await
            .unwrap();
        assert_eq!(verified.client_id(), "interop-jwt");
        // A second key (another scope) needs a second assertion: a fresh jti.
        source
            .token_for(Some("api:write"), Some(API))
            .await
            .unwrap();
    })
    .await;
}
