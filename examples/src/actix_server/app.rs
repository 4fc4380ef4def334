//! The actix-web wiring: the whole adapter between actix-web 4 and the crate.
//! actix-web 4 is built on `http` 0.2, so it reads the headers itself rather
//! than through the `http` feature.

use std::sync::Arc;

use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE};
use actix_web::web::{self, Bytes, Data, Payload, ServiceConfig};
use client_credentials::{ClientStore, HttpResponse, Issuer, Reason, RequestParts, TokenError};

/// Registers `/token`, `/revoke` (RFC 7009), `/introspect` (RFC 7662),
/// `/jwks.json` and the metadata path on an `App`.
pub fn configure<S: ClientStore + 'static>(
    issuer: Arc<Issuer<S>>,
) -> impl FnOnce(&mut ServiceConfig) {
    move |config| {
        let metadata_path = issuer.metadata_path();
        config
            .app_data(Data::from(issuer))
            .route("/token", web::route().to(token::<S>))
            .route("/revoke", web::route().to(revoke::<S>))
            .route("/introspect", web::route().to(introspect::<S>))
            // The demo advertises an authorization endpoint that refuses every
            // request, for clients whose discovery requires one.
            .route(
                "/authorize",
                web::route().to(|i: Data<Issuer<S>>| async move {
                    to_actix(i.handle_authorization_request())
                }),
            )
            .route(
                "/jwks.json",
                web::get().to(|i: Data<Issuer<S>>| async move { to_actix(i.jwks_response()) }),
            )
            .route(
                &metadata_path,
                web::get().to(|i: Data<Issuer<S>>| async move { to_actix(i.metadata_response()) }),
            );
    }
}

async fn token<S: ClientStore + 'static>(
    issuer: Data<Issuer<S>>,
    request: HttpRequest,
    payload: Payload,
) -> actix_web::HttpResponse {
    let Some(body) = read_body(&issuer, payload).await else {
        return too_large();
    };
    to_actix(
        issuer
            .handle_token_request(request_parts(&request, &body))
            .await,
    )
}

async fn revoke<S: ClientStore + 'static>(
    issuer: Data<Issuer<S>>,
    request: HttpRequest,
    payload: Payload,
) -> actix_web::HttpResponse {
    let Some(body) = read_body(&issuer, payload).await else {
        return too_large();
    };
    let parts = request_parts(&request, &body);
    to_actix(issuer.handle_revocation_request(parts).await)
}

async fn introspect<S: ClientStore + 'static>(
    issuer: Data<Issuer<S>>,
    request: HttpRequest,
    payload: Payload,
) -> actix_web::HttpResponse {
    let Some(body) = read_body(&issuer, payload).await else {
        return too_large();
    };
    let parts = request_parts(&request, &body);
    to_actix(issuer.handle_introspection_request(parts).await)
}

/// The body up to the issuer's limit. Past it, the crate's own 413
/// `invalid_request` (C30), not actix's. (A body cut off mid-read gets it too:
/// nobody is left to read the answer.)
async fn read_body<S: ClientStore>(issuer: &Issuer<S>, payload: Payload) -> Option<Bytes> {
    match payload.to_bytes_limited(issuer.max_body_bytes()).await {
        Ok(Ok(body)) => Some(body),
        Ok(Err(_)) | Err(_) => None,
    }
}

fn too_large() -> actix_web::HttpResponse {
    to_actix(TokenError::new(Reason::BodyTooLarge).to_http())
}

/// The request as the crate reads it, with the connection's peer address: the
/// throttle counts failures per (client id, caller). Behind a reverse proxy,
/// pass the client address the (trusted) proxy reports instead
/// (`connection_info().realip_remote_addr()` reads it, but trusts any caller).
fn request_parts<'a>(request: &'a HttpRequest, body: &'a [u8]) -> RequestParts<'a> {
    let headers = request.headers();
    let mut parts =
        RequestParts::new(request.method().as_str(), body).query(request.query_string());
    if let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        parts = parts.content_type(value);
    }
    for value in headers.get_all(AUTHORIZATION) {
        parts = parts.authorization_bytes(value.as_bytes()); // two lines are refused (C7)
    }
    for value in headers.get_all("dpop") {
        parts = parts.dpop_bytes(value.as_bytes()); // two lines are refused (RFC 9449 §4.3)
    }
    if let Some(peer) = request.peer_addr() {
        parts = parts.source(peer.ip());
    }
    parts
}

fn to_actix(r: HttpResponse) -> actix_web::HttpResponse {
    let mut response = actix_web::HttpResponse::build(
        StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    );
    for (name, value) in &r.headers {
        response.append_header((*name, &**value));
    }
    response.body(r.body)
}
