//! Token decisions counted through the `metrics` facade (feature `metrics`).

use crate::audit::{AuditEvent, AuditSink, Outcome};
use crate::vocab::error::variant_name;

/// Tokens issued, counted by the authentication method that obtained them.
pub const TOKENS_ISSUED: &str = "client_credentials_tokens_issued_total";
/// Tokens revoked through the revocation endpoint.
pub const TOKENS_REVOKED: &str = "client_credentials_tokens_revoked_total";
/// Refused requests of every endpoint, by `reason` (the
/// [`Reason`](crate::Reason) variant, e.g. `WrongSecret`) and `error` (the
/// wire code, e.g. `invalid_client`).
pub const REFUSALS: &str = "client_credentials_refusals_total";

/// An [`AuditSink`] that counts every decision with the `metrics` facade,
/// then hands the event on to `inner` (say a
/// [`TracingAudit`](crate::audit::TracingAudit), or
/// [`NoAudit`](crate::audit::NoAudit)).
///
/// Counters: [`TOKENS_ISSUED`] (label `auth_method`), [`TOKENS_REVOKED`],
/// [`REFUSALS`] (labels `reason`, `error`). The labels take a few dozen
/// values at most: never a client id or anything else a caller chooses.
/// Without an installed recorder the counts cost next to nothing.
///
/// ```
/// use std::sync::Arc;
/// use client_credentials::audit::{MetricsAudit, NoAudit};
/// # use client_credentials::{Algorithm, Issuer, KeySet, SigningKey, store::MemoryClientStore};
/// # let keys = KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0);
/// let issuer = Issuer::builder("https://auth.example.com", keys, MemoryClientStore::new())
///     .audit(Arc::new(MetricsAudit::new(NoAudit)))
///     .build()
///     .unwrap();
/// # let _ = issuer;
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct MetricsAudit<A> {
    inner: A,
}

impl<A: AuditSink> MetricsAudit<A> {
    /// Counts, then records with `inner`.
    pub fn new(inner: A) -> Self {
        Self { inner }
    }

    /// The sink events are handed on to.
    pub fn inner(&self) -> &A {
        &self.inner
    }
}

impl<A: AuditSink> AuditSink for MetricsAudit<A> {
    fn record(&self, event: &AuditEvent<'_>) {
        match event.outcome {
            Outcome::Issued => {
                let method = event.auth_method.map_or("unknown", |m| m.as_str());
                metrics::counter!(TOKENS_ISSUED, "auth_method" => method).increment(1);
            }
            Outcome::Revoked => metrics::counter!(TOKENS_REVOKED).increment(1),
            Outcome::Refused(reason) => metrics::counter!(
                REFUSALS,
                "reason" => variant_name(&reason),
                "error" => reason.code().as_str()
            )
            .increment(1),
        }
        self.inner.record(event);
    }
}
