//! The axum wiring: the whole adapter between axum and the crate.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
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
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let mut parts = RequestParts::new(method.as_str(), &body);
    if let Some(v) = header(header::CONTENT_TYPE) {
        parts = parts.content_type(v);
    }
    if let Some(v) = header(header::AUTHORIZATION) {
        parts = parts.authorization(v);
    }
    if let Some(q) = query.as_deref() {
        parts = parts.query(q);
    }
    into_axum(issuer.handle_token_request(parts).await)
}

fn into_axum(r: HttpResponse) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, r.body).into_response();
    for (name, value) in r.headers {
        if let Ok(value) = value.parse() {
            response.headers_mut().insert(name, value);
        }
    }
    response
}
