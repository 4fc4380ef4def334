//! [`RedisThrottle`]: failures counted in Redis for the whole fleet, locks
//! mirrored in every process, nothing on the success path.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use ::redis::{Client, Script};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::StreamExt as _;
use tokio::sync::mpsc;

use crate::store::redis::connection::{RedisConfig, RedisConnection};
use crate::store::throttle::{AuthThrottle, MapKey, MemoryThrottle, ThrottleConfig, ThrottleKey};
use crate::vocab::error::StoreError;
use crate::vocab::time::{UnixTime, ceil_secs};

/// How many counts may wait for Redis before new ones are counted locally only.
const QUEUE: usize = 4096;

/// How long the lock channel may stay silent before the subscriber pings
/// Redis to learn whether the connection still stands.
const PING_AFTER: Duration = Duration::from_secs(5);

/// The longest wait between two attempts to resubscribe.
const MAX_RETRY: Duration = Duration::from_secs(2);

/// Counts one failure of up to two counts (the pair, then the client id
/// alone), with [`MemoryThrottle`]'s rules, and publishes the locks it sets.
///
/// KEYS: the locks sorted set, the first count, [the second count].
/// ARGV: now, window, lockout, max lockout, channel, then for each count:
/// member, limit, backoff (1 or 0).
const FAIL: &str = r"
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local lockout = tonumber(ARGV[3])
local max_lockout = tonumber(ARGV[4])
for i = 2, #KEYS do
  local member = ARGV[3 * i]
  local limit = tonumber(ARGV[3 * i + 1])
  local backoff = ARGV[3 * i + 2] == '1'
  local e = redis.call('HMGET', KEYS[i], 'w', 'l', 'f', 'n')
  local w = tonumber(e[1]) or now
  local l = tonumber(e[2]) or 0
  local f = tonumber(e[3]) or 0
  local n = tonumber(e[4]) or 0
  if l ~= 0 and now >= l then w = l; l = 0; f = 0 end
  if l == 0 and now >= w + window then f = 0; n = 0; w = now end
  if l <= now then
    f = f + 1
    if f >= limit then
      local wait = lockout
      if backoff then wait = math.min(lockout * 2 ^ math.min(n, 16), max_lockout) end
      l = now + math.max(wait, 1)
      n = n + 1
      redis.call('ZADD', KEYS[1], l, member)
      redis.call('PUBLISH', ARGV[5], member .. ' ' .. l)
    end
    redis.call('HSET', KEYS[i], 'w', w, 'l', l, 'f', f, 'n', n)
    redis.call('EXPIRE', KEYS[i], math.max(math.max(w + window, l) + window - now, 1))
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return 0
";

/// Forgets a pair's failures after a success, and its lock if it had one.
/// KEYS: the locks sorted set, the pair's count. ARGV: channel, member.
const FORGET: &str = r"
redis.call('DEL', KEYS[2])
if redis.call('ZREM', KEYS[1], ARGV[2]) == 1 then
  redis.call('PUBLISH', ARGV[1], ARGV[2] .. ' 0')
end
return 0
";

/// An [`AuthThrottle`] for a fleet: failures at any issuer sharing one Redis
/// count toward one limit, with the rules of [`MemoryThrottle`] (per client id
/// and source with a backoff, per client id alone against a higher ceiling;
/// see [`ThrottleConfig`]).
///
/// # How it works
/// - **A success pays nothing.** Every answer comes from memory:
///   [`check`](AuthThrottle::check) reads this process's own counts and a
///   mirror of the locks set anywhere in the fleet. A success that forgets a
///   pair this process saw fail tells Redis in the background.
/// - **A failure** is counted at once in this process (as a
///   [`MemoryThrottle`] would) and, in the background, in Redis by a script
///   that applies the same rules to the fleet's count; when the count locks a
///   key, the script records the lock and publishes it, and every process
///   subscribed adds it to its mirror, typically within a millisecond.
/// - **Resubscribing** (at start, and after any lost connection) reloads the
///   locks from Redis, so a process that missed messages catches up.
///
/// # What Redis being away changes
/// Nothing on the request path blocks on Redis. While it is unreachable, each
/// process counts on its own, exactly like a [`MemoryThrottle`]: an attacker
/// gets the configured allowance once per process instead of once for the
/// fleet, and no caller is refused for Redis's sake. Counts that cannot
/// reach Redis are not retried (the local count stood in for them); locks set
/// elsewhere meanwhile arrive with the reload when the connection returns.
///
/// Reservations ([`reserve`](AuthThrottle::reserve)) count attempts in flight
/// in this process only; their failures count fleet-wide when settled.
///
/// It must be made inside a Tokio runtime: the sender of counts and the
/// subscriber are Tokio tasks, which end when the throttle is dropped.
pub struct RedisThrottle {
    shared: Arc<Shared>,
    counts: mpsc::Sender<Count>,
}

struct Shared {
    local: MemoryThrottle,
    /// Locks set by the fleet's count: key bytes → locked until (seconds).
    remote: RemoteLocks,
    keys: Keys,
    limits: Limits,
}

struct Keys {
    /// The sorted set of locks by end, read when (re)subscribing.
    locks: String,
    /// The channel the locks are published on.
    channel: String,
    /// The prefix of the per-key count hashes.
    count: String,
}

#[derive(Clone, Copy)]
struct Limits {
    max_failures: u32,
    max_failures_per_client: u32,
    window: u64,
    lockout: u64,
    max_lockout: u64,
}

/// What the background sender tells Redis.
enum Count {
    Failure {
        pair: Vec<u8>,
        client: Option<Vec<u8>>,
        now: u64,
    },
    Success {
        pair: Vec<u8>,
    },
}

impl RedisThrottle {
    /// Connects to the Redis of `redis` (keys and channel under its
    /// namespace), loads the locks recorded there, and starts the background
    /// tasks.
    ///
    /// # Errors
    /// A [`StoreError`] when the URL is malformed or Redis cannot be reached.
    pub async fn connect(redis: &RedisConfig, config: ThrottleConfig) -> Result<Self, StoreError> {
        let connection = redis.connect().await?;
        let client = Client::open(redis.pubsub_url()).map_err(StoreError::new)?;
        // One hash slot in a cluster: the counting script touches them all.
        let ns = redis.slot_prefix("throttle");
        let limits = Limits {
            max_failures: config.max_failures.max(1),
            max_failures_per_client: config.max_failures_per_client.max(1),
            window: ceil_secs(config.window),
            lockout: ceil_secs(config.lockout),
            max_lockout: ceil_secs(config.max_lockout).max(ceil_secs(config.lockout)),
        };
        let shared = Arc::new(Shared {
            remote: RemoteLocks::new(config.max_tracked.max(1)),
            local: MemoryThrottle::new(config),
            keys: Keys {
                locks: format!("{ns}:locks"),
                channel: format!("{ns}:lock-events"),
                count: format!("{ns}:count:"),
            },
            limits,
        });
        let mut reload_connection = connection.clone();
        shared.reload(&mut reload_connection).await?;
        let (counts, queue) = mpsc::channel(QUEUE);
        tokio::spawn(send_counts(Arc::downgrade(&shared), connection, queue));
        tokio::spawn(subscribe(
            Arc::downgrade(&shared),
            client,
            reload_connection,
            redis.connection_timeout,
        ));
        Ok(Self { shared, counts })
    }

    /// The limits this throttle was built with.
    pub fn config(&self) -> &ThrottleConfig {
        self.shared.local.config()
    }

    /// How many fleet-wide locks this process knows of now, expired or not.
    pub fn known_locks(&self) -> usize {
        self.shared.remote.len.load(Ordering::Acquire)
    }

    fn count_failure(&self, key: ThrottleKey<'_>, now: UnixTime) {
        let pair = MapKey::new(key.client_id, key.source).as_bytes().to_vec();
        let client = key
            .source
            .map(|_| MapKey::new(key.client_id, None).as_bytes().to_vec());
        // A full queue: Redis is away or slow, and the local count stands in.
        let _ = self.counts.try_send(Count::Failure {
            pair,
            client,
            now: now.as_secs(),
        });
    }

    /// Tells Redis to forget the pair's failures if anything says it has some.
    fn forget_if_known(&self, key: ThrottleKey<'_>, seen_locally: bool) {
        if !seen_locally && self.known_locks() == 0 {
            return;
        }
        let pair = MapKey::new(key.client_id, key.source);
        if seen_locally || self.shared.remote.contains(pair.as_bytes()) {
            let _ = self.counts.try_send(Count::Success {
                pair: pair.as_bytes().to_vec(),
            });
            self.shared.remote.remove(pair.as_bytes());
        }
    }
}

impl AuthThrottle for RedisThrottle {
    fn check(&self, key: ThrottleKey<'_>, now: UnixTime) -> Result<(), Duration> {
        let local = self.shared.local.check(key, now);
        let remote = self.shared.remote.wait(key, now.as_secs());
        match (local, remote) {
            (Ok(()), None) => Ok(()),
            (Ok(()), Some(secs)) => Err(Duration::from_secs(secs)),
            (Err(wait), remote) => Err(wait.max(Duration::from_secs(remote.unwrap_or(0)))),
        }
    }

    fn reserve(&self, key: ThrottleKey<'_>, now: UnixTime) -> Result<(), Duration> {
        if let Some(secs) = self.shared.remote.wait(key, now.as_secs()) {
            return Err(Duration::from_secs(secs));
        }
        self.shared.local.reserve(key, now)
    }

    fn settle(&self, key: ThrottleKey<'_>, failed: bool, now: UnixTime) {
        if failed {
            self.count_failure(key, now);
        } else {
            self.forget_if_known(key, self.shared.local.tracks_pair(key));
        }
        self.shared.local.settle(key, failed, now);
    }

    fn record_failure(&self, key: ThrottleKey<'_>, now: UnixTime) {
        self.count_failure(key, now);
        self.shared.local.record_failure(key, now);
    }

    fn record_success(&self, key: ThrottleKey<'_>, now: UnixTime) {
        self.forget_if_known(key, self.shared.local.tracks_pair(key));
        self.shared.local.record_success(key, now);
    }
}

impl fmt::Debug for RedisThrottle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisThrottle")
            .field("local", &self.shared.local)
            .field("known_locks", &self.known_locks())
            .field("channel", &self.shared.keys.channel)
            .finish_non_exhaustive()
    }
}

impl Shared {
    fn count_key(&self, member: &str) -> String {
        format!("{}{member}", self.keys.count)
    }

    /// Replaces the mirror with the locks recorded in Redis.
    async fn reload(&self, connection: &mut RedisConnection) -> Result<(), StoreError> {
        let locks: Vec<(String, u64)> = ::redis::cmd("ZRANGE")
            .arg(&self.keys.locks)
            .arg(0)
            .arg(-1)
            .arg("WITHSCORES")
            .query_async(connection)
            .await
            .map_err(StoreError::new)?;
        let locks = locks
            .into_iter()
            .filter_map(|(member, until)| Some((URL_SAFE_NO_PAD.decode(member).ok()?, until)));
        self.remote.replace(locks);
        Ok(())
    }

    /// Applies one published message, `<member> <until>` (0: unlocked).
    fn apply(&self, message: &[u8]) {
        let Some((member, until)) = std::str::from_utf8(message)
            .ok()
            .and_then(|m| m.split_once(' '))
        else {
            return;
        };
        let (Ok(key), Ok(until)) = (URL_SAFE_NO_PAD.decode(member), until.parse::<u64>()) else {
            return;
        };
        if until == 0 {
            self.remote.remove(&key);
        } else {
            self.remote.insert(key, until);
        }
    }
}

/// Sends the counts to Redis, one script call each, until the throttle is
/// dropped. A call that fails is not retried: the local count stood in.
async fn send_counts(
    shared: Weak<Shared>,
    mut connection: RedisConnection,
    mut queue: mpsc::Receiver<Count>,
) {
    let fail = Script::new(FAIL);
    let forget = Script::new(FORGET);
    while let Some(count) = queue.recv().await {
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let outcome: Result<i64, _> = match count {
            Count::Failure { pair, client, now } => {
                let l = shared.limits;
                let mut call = fail.prepare_invoke();
                call.key(&shared.keys.locks);
                call.arg(now)
                    .arg(l.window)
                    .arg(l.lockout)
                    .arg(l.max_lockout)
                    .arg(&shared.keys.channel);
                let member = URL_SAFE_NO_PAD.encode(&pair);
                call.key(shared.count_key(&member));
                call.arg(member).arg(l.max_failures).arg(1);
                if let Some(client) = client {
                    let member = URL_SAFE_NO_PAD.encode(&client);
                    call.key(shared.count_key(&member));
                    call.arg(member).arg(l.max_failures_per_client).arg(0);
                }
                call.invoke_async(&mut connection).await
            }
            Count::Success { pair } => {
                let member = URL_SAFE_NO_PAD.encode(&pair);
                forget
                    .key(&shared.keys.locks)
                    .key(shared.count_key(&member))
                    .arg(&shared.keys.channel)
                    .arg(member)
                    .invoke_async(&mut connection)
                    .await
            }
        };
        drop(outcome);
    }
}

/// Keeps the mirror of locks fresh until the throttle is dropped: subscribes
/// to the lock channel, reloads the locks, then applies every message; on a
/// lost connection, starts over.
async fn subscribe(
    shared: Weak<Shared>,
    client: Client,
    mut connection: RedisConnection,
    connect_timeout: Duration,
) {
    let mut retry = Duration::from_millis(50);
    loop {
        let Some(channel) = shared.upgrade().map(|s| s.keys.channel.clone()) else {
            return;
        };
        let subscribed = tokio::time::timeout(connect_timeout, async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            Ok::<_, ::redis::RedisError>(pubsub)
        })
        .await;
        let Ok(Ok(pubsub)) = subscribed else {
            tokio::time::sleep(retry).await;
            retry = (retry * 2).min(MAX_RETRY);
            continue;
        };
        // Subscribed first, then reloaded: no lock set in between is missed.
        match shared.upgrade() {
            Some(s) if s.reload(&mut connection).await.is_ok() => {}
            Some(_) => {
                tokio::time::sleep(retry).await;
                continue;
            }
            None => return,
        }
        retry = Duration::from_millis(50);
        let (mut sink, mut messages) = pubsub.split();
        loop {
            match tokio::time::timeout(PING_AFTER, messages.next()).await {
                Ok(Some(message)) => match shared.upgrade() {
                    Some(s) => s.apply(message.get_payload_bytes()),
                    None => return,
                },
                Ok(None) => break,
                Err(_silent) => {
                    if shared.strong_count() == 0 {
                        return;
                    }
                    let pong = tokio::time::timeout(connect_timeout, sink.ping::<String>()).await;
                    if !matches!(pong, Ok(Ok(_))) {
                        break;
                    }
                }
            }
        }
    }
}

/// The fleet's locks as this process knows them, bounded in number.
struct RemoteLocks {
    /// `map.len()`, readable without the lock.
    len: AtomicUsize,
    max: usize,
    map: Mutex<HashMap<Box<[u8]>, u64>>,
}

impl RemoteLocks {
    fn new(max: usize) -> Self {
        Self {
            len: AtomicUsize::new(0),
            max,
            map: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Box<[u8]>, u64>> {
        // Every entry is valid on its own, so a poisoned map is still sound.
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How long an attempt with `key` must wait for the fleet's locks.
    fn wait(&self, key: ThrottleKey<'_>, now: u64) -> Option<u64> {
        if self.len.load(Ordering::Acquire) == 0 {
            return None;
        }
        let pair = MapKey::new(key.client_id, key.source);
        let client = key.source.map(|_| MapKey::new(key.client_id, None));
        let map = self.lock();
        [Some(pair), client]
            .iter()
            .flatten()
            .filter_map(|k| map.get(k.as_bytes()))
            .filter(|&&until| until > now)
            .map(|&until| until - now)
            .max()
    }

    fn contains(&self, key: &[u8]) -> bool {
        self.len.load(Ordering::Acquire) != 0 && self.lock().contains_key(key)
    }

    fn insert(&self, key: Vec<u8>, until: u64) {
        let mut map = self.lock();
        if map.len() >= self.max && !map.contains_key(key.as_slice()) {
            // Full: the lock that ends first makes room.
            if let Some(first) = map
                .iter()
                .min_by_key(|(_, end)| **end)
                .map(|(k, _)| k.clone())
            {
                map.remove(&first);
            }
        }
        let entry = map.entry(key.into_boxed_slice()).or_insert(0);
        *entry = (*entry).max(until);
        self.len.store(map.len(), Ordering::Release);
    }

    fn remove(&self, key: &[u8]) {
        if self.len.load(Ordering::Acquire) == 0 {
            return;
        }
        let mut map = self.lock();
        map.remove(key);
        self.len.store(map.len(), Ordering::Release);
    }

    fn replace(&self, locks: impl Iterator<Item = (Vec<u8>, u64)>) {
        let mut map = self.lock();
        map.clear();
        for (key, until) in locks.take(self.max) {
            map.insert(key.into_boxed_slice(), until);
        }
        self.len.store(map.len(), Ordering::Release);
    }
}
