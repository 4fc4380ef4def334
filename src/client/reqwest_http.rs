//! [`TokenHttp`] over `reqwest`, with rustls and the system's trust roots.

use crate::client::http::{TokenHttp, TokenHttpRequest, TokenHttpResponse};
use crate::jose::reqwest_io;
use crate::vocab::error::StoreError;

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
        Ok(Self {
            client: reqwest_io::client()?,
        })
    }

    /// Uses `client` as it is configured.
    pub fn with_client(client: reqwest::Client) -> Self {
        Self { client }
    }

    async fn read(
        url: &str,
        mut response: reqwest::Response,
    ) -> Result<TokenHttpResponse, StoreError> {
        Ok(TokenHttpResponse {
            status: response.status().as_u16(),
            retry_after: reqwest_io::header(&response, "retry-after"),
            dpop_nonce: reqwest_io::header(&response, "dpop-nonce"),
            body: reqwest_io::body(url, &mut response).await?,
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
