use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::*;

const ES256_PEM: &str = include_str!("../../../tests/vectors/es256.pkcs8.pem");
const EDDSA_PEM: &str = include_str!("../../../tests/vectors/eddsa.pkcs8.pem");
const RSA_PEM: &str = include_str!("../../../tests/vectors/rs256.pkcs8.pem");
const HS256_SECRET_B64U: &str = include_str!("../../../tests/vectors/hs256.secret.b64u");

fn hs256_secret() -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(HS256_SECRET_B64U.trim()).unwrap()
}

fn key(alg: Algorithm, kid: &str) -> SigningKey {
    let kid = Some(kid.to_owned());
    match alg {
        Algorithm::ES256 => SigningKey::from_pkcs8_pem(alg, ES256_PEM, kid),
        Algorithm::EdDSA => SigningKey::from_pkcs8_pem(alg, EDDSA_PEM, kid),
        Algorithm::RS256 | Algorithm::PS256 => SigningKey::from_pkcs8_pem(alg, RSA_PEM, kid),
        Algorithm::HS256 => SigningKey::hs256(&hs256_secret(), kid),
        _ => {
            let (_, pem) = SigningKey::generate(alg).unwrap();
            SigningKey::from_pkcs8_pem(alg, pem.expose_secret(), kid)
        }
    }
    .unwrap()
}

fn all_keys() -> KeySet {
    let mut set = KeySet::new(key(Algorithm::ES256, "es"));
    for (alg, kid) in [
        (Algorithm::EdDSA, "ed"),
        (Algorithm::RS256, "rs"),
        (Algorithm::PS256, "ps"),
        (Algorithm::HS256, "hs"),
    ] {
        set.push_previous(key(alg, kid)).unwrap();
    }
    set
}

/// Whether `keys` verifies a signature `signer` makes.
fn verifies(keys: &VerificationKeys, signer: &SigningKey) -> bool {
    let message = b"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJjMSJ9";
    let signature = signer.sign(message).unwrap();
    keys.find(signer.kid())
        .is_some_and(|key| key.verify(message, signature.as_ref()))
}

#[test]
fn a_key_set_verifies_with_every_key_hmac_included() {
    let set = all_keys();
    let keys = VerificationKeys::from_key_set(&set);
    assert_eq!(keys.len(), 5);
    for signer in set.iter() {
        assert!(verifies(&keys, signer), "{}", signer.kid());
        assert_eq!(
            keys.find(signer.kid()).unwrap().algorithm(),
            signer.algorithm()
        );
    }
    let other = SigningKey::generate(Algorithm::ES256).unwrap().0;
    assert!(!verifies(&keys, &other));
}

#[test]
fn a_published_jwks_verifies_with_every_public_key_and_no_secret() {
    let set = all_keys();
    let keys = VerificationKeys::from_jwks_json(&set.jwks_json()).unwrap();
    let kids: Vec<_> = keys.iter().collect();
    assert_eq!(
        kids,
        [
            ("es", Algorithm::ES256),
            ("ed", Algorithm::EdDSA),
            ("rs", Algorithm::RS256),
            ("ps", Algorithm::PS256)
        ]
    );
    for signer in set.iter().filter(|k| !k.algorithm().is_symmetric()) {
        assert!(verifies(&keys, signer), "{}", signer.kid());
    }
    assert!(keys.find("hs").is_none());
}

#[test]
fn a_pss_key_does_not_verify_pkcs1_signatures_or_the_reverse() {
    let set = all_keys();
    let keys = VerificationKeys::from_jwks(&set.jwks()).unwrap();
    let message = b"m";
    let pkcs1 = set.find("rs").unwrap().sign(message).unwrap();
    let pss = set.find("ps").unwrap().sign(message).unwrap();
    assert!(!keys.find("ps").unwrap().verify(message, pkcs1.as_ref()));
    assert!(!keys.find("rs").unwrap().verify(message, pss.as_ref()));
}

fn jwks_with(
    mut edit: impl FnMut(&mut serde_json::Value),
) -> Result<VerificationKeys, ConfigError> {
    let mut jwks: serde_json::Value = serde_json::from_str(&all_keys().jwks_json()).unwrap();
    edit(&mut jwks);
    VerificationKeys::from_jwks_json(&jwks.to_string())
}

fn kids(keys: &VerificationKeys) -> Vec<&str> {
    keys.iter().map(|(kid, _)| kid).collect()
}

#[test]
fn unusable_jwks_entries_are_skipped() {
    let keys = jwks_with(|jwks| {
        let keys = jwks["keys"].as_array_mut().unwrap();
        keys[0]["use"] = "enc".into(); // es: an encryption key
        keys[1].as_object_mut().unwrap().remove("kid"); // ed: no kid
        keys[2]["alg"] = "ES256".into(); // rs: alg contradicts kty
        keys[3]["key_ops"] = serde_json::json!(["encrypt"]); // ps: not for verifying
        keys.push(serde_json::json!({"kty":"oct","kid":"hs","alg":"HS256","k":"c2VjcmV0"}));
        keys.push(serde_json::json!({"kty":"EC","kid":"p384","crv":"P-384","x":"AA","y":"AA"}));
        keys.push(serde_json::json!({"kty":"OKP","kid":"x25519","crv":"X25519","x":"AA"}));
        keys.push(
            serde_json::json!({"kty":"EC","kid":"short","crv":"P-256","x":"AAAA","y":"AAAA"}),
        );
        keys.push(serde_json::json!({"kty":"RSA","kid":"rs1024","n":"AQAB","e":"AQAB"}));
        keys.push(serde_json::json!({"kty":"weird","kid":"weird"}));
    });
    assert!(matches!(keys, Err(ConfigError::InvalidKey(_))), "{keys:?}");

    let keys = jwks_with(|jwks| {
        jwks["keys"].as_array_mut().unwrap()[0]["use"] = "enc".into();
        jwks["keys"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"kty":"oct","kid":"hs","k":"c2VjcmV0"}));
    })
    .unwrap();
    assert_eq!(kids(&keys), ["ed", "rs", "ps"]);
}

#[test]
fn missing_alg_members_default_to_the_key_types_algorithm() {
    let keys = jwks_with(|jwks| {
        for key in jwks["keys"].as_array_mut().unwrap() {
            key.as_object_mut().unwrap().remove("alg");
        }
    })
    .unwrap();
    let algs: Vec<_> = keys.iter().collect();
    assert_eq!(
        algs,
        [
            ("es", Algorithm::ES256),
            ("ed", Algorithm::EdDSA),
            ("rs", Algorithm::RS256),
            ("ps", Algorithm::RS256)
        ]
    );
}

#[test]
fn rsa_integers_with_leading_zero_octets_are_read() {
    let set = all_keys();
    let keys = jwks_with(|jwks| {
        let rs = &mut jwks["keys"].as_array_mut().unwrap()[2];
        let n = URL_SAFE_NO_PAD.decode(rs["n"].as_str().unwrap()).unwrap();
        rs["n"] = URL_SAFE_NO_PAD.encode([&[0u8][..], &n].concat()).into();
    })
    .unwrap();
    assert!(verifies(&keys, set.find("rs").unwrap()));
}

#[test]
fn empty_duplicate_and_malformed_sets_are_refused() {
    assert!(matches!(
        VerificationKeys::from_jwks_json(r#"{"keys":[]}"#),
        Err(ConfigError::InvalidKey(_))
    ));
    assert!(matches!(
        VerificationKeys::from_jwks_json("not json"),
        Err(ConfigError::InvalidKey(_))
    ));
    assert!(matches!(
        VerificationKeys::from_jwks_json(r#"{"keys":{}}"#),
        Err(ConfigError::InvalidKey(_))
    ));
    let duplicate = jwks_with(|jwks| {
        let keys = jwks["keys"].as_array_mut().unwrap();
        let copy = keys[0].clone();
        keys.push(copy);
    });
    assert!(matches!(duplicate, Err(ConfigError::DuplicateKeyId(kid)) if kid == "es"));
}

#[test]
fn hs256_keys_come_only_from_an_explicit_secret() {
    let signer = key(Algorithm::HS256, "hs");
    let keys = VerificationKeys::from_jwks(&all_keys().jwks())
        .unwrap()
        .with_hs256(&hs256_secret(), Some("hs".into()))
        .unwrap();
    assert!(verifies(&keys, &signer));
    // Without a kid, the same kid as the signing key's is derived.
    let derived = SigningKey::hs256(&hs256_secret(), None).unwrap();
    let keys = VerificationKeys::from_jwks(&all_keys().jwks())
        .unwrap()
        .with_hs256(&hs256_secret(), None)
        .unwrap();
    assert!(verifies(&keys, &derived));
    assert!(matches!(
        keys.clone().with_hs256(&[7; 31], Some("short".into())),
        Err(ConfigError::InvalidKey(_))
    ));
    assert!(matches!(
        keys.with_hs256(&hs256_secret(), None),
        Err(ConfigError::DuplicateKeyId(_))
    ));
}

#[test]
fn debug_shows_kids_and_algorithms_only() {
    let keys = VerificationKeys::from_key_set(&all_keys());
    let debug = format!("{keys:?}");
    assert!(debug.contains("\"es\": ES256"), "{debug}");
    assert!(!debug.contains(HS256_SECRET_B64U.trim()));
    let secret_hex: String = hs256_secret().iter().map(|b| format!("{b:02x}")).collect();
    assert!(!debug.to_lowercase().contains(&secret_hex[..16]));
}

#[test]
fn es384_keys_verify_from_a_key_set_and_a_jwks() {
    let set = KeySet::new(key(Algorithm::ES384, "es384"));
    let signer = set.active();
    let from_set = VerificationKeys::from_key_set(&set);
    let from_jwks = VerificationKeys::from_jwks_json(&set.jwks_json()).unwrap();
    for keys in [&from_set, &from_jwks] {
        assert_eq!(keys.find("es384").unwrap().algorithm(), Algorithm::ES384);
    }
    let message = b"header.payload";
    let signature = signer.sign(message).unwrap();
    for keys in [&from_set, &from_jwks] {
        assert!(
            keys.find("es384")
                .unwrap()
                .verify(message, signature.as_ref())
        );
        assert!(
            !keys
                .find("es384")
                .unwrap()
                .verify(b"other", signature.as_ref())
        );
    }
}

/// A member given twice reads as its last occurrence (RFC 7517 §4), the same
/// way `ClientJwks::from_json` reads it: a repeated `kid` used to refuse the
/// whole set, and a repeated key parameter to make the key unreadable.
#[test]
fn a_repeated_member_reads_as_its_last_occurrence() {
    let jwk = key(Algorithm::ES256, "es").public_jwk().unwrap();
    let member = |name: &str| serde_json::to_value(&jwk).unwrap()[name].clone();
    let (x, y) = (member("x"), member("y"));
    let set =
        |members: &str| format!(r#"{{"keys":[{{"kty":"EC","crv":"P-256","x":{x},{members}}}]}}"#);

    let keys = VerificationKeys::from_jwks_json(&set(&format!(
        r#""kid":"old","kid":"es","y":"AAAA","y":{y}"#
    )))
    .unwrap();
    assert_eq!(kids(&keys), ["es"]);
    let signer = key(Algorithm::ES256, "es");
    assert!(verifies(&keys, &signer));

    let last_unusable = set(&format!(r#""kid":"es","y":{y},"y":"AAAA""#));
    assert!(VerificationKeys::from_jwks_json(&last_unusable).is_err());
    for json in [
        set(&format!(r#""kid":"es","y":"AAAA","y":{y}"#)),
        last_unusable,
    ] {
        assert_eq!(
            VerificationKeys::from_jwks_json(&json).is_ok(),
            crate::ClientJwks::from_json(&json).is_ok(),
            "{json}"
        );
    }
}
