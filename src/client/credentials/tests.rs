use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{Credentials, JWT_BEARER_GRANT_TYPE};
use crate::client::platform_token::PlatformTokenFile;
use crate::jose::algorithm::Algorithm;
use crate::jose::keys::SigningKey;
use crate::vocab::ids::ClientId;
use crate::vocab::secret::ClientSecret;
use crate::vocab::time::UnixTime;

const ENDPOINT: &str = "https://auth.example.com/token";
const ISSUER: &str = "https://auth.example.com";
const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);

fn id(value: &str) -> ClientId {
    ClientId::new(value).unwrap()
}

fn form(body: &str) -> HashMap<String, String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(body)
        .unwrap()
        .into_iter()
        .collect()
}

fn request(
    credentials: &Credentials,
    issuer: Option<&str>,
) -> (Option<String>, HashMap<String, String>) {
    let request = credentials
        .token_request(
            ENDPOINT,
            issuer,
            Some("a:read b:write"),
            Some("https://api.example.com"),
            NOW,
        )
        .unwrap();
    assert_eq!(request.url, ENDPOINT);
    (request.authorization, form(&request.body))
}

#[test]
fn client_secret_basic_form_encodes_id_and_secret_before_base64() {
    let credentials =
        Credentials::client_secret_basic(id("job one"), ClientSecret::new("s3cr:et+/%"));
    let (authorization, body) = request(&credentials, None);
    let encoded = authorization.unwrap();
    let decoded = STANDARD
        .decode(encoded.strip_prefix("Basic ").unwrap())
        .unwrap();
    assert_eq!(
        String::from_utf8(decoded).unwrap(),
        "job%20one:s3cr%3Aet%2B%2F%25"
    );
    assert_eq!(body["grant_type"], "client_credentials");
    assert_eq!(body["scope"], "a:read b:write");
    assert_eq!(body["resource"], "https://api.example.com");
    assert!(!body.contains_key("client_secret"));
}

#[test]
fn client_secret_post_puts_the_secret_in_the_body() {
    let credentials = Credentials::client_secret_post(id("job"), ClientSecret::new("s&=cret"));
    let (authorization, body) = request(&credentials, None);
    assert_eq!(authorization, None);
    assert_eq!(body["client_id"], "job");
    assert_eq!(body["client_secret"], "s&=cret");
    assert_eq!(body["grant_type"], "client_credentials");
}

/// The claims of a compact JWS, after checking its signature with `key`'s
/// public JWK.
fn verified_claims(jws: &str, key: &SigningKey, audience: &str) -> serde_json::Value {
    let jwk = key.public_jwk().unwrap();
    let decoding = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_audience(&[audience]);
    validation.validate_exp = false;
    let data = jsonwebtoken::decode::<serde_json::Value>(jws, &decoding, &validation).unwrap();
    assert_eq!(data.header.kid.as_deref(), Some(key.kid()));
    assert_eq!(data.header.typ.as_deref(), Some("JWT"));
    data.claims
}

#[test]
fn private_key_jwt_signs_a_fresh_short_assertion_for_the_issuer() {
    let (key, pem) = SigningKey::generate(Algorithm::ES256).unwrap();
    let credentials = Credentials::private_key_jwt(id("agent"), key);
    let check_key =
        SigningKey::from_pkcs8_pem(Algorithm::ES256, pem.expose_secret(), None).unwrap();

    let (authorization, body) = request(&credentials, Some(ISSUER));
    assert_eq!(authorization, None);
    assert_eq!(
        body["client_assertion_type"],
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
    let claims = verified_claims(&body["client_assertion"], &check_key, ISSUER);
    assert_eq!(claims["iss"], "agent");
    assert_eq!(claims["sub"], "agent");
    assert_eq!(claims["iat"], NOW.as_secs());
    assert_eq!(claims["exp"], NOW.as_secs() + 60);

    let (_, again) = request(&credentials, Some(ISSUER));
    let claims_again = verified_claims(&again["client_assertion"], &check_key, ISSUER);
    assert_ne!(
        claims["jti"], claims_again["jti"],
        "one assertion per request"
    );

    // Without discovery the token endpoint is the audience; or as configured.
    let (_, body) = request(&credentials, None);
    verified_claims(&body["client_assertion"], &check_key, ENDPOINT);
    let credentials = credentials.assertion_audience("https://other.example.com");
    let (_, body) = request(&credentials, Some(ISSUER));
    verified_claims(
        &body["client_assertion"],
        &check_key,
        "https://other.example.com",
    );
}

fn temp_path(name: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    std::env::temp_dir().join(format!(
        "cc-jwt-bearer-{name}-{}-{nanos}",
        std::process::id()
    ))
}

#[test]
fn jwt_bearer_sends_the_platform_token_as_the_assertion_and_rereads_it() {
    let path = temp_path("grant");
    std::fs::write(&path, "eyJhbGciOi.platform.one\n").unwrap();
    let credentials = Credentials::jwt_bearer(PlatformTokenFile::new(&path), None);
    let (authorization, body) = request(&credentials, Some(ISSUER));
    assert_eq!(authorization, None);
    assert_eq!(body["grant_type"], JWT_BEARER_GRANT_TYPE);
    assert_eq!(body["assertion"], "eyJhbGciOi.platform.one");
    assert_eq!(body["scope"], "a:read b:write");
    assert_eq!(body["resource"], "https://api.example.com");
    assert!(!body.contains_key("client_id"));

    let next = temp_path("grant-next");
    std::fs::write(&next, "eyJhbGciOi.platform.two.rotated").unwrap();
    std::fs::rename(&next, &path).unwrap();
    let (_, body) = request(&credentials, Some(ISSUER));
    assert_eq!(
        body["assertion"], "eyJhbGciOi.platform.two.rotated",
        "read again"
    );
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn jwt_bearer_with_client_authentication_sends_both() {
    let path = temp_path("grant-auth");
    std::fs::write(&path, "platform.token.value").unwrap();
    let client = Credentials::client_secret_basic(id("job"), ClientSecret::new("secret"));
    let credentials = Credentials::jwt_bearer(PlatformTokenFile::new(&path), Some(client));
    let (authorization, body) = request(&credentials, None);
    assert!(authorization.unwrap().starts_with("Basic "));
    assert_eq!(body["grant_type"], JWT_BEARER_GRANT_TYPE);
    assert_eq!(body["assertion"], "platform.token.value");
    assert_eq!(credentials.client_id().map(ClientId::as_str), Some("job"));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn jwt_bearer_without_its_file_is_a_credentials_error() {
    let credentials = Credentials::jwt_bearer(PlatformTokenFile::new(temp_path("absent")), None);
    let error = credentials
        .token_request(ENDPOINT, None, None, None, NOW)
        .unwrap_err();
    assert!(matches!(
        error,
        crate::client::TokenSourceError::Credentials(_)
    ));
}

#[test]
fn debug_redacts_secrets_keys_and_requests() {
    let (key, _) = SigningKey::generate(Algorithm::ES256).unwrap();
    let path = temp_path("debug");
    std::fs::write(&path, "platform-token-value").unwrap();
    let all = [
        Credentials::client_secret_basic(id("job"), ClientSecret::new("basic-secret-value")),
        Credentials::client_secret_post(id("job"), ClientSecret::new("post-secret-value")),
        Credentials::private_key_jwt(id("job"), key),
        Credentials::jwt_bearer(
            PlatformTokenFile::new(&path),
            Some(Credentials::client_secret_post(
                id("job"),
                ClientSecret::new("post-secret-value"),
            )),
        ),
    ];
    for credentials in &all {
        let debug = format!("{credentials:?}");
        for secret in [
            "basic-secret-value",
            "post-secret-value",
            "platform-token-value",
        ] {
            assert!(!debug.contains(secret), "{debug}");
        }
        assert!(debug.contains("job"), "{debug}");
        let request = credentials
            .token_request(ENDPOINT, Some(ISSUER), None, None, NOW)
            .unwrap();
        let debug = format!("{request:?}");
        assert!(
            !debug.contains("secret-value") && !debug.contains("platform-token"),
            "{debug}"
        );
        assert!(
            !debug.contains("client_assertion=") && !debug.contains("Basic "),
            "{debug}"
        );
    }
    std::fs::remove_file(&path).unwrap();
}
