//! The keys a client signs its assertions with: public keys from a JWK Set
//! (`private_key_jwt`) and shared secrets kept for HMAC (`client_secret_jwt`),
//! each parsed once, when the client is registered.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, KeyOperations, PublicKeyUse,
};
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use ring::{digest, hmac};

use crate::jose::keys::Algorithm;
use crate::vocab::error::ConfigError;
use crate::vocab::ids::CredentialId;
use crate::vocab::secret::ClientSecret;
use crate::vocab::time::UnixTime;

/// Most keys one client may register (or publish at its `jwks_uri`): an assertion
/// without `kid` is tried against each, so the bound caps the work per request.
pub const MAX_CLIENT_KEYS: usize = 16;

/// Shortest `client_secret_jwt` secret: RFC 7518 §3.2 requires an HS256 key at
/// least as long as the hash output.
const MIN_JWT_SECRET_BYTES: usize = 32;

/// Smallest and largest RSA moduli accepted, as ring verifies them.
const RSA_BITS: std::ops::RangeInclusive<usize> = 2048..=8192;

/// JWK members that only private or symmetric keys have (RFC 7518 §6).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// One key that can verify a client's assertions, parsed once.
///
/// Its [`id`](Self::id) is the JWK's `kid`, or the key's RFC 7638 thumbprint when
/// it has none; that id is recorded as the `credential_id` of every token the key
/// obtains. `Debug` never shows an HMAC secret.
#[derive(Clone)]
pub struct ClientKey {
    id: CredentialId,
    declared: Option<Algorithm>,
    material: Material,
    expires_at: Option<UnixTime>,
}

#[derive(Clone)]
enum Material {
    /// An uncompressed SEC1 point, as ring reads it.
    EcP256(Vec<u8>),
    EcP384(Vec<u8>),
    Ed25519(Vec<u8>),
    Rsa(RsaPublicKeyComponents<Vec<u8>>),
    Hmac(hmac::Key),
}

impl ClientKey {
    /// Parses a public JWK: EC P-256 (ES256) or P-384 (ES384), OKP Ed25519
    /// (EdDSA), or RSA of 2048–8192 bits (RS256, PS256).
    ///
    /// A declared `alg` pins the key to that algorithm; without one, an RSA key
    /// serves RS256 and PS256 and other keys the one algorithm of their curve.
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] for a symmetric (`oct`) key, an unsupported
    /// curve or algorithm, a key marked for encryption (`use`, `key_ops`),
    /// parameters that are not strict base64url of the right length, an RSA key
    /// outside 2048–8192 bits, or a `kid` that is not printable ASCII.
    /// (Typed [`Jwk`]s cannot carry private members; [`ClientJwks::from_json`]
    /// refuses them in a document.)
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, ConfigError> {
        let common = &jwk.common;
        if common
            .public_key_use
            .as_ref()
            .is_some_and(|u| *u != PublicKeyUse::Signature)
        {
            return Err(invalid(
                "a client key must be a signature key (`use`: `sig`)",
            ));
        }
        if common
            .key_operations
            .as_ref()
            .is_some_and(|ops| !ops.contains(&KeyOperations::Verify))
        {
            return Err(invalid("a client key's `key_ops` must include `verify`"));
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
                    "unsupported client key algorithm {other}: use ES256, ES384, EdDSA, RS256 or PS256"
                )));
            }
        };
        let (material, canonical) = match &jwk.algorithm {
            AlgorithmParameters::EllipticCurve(ec) => {
                let width = match ec.curve {
                    EllipticCurve::P256 => 32,
                    EllipticCurve::P384 => 48,
                    _ => return Err(invalid("EC client keys must use P-256 or P-384")),
                };
                let x = decode_exact(&ec.x, width, "x")?;
                let y = decode_exact(&ec.y, width, "y")?;
                let mut point = Vec::with_capacity(1 + 2 * width);
                point.push(0x04);
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                let (crv, material) = if width == 32 {
                    ("P-256", Material::EcP256(point))
                } else {
                    ("P-384", Material::EcP384(point))
                };
                let canonical = format!(
                    r#"{{"crv":"{crv}","kty":"EC","x":"{}","y":"{}"}}"#,
                    URL_SAFE_NO_PAD.encode(&x),
                    URL_SAFE_NO_PAD.encode(&y)
                );
                (material, canonical)
            }
            AlgorithmParameters::OctetKeyPair(okp) => {
                if okp.curve != EllipticCurve::Ed25519 {
                    return Err(invalid("OKP client keys must use Ed25519"));
                }
                let x = decode_exact(&okp.x, 32, "x")?;
                let canonical = format!(
                    r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
                    URL_SAFE_NO_PAD.encode(&x)
                );
                (Material::Ed25519(x), canonical)
            }
            AlgorithmParameters::RSA(rsa) => {
                let n = decode_param(&rsa.n, "n")?;
                let e = decode_param(&rsa.e, "e")?;
                let n = strip_leading_zeros(&n).to_vec();
                let e = strip_leading_zeros(&e).to_vec();
                let bits = n.len() * 8 - n.first().map_or(8, |b| b.leading_zeros() as usize);
                if !RSA_BITS.contains(&bits) {
                    return Err(invalid(format!(
                        "RSA client keys need 2048 to 8192 bits, got {bits}"
                    )));
                }
                if e.len() > 4 || e.last().is_none_or(|b| b & 1 == 0) || e == [1] {
                    return Err(invalid("the RSA public exponent is not usable"));
                }
                let canonical = format!(
                    r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
                    URL_SAFE_NO_PAD.encode(&e),
                    URL_SAFE_NO_PAD.encode(&n)
                );
                (Material::Rsa(RsaPublicKeyComponents { n, e }), canonical)
            }
            AlgorithmParameters::OctetKey(_) => {
                return Err(invalid(
                    "symmetric keys never go in a client's JWKS: register a JwtSecretCredential",
                ));
            }
            _ => return Err(invalid("unsupported client key type")),
        };
        let key = Self {
            id: match &common.key_id {
                Some(kid) => CredentialId::new(kid.as_str())?,
                None => thumbprint_id(&canonical),
            },
            declared,
            material,
            expires_at: None,
        };
        if let Some(alg) = declared
            && !key.material.suits(alg)
        {
            return Err(invalid(format!(
                "the key's `alg` {alg} does not suit its type"
            )));
        }
        Ok(key)
    }

    /// The credential id: the JWK's `kid`, or its RFC 7638 thumbprint.
    pub fn id(&self) -> &CredentialId {
        &self.id
    }

    /// The algorithm the key is pinned to, if its JWK declared one.
    pub fn declared_algorithm(&self) -> Option<Algorithm> {
        self.declared
    }

    /// Whether this key may verify an assertion signed with `alg`: the algorithm
    /// suits the key's type (an HMAC secret never serves a public-key algorithm,
    /// nor a public key HS256) and agrees with any declared `alg`.
    pub fn accepts(&self, alg: Algorithm) -> bool {
        self.material.suits(alg) && self.declared.is_none_or(|d| d == alg)
    }

    /// Whether the key still works at `now` (only JWT secrets expire).
    pub fn is_live(&self, now: UnixTime) -> bool {
        self.expires_at.is_none_or(|exp| now < exp)
    }

    /// Whether `signature` is a valid `alg` signature of `signing_input` by this key.
    pub(crate) fn verify(&self, alg: Algorithm, signing_input: &[u8], signature: &[u8]) -> bool {
        if !self.accepts(alg) {
            return false;
        }
        match (&self.material, alg) {
            (Material::EcP256(point), Algorithm::ES256) => {
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                    .verify(signing_input, signature)
                    .is_ok()
            }
            (Material::EcP384(point), Algorithm::ES384) => {
                UnparsedPublicKey::new(&signature::ECDSA_P384_SHA384_FIXED, point)
                    .verify(signing_input, signature)
                    .is_ok()
            }
            (Material::Ed25519(x), Algorithm::EdDSA) => {
                UnparsedPublicKey::new(&signature::ED25519, x)
                    .verify(signing_input, signature)
                    .is_ok()
            }
            (Material::Rsa(rsa), Algorithm::RS256) => rsa
                .verify(
                    &signature::RSA_PKCS1_2048_8192_SHA256,
                    signing_input,
                    signature,
                )
                .is_ok(),
            (Material::Rsa(rsa), Algorithm::PS256) => rsa
                .verify(
                    &signature::RSA_PSS_2048_8192_SHA256,
                    signing_input,
                    signature,
                )
                .is_ok(),
            // Constant-time comparison inside ring.
            (Material::Hmac(key), Algorithm::HS256) => {
                hmac::verify(key, signing_input, signature).is_ok()
            }
            _ => false,
        }
    }
}

impl Material {
    fn suits(&self, alg: Algorithm) -> bool {
        matches!(
            (self, alg),
            (Self::EcP256(_), Algorithm::ES256)
                | (Self::EcP384(_), Algorithm::ES384)
                | (Self::Ed25519(_), Algorithm::EdDSA)
                | (Self::Rsa(_), Algorithm::RS256 | Algorithm::PS256)
                | (Self::Hmac(_), Algorithm::HS256)
        )
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::EcP256(_) => "EC P-256",
            Self::EcP384(_) => "EC P-384",
            Self::Ed25519(_) => "OKP Ed25519",
            Self::Rsa(_) => "RSA",
            Self::Hmac(_) => "HMAC secret [redacted]",
        }
    }
}

impl fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientKey")
            .field("id", &self.id)
            .field("declared", &self.declared)
            .field("kind", &self.material.kind())
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// A client's registered public keys (`private_key_jwt`): several may be live at
/// once, each with its own `kid`, so a client can roll a new key out before it
/// withdraws the old one.
#[derive(Clone, Debug, Default)]
pub struct ClientJwks {
    keys: Vec<ClientKey>,
}

impl ClientJwks {
    /// Parses a JWK Set document (`{"keys":[…]}`), refusing any key with private
    /// or symmetric members (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`): a
    /// client registers its *public* keys, and a private key in a registration
    /// means the key has leaked.
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] for malformed JSON, a private member, or any
    /// key [`ClientKey::from_jwk`] refuses; [`ConfigError::DuplicateKeyId`] when
    /// two keys share an id; [`ConfigError::Invalid`] for an empty set or more
    /// than [`MAX_CLIENT_KEYS`] keys.
    pub fn from_json(json: &str) -> Result<Self, ConfigError> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| invalid(format!("malformed JWK Set: {e}")))?;
        let keys = value
            .get("keys")
            .and_then(|k| k.as_array())
            .ok_or_else(|| invalid("a JWK Set is an object with a `keys` array"))?;
        for key in keys {
            let object = key
                .as_object()
                .ok_or_else(|| invalid("every JWK is a JSON object"))?;
            if let Some(member) = PRIVATE_MEMBERS.iter().find(|m| object.contains_key(**m)) {
                return Err(invalid(format!(
                    "a client JWK must be public: member {member:?} is private or symmetric key material"
                )));
            }
        }
        let set: JwkSet = serde_json::from_value(value)
            .map_err(|e| invalid(format!("malformed JWK Set: {e}")))?;
        Self::from_jwk_set(&set)
    }

    /// Parses typed JWKs, every one of which must be usable.
    ///
    /// # Errors
    /// As for [`ClientJwks::from_json`], except that typed JWKs have already lost
    /// any private members.
    pub fn from_jwk_set(set: &JwkSet) -> Result<Self, ConfigError> {
        if set.keys.is_empty() {
            return Err(ConfigError::Invalid(
                "a client JWK Set needs at least one key",
            ));
        }
        if set.keys.len() > MAX_CLIENT_KEYS {
            return Err(ConfigError::Invalid(
                "a client JWK Set holds at most 16 keys",
            ));
        }
        let mut keys: Vec<ClientKey> = Vec::with_capacity(set.keys.len());
        for jwk in &set.keys {
            let key = ClientKey::from_jwk(jwk)?;
            if keys.iter().any(|k| k.id == key.id) {
                return Err(ConfigError::DuplicateKeyId(key.id.as_str().to_owned()));
            }
            keys.push(key);
        }
        Ok(Self { keys })
    }

    /// A fetched set, read leniently: a client's published JWKS may also hold
    /// encryption keys or keys of other algorithms, which are skipped, as are
    /// duplicate ids (the first wins) and keys beyond [`MAX_CLIENT_KEYS`].
    pub(crate) fn from_published(set: &JwkSet) -> Self {
        let mut keys: Vec<ClientKey> = Vec::new();
        for key in set
            .keys
            .iter()
            .filter_map(|jwk| ClientKey::from_jwk(jwk).ok())
        {
            if keys.len() == MAX_CLIENT_KEYS {
                break;
            }
            if !keys.iter().any(|k| k.id == key.id) {
                keys.push(key);
            }
        }
        Self { keys }
    }

    /// The keys, in registration order.
    pub fn keys(&self) -> &[ClientKey] {
        &self.keys
    }

    /// The key with this id (`kid` or thumbprint).
    pub fn find(&self, id: &str) -> Option<&ClientKey> {
        self.keys.iter().find(|k| k.id.as_str() == id)
    }
}

/// A `client_secret_jwt` secret: the client signs its assertions with HS256
/// keyed by this secret (RFC 7523 §2.2, OIDC Core §9).
///
/// # The trade-off
/// HMAC verification needs the secret itself, so unlike a [`SecretHash`] it must
/// be stored in a *recoverable* form (plaintext or encrypted at rest) wherever the
/// client registrations live: a leak of that store leaks the secret. Prefer
/// `private_key_jwt` (the server keeps only a public key) and use this only for
/// clients that cannot hold a key pair. That is why it is a separate, opt-in
/// credential type: it is never accepted for `client_secret_basic` or
/// `client_secret_post`, and a [`SecretHash`] (fast or PBKDF2) can never serve
/// here. In memory the secret is held only as ring's HMAC key.
///
/// The key is the UTF-8 bytes of the secret, as clients use it; at least 32
/// bytes are required (RFC 7518 §3.2). [`ClientSecret::generate`] gives 43.
///
/// [`SecretHash`]: crate::SecretHash
#[derive(Clone, Debug)]
pub struct JwtSecretCredential {
    key: ClientKey,
}

impl JwtSecretCredential {
    /// A credential `id` for `secret`.
    ///
    /// # Errors
    /// [`ConfigError::WeakSecret`] when the secret is shorter than 32 bytes.
    pub fn new(id: CredentialId, secret: &ClientSecret) -> Result<Self, ConfigError> {
        let bytes = secret.expose_secret().as_bytes();
        if bytes.len() < MIN_JWT_SECRET_BYTES {
            return Err(ConfigError::WeakSecret(bytes.len()));
        }
        Ok(Self {
            key: ClientKey {
                id,
                declared: Some(Algorithm::HS256),
                material: Material::Hmac(hmac::Key::new(hmac::HMAC_SHA256, bytes)),
                expires_at: None,
            },
        })
    }

    /// Makes the secret stop working at `at`.
    #[must_use]
    pub fn expires_at(mut self, at: UnixTime) -> Self {
        self.key.expires_at = Some(at);
        self
    }

    /// The credential id.
    pub fn id(&self) -> &CredentialId {
        &self.key.id
    }

    /// When the secret stops working, if ever.
    pub fn expiry(&self) -> Option<UnixTime> {
        self.key.expires_at
    }

    pub(crate) fn into_key(self) -> ClientKey {
        self.key
    }
}

/// Strict base64url without padding: one spelling per value.
fn decode_param(value: &str, name: &str) -> Result<Vec<u8>, ConfigError> {
    URL_SAFE_NO_PAD.decode(value).map_err(|_| {
        invalid(format!(
            "JWK member {name:?} is not base64url without padding"
        ))
    })
}

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

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// RFC 7638: SHA-256 over the required members in lexicographic order.
fn thumbprint_id(canonical: &str) -> CredentialId {
    let digest = digest::digest(&digest::SHA256, canonical.as_bytes());
    CredentialId::new(URL_SAFE_NO_PAD.encode(digest)).expect("base64url is printable ASCII")
}

fn invalid(message: impl Into<String>) -> ConfigError {
    ConfigError::InvalidKey(message.into())
}

#[cfg(test)]
mod tests;
