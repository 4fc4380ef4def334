//! An access token as a [`TokenSource`](crate::client::TokenSource) hands it
//! out: the value, its type, and when it expires.

use std::fmt;
use std::sync::Arc;

use zeroize::Zeroizing;

use crate::vocab::time::UnixTime;

/// An access token and what the token endpoint said about it (RFC 6749 §5.1).
///
/// Cheap to clone (the value is shared). Its `Debug` shows the type, expiry and
/// scope, never the token.
#[derive(Clone)]
pub struct AccessToken {
    value: Arc<Zeroizing<String>>,
    token_type: Arc<str>,
    expires_at: UnixTime,
    scope: Option<Arc<str>>,
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
        }
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
        } else {
            &self.token_type
        };
        format!("{scheme} {}", self.expose_secret())
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
            .finish()
    }
}
