//! `platform_token`: the `assertion` of a JWT-bearer grant (RFC 7523 §2.1),
//! a platform token exchanged at a fresh [`Issuer`] that trusts one platform
//! with a fixed JWK Set.

use std::sync::Arc;

use super::{
    FixedEd25519, Outcome, block_on, form_urlencode, is_nqschar, jws_claims, mutate, split_flags,
};
use crate::issuer::{ClaimRule, JWT_BEARER_GRANT_TYPE, SubjectMatch, TrustedIssuer};
use crate::store::MemoryClientStore;
use crate::{
    Audience, ClientId, FixedClock, HttpResponse, Issuer, KeySet, RequestParts, ScopeSet,
    SigningKey, UnixTime, Validator, VerificationKeys,
};

const ISSUER: &str = "https://as.example.com";
/// The token endpoint: the audience platform tokens must name.
const TOKEN_ENDPOINT: &str = "https://as.example.com/token";
const RESOURCE: &str = "https://api.example.com";
/// The trusted platform.
const PLATFORM: &str = "https://platform.example.com";
/// The `kid` of the platform's only key.
const PLATFORM_KID: &str = "p-1";
/// The seed of the platform's Ed25519 key (a public test key).
const PLATFORM_SEED: [u8; 32] = [0x53; 32];
/// The subjects the claim rule matches: this prefix and one character or more.
const SUBJECT_PREFIX: &str = "system:serviceaccount:payments:";
/// The claim the rule requires, and its value.
const CLUSTER: (&str, &str) = ("cluster", "prod");
/// The logical client of the rule.
const CLIENT: &str = "payments";
/// The issuer's clock, in seconds since the epoch.
const NOW: u64 = 1_700_000_000;
/// The trusted issuer's leeway and maximum lifetime (their defaults).
const LEEWAY: u64 = 60;
const MAX_LIFETIME: u64 = 3600;
const ISSUER_SECRET: &[u8] = b"fuzz-federation-issuer-secret-0123456789";

/// A platform token sent as the `assertion` of a JWT-bearer grant to a fresh
/// [`Issuer`] trusting `https://platform.example.com` (one Ed25519 key, `kid`
/// `p-1`) with one one-use claim rule: `sub`
/// `system:serviceaccount:payments:*` and `cluster` = `prod` get a token for
/// the client `payments`.
///
/// Input layout: one flags byte, then the rest. Flags bits 0–1 pick how the
/// rest becomes the assertion:
/// - `0`: the rest is the assertion, as bytes (percent-encoded in the body,
///   so text that is not UTF-8 reaches the form parser);
/// - `1`: the rest is `header NUL claims`, JSON texts signed as they are with
///   the platform's key (so the fuzzer reaches the header and claim checks);
/// - `2`: the rest is a list of 4-byte edits (see `mutate`) applied to a valid
///   platform token;
/// - `3`: the rest is the claims, signed under the header the platform writes.
///
/// # Panics
/// When a refusal is not 400 `invalid_grant` or `invalid_request` with an
/// NQSCHAR description (never a 5xx: the keys are fixed); when a token is
/// issued for a platform token that breaks RFC 7523 §3 or the rule (another
/// issuer, audience or subject, no `cluster`, no `jti`, expired, not yet
/// valid, too long-lived), when the access token does not validate with the
/// issuer's key or names another subject or client, or when the same platform
/// token is exchanged twice.
pub fn platform_token(data: &[u8]) -> Outcome {
    let (flags, rest) = split_flags(data);
    let key = FixedEd25519::new(PLATFORM_SEED);
    let assertion: Vec<u8> = match flags & 0b11 {
        0 => rest.to_vec(),
        1 => {
            let mut fields = rest.splitn(2, |&b| b == 0);
            let header = fields.next().unwrap_or_default();
            key.compact(header, fields.next().unwrap_or_default())
                .into_bytes()
        }
        2 => mutate(&valid_platform_token(), rest).into_bytes(),
        _ => key.compact(HEADER.as_bytes(), rest).into_bytes(),
    };
    let body = format!(
        "grant_type={}&assertion={}",
        form_urlencode(JWT_BEARER_GRANT_TYPE),
        form_urlencode(&assertion),
    );
    let issuer = issuer();
    let first = send(&issuer, &body);
    if first.status != 200 {
        return Outcome::Refused;
    }
    let text = std::str::from_utf8(&assertion).expect("an accepted assertion is UTF-8");
    check_accepted(text, &first);
    let again = send(&issuer, &body);
    assert_ne!(
        again.status, 200,
        "the same platform token was accepted twice"
    );
    Outcome::Accepted
}

/// The header the platform writes.
const HEADER: &str = r#"{"alg":"EdDSA","typ":"JWT","kid":"p-1"}"#;

/// A valid platform token at the issuer's clock.
pub fn valid_platform_token() -> String {
    let claims = format!(
        r#"{{"iss":"{PLATFORM}","sub":"{SUBJECT_PREFIX}api","aud":["{TOKEN_ENDPOINT}"],"iat":{NOW},"nbf":{NOW},"exp":{exp},"jti":"p-1","cluster":"prod"}}"#,
        exp = NOW + 600,
    );
    FixedEd25519::new(PLATFORM_SEED).compact(HEADER.as_bytes(), claims.as_bytes())
}

fn send(issuer: &Issuer<MemoryClientStore>, body: &str) -> HttpResponse {
    let response = block_on(issuer.handle_token_request(RequestParts::form_post(body.as_bytes())));
    if response.status != 200 {
        assert_eq!(
            response.status,
            400,
            "refused with {}: {}",
            response.status,
            String::from_utf8_lossy(&response.body)
        );
        let body: serde_json::Value =
            serde_json::from_slice(&response.body).expect("an error response is JSON");
        let code = body["error"].as_str().expect("an error code");
        assert!(
            ["invalid_grant", "invalid_request"].contains(&code),
            "error code {code}"
        );
        if let Some(description) = body.get("error_description") {
            let description = description.as_str().expect("a string description");
            assert!(description.bytes().all(is_nqschar), "{description:?}");
        }
    }
    response
}

fn check_accepted(assertion: &str, response: &HttpResponse) {
    let header = assertion
        .split('.')
        .next()
        .and_then(|h| {
            use base64::Engine as _;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(h)
                .ok()
        })
        .and_then(|json| serde_json::from_slice::<serde_json::Value>(&json).ok())
        .expect("an accepted header is JSON");
    assert_eq!(header["alg"], "EdDSA", "accepted another algorithm");
    let claims = jws_claims(assertion);
    assert_eq!(claims["iss"], PLATFORM, "accepted another issuer");
    let sub = claims["sub"].as_str().expect("an accepted token has a sub");
    assert!(
        sub.len() > SUBJECT_PREFIX.len() && sub.starts_with(SUBJECT_PREFIX),
        "accepted the subject {sub:?}"
    );
    assert_eq!(claims[CLUSTER.0], CLUSTER.1, "accepted another cluster");
    let names_us = match &claims["aud"] {
        serde_json::Value::String(aud) => aud == TOKEN_ENDPOINT,
        serde_json::Value::Array(list) => list.iter().any(|aud| aud == TOKEN_ENDPOINT),
        _ => false,
    };
    assert!(names_us, "accepted another audience");
    assert!(claims["jti"].as_str().is_some_and(|jti| !jti.is_empty()));
    let exp = claims["exp"].as_f64().expect("a numeric exp");
    assert!(exp + LEEWAY as f64 > NOW as f64, "accepted after its exp");
    assert!(
        exp <= (NOW + MAX_LIFETIME + LEEWAY + 1) as f64,
        "accepted an exp too far ahead"
    );
    for name in ["nbf", "iat"] {
        if let Some(t) = claims[name].as_f64() {
            assert!(t <= (NOW + LEEWAY + 1) as f64, "accepted a future {name}");
        }
    }

    let body: serde_json::Value =
        serde_json::from_slice(&response.body).expect("a token response is JSON");
    let token = body["access_token"].as_str().expect("an access token");
    let validator = Validator::builder(
        ISSUER,
        Audience::new(RESOURCE).expect("a valid audience"),
        VerificationKeys::from_key_set(&issuer_keys()),
    )
    .build()
    .expect("a valid validator");
    let verified = block_on(validator.validate(token, UnixTime::from_secs(NOW)))
        .expect("the issuer's token validates");
    assert_eq!(verified.client_id(), CLIENT);
    assert_eq!(verified.claims().sub, sub);
}

fn issuer_keys() -> KeySet {
    KeySet::new(SigningKey::hs256(ISSUER_SECRET, Some("as-1".into())).expect("a valid HS256 key"))
}

/// A fresh issuer per input, so that the replay guard starts empty.
fn issuer() -> Issuer<MemoryClientStore> {
    let platform_keys = KeySet::new(FixedEd25519::new(PLATFORM_SEED).signing_key(PLATFORM_KID));
    let trusted =
        TrustedIssuer::with_keys(PLATFORM, VerificationKeys::from_key_set(&platform_keys))
            .expect("a valid trusted issuer");
    let scopes = ScopeSet::from_strs(["payments:read"]).expect("valid scopes");
    let rule = ClaimRule::builder(
        "payments-rule",
        PLATFORM,
        SubjectMatch::Pattern(format!("{SUBJECT_PREFIX}*")),
        ClientId::new(CLIENT).expect("a valid id"),
    )
    .claim(CLUSTER.0, CLUSTER.1)
    .allowed_scopes(scopes.clone())
    .default_scopes(scopes)
    .default_audience(Audience::new(RESOURCE).expect("a valid audience"))
    .build()
    .expect("a valid rule");
    Issuer::builder(ISSUER, issuer_keys(), MemoryClientStore::new())
        .token_endpoint(TOKEN_ENDPOINT)
        .clock(Arc::new(FixedClock::new(UnixTime::from_secs(NOW))))
        .trusted_issuer(trusted)
        .claim_rule(rule)
        .build()
        .expect("a valid issuer")
}
