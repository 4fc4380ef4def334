//! The caller's DPoP key (RFC 9449): it signs a proof for each token request
//! and for each call made with a token bound to it, and remembers the latest
//! nonce each endpoint handed out.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use crate::client::error::TokenSourceError;
use crate::jose::dpop_sign::DpopProof;
use crate::jose::keys::SigningKey;
use crate::vocab::clock::Clock;

/// The proof key of a [`TokenSource`](crate::client::TokenSource) and the
/// nonces its endpoints sent, shared by the source and every token it hands
/// out.
pub(crate) struct DpopKey {
    key: SigningKey,
    clock: Arc<dyn Clock>,
    /// The latest `DPoP-Nonce` per endpoint (its URL without query or
    /// fragment).
    nonces: Mutex<HashMap<String, String>>,
}

impl DpopKey {
    pub(crate) fn new(key: SigningKey, clock: Arc<dyn Clock>) -> Self {
        Self {
            key,
            clock,
            nonces: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.nonces.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Remembers `nonce` for the endpoint at `url`.
    pub(crate) fn remember_nonce(&self, url: &str, nonce: &str) {
        self.lock().insert(htu(url).to_owned(), nonce.to_owned());
    }

    /// A proof for `method` to `url` (its query and fragment dropped), with
    /// the endpoint's latest nonce, bound to `token` when given, with the
    /// `content_digest` of `body` when given.
    pub(crate) fn proof(
        &self,
        method: &str,
        url: &str,
        token: Option<&str>,
        body: Option<&[u8]>,
    ) -> Result<String, TokenSourceError> {
        let htu = htu(url);
        let nonce = self.lock().get(htu).cloned();
        let mut proof = DpopProof::new(method, htu, self.clock.now());
        if let Some(nonce) = nonce.as_deref() {
            proof = proof.nonce(nonce);
        }
        if let Some(token) = token {
            proof = proof.access_token(token);
        }
        if let Some(body) = body {
            proof = proof.body(body);
        }
        proof
            .sign(&self.key)
            .map_err(|e| TokenSourceError::Credentials(e.to_string()))
    }
}

/// RFC 9449 §4.2: `htu` is the URI without query and fragment.
pub(crate) fn htu(url: &str) -> &str {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    &url[..end]
}

impl fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopKey")
            .field("key", &self.key)
            .field("endpoints_with_nonce", &self.lock().len())
            .finish()
    }
}

/// Whether a token endpoint's refusal asks for a nonce (RFC 9449 §8).
pub(crate) fn asks_for_nonce(status: u16, body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Error<'a> {
        error: &'a str,
    }
    status == 400
        && serde_json::from_slice::<Error<'_>>(body).is_ok_and(|e| e.error == "use_dpop_nonce")
}

#[cfg(test)]
mod tests;
