//! A complete client-credentials token server on axum.
//!
//! ```text
//! cargo run --example axum_server                        # demo: ephemeral key, one demo client
//! cargo run --example axum_server -- --config server.toml
//! ```
//!
//! Serves `POST /token`, `GET /jwks.json` and the RFC 8414 metadata document on the
//! loopback interface, and stops cleanly on Ctrl-C.

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

/// An ephemeral ES256 key and one demo client, on 127.0.0.1:8080 (or `PORT`).
async fn demo() -> Result<(Arc<Issuer<MemoryClientStore>>, SocketAddr), AnyError> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080);
    let listen = SocketAddr::from(([127, 0, 0, 1], port));
    let base = format!("http://{listen}");
    let secret = ClientSecret::generate();
    let audience = format!("{base}/api");
    let client = Client::builder(ClientId::new("demo-client")?)
        .secret(SecretCredential::new(
            CredentialId::new("demo-secret-1")?,
            SecretHash::fast(&secret)?,
        ))
        .allowed_scopes(ScopeSet::from_strs(["demo:read", "demo:write"])?)
        .default_scopes(ScopeSet::from_strs(["demo:read"])?)
        .default_audience(Audience::new(&audience)?)
        .build()?;
    let (key, _) = SigningKey::generate(Algorithm::ES256)?;
    let issuer = Issuer::builder(
        &base,
        KeySet::new(key),
        MemoryClientStore::from_iter([client]),
    )
    .scopes_supported(ScopeSet::from_strs(["demo:read", "demo:write"])?)
    .dangerous_allow_http_loopback()
    .build()?;
    println!("demo client id:     demo-client");
    println!("demo client secret: {}", secret.expose_secret());
    println!("default audience:   {audience}");
    println!("try:");
    println!(
        "  curl -s -u 'demo-client:{}' -d grant_type=client_credentials -d scope=demo:write {base}/token",
        secret.expose_secret()
    );
    Ok((Arc::new(issuer), listen))
}
