use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

use super::*;
use crate::vocab::error::Reason;
use crate::vocab::scope::ScopeSet;
use crate::vocab::time::UnixTime;

/// One event: its level and its fields as `name → value`.
type Seen = (String, BTreeMap<String, String>);

/// Collects every event.
#[derive(Default)]
struct Collect(Arc<Mutex<Vec<Seen>>>);

struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
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
        let level = event.metadata().level().to_string();
        self.0.lock().unwrap().push((level, fields.0));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn events_are_structured_fields() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let scope = ScopeSet::from_strs(["mcp:read"]).unwrap();
    tracing::subscriber::with_default(Collect(Arc::clone(&seen)), || {
        let mut issued = AuditEvent::refused(UnixTime::from_secs(5), Reason::WrongSecret);
        issued.outcome = Outcome::Issued;
        issued.client_id = Some("c1");
        issued.credential_id = Some("s1");
        issued.granted_scope = Some(&scope);
        issued.jti = Some("jti-1");
        TracingAudit.record(&issued);
        let mut refused = AuditEvent::refused(UnixTime::from_secs(6), Reason::WrongSecret);
        refused.client_id = Some("c1");
        TracingAudit.record(&refused);
    });
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    let (level, issued) = &seen[0];
    assert_eq!(level, "INFO");
    assert_eq!(issued["outcome"], "issued");
    assert_eq!(issued["client_id"], "c1");
    assert_eq!(issued["credential_id"], "s1");
    assert_eq!(issued["granted_scope"], "mcp:read");
    assert_eq!(issued["jti"], "jti-1");
    assert!(
        !issued.contains_key("message"),
        "fields, not a formatted message"
    );
    let (level, refused) = &seen[1];
    assert_eq!(level, "WARN");
    assert_eq!(refused["outcome"], "refused");
    assert_eq!(refused["error"], "invalid_client");
    assert_eq!(refused["reason"], "WrongSecret");
}
