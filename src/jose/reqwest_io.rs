//! What every `reqwest`-backed fetcher of the crate does the same way: the
//! client's settings and a body read under a size limit.

use std::time::Duration;

use crate::vocab::error::StoreError;

/// The largest body read: a token response, a JWK Set or a metadata document
/// is a few KiB.
pub(crate) const MAX_BODY_BYTES: usize = 256 * 1024;

/// A client with rustls and the system's trust roots, a 10 s timeout, and no
/// redirects.
///
/// # Errors
/// A [`StoreError`] when the client cannot be built (no trust roots).
pub(crate) fn client() -> Result<reqwest::Client, StoreError> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(StoreError::new)
}

/// The value of header `name`, when it is text.
pub(crate) fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// The body of the response to `url`, up to [`MAX_BODY_BYTES`].
///
/// # Errors
/// The transport fails, or the body is larger.
pub(crate) async fn body(
    url: &str,
    response: &mut reqwest::Response,
) -> Result<Vec<u8>, StoreError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(StoreError::new)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(StoreError::msg(format!(
                "the response of {url} exceeds {MAX_BODY_BYTES} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
