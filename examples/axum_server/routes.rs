//! The axum wiring: the whole adapter between axum and the crate.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::{get, post};
use client_credentials::{ClientStore, HttpResponse, Issuer, RequestParts};

/// `POST /token`, `GET /jwks.json` and the RFC 8414 metadata at its well-known path.
pub fn router<S: ClientStore + 'static>(issuer: Arc<Issuer<S>>) -> Router {
    let metadata_path = issuer.metadata_path();
    Router::new()
        .route("/token", post(token::<S>).fallback(token::<S>))
        .route(
            "/jwks.json",
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

fn into_axum(r: HttpResponse) -> Response {
    axum::http::Response::from(r).map(Body::from)
}
