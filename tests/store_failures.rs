//! A failing store is visible to the operator: its error, as its `Display`,
//! reaches the audit event and the `tracing` output, while the caller sees
//! only `503 server_error` and no secret of the request appears anywhere.

use std::collections::BTreeMap;
use std::fmt;
use std::future::{Future, ready};
use std::sync::{Arc, Mutex};

use client_credentials::audit::{AuditEvent, MemoryAuditSink, Outcome, TracingAudit};
use client_credentials::store::{ClientStore, MemoryClientStore, TokenView};
use client_credentials::{
    Algorithm, Audience, AuditSink, Client, ClientId, ClientSecret, CredentialId, Issuer, KeySet,
    Reason, RequestParts, RevocationStore, ScopeSet, SecretCredential, SecretHash, SigningKey,
    StoreError, UnixTime, ValidationError, Validator, VerificationKeys,
};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const BACKEND_MESSAGE: &str = "connection to db.internal:5432 refused";

/// A client store whose backend is down.
#[derive(Debug)]
struct DownStore;

impl ClientStore for DownStore {
    fn client(
        &self,
        _: &ClientId,
    ) -> impl Future<Output = Result<Option<Arc<Client>>, StoreError>> + Send {
        ready(Err(StoreError::msg(BACKEND_MESSAGE)))
    }
}

/// Both sinks at once: the records for the test, `tracing` for the logs.
#[derive(Debug)]
struct Both(Arc<MemoryAuditSink>);

impl AuditSink for Both {
    fn record(&self, event: &AuditEvent<'_>) {
        self.0.record(event);
        TracingAudit.record(event);
    }
}

/// Every `tracing` event, as `field → value`.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<BTreeMap<String, String>>>>);

struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(BTreeMap::new());
        event.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn keys() -> KeySet {
    KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0)
}

/// Runs `f` with `capture` as the subscriber of this thread.
fn block_on_captured<F: Future>(capture: &Capture, f: F) -> F::Output {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    tracing::subscriber::with_default(capture.clone(), || runtime.block_on(f))
}

#[test]
fn a_client_store_error_reaches_the_audit_event_and_the_logs_without_the_secret() {
    let audit = Arc::new(MemoryAuditSink::new());
    let issuer = Issuer::builder("https://as.example.com", keys(), DownStore)
        .audit(Arc::new(Both(audit.clone())))
        .build()
        .unwrap();
    let secret = ClientSecret::generate();
    let body = format!(
        "grant_type=client_credentials&client_id=c1&client_secret={}",
        secret.expose_secret()
    );
    let capture = Capture::default();
    let response = block_on_captured(
        &capture,
        issuer.handle_token_request(RequestParts::form_post(body.as_bytes())),
    );

    // The caller learns nothing of the backend.
    assert_eq!(response.status, 503);
    let wire = String::from_utf8_lossy(&response.body);
    assert!(wire.contains("server_error"), "{wire}");
    assert!(!wire.contains("db.internal"), "{wire}");

    // The audit event carries the store's message.
    let records = audit.records();
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record.outcome, Outcome::Refused(Reason::StoreUnavailable));
    assert_eq!(record.client_id.as_deref(), Some("c1"));
    let carried = record.store_error.as_deref().unwrap();
    assert!(carried.contains(BACKEND_MESSAGE), "{carried}");

    // So does the log line.
    let events = capture.0.lock().unwrap();
    let logged = events
        .iter()
        .find(|e| e.get("reason").is_some_and(|r| r == "StoreUnavailable"))
        .expect("the refusal is logged");
    assert!(
        logged["store_error"].contains(BACKEND_MESSAGE),
        "{logged:?}"
    );

    // The secret is in none of them.
    let everything = format!("{records:?} {events:?}");
    assert!(!everything.contains(secret.expose_secret()));
}

/// A revocation store whose backend is down.
#[derive(Debug)]
struct DownRevocations;

impl RevocationStore for DownRevocations {
    fn revoke_token(
        &self,
        _: &ClientId,
        _: &str,
        _: UnixTime,
        _: UnixTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        ready(Err(StoreError::msg(BACKEND_MESSAGE)))
    }
    fn revoke_client(
        &self,
        _: &ClientId,
        _: UnixTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        ready(Err(StoreError::msg(BACKEND_MESSAGE)))
    }
    fn revoke_credential(
        &self,
        _: &ClientId,
        _: &CredentialId,
        _: UnixTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        ready(Err(StoreError::msg(BACKEND_MESSAGE)))
    }
    fn is_revoked(
        &self,
        _: &TokenView<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        ready(Err(StoreError::msg(BACKEND_MESSAGE)))
    }
}

#[test]
fn a_revocation_store_error_reaches_the_audit_event() {
    let secret = ClientSecret::generate();
    let client = Client::builder(ClientId::new("c1").unwrap())
        .secret(SecretCredential::new(
            CredentialId::new("s1").unwrap(),
            SecretHash::fast(&secret).unwrap(),
        ))
        .build()
        .unwrap();
    let audit = Arc::new(MemoryAuditSink::new());
    let issuer = Issuer::builder(
        "https://as.example.com",
        keys(),
        MemoryClientStore::from_iter([client]),
    )
    .revocation_store(DownRevocations)
    .audit(audit.clone())
    .build()
    .unwrap();
    let body = format!(
        "grant_type=client_credentials&client_id=c1&client_secret={}",
        secret.expose_secret()
    );
    let response = block_on_captured(
        &Capture::default(),
        issuer.handle_token_request(RequestParts::form_post(body.as_bytes())),
    );
    assert_eq!(response.status, 503);
    let record = audit.records().pop().unwrap();
    assert_eq!(record.outcome, Outcome::Refused(Reason::StoreUnavailable));
    assert!(
        record
            .store_error
            .as_deref()
            .unwrap()
            .contains(BACKEND_MESSAGE),
        "{record:?}"
    );
    assert!(!format!("{record:?}").contains(secret.expose_secret()));
}

#[test]
fn a_resource_servers_revocation_store_error_is_logged() {
    let secret = ClientSecret::generate();
    let client = Client::builder(ClientId::new("c1").unwrap())
        .secret(SecretCredential::new(
            CredentialId::new("s1").unwrap(),
            SecretHash::fast(&secret).unwrap(),
        ))
        .allowed_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_audience(Audience::new("https://mcp.example.com").unwrap())
        .build()
        .unwrap();
    let keys = keys();
    let jwks = keys.jwks_json();
    let issuer = Issuer::builder(
        "https://as.example.com",
        keys,
        MemoryClientStore::from_iter([client]),
    )
    .build()
    .unwrap();
    let validator = Validator::builder(
        "https://as.example.com",
        Audience::new("https://mcp.example.com").unwrap(),
        VerificationKeys::from_jwks_json(&jwks).unwrap(),
    )
    .revocation_store(DownRevocations)
    .build()
    .unwrap();
    let body = format!(
        "grant_type=client_credentials&client_id=c1&client_secret={}",
        secret.expose_secret()
    );
    let capture = Capture::default();
    let (token, refused) = block_on_captured(&capture, async {
        let r = issuer
            .handle_token_request(RequestParts::form_post(body.as_bytes()))
            .await;
        let issued: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        let token = issued["access_token"].as_str().unwrap().to_owned();
        let refused = validator.validate(&token, UnixTime::now()).await;
        (token, refused)
    });
    assert_eq!(refused.err(), Some(ValidationError::RevocationUnavailable));
    let events = capture.0.lock().unwrap();
    let logged = events
        .iter()
        .find(|e| e.contains_key("store_error"))
        .expect("the failure is logged");
    assert!(
        logged["store_error"].contains(BACKEND_MESSAGE),
        "{logged:?}"
    );
    assert!(!format!("{events:?}").contains(&token));
}
