//! A ready axum router for the token server (feature `axum`): it mounts
//! exactly the endpoints the issuer's metadata advertises.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};

use crate::issuer::endpoint::Issuer;
use crate::store::client_store::ClientStore;
use crate::store::replay::ReplayGuard;
use crate::store::revocation::RevocationStore;
use crate::vocab::error::{Reason, TokenError};
use crate::wire::request::RequestParts;
use crate::wire::response::HttpResponse;

/// The token server on axum: `POST` of the token endpoint, `GET` of the JWK
/// Set and of the RFC 8414 metadata at its well-known path (C74), and, when
/// the metadata advertises them, the revocation and introspection endpoints
/// and the refusing authorization endpoint
/// ([`Issuer::handle_authorization_request`]). Paths are those of the
/// advertised URLs; nothing else is served.
///
/// Other methods at the token, revocation and introspection endpoints get the
/// crate's own `invalid_request` answer. Serve the router with
/// `into_make_service_with_connect_info::<SocketAddr>()`, so that the
/// brute-force throttle counts failures per (client id, caller address); a
/// server behind a reverse proxy puts the address the proxy reports into the
/// request's `ConnectInfo<SocketAddr>` extension instead.
pub fn router<S, R, G>(issuer: Arc<Issuer<S, R, G>>) -> Router
where
    S: ClientStore + 'static,
    R: RevocationStore + 'static,
    G: ReplayGuard + 'static,
{
    // One handler per form endpoint; other methods get the crate's own answer.
    let form = |endpoint: FormEndpoint| {
        let handler = move |State(i): State<Arc<Issuer<S, R, G>>>, head: Parts, body: Body| async move {
            serve_form(&i, endpoint, head, body).await
        };
        post(handler).fallback(handler)
    };
    let mut router = Router::new()
        .route(path_of(issuer.token_endpoint()), form(FormEndpoint::Token))
        .route(
            path_of(issuer.jwks_uri()),
            get(|State(i): State<Arc<Issuer<S, R, G>>>| async move { i.jwks_response() }),
        )
        .route(
            &issuer.metadata_path(),
            get(|State(i): State<Arc<Issuer<S, R, G>>>| async move { i.metadata_response() }),
        );
    if let Some(url) = issuer.authorization_endpoint() {
        router =
            router.route(
                path_of(url),
                any(|State(i): State<Arc<Issuer<S, R, G>>>| async move {
                    i.handle_authorization_request()
                }),
            );
    }
    if issuer.advertises_revocation() {
        router = router.route(
            path_of(issuer.revocation_endpoint()),
            form(FormEndpoint::Revocation),
        );
    }
    if issuer.advertises_introspection() {
        router = router.route(
            path_of(issuer.introspection_endpoint()),
            form(FormEndpoint::Introspection),
        );
    }
    router.with_state(issuer)
}

/// The endpoints that take a form body.
#[derive(Clone, Copy)]
enum FormEndpoint {
    Token,
    Revocation,
    Introspection,
}

/// Reads the body up to the issuer's limit and hands the request to the
/// endpoint's handler.
async fn serve_form<S, R, G>(
    issuer: &Issuer<S, R, G>,
    endpoint: FormEndpoint,
    head: Parts,
    body: Body,
) -> Response
where
    S: ClientStore + 'static,
    R: RevocationStore + 'static,
    G: ReplayGuard + 'static,
{
    let body = match read_body(body, issuer.max_body_bytes()).await {
        Ok(body) => body,
        Err(too_large) => return too_large.into_response(),
    };
    let parts = request_parts(&head, &body);
    match endpoint {
        FormEndpoint::Token => issuer.handle_token_request(parts).await,
        FormEndpoint::Revocation => issuer.handle_revocation_request(parts).await,
        FormEndpoint::Introspection => issuer.handle_introspection_request(parts).await,
    }
    .into_response()
}

/// The request as the crate reads it, with the caller's address when the
/// router is served with connect info.
fn request_parts<'a>(head: &'a Parts, body: &'a [u8]) -> RequestParts<'a> {
    let parts = RequestParts::from_http(head, body);
    match head.extensions.get::<ConnectInfo<SocketAddr>>() {
        Some(ConnectInfo(peer)) => parts.source(peer.ip()),
        None => parts,
    }
}

/// The body up to the issuer's limit; past it, or cut off mid-read, the
/// crate's own 413 `invalid_request` answer (C30).
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
