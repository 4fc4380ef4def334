//! The keys a client signs its assertions with: public keys from a JWK Set
//! (`private_key_jwt`) and shared secrets kept for HMAC (`client_secret_jwt`),
//! each parsed once, when the client is registered.

use std::fmt;

use jsonwebtoken::jwk::{Jwk, JwkSet};
use ring::hmac;

use crate::jose::algorithm::{Algorithm, MIN_HMAC_SECRET_BYTES};
use crate::jose::jwk::{self, Mode, PublicJwk, PublicKey};
use crate::vocab::error::ConfigError;
use crate::vocab::ids::CredentialId;
use crate::vocab::secret::ClientSecret;
use crate::vocab::time::UnixTime;

/// Most keys one client may register (or publish at its `jwks_uri`): an assertion
/// without `kid` is tried against each, so the bound caps the work per request.
pub const MAX_CLIENT_KEYS: usize = 16;

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
    Public(PublicKey),
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
    /// outside 2048–8192 bits or whose public exponent is not odd, at least 3
    /// and at most 32 bits; [`ConfigError::InvalidCredentialId`] for a `kid`
    /// that is not printable ASCII.
    /// (Typed [`Jwk`]s cannot carry private members; [`ClientJwks::from_json`]
    /// refuses them in a document.)
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, ConfigError> {
        Self::from_public_jwk(jwk::read_jwk(jwk)?)
    }

    /// A key from a JWK that passed the key rules: its `kid` must be a
    /// credential id; without one, its thumbprint is.
    fn from_public_jwk(jwk: PublicJwk<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            id: match jwk.kid {
                Some(kid) => CredentialId::new(kid)?,
                None => CredentialId::new(jwk.key.thumbprint())?,
            },
            declared: jwk.declared,
            material: Material::Public(jwk.key),
            expires_at: None,
        })
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
        match &self.material {
            Material::Public(key) => key.verify(alg, signing_input, signature),
            // Constant-time comparison inside ring.
            Material::Hmac(key) => hmac::verify(key, signing_input, signature).is_ok(),
        }
    }
}

impl Material {
    fn suits(&self, alg: Algorithm) -> bool {
        match self {
            Self::Public(key) => key.suits(alg),
            Self::Hmac(_) => alg == Algorithm::HS256,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::Public(key) => key.kind(),
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
            jwk::refuse_private_members(key)?;
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
        for key in Mode::Strict.read(set, ClientKey::from_public_jwk)? {
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
        let usable = Mode::Lenient
            .read(set, ClientKey::from_public_jwk)
            .unwrap_or_default();
        for key in usable {
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
        if bytes.len() < MIN_HMAC_SECRET_BYTES {
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

fn invalid(message: impl Into<String>) -> ConfigError {
    ConfigError::InvalidKey(message.into())
}

#[cfg(test)]
mod tests;
