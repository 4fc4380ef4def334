//! The [`Issuer`]: a checked [`IssuerConfig`] plus stores, driving a token
//! request from HTTP parts to an HTTP response.

use std::fmt;
use std::sync::Arc;

use crate::audit::{AuditEvent, AuditedClientId, Outcome};
use crate::issuer::assertion::AssertionSettings;
use crate::issuer::claims_hook::{log_refusal, token_claims};
use crate::issuer::client_auth::AuthenticatedClient;
use crate::issuer::config::IssuerConfig;
use crate::issuer::mint::{RANDOM_JTI_LEN, RandomJti, mint_with_extra_into};
use crate::issuer::policy::Policy;
use crate::issuer::token_request::{GrantType, TokenRequest};
use crate::jose::claims::MintClaims;
use crate::jose::dpop_proof::{ProofRequest, VerifiedDpopProof};
use crate::jose::keys::KeySet;
use crate::store::client_store::ClientStore;
use crate::store::replay::{MemoryReplayGuard, ReplayCheck, ReplayGuard};
use crate::store::revocation::{MemoryRevocationStore, RevocationStore};
use crate::vocab::error::{DpopError, Reason, TokenError};
use crate::vocab::time::UnixTime;
use crate::wire::request::RequestParts;
use crate::wire::response::{HttpResponse, TokenResponse};

/// A client-credentials authorization server: a checked [`IssuerConfig`] and
/// the stores.
///
/// Build it once with [`Issuer::builder`], share it (`Arc<Issuer<_>>`), and call
/// [`handle_token_request`](Self::handle_token_request),
/// [`handle_revocation_request`](Self::handle_revocation_request) and
/// [`handle_introspection_request`](Self::handle_introspection_request) from any
/// HTTP stack.
///
/// `S` finds clients; `R` is the [`RevocationStore`] (by default a
/// [`MemoryRevocationStore`]); `G` remembers used client assertions (by default a
/// [`MemoryReplayGuard`]; see
/// [`IssuerBuilder::replay_guard`](crate::issuer::IssuerBuilder::replay_guard)).
pub struct Issuer<S, R = MemoryRevocationStore, G = MemoryReplayGuard> {
    pub(super) config: Arc<IssuerConfig>,
    pub(super) store: S,
    pub(super) revocation: R,
    pub(super) replay: G,
}

impl<S, R, G> fmt::Debug for Issuer<S, R, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issuer")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<S: ClientStore, R: RevocationStore, G: ReplayGuard> Issuer<S, R, G> {
    /// The token endpoint: HTTP parts in, HTTP response out. Never fails: every
    /// refusal is an RFC 6749 §5.2 response, and every decision is audited.
    pub async fn handle_token_request(&self, parts: RequestParts<'_>) -> HttpResponse {
        let now = self.config.clock.now();
        let request = match TokenRequest::parse_allowing(
            &parts,
            self.config.max_body_bytes,
            &self.config.extra_parameters,
        ) {
            Ok(r) => r,
            Err(reason) => {
                self.config.audit.record(&AuditEvent::refused(now, reason));
                return self.error_response(&TokenError::new(reason), now);
            }
        };
        // The proof's stateless checks come first, its `jti` is recorded
        // once the client is known.
        let proof = match self.check_dpop_proof(&request, now) {
            Ok(proof) => proof,
            Err(reason) => {
                self.config.audit.record(&AuditEvent::refused(now, reason));
                return self.error_response(&TokenError::new(reason), now);
            }
        };
        let result = if request.grant_type() == GrantType::JwtBearer {
            // Boxed, like the assertion path: kept out of line, it leaves the
            // client-credentials future small.
            let grant: std::pin::Pin<Box<dyn Future<Output = _> + Send + '_>> =
                Box::pin(self.grant_jwt_bearer(&request, now, proof.as_ref()));
            grant.await
        } else {
            match self.authenticate(&request, now).await {
                Ok(client) => match self.record_dpop_proof(&client, proof.as_ref(), now).await {
                    Ok(()) => self.issue_bound(&client, &request, now, proof.as_ref()),
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            }
        };
        match result {
            Ok(token) => {
                let mut response = token.into_http();
                if proof.is_some() {
                    self.push_dpop_nonce(&mut response, now);
                }
                response
            }
            Err(e) => self.error_response(&e, now),
        }
    }

    /// The RFC 9449 checks of a token request's `DPoP` proof (C102–C107,
    /// C111): the stateless ones, with `htm` `POST` and `htu` the token
    /// endpoint, then its `jti` recorded through the [`ReplayGuard`] under
    /// `client`'s share. `Ok(None)` when the request carries no proof or
    /// DPoP is not enabled. Pass the result to
    /// [`issue_bound`](Self::issue_bound).
    ///
    /// # Errors
    /// `invalid_dpop_proof`, `use_dpop_nonce` (answer it with
    /// [`dpop_nonce`](Self::dpop_nonce) in a `DPoP-Nonce` header), or
    /// `server_error` when the replay guard fails.
    pub async fn verify_dpop(
        &self,
        client: &AuthenticatedClient,
        request: &TokenRequest,
        now: UnixTime,
    ) -> Result<Option<VerifiedDpopProof>, TokenError> {
        let proof = self.check_dpop_proof(request, now)?;
        self.record_dpop_proof(client, proof.as_ref(), now).await?;
        Ok(proof)
    }

    fn check_dpop_proof(
        &self,
        request: &TokenRequest,
        now: UnixTime,
    ) -> Result<Option<VerifiedDpopProof>, Reason> {
        let (Some(dpop), Some(proof)) = (&self.config.dpop, request.dpop_proof()) else {
            return Ok(None);
        };
        let target = ProofRequest {
            method: "POST",
            htu: &self.config.dpop_htu,
            access_token: None,
            body: None,
        };
        dpop.verify(proof, &target, now)
            .map(Some)
            .map_err(Reason::Dpop)
    }

    async fn record_dpop_proof(
        &self,
        client: &AuthenticatedClient,
        proof: Option<&VerifiedDpopProof>,
        now: UnixTime,
    ) -> Result<(), TokenError> {
        let Some(proof) = proof else { return Ok(()) };
        let reason = match self
            .replay
            .first_use(
                client.client().id().as_str(),
                proof.replay_key(),
                proof.replay_until(),
                now,
            )
            .await
        {
            Ok(ReplayCheck::FirstUse) => return Ok(()),
            Ok(ReplayCheck::Replayed) => Reason::Dpop(DpopError::Replayed),
            Ok(_) => Reason::ReplayQuotaExceeded,
            Err(_) => Reason::ReplayGuardUnavailable,
        };
        let client_id = AuditedClientId::new(client.client().id().as_str());
        let mut event = AuditEvent::refused(now, reason);
        event.set_client_id(&client_id);
        event.auth_method = Some(client.method());
        event.credential_id = Some(client.credential_id().as_str());
        self.config.audit.record(&event);
        Err(reason.into())
    }

    /// The nonce a client must put in its next DPoP proof, when nonces are
    /// configured (RFC 9449 §8): the value of a `DPoP-Nonce` header.
    pub fn dpop_nonce(&self, now: UnixTime) -> Option<String> {
        let nonces = self.config.dpop.as_ref()?.nonces.as_ref()?;
        Some(nonces.current(now))
    }

    /// Adds one `DPoP-Nonce` header when nonces are configured.
    fn push_dpop_nonce(&self, response: &mut HttpResponse, now: UnixTime) {
        if let Some(nonce) = self.dpop_nonce(now) {
            response
                .headers
                .push(("dpop-nonce", std::borrow::Cow::Owned(nonce)));
        }
    }

    /// An error response; `use_dpop_nonce` carries the nonce to use (C106).
    fn error_response(&self, error: &TokenError, now: UnixTime) -> HttpResponse {
        let mut response = error.to_http();
        if let Reason::Dpop(dpop) = error.reason()
            && dpop.needs_nonce()
        {
            self.push_dpop_nonce(&mut response, now);
        }
        response
    }

    /// Issues a token to an authenticated client: grant checks, policy, minting.
    /// The decision is audited. Revocation of the client or credential is
    /// checked by [`authenticate`](Self::authenticate).
    ///
    /// # Errors
    /// `unauthorized_client`, `invalid_scope`, `invalid_target`, or `server_error`
    /// if signing fails or the [`ClaimsHook`](crate::issuer::ClaimsHook)'s
    /// claims are refused ([`Reason::ExtraClaimsRefused`]);
    /// `unsupported_grant_type` for a request of another grant than
    /// `client_credentials` (the JWT-bearer grant is served by
    /// [`handle_token_request`](Self::handle_token_request)).
    pub fn issue(
        &self,
        client: &AuthenticatedClient,
        request: &TokenRequest,
        now: UnixTime,
    ) -> Result<TokenResponse, TokenError> {
        self.issue_bound(client, request, now, None)
    }

    /// [`issue`](Self::issue) for a request whose DPoP proof passed
    /// [`verify_dpop`](Self::verify_dpop): with a proof, the token carries
    /// `cnf.jkt`, the proof key's thumbprint, and the response says
    /// `token_type` `DPoP` (C107); without one, a bearer token (C109).
    ///
    /// # Errors
    /// As [`issue`](Self::issue), and `invalid_dpop_proof` without a proof
    /// for a client that [requires DPoP](crate::Client::requires_dpop) (C108).
    pub fn issue_bound(
        &self,
        client: &AuthenticatedClient,
        request: &TokenRequest,
        now: UnixTime,
        proof: Option<&VerifiedDpopProof>,
    ) -> Result<TokenResponse, TokenError> {
        if request.grant_type() != GrantType::ClientCredentials {
            let reason = Reason::UnsupportedGrantType;
            self.config.audit.record(&AuditEvent::refused(now, reason));
            return Err(reason.into());
        }
        let client_id = AuditedClientId::new(client.client().id().as_str());
        let mut event = AuditEvent::refused(now, Reason::SigningFailed);
        event.set_client_id(&client_id);
        event.auth_method = Some(client.method());
        event.credential_id = Some(client.credential_id().as_str());
        event.requested_scope = request.scope();

        let grant = match self.config.policy.grant(client.client(), request) {
            Ok(_) if proof.is_none() && client.client().requires_dpop() => {
                let reason = Reason::Dpop(DpopError::Missing);
                event.outcome = Outcome::Refused(reason);
                self.config.audit.record(&event);
                return Err(reason.into());
            }
            Ok(g) => g,
            Err(reason) => {
                event.outcome = Outcome::Refused(reason);
                self.config.audit.record(&event);
                return Err(reason.into());
            }
        };
        let extra = match token_claims(self.config.claims_hook.as_deref(), client, &grant, request)
        {
            Ok(extra) => extra,
            Err(error) => {
                let reason = log_refusal(&error);
                event.outcome = Outcome::Refused(reason);
                self.config.audit.record(&event);
                return Err(reason.into());
            }
        };
        let (mut random, custom);
        let jti: &str = match &self.config.jti {
            None => {
                random = [0; RANDOM_JTI_LEN];
                RandomJti::write(&mut random)
            }
            Some(source) => {
                custom = source.next_jti();
                &custom
            }
        };
        let scope = grant.scope.as_joined();
        let claims = MintClaims {
            iss: &self.config.issuer_id,
            sub: client.client().id().as_str(),
            aud: &grant.audiences[..],
            client_id: client.client().id().as_str(),
            iat: now,
            exp: now.saturating_add(grant.lifetime),
            jti,
            scope: Some(scope),
            credential_id: Some(client.credential_id().as_str()),
            cnf: proof.map(VerifiedDpopProof::thumbprint),
        };
        event.granted_scope = Some(&grant.scope);
        event.audience = &grant.audiences[..];
        event.jti = Some(jti);
        event.lifetime = Some(grant.lifetime);
        event.extra_claims = Some(&*extra).filter(|e| !e.is_empty());
        // The token is minted straight into the response body.
        let key = self.config.keys.active();
        let response =
            TokenResponse::write(grant.lifetime.as_secs(), scope, proof.is_some(), |slot| {
                mint_with_extra_into(key, &claims, extra.rendered_members(), slot)
            });
        if response.is_ok() {
            event.outcome = Outcome::Issued;
        }
        self.config.audit.record(&event);
        response.map_err(|_| Reason::SigningFailed.into())
    }
}

impl<S, R, G> Issuer<S, R, G> {
    /// The checked configuration.
    pub fn config(&self) -> &Arc<IssuerConfig> {
        &self.config
    }

    /// The issuer identifier, exactly as configured (C77).
    pub fn issuer_id(&self) -> &str {
        &self.config.issuer_id
    }

    /// The token endpoint URL.
    pub fn token_endpoint(&self) -> &str {
        &self.config.token_endpoint
    }

    /// The URL the JWKS is published at.
    pub fn jwks_uri(&self) -> &str {
        &self.config.jwks_uri
    }

    /// The RFC 7009 revocation endpoint URL.
    pub fn revocation_endpoint(&self) -> &str {
        &self.config.revocation_endpoint
    }

    /// The RFC 7662 introspection endpoint URL.
    pub fn introspection_endpoint(&self) -> &str {
        &self.config.introspection_endpoint
    }

    /// The `authorization_endpoint` advertised, if any (see
    /// [`IssuerBuilder::authorization_endpoint`](crate::issuer::IssuerBuilder::authorization_endpoint)).
    pub fn authorization_endpoint(&self) -> Option<&str> {
        self.config.authorization_endpoint()
    }

    /// Whether the metadata advertises the revocation endpoint: a router
    /// mounts [`handle_revocation_request`](Self::handle_revocation_request)
    /// exactly when this is true.
    pub fn advertises_revocation(&self) -> bool {
        self.config.revocation_served
    }

    /// Whether the metadata advertises the introspection endpoint: a router
    /// mounts [`handle_introspection_request`](Self::handle_introspection_request)
    /// exactly when this is true.
    pub fn advertises_introspection(&self) -> bool {
        self.config.introspection_served
    }

    /// The largest request body, in bytes, the endpoints read: as set with
    /// [`IssuerBuilder::max_body_bytes`](crate::issuer::IssuerBuilder::max_body_bytes).
    /// An HTTP adapter caps the body it buffers at this, so that a larger limit
    /// configured here is not cut short by a smaller one of its own.
    pub fn max_body_bytes(&self) -> usize {
        self.config.max_body_bytes
    }

    /// The signing keys.
    pub fn keys(&self) -> &KeySet {
        &self.config.keys
    }

    /// The client store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The revocation store: revoke a client or a credential through it.
    pub fn revocation_store(&self) -> &R {
        &self.revocation
    }

    /// The replay guard.
    pub fn replay_guard(&self) -> &G {
        &self.replay
    }

    /// How client assertions are judged.
    pub fn assertion_settings(&self) -> &AssertionSettings {
        &self.config.assertion
    }

    /// The grant policy.
    pub fn policy(&self) -> &Policy {
        &self.config.policy
    }

    /// The public JWK Set document, rendered once.
    pub fn jwks_json(&self) -> &str {
        &self.config.jwks_json
    }

    /// The RFC 8414 metadata document, rendered once.
    pub fn metadata_json(&self) -> &str {
        &self.config.metadata_json
    }

    /// `GET` of the JWKS as an HTTP response.
    pub fn jwks_response(&self) -> HttpResponse {
        HttpResponse::public_json(&self.config.jwks_json)
    }

    /// `GET` of the metadata as an HTTP response (C75).
    pub fn metadata_response(&self) -> HttpResponse {
        HttpResponse::public_json(&self.config.metadata_json)
    }

    /// The path to serve the metadata at (C74).
    pub fn metadata_path(&self) -> String {
        crate::issuer::metadata::well_known_path(&self.config.issuer_id)
    }
}

#[cfg(test)]
mod tests;
