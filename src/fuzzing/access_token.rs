//! `access_token`: a bearer token checked by a [`Validator`] (RFC 9068 §4),
//! arbitrary or a structured mutation of a valid one.

use std::sync::OnceLock;

use super::{Outcome, block_on, hs256_compact, is_nqschar, mutate, split_flags};
use crate::{
    Audience, KeySet, ScopeSet, SigningKey, UnixTime, ValidationError, Validator, VerificationKeys,
};

/// The issuer the validator trusts.
const TOKEN_ISSUER: &str = "https://as.example.com";
/// The validator's audience.
const TOKEN_AUDIENCE: &str = "https://api.example.com";
/// The validator's clock, in seconds since the epoch.
const TOKEN_NOW: u64 = 1_700_000_000;
/// The key id of the issuer's HS256 key.
const TOKEN_KID: &str = "at-1";
const TOKEN_SECRET: &[u8] = b"fuzz-access-token-secret-0123456789-abcdefgh";
/// The validator's leeway, in seconds (its default).
const LEEWAY: u64 = 60;

/// A bearer token validated at a fixed time by a [`Validator`] that trusts one
/// HS256 key (`kid` `at-1`) and one ES256 key.
///
/// Input layout: one flags byte, then the rest. Flags bits 0–1 pick how the
/// rest becomes a token:
/// - `0`: the rest is the token (UTF-8, lossily);
/// - `1`: the rest is `header NUL claims`, JSON texts signed as they are with
///   the HS256 key (so the fuzzer reaches the header and claim checks);
/// - `2`: the rest is a list of 4-byte edits (see `mutate`) applied to a valid
///   token;
/// - `3`: the rest is the claims, signed under the header this crate writes.
///
/// # Panics
/// When a refusal is not `invalid_token` with status 401 and an NQSCHAR
/// description; when an accepted token breaks RFC 9068 (another issuer or
/// audience, expired, not yet valid, a scope that does not re-parse to itself),
/// validates differently a second time, or still validates with its signature
/// changed.
pub fn access_token(data: &[u8]) -> Outcome {
    let (flags, rest) = split_flags(data);
    let token = match flags & 0b11 {
        0 => String::from_utf8_lossy(rest).into_owned(),
        1 => {
            let mut fields = rest.splitn(2, |&b| b == 0);
            let header = fields.next().unwrap_or_default();
            hs256_compact(TOKEN_SECRET, header, fields.next().unwrap_or_default())
        }
        2 => mutate(&valid_token(), rest),
        _ => hs256_compact(TOKEN_SECRET, HEADER.as_bytes(), rest),
    };
    let validator = validator();
    let now = UnixTime::from_secs(TOKEN_NOW);
    match block_on(validator.validate(&token, now)) {
        Err(error) => {
            check_refusal(error);
            Outcome::Refused
        }
        Ok(verified) => {
            let claims = verified.claims();
            assert_eq!(claims.iss, TOKEN_ISSUER);
            assert!(claims.aud.iter().any(|aud| aud == TOKEN_AUDIENCE));
            assert!(!claims.sub.is_empty() && !claims.client_id.is_empty());
            assert!(!claims.jti.is_empty());
            assert!(claims.exp.as_secs().saturating_add(LEEWAY) > TOKEN_NOW);
            assert!(claims.iat.as_secs() <= TOKEN_NOW + LEEWAY);
            assert_eq!(verified.client_id(), claims.client_id);
            let scopes = verified.scopes();
            assert_eq!(scopes.is_empty(), claims.scope.is_none());
            if !scopes.is_empty() {
                assert_eq!(ScopeSet::parse(&scopes.to_string()).as_ref(), Some(scopes));
            }
            let again = block_on(validator.validate(&token, now)).expect("valid once, so twice");
            assert_eq!(again.claims(), claims);
            let forged = with_other_signature(&token);
            assert!(
                block_on(validator.validate(&forged, now)).is_err(),
                "a token validated with another signature"
            );
            Outcome::Accepted
        }
    }
}

/// The header this crate writes for the HS256 key.
const HEADER: &str = r#"{"alg":"HS256","typ":"at+jwt","kid":"at-1"}"#;

/// A valid token: every RFC 9068 claim, two scopes, two audiences.
pub fn valid_token() -> String {
    let claims = format!(
        r#"{{"iss":"{TOKEN_ISSUER}","sub":"c1","aud":["{TOKEN_AUDIENCE}","https://b.example.com"],"client_id":"c1","iat":{now},"exp":{exp},"jti":"t-1","scope":"read write"}}"#,
        now = TOKEN_NOW,
        exp = TOKEN_NOW + 300,
    );
    hs256_compact(TOKEN_SECRET, HEADER.as_bytes(), claims.as_bytes())
}

fn check_refusal(error: ValidationError) {
    assert_eq!(error.status(), 401);
    assert_eq!(error.error_code(), "invalid_token");
    assert!(
        error.error_description().bytes().all(is_nqschar),
        "{error:?}: description outside NQSCHAR"
    );
}

/// `token` with the first character of its signature changed, which changes
/// the signature's first byte.
fn with_other_signature(token: &str) -> String {
    let at = token.rfind('.').expect("a valid token has three parts") + 1;
    let mut forged = token.to_owned();
    let other = if token.as_bytes()[at] == b'A' {
        "B"
    } else {
        "A"
    };
    forged.replace_range(at..=at, other);
    forged
}

fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let hs256 = SigningKey::hs256(TOKEN_SECRET, Some(TOKEN_KID.into())).expect("an HS256 key");
        let es256 = SigningKey::generate(crate::Algorithm::ES256)
            .expect("an ES256 key")
            .0;
        let keys = KeySet::new(hs256)
            .with_previous(es256)
            .expect("distinct kids");
        Validator::builder(
            TOKEN_ISSUER,
            Audience::new(TOKEN_AUDIENCE).expect("a valid audience"),
            VerificationKeys::from_key_set(&keys),
        )
        .build()
        .expect("a valid validator")
    })
}
