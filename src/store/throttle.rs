//! Brute-force protection for client secrets (RFC 6749 §2.3.1, C15), shaped so
//! that it cannot be turned against the clients it protects: failures are
//! counted per (client id, caller source) with a backoff, and per client id
//! alone only against a much higher ceiling.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use ring::digest;

use crate::vocab::time::{UnixTime, ceil_secs};

/// Who is trying to authenticate, as far as the throttle can tell: the client
/// id as presented (registered or not), and the caller's address when the
/// HTTP stack handed it over ([`RequestParts::source`](crate::RequestParts::source)).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ThrottleKey<'a> {
    /// The client id as presented.
    pub client_id: &'a str,
    /// The caller's address; `None` when unknown, and then every caller of
    /// this id shares one count.
    pub source: Option<IpAddr>,
}

impl<'a> ThrottleKey<'a> {
    /// The key of `client_id` presented from `source`.
    pub fn new(client_id: &'a str, source: Option<IpAddr>) -> Self {
        Self { client_id, source }
    }
}

impl<'a> From<&'a str> for ThrottleKey<'a> {
    fn from(client_id: &'a str) -> Self {
        Self::new(client_id, None)
    }
}

/// Counts failed client authentications and says who must wait.
///
/// RFC 6749 §2.3.1: the server "MUST protect any endpoint utilizing [a password]
/// against brute force attacks". Keys are client ids *as presented*, registered
/// or not, so the throttle's answers do not reveal which ids exist; with a
/// source, each (client id, source) pair is counted on its own, and the client
/// id alone against a much higher ceiling.
///
/// How the issuer uses it (see the crate's security manual for why):
/// - A high-entropy credential (a generated secret under a fast hash) is
///   always checked: a correct one is never refused because someone else
///   failed. Only a wrong one is counted ([`record_failure`](Self::record_failure)),
///   and refused with `429` instead of `401` while its key must wait
///   ([`check`](Self::check)); a right one clears its pair
///   ([`record_success`](Self::record_success)).
/// - A human-chosen secret (PBKDF2) is checked only after
///   [`reserve`](Self::reserve) let it, and the reservation is then
///   [`settle`](Self::settle)d with the outcome.
/// - A request that presents no credential, or a JWT assertion, is not counted.
///
/// # Contract
/// - `reserve` is **one atomic step**: it checks the limits counting the
///   attempts already reserved and not yet settled, and counts this one in, so
///   that any number of concurrent attempts stay within the limit.
/// - Every `Ok` of `reserve` is followed by exactly one `settle` with the
///   same key.
/// - The methods are synchronous and called on the request path: they must be
///   quick and must not block on I/O.
pub trait AuthThrottle: Send + Sync + fmt::Debug {
    /// `Err(retry_after)` while `key` must wait, `Ok(())` otherwise. Reads only.
    fn check(&self, key: ThrottleKey<'_>, now: UnixTime) -> Result<(), Duration>;

    /// Like [`check`](Self::check), and on `Ok` counts one attempt in flight
    /// for `key`, in the same atomic step.
    fn reserve(&self, key: ThrottleKey<'_>, now: UnixTime) -> Result<(), Duration>;

    /// Ends an attempt reserved with [`reserve`](Self::reserve): counts a
    /// failure, or on success forgets the failures of `key`'s pair.
    fn settle(&self, key: ThrottleKey<'_>, failed: bool, now: UnixTime);

    /// Counts a failed attempt that was not reserved.
    fn record_failure(&self, key: ThrottleKey<'_>, now: UnixTime);

    /// A success that was not reserved: forgets the failures of `key`'s pair.
    fn record_success(&self, key: ThrottleKey<'_>, now: UnixTime);
}

/// Limits for [`MemoryThrottle`].
///
/// # Defaults
///
/// | field | default |
/// |---|--:|
/// | `max_failures` | 10 |
/// | `window` | 60 s |
/// | `lockout` | 60 s |
/// | `max_lockout` | 15 min |
/// | `max_failures_per_client` | 100 |
/// | `max_tracked` | 100,000 |
///
/// With the defaults one caller gets at most 10 guesses a minute at one client
/// id, and then waits 1, 2, 4, … up to 15 minutes; all callers together get at
/// most 100 a minute at one id before the id itself locks (which matters only
/// for human-chosen secrets: generated ones are checked whatever the count).
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct ThrottleConfig {
    /// Failures of one (client id, source) pair within one window that make it
    /// wait (0 counts as 1). Without a source, of the client id.
    pub max_failures: u32,
    /// How long failures are counted, from the first failure of the window.
    /// Whole seconds, rounded up.
    pub window: Duration,
    /// The first wait of a pair; each further lockout within a window of the
    /// last doubles it. Whole seconds, rounded up.
    pub lockout: Duration,
    /// The longest wait. Whole seconds, rounded up.
    pub max_lockout: Duration,
    /// Failures of one client id from all sources within one window that
    /// lock the id itself for `lockout` (0 counts as 1).
    pub max_failures_per_client: u32,
    /// Most keys tracked at once, bounding memory (0 counts as 1). See
    /// [`MemoryThrottle`] for the memory per key.
    pub max_tracked: usize,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            max_failures: 10,
            window: Duration::from_secs(60),
            lockout: Duration::from_secs(60),
            max_lockout: Duration::from_secs(900),
            max_failures_per_client: 100,
            max_tracked: 100_000,
        }
    }
}

/// An in-process [`AuthThrottle`].
///
/// A (client id, source) pair that fails `max_failures` times within `window`
/// of its first failure waits `lockout`, then twice that after its next
/// `max_failures`, up to `max_lockout`; a window without a lockout starts it
/// afresh. A client id that fails `max_failures_per_client` times within a
/// window from all sources together is locked for `lockout`. Without a source,
/// the client id is the pair.
///
/// Each issuer process counts on its own, so `n` processes behind a load balancer
/// allow up to `n` times the configured failures.
///
/// # Concurrency
///
/// Keys are spread over 64 shards, each behind its own mutex, by a randomly keyed
/// hash (so keys cannot be chosen to pile into one shard). When nothing is
/// tracked at all, which is the normal case, [`check`](AuthThrottle::check) and
/// [`record_success`](AuthThrottle::record_success) read one atomic, and neither
/// hash the key nor take a lock. Reservations count attempts in flight, so
/// concurrent attempts cannot pass the limit together.
///
/// # Memory
///
/// At most [`ThrottleConfig::max_tracked`] keys are tracked, split evenly over
/// the shards (rounded down); an attempt with a source uses two (its pair and
/// its client id). A client id longer than 64 bytes is kept as its SHA-256, so
/// one key costs at most about 230 bytes (a 48-byte table slot, up to 81 bytes
/// for the key, and hash-table slack): under 25 MB at the default 100,000.
///
/// When a shard is full, its expired entries are dropped first; then the
/// entry with the fewest failures that is neither locked nor in flight.
/// **Unexpired locks are never dropped**, so a flood of decoy ids cannot
/// reset a lockout. A shard full of locks takes no new key: a reservation is
/// then refused (`Err` of one second), and an unreserved failure goes
/// uncounted (it concerns a credential that is checked whatever the count).
pub struct MemoryThrottle {
    config: ThrottleConfig,
    max_failures: u32,
    max_failures_per_client: u32,
    window_secs: u64,
    lockout_secs: u64,
    max_lockout_secs: u64,
    per_shard: usize,
    hasher: RandomState,
    /// The sum of the shards' `len`, readable without hashing a key.
    tracked: AtomicUsize,
    shards: Box<[Shard]>,
}

/// Upper bound on shards; fewer when `max_tracked` is smaller.
const SHARDS: usize = 64;

/// Client ids up to this many bytes are kept as they are; longer ones as a digest.
const MAX_ID_BYTES: usize = 64;

/// The most doublings of a pair's lockout.
const MAX_DOUBLINGS: u32 = 16;

/// One shard, on its own cache lines so that threads working on different shards
/// do not slow each other down.
#[repr(align(128))]
#[derive(Default)]
struct Shard {
    /// `map.len()`, readable without the lock.
    len: AtomicUsize,
    map: Mutex<HashMap<Box<[u8]>, Entry>>,
}

/// The record of one key.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// When the current window started (seconds).
    window_start: u64,
    /// The end of the current lockout (seconds); 0 when not locked.
    locked_until: u64,
    /// Failures since `window_start`.
    failures: u32,
    /// Reserved attempts not settled yet.
    pending: u32,
    /// Lockouts in a row, for the backoff.
    lockouts: u32,
}

/// Which count a key is: its limit, and whether its lockouts double.
#[derive(Clone, Copy)]
struct Rule {
    limit: u32,
    backoff: bool,
}

impl Entry {
    fn fresh(now: u64) -> Self {
        Self {
            window_start: now,
            locked_until: 0,
            failures: 0,
            pending: 0,
            lockouts: 0,
        }
    }

    /// Ends a lockout or a window that is over.
    fn refresh(&mut self, now: u64, window_secs: u64) {
        if self.locked_until != 0 && now >= self.locked_until {
            // Unlocked: a new window from the end of the lockout, the backoff
            // remembered through it.
            self.window_start = self.locked_until;
            self.locked_until = 0;
            self.failures = 0;
        }
        if self.locked_until == 0 && now >= self.window_start.saturating_add(window_secs) {
            // A whole window without a lockout: the backoff starts afresh.
            self.failures = 0;
            self.lockouts = 0;
            self.window_start = now;
        }
    }

    /// Whether the entry says nothing any more (after `refresh`).
    fn is_idle(&self) -> bool {
        self.locked_until == 0 && self.failures == 0 && self.pending == 0 && self.lockouts == 0
    }

    /// How long a new attempt must wait, if it must.
    fn wait(&self, now: u64, rule: Rule) -> Option<u64> {
        if self.locked_until > now {
            Some(self.locked_until - now)
        } else if self.failures.saturating_add(self.pending) >= rule.limit {
            // The attempts in flight may still fail: wait for them to settle.
            Some(1)
        } else {
            None
        }
    }
}

impl MemoryThrottle {
    /// A throttle with these limits.
    pub fn new(config: ThrottleConfig) -> Self {
        let max_tracked = config.max_tracked.max(1);
        let shards = max_tracked.min(SHARDS);
        Self {
            max_failures: config.max_failures.max(1),
            max_failures_per_client: config.max_failures_per_client.max(1),
            window_secs: ceil_secs(config.window),
            lockout_secs: ceil_secs(config.lockout),
            max_lockout_secs: ceil_secs(config.max_lockout).max(ceil_secs(config.lockout)),
            per_shard: max_tracked / shards,
            hasher: RandomState::new(),
            tracked: AtomicUsize::new(0),
            shards: (0..shards).map(|_| Shard::default()).collect(),
            config,
        }
    }

    /// The limits this throttle was built with.
    pub fn config(&self) -> &ThrottleConfig {
        &self.config
    }

    /// How many keys are tracked now (a snapshot while other threads work).
    pub fn tracked(&self) -> usize {
        self.tracked.load(Ordering::Acquire)
    }

    /// Whether failures or attempts in flight of `key`'s pair are tracked,
    /// without hashing anything when nothing is.
    #[cfg(feature = "redis")]
    pub(crate) fn tracks_pair(&self, key: ThrottleKey<'_>) -> bool {
        if self.tracked() == 0 {
            return false;
        }
        let pair = MapKey::new(key.client_id, key.source);
        let shard = self.shard(&pair);
        shard.len.load(Ordering::Acquire) != 0 && shard.lock().contains_key(pair.as_bytes())
    }

    /// The counts an attempt with `key` touches, each with its rule: the pair
    /// first, then the client id alone when there is a source.
    fn counts(&self, key: ThrottleKey<'_>) -> impl Iterator<Item = (MapKey, Rule)> {
        let pair = Rule {
            limit: self.max_failures,
            backoff: true,
        };
        let client = Rule {
            limit: self.max_failures_per_client,
            backoff: false,
        };
        let first = (MapKey::new(key.client_id, key.source), pair);
        let second = key
            .source
            .map(|_| (MapKey::new(key.client_id, None), client));
        std::iter::once(first).chain(second)
    }

    fn shard(&self, key: &MapKey) -> &Shard {
        // Truncation is fine: the hash is only spread over a few shards.
        let i = self.hasher.hash_one(key.as_bytes()) as usize % self.shards.len();
        &self.shards[i]
    }

    /// Counts a failure at `now` in `entry`, locking it at its limit.
    fn fail(&self, entry: &mut Entry, rule: Rule, now: u64) {
        entry.refresh(now, self.window_secs);
        if entry.locked_until > now {
            return; // Failures that raced with the lockout change nothing.
        }
        entry.failures = entry.failures.saturating_add(1);
        if entry.failures >= rule.limit {
            let wait = if rule.backoff {
                let doublings = entry.lockouts.min(MAX_DOUBLINGS);
                self.lockout_secs
                    .saturating_mul(1 << doublings)
                    .min(self.max_lockout_secs)
            } else {
                self.lockout_secs
            };
            entry.locked_until = now.saturating_add(wait.max(1));
            entry.lockouts = entry.lockouts.saturating_add(1);
        }
    }

    /// Runs `f` on the entry of `key`, inserting a fresh one if there is room;
    /// `None` when the shard is full of entries it may not drop.
    fn with_entry<T>(&self, key: &MapKey, now: u64, f: impl FnOnce(&mut Entry) -> T) -> Option<T> {
        let shard = self.shard(key);
        let mut map = shard.lock();
        if let Some(entry) = map.get_mut(key.as_bytes()) {
            return Some(f(entry));
        }
        if map.len() >= self.per_shard && !self.make_room(&mut map, now) {
            return None;
        }
        let mut entry = Entry::fresh(now);
        let out = f(&mut entry);
        map.insert(key.as_bytes().into(), entry);
        self.set_len(shard, map.len());
        Some(out)
    }

    /// Runs `f` on the entry of `key` if there is one, dropping it if it is
    /// then idle.
    fn with_existing(&self, key: &MapKey, now: u64, f: impl FnOnce(&mut Entry)) {
        let shard = self.shard(key);
        let mut map = shard.lock();
        let Some(entry) = map.get_mut(key.as_bytes()) else {
            return;
        };
        f(entry);
        entry.refresh(now, self.window_secs);
        if entry.is_idle() {
            map.remove(key.as_bytes());
            self.set_len(shard, map.len());
        }
    }

    /// Records that `shard` (whose lock the caller holds) now tracks `len` keys.
    fn set_len(&self, shard: &Shard, len: usize) {
        let old = shard.len.swap(len, Ordering::AcqRel);
        if len > old {
            self.tracked.fetch_add(len - old, Ordering::Release);
        } else if len < old {
            self.tracked.fetch_sub(old - len, Ordering::Release);
        }
    }

    /// Frees one slot in a full shard: drops the entries that say nothing any
    /// more, else the least telling one that is neither locked nor in flight.
    /// `false` when every entry is locked or in flight.
    fn make_room(&self, map: &mut HashMap<Box<[u8]>, Entry>, now: u64) -> bool {
        map.retain(|_, e| {
            e.refresh(now, self.window_secs);
            !e.is_idle()
        });
        if map.len() < self.per_shard {
            return true;
        }
        let victim = map
            .iter()
            .filter(|(_, e)| e.locked_until <= now && e.pending == 0)
            .min_by_key(|(_, e)| (e.failures, e.window_start))
            .map(|(k, _)| k.clone());
        match victim {
            Some(victim) => {
                map.remove(&victim);
                true
            }
            None => false,
        }
    }
}

impl Default for MemoryThrottle {
    fn default() -> Self {
        Self::new(ThrottleConfig::default())
    }
}

impl fmt::Debug for MemoryThrottle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryThrottle")
            .field("config", &self.config)
            .field("tracked", &self.tracked())
            .finish_non_exhaustive()
    }
}

impl AuthThrottle for MemoryThrottle {
    fn check(&self, key: ThrottleKey<'_>, now: UnixTime) -> Result<(), Duration> {
        if self.tracked() == 0 {
            return Ok(());
        }
        let now = now.as_secs();
        let mut wait = None;
        for (map_key, rule) in self.counts(key) {
            let shard = self.shard(&map_key);
            if shard.len.load(Ordering::Acquire) == 0 {
                continue;
            }
            let mut map = shard.lock();
            if let Some(entry) = map.get_mut(map_key.as_bytes()) {
                entry.refresh(now, self.window_secs);
                wait = wait.max(entry.wait(now, rule));
                if entry.is_idle() {
                    map.remove(map_key.as_bytes());
                    self.set_len(shard, map.len());
                }
            }
        }
        wait.map_or(Ok(()), |secs| Err(Duration::from_secs(secs)))
    }

    fn reserve(&self, key: ThrottleKey<'_>, now: UnixTime) -> Result<(), Duration> {
        let now = now.as_secs();
        let mut reserved: Vec<MapKey> = Vec::with_capacity(2);
        for (map_key, rule) in self.counts(key) {
            let outcome = self.with_entry(&map_key, now, |entry| {
                entry.refresh(now, self.window_secs);
                match entry.wait(now, rule) {
                    Some(secs) => Err(secs),
                    None => {
                        entry.pending += 1;
                        Ok(())
                    }
                }
            });
            let refusal = match outcome {
                Some(Ok(())) => {
                    reserved.push(map_key);
                    continue;
                }
                Some(Err(secs)) => secs,
                None => 1, // No room to count the attempt: it waits.
            };
            for earlier in &reserved {
                self.with_existing(earlier, now, |e| e.pending = e.pending.saturating_sub(1));
            }
            return Err(Duration::from_secs(refusal));
        }
        Ok(())
    }

    fn settle(&self, key: ThrottleKey<'_>, failed: bool, now: UnixTime) {
        let now = now.as_secs();
        for (i, (map_key, rule)) in self.counts(key).enumerate() {
            self.with_existing(&map_key, now, |entry| {
                entry.pending = entry.pending.saturating_sub(1);
                if failed {
                    self.fail(entry, rule, now);
                } else if i == 0 {
                    // Success forgets the pair's failures, not other callers'.
                    *entry = Entry {
                        pending: entry.pending,
                        ..Entry::fresh(now)
                    };
                }
            });
        }
    }

    fn record_failure(&self, key: ThrottleKey<'_>, now: UnixTime) {
        let now = now.as_secs();
        for (map_key, rule) in self.counts(key) {
            // No room: left uncounted (see the type's docs).
            let _ = self.with_entry(&map_key, now, |entry| self.fail(entry, rule, now));
        }
    }

    fn record_success(&self, key: ThrottleKey<'_>, now: UnixTime) {
        if self.tracked() == 0 {
            return;
        }
        let pair = MapKey::new(key.client_id, key.source);
        if self.shard(&pair).len.load(Ordering::Acquire) == 0 {
            return;
        }
        self.with_existing(&pair, now.as_secs(), |entry| {
            *entry = Entry {
                pending: entry.pending,
                ..Entry::fresh(0)
            };
        });
    }
}

impl Shard {
    fn lock(&self) -> MutexGuard<'_, HashMap<Box<[u8]>, Entry>> {
        // No code that can panic runs under the lock, and every entry is valid on
        // its own, so a poisoned map is still sound.
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The map key of a count: a tag byte (0 for a client id alone, 1 for a
/// pair), for a pair the source as 16 bytes (IPv4 mapped into IPv6), then the
/// client id's bytes, or for a long id a marker byte that never occurs in
/// UTF-8 followed by the id's SHA-256, so an attacker cannot make entries
/// large by sending long ids. Built on the stack.
pub(crate) struct MapKey {
    bytes: [u8; 1 + 16 + MAX_ID_BYTES],
    len: usize,
}

impl MapKey {
    pub(crate) fn new(client_id: &str, source: Option<IpAddr>) -> Self {
        let mut bytes = [0; 1 + 16 + MAX_ID_BYTES];
        let mut len = 1;
        if let Some(source) = source {
            bytes[0] = 1;
            let v6 = match source {
                IpAddr::V4(v4) => v4.to_ipv6_mapped(),
                IpAddr::V6(v6) => v6,
            };
            bytes[1..17].copy_from_slice(&v6.octets());
            len = 17;
        }
        if client_id.len() <= MAX_ID_BYTES {
            bytes[len..len + client_id.len()].copy_from_slice(client_id.as_bytes());
            len += client_id.len();
        } else {
            bytes[len] = 0xff;
            let digest = digest::digest(&digest::SHA256, client_id.as_bytes());
            bytes[len + 1..len + 33].copy_from_slice(digest.as_ref());
            len += 33;
        }
        Self { bytes, len }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// An [`AuthThrottle`] that never throttles.
///
/// Only for tests and benchmarks, or when a reverse proxy in front of the issuer
/// already throttles failed authentications per client id: without one of these,
/// the token endpoint breaks RFC 6749 §2.3.1.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoThrottle;

impl AuthThrottle for NoThrottle {
    fn check(&self, _: ThrottleKey<'_>, _: UnixTime) -> Result<(), Duration> {
        Ok(())
    }

    fn reserve(&self, _: ThrottleKey<'_>, _: UnixTime) -> Result<(), Duration> {
        Ok(())
    }

    fn settle(&self, _: ThrottleKey<'_>, _: bool, _: UnixTime) {}

    fn record_failure(&self, _: ThrottleKey<'_>, _: UnixTime) {}

    fn record_success(&self, _: ThrottleKey<'_>, _: UnixTime) {}
}

#[cfg(test)]
mod tests;
