//! Client authentication, the whole sequence in one place: throttle, store
//! lookup, secret check or JWT assertion (client keys, JWKS cache, replay
//! guard), and the revocation check. The token, revocation and introspection
//! endpoints all authenticate through `Issuer::authenticate_client`; the one
//! public entry is [`Issuer::authenticate`], and its proof is an
//! [`AuthenticatedClient`]. The steps are not public one by one: the
//! guarantees of each depend on the others (an assertion is only proof once
//! recorded by the replay guard, a secret only once throttled).

use std::pin::Pin;
use std::sync::Arc;

use crate::audit::AuditEvent;
use crate::issuer::assertion::{ClientAssertion, verify_assertion};
use crate::issuer::client_auth::{AuthenticatedClient, ClientAuth};
use crate::issuer::endpoint::Issuer;
use crate::issuer::token_request::TokenRequest;
use crate::jose::client_keys::ClientKey;
use crate::store::client::Client;
use crate::store::client_store::ClientStore;
use crate::store::replay::{ReplayCheck, ReplayGuard};
use crate::store::revocation::{RevocationStore, TokenView};
use crate::vocab::error::{Reason, TokenError};
use crate::vocab::ids::{AuthMethod, ClientId};
use crate::vocab::scope::ScopeSet;
use crate::vocab::secret_hash::SecretHash;
use crate::vocab::time::UnixTime;

impl<S: ClientStore, R: RevocationStore, G: ReplayGuard> Issuer<S, R, G> {
    /// Authenticates the client of `request` at `now`: throttle check, store
    /// lookup, credential check, and a check that neither the client nor the
    /// credential is revoked. Refusals are audited.
    ///
    /// A JWT assertion is verified (RFC 7523 §3: signature, `iss`, `sub`, `aud`,
    /// times, `jti`) against the keys of the client its `sub` names (fetched
    /// through the [`JwksCache`](crate::jose::JwksCache) for a `jwks_uri`
    /// client), then recorded as used in the [`ReplayGuard`]: only the
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
            self.config.audit.record(&event);
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
        if let Err(retry_after) = self.config.throttle.check(presented_id, now) {
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
        let result = if method == AuthMethod::None || self.config.auth_methods.contains(&method) {
            check_secret(auth, client, now)
        } else {
            Err(Reason::UnsupportedAuthScheme)
        };
        match result {
            Ok(client) => {
                self.config.throttle.record_success(presented_id, now);
                Ok(client)
            }
            Err(reason) => {
                self.config.throttle.record_failure(presented_id, now);
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
        if !self.config.auth_methods.contains(&method) {
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
                .config
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
        let verified = verify_assertion(
            assertion,
            &client,
            keys,
            &self.config.issuer_id,
            now,
            &self.config.assertion,
        )?;
        match self
            .replay
            .first_use(
                client.id().as_str(),
                verified.replay_key(),
                verified.replay_until(),
                now,
            )
            .await
        {
            Ok(ReplayCheck::FirstUse) => Ok(AuthenticatedClient::new(
                client,
                verified.method(),
                verified.credential_id().clone(),
            )),
            Ok(ReplayCheck::Replayed) => Err(Reason::AssertionReplayed),
            Ok(_) => Err(Reason::ReplayQuotaExceeded),
            Err(_) => Err(Reason::ReplayGuardUnavailable),
        }
    }
}

/// Checks a presented secret against the client registered under its id
/// (`client`, `None` when unknown) at `now`.
///
/// An unknown client costs the same hash work as a wrong secret of a client
/// with a fast hash, so response times do not reveal which ids exist among
/// such clients. A JWT assertion is refused here: it goes through
/// `authenticate_assertion`, which has the keys and the replay guard it needs.
fn check_secret(
    auth: &ClientAuth,
    client: Option<Arc<Client>>,
    now: UnixTime,
) -> Result<AuthenticatedClient, Reason> {
    let secret = match auth {
        ClientAuth::SecretBasic { secret, .. } | ClientAuth::SecretPost { secret, .. } => secret,
        ClientAuth::ClientIdOnly { .. } => {
            return Err(match client {
                Some(c) if c.allows_method(AuthMethod::None) => Reason::PublicClient,
                _ => Reason::NoClientAuthentication,
            });
        }
        ClientAuth::Absent => return Err(Reason::NoClientAuthentication),
        ClientAuth::JwtAssertion { .. } => return Err(Reason::UnsupportedAuthScheme),
    };
    let presented = secret.expose_secret().as_bytes();
    let Some(client) = client else {
        SecretHash::verify_unknown_client(presented);
        return Err(Reason::UnknownClient);
    };
    let method = auth.method();
    if !client.allows_method(method) {
        SecretHash::verify_unknown_client(presented);
        return Err(Reason::AuthMethodNotAllowed);
    }
    let matched = client
        .secrets()
        .iter()
        .filter(|s| s.is_live(now))
        .find(|s| s.hash().verify(presented));
    match matched {
        Some(s) => {
            let credential_id = s.id().clone();
            Ok(AuthenticatedClient::new(client, method, credential_id))
        }
        None => Err(Reason::WrongSecret),
    }
}

#[cfg(test)]
mod tests;
