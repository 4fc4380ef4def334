//! The [`Issuer`]: configuration plus stores, driving a token request from HTTP
//! parts to an HTTP response.

use std::fmt;
use std::sync::Arc;

use fluent_uri::Uri;

use crate::audit::{AuditEvent, AuditSink, NoAudit, Outcome};
use crate::claims::MintClaims;
use crate::client::{AuthMethod, ClientId, ClientStore};
use crate::client_auth::{AuthenticatedClient, authenticate};
use crate::clock::{Clock, SystemClock};
use crate::error::{ConfigError, Reason, TokenError};
use crate::keys::KeySet;
use crate::metadata::ServerMetadata;
use crate::mint::{JtiSource, RandomJti, mint};
use crate::policy::Policy;
use crate::request::{DEFAULT_MAX_BODY_BYTES, RequestParts, TokenRequest};
use crate::response::{HttpResponse, TokenResponse};
use crate::scope::ScopeSet;
use crate::throttle::{AuthThrottle, MemoryThrottle, ThrottleConfig};
use crate::time::UnixTime;

/// A client-credentials authorization server: configuration, keys and stores.
///
/// Build it once with [`Issuer::builder`], share it (`Arc<Issuer<_>>`), and call
/// [`handle_token_request`](Self::handle_token_request) from any HTTP stack.
pub struct Issuer<S> {
    issuer: String,
    token_endpoint: String,
    jwks_uri: String,
    keys: KeySet,
    store: S,
    policy: Policy,
    auth_methods: Vec<AuthMethod>,
    clock: Arc<dyn Clock>,
    audit: Arc<dyn AuditSink>,
    throttle: Arc<dyn AuthThrottle>,
    jti: Arc<dyn JtiSource>,
    max_body_bytes: usize,
    jwks_json: String,
    metadata_json: String,
}

impl<S> fmt::Debug for Issuer<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issuer")
            .field("issuer", &self.issuer)
            .field("token_endpoint", &self.token_endpoint)
            .field("keys", &self.keys)
            .field("policy", &self.policy)
            .field("auth_methods", &self.auth_methods)
            .finish_non_exhaustive()
    }
}

impl<S: ClientStore> Issuer<S> {
    /// Starts configuring an issuer with identifier `issuer` (an `https` URL
    /// without query or fragment, C77), signing keys and a client store.
    ///
    /// # Defaults
    /// - token endpoint `{issuer}/token`, JWKS at `{issuer}/jwks.json`
    /// - [`Policy::default`], [`SystemClock`], no audit sink
    /// - failed authentication throttled by a [`MemoryThrottle`] with
    ///   [`ThrottleConfig::default`]
    /// - methods `client_secret_basic` and `client_secret_post`
    /// - request bodies up to [`DEFAULT_MAX_BODY_BYTES`]
    pub fn builder(issuer: impl Into<String>, keys: KeySet, store: S) -> IssuerBuilder<S> {
        IssuerBuilder {
            issuer: issuer.into(),
            token_endpoint: None,
            jwks_uri: None,
            keys,
            store,
            policy: Policy::default(),
            auth_methods: vec![AuthMethod::ClientSecretBasic, AuthMethod::ClientSecretPost],
            clock: Arc::new(SystemClock),
            audit: Arc::new(NoAudit),
            throttle: None,
            jti: Arc::new(RandomJti),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            scopes_supported: ScopeSet::new(),
            allow_http_loopback: false,
        }
    }

    /// The token endpoint: HTTP parts in, HTTP response out. Never fails: every
    /// refusal is an RFC 6749 §5.2 response, and every decision is audited.
    pub async fn handle_token_request(&self, parts: RequestParts<'_>) -> HttpResponse {
        let now = self.clock.now();
        let request = match TokenRequest::parse(&parts, self.max_body_bytes) {
            Ok(r) => r,
            Err(reason) => {
                self.audit.record(&AuditEvent::refused(now, reason));
                return TokenError::new(reason).to_http();
            }
        };
        let result = match self.authenticate(&request, now).await {
            Ok(client) => self.issue(&client, &request, now),
            Err(e) => Err(e),
        };
        match result {
            Ok(token) => token.to_http(),
            Err(e) => e.to_http(),
        }
    }

    /// Authenticates the client of `request` at `now`: throttle check, store
    /// lookup, credential check. Refusals are audited.
    ///
    /// # Errors
    /// `invalid_client` (401, or 429 when throttled); `server_error` when the
    /// store fails.
    pub async fn authenticate(
        &self,
        request: &TokenRequest,
        now: UnixTime,
    ) -> Result<AuthenticatedClient, TokenError> {
        let auth = request.auth();
        let refuse = |error: TokenError| {
            let mut event = AuditEvent::refused(now, error.reason());
            event.client_id = auth.client_id();
            event.auth_method = Some(auth.method());
            event.requested_scope = request.scope();
            self.audit.record(&event);
            error
        };
        let Some(presented_id) = auth.client_id() else {
            return Err(refuse(Reason::NoClientAuthentication.into()));
        };
        if let Err(retry_after) = self.throttle.check(presented_id, now) {
            return Err(refuse(TokenError::throttled(retry_after.as_secs().max(1))));
        }
        let client = match ClientId::new(presented_id) {
            Ok(id) => self
                .store
                .client(&id)
                .await
                .map_err(|_| refuse(Reason::StoreUnavailable.into()))?,
            Err(_) => None, // Not a valid id, so registered nowhere (C31).
        };
        // A bare client_id (method `none`) never authenticates, but `authenticate`
        // says why: no credential, or a public client (C12, C13).
        let method = auth.method();
        let result = if method == AuthMethod::None || self.auth_methods.contains(&method) {
            authenticate(auth, client.as_ref(), now)
        } else {
            Err(Reason::UnsupportedAuthScheme)
        };
        match result {
            Ok(client) => {
                self.throttle.record_success(presented_id, now);
                Ok(client)
            }
            Err(reason) => {
                self.throttle.record_failure(presented_id, now);
                Err(refuse(reason.into()))
            }
        }
    }

    /// Issues a token to an authenticated client: grant checks, policy, minting.
    /// The decision is audited.
    ///
    /// # Errors
    /// `unauthorized_client`, `invalid_scope`, `invalid_target`, or `server_error`
    /// if signing fails.
    pub fn issue(
        &self,
        client: &AuthenticatedClient,
        request: &TokenRequest,
        now: UnixTime,
    ) -> Result<TokenResponse, TokenError> {
        let mut event = AuditEvent::refused(now, Reason::SigningFailed);
        event.client_id = Some(client.client().id().as_str());
        event.auth_method = Some(client.method());
        event.credential_id = Some(client.credential_id().as_str());
        event.requested_scope = request.scope();

        let grant = match self.check_and_grant(client, request) {
            Ok(g) => g,
            Err(reason) => {
                event.outcome = Outcome::Refused(reason);
                self.audit.record(&event);
                return Err(reason.into());
            }
        };
        let jti = self.jti.next_jti();
        let scope = grant.scope.to_string();
        let claims = MintClaims {
            iss: &self.issuer,
            sub: client.client().id().as_str(),
            aud: &grant.audiences,
            client_id: client.client().id().as_str(),
            iat: now,
            exp: now.saturating_add(grant.lifetime),
            jti: &jti,
            scope: Some(&scope),
            credential_id: Some(client.credential_id().as_str()),
        };
        event.granted_scope = Some(&grant.scope);
        event.audience = &grant.audiences;
        event.jti = Some(&jti);
        event.lifetime = Some(grant.lifetime);
        let token = match mint(self.keys.active(), &claims) {
            Ok(t) => t,
            Err(_) => {
                self.audit.record(&event);
                return Err(Reason::SigningFailed.into());
            }
        };
        event.outcome = Outcome::Issued;
        self.audit.record(&event);
        Ok(TokenResponse::new(token, grant.lifetime.as_secs(), scope))
    }

    fn check_and_grant(
        &self,
        client: &AuthenticatedClient,
        request: &TokenRequest,
    ) -> Result<crate::policy::Grant, Reason> {
        let registered = client.client();
        if !registered.is_enabled() {
            return Err(Reason::ClientDisabled);
        }
        if !registered.allows_client_credentials() {
            return Err(Reason::GrantNotAllowed);
        }
        self.policy.grant(registered, request)
    }
}

impl<S> Issuer<S> {
    /// The issuer identifier, exactly as configured (C77).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The token endpoint URL.
    pub fn token_endpoint(&self) -> &str {
        &self.token_endpoint
    }

    /// The URL the JWKS is published at.
    pub fn jwks_uri(&self) -> &str {
        &self.jwks_uri
    }

    /// The signing keys.
    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// The client store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The grant policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The public JWK Set document, rendered once.
    pub fn jwks_json(&self) -> &str {
        &self.jwks_json
    }

    /// The RFC 8414 metadata document, rendered once.
    pub fn metadata_json(&self) -> &str {
        &self.metadata_json
    }

    /// `GET` of the JWKS as an HTTP response.
    pub fn jwks_response(&self) -> HttpResponse {
        HttpResponse::public_json(&self.jwks_json)
    }

    /// `GET` of the metadata as an HTTP response (C75).
    pub fn metadata_response(&self) -> HttpResponse {
        HttpResponse::public_json(&self.metadata_json)
    }

    /// The path to serve the metadata at (C74).
    pub fn metadata_path(&self) -> String {
        crate::metadata::well_known_path(&self.issuer)
    }
}

/// Configures an [`Issuer`]; see [`Issuer::builder`] for the defaults.
pub struct IssuerBuilder<S> {
    issuer: String,
    token_endpoint: Option<String>,
    jwks_uri: Option<String>,
    keys: KeySet,
    store: S,
    policy: Policy,
    auth_methods: Vec<AuthMethod>,
    clock: Arc<dyn Clock>,
    audit: Arc<dyn AuditSink>,
    throttle: Option<Arc<dyn AuthThrottle>>,
    jti: Arc<dyn JtiSource>,
    max_body_bytes: usize,
    scopes_supported: ScopeSet,
    allow_http_loopback: bool,
}

impl<S> fmt::Debug for IssuerBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerBuilder")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl<S: ClientStore> IssuerBuilder<S> {
    /// Sets the token endpoint URL (`https`, no fragment: C6).
    #[must_use]
    pub fn token_endpoint(mut self, url: impl Into<String>) -> Self {
        self.token_endpoint = Some(url.into());
        self
    }

    /// Sets the URL the JWKS is published at.
    #[must_use]
    pub fn jwks_uri(mut self, url: impl Into<String>) -> Self {
        self.jwks_uri = Some(url.into());
        self
    }

    /// Sets the grant policy.
    #[must_use]
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the client authentication methods the endpoint accepts and advertises
    /// (C81). A client still uses only the methods of its registration.
    #[must_use]
    pub fn auth_methods(mut self, methods: impl IntoIterator<Item = AuthMethod>) -> Self {
        self.auth_methods = methods.into_iter().collect();
        self
    }

    /// Sets the clock.
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sets the audit sink.
    #[must_use]
    pub fn audit(mut self, sink: Arc<dyn AuditSink>) -> Self {
        self.audit = sink;
        self
    }

    /// Replaces the brute-force throttle (C15).
    #[must_use]
    pub fn throttle(mut self, throttle: Arc<dyn AuthThrottle>) -> Self {
        self.throttle = Some(throttle);
        self
    }

    /// Replaces the source of token ids (for reproducible tokens in tests).
    #[must_use]
    pub fn jti_source(mut self, source: Arc<dyn JtiSource>) -> Self {
        self.jti = source;
        self
    }

    /// Sets the request body limit.
    #[must_use]
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Sets the scopes advertised as `scopes_supported` (RFC 8414, recommended).
    #[must_use]
    pub fn scopes_supported(mut self, scopes: ScopeSet) -> Self {
        self.scopes_supported = scopes;
        self
    }

    /// Accepts `http://` URLs whose host is a loopback address (`127.0.0.1`,
    /// `localhost`, `[::1]`), for local development and tests only: over a
    /// network, credentials must travel over TLS (C6).
    #[must_use]
    pub fn dangerous_allow_http_loopback(mut self) -> Self {
        self.allow_http_loopback = true;
        self
    }

    /// Checks the configuration and builds the issuer.
    ///
    /// # Errors
    /// [`ConfigError::InvalidIssuer`] or [`ConfigError::InvalidEndpoint`] for a URL
    /// that is not `https` (C6, C77), has a fragment, or (the issuer) a query;
    /// [`ConfigError::Invalid`] when no authentication method is enabled.
    pub fn build(self) -> Result<Issuer<S>, ConfigError> {
        let loopback = self.allow_http_loopback;
        let issuer = self.issuer;
        if !is_acceptable_url(&issuer, loopback, false) {
            return Err(ConfigError::InvalidIssuer(issuer));
        }
        let base = issuer.trim_end_matches('/');
        let token_endpoint = self
            .token_endpoint
            .unwrap_or_else(|| format!("{base}/token"));
        let jwks_uri = self.jwks_uri.unwrap_or_else(|| format!("{base}/jwks.json"));
        for url in [&token_endpoint, &jwks_uri] {
            if !is_acceptable_url(url, loopback, true) {
                return Err(ConfigError::InvalidEndpoint(url.clone()));
            }
        }
        if self.auth_methods.is_empty() || self.auth_methods.contains(&AuthMethod::None) {
            return Err(ConfigError::Invalid(
                "at least one client authentication method is required, and `none` is never accepted",
            ));
        }
        let metadata_json = ServerMetadata::new(
            &issuer,
            &token_endpoint,
            &jwks_uri,
            &self.auth_methods,
            &self.scopes_supported,
        )
        .to_json();
        let throttle = self
            .throttle
            .unwrap_or_else(|| Arc::new(MemoryThrottle::new(ThrottleConfig::default())));
        Ok(Issuer {
            jwks_json: self.keys.jwks_json(),
            metadata_json,
            issuer,
            token_endpoint,
            jwks_uri,
            keys: self.keys,
            store: self.store,
            policy: self.policy,
            auth_methods: self.auth_methods,
            clock: self.clock,
            audit: self.audit,
            throttle,
            jti: self.jti,
            max_body_bytes: self.max_body_bytes,
        })
    }
}

/// `https` (or loopback `http` when allowed), an authority, no fragment, and — for
/// an issuer identifier — no query.
fn is_acceptable_url(url: &str, allow_http_loopback: bool, query_allowed: bool) -> bool {
    let Ok(uri) = Uri::parse(url) else {
        return false;
    };
    let Some(authority) = uri.authority() else {
        return false;
    };
    if uri.has_fragment() || (!query_allowed && uri.has_query()) {
        return false;
    }
    match uri.scheme().as_str() {
        "https" => true,
        "http" if allow_http_loopback => {
            matches!(authority.host(), "127.0.0.1" | "localhost" | "[::1]")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests;
