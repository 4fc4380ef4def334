//! The client registry interface, [`ClientStore`], and its in-memory
//! implementation.

use std::collections::HashMap;
use std::future::{Future, ready};
use std::sync::{Arc, RwLock};

use crate::store::client::Client;
use crate::vocab::error::StoreError;
use crate::vocab::ids::ClientId;

/// Where the issuer finds registered clients: the one interface to implement to
/// keep clients in PostgreSQL, Redis or anything else.
///
/// # Contract
/// - `client` returns the client registered under `id`, or `None`; it must not
///   match ids loosely (case-folding, trimming): ids are compared exactly.
/// - An `Err` is a backend failure; the requester sees `server_error` and nothing
///   of the error itself.
/// - Return the secrets' *hashes* only: plaintext never needs to be stored.
///
/// Run `testing::check_client_store` (feature `testing`) against an
/// implementation of your own; the feature `postgres` ships one.
///
/// # Example
///
/// A store over your own database, which the issuer asks for one client per
/// request; store `SecretHash::fast` or `SecretHash::pbkdf2_default` as a
/// string, never the secret:
///
/// ```
/// use std::{collections::HashMap, sync::Arc};
/// use client_credentials::{Audience, Client, ClientId, ClientStore, CredentialId};
/// use client_credentials::{ScopeSet, SecretCredential, StoreError};
///
/// struct Row { secret_id: String, secret_hash: String, scopes: String, audience: String }
/// struct Db(HashMap<String, Row>); // stands in for your connection pool
///
/// impl ClientStore for Db {
///     async fn client(&self, id: &ClientId) -> Result<Option<Arc<Client>>, StoreError> {
///         // A real store runs `select … where id = $1` here, errors through `StoreError::new`.
///         let Some(row) = self.0.get(id.as_str()) else { return Ok(None) };
///         // A row that makes no valid client is a store failure (`server_error`).
///         let secret = SecretCredential::new(
///             CredentialId::new(row.secret_id.as_str()).map_err(StoreError::new)?,
///             row.secret_hash.parse().map_err(StoreError::new)?,
///         );
///         let client = Client::builder(id.clone())
///             .secret(secret)
///             .allowed_scopes(ScopeSet::parse(&row.scopes).ok_or_else(|| StoreError::msg("bad scopes"))?)
///             .default_audience(Audience::new(row.audience.as_str()).map_err(StoreError::new)?)
///             .build()
///             .map_err(StoreError::new)?;
///         Ok(Some(Arc::new(client)))
///     }
/// }
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let hash = client_credentials::SecretHash::fast(&client_credentials::ClientSecret::generate())?.to_string();
/// # let row = Row { secret_id: "s1".into(), secret_hash: hash, scopes: "a b".into(), audience: "https://a.example".into() };
/// # let db = Db(HashMap::from([("job".to_string(), row)]));
/// # assert!(db.client(&ClientId::new("job")?).await?.is_some() && db.client(&ClientId::new("x")?).await?.is_none());
/// # Ok(()) }
/// ```
pub trait ClientStore: Send + Sync {
    /// Looks up a client by id.
    fn client(
        &self,
        id: &ClientId,
    ) -> impl Future<Output = Result<Option<Arc<Client>>, StoreError>> + Send;
}

impl<T: ClientStore + ?Sized> ClientStore for Arc<T> {
    fn client(
        &self,
        id: &ClientId,
    ) -> impl Future<Output = Result<Option<Arc<Client>>, StoreError>> + Send {
        (**self).client(id)
    }
}

/// An in-memory [`ClientStore`]: the embedded default, and the store for tests.
#[derive(Debug, Default)]
pub struct MemoryClientStore {
    clients: RwLock<HashMap<ClientId, Arc<Client>>>,
}

impl MemoryClientStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers (or replaces) a client.
    pub fn insert(&self, client: Client) {
        let mut map = self.clients.write().unwrap_or_else(|e| e.into_inner());
        map.insert(client.id().clone(), Arc::new(client));
    }

    /// Removes a client; returns whether it was there.
    pub fn remove(&self, id: &ClientId) -> bool {
        let mut map = self.clients.write().unwrap_or_else(|e| e.into_inner());
        map.remove(id).is_some()
    }

    /// The client registered under `id`, without going through a future.
    pub fn get(&self, id: &str) -> Option<Arc<Client>> {
        let map = self.clients.read().unwrap_or_else(|e| e.into_inner());
        map.get(id).cloned()
    }
}

impl FromIterator<Client> for MemoryClientStore {
    fn from_iter<T: IntoIterator<Item = Client>>(iter: T) -> Self {
        let store = Self::new();
        for c in iter {
            store.insert(c);
        }
        store
    }
}

impl ClientStore for MemoryClientStore {
    fn client(
        &self,
        id: &ClientId,
    ) -> impl Future<Output = Result<Option<Arc<Client>>, StoreError>> + Send {
        ready(Ok(self.get(id.as_str())))
    }
}
