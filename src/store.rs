//! Registered clients and the state the checks share: the store traits, each
//! with its contract and an in-memory implementation.
//!
//! | store | trait | in memory |
//! |---|---|---|
//! | registered clients | [`ClientStore`] | [`MemoryClientStore`]; [`CachingClientStore`] in front of any other |
//! | revoked tokens, clients and credentials | [`RevocationStore`] | [`MemoryRevocationStore`], [`NoRevocation`] |
//! | first use of client assertions | [`ReplayGuard`] | [`MemoryReplayGuard`] |
//! | failed authentications | [`AuthThrottle`] | [`MemoryThrottle`], [`NoThrottle`] |
//!
//! This wing imports the shared vocabulary and `jose`, nothing else.

pub(crate) mod caching;
pub(crate) mod client;
pub(crate) mod client_store;
#[cfg(feature = "metrics")]
pub(crate) mod metered;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "redis")]
pub mod redis;
pub(crate) mod replay;
pub(crate) mod revocation;
pub(crate) mod throttle;

pub use self::caching::{CachingClientStore, CachingConfig};
pub use self::client::{Client, ClientBuilder, SecretCredential};
pub use self::client_store::{ClientStore, MemoryClientStore};
#[cfg(feature = "metrics")]
pub use self::metered::{MeteredStore, STORE_DURATION};
pub use self::replay::{DEFAULT_REPLAY_CAPACITY, MemoryReplayGuard, ReplayCheck, ReplayGuard};
pub use self::revocation::{
    MemoryRevocationStore, NoRevocation, RevocationConfig, RevocationStore, TokenView,
};
pub use self::throttle::{AuthThrottle, MemoryThrottle, NoThrottle, ThrottleConfig, ThrottleKey};
