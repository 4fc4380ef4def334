//! The demo setup the axum, actix-web and hyper examples share: an ephemeral
//! ES256 key and one client with a fresh secret, on the loopback interface.
//! Included with `#[path]`, so every adapter serves the same issuer.
#![allow(dead_code)] // Each includer uses its own part of it.

use std::net::SocketAddr;
use std::sync::Arc;

use client_credentials::{
    Algorithm, Audience, Client, ClientId, ClientSecret, ConfigError, CredentialId, Issuer, KeySet,
    MemoryClientStore, ScopeSet, SecretCredential, SecretHash, SigningKey,
};

/// The demo client's id.
pub const CLIENT_ID: &str = "demo-client";

/// A ready demo issuer and what a client needs to use it.
pub struct Demo {
    pub issuer: Arc<Issuer<MemoryClientStore>>,
    /// The demo client's secret: printed once, stored only as a hash.
    pub secret: ClientSecret,
    /// The audience of tokens that name no `resource`.
    pub audience: String,
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
    /// An issuer at `http://{listen}` with one client allowed `demo:read` and
    /// `demo:write`, whose tokens default to `demo:read` for `http://{listen}/api`.
    pub fn new(listen: SocketAddr) -> Result<Self, ConfigError> {
        let base = format!("http://{listen}");
        let secret = ClientSecret::generate();
        let audience = format!("{base}/api");
        let scopes = ScopeSet::from_strs(["demo:read", "demo:write"])?;
        let client = Client::builder(ClientId::new(CLIENT_ID)?)
            .secret(SecretCredential::new(
                CredentialId::new("demo-secret-1")?,
                SecretHash::fast(&secret)?,
            ))
            .allowed_scopes(scopes.clone())
            .default_scopes(ScopeSet::from_strs(["demo:read"])?)
            .default_audience(Audience::new(&audience)?)
            .build()?;
        let (key, _) = SigningKey::generate(Algorithm::ES256)?;
        let store = MemoryClientStore::from_iter([client]);
        let issuer = Issuer::builder(&base, KeySet::new(key), store)
            .scopes_supported(scopes)
            .dangerous_allow_http_loopback()
            .build()?;
        Ok(Self {
            issuer: Arc::new(issuer),
            secret,
            audience,
        })
    }

    /// Prints the demo credentials and a ready `curl` command.
    pub fn print(&self) {
        let secret = self.secret.expose_secret();
        println!("demo client id:     {CLIENT_ID}");
        println!("demo client secret: {secret}");
        println!("default audience:   {}", self.audience);
        println!("try:");
        println!(
            "  curl -s -u '{CLIENT_ID}:{secret}' -d grant_type=client_credentials -d scope=demo:write {}",
            self.issuer.token_endpoint()
        );
    }
}
