//! Revoking tokens before they expire: one token by its `jti`, every token of a
//! client, or every token one credential obtained ([`RevocationStore`]).

use std::collections::HashMap;
use std::fmt;
use std::future::{Future, ready};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use crate::jose::claims::AccessTokenClaims;
use crate::vocab::error::StoreError;
use crate::vocab::ids::{ClientId, CredentialId};
use crate::vocab::time::UnixTime;
use crate::vocab::time::{MAX_LEEWAY, ceil_secs};

/// What a revocation check needs to know about a token: borrowed from its
/// claims, so checking allocates nothing.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenView<'a> {
    /// The token's `jti`; `None` when the issuer asks about a token it is about
    /// to mint, which has none yet.
    pub jti: Option<&'a str>,
    /// The client the token is (or would be) issued to.
    pub client_id: &'a str,
    /// The credential that obtained it (the `credential_id` claim).
    pub credential_id: Option<&'a str>,
    /// When it was (or would be) issued: its `iat`.
    pub issued_at: UnixTime,
}

impl<'a> TokenView<'a> {
    /// The view of a minted token.
    pub fn of(claims: &'a AccessTokenClaims) -> Self {
        Self {
            jti: Some(&claims.jti),
            client_id: &claims.client_id,
            credential_id: claims.credential_id.as_deref(),
            issued_at: claims.iat,
        }
    }

    /// The view of a token with this `jti`, issued to `client_id` with
    /// `credential_id` at `issued_at`.
    pub fn new(
        jti: &'a str,
        client_id: &'a str,
        credential_id: Option<&'a str>,
        issued_at: UnixTime,
    ) -> Self {
        Self {
            jti: Some(jti),
            client_id,
            credential_id,
            issued_at,
        }
    }

    /// The view of a token not minted yet: "would a token issued to this client,
    /// with this credential, at `issued_at`, be born revoked?"
    pub fn prospective(
        client_id: &'a str,
        credential_id: Option<&'a str>,
        issued_at: UnixTime,
    ) -> Self {
        Self {
            jti: None,
            client_id,
            credential_id,
            issued_at,
        }
    }
}

/// Where revocations are kept, shared by the issuer (which records them and
/// refuses new tokens to revoked clients and credentials) and by validators
/// (which refuse revoked tokens).
///
/// A *cutoff* revokes every token issued at or before it (`iat <= cutoff`):
/// inclusive, because `iat` has whole seconds, so a token issued in the same
/// second as the revocation is revoked too. A cutoff of "now" revokes every
/// existing token and lets the client get new ones from the next second on; a
/// cutoff in the future also refuses new tokens until then, and
/// [`UnixTime::MAX`] refuses them for good (the issuer asks
/// [`is_revoked`](Self::is_revoked) about every token before minting it).
///
/// # Contract
/// - **A revoked token never reads as live afterwards.** Once a `revoke_*` call
///   returned `Ok`, every later `is_revoked` call, from any process sharing the
///   store, answers `true` for the tokens it covers — for a `jti` at least until
///   `expires_at` plus [`MAX_LEEWAY`] (no validator accepts the token after
///   that), for a client or credential cutoff for as long as tokens it covers can
///   exist.
/// - Revocations only grow: a later, earlier cutoff never shortens an earlier,
///   later one.
/// - `Err` means the revocation may not have happened: the caller must report a
///   failure (the revocation endpoint answers `server_error`) and may retry.
/// - An `Err` from `is_revoked` makes the validator refuse the token (fail closed).
/// - Ids are compared exactly, like [`ClientStore`](crate::ClientStore) ids.
/// - A bounded store keeps one client from filling it for the others: past a
///   share of `jti` revocations, it may revoke the client's tokens with a
///   client cutoff of `now` instead (every token of that client issued up to
///   now dies, its later tokens live). That revokes more, never less.
pub trait RevocationStore: Send + Sync {
    /// Revokes the token of `client_id` with this `jti`, which expires at
    /// `expires_at`. `now` lets the store drop entries of tokens that expired
    /// long ago, and is the cutoff should the client be over its share.
    fn revoke_token(
        &self,
        client_id: &ClientId,
        jti: &str,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Revokes every token of `client_id` issued at or before `cutoff`.
    fn revoke_client(
        &self,
        client_id: &ClientId,
        cutoff: UnixTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Revokes every token that `credential_id` of `client_id` obtained at or
    /// before `cutoff`. Tokens from the client's other credentials stay valid.
    fn revoke_credential(
        &self,
        client_id: &ClientId,
        credential_id: &CredentialId,
        cutoff: UnixTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Whether the token is revoked, by its `jti`, its client or its credential.
    fn is_revoked(
        &self,
        token: &TokenView<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

impl<T: RevocationStore + ?Sized> RevocationStore for Arc<T> {
    fn revoke_token(
        &self,
        client_id: &ClientId,
        jti: &str,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        (**self).revoke_token(client_id, jti, expires_at, now)
    }

    fn revoke_client(
        &self,
        client_id: &ClientId,
        cutoff: UnixTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        (**self).revoke_client(client_id, cutoff)
    }

    fn revoke_credential(
        &self,
        client_id: &ClientId,
        credential_id: &CredentialId,
        cutoff: UnixTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        (**self).revoke_credential(client_id, credential_id, cutoff)
    }

    fn is_revoked(
        &self,
        token: &TokenView<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        (**self).is_revoked(token)
    }
}

/// A store that revokes nothing: every token reads as live, and every attempt
/// to revoke fails (so nobody is told a revocation happened when it did not).
///
/// The default for a [`Validator`](crate::Validator) in another process than the
/// issuer: it can only rely on short token lifetimes (C124), or ask the issuer
/// through introspection.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoRevocation;

impl NoRevocation {
    fn refuse() -> StoreError {
        StoreError::msg("this store keeps no revocations")
    }
}

impl RevocationStore for NoRevocation {
    fn revoke_token(
        &self,
        _: &ClientId,
        _: &str,
        _: UnixTime,
        _: UnixTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        ready(Err(Self::refuse()))
    }

    fn revoke_client(
        &self,
        _: &ClientId,
        _: UnixTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        ready(Err(Self::refuse()))
    }

    fn revoke_credential(
        &self,
        _: &ClientId,
        _: &CredentialId,
        _: UnixTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        ready(Err(Self::refuse()))
    }

    fn is_revoked(
        &self,
        _: &TokenView<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        ready(Ok(false))
    }
}

/// Limits for [`MemoryRevocationStore`].
///
/// # Defaults
///
/// | field | default |
/// |---|--:|
/// | `max_revoked_tokens` | 1,000,000 |
/// | `max_revoked_clients` | 100,000 |
/// | `max_revoked_tokens_per_client` | 10,000 |
/// | `expiry_grace` | [`MAX_LEEWAY`] (5 minutes) |
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct RevocationConfig {
    /// Most revoked `jti`s kept at once (0 counts as 1). When the store is full
    /// of unexpired entries, further revocations fail rather than forget one.
    pub max_revoked_tokens: usize,
    /// Most client and credential cutoffs kept at once (0 counts as 1).
    pub max_revoked_clients: usize,
    /// Most unexpired `jti` revocations of one client (0 counts as 1). Past
    /// it, a further `jti` revocation of that client becomes a client cutoff
    /// of `now`: all its tokens issued so far die, and no other client loses
    /// room in the store.
    pub max_revoked_tokens_per_client: usize,
    /// How long a revoked `jti` is kept after its token expires: at least the
    /// largest leeway of any validator using the store. Whole seconds, rounded up.
    pub expiry_grace: Duration,
}

impl Default for RevocationConfig {
    fn default() -> Self {
        Self {
            max_revoked_tokens: 1_000_000,
            max_revoked_clients: 100_000,
            max_revoked_tokens_per_client: 10_000,
            expiry_grace: MAX_LEEWAY,
        }
    }
}

/// The in-process [`RevocationStore`], and the [`Issuer`](crate::Issuer)'s
/// default. Share it with validators in the same process through an `Arc`;
/// several processes need a shared store instead (a database, Redis).
///
/// # Cost
///
/// Lookups are O(1): one keyed hash of the `jti` and one table probe (skipped
/// while no `jti` is revoked), and one or two lookups per client and credential
/// (skipped while none is revoked). Revoking is amortised O(1): expired `jti`s
/// are purged in one sweep whenever the table has doubled since the last sweep,
/// or is full.
///
/// # Memory
///
/// A revoked `jti` is kept as a 64-bit fingerprint, a SipHash value keyed with
/// a random key drawn when the store is made (so nobody outside the process can
/// aim at the table's buckets or at a fingerprint), with the second at which it
/// may be forgotten: a 16-byte table slot plus one control byte, in a table
/// kept between 7/16 and 7/8 full while revocations accumulate. That is **at most 39 bytes per revoked `jti`**
/// (19.5 right before the table grows, 35.7 at 1,000,000), whatever the length
/// of the `jti`, and at most 36 MB at the default bound of 1,000,000. Entries
/// are dropped `expiry_grace` after their token expired; a sweep that drops
/// most of them leaves the table at most four times larger than needed until a
/// later sweep shrinks it.
///
/// A fingerprint can only err one way: a token whose `jti` shares the 64 bits
/// of a revoked one reads as revoked (about one chance in 2^44 per lookup with a
/// million revocations held, and nobody can aim at it); a revoked token always
/// reads as revoked.
///
/// Client and credential cutoffs are kept for the life of the store (a cutoff
/// may reach into the future, and the store does not know the longest token
/// lifetime): they are rare administrative acts, bounded by
/// [`RevocationConfig::max_revoked_clients`].
pub struct MemoryRevocationStore {
    max_tokens: usize,
    max_clients: usize,
    max_tokens_per_client: u32,
    grace_secs: u64,
    config: RevocationConfig,
    /// The key of a `jti`'s fingerprint.
    fingerprint_key: RandomState,
    /// Whether any `jti`, client or credential was ever revoked here, readable
    /// without the lock: until then (the usual case for a fresh issuer) lookups
    /// take no lock and write no shared memory.
    any_revoked: AtomicBool,
    inner: RwLock<Inner>,
}

/// The table key is already a keyed hash: the table uses it as it is.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed here; fold anything else rather than panic.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Revoked `jti`s: fingerprint → the second from which it may be forgotten.
type JtiTable = HashMap<u64, u64, BuildHasherDefault<PassThrough>>;

/// Sweeps never run on tables smaller than this: not worth it.
const MIN_PURGE_LEN: usize = 1024;

#[derive(Default)]
struct Inner {
    tokens: JtiTable,
    /// Sweep expired `jti`s when `tokens` reaches this length.
    purge_at_len: usize,
    /// When the last sweep ran: a full table is swept at most once a second.
    last_purge: Option<u64>,
    clients: HashMap<String, ClientCutoffs>,
    /// Client cutoffs plus credential cutoffs held.
    client_entries: usize,
    /// Unexpired `jti` revocations per client, for the per-client share.
    shares: HashMap<String, Share>,
}

/// One client's `jti` revocations: how many, and the second from which all of
/// them may be forgotten (the count starts again from there).
#[derive(Clone, Copy)]
struct Share {
    count: u32,
    keep_until: u64,
}

#[derive(Default)]
struct ClientCutoffs {
    client: Option<UnixTime>,
    credentials: HashMap<String, UnixTime>,
}

impl MemoryRevocationStore {
    /// A store with these limits.
    pub fn new(config: RevocationConfig) -> Self {
        Self {
            max_tokens: config.max_revoked_tokens.max(1),
            max_clients: config.max_revoked_clients.max(1),
            max_tokens_per_client: u32::try_from(config.max_revoked_tokens_per_client.max(1))
                .unwrap_or(u32::MAX),
            grace_secs: ceil_secs(config.expiry_grace),
            config,
            fingerprint_key: RandomState::new(),
            any_revoked: AtomicBool::new(false),
            inner: RwLock::new(Inner {
                purge_at_len: MIN_PURGE_LEN,
                ..Inner::default()
            }),
        }
    }

    /// The limits this store was built with.
    pub fn config(&self) -> &RevocationConfig {
        &self.config
    }

    /// How many revoked `jti`s are held (expired ones included until swept).
    pub fn revoked_tokens(&self) -> usize {
        self.read().tokens.len()
    }

    /// How many client and credential cutoffs are held.
    pub fn revoked_clients(&self) -> usize {
        self.read().client_entries
    }

    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        // Every write leaves the maps consistent before anything can panic.
        self.inner.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn insert_token(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), StoreError> {
        let keep_until = expires_at.as_secs().saturating_add(self.grace_secs);
        let now_secs = now.as_secs();
        if keep_until <= now_secs {
            return Ok(()); // Expired beyond any leeway: no validator accepts it.
        }
        let key = self.fingerprint(jti);
        let mut inner = self.write();
        self.any_revoked.store(true, Ordering::Release);
        if let Some(until) = inner.tokens.get_mut(&key) {
            // The same jti again, or one with the same fingerprint: the entry
            // then covers both.
            *until = (*until).max(keep_until);
            return Ok(());
        }
        let share = inner
            .shares
            .get(client_id)
            .copied()
            .filter(|share| share.keep_until > now_secs)
            .unwrap_or(Share {
                count: 0,
                keep_until: 0,
            });
        if share.count >= self.max_tokens_per_client {
            // Over its share: revoke all of this client's tokens so far, which
            // takes one cutoff instead of another table slot.
            return self.cutoff_in(&mut inner, client_id, None, now);
        }
        let len = inner.tokens.len();
        if len >= inner.purge_at_len.min(self.max_tokens) && inner.last_purge != Some(now_secs) {
            inner.purge(now_secs);
        }
        if inner.tokens.len() >= self.max_tokens {
            return Err(StoreError::msg(
                "the revocation store is full of unexpired revocations",
            ));
        }
        inner.tokens.insert(key, keep_until);
        inner.shares.insert(
            client_id.to_owned(),
            Share {
                count: share.count + 1,
                keep_until: share.keep_until.max(keep_until),
            },
        );
        Ok(())
    }

    fn fingerprint(&self, jti: &str) -> u64 {
        self.fingerprint_key.hash_one(jti)
    }

    fn insert_cutoff(
        &self,
        client_id: &str,
        credential_id: Option<&str>,
        cutoff: UnixTime,
    ) -> Result<(), StoreError> {
        let mut inner = self.write();
        self.any_revoked.store(true, Ordering::Release);
        self.cutoff_in(&mut inner, client_id, credential_id, cutoff)
    }

    /// Records a client or credential cutoff, under the write lock.
    fn cutoff_in(
        &self,
        inner: &mut Inner,
        client_id: &str,
        credential_id: Option<&str>,
        cutoff: UnixTime,
    ) -> Result<(), StoreError> {
        let full = inner.client_entries >= self.max_clients;
        let known = inner
            .clients
            .get(client_id)
            .is_some_and(|c| match credential_id {
                None => c.client.is_some(),
                Some(cred) => c.credentials.contains_key(cred),
            });
        if full && !known {
            return Err(StoreError::msg(
                "the revocation store holds too many client revocations",
            ));
        }
        let entry = inner.clients.entry(client_id.to_owned()).or_default();
        match credential_id {
            None => entry.client = Some(entry.client.map_or(cutoff, |old| old.max(cutoff))),
            Some(cred) => {
                let slot = entry.credentials.entry(cred.to_owned()).or_insert(cutoff);
                *slot = (*slot).max(cutoff);
            }
        }
        if !known {
            inner.client_entries += 1;
        }
        Ok(())
    }

    fn lookup(&self, token: &TokenView<'_>) -> bool {
        // Acquire pairs with the Release store made under the write lock before
        // the first entry went in.
        if !self.any_revoked.load(Ordering::Acquire) {
            return false;
        }
        let inner = self.read();
        if let Some(jti) = token.jti
            && !inner.tokens.is_empty()
            && inner.tokens.contains_key(&self.fingerprint(jti))
        {
            return true;
        }
        let Some(cutoffs) = inner.clients.get(token.client_id) else {
            return false;
        };
        let covers = |cutoff: UnixTime| token.issued_at <= cutoff;
        cutoffs.client.is_some_and(covers)
            || token
                .credential_id
                .and_then(|cred| cutoffs.credentials.get(cred))
                .is_some_and(|cutoff| covers(*cutoff))
    }
}

impl Inner {
    /// Drops every `jti` whose keep-until second has passed, and returns spare
    /// table memory once the table is mostly empty.
    fn purge(&mut self, now: u64) {
        self.tokens.retain(|_, keep_until| *keep_until > now);
        self.shares.retain(|_, share| share.keep_until > now);
        if self.tokens.capacity() > 4 * self.tokens.len().max(MIN_PURGE_LEN) {
            self.tokens.shrink_to(2 * self.tokens.len());
        }
        self.purge_at_len = (2 * self.tokens.len()).max(MIN_PURGE_LEN);
        self.last_purge = Some(now);
    }
}

impl Default for MemoryRevocationStore {
    fn default() -> Self {
        Self::new(RevocationConfig::default())
    }
}

impl fmt::Debug for MemoryRevocationStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.read();
        f.debug_struct("MemoryRevocationStore")
            .field("config", &self.config)
            .field("revoked_tokens", &inner.tokens.len())
            .field("revoked_clients", &inner.client_entries)
            .finish()
    }
}

impl RevocationStore for MemoryRevocationStore {
    fn revoke_token(
        &self,
        client_id: &ClientId,
        jti: &str,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        ready(self.insert_token(client_id.as_str(), jti, expires_at, now))
    }

    fn revoke_client(
        &self,
        client_id: &ClientId,
        cutoff: UnixTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        ready(self.insert_cutoff(client_id.as_str(), None, cutoff))
    }

    fn revoke_credential(
        &self,
        client_id: &ClientId,
        credential_id: &CredentialId,
        cutoff: UnixTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        ready(self.insert_cutoff(client_id.as_str(), Some(credential_id.as_str()), cutoff))
    }

    fn is_revoked(
        &self,
        token: &TokenView<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        ready(Ok(self.lookup(token)))
    }
}

#[cfg(test)]
mod tests;
