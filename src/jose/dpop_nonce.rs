//! Stateless DPoP server nonces (RFC 9449 §8): an HMAC of the current time
//! window under a server secret, so every replica holding the secret issues
//! and accepts the same nonces without sharing any state.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::hmac;
use subtle::ConstantTimeEq as _;

use crate::jose::algorithm::MIN_HMAC_SECRET_BYTES;
use crate::vocab::error::ConfigError;
use crate::vocab::time::UnixTime;

/// Bytes of the HMAC kept in a nonce: 144 bits, 24 base64url characters.
const NONCE_BYTES: usize = 18;

/// Issues and checks DPoP nonces (RFC 9449 §8) without storing any.
///
/// A nonce is the HMAC-SHA256, under a server secret, of the index of the
/// current time window, in base64url (24 characters, all `NQCHAR`). A nonce
/// is accepted during its own window and the next one, so a client that
/// fetched one just before a window ends has a whole window to use it.
///
/// Every replica configured with the same secret issues and accepts the same
/// nonces: a fleet shares the secret, nothing else. Nonces are unpredictable
/// to anyone without the secret, and expire on their own.
///
/// Its `Debug` never shows the secret.
#[derive(Clone)]
pub struct DpopNonces {
    key: hmac::Key,
    window_secs: u64,
}

impl DpopNonces {
    /// Nonces keyed by `secret` (at least 32 bytes, the same on every
    /// replica), each window lasting `window` (at least one second; a nonce
    /// lives one to two windows).
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] for a shorter secret,
    /// [`ConfigError::Invalid`] for a window under one second.
    pub fn new(secret: &[u8], window: Duration) -> Result<Self, ConfigError> {
        if secret.len() < MIN_HMAC_SECRET_BYTES {
            return Err(ConfigError::InvalidKey(format!(
                "a DPoP nonce secret needs at least {MIN_HMAC_SECRET_BYTES} bytes, got {}",
                secret.len()
            )));
        }
        if window.as_secs() == 0 {
            return Err(ConfigError::Invalid(
                "the DPoP nonce window must be at least one second",
            ));
        }
        Ok(Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            window_secs: window.as_secs(),
        })
    }

    /// The nonce to hand out at `now`, for the `DPoP-Nonce` header.
    pub fn current(&self, now: UnixTime) -> String {
        self.nonce_of(self.window(now))
    }

    /// Whether `nonce` was issued in the window of `now` or the one before,
    /// compared in constant time.
    pub fn accepts(&self, nonce: &str, now: UnixTime) -> bool {
        let window = self.window(now);
        let current = self.nonce_of(window);
        let previous = self.nonce_of(window.saturating_sub(1));
        let a = current.as_bytes().ct_eq(nonce.as_bytes());
        let b = previous.as_bytes().ct_eq(nonce.as_bytes());
        bool::from(a | b)
    }

    /// The index of the window `now` falls in.
    fn window(&self, now: UnixTime) -> u64 {
        now.as_secs() / self.window_secs
    }

    fn nonce_of(&self, window: u64) -> String {
        let mut input = [0u8; 19];
        input[..11].copy_from_slice(b"dpop-nonce\0");
        input[11..].copy_from_slice(&window.to_be_bytes());
        let tag = hmac::sign(&self.key, &input);
        URL_SAFE_NO_PAD.encode(&tag.as_ref()[..NONCE_BYTES])
    }
}

impl fmt::Debug for DpopNonces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopNonces")
            .field("secret", &"[redacted]")
            .field("window_secs", &self.window_secs)
            .finish()
    }
}

#[cfg(test)]
mod tests;
