//! Why a [`TokenSource`](crate::client::TokenSource) has no token to give, and
//! what to do about it.

use std::time::Duration;

use crate::vocab::error::StoreError;

/// The failure of a [`TokenSource`](crate::client::TokenSource) request.
///
/// Cheap to clone: every caller waiting on the same token request gets the
/// same error. No variant holds a secret or a token.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenSourceError {
    /// The authorization server refused the request (RFC 6749 §5.2): wrong
    /// credentials (`invalid_client`), a scope or resource the client may not
    /// have (`invalid_scope`, `invalid_target`), or a grant it may not use.
    /// Retrying does not help: fix the client's registration or the request.
    #[error(
        "the authorization server refused the token request ({status} {error}{}); \
         check the client's credentials and the scope and resource it asks for",
        .error_description.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
    )]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The OAuth `error` code.
        error: String,
        /// The `error_description`, if the server sent one.
        error_description: Option<String>,
    },
    /// The server kept answering `429`, `503` or another `5xx` through every
    /// attempt, or asked to wait longer than the source may (`Retry-After`).
    /// It is overloaded or down: try again later.
    #[error(
        "the token endpoint is unavailable (HTTP {status} after {attempts} attempts{}); try again later",
        .retry_after.map(|d| format!(", it asks to retry after {} s", d.as_secs())).unwrap_or_default()
    )]
    Unavailable {
        /// The last HTTP status.
        status: u16,
        /// The server's last `Retry-After`, if any.
        retry_after: Option<Duration>,
        /// How many requests were made.
        attempts: u32,
    },
    /// No answer through every attempt: the endpoint is unreachable (DNS,
    /// connection, TLS, timeout). Check the URL and the network.
    #[error(
        "the token endpoint could not be reached after {attempts} attempts ({}); check the URL and the network",
        transport_cause(.source)
    )]
    Transport {
        /// The last transport error.
        source: StoreError,
        /// How many requests were made.
        attempts: u32,
    },
    /// The issuer's RFC 8414 metadata could not be read, names another issuer,
    /// or has no usable `token_endpoint`. Check the issuer URL, or configure
    /// the token endpoint directly.
    #[error("discovery at {url} failed: {reason}")]
    Discovery {
        /// The metadata URL.
        url: String,
        /// What was wrong.
        reason: String,
    },
    /// A `200` answer that is not a usable token response (RFC 6749 §5.1).
    /// The endpoint is not an OAuth 2.0 token endpoint, or misbehaves.
    #[error("the token endpoint's answer is not a token response: {0}")]
    InvalidResponse(String),
    /// The credentials could not be used: the platform token file cannot be
    /// read, or an assertion could not be signed.
    #[error("the client credentials cannot be used: {0}")]
    Credentials(String),
}

/// What the HTTP client said, without the store's prefix.
fn transport_cause(error: &StoreError) -> String {
    match std::error::Error::source(error) {
        Some(cause) => cause.to_string(),
        None => error.to_string(),
    }
}

impl TokenSourceError {
    /// Whether waiting and asking again may succeed (an outage), as opposed
    /// to a refusal or a misconfiguration.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable { .. } | Self::Transport { .. })
    }
}
