use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::{CachingClientStore, CachingConfig};
use crate::store::client::{Client, SecretCredential};
use crate::store::client_store::{ClientStore, MemoryClientStore};
use crate::vocab::error::StoreError;
use crate::vocab::ids::{ClientId, CredentialId};
use crate::vocab::secret::ClientSecret;
use crate::vocab::secret_hash::SecretHash;

/// A store that counts its calls and takes its time answering, so that
/// concurrent lookups overlap.
struct CountingStore {
    inner: MemoryClientStore,
    calls: AtomicUsize,
    delay: Duration,
}

impl CountingStore {
    fn new(delay: Duration) -> Self {
        Self {
            inner: MemoryClientStore::new(),
            calls: AtomicUsize::new(0),
            delay,
        }
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl ClientStore for CountingStore {
    async fn client(&self, id: &ClientId) -> Result<Option<Arc<Client>>, StoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(self.delay).await;
        self.inner.client(id).await
    }
}

fn client(name: &str) -> Client {
    let secret = ClientSecret::new("a-generated-secret-of-enough-length");
    Client::builder(ClientId::new(name).unwrap())
        .secret(SecretCredential::new(
            CredentialId::new("s1").unwrap(),
            SecretHash::fast(&secret).unwrap(),
        ))
        .build()
        .unwrap()
}

fn config(ttl: Duration, negative_ttl: Duration, capacity: usize) -> CachingConfig {
    CachingConfig {
        ttl,
        negative_ttl,
        capacity,
    }
}

#[tokio::test]
async fn concurrent_lookups_of_one_id_make_one_call() {
    let store = CountingStore::new(Duration::from_millis(50));
    store.inner.insert(client("alpha"));
    let cache = Arc::new(CachingClientStore::new(store));
    let id = ClientId::new("alpha").unwrap();
    let lookups: Vec<_> = (0..32)
        .map(|_| {
            let cache = Arc::clone(&cache);
            let id = id.clone();
            tokio::spawn(async move { cache.client(&id).await })
        })
        .collect();
    for lookup in lookups {
        let found = lookup.await.unwrap().unwrap();
        assert_eq!(found.unwrap().id(), &id);
    }
    assert_eq!(
        cache.inner().calls(),
        1,
        "one load for 32 concurrent lookups"
    );
    cache.client(&id).await.unwrap().unwrap();
    assert_eq!(cache.inner().calls(), 1, "a later lookup is a hit");
}

#[tokio::test]
async fn concurrent_lookups_of_an_unknown_id_make_one_call() {
    let cache = Arc::new(CachingClientStore::new(CountingStore::new(
        Duration::from_millis(50),
    )));
    let lookups: Vec<_> = (0..16)
        .map(|_| {
            let cache = Arc::clone(&cache);
            tokio::spawn(async move { cache.client(&ClientId::new("nobody").unwrap()).await })
        })
        .collect();
    for lookup in lookups {
        assert!(lookup.await.unwrap().unwrap().is_none());
    }
    assert_eq!(cache.inner().calls(), 1);
}

#[tokio::test]
async fn unknown_ids_are_remembered_for_the_shorter_ttl() {
    let cache = CachingClientStore::with_config(
        CountingStore::new(Duration::ZERO),
        config(Duration::from_secs(60), Duration::from_millis(100), 100),
    );
    let id = ClientId::new("late").unwrap();
    assert!(cache.client(&id).await.unwrap().is_none());
    assert!(cache.client(&id).await.unwrap().is_none());
    assert_eq!(cache.inner().calls(), 1, "the unknown id is cached");
    cache.inner().inner.insert(client("late"));
    assert!(
        cache.client(&id).await.unwrap().is_none(),
        "still unknown within the negative ttl"
    );
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(
        cache.client(&id).await.unwrap().is_some(),
        "found once the negative entry expired"
    );
    assert_eq!(cache.inner().calls(), 2);
    cache.client(&id).await.unwrap();
    assert_eq!(
        cache.inner().calls(),
        2,
        "the found client is cached for the ttl"
    );
}

#[tokio::test]
async fn found_clients_expire_after_the_ttl() {
    let store = CountingStore::new(Duration::ZERO);
    store.inner.insert(client("alpha"));
    let cache = CachingClientStore::with_config(
        store,
        config(Duration::from_millis(100), Duration::from_millis(10), 100),
    );
    let id = ClientId::new("alpha").unwrap();
    cache.client(&id).await.unwrap();
    cache.client(&id).await.unwrap();
    assert_eq!(cache.inner().calls(), 1);
    tokio::time::sleep(Duration::from_millis(150)).await;
    cache.client(&id).await.unwrap();
    assert_eq!(cache.inner().calls(), 2);
}

#[tokio::test]
async fn invalidation_drops_entries_at_once() {
    let store = CountingStore::new(Duration::ZERO);
    store.inner.insert(client("alpha"));
    store.inner.insert(client("beta"));
    let cache = CachingClientStore::new(store);
    let alpha = ClientId::new("alpha").unwrap();
    let beta = ClientId::new("beta").unwrap();
    cache.client(&alpha).await.unwrap();
    cache.client(&beta).await.unwrap();
    assert_eq!(cache.inner().calls(), 2);
    cache.inner().inner.remove(&alpha);
    cache.invalidate(&alpha);
    assert!(cache.client(&alpha).await.unwrap().is_none());
    cache.client(&beta).await.unwrap();
    assert_eq!(
        cache.inner().calls(),
        3,
        "only the invalidated id is reloaded"
    );
    cache.invalidate_all();
    assert!(cache.is_empty());
    cache.client(&beta).await.unwrap();
    assert_eq!(cache.inner().calls(), 4);
}

#[tokio::test]
async fn a_load_in_flight_during_an_invalidation_is_not_kept() {
    let store = CountingStore::new(Duration::from_millis(100));
    store.inner.insert(client("alpha"));
    let cache = Arc::new(CachingClientStore::new(store));
    let id = ClientId::new("alpha").unwrap();
    let load = {
        let cache = Arc::clone(&cache);
        let id = id.clone();
        tokio::spawn(async move { cache.client(&id).await })
    };
    tokio::time::sleep(Duration::from_millis(30)).await;
    cache.invalidate(&id);
    load.await.unwrap().unwrap();
    assert!(cache.is_empty(), "the stale load was not cached");
}

#[tokio::test]
async fn the_size_stays_bounded() {
    let cache = CachingClientStore::with_config(
        CountingStore::new(Duration::ZERO),
        config(Duration::from_secs(60), Duration::from_secs(60), 8),
    );
    for i in 0..100 {
        cache
            .client(&ClientId::new(format!("c{i}")).unwrap())
            .await
            .unwrap();
        assert!(cache.len() <= 8);
    }
}

#[tokio::test]
async fn errors_are_not_cached_and_a_dropped_loader_does_not_strand_waiters() {
    struct Failing(AtomicUsize);
    impl ClientStore for Failing {
        async fn client(&self, _: &ClientId) -> Result<Option<Arc<Client>>, StoreError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Err(StoreError::msg("down"))
        }
    }
    let cache = Arc::new(CachingClientStore::new(Failing(AtomicUsize::new(0))));
    let id = ClientId::new("alpha").unwrap();
    assert!(cache.client(&id).await.is_err());
    assert!(cache.client(&id).await.is_err());
    assert_eq!(
        cache.inner().0.load(Ordering::SeqCst),
        2,
        "errors are not kept"
    );

    let dropped = {
        let cache = Arc::clone(&cache);
        let id = id.clone();
        tokio::spawn(async move { cache.client(&id).await })
    };
    tokio::time::sleep(Duration::from_millis(5)).await;
    let waiter = {
        let cache = Arc::clone(&cache);
        let id = id.clone();
        tokio::spawn(async move { cache.client(&id).await })
    };
    tokio::time::sleep(Duration::from_millis(5)).await;
    dropped.abort();
    let answer = tokio::time::timeout(Duration::from_secs(2), waiter)
        .await
        .expect("the waiter is not stranded by the dropped loader")
        .unwrap();
    assert!(answer.is_err());
}
