//! The metrics of the feature `metrics`, read through a recorder of the
//! test's own: tokens issued, refusals by reason, store latency and the
//! resource server's validation outcomes.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use client_credentials::audit::{MetricsAudit, NoAudit, REFUSALS, TOKENS_ISSUED, TOKENS_REVOKED};
use client_credentials::resource::VALIDATIONS;
use client_credentials::store::{
    MemoryClientStore, MemoryRevocationStore, MeteredStore, STORE_DURATION,
};
use client_credentials::{
    Algorithm, Audience, Client, ClientId, ClientSecret, CredentialId, Issuer, KeySet,
    RequestParts, ScopeSet, SecretCredential, SecretHash, SigningKey, UnixTime, Validator,
    VerificationKeys,
};
use metrics::{
    Counter, CounterFn, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder,
    SharedString, Unit,
};

/// A metric as `name{label=value,…}`, labels sorted.
fn render(key: &Key) -> String {
    let mut labels: Vec<String> = key
        .labels()
        .map(|l| format!("{}={}", l.key(), l.value()))
        .collect();
    labels.sort();
    format!("{}{{{}}}", key.name(), labels.join(","))
}

/// Counter totals and histogram sample counts, by rendered key.
#[derive(Default)]
struct Seen {
    counters: BTreeMap<String, u64>,
    histograms: BTreeMap<String, usize>,
}

#[derive(Clone, Default)]
struct TestRecorder(Arc<Mutex<Seen>>);

struct CounterCell(Arc<Mutex<Seen>>, String);

impl CounterFn for CounterCell {
    fn increment(&self, value: u64) {
        *self
            .0
            .lock()
            .unwrap()
            .counters
            .entry(self.1.clone())
            .or_default() += value;
    }
    fn absolute(&self, value: u64) {
        self.0
            .lock()
            .unwrap()
            .counters
            .insert(self.1.clone(), value);
    }
}

struct HistogramCell(Arc<Mutex<Seen>>, String);

impl HistogramFn for HistogramCell {
    fn record(&self, value: f64) {
        assert!(value >= 0.0);
        *self
            .0
            .lock()
            .unwrap()
            .histograms
            .entry(self.1.clone())
            .or_default() += 1;
    }
}

impl Recorder for TestRecorder {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(Arc::new(CounterCell(self.0.clone(), render(key))))
    }
    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }
    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(Arc::new(HistogramCell(self.0.clone(), render(key))))
    }
}

impl TestRecorder {
    fn counter(&self, key: &str) -> u64 {
        self.0
            .lock()
            .unwrap()
            .counters
            .get(key)
            .copied()
            .unwrap_or(0)
    }
    fn samples(&self, key: &str) -> usize {
        self.0
            .lock()
            .unwrap()
            .histograms
            .get(key)
            .copied()
            .unwrap_or(0)
    }
}

/// Runs `f` on this thread with `recorder` installed for it alone.
fn recorded<F: Future>(recorder: &TestRecorder, f: F) -> F::Output {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    metrics::with_local_recorder(recorder, || runtime.block_on(f))
}

const ISSUER: &str = "https://as.example.com";
const RESOURCE: &str = "https://mcp.example.com/mcp";

#[test]
fn issuance_refusals_revocations_store_calls_and_validations_are_counted() {
    let secret = ClientSecret::generate();
    let client = Client::builder(ClientId::new("c1").unwrap())
        .secret(SecretCredential::new(
            CredentialId::new("s1").unwrap(),
            SecretHash::fast(&secret).unwrap(),
        ))
        .allowed_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_audience(Audience::new(RESOURCE).unwrap())
        .build()
        .unwrap();
    let keys = KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0);
    let jwks = keys.jwks_json();
    let issuer = Issuer::builder(
        ISSUER,
        keys,
        MeteredStore::new(MemoryClientStore::from_iter([client])),
    )
    .revocation_store(MeteredStore::new(MemoryRevocationStore::default()))
    .audit(Arc::new(MetricsAudit::new(NoAudit)))
    .build()
    .unwrap();
    let validator = Validator::builder(
        ISSUER,
        Audience::new(RESOURCE).unwrap(),
        VerificationKeys::from_jwks_json(&jwks).unwrap(),
    )
    .build()
    .unwrap();
    let basic = |s: &str| format!("Basic {}", STANDARD.encode(format!("c1:{s}")));
    let recorder = TestRecorder::default();
    recorded(&recorder, async {
        let grant = b"grant_type=client_credentials";
        let good = basic(secret.expose_secret());
        let mut token = String::new();
        for _ in 0..2 {
            let r = issuer
                .handle_token_request(RequestParts::form_post(grant).authorization(&good))
                .await;
            assert_eq!(r.status, 200);
            let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
            token = body["access_token"].as_str().unwrap().to_owned();
        }
        let wrong = basic("not-the-secret");
        let r = issuer
            .handle_token_request(RequestParts::form_post(grant).authorization(&wrong))
            .await;
        assert_eq!(r.status, 401);
        let r = issuer
            .handle_token_request(
                RequestParts::form_post(b"grant_type=password").authorization(&good),
            )
            .await;
        assert_eq!(r.status, 400);

        let now = UnixTime::now();
        assert!(validator.validate(&token, now).await.is_ok());
        assert!(validator.validate("not-a-token", now).await.is_err());
        let later = UnixTime::from_secs(now.as_secs() + 86_400);
        assert!(validator.validate(&token, later).await.is_err());

        let revoke = format!("token={token}");
        let r = issuer
            .handle_revocation_request(
                RequestParts::form_post(revoke.as_bytes()).authorization(&good),
            )
            .await;
        assert_eq!(r.status, 200);
    });

    assert_eq!(
        recorder.counter(&format!(
            "{TOKENS_ISSUED}{{auth_method=client_secret_basic}}"
        )),
        2
    );
    assert_eq!(
        recorder.counter(&format!(
            "{REFUSALS}{{error=invalid_client,reason=WrongSecret}}"
        )),
        1
    );
    assert_eq!(
        recorder.counter(&format!(
            "{REFUSALS}{{error=unsupported_grant_type,reason=UnsupportedGrantType}}"
        )),
        1
    );
    assert_eq!(recorder.counter(&format!("{TOKENS_REVOKED}{{}}")), 1);
    // Three token requests reached the store (a refused grant type does not),
    // and the revocation request one more.
    assert_eq!(
        recorder.samples(&format!(
            "{STORE_DURATION}{{operation=client,outcome=ok,store=client}}"
        )),
        4
    );
    // The revocation check of each authenticated client, then the revocation.
    assert_eq!(
        recorder.samples(&format!(
            "{STORE_DURATION}{{operation=is_revoked,outcome=ok,store=revocation}}"
        )),
        3
    );
    assert_eq!(
        recorder.samples(&format!(
            "{STORE_DURATION}{{operation=revoke_token,outcome=ok,store=revocation}}"
        )),
        1
    );
    assert_eq!(
        recorder.counter(&format!("{VALIDATIONS}{{outcome=valid}}")),
        1
    );
    assert_eq!(
        recorder.counter(&format!(
            "{VALIDATIONS}{{outcome=refused,reason=Malformed}}"
        )),
        1
    );
    assert_eq!(
        recorder.counter(&format!("{VALIDATIONS}{{outcome=refused,reason=Expired}}")),
        1
    );
}
