//! `dpop_token_endpoint`: a DPoP proof (RFC 9449 §4) in the `DPoP` header of
//! a client-credentials token request to a fresh [`Issuer`] with DPoP
//! enabled.

use std::sync::Arc;
use std::time::Duration;

use super::{FixedEd25519, Outcome, block_on, is_nqschar, jws_claims, mutate, split_flags};
use crate::jose::{DpopConfig, DpopNonces};
use crate::store::MemoryClientStore;
use crate::{
    Audience, Client, ClientId, ClientSecret, CredentialId, FixedClock, HttpResponse, Issuer,
    KeySet, RequestParts, ScopeSet, SecretCredential, SecretHash, SigningKey, UnixTime,
};

const ISSUER: &str = "https://as.example.com";
/// The token endpoint: a proof's `htu` must name it.
const TOKEN_ENDPOINT: &str = "https://as.example.com/token";
const RESOURCE: &str = "https://mcp.example.com/mcp";
/// The issuer's clock, in seconds since the epoch.
const NOW: u64 = 1_700_000_000;
/// The DPoP settings' `max_age` and `leeway` (their defaults).
const WINDOW: u64 = 60;
const CLIENT: &str = "c1";
const CLIENT_SECRET: &str = "fuzz-dpop-client-secret-0123456789";
/// `Basic base64("c1:fuzz-dpop-client-secret-0123456789")`.
const BASIC: &str = "Basic YzE6ZnV6ei1kcG9wLWNsaWVudC1zZWNyZXQtMDEyMzQ1Njc4OQ==";
const ISSUER_SECRET: &[u8] = b"fuzz-dpop-issuer-signing-secret-0123456789";
const NONCE_SECRET: &[u8] = b"fuzz-dpop-nonce-secret-of-32-bytes-or-more";
/// The seed of the client's proof key (a public test key).
const PROOF_SEED: [u8; 32] = [0x51; 32];

/// A DPoP proof sent in a token request (`grant_type=client_credentials`,
/// `Authorization: Basic` of the client `c1`) to a fresh [`Issuer`] with DPoP
/// enabled, at a fixed time.
///
/// Input layout: one flags byte, then the rest. Flags bits 0–1 pick how the
/// rest becomes the `DPoP` header:
/// - `0`: the rest is the header value, as bytes (not UTF-8 is refused);
/// - `1`: the rest is `header NUL claims`, JSON texts signed as they are with
///   the client's Ed25519 proof key (so the fuzzer reaches every check);
/// - `2`: the rest is a list of 4-byte edits (see `mutate`) applied to a valid
///   proof;
/// - `3`: the rest is the claims, signed under a well-formed header of that key.
///
/// Bit 2 turns server nonces on (RFC 9449 §8); bit 3 sends the header twice.
///
/// # Panics
/// When the issuer answers other than 200, or 400 `invalid_dpop_proof` /
/// `use_dpop_nonce` / `invalid_request` with an NQSCHAR description (the
/// client's credentials are right, so nothing else may fail; a 5xx never);
/// when it issues a token for a proof that breaks RFC 9449 §4.3 (`htm`,
/// `htu`, `iat` window, nonce), a token that is not bound to the proof's key,
/// or a second token for the same proof.
pub fn dpop_token_endpoint(data: &[u8]) -> Outcome {
    let (flags, rest) = split_flags(data);
    let key = FixedEd25519::new(PROOF_SEED);
    let proof: Vec<u8> = match flags & 0b11 {
        0 => rest.to_vec(),
        1 => {
            let mut fields = rest.splitn(2, |&b| b == 0);
            let header = fields.next().unwrap_or_default();
            key.compact(header, fields.next().unwrap_or_default())
                .into_bytes()
        }
        2 => mutate(&valid_token_endpoint_proof(), rest).into_bytes(),
        _ => key
            .compact(proof_header(&key).as_bytes(), rest)
            .into_bytes(),
    };
    let nonces = flags & 0b100 != 0;
    let twice = flags & 0b1000 != 0;
    let issuer = issuer(nonces);

    let first = send(&issuer, &proof, twice);
    if first.status != 200 {
        return Outcome::Refused;
    }
    assert!(!twice, "two DPoP headers were accepted");
    let text = std::str::from_utf8(&proof).expect("an accepted proof is UTF-8");
    check_accepted(text, nonces, &key, &first);
    let again = send(&issuer, &proof, false);
    assert_eq!(again.status, 400, "the same proof was accepted twice");
    Outcome::Accepted
}

/// A valid proof of the client's key for the token endpoint at the issuer's
/// clock (without a nonce).
pub fn valid_token_endpoint_proof() -> String {
    let key = FixedEd25519::new(PROOF_SEED);
    let claims = format!(r#"{{"jti":"fuzz-1","htm":"POST","htu":"{TOKEN_ENDPOINT}","iat":{NOW}}}"#);
    key.compact(proof_header(&key).as_bytes(), claims.as_bytes())
}

fn proof_header(key: &FixedEd25519) -> String {
    format!(r#"{{"typ":"dpop+jwt","alg":"EdDSA","jwk":{}}}"#, key.jwk())
}

fn send(issuer: &Issuer<MemoryClientStore>, proof: &[u8], twice: bool) -> HttpResponse {
    let mut parts = RequestParts::form_post(b"grant_type=client_credentials")
        .authorization(BASIC)
        .dpop_bytes(proof);
    if twice {
        parts = parts.dpop_bytes(proof);
    }
    let response = block_on(issuer.handle_token_request(parts));
    if response.status != 200 {
        check_refusal(&response);
    }
    response
}

/// Every refusal: 400 with a DPoP error code (or `invalid_request`) and an
/// NQSCHAR description; with `use_dpop_nonce`, a `DPoP-Nonce` header.
fn check_refusal(response: &HttpResponse) {
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
        ["invalid_dpop_proof", "use_dpop_nonce", "invalid_request"].contains(&code),
        "error code {code}"
    );
    if code == "use_dpop_nonce" {
        assert!(response.header("dpop-nonce").is_some(), "no DPoP-Nonce");
    }
    if let Some(description) = body.get("error_description") {
        let description = description.as_str().expect("a string description");
        assert!(description.bytes().all(is_nqschar), "{description:?}");
    }
}

fn check_accepted(proof: &str, nonces: bool, key: &FixedEd25519, response: &HttpResponse) {
    let claims = jws_claims(proof);
    assert_eq!(claims["htm"], "POST", "accepted with another htm");
    let htu = claims["htu"]
        .as_str()
        .expect("an accepted proof has an htu");
    let htu = crate::vocab::url::htu_normal_form(htu).expect("an http(s) htu");
    assert_eq!(htu, TOKEN_ENDPOINT, "accepted with another htu");
    let iat = claims["iat"].as_f64().expect("a numeric iat");
    assert!(
        iat + WINDOW as f64 + 1.0 >= NOW as f64 && iat <= (NOW + WINDOW + 1) as f64,
        "accepted with iat {iat}"
    );
    assert!(claims["jti"].as_str().is_some_and(|jti| !jti.is_empty()));
    if nonces {
        assert!(
            claims["nonce"].as_str().is_some_and(|n| !n.is_empty()),
            "accepted without a nonce"
        );
    }

    let body: serde_json::Value =
        serde_json::from_slice(&response.body).expect("a token response is JSON");
    assert_eq!(body["token_type"], "DPoP");
    let token = body["access_token"].as_str().expect("an access token");
    assert_eq!(
        jws_claims(token)["cnf"]["jkt"].as_str(),
        Some(key.thumbprint().as_str()),
        "the token is not bound to the proof's key"
    );
}

/// A fresh issuer per input, so that the replay guard starts empty.
fn issuer(nonces: bool) -> Issuer<MemoryClientStore> {
    let client = Client::builder(ClientId::new(CLIENT).expect("a valid id"))
        .secret(SecretCredential::new(
            CredentialId::new("s1").expect("a valid id"),
            SecretHash::fast(&ClientSecret::new(CLIENT_SECRET)).expect("a hash"),
        ))
        .allowed_scopes(ScopeSet::from_strs(["mcp:read"]).expect("valid scopes"))
        .default_scopes(ScopeSet::from_strs(["mcp:read"]).expect("valid scopes"))
        .default_audience(Audience::new(RESOURCE).expect("a valid audience"))
        .build()
        .expect("a valid client");
    let mut dpop = DpopConfig::default();
    if nonces {
        dpop.nonces =
            Some(DpopNonces::new(NONCE_SECRET, Duration::from_secs(300)).expect("a long secret"));
    }
    let keys = KeySet::new(
        SigningKey::hs256(ISSUER_SECRET, Some("as-1".into())).expect("a valid HS256 key"),
    );
    Issuer::builder(ISSUER, keys, MemoryClientStore::from_iter([client]))
        .token_endpoint(TOKEN_ENDPOINT)
        .clock(Arc::new(FixedClock::new(UnixTime::from_secs(NOW))))
        .dpop(dpop)
        .build()
        .expect("a valid issuer")
}
