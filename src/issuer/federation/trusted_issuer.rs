//! [`TrustedIssuer`]: a platform whose JWTs the JWT-bearer grant accepts, with
//! where its keys come from and how its tokens are judged.

use std::fmt;
use std::time::Duration;

use crate::jose::algorithm::Algorithm;
use crate::jose::http_get::HttpGet;
use crate::jose::remote_keys::{RemoteKeys, RemoteKeysConfig};
use crate::jose::verification_keys::VerificationKeys;
use crate::vocab::error::{ConfigError, ValidationError};
use crate::vocab::time::{DEFAULT_LEEWAY, MAX_LEEWAY, UnixTime};

/// The `aud` a trusted issuer's tokens must name (RFC 7523 §3 item 3: the
/// server "MUST reject any JWT that does not contain its own identity as the
/// intended audience"). Platforms differ in what they let a workload ask
/// for, so each issuer says which value its tokens carry; `aud` must contain
/// it exactly (simple string comparison), beside any other audiences.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectedAudience {
    /// This server's token endpoint URL: what the MCP workload identity
    /// federation draft requires. The default.
    TokenEndpoint,
    /// This server's issuer identifier.
    Issuer,
    /// A value of the deployment's choosing, such as the audience set in a
    /// Kubernetes projected volume or requested from GitHub's token service.
    /// Never a value another relying party accepts too: a token minted for it
    /// could then be replayed here.
    Value(String),
}

/// Where a trusted issuer's verification keys come from.
enum IssuerKeys {
    /// A JWK Set configured in advance.
    Fixed(VerificationKeys),
    /// Fetched and kept fresh: a `jwks_uri`, or one found by discovery.
    Remote(RemoteKeys),
}

/// An issuer of platform tokens (a Kubernetes cluster, a SPIFFE trust domain,
/// GitHub Actions, any OIDC issuer) whose JWTs a workload may present with the
/// JWT-bearer grant (RFC 7523 §2.1) to get an access token (C144).
///
/// Trust alone grants nothing: a token of a trusted issuer gets an access
/// token only when a [`ClaimRule`](crate::issuer::ClaimRule) matches its
/// claims.
///
/// Keys come from a JWK Set configured in advance ([`with_keys`](Self::with_keys)),
/// or are fetched through an [`HttpGet`](crate::resource::HttpGet) and kept
/// fresh by a [`RemoteKeys`](crate::resource::RemoteKeys) (refetched when their
/// TTL passes and on a `kid` the set lacks, stale while revalidating): from a
/// `jwks_uri` ([`RemoteKeys::with_jwks_uri`](crate::resource::RemoteKeys::with_jwks_uri)),
/// RFC 8414 metadata ([`RemoteKeys::new`](crate::resource::RemoteKeys::new)), or
/// OpenID Connect Discovery ([`with_openid_discovery`](Self::with_openid_discovery)).
/// Fetched URLs must be `https`, but for loopback `http` with
/// `RemoteKeysConfig::danger_allow_http_loopback` (tests only).
///
/// # Defaults
/// - audience: [`ExpectedAudience::TokenEndpoint`];
/// - algorithms: RS256, PS256, ES256, ES384 and EdDSA (never HS256: a
///   platform's key is never a shared secret);
/// - maximum assertion lifetime: 1 hour (a Kubernetes projected token's
///   default), measured from `iat` to `exp` and from now to `exp`;
/// - leeway: 60 seconds of clock skew, each way.
pub struct TrustedIssuer {
    id: String,
    keys: IssuerKeys,
    pub(super) audience: ExpectedAudience,
    pub(super) algorithms: Vec<Algorithm>,
    pub(super) max_assertion_lifetime: Duration,
    pub(super) leeway: Duration,
}

impl TrustedIssuer {
    /// Trusts `issuer`, whose tokens are signed by `keys` (for instance
    /// [`VerificationKeys::from_jwks_json`] of its published set).
    ///
    /// # Errors
    /// [`ConfigError::InvalidIssuer`] for an empty issuer identifier.
    pub fn with_keys(
        issuer: impl Into<String>,
        keys: VerificationKeys,
    ) -> Result<Self, ConfigError> {
        let id = issuer.into();
        if id.is_empty() {
            return Err(ConfigError::InvalidIssuer(id));
        }
        Ok(Self::new(id, IssuerKeys::Fixed(keys)))
    }

    /// Trusts the issuer of `keys`, which fetches its key set (from a
    /// `jwks_uri`, or through the issuer's RFC 8414 metadata).
    pub fn with_remote_keys(keys: RemoteKeys) -> Self {
        Self::new(keys.issuer().to_owned(), IssuerKeys::Remote(keys))
    }

    /// Trusts `issuer` and reads its `jwks_uri` from its OpenID Connect
    /// Discovery document, `{issuer}/.well-known/openid-configuration`, whose
    /// `issuer` must equal it: how Kubernetes service-account issuers, GitHub
    /// Actions and SPIRE's OIDC discovery provider publish their keys.
    ///
    /// # Errors
    /// [`ConfigError::InvalidIssuer`] unless `issuer` is an `https` URL
    /// without query or fragment (or loopback `http` with
    /// `danger_allow_http_loopback`), as for
    /// [`RemoteKeys::new`](crate::resource::RemoteKeys::new).
    pub fn with_openid_discovery(
        issuer: impl Into<String>,
        fetcher: impl HttpGet,
        config: RemoteKeysConfig,
    ) -> Result<Self, ConfigError> {
        Ok(Self::with_remote_keys(RemoteKeys::with_openid_discovery(
            issuer, fetcher, config,
        )?))
    }

    fn new(id: String, keys: IssuerKeys) -> Self {
        Self {
            id,
            keys,
            audience: ExpectedAudience::TokenEndpoint,
            algorithms: vec![
                Algorithm::RS256,
                Algorithm::PS256,
                Algorithm::ES256,
                Algorithm::ES384,
                Algorithm::EdDSA,
            ],
            max_assertion_lifetime: Duration::from_secs(3600),
            leeway: DEFAULT_LEEWAY,
        }
    }

    /// Sets the audience this issuer's tokens must name.
    #[must_use]
    pub fn audience(mut self, audience: ExpectedAudience) -> Self {
        self.audience = audience;
        self
    }

    /// Sets the signature algorithms accepted from this issuer.
    #[must_use]
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// Sets the longest a token of this issuer may live: from its `iat` to
    /// its `exp`, and from now to its `exp`.
    #[must_use]
    pub fn max_assertion_lifetime(mut self, lifetime: Duration) -> Self {
        self.max_assertion_lifetime = lifetime;
        self
    }

    /// Sets the clock skew allowed on `exp`, `nbf` and `iat`.
    #[must_use]
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The issuer identifier its tokens' `iss` must equal exactly.
    pub fn issuer(&self) -> &str {
        &self.id
    }

    /// The checks of [`IssuerBuilder::build`](crate::issuer::IssuerBuilder::build).
    pub(super) fn check(&self) -> Result<(), ConfigError> {
        if self.algorithms.is_empty() {
            return Err(ConfigError::Invalid(
                "a trusted issuer needs at least one accepted algorithm",
            ));
        }
        if self.algorithms.iter().any(|a| a.is_symmetric()) {
            return Err(ConfigError::Invalid(
                "a trusted issuer's tokens are verified with public keys: HS256 is never accepted",
            ));
        }
        if self.leeway > MAX_LEEWAY {
            return Err(ConfigError::Invalid(
                "a trusted issuer's leeway may not exceed MAX_LEEWAY",
            ));
        }
        if self.max_assertion_lifetime.is_zero() {
            return Err(ConfigError::Invalid(
                "a trusted issuer's maximum assertion lifetime may not be zero",
            ));
        }
        if matches!(&self.audience, ExpectedAudience::Value(v) if v.is_empty()) {
            return Err(ConfigError::Invalid(
                "a trusted issuer's expected audience may not be empty",
            ));
        }
        Ok(())
    }

    /// Runs `check` on the issuer's keys: the configured set, or the fetched
    /// one, fetched first when there is none, refreshed when due and once
    /// more for an unknown `kid`.
    pub(super) async fn with_current_keys<T>(
        &self,
        now: UnixTime,
        check: impl Fn(&VerificationKeys) -> Result<T, ValidationError>,
    ) -> Result<T, ValidationError> {
        match &self.keys {
            IssuerKeys::Fixed(keys) => check(keys),
            IssuerKeys::Remote(remote) => remote.verify_by(now, check).await,
        }
    }
}

impl fmt::Debug for TrustedIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: &dyn fmt::Debug = match &self.keys {
            IssuerKeys::Fixed(keys) => keys,
            IssuerKeys::Remote(remote) => remote,
        };
        f.debug_struct("TrustedIssuer")
            .field("issuer", &self.id)
            .field("keys", keys)
            .field("audience", &self.audience)
            .field("algorithms", &self.algorithms)
            .field("max_assertion_lifetime", &self.max_assertion_lifetime)
            .field("leeway", &self.leeway)
            .finish()
    }
}
