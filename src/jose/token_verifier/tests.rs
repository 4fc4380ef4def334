use base64::engine::general_purpose::URL_SAFE;

use super::*;
use crate::jose::keys::{KeySet, SigningKey};

const ES256_PEM: &str = include_str!("../../../tests/vectors/es256.pkcs8.pem");
const EDDSA_PEM: &str = include_str!("../../../tests/vectors/eddsa.pkcs8.pem");
const RSA_PEM: &str = include_str!("../../../tests/vectors/rs256.pkcs8.pem");
const HS256_SECRET_B64U: &str = include_str!("../../../tests/vectors/hs256.secret.b64u");
const RS256_JWT: &str = include_str!("../../../tests/vectors/rs256.jwt");
const EDDSA_JWT: &str = include_str!("../../../tests/vectors/eddsa.jwt");
const HS256_JWT: &str = include_str!("../../../tests/vectors/hs256.jwt");
const HS256_TWO_AUDIENCES_JWT: &str =
    include_str!("../../../tests/vectors/hs256-two-audiences.jwt");

const ISSUER: &str = "https://as.example.com";
const IAT: u64 = 1_700_000_000;

fn es256() -> SigningKey {
    SigningKey::from_pkcs8_pem(Algorithm::ES256, ES256_PEM, Some("es".into())).unwrap()
}

/// The vector keys, each under its thumbprint `kid` as in the golden tokens.
fn vector_keys() -> KeySet {
    let hs256 = URL_SAFE_NO_PAD.decode(HS256_SECRET_B64U.trim()).unwrap();
    let mut set = KeySet::new(es256());
    for key in [
        SigningKey::from_pkcs8_pem(Algorithm::EdDSA, EDDSA_PEM, None),
        SigningKey::from_pkcs8_pem(Algorithm::RS256, RSA_PEM, None),
        SigningKey::hs256(&hs256, None),
    ] {
        set.push_previous(key.unwrap()).unwrap();
    }
    set
}

fn verifier() -> TokenVerifier {
    TokenVerifier::new(
        VerificationKeys::from_key_set(&vector_keys()),
        ISSUER.into(),
        8 * 1024,
    )
}

/// A compact JWS over any header and payload text, signed by `key`.
fn sign(key: &SigningKey, header: &str, payload: &str) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let signature = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

const HEADER: &str = r#"{"alg":"ES256","typ":"at+jwt","kid":"es"}"#;

fn payload() -> serde_json::Value {
    serde_json::json!({
        "iss": ISSUER, "sub": "c1", "aud": "https://mcp.example.com/mcp", "client_id": "c1",
        "iat": IAT, "exp": IAT + 300, "jti": "j1", "scope": "mcp:read", "credential_id": "s1"
    })
}

fn with_payload(edit: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) -> String {
    let mut p = payload();
    edit(p.as_object_mut().unwrap());
    sign(&es256(), HEADER, &p.to_string())
}

#[test]
fn c54_golden_tokens_verify_and_give_their_claims() {
    let v = verifier();
    for token in [RS256_JWT, EDDSA_JWT, HS256_JWT] {
        let claims = v.verify(token.trim()).unwrap().claims;
        assert_eq!(claims.iss, ISSUER);
        assert_eq!(claims.sub, "c1");
        assert_eq!(claims.client_id, "c1");
        assert_eq!(claims.aud, ["https://mcp.example.com/mcp"]);
        assert_eq!(claims.iat, UnixTime::from_secs(IAT));
        assert_eq!(claims.exp, UnixTime::from_secs(IAT + 300));
        assert_eq!(claims.jti, "jti-0001");
        assert_eq!(claims.scope.as_deref(), Some("mcp:read mcp:write"));
        assert_eq!(claims.credential_id.as_deref(), Some("sec-1"));
    }
    let two = v.verify(HS256_TWO_AUDIENCES_JWT.trim()).unwrap().claims;
    assert_eq!(two.aud.len(), 2);
    assert_eq!(two.scope, None);
}

#[test]
fn compact_syntax_is_strict() {
    let v = verifier();
    let good = sign(&es256(), HEADER, &payload().to_string());
    assert!(v.verify(&good).is_ok());
    let (h, rest) = good.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    let padded_header = URL_SAFE.encode(HEADER);
    assert!(
        padded_header.ends_with('='),
        "the test needs a padded header"
    );
    for bad in [
        String::new(),
        format!("{h}.{p}"),
        format!("{h}.{p}.{s}.{s}"),
        format!("{h}.{p}.{s}."),
        format!(".{p}.{s}"),
        format!("{h}..{s}"),
        format!("{h}.{p}."),
        format!("{padded_header}.{p}.{s}"),
        format!("{h}.{p}.{s}="),
        // The standard alphabet's `+` and `/` are not base64url.
        format!("{h}.{p}.+{}", &s[1..]),
        format!("{h}.{p}./{}", &s[1..]),
        format!("{h} .{p}.{s}"),
        format!("{h}.{p}.{}", "A".repeat(2000)),
        format!("{}.{p}.{s}", "A".repeat(2000)),
    ] {
        assert!(
            matches!(
                v.verify(&bad),
                Err(ValidationError::Malformed | ValidationError::InvalidSignature)
            ),
            "{bad:?}: {:?}",
            v.verify(&bad).err()
        );
    }
    // Non-canonical trailing bits in the signature's last character.
    let last = s.chars().last().unwrap();
    let flipped = if last == 'A' { 'B' } else { 'A' };
    let noncanonical = format!("{h}.{p}.{}{flipped}", &s[..s.len() - 1]);
    assert!(v.verify(&noncanonical).is_err());
}

#[test]
fn oversized_tokens_are_refused_before_any_work() {
    let v = TokenVerifier::new(
        VerificationKeys::from_key_set(&vector_keys()),
        ISSUER.into(),
        100,
    );
    assert_eq!(
        v.verify(&"a".repeat(101)).err(),
        Some(ValidationError::TooLarge)
    );
    assert_eq!(
        v.verify(&"a".repeat(100)).err(),
        Some(ValidationError::Malformed)
    );
}

#[test]
fn headers_must_be_json_objects_without_duplicates_or_crit() {
    let v = verifier();
    let body = payload().to_string();
    let cases = [
        (
            r#"["ES256","at+jwt","es"]"#,
            ValidationError::MalformedHeader,
        ),
        ("not json", ValidationError::MalformedHeader),
        (
            r#"{"alg":"ES256","alg":"none","typ":"at+jwt","kid":"es"}"#,
            ValidationError::MalformedHeader,
        ),
        (
            r#"{"alg":1,"typ":"at+jwt","kid":"es"}"#,
            ValidationError::MalformedHeader,
        ),
        (
            r#"{"alg":"ES256","typ":"at+jwt","kid":"es","crit":["exp"],"exp":1}"#,
            ValidationError::CriticalHeader,
        ),
        // RFC 7515 §4.1.11: `crit` is an array; `null` is no way to leave it out.
        (
            r#"{"alg":"ES256","typ":"at+jwt","kid":"es","crit":null}"#,
            ValidationError::CriticalHeader,
        ),
        (
            r#"{"alg":"ES256","typ":"at+jwt","kid":"es","crit":[]}"#,
            ValidationError::CriticalHeader,
        ),
    ];
    for (header, expected) in cases {
        let token = sign(&es256(), header, &body);
        assert_eq!(v.verify(&token).err(), Some(expected), "{header}");
    }
}

#[test]
fn c62_typ_is_at_jwt_in_any_case() {
    for typ in [
        "at+jwt",
        "AT+JWT",
        "application/at+jwt",
        "Application/At+Jwt",
    ] {
        assert!(is_access_token_type(typ), "{typ}");
    }
    for typ in [
        "JWT",
        "jwt",
        "at+jw",
        "application/jwt",
        "application/at+jwtx",
        "xpplication/at+jwt",
        "",
        "applicatio\u{e9}/at+jwt",
        "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}at+jwt",
    ] {
        assert!(!is_access_token_type(typ), "{typ:?}");
    }
}

#[test]
fn missing_and_empty_claims_are_named() {
    let v = verifier();
    for claim in ["iss", "sub", "aud", "client_id", "iat", "exp", "jti"] {
        let token = with_payload(|p| {
            p.remove(claim);
        });
        assert_eq!(
            v.verify(&token).err(),
            Some(ValidationError::MissingClaim(claim))
        );
    }
    for claim in ["sub", "client_id", "jti"] {
        let token = with_payload(|p| {
            p.insert(claim.into(), "".into());
        });
        assert_eq!(
            v.verify(&token).err(),
            Some(ValidationError::MissingClaim(claim))
        );
    }
    let token = with_payload(|p| {
        p.insert("aud".into(), serde_json::json!([]));
    });
    assert_eq!(
        v.verify(&token).err(),
        Some(ValidationError::MissingClaim("aud"))
    );
    // scope and credential_id are optional.
    let token = with_payload(|p| {
        p.remove("scope");
        p.remove("credential_id");
    });
    assert!(v.verify(&token).is_ok());
}

#[test]
fn malformed_claims_are_refused() {
    let v = verifier();
    let cases = [
        r#"[1,2,3]"#.to_owned(),
        "not json".to_owned(),
        payload()
            .to_string()
            .replacen('{', r#"{"iss":"https://evil.example","#, 1),
    ];
    for body in cases {
        let token = sign(&es256(), HEADER, &body);
        assert_eq!(
            v.verify(&token).err(),
            Some(ValidationError::MalformedClaims),
            "{body}"
        );
    }
    for (claim, value) in [
        ("exp", serde_json::json!("soon")),
        ("exp", serde_json::json!(-1)),
        ("iat", serde_json::json!(1.5)),
        ("nbf", serde_json::json!(null)),
        ("aud", serde_json::json!(7)),
        ("jti", serde_json::json!(7)),
        ("scope", serde_json::json!(["mcp:read"])),
    ] {
        let token = with_payload(|p| {
            p.insert(claim.into(), value.clone());
        });
        assert_eq!(
            v.verify(&token).err(),
            Some(ValidationError::MalformedClaims),
            "{claim}: {value}"
        );
    }
}

#[test]
fn c63_iss_must_match_exactly() {
    let v = verifier();
    for iss in [
        "https://as.example.com/",
        "https://AS.example.com",
        "https://as.example.com/tenant",
        "http://as.example.com",
    ] {
        let token = with_payload(|p| {
            p.insert("iss".into(), iss.into());
        });
        assert_eq!(
            v.verify(&token).err(),
            Some(ValidationError::WrongIssuer),
            "{iss}"
        );
    }
}

#[test]
fn leeway_edges_for_exp_nbf_and_iat() {
    let v = verifier();
    let token = with_payload(|p| {
        p.insert("nbf".into(), (IAT + 100).into());
    });
    let signed = v.verify(&token).unwrap();
    let at = |t: u64| UnixTime::from_secs(t);
    let exp = IAT + 300;
    // exp: valid while now < exp + leeway.
    assert_eq!(signed.check_times(at(exp - 1), 0), Ok(()));
    assert_eq!(
        signed.check_times(at(exp), 0),
        Err(ValidationError::Expired)
    );
    assert_eq!(signed.check_times(at(exp + 59), 60), Ok(()));
    assert_eq!(
        signed.check_times(at(exp + 60), 60),
        Err(ValidationError::Expired)
    );
    // nbf: valid from nbf - leeway.
    assert_eq!(
        signed.check_times(at(IAT + 99), 0),
        Err(ValidationError::NotYetValid)
    );
    assert_eq!(signed.check_times(at(IAT + 100), 0), Ok(()));
    assert_eq!(signed.check_times(at(IAT + 40), 60), Ok(()));
    assert_eq!(
        signed.check_times(at(IAT + 39), 60),
        Err(ValidationError::NotYetValid)
    );
    // iat: not ahead of the clock by more than the leeway.
    let plain = v.verify(&with_payload(|_| {})).unwrap();
    assert_eq!(
        plain.check_times(at(IAT - 1), 0),
        Err(ValidationError::IssuedInFuture)
    );
    assert_eq!(plain.check_times(at(IAT - 60), 60), Ok(()));
    assert_eq!(
        plain.check_times(at(IAT - 61), 60),
        Err(ValidationError::IssuedInFuture)
    );
    assert_eq!(
        plain.check_times(at(u64::MAX), 60),
        Err(ValidationError::Expired)
    );
}

#[test]
fn the_issuers_own_header_is_recognised_without_decoding_and_names_the_same_key() {
    let keys = vector_keys();
    let jwks = VerificationKeys::from_jwks(&keys.jwks()).unwrap();
    for set in [VerificationKeys::from_key_set(&keys), jwks] {
        let v = TokenVerifier::new(set, ISSUER.into(), 8 * 1024);
        for (kid, _) in v.keys().iter() {
            let signing = keys.find(kid).unwrap();
            let header = signing.header_prefix().trim_end_matches('.');
            let fast = v.keys().find_by_known_header(header).unwrap();
            let slow = header_key(v.keys(), header).unwrap();
            assert!(std::ptr::eq(fast, slow), "{kid}");
            assert_eq!(fast.algorithm(), signing.algorithm());
        }
        // The header of another key of the same algorithm is no shortcut.
        let other = SigningKey::generate(Algorithm::ES256).unwrap().0;
        let header = other.header_prefix().trim_end_matches('.');
        assert!(v.keys().find_by_known_header(header).is_none());
        assert_eq!(
            header_key(v.keys(), header).err(),
            Some(ValidationError::UnknownKey)
        );
    }
    // The golden tokens, minted as the issuer mints, take the shortcut.
    let v = verifier();
    for token in [RS256_JWT, EDDSA_JWT, HS256_JWT] {
        let header = token.trim().split('.').next().unwrap();
        assert!(v.keys().find_by_known_header(header).is_some());
    }
}

#[test]
fn payloads_that_are_not_utf8_are_malformed_claims() {
    let v = verifier();
    let key = es256();
    let mut body = payload().to_string().into_bytes();
    let at = body.len() - 2;
    body.insert(at, 0xff);
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(HEADER),
        URL_SAFE_NO_PAD.encode(&body)
    );
    let signature = key.sign(input.as_bytes()).unwrap();
    let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature));
    assert_eq!(
        v.verify(&token).err(),
        Some(ValidationError::MalformedClaims)
    );
}
