//! Workload identity federation: the JWT-bearer authorization grant
//! (RFC 7523 §2.1) for workloads that hold a token of their platform (a
//! Kubernetes service-account token, a SPIFFE JWT-SVID, a GitHub Actions OIDC
//! token) instead of a secret of their own.
//!
//! - `trusted_issuer`: [`TrustedIssuer`], a platform whose tokens are
//!   accepted, with its keys (fixed, a `jwks_uri`, or discovery) and the rules
//!   its tokens are held to ([`ExpectedAudience`], algorithms, lifetime,
//!   leeway).
//! - `claim_rule`, `subject_match`: [`ClaimRule`] and [`SubjectMatch`], which
//!   verified tokens get a token, as which logical client, with what limits.
//! - `platform_token`: reading and verifying the presented token (RFC 7523 §3).
//! - `exchange`: the grant at the token endpoint, from the request to the
//!   minted token and its audit event.

pub(crate) mod claim_rule;
mod exchange;
pub(crate) mod platform_token;
pub(crate) mod subject_match;
pub(crate) mod trusted_issuer;

use std::fmt;

use self::claim_rule::ClaimRule;
use self::trusted_issuer::{ExpectedAudience, TrustedIssuer};
use crate::vocab::error::ConfigError;

/// The trusted issuers, each with its resolved audience and its rules in the
/// order given: checked once when the issuer is built.
pub(crate) struct Federation {
    issuers: Vec<Trusted>,
    /// Every claim name some rule compares, once: the claims kept when a
    /// platform token is read.
    pub(crate) claim_names: Vec<String>,
}

/// One trusted issuer, ready for requests.
pub(crate) struct Trusted {
    pub(crate) issuer: TrustedIssuer,
    /// The `aud` value its tokens must contain.
    pub(crate) audience: String,
    pub(crate) rules: Vec<ClaimRule>,
}

impl Federation {
    /// Checks the trusted issuers and rules, and resolves each issuer's
    /// audience against this server's `issuer_id` and `token_endpoint`.
    pub(crate) fn new(
        issuers: Vec<TrustedIssuer>,
        mut rules: Vec<ClaimRule>,
        issuer_id: &str,
        token_endpoint: &str,
    ) -> Result<Self, ConfigError> {
        let mut trusted: Vec<Trusted> = Vec::with_capacity(issuers.len());
        for issuer in issuers {
            issuer.check()?;
            if trusted.iter().any(|t| t.issuer.issuer() == issuer.issuer()) {
                return Err(ConfigError::Invalid("a trusted issuer is configured twice"));
            }
            let audience = match &issuer.audience {
                ExpectedAudience::TokenEndpoint => token_endpoint.to_owned(),
                ExpectedAudience::Issuer => issuer_id.to_owned(),
                ExpectedAudience::Value(v) => v.clone(),
            };
            let (own, others) = rules
                .into_iter()
                .partition(|r| r.issuer() == issuer.issuer());
            rules = others;
            trusted.push(Trusted {
                issuer,
                audience,
                rules: own,
            });
        }
        if !rules.is_empty() {
            return Err(ConfigError::Invalid(
                "a claim rule names an issuer that is not trusted",
            ));
        }
        let names: Vec<_> = trusted
            .iter()
            .flat_map(|t| t.rules.iter().map(ClaimRule::name))
            .collect();
        if (1..names.len()).any(|i| names[..i].contains(&names[i])) {
            return Err(ConfigError::Invalid("two claim rules share a name"));
        }
        let mut claim_names: Vec<String> = trusted
            .iter()
            .flat_map(|t| t.rules.iter().flat_map(ClaimRule::claim_names))
            .map(str::to_owned)
            .collect();
        claim_names.sort_unstable();
        claim_names.dedup();
        Ok(Self {
            issuers: trusted,
            claim_names,
        })
    }

    /// The trusted issuer whose identifier is exactly `iss`.
    pub(crate) fn find(&self, iss: &str) -> Option<&Trusted> {
        self.issuers.iter().find(|t| t.issuer.issuer() == iss)
    }
}

impl fmt::Debug for Federation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.issuers.iter().map(|t| (&t.issuer, &t.rules)))
            .finish()
    }
}
