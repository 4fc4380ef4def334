//! The audit trail: one event per decision, with the fields the design names —
//! client id, authentication method, credential id, requested and granted scope,
//! audience, `jti`, lifetime, outcome and reason.

mod fixtures;

use std::sync::Arc;
use std::time::Duration;

use client_credentials::audit::{AuditRecord, MemoryAuditSink, Outcome};
use client_credentials::{Audience, AuthMethod, Issuer, Reason, RequestParts, ScopeSet, UnixTime};
use fixtures::*;

fn scopes(s: &str) -> Option<ScopeSet> {
    Some(ScopeSet::parse(s).unwrap())
}

/// The one record a single request left behind.
#[track_caller]
fn only_record(fx: &Fixture) -> AuditRecord {
    let mut records = fx.audit.records();
    assert_eq!(records.len(), 1, "one event per decision: {records:#?}");
    records.pop().unwrap()
}

#[tokio::test]
async fn an_issued_token_is_recorded_with_every_field() {
    let fx = Fixture::new();
    let body = "grant_type=client_credentials&scope=mcp:write+mcp:read";
    let issued = assert_token(&fx.post_c1_basic(body).await);
    let r = only_record(&fx);
    assert_eq!(r.outcome, Outcome::Issued);
    assert_eq!(r.at, UnixTime::from_secs(NOW));
    assert_eq!(r.client_id.as_deref(), Some(C1));
    assert_eq!(r.auth_method, Some(AuthMethod::ClientSecretBasic));
    assert_eq!(r.credential_id.as_deref(), Some("s1"));
    assert_eq!(r.requested_scope, scopes("mcp:read mcp:write"));
    assert_eq!(r.granted_scope, scopes("mcp:read mcp:write"));
    assert_eq!(r.audience, [Audience::new(RESOURCE).unwrap()]);
    assert_eq!(r.jti.as_deref(), issued.claims["jti"].as_str());
    assert_eq!(
        r.lifetime,
        Some(Duration::from_secs(
            issued.body["expires_in"].as_u64().unwrap()
        ))
    );
}

#[tokio::test]
async fn a_downscoped_token_records_what_was_asked_and_what_was_granted() {
    let fx = Fixture::with(|b| b.policy(downscope_policy()));
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", C1),
        ("client_secret", C1_SECRET),
        ("scope", "mcp:read admin"),
        ("resource", "HTTPS://MCP.EXAMPLE.COM/mcp"),
    ]);
    assert_token(&fx.post(&body).await);
    let r = only_record(&fx);
    assert_eq!(r.outcome, Outcome::Issued);
    assert_eq!(r.auth_method, Some(AuthMethod::ClientSecretPost));
    assert_eq!(r.requested_scope, scopes("admin mcp:read"));
    assert_eq!(r.granted_scope, scopes("mcp:read"));
    // The registered audience, as in the token (C135).
    assert_eq!(r.audience[0].as_str(), RESOURCE);
}

#[tokio::test]
async fn a_default_scope_grant_records_no_requested_scope() {
    let fx = Fixture::new();
    assert_token(&fx.post_c1_basic(GRANT).await);
    let r = only_record(&fx);
    assert_eq!(r.requested_scope, None);
    assert_eq!(r.granted_scope, scopes("mcp:read"));
}

#[tokio::test]
async fn a_malformed_request_is_recorded_with_its_reason() {
    let cases = [
        (
            "grant_type=client_credentials&grant_type=client_credentials",
            Reason::RepeatedParameter("grant_type"),
        ),
        ("grant_type=password", Reason::UnsupportedGrantType),
        ("scope=mcp:read", Reason::MissingGrantType),
        (
            "grant_type=client_credentials&client_secret=x",
            Reason::MultipleAuthMethods,
        ),
        (
            "grant_type=client_credentials&scope=a%22b",
            Reason::MalformedScope,
        ),
        (
            "grant_type=client_credentials&resource=%2Fmcp",
            Reason::MalformedResource,
        ),
    ];
    for (body, reason) in cases {
        let fx = Fixture::new();
        fx.post_c1_basic(body).await;
        let r = only_record(&fx);
        assert_eq!(r.outcome, Outcome::Refused(reason), "{body}");
        assert_eq!(r.at, UnixTime::from_secs(NOW));
        // Nothing past the failed step is known.
        assert_eq!(r.credential_id, None);
        assert_eq!(r.granted_scope, None);
        assert!(r.audience.is_empty());
        assert_eq!(r.jti, None);
        assert_eq!(r.lifetime, None);
    }
}

#[tokio::test]
async fn a_failed_authentication_is_recorded_with_the_presented_id() {
    let cases = [
        (
            Some(basic(C1, "wrong")),
            "grant_type=client_credentials&scope=mcp:read",
            Some(C1),
            Some(AuthMethod::ClientSecretBasic),
            Reason::WrongSecret,
        ),
        (
            None,
            "grant_type=client_credentials&client_id=nobody&client_secret=x&scope=mcp:read",
            Some("nobody"),
            Some(AuthMethod::ClientSecretPost),
            Reason::UnknownClient,
        ),
        (
            None,
            "grant_type=client_credentials&client_id=c1&scope=mcp:read",
            Some(C1),
            Some(AuthMethod::None),
            Reason::NoClientAuthentication,
        ),
        (
            None,
            "grant_type=client_credentials&client_id=pub1&scope=mcp:read",
            Some(PUBLIC),
            Some(AuthMethod::None),
            Reason::PublicClient,
        ),
        (
            Some(basic(POST_ONLY, OTHER_SECRET)),
            "grant_type=client_credentials&scope=mcp:read",
            Some(POST_ONLY),
            Some(AuthMethod::ClientSecretBasic),
            Reason::AuthMethodNotAllowed,
        ),
    ];
    for (auth, body, client_id, method, reason) in cases {
        let fx = Fixture::new();
        let r = match &auth {
            Some(auth) => fx.post_auth(auth, body).await,
            None => fx.post(body).await,
        };
        assert_eq!(r.status, 401);
        let r = only_record(&fx);
        assert_eq!(r.outcome, Outcome::Refused(reason), "{body}");
        assert_eq!(r.client_id.as_deref(), client_id);
        assert_eq!(r.auth_method, method);
        assert_eq!(r.requested_scope, scopes("mcp:read"));
        assert_eq!(r.credential_id, None);
        assert_eq!(r.granted_scope, None);
        assert_eq!(r.jti, None);
    }
}

#[tokio::test]
async fn no_authentication_at_all_is_recorded() {
    let fx = Fixture::new();
    fx.post(GRANT).await;
    let r = only_record(&fx);
    assert_eq!(r.outcome, Outcome::Refused(Reason::NoClientAuthentication));
    assert_eq!(r.client_id, None);
}

#[tokio::test]
async fn a_policy_refusal_is_recorded_with_the_credential_used() {
    let cases = [
        (
            basic(C1, C1_SECRET),
            "grant_type=client_credentials&scope=admin",
            Reason::ScopeNotAllowed,
        ),
        (
            basic(NO_DEFAULT_SCOPE, OTHER_SECRET),
            GRANT,
            Reason::NoScope,
        ),
        (
            basic(C1, C1_SECRET),
            "grant_type=client_credentials&resource=https%3A%2F%2Funknown.example",
            Reason::ResourceNotAllowed,
        ),
        (basic(NO_AUDIENCE, OTHER_SECRET), GRANT, Reason::NoAudience),
        (
            basic(NO_GRANT, OTHER_SECRET),
            GRANT,
            Reason::GrantNotAllowed,
        ),
        (basic(DISABLED, OTHER_SECRET), GRANT, Reason::ClientDisabled),
    ];
    for (auth, body, reason) in cases {
        let fx = Fixture::new();
        let response = fx.post_auth(&auth, body).await;
        assert_eq!(response.status, 400);
        let r = only_record(&fx);
        assert_eq!(r.outcome, Outcome::Refused(reason), "{body}");
        assert!(r.client_id.is_some());
        assert_eq!(r.auth_method, Some(AuthMethod::ClientSecretBasic));
        assert_eq!(r.credential_id.as_deref(), Some("s1"));
        assert_eq!(r.granted_scope, None);
        assert_eq!(r.jti, None);
    }
}

#[tokio::test]
async fn throttled_attempts_are_recorded() {
    let fx = Fixture::new();
    let wrong = basic(C1, "wrong");
    for _ in 0..10 {
        fx.post_auth(&wrong, GRANT).await;
    }
    fx.post_c1_basic(GRANT).await;
    let records = fx.audit.records();
    assert_eq!(records.len(), 11);
    assert!(
        records[..10]
            .iter()
            .all(|r| r.outcome == Outcome::Refused(Reason::WrongSecret))
    );
    let last = &records[10];
    assert_eq!(last.outcome, Outcome::Refused(Reason::Throttled));
    assert_eq!(last.client_id.as_deref(), Some(C1));
    assert_eq!(last.auth_method, Some(AuthMethod::ClientSecretBasic));
}

#[tokio::test]
async fn a_store_failure_is_recorded() {
    use client_credentials::{Client, ClientId, ClientStore, StoreError};
    use std::future::{Future, ready};

    struct BrokenStore;
    impl ClientStore for BrokenStore {
        fn client(
            &self,
            _: &ClientId,
        ) -> impl Future<Output = Result<Option<Arc<Client>>, StoreError>> + Send {
            ready(Err(StoreError::msg("down")))
        }
    }
    let audit = Arc::new(MemoryAuditSink::new());
    let issuer = Issuer::builder(ISSUER, es256_keys(), BrokenStore)
        .audit(audit.clone())
        .build()
        .unwrap();
    let auth = basic(C1, C1_SECRET);
    issuer
        .handle_token_request(RequestParts::form_post(GRANT.as_bytes()).authorization(&auth))
        .await;
    let records = audit.records();
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].outcome,
        Outcome::Refused(Reason::StoreUnavailable)
    );
    assert_eq!(records[0].client_id.as_deref(), Some(C1));
}

#[tokio::test]
async fn every_request_leaves_exactly_one_event() {
    let fx = Fixture::new();
    let bodies = [
        GRANT,
        "",
        "grant_type=client_credentials&scope=admin",
        "grant_type=client_credentials&scope=mcp:write",
        "grant_type=foo",
    ];
    for (i, body) in bodies.iter().enumerate() {
        fx.post_c1_basic(body).await;
        fx.post_auth(&basic(C1, "wrong"), body).await;
        assert_eq!(fx.audit.records().len(), 2 * (i + 1), "after {body:?}");
    }
    let issued = fx
        .audit
        .records()
        .iter()
        .filter(|r| r.outcome == Outcome::Issued)
        .count();
    assert_eq!(issued, 2);
}

/// Client ids an attacker may present, each with the rendering an audit event
/// must carry: control characters that would start a new log line, terminal
/// escapes, non-ASCII, and a huge id.
fn hostile_ids() -> Vec<(String, String)> {
    vec![
        (
            "c1\nWARN outcome=issued client_id=admin".into(),
            r"c1\x0aWARN outcome=issued client_id=admin".into(),
        ),
        ("x\r\n\u{1b}[2K".into(), r"x\x0d\x0a\x1b[2K".into()),
        ("caf\u{e9}\\".into(), r"caf\xc3\xa9\\".into()),
        (
            "z".repeat(5_000),
            format!(
                "{}...(5000 bytes)",
                "z".repeat(client_credentials::audit::MAX_AUDITED_CLIENT_ID_BYTES)
            ),
        ),
    ]
}

/// The id in a Basic header (percent-encoded user part) and in the body.
fn requests_presenting(id: &str) -> [(Option<String>, String); 2] {
    [
        (Some(basic(id, "guess")), GRANT.to_owned()),
        (
            None,
            form(&[
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", "guess"),
            ]),
        ),
    ]
}

#[tokio::test]
async fn a_presented_client_id_that_is_not_valid_is_escaped_and_marked() {
    for (id, rendered) in hostile_ids() {
        for (authorization, body) in requests_presenting(&id) {
            let fx = Fixture::new();
            let parts = RequestParts::form_post(body.as_bytes());
            let parts = match &authorization {
                Some(a) => parts.authorization(a),
                None => parts,
            };
            assert_error(&fx.send(parts).await, 401, "invalid_client");
            let r = only_record(&fx);
            assert_eq!(r.outcome, Outcome::Refused(Reason::UnknownClient));
            assert_eq!(r.client_id.as_deref(), Some(rendered.as_str()), "{id:?}");
            assert!(r.client_id_escaped, "{id:?}");
        }
    }
}

#[tokio::test]
async fn a_valid_client_id_is_carried_as_sent_and_not_marked() {
    let fx = Fixture::new();
    assert_error(
        &fx.post_auth(&basic(SVC, "wrong"), GRANT).await,
        401,
        "invalid_client",
    );
    let r = only_record(&fx);
    assert_eq!(r.client_id.as_deref(), Some(SVC));
    assert!(!r.client_id_escaped);
}

#[cfg(feature = "tracing")]
mod through_tracing {
    use std::collections::BTreeMap;
    use std::fmt;
    use std::sync::{Arc, Mutex};

    use client_credentials::audit::TracingAudit;
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    use super::*;

    /// Every event's fields, `name → value` as recorded.
    #[derive(Clone, Default)]
    struct Collect(Arc<Mutex<Vec<BTreeMap<String, String>>>>);

    struct Fields(BTreeMap<String, String>);

    impl Visit for Fields {
        fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
            self.0.insert(field.name().to_owned(), format!("{value:?}"));
        }
        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.insert(field.name().to_owned(), value.to_owned());
        }
        fn record_bool(&mut self, field: &Field, value: bool) {
            self.0.insert(field.name().to_owned(), value.to_string());
        }
    }

    impl Subscriber for Collect {
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

    #[tokio::test(flavor = "current_thread")]
    async fn tracing_events_carry_the_escaped_id_and_the_mark() {
        let seen = Collect::default();
        let _guard = tracing::subscriber::set_default(seen.clone());
        for (id, rendered) in hostile_ids() {
            let fx = Fixture::with(|b| b.audit(Arc::new(TracingAudit)));
            assert_error(
                &fx.post_auth(&basic(&id, "guess"), GRANT).await,
                401,
                "invalid_client",
            );
            let event = seen.0.lock().unwrap().pop().unwrap();
            assert_eq!(event["client_id"], rendered, "{id:?}");
            assert_eq!(event["client_id_escaped"], "true");
            assert!(
                event.values().all(|v| !v.contains(['\n', '\r', '\u{1b}'])),
                "{event:?}"
            );
        }
        let fx = Fixture::with(|b| b.audit(Arc::new(TracingAudit)));
        assert_error(
            &fx.post_auth(&basic(C1, "wrong"), GRANT).await,
            401,
            "invalid_client",
        );
        let event = seen.0.lock().unwrap().pop().unwrap();
        assert_eq!(event["client_id"], C1);
        assert_eq!(event["client_id_escaped"], "false");
    }
}
