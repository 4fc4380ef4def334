//! A complete client-credentials token server on axum.
//!
//! ```text
//! cargo run -p client-credentials-examples --example axum_server    # demo: ephemeral key, one demo client
//! cargo run -p client-credentials-examples --example axum_server -- --config server.toml
//! ```
//!
//! Serves `POST /token`, `POST /revoke`, `POST /introspect`, `GET /jwks.json`,
//! the RFC 8414 metadata document and `GET /metrics` (Prometheus) on the
//! loopback interface, and stops cleanly on Ctrl-C. The demo's clients also fit the `mcp_resource_server` example: see
//! `examples/README.md`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use client_credentials_examples::AnyError;
use client_credentials_examples::axum_server::{config, metrics, routes};
use client_credentials_examples::demo;
use client_credentials_examples::slow_hash::TokioBlocking;

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (issuer, listen) = match args.as_slice() {
        [] => {
            let listen = demo::listen_addr();
            // PBKDF2 checks run on tokio's blocking pool (the config file's
            // issuer does the same).
            let demo = demo::Demo::with_slow_hash_runner(listen, TokioBlocking)?;
            demo.print();
            (demo.issuer, listen)
        }
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
