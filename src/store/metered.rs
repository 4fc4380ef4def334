//! [`MeteredStore`]: the latency of every store call, through the `metrics`
//! facade (feature `metrics`).

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use crate::store::client::Client;
use crate::store::client_store::ClientStore;
use crate::store::replay::{ReplayCheck, ReplayGuard};
use crate::store::revocation::{RevocationStore, TokenView};
use crate::vocab::error::StoreError;
use crate::vocab::ids::{ClientId, CredentialId};
use crate::vocab::time::UnixTime;

/// The duration of store calls, in seconds: a histogram labelled `store`
/// (`client`, `revocation` or `replay`), `operation` (the trait method, e.g.
/// `is_revoked`) and `outcome` (`ok` or `error`).
pub const STORE_DURATION: &str = "client_credentials_store_duration_seconds";

/// A [`ClientStore`], [`RevocationStore`] or [`ReplayGuard`] whose every call
/// is timed into the [`STORE_DURATION`] histogram; otherwise it is the store
/// it wraps.
///
/// Put it around the store as the issuer or the validator sees it (around a
/// [`CachingClientStore`](crate::store::CachingClientStore), the histogram
/// shows what requests wait; inside it, what the database takes). The time
/// is measured with the monotonic clock, and only for the histogram: no
/// decision depends on it.
///
/// ```
/// use client_credentials::store::{MemoryClientStore, MeteredStore};
/// # use client_credentials::{Algorithm, Issuer, KeySet, SigningKey};
/// # let keys = KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0);
/// let store = MeteredStore::new(MemoryClientStore::new());
/// let issuer = Issuer::builder("https://auth.example.com", keys, store).build().unwrap();
/// # let _ = issuer;
/// ```
#[derive(Clone, Debug, Default)]
pub struct MeteredStore<S> {
    inner: S,
}

impl<S> MeteredStore<S> {
    /// Times every call to `inner`.
    pub fn new(inner: S) -> Self {
        Self { inner }
    }

    /// The store being timed: for its own API (management, configuration).
    pub fn inner(&self) -> &S {
        &self.inner
    }
}

/// Awaits `call` and records its duration.
async fn timed<T>(
    store: &'static str,
    operation: &'static str,
    call: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    let start = Instant::now();
    let result = call.await;
    let outcome = if result.is_ok() { "ok" } else { "error" };
    metrics::histogram!(
        STORE_DURATION,
        "store" => store,
        "operation" => operation,
        "outcome" => outcome
    )
    .record(start.elapsed().as_secs_f64());
    result
}

impl<S: ClientStore> ClientStore for MeteredStore<S> {
    fn client(
        &self,
        id: &ClientId,
    ) -> impl Future<Output = Result<Option<Arc<Client>>, StoreError>> + Send {
        timed("client", "client", self.inner.client(id))
    }
}

impl<S: RevocationStore> RevocationStore for MeteredStore<S> {
    fn revoke_token(
        &self,
        client_id: &ClientId,
        jti: &str,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        timed(
            "revocation",
            "revoke_token",
            self.inner.revoke_token(client_id, jti, expires_at, now),
        )
    }

    fn revoke_client(
        &self,
        client_id: &ClientId,
        cutoff: UnixTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        timed(
            "revocation",
            "revoke_client",
            self.inner.revoke_client(client_id, cutoff),
        )
    }

    fn revoke_credential(
        &self,
        client_id: &ClientId,
        credential_id: &CredentialId,
        cutoff: UnixTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        timed(
            "revocation",
            "revoke_credential",
            self.inner
                .revoke_credential(client_id, credential_id, cutoff),
        )
    }

    fn is_revoked(
        &self,
        token: &TokenView<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        timed("revocation", "is_revoked", self.inner.is_revoked(token))
    }
}

impl<S: ReplayGuard> ReplayGuard for MeteredStore<S> {
    fn first_use(
        &self,
        client_id: &str,
        key: &str,
        until: UnixTime,
        now: UnixTime,
    ) -> impl Future<Output = Result<ReplayCheck, StoreError>> + Send {
        timed(
            "replay",
            "first_use",
            self.inner.first_use(client_id, key, until, now),
        )
    }
}
