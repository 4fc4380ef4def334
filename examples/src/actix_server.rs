//! The token endpoint on actix-web 4.

pub mod app;
