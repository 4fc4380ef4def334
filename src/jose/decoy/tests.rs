use ring::signature::KeyPair as _;

use super::*;

const MESSAGE: &[u8] = b"header.payload";

/// The decoy keys are real keys: a signature made with each verifies, so a
/// forged one is refused by the whole computation, not by a key ring cannot
/// read.
#[test]
fn the_decoy_keys_verify_their_own_signatures() {
    let pairs = test_pairs();
    let rng = system_random();
    let es256 = pairs.es256.sign(rng, MESSAGE).unwrap();
    assert!(verify_with_decoy(Algorithm::ES256, MESSAGE, es256.as_ref()));
    let es384 = pairs.es384.sign(rng, MESSAGE).unwrap();
    assert!(verify_with_decoy(Algorithm::ES384, MESSAGE, es384.as_ref()));
    let eddsa = pairs.ed25519.sign(MESSAGE);
    assert!(verify_with_decoy(Algorithm::EdDSA, MESSAGE, eddsa.as_ref()));
    let hs256 = hmac::sign(&pairs.hmac, MESSAGE);
    assert!(verify_with_decoy(Algorithm::HS256, MESSAGE, hs256.as_ref()));
    assert_eq!(pairs.es256.public_key().as_ref().len(), 65);
}

#[test]
fn forged_signatures_are_refused_and_counted() {
    let before = decoy_verifications();
    for (alg, len) in [
        (Algorithm::ES256, 64),
        (Algorithm::ES384, 96),
        (Algorithm::EdDSA, 64),
        (Algorithm::HS256, 32),
        (Algorithm::RS256, 256),
        (Algorithm::PS256, 512),
        (Algorithm::RS256, 0),
        (Algorithm::RS256, 2_000),
    ] {
        assert!(!verify_with_decoy(alg, MESSAGE, &vec![0x5a; len]), "{alg}");
    }
    assert_eq!(decoy_verifications() - before, 8);
}
