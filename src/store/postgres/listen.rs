//! [`PostgresInvalidations`]: the `LISTEN` side of the management API's
//! notices, keeping a process's cache fresh.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_postgres::{AsyncMessage, NoTls};

use crate::store::caching::CachingClientStore;
use crate::store::client_store::ClientStore;
use crate::store::postgres::config::PostgresConfig;
use crate::vocab::error::StoreError;
use crate::vocab::ids::ClientId;

/// The longest pause between two reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// A background task that `LISTEN`s on the channel named after the schema
/// and drops the cache entry of every client the management API changes,
/// in this process, within a round trip of the commit.
///
/// On a lost connection it reconnects with backoff, and on every
/// (re)connection it empties the whole cache, since notices sent while it
/// was away are lost. While it is away, the cache's TTL bounds staleness.
/// Dropping the handle stops the task.
#[derive(Debug)]
pub struct PostgresInvalidations {
    task: JoinHandle<()>,
}

impl PostgresInvalidations {
    /// Connects, starts listening, and keeps doing so in the background.
    ///
    /// # Errors
    /// The first connection fails or times out (later ones are retried).
    pub async fn start<S: ClientStore + 'static>(
        config: &PostgresConfig,
        cache: Arc<CachingClientStore<S>>,
    ) -> Result<Self, StoreError> {
        let config = config.clone();
        let channel = config.quoted_schema()?;
        let mut listening = Listening::open(&config, &channel).await?;
        cache.invalidate_all();
        let task = tokio::spawn(async move {
            loop {
                while let Some(id) = listening.events.recv().await {
                    match ClientId::new(id) {
                        Ok(id) => cache.invalidate(&id),
                        Err(_) => cache.invalidate_all(),
                    }
                }
                // The connection is gone: whatever it carried may be lost.
                cache.invalidate_all();
                let mut backoff = Duration::from_millis(50);
                listening = loop {
                    tokio::time::sleep(backoff).await;
                    if let Ok(next) = Listening::open(&config, &channel).await {
                        break next;
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                };
                // Notices sent while away were missed.
                cache.invalidate_all();
            }
        });
        Ok(Self { task })
    }

    /// Whether the background task still runs (it stops only when dropped).
    pub fn is_running(&self) -> bool {
        !self.task.is_finished()
    }
}

impl Drop for PostgresInvalidations {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A connection listening on a channel: the notices' payloads arrive on
/// `events`, which closes when the connection is lost.
struct Listening {
    events: mpsc::UnboundedReceiver<String>,
    /// Holding the client keeps the connection open.
    _client: tokio_postgres::Client,
    /// Drives the connection and forwards the notices.
    driver: JoinHandle<()>,
}

impl Listening {
    async fn open(config: &PostgresConfig, channel: &str) -> Result<Self, StoreError> {
        config
            .bounded(async {
                let (client, mut connection) = config
                    .driver_config()?
                    .connect(NoTls)
                    .await
                    .map_err(StoreError::new)?;
                let (sender, events) = mpsc::unbounded_channel();
                let driver = tokio::spawn(async move {
                    while let Some(message) =
                        std::future::poll_fn(|cx| connection.poll_message(cx)).await
                    {
                        match message {
                            Ok(AsyncMessage::Notification(notice)) => {
                                if sender.send(notice.payload().to_owned()).is_err() {
                                    return;
                                }
                            }
                            Ok(_) => {}
                            Err(_) => return,
                        }
                    }
                });
                let listening = Self {
                    events,
                    _client: client,
                    driver,
                };
                listening
                    ._client
                    .batch_execute(&format!("LISTEN {channel}"))
                    .await
                    .map_err(StoreError::new)?;
                Ok(listening)
            })
            .await
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        self.driver.abort();
    }
}
