//! [`RedisReplayGuard`]: one atomic round trip per assertion.

use std::fmt;

use ::redis::aio::ConnectionManager;

use crate::store::redis::connection::{RedisConfig, RedisConnection};
use crate::store::replay::{ReplayCheck, ReplayGuard};
use crate::vocab::error::StoreError;
use crate::vocab::time::UnixTime;

/// A [`ReplayGuard`] on Redis: every replica of an issuer sharing one Redis
/// accepts an assertion once between them.
///
/// Each check is **one round trip**, `SET {namespace}:replay:{key} 1 NX EX
/// {until - now}`: Redis sets the key only if it is absent, atomically, and
/// forgets it when `until` has passed by the issuer's clock (a relative
/// lifetime, so that a skew between the issuer's clock and Redis's changes
/// nothing). `OK` is a first use, nil a replay. A failed or
/// timed-out call is an `Err`, and the issuer refuses the assertion.
///
/// It gives no per-client share ([`ReplayCheck::QuotaExceeded`] is never
/// answered): entries are about 100 bytes in Redis and live a few minutes,
/// so bound the memory with Redis's own `maxmemory` (with a `noeviction`
/// policy, so that Redis refuses writes rather than forget entries).
#[derive(Clone)]
pub struct RedisReplayGuard {
    connection: RedisConnection,
    prefix: String,
}

impl RedisReplayGuard {
    /// Connects to the Redis of `config`.
    ///
    /// # Errors
    /// A [`StoreError`] when the URL is malformed or Redis cannot be reached.
    pub async fn connect(config: &RedisConfig) -> Result<Self, StoreError> {
        Ok(Self {
            connection: config.connect().await?,
            prefix: format!("{}:replay:", config.namespace),
        })
    }

    /// A guard over an existing connection, with keys under `namespace`.
    pub fn with_connection(connection: ConnectionManager, namespace: &str) -> Self {
        Self {
            connection: RedisConnection::Single(connection),
            prefix: format!("{namespace}:replay:"),
        }
    }
}

impl ReplayGuard for RedisReplayGuard {
    async fn first_use(
        &self,
        _client_id: &str,
        key: &str,
        until: UnixTime,
        now: UnixTime,
    ) -> Result<ReplayCheck, StoreError> {
        // A lifetime relative to `now`, rather than `EXAT until`: the entry
        // then lives as long as the issuer's clock says, whatever the skew
        // between its clock and Redis's.
        let seconds = until.duration_since(now).as_secs().max(1);
        let mut connection = self.connection.clone();
        let set: Option<String> = ::redis::cmd("SET")
            .arg(format!("{}{key}", self.prefix))
            .arg(1)
            .arg("NX")
            .arg("EX")
            .arg(seconds)
            .query_async(&mut connection)
            .await
            .map_err(StoreError::new)?;
        Ok(match set {
            Some(_) => ReplayCheck::FirstUse,
            None => ReplayCheck::Replayed,
        })
    }
}

impl fmt::Debug for RedisReplayGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisReplayGuard")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}
