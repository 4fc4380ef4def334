//! The one HTTP operation a `RemoteKeys` needs,
//! as a trait, so the crate links no HTTP client of its own.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::vocab::error::StoreError;

/// What a `GET` answered: the status, the `Cache-Control` header (if any) and
/// the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpGetResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The `Cache-Control` header's value, if the response had one.
    pub cache_control: Option<String>,
    /// The response body.
    pub body: Vec<u8>,
}

/// Performs an HTTP `GET` with the client of the user's choice.
///
/// # Contract
/// - `GET url` with a short timeout and a small response size limit; do not
///   follow redirects to other hosts.
/// - Return every status as an `Ok` response: the caller decides what a
///   non-200 means. An `Err` is a transport failure.
pub trait HttpGet: Send + Sync + 'static {
    /// Fetches `url`.
    fn get(&self, url: &str) -> impl Future<Output = Result<HttpGetResponse, StoreError>> + Send;
}

impl<T: HttpGet + ?Sized> HttpGet for Arc<T> {
    fn get(&self, url: &str) -> impl Future<Output = Result<HttpGetResponse, StoreError>> + Send {
        (**self).get(url)
    }
}

/// A boxed future of a `GET`'s answer.
pub(crate) type GetFuture<'a> =
    Pin<Box<dyn Future<Output = Result<HttpGetResponse, StoreError>> + Send + 'a>>;

/// [`HttpGet`] made object safe; a fetch is rare, so its one box costs nothing
/// that matters.
pub(crate) trait DynHttpGet: Send + Sync {
    fn get_boxed<'a>(&'a self, url: &'a str) -> GetFuture<'a>;
}

impl<T: HttpGet> DynHttpGet for T {
    fn get_boxed<'a>(&'a self, url: &'a str) -> GetFuture<'a> {
        Box::pin(self.get(url))
    }
}
