//! The token server on axum: its routes and its `--config` file.

pub mod config;
pub mod metrics;
pub mod routes;
