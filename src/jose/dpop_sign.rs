//! Signing DPoP proofs (RFC 9449 §4.2) with a [`SigningKey`], for clients:
//! a proof for each token request and each call with a bound token.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::CommonParameters;
use serde::Serialize;

use crate::jose::dpop_proof::{access_token_hash, content_digest};
use crate::jose::keys::SigningKey;
use crate::vocab::error::ConfigError;
use crate::vocab::random::system_random;
use crate::vocab::time::UnixTime;

/// A DPoP proof to sign: `htm`, `htu` and `iat`, a fresh random `jti`, and
/// optionally `ath`, `nonce` and `content_digest`.
///
/// ```
/// use client_credentials::jose::DpopProof;
/// use client_credentials::{Algorithm, SigningKey, UnixTime};
///
/// let (key, _pem) = SigningKey::generate(Algorithm::ES256)?;
/// // At the token endpoint:
/// let proof = DpopProof::new("POST", "https://auth.example.com/token", UnixTime::now())
///     .sign(&key)?;
/// // At a resource, with the bound token:
/// # let token = "eyJ.eyJ.sig";
/// let proof = DpopProof::new("POST", "https://mcp.example.com/mcp", UnixTime::now())
///     .access_token(token)
///     .body(br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)
///     .sign(&key)?;
/// # Ok::<(), client_credentials::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct DpopProof<'a> {
    htm: &'a str,
    htu: &'a str,
    iat: UnixTime,
    jti: Option<&'a str>,
    nonce: Option<&'a str>,
    ath: Option<String>,
    content_digest: Option<String>,
}

impl<'a> DpopProof<'a> {
    /// A proof for a request with method `htm` to `htu` (without query or
    /// fragment), created at `iat`.
    pub fn new(htm: &'a str, htu: &'a str, iat: UnixTime) -> Self {
        Self {
            htm,
            htu,
            iat,
            jti: None,
            nonce: None,
            ath: None,
            content_digest: None,
        }
    }

    /// Binds the proof to `token` (`ath`), as every proof sent with a bound
    /// token to a resource must be.
    #[must_use]
    pub fn access_token(mut self, token: &str) -> Self {
        self.ath = Some(access_token_hash(token));
        self
    }

    /// Carries the server's nonce, from its last `DPoP-Nonce` header.
    #[must_use]
    pub fn nonce(mut self, nonce: &'a str) -> Self {
        self.nonce = Some(nonce);
        self
    }

    /// Carries `content_digest`, the RFC 9530 SHA-256 digest of the request
    /// body, as the MCP DPoP profile requires of calls to MCP servers.
    #[must_use]
    pub fn body(mut self, body: &[u8]) -> Self {
        self.content_digest = Some(content_digest(body));
        self
    }

    /// Uses `jti` rather than a random one.
    #[must_use]
    pub fn jti(mut self, jti: &'a str) -> Self {
        self.jti = Some(jti);
        self
    }

    /// Signs the proof with `key`, whose public key travels in the `jwk`
    /// header.
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] for an HS256 key, which has no public key
    /// to send, or if signing fails.
    pub fn sign(&self, key: &SigningKey) -> Result<String, ConfigError> {
        #[derive(Serialize)]
        struct Header<'h> {
            typ: &'static str,
            alg: &'static str,
            jwk: &'h jsonwebtoken::jwk::Jwk,
        }
        #[derive(Serialize)]
        struct Claims<'c> {
            jti: &'c str,
            htm: &'c str,
            htu: &'c str,
            iat: u64,
            #[serde(skip_serializing_if = "Option::is_none")]
            nonce: Option<&'c str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            ath: Option<&'c str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            content_digest: Option<&'c str>,
        }
        let mut jwk = key.public_jwk().ok_or_else(|| {
            ConfigError::InvalidKey("a DPoP proof needs an asymmetric key".to_owned())
        })?;
        // Only the public key itself: no kid, use or alg.
        jwk.common = CommonParameters::default();
        let random: String;
        let jti = match self.jti {
            Some(jti) => jti,
            None => {
                random = random_jti()?;
                &random
            }
        };
        let header = serde_json::to_vec(&Header {
            typ: "dpop+jwt",
            alg: key.algorithm().as_str(),
            jwk: &jwk,
        })
        .map_err(|_| signing_failed())?;
        let claims = serde_json::to_vec(&Claims {
            jti,
            htm: self.htm,
            htu: self.htu,
            iat: self.iat.as_secs(),
            nonce: self.nonce,
            ath: self.ath.as_deref(),
            content_digest: self.content_digest.as_deref(),
        })
        .map_err(|_| signing_failed())?;
        let mut proof = URL_SAFE_NO_PAD.encode(header);
        proof.push('.');
        URL_SAFE_NO_PAD.encode_string(claims, &mut proof);
        let signature = key.sign(proof.as_bytes()).map_err(|_| signing_failed())?;
        proof.push('.');
        URL_SAFE_NO_PAD.encode_string(signature.as_ref(), &mut proof);
        Ok(proof)
    }
}

/// 128 random bits, base64url.
fn random_jti() -> Result<String, ConfigError> {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 16];
    system_random()
        .fill(&mut bytes)
        .map_err(|_| signing_failed())?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

fn signing_failed() -> ConfigError {
    ConfigError::InvalidKey("signing the DPoP proof failed".to_owned())
}
