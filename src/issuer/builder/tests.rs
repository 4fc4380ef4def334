use super::*;
use crate::jose::keys::SigningKey;
use crate::store::client_store::MemoryClientStore;

fn keys() -> KeySet {
    KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0)
}

fn build(issuer: &str) -> Result<Issuer<MemoryClientStore>, ConfigError> {
    Issuer::builder(issuer, keys(), MemoryClientStore::new()).build()
}

#[test]
fn c6_c77_issuer_and_endpoints_must_be_https() {
    assert!(build("https://as.example.com").is_ok());
    assert!(build("https://as.example.com/tenant1").is_ok());
    for bad in [
        "http://as.example.com",
        "https://as.example.com?x=1",
        "https://as.example.com#x",
        "as.example.com",
        "http://127.0.0.1:8080",
    ] {
        assert!(
            matches!(build(bad), Err(ConfigError::InvalidIssuer(_))),
            "{bad}"
        );
    }
    let bad_endpoint = Issuer::builder("https://as.example.com", keys(), MemoryClientStore::new())
        .token_endpoint("http://as.example.com/token")
        .build();
    assert!(matches!(bad_endpoint, Err(ConfigError::InvalidEndpoint(_))));
    let fragment = Issuer::builder("https://as.example.com", keys(), MemoryClientStore::new())
        .token_endpoint("https://as.example.com/token#x")
        .build();
    assert!(matches!(fragment, Err(ConfigError::InvalidEndpoint(_))));
}

#[test]
fn loopback_http_only_behind_the_dangerous_switch() {
    let ok = Issuer::builder("http://127.0.0.1:8080", keys(), MemoryClientStore::new())
        .dangerous_allow_http_loopback()
        .build()
        .unwrap();
    assert_eq!(ok.token_endpoint(), "http://127.0.0.1:8080/token");
    let not_loopback = Issuer::builder("http://as.example.com", keys(), MemoryClientStore::new())
        .dangerous_allow_http_loopback()
        .build();
    assert!(not_loopback.is_err());
}

#[test]
fn c41_the_token_endpoint_is_an_assertion_audience_only_through_the_opt_in() {
    // `AssertionSettings` offers no way to name the token endpoint: only the
    // builder's explicit switch does.
    let default = build("https://as.example.com").unwrap();
    assert_eq!(default.assertion_settings().token_endpoint_audience, None);
    let with_settings = Issuer::builder("https://as.example.com", keys(), MemoryClientStore::new())
        .assertion_settings(AssertionSettings::default())
        .build()
        .unwrap();
    assert_eq!(
        with_settings.assertion_settings().token_endpoint_audience,
        None
    );
    let opted_in = Issuer::builder("https://as.example.com", keys(), MemoryClientStore::new())
        .accept_token_endpoint_as_assertion_audience()
        .build()
        .unwrap();
    assert_eq!(
        opted_in
            .assertion_settings()
            .token_endpoint_audience
            .as_deref(),
        Some("https://as.example.com/token")
    );
}

#[test]
fn the_configured_body_limit_is_the_issuers() {
    let default = build("https://as.example.com").unwrap();
    assert_eq!(default.max_body_bytes(), DEFAULT_MAX_BODY_BYTES);
    assert_eq!(default.config().max_body_bytes(), DEFAULT_MAX_BODY_BYTES);
    let larger = Issuer::builder("https://as.example.com", keys(), MemoryClientStore::new())
        .max_body_bytes(4 * DEFAULT_MAX_BODY_BYTES)
        .build()
        .unwrap();
    assert_eq!(larger.max_body_bytes(), 4 * DEFAULT_MAX_BODY_BYTES);
}
