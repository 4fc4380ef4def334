//! The resource server's check of a bearer token (RFC 9068 §4): [`Validator`]
//! turns a token and the current time into a [`VerifiedToken`] or a
//! [`ValidationError`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::jose::claims::AccessTokenClaims;
use crate::jose::dpop_proof::DpopConfig;
use crate::jose::remote_keys::RemoteKeys;
use crate::jose::token_verifier::{DEFAULT_MAX_TOKEN_BYTES, TokenVerifier};
use crate::jose::verification_keys::VerificationKeys;
use crate::resource::dpop_settings::{DynReplayGuard, ResourceDpop};
use crate::resource::scope_hierarchy::ScopeHierarchy;
use crate::store::replay::ReplayGuard;
use crate::store::revocation::{NoRevocation, RevocationStore, TokenView};
use crate::vocab::audience::Audience;
use crate::vocab::error::{ConfigError, DpopError, ValidationError};
use crate::vocab::extra_claims::ExtraClaims;
use crate::vocab::scope::ScopeSet;
use crate::vocab::time::{DEFAULT_LEEWAY, MAX_LEEWAY, UnixTime, ceil_secs};

/// A valid token lacks the scope an operation needs: HTTP 403 with
/// `insufficient_scope` (RFC 6750 §3.1, C122); see
/// [`BearerChallenge::insufficient_scope`](crate::BearerChallenge::insufficient_scope).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the token lacks the scope {required}")]
pub struct InsufficientScope {
    required: String,
}

impl InsufficientScope {
    /// A refusal for lack of `required`, for checks made outside
    /// [`VerifiedToken::require_scope`].
    pub fn new(required: impl Into<String>) -> Self {
        Self {
            required: required.into(),
        }
    }

    /// The scope the operation needs, for the challenge's `scope` parameter.
    pub fn required_scope(&self) -> &str {
        &self.required
    }
}

/// Proof that a token passed every check at one instant: signature, `typ`,
/// `iss`, `aud`, times and revocation. Only [`Validator::validate`] makes one.
#[derive(Clone, Debug)]
pub struct VerifiedToken {
    claims: AccessTokenClaims,
    scopes: ScopeSet,
    hierarchy: Option<Arc<ScopeHierarchy>>,
    extra: ExtraClaims,
}

impl VerifiedToken {
    /// The token's claims.
    pub fn claims(&self) -> &AccessTokenClaims {
        &self.claims
    }

    /// The thumbprint of the key a DPoP-bound token is bound to (`cnf.jkt`).
    pub fn dpop_thumbprint(&self) -> Option<&str> {
        self.claims.cnf.as_ref()?.jkt.as_deref()
    }

    /// The token's claims, owned.
    pub fn into_claims(self) -> AccessTokenClaims {
        self.claims
    }

    /// The token's extra claims: every member beside the
    /// [registered claims](crate::REGISTERED_CLAIMS), when the validator reads
    /// them ([`ValidatorBuilder::read_extra_claims`]); empty otherwise.
    pub fn extra_claims(&self) -> &ExtraClaims {
        &self.extra
    }

    /// The extra claim `name`, deserialised as `T`; `None` when the token
    /// does not carry it (or the validator does not
    /// [read extra claims](ValidatorBuilder::read_extra_claims)).
    ///
    /// # Errors
    /// [`ValidationError::MalformedClaims`] when its value is not a `T`.
    pub fn extra_claim<T: DeserializeOwned>(
        &self,
        name: &str,
    ) -> Result<Option<T>, ValidationError> {
        self.extra.get(name)
    }

    /// The client the token was issued to.
    pub fn client_id(&self) -> &str {
        &self.claims.client_id
    }

    /// The scopes granted (the `scope` claim), without implied ones.
    pub fn scopes(&self) -> &ScopeSet {
        &self.scopes
    }

    /// Whether the token grants `scope`, directly or through the validator's
    /// [`ScopeHierarchy`].
    pub fn has_scope(&self, scope: &str) -> bool {
        match &self.hierarchy {
            Some(hierarchy) => hierarchy.satisfies(&self.scopes, scope),
            None => self.scopes.contains(scope),
        }
    }

    /// Checks that the token grants `scope` ([`has_scope`](Self::has_scope)).
    ///
    /// # Errors
    /// [`InsufficientScope`] naming `scope`, for the 403 challenge.
    pub fn require_scope(&self, scope: &str) -> Result<(), InsufficientScope> {
        if self.has_scope(scope) {
            Ok(())
        } else {
            Err(InsufficientScope::new(scope))
        }
    }
}

/// Checks bearer tokens for one resource server: built once, shared (`Arc`),
/// called per request with the current time.
///
/// [`validate`](Self::validate) checks, in order (RFC 9068 §4):
/// 1. size, then compact JWS syntax: three parts of strict, unpadded base64url;
/// 2. the header: a JSON object, no `crit`, `typ` `at+jwt` or
///    `application/at+jwt` in any case (C62), `alg` a supported algorithm and
///    never `none`, `kid` naming a configured key whose algorithm is exactly
///    `alg`. `jwk`, `jku`, `x5u` and `x5c` are ignored: only configured keys
///    verify (C63);
/// 3. the signature, with one ring call;
/// 4. the claims, decoded once: all of RFC 9068 §2.2 present (C54), `iss`
///    byte-equal to the configured issuer (C63), `aud` (a string or an array)
///    containing one of the configured audiences byte for byte — a resource
///    server knows its own identifier, and the issuer writes the registered
///    identifier into `aud` (C135) — then `exp`, `nbf` and `iat` against `now`
///    with the leeway;
/// 5. the [`RevocationStore`].
///
/// Nothing is parsed per call but the token: keys are parsed when the
/// [`VerificationKeys`] are built, or when a [`RemoteKeys`] fetches them.
pub struct Validator<R = NoRevocation> {
    verifier: TokenVerifier,
    remote: Option<RemoteKeys>,
    audiences: Vec<String>,
    leeway: u64,
    hierarchy: Option<Arc<ScopeHierarchy>>,
    revocation: R,
    pub(super) dpop: Option<ResourceDpop>,
    pub(super) replay: Option<Arc<dyn DynReplayGuard>>,
}

impl<R> fmt::Debug for Validator<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Validator")
            .field("issuer", &self.verifier.issuer())
            .field("audiences", &self.audiences)
            .field("keys", self.verifier.keys())
            .field("remote_keys", &self.remote)
            .field("leeway_secs", &self.leeway)
            .field("dpop", &self.dpop)
            .finish_non_exhaustive()
    }
}

impl Validator {
    /// Starts configuring a validator for tokens of `issuer` (compared byte for
    /// byte with `iss`), meant for `audience`, signed by one of `keys`.
    ///
    /// # Defaults
    /// - leeway [`DEFAULT_LEEWAY`] (60 s); tokens up to [`DEFAULT_MAX_TOKEN_BYTES`]
    /// - no scope hierarchy
    /// - [`NoRevocation`]: revoked tokens stay valid until they expire, unless a
    ///   shared store is set with [`ValidatorBuilder::revocation_store`]
    pub fn builder(
        issuer: impl Into<String>,
        audience: Audience,
        keys: VerificationKeys,
    ) -> ValidatorBuilder<NoRevocation> {
        ValidatorBuilder {
            issuer: issuer.into(),
            audiences: vec![audience],
            keys,
            leeway: DEFAULT_LEEWAY,
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
            hierarchy: None,
            revocation: NoRevocation,
            remote: None,
            extra_claims: false,
            dpop: None,
            dpop_endpoint: None,
            dpop_required: false,
            replay: None,
        }
    }

    /// Starts configuring a validator whose keys come from `keys`, which
    /// follows the issuer's key rotation; the issuer is `keys`' issuer. The
    /// defaults are [`builder`](Self::builder)'s.
    pub fn builder_remote(audience: Audience, keys: RemoteKeys) -> ValidatorBuilder<NoRevocation> {
        ValidatorBuilder {
            issuer: keys.issuer().to_owned(),
            audiences: vec![audience],
            keys: VerificationKeys::empty(),
            leeway: DEFAULT_LEEWAY,
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
            hierarchy: None,
            revocation: NoRevocation,
            remote: Some(keys),
            extra_claims: false,
            dpop: None,
            dpop_endpoint: None,
            dpop_required: false,
            replay: None,
        }
    }
}

impl<R: RevocationStore> Validator<R> {
    /// Checks `token` (the credentials of an `Authorization: Bearer` header) at
    /// `now`; see the type's documentation for the checks. A DPoP-bound token
    /// (with `cnf.jkt`) is refused here: it needs its proof, through
    /// [`validate_dpop`](Self::validate_dpop) or
    /// [`authorize`](Self::authorize) (RFC 9449 §7.2, C112).
    ///
    /// With the feature `metrics`, each outcome is counted in
    /// [`VALIDATIONS`](crate::resource::VALIDATIONS).
    ///
    /// # Errors
    /// The [`ValidationError`] of the first check that fails.
    pub async fn validate(
        &self,
        token: &str,
        now: UnixTime,
    ) -> Result<VerifiedToken, ValidationError> {
        let result = self.check(token, now).await;
        #[cfg(feature = "metrics")]
        crate::resource::metrics::count(result.as_ref().err());
        result
    }

    async fn check(&self, token: &str, now: UnixTime) -> Result<VerifiedToken, ValidationError> {
        let verified = self.validate_token(token, now).await?;
        if verified.dpop_thumbprint().is_some() {
            return Err(ValidationError::Dpop(DpopError::BoundTokenAsBearer));
        }
        Ok(verified)
    }

    /// Every check of [`validate`](Self::validate) but the binding.
    pub(super) async fn validate_token(
        &self,
        token: &str,
        now: UnixTime,
    ) -> Result<VerifiedToken, ValidationError> {
        let signed = match &self.remote {
            None => self.verifier.verify(token)?,
            Some(remote) => remote.verify(&self.verifier, token, now).await?,
        };
        if !signed
            .claims
            .aud
            .iter()
            .any(|aud| self.audiences.iter().any(|own| own == aud))
        {
            return Err(ValidationError::WrongAudience);
        }
        signed.check_times(now, self.leeway)?;
        let (claims, extra) = (signed.claims, signed.extra);
        let scopes = match &claims.scope {
            Some(scope) => ScopeSet::parse(scope).ok_or(ValidationError::MalformedClaims)?,
            None => ScopeSet::new(),
        };
        match self.revocation.is_revoked(&TokenView::of(&claims)).await {
            Ok(false) => {}
            Ok(true) => return Err(ValidationError::Revoked),
            Err(error) => {
                // The caller sees `invalid_token`; the operator, why.
                #[cfg(feature = "tracing")]
                tracing::warn!(
                    target: "client_credentials::validator",
                    store_error = %error,
                    "the revocation store failed; the token is refused"
                );
                #[cfg(not(feature = "tracing"))]
                let _ = error;
                return Err(ValidationError::RevocationUnavailable);
            }
        }
        Ok(VerifiedToken {
            claims,
            scopes,
            hierarchy: self.hierarchy.clone(),
            extra,
        })
    }
}

impl<R> Validator<R> {
    /// The issuer identifier tokens must carry.
    pub fn issuer(&self) -> &str {
        self.verifier.issuer()
    }

    /// The audiences this resource server answers to.
    pub fn audiences(&self) -> impl Iterator<Item = &str> {
        self.audiences.iter().map(String::as_str)
    }

    /// The clock leeway.
    pub fn leeway(&self) -> Duration {
        Duration::from_secs(self.leeway)
    }

    /// The revocation store consulted.
    pub fn revocation_store(&self) -> &R {
        &self.revocation
    }
}

/// Configures a [`Validator`]; see [`Validator::builder`] for the defaults.
pub struct ValidatorBuilder<R = NoRevocation> {
    issuer: String,
    audiences: Vec<Audience>,
    keys: VerificationKeys,
    leeway: Duration,
    max_token_bytes: usize,
    hierarchy: Option<ScopeHierarchy>,
    revocation: R,
    remote: Option<RemoteKeys>,
    extra_claims: bool,
    dpop: Option<DpopConfig>,
    dpop_endpoint: Option<String>,
    dpop_required: bool,
    replay: Option<Arc<dyn DynReplayGuard>>,
}

impl<R> fmt::Debug for ValidatorBuilder<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValidatorBuilder")
            .field("issuer", &self.issuer)
            .field("audiences", &self.audiences)
            .finish_non_exhaustive()
    }
}

impl<R> ValidatorBuilder<R> {
    /// Accepts one more audience: another identifier of this same resource.
    #[must_use]
    pub fn audience(mut self, audience: Audience) -> Self {
        self.audiences.push(audience);
        self
    }

    /// Sets the clock leeway for `exp`, `nbf` and `iat` (at most [`MAX_LEEWAY`]).
    #[must_use]
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Sets the longest token accepted.
    #[must_use]
    pub fn max_token_bytes(mut self, limit: usize) -> Self {
        self.max_token_bytes = limit;
        self
    }

    /// Reads the tokens' extra claims (a tenant, an owner, an agent run id:
    /// every member beside the [registered claims](crate::REGISTERED_CLAIMS)),
    /// for [`VerifiedToken::extra_claim`]. Off by default: it reads each
    /// token's claims a second time.
    #[must_use]
    pub fn read_extra_claims(mut self) -> Self {
        self.extra_claims = true;
        self
    }

    /// Sets which scopes imply which (C122).
    #[must_use]
    pub fn scope_hierarchy(mut self, hierarchy: ScopeHierarchy) -> Self {
        self.hierarchy = Some(hierarchy);
        self
    }

    /// Sets the revocation store, usually shared with the issuer or with other
    /// replicas (for [`MemoryRevocationStore`](crate::store::MemoryRevocationStore),
    /// through an `Arc`).
    pub fn revocation_store<R2: RevocationStore>(self, store: R2) -> ValidatorBuilder<R2> {
        ValidatorBuilder {
            issuer: self.issuer,
            audiences: self.audiences,
            keys: self.keys,
            leeway: self.leeway,
            max_token_bytes: self.max_token_bytes,
            hierarchy: self.hierarchy,
            revocation: store,
            remote: self.remote,
            extra_claims: self.extra_claims,
            dpop: self.dpop,
            dpop_endpoint: self.dpop_endpoint,
            dpop_required: self.dpop_required,
            replay: self.replay,
        }
    }

    /// Accepts DPoP-bound tokens (RFC 9449 §7): `Authorization: DPoP` with a
    /// `DPoP` proof, judged by `dpop`, through
    /// [`Validator::authorize`] or [`Validator::validate_dpop`]. Bearer
    /// tokens are still accepted unless [`require_dpop`](Self::require_dpop).
    /// [`DpopConfig::mcp`] is the MCP DPoP profile.
    #[must_use]
    pub fn dpop(mut self, dpop: DpopConfig) -> Self {
        self.dpop = Some(dpop);
        self
    }

    /// Accepts DPoP-bound tokens only: a bearer token is refused and every
    /// challenge uses the `DPoP` scheme. Needs [`dpop`](Self::dpop).
    #[must_use]
    pub fn require_dpop(mut self) -> Self {
        self.dpop_required = true;
        self
    }

    /// Compares every proof's `htu` with `url` rather than with the request
    /// URI: the one endpoint of an MCP server, as its clients call it, which
    /// a server behind a proxy cannot read from its requests.
    #[must_use]
    pub fn dpop_endpoint(mut self, url: impl Into<String>) -> Self {
        self.dpop_endpoint = Some(url.into());
        self
    }

    /// Holds each DPoP proof to one use (RFC 9449 §11.1) through `guard`,
    /// shared by the replicas of the resource server (a Redis guard, say).
    /// Without one, a proof may be replayed within its short window, with
    /// the same token, method, URI and (MCP profile) body.
    #[must_use]
    pub fn dpop_replay_guard<G: ReplayGuard + 'static>(mut self, guard: G) -> Self {
        self.replay = Some(Arc::new(guard));
        self
    }

    /// Checks the configuration and builds the validator.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] for an empty issuer, no keys, a leeway above
    /// [`MAX_LEEWAY`], or DPoP settings that do not hold together.
    pub fn build(self) -> Result<Validator<R>, ConfigError> {
        let dpop = ResourceDpop::new(self.dpop, self.dpop_endpoint, self.dpop_required)?;
        if self.issuer.is_empty() {
            return Err(ConfigError::Invalid("the issuer identifier is empty"));
        }
        if self.keys.is_empty() && self.remote.is_none() {
            return Err(ConfigError::Invalid("a validator needs at least one key"));
        }
        if self.leeway > MAX_LEEWAY {
            return Err(ConfigError::Invalid("the leeway may not exceed MAX_LEEWAY"));
        }
        Ok(Validator {
            verifier: TokenVerifier::new(self.keys, self.issuer, self.max_token_bytes)
                .reading_extra_claims(self.extra_claims),
            remote: self.remote,
            audiences: self
                .audiences
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
            leeway: ceil_secs(self.leeway),
            hierarchy: self.hierarchy.map(Arc::new),
            revocation: self.revocation,
            dpop,
            replay: self.replay,
        })
    }
}

#[cfg(test)]
mod tests;
