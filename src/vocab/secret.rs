//! Client secrets in plaintext: generated once, shown once, compared never by `==`.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SecureRandom;
use zeroize::Zeroizing;

use crate::vocab::random::system_random;

/// A client secret in plaintext: as presented in a request, or freshly generated.
///
/// Its `Debug` prints `[redacted]`, it has no `PartialEq` and no `Serialize`, and its
/// memory is zeroized on drop. Store only its [`SecretHash`](crate::SecretHash).
pub struct ClientSecret(Zeroizing<String>);

impl ClientSecret {
    /// Bytes of entropy in a generated secret: 256 bits.
    pub const GENERATED_BYTES: usize = 32;

    /// Wraps a secret (e.g. one presented by a client).
    pub fn new(secret: impl Into<String>) -> Self {
        Self(Zeroizing::new(secret.into()))
    }

    /// Generates a secret of 256 random bits from the operating system's CSPRNG,
    /// rendered as 43 base64url characters (safe in Basic credentials and forms).
    ///
    /// # Panics
    /// Only if the operating system's random number generator fails.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; Self::GENERATED_BYTES]);
        system_random()
            .fill(&mut bytes[..])
            .expect("the operating system's CSPRNG failed");
        Self(Zeroizing::new(URL_SAFE_NO_PAD.encode(&bytes[..])))
    }

    /// The secret itself. Named so every use stands out in review.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret([redacted])")
    }
}

#[cfg(test)]
mod tests;
