//! JSON Web Keys (RFC 7517) read into public keys: the one place that decides
//! which key material this crate accepts, for the keys a client registers and
//! for the keys an issuer or a client publishes alike.
//!
//! # The key rules
//! A JWK is usable when all of these hold:
//! - `use`, if present, is `sig`; `key_ops`, if present, includes `verify`.
//! - `alg`, if present, is one of ES256, ES384, EdDSA, RS256 or PS256, and
//!   suits the key type (below).
//! - The key is EC P-256 (ES256) or P-384 (ES384) with `x` and `y` of exactly
//!   32 or 48 bytes, OKP Ed25519 (EdDSA) with an `x` of 32 bytes, or RSA
//!   (RS256, PS256) with a modulus of 2048 to 8192 bits (leading zero octets
//!   tolerated, RFC 7518 §6.3.1.1) and an odd public exponent of 3 to
//!   2³² − 1: what ring's `*_2048_8192_*` verifiers accept, so no key is taken
//!   that could never verify.
//! - Every parameter is base64url without padding, one spelling per value.
//! - Symmetric (`oct`) keys are never read from a JWK: a shared secret is not
//!   published, and a client registers one as a `JwtSecretCredential`.
//! - A JWK document a client registers holds no private or symmetric members
//!   ([`refuse_private_members`]).
//!
//! [`Mode::Strict`] refuses a set holding any key that breaks a rule (keys a
//! client registers); [`Mode::Lenient`] skips such keys (published sets, which
//! may also hold encryption keys or keys for other algorithms).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, KeyOperations, PublicKeyUse,
};
use ring::digest;
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};

use crate::jose::algorithm::Algorithm;
use crate::vocab::error::ConfigError;

/// Smallest and largest RSA moduli accepted, in bits, as ring verifies them.
pub(crate) const RSA_BITS: std::ops::RangeInclusive<usize> = 2048..=8192;

/// Longest RSA public exponent accepted, in bytes (ring takes up to 33 bits).
const MAX_RSA_EXPONENT_BYTES: usize = 4;

/// JWK members that only private or symmetric keys have (RFC 7518 §6).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// How a set of JWKs treats a key that breaks a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The whole set is refused: keys a client registers, where an unusable
    /// key is a mistake to report.
    Strict,
    /// The key is skipped: published sets, which may hold keys for others.
    Lenient,
}

impl Mode {
    /// Reads every key of `set` and turns each into a `T` with `build` (which
    /// applies the caller's own rules, such as those on `kid`). A refusal, by
    /// the key rules or by `build`, fails the whole set in strict mode and
    /// skips the key in lenient mode.
    ///
    /// # Errors
    /// Strict mode only: the first refusal.
    pub(crate) fn read<'a, T>(
        self,
        set: &'a JwkSet,
        mut build: impl FnMut(PublicJwk<'a>) -> Result<T, ConfigError>,
    ) -> Result<Vec<T>, ConfigError> {
        let mut keys = Vec::with_capacity(set.keys.len());
        for jwk in &set.keys {
            match read_jwk(jwk).and_then(&mut build) {
                Ok(key) => keys.push(key),
                Err(error) if self == Self::Strict => return Err(error),
                Err(_) => {}
            }
        }
        Ok(keys)
    }
}

/// A JWK that passed every key rule.
#[derive(Debug)]
pub(crate) struct PublicJwk<'a> {
    /// The `kid`, as given.
    pub(crate) kid: Option<&'a str>,
    /// The `alg` the key is pinned to, which suits [`key`](Self::key).
    pub(crate) declared: Option<Algorithm>,
    /// The key material.
    pub(crate) key: PublicKey,
}

/// Public key material, checked and ready for ring.
#[derive(Clone, Debug)]
pub(crate) enum PublicKey {
    /// An uncompressed SEC1 point, `0x04 || x || y`, as ring reads it.
    EcP256(Box<[u8]>),
    /// An uncompressed SEC1 point on P-384.
    EcP384(Box<[u8]>),
    /// The 32-byte Ed25519 public key.
    Ed25519(Box<[u8]>),
    /// Modulus and exponent, big-endian without leading zero octets.
    Rsa(RsaPublicKeyComponents<Box<[u8]>>),
}

impl PublicKey {
    /// Whether `alg` is an algorithm of this key type: an RSA key serves RS256
    /// and PS256, other keys the one algorithm of their curve, and no public
    /// key ever serves HS256.
    pub(crate) fn suits(&self, alg: Algorithm) -> bool {
        matches!(
            (self, alg),
            (Self::EcP256(_), Algorithm::ES256)
                | (Self::EcP384(_), Algorithm::ES384)
                | (Self::Ed25519(_), Algorithm::EdDSA)
                | (Self::Rsa(_), Algorithm::RS256 | Algorithm::PS256)
        )
    }

    /// The algorithm a key without `alg` is used with where only one may be
    /// chosen: its curve's, and RS256 for RSA (the algorithm RFC 9068 §2.1
    /// makes mandatory).
    pub(crate) fn default_algorithm(&self) -> Algorithm {
        match self {
            Self::EcP256(_) => Algorithm::ES256,
            Self::EcP384(_) => Algorithm::ES384,
            Self::Ed25519(_) => Algorithm::EdDSA,
            Self::Rsa(_) => Algorithm::RS256,
        }
    }

    /// Whether `signature` is a valid `alg` signature of `message`; false when
    /// `alg` does not suit the key. One ring call.
    pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        let public: (&'static dyn signature::VerificationAlgorithm, &[u8]) = match (self, alg) {
            (Self::EcP256(point), Algorithm::ES256) => (&signature::ECDSA_P256_SHA256_FIXED, point),
            (Self::EcP384(point), Algorithm::ES384) => (&signature::ECDSA_P384_SHA384_FIXED, point),
            (Self::Ed25519(x), Algorithm::EdDSA) => (&signature::ED25519, x),
            (Self::Rsa(rsa), Algorithm::RS256) => {
                return rsa
                    .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, signature)
                    .is_ok();
            }
            (Self::Rsa(rsa), Algorithm::PS256) => {
                return rsa
                    .verify(&signature::RSA_PSS_2048_8192_SHA256, message, signature)
                    .is_ok();
            }
            _ => return false,
        };
        UnparsedPublicKey::new(public.0, public.1)
            .verify(message, signature)
            .is_ok()
    }

    /// The key's RFC 7638 thumbprint.
    pub(crate) fn thumbprint(&self) -> String {
        let encode = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        match self {
            Self::EcP256(point) | Self::EcP384(point) => {
                let (x, y) = point[1..].split_at(point.len() / 2);
                let crv = if matches!(self, Self::EcP256(_)) {
                    "P-256"
                } else {
                    "P-384"
                };
                thumbprint(&ThumbprintMembers::Ec {
                    crv,
                    x: &encode(x),
                    y: &encode(y),
                })
            }
            Self::Ed25519(x) => thumbprint(&ThumbprintMembers::Okp { x: &encode(x) }),
            Self::Rsa(rsa) => thumbprint(&ThumbprintMembers::Rsa {
                n: &encode(&rsa.n),
                e: &encode(&rsa.e),
            }),
        }
    }

    /// The key type, for `Debug` output.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Self::EcP256(_) => "EC P-256",
            Self::EcP384(_) => "EC P-384",
            Self::Ed25519(_) => "OKP Ed25519",
            Self::Rsa(_) => "RSA",
        }
    }
}

/// Reads one JWK under the key rules of this module.
///
/// # Errors
/// [`ConfigError::InvalidKey`] naming the rule the key breaks.
pub(crate) fn read_jwk(jwk: &Jwk) -> Result<PublicJwk<'_>, ConfigError> {
    let common = &jwk.common;
    if common
        .public_key_use
        .as_ref()
        .is_some_and(|u| *u != PublicKeyUse::Signature)
    {
        return Err(invalid("the key must be a signature key (`use`: `sig`)"));
    }
    if common
        .key_operations
        .as_ref()
        .is_some_and(|ops| !ops.contains(&KeyOperations::Verify))
    {
        return Err(invalid("the key's `key_ops` must include `verify`"));
    }
    let declared = match common.key_algorithm {
        None => None,
        Some(KeyAlgorithm::ES256) => Some(Algorithm::ES256),
        Some(KeyAlgorithm::ES384) => Some(Algorithm::ES384),
        Some(KeyAlgorithm::EdDSA) => Some(Algorithm::EdDSA),
        Some(KeyAlgorithm::RS256) => Some(Algorithm::RS256),
        Some(KeyAlgorithm::PS256) => Some(Algorithm::PS256),
        Some(other) => {
            return Err(invalid(format!(
                "unsupported key algorithm {other}: use ES256, ES384, EdDSA, RS256 or PS256"
            )));
        }
    };
    let key = match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(ec) => {
            let width = match ec.curve {
                EllipticCurve::P256 => 32,
                EllipticCurve::P384 => 48,
                _ => return Err(invalid("EC keys must use P-256 or P-384")),
            };
            let x = decode_exact(&ec.x, width, "x")?;
            let y = decode_exact(&ec.y, width, "y")?;
            let point: Box<[u8]> = [&[0x04][..], &x, &y].concat().into();
            if width == 32 {
                PublicKey::EcP256(point)
            } else {
                PublicKey::EcP384(point)
            }
        }
        AlgorithmParameters::OctetKeyPair(okp) => {
            if okp.curve != EllipticCurve::Ed25519 {
                return Err(invalid("OKP keys must use Ed25519"));
            }
            PublicKey::Ed25519(decode_exact(&okp.x, 32, "x")?.into())
        }
        AlgorithmParameters::RSA(rsa) => {
            let n = strip_leading_zeros(decode_param(&rsa.n, "n")?);
            let e = strip_leading_zeros(decode_param(&rsa.e, "e")?);
            let bits = modulus_bits(&n);
            if !RSA_BITS.contains(&bits) {
                return Err(invalid(format!(
                    "RSA keys need 2048 to 8192 bits, got {bits}"
                )));
            }
            if !is_usable_exponent(&e) {
                return Err(invalid("the RSA public exponent is not usable"));
            }
            PublicKey::Rsa(RsaPublicKeyComponents {
                n: n.into(),
                e: e.into(),
            })
        }
        AlgorithmParameters::OctetKey(_) => {
            return Err(invalid(
                "symmetric keys are never read from a JWK: register a JwtSecretCredential",
            ));
        }
        _ => return Err(invalid("unsupported key type")),
    };
    if let Some(alg) = declared
        && !key.suits(alg)
    {
        return Err(invalid(format!(
            "the key's `alg` {alg} does not suit its type"
        )));
    }
    Ok(PublicJwk {
        kid: common.key_id.as_deref(),
        declared,
        key,
    })
}

/// Refuses a JWK (as JSON) holding private or symmetric members (`d`, `p`,
/// `q`, `dp`, `dq`, `qi`, `oth`, `k`): typed [`Jwk`]s drop them silently, so a
/// registration document is checked before it is typed. A private key in a
/// registration means the key has leaked. The error names the member, never
/// its value.
///
/// # Errors
/// [`ConfigError::InvalidKey`] when `jwk` is not an object or holds one.
pub(crate) fn refuse_private_members(jwk: &serde_json::Value) -> Result<(), ConfigError> {
    let object = jwk
        .as_object()
        .ok_or_else(|| invalid("every JWK is a JSON object"))?;
    match PRIVATE_MEMBERS.iter().find(|m| object.contains_key(**m)) {
        Some(member) => Err(invalid(format!(
            "a client JWK must be public: member {member:?} is private or symmetric key material"
        ))),
        None => Ok(()),
    }
}

/// The required members of a public JWK (RFC 7638 §3.2), base64url-encoded.
pub(crate) enum ThumbprintMembers<'a> {
    /// `crv` (`P-256` or `P-384`), `x`, `y`.
    Ec {
        crv: &'a str,
        x: &'a str,
        y: &'a str,
    },
    /// Ed25519's `x`.
    Okp { x: &'a str },
    /// `n` and `e`.
    Rsa { n: &'a str, e: &'a str },
}

/// The RFC 7638 thumbprint: base64url(SHA-256) of the required members in
/// lexicographic order, without whitespace (§3.2). The values are base64url,
/// which JSON never escapes, so formatting them in is exact.
pub(crate) fn thumbprint(members: &ThumbprintMembers<'_>) -> String {
    let canonical = match members {
        ThumbprintMembers::Ec { crv, x, y } => {
            format!(r#"{{"crv":"{crv}","kty":"EC","x":"{x}","y":"{y}"}}"#)
        }
        ThumbprintMembers::Okp { x } => format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#),
        ThumbprintMembers::Rsa { n, e } => format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#),
    };
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, canonical.as_bytes()))
}

/// The bit length of a big-endian integer without leading zero octets; 0 for
/// an empty one. Never overflows: `n.len() * 8` fits for any slice in memory
/// and the leading zeros of the first octet are fewer than 8.
pub(crate) fn modulus_bits(n: &[u8]) -> usize {
    match n.first() {
        Some(first) => n
            .len()
            .saturating_mul(8)
            .saturating_sub(first.leading_zeros() as usize),
        None => 0,
    }
}

/// Odd, at least 3 and at most four octets: the exponents ring verifies with.
fn is_usable_exponent(e: &[u8]) -> bool {
    (1..=MAX_RSA_EXPONENT_BYTES).contains(&e.len())
        && e.last().is_some_and(|b| b & 1 == 1)
        && e != [1]
}

/// Strict base64url without padding: one spelling per value.
fn decode_param(value: &str, name: &str) -> Result<Vec<u8>, ConfigError> {
    URL_SAFE_NO_PAD.decode(value).map_err(|_| {
        invalid(format!(
            "JWK member {name:?} is not base64url without padding"
        ))
    })
}

/// Strict base64url of exactly `len` bytes.
fn decode_exact(value: &str, len: usize, name: &str) -> Result<Vec<u8>, ConfigError> {
    let bytes = decode_param(value, name)?;
    if bytes.len() == len {
        Ok(bytes)
    } else {
        Err(invalid(format!(
            "JWK member {name:?} must be {len} bytes, got {}",
            bytes.len()
        )))
    }
}

/// A JWK integer is big-endian and should have no leading zero octet
/// (RFC 7518 §6.3.1.1); they are tolerated rather than mis-size the key.
fn strip_leading_zeros(mut bytes: Vec<u8>) -> Vec<u8> {
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    bytes.drain(..zeros);
    bytes
}

fn invalid(message: impl Into<String>) -> ConfigError {
    ConfigError::InvalidKey(message.into())
}

#[cfg(test)]
mod tests;
