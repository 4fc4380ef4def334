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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_throttle_without_redis_counts_locally_and_resumes_when_it_returns() {
        if redis_url().is_none() {
            return;
        }
        let dir = std::env::temp_dir().join(unique_namespace("throttle-outage").replace(':', "-"));
        std::fs::create_dir_all(&dir).unwrap();
        let mut redis = OwnRedis::start(free_port(), dir);
        let secret = client_credentials::ClientSecret::generate();
        let throttles = [
            std::sync::Arc::new(super::throttle::throttle(&redis.url(), "outage", 4).await),
            std::sync::Arc::new(super::throttle::throttle(&redis.url(), "outage", 4).await),
        ];
        let one = super::throttle::replica(&secret, throttles[0].clone());
        let two = super::throttle::replica(&secret, throttles[1].clone());
        use super::throttle::{ATTACKER, attempt};
        use client_credentials::AuthThrottle;
        use client_credentials::store::ThrottleKey;

        redis.stop();
        // No round trip on the success path: the right secret goes through.
        assert_eq!(
            attempt(&one, secret.expose_secret(), ATTACKER).await.status,
            200
        );
        // Failures are counted by each replica on its own meanwhile.
        for _ in 0..4 {
            assert_eq!(attempt(&one, "wrong", ATTACKER).await.status, 401);
        }
        assert_eq!(attempt(&one, "wrong", ATTACKER).await.status, 429);
        assert_eq!(attempt(&two, "wrong", ATTACKER).await.status, 401);

        redis.resume();
        // Back: failures count fleet-wide again, without a restart. Each
        // round is two failures at each replica from a source of its own: only
        // the fleet's count reaches four.
        let started = Instant::now();
        for round in 1u8.. {
            let source = [192, 0, 2, round];
            for issuer in [&one, &two, &one, &two] {
                assert_eq!(attempt(issuer, "wrong", source).await.status, 401);
            }
            let key = ThrottleKey::new("fleet-client", Some(source.into()));
            let locked = || {
                throttles
                    .iter()
                    .all(|t| t.check(key, UnixTime::now()).is_err())
            };
            let waited = Instant::now();
            while !locked() && waited.elapsed() < Duration::from_secs(1) {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            if locked() {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the fleet's count resumes"
            );
        }
    }
}

mod throttle {
    use std::net::IpAddr;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use client_credentials::store::redis::{RedisConfig, RedisThrottle};
    use client_credentials::store::{MemoryClientStore, ThrottleConfig, ThrottleKey};
    use client_credentials::testing::check_throttle;
    use client_credentials::{
        Algorithm, AuthThrottle, Client, ClientId, ClientSecret, CredentialId, HttpResponse,
        Issuer, KeySet, RequestParts, ScopeSet, SecretCredential, SecretHash, SigningKey, UnixTime,
    };

    use super::fixtures::ISSUER;
    use super::fixtures::basic;
    use super::services::{redis_url, unique_namespace};

    pub(super) const ATTACKER: [u8; 4] = [198, 51, 100, 7];
    pub(super) const ELSEWHERE: [u8; 4] = [203, 0, 113, 9];

    fn config(max_failures: u32) -> ThrottleConfig {
        let mut config = ThrottleConfig::default();
        config.max_failures = max_failures;
        config
    }

    pub(super) async fn throttle(url: &str, namespace: &str, max_failures: u32) -> RedisThrottle {
        RedisThrottle::connect(&RedisConfig::new(url, namespace), config(max_failures))
            .await
            .expect("Redis is reachable")
    }

    /// Waits, bounded, for `check` to hold.
    async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
        let started = Instant::now();
        while !check() {
            assert!(started.elapsed() < Duration::from_secs(3), "{what}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    #[tokio::test]
    async fn the_redis_throttle_keeps_the_contract() {
        let Some(url) = redis_url() else { return };
        let throttle = throttle(&url, &unique_namespace("throttle-contract"), 5).await;
        check_throttle(&throttle, 5).await;
    }

    /// An issuer with one client holding a generated secret, and `throttle`.
    pub(super) fn replica(
        secret: &ClientSecret,
        throttle: Arc<RedisThrottle>,
    ) -> Issuer<MemoryClientStore> {
        let client = Client::builder(ClientId::new("fleet-client").unwrap())
            .secret(SecretCredential::new(
                CredentialId::new("s1").unwrap(),
                SecretHash::fast(secret).unwrap(),
            ))
            .allowed_scopes(ScopeSet::from_strs(["read"]).unwrap())
            .default_scopes(ScopeSet::from_strs(["read"]).unwrap())
            .default_audience(client_credentials::Audience::new("https://api.example.com").unwrap())
            .build()
            .unwrap();
        Issuer::builder(
            ISSUER,
            KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0),
            MemoryClientStore::from_iter([client]),
        )
        .throttle(throttle)
        .build()
        .unwrap()
    }

    pub(super) async fn attempt(
        issuer: &Issuer<MemoryClientStore>,
        secret: &str,
        source: [u8; 4],
    ) -> HttpResponse {
        let body = "grant_type=client_credentials";
        issuer
            .handle_token_request(
                RequestParts::form_post(body.as_bytes())
                    .authorization(&basic("fleet-client", secret))
                    .source(IpAddr::from(source)),
            )
            .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn failures_at_two_issuers_count_toward_one_limit() {
        let Some(url) = redis_url() else { return };
        let namespace = unique_namespace("throttle-fleet");
        let secret = ClientSecret::generate();
        // Two replicas, each with its own connections; 4 failures lock a pair.
        let throttles = [
            Arc::new(throttle(&url, &namespace, 4).await),
            Arc::new(throttle(&url, &namespace, 4).await),
        ];
        let one = replica(&secret, throttles[0].clone());
        let two = replica(&secret, throttles[1].clone());
        for issuer in [&one, &two, &one, &two] {
            assert_eq!(attempt(issuer, "wrong", ATTACKER).await.status, 401);
        }
        // Each replica saw two failures, under its own limit; the fleet saw
        // four, and once the lock reached them, both refuse the pair's next
        // guess (a third failure of its own would not lock either).
        for throttle in &throttles {
            eventually("the fleet's lock reaches every replica", || {
                throttle.known_locks() == 1
            })
            .await;
        }
        for issuer in [&one, &two] {
            assert_eq!(attempt(issuer, "wrong", ATTACKER).await.status, 429);
        }
        // The lock is the pair's: the right secret still works, from anywhere,
        // and other callers are not held back.
        for issuer in [&one, &two] {
            assert_eq!(
                attempt(issuer, secret.expose_secret(), ATTACKER)
                    .await
                    .status,
                200
            );
            assert_eq!(attempt(issuer, "wrong", ELSEWHERE).await.status, 401);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_process_started_later_learns_the_locks_already_set() {
        let Some(url) = redis_url() else { return };
        let namespace = unique_namespace("throttle-late");
        let early = throttle(&url, &namespace, 3).await;
        let key = ThrottleKey::new("late-client", Some(IpAddr::from(ATTACKER)));
        let now = UnixTime::now();
        for _ in 0..3 {
            early.record_failure(key, now);
        }
        eventually("the lock is published", || early.known_locks() == 1).await;
        let late = throttle(&url, &namespace, 3).await;
        assert!(late.check(key, now).is_err(), "loaded when it connected");
        // A success forgets the pair fleet-wide, the lock included.
        early.record_success(key, now);
        eventually("the unlock reaches the other process", || {
            late.check(key, now).is_ok()
        })
        .await;
    }
}

mod cluster {
    use std::net::IpAddr;
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use client_credentials::store::redis::{
        RedisConfig, RedisReplayGuard, RedisRevocationConfig, RedisRevocationStore, RedisThrottle,
    };
    use client_credentials::store::{ReplayCheck, RevocationConfig, ThrottleConfig, ThrottleKey};
    use client_credentials::testing::{check_replay_guard, check_revocation_store, check_throttle};
    use client_credentials::{AuthThrottle, ReplayGuard, UnixTime};

    use super::services::{redis_url, unique_namespace};

    /// A three-node Redis Cluster of the test's own, on free ports, in a
    /// temporary directory.
    struct OwnCluster {
        ports: Vec<u16>,
        dir: std::path::PathBuf,
        nodes: Vec<Child>,
    }

    impl OwnCluster {
        fn start() -> Self {
            let dir = std::env::temp_dir().join(unique_namespace("cluster").replace(':', "-"));
            std::fs::create_dir_all(&dir).unwrap();
            let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
            let nodes = ports
                .iter()
                .map(|port| {
                    let node_dir = dir.join(port.to_string());
                    std::fs::create_dir_all(&node_dir).unwrap();
                    Command::new("redis-server")
                        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                        .args([
                            "--cluster-enabled",
                            "yes",
                            "--save",
                            "",
                            "--appendonly",
                            "no",
                        ])
                        .arg("--dir")
                        .arg(&node_dir)
                        .stdout(Stdio::null())
                        .spawn()
                        .expect("redis-server runs")
                })
                .collect();
            let cluster = Self { ports, dir, nodes };
            for port in &cluster.ports {
                let started = Instant::now();
                while std::net::TcpStream::connect(("127.0.0.1", *port)).is_err() {
                    assert!(started.elapsed() < Duration::from_secs(10), "a node starts");
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            let status = Command::new("redis-cli")
                .args(["--cluster", "create"])
                .args(cluster.ports.iter().map(|p| format!("127.0.0.1:{p}")))
                .args(["--cluster-replicas", "0", "--cluster-yes"])
                .stdout(Stdio::null())
                .status()
                .expect("redis-cli runs");
            assert!(status.success(), "the cluster forms");
            // Wait until every node agrees the cluster is up.
            for port in &cluster.ports {
                let started = Instant::now();
                loop {
                    let info = Command::new("redis-cli")
                        .args(["-p", &port.to_string(), "cluster", "info"])
                        .output()
                        .unwrap();
                    if String::from_utf8_lossy(&info.stdout).contains("cluster_state:ok") {
                        break;
                    }
                    assert!(
                        started.elapsed() < Duration::from_secs(20),
                        "the cluster is up"
                    );
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
            cluster
        }

        fn config(&self, namespace: &str) -> RedisConfig {
            RedisConfig::cluster(
                self.ports.iter().map(|p| format!("redis://127.0.0.1:{p}")),
                namespace,
            )
        }
    }

    impl Drop for OwnCluster {
        fn drop(&mut self) {
            for node in &mut self.nodes {
                let _ = node.kill();
                let _ = node.wait();
            }
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_redis_store_keeps_its_contract_on_a_redis_cluster() {
        // The shared Redis must exist for CI to run this; the test uses its own.
        if redis_url().is_none() {
            return;
        }
        let cluster = OwnCluster::start();
        let config = cluster.config("cluster");

        let guard = RedisReplayGuard::connect(&config).await.unwrap();
        check_replay_guard(&guard).await;
        let revocations = RedisRevocationStore::connect(
            &config,
            RedisRevocationConfig::default(),
            RevocationConfig::default(),
        )
        .await
        .unwrap();
        check_revocation_store(&revocations).await;
        let mut limits = ThrottleConfig::default();
        limits.max_failures = 4;
        let throttle = RedisThrottle::connect(&config, limits.clone())
            .await
            .unwrap();
        check_throttle(&throttle, 4).await;

        // Two processes on the cluster share replay and the throttle's count.
        let other_guard = RedisReplayGuard::connect(&config).await.unwrap();
        let now = UnixTime::now();
        let until = now.saturating_add(Duration::from_secs(60));
        for i in 0..20 {
            let key = format!("cluster-jti-{i:0>37}");
            assert_eq!(
                guard.first_use("c", &key, until, now).await.unwrap(),
                ReplayCheck::FirstUse
            );
            assert_eq!(
                other_guard.first_use("c", &key, until, now).await.unwrap(),
                ReplayCheck::Replayed
            );
        }
        let other_throttle = RedisThrottle::connect(&config, limits).await.unwrap();
        let key = ThrottleKey::new("cluster-client", Some(IpAddr::from([192, 0, 2, 99])));
        for _ in 0..2 {
            throttle.record_failure(key, now);
            other_throttle.record_failure(key, now);
        }
        let started = Instant::now();
        while throttle.check(key, now).is_ok() || other_throttle.check(key, now).is_ok() {
            assert!(
                started.elapsed() < Duration::from_secs(3),
                "the cluster's count locks the pair at both"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}
