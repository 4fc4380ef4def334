//! [`IssuerBuilder`]: collects settings, then checks them all at once into an
//! [`IssuerConfig`].

use std::fmt;
use std::sync::Arc;

use crate::audit::{AuditSink, NoAudit};
use crate::issuer::assertion::AssertionSettings;
use crate::issuer::claims_hook::{ClaimsHook, check_extra_parameters};
use crate::issuer::config::IssuerConfig;
use crate::issuer::endpoint::Issuer;
use crate::issuer::federation::Federation;
use crate::issuer::federation::claim_rule::ClaimRule;
use crate::issuer::federation::trusted_issuer::TrustedIssuer;
use crate::issuer::metadata::ServerMetadata;
use crate::issuer::mint::JtiSource;
use crate::issuer::policy::Policy;
use crate::issuer::slow_hash::SlowHashRunner;
use crate::jose::dpop_proof::DpopConfig;
use crate::jose::jwks_cache::{JwksCache, JwksFetcher, JwksSource};
use crate::jose::keys::{Algorithm, KeySet};
use crate::jose::token_verifier::{DEFAULT_MAX_TOKEN_BYTES, TokenVerifier};
use crate::jose::verification_keys::VerificationKeys;
use crate::store::client_store::ClientStore;
use crate::store::replay::{MemoryReplayGuard, ReplayGuard};
use crate::store::revocation::{MemoryRevocationStore, RevocationStore};
use crate::store::throttle::{AuthThrottle, MemoryThrottle, ThrottleConfig};
use crate::vocab::clock::{Clock, SystemClock};
use crate::vocab::error::ConfigError;
use crate::vocab::ids::AuthMethod;
use crate::vocab::scope::ScopeSet;
use crate::vocab::url::{htu_normal_form, is_acceptable_url};
use crate::wire::request::DEFAULT_MAX_BODY_BYTES;

impl<S: ClientStore> Issuer<S> {
    /// Starts configuring an issuer with identifier `issuer` (an `https` URL
    /// without query or fragment, C77), signing keys and a client store.
    ///
    /// The defaults are listed under [`IssuerConfig`]; besides them, revoked
    /// tokens and clients are kept in a [`MemoryRevocationStore`] and assertion
    /// replay is stopped by a [`MemoryReplayGuard`].
    pub fn builder(issuer: impl Into<String>, keys: KeySet, store: S) -> IssuerBuilder<S> {
        IssuerBuilder {
            settings: Settings::new(issuer.into(), keys),
            store,
            revocation: MemoryRevocationStore::default(),
            replay: MemoryReplayGuard::new(),
        }
    }
}

/// Configures an [`Issuer`]; see [`IssuerConfig`] for the defaults.
///
/// Setters only record; [`build`](Self::build) checks everything once.
pub struct IssuerBuilder<S, R = MemoryRevocationStore, G = MemoryReplayGuard> {
    /// Everything but the stores: moved whole when a store's type changes.
    settings: Settings,
    store: S,
    revocation: R,
    replay: G,
}

/// The settings as given, not yet checked.
struct Settings {
    issuer: String,
    token_endpoint: Option<String>,
    jwks_uri: Option<String>,
    authorization_endpoint: Option<String>,
    revocation_endpoint: Option<String>,
    introspection_endpoint: Option<String>,
    revocation_served: bool,
    introspection_served: bool,
    keys: KeySet,
    policy: Policy,
    auth_methods: Vec<AuthMethod>,
    clock: Arc<dyn Clock>,
    audit: Arc<dyn AuditSink>,
    throttle: Option<Arc<dyn AuthThrottle>>,
    jti: Option<Arc<dyn JtiSource>>,
    max_body_bytes: usize,
    scopes_supported: ScopeSet,
    allow_http_loopback: bool,
    assertion: AssertionSettings,
    token_endpoint_audience: bool,
    client_jwks: Option<Arc<dyn JwksSource>>,
    slow_hash: Option<Arc<dyn SlowHashRunner>>,
    claims_hook: Option<Arc<dyn ClaimsHook>>,
    extra_parameters: Vec<Box<str>>,
    trusted_issuers: Vec<TrustedIssuer>,
    claim_rules: Vec<ClaimRule>,
    dpop: Option<DpopConfig>,
}

impl<S, R, G> fmt::Debug for IssuerBuilder<S, R, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerBuilder")
            .field("issuer", &self.settings.issuer)
            .finish_non_exhaustive()
    }
}

impl<S: ClientStore, R: RevocationStore, G: ReplayGuard> IssuerBuilder<S, R, G> {
    /// Sets the token endpoint URL (`https`, no fragment: C6).
    #[must_use]
    pub fn token_endpoint(mut self, url: impl Into<String>) -> Self {
        self.settings.token_endpoint = Some(url.into());
        self
    }

    /// Sets the URL the JWKS is published at.
    #[must_use]
    pub fn jwks_uri(mut self, url: impl Into<String>) -> Self {
        self.settings.jwks_uri = Some(url.into());
        self
    }

    /// Sets the RFC 7009 revocation endpoint URL (advertised in the metadata).
    #[must_use]
    pub fn revocation_endpoint(mut self, url: impl Into<String>) -> Self {
        self.settings.revocation_endpoint = Some(url.into());
        self
    }

    /// Sets the RFC 7662 introspection endpoint URL (advertised in the metadata).
    #[must_use]
    pub fn introspection_endpoint(mut self, url: impl Into<String>) -> Self {
        self.settings.introspection_endpoint = Some(url.into());
        self
    }

    /// Leaves the revocation endpoint out of the metadata, for a deployment
    /// that does not serve [`Issuer::handle_revocation_request`]: the metadata
    /// advertises only what is served.
    #[must_use]
    pub fn without_revocation_endpoint(mut self) -> Self {
        self.settings.revocation_served = false;
        self
    }

    /// Leaves the introspection endpoint out of the metadata, for a deployment
    /// that does not serve [`Issuer::handle_introspection_request`].
    #[must_use]
    pub fn without_introspection_endpoint(mut self) -> Self {
        self.settings.introspection_served = false;
        self
    }

    /// Advertises `url` as the `authorization_endpoint` (C78), which the
    /// deployment serves with [`Issuer::handle_authorization_request`]: every
    /// request there is refused with `unsupported_response_type`, shown to the
    /// caller and never redirected (RFC 6749 §4.1.2.1), because this server
    /// supports no response type and no client has a redirection URI.
    ///
    /// RFC 8414 lets a server without authorization-endpoint grants leave the
    /// member out, but the discovery of some OAuth clients (the official MCP
    /// SDKs among them) refuses a document without it before asking for any
    /// token. This setting lets them discover the server without advertising
    /// anything it does not do: `response_types_supported` stays `[]` and
    /// `grant_types_supported` stays `["client_credentials"]`. Off by default.
    ///
    /// A deployment whose users also sign in through a real authorization
    /// server publishes that server's metadata instead; this crate serves only
    /// the client-credentials grant.
    #[must_use]
    pub fn authorization_endpoint(mut self, url: impl Into<String>) -> Self {
        self.settings.authorization_endpoint = Some(url.into());
        self
    }

    /// Sets the revocation store: share one with validators in the same process
    /// (`Arc<MemoryRevocationStore>`), or use a shared database across replicas.
    pub fn revocation_store<R2: RevocationStore>(self, store: R2) -> IssuerBuilder<S, R2, G> {
        IssuerBuilder {
            settings: self.settings,
            store: self.store,
            revocation: store,
            replay: self.replay,
        }
    }

    /// Replaces the guard that holds each client assertion to one use (C45): a
    /// shared one (Redis, SQL) when several replicas serve the token endpoint.
    #[must_use]
    pub fn replay_guard<G2: ReplayGuard>(self, guard: G2) -> IssuerBuilder<S, R, G2> {
        IssuerBuilder {
            settings: self.settings,
            store: self.store,
            revocation: self.revocation,
            replay: guard,
        }
    }

    /// Sets the grant policy.
    #[must_use]
    pub fn policy(mut self, policy: Policy) -> Self {
        self.settings.policy = policy;
        self
    }

    /// Sets the client authentication methods the endpoint accepts and advertises
    /// (C81). A client still uses only the methods of its registration. With a
    /// JWT method, the metadata also lists the accepted assertion algorithms (C83).
    #[must_use]
    pub fn auth_methods(mut self, methods: impl IntoIterator<Item = AuthMethod>) -> Self {
        self.settings.auth_methods = methods.into_iter().collect();
        self
    }

    /// Sets the clock the issuer reads "now" from; [`SystemClock`](crate::SystemClock) by default.
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.settings.clock = clock;
        self
    }

    /// Sets the [`ClaimsHook`] that adds claims to each token from the
    /// authenticated client and the request, after the client's own
    /// [`extra_claims`](crate::store::ClientBuilder::extra_claims).
    #[must_use]
    pub fn claims_hook(mut self, hook: Arc<dyn ClaimsHook>) -> Self {
        self.settings.claims_hook = Some(hook);
        self
    }

    /// Allows extra token request parameters, such as `agent_run_id`: the
    /// token endpoint keeps them (each at most once) for the
    /// [`ClaimsHook`] to read with
    /// [`ClaimsRequest::parameter`](crate::issuer::ClaimsRequest::parameter);
    /// other unknown parameters stay ignored (C5). A parameter of the token
    /// request or of client authentication (`scope`, `client_secret`, …) is
    /// refused by [`build`](Self::build).
    #[must_use]
    pub fn extra_request_parameters<I, N>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = N>,
        N: Into<String>,
    {
        self.settings.extra_parameters = names
            .into_iter()
            .map(|n| n.into().into_boxed_str())
            .collect();
        self
    }

    /// Sets the audit sink.
    #[must_use]
    pub fn audit(mut self, sink: Arc<dyn AuditSink>) -> Self {
        self.settings.audit = sink;
        self
    }

    /// Replaces the brute-force throttle (C15).
    #[must_use]
    pub fn throttle(mut self, throttle: Arc<dyn AuthThrottle>) -> Self {
        self.settings.throttle = Some(throttle);
        self
    }

    /// Replaces the source of token ids (for reproducible tokens in tests).
    #[must_use]
    pub fn jti_source(mut self, source: Arc<dyn JtiSource>) -> Self {
        self.settings.jti = Some(source);
        self
    }

    /// Sets the request body limit. HTTP adapters read it back with
    /// [`Issuer::max_body_bytes`] to cap what they buffer.
    #[must_use]
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.settings.max_body_bytes = limit;
        self
    }

    /// Sets the scopes advertised as `scopes_supported` (RFC 8414, recommended).
    #[must_use]
    pub fn scopes_supported(mut self, scopes: ScopeSet) -> Self {
        self.settings.scopes_supported = scopes;
        self
    }

    /// Sets how client assertions are judged (lifetime, leeway, algorithms).
    #[must_use]
    pub fn assertion_settings(mut self, settings: AssertionSettings) -> Self {
        self.settings.assertion = settings;
        self
    }

    /// RFC 7523 compatibility (C41, C137): also accepts the token endpoint URL as
    /// a client assertion's `aud`, and an `aud` array naming other audiences
    /// beside this server. Off by default, following draft-ietf-oauth-rfc7523bis:
    /// an assertion whose audience is not exactly this issuer could be replayed
    /// at another server sharing the same token endpoint URL or audience list.
    /// Turn it on only for clients built for OIDC-style `aud` = token endpoint.
    ///
    /// This is the only way to turn it on: [`AssertionSettings`] cannot.
    #[must_use]
    pub fn accept_token_endpoint_as_assertion_audience(mut self) -> Self {
        self.settings.token_endpoint_audience = true;
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
        self.settings.client_jwks = Some(Arc::new(cache));
        self
    }

    /// Runs PBKDF2 secret checks (about 100 ms of CPU each at the default
    /// iterations) through `runner`, off the async worker thread: with tokio,
    /// a runner that calls `spawn_blocking` (see [`SlowHashRunner`]).
    ///
    /// Without one, they run inline, blocking the thread that polls
    /// [`Issuer::authenticate`] (or the `handle_*_request` calls) for the
    /// whole check. Fast (SHA-256) checks and assertion signatures always run
    /// inline: they cost microseconds.
    #[must_use]
    pub fn slow_hash_runner<H: SlowHashRunner + 'static>(mut self, runner: H) -> Self {
        self.settings.slow_hash = Some(Arc::new(runner));
        self
    }

    /// Trusts the platform tokens of `issuer` for the JWT-bearer grant
    /// (RFC 7523 §2.1): with at least one, the grant is served and advertised
    /// in `grant_types_supported` (C146). A token gets an access token only
    /// through a matching [`claim_rule`](Self::claim_rule).
    #[must_use]
    pub fn trusted_issuer(mut self, issuer: TrustedIssuer) -> Self {
        self.settings.trusted_issuers.push(issuer);
        self
    }

    /// Adds a claim rule for the JWT-bearer grant. Rules are tried in the
    /// order they are added, and the first that matches decides (C145).
    #[must_use]
    pub fn claim_rule(mut self, rule: ClaimRule) -> Self {
        self.settings.claim_rules.push(rule);
        self
    }

    /// Enables DPoP (RFC 9449): a token request with a valid `DPoP` proof
    /// gets a token bound to the proof's key (`cnf.jkt`, `token_type`
    /// `DPoP`), a request with an invalid one is refused with
    /// `invalid_dpop_proof` (or `use_dpop_nonce` when `dpop.nonces` is set),
    /// and the metadata lists `dpop_signing_alg_values_supported`. Proof
    /// `jti`s are held to one use through the issuer's [`ReplayGuard`].
    #[must_use]
    pub fn dpop(mut self, dpop: DpopConfig) -> Self {
        self.settings.dpop = Some(dpop);
        self
    }

    /// Accepts `http://` URLs whose host is a loopback address (`127.0.0.1`,
    /// `localhost`, `[::1]`), for local development and tests only: over a
    /// network, credentials must travel over TLS (C6).
    #[must_use]
    pub fn dangerous_allow_http_loopback(mut self) -> Self {
        self.settings.allow_http_loopback = true;
        self
    }

    /// Checks the configuration, once, into an [`IssuerConfig`], and builds the
    /// issuer around it.
    ///
    /// # Errors
    /// [`ConfigError::InvalidIssuer`] or [`ConfigError::InvalidEndpoint`] for a URL
    /// that is not `https` (C6, C77), has a fragment, or (the issuer) a query;
    /// [`ConfigError::Invalid`] when no authentication method is enabled, or a
    /// JWT method is enabled with no assertion algorithm for it (C83), or for
    /// a trusted issuer or claim rule that does not check out (a rule naming
    /// an issuer not trusted, an issuer trusted twice, two rules of one name,
    /// claim rules without any trusted issuer, an issuer accepting no or a
    /// symmetric algorithm).
    pub fn build(self) -> Result<Issuer<S, R, G>, ConfigError> {
        Ok(Issuer {
            config: Arc::new(self.settings.check()?),
            store: self.store,
            revocation: self.revocation,
            replay: self.replay,
        })
    }
}

impl Settings {
    fn new(issuer: String, keys: KeySet) -> Self {
        Self {
            issuer,
            token_endpoint: None,
            jwks_uri: None,
            authorization_endpoint: None,
            revocation_endpoint: None,
            introspection_endpoint: None,
            revocation_served: true,
            introspection_served: true,
            keys,
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
            assertion: AssertionSettings::default(),
            token_endpoint_audience: false,
            client_jwks: None,
            slow_hash: None,
            claims_hook: None,
            extra_parameters: Vec::new(),
            trusted_issuers: Vec::new(),
            claim_rules: Vec::new(),
            dpop: None,
        }
    }

    /// Every check of [`IssuerBuilder::build`], and the documents rendered once.
    fn check(self) -> Result<IssuerConfig, ConfigError> {
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
        ]
        .into_iter()
        .chain(&self.authorization_endpoint)
        {
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
        assertion.token_endpoint_audience =
            self.token_endpoint_audience.then(|| token_endpoint.clone());
        let signing_algs = assertion_algorithms(&self.auth_methods, &assertion.algorithms);
        let jwt_enabled = self.auth_methods.iter().any(|m| m.is_jwt());
        if jwt_enabled && signing_algs.is_empty() {
            return Err(ConfigError::Invalid(
                "a JWT authentication method is enabled but no assertion algorithm suits it",
            ));
        }
        let federation = if self.trusted_issuers.is_empty() {
            if !self.claim_rules.is_empty() {
                return Err(ConfigError::Invalid(
                    "claim rules are configured but no trusted issuer",
                ));
            }
            None
        } else {
            Some(Federation::new(
                self.trusted_issuers,
                self.claim_rules,
                &issuer,
                &token_endpoint,
            )?)
        };
        if let Some(dpop) = &self.dpop {
            dpop.check()?;
        }
        let dpop_algs = self
            .dpop
            .as_ref()
            .map(DpopConfig::algorithm_names)
            .unwrap_or_default();
        let dpop_htu = htu_normal_form(&token_endpoint)
            .ok_or_else(|| ConfigError::InvalidEndpoint(token_endpoint.clone()))?;
        let metadata_json = ServerMetadata {
            issuer: &issuer,
            token_endpoint: &token_endpoint,
            jwks_uri: &jwks_uri,
            authorization_endpoint: self.authorization_endpoint.as_deref(),
            revocation_endpoint: self
                .revocation_served
                .then_some(revocation_endpoint.as_str()),
            introspection_endpoint: self
                .introspection_served
                .then_some(introspection_endpoint.as_str()),
            auth_methods: &self.auth_methods,
            signing_algs: &signing_algs,
            scopes: &self.scopes_supported,
            jwt_bearer_grant: federation.is_some(),
            dpop_algs: &dpop_algs,
        }
        .to_json();
        check_extra_parameters(&self.extra_parameters)?;
        let throttle = self
            .throttle
            .unwrap_or_else(|| Arc::new(MemoryThrottle::new(ThrottleConfig::default())));
        Ok(IssuerConfig {
            jwks_json: self.keys.jwks_json(),
            metadata_json,
            verifier: TokenVerifier::new(
                VerificationKeys::from_key_set(&self.keys),
                issuer.clone(),
                DEFAULT_MAX_TOKEN_BYTES,
            )
            // Introspection answers with every claim of the token.
            .reading_extra_claims(true),
            issuer_id: issuer,
            token_endpoint,
            jwks_uri,
            authorization_endpoint: self.authorization_endpoint,
            revocation_endpoint,
            introspection_endpoint,
            revocation_served: self.revocation_served,
            introspection_served: self.introspection_served,
            keys: self.keys,
            policy: self.policy,
            auth_methods: self.auth_methods,
            clock: self.clock,
            audit: self.audit,
            throttle,
            jti: self.jti,
            max_body_bytes: self.max_body_bytes,
            assertion,
            client_jwks: self.client_jwks,
            slow_hash: self.slow_hash,
            claims_hook: self.claims_hook,
            extra_parameters: self.extra_parameters,
            federation,
            dpop: self.dpop,
            dpop_htu,
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
