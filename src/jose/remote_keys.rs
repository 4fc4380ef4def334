//! The issuer's keys, followed as it rotates them: [`RemoteKeys`] discovers the
//! `jwks_uri` from the issuer's RFC 8414 metadata, fetches the JWK Set through
//! an [`HttpGet`], and keeps it fresh.

use std::fmt;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use arc_swap::ArcSwapOption;
use event_listener::Event;

use crate::jose::http_get::{DynHttpGet, HttpGet};
use crate::jose::token_verifier::{SignedClaims, TokenVerifier};
use crate::jose::verification_keys::VerificationKeys;
use crate::vocab::error::{ConfigError, StoreError, ValidationError};
use crate::vocab::time::{UnixTime, ceil_secs};
use crate::vocab::url::is_acceptable_url;

/// Tunables of a [`RemoteKeys`].
///
/// # Defaults
/// - `default_ttl`: 5 minutes, for a JWK Set served without `Cache-Control: max-age`;
/// - `min_ttl` 30 s and `max_ttl` 1 hour: the bounds a `max-age` is clamped to
///   (`no-cache` and `no-store` count as `max-age=0`, so as `min_ttl`);
/// - `max_age`: 2 hours: how long a fetched set keeps serving while fetches
///   fail; after that validations fail with [`ValidationError::KeysUnavailable`]
///   (never less than the set's TTL);
/// - `kid_miss_interval`: 5 s between two fetches caused by a token whose
///   `kid` the set lacks, so made-up `kid`s cannot make the source hammer the
///   issuer;
/// - `retry_interval`: 10 s between a failed fetch and the next attempt;
/// - `danger_allow_http_loopback`: `false`. When `true`, `http` URLs on
///   `localhost`, `127.0.0.1` or `[::1]` are accepted: for tests and local
///   demos only, as the keys then travel unauthenticated.
#[non_exhaustive]
#[derive(Clone, Copy, Debug)]
pub struct RemoteKeysConfig {
    /// The TTL of a set served without `max-age`.
    pub default_ttl: Duration,
    /// The least TTL a `max-age` gives.
    pub min_ttl: Duration,
    /// The greatest TTL a `max-age` gives.
    pub max_ttl: Duration,
    /// How long a set serves after it was fetched, while fetches fail.
    pub max_age: Duration,
    /// The least time between two fetches caused by an unknown `kid`.
    pub kid_miss_interval: Duration,
    /// The least time between a failed fetch and the next.
    pub retry_interval: Duration,
    /// Accept loopback `http` URLs (dangerous outside tests).
    pub danger_allow_http_loopback: bool,
}

impl Default for RemoteKeysConfig {
    fn default() -> Self {
        Self {
            default_ttl: Duration::from_secs(300),
            min_ttl: Duration::from_secs(30),
            max_ttl: Duration::from_secs(3600),
            max_age: Duration::from_secs(7200),
            kid_miss_interval: Duration::from_secs(5),
            retry_interval: Duration::from_secs(10),
            danger_allow_http_loopback: false,
        }
    }
}

/// The verification keys of a remote issuer, fetched from its `jwks_uri` and
/// kept fresh: a key source for a resource server's `Validator` (see
/// `Validator::builder_remote`) or the issuer's trusted platform issuers, so the
/// issuer can rotate its signing key without a restart of the resource server.
///
/// - The `jwks_uri` is given ([`with_jwks_uri`](Self::with_jwks_uri)) or read
///   from the issuer's RFC 8414 metadata at
///   `{issuer}/.well-known/oauth-authorization-server` (for an issuer with a
///   path, the well-known segment goes between host and path, RFC 8414 §3.1),
///   whose `issuer` must equal the configured one (§3.3).
/// - The set is fetched on first use, then again when its TTL
///   (`Cache-Control: max-age`, clamped) has passed, and early when a token
///   names a `kid` the set lacks, at most once per `kid_miss_interval`.
/// - One fetch runs at a time. While a refresh runs, validations use the
///   previous set (stale while revalidating); only validations that cannot be
///   answered without it (no set yet, unknown `kid`) wait for it. The refresh is
///   run by the validation that finds the set due, or by
///   [`refresh`](Self::refresh) from a task of the application's own.
/// - A failed fetch keeps the previous set, retried after `retry_interval`,
///   until the set is `max_age` old; then validations fail with
///   [`ValidationError::KeysUnavailable`] until a fetch succeeds.
///
/// A validation with a known `kid` reads the current set through an atomic
/// pointer: no lock, no allocation. Clones share one state.
#[derive(Clone)]
pub struct RemoteKeys {
    inner: Arc<Inner>,
}

struct Inner {
    issuer: String,
    metadata_url: String,
    config: RemoteKeysConfig,
    fetcher: Box<dyn DynHttpGet>,
    current: ArcSwapOption<Snapshot>,
    fetching: AtomicBool,
    fetch_ended: Event,
    /// The earliest second a refresh may start after a failed fetch.
    next_attempt: AtomicU64,
    /// The earliest second a fetch for an unknown `kid` may start.
    next_kid_miss: AtomicU64,
    /// The discovered `jwks_uri`; forgotten when fetching it fails, unless
    /// it was given.
    jwks_uri: Mutex<Option<String>>,
    fixed_jwks_uri: bool,
}

/// One fetched set and its times, in seconds.
struct Snapshot {
    keys: VerificationKeys,
    refresh_at: u64,
    usable_until: u64,
}

impl fmt::Debug for RemoteKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let current = self.inner.current.load();
        f.debug_struct("RemoteKeys")
            .field("issuer", &self.inner.issuer)
            .field("keys", &current.as_deref().map(|s| &s.keys))
            .finish_non_exhaustive()
    }
}

impl RemoteKeys {
    /// A key source for `issuer`'s tokens, fetching with `fetcher`. Nothing is
    /// fetched until the first validation or [`refresh`](Self::refresh).
    ///
    /// # Errors
    /// [`ConfigError::InvalidIssuer`] unless `issuer` is an `https` URL without
    /// query or fragment (or loopback `http` with
    /// `danger_allow_http_loopback`); [`ConfigError::Invalid`] when
    /// `min_ttl > max_ttl`.
    pub fn new(
        issuer: impl Into<String>,
        fetcher: impl HttpGet,
        config: RemoteKeysConfig,
    ) -> Result<Self, ConfigError> {
        let issuer = issuer.into();
        if !is_acceptable_url(&issuer, config.danger_allow_http_loopback, false) {
            return Err(ConfigError::InvalidIssuer(issuer));
        }
        if config.min_ttl > config.max_ttl {
            return Err(ConfigError::Invalid("min_ttl may not exceed max_ttl"));
        }
        Ok(Self {
            inner: Arc::new(Inner {
                metadata_url: metadata_url(&issuer),
                issuer,
                config,
                fetcher: Box::new(fetcher),
                current: ArcSwapOption::empty(),
                fetching: AtomicBool::new(false),
                fetch_ended: Event::new(),
                next_attempt: AtomicU64::new(0),
                next_kid_miss: AtomicU64::new(0),
                jwks_uri: Mutex::new(None),
                fixed_jwks_uri: false,
            }),
        })
    }

    /// [`new`](Self::new) with a known `jwks_uri`: no metadata is read.
    ///
    /// # Errors
    /// As [`new`](Self::new), and [`ConfigError::InvalidEndpoint`] for a
    /// `jwks_uri` that is not `https` (or loopback `http` when allowed).
    pub fn with_jwks_uri(
        issuer: impl Into<String>,
        jwks_uri: impl Into<String>,
        fetcher: impl HttpGet,
        config: RemoteKeysConfig,
    ) -> Result<Self, ConfigError> {
        let jwks_uri = jwks_uri.into();
        if !is_acceptable_url(&jwks_uri, config.danger_allow_http_loopback, true) {
            return Err(ConfigError::InvalidEndpoint(jwks_uri));
        }
        let mut keys = Self::new(issuer, fetcher, config)?;
        let inner = Arc::get_mut(&mut keys.inner).expect("not shared yet");
        inner.fixed_jwks_uri = true;
        *inner.jwks_uri.get_mut().expect("not shared yet") = Some(jwks_uri);
        Ok(keys)
    }

    /// [`new`](Self::new) reading the `jwks_uri` from the issuer's OpenID
    /// Connect Discovery document, `{issuer}/.well-known/openid-configuration`
    /// (OpenID Connect Discovery 1.0 §4: the well-known path is appended to the
    /// issuer), as Kubernetes, GitHub Actions and most OIDC issuers publish it.
    pub(crate) fn with_openid_discovery(
        issuer: impl Into<String>,
        fetcher: impl HttpGet,
        config: RemoteKeysConfig,
    ) -> Result<Self, ConfigError> {
        let mut keys = Self::new(issuer, fetcher, config)?;
        let inner = Arc::get_mut(&mut keys.inner).expect("not shared yet");
        inner.metadata_url = format!(
            "{}/.well-known/openid-configuration",
            inner.issuer.trim_end_matches('/')
        );
        Ok(keys)
    }

    /// The issuer identifier.
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// The URL of the issuer's metadata document.
    pub fn metadata_url(&self) -> &str {
        &self.inner.metadata_url
    }

    /// The keys now served, if a set was ever fetched.
    pub fn current(&self) -> Option<VerificationKeys> {
        self.inner.current.load().as_deref().map(|s| s.keys.clone())
    }

    /// Fetches the set now, unless a fetch is already running (then waits for
    /// it). For a background task that keeps the set fresh, or to fetch it
    /// before the first request.
    ///
    /// # Errors
    /// The [`StoreError`] of a failed fetch (discovery, status, or a document
    /// that is not a usable JWK Set); the previous set keeps serving.
    pub async fn refresh(&self, now: UnixTime) -> Result<(), StoreError> {
        self.fetch_or_wait(now).await.unwrap_or(Ok(()))
    }

    /// Steps 1 to 4 of the resource server's `Validator` with the current
    /// set, fetching it first when there is none, refreshing it when due, and
    /// once more for an unknown `kid`.
    pub(crate) async fn verify(
        &self,
        verifier: &TokenVerifier,
        token: &str,
        now: UnixTime,
    ) -> Result<SignedClaims, ValidationError> {
        self.verify_by(now, |keys| verifier.verify_with(keys, token))
            .await
    }

    /// Runs `check` on the current set, fetching it first when there is
    /// none, refreshing it when due, and once more when `check` answers
    /// [`ValidationError::UnknownKey`]: for any JWT whose keys this source
    /// holds.
    pub(crate) async fn verify_by<T>(
        &self,
        now: UnixTime,
        check: impl Fn(&VerificationKeys) -> Result<T, ValidationError>,
    ) -> Result<T, ValidationError> {
        let secs = now.as_secs();
        match self.state(secs) {
            State::Fresh => {}
            State::Due => {
                if secs >= self.inner.next_attempt.load(Ordering::Relaxed) {
                    self.refresh_if_idle(now).await;
                }
            }
            State::Unusable => {
                if secs >= self.inner.next_attempt.load(Ordering::Relaxed) {
                    let _ = self.fetch_or_wait(now).await;
                }
            }
        }
        match self.verify_now(&check, secs) {
            // A fetch under way may bring the key: wait for it, start none.
            Err(ValidationError::UnknownKey) if self.inner.fetching.load(Ordering::Acquire) => {
                self.wait_for_fetch().await;
                self.verify_now(&check, secs)
            }
            Err(ValidationError::UnknownKey) if self.claim_kid_miss(secs) => {
                let _ = self.fetch_or_wait(now).await;
                self.verify_now(&check, secs)
            }
            result => result,
        }
    }

    fn state(&self, secs: u64) -> State {
        match self.inner.current.load().as_deref() {
            Some(s) if secs < s.usable_until && secs < s.refresh_at => State::Fresh,
            Some(s) if secs < s.usable_until => State::Due,
            _ => State::Unusable,
        }
    }

    fn verify_now<T>(
        &self,
        check: &impl Fn(&VerificationKeys) -> Result<T, ValidationError>,
        secs: u64,
    ) -> Result<T, ValidationError> {
        let current = self.inner.current.load();
        match current.as_deref() {
            Some(s) if secs < s.usable_until => check(&s.keys),
            _ => Err(ValidationError::KeysUnavailable),
        }
    }

    /// Whether a fetch for an unknown `kid` may start now; if so, the next may
    /// not start before `kid_miss_interval` has passed.
    fn claim_kid_miss(&self, secs: u64) -> bool {
        let next = self.inner.next_kid_miss.load(Ordering::Relaxed);
        secs >= next
            && self
                .inner
                .next_kid_miss
                .compare_exchange(
                    next,
                    secs.saturating_add(ceil_secs(self.inner.config.kid_miss_interval)),
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                )
                .is_ok()
    }

    /// Runs a refresh unless one is running: the others go on with the
    /// previous set.
    async fn refresh_if_idle(&self, now: UnixTime) {
        if self.try_start() {
            let _ = self.fetch_and_finish(now).await;
        }
    }

    /// Runs a fetch, or waits for the one running. `None` when it waited.
    async fn fetch_or_wait(&self, now: UnixTime) -> Option<Result<(), StoreError>> {
        if self.try_start() {
            return Some(self.fetch_and_finish(now).await);
        }
        self.wait_for_fetch().await;
        None
    }

    /// Waits until the fetch under way, if any, has ended.
    async fn wait_for_fetch(&self) {
        let listener = self.inner.fetch_ended.listen();
        if self.inner.fetching.load(Ordering::Acquire) {
            listener.await;
        }
    }

    fn try_start(&self) -> bool {
        self.inner
            .fetching
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    async fn fetch_and_finish(&self, now: UnixTime) -> Result<(), StoreError> {
        // Cleared even if the future is dropped mid-fetch.
        struct Finish<'a>(&'a Inner);
        impl Drop for Finish<'_> {
            fn drop(&mut self) {
                self.0.fetching.store(false, Ordering::Release);
                self.0.fetch_ended.notify(usize::MAX);
            }
        }
        let _finish = Finish(&self.inner);
        let secs = now.as_secs();
        match self.fetch(secs).await {
            Ok(snapshot) => {
                self.inner.current.store(Some(Arc::new(snapshot)));
                Ok(())
            }
            Err(error) => {
                let retry = secs.saturating_add(ceil_secs(self.inner.config.retry_interval));
                self.inner.next_attempt.store(retry, Ordering::Relaxed);
                Err(error)
            }
        }
    }

    async fn fetch(&self, secs: u64) -> Result<Snapshot, StoreError> {
        let known = self.lock_jwks_uri().clone();
        let jwks_uri = match known {
            Some(uri) => uri,
            None => {
                let uri = self.discover().await?;
                *self.lock_jwks_uri() = Some(uri.clone());
                uri
            }
        };
        let response = self.inner.fetcher.get_boxed(&jwks_uri).await?;
        if response.status != 200 {
            // The metadata may name another `jwks_uri` by now.
            if !self.inner.fixed_jwks_uri {
                *self.lock_jwks_uri() = None;
            }
            return Err(StoreError::msg(format!(
                "the JWK Set at {jwks_uri} answered HTTP {}",
                response.status
            )));
        }
        let text = std::str::from_utf8(&response.body)
            .map_err(|_| StoreError::msg("the JWK Set is not UTF-8"))?;
        let keys = VerificationKeys::from_jwks_json(text).map_err(StoreError::new)?;
        let config = &self.inner.config;
        let ttl = cache_ttl(response.cache_control.as_deref(), config);
        let ttl = ceil_secs(ttl);
        let usable = ceil_secs(config.max_age).max(ttl);
        Ok(Snapshot {
            keys,
            refresh_at: secs.saturating_add(ttl),
            usable_until: secs.saturating_add(usable),
        })
    }

    /// Reads the `jwks_uri` from the issuer's metadata.
    async fn discover(&self) -> Result<String, StoreError> {
        let url = &self.inner.metadata_url;
        let response = self.inner.fetcher.get_boxed(url).await?;
        if response.status != 200 {
            return Err(StoreError::msg(format!(
                "the metadata at {url} answered HTTP {}",
                response.status
            )));
        }
        #[derive(serde::Deserialize)]
        struct Metadata {
            issuer: String,
            jwks_uri: String,
        }
        let metadata: Metadata = serde_json::from_slice(&response.body)
            .map_err(|e| StoreError::msg(format!("the metadata at {url} is unreadable: {e}")))?;
        if metadata.issuer != self.inner.issuer {
            return Err(StoreError::msg(format!(
                "the metadata at {url} names another issuer"
            )));
        }
        if !is_acceptable_url(
            &metadata.jwks_uri,
            self.inner.config.danger_allow_http_loopback,
            true,
        ) {
            return Err(StoreError::msg(format!(
                "the metadata at {url} names an unacceptable jwks_uri"
            )));
        }
        Ok(metadata.jwks_uri)
    }

    fn lock_jwks_uri(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.inner
            .jwks_uri
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

enum State {
    Fresh,
    Due,
    Unusable,
}

/// The RFC 8414 §3.1 metadata URL: the well-known segment between the host and
/// the issuer's path.
fn metadata_url(issuer: &str) -> String {
    let (scheme, rest) = issuer.split_once("://").unwrap_or(("https", issuer));
    let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
    let path = path.trim_end_matches('/');
    format!("{scheme}://{authority}/.well-known/oauth-authorization-server{path}")
}

/// The TTL `Cache-Control` gives, clamped to the configured bounds.
fn cache_ttl(cache_control: Option<&str>, config: &RemoteKeysConfig) -> Duration {
    let mut ttl = None;
    for directive in cache_control.unwrap_or("").split(',').map(str::trim) {
        let (name, value) = directive.split_once('=').unwrap_or((directive, ""));
        let name = name.trim();
        if name.eq_ignore_ascii_case("no-cache") || name.eq_ignore_ascii_case("no-store") {
            ttl = Some(Duration::ZERO);
            break;
        }
        if name.eq_ignore_ascii_case("max-age")
            && let Ok(secs) = value.trim().trim_matches('"').parse::<u64>()
        {
            ttl = Some(Duration::from_secs(secs));
        }
    }
    ttl.unwrap_or(config.default_ttl)
        .clamp(config.min_ttl, config.max_ttl)
}

#[cfg(test)]
mod tests;
