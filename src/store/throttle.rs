//! Brute-force protection for client secrets (RFC 6749 §2.3.1, C15): too many
//! failed authentications for one client id lock that id for a while.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use ring::digest;

use crate::UnixTime;
use crate::vocab::time::ceil_secs;

/// Decides whether a client id may try to authenticate, from its recent failures.
///
/// RFC 6749 §2.3.1: the server "MUST protect any endpoint utilizing [a password]
/// against brute force attacks". Every method is keyed by the client id *as
/// presented*, registered or not: unknown ids are throttled like known ones, so
/// the throttle's answers do not reveal which ids exist.
///
/// Per request, the caller:
/// 1. calls [`check`](Self::check) before looking at the secret, and on
///    `Err(retry_after)` refuses without verifying anything;
/// 2. calls [`record_failure`](Self::record_failure) when the id is unknown or the
///    secret is wrong;
/// 3. calls [`record_success`](Self::record_success) when the client authenticated.
///
/// The methods are synchronous and called on every token request: they must be
/// quick and must not block on I/O.
pub trait AuthThrottle: Send + Sync + fmt::Debug {
    /// `Err(retry_after)` while `client_id` is locked out, `Ok(())` otherwise.
    fn check(&self, client_id: &str, now: UnixTime) -> Result<(), Duration>;

    /// Counts a failed authentication for `client_id`.
    fn record_failure(&self, client_id: &str, now: UnixTime);

    /// `client_id` authenticated: forget its failures.
    fn record_success(&self, client_id: &str, now: UnixTime);
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
/// | `max_tracked` | 100,000 |
///
/// With the defaults an attacker gets at most about 10 guesses a minute per
/// client id: hopeless against a generated 256-bit secret, and slow against a
/// human-chosen one stored with PBKDF2.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct ThrottleConfig {
    /// Failures within one window that lock the id (0 counts as 1).
    pub max_failures: u32,
    /// How long failures are counted, from the first failure of the window.
    /// Whole seconds, rounded up.
    pub window: Duration,
    /// How long a locked id stays locked. Whole seconds, rounded up.
    pub lockout: Duration,
    /// Most client ids tracked at once, bounding memory (0 counts as 1). See
    /// [`MemoryThrottle`] for the memory per id.
    pub max_tracked: usize,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            max_failures: 10,
            window: Duration::from_secs(60),
            lockout: Duration::from_secs(60),
            max_tracked: 100_000,
        }
    }
}

/// An in-process [`AuthThrottle`]: `max_failures` failures within `window` of the
/// first one lock the id for `lockout`; after the lockout, or after a window with
/// fewer failures, the id starts afresh.
///
/// Each issuer process counts on its own, so `n` processes behind a load balancer
/// allow up to `n` times the configured failures.
///
/// # Concurrency
///
/// Ids are spread over 64 shards, each behind its own mutex, by a randomly keyed
/// hash (so ids cannot be chosen to pile into one shard). When no id is tracked
/// at all, which is the normal case, [`check`](AuthThrottle::check) and
/// [`record_success`](AuthThrottle::record_success) read one atomic, and neither
/// hash the id nor take a lock; when none is tracked in the id's shard, they
/// hash it and read one more atomic.
///
/// # Memory
///
/// At most [`ThrottleConfig::max_tracked`] ids are tracked, split evenly over the
/// shards (rounded down). Expired entries are dropped when their id is checked
/// again or when their shard fills up.
///
/// An id longer than 64 bytes is kept as its SHA-256, so one tracked id costs at
/// most about 200 bytes: a 48-byte table slot, up to 80 bytes for the key's
/// allocation, and up to 2.3× slack in the hash table (about 150 bytes in
/// total at the default size). That is under 20 MB at the default 100,000.
///
/// When a shard is full, its expired entries are dropped first; if none has
/// expired, the entry with the fewest failures goes (the one whose window or
/// lockout ends first among equals). A flood of fresh ids, each with one failure,
/// therefore cannot push a locked id out, nor one close to being locked.
pub struct MemoryThrottle {
    config: ThrottleConfig,
    max_failures: u32,
    window_secs: u64,
    lockout_secs: u64,
    per_shard: usize,
    hasher: RandomState,
    /// The sum of the shards' `len`, readable without hashing an id.
    tracked: AtomicUsize,
    shards: Box<[Shard]>,
}

/// Upper bound on shards; fewer when `max_tracked` is smaller.
const SHARDS: usize = 64;

/// Ids up to this many bytes are kept as they are; longer ones as a digest.
const MAX_KEY_BYTES: usize = 64;

/// One shard, on its own cache lines so that threads working on different shards
/// do not slow each other down.
#[repr(align(128))]
#[derive(Default)]
struct Shard {
    /// `map.len()`, readable without the lock.
    len: AtomicUsize,
    map: Mutex<HashMap<Box<[u8]>, Entry>>,
}

/// The record of one client id.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// When the first failure of the current window happened (seconds).
    window_start: u64,
    /// Failures since `window_start`.
    failures: u32,
    /// Set once `failures` reached the limit: the end of the lockout (seconds).
    locked_until: Option<u64>,
}

impl Entry {
    /// A record whose window starts at `now`, with no failure counted yet.
    fn fresh(now: u64) -> Self {
        Self {
            window_start: now,
            failures: 0,
            locked_until: None,
        }
    }

    /// When this record stops mattering: the end of the lockout or the window.
    fn ends_at(&self, window_secs: u64) -> u64 {
        self.locked_until
            .unwrap_or_else(|| self.window_start.saturating_add(window_secs))
    }
}

impl MemoryThrottle {
    /// A throttle with these limits.
    pub fn new(config: ThrottleConfig) -> Self {
        let max_tracked = config.max_tracked.max(1);
        let shards = max_tracked.min(SHARDS);
        Self {
            max_failures: config.max_failures.max(1),
            window_secs: ceil_secs(config.window),
            lockout_secs: ceil_secs(config.lockout),
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

    /// How many client ids are tracked now (a snapshot while other threads work).
    pub fn tracked(&self) -> usize {
        self.tracked.load(Ordering::Acquire)
    }

    /// The shard for `client_id`, or `None` if that shard tracks nothing.
    fn occupied_shard(&self, client_id: &str) -> Option<&Shard> {
        if self.tracked.load(Ordering::Acquire) == 0 {
            return None;
        }
        let shard = self.shard(client_id);
        (shard.len.load(Ordering::Acquire) != 0).then_some(shard)
    }

    fn shard(&self, client_id: &str) -> &Shard {
        // Truncation is fine: the hash is only spread over a few shards.
        let i = self.hasher.hash_one(client_id) as usize % self.shards.len();
        &self.shards[i]
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
    fn check(&self, client_id: &str, now: UnixTime) -> Result<(), Duration> {
        let Some(shard) = self.occupied_shard(client_id) else {
            return Ok(());
        };
        let key = Key::new(client_id);
        let now = now.as_secs();
        let mut map = shard.lock();
        let Some(entry) = map.get(key.as_bytes()) else {
            return Ok(());
        };
        match entry.locked_until {
            Some(until) if now < until => Err(Duration::from_secs(until - now)),
            _ => {
                if now >= entry.ends_at(self.window_secs) {
                    map.remove(key.as_bytes());
                    self.set_len(shard, map.len());
                }
                Ok(())
            }
        }
    }

    fn record_failure(&self, client_id: &str, now: UnixTime) {
        let shard = self.shard(client_id);
        let key = Key::new(client_id);
        let now = now.as_secs();
        let mut map = shard.lock();
        if let Some(entry) = map.get_mut(key.as_bytes()) {
            self.count_failure(entry, now);
            return;
        }
        if map.len() >= self.per_shard {
            self.make_room(&mut map, now);
        }
        let mut entry = Entry::fresh(now);
        self.count_failure(&mut entry, now);
        map.insert(key.into_boxed(), entry);
        self.set_len(shard, map.len());
    }

    fn record_success(&self, client_id: &str, _now: UnixTime) {
        let Some(shard) = self.occupied_shard(client_id) else {
            return;
        };
        let key = Key::new(client_id);
        let mut map = shard.lock();
        if map.remove(key.as_bytes()).is_some() {
            self.set_len(shard, map.len());
        }
    }
}

impl MemoryThrottle {
    /// Records that `shard` (whose lock the caller holds) now tracks `len` ids.
    fn set_len(&self, shard: &Shard, len: usize) {
        let old = shard.len.swap(len, Ordering::AcqRel);
        if len > old {
            self.tracked.fetch_add(len - old, Ordering::Release);
        } else if len < old {
            self.tracked.fetch_sub(old - len, Ordering::Release);
        }
    }

    /// Adds a failure at `now` to `entry`, starting a new window if the last one
    /// (or its lockout) is over.
    fn count_failure(&self, entry: &mut Entry, now: u64) {
        match entry.locked_until {
            // Failures that raced with the lockout change nothing.
            Some(until) if now < until => return,
            _ if now >= entry.ends_at(self.window_secs) => *entry = Entry::fresh(now),
            _ => {}
        }
        entry.failures = entry.failures.saturating_add(1);
        if entry.failures >= self.max_failures {
            entry.locked_until = Some(now.saturating_add(self.lockout_secs));
        }
    }

    /// Frees one slot in a full shard: drops expired entries, else the least
    /// telling one (fewest failures, then soonest to end).
    fn make_room(&self, map: &mut HashMap<Box<[u8]>, Entry>, now: u64) {
        map.retain(|_, e| now < e.ends_at(self.window_secs));
        if map.len() < self.per_shard {
            return;
        }
        let victim = map
            .iter()
            .min_by_key(|(_, e)| (e.failures, e.ends_at(self.window_secs)))
            .map(|(k, _)| k.clone());
        if let Some(victim) = victim {
            map.remove(&victim);
        }
    }
}

impl Shard {
    fn lock(&self) -> MutexGuard<'_, HashMap<Box<[u8]>, Entry>> {
        // No code that can panic runs under the lock, and every entry is valid on
        // its own, so a poisoned map is still sound.
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The map key for a client id: the id's bytes, or for a long id a marker byte
/// that never occurs in UTF-8 followed by the id's SHA-256, so an attacker
/// cannot make entries large by sending long ids.
enum Key<'a> {
    Plain(&'a str),
    Digest([u8; 33]),
}

impl<'a> Key<'a> {
    fn new(client_id: &'a str) -> Self {
        if client_id.len() <= MAX_KEY_BYTES {
            return Self::Plain(client_id);
        }
        let mut key = [0xff; 33];
        key[1..].copy_from_slice(digest::digest(&digest::SHA256, client_id.as_bytes()).as_ref());
        Self::Digest(key)
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Plain(id) => id.as_bytes(),
            Self::Digest(d) => d,
        }
    }

    fn into_boxed(self) -> Box<[u8]> {
        self.as_bytes().into()
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
    fn check(&self, _client_id: &str, _now: UnixTime) -> Result<(), Duration> {
        Ok(())
    }

    fn record_failure(&self, _client_id: &str, _now: UnixTime) {}

    fn record_success(&self, _client_id: &str, _now: UnixTime) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_700_000_000;

    fn at(secs: u64) -> UnixTime {
        UnixTime::from_secs(T0 + secs)
    }

    fn fail(t: &dyn AuthThrottle, id: &str, n: u32, now: UnixTime) {
        for _ in 0..n {
            t.record_failure(id, now);
        }
    }

    #[test]
    fn c15_ten_failures_lock_the_id() {
        let t = MemoryThrottle::default();
        for i in 0..10 {
            assert_eq!(t.check("c1", at(i)), Ok(()), "attempt {i}");
            t.record_failure("c1", at(i));
        }
        assert_eq!(t.check("c1", at(9)), Err(Duration::from_secs(60)));
        assert_eq!(t.check("c1", at(30)), Err(Duration::from_secs(39)));
        // Other ids are not affected.
        assert_eq!(t.check("c2", at(9)), Ok(()));
    }

    #[test]
    fn c15_lockout_ends() {
        let t = MemoryThrottle::default();
        fail(&t, "c1", 20, at(0));
        assert_eq!(t.check("c1", at(59)), Err(Duration::from_secs(1)));
        assert_eq!(t.check("c1", at(60)), Ok(()));
        // The id starts afresh: one more failure does not lock it again.
        t.record_failure("c1", at(60));
        assert_eq!(t.check("c1", at(60)), Ok(()));
    }

    #[test]
    fn failures_during_the_lockout_do_not_extend_it() {
        let t = MemoryThrottle::default();
        fail(&t, "c1", 10, at(0));
        fail(&t, "c1", 10, at(50));
        assert_eq!(t.check("c1", at(50)), Err(Duration::from_secs(10)));
        assert_eq!(t.check("c1", at(60)), Ok(()));
    }

    #[test]
    fn success_resets() {
        let t = MemoryThrottle::default();
        fail(&t, "c1", 9, at(0));
        t.record_success("c1", at(1));
        assert_eq!(t.tracked(), 0);
        fail(&t, "c1", 9, at(2));
        assert_eq!(t.check("c1", at(2)), Ok(()));
        t.record_failure("c1", at(2));
        assert!(t.check("c1", at(2)).is_err());
    }

    #[test]
    fn failures_spread_over_more_than_the_window_do_not_lock() {
        let t = MemoryThrottle::default();
        // One failure every 7 s: never 10 within 60 s of a window's first failure.
        for i in 0..100 {
            assert_eq!(t.check("c1", at(i * 7)), Ok(()), "attempt {i}");
            t.record_failure("c1", at(i * 7));
        }
        // Nine at once, then one after the window: still open.
        let t = MemoryThrottle::default();
        fail(&t, "c2", 9, at(0));
        fail(&t, "c2", 1, at(60));
        assert_eq!(t.check("c2", at(60)), Ok(()));
    }

    #[test]
    fn unknown_ids_are_tracked_too() {
        let t = MemoryThrottle::default();
        fail(&t, "no-such-client", 10, at(0));
        assert_eq!(t.tracked(), 1);
        assert!(t.check("no-such-client", at(0)).is_err());
    }

    #[test]
    fn expired_records_are_dropped_when_checked() {
        let t = MemoryThrottle::default();
        fail(&t, "c1", 3, at(0));
        assert_eq!(t.check("c1", at(59)), Ok(()));
        assert_eq!(t.tracked(), 1);
        assert_eq!(t.check("c1", at(60)), Ok(()));
        assert_eq!(t.tracked(), 0);
    }

    #[test]
    fn sub_second_durations_round_up() {
        let t = MemoryThrottle::new(ThrottleConfig {
            max_failures: 1,
            lockout: Duration::from_millis(1),
            ..ThrottleConfig::default()
        });
        t.record_failure("c1", at(0));
        assert_eq!(t.check("c1", at(0)), Err(Duration::from_secs(1)));
        assert_eq!(t.check("c1", at(1)), Ok(()));
    }

    #[test]
    fn long_ids_are_kept_as_digests_and_stay_distinct() {
        let t = MemoryThrottle::default();
        let a = format!("{}a", "x".repeat(1000));
        let b = format!("{}b", "x".repeat(1000));
        fail(&t, &a, 10, at(0));
        assert!(t.check(&a, at(0)).is_err());
        assert_eq!(t.check(&b, at(0)), Ok(()));
        assert!(Key::new(&a).as_bytes().len() <= MAX_KEY_BYTES);
        // A 64-byte id is kept as is, and never equals a digest key.
        let plain = "y".repeat(64);
        assert_eq!(Key::new(&plain).as_bytes(), plain.as_bytes());
        t.record_success(&a, at(1));
        assert_eq!(t.tracked(), 0);
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_ids() {
        let t = MemoryThrottle::new(ThrottleConfig {
            max_tracked: 1_000,
            ..ThrottleConfig::default()
        });
        fail(&t, "victim", 10, at(0));
        for i in 0..10_000 {
            t.record_failure(&format!("flood-{i}"), at(1));
            assert!(t.tracked() <= 1_000);
        }
        assert!(t.tracked() >= 900, "{}", t.tracked());
        // The flood pushed out only one-failure entries, not the locked id.
        assert!(t.check("victim", at(1)).is_err());
        // Once its entries expired, a full shard makes room by purging them all.
        let before = t.tracked();
        t.record_failure("late", at(1_000));
        assert!(t.tracked() < before, "{before} {}", t.tracked());
    }

    #[test]
    fn tiny_bounds_are_honoured() {
        for max in [0, 1, 5, 63, 64, 65] {
            let t = MemoryThrottle::new(ThrottleConfig {
                max_tracked: max,
                ..ThrottleConfig::default()
            });
            for i in 0..200 {
                t.record_failure(&i.to_string(), at(0));
            }
            assert!(t.tracked() <= max.max(1), "{max}: {}", t.tracked());
            assert!(t.tracked() >= 1, "{max}");
        }
    }

    #[test]
    fn concurrent_use_is_consistent() {
        let t = MemoryThrottle::default();
        std::thread::scope(|s| {
            for thread in 0..4 {
                let t = &t;
                s.spawn(move || {
                    for i in 0..100 {
                        let own = format!("t{thread}-{i}");
                        t.record_failure(&own, at(0));
                        if i % 2 == 0 {
                            t.record_success(&own, at(0));
                        }
                        if i < 5 {
                            t.record_failure("shared", at(0));
                        }
                        let _ = t.check("shared", at(0));
                    }
                });
            }
        });
        assert_eq!(t.tracked(), 1 + 4 * 50);
        assert_eq!(t.check("shared", at(0)), Err(Duration::from_secs(60)));
        assert_eq!(t.check("t0-1", at(0)), Ok(()));
    }

    #[test]
    fn table_slots_are_as_small_as_documented() {
        assert!(size_of::<(Box<[u8]>, Entry)>() <= 48);
    }

    #[test]
    fn no_throttle_never_throttles() {
        let t = NoThrottle;
        fail(&t, "c1", 1_000, at(0));
        assert_eq!(t.check("c1", at(0)), Ok(()));
    }

    #[test]
    fn throttles_are_usable_as_trait_objects() {
        let all: Vec<Box<dyn AuthThrottle>> =
            vec![Box::new(MemoryThrottle::default()), Box::new(NoThrottle)];
        for t in &all {
            assert_eq!(t.check("c1", at(0)), Ok(()));
            assert!(!format!("{t:?}").is_empty());
        }
    }
}
