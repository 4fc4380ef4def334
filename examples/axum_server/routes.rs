//! The axum wiring: the whole adapter between axum and the crate.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::{get, post};
use client_credentials::{ClientStore, HttpResponse, Issuer, RequestParts};

/// `POST /token`, `POST /revoke` (RFC 7009), `POST /introspect` (RFC 7662),
/// `GET /jwks.json` and the RFC 8414 metadata at its well-known path. The
/// endpoint paths are those of the URLs the issuer advertises.
pub fn router<S: ClientStore + 'static>(issuer: Arc<Issuer<S>>) -> Router {
    let metadata_path = issuer.metadata_path();
    Router::new()
        .route(
            path_of(issuer.token_endpoint()),
            post(token::<S>).fallback(token::<S>),
        )
        .route(
            path_of(issuer.revocation_endpoint()),
            post(revoke::<S>).fallback(revoke::<S>),
        )
        .route(
            path_of(issuer.introspection_endpoint()),
            post(introspect::<S>).fallback(introspect::<S>),
        )
        .route(
            path_of(issuer.jwks_uri()),
            get(|State(i): State<Arc<Issuer<S>>>| async move { into_axum(i.jwks_response()) }),
        )
        .route(
            &metadata_path,
            get(|State(i): State<Arc<Issuer<S>>>| async move { into_axum(i.metadata_response()) }),
        )
        .layer(DefaultBodyLimit::max(
            client_credentials::DEFAULT_MAX_BODY_BYTES,
        ))
        .with_state(issuer)
}

async fn token<S: ClientStore + 'static>(
    State(issuer): State<Arc<Issuer<S>>>,
    head: Parts,
    body: Bytes,
) -> Response {
    let parts = RequestParts::from_http(&head, &body);
    into_axum(issuer.handle_token_request(parts).await)
}

async fn revoke<S: ClientStore + 'static>(
    State(issuer): State<Arc<Issuer<S>>>,
    head: Parts,
    body: Bytes,
) -> Response {
    let parts = RequestParts::from_http(&head, &body);
    into_axum(issuer.handle_revocation_request(parts).await)
}

async fn introspect<S: ClientStore + 'static>(
    State(issuer): State<Arc<Issuer<S>>>,
    head: Parts,
    body: Bytes,
) -> Response {
    let parts = RequestParts::from_http(&head, &body);
    into_axum(issuer.handle_introspection_request(parts).await)
}

/// The path of an absolute URL (`https://host/a/b` → `/a/b`), without query.
fn path_of(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    path.split(['?', '#']).next().unwrap_or("/")
}

fn into_axum(r: HttpResponse) -> Response {
    axum::http::Response::from(r).map(Body::from)
}
