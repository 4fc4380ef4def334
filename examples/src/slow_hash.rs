//! Runners that move PBKDF2 secret checks off the async worker threads
//! (see `client_credentials::issuer::SlowHashRunner`): each server sets the
//! one of its runtime on its issuer.

use std::future::Future;
use std::pin::Pin;

use client_credentials::issuer::{SlowHashRunner, SlowHashWork};

/// tokio's blocking pool (`spawn_blocking`): for the axum and hyper servers.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioBlocking;

impl SlowHashRunner for TokioBlocking {
    fn run(&self, work: SlowHashWork) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        // A join error means the check did not finish; the issuer then
        // answers `server_error`.
        Box::pin(async move {
            let _ = tokio::task::spawn_blocking(move || work.run()).await;
        })
    }
}

/// actix-web's blocking pool (`actix_web::rt::task::spawn_blocking`): for the
/// actix-web server.
#[derive(Clone, Copy, Debug, Default)]
pub struct ActixBlocking;

impl SlowHashRunner for ActixBlocking {
    fn run(&self, work: SlowHashWork) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(async move {
            let _ = actix_web::rt::task::spawn_blocking(move || work.run()).await;
        })
    }
}
