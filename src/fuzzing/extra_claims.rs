//! `extra_claims`: the reader of a received token's extra claims (RFC 9068
//! §2.2), on its own and through a [`Validator`] that reads them.

use std::sync::OnceLock;

use super::{Outcome, block_on, hs256_compact, split_flags};
use crate::vocab::extra_claims::{ExtraClaims, is_registered_claim};
use crate::{Audience, KeySet, SigningKey, UnixTime, Validator, VerificationKeys};

const ISSUER: &str = "https://as.example.com";
const AUDIENCE: &str = "https://api.example.com";
/// The validator's clock, in seconds since the epoch.
const NOW: u64 = 1_700_000_000;
const SECRET: &[u8] = b"fuzz-extra-claims-token-secret-0123456789";
const HEADER: &str = r#"{"alg":"HS256","typ":"at+jwt","kid":"x-1"}"#;

/// A claims payload read by `ExtraClaims::from_payload`, then signed as an
/// access token and validated by a [`Validator`] with
/// [`read_extra_claims`](crate::resource::ValidatorBuilder::read_extra_claims).
///
/// Input layout: one flags byte, then the rest. Flags bit 0 picks the payload:
/// - `0`: the rest is the payload;
/// - `1`: the rest is spliced into an object of valid registered claims, after
///   them (`{"iss":…,"jti":"x",` + rest + `}`), so that the token is valid
///   whenever the members are.
///
/// # Panics
/// When a payload that is not one JSON object is read; when what is read
/// holds a registered claim or a name twice, or differs from the payload's
/// members (value for value, through `Display`, `Serialize` and `get`), or
/// reads differently again from its own `Display`; when the validator
/// refuses with other than 401 `invalid_token`, or accepts the token with
/// other extra claims than the reader's.
pub fn extra_claims(data: &[u8]) -> Outcome {
    let (flags, rest) = split_flags(data);
    let payload = if flags & 1 == 0 {
        rest.to_vec()
    } else {
        let mut payload = format!(
            r#"{{"iss":"{ISSUER}","sub":"c1","aud":"{AUDIENCE}","client_id":"c1","iat":{NOW},"exp":{exp},"jti":"x","#,
            exp = NOW + 300
        )
        .into_bytes();
        payload.extend_from_slice(rest);
        payload.push(b'}');
        payload
    };

    let Some(read) = ExtraClaims::from_payload(&payload) else {
        check_validator_refuses(&payload);
        return Outcome::Refused;
    };
    // Only one JSON object in UTF-8 is read.
    let text = std::str::from_utf8(&payload).expect("read, so UTF-8");
    assert!(
        text.trim_ascii_start().starts_with('{'),
        "read a non-object"
    );
    serde_json::from_str::<serde::de::IgnoredAny>(text).expect("read, so JSON");
    // The whole payload as a `Value`, unless a member skipped unread holds a
    // number beyond `f64` (JSON allows it; `Value` cannot hold it).
    let members = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(members)) => Some(members),
        Ok(_) => panic!("read a payload that is not one JSON object"),
        Err(_) => None,
    };
    let mut seen = std::collections::BTreeSet::new();
    for (name, json) in read.iter() {
        assert!(
            !is_registered_claim(name),
            "read the registered claim {name}"
        );
        assert!(seen.insert(name), "read {name} twice");
        let value: serde_json::Value = serde_json::from_str(json).expect("a value is JSON");
        if let Some(members) = &members {
            assert_eq!(Some(&value), members.get(name), "{name} differs");
        }
        assert_eq!(
            read.get::<serde_json::Value>(name).expect("a value reads"),
            Some(value)
        );
    }
    if let Some(members) = &members {
        let unregistered = members
            .keys()
            .filter(|name| !is_registered_claim(name))
            .count();
        assert_eq!(read.len(), unregistered, "not every member was read");
    }
    let shown = read.to_string();
    let again = ExtraClaims::from_payload(shown.as_bytes()).expect("its Display reads again");
    assert_eq!(again, read, "reads differently from its Display");
    assert_eq!(
        serde_json::to_value(&read).expect("serialises"),
        serde_json::from_str::<serde_json::Value>(&shown).expect("its Display is JSON"),
    );

    let token = hs256_compact(SECRET, HEADER.as_bytes(), &payload);
    match block_on(validator().validate(&token, UnixTime::from_secs(NOW))) {
        Ok(verified) => assert_eq!(verified.extra_claims(), &read),
        Err(error) => {
            assert_eq!(error.status(), 401);
            assert_eq!(error.error_code(), "invalid_token");
        }
    }
    Outcome::Accepted
}

/// A payload the reader refuses makes no valid token either.
fn check_validator_refuses(payload: &[u8]) {
    let token = hs256_compact(SECRET, HEADER.as_bytes(), payload);
    let error = block_on(validator().validate(&token, UnixTime::from_secs(NOW)))
        .expect_err("a token whose extra claims do not read was accepted");
    assert_eq!(error.status(), 401);
    assert_eq!(error.error_code(), "invalid_token");
}

fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let keys = KeySet::new(SigningKey::hs256(SECRET, Some("x-1".into())).expect("a key"));
        Validator::builder(
            ISSUER,
            Audience::new(AUDIENCE).expect("a valid audience"),
            VerificationKeys::from_key_set(&keys),
        )
        .read_extra_claims()
        .build()
        .expect("a valid validator")
    })
}
