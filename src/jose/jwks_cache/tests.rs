use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::jose::algorithm::Algorithm;
use crate::jose::keys::SigningKey;

/// Serves whatever set it holds, counting fetches; fails when told to.
#[derive(Default)]
struct Counting {
    set: Mutex<JwkSet>,
    fetches: AtomicUsize,
    fail: std::sync::atomic::AtomicBool,
}

impl JwksFetcher for Counting {
    async fn fetch(&self, _uri: &str) -> Result<JwkSet, StoreError> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        if self.fail.load(Ordering::SeqCst) {
            return Err(StoreError::msg("unreachable"));
        }
        Ok(self.set.lock().unwrap().clone())
    }
}

fn key() -> (String, jsonwebtoken::jwk::Jwk) {
    let (k, _) = SigningKey::generate(Algorithm::ES256).unwrap();
    (k.kid().to_owned(), k.public_jwk().unwrap())
}

fn t(secs: u64) -> UnixTime {
    UnixTime::from_secs(secs)
}

const URI: &str = "https://client.example.com/jwks.json";

#[tokio::test]
async fn fetches_once_then_serves_from_cache_until_the_ttl() {
    let (kid, jwk) = key();
    let fetcher = Counting::default();
    fetcher.set.lock().unwrap().keys.push(jwk);
    let cache = JwksCache::new(fetcher);
    for now in [1_000, 1_010, 1_299] {
        let keys = cache.keys(URI, Some(&kid), t(now)).await.unwrap();
        assert!(keys.find(&kid).is_some());
    }
    assert_eq!(cache.fetcher().fetches.load(Ordering::SeqCst), 1);
    cache.keys(URI, None, t(1_300)).await.unwrap();
    assert_eq!(
        cache.fetcher().fetches.load(Ordering::SeqCst),
        2,
        "TTL passed"
    );
}

#[tokio::test]
async fn unknown_kid_refreshes_at_most_once_per_kid_miss_interval() {
    let (old_kid, old) = key();
    let (new_kid, new) = key();
    let fetcher = Counting::default();
    fetcher.set.lock().unwrap().keys.push(old);
    let cache = JwksCache::new(fetcher);
    cache.keys(URI, Some(&old_kid), t(1_000)).await.unwrap();
    // The client rotates: the next assertion names a kid the cache lacks, and
    // is served at once, however recent the last fetch.
    cache.fetcher().set.lock().unwrap().keys.push(new);
    let keys = cache.keys(URI, Some(&new_kid), t(1_001)).await.unwrap();
    assert!(keys.find(&new_kid).is_some());
    assert_eq!(cache.fetcher().fetches.load(Ordering::SeqCst), 2);
    // An attacker naming random kids, one a second for 100 seconds, forces
    // one fetch per 5-second interval, not one per request.
    for i in 0..100 {
        let _ = cache
            .keys(URI, Some(&format!("bogus{i}")), t(1_010 + i))
            .await;
    }
    let fetches = cache.fetcher().fetches.load(Ordering::SeqCst);
    assert!((2 + 19..=2 + 21).contains(&fetches), "{fetches} fetches");
}

#[tokio::test]
async fn a_made_up_kid_holds_off_a_real_rotation_for_the_kid_miss_interval_only() {
    let (old_kid, old) = key();
    let (new_kid, new) = key();
    let fetcher = Counting::default();
    fetcher.set.lock().unwrap().keys.push(old);
    let cache = JwksCache::new(fetcher);
    cache.keys(URI, Some(&old_kid), t(1_000)).await.unwrap();
    // An attacker's made-up kid forces a fetch just before the client rotates.
    let _ = cache.keys(URI, Some("made-up"), t(1_010)).await;
    cache.fetcher().set.lock().unwrap().keys.push(new);
    let refused = cache.keys(URI, Some(&new_kid), t(1_011)).await.unwrap();
    assert!(
        refused.find(&new_kid).is_none(),
        "within 5 s of the last kid miss"
    );
    let served = cache.keys(URI, Some(&new_kid), t(1_015)).await.unwrap();
    assert!(served.find(&new_kid).is_some(), "5 s later, not 60");
}

/// Serves its set after the test lets it, counting fetches.
struct Slow {
    set: JwkSet,
    fetches: AtomicUsize,
    release: tokio::sync::Semaphore,
}

impl JwksFetcher for Slow {
    async fn fetch(&self, _uri: &str) -> Result<JwkSet, StoreError> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let _permit = self.release.acquire().await.unwrap();
        Ok(self.set.clone())
    }
}

fn slow(jwk: jsonwebtoken::jwk::Jwk) -> Arc<JwksCache<Slow>> {
    Arc::new(JwksCache::new(Slow {
        set: JwkSet { keys: vec![jwk] },
        fetches: AtomicUsize::new(0),
        release: tokio::sync::Semaphore::new(0),
    }))
}

#[tokio::test]
async fn concurrent_requests_during_a_first_slow_fetch_wait_for_it() {
    let (kid, jwk) = key();
    let cache = slow(jwk);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (cache, kid) = (Arc::clone(&cache), kid.clone());
            tokio::spawn(async move { cache.keys(URI, Some(&kid), t(1_000)).await })
        })
        .collect();
    tokio::task::yield_now().await;
    cache.fetcher().release.add_permits(1);
    for task in tasks {
        let keys = task.await.unwrap().expect("every request is served");
        assert!(keys.find(&kid).is_some());
    }
    assert_eq!(cache.fetcher().fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_expired_set_serves_while_one_slow_refresh_runs() {
    let (kid, jwk) = key();
    let cache = slow(jwk);
    cache.fetcher().release.add_permits(1);
    cache.keys(URI, Some(&kid), t(1_000)).await.unwrap();
    // The TTL has passed: one request refreshes, slowly; the others are served
    // from the previous set meanwhile.
    let refresh = {
        let (cache, kid) = (Arc::clone(&cache), kid.clone());
        tokio::spawn(async move { cache.keys(URI, Some(&kid), t(1_400)).await })
    };
    while cache.fetcher().fetches.load(Ordering::SeqCst) < 2 {
        tokio::task::yield_now().await;
    }
    for i in 0..8 {
        let keys = cache.keys(URI, Some(&kid), t(1_400 + i)).await.unwrap();
        assert!(keys.find(&kid).is_some());
    }
    assert_eq!(cache.fetcher().fetches.load(Ordering::SeqCst), 2);
    cache.fetcher().release.add_permits(1);
    refresh.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_fetch_dropped_midway_lets_the_next_request_fetch() {
    let (kid, jwk) = key();
    let cache = slow(jwk);
    let abandoned = {
        let (cache, kid) = (Arc::clone(&cache), kid.clone());
        tokio::spawn(async move { cache.keys(URI, Some(&kid), t(1_000)).await })
    };
    while cache.fetcher().fetches.load(Ordering::SeqCst) < 1 {
        tokio::task::yield_now().await;
    }
    abandoned.abort();
    let _ = abandoned.await;
    // The URI is no longer marked as being fetched; the refresh interval
    // still holds back a second fetch, so the next request is refused rather
    // than left waiting forever.
    let again = cache.keys(URI, Some(&kid), t(1_001)).await;
    assert!(again.is_err());
    cache.fetcher().release.add_permits(1);
    let later = cache.keys(URI, Some(&kid), t(1_061)).await.unwrap();
    assert!(later.find(&kid).is_some());
}

#[tokio::test]
async fn failures_keep_the_previous_set_only_within_its_ttl() {
    let (kid, jwk) = key();
    let fetcher = Counting::default();
    fetcher.set.lock().unwrap().keys.push(jwk);
    let cache = JwksCache::new(fetcher);
    cache.keys(URI, None, t(1_000)).await.unwrap();
    cache.fetcher().fail.store(true, Ordering::SeqCst);
    // Unknown kid after the interval: the refresh fails, the old set still serves.
    let keys = cache.keys(URI, Some("other"), t(1_100)).await.unwrap();
    assert!(keys.find(&kid).is_some());
    // Past the TTL, a failed fetch is an error: withdrawn keys must stop working.
    assert!(cache.keys(URI, None, t(1_400)).await.is_err());
    // A first fetch that fails is an error, and is not retried at once.
    let other = "https://other.example.com/jwks.json";
    assert!(cache.keys(other, None, t(2_000)).await.is_err());
    let before = cache.fetcher().fetches.load(Ordering::SeqCst);
    assert!(cache.keys(other, None, t(2_001)).await.is_err());
    assert_eq!(cache.fetcher().fetches.load(Ordering::SeqCst), before);
}

#[tokio::test]
async fn the_number_of_cached_uris_is_bounded() {
    let (_, jwk) = key();
    let fetcher = Counting::default();
    fetcher.set.lock().unwrap().keys.push(jwk);
    let config = JwksCacheConfig {
        max_uris: 3,
        ..JwksCacheConfig::default()
    };
    let cache = JwksCache::with_config(fetcher, config);
    for i in 0..10 {
        cache
            .keys(
                &format!("https://c{i}.example.com/jwks"),
                None,
                t(1_000 + i),
            )
            .await
            .unwrap();
    }
    assert!(cache.entries.lock().unwrap().len() <= 3);
}
