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
async fn unknown_kid_refreshes_at_most_once_per_interval() {
    let (old_kid, old) = key();
    let (new_kid, new) = key();
    let fetcher = Counting::default();
    fetcher.set.lock().unwrap().keys.push(old);
    let cache = JwksCache::new(fetcher);
    cache.keys(URI, Some(&old_kid), t(1_000)).await.unwrap();
    // The client rotates: the next assertion names a kid the cache lacks.
    cache.fetcher().set.lock().unwrap().keys.push(new);
    // Within the minimum interval of the first fetch, no fetch.
    let keys = cache.keys(URI, Some(&new_kid), t(1_030)).await.unwrap();
    assert!(keys.find(&new_kid).is_none());
    assert_eq!(cache.fetcher().fetches.load(Ordering::SeqCst), 1);
    let keys = cache.keys(URI, Some(&new_kid), t(1_060)).await.unwrap();
    assert!(keys.find(&new_kid).is_some());
    assert_eq!(cache.fetcher().fetches.load(Ordering::SeqCst), 2);
    // An attacker naming random kids cannot force a fetch per request.
    for i in 0..100 {
        let _ = cache
            .keys(URI, Some(&format!("bogus{i}")), t(1_061 + i))
            .await;
    }
    assert_eq!(cache.fetcher().fetches.load(Ordering::SeqCst), 3);
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
