//! A conformance kit for store implementations (feature `testing`): async
//! checks that a [`ClientStore`](crate::ClientStore),
//! [`RevocationStore`](crate::RevocationStore),
//! [`ReplayGuard`](crate::ReplayGuard) or [`AuthThrottle`](crate::AuthThrottle)
//! of your own keeps the contract written in its trait's docs, edge values
//! included.
//!
//! Run them from your own tests, against the real backend:
//!
//! ```
//! use client_credentials::store::{MemoryReplayGuard, MemoryRevocationStore};
//! use client_credentials::testing::{check_replay_guard, check_revocation_store};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! check_revocation_store(&MemoryRevocationStore::default()).await;
//! check_replay_guard(&MemoryReplayGuard::new()).await;
//! # });
//! ```
//!
//! Each check panics with the contract clause it found broken. The checks use
//! ids and keys of their own, unique per run, so they may share a store with
//! other data; they leave their entries behind.

mod client_store;
mod replay;
mod revocation;
mod throttle;

pub use self::client_store::check_client_store;
pub use self::replay::check_replay_guard;
pub use self::revocation::check_revocation_store;
pub use self::throttle::check_throttle;

/// A prefix unique to this run, so that the checks' ids never meet others'.
fn run_prefix() -> String {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 8];
    crate::vocab::random::system_random()
        .fill(&mut bytes)
        .expect("the operating system's CSPRNG failed");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
