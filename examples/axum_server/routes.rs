//! The axum wiring: the whole adapter between axum and the crate.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
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
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parts = request_parts(&method, query.as_deref(), &headers, &body);
    into_axum(issuer.handle_token_request(parts).await)
}

async fn revoke<S: ClientStore + 'static>(
    State(issuer): State<Arc<Issuer<S>>>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parts = request_parts(&method, query.as_deref(), &headers, &body);
    into_axum(issuer.handle_revocation_request(parts).await)
}

async fn introspect<S: ClientStore + 'static>(
    State(issuer): State<Arc<Issuer<S>>>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parts = request_parts(&method, query.as_deref(), &headers, &body);
    into_axum(issuer.handle_introspection_request(parts).await)
}

/// The parts of an axum request the issuer reads.
fn request_parts<'a>(
    method: &'a Method,
    query: Option<&'a str>,
    headers: &'a HeaderMap,
    body: &'a [u8],
) -> RequestParts<'a> {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let mut parts = RequestParts::new(method.as_str(), body);
    if let Some(v) = header(header::CONTENT_TYPE) {
        parts = parts.content_type(v);
    }
    if let Some(v) = header(header::AUTHORIZATION) {
        parts = parts.authorization(v);
    }
    if let Some(q) = query {
        parts = parts.query(q);
    }
    parts
}

/// The path of an absolute URL (`https://host/a/b` → `/a/b`), without query.
fn path_of(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    path.split(['?', '#']).next().unwrap_or("/")
}

fn into_axum(r: HttpResponse) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    // `Body` sets no content type of its own: the crate's headers say it.
    let mut response = (status, Body::from(r.body)).into_response();
    for (name, value) in r.headers {
        if let Ok(value) = value.parse() {
            response.headers_mut().insert(name, value);
        }
    }
    response
}
