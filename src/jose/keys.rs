//! Signing keys, parsed once: each key carries its `kid` and its pre-encoded JWT
//! header, so minting a token costs one signature and nothing else.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, EllipticCurveKeyParameters,
    EllipticCurveKeyType, Jwk, JwkSet, OctetKeyPairParameters, OctetKeyPairType, PublicKeyUse,
    RSAKeyParameters, RSAKeyType,
};
use ring::error::{KeyRejected, Unspecified};
use ring::rsa::PublicKeyComponents;
use ring::signature::{
    self, ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair,
    Ed25519KeyPair, KeyPair as _, RsaKeyPair,
};
use ring::{digest, hmac};
use serde::Serialize;
use zeroize::Zeroizing;

pub(crate) use crate::jose::algorithm::Algorithm;
use crate::jose::algorithm::MIN_HMAC_SECRET_BYTES;
use crate::jose::jwk::{self, ThumbprintMembers};
use crate::vocab::error::ConfigError;
use crate::vocab::random::system_random;

/// Smallest RSA modulus accepted: 2048 bits (RFC 7518 §3.3).
const MIN_RSA_BITS: usize = 2048;
/// Longest `kid` accepted; it is repeated in every token.
const MAX_KID_LEN: usize = 256;
/// Enough for a 4096-bit RSA signature, the largest ring produces.
const MAX_SIGNATURE_LEN: usize = 512;

/// A private key ready to sign access tokens, with its `kid` and algorithm.
///
/// The key is parsed once, when it is loaded; the JWT header
/// (`{"alg":…,"typ":"at+jwt","kid":…}`, RFC 9068 §2.1) is encoded once too. Its
/// `Debug` prints the `kid` and algorithm only. ring keeps the parsed key in
/// memory that cannot be zeroized from outside; every copy of the encoded key made
/// while loading it is zeroized.
pub struct SigningKey {
    kid: String,
    algorithm: Algorithm,
    /// `base64url(header) || "."`: the first bytes of every token signed with this key.
    header: String,
    pair: KeyPair,
}

enum KeyPair {
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    /// Used with PKCS#1 v1.5 or PSS padding, as the key's [`Algorithm`] says.
    Rsa(RsaKeyPair),
    Hmac(hmac::Key),
}

impl SigningKey {
    /// Loads a private key from PEM: a PKCS#8 `PRIVATE KEY` block, or for RSA also
    /// a PKCS#1 `RSA PRIVATE KEY` block.
    ///
    /// Without a `kid`, the key's RFC 7638 JWK thumbprint (SHA-256) is used, so the
    /// same key always gets the same `kid` on every replica.
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] when the PEM is malformed or encrypted, the key
    /// does not suit `alg`, an RSA key is shorter than 2048 bits, `alg` is
    /// [`Algorithm::HS256`] (use [`SigningKey::hs256`]), or `kid` is not 1–256
    /// printable ASCII characters.
    pub fn from_pkcs8_pem(
        alg: Algorithm,
        pem: &str,
        kid: Option<String>,
    ) -> Result<Self, ConfigError> {
        let (label, der) = decode_pem(pem)?;
        match label {
            "PRIVATE KEY" => Self::from_pkcs8_der(alg, &der, kid),
            "RSA PRIVATE KEY" if matches!(alg, Algorithm::RS256 | Algorithm::PS256) => {
                let pair = RsaKeyPair::from_der(&der).map_err(|e| rejected(alg, e))?;
                Self::from_rsa(alg, pair, kid)
            }
            "ENCRYPTED PRIVATE KEY" => Err(invalid_key("encrypted keys are not supported")),
            _ => Err(invalid_key(format!(
                "a {alg} key must be a PEM \"PRIVATE KEY\" block, not {label:?}"
            ))),
        }
    }

    /// Loads a private key from a DER PKCS#8 document (for RSA, also PKCS#1).
    ///
    /// # Errors
    /// As for [`SigningKey::from_pkcs8_pem`].
    pub fn from_pkcs8_der(
        alg: Algorithm,
        der: &[u8],
        kid: Option<String>,
    ) -> Result<Self, ConfigError> {
        let pair = match alg {
            Algorithm::ES256 => KeyPair::Ecdsa(
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der, system_random())
                    .map_err(|e| rejected(alg, e))?,
            ),
            Algorithm::ES384 => KeyPair::Ecdsa(
                EcdsaKeyPair::from_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, der, system_random())
                    .map_err(|e| rejected(alg, e))?,
            ),
            // OpenSSL writes Ed25519 keys as PKCS#8 v1 (no public key); a v2 public
            // key, when present, is still checked against the private one.
            Algorithm::EdDSA => KeyPair::Ed25519(
                Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(|e| rejected(alg, e))?,
            ),
            Algorithm::RS256 | Algorithm::PS256 => {
                let pair = RsaKeyPair::from_pkcs8(der)
                    .or_else(|pkcs8_error| RsaKeyPair::from_der(der).map_err(|_| pkcs8_error))
                    .map_err(|e| rejected(alg, e))?;
                return Self::from_rsa(alg, pair, kid);
            }
            Algorithm::HS256 => {
                return Err(invalid_key(
                    "HS256 keys are shared secrets: use SigningKey::hs256",
                ));
            }
        };
        Self::assemble(alg, pair, kid)
    }

    /// Generates a fresh ES256, ES384 or EdDSA key with the operating system's CSPRNG.
    ///
    /// Returns the key (with its thumbprint as `kid`) and its PKCS#8 PEM, for a key
    /// generator to write to a file or secret store; loading that PEM with
    /// [`SigningKey::from_pkcs8_pem`] gives the same `kid`. ring's own copy of the
    /// generated document is dropped without being zeroized.
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] for other algorithms (ring cannot generate RSA
    /// keys; HS256 secrets need no format) or if the CSPRNG fails.
    pub fn generate(alg: Algorithm) -> Result<(Self, PrivateKeyPem), ConfigError> {
        let rng = system_random();
        let pkcs8 = match alg {
            Algorithm::ES256 => EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, rng),
            Algorithm::ES384 => EcdsaKeyPair::generate_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, rng),
            Algorithm::EdDSA => Ed25519KeyPair::generate_pkcs8(rng),
            _ => {
                return Err(invalid_key(format!(
                    "cannot generate {alg} keys: generate ES256, ES384 or EdDSA keys, or bring your own"
                )));
            }
        }
        .map_err(|_| invalid_key("the operating system's random number generator failed"))?;
        let key = Self::from_pkcs8_der(alg, pkcs8.as_ref(), None)?;
        Ok((key, PrivateKeyPem::encode(pkcs8.as_ref())))
    }

    /// An HS256 key from a shared secret of at least 32 bytes.
    ///
    /// Without a `kid`, one is derived from the secret by a one-way hash, so it
    /// is stable across replicas and reveals nothing about the secret.
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] when the secret is shorter than 32 bytes or `kid`
    /// is not 1–256 printable ASCII characters.
    pub fn hs256(secret: &[u8], kid: Option<String>) -> Result<Self, ConfigError> {
        if secret.len() < MIN_HMAC_SECRET_BYTES {
            return Err(invalid_key(format!(
                "an HS256 secret needs at least {MIN_HMAC_SECRET_BYTES} bytes, got {}",
                secret.len()
            )));
        }
        let kid = match kid {
            Some(kid) => kid,
            None => hmac_kid(secret),
        };
        let pair = KeyPair::Hmac(hmac::Key::new(hmac::HMAC_SHA256, secret));
        Self::assemble(Algorithm::HS256, pair, Some(kid))
    }

    fn from_rsa(
        alg: Algorithm,
        pair: RsaKeyPair,
        kid: Option<String>,
    ) -> Result<Self, ConfigError> {
        let bits = jwk::modulus_bits(&PublicKeyComponents::<Vec<u8>>::from(pair.public()).n);
        if bits < MIN_RSA_BITS {
            return Err(invalid_key(format!(
                "RSA keys need at least {MIN_RSA_BITS} bits, got {bits}"
            )));
        }
        Self::assemble(alg, KeyPair::Rsa(pair), kid)
    }

    fn assemble(alg: Algorithm, pair: KeyPair, kid: Option<String>) -> Result<Self, ConfigError> {
        let kid = match (kid, PublicParams::of(&pair)) {
            (Some(kid), _) => check_kid(kid)?,
            (None, Some(public)) => public.thumbprint(),
            (None, None) => return Err(invalid_key("a symmetric key needs a kid")),
        };
        Ok(Self {
            header: encode_header(alg, &kid),
            kid,
            algorithm: alg,
            pair,
        })
    }

    /// The key id, as in the token header and the JWKS.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The public key as a JWK with `kid`, `alg` and `use: sig` (RFC 7517 §4), or
    /// `None` for an HS256 key, which has no public half. Never a private parameter.
    pub fn public_jwk(&self) -> Option<Jwk> {
        let params = PublicParams::of(&self.pair)?;
        Some(Jwk {
            common: CommonParameters {
                public_key_use: Some(PublicKeyUse::Signature),
                key_algorithm: Some(self.algorithm.jwk_algorithm()),
                key_id: Some(self.kid.clone()),
                ..CommonParameters::default()
            },
            algorithm: params.into_jwk(),
        })
    }

    /// `base64url({"alg":…,"typ":"at+jwt","kid":…})` followed by `.`.
    pub(crate) fn header_prefix(&self) -> &str {
        &self.header
    }

    /// The length of this key's signatures in bytes.
    pub(crate) fn signature_len(&self) -> usize {
        match &self.pair {
            // Fixed-width ECDSA: r || s, each as long as a coordinate.
            KeyPair::Ecdsa(pair) => pair.public_key().as_ref().len() - 1,
            KeyPair::Ed25519(_) => 64,
            KeyPair::Rsa(pair) => pair.public().modulus_len(),
            KeyPair::Hmac(_) => digest::SHA256_OUTPUT_LEN,
        }
    }

    /// Signs `signing_input` (`header.payload`) once. The signature lives on the
    /// stack, so signing allocates nothing.
    pub(crate) fn sign(&self, signing_input: &[u8]) -> Result<Signature, Unspecified> {
        match &self.pair {
            KeyPair::Ecdsa(pair) => {
                Signature::copy_of(pair.sign(system_random(), signing_input)?.as_ref())
            }
            KeyPair::Ed25519(pair) => Signature::copy_of(pair.sign(signing_input).as_ref()),
            KeyPair::Rsa(pair) => {
                let mut signature = Signature::zeroed(pair.public().modulus_len())?;
                pair.sign(
                    self.rsa_padding(),
                    system_random(),
                    signing_input,
                    signature.as_mut(),
                )?;
                Ok(signature)
            }
            KeyPair::Hmac(key) => Signature::copy_of(hmac::sign(key, signing_input).as_ref()),
        }
    }

    /// Whether `signature` is this key's signature of `signing_input`.
    #[cfg(test)]
    pub(crate) fn verify(&self, signing_input: &[u8], signature: &[u8]) -> bool {
        match (&self.pair, self.public_key()) {
            (KeyPair::Hmac(key), _) => hmac::verify(key, signing_input, signature).is_ok(),
            (_, Some(public)) => public.verify(signing_input, signature).is_ok(),
            (_, None) => false,
        }
    }

    /// The public key with its ring verification algorithm, for checking tokens
    /// without the private key; `None` for HS256.
    #[cfg(test)]
    pub(crate) fn public_key(&self) -> Option<signature::UnparsedPublicKey<&[u8]>> {
        match self.public_half() {
            PublicHalf::Key { algorithm, bytes } => {
                Some(signature::UnparsedPublicKey::new(algorithm, bytes))
            }
            PublicHalf::Secret(_) => None,
        }
    }

    /// What checking this key's signatures takes: the public key and its ring
    /// algorithm, or for HS256 the shared secret.
    pub(crate) fn public_half(&self) -> PublicHalf<'_> {
        let (algorithm, bytes): (&'static dyn signature::VerificationAlgorithm, &[u8]) =
            match &self.pair {
                KeyPair::Ecdsa(pair) if self.algorithm == Algorithm::ES384 => (
                    &signature::ECDSA_P384_SHA384_FIXED,
                    pair.public_key().as_ref(),
                ),
                KeyPair::Ecdsa(pair) => (
                    &signature::ECDSA_P256_SHA256_FIXED,
                    pair.public_key().as_ref(),
                ),
                KeyPair::Ed25519(pair) => (&signature::ED25519, pair.public_key().as_ref()),
                KeyPair::Rsa(pair) if self.algorithm == Algorithm::PS256 => (
                    &signature::RSA_PSS_2048_8192_SHA256,
                    pair.public_key().as_ref(),
                ),
                KeyPair::Rsa(pair) => (
                    &signature::RSA_PKCS1_2048_8192_SHA256,
                    pair.public_key().as_ref(),
                ),
                KeyPair::Hmac(key) => return PublicHalf::Secret(key),
            };
        PublicHalf::Key { algorithm, bytes }
    }

    fn rsa_padding(&self) -> &'static dyn signature::RsaEncoding {
        match self.algorithm {
            Algorithm::PS256 => &signature::RSA_PSS_SHA256,
            _ => &signature::RSA_PKCS1_SHA256,
        }
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .field("key", &"[redacted]")
            .finish()
    }
}

/// The verifying half of a [`SigningKey`].
pub(crate) enum PublicHalf<'a> {
    /// A public key (SEC1 point, Ed25519 key, DER `RSAPublicKey`) and its algorithm.
    Key {
        algorithm: &'static dyn signature::VerificationAlgorithm,
        bytes: &'a [u8],
    },
    /// The shared secret of an HS256 key.
    Secret(&'a hmac::Key),
}

/// A signature held on the stack, sized for the largest key.
pub(crate) struct Signature {
    bytes: [u8; MAX_SIGNATURE_LEN],
    len: usize,
}

impl Signature {
    fn zeroed(len: usize) -> Result<Self, Unspecified> {
        if len > MAX_SIGNATURE_LEN {
            return Err(Unspecified);
        }
        Ok(Self {
            bytes: [0; MAX_SIGNATURE_LEN],
            len,
        })
    }

    fn copy_of(signature: &[u8]) -> Result<Self, Unspecified> {
        let mut copy = Self::zeroed(signature.len())?;
        copy.as_mut().copy_from_slice(signature);
        Ok(copy)
    }
}

impl AsRef<[u8]> for Signature {
    fn as_ref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl AsMut<[u8]> for Signature {
    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.bytes[..self.len]
    }
}

/// The public parameters of a key pair, base64url-encoded as in a JWK.
enum PublicParams {
    Ec {
        curve: EllipticCurve,
        x: String,
        y: String,
    },
    Okp {
        x: String,
    },
    Rsa {
        n: String,
        e: String,
    },
}

impl PublicParams {
    fn of(pair: &KeyPair) -> Option<Self> {
        match pair {
            KeyPair::Ecdsa(pair) => {
                // An uncompressed SEC1 point: 0x04 || x || y.
                let coordinates = pair.public_key().as_ref().get(1..)?;
                let (x, y) = coordinates.split_at_checked(coordinates.len() / 2)?;
                let curve = match x.len() {
                    32 => EllipticCurve::P256,
                    48 => EllipticCurve::P384,
                    _ => return None,
                };
                Some(Self::Ec {
                    curve,
                    x: URL_SAFE_NO_PAD.encode(x),
                    y: URL_SAFE_NO_PAD.encode(y),
                })
            }
            KeyPair::Ed25519(pair) => Some(Self::Okp {
                x: URL_SAFE_NO_PAD.encode(pair.public_key()),
            }),
            KeyPair::Rsa(pair) => {
                let components = PublicKeyComponents::<Vec<u8>>::from(pair.public());
                Some(Self::Rsa {
                    n: URL_SAFE_NO_PAD.encode(components.n),
                    e: URL_SAFE_NO_PAD.encode(components.e),
                })
            }
            KeyPair::Hmac(_) => None,
        }
    }

    /// The RFC 7638 thumbprint.
    fn thumbprint(&self) -> String {
        jwk::thumbprint(&match self {
            Self::Ec { curve, x, y } => ThumbprintMembers::Ec {
                crv: if *curve == EllipticCurve::P384 {
                    "P-384"
                } else {
                    "P-256"
                },
                x,
                y,
            },
            Self::Okp { x } => ThumbprintMembers::Okp { x },
            Self::Rsa { n, e } => ThumbprintMembers::Rsa { n, e },
        })
    }

    fn into_jwk(self) -> AlgorithmParameters {
        match self {
            Self::Ec { curve, x, y } => {
                AlgorithmParameters::EllipticCurve(EllipticCurveKeyParameters {
                    key_type: EllipticCurveKeyType::EC,
                    curve,
                    x,
                    y,
                })
            }
            Self::Okp { x } => AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
                key_type: OctetKeyPairType::OctetKeyPair,
                curve: EllipticCurve::Ed25519,
                x,
            }),
            Self::Rsa { n, e } => AlgorithmParameters::RSA(RSAKeyParameters {
                key_type: RSAKeyType::RSA,
                n,
                e,
            }),
        }
    }
}

/// A generated private key as a PKCS#8 PEM document (`-----BEGIN PRIVATE KEY-----`).
///
/// Zeroized on drop, redacted in `Debug`; write it to a file or secret store once.
pub struct PrivateKeyPem(Zeroizing<String>);

impl PrivateKeyPem {
    const BEGIN: &'static str = "-----BEGIN PRIVATE KEY-----\n";
    const END: &'static str = "-----END PRIVATE KEY-----\n";

    /// Encodes with 64-character lines (RFC 7468 §2). The buffer is sized up front
    /// so that no reallocation leaves an unzeroized copy behind.
    fn encode(der: &[u8]) -> Self {
        let body_len = der.len().div_ceil(3) * 4;
        let lines = body_len.div_ceil(64);
        let mut pem = Zeroizing::new(String::with_capacity(
            Self::BEGIN.len() + body_len + lines + Self::END.len(),
        ));
        pem.push_str(Self::BEGIN);
        for chunk in der.chunks(48) {
            STANDARD.encode_string(chunk, &mut pem);
            pem.push('\n');
        }
        pem.push_str(Self::END);
        Self(pem)
    }

    /// The PEM text. Named so every use stands out in review.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PrivateKeyPem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKeyPem([redacted])")
    }
}

/// The signing keys of an issuer: one active key that signs new tokens, and older
/// keys still published so tokens they signed verify until they expire.
///
/// Rotation without downtime: publish a new key as a previous key first, switch it
/// to active once resource servers have fetched the JWKS, then retire the old key
/// after the longest token lifetime has passed.
#[derive(Debug)]
pub struct KeySet {
    active: SigningKey,
    previous: Vec<SigningKey>,
}

impl KeySet {
    /// A set holding one key, which signs.
    pub fn new(active: SigningKey) -> Self {
        Self {
            active,
            previous: Vec::new(),
        }
    }

    /// Adds a key kept for verification and publication only.
    ///
    /// # Errors
    /// [`ConfigError::DuplicateKeyId`] when the set already holds its `kid`.
    pub fn with_previous(mut self, key: SigningKey) -> Result<Self, ConfigError> {
        self.push_previous(key)?;
        Ok(self)
    }

    /// Adds a key kept for verification and publication only.
    ///
    /// # Errors
    /// [`ConfigError::DuplicateKeyId`] when the set already holds its `kid`.
    pub fn push_previous(&mut self, key: SigningKey) -> Result<(), ConfigError> {
        self.check_new_kid(key.kid())?;
        self.previous.push(key);
        Ok(())
    }

    /// Makes `key` the signing key; the old active key stays published.
    ///
    /// # Errors
    /// [`ConfigError::DuplicateKeyId`] when the set already holds its `kid`.
    pub fn rotate(&mut self, key: SigningKey) -> Result<(), ConfigError> {
        self.check_new_kid(key.kid())?;
        let old = std::mem::replace(&mut self.active, key);
        self.previous.insert(0, old);
        Ok(())
    }

    /// Removes a previous key, so its tokens no longer verify; the active key
    /// cannot be retired. Returns the removed key.
    pub fn retire(&mut self, kid: &str) -> Option<SigningKey> {
        let index = self.previous.iter().position(|key| key.kid() == kid)?;
        Some(self.previous.remove(index))
    }

    /// The key that signs new tokens.
    pub fn active(&self) -> &SigningKey {
        &self.active
    }

    /// The key with this `kid`, active or previous.
    pub fn find(&self, kid: &str) -> Option<&SigningKey> {
        self.iter().find(|key| key.kid() == kid)
    }

    /// Every key, the active one first.
    pub fn iter(&self) -> impl Iterator<Item = &SigningKey> {
        std::iter::once(&self.active).chain(&self.previous)
    }

    /// The public keys as a JWK Set (RFC 7517 §5), for the `jwks_uri`. HS256 keys
    /// are secrets and never appear.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: self.iter().filter_map(SigningKey::public_jwk).collect(),
        }
    }

    /// [`KeySet::jwks`] as a JSON document.
    pub fn jwks_json(&self) -> String {
        serde_json::to_string(&self.jwks()).expect("a JWK Set of strings always serialises")
    }

    fn check_new_kid(&self, kid: &str) -> Result<(), ConfigError> {
        match self.find(kid) {
            Some(_) => Err(ConfigError::DuplicateKeyId(kid.to_owned())),
            None => Ok(()),
        }
    }
}

/// Encodes the JOSE header once per key (RFC 9068 §2.1: `typ` is `at+jwt`):
/// `base64url(header) || "."`.
pub(crate) fn encode_header(alg: Algorithm, kid: &str) -> String {
    #[derive(Serialize)]
    struct Header<'a> {
        alg: &'a str,
        typ: &'a str,
        kid: &'a str,
    }
    let json = serde_json::to_vec(&Header {
        alg: alg.as_str(),
        typ: "at+jwt",
        kid,
    })
    .expect("a header of strings always serialises");
    let mut header = URL_SAFE_NO_PAD.encode(json);
    header.push('.');
    header
}

/// A `kid` derived from an HMAC secret by a one-way, domain-separated hash.
fn hmac_kid(secret: &[u8]) -> String {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(b"hs256-kid:");
    ctx.update(secret);
    let mut kid = URL_SAFE_NO_PAD.encode(ctx.finish());
    kid.truncate(22);
    kid
}

/// A `kid` travels in every token header and in logs: keep it short, printable ASCII.
fn check_kid(kid: String) -> Result<String, ConfigError> {
    let printable = kid.bytes().all(|b| (0x20..=0x7e).contains(&b));
    if !kid.is_empty() && kid.len() <= MAX_KID_LEN && printable {
        Ok(kid)
    } else {
        Err(invalid_key(format!(
            "a kid must be 1 to {MAX_KID_LEN} printable ASCII characters, got {kid:?}"
        )))
    }
}

/// Decodes the first PEM block into its label and contents (RFC 7468).
///
/// Written here rather than with the `pem` crate so that every intermediate copy
/// of the key (the base64 text without line breaks, the DER) is zeroized.
fn decode_pem(text: &str) -> Result<(&str, Zeroizing<Vec<u8>>), ConfigError> {
    const BEGIN: &str = "-----BEGIN ";
    const DASHES: &str = "-----";
    let malformed = || invalid_key("malformed PEM");
    let after_begin = &text[text.find(BEGIN).ok_or_else(malformed)? + BEGIN.len()..];
    let label_len = after_begin.find(DASHES).ok_or_else(malformed)?;
    let label = &after_begin[..label_len];
    let body_and_end = &after_begin[label_len + DASHES.len()..];
    let end = body_and_end
        .find(&format!("-----END {label}-----"))
        .ok_or_else(malformed)?;
    let body = &body_and_end[..end];
    if body.contains(':') {
        // RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`) mean a legacy encrypted key.
        return Err(invalid_key("encrypted keys are not supported"));
    }
    let mut base64 = Zeroizing::new(String::with_capacity(body.len()));
    base64.extend(body.chars().filter(|c| !c.is_ascii_whitespace()));
    let mut der = Zeroizing::new(vec![0; base64::decoded_len_estimate(base64.len())]);
    let len = STANDARD
        .decode_slice(base64.as_bytes(), &mut der[..])
        .map_err(|_| malformed())?;
    der.truncate(len);
    Ok((label, der))
}

fn rejected(alg: Algorithm, error: KeyRejected) -> ConfigError {
    invalid_key(format!("not a usable {alg} private key ({error})"))
}

fn invalid_key(message: impl Into<String>) -> ConfigError {
    ConfigError::InvalidKey(message.into())
}

#[cfg(test)]
mod tests;
