use super::*;

const ES256_PEM: &str = include_str!("../../../tests/vectors/es256.pkcs8.pem");
const EDDSA_PEM: &str = include_str!("../../../tests/vectors/eddsa.pkcs8.pem");
const RSA_PEM: &str = include_str!("../../../tests/vectors/rs256.pkcs8.pem");
const RSA_PKCS1_PEM: &str = include_str!("../../../tests/vectors/rs256.pkcs1.pem");
const RSA_1024_PEM: &str = include_str!("../../../tests/vectors/rsa1024-too-small.pkcs8.pem");
const HS256_SECRET_B64U: &str = include_str!("../../../tests/vectors/hs256.secret.b64u");

/// Thumbprints of the vector keys, computed independently from OpenSSL's view of
/// each public key (Python: `hashlib.sha256` over the RFC 7638 member JSON).
const ES256_THUMBPRINT: &str = "u4YDh1FqJ-Kl4SW7D58aj6QznS3UXsb4KCKhbv5Gx0s";
const EDDSA_THUMBPRINT: &str = "8nrDFiLROs9N0iDdjdV9kmfMy69h6peykco2zr7Zpz0";
const RSA_THUMBPRINT: &str = "HWzly1EFBjaEJcgPxpm2G9Jl3GbbeGwzv-_KQsHbE-Q";
const HS256_KID: &str = "ZvANv5hyKqyjPCfY50vml0";

fn hs256_secret() -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(HS256_SECRET_B64U.trim()).unwrap()
}

fn load(alg: Algorithm) -> SigningKey {
    match alg {
        Algorithm::ES256 => SigningKey::from_pkcs8_pem(alg, ES256_PEM, None),
        Algorithm::ES384 => SigningKey::generate(alg).map(|(key, _)| key),
        Algorithm::EdDSA => SigningKey::from_pkcs8_pem(alg, EDDSA_PEM, None),
        Algorithm::RS256 | Algorithm::PS256 => SigningKey::from_pkcs8_pem(alg, RSA_PEM, None),
        Algorithm::HS256 => SigningKey::hs256(&hs256_secret(), None),
    }
    .unwrap()
}

const ALL: [Algorithm; 6] = [
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
    Algorithm::RS256,
    Algorithm::PS256,
    Algorithm::HS256,
];

fn invalid_key_message(result: Result<SigningKey, ConfigError>) -> String {
    match result {
        Err(ConfigError::InvalidKey(message)) => message,
        other => panic!("expected InvalidKey, got {other:?}"),
    }
}

/// RFC 8037 Appendix A.1: the Ed25519 private key `d` as a PKCS#8 v1 document.
fn rfc8037_key() -> SigningKey {
    let seed = URL_SAFE_NO_PAD
        .decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
        .unwrap();
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(&seed);
    SigningKey::from_pkcs8_der(Algorithm::EdDSA, &der, None).unwrap()
}

#[test]
fn default_kid_is_the_rfc7638_thumbprint() {
    assert_eq!(load(Algorithm::ES256).kid(), ES256_THUMBPRINT);
    assert_eq!(load(Algorithm::EdDSA).kid(), EDDSA_THUMBPRINT);
    assert_eq!(load(Algorithm::RS256).kid(), RSA_THUMBPRINT);
    assert_eq!(load(Algorithm::PS256).kid(), RSA_THUMBPRINT);
}

#[test]
fn thumbprint_matches_rfc7638_section_3_1() {
    let rfc_key = PublicParams::Rsa {
        n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_\
            BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_\
            FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhA\
            I4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
            .to_owned(),
        e: "AQAB".to_owned(),
    };
    assert_eq!(
        rfc_key.thumbprint(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
}

#[test]
fn ed25519_matches_rfc8037_appendix_a() {
    let key = rfc8037_key();
    // A.3: the thumbprint; A.4: the signature, which Ed25519 makes deterministic.
    assert_eq!(key.kid(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    let signature = key
        .sign(b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc")
        .unwrap();
    assert_eq!(
        URL_SAFE_NO_PAD.encode(signature),
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
    );
    let jwk = serde_json::to_value(key.public_jwk().unwrap()).unwrap();
    assert_eq!(jwk["x"], "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
}

#[test]
fn rsa_pkcs1_pem_and_der_load_the_same_key() {
    let pkcs1 = SigningKey::from_pkcs8_pem(Algorithm::RS256, RSA_PKCS1_PEM, None).unwrap();
    assert_eq!(pkcs1.kid(), RSA_THUMBPRINT);
    let (_, der) = decode_pem(RSA_PKCS1_PEM).unwrap();
    let from_der = SigningKey::from_pkcs8_der(Algorithm::PS256, &der, None).unwrap();
    assert_eq!(from_der.kid(), RSA_THUMBPRINT);
    assert_eq!(from_der.algorithm(), Algorithm::PS256);
}

#[test]
fn short_rsa_keys_are_refused() {
    let message = invalid_key_message(SigningKey::from_pkcs8_pem(
        Algorithm::RS256,
        RSA_1024_PEM,
        None,
    ));
    assert!(message.contains("RS256"), "{message}");
}

#[test]
fn a_key_of_another_type_is_refused() {
    for (alg, pem) in [
        (Algorithm::ES256, EDDSA_PEM),
        (Algorithm::EdDSA, ES256_PEM),
        (Algorithm::RS256, ES256_PEM),
        (Algorithm::ES256, RSA_PEM),
        (Algorithm::ES256, RSA_PKCS1_PEM),
        (Algorithm::HS256, ES256_PEM),
    ] {
        invalid_key_message(SigningKey::from_pkcs8_pem(alg, pem, None));
    }
}

#[test]
fn malformed_and_encrypted_pem_is_refused_without_echoing_it() {
    let truncated = &ES256_PEM[..ES256_PEM.len() - 30];
    let corrupted = ES256_PEM.replacen("MI", "M!", 1);
    let encrypted =
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n";
    let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMIIB\n-----END RSA PRIVATE KEY-----\n";
    let body = ES256_PEM.lines().nth(1).unwrap();
    for bad in ["", "not a key", truncated, &corrupted, encrypted, legacy] {
        let message = invalid_key_message(SigningKey::from_pkcs8_pem(Algorithm::ES256, bad, None));
        assert!(!message.contains(body), "{message}");
    }
    let message = invalid_key_message(SigningKey::from_pkcs8_pem(Algorithm::RS256, legacy, None));
    assert!(message.contains("encrypted"), "{message}");
}

#[test]
fn pem_decoding_skips_surrounding_text_and_whitespace() {
    let framed = format!(
        "Bag Attributes\r\n  friendlyName: k\r\n{}",
        ES256_PEM.replace('\n', "\r\n")
    );
    let (label, der) = decode_pem(&framed).unwrap();
    assert_eq!(label, "PRIVATE KEY");
    assert_eq!(&*der, &*decode_pem(ES256_PEM).unwrap().1);
}

#[test]
fn hs256_needs_32_bytes_and_gets_an_opaque_stable_kid() {
    let message = invalid_key_message(SigningKey::hs256(&[7; 31], None));
    assert!(message.contains("32"), "{message}");
    let key = load(Algorithm::HS256);
    assert_eq!(key.kid(), HS256_KID);
    assert_eq!(key.kid().len(), 22);
    assert_ne!(SigningKey::hs256(&[7; 32], None).unwrap().kid(), key.kid());
    assert!(
        invalid_key_message(SigningKey::from_pkcs8_der(Algorithm::HS256, &[0; 32], None))
            .contains("hs256")
    );
}

#[test]
fn explicit_kid_is_kept_and_checked() {
    let key =
        SigningKey::from_pkcs8_pem(Algorithm::ES256, ES256_PEM, Some("2026-01".into())).unwrap();
    assert_eq!(key.kid(), "2026-01");
    assert_eq!(
        key.public_jwk().unwrap().common.key_id.as_deref(),
        Some("2026-01")
    );
    for bad in [
        String::new(),
        "a\nb".to_owned(),
        "é".to_owned(),
        "k".repeat(257),
    ] {
        invalid_key_message(SigningKey::hs256(&[1; 32], Some(bad)));
    }
    assert!(SigningKey::hs256(&[1; 32], Some("k".repeat(256))).is_ok());
}

#[test]
fn c51_header_is_pre_encoded_with_typ_at_jwt() {
    let key = load(Algorithm::ES256);
    let prefix = key.header_prefix();
    let encoded = prefix.strip_suffix('.').unwrap();
    let header = URL_SAFE_NO_PAD.decode(encoded).unwrap();
    assert_eq!(
        String::from_utf8(header).unwrap(),
        format!(r#"{{"alg":"ES256","typ":"at+jwt","kid":"{ES256_THUMBPRINT}"}}"#)
    );
    let odd = SigningKey::hs256(&[1; 32], Some(r#"a"b\c"#.into())).unwrap();
    let header = URL_SAFE_NO_PAD
        .decode(odd.header_prefix().trim_end_matches('.'))
        .unwrap();
    let header: serde_json::Value = serde_json::from_slice(&header).unwrap();
    assert_eq!(header["kid"], r#"a"b\c"#);
}

#[test]
fn every_algorithm_signs_and_verifies() {
    let input = b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjMSJ9";
    for alg in ALL {
        let key = load(alg);
        let signature = key.sign(input).unwrap();
        assert_eq!(signature.as_ref().len(), key.signature_len(), "{alg}");
        assert!(key.verify(input, signature.as_ref()), "{alg}");
        assert!(
            !key.verify(b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjMiJ9", signature.as_ref()),
            "{alg}"
        );
        let mut flipped = signature.as_ref().to_vec();
        flipped[10] ^= 1;
        assert!(!key.verify(input, &flipped), "{alg}");
        assert_eq!(key.public_key().is_some(), !alg.is_symmetric(), "{alg}");
    }
}

#[test]
fn a_signature_does_not_verify_under_another_key_or_padding() {
    let input = b"header.payload";
    let rs = load(Algorithm::RS256);
    let ps = load(Algorithm::PS256);
    assert!(!ps.verify(input, rs.sign(input).unwrap().as_ref()));
    assert!(!rs.verify(input, ps.sign(input).unwrap().as_ref()));
    let (other, _) = SigningKey::generate(Algorithm::ES256).unwrap();
    let es = load(Algorithm::ES256);
    assert!(!other.verify(input, es.sign(input).unwrap().as_ref()));
    let hs = SigningKey::hs256(&[9; 32], None).unwrap();
    assert!(!hs.verify(input, load(Algorithm::HS256).sign(input).unwrap().as_ref()));
}

#[test]
fn deterministic_algorithms_sign_deterministically() {
    for alg in [Algorithm::EdDSA, Algorithm::RS256, Algorithm::HS256] {
        let key = load(alg);
        assert_eq!(
            key.sign(b"x").unwrap().as_ref(),
            key.sign(b"x").unwrap().as_ref(),
            "{alg}"
        );
    }
    let key = load(Algorithm::PS256);
    assert_ne!(
        key.sign(b"x").unwrap().as_ref(),
        key.sign(b"x").unwrap().as_ref()
    );
}

#[test]
fn public_jwks_have_the_right_members_and_no_private_ones() {
    let expected = [
        (Algorithm::ES256, r#"{"kty":"EC","crv":"P-256","#),
        (Algorithm::EdDSA, r#"{"kty":"OKP","crv":"Ed25519","#),
        (Algorithm::RS256, r#"{"kty":"RSA","#),
        (Algorithm::PS256, r#"{"kty":"RSA","#),
    ];
    for (alg, _) in expected {
        let jwk = serde_json::to_value(load(alg).public_jwk().unwrap()).unwrap();
        let members = jwk.as_object().unwrap();
        assert_eq!(jwk["use"], "sig", "{alg}");
        assert_eq!(jwk["alg"], alg.as_str(), "{alg}");
        assert_eq!(jwk["kid"], load(alg).kid(), "{alg}");
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(!members.contains_key(private), "{alg} leaks {private}");
        }
        let required: &[&str] = match alg {
            Algorithm::ES256 => &["kty", "crv", "x", "y"],
            Algorithm::EdDSA => &["kty", "crv", "x"],
            _ => &["kty", "n", "e"],
        };
        for member in required {
            assert!(members.contains_key(*member), "{alg} lacks {member}");
        }
    }
    let ec = serde_json::to_value(load(Algorithm::ES256).public_jwk().unwrap()).unwrap();
    assert_eq!(
        (ec["kty"].as_str(), ec["crv"].as_str()),
        (Some("EC"), Some("P-256"))
    );
    assert_eq!(
        URL_SAFE_NO_PAD
            .decode(ec["x"].as_str().unwrap())
            .unwrap()
            .len(),
        32
    );
    let rsa = serde_json::to_value(load(Algorithm::RS256).public_jwk().unwrap()).unwrap();
    assert_eq!(rsa["e"], "AQAB");
    assert_eq!(
        URL_SAFE_NO_PAD
            .decode(rsa["n"].as_str().unwrap())
            .unwrap()
            .len(),
        256
    );
    assert!(load(Algorithm::HS256).public_jwk().is_none());
}

#[test]
fn debug_shows_kid_and_algorithm_but_never_key_material() {
    let secret = [0x41u8; 40];
    let hs = SigningKey::hs256(&secret, Some("hs-1".into())).unwrap();
    let debug = format!("{hs:?} {hs:#?}");
    assert!(debug.contains("hs-1") && debug.contains("HS256"), "{debug}");
    assert!(debug.contains(r#"key: "[redacted]""#), "{debug}");
    assert!(
        !debug.contains("AAAA") && !debug.contains("65, 65"),
        "{debug}"
    );

    let es = load(Algorithm::ES256);
    let debug = format!("{es:?} {:?}", KeySet::new(load(Algorithm::RS256)));
    assert!(
        debug.contains(ES256_THUMBPRINT) && debug.contains("[redacted]"),
        "{debug}"
    );
    for line in ES256_PEM
        .lines()
        .chain(RSA_PEM.lines())
        .filter(|l| !l.starts_with("-----"))
    {
        assert!(!debug.contains(&line[..16]), "{debug}");
    }
}

#[test]
fn generated_keys_reload_from_their_pem_with_the_same_kid() {
    for alg in [Algorithm::ES256, Algorithm::EdDSA] {
        let (key, pem) = SigningKey::generate(alg).unwrap();
        let text = pem.expose_secret();
        assert!(text.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{text}");
        assert!(text.ends_with("-----END PRIVATE KEY-----\n"), "{text}");
        assert!(text.lines().all(|line| line.len() <= 64));
        assert_eq!(
            pem.0.len(),
            pem.0.capacity(),
            "the PEM buffer never reallocated"
        );
        let reloaded = SigningKey::from_pkcs8_pem(alg, text, None).unwrap();
        assert_eq!(reloaded.kid(), key.kid());
        assert!(reloaded.verify(b"m", key.sign(b"m").unwrap().as_ref()));
        assert_eq!(format!("{pem:?}"), "PrivateKeyPem([redacted])");
    }
    let (a, _) = SigningKey::generate(Algorithm::ES256).unwrap();
    let (b, _) = SigningKey::generate(Algorithm::ES256).unwrap();
    assert_ne!(a.kid(), b.kid());
    for alg in [Algorithm::RS256, Algorithm::PS256, Algorithm::HS256] {
        assert!(SigningKey::generate(alg).is_err(), "{alg}");
    }
}

#[test]
fn pem_encoding_wraps_at_64_and_round_trips() {
    for len in [0, 1, 47, 48, 49, 96, 121] {
        let der: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let pem = PrivateKeyPem::encode(&der);
        assert_eq!(pem.0.len(), pem.0.capacity(), "len {len}");
        let (label, decoded) = decode_pem(pem.expose_secret()).unwrap();
        assert_eq!((label, &decoded[..]), ("PRIVATE KEY", &der[..]));
    }
}

#[test]
fn keys_are_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SigningKey>();
    assert_send_sync::<KeySet>();
}

#[test]
fn key_set_refuses_duplicate_kids() {
    let set = KeySet::new(load(Algorithm::ES256));
    let duplicate = set.with_previous(load(Algorithm::ES256));
    assert!(matches!(duplicate, Err(ConfigError::DuplicateKeyId(kid)) if kid == ES256_THUMBPRINT));

    let mut set = KeySet::new(load(Algorithm::ES256))
        .with_previous(load(Algorithm::RS256))
        .unwrap();
    // The same RSA key under another algorithm still has the same default kid.
    assert!(matches!(
        set.push_previous(load(Algorithm::PS256)),
        Err(ConfigError::DuplicateKeyId(_))
    ));
    assert!(matches!(
        set.rotate(load(Algorithm::RS256)),
        Err(ConfigError::DuplicateKeyId(_))
    ));
    assert_eq!(set.iter().count(), 2);
}

#[test]
fn key_set_finds_keys_and_publishes_only_public_ones() {
    let set = KeySet::new(load(Algorithm::ES256))
        .with_previous(load(Algorithm::EdDSA))
        .unwrap()
        .with_previous(load(Algorithm::HS256))
        .unwrap()
        .with_previous(
            SigningKey::from_pkcs8_pem(Algorithm::PS256, RSA_PEM, Some("ps".into())).unwrap(),
        )
        .unwrap();
    assert_eq!(set.active().kid(), ES256_THUMBPRINT);
    assert_eq!(
        set.find(EDDSA_THUMBPRINT).unwrap().algorithm(),
        Algorithm::EdDSA
    );
    assert_eq!(set.find(HS256_KID).unwrap().algorithm(), Algorithm::HS256);
    assert!(set.find("missing").is_none());
    let kids: Vec<_> = set.iter().map(SigningKey::kid).collect();
    assert_eq!(kids, [ES256_THUMBPRINT, EDDSA_THUMBPRINT, HS256_KID, "ps"]);

    let jwks = set.jwks();
    let published: Vec<_> = jwks
        .keys
        .iter()
        .map(|k| k.common.key_id.as_deref().unwrap())
        .collect();
    assert_eq!(published, [ES256_THUMBPRINT, EDDSA_THUMBPRINT, "ps"]);

    let json = set.jwks_json();
    assert_eq!(serde_json::from_str::<JwkSet>(&json).unwrap(), jwks);
    assert!(!json.contains("\"d\"") && !json.contains("\"k\"") && !json.contains(HS256_KID));
}

#[test]
fn key_set_rotates_and_retires() {
    let mut set = KeySet::new(load(Algorithm::RS256));
    set.rotate(load(Algorithm::ES256)).unwrap();
    assert_eq!(set.active().kid(), ES256_THUMBPRINT);
    assert!(set.find(RSA_THUMBPRINT).is_some());
    assert!(
        set.retire(ES256_THUMBPRINT).is_none(),
        "the active key stays"
    );
    assert_eq!(set.retire(RSA_THUMBPRINT).unwrap().kid(), RSA_THUMBPRINT);
    assert!(set.find(RSA_THUMBPRINT).is_none());
    assert_eq!(set.jwks().keys.len(), 1);
}
