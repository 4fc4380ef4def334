//! The keys a resource server checks token signatures with: taken from a
//! same-process [`KeySet`], or parsed once from the issuer's JWK Set.

use std::fmt;

use jsonwebtoken::jwk::JwkSet;
use ring::hmac;
use ring::signature::UnparsedPublicKey;

use crate::jose::algorithm::{Algorithm, MIN_HMAC_SECRET_BYTES};
use crate::jose::jwk::{Mode, PublicJwk, PublicKey};
use crate::jose::keys::{KeySet, PublicHalf, SigningKey, encode_header};
use crate::vocab::error::ConfigError;

/// The verification keys of one issuer, each bound to one `kid` and one
/// [`Algorithm`].
///
/// Keys are parsed when the set is built, never per token. A token is checked
/// only with the key its `kid` names, and only if its `alg` is exactly that
/// key's algorithm, so no token can pick how it is verified (no `alg`
/// confusion). HS256 keys are shared secrets: they come only from a
/// same-process [`KeySet`] or from [`with_hs256`](Self::with_hs256), never from a
/// JWK Set document.
///
/// Key rotation: every key the issuer still publishes verifies, so a token
/// signed by a retired-but-published key stays valid until it expires. To pick
/// up a new JWKS, build a new set (and a new [`Validator`](crate::Validator)),
/// or let the resource server's `RemoteKeys` follow the issuer.
#[derive(Clone)]
pub struct VerificationKeys {
    keys: Vec<VerificationKey>,
}

/// One key, ready to verify.
#[derive(Clone)]
pub(crate) struct VerificationKey {
    kid: String,
    algorithm: Algorithm,
    verifier: Verifier,
    /// The base64url JOSE header this crate's issuer writes for this key
    /// (`{"alg":…,"typ":"at+jwt","kid":…}`): a token whose header is exactly
    /// these bytes passes every header check and names this key.
    known_header: Box<str>,
}

#[derive(Clone)]
enum Verifier {
    /// A same-process key's EC point, Ed25519 key or DER `RSAPublicKey`, with
    /// its ring algorithm.
    Public(UnparsedPublicKey<Box<[u8]>>),
    /// A key read from a JWK, used with its one algorithm.
    Jwk(PublicKey),
    Hmac(hmac::Key),
}

impl VerificationKey {
    /// The key's algorithm: a token's `alg` must equal it.
    pub(crate) fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Whether `signature` signs `message` under this key. One ring call.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match &self.verifier {
            Verifier::Public(key) => key.verify(message, signature).is_ok(),
            Verifier::Jwk(key) => key.verify(self.algorithm, message, signature),
            Verifier::Hmac(key) => hmac::verify(key, message, signature).is_ok(),
        }
    }
}

impl VerificationKeys {
    /// Every key of a same-process key set, the active one and the previous
    /// ones, HS256 keys included.
    pub fn from_key_set(keys: &KeySet) -> Self {
        Self {
            keys: keys.iter().map(from_signing_key).collect(),
        }
    }

    /// The signature keys of a JWK Set (RFC 7517 §5), as an issuer publishes at
    /// its `jwks_uri`.
    ///
    /// Read leniently: a key is used when it has a `kid` and passes the key
    /// rules of the `jose` wing (a signature key, P-256 (ES256), P-384 (ES384),
    /// Ed25519 (EdDSA) or RSA of 2048 to 8192 bits with a usable exponent (RS256
    /// or PS256), `alg` suiting the key). Its algorithm is its `alg` member;
    /// without one, the algorithm its key type implies, and RS256 for RSA keys
    /// (the algorithm RFC 9068 §2.1 makes mandatory). Other keys are skipped, as
    /// are symmetric (`oct`) keys: a shared secret is never taken from a
    /// published document.
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] when no key is usable;
    /// [`ConfigError::DuplicateKeyId`] when two usable keys share a `kid`.
    pub fn from_jwks(jwks: &JwkSet) -> Result<Self, ConfigError> {
        let mut set = Self { keys: Vec::new() };
        for key in Mode::Lenient.read(jwks, from_jwk)? {
            set.push(key)?;
        }
        if set.keys.is_empty() {
            return Err(ConfigError::InvalidKey(
                "the JWK Set holds no usable signature key".into(),
            ));
        }
        Ok(set)
    }

    /// [`from_jwks`](Self::from_jwks) for the JSON text of a JWK Set. A member
    /// given twice in one object reads as its last occurrence (RFC 7517 §4), as
    /// in [`ClientJwks::from_json`](crate::ClientJwks::from_json).
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] when the text is not a JWK Set, and as
    /// [`from_jwks`](Self::from_jwks).
    pub fn from_jwks_json(json: &str) -> Result<Self, ConfigError> {
        let not_a_set =
            |e: serde_json::Error| ConfigError::InvalidKey(format!("not a JWK Set: {e}"));
        // Through a `Value`, as `ClientJwks::from_json` reads: a member given
        // twice reads as its last occurrence (RFC 7517 §4). Read straight into
        // the typed set, a repeated `kid` refused the whole set and a repeated
        // key parameter made the key unreadable.
        let value: serde_json::Value = serde_json::from_str(json).map_err(not_a_set)?;
        let jwks: JwkSet = serde_json::from_value(value).map_err(not_a_set)?;
        Self::from_jwks(&jwks)
    }

    /// Adds an HS256 key: the secret shared with the issuer, under its `kid`
    /// (as given to [`SigningKey::hs256`], which derives the same `kid` from the
    /// secret when none is given).
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] for a secret shorter than 32 bytes or a bad
    /// `kid`; [`ConfigError::DuplicateKeyId`] when the set already holds the `kid`.
    pub fn with_hs256(mut self, secret: &[u8], kid: Option<String>) -> Result<Self, ConfigError> {
        if secret.len() < MIN_HMAC_SECRET_BYTES {
            return Err(ConfigError::InvalidKey(format!(
                "an HS256 secret needs at least {MIN_HMAC_SECRET_BYTES} bytes"
            )));
        }
        // Reuse the signing key's kid rules and derivation, then keep its HMAC key.
        let key = SigningKey::hs256(secret, kid)?;
        self.push(from_signing_key(&key))?;
        Ok(self)
    }

    /// A set with no key, for a validator whose keys come from elsewhere.
    pub(crate) fn empty() -> Self {
        Self { keys: Vec::new() }
    }

    /// The key with this `kid`. A linear scan: an issuer publishes a handful of
    /// keys, and comparing a few short strings beats hashing one.
    pub(crate) fn find(&self, kid: &str) -> Option<&VerificationKey> {
        self.keys.iter().find(|key| key.kid == kid)
    }

    /// The key whose issuer-written header is exactly `header_b64`, which then
    /// needs no decoding: the header of every token this crate mints.
    pub(crate) fn find_by_known_header(&self, header_b64: &str) -> Option<&VerificationKey> {
        self.keys
            .iter()
            .find(|key| *key.known_header == *header_b64)
    }

    /// The `kid`s and algorithms of the keys, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Algorithm)> {
        self.keys
            .iter()
            .map(|key| (key.kid.as_str(), key.algorithm))
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set holds no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn push(&mut self, key: VerificationKey) -> Result<(), ConfigError> {
        if self.find(&key.kid).is_some() {
            return Err(ConfigError::DuplicateKeyId(key.kid));
        }
        self.keys.push(key);
        Ok(())
    }
}

impl fmt::Debug for VerificationKeys {
    /// Lists `kid`s and algorithms; never key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

fn from_signing_key(key: &SigningKey) -> VerificationKey {
    let verifier = match key.public_half() {
        PublicHalf::Key { algorithm, bytes } => {
            Verifier::Public(UnparsedPublicKey::new(algorithm, bytes.into()))
        }
        PublicHalf::Secret(secret) => Verifier::Hmac(secret.clone()),
    };
    VerificationKey {
        kid: key.kid().to_owned(),
        algorithm: key.algorithm(),
        verifier,
        known_header: known_header(key.algorithm(), key.kid()),
    }
}

/// The header [`encode_header`] writes, without its trailing `.`.
fn known_header(algorithm: Algorithm, kid: &str) -> Box<str> {
    let mut header = encode_header(algorithm, kid);
    header.pop();
    header.into()
}

/// A key that passed the key rules, if it has a `kid`.
fn from_jwk(jwk: PublicJwk<'_>) -> Result<VerificationKey, ConfigError> {
    let kid = jwk
        .kid
        .filter(|kid| !kid.is_empty())
        .ok_or_else(|| ConfigError::InvalidKey("a published key needs a `kid`".into()))?;
    let algorithm = jwk.declared.unwrap_or_else(|| jwk.key.default_algorithm());
    Ok(VerificationKey {
        kid: kid.to_owned(),
        algorithm,
        verifier: Verifier::Jwk(jwk.key),
        known_header: known_header(algorithm, kid),
    })
}

#[cfg(test)]
mod tests;
