//! The hyper wiring: the whole adapter between hyper 1.x and the crate.

use std::convert::Infallible;
use std::sync::Arc;

use client_credentials::{ClientStore, HttpResponse, Issuer, Reason, RequestParts, TokenError};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// One request: `POST /token`, `GET /jwks.json`, `GET` of the metadata, else 404.
pub async fn handle<S: ClientStore>(
    issuer: Arc<Issuer<S>>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (head, body) = request.into_parts();
    let response: HttpResponse = match (&head.method, head.uri.path()) {
        (_, "/token") => match Limited::new(body, issuer.max_body_bytes()).collect().await {
            Ok(body) => {
                let body = body.to_bytes();
                let parts = RequestParts::from_http(&head, &body);
                issuer.handle_token_request(parts).await
            }
            // Over the limit (or cut off, when no one reads the answer anyway).
            Err(_) => TokenError::new(Reason::BodyTooLarge).to_http(),
        },
        (&Method::GET, "/jwks.json") => issuer.jwks_response(),
        (&Method::GET, path) if path == issuer.metadata_path() => issuer.metadata_response(),
        _ => {
            let mut not_found = Response::new(Full::default());
            *not_found.status_mut() = StatusCode::NOT_FOUND;
            return Ok(not_found);
        }
    };
    Ok(Response::from(response).map(Full::from))
}

/// Serves HTTP/1.1 connections from `listener` until accepting fails or the
/// task is dropped.
pub async fn serve<S: ClientStore + 'static>(listener: TcpListener, issuer: Arc<Issuer<S>>) {
    while let Ok((stream, _)) = listener.accept().await {
        let issuer = issuer.clone();
        let service = service_fn(move |request| handle(issuer.clone(), request));
        tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
    }
}
