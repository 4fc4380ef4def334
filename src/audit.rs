//! The audit trail: one structured event per token decision (issued, refused,
//! revoked), with no secret in it.

#[cfg(feature = "tracing")]
mod tracing_sink;
#[cfg(feature = "tracing")]
pub use self::tracing_sink::TracingAudit;

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use crate::vocab::audience::Audience;
use crate::vocab::error::Reason;
use crate::vocab::ids::AuthMethod;
use crate::vocab::scope::ScopeSet;
use crate::vocab::time::UnixTime;

/// How a token request ended.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A token was issued.
    Issued,
    /// A token was revoked through the revocation endpoint (RFC 7009).
    Revoked,
    /// The request was refused, for this reason.
    Refused(Reason),
}

/// One token decision. Borrowed, so recording it costs no allocation.
///
/// By construction it holds no secret, assertion, token or `Authorization` header:
/// only ids, scopes, audiences and the token's `jti`.
#[non_exhaustive]
#[derive(Clone, Copy, Debug)]
pub struct AuditEvent<'a> {
    /// When the decision was taken.
    pub at: UnixTime,
    /// Issued or refused, and why.
    pub outcome: Outcome,
    /// The client id as presented (verified only when `outcome` is `Issued`).
    pub client_id: Option<&'a str>,
    /// The authentication method used, when the request got that far.
    pub auth_method: Option<AuthMethod>,
    /// The credential that authenticated the client.
    pub credential_id: Option<&'a str>,
    /// The scope asked for, if the request named one.
    pub requested_scope: Option<&'a ScopeSet>,
    /// The scope granted.
    pub granted_scope: Option<&'a ScopeSet>,
    /// The token's audiences.
    pub audience: &'a [Audience],
    /// The token's `jti`.
    pub jti: Option<&'a str>,
    /// The token's lifetime.
    pub lifetime: Option<Duration>,
}

impl<'a> AuditEvent<'a> {
    pub(crate) fn refused(at: UnixTime, reason: Reason) -> Self {
        Self {
            at,
            outcome: Outcome::Refused(reason),
            client_id: None,
            auth_method: None,
            credential_id: None,
            requested_scope: None,
            granted_scope: None,
            audience: &[],
            jti: None,
            lifetime: None,
        }
    }

    /// An owned copy, to keep beyond the call.
    pub fn to_record(&self) -> AuditRecord {
        AuditRecord {
            at: self.at,
            outcome: self.outcome,
            client_id: self.client_id.map(str::to_owned),
            auth_method: self.auth_method,
            credential_id: self.credential_id.map(str::to_owned),
            requested_scope: self.requested_scope.cloned(),
            granted_scope: self.granted_scope.cloned(),
            audience: self.audience.to_vec(),
            jti: self.jti.map(str::to_owned),
            lifetime: self.lifetime,
        }
    }
}

/// An owned [`AuditEvent`].
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    /// See [`AuditEvent::at`].
    pub at: UnixTime,
    /// See [`AuditEvent::outcome`].
    pub outcome: Outcome,
    /// See [`AuditEvent::client_id`].
    pub client_id: Option<String>,
    /// See [`AuditEvent::auth_method`].
    pub auth_method: Option<AuthMethod>,
    /// See [`AuditEvent::credential_id`].
    pub credential_id: Option<String>,
    /// See [`AuditEvent::requested_scope`].
    pub requested_scope: Option<ScopeSet>,
    /// See [`AuditEvent::granted_scope`].
    pub granted_scope: Option<ScopeSet>,
    /// See [`AuditEvent::audience`].
    pub audience: Vec<Audience>,
    /// See [`AuditEvent::jti`].
    pub jti: Option<String>,
    /// See [`AuditEvent::lifetime`].
    pub lifetime: Option<Duration>,
}

/// Receives every token decision. Called on the request path: keep it fast
/// (hand events to a channel if the destination is slow).
pub trait AuditSink: Send + Sync + fmt::Debug {
    /// Records one decision.
    fn record(&self, event: &AuditEvent<'_>);
}

/// Discards events.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoAudit;

impl AuditSink for NoAudit {
    fn record(&self, _: &AuditEvent<'_>) {}
}

/// Keeps every event in memory: for tests and small tools.
#[derive(Debug, Default)]
pub struct MemoryAuditSink(Mutex<Vec<AuditRecord>>);

impl MemoryAuditSink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// The events recorded so far.
    pub fn records(&self) -> Vec<AuditRecord> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl AuditSink for MemoryAuditSink {
    fn record(&self, event: &AuditEvent<'_>) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(event.to_record());
    }
}
