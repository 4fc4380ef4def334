//! The audit trail: one structured event per token decision (issued, refused,
//! revoked), with no secret in it.

#[cfg(feature = "metrics")]
pub(crate) mod metrics_sink;
#[cfg(feature = "metrics")]
pub use self::metrics_sink::{MetricsAudit, REFUSALS, TOKENS_ISSUED, TOKENS_REVOKED};
#[cfg(feature = "tracing")]
mod tracing_sink;
#[cfg(feature = "tracing")]
pub use self::tracing_sink::TracingAudit;

use std::borrow::Cow;
use std::fmt;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use crate::vocab::audience::Audience;
use crate::vocab::error::{Reason, StoreError};
use crate::vocab::extra_claims::ExtraClaims;
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
/// only ids, scopes, audiences and the token's `jti`; and no control character
/// or oversized value from the request (see [`client_id`](Self::client_id)).
#[non_exhaustive]
#[derive(Clone, Copy, Debug)]
pub struct AuditEvent<'a> {
    /// When the decision was taken.
    pub at: UnixTime,
    /// Issued or refused, and why.
    pub outcome: Outcome,
    /// The client id as presented (verified only when `outcome` is `Issued`).
    ///
    /// It is attacker-chosen, so it is carried as sent only when it is a
    /// valid client id of at most [`MAX_AUDITED_CLIENT_ID_BYTES`] bytes
    /// (printable ASCII, `%x20-7E`). Any other id is *escaped*, and
    /// [`client_id_escaped`](Self::client_id_escaped) is set: its first
    /// [`MAX_AUDITED_CLIENT_ID_BYTES`] bytes with every byte outside
    /// `%x20-7E` written `\xHH` and every `\` written `\\`, followed, when
    /// it was longer, by `...(N bytes)`. Either way it holds printable ASCII
    /// only, so it can never break a log line or forge one.
    pub client_id: Option<&'a str>,
    /// Whether [`client_id`](Self::client_id) is an escaped rendering of an
    /// id that was not a valid client id as sent, rather than the id itself.
    pub client_id_escaped: bool,
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
    /// The backend failure behind a refusal for an outage (such as
    /// [`Reason::StoreUnavailable`]), when the store reported one. Its
    /// `Display` is the backend's own message: stores never see a secret or
    /// a token, so it cannot hold one.
    pub store_error: Option<&'a StoreError>,
    /// The token's extra claims (the client's and a claims hook's), when it
    /// has any.
    pub extra_claims: Option<&'a ExtraClaims>,
    /// For a JWT-bearer grant (workload identity federation): the trusted
    /// issuer of the platform token, once its `iss` named one.
    pub platform_issuer: Option<&'a str>,
    /// For a JWT-bearer grant: the workload's `sub` from the platform token,
    /// once its signature verified; escaped as [`client_id`](Self::client_id)
    /// is when it is not printable ASCII of at most
    /// [`MAX_AUDITED_CLIENT_ID_BYTES`] bytes.
    pub platform_subject: Option<&'a str>,
}

impl<'a> AuditEvent<'a> {
    pub(crate) fn refused(at: UnixTime, reason: Reason) -> Self {
        Self {
            at,
            outcome: Outcome::Refused(reason),
            client_id: None,
            client_id_escaped: false,
            auth_method: None,
            credential_id: None,
            requested_scope: None,
            granted_scope: None,
            audience: &[],
            jti: None,
            lifetime: None,
            store_error: None,
            extra_claims: None,
            platform_issuer: None,
            platform_subject: None,
        }
    }

    /// Sets the client id, as [`AuditedClientId`] made it safe to log.
    pub(crate) fn set_client_id(&mut self, id: &'a AuditedClientId<'_>) {
        self.client_id = Some(&id.text);
        self.client_id_escaped = id.escaped;
    }

    /// An owned copy, to keep beyond the call.
    pub fn to_record(&self) -> AuditRecord {
        AuditRecord {
            at: self.at,
            outcome: self.outcome,
            client_id: self.client_id.map(str::to_owned),
            client_id_escaped: self.client_id_escaped,
            auth_method: self.auth_method,
            credential_id: self.credential_id.map(str::to_owned),
            requested_scope: self.requested_scope.cloned(),
            granted_scope: self.granted_scope.cloned(),
            audience: self.audience.to_vec(),
            jti: self.jti.map(str::to_owned),
            lifetime: self.lifetime,
            store_error: self.store_error.map(ToString::to_string),
            extra_claims: self.extra_claims.cloned(),
            platform_issuer: self.platform_issuer.map(str::to_owned),
            platform_subject: self.platform_subject.map(str::to_owned),
        }
    }
}

/// Longest client id an [`AuditEvent`] carries as sent, in bytes; a longer
/// one is cut there and escaped.
pub const MAX_AUDITED_CLIENT_ID_BYTES: usize = 256;

/// A client id as an [`AuditEvent`] may carry it: as sent when it is valid and
/// short, escaped otherwise (see [`AuditEvent::client_id`]).
pub(crate) struct AuditedClientId<'a> {
    text: Cow<'a, str>,
    escaped: bool,
}

impl<'a> AuditedClientId<'a> {
    pub(crate) fn new(presented: &'a str) -> Self {
        Self::escape(presented)
    }

    /// The text, as an audit event carries it.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// `presented` as sent when it is printable ASCII of at most
    /// [`MAX_AUDITED_CLIENT_ID_BYTES`] bytes, escaped otherwise.
    fn escape(presented: &'a str) -> Self {
        let bytes = presented.as_bytes();
        let printable = |b: &u8| (0x20..=0x7e).contains(b);
        if !bytes.is_empty()
            && bytes.len() <= MAX_AUDITED_CLIENT_ID_BYTES
            && bytes.iter().all(printable)
        {
            return Self {
                text: Cow::Borrowed(presented),
                escaped: false,
            };
        }
        let kept = &bytes[..bytes.len().min(MAX_AUDITED_CLIENT_ID_BYTES)];
        let mut text = String::with_capacity(kept.len() + 16);
        for &b in kept {
            match b {
                b'\\' => text.push_str("\\\\"),
                b if printable(&b) => text.push(char::from(b)),
                b => {
                    let _ = write!(text, "\\x{b:02x}");
                }
            }
        }
        if kept.len() < bytes.len() {
            let _ = write!(text, "...({} bytes)", bytes.len());
        }
        Self {
            text: Cow::Owned(text),
            escaped: true,
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
    /// See [`AuditEvent::client_id_escaped`].
    pub client_id_escaped: bool,
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
    /// [`AuditEvent::store_error`], as its `Display`.
    pub store_error: Option<String>,
    /// See [`AuditEvent::extra_claims`].
    pub extra_claims: Option<ExtraClaims>,
    /// See [`AuditEvent::platform_issuer`].
    pub platform_issuer: Option<String>,
    /// See [`AuditEvent::platform_subject`].
    pub platform_subject: Option<String>,
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

#[cfg(test)]
mod tests;
