//! The axum wiring: the crate's own router (feature `axum`), which serves
//! `POST /token`, `POST /revoke` (RFC 7009), `POST /introspect` (RFC 7662),
//! `GET /jwks.json`, the RFC 8414 metadata at its well-known path, and the
//! authorization endpoint when one is advertised (it refuses every request:
//! see `IssuerBuilder::authorization_endpoint`), each at the path of the URL
//! the issuer advertises.
//!
//! Serve it with `into_make_service_with_connect_info::<SocketAddr>()`, so
//! each request carries its peer address and the throttle counts failures per
//! (client id, caller) rather than per client id alone. The hyper and
//! actix-web examples show the same adapter written by hand.

pub use client_credentials::issuer::router;
