//! The [`Issuer`]: configuration plus stores, driving a token request from HTTP
//! parts to an HTTP response.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;

use crate::audit::{AuditEvent, AuditSink, NoAudit, Outcome};
use crate::issuer::assertion::{AssertionSettings, ClientAssertion, verify_assertion};
use crate::issuer::client_auth::{AuthenticatedClient, ClientAuth, check_secret};
use crate::issuer::metadata::ServerMetadata;
use crate::issuer::mint::{JtiSource, RANDOM_JTI_LEN, RandomJti, mint_into};
use crate::issuer::policy::Policy;
use crate::issuer::token_request::TokenRequest;
use crate::jose::claims::MintClaims;
use crate::jose::client_keys::ClientKey;
use crate::jose::jwks_cache::{JwksCache, JwksFetcher, JwksSource};
use crate::jose::keys::{Algorithm, KeySet};
use crate::jose::token_verifier::DEFAULT_MAX_TOKEN_BYTES;
use crate::jose::token_verifier::TokenVerifier;
use crate::jose::verification_keys::VerificationKeys;
use crate::store::client_store::ClientStore;
use crate::store::replay::{MemoryReplayGuard, ReplayGuard};
use crate::store::revocation::{MemoryRevocationStore, RevocationStore, TokenView};
use crate::store::throttle::{AuthThrottle, MemoryThrottle, ThrottleConfig};
use crate::vocab::clock::{Clock, SystemClock};
use crate::vocab::error::{ConfigError, Reason, TokenError};
use crate::vocab::ids::{AuthMethod, ClientId};
use crate::vocab::scope::ScopeSet;
use crate::vocab::time::UnixTime;
use crate::vocab::url::is_acceptable_url;
use crate::wire::request::{DEFAULT_MAX_BODY_BYTES, RequestParts};
use crate::wire::response::{BODY_START, HttpResponse, TokenResponse, body_tail_len};

/// A client-credentials authorization server: configuration, keys and stores.
///
/// Build it once with [`Issuer::builder`], share it (`Arc<Issuer<_>>`), and call
/// [`handle_token_request`](Self::handle_token_request),
/// [`handle_revocation_request`](Self::handle_revocation_request) and
/// [`handle_introspection_request`](Self::handle_introspection_request) from any
/// HTTP stack.
///
/// `S` finds clients; `R` is the [`RevocationStore`] (by default a
/// [`MemoryRevocationStore`]); `G` remembers used client assertions (by default a
/// [`MemoryReplayGuard`]; see [`IssuerBuilder::replay_guard`]).
pub struct Issuer<S, R = MemoryRevocationStore, G = MemoryReplayGuard> {
    pub(super) issuer: String,
    pub(super) token_endpoint: String,
    pub(super) jwks_uri: String,
    pub(super) revocation_endpoint: String,
    pub(super) introspection_endpoint: String,
    pub(super) keys: KeySet,
    pub(super) store: S,
    pub(super) revocation: R,
    /// Checks this issuer's own tokens for revocation and introspection.
    pub(super) verifier: TokenVerifier,
    pub(super) policy: Policy,
    pub(super) auth_methods: Vec<AuthMethod>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) audit: Arc<dyn AuditSink>,
    pub(super) throttle: Arc<dyn AuthThrottle>,
    /// `None` for [`RandomJti`], which the issuer calls directly so that the
    /// `jti` is written on the stack.
    pub(super) jti: Option<Arc<dyn JtiSource>>,
    pub(super) max_body_bytes: usize,
    pub(super) jwks_json: String,
    pub(super) metadata_json: String,
    pub(super) replay: G,
    pub(super) assertion: AssertionSettings,
    pub(super) client_jwks: Option<Arc<dyn JwksSource>>,
}

impl<S, R, G> fmt::Debug for Issuer<S, R, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issuer")
            .field("issuer", &self.issuer)
            .field("token_endpoint", &self.token_endpoint)
            .field("keys", &self.keys)
            .field("policy", &self.policy)
            .field("auth_methods", &self.auth_methods)
            .field("assertion", &self.assertion)
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
    /// - methods `client_secret_basic`, `client_secret_post` and `private_key_jwt`,
    ///   at every endpoint
    ///   (`client_secret_jwt` is opt-in: see [`JwtSecretCredential`])
    /// - client assertions judged by [`AssertionSettings::default`], with the
    ///   issuer identifier as their only audience
    /// - assertion replay stopped by a [`MemoryReplayGuard`]; no [`JwksFetcher`],
    ///   so clients registered with a `jwks_uri` cannot authenticate
    /// - request bodies up to [`DEFAULT_MAX_BODY_BYTES`]
    /// - revocation endpoint `{issuer}/revoke`, introspection endpoint
    ///   `{issuer}/introspect`, revocations kept in a [`MemoryRevocationStore`]
    ///
    /// [`JwtSecretCredential`]: crate::JwtSecretCredential
    pub fn builder(issuer: impl Into<String>, keys: KeySet, store: S) -> IssuerBuilder<S> {
        IssuerBuilder {
            issuer: issuer.into(),
            token_endpoint: None,
            jwks_uri: None,
            revocation_endpoint: None,
            introspection_endpoint: None,
            keys,
            store,
            revocation: MemoryRevocationStore::default(),
            policy: Policy::default(),
            auth_methods: vec![
                AuthMethod::ClientSecretBasic,
                AuthMethod::ClientSecretPost,
                AuthMethod::PrivateKeyJwt,
            ],
            clock: Arc::new(SystemClock),
            audit: Arc::new(NoAudit),
            throttle: None,
            jti: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            scopes_supported: ScopeSet::new(),
            allow_http_loopback: false,
            replay: MemoryReplayGuard::new(),
            assertion: AssertionSettings::default(),
            token_endpoint_audience: false,
            client_jwks: None,
        }
    }
}

impl<S: ClientStore, R: RevocationStore, G: ReplayGuard> Issuer<S, R, G> {
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
            Ok(token) => token.into_http(),
            Err(e) => e.to_http(),
        }
    }

    /// Authenticates the client of `request` at `now`: throttle check, store
    /// lookup, credential check, and a check that neither the client nor the
    /// credential is revoked. Refusals are audited.
    ///
    /// A JWT assertion is checked by [`verify_assertion`] against the keys of
    /// the client its `sub` names (fetched through the [`JwksCache`] for a
    /// `jwks_uri` client), then recorded as used in the [`ReplayGuard`]: only the
    /// first use succeeds. Assertion failures are not counted by the throttle:
    /// a signature cannot be brute-forced, and counting them would let anyone
    /// lock a key-authenticated client out with forged assertions.
    ///
    /// # Errors
    /// `invalid_client` (401, or 429 when throttled); `server_error` when a
    /// store or the replay guard fails.
    pub async fn authenticate(
        &self,
        request: &TokenRequest,
        now: UnixTime,
    ) -> Result<AuthenticatedClient, TokenError> {
        self.authenticate_client(request.auth(), request.scope(), now)
            .await
    }

    /// The client authentication of every endpoint: the token endpoint's, and
    /// revocation's and introspection's (RFC 7009 §2.1, RFC 7662 §2.1).
    pub(super) async fn authenticate_client(
        &self,
        auth: &ClientAuth,
        requested_scope: Option<&ScopeSet>,
        now: UnixTime,
    ) -> Result<AuthenticatedClient, TokenError> {
        let refuse = |error: TokenError| {
            let mut event = AuditEvent::refused(now, error.reason());
            event.client_id = auth.client_id();
            event.auth_method = Some(auth.method());
            event.requested_scope = requested_scope;
            self.audit.record(&event);
            error
        };
        let client = if let ClientAuth::JwtAssertion {
            client_id,
            assertion,
        } = auth
        {
            // Boxed behind `dyn`: the assertion path (JWT parsing, key lookup,
            // a possible JWKS fetch) is large and rarer than secrets, and
            // kept out of line it leaves the secret path's code compact and
            // its future small.
            let assertion: Pin<Box<dyn Future<Output = _> + Send + '_>> =
                Box::pin(self.authenticate_assertion(client_id.as_deref(), assertion, now));
            assertion.await.map_err(|reason| refuse(reason.into()))?
        } else {
            self.authenticate_secret(auth, now).await.map_err(refuse)?
        };
        // A revoked client or credential gets no new token (a token minted now
        // would be born revoked), and may not use the other endpoints either.
        let prospective = TokenView::prospective(
            client.client().id().as_str(),
            Some(client.credential_id().as_str()),
            now,
        );
        match self.revocation.is_revoked(&prospective).await {
            Ok(false) => Ok(client),
            Ok(true) => Err(refuse(Reason::CredentialRevoked.into())),
            Err(_) => Err(refuse(Reason::StoreUnavailable.into())),
        }
    }

    /// Client authentication with a secret (Basic or body), throttled per
    /// presented client id (C15).
    async fn authenticate_secret(
        &self,
        auth: &ClientAuth,
        now: UnixTime,
    ) -> Result<AuthenticatedClient, TokenError> {
        let Some(presented_id) = auth.client_id() else {
            return Err(Reason::NoClientAuthentication.into());
        };
        if let Err(retry_after) = self.throttle.check(presented_id, now) {
            return Err(TokenError::throttled(retry_after.as_secs().max(1)));
        }
        let client = match ClientId::new(presented_id) {
            Ok(id) => self
                .store
                .client(&id)
                .await
                .map_err(|_| TokenError::from(Reason::StoreUnavailable))?,
            Err(_) => None, // Not a valid id, so registered nowhere (C31).
        };
        // A bare client_id (method `none`) never authenticates, but `authenticate`
        // says why: no credential, or a public client (C12, C13).
        let method = auth.method();
        let result = if method == AuthMethod::None || self.auth_methods.contains(&method) {
            check_secret(auth, client, now)
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
                Err(reason.into())
            }
        }
    }

    async fn authenticate_assertion(
        &self,
        client_id_parameter: Option<&str>,
        assertion: &ClientAssertion,
        now: UnixTime,
    ) -> Result<AuthenticatedClient, Reason> {
        let method = assertion.method();
        if !self.auth_methods.contains(&method) {
            return Err(Reason::UnsupportedAuthScheme);
        }
        // The unverified `sub` only says whose keys to try (C40).
        let subject = assertion.unverified_subject();
        let Some(subject) = subject.filter(|_| assertion.unverified_issuer() == subject) else {
            return Err(Reason::AssertionIssuerMismatch);
        };
        if client_id_parameter.is_some_and(|id| id != subject) {
            return Err(Reason::ClientIdMismatch); // C38
        }
        let Ok(id) = ClientId::new(subject) else {
            return Err(Reason::UnknownClient);
        };
        let client = self
            .store
            .client(&id)
            .await
            .map_err(|_| Reason::StoreUnavailable)?
            .ok_or(Reason::UnknownClient)?;
        if !client.allows_method(method) {
            return Err(Reason::AuthMethodNotAllowed); // C14
        }
        let fetched;
        let keys: &[ClientKey] = if method == AuthMethod::ClientSecretJwt {
            client.jwt_secret_keys()
        } else if let Some(jwks) = client.jwks() {
            jwks.keys()
        } else if let Some(uri) = client.jwks_uri() {
            let source = self
                .client_jwks
                .as_ref()
                .ok_or(Reason::ClientJwksUnavailable)?;
            fetched = source
                .keys(uri, assertion.key_id(), now)
                .await
                .map_err(|_| Reason::ClientJwksUnavailable)?;
            fetched.keys()
        } else {
            &[]
        };
        let verified =
            verify_assertion(assertion, &client, keys, &self.issuer, now, &self.assertion)?;
        match self
            .replay
            .first_use(verified.replay_key(), verified.replay_until(), now)
            .await
        {
            Ok(true) => Ok(AuthenticatedClient::from_assertion(client, &verified)),
            Ok(false) => Err(Reason::AssertionReplayed),
            Err(_) => Err(Reason::ReplayGuardUnavailable),
        }
    }

    /// Issues a token to an authenticated client: grant checks, policy, minting.
    /// The decision is audited. Revocation of the client or credential is
    /// checked by [`authenticate`](Self::authenticate).
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
        let (mut random, custom);
        let jti: &str = match &self.jti {
            None => {
                random = [0; RANDOM_JTI_LEN];
                RandomJti::write(&mut random)
            }
            Some(source) => {
                custom = source.next_jti();
                &custom
            }
        };
        let scope = grant.scope.as_joined();
        let claims = MintClaims {
            iss: &self.issuer,
            sub: client.client().id().as_str(),
            aud: &grant.audiences[..],
            client_id: client.client().id().as_str(),
            iat: now,
            exp: now.saturating_add(grant.lifetime),
            jti,
            scope: Some(scope),
            credential_id: Some(client.credential_id().as_str()),
        };
        event.granted_scope = Some(&grant.scope);
        event.audience = &grant.audiences[..];
        event.jti = Some(jti);
        event.lifetime = Some(grant.lifetime);
        // The token is minted straight into the response body.
        let mut body = Vec::new();
        let token = match mint_into(
            self.keys.active(),
            &claims,
            &mut body,
            BODY_START,
            body_tail_len(scope.len()),
        ) {
            Ok(t) => t,
            Err(_) => {
                self.audit.record(&event);
                return Err(Reason::SigningFailed.into());
            }
        };
        event.outcome = Outcome::Issued;
        self.audit.record(&event);
        Ok(TokenResponse::finish_body(
            body,
            token,
            grant.lifetime.as_secs(),
            scope,
        ))
    }

    fn check_and_grant(
        &self,
        client: &AuthenticatedClient,
        request: &TokenRequest,
    ) -> Result<crate::issuer::policy::Grant, Reason> {
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

impl<S, R, G> Issuer<S, R, G> {
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

    /// The RFC 7009 revocation endpoint URL.
    pub fn revocation_endpoint(&self) -> &str {
        &self.revocation_endpoint
    }

    /// The RFC 7662 introspection endpoint URL.
    pub fn introspection_endpoint(&self) -> &str {
        &self.introspection_endpoint
    }

    /// The signing keys.
    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// The client store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The revocation store: revoke a client or a credential through it.
    pub fn revocation_store(&self) -> &R {
        &self.revocation
    }

    /// The replay guard.
    pub fn replay_guard(&self) -> &G {
        &self.replay
    }

    /// How client assertions are judged.
    pub fn assertion_settings(&self) -> &AssertionSettings {
        &self.assertion
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
        crate::issuer::metadata::well_known_path(&self.issuer)
    }
}

/// Configures an [`Issuer`]; see [`Issuer::builder`] for the defaults.
pub struct IssuerBuilder<S, R = MemoryRevocationStore, G = MemoryReplayGuard> {
    issuer: String,
    token_endpoint: Option<String>,
    jwks_uri: Option<String>,
    revocation_endpoint: Option<String>,
    introspection_endpoint: Option<String>,
    keys: KeySet,
    store: S,
    revocation: R,
    policy: Policy,
    auth_methods: Vec<AuthMethod>,
    clock: Arc<dyn Clock>,
    audit: Arc<dyn AuditSink>,
    throttle: Option<Arc<dyn AuthThrottle>>,
    jti: Option<Arc<dyn JtiSource>>,
    max_body_bytes: usize,
    scopes_supported: ScopeSet,
    allow_http_loopback: bool,
    replay: G,
    assertion: AssertionSettings,
    token_endpoint_audience: bool,
    client_jwks: Option<Arc<dyn JwksSource>>,
}

impl<S, R, G> fmt::Debug for IssuerBuilder<S, R, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerBuilder")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl<S: ClientStore, R: RevocationStore, G: ReplayGuard> IssuerBuilder<S, R, G> {
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

    /// Sets the RFC 7009 revocation endpoint URL (advertised in the metadata).
    #[must_use]
    pub fn revocation_endpoint(mut self, url: impl Into<String>) -> Self {
        self.revocation_endpoint = Some(url.into());
        self
    }

    /// Sets the RFC 7662 introspection endpoint URL (advertised in the metadata).
    #[must_use]
    pub fn introspection_endpoint(mut self, url: impl Into<String>) -> Self {
        self.introspection_endpoint = Some(url.into());
        self
    }

    /// Sets the revocation store: share one with validators in the same process
    /// (`Arc<MemoryRevocationStore>`), or use a shared database across replicas.
    pub fn revocation_store<R2: RevocationStore>(self, store: R2) -> IssuerBuilder<S, R2, G> {
        IssuerBuilder {
            issuer: self.issuer,
            token_endpoint: self.token_endpoint,
            jwks_uri: self.jwks_uri,
            revocation_endpoint: self.revocation_endpoint,
            introspection_endpoint: self.introspection_endpoint,
            keys: self.keys,
            store: self.store,
            revocation: store,
            policy: self.policy,
            auth_methods: self.auth_methods,
            clock: self.clock,
            audit: self.audit,
            throttle: self.throttle,
            jti: self.jti,
            max_body_bytes: self.max_body_bytes,
            scopes_supported: self.scopes_supported,
            allow_http_loopback: self.allow_http_loopback,
            replay: self.replay,
            assertion: self.assertion,
            token_endpoint_audience: self.token_endpoint_audience,
            client_jwks: self.client_jwks,
        }
    }

    /// Sets the grant policy.
    #[must_use]
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the client authentication methods the endpoint accepts and advertises
    /// (C81). A client still uses only the methods of its registration. With a
    /// JWT method, the metadata also lists the accepted assertion algorithms (C83).
    #[must_use]
    pub fn auth_methods(mut self, methods: impl IntoIterator<Item = AuthMethod>) -> Self {
        self.auth_methods = methods.into_iter().collect();
        self
    }

    /// Sets the clock the issuer reads "now" from; [`SystemClock`] by default.
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
        self.jti = Some(source);
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

    /// Replaces the guard that holds each client assertion to one use (C45): a
    /// shared one (Redis, SQL) when several replicas serve the token endpoint.
    #[must_use]
    pub fn replay_guard<G2: ReplayGuard>(self, guard: G2) -> IssuerBuilder<S, R, G2> {
        IssuerBuilder {
            issuer: self.issuer,
            token_endpoint: self.token_endpoint,
            jwks_uri: self.jwks_uri,
            revocation_endpoint: self.revocation_endpoint,
            introspection_endpoint: self.introspection_endpoint,
            keys: self.keys,
            store: self.store,
            revocation: self.revocation,
            policy: self.policy,
            auth_methods: self.auth_methods,
            clock: self.clock,
            audit: self.audit,
            throttle: self.throttle,
            jti: self.jti,
            max_body_bytes: self.max_body_bytes,
            scopes_supported: self.scopes_supported,
            allow_http_loopback: self.allow_http_loopback,
            replay: guard,
            assertion: self.assertion,
            token_endpoint_audience: self.token_endpoint_audience,
            client_jwks: self.client_jwks,
        }
    }

    /// Sets how client assertions are judged (lifetime, leeway, algorithms).
    #[must_use]
    pub fn assertion_settings(mut self, settings: AssertionSettings) -> Self {
        self.assertion = settings;
        self
    }

    /// RFC 7523 compatibility (C41, C137): also accepts the token endpoint URL as
    /// a client assertion's `aud`, and an `aud` array naming other audiences
    /// beside this server. Off by default, following draft-ietf-oauth-rfc7523bis:
    /// an assertion whose audience is not exactly this issuer could be replayed
    /// at another server sharing the same token endpoint URL or audience list.
    /// Turn it on only for clients built for OIDC-style `aud` = token endpoint.
    #[must_use]
    pub fn accept_token_endpoint_as_assertion_audience(mut self) -> Self {
        self.token_endpoint_audience = true;
        self
    }

    /// Fetches the keys of clients registered with a `jwks_uri` through
    /// `fetcher`, behind a [`JwksCache`] with its default tunables.
    #[must_use]
    pub fn jwks_fetcher<F: JwksFetcher + 'static>(self, fetcher: F) -> Self {
        self.jwks_cache(JwksCache::new(fetcher))
    }

    /// Fetches the keys of clients registered with a `jwks_uri` through `cache`.
    #[must_use]
    pub fn jwks_cache<F: JwksFetcher + 'static>(mut self, cache: JwksCache<F>) -> Self {
        self.client_jwks = Some(Arc::new(cache));
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
    /// [`ConfigError::Invalid`] when no authentication method is enabled, or a
    /// JWT method is enabled with no assertion algorithm for it (C83).
    pub fn build(self) -> Result<Issuer<S, R, G>, ConfigError> {
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
        let revocation_endpoint = self
            .revocation_endpoint
            .unwrap_or_else(|| format!("{base}/revoke"));
        let introspection_endpoint = self
            .introspection_endpoint
            .unwrap_or_else(|| format!("{base}/introspect"));
        for url in [
            &token_endpoint,
            &jwks_uri,
            &revocation_endpoint,
            &introspection_endpoint,
        ] {
            if !is_acceptable_url(url, loopback, true) {
                return Err(ConfigError::InvalidEndpoint(url.clone()));
            }
        }
        if self.auth_methods.is_empty() || self.auth_methods.contains(&AuthMethod::None) {
            return Err(ConfigError::Invalid(
                "at least one client authentication method is required, and `none` is never accepted",
            ));
        }
        let mut assertion = self.assertion;
        if self.token_endpoint_audience {
            assertion.token_endpoint_audience = Some(token_endpoint.clone());
        }
        let signing_algs = assertion_algorithms(&self.auth_methods, &assertion.algorithms);
        let jwt_enabled = self.auth_methods.iter().any(|m| m.is_jwt());
        if jwt_enabled && signing_algs.is_empty() {
            return Err(ConfigError::Invalid(
                "a JWT authentication method is enabled but no assertion algorithm suits it",
            ));
        }
        let metadata_json = ServerMetadata {
            issuer: &issuer,
            token_endpoint: &token_endpoint,
            jwks_uri: &jwks_uri,
            revocation_endpoint: &revocation_endpoint,
            introspection_endpoint: &introspection_endpoint,
            auth_methods: &self.auth_methods,
            signing_algs: &signing_algs,
            scopes: &self.scopes_supported,
        }
        .to_json();
        let throttle = self
            .throttle
            .unwrap_or_else(|| Arc::new(MemoryThrottle::new(ThrottleConfig::default())));
        Ok(Issuer {
            jwks_json: self.keys.jwks_json(),
            metadata_json,
            verifier: TokenVerifier::new(
                VerificationKeys::from_key_set(&self.keys),
                issuer.clone(),
                DEFAULT_MAX_TOKEN_BYTES,
            ),
            issuer,
            token_endpoint,
            jwks_uri,
            revocation_endpoint,
            introspection_endpoint,
            keys: self.keys,
            store: self.store,
            revocation: self.revocation,
            policy: self.policy,
            auth_methods: self.auth_methods,
            clock: self.clock,
            audit: self.audit,
            throttle,
            jti: self.jti,
            max_body_bytes: self.max_body_bytes,
            replay: self.replay,
            assertion,
            client_jwks: self.client_jwks,
        })
    }
}

/// The assertion algorithms to advertise (C83): public-key ones for
/// `private_key_jwt`, HS256 for `client_secret_jwt`; never `none`.
fn assertion_algorithms(methods: &[AuthMethod], accepted: &[Algorithm]) -> Vec<Algorithm> {
    Algorithm::ALL
        .into_iter()
        .filter(|alg| accepted.contains(alg))
        .filter(|alg| {
            let method = if alg.is_symmetric() {
                AuthMethod::ClientSecretJwt
            } else {
                AuthMethod::PrivateKeyJwt
            };
            methods.contains(&method)
        })
        .collect()
}

#[cfg(test)]
mod tests;
