//! [`RedisRevocationStore`]: revocations written to Redis, streamed to every
//! process, and looked up in a local replica.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, RwLock, Weak};
use std::time::{Duration, Instant};

use ::redis::streams::{StreamId, StreamRangeReply};
use ::redis::{FromRedisValue, Script, Value};

use crate::store::redis::connection::{RedisConfig, RedisConnection};
use crate::store::revocation::{
    MemoryRevocationStore, RevocationConfig, RevocationStore, TokenView,
};
use crate::vocab::error::StoreError;
use crate::vocab::ids::{ClientId, CredentialId};
use crate::vocab::time::UnixTime;

/// Tunables of a [`RedisRevocationStore`].
///
/// # Defaults
///
/// | field | default |
/// |---|--:|
/// | `freshness_bound` | 1 s |
/// | `poll_interval` | 100 ms |
/// | `max_log_entries` | 1,000,000 |
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct RedisRevocationConfig {
    /// The longest a process answers lookups without having heard from
    /// Redis: past it, every lookup fails (and validators refuse tokens)
    /// until Redis answers again.
    pub freshness_bound: Duration,
    /// How often a process reads the revocations written since it last read.
    pub poll_interval: Duration,
    /// About how many revocations the stream keeps for processes that fall
    /// behind; one that falls further reloads the whole state.
    pub max_log_entries: usize,
}

impl Default for RedisRevocationConfig {
    fn default() -> Self {
        Self {
            freshness_bound: Duration::from_secs(1),
            poll_interval: Duration::from_millis(100),
            max_log_entries: 1_000_000,
        }
    }
}

/// A [`RevocationStore`] for a fleet: revocations are written to Redis and
/// streamed to every process, which keeps a local replica and answers
/// lookups from it, at in-memory speed and with no round trip.
///
/// # How it works
/// - A revocation is one round trip: a script records it in Redis (a sorted
///   set of `jti`s by expiry, hashes of client and credential cutoffs that
///   only grow) and appends it, numbered, to a stream. The writing process
///   applies it to its replica at once.
/// - Every process reads the stream every `poll_interval` (default 100 ms)
///   from where it stopped. A gap in the numbering (it fell behind the
///   stream's trimming) or a new connection reloads the whole state.
/// - **Failing closed.** A process that has not heard from Redis for
///   `freshness_bound` (default 1 s) cannot know what was revoked meanwhile:
///   its lookups return an error, so validators refuse every token, until a
///   read succeeds again. Writes that fail return an error (the revocation
///   endpoint answers `server_error`).
///
/// It must be made inside a Tokio runtime: the reader is a Tokio task, which
/// ends when the store is dropped. Entries for `jti`s are kept in Redis until
/// their token expired plus [`expiry_grace`](RevocationConfig::expiry_grace);
/// cutoffs for good. It gives no per-client share of `jti` revocations:
/// bound Redis's memory with its own `maxmemory` and `noeviction`.
pub struct RedisRevocationStore {
    shared: Arc<Shared>,
}

struct Shared {
    connection: RedisConnection,
    keys: Keys,
    config: RedisRevocationConfig,
    local: RevocationConfig,
    replica: RwLock<Arc<MemoryRevocationStore>>,
    /// When the stream was last read, and up to which entry.
    cursor: Mutex<Cursor>,
    record: Script,
}

struct Cursor {
    confirmed_at: Option<Instant>,
    last_id: String,
    last_seq: u64,
}

struct Keys {
    jtis: String,
    clients: String,
    credentials: String,
    log: String,
    seq: String,
}

/// Records one revocation and appends it to the stream, atomically.
/// KEYS: jtis, clients, credentials, log, seq. ARGV: kind, client, credential
/// or jti, value (expiry or cutoff), keep-from (drop jtis that expired
/// before it), max stream length.
const RECORD: &str = r"
local seq = redis.call('INCR', KEYS[5])
if ARGV[1] == 'jti' then
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[2] .. '\n' .. ARGV[3])
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[5])
else
  local key = KEYS[2]
  local field = ARGV[2]
  if ARGV[1] == 'credential' then
    key = KEYS[3]
    field = ARGV[2] .. '\n' .. ARGV[3]
  end
  local old = redis.call('HGET', key, field)
  if (not old) or (#ARGV[4] > #old) or (#ARGV[4] == #old and ARGV[4] > old) then
    redis.call('HSET', key, field, ARGV[4])
  end
end
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[6], '*',
  'n', seq, 'k', ARGV[1], 'c', ARGV[2], 'i', ARGV[3], 'v', ARGV[4])
return seq
";

impl RedisRevocationStore {
    /// Connects to the Redis of `redis`, loads the revocations recorded there,
    /// and starts reading new ones; `local` bounds the replica (its
    /// `expiry_grace` is also how long Redis keeps a revoked `jti`).
    ///
    /// # Errors
    /// A [`StoreError`] when Redis cannot be reached or read.
    pub async fn connect(
        redis: &RedisConfig,
        config: RedisRevocationConfig,
        local: RevocationConfig,
    ) -> Result<Self, StoreError> {
        let connection = redis.connect().await?;
        // One hash slot in a cluster: the recording script touches them all.
        let ns = redis.slot_prefix("revocation");
        let shared = Arc::new(Shared {
            connection,
            keys: Keys {
                jtis: format!("{ns}:jtis"),
                clients: format!("{ns}:clients"),
                credentials: format!("{ns}:credentials"),
                log: format!("{ns}:log"),
                seq: format!("{ns}:seq"),
            },
            config,
            replica: RwLock::new(Arc::new(replica(&local))),
            local,
            cursor: Mutex::new(Cursor {
                confirmed_at: None,
                last_id: "0".into(),
                last_seq: 0,
            }),
            record: Script::new(RECORD),
        });
        shared.reload().await?;
        tokio::spawn(read_stream(Arc::downgrade(&shared)));
        Ok(Self { shared })
    }
}

/// The local replica: bounded like a memory store, without a per-client
/// share, since the writer's decision is what every process applies.
fn replica(local: &RevocationConfig) -> MemoryRevocationStore {
    let mut config = local.clone();
    config.max_revoked_tokens_per_client = usize::MAX;
    MemoryRevocationStore::new(config)
}

/// Reads the stream until the store is dropped.
async fn read_stream(shared: Weak<Shared>) {
    loop {
        let Some(store) = shared.upgrade() else {
            return;
        };
        let interval = store.config.poll_interval;
        // A failed read leaves the cursor unconfirmed; the next one retries,
        // and lookups fail closed once the freshness bound has passed.
        let _ = store.poll().await;
        drop(store);
        tokio::time::sleep(interval).await;
    }
}

impl Shared {
    fn cursor(&self) -> std::sync::MutexGuard<'_, Cursor> {
        self.cursor.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn replica(&self) -> Arc<MemoryRevocationStore> {
        Arc::clone(&self.replica.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Reads what was appended since the cursor, or reloads on a gap.
    async fn poll(&self) -> Result<(), StoreError> {
        let (last_id, last_seq) = {
            let cursor = self.cursor();
            (cursor.last_id.clone(), cursor.last_seq)
        };
        let mut connection = self.connection.clone();
        let reply: StreamRangeReply = ::redis::cmd("XRANGE")
            .arg(&self.keys.log)
            .arg(format!("({last_id}"))
            .arg("+")
            .arg("COUNT")
            .arg(10_000)
            .query_async(&mut connection)
            .await
            .map_err(StoreError::new)?;
        let Some(first) = reply.ids.first() else {
            // Nothing new, and Redis answered: the replica is fresh. A
            // sequence behind ours means Redis lost its data: reload.
            let seq: Option<u64> = ::redis::cmd("GET")
                .arg(&self.keys.seq)
                .query_async(&mut connection)
                .await
                .map_err(StoreError::new)?;
            if seq.unwrap_or(0) < last_seq {
                return self.reload().await;
            }
            self.cursor().confirmed_at = Some(Instant::now());
            return Ok(());
        };
        if entry_seq(first) != Some(last_seq + 1) {
            return self.reload().await;
        }
        let replica = self.replica();
        let mut cursor = (last_id, last_seq);
        for entry in &reply.ids {
            apply(&replica, entry).await?;
            cursor = (entry.id.clone(), entry_seq(entry).unwrap_or(cursor.1));
        }
        let mut state = self.cursor();
        if state.last_seq == last_seq {
            state.last_id = cursor.0;
            state.last_seq = cursor.1;
            state.confirmed_at = Some(Instant::now());
        }
        Ok(())
    }

    /// Loads the whole state into a fresh replica and moves the cursor to
    /// where the stream stood before the load (entries written meanwhile are
    /// applied again, harmlessly).
    async fn reload(&self) -> Result<(), StoreError> {
        let mut connection = self.connection.clone();
        let last: StreamRangeReply = ::redis::cmd("XREVRANGE")
            .arg(&self.keys.log)
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(1)
            .query_async(&mut connection)
            .await
            .map_err(StoreError::new)?;
        let (last_id, last_seq) = last.ids.first().map_or(("0".to_owned(), 0), |e| {
            (e.id.clone(), entry_seq(e).unwrap_or(0))
        });
        let replica = replica(&self.local);
        let jtis: Vec<(String, u64)> = ::redis::cmd("ZRANGE")
            .arg(&self.keys.jtis)
            .arg(0)
            .arg(-1)
            .arg("WITHSCORES")
            .query_async(&mut connection)
            .await
            .map_err(StoreError::new)?;
        let now = UnixTime::now();
        for (member, expires) in jtis {
            if let Some((client, jti)) = split_pair(&member) {
                replica
                    .revoke_token(&client, jti, UnixTime::from_secs(expires), now)
                    .await?;
            }
        }
        let clients: HashMap<String, String> = hash(&mut connection, &self.keys.clients).await?;
        for (client, cutoff) in clients {
            if let (Ok(client), Ok(cutoff)) = (ClientId::new(client), cutoff.parse()) {
                replica
                    .revoke_client(&client, UnixTime::from_secs(cutoff))
                    .await?;
            }
        }
        let credentials: HashMap<String, String> =
            hash(&mut connection, &self.keys.credentials).await?;
        for (pair, cutoff) in credentials {
            let Some((client, credential)) = split_pair(&pair) else {
                continue;
            };
            if let (Ok(credential), Ok(cutoff)) = (CredentialId::new(credential), cutoff.parse()) {
                replica
                    .revoke_credential(&client, &credential, UnixTime::from_secs(cutoff))
                    .await?;
            }
        }
        *self.replica.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(replica);
        let mut cursor = self.cursor();
        cursor.last_id = last_id;
        cursor.last_seq = last_seq;
        cursor.confirmed_at = Some(Instant::now());
        Ok(())
    }

    /// Records one revocation in Redis, then in the local replica.
    async fn record(
        &self,
        kind: &str,
        client: &ClientId,
        other: &str,
        value: u64,
        keep_from: u64,
    ) -> Result<(), StoreError> {
        let mut connection = self.connection.clone();
        let _: u64 = self
            .record
            .key(&self.keys.jtis)
            .key(&self.keys.clients)
            .key(&self.keys.credentials)
            .key(&self.keys.log)
            .key(&self.keys.seq)
            .arg(kind)
            .arg(client.as_str())
            .arg(other)
            .arg(value)
            .arg(keep_from)
            .arg(self.config.max_log_entries)
            .invoke_async(&mut connection)
            .await
            .map_err(StoreError::new)?;
        Ok(())
    }

    fn is_fresh(&self) -> bool {
        self.cursor()
            .confirmed_at
            .is_some_and(|at| at.elapsed() <= self.config.freshness_bound)
    }
}

async fn hash(
    connection: &mut RedisConnection,
    key: &str,
) -> Result<HashMap<String, String>, StoreError> {
    ::redis::cmd("HGETALL")
        .arg(key)
        .query_async(connection)
        .await
        .map_err(StoreError::new)
}

/// `client\nsecond`: client ids are printable ASCII, so the first newline
/// ends them.
fn split_pair(member: &str) -> Option<(ClientId, &str)> {
    let (client, second) = member.split_once('\n')?;
    Some((ClientId::new(client).ok()?, second))
}

fn field<'a>(entry: &'a StreamId, name: &str) -> Option<&'a Value> {
    entry.map.get(name)
}

fn text(entry: &StreamId, name: &str) -> Option<String> {
    field(entry, name).and_then(|v| String::from_redis_value(v.clone()).ok())
}

fn entry_seq(entry: &StreamId) -> Option<u64> {
    text(entry, "n")?.parse().ok()
}

/// Applies one stream entry to the replica.
async fn apply(replica: &MemoryRevocationStore, entry: &StreamId) -> Result<(), StoreError> {
    let (Some(kind), Some(client), Some(other), Some(value)) = (
        text(entry, "k"),
        text(entry, "c"),
        text(entry, "i"),
        text(entry, "v").and_then(|v| v.parse::<u64>().ok()),
    ) else {
        return Ok(()); // Not an entry of this store's.
    };
    let Ok(client) = ClientId::new(client) else {
        return Ok(());
    };
    let value = UnixTime::from_secs(value);
    match kind.as_str() {
        "jti" => {
            replica
                .revoke_token(&client, &other, value, UnixTime::now())
                .await
        }
        "client" => replica.revoke_client(&client, value).await,
        "credential" => match CredentialId::new(other) {
            Ok(credential) => replica.revoke_credential(&client, &credential, value).await,
            Err(_) => Ok(()),
        },
        _ => Ok(()),
    }
}

impl RevocationStore for RedisRevocationStore {
    async fn revoke_token(
        &self,
        client_id: &ClientId,
        jti: &str,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), StoreError> {
        let grace = self.shared.local.expiry_grace;
        let keep_from = now.saturating_sub(grace).as_secs();
        self.shared
            .record("jti", client_id, jti, expires_at.as_secs(), keep_from)
            .await?;
        self.shared
            .replica()
            .revoke_token(client_id, jti, expires_at, now)
            .await
    }

    async fn revoke_client(
        &self,
        client_id: &ClientId,
        cutoff: UnixTime,
    ) -> Result<(), StoreError> {
        self.shared
            .record("client", client_id, "", cutoff.as_secs(), 0)
            .await?;
        self.shared.replica().revoke_client(client_id, cutoff).await
    }

    async fn revoke_credential(
        &self,
        client_id: &ClientId,
        credential_id: &CredentialId,
        cutoff: UnixTime,
    ) -> Result<(), StoreError> {
        self.shared
            .record(
                "credential",
                client_id,
                credential_id.as_str(),
                cutoff.as_secs(),
                0,
            )
            .await?;
        self.shared
            .replica()
            .revoke_credential(client_id, credential_id, cutoff)
            .await
    }

    async fn is_revoked(&self, token: &TokenView<'_>) -> Result<bool, StoreError> {
        if !self.shared.is_fresh() {
            return Err(StoreError::msg(
                "revocations not confirmed by Redis within the freshness bound",
            ));
        }
        self.shared.replica().is_revoked(token).await
    }
}

impl fmt::Debug for RedisRevocationStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisRevocationStore")
            .field("config", &self.shared.config)
            .field("fresh", &self.shared.is_fresh())
            .finish_non_exhaustive()
    }
}
