//! The brute-force throttle cannot be turned against the clients it protects:
//! a correct generated secret is never refused because someone else failed, a
//! request with no credential counts as nothing, callers elsewhere are not
//! held back, and concurrent guesses at a human-chosen secret cannot pass the
//! limit together.

mod fixtures;

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use client_credentials::store::MemoryClientStore;
use client_credentials::{
    Client, ClientId, ClientStore, FixedClock, HttpResponse, Issuer, RequestParts, StoreError,
    UnixTime,
};
use fixtures::*;

const ATTACKER: [u8; 4] = [198, 51, 100, 7];
const REAL: [u8; 4] = [203, 0, 113, 9];

async fn from(fx: &Fixture, source: [u8; 4], authorization: &str) -> HttpResponse {
    fx.send(
        RequestParts::form_post(GRANT.as_bytes())
            .authorization(authorization)
            .source(IpAddr::from(source)),
    )
    .await
}

#[tokio::test]
async fn a_correct_generated_secret_is_never_refused_because_someone_else_failed() {
    let fx = Fixture::new();
    let wrong = basic(FAST, "not-the-secret");
    let mut statuses = Vec::new();
    for _ in 0..50 {
        statuses.push(from(&fx, ATTACKER, &wrong).await.status);
    }
    assert_eq!(&statuses[..10], &[401; 10]);
    assert!(statuses[10..].iter().all(|s| *s == 429), "{statuses:?}");
    let right = basic(FAST, fx.fast_secret.expose_secret());
    // From elsewhere, and even from the attacker's own address.
    assert_token(&from(&fx, REAL, &right).await);
    assert_token(&from(&fx, ATTACKER, &right).await);
    // Without a source, every caller shares the count, and still the right
    // secret goes through.
    for _ in 0..20 {
        fx.post_auth(&wrong, GRANT).await;
    }
    assert_token(&fx.post_auth(&right, GRANT).await);
}

#[tokio::test]
async fn a_request_without_a_credential_counts_as_nothing() {
    let fx = Fixture::new();
    for id in [C1, FAST] {
        for _ in 0..100 {
            let body = format!("{GRANT}&client_id={id}");
            let r = fx
                .send(RequestParts::form_post(body.as_bytes()).source(IpAddr::from(ATTACKER)))
                .await;
            assert_error(&r, 401, "invalid_client");
        }
    }
    // The human-chosen secret of c1 works, from the very same address.
    assert_token(&from(&fx, ATTACKER, &basic(C1, C1_SECRET)).await);
    assert_token(&from(&fx, ATTACKER, &basic(FAST, fx.fast_secret.expose_secret())).await);
}

#[tokio::test]
async fn a_human_chosen_secret_keeps_its_lockout_for_the_failing_source_only() {
    let fx = Fixture::new();
    let wrong = basic(C1, "guess");
    for _ in 0..10 {
        assert_error(&from(&fx, ATTACKER, &wrong).await, 401, "invalid_client");
    }
    // The guessing source is locked out, even with the right secret...
    let r = from(&fx, ATTACKER, &basic(C1, C1_SECRET)).await;
    assert_error(&r, 429, "invalid_client");
    assert_eq!(r.header("retry-after"), Some("60"));
    // ...and another caller is not.
    assert_token(&from(&fx, REAL, &basic(C1, C1_SECRET)).await);
}

#[tokio::test]
async fn many_sources_together_lock_a_human_chosen_secret_at_the_client_ceiling() {
    let fx = Fixture::new();
    let wrong = basic(C1, "guess");
    for i in 0..100u8 {
        let r = from(&fx, [198, 51, 100, i], &wrong).await;
        assert_error(&r, 401, "invalid_client");
    }
    // The documented price of a guessable secret: now everyone waits.
    assert_error(
        &from(&fx, REAL, &basic(C1, C1_SECRET)).await,
        429,
        "invalid_client",
    );
    // A generated secret is not held back by it.
    let fast = basic(FAST, fx.fast_secret.expose_secret());
    assert_token(&from(&fx, REAL, &fast).await);
    fx.advance(60);
    assert_token(&from(&fx, REAL, &basic(C1, C1_SECRET)).await);
}

/// A client store that takes a millisecond, as a database would.
#[derive(Debug)]
struct SlowStore(MemoryClientStore);

impl ClientStore for SlowStore {
    async fn client(&self, id: &ClientId) -> Result<Option<Arc<Client>>, StoreError> {
        tokio::time::sleep(Duration::from_millis(1)).await;
        self.0.client(id).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_guesses_at_a_slow_store_cannot_pass_the_limit_together() {
    let store = SlowStore(MemoryClientStore::from_iter([secret_client(C1, C1_SECRET)
        .build()
        .unwrap()]));
    let issuer = Arc::new(
        Issuer::builder(ISSUER, es256_keys(), store)
            .clock(Arc::new(FixedClock::new(UnixTime::from_secs(NOW))))
            .build()
            .unwrap(),
    );
    let checked = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(tokio::sync::Barrier::new(200));
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let (issuer, checked, start) = (issuer.clone(), checked.clone(), start.clone());
            tokio::spawn(async move {
                let wrong = basic(C1, "guess");
                start.wait().await;
                let r = issuer
                    .handle_token_request(
                        RequestParts::form_post(GRANT.as_bytes())
                            .authorization(&wrong)
                            .source(IpAddr::from(ATTACKER)),
                    )
                    .await;
                // A 401 is a checked secret; a 429 was refused before the hash.
                match r.status {
                    401 => {
                        checked.fetch_add(1, Ordering::Relaxed);
                    }
                    429 => {}
                    other => panic!("unexpected status {other}"),
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let checked = checked.load(Ordering::Relaxed);
    assert!(
        (1..=10).contains(&checked),
        "{checked} secrets checked, limit 10"
    );
}
