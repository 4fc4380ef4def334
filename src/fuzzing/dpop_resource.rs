//! `dpop_resource`: a request to a resource server, checked whole by
//! [`Validator::authorize`] with DPoP (RFC 9449 §7) under the MCP DPoP
//! profile: the `Authorization` header, the `DPoP` proof and the body.

use super::{
    FixedEd25519, Outcome, block_on, hs256_compact, is_nqschar, jws_claims, mutate, split_flags,
};
use crate::jose::{DpopConfig, access_token_hash, content_digest};
use crate::resource::{BearerError, ResourceRequest};
use crate::store::MemoryReplayGuard;
use crate::vocab::error::{DpopError, ValidationError};
use crate::{Audience, KeySet, SigningKey, UnixTime, Validator, VerificationKeys};

const ISSUER: &str = "https://as.example.com";
/// The resource, its audience and the URI of every request.
const RESOURCE: &str = "https://mcp.example.com/mcp";
/// The validator's clock, in seconds since the epoch.
const NOW: u64 = 1_700_000_000;
/// The MCP profile's `iat` window, either way of the clock.
const WINDOW: u64 = 300;
const TOKEN_SECRET: &[u8] = b"fuzz-dpop-resource-token-secret-0123456789";
/// The seed of the client's proof key (a public test key).
const PROOF_SEED: [u8; 32] = [0x52; 32];
/// The body of the valid request.
const BODY: &[u8] = br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;

/// A request to [`Validator::authorize`] of a fresh validator (one HS256
/// issuer key, [`DpopConfig::mcp`], a replay guard) at a fixed time.
///
/// Input layout: one flags byte, then the rest. Flags bits 0–1 pick the
/// request:
/// - `0`: the rest is `authorization NUL dpop NUL body`, the headers read as
///   UTF-8, lossily (the parts after a missing NUL are absent);
/// - `1`: a valid bound token, and as its proof the rest — the claims —
///   signed under a well-formed header of the client's Ed25519 key;
/// - `2`: a valid bound token, and as its proof a valid one with the rest as
///   4-byte edits (see `mutate`);
/// - `3`: a valid bound token and proof, with the rest as the body.
///
/// In modes 1–3, bit 2 sends the token under `Bearer` rather than `DPoP`,
/// bit 3 sends the `DPoP` header twice, bit 4 uses `GET` rather than `POST`.
///
/// # Panics
/// When a refusal is not 401 (no code, `invalid_token`, `invalid_dpop_proof`)
/// or 400 `invalid_request`, or has a description outside NQSCHAR; when a
/// request is accepted without `Authorization: DPoP`, with a proof that breaks
/// RFC 9449 §4.3 or the MCP profile (`htm`, `htu`, `ath`, `content_digest`,
/// `iat`), with a token not bound to the proof's key, or twice.
pub fn dpop_resource(data: &[u8]) -> Outcome {
    let (flags, rest) = split_flags(data);
    let key = FixedEd25519::new(PROOF_SEED);
    let token = valid_resource_token();
    let (authorization, proof, body): (String, String, Vec<u8>);
    let method = if flags & 0b1_0000 != 0 { "GET" } else { "POST" };
    let scheme = if flags & 0b100 != 0 { "Bearer" } else { "DPoP" };
    match flags & 0b11 {
        0 => {
            let mut fields = rest.splitn(3, |&b| b == 0);
            authorization = String::from_utf8_lossy(fields.next().unwrap_or_default()).into();
            proof = String::from_utf8_lossy(fields.next().unwrap_or_default()).into();
            body = fields.next().unwrap_or_default().to_vec();
        }
        mode => {
            authorization = format!("{scheme} {token}");
            (proof, body) = match mode {
                1 => (
                    key.compact(proof_header(&key).as_bytes(), rest),
                    BODY.to_vec(),
                ),
                2 => (mutate(&valid_resource_proof(), rest), BODY.to_vec()),
                _ => (valid_resource_proof(), rest.to_vec()),
            };
        }
    }
    let mut request = ResourceRequest::new(method, RESOURCE).body(&body);
    if flags & 0b11 != 0 || !authorization.is_empty() {
        request = request.authorization(&authorization);
    }
    if flags & 0b11 != 0 || !proof.is_empty() {
        request = request.dpop(&proof);
    }
    let twice = flags & 0b11 != 0 && flags & 0b1000 != 0;
    if twice {
        request = request.dpop(&proof);
    }

    let validator = validator();
    let now = UnixTime::from_secs(NOW);
    let verified = match block_on(validator.authorize(&request, now)) {
        Err(challenge) => {
            let status = challenge.status();
            match challenge.error() {
                None | Some(BearerError::InvalidToken | BearerError::InvalidDpopProof) => {
                    assert_eq!(status, 401, "{challenge:?}");
                }
                Some(BearerError::InvalidRequest) => assert_eq!(status, 400),
                Some(other) => panic!("refused with {other:?}"),
            }
            assert!(
                !matches!(
                    challenge.validation_error(),
                    Some(ValidationError::Dpop(DpopError::ReplayUnavailable))
                ),
                "an outage of an in-memory replay guard"
            );
            assert!(
                challenge
                    .header_value()
                    .bytes()
                    .all(|b| (0x20..0x7f).contains(&b)),
                "a challenge outside visible ASCII"
            );
            let response = challenge.to_http();
            if !response.body.is_empty() {
                let body: serde_json::Value =
                    serde_json::from_slice(&response.body).expect("an error body is JSON");
                let description = body["error_description"].as_str().unwrap_or_default();
                assert!(description.bytes().all(is_nqschar), "{description:?}");
            }
            return Outcome::Refused;
        }
        Ok(verified) => verified,
    };

    assert!(!twice, "two DPoP headers were accepted");
    let (scheme, presented) = authorization
        .trim_matches([' ', '\t'])
        .split_once([' ', '\t'])
        .expect("an accepted Authorization has a scheme and a token");
    assert!(
        scheme.eq_ignore_ascii_case("dpop"),
        "accepted under {scheme}"
    );
    let presented = presented.trim_matches([' ', '\t']);
    assert_eq!(
        verified.dpop_thumbprint(),
        Some(key.thumbprint().as_str()),
        "accepted a token bound to another key"
    );
    let claims = jws_claims(&proof);
    assert_eq!(claims["htm"].as_str(), Some(method), "accepted another htm");
    let htu = claims["htu"]
        .as_str()
        .expect("an accepted proof has an htu");
    assert_eq!(
        crate::vocab::url::htu_normal_form(htu).as_deref(),
        Some(RESOURCE),
        "accepted another htu"
    );
    assert_eq!(
        claims["ath"].as_str(),
        Some(access_token_hash(presented).as_str()),
        "accepted another ath"
    );
    // Padding may be left out (RFC 8941 §3.3.5): compare without it.
    let expected = content_digest(&body);
    let expected = expected
        .strip_prefix("sha-256=")
        .expect("a sha-256 digest")
        .replace('=', "");
    assert!(
        claims["content_digest"]
            .as_str()
            .is_some_and(|digest| digest.replace('=', "").contains(&expected)),
        "accepted another content_digest"
    );
    let iat = claims["iat"].as_f64().expect("a numeric iat");
    assert!(
        iat + WINDOW as f64 + 1.0 >= NOW as f64 && iat <= (NOW + WINDOW + 1) as f64,
        "accepted with iat {iat}"
    );
    let again = block_on(validator.authorize(&request, now))
        .expect_err("the same proof was accepted twice");
    assert_eq!(again.error(), Some(BearerError::InvalidDpopProof));
    Outcome::Accepted
}

/// The access token every structured request presents: valid, bound to the
/// client's proof key.
fn valid_resource_token() -> String {
    let claims = format!(
        r#"{{"iss":"{ISSUER}","sub":"c1","aud":"{RESOURCE}","client_id":"c1","iat":{NOW},"exp":{exp},"jti":"t-1","scope":"mcp:read","cnf":{{"jkt":"{jkt}"}}}}"#,
        exp = NOW + 300,
        jkt = FixedEd25519::new(PROOF_SEED).thumbprint(),
    );
    hs256_compact(
        TOKEN_SECRET,
        br#"{"alg":"HS256","typ":"at+jwt","kid":"rs-1"}"#,
        claims.as_bytes(),
    )
}

/// A valid proof for a `POST` of the valid body with the valid token.
pub fn valid_resource_proof() -> String {
    let key = FixedEd25519::new(PROOF_SEED);
    let claims = format!(
        r#"{{"jti":"fuzz-1","htm":"POST","htu":"{RESOURCE}","iat":{NOW},"ath":"{ath}","content_digest":"{digest}"}}"#,
        ath = access_token_hash(&valid_resource_token()),
        digest = content_digest(BODY),
    );
    key.compact(proof_header(&key).as_bytes(), claims.as_bytes())
}

fn proof_header(key: &FixedEd25519) -> String {
    format!(r#"{{"typ":"dpop+jwt","alg":"EdDSA","jwk":{}}}"#, key.jwk())
}

/// A fresh validator per input, so that its replay guard starts empty.
fn validator() -> Validator {
    let keys = KeySet::new(
        SigningKey::hs256(TOKEN_SECRET, Some("rs-1".into())).expect("a valid HS256 key"),
    );
    Validator::builder(
        ISSUER,
        Audience::new(RESOURCE).expect("a valid audience"),
        VerificationKeys::from_key_set(&keys),
    )
    .dpop(DpopConfig::mcp())
    .dpop_replay_guard(MemoryReplayGuard::new())
    .build()
    .expect("a valid validator")
}
