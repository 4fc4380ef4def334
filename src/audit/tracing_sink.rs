//! Audit events as structured `tracing` events (feature `tracing`).

use crate::audit::{AuditEvent, AuditSink, Outcome};

/// An [`AuditSink`] that emits every token decision as a `tracing` event with
/// target `client_credentials::audit`: `INFO` for issued and revoked tokens,
/// `WARN` for refusals. Every value is a separate field (never a formatted message), so log
/// pipelines can index them; no field ever holds a secret or a token.
///
/// Fields: `outcome`, `reason`, `error`, `client_id`, `client_id_escaped`
/// (true when `client_id` is an escaped rendering of an id that was not a
/// valid client id as sent: see
/// [`AuditEvent::client_id`](crate::audit::AuditEvent::client_id)), `auth_method`,
/// `credential_id`, `requested_scope`, `granted_scope`, `audience`, `jti`,
/// `lifetime_secs`, `at`; an issued token with extra claims adds
/// `extra_claims` (a JSON object); a refusal for an outage adds `store_error`, the
/// backend's message (its `Display`).
/// `lifetime_secs`, `platform_issuer`, `platform_subject` (JWT-bearer
/// grants), `at`.
#[derive(Clone, Copy, Debug, Default)]
pub struct TracingAudit;

impl AuditSink for TracingAudit {
    fn record(&self, e: &AuditEvent<'_>) {
        let requested = e.requested_scope.map(tracing::field::display);
        let granted = e.granted_scope.map(tracing::field::display);
        let audience = e.audience.first().map(|a| a.as_str());
        let method = e.auth_method.map(|m| m.as_str());
        let lifetime = e.lifetime.map(|d| d.as_secs());
        match e.outcome {
            Outcome::Issued | Outcome::Revoked => tracing::info!(
                target: "client_credentials::audit",
                outcome = if e.outcome == Outcome::Issued { "issued" } else { "revoked" },
                client_id = e.client_id,
                client_id_escaped = e.client_id_escaped,
                auth_method = method,
                credential_id = e.credential_id,
                requested_scope = requested,
                granted_scope = granted,
                audience,
                audience_count = e.audience.len(),
                jti = e.jti,
                lifetime_secs = lifetime,
                extra_claims = e.extra_claims.map(tracing::field::display),
                platform_issuer = e.platform_issuer,
                platform_subject = e.platform_subject,
                at = e.at.as_secs(),
            ),
            Outcome::Refused(reason) => tracing::warn!(
                target: "client_credentials::audit",
                outcome = "refused",
                reason = ?reason,
                error = reason.code().as_str(),
                client_id = e.client_id,
                client_id_escaped = e.client_id_escaped,
                auth_method = method,
                credential_id = e.credential_id,
                requested_scope = requested,
                store_error = e.store_error.map(tracing::field::display),
                platform_issuer = e.platform_issuer,
                platform_subject = e.platform_subject,
                at = e.at.as_secs(),
            ),
        }
    }
}

#[cfg(test)]
mod tests;
