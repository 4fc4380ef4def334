//! The code behind the `client-credentials` example servers, shared by the
//! servers in `examples/` and the tests in `tests/` that drive them over HTTP.
//!
//! Each adapter is the whole glue between one HTTP stack and the crate:
//!
//! - [`axum_server`]: the complete token server (token, revocation and
//!   introspection endpoints, JWKS, metadata) and its `--config` file;
//! - [`hyper_server`] and [`actix_server`]: the same endpoints (token,
//!   revocation, introspection, JWKS, metadata) on hyper 1.x and on actix-web 4;
//! - [`mcp_resource_server`]: an MCP server that accepts the token server's
//!   tokens;
//! - [`demo`]: the demo issuer the token servers start with when given no
//!   configuration;
//! - [`slow_hash`]: the runners that keep PBKDF2 checks off the async threads.
//!
//! Run one from the repository root with
//! `cargo run -p client-credentials-examples --example axum_server`.

pub mod actix_server;
pub mod axum_server;
pub mod demo;
#[doc(hidden)]
pub mod fuzzing;
pub mod hyper_server;
pub mod mcp_resource_server;
pub mod slow_hash;

/// The error every example's fallible setup returns.
pub type AnyError = Box<dyn std::error::Error + Send + Sync>;
