//! The crate's own stores pass the conformance kit it ships for others'.

use client_credentials::store::{
    MemoryClientStore, MemoryReplayGuard, MemoryRevocationStore, MemoryThrottle, ThrottleConfig,
};
use client_credentials::testing::{
    check_client_store, check_replay_guard, check_revocation_store, check_throttle,
};

#[tokio::test]
async fn memory_client_store_keeps_the_contract() {
    check_client_store(|clients| async move { MemoryClientStore::from_iter(clients) }).await;
}

#[tokio::test]
async fn memory_revocation_store_keeps_the_contract() {
    check_revocation_store(&MemoryRevocationStore::default()).await;
}

#[tokio::test]
async fn memory_replay_guard_keeps_the_contract() {
    check_replay_guard(&MemoryReplayGuard::new()).await;
}

#[tokio::test]
async fn memory_throttle_keeps_the_contract() {
    let config = ThrottleConfig::default();
    let max_failures = config.max_failures;
    check_throttle(&MemoryThrottle::new(config), max_failures).await;
}

/// The kit finds a store that breaks its contract: one that matches ids
/// without regard to case.
#[tokio::test]
#[should_panic(expected = "ids are compared exactly")]
async fn the_kit_catches_a_client_store_that_folds_case() {
    use std::sync::Arc;

    use client_credentials::{Client, ClientId, ClientStore, StoreError};

    struct CaseFolding(Vec<Arc<Client>>);
    impl ClientStore for CaseFolding {
        async fn client(&self, id: &ClientId) -> Result<Option<Arc<Client>>, StoreError> {
            Ok(self
                .0
                .iter()
                .find(|c| c.id().as_str().eq_ignore_ascii_case(id.as_str()))
                .cloned())
        }
    }
    check_client_store(|clients| async move {
        CaseFolding(clients.into_iter().map(Arc::new).collect())
    })
    .await;
}

/// And a replay guard that checks, then writes, in two steps.
#[tokio::test]
#[should_panic(expected = "one first use of many concurrent ones")]
async fn the_kit_catches_a_replay_guard_that_checks_then_sets() {
    use std::collections::HashSet;
    use std::sync::Mutex;

    use client_credentials::store::{ReplayCheck, ReplayGuard};
    use client_credentials::{StoreError, UnixTime};

    #[derive(Default)]
    struct CheckThenSet(Mutex<HashSet<String>>);
    impl ReplayGuard for CheckThenSet {
        async fn first_use(
            &self,
            _client_id: &str,
            key: &str,
            _until: UnixTime,
            _now: UnixTime,
        ) -> Result<ReplayCheck, StoreError> {
            let seen = self.0.lock().unwrap().contains(key);
            // The round trip a database would take between the two steps.
            tokio::task::yield_now().await;
            if seen {
                return Ok(ReplayCheck::Replayed);
            }
            self.0.lock().unwrap().insert(key.to_owned());
            Ok(ReplayCheck::FirstUse)
        }
    }
    check_replay_guard(&CheckThenSet::default()).await;
}
