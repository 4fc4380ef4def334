//! `jwk_set`: a JWK Set document (RFC 7517 §5) read as a client's registered
//! keys ([`ClientJwks::from_json`]) and as an issuer's published keys
//! ([`VerificationKeys::from_jwks_json`]).

use super::{Outcome, split_flags};
use crate::jose::JwkSet;
use crate::{ClientJwks, ConfigError, VerificationKeys};

/// The private and symmetric JWK members a client registration must not hold.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// A JWK Set document, read both ways.
///
/// Input layout: one flags byte, then the document. Flags bit 0 wraps the
/// document as `{"keys":[…]}` (so the fuzzer can work on one JWK); otherwise
/// the rest is the whole document (UTF-8, lossily).
///
/// # Panics
/// When a refusal has no message; when an accepted set is empty, has more than
/// 16 keys or two keys with one id, cannot find its own keys by id, was
/// accepted as a client's keys although a key has a private member, or reads
/// differently after a round trip through the typed `JwkSet`.
pub fn jwk_set(data: &[u8]) -> Outcome {
    let (flags, rest) = split_flags(data);
    let rest = String::from_utf8_lossy(rest);
    let json = if flags & 1 != 0 {
        format!(r#"{{"keys":[{rest}]}}"#)
    } else {
        rest.into_owned()
    };
    let client = ClientJwks::from_json(&json);
    let published = VerificationKeys::from_jwks_json(&json);
    match &client {
        Ok(jwks) => check_client(&json, jwks),
        Err(error) => check_refusal(error),
    }
    match &published {
        Ok(keys) => check_published(&json, keys),
        Err(error) => check_refusal(error),
    }
    if client.is_ok() || published.is_ok() {
        Outcome::Accepted
    } else {
        Outcome::Refused
    }
}

fn check_refusal(error: &ConfigError) {
    assert!(!error.to_string().is_empty(), "{error:?} has no message");
}

fn check_client(json: &str, jwks: &ClientJwks) {
    let keys = jwks.keys();
    assert!((1..=crate::jose::MAX_CLIENT_KEYS).contains(&keys.len()));
    for (i, key) in keys.iter().enumerate() {
        let id = key.id().as_str();
        assert!(keys[..i].iter().all(|k| k.id() != key.id()), "duplicate id");
        assert!(
            std::ptr::eq(jwks.find(id).expect("its own id"), key),
            "{id:?} finds another key"
        );
    }
    let value: serde_json::Value = serde_json::from_str(json).expect("accepted, so JSON");
    for key in value["keys"].as_array().expect("accepted, so a keys array") {
        for member in PRIVATE_MEMBERS {
            assert!(key.get(member).is_none(), "accepted a private {member:?}");
        }
    }
    let again = ClientJwks::from_json(&round_trip(json)).expect("re-reads after a round trip");
    assert_eq!(summary(&again), summary(jwks));
}

fn check_published(json: &str, keys: &VerificationKeys) {
    assert!(!keys.is_empty());
    let kids: Vec<_> = keys.iter().map(|(kid, _)| kid).collect();
    for (i, kid) in kids.iter().enumerate() {
        assert!(!kid.is_empty(), "a key without a kid");
        assert!(!kids[..i].contains(kid), "duplicate kid {kid:?}");
    }
    let again =
        VerificationKeys::from_jwks_json(&round_trip(json)).expect("re-reads after a round trip");
    assert!(again.iter().eq(keys.iter()), "reads differently");
}

/// The ids and declared algorithms of a client's keys.
fn summary(jwks: &ClientJwks) -> Vec<(String, Option<crate::Algorithm>)> {
    jwks.keys()
        .iter()
        .map(|k| (k.id().as_str().to_owned(), k.declared_algorithm()))
        .collect()
}

/// The document read as a typed `JwkSet` (through a `Value`, as both readers
/// do) and written again.
fn round_trip(json: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(json).expect("accepted, so JSON");
    let set: JwkSet = serde_json::from_value(value).expect("accepted, so a JwkSet");
    serde_json::to_string(&set).expect("a JwkSet serialises")
}
