//! The resource server's token check, black-box: RFC 9068 §4 (C51–C64) and MCP
//! token handling (C119, C120, C122), with tokens minted through
//! `Issuer::handle_token_request` on a fixed clock and hostile tokens crafted by
//! an independent JOSE library.

mod fixtures;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use client_credentials::resource::ScopeHierarchy;
use client_credentials::{
    Algorithm, Audience, KeySet, Scope, SigningKey, UnixTime, ValidationError, Validator,
    VerificationKeys,
};
use fixtures::{
    DEFAULT_LIFETIME, ISSUER, NOW, RESOURCE, RESOURCE2, RSA_PEM, ResourceFixture, decode_part,
};
use proptest::prelude::*;

fn at(secs: u64) -> UnixTime {
    UnixTime::from_secs(NOW + secs)
}

/// Replaces part `index` of a compact JWS.
fn with_part(token: &str, index: usize, part: &str) -> String {
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[index] = part;
    parts.join(".")
}

#[tokio::test]
async fn c51_c54_c55_c56_c57_issued_tokens_validate_with_their_claims() {
    let f = ResourceFixture::new();
    let token = f
        .token(
            "c1",
            "s1",
            "&scope=mcp:read%20mcp:write&resource=https%3A%2F%2Fmcp.example.com%2Fmcp",
        )
        .await;
    let header = decode_part(&token, 0);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["kid"], f.kid);
    let verified = f.validator().validate(&token, at(1)).await.unwrap();
    let claims = verified.claims();
    assert_eq!(claims.iss, ISSUER);
    assert_eq!((claims.sub.as_str(), verified.client_id()), ("c1", "c1"));
    assert_eq!(claims.aud, [RESOURCE]);
    assert_eq!(claims.iat, at(0));
    assert_eq!(claims.exp, at(DEFAULT_LIFETIME));
    assert!(!claims.jti.is_empty());
    assert_eq!(claims.credential_id.as_deref(), Some("s1"));
    assert_eq!(verified.scopes().to_string(), "mcp:read mcp:write");
    let verified = f.jwks_validator().validate(&token, at(1)).await.unwrap();
    assert_eq!(verified.claims().jti, claims.jti);
}

#[tokio::test]
async fn c52_c53_every_algorithm_verifies_through_the_published_jwks() {
    for alg in [
        Algorithm::ES256,
        Algorithm::EdDSA,
        Algorithm::RS256,
        Algorithm::PS256,
    ] {
        let (key, pem) = match alg {
            Algorithm::RS256 | Algorithm::PS256 => {
                let key = SigningKey::from_pkcs8_pem(alg, RSA_PEM, None).unwrap();
                (key, SigningKey::generate(Algorithm::ES256).unwrap().1)
            }
            _ => SigningKey::generate(alg).unwrap(),
        };
        let f = ResourceFixture::with_keys(ISSUER, KeySet::new(key), pem);
        let token = f.token("c1", "s1", "").await;
        assert_eq!(decode_part(&token, 0)["alg"], alg.as_str());
        let jwks: serde_json::Value = serde_json::from_str(f.issuer.jwks_json()).unwrap();
        assert!(jwks["keys"][0].get("d").is_none(), "no private parameter");
        assert!(
            f.jwks_validator().validate(&token, at(1)).await.is_ok(),
            "{alg}"
        );
    }
}

#[tokio::test]
async fn hs256_tokens_verify_only_with_the_shared_secret() {
    let secret = [42u8; 32];
    let key = SigningKey::hs256(&secret, Some("hs".into())).unwrap();
    let f = ResourceFixture::with_keys(
        ISSUER,
        KeySet::new(key),
        SigningKey::generate(Algorithm::ES256).unwrap().1,
    );
    let token = f.token("c1", "s1", "").await;
    assert!(f.validator().validate(&token, at(1)).await.is_ok());
    // Never published, so a JWKS-only resource server has no key at all.
    assert!(VerificationKeys::from_jwks_json(f.issuer.jwks_json()).is_err());
    let shared = Validator::builder(
        ISSUER,
        Audience::new(RESOURCE).unwrap(),
        VerificationKeys::from_jwks_json(
            &KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0).jwks_json(),
        )
        .unwrap()
        .with_hs256(&secret, Some("hs".into()))
        .unwrap(),
    )
    .build()
    .unwrap();
    assert!(shared.validate(&token, at(1)).await.is_ok());
}

#[tokio::test]
async fn c63_a_tampered_payload_is_refused() {
    let f = ResourceFixture::new();
    let token = f.token("c1", "s1", "&scope=mcp:read").await;
    let mut claims = decode_part(&token, 1);
    claims["scope"] = "mcp:admin".into();
    let forged = with_part(&token, 1, &URL_SAFE_NO_PAD.encode(claims.to_string()));
    assert_eq!(
        f.validator().validate(&forged, at(1)).await.err(),
        Some(ValidationError::InvalidSignature)
    );
}

#[tokio::test]
async fn c63_a_tampered_signature_is_refused() {
    let f = ResourceFixture::new();
    let token = f.token("c1", "s1", "").await;
    let mut signature = URL_SAFE_NO_PAD
        .decode(token.split('.').nth(2).unwrap())
        .unwrap();
    signature[10] ^= 1;
    let forged = with_part(&token, 2, &URL_SAFE_NO_PAD.encode(&signature));
    assert_eq!(
        f.validator().validate(&forged, at(1)).await.err(),
        Some(ValidationError::InvalidSignature)
    );
}

#[tokio::test]
async fn c63_c119_c120_a_token_for_another_resource_is_refused() {
    let f = ResourceFixture::new();
    let other = f
        .token("c1", "s1", "&resource=https%3A%2F%2Fmcp2.example.com%2Fmcp")
        .await;
    assert_eq!(decode_part(&other, 1)["aud"], RESOURCE2);
    assert_eq!(
        f.validator().validate(&other, at(1)).await.err(),
        Some(ValidationError::WrongAudience)
    );
    // The other resource accepts it.
    let mcp2 = Validator::builder(
        ISSUER,
        Audience::new(RESOURCE2).unwrap(),
        VerificationKeys::from_key_set(f.issuer.keys()),
    )
    .build()
    .unwrap();
    assert!(mcp2.validate(&other, at(1)).await.is_ok());
}

#[tokio::test]
async fn c63_iss_must_match_byte_for_byte() {
    let f = ResourceFixture::new();
    let token = f.token("c1", "s1", "").await;
    let slash = Validator::builder(
        "https://as.example.com/",
        Audience::new(RESOURCE).unwrap(),
        VerificationKeys::from_key_set(f.issuer.keys()),
    )
    .build()
    .unwrap();
    assert_eq!(
        slash.validate(&token, at(1)).await.err(),
        Some(ValidationError::WrongIssuer)
    );
    let mut claims = f.claims();
    claims["iss"] = "https://as.example.com/".into();
    let crafted = f.craft(&f.header(), &claims);
    assert_eq!(
        f.validator().validate(&crafted, at(1)).await.err(),
        Some(ValidationError::WrongIssuer)
    );
}

#[tokio::test]
async fn c63_expiry_and_its_leeway_edges() {
    let f = ResourceFixture::new();
    let token = f.token("c1", "s1", "").await;
    let v = f.validator(); // default leeway: 60 s
    assert!(v.validate(&token, at(DEFAULT_LIFETIME - 1)).await.is_ok());
    assert!(v.validate(&token, at(DEFAULT_LIFETIME)).await.is_ok());
    assert!(v.validate(&token, at(DEFAULT_LIFETIME + 59)).await.is_ok());
    assert_eq!(
        v.validate(&token, at(DEFAULT_LIFETIME + 60)).await.err(),
        Some(ValidationError::Expired)
    );
    assert_eq!(
        v.validate(&token, at(DEFAULT_LIFETIME + 600)).await.err(),
        Some(ValidationError::Expired)
    );
    let strict = Validator::builder(
        ISSUER,
        Audience::new(RESOURCE).unwrap(),
        VerificationKeys::from_key_set(f.issuer.keys()),
    )
    .leeway(Duration::ZERO)
    .build()
    .unwrap();
    assert!(
        strict
            .validate(&token, at(DEFAULT_LIFETIME - 1))
            .await
            .is_ok()
    );
    assert_eq!(
        strict.validate(&token, at(DEFAULT_LIFETIME)).await.err(),
        Some(ValidationError::Expired)
    );
}

#[tokio::test]
async fn not_yet_valid_and_future_tokens_are_refused_beyond_the_leeway() {
    let f = ResourceFixture::new();
    let v = f.validator();
    let mut claims = f.claims();
    claims["nbf"] = (NOW + 120).into();
    let not_yet = f.craft(&f.header(), &claims);
    assert_eq!(
        v.validate(&not_yet, at(59)).await.err(),
        Some(ValidationError::NotYetValid)
    );
    assert!(v.validate(&not_yet, at(60)).await.is_ok());
    // Issued "now" by the issuer, checked by a resource server whose clock lags.
    let token = f.token("c1", "s1", "").await;
    assert!(
        v.validate(&token, UnixTime::from_secs(NOW - 60))
            .await
            .is_ok()
    );
    assert_eq!(
        v.validate(&token, UnixTime::from_secs(NOW - 61))
            .await
            .err(),
        Some(ValidationError::IssuedInFuture)
    );
}

#[tokio::test]
async fn c54_a_token_lacking_a_required_claim_is_refused() {
    let f = ResourceFixture::new();
    for claim in ["iss", "sub", "aud", "client_id", "iat", "exp", "jti"] {
        let mut claims = f.claims();
        claims.as_object_mut().unwrap().remove(claim);
        let crafted = f.craft(&f.header(), &claims);
        assert_eq!(
            f.validator().validate(&crafted, at(1)).await.err(),
            Some(ValidationError::MissingClaim(claim))
        );
    }
}

#[tokio::test]
async fn c63_an_unknown_or_missing_kid_is_refused() {
    let f = ResourceFixture::new();
    let mut header = f.header();
    header.kid = Some("no-such-key".into());
    let crafted = f.craft(&header, &f.claims());
    assert_eq!(
        f.validator().validate(&crafted, at(1)).await.err(),
        Some(ValidationError::UnknownKey)
    );
    header.kid = None;
    let crafted = f.craft(&header, &f.claims());
    assert_eq!(
        f.validator().validate(&crafted, at(1)).await.err(),
        Some(ValidationError::UnknownKey)
    );
    // The crafted token with the right kid passes: the refusals are about the kid.
    assert!(
        f.validator()
            .validate(&f.craft(&f.header(), &f.claims()), at(1))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn c52_c63_alg_none_is_refused() {
    let f = ResourceFixture::new();
    let header = format!(r#"{{"alg":"none","typ":"at+jwt","kid":"{}"}}"#, f.kid);
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(f.claims().to_string())
    );
    assert_eq!(
        f.validator().validate(&unsigned, at(1)).await.err(),
        Some(ValidationError::Malformed)
    );
    let with_signature = format!("{unsigned}AAAA");
    assert_eq!(
        f.validator().validate(&with_signature, at(1)).await.err(),
        Some(ValidationError::UnsupportedAlgorithm)
    );
    for alg in ["None", "NONE", "HS512", "ES512", "RS512", ""] {
        let header = format!(r#"{{"alg":"{alg}","typ":"at+jwt","kid":"{}"}}"#, f.kid);
        let token = with_part(&with_signature, 0, &URL_SAFE_NO_PAD.encode(header));
        assert_eq!(
            f.validator().validate(&token, at(1)).await.err(),
            Some(ValidationError::UnsupportedAlgorithm),
            "{alg:?}"
        );
    }
    // A supported algorithm that is not the key's: algorithm confusion.
    let header = format!(r#"{{"alg":"ES384","typ":"at+jwt","kid":"{}"}}"#, f.kid);
    let token = with_part(&with_signature, 0, &URL_SAFE_NO_PAD.encode(header));
    assert_eq!(
        f.validator().validate(&token, at(1)).await.err(),
        Some(ValidationError::AlgorithmMismatch)
    );
}

#[tokio::test]
async fn c63_hs256_signed_with_the_public_key_is_refused() {
    let f = ResourceFixture::new();
    let jwks: serde_json::Value = serde_json::from_str(f.issuer.jwks_json()).unwrap();
    let jwk = &jwks["keys"][0];
    let x = URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap();
    let y = URL_SAFE_NO_PAD.decode(jwk["y"].as_str().unwrap()).unwrap();
    let point = [&[0x04][..], &x, &y].concat();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.typ = Some("at+jwt".into());
    header.kid = Some(f.kid.clone());
    for secret in [
        point,
        f.issuer.jwks_json().as_bytes().to_vec(),
        jwk.to_string().into_bytes(),
    ] {
        let forged = jsonwebtoken::encode(
            &header,
            &f.claims(),
            &jsonwebtoken::EncodingKey::from_secret(&secret),
        )
        .unwrap();
        assert_eq!(
            f.validator().validate(&forged, at(1)).await.err(),
            Some(ValidationError::AlgorithmMismatch)
        );
        assert_eq!(
            f.jwks_validator().validate(&forged, at(1)).await.err(),
            Some(ValidationError::AlgorithmMismatch)
        );
    }
}

#[tokio::test]
async fn c62_typ_must_be_at_jwt_in_any_case() {
    let f = ResourceFixture::new();
    for (typ, ok) in [
        (Some("JWT"), false),
        (None, false),
        (Some("jwt"), false),
        (Some("application/jwt"), false),
        (Some("at+jwt"), true),
        (Some("application/at+jwt"), true),
        (Some("application/AT+JWT"), true),
    ] {
        let mut header = f.header();
        header.typ = typ.map(str::to_owned);
        let crafted = f.craft(&header, &f.claims());
        let result = f.validator().validate(&crafted, at(1)).await;
        if ok {
            assert!(result.is_ok(), "{typ:?}: {:?}", result.err());
        } else {
            assert_eq!(result.err(), Some(ValidationError::WrongType), "{typ:?}");
        }
    }
}

#[tokio::test]
async fn c63_keys_offered_in_jwk_jku_or_x5u_headers_are_never_used() {
    let f = ResourceFixture::new();
    let (attacker, attacker_pem) = SigningKey::generate(Algorithm::ES256).unwrap();
    let attacker_key = fixtures::es256_encoding_key(&attacker_pem);
    let mut header = f.header();
    header.jwk = attacker.public_jwk();
    header.jku = Some("https://attacker.example/jwks.json".into());
    header.x5u = Some("https://attacker.example/cert.pem".into());
    // Under the issuer's kid: the attacker's signature does not verify.
    let forged = jsonwebtoken::encode(&header, &f.claims(), &attacker_key).unwrap();
    assert_eq!(
        f.validator().validate(&forged, at(1)).await.err(),
        Some(ValidationError::InvalidSignature)
    );
    // Under the attacker's own kid: no such key.
    header.kid = Some(attacker.kid().to_owned());
    let forged = jsonwebtoken::encode(&header, &f.claims(), &attacker_key).unwrap();
    assert_eq!(
        f.jwks_validator().validate(&forged, at(1)).await.err(),
        Some(ValidationError::UnknownKey)
    );
    // The same headers on a genuinely signed token change nothing.
    header.kid = Some(f.kid.clone());
    assert!(
        f.validator()
            .validate(&f.craft(&header, &f.claims()), at(1))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn tokens_of_another_issuer_are_refused() {
    let f = ResourceFixture::new();
    let other = ResourceFixture::with_keys(
        "https://other-as.example.com",
        KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0),
        SigningKey::generate(Algorithm::ES256).unwrap().1,
    );
    let foreign = other.token("c1", "s1", "").await;
    assert_eq!(
        f.validator().validate(&foreign, at(1)).await.err(),
        Some(ValidationError::UnknownKey)
    );
    // Another issuer sharing the signing key still differs in `iss`.
    let shared = ResourceFixture::with_keys(
        "https://other-as.example.com",
        KeySet::new(
            SigningKey::from_pkcs8_pem(Algorithm::ES256, f.pem.expose_secret(), None).unwrap(),
        ),
        SigningKey::generate(Algorithm::ES256).unwrap().1,
    );
    let foreign = shared.token("c1", "s1", "").await;
    assert_eq!(decode_part(&foreign, 0)["kid"], f.kid);
    assert_eq!(
        f.validator().validate(&foreign, at(1)).await.err(),
        Some(ValidationError::WrongIssuer)
    );
}

#[tokio::test]
async fn a_retired_but_published_key_validates_until_it_is_withdrawn() {
    let (old, old_pem) = SigningKey::generate(Algorithm::ES256).unwrap();
    let old_kid = old.kid().to_owned();
    let before = ResourceFixture::with_keys(ISSUER, KeySet::new(old), old_pem);
    let token = before.token("c1", "s1", "").await;

    // Rotation: a new active key, the old one still published.
    let old =
        SigningKey::from_pkcs8_pem(Algorithm::ES256, before.pem.expose_secret(), None).unwrap();
    let mut keys = KeySet::new(old);
    let (new, new_pem) = SigningKey::generate(Algorithm::ES256).unwrap();
    keys.rotate(new).unwrap();
    let after = ResourceFixture::with_keys(ISSUER, keys, new_pem);
    let fresh = after.token("c1", "s1", "").await;
    assert_ne!(decode_part(&fresh, 0)["kid"], old_kid);
    let v = after.jwks_validator();
    assert!(
        v.validate(&token, at(1)).await.is_ok(),
        "old token, old key published"
    );
    assert!(v.validate(&fresh, at(1)).await.is_ok());

    // Withdrawn from the JWKS: its tokens no longer validate.
    let mut keys = KeySet::new(
        SigningKey::from_pkcs8_pem(Algorithm::ES256, after.pem.expose_secret(), None).unwrap(),
    );
    keys.push_previous(
        SigningKey::from_pkcs8_pem(Algorithm::ES256, before.pem.expose_secret(), None).unwrap(),
    )
    .unwrap();
    assert!(keys.retire(&old_kid).is_some());
    let withdrawn = Validator::builder(
        ISSUER,
        Audience::new(RESOURCE).unwrap(),
        VerificationKeys::from_jwks_json(&keys.jwks_json()).unwrap(),
    )
    .build()
    .unwrap();
    assert_eq!(
        withdrawn.validate(&token, at(1)).await.err(),
        Some(ValidationError::UnknownKey)
    );
    assert!(withdrawn.validate(&fresh, at(1)).await.is_ok());
}

#[tokio::test]
async fn c122_scope_checks_follow_the_configured_hierarchy() {
    let f = ResourceFixture::new();
    let read = f.token("c1", "s1", "&scope=mcp:read").await;
    let admin = f.token("c1", "s1", "&scope=mcp:admin").await;
    let flat = f.validator();
    let verified = flat.validate(&read, at(1)).await.unwrap();
    assert!(verified.require_scope("mcp:read").is_ok());
    let refused = verified.require_scope("mcp:write").unwrap_err();
    assert_eq!(refused.required_scope(), "mcp:write");
    assert!(
        flat.validate(&admin, at(1))
            .await
            .unwrap()
            .require_scope("mcp:write")
            .is_err()
    );

    let hierarchy = ScopeHierarchy::new()
        .imply(
            Scope::new("mcp:admin").unwrap(),
            [Scope::new("mcp:write").unwrap()],
        )
        .imply(
            Scope::new("mcp:write").unwrap(),
            [Scope::new("mcp:read").unwrap()],
        );
    let v = Validator::builder(
        ISSUER,
        Audience::new(RESOURCE).unwrap(),
        VerificationKeys::from_key_set(f.issuer.keys()),
    )
    .scope_hierarchy(hierarchy)
    .build()
    .unwrap();
    let verified = v.validate(&admin, at(1)).await.unwrap();
    assert!(verified.require_scope("mcp:write").is_ok());
    assert!(verified.require_scope("mcp:read").is_ok());
    assert!(
        v.validate(&read, at(1))
            .await
            .unwrap()
            .require_scope("mcp:write")
            .is_err()
    );
}

#[tokio::test]
async fn c64_errors_never_contain_the_token() {
    let f = ResourceFixture::new();
    let token = f.token("c1", "s1", "").await;
    let mut failures = Vec::new();
    for (bad, now) in [
        (token.clone(), at(DEFAULT_LIFETIME + 1_000)),
        (with_part(&token, 2, "AAAA"), at(1)),
        (token.replace('.', ""), at(1)),
        (format!("{token}x"), at(1)),
    ] {
        failures.push(f.validator().validate(&bad, now).await.unwrap_err());
    }
    let dump = format!(
        "{failures:?} {}",
        failures
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    );
    for piece in token.split('.') {
        assert!(!dump.contains(piece), "{dump}");
    }
    assert!(
        failures
            .iter()
            .all(|e| e.error_code() == "invalid_token" && e.status() == 401)
    );
}

#[tokio::test]
async fn oversized_tokens_are_refused_cheaply() {
    let f = ResourceFixture::new();
    let huge = "a".repeat(client_credentials::resource::DEFAULT_MAX_TOKEN_BYTES + 1);
    assert_eq!(
        f.validator().validate(&huge, at(1)).await.err(),
        Some(ValidationError::TooLarge)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any one-character change to a valid token makes it invalid, and no
    /// input makes the validator panic.
    #[test]
    fn any_single_change_is_refused(index in 0usize..10_000, replacement in "[A-Za-z0-9_.=+/ -]") {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let f = ResourceFixture::new();
            let token = f.token("c1", "s1", "").await;
            let i = index % token.len();
            let mut mutated = token.clone();
            mutated.replace_range(i..=i, &replacement);
            let result = f.validator().validate(&mutated, at(1)).await;
            if mutated == token {
                prop_assert!(result.is_ok());
            } else {
                prop_assert!(result.is_err(), "{mutated}");
            }
            Ok(())
        })?;
    }

    #[test]
    fn arbitrary_text_never_validates(text in "\\PC{0,300}") {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let f = ResourceFixture::new();
        let result = rt.block_on(f.validator().validate(&text, at(1)));
        prop_assert!(result.is_err());
    }
}
