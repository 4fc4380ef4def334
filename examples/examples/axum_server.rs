//! A complete client-credentials token server on axum.
//!
//! ```text
//! cargo run -p client-credentials-examples --example axum_server    # demo: ephemeral key, one demo client
//! cargo run -p client-credentials-examples --example axum_server -- --config server.toml
//! cargo run -p client-credentials-examples --example axum_server -- --config server.toml \
//!     --redis-url redis://127.0.0.1:6379 --database-url postgres://postgres@127.0.0.1/test
//! ```
//!
//! Serves `POST /token`, `POST /revoke`, `POST /introspect`, `GET /jwks.json`,
//! the RFC 8414 metadata document and `GET /metrics` (Prometheus) on the
//! loopback interface, and stops cleanly on Ctrl-C. The demo's clients also fit the `mcp_resource_server` example: see
//! `examples/README.md`.
//!
//! With Redis and PostgreSQL URLs (flags, or a `[fleet]` table in the file) it
//! runs as one replica of a fleet: start as many as you like with the same
//! file, and they share clients, assertion replay, revocations and the
//! brute-force count.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use client_credentials::{ClientStore, Issuer, ReplayGuard, RevocationStore};
use client_credentials_examples::AnyError;
use client_credentials_examples::axum_server::fleet::{Fleet, FleetSettings};
use client_credentials_examples::axum_server::{config, metrics, routes};
use client_credentials_examples::demo;
use client_credentials_examples::slow_hash::TokioBlocking;

const USAGE: &str = "usage: axum_server [--config FILE [--redis-url URL] [--database-url URL]]";

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let mut config_path = None;
    let mut flags = FleetSettings::default();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(USAGE)?;
        match flag.as_str() {
            "--config" => config_path = Some(PathBuf::from(value)),
            "--redis-url" => flags.redis_url = Some(value),
            "--database-url" => flags.database_url = Some(value),
            _ => return Err(USAGE.into()),
        }
    }
    let Some(path) = config_path else {
        if flags.is_set() {
            return Err("a fleet needs --config: every replica reads the same file".into());
        }
        let listen = demo::listen_addr();
        // PBKDF2 checks run on tokio's blocking pool (the config file's
        // issuer does the same).
        let demo = demo::Demo::with_slow_hash_runner(listen, TokioBlocking)?;
        demo.print();
        return serve(demo.issuer, listen).await;
    };
    let server = config::ServerConfig::load(&path)?;
    let mut fleet = server.fleet.clone().unwrap_or_default();
    fleet.redis_url = flags.redis_url.or(fleet.redis_url);
    fleet.database_url = flags.database_url.or(fleet.database_url);
    if fleet.is_set() {
        let replica = Fleet::start(&server, &fleet).await?;
        println!("one replica of a fleet: clients in PostgreSQL, shared state in Redis");
        serve(replica.issuer, server.listen).await
    } else {
        serve(Arc::new(server.issuer), server.listen).await
    }
}

async fn serve<S, R, G>(issuer: Arc<Issuer<S, R, G>>, listen: SocketAddr) -> Result<(), AnyError>
where
    S: ClientStore + 'static,
    R: RevocationStore + 'static,
    G: ReplayGuard + 'static,
{
    let listener = tokio::net::TcpListener::bind(listen).await?;
    println!(
        "token server listening on http://{}",
        listener.local_addr()?
    );
    println!("issuer: {}", issuer.issuer_id());
    // With connect info, so the throttle sees each caller's address.
    let app = metrics::with_metrics(routes::router(issuer), metrics::prometheus())
        .into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
            println!("shutting down");
        })
        .await?;
    Ok(())
}
