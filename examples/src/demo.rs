//! The demo setup the axum, actix-web and hyper examples share: an ephemeral
//! ES256 key and one client with a fresh secret, on the loopback interface.
//! Every token server starts from it, so each adapter serves the same issuer.

use std::net::SocketAddr;
use std::sync::Arc;

use client_credentials::audit::{MetricsAudit, NoAudit};
use client_credentials::issuer::SlowHashRunner;
use client_credentials::jose::DpopConfig;
use client_credentials::store::MemoryClientStore;
use client_credentials::{
    Algorithm, Audience, Client, ClientId, ClientSecret, ConfigError, CredentialId, Issuer, KeySet,
    ScopeSet, SecretCredential, SecretHash, SigningKey,
};

use crate::slow_hash::TokioBlocking;

/// The demo client's id.
pub const CLIENT_ID: &str = "demo-client";

/// A ready demo issuer and what a client needs to use it.
pub struct Demo {
    pub issuer: Arc<Issuer<MemoryClientStore>>,
    /// The demo client's secret: printed once, stored only as a hash.
    pub secret: ClientSecret,
    /// The audience of tokens that name no `resource`.
    pub audience: String,
    /// The MCP resource the demo client may also request tokens for.
    pub mcp_resource: String,
    /// The secret of `mcp-server`, the client the MCP resource server
    /// introspects tokens with.
    pub mcp_server_secret: ClientSecret,
}

/// `127.0.0.1:8080`, or the port in `PORT`.
pub fn listen_addr() -> SocketAddr {
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080);
    SocketAddr::from(([127, 0, 0, 1], port))
}

impl Demo {
    /// An issuer at `http://{listen}` with two clients: `demo-client`, allowed
    /// `demo:read demo:write mcp:read mcp:write`, whose tokens default to
    /// `demo:read` for `http://{listen}/api` and may also be asked for the MCP
    /// resource at `MCP_RESOURCE` (default `http://127.0.0.1:8081/mcp`); and
    /// `mcp-server`, which the MCP resource server example introspects with.
    ///
    /// PBKDF2 checks run on tokio's blocking pool
    /// ([`TokioBlocking`]).
    pub fn new(listen: SocketAddr) -> Result<Self, ConfigError> {
        Self::with_slow_hash_runner(listen, TokioBlocking)
    }

    /// Like [`Demo::new`], with PBKDF2 checks run by `runner`.
    pub fn with_slow_hash_runner(
        listen: SocketAddr,
        runner: impl SlowHashRunner + 'static,
    ) -> Result<Self, ConfigError> {
        let base = format!("http://{listen}");
        let secret = ClientSecret::generate();
        let audience = format!("{base}/api");
        let mcp_resource =
            std::env::var("MCP_RESOURCE").unwrap_or_else(|_| "http://127.0.0.1:8081/mcp".into());
        let scopes = ScopeSet::from_strs(["demo:read", "demo:write", "mcp:read", "mcp:write"])?;
        let client = Client::builder(ClientId::new(CLIENT_ID)?)
            .secret(SecretCredential::new(
                CredentialId::new("demo-secret-1")?,
                SecretHash::fast(&secret)?,
            ))
            .allowed_scopes(scopes.clone())
            .default_scopes(ScopeSet::from_strs(["demo:read"])?)
            .default_audience(Audience::new(&audience)?)
            .allowed_audience(Audience::new(&mcp_resource)?)
            .build()?;
        let mcp_server_secret = ClientSecret::generate();
        let mcp_server = Client::builder(ClientId::new("mcp-server")?)
            .secret(SecretCredential::new(
                CredentialId::new("mcp-server-secret-1")?,
                SecretHash::fast(&mcp_server_secret)?,
            ))
            // The one client that may introspect: the resource server.
            .introspection(true)
            .build()?;
        let (key, _) = SigningKey::generate(Algorithm::ES256)?;
        let store = MemoryClientStore::from_iter([client, mcp_server]);
        let issuer = Issuer::builder(&base, KeySet::new(key), store)
            .scopes_supported(scopes)
            // MCP clients' discovery requires an authorization endpoint: this
            // one refuses every request (`unsupported_response_type`).
            .authorization_endpoint(format!("{base}/authorize"))
            .dangerous_allow_http_loopback()
            .slow_hash_runner(runner)
            // Counted for `/metrics` (see `axum_server::metrics`).
            .audit(Arc::new(MetricsAudit::new(NoAudit)))
            .dpop(DpopConfig::default())
            .build()?;
        Ok(Self {
            issuer: Arc::new(issuer),
            secret,
            audience,
            mcp_resource,
            mcp_server_secret,
        })
    }

    /// Prints the demo credentials and a ready `curl` command.
    pub fn print(&self) {
        let secret = self.secret.expose_secret();
        println!("demo client id:     {CLIENT_ID}");
        println!("demo client secret: {secret}");
        println!(
            "default audience:   {} (also allowed: {})",
            self.audience, self.mcp_resource
        );
        println!("introspecting client for the MCP resource server:");
        println!(
            "  id mcp-server, secret {}",
            self.mcp_server_secret.expose_secret()
        );
        println!("try:");
        println!(
            "  curl -s -u '{CLIENT_ID}:{secret}' -d grant_type=client_credentials -d scope=demo:write {}",
            self.issuer.token_endpoint()
        );
    }
}
