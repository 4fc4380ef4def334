//! The client registry on PostgreSQL (feature `postgres`): a [`ClientStore`]
//! with a shipped, versioned schema, a management API whose every write
//! tells the fleet, and the listener that keeps a [`CachingClientStore`] of
//! every process fresh.
//!
//! The driver is `tokio-postgres`, pooled by `deadpool-postgres`: the pool
//! checks a connection before handing it out and opens a new one in place of
//! a broken one, so a restarted or failed-over database needs no restart of
//! the issuer; and it bounds the wait for a connection, which with the
//! per-call timeout of [`PostgresConfig`] bounds every store call.
//!
//! # Schema
//!
//! The migrations under `migrations/postgres/` in the crate's sources create
//! two tables in the configured schema: `clients` (id, enabled flag, grant
//! flag, allowed and default scopes, allowed and default audiences, token
//! lifetime, authentication methods, assertion algorithms, `jwks_uri`, the
//! introspection flag, and the extra claims as a `jsonb` object) and
//! `client_secrets` (client id, credential id, the secret's
//! [`SecretHash`](crate::SecretHash) in its self-describing text form,
//! never a plaintext secret, and expiry). [`PostgresClientStore::migrate`]
//! applies the missing ones in order and records each in
//! `schema_migrations`.
//!
//! A client's keys are registered by `jwks_uri` only: inline JWK Sets and
//! `client_secret_jwt` secrets are not stored, and
//! [`PostgresClientStore::create_client`] refuses a client that holds them
//! rather than drop them silently.
//!
//! # Staleness
//!
//! Every write of the management API and a `NOTIFY` on the channel named
//! after the schema commit together. A [`PostgresInvalidations`] listener in
//! each process drops the cache entry at once; after a lost connection it
//! drops everything (notifications may have been missed). The cache's TTL
//! bounds staleness when the listener is down.
//!
//! [`ClientStore`]: crate::store::ClientStore
//! [`CachingClientStore`]: crate::store::CachingClientStore

mod config;
mod listen;
mod manage;
mod migrate;
mod store;

pub use self::config::PostgresConfig;
pub use self::listen::PostgresInvalidations;
pub use self::store::PostgresClientStore;
