//! The token server as one replica of a fleet: clients in PostgreSQL (cached,
//! with `LISTEN/NOTIFY` invalidation), replay, revocation and the brute-force
//! throttle in Redis. Every replica started with the same file and URLs
//! serves the same issuer.

use std::sync::Arc;

use client_credentials::store::postgres::{
    PostgresClientStore, PostgresConfig, PostgresInvalidations,
};
use client_credentials::store::redis::{
    RedisConfig, RedisReplayGuard, RedisRevocationConfig, RedisRevocationStore, RedisThrottle,
};
use client_credentials::store::{CachingClientStore, RevocationConfig, ThrottleConfig};
use client_credentials::{Client, ClientStore, Issuer};

use crate::AnyError;
use crate::axum_server::config::ServerConfig;

/// Where the shared stores are: the `[fleet]` table of the config file, or
/// the server's `--redis-url` and `--database-url` flags.
#[derive(Clone, Debug, Default)]
pub struct FleetSettings {
    /// Redis (or Valkey) for replay, revocation and throttle state.
    pub redis_url: Option<String>,
    /// PostgreSQL for the client registry.
    pub database_url: Option<String>,
    /// The first part of every Redis key; the issuer identifier by default.
    pub namespace: Option<String>,
    /// The PostgreSQL schema of the client tables; `client_credentials` by default.
    pub schema: Option<String>,
}

impl FleetSettings {
    /// Whether any shared store is named.
    pub fn is_set(&self) -> bool {
        self.redis_url.is_some() || self.database_url.is_some()
    }
}

/// The issuer of a replica.
pub type FleetIssuer =
    Issuer<Arc<CachingClientStore<PostgresClientStore>>, RedisRevocationStore, RedisReplayGuard>;

/// A running replica's issuer and the tasks that keep its caches fresh.
pub struct Fleet {
    pub issuer: Arc<FleetIssuer>,
    /// The management API on the same database, for tools and tests.
    pub clients: PostgresClientStore,
    _invalidations: PostgresInvalidations,
}

impl Fleet {
    /// Connects to both stores, applies the schema's migrations, registers
    /// the file's clients that the database does not hold yet (replicas
    /// starting at once agree), and builds the issuer.
    ///
    /// # Errors
    /// A URL missing (a fleet needs both stores), a store that cannot be
    /// reached, or a client the PostgreSQL store cannot hold.
    pub async fn start(config: &ServerConfig, settings: &FleetSettings) -> Result<Self, AnyError> {
        let (Some(redis_url), Some(database_url)) = (&settings.redis_url, &settings.database_url)
        else {
            return Err("a fleet needs both --redis-url and --database-url \
                        (or redis_url and database_url in [fleet])"
                .into());
        };
        let mut postgres = PostgresConfig::new(database_url);
        if let Some(schema) = &settings.schema {
            postgres = postgres.schema(schema);
        }
        let store = PostgresClientStore::new(postgres.clone())?;
        store
            .migrate()
            .await
            .map_err(|e| format!("PostgreSQL migrations: {e}"))?;
        for client in config.clients() {
            register(&store, client).await?;
        }
        let cache = Arc::new(CachingClientStore::new(store.clone()));
        let invalidations = PostgresInvalidations::start(&postgres, Arc::clone(&cache))
            .await
            .map_err(|e| format!("PostgreSQL LISTEN: {e}"))?;

        let namespace = settings
            .namespace
            .clone()
            .unwrap_or_else(|| config.issuer_id().to_owned());
        let redis = RedisConfig::new(redis_url, namespace);
        let unreachable = |e| format!("Redis: {e}");
        let replay = RedisReplayGuard::connect(&redis)
            .await
            .map_err(unreachable)?;
        let revocation = RedisRevocationStore::connect(
            &redis,
            RedisRevocationConfig::default(),
            RevocationConfig::default(),
        )
        .await
        .map_err(unreachable)?;
        let throttle = RedisThrottle::connect(&redis, ThrottleConfig::default())
            .await
            .map_err(unreachable)?;

        let issuer = config
            .builder(cache)?
            .replay_guard(replay)
            .revocation_store(revocation)
            .throttle(Arc::new(throttle))
            .build()?;
        Ok(Self {
            issuer: Arc::new(issuer),
            clients: store,
            _invalidations: invalidations,
        })
    }
}

/// Creates `client` unless the database holds it already; a replica that
/// loses the race to another finds it there.
async fn register(store: &PostgresClientStore, client: &Client) -> Result<(), AnyError> {
    if store.client(client.id()).await?.is_some() {
        return Ok(());
    }
    match store.create_client(client).await {
        Err(e) if store.client(client.id()).await?.is_none() => {
            Err(format!("client {:?}: {e}", client.id().as_str()).into())
        }
        _ => Ok(()),
    }
}
