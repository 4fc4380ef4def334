//! The token server on actix-web 4 (demo client, ephemeral key, 127.0.0.1:8080 or `PORT`):
//!
//! ```text
//! cargo run -p client-credentials-examples --example actix_server
//! ```

use actix_web::{App, HttpServer};
use client_credentials_examples::actix_server::app;
use client_credentials_examples::demo;
use client_credentials_examples::slow_hash::ActixBlocking;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    // PBKDF2 checks run on actix-web's blocking pool, not its worker threads.
    let demo = demo::Demo::with_slow_hash_runner(demo::listen_addr(), ActixBlocking)
        .map_err(std::io::Error::other)?;
    demo.print();
    println!("actix-web token server on http://{}", demo::listen_addr());
    let issuer = demo.issuer;
    HttpServer::new(move || App::new().configure(app::configure(issuer.clone())))
        .bind(demo::listen_addr())?
        .run()
        .await
}
