//! The body of the `config_file` fuzz target: not part of the examples' API and
//! hidden from their docs. It lives here so that the cargo-fuzz target in
//! `fuzz/` and the seed-corpus replay in `tests/fuzz_corpus.rs` call the very
//! same code.

use client_credentials::fuzzing::{Outcome, block_on};
use client_credentials::{RequestParts, VerificationKeys};
use zeroize::Zeroizing;

use crate::AnyError;
use crate::axum_server::config::ServerConfig;

/// The key files a fuzzed configuration may name: the public test vectors of
/// the main crate. Any other name is a missing file.
const KEY_FILES: [(&str, &str); 4] = [
    (
        "es256.pem",
        include_str!("../../tests/vectors/es256.pkcs8.pem"),
    ),
    (
        "eddsa.pem",
        include_str!("../../tests/vectors/eddsa.pkcs8.pem"),
    ),
    (
        "rs256.pem",
        include_str!("../../tests/vectors/rs256.pkcs8.pem"),
    ),
    (
        "rsa1024.pem",
        include_str!("../../tests/vectors/rsa1024-too-small.pkcs8.pem"),
    ),
];

/// The `--config` file of the axum server, read by [`ServerConfig::from_toml`]
/// with the main crate's public test vectors as its key files (`es256.pem`,
/// `eddsa.pem`, `rs256.pem`, `rsa1024.pem`).
///
/// Input: the TOML text (UTF-8, lossily).
///
/// # Panics
/// When a refusal has no message; when an accepted configuration's issuer
/// or listening address is not the one the file names, its metadata or JWK Set
/// is not what it publishes, it reads differently after a round trip through
/// TOML, or its token endpoint answers a request without credentials with
/// anything but a 4xx refusal.
pub fn config_file(data: &[u8]) -> Outcome {
    let text = String::from_utf8_lossy(data);
    let config = match ServerConfig::from_toml(&text, read_key) {
        Ok(config) => config,
        Err(error) => {
            assert!(!error.to_string().is_empty(), "an error without a message");
            return Outcome::Refused;
        }
    };
    let file: toml::Table = toml::from_str(&text).expect("accepted, so TOML");
    assert_eq!(
        Some(config.issuer.issuer_id()),
        file.get("issuer").and_then(toml::Value::as_str)
    );
    assert_eq!(
        Some(config.listen.to_string()),
        file.get("listen")
            .and_then(toml::Value::as_str)
            .and_then(|s| s.parse::<std::net::SocketAddr>().ok())
            .map(|a| a.to_string())
    );
    let metadata: serde_json::Value =
        serde_json::from_str(config.issuer.metadata_json()).expect("metadata is JSON");
    assert_eq!(metadata["issuer"], config.issuer.issuer_id());
    assert_eq!(metadata["token_endpoint"], config.issuer.token_endpoint());
    let published = VerificationKeys::from_jwks_json(config.issuer.jwks_json());
    let asymmetric = config
        .issuer
        .keys()
        .iter()
        .any(|k| k.public_jwk().is_some());
    assert_eq!(published.is_ok(), asymmetric, "{published:?}");

    let again = toml::to_string(&file).expect("a TOML table serialises");
    let reread = ServerConfig::from_toml(&again, read_key).expect("re-reads after a round trip");
    assert_eq!(reread.listen, config.listen);
    assert_eq!(reread.issuer.metadata_json(), config.issuer.metadata_json());
    assert_eq!(reread.issuer.jwks_json(), config.issuer.jwks_json());

    let response = block_on(
        config
            .issuer
            .handle_token_request(RequestParts::form_post(b"grant_type=client_credentials")),
    );
    assert!(
        (400..500).contains(&response.status),
        "a request without credentials answered {}",
        response.status
    );
    Outcome::Accepted
}

fn read_key(name: &str) -> Result<Zeroizing<String>, AnyError> {
    KEY_FILES
        .iter()
        .find(|(file, _)| *file == name)
        .map(|(_, pem)| Zeroizing::new((*pem).to_owned()))
        .ok_or_else(|| format!("{name}: no such key file").into())
}
