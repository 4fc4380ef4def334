//! The token revocation endpoint (RFC 7009).

use crate::audit::{AuditEvent, AuditedClientId, Outcome};
use crate::issuer::client_auth::AuthenticatedClient;
use crate::issuer::revoke_or_introspect_request::RevokeOrIntrospectRequest;
use crate::store::client_store::ClientStore;
use crate::store::replay::ReplayGuard;
use crate::store::revocation::RevocationStore;
use crate::vocab::error::{Reason, TokenError};
use crate::vocab::time::UnixTime;
use crate::wire::request::RequestParts;
use crate::wire::response::HttpResponse;

use crate::issuer::endpoint::Issuer;

impl<S: ClientStore, R: RevocationStore, G: ReplayGuard> Issuer<S, R, G> {
    /// The revocation endpoint (RFC 7009 §2): HTTP parts in, HTTP response out.
    ///
    /// The client authenticates exactly as at the token endpoint, throttling
    /// included (C88). Then the named token is:
    /// - not a token of this issuer (malformed, foreign, badly signed): `200`
    ///   and nothing happens (RFC 7009 §2.2, C90);
    /// - issued to another client: refused with `400 unauthorized_client` and
    ///   left alone, as RFC 7009 §2.1 says ("the request is refused and the
    ///   client is informed of the error", C89). The caller holds the token
    ///   already, so the answer tells it nothing new;
    /// - the caller's own: its `jti` is revoked until the token expires, at once
    ///   (C92), and the answer is `200` with an empty body. Revoking it again,
    ///   or after it expired, is also `200`.
    ///
    /// `token_type_hint` is ignored (C91): this issuer has access tokens only.
    /// Every response carries `Cache-Control: no-store`, and every revocation
    /// and refusal is audited.
    pub async fn handle_revocation_request(&self, parts: RequestParts<'_>) -> HttpResponse {
        let now = self.config.clock.now();
        let (query, client) = match self.parse_and_authenticate(&parts, now).await {
            Ok(q) => q,
            Err(response) => return response,
        };
        let Ok(signed) = self.config.verifier.verify(query.token()) else {
            return HttpResponse::no_store_empty(200);
        };
        let claims = &signed.claims;
        let client_id = AuditedClientId::new(client.client().id().as_str());
        let mut event = AuditEvent::refused(now, Reason::TokenNotOwned);
        event.set_client_id(&client_id);
        event.auth_method = Some(client.method());
        event.credential_id = Some(client.credential_id().as_str());
        event.jti = Some(&claims.jti);
        let result = if claims.client_id != client.client().id().as_str() {
            Err(TokenError::new(Reason::TokenNotOwned))
        } else {
            self.revocation
                .revoke_token(client.client().id(), &claims.jti, claims.exp, now)
                .await
                .map_err(|e| TokenError::from_store(Reason::StoreUnavailable, e))
        };
        match result {
            Ok(()) => {
                event.outcome = Outcome::Revoked;
                self.config.audit.record(&event);
                HttpResponse::no_store_empty(200)
            }
            Err(error) => {
                event.outcome = Outcome::Refused(error.reason());
                event.store_error = error.store_error();
                self.config.audit.record(&event);
                error.to_http()
            }
        }
    }
}

impl<S: ClientStore, R: RevocationStore, G: ReplayGuard> Issuer<S, R, G> {
    /// The start of both token endpoints' work: parse the query, authenticate
    /// its client (audited either way), or the error response to send.
    pub(super) async fn parse_and_authenticate(
        &self,
        parts: &RequestParts<'_>,
        now: UnixTime,
    ) -> Result<(RevokeOrIntrospectRequest, AuthenticatedClient), HttpResponse> {
        let query = RevokeOrIntrospectRequest::parse(parts, self.config.max_body_bytes).map_err(
            |reason| {
                self.config.audit.record(&AuditEvent::refused(now, reason));
                TokenError::new(reason).to_http()
            },
        )?;
        let client = self
            .authenticate_client(query.auth(), query.source(), None, now)
            .await
            .map_err(|e| e.to_http())?;
        Ok((query, client))
    }
}
