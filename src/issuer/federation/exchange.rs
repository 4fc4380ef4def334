//! The JWT-bearer grant at the token endpoint (RFC 7523 §2.1, §3, §3.1): the
//! platform token verified against its trusted issuer, matched to a claim
//! rule, held to one use, and exchanged for an RFC 9068 access token.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::digest;

use crate::audit::{AuditEvent, AuditedClientId, Outcome};
use crate::issuer::client_auth::{AuthenticatedClient, ClientAuth};
use crate::issuer::endpoint::Issuer;
use crate::issuer::federation::platform_token::PlatformToken;
use crate::issuer::mint::{RANDOM_JTI_LEN, RandomJti, mint_with_extra_into};
use crate::issuer::token_request::TokenRequest;
use crate::jose::claims::MintClaims;
use crate::jose::dpop_proof::VerifiedDpopProof;
use crate::store::client_store::ClientStore;
use crate::store::replay::{ReplayCheck, ReplayGuard};
use crate::store::revocation::{RevocationStore, TokenView};
use crate::vocab::error::{DpopError, Reason, TokenError};
use crate::vocab::grant_refusal::GrantRefusal;
use crate::vocab::time::UnixTime;
use crate::wire::response::TokenResponse;

impl<S: ClientStore, R: RevocationStore, G: ReplayGuard> Issuer<S, R, G> {
    /// The JWT-bearer grant, from a parsed request to a token. Every refusal
    /// is audited; the assertion never reaches an event, an error or a log.
    ///
    /// Client authentication is optional for this grant (RFC 7521 §4.1):
    /// when the request carries one, it must succeed (`invalid_client`
    /// otherwise) and name the matching rule's client; a bare `client_id`
    /// must name it too.
    ///
    /// With a DPoP proof that passed its stateless checks, the proof's `jti`
    /// is recorded under the rule's client and the token is bound to its key,
    /// as for client credentials; a rule's client that requires DPoP gets no
    /// token without one.
    pub(in crate::issuer) async fn grant_jwt_bearer(
        &self,
        request: &TokenRequest,
        now: UnixTime,
        proof: Option<&VerifiedDpopProof>,
    ) -> Result<TokenResponse, TokenError> {
        let mut event = AuditEvent::refused(now, Reason::UnsupportedGrantType);
        event.requested_scope = request.scope();
        let Some(federation) = self.config.federation.as_ref() else {
            return Err(self.refuse(&event, Reason::UnsupportedGrantType));
        };
        let Some(assertion) = request.assertion() else {
            return Err(self.refuse(&event, Reason::MissingAssertion));
        };
        let authenticated: Option<AuthenticatedClient> = match request.auth() {
            ClientAuth::Absent | ClientAuth::ClientIdOnly { .. } => None,
            // Audited there when refused.
            _ => Some(self.authenticate(request, now).await?),
        };
        event.auth_method = authenticated.as_ref().map(AuthenticatedClient::method);
        let grant_refused =
            |event: &AuditEvent<'_>, r: GrantRefusal| self.refuse(event, Reason::InvalidGrant(r));

        let token = PlatformToken::read(assertion.as_str(), &federation.claim_names)
            .map_err(|r| grant_refused(&event, r))?;
        let iss = token
            .unverified_issuer()
            .map_err(|r| grant_refused(&event, r))?;
        // An issuer not configured is refused before anything is fetched (C144).
        let Some(trusted) = federation.find(iss) else {
            return Err(grant_refused(&event, GrantRefusal::UntrustedIssuer));
        };
        event.platform_issuer = Some(trusted.issuer.issuer());
        let verified = token
            .verify(&trusted.issuer, &trusted.audience, now)
            .await
            .map_err(|r| grant_refused(&event, r))?;
        let subject = AuditedClientId::new(&verified.subject);
        event.platform_subject = Some(subject.as_str());

        // First match wins (C145).
        let Some(rule) = trusted
            .rules
            .iter()
            .find(|rule| rule.matches(&verified.subject, &verified.claims))
        else {
            return Err(grant_refused(&event, GrantRefusal::NoMatchingRule));
        };
        let client = rule.client();
        let client_id = AuditedClientId::new(client.id().as_str());
        event.set_client_id(&client_id);
        event.credential_id = Some(rule.name().as_str());
        let presented = match request.auth() {
            ClientAuth::ClientIdOnly { client_id } => Some(client_id.as_str()),
            _ => authenticated.as_ref().map(|c| c.client().id().as_str()),
        };
        if presented.is_some_and(|id| id != client.id().as_str()) {
            return Err(grant_refused(&event, GrantRefusal::ClientMismatch));
        }

        // A revoked logical client, or a revoked rule (the tokens'
        // `credential_id`), gets no new token: a token minted now would be
        // born revoked.
        let prospective =
            TokenView::prospective(client.id().as_str(), Some(rule.name().as_str()), now);
        match self.revocation.is_revoked(&prospective).await {
            Ok(false) => {}
            Ok(true) => return Err(grant_refused(&event, GrantRefusal::Revoked)),
            Err(_) => return Err(self.refuse(&event, Reason::StoreUnavailable)),
        }

        let grant = match self.config.policy.grant(client, request) {
            Ok(_) if proof.is_none() && client.requires_dpop() => {
                return Err(self.refuse(&event, Reason::Dpop(DpopError::Missing)));
            }
            Ok(grant) => grant,
            Err(reason) => return Err(self.refuse(&event, reason)),
        };
        if let Some(proof) = proof {
            let checked = self
                .replay
                .first_use(
                    client.id().as_str(),
                    proof.replay_key(),
                    proof.replay_until(),
                    now,
                )
                .await;
            match checked {
                Ok(ReplayCheck::FirstUse) => {}
                Ok(ReplayCheck::Replayed) => {
                    return Err(self.refuse(&event, Reason::Dpop(DpopError::Replayed)));
                }
                Ok(_) => return Err(self.refuse(&event, Reason::ReplayQuotaExceeded)),
                Err(_) => return Err(self.refuse(&event, Reason::ReplayGuardUnavailable)),
            }
        }
        if rule.is_one_use() {
            let Some(jti) = verified.jti.as_deref() else {
                return Err(grant_refused(&event, GrantRefusal::MissingJti));
            };
            let until = verified.expires.saturating_add(trusted.issuer.leeway);
            let key = replay_key(trusted.issuer.issuer(), jti);
            match self
                .replay
                .first_use(client.id().as_str(), &key, until, now)
                .await
            {
                Ok(ReplayCheck::FirstUse) => {}
                Ok(ReplayCheck::Replayed) => {
                    return Err(grant_refused(&event, GrantRefusal::Replayed));
                }
                Ok(_) => return Err(grant_refused(&event, GrantRefusal::ReplayQuotaExceeded)),
                Err(_) => return Err(self.refuse(&event, Reason::ReplayGuardUnavailable)),
            }
        }

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
            sub: &verified.subject,
            aud: &grant.audiences[..],
            client_id: client.id().as_str(),
            iat: now,
            exp: now.saturating_add(grant.lifetime),
            jti,
            scope: Some(scope),
            credential_id: Some(rule.name().as_str()),
            cnf: proof.map(VerifiedDpopProof::thumbprint),
        };
        event.granted_scope = Some(&grant.scope);
        event.audience = &grant.audiences[..];
        event.jti = Some(jti);
        event.lifetime = Some(grant.lifetime);
        // The logical client's own extra claims; the claims hook sees
        // authenticated clients only, and this grant authenticates a workload.
        let extra = client.extra_claims();
        event.extra_claims = Some(extra).filter(|e| !e.is_empty());
        let key = self.config.keys.active();
        let response =
            TokenResponse::write(grant.lifetime.as_secs(), scope, proof.is_some(), |slot| {
                mint_with_extra_into(key, &claims, extra.rendered_members(), slot)
            });
        event.outcome = match response {
            Ok(_) => Outcome::Issued,
            Err(_) => Outcome::Refused(Reason::SigningFailed),
        };
        self.config.audit.record(&event);
        response.map_err(|_| Reason::SigningFailed.into())
    }

    /// Records `event` as refused for `reason`, and returns the error.
    fn refuse(&self, event: &AuditEvent<'_>, reason: Reason) -> TokenError {
        let mut event = *event;
        event.outcome = Outcome::Refused(reason);
        self.config.audit.record(&event);
        reason.into()
    }
}

/// The [`ReplayGuard`] key of a platform token: base64url(SHA-256) over a
/// label of its own (so it never meets a client assertion's key), the
/// issuer and the `jti`, length-prefixed so no two pairs collide.
fn replay_key(issuer: &str, jti: &str) -> String {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(b"jwt-bearer-grant\0");
    ctx.update(&(issuer.len() as u64).to_be_bytes());
    ctx.update(issuer.as_bytes());
    ctx.update(jti.as_bytes());
    URL_SAFE_NO_PAD.encode(ctx.finish())
}

#[cfg(test)]
mod tests;
