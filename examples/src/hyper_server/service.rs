//! The hyper wiring: the whole adapter between hyper 1.x and the crate.

use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::Arc;

use client_credentials::{ClientStore, HttpResponse, Issuer, Reason, RequestParts, TokenError};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// One request from the caller at `peer`: `/token`, `/revoke` (RFC 7009),
/// `/introspect` (RFC 7662), `GET /jwks.json`, `GET` of the metadata, else 404.
/// The issuer answers any method on its endpoints (a `GET` gets its 405).
pub async fn handle<S: ClientStore>(
    issuer: Arc<Issuer<S>>,
    peer: IpAddr,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (head, body) = request.into_parts();
    let endpoint = match head.uri.path() {
        "/token" => Some(Endpoint::Token),
        "/revoke" => Some(Endpoint::Revoke),
        "/introspect" => Some(Endpoint::Introspect),
        _ => None,
    };
    let response: HttpResponse = match (endpoint, &head.method, head.uri.path()) {
        (Some(endpoint), _, _) => {
            match Limited::new(body, issuer.max_body_bytes()).collect().await {
                Ok(body) => {
                    let body = body.to_bytes();
                    // The connection's peer: the throttle counts failures per
                    // (client id, caller). Behind a reverse proxy, pass the
                    // client address the (trusted) proxy reports instead.
                    let parts = RequestParts::from_http(&head, &body).source(peer);
                    match endpoint {
                        Endpoint::Token => issuer.handle_token_request(parts).await,
                        Endpoint::Revoke => issuer.handle_revocation_request(parts).await,
                        Endpoint::Introspect => issuer.handle_introspection_request(parts).await,
                    }
                }
                // Over the limit (or cut off, when no one reads the answer anyway).
                Err(_) => TokenError::new(Reason::BodyTooLarge).to_http(),
            }
        }
        (None, &Method::GET, "/jwks.json") => issuer.jwks_response(),
        // The demo advertises an authorization endpoint that refuses every
        // request, for clients whose discovery requires one.
        (None, _, "/authorize") => issuer.handle_authorization_request(),
        (None, &Method::GET, path) if path == issuer.metadata_path() => issuer.metadata_response(),
        _ => {
            let mut not_found = Response::new(Full::default());
            *not_found.status_mut() = StatusCode::NOT_FOUND;
            return Ok(not_found);
        }
    };
    Ok(Response::from(response).map(Full::from))
}

#[derive(Clone, Copy)]
enum Endpoint {
    Token,
    Revoke,
    Introspect,
}

/// Serves HTTP/1.1 connections from `listener` until accepting fails or the
/// task is dropped.
pub async fn serve<S: ClientStore + 'static>(listener: TcpListener, issuer: Arc<Issuer<S>>) {
    while let Ok((stream, peer)) = listener.accept().await {
        let issuer = issuer.clone();
        let service = service_fn(move |request| handle(issuer.clone(), peer.ip(), request));
        tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
    }
}
