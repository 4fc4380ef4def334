//! The Redis stores against a real Redis (`REDIS_URL`): the store contracts
//! through the conformance kit, and what a fleet of issuers sharing one Redis
//! sees.

mod fixtures;
mod services;

use std::sync::Arc;

use client_credentials::store::redis::{RedisConfig, RedisReplayGuard};
use client_credentials::store::{MemoryClientStore, ReplayCheck};
use client_credentials::testing::check_replay_guard;
use client_credentials::{
    Algorithm, FixedClock, Issuer, KeySet, ReplayGuard, RequestParts, SigningKey, UnixTime,
};
use fixtures::jwt_clients::{es256_assertion_body, es256_jwt_client};
use fixtures::{ISSUER, NOW};
use services::{redis_url, unique_namespace};

async fn guard(test: &str) -> Option<RedisReplayGuard> {
    let url = redis_url()?;
    let config = RedisConfig::new(url, unique_namespace(test));
    Some(
        RedisReplayGuard::connect(&config)
            .await
            .expect("Redis is reachable"),
    )
}

#[tokio::test]
async fn the_redis_replay_guard_keeps_the_contract() {
    let Some(guard) = guard("contract").await else {
        return;
    };
    check_replay_guard(&guard).await;
}

#[tokio::test]
async fn issuers_with_their_own_namespaces_never_collide() {
    let Some(url) = redis_url() else { return };
    let a = RedisReplayGuard::connect(&RedisConfig::new(&url, unique_namespace("a")))
        .await
        .unwrap();
    let b = RedisReplayGuard::connect(&RedisConfig::new(&url, unique_namespace("b")))
        .await
        .unwrap();
    let (until, now) = (
        UnixTime::now().saturating_add(std::time::Duration::from_secs(60)),
        UnixTime::now(),
    );
    assert_eq!(
        a.first_use("c", "k", until, now).await.unwrap(),
        ReplayCheck::FirstUse
    );
    assert_eq!(
        b.first_use("c", "k", until, now).await.unwrap(),
        ReplayCheck::FirstUse
    );
    assert_eq!(
        a.first_use("c", "k", until, now).await.unwrap(),
        ReplayCheck::Replayed
    );
}

#[tokio::test]
async fn an_unreachable_redis_is_a_clean_error_not_a_hang() {
    if redis_url().is_none() {
        return;
    }
    // Nothing listens on port 1.
    let config = RedisConfig::new("redis://127.0.0.1:1", unique_namespace("down"));
    let started = std::time::Instant::now();
    let result = RedisReplayGuard::connect(&config).await;
    assert!(result.is_err());
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

fn issuer_sharing(
    guard: RedisReplayGuard,
) -> Issuer<MemoryClientStore, client_credentials::store::MemoryRevocationStore, RedisReplayGuard> {
    Issuer::builder(
        ISSUER,
        KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0),
        MemoryClientStore::from_iter([es256_jwt_client("cj")]),
    )
    .clock(Arc::new(FixedClock::new(UnixTime::from_secs(NOW))))
    .replay_guard(guard)
    .build()
    .unwrap()
}

fn assertion_request(jti: &str) -> String {
    es256_assertion_body("cj", jti)
}

#[tokio::test]
async fn an_assertion_used_at_one_issuer_is_refused_at_the_other() {
    let Some(url) = redis_url() else { return };
    let namespace = unique_namespace("fleet");
    // Two replicas, each with its own connection to the shared Redis.
    let one = issuer_sharing(
        RedisReplayGuard::connect(&RedisConfig::new(&url, &namespace))
            .await
            .unwrap(),
    );
    let two = issuer_sharing(
        RedisReplayGuard::connect(&RedisConfig::new(&url, &namespace))
            .await
            .unwrap(),
    );
    let body = assertion_request(&unique_namespace("jti"));
    let first = one
        .handle_token_request(RequestParts::form_post(body.as_bytes()))
        .await;
    assert_eq!(first.status, 200);
    let again = two
        .handle_token_request(RequestParts::form_post(body.as_bytes()))
        .await;
    assert_eq!(
        again.status, 401,
        "the replay is refused at the other replica"
    );
    let fresh = assertion_request(&unique_namespace("jti"));
    let other = two
        .handle_token_request(RequestParts::form_post(fresh.as_bytes()))
        .await;
    assert_eq!(other.status, 200);
}

mod revocation {
    use std::time::{Duration, Instant};

    use client_credentials::store::redis::{
        RedisConfig, RedisRevocationConfig, RedisRevocationStore,
    };
    use client_credentials::store::{RevocationConfig, TokenView};
    use client_credentials::testing::check_revocation_store;
    use client_credentials::{ClientId, RevocationStore, UnixTime};

    use super::services::{forget_namespace, redis_url, unique_namespace};

    async fn store(url: &str, namespace: &str) -> RedisRevocationStore {
        RedisRevocationStore::connect(
            &RedisConfig::new(url, namespace),
            RedisRevocationConfig::default(),
            RevocationConfig::default(),
        )
        .await
        .expect("Redis is reachable")
    }

    fn view(jti: &str) -> TokenView<'_> {
        TokenView::new(jti, "c1", Some("s1"), UnixTime::now())
    }

    #[tokio::test]
    async fn the_redis_revocation_store_keeps_the_contract() {
        let Some(url) = redis_url() else { return };
        let namespace = unique_namespace("revocation");
        check_revocation_store(&store(&url, &namespace).await).await;
        forget_namespace(&url, &namespace).await;
    }

    /// Polls `check` every 10 ms for at most `limit`; the time it took.
    async fn within(limit: Duration, mut check: impl AsyncFnMut() -> bool) -> Option<Duration> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if check().await {
                return Some(started.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        None
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_revocation_through_one_process_reaches_the_others_within_the_bound() {
        let Some(url) = redis_url() else { return };
        let namespace = unique_namespace("replication");
        let writer = store(&url, &namespace).await;
        let reader = store(&url, &namespace).await;
        let now = UnixTime::now();
        let expires = now.saturating_add(Duration::from_secs(600));
        writer
            .revoke_token(&ClientId::new("c1").unwrap(), "j1", expires, now)
            .await
            .unwrap();
        assert!(
            writer.is_revoked(&view("j1")).await.unwrap(),
            "at once where written"
        );
        let lag = within(Duration::from_secs(1), async || {
            reader.is_revoked(&view("j1")).await.unwrap()
        })
        .await;
        assert!(
            lag.is_some(),
            "the other process sees it within the 1 s bound"
        );
        assert!(!reader.is_revoked(&view("j2")).await.unwrap());
        // A process started later loads what was written before it.
        let late = store(&url, &namespace).await;
        assert!(late.is_revoked(&view("j1")).await.unwrap());
        // Client cutoffs travel the same way.
        writer
            .revoke_client(&ClientId::new("c1").unwrap(), UnixTime::MAX)
            .await
            .unwrap();
        let lag = within(Duration::from_secs(1), async || {
            reader.is_revoked(&view("any")).await.unwrap()
        })
        .await;
        assert!(lag.is_some());
        forget_namespace(&url, &namespace).await;
    }
}

mod outage {
    use std::process::{Child, Command};
    use std::time::{Duration, Instant};

    use client_credentials::store::redis::{
        RedisConfig, RedisReplayGuard, RedisRevocationConfig, RedisRevocationStore,
    };
    use client_credentials::store::{RevocationConfig, TokenView};
    use client_credentials::{ClientId, ReplayGuard, RequestParts, RevocationStore, UnixTime};

    use super::services::{redis_url, unique_namespace};

    /// A Redis of the test's own, on its own port, persisting to a temporary
    /// directory so that it can be stopped and started again.
    struct OwnRedis {
        port: u16,
        dir: std::path::PathBuf,
        child: Option<Child>,
    }

    impl OwnRedis {
        fn start(port: u16, dir: std::path::PathBuf) -> Self {
            let mut redis = Self {
                port,
                dir,
                child: None,
            };
            redis.resume();
            redis
        }

        fn url(&self) -> String {
            format!("redis://127.0.0.1:{}", self.port)
        }

        fn resume(&mut self) {
            let child = Command::new("redis-server")
                .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
                .args([
                    "--appendonly",
                    "yes",
                    "--appendfsync",
                    "always",
                    "--save",
                    "",
                ])
                .arg("--dir")
                .arg(&self.dir)
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("redis-server runs");
            self.child = Some(child);
            let started = Instant::now();
            while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                assert!(
                    started.elapsed() < Duration::from_secs(10),
                    "redis-server starts"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }

        fn stop(&mut self) {
            if let Some(mut child) = self.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }

    impl Drop for OwnRedis {
        fn drop(&mut self) {
            self.stop();
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    fn view(jti: &str) -> TokenView<'_> {
        TokenView::new(jti, "c1", Some("s1"), UnixTime::now())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_outage_fails_closed_and_everything_recovers_without_a_restart() {
        // The shared Redis must exist for CI to run this; the test uses its own.
        if redis_url().is_none() {
            return;
        }
        let dir = std::env::temp_dir().join(unique_namespace("redis-outage").replace(':', "-"));
        std::fs::create_dir_all(&dir).unwrap();
        let mut redis = OwnRedis::start(free_port(), dir);
        let config = RedisConfig::new(redis.url(), "outage");
        let store = RedisRevocationStore::connect(
            &config,
            RedisRevocationConfig::default(),
            RevocationConfig::default(),
        )
        .await
        .unwrap();
        let guard = RedisReplayGuard::connect(&config).await.unwrap();
        let issuer = super::issuer_sharing(guard.clone());
        let c1 = ClientId::new("c1").unwrap();
        let now = UnixTime::now();
        let later = now.saturating_add(Duration::from_secs(600));
        store.revoke_token(&c1, "before", later, now).await.unwrap();
        assert!(store.is_revoked(&view("before")).await.unwrap());

        redis.stop();
        // Within the freshness bound and a poll, every lookup fails closed.
        let started = Instant::now();
        loop {
            if store.is_revoked(&view("anything")).await.is_err() {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(3), "fails closed");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(store.revoke_token(&c1, "during", later, now).await.is_err());
        let replay = guard.first_use("c1", "k", later, now).await;
        assert!(
            replay.is_err(),
            "the replay guard refuses rather than guesses"
        );
        // The token endpoint answers a documented outage, never a token that
        // skipped the replay check.
        let body = super::assertion_request(&unique_namespace("during"));
        let r = issuer
            .handle_token_request(RequestParts::form_post(body.as_bytes()))
            .await;
        assert_eq!((r.status, r.header("retry-after")), (503, Some("1")));

        redis.resume();
        let started = Instant::now();
        loop {
            if let Ok(revoked) = store.is_revoked(&view("before")).await {
                assert!(revoked, "what was revoked before the outage still is");
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "recovers by itself"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(!store.is_revoked(&view("fresh")).await.unwrap());
        let started = Instant::now();
        while guard.first_use("c1", "k2", later, now).await.is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the guard recovers"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let body = super::assertion_request(&unique_namespace("after"));
        let r = issuer
            .handle_token_request(RequestParts::form_post(body.as_bytes()))
            .await;
        assert_eq!(r.status, 200, "tokens again once Redis is back");
    }
}
