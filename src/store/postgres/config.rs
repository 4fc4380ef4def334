//! How the PostgreSQL store connects: the URL, the schema, and the bounds on
//! every call.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;

use crate::vocab::error::StoreError;

/// Where and how the PostgreSQL store connects.
///
/// # Defaults
///
/// | field | default |
/// |---|--:|
/// | `schema` | `client_credentials` |
/// | `call_timeout` | 1 s |
/// | `connect_timeout` | 1 s |
/// | `max_connections` | 16 |
#[non_exhaustive]
#[derive(Clone)]
pub struct PostgresConfig {
    /// The database, as `postgres://user:password@host:port/db`. Its
    /// password never appears in `Debug`.
    pub url: String,
    /// The schema that holds the tables, and the name of the channel that
    /// carries invalidations: letters, digits and `_`, not starting with a
    /// digit, at most 63 bytes.
    pub schema: String,
    /// The longest one store call may take, waiting for a connection
    /// included; past it, the call fails with a `StoreError`, and the request
    /// that needed it is refused.
    pub call_timeout: Duration,
    /// The longest one connection attempt may take.
    pub connect_timeout: Duration,
    /// The most connections the pool opens.
    pub max_connections: usize,
}

impl PostgresConfig {
    /// The configuration for `url`, with the tables in the schema
    /// `client_credentials`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            schema: "client_credentials".to_owned(),
            call_timeout: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(1),
            max_connections: 16,
        }
    }

    /// The same, with the tables in `schema`.
    #[must_use]
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = schema.into();
        self
    }

    /// The schema as a quoted identifier, after checking it.
    pub(crate) fn quoted_schema(&self) -> Result<String, StoreError> {
        let s = self.schema.as_str();
        let valid = !s.is_empty()
            && s.len() <= 63
            && !s.starts_with(|c: char| c.is_ascii_digit())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if valid {
            Ok(format!("\"{s}\""))
        } else {
            Err(StoreError::msg(
                "the PostgreSQL schema name must be letters, digits and _, at most 63 bytes",
            ))
        }
    }

    /// The driver's configuration, with the connect timeout set.
    pub(crate) fn driver_config(&self) -> Result<tokio_postgres::Config, StoreError> {
        let mut config: tokio_postgres::Config = self.url.parse().map_err(StoreError::new)?;
        config.connect_timeout(self.connect_timeout);
        Ok(config)
    }

    /// A pool whose waits and connection attempts are bounded.
    pub(crate) fn pool(&self) -> Result<Pool, StoreError> {
        let manager = Manager::from_config(
            self.driver_config()?,
            NoTls,
            ManagerConfig {
                // A connection is checked with a round trip before reuse, so
                // one broken by a database restart is replaced, not handed out.
                recycling_method: RecyclingMethod::Verified,
            },
        );
        Pool::builder(manager)
            .max_size(self.max_connections.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(self.call_timeout))
            .create_timeout(Some(self.connect_timeout))
            .recycle_timeout(Some(self.call_timeout))
            .build()
            .map_err(StoreError::new)
    }

    /// Runs `call`, failing with a `StoreError` past the call timeout.
    pub(crate) async fn bounded<T>(
        &self,
        call: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(self.call_timeout, call).await {
            Ok(result) => result,
            Err(_) => Err(StoreError::msg("PostgreSQL did not answer in time")),
        }
    }
}

impl fmt::Debug for PostgresConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresConfig")
            .field("url", &redacted(&self.url))
            .field("schema", &self.schema)
            .field("call_timeout", &self.call_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

/// The URL without its user information (which may hold a password), and
/// without its query (which may hold `password=`).
fn redacted(url: &str) -> String {
    let without_query = url.split_once('?').map_or(url, |(head, _)| head);
    match without_query.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
            format!("{scheme}://{host}")
        }
        // A key=value connection string: keep only what is not a password.
        None => without_query
            .split_whitespace()
            .filter(|part| !part.to_ascii_lowercase().starts_with("password"))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

#[cfg(test)]
mod tests;
