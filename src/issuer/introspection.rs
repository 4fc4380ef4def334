//! The token introspection endpoint (RFC 7662).

use serde::Serialize;

use crate::audit::{AuditEvent, AuditedClientId};
use crate::jose::claims::AccessTokenClaims;
use crate::store::client_store::ClientStore;
use crate::store::replay::ReplayGuard;
use crate::store::revocation::{RevocationStore, TokenView};
use crate::vocab::error::{Reason, TokenError};
use crate::vocab::extra_claims::ExtraClaims;
use crate::wire::request::RequestParts;
use crate::wire::response::HttpResponse;

use crate::issuer::endpoint::Issuer;

/// The whole answer about a token that is not active (RFC 7662 §2.2, C96).
const INACTIVE: &[u8] = br#"{"active":false}"#;

/// An active token: `active`, its claims, and `token_type` (C95).
#[derive(Serialize)]
struct Active<'a> {
    active: bool,
    #[serde(flatten)]
    claims: &'a AccessTokenClaims,
    #[serde(flatten)]
    extra: &'a ExtraClaims,
    token_type: &'static str,
}

impl<S: ClientStore, R: RevocationStore, G: ReplayGuard> Issuer<S, R, G> {
    /// The introspection endpoint (RFC 7662 §2): HTTP parts in, HTTP response
    /// out.
    ///
    /// The caller must authenticate as a client, exactly as at the token
    /// endpoint (C93): without it, `401 invalid_client`. And it must be
    /// marked for introspection ([`ClientBuilder::introspection`](crate::store::ClientBuilder::introspection), RFC 7662
    /// §4: callers should be specifically authorized): any other client gets
    /// `403` with `unauthorized_client` and learns nothing of the token, as
    /// RFC 7662 §2.3 answers a caller without the privileges for the
    /// endpoint. (A bare `{"active":false}` would make a resource server
    /// whose client was not marked refuse every token with no sign of why.)
    /// The refusal is audited as
    /// [`Reason::IntrospectionNotAllowed`]. Then:
    /// - a token of this issuer, live at the issuer's clock (no leeway) and not
    ///   revoked: `200` with `"active":true`, every claim of the token (extra
    ///   claims included), and `"token_type":"Bearer"` (C95), or for a
    ///   DPoP-bound token its `cnf` and `"token_type":"DPoP"` (RFC 9449 §6.2,
    ///   C97);
    /// - anything else — expired, revoked, malformed, unknown, another
    ///   issuer's: `200` with exactly `{"active":false}` (C96).
    ///
    /// `token_type_hint` is ignored. A failing revocation store gives
    /// `server_error` rather than a guess. Responses carry `no-store`.
    pub async fn handle_introspection_request(&self, parts: RequestParts<'_>) -> HttpResponse {
        let now = self.config.clock.now();
        let query = match self.parse_and_authenticate(&parts, now).await {
            Ok((query, client)) if client.client().may_introspect() => query,
            Ok((_, client)) => {
                let reason = Reason::IntrospectionNotAllowed;
                let client_id = AuditedClientId::new(client.client().id().as_str());
                let mut event = AuditEvent::refused(now, reason);
                event.set_client_id(&client_id);
                event.auth_method = Some(client.method());
                event.credential_id = Some(client.credential_id().as_str());
                self.config.audit.record(&event);
                return TokenError::new(reason).to_http();
            }
            Err(response) => return response,
        };
        let inactive = || HttpResponse::no_store_json(200, INACTIVE.to_vec());
        let Ok(signed) = self.config.verifier.verify(query.token()) else {
            return inactive();
        };
        if signed.check_times(now, 0).is_err() {
            return inactive();
        }
        match self
            .revocation
            .is_revoked(&TokenView::of(&signed.claims))
            .await
        {
            Ok(false) => {}
            Ok(true) => return inactive(),
            Err(e) => {
                let mut event = AuditEvent::refused(now, Reason::StoreUnavailable);
                event.store_error = Some(&e);
                self.config.audit.record(&event);
                return TokenError::from_store(Reason::StoreUnavailable, e).to_http();
            }
        }
        let body = serde_json::to_vec(&Active {
            active: true,
            claims: &signed.claims,
            extra: &signed.extra,
            token_type: if signed.claims.cnf.as_ref().is_some_and(|c| c.jkt.is_some()) {
                "DPoP"
            } else {
                "Bearer"
            },
        })
        .expect("claims of strings and integers always serialise");
        HttpResponse::no_store_json(200, body)
    }
}
