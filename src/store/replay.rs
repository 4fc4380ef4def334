//! One-time use of client assertions (RFC 7523 §3 item 7, OIDC Core §9, C45):
//! the [`ReplayGuard`] trait and the bounded, in-memory [`MemoryReplayGuard`].

use std::collections::HashMap;
use std::future::{Future, ready};
use std::sync::{Arc, Mutex};

use ring::digest;

use crate::vocab::error::StoreError;
use crate::vocab::time::UnixTime;

/// Remembers which assertions were used, so each is accepted once.
///
/// # Contract
/// `first_use(key, until, now)` is **one atomic operation**: "remember `key` until
/// `until`, and tell me whether it was new". It returns `Ok(true)` for exactly one
/// of any number of concurrent or repeated calls with the same `key` before
/// `until`, on every replica that shares the guard, and `Ok(false)` for all the
/// others. A check followed by a separate write is *not* an implementation: two
/// requests carrying the same assertion would both pass the check.
///
/// - With Redis: `SET {key} 1 NX EXAT {until}`: `OK` means new, nil means used.
/// - With SQL: `INSERT … ON CONFLICT DO NOTHING` on a primary key, and count
///   the inserted rows (entries whose `until` has passed may be deleted, or
///   overwritten by the same statement).
/// - `key` is an opaque printable string chosen by the issuer (43 characters
///   for assertions); store it verbatim.
/// - Entries may be forgotten once `until` has passed, never before.
/// - An `Err` means the guard could not answer; the issuer then refuses the
///   assertion (`server_error`), failing closed.
pub trait ReplayGuard: Send + Sync {
    /// Records `key` until `until`; `Ok(true)` when it was not already recorded.
    fn first_use(
        &self,
        key: &str,
        until: UnixTime,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

impl<T: ReplayGuard + ?Sized> ReplayGuard for Arc<T> {
    fn first_use(
        &self,
        key: &str,
        until: UnixTime,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        (**self).first_use(key, until, now)
    }
}

const SHARDS: usize = 16;

/// The default capacity of a [`MemoryReplayGuard`]: 2^18 live entries, room
/// for about 790 assertions a second with the default 5.5-minute horizon.
pub const DEFAULT_REPLAY_CAPACITY: usize = 1 << 18;

/// Seconds between sweeps of expired entries in a shard.
const SWEEP_INTERVAL_SECS: u64 = 60;

/// An in-memory [`ReplayGuard`] for one process: the default.
///
/// Entries live in 16 mutex-protected shards, keyed by 16 bytes of SHA-256 of the
/// key, so an entry costs under 64 bytes including map overhead, whatever the
/// key. Each entry is kept until its `until` (the assertion's expiry plus the
/// leeway, at most a few minutes); each shard sweeps out expired entries at most
/// once a minute, and always before it refuses an entry for lack of room.
///
/// # Bounded memory, failing closed
/// A hard cap (by default [`DEFAULT_REPLAY_CAPACITY`] entries, at most 16 MiB
/// when full) bounds memory. When a shard is full of *unexpired* entries, a new key is
/// refused with an error rather than let in unrecorded, so the issuer refuses the
/// assertion (`server_error`) until entries expire: under a flood of valid
/// assertions the guard degrades to refusing, never to accepting replays.
///
/// Several replicas behind a load balancer need a shared guard (Redis, SQL)
/// instead: this one only sees its own process.
#[derive(Debug)]
pub struct MemoryReplayGuard {
    shards: [Mutex<Shard>; SHARDS],
    per_shard: usize,
}

#[derive(Debug, Default)]
struct Shard {
    entries: HashMap<[u8; 16], UnixTime>,
    next_sweep: u64,
}

impl MemoryReplayGuard {
    /// A guard holding up to [`DEFAULT_REPLAY_CAPACITY`] live entries.
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_REPLAY_CAPACITY)
    }

    /// A guard holding up to `capacity` live entries (at least 16).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            shards: std::array::from_fn(|_| Mutex::new(Shard::default())),
            per_shard: capacity.div_ceil(SHARDS).max(1),
        }
    }

    /// The number of entries held, expired or not.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).entries.len())
            .sum()
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn record(&self, key: &str, until: UnixTime, now: UnixTime) -> Result<bool, StoreError> {
        let digest = digest::digest(&digest::SHA256, key.as_bytes());
        let mut short = [0u8; 16];
        short.copy_from_slice(&digest.as_ref()[..16]);
        let shard = &self.shards[usize::from(short[0]) % SHARDS];
        let mut shard = shard.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(held) = shard.entries.get_mut(&short) {
            if now < *held {
                return Ok(false);
            }
            // Expired: the old assertion can no longer be accepted anyway.
            *held = until;
            return Ok(true);
        }
        if now.as_secs() >= shard.next_sweep || shard.entries.len() >= self.per_shard {
            shard.entries.retain(|_, held| now < *held);
            shard.next_sweep = now.as_secs().saturating_add(SWEEP_INTERVAL_SECS);
        }
        if shard.entries.len() >= self.per_shard {
            return Err(StoreError::msg(
                "replay guard full of unexpired entries; refusing rather than forgetting",
            ));
        }
        shard.entries.insert(short, until);
        Ok(true)
    }
}

impl Default for MemoryReplayGuard {
    fn default() -> Self {
        Self::new()
    }
}

impl ReplayGuard for MemoryReplayGuard {
    fn first_use(
        &self,
        key: &str,
        until: UnixTime,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        ready(self.record(key, until, now))
    }
}

#[cfg(test)]
mod tests;
