//! Client keys published at a `jwks_uri`: the [`JwksFetcher`] the user implements
//! (the crate does no I/O), and the [`JwksCache`] in front of it.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use event_listener::{Event, EventListener};
use jsonwebtoken::jwk::JwkSet;

use crate::jose::client_keys::ClientJwks;
use crate::vocab::error::StoreError;
use crate::vocab::time::UnixTime;

/// Fetches a client's JWK Set from its `jwks_uri`, with the HTTP client of the
/// user's choice.
///
/// # Contract
/// - Fetch `uri` with `GET` over TLS, with a short timeout and a small response
///   size limit; do not follow redirects to other hosts.
/// - Return the parsed document (for instance
///   `serde_json::from_slice::<client_credentials::jose::JwkSet>(&body)`, the
///   re-exported [`JwkSet`](crate::jose::JwkSet)); keys the issuer cannot use
///   (encryption keys, other algorithms) are skipped, not refused.
/// - An `Err` (network failure, non-200 status, malformed JSON) makes the
///   assertion fail with `invalid_client`, as the client's keys are unavailable.
///
/// It is called through a [`JwksCache`], never per request.
pub trait JwksFetcher: Send + Sync {
    /// Fetches and parses the JWK Set at `uri`.
    fn fetch(&self, uri: &str) -> impl Future<Output = Result<JwkSet, StoreError>> + Send;
}

impl<T: JwksFetcher + ?Sized> JwksFetcher for Arc<T> {
    fn fetch(&self, uri: &str) -> impl Future<Output = Result<JwkSet, StoreError>> + Send {
        (**self).fetch(uri)
    }
}

/// Tunables of a [`JwksCache`].
///
/// # Defaults
/// - `ttl`: 5 minutes; a set older than this is fetched again when next needed.
/// - `min_refresh_interval`: 60 seconds between two fetches of one URI that
///   refresh an expired set or follow a failed fetch, so a failing `jwks_uri`
///   is not fetched once per request.
/// - `kid_miss_interval`: 5 seconds between two fetches of one URI caused by
///   a `kid` the cached set lacks (the client rotated its key), counted apart
///   from the others: an assertion with a made-up `kid` holds off a real
///   rotation for at most this long.
/// - `max_uris`: 1024 cached sets; the least recently fetched is dropped first.
#[non_exhaustive]
#[derive(Clone, Copy, Debug)]
pub struct JwksCacheConfig {
    /// How long a fetched set is used without fetching it again.
    pub ttl: Duration,
    /// The least time between two fetches of one URI, but for `kid` misses.
    pub min_refresh_interval: Duration,
    /// The least time between two fetches of one URI for a `kid` the cached
    /// set lacks.
    pub kid_miss_interval: Duration,
    /// The most URIs cached at once.
    pub max_uris: usize,
}

impl Default for JwksCacheConfig {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(300),
            min_refresh_interval: Duration::from_secs(60),
            kid_miss_interval: Duration::from_secs(5),
            max_uris: 1024,
        }
    }
}

/// An in-memory cache of client JWK Sets in front of a [`JwksFetcher`].
///
/// A set is fetched when first needed, again once its TTL has passed, and early
/// when an assertion names a `kid` the cached set lacks (the client rotated its
/// key), at most once per `kid_miss_interval`. A failed fetch discards nothing:
/// the previous set keeps serving until its TTL has passed, then requests fail
/// until a fetch succeeds (a key withdrawn by the client must stop working).
///
/// One fetch per URI runs at a time. While it runs, requests whose `kid` the
/// previous set holds are served from it (stale while revalidating), and the
/// others wait for the fetch's result instead of failing.
pub struct JwksCache<F> {
    fetcher: F,
    config: JwksCacheConfig,
    entries: Mutex<HashMap<String, Entry>>,
    /// Signalled whenever a fetch ends, for the requests waiting on one.
    fetch_ended: Event,
}

struct Entry {
    keys: Option<Arc<ClientJwks>>,
    fetched_at: UnixTime,
    /// When the last fetch for an expired or missing set started.
    last_refresh: Option<UnixTime>,
    /// When the last fetch for an unknown `kid` started.
    last_kid_miss: Option<UnixTime>,
    fetching: bool,
}

/// What a request does next, decided under the lock.
enum Step {
    Serve(Arc<ClientJwks>),
    Wait(EventListener),
    Fetch(Option<(Arc<ClientJwks>, UnixTime)>),
    Refuse(Option<Arc<ClientJwks>>),
}

/// How many times one request waits for other requests' fetches before it
/// gives up: each wait ends with a finished fetch, so this bounds the request.
const MAX_WAITS: usize = 2;

impl<F: JwksFetcher> JwksCache<F> {
    /// A cache with [`JwksCacheConfig::default`].
    pub fn new(fetcher: F) -> Self {
        Self::with_config(fetcher, JwksCacheConfig::default())
    }

    /// A cache with the given tunables.
    pub fn with_config(fetcher: F, config: JwksCacheConfig) -> Self {
        Self {
            fetcher,
            config,
            entries: Mutex::new(HashMap::new()),
            fetch_ended: Event::new(),
        }
    }

    /// The fetcher.
    pub fn fetcher(&self) -> &F {
        &self.fetcher
    }

    /// The keys published at `uri`, for an assertion naming `kid` (if any), at `now`.
    ///
    /// # Errors
    /// A [`StoreError`] when no usable set is at hand and fetching failed or
    /// is rate-limited.
    pub async fn keys(
        &self,
        uri: &str,
        kid: Option<&str>,
        now: UnixTime,
    ) -> Result<Arc<ClientJwks>, StoreError> {
        let mut waits = 0;
        let cached = loop {
            match self.step(uri, kid, now, waits < MAX_WAITS) {
                Step::Serve(keys) => return Ok(keys),
                Step::Refuse(Some(keys)) => return Ok(keys),
                Step::Refuse(None) => {
                    return Err(StoreError::msg("client JWKS fetch rate-limited"));
                }
                Step::Wait(listener) => {
                    listener.await;
                    waits += 1;
                }
                Step::Fetch(cached) => break cached,
            }
        };
        let fetch = Fetching { cache: self, uri };
        let result = self.fetcher.fetch(uri).await;
        match result {
            Ok(set) => {
                let keys = Arc::new(ClientJwks::from_published(&set));
                fetch.finish(Some((Arc::clone(&keys), now)));
                Ok(keys)
            }
            Err(e) => {
                fetch.finish(None);
                match cached {
                    Some((keys, fetched_at))
                        if now < fetched_at.saturating_add(self.config.ttl) =>
                    {
                        Ok(keys)
                    }
                    _ => Err(e),
                }
            }
        }
    }

    fn step(&self, uri: &str, kid: Option<&str>, now: UnixTime, may_wait: bool) -> Step {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if !entries.contains_key(uri) {
            self.make_room(&mut entries);
            entries.insert(
                uri.to_owned(),
                Entry {
                    keys: None,
                    fetched_at: UnixTime::from_secs(0),
                    last_refresh: None,
                    last_kid_miss: None,
                    fetching: false,
                },
            );
        }
        let entry = entries.get_mut(uri).expect("inserted above");
        let fresh = now < entry.fetched_at.saturating_add(self.config.ttl);
        let has_kid = entry
            .keys
            .as_ref()
            .is_some_and(|keys| kid.is_none_or(|kid| keys.find(kid).is_some()));
        if fresh && has_kid {
            return Step::Serve(Arc::clone(entry.keys.as_ref().expect("has_kid")));
        }
        if entry.fetching {
            if has_kid {
                // Stale while revalidating: the running fetch will renew it.
                return Step::Serve(Arc::clone(entry.keys.as_ref().expect("has_kid")));
            }
            if may_wait {
                // Listening before the lock is released: no end is missed.
                return Step::Wait(self.fetch_ended.listen());
            }
            return Step::Refuse(entry.keys.clone().filter(|_| fresh));
        }
        let since = |last: Option<UnixTime>, interval: Duration| {
            last.is_none_or(|last| now >= last.saturating_add(interval))
        };
        let kid_miss = fresh && entry.keys.is_some();
        let allowed = if kid_miss {
            since(entry.last_kid_miss, self.config.kid_miss_interval)
        } else {
            since(entry.last_refresh, self.config.min_refresh_interval)
        };
        if !allowed {
            return Step::Refuse(entry.keys.clone().filter(|_| fresh));
        }
        if kid_miss {
            entry.last_kid_miss = Some(now);
        } else {
            entry.last_refresh = Some(now);
        }
        entry.fetching = true;
        Step::Fetch(entry.keys.clone().map(|k| (k, entry.fetched_at)))
    }

    fn make_room(&self, entries: &mut HashMap<String, Entry>) {
        if entries.len() < self.config.max_uris {
            return;
        }
        let oldest = entries
            .iter()
            .filter(|(_, e)| !e.fetching)
            .min_by_key(|(_, e)| e.fetched_at)
            .map(|(uri, _)| uri.clone());
        if let Some(oldest) = oldest {
            entries.remove(&oldest);
        }
    }
}

/// A fetch under way for one URI. Ending it, by [`finish`](Self::finish) or by
/// being dropped with the request's future, clears the URI's `fetching` mark
/// and wakes the requests waiting on it.
struct Fetching<'a, F> {
    cache: &'a JwksCache<F>,
    uri: &'a str,
}

impl<F> Fetching<'_, F> {
    fn finish(self, fetched: Option<(Arc<ClientJwks>, UnixTime)>) {
        let mut entries = self.cache.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let (Some(entry), Some((keys, at))) = (entries.get_mut(self.uri), fetched) {
            entry.keys = Some(keys);
            entry.fetched_at = at;
        }
        drop(entries);
        // Drop clears the mark and wakes the waiters.
    }
}

impl<F> Drop for Fetching<'_, F> {
    fn drop(&mut self) {
        let mut entries = self.cache.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = entries.get_mut(self.uri) {
            entry.fetching = false;
        }
        drop(entries);
        self.cache.fetch_ended.notify(usize::MAX);
    }
}

impl<F> fmt::Debug for JwksCache<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let uris = self.entries.lock().map_or(0, |e| e.len());
        f.debug_struct("JwksCache")
            .field("config", &self.config)
            .field("uris", &uris)
            .finish_non_exhaustive()
    }
}

/// The object-safe face of a [`JwksCache`], so the issuer needs no type
/// parameter for it. Boxing costs one allocation per `jwks_uri` assertion.
pub(crate) trait JwksSource: Send + Sync + fmt::Debug {
    fn keys<'a>(
        &'a self,
        uri: &'a str,
        kid: Option<&'a str>,
        now: UnixTime,
    ) -> Pin<Box<dyn Future<Output = Result<Arc<ClientJwks>, StoreError>> + Send + 'a>>;
}

impl<F: JwksFetcher> JwksSource for JwksCache<F> {
    fn keys<'a>(
        &'a self,
        uri: &'a str,
        kid: Option<&'a str>,
        now: UnixTime,
    ) -> Pin<Box<dyn Future<Output = Result<Arc<ClientJwks>, StoreError>> + Send + 'a>> {
        Box::pin(JwksCache::keys(self, uri, kid, now))
    }
}

#[cfg(test)]
mod tests;
