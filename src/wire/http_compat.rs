//! Conversions to and from the `http` crate's 1.x types (feature `http`), so an
//! adapter for axum, hyper, tower or any other stack built on them stays a few
//! lines and reads every header the same way.

use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};

use crate::wire::request::RequestParts;
use crate::wire::response::HttpResponse;

impl<'a> RequestParts<'a> {
    /// The parts the token endpoint reads from an `http` request head and its
    /// (already collected) body: method, `Content-Type`, every `Authorization`
    /// line (two are refused, C7), the query string (C11) and every `DPoP`
    /// line (RFC 9449).
    ///
    /// ```
    /// # async fn handle<S: client_credentials::ClientStore>(
    /// #     issuer: &client_credentials::Issuer<S>,
    /// #     request: http::Request<Vec<u8>>,
    /// # ) -> http::Response<Vec<u8>> {
    /// use client_credentials::RequestParts;
    ///
    /// let (head, body) = request.into_parts();
    /// issuer
    ///     .handle_token_request(RequestParts::from_http(&head, &body))
    ///     .await
    ///     .into()
    /// # }
    /// ```
    pub fn from_http(head: &'a http::request::Parts, body: &'a [u8]) -> Self {
        Self::from_http_head(&head.method, &head.uri, &head.headers, body)
    }

    /// [`RequestParts::from_http`] for a whole request whose body is already in
    /// memory.
    pub fn from_http_request<B: AsRef<[u8]>>(request: &'a http::Request<B>) -> Self {
        Self::from_http_head(
            request.method(),
            request.uri(),
            request.headers(),
            request.body().as_ref(),
        )
    }

    fn from_http_head(
        method: &'a Method,
        uri: &'a Uri,
        headers: &'a HeaderMap,
        body: &'a [u8],
    ) -> Self {
        let mut parts = Self::new(method.as_str(), body);
        // A Content-Type that is not visible ASCII is no form type: left unset,
        // the request is refused as unsupported (C2).
        if let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
            parts = parts.content_type(value);
        }
        for value in headers.get_all(AUTHORIZATION) {
            parts = parts.authorization_bytes(value.as_bytes());
        }
        if let Some(query) = uri.query() {
            parts = parts.query(query);
        }
        for value in headers.get_all("dpop") {
            parts = parts.dpop_bytes(value.as_bytes());
        }
        parts
    }
}

/// The crate only produces valid statuses, header names and values. A header
/// pushed by hand that `http` cannot carry is left out rather than panicking.
impl From<HttpResponse> for http::Response<Vec<u8>> {
    fn from(r: HttpResponse) -> Self {
        let mut response = http::Response::new(r.body);
        *response.status_mut() =
            StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = response.headers_mut();
        for (name, value) in r.headers {
            let name = HeaderName::from_bytes(name.as_bytes());
            let value = HeaderValue::from_str(&value);
            if let (Ok(name), Ok(value)) = (name, value) {
                headers.append(name, value);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests;
