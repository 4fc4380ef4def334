//! # Running several instances
//!
//! Tokens are self-contained JWTs, so any number of issuer instances can mint them
//! side by side as long as they share:
//!
//! - **the signing keys**: load the same PKCS#8 keys (and the same `kid`s) on every
//!   instance, and rotate them as described in [`rotation`](super::rotation);
//! - **the clients**: implement [`ClientStore`](crate::ClientStore) over the
//!   database every instance reads;
//! - **revocation and replay state**, the only state that must be shared and
//!   consistent: implement the store traits over a shared backend such as Redis,
//!   with atomic operations where the contract asks for them.
//!
//! Token ids are 128 random bits, unique across instances without coordination.
//!
//! Brute-force throttling ([`MemoryThrottle`](crate::store::MemoryThrottle)) counts per
//! instance: with `n` instances behind a load balancer an attacker gets up to `n`
//! times the configured attempts. Implement [`AuthThrottle`](crate::AuthThrottle)
//! over a shared counter if that matters, or throttle at the load balancer too.
//!
//! Each instance needs only its CPU for the signature and a few microseconds of
//! bookkeeping per token; `BENCHMARKS.md` at the repository root gives
//! the figures.
