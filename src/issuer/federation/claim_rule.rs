//! [`ClaimRule`]: which platform tokens get an access token, and what it
//! grants.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::issuer::federation::subject_match::SubjectMatch;
use crate::store::client::{Client, ClientBuilder};
use crate::vocab::audience::Audience;
use crate::vocab::error::ConfigError;
use crate::vocab::ids::{ClientId, CredentialId};
use crate::vocab::scope::ScopeSet;

/// Claims a rule may not name among its other claims: they are checked by
/// the grant itself (`iss`, `aud`, times, `jti`) or by the subject matcher.
const RESERVED: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// Maps verified platform tokens to what they may get (C145): tokens of one
/// trusted issuer whose `sub` matches, and whose other listed claims have the
/// listed values, get tokens as the rule's logical client, within its scopes,
/// audiences and lifetime.
///
/// # Matching
/// - `iss` equals the rule's issuer, a [`TrustedIssuer`](crate::issuer::TrustedIssuer).
/// - `sub` matches the rule's [`SubjectMatch`], anchored at both ends.
/// - Each claim named with [`claim`](ClaimRuleBuilder::claim) is a
///   **top-level** claim of the token whose value is a JSON string equal to
///   the given one. A missing claim, or one of another type (a number, an
///   object), does not match. Nested claims, such as Kubernetes's
///   `kubernetes.io.namespace`, cannot be named; the namespace is in the
///   service account's `sub` (`system:serviceaccount:{namespace}:{name}`).
///
/// **First match wins**: rules are tried in the order they were given to the
/// [`IssuerBuilder`](crate::issuer::IssuerBuilder), and the first that matches
/// decides, even when a later one would grant more or less. List narrow rules
/// before broad ones. A token no rule matches is refused with
/// `invalid_grant`.
///
/// # What a match grants
/// A token as the rule's client: `client_id` is the rule's, `sub` the
/// workload's subject, `credential_id` the rule's name. Scopes, audiences and
/// lifetime are decided by the issuer's [`Policy`](crate::issuer::Policy)
/// exactly as for a registered client with the same settings
/// (`invalid_scope`, `invalid_target`).
///
/// # One use
/// By default a token must carry a `jti` and is accepted once, through the
/// issuer's [`ReplayGuard`](crate::ReplayGuard) (keys apart from client
/// assertions'). Platforms that reuse a token for its whole life, or issue
/// none with a `jti`, need [`allow_token_reuse`](ClaimRuleBuilder::allow_token_reuse).
#[derive(Clone, Debug)]
pub struct ClaimRule {
    name: CredentialId,
    issuer: String,
    subject: SubjectMatch,
    claims: Vec<(String, String)>,
    client: Arc<Client>,
    one_use: bool,
}

/// Builds a [`ClaimRule`].
#[derive(Debug)]
pub struct ClaimRuleBuilder {
    name: String,
    issuer: String,
    subject: SubjectMatch,
    claims: Vec<(String, String)>,
    client: ClientBuilder,
    one_use: bool,
}

impl ClaimRule {
    /// Starts a rule named `name` (recorded as the tokens' `credential_id`
    /// and in audit events) for tokens of `issuer` whose `sub` matches
    /// `subject`, granting tokens to the logical client `client_id`. The
    /// client need not be registered in the client store.
    pub fn builder(
        name: impl Into<String>,
        issuer: impl Into<String>,
        subject: SubjectMatch,
        client_id: ClientId,
    ) -> ClaimRuleBuilder {
        ClaimRuleBuilder {
            name: name.into(),
            issuer: issuer.into(),
            subject,
            claims: Vec::new(),
            client: Client::builder(client_id),
            one_use: true,
        }
    }

    /// The rule's name.
    pub fn name(&self) -> &CredentialId {
        &self.name
    }

    /// The issuer whose tokens it matches.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The logical client tokens are granted to, with the rule's scopes,
    /// audiences and lifetime.
    pub fn client(&self) -> &Arc<Client> {
        &self.client
    }

    /// Whether each token must carry a `jti` and is accepted once.
    pub fn is_one_use(&self) -> bool {
        self.one_use
    }

    /// The names of the claims the rule compares, besides `iss` and `sub`.
    pub(super) fn claim_names(&self) -> impl Iterator<Item = &str> {
        self.claims.iter().map(|(name, _)| name.as_str())
    }

    /// Whether a verified token of the rule's issuer with `subject` and
    /// `claims` matches.
    pub(super) fn matches(&self, subject: &str, claims: &Map<String, Value>) -> bool {
        self.subject.matches(subject)
            && self.claims.iter().all(|(name, value)| {
                claims
                    .get(name)
                    .and_then(Value::as_str)
                    .is_some_and(|v| v == value)
            })
    }
}

impl ClaimRuleBuilder {
    /// Requires the top-level claim `name` to be the JSON string `value`
    /// (for GitHub Actions, `repository`, `ref`, `environment`,
    /// `job_workflow_ref`, …).
    #[must_use]
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.claims.push((name.into(), value.into()));
        self
    }

    /// Sets the scopes tokens may be granted.
    #[must_use]
    pub fn allowed_scopes(mut self, scopes: ScopeSet) -> Self {
        self.client = self.client.allowed_scopes(scopes);
        self
    }

    /// Sets the scopes granted when a request names none; each must be
    /// allowed.
    #[must_use]
    pub fn default_scopes(mut self, scopes: ScopeSet) -> Self {
        self.client = self.client.default_scopes(scopes);
        self
    }

    /// Allows tokens for one more resource (RFC 8707).
    #[must_use]
    pub fn allowed_audience(mut self, audience: Audience) -> Self {
        self.client = self.client.allowed_audience(audience);
        self
    }

    /// Sets the audience used when a request names no resource.
    #[must_use]
    pub fn default_audience(mut self, audience: Audience) -> Self {
        self.client = self.client.default_audience(audience);
        self
    }

    /// Sets the lifetime of the tokens granted (capped by the policy's
    /// maximum).
    #[must_use]
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.client = self.client.token_lifetime(lifetime);
        self
    }

    /// Accepts platform tokens without a `jti`, and the same token more than
    /// once while it is valid, as Kubernetes and SPIFFE workloads present
    /// them (a pod rereads its projected token until the kubelet replaces
    /// it). A stolen token then buys access tokens until it expires: keep
    /// such tokens short-lived.
    #[must_use]
    pub fn allow_token_reuse(mut self) -> Self {
        self.one_use = false;
        self
    }

    /// Checks the rule.
    ///
    /// # Errors
    /// [`ConfigError::InvalidCredentialId`] for a name that is not a
    /// non-empty printable ASCII string; [`ConfigError::Invalid`] for an empty
    /// issuer, a subject matcher that matches everything, a claim condition on
    /// a registered claim (`iss`, `sub`, `aud`, `exp`, `nbf`, `iat`, `jti`), or
    /// default scopes that are not allowed.
    pub fn build(self) -> Result<ClaimRule, ConfigError> {
        let name = CredentialId::new(self.name)?;
        if self.issuer.is_empty() {
            return Err(ConfigError::Invalid("a claim rule needs an issuer"));
        }
        self.subject.check()?;
        if self
            .claims
            .iter()
            .any(|(name, _)| RESERVED.contains(&name.as_str()))
        {
            return Err(ConfigError::Invalid(
                "a claim rule matches iss and sub through its issuer and subject; aud, times and jti are checked by the grant",
            ));
        }
        Ok(ClaimRule {
            name,
            issuer: self.issuer,
            subject: self.subject,
            claims: self.claims,
            client: Arc::new(self.client.build()?),
            one_use: self.one_use,
        })
    }
}
