use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::path::Path;

use super::*;
use crate::jose::algorithm::Algorithm;
use crate::jose::claims::AccessTokenClaims;
use crate::jose::keys::KeySet;
use crate::vocab::audience::Audience;
use crate::vocab::time::UnixTime;

const ES256_PEM: &str = include_str!("../../../tests/vectors/es256.pkcs8.pem");
const EDDSA_PEM: &str = include_str!("../../../tests/vectors/eddsa.pkcs8.pem");
const RSA_PEM: &str = include_str!("../../../tests/vectors/rs256.pkcs8.pem");
const HS256_SECRET_B64U: &str = include_str!("../../../tests/vectors/hs256.secret.b64u");

const ISSUER: &str = "https://as.example.com";
const MCP: &str = "https://mcp.example.com/mcp";
const MCP2: &str = "https://mcp2.example.com/mcp";
const IAT: u64 = 1_700_000_000;
const LIFETIME: u64 = 300;

/// A `jti` source that always says the same thing, for reproducible tokens.
#[derive(Debug)]
struct FixedJti(&'static str);

impl JtiSource for FixedJti {
    fn next_jti(&self) -> String {
        self.0.to_owned()
    }
}

fn key(alg: Algorithm) -> SigningKey {
    match alg {
        Algorithm::ES256 => SigningKey::from_pkcs8_pem(alg, ES256_PEM, None),
        Algorithm::ES384 => SigningKey::generate(alg).map(|(key, _)| key),
        Algorithm::EdDSA => SigningKey::from_pkcs8_pem(alg, EDDSA_PEM, None),
        Algorithm::RS256 | Algorithm::PS256 => SigningKey::from_pkcs8_pem(alg, RSA_PEM, None),
        Algorithm::HS256 => {
            let secret = URL_SAFE_NO_PAD.decode(HS256_SECRET_B64U.trim()).unwrap();
            SigningKey::hs256(&secret, None)
        }
    }
    .unwrap()
}

fn audiences(values: &[&str]) -> Vec<Audience> {
    values.iter().map(|v| Audience::new(*v).unwrap()).collect()
}

fn claims<'a>(aud: &'a [Audience], jti: &'a str) -> MintClaims<'a> {
    MintClaims {
        iss: ISSUER,
        sub: "c1",
        aud,
        client_id: "c1",
        iat: UnixTime::from_secs(IAT),
        exp: UnixTime::from_secs(IAT + LIFETIME),
        jti,
        scope: Some("mcp:read mcp:write"),
        credential_id: Some("sec-1"),
        cnf: None,
    }
}

/// The three parts of a compact JWS, decoded where they are JSON.
struct Parts {
    header: serde_json::Value,
    claims: AccessTokenClaims,
    signing_input: String,
    signature: Vec<u8>,
}

fn split(token: &str) -> Parts {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    assert!(!token.contains('='), "base64url without padding: {token}");
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).unwrap();
    Parts {
        header: serde_json::from_slice(&decode(parts[0])).unwrap(),
        claims: serde_json::from_slice(&decode(parts[1])).unwrap(),
        signing_input: format!("{}.{}", parts[0], parts[1]),
        signature: decode(parts[2]),
    }
}

/// Compares a minted token with its checked-in vector, or rewrites the vector
/// when `REGENERATE_VECTORS` is set (review the diff before committing it).
fn check_vector(file: &str, expected: &str, actual: &str) {
    if std::env::var_os("REGENERATE_VECTORS").is_some() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/vectors")
            .join(file);
        std::fs::write(path, format!("{actual}\n")).unwrap();
        return;
    }
    assert_eq!(
        actual,
        expected.trim_end(),
        "tests/vectors/{file} drifted; if the change is intended, rerun with REGENERATE_VECTORS=1"
    );
}

#[test]
fn golden_vectors_for_deterministic_algorithms() {
    let jti = FixedJti("jti-0001").next_jti();
    let one = audiences(&[MCP]);
    let two = audiences(&[MCP, MCP2]);
    let bare = MintClaims {
        scope: None,
        credential_id: None,
        cnf: None,
        ..claims(&two, &jti)
    };
    let vectors = [
        (
            "hs256.jwt",
            include_str!("../../../tests/vectors/hs256.jwt"),
            Algorithm::HS256,
            claims(&one, &jti),
        ),
        (
            "rs256.jwt",
            include_str!("../../../tests/vectors/rs256.jwt"),
            Algorithm::RS256,
            claims(&one, &jti),
        ),
        (
            "eddsa.jwt",
            include_str!("../../../tests/vectors/eddsa.jwt"),
            Algorithm::EdDSA,
            claims(&one, &jti),
        ),
        (
            "hs256-two-audiences.jwt",
            include_str!("../../../tests/vectors/hs256-two-audiences.jwt"),
            Algorithm::HS256,
            bare,
        ),
    ];
    for (file, expected, alg, claims) in vectors {
        let token = mint(&key(alg), &claims).unwrap();
        check_vector(file, expected, &token);
    }
}

#[test]
fn golden_vectors_verify_and_carry_the_fixed_claims() {
    if std::env::var_os("REGENERATE_VECTORS").is_some() {
        return; // This build still holds the old vectors; the next run checks the new.
    }
    let set = KeySet::new(key(Algorithm::EdDSA))
        .with_previous(key(Algorithm::RS256))
        .unwrap()
        .with_previous(key(Algorithm::HS256))
        .unwrap();
    for token in [
        include_str!("../../../tests/vectors/hs256.jwt"),
        include_str!("../../../tests/vectors/rs256.jwt"),
        include_str!("../../../tests/vectors/eddsa.jwt"),
    ] {
        let parts = split(token.trim_end());
        let signer = set.find(parts.header["kid"].as_str().unwrap()).unwrap();
        assert_eq!(parts.header["alg"], signer.algorithm().as_str());
        assert!(signer.verify(parts.signing_input.as_bytes(), &parts.signature));
        assert_eq!(parts.claims.jti, "jti-0001");
        assert_eq!(parts.claims.aud, [MCP]);
    }
    let bare = split(include_str!("../../../tests/vectors/hs256-two-audiences.jwt").trim_end());
    assert_eq!(bare.claims.aud, [MCP, MCP2]);
    assert_eq!((bare.claims.scope, bare.claims.credential_id), (None, None));
}

#[test]
fn c51_c54_es256_token_has_the_profile_header_and_claims_and_verifies() {
    let key = key(Algorithm::ES256);
    let aud = audiences(&[MCP]);
    let token = mint(&key, &claims(&aud, "j-es")).unwrap();
    let parts = split(&token);
    assert_eq!(
        parts.header,
        serde_json::json!({"alg": "ES256", "typ": "at+jwt", "kid": key.kid()})
    );
    assert!(key.verify(parts.signing_input.as_bytes(), &parts.signature));
    assert_eq!(parts.signature.len(), 64);
    let c = parts.claims;
    assert_eq!(
        (c.iss.as_str(), c.sub.as_str(), c.client_id.as_str()),
        (ISSUER, "c1", "c1")
    );
    assert_eq!(c.aud, [MCP]);
    assert_eq!(c.exp.duration_since(c.iat).as_secs(), LIFETIME);
    assert_eq!(c.jti, "j-es");
    assert_eq!(c.scope.as_deref(), Some("mcp:read mcp:write"));
    assert_eq!(c.credential_id.as_deref(), Some("sec-1"));
}

#[test]
fn c52_c53_every_token_names_its_algorithm_and_a_published_kid() {
    let set = KeySet::new(key(Algorithm::ES256))
        .with_previous(key(Algorithm::EdDSA))
        .unwrap()
        .with_previous(key(Algorithm::RS256))
        .unwrap()
        .with_previous(
            SigningKey::from_pkcs8_pem(Algorithm::PS256, RSA_PEM, Some("ps".into())).unwrap(),
        )
        .unwrap();
    let jwks = set.jwks();
    let aud = audiences(&[MCP]);
    for signer in set.iter() {
        let parts = split(&mint(signer, &claims(&aud, "j")).unwrap());
        assert_eq!(parts.header["alg"], signer.algorithm().as_str());
        assert_eq!(parts.header["typ"], "at+jwt");
        let kid = parts.header["kid"].as_str().unwrap();
        assert!(jwks.find(kid).is_some(), "{kid} is not in the JWKS");
        assert!(
            set.find(kid)
                .unwrap()
                .verify(parts.signing_input.as_bytes(), &parts.signature)
        );
    }
    let json: serde_json::Value = serde_json::from_str(&set.jwks_json()).unwrap();
    for jwk in json["keys"].as_array().unwrap() {
        assert!(jwk.get("d").is_none(), "{jwk}");
    }
}

#[test]
fn the_token_is_allocated_once_at_its_final_size() {
    let aud = audiences(&[MCP, MCP2]);
    for alg in [
        Algorithm::ES256,
        Algorithm::EdDSA,
        Algorithm::RS256,
        Algorithm::HS256,
    ] {
        let token = mint(&key(alg), &claims(&aud, "j")).unwrap();
        assert_eq!(token.len(), token.capacity(), "{alg}");
    }
}

#[test]
fn the_reused_buffer_never_leaks_one_token_into_the_next() {
    let key = key(Algorithm::HS256);
    let aud = audiences(&[MCP]);
    let long_scope = "s ".repeat(100) + "s";
    let long = MintClaims {
        scope: Some(&long_scope),
        ..claims(&aud, "long")
    };
    split(&mint(&key, &long).unwrap());
    let short = split(&mint(&key, &claims(&aud, "short")).unwrap());
    assert_eq!(short.claims.jti, "short");
    assert_eq!(short.claims.scope.as_deref(), Some("mcp:read mcp:write"));
}

#[test]
fn a_huge_claim_set_is_minted_and_its_buffer_released() {
    let key = key(Algorithm::HS256);
    let aud = audiences(&[MCP]);
    let huge = "x".repeat(MAX_RETAINED_PAYLOAD);
    let token = mint(
        &key,
        &MintClaims {
            scope: Some(&huge),
            ..claims(&aud, "j")
        },
    )
    .unwrap();
    assert_eq!(split(&token).claims.scope.as_deref(), Some(huge.as_str()));
    PAYLOAD.with_borrow(|payload| assert_eq!(payload.capacity(), 0));
}

#[test]
fn c58_a_token_without_audience_is_never_minted() {
    let error = mint(&key(Algorithm::HS256), &claims(&[], "j")).unwrap_err();
    assert!(matches!(error, MintError::NoAudience));
    assert_eq!(TokenError::from(error).reason(), Reason::NoAudience);
    assert_eq!(
        TokenError::from(MintError::Signature).reason(),
        Reason::SigningFailed
    );
}

#[test]
fn random_jtis_are_22_url_safe_characters_and_distinct() {
    let source: &dyn JtiSource = &RandomJti;
    let jtis: std::collections::HashSet<String> = (0..1000).map(|_| source.next_jti()).collect();
    assert_eq!(jtis.len(), 1000);
    for jti in &jtis {
        assert_eq!(jti.len(), 22);
        assert!(
            jti.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }
}
