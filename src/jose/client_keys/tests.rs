use super::*;
use jsonwebtoken::jwk::{AlgorithmParameters, KeyAlgorithm, PublicKeyUse};

use crate::jose::keys::SigningKey;

fn public_jwk(alg: Algorithm) -> Jwk {
    SigningKey::generate(alg).unwrap().0.public_jwk().unwrap()
}

#[test]
fn signing_keys_round_trip_with_the_same_thumbprint() {
    for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::EdDSA] {
        let (key, _) = SigningKey::generate(alg).unwrap();
        let mut jwk = key.public_jwk().unwrap();
        let with_kid = ClientKey::from_jwk(&jwk).unwrap();
        assert_eq!(with_kid.id().as_str(), key.kid());
        assert_eq!(with_kid.declared_algorithm(), Some(alg));
        jwk.common.key_id = None;
        let thumbprinted = ClientKey::from_jwk(&jwk).unwrap();
        assert_eq!(thumbprinted.id().as_str(), key.kid(), "{alg}: RFC 7638");
        // And it verifies what the signing key signs.
        let sig = key.sign(b"header.payload").unwrap();
        assert!(thumbprinted.verify(alg, b"header.payload", sig.as_ref()));
        assert!(!thumbprinted.verify(alg, b"header.payloaX", sig.as_ref()));
    }
}

#[test]
fn rsa_keys_serve_rs256_and_ps256_unless_pinned() {
    let pem = include_str!("../../../tests/vectors/rs256.pkcs8.pem");
    let key = SigningKey::from_pkcs8_pem(Algorithm::RS256, pem, None).unwrap();
    let mut jwk = key.public_jwk().unwrap();
    let pinned = ClientKey::from_jwk(&jwk).unwrap();
    assert!(pinned.accepts(Algorithm::RS256));
    assert!(!pinned.accepts(Algorithm::PS256));
    jwk.common.key_algorithm = None;
    let open = ClientKey::from_jwk(&jwk).unwrap();
    assert!(open.accepts(Algorithm::RS256) && open.accepts(Algorithm::PS256));
    assert!(
        !open.accepts(Algorithm::HS256),
        "never HMAC with public key bytes"
    );
    assert_eq!(open.id().as_str(), key.kid());
}

#[test]
fn unusable_keys_are_refused() {
    let mut enc = public_jwk(Algorithm::ES256);
    enc.common.public_key_use = Some(PublicKeyUse::Encryption);
    assert!(ClientKey::from_jwk(&enc).is_err());
    let mut wrong_alg = public_jwk(Algorithm::ES256);
    wrong_alg.common.key_algorithm = Some(KeyAlgorithm::RS256);
    assert!(ClientKey::from_jwk(&wrong_alg).is_err());
    let mut hs = public_jwk(Algorithm::ES256);
    hs.common.key_algorithm = Some(KeyAlgorithm::HS256);
    assert!(ClientKey::from_jwk(&hs).is_err());
    let mut short = public_jwk(Algorithm::ES256);
    if let AlgorithmParameters::EllipticCurve(ec) = &mut short.algorithm {
        ec.x.truncate(20);
    }
    assert!(ClientKey::from_jwk(&short).is_err());
    let mut bad_kid = public_jwk(Algorithm::EdDSA);
    bad_kid.common.key_id = Some("caf\u{e9}".into());
    assert!(ClientKey::from_jwk(&bad_kid).is_err());
}

#[test]
fn documents_with_private_or_symmetric_members_are_refused() {
    let jwk = serde_json::to_value(public_jwk(Algorithm::ES256)).unwrap();
    let good = serde_json::json!({ "keys": [jwk.clone()] }).to_string();
    assert_eq!(ClientJwks::from_json(&good).unwrap().keys().len(), 1);
    let mut private = jwk.clone();
    private["d"] = "AAAA".into();
    let doc = serde_json::json!({ "keys": [private] }).to_string();
    let err = ClientJwks::from_json(&doc).unwrap_err().to_string();
    assert!(err.contains("\"d\""), "{err}");
    assert!(!err.contains("AAAA"), "the error never echoes key material");
    let oct = serde_json::json!({ "keys": [{ "kty": "oct", "k": "c2VjcmV0" }] }).to_string();
    assert!(ClientJwks::from_json(&oct).is_err());
    let set: JwkSet = serde_json::from_value(serde_json::json!({
        "keys": [{ "kty": "oct", "k": "c2VjcmV0" }]
    }))
    .unwrap();
    assert!(
        ClientJwks::from_jwk_set(&set).is_err(),
        "typed oct keys too"
    );
    for bad in [
        "",
        "[]",
        "{}",
        r#"{"keys":{}}"#,
        r#"{"keys":[]}"#,
        r#"{"keys":[1]}"#,
    ] {
        assert!(ClientJwks::from_json(bad).is_err(), "{bad}");
    }
}

#[test]
fn rotation_sets_need_distinct_ids_and_stay_small() {
    let a = public_jwk(Algorithm::ES256);
    let b = public_jwk(Algorithm::EdDSA);
    let set = JwkSet {
        keys: vec![a.clone(), b.clone()],
    };
    let jwks = ClientJwks::from_jwk_set(&set).unwrap();
    assert!(jwks.find(a.common.key_id.as_deref().unwrap()).is_some());
    let dup = JwkSet {
        keys: vec![a.clone(), a.clone()],
    };
    assert!(matches!(
        ClientJwks::from_jwk_set(&dup),
        Err(ConfigError::DuplicateKeyId(_))
    ));
    let many = JwkSet {
        keys: (0..=MAX_CLIENT_KEYS)
            .map(|_| public_jwk(Algorithm::EdDSA))
            .collect(),
    };
    assert!(ClientJwks::from_jwk_set(&many).is_err());
    // A published set is read leniently: unusable keys and duplicates are skipped.
    let mut enc = public_jwk(Algorithm::ES256);
    enc.common.public_key_use = Some(PublicKeyUse::Encryption);
    let published = ClientJwks::from_published(&JwkSet {
        keys: vec![enc, a.clone(), a, b],
    });
    assert_eq!(published.keys().len(), 2);
}

#[test]
fn jwt_secrets_are_long_hmac_keys_with_redacted_debug() {
    assert!(matches!(
        JwtSecretCredential::new(
            CredentialId::new("j1").unwrap(),
            &ClientSecret::new("short")
        ),
        Err(ConfigError::WeakSecret(5))
    ));
    let secret = ClientSecret::generate();
    let cred = JwtSecretCredential::new(CredentialId::new("j1").unwrap(), &secret)
        .unwrap()
        .expires_at(UnixTime::from_secs(100));
    assert_eq!(cred.expiry(), Some(UnixTime::from_secs(100)));
    let debug = format!("{cred:?}");
    assert!(!debug.contains(secret.expose_secret()));
    let key = cred.into_key();
    assert!(key.accepts(Algorithm::HS256));
    assert!(!key.accepts(Algorithm::ES256));
    assert!(key.is_live(UnixTime::from_secs(99)));
    assert!(!key.is_live(UnixTime::from_secs(100)));
    let tag = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, secret.expose_secret().as_bytes()),
        b"x.y",
    );
    assert!(key.verify(Algorithm::HS256, b"x.y", tag.as_ref()));
}
