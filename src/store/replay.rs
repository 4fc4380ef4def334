//! One-time use of client assertions (RFC 7523 §3 item 7, OIDC Core §9, C45):
//! the [`ReplayGuard`] trait and the bounded, in-memory [`MemoryReplayGuard`].

use std::collections::HashMap;
use std::future::{Future, ready};
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};

use ring::digest;

use crate::vocab::error::StoreError;
use crate::vocab::time::UnixTime;

/// What a [`ReplayGuard`] says of an assertion.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReplayCheck {
    /// First use: the key is now recorded, and the assertion may be accepted.
    FirstUse,
    /// The key was already recorded and has not expired: a replay.
    Replayed,
    /// This client holds its whole share of the guard already; the key was not
    /// recorded. Only this client is refused until some of its entries expire.
    QuotaExceeded,
}

/// Remembers which assertions were used, so each is accepted once.
///
/// # Contract
/// `first_use(client_id, key, until, now)` is **one atomic operation**:
/// "remember `key` until `until`, and tell me whether it was new". It returns
/// [`ReplayCheck::FirstUse`] for exactly one of any number of concurrent or
/// repeated calls with the same `key` before `until`, on every replica that
/// shares the guard, and [`ReplayCheck::Replayed`] for all the others. A check
/// followed by a separate write is *not* an implementation: two requests
/// carrying the same assertion would both pass the check.
///
/// - With Redis: `SET {key} 1 NX EX {until - now}`: `OK` means new, nil means used
///   (what `store::redis::RedisReplayGuard` does, feature `redis`).
/// - With SQL: `INSERT … ON CONFLICT DO NOTHING` on a primary key, and count
///   the inserted rows (entries whose `until` has passed may be deleted, or
///   overwritten by the same statement).
/// - `key` is an opaque printable string chosen by the issuer (43 characters
///   for assertions); store it verbatim. It already depends on `client_id`.
/// - A bounded guard gives each client a share and answers
///   [`ReplayCheck::QuotaExceeded`] (recording nothing) to a client over it,
///   so that one client cannot fill the guard for the others.
/// - Entries may be forgotten once `until` has passed, never before.
/// - An `Err` means the guard could not answer; the issuer then refuses the
///   assertion (`server_error`), failing closed.
pub trait ReplayGuard: Send + Sync {
    /// Records `key` of `client_id` until `until`, if it was not already recorded.
    fn first_use(
        &self,
        client_id: &str,
        key: &str,
        until: UnixTime,
        now: UnixTime,
    ) -> impl Future<Output = Result<ReplayCheck, StoreError>> + Send;
}

impl<T: ReplayGuard + ?Sized> ReplayGuard for Arc<T> {
    fn first_use(
        &self,
        client_id: &str,
        key: &str,
        until: UnixTime,
        now: UnixTime,
    ) -> impl Future<Output = Result<ReplayCheck, StoreError>> + Send {
        (**self).first_use(client_id, key, until, now)
    }
}

const SHARDS: usize = 16;

/// The default capacity of a [`MemoryReplayGuard`]: 2^18 live entries, room
/// for about 790 assertions a second with the default 5.5-minute horizon.
pub const DEFAULT_REPLAY_CAPACITY: usize = 1 << 18;

/// The default share of one client: 1/32 of the capacity (8,192 live entries
/// by default, about 25 fresh assertions a second for one client).
const DEFAULT_SHARE_DIVISOR: usize = 32;

/// Seconds between sweeps of expired entries in a shard.
const SWEEP_INTERVAL_SECS: u64 = 60;

/// An in-memory [`ReplayGuard`] for one process: the default.
///
/// Entries live in 16 mutex-protected shards, keyed by 16 bytes of SHA-256 of the
/// key, so an entry costs under 64 bytes including map overhead, whatever the
/// key. The shard of a key is chosen by a SipHash keyed with a random key drawn
/// when the guard is made, so nobody outside the process can choose keys that
/// crowd one shard. Each entry is kept until its `until` (the assertion's
/// expiry plus the leeway, at most a few minutes); each shard sweeps out
/// expired entries at most once a minute, and always before it refuses an
/// entry for lack of room.
///
/// # Bounded memory, shared fairly, failing closed
/// A hard cap (by default [`DEFAULT_REPLAY_CAPACITY`] entries, at most 16 MiB
/// when full) bounds memory. Each client may hold a share of it (by default
/// 1/32; see [`per_client_share`](Self::per_client_share)), counted per shard:
/// a client over its share gets [`ReplayCheck::QuotaExceeded`] and the issuer
/// refuses it with `invalid_client`, while other clients go on. When a shard is
/// full of *unexpired* entries of many clients, a new key is refused with an
/// error rather than let in unrecorded, so the issuer refuses the assertion
/// (`server_error`) until entries expire: the guard degrades to refusing,
/// never to accepting replays.
///
/// Several replicas behind a load balancer need a shared guard (Redis, SQL)
/// instead: this one only sees its own process.
#[derive(Debug)]
pub struct MemoryReplayGuard {
    shards: [Mutex<Shard>; SHARDS],
    per_shard: usize,
    /// The most entries one client may hold in one shard.
    share_per_shard: u32,
    /// Keys shard selection and client fingerprints.
    hasher: RandomState,
}

#[derive(Debug, Default)]
struct Shard {
    entries: HashMap<[u8; 16], Entry>,
    /// Live entries per client fingerprint, for the shares.
    per_client: HashMap<u64, u32>,
    next_sweep: u64,
    /// The second of the last sweep: a shard that is full, or a client at its
    /// share, sweeps at most once a second, so refusals cost no sweep each.
    swept_at: u64,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    until: UnixTime,
    client: u64,
}

impl Shard {
    /// Drops the entries whose `until` has passed, and their share counts.
    fn sweep(&mut self, now: UnixTime) {
        let per_client = &mut self.per_client;
        self.entries.retain(|_, entry| {
            let live = now < entry.until;
            if !live {
                release(per_client, entry.client);
            }
            live
        });
    }
}

fn release(per_client: &mut HashMap<u64, u32>, client: u64) {
    if let Some(count) = per_client.get_mut(&client) {
        *count -= 1;
        if *count == 0 {
            per_client.remove(&client);
        }
    }
}

impl MemoryReplayGuard {
    /// A guard holding up to [`DEFAULT_REPLAY_CAPACITY`] live entries.
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_REPLAY_CAPACITY)
    }

    /// A guard holding up to `capacity` live entries (at least 16), of which
    /// one client may hold 1/32.
    pub fn with_capacity(capacity: usize) -> Self {
        let per_shard = capacity.div_ceil(SHARDS).max(1);
        Self {
            shards: std::array::from_fn(|_| Mutex::new(Shard::default())),
            per_shard,
            share_per_shard: share_per_shard(capacity.div_ceil(DEFAULT_SHARE_DIVISOR)),
            hasher: RandomState::new(),
        }
    }

    /// Sets the share of one client: the most live entries it may hold
    /// (counted per shard, as 1/16 of this each, rounded up). A client that
    /// needs more fresh assertions than this in one assertion lifetime is
    /// refused until its entries expire.
    pub fn per_client_share(mut self, entries: usize) -> Self {
        self.share_per_shard = share_per_shard(entries);
        self
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

    fn shard_of(&self, key: &str) -> usize {
        // The low bits of a keyed hash: uniform, and unknown outside the process.
        (self.hasher.hash_one(key) % SHARDS as u64) as usize
    }

    fn record(
        &self,
        client_id: &str,
        key: &str,
        until: UnixTime,
        now: UnixTime,
    ) -> Result<ReplayCheck, StoreError> {
        let digest = digest::digest(&digest::SHA256, key.as_bytes());
        let mut short = [0u8; 16];
        short.copy_from_slice(&digest.as_ref()[..16]);
        let client = self.hasher.hash_one(client_id);
        let mut shard = self.shards[self.shard_of(key)]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(held) = shard.entries.get(&short).copied() {
            if now < held.until {
                return Ok(ReplayCheck::Replayed);
            }
            // Expired: the old assertion can no longer be accepted anyway.
            release(&mut shard.per_client, held.client);
            shard.entries.remove(&short);
        }
        let full = shard.entries.len() >= self.per_shard;
        let over_share =
            shard.per_client.get(&client).copied().unwrap_or(0) >= self.share_per_shard;
        let pressed = (full || over_share) && shard.swept_at != now.as_secs();
        if now.as_secs() >= shard.next_sweep || pressed {
            shard.sweep(now);
            shard.next_sweep = now.as_secs().saturating_add(SWEEP_INTERVAL_SECS);
            shard.swept_at = now.as_secs();
        }
        if shard.per_client.get(&client).copied().unwrap_or(0) >= self.share_per_shard {
            return Ok(ReplayCheck::QuotaExceeded);
        }
        if shard.entries.len() >= self.per_shard {
            return Err(StoreError::msg(
                "replay guard full of unexpired entries; refusing rather than forgetting",
            ));
        }
        shard.entries.insert(short, Entry { until, client });
        *shard.per_client.entry(client).or_insert(0) += 1;
        Ok(ReplayCheck::FirstUse)
    }
}

/// A client's share of one shard, from its share of the guard.
fn share_per_shard(entries: usize) -> u32 {
    u32::try_from(entries.div_ceil(SHARDS).max(1)).unwrap_or(u32::MAX)
}

impl Default for MemoryReplayGuard {
    fn default() -> Self {
        Self::new()
    }
}

impl ReplayGuard for MemoryReplayGuard {
    fn first_use(
        &self,
        client_id: &str,
        key: &str,
        until: UnixTime,
        now: UnixTime,
    ) -> impl Future<Output = Result<ReplayCheck, StoreError>> + Send {
        ready(self.record(client_id, key, until, now))
    }
}

#[cfg(test)]
mod tests;
