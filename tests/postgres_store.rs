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
    Algorithm, Audience, Client, ClientId, ClientJwks, ClientSecret, CredentialId, ExtraClaims,
    Issuer, KeySet, RequestParts, ScopeSet, SecretCredential, SecretHash, SigningKey, UnixTime,
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
    assert_eq!(applied, 3, "one process applied every migration");
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
async fn the_introspection_flag_and_extra_claims_read_back_and_change() {
    let Some(url) = database_url() else { return };
    let schema = Schema::new(&url, "claims");
    let store = schema.store().await;
    let secret = ClientSecret::new("a-generated-secret-of-enough-length");
    let plain = secret_client("plain", &secret);
    store.create_client(&plain).await.unwrap();
    let plain = store.client(&id("plain")).await.unwrap().unwrap();
    assert!(!plain.may_introspect(), "not allowed by default");
    assert!(plain.extra_claims().is_empty());

    let claims = ExtraClaims::new()
        .with("tenant", "acme")
        .unwrap()
        .with("limits", &serde_json::json!({"rpm": 60}))
        .unwrap();
    let marked = Client::builder(id("rs"))
        .secret(SecretCredential::new(
            CredentialId::new("s1").unwrap(),
            SecretHash::fast(&secret).unwrap(),
        ))
        .introspection(true)
        .extra_claims(claims)
        .build()
        .unwrap();
    store.create_client(&marked).await.unwrap();
    let read = store.client(&id("rs")).await.unwrap().unwrap();
    assert!(read.may_introspect());
    assert_eq!(
        read.extra_claims()
            .get::<String>("tenant")
            .unwrap()
            .as_deref(),
        Some("acme")
    );
    assert_eq!(read.extra_claims().json("limits"), Some(r#"{"rpm":60}"#));

    assert!(store.set_introspection(&id("rs"), false).await.unwrap());
    let owner = ExtraClaims::new().with("owner", "alice").unwrap();
    assert!(store.set_extra_claims(&id("rs"), &owner).await.unwrap());
    let read = store.client(&id("rs")).await.unwrap().unwrap();
    assert!(!read.may_introspect());
    assert_eq!(read.extra_claims(), &owner);
    assert!(!store.set_introspection(&id("nobody"), true).await.unwrap());

    // A registered claim written behind the store's back does not read back.
    let name = &schema.name;
    schema
        .execute(&format!(
            "UPDATE \"{name}\".clients SET extra_claims = '{{\"sub\": \"x\"}}' WHERE id = 'rs'"
        ))
        .await;
    assert!(store.client(&id("rs")).await.is_err());
}

#[tokio::test]
async fn a_client_registered_before_the_second_migration_may_not_introspect() {
    let Some(url) = database_url() else { return };
    let schema = Schema::new(&url, "upgrade");
    let name = &schema.name;
    let first = include_str!("../migrations/postgres/0001_clients.sql")
        .replace("{schema}", &format!("\"{name}\""));
    schema
        .execute(&format!(
            "CREATE SCHEMA \"{name}\";
             CREATE TABLE \"{name}\".schema_migrations (
                 version integer PRIMARY KEY, name text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now());
             {first}
             INSERT INTO \"{name}\".schema_migrations (version, name) VALUES (1, 'clients');
             INSERT INTO \"{name}\".clients (id, auth_methods, allowed_scopes)
                 VALUES ('old', '{{private_key_jwt}}', '{{mcp:read}}');
             UPDATE \"{name}\".clients SET jwks_uri = 'https://old.example.com/jwks.json';"
        ))
        .await;
    let store = PostgresClientStore::new(schema.config()).unwrap();
    assert_eq!(
        store.migrate().await.unwrap(),
        2,
        "only the later two apply"
    );
    let old = store.client(&id("old")).await.unwrap().unwrap();
    assert!(!old.may_introspect());
    assert!(old.extra_claims().is_empty());
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
    // The writing replica's own cache hears of it the same way.
    let refused_here = within(BOUND, async || one.token_status(&body).await != 200).await;
    assert!(refused_here.is_some(), "the writing replica still issues");

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

/// A PostgreSQL server of the test's own, in a temporary directory and on its
/// own port, so that it can be stopped and started again mid-test. Under
/// root, the server runs as the `postgres` user, as PostgreSQL demands.
struct OwnPostgres {
    bin: std::path::PathBuf,
    dir: std::path::PathBuf,
    port: u16,
}

impl OwnPostgres {
    /// `None` when no PostgreSQL server binaries are installed here.
    fn start() -> Option<Self> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|entry| Some(entry.ok()?.path().join("bin")))
            .filter(|bin| bin.join("initdb").exists())
            .max()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("cc-pg-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let server = Self { bin, dir, port };
        server.chown();
        server.run(
            "initdb",
            &[
                "-D",
                &server.data(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        server.resume();
        Some(server)
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn is_root() -> bool {
        std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| out.stdout.starts_with(b"0\n"))
    }

    fn chown(&self) {
        if Self::is_root() {
            let status = std::process::Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&self.dir)
                .status()
                .unwrap();
            assert!(status.success());
        }
    }

    /// Runs one of the server's programs, as `postgres` under root.
    fn run(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program);
        let mut command = if Self::is_root() {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            std::process::Command::new(program)
        };
        let status = command
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("the PostgreSQL programs run");
        assert!(status.success(), "{args:?}");
    }

    fn resume(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-o",
                &options,
                "-l",
                &log,
                "-w",
                "-t",
                "30",
                "start",
            ],
        );
    }

    fn stop(&self) {
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        );
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = std::process::Command::new(if Self::is_root() { "runuser" } else { "true" })
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["-D", &self.data(), "-m", "immediate", "stop"])
            .output();
        if !Self::is_root() {
            let _ = std::process::Command::new(self.bin.join("pg_ctl"))
                .args(["-D", &self.data(), "-m", "immediate", "stop"])
                .output();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_is_a_clean_503_and_everything_recovers_without_a_restart() {
    // The shared PostgreSQL must exist for CI to run this; the test uses its own.
    if database_url().is_none() {
        return;
    }
    let Some(server) = OwnPostgres::start() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs the PostgreSQL server binaries for the outage test"
        );
        eprintln!("no PostgreSQL server binaries: the outage test did not run");
        return;
    };
    let schema = Schema::new(&server.url(), "outage");
    let mut config = schema.config();
    config.call_timeout = Duration::from_millis(500);
    config.connect_timeout = Duration::from_millis(300);
    let store = PostgresClientStore::new(config.clone()).unwrap();
    store.migrate().await.unwrap();
    let cached = ClientSecret::new("a-generated-secret-cached-before-the-outage");
    let uncached = ClientSecret::new("a-generated-secret-never-looked-up-before");
    store
        .create_client(&secret_client("cached", &cached))
        .await
        .unwrap();
    store
        .create_client(&secret_client("uncached", &uncached))
        .await
        .unwrap();
    let cache = Arc::new(CachingClientStore::new(store.clone()));
    let _invalidations = PostgresInvalidations::start(&config, Arc::clone(&cache))
        .await
        .unwrap();
    let issuer = Issuer::builder(
        ISSUER,
        KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0),
        Arc::clone(&cache),
    )
    .build()
    .unwrap();
    let body = |client: &str, secret: &ClientSecret| {
        format!(
            "grant_type=client_credentials&client_id={client}&client_secret={}",
            secret.expose_secret()
        )
    };
    let token = async |body: &str| {
        issuer
            .handle_token_request(RequestParts::form_post(body.as_bytes()))
            .await
    };
    let warm = within(BOUND, async || {
        token(&body("cached", &cached)).await.status == 200 && !cache.is_empty()
    })
    .await;
    assert!(warm.is_some(), "the cache holds the first client");

    server.stop();
    // A lookup that needs the database answers a documented outage within
    // the call timeout: 503 with Retry-After, never a token, never a hang.
    let started = Instant::now();
    let during = token(&body("uncached", &uncached)).await;
    assert_eq!(
        (during.status, during.header("retry-after")),
        (503, Some("1"))
    );
    assert!(!String::from_utf8_lossy(&during.body).contains("access_token"));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    // The management API fails cleanly too: nothing was written.
    assert!(store.set_enabled(&id("cached"), false).await.is_err());
    // The listener's connection is gone: the cache forgets everything, so no
    // record that a missed notice would have changed outlives the outage.
    let forgot = within(BOUND, async || cache.is_empty()).await;
    assert!(forgot.is_some(), "a lost listener empties the cache");
    let cached_during = token(&body("cached", &cached)).await;
    assert_eq!(cached_during.status, 503);

    server.resume();
    let back = within(Duration::from_secs(20), async || {
        token(&body("uncached", &uncached)).await.status == 200
    })
    .await;
    assert!(back.is_some(), "tokens again once the database is back");
    assert_eq!(token(&body("cached", &cached)).await.status, 200);
    // Invalidations flow again: a client disabled now is refused in time.
    let disabled = within(Duration::from_secs(10), async || {
        store.set_enabled(&id("cached"), false).await.is_ok()
    })
    .await;
    assert!(disabled.is_some());
    let refused = within(BOUND * 3, async || {
        token(&body("cached", &cached)).await.status != 200
    })
    .await;
    assert!(
        refused.is_some(),
        "a client disabled after the outage is refused"
    );
}
