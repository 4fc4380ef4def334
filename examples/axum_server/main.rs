//! A complete client-credentials token server on axum.
//!
//! ```text
//! cargo run --example axum_server                        # demo: ephemeral key, one demo client
//! cargo run --example axum_server -- --config server.toml
//! ```
//!
//! Serves `POST /token`, `POST /revoke`, `POST /introspect`, `GET /jwks.json` and
//! the RFC 8414 metadata document on the loopback interface, and stops cleanly on
//! Ctrl-C. The demo's clients also fit the `mcp_resource_server` example: see the
//! README.

mod config;
mod routes;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use client_credentials::{
    Algorithm, Audience, Client, ClientId, ClientSecret, CredentialId, Issuer, KeySet,
    MemoryClientStore, ScopeSet, SecretCredential, SecretHash, SigningKey,
};

type AnyError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (issuer, listen) = match args.as_slice() {
        [] => demo().await?,
        [flag, path] if flag == "--config" => {
            let server = config::ServerConfig::load(&PathBuf::from(path))?;
            (Arc::new(server.issuer), server.listen)
        }
        _ => return Err("usage: axum_server [--config FILE]".into()),
    };
    let listener = tokio::net::TcpListener::bind(listen).await?;
    println!(
        "token server listening on http://{}",
        listener.local_addr()?
    );
    println!("issuer: {}", issuer.issuer());
    axum::serve(listener, routes::router(issuer))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
            println!("shutting down");
        })
        .await?;
    Ok(())
}

/// An ephemeral ES256 key and two demo clients, on 127.0.0.1:8080 (or `PORT`):
/// `demo-client`, which gets tokens (also for the MCP resource at `MCP_RESOURCE`,
/// default `http://127.0.0.1:8081/mcp`), and `mcp-server`, which the resource
/// server uses to introspect them.
async fn demo() -> Result<(Arc<Issuer<MemoryClientStore>>, SocketAddr), AnyError> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080);
    let mcp_resource =
        std::env::var("MCP_RESOURCE").unwrap_or_else(|_| "http://127.0.0.1:8081/mcp".into());
    let listen = SocketAddr::from(([127, 0, 0, 1], port));
    let base = format!("http://{listen}");
    let secret = ClientSecret::generate();
    let audience = format!("{base}/api");
    let scopes = ["demo:read", "demo:write", "mcp:read", "mcp:write"];
    let client = Client::builder(ClientId::new("demo-client")?)
        .secret(SecretCredential::new(
            CredentialId::new("demo-secret-1")?,
            SecretHash::fast(&secret)?,
        ))
        .allowed_scopes(ScopeSet::from_strs(scopes)?)
        .default_scopes(ScopeSet::from_strs(["demo:read"])?)
        .default_audience(Audience::new(&audience)?)
        .allowed_audience(Audience::new(&mcp_resource)?)
        .build()?;
    let mcp_secret = ClientSecret::generate();
    let mcp_server = Client::builder(ClientId::new("mcp-server")?)
        .secret(SecretCredential::new(
            CredentialId::new("mcp-server-secret-1")?,
            SecretHash::fast(&mcp_secret)?,
        ))
        .build()?;
    let (key, _) = SigningKey::generate(Algorithm::ES256)?;
    let issuer = Issuer::builder(
        &base,
        KeySet::new(key),
        MemoryClientStore::from_iter([client, mcp_server]),
    )
    .scopes_supported(ScopeSet::from_strs(scopes)?)
    .dangerous_allow_http_loopback()
    .build()?;
    println!("demo client id:     demo-client");
    println!("demo client secret: {}", secret.expose_secret());
    println!("default audience:   {audience} (also allowed: {mcp_resource})");
    println!("introspecting client for the MCP resource server:");
    println!("  id mcp-server, secret {}", mcp_secret.expose_secret());
    println!("try:");
    println!(
        "  curl -s -u 'demo-client:{}' -d grant_type=client_credentials -d scope=demo:write {base}/token",
        secret.expose_secret()
    );
    Ok((Arc::new(issuer), listen))
}
