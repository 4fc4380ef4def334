//! Stores on Redis (or Valkey), for issuers that run as a fleet (feature
//! `redis`): every replica sees the state the others wrote.
//!
//! The client is the `redis` crate's [`ConnectionManager`](::redis::aio::ConnectionManager):
//! the most used async Redis client in Rust, multiplexing one connection per
//! process, reconnecting by itself with backoff, and bounding every call with
//! a response timeout, which is what a store on the request path needs.
//!
//! Keys start with a namespace per issuer (its identifier, or any string of
//! your choice), so that issuers sharing one Redis never read each other's
//! entries: `{namespace}:replay:{…}` for replay, `{{namespace}:revocation}:{…}`
//! and `{{namespace}:throttle}:{…}` for the state whose scripts touch several
//! keys at once, which a Redis Cluster ([`RedisConfig::cluster`]) then keeps in
//! one hash slot.

mod connection;
mod replay;
mod revocation;
mod throttle;

pub use self::connection::RedisConfig;
pub use self::replay::RedisReplayGuard;
pub use self::revocation::{RedisRevocationConfig, RedisRevocationStore};
pub use self::throttle::RedisThrottle;
