//! The token server on hyper 1.x: token, revocation and introspection endpoints.

pub mod service;
