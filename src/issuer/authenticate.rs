//! Client authentication, the whole sequence in one place: throttle, store
//! lookup, secret check or JWT assertion (client keys, JWKS cache, replay
//! guard), and the revocation check. The token, revocation and introspection
//! endpoints all authenticate through `Issuer::authenticate_client`; the one
//! public entry is [`Issuer::authenticate`], and its proof is an
//! [`AuthenticatedClient`]. The steps are not public one by one: the
//! guarantees of each depend on the others (an assertion is only proof once
//! recorded by the replay guard, a secret only once throttled).

use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::audit::{AuditEvent, AuditedClientId};
use crate::issuer::assertion::{ClientAssertion, verify_assertion};
use crate::issuer::client_auth::{AuthenticatedClient, ClientAuth};
use crate::issuer::endpoint::Issuer;
use crate::issuer::slow_hash::run_slow;
use crate::issuer::token_request::TokenRequest;
use crate::jose::client_keys::ClientKey;
use crate::store::client::Client;
use crate::store::client_store::ClientStore;
use crate::store::replay::{ReplayCheck, ReplayGuard};
use crate::store::revocation::{RevocationStore, TokenView};
use crate::store::throttle::{AuthThrottle, ThrottleKey};
use crate::vocab::error::{Reason, TokenError};
use crate::vocab::ids::{AuthMethod, ClientId};
use crate::vocab::scope::ScopeSet;
use crate::vocab::secret::ClientSecret;
use crate::vocab::secret_hash::SecretHash;
use crate::vocab::time::UnixTime;

/// The `429` answer for a key that must wait.
fn throttled(retry_after: Duration) -> TokenError {
    TokenError::throttled(retry_after.as_secs().max(1))
}

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
    /// # Timing
    /// Every refusal has the same answer. By timing, an unknown client id is
    /// indistinguishable from a wrong secret of a client with one live fast-hash
    /// secret, and an assertion naming an unknown client (or one that may not
    /// use the method, pins other algorithms, or has no key for the `kid` and
    /// `alg`) from a bad signature of a client with one matching key: those
    /// refusals run a dummy hash or a decoy signature check of the same cost.
    /// A client with a PBKDF2 secret, several live secrets or several keys
    /// without `kid`, an RSA key of another length than the signature, or a
    /// `jwks_uri` to fetch is told apart; the security model's section
    /// "Unknown ids and wrong secrets" lists each case.
    ///
    /// PBKDF2 checks run through the
    /// [`SlowHashRunner`](crate::issuer::SlowHashRunner) set with
    /// [`IssuerBuilder::slow_hash_runner`](crate::issuer::IssuerBuilder::slow_hash_runner),
    /// or inline, blocking the polling thread for the check, without one.
    ///
    /// # Errors
    /// `invalid_client` (401, or 429 when throttled); `server_error` when a
    /// store or the replay guard fails.
    pub async fn authenticate(
        &self,
        request: &TokenRequest,
        now: UnixTime,
    ) -> Result<AuthenticatedClient, TokenError> {
        self.authenticate_client(request.auth(), request.source(), request.scope(), now)
            .await
    }

    /// The client authentication of every endpoint: the token endpoint's, and
    /// revocation's and introspection's (RFC 7009 §2.1, RFC 7662 §2.1).
    pub(super) async fn authenticate_client(
        &self,
        auth: &ClientAuth,
        source: Option<IpAddr>,
        requested_scope: Option<&ScopeSet>,
        now: UnixTime,
    ) -> Result<AuthenticatedClient, TokenError> {
        let refuse = |error: TokenError| {
            let mut event = AuditEvent::refused(now, error.reason());
            let presented = auth.client_id().map(AuditedClientId::new);
            if let Some(id) = &presented {
                event.set_client_id(id);
            }
            event.auth_method = Some(auth.method());
            event.requested_scope = requested_scope;
            event.store_error = error.store_error();
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
            assertion.await.map_err(refuse)?
        } else {
            self.authenticate_secret(auth, source, now)
                .await
                .map_err(refuse)?
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
            Err(e) => Err(refuse(TokenError::from_store(Reason::StoreUnavailable, e))),
        }
    }

    /// Client authentication with a secret (Basic or body), throttled per
    /// (presented client id, source) (C15) so that it cannot be turned against
    /// the client:
    /// - a request that presents no secret is refused and counted as nothing;
    /// - a client whose secrets are all generated (fast hash) is always
    ///   checked, so a correct secret is never refused because someone else
    ///   failed; a wrong one is counted, and answered `429` while its key must
    ///   wait;
    /// - a client with a human-chosen secret (PBKDF2) is checked only once the
    ///   throttle reserved the attempt, which counts attempts in flight, so
    ///   concurrent guesses cannot pass the limit together.
    async fn authenticate_secret(
        &self,
        auth: &ClientAuth,
        source: Option<IpAddr>,
        now: UnixTime,
    ) -> Result<AuthenticatedClient, TokenError> {
        let Some(presented_id) = auth.client_id() else {
            return Err(Reason::NoClientAuthentication.into());
        };
        let method = auth.method();
        if method != AuthMethod::None && !self.config.auth_methods.contains(&method) {
            return Err(Reason::UnsupportedAuthScheme.into());
        }
        let client = match ClientId::new(presented_id) {
            Ok(id) => self
                .store
                .client(&id)
                .await
                .map_err(|e| TokenError::from_store(Reason::StoreUnavailable, e))?,
            Err(_) => None, // Not a valid id, so registered nowhere (C31).
        };
        if method == AuthMethod::None {
            // A bare client_id presents nothing to guess: refused (C12, C13),
            // and no count.
            return check_secret(auth, client, now).map_err(Into::into);
        }
        let throttle = &self.config.throttle;
        let key = ThrottleKey::new(presented_id, source);
        let human_chosen = client
            .as_ref()
            .is_some_and(|c| c.secrets().iter().any(|s| s.hash().is_pbkdf2()));
        if human_chosen {
            throttle.reserve(key, now).map_err(throttled)?;
            // Settled as a failure if this future is dropped while the check
            // runs elsewhere: the guess was made, whatever its answer.
            let mut reservation = Reservation {
                throttle: throttle.as_ref(),
                key,
                now,
                failed: true,
            };
            let result = self.check_secret_off_thread(auth, client, now).await;
            reservation.failed = result.is_err();
            drop(reservation);
            return result.map_err(Into::into);
        }
        match check_secret(auth, client, now) {
            Ok(client) => {
                throttle.record_success(key, now);
                Ok(client)
            }
            Err(reason) => {
                // Answered as a reservation would have been, so that the
                // answers do not tell these clients from the others.
                let waiting = throttle.check(key, now);
                throttle.record_failure(key, now);
                Err(waiting.map_or_else(throttled, |()| reason.into()))
            }
        }
    }

    /// [`check_secret`] for a client with a PBKDF2 secret, through the
    /// configured [`SlowHashRunner`](crate::issuer::SlowHashRunner) (inline
    /// without one). The check owns a copy of the presented secret, zeroized
    /// on drop, so it may run on another thread.
    async fn check_secret_off_thread(
        &self,
        auth: &ClientAuth,
        client: Option<Arc<Client>>,
        now: UnixTime,
    ) -> Result<AuthenticatedClient, Reason> {
        let secret = ClientSecret::new(presented_secret(auth, client.as_deref())?.expose_secret());
        let method = auth.method();
        let check = move || verify_secret(method, &secret, client, now);
        run_slow(self.config.slow_hash.as_deref(), check)
            .await
            .unwrap_or(Err(Reason::SlowHashUnavailable))
    }

    async fn authenticate_assertion(
        &self,
        client_id_parameter: Option<&str>,
        assertion: &ClientAssertion,
        now: UnixTime,
    ) -> Result<AuthenticatedClient, TokenError> {
        let method = assertion.method();
        if !self.config.auth_methods.contains(&method) {
            return Err(Reason::UnsupportedAuthScheme.into());
        }
        // The unverified `sub` only says whose keys to try (C40).
        let subject = assertion.unverified_subject();
        let Some(subject) = subject.filter(|_| assertion.unverified_issuer() == subject) else {
            return Err(Reason::AssertionIssuerMismatch.into());
        };
        if client_id_parameter.is_some_and(|id| id != subject) {
            return Err(Reason::ClientIdMismatch.into()); // C38
        }
        // From here on, every refusal before the client's keys are tried
        // costs a decoy signature check, so that a `sub` naming no client, or
        // one that may not use this method or has no key for the assertion,
        // costs what a bad signature of a real client costs.
        let decoy = |reason: Reason| {
            assertion.verify_decoy(&self.config.assertion);
            TokenError::from(reason)
        };
        let Ok(id) = ClientId::new(subject) else {
            return Err(decoy(Reason::UnknownClient));
        };
        let client = self
            .store
            .client(&id)
            .await
            .map_err(|e| TokenError::from_store(Reason::StoreUnavailable, e))?
            .ok_or_else(|| decoy(Reason::UnknownClient))?;
        if !client.allows_method(method) {
            return Err(decoy(Reason::AuthMethodNotAllowed)); // C14
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
                .ok_or_else(|| decoy(Reason::ClientJwksUnavailable))?;
            fetched = source
                .keys(uri, assertion.key_id(), now)
                .await
                .map_err(|_| decoy(Reason::ClientJwksUnavailable))?;
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
            Ok(ReplayCheck::Replayed) => Err(Reason::AssertionReplayed.into()),
            Ok(_) => Err(Reason::ReplayQuotaExceeded.into()),
            Err(e) => Err(TokenError::from_store(Reason::ReplayGuardUnavailable, e)),
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
    let secret = presented_secret(auth, client.as_deref())?;
    verify_secret(auth.method(), secret, client, now)
}

/// The secret `auth` presents, or why it presents none.
fn presented_secret<'a>(
    auth: &'a ClientAuth,
    client: Option<&Client>,
) -> Result<&'a ClientSecret, Reason> {
    match auth {
        ClientAuth::SecretBasic { secret, .. } | ClientAuth::SecretPost { secret, .. } => {
            Ok(secret)
        }
        ClientAuth::ClientIdOnly { .. } => Err(match client {
            Some(c) if c.allows_method(AuthMethod::None) => Reason::PublicClient,
            _ => Reason::NoClientAuthentication,
        }),
        ClientAuth::Absent => Err(Reason::NoClientAuthentication),
        ClientAuth::JwtAssertion { .. } => Err(Reason::UnsupportedAuthScheme),
    }
}

/// Checks `secret`, presented with `method`, against `client`'s live secrets.
fn verify_secret(
    method: AuthMethod,
    secret: &ClientSecret,
    client: Option<Arc<Client>>,
    now: UnixTime,
) -> Result<AuthenticatedClient, Reason> {
    let presented = secret.expose_secret().as_bytes();
    let Some(client) = client else {
        SecretHash::verify_unknown_client(presented);
        return Err(Reason::UnknownClient);
    };
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

/// An attempt reserved with the throttle, settled when dropped: with the
/// outcome once known, as a failure if the request was dropped first.
struct Reservation<'a> {
    throttle: &'a dyn AuthThrottle,
    key: ThrottleKey<'a>,
    now: UnixTime,
    failed: bool,
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        self.throttle.settle(self.key, self.failed, self.now);
    }
}

#[cfg(test)]
mod tests;
