//! Decoy signature checks: the work of verifying a signature, done where the
//! real check is not reached, so that refusing an assertion costs about the
//! same whether or not its `sub` names a client that holds a key for it.
//!
//! The keys are made once per process and are of the algorithm family the
//! assertion names: a P-256, a P-384 and an Ed25519 key pair from ring, an
//! HMAC key of 32 random bytes, and for RSA a random odd modulus as long as
//! the signature (2048 to 8192 bits; RSA public key operations cost the same
//! whatever the modulus, for one length). Nothing ever verifies under them,
//! and their result is never used.

use std::hint::black_box;
use std::sync::OnceLock;

use ring::hmac;
use ring::rand::SecureRandom;
use ring::signature::{
    self, ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair,
    Ed25519KeyPair, KeyPair as _, RsaPublicKeyComponents,
};

use crate::jose::algorithm::Algorithm;
use crate::jose::jwk::{PublicKey, RSA_BITS};
use crate::vocab::random::system_random;

/// The decoy keys, made on first use.
struct Decoys {
    es256: PublicKey,
    es384: PublicKey,
    ed25519: PublicKey,
    hmac: hmac::Key,
    /// Random, with its top octet set, so that a signature of its length is
    /// almost always below it and goes through the whole computation.
    rsa_modulus: Box<[u8; MAX_RSA_BYTES]>,
    #[cfg(test)]
    pairs: TestPairs,
}

#[cfg(test)]
pub(crate) struct TestPairs {
    pub(crate) es256: EcdsaKeyPair,
    pub(crate) es384: EcdsaKeyPair,
    pub(crate) ed25519: Ed25519KeyPair,
    pub(crate) hmac: hmac::Key,
}

const MIN_RSA_BYTES: usize = *RSA_BITS.start() / 8;
const MAX_RSA_BYTES: usize = *RSA_BITS.end() / 8;

/// The RSA public exponent of the decoy, the usual 65537.
const RSA_EXPONENT: [u8; 3] = [0x01, 0x00, 0x01];

fn decoys() -> &'static Decoys {
    static DECOYS: OnceLock<Decoys> = OnceLock::new();
    DECOYS.get_or_init(Decoys::generate)
}

impl Decoys {
    fn generate() -> Self {
        let rng = system_random();
        let failed = "the operating system's CSPRNG failed";
        let ecdsa = |alg: &'static signature::EcdsaSigningAlgorithm| {
            let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, rng).expect(failed);
            EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), rng).expect("a key ring just made")
        };
        let es256 = ecdsa(&ECDSA_P256_SHA256_FIXED_SIGNING);
        let es384 = ecdsa(&ECDSA_P384_SHA384_FIXED_SIGNING);
        let ed25519 =
            Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(rng).expect(failed).as_ref())
                .expect("a key ring just made");
        let hmac = hmac::Key::generate(hmac::HMAC_SHA256, rng).expect(failed);
        let mut rsa_modulus = Box::new([0u8; MAX_RSA_BYTES]);
        rng.fill(&mut rsa_modulus[..]).expect(failed);
        Self {
            es256: PublicKey::EcP256(es256.public_key().as_ref().into()),
            es384: PublicKey::EcP384(es384.public_key().as_ref().into()),
            ed25519: PublicKey::Ed25519(ed25519.public_key().as_ref().into()),
            hmac: hmac.clone(),
            rsa_modulus,
            #[cfg(test)]
            pairs: TestPairs {
                es256,
                es384,
                ed25519,
                hmac,
            },
        }
    }
}

/// Verifies `signature` over `message` with the decoy key of `alg`: the cost
/// of one real verification, when no real key is tried. Never true in
/// practice; callers refuse whatever it returns.
pub(crate) fn verify_with_decoy(alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
    #[cfg(test)]
    DECOY_VERIFICATIONS.with(|n| n.set(n.get() + 1));
    let decoys = decoys();
    let message = black_box(message);
    let signature = black_box(signature);
    let verified = match alg {
        Algorithm::ES256 => decoys.es256.verify(alg, message, signature),
        Algorithm::ES384 => decoys.es384.verify(alg, message, signature),
        Algorithm::EdDSA => decoys.ed25519.verify(alg, message, signature),
        Algorithm::HS256 => hmac::verify(&decoys.hmac, message, signature).is_ok(),
        Algorithm::RS256 | Algorithm::PS256 => {
            let len = signature.len().clamp(MIN_RSA_BYTES, MAX_RSA_BYTES);
            let mut n = [0u8; MAX_RSA_BYTES];
            let n = &mut n[..len];
            n.copy_from_slice(&decoys.rsa_modulus[..len]);
            n[0] = 0xff;
            n[len - 1] |= 1;
            let rsa = RsaPublicKeyComponents {
                n: &*n,
                e: &RSA_EXPONENT[..],
            };
            let params = if alg == Algorithm::RS256 {
                &signature::RSA_PKCS1_2048_8192_SHA256
            } else {
                &signature::RSA_PSS_2048_8192_SHA256
            };
            rsa.verify(params, message, signature).is_ok()
        }
    };
    black_box(verified)
}

#[cfg(test)]
thread_local! {
    static DECOY_VERIFICATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many decoy verifications this thread ran (tests only).
#[cfg(test)]
pub(crate) fn decoy_verifications() -> usize {
    DECOY_VERIFICATIONS.with(std::cell::Cell::get)
}

/// The decoy key pairs, to sign with in tests.
#[cfg(test)]
pub(crate) fn test_pairs() -> &'static TestPairs {
    &decoys().pairs
}

#[cfg(test)]
mod tests;
