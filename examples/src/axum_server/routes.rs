//! The axum wiring: the whole adapter between axum and the crate.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::{any, get, post};
use client_credentials::{
    ClientStore, HttpResponse, Issuer, Reason, ReplayGuard, RequestParts, RevocationStore,
    TokenError,
};

/// `POST /token`, `POST /revoke` (RFC 7009), `POST /introspect` (RFC 7662),
/// `GET /jwks.json`, the RFC 8414 metadata at its well-known path, and the
/// authorization endpoint when one is advertised (it refuses every request:
/// see `IssuerBuilder::authorization_endpoint`). The endpoint paths are those
/// of the URLs the issuer advertises. (With the crate's `axum` feature,
/// `client_credentials::issuer::router` is this router, ready-made.)
///
/// Serve it with `into_make_service_with_connect_info::<SocketAddr>()`, so each
/// request carries its peer address and the throttle counts failures per
/// (client id, caller) rather than per client id alone.
pub fn router<S, R, G>(issuer: Arc<Issuer<S, R, G>>) -> Router
where
    S: ClientStore + 'static,
    R: RevocationStore + 'static,
    G: ReplayGuard + 'static,
{
    let metadata_path = issuer.metadata_path();
    let mut router = Router::new();
    if let Some(url) = issuer.authorization_endpoint() {
        router = router.route(
            path_of(url),
            any(|State(i): State<Arc<Issuer<S, R, G>>>| async move {
                into_axum(i.handle_authorization_request())
            }),
        );
    }
    router
        .route(
            path_of(issuer.token_endpoint()),
            post(token::<S, R, G>).fallback(token::<S, R, G>),
        )
        .route(
            path_of(issuer.revocation_endpoint()),
            post(revoke::<S, R, G>).fallback(revoke::<S, R, G>),
        )
        .route(
            path_of(issuer.introspection_endpoint()),
            post(introspect::<S, R, G>).fallback(introspect::<S, R, G>),
        )
        .route(
            path_of(issuer.jwks_uri()),
            get(|State(i): State<Arc<Issuer<S, R, G>>>| async move { into_axum(i.jwks_response()) }),
        )
        .route(
            &metadata_path,
            get(|State(i): State<Arc<Issuer<S, R, G>>>| async move { into_axum(i.metadata_response()) }),
        )
        .with_state(issuer)
}

async fn token<S, R, G>(
    State(issuer): State<Arc<Issuer<S, R, G>>>,
    head: Parts,
    body: Body,
) -> Response
where
    S: ClientStore + 'static,
    R: RevocationStore + 'static,
    G: ReplayGuard + 'static,
{
    into_axum(match read_body(body, issuer.max_body_bytes()).await {
        Ok(body) => {
            issuer
                .handle_token_request(request_parts(&head, &body))
                .await
        }
        Err(too_large) => too_large,
    })
}

async fn revoke<S, R, G>(
    State(issuer): State<Arc<Issuer<S, R, G>>>,
    head: Parts,
    body: Body,
) -> Response
where
    S: ClientStore + 'static,
    R: RevocationStore + 'static,
    G: ReplayGuard + 'static,
{
    into_axum(match read_body(body, issuer.max_body_bytes()).await {
        Ok(body) => {
            issuer
                .handle_revocation_request(request_parts(&head, &body))
                .await
        }
        Err(too_large) => too_large,
    })
}

async fn introspect<S, R, G>(
    State(issuer): State<Arc<Issuer<S, R, G>>>,
    head: Parts,
    body: Body,
) -> Response
where
    S: ClientStore + 'static,
    R: RevocationStore + 'static,
    G: ReplayGuard + 'static,
{
    into_axum(match read_body(body, issuer.max_body_bytes()).await {
        Ok(body) => {
            issuer
                .handle_introspection_request(request_parts(&head, &body))
                .await
        }
        Err(too_large) => too_large,
    })
}

/// The request as the crate reads it, with the peer's address when the router
/// is served with connect info. Behind a reverse proxy, pass the client address
/// it reports (e.g. from `Forwarded`) instead, and only when the proxy is trusted.
fn request_parts<'a>(head: &'a Parts, body: &'a [u8]) -> RequestParts<'a> {
    let parts = RequestParts::from_http(head, body);
    match head.extensions.get::<ConnectInfo<SocketAddr>>() {
        Some(ConnectInfo(peer)) => parts.source(peer.ip()),
        None => parts,
    }
}

/// The body up to the issuer's configured limit. Past it, the crate's own 413
/// `invalid_request` answer (C30), not axum's plain-text one; a body cut off
/// mid-read gets it too, as nobody is left to read the answer.
async fn read_body(body: Body, limit: usize) -> Result<Bytes, HttpResponse> {
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| TokenError::new(Reason::BodyTooLarge).to_http())
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
