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
