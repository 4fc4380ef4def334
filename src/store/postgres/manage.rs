//! The management API: each write and its invalidation notice commit
//! together, so no process misses a change that took effect.

use deadpool_postgres::Transaction;

use crate::store::client::{Client, SecretCredential};
use crate::store::postgres::store::{PostgresClientStore, unix_time_to_column};
use crate::vocab::error::StoreError;
use crate::vocab::extra_claims::ExtraClaims;
use crate::vocab::ids::{ClientId, CredentialId};
use crate::vocab::time::UnixTime;

impl PostgresClientStore {
    /// Registers `client` with its secrets.
    ///
    /// # Errors
    /// The id is taken, the client holds inline keys or `client_secret_jwt`
    /// secrets (not stored: register keys by `jwks_uri`), or the database
    /// fails.
    pub async fn create_client(&self, client: &Client) -> Result<(), StoreError> {
        if client.jwks().is_some() || !client.jwt_secret_keys().is_empty() {
            return Err(StoreError::msg(
                "the PostgreSQL store keeps keys by jwks_uri only, not inline JWK Sets or JWT secrets",
            ));
        }
        let strings = |items: &mut dyn Iterator<Item = &str>| -> Vec<String> {
            items.map(str::to_owned).collect()
        };
        let allowed_scopes = strings(&mut client.allowed_scopes().iter());
        let default_scopes = strings(&mut client.default_scopes().iter());
        let audiences = strings(&mut client.allowed_audiences().iter().map(|a| a.as_str()));
        let default_audience = client.default_audience().map(|a| a.as_str());
        let lifetime = client
            .token_lifetime()
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let methods = strings(&mut client.auth_methods().iter().map(|m| m.as_str()));
        let algorithms: Vec<String> = client
            .assertion_algorithms()
            .iter()
            .map(ToString::to_string)
            .collect();
        let extra_claims = claims_column(client.extra_claims())?;
        let schema = &self.schema;
        self.write(client.id(), async |tx| {
            tx.execute(
                &format!(
                    "INSERT INTO {schema}.clients (id, enabled, client_credentials_grant, \
                     allowed_scopes, default_scopes, allowed_audiences, default_audience, \
                     token_lifetime_secs, auth_methods, assertion_algorithms, jwks_uri, \
                     introspection, extra_claims, dpop_bound_access_tokens) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
                ),
                &[
                    &client.id().as_str(),
                    &client.is_enabled(),
                    &client.allows_client_credentials(),
                    &allowed_scopes,
                    &default_scopes,
                    &audiences,
                    &default_audience,
                    &lifetime,
                    &methods,
                    &algorithms,
                    &client.jwks_uri(),
                    &client.may_introspect(),
                    &extra_claims,
                    &client.requires_dpop(),
                ],
            )
            .await
            .map_err(StoreError::new)?;
            for secret in client.secrets() {
                insert_secret(tx, schema, client.id(), secret).await?;
            }
            Ok(true)
        })
        .await
        .map(|_| ())
    }

    /// Adds a secret to a client (the first step of a rotation); returns
    /// whether the client exists.
    ///
    /// # Errors
    /// The credential id is taken, or the database fails.
    pub async fn add_secret(
        &self,
        client: &ClientId,
        secret: &SecretCredential,
    ) -> Result<bool, StoreError> {
        let schema = &self.schema;
        self.write(client, async |tx| {
            if !client_exists(tx, schema, client).await? {
                return Ok(false);
            }
            insert_secret(tx, schema, client, secret).await?;
            Ok(true)
        })
        .await
    }

    /// Makes a secret stop working at `at` (use now to withdraw it at once);
    /// returns whether it exists.
    ///
    /// # Errors
    /// The database fails.
    pub async fn expire_secret(
        &self,
        client: &ClientId,
        credential: &CredentialId,
        at: UnixTime,
    ) -> Result<bool, StoreError> {
        let schema = &self.schema;
        self.write(client, async |tx| {
            let changed = tx
                .execute(
                    &format!(
                        "UPDATE {schema}.client_secrets SET expires_at = $3 \
                         WHERE client_id = $1 AND credential_id = $2"
                    ),
                    &[
                        &client.as_str(),
                        &credential.as_str(),
                        &unix_time_to_column(at),
                    ],
                )
                .await
                .map_err(StoreError::new)?;
            Ok(changed > 0)
        })
        .await
    }

    /// Deletes a secret; returns whether it existed. A client whose secret
    /// methods are left without any secret no longer reads back (its lookups
    /// fail): add the new secret before removing the last old one.
    ///
    /// # Errors
    /// The database fails.
    pub async fn remove_secret(
        &self,
        client: &ClientId,
        credential: &CredentialId,
    ) -> Result<bool, StoreError> {
        let schema = &self.schema;
        self.write(client, async |tx| {
            let changed = tx
                .execute(
                    &format!(
                        "DELETE FROM {schema}.client_secrets \
                         WHERE client_id = $1 AND credential_id = $2"
                    ),
                    &[&client.as_str(), &credential.as_str()],
                )
                .await
                .map_err(StoreError::new)?;
            Ok(changed > 0)
        })
        .await
    }

    /// Enables or disables a client (a disabled client gets no token);
    /// returns whether it exists.
    ///
    /// # Errors
    /// The database fails.
    pub async fn set_enabled(&self, client: &ClientId, enabled: bool) -> Result<bool, StoreError> {
        self.set_column(client, "enabled", &enabled).await
    }

    /// Allows or forbids a client to introspect tokens (RFC 7662 §4);
    /// returns whether it exists.
    ///
    /// # Errors
    /// The database fails.
    pub async fn set_introspection(
        &self,
        client: &ClientId,
        allowed: bool,
    ) -> Result<bool, StoreError> {
        self.set_column(client, "introspection", &allowed).await
    }

    /// Replaces the extra claims every token of a client carries; returns
    /// whether it exists.
    ///
    /// # Errors
    /// The database fails.
    pub async fn set_extra_claims(
        &self,
        client: &ClientId,
        claims: &ExtraClaims,
    ) -> Result<bool, StoreError> {
        let claims = claims_column(claims)?;
        self.set_column(client, "extra_claims", &claims).await
    }

    /// Deletes a client and its secrets; returns whether it existed.
    ///
    /// # Errors
    /// The database fails.
    pub async fn delete_client(&self, client: &ClientId) -> Result<bool, StoreError> {
        let schema = &self.schema;
        self.write(client, async |tx| {
            let changed = tx
                .execute(
                    &format!("DELETE FROM {schema}.clients WHERE id = $1"),
                    &[&client.as_str()],
                )
                .await
                .map_err(StoreError::new)?;
            Ok(changed > 0)
        })
        .await
    }

    /// Sets one column of a client's row, in a write that notifies; whether
    /// the client exists.
    async fn set_column(
        &self,
        client: &ClientId,
        column: &'static str,
        value: &(dyn tokio_postgres::types::ToSql + Sync),
    ) -> Result<bool, StoreError> {
        let schema = &self.schema;
        self.write(client, async |tx| {
            let changed = tx
                .execute(
                    &format!(
                        "UPDATE {schema}.clients SET {column} = $2, updated_at = now() \
                         WHERE id = $1"
                    ),
                    &[&client.as_str(), value],
                )
                .await
                .map_err(StoreError::new)?;
            Ok(changed > 0)
        })
        .await
    }

    /// Runs `change` in a transaction that also notifies the channel named
    /// after the schema with the client id, when `change` reports a change.
    async fn write(
        &self,
        client: &ClientId,
        change: impl AsyncFnOnce(&Transaction<'_>) -> Result<bool, StoreError>,
    ) -> Result<bool, StoreError> {
        self.config
            .bounded(async {
                let mut connection = self.connection().await?;
                let tx = connection.transaction().await.map_err(StoreError::new)?;
                let changed = change(&tx).await?;
                if changed {
                    tx.execute(
                        "SELECT pg_notify($1, $2)",
                        &[&self.config.schema, &client.as_str()],
                    )
                    .await
                    .map_err(StoreError::new)?;
                }
                tx.commit().await.map_err(StoreError::new)?;
                Ok(changed)
            })
            .await
    }
}

async fn client_exists(
    tx: &Transaction<'_>,
    schema: &str,
    client: &ClientId,
) -> Result<bool, StoreError> {
    let row = tx
        .query_opt(
            &format!("SELECT 1 FROM {schema}.clients WHERE id = $1 FOR UPDATE"),
            &[&client.as_str()],
        )
        .await
        .map_err(StoreError::new)?;
    Ok(row.is_some())
}

async fn insert_secret(
    tx: &Transaction<'_>,
    schema: &str,
    client: &ClientId,
    secret: &SecretCredential,
) -> Result<(), StoreError> {
    tx.execute(
        &format!(
            "INSERT INTO {schema}.client_secrets (client_id, credential_id, hash, expires_at) \
             VALUES ($1, $2, $3, $4)"
        ),
        &[
            &client.as_str(),
            &secret.id().as_str(),
            &secret.hash().to_string(),
            &secret.expiry().map(unix_time_to_column),
        ],
    )
    .await
    .map_err(StoreError::new)?;
    Ok(())
}

/// Extra claims as the `jsonb` column holds them: one JSON object.
fn claims_column(claims: &ExtraClaims) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(claims).map_err(StoreError::new)
}
