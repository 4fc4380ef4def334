//! [`HttpGet`] over `reqwest`, with rustls and the system's trust roots.

use std::time::Duration;

use crate::jose::http_get::{HttpGet, HttpGetResponse};
use crate::vocab::error::StoreError;

/// The largest body read: a JWK Set or a metadata document is a few KiB.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// An [`HttpGet`] over a `reqwest` client: TLS by rustls, a 10 s timeout, no
/// redirects, bodies up to 256 KiB.
#[derive(Clone, Debug)]
pub struct ReqwestGet {
    client: reqwest::Client,
}

impl ReqwestGet {
    /// A client with the defaults above.
    ///
    /// # Errors
    /// A [`StoreError`] when the client cannot be built (no trust roots).
    pub fn new() -> Result<Self, StoreError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(StoreError::new)?;
        Ok(Self { client })
    }

    /// Uses `client` as it is configured.
    pub fn with_client(client: reqwest::Client) -> Self {
        Self { client }
    }
}

impl HttpGet for ReqwestGet {
    async fn get(&self, url: &str) -> Result<HttpGetResponse, StoreError> {
        let mut response = self
            .client
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(StoreError::new)?;
        let status = response.status().as_u16();
        let cache_control = response
            .headers()
            .get("cache-control")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(StoreError::new)? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(StoreError::msg(format!(
                    "the response of {url} exceeds {MAX_BODY_BYTES} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpGetResponse {
            status,
            cache_control,
            body,
        })
    }
}
