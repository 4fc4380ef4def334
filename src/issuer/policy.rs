//! What an authenticated client gets: scopes, audiences and lifetime.

use std::sync::Arc;
use std::time::Duration;

use crate::issuer::token_request::TokenRequest;
use crate::store::client::Client;
use crate::vocab::audience::Audience;
use crate::vocab::error::Reason;
use crate::vocab::scope::ScopeSet;

/// What to do when a client asks for a scope it may not have (C21).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ScopePolicy {
    /// Refuse the request with `invalid_scope`. The default: a client that asks
    /// for more than it may have is misconfigured, and a token with less than it
    /// asked for would fail later, further from the cause.
    #[default]
    Refuse,
    /// Grant the allowed part and report it in the `scope` response member (C22);
    /// refuse only when nothing allowed remains.
    Downscope,
}

/// The issuer's grant policy.
///
/// # Defaults
/// - `scope_policy`: [`ScopePolicy::Refuse`]
/// - `default_token_lifetime`: 10 minutes (short-lived tokens, C124)
/// - `max_token_lifetime`: 1 hour; per-client lifetimes are capped by it
/// - `max_resources_per_token`: 1. A token for several resources would carry
///   every granted scope to each of them, which RFC 9068 §3 calls ambiguous (C59);
///   raise it only when your scopes mean the same thing at every resource.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct Policy {
    /// Refuse or downscope excessive scope requests.
    pub scope_policy: ScopePolicy,
    /// Token lifetime for clients that set none.
    pub default_token_lifetime: Duration,
    /// The longest lifetime any token gets.
    pub max_token_lifetime: Duration,
    /// How many `resource` values one request may name.
    pub max_resources_per_token: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            scope_policy: ScopePolicy::Refuse,
            default_token_lifetime: Duration::from_secs(600),
            max_token_lifetime: Duration::from_secs(3600),
            max_resources_per_token: 1,
        }
    }
}

/// What a token will grant: decided, not yet minted.
///
/// Made by [`Policy::grant`] only; more members may follow, so it cannot be
/// built or matched exhaustively outside the crate.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The granted scopes (never empty).
    pub scope: ScopeSet,
    /// The audiences, as registered for the client (never empty). Shared: a
    /// grant of the client's default audience copies nothing.
    pub audiences: Arc<[Audience]>,
    /// The token lifetime.
    pub lifetime: Duration,
}

impl Policy {
    /// Decides what `client` gets for `request`: every grant check, in one
    /// place. The client must be enabled and registered for the
    /// `client_credentials` grant; then scopes, audiences and lifetime are
    /// chosen.
    ///
    /// # Errors
    /// [`Reason::ClientDisabled`] or [`Reason::GrantNotAllowed`]
    /// (`unauthorized_client`); `invalid_scope` reasons when no scope can be
    /// granted (C19, C21, C32); `invalid_target` reasons when the resources are
    /// not allowed, too many, or no audience can be chosen (C58, C68, C70).
    pub fn grant(&self, client: &Client, request: &TokenRequest) -> Result<Grant, Reason> {
        if !client.is_enabled() {
            return Err(Reason::ClientDisabled);
        }
        if !client.allows_client_credentials() {
            return Err(Reason::GrantNotAllowed);
        }
        Ok(Grant {
            scope: self.grant_scope(client, request.scope())?,
            audiences: self.grant_audiences(client, request.resources())?,
            lifetime: client
                .token_lifetime()
                .unwrap_or(self.default_token_lifetime)
                .min(self.max_token_lifetime),
        })
    }

    fn grant_scope(
        &self,
        client: &Client,
        requested: Option<&ScopeSet>,
    ) -> Result<ScopeSet, Reason> {
        let Some(requested) = requested else {
            return match client.default_scopes() {
                d if d.is_empty() => Err(Reason::NoScope),
                d => Ok(d.clone()),
            };
        };
        let allowed = client.allowed_scopes();
        if requested.is_subset(allowed) {
            return Ok(requested.clone());
        }
        match self.scope_policy {
            ScopePolicy::Refuse => Err(Reason::ScopeNotAllowed),
            ScopePolicy::Downscope => {
                let granted = requested.intersection(allowed);
                if granted.is_empty() {
                    Err(Reason::ScopeNotAllowed)
                } else {
                    Ok(granted)
                }
            }
        }
    }

    fn grant_audiences(
        &self,
        client: &Client,
        requested: &[Audience],
    ) -> Result<Arc<[Audience]>, Reason> {
        if requested.is_empty() {
            let default = client.default_audiences();
            return if default.is_empty() {
                Err(Reason::NoAudience)
            } else {
                Ok(Arc::clone(default))
            };
        }
        if requested.len() > self.max_resources_per_token {
            return Err(Reason::TooManyResources);
        }
        let mut granted: Vec<Audience> = Vec::with_capacity(requested.len());
        for r in requested {
            let registered = client
                .allowed_audiences()
                .iter()
                .find(|a| a.matches(r))
                .ok_or(Reason::ResourceNotAllowed)?;
            if !granted.iter().any(|g| g.matches(registered)) {
                granted.push(registered.clone());
            }
        }
        Ok(granted.into())
    }
}

#[cfg(test)]
mod tests;
