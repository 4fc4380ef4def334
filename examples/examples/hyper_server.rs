//! The token endpoint on hyper 1.x: `cargo run --example hyper_server` (demo
//! client, ephemeral key, 127.0.0.1:8080 or `PORT`).

#[path = "../common/demo.rs"]
mod demo;
mod service;

use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let demo = demo::Demo::new(demo::listen_addr())?;
    let listener = TcpListener::bind(demo::listen_addr()).await?;
    demo.print();
    println!("hyper token server on http://{}", listener.local_addr()?);
    tokio::select! {
        () = service::serve(listener, demo.issuer) => {}
        _ = tokio::signal::ctrl_c() => println!("shutting down"),
    }
    Ok(())
}
