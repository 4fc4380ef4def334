//! How the Redis stores connect: the URL, the namespace, and the bounds on
//! every call.

use std::fmt;
use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::vocab::error::StoreError;

/// Where and how the Redis stores connect.
///
/// # Defaults
///
/// | field | default |
/// |---|--:|
/// | `response_timeout` | 250 ms |
/// | `connection_timeout` | 1 s |
#[non_exhaustive]
#[derive(Clone)]
pub struct RedisConfig {
    /// The server, as `redis://host:port/db` (or `rediss://` for TLS). Its
    /// password, if any, never appears in `Debug`.
    pub url: String,
    /// The first part of every key, so that issuers sharing one Redis never
    /// collide: the issuer identifier is a good choice.
    pub namespace: String,
    /// The longest a call may take; past it, the call fails, and the request
    /// that needed it is refused rather than let through unchecked.
    pub response_timeout: Duration,
    /// The longest one connection attempt may take.
    pub connection_timeout: Duration,
}

impl RedisConfig {
    /// The configuration for `url`, with keys under `namespace`.
    pub fn new(url: impl Into<String>, namespace: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            namespace: namespace.into(),
            response_timeout: Duration::from_millis(250),
            connection_timeout: Duration::from_secs(1),
        }
    }

    /// Connects, with the timeouts set.
    pub(crate) async fn connect(&self) -> Result<ConnectionManager, StoreError> {
        let client = ::redis::Client::open(self.url.as_str()).map_err(StoreError::new)?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(self.response_timeout))
            .set_connection_timeout(Some(self.connection_timeout))
            // A first connection that fails says so within a few seconds;
            // later reconnections go on in the background.
            .set_number_of_retries(2);
        ConnectionManager::new_with_config(client, config)
            .await
            .map_err(StoreError::new)
    }
}

impl fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may carry a password: show its host part only.
        let host = self
            .url
            .rsplit_once('@')
            .map_or(self.url.as_str(), |(_, host)| host);
        f.debug_struct("RedisConfig")
            .field("host", &host)
            .field("namespace", &self.namespace)
            .field("response_timeout", &self.response_timeout)
            .field("connection_timeout", &self.connection_timeout)
            .finish()
    }
}
