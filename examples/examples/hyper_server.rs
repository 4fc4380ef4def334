//! The token server on hyper 1.x (demo client, ephemeral key, 127.0.0.1:8080 or `PORT`):
//!
//! ```text
//! cargo run -p client-credentials-examples --example hyper_server
//! ```

use client_credentials_examples::hyper_server::service;
use client_credentials_examples::slow_hash::TokioBlocking;
use client_credentials_examples::{AnyError, demo};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    // PBKDF2 checks run on tokio's blocking pool, not its worker threads.
    let demo = demo::Demo::with_slow_hash_runner(demo::listen_addr(), TokioBlocking)?;
    let listener = TcpListener::bind(demo::listen_addr()).await?;
    demo.print();
    println!("hyper token server on http://{}", listener.local_addr()?);
    tokio::select! {
        () = service::serve(listener, demo.issuer) => {}
        _ = tokio::signal::ctrl_c() => println!("shutting down"),
    }
    Ok(())
}
