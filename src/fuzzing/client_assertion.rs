//! `client_assertion`: a JWT client assertion (RFC 7523 §2.2), parsed on its own
//! and sent through a fresh [`Issuer`] that knows one `client_secret_jwt` client.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::{Outcome, block_on, form_urlencode, hs256_compact, is_nqschar, mutate, split_flags};
use crate::issuer::{ClientAssertion, JWT_BEARER_ASSERTION_TYPE};
use crate::jose::JwtSecretCredential;
use crate::store::MemoryClientStore;
use crate::{
    Algorithm, Audience, AuthMethod, Client, ClientId, ClientSecret, CredentialId, FixedClock,
    HttpResponse, Issuer, KeySet, Reason, RequestParts, ScopeSet, SigningKey, TokenError, UnixTime,
    Validator, VerificationKeys,
};

/// The issuer identifier, which is also an assertion's accepted audience.
const ASSERTION_ISSUER: &str = "https://as.example.com";
/// The only client: it signs its assertions with HS256 under this secret.
const ASSERTION_CLIENT: &str = "cs";
/// The client's shared secret (`client_secret_jwt`).
const ASSERTION_SECRET: &str = "fuzz-client-secret-0123456789-abcdefghijklmnop";
/// The issuer's clock, in seconds since the epoch.
const ASSERTION_NOW: u64 = 1_700_000_000;
const RESOURCE: &str = "https://api.example.com";
const ISSUER_SECRET: &[u8] = b"fuzz-issuer-signing-secret-0123456789-abcdef";

/// A client assertion, parsed with [`ClientAssertion::parse`] and then sent
/// twice to a fresh [`Issuer`] in a token request.
///
/// Input layout: one flags byte, then the rest. Flags bits 0–1 pick how the
/// rest becomes an assertion:
/// - `0`: the rest is the assertion (UTF-8, lossily);
/// - `1`: the rest is `header NUL claims`, JSON texts that are signed as they
///   are with the client's secret (so the fuzzer reaches the claim checks);
/// - `2`: the rest is a list of 4-byte edits (see `mutate`) applied to a valid
///   assertion;
/// - `3`: as `1`, with the claims signed under a header of `{"alg":"HS256"}`.
///
/// Bit 2 also sends `client_id=cs`, bit 3 `client_id` of another client.
///
/// # Panics
/// When a refusal is not an RFC 6749 §5.2 error with a 4xx status and an
/// NQSCHAR description; when a parsed assertion does not read the same twice
/// or shows its text in `Debug`; when the issuer accepts an assertion that is
/// not the client's (wrong `sub`, `iss`, or algorithm, no `exp`), issues a token
/// that its own keys do not validate, or accepts the same assertion twice.
pub fn client_assertion(data: &[u8]) -> Outcome {
    let (flags, rest) = split_flags(data);
    let assertion = match flags & 0b11 {
        0 => String::from_utf8_lossy(rest).into_owned(),
        1 => {
            let mut fields = rest.splitn(2, |&b| b == 0);
            let header = fields.next().unwrap_or_default();
            hs256_compact(
                ASSERTION_SECRET.as_bytes(),
                header,
                fields.next().unwrap_or_default(),
            )
        }
        2 => mutate(&valid_assertion(), rest),
        _ => hs256_compact(ASSERTION_SECRET.as_bytes(), br#"{"alg":"HS256"}"#, rest),
    };
    let client_id = match flags & 0b1100 {
        0b0100 => Some(ASSERTION_CLIENT),
        0b1000 | 0b1100 => Some("other"),
        _ => None,
    };
    check_parse(&assertion);

    let issuer = issuer();
    let body = token_request_body(&assertion, client_id);
    let first = send(&issuer, &body);
    if first.status != 200 {
        return Outcome::Refused;
    }
    check_accepted(&assertion, client_id, &first);
    let again = send(&issuer, &body);
    assert_ne!(again.status, 200, "the same assertion was accepted twice");
    Outcome::Accepted
}

/// A valid assertion of the client, as the MCP SDKs send it.
pub fn valid_assertion() -> String {
    let claims = format!(
        r#"{{"iss":"{c}","sub":"{c}","aud":"{ASSERTION_ISSUER}","iat":{now},"exp":{exp},"jti":"fuzz-1"}}"#,
        c = ASSERTION_CLIENT,
        now = ASSERTION_NOW,
        exp = ASSERTION_NOW + 120,
    );
    hs256_compact(
        ASSERTION_SECRET.as_bytes(),
        br#"{"alg":"HS256","typ":"JWT"}"#,
        claims.as_bytes(),
    )
}

fn check_parse(assertion: &str) {
    match ClientAssertion::parse(assertion) {
        Ok(parsed) => {
            let again = ClientAssertion::parse(assertion).expect("parsed once, so twice");
            assert_eq!(parsed.algorithm_name(), again.algorithm_name());
            assert_eq!(parsed.key_id(), again.key_id());
            assert_eq!(parsed.unverified_issuer(), again.unverified_issuer());
            assert_eq!(parsed.unverified_subject(), again.unverified_subject());
            assert_eq!(
                parsed.algorithm().map(Algorithm::as_str),
                Some(parsed.algorithm_name()).filter(|name| name.parse::<Algorithm>().is_ok()),
            );
            let debug = format!("{parsed:?}");
            assert!(!debug.contains(assertion), "Debug shows the assertion");
        }
        Err(reason) => {
            assert_eq!(reason, Reason::MalformedAssertion);
            check_refusal(&TokenError::new(reason).to_http());
        }
    }
}

fn check_accepted(assertion: &str, client_id: Option<&str>, response: &HttpResponse) {
    assert!(
        client_id.is_none_or(|id| id == ASSERTION_CLIENT),
        "accepted with another client's client_id"
    );
    let parsed = ClientAssertion::parse(assertion).expect("accepted, so it parses");
    assert_eq!(parsed.algorithm(), Some(Algorithm::HS256));
    assert_eq!(parsed.unverified_subject(), Some(ASSERTION_CLIENT));
    assert_eq!(parsed.unverified_issuer(), Some(ASSERTION_CLIENT));
    let claims = claims_of(assertion);
    assert!(claims.get("jti").is_some_and(serde_json::Value::is_string));
    let exp = claims
        .get("exp")
        .and_then(serde_json::Value::as_f64)
        .expect("an accepted assertion has a numeric exp");
    assert!(exp + 30.0 >= ASSERTION_NOW as f64, "accepted after its exp");

    let body: serde_json::Value =
        serde_json::from_slice(&response.body).expect("a token response is JSON");
    let token = body["access_token"].as_str().expect("an access token");
    let keys = VerificationKeys::from_key_set(&issuer_keys());
    let validator = Validator::builder(
        ASSERTION_ISSUER,
        Audience::new(RESOURCE).expect("a valid audience"),
        keys,
    )
    .build()
    .expect("a valid validator");
    let verified = block_on(validator.validate(token, UnixTime::from_secs(ASSERTION_NOW)))
        .expect("the issuer's token validates");
    assert_eq!(verified.client_id(), ASSERTION_CLIENT);
}

/// The claims of a compact JWS that parsed, as JSON.
fn claims_of(compact: &str) -> serde_json::Value {
    let payload = compact.split('.').nth(1).expect("three parts");
    let json = URL_SAFE_NO_PAD.decode(payload).expect("base64url");
    serde_json::from_slice(&json).expect("JSON claims")
}

/// Every refusal of the token endpoint: a 4xx (never a 5xx) with an RFC 6749
/// §5.2 (or RFC 8707) error code and an NQSCHAR description.
pub(super) fn check_refusal(response: &HttpResponse) {
    assert!(
        (400..500).contains(&response.status),
        "refused with {}",
        response.status
    );
    let body: serde_json::Value =
        serde_json::from_slice(&response.body).expect("an error response is JSON");
    let code = body["error"].as_str().expect("an error code");
    assert!(
        [
            "invalid_request",
            "invalid_client",
            "invalid_grant",
            "unauthorized_client",
            "unsupported_grant_type",
            "invalid_scope",
            "invalid_target",
        ]
        .contains(&code),
        "error code {code}"
    );
    if let Some(description) = body.get("error_description") {
        let description = description.as_str().expect("a string description");
        assert!(description.bytes().all(is_nqschar), "{description:?}");
    }
}

fn token_request_body(assertion: &str, client_id: Option<&str>) -> String {
    let mut body = format!(
        "grant_type=client_credentials&client_assertion_type={}&client_assertion={}",
        form_urlencode(JWT_BEARER_ASSERTION_TYPE),
        form_urlencode(assertion),
    );
    if let Some(id) = client_id {
        body.push_str("&client_id=");
        body.push_str(&form_urlencode(id));
    }
    body
}

fn send(issuer: &Issuer<MemoryClientStore>, body: &str) -> HttpResponse {
    let response = block_on(issuer.handle_token_request(RequestParts::form_post(body.as_bytes())));
    if response.status != 200 {
        check_refusal(&response);
    }
    response
}

fn issuer_keys() -> KeySet {
    KeySet::new(SigningKey::hs256(ISSUER_SECRET, Some("as-1".into())).expect("a valid HS256 key"))
}

/// A fresh issuer per input, so that the replay guard and the throttle start
/// empty and every input is judged on its own.
fn issuer() -> Issuer<MemoryClientStore> {
    let secret = ClientSecret::new(ASSERTION_SECRET);
    let client = |id: &str| {
        Client::builder(ClientId::new(id).expect("a valid id"))
            .allowed_scopes(ScopeSet::from_strs(["read"]).expect("valid scopes"))
            .default_scopes(ScopeSet::from_strs(["read"]).expect("valid scopes"))
            .default_audience(Audience::new(RESOURCE).expect("a valid audience"))
            .jwt_secret(
                JwtSecretCredential::new(CredentialId::new("jwt-1").expect("a valid id"), &secret)
                    .expect("a long secret"),
            )
            .build()
            .expect("a valid client")
    };
    let store = MemoryClientStore::from_iter([client(ASSERTION_CLIENT)]);
    Issuer::builder(ASSERTION_ISSUER, issuer_keys(), store)
        .auth_methods([AuthMethod::ClientSecretJwt, AuthMethod::PrivateKeyJwt])
        .clock(Arc::new(FixedClock::new(UnixTime::from_secs(
            ASSERTION_NOW,
        ))))
        .build()
        .expect("a valid issuer")
}
