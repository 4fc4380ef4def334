//! The two HTTP operations a [`TokenSource`](crate::client::TokenSource)
//! needs, as a trait, so any HTTP client can carry them.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::vocab::error::StoreError;

/// A form `POST` to a token endpoint.
///
/// Its `Debug` shows the URL and the header names only: the body and the
/// `Authorization` value carry secrets.
#[derive(Clone)]
#[non_exhaustive]
pub struct TokenHttpRequest {
    /// The token endpoint.
    pub url: String,
    /// The `Authorization` header (`client_secret_basic`), if any.
    pub authorization: Option<String>,
    /// Further headers, such as a proof of possession of a key.
    pub headers: Vec<(String, String)>,
    /// The `application/x-www-form-urlencoded` body.
    pub body: String,
}

impl fmt::Debug for TokenHttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("TokenHttpRequest")
            .field("url", &self.url)
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "[redacted]"),
            )
            .field("headers", &names)
            .field("body", &"[redacted]")
            .finish()
    }
}

/// What the server answered: the status, the `Retry-After` and `DPoP-Nonce`
/// headers and the body.
///
/// Its `Debug` omits the body, which may hold a token.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenHttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The `Retry-After` header's value, if any.
    pub retry_after: Option<String>,
    /// The `DPoP-Nonce` header's value, if any (RFC 9449 §8).
    pub dpop_nonce: Option<String>,
    /// The response body.
    pub body: Vec<u8>,
}

impl TokenHttpResponse {
    /// A response of `status` with `body`.
    pub fn new(status: u16, retry_after: Option<String>, body: Vec<u8>) -> Self {
        Self {
            status,
            retry_after,
            dpop_nonce: None,
            body,
        }
    }

    /// The response with the `DPoP-Nonce` header `nonce`.
    #[must_use]
    pub fn with_dpop_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.dpop_nonce = Some(nonce.into());
        self
    }
}

impl fmt::Debug for TokenHttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenHttpResponse")
            .field("status", &self.status)
            .field("retry_after", &self.retry_after)
            .field("dpop_nonce", &self.dpop_nonce)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Performs the requests of a [`TokenSource`](crate::client::TokenSource)
/// with the HTTP client of the user's choice; `client::ReqwestHttp` is the
/// stock one.
///
/// # Contract
/// - A short timeout and a small response size limit; no redirects.
/// - Every status is an `Ok` response: the caller decides what it means. An
///   `Err` is a transport failure (no answer), which the caller retries.
pub trait TokenHttp: Send + Sync + 'static {
    /// `GET url` with `Accept: application/json` (the RFC 8414 metadata).
    fn get(&self, url: &str) -> impl Future<Output = Result<TokenHttpResponse, StoreError>> + Send;

    /// `POST` the form in `request`, with `Accept: application/json`.
    fn post_form(
        &self,
        request: &TokenHttpRequest,
    ) -> impl Future<Output = Result<TokenHttpResponse, StoreError>> + Send;
}

impl<T: TokenHttp + ?Sized> TokenHttp for Arc<T> {
    fn get(&self, url: &str) -> impl Future<Output = Result<TokenHttpResponse, StoreError>> + Send {
        (**self).get(url)
    }

    fn post_form(
        &self,
        request: &TokenHttpRequest,
    ) -> impl Future<Output = Result<TokenHttpResponse, StoreError>> + Send {
        (**self).post_form(request)
    }
}

/// A boxed future of an answer.
pub(crate) type HttpFuture<'a> =
    Pin<Box<dyn Future<Output = Result<TokenHttpResponse, StoreError>> + Send + 'a>>;

/// [`TokenHttp`] made object safe; a token request is rare, so the box costs
/// nothing that matters.
pub(crate) trait DynTokenHttp: Send + Sync {
    fn get_boxed<'a>(&'a self, url: &'a str) -> HttpFuture<'a>;
    fn post_boxed<'a>(&'a self, request: &'a TokenHttpRequest) -> HttpFuture<'a>;
}

impl<T: TokenHttp> DynTokenHttp for T {
    fn get_boxed<'a>(&'a self, url: &'a str) -> HttpFuture<'a> {
        Box::pin(self.get(url))
    }

    fn post_boxed<'a>(&'a self, request: &'a TokenHttpRequest) -> HttpFuture<'a> {
        Box::pin(self.post_form(request))
    }
}
