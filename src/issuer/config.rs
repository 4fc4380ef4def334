//! [`IssuerConfig`]: everything an [`Issuer`](crate::Issuer) knows besides its
//! stores, checked once by [`IssuerBuilder::build`](crate::issuer::IssuerBuilder::build).

use std::fmt;
use std::sync::Arc;

use crate::audit::AuditSink;
use crate::issuer::assertion::AssertionSettings;
use crate::issuer::claims_hook::ClaimsHook;
use crate::issuer::federation::Federation;
use crate::issuer::mint::JtiSource;
use crate::issuer::policy::Policy;
use crate::issuer::slow_hash::SlowHashRunner;
use crate::jose::dpop_proof::DpopConfig;
use crate::jose::jwks_cache::JwksSource;
use crate::jose::keys::KeySet;
use crate::jose::token_verifier::TokenVerifier;
use crate::store::throttle::AuthThrottle;
use crate::vocab::clock::Clock;
use crate::vocab::ids::AuthMethod;

/// The checked configuration of an [`Issuer`](crate::Issuer): identifier,
/// endpoint URLs, signing keys, policies, clock, audit sink, throttle, and the
/// documents published from them.
///
/// Made only by [`IssuerBuilder::build`](crate::issuer::IssuerBuilder::build),
/// which checks every setting once; its fields are private, so every
/// `IssuerConfig` in existence has passed those checks, and none can be changed
/// afterwards. The issuer holds it in an [`Arc`]
/// ([`Issuer::config`](crate::Issuer::config)); requests only read it.
///
/// # Defaults
/// What [`Issuer::builder`](crate::Issuer::builder) starts from:
/// - token endpoint `{issuer}/token`, JWKS at `{issuer}/jwks.json`, revocation
///   endpoint `{issuer}/revoke`, introspection endpoint `{issuer}/introspect`,
///   all advertised; no `authorization_endpoint` (see
///   [`IssuerBuilder::authorization_endpoint`](crate::issuer::IssuerBuilder::authorization_endpoint))
/// - [`Policy::default`], [`SystemClock`](crate::SystemClock), no audit sink
/// - failed authentication throttled by a
///   [`MemoryThrottle`](crate::store::MemoryThrottle) with its default
///   [`ThrottleConfig`](crate::store::ThrottleConfig)
/// - methods `client_secret_basic`, `client_secret_post` and `private_key_jwt`,
///   at every endpoint (`client_secret_jwt` is opt-in: see
///   [`JwtSecretCredential`](crate::JwtSecretCredential))
/// - client assertions judged by [`AssertionSettings::default`], with the
///   issuer identifier as their only audience
/// - no [`JwksFetcher`](crate::jose::JwksFetcher), so clients registered with a
///   `jwks_uri` cannot authenticate
/// - request bodies up to
///   [`DEFAULT_MAX_BODY_BYTES`](crate::issuer::DEFAULT_MAX_BODY_BYTES)
/// - token ids from [`RandomJti`](crate::issuer::RandomJti)
/// - no `scopes_supported` in the metadata; `https` URLs only
/// - no [`SlowHashRunner`]: PBKDF2 secret checks run inline, on the thread
///   that polls the authentication
/// - no [`TrustedIssuer`](crate::issuer::TrustedIssuer): the JWT-bearer grant
///   is `unsupported_grant_type` and not advertised
pub struct IssuerConfig {
    pub(super) issuer_id: String,
    pub(super) token_endpoint: String,
    pub(super) jwks_uri: String,
    pub(super) authorization_endpoint: Option<String>,
    pub(super) revocation_endpoint: String,
    pub(super) introspection_endpoint: String,
    pub(super) revocation_served: bool,
    pub(super) introspection_served: bool,
    pub(super) keys: KeySet,
    /// Checks this issuer's own tokens for revocation and introspection.
    pub(super) verifier: TokenVerifier,
    pub(super) policy: Policy,
    pub(super) auth_methods: Vec<AuthMethod>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) audit: Arc<dyn AuditSink>,
    pub(super) throttle: Arc<dyn AuthThrottle>,
    /// `None` for [`RandomJti`](crate::issuer::RandomJti), which the issuer
    /// calls directly so that the `jti` is written on the stack.
    pub(super) jti: Option<Arc<dyn JtiSource>>,
    pub(super) max_body_bytes: usize,
    pub(super) jwks_json: String,
    pub(super) metadata_json: String,
    pub(super) assertion: AssertionSettings,
    pub(super) client_jwks: Option<Arc<dyn JwksSource>>,
    /// Where PBKDF2 checks run; inline when `None`.
    pub(super) slow_hash: Option<Arc<dyn SlowHashRunner>>,
    pub(super) claims_hook: Option<Arc<dyn ClaimsHook>>,
    pub(super) extra_parameters: Vec<Box<str>>,
    /// The trusted issuers and claim rules of the JWT-bearer grant; `None`
    /// when none is configured, and the grant is unsupported.
    pub(super) federation: Option<Federation>,
    /// DPoP at the token endpoint (RFC 9449), when enabled.
    pub(super) dpop: Option<DpopConfig>,
    /// The token endpoint URL as a proof's `htu` is compared with it.
    pub(super) dpop_htu: String,
}

impl IssuerConfig {
    /// The issuer identifier, exactly as configured (C77).
    pub fn issuer_id(&self) -> &str {
        &self.issuer_id
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

    /// The `authorization_endpoint` advertised, if any: served by
    /// [`Issuer::handle_authorization_request`](crate::Issuer::handle_authorization_request).
    pub fn authorization_endpoint(&self) -> Option<&str> {
        self.authorization_endpoint.as_deref()
    }

    /// Whether the metadata advertises the revocation endpoint.
    pub fn advertises_revocation(&self) -> bool {
        self.revocation_served
    }

    /// Whether the metadata advertises the introspection endpoint.
    pub fn advertises_introspection(&self) -> bool {
        self.introspection_served
    }

    /// The signing keys.
    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// The grant policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The client authentication methods accepted and advertised.
    pub fn auth_methods(&self) -> &[AuthMethod] {
        &self.auth_methods
    }

    /// How client assertions are judged.
    pub fn assertion_settings(&self) -> &AssertionSettings {
        &self.assertion
    }

    /// How DPoP proofs are judged, when DPoP is enabled.
    pub fn dpop(&self) -> Option<&DpopConfig> {
        self.dpop.as_ref()
    }

    /// The largest request body, in bytes, any endpoint reads.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// The public JWK Set document, rendered once.
    pub fn jwks_json(&self) -> &str {
        &self.jwks_json
    }

    /// The RFC 8414 metadata document, rendered once.
    pub fn metadata_json(&self) -> &str {
        &self.metadata_json
    }
}

impl fmt::Debug for IssuerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerConfig")
            .field("issuer_id", &self.issuer_id)
            .field("token_endpoint", &self.token_endpoint)
            .field("keys", &self.keys)
            .field("policy", &self.policy)
            .field("auth_methods", &self.auth_methods)
            .field("assertion", &self.assertion)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("federation", &self.federation)
            .finish_non_exhaustive()
    }
}
