//! [`TokenSource`]: an access token for each (scope, resource), fetched once,
//! reused until shortly before it expires, and refreshed by one request
//! however many tasks ask.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;

use crate::client::access_token::AccessToken;
use crate::client::backoff::{RetryPolicy, is_retryable, parse_retry_after};
use crate::client::credentials::Credentials;
use crate::client::dpop::{DpopKey, asks_for_nonce};
use crate::client::endpoint::{Endpoint, Resolved, metadata_url, read_metadata};
use crate::client::error::TokenSourceError;
use crate::client::http::{DynTokenHttp, HttpFuture, TokenHttp, TokenHttpResponse};
use crate::client::reqwest_http::ReqwestHttp;
use crate::jose::keys::SigningKey;
use crate::vocab::clock::{Clock, SystemClock};
use crate::vocab::error::ConfigError;
use crate::vocab::time::UnixTime;
use crate::vocab::url::is_acceptable_url;

/// The default [`TokenSourceBuilder::refresh_margin`]: 60 seconds.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Access tokens for calling protected APIs, from an OAuth 2.0 authorization
/// server.
///
/// For each (scope, resource) pair it asks for, the source keeps the latest
/// token and hands it out until `refresh_margin` (60 s by default) before it
/// expires. Then the first caller refreshes it while the others still get the
/// valid one; once it has expired, every caller waits for the one request in
/// flight (single flight: a hundred tasks asking at once cause one token
/// request). Failed requests are retried with backoff per its
/// [`RetryPolicy`]; a refresh that fails while the old token is still valid
/// hands out the old token.
///
/// With [`TokenSourceBuilder::dpop`], the source holds a DPoP proof key
/// (RFC 9449): it signs a proof for each token request, answers a server's
/// `use_dpop_nonce` with one retry carrying the nonce (and remembers the
/// latest nonce of each endpoint), insists on `token_type` `DPoP`, and the
/// tokens it hands out sign the proofs for the calls that carry them
/// ([`AccessToken::dpop_proof`]).
///
/// Cheap to clone (the clones share the cache). Its `Debug` shows the
/// endpoint, the credentials' method and client id, and the number of cached
/// tokens, never a token or secret.
///
/// ```no_run
/// use client_credentials::client::{Credentials, Endpoint, TokenSource};
/// use client_credentials::{ClientId, ClientSecret};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let source = TokenSource::builder(
///     Endpoint::issuer("https://auth.example.com"),
///     Credentials::client_secret_basic(ClientId::new("reporting-job")?, ClientSecret::new("…")),
/// )
/// .scope("metrics:read")
/// .resource("https://metrics.example.com")
/// .build()?;
///
/// let token = source.token().await?;
/// let response = reqwest::Client::new()
///     .get("https://metrics.example.com/v1/series")
///     .header("authorization", token.authorization())
///     .send()
///     .await?;
/// # let _ = response;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct TokenSource {
    inner: Arc<Inner>,
}

struct Inner {
    endpoint: Endpoint,
    credentials: Credentials,
    http: Box<dyn DynTokenHttp>,
    clock: Arc<dyn Clock>,
    refresh_margin: Duration,
    assumed_lifetime: Duration,
    retry: RetryPolicy,
    allow_http_loopback: bool,
    scope: Option<String>,
    resource: Option<String>,
    dpop: Option<Arc<DpopKey>>,
    resolved: tokio::sync::OnceCell<Resolved>,
    slots: Mutex<HashMap<TokenKey, Arc<Slot>>>,
}

/// The (scope, resource) a token is for; the scope's values sorted, so
/// `"b a"` and `"a b"` share a token.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct TokenKey {
    scope: Option<String>,
    resource: Option<String>,
}

impl TokenKey {
    fn new(scope: Option<&str>, resource: Option<&str>) -> Self {
        let scope = scope.and_then(|scope| {
            let mut values: Vec<&str> = scope.split_ascii_whitespace().collect();
            values.sort_unstable();
            values.dedup();
            (!values.is_empty()).then(|| values.join(" "))
        });
        Self {
            scope,
            resource: resource.map(str::to_owned),
        }
    }
}

/// One key's cached token and its single flight.
#[derive(Default)]
struct Slot {
    cached: Mutex<Option<AccessToken>>,
    /// Bumped whenever a request ends, so a caller that waited for the
    /// flight knows it ended (and takes its outcome) rather than asking again.
    generation: AtomicU64,
    flight: tokio::sync::Mutex<Option<TokenSourceError>>,
}

impl Slot {
    fn cached(&self) -> Option<AccessToken> {
        self.cached
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn store(&self, token: Option<AccessToken>) {
        *self.cached.lock().unwrap_or_else(|e| e.into_inner()) = token;
    }
}

impl TokenSource {
    /// A source asking `endpoint` with `credentials`; see
    /// [`TokenSourceBuilder`] for the settings.
    pub fn builder(endpoint: Endpoint, credentials: Credentials) -> TokenSourceBuilder {
        TokenSourceBuilder {
            endpoint,
            credentials,
            http: None,
            clock: Arc::new(SystemClock),
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            assumed_lifetime: Duration::from_secs(300),
            retry: RetryPolicy::default(),
            allow_http_loopback: false,
            scope: None,
            resource: None,
            dpop: DpopSetting::Off,
        }
    }

    /// A token for the configured scope and resource.
    ///
    /// # Errors
    /// A [`TokenSourceError`] when no valid token can be had.
    pub async fn token(&self) -> Result<AccessToken, TokenSourceError> {
        let inner = &self.inner;
        self.token_for(inner.scope.as_deref(), inner.resource.as_deref())
            .await
    }

    /// A token for `scope` (space-separated values, or `None` for the
    /// client's default) and `resource` (RFC 8707; `None` for the client's
    /// default audience).
    ///
    /// # Errors
    /// A [`TokenSourceError`] when no valid token can be had: a refusal
    /// at once, an outage after the retries.
    pub async fn token_for(
        &self,
        scope: Option<&str>,
        resource: Option<&str>,
    ) -> Result<AccessToken, TokenSourceError> {
        let key = TokenKey::new(scope, resource);
        let slot = self.slot(&key);
        // The generation is read before the cache: a request that ends
        // between the two reads is then seen by one or the other.
        let seen = slot.generation.load(Ordering::Acquire);
        let now = self.inner.clock.now();
        let cached = slot.cached();
        if let Some(token) = &cached
            && self.is_fresh(token, now)
        {
            return Ok(token.clone());
        }
        let mut flight = match &cached {
            // Due for refresh but still valid: one caller refreshes, the
            // others carry on with the valid token.
            Some(token) if now < token.expires_at() => match slot.flight.try_lock() {
                Ok(flight) => flight,
                Err(_) => return Ok(token.clone()),
            },
            _ => slot.flight.lock().await,
        };
        if slot.generation.load(Ordering::Acquire) != seen {
            // A request ended while this caller waited: take its outcome.
            let now = self.inner.clock.now();
            if let Some(token) = slot.cached()
                && now < token.expires_at()
            {
                return Ok(token);
            }
            if let Some(error) = flight.as_ref() {
                return Err(error.clone());
            }
        }
        let outcome = self.fetch(&key).await;
        let result = match outcome {
            Ok(token) => {
                slot.store(Some(token.clone()));
                *flight = None;
                Ok(token)
            }
            Err(error) => {
                *flight = Some(error.clone());
                match slot.cached() {
                    Some(token) if self.inner.clock.now() < token.expires_at() => Ok(token),
                    _ => Err(error),
                }
            }
        };
        slot.generation.fetch_add(1, Ordering::Release);
        drop(flight);
        result
    }

    /// Forgets `token`, cached for `scope` and `resource` (as passed to
    /// [`token_for`](Self::token_for)), so the next caller asks for a new one:
    /// for a token the resource server refused with `invalid_token`. A newer
    /// token cached meanwhile stays.
    pub fn invalidate(&self, scope: Option<&str>, resource: Option<&str>, token: &AccessToken) {
        let key = TokenKey::new(scope, resource);
        let slot = self.lock_slots().get(&key).cloned();
        if let Some(slot) = slot {
            let mut cached = slot.cached.lock().unwrap_or_else(|e| e.into_inner());
            if cached.as_ref().is_some_and(|c| c.same_token(token)) {
                *cached = None;
            }
        }
    }

    /// The configured scope, if any.
    pub fn scope(&self) -> Option<&str> {
        self.inner.scope.as_deref()
    }

    /// The configured resource, if any.
    pub fn resource(&self) -> Option<&str> {
        self.inner.resource.as_deref()
    }

    /// Whether the source asks for DPoP-bound tokens.
    pub fn is_dpop(&self) -> bool {
        self.inner.dpop.is_some()
    }

    /// How long before expiry a token is refreshed.
    pub fn refresh_margin(&self) -> Duration {
        self.inner.refresh_margin
    }

    /// The source's clock.
    #[cfg_attr(not(feature = "tonic"), allow(dead_code))]
    pub(crate) fn now(&self) -> UnixTime {
        self.inner.clock.now()
    }

    /// The retry policy.
    #[cfg_attr(not(feature = "tonic"), allow(dead_code))]
    pub(crate) fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry
    }

    fn is_fresh(&self, token: &AccessToken, now: UnixTime) -> bool {
        now.saturating_add(self.inner.refresh_margin) < token.expires_at()
    }

    fn lock_slots(&self) -> std::sync::MutexGuard<'_, HashMap<TokenKey, Arc<Slot>>> {
        self.inner.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn slot(&self, key: &TokenKey) -> Arc<Slot> {
        let mut slots = self.lock_slots();
        if let Some(slot) = slots.get(key) {
            return slot.clone();
        }
        let slot = Arc::new(Slot::default());
        slots.insert(key.clone(), slot.clone());
        slot
    }

    /// The token endpoint, discovered once.
    async fn resolve(&self) -> Result<&Resolved, TokenSourceError> {
        let inner = &self.inner;
        inner
            .resolved
            .get_or_try_init(|| async {
                match &inner.endpoint {
                    Endpoint::TokenEndpoint(url) => Ok(Resolved {
                        token_endpoint: url.clone(),
                        issuer: None,
                    }),
                    Endpoint::Issuer(issuer) => {
                        let url = metadata_url(issuer);
                        let response =
                            self.send(|| Ok(inner.http.get_boxed(&url)))
                                .await
                                .map_err(|e| TokenSourceError::Discovery {
                                    url: url.clone(),
                                    reason: e.to_string(),
                                })?;
                        read_metadata(issuer, &url, &response, |endpoint| {
                            is_acceptable_url(endpoint, inner.allow_http_loopback, true)
                        })
                    }
                }
            })
            .await
    }

    /// One token request, retried as the policy says; with DPoP, asked once
    /// more with the nonce the server demands (RFC 9449 §8).
    async fn fetch(&self, key: &TokenKey) -> Result<AccessToken, TokenSourceError> {
        let resolved = self.resolve().await?;
        let inner = &self.inner;
        let endpoint = resolved.token_endpoint.as_str();
        let mut nonce_retry = inner.dpop.is_some();
        loop {
            let mut sent_at = inner.clock.now();
            let response = self
                .send(|| {
                    sent_at = inner.clock.now();
                    let mut request = inner.credentials.token_request(
                        endpoint,
                        resolved.issuer.as_deref(),
                        key.scope.as_deref(),
                        key.resource.as_deref(),
                        sent_at,
                    )?;
                    if let Some(dpop) = &inner.dpop {
                        let proof = dpop.proof("POST", endpoint, None, None)?;
                        request.headers.push(("DPoP".to_owned(), proof));
                    }
                    Ok(
                        Box::pin(async move { inner.http.post_boxed(&request).await })
                            as HttpFuture<'_>,
                    )
                })
                .await?;
            let Some(dpop) = &inner.dpop else {
                if response.status != 200 {
                    return Err(refusal(&response));
                }
                return read_token_response(&response.body, sent_at, inner.assumed_lifetime);
            };
            if let Some(nonce) = &response.dpop_nonce {
                dpop.remember_nonce(endpoint, nonce);
                if nonce_retry && asks_for_nonce(response.status, &response.body) {
                    nonce_retry = false;
                    continue;
                }
            }
            if response.status != 200 {
                return Err(refusal(&response));
            }
            let token = read_token_response(&response.body, sent_at, inner.assumed_lifetime)?;
            if !token.token_type().eq_ignore_ascii_case("DPoP") {
                return Err(TokenSourceError::InvalidResponse(format!(
                    "the token_type is {:?}, not DPoP, although the request carried a DPoP proof; \
                     the server does not support DPoP (RFC 9449 §5)",
                    token.token_type()
                )));
            }
            return Ok(token.bound_to(dpop.clone()));
        }
    }

    /// Sends what `request` makes until an answer that is not worth
    /// retrying, or the policy's attempts are spent.
    async fn send<'a>(
        &'a self,
        mut request: impl FnMut() -> Result<HttpFuture<'a>, TokenSourceError>,
    ) -> Result<TokenHttpResponse, TokenSourceError> {
        let policy = self.inner.retry;
        let max_attempts = policy.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let retry_after = match request()?.await {
                Ok(response) if !is_retryable(response.status) => return Ok(response),
                Ok(response) => {
                    let retry_after = if matches!(response.status, 429 | 503) {
                        parse_retry_after(response.retry_after.as_deref())
                    } else {
                        None
                    };
                    let unavailable = TokenSourceError::Unavailable {
                        status: response.status,
                        retry_after,
                        attempts: attempt,
                    };
                    if attempt >= max_attempts {
                        return Err(unavailable);
                    }
                    match policy.wait(attempt, retry_after) {
                        Some(wait) => wait,
                        None => return Err(unavailable),
                    }
                }
                Err(source) if attempt >= max_attempts => {
                    return Err(TokenSourceError::Transport {
                        source,
                        attempts: attempt,
                    });
                }
                Err(_) => policy.backoff(attempt),
            };
            tokio::time::sleep(retry_after).await;
        }
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    token_type: String,
    expires_in: Option<u64>,
    scope: Option<String>,
}

#[derive(Deserialize)]
struct ErrorResponse {
    error: String,
    error_description: Option<String>,
}

/// RFC 6749 §5.1: the token, its type, lifetime and scope.
fn read_token_response(
    body: &[u8],
    sent_at: UnixTime,
    assumed_lifetime: Duration,
) -> Result<AccessToken, TokenSourceError> {
    let response: TokenResponse = serde_json::from_slice(body).map_err(|e| {
        // serde_json's message names the field and position, never the value.
        TokenSourceError::InvalidResponse(format!("{e}"))
    })?;
    if response.access_token.is_empty() {
        return Err(TokenSourceError::InvalidResponse(
            "the access_token is empty".into(),
        ));
    }
    let lifetime = response
        .expires_in
        .map_or(assumed_lifetime, Duration::from_secs);
    Ok(AccessToken::new(
        response.access_token,
        &response.token_type,
        sent_at.saturating_add(lifetime),
        response.scope,
    ))
}

/// RFC 6749 §5.2: the error a refusal names.
fn refusal(response: &TokenHttpResponse) -> TokenSourceError {
    match serde_json::from_slice::<ErrorResponse>(&response.body) {
        Ok(error) => TokenSourceError::Refused {
            status: response.status,
            error: error.error,
            error_description: error.error_description,
        },
        Err(_) => TokenSourceError::InvalidResponse(format!(
            "HTTP {} without an OAuth error; check the token endpoint URL",
            response.status
        )),
    }
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("TokenSource")
            .field("endpoint", &inner.endpoint)
            .field("credentials", &inner.credentials)
            .field("scope", &inner.scope)
            .field("resource", &inner.resource)
            .field("refresh_margin", &inner.refresh_margin)
            .field("dpop", &inner.dpop)
            .field("cached_keys", &self.lock_slots().len())
            .finish_non_exhaustive()
    }
}

/// The settings of a [`TokenSource`].
///
/// # Defaults
/// - HTTP: `ReqwestHttp::new()`, or [`http`](Self::http) for another client;
/// - clock: the system's;
/// - `refresh_margin`: [`DEFAULT_REFRESH_MARGIN`] (60 s);
/// - `assumed_lifetime`: 5 minutes, for a response without `expires_in`;
/// - retries: [`RetryPolicy::default`];
/// - URLs must be `https` (loopback `http` only with
///   [`danger_allow_http_loopback`](Self::danger_allow_http_loopback));
/// - no scope and no resource: the client's defaults at the server;
/// - no DPoP: bearer tokens.
#[must_use]
pub struct TokenSourceBuilder {
    endpoint: Endpoint,
    credentials: Credentials,
    http: Option<Box<dyn DynTokenHttp>>,
    clock: Arc<dyn Clock>,
    refresh_margin: Duration,
    assumed_lifetime: Duration,
    retry: RetryPolicy,
    allow_http_loopback: bool,
    scope: Option<String>,
    resource: Option<String>,
    dpop: DpopSetting,
}

/// Whether and with which key the source asks for DPoP-bound tokens.
enum DpopSetting {
    Off,
    Generate,
    Key(Box<SigningKey>),
}

impl TokenSourceBuilder {
    /// Sends the requests with `http` instead of `reqwest`.
    pub fn http(mut self, http: impl TokenHttp) -> Self {
        self.http = Some(Box::new(http));
        self
    }

    /// Reads the time from `clock`.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Refreshes a token this long before it expires.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// The lifetime of a token whose response has no `expires_in`.
    pub fn assumed_lifetime(mut self, lifetime: Duration) -> Self {
        self.assumed_lifetime = lifetime;
        self
    }

    /// Retries as `policy` says.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The scope [`TokenSource::token`] asks for (space-separated values).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// The resource [`TokenSource::token`] asks for (RFC 8707).
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// Asks for DPoP-bound tokens (RFC 9449) with a fresh ES256 proof key,
    /// generated when the source is built and kept in memory only.
    pub fn dpop(mut self) -> Self {
        self.dpop = DpopSetting::Generate;
        self
    }

    /// Asks for DPoP-bound tokens (RFC 9449) with `key` (asymmetric: ES256,
    /// ES384, EdDSA, RS256 or PS256) as the proof key, for a key that must
    /// outlive the process.
    pub fn dpop_key(mut self, key: SigningKey) -> Self {
        self.dpop = DpopSetting::Key(Box::new(key));
        self
    }

    /// Accepts `http` URLs on `localhost`, `127.0.0.1` or `[::1]`: for tests
    /// and local demos only, as credentials then travel in the clear.
    pub fn danger_allow_http_loopback(mut self) -> Self {
        self.allow_http_loopback = true;
        self
    }

    /// The source.
    ///
    /// # Errors
    /// [`ConfigError::InvalidIssuer`] or [`ConfigError::InvalidEndpoint`] for
    /// a URL that is not `https` (or allowed loopback `http`);
    /// [`ConfigError::Invalid`] when the default HTTP client cannot be built;
    /// [`ConfigError::InvalidKey`] for a symmetric DPoP key, or when a DPoP
    /// key cannot be generated.
    pub fn build(self) -> Result<TokenSource, ConfigError> {
        match &self.endpoint {
            Endpoint::Issuer(url) if !is_acceptable_url(url, self.allow_http_loopback, false) => {
                return Err(ConfigError::InvalidIssuer(url.clone()));
            }
            Endpoint::TokenEndpoint(url)
                if !is_acceptable_url(url, self.allow_http_loopback, true) =>
            {
                return Err(ConfigError::InvalidEndpoint(url.clone()));
            }
            _ => {}
        }
        let http = match self.http {
            Some(http) => http,
            None => Box::new(ReqwestHttp::new().map_err(|_| {
                ConfigError::Invalid("the reqwest client cannot be built (no TLS trust roots?)")
            })?),
        };
        let dpop = match self.dpop {
            DpopSetting::Off => None,
            DpopSetting::Generate => {
                let (key, _pem) = SigningKey::generate(crate::jose::algorithm::Algorithm::ES256)?;
                Some(Arc::new(DpopKey::new(key, self.clock.clone())))
            }
            DpopSetting::Key(key) if key.public_jwk().is_none() => {
                return Err(ConfigError::InvalidKey(
                    "a DPoP proof key must be asymmetric (ES256, ES384, EdDSA, RS256 or PS256)"
                        .to_owned(),
                ));
            }
            DpopSetting::Key(key) => Some(Arc::new(DpopKey::new(*key, self.clock.clone()))),
        };
        Ok(TokenSource {
            inner: Arc::new(Inner {
                endpoint: self.endpoint,
                credentials: self.credentials,
                http,
                clock: self.clock,
                refresh_margin: self.refresh_margin,
                assumed_lifetime: self.assumed_lifetime,
                retry: self.retry,
                allow_http_loopback: self.allow_http_loopback,
                scope: self.scope,
                resource: self.resource,
                dpop,
                resolved: tokio::sync::OnceCell::new(),
                slots: Mutex::new(HashMap::new()),
            }),
        })
    }
}

impl fmt::Debug for TokenSourceBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSourceBuilder")
            .field("endpoint", &self.endpoint)
            .field("credentials", &self.credentials)
            .field("dpop", &!matches!(self.dpop, DpopSetting::Off))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
