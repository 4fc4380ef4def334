//! `REDIS_URL=redis://127.0.0.1:6379 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench fleet --features redis,postgres`:
//! what a fleet sharing one Redis pays, against a real Redis.
//!
//! - `fleet jwt_issue`: Redis commands per JWT-client token (the replay
//!   guard's one `SET NX EX`), counted by Redis itself.
//! - `fleet validator`: `Validator::validate` with the Redis-replicated
//!   revocation store against the memory store, both holding the same
//!   revoked `jti`s (1,000,000 by default, `FLEET_REVOKED` to change),
//!   interleaved in one run.
//! - `fleet replication`: from a revocation through one process to a
//!   validator's refusal in another, p50 and p99.
//! - `fleet secret_issue` (with `DATABASE_URL` and the feature `postgres`
//!   too): a secret client's token from an issuer on the stores the fleet
//!   example runs on (clients in PostgreSQL behind the cache, replay,
//!   revocation and throttle on Redis) against one on the memory stores,
//!   interleaved in one run, and the Redis commands each such token costs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use client_credentials::issuer::JWT_BEARER_ASSERTION_TYPE;
use client_credentials::jose::JwkSet;
use client_credentials::store::postgres::{
    PostgresClientStore, PostgresConfig, PostgresInvalidations,
};
use client_credentials::store::redis::{
    RedisConfig, RedisReplayGuard, RedisRevocationConfig, RedisRevocationStore, RedisThrottle,
};
use client_credentials::store::{
    CachingClientStore, MemoryClientStore, MemoryRevocationStore, RevocationConfig, ThrottleConfig,
    TokenView,
};
use client_credentials::{
    Algorithm, Audience, Client, ClientId, ClientJwks, ClientSecret, CredentialId, Issuer, KeySet,
    RequestParts, RevocationStore, ScopeSet, SecretCredential, SecretHash, SigningKey, UnixTime,
};
use futures_util::future::join_all;

mod common;
#[path = "support/validate_ratios.rs"]
#[allow(dead_code)]
mod validate_ratios;

use common::measure::{cpu_time, interleaved, ops_per_sec, scaled};
use common::{ISSUER, ready};
use validate_ratios::{Jtis, Minter, bench_now};

fn main() {
    let Ok(url) = std::env::var("REDIS_URL") else {
        println!("fleet: REDIS_URL is not set; run with REDIS_URL=redis://127.0.0.1:6379");
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let namespace = format!("cc-bench:{}:{}", std::process::id(), bench_now().as_secs());
    let wanted = |name: &str| {
        std::env::args()
            .skip(1)
            .all(|a| a.starts_with('-') || name.contains(&a))
    };
    if wanted("fleet jwt_issue") {
        runtime.block_on(jwt_issue(&url, &namespace));
    }
    if wanted("fleet validator") {
        validator(&runtime, &url, &namespace);
    }
    if wanted("fleet replication") {
        runtime.block_on(replication(&url, &namespace));
    }
    if wanted("fleet secret_issue") {
        match std::env::var("DATABASE_URL") {
            Ok(database) => secret_issue(&runtime, &url, &database, &namespace),
            Err(_) => println!("fleet secret_issue: DATABASE_URL is not set"),
        }
    }
    runtime.block_on(forget(&url, &namespace));
}

/// Deletes every key the run wrote.
async fn forget(url: &str, namespace: &str) {
    let client = redis::Client::open(url).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("*{namespace}:*"))
        .query_async(&mut connection)
        .await
        .unwrap();
    for key in keys {
        let _: () = redis::cmd("DEL")
            .arg(key)
            .query_async(&mut connection)
            .await
            .unwrap();
    }
}

async fn commands_processed(url: &str) -> u64 {
    let client = redis::Client::open(url).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let info: String = redis::cmd("INFO")
        .arg("stats")
        .query_async(&mut connection)
        .await
        .unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("total_commands_processed:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

async fn jwt_issue(url: &str, namespace: &str) {
    let (key, pem) = SigningKey::generate(Algorithm::ES256).unwrap();
    let jwk = key.public_jwk().unwrap();
    let client = Client::builder(ClientId::new("cj").unwrap())
        .jwks(ClientJwks::from_jwk_set(&JwkSet { keys: vec![jwk] }).unwrap())
        .allowed_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_audience(Audience::new("https://mcp.example.com/mcp").unwrap())
        .build()
        .unwrap();
    let guard = RedisReplayGuard::connect(&RedisConfig::new(url, format!("{namespace}:jwt")))
        .await
        .unwrap();
    let issuer = Issuer::builder(
        ISSUER,
        KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0),
        MemoryClientStore::from_iter([client]),
    )
    .replay_guard(guard)
    .build()
    .unwrap();
    let encoding = jsonwebtoken::EncodingKey::from_ec_der(&common::pem_body(pem.expose_secret()));
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some(key.kid().to_owned());
    let now = UnixTime::now().as_secs();
    let tokens = 200;
    let bodies: Vec<String> = (0..tokens)
        .map(|i| {
            let claims = serde_json::json!({
                "iss": "cj", "sub": "cj", "aud": ISSUER,
                "iat": now, "exp": now + 120, "jti": format!("{namespace}-{i}"),
            });
            let assertion = jsonwebtoken::encode(&header, &claims, &encoding).unwrap();
            serde_urlencoded::to_string([
                ("grant_type", "client_credentials"),
                ("client_assertion_type", JWT_BEARER_ASSERTION_TYPE),
                ("client_assertion", assertion.as_str()),
            ])
            .unwrap()
        })
        .collect();
    let before = commands_processed(url).await;
    for body in &bodies {
        let response = issuer
            .handle_token_request(RequestParts::form_post(body.as_bytes()))
            .await;
        assert_eq!(response.status, 200);
    }
    let after = commands_processed(url).await;
    // The second INFO counts itself once.
    let per_token = (after - before - 1) as f64 / tokens as f64;
    println!("fleet jwt_issue ES256 tokens={tokens} redis_commands_per_token={per_token:.2}");
}

fn secret_issue(runtime: &tokio::runtime::Runtime, url: &str, database: &str, namespace: &str) {
    let secret = ClientSecret::generate();
    let client = Client::builder(ClientId::new("cs").unwrap())
        .secret(SecretCredential::new(
            CredentialId::new("s1").unwrap(),
            SecretHash::fast(&secret).unwrap(),
        ))
        .allowed_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_audience(Audience::new("https://mcp.example.com/mcp").unwrap())
        .build()
        .unwrap();
    let key = SigningKey::generate(Algorithm::ES256).unwrap().1;
    let keys = || {
        let pem = key.expose_secret();
        KeySet::new(SigningKey::from_pkcs8_pem(Algorithm::ES256, pem, Some("k1".into())).unwrap())
    };
    let memory = Issuer::builder(
        ISSUER,
        keys(),
        MemoryClientStore::from_iter([client.clone()]),
    )
    .build()
    .unwrap();
    let schema = format!("cc_bench_{}", std::process::id());
    let postgres = PostgresConfig::new(database).schema(&schema);
    let redis = RedisConfig::new(url, format!("{namespace}:secret"));
    let (fleet, store, _invalidations) = runtime.block_on(async {
        let store = PostgresClientStore::new(postgres.clone()).unwrap();
        store.migrate().await.unwrap();
        store.create_client(&client).await.unwrap();
        let cache = Arc::new(CachingClientStore::new(store.clone()));
        let invalidations = PostgresInvalidations::start(&postgres, Arc::clone(&cache))
            .await
            .unwrap();
        let issuer = Issuer::builder(ISSUER, keys(), cache)
            .replay_guard(RedisReplayGuard::connect(&redis).await.unwrap())
            .revocation_store(
                RedisRevocationStore::connect(
                    &redis,
                    RedisRevocationConfig::default(),
                    RevocationConfig::default(),
                )
                .await
                .unwrap(),
            )
            .throttle(Arc::new(
                RedisThrottle::connect(&redis, ThrottleConfig::default())
                    .await
                    .unwrap(),
            ))
            .build()
            .unwrap();
        (issuer, store, invalidations)
    });
    let body = format!(
        "grant_type=client_credentials&client_id=cs&client_secret={}",
        secret.expose_secret()
    );
    let issue = |status: u16| {
        assert_eq!(status, 200);
        1
    };
    // Warm: the first request fills the fleet issuer's client cache.
    runtime.block_on(async {
        let r = fleet
            .handle_token_request(RequestParts::form_post(body.as_bytes()))
            .await;
        issue(r.status);
    });
    let tokens = 200;
    let before = runtime.block_on(commands_processed(url));
    for _ in 0..tokens {
        let r =
            runtime.block_on(fleet.handle_token_request(RequestParts::form_post(body.as_bytes())));
        issue(r.status);
    }
    let after = runtime.block_on(commands_processed(url));
    // Between the two INFOs: the second counts itself, and the stores' own
    // background reads (the revocation poll every 100 ms) run meanwhile.
    let commands = after.saturating_sub(before + 1);
    let iterations = scaled(500);
    let paired = interleaved(
        || {
            cpu_time(iterations, |_| {
                let r = runtime.block_on(
                    memory.handle_token_request(RequestParts::form_post(body.as_bytes())),
                );
                issue(r.status)
            })
        },
        || {
            cpu_time(iterations, |_| {
                let r = runtime
                    .block_on(fleet.handle_token_request(RequestParts::form_post(body.as_bytes())));
                issue(r.status)
            })
        },
    );
    println!(
        "fleet secret_issue ES256 memory {:.0} redis+postgres {:.0} ratio={:.2} redis_commands_during_{tokens}_tokens={commands}",
        ops_per_sec(iterations, paired.medians.0),
        ops_per_sec(iterations, paired.medians.1),
        paired.ratio,
    );
    runtime.block_on(async {
        drop(store);
        let (client, connection) = tokio_postgres::connect(database, tokio_postgres::NoTls)
            .await
            .unwrap();
        let driver = tokio::spawn(connection);
        client
            .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
            .await
            .unwrap();
        drop(client);
        let _ = driver.await;
    });
}

fn validator(runtime: &tokio::runtime::Runtime, url: &str, namespace: &str) {
    let revoked: usize = std::env::var("FLEET_REVOKED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let now = bench_now();
    let expires = now.saturating_add(Duration::from_secs(3_600));
    let jtis = Jtis::random(revoked);
    let mut config = RevocationConfig::default();
    config.max_revoked_tokens = revoked.max(config.max_revoked_tokens);
    let mut redis_config = RedisConfig::new(url, format!("{namespace}:revocation"));
    // Loading a million revocations queues many calls at once.
    redis_config.response_timeout = Duration::from_secs(30);
    let loaded = Instant::now();
    let writer = runtime.block_on(async {
        let writer = RedisRevocationStore::connect(
            &redis_config,
            RedisRevocationConfig::default(),
            config.clone(),
        )
        .await
        .unwrap();
        for chunk in (0..revoked).collect::<Vec<_>>().chunks(500) {
            let (writer, jtis) = (&writer, &jtis);
            let writes = chunk.iter().map(|&i| async move {
                let owner = ClientId::new(format!("c{}", i % 1_000)).unwrap();
                writer.revoke_token(&owner, jtis.get(i), expires, now).await
            });
            for result in join_all(writes).await {
                result.unwrap();
            }
        }
        writer
    });
    let load_secs = loaded.elapsed().as_secs_f64();
    // A validator in another process: its own connection, its replica loaded
    // from Redis.
    let reader = runtime.block_on(async {
        RedisRevocationStore::connect(
            &redis_config,
            RedisRevocationConfig::default(),
            config.clone(),
        )
        .await
        .unwrap()
    });
    drop(writer);
    let memory = MemoryRevocationStore::new(config);
    for i in 0..revoked {
        let owner = ClientId::new(format!("c{}", i % 1_000)).unwrap();
        ready(memory.revoke_token(&owner, jtis.get(i), expires, now)).unwrap();
    }
    let probe = jtis.get(revoked / 2);
    let view = TokenView::new(probe, "c1", None, now);
    assert!(
        ready(reader.is_revoked(&view)).unwrap(),
        "the replica holds them all"
    );

    let minter = Minter::new(Algorithm::ES256);
    let tokens: Vec<String> = (0..scaled(1_000).max(8)).map(|_| minter.token()).collect();
    let with_memory = minter.validator(Arc::new(memory));
    let with_redis = minter.validator(Arc::new(reader));
    let iterations = scaled(500);
    let paired = interleaved(
        || {
            cpu_time(iterations, |i| {
                let token = &tokens[i % tokens.len()];
                usize::from(ready(with_memory.validate(token, now)).is_ok())
            })
        },
        || {
            cpu_time(iterations, |i| {
                let token = &tokens[i % tokens.len()];
                usize::from(ready(with_redis.validate(token, now)).is_ok())
            })
        },
    );
    println!(
        "fleet validator ES256 revoked={revoked} memory {:.0} redis {:.0} ratio={:.2} load_secs={load_secs:.1}",
        ops_per_sec(iterations, paired.medians.0),
        ops_per_sec(iterations, paired.medians.1),
        paired.ratio,
    );
}

async fn replication(url: &str, namespace: &str) {
    let config = RedisConfig::new(url, format!("{namespace}:replication"));
    let writer = RedisRevocationStore::connect(
        &config,
        RedisRevocationConfig::default(),
        RevocationConfig::default(),
    )
    .await
    .unwrap();
    let reader = RedisRevocationStore::connect(
        &config,
        RedisRevocationConfig::default(),
        RevocationConfig::default(),
    )
    .await
    .unwrap();
    let owner = ClientId::new("c1").unwrap();
    let mut lags = Vec::new();
    for i in 0..200 {
        let jti = format!("lag-{i}");
        let now = UnixTime::now();
        let started = Instant::now();
        writer
            .revoke_token(
                &owner,
                &jti,
                now.saturating_add(Duration::from_secs(600)),
                now,
            )
            .await
            .unwrap();
        let view = TokenView::new(&jti, "c1", None, now);
        while !reader.is_revoked(&view).await.unwrap() {
            assert!(started.elapsed() < Duration::from_secs(5));
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        lags.push(started.elapsed());
    }
    lags.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    println!(
        "fleet replication revocations=200 p50={:.1}ms p99={:.1}ms poll_interval=100ms",
        ms(lags[lags.len() / 2]),
        ms(lags[lags.len() * 99 / 100]),
    );
}
