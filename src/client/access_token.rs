//! An access token as a [`TokenSource`](crate::client::TokenSource) hands it
//! out: the value, its type, and when it expires.

use std::fmt;
use std::sync::Arc;

use zeroize::Zeroizing;

use crate::client::dpop::DpopKey;
use crate::client::error::TokenSourceError;
use crate::vocab::time::UnixTime;

/// An access token and what the token endpoint said about it (RFC 6749 §5.1).
///
/// A DPoP-bound token (RFC 9449) keeps the source's proof key: each request
/// that carries it needs a fresh proof from [`dpop_proof`](Self::dpop_proof).
///
/// Cheap to clone (the value is shared). Its `Debug` shows the type, expiry,
/// scope and whether it is DPoP-bound, never the token or the key.
#[derive(Clone)]
pub struct AccessToken {
    value: Arc<Zeroizing<String>>,
    token_type: Arc<str>,
    expires_at: UnixTime,
    scope: Option<Arc<str>>,
    dpop: Option<Arc<DpopKey>>,
}

impl AccessToken {
    pub(crate) fn new(
        value: String,
        token_type: &str,
        expires_at: UnixTime,
        scope: Option<String>,
    ) -> Self {
        Self {
            value: Arc::new(Zeroizing::new(value)),
            token_type: token_type.into(),
            expires_at,
            scope: scope.map(Into::into),
            dpop: None,
        }
    }

    /// The token bound to `key`.
    pub(crate) fn bound_to(mut self, key: Arc<DpopKey>) -> Self {
        self.dpop = Some(key);
        self
    }

    /// The token itself. Named so every use stands out in review.
    pub fn expose_secret(&self) -> &str {
        &self.value
    }

    /// The `token_type` of the response, such as `Bearer`.
    pub fn token_type(&self) -> &str {
        &self.token_type
    }

    /// When the token expires: the time of the response plus its `expires_in`
    /// (or the source's assumed lifetime when the response had none).
    pub fn expires_at(&self) -> UnixTime {
        self.expires_at
    }

    /// The granted scope, when the response named one.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The value of an `Authorization` header carrying the token: the scheme
    /// (`Bearer`, or the response's `token_type` when it names another
    /// scheme) and the token (RFC 6750 §2.1).
    pub fn authorization(&self) -> String {
        let scheme = if self.token_type.eq_ignore_ascii_case("bearer") {
            "Bearer"
        } else if self.token_type.eq_ignore_ascii_case("dpop") {
            "DPoP"
        } else {
            &self.token_type
        };
        format!("{scheme} {}", self.expose_secret())
    }

    /// Whether the token is DPoP-bound (RFC 9449): the token endpoint answered
    /// `token_type` `DPoP` to a request with a proof of the source's key.
    pub fn is_dpop_bound(&self) -> bool {
        self.dpop.is_some()
    }

    /// A fresh DPoP proof for sending this token with a `method` request to
    /// `url` (RFC 9449 §7.1): bound to the token (`ath`), with the latest
    /// nonce `url`'s endpoint sent (see
    /// [`remember_dpop_nonce`](Self::remember_dpop_nonce)), and with the
    /// `content_digest` of `body` when given, as the MCP DPoP profile
    /// requires of calls to MCP servers (pass `Some(b"")` for a request
    /// without a body there). The query and fragment of `url` are left out
    /// of `htu`. Send it in a `DPoP` header beside
    /// [`authorization`](Self::authorization).
    ///
    /// `None` for a token that is not DPoP-bound.
    ///
    /// # Errors
    /// [`TokenSourceError::Credentials`] if signing fails.
    pub fn dpop_proof(
        &self,
        method: &str,
        url: &str,
        body: Option<&[u8]>,
    ) -> Result<Option<String>, TokenSourceError> {
        match &self.dpop {
            Some(key) => key
                .proof(method, url, Some(self.expose_secret()), body)
                .map(Some),
            None => Ok(None),
        }
    }

    /// Remembers the `DPoP-Nonce` a resource server at `url` sent (RFC 9449
    /// §9), for the next proofs to it. No effect on a token that is not
    /// DPoP-bound.
    pub fn remember_dpop_nonce(&self, url: &str, nonce: &str) {
        if let Some(key) = &self.dpop {
            key.remember_nonce(url, nonce);
        }
    }

    /// Whether two tokens are the same one (same value), in constant time.
    pub fn same_token(&self, other: &AccessToken) -> bool {
        use subtle::ConstantTimeEq as _;
        self.value.as_bytes().ct_eq(other.value.as_bytes()).into()
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("value", &"[redacted]")
            .field("token_type", &self.token_type)
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .field("dpop_bound", &self.dpop.is_some())
            .finish()
    }
}
