//! The JWS algorithms this crate signs and verifies with.

use std::fmt;
use std::str::FromStr;

use jsonwebtoken::jwk::KeyAlgorithm;

use crate::vocab::error::ConfigError;

/// Shortest HS256 secret accepted, for issuer keys, resource-server keys and
/// client secrets alike: as long as the hash output (RFC 7518 §3.2).
pub(crate) const MIN_HMAC_SECRET_BYTES: usize = 32;

/// The JWS algorithm a key signs with (RFC 7518 §3, RFC 8037 §3.1).
///
/// `none` is not representable: RFC 9068 §2.1 forbids unsigned access tokens (C52).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// ECDSA on P-256 with SHA-256 (RFC 7518 §3.4): short tokens, fast signing.
    ES256,
    /// ECDSA on P-384 with SHA-384 (RFC 7518 §3.4).
    ES384,
    /// Ed25519 (RFC 8037 §3.1): deterministic, fast, short tokens.
    EdDSA,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3): the one algorithm every
    /// RFC 9068 resource server must support (C52), but slow to sign.
    RS256,
    /// RSASSA-PSS with SHA-256 (RFC 7518 §3.5).
    PS256,
    /// HMAC with SHA-256 (RFC 7518 §3.2): the resource server must hold the same
    /// secret, so these keys are never published in the JWKS.
    HS256,
}

impl Algorithm {
    /// The JOSE name, as in the `alg` header.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::EdDSA => "EdDSA",
            Self::RS256 => "RS256",
            Self::PS256 => "PS256",
            Self::HS256 => "HS256",
        }
    }

    /// Every algorithm, in the order metadata lists them.
    pub const ALL: [Self; 6] = [
        Self::ES256,
        Self::ES384,
        Self::EdDSA,
        Self::RS256,
        Self::PS256,
        Self::HS256,
    ];

    /// Whether the key is a shared secret rather than a key pair.
    pub const fn is_symmetric(self) -> bool {
        matches!(self, Self::HS256)
    }

    /// The `alg` member of a JWK for this algorithm.
    pub(crate) const fn jwk_algorithm(self) -> KeyAlgorithm {
        match self {
            Self::ES256 => KeyAlgorithm::ES256,
            Self::ES384 => KeyAlgorithm::ES384,
            Self::EdDSA => KeyAlgorithm::EdDSA,
            Self::RS256 => KeyAlgorithm::RS256,
            Self::PS256 => KeyAlgorithm::PS256,
            Self::HS256 => KeyAlgorithm::HS256,
        }
    }
}

impl FromStr for Algorithm {
    type Err = ConfigError;

    /// Parses a JOSE name; case matters, as in JOSE headers.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|alg| alg.as_str() == s)
            .ok_or_else(|| ConfigError::InvalidKey(format!("unsupported algorithm {s:?}")))
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests;
