//! A cache in front of any [`ClientStore`]: lookups answered from memory,
//! with a bound on how stale an answer may be.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use event_listener::Event;

use crate::store::client::Client;
use crate::store::client_store::ClientStore;
use crate::vocab::error::StoreError;
use crate::vocab::ids::ClientId;

/// How long the cache keeps answers, and how many.
///
/// # Defaults
///
/// | field | default |
/// |---|--:|
/// | `ttl` | 30 s |
/// | `negative_ttl` | 5 s |
/// | `capacity` | 10 000 |
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct CachingConfig {
    /// How long a found client is served from memory. Without pushed
    /// invalidations, this is how long a disabled client or a withdrawn
    /// secret may still be honoured.
    pub ttl: Duration,
    /// How long an unknown id is remembered as unknown: shorter, so that a
    /// client just registered is found soon, while a flood of made-up ids
    /// does not reach the inner store.
    pub negative_ttl: Duration,
    /// The most ids kept; past it, expired entries go first, then an eighth
    /// of the others.
    pub capacity: usize,
}

impl Default for CachingConfig {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(30),
            negative_ttl: Duration::from_secs(5),
            capacity: 10_000,
        }
    }
}

/// A [`ClientStore`] that answers from memory and asks `S` only on a miss.
///
/// - Found clients are kept for [`CachingConfig::ttl`], unknown ids for
///   [`CachingConfig::negative_ttl`]; errors are never kept.
/// - Concurrent lookups of one id that miss make one call to `S`: the others
///   wait for its answer (single flight), so a burst of requests after an
///   expiry or an invalidation costs the database one query.
/// - [`invalidate`](Self::invalidate) and [`invalidate_all`](Self::invalidate_all)
///   drop entries at once; a load that was in flight when they were called is
///   answered to its callers but not kept.
#[derive(Debug)]
pub struct CachingClientStore<S> {
    inner: S,
    config: CachingConfig,
    state: Mutex<CacheState>,
    /// Bumped by every invalidation: a load started before one is not kept.
    generation: AtomicU64,
}

#[derive(Debug, Default)]
struct CacheState {
    entries: HashMap<ClientId, CacheEntry>,
    in_flight: HashMap<ClientId, Arc<Flight>>,
}

#[derive(Debug)]
struct CacheEntry {
    client: Option<Arc<Client>>,
    expires: Instant,
}

/// One load of one id, which the other lookups of that id wait for.
#[derive(Debug, Default)]
struct Flight {
    done: Event,
    /// `None` while loading, and if the loader was dropped before finishing.
    answer: Mutex<Option<Result<Option<Arc<Client>>, StoreError>>>,
}

impl<S: ClientStore> CachingClientStore<S> {
    /// A cache over `inner` with the default bounds.
    pub fn new(inner: S) -> Self {
        Self::with_config(inner, CachingConfig::default())
    }

    /// A cache over `inner` with bounds of your choice.
    pub fn with_config(inner: S, config: CachingConfig) -> Self {
        Self {
            inner,
            config,
            state: Mutex::new(CacheState::default()),
            generation: AtomicU64::new(0),
        }
    }

    /// The store behind the cache.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// Forgets what is known of `id`: the next lookup asks the inner store.
    pub fn invalidate(&self, id: &ClientId) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.lock().entries.remove(id);
    }

    /// Forgets everything.
    pub fn invalidate_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.lock().entries.clear();
    }

    /// How many ids are cached (found or unknown), expired ones included.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn lookup(&self, id: &ClientId) -> Result<Option<Arc<Client>>, StoreError> {
        loop {
            let (flight, leader) = {
                let mut state = self.lock();
                if let Some(entry) = state.entries.get(id)
                    && entry.expires > Instant::now()
                {
                    return Ok(entry.client.clone());
                }
                match state.in_flight.get(id) {
                    Some(flight) => (Arc::clone(flight), false),
                    None => {
                        let flight = Arc::new(Flight::default());
                        state.in_flight.insert(id.clone(), Arc::clone(&flight));
                        (flight, true)
                    }
                }
            };
            if leader {
                return self.load(id, &flight).await;
            }
            let listener = flight.done.listen();
            if let Some(answer) = flight.answer() {
                return answer;
            }
            if !self.lock().in_flight.contains_key(id) {
                // The loader finished (or was dropped) between our two looks.
                if let Some(answer) = flight.answer() {
                    return answer;
                }
                continue;
            }
            listener.await;
            if let Some(answer) = flight.answer() {
                return answer;
            }
            // The loader was dropped before answering: try again, maybe as
            // the loader this time.
        }
    }

    async fn load(
        &self,
        id: &ClientId,
        flight: &Arc<Flight>,
    ) -> Result<Option<Arc<Client>>, StoreError> {
        let generation = self.generation.load(Ordering::SeqCst);
        // Ends the flight even if this future is dropped mid-load, so that
        // the waiters never hang.
        let guard = FlightGuard {
            cache: self,
            id,
            flight,
        };
        let answer = self.inner.client(id).await;
        *flight.answer.lock().unwrap_or_else(|e| e.into_inner()) = Some(answer.clone());
        if let Ok(client) = &answer {
            let mut state = self.lock();
            if self.generation.load(Ordering::SeqCst) == generation && self.config.capacity > 0 {
                let ttl = if client.is_some() {
                    self.config.ttl
                } else {
                    self.config.negative_ttl
                };
                self.make_room(&mut state);
                state.entries.insert(
                    id.clone(),
                    CacheEntry {
                        client: client.clone(),
                        expires: Instant::now() + ttl,
                    },
                );
            }
        }
        drop(guard);
        answer
    }

    fn make_room(&self, state: &mut CacheState) {
        if state.entries.len() < self.config.capacity {
            return;
        }
        let now = Instant::now();
        state.entries.retain(|_, entry| entry.expires > now);
        if state.entries.len() < self.config.capacity {
            return;
        }
        // Still full of live entries: drop an eighth at once, so that a flood
        // of misses pays this scan once per many inserts, not on each.
        let keep = self
            .config
            .capacity
            .saturating_sub(1 + self.config.capacity / 8);
        let victims: Vec<ClientId> = state.entries.keys().skip(keep).cloned().collect();
        for victim in victims {
            state.entries.remove(&victim);
        }
    }
}

impl Flight {
    fn answer(&self) -> Option<Result<Option<Arc<Client>>, StoreError>> {
        self.answer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

struct FlightGuard<'a, S: ClientStore> {
    cache: &'a CachingClientStore<S>,
    id: &'a ClientId,
    flight: &'a Arc<Flight>,
}

impl<S: ClientStore> Drop for FlightGuard<'_, S> {
    fn drop(&mut self) {
        let mut state = self.cache.lock();
        if state
            .in_flight
            .get(self.id)
            .is_some_and(|f| Arc::ptr_eq(f, self.flight))
        {
            state.in_flight.remove(self.id);
        }
        drop(state);
        self.flight.done.notify(usize::MAX);
    }
}

impl<S: ClientStore> ClientStore for CachingClientStore<S> {
    fn client(
        &self,
        id: &ClientId,
    ) -> impl Future<Output = Result<Option<Arc<Client>>, StoreError>> + Send {
        self.lookup(id)
    }
}

#[cfg(test)]
mod tests;
