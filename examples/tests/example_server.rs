//! The example server's `--config` path end to end over HTTP, the errors a bad
//! configuration gives.

mod fixtures;

use std::net::SocketAddr;
use std::sync::Arc;

use client_credentials::{Algorithm, ClientSecret, SecretHash, SigningKey};
use serde_json::Value;

use client_credentials_examples::axum_server::config;
use fixtures::{bounded, get_json, http_client, temp_files, token_basic, verify_access_token};

/// A configuration for an issuer at `http://{addr}` with one client `job`
/// holding the secret hashed as `hash`, plus `extra` TOML for it.
fn config_toml(addr: SocketAddr, hash: &str, extra_client: &str) -> String {
    format!(
        r#"
issuer = "http://{addr}"
listen = "{addr}"
scopes_supported = ["metrics:read", "metrics:write"]

[policy]
default_token_lifetime_secs = 120

[[keys]]
algorithm = "ES256"
private_key_file = "signing.pem"
kid = "2026-11"

[[keys]]
algorithm = "ES256"
private_key_file = "previous.pem"

[[clients]]
id = "job"
allowed_scopes = ["metrics:read", "metrics:write"]
default_scopes = ["metrics:read"]
default_audience = "https://metrics.example.com"
{extra_client}

[[clients.secrets]]
id = "s1"
hash = "{hash}"

[[clients]]
id = "retired"
enabled = false
allowed_scopes = ["metrics:read"]
default_audience = "https://metrics.example.com"

[[clients.secrets]]
id = "s1"
hash = "{hash}"
"#
    )
}

/// Loads `toml` beside its two keys (PKCS#8 PEM; fresh ones when `None`) and
/// serves it on `listener`.
fn load_and_serve(
    listener: tokio::net::TcpListener,
    toml: &str,
    keys: Option<[&str; 2]>,
) -> tempfile::TempDir {
    let fresh = [fixtures::es256_pem(), fixtures::es256_pem()];
    let [signing, previous] = keys.unwrap_or([&fresh[0], &fresh[1]]);
    let dir = temp_files(&[
        ("server.toml", toml),
        ("signing.pem", signing),
        ("previous.pem", previous),
    ]);
    let server = match config::ServerConfig::load(&dir.path().join("server.toml")) {
        Ok(server) => server,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(Some(server.listen), listener.local_addr().ok());
    fixtures::serve_axum(listener, Arc::new(server.issuer));
    dir
}

#[tokio::test]
async fn config_file_serves_tokens_over_http() {
    bounded(async {
        let secret = ClientSecret::generate();
        let hash = SecretHash::fast(&secret).unwrap().to_string();
        let (listener, addr) = fixtures::bind().await;
        let base = format!("http://{addr}");
        let _dir = load_and_serve(listener, &config_toml(addr, &hash, ""), None);

        let (status, body) =
            token_basic(&base, "job", secret.expose_secret(), "metrics:write").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["expires_in"], 120,
            "[policy] default_token_lifetime_secs"
        );
        assert_eq!(body["scope"], "metrics:write");
        let token = body["access_token"].as_str().unwrap();
        let claims = verify_access_token(&base, token, &base, "https://metrics.example.com").await;
        assert_eq!(claims["credential_id"], "s1");
        let header = jsonwebtoken::decode_header(token).unwrap();
        assert_eq!(
            header.kid.as_deref(),
            Some("2026-11"),
            "the first key signs"
        );

        let jwks: Value = get_json(&format!("{base}/jwks.json")).await;
        assert_eq!(
            jwks["keys"].as_array().unwrap().len(),
            2,
            "the previous key stays published"
        );

        let metadata: Value =
            get_json(&format!("{base}/.well-known/oauth-authorization-server")).await;
        assert_eq!(
            metadata["scopes_supported"],
            serde_json::json!(["metrics:read", "metrics:write"])
        );

        let (status, body) = token_basic(&base, "job", "wrong", "metrics:read").await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client"))
        );
        let (status, body) =
            token_basic(&base, "retired", secret.expose_secret(), "metrics:read").await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("unauthorized_client")),
            "C18"
        );
    })
    .await;
}

#[tokio::test]
async fn config_file_auth_methods_restrict_the_client() {
    bounded(async {
        let secret = ClientSecret::generate();
        let hash = SecretHash::fast(&secret).unwrap().to_string();
        let (listener, addr) = fixtures::bind().await;
        let base = format!("http://{addr}");
        let _dir = load_and_serve(
            listener,
            &config_toml(addr, &hash, r#"auth_methods = ["client_secret_post"]"#),
            None,
        );

        let (status, _) = token_basic(&base, "job", secret.expose_secret(), "metrics:read").await;
        assert_eq!(status, 401, "C14: Basic is not this client's method");
        let response = http_client()
            .post(format!("{base}/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "job"),
                ("client_secret", secret.expose_secret()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    })
    .await;
}

/// The error `ServerConfig::load` gives for `toml` beside a valid key.
fn load_error(toml: &str) -> String {
    let dir = temp_files(&[
        ("server.toml", toml),
        ("signing.pem", &fixtures::es256_pem()),
    ]);
    match config::ServerConfig::load(&dir.path().join("server.toml")) {
        Ok(_) => panic!("accepted:\n{toml}"),
        Err(e) => e.to_string(),
    }
}

const VALID: &str = r#"
issuer = "http://127.0.0.1:8080"
listen = "127.0.0.1:8080"

[[keys]]
algorithm = "ES256"
private_key_file = "signing.pem"

[[clients]]
id = "job"
default_audience = "https://metrics.example.com"

[[clients.secrets]]
id = "s1"
hash = "$sha256$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
"#;

#[test]
fn the_valid_base_loads() {
    let dir = temp_files(&[
        ("server.toml", VALID),
        ("signing.pem", &fixtures::es256_pem()),
    ]);
    let server = config::ServerConfig::load(&dir.path().join("server.toml"));
    assert!(server.is_ok_and(|s| s.issuer.issuer_id() == "http://127.0.0.1:8080"));
}

#[test]
fn malformed_configs_give_clear_errors() {
    let cases: [(&str, String, &[&str]); 7] = [
        (
            "unknown top-level field",
            VALID.replace("listen =", "colour = \"red\"\nlisten ="),
            &["server.toml", "unknown field `colour`"],
        ),
        (
            "unknown client field",
            VALID.replace("id = \"job\"", "id = \"job\"\nscope = \"a\""),
            &["unknown field `scope`"],
        ),
        (
            "bad hash",
            VALID.replace("$sha256$AAAA", "sha256$AAAA"),
            &[
                "client \"job\"",
                "invalid secret hash",
                "must start with '$'",
            ],
        ),
        (
            "missing key file",
            VALID.replace("signing.pem", "absent.pem"),
            &["absent.pem"],
        ),
        (
            "http issuer off loopback",
            VALID.replace("http://127.0.0.1:8080", "http://auth.example.com"),
            &[
                "invalid issuer identifier",
                "http://auth.example.com",
                "https",
            ],
        ),
        (
            "no key",
            VALID[..VALID.find("[[keys]]").unwrap()].to_owned(),
            &["keys"],
        ),
        (
            "unknown algorithm",
            VALID.replace("\"ES256\"", "\"none\""),
            &["unknown algorithm \"none\""],
        ),
    ];
    for (what, toml, expected) in cases {
        let error = load_error(&toml);
        for part in expected {
            assert!(error.contains(part), "{what}: {error:?} lacks {part:?}");
        }
    }
}

/// The trusted-issuer and claim-rule sections: a Kubernetes cluster's key
/// given inline, and a rule for one namespace.
fn federation_toml(jwks: &str) -> String {
    format!(
        r#"
[[trusted_issuers]]
issuer = "https://kubernetes.default.svc.cluster.local"
jwks = '{jwks}'
algorithms = ["ES256"]
max_assertion_lifetime_secs = 3600

[[claim_rules]]
name = "k8s-reporting"
issuer = "https://kubernetes.default.svc.cluster.local"
subject_pattern = "system:serviceaccount:reporting:*"
client_id = "reporting-workloads"
allowed_scopes = ["metrics:read"]
default_scopes = ["metrics:read"]
default_audience = "https://metrics.example.com"
allow_token_reuse = true
"#
    )
}

#[tokio::test]
async fn config_file_trusted_issuers_serve_the_jwt_bearer_grant() {
    bounded(async {
        let platform_pem = fixtures::es256_pem();
        let platform =
            SigningKey::from_pkcs8_pem(Algorithm::ES256, &platform_pem, Some("k8s-1".into()))
                .unwrap();
        let jwks = serde_json::json!({ "keys": [platform.public_jwk().unwrap()] }).to_string();
        let hash = SecretHash::fast(&ClientSecret::generate()).unwrap().to_string();
        let (listener, addr) = fixtures::bind().await;
        let base = format!("http://{addr}");
        let toml = config_toml(addr, &hash, "") + &federation_toml(&jwks);
        let _dir = load_and_serve(listener, &toml, None);

        let metadata: Value =
            get_json(&format!("{base}/.well-known/oauth-authorization-server")).await;
        assert_eq!(
            metadata["grant_types_supported"],
            serde_json::json!([
                "client_credentials",
                "urn:ietf:params:oauth:grant-type:jwt-bearer"
            ])
        );

        let now = client_credentials::UnixTime::now().as_secs();
        let claims = serde_json::json!({
            "aud": [format!("{base}/token")],
            "exp": now + 600, "iat": now, "nbf": now,
            "iss": "https://kubernetes.default.svc.cluster.local",
            "kubernetes.io": { "namespace": "reporting", "serviceaccount": { "name": "exporter", "uid": "0f4e8a2c" } },
            "sub": "system:serviceaccount:reporting:exporter"
        });
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.typ = None;
        header.kid = Some("k8s-1".into());
        let der: String = platform_pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let key = jsonwebtoken::EncodingKey::from_ec_der(
            &base64::Engine::decode(&base64::engine::general_purpose::STANDARD, der).unwrap(),
        );
        let assertion = jsonwebtoken::encode(&header, &claims, &key).unwrap();
        let post = |assertion: String| {
            let base = base.clone();
            async move {
                let response = fixtures::http_client()
                    .post(format!("{base}/token"))
                    .form(&[
                        ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                        ("assertion", &assertion),
                    ])
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.unwrap())
            }
        };
        let (status, body) = post(assertion.clone()).await;
        assert_eq!(status, 200, "{body}");
        let token = body["access_token"].as_str().unwrap();
        let claims = verify_access_token(&base, token, &base, "https://metrics.example.com").await;
        assert_eq!(claims["sub"], "system:serviceaccount:reporting:exporter");
        assert_eq!(claims["client_id"], "reporting-workloads");

        // Another last character that is still canonical base64url (its
        // unused low bits zero), so the signature itself changes.
        let mut tampered = assertion;
        let last = tampered.pop();
        tampered.push(if last == Some('A') { 'Q' } else { 'A' });
        let (status, body) = post(tampered).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    })
    .await;
}

#[test]
fn config_file_federation_mistakes_give_clear_errors() {
    let bad_rule = federation_toml(r#"{"keys":[]}"#);
    let error = load_error(&format!("{VALID}{bad_rule}"));
    assert!(error.contains("trusted issuer"), "{error}");
    let jwks = serde_json::json!({ "keys": [SigningKey::generate(Algorithm::ES256).unwrap().0.public_jwk().unwrap()] }).to_string();
    let two_subjects =
        federation_toml(&jwks).replace("subject_pattern", "subject_exact = \"x\"\nsubject_pattern");
    let error = load_error(&format!("{VALID}{two_subjects}"));
    assert!(error.contains("claim rule \"k8s-reporting\""), "{error}");
    let http = federation_toml(&jwks).replace(
        &format!("jwks = '{jwks}'"),
        "jwks_uri = \"http://keys.example.com/jwks\"",
    );
    let error = load_error(&format!("{VALID}{http}"));
    assert!(error.contains("trusted issuer"), "{error}");
}
