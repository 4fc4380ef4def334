//! The token server on actix-web 4 (demo client, ephemeral key, 127.0.0.1:8080 or `PORT`):
//!
//! ```text
//! cargo run -p client-credentials-examples --example actix_server
//! ```

use actix_web::{App, HttpServer};
use client_credentials_examples::actix_server::app;
use client_credentials_examples::demo;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let demo = demo::Demo::new(demo::listen_addr()).map_err(std::io::Error::other)?;
    demo.print();
    println!("actix-web token server on http://{}", demo::listen_addr());
    let issuer = demo.issuer;
    HttpServer::new(move || App::new().configure(app::configure(issuer.clone())))
        .bind(demo::listen_addr())?
        .run()
        .await
}
