//! The token server on actix-web 4: token, revocation and introspection endpoints.

pub mod app;
