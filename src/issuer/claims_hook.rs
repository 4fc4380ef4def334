//! Extra claims at issuance: the client's own, then what the deployment's
//! [`ClaimsHook`] adds from the authenticated client and the request.

use std::borrow::Cow;
use std::fmt;

use crate::issuer::client_auth::AuthenticatedClient;
use crate::issuer::policy::Grant;
use crate::issuer::token_request::TokenRequest;
use crate::store::client::Client;
use crate::vocab::error::{ConfigError, Reason};
use crate::vocab::extra_claims::ExtraClaims;
use crate::vocab::ids::AuthMethod;

/// Adds claims to each token from the authenticated client and the request:
/// a tenant or an owner looked up from the client id, the `azp` of the
/// calling party, an agent run id passed as a request parameter the
/// deployment allows ([`IssuerBuilder::extra_request_parameters`]).
///
/// Set with [`IssuerBuilder::claims_hook`]. Called on the request path after
/// the grant is decided, once per token: keep it fast and free of I/O (keep
/// looked-up data in the client's
/// [`extra_claims`](crate::store::ClientBuilder::extra_claims) instead).
/// The hook's claims are set after the client's, so a name in both takes the
/// hook's value. Registered claims can never be set: [`ExtraClaims::insert`]
/// refuses them with [`ConfigError::ReservedClaim`].
///
/// An error refuses the request with `500 server_error`, audited as
/// [`Reason::ExtraClaimsRefused`] (and logged with its message under the
/// feature `tracing`): the deployment's hook, not the client, is at fault.
///
/// ```
/// use client_credentials::issuer::{ClaimsHook, ClaimsRequest};
/// use client_credentials::{ConfigError, ExtraClaims};
///
/// #[derive(Debug)]
/// struct AgentRun;
///
/// impl ClaimsHook for AgentRun {
///     fn add_claims(&self, request: &ClaimsRequest<'_>, claims: &mut ExtraClaims) -> Result<(), ConfigError> {
///         claims.insert("azp", request.client().id().as_str())?;
///         if let Some(run) = request.parameter("agent_run_id") {
///             claims.insert("agent_run_id", run)?;
///         }
///         Ok(())
///     }
/// }
/// ```
///
/// [`IssuerBuilder::extra_request_parameters`]: crate::issuer::IssuerBuilder::extra_request_parameters
/// [`IssuerBuilder::claims_hook`]: crate::issuer::IssuerBuilder::claims_hook
pub trait ClaimsHook: Send + Sync + fmt::Debug {
    /// Adds this token's claims to `claims` (which starts empty).
    ///
    /// # Errors
    /// Any [`ConfigError`], typically from [`ExtraClaims::insert`]: the
    /// request is refused.
    fn add_claims(
        &self,
        request: &ClaimsRequest<'_>,
        claims: &mut ExtraClaims,
    ) -> Result<(), ConfigError>;
}

/// What a [`ClaimsHook`] knows of the token about to be issued: the
/// authenticated client, what it was granted, and the extra request
/// parameters the deployment allows.
#[derive(Debug)]
pub struct ClaimsRequest<'a> {
    client: &'a AuthenticatedClient,
    grant: &'a Grant,
    request: &'a TokenRequest,
}

impl ClaimsRequest<'_> {
    /// The authenticated client's registration.
    pub fn client(&self) -> &Client {
        self.client.client()
    }

    /// How the client authenticated.
    pub fn auth_method(&self) -> AuthMethod {
        self.client.method()
    }

    /// The credential that authenticated the client.
    pub fn credential_id(&self) -> &str {
        self.client.credential_id().as_str()
    }

    /// What the token grants: scope, audiences, lifetime.
    pub fn grant(&self) -> &Grant {
        self.grant
    }

    /// The value of the request parameter `name`, when `name` is one of
    /// the [allowed extra parameters](crate::issuer::IssuerBuilder::extra_request_parameters)
    /// and the request carried it (not empty).
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.request.extra_parameter(name)
    }
}

/// Request parameters that may never be allowed as extra parameters: those
/// of the token request itself and of client authentication, so that no
/// credential can reach a hook and from there a token.
pub(crate) const TOKEN_REQUEST_PARAMETERS: &[&str] = &[
    "grant_type",
    "scope",
    "resource",
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "assertion",
    "subject_token",
    "actor_token",
    "audience",
    "code",
    "code_verifier",
    "redirect_uri",
    "refresh_token",
    "username",
    "password",
    "token",
    "dpop_jkt",
];

/// Checks the allowed extra request parameter names.
pub(crate) fn check_extra_parameters(names: &[Box<str>]) -> Result<(), ConfigError> {
    for name in names {
        if name.is_empty() || TOKEN_REQUEST_PARAMETERS.contains(&&**name) {
            return Err(ConfigError::Invalid(
                "an extra request parameter is empty or a parameter of the token request or of client authentication",
            ));
        }
    }
    Ok(())
}

/// The extra claims of a token for `client`: the client's own, then the
/// hook's over them. Borrowed when there is no hook.
pub(crate) fn token_claims<'a>(
    hook: Option<&dyn ClaimsHook>,
    client: &'a AuthenticatedClient,
    grant: &Grant,
    request: &TokenRequest,
) -> Result<Cow<'a, ExtraClaims>, ConfigError> {
    let own = client.client().extra_claims();
    let Some(hook) = hook else {
        return Ok(Cow::Borrowed(own));
    };
    let mut added = ExtraClaims::new();
    hook.add_claims(
        &ClaimsRequest {
            client,
            grant,
            request,
        },
        &mut added,
    )?;
    if added.is_empty() {
        return Ok(Cow::Borrowed(own));
    }
    let mut claims = own.clone();
    claims.extend_from(&added)?;
    Ok(Cow::Owned(claims))
}

/// Logs why a hook's claims were refused (under the feature `tracing`).
pub(crate) fn log_refusal(error: &ConfigError) -> Reason {
    #[cfg(feature = "tracing")]
    tracing::error!(
        target: "client_credentials::claims",
        error = %error,
        "the claims hook failed; the token request is refused"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = error;
    Reason::ExtraClaimsRefused
}
