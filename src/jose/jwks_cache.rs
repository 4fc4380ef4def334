//! Client keys published at a `jwks_uri`: the [`JwksFetcher`] the user implements
//! (the crate does no I/O), and the [`JwksCache`] in front of it.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
/// - `min_refresh_interval`: 60 seconds between two fetches of one URI, however
///   many assertions name an unknown `kid`, so an attacker cannot make the server
///   fetch once per request.
/// - `max_uris`: 1024 cached sets; the least recently fetched is dropped first.
#[non_exhaustive]
#[derive(Clone, Copy, Debug)]
pub struct JwksCacheConfig {
    /// How long a fetched set is used without fetching it again.
    pub ttl: Duration,
    /// The least time between two fetches of one URI.
    pub min_refresh_interval: Duration,
    /// The most URIs cached at once.
    pub max_uris: usize,
}

impl Default for JwksCacheConfig {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(300),
            min_refresh_interval: Duration::from_secs(60),
            max_uris: 1024,
        }
    }
}

/// An in-memory cache of client JWK Sets in front of a [`JwksFetcher`].
///
/// A set is fetched when first needed, again once its TTL has passed, and early
/// when an assertion names a `kid` the cached set lacks (the client rotated its
/// key) — but never more often than `min_refresh_interval` per URI. Between
/// refreshes, an unknown `kid` simply fails. A failed refresh discards nothing:
/// the previous set keeps serving until its TTL has passed, then requests fail
/// until a fetch succeeds (a key withdrawn by the client must stop working).
///
/// Concurrent requests for a URI whose fetch is under way do not fetch again;
/// they use the previous set, or fail when there is none yet.
pub struct JwksCache<F> {
    fetcher: F,
    config: JwksCacheConfig,
    entries: Mutex<HashMap<String, Entry>>,
}

struct Entry {
    keys: Option<Arc<ClientJwks>>,
    fetched_at: UnixTime,
    last_attempt: UnixTime,
}

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
        let cached = match self.lookup(uri, kid, now) {
            Lookup::Fresh(keys) => return Ok(keys),
            Lookup::RateLimited(Some(keys)) => return Ok(keys),
            Lookup::RateLimited(None) => {
                return Err(StoreError::msg("client JWKS fetch rate-limited"));
            }
            Lookup::Fetch(cached) => cached,
        };
        match self.fetcher.fetch(uri).await {
            Ok(set) => {
                let keys = Arc::new(ClientJwks::from_published(&set));
                self.store(uri, Arc::clone(&keys), now);
                Ok(keys)
            }
            Err(e) => match cached {
                Some((keys, fetched_at)) if now < fetched_at.saturating_add(self.config.ttl) => {
                    Ok(keys)
                }
                _ => Err(e),
            },
        }
    }

    fn lookup(&self, uri: &str, kid: Option<&str>, now: UnixTime) -> Lookup {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = entries.get_mut(uri) {
            let fresh = now < entry.fetched_at.saturating_add(self.config.ttl);
            if let Some(keys) = &entry.keys {
                let has_kid = kid.is_none_or(|kid| keys.find(kid).is_some());
                if fresh && has_kid {
                    return Lookup::Fresh(Arc::clone(keys));
                }
            }
            if now
                < entry
                    .last_attempt
                    .saturating_add(self.config.min_refresh_interval)
            {
                let usable = entry.keys.clone().filter(|_| fresh);
                return Lookup::RateLimited(usable);
            }
            entry.last_attempt = now;
            return Lookup::Fetch(entry.keys.clone().map(|k| (k, entry.fetched_at)));
        }
        if entries.len() >= self.config.max_uris {
            let oldest = entries
                .iter()
                .min_by_key(|(_, e)| e.fetched_at)
                .map(|(uri, _)| uri.clone());
            if let Some(oldest) = oldest {
                entries.remove(&oldest);
            }
        }
        entries.insert(
            uri.to_owned(),
            Entry {
                keys: None,
                fetched_at: UnixTime::from_secs(0),
                last_attempt: now,
            },
        );
        Lookup::Fetch(None)
    }

    fn store(&self, uri: &str, keys: Arc<ClientJwks>, now: UnixTime) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.entry(uri.to_owned()).or_insert(Entry {
            keys: None,
            fetched_at: now,
            last_attempt: now,
        });
        entry.keys = Some(keys);
        entry.fetched_at = now;
    }
}

enum Lookup {
    Fresh(Arc<ClientJwks>),
    RateLimited(Option<Arc<ClientJwks>>),
    Fetch(Option<(Arc<ClientJwks>, UnixTime)>),
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
