//! # Running as a fleet
//!
//! Tokens are self-contained JWTs, so any number of issuer replicas can mint
//! them side by side, and any number of resource servers can check them
//! without asking the issuer. What must be shared lives on two widely
//! deployed engines, behind features: PostgreSQL for the client registry,
//! Redis (or Valkey) for the state of the checks.
//!
//! ```text
//!  machines ──► load balancer ──► issuer replica 1 … n ──► PostgreSQL: clients
//!                                   │   ▲                    (cached in each replica,
//!                   assertion replay│   │ locks, revocations  NOTIFY invalidates)
//!                                   ▼   │
//!                                 Redis: replay · throttle · revocations
//!                                   │ revocations, streamed
//!                                   ▼
//!  callers ──► API / MCP server: Validator ◄── RemoteKeys ◄── the issuer's jwks_uri
//! ```
//!
//! ## What is shared, and what it costs
//!
//! | state | where | on the request path |
//! |---|---|---|
//! | signing keys | the same PKCS#8 files (same `kid`s) on every replica; see [`rotation`](super::rotation) | nothing |
//! | clients | [`PostgresClientStore`](crate::store::postgres::PostgresClientStore) behind a [`CachingClientStore`](crate::store::CachingClientStore), invalidated by [`PostgresInvalidations`](crate::store::postgres::PostgresInvalidations) | nothing on a cache hit; one query per client per TTL (30 s) otherwise |
//! | assertion replay | [`RedisReplayGuard`](crate::store::redis::RedisReplayGuard) | one `SET NX EX` per JWT assertion, the only round trip a token pays |
//! | brute-force count | [`RedisThrottle`](crate::store::redis::RedisThrottle) | nothing: failures are counted in the background, locks arrive by pub/sub |
//! | revocations | [`RedisRevocationStore`](crate::store::redis::RedisRevocationStore), at issuers and validators | nothing: lookups read a local replica |
//! | the issuer's keys, at resource servers | [`RemoteKeys`](crate::resource::RemoteKeys) | nothing: refreshed in the background, refetched on an unknown `kid` |
//!
//! Token ids are 128 random bits, unique across replicas without coordination.
//! `BENCHMARKS.md` at the repository root has the measured costs; the axum
//! example runs as a replica with `--redis-url` and `--database-url`.
//!
//! ## How stale a replica can be
//!
//! - A revocation reaches every process within one poll of the stream (100 ms
//!   by default); a process that has not heard from Redis for the freshness
//!   bound (1 s by default) refuses every lookup until it has.
//! - A client disabled or a secret rotated through the PostgreSQL management
//!   API reaches every replica's cache within a round trip of the commit; a
//!   replica whose `LISTEN` connection drops empties its cache, so nothing a
//!   lost notice would have changed outlives the outage.
//! - A brute-force lock set by the fleet's count reaches every replica within
//!   a pub/sub message (about a millisecond on one network).
//!
//! ## What each outage does
//!
//! Every store call is bounded by a timeout; an outage is never a hang, never
//! a panic, and never a token that skipped a check. Everything recovers by
//! itself when the service returns.
//!
//! - **Redis away.** A JWT assertion cannot be checked for replay, so its
//!   request gets `503 server_error` with `Retry-After: 1`. After the
//!   freshness bound, revocation lookups fail closed: issuers answer every
//!   token request the same way (a client revoked meanwhile must not get a
//!   token) and validators refuse every token with `invalid_token`.
//!   Revocations written before the outage are all enforced after it. The
//!   throttle counts per replica meanwhile.
//! - **PostgreSQL away.** Each replica's cache empties when its `LISTEN`
//!   connection drops; client lookups then fail, and token requests get
//!   `503 server_error` with `Retry-After: 1`. The management API's writes
//!   fail and change nothing.
//! - **An issuer replica away.** The load balancer sends its traffic to the
//!   others; nothing is lost, as replicas keep no state of their own.
