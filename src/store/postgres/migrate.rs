//! The shipped schema and how it is brought up to date.

use crate::store::postgres::store::PostgresClientStore;
use crate::vocab::error::StoreError;

/// The migrations, in the order they apply: (version, name, SQL with
/// `{schema}` for the quoted schema). A released migration never changes;
/// a schema change is a new one.
const MIGRATIONS: &[(i32, &str, &str)] = &[
    (
        1,
        "clients",
        include_str!("../../../migrations/postgres/0001_clients.sql"),
    ),
    (
        2,
        "introspection_and_extra_claims",
        include_str!("../../../migrations/postgres/0002_introspection_and_extra_claims.sql"),
    ),
    (
        3,
        "dpop",
        include_str!("../../../migrations/postgres/0003_dpop.sql"),
    ),
];

impl PostgresClientStore {
    /// Creates the schema if needed and applies the migrations it lacks, in
    /// order, each recorded in `schema_migrations`; returns how many it
    /// applied.
    ///
    /// Idempotent, and safe when several processes start at once: they take
    /// a transaction-scoped advisory lock named after the schema, so one
    /// migrates and the others then find nothing left to do. Bounded by the
    /// call timeout, like every call.
    ///
    /// # Errors
    /// The database is unreachable, or a migration fails (then none of this
    /// call's migrations stays applied).
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        self.config.bounded(self.migrate_unbounded()).await
    }

    async fn migrate_unbounded(&self) -> Result<usize, StoreError> {
        let mut connection = self.connection().await?;
        let schema = &self.schema;
        let transaction = connection.transaction().await.map_err(StoreError::new)?;
        transaction
            .execute(
                "SELECT pg_advisory_xact_lock(hashtext('client_credentials migrate ' || $1))",
                &[&self.config.schema],
            )
            .await
            .map_err(StoreError::new)?;
        transaction
            .batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {schema};
                 CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (
                     version integer PRIMARY KEY,
                     name text NOT NULL,
                     applied_at timestamptz NOT NULL DEFAULT now()
                 );"
            ))
            .await
            .map_err(StoreError::new)?;
        let applied: Vec<i32> = transaction
            .query(
                &format!("SELECT version FROM {schema}.schema_migrations"),
                &[],
            )
            .await
            .map_err(StoreError::new)?
            .iter()
            .map(|row| row.get(0))
            .collect();
        let mut count = 0;
        for (version, name, sql) in MIGRATIONS {
            if applied.contains(version) {
                continue;
            }
            transaction
                .batch_execute(&sql.replace("{schema}", schema))
                .await
                .map_err(StoreError::new)?;
            transaction
                .execute(
                    &format!(
                        "INSERT INTO {schema}.schema_migrations (version, name) VALUES ($1, $2)"
                    ),
                    &[version, name],
                )
                .await
                .map_err(StoreError::new)?;
            count += 1;
        }
        transaction.commit().await.map_err(StoreError::new)?;
        Ok(count)
    }
}
