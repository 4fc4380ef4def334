//! [`TokenHttp`] over `reqwest`, with rustls and the system's trust roots.

use std::time::Duration;

use crate::client::http::{TokenHttp, TokenHttpRequest, TokenHttpResponse};
use crate::vocab::error::StoreError;

/// The largest body read: a token response or a metadata document is a few KiB.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// A [`TokenHttp`] over a `reqwest` client: TLS by rustls, a 10 s timeout, no
/// redirects, bodies up to 256 KiB.
#[derive(Clone, Debug)]
pub struct ReqwestHttp {
    client: reqwest::Client,
}

impl ReqwestHttp {
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

    async fn read(
        url: &str,
        mut response: reqwest::Response,
    ) -> Result<TokenHttpResponse, StoreError> {
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let dpop_nonce = response
            .headers()
            .get("dpop-nonce")
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
        Ok(TokenHttpResponse {
            status,
            retry_after,
            dpop_nonce,
            body,
        })
    }
}

impl TokenHttp for ReqwestHttp {
    async fn get(&self, url: &str) -> Result<TokenHttpResponse, StoreError> {
        let response = self
            .client
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(StoreError::new)?;
        Self::read(url, response).await
    }

    async fn post_form(&self, request: &TokenHttpRequest) -> Result<TokenHttpResponse, StoreError> {
        let mut builder = self
            .client
            .post(&request.url)
            .header("accept", "application/json")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(request.body.clone());
        if let Some(authorization) = &request.authorization {
            builder = builder.header("authorization", authorization);
        }
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let response = builder.send().await.map_err(StoreError::new)?;
        Self::read(&request.url, response).await
    }
}
