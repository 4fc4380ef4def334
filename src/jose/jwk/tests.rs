use proptest::prelude::*;

use super::*;
use crate::jose::keys::SigningKey;

const RSA_PEM: &str = include_str!("../../../tests/vectors/rs256.pkcs8.pem");

fn jwk(value: serde_json::Value) -> Jwk {
    serde_json::from_value(value).unwrap()
}

fn published(alg: Algorithm) -> serde_json::Value {
    let key = match alg {
        Algorithm::RS256 | Algorithm::PS256 => {
            SigningKey::from_pkcs8_pem(alg, RSA_PEM, None).unwrap()
        }
        _ => SigningKey::generate(alg).unwrap().0,
    };
    serde_json::to_value(key.public_jwk().unwrap()).unwrap()
}

fn refusal(value: serde_json::Value) -> String {
    match read_jwk(&jwk(value)) {
        Err(ConfigError::InvalidKey(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn modulus_bits_count_from_the_first_set_bit() {
    assert_eq!(modulus_bits(&[0x7f, 0xff]), 15);
    assert_eq!(modulus_bits(&[0x01; 256]), 2041);
    assert_eq!(modulus_bits(&[]), 0);
    assert_eq!(modulus_bits(&[0]), 0);
}

#[test]
fn empty_or_zero_rsa_moduli_are_refused_without_panicking() {
    for n in ["", "AA", "AAAA", "AAAAAA"] {
        let message = refusal(serde_json::json!({"kty":"RSA","n":n,"e":"AQAB"}));
        assert!(message.contains("got 0"), "{n:?}: {message}");
    }
}

#[test]
fn rsa_exponents_must_be_odd_at_least_3_and_at_most_four_octets() {
    let mut rsa = published(Algorithm::RS256);
    assert!(read_jwk(&jwk(rsa.clone())).is_ok());
    for e in ["", "AA", "AQ", "AAE", "Ag", "AQAA", "AQAAAAE"] {
        rsa["e"] = e.into();
        let message = refusal(rsa.clone());
        assert!(message.contains("exponent"), "{e:?}: {message}");
    }
    for e in ["Aw", "AAAAAw", "_____w"] {
        rsa["e"] = e.into();
        assert!(read_jwk(&jwk(rsa.clone())).is_ok(), "{e:?}");
    }
}

#[test]
fn rsa_moduli_between_2048_and_8192_bits_with_leading_zeros_tolerated() {
    let mut rsa = published(Algorithm::RS256);
    let n = URL_SAFE_NO_PAD.decode(rsa["n"].as_str().unwrap()).unwrap();
    rsa["n"] = URL_SAFE_NO_PAD.encode([&[0u8, 0][..], &n].concat()).into();
    let padded = jwk(rsa.clone());
    let read = read_jwk(&padded).unwrap();
    let PublicKey::Rsa(components) = &read.key else {
        panic!("an RSA key")
    };
    assert_eq!(*components.n, *n);
    rsa["n"] = URL_SAFE_NO_PAD.encode(&n[1..]).into();
    assert!(refusal(rsa.clone()).contains("2048 to 8192"));
    rsa["n"] = URL_SAFE_NO_PAD.encode(vec![0xff; 1025]).into();
    assert!(refusal(rsa).contains("got 8200"));
}

#[test]
fn curves_sizes_and_encodings_are_checked() {
    let ec = published(Algorithm::ES256);
    assert!(matches!(
        read_jwk(&jwk(ec.clone())).unwrap().key,
        PublicKey::EcP256(_)
    ));
    let mut short = ec.clone();
    short["x"] = "AAAA".into();
    assert!(refusal(short).contains("32 bytes"));
    let mut padded = ec.clone();
    padded["y"] = format!("{}=", ec["y"].as_str().unwrap()).into();
    assert!(refusal(padded).contains("base64url"));
    let mut p384_sized = ec.clone();
    p384_sized["crv"] = "P-384".into();
    assert!(refusal(p384_sized).contains("48 bytes"));
    assert!(
        refusal(serde_json::json!({"kty":"EC","crv":"P-521","x":"AA","y":"AA"}))
            .contains("P-256 or P-384")
    );
    // X25519 is an agreement curve: refused, whether as OKP or as unknown.
    assert!(!refusal(serde_json::json!({"kty":"OKP","crv":"X25519","x":"AA"})).is_empty());
    assert!(refusal(serde_json::json!({"kty":"oct","k":"c2VjcmV0"})).contains("symmetric"));
}

#[test]
fn use_key_ops_and_alg_must_agree_with_the_key() {
    let mut ec = published(Algorithm::ES256);
    ec["use"] = "enc".into();
    assert!(refusal(ec.clone()).contains("`use`"));
    ec["use"] = "sig".into();
    ec["key_ops"] = serde_json::json!(["encrypt"]);
    assert!(refusal(ec.clone()).contains("key_ops"));
    ec["key_ops"] = serde_json::json!(["sign", "verify"]);
    assert!(read_jwk(&jwk(ec.clone())).is_ok());
    ec["alg"] = "RS256".into();
    assert!(refusal(ec.clone()).contains("does not suit"));
    ec["alg"] = "HS256".into();
    assert!(refusal(ec).contains("unsupported key algorithm"));
    let mut rsa = published(Algorithm::PS256);
    assert_eq!(
        read_jwk(&jwk(rsa.clone())).unwrap().declared,
        Some(Algorithm::PS256)
    );
    rsa.as_object_mut().unwrap().remove("alg");
    let rsa = jwk(rsa);
    let open = read_jwk(&rsa).unwrap();
    assert_eq!(open.declared, None);
    assert!(open.key.suits(Algorithm::RS256) && open.key.suits(Algorithm::PS256));
    assert!(!open.key.suits(Algorithm::HS256));
    assert_eq!(open.key.default_algorithm(), Algorithm::RS256);
}

#[test]
fn private_members_are_named_never_echoed() {
    let mut ec = published(Algorithm::ES256);
    assert!(refuse_private_members(&ec).is_ok());
    for member in PRIVATE_MEMBERS {
        ec[member] = "c2VjcmV0".into();
        let message = refuse_private_members(&ec).unwrap_err().to_string();
        assert!(message.contains(&format!("{member:?}")), "{message}");
        assert!(!message.contains("c2VjcmV0"));
        ec.as_object_mut().unwrap().remove(member);
    }
    assert!(refuse_private_members(&serde_json::json!([])).is_err());
}

#[test]
fn strict_mode_refuses_the_set_and_lenient_mode_skips_the_key() {
    let mut enc = published(Algorithm::EdDSA);
    enc["use"] = "enc".into();
    let set: JwkSet = serde_json::from_value(
        serde_json::json!({"keys": [published(Algorithm::ES256), enc, published(Algorithm::EdDSA)]}),
    )
    .unwrap();
    assert!(Mode::Strict.read(&set, |jwk| Ok(jwk.key.kind())).is_err());
    let kinds = Mode::Lenient.read(&set, |jwk| Ok(jwk.key.kind())).unwrap();
    assert_eq!(kinds, ["EC P-256", "OKP Ed25519"]);
    // The caller's own refusals count the same way.
    let refuse_ec = |jwk: PublicJwk<'_>| match jwk.key {
        PublicKey::EcP256(_) => Err(invalid("no EC")),
        key => Ok(key.kind()),
    };
    assert!(Mode::Strict.read(&set, refuse_ec).is_err());
    assert_eq!(
        Mode::Lenient.read(&set, refuse_ec).unwrap(),
        ["OKP Ed25519"]
    );
}

#[test]
fn thumbprint_matches_rfc7638_section_3_1() {
    let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_\
             BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_\
             FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhA\
             I4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    let expected = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
    assert_eq!(
        thumbprint(&ThumbprintMembers::Rsa { n, e: "AQAB" }),
        expected
    );
    let rfc_key = jwk(serde_json::json!({"kty":"RSA","n":n,"e":"AQAB"}));
    let read = read_jwk(&rfc_key).unwrap();
    assert_eq!(read.key.thumbprint(), expected);
}

#[test]
fn a_read_key_has_its_signing_keys_thumbprint_and_verifies_its_signatures() {
    for alg in [
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
        Algorithm::RS256,
        Algorithm::PS256,
    ] {
        let signer = match alg {
            Algorithm::RS256 | Algorithm::PS256 => {
                SigningKey::from_pkcs8_pem(alg, RSA_PEM, None).unwrap()
            }
            _ => SigningKey::generate(alg).unwrap().0,
        };
        let public = signer.public_jwk().unwrap();
        let read = read_jwk(&public).unwrap();
        assert_eq!(read.key.thumbprint(), signer.kid(), "{alg}");
        let signature = signer.sign(b"header.payload").unwrap();
        assert!(read.key.verify(alg, b"header.payload", signature.as_ref()));
        assert!(!read.key.verify(alg, b"header.payloaX", signature.as_ref()));
        assert!(
            !read
                .key
                .verify(Algorithm::HS256, b"header.payload", signature.as_ref())
        );
    }
}

/// Members a JWK may carry, each drawn from values that matter to the rules
/// and from arbitrary text.
fn member(values: &'static [&'static str]) -> impl Strategy<Value = Option<serde_json::Value>> {
    let listed = prop::sample::select(values).prop_map(serde_json::Value::from);
    let bytes = prop::collection::vec(any::<u8>(), 0..40)
        .prop_map(|b| serde_json::Value::from(URL_SAFE_NO_PAD.encode(b)));
    let zeros =
        (0usize..600).prop_map(|n| serde_json::Value::from(URL_SAFE_NO_PAD.encode(vec![0; n])));
    let text = ".{0,12}".prop_map(serde_json::Value::from);
    prop::option::of(prop_oneof![listed, bytes, zeros, text])
}

fn arbitrary_jwk() -> impl Strategy<Value = serde_json::Value> {
    (
        member(&["EC", "OKP", "RSA", "oct", "weird"]),
        member(&["P-256", "P-384", "P-521", "Ed25519", "X25519"]),
        member(&["", "AA", "AAAA", "AQAB"]),
        member(&["", "AA", "AAAA", "AQAB"]),
        member(&["", "AA", "AAAA", "AQAB", "AQAAAAE"]),
        member(&["", "AA", "AQ", "AQAB", "Aw"]),
        member(&["ES256", "ES384", "EdDSA", "RS256", "PS256", "HS256", "none"]),
        member(&["sig", "enc", "other"]),
        member(&["kid", "", "caf\u{e9}"]),
        prop::option::of(prop::sample::subsequence(
            vec!["sign", "verify", "encrypt"],
            0..3,
        )),
        member(&["AAAA"]),
    )
        .prop_map(|(kty, crv, x, y, n, e, alg, use_, kid, ops, d)| {
            let mut object = serde_json::Map::new();
            for (name, value) in [
                ("kty", kty),
                ("crv", crv),
                ("x", x),
                ("y", y),
                ("n", n),
                ("e", e),
                ("alg", alg),
                ("use", use_),
                ("kid", kid),
                ("key_ops", ops.map(|ops| serde_json::json!(ops))),
                ("d", d),
            ] {
                if let Some(value) = value {
                    object.insert(name.into(), value);
                }
            }
            serde_json::Value::Object(object)
        })
}

proptest! {
    /// No key input panics, in any reader (overflow checks are on in tests).
    #[test]
    fn no_jwk_input_panics(key in arbitrary_jwk(), rsa_n in prop::collection::vec(any::<u8>(), 0..8)) {
        let _ = refuse_private_members(&key);
        if let Ok(typed) = serde_json::from_value::<Jwk>(key.clone()) {
            if let Ok(read) = read_jwk(&typed) {
                let _ = read.key.thumbprint();
                let _ = read.key.verify(read.key.default_algorithm(), b"m", b"s");
            }
            let set = JwkSet { keys: vec![typed] };
            let _ = Mode::Strict.read(&set, |jwk| Ok(jwk.key));
            let _ = crate::jose::client_keys::ClientJwks::from_jwk_set(&set);
            let _ = crate::jose::client_keys::ClientJwks::from_published(&set);
            let _ = crate::jose::verification_keys::VerificationKeys::from_jwks(&set);
        }
        let document = serde_json::json!({ "keys": [key] }).to_string();
        let _ = crate::jose::client_keys::ClientJwks::from_json(&document);
        let _ = crate::jose::verification_keys::VerificationKeys::from_jwks_json(&document);
        let _ = modulus_bits(&rsa_n);
    }
}
