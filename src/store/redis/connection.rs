//! How the Redis stores connect: the URL, the namespace, and the bounds on
//! every call.

use std::fmt;
use std::time::Duration;

use ::redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use ::redis::cluster::ClusterClient;
use ::redis::cluster_async::ClusterConnection;
use ::redis::{Cmd, Pipeline, RedisFuture, Value};

use crate::vocab::error::StoreError;

/// Where and how the Redis stores connect.
///
/// # Defaults
///
/// | field | default |
/// |---|--:|
/// | `response_timeout` | 250 ms |
/// | `connection_timeout` | 1 s |
/// | `cluster_nodes` | none: one server (or a primary behind a proxy) |
#[non_exhaustive]
#[derive(Clone)]
pub struct RedisConfig {
    /// The server, as `redis://host:port/db` (or `rediss://` for TLS). Its
    /// password, if any, never appears in `Debug`. Unused with `cluster_nodes`.
    pub url: String,
    /// A Redis Cluster's seed nodes, as URLs; when not empty, the stores
    /// talk to the cluster through them (see [`RedisConfig::cluster`]).
    pub cluster_nodes: Vec<String>,
    /// The first part of every key, so that issuers sharing one Redis never
    /// collide: the issuer identifier is a good choice.
    pub namespace: String,
    /// The longest a call may take; past it, the call fails, and the request
    /// that needed it is refused rather than let through unchecked.
    pub response_timeout: Duration,
    /// The longest one connection attempt may take.
    pub connection_timeout: Duration,
}

impl RedisConfig {
    /// The configuration for `url`, with keys under `namespace`.
    pub fn new(url: impl Into<String>, namespace: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            cluster_nodes: Vec::new(),
            namespace: namespace.into(),
            response_timeout: Duration::from_millis(250),
            connection_timeout: Duration::from_secs(1),
        }
    }

    /// The configuration for a Redis Cluster reached through `nodes` (one
    /// is enough; the others are found), with keys under `namespace`.
    ///
    /// Each store keeps the keys one of its scripts touches together in one
    /// hash slot (`{namespace:revocation}:…`, `{namespace:throttle}:…`), so
    /// its atomic steps stay atomic; replay keys spread over the cluster.
    /// Pub/sub messages reach every node, so the throttle subscribes to the
    /// first seed node.
    pub fn cluster<I: IntoIterator<Item = S>, S: Into<String>>(
        nodes: I,
        namespace: impl Into<String>,
    ) -> Self {
        let cluster_nodes: Vec<String> = nodes.into_iter().map(Into::into).collect();
        let mut config = Self::new(
            cluster_nodes.first().cloned().unwrap_or_default(),
            namespace,
        );
        config.cluster_nodes = cluster_nodes;
        config
    }

    /// The prefix of the keys of one kind of state that scripts touch
    /// together: one hash slot in a cluster.
    pub(crate) fn slot_prefix(&self, kind: &str) -> String {
        format!("{{{}:{kind}}}", self.namespace)
    }

    /// The URL of a node to subscribe on.
    pub(crate) fn pubsub_url(&self) -> &str {
        self.cluster_nodes
            .first()
            .map_or(self.url.as_str(), String::as_str)
    }

    /// Connects, with the timeouts set.
    pub(crate) async fn connect(&self) -> Result<RedisConnection, StoreError> {
        if !self.cluster_nodes.is_empty() {
            let client = ClusterClient::builder(self.cluster_nodes.iter().map(String::as_str))
                .connection_timeout(self.connection_timeout)
                .response_timeout(self.response_timeout)
                .retries(2)
                .build()
                .map_err(StoreError::new)?;
            let connection =
                tokio::time::timeout(self.connection_timeout * 3, client.get_async_connection())
                    .await
                    .map_err(StoreError::new)?
                    .map_err(StoreError::new)?;
            return Ok(RedisConnection::Cluster(connection));
        }
        let client = ::redis::Client::open(self.url.as_str()).map_err(StoreError::new)?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(self.response_timeout))
            .set_connection_timeout(Some(self.connection_timeout))
            // A first connection that fails says so within a few seconds;
            // later reconnections go on in the background.
            .set_number_of_retries(2);
        ConnectionManager::new_with_config(client, config)
            .await
            .map(RedisConnection::Single)
            .map_err(StoreError::new)
    }
}

/// One server's connection manager, or a cluster's connection: either way
/// multiplexed, reconnecting by itself, and bounded by the response timeout.
#[derive(Clone)]
pub(crate) enum RedisConnection {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl ConnectionLike for RedisConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Single(c) => c.req_packed_command(cmd),
            Self::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Single(c) => c.req_packed_commands(pipeline, offset, count),
            Self::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Single(c) => c.get_db(),
            Self::Cluster(c) => c.get_db(),
        }
    }
}

impl fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may carry a password: show its host part only.
        let host = self
            .url
            .rsplit_once('@')
            .map_or(self.url.as_str(), |(_, host)| host);
        f.debug_struct("RedisConfig")
            .field("host", &host)
            .field("cluster_nodes", &self.cluster_nodes.len())
            .field("namespace", &self.namespace)
            .field("response_timeout", &self.response_timeout)
            .field("connection_timeout", &self.connection_timeout)
            .finish()
    }
}
