//! The token server on axum: its routes, its `--config` file, and the shared
//! stores it runs on as one replica of a fleet.

pub mod config;
pub mod fleet;
pub mod metrics;
pub mod routes;
