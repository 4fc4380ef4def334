//! The PostgreSQL client store against a real PostgreSQL (`DATABASE_URL`):
//! the store contract through the conformance kit, directly and behind the
//! cache; the schema's migrations; the management API; what a fleet of
//! issuers sharing one database sees; and a database that cannot be reached.
//! Each test works in a schema of its own, dropped at its end.

mod services;

use std::sync::Arc;
use std::time::{Duration, Instant};

use client_credentials::store::postgres::{
    PostgresClientStore, PostgresConfig, PostgresInvalidations,
};
use client_credentials::store::{CachingClientStore, CachingConfig, ClientStore};
use client_credentials::testing::check_client_store;
use client_credentials::{
    Algorithm, Audience, Client, ClientId, ClientJwks, ClientSecret, CredentialId, Issuer, KeySet,
    RequestParts, ScopeSet, SecretCredential, SecretHash, SigningKey, UnixTime,
};
use services::database_url;

const ISSUER: &str = "https://as.example.com";
const RESOURCE: &str = "https://mcp.example.com/mcp";

/// A schema of its own for one test, dropped when the test ends, even by a
/// failed assertion.
struct Schema {
    url: String,
    name: String,
}

impl Schema {
    fn new(url: &str, test: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        Self {
            url: url.to_owned(),
            name: format!("cc_test_{test}_{}_{nanos}", std::process::id()),
        }
    }

    fn config(&self) -> PostgresConfig {
        PostgresConfig::new(&self.url).schema(&self.name)
    }

    /// A store on a pool of its own, migrated.
    async fn store(&self) -> PostgresClientStore {
        let store = PostgresClientStore::new(self.config()).expect("a valid configuration");
        store.migrate().await.expect("the migrations apply");
        store
    }

    /// Runs `sql` directly, for what the store's API does not do.
    async fn execute(&self, sql: &str) {
        let (client, connection) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .expect("PostgreSQL is reachable");
        let driver = tokio::spawn(connection);
        client.batch_execute(sql).await.expect("the SQL runs");
        drop(client);
        let _ = driver.await;
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let sql = format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.name);
        let url = self.url.clone();
        // A runtime of its own: this may run inside the test's runtime.
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async {
                    if let Ok((client, connection)) =
                        tokio_postgres::connect(&url, tokio_postgres::NoTls).await
                    {
                        let driver = tokio::spawn(connection);
                        let _ = client.batch_execute(&sql).await;
                        drop(client);
                        let _ = driver.await;
                    }
                });
        })
        .join();
    }
}

fn id(s: &str) -> ClientId {
    ClientId::new(s).unwrap()
}

fn secret_client(name: &str, secret: &ClientSecret) -> Client {
    Client::builder(id(name))
        .secret(SecretCredential::new(
            CredentialId::new("s1").unwrap(),
            SecretHash::fast(secret).unwrap(),
        ))
        .allowed_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_audience(Audience::new(RESOURCE).unwrap())
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_postgres_store_keeps_the_client_store_contract() {
    let Some(url) = database_url() else { return };
    let schema = Schema::new(&url, "contract");
    let store = schema.store().await;
    check_client_store(async |clients| {
        for client in &clients {
            store.create_client(client).await.unwrap();
        }
        store.clone()
    })
    .await;
}

#[tokio::test]
async fn the_cache_over_the_postgres_store_keeps_the_client_store_contract() {
    let Some(url) = database_url() else { return };
    let schema = Schema::new(&url, "cached");
    let store = schema.store().await;
    check_client_store(async |clients| {
        for client in &clients {
            store.create_client(client).await.unwrap();
        }
        CachingClientStore::new(store.clone())
    })
    .await;
}

#[tokio::test]
async fn migrations_are_idempotent_and_safe_to_run_at_once() {
    let Some(url) = database_url() else { return };
    let schema = Schema::new(&url, "migrate");
    let stores: Vec<PostgresClientStore> = (0..4)
        .map(|_| PostgresClientStore::new(schema.config()).unwrap())
        .collect();
    let runs = futures_util::future::join_all(stores.iter().map(|s| s.migrate())).await;
    let applied: usize = runs
        .into_iter()
        .map(|r| r.expect("every run succeeds"))
        .sum();
    assert_eq!(applied, 2, "one process applied the two migrations");
    assert_eq!(
        stores[0].migrate().await.unwrap(),
        0,
        "nothing left to apply"
    );
    let secret = ClientSecret::new("a-generated-secret-of-enough-length");
    stores[1]
        .create_client(&secret_client("after-migrations", &secret))
        .await
        .unwrap();
    assert!(
        stores[2]
            .client(&id("after-migrations"))
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn the_management_api_rotates_secrets_and_disables_clients() {
    let Some(url) = database_url() else { return };
    let schema = Schema::new(&url, "manage");
    let store = schema.store().await;
    let old = ClientSecret::new("the-old-generated-secret-of-enough-length");
    let new = ClientSecret::new("the-new-generated-secret-of-enough-length");
    store
        .create_client(&secret_client("rotating", &old))
        .await
        .unwrap();
    assert!(
        store
            .create_client(&secret_client("rotating", &old))
            .await
            .is_err(),
        "an id is registered once"
    );
    let s2 = CredentialId::new("s2").unwrap();
    let s1 = CredentialId::new("s1").unwrap();
    assert!(
        store
            .add_secret(
                &id("rotating"),
                &SecretCredential::new(s2.clone(), SecretHash::fast(&new).unwrap())
            )
            .await
            .unwrap()
    );
    let client = store.client(&id("rotating")).await.unwrap().unwrap();
    assert_eq!(client.secrets().len(), 2);
    let at = UnixTime::from_secs(1_700_000_000);
    assert!(store.expire_secret(&id("rotating"), &s1, at).await.unwrap());
    let client = store.client(&id("rotating")).await.unwrap().unwrap();
    let first = client.secrets().iter().find(|s| s.id() == &s1).unwrap();
    assert_eq!(first.expiry(), Some(at));
    assert!(
        store
            .expire_secret(&id("rotating"), &s2, UnixTime::MAX)
            .await
            .unwrap()
    );
    let client = store.client(&id("rotating")).await.unwrap().unwrap();
    let second = client.secrets().iter().find(|s| s.id() == &s2).unwrap();
    assert_eq!(
        second.expiry(),
        Some(UnixTime::MAX),
        "UnixTime::MAX reads back"
    );
    assert!(second.is_live(UnixTime::from_secs(u64::MAX - 1)));
    assert!(store.remove_secret(&id("rotating"), &s1).await.unwrap());
    assert!(!store.remove_secret(&id("rotating"), &s1).await.unwrap());
    let client = store.client(&id("rotating")).await.unwrap().unwrap();
    assert_eq!(client.secrets().len(), 1);
    assert!(
        client.secrets()[0]
            .hash()
            .verify(new.expose_secret().as_bytes())
    );
    assert!(store.set_enabled(&id("rotating"), false).await.unwrap());
    assert!(
        !store
            .client(&id("rotating"))
            .await
            .unwrap()
            .unwrap()
            .is_enabled()
    );
    assert!(!store.set_enabled(&id("nobody"), false).await.unwrap());
    assert!(store.delete_client(&id("rotating")).await.unwrap());
    assert!(store.client(&id("rotating")).await.unwrap().is_none());
}

#[tokio::test]
async fn c108_a_dpop_only_registration_reads_back() {
    let Some(url) = database_url() else { return };
    let schema = Schema::new(&url, "dpop");
    let store = schema.store().await;
    let secret = ClientSecret::new("a-generated-secret-of-enough-length");
    let dpop_only = Client::builder(id("dpop-only"))
        .secret(SecretCredential::new(
            CredentialId::new("s1").unwrap(),
            SecretHash::fast(&secret).unwrap(),
        ))
        .dpop_bound_access_tokens(true)
        .build()
        .unwrap();
    store.create_client(&dpop_only).await.unwrap();
    store
        .create_client(&secret_client("plain", &secret))
        .await
        .unwrap();
    let read = store.client(&id("dpop-only")).await.unwrap().unwrap();
    assert!(read.requires_dpop());
    let read = store.client(&id("plain")).await.unwrap().unwrap();
    assert!(!read.requires_dpop());
}

#[tokio::test]
async fn a_row_that_is_not_a_valid_client_is_a_store_error() {
    let Some(url) = database_url() else { return };
    let schema = Schema::new(&url, "corrupt");
    let store = schema.store().await;
    let name = &schema.name;
    schema
        .execute(&format!(
            "INSERT INTO \"{name}\".clients (id, auth_methods) VALUES ('bad-method', '{{bogus}}');
             INSERT INTO \"{name}\".clients (id, auth_methods) VALUES ('no-secret', '{{client_secret_basic}}');
             INSERT INTO \"{name}\".clients (id, auth_methods) VALUES ('bad-hash', '{{client_secret_basic}}');
             INSERT INTO \"{name}\".client_secrets (client_id, credential_id, hash) VALUES ('bad-hash', 's1', 'plaintext');"
        ))
        .await;
    for bad in ["bad-method", "no-secret", "bad-hash"] {
        assert!(store.client(&id(bad)).await.is_err(), "{bad} is an error");
    }
}

#[tokio::test]
async fn inline_keys_are_refused_rather_than_dropped() {
    let Some(url) = database_url() else { return };
    let schema = Schema::new(&url, "inline");
    let store = schema.store().await;
    let jwks = KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0).jwks_json();
    let client = Client::builder(id("inline"))
        .jwks(ClientJwks::from_json(&jwks).unwrap())
        .build()
        .unwrap();
    assert!(store.create_client(&client).await.is_err());
    assert!(store.client(&id("inline")).await.unwrap().is_none());
}

#[tokio::test]
async fn an_unreachable_database_is_a_store_error_within_the_timeout() {
    if database_url().is_none() {
        return;
    }
    // Nothing listens on port 1.
    let mut config = PostgresConfig::new("postgres://postgres@127.0.0.1:1/test");
    config.call_timeout = Duration::from_millis(500);
    config.connect_timeout = Duration::from_millis(300);
    let store = PostgresClientStore::new(config.clone()).unwrap();
    let started = Instant::now();
    assert!(store.client(&id("anyone")).await.is_err());
    assert!(store.migrate().await.is_err());
    assert!(store.set_enabled(&id("anyone"), false).await.is_err());
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let cache = Arc::new(CachingClientStore::new(store));
    assert!(PostgresInvalidations::start(&config, cache).await.is_err());
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

/// One replica: its own pool, its cache, its listener, its issuer.
struct Replica {
    store: PostgresClientStore,
    cache: Arc<CachingClientStore<PostgresClientStore>>,
    issuer: Issuer<Arc<CachingClientStore<PostgresClientStore>>>,
    _invalidations: PostgresInvalidations,
}

impl Replica {
    async fn start(schema: &Schema) -> Self {
        let store = schema.store().await;
        // A TTL far past the bound: only the pushed invalidation can make
        // the change visible in time.
        let mut config = CachingConfig::default();
        config.ttl = Duration::from_secs(600);
        config.negative_ttl = Duration::from_secs(600);
        let cache = Arc::new(CachingClientStore::with_config(store.clone(), config));
        let invalidations = PostgresInvalidations::start(&schema.config(), Arc::clone(&cache))
            .await
            .expect("the listener connects");
        let issuer = Issuer::builder(
            ISSUER,
            KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0),
            Arc::clone(&cache),
        )
        .build()
        .unwrap();
        Self {
            store,
            cache,
            issuer,
            _invalidations: invalidations,
        }
    }

    async fn token_status(&self, body: &str) -> u16 {
        let response = self
            .issuer
            .handle_token_request(RequestParts::form_post(body.as_bytes()))
            .await;
        let status = response.status;
        if status == 200 {
            assert!(String::from_utf8_lossy(&response.body).contains("access_token"));
        } else {
            assert!(!String::from_utf8_lossy(&response.body).contains("access_token"));
        }
        status
    }
}

/// Polls `check` until it holds or `limit` passes; how long it took.
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

/// How soon a change made through one replica must reach the other.
const BOUND: Duration = Duration::from_secs(2);

#[tokio::test]
async fn a_client_disabled_through_one_replica_gets_no_token_from_the_other_within_the_bound() {
    let Some(url) = database_url() else { return };
    let schema = Schema::new(&url, "fleet");
    let one = Replica::start(&schema).await;
    let two = Replica::start(&schema).await;
    let secret = ClientSecret::new("a-generated-fleet-secret-of-enough-length");
    one.store
        .create_client(&secret_client("fleet-client", &secret))
        .await
        .unwrap();
    let body = format!(
        "grant_type=client_credentials&client_id=fleet-client&client_secret={}",
        secret.expose_secret()
    );
    // Both replicas have the client cached as enabled.
    assert_eq!(one.token_status(&body).await, 200);
    assert_eq!(two.token_status(&body).await, 200);

    assert!(
        one.store
            .set_enabled(&id("fleet-client"), false)
            .await
            .unwrap()
    );
    let refused = within(BOUND, async || two.token_status(&body).await != 200).await;
    assert!(
        refused.is_some(),
        "the other replica still issues after {BOUND:?}"
    );
    eprintln!("a disabled client was refused by the other replica after {refused:?}");
    assert_ne!(one.token_status(&body).await, 200);

    // Rotation: a new secret added through the second replica works at the
    // first, and the old one, withdrawn, stops working there.
    assert!(
        two.store
            .set_enabled(&id("fleet-client"), true)
            .await
            .unwrap()
    );
    let enabled = within(BOUND, async || one.token_status(&body).await == 200).await;
    assert!(enabled.is_some(), "re-enabling reaches the first replica");
    let new = ClientSecret::new("a-rotated-fleet-secret-of-enough-length");
    two.store
        .add_secret(
            &id("fleet-client"),
            &SecretCredential::new(
                CredentialId::new("s2").unwrap(),
                SecretHash::fast(&new).unwrap(),
            ),
        )
        .await
        .unwrap();
    two.store
        .expire_secret(
            &id("fleet-client"),
            &CredentialId::new("s1").unwrap(),
            UnixTime::from_secs(1),
        )
        .await
        .unwrap();
    let new_body = format!(
        "grant_type=client_credentials&client_id=fleet-client&client_secret={}",
        new.expose_secret()
    );
    let rotated = within(BOUND, async || {
        one.token_status(&new_body).await == 200 && one.token_status(&body).await != 200
    })
    .await;
    assert!(rotated.is_some(), "the rotation reaches the first replica");
}

#[tokio::test]
async fn the_listener_reconnects_after_a_lost_connection_and_forgets_everything() {
    let Some(url) = database_url() else { return };
    let schema = Schema::new(&url, "reconnect");
    let replica = Replica::start(&schema).await;
    let secret = ClientSecret::new("a-generated-secret-of-enough-length");
    replica
        .store
        .create_client(&secret_client("listened", &secret))
        .await
        .unwrap();
    let listened = id("listened");
    // The creation's own notice may empty the cache after a first lookup:
    // look up until the entry stays.
    let filled = within(BOUND, async || {
        assert!(replica.cache.client(&listened).await.unwrap().is_some());
        tokio::time::sleep(Duration::from_millis(50)).await;
        !replica.cache.is_empty()
    })
    .await;
    assert!(filled.is_some(), "the cache holds the client");

    // Cut the listener's connection from the server side, once it listens.
    let listen = format!("LISTEN \"{}\"", schema.name);
    let (admin, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let admin_driver = tokio::spawn(connection);
    let count = format!("SELECT count(*) FROM pg_stat_activity WHERE query = '{listen}'");
    let listening = within(Duration::from_secs(10), async || {
        let row = admin.query_one(count.as_str(), &[]).await.unwrap();
        row.get::<_, i64>(0) > 0
    })
    .await;
    assert!(listening.is_some(), "the listener listens");
    let terminate =
        format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = '{listen}'");
    schema.execute(&terminate).await;
    drop(admin);
    admin_driver.abort();
    let forgot = within(BOUND, async || replica.cache.is_empty()).await;
    assert!(forgot.is_some(), "a lost connection empties the cache");

    // Once it listens again, changes reach the cache again.
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let driver = tokio::spawn(connection);
    let back = within(Duration::from_secs(10), async || {
        let rows = client
            .query(
                "SELECT 1 FROM pg_stat_activity WHERE query = $1",
                &[&listen],
            )
            .await
            .unwrap();
        !rows.is_empty()
    })
    .await;
    drop(client);
    let _ = driver.await;
    assert!(back.is_some(), "the listener reconnects");
    assert!(
        replica
            .cache
            .client(&listened)
            .await
            .unwrap()
            .unwrap()
            .is_enabled()
    );
    let other = schema.store().await;
    assert!(other.set_enabled(&listened, false).await.unwrap());
    let refused = within(BOUND, async || {
        !replica
            .cache
            .client(&listened)
            .await
            .unwrap()
            .unwrap()
            .is_enabled()
    })
    .await;
    assert!(
        refused.is_some(),
        "a change after the reconnection is pushed"
    );
}
