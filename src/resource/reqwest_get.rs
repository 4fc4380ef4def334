//! [`HttpGet`] over `reqwest`, with rustls and the system's trust roots.

use crate::jose::http_get::{HttpGet, HttpGetResponse};
use crate::jose::reqwest_io;
use crate::vocab::error::StoreError;

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
        Ok(Self {
            client: reqwest_io::client()?,
        })
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
        Ok(HttpGetResponse {
            status: response.status().as_u16(),
            cache_control: reqwest_io::header(&response, "cache-control"),
            body: reqwest_io::body(url, &mut response).await?,
        })
    }
}
