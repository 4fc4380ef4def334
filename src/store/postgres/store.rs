//! [`PostgresClientStore`]: the lookup, in one query.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;
use tokio_postgres::Row;

use crate::jose::algorithm::Algorithm;
use crate::store::client::{Client, SecretCredential};
use crate::store::client_store::ClientStore;
use crate::store::postgres::config::PostgresConfig;
use crate::vocab::audience::Audience;
use crate::vocab::error::StoreError;
use crate::vocab::extra_claims::ExtraClaims;
use crate::vocab::ids::{AuthMethod, ClientId, CredentialId};
use crate::vocab::scope::ScopeSet;
use crate::vocab::secret_hash::SecretHash;
use crate::vocab::time::UnixTime;

/// A [`ClientStore`] over PostgreSQL; cheap to clone (the pool is shared).
///
/// Create the tables with [`migrate`](Self::migrate), register clients with
/// the management methods ([`create_client`](Self::create_client) and the
/// others), and put a [`CachingClientStore`](crate::store::CachingClientStore)
/// in front of it on the request path.
#[derive(Clone, Debug)]
pub struct PostgresClientStore {
    pub(crate) config: Arc<PostgresConfig>,
    pub(crate) pool: Pool,
    /// The schema, quoted, ready to prefix table names.
    pub(crate) schema: Arc<str>,
}

impl PostgresClientStore {
    /// A store for `config`. Connections are opened on first use, so this
    /// succeeds while the database is down.
    ///
    /// # Errors
    /// A malformed URL or schema name.
    pub fn new(config: PostgresConfig) -> Result<Self, StoreError> {
        let schema = config.quoted_schema()?;
        let pool = config.pool()?;
        Ok(Self {
            config: Arc::new(config),
            pool,
            schema: schema.into(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &PostgresConfig {
        &self.config
    }

    /// A pooled connection, or a `StoreError` once the wait is over.
    pub(crate) async fn connection(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(StoreError::new)
    }

    async fn lookup(&self, id: &ClientId) -> Result<Option<Arc<Client>>, StoreError> {
        let connection = self.connection().await?;
        let schema = &self.schema;
        let statement = connection
            .prepare_cached(&format!(
                "SELECT c.enabled, c.client_credentials_grant, c.dpop_bound_access_tokens, \
                 c.allowed_scopes, \
                 c.default_scopes, c.allowed_audiences, c.default_audience, \
                 c.token_lifetime_secs, c.auth_methods, c.assertion_algorithms, c.jwks_uri, \
                 c.introspection, c.extra_claims, \
                 s.credential_id, s.hash, s.expires_at \
                 FROM {schema}.clients c \
                 LEFT JOIN {schema}.client_secrets s ON s.client_id = c.id \
                 WHERE c.id = $1 ORDER BY s.credential_id"
            ))
            .await
            .map_err(StoreError::new)?;
        let rows = connection
            .query(&statement, &[&id.as_str()])
            .await
            .map_err(StoreError::new)?;
        if rows.is_empty() {
            return Ok(None);
        }
        client_from_rows(id, &rows).map(|c| Some(Arc::new(c)))
    }
}

impl ClientStore for PostgresClientStore {
    fn client(
        &self,
        id: &ClientId,
    ) -> impl Future<Output = Result<Option<Arc<Client>>, StoreError>> + Send {
        self.config.bounded(self.lookup(id))
    }
}

fn invalid(what: &str) -> StoreError {
    StoreError::msg(format!("a stored client does not read back: {what}"))
}

fn column<'a, T: tokio_postgres::types::FromSql<'a>>(
    row: &'a Row,
    name: &str,
) -> Result<T, StoreError> {
    row.try_get(name).map_err(StoreError::new)
}

/// The client the rows of the lookup describe (one row per secret, or one
/// row with no secret), checked as [`ClientBuilder::build`] checks any.
///
/// [`ClientBuilder::build`]: crate::store::ClientBuilder::build
fn client_from_rows(id: &ClientId, rows: &[Row]) -> Result<Client, StoreError> {
    let first = &rows[0];
    let scopes = |name: &str| -> Result<ScopeSet, StoreError> {
        let values: Vec<String> = column(first, name)?;
        ScopeSet::from_strs(values).map_err(|_| invalid(name))
    };
    let mut builder = Client::builder(id.clone())
        .enabled(column(first, "enabled")?)
        .client_credentials_grant(column(first, "client_credentials_grant")?)
        .dpop_bound_access_tokens(column(first, "dpop_bound_access_tokens")?)
        .allowed_scopes(scopes("allowed_scopes")?)
        .default_scopes(scopes("default_scopes")?);
    for audience in column::<Vec<String>>(first, "allowed_audiences")? {
        builder =
            builder.allowed_audience(Audience::new(audience).map_err(|_| invalid("audience"))?);
    }
    if let Some(audience) = column::<Option<String>>(first, "default_audience")? {
        builder = builder
            .default_audience(Audience::new(audience).map_err(|_| invalid("default audience"))?);
    }
    if let Some(secs) = column::<Option<i64>>(first, "token_lifetime_secs")? {
        let secs = u64::try_from(secs).map_err(|_| invalid("token lifetime"))?;
        builder = builder.token_lifetime(Duration::from_secs(secs));
    }
    let methods = column::<Vec<String>>(first, "auth_methods")?
        .iter()
        .map(|m| m.parse::<AuthMethod>().map_err(|_| invalid("auth method")))
        .collect::<Result<Vec<_>, _>>()?;
    builder = builder.auth_methods(methods);
    let algorithms = column::<Vec<String>>(first, "assertion_algorithms")?
        .iter()
        .map(|a| {
            a.parse::<Algorithm>()
                .map_err(|_| invalid("assertion algorithm"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if !algorithms.is_empty() {
        builder = builder.assertion_algorithms(algorithms);
    }
    if let Some(uri) = column::<Option<String>>(first, "jwks_uri")? {
        builder = builder.jwks_uri(uri);
    }
    builder = builder.introspection(column(first, "introspection")?);
    let serde_json::Value::Object(claims) = column(first, "extra_claims")? else {
        return Err(invalid("extra claims"));
    };
    let mut extra = ExtraClaims::new();
    for (name, value) in &claims {
        extra.insert(name, value).map_err(StoreError::new)?;
    }
    builder = builder.extra_claims(extra);
    for row in rows {
        let Some(credential) = column::<Option<String>>(row, "credential_id")? else {
            continue;
        };
        let credential = CredentialId::new(credential).map_err(|_| invalid("credential id"))?;
        let hash: String = column(row, "hash")?;
        let hash: SecretHash = hash.parse().map_err(|_| invalid("secret hash"))?;
        let mut secret = SecretCredential::new(credential, hash);
        if let Some(at) = column::<Option<i64>>(row, "expires_at")? {
            secret = secret.expires_at(unix_time_from_column(at)?);
        }
        builder = builder.secret(secret);
    }
    builder.build().map_err(StoreError::new)
}

/// A time as the `bigint` column holds it; past `i64::MAX` it saturates, and
/// reads back as [`UnixTime::MAX`], which is as much "never" as the original.
pub(crate) fn unix_time_to_column(at: UnixTime) -> i64 {
    i64::try_from(at.as_secs()).unwrap_or(i64::MAX)
}

fn unix_time_from_column(at: i64) -> Result<UnixTime, StoreError> {
    if at == i64::MAX {
        return Ok(UnixTime::MAX);
    }
    u64::try_from(at)
        .map(UnixTime::from_secs)
        .map_err(|_| invalid("secret expiry"))
}
